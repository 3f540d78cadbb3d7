/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the timeline: every query is checked against
 * profile_query_top() over the same samples (the reference, which scans
 * samples one by one) on random data, with and without filters, after
 * samples arrived out of order, after tiers coarsened the data, under
 * retention and under a memory ceiling flooded with distinct stacks, and
 * over a day at the default tiers with and without a tight ceiling; live
 * windows against fresh queries; rate series against sample counts;
 * samples added many at a time against the same one at a time; and
 * the duration and size parsers.
 */
#include "config.h"

#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flametop/profile.h"
#include "flametop/timeline.h"

#define SEC UINT64_C(1000000000)
#define MS UINT64_C(1000000)

/* xorshift64*: the same data on every run. */
static uint64_t rng_state = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

/* Each test draws from the same start, whatever ran before it. */
static int reset_rng(void **state)
{
	(void)state;
	rng_state = 88172645463325252ull;
	return 0;
}

static uint32_t rnd_below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

/* A profile with `nstacks` random leaves over 30 functions, 6 threads in 3 processes, 2 events. */
static const uint32_t tids[] = { 100, 101, 200, 201, 300, 301 };
static const char *const comms[] = { "web", "web", "db", "db-io", "cron", "cron" };

static uint32_t random_stack(struct profile *p, uint32_t maxdepth)
{
	uint32_t node = PROFILE_ROOT, d, depth = 1 + rnd_below(maxdepth);
	char name[32];

	for (d = 0; d < depth; d++) {
		snprintf(name, sizeof(name), "f%u", d < 2 ? rnd_below(3) : rnd_below(30));
		node = profile_intern_node(p, node,
					   profile_intern_frame(p, name, "/bin/app", PROFILE_FRAME_USER));
	}
	return node;
}

static struct profile *make_profile(uint32_t *leaves, uint32_t nstacks)
{
	struct profile *p = profile_new();
	uint32_t i;

	for (i = 0; i < ARRAY_SIZE(tids); i++)
		profile_set_thread(p, tids[i] / 100 * 100, tids[i], comms[i]);
	profile_add_event(p, "cycles", "cycles");
	profile_add_event(p, "cpu-clock", "ns");
	for (i = 0; i < nstacks; i++)
		leaves[i] = random_stack(p, 12);
	return p;
}

static struct profile_sample random_sample(const uint32_t *leaves, uint32_t nstacks, uint64_t time)
{
	struct profile_sample s;
	uint32_t th = rnd_below(ARRAY_SIZE(tids));

	memset(&s, 0, sizeof(s));
	s.time = time;
	s.weight = 1 + rnd() % 5000000;
	s.node = leaves[rnd_below(nstacks)];
	s.tid = tids[th];
	s.pid = tids[th] / 100 * 100;
	s.event = (uint16_t)rnd_below(2);
	return s;
}

static void assert_same_top(const struct profile_top *a, const struct profile_top *b)
{
	uint32_t n;
	size_t i;

	assert_int_equal(a->total_weight, b->total_weight);
	assert_int_equal(a->nsamples, b->nsamples);
	assert_int_equal(a->nfns, b->nfns);
	for (i = 0; i < a->nfns; i++) {
		assert_int_equal(a->fns[i].frame, b->fns[i].frame);
		assert_int_equal(a->fns[i].self, b->fns[i].self);
		assert_int_equal(a->fns[i].total, b->fns[i].total);
	}
	for (n = 0; n < a->nnodes || n < b->nnodes; n++)
		assert_int_equal(n < a->nnodes ? a->node_self[n] : 0,
				 n < b->nnodes ? b->node_self[n] : 0);
}

/* timeline_query and profile_query_top agree on `f`. */
static void check_query(struct timeline *t, const struct profile *p, const struct profile_filter *f)
{
	struct profile_top *a = timeline_query(t, f), *b = profile_query_top(p, f);

	assert_same_top(a, b);
	profile_top_free(a);
	profile_top_free(b);
}

