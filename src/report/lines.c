/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hottest source lines of a profile: what `report --lines` prints and
 * the TUI shows for the selected function. Samples carry the location
 * their leaf was hit at (a frame and a file offset in its module); the
 * profile's query sums their weight per location (profile_locs), which is
 * cheap, then this asks the symbols subsystem's libdw reader for each
 * location's file:line and merges the locations of one line (a loop's
 * instructions) into one row per line and function. Only locations that
 * were hit are looked up, each once.
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

struct report_lines *report_lines_build(const struct profile *p, const struct profile_locs *locs,
					struct symbols_lines *sl)
{
	struct report_lines *r = xcalloc(1, sizeof(*r));
	size_t i, j;

	r->total = locs->total;
	r->located = locs->located;
	r->lines = xreallocarray(NULL, locs->n ? locs->n : 1, sizeof(*r->lines));
	for (i = 0; i < locs->n; i++) {
		const struct profile_location *l = &p->locations[locs->v[i].location];
		struct report_line *row = &r->lines[r->nlines++];

		row->frame = l->frame;
		row->self = locs->v[i].weight;
		if (symbols_lines_find(sl, profile_string(p, p->frames[l->frame].module), l->offset,
				       &row->file, &row->line) < 0) {
			row->file = NULL;
			row->line = 0;
		}
	}
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
	struct profile_locs *locs = profile_query_locations(p, f, frame);
	struct report_lines *r = report_lines_build(p, locs, sl);

	profile_locs_free(locs);
	return r;
}

void report_lines_free(struct report_lines *r)
{
	if (!r)
		return;
	free(r->lines);
	free(r);
}
