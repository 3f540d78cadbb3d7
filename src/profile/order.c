/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A profile's frames in order of name, kept up to date as the profile
 * grows. The call tree lists children in this order and the top-list
 * breaks ties of weight with it; both are rebuilt once a second in the
 * live view, where sorting thousands of names each time (a strcmp per
 * comparison) was most of what a frame cost. Frames are only ever added
 * to a profile, so an update sorts the new frames alone, finds each one's
 * place among the old by binary search, and merges: the string compares
 * are those of the new frames, the rest is copying.
 */
#include "config.h"

#include "flametop/profile.h"

#include <stdlib.h>
#include <string.h>

#include "flametop/util.h"

struct order_ctx {
	const struct profile *p;
	bool module;
};

static int frame_cmp(const struct order_ctx *c, uint32_t fa, uint32_t fb)
{
	const struct profile_frame *a = &c->p->frames[fa], *b = &c->p->frames[fb];
	int r = strcmp(profile_string(c->p, a->name), profile_string(c->p, b->name));

	if (!r && c->module)
		r = strcmp(profile_string(c->p, a->module), profile_string(c->p, b->module));
	if (r)
		return r;
	return fa < fb ? -1 : fa > fb;
}

static int frame_qsort_cmp(const void *a, const void *b, void *arg)
{
	return frame_cmp(arg, *(const uint32_t *)a, *(const uint32_t *)b);
}

/* The first place in by[lo, hi) whose frame orders after `f`. */
static uint32_t place(const struct order_ctx *c, const uint32_t *by, uint32_t lo, uint32_t hi,
		      uint32_t f)
{
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (frame_cmp(c, by[mid], f) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void profile_frame_order_update(struct profile_frame_order *o, const struct profile *p)
{
	struct order_ctx c = { p, o->module };
	uint32_t n = p->nframes, old = o->n, i, at, k, from;
	uint32_t *merged, *fresh;

	if (n <= old)
		return;
	fresh = xmalloc((size_t)(n - old) * sizeof(*fresh));
	for (i = old; i < n; i++)
		fresh[i - old] = i;
	qsort_r(fresh, n - old, sizeof(*fresh), frame_qsort_cmp, &c);
	merged = xmalloc((size_t)n * sizeof(*merged));
	/* Each new frame's place among the old ones, the old ones between copied. */
	for (i = 0, at = 0, k = 0; i < n - old; i++) {
		from = at;
		at = place(&c, o->by, at, old, fresh[i]);
		if (at > from) /* o->by is NULL while it is empty */
			memcpy(merged + k, o->by + from, (size_t)(at - from) * sizeof(*merged));
		k += at - from;
		merged[k++] = fresh[i];
	}
	if (old > at)
		memcpy(merged + k, o->by + at, (size_t)(old - at) * sizeof(*merged));
	free(fresh);
	free(o->by);
	o->by = merged;
	o->rank = xreallocarray(o->rank, n, sizeof(*o->rank));
	for (i = 0; i < n; i++)
		o->rank[merged[i]] = i;
	o->n = n;
}

void profile_frame_order_reset(struct profile_frame_order *o)
{
	o->n = 0;
}

void profile_frame_order_free(struct profile_frame_order *o)
{
	free(o->by);
	free(o->rank);
	o->by = o->rank = NULL;
	o->n = 0;
}
