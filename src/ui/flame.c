/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The flame graph view: the window's call tree, the root on the top row
 * (an icicle) or, flipped, on the bottom row. It draws the core's call
 * tree itself (the query's), so it owns only a graph widget: its zoom,
 * selection and layout. Node ids of a call tree are the profile's, so the
 * selection stays on the same stack from one query to the next, or on its
 * nearest ancestor that still has samples.
 */
#include "config.h"

#include "tui.h"

#include <stdlib.h>

struct ui_view {
	struct ui_graph g;
};

static struct ui_view *flame_open(struct tui *u)
{
	struct ui_view *v = xcalloc(1, sizeof(*v));

	(void)u;
	ui_graph_init(&v->g);
	return v;
}

static void flame_close(struct ui_view *v)
{
	ui_graph_free(&v->g);
	free(v);
}

static void flame_refresh(struct ui_view *v, struct tui *u, unsigned why)
{
	v->g.up = u->flip;
	ui_graph_place(&v->g, 0, u->main_rows, u->cols);
	if (why & UI_REFRESH_DATA) {
		ui_graph_remember(&v->g);
		ui_graph_set_tree(&v->g, UI_WINDOW_QUERY(u)->tree);
	} else {
		ui_graph_layout(&v->g);
	}
}

static unsigned flame_action(struct ui_view *v, struct tui *u, enum ui_action a)
{
	return ui_graph_view_action(u, &v->g, a);
}

static unsigned flame_click(struct ui_view *v, struct tui *u, int row, int col, bool twice)
{
	return ui_graph_click(u, &v->g, row, col, twice);
}

static void flame_draw(struct ui_view *v, struct tui *u, WINDOW *w)
{
	ui_graph_draw_whole(u, &v->g, w);
}

static void flame_selection(struct ui_view *v, struct tui *u, struct ui_selection *out)
{
	(void)u;
	ui_graph_selection(&v->g, out);
}

/*
 * Selects the widest box of `frame`; when none is drawn (too narrow, or
 * outside the zoom), its heaviest stack, zoomed in to its caller (or to
 * itself, if even that leaves it narrower than a column).
 */
static bool flame_focus(struct ui_view *v, struct tui *u, uint32_t frame)
{
	const struct profile_tree *t = v->g.tree;
	uint32_t n, best = PROFILE_NO_NODE;

	(void)u;
	if (!t || ui_graph_select_frame(&v->g, frame))
		return t != NULL;
	for (n = 1; n < t->nnodes; n++)
		if (profile_tree_frame(t, n) == frame &&
		    (best == PROFILE_NO_NODE || t->total[n] > t->total[best]))
			best = n;
	if (best == PROFILE_NO_NODE || !t->total[best])
		return false;
	v->g.zoom = profile_tree_parent(t, best);
	v->g.sel = best;
	ui_graph_layout(&v->g);
	if (v->g.sel != best) { /* narrower than a column even so */
		v->g.zoom = v->g.sel = best;
		ui_graph_layout(&v->g);
	}
	return true;
}

const struct ui_view_ops ui_flame_ops = {
	.name = "flame",
	.title = "flame graph",
	.key = 'f',
	.help = "flame graph: callers above their callees",
	.tree_only = true,
	.actions = UI_GRAPH_ACTIONS,
	.wheel = 1,
	.open = flame_open,
	.close = flame_close,
	.refresh = flame_refresh,
	.action = flame_action,
	.click = flame_click,
	.draw = flame_draw,
	.selection = flame_selection,
	.focus = flame_focus,
};
