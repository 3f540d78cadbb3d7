/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The top-list view: the window's functions with their self and total
 * weights, sorted by a column `o` changes, and for the function Enter is
 * pressed on, its callers (top half) and callees (bottom half), which
 * Enter follows in turn and Esc walks back. The list is the query's
 * top-list (profile_top); callers and callees come from the call tree
 * (profile_tree_neighbours), the same queries `report` prints. When the
 * event leads a perf event group (or is in one), a column per ratio of the
 * group (IPC, misses per 1000 instructions; profile_ratios()) follows the
 * weights: each function's, of its total weights in the window.
 */
#include "config.h"

#include "tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum top_sort { SORT_SELF, SORT_TOTAL, SORT_NAME, SORT_MODULE, SORT__COUNT };

/* One line of the callers/callees lists. */
struct nb_line {
	uint32_t frame;
	uint64_t weight;
};

struct ui_view {
	struct profile_fn_stat *fns; /* the query's, sorted by `sort` */
	size_t nfns;
	enum top_sort sort;
	size_t sel, scroll;
	/* The user chose the selected line (keys, search, click); until then
	 * the first line stays selected as the list changes under it. */
	bool picked;
	/* Callers and callees of nb_frame; PROFILE_NO_FRAME: the list. */
	uint32_t nb_frame;
	uint32_t nb_stack[32];
	size_t nb_depth;
	struct nb_line *nb;
	size_t nnb, nb_ncallers, nb_sel;
	struct profile_ratio_set *ratios; /* the window's, NULL: no group */
};

/* A ratio column's width: its label's, at least 8. */
#define RATIO_MIN_WIDTH 8

static struct ui_view *top_open(struct tui *u)
{
	struct ui_view *v = xcalloc(1, sizeof(*v));

	(void)u;
	v->nb_frame = PROFILE_NO_FRAME;
	return v;
}

static void top_close(struct ui_view *v)
{
	free(v->fns);
	free(v->nb);
	profile_ratio_set_free(v->ratios);
	free(v);
}

static bool in_neighbours(const struct ui_view *v)
{
	return v->nb_frame != PROFILE_NO_FRAME;
}

