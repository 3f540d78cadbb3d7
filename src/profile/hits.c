/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where samples hit: per-location weights of the samples a filter
 * selects, the query source lines are found from, and per-chain weights
 * of those that passed through the function asked about, from which the
 * lines' totals are found. From samples as they come (a tally's, which
 * report feeds as it reads a session) or from the hits store, which
 * keeps the located samples of a live view by time, because the explorer
 * hands its samples to the timeline and clears them, and the timeline
 * keeps no addresses.
 *
 * The store is a time-ordered array of buckets, each a list of entries
 * (location, chain, node, pid, tid, event, weight): entries are appended as
 * samples come and folded (sorted and merged) when the appended part
 * outgrows the folded one, so a bucket holds each distinct entry about
 * once; a bucket time has moved past is folded and its array cut to
 * size. Memory is the entries' capacity; past the ceiling the oldest
 * buckets are dropped, and "since" moves past them. A query walks the
 * buckets overlapping the window and passes each entry through the
 * profile_matcher, as a sample of its bucket's time.
 */
#include "config.h"

#include "flametop/profile.h"

#include <stdlib.h>
#include <string.h>

#include "flametop/util.h"
#include "internal.h"

/* 32 bytes (the weight first: no hole before it). */
struct hit {
	uint64_t weight;
	uint32_t location, chain, node, pid, tid;
	uint16_t event;
};

struct hit_bucket {
	uint64_t start;
	struct hit *v;
	size_t n, cap, nfolded;
};

struct profile_hits {
	uint64_t width;
	size_t max_bytes, bytes;
	struct hit_bucket *b; /* by start */
	size_t nb, cap;
	uint64_t since;
	uint64_t *late; /* starts of the past buckets a call's samples went to */
	size_t nlate, late_cap;
};

/*
 * struct locs_acc (internal.h) sums weights per location and per chain,
 * in lists and maps to them (a chain's: its index + 1, or 0 for a chain
 * that does not pass through the function, so each chain is walked once).
 */
void locs_acc_init(struct locs_acc *a, const struct profile *p, uint32_t frame)
{
	a->p = p;
	a->l = xcalloc(1, sizeof(*a->l));
	a->l->frame = frame;
	u64map_init(&a->index);
	u64map_init(&a->chain_index);
	a->cap = a->chains_cap = 0;
}

/* Whether `chain` has a location in the function asked about. */
static bool chain_through(const struct locs_acc *a, uint32_t chain)
{
	const struct profile *p = a->p;

	if (a->l->frame == PROFILE_NO_FRAME)
		return true;
	for (; chain != PROFILE_NO_CHAIN; chain = p->chains[chain].parent)
		if (p->locations[p->chains[chain].location].frame == a->l->frame)
			return true;
	return false;
}

static void acc_chain(struct locs_acc *a, uint32_t chain, uint64_t w)
{
	struct profile_locs *l = a->l;
	uint32_t at;

	if (chain == PROFILE_NO_CHAIN || chain >= a->p->nchains)
		return;
	if (!u64map_get(&a->chain_index, chain, &at)) {
		at = 0;
		if (chain_through(a, chain)) {
			if (l->nchains == a->chains_cap) {
				a->chains_cap = a->chains_cap ? 2 * a->chains_cap : 16;
				l->chains = xreallocarray(l->chains, a->chains_cap, sizeof(*l->chains));
			}
			l->chains[l->nchains].chain = chain;
			l->chains[l->nchains].weight = 0;
			at = (uint32_t)++l->nchains;
		}
		u64map_put(&a->chain_index, chain, at);
	}
	if (!at)
		return;
	l->chains[at - 1].weight += w;
	l->chained += w;
}

static void acc_add(struct locs_acc *a, uint32_t location, uint64_t w)
{
	struct profile_locs *l = a->l;
	uint32_t at;

	l->located += w;
	if (u64map_get(&a->index, (uint64_t)location + 1, &at)) {
		l->v[at].weight += w;
		return;
	}
	if (l->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		l->v = xreallocarray(l->v, a->cap, sizeof(*l->v));
	}
	l->v[l->n].location = location;
	l->v[l->n].weight = w;
	u64map_put(&a->index, (uint64_t)location + 1, (uint32_t)l->n);
	l->n++;
}

static int cmp_loc(const void *a, const void *b)
{
	const struct profile_loc_weight *x = a, *y = b;

	return x->location < y->location ? -1 : x->location > y->location;
}

static int cmp_chain(const void *a, const void *b)
{
	const struct profile_chain_weight *x = a, *y = b;

	return x->chain < y->chain ? -1 : x->chain > y->chain;
}

struct profile_locs *locs_acc_done(struct locs_acc *a)
{
	struct profile_locs *l;

