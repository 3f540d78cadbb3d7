/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The annotated lines view, perf annotate in the terminal: the selected
 * function's source file, each line with the weight of the window's
 * samples that were hit on it in that function (self) and of those whose
 * stack was on it in that function (total: a call line's total is its
 * callees' time), the hottest line selected. Samples carry the address
 * their leaf was hit at (sessions since format 1.2) and the chain of call
 * sites above it (since 1.4: older sessions have no totals, and the view
 * says so); the core keeps them by time in a hits store, so the window
 * and the filters apply as everywhere else (profile_hits_query);
 * report_lines_build turns them into lines and addresses with their self
 * and total, as report --lines does, so both read one query. The file
 * is read from disk by the path the DWARF gives, relative ones from the
 * unit's compilation directory; it is named by a profiled program's debug
 * data, so it is opened with care: no blocking, a regular file only, at
 * most SOURCE_MAX bytes, as root only one anyone may read in directories
 * anyone may search, every line
 * sanitized. Without it (not on this machine, not readable, or not the
 * file that was compiled) the view lists the function's addresses with
 * their lines instead; Enter switches between the two.
 */
#include "config.h"

#include "tui.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flametop/report.h"

#define SOURCE_MAX (8u << 20)

/* One row: a source line, or an address. */
struct row {
	unsigned line; /* 0: none known */
	uint32_t location; /* address rows */
	uint64_t self, total; /* total: 0 when the lines' totals are unknown */
	const char *file; /* address rows: the file the line is in, or NULL */
};

struct ui_view {
	uint32_t frame; /* PROFILE_NO_FRAME: none yet */
	bool chosen; /* by a key or another view, not just the hottest */
	uint64_t fn_self, fn_total; /* in the window's top-list */
	/* The function's addresses in the window, and their lines; NULL: none
	 * asked yet. */
	struct report_lines *lines;
	/* The files its lines are in, the hottest first; `file` is shown. */
	const char *files[16];
	size_t nfiles, file;
	bool addresses; /* Enter: addresses instead of the source */
	/* The source file shown: its text and where each line starts. */
	const char *src_name; /* as the DWARF names it; NULL: none loaded */
	char *text;
	size_t *line_at, nsrc;
	char why[300]; /* why there is no source, for the title */
	struct row *rows;
	size_t nrows, sel, scroll;
	bool moved; /* the user moved the selection: it stays; else the hottest */
};

static struct ui_view *lines_open(struct tui *u)
{
	struct ui_view *v = xcalloc(1, sizeof(*v));

	(void)u;
	v->frame = PROFILE_NO_FRAME;
	return v;
}

static void forget_source(struct ui_view *v)
{
	free(v->text);
	free(v->line_at);
	v->text = NULL;
	v->line_at = NULL;
	v->nsrc = 0;
	v->src_name = NULL;
}

static void lines_close(struct ui_view *v)
{
	forget_source(v);
	report_lines_free(v->lines);
	free(v->rows);
	free(v);
}

/*
 * Whether a source file of `st` may be shown. A profiled program's debug
 * data names the file, so as root (who can read anything) only a file
 * anyone may read is shown, or one of the user who ran sudo: never
 * /etc/shadow or a key because a user's DWARF named it. (Debug data of a
 * trusted user's, read_source's `trusted`, names what that user chose.)
 */
static bool may_show(const struct stat *st)
{
	if (geteuid() != 0 || (st->st_mode & S_IROTH))
		return true;
	return st->st_uid != 0 && ft_uid_trusted(st->st_uid);
}

/*
 * Reads a source file that debug data named: never blocks (a FIFO, a
 * device, a user's FUSE mount), a regular file only, at most SOURCE_MAX
 * bytes. Unless the debug data is `trusted` (symbols_lines_trusted: root's
 * own program, say, whose sources are in /root), only one anyone may
 * read (may_show) in directories anyone may search (ft_open_public). The
 * contents (caller frees, NUL-terminated), or NULL with `why` said.
 */
static char *read_source(const char *path, bool trusted, size_t *len, char *why, size_t size)
{
	struct stat st;
	/* A FIFO or a device is refused before any open; as root, a file in a
	 * directory not everyone may search too. */
	int fd = trusted ? ft_open_regular(path, SOURCE_MAX, &st)
			 : ft_open_public(path, SOURCE_MAX, &st);
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;

	if (fd == -EFBIG) {
		snprintf(why, size, "%.200s: larger than %u MiB", util_basename(path), SOURCE_MAX >> 20);
		return NULL;
	}
	if (fd == -EACCES && geteuid() == 0) {
		snprintf(why, size, "%.200s: in a directory not everyone may search, not shown",
			 util_basename(path));
		return NULL;
	}
	if (fd < 0) {
		snprintf(why, size, "%.200s: %s", util_basename(path), ft_open_strerror(fd));
		return NULL;
	}
	if (!trusted && !may_show(&st)) {
		snprintf(why, size, "%.200s: not readable by everyone (mode %04o), not shown",
			 util_basename(path), (unsigned)(st.st_mode & 07777));
		close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size &&
	       (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	*len = got;
	close(fd);
	return buf;
}

/* A location of the function on a line of `file`, to ask its unit's directory. */
static uint32_t location_in(const struct ui_view *v, const char *file)
{
	size_t i;

	for (i = 0; i < v->lines->nlocs; i++)
		if (v->lines->locs[i].file == file)
			return v->lines->locs[i].location;
	return PROFILE_NO_LOCATION;
}

/* Loads file v->files[v->file] (a relative name from its unit's
 * directory), unless it is loaded already. */
static void load_source(struct ui_view *v, struct tui *u)
{
	const char *name = v->nfiles ? v->files[v->file] : NULL, *dir = NULL, *module = NULL;
	uint32_t loc;
	uint64_t offset = 0;
	unsigned hottest = 0;
	char path[4096];
	size_t len = 0, i, n;

	if (name == v->src_name && (v->text || v->why[0]))
		return;
	forget_source(v);
	v->why[0] = '\0';
	v->src_name = name;
	if (!name) {
		snprintf(v->why, sizeof(v->why), "no line of it is known (no DWARF line table)");
		return;
	}
	loc = location_in(v, name);
	if (loc != PROFILE_NO_LOCATION) {
		const struct profile_location *l = &u->p->locations[loc];

		module = profile_string(u->p, u->p->frames[l->frame].module);
		offset = l->offset;
	}
	if (name[0] != '/') {
		if (module)
			dir = symbols_lines_comp_dir(u->lines, module, offset);
		/* Relative to a directory nobody named: not a guess from ours. */
		if (!dir) {
			snprintf(v->why, sizeof(v->why), "%.200s: its directory is not known",
				 util_basename(name));
			return;
		}
	}
	snprintf(path, sizeof(path), "%s%s%s", dir ? dir : "", dir ? "/" : "", name);
	v->text = read_source(path, module && symbols_lines_trusted(u->lines, module), &len, v->why,
			      sizeof(v->why));
	if (!v->text)
		return;
	for (i = 0, n = 1; i < len; i++)
		n += v->text[i] == '\n';
	v->line_at = xmalloc(n * sizeof(*v->line_at));
	v->line_at[0] = 0;
	for (i = 0, v->nsrc = 1; i < len; i++)
		if (v->text[i] == '\n' && i + 1 < len)
			v->line_at[v->nsrc++] = i + 1;
	/* A file with fewer lines than the samples name is not the one that
	 * was compiled. */
	for (i = 0; i < v->lines->nlines; i++)
		if (v->lines->lines[i].file == name && v->lines->lines[i].line > hottest)
			hottest = v->lines->lines[i].line;
	if (hottest > v->nsrc) {
		snprintf(v->why, sizeof(v->why), "%.200s has %zu lines, the samples are on line %u",
			 util_basename(path), v->nsrc, hottest);
		forget_source(v);
		v->src_name = name;
	}
}

static int cmp_row_location(const void *a, const void *b, void *arg)
{
	const struct profile *p = arg;
	const struct row *x = a, *y = b;
	uint64_t ox = p->locations[x->location].offset, oy = p->locations[y->location].offset;

	return ox < oy ? -1 : ox > oy;
}

/* The rows: every line of the source, or every address of the function
 * that was hit or called from. */
static void make_rows(struct ui_view *v, struct tui *u)
{
	size_t i;

	free(v->rows);
	v->rows = NULL;
	v->nrows = 0;
	if (v->text && !v->addresses) {
		v->rows = xcalloc(v->nsrc, sizeof(*v->rows));
		for (i = 0; i < v->nsrc; i++)
			v->rows[i].line = (unsigned)i + 1;
		v->nrows = v->nsrc;
		for (i = 0; i < v->lines->nlines; i++) {
			const struct report_line *l = &v->lines->lines[i];

			if (l->file == v->src_name && l->line >= 1 && l->line <= v->nsrc) {
				v->rows[l->line - 1].self += l->self;
				v->rows[l->line - 1].total += l->total;
			}
		}
		return;
	}
	v->rows = xcalloc(v->lines->nlocs ? v->lines->nlocs : 1, sizeof(*v->rows));
	for (i = 0; i < v->lines->nlocs; i++) {
		const struct report_loc *l = &v->lines->locs[i];
		struct row *r = &v->rows[v->nrows++];

		r->location = l->location;
		r->file = l->file;
		r->line = l->line;
		r->self = l->self;
		r->total = l->total;
	}
	if (v->nrows)
		qsort_r(v->rows, v->nrows, sizeof(*v->rows), cmp_row_location, u->p);
}

static int list_rows(const struct tui *u)
{
	return u->main_rows > 2 ? u->main_rows - 2 : 1;
}

/* Selects the hottest row, in the middle of the screen: by self, or by
 * total when no row has any self (a function that only calls). */
static void select_hottest(struct ui_view *v, struct tui *u)
{
	size_t i, best = 0;
	int rows = list_rows(u);
	bool any_self = false;

	for (i = 0; i < v->nrows; i++)
		any_self |= v->rows[i].self > 0;
	for (i = 0; i < v->nrows; i++)
		if (any_self ? v->rows[i].self > v->rows[best].self
			     : v->rows[i].total > v->rows[best].total)
			best = i;
	v->sel = best;
	v->scroll = best > (size_t)rows / 2 ? best - (size_t)rows / 2 : 0;
	ui_tui_list_move(&v->sel, &v->scroll, v->nrows, 0, rows);
}

/*
 * Queries the function's addresses in the window and turns them into
 * lines; `fresh`: a new function (or file), so the hottest line is
 * selected, else the selection stays on its line once the user moved it
 * (until then it follows the hottest line as data comes).
 */
static void load(struct ui_view *v, struct tui *u, bool fresh)
{
	const struct profile_top *top = UI_WINDOW_QUERY(u)->top;
	unsigned keep = !fresh && v->moved && v->sel < v->nrows ? v->rows[v->sel].line : 0;
	struct profile_filter f;
	struct profile_locs *locs;
	size_t i, j;

	v->fn_self = v->fn_total = 0;
	for (i = 0; top && i < top->nfns; i++)
		if (top->fns[i].frame == v->frame) {
			v->fn_self = top->fns[i].self;
			v->fn_total = top->fns[i].total;
		}
	report_lines_free(v->lines);
	ui_tui_filter(u, UI_QUERY_WINDOW, &f);
	locs = profile_hits_query(u->hits, u->p, &f, v->frame);
	v->lines = report_lines_build(u->p, locs, u->lines);
	profile_locs_free(locs);
	/* Its files, hottest first (the lines come hottest first). */
	v->nfiles = 0;
	for (i = 0; i < v->lines->nlines && v->nfiles < ARRAY_SIZE(v->files); i++) {
		const char *file = v->lines->lines[i].file;

		for (j = 0; j < v->nfiles && v->files[j] != file; j++)
			;
		if (file && j == v->nfiles)
			v->files[v->nfiles++] = file;
	}
	if (v->file >= v->nfiles)
		v->file = 0;
	load_source(v, u);
	make_rows(v, u);
	if (!keep) {
		select_hottest(v, u);
		return;
	}
	for (i = 0; i < v->nrows; i++)
		if (v->rows[i].line == keep) {
			ui_tui_list_move(&v->sel, &v->scroll, v->nrows, (long)i - (long)v->sel, list_rows(u));
			return;
		}
	select_hottest(v, u);
}

static void show_function(struct ui_view *v, struct tui *u, uint32_t frame)
{
	v->frame = frame;
	v->chosen = true;
	v->file = 0;
	v->addresses = false;
	v->moved = false;
	load(v, u, true);
}

static void lines_refresh(struct ui_view *v, struct tui *u, unsigned why)
{
	const struct profile_top *top = UI_WINDOW_QUERY(u)->top;

	if (!(why & UI_REFRESH_DATA)) {
		ui_tui_list_move(&v->sel, &v->scroll, v->nrows, 0, list_rows(u));
		return;
	}
	/* Nothing chosen yet: the function with the most samples of its own. */
	if (!v->chosen && top && top->nfns && top->fns[0].frame != v->frame) {
		v->frame = top->fns[0].frame;
		v->file = 0;
		load(v, u, true);
		return;
	}
	if (v->frame != PROFILE_NO_FRAME)
		load(v, u, false);
}

/* n, N: the next function the search matches, in the top-list's order. */
static unsigned next_match(struct ui_view *v, struct tui *u, bool forward)
{
	const struct profile_top *top = UI_WINDOW_QUERY(u)->top;
	size_t i, k, at = 0;

	if (!top || !top->nfns)
		return 0;
	for (i = 0; i < top->nfns; i++)
		if (top->fns[i].frame == v->frame)
			at = i;
	for (k = 1; k <= top->nfns; k++) {
		i = forward ? (at + k) % top->nfns : (at + top->nfns - k) % top->nfns;
		if (ui_tui_matches(u, top->fns[i].frame)) {
			show_function(v, u, top->fns[i].frame);
			return UI_REDRAW_VIEW;
		}
	}
	return 0;
}

static unsigned lines_action(struct ui_view *v, struct tui *u, enum ui_action a)
{
	int rows = list_rows(u);

	switch (a) {
	case UI_ACT_UP:
	case UI_ACT_DOWN:
	case UI_ACT_PAGE_UP:
	case UI_ACT_PAGE_DOWN:
	case UI_ACT_HOME:
	case UI_ACT_END: {
		long d = a == UI_ACT_UP ? -1 : a == UI_ACT_DOWN ? 1 : a == UI_ACT_PAGE_UP ? -rows
			 : a == UI_ACT_PAGE_DOWN		    ? rows
			 : a == UI_ACT_HOME			    ? -(long)v->nrows
								    : (long)v->nrows;

		ui_tui_list_move(&v->sel, &v->scroll, v->nrows, d, rows);
		v->moved = true;
		return UI_REDRAW_VIEW;
	}
	case UI_ACT_LEFT:
	case UI_ACT_RIGHT:
		if (v->nfiles < 2)
			return 0;
		v->file = (v->file + (a == UI_ACT_RIGHT ? 1 : v->nfiles - 1)) % v->nfiles;
		v->addresses = false;
		v->moved = false;
		load(v, u, true);
		return UI_REDRAW_VIEW;
	case UI_ACT_ENTER:
	case UI_ACT_BACK:
		if (a == UI_ACT_BACK && !v->addresses)
			return 0;
		v->addresses = !v->addresses;
		v->moved = false;
		make_rows(v, u);
		select_hottest(v, u);
		return UI_REDRAW_VIEW;
	case UI_ACT_RESET:
		v->addresses = false;
		v->moved = false;
		if (v->frame != PROFILE_NO_FRAME)
			load(v, u, true);
		return UI_REDRAW_VIEW;
	case UI_ACT_SEARCH_NEXT:
	case UI_ACT_SEARCH_PREV:
		return next_match(v, u, a == UI_ACT_SEARCH_NEXT);
	default:
		return 0;
	}
}

static unsigned lines_click(struct ui_view *v, struct tui *u, int row, int col, bool twice)
{
	(void)col;
	if (row < 2 || v->scroll + (size_t)(row - 2) >= v->nrows)
		return 0;
	v->sel = v->scroll + (size_t)(row - 2);
	v->moved = true;
	return twice ? lines_action(v, u, UI_ACT_ENTER) : UI_REDRAW_VIEW;
}

/* `line` of the source, tabs expanded, into `out`, not yet sanitized. */
static void source_text(const struct ui_view *v, unsigned line, char *out, size_t size)
{
	const char *s = v->text + v->line_at[line - 1];
	size_t n = 0;

	for (; *s && *s != '\n' && n + 9 < size; s++) {
		if (*s == '\t') {
			do
				out[n++] = ' ';
			while (n % 8);
		} else if (*s != '\r') {
			out[n++] = *s;
		}
	}
	out[n] = '\0';
}

/* Why the lines may have no totals (the TOTAL% column shows "-"). */
#define TOTALS_WHY "no call sites: a session before format 1.4, or an import"

static double share(uint64_t v, uint64_t of)
{
	return of ? 100.0 * (double)v / (double)of : 0.0;
}

static void draw_title(struct ui_view *v, struct tui *u, WINDOW *w)
{
	char name[512], file[1024], title[2048], total[256], a[32], b[32], c[32];

	ui_draw_frame_name(u, v->frame, name, sizeof(name));
	ui_draw_weight(u, v->fn_self, a, sizeof(a));
	ui_draw_weight(u, v->fn_total, b, sizeof(b));
	ui_draw_weight(u, v->lines->located, c, sizeof(c));
	if (v->text && !v->addresses)
		ui_draw_clean(u, util_basename(v->src_name), file, sizeof(file));
	else
		ui_draw_clean(u, v->why[0] && !v->addresses ? v->why : "addresses", file,
			      sizeof(file));
	if (v->lines->totals_known)
		snprintf(total, sizeof(total), "total %s (%.1f%%)", b,
			 share(v->fn_total, u->total));
	else
		snprintf(total, sizeof(total), "totals unknown");
	snprintf(title, sizeof(title),
		 " Lines of %s, %s: self %s (%.1f%%), %s, %s of the self at known addresses%s",
		 name, file, a, share(v->fn_self, u->total), total, c,
		 v->nfiles > 1 ? "; Left/Right: its other files" : "");
	ui_draw_title(u, w, 0, title);
}

static void lines_draw(struct ui_view *v, struct tui *u, WINDOW *w)
{
	int rows = list_rows(u), r;
	uint64_t since = profile_hits_since(u->hits);
	bool source = v->text && !v->addresses;
	char head[256];

	if (v->frame == PROFILE_NO_FRAME || !v->lines) {
		ui_draw_title(u, w, 0, " Lines: the selected function's source lines and their samples");
		ui_draw_note(u, w, 2,
			     ui_draw_empty_note(u));
		return;
	}
	draw_title(v, u, w);
	/* SELF% and TOTAL% of the window, FUNCTION: of the function's self
	 * at known addresses. */
	snprintf(head, sizeof(head), "%s%s",
		 source ? "    SELF   SELF%  TOTAL%  FUNCTION   LINE  SOURCE"
			: "    SELF   SELF%  TOTAL%  FUNCTION    ADDRESS  LINE",
		 v->lines->totals_known ? "" : "    (TOTAL% unknown, " TOTALS_WHY ")");
	ui_draw_title(u, w, 1, head);
	for (r = 0; r < rows && v->scroll + (size_t)r < v->nrows; r++) {
		size_t i = v->scroll + (size_t)r;
		const struct row *row = &v->rows[i];
		char a[32] = "", b[32] = "", t[32] = "", c[32] = "", text[1024], clean[1024],
		     line[2048];

		if (row->self) {
			ui_draw_weight(u, row->self, a, sizeof(a));
			ui_draw_pct(row->self, u->total, b, sizeof(b));
			ui_draw_pct(row->self, v->lines->located, c, sizeof(c));
		}
		if (row->total)
			ui_draw_pct(row->total, u->total, t, sizeof(t));
		else if (row->self && !v->lines->totals_known)
			snprintf(t, sizeof(t), "-");
		if (source) {
			source_text(v, row->line, text, sizeof(text));
			snprintf(line, sizeof(line), " %7s %7s %7s %9s  %5u  %s", a, b, t, c,
				 row->line, ui_draw_clean(u, text, clean, sizeof(clean)));
		} else {
			snprintf(text, sizeof(text), "%s:%u",
				 row->file ? util_basename(row->file) : "?", row->line);
			snprintf(line, sizeof(line), " %7s %7s %7s %9s  %#9llx  %s", a, b, t, c,
				 (unsigned long long)u->p->locations[row->location].offset,
				 ui_draw_clean(u, text, clean, sizeof(clean)));
		}
		if (i == v->sel)
			ui_screen_role(&u->scr, w, UI_ROLE_SELECTED);
		else if (row->self && v->lines->located)
			ui_screen_frame(&u->scr, w,
					ui_theme_frame_color(&u->scr.theme, UI_PALETTE_HOT,
							     (double)row->self /
								     (double)v->lines->located,
							     0, 0, 0));
		else
			ui_screen_role(&u->scr, w, UI_ROLE_NORMAL);
		wmove(w, 2 + r, 0);
		ui_draw_put(w, line, u->cols);
		ui_draw_fill(w);
	}
	if (!v->nrows && u->main_rows > 4)
		ui_draw_note(
			u, w, 3,
			v->fn_self || v->lines->totals_known
				? "none of its samples has a code location (kernel code, or a "
				  "session from before format 1.2)"
				: "no sample ended in it in this window: its callees have them, and "
				  "its lines have no totals (" TOTALS_WHY ")");
	else if (since && UI_WINDOW_QUERY(u)->from < since && u->main_rows > 4 && r < rows)
		ui_draw_note(u, w, 2 + r + 1, "(addresses older than the window's start were dropped "
					       "to stay within memory)");
}

static void lines_selection(struct ui_view *v, struct tui *u, struct ui_selection *out)
{
	(void)u;
	memset(out, 0, sizeof(*out));
	out->frame = v->frame;
	out->self = v->fn_self;
	out->total = v->fn_total;
	out->has_self = true;
	if (v->sel >= v->nrows || v->frame == PROFILE_NO_FRAME)
		return;
	if (v->text && !v->addresses)
		snprintf(out->where, sizeof(out->where), "line %u", v->rows[v->sel].line);
	else
		snprintf(out->where, sizeof(out->where), "%#llx",
			 (unsigned long long)u->p->locations[v->rows[v->sel].location].offset);
}

static bool lines_focus(struct ui_view *v, struct tui *u, uint32_t frame)
{
	if (frame == PROFILE_NO_FRAME)
		return false;
	if (frame != v->frame || !v->chosen)
		show_function(v, u, frame);
	return v->lines && v->lines->nlocs > 0;
}

const struct ui_view_ops ui_lines_ops = {
	.name = "lines",
	.title = "annotated lines",
	.key = 'A',
	.help = "lines: a function's source, self and total per line",
	.actions = UI_ACTION(UI_ACT_UP) | UI_ACTION(UI_ACT_DOWN) | UI_ACTION(UI_ACT_PAGE_UP) |
		   UI_ACTION(UI_ACT_PAGE_DOWN) | UI_ACTION(UI_ACT_HOME) | UI_ACTION(UI_ACT_END) |
		   UI_ACTION(UI_ACT_LEFT) | UI_ACTION(UI_ACT_RIGHT) | UI_ACTION(UI_ACT_ENTER) |
		   UI_ACTION(UI_ACT_BACK) | UI_ACTION(UI_ACT_SEARCH_NEXT) |
		   UI_ACTION(UI_ACT_SEARCH_PREV),
	.wheel = 3,
	.open = lines_open,
	.close = lines_close,
	.refresh = lines_refresh,
	.action = lines_action,
	.click = lines_click,
	.draw = lines_draw,
	.selection = lines_selection,
	.focus = lines_focus,
};
