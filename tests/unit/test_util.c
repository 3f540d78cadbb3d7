/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for util: the terminal sanitizer, the interning hash tables.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flametop/util.h"

static void test_sanitize_escapes(void **state)
{
	char out[64];

	util_sanitize("a\x1b]0;pwned\x07z", out, sizeof(out));
	assert_string_equal(out, "a?]0;pwned?z");
	util_sanitize("clear\x1b[2J\x9b", out, sizeof(out));
	assert_null(strchr(out, 0x1b));
	assert_string_equal(out, "clear?[2J?");
	/* C1 controls encoded as UTF-8 (U+009B CSI) are refused too. */
	util_sanitize("x\xc2\x9by", out, sizeof(out));
	assert_string_equal(out, "x??y");
	util_sanitize("tab\there\nnl\x7f", out, sizeof(out));
	assert_string_equal(out, "tab?here?nl?");
}

static void test_sanitize_utf8(void **state)
{
	char out[64];

	util_sanitize("caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x94\xa5", out, sizeof(out));
	assert_string_equal(out, "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x94\xa5");
	/* Overlong '/' and a lone continuation byte. */
	util_sanitize("\xc0\xaf\x80", out, sizeof(out));
	assert_string_equal(out, "???");
	/* Truncation never splits a character. */
	util_sanitize("ab\xc3\xa9", out, 4);
	assert_string_equal(out, "ab");
	util_sanitize("abc", out, 1);
	assert_string_equal(out, "");
}

/* Bidi controls and zero-width characters are shown, escaped. */
static void test_sanitize_invisible(void **state)
{
	char out[128];

	/* "exe" + RLO + "txt.sh": would read "exehs.txt" on a terminal. */
	util_sanitize("exe\xe2\x80\xaetxt.sh", out, sizeof(out));
	assert_string_equal(out, "exe<U+202E>txt.sh");
	util_sanitize("a\xe2\x80\x8b" "b\xe2\x81\xa0" "c\xef\xbb\xbf" "d", out, sizeof(out));
	assert_string_equal(out, "a<U+200B>b<U+2060>c<U+FEFF>d");
	util_sanitize("\xe2\x81\xa6x\xe2\x81\xa9\xe2\x80\x8f\xd8\x9c", out, sizeof(out));
	assert_string_equal(out, "<U+2066>x<U+2069><U+200F><U+061C>");
	/* Neighbours of the ranges pass: U+2010 hyphen, U+2065 (unassigned). */
	util_sanitize("\xe2\x80\x90\xe2\x81\xa5", out, sizeof(out));
	assert_string_equal(out, "\xe2\x80\x90\xe2\x81\xa5");
	/* The size bound holds even for the 2-byte U+061C, and an escape is
	 * never cut in half. */
	util_sanitize("\xd8\x9c", out, UTIL_SANITIZE_SIZE(2));
	assert_string_equal(out, "<U+061C>");
	util_sanitize("ab\xe2\x80\xae", out, 6);
	assert_string_equal(out, "ab");
}

static void test_u64map(void **state)
{
	struct u64map m;
	uint32_t v, i;

	u64map_init(&m);
	assert_int_equal(u64map_get(&m, 1, &v), 0);
	for (i = 1; i <= 100000; i++)
		u64map_put(&m, (uint64_t)i * 0x9e3779b97f4a7c15ull, i);
	assert_int_equal(m.len, 100000);
	for (i = 1; i <= 100000; i++) {
		assert_int_equal(u64map_get(&m, (uint64_t)i * 0x9e3779b97f4a7c15ull, &v), 1);
		assert_int_equal(v, i);
	}
	u64map_put(&m, 0x9e3779b97f4a7c15ull, 7);
	assert_int_equal(u64map_get(&m, 0x9e3779b97f4a7c15ull, &v), 1);
	assert_int_equal(v, 7);
	assert_int_equal(m.len, 100000);
	assert_int_equal(u64map_get(&m, 12345, &v), 0);
	u64map_free(&m);
}

