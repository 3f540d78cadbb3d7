/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a frame of the explorer costs, in every view of the view table: a
 * synthetic call tree of 100,000 nodes (a fixed random shape, 5,000
 * distinct functions, a third of the nodes with samples spread over ten
 * seconds) in a real timeline, shown at 200x60 in an off-screen curses
 * screen (newterm on a temporary file standing in for the terminal). A
 * frame is what the explorer does once a second while data comes in: one
 * new sample, the query again (the live window's top-list, the call tree
 * and what the view derives from it) and the view drawn, with the whole
 * screen sent as after Ctrl-L. Prints, per view, the query and the draw
 * (medians of the runs, in CPU time, so that other work on the machine
 * does not count), the full frame against the goal of 5 ms, and the
 * bytes a frame writes. Run by `make bench` (bench/ui.sh); asserts
 * nothing.
 *
 *   bench/ui-redraw [NODES [RUNS [VIEW]]]
 *
 * VIEW: that view alone (to profile one, perf record -g).
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tui.h"

#include "bench.h"

#define COLS 200
#define ROWS 60
#define GOAL_NS 5000000

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

/* This thread's CPU time, ns: what a frame costs, whatever else the
 * machine runs (wall time on a shared machine measures its load). */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts `ns` and returns its median. */
static uint64_t median(uint64_t *ns, int n)
{
	qsort(ns, (size_t)n, sizeof(*ns), cmp_u64);
	return ns[n / 2];
}

/* The tree: each new node under a random earlier one, biased towards
 * recent nodes so the graph is deep as well as wide. */
static struct profile *synthetic(uint32_t want)
{
	struct profile *p = profile_new();

	profile_add_event(p, "cpu-clock", "ns");
	profile_set_thread(p, 1, 1, "app");
	while (p->nnodes < want + 1) {
		uint32_t n = p->nnodes;
		uint32_t parent = rng() % 4 ? n - 1 - (uint32_t)(rng() % (n < 64 ? n : 64))
					    : (uint32_t)(rng() % n);
		char name[32];
		uint32_t f;

		snprintf(name, sizeof(name), "function_%05u", (unsigned)(rng() % 5000));
		f = profile_intern_frame(p, name,
					 rng() % 8 ? "/nonexistent/app" : "[kernel.kallsyms]",
					 PROFILE_FRAME_USER);
		profile_intern_node(p, parent, f);
	}
	return p;
}

/* Samples on a third of the nodes over ten seconds, each with a code
 * location as user-space samples have. */
static void add_samples(struct profile *p)
{
	uint32_t n;

	for (n = 1; n < p->nnodes; n++) {
		struct profile_sample s = { 0 };

		if (rng() % 3)
			continue;
		s.time = rng() % 10000000000ull;
		s.weight = 1 + rng() % 1000;
		s.node = n;
		s.pid = s.tid = 1;
		s.location = profile_intern_location(p, p->nodes[n].frame, rng() % 4096);
		profile_add_sample(p, &s);
	}
}

