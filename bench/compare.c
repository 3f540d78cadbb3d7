/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The compare-and-time bench (make bench-compare, part of make bench): a
 * synthetic hour of sampling (by default 4 CPUs x 99 Hz, flametop's
 * default rate; --hz and --cpus change it) over 5,000 distinct stacks
 * whose popularity shifts half way (the second half favours other stacks,
 * so the diff has something to find), fed to the timeline and to the
 * heatmap store as the live explorer feeds them. It prints:
 *  - the diff of the two 30-minute halves as the diff views make it: two
 *    timeline queries and profile_diff_new(), and the diff alone;
 *  - the same against a baseline profile (the hour copied, as a
 *    --baseline session would be): matching functions and stacks by name;
 *  - the full-hour heatmap at 20 ms rows from the store (the heatmap view,
 *    the store's memory) and from the samples (report --format heatmap);
 *  - the decayed view's top-list at the hour's end.
 * Medians of 5 runs. It prints figures and asserts nothing.
 *
 * Usage: bench/compare [--hz N] [--cpus N]
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/profile.h"
#include "flametop/timeline.h"
#include "flametop/util.h"

#include "bench.h"

#define SEC UINT64_C(1000000000)
#define HOUR (3600 * SEC)
#define NSTACKS 5000
#define NFUNCS 2000
#define RUNS 5

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ull;
}

static uint32_t random_frame(struct profile *p)
{
	char name[32], module[32];
	uint32_t f = (uint32_t)(rnd() % NFUNCS);

	snprintf(name, sizeof(name), "function_%u", f);
	snprintf(module, sizeof(module), "/usr/lib/libmod%u.so", f % 20);
	return profile_intern_frame(p, name, module, PROFILE_FRAME_USER);
}

/* Distinct leaves of random stacks, 4 to 24 deep, under 4 roots. */
static void make_stacks(struct profile *p, uint32_t *leaves)
{
	uint32_t roots[4], i, d;

	for (i = 0; i < 4; i++)
		roots[i] = profile_intern_node(p, PROFILE_ROOT, random_frame(p));
	for (i = 0; i < NSTACKS; i++) {
		uint32_t node = roots[rnd() % 4], depth = 4 + (uint32_t)(rnd() % 21);

		for (d = 1; d < depth; d++)
			node = profile_intern_node(p, node, random_frame(p));
		leaves[i] = node;
	}
}

/* A Zipf-ish pick: stack k with weight 1/(k+1), the order reversed in the second half. */
static uint32_t pick(bool second_half)
{
	double u = (double)(rnd() >> 11) / (double)(UINT64_C(1) << 53);
	/* Inverse of the harmonic CDF, approximately: exp(u * ln N) - 1. */
	uint32_t k = (uint32_t)(exp(u * log((double)NSTACKS))) - 1;

	if (k >= NSTACKS)
		k = NSTACKS - 1;
	return second_half ? NSTACKS - 1 - k : k;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v)
{
	qsort(v, RUNS, sizeof(*v), cmp_double);
	return v[RUNS / 2];
}

static double ms_since(uint64_t t0)
{
	return (double)(util_now_ns() - t0) / 1e6;
}

