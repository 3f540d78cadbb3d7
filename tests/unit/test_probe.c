/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for symbols_func_file_offset (src/symbols/probe.c), which
 * reads a library that a target's owner controls: a copy of our libc is
 * found into, and the same copy truncated by its owner while flametop
 * reads it is refused, not a SIGBUS. The truncation happens inside
 * libelf's first read or map of the file: this program defines mmap and
 * pread, which libelf's calls reach before libc's, and cuts the watched
 * file to one page just before doing what was asked.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "flametop/symbols.h"

/* The file to cut (0: none), and the path to cut it by. */
static dev_t watch_dev;
static ino_t watch_ino;
static const char *watch_path;

/* Cuts the watched file to a page when `fd` is it (once). */
static void maybe_truncate(int fd)
{
	struct stat st;

	if (!watch_path || fstat(fd, &st) != 0 || st.st_dev != watch_dev || st.st_ino != watch_ino)
		return;
	if (truncate(watch_path, 4096) != 0)
		abort();
	watch_path = NULL;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	long r;

	if (fd >= 0)
		maybe_truncate(fd);
	r = syscall(SYS_mmap, addr, len, prot, flags, fd, off);
	return r == -1 ? MAP_FAILED : (void *)r;
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off);
void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
	return mmap(addr, len, prot, flags, fd, (off_t)off);
}

ssize_t pread(int fd, void *buf, size_t len, off_t off);
ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	maybe_truncate(fd);
	return syscall(SYS_pread64, fd, buf, len, off);
}

ssize_t pread64(int fd, void *buf, size_t len, off64_t off);
ssize_t pread64(int fd, void *buf, size_t len, off64_t off)
{
	return pread(fd, buf, len, (off_t)off);
}

static int find_libc(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	if (info->dlpi_name && strstr(info->dlpi_name, "/libc.so.")) {
		*(char **)data = realpath(info->dlpi_name, NULL);
		return 1;
	}
	return 0;
}

/* A copy of our libc in a new temporary file; its path, caller frees. */
static char *libc_copy(void)
{
	char *libc = NULL, *copy = strdup("/tmp/test_probe.XXXXXX"), buf[65536];
	int in, out;
	ssize_t n;

	dl_iterate_phdr(find_libc, &libc);
	assert_non_null(libc);
	in = open(libc, O_RDONLY);
	out = mkstemp(copy);
	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
	free(libc);
	return copy;
}

static void test_offset_found(void **state)
{
	char *copy = libc_copy();
	struct ft_error err;
	uint64_t off = 0;

	(void)state;
	assert_int_equal(symbols_func_file_offset(copy, "malloc", &off, &err), 0);
	assert_true(off > 0);
	unlink(copy);
	free(copy);
}

static void test_truncated_while_read(void **state)
{
	char *copy = libc_copy();
	struct ft_error err;
	struct stat st;
	uint64_t off = 0;

	(void)state;
	assert_int_equal(stat(copy, &st), 0);
	watch_dev = st.st_dev;
	watch_ino = st.st_ino;
	watch_path = copy;
	assert_true(symbols_func_file_offset(copy, "malloc", &off, &err) < 0);
	assert_null(watch_path); /* it was cut while read */
	assert_int_equal(stat(copy, &st), 0);
	assert_int_equal(st.st_size, 4096);
	unlink(copy);
	free(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offset_found),
		cmocka_unit_test(test_truncated_while_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
