/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The explorer's loop and actions. One place reads keys and handles
 * resize (as ncdu does); key presses become actions through the key table
 * (keys.c) and each action is a function in the table below returning
 * redraw flags (as htop's are), so a key redraws only what it changed.
 *
 * The loop: wait up to 100 ms for a key, drain the source into the
 * profile, hand the new samples to the timeline (and to a private session
 * file, so `s` can save what was seen), and once a second re-query the
 * window and redraw what changed. Input is read between source polls, so
 * it stays responsive while the sampler is busy.
 */
#include "config.h"

#include "tui.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "flametop/session.h"

#define TICK_NS 1000000000ull
#define POLL_MS 100
#define TMP_CAP (512ull << 20) /* the private session stops growing here */
#define MIN_COLS 40
#define MIN_ROWS 12

/* ------------------------------------------------------------------------
 * Data: the source into the timeline, queries into the views' tree.
 */

/* The sources' notice sink: the status line shows each one. */
static void show_notice(void *ctx, const char *text)
{
	struct tui *u = ctx;

	util_sanitize(text, u->message, sizeof(u->message));
	u->message_error = false;
}

static void set_message(struct tui *u, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_message(struct tui *u, bool error, const char *fmt, ...)
{
	char raw[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	util_sanitize(raw, u->message, sizeof(u->message));
	u->message_error = error;
}

/* The private session: in $XDG_RUNTIME_DIR (or $TMPDIR, /tmp), mode 0600,
 * never an existing file. Failing is not fatal: `s` says why later. */
static void tmp_open(struct tui *u)
{
	const char *dirs[3] = { getenv("XDG_RUNTIME_DIR"), getenv("TMPDIR"), "/tmp" };
	struct ft_error err = { { 0 }, 0, 0 };
	size_t i;
	int n;

	for (i = 0; i < ARRAY_SIZE(dirs) && !u->writer; i++) {
		if (!dirs[i] || dirs[i][0] != '/' || access(dirs[i], W_OK) != 0)
			continue;
		for (n = 0; n < 100 && !u->writer; n++) {
			snprintf(u->tmppath, sizeof(u->tmppath), "%s/flametop-%d-%d.session", dirs[i],
				 (int)getpid(), n);
			u->writer = session_writer_open(u->tmppath, false, &err);
		}
	}
	if (!u->writer) {
		u->tmppath[0] = '\0';
		set_message(u, true, "cannot keep a copy for saving: %s", err.msg);
		return;
	}
	ui_screen_set_unlink(u->tmppath);
	if (session_writer_begin(u->writer, u->p) < 0) {
		session_writer_abort(u->writer);
		u->writer = NULL;
		unlink(u->tmppath);
		u->tmppath[0] = '\0';
		ui_screen_set_unlink(NULL);
	}
}

static void tmp_flush(struct tui *u)
{
	struct stat st;
	int ret;

	if (!u->writer)
		goto clear;
	ret = session_writer_flush(u->writer, u->p);
	if (ret < 0) {
		set_message(u, true, "%s: %s; saving will hold what came before", u->tmppath,
			    strerror(-ret));
		session_writer_abort(u->writer);
		u->writer = NULL;
		u->tmp_full = true;
	} else if (stat(u->tmppath, &st) == 0 && (uint64_t)st.st_size > TMP_CAP) {
		session_writer_close(u->writer, u->p);
		u->writer = NULL;
		u->tmp_full = true;
	}
clear:
	profile_clear_samples(u->p);
	u->added = 0;
}

/* Moves new samples from the profile into the timeline. */
static bool take_samples(struct tui *u)
{
	size_t n = u->p->nsamples - u->added;

	if (!n)
		return false;
	timeline_add(u->tl, u->p->samples + u->added, n);
	u->added = u->p->nsamples;
	u->rate_samples += n;
	if (!u->writer) {
		profile_clear_samples(u->p);
		u->added = 0;
	}
	return true;
}

static void retained(struct tui *u, uint64_t *first, uint64_t *last)
{
	struct timeline_stats st;

	timeline_stats(u->tl, &st);
	*first = u->src->live && st.samples ? st.first : 0;
	*last = u->now > *first ? u->now : *first;
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

static int cmp_total(const void *a, const void *b)
{
	const struct profile_fn_stat *x = a, *y = b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return cmp_self(a, b);
}

static const struct profile *sort_p;

static int cmp_name(const void *a, const void *b)
{
	const struct profile_fn_stat *x = a, *y = b;
	int c = strcmp(profile_string(sort_p, sort_p->frames[x->frame].name),
		       profile_string(sort_p, sort_p->frames[y->frame].name));

	return c ? c : cmp_self(a, b);
}

static int cmp_module(const void *a, const void *b)
{
	const struct profile_fn_stat *x = a, *y = b;
	int c = strcmp(util_basename(profile_string(sort_p, sort_p->frames[x->frame].module)),
		       util_basename(profile_string(sort_p, sort_p->frames[y->frame].module)));

	return c ? c : cmp_self(a, b);
}

static void sort_fns(struct tui *u)
{
	static int (*const cmp[UI_SORT__COUNT])(const void *, const void *) = {
		cmp_self, cmp_total, cmp_name, cmp_module
	};
	uint32_t keep = u->top_sel < u->nfns ? u->fns[u->top_sel].frame : PROFILE_NO_FRAME;
	size_t i;

	sort_p = u->p;
	if (u->nfns)
		qsort(u->fns, u->nfns, sizeof(*u->fns), cmp[u->sort]);
	sort_p = NULL;
	u->top_sel = 0;
	for (i = 0; i < u->nfns; i++)
		if (u->fns[i].frame == keep)
			u->top_sel = i;
}

static void load_neighbours(struct tui *u)
{
	struct ui_edge *in, *out;
	size_t nin, nout, i;

	free(u->nb);
	u->nb = NULL;
	u->nnb = u->nb_ncallers = 0;
	if (u->nb_frame == PROFILE_NO_FRAME)
		return;
	ui_tree_neighbours(u->tree, u->nb_frame, &in, &nin, &out, &nout);
	u->nb = xcalloc(nin + nout + 1, sizeof(*u->nb));
	for (i = 0; i < nin; i++)
		u->nb[u->nnb++] = (struct ui_nb_line){ in[i].frame, in[i].weight, false };
	u->nb_ncallers = nin;
	for (i = 0; i < nout; i++)
		u->nb[u->nnb++] = (struct ui_nb_line){ out[i].frame, out[i].weight, true };
	if (u->nb_sel >= u->nnb)
		u->nb_sel = u->nnb ? u->nnb - 1 : 0;
	free(in);
	free(out);
}

static void relayout(struct tui *u)
{
	ui_layout_build(&u->layout, u->tree, u->zoom, u->cols, (uint32_t)u->main_rows);
	u->zoom = u->layout.zoom;
	if (ui_layout_find(&u->layout, u->sel) < 0)
		u->sel = u->zoom;
}

/* Queries the window again and rebuilds the views' tree from the result. */
static void requery(struct tui *u)
{
	struct profile_top *owned = NULL;
	const struct profile_top *top;
	uint64_t first, last;
	uint32_t keep_sel = u->sel, keep_zoom = u->zoom;

	retained(u, &first, &last);
	ui_window_resolve(&u->win, first, last, &u->shown_from, &u->shown_to);
	if (u->win.mode == UI_WINDOW_LIVE) {
		if (!u->live)
			u->live = timeline_live_new(u->tl, &u->filter, u->win.span);
		top = timeline_live_top(u->live);
	} else {
		struct profile_filter f = u->filter;

		f.from = u->shown_from;
		f.to = u->shown_to;
		owned = timeline_query(u->tl, &f);
		top = owned;
	}
	ui_tree_free(u->tree);
	u->tree = ui_tree_new(u->p, top->node_self, top->nnodes);
	if (u->have_re)
		ui_tree_search(u->tree, &u->re);
	u->total = top->total_weight;
	u->nsamples = top->nsamples;
	free(u->fns);
	u->nfns = top->nfns;
	u->fns = xmalloc((top->nfns ? top->nfns : 1) * sizeof(*u->fns));
	if (top->nfns)
		memcpy(u->fns, top->fns, top->nfns * sizeof(*u->fns));
	profile_top_free(owned);
	/* Keep the place: the selected frame, or its nearest ancestor that
	 * still has samples. */
	while (keep_sel != PROFILE_ROOT &&
	       (keep_sel >= u->tree->nnodes || !u->tree->total[keep_sel]))
		keep_sel = u->p->nodes[keep_sel].parent;
	while (keep_zoom != PROFILE_ROOT &&
	       (keep_zoom >= u->tree->nnodes || !u->tree->total[keep_zoom]))
		keep_zoom = u->p->nodes[keep_zoom].parent;
	u->sel = keep_sel;
	u->zoom = keep_zoom;
	if (u->top_sel >= u->nfns)
		u->top_sel = u->nfns ? u->nfns - 1 : 0;
	sort_fns(u);
	load_neighbours(u);
	relayout(u);
}

/* A new filter or live span: the live window starts over. */
static void reset_live(struct tui *u)
{
	timeline_live_free(u->live);
	u->live = NULL;
}

/* Own CPU and memory, from /proc/self. */
static void self_usage(struct tui *u, uint64_t now)
{
	char *buf = util_read_file("/proc/self/stat", NULL), *p;
	unsigned long long ut = 0, st = 0;
	long page = sysconf(_SC_PAGESIZE), hz = sysconf(_SC_CLK_TCK);

	if (buf && (p = strrchr(buf, ')')) &&
	    sscanf(p + 2, "%*c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu", &ut, &st) == 2) {
		uint64_t ticks = ut + st;

		if (u->cpu_t0 && now > u->cpu_t0 && hz > 0)
			u->cpu_percent = (double)(ticks - u->cpu_ticks0) / (double)hz /
					 ((double)(now - u->cpu_t0) / 1e9) * 100.0;
		u->cpu_ticks0 = ticks;
		u->cpu_t0 = now;
	}
	free(buf);
	buf = util_read_file("/proc/self/statm", NULL);
	if (buf) {
		unsigned long long size, rss;

		if (sscanf(buf, "%llu %llu", &size, &rss) == 2)
			u->rss = rss * (uint64_t)page;
		free(buf);
	}
}

/* ------------------------------------------------------------------------
 * The screen's windows.
 */

static void free_windows(struct tui *u)
{
	WINDOW **ws[] = { &u->w_header, &u->w_strip, &u->w_main, &u->w_status, &u->w_footer };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ws); i++)
		if (*ws[i]) {
			delwin(*ws[i]);
			*ws[i] = NULL;
		}
}

static void make_windows(struct tui *u)
{
	free_windows(u);
	getmaxyx(stdscr, u->rows, u->cols);
	u->too_small = u->rows < MIN_ROWS || u->cols < MIN_COLS;
	if (u->too_small)
		return;
	u->main_rows = u->rows - 6;
	u->w_header = newwin(2, u->cols, 0, 0);
	u->w_strip = newwin(2, u->cols, 2, 0);
	u->w_main = newwin(u->main_rows, u->cols, 4, 0);
	u->w_status = newwin(1, u->cols, u->rows - 2, 0);
	u->w_footer = newwin(1, u->cols, u->rows - 1, 0);
	if (!u->w_header || !u->w_strip || !u->w_main || !u->w_status || !u->w_footer) {
		free_windows(u);
		u->too_small = true;
	}
}

static void draw(struct tui *u)
{
	unsigned d = u->dirty;

	u->dirty = 0;
	if (d & UI_CLEAR)
		clearok(curscr, TRUE);
	if (u->too_small) {
		ui_draw_too_small(u);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	if (d & UI_REQUERY)
		requery(u);
	else if (d & UI_RELAYOUT)
		relayout(u);
	if (d & UI_REDRAW_HEADER) {
		ui_draw_header(u);
		wnoutrefresh(u->w_header);
	}
	if (d & UI_REDRAW_STRIP) {
		ui_draw_strip(u);
		wnoutrefresh(u->w_strip);
	}
	if (d & UI_REDRAW_MAIN) {
		if (u->modal == UI_MODAL_HELP || u->modal == UI_MODAL_PICKER)
			ui_draw_modal(u);
		else
			ui_draw_main(u);
		wnoutrefresh(u->w_main);
	}
	if (d & UI_REDRAW_STATUS) {
		ui_draw_status(u);
		wnoutrefresh(u->w_status);
	}
	if (d & UI_REDRAW_FOOTER) {
		ui_draw_footer(u);
		wnoutrefresh(u->w_footer);
	}
	doupdate();
}

/* ------------------------------------------------------------------------
 * Actions: one function per enum ui_action, returning redraw flags.
 */

#define MAIN (UI_REDRAW_MAIN | UI_REDRAW_STATUS)

static bool in_neighbours(const struct tui *u)
{
	return u->view == UI_VIEW_TOP && u->nb_frame != PROFILE_NO_FRAME;
}

static unsigned act_quit(struct tui *u)
{
	u->quit = true;
	return 0;
}

static unsigned act_help(struct tui *u)
{
	u->modal = UI_MODAL_HELP;
	u->help_scroll = 0;
	return MAIN;
}

static unsigned act_next_view(struct tui *u)
{
	u->view = u->view == UI_VIEW_FLAME ? UI_VIEW_TOP : UI_VIEW_FLAME;
	return MAIN | UI_REDRAW_FOOTER;
}

static unsigned act_view_flame(struct tui *u)
{
	u->view = UI_VIEW_FLAME;
	return MAIN | UI_REDRAW_FOOTER;
}

static unsigned act_view_top(struct tui *u)
{
	u->view = UI_VIEW_TOP;
	return MAIN | UI_REDRAW_FOOTER;
}

/* Moves a list selection by `d` lines within n, keeping it in sight. */
static void list_move(size_t *sel, size_t *scroll, size_t n, long d, int rows)
{
	long s = (long)*sel + d;

	if (s >= (long)n)
		s = (long)n - 1;
	if (s < 0)
		s = 0;
	*sel = (size_t)s;
	if (scroll) {
		if (*sel < *scroll)
			*scroll = *sel;
		if (rows > 0 && *sel >= *scroll + (size_t)rows)
			*scroll = *sel - (size_t)rows + 1;
	}
}

static unsigned move_lines(struct tui *u, long d)
{
	if (in_neighbours(u))
		list_move(&u->nb_sel, NULL, u->nnb, d, 0);
	else
		list_move(&u->top_sel, &u->top_scroll, u->nfns, d, ui_draw_list_rows(u));
	return MAIN;
}

static unsigned flame_nav(struct tui *u, enum ui_dir dir)
{
	u->sel = ui_layout_nav(&u->layout, u->tree, u->sel, dir);
	return MAIN;
}

static unsigned act_left(struct tui *u)
{
	return u->view == UI_VIEW_FLAME ? flame_nav(u, UI_DIR_LEFT) : 0;
}

static unsigned act_right(struct tui *u)
{
	return u->view == UI_VIEW_FLAME ? flame_nav(u, UI_DIR_RIGHT) : 0;
}

static unsigned act_up(struct tui *u)
{
	if (u->view == UI_VIEW_FLAME)
		return flame_nav(u, u->flip ? UI_DIR_DOWN : UI_DIR_UP);
	return move_lines(u, -1);
}

static unsigned act_down(struct tui *u)
{
	if (u->view == UI_VIEW_FLAME)
		return flame_nav(u, u->flip ? UI_DIR_UP : UI_DIR_DOWN);
	return move_lines(u, 1);
}

static unsigned act_page_up(struct tui *u)
{
	return move_lines(u, -ui_draw_list_rows(u));
}

static unsigned act_page_down(struct tui *u)
{
	return move_lines(u, ui_draw_list_rows(u));
}

static unsigned act_home(struct tui *u)
{
	if (u->view == UI_VIEW_FLAME) {
		u->sel = u->zoom;
		return MAIN;
	}
	return move_lines(u, -(long)(u->nfns + u->nnb));
}

static unsigned act_end(struct tui *u)
{
	return move_lines(u, (long)(u->nfns + u->nnb));
}

static unsigned show_neighbours(struct tui *u, uint32_t frame)
{
	if (frame == PROFILE_NO_FRAME)
		return 0;
	if (u->nb_frame != PROFILE_NO_FRAME && u->nb_depth < ARRAY_SIZE(u->nb_stack))
		u->nb_stack[u->nb_depth++] = u->nb_frame;
	u->nb_frame = frame;
	u->nb_sel = 0;
	load_neighbours(u);
	return MAIN;
}

static unsigned act_enter(struct tui *u)
{
	if (u->view == UI_VIEW_FLAME) {
		if (u->sel == u->zoom)
			return 0;
		u->zoom = u->sel;
		return MAIN | UI_RELAYOUT;
	}
	if (in_neighbours(u))
		return u->nb_sel < u->nnb ? show_neighbours(u, u->nb[u->nb_sel].frame) : 0;
	return u->top_sel < u->nfns ? show_neighbours(u, u->fns[u->top_sel].frame) : 0;
}

static unsigned act_back(struct tui *u)
{
	if (u->view == UI_VIEW_FLAME) {
		if (u->zoom == PROFILE_ROOT)
			return 0;
		u->zoom = u->p->nodes[u->zoom].parent;
		return MAIN | UI_RELAYOUT;
	}
	if (!in_neighbours(u))
		return 0;
	u->nb_frame = u->nb_depth ? u->nb_stack[--u->nb_depth] : PROFILE_NO_FRAME;
	u->nb_sel = 0;
	load_neighbours(u);
	return MAIN;
}

static void clear_search(struct tui *u)
{
	if (u->have_re)
		regfree(&u->re);
	u->have_re = false;
	u->pattern[0] = '\0';
	if (u->tree)
		ui_tree_search(u->tree, NULL);
}

static unsigned act_reset(struct tui *u)
{
	u->zoom = u->sel = PROFILE_ROOT;
	u->nb_frame = PROFILE_NO_FRAME;
	u->nb_depth = 0;
	u->top_sel = u->top_scroll = 0;
	clear_search(u);
	load_neighbours(u);
	return MAIN | UI_RELAYOUT;
}

static unsigned act_flip(struct tui *u)
{
	u->flip = !u->flip;
	return MAIN;
}

static unsigned act_colors(struct tui *u)
{
	u->palette = (enum ui_palette)((u->palette + 1) % UI_PALETTE__COUNT);
	set_message(u, false, "colours: %s", ui_palette_names[u->palette]);
	return MAIN;
}

static unsigned act_search(struct tui *u)
{
	u->modal = UI_MODAL_SEARCH;
	snprintf(u->input, sizeof(u->input), "%s", u->pattern);
	u->input_len = strlen(u->input);
	return UI_REDRAW_STATUS;
}

static bool fn_match(const struct tui *u, size_t i)
{
	return regexec(&u->re, profile_string(u->p, u->p->frames[u->fns[i].frame].name), 0, NULL,
		       0) == 0;
}

static unsigned search_step(struct tui *u, bool forward)
{
	size_t k, i;

	if (!u->have_re) {
		set_message(u, false, "no search: / searches");
		return UI_REDRAW_STATUS;
	}
	if (u->view == UI_VIEW_FLAME) {
		u->sel = ui_layout_next_match(&u->layout, u->tree, u->sel, forward);
		return MAIN;
	}
	if (in_neighbours(u) || !u->nfns)
		return 0;
	for (k = 1; k <= u->nfns; k++) {
		i = forward ? (u->top_sel + k) % u->nfns : (u->top_sel + u->nfns - k) % u->nfns;
		if (fn_match(u, i)) {
			list_move(&u->top_sel, &u->top_scroll, u->nfns, (long)i - (long)u->top_sel,
				  ui_draw_list_rows(u));
			break;
		}
	}
	return MAIN;
}

static unsigned act_search_next(struct tui *u)
{
	return search_step(u, true);
}

static unsigned act_search_prev(struct tui *u)
{
	return search_step(u, false);
}

static unsigned act_pause(struct tui *u)
{
	u->paused = !u->paused;
	if (u->src->ops->set_speed && !u->ended)
		u->src->ops->set_speed(u->src->ctx, u->paused ? 0 : u->speed);
	set_message(u, false, u->paused ? "paused: the picture holds still (Space resumes)"
					: "resumed");
	return UI_REDRAW_ALL | (u->paused ? 0 : UI_REQUERY);
}

static unsigned act_sort(struct tui *u)
{
	u->sort = (enum ui_sort)((u->sort + 1) % UI_SORT__COUNT);
	sort_fns(u);
	u->top_scroll = 0;
	list_move(&u->top_sel, &u->top_scroll, u->nfns, 0, ui_draw_list_rows(u));
	return MAIN;
}

static unsigned window_edit(struct tui *u, enum ui_window_edit e)
{
	uint64_t first, last;
	struct ui_window before = u->win;

	retained(u, &first, &last);
	ui_window_edit(&u->win, e, first, last);
	if (u->win.mode != before.mode || u->win.span != before.span)
		reset_live(u);
	return UI_REDRAW_ALL | UI_REQUERY;
}

static unsigned act_win_shift_left(struct tui *u)
{
	return window_edit(u, UI_WINDOW_SHIFT_LEFT);
}

static unsigned act_win_shift_right(struct tui *u)
{
	return window_edit(u, UI_WINDOW_SHIFT_RIGHT);
}

static unsigned act_win_start_left(struct tui *u)
{
	return window_edit(u, UI_WINDOW_START_LEFT);
}

static unsigned act_win_start_right(struct tui *u)
{
	return window_edit(u, UI_WINDOW_START_RIGHT);
}

static unsigned act_win_end_left(struct tui *u)
{
	return window_edit(u, UI_WINDOW_END_LEFT);
}

static unsigned act_win_end_right(struct tui *u)
{
	return window_edit(u, UI_WINDOW_END_RIGHT);
}

static unsigned act_win_wider(struct tui *u)
{
	return window_edit(u, UI_WINDOW_WIDER);
}

static unsigned act_win_narrower(struct tui *u)
{
	return window_edit(u, UI_WINDOW_NARROWER);
}

static unsigned act_win_live(struct tui *u)
{
	u->win.mode = UI_WINDOW_LIVE;
	if (!u->win.span)
		u->win.span = u->cfg.span;
	reset_live(u);
	return UI_REDRAW_ALL | UI_REQUERY;
}

static unsigned act_win_all(struct tui *u)
{
	u->win.mode = UI_WINDOW_ALL;
	reset_live(u);
	return UI_REDRAW_ALL | UI_REQUERY;
}

static void pick_filter(struct tui *u)
{
	size_t i;

	u->pick_idx = xreallocarray(u->pick_idx, u->procs.n + 1, sizeof(*u->pick_idx));
	u->npick = 0;
	if (!u->input[0])
		u->pick_idx[u->npick++] = SIZE_MAX;
	for (i = 0; i < u->procs.n; i++)
		if (ui_procs_match(&u->procs.v[i], u->input))
			u->pick_idx[u->npick++] = i;
	if (u->pick_sel >= u->npick)
		u->pick_sel = u->npick ? u->npick - 1 : 0;
}

static void pick_scan(struct tui *u)
{
	struct ui_procs tmp = u->procs_prev;

	u->procs_prev = u->procs;
	u->procs = tmp;
	if (u->src->live)
		ui_procs_scan(&u->procs, u->procs_prev.n ? &u->procs_prev : NULL, "/proc");
	else
		ui_procs_from_profile(&u->procs, u->p);
	u->procs_next = util_now_ns() + TICK_NS;
	pick_filter(u);
}

static unsigned act_picker(struct tui *u)
{
	u->modal = UI_MODAL_PICKER;
	u->input[0] = '\0';
	u->input_len = 0;
	u->pick_sel = u->pick_scroll = 0;
	pick_scan(u);
	return MAIN;
}

static unsigned act_event(struct tui *u)
{
	char ev[128];

	if (u->p->nevents < 2) {
		set_message(u, false, "only one event is sampled (%s); -e EV1,EV2 samples several",
			    u->p->nevents ? u->p->events[0].name : "none");
		return UI_REDRAW_STATUS;
	}
	u->filter.event = (u->filter.event + 1) % (int)u->p->nevents;
	util_sanitize(u->p->events[u->filter.event].name, ev, sizeof(ev));
	set_message(u, false, "event: %s", ev);
	reset_live(u);
	return UI_REDRAW_ALL | UI_REQUERY;
}

static unsigned act_save(struct tui *u)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(u->input, sizeof(u->input), "flametop-%Y%m%d-%H%M%S.session", &tm);
	u->input_len = strlen(u->input);
	u->modal = UI_MODAL_SAVE;
	return UI_REDRAW_STATUS;
}

static unsigned act_redraw(struct tui *u)
{
	return UI_REDRAW_ALL | UI_CLEAR;
}

static unsigned (*const actions[UI_ACT__COUNT])(struct tui *u) = {
	[UI_ACT_QUIT] = act_quit,
	[UI_ACT_HELP] = act_help,
	[UI_ACT_NEXT_VIEW] = act_next_view,
	[UI_ACT_VIEW_FLAME] = act_view_flame,
	[UI_ACT_VIEW_TOP] = act_view_top,
	[UI_ACT_LEFT] = act_left,
	[UI_ACT_RIGHT] = act_right,
	[UI_ACT_UP] = act_up,
	[UI_ACT_DOWN] = act_down,
	[UI_ACT_PAGE_UP] = act_page_up,
	[UI_ACT_PAGE_DOWN] = act_page_down,
	[UI_ACT_HOME] = act_home,
	[UI_ACT_END] = act_end,
	[UI_ACT_ENTER] = act_enter,
	[UI_ACT_BACK] = act_back,
	[UI_ACT_RESET] = act_reset,
	[UI_ACT_FLIP] = act_flip,
	[UI_ACT_COLORS] = act_colors,
	[UI_ACT_SEARCH] = act_search,
	[UI_ACT_SEARCH_NEXT] = act_search_next,
	[UI_ACT_SEARCH_PREV] = act_search_prev,
	[UI_ACT_PAUSE] = act_pause,
	[UI_ACT_SORT] = act_sort,
	[UI_ACT_WIN_SHIFT_LEFT] = act_win_shift_left,
	[UI_ACT_WIN_SHIFT_RIGHT] = act_win_shift_right,
	[UI_ACT_WIN_START_LEFT] = act_win_start_left,
	[UI_ACT_WIN_START_RIGHT] = act_win_start_right,
	[UI_ACT_WIN_END_LEFT] = act_win_end_left,
	[UI_ACT_WIN_END_RIGHT] = act_win_end_right,
	[UI_ACT_WIN_WIDER] = act_win_wider,
	[UI_ACT_WIN_NARROWER] = act_win_narrower,
	[UI_ACT_WIN_LIVE] = act_win_live,
	[UI_ACT_WIN_ALL] = act_win_all,
	[UI_ACT_PICKER] = act_picker,
	[UI_ACT_EVENT] = act_event,
	[UI_ACT_SAVE] = act_save,
	[UI_ACT_REDRAW] = act_redraw,
};

/* ------------------------------------------------------------------------
 * Modal input: the search and save prompts, help, the picker.
 */

static void apply_search(struct tui *u)
{
	char msg[256];
	bool lower = true;
	const char *c;
	int ret;

	clear_search(u);
	if (!u->input[0])
		return;
	/* Smart case: a pattern in lower case matches either case. */
	for (c = u->input; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			lower = false;
	ret = regcomp(&u->re, u->input, REG_EXTENDED | REG_NOSUB | (lower ? REG_ICASE : 0));
	if (ret) {
		regerror(ret, &u->re, msg, sizeof(msg));
		set_message(u, true, "search: %s", msg);
		return;
	}
	u->have_re = true;
	snprintf(u->pattern, sizeof(u->pattern), "%s", u->input);
	ui_tree_search(u->tree, &u->re);
	/* Go to the first match unless on one already. */
	if (u->view == UI_VIEW_FLAME && !(u->sel < u->tree->nnodes && u->tree->match[u->sel]))
		u->sel = ui_layout_next_match(&u->layout, u->tree, u->sel, true);
	else if (u->view == UI_VIEW_TOP && !in_neighbours(u) && u->nfns &&
		 !fn_match(u, u->top_sel))
		search_step(u, true);
}

static void do_save(struct tui *u, const char *path)
{
	struct ft_error err = { { 0 }, 0, 0 };
	struct session_writer *w;
	struct profile *copy;
	struct stat st;
	int ret;

	if (!u->tmppath[0]) {
		set_message(u, true, "nothing to save from: %s", u->message);
		return;
	}
	if (u->writer) {
		take_samples(u);
		ret = session_writer_flush(u->writer, u->p);
		if (ret == 0) {
			profile_clear_samples(u->p);
			u->added = 0;
		}
	}
	/* A complete file, with an end chunk: read back what was streamed and
	 * write it out whole. */
	copy = session_read(u->tmppath, NULL, &err);
	if (!copy) {
		set_message(u, true, "cannot save: %s", err.msg);
		return;
	}
	copy->meta.duration_ns = u->now;
	copy->meta.lost = u->p->meta.lost;
	/* Never over an existing file (as `record` without --force): the
	 * user picks another name. The writer refuses too, race-free; this
	 * only words it for the prompt. */
	if (lstat(path, &st) == 0) {
		set_message(u, true, "%s exists; not replaced (s saves under another name)", path);
		goto out;
	}
	w = session_writer_open(path, false, &err);
	if (!w) {
		set_message(u, true, "%s", err.msg);
		goto out;
	}
	ret = session_writer_begin(w, copy);
	if (ret == 0)
		ret = session_writer_close(w, copy);
	else
		session_writer_abort(w);
	if (ret < 0) {
		set_message(u, true, "%s: %s", path, strerror(-ret));
		unlink(path);
		goto out;
	}
	set_message(u, false, "saved %llu samples%s to %s",
		    (unsigned long long)copy->nsamples,
		    u->tmp_full ? " (the first 512 MiB; later samples were not kept)" : "", path);
out:
	profile_free(copy);
}

static unsigned pick(struct tui *u)
{
	const struct ui_proc *pr;

	if (u->pick_sel >= u->npick)
		return 0;
	reset_live(u);
	u->modal = UI_MODAL_NONE;
	if (u->pick_idx[u->pick_sel] == SIZE_MAX) {
		u->filter.pid = u->filter.tid = -1;
		set_message(u, false, "showing everything sampled");
		return UI_REDRAW_ALL | UI_REQUERY;
	}
	pr = &u->procs.v[u->pick_idx[u->pick_sel]];
	u->filter.pid = pr->thread ? -1 : (int64_t)pr->pid;
	u->filter.tid = pr->thread ? (int64_t)pr->tid : -1;
	if (!profile_find_thread(u->p, pr->tid) && u->src->live && u->src->ops->attach &&
	    u->opt.target->target != SAMPLER_SYSTEM) {
		/* Not one of ours: attach to its process, then show it. */
		struct ft_error err = { { 0 }, 0, 0 };

		if (u->src->ops->attach(u->src->ctx, (pid_t)pr->pid, &err) < 0)
			set_message(u, true, "cannot attach to process %u (%s): %s", pr->pid, pr->comm,
				    err.msg);
		else
			set_message(u, false,
				    "attached to process %u (%s); showing only it, p and Enter on "
				    "the first line shows all",
				    pr->pid, pr->comm);
	} else if (!profile_find_thread(u->p, pr->tid) && u->src->live)
		set_message(u, false, "%s %u (%s): nothing sampled from it yet (%s)",
			    pr->thread ? "thread" : "process", pr->thread ? pr->tid : pr->pid,
			    pr->comm, u->p->meta.target ? u->p->meta.target : "");
	else
		set_message(u, false, "showing only %s %u (%s); p and Enter on the first line shows all",
			    pr->thread ? "thread" : "process", pr->thread ? pr->tid : pr->pid,
			    pr->comm);
	return UI_REDRAW_ALL | UI_REQUERY;
}

/* Edits the input line; true when the key was an edit. */
static bool edit_input(struct tui *u, int key)
{
	if (key == UI_KEY_BACKSPACE) {
		while (u->input_len > 0 && (u->input[u->input_len - 1] & 0xc0) == 0x80)
			u->input_len--;
		if (u->input_len > 0)
			u->input_len--;
		u->input[u->input_len] = '\0';
		return true;
	}
	if (key == 0x15) { /* Ctrl-U */
		u->input_len = 0;
		u->input[0] = '\0';
		return true;
	}
	if (key >= 0x20 && key < 0x100 && key != 0x7f && u->input_len + 1 < sizeof(u->input)) {
		u->input[u->input_len++] = (char)key;
		u->input[u->input_len] = '\0';
		return true;
	}
	return false;
}

static unsigned modal_key(struct tui *u, int key)
{
	switch (u->modal) {
	case UI_MODAL_HELP: {
		size_t lines = ui_draw_help_lines(), rows = (size_t)u->main_rows - 1;

		if (key == UI_KEY_DOWN || key == 'j' || key == UI_KEY_PGDN) {
			size_t step = key == UI_KEY_PGDN ? rows : 1;

			if (lines > rows)
				u->help_scroll = u->help_scroll + step > lines - rows
							 ? lines - rows
							 : u->help_scroll + step;
			return MAIN;
		}
		if (key == UI_KEY_UP || key == 'k' || key == UI_KEY_PGUP) {
			size_t step = key == UI_KEY_PGUP ? rows : 1;

			u->help_scroll = u->help_scroll > step ? u->help_scroll - step : 0;
			return MAIN;
		}
		u->modal = UI_MODAL_NONE;
		return MAIN;
	}
	case UI_MODAL_SEARCH:
	case UI_MODAL_SAVE:
		if (key == UI_KEY_ESC) {
			u->modal = UI_MODAL_NONE;
			return UI_REDRAW_STATUS;
		}
		if (key == UI_KEY_ENTER) {
			enum ui_modal m = u->modal;

			u->modal = UI_MODAL_NONE;
			u->message[0] = '\0';
			if (m == UI_MODAL_SEARCH)
				apply_search(u);
			else if (u->input[0])
				do_save(u, u->input);
			return MAIN;
		}
		edit_input(u, key);
		return UI_REDRAW_STATUS;
	case UI_MODAL_PICKER:
		if (key == UI_KEY_ESC) {
			u->modal = UI_MODAL_NONE;
			return MAIN;
		}
		if (key == UI_KEY_ENTER)
			return pick(u);
		if (key == UI_KEY_UP || key == UI_KEY_DOWN || key == UI_KEY_PGUP ||
		    key == UI_KEY_PGDN) {
			long rows = u->main_rows - 3;
			long d = key == UI_KEY_UP ? -1 : key == UI_KEY_DOWN ? 1
						   : key == UI_KEY_PGUP ? -rows
									: rows;

			list_move(&u->pick_sel, NULL, u->npick, d, 0);
			return MAIN;
		}
		if (edit_input(u, key)) {
			u->pick_sel = 0;
			pick_filter(u);
		}
		return MAIN;
	case UI_MODAL_NONE:
	default:
		return 0;
	}
}

/* ------------------------------------------------------------------------
 * Input: curses key codes to ours, mouse events to actions.
 */

static int translate(int ch)
{
	switch (ch) {
	case KEY_UP:
		return UI_KEY_UP;
	case KEY_DOWN:
		return UI_KEY_DOWN;
	case KEY_LEFT:
		return UI_KEY_LEFT;
	case KEY_RIGHT:
		return UI_KEY_RIGHT;
	case KEY_PPAGE:
		return UI_KEY_PGUP;
	case KEY_NPAGE:
		return UI_KEY_PGDN;
	case KEY_HOME:
		return UI_KEY_HOME;
	case KEY_END:
		return UI_KEY_END;
	case KEY_ENTER:
	case '\n':
	case '\r':
		return UI_KEY_ENTER;
	case 27:
		return UI_KEY_ESC;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		return UI_KEY_BACKSPACE;
	case '\t':
		return UI_KEY_TAB;
	case KEY_BTAB:
		return UI_KEY_BTAB;
	case 12:
		return UI_KEY_CTRL_L;
	case 3:
		return UI_KEY_CTRL_C;
	default:
		if (ch >= KEY_F(1) && ch <= KEY_F(12))
			return UI_KEY_F(ch - KEY_F(0));
		return ch;
	}
}

static unsigned mouse(struct tui *u)
{
	MEVENT ev;
	bool dbl, wheel_up, wheel_down;
	int y;

	if (getmouse(&ev) != OK || u->too_small || u->modal != UI_MODAL_NONE)
		return 0;
	dbl = ev.bstate & BUTTON1_DOUBLE_CLICKED;
	wheel_up = ev.bstate & BUTTON4_PRESSED;
	wheel_down = ev.bstate & BUTTON5_PRESSED;
	if (wheel_up || wheel_down) {
		unsigned r = 0;
		int k;

		for (k = 0; k < (u->view == UI_VIEW_TOP ? 3 : 1); k++)
			r |= wheel_up ? act_up(u) : act_down(u);
		return r;
	}
	if (!(ev.bstate & (BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED)))
		return 0;
	if (ev.y == 2 || ev.y == 3) {
		/* On the strip: centre a window of the same width there. */
		uint64_t first, last, end, t, width = u->shown_to - u->shown_from;

		retained(u, &first, &last);
		end = u->src->live ? last : u->src->duration_ns;
		if (end <= first)
			return 0;
		t = first + (uint64_t)((double)(end - first) * (ev.x + 0.5) / u->cols);
		u->win.mode = UI_WINDOW_RANGE;
		u->win.from = t > first + width / 2 ? t - width / 2 : first;
		u->win.to = u->win.from + (width ? width : UI_WINDOW_MIN_NS);
		reset_live(u);
		return UI_REDRAW_ALL | UI_REQUERY;
	}
	y = ev.y - 4;
	if (y < 0 || y >= u->main_rows)
		return 0;
	if (u->view == UI_VIEW_FLAME) {
		long i = ui_layout_at(&u->layout, (uint32_t)(u->flip ? u->main_rows - 1 - y : y), ev.x);

		if (i < 0)
			return 0;
		u->sel = u->layout.boxes[i].node;
		return dbl ? act_enter(u) | MAIN : MAIN;
	}
	if (!in_neighbours(u) && y >= 1 && u->top_scroll + (size_t)(y - 1) < u->nfns) {
		u->top_sel = u->top_scroll + (size_t)(y - 1);
		return dbl ? act_enter(u) | MAIN : MAIN;
	}
	return 0;
}

static void on_key(struct tui *u, int ch)
{
	enum ui_action a;
	int key;

	if (ch == KEY_RESIZE) {
		make_windows(u);
		u->dirty |= UI_REDRAW_ALL | UI_RELAYOUT | UI_CLEAR;
		return;
	}
	if (ch == KEY_MOUSE) {
		u->dirty |= mouse(u);
		return;
	}
	key = translate(ch);
	if (key == UI_KEY_CTRL_C) {
		u->quit = true;
		return;
	}
	if (u->too_small) {
		if (key == 'q' || key == UI_KEY_F10)
			u->quit = true;
		return;
	}
	if (u->modal != UI_MODAL_NONE) {
		u->dirty |= modal_key(u, key);
		return;
	}
	/* A message stays until the next key. */
	if (u->message[0]) {
		u->message[0] = '\0';
		u->dirty |= UI_REDRAW_STATUS;
	}
	a = ui_keys_lookup(key, u->view == UI_VIEW_FLAME ? UI_IN_FLAME : UI_IN_TOP);
	if (a != UI_ACT_NONE && actions[a])
		u->dirty |= actions[a](u);
}

/* ------------------------------------------------------------------------
 * Start, loop, end.
 */

/*
 * A command we launched that still runs gets SIGTERM when the explorer
 * quits, as `record` does at its end.
 */
static void stop_child(const struct source *src)
{
	if (src && src->child > 0)
		kill(src->child, SIGTERM);
}

/*
 * A launched command when the explorer ends, as record treats it: the
 * signal that ended the explorer is passed on to it, and it is given
 * FT_CHILD_GRACE_NS to end (after q it gets SIGTERM at the end of
 * ui_run, as -d does, and is not waited for). Returns the exit status:
 * the command's once it has ended, else `status`.
 */
static int end_command(struct tui *u, int sig, int status)
{
	struct source *src = u->src;
	struct ft_error err = { { 0 }, 0, 0 };
	uint64_t until = util_now_ns() + FT_CHILD_GRACE_NS;
	char clean[256];

	if (sig && src->child > 0) {
		kill(src->child, sig);
		while (src->child > 0 && util_now_ns() < until)
			if (src->ops->poll(src->ctx, POLL_MS, &err) != SOURCE_RUNNING)
				break;
		if (src->child > 0)
			fprintf(stderr, "flametop: %s (pid %d) is still running; leaving it\n",
				util_sanitize(u->opt.target->argv[0], clean, sizeof(clean)),
				(int)src->child);
	}
	return src->child_exited ? util_exit_status(src->child_status) : status;
}

/*
 * The live source on the target, sampling. NULL with `err` set, and
 * *start_err the errno of a command that could not be started (ENOENT: not
 * found, EACCES: not executable), 0 for any other failure.
 */
static struct source *open_live(struct tui *u, int *start_err, struct ft_error *err)
{
	struct source *src = source_live_new(u->opt.target, &u->notices, err);
	int ret;

	*start_err = 0;
	if (src && (ret = source_live_start(src, err)) < 0) {
		*start_err = -ret;
		source_free(src);
		src = NULL;
	}
	return src;
}

static int open_source(struct tui *u, struct ft_error *err)
{
	notice_init(&u->notices, show_notice, u);
	if (u->opt.replay) {
		u->src = source_replay_new(u->opt.replay, u->opt.speed > 0 ? u->opt.speed : SOURCE_UNPACED,
					   &u->notices, err);
		if (!u->src)
			return -1;
		u->speed = u->opt.speed > 0 ? u->opt.speed : SOURCE_UNPACED;
	} else if (u->opt.target->target == SAMPLER_COMMAND) {
		/* The command must not write over the screen: its stdin is
		 * /dev/null and its output goes to a file, named in the
		 * status line. Our own descriptors come back after the fork. */
		const char *dir = getenv("XDG_RUNTIME_DIR");
		char path[512], msg[sizeof(err->msg)];
		int in, out, save[3], i, start_err;

		if (!dir || dir[0] != '/' || access(dir, W_OK) != 0)
			dir = getenv("TMPDIR");
		if (!dir || dir[0] != '/' || access(dir, W_OK) != 0)
			dir = "/tmp";
		snprintf(path, sizeof(path), "%s/flametop-%d.out", dir, (int)getpid());
		in = open("/dev/null", O_RDONLY | O_CLOEXEC);
		out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (in < 0 || out < 0) {
			error_set(err, "%s: %s", out < 0 ? path : "/dev/null", strerror(errno));
			if (in >= 0)
				close(in);
			return -1;
		}
		fflush(stdout);
		fflush(stderr);
		for (i = 0; i < 3; i++)
			save[i] = fcntl(i, F_DUPFD_CLOEXEC, 3);
		dup2(in, 0);
		dup2(out, 1);
		dup2(out, 2);
		u->src = open_live(u, &start_err, err);
		for (i = 0; i < 3; i++) {
			dup2(save[i], i);
			close(save[i]);
		}
		close(in);
		close(out);
		if (!u->src) {
			unlink(path);
			if (!start_err)
				return -1;
			/* As record says it: the command, then why. */
			snprintf(msg, sizeof(msg), "%s", err->msg);
			error_set(err, "%s: %s", u->opt.target->argv[0], msg);
			return -start_err;
		}
		set_message(u, false, "%s writes to %s", u->opt.target->argv[0], path);
		snprintf(u->outpath, sizeof(u->outpath), "%s", path);
	} else {
		int start_err;

		u->src = open_live(u, &start_err, err);
		if (!u->src)
			return -1;
	}
	u->p = u->src->profile;
	return 0;
}

static void init_state(struct tui *u)
{
	struct timeline_config tc;

	timeline_config_default(&tc);
	if (u->opt.resolution_ns)
		tc.resolution_ns = u->opt.resolution_ns;
	if (u->opt.retention_ns)
		tc.retention_ns = u->opt.retention_ns;
	if (u->opt.max_memory)
		tc.max_memory = u->opt.max_memory;
	u->tl = timeline_new(&tc, u->p);
	u->lines = symbols_lines_new();
	u->line_frame = PROFILE_NO_FRAME;
	profile_filter_init(&u->filter);
	if (u->p->nevents > 1)
		u->filter.event = 0;
	u->win.span = u->cfg.span;
	/* A session opened at once is shown whole; anything played live
	 * shows the last seconds. */
	u->win.mode = !u->src->live && u->speed >= SOURCE_UNPACED ? UI_WINDOW_ALL : UI_WINDOW_LIVE;
	u->flip = u->cfg.flame;
	u->palette = u->cfg.palette;
	u->view = u->cfg.top_view ? UI_VIEW_TOP : UI_VIEW_FLAME;
	u->zoom = u->sel = PROFILE_ROOT;
	u->nb_frame = PROFILE_NO_FRAME;
	u->tree = ui_tree_new(u->p, NULL, 0);
}

static void loop(struct tui *u)
{
	struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
	uint64_t next_tick = util_now_ns(), gen = 0, queried_gen = (uint64_t)-1;
	struct ft_error err = { { 0 }, 0, 0 };
	int ch;

	u->dirty = UI_REDRAW_ALL | UI_REQUERY | UI_CLEAR;
	u->rate_t0 = util_now_ns();
	while (!u->quit) {
		uint64_t now;
		int sig, ret;

		if (u->dirty)
			draw(u);
		if (poll(&pfd, 1, POLL_MS) < 0 && errno != EINTR)
			break;
		while ((ch = getch()) != ERR)
			on_key(u, ch);
		sig = ui_screen_stop_signal();
		if (sig || u->quit)
			break;
		if (!u->ended) {
			ret = u->src->ops->poll(u->src->ctx, 0, &err);
			u->now = u->src->ops->now(u->src->ctx);
			if (take_samples(u))
				gen++;
			if (ret != SOURCE_RUNNING) {
				u->ended = true;
				if (ret < 0)
					snprintf(u->ended_msg, sizeof(u->ended_msg), "%s", err.msg);
				else
					snprintf(u->ended_msg, sizeof(u->ended_msg), "%s",
						 u->src->live ? "the target exited"
							      : "end of the session");
				u->dirty |= UI_REDRAW_ALL | UI_REQUERY;
			}
		}
		now = util_now_ns();
		if (now >= next_tick) {
			double dt = (double)(now - u->rate_t0) / 1e9;

			next_tick = now + TICK_NS;
			timeline_advance(u->tl, u->now);
			tmp_flush(u);
			self_usage(u, now);
			u->samples_per_s = dt > 0 ? (double)u->rate_samples / dt : 0;
			u->rate_samples = 0;
			u->rate_t0 = now;
			u->dirty |= UI_REDRAW_HEADER;
			if (!u->paused && gen != queried_gen) {
				queried_gen = gen;
				u->dirty |= UI_REQUERY | UI_REDRAW_STRIP | MAIN;
			}
			if (u->modal == UI_MODAL_PICKER && now >= u->procs_next) {
				pick_scan(u);
				u->dirty |= MAIN;
			}
		}
		if (u->too_small && u->dirty)
			u->dirty = UI_REDRAW_ALL;
	}
}

int ui_run(const struct ui_options *o)
{
	struct tui *u = xcalloc(1, sizeof(*u));
	struct ft_error err = { { 0 }, 0, 0 };
	struct ui_theme theme;
	char *cfg_path;
	int status = 1, sig, ret;

	u->opt = *o;
	/* Settings and theme first: a mistake in them is a usage error, said
	 * in one line before the terminal is touched. */
	ui_config_default(&u->cfg);
	cfg_path = ui_config_path();
	if (cfg_path && ui_config_load(&u->cfg, cfg_path, &err) < 0) {
		char clean[600];

		/* It quotes the file: keep its control characters off the terminal. */
		fprintf(stderr, "flametop: %s\n", util_sanitize(err.msg, clean, sizeof(clean)));
		free(cfg_path);
		status = FT_EXIT_USAGE;
		goto out;
	}
	free(cfg_path);
	if (o->no_mouse)
		u->cfg.mouse = false;
	if (ui_theme_load(&theme, o->theme ? o->theme : u->cfg.theme, &err) < 0) {
		char clean[600];

		/* A named theme that is missing is an error; the default one
		 * missing (a broken install) falls back to the built-in. */
		if (o->theme || strcmp(u->cfg.theme, "default") != 0) {
			fprintf(stderr, "flametop: %s\n", util_sanitize(err.msg, clean, sizeof(clean)));
			status = FT_EXIT_USAGE;
			goto out;
		}
		ui_theme_builtin(&theme);
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "flametop: the live view needs a terminal; 'flametop record' samples "
				"without one\n");
		goto out;
	}
	ret = open_source(u, &err);
	if (ret < 0) {
		char clean[600];

		fprintf(stderr, "flametop: %s\n", util_sanitize(err.msg, clean, sizeof(clean)));
		status = util_exec_status(ret);
		goto out;
	}
	init_state(u);
	if (ui_screen_open(&u->scr, u->cfg.mouse, theme.mono, &err) < 0) {
		fprintf(stderr, "flametop: %s\n", err.msg);
		goto out_source;
	}
	ui_screen_theme(&u->scr, &theme);
	/* getch() refreshes stdscr when it changed: show it once, blank, so
	 * that it never paints over the windows later. */
	refresh();
	tmp_open(u);
	make_windows(u);
	loop(u);
	sig = ui_screen_stop_signal();
	status = sig ? 128 + sig : 0;
	if (sig == SIGINT)
		status = 0;
	free_windows(u);
	ui_screen_close(&u->scr);
	status = end_command(u, sig, status);

out_source:
	if (u->outpath[0]) {
		struct stat st;

		if (!u->ended)
			stop_child(u->src);
		if (stat(u->outpath, &st) == 0 && st.st_size == 0)
			unlink(u->outpath);
	}
	if (u->writer)
		session_writer_abort(u->writer);
	if (u->tmppath[0])
		unlink(u->tmppath);
	ui_screen_set_unlink(NULL);
	timeline_live_free(u->live);
	timeline_free(u->tl);
	symbols_lines_free(u->lines);
	source_free(u->src);
out:
	ui_tree_free(u->tree);
	ui_layout_free(&u->layout);
	if (u->have_re)
		regfree(&u->re);
	ui_procs_free(&u->procs);
	ui_procs_free(&u->procs_prev);
	free(u->pick_idx);
	free(u->fns);
	free(u->nb);
	notice_free(&u->notices);
	free(u);
	return status;
}
