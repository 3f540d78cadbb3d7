/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The diff flame graph: the window's call tree, each frame coloured by how
 * its share of the window changed against the baseline's share of the same
 * stack (profile_diff): red for more, blue for less, the stronger the
 * bigger the change, grey for unchanged; `c` switches to orange and blue,
 * which colour-blind readers tell apart. The baseline is a window marked
 * with `m` (everything retained until then) or a --baseline session; the
 * first row is the legend and says which. Widths are the window's, as
 * flamegraph.pl draws a differential graph: stacks gone since the
 * baseline are listed by the diff top-list, not drawn here.
 */
#include "config.h"

#include "tui.h"

#include <stdio.h>
#include <stdlib.h>

struct ui_view {
	struct ui_graph g;
	struct profile_diff *d; /* NULL: nothing to compare (yet) */
	bool cb; /* the colours it was drawn with */
	struct tui *u;
};

static int diff_color(void *ctx, uint32_t node)
{
	struct ui_view *v = ctx;

	if (!v->d || !v->g.tree || node >= v->g.tree->nnodes)
		return -1;
	return ui_theme_diff_color(
		ui_theme_diff_level(profile_diff_node_delta(v->d, node, v->g.tree->total[node])),
		v->u->diff_cb);
}

static struct ui_view *diff_open(struct tui *u)
{
	struct ui_view *v = xcalloc(1, sizeof(*v));

	ui_graph_init(&v->g);
	v->g.color = diff_color;
	v->g.color_ctx = v;
	v->u = u;
	return v;
}

static void diff_close(struct ui_view *v)
{
	profile_diff_free(v->d);
	ui_graph_free(&v->g);
	free(v);
}

static void diff_refresh(struct ui_view *v, struct tui *u, unsigned why)
{
	const struct profile *bp;
	const struct profile_top *btop, *top = UI_WINDOW_QUERY(u)->top;

	v->g.up = u->flip;
	ui_graph_place(&v->g, 1, u->main_rows - 1, u->cols);
	if (!(why & UI_REFRESH_DATA)) {
		ui_graph_layout(&v->g);
		return;
	}
	profile_diff_free(v->d);
	v->d = NULL;
	ui_tui_baseline(u, &bp, &btop);
	if (top && btop && !u->base_err[0])
		v->d = profile_diff_new_cached(u->p, top, bp, btop, NULL, PROFILE_DIFF_NODES);
	ui_graph_remember(&v->g);
	ui_graph_set_tree(&v->g, UI_WINDOW_QUERY(u)->tree);
}

static unsigned diff_action(struct ui_view *v, struct tui *u, enum ui_action a)
{
	if (a == UI_ACT_COLORS) {
		u->diff_cb = !u->diff_cb;
		ui_tui_message(u, false, "diff colours: %s",
			       u->diff_cb ? "orange more, blue less (colour-blind safe)"
					  : "red more, blue less");
		return UI_REDRAW_VIEW;
	}
	return ui_graph_view_action(u, &v->g, a);
}

static unsigned diff_click(struct ui_view *v, struct tui *u, int row, int col, bool twice)
{
	return ui_graph_click(u, &v->g, row, col, twice);
}

/* A swatch of a diff colour and its word. */
static void swatch(struct tui *u, WINDOW *w, int level, const char *word)
{
	ui_screen_frame(&u->scr, w, ui_theme_diff_color(level, u->diff_cb));
	waddstr(w, u->scr.colors ? "  " : level > 0 ? "+ " : level < 0 ? "- " : "= ");
	ui_screen_role(&u->scr, w, UI_ROLE_TITLE);
	waddch(w, ' ');
	ui_draw_put(w, word, ui_draw_cols_left(w));
	waddch(w, ' ');
}

/* The legend row: the colours, then what the baseline is. */
static void draw_legend(struct ui_view *v, struct tui *u, WINDOW *w)
{
	char label[256], line[320];

	ui_screen_role(&u->scr, w, UI_ROLE_TITLE);
	wmove(w, 0, 0);
	ui_draw_fill(w);
	wmove(w, 0, 0);
	waddstr(w, " diff ");
	swatch(u, w, 5, "more");
	swatch(u, w, 2, "");
	swatch(u, w, 0, "same");
	swatch(u, w, -2, "");
	swatch(u, w, -5, "less");
	ui_tui_baseline_label(u, label, sizeof(label));
	snprintf(line, sizeof(line), " than baseline %s", label);
	ui_draw_put(w, line, ui_draw_cols_left(w));
	(void)v;
}

static void diff_draw(struct ui_view *v, struct tui *u, WINDOW *w)
{
	draw_legend(v, u, w);
	if (u->base_err[0]) {
		ui_draw_note(u, w, 2, u->base_err);
		return;
	}
	v->g.up = u->flip;
	ui_graph_draw(u, &v->g, w, true);
	if (v->g.layout.nboxes <= 1 && u->main_rows > 3)
		ui_draw_note(u, w, u->flip ? u->main_rows - 3 : 3, "no samples in this window");
}

static void diff_selection(struct ui_view *v, struct tui *u, struct ui_selection *out)
{
	const struct profile_tree *t = v->g.tree;

	(void)u;
	ui_graph_selection(&v->g, out);
	if (!v->d || !t || v->g.sel >= t->nnodes || v->g.sel >= v->d->nnodes)
		return;
	snprintf(out->where, sizeof(out->where), "now %.1f%%, baseline %.1f%%: %+.1f points",
		 100.0 * profile_diff_share(t->total[v->g.sel], v->d->total),
		 100.0 * profile_diff_share(v->d->base_node_total[v->g.sel], v->d->base_total),
		 100.0 * profile_diff_node_delta(v->d, v->g.sel, t->total[v->g.sel]));
}

static bool diff_focus(struct ui_view *v, struct tui *u, uint32_t frame)
{
	(void)u;
	return v->g.tree && ui_graph_select_frame(&v->g, frame);
}

const struct ui_view_ops ui_diff_ops = {
	.name = "diff",
	.title = "diff flame graph",
	.key = 'd',
	.help = "diff flame graph: the window against the baseline (m), red more, blue less",
	.tree_only = true,
	.queries = 1u << UI_QUERY_BASELINE,
	.actions = UI_GRAPH_ACTIONS,
	.wheel = 1,
	.open = diff_open,
	.close = diff_close,
	.refresh = diff_refresh,
	.action = diff_action,
	.click = diff_click,
	.draw = diff_draw,
	.selection = diff_selection,
	.focus = diff_focus,
};
