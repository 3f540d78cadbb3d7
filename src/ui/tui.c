/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The explorer's core: the loop, the frame around the views and the
 * dispatch to them. One place reads keys and handles resize (as ncdu
 * does); key presses become actions through the key table (keys.c). The
 * explorer's own actions (quit, help, pause, the time window, search,
 * picker, save, export) are functions in the table below returning redraw flags
 * (as htop's are), so a key redraws only what it changed; moving, zooming
 * and sorting go to the front view (views.c lists them, each a table of
 * operations over its own state), which answers the actions it lists.
 *
 * The loop: wait for a key, for the live source's rings to fill past
 * their watermark, or for the next tick (a replay, which has nothing to
 * wait on, is polled every 100 ms); drain the source into the profile,
 * hand the new samples to the timeline (and to a private session file, so
 * `s` can save what was seen), and once a second re-query what the front
 * view reads and redraw what changed. Input is read between source polls,
 * so it stays responsive while the sampler is busy; a steady live view
 * wakes about once a second, not ten times.
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
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "flametop/export.h"
#include "flametop/session.h"

#define POLL_MS 100
/* Until a frame has shown samples (for at most FIRST_WAIT_NS), the source
 * is read every FIRST_POLL_MS: the first frame is what a person waits for. */
#define FIRST_POLL_MS 10
#define FIRST_WAIT_NS 2000000000ull
/* A replay that has more samples due, or a live source whose rings hold
 * more than this (SOURCE_MORE), is read for this long at a time, then the
 * keys and the picture get their turn. */
#define MORE_NS 50000000ull
/* The live source's rings wake the loop at most this often between two
 * ticks; then it polls every POLL_MS until the next (wait_ms). */
#define RING_WAKES 4
#define UI_DOUBLE_CLICK_NS 300000000ull /* two clicks this close are a double click */
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

static void vmessage(struct tui *u, bool error, const char *fmt, va_list ap)
{
	char raw[512];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	util_sanitize(raw, u->message, sizeof(u->message));
	u->message_error = error;
}

void ui_tui_message(struct tui *u, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(u, error, fmt, ap);
	va_end(ap);
}

/* The private session: in this run's private directory (ft_private_path:
 * mode 0700, in $XDG_RUNTIME_DIR, $TMPDIR or /tmp), mode 0600, never an
 * existing file. Failing is not fatal: `s` says why later. */
static void tmp_open(struct tui *u)
{
	struct ft_error err = { { 0 }, 0, 0 };

	if (ft_private_path("session", u->tmppath, sizeof(u->tmppath), &err) == 0)
		u->writer = session_writer_open(u->tmppath, false, &err);
	if (!u->writer) {
		u->tmppath[0] = '\0';
		ui_tui_message(u, true, "cannot keep a copy for saving: %s", err.msg);
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
		ui_tui_message(u, true, "%s: %s; saving will hold what came before", u->tmppath,
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

/*
 * How many samples the explorer takes between handing the heap's free
 * pages back (xmalloc_release_free): live at 2 CPUs x 999 Hz about every
 * 2 minutes, replayed a few hundred times a day's worth. A day replayed
 * whole peaks 1.3 MiB lower (62.4 instead of 63.7 MiB) for no CPU time
 * that shows (40 s to read it either way).
 */
#define UI_HEAP_RELEASE_SAMPLES (UINT64_C(1) << 18)

/* Moves new samples from the profile into the timeline. */
bool ui_tui_take_samples(struct tui *u)
{
	size_t n = u->p->nsamples - u->added;

	if (!n)
		return false;
	u->since_release += n;
	if (u->since_release >= UI_HEAP_RELEASE_SAMPLES) {
		xmalloc_release_free();
		u->since_release = 0;
	}
	timeline_add(u->tl, u->p->samples + u->added, n);
	profile_hits_add(u->hits, u->p->samples + u->added, n);
	profile_heatstore_add(u->heat, u->p->samples + u->added, n);
	if (u->decay)
		profile_decay_add(u->decay, u->p, &u->decay_m, u->p->samples + u->added, n);
	if (u->push_feed)
		push_feed_add(u->push_feed, u->p->samples + u->added, n);
	u->added = u->p->nsamples;
	u->rate_samples += n;
	if (!u->writer) {
		profile_clear_samples(u->p);
		u->added = 0;
	}
	return true;
}

/* --push: a new failure of the pusher goes to the status line. */
static void push_tick(struct tui *u)
{
	struct push_status st;

	if (!u->pusher)
		return;
	pusher_status(u->pusher, &st);
	if (st.errors > u->push_said && st.last_error[0]) {
		ui_tui_message(u, true, "%s", st.last_error);
		u->dirty |= UI_REDRAW_STATUS;
	}
	u->push_said = st.errors;
}

/* Starts --push (live only). 0, or -1 with `err` filled. */
static int push_open(struct tui *u, struct ft_error *err)
{
	if (!u->opt.push || !u->src->live)
		return 0;
	u->pusher = pusher_new(u->opt.push, err);
	if (!u->pusher)
		return -1;
	u->push_feed = push_feed_new(u->pusher, u->p, -1, u->opt.push_interval_ns);
	return 0;
}

/* Ends --push, the terminal restored: the last uploads get a few seconds,
 * then stderr says what was sent. */
static void push_close(struct tui *u)
{
	struct push_status st;
	char line[600];

	if (!u->pusher)
		return;
	ui_tui_take_samples(u);
	push_feed_flush(u->push_feed);
	push_feed_free(u->push_feed);
	u->push_feed = NULL;
	pusher_close(u->pusher, 3000000000ull, &st);
	u->pusher = NULL;
	if (st.errors > u->push_said && st.last_error[0])
		fprintf(stderr, "flametop: %s\n", util_sanitize(st.last_error, line, sizeof(line)));
	fprintf(stderr, "flametop: pushed %llu upload%s to %s", (unsigned long long)st.sent,
		st.sent == 1 ? "" : "s", util_sanitize(u->opt.push->url, line, sizeof(line)));
	if (st.rejected || st.dropped || st.pending)
		fprintf(stderr, "; %llu refused by the server, %llu dropped, %llu not sent",
			(unsigned long long)st.rejected, (unsigned long long)st.dropped,
			(unsigned long long)st.pending);
	fputc('\n', stderr);
}

/* Addresses older than the timeline's data go with it. */
static void forget_hits(struct tui *u)
{
	struct timeline_stats st;

	timeline_stats(u->tl, &st);
	if (st.dropped && st.samples) {
		profile_hits_forget(u->hits, st.first);
		profile_heatstore_forget(u->heat, st.first);
	}
}

/*
 * Live, the threads whose samples all went with the timeline's dropped
 * data go too (the heatmap and lines store forgot them with it, the
 * private copy has their names): a fork storm's threads would otherwise
 * fill the thread limit, and what came after would be "[other threads]".
 */
static void forget_threads(struct tui *u)
{
	struct timeline_stats st;

	timeline_stats(u->tl, &st);
	if (u->src->live && st.dropped && st.samples)
		profile_forget_threads(u->p, st.first);
}

static void retained(struct tui *u, uint64_t *first, uint64_t *last)
{
	struct timeline_stats st;

	timeline_stats(u->tl, &st);
	*first = u->src->live && st.samples ? st.first : 0;
	*last = u->now > *first ? u->now : *first;
}

void ui_tui_retained(struct tui *u, uint64_t *first, uint64_t *last)
{
	retained(u, first, last);
}

/* The functions the search matches (for the frames new since last time),
 * and their weight in the window's call tree. */
static void mark_matches(struct tui *u)
{
	struct ui_query *q = UI_WINDOW_QUERY(u);
	uint32_t f;

	u->match_total = 0;
	u->nmatch = 0;
	if (!u->have_re)
		return;
	if (u->marks.n < u->p->nframes) {
		u->marks.in = xreallocarray(u->marks.in, u->p->nframes, 1);
		for (f = u->marks.n; f < u->p->nframes; f++)
			u->marks.in[f] = regexec(&u->re, profile_string(u->p, u->p->frames[f].name),
						 0, NULL, 0) == 0;
		u->marks.n = u->p->nframes;
	}
	profile_tree_match_weight(q->tree, &u->match_total, &u->nmatch);
}

bool ui_tui_matches(const struct tui *u, uint32_t frame)
{
	return u->have_re && frame < u->marks.n && u->marks.in[frame];
}

void ui_tui_filter(const struct tui *u, enum ui_query_kind k, struct profile_filter *out)
{
	*out = u->filter;
	out->from = u->q[k].from;
	out->to = u->q[k].to;
}

static void free_decay(struct tui *u)
{
	if (!u->decay)
		return;
	profile_decay_free(u->decay);
	profile_matcher_free(&u->decay_m);
	u->decay = NULL;
}

/*
 * The decayed weights, seeded from the timeline: a step (1 s, or its
 * resolution) at a time over 8 half-lives back from `last`, each step's
 * weights as if at its middle. From then on, new samples are added as
 * they come.
 */
static void make_decay(struct tui *u, uint64_t last)
{
	uint64_t h = UI_WIN(u).half_life, step = u->opt.resolution_ns, end;
	struct profile_filter f;
	size_t k, steps;

	if (step < 1000000000ull)
		step = 1000000000ull;
	u->decay = profile_decay_new(h);
	profile_matcher_init(&u->decay_m, u->p, &u->filter);
	steps = (size_t)(8 * h / step) + 1;
	if (steps > 240)
		steps = 240;
	end = (last + 1 + step - 1) / step * step;
	for (k = 0; k < steps && end > (uint64_t)k * step; k++) {
		uint64_t to = end - (uint64_t)k * step, from = to > step ? to - step : 0;
		struct profile_top *t;
		uint32_t n;

		f = u->filter;
		f.from = from;
		f.to = to;
		t = timeline_query(u->tl, &f);
		for (n = 0; n < t->nnodes; n++)
			if (t->node_self[n])
				profile_decay_add_node(u->decay, n, t->node_self[n], 0,
						       from + (to - from) / 2);
		profile_decay_add_node(u->decay, PROFILE_ROOT, 0, t->nsamples,
				       from + (to - from) / 2);
		profile_top_free(t);
	}
}

/* A new filter or live span: the live windows start over. */
void ui_tui_reset_live(struct tui *u)
{
	size_t k;

	free_decay(u);
	u->base_queried = false;
	for (k = 0; k < UI_QUERY__COUNT; k++) {
		timeline_live_free(u->q[k].live);
		u->q[k].live = NULL;
	}
	timeline_count_cache_reset(u->strip_counts);
}

/* Whether the window's functions (its top->fns) are read: by the front
 * view, or to find --focus's function. */
static bool functions_read(const struct tui *u)
{
	return !UI_FRONT_OPS(u)->tree_only || u->focus_pending;
}

/*
 * A baseline session: all of it, under the name filters. It does not
 * change, so it is queried again only when the filter or its event did,
 * not each time new data comes (a session of millions of samples would
 * cost a live view several percent of a CPU).
 */
static void query_base_session(struct tui *u)
{
	struct ui_query *q = &u->q[UI_QUERY_BASELINE];
	struct profile_filter f = u->filter;

	if (u->base_queried && q->owned)
		return;
	profile_top_free(q->owned);
	f.pid = f.tid = -1;
	f.from = f.to = 0;
	f.event = u->base_event;
	q->owned = profile_query_top(u->base_p, &f);
	q->top = q->owned;
	q->from = 0;
	q->to = u->base_p->meta.duration_ns;
	u->base_queried = true;
	u->data_gen++;
}

/* Queries window `k` again; the window's call tree is rebuilt from the result. */
static void query(struct tui *u, enum ui_query_kind k)
{
	struct ui_query *q = &u->q[k];
	uint64_t first, last;

	if (k == UI_QUERY_BASELINE && u->base_p) {
		query_base_session(u);
		return;
	}
	retained(u, &first, &last);
	ui_window_resolve(&u->windows[k], first, last, &q->from, &q->to);
	profile_top_free(q->owned);
	q->owned = NULL;
	if (k == UI_QUERY_WINDOW && u->windows[k].mode == UI_WINDOW_DECAY) {
		if (!u->decay)
			make_decay(u, last);
		q->owned = profile_decay_top(u->decay, u->p, last);
		q->top = q->owned;
	} else if (u->windows[k].mode == UI_WINDOW_LIVE || u->windows[k].mode == UI_WINDOW_ALL) {
		/* Everything is a live window that never drops a bucket: new
		 * data costs only itself, not the whole history again. */
		uint64_t span = u->windows[k].mode == UI_WINDOW_ALL ? UINT64_MAX : u->windows[k].span;

		if (q->live && q->live_span != span) {
			timeline_live_free(q->live);
			q->live = NULL;
		}
		if (!q->live) {
			q->live = timeline_live_new(u->tl, &u->filter, span);
			q->live_span = span;
		}
		/* The baseline's functions are read where the window's are. */
		q->top = !functions_read(u) ? timeline_live_nodes(q->live)
					    : timeline_live_top(q->live);
	} else {
		struct profile_filter f;

		ui_tui_filter(u, k, &f);
		q->owned = timeline_query(u->tl, &f);
		q->top = q->owned;
		/* What the header, the strip, m and x say is what was counted. */
		if (u->windows[k].mode == UI_WINDOW_RANGE)
			timeline_span(u->tl, &q->from, &q->to);
	}
	if (k == UI_QUERY_WINDOW) {
		profile_tree_calls(q->tree, u->p, q->top);
		profile_tree_set_marks(q->tree, &u->marks);
	}
	u->data_gen++;
}

void ui_tui_baseline(const struct tui *u, const struct profile **p, const struct profile_top **top)
{
	*p = u->base_p ? u->base_p : u->p;
	*top = u->q[UI_QUERY_BASELINE].top;
}

void ui_tui_baseline_label(const struct tui *u, char *out, size_t size)
{
	const struct ui_query *q = &u->q[UI_QUERY_BASELINE];
	char a[32], b[32], n[32];

	ui_format_count(q->top ? profile_top_samples(u->base_p ? u->base_p : u->p,
						     u->base_p ? u->base_event : u->filter.event,
						     q->top)
			       : 0,
			n, sizeof(n));
	if (u->base_p) {
		char name[256];

		util_sanitize(util_basename(u->opt.baseline), name, sizeof(name));
		snprintf(out, size, "%s (%s samples)", name, n);
		return;
	}
	if (u->windows[UI_QUERY_BASELINE].mode == UI_WINDOW_ALL) {
		snprintf(out, size, "everything (%s samples; m marks a window)", n);
		return;
	}
	ui_format_duration(q->from, a, sizeof(a));
	ui_format_duration(q->to, b, sizeof(b));
	snprintf(out, size, "%s-%s (%s samples)", a, b, n);
}

/* The front view, opened on first use and refreshed when what it reads
 * (the query results, the size) changed since it last looked. */
static struct ui_view *front(struct tui *u)
{
	size_t i = u->front;
	unsigned why = 0;

	if (!u->views[i]) {
		u->views[i] = ui_views[i]->open(u);
		u->view_gen[i] = UINT64_MAX;
	}
	if (u->view_gen[i] != u->data_gen)
		why |= UI_REFRESH_DATA;
	if (u->view_rows[i] != u->main_rows || u->view_cols[i] != u->cols)
		why |= UI_REFRESH_SIZE;
	if (why && !u->too_small) {
		u->view_gen[i] = u->data_gen;
		u->view_rows[i] = u->main_rows;
		u->view_cols[i] = u->cols;
		/* In parentheses: curses has a refresh() macro. */
		(ui_views[i]->refresh)(u->views[i], u, why);
	}
	return u->views[i];
}

/* --focus: the first function in the top-list's order that matches. */
static void apply_focus(struct tui *u)
{
	const struct profile_top *top = UI_WINDOW_QUERY(u)->top;
	size_t i;

	if (!u->focus_pending || !top)
		return;
	for (i = 0; i < top->nfns; i++) {
		uint32_t f = top->fns[i].frame;

		if (regexec(&u->focus_re, profile_string(u->p, u->p->frames[f].name), 0, NULL, 0))
			continue;
		if (UI_FRONT_OPS(u)->focus(front(u), u, f))
			u->focus_pending = false;
		return;
	}
}

void ui_tui_requery(struct tui *u)
{
	unsigned want = 1u << UI_QUERY_WINDOW | UI_FRONT_OPS(u)->queries;
	size_t k;

	for (k = 0; k < UI_QUERY__COUNT; k++)
		if (want & (1u << k))
			query(u, (enum ui_query_kind)k);
	u->total = UI_WINDOW_QUERY(u)->top->total_weight;
	u->nsamples = profile_top_samples(u->p, u->filter.event, UI_WINDOW_QUERY(u)->top);
	mark_matches(u);
	front(u);
	apply_focus(u);
}

void ui_tui_free_names(struct tui *u)
{
	uint32_t i;

	for (i = 0; i < u->nnames; i++)
		free(u->names[i]);
	free(u->names);
	u->names = NULL;
	u->nnames = 0;
}

void ui_tui_draw_main(struct tui *u)
{
	struct ui_view *v = front(u);

	werase(u->w_main);
	ui_screen_role(&u->scr, u->w_main, UI_ROLE_NORMAL);
	UI_FRONT_OPS(u)->draw(v, u, u->w_main);
}

/* An action for the front view: done if it answers it, else nothing. */
static unsigned view_action(struct tui *u, enum ui_action a)
{
	if (!(UI_FRONT_OPS(u)->actions & UI_ACTION(a)))
		return 0;
	return UI_FRONT_OPS(u)->action(front(u), u, a);
}

/* Shows view `i`, with the function selected in the one before. */
static unsigned show_view(struct tui *u, size_t i)
{
	struct ui_selection sel = { .frame = PROFILE_NO_FRAME };
	unsigned flags = UI_REDRAW_VIEW | UI_REDRAW_FOOTER;

	if (i == u->front)
		return 0;
	UI_FRONT_OPS(u)->selection(front(u), u, &sel);
	u->front = i;
	/* A view that reads more than the window queries it now, as does
	 * one that reads the functions the view before left unlisted. */
	if ((UI_FRONT_OPS(u)->queries & ~(1u << UI_QUERY_WINDOW)) ||
	    (functions_read(u) && UI_WINDOW_QUERY(u)->top && UI_WINDOW_QUERY(u)->top->fns_later))
		ui_tui_requery(u);
	if (sel.frame != PROFILE_NO_FRAME)
		UI_FRONT_OPS(u)->focus(front(u), u, sel.frame);
	return flags;
}

/* Own CPU (getrusage) and memory (/proc/self/statm, read into a small
 * buffer): once a second, so neither allocates. */
static void self_usage(struct tui *u, uint64_t now)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long long size, rss;
	struct rusage ru;
	char buf[128];
	ssize_t n;
	int fd;

	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		uint64_t cpu = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000u +
			       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000u;

		if (u->cpu_t0 && now > u->cpu_t0 && cpu >= u->cpu_ns0)
			u->cpu_percent = (double)(cpu - u->cpu_ns0) / (double)(now - u->cpu_t0) * 100.0;
		u->cpu_ns0 = cpu;
		u->cpu_t0 = now;
	}
	fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu", &size, &rss) == 2)
		u->rss = rss * (uint64_t)page;
}

/* Charges the main thread's CPU time since the last charge to `part`. */
static void cpu_charge(struct tui *u, enum ui_cpu_part part)
{
	struct timespec ts;
	uint64_t now;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
		return;
	now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (u->cpu_mark && now > u->cpu_mark)
		u->cpu_part[part] += now - u->cpu_mark;
	u->cpu_mark = now;
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
		return;
	}
	ui_screen_window(&u->scr, u->w_header);
	ui_screen_window(&u->scr, u->w_strip);
	ui_screen_window(&u->scr, u->w_main);
	ui_screen_window(&u->scr, u->w_status);
	ui_screen_window(&u->scr, u->w_footer);
}

static void draw(struct tui *u)
{
	unsigned d = u->dirty;

	u->dirty = 0;
	cpu_charge(u, UI_CPU_WAKE);
	if (d & UI_CLEAR)
		clearok(curscr, TRUE);
	if (u->too_small) {
		ui_draw_too_small(u);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	if (d & UI_REQUERY) {
		ui_tui_requery(u);
		cpu_charge(u, UI_CPU_QUERY);
	}
	if (d & UI_REDRAW_HEADER) {
		ui_draw_header(u);
		wnoutrefresh(u->w_header);
	}
	if (d & UI_REDRAW_STRIP) {
		ui_draw_strip(u);
		wnoutrefresh(u->w_strip);
	}
	if (d & UI_REDRAW_MAIN) {
		if (u->modal == UI_MODAL_HELP || u->modal == UI_MODAL_PICKER) {
			ui_draw_modal(u);
		} else {
			ui_tui_draw_main(u);
		}
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
	cpu_charge(u, UI_CPU_DRAW);
}

/* ------------------------------------------------------------------------
 * Actions: one function per enum ui_action, returning redraw flags.
 */

#define MAIN UI_REDRAW_VIEW

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
	return show_view(u, (u->front + 1) % ui_nviews);
}

static unsigned act_prev_view(struct tui *u)
{
	return show_view(u, (u->front + ui_nviews - 1) % ui_nviews);
}

void ui_tui_list_move(size_t *sel, size_t *scroll, size_t n, long d, int rows)
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

static void clear_search(struct tui *u)
{
	if (u->have_re)
		regfree(&u->re);
	u->have_re = false;
	u->pattern[0] = '\0';
	u->marks.n = 0;
	u->match_total = 0;
	u->nmatch = 0;
}

/* Every view starts over (no zoom, the root or first line selected). */
static unsigned act_reset(struct tui *u)
{
	size_t i;

	clear_search(u);
	for (i = 0; i < ui_nviews; i++)
		if (u->views[i])
			ui_views[i]->action(u->views[i], u, UI_ACT_RESET);
	return MAIN;
}

static unsigned act_search(struct tui *u)
{
	u->modal = UI_MODAL_SEARCH;
	snprintf(u->input, sizeof(u->input), "%s", u->pattern);
	u->input_len = strlen(u->input);
	return UI_REDRAW_STATUS;
}

static unsigned act_filter(struct tui *u)
{
	u->modal = UI_MODAL_FILTER;
	snprintf(u->input, sizeof(u->input), "%s", u->filter_text);
	u->input_len = strlen(u->input);
	return UI_REDRAW_STATUS;
}

/*
 * Space: the picture holds still, sampling goes on. A replay that plays
 * stops where it is, and the picture held is of that play position (the
 * header and the strip show it too), not of the last tick before it.
 */
static unsigned act_pause(struct tui *u)
{
	bool playing = u->src->ops->set_speed && !u->ended;

	u->paused = !u->paused;
	if (playing)
		u->src->ops->set_speed(u->src->ctx, u->paused ? 0 : u->speed);
	ui_tui_message(u, false, u->paused ? "paused: the picture holds still (Space resumes)"
					: "resumed");
	return UI_REDRAW_ALL | (!u->paused || playing ? UI_REQUERY : 0);
}

/* A replay's end, which no window key moves past: the session's length
 * (so far, while it is read), and at least one window from `first`. */
static uint64_t replay_end(const struct tui *u, uint64_t first)
{
	uint64_t end = u->src->duration_ns > u->now ? u->src->duration_ns : u->now;

	return end > first + UI_WINDOW_MIN_NS ? end : first + UI_WINDOW_MIN_NS;
}

static unsigned window_edit(struct tui *u, enum ui_window_edit e)
{
	uint64_t first, last;
	struct ui_window before = UI_WIN(u);

	retained(u, &first, &last);
	if (u->src->live)
		ui_window_edit(&UI_WIN(u), e, first, last);
	else
		ui_window_edit_to(&UI_WIN(u), e, first, last, replay_end(u, first));
	if (UI_WIN(u).mode != before.mode || UI_WIN(u).span != before.span)
		ui_tui_reset_live(u);
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
	UI_WIN(u).mode = UI_WINDOW_LIVE;
	if (!UI_WIN(u).span)
		UI_WIN(u).span = u->cfg.span;
	ui_tui_reset_live(u);
	return UI_REDRAW_ALL | UI_REQUERY;
}

static unsigned act_win_all(struct tui *u)
{
	UI_WIN(u).mode = UI_WINDOW_ALL;
	ui_tui_reset_live(u);
	return UI_REDRAW_ALL | UI_REQUERY;
}

unsigned ui_tui_set_window(struct tui *u, uint64_t from, uint64_t to)
{
	UI_WIN(u).mode = UI_WINDOW_RANGE;
	UI_WIN(u).from = from;
	UI_WIN(u).to = to > from ? to : from + 1;
	ui_tui_reset_live(u);
	return UI_REDRAW_ALL | UI_REQUERY;
}

/* The window as it is now (a live one stops there) becomes the baseline. */
static unsigned act_baseline(struct tui *u)
{
	struct ui_query *q = UI_WINDOW_QUERY(u);
	struct ui_window *b = &u->windows[UI_QUERY_BASELINE];
	char from[32], to[32];

	if (q->to <= q->from) {
		ui_tui_message(u, true, "no window to mark yet");
		return UI_REDRAW_STATUS;
	}
	if (u->base_p) {
		profile_free(u->base_p);
		u->base_p = NULL;
	}
	b->mode = UI_WINDOW_RANGE;
	b->from = q->from;
	b->to = q->to;
	ui_tui_reset_live(u);
	ui_format_duration(q->from, from, sizeof(from));
	ui_format_duration(q->to, to, sizeof(to));
	ui_tui_message(u, false, "baseline: %s-%s; move the window, d and D show the diff", from, to);
	return UI_REDRAW_ALL | UI_REQUERY;
}

static unsigned act_swap(struct tui *u)
{
	struct ui_window w = UI_WIN(u);

	if (w.mode == UI_WINDOW_DECAY) {
		ui_tui_message(u, true, "the decayed view is the window's only; z turns it off");
		return UI_REDRAW_STATUS;
	}
	if (u->base_p) {
		ui_tui_message(u, true, "the baseline is a session file; m marks a window of this one");
		return UI_REDRAW_STATUS;
	}
	UI_WIN(u) = u->windows[UI_QUERY_BASELINE];
	u->windows[UI_QUERY_BASELINE] = w;
	if (!UI_WIN(u).span)
		UI_WIN(u).span = u->cfg.span;
	ui_tui_reset_live(u);
	ui_tui_message(u, false, "swapped the window and the baseline");
	return UI_REDRAW_ALL | UI_REQUERY;
}

/* The decayed view: on (half-life 5 s), the next half-life, then off (live). */
static unsigned act_decay(struct tui *u)
{
	static const uint64_t lives[] = { 5000000000ull, 10000000000ull, 30000000000ull,
					  60000000000ull };
	struct ui_window *w = &UI_WIN(u);
	char h[32];
	size_t i = 0;

	if (w->mode == UI_WINDOW_DECAY) {
		while (i < ARRAY_SIZE(lives) && lives[i] <= w->half_life)
			i++;
		if (i == ARRAY_SIZE(lives)) {
			w->mode = UI_WINDOW_LIVE;
			if (!w->span)
				w->span = u->cfg.span;
			ui_tui_reset_live(u);
			ui_tui_message(u, false, "decay off: the last seconds, live");
			return UI_REDRAW_ALL | UI_REQUERY;
		}
	}
	w->mode = UI_WINDOW_DECAY;
	w->half_life = lives[i];
	ui_tui_reset_live(u);
	ui_format_duration(w->half_life, h, sizeof(h));
	ui_tui_message(u, false, "decay: a sample counts half after %s, a quarter after twice that (z: "
			      "next half-life)",
		    h);
	return UI_REDRAW_ALL | UI_REQUERY;
}

/* The baseline session's event for the window's (the same name, else its
 * first), and whether their units compare (u->base_err says why not). */
static void match_base_event(struct tui *u)
{
	struct ft_error err = { { 0 }, 0, 0 };
	int e = u->filter.event >= 0 ? u->filter.event : 0, b = -1;
	const char *unit = "samples", *bunit = "samples";

	u->base_err[0] = '\0';
	if (!u->base_p)
		return;
	if ((uint32_t)e < u->p->nevents) {
		unit = u->p->events[e].unit;
		b = profile_find_event(u->base_p, u->p->events[e].name);
	}
	if (b < 0 && u->base_p->nevents)
		b = 0;
	u->base_event = b;
	u->base_queried = false;
	if (b >= 0)
		bunit = u->base_p->events[b].unit;
	if (profile_diff_check_units(unit, bunit, &err) < 0)
		util_sanitize(err.msg, u->base_err, sizeof(u->base_err));
}

static unsigned act_event(struct tui *u)
{
	char ev[128];

	if (u->p->nevents < 2) {
		ui_tui_message(u, false, "only one event is sampled (%s); -e EV1,EV2 samples several",
			    u->p->nevents ? u->p->events[0].name : "none");
		return UI_REDRAW_STATUS;
	}
	u->filter.event = (u->filter.event + 1) % (int)u->p->nevents;
	util_sanitize(u->p->events[u->filter.event].name, ev, sizeof(ev));
	ui_tui_message(u, false, "event: %s", ev);
	match_base_event(u);
	ui_tui_reset_live(u);
	return UI_REDRAW_ALL | UI_REQUERY;
}

static unsigned act_redraw(struct tui *u)
{
	return UI_REDRAW_ALL | UI_CLEAR;
}

/* The explorer's own actions; the others go to the front view. */
static unsigned (*const actions[UI_ACT__COUNT])(struct tui *u) = {
	[UI_ACT_QUIT] = act_quit,
	[UI_ACT_HELP] = act_help,
	[UI_ACT_NEXT_VIEW] = act_next_view,
	[UI_ACT_PREV_VIEW] = act_prev_view,
	[UI_ACT_RESET] = act_reset,
	[UI_ACT_SEARCH] = act_search,
	[UI_ACT_FILTER] = act_filter,
	[UI_ACT_PAUSE] = act_pause,
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
	[UI_ACT_BASELINE] = act_baseline,
	[UI_ACT_SWAP] = act_swap,
	[UI_ACT_DECAY] = act_decay,
	[UI_ACT_PICKER] = ui_picker_open,
	[UI_ACT_EVENT] = act_event,
	[UI_ACT_SAVE] = ui_output_save_prompt,
	[UI_ACT_EXPORT] = ui_output_export_prompt,
	[UI_ACT_REDRAW] = act_redraw,
};

/* ------------------------------------------------------------------------
 * Modal input: the search and save prompts, help, the picker.
 */

/*
 * Compiles a search pattern: an extended regex, in smart case (a pattern
 * in lower case matches either case). 0, or -EINVAL with `err`.
 */
static int compile_search(regex_t *re, const char *pattern, struct ft_error *err)
{
	char msg[256];
	bool lower = true;
	const char *c;
	int ret;

	for (c = pattern; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			lower = false;
	ret = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB | (lower ? REG_ICASE : 0));
	if (ret) {
		regerror(ret, re, msg, sizeof(msg));
		error_set(err, "%s", msg);
		return -EINVAL;
	}
	return 0;
}

static void apply_search(struct tui *u)
{
	struct ft_error err = { { 0 }, 0, 0 };

	clear_search(u);
	if (!u->input[0])
		return;
	if (compile_search(&u->re, u->input, &err) < 0) {
		ui_tui_message(u, true, "search: %s", err.msg);
		return;
	}
	u->have_re = true;
	snprintf(u->pattern, sizeof(u->pattern), "%s", u->input);
	mark_matches(u);
	/* Go to the first match unless on one already. */
	{
		struct ui_selection sel = { .frame = PROFILE_NO_FRAME };
		struct ui_view *v = front(u);

		UI_FRONT_OPS(u)->selection(v, u, &sel);
		if (!ui_tui_matches(u, sel.frame))
			view_action(u, UI_ACT_SEARCH_NEXT);
	}
}

static void clear_filter(struct tui *u)
{
	if (u->filter.include)
		regfree(&u->filter_re);
	u->filter.include = NULL;
	u->filter_text[0] = '\0';
}

/*
 * The function filter from the prompt: every view, the heatmap and the
 * strip count only the stacks through a function that matches (smart
 * case, as the search), from the next query on; an empty one shows all.
 */
static unsigned apply_filter(struct tui *u)
{
	struct ft_error err = { { 0 }, 0, 0 };
	char shown[600];
	regex_t re;

	if (u->input[0] && compile_search(&re, u->input, &err) < 0) {
		ui_tui_message(u, true, "filter: %s", err.msg);
		return UI_REDRAW_STATUS;
	}
	/* The live windows and the decay hold matchers of the old one. */
	ui_tui_reset_live(u);
	clear_filter(u);
	if (!u->input[0]) {
		ui_tui_message(u, false, "no function filter: every stack counts");
		return UI_REDRAW_ALL | UI_REQUERY;
	}
	u->filter_re = re;
	u->filter.include = &u->filter_re;
	snprintf(u->filter_text, sizeof(u->filter_text), "%s", u->input);
	ui_tui_message(u, false,
		    "only stacks through a function matching /%s/; F and an empty line shows all",
		    ui_draw_clean(u, u->filter_text, shown, sizeof(shown)));
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
		size_t lines = ui_draw_help_lines(u), rows = ui_draw_help_page(u);

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
	case UI_MODAL_FILTER:
	case UI_MODAL_SAVE:
	case UI_MODAL_EXPORT:
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
			else if (m == UI_MODAL_FILTER)
				return MAIN | apply_filter(u);
			else if (m == UI_MODAL_EXPORT && u->input[0])
				ui_output_export(u, u->input);
			else if (u->input[0])
				ui_output_save(u, u->input);
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
			return ui_picker_choose(u);
		if (key == UI_KEY_UP || key == UI_KEY_DOWN || key == UI_KEY_PGUP ||
		    key == UI_KEY_PGDN) {
			long rows = u->main_rows - 3;
			long d = key == UI_KEY_UP ? -1 : key == UI_KEY_DOWN ? 1
						   : key == UI_KEY_PGUP ? -rows
									: rows;

			ui_tui_list_move(&u->pick_sel, NULL, u->npick, d, 0);
			return MAIN;
		}
		if (edit_input(u, key)) {
			u->pick_sel = 0;
			ui_picker_filter(u);
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

/* The strip's time at screen column `x` plus `frac` of a column; false
 * when there is no data. */
static bool strip_time(struct tui *u, int x, double frac, uint64_t *t)
{
	uint64_t first, last, end;

	retained(u, &first, &last);
	end = u->src->live ? last : u->src->duration_ns;
	if (end <= first)
		return false;
	*t = first + (uint64_t)((double)(end - first) * (x + frac) / u->cols);
	return true;
}

/* A click on the strip: a window of the same width centred there (the
 * window's own, not the whole buckets its query covers, which would
 * widen it by a bucket a click). */
static unsigned strip_click(struct tui *u, int x)
{
	uint64_t first, last, t, from, to, width;

	if (!strip_time(u, x, 0.5, &t))
		return 0;
	retained(u, &first, &last);
	ui_window_resolve(&UI_WIN(u), first, last, &from, &to);
	width = to > from ? to - from : 0;
	if (!width)
		width = UI_WINDOW_MIN_NS;
	UI_WIN(u).mode = UI_WINDOW_RANGE;
	UI_WIN(u).from = t > first + width / 2 ? t - width / 2 : first;
	if (!u->src->live) {
		/* Not past a replay's end: as the window keys keep it. */
		uint64_t end = replay_end(u, first);

		if (UI_WIN(u).from + width > end)
			UI_WIN(u).from = end > first + width ? end - width : first;
	}
	UI_WIN(u).to = UI_WIN(u).from + width;
	ui_tui_reset_live(u);
	return UI_REDRAW_ALL | UI_REQUERY;
}

/* A drag along the strip: the window over the columns from where it was
 * pressed to where released. */
static unsigned strip_drag(struct tui *u, int x0, int x1)
{
	uint64_t a, b;

	if (!strip_time(u, x0 < x1 ? x0 : x1, 0, &a) || !strip_time(u, x0 < x1 ? x1 : x0, 1, &b))
		return 0;
	if (b < a + UI_WINDOW_MIN_NS)
		b = a + UI_WINDOW_MIN_NS;
	return ui_tui_set_window(u, a, b);
}

#define STRIP_ROW(y) ((y) == 2 || (y) == 3)
#define MAIN_ROW(u, y) ((y) >= 4 && (y) - 4 < (u)->main_rows)

/*
 * One mouse report (screen.c asks for presses, releases and the position
 * while button 1 is held): a press and a release on the same cell is a
 * click (two within UI_DOUBLE_CLICK_NS on one cell a double click),
 * anything else a drag, which the front view follows (its `drag`) if it
 * has one; on the strip it makes a window. The wheel moves as the arrows
 * do.
 */
static unsigned mouse_event(struct tui *u, const MEVENT *e)
{
	const struct ui_view_ops *ops = UI_FRONT_OPS(u);
	MEVENT ev = *e;
	bool dbl;
	uint64_t now;

	if (u->too_small || u->modal != UI_MODAL_NONE) {
		u->press.down = false;
		return 0;
	}
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		unsigned r = 0;
		int k;

		for (k = 0; k < ops->wheel; k++)
			r |= view_action(u, ev.bstate & BUTTON4_PRESSED ? UI_ACT_UP : UI_ACT_DOWN);
		return r;
	}
	if (ev.bstate & BUTTON1_PRESSED) {
		u->press.down = true;
		u->press.moved = false;
		u->press.y = ev.y;
		u->press.x = ev.x;
		return 0;
	}
	if (!u->press.down) {
		if (!(ev.bstate & BUTTON1_RELEASED))
			return 0;
		/* Its press went by unseen (a terminal that reports only
		 * releases, or a queue overrun): a click where released. */
		u->press.moved = false;
		u->press.y = ev.y;
		u->press.x = ev.x;
	}
	if (ev.y != u->press.y || ev.x != u->press.x)
		u->press.moved = true;
	if (!(ev.bstate & BUTTON1_RELEASED)) { /* moved, the button held */
		if (!u->press.moved || !MAIN_ROW(u, u->press.y) || !ops->drag)
			return 0;
		return ops->drag(front(u), u, u->press.y - 4, u->press.x, ev.y - 4, ev.x, false);
	}
	u->press.down = false;
	if (u->press.moved) {
		if (STRIP_ROW(u->press.y) && ev.x != u->press.x)
			return strip_drag(u, u->press.x, ev.x);
		if (MAIN_ROW(u, u->press.y) && ops->drag)
			return ops->drag(front(u), u, u->press.y - 4, u->press.x, ev.y - 4, ev.x,
					 true);
	}
	/* A click where it was pressed. */
	now = util_now_ns();
	dbl = u->press.click_at && now - u->press.click_at < UI_DOUBLE_CLICK_NS &&
	      u->press.click_y == u->press.y && u->press.click_x == u->press.x;
	u->press.click_at = dbl ? 0 : now;
	u->press.click_y = u->press.y;
	u->press.click_x = u->press.x;
	if (STRIP_ROW(u->press.y))
		return strip_click(u, u->press.x);
	if (!MAIN_ROW(u, u->press.y))
		return 0;
	return ops->click(front(u), u, u->press.y - 4, u->press.x, dbl);
}

/*
 * The mouse reports curses has. Reports that came in one read are one
 * KEY_MOUSE, and getmouse() gives them newest first: all are taken, then
 * handled oldest first (a press and its release sent together are still a
 * click).
 */
static unsigned mouse(struct tui *u)
{
	MEVENT ev[16];
	unsigned r = 0;
	size_t n = 0;

	while (n < ARRAY_SIZE(ev) && getmouse(&ev[n]) == OK)
		n++;
	while (n--)
		r |= mouse_event(u, &ev[n]);
	return r;
}

static void on_key(struct tui *u, int ch)
{
	enum ui_action a;
	int key;

	if (ch == KEY_RESIZE) {
		make_windows(u);
		u->dirty |= UI_REDRAW_ALL | UI_CLEAR;
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
	a = ui_keys_lookup(key);
	if (a != UI_ACT_NONE && actions[a]) {
		u->dirty |= actions[a](u);
	} else if (a != UI_ACT_NONE) {
		u->dirty |= view_action(u, a);
	} else {
		size_t i;

		for (i = 0; i < ui_nviews; i++)
			if (ui_views[i]->key == key)
				u->dirty |= show_view(u, i);
	}
}

/* ------------------------------------------------------------------------
 * Start, loop, end.
 */

/*
 * A command we launched that still runs gets SIGTERM when the explorer
 * quits, as `record` does at its end, and SIGKILL if it ignores that for
 * FT_CHILD_GRACE_NS.
 */
static void stop_child(const struct source *src)
{
	if (src && src->child > 0 && ft_child_end(src->child, SIGTERM, FT_CHILD_GRACE_NS) == 1)
		util_error_line("the command (pid %d) ignored SIGTERM; killed it (SIGKILL)",
			  (int)src->child);
}

/*
 * A launched command when the explorer ends, as record treats it: the
 * signal that ended the explorer is passed on to it, and it is given
 * FT_CHILD_GRACE_NS to end, then killed with SIGKILL (after q it gets
 * SIGTERM at the end of ui_run, as -d does: stop_child). Returns the exit
 * status: the command's once it has ended, else `status`.
 */
static int end_command(struct tui *u, int sig, int status)
{
	struct source *src = u->src;
	struct ft_error err = { { 0 }, 0, 0 };
	struct ft_child_stop stop = { 0, 0 };
	enum ft_child_stop_result r = FT_CHILD_WAITING;
	int ret;

	while (sig && src->child > 0 && r != FT_CHILD_GAVE_UP) {
		r = ft_child_stop_step(&stop, src->child, sig, util_now_ns(), FT_CHILD_GRACE_NS);
		if (r == FT_CHILD_KILLED)
			util_error_line("%s (pid %d) is still running %llu s after the signal; killed it "
				  "(SIGKILL)",
				  u->opt.target->argv[0], (int)src->child,
				  (unsigned long long)(FT_CHILD_GRACE_NS / 1000000000u));
		ret = src->ops->poll(src->ctx, POLL_MS, &err);
		if (ret != SOURCE_RUNNING && ret != SOURCE_MORE)
			break;
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
	struct source_live_config cfg = *u->opt.target;
	struct source *src;
	int ret;

	/* The loop drains the rings every tick anyway (wait_ms): they need
	 * wake it only when half full, not at each quarter. */
	if (!cfg.wakeup_parts)
		cfg.wakeup_parts = 2;
	/* However much a busy machine writes, or slow its symbols are to
	 * load, the keys and the picture get their turn this often. */
	cfg.poll_budget_ns = MORE_NS;
	src = source_live_new(&cfg, &u->notices, err);

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
		 * /dev/null and its output goes to a new file in this run's
		 * private directory, named in the status line. Our own
		 * descriptors come back after the fork. */
		char path[512], msg[sizeof(err->msg)];
		int in, out, save[3], i, start_err;

		out = ft_private_create("out", path, sizeof(path), err);
		if (out < 0)
			return -1;
		in = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (in < 0) {
			error_set(err, "/dev/null: %s", strerror(errno));
			close(out);
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
		ui_tui_message(u, false, "%s writes to %s", u->opt.target->argv[0], path);
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

/*
 * Asked while the live source reads a module's tables, which may take
 * seconds for a big one (procmap_set_interrupt): whether q (the key bound
 * to quit) or Ctrl-C was typed meanwhile, outside a dialog, or a stop
 * signal came. The keys typed are read (curses decodes them) and kept in
 * u->typed for the loop, in order; once seen, q is said until the loop
 * has read it.
 */
static bool quit_typed(void *ctx)
{
	struct tui *u = ctx;
	int ch;

	if (u->quit_typed || ui_screen_stop_signal())
		return true;
	if (u->modal != UI_MODAL_NONE)
		return false;
	while (u->ntyped < ARRAY_SIZE(u->typed) && (ch = getch()) != ERR) {
		u->typed[u->ntyped++] = ch;
		if (ch == 0x03 || ui_keys_lookup(ch) == UI_ACT_QUIT)
			u->quit_typed = true;
	}
	return u->quit_typed;
}

static void init_state(struct tui *u)
{
	struct profile_limits limits;
	struct timeline_config tc;
	size_t k, budget;

	timeline_config_default(&tc);
	if (u->opt.resolution_ns)
		tc.resolution_ns = u->opt.resolution_ns;
	if (u->opt.retention_ns)
		tc.retention_ns = u->opt.retention_ns;
	/*
	 * --max-memory is all that is kept of the samples, shared out: three
	 * quarters for the timeline, a sixteenth for the heatmap's samples (in
	 * 10 ms slices, 16 bytes each: 4 MiB hold 131 s of 2 CPUs x 999 Hz)
	 * and a sixteenth for the addresses the lines view reads (4 MiB hold
	 * 126 s of 2 CPUs x 999 Hz over 10,000 stacks); the rest is headroom
	 * for what is not counted (the call tree's tables, the views).
	 * The default keeps a day of a busy machine whole: a synthetic day at
	 * 2 CPUs x 999 Hz over 10,000 stacks takes 27 MiB of timeline.
	 */
	budget = u->opt.max_memory ? u->opt.max_memory : UI_MAX_MEMORY_DEFAULT;
	tc.max_memory = budget / 4 * 3;
	/*
	 * The call tree and names a live profile grows (a fork storm's
	 * stacks, a changing system's functions) follow it too: up to
	 * UI_PROFILE_SHARE times it before new ones go to [other], the
	 * profile's default (PROFILE_LIVE_BYTES) at the default budget.
	 */
	/*
	 * So do the modules' symbol and unwind tables, up to the budget
	 * itself: past it, those not used in the last second are freed and
	 * read again when needed (a day of builds maps thousands of
	 * binaries, each once).
	 */
	if (u->src->live) {
		profile_limits_scaled(budget * UI_PROFILE_SHARE_NUM / UI_PROFILE_SHARE_DEN, &limits);
		profile_set_limits(u->p, &limits);
		source_live_set_table_limit(u->src, budget);
		source_live_set_interrupt(u->src, quit_typed, u);
	}
	u->tl = timeline_new(&tc, u->p);
	u->strip_counts = timeline_count_cache_new();
	u->heat = profile_heatstore_new(10000000ull, budget / 16);
	u->hits = profile_hits_new(tc.resolution_ns, budget / 16);
	u->lines = symbols_lines_new();
	u->line_frame = PROFILE_NO_FRAME;
	profile_filter_init(&u->filter);
	if (u->p->nevents > 1)
		u->filter.event = 0;
	UI_WIN(u).span = u->cfg.span;
	u->windows[UI_QUERY_BASELINE].mode = UI_WINDOW_ALL;
	u->windows[UI_QUERY_BASELINE].span = u->cfg.span;
	/* A session opened at once is shown whole; anything played live
	 * shows the last seconds. */
	UI_WIN(u).mode = !u->src->live && u->speed >= SOURCE_UNPACED ? UI_WINDOW_ALL : UI_WINDOW_LIVE;
	u->flip = u->cfg.flame;
	u->palette = u->cfg.palette;
	u->front = (size_t)ui_views_find(u->opt.view ? u->opt.view : u->cfg.view);
	for (k = 0; k < UI_QUERY__COUNT; k++)
		u->q[k].tree = profile_tree_new();
}

/* -v: what the explorer's own CPU time went to, said after the screen is closed. */
static void say_cpu(const struct tui *u, uint64_t ran_ns)
{
	static const char *const names[UI_CPU__COUNT] = {
		[UI_CPU_SAMPLING] = "sampling",
		[UI_CPU_STORE] = "storing",
		[UI_CPU_QUERY] = "querying",
		[UI_CPU_DRAW] = "drawing",
		[UI_CPU_WAKE] = "waking",
	};
	char line[256];
	size_t k, n;

	n = (size_t)snprintf(line, sizeof(line), "own CPU over %.1f s:", (double)ran_ns / 1e9);
	for (k = 0; k < UI_CPU__COUNT && n < sizeof(line); k++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s %s %.3f s (%.2f%% of a CPU)",
				      k ? "," : "", names[k], (double)u->cpu_part[k] / 1e9,
				      ran_ns ? (double)u->cpu_part[k] / (double)ran_ns * 100.0 : 0.0);
	util_error_line("%s", line);
}

/*
 * -v at the end: where the memory went, each part as it counts itself
 * (arrays at their capacity); what is left of the peak is code, the
 * allocator's own, memory freed but kept for reuse, and what no part counts.
 */
static void say_memory(const struct tui *u)
{
	char peak[32], tl[32], tree[32], hits[32], heat[32], mods[32], parked[32];
	char kern[32], coll[32], rings[32], folded[96] = "";
	struct timeline_stats st;
	struct source_memory sm = { 0 };
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		ru.ru_maxrss = 0;
	ui_format_bytes((uint64_t)ru.ru_maxrss * 1024, peak, sizeof(peak)); /* KiB on Linux */
	timeline_stats(u->tl, &st);
	ui_format_bytes(st.memory, tl, sizeof(tl));
	ui_format_bytes(profile_memory(u->p), tree, sizeof(tree));
	ui_format_bytes(u->hits ? profile_hits_memory(u->hits) : 0, hits, sizeof(hits));
	ui_format_bytes(u->heat ? profile_heatstore_memory(u->heat) : 0, heat, sizeof(heat));
	if (u->src->live)
		source_live_memory(u->src, &sm);
	ui_format_bytes(sm.modules, mods, sizeof(mods));
	ui_format_bytes(sm.modules_parked, parked, sizeof(parked));
	ui_format_bytes(sm.kernel_symbols, kern, sizeof(kern));
	ui_format_bytes(sm.collector, coll, sizeof(coll));
	ui_format_bytes(sm.rings, rings, sizeof(rings));
	if (u->p->threads_folded)
		snprintf(folded, sizeof(folded), "; %llu samples under %s",
			 (unsigned long long)u->p->threads_folded, PROFILE_OTHER_THREADS_NAME);
	util_error_line("memory: peak %s; timeline %s, call tree and names %s (%u thread%s%s), "
			"lines store %s, heatmap %s, symbol and unwind tables %s (%s of them kept "
			"for modules no process maps now), kernel symbols %s, stack cache %s, ring "
			"buffers %s",
			peak, tl, tree, u->p->nthreads, u->p->nthreads == 1 ? "" : "s", folded, hits, heat, mods, parked, kern, coll,
			rings);
}

/*
 * The live target has exited: says so in ended_msg, with the processes
 * it started that run on unsampled (record names them the same way).
 */
static void say_target_exited(struct tui *u)
{
	pid_t pid = 0;
	size_t n = source_live_spawned_running(u->src, &pid, 1);

	if (!n)
		snprintf(u->ended_msg, sizeof(u->ended_msg), "the target exited");
	else
		snprintf(u->ended_msg, sizeof(u->ended_msg),
			 "the target exited, leaving %zu process%s it started running, unsampled "
			 "(pid %d%s)",
			 n, n == 1 ? "" : "es", (int)pid, n > 1 ? ", ..." : "");
}

/*
 * How long the loop waits for a key, and *fd, what else it waits on (-1:
 * nothing): the live source's descriptor, readable when a ring passes its
 * watermark, until the next tick, so a steady view wakes once a second
 * and once per watermark of data. A ring wakes it per watermark written,
 * read or not, so on many busy CPUs the rings together could wake it more
 * often than a timer: `timed` (they woke it RING_WAKES times since the
 * tick) makes it poll every POLL_MS instead until the next tick, as it did
 * before it waited on the rings. A replay, with no descriptor, polls
 * every POLL_MS; FIRST_POLL_MS until a frame has shown samples.
 */
static int wait_ms(struct tui *u, bool first, bool timed, uint64_t now, uint64_t next_tick,
		   int *fd)
{
	uint64_t until = next_tick;

	*fd = -1;
	if (!u->ended && u->src->ops->wait_fd)
		*fd = u->src->ops->wait_fd(u->src->ctx);
	if (first)
		return FIRST_POLL_MS;
	if (*fd < 0)
		return POLL_MS;
	if (timed) {
		*fd = -1;
		if (until > now + POLL_MS * 1000000ull)
			until = now + POLL_MS * 1000000ull;
	}
	if (until <= now)
		return 0;
	/* Rounded up: woken before the tick, the loop would only wait again. */
	return (int)((until - now + 999999) / 1000000);
}

static void loop(struct tui *u)
{
	struct pollfd pfd[2] = { { STDIN_FILENO, POLLIN, 0 }, { -1, POLLIN, 0 } };
	uint64_t next_tick = util_now_ns(), gen = 0, queried_gen = (uint64_t)-1;
	uint64_t first_until = next_tick + FIRST_WAIT_NS;
	struct ft_error err = { { 0 }, 0, 0 };
	bool shown = false; /* a frame with samples was drawn */
	bool more = false; /* the source has more due (SOURCE_MORE): no wait */
	unsigned ring_wakes = 0; /* since the tick: RING_WAKES, and a timer until the next (wait_ms) */
	unsigned i;
	int ch;

	u->dirty = UI_REDRAW_ALL | UI_REQUERY | UI_CLEAR;
	u->rate_t0 = util_now_ns();
	while (!u->quit) {
		uint64_t now;
		int sig, ret, timeout;

		if (u->dirty)
			draw(u);
		shown = shown || u->nsamples;
		cpu_charge(u, UI_CPU_WAKE);
		now = util_now_ns();
		timeout = wait_ms(u, !shown && now < first_until, ring_wakes >= RING_WAKES, now,
				  next_tick, &pfd[1].fd);
		if (more || u->ntyped)
			timeout = 0;
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR)
			break;
		if (pfd[1].fd >= 0 && (pfd[1].revents & POLLIN))
			ring_wakes++;
		/* First the keys read while a module was read (quit_typed()). */
		for (i = 0; i < u->ntyped; i++)
			on_key(u, u->typed[i]);
		u->ntyped = 0;
		u->quit_typed = false;
		while ((ch = getch()) != ERR)
			on_key(u, ch);
		sig = ui_screen_stop_signal();
		if (sig || u->quit)
			break;
		cpu_charge(u, UI_CPU_WAKE);
		if (!u->ended) {
			/* A replay's batches, taken for up to MORE_NS before
			 * the keys and the picture get their turn. */
			uint64_t more_until = util_now_ns() + MORE_NS;

			do {
				ret = u->src->ops->poll(u->src->ctx, 0, &err);
				cpu_charge(u, UI_CPU_SAMPLING);
				if (ui_tui_take_samples(u))
					gen++;
				/* A batch spans many seconds: sorted into the
				 * timeline now, its buckets' pending arrays serve
				 * the next batch's (by the tick, thousands of
				 * buckets would hold fresh ones). */
				if (ret == SOURCE_MORE)
					timeline_advance(u->tl, u->src->ops->now(u->src->ctx));
				cpu_charge(u, UI_CPU_STORE);
			} while (ret == SOURCE_MORE && util_now_ns() < more_until);
			u->now = u->src->ops->now(u->src->ctx);
			more = ret == SOURCE_MORE;
			if (ret != SOURCE_RUNNING && ret != SOURCE_MORE) {
				u->ended = true;
				u->failed = ret < 0;
				if (ret < 0)
					snprintf(u->ended_msg, sizeof(u->ended_msg), "%s", err.msg);
				else if (u->src->live)
					say_target_exited(u);
				else
					snprintf(u->ended_msg, sizeof(u->ended_msg), "%s",
						 "end of the session");
				u->dirty |= UI_REDRAW_ALL | UI_REQUERY;
			}
		}
		/*
		 * Until a frame has shown samples, new ones are shown as they come
		 * (every FIRST_POLL_MS, then POLL_MS) instead of at the next tick:
		 * the first frame is what a person waits for, and the first tick
		 * often comes before the first samples.
		 */
		if (!shown && !u->paused && gen != queried_gen) {
			queried_gen = gen;
			u->dirty |= UI_REQUERY | UI_REDRAW_STRIP | MAIN;
		}
		now = util_now_ns();
		if (now >= next_tick) {
			double dt = (double)(now - u->rate_t0) / 1e9;

			next_tick = now + UI_TICK_NS;
			ring_wakes = 0;
			timeline_advance(u->tl, u->now);
			forget_hits(u);
			push_tick(u);
			tmp_flush(u);
			forget_threads(u);
			cpu_charge(u, UI_CPU_STORE);
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
				ui_picker_scan(u);
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
	uint64_t started, ran;
	int status = 1, sig, ret;
	size_t k;

	/* The timeline, the heat store and the profile grow and free as
	 * samples come: what is freed is kept for what comes next (util.h).
	 * Not the heap in huge pages, as record has it: a view left running
	 * would hold whole huge pages for the little its blocks use of them
	 * (some 7 MiB more after a minute of -a), for a start no faster.
	 * No more kept than --max-memory: beside a fork storm, what module
	 * loads and exits freed made 1M's explorer 156 MiB in two minutes. */
	xmalloc_keep_freed(o->max_memory ? o->max_memory : UI_MAX_MEMORY_DEFAULT);
	u->opt = *o;
	/* Settings and theme first: a mistake in them is a usage error, said
	 * in one line before the terminal is touched. */
	ui_config_default(&u->cfg);
	cfg_path = ui_config_path();
	if (cfg_path && ui_config_load(&u->cfg, cfg_path, &err) < 0) {
		/* It quotes the file: cli_error keeps its control characters
		 * off the terminal. */
		util_error_line("%s", err.msg);
		free(cfg_path);
		status = FT_EXIT_USAGE;
		goto out;
	}
	free(cfg_path);
	if (o->no_mouse)
		u->cfg.mouse = false;
	if (ui_theme_load(&theme, o->theme ? o->theme : u->cfg.theme, &err) < 0) {
		/* A named theme that is missing is an error; the default one
		 * missing (a broken install) falls back to the built-in. */
		if (o->theme || strcmp(u->cfg.theme, "default") != 0) {
			util_error_line("%s", err.msg);
			status = FT_EXIT_USAGE;
			goto out;
		}
		ui_theme_builtin(&theme);
	}
	if (o->view && ui_views_find(o->view) < 0) {
		char names[256];

		ui_views_list(names, sizeof(names));
		util_error_line("--view: no view '%s' (the views: %s)", o->view, names);
		status = FT_EXIT_USAGE;
		goto out;
	}
	if (o->focus && compile_search(&u->focus_re, o->focus, &err) < 0) {
		util_error_line("--focus: %s", err.msg);
		u->opt.focus = NULL;
		status = FT_EXIT_USAGE;
		goto out;
	}
	u->focus_pending = o->focus != NULL;
	/* A session is opened (its header read) before the terminal is
	 * looked for: a file that is no session is said as such. Opening it
	 * starts nothing, where a live source samples, or launches a command,
	 * only once it is clear the explorer can run. */
	if (o->replay) {
		ret = open_source(u, &err);
		if (ret < 0) {
			util_error_line("%s", err.msg);
			status = util_exec_status(ret);
			goto out;
		}
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "flametop: the %s needs a terminal; %s without one\n",
			o->replay ? "explorer" : "live view",
			o->replay ? "'flametop report -i FILE' reads a session"
				  : "'flametop record' samples");
		goto out_source;
	}
	if (o->baseline) {
		u->base_p = session_read(o->baseline, NULL, &err);
		if (!u->base_p) {
			char clean[600];

			fprintf(stderr, "flametop: --baseline: %s\n",
				util_sanitize(err.msg, clean, sizeof(clean)));
			goto out_source;
		}
	}
	if (!o->replay) {
		ret = open_source(u, &err);
		if (ret < 0) {
			util_error_line("%s", err.msg);
			status = util_exec_status(ret);
			goto out;
		}
	}
	init_state(u);
	match_base_event(u);
	if (u->base_err[0]) {
		fprintf(stderr, "flametop: --baseline: %s\n", u->base_err);
		goto out_source;
	}
	if (push_open(u, &err) < 0) {
		fprintf(stderr, "flametop: %s\n", err.msg);
		goto out_source;
	}
	if (ui_screen_open(&u->scr, u->cfg.mouse, theme.mono, &err) < 0) {
		util_error_line("%s", err.msg);
		goto out_source;
	}
	ui_screen_theme(&u->scr, &theme);
	u->diff_cb = theme.diff_colorblind;
	/* getch() refreshes stdscr when it changed: show it once, blank, so
	 * that it never paints over the windows later. */
	refresh();
	/* A replay saves from its source (source_replay_save): no copy, but
	 * it still removes what runs killed before left. */
	if (u->src->live)
		tmp_open(u);
	else
		ft_private_clean_stale();
	make_windows(u);
	started = util_now_ns();
	loop(u);
	cpu_charge(u, UI_CPU_WAKE);
	ran = util_now_ns() - started;
	sig = ui_screen_stop_signal();
	status = sig ? 128 + sig : 0;
	if (sig == SIGINT)
		status = 0;
	free_windows(u);
	ui_screen_close(&u->scr);
	/* What the status line said, where it stays: the screen is gone. */
	if (u->failed) {
		util_error_line("%s", u->ended_msg);
		if (!status)
			status = 1;
	}
	if (o->verbose) {
		say_cpu(u, ran);
		say_memory(u);
	}
	push_close(u);
	status = end_command(u, sig, status);

out_source:
	if (u->pusher) { /* the explorer did not start: nothing to wait for */
		push_feed_free(u->push_feed);
		pusher_close(u->pusher, 0, NULL);
	}
	if (u->outpath[0]) {
		struct stat st;

		if (!u->ended)
			stop_child(u->src);
		/* The terminal is the shell's again: a command's output is
		 * named where it stays in sight, or removed when there is none. */
		if (stat(u->outpath, &st) == 0 && st.st_size == 0)
			unlink(u->outpath);
		else if (st.st_size > 0)
			util_error_line("%s wrote %lld bytes of output, kept in %s",
					u->opt.target->argv[0], (long long)st.st_size, u->outpath);
	}
	if (u->writer)
		session_writer_abort(u->writer);
	if (u->tmppath[0])
		unlink(u->tmppath);
	ui_screen_set_unlink(NULL);
	ui_tui_reset_live(u);
	timeline_count_cache_free(u->strip_counts);
	timeline_free(u->tl);
	profile_hits_free(u->hits);
	profile_heatstore_free(u->heat);
	symbols_lines_free(u->lines);
	source_free(u->src);
out:
	ft_private_done();
	for (k = 0; k < ui_nviews; k++)
		if (u->views[k])
			ui_views[k]->close(u->views[k]);
	for (k = 0; k < UI_QUERY__COUNT; k++) {
		profile_top_free(u->q[k].owned);
		profile_tree_free(u->q[k].tree);
	}
	free(u->marks.in);
	ui_ratio_free(u);
	profile_free(u->base_p);
	ui_tui_free_names(u);
	if (u->have_re)
		regfree(&u->re);
	clear_filter(u);
	if (u->opt.focus)
		regfree(&u->focus_re);
	ui_procs_free(&u->procs);
	ui_procs_free(&u->procs_prev);
	free(u->pick_idx);
	notice_free(&u->notices);
	free(u);
	return status;
}