static void test_strtab(void **state)
{
	struct strtab t;
	char buf[32];
	uint32_t i, id;

	strtab_init(&t);
	for (i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "sym_%u", i);
		assert_int_equal(strtab_intern(&t, buf), i);
	}
	for (i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "sym_%u", i);
		assert_int_equal(strtab_intern(&t, buf), i);
		assert_int_equal(strtab_find(&t, buf, &id), 1);
		assert_int_equal(id, i);
		assert_string_equal(strtab_get(&t, i), buf);
	}
	assert_int_equal(strtab_find(&t, "nope", &id), 0);
	assert_null(strtab_get(&t, 5000));
	assert_int_equal(strtab_intern(&t, ""), 5000);
	strtab_free(&t);
}

static void test_basename(void **state)
{
	assert_string_equal(util_basename("/usr/lib/libc.so.6"), "libc.so.6");
	assert_string_equal(util_basename("plain"), "plain");
	assert_string_equal(util_basename("[kernel.kallsyms]"), "[kernel.kallsyms]");
}

/* A FIFO, a device, a directory, a sparse giant and a symlink are refused
 * without blocking; a small regular file opens. */
static void test_open_regular(void **state)
{
	char dir[] = "/tmp/ft-test-open-XXXXXX", path[256], link[256];
	struct stat st;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/regular", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello", 5), 5);
	close(fd);
	fd = ft_open_regular(path, 16, &st);
	assert_true(fd >= 0);
	assert_int_equal(st.st_size, 5);
	close(fd);
	assert_int_equal(ft_open_regular(path, 4, NULL), -EFBIG);
	assert_string_equal(ft_open_strerror(-EFBIG), "file too large");

	/* Nobody writes this FIFO: a blocking open would never return. */
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(ft_open_regular(path, 0, NULL), -EINVAL);
	assert_string_equal(ft_open_strerror(-EINVAL), "not a regular file");
	unlink(path);

	assert_int_equal(ft_open_regular("/dev/zero", 0, NULL), -EINVAL);
	assert_int_equal(ft_open_regular(dir, 0, NULL), -EISDIR);
	assert_int_equal(ft_open_regular("/nonexistent/x", 0, NULL), -ENOENT);

	/* 64 GiB of holes: the cap is on the size, not on what is stored. */
	snprintf(path, sizeof(path), "%s/sparse", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	if (ftruncate(fd, (off_t)64 << 30) == 0)
		assert_int_equal(ft_open_regular(path, 1 << 20, NULL), -EFBIG);
	close(fd);
	unlink(path);

	/* A symlink is followed unless O_NOFOLLOW is asked for. */
	snprintf(path, sizeof(path), "%s/regular", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink(path, link), 0);
	fd = ft_open_regular_at(AT_FDCWD, link, 0, 0, NULL);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(ft_open_regular_at(AT_FDCWD, link, O_NOFOLLOW, 0, NULL), -ELOOP);
	unlink(link);

	/* The descriptor half. */
	fd = open("/dev/null", O_RDONLY);
	assert_int_equal(ft_check_regular(fd, 0, NULL), -EINVAL);
	close(fd);
	unlink(path);
	rmdir(dir);
}

