/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Queries over the profile model: which samples a filter selects, and the
 * top-list (self and total weight per function) of those samples. The
 * top-list is built in passes whose cost follows the number of distinct
 * stacks, not samples: weight is summed per leaf node, then per subtree
 * (one pass up), then each function is credited with the subtrees of its
 * outermost occurrences (the profile flags them when it interns a node),
 * so a recursive function (a -> b -> a) counts once per stack in its
 * total.
 */
#include "config.h"

#include "flametop/profile.h"

#include <stdlib.h>
#include <string.h>

#include "flametop/util.h"

void profile_filter_init(struct profile_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->pid = -1;
	f->tid = -1;
	f->event = -1;
	f->from = 0;
	f->to = UINT64_MAX;
}

/* `to` == 0 also means "no upper bound", so a zeroed filter's window is open. */
bool profile_filter_match(const struct profile_filter *f, const struct profile_sample *s)
{
	if (f->pid >= 0 && (int64_t)s->pid != f->pid)
		return false;
	if (f->tid >= 0 && (int64_t)s->tid != f->tid)
		return false;
	if (f->event >= 0 && (int)s->event != f->event)
		return false;
	if (s->time < f->from)
		return false;
	if (f->to && s->time >= f->to)
		return false;
	return true;
}

enum {
	FRAME_PLAIN = 1,
	FRAME_INCLUDE = 2,
	FRAME_EXCLUDE = 4,
	NODE_INCLUDE = 1,
	NODE_EXCLUDE = 2,
};

void profile_matcher_init(struct profile_matcher *m, const struct profile *p,
			  const struct profile_filter *f)
{
	memset(m, 0, sizeof(*m));
	m->f = f;
	m->comm_id = -1;
}

void profile_matcher_free(struct profile_matcher *m)
{
	free(m->frame_state);
	free(m->node_state);
	memset(m, 0, sizeof(*m));
}

static uint8_t frame_state(struct profile_matcher *m, const struct profile *p, uint32_t frame)
{
	const char *name;
	uint8_t st = FRAME_PLAIN;

	if (frame >= m->nframes) {
		m->frame_state = xreallocarray(m->frame_state, p->nframes, 1);
		memset(m->frame_state + m->nframes, 0, p->nframes - m->nframes);
		m->nframes = p->nframes;
	}
	if (m->frame_state[frame])
		return m->frame_state[frame];
	name = profile_string(p, p->frames[frame].name);
	if (m->f->include && regexec(m->f->include, name, 0, NULL, 0) == 0)
		st |= FRAME_INCLUDE;
	if (m->f->exclude && regexec(m->f->exclude, name, 0, NULL, 0) == 0)
		st |= FRAME_EXCLUDE;
	m->frame_state[frame] = st;
	return st;
}

/* Extends the per-node flags to every node of `p`, parents first. */
static void update_nodes(struct profile_matcher *m, const struct profile *p)
{
	uint32_t n = m->nnodes;

	m->node_state = xreallocarray(m->node_state, p->nnodes, 1);
	m->nnodes = p->nnodes;
	if (n == 0 && m->nnodes)
		m->node_state[n++] = 0; /* the root: no frame */
	for (; n < m->nnodes; n++) {
		uint8_t fs = frame_state(m, p, p->nodes[n].frame);

		m->node_state[n] = m->node_state[p->nodes[n].parent] |
				   (fs & FRAME_INCLUDE ? NODE_INCLUDE : 0) |
				   (fs & FRAME_EXCLUDE ? NODE_EXCLUDE : 0);
	}
}

bool profile_matcher_node(struct profile_matcher *m, const struct profile *p, uint32_t node)
{
	uint8_t st;

	if (!m->f->include && !m->f->exclude)
		return true;
	if (node >= p->nnodes)
		return false;
	if (node >= m->nnodes)
		update_nodes(m, p);
	st = m->node_state[node];
	if (m->f->include && !(st & NODE_INCLUDE))
		return false;
	return !(st & NODE_EXCLUDE);
}

