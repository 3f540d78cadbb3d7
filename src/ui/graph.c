/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A flame graph on part of the main window: the widget the flame graph,
 * bottom-up and sandwich views are made of. It borrows a tree (any kind
 * of profile.h), lays it out with layout.c, moves the selection and the
 * zoom, and draws the boxes in the palette's colours: the icicle way (the
 * root on the top row) or the flame way (the root on the bottom row).
 * Zoom and selection are kept as paths of frames while a tree is rebuilt,
 * because a merged tree's node ids change with every build.
 */
#include "config.h"

#include "tui.h"

#include <stdio.h>
#include <string.h>

#define NONE PROFILE_NO_NODE

void ui_graph_init(struct ui_graph *g)
{
	memset(g, 0, sizeof(*g));
	g->zoom = g->sel = PROFILE_ROOT;
}

void ui_graph_free(struct ui_graph *g)
{
	ui_layout_free(&g->layout);
}

void ui_graph_layout(struct ui_graph *g)
{
	if (!g->tree) {
		g->layout.nboxes = 0;
		return;
	}
	ui_layout_build(&g->layout, g->tree, g->zoom, g->width,
			g->rows > 0 ? (uint32_t)g->rows : 0);
	g->zoom = g->layout.zoom;
	if (ui_layout_find(&g->layout, g->sel) < 0)
		g->sel = g->zoom;
}

void ui_graph_place(struct ui_graph *g, int top, int rows, int width)
{
	g->top = top;
	g->rows = rows;
	g->width = width;
}

void ui_graph_remember(struct ui_graph *g)
{
	if (!g->tree)
		return;
	g->nzoom_path = profile_tree_path(g->tree, g->zoom, g->zoom_path, UI_GRAPH_PATH);
	g->nsel_path = profile_tree_path(g->tree, g->sel, g->sel_path, UI_GRAPH_PATH);
}

void ui_graph_set_tree(struct ui_graph *g, struct profile_tree *t)
{
	g->tree = t;
	g->zoom = profile_tree_find(t, g->zoom_path, g->nzoom_path);
	g->sel = profile_tree_find(t, g->sel_path, g->nsel_path);
	ui_graph_layout(g);
}

void ui_graph_reset(struct ui_graph *g)
{
	g->zoom = g->sel = PROFILE_ROOT;
	g->nzoom_path = g->nsel_path = 0;
	ui_graph_layout(g);
}

static unsigned nav(struct ui_graph *g, enum ui_dir dir)
{
	g->sel = ui_layout_nav(&g->layout, g->tree, g->sel, dir);
	return UI_REDRAW_VIEW;
}

unsigned ui_graph_action(struct tui *u, struct ui_graph *g, enum ui_action a)
{
	if (!g->tree)
		return 0;
	switch (a) {
	case UI_ACT_LEFT:
		return nav(g, UI_DIR_LEFT);
	case UI_ACT_RIGHT:
		return nav(g, UI_DIR_RIGHT);
	case UI_ACT_UP:
		return nav(g, g->up ? UI_DIR_DOWN : UI_DIR_UP);
	case UI_ACT_DOWN:
		return nav(g, g->up ? UI_DIR_UP : UI_DIR_DOWN);
	case UI_ACT_HOME:
		g->sel = g->zoom;
		return UI_REDRAW_VIEW;
	case UI_ACT_ENTER:
		if (g->sel == g->zoom)
			return 0;
		g->zoom = g->sel;
		ui_graph_layout(g);
		return UI_REDRAW_VIEW;
	case UI_ACT_BACK:
		if (g->zoom == PROFILE_ROOT)
			return 0;
		g->zoom = profile_tree_parent(g->tree, g->zoom);
		ui_graph_layout(g);
		return UI_REDRAW_VIEW;
	case UI_ACT_RESET:
		ui_graph_reset(g);
		return UI_REDRAW_VIEW;
	case UI_ACT_SEARCH_NEXT:
	case UI_ACT_SEARCH_PREV:
		g->sel = ui_layout_next_match(&g->layout, g->tree, g->sel,
					      a == UI_ACT_SEARCH_NEXT);
		return UI_REDRAW_VIEW;
	default:
		(void)u;
		return 0;
	}
}

/* The row of the main window a box of `depth` is drawn on. */
static int row_of(const struct ui_graph *g, uint32_t depth)
{
	return g->up ? g->top + g->rows - 1 - (int)depth : g->top + (int)depth;
}

uint32_t ui_graph_at(const struct ui_graph *g, int row, int col)
{
	long i;
	int d;

	if (!g->tree || row < g->top || row >= g->top + g->rows)
		return NONE;
	d = g->up ? g->top + g->rows - 1 - row : row - g->top;
	i = ui_layout_at(&g->layout, (uint32_t)d, col);
	return i < 0 ? NONE : g->layout.boxes[i].node;
}

/* Colour of a box under the current palette: hot by self share of the zoom. */
static int box_color(struct tui *u, const struct ui_graph *g, uint32_t node, uint64_t zoom_total)
{
	const struct profile *p = u->p;
	uint32_t f = profile_tree_frame(g->tree, node);
	double share = zoom_total ? (double)g->tree->self[node] / (double)zoom_total : 0;

	if (f == PROFILE_NO_FRAME || f >= p->nframes)
		return -1;
	if (g->color)
		return g->color(g->color_ctx, node);
	if (u->ratio_color) {
		int c = ui_ratio_color(u, g->tree, node);

		if (c >= 0)
			return c;
	}
	return ui_theme_frame_color(&u->scr.theme, u->palette, share * 4, p->frames[f].module,
				    p->frames[f].kind, p->frames[f].name);
}

