/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Drawing the frame around the views: header, timeline strip, status line,
 * footer and the overlays (help, picker), each from the state in struct
 * tui into its own curses window; and the helpers the views draw with.
 * Nothing here changes the state or reads the sampler. Every string that
 * came from outside (symbol, module and thread names, paths, the
 * session's metadata) goes through ui_draw_clean(), which is
 * util_sanitize() plus, without UTF-8, a fold to ASCII.
 */
#include "config.h"

#include "tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/report.h"
#include "flametop/sampler.h"
#include "flametop/session.h"

#define NONE UINT32_MAX

const char *ui_draw_clean(const struct tui *u, const char *in, char *out, size_t size)
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
		return ui_draw_clean(u, "(root)", out, size);
	return ui_draw_clean(u, profile_string(u->p, u->p->frames[frame].name), out, size);
}

const char *ui_draw_name(struct tui *u, uint32_t frame)
{
	char buf[4096];
	uint32_t n;

	if (frame == PROFILE_NO_FRAME || frame >= u->p->nframes)
		return "(root)";
	if (frame >= u->nnames) {
		n = u->p->nframes;
		u->names = xreallocarray(u->names, n, sizeof(*u->names));
		memset(u->names + u->nnames, 0, (n - u->nnames) * sizeof(*u->names));
		u->nnames = n;
	}
	if (!u->names[frame])
		u->names[frame] = xstrdup(ui_draw_frame_name(u, frame, buf, sizeof(buf)));
	return u->names[frame];
}

const char *ui_draw_module_name(const struct tui *u, uint32_t frame, char *out, size_t size)
{
	if (frame == PROFILE_NO_FRAME || frame >= u->p->nframes)
		return ui_draw_clean(u, "", out, size);
	return ui_draw_clean(u, util_basename(profile_string(u->p, u->p->frames[frame].module)), out, size);
}

int ui_draw_put(WINDOW *w, const char *s, int cols)
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

void ui_draw_spaces(WINDOW *w, int n)
{
	static const char blank[] = "                                                                ";

	while (n > 0) {
		int k = n < (int)sizeof(blank) - 1 ? n : (int)sizeof(blank) - 1;

		waddnstr(w, blank, k);
		n -= k;
	}
}

void ui_draw_fill(WINDOW *w)
{
	int y, x, h, wd;

	getyx(w, y, x);
	getmaxyx(w, h, wd);
	(void)y;
	(void)h;
	ui_draw_spaces(w, wd - x);
}

int ui_draw_cols_left(WINDOW *w)
{
	int y, x, h, wd;

	getyx(w, y, x);
	getmaxyx(w, h, wd);
	(void)y;
	(void)h;
	return wd - x;
}

/* A session's name in the header: its file name, or its whole path where
 * the file name alone says nothing (/dev/fd/63 from <(command), /dev/stdin,
 * /proc/self/fd/N). Borrowed from `path`. */
static const char *session_name(const char *path)
{
	if (strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0)
		return path;
	return util_basename(path);
}