int main(int argc, char **argv)
{
	uint32_t want = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 100000;
	int runs = argc > 2 ? atoi(argv[2]) : 50, i;
	const char *only = argc > 3 ? argv[3] : NULL;
	struct ft_error err = { { 0 }, 0, 0 };
	struct source src = { 0 };
	struct ui_theme theme;
	struct tui *u = xcalloc(1, sizeof(*u));
	uint64_t *t_query, *t_draw, *t_full, t0, t1, t2, worst = 0;
	char tmpl[] = "/tmp/flametop-bench-ui-XXXXXX";
	char name[64], peer[96];
	size_t k, v, nrun = 0;
	FILE *out, *in;
	struct stat st;
	long before;
	int fd;

	if (runs < 1)
		runs = 1;
	setlocale(LC_ALL, "C.UTF-8");
	u->p = synthetic(want);
	add_samples(u->p);

	/* The terminal: a file, 256 colours, UTF-8. */
	fd = mkstemp(tmpl);
	if (fd < 0 || !(out = fdopen(fd, "w")) || !(in = fopen("/dev/null", "r"))) {
		perror("bench/ui-redraw");
		return 1;
	}
	unlink(tmpl);
	u->scr.term = newterm("xterm-256color", out, in);
	if (!u->scr.term) {
		fprintf(stderr, "bench/ui-redraw: no xterm-256color terminfo\n");
		return 1;
	}
	ui_screen_buffer_output(); /* as ui_screen_open() */
	resizeterm(ROWS, COLS);
	start_color();
	u->scr.default_fg = use_default_colors() == OK;
	u->scr.colors = 256;
	u->scr.utf8 = true;
	if (ui_theme_load(&theme, "default", &err) < 0)
		ui_theme_builtin(&theme);
	ui_screen_theme(&u->scr, &theme);

	/* The explorer's state, as ui_run() sets it up for a live source. */
	src.live = true;
	src.profile = u->p;
	u->src = &src;
	u->tl = timeline_new(NULL, u->p);
	timeline_add(u->tl, u->p->samples, u->p->nsamples);
	u->hits = profile_hits_new(1000000000u, 16u << 20);
	profile_hits_add(u->hits, u->p->samples, u->p->nsamples);
	u->heat = profile_heatstore_new(10000000ull, 16u << 20);
	profile_heatstore_add(u->heat, u->p->samples, u->p->nsamples);
	u->now = 10000000000ull;
	timeline_advance(u->tl, u->now);
	u->lines = symbols_lines_new();
	u->line_frame = PROFILE_NO_FRAME;
	profile_filter_init(&u->filter);
	u->filter.event = 0;
	UI_WIN(u).mode = UI_WINDOW_LIVE;
	UI_WIN(u).span = 30000000000ull;
	u->windows[UI_QUERY_BASELINE].mode = UI_WINDOW_ALL;
	for (k = 0; k < UI_QUERY__COUNT; k++)
		u->q[k].tree = profile_tree_new();
	u->palette = UI_PALETTE_HOT;
	u->rows = ROWS;
	u->cols = COLS;
	u->main_rows = ROWS - 6;
	u->w_main = newwin(u->main_rows, COLS, 4, 0);
	ui_screen_window(&u->scr, u->w_main);

	t_query = xcalloc((size_t)runs, sizeof(*t_query));
	t_draw = xcalloc((size_t)runs, sizeof(*t_draw));
	t_full = xcalloc((size_t)runs, sizeof(*t_full));
	printf("  %u nodes, %zu samples over 10 s, at %dx%d, %d frames per view\n",
	       u->p->nnodes - 1, u->p->nsamples, COLS, ROWS, runs);
	printf("  a frame: one new sample, the query (live window, call tree, the view's own\n"
	       "  query) and a full-screen draw, in CPU time; goal <= %.0f ms\n",
	       GOAL_NS / 1e6);
	bench_header();
	before = ftell(out);
	for (v = 0; v < ui_nviews; v++) {
		long at = ftell(out);
		uint64_t q, d, f;

		if (only && strcmp(only, ui_views[v]->name) != 0)
			continue;
		nrun++;
		u->front = v;
		ui_tui_requery(u); /* opens the view */
		for (i = 0; i < runs; i++) {
			struct profile_sample s = u->p->samples[(size_t)i % u->p->nsamples];

			s.time = u->now - 1 - (uint64_t)i;
			timeline_add(u->tl, &s, 1);
			profile_hits_add(u->hits, &s, 1);
			profile_heatstore_add(u->heat, &s, 1);
			t0 = cpu_ns();
			ui_tui_requery(u);
			t1 = cpu_ns();
			ui_tui_draw_main(u);
			wnoutrefresh(u->w_main);
			clearok(curscr, TRUE); /* all of it, as after Ctrl-L or a resize */
			doupdate();
			fflush(out);
			t2 = cpu_ns();
			t_query[i] = t1 - t0;
			t_draw[i] = t2 - t1;
			t_full[i] = t2 - t0;
			/* Move the selection so consecutive frames differ. */
			ui_views[v]->action(u->views[v], u, i % 2 ? UI_ACT_UP : UI_ACT_DOWN);
		}
		q = median(t_query, runs);
		d = median(t_draw, runs);
		f = median(t_full, runs);
		if (t_full[runs - 1] > worst)
			worst = t_full[runs - 1];
		snprintf(name, sizeof(name), "frame, %s view", ui_views[v]->name);
		snprintf(peer, sizeof(peer), "query %.3f + draw %.3f ms, %ld B", q / 1e6, d / 1e6,
			 (ftell(out) - at) / runs);
		bench_line(name, f / 1e6, "ms", "<=", GOAL_NS / 1e6, peer);
	}
	fflush(out);
	fstat(fd, &st);
	endwin();
	bench_line("frame, the slowest of any view", worst / 1e6, "ms", NULL, 0, NULL);
	bench_line("frame, bytes to the terminal",
		   (double)(st.st_size - before) / (double)((size_t)runs * (nrun ? nrun : 1)), "B",
		   NULL, 0, NULL);
	/* The timeline's own aggregation, for a window that is not live. */
	{
		struct profile_filter f = u->filter;
		struct profile_top *top;

		for (i = 0; i < runs; i++) {
			t0 = cpu_ns();
			top = timeline_query(u->tl, &f);
			t_query[i] = cpu_ns() - t0;
			profile_top_free(top);
		}
		bench_line("frame query, a fixed 10 s window", median(t_query, runs) / 1e6, "ms",
			   NULL, 0, "timeline_query");
	}
	for (v = 0; v < ui_nviews; v++)
		if (u->views[v])
			ui_views[v]->close(u->views[v]);
	for (k = 0; k < UI_QUERY__COUNT; k++) {
		timeline_live_free(u->q[k].live);
		profile_top_free(u->q[k].owned);
		profile_tree_free(u->q[k].tree);
	}
	ui_tui_free_names(u);
	delwin(u->w_main);
	delscreen(u->scr.term);
	fclose(out);
	fclose(in);
	timeline_free(u->tl);
	profile_hits_free(u->hits);
	profile_heatstore_free(u->heat);
	symbols_lines_free(u->lines);
	profile_free(u->p);
	free(t_query);
	free(t_draw);
	free(t_full);
	free(u);
	return 0;
}
