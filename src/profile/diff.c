/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The diff of two query results: a window against another window of the
 * same data, or against a baseline session. What changed is the share of
 * each side's total a function (or a stack) has, so two windows of
 * different lengths, or two sessions sampled at different rates, compare
 * fairly. Functions are matched across profiles by name and module, the
 * module by its base name, so a baseline recorded on another machine (other
 * library paths, other string and frame ids) still lines up; stacks are
 * matched frame by frame from the root the same way. The report, the diff
 * top-list and the diff flame graph all read this one model.
 */
#include "config.h"

#include "flametop/profile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/util.h"

int profile_diff_check_units(const char *unit, const char *base_unit, struct ft_error *err)
{
	if (strcmp(unit, base_unit) == 0)
		return 0;
	error_set(err,
		  "the baseline's weights are in %s and this profile's in %s: different units "
		  "cannot be compared",
		  base_unit, unit);
	return -EINVAL;
}

double profile_diff_share(uint64_t part, uint64_t whole)
{
	return whole ? (double)part / (double)whole : 0.0;
}

static const char *frame_name(const struct profile *p, uint32_t frame)
{
	return profile_string(p, p->frames[frame].name);
}

static const char *frame_module(const struct profile *p, uint32_t frame)
{
	return util_basename(profile_string(p, p->frames[frame].module));
}

/* The identity of a function across profiles: its name and module base name. */
static uint64_t fn_key(const struct profile *p, uint32_t frame)
{
	const char *n = frame_name(p, frame), *m = frame_module(p, frame);

	return util_hash_bytes(n, strlen(n)) ^ util_hash_u64(util_hash_bytes(m, strlen(m)) + 1);
}

static bool same_fn(const struct profile *p, uint32_t f, const struct profile *bp, uint32_t bf)
{
	if (p == bp && f == bf)
		return true;
	return strcmp(frame_name(p, f), frame_name(bp, bf)) == 0 &&
	       strcmp(frame_module(p, f), frame_module(bp, bf)) == 0;
}

const char *profile_diff_name(const struct profile_diff *d, const struct profile_diff_fn *f)
{
	return f->frame != PROFILE_NO_FRAME ? frame_name(d->p, f->frame)
					    : frame_name(d->bp, f->base_frame);
}

const char *profile_diff_module(const struct profile_diff *d, const struct profile_diff_fn *f)
{
	return f->frame != PROFILE_NO_FRAME ? profile_string(d->p, d->p->frames[f->frame].module)
					    : profile_string(d->bp, d->bp->frames[f->base_frame].module);
}

/* Entry of `fns` for function `frame` of `fp` (one side), made if new. */
static struct profile_diff_fn *fn_entry(struct profile_diff *d, size_t *cap, struct u64map *map,
					const struct profile *fp, uint32_t frame, bool base)
{
	uint64_t key = fn_key(fp, frame);
	struct profile_diff_fn *e;
	uint32_t idx;

	if (u64map_get(map, key, &idx)) {
		e = &d->fns[idx];
		/* The entry's function, from either side, must be this one; a
		 * hash collision (never seen) keeps them apart, unmatched. */
		if (e->frame != PROFILE_NO_FRAME ? same_fn(fp, frame, d->p, e->frame)
						 : same_fn(fp, frame, d->bp, e->base_frame)) {
			if (base && e->base_frame == PROFILE_NO_FRAME)
				e->base_frame = frame;
			if (!base && e->frame == PROFILE_NO_FRAME)
				e->frame = frame;
			return e;
		}
	}
	if (d->nfns == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		d->fns = xreallocarray(d->fns, *cap, sizeof(*d->fns));
	}
	idx = (uint32_t)d->nfns++;
	e = &d->fns[idx];
	memset(e, 0, sizeof(*e));
	e->frame = base ? PROFILE_NO_FRAME : frame;
	e->base_frame = base ? frame : PROFILE_NO_FRAME;
	if (!u64map_get(map, key, &(uint32_t){ 0 }))
		u64map_put(map, key, idx);
	return e;
}

/* Per frame of p: the baseline's frame of the same function, or PROFILE_NO_FRAME. */
static uint32_t *map_frames(const struct profile *p, const struct profile *bp)
{
	uint32_t *fmap = xmalloc((p->nframes ? p->nframes : 1) * sizeof(*fmap));
	struct u64map bmap;
	uint32_t f, bf;

	u64map_init(&bmap);
	for (bf = 0; bf < bp->nframes; bf++) {
		uint64_t key = fn_key(bp, bf);

		if (!u64map_get(&bmap, key, &(uint32_t){ 0 }))
			u64map_put(&bmap, key, bf);
	}
	for (f = 0; f < p->nframes; f++)
		fmap[f] = u64map_get(&bmap, fn_key(p, f), &bf) && same_fn(p, f, bp, bf)
				  ? bf
				  : PROFILE_NO_FRAME;
	u64map_free(&bmap);
	return fmap;
}