/* " label value" in the header's two roles. */
static void field(struct tui *u, WINDOW *w, const char *label, const char *value)
{
	int left = ui_draw_cols_left(w);

	if (left <= 1)
		return;
	ui_screen_role(&u->scr, w, UI_ROLE_HEADER);
	left -= ui_draw_put(w, " ", left);
	if (label) {
		ui_screen_role(&u->scr, w, UI_ROLE_HEADER_KEY);
		left -= ui_draw_put(w, label, left);
		ui_screen_role(&u->scr, w, UI_ROLE_HEADER);
		left -= ui_draw_put(w, " ", left);
	}
	ui_draw_put(w, value, left);
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

	timeline_resolution(u->tl, UI_WINDOW_QUERY(u)->from, UI_WINDOW_QUERY(u)->to, &lo, &hi);
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

/*
 * A live window: its span, and what it counts when that is more than a
 * twentieth longer. Views count whole buckets, so the last second counts
 * the bucket it began in, up to twice as long.
 */
static void live_text(const struct tui *u, char *out, size_t size)
{
	const struct ui_query *q = UI_WINDOW_QUERY(u);
	uint64_t span = UI_WIN(u).span, from = q->from, to = q->to;
	char a[32], b[32];

	ui_format_duration(span, a, sizeof(a));
	if (q->top && q->top->nsamples && to > from) {
		timeline_span(u->tl, &from, &to);
		if (from < q->from && (q->to - from) / 21 > span / 20) {
			ui_format_duration(q->to - from, b, sizeof(b));
			snprintf(out, size, "live: last %s (counts %s)", a, b);
			return;
		}
	}
	snprintf(out, size, "live: last %s", a);
}

static void window_text(const struct tui *u, char *out, size_t size)
{
	char a[32], b[32], span[32];

	ui_format_duration(UI_WINDOW_QUERY(u)->from, a, sizeof(a));
	ui_format_duration(UI_WINDOW_QUERY(u)->to > UI_WINDOW_QUERY(u)->from ? UI_WINDOW_QUERY(u)->to : UI_WINDOW_QUERY(u)->from, b, sizeof(b));
	switch (UI_WIN(u).mode) {
	case UI_WINDOW_LIVE:
		live_text(u, out, size);
		break;
	case UI_WINDOW_ALL:
		snprintf(out, size, "everything: %s to %s", a, b);
		break;
	case UI_WINDOW_DECAY:
		ui_format_duration(UI_WIN(u).half_life, span, sizeof(span));
		snprintf(out, size, "decay: half-life %s", span);
		break;
	case UI_WINDOW_RANGE:
	default:
		ui_format_duration(UI_WINDOW_QUERY(u)->to - UI_WINDOW_QUERY(u)->from, span, sizeof(span));
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

	ui_draw_clean(u, u->p->meta.target ? u->p->meta.target : "", full, sizeof(full));
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

/*
 * The header's first line, as fields that a narrow screen leaves out rather
 * than cuts: the fields are taken by rank, highest first, each where it
 * still fits, and drawn in their own order. What changes how the numbers
 * below read (records the kernel lost, what was folded into [other], the
 * filters) has the highest rank and is always taken, cut if it must be.
 */
enum header_rank {
	HEADER_RATE_UNIT, /* "99 Hz", "each event": the lowest */
	HEADER_NAME, /* " flametop" */
	HEADER_SAMPLES, /* "samples 12/s" */
	HEADER_TARGET, /* the command, pids or replayed file */
	HEADER_EVENT, /* "event cpu-clock" */
	HEADER_FACT, /* lost records, [other], the filters: always taken */
};

struct header_field {
	const char *label; /* NULL: the value alone */
	char value[256];
	enum header_rank rank;
	bool shown;
};

/* Columns the field takes: " label value", or " flametop" for the name. */
static int header_field_width(const struct header_field *f)
{
	if (f->rank == HEADER_NAME)
		return (int)ui_text_width(f->value);
	return 1 + (f->label ? (int)ui_text_width(f->label) + 1 : 0) + (int)ui_text_width(f->value);
}

/* Marks shown the fields that fit in `cols`, taken by rank, highest first. */
static void header_fit(struct header_field *f, size_t n, int cols)
{
	int rank;
	size_t i;

	for (i = 0; i < n; i++)
		f[i].shown = false;
	for (rank = HEADER_FACT; rank >= 0; rank--) {
		for (i = 0; i < n; i++) {
			int width = header_field_width(&f[i]);

			if ((int)f[i].rank != rank || (rank != HEADER_FACT && width > cols))
				continue;
			f[i].shown = true;
			cols -= width;
		}
	}
}

/* Appends a field; `value` is copied (cut at 255 bytes). */
static void header_add(struct header_field *f, size_t *n, enum header_rank rank, const char *label,
		       const char *value)
{
	struct header_field *a = &f[(*n)++];

	a->label = label;
	a->rank = rank;
	snprintf(a->value, sizeof(a->value), "%s", value);
}

void ui_draw_header(struct tui *u)
{
	WINDOW *w = u->w_header;
	struct header_field f[9];
	char buf[512], val[256], n[32];
	struct timeline_stats st;
	uint64_t period;
	size_t nf = 0;
	uint32_t i;

	werase(w);
	ui_screen_role(&u->scr, w, UI_ROLE_HEADER);
	wmove(w, 0, 0);
	ui_draw_fill(w);
	wmove(w, 1, 0);
	ui_draw_fill(w);

	header_add(f, &nf, HEADER_NAME, NULL, " flametop");
	if (u->src->live) {
		header_add(f, &nf, HEADER_TARGET, NULL, header_target(u, val, sizeof(val)));
	} else {
		snprintf(buf, sizeof(buf), "%s", u->opt.replay);
		header_add(f, &nf, HEADER_TARGET, "replay",
			   ui_draw_clean(u, session_name(buf), val, sizeof(val)));
	}
	buf[0] = '\0';
	for (i = 0; i < u->p->nevents; i++) {
		char ev[128];

		ui_draw_clean(u, u->p->events[i].name, ev, sizeof(ev));
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s%s%s", i ? "," : "",
			 u->p->nevents > 1 && (int)i == u->filter.event ? "[" : "", ev,
			 u->p->nevents > 1 && (int)i == u->filter.event ? "]" : "");
	}
	header_add(f, &nf, HEADER_EVENT, "event", buf[0] ? buf : "-");
	period = report_event_period(u->p, u->filter.event < 0 ? 0 : u->filter.event);
	if (report_any_at_frequency(u->p)) {
		snprintf(val, sizeof(val), "%u Hz", u->p->meta.frequency);
		header_add(f, &nf, HEADER_RATE_UNIT, NULL, val);
	} else if (period == 1) {
		header_add(f, &nf, HEADER_RATE_UNIT, NULL, "each event");
	} else if (period) {
		ui_format_count(period, n, sizeof(n));
		snprintf(val, sizeof(val), "every %s", n);
		header_add(f, &nf, HEADER_RATE_UNIT, NULL, val);
	}
	ui_format_count((uint64_t)(u->samples_per_s + 0.5), n, sizeof(n));
	snprintf(val, sizeof(val), "%s/s", n);
	header_add(f, &nf, HEADER_SAMPLES, "samples", val);
	/* The kernel counts every record it dropped, samples and the
	 * mmap, comm and fork records alike: it cannot tell them apart.
	 * Said when there are some: the header's room goes to the filter. */
	if (u->p->meta.lost) {
		ui_format_count(u->p->meta.lost, n, sizeof(n));
		header_add(f, &nf, HEADER_FACT, "lost records", n);
	}
	if (u->p->folded) {
		/* The profile reached its limits (profile.h): how much went to [other]. */
		ui_format_count(u->p->folded, n, sizeof(n));
		header_add(f, &nf, HEADER_FACT, PROFILE_OTHER_NAME, n);
	}
	if (u->filter.pid >= 0 || u->filter.tid >= 0) {
		const struct profile_thread *th =
			profile_find_thread(u->p, (uint32_t)(u->filter.tid >= 0 ? u->filter.tid
										 : u->filter.pid));
		char comm[64] = "";

		if (th)
			ui_draw_clean(u, profile_string(u->p, th->comm), comm, sizeof(comm));
		snprintf(val, sizeof(val), "%s %lld%s%s", u->filter.tid >= 0 ? "tid" : "pid",
			 (long long)(u->filter.tid >= 0 ? u->filter.tid : u->filter.pid), comm[0] ? " " : "",
			 comm);
		header_add(f, &nf, HEADER_FACT, "only", val);
	}
	if (u->filter_text[0]) {
		char pat[200];

		ui_draw_clean(u, u->filter_text, pat, sizeof(pat));
		snprintf(val, sizeof(val), "/%s/", pat);
		header_add(f, &nf, HEADER_FACT, "through", val);
	}
	header_fit(f, nf, u->cols);
	wmove(w, 0, 0);
	for (i = 0; i < nf; i++) {
		if (!f[i].shown)
			continue;
		if (f[i].rank == HEADER_NAME) {
			ui_screen_role(&u->scr, w, UI_ROLE_HEADER_KEY);
			ui_draw_put(w, f[i].value, ui_draw_cols_left(w));
		} else {
			field(u, w, f[i].label, f[i].value);
		}
	}

	wmove(w, 1, 0);
	window_text(u, val, sizeof(val));
	resolution_text(u, buf, sizeof(buf));
	snprintf(val + strlen(val), sizeof(val) - strlen(val), "%s", buf);
	ui_screen_role(&u->scr, w, UI_ROLE_HEADER_KEY);
	ui_draw_put(w, " window", ui_draw_cols_left(w));
	ui_screen_role(&u->scr, w, UI_ROLE_HEADER);
	ui_draw_put(w, " ", ui_draw_cols_left(w));
	ui_draw_put(w, val, ui_draw_cols_left(w));
	if (u->paused) {
		ui_draw_put(w, sep(u), ui_draw_cols_left(w));
		ui_screen_role(&u->scr, w, UI_ROLE_HEADER_KEY);
		ui_draw_put(w, " PAUSED", ui_draw_cols_left(w));
	}
	if (!u->src->live && !u->ended) {
		char pos[32], end[32];

		ui_format_duration(u->now, pos, sizeof(pos));
		ui_format_duration(u->src->duration_ns, end, sizeof(end));
		snprintf(val, sizeof(val), "%s of %s", pos, end);
		ui_screen_role(&u->scr, w, UI_ROLE_HEADER);
		ui_draw_put(w, sep(u), ui_draw_cols_left(w));
		field(u, w, "play", val);
	}
	/* Why the data stopped comes before flametop's own figures, which a narrow screen cuts. */
	if (u->ended) {
		ui_screen_role(&u->scr, w, UI_ROLE_HEADER);
		ui_draw_put(w, sep(u), ui_draw_cols_left(w));
		field(u, w, NULL, u->ended_msg);
	}
	ui_screen_role(&u->scr, w, UI_ROLE_HEADER);
	ui_draw_put(w, sep(u), ui_draw_cols_left(w));
	timeline_stats(u->tl, &st);
	{
		char rss[32], tlm[32];

		ui_format_bytes(u->rss, rss, sizeof(rss));
		ui_format_bytes(st.memory, tlm, sizeof(tlm));
		snprintf(val, sizeof(val), "cpu %.1f%% mem %s timeline %s", u->cpu_percent, rss, tlm);
	}
	field(u, w, "self", val);
}

/*
 * The axis's end labels on row 1 of the strip: `a` (the strip's start) at
 * the left, `b` (its end) at the right when both fit, each kept clear of
 * the window's columns [c0, c1) (none when c1 <= c0): a label the window
 * would cover moves aside whole, past the window's far side ("^0ms", not
 * "^ms"; "17.5m└─┘" not "17└─┘"), or is left out where that has no room.
 */
static void draw_axis_ends(WINDOW *w, int width, const char *a, const char *b, int c0, int c1)
{
	int la = (int)strlen(a), lb = (int)strlen(b), xa = 0, xb = width - lb;
	bool win = c1 > c0, show_a, show_b;

	if (win && c0 < la)
		xa = c1;
	if (win && c1 > xb)
		xb = c0 - lb;
	show_a = xa + la <= width && (!win || xa >= c1 || xa + la <= c0);
	show_b = width > la + lb + 2 && xb >= 0 && (!win || xb >= c1 || xb + lb <= c0);
	if (show_a && show_b && xa + la >= xb && xb + lb >= xa)
		show_b = false;
	if (show_a) {
		wmove(w, 1, xa);
		ui_draw_put(w, a, la);
	}
	if (show_b) {
		wmove(w, 1, xb);
		ui_draw_put(w, b, lb);
	}
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
	timeline_rate_filter(u->tl, first, end, &u->filter, u->strip_counts, counts, (size_t)width);
	for (x = 0; x < width; x++)
		if (counts[x] > max)
			max = counts[x];
	ui_window_columns(UI_WINDOW_QUERY(u)->from, UI_WINDOW_QUERY(u)->to, first, end, width, &c0, &c1);
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
	ui_draw_fill(w);
	ui_format_duration(first, a, sizeof(a));
	ui_format_duration(end, b, sizeof(b));
	draw_axis_ends(w, width, a, b, c0, c0 < c1 && c1 - c0 < 2 ? c0 + 1 : c1);
	if (c1 > c0) {
		ui_screen_role(&u->scr, w, UI_ROLE_STRIP);
		if (c1 - c0 >= 2) {
			mvwaddstr(w, 1, c0, u->scr.utf8 ? "\xe2\x94\x94" : "[");
			for (x = c0 + 1; x < c1 - 1; x++)
				waddstr(w, u->scr.utf8 ? "\xe2\x94\x80" : "-");
			waddstr(w, u->scr.utf8 ? "\xe2\x94\x98" : "]");
		} else {
			/* A one-column window: a mark. */
			mvwaddstr(w, 1, c0, "^");
		}
		window_text(u, label, sizeof(label));
		x = (c0 + c1) / 2 - (int)strlen(label) / 2;
		if ((int)strlen(label) + 4 < c1 - c0 && x > c0) {
			wmove(w, 1, x);
			ui_draw_put(w, label, (int)strlen(label));
		}
	}
}

void ui_draw_weight(const struct tui *u, uint64_t v, char *out, size_t size)
{
	int ev = u->filter.event >= 0 ? u->filter.event : 0;
	const char *unit = (uint32_t)ev < u->p->nevents ? u->p->events[ev].unit : NULL;

	if (unit && strcmp(unit, "ns") == 0)
		ui_format_duration(v, out, size);
	else if (unit && strcmp(unit, "bytes") == 0)
		ui_format_bytes(v, out, size);
	else
		ui_format_count(v, out, size);
}

void ui_draw_pct(uint64_t v, uint64_t total, char *out, size_t size)
{
	snprintf(out, size, "%5.1f%%", total ? 100.0 * (double)v / (double)total : 0.0);
}

void ui_draw_title(struct tui *u, WINDOW *w, int row, const char *text)
{
	ui_screen_role(&u->scr, w, UI_ROLE_TITLE);
	wmove(w, row, 0);
	ui_draw_put(w, text, u->cols);
	ui_draw_fill(w);
}

const char *ui_draw_empty_note(const struct tui *u)
{
	/* Data may still come only while the source runs and the picture
	 * follows it. */
	return u->paused || u->ended ? "no samples in this window"
				     : "no samples in this window yet; waiting for data...";
}

void ui_draw_note(struct tui *u, WINDOW *w, int row, const char *text)
{
	ui_screen_role(&u->scr, w, UI_ROLE_DIM);
	mvwaddstr(w, row, 2, text);
}

#define LINE_REFRESH_NS (3 * 1000000000ull)

/*
 * The module of `frame` on the status line, `mod` cleaned: "[libc.so.6]",
 * and for the kernel's, whose names are in brackets already,
 * "[kernel.kallsyms]" or "[ext4] (kernel)".
 */
static void status_module(const struct tui *u, uint32_t frame, const char *mod, char *out,
			  size_t size)
{
	bool kernel = u->p->frames[frame].kind == PROFILE_FRAME_KERNEL;
	size_t n = strlen(mod);

	if (n >= 2 && mod[0] == '[' && mod[n - 1] == ']')
		snprintf(out, size, "  %s%s", mod, kernel && !strstr(mod, "kernel") ? " (kernel)" : "");
	else
		snprintf(out, size, "  [%s%s]", mod, kernel ? ", kernel" : "");
}

/*
 * "file:line N%" for the hottest source line of `frame` in the window
 * (from the addresses its samples hit, as the lines view counts them, and
 * the module's DWARF), cached in `u` until the selection or the data
 * changes, or a few seconds pass.
 */
static const char *hottest_line(struct tui *u, uint32_t frame)
{
	uint64_t now = util_now_ns();
	struct profile_filter f;
	struct profile_locs *locs;
	struct report_lines *r;
	char file[256];

	if (frame == u->line_frame && u->line_gen == u->data_gen &&
	    now - u->line_at < LINE_REFRESH_NS)
		return u->line_text;
	u->line_frame = frame;
	u->line_gen = u->data_gen;
	u->line_at = now;
	u->line_text[0] = '\0';
	ui_tui_filter(u, UI_QUERY_WINDOW, &f);
	locs = profile_hits_query(u->hits, u->p, &f, frame);
	r = report_lines_build(u->p, locs, u->lines);
	if (r->nlines && r->lines[0].file && r->total) {
		ui_draw_clean(u, util_basename(r->lines[0].file), file, sizeof(file));
		snprintf(u->line_text, sizeof(u->line_text), "%s:%u %.0f%%", file, r->lines[0].line,
			 100.0 * (double)r->lines[0].self / (double)r->total);
	}
	report_lines_free(r);
	profile_locs_free(locs);
	return u->line_text;
}

void ui_draw_status(struct tui *u)
{
	WINDOW *w = u->w_status;
	char line[2048], name[1024], mod[512], a[32], b[32], where[300];
	uint32_t frame = PROFILE_NO_FRAME;
	uint64_t self = 0, total = 0;
	struct ui_selection sel = { .frame = PROFILE_NO_FRAME };

	werase(w);
	ui_screen_role(&u->scr, w, UI_ROLE_STATUS);
	wmove(w, 0, 0);
	ui_draw_fill(w);
	wmove(w, 0, 0);
	if (u->modal == UI_MODAL_SEARCH || u->modal == UI_MODAL_FILTER ||
	    u->modal == UI_MODAL_SAVE || u->modal == UI_MODAL_EXPORT) {
		char in[600];

		ui_draw_put(w,
			    u->modal == UI_MODAL_SEARCH   ? " Search (regex): "
			    : u->modal == UI_MODAL_FILTER ? " Only stacks through (regex; empty: all): "
			    : u->modal == UI_MODAL_SAVE   ? " Save session to: "
							  : " Export to (.svg .folded .speedscope.json .pb.gz): ",
			    u->cols);
		ui_draw_clean(u, u->input, in, sizeof(in));
		ui_draw_put(w, in, ui_draw_cols_left(w) - 1);
		ui_screen_role(&u->scr, w, UI_ROLE_SELECTED);
		waddch(w, ' '); /* the cursor */
		return;
	}
	if (u->message[0]) {
		ui_screen_role(&u->scr, w, u->message_error ? UI_ROLE_ERROR : UI_ROLE_STATUS);
		ui_draw_put(w, " ", u->cols);
		ui_draw_put(w, u->message, ui_draw_cols_left(w));
		ui_draw_fill(w);
		return;
	}
	if (u->views[u->front]) {
		UI_FRONT_OPS(u)->selection(u->views[u->front], u, &sel);
		frame = sel.frame;
		self = sel.self;
		total = sel.total;
	}
	line[0] = '\0';
	if (u->have_re) {
		char pat[600];

		ui_draw_clean(u, u->pattern, pat, sizeof(pat));
		snprintf(line, sizeof(line), " /%s/ %.1f%% in %u frame%s %s", pat,
			 u->total ? 100.0 * (double)u->match_total / (double)u->total : 0.0,
			 u->nmatch, u->nmatch == 1 ? "" : "s", u->scr.utf8 ? "\xe2\x94\x82" : "|");
	}
	if (frame != PROFILE_NO_FRAME && frame < u->p->nframes) {
		size_t at = strlen(line);

		ui_draw_frame_name(u, frame, name, sizeof(name));
		ui_draw_clean(u, profile_string(u->p, u->p->frames[frame].module), mod, sizeof(mod));
		ui_draw_weight(u, self, a, sizeof(a));
		ui_draw_weight(u, total, b, sizeof(b));
		/* Most telling first: a narrow terminal cuts the module path. */
		snprintf(line + at, sizeof(line) - at, " %s%s%s", name, sel.where[0] ? " " : "",
			 ui_draw_clean(u, sel.where, where, sizeof(where)));
		at = strlen(line);
		if (sel.has_self)
			snprintf(line + at, sizeof(line) - at, "  self %s %.1f%%", a,
				 u->total ? 100.0 * (double)self / (double)u->total : 0.0);
		at = strlen(line);
		snprintf(line + at, sizeof(line) - at, "  total %s %.1f%%", b,
			 u->total ? 100.0 * (double)total / (double)u->total : 0.0);
		if (u->p->frames[frame].kind == PROFILE_FRAME_USER && *hottest_line(u, frame)) {
			at = strlen(line);
			snprintf(line + at, sizeof(line) - at, "  hottest line %s", u->line_text);
		}
		at = strlen(line);
		status_module(u, frame, mod, line + at, sizeof(line) - at);
	} else {
		ui_format_count(u->nsamples, a, sizeof(a));
		snprintf(line + strlen(line), sizeof(line) - strlen(line), " %s samples in the window",
			 a);
	}
	ui_draw_put(w, line, u->cols);
}

void ui_draw_footer(struct tui *u)
{
	WINDOW *w = u->w_footer;
	uint64_t mine = UI_FRONT_OPS(u)->actions;
	size_t i;

	werase(w);
	ui_screen_role(&u->scr, w, UI_ROLE_FOOTER);
	wmove(w, 0, 0);
	ui_draw_fill(w);
	wmove(w, 0, 0);
	for (i = 0; i < ui_nbindings; i++) {
		const struct ui_binding *b = &ui_bindings[i];
		char key[32];
		int need;

		/* A view's action shows only where the view answers it. */
		if (!b->footer || ((UI_ACTION(b->action) & UI_VIEW_ACTIONS) &&
				   !(UI_ACTION(b->action) & mine)))
			continue;
		ui_keys_name(b->keys[0], key, sizeof(key));
		need = (int)strlen(key) + (int)strlen(b->footer) + 1;
		need += 2;
		if (need > ui_draw_cols_left(w))
			break;
		ui_screen_role(&u->scr, w, UI_ROLE_FOOTER_KEY);
		ui_draw_put(w, key, ui_draw_cols_left(w));
		ui_screen_role(&u->scr, w, UI_ROLE_FOOTER);
		ui_draw_put(w, " ", ui_draw_cols_left(w));
		ui_draw_put(w, b->footer, ui_draw_cols_left(w));
		ui_draw_put(w, "  ", ui_draw_cols_left(w));
	}
}

/* The help drawn at one width: its rows, each wrapped line's in turn. */
struct help_rows {
	char (*text)[256];
	bool *title;
	size_t n, cap;
};

static void help_rows_free(struct help_rows *h)
{
	free(h->text);
	free(h->title);
}

static void help_rows_add(struct help_rows *h, const char *s, int len, bool title)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 128;
		h->text = xreallocarray(h->text, h->cap, sizeof(*h->text));
		h->title = xreallocarray(h->title, h->cap, sizeof(*h->title));
	}
	snprintf(h->text[h->n], sizeof(h->text[h->n]), "%.*s", len, s);
	h->title[h->n++] = title;
}

