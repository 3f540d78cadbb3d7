/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the exporters and the pusher's checks: the format an
 * output's name implies; the input a filter selects (window, thread,
 * event, include) and the one a query's per-node weights make; the pprof
 * encoding decoded back by protobuf-c (sample types, the period, labels,
 * leaf-first locations, the weights; one type per event of a tally of
 * every event; the event's type alone of the explorer's per-node
 * weights); speedscope and SVG escaping of
 * hostile names; that every exporter writes the same bytes of an export
 * tally fed a batch at a time as of every sample at once (random samples:
 * ties, late ones, weightless ones, thread 0, a thread in two processes;
 * reorder windows of a few samples or milliseconds, runs in a temporary
 * file); that a sample later than the window is said so, for the caller to
 * read the session whole; that a temporary file not made is said;
 * and which labels and URLs the pusher takes.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "flametop/export.h"
#include "flametop/profile.h"
#include "flametop/push.h"
#include "src/pprof/profile.pb-c.h"

#define APP "/usr/bin/app"

/*
 *   tid 1 "app":    main;hot   at 0.5 s, 2.5 s (weight 10 each)
 *   tid 2 "w<&>":   main;cold  at 1.5 s (weight 5)
 *   event 1:        main;hot   at 1.0 s (weight 7)
 */
static struct profile *build(void)
{
	struct profile *p = profile_new();
	uint32_t main_ = profile_intern_node(p, PROFILE_ROOT,
					     profile_intern_frame(p, "main", APP, 0));
	uint32_t hot = profile_intern_node(p, main_, profile_intern_frame(p, "hot", APP, 0));
	uint32_t cold = profile_intern_node(p, main_, profile_intern_frame(p, "c\"o<l>d&", APP, 0));
	struct profile_sample s[] = {
		{ .time = 500000000, .weight = 10, .node = hot, .pid = 1, .tid = 1 },
		{ .time = 1000000000, .weight = 7, .node = hot, .pid = 1, .tid = 1, .event = 1 },
		{ .time = 1500000000, .weight = 5, .node = cold, .pid = 1, .tid = 2 },
		{ .time = 2500000000, .weight = 10, .node = hot, .pid = 1, .tid = 1 },
	};
	size_t i;

	profile_add_event(p, "cpu-clock", "ns");
	profile_add_event(p, "page-faults", "count");
	p->meta.frequency = 100;
	p->meta.duration_ns = 3000000000u;
	p->meta.start_wall_ns = 1700000000000000000ull;
	profile_set_thread(p, 1, 1, "app");
	profile_set_thread(p, 1, 2, "w<&>");
	for (i = 0; i < ARRAY_SIZE(s); i++)
		profile_add_sample(p, &s[i]);
	return p;
}

static void test_for_path(void **state)
{
	(void)state;
	assert_string_equal(export_for_path("a.svg")->name, "svg");
	assert_string_equal(export_for_path("a.pb.gz")->name, "pprof");
	assert_string_equal(export_for_path("a.pprof")->name, "pprof");
	assert_string_equal(export_for_path("a.speedscope.json")->name, "speedscope");
	assert_string_equal(export_for_path("a.json")->name, "speedscope");
	assert_string_equal(export_for_path("a.folded")->name, "folded");
	assert_null(export_for_path("a.png"));
	assert_null(export_for_path("svg"));
	assert_null(export_find("png"));
}

