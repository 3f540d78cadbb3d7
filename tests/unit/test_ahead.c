/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The session reader's inflate-ahead thread (src/session/ahead.c): it
 * hands over exactly the chunks the file holds, inflated as the reader
 * would inflate them, and nothing it should not: it stops at a damaged
 * chunk, past the inflate budget, and skips what the reader skips, so the
 * reader does those itself. Stopping it never hangs, whatever it waits on.
 */
#include "config.h"

#include <fcntl.h>
#include <libdeflate.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "flametop/profile.h"
#include "flametop/session.h"
#include "flametop/util.h"
#include "../../src/session/ahead.h"
#include "../../src/session/block.h"
#include "../../src/session/format.h"

static char path[] = "/tmp/test_ahead.XXXXXX";

/* A chunk of the file: where it is and what its header says. */
struct chunk {
	uint64_t off;
	uint32_t type, clen, ulen, crc;
};

/*
 * Writes a session of `flushes` flushes of `per_flush` samples over many
 * stacks to `path` (every chunk kind but unknown ones), and returns its
 * chunks (caller frees) and their count.
 */
static struct chunk *write_file(unsigned flushes, unsigned per_flush, size_t *nchunks)
{
	struct profile *p = profile_new();
	struct ft_error err = { 0 };
	struct session_writer *w;
	struct chunk *c = NULL;
	unsigned char *data;
	size_t len, off = SESSION_FILE_HEADER_LEN, n = 0;
	unsigned f, i;

	profile_add_event(p, "cpu-clock", "ns");
	w = session_writer_open(path, true, &err);
	assert_non_null(w);
	for (f = 0; f < flushes; f++) {
		for (i = 0; i < per_flush; i++) {
			char name[32];
			struct profile_sample s = {
				.time = (uint64_t)(f * per_flush + i) * 1000003,
				.weight = 1000000 + (i * 7919) % 4096,
				.pid = 1,
				.tid = 1 + i % 5,
			};

			snprintf(name, sizeof(name), "fn_%u", (i * 31 + f) % 997);
			s.node = profile_intern_node(
				p, PROFILE_ROOT, profile_intern_frame(p, name, "/bin/x", PROFILE_FRAME_USER));
			profile_add_sample(p, &s);
		}
		assert_int_equal(session_writer_flush(w, p), 0);
		profile_clear_samples(p);
	}
	assert_int_equal(session_writer_close(w, p), 0);
	profile_free(p);

	data = (unsigned char *)util_read_file(path, &len);
	assert_non_null(data);
	while (off + SESSION_CHUNK_HEADER_LEN <= len) {
		c = xreallocarray(c, n + 1, sizeof(*c));
		c[n].off = off;
		c[n].type = session_get_u32(data + off);
		c[n].clen = session_get_u32(data + off + 4);
		c[n].ulen = session_get_u32(data + off + 8);
		c[n].crc = session_get_u32(data + off + 12);
		off += SESSION_CHUNK_HEADER_LEN + c[n].clen;
		n++;
	}
	assert_int_equal(off, len);
	free(data);
	*nchunks = n;
	return c;
}

/* What the reader would inflate the chunk `c` of the file to. Caller frees. */
static char *inflate_here(int fd, const struct chunk *c)
{
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	unsigned char *payload = xmalloc(c->clen);
	const char *why = NULL;
	char *text;

	assert_int_equal(pread(fd, payload, c->clen, (off_t)c->off + SESSION_CHUNK_HEADER_LEN),
			 c->clen);
	text = ahead_inflate(d, payload, c->clen, c->ulen, &why);
	assert_non_null(text);
	free(payload);
	libdeflate_free_decompressor(d);
	return text;
}

/* Every type the reader inflates. */
#define ALL_TYPES ((UINT32_C(2) << SESSION_CHUNK_LAST) - 2)

static const struct ahead_budget roomy = { 0, SESSION_READ_INFLATE_BASE,
					   SESSION_READ_INFLATE_RATIO };

static char *take(struct ahead *a, const struct chunk *c)
{
	struct block_decoded *decoded;
	char *text = ahead_take(a, c->off, c->type, c->clen, c->ulen, c->crc, &decoded);

	block_decoded_free(decoded);
	return text;
}

/*
 * Takes the chunks after the header chunk in order from `a`, then stops
 * it: those before chunk `stop` must come from the thread, none after.
 */
static void taken_before(struct ahead *a, const struct chunk *c, size_t n, size_t stop)
{
	size_t i;

	assert_non_null(a);
	for (i = 1; i < n; i++) {
		char *t = take(a, &c[i]);

		if (i < stop)
			assert_non_null(t);
		else
			assert_null(t);
		free(t);
	}
	ahead_stop(a);
}

/* Every chunk after the header chunk comes from the thread, as inflated here. */
static void test_every_chunk(void **state)
{
	size_t n, i;
	struct chunk *c = write_file(40, 2000, &n);
	int fd = open(path, O_RDONLY);
	struct ahead *a;

	assert_true(fd >= 0);
	assert_true(n > 40);
	a = ahead_start(fd, c[1].off, ALL_TYPES, &roomy);
	assert_non_null(a);
	for (i = 1; i < n; i++) {
		char *got = take(a, &c[i]), *want = inflate_here(fd, &c[i]);

		assert_non_null(got);
		assert_memory_equal(got, want, c[i].ulen);
		free(got);
		free(want);
	}
	ahead_stop(a);
	close(fd);
	free(c);
}

/*
 * A samples chunk comes with its columns decoded, as decoding the chunk's
 * own inflated bytes here gives them (block_decode_column): none dropped
 * or given with another chunk's; other chunks come without.
 */
