/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostile: what a hostile user's program does to the profiler that reads
 * its files.
 *
 *   hostile MODE CPU_MILLISECONDS [LIB [TARGET]]
 *
 * Every mode but jitmap dlopens LIB (a copy of libfthostile.so the caller
 * made, in a directory this process may write) and spins in its
 * ft_hostile_run (which touches nothing but its code and the stack); the
 * mode says what it does to LIB once it runs from it:
 *   plain     nothing (its symbols or debug link are the trap)
 *   fifo      replaces LIB by a FIFO
 *   symlink   replaces LIB by a symbolic link to TARGET (an absolute path
 *             that, in a chroot, names the host's file, not the root's)
 *   truncate  on SIGUSR1, truncates LIB to the end of its code (its unwind
 *             tables and data gone), says "truncated", and spins on; it
 *             leaves with _exit (LIB's destructors are gone too)
 *   jitmap    no LIB: runs a loop from anonymous executable memory, named
 *             in /tmp/perf-PID.map, which it then makes a sparse 64 GiB file
 *   maps      maps one page of a file, under a path of about 3.5 KiB made
 *             in the working directory, 60000 times: its /proc/PID/maps is
 *             then over 200 MB
 * It prints "ready" on stdout once the trap is set, spins until it used
 * CPU_MILLISECONDS of CPU in all (0: until killed), removes what it made in
 * /tmp, and exits. Exits 3 when the mode cannot be set up, 77 for jitmap
 * on machines other than x86-64.
 */
#include "config.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "workload.h"

static char map_path[64];
static volatile sig_atomic_t truncate_now;

static void on_signal(int sig)
{
	if (map_path[0])
		unlink(map_path);
	_exit(128 + sig);
}

static void on_usr1(int sig)
{
	(void)sig;
	truncate_now = 1;
}

/*
 * Spins in the library until this thread used `cpu_ms` more of CPU (0:
 * forever), or, with `until_usr1`, until SIGUSR1 came.
 */
static void spin(void (*run)(long), long cpu_ms, bool until_usr1)
{
	long long until = ft_thread_cpu_ns() + cpu_ms * 1000000LL;

	while ((cpu_ms == 0 || ft_thread_cpu_ns() < until) && !(until_usr1 && truncate_now))
		run(100000);
}

static void ready(void)
{
	printf("ready\n");
	fflush(stdout);
}

/* The file offset where LIB's executable segment ends, rounded up to a page; 0 on error. */
static off_t code_end(const char *lib)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	off_t end = 0;
	long page = sysconf(_SC_PAGESIZE);
	int fd = open(lib, O_RDONLY | O_CLOEXEC);
	int i;

	if (fd < 0)
		return 0;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
		goto out;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph),
			  (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) !=
		    (ssize_t)sizeof(ph))
			goto out;
		if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X))
			end = (off_t)((ph.p_offset + ph.p_filesz + (uint64_t)page - 1) &
				      ~((uint64_t)page - 1));
	}
out:
	close(fd);
	return end;
}

static int run_jitmap(long cpu_ms)
{
#if defined(__x86_64__)
	/* long f(long n) { do n--; while (n); return n; } */
	static const unsigned char code[] = {
		0x48, 0x89, 0xf8, /* mov %rdi,%rax */
		0x48, 0x83, 0xe8, 0x01, /* 1: sub $1,%rax */
		0x75, 0xfa, /* jne 1b */
		0xc3, /* ret */
	};
	long (*fn)(long);
	long long until = cpu_ms ? cpu_ms * 1000000LL : 0;
	FILE *f;
	void *mem;

	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		   0);
	if (mem == MAP_FAILED)
		return 3;
	memcpy(mem, code, sizeof(code));
	__builtin___clear_cache((char *)mem, (char *)mem + sizeof(code));
	snprintf(map_path, sizeof(map_path), "/tmp/perf-%d.map", (int)getpid());
	f = fopen(map_path, "w");
	if (!f)
		return 3;
	fprintf(f, "%lx %zx ft_jit_spin\n", (unsigned long)(uintptr_t)mem, sizeof(code));
	/* 64 GiB, nearly all of it a hole. */
	if (fflush(f) != 0 || ftruncate(fileno(f), 64LL << 30) != 0) {
		fclose(f);
		unlink(map_path);
		return 3;
	}
	fclose(f);
	ready();
	fn = (long (*)(long))mem;
	while (until == 0 || ft_thread_cpu_ns() < until)
		fn(200000);
	unlink(map_path);
	return 0;
