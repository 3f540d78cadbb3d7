/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The subsecond heatmap view (FlameScope's): a column per second, a row
 * per slice of the second (20 ms, taller when the window is too short to
 * show a second's rows; '(' and ')' pick shorter or taller rows, from
 * 10 ms, the heat store's slice, to 1 s, and a second's rows that do not
 * fit scroll with the cursor), each cell shaded by the weight of the
 * samples in it, under the explorer's filters (a process, a thread, the
 * function filter F sets, the event): where in each second the work
 * happens. With UTF-8 and colours each terminal cell shows two rows as an
 * upper half block (foreground above, background below); otherwise one
 * row per line in ASCII shades. Live it follows the newest second.
 *
 * Selecting: Enter on a cell starts a selection, moving extends it from
 * that cell to the cursor (in time order: from the start cell to the end
 * cell), Enter again makes it the time window every other view shows; Esc
 * drops it. With the mouse: press on the start cell, drag, release on the
 * end cell. Those views read the timeline, whose buckets are 1 s unless
 * --resolution says finer: the message says so when a selection is finer
 * than them. The heatmap itself always shows the whole retained history,
 * the window's seconds underlined on the axis.
 */
#include "config.h"

#include "tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECOND 1000000000ull
#define GUTTER 6 /* "400ms " */

/* Row heights: multiples of the heat store's 10 ms slice that divide a
 * second. Unless a key picked one, the first from AUTO_FIRST (20 ms,
 * FlameScope's) whose rows fit. */
static const uint64_t row_heights[] = { 10000000ull,  20000000ull,  40000000ull,
					50000000ull,  100000000ull, 200000000ull,
					250000000ull, 500000000ull, 1000000000ull };
#define AUTO_FIRST 1

struct ui_view {
	struct profile_heatmap *map; /* the visible seconds; NULL: none */
	uint64_t first; /* the first visible second */
	int ncols; /* seconds visible */
	uint64_t cur_sec; /* the cursor: a second and a row */
	uint32_t cur_row;
	bool follow; /* keep the newest second in sight (and the cursor on it) */
	bool anchored; /* a selection started at anchor_sec, anchor_row */
	uint64_t anchor_sec;
	uint32_t anchor_row;
	int height; /* an index of row_heights a key picked; -1: the first that fits */
	uint32_t top_row; /* the first row shown (the rest of a second's scroll) */
	char err[512];
};

static bool halves(const struct tui *u)
{
	return u->scr.utf8 && u->scr.colors && !u->scr.theme.mono;
}

/* Lines for the grid: the main window less the title and the axis. */
static int grid_lines(const struct tui *u)
{
	return u->main_rows > 3 ? u->main_rows - 2 : 1;
}

/* Rows one screen shows. */
static uint32_t rows_shown(const struct tui *u)
{
	return (uint32_t)grid_lines(u) * (halves(u) ? 2u : 1u);
}

/* The index of the row height: the one picked, or the first from
 * AUTO_FIRST whose rows fit. */
static size_t height_index(const struct ui_view *v, const struct tui *u)
{
	size_t i;

	if (v->height >= 0)
		return (size_t)v->height;
	for (i = AUTO_FIRST; i < ARRAY_SIZE(row_heights); i++)
		if (SECOND / row_heights[i] <= rows_shown(u))
			return i;
	return ARRAY_SIZE(row_heights) - 1;
}

static uint64_t row_height(const struct ui_view *v, const struct tui *u)
{
	return row_heights[height_index(v, u)];
}

static struct ui_view *heatmap_open(struct tui *u)
{
	struct ui_view *v = xcalloc(1, sizeof(*v));

	(void)u;
	v->follow = true;
	v->height = -1;
	return v;
}

static void heatmap_close(struct ui_view *v)
{
	profile_heatmap_free(v->map);
	free(v);
}

/* The newest second there is data for. */
static uint64_t newest_sec(struct tui *u)
{
	uint64_t first, last;

	ui_tui_retained(u, &first, &last);
	return last ? (last - 1) / SECOND : 0;
}

static uint64_t oldest_sec(struct tui *u)
{
	uint64_t first, last, since = profile_heatstore_since(u->heat);

	ui_tui_retained(u, &first, &last);
	return (first > since ? first : since) / SECOND;
}