bool profile_matcher_match(struct profile_matcher *m, const struct profile *p,
			   const struct profile_sample *s)
{
	if (!profile_filter_match(m->f, s))
		return false;
	if (m->f->comm) {
		const struct profile_thread *t;
		uint32_t id;

		if (m->comm_id < 0) {
			if (!strtab_find(&p->strings, m->f->comm, &id))
				return false;
			m->comm_id = id;
		}
		t = profile_find_thread(p, s->tid);
		if (!t || t->comm != (uint32_t)m->comm_id)
			return false;
	}
	return profile_matcher_node(m, p, s->node);
}

static int fn_stat_cmp(const void *a, const void *b, void *arg)
{
	const struct profile_fn_stat *x = a, *y = b;
	const struct profile *p = arg;
	const struct profile_frame *fx, *fy;
	int c;

	if (x->self != y->self)
		return x->self > y->self ? -1 : 1;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	fx = &p->frames[x->frame];
	fy = &p->frames[y->frame];
	c = strcmp(profile_string(p, fx->name), profile_string(p, fy->name));
	if (c)
		return c;
	c = strcmp(profile_string(p, fx->module), profile_string(p, fy->module));
	if (c)
		return c;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

/* Sorts by the byte `shift` / 8 of key(), stable, from `in` to `out`. */
static void radix_pass(const struct profile_fn_stat *in, struct profile_fn_stat *out, size_t n,
		       bool by_total, unsigned shift)
{
	size_t count[256] = { 0 }, i, at = 0;
	unsigned b;

	for (i = 0; i < n; i++)
		count[(~(by_total ? in[i].total : in[i].self) >> shift) & 0xff]++;
	for (b = 0; b < 256; b++) {
		size_t c = count[b];

		count[b] = at;
		at += c;
	}
	for (i = 0; i < n; i++)
		out[count[(~(by_total ? in[i].total : in[i].self) >> shift) & 0xff]++] = in[i];
}

/* Sorts by the byte `shift` / 8 of the frame's rank, ascending, as radix_pass. */
static void rank_pass(const struct profile_fn_stat *in, struct profile_fn_stat *out, size_t n,
		      const uint32_t *rank, unsigned shift)
{
	size_t count[256] = { 0 }, i, at = 0;
	unsigned b;

	for (i = 0; i < n; i++)
		count[(rank[in[i].frame] >> shift) & 0xff]++;
	for (b = 0; b < 256; b++) {
		size_t c = count[b];

		count[b] = at;
		at += c;
	}
	for (i = 0; i < n; i++)
		out[count[(rank[in[i].frame] >> shift) & 0xff]++] = in[i];
}

/*
 * The top-list order (fn_stat_cmp) without thousands of string compares:
 * a radix sort on (self, total), both descending, then the runs of equal
 * weights ordered by name. With `rank` (the frames' places in that order
 * of names, profile_frame_order), the rank is the radix sort's least
 * significant key and no name is compared. A byte that is the same in
 * every key (the high bytes of small weights, every byte of a self weight
 * that is 0 but in a few leaves) costs no pass: one look at all the keys
 * first says which bytes differ.
 */
static void sort_fns(struct profile_fn_stat *fns, size_t n, const struct profile *p,
		     const uint32_t *rank)
{
	struct profile_fn_stat *tmp, *a = fns, *b, *x;
	uint64_t self_or = 0, self_and = UINT64_MAX, total_or = 0, total_and = UINT64_MAX;
	uint32_t rank_or = 0, rank_and = UINT32_MAX;
	unsigned shift;
	int key;
	size_t i, j;

	if (n < 2)
		return;
	for (i = 0; i < n; i++) {
		self_or |= fns[i].self;
		self_and &= fns[i].self;
		total_or |= fns[i].total;
		total_and &= fns[i].total;
		if (rank) {
			rank_or |= rank[fns[i].frame];
			rank_and &= rank[fns[i].frame];
		}
	}
	tmp = xmalloc(n * sizeof(*tmp));
	b = tmp;
	if (rank)
		for (shift = 0; shift < 32; shift += 8)
			if ((rank_or ^ rank_and) >> shift & 0xff) {
				rank_pass(a, b, n, rank, shift);
				x = a;
				a = b;
				b = x;
			}
	/* Least significant first: total's bytes, then self's. */
	for (key = 0; key < 2; key++)
		for (shift = 0; shift < 64; shift += 8)
			if ((key == 0 ? total_or ^ total_and : self_or ^ self_and) >> shift &
			    0xff) {
				radix_pass(a, b, n, key == 0, shift);
				x = a;
				a = b;
				b = x;
			}
	if (a != fns)
		memcpy(fns, a, n * sizeof(*fns));
	free(tmp);
	if (rank)
		return;
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && fns[j].self == fns[i].self && fns[j].total == fns[i].total;
		     j++)
			;
		if (j - i > 1)
			qsort_r(fns + i, j - i, sizeof(*fns), fn_stat_cmp, (void *)p);
	}
}

