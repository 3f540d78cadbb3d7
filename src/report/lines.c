/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hottest source lines of a profile: what `report --lines` prints and
 * the TUI shows for the selected function. Samples carry the location
 * their leaf was hit at (a frame and a file offset in its module) and the
 * chain of locations their stack was at; the profile's query sums their
 * weight per location and per chain (profile_locs), which is cheap, then
 * this asks the symbols subsystem's libdw reader for each location's
 * file:line and merges the locations of one line (a loop's instructions)
 * into one row per line and function, with its self weight (the hits
 * there) and total (the chains through it). Only locations that were hit
 * or called from are looked up, each once.
 */
#include "config.h"

#include "flametop/report.h"

#include <stdlib.h>
#include <string.h>

#include "flametop/profile.h"
#include "flametop/symbols.h"
#include "flametop/util.h"

struct key_ctx {
	const struct profile *p;
	const struct report_loc *locs;
};

/* Orders indices of locations by function, file (by pointer: names are
 * interned), line. */
static int cmp_key(const void *a, const void *b, void *arg)
{
	const struct key_ctx *k = arg;
	const struct report_loc *x = &k->locs[*(const uint32_t *)a],
				*y = &k->locs[*(const uint32_t *)b];
	uint32_t fx = k->p->locations[x->location].frame, fy = k->p->locations[y->location].frame;

	if (fx != fy)
		return fx < fy ? -1 : 1;
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
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
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

/* The index of `location` in r->locs, looked up (its line) when new. */
static uint32_t loc_index(struct report_lines *r, struct u64map *index, size_t *cap,
			  const struct profile *p, struct symbols_lines *sl, uint32_t location)
{
	const struct profile_location *l = &p->locations[location];
	struct report_loc *row;
	uint32_t at;

	if (u64map_get(index, location, &at))
		return at;
	if (r->nlocs == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		r->locs = xreallocarray(r->locs, *cap, sizeof(*r->locs));
	}
	at = (uint32_t)r->nlocs++;
	row = &r->locs[at];
	memset(row, 0, sizeof(*row));
	row->location = location;
	if (symbols_lines_find(sl, profile_string(p, p->frames[l->frame].module), l->offset,
			       profile_string(p, p->frames[l->frame].name), &row->file,
			       &row->line) < 0) {
		row->file = NULL;
		row->line = 0;
	}
	u64map_put(index, location, at);
	return at;
}

/* Drops the lines found in a module found replaced since (those before it was found so). */
static void drop_changed(struct report_lines *r, const struct profile *p, struct symbols_lines *sl)
{
	size_t i;

	for (i = 0; i < r->nlocs; i++) {
		struct report_loc *row = &r->locs[i];
		const struct profile_frame *f = &p->frames[p->locations[row->location].frame];

		if (row->file && symbols_lines_changed(sl, profile_string(p, f->module))) {
			row->file = NULL;
			row->line = 0;
		}
	}
}

static int cmp_location(const void *a, const void *b)
{
	const struct report_loc *x = a, *y = b;

	return x->location < y->location ? -1 : x->location > y->location;
}

/*
 * Each location once (the hit ones and those of the function on the
 * chains), its line looked up; the locations of one line and function
 * merged into a line; then each chain adds its weight to every location
 * and line of the function it has, once per chain (a stamp of the chain
 * on each), so recursion counts once.
 */
struct report_lines *report_lines_build(const struct profile *p, const struct profile_locs *locs,
					struct symbols_lines *sl)
{
	struct report_lines *r = xcalloc(1, sizeof(*r));
	uint32_t *order, *line_of, *loc_stamp, *line_stamp, at, c;
	struct key_ctx key = { p, NULL };
	struct u64map index;
	size_t cap = 0, i, k;

	r->total = locs->total;
	r->located = locs->located;
	r->chained = locs->chained;
	r->totals_known = profile_has_chains(p);
	u64map_init(&index);
	for (i = 0; i < locs->n; i++) {
		at = loc_index(r, &index, &cap, p, sl, locs->v[i].location);
		r->locs[at].self = locs->v[i].weight;
	}
	for (k = 0; k < locs->nchains; k++)
		for (c = locs->chains[k].chain; c != PROFILE_NO_CHAIN; c = p->chains[c].parent)
			if (locs->frame == PROFILE_NO_FRAME ||
			    p->locations[p->chains[c].location].frame == locs->frame)
				loc_index(r, &index, &cap, p, sl, p->chains[c].location);
	drop_changed(r, p, sl);

	/* Lines: the locations in (function, file, line) order, merged. */
	key.locs = r->locs;
	order = xreallocarray(NULL, r->nlocs ? r->nlocs : 1, sizeof(*order));
	line_of = xreallocarray(NULL, r->nlocs ? r->nlocs : 1, sizeof(*line_of));
	r->lines = xcalloc(r->nlocs ? r->nlocs : 1, sizeof(*r->lines));
	for (i = 0; i < r->nlocs; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, r->nlocs, sizeof(*order), cmp_key, &key);
	for (i = 0; i < r->nlocs; i++) {
		const struct report_loc *l = &r->locs[order[i]];
		struct report_line *line;

		if (!i || cmp_key(&order[i - 1], &order[i], &key) != 0) {
			line = &r->lines[r->nlines++];
			line->file = l->file;
			line->line = l->line;
			line->frame = p->locations[l->location].frame;
		}
		line_of[order[i]] = (uint32_t)(r->nlines - 1);
		r->lines[r->nlines - 1].self += l->self;
	}
	free(order);

	loc_stamp = xcalloc(r->nlocs ? r->nlocs : 1, sizeof(*loc_stamp));
	line_stamp = xcalloc(r->nlines ? r->nlines : 1, sizeof(*line_stamp));
	for (k = 0; k < locs->nchains; k++) {
		uint64_t w = locs->chains[k].weight;

		for (c = locs->chains[k].chain; c != PROFILE_NO_CHAIN; c = p->chains[c].parent) {
			if (!u64map_get(&index, p->chains[c].location, &at))
				continue; /* another function's */
			if (loc_stamp[at] != k + 1) {
				loc_stamp[at] = (uint32_t)k + 1;
				r->locs[at].total += w;
			}
			if (line_stamp[line_of[at]] != k + 1) {
				line_stamp[line_of[at]] = (uint32_t)k + 1;
				r->lines[line_of[at]].total += w;
			}
		}
	}
	free(line_stamp);
	free(loc_stamp);
	free(line_of);
	u64map_free(&index);
	/* qsort's array may not be NULL, even for no elements. */
	if (r->nlines)
		qsort(r->lines, r->nlines, sizeof(*r->lines), cmp_hot);
	if (r->nlocs)
		qsort(r->locs, r->nlocs, sizeof(*r->locs), cmp_location);
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
	free(r->locs);
	free(r);
}