static int cmp_self(const void *a, const void *b)
{
	const struct profile_fn_stat *x = a, *y = b;

	if (x->self != y->self)
		return x->self > y->self ? -1 : 1;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

static int cmp_total(const void *a, const void *b, void *arg)
{
	const struct profile_fn_stat *x = a, *y = b;

	(void)arg;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return cmp_self(a, b);
}

static int cmp_self_r(const void *a, const void *b, void *arg)
{
	(void)arg;
	return cmp_self(a, b);
}

static int cmp_name(const void *a, const void *b, void *arg)
{
	const struct profile *p = arg;
	const struct profile_fn_stat *x = a, *y = b;
	int c = strcmp(profile_string(p, p->frames[x->frame].name),
		       profile_string(p, p->frames[y->frame].name));

	return c ? c : cmp_self(a, b);
}

static int cmp_module(const void *a, const void *b, void *arg)
{
	const struct profile *p = arg;
	const struct profile_fn_stat *x = a, *y = b;
	int c = strcmp(util_basename(profile_string(p, p->frames[x->frame].module)),
		       util_basename(profile_string(p, p->frames[y->frame].module)));

	return c ? c : cmp_self(a, b);
}

/* Sorts by the current column (`sorted`: the list is in the query's
 * order), keeping the selected function selected. */
static void sort_fns(struct ui_view *v, const struct profile *p, bool sorted)
{
	static int (*const cmp[SORT__COUNT])(const void *, const void *, void *) = {
		cmp_self_r, cmp_total, cmp_name, cmp_module
	};
	uint32_t keep = v->sel < v->nfns ? v->fns[v->sel].frame : PROFILE_NO_FRAME;
	size_t i;

	/* The query's order is by self already (ties by name). */
	if (v->nfns && (v->sort != SORT_SELF || !sorted))
		qsort_r(v->fns, v->nfns, sizeof(*v->fns), cmp[v->sort], (void *)p);
	v->sel = 0;
	for (i = 0; i < v->nfns && v->picked; i++)
		if (v->fns[i].frame == keep)
			v->sel = i;
}

static void load_neighbours(struct ui_view *v, struct tui *u)
{
	struct profile_edge *in, *out;
	size_t nin, nout, i;

	free(v->nb);
	v->nb = NULL;
	v->nnb = v->nb_ncallers = 0;
	if (v->nb_frame == PROFILE_NO_FRAME)
		return;
	profile_tree_neighbours(UI_WINDOW_QUERY(u)->tree, v->nb_frame, &in, &nin, &out, &nout);
	v->nb = xcalloc(nin + nout + 1, sizeof(*v->nb));
	for (i = 0; i < nin; i++)
		v->nb[v->nnb++] = (struct nb_line){ in[i].frame, in[i].weight };
	v->nb_ncallers = nin;
	for (i = 0; i < nout; i++)
		v->nb[v->nnb++] = (struct nb_line){ out[i].frame, out[i].weight };
	if (v->nb_sel >= v->nnb)
		v->nb_sel = v->nnb ? v->nnb - 1 : 0;
	free(in);
	free(out);
}

/* What profile_ratio_set_new() queries: the window, for event `e`. */
static struct profile_top *ratio_top(void *ctx, int e)
{
	struct tui *u = ctx;
	struct profile_filter f;

	ui_tui_filter(u, UI_QUERY_WINDOW, &f);
	f.event = e;
	return timeline_query(u->tl, &f);
}

static int ratio_width(const struct profile_ratio *r)
{
	int w = (int)strlen(r->label);

	return w > RATIO_MIN_WIDTH ? w : RATIO_MIN_WIDTH;
}

/*
 * Narrower than this, a line shows the percentages without the weights
 * beside them, so that a function's name keeps some room.
 */
#define WEIGHTS_MIN_COLS 60
/* A name narrower than this leaves no room for the module column. */
#define NAME_MIN_COLS 16

/* The columns the self and total figures take, and their gap. */
static int figure_columns(const struct tui *u)
{
	return u->cols >= WEIGHTS_MIN_COLS ? 30 : 16;
}

/* How many ratio columns fit beside a name column of 20 or more. */
static size_t ratio_columns(const struct ui_view *v, const struct tui *u)
{
	int room = u->cols - figure_columns(u) - 1 - 20;
	size_t k;

	for (k = 0; v->ratios && k < v->ratios->n; k++) {
		room -= ratio_width(&v->ratios->r[k]) + 1;
		if (room < 0)
			break;
	}
	return k;
}

static int list_rows(const struct tui *u)
{
	return u->main_rows > 1 ? u->main_rows - 1 : 1;
}

static void top_refresh(struct ui_view *v, struct tui *u, unsigned why)
{
	const struct profile_top *top = UI_WINDOW_QUERY(u)->top;
	uint32_t keep = v->sel < v->nfns ? v->fns[v->sel].frame : PROFILE_NO_FRAME;
	size_t i;

	if (why & UI_REFRESH_DATA) {
		free(v->fns);
		v->nfns = top ? top->nfns : 0;
		v->fns = xmalloc((v->nfns ? v->nfns : 1) * sizeof(*v->fns));
		if (v->nfns)
			memcpy(v->fns, top->fns, v->nfns * sizeof(*v->fns));
		/* The same function stays selected; else the same line. */
		for (i = 0; i < v->nfns; i++)
			if (v->fns[i].frame == keep)
				v->sel = i;
		if (v->sel >= v->nfns)
			v->sel = v->nfns ? v->nfns - 1 : 0;
		sort_fns(v, u->p, true);
		load_neighbours(v, u);
		profile_ratio_set_free(v->ratios);
		v->ratios = top ? profile_ratio_set_new(u->p, u->filter.event, ratio_top, u) : NULL;
	}
	ui_tui_list_move(&v->sel, &v->scroll, v->nfns, 0, list_rows(u));
}

static unsigned move_lines(struct ui_view *v, struct tui *u, long d)
{
	if (in_neighbours(v))
		ui_tui_list_move(&v->nb_sel, NULL, v->nnb, d, 0);
	else
		ui_tui_list_move(&v->sel, &v->scroll, v->nfns, d, list_rows(u));
	v->picked = true;
	return UI_REDRAW_VIEW;
}

static unsigned show_neighbours(struct ui_view *v, struct tui *u, uint32_t frame)
{
	if (frame == PROFILE_NO_FRAME)
		return 0;
	if (v->nb_frame != PROFILE_NO_FRAME && v->nb_depth < ARRAY_SIZE(v->nb_stack))
		v->nb_stack[v->nb_depth++] = v->nb_frame;
	v->nb_frame = frame;
	v->nb_sel = 0;
	load_neighbours(v, u);
	return UI_REDRAW_VIEW;
}

static unsigned search_step(struct ui_view *v, struct tui *u, bool forward)
{
	size_t k, i;

	if (in_neighbours(v) || !v->nfns)
		return 0;
	for (k = 1; k <= v->nfns; k++) {
		i = forward ? (v->sel + k) % v->nfns : (v->sel + v->nfns - k) % v->nfns;
		if (ui_tui_matches(u, v->fns[i].frame)) {
			ui_tui_list_move(&v->sel, &v->scroll, v->nfns, (long)i - (long)v->sel,
				     list_rows(u));
			v->picked = true;
			break;
		}
	}
	return UI_REDRAW_VIEW;
}

static unsigned top_action(struct ui_view *v, struct tui *u, enum ui_action a)
{
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
		return move_lines(v, u, -(long)(v->nfns + v->nnb));
	case UI_ACT_END:
		return move_lines(v, u, (long)(v->nfns + v->nnb));
	case UI_ACT_ENTER:
		if (in_neighbours(v))
			return v->nb_sel < v->nnb ? show_neighbours(v, u, v->nb[v->nb_sel].frame) : 0;
		return v->sel < v->nfns ? show_neighbours(v, u, v->fns[v->sel].frame) : 0;
	case UI_ACT_BACK:
		if (!in_neighbours(v))
			return 0;
		v->nb_frame = v->nb_depth ? v->nb_stack[--v->nb_depth] : PROFILE_NO_FRAME;
		v->nb_sel = 0;
		load_neighbours(v, u);
		return UI_REDRAW_VIEW;
	case UI_ACT_RESET:
		v->nb_frame = PROFILE_NO_FRAME;
		v->nb_depth = 0;
		v->sel = v->scroll = 0;
		v->picked = false;
		load_neighbours(v, u);
		return UI_REDRAW_VIEW;
	case UI_ACT_SORT:
		v->sort = (enum top_sort)((v->sort + 1) % SORT__COUNT);
		sort_fns(v, u->p, false);
		v->scroll = 0;
		ui_tui_list_move(&v->sel, &v->scroll, v->nfns, 0, list_rows(u));
		return UI_REDRAW_VIEW;
	case UI_ACT_SEARCH_NEXT:
	case UI_ACT_SEARCH_PREV:
		return search_step(v, u, a == UI_ACT_SEARCH_NEXT);
	default:
		return 0;
	}
}

