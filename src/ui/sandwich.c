/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sandwich view: one function in the middle, its callers above it as
 * a flame graph growing upwards (the function on the bottom row, merged
 * across all the stacks it is on), its callees below it as an icicle
 * growing downwards (the function on the top row). Both are navigable:
 * Up from the callees' top row goes into the callers, Down from the
 * callers' bottom row into the callees. Enter on any frame puts its
 * function in the middle; Esc goes back to the one before. The function
 * is the one selected in the view before, --focus's, or else the hottest.
 * The two trees are the window's call tree merged (profile_tree_callers,
 * profile_tree_callees), listed only as far as they are drawn.
 */
#include "config.h"

#include "tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CALLERS, CALLEES };

struct ui_view {
	uint32_t frame; /* in the middle; PROFILE_NO_FRAME: none yet */
	bool chosen; /* frame was chosen (not just the hottest, by default) */
	uint32_t history[32]; /* the functions Enter left, for Esc */
	size_t nhistory;
	struct profile_tree *tree[2];
	struct ui_graph g[2];
	int active; /* CALLERS or CALLEES: the half the keys move in */
};

static struct ui_view *sandwich_open(struct tui *u)
{
	struct ui_view *v = xcalloc(1, sizeof(*v));
	int i;

	(void)u;
	v->frame = PROFILE_NO_FRAME;
	for (i = 0; i < 2; i++) {
		v->tree[i] = profile_tree_new();
		ui_graph_init(&v->g[i]);
	}
	v->g[CALLERS].up = true;
	v->active = CALLEES;
	return v;
}

static void sandwich_close(struct ui_view *v)
{
	int i;

	for (i = 0; i < 2; i++) {
		ui_graph_free(&v->g[i]);
		profile_tree_free(v->tree[i]);
	}
	free(v);
}

/* The title row, then the callers' half, then the callees'. */
static void place(struct ui_view *v, struct tui *u)
{
	int rows = u->main_rows - 1, up = rows / 2;

	ui_graph_place(&v->g[CALLERS], 1, up, u->cols);
	ui_graph_place(&v->g[CALLEES], 1 + up, rows - up, u->cols);
}

/* Builds both halves for v->frame; `keep`: stay where they were. */
static void build(struct ui_view *v, struct tui *u, bool keep)
{
	const struct profile_tree *calls = UI_WINDOW_QUERY(u)->tree;
	int i;

	for (i = 0; i < 2; i++) {
		if (keep)
			ui_graph_remember(&v->g[i]);
		else
			ui_graph_reset(&v->g[i]);
		if (i == CALLERS)
			profile_tree_callers(v->tree[i], calls, v->frame);
		else
			profile_tree_callees(v->tree[i], calls, v->frame);
		profile_tree_set_marks(v->tree[i], &u->marks);
		ui_graph_set_tree(&v->g[i], v->tree[i]);
	}
}

/* Puts `frame` in the middle, remembering the function it replaces. */
static void centre(struct ui_view *v, struct tui *u, uint32_t frame)
{
	if (frame == v->frame) {
		v->chosen = true;
		return;
	}
	if (v->frame != PROFILE_NO_FRAME && v->chosen) {
		if (v->nhistory == ARRAY_SIZE(v->history)) {
			memmove(v->history, v->history + 1, sizeof(v->history) - sizeof(v->history[0]));
			v->nhistory--;
		}
		v->history[v->nhistory++] = v->frame;
	}
	v->frame = frame;
	v->chosen = true;
	build(v, u, false);
}

static void sandwich_refresh(struct ui_view *v, struct tui *u, unsigned why)
{
	const struct profile_top *top = UI_WINDOW_QUERY(u)->top;

	place(v, u);
	if (!(why & UI_REFRESH_DATA)) {
		ui_graph_layout(&v->g[CALLERS]);
		ui_graph_layout(&v->g[CALLEES]);
		return;
	}
	/* Nothing chosen yet: the hottest function. */
	if (v->frame == PROFILE_NO_FRAME && top && top->nfns) {
		v->frame = top->fns[0].frame;
		build(v, u, false);
		return;
	}
	build(v, u, true);
}

/* Up and Down cross from one half to the other at the function's row. */
static unsigned cross(struct ui_view *v, struct tui *u, enum ui_action a)
{
	struct ui_graph *g = &v->g[v->active];

	if (v->active == CALLERS && a == UI_ACT_DOWN && g->sel == g->zoom) {
		v->active = CALLEES;
		v->g[CALLEES].sel = v->g[CALLEES].zoom;
		return UI_REDRAW_VIEW;
	}
	if (v->active == CALLEES && a == UI_ACT_UP && g->sel == PROFILE_ROOT) {
		v->active = CALLERS;
		v->g[CALLERS].sel = v->g[CALLERS].zoom;
		return UI_REDRAW_VIEW;
	}
	return ui_graph_action(u, g, a);
}

