/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for util: the terminal sanitizer, the interning hash tables,
 * the notice sink, the parsers of durations, sizes and numbers people type.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flametop/util.h"

/* A scratch buffer gives back the room of a big chunk once the chunks are small again. */
static void test_buf_shrink(void **state)
{
	size_t cap = 1 << 20;
	char *buf = xmalloc(cap);

	(void)state;
	/* A quarter of it or more is still needed: kept. */
	buf = xbuf_shrink(buf, &cap, 256 << 10);
	assert_int_equal(cap, 1 << 20);
	/* Less: down to what is needed. */
	buf = xbuf_shrink(buf, &cap, 200 << 10);
	assert_int_equal(cap, 200 << 10);
	memset(buf, 1, cap);
	/* Never below UTIL_BUF_KEEP, and never grown. */
	buf = xbuf_shrink(buf, &cap, 16);
	assert_int_equal(cap, UTIL_BUF_KEEP);
	buf = xbuf_shrink(buf, &cap, 1);
	assert_int_equal(cap, UTIL_BUF_KEEP);
	buf = xbuf_shrink(buf, &cap, 1 << 20);
	assert_int_equal(cap, UTIL_BUF_KEEP);
	memset(buf, 2, cap);
	free(buf);
	cap = 0;
	assert_null(xbuf_shrink(NULL, &cap, 16));
	assert_int_equal(cap, 0);
}

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
	/* Noncharacters, which XML refuses: escaped; U+FFFD passes. */
	util_sanitize("a\xef\xbf\xbe" "b\xef\xbf\xbf" "c\xef\xbf\xbd", out, sizeof(out));
	assert_string_equal(out, "a<U+FFFE>b<U+FFFF>c\xef\xbf\xbd");
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

/*
 * Deleting keeps every other key findable with its value, whatever probe
 * chains the deleted ones sat in (a map at its fullest, deletions spread
 * and clustered), and a deleted key can come back.
 */
static void test_u64map_del(void **state)
{
	enum { N = 20000 };
	struct u64map m;
	uint32_t v, i;
	size_t cap, left = N;

	(void)state;
	u64map_init(&m);
	assert_int_equal(u64map_del(&m, 1), 0);
	for (i = 1; i <= N; i++)
		u64map_put(&m, i, i);
	cap = m.cap;
	for (i = 1; i <= N; i++) {
		if (i % 3 == 0 || (i > 5000 && i <= 7000)) {
			assert_int_equal(u64map_del(&m, i), 1);
			left--;
		}
	}
	assert_int_equal(u64map_del(&m, 3), 0);
	assert_int_equal(u64map_del(&m, N + 1), 0);
	for (i = 1; i <= N; i++) {
		bool gone = i % 3 == 0 || (i > 5000 && i <= 7000);

		assert_int_equal(u64map_get(&m, i, &v), !gone);
		if (!gone)
			assert_int_equal(v, i);
	}
	assert_int_equal(m.len, left);
	for (i = 3; i <= N; i += 3)
		u64map_put(&m, i, i + 1);
	for (i = 1; i <= N; i++) {
		assert_int_equal(u64map_get(&m, i, &v), !(i > 5000 && i <= 7000 && i % 3));
		if (i % 3 == 0)
			assert_int_equal(v, i + 1);
	}
	assert_int_equal(m.cap, cap);
	u64map_free(&m);
}

/* An idmap over keys kept in an array: every id is found by its key
 * after the table grew many times, colliding hashes included (a hash of
 * key / 4, so every four keys share one), and a missing key is not. */
static uint64_t idmap_keys[100000];

static uint64_t idmap_hash(uint64_t key)
{
	return util_hash_u64(key / 4);
}

static uint64_t idmap_hash_of(const void *ctx, uint32_t id)
{
	return idmap_hash(((const uint64_t *)ctx)[id]);
}

static uint32_t idmap_find(const struct idmap *m, uint64_t key)
{
	uint32_t id;
	size_t i;

	for (i = idmap_first(m, idmap_hash(key)); (id = idmap_at(m, i)) != IDMAP_NONE;
	     i = idmap_next(m, i))
		if (idmap_keys[id] == key)
			return id;
	return IDMAP_NONE;
}