/*
 * Adds `line` wrapped at spaces to `width` columns, its next rows
 * indented by `indent` (under a key's description); a word longer than a
 * row is cut. (The help is ASCII: a byte is a column.)
 */
static void help_wrap(struct help_rows *h, const char *line, size_t indent, size_t width,
		      bool title)
{
	char row[256];
	const char *p = line;
	bool first = true;

	if (width < indent + 16)
		indent = 0; /* too narrow to indent */
	do {
		size_t avail = width - (first ? 0 : indent), len = strlen(p), cut = len;

		if (len > avail) {
			cut = avail;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut <= (first ? indent : 0))
				cut = avail; /* nowhere to break: cut the word */
		}
		snprintf(row, sizeof(row), "%*s%.*s", first ? 0 : (int)indent, "", (int)cut, p);
		help_rows_add(h, row, (int)strlen(row), title);
		p += cut;
		while (*p == ' ')
			p++;
		first = false;
	} while (*p);
}

/*
 * The help's rows at `width` columns (at least 1): from the key and view
 * tables (ui_help_item), a blank row before each group, then the mouse;
 * the keys in a column as wide as the widest (Esc Backspace).
 */
static void help_rows_build(struct help_rows *h, size_t width)
{
	static const char *const mouse[] = {
		"  click selects, double-click zooms, the wheel moves",
		"  a click on the strip moves the window there",
		"  a drag along the strip sets the window to the seconds under it",
		"  a drag on the heatmap selects the cells under it",
	};
	struct ui_help_item it;
	char line[256];
	int keys = 0, k;
	size_t i;

	memset(h, 0, sizeof(*h));
	for (i = 0; ui_help_item(i, &it); i++)
		if (!it.title && (int)strlen(it.keys) > keys)
			keys = (int)strlen(it.keys);
	for (i = 0; ui_help_item(i, &it); i++) {
		if (it.title) {
			if (i > 0)
				help_rows_add(h, "", 0, false);
			help_wrap(h, it.title, 0, width, true);
			continue;
		}
		k = snprintf(line, sizeof(line), "  %-*s %s", keys, it.keys, it.help);
		if (k > 0)
			help_wrap(h, line, 2 + (size_t)keys + 1, width, false);
	}
	help_rows_add(h, "", 0, false);
	help_rows_add(h, "Mouse", 5, true);
	for (i = 0; i < ARRAY_SIZE(mouse); i++)
		help_wrap(h, mouse[i], 2, width, false);
}

