/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Drawing: each part of the screen (header, timeline strip, the main view,
 * status line, footer, and the overlays) drawn from the state in struct
 * tui into its own curses window. Nothing here changes the state or reads
 * the sampler. Every string that came from outside (symbol, module and
 * thread names, paths, the session's metadata) goes through clean(), which
 * is util_sanitize() plus, without UTF-8, a fold to ASCII.
 */
#include "config.h"

#include "tui.h"

#include <stdio.h>
#include <string.h>

#include "flametop/report.h"
#include "flametop/session.h"

#define NONE UINT32_MAX

/* util_sanitize(), then without UTF-8 every non-ASCII character becomes '?'. */
static const char *clean(const struct tui *u, const char *in, char *out, size_t size)
{
	util_sanitize(in ? in : "", out, size);
	if (!u->scr.utf8) {
		unsigned char *r = (unsigned char *)out, *w = r;

		for (; *r; r++) {
			if (*r < 0x80)
				*w++ = *r;
			else if ((*r & 0xc0) != 0x80)
				*w++ = '?';
		}
		*w = '\0';
	}
	return out;
}

const char *ui_draw_frame_name(const struct tui *u, uint32_t frame, char *out, size_t size)
{
	if (frame == PROFILE_NO_FRAME || frame >= u->p->nframes)
		return clean(u, "(root)", out, size);
	return clean(u, profile_string(u->p, u->p->frames[frame].name), out, size);
}

const char *ui_draw_module_name(const struct tui *u, uint32_t frame, char *out, size_t size)
{
	if (frame == PROFILE_NO_FRAME || frame >= u->p->nframes)
		return clean(u, "", out, size);
	return clean(u, util_basename(profile_string(u->p, u->p->frames[frame].module)), out, size);
}

/* Writes at most `cols` columns of (clean) `s`; returns the columns written. */
static int put(WINDOW *w, const char *s, int cols)
{
	const char *p = s;
	int n = 0;

	while (*p && n < cols) {
		p++;
		while ((*p & 0xc0) == 0x80)
			p++;
		n++;
	}
	if (p > s)
		waddnstr(w, s, (int)(p - s));
	return n;
}

/* Spaces to the end of the line, in the current attributes. */
static void fill(WINDOW *w)
{
	int y, x, h, wd;

	getyx(w, y, x);
	getmaxyx(w, h, wd);
	(void)y;
	(void)h;
	for (; x < wd; x++)
		waddch(w, ' ');
}

static int cols_left(WINDOW *w)
{
	int y, x, h, wd;

	getyx(w, y, x);
	getmaxyx(w, h, wd);
	(void)y;
	(void)h;
	return wd - x;
}

/* " label value" in the header's two roles. */
static void field(struct tui *u, WINDOW *w, const char *label, const char *value)
{
	int left = cols_left(w);

	if (left <= 1)
		return;
	ui_screen_role(&u->scr, w, UI_ROLE_HEADER);
	left -= put(w, " ", left);
	if (label) {
		ui_screen_role(&u->scr, w, UI_ROLE_HEADER_KEY);
		left -= put(w, label, left);
		ui_screen_role(&u->scr, w, UI_ROLE_HEADER);
		left -= put(w, " ", left);
	}
	put(w, value, left);
}

static const char *sep(const struct tui *u)
{
	return u->scr.utf8 ? " \xe2\x94\x82" : " |";
}

/* A bucket width, exactly and short: "500ms", "1s", "90s", "1m", "2h". */
static void width_text(uint64_t ns, char *out, size_t size)
{
	static const struct {
		uint64_t ns;
		const char *unit;
	} units[] = {
		{ 3600000000000ull, "h" }, { 60000000000ull, "m" }, { 1000000000ull, "s" },
		{ 1000000ull, "ms" },	   { 1000ull, "us" },	    { 1, "ns" },
	};
	size_t i;

	for (i = 0; i + 1 < ARRAY_SIZE(units) && ns % units[i].ns; i++)
		;
	snprintf(out, size, "%llu%s", (unsigned long long)(ns / units[i].ns), units[i].unit);
}

/*
 * How finely the window's data is kept: " res 1s", or " res 1s-1m" where
 * it spans tiers (older data is coarser); empty without data.
 */
static void resolution_text(const struct tui *u, char *out, size_t size)
{
	uint64_t lo, hi;
	char a[32], b[32];

	timeline_resolution(u->tl, u->shown_from, u->shown_to, &lo, &hi);
	if (!hi) {
		out[0] = '\0';
		return;
	}
	width_text(lo, a, sizeof(a));
	width_text(hi, b, sizeof(b));
	if (lo == hi)
		snprintf(out, size, " res %s", a);
	else
		snprintf(out, size, " res %s-%s", a, b);
}

static void window_text(const struct tui *u, char *out, size_t size)
{
	char a[32], b[32], span[32];

	ui_format_duration(u->shown_from, a, sizeof(a));
	ui_format_duration(u->shown_to > u->shown_from ? u->shown_to : u->shown_from, b, sizeof(b));
	switch (u->win.mode) {
	case UI_WINDOW_LIVE:
		ui_format_duration(u->win.span, span, sizeof(span));
		snprintf(out, size, "live: last %s", span);
		break;
	case UI_WINDOW_ALL:
		snprintf(out, size, "everything: %s to %s", a, b);
		break;
	case UI_WINDOW_RANGE:
	default:
		ui_format_duration(u->shown_to - u->shown_from, span, sizeof(span));
		snprintf(out, size, "%s to %s (%s)", a, b, span);
		break;
	}
}

/*
 * The target, shortened to leave the header's numbers room: a command
 * shows its program's base name, then anything still too long is cut.
 */
static const char *header_target(struct tui *u, char *out, size_t size)
{
	static const char prefix[] = "command: ";
	const size_t plen = sizeof(prefix) - 1;
	int budget = u->cols - 64 > 16 ? u->cols - 64 : 16;
	char full[512];

	clean(u, u->p->meta.target ? u->p->meta.target : "", full, sizeof(full));
	if ((int)ui_text_width(full) > budget && strncmp(full, prefix, plen) == 0) {
		char *prog = full + plen, *args = strchr(prog, ' ');
		char rest[512] = "";
		const char *base;
		size_t n, rl;

		if (args) {
			*args = '\0';
			memcpy(rest, args + 1, strlen(args + 1) + 1);
		}
		base = util_basename(prog);
		memmove(prog, base, strlen(base) + 1);
		n = strlen(full);
		rl = strlen(rest);
		if (rl && n + 1 + rl < sizeof(full)) {
			full[n] = ' ';
			memcpy(full + n + 1, rest, rl + 1);
		}
	}
	ui_label_fit(full, budget, u->scr.utf8, out, size);
	return out;
}

void ui_draw_header(struct tui *u)
{
	WINDOW *w = u->w_header;
	char buf[512], val[256], n[32];
	struct timeline_stats st;
	uint32_t i;

	werase(w);
	ui_screen_role(&u->scr, w, UI_ROLE_HEADER);
	wmove(w, 0, 0);
	fill(w);
	wmove(w, 1, 0);
	fill(w);

	wmove(w, 0, 0);
	ui_screen_role(&u->scr, w, UI_ROLE_HEADER_KEY);
	put(w, " flametop", cols_left(w));
	if (u->src->live) {
		field(u, w, NULL, header_target(u, val, sizeof(val)));
	} else {
		snprintf(buf, sizeof(buf), "%s", u->opt.replay);
		field(u, w, "replay", clean(u, util_basename(buf), val, sizeof(val)));
	}
	buf[0] = '\0';
	for (i = 0; i < u->p->nevents; i++) {
		char ev[128];

		clean(u, u->p->events[i].name, ev, sizeof(ev));
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s%s%s", i ? "," : "",
			 u->p->nevents > 1 && (int)i == u->filter.event ? "[" : "", ev,
			 u->p->nevents > 1 && (int)i == u->filter.event ? "]" : "");
	}
	field(u, w, "event", buf[0] ? buf : "-");
	if (u->p->meta.frequency) {
		snprintf(val, sizeof(val), "%u Hz", u->p->meta.frequency);
		field(u, w, NULL, val);
	}
	ui_format_count((uint64_t)(u->samples_per_s + 0.5), n, sizeof(n));
	snprintf(val, sizeof(val), "%s/s", n);
	field(u, w, "samples", val);
	ui_format_count(u->p->meta.lost, n, sizeof(n));
	field(u, w, "lost", n);
	if (u->filter.pid >= 0 || u->filter.tid >= 0) {
		const struct profile_thread *th =
			profile_find_thread(u->p, (uint32_t)(u->filter.tid >= 0 ? u->filter.tid
										 : u->filter.pid));
		char comm[64] = "";

		if (th)
			clean(u, profile_string(u->p, th->comm), comm, sizeof(comm));
		snprintf(val, sizeof(val), "%s %lld%s%s", u->filter.tid >= 0 ? "tid" : "pid",
			 (long long)(u->filter.tid >= 0 ? u->filter.tid : u->filter.pid), comm[0] ? " " : "",
			 comm);
		field(u, w, "only", val);
	}

	wmove(w, 1, 0);
	window_text(u, val, sizeof(val));
	resolution_text(u, buf, sizeof(buf));
	snprintf(val + strlen(val), sizeof(val) - strlen(val), "%s", buf);
	ui_screen_role(&u->scr, w, UI_ROLE_HEADER_KEY);
	put(w, " window", cols_left(w));
	ui_screen_role(&u->scr, w, UI_ROLE_HEADER);
	put(w, " ", cols_left(w));
	put(w, val, cols_left(w));
	if (u->paused) {
		put(w, sep(u), cols_left(w));
		ui_screen_role(&u->scr, w, UI_ROLE_HEADER_KEY);
		put(w, " PAUSED", cols_left(w));
	}
	if (!u->src->live && !u->ended) {
		char pos[32], end[32];

		ui_format_duration(u->now, pos, sizeof(pos));
		ui_format_duration(u->src->duration_ns, end, sizeof(end));
		snprintf(val, sizeof(val), "%s of %s", pos, end);
		ui_screen_role(&u->scr, w, UI_ROLE_HEADER);
		put(w, sep(u), cols_left(w));
		field(u, w, "play", val);
	}
	/* Why the data stopped comes before flametop's own figures, which a narrow screen cuts. */
	if (u->ended) {
		ui_screen_role(&u->scr, w, UI_ROLE_HEADER);
		put(w, sep(u), cols_left(w));
		field(u, w, NULL, u->ended_msg);
	}
	ui_screen_role(&u->scr, w, UI_ROLE_HEADER);
	put(w, sep(u), cols_left(w));
	timeline_stats(u->tl, &st);
	{
		char rss[32], tlm[32];

		ui_format_bytes(u->rss, rss, sizeof(rss));
		ui_format_bytes(st.memory, tlm, sizeof(tlm));
		snprintf(val, sizeof(val), "cpu %.1f%% mem %s timeline %s", u->cpu_percent, rss, tlm);
	}
	field(u, w, "self", val);
}