static void test_idmap(void **state)
{
	struct idmap m;
	uint32_t i;

	idmap_init(&m);
	assert_int_equal(idmap_find(&m, 5), IDMAP_NONE);
	for (i = 0; i < 100000; i++) {
		idmap_keys[i] = (uint64_t)i * 7 + 3;
		idmap_add(&m, idmap_hash(idmap_keys[i]), i, idmap_hash_of, idmap_keys);
	}
	assert_int_equal(m.len, 100000);
	assert_true(m.cap >= 2 * m.len);
	assert_true(m.cap <= 4 * m.len);
	for (i = 0; i < 100000; i++)
		if (idmap_find(&m, (uint64_t)i * 7 + 3) != i)
			fail_msg("id %u not found by its key", i);
	assert_int_equal(idmap_find(&m, 4), IDMAP_NONE);
	assert_int_equal(idmap_find(&m, (uint64_t)100000 * 7 + 3), IDMAP_NONE);
	idmap_free(&m);
}

/* A big array keeps its contents as it grows past UTIL_BIG_MIN (malloc'd
 * to mapped) and on (mremap), doubling as the profile grows its samples. */
static void test_big_array(void **state)
{
	size_t n = 0, cap = 0, i, want = 3 * UTIL_BIG_MIN / sizeof(uint64_t) + 5;
	uint64_t *a = NULL;

	for (; n < want; n++) {
		if (n == cap) {
			size_t c = cap ? cap * 2 : 64;

			a = xbig_reallocarray(a, cap, c, sizeof(*a));
			cap = c;
		}
		a[n] = n * 0x9e3779b97f4a7c15ull;
	}
	assert_true(cap * sizeof(*a) >= UTIL_BIG_MIN);
	for (i = 0; i < n; i++)
		if (a[i] != i * 0x9e3779b97f4a7c15ull)
			fail_msg("element %zu lost as the array grew", i);
	xbig_free(a, cap, sizeof(*a));
	/* Small ones stay malloc'd; freeing NULL is fine either way. */
	a = xbig_reallocarray(NULL, 0, 10, sizeof(*a));
	a[9] = 1;
	xbig_free(a, 10, sizeof(*a));
	xbig_free(NULL, 0, sizeof(*a));
	xbig_free(NULL, UTIL_BIG_MIN, 1);
}

/*
 * Whether the mapping holding `addr` is marked for transparent huge pages
 * ("hg" in its VmFlags in /proc/self/smaps); -1 when no mapping holds it.
 */
static int huge_marked(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	uintptr_t a = (uintptr_t)addr;
	bool in = false;
	int found = -1;
	char line[512];

	assert_non_null(f);
	while (found < 0 && fgets(line, sizeof(line), f)) {
		unsigned long long start, end;

		if (sscanf(line, "%llx-%llx ", &start, &end) == 2 && strchr(line, ' ') &&
		    strchr(line, '-') < strchr(line, ' '))
			in = a >= start && a < end;
		else if (in && strncmp(line, "VmFlags:", 8) == 0)
			found = strstr(line, " hg") != NULL;
	}
	fclose(f);
	return found;
}

/*
 * What malloc keeps follows xmalloc_keep_freed()'s `most`: a block above
 * it is a mapping of its own (handed back when freed), one below it comes
 * from the heap. mallinfo2() counts the mappings. A sanitizer's malloc
 * (whose mallinfo2() says 0) is not glibc's to tune: there the blocks
 * must only work as ever.
 */
static void test_keep_freed(void **state)
{
	size_t big = (size_t)4 << 20, before;
	bool glibc = mallinfo2().arena != 0;
	char *p;

	(void)state;
	xmalloc_keep_freed((size_t)1 << 20);
	before = mallinfo2().hblks;
	p = xmalloc(big);
	memset(p, 1, big);
	if (glibc)
		assert_int_equal(mallinfo2().hblks, before + 1);
	assert_int_equal(p[big - 1], 1);
	free(p);
	xmalloc_keep_freed(UTIL_MALLOC_KEEP);
	before = mallinfo2().hblks;
	p = xmalloc(big);
	memset(p, 2, big);
	if (glibc)
		assert_int_equal(mallinfo2().hblks, before);
	assert_int_equal(p[big - 1], 2);
	free(p);
}

/*
 * After xmalloc_heap_huge(), the blocks malloc hands out lie in a part of
 * the heap marked for huge pages, and are memory like any other. Where it
 * cannot mark anything (a sanitizer's malloc, which has no brk heap; a
 * kernel without transparent huge pages), it leaves malloc as it was.
 */