static void check_filters(struct timeline *t, struct profile *p, uint64_t from, uint64_t to)
{
	struct profile_filter f;
	regex_t inc, exc;

	assert_int_equal(regcomp(&inc, "^f1[0-9]$", REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regcomp(&exc, "^f2$", REG_EXTENDED | REG_NOSUB), 0);
	profile_filter_init(&f);
	f.from = from;
	f.to = to;
	check_query(t, p, &f);
	f.pid = 200;
	check_query(t, p, &f);
	f.pid = -1;
	f.tid = 301;
	check_query(t, p, &f);
	f.tid = -1;
	f.comm = "db-io";
	check_query(t, p, &f);
	f.comm = "no-such-name";
	check_query(t, p, &f);
	f.comm = "web";
	f.event = 1;
	check_query(t, p, &f);
	f.comm = NULL;
	f.event = 0;
	f.include = &inc;
	check_query(t, p, &f);
	f.event = -1;
	f.exclude = &exc;
	check_query(t, p, &f);
	f.include = NULL;
	check_query(t, p, &f);
	regfree(&inc);
	regfree(&exc);
}

static void config_flat(struct timeline_config *c)
{
	timeline_config_default(c);
	c->ntiers = 0;
	c->retention_ns = 0;
	c->max_memory = (size_t)1 << 30;
}

/* Random samples in random order; windows on whole seconds. */
static void test_query_random(void **state)
{
	uint32_t leaves[300];
	struct profile *p = make_profile(leaves, 300);
	struct timeline_config c;
	struct timeline *t;
	struct profile_sample *s = calloc(20000, sizeof(*s));
	size_t i;

	config_flat(&c);
	t = timeline_new(&c, p);
	for (i = 0; i < 20000; i++)
		s[i] = random_sample(leaves, 300, rnd() % (120 * SEC));
	for (i = 0; i < 20000; i++)
		profile_add_sample(p, &s[i]);
	/* in several batches, some before an advance: sorted and pending entries mix */
	timeline_add(t, s, 5000);
	timeline_advance(t, 60 * SEC);
	timeline_add(t, s + 5000, 15000);
	check_filters(t, p, 0, 0);
	check_filters(t, p, 7 * SEC, 43 * SEC);
	check_filters(t, p, 119 * SEC, 500 * SEC);
	timeline_advance(t, 121 * SEC);
	check_filters(t, p, 30 * SEC, 31 * SEC);
	check_filters(t, p, 0, 120 * SEC);
	/* most of the buckets: the sums of everything, less the others */
	check_filters(t, p, 3 * SEC, 0);
	check_filters(t, p, 0, 100 * SEC);
	check_filters(t, p, 50 * SEC, 111 * SEC);
	free(s);
	timeline_free(t);
	profile_free(p);
}

/* Part of a bucket in the window counts whole; first/last give the span covered. */
static void test_query_span(void **state)
{
	uint32_t leaf;
	struct profile *p = make_profile(&leaf, 1);
	struct timeline *t = timeline_new(NULL, p);
	struct profile_sample s = random_sample(&leaf, 1, 5 * SEC + 900 * MS);
	struct profile_filter f;
	struct profile_top *top;
	struct timeline_stats st;

	timeline_add(t, &s, 1);
	profile_filter_init(&f);
	f.from = 5 * SEC + 100 * MS;
	f.to = 5 * SEC + 200 * MS;
	top = timeline_query(t, &f);
	assert_int_equal(top->nsamples, 1);
	assert_int_equal(top->total_weight, s.weight);
	assert_int_equal(top->first_time, 5 * SEC);
	assert_int_equal(top->last_time, 6 * SEC);
	profile_top_free(top);
	f.from = 6 * SEC;
	f.to = 0;
	top = timeline_query(t, &f);
	assert_int_equal(top->nsamples, 0);
	assert_int_equal(top->nfns, 0);
	profile_top_free(top);
	timeline_stats(t, &st);
	assert_int_equal(st.first, 5 * SEC);
	assert_int_equal(st.last, 6 * SEC);
	assert_int_equal(st.buckets, 1);
	assert_int_equal(st.samples, 1);
	assert_true(st.memory > 0);
	timeline_free(t);
	timeline_free(NULL);
	profile_free(p);
}

/*
 * A fork storm under a small ceiling: every sample from a thread never seen
 * before, so the stream table alone outgrows max_memory. The newest second
 * is still kept and answers a query of it; only older data is dropped.
 */
static void test_memory_streams(void **state)
{
	uint32_t leaf;
	struct profile *p = make_profile(&leaf, 1);
	struct timeline_config c;
	struct timeline *t;
	struct timeline_stats st;
	struct profile_filter f;
	struct profile_top *top;
	uint64_t sec, newest = 0;
	uint32_t i;

	(void)state;
	config_flat(&c);
	c.max_memory = 16 << 10;
	t = timeline_new(&c, p);
	for (sec = 0; sec < 10; sec++) {
		for (i = 0; i < 2000; i++) {
			struct profile_sample s = random_sample(&leaf, 1, sec * SEC + i * MS / 4);

			s.pid = s.tid = (uint32_t)(sec * 2000 + i + 1);
			profile_add_sample(p, &s);
			timeline_add(t, &s, 1);
			if (sec == 9)
				newest++;
		}
		timeline_advance(t, (sec + 1) * SEC);
	}
	timeline_stats(t, &st);
	assert_true(st.dropped > 0);
	assert_true(st.samples >= newest);
	profile_filter_init(&f);
	f.from = 9 * SEC;
	top = timeline_query(t, &f);
	assert_true(top->nsamples >= newest); /* a bucket partly in the window counts whole */
	profile_top_free(top);
	timeline_free(t);
	profile_free(p);
}

static void small_tiers(struct timeline_config *c)
{
	config_flat(c);
	c->tiers[0].age_ns = 10 * SEC;
	c->tiers[0].width_ns = 2 * SEC;
	c->tiers[1].age_ns = 30 * SEC;
	c->tiers[1].width_ns = 10 * SEC;
	c->ntiers = 2;
}

/* Feeds `secs` seconds of samples, advancing each second. */
static void feed(struct timeline *t, struct profile *p, const uint32_t *leaves, uint32_t nstacks,
		 uint64_t from_sec, uint64_t secs, uint32_t per_sec)
{
	struct profile_sample s;
	uint64_t sec;
	uint32_t k;

	for (sec = from_sec; sec < from_sec + secs; sec++) {
		for (k = 0; k < per_sec; k++) {
			s = random_sample(leaves, nstacks, sec * SEC + rnd() % SEC);
			profile_add_sample(p, &s);
			timeline_add(t, &s, 1);
		}
		timeline_advance(t, (sec + 1) * SEC);
	}
}

/* Tiers merge old buckets; totals stay exact in windows on the coarse edges. */
static void test_tiers_exact(void **state)
{
	uint32_t leaves[200];
	struct profile *p = make_profile(leaves, 200);
	struct timeline_config c;
	struct timeline *t;
	struct timeline_stats st;
	struct profile_sample late;

	small_tiers(&c);
	t = timeline_new(&c, p);
	feed(t, p, leaves, 200, 0, 100, 300);
	timeline_stats(t, &st);
	/* [0, 70) in 10 s buckets, [70, 90) in 2 s, [90, 100) in 1 s */
	assert_int_equal(st.buckets, 7 + 10 + 10);
	assert_int_equal(st.samples, 100 * 300);
	check_filters(t, p, 0, 0);
	check_filters(t, p, 20 * SEC, 50 * SEC);
	check_filters(t, p, 76 * SEC, 95 * SEC);

	/* a late sample in the coarse part lands in its bucket */
	late = random_sample(leaves, 200, 33 * SEC);
	profile_add_sample(p, &late);
	timeline_add(t, &late, 1);
	check_filters(t, p, 30 * SEC, 40 * SEC);
	timeline_advance(t, 101 * SEC);
	check_filters(t, p, 0, 0);
	check_filters(t, p, 20 * SEC, 0);
	timeline_free(t);
	profile_free(p);
}

/*
 * Merged buckets hold exactly the samples of the buckets they replace,
 * whether the merge sums each key in one pass or has to split a sum past
 * 2^44 (a key of 3 * 2^42 a second: each second fits one entry, two do
 * not): every window on the coarse edges, and each second's samples, agree
 * with the samples themselves; none is lost or counted twice.
 */
static void test_tiers_sums(void **state)
{
	uint32_t leaves[200];
	struct profile *p = make_profile(leaves, 200);
	struct timeline_config c;
	struct timeline *t;
	struct timeline_stats st;
	struct profile_filter f;
	struct profile_top *top;
	uint64_t sec, heavy_w = 0;
	uint32_t k;

	small_tiers(&c);
	t = timeline_new(&c, p);
	for (sec = 0; sec < 100; sec++) {
		struct profile_sample s[303];

		for (k = 0; k < 300; k++)
			s[k] = random_sample(leaves, 200, sec * SEC + rnd() % SEC);
		for (k = 300; k < 303; k++) {
			s[k] = random_sample(leaves, 200, sec * SEC + rnd() % SEC);
			s[k].node = leaves[0];
			s[k].tid = s[k].pid = 100;
			s[k].event = 0;
			/* seconds 20 to 31 only: the other slots sum in one pass */
			s[k].weight = sec >= 20 && sec < 32 ? (UINT64_C(1) << 42) + k : 1000 + k;
			if (sec >= 20 && sec < 32)
				heavy_w += s[k].weight;
		}
		for (k = 0; k < 303; k++)
			profile_add_sample(p, &s[k]);
		timeline_add(t, s, 150);
		timeline_add(t, s + 150, 153);
		timeline_advance(t, (sec + 1) * SEC);
	}
	timeline_stats(t, &st);
	/* [0, 70) in 10 s buckets, [70, 90) in 2 s, [90, 100) in 1 s */
	assert_int_equal(st.buckets, 7 + 10 + 10);
	assert_int_equal(st.samples, 100 * 303);
	assert_int_equal(st.dropped, 0);
	check_filters(t, p, 0, 0);
	for (sec = 0; sec < 70; sec += 10)
		check_filters(t, p, sec * SEC, (sec + 10) * SEC);
	for (sec = 70; sec < 90; sec += 2)
		check_filters(t, p, sec * SEC, (sec + 2) * SEC);
	/* the heavy key's samples in [20, 40): split, summed exactly */
	profile_filter_init(&f);
	f.from = 20 * SEC;
	f.to = 40 * SEC;
	f.tid = 100;
	f.event = 0;
	top = timeline_query(t, &f);
	assert_true(top->node_self[leaves[0]] >= heavy_w);
	profile_top_free(top);
	timeline_free(t);
	profile_free(p);
}

static void test_retention(void **state)
{
	uint32_t leaves[50];
	struct profile *p = make_profile(leaves, 50);
	struct timeline_config c;
	struct timeline *t;
	struct timeline_stats st;
	struct profile_filter f;
	struct profile_sample old;

	small_tiers(&c);
	c.retention_ns = 45 * SEC;
	t = timeline_new(&c, p);
	feed(t, p, leaves, 50, 0, 100, 200);
	timeline_stats(t, &st);
	/* now 100 s: the 10 s buckets ending at or before 55 s are gone */
	assert_int_equal(st.first, 50 * SEC);
	assert_int_equal(st.dropped + st.samples, 100 * 200);
	assert_int_equal(st.samples, 50 * 200);
	profile_filter_init(&f);
	f.from = st.first;
	check_query(t, p, &f);
	f.from = 0;
	check_filters(t, p, st.first, 0);
	/* all but the oldest bucket: the sums, less what was dropped and that bucket */
	check_filters(t, p, st.first + 10 * SEC, 0);

	old = random_sample(leaves, 50, 20 * SEC);
	timeline_add(t, &old, 1);
	timeline_stats(t, &st);
	assert_int_equal(st.dropped, 50 * 200 + 1);
	assert_int_equal(st.samples, 50 * 200);
	timeline_free(t);
	profile_free(p);
}

/* Each sample a new stack: memory stays under the ceiling, old data coarsens, then goes. */
static void test_memory_flood(void **state)
{
	uint32_t leaf;
	struct profile *p = make_profile(&leaf, 1);
	struct timeline_config c;
	struct timeline *t;
	struct timeline_stats st;
	struct profile_filter f;
	uint64_t sec, added = 0, rates[64], sum = 0;
	size_t i;

	small_tiers(&c);
	c.max_memory = 256 << 10;
	t = timeline_new(&c, p);
	for (sec = 0; sec < 300; sec++) {
		for (i = 0; i < 400; i++) {
			uint32_t node = random_stack(p, 40);
			struct profile_sample s = random_sample(&node, 1, sec * SEC + rnd() % SEC);

			profile_add_sample(p, &s);
			timeline_add(t, &s, 1);
			added++;
		}
		timeline_advance(t, (sec + 1) * SEC);
		timeline_stats(t, &st);
	assert_true(st.memory <= c.max_memory);
		assert_int_equal(st.samples + st.dropped, added);
	}
	assert_true(st.dropped > 0);
	assert_true(st.samples > 0);
	/* what is kept is everything since the first bucket, exactly */
	profile_filter_init(&f);
	f.from = st.first;
	check_query(t, p, &f);
	timeline_rate(t, st.first, st.last, -1, rates, ARRAY_SIZE(rates));
	for (i = 0; i < ARRAY_SIZE(rates); i++)
		sum += rates[i];
	assert_int_equal(sum, st.samples);
	timeline_free(t);
	profile_free(p);
}

/* The ceiling coarsens before it drops: a repeating workload fits after blurring. */
static void test_memory_coarsens_first(void **state)
{
	const uint64_t seed = rng_state;
	uint32_t leaves[400];
	struct profile *p = make_profile(leaves, 400);
	struct timeline_config c;
	struct timeline *t;
	struct timeline_stats st;
	size_t fixed;

	/*
	 * The ceiling: the memory of the same workload unbounded less 40% of
	 * what its buckets take (the tables and the sub-second ring stay).
	 * The tables are those of every key: the samples of 200 s in one
	 * second make them all, in a single bucket. The unbounded run and
	 * the bounded one draw the same stacks and samples (the generator
	 * from the same state): memory grows by steps, so other samples of
	 * the same workload may fit where these do not.
	 */
	config_flat(&c);
	t = timeline_new(&c, p);
	feed(t, p, leaves, 400, 0, 1, 200 * 300);
	timeline_stats(t, &st);
	fixed = st.memory;
	timeline_free(t);
	profile_free(p);
	rng_state = seed;
	p = make_profile(leaves, 400);
	t = timeline_new(&c, p);
	feed(t, p, leaves, 400, 0, 200, 300);
	timeline_stats(t, &st);
	assert_int_equal(st.buckets, 200);
	timeline_free(t);
	profile_free(p);

	rng_state = seed;
	p = make_profile(leaves, 400);
	c.max_memory = st.memory - (st.memory - fixed) * 2 / 5;
	t = timeline_new(&c, p);
	feed(t, p, leaves, 400, 0, 200, 300);
	timeline_stats(t, &st);
	assert_true(st.memory <= c.max_memory);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.first, 0);
	assert_true(st.buckets < 200);
	check_filters(t, p, 0, 0);
	timeline_free(t);
	profile_free(p);
}