#else
	(void)cpu_ms;
	fprintf(stderr, "hostile: the jitmap machine code is for x86-64 only\n");
	return 77;
#endif
}

/* Mappings of the maps mode, and the directories (of 250 bytes) above their file. */
#define MAPS_COUNT 60000
#define MAPS_DEPTH 14

/* Maps one page of a file under a long path MAPS_COUNT times; 0 or 3. */
static int many_maps(void)
{
	char comp[251];
	int i, fd;

	memset(comp, 'd', sizeof(comp) - 1);
	comp[sizeof(comp) - 1] = '\0';
	for (i = 0; i < MAPS_DEPTH; i++) {
		if ((mkdir(comp, 0755) != 0 && errno != EEXIST) || chdir(comp) != 0) {
			perror("hostile: maps directory");
			return 3;
		}
	}
	fd = open("f", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || ftruncate(fd, 4096) != 0) {
		perror("hostile: maps file");
		return 3;
	}
	/* The same offset each time: neighbours never merge into one mapping. */
	for (i = 0; i < MAPS_COUNT; i++) {
		if (mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED) {
			perror("hostile: mmap");
			return 3;
		}
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	void (*run)(long);
	const char *mode, *lib;
	long cpu_ms;
	void *h;
	off_t end;

	if (argc < 3) {
		fprintf(stderr,
			"usage: hostile plain|fifo|symlink|truncate|maps|jitmap CPU_MS [LIB [TARGET]]\n");
		return 2;
	}
	mode = argv[1];
	cpu_ms = ft_arg("hostile", "milliseconds", argv[2]);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (strcmp(mode, "jitmap") == 0)
		return run_jitmap(cpu_ms);
	if (argc < 4 || (strcmp(mode, "symlink") == 0 && argc < 5)) {
		fprintf(stderr, "hostile: %s needs a library%s\n", mode,
			strcmp(mode, "symlink") == 0 ? " and a target" : "");
		return 2;
	}
	lib = argv[3];
	end = code_end(lib);
	h = dlopen(lib, RTLD_NOW);
	if (!h || !(run = (void (*)(long))dlsym(h, "ft_hostile_run"))) {
		fprintf(stderr, "hostile: %s\n", dlerror());
		return 3;
	}
	if (strcmp(mode, "fifo") == 0) {
		if (unlink(lib) != 0 || mkfifo(lib, 0644) != 0) {
			perror("hostile: fifo");
			return 3;
		}
	} else if (strcmp(mode, "symlink") == 0) {
		if (unlink(lib) != 0 || symlink(argv[4], lib) != 0) {
			perror("hostile: symlink");
			return 3;
		}
	} else if (strcmp(mode, "truncate") == 0) {
		if (end == 0) {
			fprintf(stderr, "hostile: no executable segment in %s\n", lib);
			return 3;
		}
		signal(SIGUSR1, on_usr1);
		ready();
		spin(run, 0, true);
		/* Code pages stay; .eh_frame and everything after them go. */
		if (truncate(lib, end) != 0) {
			perror("hostile: truncate");
			_exit(3);
		}
		printf("truncated\n");
		fflush(stdout);
		spin(run, cpu_ms, false);
		_exit(0);
	} else if (strcmp(mode, "maps") == 0) {
		if (many_maps() != 0)
			return 3;
	} else if (strcmp(mode, "plain") != 0) {
		fprintf(stderr, "hostile: unknown mode %s\n", mode);
		return 2;
	}
	ready();
	spin(run, cpu_ms, false);
	return 0;
}
