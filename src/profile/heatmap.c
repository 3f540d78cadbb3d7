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
	cell = &h->cells[(sec - h->first) * h->rows + (time % SECOND) / h->row_ns];
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