int main(int argc, char **argv)
{
	char peer[64];
	uint32_t hz = 99, cpus = 4, *leaves = xcalloc(NSTACKS, sizeof(*leaves));
	struct profile *p = profile_new(), *bp;
	struct timeline_config tc;
	struct timeline *tl;
	struct profile_heatstore *hs;
	struct profile_filter f, half1, half2;
	struct ft_error err = { { 0 }, 0, 0 };
	double full[RUNS], alone[RUNS], other[RUNS], hstore[RUNS], hsamples[RUNS], dec[RUNS];
	struct profile_decay *decay;
	struct profile_matcher m;
	uint64_t sec, t0, nsamples = 0;
	size_t r;
	int i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--hz") == 0)
			hz = (uint32_t)strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--cpus") == 0)
			cpus = (uint32_t)strtoul(argv[i + 1], NULL, 10);
	}
	if (!hz || !cpus || hz > 10000 || cpus > 256) {
		fprintf(stderr, "usage: bench/compare [--hz N] [--cpus N]\n");
		return 2;
	}
	profile_add_event(p, "cpu-clock", "ns");
	profile_set_thread(p, 100, 100, "app");
	make_stacks(p, leaves);
	timeline_config_default(&tc);
	tc.max_memory = 256u << 20;
	tl = timeline_new(&tc, p);
	hs = profile_heatstore_new(10000000ull, (size_t)1 << 30);

	/* The hour: one second at a time into the timeline and the store; the
	 * samples stay in the profile for the report path. */
	for (sec = 0; sec < 3600; sec++) {
		size_t before = p->nsamples;
		uint32_t k, c;

		for (k = 0; k < hz; k++)
			for (c = 0; c < cpus; c++) {
				struct profile_sample s = { 0 };

				s.time = sec * SEC + (uint64_t)k * SEC / hz + c * 1000;
				s.weight = SEC / hz;
				s.node = leaves[pick(sec >= 1800)];
				s.pid = s.tid = 100;
				s.cpu = (uint16_t)c;
				profile_add_sample(p, &s);
			}
		timeline_add(tl, p->samples + before, p->nsamples - before);
		profile_heatstore_add(hs, p->samples + before, p->nsamples - before);
		timeline_advance(tl, (sec + 1) * SEC);
	}
	nsamples = p->nsamples;
	p->meta.duration_ns = HOUR; /* as a recorded session says */
	/* The baseline session: the same hour in another profile, interned in
	 * another order (its ids differ, as a file from elsewhere). */
	bp = profile_new();
	profile_add_event(bp, "cpu-clock", "ns");
	for (sec = 0; sec < p->nsamples; sec++) {
		const struct profile_sample *s = &p->samples[sec];
		uint32_t chain[64], n = 0, node = s->node, b = PROFILE_ROOT;
		struct profile_sample c = *s;

		for (; node != PROFILE_ROOT && n < 64; node = p->nodes[node].parent)
			chain[n++] = p->nodes[node].frame;
		while (n--)
			b = profile_intern_node(bp, b,
						profile_intern_frame(bp,
								     profile_string(p, p->frames[chain[n]].name),
								     profile_string(p, p->frames[chain[n]].module),
								     PROFILE_FRAME_USER));
		c.node = b;
		profile_add_sample(bp, &c);
		if (sec > 200000) /* enough of a baseline; the copy is not what is timed */
			break;
	}

	profile_filter_init(&f);
	f.event = 0;
	half1 = f;
	half1.to = 1800 * SEC;
	half2 = f;
	half2.from = 1800 * SEC;
	half2.to = 3600 * SEC;
	for (r = 0; r < RUNS; r++) {
		struct profile_top *a, *b, *c;
		struct profile_diff *d;
		struct profile_heatmap *h;

		t0 = util_now_ns();
		a = timeline_query(tl, &half1);
		b = timeline_query(tl, &half2);
		d = profile_diff_new(p, b, p, a);
		full[r] = ms_since(t0);
		profile_diff_free(d);
		t0 = util_now_ns();
		d = profile_diff_new(p, b, p, a);
		alone[r] = ms_since(t0);
		profile_diff_free(d);
		c = profile_query_top(bp, &f);
		t0 = util_now_ns();
		d = profile_diff_new(p, b, bp, c);
		other[r] = ms_since(t0);
		profile_diff_free(d);
		profile_top_free(c);
		profile_top_free(a);
		profile_top_free(b);

		t0 = util_now_ns();
		h = profile_heatstore_query(hs, p, &f, 20000000ull, &err);
		hstore[r] = ms_since(t0);
		profile_heatmap_free(h);
		t0 = util_now_ns();
		h = profile_query_heatmap(p, &f, 20000000ull, &err);
		hsamples[r] = ms_since(t0);
		profile_heatmap_free(h);
	}
	/* Decay: the top-list at the end of the hour, from sums kept as samples came. */
	decay = profile_decay_new(10 * SEC);
	profile_matcher_init(&m, p, &f);
	profile_decay_add(decay, p, &m, p->samples, p->nsamples);
	profile_matcher_free(&m);
	for (r = 0; r < RUNS; r++) {
		struct profile_top *t;

		t0 = util_now_ns();
		t = profile_decay_top(decay, p, HOUR);
		dec[r] = ms_since(t0);
		profile_top_free(t);
	}
	printf("== compare: a synthetic hour, %u CPUs x %u Hz, %llu samples, %u nodes, "
	       "%u functions\n",
	       cpus, hz, (unsigned long long)nsamples, p->nnodes, p->nframes);
	bench_header();
	bench_line("diff of two 30-min windows (queries + diff)", median(full), "ms", NULL, 0, NULL);
	bench_line("diff alone (same profile)", median(alone), "ms", NULL, 0, NULL);
	snprintf(peer, sizeof(peer), "%u nodes there", bp->nnodes);
	bench_line("diff against a baseline profile", median(other), "ms", NULL, 0, peer);
	snprintf(peer, sizeof(peer), "store %.1f MiB",
		 (double)profile_heatstore_memory(hs) / (1024.0 * 1024.0));
	bench_line("heatmap, full hour, 20 ms rows, live store", median(hstore), "ms", NULL, 0, peer);
	bench_line("heatmap, full hour, 20 ms rows, samples", median(hsamples), "ms", NULL, 0, NULL);
	bench_line("decayed top-list (half-life 10 s)", median(dec), "ms", NULL, 0, NULL);
	profile_decay_free(decay);
	profile_heatstore_free(hs);
	timeline_free(tl);
	profile_free(bp);
	profile_free(p);
	free(leaves);
	return 0;
}