void ui_draw_strip(struct tui *u)
{
	static const char *const bars_utf8[] = { " ",
						 "\xe2\x96\x81",
						 "\xe2\x96\x82",
						 "\xe2\x96\x83",
						 "\xe2\x96\x84",
						 "\xe2\x96\x85",
						 "\xe2\x96\x86",
						 "\xe2\x96\x87",
						 "\xe2\x96\x88" };
	static const char bars_ascii[] = " _.-:=+*#";
	WINDOW *w = u->w_strip;
	int width = u->cols, c0, c1, x, cur = -1;
	uint64_t counts[1024], max = 0, first, end;
	struct timeline_stats st;
	char a[32], b[32], label[96];

	werase(w);
	if (width > (int)ARRAY_SIZE(counts))
		width = (int)ARRAY_SIZE(counts);
	timeline_stats(u->tl, &st);
	if (u->src->live) {
		first = st.samples ? st.first : 0;
		end = u->now > first ? u->now : first + UI_WINDOW_MIN_NS;
	} else {
		first = 0;
		end = u->src->duration_ns ? u->src->duration_ns : UI_WINDOW_MIN_NS;
		ui_window_columns(u->now, u->now + 1, first, end, width, &cur, &x);
	}
	if (end - first < UI_WINDOW_MIN_NS)
		end = first + UI_WINDOW_MIN_NS;
	timeline_rate(u->tl, first, end, u->filter.event, counts, (size_t)width);
	for (x = 0; x < width; x++)
		if (counts[x] > max)
			max = counts[x];
	ui_window_columns(u->shown_from, u->shown_to, first, end, width, &c0, &c1);
	wmove(w, 0, 0);
	for (x = 0; x < width; x++) {
		int level = max ? (int)((counts[x] * 8 + max - 1) / max) : 0;

		ui_screen_role(&u->scr, w,
			       x == cur	       ? UI_ROLE_STRIP_CURSOR
			       : x >= c0 && x < c1 ? UI_ROLE_STRIP_WINDOW
						   : UI_ROLE_STRIP);
		if (x == cur && !u->ended)
			waddstr(w, u->scr.utf8 ? "\xe2\x94\x82" : "|");
		else if (u->scr.utf8)
			waddstr(w, bars_utf8[level]);
		else
			waddch(w, (chtype)(unsigned char)bars_ascii[level]);
	}
	/* The axis: the strip's span at the ends, the window's edges under it. */
	ui_screen_role(&u->scr, w, UI_ROLE_DIM);
	wmove(w, 1, 0);
	fill(w);
	ui_format_duration(first, a, sizeof(a));
	ui_format_duration(end, b, sizeof(b));
	wmove(w, 1, 0);
	put(w, a, width);
	if (width > (int)(strlen(a) + strlen(b) + 2)) {
		wmove(w, 1, width - (int)strlen(b));
		put(w, b, (int)strlen(b));
	}
	if (c1 > c0) {
		ui_screen_role(&u->scr, w, UI_ROLE_STRIP);
		if (c1 - c0 >= 2) {
			mvwaddstr(w, 1, c0, u->scr.utf8 ? "\xe2\x94\x94" : "[");
			for (x = c0 + 1; x < c1 - 1; x++)
				waddstr(w, u->scr.utf8 ? "\xe2\x94\x80" : "-");
			waddstr(w, u->scr.utf8 ? "\xe2\x94\x98" : "]");
		} else {
			mvwaddstr(w, 1, c0, "^");
		}
		window_text(u, label, sizeof(label));
		x = (c0 + c1) / 2 - (int)strlen(label) / 2;
		if ((int)strlen(label) + 4 < c1 - c0 && x > c0) {
			wmove(w, 1, x);
			put(w, label, (int)strlen(label));
		}
	}
}