#define HOUR (3600 * SEC)

/*
 * Feeds `hours` of `per_sec` samples a second, advancing every simulated
 * minute (the tiers do not depend on how often) and at the end.
 */
static void feed_hours(struct timeline *t, struct profile *p, const uint32_t *leaves,
		       uint32_t nstacks, uint64_t hours, uint32_t per_sec)
{
	uint64_t sec, end = hours * 3600;
	uint32_t k;

	for (sec = 0; sec < end; sec++) {
		for (k = 0; k < per_sec; k++) {
			struct profile_sample s =
				random_sample(leaves, nstacks,
					      sec * SEC + (k * SEC + rnd() % SEC) / per_sec);

			profile_add_sample(p, &s);
			timeline_add(t, &s, 1);
		}
		if ((sec + 1) % 60 == 0)
			timeline_advance(t, (sec + 1) * SEC);
	}
	timeline_advance(t, end * SEC);
}

static void assert_resolution(struct timeline *t, uint64_t from, uint64_t to, uint64_t finest,
			      uint64_t coarsest)
{
	uint64_t lo, hi;

	timeline_resolution(t, from, to, &lo, &hi);
	assert_int_equal(lo, finest);
	assert_int_equal(hi, coarsest);
}

/* timeline_span widens [from, to) to the edges of the buckets it counts. */
static void assert_span(struct timeline *t, uint64_t from, uint64_t to, uint64_t span_from,
			uint64_t span_to)
{
	timeline_span(t, &from, &to);
	assert_int_equal(from, span_from);
	assert_int_equal(to, span_to);
}