static void test_input_filters(void **state)
{
	struct profile *p = build();
	struct profile_filter f;
	struct export_input *in;
	regex_t re;

	(void)state;
	profile_filter_init(&f);
	in = export_input_from_profile(p, &f, NULL);
	assert_int_equal(in->event, 0); /* the first event when none is asked */
	assert_int_equal(in->nsamples, 3);
	assert_int_equal(in->to, 3000000000u); /* the session's duration */
	assert_string_equal(export_input_unit(in), "ns");
	export_input_free(in);

	f.from = 1000000000;
	f.to = 2000000000;
	in = export_input_from_profile(p, &f, NULL);
	assert_int_equal(in->nsamples, 1);
	assert_int_equal(in->samples[0].weight, 5);
	assert_int_equal(in->from, 1000000000);
	assert_int_equal(in->to, 2000000000);
	export_input_free(in);

	profile_filter_init(&f);
	f.event = 1;
	in = export_input_from_profile(p, &f, NULL);
	assert_int_equal(in->nsamples, 1);
	assert_string_equal(export_input_unit(in), "count");
	export_input_free(in);

	profile_filter_init(&f);
	assert_int_equal(regcomp(&re, "^hot$", REG_EXTENDED | REG_NOSUB), 0);
	f.include = &re;
	in = export_input_from_profile(p, &f, NULL);
	assert_int_equal(in->nsamples, 2);
	export_input_free(in);
	regfree(&re);
	profile_free(p);
}

static void test_input_from_top(void **state)
{
	struct profile *p = build();
	struct profile_filter f;
	struct profile_top *top;
	struct export_input *in;
	uint64_t sum = 0;
	size_t i;

	(void)state;
	profile_filter_init(&f);
	f.event = 0;
	top = profile_query_top(p, &f);
	in = export_input_from_top(p, top, 0, 0, 3000000000u, NULL);
	assert_false(in->threads);
	assert_int_equal(in->nsamples, 2); /* hot and cold: one per node with weight */
	for (i = 0; i < in->nsamples; i++)
		sum += in->samples[i].weight;
	assert_int_equal(sum, 25);
	export_input_free(in);
	profile_top_free(top);
	profile_free(p);
}

/* Inflates a gzip stream; caller frees. */
static unsigned char *gunzip(const unsigned char *data, size_t len, size_t *out_len)
{
	size_t cap = 1 << 20;
	unsigned char *out = malloc(cap);
	z_stream z;

	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	*out_len = cap - z.avail_out;
	inflateEnd(&z);
	return out;
}

static const char *pstr(const Perftools__Profiles__Profile *pb, int64_t i)
{
	assert_true(i >= 0 && (size_t)i < pb->n_string_table);
	return pb->string_table[i];
}

/*
 * An event sampled by period (-c 1000000 on cpu-clock, no frequency):
 * pprof's period is that period, in the event's unit; one sampled at each
 * event has period 1. Where the session does not say, none (0).
 */
static void test_pprof_period(void **state)
{
	static const struct {
		uint64_t period;
		int64_t want;
	} cases[] = { { 1000000, 1000000 }, { 1, 1 }, { PROFILE_PERIOD_UNKNOWN, 0 } };
	struct profile_filter f;
	struct export_input *in;
	struct ft_error err;
	Perftools__Profiles__Profile *pb;
	unsigned char *gz, *raw;
	size_t gz_len, raw_len, i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct profile *p = build();

		p->meta.frequency = 0;
		p->events[0].period = cases[i].period;
		profile_filter_init(&f);
		in = export_input_from_profile(p, &f, NULL);
		assert_int_equal(export_pprof_encode(in, &gz, &gz_len, &err), 0);
		raw = gunzip(gz, gz_len, &raw_len);
		pb = perftools__profiles__profile__unpack(NULL, raw_len, raw);
		assert_non_null(pb);
		assert_int_equal(pb->period, cases[i].want);
		perftools__profiles__profile__free_unpacked(pb, NULL);
		free(raw);
		free(gz);
		export_input_free(in);
		profile_free(p);
	}
}