/*
 * The help's columns: the fewest (so the widest, at most the screen) in
 * which it fits without scrolling, each at least 60 wide; as many as fit
 * when it does not. *width: each column's text; *h: the rows at that
 * width (the caller frees them).
 */
static int help_columns(const struct tui *u, size_t *width, struct help_rows *h)
{
	int rows = u->main_rows - 1, most = u->cols / 60, ncols;

	if (most < 1)
		most = 1;
	for (ncols = 1;; ncols++) {
		*width = u->cols / ncols > 2 ? (size_t)(u->cols / ncols - 2) : 1;
		help_rows_build(h, *width);
		if (ncols == most || (rows > 0 && h->n <= (size_t)rows * (size_t)ncols))
			return ncols;
		help_rows_free(h);
	}
}

size_t ui_draw_help_lines(const struct tui *u)
{
	struct help_rows h;
	size_t width;

	help_columns(u, &width, &h);
	help_rows_free(&h);
	return h.n;
}

size_t ui_draw_help_page(const struct tui *u)
{
	int rows = u->main_rows - 1, ncols;
	struct help_rows h;
	size_t width;

	ncols = help_columns(u, &width, &h);
	help_rows_free(&h);
	return rows > 0 ? (size_t)rows * (size_t)ncols : 0;
}