/* base_node_total: per node of p, the weight of the same stack in `base`. */
static void map_nodes(struct profile_diff *d, const struct profile_top *base)
{
	const struct profile *p = d->p, *bp = d->bp;
	uint32_t *bnode, *fmap, n;

	d->nnodes = p->nnodes;
	d->base_node_total = xcalloc(p->nnodes ? p->nnodes : 1, sizeof(*d->base_node_total));
	if (!base->node_total)
		return;
	if (p == bp) {
		for (n = 0; n < p->nnodes && n < base->nnodes; n++)
			d->base_node_total[n] = base->node_total[n];
		return;
	}
	fmap = map_frames(p, bp);
	bnode = xmalloc((p->nnodes ? p->nnodes : 1) * sizeof(*bnode));
	bnode[PROFILE_ROOT] = PROFILE_ROOT;
	/* Parents come before their children (profile.h). */
	for (n = 1; n < p->nnodes; n++) {
		uint32_t parent = bnode[p->nodes[n].parent], bf = fmap[p->nodes[n].frame];

		bnode[n] = parent == PROFILE_NO_NODE || bf == PROFILE_NO_FRAME
				   ? PROFILE_NO_NODE
				   : profile_find_node(bp, parent, bf);
	}
	for (n = 0; n < p->nnodes; n++)
		if (bnode[n] != PROFILE_NO_NODE && bnode[n] < base->nnodes)
			d->base_node_total[n] = base->node_total[bnode[n]];
	free(bnode);
	free(fmap);
}

/* The deltas of every entry, from its weights and the totals. */
static void set_deltas(struct profile_diff *d)
{
	size_t i;

	for (i = 0; i < d->nfns; i++) {
		struct profile_diff_fn *e = &d->fns[i];

		e->delta = profile_diff_share(e->self, d->total) -
			   profile_diff_share(e->base_self, d->base_total);
		e->delta_total = profile_diff_share(e->total, d->total) -
				 profile_diff_share(e->base_total, d->base_total);
	}
}

static struct profile_diff *diff_alloc(const struct profile *p, const struct profile_top *now,
				       const struct profile *bp, const struct profile_top *base)
{
	struct profile_diff *d = xcalloc(1, sizeof(*d));

	d->p = p;
	d->bp = bp;
	d->total = now->total_weight;
	d->base_total = base->total_weight;
	return d;
}

struct profile_diff *profile_diff_new(const struct profile *p, const struct profile_top *now,
				      const struct profile *bp, const struct profile_top *base)
{
	struct profile_diff *d = diff_alloc(p, now, bp, base);
	struct u64map map;
	size_t cap = 0, i;

	u64map_init(&map);
	for (i = 0; i < now->nfns; i++) {
		const struct profile_fn_stat *s = &now->fns[i];
		struct profile_diff_fn *e;

		if (!s->self && !s->total)
			continue;
		e = fn_entry(d, &cap, &map, p, s->frame, false);
		e->self += s->self;
		e->total += s->total;
	}
	for (i = 0; i < base->nfns; i++) {
		const struct profile_fn_stat *s = &base->fns[i];
		struct profile_diff_fn *e;

		if (!s->self && !s->total)
			continue;
		e = fn_entry(d, &cap, &map, bp, s->frame, true);
		e->base_self += s->self;
		e->base_total += s->total;
	}
	u64map_free(&map);
	set_deltas(d);
	map_nodes(d, base);
	profile_diff_sort(d, PROFILE_DIFF_BY_CHANGE);
	return d;
}

void profile_diff_free(struct profile_diff *d)
{
	if (!d)
		return;
	free(d->fns);
	free(d->base_node_total);
	free(d);
}

double profile_diff_node_delta(const struct profile_diff *d, uint32_t node, uint64_t total_now)
{
	uint64_t base = node < d->nnodes ? d->base_node_total[node] : 0;

	return profile_diff_share(total_now, d->total) - profile_diff_share(base, d->base_total);
}

struct sort_ctx {
	const struct profile_diff *d;
	enum profile_diff_order order;
};

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a > b ? -1 : a < b;
}