static void test_heap_huge(void **state)
{
	bool thp = access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) == 0;
	bool brk_heap = true;
	char *blocks[3], *before;
	size_t i;

#ifdef __SANITIZE_ADDRESS__
	brk_heap = false;
#endif
	before = xmalloc(64);
	xmalloc_heap_huge();
	for (i = 0; i < ARRAY_SIZE(blocks); i++) {
		blocks[i] = xmalloc((size_t)1 << 20);
		memset(blocks[i], (int)i + 1, (size_t)1 << 20);
		/* Its middle: the first block's header sits on the small page below. */
		if (brk_heap)
			assert_int_equal(huge_marked(blocks[i] + (1 << 19)), thp);
	}
	for (i = 0; i < ARRAY_SIZE(blocks); i++) {
		assert_int_equal(blocks[i][0], (char)(i + 1));
		assert_int_equal(blocks[i][(1 << 20) - 1], (char)(i + 1));
		free(blocks[i]);
	}
	/* A block from before the call lies below, in small pages. */
	if (brk_heap)
		assert_int_equal(huge_marked(before), 0);
	free(before);
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

/* A capped read keeps whole lines within the cap and says it cut; an
 * uncapped one, or a cap the file fits, reads it all. */
static void test_read_file_max(void **state)
{
	char path[] = "/tmp/ft-test-readmax-XXXXXX", *buf;
	bool cut = true;
	size_t len = 0;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "one\ntwo\nthree\n", 14), 14);
	close(fd);
	buf = util_read_file_max(path, 10, &len, &cut);
	assert_non_null(buf);
	assert_true(cut);
	assert_string_equal(buf, "one\ntwo\n");
	assert_int_equal(len, 8);
	free(buf);
	buf = util_read_file_max(path, 14, &len, &cut);
	assert_false(cut);
	assert_string_equal(buf, "one\ntwo\nthree\n");
	free(buf);
	buf = util_read_file_max(path, 2, &len, &cut);
	assert_true(cut);
	assert_int_equal(len, 0);
	free(buf);
	buf = util_read_file(path, &len);
	assert_int_equal(len, 14);
	free(buf);
	unlink(path);
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

	/*
	 * The O_PATH half: what is opened is the inode that was looked at,
	 * whatever the path names by then (a FIFO swapped in is not opened),
	 * and a FIFO looked at is refused.
	 */
	{
		char fifo[256], buf[8] = { 0 };
		int pfd;

		snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
		assert_int_equal(mkfifo(fifo, 0600), 0);
		pfd = open(path, O_PATH | O_CLOEXEC);
		assert_true(pfd >= 0);
		assert_int_equal(rename(fifo, path), 0);
		fd = ft_reopen_regular(pfd, 16, &st);
		assert_true(fd >= 0);
		assert_int_equal(read(fd, buf, sizeof(buf)), 5);
		assert_string_equal(buf, "hello");
		close(fd);
		close(pfd);
		pfd = open(path, O_PATH | O_CLOEXEC);
		assert_true(pfd >= 0);
		assert_int_equal(ft_reopen_regular(pfd, 0, NULL), -EINVAL);
		close(pfd);
	}
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

/* What a notice sink showed. */
struct shown {
	unsigned n;
	char last[512];
};

static void show(void *ctx, const char *text)
{
	struct shown *sh = ctx;

	sh->n++;
	snprintf(sh->last, sizeof(sh->last), "%s", text);
}

/* A sink shows each line once, and each keyed notice once whatever its text. */
static void test_notice_once(void **state)
{
	struct shown sh = { 0, "" };
	struct ft_notice n;

	notice_init(&n, show, &sh);
	notice_say(&n, NULL, "cycles is not supported here; sampling %s instead", "cpu-clock");
	assert_int_equal(sh.n, 1);
	assert_string_equal(sh.last, "cycles is not supported here; sampling cpu-clock instead");
	notice_say(&n, NULL, "cycles is not supported here; sampling %s instead", "cpu-clock");
	assert_int_equal(sh.n, 1);
	notice_say(&n, NULL, "cycles is not supported here; sampling %s instead", "task-clock");
	assert_int_equal(sh.n, 2);
	notice_say(&n, "truncated", "%d%% of user stacks look truncated", 60);
	notice_say(&n, "truncated", "%d%% of user stacks look truncated", 75);
	assert_int_equal(sh.n, 3);
	assert_string_equal(sh.last, "60% of user stacks look truncated");
	/* The text is not sanitized here: the sink's owner does it. */
	notice_say(&n, NULL, "a\x1b[2Jb");
	assert_string_equal(sh.last, "a\x1b[2Jb");
	notice_free(&n);

	/* A fresh sink has said nothing; none at all says nothing. */
	notice_init(&n, show, &sh);
	notice_say(&n, "truncated", "again");
	assert_int_equal(sh.n, 5);
	notice_free(&n);
	notice_say(NULL, NULL, "nowhere");
	assert_int_equal(sh.n, 5);
}