static unsigned sandwich_action(struct ui_view *v, struct tui *u, enum ui_action a)
{
	struct ui_graph *g = &v->g[v->active];
	uint32_t f;

	switch (a) {
	case UI_ACT_UP:
	case UI_ACT_DOWN:
		return cross(v, u, a);
	case UI_ACT_ENTER:
		f = g->tree ? profile_tree_frame(g->tree, g->sel) : PROFILE_NO_FRAME;
		if (f == PROFILE_NO_FRAME || f == v->frame)
			return 0;
		centre(v, u, f);
		return UI_REDRAW_VIEW;
	case UI_ACT_BACK:
		if (!v->nhistory)
			return 0;
		v->frame = v->history[--v->nhistory];
		build(v, u, false);
		return UI_REDRAW_VIEW;
	case UI_ACT_RESET:
		v->nhistory = 0;
		ui_graph_reset(&v->g[CALLERS]);
		ui_graph_reset(&v->g[CALLEES]);
		v->active = CALLEES;
		return UI_REDRAW_VIEW;
	case UI_ACT_FLIP:
		return 0; /* callers always above */
	default:
		return ui_graph_view_action(u, g, a);
	}
}

static unsigned sandwich_click(struct ui_view *v, struct tui *u, int row, int col, bool twice)
{
	int i;

	for (i = 0; i < 2; i++) {
		uint32_t node = ui_graph_at(&v->g[i], row, col);

		if (node == PROFILE_NO_NODE)
			continue;
		v->active = i;
		v->g[i].sel = node;
		return twice ? sandwich_action(v, u, UI_ACT_ENTER) | UI_REDRAW_VIEW : UI_REDRAW_VIEW;
	}
	return 0;
}

static void sandwich_draw(struct ui_view *v, struct tui *u, WINDOW *w)
{
	char name[512], title[1024];
	int i;

	if (v->frame == PROFILE_NO_FRAME) {
		ui_draw_title(u, w, 0, " Sandwich: callers above, callees below");
		ui_draw_note(u, w, 2,
			     ui_draw_empty_note(u));
		return;
	}
	ui_draw_frame_name(u, v->frame, name, sizeof(name));
	snprintf(title, sizeof(title),
		 " Sandwich of %s (%.1f%%): callers above, callees below; Enter centres, Esc goes "
		 "back",
		 name,
		 u->total ? 100.0 * (double)v->tree[CALLEES]->total[PROFILE_ROOT] / (double)u->total
			  : 0.0);
	ui_draw_title(u, w, 0, title);
	for (i = 0; i < 2; i++)
		ui_graph_draw(u, &v->g[i], w, i == v->active);
	if (!v->tree[CALLEES]->total[PROFILE_ROOT] && u->main_rows > 3)
		ui_draw_note(u, w, 2, "this function has no samples in this window");
}

static void sandwich_selection(struct ui_view *v, struct tui *u, struct ui_selection *out)
{
	(void)u;
	ui_graph_selection(&v->g[v->active], out);
	if (out->frame == v->frame && !out->has_self && v->tree[CALLEES]->nnodes) {
		/* The centre in the callers' half: its own, from the callees'. */
		out->self = v->tree[CALLEES]->self[PROFILE_ROOT];
		out->has_self = true;
	}
	if (out->frame != PROFILE_NO_FRAME && out->frame != v->frame)
		snprintf(out->where, sizeof(out->where), "(%s)",
			 v->active == CALLERS ? "a caller" : "a callee");
}

static bool sandwich_focus(struct ui_view *v, struct tui *u, uint32_t frame)
{
	if (frame == PROFILE_NO_FRAME)
		return false;
	centre(v, u, frame);
	return v->tree[CALLEES]->total[PROFILE_ROOT] > 0;
}

const struct ui_view_ops ui_sandwich_ops = {
	.name = "sandwich",
	.title = "sandwich",
	.key = 'S',
	.help = "sandwich: a function's callers above, callees below",
	.actions = UI_ACTION(UI_ACT_LEFT) | UI_ACTION(UI_ACT_RIGHT) | UI_ACTION(UI_ACT_UP) |
		   UI_ACTION(UI_ACT_DOWN) | UI_ACTION(UI_ACT_HOME) | UI_ACTION(UI_ACT_ENTER) |
		   UI_ACTION(UI_ACT_BACK) | UI_ACTION(UI_ACT_COLORS) | UI_ACTION(UI_ACT_SEARCH_NEXT) |
		   UI_ACTION(UI_ACT_SEARCH_PREV),
	.wheel = 1,
	.open = sandwich_open,
	.close = sandwich_close,
	.refresh = sandwich_refresh,
	.action = sandwich_action,
	.click = sandwich_click,
	.draw = sandwich_draw,
	.selection = sandwich_selection,
	.focus = sandwich_focus,
};