struct profile_top *profile_top_build(const struct profile *p, uint64_t *node_self,
				      uint32_t nnodes)
{
	return profile_top_build_ordered(p, node_self, nnodes, NULL);
}

/* At least `n` entries of `size` in *v, growing by half again (*cap: what it holds). */
static void *grow_cap(void *v, uint32_t *cap, uint32_t n, size_t size)
{
	uint32_t c;

	if (n && n <= *cap)
		return v;
	c = n + n / 2 > n ? n + n / 2 : n;
	*cap = c ? c : 1;
	return xreallocarray(v, *cap, size);
}

/* t->fns from the per-function sums, sorted (the ties by `order`, updated
 * first, or by name without one). */
static void list_fns(struct profile_top *t, const struct profile *p, const uint64_t *self,
		     const uint64_t *total, struct profile_frame_order *order)
{
	uint32_t i;
	size_t k;

	t->nfns = 0;
	for (i = 0; i < p->nframes; i++)
		if (total[i])
			t->nfns++;
	t->fns = xreallocarray(t->fns, t->nfns ? t->nfns : 1, sizeof(*t->fns));
	memset(t->fns, 0, (t->nfns ? t->nfns : 1) * sizeof(*t->fns));
	for (i = 0, k = 0; i < p->nframes; i++) {
		if (!total[i])
			continue;
		t->fns[k].frame = i;
		t->fns[k].self = self[i];
		t->fns[k].total = total[i];
		k++;
	}
	if (order)
		profile_frame_order_update(order, p);
	sort_fns(t->fns, t->nfns, p, order ? order->rank : NULL);
	t->fns_later = false;
}

/* The rest of a top-list from t->node_self (t->nnodes entries): node_total
 * and, unless `later`, the functions, in memory `t` may already hold
 * (realloc'd). */
static void build_into(struct profile_top *t, const struct profile *p,
		       struct profile_frame_order *order, bool later)
{
	const uint64_t *node_self = t->node_self;
	uint64_t *self, *total, *sub;
	uint32_t n, nnodes = t->nnodes;