#define MS UINT64_C(1000000)
#define SEC UINT64_C(1000000000)

/* Durations: every documented form, exactly, and what is refused. */
static void test_parse_duration(void **state)
{
	static const struct {
		const char *in;
		uint64_t ns;
	} ok[] = {
		{ "30", 30 * SEC },	 { "1.5", 1500 * MS },	 { ".5s", 500 * MS },
		{ "500ms", 500 * MS },	 { "1s", SEC },		 { "1m", 60 * SEC },
		{ "15m", 900 * SEC },	 { "2min", 120 * SEC },	 { "2h", 7200 * SEC },
		{ "0.25h", 900 * SEC },	 { "1d", 86400 * SEC },	 { "250us", 250000 },
		{ "7ns", 7 },		 { "0.1s", 100 * MS },	 { "1M", 60 * SEC },
		{ "0", 0 },		 { "1.", SEC },		 { "2.000000000001s", 2 * SEC },
	};
	static const char *const bad[] = { "",	 "s",	 ".",	  "-1s",  "+1",	  "1 s", " 1",
					    "1x", "1.2.3", "1e3", "1sec", "1s ", "0x10", "1,5" };
	struct ft_error err = { { 0 }, 0, 0 };
	uint64_t ns;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		ns = 42;
		assert_int_equal(util_parse_duration(ok[i].in, 0, UINT64_MAX, &ns, &err), 0);
		assert_int_equal(ns, ok[i].ns);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ns = 42;
		assert_int_equal(util_parse_duration(bad[i], 0, UINT64_MAX, &ns, &err), -EINVAL);
		assert_int_equal(ns, 42);
		assert_non_null(strstr(err.msg, "is not a duration (30, 500ms, 1.5s, 2m, 1h)"));
	}
	assert_int_equal(util_parse_duration(NULL, 0, UINT64_MAX, &ns, &err), -EINVAL);
	assert_string_equal(err.msg, "'' is not a duration (30, 500ms, 1.5s, 2m, 1h)");
	assert_int_equal(util_parse_duration("1x", 0, UINT64_MAX, &ns, &err), -EINVAL);
	assert_string_equal(err.msg, "'1x' is not a duration (30, 500ms, 1.5s, 2m, 1h)");

	/* Bounds, said in the unit that reads best. */
	assert_int_equal(util_parse_duration("0", MS, UINT64_MAX, &ns, &err), -ERANGE);
	assert_string_equal(err.msg, "'0' is out of range (at least 1ms)");
	assert_int_equal(util_parse_duration("500us", MS, UINT64_MAX, &ns, &err), -ERANGE);
	assert_int_equal(util_parse_duration("1ms", MS, UINT64_MAX, &ns, &err), 0);
	assert_int_equal(ns, MS);
	assert_int_equal(util_parse_duration("25h", SEC, 86400 * SEC, &ns, &err), -ERANGE);
	assert_string_equal(err.msg, "'25h' is out of range (1s to 1d)");
	assert_int_equal(util_parse_duration("2m", 0, 90 * SEC, &ns, &err), -ERANGE);
	assert_string_equal(err.msg, "'2m' is out of range (at most 90s)");
	/* Too large for 64 bits of ns: out of range, not garbage. */
	assert_int_equal(util_parse_duration("99999999999999h", 0, UINT64_MAX, &ns, &err), -ERANGE);
	assert_string_equal(err.msg, "'99999999999999h' is too large");
	assert_int_equal(util_parse_duration("99999999999999999999999", MS, UINT64_MAX, &ns, &err),
			 -ERANGE);
	assert_string_equal(err.msg, "'99999999999999999999999' is out of range (at least 1ms)");
}