/* Colour of a frame under the current palette. */
static int frame_color(struct tui *u, uint32_t node, uint64_t zoom_total)
{
	const struct profile *p = u->p;
	uint32_t f = p->nodes[node].frame;
	double share = zoom_total ? (double)u->tree->self[node] / (double)zoom_total : 0;

	if (f == PROFILE_NO_FRAME)
		return -1;
	return ui_theme_frame_color(&u->scr.theme, u->palette, share * 4, p->frames[f].module,
				    p->frames[f].kind, p->frames[f].name);
}

static void draw_flame(struct tui *u)
{
	WINDOW *w = u->w_main;
	const struct ui_layout *l = &u->layout;
	uint64_t zoom_total = u->tree->total[l->zoom];
	uint32_t zoom_depth = 0;
	size_t i;

	for (i = 0; i < l->nboxes; i++)
		if (l->boxes[i].node == l->zoom)
			zoom_depth = l->boxes[i].depth;
	for (i = 0; i < l->nboxes; i++) {
		const struct ui_box *b = &l->boxes[i];
		int row = u->flip ? u->main_rows - 1 - (int)b->depth : (int)b->depth;
		int text = b->w >= 3 ? b->w - 1 : b->w, used;
		char name[1024], label[1024];

		if (row < 0 || row >= u->main_rows)
			continue;
		if (b->node == u->sel)
			ui_screen_role(&u->scr, w, UI_ROLE_SELECTED);
		else if (u->have_re && u->tree->match[b->node])
			ui_screen_role(&u->scr, w, UI_ROLE_MATCH);
		else if (b->depth < zoom_depth || b->node == PROFILE_ROOT)
			ui_screen_role(&u->scr, w, UI_ROLE_DIM);
		else
			ui_screen_frame(&u->scr, w, frame_color(u, b->node, zoom_total));
		if (b->node == PROFILE_ROOT) {
			char n[32];

			ui_format_count(u->nsamples, n, sizeof(n));
			snprintf(name, sizeof(name), "all (%s samples)", n);
		} else {
			ui_draw_frame_name(u, u->p->nodes[b->node].frame, name, sizeof(name));
		}
		if (b->node == PROFILE_ROOT || b->depth < zoom_depth) {
			/* Full-width rows: the dim role is not reversed, mark it. */
			if (!u->scr.colors && b->node != u->sel)
				wattron(w, A_REVERSE);
		}
		used = ui_label_fit(name, text, u->scr.utf8, label, sizeof(label));
		wmove(w, row, b->x);
		put(w, label, used);
		for (; used < text; used++)
			waddch(w, ' ');
		if (text < b->w) {
			ui_screen_role(&u->scr, w, UI_ROLE_NORMAL);
			waddch(w, ' ');
		}
	}
	if (l->nboxes <= 1 && u->main_rows > 2) {
		ui_screen_role(&u->scr, w, UI_ROLE_DIM);
		mvwaddstr(w, u->flip ? u->main_rows - 3 : 2, 2,
			  u->paused ? "no samples in this window"
				    : "no samples in this window yet; waiting for data...");
	}
}