/*
 * A live view left running for a day and an hour, at the defaults: the
 * last 15 minutes by the second, then 10 s buckets to 2 hours, then
 * minutes to 6 hours, then 5 minutes; the last 24 hours kept and the hour before them dropped; any
 * window on bucket edges answers exactly, and says how fine it is.
 */
static void test_day(void **state)
{
	uint32_t leaves[50];
	struct profile *p = make_profile(leaves, 50);
	struct timeline_config c;
	struct timeline *t;
	struct timeline_stats st;
	uint64_t now = 25 * HOUR;

	timeline_config_default(&c);
	t = timeline_new(&c, p);
	feed_hours(t, p, leaves, 50, 25, 4);
	timeline_stats(t, &st);
	assert_true(st.memory <= c.max_memory);
	assert_int_equal(st.first, now - 24 * HOUR);
	assert_int_equal(st.last, now);
	assert_int_equal(st.samples, 24 * 3600 * 4);
	assert_int_equal(st.dropped, 3600 * 4);
	/* 15 min of 1 s, 1 h 45 min of 10 s, 4 h of 1 min, 18 h of 5 min */
	assert_int_equal(st.buckets, 15 * 60 + 105 * 6 + 4 * 60 + 18 * 12);

	assert_resolution(t, now - 10 * 60 * SEC, 0, SEC, SEC);
	assert_resolution(t, now - 90 * 60 * SEC, now - 30 * 60 * SEC, 10 * SEC, 10 * SEC);
	assert_resolution(t, now - 5 * HOUR, now - 4 * HOUR, 60 * SEC, 60 * SEC);
	assert_resolution(t, now - 20 * HOUR, now - 19 * HOUR, 300 * SEC, 300 * SEC);
	assert_resolution(t, 0, 0, SEC, 300 * SEC);
	assert_resolution(t, 0, now - 24 * HOUR, 0, 0); /* dropped: nothing there */
	/* A window counts whole buckets, as wide as their tier. */
	assert_span(t, now - 10 * SEC - SEC / 3, now - 2 * SEC - SEC / 2, now - 11 * SEC,
		    now - 2 * SEC);
	assert_span(t, now - 10 * SEC, now - 2 * SEC, now - 10 * SEC, now - 2 * SEC);
	assert_span(t, now - 90 * 60 * SEC + 5 * SEC, now - 30 * 60 * SEC - 1,
		    now - 90 * 60 * SEC, now - 30 * 60 * SEC);
	assert_span(t, now - 5 * HOUR + 90 * SEC, now - 4 * HOUR + SEC, now - 5 * HOUR + 60 * SEC,
		    now - 4 * HOUR + 60 * SEC);
	assert_span(t, 100, 200, 100, 200); /* dropped: no bucket holds either edge */

	check_filters(t, p, now - 20 * HOUR, now - 19 * HOUR);
	check_filters(t, p, now - 3 * HOUR, now - 10 * 60 * SEC);
	check_filters(t, p, now - 24 * HOUR, 0);
	timeline_free(t);
	profile_free(p);
}

/*
 * A day under a ceiling below what the tiers alone keep: the older half
 * of the day gets coarser than the coarsest tier instead of being dropped, the
 * recent minutes keep their seconds, and every sample is still counted.
 */
static void test_day_ceiling(void **state)
{
	uint32_t leaves[50];
	struct profile *p = make_profile(leaves, 50);
	struct timeline_config c;
	struct timeline *t;
	struct timeline_stats st;
	uint64_t now = 24 * HOUR, lo, hi;

	timeline_config_default(&c);
	t = timeline_new(&c, p);
	feed_hours(t, p, leaves, 50, 24, 10);
	timeline_stats(t, &st);
	assert_int_equal(st.dropped, 0);
	timeline_free(t);
	profile_free(p);

	p = make_profile(leaves, 50);
	c.max_memory = st.memory / 4 * 3;
	t = timeline_new(&c, p);
	feed_hours(t, p, leaves, 50, 24, 10);
	timeline_stats(t, &st);
	assert_true(st.memory <= c.max_memory);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.samples, 24 * 3600 * 10);
	assert_int_equal(st.first, 0);
	assert_resolution(t, now - 10 * 60 * SEC, 0, SEC, SEC);
	timeline_resolution(t, 0, 6 * HOUR, &lo, &hi);
	assert_true(lo > c.tiers[c.ntiers - 1].width_ns); /* coarser than any tier */
	check_filters(t, p, 0, 0);
	/* widths divide each other: a multiple of the widest is an edge of every bucket */
	timeline_resolution(t, 0, 18 * HOUR, &lo, &hi);
	check_filters(t, p, 6 * HOUR / hi * hi, 18 * HOUR / hi * hi);
	check_filters(t, p, 2 * HOUR / hi * hi, 0);
	timeline_free(t);
	profile_free(p);
}

