/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the sampler's pure parts: the ring-buffer reader on
 * synthetic buffers (wraparound, records straddling the end, a corrupt
 * header), several rings merged in time order, record decoding into pipeline records (samples, MMAP2 with and
 * without build id, COMM exec, FORK/EXIT, LOST, LOST_SAMPLES, THROTTLE,
 * truncated records), the event fallback rule, and errno -> advice.
 */
#include "config.h"

#include <errno.h>
#include <linux/futex.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "flametop/procmap.h"
#include "flametop/sampler.h"
#include "flametop/symbols.h"
#include "records.h"
#include "types.h"

/* A fake ring: a metadata page and `size` bytes of data. */
struct fake_ring {
	struct perf_event_mmap_page meta;
	unsigned char data[256];
	unsigned char copy[65536];
	struct sampler_ring r;
};

static void fake_init(struct fake_ring *f, uint64_t start)
{
	memset(f, 0, sizeof(*f));
	f->r.meta = &f->meta;
	f->r.data = f->data;
	f->r.size = sizeof(f->data);
	f->r.copy = f->copy;
	f->meta.data_head = start;
	f->meta.data_tail = start;
}

/* Appends a record at data_head, wrapping around the end. */
static void fake_put(struct fake_ring *f, const void *rec, size_t len)
{
	const unsigned char *p = rec;
	size_t i;

	for (i = 0; i < len; i++)
		f->data[(f->meta.data_head + i) % sizeof(f->data)] = p[i];
	f->meta.data_head += len;
}

/* A record of `type` with `words` u64 payload words, each = its index + base. */
static size_t make_record(uint64_t *buf, uint32_t type, size_t words, uint64_t base)
{
	struct perf_event_header h = { type, 0, (uint16_t)(sizeof(h) + words * 8) };
	size_t i;

	memcpy(buf, &h, sizeof(h));
	for (i = 0; i < words; i++)
		buf[1 + i] = base + i;
	return sizeof(h) + words * 8;
}

struct seen {
	uint32_t types[32];
	uint64_t first_word[32];
	uint16_t sizes[32];
	int n;
	int stop_after;
};

static int remember(const struct perf_event_header *h, void *ctx)
{
	struct seen *s = ctx;

	s->types[s->n] = h->type;
	s->sizes[s->n] = h->size;
	memcpy(&s->first_word[s->n], h + 1, 8);
	s->n++;
	return s->stop_after && s->n == s->stop_after ? 42 : 0;
}