/* Keeps the cursor within the data and in sight, then queries the visible seconds. */
static void heatmap_refresh(struct ui_view *v, struct tui *u, unsigned why)
{
	struct ft_error err = { { 0 }, 0, 0 };
	struct profile_filter f;
	uint64_t lo = oldest_sec(u), hi = newest_sec(u), row = row_height(v, u);
	uint32_t rows = (uint32_t)(SECOND / row), shown = rows_shown(u), per = halves(u) ? 2 : 1;

	(void)why;
	v->ncols = u->cols - GUTTER;
	if (v->ncols < 1)
		v->ncols = 1;
	if (v->follow)
		v->cur_sec = hi;
	if (v->cur_sec > hi)
		v->cur_sec = hi;
	if (v->cur_sec < lo)
		v->cur_sec = lo;
	if (v->cur_row >= rows)
		v->cur_row = rows - 1;
	/* The cursor's row in sight, whole lines of rows from the top. */
	if (v->cur_row < v->top_row)
		v->top_row = v->cur_row;
	if (v->cur_row >= v->top_row + shown)
		v->top_row = v->cur_row + 1 - shown;
	if (v->top_row + shown > rows)
		v->top_row = rows > shown ? rows - shown : 0;
	v->top_row = (v->top_row + per - 1) / per * per;
	if (v->top_row > v->cur_row) /* rounding up may pass it: down instead */
		v->top_row = v->cur_row / per * per;
	if (v->follow || v->cur_sec >= v->first + (uint64_t)v->ncols)
		v->first = v->cur_sec + 1 > (uint64_t)v->ncols ? v->cur_sec + 1 - (uint64_t)v->ncols
							      : 0;
	if (v->cur_sec < v->first)
		v->first = v->cur_sec;
	if (v->first < lo)
		v->first = lo;
	profile_heatmap_free(v->map);
	f = u->filter;
	f.from = v->first * SECOND;
	f.to = (v->first + (uint64_t)v->ncols) * SECOND;
	if (f.to > (hi + 1) * SECOND) /* no empty columns after the newest second */
		f.to = (hi + 1) * SECOND;
	v->map = profile_heatstore_query(u->heat, u->p, &f, row, &err);
	snprintf(v->err, sizeof(v->err), "%s", v->map ? "" : err.msg);
}

/* The selection's time span, from its start cell to the cursor's cell. */
static void selection_span(const struct ui_view *v, uint64_t *from, uint64_t *to)
{
	const struct profile_heatmap *m = v->map;
	uint64_t a = v->anchor_sec * SECOND + (uint64_t)v->anchor_row * m->row_ns;
	uint64_t b = v->cur_sec * SECOND + (uint64_t)v->cur_row * m->row_ns;
	uint64_t hi = a > b ? a : b;

	*from = a < b ? a : b;
	*to = hi % SECOND + m->row_ns > SECOND ? hi - hi % SECOND + SECOND : hi + m->row_ns;
}

static unsigned move_cursor(struct ui_view *v, struct tui *u, long dsec, long drow)
{
	uint64_t lo = oldest_sec(u), hi = newest_sec(u);
	uint32_t rows = v->map ? v->map->rows : 1;
	long r = (long)v->cur_row + drow;

	if (dsec < 0)
		v->cur_sec = v->cur_sec - lo > (uint64_t)-dsec ? v->cur_sec + (uint64_t)dsec : lo;
	else
		v->cur_sec = hi - v->cur_sec > (uint64_t)dsec ? v->cur_sec + (uint64_t)dsec : hi;
	v->cur_row = r < 0 ? 0 : r >= (long)rows ? rows - 1 : (uint32_t)r;
	v->follow = v->cur_sec == hi && dsec > 0;
	heatmap_refresh(v, u, 0);
	return UI_REDRAW_VIEW;
}

/* The selection becomes the window every view shows. */
static unsigned apply_selection(struct ui_view *v, struct tui *u)
{
	char f[32], t[32];
	uint64_t from, to;

	selection_span(v, &from, &to);
	v->anchored = false;
	ui_format_duration(from, f, sizeof(f));
	ui_format_duration(to, t, sizeof(t));
	if (u->opt.resolution_ns && u->opt.resolution_ns <= v->map->row_ns)
		ui_tui_message(u, false, "window %s to %s from the heatmap; every view shows it", f,
			       t);
	else /* the timeline counts whole buckets */
		ui_tui_message(u, false,
			       "window %s to %s from the heatmap; the other views count whole "
			       "seconds (--resolution %llums counts rows)",
			       f, t, (unsigned long long)(v->map->row_ns / 1000000u));
	return ui_tui_set_window(u, from, to);
}