static void test_pprof(void **state)
{
	struct profile *p = build();
	struct profile_filter f;
	struct export_input *in;
	struct ft_error err;
	Perftools__Profiles__Profile *pb;
	unsigned char *gz, *raw;
	size_t gz_len, raw_len, i, k;
	int64_t hot_weight = 0, cold_weight = 0, count = 0;

	(void)state;
	profile_filter_init(&f);
	in = export_input_from_profile(p, &f, NULL);
	assert_int_equal(export_pprof_encode(in, &gz, &gz_len, &err), 0);
	raw = gunzip(gz, gz_len, &raw_len);
	pb = perftools__profiles__profile__unpack(NULL, raw_len, raw);
	assert_non_null(pb);
	assert_string_equal(pstr(pb, 0), "");
	assert_int_equal(pb->n_sample_type, 2);
	assert_string_equal(pstr(pb, pb->sample_type[0]->type), "samples");
	assert_string_equal(pstr(pb, pb->sample_type[0]->unit), "count");
	assert_string_equal(pstr(pb, pb->sample_type[1]->type), "cpu");
	assert_string_equal(pstr(pb, pb->sample_type[1]->unit), "nanoseconds");
	assert_string_equal(pstr(pb, pb->period_type->type), "cpu");
	assert_int_equal(pb->period, 10000000); /* 1 s / 100 Hz */
	assert_int_equal(pb->time_nanos, 1700000000000000000ll);
	assert_int_equal(pb->duration_nanos, 3000000000ll);
	assert_int_equal(pb->n_sample, 2); /* hot (tid 1, merged) and cold (tid 2) */
	for (i = 0; i < pb->n_sample; i++) {
		const Perftools__Profiles__Sample *s = pb->sample[i];
		const Perftools__Profiles__Location *leaf = NULL;
		const char *thread = NULL, *fn;

		assert_int_equal(s->n_value, 2);
		assert_int_equal(s->n_location_id, 2); /* leaf, then main */
		for (k = 0; k < pb->n_location; k++)
			if (pb->location[k]->id == s->location_id[0])
				leaf = pb->location[k];
		assert_non_null(leaf);
		fn = pstr(pb, pb->function[leaf->line[0]->function_id - 1]->name);
		for (k = 0; k < s->n_label; k++)
			if (strcmp(pstr(pb, s->label[k]->key), "thread_name") == 0)
				thread = pstr(pb, s->label[k]->str);
		assert_non_null(thread);
		count += s->value[0];
		if (strcmp(fn, "hot") == 0) {
			hot_weight += s->value[1];
			assert_string_equal(thread, "app");
		} else {
			assert_string_equal(fn, "c\"o<l>d&");
			cold_weight += s->value[1];
			assert_string_equal(thread, "w<&>");
		}
	}
	assert_int_equal(count, 3);
	assert_int_equal(hot_weight, 20);
	assert_int_equal(cold_weight, 5);
	assert_string_equal(pstr(pb, pb->mapping[0]->filename), APP);
	perftools__profiles__profile__free_unpacked(pb, NULL);
	free(raw);
	free(gz);
	export_input_free(in);
	profile_free(p);
}

/* A tally of every event: two pprof sample types per event, its count of
 * samples (T_samples) and its weights, the first event's the default and
 * no one samples/count; hot's stack in tid 1 holds both events' counts and
 * weights in one sample. */
