/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The subsecond heatmap (FlameScope's view of a profile): seconds as
 * columns, slices of a second as rows, weight per cell. A periodic
 * problem (a timer, a GC every second, a burst at a fixed offset) shows as
 * a hot row; a one-off as a hot spot. Plain counting over sample times, so
 * report --format heatmap and the heatmap view read the same matrix, and
 * a rectangle of cells is a time window for every other view.
 */
#include "config.h"

#include "flametop/profile.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/util.h"

#define SECOND 1000000000ull

struct profile_heatmap *profile_heatmap_new(uint64_t row_ns, uint64_t from, uint64_t to,
					    struct ft_error *err)
{
	struct profile_heatmap *h;
	uint64_t first = from / SECOND, end = to / SECOND + (to % SECOND != 0), rows;

	if (row_ns < PROFILE_HEATMAP_MIN_ROW_NS || row_ns > SECOND) {
		error_set(err, "a heatmap row is 1 ms to 1 s high, not %.3f ms", (double)row_ns / 1e6);
		return NULL;
	}
	rows = (SECOND + row_ns - 1) / row_ns;
	if (end < first)
		end = first;
	if ((end - first) > PROFILE_HEATMAP_MAX_CELLS / rows) {
		error_set(err,
			  "a heatmap of %" PRIu64 " seconds in rows of %.1f ms is too large: "
			  "choose a shorter window or taller rows",
			  end - first, (double)row_ns / 1e6);
		return NULL;
	}
	h = xcalloc(1, sizeof(*h));
	h->row_ns = row_ns;
	h->rows = (uint32_t)rows;
	h->first = first;
	h->ncols = end - first;
	h->cells = xcalloc(h->ncols ? h->ncols * rows : 1, sizeof(*h->cells));
	return h;
}

void profile_heatmap_free(struct profile_heatmap *h)
{
	if (!h)
		return;
	free(h->cells);
	free(h);
}

void profile_heatmap_add(struct profile_heatmap *h, uint64_t time, uint64_t weight)
{
	uint64_t sec = time / SECOND, *cell;

	if (sec < h->first || sec - h->first >= h->ncols)
		return;
	cell = &h->cells[(sec - h->first) * h->rows + (time - sec * SECOND) / h->row_ns];
	*cell += weight;
	h->total += weight;
	if (*cell > h->max)
		h->max = *cell;
}

void profile_heatmap_span(const struct profile_heatmap *h, uint64_t c0, uint32_t r0, uint64_t c1,
			  uint32_t r1, uint64_t *from, uint64_t *to)
{
	uint64_t a = (h->first + c0) * SECOND + (uint64_t)r0 * h->row_ns;
	uint64_t b = (h->first + c1) * SECOND + (uint64_t)r1 * h->row_ns;
	uint64_t hi = a > b ? a : b;
	uint64_t row_end = (hi % SECOND) + h->row_ns > SECOND ? hi - hi % SECOND + SECOND
							      : hi + h->row_ns;

	*from = a < b ? a : b;
	*to = row_end;
}

struct profile_heatmap *profile_query_heatmap(const struct profile *p,
					      const struct profile_filter *f, uint64_t row_ns,
					      struct ft_error *err)
{
	struct profile_heatmap *h;
	struct profile_matcher m;
	uint64_t to = f->to, last = p->meta.duration_ns;
	size_t i;

	/* To the session's end, or its last sample if any comes after. */
	if (!to || to == UINT64_MAX) {
		for (i = 0; i < p->nsamples; i++)
			if (p->samples[i].time + 1 > last)
				last = p->samples[i].time + 1;
		to = last;
	}
	if (to < f->from)
		to = f->from;
	h = profile_heatmap_new(row_ns, f->from, to, err);
	if (!h)
		return NULL;
	profile_matcher_init(&m, p, f);
	for (i = 0; i < p->nsamples; i++) {
		const struct profile_sample *s = &p->samples[i];

		if (s->node < p->nnodes && profile_matcher_match(&m, p, s))
			profile_heatmap_add(h, s->time, s->weight);
	}
	profile_matcher_free(&m);
	return h;
}

/* ------------------------------------------------------------------------
 * The store for live data.
 */

/* 24 bytes: the process is the thread's, looked up when a filter asks. */
struct heat_entry {
	uint64_t weight;
	uint32_t slice; /* time / slice_ns */
	uint32_t node;
	uint32_t tid;
	uint16_t event;
};

struct profile_heatstore {
	uint64_t slice_ns;
	size_t max_entries;
	struct heat_entry *v;
	size_t start, n, cap; /* live entries are v[start .. n) */
	uint64_t since; /* complete from here */
	uint64_t newest; /* the latest sample time + 1 */
};

struct profile_heatstore *profile_heatstore_new(uint64_t slice_ns, size_t max_bytes)
{
	struct profile_heatstore *h = xcalloc(1, sizeof(*h));

	h->slice_ns = slice_ns ? slice_ns : PROFILE_HEATMAP_MIN_ROW_NS;
	h->max_entries = max_bytes / sizeof(struct heat_entry);
	if (h->max_entries < 1024)
		h->max_entries = 1024;
	return h;
}

void profile_heatstore_free(struct profile_heatstore *h)
{
	if (!h)
		return;
	free(h->v);
	free(h);
}

/* Drops the oldest `k` entries (in arrival order, which is about time order). */
static void heat_drop(struct profile_heatstore *h, size_t k)
{
	size_t i;

	if (k > h->n - h->start)
		k = h->n - h->start;
	/* Complete after the newest slice dropped. */
	for (i = h->start; i < h->start + k; i++)
		if ((uint64_t)(h->v[i].slice + 1) * h->slice_ns > h->since)
			h->since = (uint64_t)(h->v[i].slice + 1) * h->slice_ns;
	h->start += k;
	/* Compact once the dead prefix is half the array. */
	if (h->start > h->cap / 2) {
		memmove(h->v, h->v + h->start, (h->n - h->start) * sizeof(*h->v));
		h->n -= h->start;
		h->start = 0;
	}
}

void profile_heatstore_add(struct profile_heatstore *h, const struct profile_sample *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t slice = s[i].time / h->slice_ns;
		struct heat_entry *e;

		if (slice > UINT32_MAX || s[i].time < h->since)
			continue;
		if (h->n - h->start >= h->max_entries)
			heat_drop(h, h->max_entries / 8 + 1);
		if (h->n == h->cap) {
			h->cap = h->cap ? h->cap * 2 : 4096;
			if (h->cap > h->max_entries + h->max_entries / 2 + 4096)
				h->cap = h->max_entries + h->max_entries / 2 + 4096;
			h->v = xreallocarray(h->v, h->cap, sizeof(*h->v));
		}
		e = &h->v[h->n++];
		e->weight = s[i].weight;
		e->slice = (uint32_t)slice;
		e->node = s[i].node;
		e->tid = s[i].tid;
		e->event = s[i].event;
		if (s[i].time + 1 > h->newest)
			h->newest = s[i].time + 1;
	}
}