static void test_decoded_columns(void **state)
{
	size_t n, i, k, samples = 0;
	struct chunk *c = write_file(40, 2000, &n);
	int fd = open(path, O_RDONLY);
	struct ahead *a;

	assert_true(fd >= 0);
	a = ahead_start(fd, c[1].off, ALL_TYPES, &roomy);
	assert_non_null(a);
	for (i = 1; i < n; i++) {
		struct block_decoded *d;
		char *got = ahead_take(a, c[i].off, c[i].type, c[i].clen, c[i].ulen, c[i].crc, &d);
		unsigned char *want = (unsigned char *)inflate_here(fd, &c[i]);

		assert_non_null(got);
		if (c[i].type != SESSION_CHUNK_SAMPLES) {
			assert_null(d);
			free(got);
			free(want);
			continue;
		}
		assert_non_null(d);
		assert_true(d->ncols >= 5);
		samples += d->n;
		for (k = 0; k < d->ncols; k++) {
			const struct block_column *col = &d->cols[k];
			struct block_cursor cur = { want + col->off, want + col->off + col->len };
			uint64_t *v = xreallocarray(NULL, d->n, sizeof(*v));

			assert_true(col->off + col->len <= c[i].ulen);
			assert_null(block_decode_column(col->enc, &cur, (size_t)d->n, v));
			assert_null(col->why);
			assert_memory_equal(col->vals, v, d->n * sizeof(*v));
			assert_ptr_equal(block_find(d, col->off, col->len, col->enc, d->n), col);
			free(v);
		}
		block_decoded_free(d);
		free(got);
		free(want);
	}
	assert_int_equal(samples, 40 * 2000);
	ahead_stop(a);
	close(fd);
	free(c);
}

/*
 * Chunks the reader does not take (it skipped them, or failed before) are
 * dropped; one asked for with a header that is not the file's is not
 * handed over; a type not asked for is skipped, the chunks after it
 * still come.
 */
static void test_skips_and_mismatches(void **state)
{
	size_t n;
	struct chunk *c = write_file(10, 500, &n), odd;
	int fd = open(path, O_RDONLY);
	struct ahead *a;
	char *t;

	assert_true(fd >= 0);
	assert_true(n > 12);
	a = ahead_start(fd, c[1].off, ALL_TYPES, &roomy);
	assert_non_null(a);
	t = take(a, &c[5]); /* 1 to 4 dropped */
	assert_non_null(t);
	free(t);
	odd = c[6];
	odd.crc ^= 1;
	assert_null(take(a, &odd));
	t = take(a, &c[7]);
	assert_non_null(t);
	free(t);
	ahead_stop(a);

	/* Samples chunks (type 4) skipped, as a pass for names skips them. */
	a = ahead_start(fd, c[1].off, ALL_TYPES & ~(UINT32_C(1) << SESSION_CHUNK_SAMPLES), &roomy);
	assert_non_null(a);
	for (size_t i = 1; i < n; i++) {
		t = take(a, &c[i]);
		if (c[i].type == SESSION_CHUNK_SAMPLES)
			assert_null(t);
		else
			assert_non_null(t);
		free(t);
	}
	ahead_stop(a);
	close(fd);
	free(c);
}

/* A chunk whose checksum is wrong stops the thread there: the reader
 * finds it itself. */
static void test_stops_at_damage(void **state)
{
	size_t n, bad;
	struct chunk *c = write_file(10, 500, &n);
	int fd = open(path, O_RDWR);
	unsigned char byte;
	uint64_t at;

	assert_true(fd >= 0);
	/* The last byte of its zlib stream's trailer: the data still
	 * inflates, only the checksum tells. */
	bad = n / 2;
	at = c[bad].off + SESSION_CHUNK_HEADER_LEN + c[bad].clen - 1;
	assert_int_equal(pread(fd, &byte, 1, (off_t)at), 1);
	byte ^= 0x40;
	assert_int_equal(pwrite(fd, &byte, 1, (off_t)at), 1);
	taken_before(ahead_start(fd, c[1].off, ALL_TYPES, &roomy), c, n, bad);
	close(fd);
	free(c);
}

/* The thread inflates no more than the reader's budget lets it: here a
 * budget that the first chunks use up. */
static void test_budget(void **state)
{
	size_t n, i, fit = 0;
	struct chunk *c = write_file(10, 500, &n);
	int fd = open(path, O_RDONLY);
	struct ahead_budget tight = { 0, 0, 1 };
	uint64_t used = 0;

	assert_true(fd >= 0);
	/* Inflated bytes at most the file's bytes so far: the first chunks only. */
	for (i = 1; i < n; i++) {
		used += c[i].ulen;
		if (used > c[i].off + SESSION_CHUNK_HEADER_LEN + c[i].clen)
			break;
		fit = i;
	}
	assert_true(fit < n - 1);
	taken_before(ahead_start(fd, c[1].off, ALL_TYPES, &tight), c, n, fit + 1);
	close(fd);
	free(c);
}

/* Stopped while its queue is full, and before it has read anything. */
static void test_stop(void **state)
{
	size_t n;
	struct chunk *c = write_file(200, 4000, &n);
	int fd = open(path, O_RDONLY);
	struct ahead *a;

	assert_true(fd >= 0);
	a = ahead_start(fd, c[1].off, ALL_TYPES, &roomy);
	assert_non_null(a);
	usleep(200000); /* its queue fills (the file inflates to more than a MiB) */
	ahead_stop(a);
	ahead_stop(ahead_start(fd, c[1].off, ALL_TYPES, &roomy));
	ahead_stop(NULL);
	close(fd);
	free(c);
}

static int setup(void **state)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	return unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_chunk),
		cmocka_unit_test(test_decoded_columns),
		cmocka_unit_test(test_skips_and_mismatches),
		cmocka_unit_test(test_stops_at_damage),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_stop),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