int ui_draw_list_rows(const struct tui *u)
{
	return u->main_rows > 1 ? u->main_rows - 1 : 1;
}

/* A weight in the current event's unit: time for clock events, else a count. */
static void weight(const struct tui *u, uint64_t v, char *out, size_t size)
{
	int ev = u->filter.event >= 0 ? u->filter.event : 0;

	if ((uint32_t)ev < u->p->nevents && u->p->events[ev].unit &&
	    strcmp(u->p->events[ev].unit, "ns") == 0)
		ui_format_duration(v, out, size);
	else
		ui_format_count(v, out, size);
}

static void pct(uint64_t v, uint64_t total, char *out, size_t size)
{
	snprintf(out, size, "%5.1f%%", total ? 100.0 * (double)v / (double)total : 0.0);
}

/* One top-list style line: self/total columns, name, module. */
static void list_line(struct tui *u, int row, bool sel, bool match, uint64_t self, bool has_self,
		      uint64_t total, uint32_t frame)
{
	WINDOW *w = u->w_main;
	char a[32], b[32], c[32], d[32], line[2048], name[1024], mod[256];
	int name_w, mod_w, fixed = 30;

	name_w = u->cols - fixed - 1;
	mod_w = name_w / 3;
	if (mod_w > 30)
		mod_w = 30;
	name_w -= mod_w + 1;
	if (name_w < 4)
		name_w = 4;
	weight(u, self, b, sizeof(b));
	pct(self, u->total, a, sizeof(a));
	weight(u, total, d, sizeof(d));
	pct(total, u->total, c, sizeof(c));
	if (!has_self) {
		snprintf(a, sizeof(a), "%6s", "");
		snprintf(b, sizeof(b), "%s", "");
	}
	ui_screen_role(&u->scr, w, sel ? UI_ROLE_SELECTED : match ? UI_ROLE_MATCH : UI_ROLE_NORMAL);
	wmove(w, row, 0);
	snprintf(line, sizeof(line), " %6s %6s %6s %6s  ", a, b, c, d);
	put(w, line, u->cols);
	ui_draw_frame_name(u, frame, name, sizeof(name));
	{
		char fit[1024];
		int used = ui_label_fit(name, name_w, u->scr.utf8, fit, sizeof(fit));

		put(w, fit, used);
		for (; used < name_w + 1; used++)
			waddch(w, ' ');
	}
	ui_draw_module_name(u, frame, mod, sizeof(mod));
	put(w, mod, cols_left(w));
	fill(w);
}

