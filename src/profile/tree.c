/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Trees of one query result: the call tree (CALLS) and the trees merged
 * from it (INVERTED, CALLERS, CALLEES), the model of every flame graph the
 * views draw and of the callers/callees lists. See profile.h for what
 * each kind holds.
 *
 * A CALLS tree is the query's per-node weights over the profile's own
 * nodes: building it copies two arrays. Children are listed lazily, the
 * first time a node's are asked for: the profile's children with weight,
 * sorted by the frames' rank by name (frames are ranked once, and again
 * only for frames that appeared since). A layout asks only for the boxes
 * it can draw, so a frame costs what is on the screen. A list depends on
 * weights only through which children have any, and new frames keep the
 * old ones' order: so a tree rebuilt on the same profile keeps the lists
 * of the nodes none of whose children got or lost all weight, found by
 * one pass in id order over the weights (the live view's frame walked
 * and sorted each box's children again, a cache miss per child).
 *
 * A merged node stands for a set of "items": nodes of the CALLS tree with
 * a weight each. Listing its children moves every item one step (to the
 * node's parent for INVERTED and CALLERS, to each child for CALLEES) and
 * groups the results by frame, one child per frame, with the items it
 * got. The inverted root's items are every node with self weight; a
 * CALLERS or CALLEES root's are the function's outermost occurrences.
 * The cost is the items of the nodes looked at, so the bottom-up view of
 * a 100k-node profile lists its first rows without walking every stack.
 * An inverted tree's items are linked to the items they became one
 * level further: built again on the same stacks with other weights (the
 * live view's next frame, when samples fell on stacks it had), it keeps
 * its nodes and lists and follows those links from each leaf whose
 * weight moved, with no grouping or sorting.
 */
#include "config.h"

#include "flametop/profile.h"

#include <stdlib.h>
#include <string.h>

#include "flametop/util.h"

#define NONE PROFILE_NO_NODE

struct profile_tree_item {
	uint32_t node; /* of the CALLS tree */
	uint32_t owner; /* the merged node it is an item of */
	/* Upward kinds: the item it became in the child of `owner` it was
	 * moved to (NONE before that is listed, or when it reached the
	 * root); in t->step, the item it comes from. */
	uint32_t next;
	uint64_t weight;
};

struct profile_tree_group {
	uint32_t frame;
	uint32_t count; /* items */
	uint64_t self, total;
};

/* A CALLS tree's root alone, before any query. */
static const uint64_t no_weight[1];

void profile_tree_free(struct profile_tree *t)
{
	if (!t)
		return;
	free(t->own_self);
	free(t->own_total);
	free(t->own);
	free(t->first_child);
	free(t->next_sibling);
	free(t->listed);
	free(t->weighed);
	free(t->item_first);
	free(t->item_count);
	free(t->items);
	profile_frame_order_free(&t->order);
	free(t->scratch);
	free(t->slot);
	free(t->groups);
	free(t->step);
	free(t->keys);
	free(t);
}

/* Room for `need` nodes in every per-node array. */
static void reserve(struct profile_tree *t, size_t need)
{
	size_t cap = t->cap ? t->cap : 64;

	if (need <= t->cap)
		return;
	while (cap < need)
		cap *= 2;
	t->first_child = xreallocarray(t->first_child, cap, sizeof(*t->first_child));
	t->next_sibling = xreallocarray(t->next_sibling, cap, sizeof(*t->next_sibling));
	t->listed = xreallocarray(t->listed, cap, 1);
	if (t->kind != PROFILE_TREE_CALLS || t->own) {
		t->own = xreallocarray(t->own, cap, sizeof(*t->own));
		t->own_self = xreallocarray(t->own_self, cap, sizeof(*t->own_self));
		t->own_total = xreallocarray(t->own_total, cap, sizeof(*t->own_total));
		if (t->kind != PROFILE_TREE_CALLS) {
			t->self = t->own_self;
			t->total = t->own_total;
		}
		t->item_first = xreallocarray(t->item_first, cap, sizeof(*t->item_first));
		t->item_count = xreallocarray(t->item_count, cap, sizeof(*t->item_count));
	}
	t->cap = (uint32_t)cap;
}

struct profile_tree *profile_tree_new(void)
{
	struct profile_tree *t = xcalloc(1, sizeof(*t));

	t->kind = PROFILE_TREE_CALLS;
	t->frame = PROFILE_NO_FRAME;
	reserve(t, 1);
	t->nnodes = 1;
	t->self = t->total = no_weight;
	t->first_child[PROFILE_ROOT] = t->next_sibling[PROFILE_ROOT] = NONE;
	t->listed[PROFILE_ROOT] = 1; /* no profile yet: the root alone */
	return t;
}

static void *grow(void *v, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 64;

	if (need <= *cap)
		return v;
	while (c < need)
		c *= 2;
	*cap = c;
	return xreallocarray(v, c, size);
}

uint32_t profile_tree_parent(const struct profile_tree *t, uint32_t node)
{
	if (node >= t->nnodes)
		return PROFILE_ROOT;
	return t->kind == PROFILE_TREE_CALLS ? t->p->nodes[node].parent : t->own[node].parent;
}

uint32_t profile_tree_frame(const struct profile_tree *t, uint32_t node)
{
	if (node >= t->nnodes)
		return PROFILE_NO_FRAME;
	return t->kind == PROFILE_TREE_CALLS ? t->p->nodes[node].frame : t->own[node].frame;
}

void profile_tree_calls(struct profile_tree *t, const struct profile *p,
			const struct profile_top *top)
{
	uint32_t n = top && top->nnodes ? top->nnodes : 1, old = t->nnodes, c;
	bool keep;

	if (n > p->nnodes)
		n = p->nnodes;
	/* The lists made for the same profile, which only grows, can stay. */
	keep = t->p == p && t->kind == PROFILE_TREE_CALLS && t->weighed && old <= n &&
	       t->seen_nnodes <= p->nnodes;
	if (t->p != p || t->kind != PROFILE_TREE_CALLS)
		profile_frame_order_reset(&t->order); /* ranks are of one profile */
	t->kind = PROFILE_TREE_CALLS;
	t->p = p;
	t->calls = NULL;
	t->frame = PROFILE_NO_FRAME;
	reserve(t, n);
	t->weighed = grow(t->weighed, &t->weighed_cap, n, 1);
	t->nnodes = n;
	t->seen_nnodes = p->nnodes;
	if (top && top->nnodes) {
		t->self = top->node_self;
		t->total = top->node_total;
	} else {
		t->self = t->total = no_weight;
	}
	if (!keep) {
		memset(t->listed, 0, n);
		for (c = 0; c < n; c++)
			t->weighed[c] = t->total[c] != 0;
	} else {
		/* A node whose weight came or went changes its parent's list. */
		memset(t->listed + old, 0, n - old);
		for (c = 1; c < n; c++) {
			uint8_t w = t->total[c] != 0;

			/* An old node whose weight came or went; a node new
			 * to the tree is in no list yet, but for its weight. */
			if (c < old ? t->weighed[c] != w : w)
				t->listed[p->nodes[c].parent] = 0;
			t->weighed[c] = w;
		}
	}
	profile_frame_order_update(&t->order, p);
}

/* The ranks of the CALLS tree a tree comes from. */
static const uint32_t *ranks(const struct profile_tree *t)
{
	return t->kind == PROFILE_TREE_CALLS ? t->order.rank : t->calls->order.rank;
}

/* Sorts `n` keys: insertion for a few, else a radix sort (a byte that is
 * the same in every key costs one count), `tmp` holding n more. */
static void sort_keys(uint64_t *v, uint64_t *tmp, size_t n)
{
	uint64_t *in = v, *out = tmp, *x;
	unsigned shift;
	size_t i, j;

	if (n < 32) {
		for (i = 1; i < n; i++) {
			uint64_t k = v[i];

			for (j = i; j > 0 && v[j - 1] > k; j--)
				v[j] = v[j - 1];
			v[j] = k;
		}
		return;
	}
	for (shift = 0; shift < 64; shift += 8) {
		size_t count[256] = { 0 }, at = 0;
		bool same = false;
		unsigned b;

		for (i = 0; i < n; i++)
			count[(in[i] >> shift) & 0xff]++;
		for (b = 0; b < 256; b++) {
			size_t c = count[b];

			same = same || c == n;
			count[b] = at;
			at += c;
		}
		if (same)
			continue;
		for (i = 0; i < n; i++)
			out[count[(in[i] >> shift) & 0xff]++] = in[i];
		x = in;
		in = out;
		out = x;
	}
	if (in != v)
		memcpy(v, in, n * sizeof(*v));
}

/*
 * Links `k` children (in t->scratch) under `node`, sorted by their
 * frames' rank by name, then id: the key of each is (rank, id) in one
 * integer, so the sort compares no strings and calls nothing.
 */
static void link_children(struct profile_tree *t, uint32_t node, size_t k)
{
	const uint32_t *rank = ranks(t);
	uint64_t *keys;
	size_t i;

	t->keys = grow(t->keys, &t->keys_cap, 2 * (k ? k : 1), sizeof(*t->keys));
	keys = t->keys;
	for (i = 0; i < k; i++) {
		uint32_t c = t->scratch[i], f = profile_tree_frame(t, c);

		keys[i] = (uint64_t)(f == PROFILE_NO_FRAME ? UINT32_MAX : rank[f]) << 32 | c;
	}
	sort_keys(keys, keys + k, k);
	t->first_child[node] = k ? (uint32_t)keys[0] : NONE;
	for (i = 0; i < k; i++)
		t->next_sibling[(uint32_t)keys[i]] = i + 1 < k ? (uint32_t)keys[i + 1] : NONE;
	t->listed[node] = 1;
}

static void list_calls(struct profile_tree *t, uint32_t node)
{
	const struct profile *p = t->p;
	size_t k = 0;
	uint32_t c;

	for (c = p->first_child[node]; c != NONE; c = p->next_sibling[c]) {
		if (c >= t->nnodes || !t->total[c])
			continue;
		t->scratch = grow(t->scratch, &t->scratch_cap, k + 1, sizeof(*t->scratch));
		t->scratch[k++] = c;
	}
	link_children(t, node, k);
}

/* ------------------------------------------------------------------------
 * Merged trees.
 */

static bool upward(const struct profile_tree *t)
{
	return t->kind == PROFILE_TREE_INVERTED || t->kind == PROFILE_TREE_CALLERS;
}

static void add_item(struct profile_tree *t, uint32_t node, uint64_t weight)
{
	t->items = grow(t->items, &t->items_cap, t->nitems + 1, sizeof(*t->items));
	t->items[t->nitems].node = node;
	t->items[t->nitems].owner = PROFILE_ROOT;
	t->items[t->nitems].next = NONE;
	t->items[t->nitems].weight = weight;
	t->nitems++;
}

/* A grouping slot for each of the source's frames, all empty. */
static void size_slots(struct profile_tree *t)
{
	uint32_t nframes = t->calls->order.n;

	if (t->nslot < nframes) {
		t->slot = xreallocarray(t->slot, nframes, sizeof(*t->slot));
		memset(t->slot + t->nslot, 0xff, (nframes - t->nslot) * sizeof(*t->slot));
		t->nslot = nframes;
	}
}

static void reset_merged(struct profile_tree *t, enum profile_tree_kind kind,
			 const struct profile_tree *calls, uint32_t frame)
{
	t->kind = kind;
	t->p = calls->p;
	t->calls = calls;
	t->frame = frame;
	profile_frame_order_reset(&t->order);
	reserve(t, 1);
	if (!t->own) {
		/* A tree used for CALLS before: its merged arrays start now. */
		t->cap = 0;
		reserve(t, 1);
	}
	t->self = t->own_self;
	t->total = t->own_total;
	t->nnodes = 1;
	t->nitems = 0;
	t->own[PROFILE_ROOT].parent = PROFILE_ROOT;
	t->own[PROFILE_ROOT].frame = frame;
	t->own_self[PROFILE_ROOT] = t->own_total[PROFILE_ROOT] = 0;
	t->listed[PROFILE_ROOT] = 0;
	t->first_child[PROFILE_ROOT] = NONE;
	t->next_sibling[PROFILE_ROOT] = NONE;
	t->item_first[PROFILE_ROOT] = 0;
	t->item_count[PROFILE_ROOT] = 0;
	size_slots(t);
}

/* The root's items: the outermost occurrences of `frame`, with their totals. */
static void root_of_function(struct profile_tree *t)
{
	const struct profile_tree *calls = t->calls;
	const struct profile *p = calls->p;
	uint32_t n;

	if (t->frame == PROFILE_NO_FRAME)
		return;
	for (n = 1; n < calls->nnodes; n++) {
		uint64_t w = calls->total[n];

		if (!w || p->nodes[n].frame != t->frame || !p->outermost[n])
			continue;
		add_item(t, n, w);
		t->own_total[PROFILE_ROOT] += w;
		if (t->kind == PROFILE_TREE_CALLEES)
			t->own_self[PROFILE_ROOT] += calls->self[n];
		else if (p->nodes[n].parent == PROFILE_ROOT)
			t->own_self[PROFILE_ROOT] += w;
	}
	t->item_count[PROFILE_ROOT] = (uint32_t)t->nitems;
}

/*
 * Weighs an INVERTED tree of `calls` again, keeping its nodes and lists,
 * when the stacks with self weight are still the ones its root holds
 * (same nodes, in id order): only their weights moved. A leaf whose
 * weight moved adds the difference to the items it became, following
 * their `next` links, and to their nodes. Returns false, with the tree
 * left for a rebuild, when the stacks are not the same.
 */
static bool reweigh_inverted(struct profile_tree *t, const struct profile_tree *calls)
{
	const struct profile_node *nodes = calls->p->nodes;
	size_t nroot = t->item_count[PROFILE_ROOT], nwith = 0, j;
	uint32_t n, k;

	/* As many stacks with weight as the root holds, and each of those
	 * has weight: the same set. */
	for (n = 1; n < calls->nnodes; n++)
		nwith += calls->self[n] != 0;
	if (nwith != nroot)
		return false;
	for (j = 0; j < nroot; j++) {
		struct profile_tree_item *it = &t->items[j];
		uint64_t w = it->node < calls->nnodes ? calls->self[it->node] : 0, d;

		if (!w)
			return false;
		if (w == it->weight)
			continue;
		d = w - it->weight; /* modulo 2^64: adding it subtracts too */
		it->weight = w;
		for (k = it->next; k != NONE; k = t->items[k].next) {
			struct profile_tree_item *x = &t->items[k];

			x->weight += d;
			t->own_total[x->owner] += d;
			/* A stack that starts here (item_self(), upwards). */
			if (nodes[x->node].parent == PROFILE_ROOT)
				t->own_self[x->owner] += d;
		}
	}
	t->own_self[PROFILE_ROOT] = calls->self[PROFILE_ROOT];
	t->own_total[PROFILE_ROOT] = calls->total[PROFILE_ROOT];
	size_slots(t);
	return true;
}

void profile_tree_inverted(struct profile_tree *t, const struct profile_tree *calls)
{
	uint32_t n;

	if (t->kind == PROFILE_TREE_INVERTED && t->calls == calls && t->p == calls->p &&
	    reweigh_inverted(t, calls))
		return;
	reset_merged(t, PROFILE_TREE_INVERTED, calls, PROFILE_NO_FRAME);
	t->own_self[PROFILE_ROOT] = calls->self[PROFILE_ROOT];
	t->own_total[PROFILE_ROOT] = calls->total[PROFILE_ROOT];
	t->items = grow(t->items, &t->items_cap, calls->nnodes, sizeof(*t->items));
	/* The room grown above holds an item per node: no add_item() per
	 * leaf, and every node is written, kept only when it has self
	 * weight: a third of the nodes or so do, in no order a branch could
	 * predict. */
	for (n = 1; n < calls->nnodes; n++) {
		uint64_t w = calls->self[n];

		t->items[t->nitems].node = n;
		t->items[t->nitems].owner = PROFILE_ROOT;
		t->items[t->nitems].next = NONE;
		t->items[t->nitems].weight = w;
		t->nitems += w != 0;
	}
	t->item_count[PROFILE_ROOT] = (uint32_t)t->nitems;
}

void profile_tree_callers(struct profile_tree *t, const struct profile_tree *calls,
			  uint32_t frame)
{
	reset_merged(t, PROFILE_TREE_CALLERS, calls, frame);
	root_of_function(t);
}

void profile_tree_callees(struct profile_tree *t, const struct profile_tree *calls,
			  uint32_t frame)
{
	reset_merged(t, PROFILE_TREE_CALLEES, calls, frame);
	root_of_function(t);
}

/*
 * The items of `node` moved one level further from the root, into
 * t->step: to the parent for the upward kinds (an item that reaches the
 * root is a stack that starts here, already counted as self), to each
 * child with weight for CALLEES. Returns how many.
 */
static size_t step_items(struct profile_tree *t, uint32_t node)
{
	const struct profile_tree *calls = t->calls;
	const struct profile *p = calls->p;
	size_t first = t->item_first[node], end = first + t->item_count[node], n = 0, i;

	/* Upwards every item moves to one place at most. */
	if (upward(t))
		t->step = grow(t->step, &t->step_cap, end - first, sizeof(*t->step));
	for (i = first; i < end; i++) {
		struct profile_tree_item it = t->items[i];
		uint32_t c;

		if (upward(t)) {
			/* The inverted root's items are the leaves themselves. */
			c = t->kind == PROFILE_TREE_INVERTED && node == PROFILE_ROOT
				    ? it.node
				    : p->nodes[it.node].parent;
			if (c == PROFILE_ROOT)
				continue;
			t->step[n].node = c;
			t->step[n].next = (uint32_t)i;
			t->step[n++].weight = it.weight;
			continue;
		}
		for (c = p->first_child[it.node]; c != NONE; c = p->next_sibling[c]) {
			if (c >= calls->nnodes || !calls->total[c])
				continue;
			t->step = grow(t->step, &t->step_cap, n + 1, sizeof(*t->step));
			t->step[n].node = c;
			t->step[n].next = (uint32_t)i;
			t->step[n++].weight = calls->total[c];
		}
	}
	return n;
}

/* Self weight an item brings the child it lands in. */
static uint64_t item_self(const struct profile_tree *t, const struct profile_tree_item *it)
{
	const struct profile_tree *calls = t->calls;

	if (upward(t))
		return calls->p->nodes[it->node].parent == PROFILE_ROOT ? it->weight : 0;
	return calls->self[it->node];
}

/* Puts a moved item (from t->step) at `at`, an item of `owner`, and
 * links the item it came from to it. */
static void place_item(struct profile_tree *t, size_t at, const struct profile_tree_item *moved,
		       uint32_t owner)
{
	t->items[moved->next].next = (uint32_t)at;
	t->items[at].node = moved->node;
	t->items[at].owner = owner;
	t->items[at].next = NONE;
	t->items[at].weight = moved->weight;
}

static void list_merged(struct profile_tree *t, uint32_t node)
{
	const struct profile *p = t->calls->p;
	size_t n = step_items(t, node), ngroups = 0, i, g, at;
	uint32_t base = t->nnodes;

	/* One item (a narrow chain of one stack, the common case deep in a
	 * bottom-up graph): one child, nothing to group or sort. */
	if (n == 1) {
		reserve(t, (size_t)base + 1);
		t->items = grow(t->items, &t->items_cap, t->nitems + 1, sizeof(*t->items));
		t->own[base].parent = node;
		t->own[base].frame = p->nodes[t->step[0].node].frame;
		t->own_self[base] = item_self(t, &t->step[0]);
		t->own_total[base] = t->step[0].weight;
		t->listed[base] = 0;
		t->first_child[base] = t->next_sibling[base] = NONE;
		t->item_first[base] = (uint32_t)t->nitems;
		t->item_count[base] = 1;
		place_item(t, t->nitems++, &t->step[0], base);
		t->nnodes++;
		t->first_child[node] = base;
		t->listed[node] = 1;
		return;
	}
	/* Group the moved items by frame: one child per frame. */
	for (i = 0; i < n; i++) {
		uint32_t f = p->nodes[t->step[i].node].frame;

		if (t->slot[f] == NONE) {
			t->groups = grow(t->groups, &t->groups_cap, ngroups + 1, sizeof(*t->groups));
			t->groups[ngroups] = (struct profile_tree_group){ f, 0, 0, 0 };
			t->slot[f] = (uint32_t)ngroups++;
		}
		g = t->slot[f];
		t->groups[g].count++;
		t->groups[g].total += t->step[i].weight;
		t->groups[g].self += item_self(t, &t->step[i]);
	}
	reserve(t, (size_t)base + ngroups);
	t->scratch = grow(t->scratch, &t->scratch_cap, ngroups ? ngroups : 1, sizeof(*t->scratch));
	t->items = grow(t->items, &t->items_cap, t->nitems + n, sizeof(*t->items));
	/* Each child's items in one block; groups[].count becomes a cursor. */
	for (g = 0, at = t->nitems; g < ngroups; g++) {
		uint32_t c = base + (uint32_t)g;

		t->own[c].parent = node;
		t->own[c].frame = t->groups[g].frame;
		t->own_self[c] = t->groups[g].self;
		t->own_total[c] = t->groups[g].total;
		t->listed[c] = 0;
		t->first_child[c] = t->next_sibling[c] = NONE;
		t->item_first[c] = (uint32_t)at;
		t->item_count[c] = t->groups[g].count;
		at += t->groups[g].count;
		t->groups[g].count = 0;
		t->scratch[g] = c;
	}
	for (i = 0; i < n; i++) {
		g = t->slot[p->nodes[t->step[i].node].frame];
		place_item(t, t->item_first[base + g] + t->groups[g].count++, &t->step[i],
			   base + (uint32_t)g);
	}
	t->nitems += n;
	t->nnodes += (uint32_t)ngroups;
	for (g = 0; g < ngroups; g++)
		t->slot[t->groups[g].frame] = NONE;
	link_children(t, node, ngroups);
}

uint32_t profile_tree_child(struct profile_tree *t, uint32_t node)
{
	if (node >= t->nnodes)
		return NONE;
	if (!t->listed[node]) {
		if (t->kind == PROFILE_TREE_CALLS)
			list_calls(t, node);
		else
			list_merged(t, node);
	}
	return t->first_child[node];
}

uint32_t profile_tree_sibling(const struct profile_tree *t, uint32_t node)
{
	return node < t->nnodes ? t->next_sibling[node] : NONE;
}

uint32_t profile_tree_depth(const struct profile_tree *t, uint32_t node)
{
	uint32_t d = 0;

	while (node != PROFILE_ROOT && node < t->nnodes) {
		node = profile_tree_parent(t, node);
		d++;
	}
	return d;
}

bool profile_tree_is_ancestor(const struct profile_tree *t, uint32_t anc, uint32_t node)
{
	if (node >= t->nnodes)
		return false;
	for (;;) {
		if (node == anc)
			return true;
		if (node == PROFILE_ROOT)
			return false;
		node = profile_tree_parent(t, node);
	}
}

size_t profile_tree_path(const struct profile_tree *t, uint32_t node, uint32_t *frames,
			 size_t max)
{
	uint32_t d = profile_tree_depth(t, node), level;

	if (node >= t->nnodes)
		return 0;
	for (level = d; level > 0; level--) {
		if (level <= max)
			frames[level - 1] = profile_tree_frame(t, node);
		node = profile_tree_parent(t, node);
	}
	return d < max ? d : max;
}

uint32_t profile_tree_find(struct profile_tree *t, const uint32_t *frames, size_t n)
{
	uint32_t node = PROFILE_ROOT, c;
	size_t i;

	for (i = 0; i < n; i++) {
		for (c = profile_tree_child(t, node); c != NONE; c = profile_tree_sibling(t, c))
			if (profile_tree_frame(t, c) == frames[i])
				break;
		if (c == NONE)
			break;
		node = c;
	}
	return node;
}

void profile_tree_set_marks(struct profile_tree *t, const struct profile_marks *m)
{
	t->marks = m;
}

bool profile_tree_match(const struct profile_tree *t, uint32_t node)
{
	uint32_t f;

	if (!t->marks || node >= t->nnodes)
		return false;
	f = profile_tree_frame(t, node);
	return f < t->marks->n && t->marks->in[f];
}

void profile_tree_match_weight(const struct profile_tree *t, uint64_t *weight, uint32_t *nodes)
{
	uint8_t *covered; /* the node or an ancestor matches */
	uint32_t i;

	*weight = 0;
	*nodes = 0;
	if (!t->marks || t->kind != PROFILE_TREE_CALLS)
		return;
	covered = xcalloc(t->nnodes, 1);
	for (i = 1; i < t->nnodes; i++) {
		uint32_t par = t->p->nodes[i].parent;
		bool m = profile_tree_match(t, i);

		covered[i] = m || covered[par];
		if (m && t->total[i]) {
			(*nodes)++;
			if (!covered[par])
				*weight += t->total[i];
		}
	}
	free(covered);
}

/* ------------------------------------------------------------------------
 * Callers and callees.
 */

/* Adds `w` to `frame`'s edge in a list kept unsorted while summing. */
static void edge_add(struct profile_edge **v, size_t *n, struct u64map *index, uint32_t frame,
		     uint64_t w)
{
	uint32_t at;

	if (u64map_get(index, (uint64_t)frame + 1, &at)) {
		(*v)[at].weight += w;
		return;
	}
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n].frame = frame;
	(*v)[*n].weight = w;
	u64map_put(index, (uint64_t)frame + 1, (uint32_t)*n);
	(*n)++;
}

static int cmp_edge(const void *a, const void *b)
{
	const struct profile_edge *x = a, *y = b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

void profile_tree_neighbours(const struct profile_tree *t, uint32_t frame,
			     struct profile_edge **callers, size_t *ncallers,
			     struct profile_edge **callees, size_t *ncallees)
{
	const struct profile *p = t->p;
	struct u64map in, out;
	uint32_t i, c;

	*callers = *callees = NULL;
	*ncallers = *ncallees = 0;
	if (t->kind != PROFILE_TREE_CALLS)
		return;
	u64map_init(&in);
	u64map_init(&out);
	for (i = 1; i < t->nnodes; i++) {
		uint32_t par = p->nodes[i].parent;

		if (p->nodes[i].frame != frame || !p->outermost[i] || !t->total[i])
			continue;
		edge_add(callers, ncallers, &in,
			 par == PROFILE_ROOT ? PROFILE_NO_FRAME : p->nodes[par].frame, t->total[i]);
		for (c = p->first_child[i]; c != NONE; c = p->next_sibling[c])
			if (c < t->nnodes && t->total[c])
				edge_add(callees, ncallees, &out, p->nodes[c].frame, t->total[c]);
	}
	u64map_free(&in);
	u64map_free(&out);
	if (*ncallers)
		qsort(*callers, *ncallers, sizeof(**callers), cmp_edge);
	if (*ncallees)
		qsort(*callees, *ncallees, sizeof(**callees), cmp_edge);
}