static unsigned top_click(struct ui_view *v, struct tui *u, int row, int col, bool twice)
{
	(void)col;
	if (in_neighbours(v) || row < 1 || v->scroll + (size_t)(row - 1) >= v->nfns)
		return 0;
	v->sel = v->scroll + (size_t)(row - 1);
	v->picked = true;
	return twice ? top_action(v, u, UI_ACT_ENTER) | UI_REDRAW_VIEW : UI_REDRAW_VIEW;
}

/* One top-list style line: self/total columns, ratios, name, module. */
static void list_line(struct ui_view *v, struct tui *u, WINDOW *w, int row, bool sel, bool match,
		      uint64_t self, bool has_self, uint64_t total, uint32_t frame)
{
	char a[32], b[32], c[32], d[32], line[2048], name[1024], mod[256], fit[1024];
	size_t nr = ratio_columns(v, u), k;
	int name_w, mod_w, fixed = figure_columns(u), used;

	for (k = 0; k < nr; k++)
		fixed += ratio_width(&v->ratios->r[k]) + 1;
	name_w = u->cols - fixed - 1;
	mod_w = name_w / 3;
	if (mod_w > 30)
		mod_w = 30;
	if (name_w - mod_w - 1 < NAME_MIN_COLS)
		mod_w = -1; /* the name takes the whole rest */
	name_w -= mod_w + 1;
	if (name_w < 4)
		name_w = 4;
	ui_draw_weight(u, self, b, sizeof(b));
	ui_draw_pct(self, u->total, a, sizeof(a));
	ui_draw_weight(u, total, d, sizeof(d));
	ui_draw_pct(total, u->total, c, sizeof(c));
	if (!has_self) {
		snprintf(a, sizeof(a), "%6s", "");
		snprintf(b, sizeof(b), "%s", "");
	}
	ui_screen_role(&u->scr, w, sel ? UI_ROLE_SELECTED : match ? UI_ROLE_MATCH : UI_ROLE_NORMAL);
	wmove(w, row, 0);
	if (u->cols >= WEIGHTS_MIN_COLS)
		snprintf(line, sizeof(line), " %6s %6s %6s %6s  ", a, b, c, d);
	else
		snprintf(line, sizeof(line), " %6s %6s  ", a, c);
	ui_draw_put(w, line, u->cols);
	for (k = 0; k < nr; k++) {
		char r[32];

		profile_ratio_format(profile_ratio_fn(v->ratios, k, frame, true), r, sizeof(r));
		snprintf(line, sizeof(line), "%*s ", ratio_width(&v->ratios->r[k]), r);
		ui_draw_put(w, line, ui_draw_cols_left(w));
	}
	ui_draw_frame_name(u, frame, name, sizeof(name));
	used = ui_label_fit(name, name_w, u->scr.utf8, fit, sizeof(fit));
	ui_draw_put(w, fit, used);
	if (mod_w >= 0) {
		for (; used < name_w + 1; used++)
			waddch(w, ' ');
		ui_draw_module_name(u, frame, mod, sizeof(mod));
		ui_draw_put(w, mod, ui_draw_cols_left(w));
	}
	ui_draw_fill(w);
}