static void list_title(struct tui *u, int row, const char *title)
{
	static const char *const names[UI_SORT__COUNT] = { "SELF", "TOTAL", "FUNCTION", "MODULE" };
	char line[512];
	WINDOW *w = u->w_main;

	ui_screen_role(&u->scr, w, UI_ROLE_TITLE);
	wmove(w, row, 0);
	if (title) {
		put(w, title, u->cols);
	} else {
		snprintf(line, sizeof(line), " %13s %13s  %s", "SELF", "TOTAL", "FUNCTION");
		put(w, line, u->cols);
		put(w, "  (sort: ", cols_left(w));
		put(w, names[u->sort], cols_left(w));
		put(w, ")", cols_left(w));
	}
	fill(w);
}

static bool fn_matches(const struct tui *u, uint32_t frame)
{
	if (!u->have_re || frame >= u->p->nframes)
		return false;
	return regexec(&u->re, profile_string(u->p, u->p->frames[frame].name), 0, NULL, 0) == 0;
}

static void draw_top(struct tui *u)
{
	int rows = ui_draw_list_rows(u), r;
	size_t i;

	list_title(u, 0, NULL);
	for (r = 0; r < rows; r++) {
		i = u->top_scroll + (size_t)r;
		if (i >= u->nfns)
			break;
		list_line(u, r + 1, i == u->top_sel, fn_matches(u, u->fns[i].frame), u->fns[i].self,
			  true, u->fns[i].total, u->fns[i].frame);
	}
	if (!u->nfns && rows > 2) {
		ui_screen_role(&u->scr, u->w_main, UI_ROLE_DIM);
		mvwaddstr(u->w_main, 2, 2, "no samples in this window");
	}
}