static void test_parse_size(void **state)
{
	static const struct {
		const char *in;
		uint64_t bytes;
	} ok[] = {
		{ "65536", 65536 },		  { "100B", 100 },
		{ "512k", 512 << 10 },		  { "512K", 512 << 10 },
		{ "512KiB", 512 << 10 },	  { "512kb", 512 << 10 },
		{ "64M", UINT64_C(64) << 20 },	  { "64MiB", UINT64_C(64) << 20 },
		{ "1.5MiB", 3 << 19 },		  { "1G", UINT64_C(1) << 30 },
		{ "1.5G", UINT64_C(3) << 29 },	  { "2GiB", UINT64_C(2) << 30 },
		{ "1T", UINT64_C(1) << 40 },	  { "0.5", 0 },
	};
	static const char *const bad[] = { "", "M", "64X", "-1", "1 M", "64Mi", "1e6", "0x100" };
	struct ft_error err = { { 0 }, 0, 0 };
	uint64_t b;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		b = 7;
		assert_int_equal(util_parse_size(ok[i].in, 0, UINT64_MAX, &b, &err), 0);
		assert_int_equal(b, ok[i].bytes);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		b = 7;
		assert_int_equal(util_parse_size(bad[i], 0, UINT64_MAX, &b, &err), -EINVAL);
		assert_int_equal(b, 7);
	}
	assert_string_equal(err.msg, "'0x100' is not a size (65536, 512K, 64M, 1.5G)");
	assert_int_equal(util_parse_size("0.5M", 1 << 20, UINT64_MAX, &b, &err), -ERANGE);
	assert_string_equal(err.msg, "'0.5M' is out of range (at least 1M)");
	assert_int_equal(util_parse_size("4", 8, 65528, &b, &err), -ERANGE);
	assert_string_equal(err.msg, "'4' is out of range (8 to 65528)");
	assert_int_equal(util_parse_size("99999999999T", 0, UINT64_MAX, &b, &err), -ERANGE);
	assert_int_equal(b, 7);
}

static void test_parse_integer(void **state)
{
	struct ft_error err = { { 0 }, 0, 0 };
	uint64_t v = 3;

	assert_int_equal(util_parse_integer("99", 1, 1000000, &v, &err), 0);
	assert_int_equal(v, 99);
	assert_int_equal(util_parse_integer("1000000", 1, 1000000, &v, &err), 0);
	assert_int_equal(v, 1000000);
	assert_int_equal(util_parse_integer("0", 0, 10, &v, &err), 0);
	assert_int_equal(v, 0);
	assert_int_equal(util_parse_integer("18446744073709551615", 0, UINT64_MAX, &v, &err), 0);
	assert_true(v == UINT64_MAX);
	v = 3;
	assert_int_equal(util_parse_integer("0", 1, 1000000, &v, &err), -ERANGE);
	assert_string_equal(err.msg, "'0' is out of range (1 to 1000000)");
	assert_int_equal(util_parse_integer("1000001", 1, 1000000, &v, &err), -ERANGE);
	assert_int_equal(util_parse_integer("18446744073709551616", 0, UINT64_MAX, &v, &err),
			 -ERANGE);
	assert_int_equal(util_parse_integer("1.5", 0, 10, &v, &err), -EINVAL);
	assert_string_equal(err.msg, "'1.5' is not a whole number");
	assert_int_equal(util_parse_integer("1k", 0, 10000, &v, &err), -EINVAL);
	assert_int_equal(util_parse_integer("-1", 0, 10, &v, &err), -EINVAL);
	assert_int_equal(util_parse_integer("", 0, 10, &v, &err), -EINVAL);
	assert_int_equal(util_parse_integer("12abc", 0, 100, &v, &err), -EINVAL);
	assert_int_equal(v, 3);
}

static void test_parse_number(void **state)
{
	struct ft_error err = { { 0 }, 0, 0 };
	double v = 3;

	assert_int_equal(util_parse_number("10", 0, 1e6, &v, &err), 0);
	assert_true(v == 10.0);
	assert_int_equal(util_parse_number("0.5", 0, 1e6, &v, &err), 0);
	assert_true(v == 0.5);
	assert_int_equal(util_parse_number(".25", 0, 100, &v, &err), 0);
	assert_true(v == 0.25);
	v = 3;
	assert_int_equal(util_parse_number("2e3", 0, 1e6, &v, &err), -EINVAL);
	assert_string_equal(err.msg, "'2e3' is not a number (0.5, 1, 10)");
	assert_int_equal(util_parse_number("nan", 0, 1e6, &v, &err), -EINVAL);
	assert_int_equal(util_parse_number("-1", 0, 1e6, &v, &err), -EINVAL);
	assert_int_equal(util_parse_number("10x", 0, 1e6, &v, &err), -EINVAL);
	assert_int_equal(util_parse_number("101", 0, 100, &v, &err), -ERANGE);
	assert_string_equal(err.msg, "'101' is out of range (0 to 100)");
	assert_true(v == 3);
}