static void test_pprof_events(void **state)
{
	struct profile *p = build();
	struct profile_filter f;
	struct export_tally *t;
	struct export_input *in;
	struct ft_error err;
	Perftools__Profiles__Profile *pb;
	unsigned char *gz, *raw;
	size_t gz_len, raw_len, i;
	int64_t cpu = 0, faults = 0, cpu_n = 0, faults_n = 0, hot_both = 0;

	(void)state;
	profile_filter_init(&f);
	t = export_tally_new(p, &f, EXPORT_TALLY_GROUPS | EXPORT_TALLY_EVENTS);
	export_tally_add(t, p->samples, p->nsamples);
	assert_int_equal(export_tally_count(t), 4);
	in = export_tally_input(t, NULL);
	assert_true(in->all_events);
	assert_int_equal(in->event, 0);
	assert_int_equal(export_pprof_encode(in, &gz, &gz_len, &err), 0);
	raw = gunzip(gz, gz_len, &raw_len);
	pb = perftools__profiles__profile__unpack(NULL, raw_len, raw);
	assert_non_null(pb);
	assert_int_equal(pb->n_sample_type, 4);
	assert_string_equal(pstr(pb, pb->sample_type[0]->type), "cpu_samples");
	assert_string_equal(pstr(pb, pb->sample_type[0]->unit), "count");
	assert_string_equal(pstr(pb, pb->sample_type[1]->type), "cpu");
	assert_string_equal(pstr(pb, pb->sample_type[1]->unit), "nanoseconds");
	assert_string_equal(pstr(pb, pb->sample_type[2]->type), "page-faults_samples");
	assert_string_equal(pstr(pb, pb->sample_type[2]->unit), "count");
	assert_string_equal(pstr(pb, pb->sample_type[3]->type), "page-faults");
	assert_string_equal(pstr(pb, pb->sample_type[3]->unit), "count");
	assert_string_equal(pstr(pb, pb->default_sample_type), "cpu");
	assert_string_equal(pstr(pb, pb->period_type->type), "cpu");
	assert_int_equal(pb->n_sample, 2); /* hot in tid 1 (both events), cold in tid 2 */
	for (i = 0; i < pb->n_sample; i++) {
		assert_int_equal(pb->sample[i]->n_value, 4);
		cpu_n += pb->sample[i]->value[0];
		cpu += pb->sample[i]->value[1];
		faults_n += pb->sample[i]->value[2];
		faults += pb->sample[i]->value[3];
		if (pb->sample[i]->value[0] == 2 && pb->sample[i]->value[1] == 20 &&
		    pb->sample[i]->value[2] == 1 && pb->sample[i]->value[3] == 7)
			hot_both++;
	}
	assert_int_equal(cpu_n, 3);
	assert_int_equal(cpu, 25);
	assert_int_equal(faults_n, 1);
	assert_int_equal(faults, 7);
	assert_int_equal(hot_both, 1);
	perftools__profiles__profile__free_unpacked(pb, NULL);
	free(raw);
	free(gz);
	export_input_free(in);
	export_tally_free(t);
	profile_free(p);
}

/* The explorer's input (a query's per-node weights, no counts): the
 * event's type alone, of the first event when it says any (-1). */
static void test_pprof_no_counts(void **state)
{
	struct profile *p = build();
	struct profile_filter f;
	struct profile_top *top;
	struct export_input *in;
	struct ft_error err;
	Perftools__Profiles__Profile *pb;
	unsigned char *gz, *raw;
	size_t gz_len, raw_len, i;
	int64_t cpu = 0;

	(void)state;
	profile_filter_init(&f);
	f.event = 0;
	top = profile_query_top(p, &f);
	in = export_input_from_top(p, top, -1, 0, 3000000000u, NULL);
	assert_int_equal(in->event, 0);
	assert_int_equal(export_pprof_encode(in, &gz, &gz_len, &err), 0);
	raw = gunzip(gz, gz_len, &raw_len);
	pb = perftools__profiles__profile__unpack(NULL, raw_len, raw);
	assert_non_null(pb);
	assert_int_equal(pb->n_sample_type, 1);
	assert_string_equal(pstr(pb, pb->sample_type[0]->type), "cpu");
	assert_string_equal(pstr(pb, pb->sample_type[0]->unit), "nanoseconds");
	for (i = 0; i < pb->n_sample; i++)
		cpu += pb->sample[i]->value[0];
	assert_int_equal(cpu, 25);
	perftools__profiles__profile__free_unpacked(pb, NULL);
	free(raw);
	free(gz);
	export_input_free(in);
	profile_top_free(top);
	profile_free(p);
}

