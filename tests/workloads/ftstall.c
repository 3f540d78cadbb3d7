/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A slow disk for the pusher's spool, for tests/e2e/push.sh: preloaded
 * (LD_PRELOAD) into flametop, it holds up every creation of a spool file
 * (an open() or openat() with O_CREAT of a name ending in ".push") while
 * the file named by $FT_STALL_GATE exists, creating "$FT_STALL_GATE.held"
 * the first time it does, so the test knows a write was held. The test
 * removes the gate to let the writes go. Not a workload: it is built with
 * them because they are the tests' helper programs.
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
