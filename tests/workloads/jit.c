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
 *   named    good, with the mapping named ft-jit (PR_SET_VMA_ANON_NAME):
 *            /proc/PID/maps shows it as [anon:ft-jit], as V8 and ART name
 *            theirs (exits 77 where the kernel cannot name mappings)
 *   reuse    good for the first half of the time; then a second line
 *            names the same code ft_jit_respin, as a JIT that compiled new
 *            code where old code was (no new mapping), for the second half
 *   kept     good, and the map is left behind at exit, as Node and the
 *            JVM's perf-map-agent leave theirs (whoever runs it removes it)
 * A profiler must use good, memfd and kept and refuse the others. The
 * files are removed at exit (but kept's map), unless FT_JIT_KEEP_MAPS
 * names a file: then their paths are appended to it, one a line, and they
 * are left for whoever set it to remove (a test whose recorder, held up
 * by load, reads the map after the JIT exited). Exits 77 on machines other than x86-64, 3 when MODE
 * cannot be set up.
 */
#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/prctl.h>
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

/* Writes (how: "w") or appends ("a") the line naming the code. */
static int write_map_line(const char *path, const char *how, void *code, size_t size,
			  const char *name)
{
	FILE *f = fopen(path, how);

	if (!f)
		return -1;
	fprintf(f, "%lx %zx %s\n", (unsigned long)(uintptr_t)code, size, name);
	return fclose(f);
}

static int write_map(const char *path, void *code, size_t size)
{
	return write_map_line(path, "w", code, size, "ft_jit_spin");
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
	bool keep = false;
	long (*fn)(long);
	long long deadline, half = 0;
	long ms;
	void *mem;

	if (argc < 2 || argc > 3) {
		fprintf(stderr,
			"usage: jit MILLISECONDS [good|symlink|foreign|memfd|named|reuse|kept]\n");
		return 2;
	}
	ms = ft_arg("jit", "milliseconds", argv[1]);
	deadline = ft_deadline(ms);
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
	if (strcmp(mode, "named") == 0) {
		/* PR_SET_VMA, PR_SET_VMA_ANON_NAME (Linux 5.17; not in every libc's headers) */
		if (prctl(0x53564d41, 0, (unsigned long)mem, 4096UL, (unsigned long)"ft-jit") != 0) {
			perror("jit: naming the mapping");
			return 77;
		}
		mode = "good";
	} else if (strcmp(mode, "reuse") == 0) {
		half = ft_deadline(ms / 2);
		mode = "good";
	} else if (strcmp(mode, "kept") == 0) {
		keep = true;
		mode = "good";
	}

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
	while (!ft_past(deadline)) {
		if (half && ft_past(half)) {
			if (write_map_line(map_path, "a", mem, sizeof(code), "ft_jit_respin") < 0) {
				perror("jit: map");
				remove_files();
				return 3;
			}
			half = 0;
		}
		fn(1L << 22);
	}
	if (keep)
		return 0;
	if (getenv("FT_JIT_KEEP_MAPS")) {
		FILE *list = fopen(getenv("FT_JIT_KEEP_MAPS"), "a");

		if (list) {
			fprintf(list, "%s\n", map_path);
			if (target_path[0])
				fprintf(list, "%s\n", target_path);
			if (fclose(list) == 0)
				return 0;
		}
	}
	remove_files();
	return 0;
#else
	fprintf(stderr, "jit: the machine code here is x86-64 only\n");
	return 77;
#endif
}