static void draw_neighbours(struct tui *u)
{
	int rows = u->main_rows, half = rows / 2, r, avail;
	char name[1024], title[1200];
	size_t i, first;

	ui_draw_frame_name(u, u->nb_frame, name, sizeof(name));
	/* Callers in the top half, callees in the bottom half, each with a
	 * title row and scrolled to keep the selection in sight. */
	snprintf(title, sizeof(title), " Callers of %s (%zu)", name, u->nb_ncallers);
	list_title(u, 0, title);
	avail = half - 1;
	first = 0;
	if (u->nb_sel < u->nb_ncallers && (int)u->nb_sel >= avail)
		first = u->nb_sel - (size_t)avail + 1;
	for (r = 0, i = first; r < avail && i < u->nb_ncallers; r++, i++)
		list_line(u, 1 + r, i == u->nb_sel, false, 0, false, u->nb[i].weight, u->nb[i].frame);
	snprintf(title, sizeof(title), " Callees of %s (%zu)", name, u->nnb - u->nb_ncallers);
	list_title(u, half, title);
	avail = rows - half - 1;
	first = u->nb_ncallers;
	if (u->nb_sel >= u->nb_ncallers && (int)(u->nb_sel - u->nb_ncallers) >= avail)
		first = u->nb_sel - (size_t)avail + 1;
	for (r = 0, i = first; r < avail && i < u->nnb; r++, i++)
		list_line(u, half + 1 + r, i == u->nb_sel, false, 0, false, u->nb[i].weight,
			  u->nb[i].frame);
}

void ui_draw_main(struct tui *u)
{
	werase(u->w_main);
	ui_screen_role(&u->scr, u->w_main, UI_ROLE_NORMAL);
	if (u->view == UI_VIEW_FLAME)
		draw_flame(u);
	else if (u->nb_frame != PROFILE_NO_FRAME)
		draw_neighbours(u);
	else
		draw_top(u);
}

#define LINE_REFRESH_NS (3 * 1000000000ull)

/*
 * "file:line N%" for the hottest source line of `frame` (from the leaf
 * addresses the recorder kept and the module's DWARF), cached in `u`.
 */
static const char *hottest_line(struct tui *u, uint32_t frame)
{
	uint64_t now = util_now_ns();
	struct report_lines *r;
	char file[256];

	if (frame == u->line_frame && now - u->line_at < LINE_REFRESH_NS)
		return u->line_text;
	u->line_frame = frame;
	u->line_at = now;
	u->line_text[0] = '\0';
	r = report_lines_of_frame(u->p, frame, u->lines);
	if (r && r->nlines && r->lines[0].file && r->total) {
		clean(u, util_basename(r->lines[0].file), file, sizeof(file));
		snprintf(u->line_text, sizeof(u->line_text), "%s:%u %.0f%%", file, r->lines[0].line,
			 100.0 * (double)r->lines[0].self / (double)r->total);
	}
	report_lines_free(r);
	return u->line_text;
}