static void list_header(struct ui_view *v, struct tui *u, WINDOW *w)
{
	static const char *const names[SORT__COUNT] = { "SELF", "TOTAL", "FUNCTION", "MODULE" };
	size_t nr = ratio_columns(v, u), k;
	char line[1024], label[UTIL_SANITIZE_SIZE(64)];
	int at;

	if (u->cols >= WEIGHTS_MIN_COLS)
		at = snprintf(line, sizeof(line), " %13s %13s  ", "SELF", "TOTAL");
	else
		at = snprintf(line, sizeof(line), " %6s %6s  ", "SELF", "TOTAL");
	for (k = 0; k < nr && at > 0 && (size_t)at < sizeof(line); k++) {
		util_sanitize(v->ratios->r[k].label, label, sizeof(label));
		at += snprintf(line + at, sizeof(line) - (size_t)at, "%*s ",
			       ratio_width(&v->ratios->r[k]), label);
	}
	if (at > 0 && (size_t)at < sizeof(line))
		snprintf(line + at, sizeof(line) - (size_t)at, "%s  (sort: %s)", "FUNCTION",
			 names[v->sort]);
	ui_draw_title(u, w, 0, line);
}

static void draw_list(struct ui_view *v, struct tui *u, WINDOW *w)
{
	int rows = list_rows(u), r;
	size_t i;

	list_header(v, u, w);
	for (r = 0; r < rows; r++) {
		i = v->scroll + (size_t)r;
		if (i >= v->nfns)
			break;
		list_line(v, u, w, r + 1, i == v->sel, ui_tui_matches(u, v->fns[i].frame),
			  v->fns[i].self, true, v->fns[i].total, v->fns[i].frame);
	}
	if (!v->nfns && rows > 2)
		ui_draw_note(u, w, 2, "no samples in this window");
}