/* What `write` made of the profile, as a string; caller frees. */
static char *written(int (*write)(FILE *, const struct export_input *, struct ft_error *))
{
	struct profile *p = build();
	struct profile_filter f;
	struct export_input *in;
	struct ft_error err;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	profile_filter_init(&f);
	in = export_input_from_profile(p, &f, "t<i>tle");
	assert_int_equal(write(out, in, &err), 0);
	fclose(out);
	export_input_free(in);
	profile_free(p);
	return buf;
}

static void test_escaping(void **state)
{
	char *s;

	(void)state;
	s = written(export_svg_write);
	assert_non_null(strstr(s, "data-n=\"c&quot;o&lt;l&gt;d&amp;\""));
	assert_null(strstr(s, "<l>"));
	assert_non_null(strstr(s, ">t&lt;i&gt;tle: cpu-clock<"));
	free(s);
	s = written(export_speedscope_write);
	assert_non_null(strstr(s, "{\"name\":\"c\\\"o<l>d&\"")); /* JSON-escaped */
	/* Each frame once, frame 0 ("main") too, and stacks name it by its index. */
	assert_non_null(strstr(s, "\"frames\":[{\"name\":\"main\",\"file\":\"" APP "\"},"
				  "{\"name\":\"hot\",\"file\":\"" APP "\"},"
				  "{\"name\":\"c\\\"o<l>d&\",\"file\":\"" APP "\"}]}"));
	/* Each sample one of the file's, from its thread's first (0.5 s); the
	 * 2 s tid 1 did not run between them (less the later one's 10 ns) a
	 * sample of no stack, so that endValue is 2.5 s and 10 ns. */
	assert_non_null(strstr(s, "\"startValue\":500000000,\"endValue\":2500000010,"
				  "\"samples\":[[0,1],[],[0,1]],\"weights\":[10,1999999990,10]"));
	assert_non_null(strstr(s, "\"name\":\"w<&> (pid 1, tid 2)\""));
	free(s);
	s = written(export_folded_write);
	assert_string_equal(s, "app;main;hot 20\nw<&>;main;c\"o<l>d& 5\n");
	free(s);
}

/* --- Export tallies -------------------------------------------------------- */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33) % n;
}

/*
 * A random profile: 3 modules, a tree of up to 40 nodes, `n` samples of
 * two events on tids 0..4 (tid 3 in two processes), times in steps with
 * ties, some weightless, some at a leaf address. `late`: some samples come
 * after later ones of their thread: one in five up to 3 ms after, one in
 * fifty 20 ms after (never more). `even`: weights of 0 or 1000 only, so
 * that modules tie (pprof's main mapping is the first to reach the most).
 */
static struct profile *random_profile(uint32_t nsamples, bool late, bool even)
{
	static const char *const mods[] = { "/usr/bin/app", "/usr/lib/libx.so", "[kernel.kallsyms]" };
	struct profile *p = profile_new();
	uint32_t nodes[40], locs[8], n = 1, i;
	uint64_t t = 0;

	profile_add_event(p, "cpu-clock", "ns");
	profile_add_event(p, "page-faults", "count");
	p->meta.frequency = 997;
	p->meta.start_wall_ns = 1700000000000000000ull;
	nodes[0] = PROFILE_ROOT;
	for (i = 0; i < 39; i++) {
		char name[16];
		uint32_t frame;

		snprintf(name, sizeof(name), "f%u", rnd(25));
		frame = profile_intern_frame(p, name, mods[rnd(3)], PROFILE_FRAME_USER);
		nodes[n] = profile_intern_node(p, nodes[rnd(n)], frame);
		n++;
	}
	for (i = 0; i < 8; i++)
		locs[i] = profile_intern_location(p, p->nodes[nodes[1 + rnd(n - 1)]].frame,
						  0x100 + 16 * i);
	for (i = 0; i < 5; i++)
		profile_set_thread(p, i == 3 ? 7 : 1, i, i % 2 ? "odd" : "even");
	profile_set_thread(p, 1, 3, "three");
	for (i = 0; i < nsamples; i++) {
		struct profile_sample s = { 0 };

		t += rnd(3) * 1000000u;
		s.time = t;
		if (late && rnd(5) == 0 && t > 3000000u)
			s.time = t - rnd(4) * 1000000u;
		else if (late && rnd(50) == 0 && t > 20000000u)
			s.time = t - 20000000u;
		s.weight = rnd(10) == 0 ? 0 : even ? 1000 : 1 + rnd(3) * 1000;
		s.node = nodes[1 + rnd(n - 1)];
		s.location = rnd(3) == 0 ? locs[rnd(8)] : PROFILE_NO_LOCATION;
		s.chain = PROFILE_NO_CHAIN;
		s.tid = rnd(5);
		s.pid = s.tid == 3 && rnd(2) ? 7 : 1;
		s.event = (uint16_t)(rnd(8) == 0);
		profile_add_sample(p, &s);
	}
	p->meta.duration_ns = rnd(2) ? t + 5000000u : 0;
	return p;
}