	u64map_free(&a->index);
	u64map_free(&a->chain_index);
	if (a->l->n)
		qsort(a->l->v, a->l->n, sizeof(*a->l->v), cmp_loc);
	if (a->l->nchains)
		qsort(a->l->chains, a->l->nchains, sizeof(*a->l->chains), cmp_chain);
	l = a->l;
	a->l = NULL;
	return l;
}

void locs_acc_sample(struct locs_acc *a, const struct profile_sample *s)
{
	const struct profile *p = a->p;

	acc_chain(a, s->chain, s->weight);
	if (a->l->frame != PROFILE_NO_FRAME && p->nodes[s->node].frame != a->l->frame)
		return;
	a->l->total += s->weight;
	if (s->location != PROFILE_NO_LOCATION && s->location < p->nlocations)
		acc_add(a, s->location, s->weight);
}

void locs_acc_free(struct locs_acc *a)
{
	u64map_free(&a->index);
	u64map_free(&a->chain_index);
	profile_locs_free(a->l);
	a->l = NULL;
}

struct profile_locs *profile_query_locations(const struct profile *p,
					     const struct profile_filter *f, uint32_t frame)
{
	struct profile_tally_spec spec = { .parts = PROFILE_TALLY_LOCATIONS, .frame = frame };
	struct profile_tally *t = profile_tally_new(p, f, &spec);
	struct profile_locs *l;

	profile_tally_add(t, p->samples, p->nsamples);
	l = profile_tally_locations(t);
	profile_tally_free(t);
	return l;
}

void profile_locs_free(struct profile_locs *l)
{
	if (!l)
		return;
	free(l->v);
	free(l->chains);
	free(l);
}

/* ------------------------------------------------------------------------
 * The store.
 */

struct profile_hits *profile_hits_new(uint64_t bucket_ns, size_t max_bytes)
{
	struct profile_hits *h = xcalloc(1, sizeof(*h));

	h->width = bucket_ns ? bucket_ns : 1000000000u;
	h->max_bytes = max_bytes;
	return h;
}

void profile_hits_free(struct profile_hits *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->nb; i++)
		free(h->b[i].v);
	free(h->b);
	free(h->late);
	free(h);
}

static int cmp_hit(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->location != y->location)
		return x->location < y->location ? -1 : 1;
	if (x->chain != y->chain)
		return x->chain < y->chain ? -1 : 1;
	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->event < y->event ? -1 : x->event > y->event;
}

/* Sorts a bucket's entries and merges the equal ones. */
static void fold(struct hit_bucket *b)
{
	size_t i, j;

	qsort(b->v, b->n, sizeof(*b->v), cmp_hit);
	for (i = 0, j = 0; i < b->n; i++) {
		if (j && cmp_hit(&b->v[j - 1], &b->v[i]) == 0)
			b->v[j - 1].weight += b->v[i].weight;
		else
			b->v[j++] = b->v[i];
	}
	b->n = b->nfolded = j;
}

static void drop_first(struct profile_hits *h)
{
	h->bytes -= h->b[0].cap * sizeof(struct hit);
	free(h->b[0].v);
	h->since = h->b[0].start + h->width;
	memmove(h->b, h->b + 1, (h->nb - 1) * sizeof(*h->b));
	h->nb--;
}

/*
 * A bucket that time has moved past: folded, and its array no larger than
 * its entries (doubling leaves it up to half empty). A late sample still
 * gets in; the array grows again for it, and is settled again once the
 * late samples are in (profile_hits_add).
 */
static void settle(struct profile_hits *h, struct hit_bucket *b)
{
	if (b->n != b->nfolded)
		fold(b);
	if (b->n && b->cap > b->n) {
		/* A copy, not a realloc: cutting the array in place would leave
		 * a hole behind each second's, which the heap keeps. */
		struct hit *v = xmalloc(b->n * sizeof(*v));

		memcpy(v, b->v, b->n * sizeof(*v));
		free(b->v);
		b->v = v;
		h->bytes -= (b->cap - b->n) * sizeof(*b->v);
		b->cap = b->n;
	}
}

