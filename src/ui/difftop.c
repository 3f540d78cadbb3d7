/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The diff top-list: every function of the window or the baseline, most
 * changed first (profile_diff's order: size of the change of self share),
 * with its self share in each and the change in points, coloured as the
 * diff flame graph colours it. A function only in the baseline (gone
 * since) is listed too, with 0% now. Enter shows it in the diff flame
 * graph.
 */
#include "config.h"

#include "tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ui_view {
	struct profile_diff *d; /* NULL: nothing to compare (yet) */
	struct profile_diff_cache cache; /* what the next diff of u->p reuses */
	size_t sel, scroll;
};

static struct ui_view *difftop_open(struct tui *u)
{
	(void)u;
	return xcalloc(1, sizeof(struct ui_view));
}

static void difftop_close(struct ui_view *v)
{
	profile_diff_free(v->d);
	profile_diff_cache_free(&v->cache);
	free(v);
}

static int list_rows(const struct tui *u)
{
	return u->main_rows > 2 ? u->main_rows - 2 : 1;
}

static void difftop_refresh(struct ui_view *v, struct tui *u, unsigned why)
{
	const struct profile *bp;
	const struct profile_top *btop, *top = UI_WINDOW_QUERY(u)->top;
	uint32_t keep = PROFILE_NO_FRAME, keep_base = PROFILE_NO_FRAME;
	size_t i;

	if (why & UI_REFRESH_DATA) {
		if (v->d && v->sel < v->d->nfns) {
			keep = v->d->fns[v->sel].frame;
			keep_base = v->d->fns[v->sel].base_frame;
		}
		profile_diff_free(v->d);
		v->d = NULL;
		ui_tui_baseline(u, &bp, &btop);
		if (top && btop && !u->base_err[0])
			v->d = profile_diff_new_cached(u->p, top, bp, btop, &v->cache,
						       PROFILE_DIFF_FNS);
		/* The same function stays selected; else the same line. */
		for (i = 0; v->d && i < v->d->nfns; i++)
			if (keep != PROFILE_NO_FRAME ? v->d->fns[i].frame == keep
						     : v->d->fns[i].base_frame == keep_base &&
							       keep_base != PROFILE_NO_FRAME)
				v->sel = i;
	}
	ui_tui_list_move(&v->sel, &v->scroll, v->d ? v->d->nfns : 0, 0, list_rows(u));
}

static unsigned move_lines(struct ui_view *v, struct tui *u, long d)
{
	ui_tui_list_move(&v->sel, &v->scroll, v->d ? v->d->nfns : 0, d, list_rows(u));
	return UI_REDRAW_VIEW;
}

static unsigned search_step(struct ui_view *v, struct tui *u, bool forward)
{
	size_t k, i, n = v->d ? v->d->nfns : 0;

	for (k = 1; k <= n; k++) {
		i = forward ? (v->sel + k) % n : (v->sel + n - k) % n;
		if (ui_tui_matches(u, v->d->fns[i].frame))
			return move_lines(v, u, (long)i - (long)v->sel);
	}
	return 0;
}

static unsigned difftop_action(struct ui_view *v, struct tui *u, enum ui_action a)
{
	size_t n = v->d ? v->d->nfns : 0;

	switch (a) {
	case UI_ACT_UP:
		return move_lines(v, u, -1);
	case UI_ACT_DOWN:
		return move_lines(v, u, 1);
	case UI_ACT_PAGE_UP:
		return move_lines(v, u, -list_rows(u));
	case UI_ACT_PAGE_DOWN:
		return move_lines(v, u, list_rows(u));
	case UI_ACT_HOME:
		return move_lines(v, u, -(long)n);
	case UI_ACT_END:
		return move_lines(v, u, (long)n);
	case UI_ACT_RESET:
		v->sel = v->scroll = 0;
		return UI_REDRAW_VIEW;
	case UI_ACT_COLORS:
		u->diff_cb = !u->diff_cb;
		ui_tui_message(u, false, "diff colours: %s",
			       u->diff_cb ? "orange more, blue less (colour-blind safe)"
					  : "red more, blue less");
		return UI_REDRAW_VIEW;
	case UI_ACT_SEARCH_NEXT:
	case UI_ACT_SEARCH_PREV:
		return search_step(v, u, a == UI_ACT_SEARCH_NEXT);
	default:
		return 0;
	}
}

static unsigned difftop_click(struct ui_view *v, struct tui *u, int row, int col, bool twice)
{
	(void)col;
	(void)twice;
	if (!v->d || row < 2 || v->scroll + (size_t)(row - 2) >= v->d->nfns)
		return 0;
	v->sel = v->scroll + (size_t)(row - 2);
	(void)u;
	return UI_REDRAW_VIEW;
}

/* A function's name and module, sanitized, from whichever side has it. */
static void fn_names(struct tui *u, const struct profile_diff *d, const struct profile_diff_fn *e,
		     char *name, size_t nsize, char *mod, size_t msize)
{
	const char *m;

	if (e->frame != PROFILE_NO_FRAME) {
		ui_draw_frame_name(u, e->frame, name, nsize);
		ui_draw_module_name(u, e->frame, mod, msize);
		return;
	}
	ui_draw_clean(u, profile_diff_name(d, e), name, nsize);
	m = profile_diff_module(d, e);
	ui_draw_clean(u, *m ? util_basename(m) : "[unknown]", mod, msize);
}

