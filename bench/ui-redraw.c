/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How long the explorer takes to draw a big flame graph from scratch: a
 * synthetic call tree of 100,000 nodes (a fixed random shape, 5,000
 * distinct functions), laid out and drawn at 200x60 into an off-screen
 * curses screen (newterm on a temporary file standing in for the
 * terminal), with the whole screen sent each time as after Ctrl-L. Prints
 * the tree build, layout and draw times in CPU time, so that other load
 * on a shared box does not count (median and worst of the runs)
 * and the bytes one full redraw writes, against the goal of 5 ms. Run by
 * `make bench` (bench/ui.sh); asserts nothing.
 *
 *   bench/ui-redraw [NODES [RUNS]]
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

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

/* The thread's CPU time: on a shared box, the work done and not the wait for a CPU. */
static uint64_t cpu_now_ns(void)
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

/* The median of `n` timings, in ms, against `goal` ms (0: none), with the worst beside it. */
static void report(const char *what, uint64_t *ns, int n, double goal)
{
	char worst[64];

	qsort(ns, (size_t)n, sizeof(*ns), cmp_u64);
	snprintf(worst, sizeof(worst), "worst %.3f ms", (double)ns[n - 1] / 1e6);
	bench_line(what, (double)ns[n / 2] / 1e6, "ms", goal > 0 ? "<=" : NULL, goal, worst);
}

int main(int argc, char **argv)
{
	uint32_t want = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 100000;
	int runs = argc > 2 ? atoi(argv[2]) : 50, i;
	struct ft_error err = { { 0 }, 0, 0 };
	struct ui_theme theme;
	struct tui *u = xcalloc(1, sizeof(*u));
	struct profile *p = profile_new();
	uint64_t *self, *t_tree, *t_layout, *t_draw, *t_full, t0, t1;
	char tmpl[] = "/tmp/flametop-bench-ui-XXXXXX";
	FILE *out, *in;
	struct stat st;
	long before;
	int fd;

	if (runs < 1)
		runs = 1;
	setlocale(LC_ALL, "C.UTF-8");
	/* The tree: each new node under a random earlier one, biased towards
	 * recent nodes so the graph is deep as well as wide. */
	while (p->nnodes < want + 1) {
		uint32_t n = p->nnodes;
		uint32_t parent = rng() % 4 ? n - 1 - (uint32_t)(rng() % (n < 64 ? n : 64))
					    : (uint32_t)(rng() % n);
		char name[32];
		uint32_t f;

		snprintf(name, sizeof(name), "function_%05u", (unsigned)(rng() % 5000));
		f = profile_intern_frame(p, name, rng() % 8 ? "/usr/bin/app" : "[kernel.kallsyms]",
					 PROFILE_FRAME_USER);
		profile_intern_node(p, parent, f);
	}
	self = xcalloc(p->nnodes, sizeof(*self));
	for (i = 1; i < (int)p->nnodes; i++)
		self[i] = rng() % 3 ? 0 : 1 + rng() % 1000;

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
	resizeterm(ROWS, COLS);
	start_color();
	use_default_colors();
	u->scr.colors = 256;
	u->scr.utf8 = true;
	if (ui_theme_load(&theme, "default", &err) < 0)
		ui_theme_builtin(&theme);
	ui_screen_theme(&u->scr, &theme);
	u->p = p;
	u->rows = ROWS;
	u->cols = COLS;
	u->main_rows = ROWS - 6;
	u->w_main = newwin(u->main_rows, COLS, 4, 0);
	u->view = UI_VIEW_FLAME;
	u->palette = UI_PALETTE_HOT;
	u->zoom = u->sel = PROFILE_ROOT;

	t_tree = xcalloc((size_t)runs, sizeof(*t_tree));
	t_layout = xcalloc((size_t)runs, sizeof(*t_layout));
	t_draw = xcalloc((size_t)runs, sizeof(*t_draw));
	t_full = xcalloc((size_t)runs, sizeof(*t_full));
	before = ftell(out);
	for (i = 0; i < runs; i++) {
		t0 = cpu_now_ns();
		ui_tree_free(u->tree);
		u->tree = ui_tree_new(p, self, p->nnodes);
		t1 = cpu_now_ns();
		t_tree[i] = t1 - t0;
		u->nsamples = u->tree->total[PROFILE_ROOT];
		t0 = cpu_now_ns();
		ui_layout_build(&u->layout, u->tree, PROFILE_ROOT, COLS, (uint32_t)u->main_rows);
		t1 = cpu_now_ns();
		t_layout[i] = t1 - t0;
		t0 = cpu_now_ns();
		ui_draw_main(u);
		wnoutrefresh(u->w_main);
		clearok(curscr, TRUE); /* all of it, as after Ctrl-L or a resize */
		doupdate();
		fflush(out);
		t1 = cpu_now_ns();
		t_draw[i] = t1 - t0;
		/* Alternate the selection so consecutive frames differ. */
		u->sel = i % 2 ? PROFILE_ROOT : u->layout.boxes[u->layout.nboxes / 2].node;
	}
	fflush(out);
	fstat(fd, &st);
	endwin();
	printf("  a flame graph of %u nodes (%zu boxes drawn) at %dx%d, %d runs, medians\n",
	       p->nnodes - 1, u->layout.nboxes, COLS, ROWS, runs);
	/* Layout plus draw: what a redraw costs once the tree exists (summed
	 * per run, before the reports sort the arrays). */
	for (i = 0; i < runs; i++)
		t_full[i] = t_layout[i] + t_draw[i];
	bench_header();
	report("redraw: tree from a query (ui_tree_new)", t_tree, runs, 0);
	report("redraw: layout (ui_layout_build)", t_layout, runs, 0);
	report("redraw: draw + full screen update", t_draw, runs, 0);
	report("redraw: full (layout + draw), 100k nodes", t_full, runs, 5);
	bench_line("redraw: bytes per full redraw", (double)(st.st_size - before) / runs, "B", NULL,
		   0, NULL);
	delscreen(u->scr.term);
	fclose(out);
	fclose(in);
	ui_layout_free(&u->layout);
	ui_tree_free(u->tree);
	profile_free(p);
	free(self);
	free(t_tree);
	free(t_layout);
	free(t_draw);
	free(t_full);
	free(u);
	return 0;
}