/*
 * Sums past 2^44 weight or 2^20 samples per entry stay exact, the samples
 * added one at a time or all at once.
 */
static void test_big_sums(void **state)
{
	uint32_t leaf;
	struct profile *p = make_profile(&leaf, 1);
	struct timeline_config c;
	struct timeline *t;
	struct profile_sample s = random_sample(&leaf, 1, 3 * SEC), *all;
	struct profile_filter f;
	struct profile_top *top;
	uint64_t i, n = (UINT64_C(1) << 20) + 5000;
	int batch;

	config_flat(&c);
	profile_filter_init(&f);
	all = calloc(n + 1, sizeof(*all));
	assert_non_null(all);
	for (batch = 0; batch < 2; batch++) {
		t = timeline_new(&c, p);
		s.time = 3 * SEC;
		s.weight = UINT64_C(3) << 45;
		all[0] = s;
		if (!batch)
			timeline_add(t, &s, 1);
		s.weight = 7;
		for (i = 0; i < n; i++) {
			all[i + 1] = s;
			if (!batch)
				timeline_add(t, &s, 1);
		}
		if (batch)
			timeline_add(t, all, n + 1);
		/* a bucket after it with more entries: a window without it
		 * reads the big one's entries, not the sums less its own */
		for (i = 0; i < 2 * ARRAY_SIZE(tids); i++) {
			struct profile_sample x = s;

			x.time = 5 * SEC;
			x.tid = tids[i / 2];
			x.pid = tids[i / 2] / 100 * 100;
			x.event = (uint16_t)(i % 2);
			timeline_add(t, &x, 1);
		}
		timeline_advance(t, 10 * SEC);
		f.to = 4 * SEC;
		top = timeline_query(t, &f);
		assert_int_equal(top->nsamples, n + 1);
		assert_int_equal(top->total_weight, (UINT64_C(3) << 45) + 7 * n);
		assert_int_equal(top->node_self[leaf], top->total_weight);
		profile_top_free(top);
		timeline_free(t);
	}
	free(all);
	profile_free(p);
}

/* Adds `n` samples of `weight` on `leaf`, thread 0, event `event`, at `time`. */
static void add_same(struct timeline *t, struct profile *p, uint32_t leaf, uint64_t time,
		     uint64_t weight, uint16_t event, uint64_t n)
{
	struct profile_sample s;
	uint64_t i;

	memset(&s, 0, sizeof(s));
	s.time = time;
	s.weight = weight;
	s.node = leaf;
	s.tid = tids[0];
	s.pid = tids[0] / 100 * 100;
	s.event = event;
	for (i = 0; i < n; i++) {
		profile_add_sample(p, &s);
		timeline_add(t, &s, 1);
	}
}

/*
 * Packed buckets read back exactly whatever their entries: weights that
 * are all the same (nothing to code but the counts), that swing from 1
 * to 2^43 within a bucket, that exceed 2^44 (split into entries without
 * a count), a count past 2^20 (split too), keys far apart, and a window
 * of one bucket read from its packed entries, not the running sums.
 */
static void test_packed_extremes(void **state)
{
	uint32_t leaves[2000];
	struct profile *p = make_profile(leaves, 2000);
	struct timeline_config c;
	struct timeline *t;
	uint64_t sec, i;

	config_flat(&c);
	t = timeline_new(&c, p);
	/* every key once, in order: later buckets' keys are spread over all of them */
	for (i = 0; i < 2000; i++)
		add_same(t, p, leaves[i], 0, 1000, 0, 1);
	/* 1 s: one period for every sample, counts from 1 to 60 */
	for (i = 0; i < 600; i++)
		add_same(t, p, leaves[i % 37 * 41], SEC + i * MS, 1001001, 1, 1 + i % 60);
	/* 2 s: weights from 1 to 2^43 in one bucket */
	for (i = 0; i < 3000; i++)
		add_same(t, p, leaves[rnd_below(2000)], 2 * SEC, UINT64_C(1) << rnd_below(44), 0, 1);
	/* 3 s: a weight past 2^44, and a key with more than 2^20 samples */
	add_same(t, p, leaves[5], 3 * SEC, (UINT64_C(5) << 44) + 3, 0, 1);
	add_same(t, p, leaves[7], 3 * SEC + 1, 3, 0, (UINT64_C(1) << 20) + 3);
	add_same(t, p, leaves[1999], 3 * SEC + 2, 2, 0, 1);
	/* 4 s: the first key and the last only */
	add_same(t, p, leaves[0], 4 * SEC, 123456789, 0, 2);
	add_same(t, p, leaves[1999], 4 * SEC, 1, 1, 1);
	/* 5 s: packed and pending entries in one bucket */
	timeline_advance(t, 5 * SEC);
	add_same(t, p, leaves[3], 5 * SEC, 99, 0, 1);
	timeline_advance(t, 6 * SEC);
	add_same(t, p, leaves[3], 5 * SEC + 1, UINT64_C(1) << 50, 0, 1);
	add_same(t, p, leaves[1000], 5 * SEC + 2, 77, 1, 3);
	for (sec = 0; sec < 6; sec++)
		check_filters(t, p, sec * SEC, (sec + 1) * SEC);
	check_filters(t, p, SEC, 5 * SEC);
	timeline_advance(t, 7 * SEC);
	for (sec = 0; sec < 6; sec++)
		check_filters(t, p, sec * SEC, (sec + 1) * SEC);
	check_filters(t, p, 0, 0);
	timeline_free(t);
	profile_free(p);
}