/* Rows of row_heights[i]: the cursor stays at the same time of its second. */
static unsigned set_height(struct ui_view *v, struct tui *u, size_t i)
{
	uint64_t old = row_height(v, u);
	char h[32];

	v->cur_row = (uint32_t)((uint64_t)v->cur_row * old / row_heights[i]);
	v->height = (int)i;
	v->anchored = false; /* its row was in the old height */
	heatmap_refresh(v, u, 0);
	ui_format_duration(row_heights[i], h, sizeof(h));
	ui_tui_message(u, false, "heatmap rows of %s: %llu a second%s", h,
		       (unsigned long long)(SECOND / row_heights[i]),
		       SECOND / row_heights[i] > rows_shown(u) ? " (Up and Down scroll them)" : "");
	return UI_REDRAW_VIEW;
}

static unsigned heatmap_action(struct ui_view *v, struct tui *u, enum ui_action a)
{
	size_t h = height_index(v, u);

	switch (a) {
	case UI_ACT_LEFT:
		return move_cursor(v, u, -1, 0);
	case UI_ACT_RIGHT:
		return move_cursor(v, u, 1, 0);
	case UI_ACT_UP:
		return move_cursor(v, u, 0, -1);
	case UI_ACT_DOWN:
		return move_cursor(v, u, 0, 1);
	case UI_ACT_PAGE_UP:
		return move_cursor(v, u, -v->ncols, 0);
	case UI_ACT_PAGE_DOWN:
		return move_cursor(v, u, v->ncols, 0);
	case UI_ACT_HOME:
		return move_cursor(v, u, -(long)(newest_sec(u) + 1), 0);
	case UI_ACT_END:
		return move_cursor(v, u, (long)(newest_sec(u) + 1), 0);
	case UI_ACT_ENTER:
		if (!v->map)
			return 0;
		if (!v->anchored) {
			v->anchored = true;
			v->anchor_sec = v->cur_sec;
			v->anchor_row = v->cur_row;
			ui_tui_message(u, false,
				       "selection started: move to its end cell, Enter sets the window");
			return UI_REDRAW_VIEW;
		}
		return apply_selection(v, u);
	case UI_ACT_ROWS_SHORTER:
		if (h == 0) {
			ui_tui_message(u, false, "heatmap rows are 10ms already, the finest kept");
			return UI_REDRAW_STATUS;
		}
		return set_height(v, u, h - 1);
	case UI_ACT_ROWS_TALLER:
		if (h + 1 == ARRAY_SIZE(row_heights)) {
			ui_tui_message(u, false, "heatmap rows are a whole second already");
			return UI_REDRAW_STATUS;
		}
		return set_height(v, u, h + 1);
	case UI_ACT_BACK:
		if (!v->anchored)
			return 0;
		v->anchored = false;
		return UI_REDRAW_VIEW;
	case UI_ACT_RESET:
		v->anchored = false;
		v->follow = true;
		v->height = -1;
		heatmap_refresh(v, u, 0);
		return UI_REDRAW_VIEW;
	default:
		return 0;
	}
}

/* The cell at (row, col) of the main window: its second and row; false outside. */
static bool cell_at(const struct ui_view *v, const struct tui *u, int row, int col,
		    uint64_t *sec, uint32_t *r)
{
	int per = halves(u) ? 2 : 1;

	if (!v->map || row < 1 || row > grid_lines(u) || col < GUTTER ||
	    col - GUTTER >= (int)v->map->ncols)
		return false;
	*sec = v->map->first + (uint64_t)(col - GUTTER);
	*r = v->top_row + (uint32_t)((row - 1) * per);
	return *r < v->map->rows;
}

/* The cell nearest (row, col) of the main window, which may be outside the grid. */
static bool cell_near(const struct ui_view *v, const struct tui *u, int row, int col,
		      uint64_t *sec, uint32_t *r)
{
	int per = halves(u) ? 2 : 1;
	int last = (int)((v->map ? v->map->rows - v->top_row + (uint32_t)per - 1 : 0) /
			 (uint32_t)per);

	if (!v->map || !v->map->ncols)
		return false;
	if (last > grid_lines(u))
		last = grid_lines(u);
	row = row < 1 ? 1 : row > last ? last : row;
	if (col < GUTTER)
		col = GUTTER;
	if (col - GUTTER >= (int)v->map->ncols)
		col = GUTTER + (int)v->map->ncols - 1;
	return cell_at(v, u, row, col, sec, r);
}

static unsigned heatmap_click(struct ui_view *v, struct tui *u, int row, int col, bool twice)
{
	uint64_t sec;
	uint32_t r;

	if (!cell_at(v, u, row, col, &sec, &r))
		return 0;
	v->cur_sec = sec;
	v->cur_row = r;
	v->follow = false;
	return twice ? heatmap_action(v, u, UI_ACT_ENTER) : UI_REDRAW_VIEW;
}

