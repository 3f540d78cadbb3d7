/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The flame graph's tree: one query's per-node self weights turned into
 * inclusive weights and children lists. Built once per refresh of the data
 * (cost: the number of nodes, plus a sort of the nodes with weight), then
 * laid out many times (every key press) by layout.c. Children are ordered
 * by function name, as flamegraph.pl does, so that a live graph keeps its
 * shape while weights move. Search marks and callers/callees live here
 * too: they are questions about the tree, not about the screen.
 */
#include "config.h"

#include "flametop/ui.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

static const char *frame_name(const struct profile *p, uint32_t frame)
{
	if (frame == PROFILE_NO_FRAME || frame >= p->nframes)
		return "";
	return profile_string(p, p->frames[frame].name);
}

/* qsort context: qsort has none, and qsort_r's is not portable to the BSDs
 * anyway; the UI is single-threaded. */
static const struct profile *sort_p;

static int cmp_frame_name(const void *a, const void *b)
{
	uint32_t fa = *(const uint32_t *)a, fb = *(const uint32_t *)b;
	int c = strcmp(frame_name(sort_p, fa), frame_name(sort_p, fb));

	if (c)
		return c;
	return fa < fb ? -1 : fa > fb;
}

struct child_key {
	uint32_t parent;
	uint32_t rank;
	uint32_t node;
};