/* timeline_query() of the live window: the last `span` ns before `now`. */
static struct profile_top *query_window(struct timeline *t, const struct profile_filter *lf,
					uint64_t now, uint64_t span)
{
	struct profile_filter f = *lf;

	f.from = now > span ? now - span : 0;
	f.to = 0;
	return timeline_query(t, &f);
}

static void check_live(struct timeline *t, struct timeline_live *l, const struct profile_filter *lf,
		       uint64_t now, uint64_t span)
{
	struct profile_top *q = query_window(t, lf, now, span);

	assert_same_top(timeline_live_top(l), q);
	profile_top_free(q);
}

/* timeline_live_nodes(): the node sums of timeline_query()'s, no functions
 * (when it rebuilt), the same pointer as timeline_live_top(). */
static void check_live_nodes(struct timeline *t, struct timeline_live *l,
			     const struct profile_filter *lf, uint64_t now, uint64_t span)
{
	struct profile_top *q = query_window(t, lf, now, span);
	const struct profile_top *a = timeline_live_nodes(l);

	assert_int_equal(a->total_weight, q->total_weight);
	assert_int_equal(a->nsamples, q->nsamples);
	assert_true(a->nnodes >= q->nnodes);
	assert_memory_equal(a->node_self, q->node_self, q->nnodes * sizeof(*q->node_self));
	assert_memory_equal(a->node_total, q->node_total, q->nnodes * sizeof(*q->node_total));
	assert_true(a->fns_later); /* new samples came: rebuilt */
	assert_int_equal(a->nfns, 0);
	assert_ptr_equal(timeline_live_top(l), a);
	assert_false(a->fns_later);
	assert_same_top(a, q);
	profile_top_free(q);
}

/*
 * Short-lived threads for a minute under a ceiling that holds a few
 * seconds of them: once their buckets are dropped, their streams and keys
 * are forgotten, so memory comes back under the ceiling instead of growing
 * with every thread ever seen. Live windows by process and by name, and
 * queries by thread, stay right across the renumbering.
 */
static void test_memory_streams_compacted(void **state)
{
	uint32_t leaves[20];
	struct profile *p = make_profile(leaves, 20);
	struct timeline_config c;
	struct timeline *t;
	struct timeline_stats st;
	struct timeline_live *lp, *lc;
	struct profile_filter fp, fc, f;
	struct profile_top *top;
	uint64_t sec;
	uint32_t i, tid;

	(void)state;
	config_flat(&c);
	c.max_memory = 256 << 10;
	t = timeline_new(&c, p);
	profile_filter_init(&fp);
	fp.pid = 200;
	lp = timeline_live_new(t, &fp, SEC);
	profile_filter_init(&fc);
	fc.comm = "short";
	lc = timeline_live_new(t, &fc, 2 * SEC);
	for (sec = 0; sec < 60; sec++) {
		for (i = 0; i < 300; i++) {
			struct profile_sample s = random_sample(leaves, 20, sec * SEC + i * MS * 3);

			if (i % 3) {
				s.pid = s.tid = (uint32_t)(100000 + sec * 300 + i);
				profile_set_thread(p, s.pid, s.tid, "short");
			}
			profile_add_sample(p, &s);
			timeline_add(t, &s, 1);
		}
		timeline_advance(t, (sec + 1) * SEC);
		check_live(t, lp, &fp, (sec + 1) * SEC, SEC);
		check_live(t, lc, &fc, (sec + 1) * SEC, 2 * SEC);
	}
	timeline_stats(t, &st);
	assert_true(st.dropped > 0);
	assert_true(st.memory <= c.max_memory);
	/* one of the last second's threads, found by its (renumbered) stream */
	tid = (uint32_t)(100000 + 59 * 300 + 1);
	profile_filter_init(&f);
	f.tid = (int64_t)tid;
	f.from = 59 * SEC;
	top = timeline_query(t, &f);
	assert_int_equal(top->nsamples, 1);
	profile_top_free(top);
	timeline_live_free(lp);
	timeline_live_free(lc);
	timeline_free(t);
	profile_free(p);
}

/*
 * Samples added many at a time (summed by bucket and stack before they
 * reach the buckets) give what the samples say and what adding them one
 * at a time gives: repeats of a stack in a bucket, samples either side of
 * a bucket's edge in turn, late ones into older buckets, more distinct
 * stacks in one bucket than are summed at once, threads, events, weights
 * whose sums pass 2^44 and samples past it alone; queries, live windows,
 * rates and stats.
 */