static char *export_bytes(const struct exporter *ex, const struct export_input *in, size_t *len)
{
	struct ft_error err;
	char *buf = NULL;
	FILE *out = open_memstream(&buf, len);

	assert_int_equal(ex->write(out, in, &err), 0);
	fclose(out);
	return buf;
}

/*
 * libx's leaf weighs 10 at 3 ms, app's 10 by 5 ms, though app came first:
 * pprof's main mapping is the module first to reach the most, libx's.
 */
static struct profile *tie_profile(void)
{
	struct profile *p = profile_new();
	uint32_t app = profile_intern_node(p, PROFILE_ROOT,
					   profile_intern_frame(p, "a", "/usr/bin/app", 0));
	uint32_t lib = profile_intern_node(p, PROFILE_ROOT,
					   profile_intern_frame(p, "x", "/usr/lib/libx.so", 0));
	struct profile_sample s[] = {
		{ .time = 1000000, .weight = 5, .node = app, .tid = 1 },
		{ .time = 3000000, .weight = 10, .node = lib, .tid = 1 },
		{ .time = 5000000, .weight = 5, .node = app, .tid = 1 },
	};
	size_t i;

	profile_add_event(p, "cpu-clock", "ns");
	for (i = 0; i < ARRAY_SIZE(s); i++) {
		s[i].location = PROFILE_NO_LOCATION;
		s[i].chain = PROFILE_NO_CHAIN;
		profile_add_sample(p, &s[i]);
	}
	return p;
}

/*
 * The tally's limits by seed: its defaults (a 4 s window); a window of
 * 25 ms, past the 20 ms of the latest sample, with every run written to
 * the file, a block a run; a window of 5 ms, which a late sample may
 * outlast (then read whole), blocks of a few runs after 64 bytes; and a
 * window of 3 samples, whatever their times.
 */
static struct export_tally_limits limits_of(unsigned seed, bool *reach)
{
	struct export_tally_limits l = EXPORT_TALLY_LIMITS;

	*reach = seed % 4 < 2; /* every late sample within the window */
	switch (seed % 4) {
	case 1:
		l.lag_ns = 25000000u;
		l.runs_memory = 0;
		l.block = 1;
		break;
	case 2:
		l.lag_ns = 5000000u;
		l.runs_memory = 64;
		l.block = 16;
		break;
	case 3:
		l.window_samples = 3;
		break;
	}
	return l;
}

