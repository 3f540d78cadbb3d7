/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hottest source lines of a profile: what `report --lines` prints and
 * the TUI shows for the selected function. Samples carry the location
 * their leaf was hit at (a frame and a file offset in its module); this
 * sums their weight per location, which is cheap, then asks the symbols
 * subsystem's libdw reader for each location's file:line and merges the
 * locations of one line (a loop's instructions) into one row per line and
 * function. Only locations that were hit are looked up, each once.
 */
#include "config.h"

#include "flametop/report.h"

#include <stdlib.h>
#include <string.h>

#include "flametop/profile.h"
#include "flametop/symbols.h"
#include "flametop/util.h"

/* Orders rows by function, file (by pointer: names are interned), line. */
static int cmp_key(const void *a, const void *b)
{
	const struct report_line *x = a, *y = b;

	if (x->frame != y->frame)
		return x->frame < y->frame ? -1 : 1;
	if (x->file != y->file)
		return (uintptr_t)x->file < (uintptr_t)y->file ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Hottest first; ties by file name, line, function, so output is stable. */
static int cmp_hot(const void *a, const void *b)
{
	const struct report_line *x = a, *y = b;
	int c;

	if (x->self != y->self)
		return x->self > y->self ? -1 : 1;
	if (x->file != y->file) {
		if (!x->file || !y->file)
			return x->file ? -1 : 1;
		c = strcmp(x->file, y->file);
		if (c)
			return c;
	}
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

/*
 * Turns per-location weights (`w`, p->nlocations entries; taken) into
 * rows: resolves each location with weight, merges rows of one line.
 */
static struct report_lines *build(const struct profile *p, uint64_t *w, uint64_t total,
				  uint64_t located, struct symbols_lines *sl)
{
	struct report_lines *r = xcalloc(1, sizeof(*r));
	size_t n = 0, i, j;
	uint32_t loc;

	r->total = total;
	r->located = located;
	for (loc = 1; loc < p->nlocations; loc++)
		n += w[loc] != 0;
	r->lines = xreallocarray(NULL, n ? n : 1, sizeof(*r->lines));
	for (loc = 1; loc < p->nlocations; loc++) {
		const struct profile_location *l = &p->locations[loc];
		struct report_line *row;

		if (!w[loc])
			continue;
		row = &r->lines[r->nlines++];
		row->frame = l->frame;
		row->self = w[loc];
		if (symbols_lines_find(sl, profile_string(p, p->frames[l->frame].module), l->offset,
				       &row->file, &row->line) < 0) {
			row->file = NULL;
			row->line = 0;
		}
	}
	free(w);
	qsort(r->lines, r->nlines, sizeof(*r->lines), cmp_key);
	for (i = 0, j = 0; i < r->nlines; i++) {
		if (j && cmp_key(&r->lines[j - 1], &r->lines[i]) == 0)
			r->lines[j - 1].self += r->lines[i].self;
		else
			r->lines[j++] = r->lines[i];
	}
	r->nlines = j;
	qsort(r->lines, r->nlines, sizeof(*r->lines), cmp_hot);
	return r;
}

struct report_lines *report_lines_query(const struct profile *p, const struct profile_filter *f,
					uint32_t frame, struct symbols_lines *sl)
{
	uint64_t *w = xcalloc(p->nlocations, sizeof(*w)), total = 0, located = 0;
	struct profile_matcher m;
	size_t i;

	profile_matcher_init(&m, p, f);
	for (i = 0; i < p->nsamples; i++) {
		const struct profile_sample *s = &p->samples[i];
		uint32_t loc = s->location;

		if (s->node >= p->nnodes || !profile_matcher_match(&m, p, s))
			continue;
		if (frame != PROFILE_NO_FRAME && p->nodes[s->node].frame != frame)
			continue;
		total += s->weight;
		if (loc == PROFILE_NO_LOCATION || loc >= p->nlocations)
			continue;
		w[loc] += s->weight;
		located += s->weight;
	}
	profile_matcher_free(&m);
	return build(p, w, total, located, sl);
}

struct report_lines *report_lines_of_frame(const struct profile *p, uint32_t frame,
					   struct symbols_lines *sl)
{
	uint64_t *w = xcalloc(p->nlocations, sizeof(*w)), total = 0;
	uint32_t loc;

	for (loc = 1; loc < p->nlocations; loc++) {
		if (p->locations[loc].frame != frame)
			continue;
		w[loc] = p->locations[loc].hits;
		total += w[loc];
	}
	return build(p, w, total, total, sl);
}

void report_lines_free(struct report_lines *r)
{
	if (!r)
		return;
	free(r->lines);
	free(r);
}