void ui_graph_draw(struct tui *u, struct ui_graph *g, WINDOW *w, bool active)
{
	const struct ui_layout *l = &g->layout;
	uint64_t zoom_total;
	uint32_t zoom_depth = 0;
	size_t i;

	if (!g->tree || g->rows <= 0)
		return;
	zoom_total = g->tree->total[l->zoom];
	for (i = 0; i < l->nboxes; i++)
		if (l->boxes[i].node == l->zoom)
			zoom_depth = l->boxes[i].depth;
	for (i = 0; i < l->nboxes; i++) {
		const struct ui_box *b = &l->boxes[i];
		int row = row_of(g, b->depth);
		int text = b->w >= 3 ? b->w - 1 : b->w, used;
		bool full = b->node == PROFILE_ROOT || b->depth < zoom_depth;
		char root[64], label[1024];
		const char *name = root;

		if (row < g->top || row >= g->top + g->rows)
			continue;
		if (b->node == PROFILE_ROOT &&
		    profile_tree_frame(g->tree, PROFILE_ROOT) == PROFILE_NO_FRAME) {
			char n[32];

			ui_format_count(u->nsamples, n, sizeof(n));
			snprintf(root, sizeof(root), "all (%s samples)", n);
		} else {
			name = ui_draw_name(u, profile_tree_frame(g->tree, b->node));
		}
		/* Below 3 columns only a name that fits whole is written. */
		if (text < 3 && strlen(name) > (size_t)text)
			used = 0, label[0] = '\0';
		else
			used = ui_label_fit(name, text, u->scr.utf8, label, sizeof(label));
		if (b->node == g->sel && active)
			ui_screen_role(&u->scr, w, UI_ROLE_SELECTED);
		else if (profile_tree_match(g->tree, b->node))
			ui_screen_role(&u->scr, w, UI_ROLE_MATCH);
		else if (full)
			ui_screen_role(&u->scr, w, UI_ROLE_DIM);
		else if (used == 0)
			ui_screen_frame_blank(&u->scr, w, box_color(u, g, b->node, zoom_total));
		else
			ui_screen_frame(&u->scr, w, box_color(u, g, b->node, zoom_total));
		/* Full-width rows: the dim role is not reversed, mark it. */
		if (full && !u->scr.colors && !(b->node == g->sel && active))
			wattron(w, A_REVERSE);
		wmove(w, row, b->x);
		ui_draw_put(w, label, used);
		ui_draw_spaces(w, text - used);
		if (text < b->w) {
			ui_screen_role(&u->scr, w, UI_ROLE_NORMAL);
			waddch(w, ' ');
		}
	}
}

void ui_graph_selection(const struct ui_graph *g, struct ui_selection *out)
{
	memset(out, 0, sizeof(*out));
	out->frame = PROFILE_NO_FRAME;
	if (!g->tree || g->sel >= g->tree->nnodes)
		return;
	out->frame = profile_tree_frame(g->tree, g->sel);
	out->total = g->tree->total[g->sel];
	switch (g->tree->kind) {
	case PROFILE_TREE_INVERTED:
		/* Every sample of a box ended in its first-row function: a box
		 * there is all self; a caller's below has none of its own. */
		out->has_self = profile_tree_parent(g->tree, g->sel) == PROFILE_ROOT;
		out->self = out->has_self ? out->total : 0;
		break;
	case PROFILE_TREE_CALLERS:
		/* A node's self is where stacks start, not a function's own. */
		break;
	default:
		out->self = g->tree->self[g->sel];
		out->has_self = true;
		break;
	}
}

bool ui_graph_select_frame(struct ui_graph *g, uint32_t frame)
{
	long best = -1;
	size_t i;

	if (!g->tree)
		return false;
	if (profile_tree_frame(g->tree, g->sel) == frame)
		return true;
	for (i = 0; i < g->layout.nboxes; i++) {
		const struct ui_box *b = &g->layout.boxes[i];

		if (profile_tree_frame(g->tree, b->node) == frame &&
		    (best < 0 || b->w > g->layout.boxes[best].w))
			best = (long)i;
	}
	if (best < 0)
		return false;
	g->sel = g->layout.boxes[best].node;
	return true;
}

unsigned ui_graph_view_action(struct tui *u, struct ui_graph *g, enum ui_action a)
{
	switch (a) {
	case UI_ACT_FLIP:
		u->flip = !u->flip;
		g->up = u->flip;
		return UI_REDRAW_VIEW;
	case UI_ACT_COLORS:
		u->palette = (enum ui_palette)((u->palette + 1) % UI_PALETTE__COUNT);
		ui_tui_message(u, false, "colours: %s", ui_palette_names[u->palette]);
		return UI_REDRAW_VIEW;
	case UI_ACT_RATIO_COLORS:
		return ui_ratio_next(u);
	default:
		return ui_graph_action(u, g, a);
	}
}

unsigned ui_graph_click(struct tui *u, struct ui_graph *g, int row, int col, bool twice)
{
	uint32_t node = ui_graph_at(g, row, col);

	if (node == PROFILE_NO_NODE)
		return 0;
	g->sel = node;
	return twice ? ui_graph_action(u, g, UI_ACT_ENTER) | UI_REDRAW_VIEW : UI_REDRAW_VIEW;
}

void ui_graph_draw_whole(struct tui *u, struct ui_graph *g, WINDOW *w)
{
	g->up = u->flip;
	ui_graph_draw(u, g, w, true);
	if (g->layout.nboxes <= 1 && u->main_rows > 2)
		ui_draw_note(u, w, u->flip ? u->main_rows - 3 : 2,
			     ui_draw_empty_note(u));
}
