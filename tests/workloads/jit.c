/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jit: code in anonymous executable memory, named by a perf map.
 *
 *   jit MILLISECONDS [MODE]
 *
 * Copies a tiny counting loop (machine code, x86-64) into an anonymous
 * executable mapping, describes it in /tmp/perf-PID.map as ft_jit_spin,
 * the way a JIT compiler does, and calls it, a few million iterations a
 * call (about a millisecond), until MILLISECONDS of wall time have passed;
 * main looks at the clock between calls. MODE says how the map is written:
 *   good     a regular file owned by us (the default)
 *   symlink  /tmp/perf-PID.map is a symbolic link to the real file
 *   foreign  a regular file owned by the user nobody (needs root)
 *   memfd    good, with the code in a shared mapping of a memfd named
 *            doublemapper, as .NET maps its JIT code
 * A profiler must use good and memfd and refuse the others. The files are
 * removed at exit. Exits 77 on machines other than x86-64, 3 when MODE
 * cannot be set up.
 */
#include "config.h"

#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "workload.h"

static char map_path[64], target_path[64];

static void remove_files(void)
{
	unlink(map_path);
	if (target_path[0])
		unlink(target_path);
}

static void on_signal(int sig)
{
	remove_files();
	_exit(128 + sig);
}

static int write_map(const char *path, void *code, size_t size)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "%lx %zx ft_jit_spin\n", (unsigned long)(uintptr_t)code, size);
	return fclose(f);
}

int main(int argc, char **argv)
{
#if defined(__x86_64__)
	/* long f(long n) { do n--; while (n); return n; } */
	static const unsigned char code[] = {
		0x48, 0x89, 0xf8, /* mov %rdi,%rax */
		0x48, 0x83, 0xe8, 0x01, /* 1: sub $1,%rax */
		0x75, 0xfa, /* jne 1b */
		0xc3, /* ret */
	};
	const char *mode = argc > 2 ? argv[2] : "good";
	long (*fn)(long);
	long long deadline;
	void *mem;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: jit MILLISECONDS [good|symlink|foreign|memfd]\n");
		return 2;
	}
	deadline = ft_deadline(ft_arg("jit", "milliseconds", argv[1]));
	if (strcmp(mode, "memfd") == 0) {
		int fd = memfd_create("doublemapper", MFD_CLOEXEC);

		mem = fd >= 0 && ftruncate(fd, 4096) == 0
			      ? mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_SHARED, fd, 0)
			      : MAP_FAILED;
		mode = "good";
	} else {
		mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	if (mem == MAP_FAILED) {
		perror("jit: mmap");
		return 3;
	}
	memcpy(mem, code, sizeof(code));
	__builtin___clear_cache((char *)mem, (char *)mem + sizeof(code));

	snprintf(map_path, sizeof(map_path), "/tmp/perf-%d.map", (int)getpid());
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (strcmp(mode, "good") == 0) {
		if (write_map(map_path, mem, sizeof(code)) < 0) {
			perror("jit: map");
			return 3;
		}
	} else if (strcmp(mode, "symlink") == 0) {
		snprintf(target_path, sizeof(target_path), "/tmp/ft-jit-%d.target", (int)getpid());
		if (write_map(target_path, mem, sizeof(code)) < 0 || symlink(target_path, map_path) < 0) {
			perror("jit: symlinked map");
			remove_files();
			return 3;
		}
	} else if (strcmp(mode, "foreign") == 0) {
		struct passwd *pw = getpwnam("nobody");

		if (!pw || write_map(map_path, mem, sizeof(code)) < 0 ||
		    chown(map_path, pw->pw_uid, pw->pw_gid) < 0) {
			perror("jit: map owned by nobody");
			remove_files();
			return 3;
		}
	} else {
		fprintf(stderr, "jit: unknown mode %s\n", mode);
		return 2;
	}

	fn = (long (*)(long))mem;
	while (!ft_past(deadline))
		fn(1L << 22);
	remove_files();
	return 0;
#else
	fprintf(stderr, "jit: the machine code here is x86-64 only\n");
	return 77;
#endif
}