	sub = grow_cap(t->node_total, &t->total_cap, nnodes, sizeof(*sub));
	t->node_total = sub;
	t->nfns = 0;
	t->fns_later = false;
	if (!nnodes)
		return;
	/*
	 * Parents have smaller ids: one backwards pass sums every subtree,
	 * and a node's sum is whole when the pass reaches it (its children,
	 * all after it, are done), so the same pass credits its function.
	 * A function's total is the weight under its outermost calls.
	 */
	memcpy(sub, node_self, nnodes * sizeof(*sub));
	if (!p->nframes || later) {
		for (n = nnodes - 1; n > 0; n--)
			sub[p->nodes[n].parent] += sub[n];
		t->fns_later = later && p->nframes;
		return;
	}
	self = xcalloc(p->nframes, sizeof(*self));
	total = xcalloc(p->nframes, sizeof(*total));
	for (n = nnodes - 1; n > 0; n--) {
		const struct profile_node *nd = &p->nodes[n];

		sub[nd->parent] += sub[n];
		self[nd->frame] += node_self[n];
		if (p->outermost[n])
			total[nd->frame] += sub[n];
	}
	list_fns(t, p, self, total, order);
	free(total);
	free(self);
}

struct profile_top *profile_top_build_ordered(const struct profile *p, uint64_t *node_self,
					      uint32_t nnodes, struct profile_frame_order *order)
{
	struct profile_top *t = xcalloc(1, sizeof(*t));

	t->nnodes = nnodes > p->nnodes ? p->nnodes : nnodes;
	t->node_self = node_self;
	t->self_cap = t->nnodes;
	build_into(t, p, order, false);
	return t;
}

/* profile_top_rebuild(), the functions listed now or left for profile_top_functions(). */
static void rebuild(struct profile_top *t, const struct profile *p, const uint64_t *node_self,
		    uint32_t have, struct profile_frame_order *order, bool later)
{
	uint32_t nnodes = p->nnodes;

	if (have > nnodes)
		have = nnodes;
	t->node_self = grow_cap(t->node_self, &t->self_cap, nnodes, sizeof(*t->node_self));
	if (have)
		memcpy(t->node_self, node_self, have * sizeof(*t->node_self));
	memset(t->node_self + have, 0, (nnodes - have) * sizeof(*t->node_self));
	t->nnodes = nnodes;
	t->total_weight = t->nsamples = 0;
	t->first_time = t->last_time = 0;
	build_into(t, p, order, later);
}

void profile_top_rebuild(struct profile_top *t, const struct profile *p, const uint64_t *node_self,
			 uint32_t have, struct profile_frame_order *order)
{
	rebuild(t, p, node_self, have, order, false);
}

void profile_top_rebuild_nodes(struct profile_top *t, const struct profile *p,
			       const uint64_t *node_self, uint32_t have)
{
	rebuild(t, p, node_self, have, NULL, true);
}

void profile_top_functions(struct profile_top *t, const struct profile *p,
			   struct profile_frame_order *order)
{
	uint64_t *self, *total;
	uint32_t n;

	if (!t->fns_later)
		return;
	self = xcalloc(p->nframes, sizeof(*self));
	total = xcalloc(p->nframes, sizeof(*total));
	for (n = t->nnodes; n-- > 1;) {
		const struct profile_node *nd = &p->nodes[n];

		self[nd->frame] += t->node_self[n];
		if (p->outermost[n])
			total[nd->frame] += t->node_total[n];
	}
	list_fns(t, p, self, total, order);
	free(total);
	free(self);
}

/*
 * Caller frees with profile_top_free(). Samples whose node is not in the
 * tree are skipped; samples at the root (no frames) count in total_weight
 * and nsamples but credit no function.
 */
struct profile_top *profile_query_top(const struct profile *p, const struct profile_filter *f)
{
	struct profile_tally_spec spec = { .parts = PROFILE_TALLY_NODES };
	struct profile_tally *t = profile_tally_new(p, f, &spec);
	struct profile_top *top;

	profile_tally_add(t, p->samples, p->nsamples);
	top = profile_tally_top(t);
	profile_tally_free(t);
	return top;
}

uint64_t profile_top_samples(const struct profile *p, int event, const struct profile_top *t)
{
	return profile_event_counts_samples(p, event) ? t->total_weight : t->nsamples;
}

void profile_top_free(struct profile_top *t)
{
	if (!t)
		return;
	free(t->fns);
	free(t->node_self);
	free(t->node_total);
	free(t);
}