void profile_heatstore_forget(struct profile_heatstore *h, uint64_t before)
{
	size_t k = 0;

	while (h->start + k < h->n && (uint64_t)h->v[h->start + k].slice * h->slice_ns < before)
		k++;
	if (k)
		heat_drop(h, k);
	if (before > h->since)
		h->since = before;
}

uint64_t profile_heatstore_since(const struct profile_heatstore *h)
{
	return h->since;
}

size_t profile_heatstore_memory(const struct profile_heatstore *h)
{
	return sizeof(*h) + h->cap * sizeof(*h->v);
}

struct profile_heatmap *profile_heatstore_query(const struct profile_heatstore *h,
						const struct profile *p,
						const struct profile_filter *f, uint64_t row_ns,
						struct ft_error *err)
{
	struct profile_heatmap *m;
	struct profile_matcher pm;
	uint64_t to = f->to && f->to != UINT64_MAX ? f->to : h->newest;
	size_t i;

	row_ns = (row_ns + h->slice_ns - 1) / h->slice_ns * h->slice_ns;
	m = profile_heatmap_new(row_ns, f->from, to < f->from ? f->from : to, err);
	if (!m)
		return NULL;
	profile_matcher_init(&pm, p, f);
	for (i = h->start; i < h->n; i++) {
		const struct heat_entry *e = &h->v[i];
		struct profile_sample s = { .time = (uint64_t)e->slice * h->slice_ns,
					    .weight = e->weight,
					    .node = e->node,
					    .tid = e->tid,
					    .event = e->event };

		if (f->pid >= 0) {
			const struct profile_thread *th = profile_find_thread(p, e->tid);

			s.pid = th ? th->pid : UINT32_MAX;
		}

		if (s.node < p->nnodes && profile_matcher_match(&pm, p, &s))
			profile_heatmap_add(m, s.time, s.weight);
	}
	profile_matcher_free(&pm);
	return m;
}
