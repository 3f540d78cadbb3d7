/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A slow disk for the pusher's spool, for tests/e2e/push.sh: preloaded
 * (LD_PRELOAD) into flametop, it holds up every creation of a spool file
 * (an open() or openat() with O_CREAT of a name ending in ".push") while
 * the file named by $FT_STALL_GATE exists, creating "$FT_STALL_GATE.held"
 * the first time it does, so the test knows a write was held. The test
 * removes the gate to let the writes go. Not a workload: it is built with
 * them because they are the tests' helper programs.
 *
 * A slow disk for a module's file, for tests/e2e/tui-slowload.sh: with
 * $FT_STALL_READ set, every pread() of a file whose path ends in it takes
 * 500 ms ($FT_STALL_MS, when set: that many, a multiple of 10) while the
 * gate exists, and appends a line to
 * "$FT_STALL_GATE.reads" as it begins ("read SIZE at OFFSET"), so the test
 * knows how far the reading got.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void hold(const char *path, int flags)
{
	const char *gate = getenv("FT_STALL_GATE");
	size_t len = strlen(path);
	struct timespec ms10 = { 0, 10000000 };
	char held[4096];
	int fd;

	if (!gate || !(flags & O_CREAT) || len < 5 || strcmp(path + len - 5, ".push") != 0)
		return;
	if (access(gate, F_OK) != 0)
		return;
	snprintf(held, sizeof(held), "%s.held", gate);
	fd = creat(held, 0600);
	if (fd >= 0)
		close(fd);
	while (access(gate, F_OK) == 0)
		nanosleep(&ms10, NULL);
}

/* A pread() of `fd`: slow while the gate exists, when it is the file named. */
static void hold_read(int fd, size_t count, long long off)
{
	const char *gate = getenv("FT_STALL_GATE"), *name = getenv("FT_STALL_READ");
	struct timespec ms10 = { 0, 10000000 };
	char link[64], path[4096], reads[4096];
	const char *ms = getenv("FT_STALL_MS");
	int i, log, slices = ms ? atoi(ms) / 10 : 50;
	ssize_t n;
	size_t len;

	if (!gate || !name || access(gate, F_OK) != 0)
		return;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return;
	path[n] = '\0';
	len = strlen(name);
	if ((size_t)n < len || strcmp(path + n - len, name) != 0)
		return;
	snprintf(reads, sizeof(reads), "%s.reads", gate);
	log = open(reads, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (log >= 0) {
		char line[64];
		int k = snprintf(line, sizeof(line), "read %zu at %lld\n", count, off);

		if (write(log, line, (size_t)k) != k)
			perror("ftstall");
		close(log);
	}
	for (i = 0; i < slices && access(gate, F_OK) == 0; i++)
		nanosleep(&ms10, NULL);
}

ssize_t pread(int fd, void *buf, size_t count, off_t off)
{
	static ssize_t (*real)(int, void *, size_t, off_t);

	if (!real)
		real = (ssize_t(*)(int, void *, size_t, off_t))dlsym(RTLD_NEXT, "pread");
	hold_read(fd, count, (long long)off);
	return real(fd, buf, count, off);
}

ssize_t pread64(int fd, void *buf, size_t count, off64_t off)
{
	static ssize_t (*real)(int, void *, size_t, off64_t);

	if (!real)
		real = (ssize_t(*)(int, void *, size_t, off64_t))dlsym(RTLD_NEXT, "pread64");
	hold_read(fd, count, (long long)off);
	return real(fd, buf, count, off);
}

static mode_t mode_of(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int openat(int dirfd, const char *path, int flags, ...)
{
	static int (*real)(int, const char *, int, ...);
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_of(flags, ap);
	va_end(ap);
	if (!real)
		real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	hold(path, flags);
	return real(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	static int (*real)(int, const char *, int, ...);
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_of(flags, ap);
	va_end(ap);
	if (!real)
		real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat64");
	hold(path, flags);
	return real(dirfd, path, flags, mode);
}

int open(const char *path, int flags, ...)
{
	static int (*real)(const char *, int, ...);
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_of(flags, ap);
	va_end(ap);
	if (!real)
		real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	hold(path, flags);
	return real(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	static int (*real)(const char *, int, ...);
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_of(flags, ap);
	va_end(ap);
	if (!real)
		real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open64");
	hold(path, flags);
	return real(path, flags, mode);
}
