/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bottom-up (inverted) flame graph: the functions samples ended in on
 * the first row under the root, each merged across every stack it ended
 * in, and below each its callers, merged again, down to where the stacks
 * start (as speedscope's bottom-up view and Pyroscope's inverted graph
 * show it). That is not the call tree turned upside down, which `i` does
 * to any graph: here a function that is hot from many callers is one wide
 * box. The tree is the window's call tree merged (profile_tree_inverted),
 * made again with each query (only weighed again while the stacks with
 * weight stay the same) and listed only as far as it is drawn.
 */
#include "config.h"

#include "tui.h"

#include <stdlib.h>

struct ui_view {
	struct profile_tree *tree;
	struct ui_graph g;
};

static struct ui_view *inverted_open(struct tui *u)
{
	struct ui_view *v = xcalloc(1, sizeof(*v));

	(void)u;
	v->tree = profile_tree_new();
	ui_graph_init(&v->g);
	return v;
}

static void inverted_close(struct ui_view *v)
{
	ui_graph_free(&v->g);
	profile_tree_free(v->tree);
	free(v);
}

static void inverted_refresh(struct ui_view *v, struct tui *u, unsigned why)
{
	v->g.up = u->flip;
	ui_graph_place(&v->g, 0, u->main_rows, u->cols);
	if (why & UI_REFRESH_DATA) {
		ui_graph_remember(&v->g);
		profile_tree_inverted(v->tree, UI_WINDOW_QUERY(u)->tree);
		profile_tree_set_marks(v->tree, &u->marks);
		ui_graph_set_tree(&v->g, v->tree);
	} else {
		ui_graph_layout(&v->g);
	}
}

static unsigned inverted_action(struct ui_view *v, struct tui *u, enum ui_action a)
{
	return ui_graph_view_action(u, &v->g, a);
}

static unsigned inverted_click(struct ui_view *v, struct tui *u, int row, int col, bool twice)
{
	return ui_graph_click(u, &v->g, row, col, twice);
}

static void inverted_draw(struct ui_view *v, struct tui *u, WINDOW *w)
{
	ui_graph_draw_whole(u, &v->g, w);
}

static void inverted_selection(struct ui_view *v, struct tui *u, struct ui_selection *out)
{
	(void)u;
	ui_graph_selection(&v->g, out);
}

/* The function as a leaf (its box on the first row), else its widest box. */
static bool inverted_focus(struct ui_view *v, struct tui *u, uint32_t frame)
{
	uint32_t path[1] = { frame }, node;

	(void)u;
	if (!v->g.tree)
		return false;
	node = profile_tree_find(v->tree, path, 1);
	if (node != PROFILE_ROOT) {
		v->g.zoom = PROFILE_ROOT;
		v->g.sel = node;
		ui_graph_layout(&v->g);
		if (v->g.sel == node)
			return true;
	}
	return ui_graph_select_frame(&v->g, frame);
}

const struct ui_view_ops ui_inverted_ops = {
	.name = "inverted",
	.title = "bottom-up flame graph",
	.key = 'b',
	.help = "bottom-up: where samples ended, callers below",
	.tree_only = true,
	.actions = UI_GRAPH_ACTIONS,
	.wheel = 1,
	.open = inverted_open,
	.close = inverted_close,
	.refresh = inverted_refresh,
	.action = inverted_action,
	.click = inverted_click,
	.draw = inverted_draw,
	.selection = inverted_selection,
	.focus = inverted_focus,
};