/*
 * The help: in as few columns as it fits in (see help_columns), the rows
 * running down one column and on at the top of the next; Up and Down
 * scroll them by a row when they do not all fit.
 */
static void draw_help(struct tui *u)
{
	WINDOW *w = u->w_main;
	int rows = u->main_rows - 1, ncols, colw, c, r;
	struct help_rows h;
	size_t width, at;

	ncols = help_columns(u, &width, &h);
	werase(w);
	ui_screen_role(&u->scr, w, UI_ROLE_TITLE);
	wmove(w, 0, 0);
	ui_draw_put(w, " flametop keys (Up/Down scroll, any other key closes)", u->cols);
	ui_draw_fill(w);
	colw = u->cols / ncols;
	for (c = 0; c < ncols && rows > 0; c++) {
		for (r = 0; r < rows; r++) {
			at = u->help_scroll + (size_t)(c * rows + r);
			if (at >= h.n)
				break;
			ui_screen_role(&u->scr, w,
				       h.title[at] ? UI_ROLE_HEADER_KEY : UI_ROLE_NORMAL);
			wmove(w, r + 1, c * colw + 1);
			ui_draw_put(w, h.text[at], colw - 2);
		}
	}
	help_rows_free(&h);
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
	ui_draw_put(w, " Show one process or thread: type to filter, Enter picks, Esc cancels", u->cols);
	ui_draw_fill(w);
	ui_screen_role(&u->scr, w, UI_ROLE_NORMAL);
	wmove(w, 1, 0);
	ui_draw_put(w, " filter: ", u->cols);
	ui_draw_put(w, ui_draw_clean(u, u->input, in, sizeof(in)), ui_draw_cols_left(w));
	ui_screen_role(&u->scr, w, UI_ROLE_SELECTED);
	waddch(w, ' ');
	ui_screen_role(&u->scr, w, UI_ROLE_TITLE);
	wmove(w, 2, 0);
	ui_draw_put(w, "      PID      TID   CPU%  NAME", u->cols);
	ui_draw_fill(w);
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
		ui_draw_put(w, ui_draw_clean(u, line, in, sizeof(in)), u->cols);
		ui_draw_fill(w);
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