/*
 * A drag from the cell pressed to the cell under the mouse selects them
 * and the cells between (in time order), as Enter on each would; released,
 * the selection becomes the window. A terminal cell of two half rows
 * counts whole: the later end's lower half and the earlier end's upper.
 */
static unsigned heatmap_drag(struct ui_view *v, struct tui *u, int row0, int col0, int row,
			     int col, bool done)
{
	uint32_t per = halves(u) ? 2 : 1, r0, r1;
	uint64_t s0, s1;

	if (!cell_at(v, u, row0, col0, &s0, &r0) || !cell_near(v, u, row, col, &s1, &r1))
		return 0;
	if (s1 > s0 || (s1 == s0 && r1 >= r0))
		r1 = r1 + per - 1 < v->map->rows ? r1 + per - 1 : v->map->rows - 1;
	else
		r0 = r0 + per - 1 < v->map->rows ? r0 + per - 1 : v->map->rows - 1;
	v->anchored = true;
	v->anchor_sec = s0;
	v->anchor_row = r0;
	v->cur_sec = s1;
	v->cur_row = r1;
	v->follow = false;
	return done ? apply_selection(v, u) : UI_REDRAW_VIEW;
}

static bool in_selection(const struct ui_view *v, uint64_t sec, uint32_t row)
{
	uint64_t from, to, t;

	if (!v->anchored)
		return false;
	selection_span(v, &from, &to);
	t = sec * SECOND + (uint64_t)row * v->map->row_ns;
	return t >= from && t < to;
}

static int level(const struct profile_heatmap *m, uint64_t c, uint32_t r)
{
	return r < m->rows ? ui_theme_heat_level(m->cells[c * m->rows + r], m->max) : 0;
}

/* One grid line: rows `r` (and `r + 1` with half blocks) of every visible second. */
static void draw_line(struct ui_view *v, struct tui *u, WINDOW *w, int line, uint32_t r)
{
	const struct profile_heatmap *m = v->map;
	bool half = halves(u);
	char label[32];
	uint64_t c;

	ui_screen_role(&u->scr, w, UI_ROLE_DIM);
	wmove(w, line, 0);
	if (r % (half ? 4 : 2) == 0 || r == 0)
		snprintf(label, sizeof(label), "%4llums ",
			 (unsigned long long)((uint64_t)r * m->row_ns / 1000000u));
	else
		snprintf(label, sizeof(label), "%*s", GUTTER, "");
	waddstr(w, label);
	for (c = 0; c < m->ncols && (int)c < v->ncols; c++) {
		uint64_t sec = m->first + c;
		bool cur_top = sec == v->cur_sec && v->cur_row == r;
		bool cur_bottom = half && sec == v->cur_sec && v->cur_row == r + 1;
		bool sel = in_selection(v, sec, r) || (half && in_selection(v, sec, r + 1));
		int top = level(m, c, r), bottom = half ? level(m, c, r + 1) : 0;

		if (cur_top || cur_bottom) {
			ui_screen_role(&u->scr, w, UI_ROLE_SELECTED);
			waddstr(w, half ? (cur_top ? "\xe2\x96\x80" : "\xe2\x96\x84") : "@");
		} else if (sel) {
			ui_screen_role(&u->scr, w, UI_ROLE_MATCH);
			waddch(w, (chtype)(unsigned char)ui_theme_heat_char(top > bottom ? top
											  : bottom));
		} else if (half && !top && !bottom) {
			ui_screen_role(&u->scr, w, UI_ROLE_NORMAL);
			waddch(w, ' ');
		} else if (half && !top && ui_screen_heat(&u->scr, w, bottom, 0)) {
			waddstr(w, "\xe2\x96\x84"); /* lower half, on the background */
		} else if (half && ui_screen_heat(&u->scr, w, top, bottom)) {
			waddstr(w, "\xe2\x96\x80");
		} else {
			ui_screen_role(&u->scr, w, UI_ROLE_NORMAL);
			waddch(w, (chtype)(unsigned char)ui_theme_heat_char(top));
		}
	}
	ui_screen_role(&u->scr, w, UI_ROLE_NORMAL);
}