/* The index of the first bucket starting at `start` or later. */
static size_t bucket_index(const struct profile_hits *h, uint64_t start)
{
	size_t lo = 0, hi = h->nb, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (h->b[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The bucket starting at `start`, made if new (samples come mostly in order). */
static struct hit_bucket *bucket_at(struct profile_hits *h, uint64_t start)
{
	size_t lo;

	if (h->nb && h->b[h->nb - 1].start == start)
		return &h->b[h->nb - 1];
	if (h->nb && h->b[h->nb - 1].start < start) {
		settle(h, &h->b[h->nb - 1]);
		lo = h->nb;
	} else {
		lo = bucket_index(h, start);
		if (lo < h->nb && h->b[lo].start == start)
			return &h->b[lo];
	}
	if (h->nb == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 64;
		h->b = xreallocarray(h->b, h->cap, sizeof(*h->b));
	}
	memmove(h->b + lo + 1, h->b + lo, (h->nb - lo) * sizeof(*h->b));
	memset(&h->b[lo], 0, sizeof(h->b[lo]));
	h->b[lo].start = start;
	h->nb++;
	return &h->b[lo];
}

/* Settles the bucket starting at `start` if there is one and time has moved past it. */
static void settle_late(struct profile_hits *h, uint64_t start)
{
	size_t i = bucket_index(h, start);

	if (i + 1 < h->nb && h->b[i].start == start)
		settle(h, &h->b[i]);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Late samples went to the past buckets starting at h->late: each is
 * settled once, however the samples came (samples a second apart, in
 * turn, would otherwise sort a bucket for each of them).
 */
static void settle_all_late(struct profile_hits *h)
{
	size_t i;

	if (!h->nlate)
		return; /* h->late may be NULL: qsort must not see it */
	qsort(h->late, h->nlate, sizeof(*h->late), cmp_u64);
	for (i = 0; i < h->nlate; i++)
		if (!i || h->late[i] != h->late[i - 1])
			settle_late(h, h->late[i]);
	h->nlate = 0;
}

void profile_hits_add(struct profile_hits *h, const struct profile_sample *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t start;
		struct hit_bucket *b;

		if (s[i].location == PROFILE_NO_LOCATION && s[i].chain == PROFILE_NO_CHAIN)
			continue; /* no address: nothing to keep */
		start = s[i].time - s[i].time % h->width;
		if (start < h->since)
			continue;
		b = bucket_at(h, start);
		if (b != &h->b[h->nb - 1] && (!h->nlate || h->late[h->nlate - 1] != start)) {
			if (h->nlate == h->late_cap) {
				h->late_cap = h->late_cap ? 2 * h->late_cap : 16;
				h->late = xreallocarray(h->late, h->late_cap, sizeof(*h->late));
			}
			h->late[h->nlate++] = start;
		}
		if (b->n == b->cap) {
			size_t cap = b->cap ? 2 * b->cap : 16;

			b->v = xreallocarray(b->v, cap, sizeof(*b->v));
			h->bytes += (cap - b->cap) * sizeof(*b->v);
			b->cap = cap;
		}
		b->v[b->n++] = (struct hit){ s[i].weight, s[i].location, s[i].chain, s[i].node,
					     s[i].pid,	  s[i].tid,	 s[i].event };
		if (b->n - b->nfolded > (b->nfolded > 64 ? b->nfolded : 64))
			fold(b);
	}
	settle_all_late(h);
	while (h->bytes > h->max_bytes && h->nb > 1)
		drop_first(h);
}

void profile_hits_forget(struct profile_hits *h, uint64_t before)
{
	while (h->nb && h->b[0].start + h->width <= before)
		drop_first(h);
	if (h->since < before - before % h->width)
		h->since = before - before % h->width;
}

uint64_t profile_hits_since(const struct profile_hits *h)
{
	return h->since;
}

size_t profile_hits_memory(const struct profile_hits *h)
{
	return sizeof(*h) + h->cap * sizeof(*h->b) + h->bytes;
}

struct profile_locs *profile_hits_query(struct profile_hits *h, const struct profile *p,
					const struct profile_filter *f, uint32_t frame)
{
	uint64_t to = f->to ? f->to : UINT64_MAX;
	struct profile_matcher m;
	struct locs_acc a;
	size_t i, k;

	locs_acc_init(&a, p, frame);
	profile_matcher_init(&m, p, f);
	for (i = 0; i < h->nb; i++) {
		struct hit_bucket *b = &h->b[i];
		struct profile_sample s = { 0 };

		if (b->start + h->width <= f->from || b->start >= to)
			continue;
		if (b->n != b->nfolded)
			fold(b);
		/* A bucket partly in the window counts whole. */
		s.time = b->start > f->from ? b->start : f->from;
		for (k = 0; k < b->n; k++) {
			const struct hit *e = &b->v[k];

			if (e->node >= p->nnodes || e->location >= p->nlocations)
				continue;
			s.node = e->node;
			s.pid = e->pid;
			s.tid = e->tid;
			s.event = e->event;
			if (!profile_matcher_match(&m, p, &s))
				continue;
			acc_chain(&a, e->chain, e->weight);
			if (e->location == PROFILE_NO_LOCATION ||
			    (frame != PROFILE_NO_FRAME && p->nodes[e->node].frame != frame))
				continue;
			acc_add(&a, e->location, e->weight);
		}
	}
	profile_matcher_free(&m);
	a.l->total = a.l->located;
	return locs_acc_done(&a);
}
