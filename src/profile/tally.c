/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tallies: the sums a query keeps of the samples a filter selects, fed a
 * batch of samples at a time, so that a reader of a session (report) can
 * count the samples of each chunk and drop them, holding the model and
 * the sums but never every sample. The whole-profile queries
 * (profile_query_top, profile_query_locations, profile_query_heatmap)
 * are a tally fed all the profile's samples at once: one code path.
 *
 * Each batch is matched once (profile_matcher, which follows a profile
 * that grows between batches), then each part asked for adds the matched
 * samples: weight per call-tree node (the top-list), weight per (node,
 * thread) (folded stacks, whose thread names are looked up at the end),
 * per code location and chain (source lines), per heatmap cell.
 */
#include "config.h"

#include "flametop/profile.h"

#include <stdlib.h>
#include <string.h>

#include "flametop/util.h"
#include "internal.h"

struct profile_tally {
	const struct profile *p;
	struct profile_filter f;
	unsigned parts;
	struct profile_matcher m;
	uint8_t *sel; /* per sample of the batch: selected */
	size_t sel_cap;

	/* NODES */
	uint64_t *node_self;
	uint32_t nnodes;
	uint64_t total, nsamples, first, last;

	/* THREADS: one sample per (node, tid), its weight summed */
	struct profile_sample *merged;
	uint64_t *merged_counts; /* the samples each of merged stands for */
	size_t nmerged, merged_cap;
	struct u64map merged_map; /* (node + 1) << 32 | tid -> index */

	struct locs_acc locs; /* LOCATIONS */
	struct heat_acc heat; /* HEATMAP */
};

struct profile_tally *profile_tally_new(const struct profile *p, const struct profile_filter *f,
					const struct profile_tally_spec *spec)
{
	struct profile_tally *t = xcalloc(1, sizeof(*t));

	t->p = p;
	t->f = *f;
	t->parts = spec->parts;
	profile_matcher_init(&t->m, p, &t->f);
	u64map_init(&t->merged_map);
	if (t->parts & PROFILE_TALLY_LOCATIONS)
		locs_acc_init(&t->locs, p, spec->frame);
	if (t->parts & PROFILE_TALLY_HEATMAP)
		heat_acc_init(&t->heat, &t->f, spec->row_ns);
	return t;
}

void profile_tally_free(struct profile_tally *t)
{
	if (!t)
		return;
	profile_matcher_free(&t->m);
	free(t->sel);
	free(t->node_self);
	free(t->merged);
	free(t->merged_counts);
	u64map_free(&t->merged_map);
	if (t->parts & PROFILE_TALLY_LOCATIONS)
		locs_acc_free(&t->locs);
	if (t->parts & PROFILE_TALLY_HEATMAP)
		heat_acc_free(&t->heat);
	free(t);
}

/* Per-node sums, and the matched samples' count, weight and times. */
static void add_nodes(struct profile_tally *t, const struct profile_sample *s, size_t n)
{
	size_t i;

	if (t->nnodes < t->p->nnodes) {
		t->node_self = xreallocarray(t->node_self, t->p->nnodes, sizeof(*t->node_self));
		memset(t->node_self + t->nnodes, 0,
		       (t->p->nnodes - t->nnodes) * sizeof(*t->node_self));
		t->nnodes = t->p->nnodes;
	}
	for (i = 0; i < n; i++) {
		if (!t->sel[i])
			continue;
		t->node_self[s[i].node] += s[i].weight;
		t->total += s[i].weight;
		if (!t->nsamples || s[i].time < t->first)
			t->first = s[i].time;
		if (!t->nsamples || s[i].time > t->last)
			t->last = s[i].time;
		t->nsamples++;
	}
}

static void add_threads(struct profile_tally *t, const struct profile_sample *s, size_t n)
{
	uint32_t idx;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t key = ((uint64_t)s[i].node + 1) << 32 | s[i].tid;

		if (!t->sel[i])
			continue;
		if (u64map_get(&t->merged_map, key, &idx)) {
			t->merged[idx].weight += s[i].weight;
			t->merged_counts[idx]++;
			continue;
		}
		if (t->nmerged == t->merged_cap) {
			t->merged_cap = t->merged_cap ? 2 * t->merged_cap : 256;
			t->merged = xreallocarray(t->merged, t->merged_cap, sizeof(*t->merged));
			t->merged_counts = xreallocarray(t->merged_counts, t->merged_cap,
							 sizeof(*t->merged_counts));
		}
		t->merged[t->nmerged] = s[i];
		t->merged_counts[t->nmerged] = 1;
		u64map_put(&t->merged_map, key, (uint32_t)t->nmerged++);
	}
}

void profile_tally_add(struct profile_tally *t, const struct profile_sample *s, size_t n)
{
	const struct profile *p = t->p;
	size_t i;

	if (t->parts & PROFILE_TALLY_HEATMAP)
		heat_acc_add(&t->heat, p, &t->m, s, n);
	if (!(t->parts & ~PROFILE_TALLY_HEATMAP))
		return;
	if (n > t->sel_cap) {
		t->sel = xrealloc(t->sel, n);
		t->sel_cap = n;
	}
	for (i = 0; i < n; i++)
		t->sel[i] = s[i].node < p->nnodes && profile_matcher_match(&t->m, p, &s[i]);
	if (t->parts & PROFILE_TALLY_NODES)
		add_nodes(t, s, n);
	if (t->parts & PROFILE_TALLY_THREADS)
		add_threads(t, s, n);
	if (t->parts & PROFILE_TALLY_LOCATIONS)
		for (i = 0; i < n; i++)
			if (t->sel[i])
				locs_acc_sample(&t->locs, &s[i]);
}

struct profile_top *profile_tally_top(const struct profile_tally *t)
{
	const struct profile *p = t->p;
	uint64_t *node_self = xcalloc(p->nnodes ? p->nnodes : 1, sizeof(*node_self));
	struct profile_top *top;

	if (t->nnodes)
		memcpy(node_self, t->node_self, t->nnodes * sizeof(*node_self));
	top = profile_top_build(p, node_self, p->nnodes);
	top->total_weight = t->total;
	top->nsamples = t->nsamples;
	top->first_time = t->first;
	top->last_time = t->last;
	return top;
}

const struct profile_sample *profile_tally_threads(const struct profile_tally *t, size_t *n)
{
	*n = t->nmerged;
	return t->merged;
}

const uint64_t *profile_tally_thread_counts(const struct profile_tally *t)
{
	return t->merged_counts;
}

struct profile_locs *profile_tally_locations(struct profile_tally *t)
{
	return locs_acc_done(&t->locs);
}

struct profile_heatmap *profile_tally_heatmap(struct profile_tally *t, struct ft_error *err)
{
	return heat_acc_done(&t->heat, t->p, err);
}

size_t profile_tally_memory(const struct profile_tally *t)
{
	size_t m = sizeof(*t) + t->sel_cap + (size_t)t->nnodes * sizeof(*t->node_self);

	m += t->merged_cap * (sizeof(*t->merged) + sizeof(*t->merged_counts)) +
	     t->merged_map.cap * 12;
	if ((t->parts & PROFILE_TALLY_HEATMAP) && t->heat.h)
		m += t->heat.cap * t->heat.h->rows * sizeof(uint64_t);
	return m;
}