void ui_draw_status(struct tui *u)
{
	WINDOW *w = u->w_status;
	char line[2048], name[1024], mod[512], a[32], b[32];
	uint32_t frame = PROFILE_NO_FRAME;
	uint64_t self = 0, total = 0;

	werase(w);
	ui_screen_role(&u->scr, w, UI_ROLE_STATUS);
	wmove(w, 0, 0);
	fill(w);
	wmove(w, 0, 0);
	if (u->modal == UI_MODAL_SEARCH || u->modal == UI_MODAL_SAVE) {
		char in[600];

		put(w, u->modal == UI_MODAL_SEARCH ? " Search (regex): " : " Save session to: ",
		    u->cols);
		clean(u, u->input, in, sizeof(in));
		put(w, in, cols_left(w) - 1);
		ui_screen_role(&u->scr, w, UI_ROLE_SELECTED);
		waddch(w, ' '); /* the cursor */
		return;
	}
	if (u->message[0]) {
		ui_screen_role(&u->scr, w, u->message_error ? UI_ROLE_ERROR : UI_ROLE_STATUS);
		put(w, " ", u->cols);
		put(w, u->message, cols_left(w));
		fill(w);
		return;
	}
	if (u->view == UI_VIEW_FLAME) {
		if (u->sel != PROFILE_ROOT && u->sel < u->tree->nnodes) {
			frame = u->p->nodes[u->sel].frame;
			self = u->tree->self[u->sel];
			total = u->tree->total[u->sel];
		}
	} else if (u->nb_frame != PROFILE_NO_FRAME) {
		if (u->nb_sel < u->nnb) {
			frame = u->nb[u->nb_sel].frame;
			total = u->nb[u->nb_sel].weight;
		}
	} else if (u->top_sel < u->nfns) {
		frame = u->fns[u->top_sel].frame;
		self = u->fns[u->top_sel].self;
		total = u->fns[u->top_sel].total;
	}
	line[0] = '\0';
	if (u->have_re) {
		char pat[600];

		clean(u, u->pattern, pat, sizeof(pat));
		snprintf(line, sizeof(line), " /%s/ %.1f%% in %u frames %s", pat,
			 u->tree && u->total ? 100.0 * (double)u->tree->match_total / (double)u->total
					     : 0.0,
			 u->tree ? u->tree->nmatch : 0, u->scr.utf8 ? "\xe2\x94\x82" : "|");
	}
	if (frame != PROFILE_NO_FRAME && frame < u->p->nframes) {
		size_t at = strlen(line);

		ui_draw_frame_name(u, frame, name, sizeof(name));
		clean(u, profile_string(u->p, u->p->frames[frame].module), mod, sizeof(mod));
		weight(u, self, a, sizeof(a));
		weight(u, total, b, sizeof(b));
		/* Most telling first: a narrow terminal cuts the module path. */
		snprintf(line + at, sizeof(line) - at, " %s  self %s %.1f%%  total %s %.1f%%", name, a,
			 u->total ? 100.0 * (double)self / (double)u->total : 0.0, b,
			 u->total ? 100.0 * (double)total / (double)u->total : 0.0);
		if (u->p->frames[frame].kind == PROFILE_FRAME_USER && *hottest_line(u, frame)) {
			at = strlen(line);
			snprintf(line + at, sizeof(line) - at, "  hottest line %s", u->line_text);
		}
		at = strlen(line);
		snprintf(line + at, sizeof(line) - at, "  [%s%s]", mod,
			 u->p->frames[frame].kind == PROFILE_FRAME_KERNEL ? ", kernel" : "");
	} else {
		ui_format_count(u->nsamples, a, sizeof(a));
		snprintf(line + strlen(line), sizeof(line) - strlen(line), " %s samples in the window",
			 a);
	}
	put(w, line, u->cols);
}

void ui_draw_footer(struct tui *u)
{
	WINDOW *w = u->w_footer;
	unsigned view = u->view == UI_VIEW_FLAME ? UI_IN_FLAME : UI_IN_TOP;
	size_t i;

	werase(w);
	ui_screen_role(&u->scr, w, UI_ROLE_FOOTER);
	wmove(w, 0, 0);
	fill(w);
	wmove(w, 0, 0);
	for (i = 0; i < ui_nbindings; i++) {
		const struct ui_binding *b = &ui_bindings[i];
		char key[32];
		int need;

		if (!b->footer || !(b->views & view))
			continue;
		ui_keys_name(b->keys[0], key, sizeof(key));
		need = (int)strlen(key) + (int)strlen(b->footer) + 1;
		need += 2;
		if (need > cols_left(w))
			break;
		ui_screen_role(&u->scr, w, UI_ROLE_FOOTER_KEY);
		put(w, key, cols_left(w));
		ui_screen_role(&u->scr, w, UI_ROLE_FOOTER);
		put(w, " ", cols_left(w));
		put(w, b->footer, cols_left(w));
		put(w, "  ", cols_left(w));
	}
}

/* The help text, generated from the key table: one call per line. */
static size_t help_line(size_t n, char *out, size_t size, bool *title)
{
	size_t i, line = 0;
	int g;

	*title = false;
	for (g = 0; g <= UI_GROUP_WINDOW; g++) {
		if (line++ == n) {
			snprintf(out, size, "%s", ui_group_names[g]);
			*title = true;
			return 1;
		}
		for (i = 0; i < ui_nbindings; i++) {
			char keys[64];

			if (ui_bindings[i].group != (enum ui_key_group)g)
				continue;
			if (line++ == n) {
				ui_keys_names(&ui_bindings[i], keys, sizeof(keys));
				snprintf(out, size, "  %-12s %s", keys, ui_bindings[i].help);
				return 1;
			}
		}
		if (line++ == n) {
			out[0] = '\0';
			return 1;
		}
	}
	if (line++ == n) {
		snprintf(out, size, "Mouse");
		*title = true;
		return 1;
	}
	if (line++ == n) {
		snprintf(out, size, "  click selects, double-click zooms, the wheel moves");
		return 1;
	}
	if (line++ == n) {
		snprintf(out, size, "  a click on the strip moves the window there");
		return 1;
	}
	return 0;
}

size_t ui_draw_help_lines(void)
{
	char buf[256];
	bool t;
	size_t n = 0;

	while (help_line(n, buf, sizeof(buf), &t))
		n++;
	return n;
}