/* Settings files: only the owner's, only regular, only small. */
static void test_read_settings(void **state)
{
	char dir[] = "/tmp/ft-test-settings-XXXXXX", path[256];
	struct ft_error err = { { 0 }, 0, 0 };
	char *text = NULL, big[2048];
	size_t len;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/config", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "theme = x\n", 10), 10);
	assert_int_equal(ft_read_settings(path, 1024, &text, &len, &err), 0);
	assert_string_equal(text, "theme = x\n");
	assert_int_equal(len, 10);
	free(text);

	/* Too large: said without reading it. */
	memset(big, 'x', sizeof(big));
	assert_int_equal(write(fd, big, sizeof(big)), (ssize_t)sizeof(big));
	close(fd);
	assert_int_equal(ft_read_settings(path, 1024, &text, NULL, &err), -EFBIG);
	assert_non_null(strstr(err.msg, "larger than 1024 bytes"));

	/* Writable by others. */
	assert_int_equal(chmod(path, 0664), 0);
	assert_int_equal(ft_read_settings(path, 1 << 20, &text, NULL, &err), -EPERM);
	assert_non_null(strstr(err.msg, "writable by its group"));
	assert_int_equal(chmod(path, 0646), 0);
	assert_int_equal(ft_read_settings(path, 1 << 20, &text, NULL, &err), -EPERM);
	assert_non_null(strstr(err.msg, "writable by everyone"));
	assert_int_equal(chmod(path, 0644), 0);

	/* Someone else's (needs root to make one). */
	if (geteuid() == 0 && chown(path, 65534, 65534) == 0) {
		unsetenv("SUDO_UID");
		assert_int_equal(ft_read_settings(path, 1 << 20, &text, NULL, &err), -EPERM);
		assert_non_null(strstr(err.msg, "owned by uid 65534"));
		/* ... unless that someone ran us through sudo. */
		setenv("SUDO_UID", "65534", 1);
		assert_int_equal(ft_read_settings(path, 1 << 20, &text, NULL, &err), 0);
		free(text);
		unsetenv("SUDO_UID");
	}
	unlink(path);

	/* A FIFO nobody writes: refused at once, never opened. */
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(ft_read_settings(path, 1 << 20, &text, NULL, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not a regular file"));
	unlink(path);
	assert_int_equal(ft_read_settings(path, 1 << 20, &text, NULL, &err), -ENOENT);
	rmdir(dir);
}

/* Output files: the directory walked and held, links resolved by hand. */
static void test_outdir(void **state)
{
	char dir[] = "/tmp/ft-test-outdir-XXXXXX", path[512], *name = NULL;
	struct ft_error err = { { 0 }, 0, 0 };
	struct ft_outdir d;
	struct stat st;
	mode_t old;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/real", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/rel", dir);
	assert_int_equal(symlink("real", path), 0); /* relative */
	snprintf(path, sizeof(path), "%s/abs", dir);
	{
		char target[300];

		snprintf(target, sizeof(target), "%s/rel", dir);
		assert_int_equal(symlink(target, path), 0); /* absolute, to a link */
	}
	snprintf(path, sizeof(path), "%s/loop", dir);
	assert_int_equal(symlink("loop", path), 0);

	/* Through two links, "." and "..": the file lands in real/. */
	snprintf(path, sizeof(path), "%s/abs/./../rel/out.session", dir);
	assert_int_equal(ft_outdir_open(&d, path, &err), 0);
	assert_string_equal(d.name, "out.session");
	old = umask(077);
	fd = ft_outdir_create(&d, d.name, 0640);
	umask(old);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640); /* exactly, whatever the umask */
	close(fd);
	assert_int_equal(ft_outdir_create(&d, d.name, 0600), -EEXIST);
	fd = ft_outdir_create_partial(&d, d.name, 0600, &name);
	assert_true(fd >= 0);
	assert_int_equal(strncmp(name, "out.session.partial-", 20), 0);
	assert_int_equal(strlen(name), 26);
	close(fd);
	ft_outdir_sync(&d);
	ft_outdir_close(&d);
	snprintf(path, sizeof(path), "%s/real/%s", dir, name);
	assert_int_equal(unlink(path), 0);
	free(name);
	snprintf(path, sizeof(path), "%s/real/out.session", dir);
	assert_int_equal(unlink(path), 0);

	/* The file itself is never a link's target: O_NOFOLLOW on create. */
	snprintf(path, sizeof(path), "%s/rel", dir);
	assert_int_equal(ft_outdir_open(&d, path, &err), 0);
	assert_string_equal(d.name, "rel");
	assert_int_equal(ft_outdir_create(&d, d.name, 0600), -EEXIST);
	ft_outdir_close(&d);

	/* A loop, a missing directory, a directory for a name. */
	snprintf(path, sizeof(path), "%s/loop/x", dir);
	assert_int_equal(ft_outdir_open(&d, path, &err), -ELOOP);
	snprintf(path, sizeof(path), "%s/missing/x", dir);
	assert_int_equal(ft_outdir_open(&d, path, &err), -ENOENT);
	snprintf(path, sizeof(path), "%s/missing/x: No such file or directory", dir);
	assert_string_equal(err.msg, path);
	snprintf(path, sizeof(path), "%s/real/", dir);
	assert_int_equal(ft_outdir_open(&d, path, &err), -EISDIR);

	snprintf(path, sizeof(path), "%s/rel", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/abs", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/loop", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/real", dir);
	rmdir(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize_escapes),
		cmocka_unit_test(test_sanitize_utf8),
		cmocka_unit_test(test_sanitize_invisible),
		cmocka_unit_test(test_u64map),
		cmocka_unit_test(test_strtab),
		cmocka_unit_test(test_basename),
		cmocka_unit_test(test_open_regular),
		cmocka_unit_test(test_read_settings),
		cmocka_unit_test(test_outdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
