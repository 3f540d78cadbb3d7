/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The flame graph's geometry: which node is drawn where, how wide. Plain
 * arithmetic on a profile_tree, no curses, so the tests can check widths and
 * navigation exactly. A layout is rebuilt on every change of zoom, size or
 * data; it costs the boxes drawn (at most rows x columns), not the nodes.
 */
#include "config.h"

#include "flametop/ui.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

/* Adds a box; l->off (the weight offsets, parallel to l->boxes) too. */
static void push_box(struct ui_layout *l, uint32_t node, uint32_t depth, int x, int w,
		     uint64_t off)
{
	if (l->nboxes == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->boxes = xreallocarray(l->boxes, l->cap, sizeof(*l->boxes));
		l->off = xreallocarray(l->off, l->cap, sizeof(*l->off));
	}
	l->boxes[l->nboxes].node = node;
	l->boxes[l->nboxes].depth = depth;
	l->boxes[l->nboxes].x = x;
	l->boxes[l->nboxes].w = w;
	l->off[l->nboxes] = off;
	l->nboxes++;
	if (depth + 1 > l->rows)
		l->rows = depth + 1;
}

/* Column of weight offset `off` in a graph `total` wide over `width` columns. */
static int column(uint64_t off, uint64_t total, int width)
{
	if (!total)
		return 0;
	/* 64-bit arithmetic when it cannot overflow: a 128-bit division is
	 * a library call, and a layout makes two per child. */
	if (off <= UINT64_MAX / (unsigned)width)
		return (int)(off * (unsigned)width / total);
	return (int)((unsigned __int128)off * (unsigned)width / total);
}

void ui_layout_build(struct ui_layout *l, struct profile_tree *t, uint32_t zoom, int width,
		     uint32_t max_rows)
{
	uint32_t path[256], npath = 0, depth, n;
	uint64_t total;
	size_t level_start, level_end, i;

	l->nboxes = 0;
	l->rows = 0;
	l->width = width;
	if (zoom >= t->nnodes || (zoom != PROFILE_ROOT && !t->total[zoom]))
		zoom = PROFILE_ROOT;
	l->zoom = zoom;
	if (width <= 0 || max_rows == 0)
		return;
	/* The ancestors of the zoomed node, root first; a path deeper than
	 * the array keeps its innermost part. */
	for (n = zoom; n != PROFILE_ROOT; n = profile_tree_parent(t, n))
		if (npath < ARRAY_SIZE(path))
			path[npath++] = n;
	path[npath++] = PROFILE_ROOT;
	for (depth = 0; depth < npath && depth < max_rows; depth++)
		push_box(l, path[npath - 1 - depth], depth, 0, width, 0);
	if (depth < npath)
		return;

	/* Breadth first below the zoom: each level comes out in x order,
	 * because parents are visited left to right and children in order. */
	total = t->total[zoom];
	level_start = l->nboxes - 1;
	level_end = l->nboxes;
	for (; depth < max_rows && level_start < level_end; depth++) {
		for (i = level_start; i < level_end; i++) {
			uint64_t off = l->off[i];
			uint32_t c;

			for (c = profile_tree_child(t, l->boxes[i].node); c != NONE;
			     c = profile_tree_sibling(t, c)) {
				int x0 = column(off, total, width);
				int x1 = column(off + t->total[c], total, width);

				if (x1 > x0)
					push_box(l, c, depth, x0, x1 - x0, off);
				off += t->total[c];
			}
		}
		level_start = level_end;
		level_end = l->nboxes;
	}
}

void ui_layout_free(struct ui_layout *l)
{
	free(l->boxes);
	free(l->off);
	memset(l, 0, sizeof(*l));
}

long ui_layout_find(const struct ui_layout *l, uint32_t node)
{
	size_t i;

	for (i = 0; i < l->nboxes; i++)
		if (l->boxes[i].node == node)
			return (long)i;
	return -1;
}

long ui_layout_at(const struct ui_layout *l, uint32_t row, int x)
{
	size_t i;

	for (i = 0; i < l->nboxes; i++) {
		const struct ui_box *b = &l->boxes[i];

		if (b->depth == row && x >= b->x && x < b->x + b->w)
			return (long)i;
	}
	return -1;
}

uint32_t ui_layout_nav(const struct ui_layout *l, const struct profile_tree *t, uint32_t node,
		       enum ui_dir dir)
{
	long at = ui_layout_find(l, node), i, best = -1;
	uint32_t depth;

	if (at < 0)
		return l->nboxes ? l->zoom : node;
	depth = l->boxes[at].depth;
	switch (dir) {
	case UI_DIR_UP:
		if (node == PROFILE_ROOT)
			return node;
		return ui_layout_find(l, profile_tree_parent(t, node)) >= 0
			       ? profile_tree_parent(t, node)
			       : node;
	case UI_DIR_DOWN:
		/* The widest drawn child; the next row starts after this one. */
		for (i = at + 1; i < (long)l->nboxes && l->boxes[i].depth <= depth + 1; i++) {
			const struct ui_box *b = &l->boxes[i];

			if (b->depth == depth + 1 && profile_tree_parent(t, b->node) == node &&
			    (best < 0 || b->w > l->boxes[best].w))
				best = i;
		}
		return best >= 0 ? l->boxes[best].node : node;
	case UI_DIR_LEFT:
		if (at > 0 && l->boxes[at - 1].depth == depth)
			return l->boxes[at - 1].node;
		for (i = at; i + 1 < (long)l->nboxes && l->boxes[i + 1].depth == depth; i++)
			;
		return l->boxes[i].node;
	case UI_DIR_RIGHT:
		if (at + 1 < (long)l->nboxes && l->boxes[at + 1].depth == depth)
			return l->boxes[at + 1].node;
		for (i = at; i > 0 && l->boxes[i - 1].depth == depth; i--)
			;
		return l->boxes[i].node;
	}
	return node;
}

uint32_t ui_layout_next_match(const struct ui_layout *l, const struct profile_tree *t,
			      uint32_t node, bool forward)
{
	long at = ui_layout_find(l, node), n = (long)l->nboxes, k;

	if (!n)
		return node;
	if (at < 0)
		at = forward ? -1 : n;
	for (k = 1; k <= n; k++) {
		long i = forward ? (at + k) % n : ((at - k) % n + n) % n;
		uint32_t c = l->boxes[i].node;

		if (profile_tree_match(t, c))
			return c;
	}
	return node;
}