static int cmp_fn(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *c = arg;
	const struct profile_diff_fn *x = a, *y = b;
	int r;

	if (c->order == PROFILE_DIFF_BY_CHANGE) {
		double dx = x->delta < 0 ? -x->delta : x->delta;
		double dy = y->delta < 0 ? -y->delta : y->delta;

		if (dx != dy)
			return dx > dy ? -1 : 1;
		if (x->delta != y->delta) /* more before less */
			return x->delta > y->delta ? -1 : 1;
	}
	/* The hottest first among those that changed alike (all of them in
	 * a diff of a session with itself), not the first name. */
	if ((r = cmp_u64_desc(x->self, y->self)) != 0 ||
	    (r = cmp_u64_desc(x->base_self, y->base_self)) != 0)
		return r;
	if ((r = strcmp(profile_diff_name(c->d, x), profile_diff_name(c->d, y))) != 0 ||
	    (r = strcmp(profile_diff_module(c->d, x), profile_diff_module(c->d, y))) != 0)
		return r;
	if (x->frame != y->frame)
		return x->frame < y->frame ? -1 : 1;
	return x->base_frame < y->base_frame ? -1 : x->base_frame > y->base_frame;
}

void profile_diff_sort(struct profile_diff *d, enum profile_diff_order order)
{
	struct sort_ctx c = { d, order };

	if (d->nfns > 1)
		qsort_r(d->fns, d->nfns, sizeof(*d->fns), cmp_fn, &c);
}

/* ------------------------------------------------------------------------
 * Diffs of one profile against itself, through a cache.
 */

/* Knows the frames added to c->p since the last diff (all of them for
 * another profile): their function and their place in name order. */
static void cache_update(struct profile_diff_cache *c, const struct profile *p)
{
	uint32_t f, g;

	if (c->p != p || p->nframes < c->n) {
		u64map_free(&c->map);
		profile_frame_order_reset(&c->order);
		c->n = 0;
		c->p = p;
	}
	c->order.module = true;
	profile_frame_order_update(&c->order, p);
	if (p->nframes <= c->n)
		return;
	c->fn = xreallocarray(c->fn, p->nframes, sizeof(*c->fn));
	for (f = c->n; f < p->nframes; f++) {
		uint64_t key = fn_key(p, f);

		if (!u64map_get(&c->map, key, &g)) {
			u64map_put(&c->map, key, f);
			g = f;
		} else if (!same_fn(p, f, p, g)) {
			g = f; /* a hash collision (never seen): a function of its own */
		}
		c->fn[f] = g;
	}
	if (p->nframes > c->entry_cap) {
		c->entry = xreallocarray(c->entry, p->nframes, sizeof(*c->entry));
		for (f = c->entry_cap; f < p->nframes; f++)
			c->entry[f] = UINT32_MAX;
		c->entry_cap = p->nframes;
	}
	c->n = p->nframes;
}

/* Adds one side's functions, matched to the entries through c->fn. */
static void add_side(struct profile_diff *d, const struct profile_top *t, bool base,
		     struct profile_diff_cache *c)
{
	size_t i;

	for (i = 0; i < t->nfns; i++) {
		const struct profile_fn_stat *s = &t->fns[i];
		uint32_t fn = c->fn[s->frame];
		struct profile_diff_fn *e;

		if (!s->self && !s->total)
			continue;
		if (c->entry[fn] == UINT32_MAX) {
			c->entry[fn] = (uint32_t)d->nfns;
			e = &d->fns[d->nfns++];
			memset(e, 0, sizeof(*e));
			e->frame = e->base_frame = PROFILE_NO_FRAME;
		}
		e = &d->fns[c->entry[fn]];
		if (base) {
			if (e->base_frame == PROFILE_NO_FRAME)
				e->base_frame = s->frame;
			e->base_self += s->self;
			e->base_total += s->total;
		} else {
			if (e->frame == PROFILE_NO_FRAME)
				e->frame = s->frame;
			e->self += s->self;
			e->total += s->total;
		}
	}
}

/* An entry's place in the order by change (cmp_fn's): the size of the
 * change, descending, then more before less, then self and base self,
 * descending, then the name and module by their rank among the profile's
 * frames (entries are distinct functions, so no two tie there). */
struct change_key {
	uint64_t change; /* |delta|'s bits, shifted left, and 1 when delta > 0 */
	uint64_t self, base_self;
	uint32_t rank;
	uint32_t i; /* the entry */
};

/* The keys of the order by change, least significant first. */
enum change_field { BY_RANK, BY_BASE_SELF, BY_SELF, BY_CHANGE };