/* The axis under the grid: a second's label every ten columns, the window underlined. */
static void draw_axis(struct ui_view *v, struct tui *u, WINDOW *w, int line)
{
	const struct ui_query *q = UI_WINDOW_QUERY(u);
	char text[32];
	int c = 0, n;

	wmove(w, line, 0);
	ui_screen_role(&u->scr, w, UI_ROLE_DIM);
	ui_draw_spaces(w, GUTTER);
	while (c < (int)v->map->ncols && c < v->ncols) {
		uint64_t sec = v->map->first + (uint64_t)c;
		bool in = sec * SECOND + SECOND > q->from && sec * SECOND < q->to;

		ui_screen_role(&u->scr, w, in ? UI_ROLE_STRIP_WINDOW : UI_ROLE_DIM);
		if (sec % 10 == 0) {
			n = snprintf(text, sizeof(text), "|%llus", (unsigned long long)sec);
			if (c + n > v->ncols)
				n = v->ncols - c;
			ui_draw_put(w, text, n);
			c += n;
		} else {
			waddch(w, in ? '=' : ' ');
			c++;
		}
	}
	ui_screen_role(&u->scr, w, UI_ROLE_NORMAL);
}

static void heatmap_draw(struct ui_view *v, struct tui *u, WINDOW *w)
{
	char title[300], max[32], at[32], cell[32], shown[64];
	const struct profile_heatmap *m = v->map;
	bool half = halves(u);
	int line, lines = grid_lines(u);

	if (!m) {
		ui_draw_title(u, w, 0, " heatmap");
		ui_draw_note(u, w, 2, v->err[0] ? v->err : "no data yet");
		return;
	}
	ui_draw_weight(u, m->max, max, sizeof(max));
	ui_format_duration(v->cur_sec * SECOND + (uint64_t)v->cur_row * m->row_ns, at, sizeof(at));
	ui_draw_weight(u,
		       v->cur_sec >= m->first && v->cur_sec - m->first < m->ncols &&
				       v->cur_row < m->rows
			       ? m->cells[(v->cur_sec - m->first) * m->rows + v->cur_row]
			       : 0,
		       cell, sizeof(cell));
	shown[0] = '\0';
	if (m->rows > rows_shown(u)) {
		uint32_t end = v->top_row + rows_shown(u) < m->rows ? v->top_row + rows_shown(u)
								   : m->rows;

		snprintf(shown, sizeof(shown), " (%llu-%llums shown)",
			 (unsigned long long)((uint64_t)v->top_row * m->row_ns / 1000000u),
			 (unsigned long long)((uint64_t)end * m->row_ns / 1000000u));
	}
	snprintf(title, sizeof(title),
		 " heatmap: a column a second, a row %llums%s; darkest %s | cursor %s: %s%s",
		 (unsigned long long)(m->row_ns / 1000000u), shown, max, at, cell,
		 v->anchored ? " | selecting: Enter sets the window, Esc drops it" : "");
	ui_draw_title(u, w, 0, title);
	for (line = 0; line < lines; line++) {
		uint32_t r = v->top_row + (uint32_t)line * (half ? 2u : 1u);

		if (r >= m->rows)
			break;
		draw_line(v, u, w, line + 1, r);
	}
	draw_axis(v, u, w, line + 1);
	if (!m->total && u->main_rows > 4)
		ui_draw_note(u, w, 2 > line ? line : 2, "no samples in these seconds");
}

static void heatmap_selection(struct ui_view *v, struct tui *u, struct ui_selection *out)
{
	(void)v;
	(void)u;
	memset(out, 0, sizeof(*out));
	out->frame = PROFILE_NO_FRAME;
}

static bool heatmap_focus(struct ui_view *v, struct tui *u, uint32_t frame)
{
	(void)v;
	(void)u;
	(void)frame;
	return false;
}

const struct ui_view_ops ui_heatmap_ops = {
	.name = "heatmap",
	.title = "heatmap",
	.key = 'H',
.help = "heatmap: seconds by slices of a second; Enter twice or a drag selects a window",
	.tree_only = true,
	.actions = UI_ACTION(UI_ACT_LEFT) | UI_ACTION(UI_ACT_RIGHT) | UI_ACTION(UI_ACT_UP) |
		   UI_ACTION(UI_ACT_DOWN) | UI_ACTION(UI_ACT_PAGE_UP) |
		   UI_ACTION(UI_ACT_PAGE_DOWN) | UI_ACTION(UI_ACT_HOME) | UI_ACTION(UI_ACT_END) |
		   UI_ACTION(UI_ACT_ENTER) | UI_ACTION(UI_ACT_BACK) |
		   UI_ACTION(UI_ACT_ROWS_SHORTER) | UI_ACTION(UI_ACT_ROWS_TALLER),
	.wheel = 1,
	.open = heatmap_open,
	.close = heatmap_close,
	.refresh = heatmap_refresh,
	.action = heatmap_action,
	.click = heatmap_click,
	.drag = heatmap_drag,
	.draw = heatmap_draw,
	.selection = heatmap_selection,
	.focus = heatmap_focus,
};