static void draw_line(struct ui_view *v, struct tui *u, WINDOW *w, int row, size_t i)
{
	const struct profile_diff *d = v->d;
	const struct profile_diff_fn *e = &d->fns[i];
	char line[128], name[1024], mod[256], fit[1024];
	int name_w = u->cols - 27, mod_w, used;
	bool sel = i == v->sel;

	mod_w = name_w / 3 > 30 ? 30 : name_w / 3;
	name_w -= mod_w + 1;
	if (name_w < 4)
		name_w = 4;
	ui_screen_role(&u->scr, w, sel ? UI_ROLE_SELECTED
				       : ui_tui_matches(u, e->frame) ? UI_ROLE_MATCH : UI_ROLE_NORMAL);
	wmove(w, row, 0);
	snprintf(line, sizeof(line), " %6.2f%% %6.2f%% ", 100.0 * profile_diff_share(e->self, d->total),
		 100.0 * profile_diff_share(e->base_self, d->base_total));
	ui_draw_put(w, line, u->cols);
	if (!sel)
		ui_screen_frame(&u->scr, w, ui_theme_diff_color(ui_theme_diff_level(e->delta), u->diff_cb));
	snprintf(line, sizeof(line), "%+7.2f", 100.0 * e->delta);
	ui_draw_put(w, line, ui_draw_cols_left(w));
	if (!sel)
		ui_screen_role(&u->scr, w, ui_tui_matches(u, e->frame) ? UI_ROLE_MATCH : UI_ROLE_NORMAL);
	waddstr(w, "  ");
	fn_names(u, d, e, name, sizeof(name), mod, sizeof(mod));
	used = ui_label_fit(name, name_w, u->scr.utf8, fit, sizeof(fit));
	ui_draw_put(w, fit, used);
	for (; used < name_w + 1; used++)
		waddch(w, ' ');
	ui_draw_put(w, mod, ui_draw_cols_left(w));
	ui_draw_fill(w);
}

static void difftop_draw(struct ui_view *v, struct tui *u, WINDOW *w)
{
	char label[256], line[400];
	int rows = list_rows(u), r;

	ui_tui_baseline_label(u, label, sizeof(label));
	snprintf(line, sizeof(line), " diff: the window against baseline %s", label);
	ui_draw_title(u, w, 0, line);
	ui_draw_title(u, w, 1, "     NOW    BASE  CHANGE  FUNCTION (by change of self share)");
	if (u->base_err[0]) {
		ui_draw_note(u, w, 3, u->base_err);
		return;
	}
	for (r = 0; v->d && r < rows && v->scroll + (size_t)r < v->d->nfns; r++)
		draw_line(v, u, w, r + 2, v->scroll + (size_t)r);
	if ((!v->d || !v->d->nfns) && u->main_rows > 3)
		ui_draw_note(u, w, 3, "no samples in the window or the baseline");
}

static void difftop_selection(struct ui_view *v, struct tui *u, struct ui_selection *out)
{
	const struct profile_diff_fn *e;

	(void)u;
	memset(out, 0, sizeof(*out));
	out->frame = PROFILE_NO_FRAME;
	if (!v->d || v->sel >= v->d->nfns)
		return;
	e = &v->d->fns[v->sel];
	out->frame = e->frame;
	out->self = e->self;
	out->total = e->total;
	out->has_self = true;
	snprintf(out->where, sizeof(out->where), "baseline %.1f%% self: %+.1f points",
		 100.0 * profile_diff_share(e->base_self, v->d->base_total), 100.0 * e->delta);
}

static bool difftop_focus(struct ui_view *v, struct tui *u, uint32_t frame)
{
	size_t i;

	for (i = 0; v->d && i < v->d->nfns; i++)
		if (v->d->fns[i].frame == frame) {
			move_lines(v, u, (long)i - (long)v->sel);
			return true;
		}
	return false;
}

const struct ui_view_ops ui_difftop_ops = {
	.name = "difftop",
	.title = "diff top-list",
	.key = 'D',
	.help = "diff top-list: functions by change against the baseline, both shares",
	.queries = 1u << UI_QUERY_BASELINE,
	.actions = UI_ACTION(UI_ACT_UP) | UI_ACTION(UI_ACT_DOWN) | UI_ACTION(UI_ACT_PAGE_UP) |
		   UI_ACTION(UI_ACT_PAGE_DOWN) | UI_ACTION(UI_ACT_HOME) | UI_ACTION(UI_ACT_END) |
		   UI_ACTION(UI_ACT_COLORS) | UI_ACTION(UI_ACT_SEARCH_NEXT) |
		   UI_ACTION(UI_ACT_SEARCH_PREV),
	.wheel = 3,
	.open = difftop_open,
	.close = difftop_close,
	.refresh = difftop_refresh,
	.action = difftop_action,
	.click = difftop_click,
	.draw = difftop_draw,
	.selection = difftop_selection,
	.focus = difftop_focus,
};