/* The byte `shift` / 8 of `k`'s field `by`, in the order it sorts in: the
 * rank ascending, the others descending. */
static unsigned key_byte(const struct change_key *k, enum change_field by, unsigned shift)
{
	uint64_t v = by == BY_RANK	? k->rank :
		     by == BY_BASE_SELF ? ~k->base_self :
		     by == BY_SELF	? ~k->self :
					  ~k->change;

	return (unsigned)(v >> shift & 0xff);
}

/* Sorts by the byte `shift` / 8 of the field `by` (the rank ascending,
 * the others descending), stable, from `in` to `out`; false (and nothing
 * moved) when every key has the same byte there. */
static bool change_pass(const struct change_key *in, struct change_key *out, size_t n,
			enum change_field by, unsigned shift)
{
	size_t count[256] = { 0 }, i, at = 0;
	unsigned b;

#define KEY_BYTE(k) key_byte(&(k), by, shift)
	for (i = 0; i < n; i++)
		count[KEY_BYTE(in[i])]++;
	for (b = 0; b < 256; b++) {
		size_t k = count[b];

		if (k == n)
			return false;
		count[b] = at;
		at += k;
	}
	for (i = 0; i < n; i++)
		out[count[KEY_BYTE(in[i])]++] = in[i];
#undef KEY_BYTE
	return true;
}

/* profile_diff_sort(d, PROFILE_DIFF_BY_CHANGE) for a diff of c->p against
 * itself: a radix sort, least significant key first. */
static void sort_by_change(struct profile_diff *d, const struct profile_diff_cache *c)
{
	size_t n = d->nfns, i, bits;
	struct change_key *a = xmalloc((n ? n : 1) * sizeof(*a)),
			  *b = xmalloc((n ? n : 1) * sizeof(*b)), *x;
	struct profile_diff_fn *sorted;
	unsigned shift;
	int by;

	for (i = 0; i < n; i++) {
		const struct profile_diff_fn *e = &d->fns[i];
		double size = e->delta < 0 ? -e->delta : e->delta;
		uint64_t u;

		if (size == 0)
			size = 0.0; /* not -0.0, whose bits differ */
		memcpy(&u, &size, sizeof(u));
		a[i].change = u << 1 | (e->delta > 0);
		a[i].self = e->self;
		a[i].base_self = e->base_self;
		a[i].rank = c->order.rank[e->frame != PROFILE_NO_FRAME ? e->frame : e->base_frame];
		a[i].i = (uint32_t)i;
	}
	for (by = BY_RANK; by <= BY_CHANGE; by++) {
		bits = by == BY_RANK ? 32 : 64;
		for (shift = 0; shift < bits; shift += 8)
			if (change_pass(a, b, n, (enum change_field)by, shift)) {
				x = a;
				a = b;
				b = x;
			}
	}
	sorted = xmalloc((n ? n : 1) * sizeof(*sorted));
	for (i = 0; i < n; i++)
		sorted[i] = d->fns[a[i].i];
	free(d->fns);
	d->fns = sorted;
	free(a);
	free(b);
}

struct profile_diff *profile_diff_new_cached(const struct profile *p, const struct profile_top *now,
					     const struct profile *bp,
					     const struct profile_top *base,
					     struct profile_diff_cache *c, unsigned parts)
{
	struct profile_diff *d;
	size_t i;

	if (bp != p || (!c && (parts & PROFILE_DIFF_FNS)))
		return profile_diff_new(p, now, bp, base);
	d = diff_alloc(p, now, bp, base);
	if (parts & PROFILE_DIFF_NODES)
		map_nodes(d, base);
	if (!(parts & PROFILE_DIFF_FNS))
		return d;
	cache_update(c, p);
	d->fns = xmalloc((now->nfns + base->nfns ? now->nfns + base->nfns : 1) * sizeof(*d->fns));
	add_side(d, now, false, c);
	add_side(d, base, true, c);
	for (i = 0; i < d->nfns; i++) {
		const struct profile_diff_fn *e = &d->fns[i];

		c->entry[c->fn[e->frame != PROFILE_NO_FRAME ? e->frame : e->base_frame]] =
			UINT32_MAX;
	}
	set_deltas(d);
	sort_by_change(d, c);
	return d;
}

void profile_diff_cache_free(struct profile_diff_cache *c)
{
	free(c->fn);
	free(c->entry);
	u64map_free(&c->map);
	profile_frame_order_free(&c->order);
	memset(c, 0, sizeof(*c));
}