static void test_tally(void **state)
{
	struct profile_filter filters[6];
	size_t nex, e, k, at, batch, alen, blen;
	const struct exporter *ex = export_exporters(&nex);
	struct export_tally_limits lim;
	unsigned seed;
	bool reach;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(filters); k++)
		profile_filter_init(&filters[k]);
	filters[1].from = 1500000000u;
	filters[1].to = 3000000000u;
	filters[2].tid = 3;
	filters[3].event = 1;
	filters[4].comm = "odd";
	filters[5].pid = 7;
	for (seed = 1; seed <= 400; seed++) {
		bool late = seed % 3 == 0, small = seed > 12;
		struct profile *p;

		rng_state = seed;
		p = seed == 1 ? tie_profile() : random_profile(small ? 3 + rnd(12) : 3000, late, small);
		lim = limits_of(seed, &reach);
		for (k = 0; k < ARRAY_SIZE(filters); k++) {
			struct export_input *ref = export_input_from_profile(p, &filters[k], "t");

			for (e = 0; e < nex; e++) {
				bool runs = ex[e].write == export_speedscope_write;
				struct export_tally *t = export_tally_new(
					p, &filters[k], runs ? EXPORT_TALLY_RUNS : EXPORT_TALLY_GROUPS);
				struct export_input *in;
				char *a, *b;

				export_tally_set_limits(t, &lim);
				for (at = 0; at < p->nsamples; at += batch) {
					batch = 1 + rnd(700);
					if (batch > p->nsamples - at)
						batch = p->nsamples - at;
					export_tally_add(t, p->samples + at, batch);
				}
				assert_int_equal(export_tally_count(t), ref->nsamples);
				assert_null(export_tally_error(t));
				if (runs && !export_tally_ordered(t)) {
					/* only a sample later than the window unorders */
					assert_true(late && !reach);
					export_tally_free(t);
					continue;
				}
				in = export_tally_input(t, "t");
				a = export_bytes(&ex[e], ref, &alen);
				b = export_bytes(&ex[e], in, &blen);
				if (alen != blen || memcmp(a, b, alen) != 0)
					fail_msg("seed %u, filter %zu, %s: %zu bytes, %zu from the tally", seed,
						 k, ex[e].name, alen, blen);
				free(a);
				free(b);
				export_input_free(in);
				export_tally_free(t);
			}
			export_input_free(ref);
		}
		profile_free(p);
	}
}

/*
 * tid 1 at 0, 10, 20 and 30 ms, then at 5 ms in the next batch: within a
 * window of 100 ms it takes its place (the bytes of the whole profile);
 * past one of 1 ms (the runs up to 20 ms made) the tally says it is
 * unordered, for the caller to read the session whole.
 */
static void test_tally_window(void **state)
{
	static const uint64_t ms[] = { 0, 10, 20, 30, 5 };
	struct profile *p = profile_new();
	uint32_t a = profile_intern_node(p, PROFILE_ROOT, profile_intern_frame(p, "a", APP, 0));
	uint32_t b = profile_intern_node(p, a, profile_intern_frame(p, "b", APP, 0));
	const struct exporter *ss = export_find("speedscope");
	struct export_tally_limits lim = EXPORT_TALLY_LIMITS;
	struct profile_filter f;
	struct export_input *ref, *in;
	struct export_tally *t;
	size_t i, alen, blen;
	char *x, *y;

	(void)state;
	profile_add_event(p, "cpu-clock", "ns");
	profile_set_thread(p, 1, 1, "app");
	for (i = 0; i < ARRAY_SIZE(ms); i++) {
		struct profile_sample s = { .time = ms[i] * 1000000u,
					    .weight = 1 + i,
					    .node = i % 2 ? b : a,
					    .location = PROFILE_NO_LOCATION,
					    .chain = PROFILE_NO_CHAIN,
					    .pid = 1,
					    .tid = 1 };

		profile_add_sample(p, &s);
	}
	profile_filter_init(&f);
	ref = export_input_from_profile(p, &f, "t");
	x = export_bytes(ss, ref, &alen);
	/* a, a, b, a, b: a's run of two shares its weight (1 + 5) */
	assert_non_null(strstr(x, "\"samples\":[[0],[0],[0,1],[0],[0,1]],\"weights\":[3,3,2,3,4]"));

	lim.lag_ns = 100000000u;
	t = export_tally_new(p, &f, EXPORT_TALLY_RUNS);
	export_tally_set_limits(t, &lim);
	export_tally_add(t, p->samples, 4);
	export_tally_add(t, p->samples + 4, 1);
	assert_true(export_tally_ordered(t));
	in = export_tally_input(t, "t");
	y = export_bytes(ss, in, &blen);
	assert_int_equal(alen, blen);
	assert_memory_equal(x, y, alen);
	free(y);
	export_input_free(in);
	export_tally_free(t);

	lim.lag_ns = 1000000u;
	t = export_tally_new(p, &f, EXPORT_TALLY_RUNS);
	export_tally_set_limits(t, &lim);
	export_tally_add(t, p->samples, 4);
	assert_true(export_tally_ordered(t));
	export_tally_add(t, p->samples + 4, 1);
	assert_false(export_tally_ordered(t));
	export_tally_free(t);

	free(x);
	export_input_free(ref);
	profile_free(p);
}