static void test_batched(void **state)
{
	uint32_t leaves[3000];
	struct profile *p = make_profile(leaves, 3000);
	struct timeline_config c;
	struct timeline *one, *many;
	struct timeline_live *all[2], *recent[2];
	struct profile_filter f, fpid;
	struct timeline_stats s1, s2;
	uint64_t r1[97], r2[97], sec, now = 0;
	size_t i, k, n = 0, cap = 12 * 4000 + 2550;
	struct profile_sample *s = calloc(cap, sizeof(*s));

	assert_non_null(s);
	for (sec = 0; sec < 12; sec++) {
		for (k = 0; k < 4000; k++) {
			uint64_t time = sec * SEC + rnd() % SEC;

			if (k % 8 == 0) /* the last ns of the second, then the next's first */
				time = (sec + 1) * SEC - 1;
			else if (k % 8 == 1)
				time = (sec + 1) * SEC;
			else if (k % 8 == 2 && sec >= 3)
				time -= rnd() % (3 * SEC);
			s[n] = random_sample(leaves, k % 4 == 3 ? 3000 : 40, time);
			if (k % 97 == 0)
				s[n].weight = (UINT64_C(1) << 43) + rnd() % 1000;
			if (k % 1999 == 0)
				s[n].weight = (UINT64_C(5) << 44) + 3;
			n++;
		}
	}
	/* one bucket, every stack: more than are summed at once; and one
	 * stack of one thread whose sum passes 2^44 many times */
	for (k = 0; k < 2500; k++) {
		s[n] = random_sample(leaves, 3000, 13 * SEC + k);
		s[n].node = leaves[k];
		n++;
		if (k % 50 == 0) {
			s[n] = s[0];
			s[n].time = 13 * SEC + k;
			s[n].weight = (UINT64_C(1) << 43) + k;
			n++;
		}
	}
	for (i = 0; i < n; i++)
		profile_add_sample(p, &s[i]);

	config_flat(&c);
	one = timeline_new(&c, p);
	many = timeline_new(&c, p);
	profile_filter_init(&f);
	profile_filter_init(&fpid);
	fpid.pid = 200;
	for (k = 0; k < 2; k++) {
		all[k] = timeline_live_new(k ? many : one, &f, UINT64_MAX);
		recent[k] = timeline_live_new(k ? many : one, &fpid, 3 * SEC);
	}
	for (i = 0; i < n;) {
		size_t m = 1 + rnd_below(6000);

		if (m > n - i)
			m = n - i;
		for (k = i; k < i + m; k++) {
			timeline_add(one, &s[k], 1);
			now = s[k].time > now ? s[k].time : now;
		}
		timeline_add(many, &s[i], m);
		i += m;
		timeline_advance(one, now);
		timeline_advance(many, now);
		assert_same_top(timeline_live_top(all[0]), timeline_live_top(all[1]));
		assert_same_top(timeline_live_top(recent[0]), timeline_live_top(recent[1]));
		check_live(many, all[1], &f, now, UINT64_MAX);
		check_live(many, recent[1], &fpid, now, 3 * SEC);
	}

	timeline_stats(one, &s1);
	timeline_stats(many, &s2);
	assert_int_equal(s2.samples, n);
	assert_int_equal(s2.dropped, 0);
	assert_int_equal(s1.samples, s2.samples);
	assert_int_equal(s1.buckets, s2.buckets);
	assert_int_equal(s1.first, s2.first);
	assert_int_equal(s1.last, s2.last);
	check_filters(many, p, 0, 0);
	for (sec = 0; sec < 14; sec++)
		check_filters(many, p, sec * SEC, (sec + 1) * SEC);
	check_filters(many, p, 2 * SEC, 9 * SEC);
	for (k = 0; k < 3; k++) {
		timeline_rate(one, 0, 14 * SEC, (int)k - 1, r1, ARRAY_SIZE(r1));
		timeline_rate(many, 0, 14 * SEC, (int)k - 1, r2, ARRAY_SIZE(r2));
		assert_memory_equal(r1, r2, sizeof(r1));
	}
	timeline_rate_filter(one, 0, 14 * SEC, &fpid, NULL, r1, ARRAY_SIZE(r1));
	timeline_rate_filter(many, 0, 14 * SEC, &fpid, NULL, r2, ARRAY_SIZE(r2));
	assert_memory_equal(r1, r2, sizeof(r1));
	timeline_free(one);
	timeline_free(many);
	free(s);
	profile_free(p);
}

/*
 * Live windows follow many adds and advances, samples out of order, tier
 * merges inside the window and across its edge, a profile that grows and a
 * thread renamed; a window of everything follows merges and retention's
 * drops.
 */
static void test_live(void **state)
{
	uint32_t leaves[100];
	struct profile *p = make_profile(leaves, 100);
	struct timeline_config c;
	struct timeline *t;
	struct timeline_live *l1, *l2, *l3, *l4, *l5, *l6;
	struct profile_filter f1, f2, f3, f4;
	regex_t inc;
	uint64_t sec, now = 0;
	uint32_t k;

	small_tiers(&c);
	c.retention_ns = 60 * SEC;
	t = timeline_new(&c, p);
	assert_int_equal(regcomp(&inc, "^f[12]", REG_EXTENDED | REG_NOSUB), 0);
	profile_filter_init(&f1);
	profile_filter_init(&f2);
	f2.pid = 100;
	f2.include = &inc;
	profile_filter_init(&f3);
	f3.comm = "db-io";
	profile_filter_init(&f4);
	f4.event = 1;
	l1 = timeline_live_new(t, &f1, 5 * SEC);
	l2 = timeline_live_new(t, &f2, 12 * SEC);
	l3 = timeline_live_new(t, &f3, 3 * SEC);
	l4 = timeline_live_new(t, &f4, 45 * SEC); /* spans tier merges */
	l5 = timeline_live_new(t, &f1, UINT64_MAX); /* everything: merges and drops */
	l6 = timeline_live_new(t, &f1, 19 * SEC / 2); /* its edge inside 2 s slots merged */
	check_live(t, l1, &f1, 0, 5 * SEC);
	for (sec = 0; sec < 120; sec++) {
		for (k = 0; k < 150; k++) {
			uint64_t time = sec * SEC + rnd() % SEC;
			struct profile_sample s;

			if (k % 10 == 0)
				time = time > 4 * SEC ? time - rnd() % (4 * SEC) : 0;
			if (k % 50 == 0)
				leaves[rnd_below(100)] = random_stack(p, 14); /* new nodes */
			s = random_sample(leaves, 100, time);
			profile_add_sample(p, &s);
			timeline_add(t, &s, 1);
			if (time > now)
				now = time;
		}
		if (sec == 50)
			profile_set_thread(p, 300, 301, "db-io"); /* renamed: l3 now sees it */
		if (sec % 3 == 0)
			check_live(t, l2, &f2, now, 12 * SEC); /* between advances */
		now = now > (sec + 1) * SEC ? now : (sec + 1) * SEC;
		timeline_advance(t, (sec + 1) * SEC);
		if (sec % 2) /* its nodes alone first, then the functions */
			check_live_nodes(t, l1, &f1, now, 5 * SEC);
		check_live(t, l1, &f1, now, 5 * SEC);
		check_live(t, l2, &f2, now, 12 * SEC);
		check_live(t, l3, &f3, now, 3 * SEC);
		check_live(t, l4, &f4, now, 45 * SEC);
		check_live(t, l5, &f1, now, UINT64_MAX);
		check_live(t, l6, &f1, now, 19 * SEC / 2);
		/* unchanged: the same result without rebuilding */
		assert_ptr_equal(timeline_live_top(l1), timeline_live_top(l1));
	}
	timeline_live_free(l2);
	timeline_live_free(l1);
	timeline_live_free(l3);
	/* l4, l5 and l6 are freed with the timeline */
	timeline_free(t);
	regfree(&inc);
	profile_free(p);
}

static uint64_t sum(const uint64_t *v, size_t n)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += v[i];
	return s;
}