/* Kernel releases as uname gives them, against 6.12. */
static void test_kernel_before(void **state)
{
	(void)state;
	assert_true(util_kernel_before("6.1.0-18-amd64", 6, 12));
	assert_true(util_kernel_before("5.15.0-91-generic", 6, 12));
	assert_true(util_kernel_before("6.11.9", 6, 12));
	assert_false(util_kernel_before("6.12.0", 6, 12));
	assert_false(util_kernel_before("6.18.44", 6, 12));
	assert_false(util_kernel_before("7.0", 6, 12));
	assert_false(util_kernel_before("", 6, 12));
	assert_false(util_kernel_before("linux", 6, 12));
	assert_false(util_kernel_before(NULL, 6, 12));
}

/*
 * The child of test_mounts_cache(), in a mount namespace of its own: the
 * table is lent, not copied (two borrowers of an unchanged table hold the
 * same one); a tmpfs mounted and unmounted after the table was read shows
 * in the next ft_mounts_acquire() at once (the cache reads a changed table
 * again, into a new one), while a table borrowed before stays as it was
 * until it is released. Returns the failed step, 0 when all held.
 */
static int mounts_cache_child(void)
{
	char dir[] = "/tmp/ft-mounts-XXXXXX";
	const struct ft_mounts *a, *a2, *b = NULL, *c = NULL;
	const struct ft_mount_fuse *fuse;
	size_t n_a;
	int fd, step = 0;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 || !mkdtemp(dir))
		return 1;
	a = ft_mounts_acquire(0);
	a2 = ft_mounts_acquire(0); /* from the cache */
	n_a = a->n_ids;
	if (!a->loaded || a2 != a)
		step = 2;
	else if (mount("none", dir, "tmpfs", 0, "size=4k") < 0)
		step = 3;
	else if ((fd = open(dir, O_PATH | O_CLOEXEC)) < 0)
		step = 4;
	else if ((b = ft_mounts_acquire(0)) == a || b->n_ids != n_a + 1 || a->n_ids != n_a)
		step = 5;
	else if (ft_mounts_fd_check(a, fd, &fuse) != -ENXIO || ft_mounts_fd_check(b, fd, &fuse))
		step = 6;
	else if (close(fd) < 0 || umount(dir) < 0)
		step = 7;
	else if ((c = ft_mounts_acquire(0)) == b || c->n_ids != n_a || b->n_ids != n_a + 1)
		step = 8;
	ft_mounts_release(a);
	ft_mounts_release(a2);
	ft_mounts_release(b);
	ft_mounts_release(c);
	rmdir(dir);
	return step;
}

static void test_mounts_cache(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	if (geteuid() != 0)
		skip(); /* a mount namespace and mounts need root */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(unshare(CLONE_NEWNS) < 0 ? 100 : mounts_cache_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 100)
		skip(); /* no mount namespaces here (a container without CAP_SYS_ADMIN) */
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* First: the heap has not yet grown, nor holds blocks freed by others. */
		cmocka_unit_test(test_keep_freed),
		cmocka_unit_test(test_heap_huge),
		cmocka_unit_test(test_buf_shrink),
		cmocka_unit_test(test_sanitize_escapes),
		cmocka_unit_test(test_sanitize_utf8),
		cmocka_unit_test(test_sanitize_invisible),
		cmocka_unit_test(test_u64map),
		cmocka_unit_test(test_u64map_del),
		cmocka_unit_test(test_idmap),
		cmocka_unit_test(test_big_array),
		cmocka_unit_test(test_strtab),
		cmocka_unit_test(test_basename),
		cmocka_unit_test(test_read_file_max),
		cmocka_unit_test(test_open_regular),
		cmocka_unit_test(test_read_settings),
		cmocka_unit_test(test_outdir),
		cmocka_unit_test(test_notice_once),
		cmocka_unit_test(test_kernel_before),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_mounts_cache),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_integer),
		cmocka_unit_test(test_parse_number),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