/*
 * The runs' temporary file cannot be made ($TMPDIR names no directory):
 * the tally says why, one line, rather than export runs it lost.
 */
static void test_tally_no_file(void **state)
{
	struct export_tally_limits lim = EXPORT_TALLY_LIMITS;
	const char *old = getenv("TMPDIR");
	char *saved = old ? strdup(old) : NULL;
	struct profile_filter f;
	struct export_tally *t;
	struct profile *p;

	(void)state;
	rng_state = 7;
	p = random_profile(500, false, false);
	profile_filter_init(&f);
	lim.lag_ns = 0;
	lim.runs_memory = 0;
	lim.block = 1;
	setenv("TMPDIR", "/nonexistent/flametop-test", 1);
	t = export_tally_new(p, &f, EXPORT_TALLY_RUNS);
	export_tally_set_limits(t, &lim);
	export_tally_add(t, p->samples, p->nsamples);
	assert_non_null(export_tally_error(t));
	assert_non_null(strstr(export_tally_error(t), "/nonexistent/flametop-test"));
	assert_null(strchr(export_tally_error(t), '\n'));
	export_tally_free(t);
	if (saved)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	free(saved);
	profile_free(p);
}

static void test_push_checks(void **state)
{
	struct ft_error err;

	(void)state;
	assert_int_equal(push_check_label("env=prod", &err), 0);
	assert_int_equal(push_check_label("_a.b9=x-y_z", &err), 0);
	assert_int_equal(push_check_label("env", &err), -EINVAL);
	assert_int_equal(push_check_label("=x", &err), -EINVAL);
	assert_int_equal(push_check_label("9env=x", &err), -EINVAL);
	assert_int_equal(push_check_label("env=", &err), -EINVAL);
	assert_int_equal(push_check_label("env=a,b", &err), -EINVAL);
	assert_int_equal(push_check_label("env=a}", &err), -EINVAL);
	assert_int_equal(push_check_label("env=a\nb", &err), -EINVAL);
	assert_int_equal(push_check_url("http://localhost:4040", &err), 0);
	assert_int_equal(push_check_url("https://p.example.org/prefix/", &err), 0);
	assert_int_equal(push_check_url("ftp://p.example.org", &err), -EINVAL);
	assert_int_equal(push_check_url("http://", &err), -EINVAL);
	assert_int_equal(push_check_url("http://h/?x=1", &err), -EINVAL);
	assert_int_equal(push_check_url("http://h o", &err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_for_path),     cmocka_unit_test(test_input_filters),
		cmocka_unit_test(test_input_from_top), cmocka_unit_test(test_pprof),
		cmocka_unit_test(test_pprof_period), cmocka_unit_test(test_pprof_events),
		cmocka_unit_test(test_pprof_no_counts),
		cmocka_unit_test(test_escaping),     cmocka_unit_test(test_tally),
		cmocka_unit_test(test_tally_window), cmocka_unit_test(test_tally_no_file),
		cmocka_unit_test(test_push_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