static void test_rate(void **state)
{
	uint32_t leaves[20];
	struct profile *p = make_profile(leaves, 20);
	struct timeline_config c;
	struct timeline *t;
	struct timeline_stats st;
	static uint64_t counts[4000];
	uint64_t ev[2] = { 0, 0 }, of_tid0 = 0, late_tid0 = 0, sec, want[50];
	struct timeline_count_cache *cache;
	size_t i, n;
	const size_t steps[] = { 1, 3, 7, 100, 999, 4000 };
	struct profile_filter f;

	small_tiers(&c);
	t = timeline_new(&c, p);
	/* samples only in the 2nd tenth of every second */
	for (sec = 0; sec < 100; sec++) {
		for (i = 0; i < 50; i++) {
			struct profile_sample s =
				random_sample(leaves, 20, sec * SEC + 100 * MS + rnd() % (100 * MS));

			ev[s.event]++;
			of_tid0 += s.tid == tids[0];
			late_tid0 += s.tid == tids[0] && sec >= 90;
			timeline_add(t, &s, 1);
		}
		timeline_advance(t, (sec + 1) * SEC);
	}
	timeline_stats(t, &st);
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		n = steps[i];
		timeline_rate(t, st.first, st.last, -1, counts, n);
		assert_int_equal(sum(counts, n), 5000);
		timeline_rate(t, st.first, st.last, 0, counts, n);
		assert_int_equal(sum(counts, n), ev[0]);
		timeline_rate(t, st.first, st.last, 1, counts, n);
		assert_int_equal(sum(counts, n), ev[1]);
	}
	/* the last 10 s in 100 ms steps: recent data is exact at sub-second */
	timeline_rate(t, 90 * SEC, 100 * SEC, -1, counts, 100);
	for (i = 0; i < 100; i++)
		assert_int_equal(counts[i], i % 10 == 1 ? 50 : 0);
	/* old data (10 s buckets) spreads evenly: 500 samples over 10 s */
	timeline_rate(t, 0, 10 * SEC, -1, counts, 10);
	for (i = 0; i < 10; i++)
		assert_int_equal(counts[i], 50);
	timeline_rate(t, 0, 10 * SEC, -1, counts, 0);
	timeline_rate(t, 10 * SEC, 10 * SEC, -1, counts, 5);
	assert_int_equal(sum(counts, 5), 0);
	/* One thread's: its samples, each bucket's spread evenly over it. */
	profile_filter_init(&f);
	f.tid = tids[0];
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		n = steps[i];
		timeline_rate_filter(t, st.first, st.last, &f, NULL, counts, n);
		assert_int_equal(sum(counts, n), of_tid0);
	}
	timeline_rate_filter(t, 90 * SEC, 100 * SEC, &f, NULL, counts, 20);
	assert_int_equal(sum(counts, 20), late_tid0);
	assert_true(counts[0] + counts[1] > 0 && counts[10] + counts[11] > 0);
	/* Only an event: timeline_rate's sub-second detail. */
	profile_filter_init(&f);
	f.event = 1;
	timeline_rate_filter(t, 90 * SEC, 100 * SEC, &f, NULL, counts, 100);
	for (i = 0; i < 100; i++)
		if (i % 10 != 1)
			assert_int_equal(counts[i], 0);
	/* The newest bucket, filled to 300 ms: spread up to the clock only. */
	profile_filter_init(&f);
	f.tid = tids[0];
	for (i = 0; i < 30; i++) {
		struct profile_sample s = random_sample(leaves, 20, 100 * SEC + i * 10 * MS);

		s.tid = tids[0];
		s.pid = tids[0] / 100 * 100;
		timeline_add(t, &s, 1);
	}
	timeline_rate_filter(t, 100 * SEC, 100 * SEC + 290 * MS + 1, &f, NULL, counts, 3);
	assert_int_equal(sum(counts, 3), 30);
	/* A cache gives the same counts, and a bucket that grew is counted again. */
	cache = timeline_count_cache_new();
	timeline_rate_filter(t, 90 * SEC, 100 * SEC + 300 * MS, &f, cache, counts, 20);
	assert_int_equal(sum(counts, 20), late_tid0 + 30);
	timeline_rate_filter(t, 90 * SEC, 100 * SEC + 300 * MS, &f, cache, counts, 20);
	assert_int_equal(sum(counts, 20), late_tid0 + 30);
	for (i = 0; i < 5; i++) {
		struct profile_sample s = random_sample(leaves, 20, 100 * SEC + 295 * MS);

		s.tid = tids[0];
		s.pid = tids[0] / 100 * 100;
		timeline_add(t, &s, 1);
	}
	timeline_rate_filter(t, 90 * SEC, 100 * SEC + 300 * MS, &f, cache, counts, 20);
	assert_int_equal(sum(counts, 20), late_tid0 + 35);
	/* Another filter, after a reset: its own counts, as without a cache. */
	f.tid = tids[1];
	timeline_count_cache_reset(cache);
	timeline_rate_filter(t, st.first, 100 * SEC + 300 * MS, &f, cache, counts, 50);
	timeline_rate_filter(t, st.first, 100 * SEC + 300 * MS, &f, NULL, want, 50);
	assert_memory_equal(counts, want, sizeof(want));
	assert_true(sum(counts, 50) > 0);
	timeline_count_cache_free(cache);
	timeline_free(t);
	profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_query_random, reset_rng),
		cmocka_unit_test_setup(test_query_span, reset_rng),
		cmocka_unit_test_setup(test_tiers_exact, reset_rng),
		cmocka_unit_test_setup(test_tiers_sums, reset_rng),
		cmocka_unit_test_setup(test_retention, reset_rng),
		cmocka_unit_test_setup(test_memory_flood, reset_rng),
		cmocka_unit_test_setup(test_memory_coarsens_first, reset_rng),
		cmocka_unit_test_setup(test_day, reset_rng),
		cmocka_unit_test_setup(test_memory_streams, reset_rng),
		cmocka_unit_test_setup(test_memory_streams_compacted, reset_rng),
		cmocka_unit_test_setup(test_day_ceiling, reset_rng),
		cmocka_unit_test_setup(test_big_sums, reset_rng),
		cmocka_unit_test_setup(test_packed_extremes, reset_rng),
		cmocka_unit_test_setup(test_live, reset_rng),
		cmocka_unit_test_setup(test_rate, reset_rng),
		cmocka_unit_test_setup(test_batched, reset_rng),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