static void test_ring_in_order(void **state)
{
	struct fake_ring *f = malloc(sizeof(*f));
	struct seen s = { .n = 0 };
	uint64_t buf[16];
	size_t len;

	fake_init(f, 0);
	len = make_record(buf, 9, 3, 100);
	fake_put(f, buf, len);
	len = make_record(buf, 10, 1, 200);
	fake_put(f, buf, len);
	assert_int_equal(sampler_ring_read(&f->r, remember, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.types[0], 9);
	assert_int_equal(s.first_word[0], 100);
	assert_int_equal(s.types[1], 10);
	assert_int_equal(s.first_word[1], 200);
	assert_int_equal(f->meta.data_tail, f->meta.data_head);
	/* Nothing new: nothing read. */
	assert_int_equal(sampler_ring_read(&f->r, remember, &s), 0);
	assert_int_equal(s.n, 2);
	free(f);
}

static void test_ring_wraparound(void **state)
{
	struct fake_ring *f = malloc(sizeof(*f));
	struct seen s = { .n = 0 };
	uint64_t buf[16];
	size_t len;
	int i;

	/* Start 16 bytes before the end: the 40-byte record straddles it,
	 * and so does the next header for some starts. */
	for (i = 0; i < 5; i++) {
		uint64_t start = sizeof(f->data) * 1000 - 16 - 8 * (uint64_t)i;

		memset(&s, 0, sizeof(s));
		fake_init(f, start);
		len = make_record(buf, 9, 4, 1000 + (uint64_t)i);
		fake_put(f, buf, len);
		len = make_record(buf, 11, 2, 7);
		fake_put(f, buf, len);
		assert_int_equal(sampler_ring_read(&f->r, remember, &s), 0);
		assert_int_equal(s.n, 2);
		assert_int_equal(s.types[0], 9);
		assert_int_equal(s.sizes[0], 40);
		assert_int_equal(s.first_word[0], 1000 + (uint64_t)i);
		assert_int_equal(s.types[1], 11);
		assert_int_equal(s.first_word[1], 7);
		assert_int_equal(f->meta.data_tail, start + 40 + 24);
	}
	free(f);
}

static void test_ring_stop_and_resume(void **state)
{
	struct fake_ring *f = malloc(sizeof(*f));
	struct seen s = { .n = 0, .stop_after = 1 };
	uint64_t buf[16];
	size_t len;

	fake_init(f, 0);
	len = make_record(buf, 9, 1, 1);
	fake_put(f, buf, len);
	fake_put(f, buf, len);
	assert_int_equal(sampler_ring_read(&f->r, remember, &s), 42);
	assert_int_equal(s.n, 1);
	/* The consumed record is released, the other one is kept. */
	assert_int_equal(f->meta.data_tail, 16);
	s.stop_after = 0;
	assert_int_equal(sampler_ring_read(&f->r, remember, &s), 0);
	assert_int_equal(s.n, 2);
	free(f);
}

static void test_ring_corrupt_header(void **state)
{
	struct fake_ring *f = malloc(sizeof(*f));
	struct seen s = { .n = 0 };
	struct perf_event_header bad = { 9, 0, 4 }; /* smaller than a header */
	uint64_t buf[16];
	size_t len;

	fake_init(f, 0);
	len = make_record(buf, 9, 1, 5);
	fake_put(f, buf, len);
	fake_put(f, &bad, sizeof(bad));
	assert_int_equal(sampler_ring_read(&f->r, remember, &s), -EBADMSG);
	assert_int_equal(s.n, 1);
	/* The rest is skipped, so the reader cannot loop on it. */
	assert_int_equal(f->meta.data_tail, f->meta.data_head);

	/* A size running past data_head is as bad. */
	memset(&s, 0, sizeof(s));
	fake_init(f, 0);
	bad.size = 64;
	fake_put(f, &bad, sizeof(bad));
	assert_int_equal(sampler_ring_read(&f->r, remember, &s), -EBADMSG);
	assert_int_equal(s.n, 0);
	free(f);
}

/* --- decoding --- */

struct got {
	struct pipeline_sample sample;
	uint64_t ips[8];
	struct pipeline_mmap mmap;
	char filename[64];
	struct pipeline_comm comm;
	char comm_name[32];
	struct pipeline_task task;
	struct pipeline_lost lost;
	uint64_t throttle_time;
	uint32_t throttle_event;
	int samples, mmaps, comms, tasks, losts, throttles;
};

static int got_sample(void *ctx, const struct pipeline_sample *s)
{
	struct got *g = ctx;

	g->sample = *s;
	memcpy(g->ips, s->ips, s->nr_ips * 8);
	g->samples++;
	return 0;
}

static int got_mmap(void *ctx, const struct pipeline_mmap *m)
{
	struct got *g = ctx;

	g->mmap = *m;
	snprintf(g->filename, sizeof(g->filename), "%s", m->filename);
	g->mmaps++;
	return 0;
}

static int got_comm(void *ctx, const struct pipeline_comm *c)
{
	struct got *g = ctx;

	g->comm = *c;
	snprintf(g->comm_name, sizeof(g->comm_name), "%s", c->comm);
	g->comms++;
	return 0;
}

static int got_task(void *ctx, const struct pipeline_task *t)
{
	struct got *g = ctx;

	g->task = *t;
	g->tasks++;
	return 0;
}

static int got_lost(void *ctx, const struct pipeline_lost *l)
{
	struct got *g = ctx;

	g->lost = *l;
	g->losts++;
	return 0;
}

static int got_throttle(void *ctx, uint64_t time, uint32_t event)
{
	struct got *g = ctx;

	g->throttle_time = time;
	g->throttle_event = event;
	g->throttles++;
	return 0;
}

static const struct pipeline_sink_ops got_ops = {
	.sample = got_sample,
	.mmap = got_mmap,
	.comm = got_comm,
	.task = got_task,
	.lost = got_lost,
	.throttle = got_throttle,
};

static void decoder_init(struct sampler_decoder *d, struct pipeline_sink *sink, struct got *g)
{
	memset(g, 0, sizeof(*g));
	sink->ops = &got_ops;
	sink->ctx = g;
	memset(d, 0, sizeof(*d));
	d->sink = sink;
	u64map_init(&d->id_event);
	u64map_put(&d->id_event, 77 + 1, 2); /* id 77 belongs to event 2 */
}

/* Appends a record of `type` at `time` to `f`, its first word `tag`: a
 * sample's time is its fourth word, a side-band record's third from last. */
static void put_timed(struct fake_ring *f, uint32_t type, uint64_t time, uint64_t tag)
{
	uint64_t buf[6];
	size_t len = make_record(buf, type, 5, 0);

	buf[1] = tag;
	if (type == PERF_RECORD_SAMPLE)
		buf[4] = time;
	else
		buf[3] = time;
	fake_put(f, buf, len);
}

/* A record for put_all(): which ring, then put_timed()'s arguments. */
struct timed {
	int ring;
	uint32_t type;
	uint64_t time, tag;
};

static void put_all(struct fake_ring **f, const struct timed *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		put_timed(f[r[i].ring], r[i].type, r[i].time, r[i].tag);
}

static void merge_init(struct sampler_ring_cursor *c, struct fake_ring **f, size_t n)
{
	size_t i;

	memset(c, 0, n * sizeof(*c));
	for (i = 0; i < n; i++)
		c[i].r = &f[i]->r;
}

/* A process that execs on one CPU and runs on another: its COMM sits in
 * one ring and its samples in the other, and the merge puts each record in
 * time order (a tie: the ring first in the array), whatever ring holds it. */
static void test_ring_merge_order(void **state)
{
	static const struct timed recs[] = {
		{ 0, PERF_RECORD_SAMPLE, 10, 1 }, { 0, PERF_RECORD_COMM, 30, 3 },
		{ 0, PERF_RECORD_SAMPLE, 50, 5 }, { 1, PERF_RECORD_SAMPLE, 5, 0 },
		{ 1, PERF_RECORD_SAMPLE, 20, 2 }, { 1, PERF_RECORD_MMAP2, 30, 4 },
		{ 1, PERF_RECORD_SAMPLE, 60, 6 },
	};
	struct fake_ring *f[3] = { malloc(sizeof(**f)), malloc(sizeof(**f)), malloc(sizeof(**f)) };
	struct sampler_ring_cursor c[3];
	struct seen s = { .n = 0 };
	uint64_t malformed = 0;
	int i;

	fake_init(f[0], 0);
	fake_init(f[1], sizeof(f[1]->data) * 7 - 16); /* its second record straddles the end */
	fake_init(f[2], 0); /* empty */
	put_all(f, recs, ARRAY_SIZE(recs));
	merge_init(c, f, 3);
	assert_int_equal(sampler_ring_merge(c, 3, remember, &s, &malformed), 0);
	assert_int_equal(s.n, 7);
	for (i = 0; i < 7; i++)
		assert_int_equal(s.first_word[i], i);
	assert_int_equal(s.types[3], PERF_RECORD_COMM);
	assert_int_equal(s.types[4], PERF_RECORD_MMAP2);
	assert_int_equal(malformed, 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(f[i]->meta.data_tail, f[i]->meta.data_head);
		free(f[i]);
	}
}

/* A sink that stops the merge: what was handed over is released, the rest
 * stays in its ring and comes next time, still in order. */
static void test_ring_merge_stop(void **state)
{
	static const struct timed recs[] = {
		{ 0, PERF_RECORD_SAMPLE, 10, 0 },
		{ 0, PERF_RECORD_SAMPLE, 30, 2 },
		{ 1, PERF_RECORD_SAMPLE, 20, 1 },
		{ 1, PERF_RECORD_SAMPLE, 40, 3 },
	};
	struct fake_ring *f[2] = { malloc(sizeof(**f)), malloc(sizeof(**f)) };
	struct sampler_ring_cursor c[2];
	struct seen s = { .n = 0, .stop_after = 2 };
	uint64_t malformed = 0;
	int i;

	fake_init(f[0], 0);
	fake_init(f[1], 0);
	put_all(f, recs, ARRAY_SIZE(recs));
	merge_init(c, f, 2);
	assert_int_equal(sampler_ring_merge(c, 2, remember, &s, &malformed), 42);
	assert_int_equal(s.n, 2);
	assert_int_equal(f[0]->meta.data_tail, 48);
	assert_int_equal(f[1]->meta.data_tail, 48);
	s.stop_after = 0;
	merge_init(c, f, 2);
	assert_int_equal(sampler_ring_merge(c, 2, remember, &s, &malformed), 0);
	assert_int_equal(s.n, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(s.first_word[i], i);
	free(f[0]);
	free(f[1]);
}

/* A corrupt ring is skipped from its bad record on and counted; the other
 * rings are read whole. */
static void test_ring_merge_corrupt(void **state)
{
	struct fake_ring *f[2] = { malloc(sizeof(**f)), malloc(sizeof(**f)) };
	struct sampler_ring_cursor c[2];
	struct perf_event_header bad = { PERF_RECORD_SAMPLE, 0, 4 };
	struct seen s = { .n = 0 };
	uint64_t malformed = 0;

	fake_init(f[0], 0);
	fake_init(f[1], 0);
	put_timed(f[0], PERF_RECORD_SAMPLE, 10, 1);
	fake_put(f[0], &bad, sizeof(bad));
	put_timed(f[1], PERF_RECORD_SAMPLE, 5, 0);
	put_timed(f[1], PERF_RECORD_SAMPLE, 20, 2);
	merge_init(c, f, 2);
	assert_int_equal(sampler_ring_merge(c, 2, remember, &s, &malformed), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.first_word[0], 0);
	assert_int_equal(s.first_word[1], 1);
	assert_int_equal(s.first_word[2], 2);
	assert_int_equal(malformed, 1);
	assert_int_equal(f[0]->meta.data_tail, f[0]->meta.data_head);
	assert_int_equal(f[1]->meta.data_tail, f[1]->meta.data_head);
	free(f[0]);
	free(f[1]);
}

struct timeline_seen {
	uint64_t last;
	uint64_t last_of[16];
	int n;
	bool in_order;
};

static int check_times(const struct perf_event_header *h, void *ctx)
{
	struct timeline_seen *t = ctx;
	uint64_t time = sampler_record_time(h), tag;

	memcpy(&tag, h + 1, 8);
	if (time < t->last || time < t->last_of[tag])
		t->in_order = false;
	t->last = t->last_of[tag] = time;
	t->n++;
	return 0;
}

/* Many rings (the heap's own paths): every record comes, in time order. */
static void test_ring_merge_many(void **state)
{
	enum { RINGS = 13, EACH = 5 }; /* 5 records of 48 bytes fill a fake ring */
	struct fake_ring *f[RINGS];
	struct sampler_ring_cursor c[RINGS];
	struct timeline_seen t = { .in_order = true };
	uint64_t malformed = 0, x = 12345;
	size_t i, j;

	for (i = 0; i < RINGS; i++) {
		uint64_t time = 0;

		f[i] = malloc(sizeof(*f[i]));
		fake_init(f[i], 40 * i);
		for (j = 0; j < (i % 4 == 3 ? 0 : EACH); j++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			time += (x >> 33) % 50; /* equal times too */
			put_timed(f[i], j % 2 ? PERF_RECORD_SAMPLE : PERF_RECORD_FORK, time, i);
		}
	}
	merge_init(c, f, RINGS);
	assert_int_equal(sampler_ring_merge(c, RINGS, check_times, &t, &malformed), 0);
	assert_int_equal(t.n, (RINGS - RINGS / 4) * EACH);
	assert_true(t.in_order);
	for (i = 0; i < RINGS; i++) {
		assert_int_equal(f[i]->meta.data_tail, f[i]->meta.data_head);
		free(f[i]);
	}
}

/*
 * A read with a time budget (the explorer's: its keys wait while a busy
 * machine's records are read) stops once the clock is past it, after at
 * least SAMPLER_RING_CLOCK_EVERY records, in the same time order, and
 * says more are left; the rest stay in the rings for the next read. A
 * budget spent as the last record is read leaves nothing more.
 */
static void test_ring_merge_until(void **state)
{
	enum { RINGS = 5, EACH = 5, ALL = RINGS * EACH };
	struct fake_ring *f[RINGS];
	struct sampler_ring_cursor c[RINGS];
	struct seen s = { .n = 0 };
	uint64_t malformed = 0;
	bool more = false;
	size_t i, j;

	for (i = 0; i < RINGS; i++) {
		f[i] = malloc(sizeof(*f[i]));
		fake_init(f[i], 0);
		for (j = 0; j < EACH; j++)
			put_timed(f[i], PERF_RECORD_SAMPLE, 10 * (j * RINGS + i), j * RINGS + i);
	}
	merge_init(c, f, RINGS);
	/* A budget already spent: one clock's worth of records, then back. */
	assert_int_equal(
		sampler_ring_merge_until(c, RINGS, remember, &s, &malformed, 1, &more), 0);
	assert_true(more);
	assert_int_equal(s.n, SAMPLER_RING_CLOCK_EVERY);
	merge_init(c, f, RINGS);
	assert_int_equal(
		sampler_ring_merge_until(c, RINGS, remember, &s, &malformed, 1, &more), 0);
	assert_false(more);
	assert_int_equal(s.n, ALL);
	for (i = 0; i < ALL; i++)
		assert_int_equal(s.first_word[i], i);
	for (i = 0; i < RINGS; i++)
		assert_int_equal(f[i]->meta.data_tail, f[i]->meta.data_head);

	/* Exactly a clock's worth left: read whole, nothing more. */
	s.n = 0;
	for (i = 0; i < SAMPLER_RING_CLOCK_EVERY; i++)
		put_timed(f[i % RINGS], PERF_RECORD_SAMPLE, 1000 + i, i);
	merge_init(c, f, RINGS);
	assert_int_equal(
		sampler_ring_merge_until(c, RINGS, remember, &s, &malformed, 1, &more), 0);
	assert_false(more);
	assert_int_equal(s.n, SAMPLER_RING_CLOCK_EVERY);
	assert_int_equal(malformed, 0);
	for (i = 0; i < RINGS; i++)
		free(f[i]);
}

/* Times from `t0`, tags from `tag`: n records copied into the rounds. */
static void rounds_put(struct sampler_rounds *o, struct fake_ring *f, uint64_t t0, uint64_t tag,
		       int n)
{
	int i;

	for (i = 0; i < n; i++) {
		put_timed(f, PERF_RECORD_SAMPLE, t0 + (uint64_t)i, tag + (uint64_t)i);
		assert_int_equal(sampler_ring_read(&f->r, sampler_rounds_add, o), 0);
	}
}

/*
 * Rounds with a time budget (the explorer's, for offcpu's and the other
 * rules that pair records): a spent budget releases one clock's worth of
 * the records due, in time order, keeps the rest and says more are left;
 * the next release goes on up to the same time (not to the newest added,
 * whose round is not complete), and once it ran whole the next goes on.
 */
static void test_rounds_until(void **state)
{
	struct fake_ring *f = malloc(sizeof(*f));
	struct sampler_rounds o = { 0 };
	struct seen s = { .n = 0 };
	bool more = true;
	int i;

	fake_init(f, 0);
	rounds_put(&o, f, 10, 0, 20);
	assert_int_equal(sampler_rounds_release_until(&o, false, 1, &more, remember, &s), 0);
	assert_false(more);
	assert_int_equal(s.n, 0);
	rounds_put(&o, f, 30, 20, 10);
	/* 20 records due (up to 29): a spent budget releases 16. */
	assert_int_equal(sampler_rounds_release_until(&o, false, 1, &more, remember, &s), 0);
	assert_true(more);
	assert_int_equal(s.n, SAMPLER_RING_CLOCK_EVERY);
	assert_int_equal(o.n, 30 - SAMPLER_RING_CLOCK_EVERY);
	/* The other 4 due, not the next round's. */
	assert_int_equal(sampler_rounds_release_until(&o, false, 1, &more, remember, &s), 0);
	assert_false(more);
	assert_int_equal(s.n, 20);
	/* Then the next round, up to 39. */
	assert_int_equal(sampler_rounds_release_until(&o, false, UINT64_MAX, &more, remember, &s),
			 0);
	assert_false(more);
	assert_int_equal(s.n, 30);
	for (i = 0; i < 30; i++)
		assert_int_equal(s.first_word[i], i);
	assert_int_equal(o.n, 0);
	sampler_rounds_free(&o);
	free(f);
}

/* Counts the records released into the int at ctx. */
static int count_records(const struct perf_event_header *h, void *ctx)
{
	(void)h;
	(*(int *)ctx)++;
	return 0;
}

/* One drain of rings f[0, n) into the rounds, then a release. */
static int drain_rounds(struct sampler_rounds *o, struct fake_ring **f, size_t n, bool last,
			struct seen *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(sampler_ring_read(&f[i]->r, sampler_rounds_add, o), 0);
	return sampler_rounds_release(o, last, remember, s);
}

/*
 * Rounds: a record another ring holds in the first drain (30) must wait
 * for one stamped before it that is written only after that drain read
 * its ring (20), as a switch-in on one CPU must wait for the switch-out
 * record on another. A drain releases what is no later than the newest
 * time of the drain before; the last releases the rest. Within a ring,
 * records written out of time order are sorted; equal times keep the
 * order they were read in, across drains too.
 */
static void test_rounds(void **state)
{
	static const struct timed first[] = {
		{ 0, PERF_RECORD_SAMPLE, 10, 1 },
		{ 0, PERF_RECORD_SAMPLE, 5, 0 }, /* written after a later one */
		{ 1, PERF_RECORD_SWITCH, 30, 4 },
		{ 1, PERF_RECORD_SAMPLE, 40, 5 },
	};
	static const struct timed second[] = {
		{ 0, PERF_RECORD_SWITCH, 20, 2 }, /* stamped before 30, written late */
		{ 0, PERF_RECORD_SAMPLE, 40, 6 }, /* equal to 5's time, read after it */
		{ 1, PERF_RECORD_SAMPLE, 20, 3 },
		{ 1, PERF_RECORD_SAMPLE, 70, 7 },
	};
	struct fake_ring *f[2] = { malloc(sizeof(**f)), malloc(sizeof(**f)) };
	struct sampler_rounds o = { 0 };
	struct seen s = { .n = 0 };
	int i, released;

	fake_init(f[0], 0);
	fake_init(f[1], sizeof(f[1]->data) * 7 - 16); /* records straddle the end */
	put_all(f, first, ARRAY_SIZE(first));
	/* Nothing before the first drain: nothing is released yet. */
	assert_int_equal(drain_rounds(&o, f, 2, false, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(f[1]->meta.data_tail, f[1]->meta.data_head); /* copied out */
	put_all(f, second, ARRAY_SIZE(second));
	/* Up to 40, the newest of the first drain. */
	assert_int_equal(drain_rounds(&o, f, 2, false, &s), 0);
	assert_int_equal(s.n, 7);
	/* An empty drain releases up to 70, the newest of the second. */
	assert_int_equal(drain_rounds(&o, f, 2, false, &s), 0);
	assert_int_equal(s.n, 8);
	for (i = 0; i < 8; i++)
		assert_int_equal(s.first_word[i], i);
	assert_int_equal(s.types[2], PERF_RECORD_SWITCH);
	assert_int_equal(s.types[4], PERF_RECORD_SWITCH);
	assert_int_equal(o.n, 0);
	/* The last drain releases everything, at once. */
	put_timed(f[1], PERF_RECORD_SAMPLE, 90, 9);
	put_timed(f[0], PERF_RECORD_SAMPLE, 80, 8);
	assert_int_equal(drain_rounds(&o, f, 2, true, &s), 0);
	assert_int_equal(s.n, 10);
	assert_int_equal(s.first_word[8], 8);
	assert_int_equal(s.first_word[9], 9);
	assert_int_equal(o.n, 0);
	assert_int_equal(o.len, 0);
	/* A burst's room is given back once released. */
	for (i = 0; i < 4096; i++) {
		put_timed(f[0], PERF_RECORD_SAMPLE, 100, 100); /* 48 bytes */
		assert_int_equal(sampler_ring_read(&f[0]->r, sampler_rounds_add, &o), 0);
	}
	assert_true(o.cap >= 4096 * 48);
	released = 0;
	assert_int_equal(sampler_rounds_release(&o, true, count_records, &released), 0);
	assert_int_equal(released, 4096);
	assert_int_equal(o.len, 0);
	assert_int_equal(o.cap, UTIL_BUF_KEEP);
	sampler_rounds_free(&o);
	free(f[0]);
	free(f[1]);
}

/* A sink that fails: its result comes back, and nothing is kept. */
static void test_rounds_stop(void **state)
{
	struct fake_ring *f = malloc(sizeof(*f));
	struct sampler_rounds o = { 0 };
	struct seen s = { .n = 0, .stop_after = 1 };
	int i;

	fake_init(f, 0);
	for (i = 0; i < 3; i++)
		put_timed(f, PERF_RECORD_SAMPLE, 10 + (uint64_t)i, (uint64_t)i);
	assert_int_equal(drain_rounds(&o, &f, 1, true, &s), 42);
	assert_int_equal(s.n, 1);
	assert_int_equal(o.n, 0);
	s.stop_after = 0;
	put_timed(f, PERF_RECORD_SAMPLE, 20, 7);
	assert_int_equal(drain_rounds(&o, &f, 1, true, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.first_word[1], 7);
	sampler_rounds_free(&o);
	free(f);
}

static void test_decode_sample(void **state)
{
	struct sampler_decoder d;
	struct pipeline_sink sink;
	struct builder b;
	struct got g;

	decoder_init(&d, &sink, &g);
	b_start(&b, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);
	b_u64(&b, 77); /* identifier */
	b_u64(&b, 0x401000); /* ip */
	b_u32x2(&b, 100, 101); /* pid, tid */
	b_u64(&b, 123456789); /* time */
	b_u32x2(&b, 1, 0); /* cpu */
	b_u64(&b, 10101010); /* period */
	b_u64(&b, 3); /* nr */
	b_u64(&b, (uint64_t)PERF_CONTEXT_USER);
	b_u64(&b, 0x401000);
	b_u64(&b, 0x400800);
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(g.samples, 1);
	assert_int_equal(g.sample.pid, 100);
	assert_int_equal(g.sample.tid, 101);
	assert_int_equal(g.sample.time, 123456789);
	assert_int_equal(g.sample.cpu, 1);
	assert_int_equal(g.sample.period, 10101010);
	assert_int_equal(g.sample.event, 2);
	assert_int_equal(g.sample.nr_ips, 3);
	assert_int_equal(g.ips[0], (uint64_t)PERF_CONTEXT_USER);
	assert_int_equal(g.ips[2], 0x400800);

	/* A callchain count larger than the record: skipped, counted. */
	b_start(&b, PERF_RECORD_SAMPLE, 0);
	b_u64(&b, 77);
	b_u64(&b, 1);
	b_u32x2(&b, 1, 1);
	b_u64(&b, 1);
	b_u32x2(&b, 0, 0);
	b_u64(&b, 1);
	b_u64(&b, 1000);
	b_u64(&b, 1);
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(g.samples, 1);
	assert_int_equal(d.malformed, 1);
	u64map_free(&d.id_event);
}

/*
 * -c N: a member whose samples leave the period out (the kernel would
 * otherwise sample a software count at each event): the decoder reads the
 * callchain right after the CPU, and gives each sample N.
 */
static void test_decode_fixed_period(void **state)
{
	struct sampler_member m;
	struct sampler_decoder d;
	struct pipeline_sink sink;
	struct builder b;
	struct got g;

	(void)state;
	decoder_init(&d, &sink, &g);
	memset(&m, 0, sizeof(m));
	m.event = 3;
	m.sample_type = SAMPLER_SAMPLE_TYPE & ~(uint64_t)PERF_SAMPLE_PERIOD;
	m.period = 1000;
	d.members = &m;
	d.nmembers = 1;
	u64map_put(&d.id_event, 77 + 1, 0);
	b_start(&b, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);
	b_u64(&b, 77); /* identifier */
	b_u64(&b, 0x401000); /* ip */
	b_u32x2(&b, 100, 101); /* pid, tid */
	b_u64(&b, 123456789); /* time */
	b_u32x2(&b, 1, 0); /* cpu; no period */
	b_u64(&b, 2); /* nr */
	b_u64(&b, (uint64_t)PERF_CONTEXT_USER);
	b_u64(&b, 0x401000);
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(g.samples, 1);
	assert_int_equal(d.malformed, 0);
	assert_int_equal(g.sample.event, 3);
	assert_int_equal(g.sample.period, 1000);
	assert_int_equal(g.sample.nr_ips, 2);
	assert_int_equal(g.ips[1], 0x401000);
	u64map_free(&d.id_event);
}

static void put_mmap2_body(struct builder *b)
{
	uint32_t prot = 5, flags = 2;

	b_u32x2(b, 200, 201);
	b_u64(b, 0x7f0000000000);
	b_u64(b, 0x21000);
	b_u64(b, 0x1000);
	b_u32x2(b, 8, 1); /* maj, min */
	b_u64(b, 4242); /* ino */
	b_u64(b, 0); /* ino generation */
	b_put(b, &prot, 4);
	b_put(b, &flags, 4);
	b_put(b, "/usr/lib/libfoo.so\0\0\0\0\0\0", 24);
}

/*
 * An MMAP2 record: our events ask for no build id, so it carries the
 * device and inode, and they are read even when the record is marked as
 * carrying a build id (the mark another session's events that ask for
 * build ids leaves on ours, on Linux 6.18).
 */
static void test_decode_mmap2(void **state)
{
	struct sampler_decoder d;
	struct pipeline_sink sink;
	struct builder b;
	struct got g;

	decoder_init(&d, &sink, &g);
	b_start(&b, PERF_RECORD_MMAP2, 0);
	put_mmap2_body(&b);
	b_trailer(&b, 200, 201, 555, 77);
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(g.mmaps, 1);
	assert_int_equal(g.mmap.pid, 200);
	assert_int_equal(g.mmap.start, 0x7f0000000000);
	assert_int_equal(g.mmap.len, 0x21000);
	assert_int_equal(g.mmap.pgoff, 0x1000);
	assert_int_equal(g.mmap.maj, 8);
	assert_int_equal(g.mmap.min, 1);
	assert_int_equal(g.mmap.ino, 4242);
	assert_int_equal(g.mmap.prot, 5);
	assert_int_equal(g.mmap.time, 555);
	assert_string_equal(g.filename, "/usr/lib/libfoo.so");

	b_start(&b, PERF_RECORD_MMAP2, PERF_RECORD_MISC_MMAP_BUILD_ID);
	put_mmap2_body(&b);
	b_trailer(&b, 200, 201, 556, 77);
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(g.mmaps, 2);
	assert_int_equal(g.mmap.maj, 8);
	assert_int_equal(g.mmap.min, 1);
	assert_int_equal(g.mmap.ino, 4242);
	assert_string_equal(g.filename, "/usr/lib/libfoo.so");

	/* A filename without its terminator is refused. */
	b_start(&b, PERF_RECORD_MMAP2, 0);
	put_mmap2_body(&b);
	b.len -= 24;
	b_put(&b, "xxxxxxxxxxxxxxxxxxxxxxxx", 24);
	b_trailer(&b, 200, 201, 556, 77);
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(g.mmaps, 2);
	assert_int_equal(d.malformed, 1);
	u64map_free(&d.id_event);
}

static void test_decode_side_band(void **state)
{
	struct sampler_decoder d;
	struct pipeline_sink sink;
	struct builder b;
	struct got g;

	decoder_init(&d, &sink, &g);
	b_start(&b, PERF_RECORD_COMM, PERF_RECORD_MISC_COMM_EXEC);
	b_u32x2(&b, 300, 300);
	b_put(&b, "worker\0\0", 8);
	b_trailer(&b, 300, 300, 999, 77);
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(g.comms, 1);
	assert_true(g.comm.exec);
	assert_string_equal(g.comm_name, "worker");
	assert_int_equal(g.comm.time, 999);

	b_start(&b, PERF_RECORD_FORK, 0);
	b_u32x2(&b, 301, 300);
	b_u32x2(&b, 302, 300);
	b_u64(&b, 1000);
	b_trailer(&b, 301, 302, 1000, 77);
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(g.tasks, 1);
	assert_false(g.task.exit);
	assert_int_equal(g.task.pid, 301);
	assert_int_equal(g.task.ppid, 300);
	assert_int_equal(g.task.tid, 302);

	b_start(&b, PERF_RECORD_EXIT, 0);
	b_u32x2(&b, 301, 300);
	b_u32x2(&b, 301, 300);
	b_u64(&b, 2000);
	b_trailer(&b, 301, 301, 2000, 77);
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_true(g.task.exit);
	assert_int_equal(g.task.time, 2000);

	b_start(&b, PERF_RECORD_THROTTLE, 0);
	b_u64(&b, 3000);
	b_u64(&b, 77);
	b_u64(&b, 77);
	b_trailer(&b, 0, 0, 3000, 77);
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(g.throttles, 1);
	assert_int_equal(g.throttle_event, 2);
	assert_int_equal(d.throttled, 1);

	/* A COMM record cut before its trailer is skipped. */
	b_start(&b, PERF_RECORD_COMM, 0);
	b_u32x2(&b, 300, 300);
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(g.comms, 1);
	assert_int_equal(d.malformed, 1);
	u64map_free(&d.id_event);
}

static void test_decode_lost(void **state)
{
	struct sampler_decoder d;
	struct pipeline_sink sink;
	struct builder b;
	struct got g;

	decoder_init(&d, &sink, &g);
	b_start(&b, PERF_RECORD_LOST, 0);
	b_u64(&b, 77);
	b_u64(&b, 17);
	b_trailer(&b, 0, 0, 4000, 77);
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(g.losts, 1);
	assert_int_equal(g.lost.lost, 17);
	assert_int_equal(g.lost.event, 2);
	assert_int_equal(g.lost.time, 4000);

	b_start(&b, PERF_RECORD_LOST_SAMPLES, 0);
	b_u64(&b, 5);
	b_trailer(&b, 0, 0, 4001, 77);
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(g.losts, 2);
	assert_int_equal(g.lost.lost, 5);
	assert_int_equal(d.lost, 22);

	/* Types we don't know are ignored, not errors. */
	b_start(&b, 0x7fff, 0);
	b_u64(&b, 1);
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(d.malformed, 0);
	u64map_free(&d.id_event);
}

/* A sink error stops the ring read after that record. */
static int failing_sample(void *ctx, const struct pipeline_sample *s)
{
	return -ENOSPC;
}

static int decode_into(const struct perf_event_header *h, void *ctx)
{
	return sampler_decode(ctx, h);
}

static void test_decode_sink_error(void **state)
{
	static const struct pipeline_sink_ops ops = { .sample = failing_sample };
	struct pipeline_sink sink = { &ops, NULL };
	struct fake_ring *f = malloc(sizeof(*f));
	struct sampler_decoder d;
	struct builder b;

	memset(&d, 0, sizeof(d));
	d.sink = &sink;
	fake_init(f, 0);
	b_start(&b, PERF_RECORD_SAMPLE, 0);
	b_u64(&b, 1);
	b_u64(&b, 1);
	b_u32x2(&b, 1, 1);
	b_u64(&b, 1);
	b_u32x2(&b, 0, 0);
	b_u64(&b, 1);
	b_u64(&b, 0);
	b_done(&b);
	fake_put(f, b.u.bytes, b.len);
	fake_put(f, b.u.bytes, b.len);
	assert_int_equal(sampler_ring_read(&f->r, decode_into, &d), -ENOSPC);
	assert_int_equal(f->meta.data_tail, b.len);
	free(f);
}

static void test_fallback_rule(void **state)
{
	assert_string_equal(sampler_event_fallback(ENOENT, false, SAMPLER_SYSTEM), "cpu-clock");
	assert_string_equal(sampler_event_fallback(EOPNOTSUPP, false, SAMPLER_PIDS), "task-clock");
	assert_string_equal(sampler_event_fallback(ENODEV, false, SAMPLER_COMMAND), "task-clock");
	/* The user's own choice never silently changes. */
	assert_null(sampler_event_fallback(ENOENT, true, SAMPLER_SYSTEM));
	/* Not a missing PMU: no fallback, the real error is reported. */
	assert_null(sampler_event_fallback(EACCES, false, SAMPLER_SYSTEM));
	assert_null(sampler_event_fallback(EMFILE, false, SAMPLER_PIDS));
}

static void test_event_encode(void **state)
{
	struct perf_event_attr attr;
	struct ft_error err = { { 0 }, 0, 0 };
	char *unit = NULL;

	assert_int_equal(sampler_event_encode("cpu-clock", &attr, &unit, &err), 0);
	assert_int_equal(attr.type, PERF_TYPE_SOFTWARE);
	assert_int_equal(attr.config, PERF_COUNT_SW_CPU_CLOCK);
	assert_string_equal(unit, "ns");
	free(unit);
	assert_int_equal(sampler_event_encode("page-faults", &attr, &unit, &err), 0);
	assert_int_equal(attr.config, PERF_COUNT_SW_PAGE_FAULTS);
	assert_string_equal(unit, "count");
	free(unit);
	/* libpfm4 encodes hardware events even where they cannot open. */
	assert_int_equal(sampler_event_encode("cycles", &attr, NULL, &err), 0);
	assert_int_equal(attr.type, PERF_TYPE_HARDWARE);
	assert_int_equal(attr.config, PERF_COUNT_HW_CPU_CYCLES);
	assert_int_equal(sampler_event_encode("no_such_event", &attr, NULL, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "unknown event 'no_such_event'"));
	assert_non_null(strstr(err.msg, "flametop list-events"));
}

/* Writes `text` to ROOT/bus/event_source/devices/PMU/FILE, making the directories. */
static void put_pmu_file(const char *root, const char *pmu, const char *file, const char *text)
{
	char *path = xasprintf("mkdir -p '%s/bus/event_source/devices/%s'", root, pmu);
	FILE *f;

	assert_int_equal(system(path), 0);
	free(path);
	path = xasprintf("%s/bus/event_source/devices/%s/%s", root, pmu, file);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

/*
 * A hybrid CPU, in a fake sysfs: cpu_core (type 4, CPU 0) and cpu_atom
 * (type 10, the other CPUs). A generic hardware event gets each PMU's
 * type in its config's high bits; other events are left alone. Where only
 * one of them is there, the CPU is not hybrid.
 */
static void test_hybrid_encoding(void **state)
{
	char root[] = "/tmp/test_sampler_sysfs.XXXXXX", *cmd;
	struct sampler_pmu pmus[SAMPLER_MAX_HYBRID_PMUS];
	struct ft_error err = { { 0 }, 0, 0 };
	struct perf_event_attr attr;

	(void)state;
	assert_non_null(mkdtemp(root));
	put_pmu_file(root, "cpu_core", "type", "4\n");
	put_pmu_file(root, "cpu_core", "cpus", "0\n");
	assert_int_equal(sampler_hybrid_pmus(root, pmus), 0); /* no cpu_atom */
	put_pmu_file(root, "cpu_atom", "type", "10\n");
	put_pmu_file(root, "cpu_atom", "cpus", "1-1023\n");
	assert_int_equal(sampler_hybrid_pmus(root, pmus), 2);
	assert_string_equal(pmus[0].name, "cpu_core");
	assert_int_equal(pmus[0].type, 4);
	assert_int_equal(pmus[0].ncpus, 1);
	assert_int_equal(pmus[0].cpus[0], 0);
	assert_string_equal(pmus[1].name, "cpu_atom");
	assert_int_equal(pmus[1].type, 10);
	assert_int_equal(pmus[1].ncpus, 1023);
	assert_int_equal(pmus[1].cpus[0], 1);
	sampler_pmus_free(pmus, 2);

	assert_int_equal(sampler_event_encode("cycles", &attr, NULL, &err), 0);
	assert_true(sampler_event_on_pmu(&attr, 10));
	assert_int_equal(attr.type, PERF_TYPE_HARDWARE);
	assert_true(attr.config == ((uint64_t)10 << 32 | PERF_COUNT_HW_CPU_CYCLES));
	/* Already a PMU's: left alone. */
	assert_false(sampler_event_on_pmu(&attr, 4));
	assert_true(attr.config == ((uint64_t)10 << 32 | PERF_COUNT_HW_CPU_CYCLES));
	assert_int_equal(sampler_event_encode("task-clock", &attr, NULL, &err), 0);
	assert_false(sampler_event_on_pmu(&attr, 10));
	assert_int_equal(attr.config, PERF_COUNT_SW_TASK_CLOCK);

	cmd = xasprintf("rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_int_equal(sampler_hybrid_pmus("/nonexistent", pmus), 0);
}

/*
 * On this machine (no hardware PMU) a hybrid sysfs makes cycles two
 * events, one per PMU: named with -e, it is refused in one line naming
 * it; as the default, it falls back to task-clock, one event on every CPU
 * (the other PMU's copy is not opened, or it would fail again).
 */
static void test_hybrid_no_pmu(void **state)
{
	static const char *const cycles[] = { "cycles" };
	static const struct pipeline_sink sink = { NULL, NULL };
	char root[] = "/tmp/test_sampler_sysfs.XXXXXX", *cmd;
	struct ft_error err = { { 0 }, 0, 0 };
	struct sampler_config cfg;
	struct sampler *s;
	pid_t self = getpid();

	(void)state;
	assert_non_null(mkdtemp(root));
	put_pmu_file(root, "cpu_core", "type", "4\n");
	put_pmu_file(root, "cpu_core", "cpus", "0\n");
	put_pmu_file(root, "cpu_atom", "type", "10\n");
	put_pmu_file(root, "cpu_atom", "cpus", "1-1023\n");
	memset(&cfg, 0, sizeof(cfg));
	cfg.target = SAMPLER_PIDS;
	cfg.pids = &self;
	cfg.npids = 1;
	cfg.sysfs_root = root;
	cfg.events = cycles;
	cfg.nevents = 1;
	s = sampler_new(&cfg, &sink, &err);
	if (s) {
		/* A machine with a hardware PMU: the split opened. */
		assert_string_equal(sampler_event_name(s, 0), "cycles");
		sampler_free(s);
	} else {
		print_message("-e cycles: %s\n", err.msg);
		assert_non_null(strstr(err.msg, "cycles"));
		assert_null(strchr(err.msg, '\n'));
	}
	cfg.events = NULL;
	cfg.nevents = 0;
	s = sampler_new(&cfg, &sink, &err);
	if (!s)
		fail_msg("the default event on a hybrid sysfs: %s", err.msg);
	assert_int_equal(sampler_nevents(s), 1);
	print_message("the default event: %s\n", sampler_event_name(s, 0));
	sampler_free(s);

	cmd = xasprintf("rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/*
 * The generic names encode without libpfm4: each exactly as libpfm4
 * encodes it (every field of the attr), and then the other names still
 * go through libpfm4.
 */
static void test_event_encode_generic(void **state)
{
	struct ft_error err = { { 0 }, 0, 0 };
	const char *name;
	size_t i;

	for (i = 0; (name = sampler_event_generic_name(i)) != NULL; i++) {
		struct perf_event_attr ours, pfm;
		char *unit = NULL;

		memset(&ours, 0xa5, sizeof(ours));
		assert_int_equal(sampler_event_encode(name, &ours, &unit, &err), 0);
		assert_int_equal(sampler_event_encode_pfm(name, &pfm, &err), 0);
		if (memcmp(&ours, &pfm, sizeof(ours)) != 0)
			fail_msg("%s: type %u config %#llx here, type %u config %#llx by libpfm4", name,
				 ours.type, (unsigned long long)ours.config, pfm.type,
				 (unsigned long long)pfm.config);
		assert_string_equal(unit, ours.type == PERF_TYPE_SOFTWARE &&
						  (ours.config == PERF_COUNT_SW_CPU_CLOCK ||
						   ours.config == PERF_COUNT_SW_TASK_CLOCK)
					  ? "ns"
					  : "count");
		free(unit);
	}
	assert_true(i >= 10);
	/* A libpfm4 name that is not in the table: perf's name for a hardware cache event. */
	{
		struct perf_event_attr attr;

		assert_int_equal(sampler_event_encode("L1-dcache-load-misses", &attr, NULL, &err), 0);
		assert_int_equal(attr.type, PERF_TYPE_HW_CACHE);
		assert_int_equal(attr.size, sizeof(attr));
	}
}

/*
 * perf_event_open's errors as advice; a permission's depends on the
 * target: whole CPUs take perf_event_paranoid 0, one's own programs 2,
 * another user's process the right to trace it.
 */
static void test_advice(void **state)
{
	static const struct {
		int err;
		const char *event;
		enum sampler_target target;
		const char *has[5], *lacks;
	} cases[] = {
		{ EACCES, "cycles", SAMPLER_SYSTEM,
		  { "system-wide", "perf_event_paranoid", "CAP_PERFMON", "root",
		    "'sysctl kernel.perf_event_paranoid=0'" }, NULL },
		{ EPERM, "cycles", SAMPLER_COMMAND,
		  { "cap_perfmon", "'sysctl kernel.perf_event_paranoid=2'" }, NULL },
		{ EACCES, "cpu-clock", SAMPLER_PIDS,
		  { "another user's process takes root or CAP_SYS_PTRACE" }, "sysctl" },
		{ ENOENT, "cycles", SAMPLER_SYSTEM,
		  { "event cycles is not supported on this machine", "-e cpu-clock" }, NULL },
		{ EOPNOTSUPP, "instructions", SAMPLER_SYSTEM,
		  { "instructions is not supported" }, NULL },
		{ EMFILE, "cpu-clock", SAMPLER_SYSTEM, { "ulimit -n" }, NULL },
		{ ESRCH, "cpu-clock", SAMPLER_PIDS, { "no such process" }, NULL },
		{ EINVAL, "cpu-clock", SAMPLER_SYSTEM, { "perf_event_max_sample_rate" }, NULL },
		{ EIO, "cpu-clock", SAMPLER_SYSTEM, { "cannot open cpu-clock" }, NULL },
	};
	char buf[512];
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		sampler_strerror(cases[i].err, cases[i].event, cases[i].target, buf, sizeof(buf));
		for (k = 0; k < ARRAY_SIZE(cases[i].has) && cases[i].has[k]; k++)
			if (!strstr(buf, cases[i].has[k]))
				fail_msg("case %zu: no '%s' in: %s", i, cases[i].has[k], buf);
		if (cases[i].lacks && strstr(buf, cases[i].lacks))
			fail_msg("case %zu: '%s' in: %s", i, cases[i].lacks, buf);
	}
}

/* A sample record in SAMPLER_SAMPLE_TYPE's layout: USER, `leaf`, `outer`. */
/* A sample's fields up to its period (1), of process 100 on CPU 0. */
static void sample_head(struct builder *b, uint16_t misc, uint64_t id, uint64_t ip, uint32_t tid,
			uint64_t time)
{
	b_start(b, PERF_RECORD_SAMPLE, misc);
	b_u64(b, id);
	b_u64(b, ip);
	b_u32x2(b, 100, tid);
	b_u64(b, time);
	b_u32x2(b, 0, 0);
	b_u64(b, 1); /* period */
}

static const struct perf_event_header *sample_rec(struct builder *b, uint64_t id, uint32_t tid,
						  uint64_t time, uint64_t leaf, uint64_t outer)
{
	sample_head(b, PERF_RECORD_MISC_USER, id, leaf, tid, time);
	b_u64(b, 3);
	b_u64(b, (uint64_t)PERF_CONTEXT_USER);
	b_u64(b, leaf);
	b_u64(b, outer);
	return b_done(b);
}

/* PERF_RECORD_SWITCH: thread `tid` switched in (or out) at `time`. */
static const struct perf_event_header *switch_rec(struct builder *b, uint64_t id, uint32_t tid,
						  uint64_t time, bool out)
{
	b_start(b, PERF_RECORD_SWITCH, out ? PERF_RECORD_MISC_SWITCH_OUT : 0);
	b_trailer(b, 100, tid, time, id);
	return b_done(b);
}

/* PERF_RECORD_EXIT: thread `tid` of process `tid` exited at `time`. */
static const struct perf_event_header *exit_rec(struct builder *b, uint64_t id, uint32_t tid,
						uint64_t time)
{
	b_start(b, PERF_RECORD_EXIT, 0);
	b_u32x2(b, tid, 1);
	b_u32x2(b, tid, 1);
	b_u64(b, time);
	b_trailer(b, tid, tid, time, id);
	return b_done(b);
}

/* The threads of the tests, which exist only in their records. */
static bool test_alive(pid_t tid)
{
	return tid != 66;
}

/* A decoder of one offcpu member, m[0] (whose threads test_alive() keeps
 * alive), id 77 its perf event. */
static void offcpu_decoder(struct sampler_decoder *d, struct sampler_member *m,
			   struct pipeline_sink *sink, struct got *g)
{
	decoder_init(d, sink, g);
	memset(m, 0, sizeof(*m));
	m->event = 1;
	m->sample_type = SAMPLER_SAMPLE_TYPE;
	m->type = &sampler_type_offcpu;
	m->state = type_offcpu_new(NULL);
	type_offcpu_set_alive(m->state, test_alive);
	d->members = m;
	d->nmembers = 1;
	u64map_put(&d->id_event, 77 + 1, 0);
}

/*
 * offcpu's rule through the decoder: a switch-out sample is emitted at the
 * thread's switch-in, weighted by the time between, with its own stack;
 * a switch-in read first (another CPU's ring) still pairs; what is held
 * at stop is flushed; a member sharing the perf event gets the same.
 */
static void test_offcpu_rule(void **state)
{
	struct sampler_member m[2];
	struct sampler_decoder d;
	struct pipeline_sink sink;
	struct builder b;
	struct got g;

	offcpu_decoder(&d, m, &sink, &g);

	assert_int_equal(sampler_decode(&d, sample_rec(&b, 77, 5, 1000, 0x401000, 0x400800)), 0);
	assert_int_equal(sampler_decode(&d, switch_rec(&b, 77, 5, 1500, true)), 0);
	assert_int_equal(g.samples, 0);
	assert_int_equal(sampler_decode(&d, switch_rec(&b, 77, 5, 5000, false)), 0);
	assert_int_equal(g.samples, 1);
	assert_int_equal(g.sample.period, 4000);
	assert_int_equal(g.sample.time, 5000);
	assert_int_equal(g.sample.tid, 5);
	assert_int_equal(g.sample.event, 1);
	assert_int_equal(g.sample.nr_ips, 3);
	assert_int_equal(g.ips[1], 0x401000);
	assert_int_equal(g.ips[2], 0x400800);
	/* A second switch-in without a switch-out: nothing. */
	assert_int_equal(sampler_decode(&d, switch_rec(&b, 77, 5, 6000, false)), 0);
	assert_int_equal(g.samples, 1);

	/* Switch-in first, then its switch-out. */
	assert_int_equal(sampler_decode(&d, switch_rec(&b, 77, 6, 9000, false)), 0);
	assert_int_equal(sampler_decode(&d, sample_rec(&b, 77, 6, 7000, 0x402000, 0x400800)), 0);
	assert_int_equal(g.samples, 2);
	assert_int_equal(g.sample.period, 2000);
	assert_int_equal(g.ips[1], 0x402000);

	/* Held at stop: flushed with the time until then. */
	assert_int_equal(sampler_decode(&d, sample_rec(&b, 77, 7, 10000, 0x403000, 0x400800)), 0);
	assert_int_equal(type_offcpu_flush(m[0].state, 15000, &sink), 0);
	assert_int_equal(g.samples, 3);
	assert_int_equal(g.sample.period, 5000);
	assert_int_equal(g.sample.tid, 7);

	/* A second type on the same perf event (member 1 via next). */
	m[1] = m[0];
	m[1].event = 3;
	m[1].state = type_offcpu_new(NULL);
	m[0].next = 1;
	d.nmembers = 2;
	assert_int_equal(sampler_decode(&d, sample_rec(&b, 77, 8, 20000, 0x404000, 0x400800)), 0);
	assert_int_equal(sampler_decode(&d, switch_rec(&b, 77, 8, 21000, false)), 0);
	assert_int_equal(g.samples, 5);
	assert_int_equal(g.sample.event, 3);
	assert_int_equal(g.sample.period, 1000);

	type_offcpu_free(m[0].state);
	type_offcpu_free(m[1].state);
	u64map_free(&d.id_event);
}

/*
 * A thread that exits: its switch-outs after the exit record (a
 * system-wide recording sees the one into death, and any while the kernel
 * finishes the exit) are no time off the CPU, not at a switch-in nor when
 * sampling stops; what it held before is dropped; a new thread with its id,
 * past the grace, is followed as usual. Every rule gets the exit once,
 * through any member.
 */
static void test_offcpu_exit(void **state)
{
	struct sampler_member m[3];
	struct sampler_decoder d;
	struct pipeline_sink sink;
	struct builder b;
	struct got g;

	decoder_init(&d, &sink, &g);
	memset(m, 0, sizeof(m));
	m[0].event = 1;
	m[0].sample_type = SAMPLER_SAMPLE_TYPE;
	m[0].type = &sampler_type_offcpu;
	m[0].state = type_offcpu_new(NULL);
	/* wall: two members, one state */
	m[1] = m[0];
	m[1].event = 2;
	m[1].type = &sampler_type_wall;
	m[1].state = type_offcpu_new(NULL);
	m[1].role = 1; /* its context-switch member */
	m[2] = m[1];
	m[2].role = 0; /* its clock */
	d.members = m;
	d.nmembers = 3;
	u64map_put(&d.id_event, 77 + 1, 0);
	u64map_put(&d.id_event, 78 + 1, 1);

	/* Switched out, exits (read in time order: its switch-in came first). */
	assert_int_equal(sampler_decode(&d, sample_rec(&b, 77, 5, 1000, 0x401000, 0x400800)), 0);
	assert_int_equal(sampler_decode(&d, switch_rec(&b, 77, 5, 2000, false)), 0);
	assert_int_equal(g.samples, 1);
	assert_int_equal(sampler_decode(&d, exit_rec(&b, 99, 5, 3000)), 0);
	assert_int_equal(g.tasks, 1);
	/* Preempted on its way out (after the exit record), back on the
	 * CPU, then its last switch-out, into death, on either member. */
	assert_int_equal(sampler_decode(&d, sample_rec(&b, 77, 5, 3050, 0x402000, 0x400800)), 0);
	assert_int_equal(sampler_decode(&d, switch_rec(&b, 77, 5, 3080, false)), 0);
	assert_int_equal(sampler_decode(&d, sample_rec(&b, 77, 5, 3100, 0x402000, 0x400800)), 0);
	assert_int_equal(sampler_decode(&d, sample_rec(&b, 78, 5, 3100, 0x402000, 0x400800)), 0);
	assert_int_equal(type_offcpu_flush(m[0].state, 90000, &sink), 0);
	assert_int_equal(type_offcpu_flush(m[1].state, 90000, &sink), 0);
	assert_int_equal(g.samples, 1);

	/* A switch-out held when the thread exits never pairs (a recording
	 * of a process does not see the switch into death). */
	assert_int_equal(sampler_decode(&d, sample_rec(&b, 77, 6, 4000, 0x401000, 0x400800)), 0);
	assert_int_equal(sampler_decode(&d, exit_rec(&b, 99, 6, 4500)), 0);
	assert_int_equal(type_offcpu_flush(m[0].state, 90000, &sink), 0);
	assert_int_equal(g.samples, 1);

	/* A new thread 6 (its id used again, past the grace), whose first
	 * record is a switch-in: followed. */
	assert_int_equal(sampler_decode(&d, switch_rec(&b, 77, 6, 4500 + TYPE_EXIT_GRACE_NS + 10000, false)), 0);
	assert_int_equal(sampler_decode(&d, sample_rec(&b, 77, 6, 4500 + TYPE_EXIT_GRACE_NS + 11000, 0x403000, 0x400800)), 0);
	assert_int_equal(sampler_decode(&d, switch_rec(&b, 77, 6, 4500 + TYPE_EXIT_GRACE_NS + 12500, false)), 0);
	assert_int_equal(g.samples, 2);
	assert_int_equal(g.sample.period, 1500);
	assert_int_equal(g.ips[1], 0x403000);

	type_offcpu_free(m[0].state);
	type_offcpu_free(m[1].state);
	u64map_free(&d.id_event);
}

/*
 * A switch-in lost (a full ring): the held switch-out's own record comes,
 * then the thread runs and is switched out again, of which only the
 * record arrives. The held interval's end is unknown: it is dropped, not
 * paired with the next switch-in, which would count the time the thread
 * ran as time off the CPU; the rule says so. The next interval pairs.
 * A switch-out still held at stop of a thread that is gone (it came back
 * to exit, and that switch-in and its exit record were lost) is dropped
 * too, not counted until the stop; one of a live thread is.
 */
static void test_offcpu_lost_switch_in(void **state)
{
	struct sampler_member m[1];
	struct sampler_decoder d;
	struct pipeline_sink sink;
	struct builder b;
	struct got g;

	offcpu_decoder(&d, m, &sink, &g);

	assert_null(type_offcpu_notice(m[0].state));
	assert_int_equal(sampler_decode(&d, sample_rec(&b, 77, 5, 1000, 0x401000, 0x400800)), 0);
	assert_int_equal(sampler_decode(&d, switch_rec(&b, 77, 5, 1001, true)), 0);
	/* lost: its switch-in at 2000, the sample of its switch-out at 4000 */
	assert_int_equal(sampler_decode(&d, switch_rec(&b, 77, 5, 4001, true)), 0);
	assert_int_equal(sampler_decode(&d, switch_rec(&b, 77, 5, 6000, false)), 0);
	assert_int_equal(g.samples, 0);
	assert_non_null(type_offcpu_notice(m[0].state));
	assert_int_equal(type_offcpu_flush(m[0].state, 90000, &sink), 0);
	assert_int_equal(g.samples, 0);

	/* The next switch-out and switch-in pair as usual. */
	assert_int_equal(sampler_decode(&d, sample_rec(&b, 77, 5, 7000, 0x402000, 0x400800)), 0);
	assert_int_equal(sampler_decode(&d, switch_rec(&b, 77, 5, 7001, true)), 0);
	assert_int_equal(sampler_decode(&d, switch_rec(&b, 77, 5, 8000, false)), 0);
	assert_int_equal(g.samples, 1);
	assert_int_equal(g.sample.period, 1000);
	assert_int_equal(g.ips[1], 0x402000);

	assert_int_equal(sampler_decode(&d, sample_rec(&b, 77, 66, 9000, 0x403000, 0x400800)), 0);
	assert_int_equal(sampler_decode(&d, sample_rec(&b, 77, 5, 9500, 0x404000, 0x400800)), 0);
	assert_int_equal(type_offcpu_flush(m[0].state, 10000, &sink), 0);
	assert_int_equal(g.samples, 2);
	assert_int_equal(g.sample.tid, 5);
	assert_int_equal(g.sample.period, 500);

	type_offcpu_free(m[0].state);
	u64map_free(&d.id_event);
}

/* The reason pseudo-frame of the interval of a switch-out with kernel chain `k` (n addresses). */
static const char *reason_of_chain(struct type_offcpu *o, const uint64_t *k, uint32_t n,
				   bool preempt)
{
	uint64_t ips[16];
	struct pipeline_sample s;
	struct pipeline_sink sink;
	struct got g;

	memset(&g, 0, sizeof(g));
	sink.ops = &got_ops;
	sink.ctx = &g;
	memset(&s, 0, sizeof(s));
	s.nr_ips = 0;
	if (n) {
		ips[s.nr_ips++] = (uint64_t)PERF_CONTEXT_KERNEL;
		memcpy(ips + s.nr_ips, k, n * sizeof(*k));
		s.nr_ips += n;
	}
	ips[s.nr_ips++] = (uint64_t)PERF_CONTEXT_USER;
	ips[s.nr_ips++] = 0x401000;
	s.ips = ips;
	s.pid = s.tid = 9;
	s.time = 1000;
	assert_int_equal(type_offcpu_sample(o, &s, &sink), 0);
	assert_int_equal(type_offcpu_sched(o, 9, 1001, true, preempt, &sink), 0);
	assert_int_equal(type_offcpu_sched(o, 9, 3000, false, false, &sink), 0);
	assert_int_equal(g.samples, 1);
	assert_int_equal(g.sample.period, 2000);
	assert_string_equal(g.sample.leaf_module, "[offcpu]");
	return g.sample.leaf;
}

/* A symbolizer whose kernel symbols are read from a file holding `kallsyms`. */
struct fake_kernel {
	struct procmap *pm;
	struct symbols *symbols;
	char path[32];
};

static void fake_kernel_init(struct fake_kernel *k, const char *kallsyms)
{
	int fd;

	strcpy(k->path, "/tmp/test_sampler_ksyms.XXXXXX");
	fd = mkstemp(k->path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, kallsyms, strlen(kallsyms)), (ssize_t)strlen(kallsyms));
	close(fd);
	k->pm = procmap_new();
	k->symbols = symbols_new(k->pm);
	symbols_set_kallsyms(k->symbols, k->path, NULL);
}

static void fake_kernel_free(struct fake_kernel *k)
{
	symbols_free(k->symbols);
	procmap_free(k->pm);
	unlink(k->path);
}

/*
 * Why a thread left the CPU: the switch record's preempt flag, else the
 * innermost futex or io_schedule function of the kernel stack (found by
 * name among the symbolizer's kernel functions, each running to the next
 * one), else a sleep; no kernel stack or no addresses: blocked, reason
 * unknown. The functions come from the symbolizer's own reading of
 * kallsyms, which it then names kernel frames by: the file is read once.
 */
static void test_offcpu_reasons(void **state)
{
	static const char kallsyms[] = "ffffffff81000000 T _stext\n"
				       "ffffffff81001000 T __pfx_futex_wait\n"
				       "ffffffff81001010 T futex_wait\n"
				       "ffffffff81001200 t futex_wait_setup\n"
				       "ffffffff81001400 T schedule\n"
				       "ffffffff81002000 T io_schedule\n"
				       "ffffffff81002100 T msleep\n"
				       "ffffffff81002200 D some_data\n"
				       "ffffffffc0001000 t __x64_sys_futex_helper\t[mod]\n"
				       "ffffffffc0002000 t after\t[mod]\n"
				       "garbage line\n";
	static const char hidden[] = "0000000000000000 T futex_wait\n"
				     "0000000000000000 T schedule\n";
	const uint64_t lock[] = { 0xffffffff81001408, 0xffffffff81001050, 0xffffffff81000100 };
	const uint64_t io[] = { 0xffffffff81001408, 0xffffffff81002010, 0xffffffff81002150 };
	const uint64_t sleep[] = { 0xffffffff81001408, 0xffffffff81002150 };
	const uint64_t module[] = { 0xffffffff81001408, 0xffffffffc0001100 };
	struct type_offcpu *o;
	struct fake_kernel k;
	struct symbols_frame f;

	(void)state;
	fake_kernel_init(&k, kallsyms);
	o = type_offcpu_new(k.symbols);
	/* Read at the first kernel stack, not before: then gone, the
	 * symbolizer names kernel frames from what it read for the rule. */
	assert_string_equal(reason_of_chain(o, NULL, 0, false), "[blocked]");
	assert_string_equal(reason_of_chain(o, lock, 3, false), "[lock]");
	unlink(k.path);
	symbols_resolve(k.symbols, 1, 0xffffffff81001050, true, &f);
	assert_string_equal(f.name, "futex_wait");
	assert_string_equal(reason_of_chain(o, io, 3, false), "[io]");
	assert_string_equal(reason_of_chain(o, sleep, 2, false), "[sleep]");
	assert_string_equal(reason_of_chain(o, module, 2, false), "[lock]");
	assert_string_equal(reason_of_chain(o, NULL, 0, false), "[blocked]");
	/* Preempted wherever it was, the futex code included. */
	assert_string_equal(reason_of_chain(o, lock, 3, true), "[preempted]");
	assert_string_equal(reason_of_chain(o, NULL, 0, true), "[preempted]");
	assert_int_equal(type_offcpu_load_kernel(o, k.symbols), 4);
	fake_kernel_free(&k);
	/* kptr_restrict: no address, no reason but preemption. */
	fake_kernel_init(&k, hidden);
	assert_int_equal(type_offcpu_load_kernel(o, k.symbols), 0);
	assert_string_equal(reason_of_chain(o, lock, 3, false), "[blocked]");
	fake_kernel_free(&k);
	type_offcpu_free(o);
	/* No symbolizer: no function to look in. */
	o = type_offcpu_new(NULL);
	assert_string_equal(reason_of_chain(o, lock, 3, false), "[blocked]");
	type_offcpu_free(o);
}

/*
 * The threads table: at most `max` threads at once; a released slot goes
 * to the next new thread, emptied but with its buffers; a full table
 * first frees the slots of threads that exited more than the grace ago.
 */
static void test_threads_reuse(void **state)
{
	struct type_threads t;
	struct type_thread *th;
	struct pipeline_sample s;
	uint64_t ips[3] = { (uint64_t)PERF_CONTEXT_USER, 0x401000, 0x400800 };
	uint32_t tid;

	type_threads_init(&t);
	assert_int_equal(t.max, TYPE_MAX_THREADS);
	t.max = 4;
	for (tid = 1; tid <= 4; tid++)
		assert_non_null(type_threads_get(&t, tid, 0));
	assert_null(type_threads_get(&t, 5, 0));
	assert_int_equal(t.dropped, 1);
	/* Thread 2 held a sample, then exited: 5 gets its slot, empty. */
	memset(&s, 0, sizeof(s));
	s.ips = ips;
	s.nr_ips = 3;
	th = type_threads_find(&t, 2);
	type_hold(&th->held, &s);
	th->since = 7;
	type_threads_release(&t, 2);
	assert_null(type_threads_find(&t, 2));
	assert_int_equal(type_threads_live(&t), 3);
	th = type_threads_get(&t, 5, 0);
	assert_non_null(th);
	assert_false(th->held.valid);
	assert_int_equal(th->since, 0);
	assert_int_equal(th->tid, 5);
	assert_non_null(th->held.ips); /* the buffer stays for reuse */
	assert_ptr_equal(type_threads_find(&t, 5), th);
	/* Thread 2 again (a reused id): a slot of its own when one is free. */
	assert_null(type_threads_get(&t, 2, 0));
	/* Thread 3 marked exited at 1000: its slot is kept through the grace... */
	type_threads_find(&t, 3)->exited = 1000;
	assert_null(type_threads_get(&t, 6, 1000 + TYPE_EXIT_GRACE_NS));
	assert_non_null(type_threads_find(&t, 3));
	/* ...and freed for a new thread after it. */
	th = type_threads_get(&t, 6, 1001 + TYPE_EXIT_GRACE_NS);
	assert_non_null(th);
	assert_null(type_threads_find(&t, 3));
	assert_int_equal(type_threads_live(&t), 4);
	type_threads_free(&t);
}

/*
 * More threads than the table holds, each switched out and in once and
 * exiting, one after the other, as a long -a recording of a box that
 * starts short threads sees them: none is dropped. System-wide, a
 * thread's switch into death frees its slot at once; following a process
 * (no such switch), the exits free them once the table is full.
 */
static void test_offcpu_churn(void **state)
{
	uint64_t ips[3] = { (uint64_t)PERF_CONTEXT_USER, 0x401000, 0x400800 };
	struct pipeline_sample s;
	struct pipeline_sink sink;
	struct got g;
	int system;

	for (system = 0; system < 2; system++) {
		struct type_offcpu *o = type_offcpu_new(NULL);
		uint64_t t = 1000;
		uint32_t tid;

		memset(&g, 0, sizeof(g));
		sink.ops = &got_ops;
		sink.ctx = &g;
		memset(&s, 0, sizeof(s));
		s.ips = ips;
		s.nr_ips = 3;
		for (tid = 100; tid < 100 + TYPE_MAX_THREADS + 5000; tid++) {
			s.pid = s.tid = tid;
			s.time = t;
			assert_int_equal(type_offcpu_sample(o, &s, &sink), 0);
			assert_int_equal(type_offcpu_sched(o, tid, t + 500, false, false, &sink),
					 0);
			type_offcpu_exit(o, tid, t + 600);
			if (system) {
				s.time = t + 700;
				assert_int_equal(type_offcpu_sample(o, &s, &sink), 0);
			}
			t += 100000; /* 65536 threads in 6.5 s: past the grace */
		}
		assert_int_equal(g.samples, TYPE_MAX_THREADS + 5000);
		assert_int_equal(g.sample.period, 500);
		assert_null(type_offcpu_notice(o));
		assert_int_equal(type_offcpu_flush(o, t, &sink), 0);
		assert_int_equal(g.samples, TYPE_MAX_THREADS + 5000);
		type_offcpu_free(o);
	}
}

/*
 * An exception's type, from its type_info's mangled name: demangled as a
 * name (classes, namespaces, templates), a builtin kept as it is, GCC's
 * internal-linkage '*' dropped; nothing for what is no mangled name
 * (memory of a hostile target holds anything).
 */
static void test_exception_label(void **state)
{
	char out[300], longname[300];

	assert_int_equal(type_exceptions_label("i", out, sizeof(out)), 0);
	assert_string_equal(out, "[i]");
#ifdef HAVE_LIBIBERTY
	assert_int_equal(type_exceptions_label("St13runtime_error", out, sizeof(out)), 0);
	assert_string_equal(out, "[std::runtime_error]");
	assert_int_equal(type_exceptions_label("N3t1210rare_errorE", out, sizeof(out)), 0);
	assert_string_equal(out, "[t12::rare_error]");
	assert_int_equal(type_exceptions_label("*N12_GLOBAL__N_11EE", out, sizeof(out)), 0);
	assert_string_equal(out, "[(anonymous namespace)::E]");
#else
	assert_int_equal(type_exceptions_label("St13runtime_error", out, sizeof(out)), 0);
	assert_string_equal(out, "[St13runtime_error]");
#endif
	assert_int_equal(type_exceptions_label("", out, sizeof(out)), -1);
	assert_int_equal(type_exceptions_label("St13runtime\033[2J", out, sizeof(out)), -1);
	assert_int_equal(type_exceptions_label("a b", out, sizeof(out)), -1);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(type_exceptions_label(longname, out, sizeof(out)), -1);
}

/*
 * --alloc-sample: without a rate every allocation counts as it is; with
 * one, about one allocation per `rate` bytes is kept, and the kept ones'
 * weights add up to the true bytes and allocations (unbiased, checked over
 * a mix of sizes with a fixed seed, within 5%: more than 4 standard
 * deviations for the class with the fewest samples, 16-byte blocks, about
 * 7,400 of them); an allocation much larger
 * than the rate is always kept, weighing its size.
 */
static void test_alloc_sampling(void **state)
{
	static const uint64_t sizes[] = { 16, 4096, 100000 };
	struct type_alloc_sampler a;
	uint64_t bytes, objects, i, kept = 0, true_bytes[3] = { 0 }, got_bytes[3] = { 0 },
				    true_objects[3] = { 0 }, got_objects[3] = { 0 }, sum = 0;
	int k;

	type_alloc_sampler_init(&a, 0, 1);
	assert_true(type_alloc_sampler_take(&a, 24, &bytes, &objects));
	assert_int_equal(bytes, 24);
	assert_int_equal(objects, 1);

	type_alloc_sampler_init(&a, 65536, 12345);
	for (i = 0; i < 100000; i++)
		sum += type_alloc_sampler_draw(&a);
	assert_in_range(sum / 100000, 65536 * 97 / 100, 65536 * 103 / 100);

	type_alloc_sampler_init(&a, 4096, 42);
	for (i = 0; i < 3000000; i++) {
		k = (int)(i % 3 == 0 ? 2 : i % 3 == 1 ? 1 : 0);
		if (k == 2 && i % 10)
			k = 0; /* the big ones are rarer */
		true_bytes[k] += sizes[k];
		true_objects[k]++;
		if (type_alloc_sampler_take(&a, sizes[k], &bytes, &objects)) {
			kept++;
			got_bytes[k] += bytes;
			got_objects[k] += objects;
			assert_true(bytes >= sizes[k]);
			assert_true(objects >= 1);
		}
	}
	for (k = 0; k < 3; k++) {
		assert_in_range(got_bytes[k], true_bytes[k] * 95 / 100, true_bytes[k] * 105 / 100);
		assert_in_range(got_objects[k], true_objects[k] * 95 / 100,
				true_objects[k] * 105 / 100);
	}
	/* As many kept as the chances say: each allocation had 1 - e^(-size/rate). */
	sum = 0;
	for (k = 0; k < 3; k++)
		sum += (uint64_t)((double)true_objects[k] * -expm1(-(double)sizes[k] / 4096));
	assert_in_range(kept, sum * 97 / 100, sum * 103 / 100);

	type_alloc_sampler_init(&a, 4096, 7);
	for (i = 0; i < 1000; i++) {
		assert_true(type_alloc_sampler_take(&a, 1 << 30, &bytes, &objects));
		assert_int_equal(bytes, 1 << 30);
		assert_int_equal(objects, 1);
	}
}

static uint64_t seen_di;

static int probe_sample(void *st, uint32_t role, const struct pipeline_sample *s,
			const struct type_hit *hit, const struct pipeline_sink *sink)
{
	(void)st;
	(void)role;
	seen_di = hit->regs[TYPE_R_DI];
	return type_emit(sink, s, hit->regs[TYPE_R_DI]);
}

static const struct sampler_type probe_type = { .name = "probe", .sample = probe_sample };

/*
 * A probe at a function's entry, frame-pointer mode: the rule reads its
 * register (rdi), the caller at the stack pointer goes back into the chain
 * after the probed function, and the registers and stack are not passed on.
 */
static void test_entry_probe(void **state)
{
	struct sampler_member m;
	struct sampler_decoder d;
	struct pipeline_sink sink;
	struct builder b;
	struct got g;

	decoder_init(&d, &sink, &g);
	memset(&m, 0, sizeof(m));
	m.sample_type = SAMPLER_SAMPLE_TYPE | PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
	m.regs_user_mask = TYPE_REG_DI | (1ull << 7);
	m.rule_regs = TYPE_REG_DI;
	m.entry = true;
	m.type = &probe_type;
	d.members = &m;
	d.nmembers = 1;
	u64map_put(&d.id_event, 77 + 1, 0);

	b_start(&b, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);
	b_u64(&b, 77);
	b_u64(&b, 0x401000); /* malloc's first instruction */
	b_u32x2(&b, 100, 101);
	b_u64(&b, 1000);
	b_u32x2(&b, 0, 0);
	b_u64(&b, 1);
	b_u64(&b, 3);
	b_u64(&b, (uint64_t)PERF_CONTEXT_USER);
	b_u64(&b, 0x401000);
	b_u64(&b, 0x400800); /* the caller's caller: the walk skipped the caller */
	b_u64(&b, PERF_SAMPLE_REGS_ABI_64);
	b_u64(&b, 4096); /* di: the size asked for */
	b_u64(&b, 0x7ffc0000); /* sp */
	b_u64(&b, 8); /* stack size */
	b_u64(&b, 0x400500); /* [sp]: the return address into the caller */
	b_u64(&b, 8); /* dyn size */
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(d.malformed, 0);
	assert_int_equal(seen_di, 4096);
	assert_int_equal(g.samples, 1);
	assert_int_equal(g.sample.period, 4096);
	assert_int_equal(g.sample.nr_ips, 4);
	assert_int_equal(g.ips[0], (uint64_t)PERF_CONTEXT_USER);
	assert_int_equal(g.ips[1], 0x401000);
	assert_int_equal(g.ips[2], 0x400500);
	assert_int_equal(g.ips[3], 0x400800);
	assert_null(g.sample.user_regs);
	assert_null(g.sample.user_stack);
	u64map_free(&d.id_event);
}

static char seen_text[64];
static bool seen_no_text;

static int text_sample(void *st, uint32_t role, const struct pipeline_sample *s,
		       const struct type_hit *hit, const struct pipeline_sink *sink)
{
	(void)st;
	(void)role;
	seen_no_text = !hit->text;
	snprintf(seen_text, sizeof(seen_text), "%s", hit->text ? hit->text : "");
	return type_emit(sink, s, 1);
}

static const struct sampler_type text_type = { .name = "text", .sample = text_sample };

/*
 * A probe sample with raw data (PERF_SAMPLE_RAW) of `size` bytes, after a
 * one-frame chain: a tracepoint record whose __data_loc at 16 says `loc`,
 * then `text` (`tlen` bytes) at 20, then zeroes up to `size`; the raw size
 * says `claimed` (what a hostile ring could say).
 */
static const struct perf_event_header *raw_rec(struct builder *b, uint32_t loc, const char *text,
					       size_t tlen, uint32_t size, uint32_t claimed)
{
	unsigned char raw[256] = { 0 };

	sample_head(b, PERF_RECORD_MISC_USER, 77, 0x401000, 101, 1000);
	b_u64(b, 1);
	b_u64(b, 0x401000);
	memcpy(raw + 16, &loc, 4);
	memcpy(raw + 20, text, tlen);
	b_put(b, &claimed, 4);
	b_put(b, raw, size);
	return b_done(b);
}

/*
 * The text a probe fetched reaches its rule from the sample's raw data,
 * through its __data_loc; one that points past the data or has no NUL
 * at its end is no text (the sample still counts), and raw data that
 * claims more than the record holds makes the record malformed.
 */
static void test_fetched_text(void **state)
{
	static const char name[] = "St13runtime_error"; /* 18 bytes with its NUL */
	struct sampler_member m;
	struct sampler_decoder d;
	struct pipeline_sink sink;
	struct builder b;
	struct got g;

	(void)state;
	decoder_init(&d, &sink, &g);
	memset(&m, 0, sizeof(m));
	m.sample_type = SAMPLER_SAMPLE_TYPE | PERF_SAMPLE_RAW;
	m.text_loc = 16;
	m.type = &text_type;
	d.members = &m;
	d.nmembers = 1;
	u64map_put(&d.id_event, 77 + 1, 0);

	assert_int_equal(sampler_decode(&d, raw_rec(&b, 18u << 16 | 20, name, 18, 44, 44)), 0);
	assert_false(seen_no_text);
	assert_string_equal(seen_text, name);
	assert_int_equal(g.samples, 1);
	assert_int_equal(g.sample.nr_ips, 1);
	/* Past the raw data: 20 + 30 > 44. */
	assert_int_equal(sampler_decode(&d, raw_rec(&b, 30u << 16 | 20, name, 18, 44, 44)), 0);
	assert_true(seen_no_text);
	assert_int_equal(g.samples, 2);
	/* No NUL at its end: 17 bytes. */
	assert_int_equal(sampler_decode(&d, raw_rec(&b, 17u << 16 | 20, name, 18, 44, 44)), 0);
	assert_true(seen_no_text);
	/* Empty. */
	assert_int_equal(sampler_decode(&d, raw_rec(&b, 0u << 16 | 20, name, 18, 44, 44)), 0);
	assert_true(seen_no_text);
	assert_int_equal(g.samples, 4);
	assert_int_equal(d.malformed, 0);
	/* Raw data longer than the record. */
	assert_int_equal(sampler_decode(&d, raw_rec(&b, 18u << 16 | 20, name, 18, 44, 400)), 0);
	assert_int_equal(d.malformed, 1);
	assert_int_equal(g.samples, 4);
	/* A member without text: none, whatever the raw data holds. */
	m.text_loc = 0;
	assert_int_equal(sampler_decode(&d, raw_rec(&b, 18u << 16 | 20, name, 18, 44, 44)), 0);
	assert_true(seen_no_text);
	assert_int_equal(g.samples, 5);
	u64map_free(&d.id_event);
}

/* A futex entry sample of thread `tid` at `time`: operation `op` in rsi, a stack. */
static const struct perf_event_header *futex_enter_rec(struct builder *b, uint32_t tid,
						       uint64_t time, uint64_t op)
{
	sample_rec(b, 77, tid, time, 0x401000, 0x400800); /* then its registers: */
	b_u64(b, PERF_SAMPLE_REGS_ABI_64);
	b_u64(b, op); /* si */
	return b_done(b);
}

/* A bare futex exit sample (no callchain) of thread `tid` at `time`. */
static const struct perf_event_header *futex_exit_rec(struct builder *b, uint32_t tid,
						      uint64_t time)
{
	sample_head(b, PERF_RECORD_MISC_KERNEL, 78, 0xffffffff81000000, tid, time);
	return b_done(b);
}

/*
 * lock's rule through the decoder, its exits bare (sampled without a
 * stack, so a record without a callchain): a wait is its entry's stack,
 * emitted at its exit and weighted by the time between; a wake's entry
 * (where the kernel took no filter) and its exit make nothing; a bare
 * record cut short is malformed, not read past.
 */
static void test_lock_bare_exit(void **state)
{
	struct sampler_type_target t = { SAMPLER_SYSTEM, NULL, 0, 0, NULL };
	struct sampler_member m[2];
	struct sampler_decoder d;
	struct pipeline_sink sink;
	struct builder b;
	struct got g;
	const struct perf_event_header *h;
	const char *notice;

	decoder_init(&d, &sink, &g);
	memset(m, 0, sizeof(m));
	m[0].event = 1;
	m[0].sample_type = SAMPLER_SAMPLE_TYPE | PERF_SAMPLE_REGS_USER;
	m[0].regs_user_mask = TYPE_REG_SI;
	m[0].rule_regs = TYPE_REG_SI;
	m[0].type = &sampler_type_lock;
	m[0].state = sampler_type_lock.state_new(&t);
	m[0].role = 0; /* its futex entry */
	m[1] = m[0];
	m[1].sample_type = SAMPLER_SAMPLE_TYPE & ~(uint64_t)PERF_SAMPLE_CALLCHAIN;
	m[1].regs_user_mask = m[1].rule_regs = 0;
	m[1].role = 1; /* its futex exit */
	d.members = m;
	d.nmembers = 2;
	u64map_put(&d.id_event, 77 + 1, 0);
	u64map_put(&d.id_event, 78 + 1, 1);
	/* Where tracefs is not mounted, the type says once that it found no
	 * futex_waitv tracepoint; said here, it is not said below. */
	notice = sampler_type_lock.notice(m[0].state);
	if (notice)
		assert_non_null(strstr(notice, "tracepoint"));

	assert_int_equal(sampler_decode(&d, futex_enter_rec(&b, 5, 1000, FUTEX_WAIT_PRIVATE)), 0);
	assert_int_equal(sampler_decode(&d, futex_exit_rec(&b, 5, 5000)), 0);
	assert_int_equal(d.malformed, 0);
	assert_int_equal(g.samples, 1);
	assert_int_equal(g.sample.period, 4000);
	assert_int_equal(g.sample.time, 5000);
	assert_int_equal(g.sample.tid, 5);
	assert_int_equal(g.sample.nr_ips, 3);
	assert_int_equal(g.ips[1], 0x401000);
	assert_int_equal(g.ips[2], 0x400800);

	/* A wake: nothing. */
	assert_int_equal(sampler_decode(&d, futex_enter_rec(&b, 6, 6000, FUTEX_WAKE_PRIVATE)), 0);
	assert_int_equal(sampler_decode(&d, futex_exit_rec(&b, 6, 6100)), 0);
	assert_int_equal(g.samples, 1);

	/* Cut before its period. */
	h = futex_exit_rec(&b, 5, 7000);
	((struct perf_event_header *)h)->size -= 8;
	assert_int_equal(sampler_decode(&d, h), 0);
	assert_int_equal(d.malformed, 1);
	assert_int_equal(g.samples, 1);

	/* Waiting at stop: a live thread's wait so far is counted; one of a
	 * thread that is gone (its futex exit and exit record lost) is not. */
	assert_null(sampler_type_lock.notice(m[0].state));
	assert_int_equal(sampler_decode(&d, futex_enter_rec(&b, (uint32_t)getpid(), 8000,
							     FUTEX_WAIT_PRIVATE)),
			 0);
	assert_int_equal(sampler_decode(&d, futex_enter_rec(&b, 0x7ffffff0, 8500,
							     FUTEX_WAIT_PRIVATE)),
			 0);
	assert_int_equal(sampler_type_lock.flush(m[0].state, 9000, &sink), 0);
	assert_int_equal(g.samples, 2);
	assert_int_equal(g.sample.tid, (uint32_t)getpid());
	assert_int_equal(g.sample.period, 1000);
	assert_non_null(sampler_type_lock.notice(m[0].state));

	sampler_type_lock.state_free(m[0].state);
	u64map_free(&d.id_event);
}

/* --- group reads --- */

/* Every sample a sink got: event, period, thread, leaf. */
struct all {
	struct {
		uint32_t event, tid;
		uint64_t period, time, leaf;
		bool same_stack;
	} s[32];
	int n;
};

static int all_sample(void *ctx, const struct pipeline_sample *s)
{
	struct all *a = ctx;

	assert_true(a->n < 32);
	a->s[a->n].event = s->event;
	a->s[a->n].tid = s->tid;
	a->s[a->n].period = s->period;
	a->s[a->n].time = s->time;
	a->s[a->n].leaf = s->nr_ips > 1 ? s->ips[1] : 0;
	a->s[a->n].same_stack = s->same_stack;
	a->n++;
	return 0;
}

static const struct pipeline_sink_ops all_ops = { .sample = all_sample };

/*
 * A group leader's sample in SAMPLER_SAMPLE_TYPE | PERF_SAMPLE_READ's
 * layout: `nr` {value, id} pairs between the period and the callchain.
 */
static const struct perf_event_header *group_rec(struct builder *b, uint64_t id, uint32_t tid,
						 uint64_t time, uint64_t leaf, uint64_t nr,
						 const uint64_t *values, const uint64_t *ids)
{
	uint64_t i;

	b_start(b, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);
	b_u64(b, id);
	b_u64(b, leaf);
	b_u32x2(b, 100, tid);
	b_u64(b, time);
	b_u32x2(b, 0, 0);
	b_u64(b, 250); /* period */
	b_u64(b, nr);
	for (i = 0; i < nr && i < 8; i++) {
		b_u64(b, values[i]);
		b_u64(b, ids[i]);
	}
	b_u64(b, 3);
	b_u64(b, (uint64_t)PERF_CONTEXT_USER);
	b_u64(b, leaf);
	b_u64(b, 0x400800);
	return b_done(b);
}

/* A decoder for a group of three: the leader (id 10, event 0) reads
 * members 11 (event 1) and 12 (event 2). */
static void group_init(struct sampler_decoder *d, struct pipeline_sink *sink, struct all *a,
		       struct sampler_member *m, bool by_thread)
{
	size_t i;

	memset(a, 0, sizeof(*a));
	sink->ops = &all_ops;
	sink->ctx = a;
	memset(d, 0, sizeof(*d));
	d->sink = sink;
	memset(m, 0, 3 * sizeof(*m));
	for (i = 0; i < 3; i++) {
		m[i].event = (uint32_t)i;
		m[i].sample_type = SAMPLER_SAMPLE_TYPE;
		u64map_put(&d->id_event, 10 + i + 1, (uint32_t)i);
	}
	m[0].sample_type |= PERF_SAMPLE_READ;
	d->members = m;
	d->nmembers = 3;
	d->group_by_thread = by_thread;
}


static _Atomic uint32_t lock_filter_word;

/* Waits on lock_filter_word until it is 1 (its futex calls are its own). */
static void *lock_filter_waiter(void *p)
{
	(void)p;
	while (atomic_load(&lock_filter_word) == 0)
		syscall(SYS_futex, &lock_filter_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	return NULL;
}

/* futex(2) on `word`, counted in *kept when it returns 0 or an error. */
static long lock_filter_call(_Atomic uint32_t *word, int op, uint32_t val,
			     const struct timespec *timeout, unsigned *kept)
{
	long ret = syscall(SYS_futex, word, op, val, timeout, NULL, 0);

	if (ret <= 0)
		(*kept)++;
	return ret;
}

/*
 * lock's tracepoint filters, in this kernel: this thread's futex calls
 * counted through lock's futex entry and exit members (counting, not
 * sampling: a hit the filter drops counts nothing, as it makes no
 * sample). A wait that returns at once (EAGAIN) or times out passes
 * both; a wake that woke a thread, the unlock of every contended lock,
 * passes neither; a wake that woke no one returns 0, as a wait does, and
 * passes the exit's. Needs root and tracefs, else skipped.
 */
static void test_lock_filters(void **state)
{
	struct sampler_type_target t = { SAMPLER_PIDS, NULL, 0, 0, NULL };
	struct sampler_type_member m[SAMPLER_TYPE_MAX_MEMBERS];
	struct timespec tiny = { 0, 1 };
	_Atomic uint32_t other = 0;
	unsigned waits = 0, kept = 0, woke = 0, tries;
	uint64_t count[2];
	struct ft_error err;
	pthread_t waiter;
	int fd[2], i;

	(void)state;
	memset(&err, 0, sizeof(err));
	if (geteuid() != 0)
		skip(); /* not root: the tracepoints cannot be opened */
	if (sampler_type_lock.members(&t, m, &err) < 2) {
		/* No tracefs mounted (a fresh VM may boot without it): what a
		 * user is told, since nothing can be opened. */
		assert_non_null(strstr(err.msg, "mount -t tracefs"));
		return;
	}
	assert_non_null(m[0].filter);
	for (i = 0; i < 2; i++) {
		m[i].attr.size = sizeof(m[i].attr);
		m[i].attr.sample_period = 0; /* counting */
		m[i].attr.disabled = 1;
		fd[i] = (int)syscall(SYS_perf_event_open, &m[i].attr, 0, -1, -1,
				     PERF_FLAG_FD_CLOEXEC);
		if (fd[i] < 0)
			skip(); /* perf_event_paranoid, or no CONFIG_FTRACE_SYSCALLS */
		if (m[i].filter)
			assert_int_equal(ioctl(fd[i], PERF_EVENT_IOC_SET_FILTER, m[i].filter), 0);
	}
	atomic_store(&lock_filter_word, 0);
	assert_int_equal(pthread_create(&waiter, NULL, lock_filter_waiter, NULL), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(ioctl(fd[i], PERF_EVENT_IOC_ENABLE, 0), 0);

	/* Waits that return at once: the value differs, or the time is up. */
	for (i = 0; i < 3; i++) {
		assert_true(lock_filter_call(&other, FUTEX_WAIT_PRIVATE, 1, NULL, &kept) < 0);
		waits++;
	}
	assert_true(lock_filter_call(&other, FUTEX_WAIT_BITSET_PRIVATE, 0, &tiny, &kept) < 0);
	waits++;
	/* Wakes, until one wakes the waiter (each one before woke no one). */
	for (tries = 0; tries < 10000 && !woke; tries++)
		if (lock_filter_call(&lock_filter_word, FUTEX_WAKE_PRIVATE, 1, NULL, &kept) == 1)
			woke++;
		else
			usleep(1000);
	assert_int_equal(woke, 1);
	atomic_store(&lock_filter_word, 1);
	lock_filter_call(&lock_filter_word, FUTEX_WAKE_PRIVATE, 1, NULL, &kept);

	for (i = 0; i < 2; i++) {
		assert_int_equal(ioctl(fd[i], PERF_EVENT_IOC_DISABLE, 0), 0);
		assert_int_equal(read(fd[i], &count[i], sizeof(count[i])), sizeof(count[i]));
		close(fd[i]);
	}
	pthread_join(waiter, NULL);
	assert_int_equal(count[0], waits); /* entries: the waits alone */
	assert_int_equal(count[1], kept); /* exits: all but the wake that woke */
}

/*
 * Each member's count since the previous read of the same counter becomes
 * a sample of its event, with the leader's stack, time and thread; a
 * member that counted nothing makes none; the leader's own value is not
 * a member's. Inherited counters (by thread) are apart per thread; a
 * counter that reads less than before is a new one. The deltas of a
 * counter add up to its last value.
 */
static void test_group_read(void **state)
{
	static const uint64_t ids[3] = { 10, 11, 12 };
	struct sampler_member m[3];
	struct sampler_decoder d;
	struct pipeline_sink sink;
	struct builder b;
	struct all a;
	uint64_t sum = 0;
	int i;

	(void)state;
	group_init(&d, &sink, &a, m, true);
	assert_int_equal(sampler_decode(&d, group_rec(&b, 10, 5, 1000, 0x401000, 3,
						      (const uint64_t[]){ 1000, 50, 0 }, ids)),
			 0);
	assert_int_equal(a.n, 2);
	assert_int_equal(a.s[0].event, 0);
	assert_int_equal(a.s[0].period, 250); /* the leader's own sample */
	assert_int_equal(a.s[1].event, 1);
	assert_int_equal(a.s[1].period, 50);
	assert_int_equal(a.s[1].tid, 5);
	assert_int_equal(a.s[1].time, 1000);
	assert_int_equal(a.s[1].leaf, 0x401000);
	/* The member's sample says it is the leader's stack, so the collect
	 * stage resolves that stack once; the leader's is its own. */
	assert_false(a.s[0].same_stack);
	assert_true(a.s[1].same_stack);

	assert_int_equal(sampler_decode(&d, group_rec(&b, 10, 5, 2000, 0x402000, 3,
						      (const uint64_t[]){ 2000, 80, 7 }, ids)),
			 0);
	assert_int_equal(a.n, 5);
	assert_int_equal(a.s[3].event, 1);
	assert_int_equal(a.s[3].period, 30);
	assert_int_equal(a.s[3].leaf, 0x402000);
	assert_int_equal(a.s[4].event, 2);
	assert_int_equal(a.s[4].period, 7);

	/* Thread 6's inherited counters, under the same ids: its own. */
	assert_int_equal(sampler_decode(&d, group_rec(&b, 10, 6, 3000, 0x403000, 3,
						      (const uint64_t[]){ 300, 20, 0 }, ids)),
			 0);
	assert_int_equal(a.n, 7);
	assert_int_equal(a.s[6].period, 20);
	assert_int_equal(a.s[6].tid, 6);

	/* Thread 5 again: from its 80. */
	assert_int_equal(sampler_decode(&d, group_rec(&b, 10, 5, 4000, 0x401000, 3,
						      (const uint64_t[]){ 2500, 90, 7 }, ids)),
			 0);
	assert_int_equal(a.n, 9);
	assert_int_equal(a.s[8].event, 1);
	assert_int_equal(a.s[8].period, 10);
	for (i = 0; i < a.n; i++)
		if (a.s[i].event == 1 && a.s[i].tid == 5)
			sum += a.s[i].period;
	assert_int_equal(sum, 90);

	/* Less than before: a new thread with that id, counted from 0. */
	assert_int_equal(sampler_decode(&d, group_rec(&b, 10, 5, 5000, 0x401000, 3,
						      (const uint64_t[]){ 10, 5, 7 }, ids)),
			 0);
	assert_int_equal(a.n, 11);
	assert_int_equal(a.s[10].period, 5);

	/* An id of no member is skipped. */
	assert_int_equal(sampler_decode(&d, group_rec(&b, 10, 5, 6000, 0x401000, 2,
						      (const uint64_t[]){ 20, 99 },
						      (const uint64_t[]){ 10, 99 })),
			 0);
	assert_int_equal(a.n, 12);

	/* More values than a group holds, or than the record: malformed, nothing. */
	assert_int_equal(sampler_decode(&d, group_rec(&b, 10, 5, 7000, 0x401000, 100,
						      (const uint64_t[]){ 0, 0, 0, 0, 0, 0, 0, 0 },
						      (const uint64_t[]){ 0, 0, 0, 0, 0, 0, 0, 0 })),
			 0);
	assert_int_equal(a.n, 12);
	assert_int_equal(d.malformed, 1);
	b_start(&b, PERF_RECORD_SAMPLE, 0);
	b_u64(&b, 10);
	b_u64(&b, 1);
	b_u32x2(&b, 1, 5);
	b_u64(&b, 1);
	b_u32x2(&b, 0, 0);
	b_u64(&b, 1);
	b_u64(&b, 3); /* three pairs announced, one there */
	b_u64(&b, 1);
	b_u64(&b, 11);
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(a.n, 12);
	assert_int_equal(d.malformed, 2);
	sampler_decode_free(&d);
	u64map_free(&d.id_event);

	/* System-wide (a counter per CPU, whatever thread runs): one
	 * counter across threads. */
	group_init(&d, &sink, &a, m, false);
	assert_int_equal(sampler_decode(&d, group_rec(&b, 10, 5, 1000, 0x401000, 2,
						      (const uint64_t[]){ 100, 40 }, ids)),
			 0);
	assert_int_equal(sampler_decode(&d, group_rec(&b, 10, 6, 2000, 0x402000, 2,
						      (const uint64_t[]){ 200, 100 }, ids)),
			 0);
	assert_int_equal(a.n, 4);
	assert_int_equal(a.s[3].tid, 6);
	assert_int_equal(a.s[3].period, 60);
	sampler_decode_free(&d);
	u64map_free(&d.id_event);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_in_order),
		cmocka_unit_test(test_ring_wraparound),
		cmocka_unit_test(test_ring_stop_and_resume),
		cmocka_unit_test(test_ring_corrupt_header),
		cmocka_unit_test(test_ring_merge_order),
		cmocka_unit_test(test_ring_merge_stop),
		cmocka_unit_test(test_ring_merge_corrupt),
		cmocka_unit_test(test_ring_merge_many),
		cmocka_unit_test(test_ring_merge_until),
		cmocka_unit_test(test_rounds),
		cmocka_unit_test(test_rounds_stop),
		cmocka_unit_test(test_rounds_until),
		cmocka_unit_test(test_decode_sample),
		cmocka_unit_test(test_decode_mmap2),
		cmocka_unit_test(test_decode_side_band),
		cmocka_unit_test(test_decode_lost),
		cmocka_unit_test(test_decode_sink_error),
		cmocka_unit_test(test_fallback_rule),
		cmocka_unit_test(test_decode_fixed_period),
		cmocka_unit_test(test_event_encode),
		cmocka_unit_test(test_hybrid_encoding),
		cmocka_unit_test(test_hybrid_no_pmu),
		cmocka_unit_test(test_event_encode_generic),
		cmocka_unit_test(test_advice),
		cmocka_unit_test(test_offcpu_rule),
		cmocka_unit_test(test_offcpu_exit),
		cmocka_unit_test(test_offcpu_lost_switch_in),
		cmocka_unit_test(test_offcpu_reasons),
		cmocka_unit_test(test_threads_reuse),
		cmocka_unit_test(test_offcpu_churn),
		cmocka_unit_test(test_exception_label),
		cmocka_unit_test(test_alloc_sampling),
		cmocka_unit_test(test_entry_probe),
		cmocka_unit_test(test_fetched_text),
		cmocka_unit_test(test_lock_bare_exit),
		cmocka_unit_test(test_lock_filters),
		cmocka_unit_test(test_group_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