static int cmp_child(const void *a, const void *b)
{
	const struct child_key *x = a, *y = b;

	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

struct ui_tree *ui_tree_new(const struct profile *p, const uint64_t *node_self, uint32_t nnodes)
{
	struct ui_tree *t = xcalloc(1, sizeof(*t));
	uint32_t *frames_by_name, *rank, nframes = p->nframes, i, n = 0, given;
	struct child_key *keys;

	if (nnodes > p->nnodes)
		nnodes = p->nnodes;
	given = node_self ? nnodes : 0;
	if (nnodes == 0)
		nnodes = 1; /* the root, always */
	t->p = p;
	t->nnodes = nnodes;
	t->self = xcalloc(nnodes, sizeof(*t->self));
	t->total = xcalloc(nnodes, sizeof(*t->total));
	t->first_child = xmalloc(nnodes * sizeof(*t->first_child));
	t->next_sibling = xmalloc(nnodes * sizeof(*t->next_sibling));
	t->match = xcalloc(nnodes, 1);
	if (given)
		memcpy(t->self, node_self, given * sizeof(*t->self));
	memcpy(t->total, t->self, nnodes * sizeof(*t->total));
	/* Parents have smaller ids: one backwards pass sums every subtree. */
	for (i = nnodes - 1; i > 0; i--)
		t->total[p->nodes[i].parent] += t->total[i];
	memset(t->first_child, 0xff, nnodes * sizeof(*t->first_child));
	memset(t->next_sibling, 0xff, nnodes * sizeof(*t->next_sibling));

	/* Rank frames by name once, so the children sort compares integers. */
	frames_by_name = xmalloc((nframes ? nframes : 1) * sizeof(*frames_by_name));
	rank = xmalloc((nframes ? nframes : 1) * sizeof(*rank));
	for (i = 0; i < nframes; i++)
		frames_by_name[i] = i;
	sort_p = p;
	qsort(frames_by_name, nframes, sizeof(*frames_by_name), cmp_frame_name);
	for (i = 0; i < nframes; i++)
		rank[frames_by_name[i]] = i;

	keys = xmalloc(nnodes * sizeof(*keys));
	for (i = 1; i < nnodes; i++) {
		uint32_t f = p->nodes[i].frame;

		if (!t->total[i])
			continue;
		keys[n].parent = p->nodes[i].parent;
		keys[n].rank = f < nframes ? rank[f] : NONE;
		keys[n].node = i;
		n++;
	}
	qsort(keys, n, sizeof(*keys), cmp_child);
	/* Link backwards so each list comes out in sorted order. */
	for (i = n; i-- > 0;) {
		uint32_t c = keys[i].node, par = keys[i].parent;

		t->next_sibling[c] = t->first_child[par];
		t->first_child[par] = c;
	}
	sort_p = NULL;
	free(keys);
	free(rank);
	free(frames_by_name);
	return t;
}

void ui_tree_free(struct ui_tree *t)
{
	if (!t)
		return;
	free(t->self);
	free(t->total);
	free(t->first_child);
	free(t->next_sibling);
	free(t->match);
	free(t);
}

void ui_tree_search(struct ui_tree *t, const regex_t *re)
{
	const struct profile *p = t->p;
	uint8_t *frame_match = NULL, *covered;
	uint32_t i;

	memset(t->match, 0, t->nnodes);
	t->match_total = 0;
	t->nmatch = 0;
	if (!re)
		return;
	/* Functions are fewer than nodes: run the pattern once per frame. */
	frame_match = xcalloc(p->nframes ? p->nframes : 1, 1);
	for (i = 0; i < p->nframes; i++)
		frame_match[i] = regexec(re, frame_name(p, i), 0, NULL, 0) == 0;
	covered = xcalloc(t->nnodes, 1); /* the node or an ancestor matches */
	for (i = 1; i < t->nnodes; i++) {
		uint32_t f = p->nodes[i].frame, par = p->nodes[i].parent;

		t->match[i] = f < p->nframes && frame_match[f];
		covered[i] = t->match[i] || covered[par];
		if (t->match[i] && t->total[i]) {
			t->nmatch++;
			if (!covered[par])
				t->match_total += t->total[i];
		}
	}
	free(covered);
	free(frame_match);
}

bool ui_tree_is_ancestor(const struct ui_tree *t, uint32_t anc, uint32_t node)
{
	if (node >= t->nnodes)
		return false;
	for (;;) {
		if (node == anc)
			return true;
		if (node == PROFILE_ROOT)
			return false;
		node = t->p->nodes[node].parent;
	}
}

uint32_t ui_tree_depth(const struct ui_tree *t, uint32_t node)
{
	uint32_t d = 0;

	while (node != PROFILE_ROOT && node < t->nnodes) {
		node = t->p->nodes[node].parent;
		d++;
	}
	return d;
}

/* Adds `w` to `frame`'s edge in a list kept unsorted while summing. */
static void edge_add(struct ui_edge **v, size_t *n, struct u64map *index, uint32_t frame,
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
	const struct ui_edge *x = a, *y = b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

void ui_tree_neighbours(const struct ui_tree *t, uint32_t frame, struct ui_edge **callers,
			size_t *ncallers, struct ui_edge **callees, size_t *ncallees)
{
	const struct profile *p = t->p;
	struct u64map in, out;
	uint8_t *has; /* the node or an ancestor is `frame` */
	uint32_t i, c;

	*callers = *callees = NULL;
	*ncallers = *ncallees = 0;
	u64map_init(&in);
	u64map_init(&out);
	has = xcalloc(t->nnodes, 1);
	for (i = 1; i < t->nnodes; i++) {
		uint32_t par = p->nodes[i].parent;

		has[i] = p->nodes[i].frame == frame || has[par];
		if (p->nodes[i].frame != frame || has[par] || !t->total[i])
			continue;
		edge_add(callers, ncallers, &in, par == PROFILE_ROOT ? PROFILE_NO_FRAME : p->nodes[par].frame,
			 t->total[i]);
		for (c = t->first_child[i]; c != NONE; c = t->next_sibling[c])
			edge_add(callees, ncallees, &out, p->nodes[c].frame, t->total[c]);
	}
	free(has);
	u64map_free(&in);
	u64map_free(&out);
	if (*ncallers)
		qsort(*callers, *ncallers, sizeof(**callers), cmp_edge);
	if (*ncallees)
		qsort(*callees, *ncallees, sizeof(**callees), cmp_edge);
}