static void draw_neighbours(struct ui_view *v, struct tui *u, WINDOW *w)
{
	int rows = u->main_rows, half = rows / 2, r, avail;
	char name[1024], title[1200];
	size_t i, first;

	ui_draw_frame_name(u, v->nb_frame, name, sizeof(name));
	/* Callers in the top half, callees in the bottom half, each with a
	 * title row and scrolled to keep the selection in sight. */
	snprintf(title, sizeof(title), " Callers of %s (%zu)", name, v->nb_ncallers);
	ui_draw_title(u, w, 0, title);
	avail = half - 1;
	first = 0;
	if (v->nb_sel < v->nb_ncallers && (int)v->nb_sel >= avail)
		first = v->nb_sel - (size_t)avail + 1;
	for (r = 0, i = first; r < avail && i < v->nb_ncallers; r++, i++)
		list_line(v, u, w, 1 + r, i == v->nb_sel, false, 0, false, v->nb[i].weight,
			  v->nb[i].frame);
	snprintf(title, sizeof(title), " Callees of %s (%zu)", name, v->nnb - v->nb_ncallers);
	ui_draw_title(u, w, half, title);
	avail = rows - half - 1;
	first = v->nb_ncallers;
	if (v->nb_sel >= v->nb_ncallers && (int)(v->nb_sel - v->nb_ncallers) >= avail)
		first = v->nb_sel - (size_t)avail + 1;
	for (r = 0, i = first; r < avail && i < v->nnb; r++, i++)
		list_line(v, u, w, half + 1 + r, i == v->nb_sel, false, 0, false, v->nb[i].weight,
			  v->nb[i].frame);
}

static void top_draw(struct ui_view *v, struct tui *u, WINDOW *w)
{
	if (in_neighbours(v))
		draw_neighbours(v, u, w);
	else
		draw_list(v, u, w);
}

static void top_selection(struct ui_view *v, struct tui *u, struct ui_selection *out)
{
	(void)u;
	memset(out, 0, sizeof(*out));
	out->frame = PROFILE_NO_FRAME;
	if (in_neighbours(v)) {
		if (v->nb_sel < v->nnb) {
			out->frame = v->nb[v->nb_sel].frame;
			out->total = v->nb[v->nb_sel].weight;
		}
	} else if (v->sel < v->nfns) {
		out->frame = v->fns[v->sel].frame;
		out->self = v->fns[v->sel].self;
		out->total = v->fns[v->sel].total;
		out->has_self = true;
	}
}

static bool top_focus(struct ui_view *v, struct tui *u, uint32_t frame)
{
	size_t i;

	for (i = 0; i < v->nfns; i++) {
		if (v->fns[i].frame != frame)
			continue;
		v->nb_frame = PROFILE_NO_FRAME;
		v->nb_depth = 0;
		load_neighbours(v, u);
		ui_tui_list_move(&v->sel, &v->scroll, v->nfns, (long)i - (long)v->sel, list_rows(u));
		return true;
	}
	return false;
}

const struct ui_view_ops ui_top_ops = {
	.name = "top",
	.title = "top-list",
	.key = 't',
	.help = "top-list: functions; Enter: callers, callees",
	.actions = UI_ACTION(UI_ACT_UP) | UI_ACTION(UI_ACT_DOWN) | UI_ACTION(UI_ACT_PAGE_UP) |
		   UI_ACTION(UI_ACT_PAGE_DOWN) | UI_ACTION(UI_ACT_HOME) | UI_ACTION(UI_ACT_END) |
		   UI_ACTION(UI_ACT_ENTER) | UI_ACTION(UI_ACT_BACK) | UI_ACTION(UI_ACT_SORT) |
		   UI_ACTION(UI_ACT_SEARCH_NEXT) | UI_ACTION(UI_ACT_SEARCH_PREV),
	.wheel = 3,
	.open = top_open,
	.close = top_close,
	.refresh = top_refresh,
	.action = top_action,
	.click = top_click,
	.draw = top_draw,
	.selection = top_selection,
	.focus = top_focus,
};