/*
 * The help: in as many columns of 60 as the width allows when it does not
 * fit in height, else one column that scrolls.
 */
static void draw_help(struct tui *u)
{
	WINDOW *w = u->w_main;
	size_t total = ui_draw_help_lines(), i;
	int rows = u->main_rows - 1, ncols = u->cols / 60, colw, c, r;
	char buf[256];
	bool title;

	werase(w);
	ui_screen_role(&u->scr, w, UI_ROLE_TITLE);
	wmove(w, 0, 0);
	put(w, " flametop keys (Up/Down scroll, any other key closes)", u->cols);
	fill(w);
	if (rows <= 0)
		return;
	if (ncols < 1 || (size_t)rows * (size_t)ncols < total)
		ncols = 1;
	if ((size_t)rows >= total)
		ncols = 1;
	colw = u->cols / ncols;
	for (c = 0; c < ncols; c++) {
		for (r = 0; r < rows; r++) {
			i = ncols > 1 ? (size_t)(c * rows + r) : u->help_scroll + (size_t)r;
			if (!help_line(i, buf, sizeof(buf), &title))
				break;
			ui_screen_role(&u->scr, w, title ? UI_ROLE_HEADER_KEY : UI_ROLE_NORMAL);
			wmove(w, r + 1, c * colw + 1);
			put(w, buf, colw - 2);
		}
	}
}

static void draw_picker(struct tui *u)
{
	WINDOW *w = u->w_main;
	int rows = u->main_rows - 2, r;
	char line[256], in[600];
	size_t i;

	werase(w);
	ui_screen_role(&u->scr, w, UI_ROLE_TITLE);
	wmove(w, 0, 0);
	put(w, " Show one process or thread: type to filter, Enter picks, Esc cancels", u->cols);
	fill(w);
	ui_screen_role(&u->scr, w, UI_ROLE_NORMAL);
	wmove(w, 1, 0);
	put(w, " filter: ", u->cols);
	put(w, clean(u, u->input, in, sizeof(in)), cols_left(w));
	ui_screen_role(&u->scr, w, UI_ROLE_SELECTED);
	waddch(w, ' ');
	ui_screen_role(&u->scr, w, UI_ROLE_TITLE);
	wmove(w, 2, 0);
	put(w, "      PID      TID   CPU%  NAME", u->cols);
	fill(w);
	rows = u->main_rows - 3;
	if (u->pick_sel < u->pick_scroll)
		u->pick_scroll = u->pick_sel;
	if (rows > 0 && u->pick_sel >= u->pick_scroll + (size_t)rows)
		u->pick_scroll = u->pick_sel - (size_t)rows + 1;
	for (r = 0; r < rows; r++) {
		i = u->pick_scroll + (size_t)r;
		if (i >= u->npick)
			break;
		if (u->pick_idx[i] == SIZE_MAX) {
			snprintf(line, sizeof(line), " %8s %8s %6s  %s", "", "", "",
				 "(everything: no process filter)");
		} else {
			const struct ui_proc *pr = &u->procs.v[u->pick_idx[i]];
			char cpu[16] = "     -"; /* a replay: no CPU figures */

			if (u->src->live)
				snprintf(cpu, sizeof(cpu), "%6.1f", pr->cpu);
			if (pr->thread)
				snprintf(line, sizeof(line), " %8u %8u %s    %s", pr->pid, pr->tid,
					 cpu, pr->comm);
			else
				snprintf(line, sizeof(line), " %8u %8s %s  %s", pr->pid, "-", cpu,
					 pr->comm);
		}
		ui_screen_role(&u->scr, w, i == u->pick_sel ? UI_ROLE_SELECTED : UI_ROLE_NORMAL);
		wmove(w, 3 + r, 0);
		put(w, clean(u, line, in, sizeof(in)), u->cols);
		fill(w);
	}
}

void ui_draw_modal(struct tui *u)
{
	if (u->modal == UI_MODAL_HELP)
		draw_help(u);
	else if (u->modal == UI_MODAL_PICKER)
		draw_picker(u);
}

void ui_draw_too_small(struct tui *u)
{
	char msg[128];

	erase();
	attrset(A_NORMAL);
	mvaddnstr(0, 0, "flametop needs 40x12;", u->cols);
	snprintf(msg, sizeof(msg), "this is %dx%d.", u->cols, u->rows);
	if (u->rows > 1)
		mvaddnstr(1, 0, msg, u->cols);
	if (u->rows > 2)
		mvaddnstr(2, 0, "Enlarge it, or q quits.", u->cols);
}
