/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the explorer's model-level layout, no curses: box
 * widths and navigation over a call tree, search shares, label truncation, number formats and time-window
 * math; and that the man page's LIVE VIEW key list is the help the key
 * and view tables generate, with no key bound twice.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "flametop/profile.h"
#include "flametop/ui.h"

#define S 1000000000ull

/*
 * A small profile:
 *   main -> a -> x   (weight 60 at x)
 *   main -> a        (10 self)
 *   main -> b        (30)
 *   main -> b -> a   (... 0)
 * Node ids returned through the array in this order: main, a, x, b.
 */
static struct profile *small_profile(uint32_t ids[4], uint64_t **self)
{
	struct profile *p = profile_new();
	uint32_t fmain = profile_intern_frame(p, "main", "/bin/app", PROFILE_FRAME_USER);
	uint32_t fa = profile_intern_frame(p, "a", "/bin/app", PROFILE_FRAME_USER);
	uint32_t fx = profile_intern_frame(p, "x", "/lib/libc.so", PROFILE_FRAME_USER);
	uint32_t fb = profile_intern_frame(p, "b", "/bin/app", PROFILE_FRAME_USER);

	/* b is interned before a, so the order by name is not the order by id. */
	ids[0] = profile_intern_node(p, PROFILE_ROOT, fmain);
	ids[3] = profile_intern_node(p, ids[0], fb);
	ids[1] = profile_intern_node(p, ids[0], fa);
	ids[2] = profile_intern_node(p, ids[1], fx);
	*self = calloc(p->nnodes, sizeof(**self));
	(*self)[ids[2]] = 60;
	(*self)[ids[1]] = 10;
	(*self)[ids[3]] = 30;
	return p;
}

/* The call tree of per-node weights `self` (copied), as a query gives it. */
/* The query result the tree of tree_of() borrows: one tree at a time. */
static struct profile_top *kept_top;

static struct profile_tree *tree_of(struct profile *p, const uint64_t *self)
{
	uint64_t *copy = calloc(p->nnodes, sizeof(*copy));
	struct profile_tree *t = profile_tree_new();
	struct profile_top *top;

	if (self)
		memcpy(copy, self, p->nnodes * sizeof(*copy));
	top = profile_top_build(p, copy, p->nnodes);
	profile_tree_calls(t, p, top);
	kept_top = top; /* the tree's weights: freed with it */
	return t;
}

static void tree_free(struct profile_tree *t)
{
	profile_tree_free(t);
	profile_top_free(kept_top);
	kept_top = NULL;
}

static void test_layout_widths(void **state)
{
	uint32_t id[4];
	uint64_t *self;
	struct profile *p = small_profile(id, &self);
	struct profile_tree *t = tree_of(p, self);
	struct ui_layout l = { 0 };
	long i;

	ui_layout_build(&l, t, PROFILE_ROOT, 100, 10);
	assert_int_equal(l.rows, 4);
	assert_int_equal(l.nboxes, 5);
	/* root, main full width; a 70 columns from 0, b 30 from 70, x 60 from 0. */
	i = ui_layout_find(&l, id[1]);
	assert_true(i >= 0);
	assert_int_equal(l.boxes[i].x, 0);
	assert_int_equal(l.boxes[i].w, 70);
	assert_int_equal(l.boxes[i].depth, 2);
	i = ui_layout_find(&l, id[3]);
	assert_int_equal(l.boxes[i].x, 70);
	assert_int_equal(l.boxes[i].w, 30);
	i = ui_layout_find(&l, id[2]);
	assert_int_equal(l.boxes[i].x, 0);
	assert_int_equal(l.boxes[i].w, 60);
	assert_int_equal(l.boxes[i].depth, 3);
	/* Boxes come by row, then column. */
	for (i = 1; i < (long)l.nboxes; i++)
		assert_true(l.boxes[i].depth > l.boxes[i - 1].depth ||
			    l.boxes[i].x >= l.boxes[i - 1].x + l.boxes[i - 1].w);
	assert_int_equal(ui_layout_at(&l, 2, 75), ui_layout_find(&l, id[3]));
	assert_int_equal(ui_layout_at(&l, 3, 75), -1);

	/* Seven columns: b is 30% = 2.1 columns, edges by cumulative weight. */
	ui_layout_build(&l, t, PROFILE_ROOT, 7, 10);
	i = ui_layout_find(&l, id[3]);
	assert_int_equal(l.boxes[i].x, 4);
	assert_int_equal(l.boxes[i].w, 3);
	/* One column: a ([0, 0.7)) crosses no column edge and is left out
	 * with x below it; b ([0.7, 1)) takes the column. */
	ui_layout_build(&l, t, PROFILE_ROOT, 1, 10);
	assert_int_equal(ui_layout_find(&l, id[1]), -1);
	assert_int_equal(ui_layout_find(&l, id[2]), -1);
	i = ui_layout_find(&l, id[3]);
	assert_true(i >= 0);
	assert_int_equal(l.boxes[i].w, 1);

	/* Zoom into b: root and main and b full width, nothing below. */
	ui_layout_build(&l, t, id[3], 50, 10);
	assert_int_equal(l.zoom, id[3]);
	assert_int_equal(l.rows, 3);
	i = ui_layout_find(&l, id[3]);
	assert_int_equal(l.boxes[i].w, 50);
	assert_int_equal(ui_layout_find(&l, id[1]), -1);
	/* Zoom into a: x gets 60/70 of 70 columns. */
	ui_layout_build(&l, t, id[1], 70, 10);
	i = ui_layout_find(&l, id[2]);
	assert_int_equal(l.boxes[i].w, 60);
	/* Rows are cut at max_rows. */
	ui_layout_build(&l, t, PROFILE_ROOT, 100, 2);
	assert_int_equal(l.rows, 2);
	assert_int_equal(ui_layout_find(&l, id[1]), -1);
	ui_layout_free(&l);
	tree_free(t);
	free(self);
	profile_free(p);
}

static void test_layout_nav(void **state)
{
	uint32_t id[4];
	uint64_t *self;
	struct profile *p = small_profile(id, &self);
	struct profile_tree *t = tree_of(p, self);
	struct ui_layout l = { 0 };

	ui_layout_build(&l, t, PROFILE_ROOT, 100, 10);
	assert_int_equal(ui_layout_nav(&l, t, PROFILE_ROOT, UI_DIR_DOWN), id[0]);
	assert_int_equal(ui_layout_nav(&l, t, id[0], UI_DIR_DOWN), id[1]); /* the widest */
	assert_int_equal(ui_layout_nav(&l, t, id[1], UI_DIR_RIGHT), id[3]);
	assert_int_equal(ui_layout_nav(&l, t, id[3], UI_DIR_RIGHT), id[1]); /* wraps */
	assert_int_equal(ui_layout_nav(&l, t, id[1], UI_DIR_LEFT), id[3]);
	assert_int_equal(ui_layout_nav(&l, t, id[3], UI_DIR_DOWN), id[3]); /* a leaf */
	assert_int_equal(ui_layout_nav(&l, t, id[2], UI_DIR_UP), id[1]);
	assert_int_equal(ui_layout_nav(&l, t, PROFILE_ROOT, UI_DIR_UP), PROFILE_ROOT);
	/* A node that is not drawn moves to the zoom. */
	ui_layout_build(&l, t, id[3], 100, 10);
	assert_int_equal(ui_layout_nav(&l, t, id[2], UI_DIR_UP), id[3]);
	ui_layout_free(&l);
	tree_free(t);
	free(self);
	profile_free(p);
}

static void test_search(void **state)
{
	uint32_t id[4];
	uint64_t *self;
	struct profile *p = small_profile(id, &self);
	struct profile_tree *t = tree_of(p, self);
	struct ui_layout l = { 0 };
	regex_t re;

	uint8_t in[8] = { 0 };
	struct profile_marks m = { in, 0 };
	uint64_t weight;
	uint32_t nodes, f;

	assert_int_equal(regcomp(&re, "^(a|x)$", REG_EXTENDED | REG_NOSUB), 0);
	for (f = 0; f < p->nframes; f++)
		in[f] = regexec(&re, profile_string(p, p->frames[f].name), 0, NULL, 0) == 0;
	m.n = p->nframes;
	profile_tree_set_marks(t, &m);
	profile_tree_match_weight(t, &weight, &nodes);
	/* a covers x: the matched share counts a's 70 once. */
	assert_int_equal(weight, 70);
	assert_int_equal(nodes, 2);
	assert_true(profile_tree_match(t, id[1]) && profile_tree_match(t, id[2]));
	assert_false(profile_tree_match(t, id[3]));
	ui_layout_build(&l, t, PROFILE_ROOT, 100, 10);
	assert_int_equal(ui_layout_next_match(&l, t, PROFILE_ROOT, true), id[1]);
	assert_int_equal(ui_layout_next_match(&l, t, id[1], true), id[2]);
	assert_int_equal(ui_layout_next_match(&l, t, id[2], true), id[1]); /* wraps */
	assert_int_equal(ui_layout_next_match(&l, t, id[1], false), id[2]);
	regfree(&re);
	profile_tree_set_marks(t, NULL);
	profile_tree_match_weight(t, &weight, &nodes);
	assert_int_equal(weight, 0);
	assert_int_equal(ui_layout_next_match(&l, t, id[1], true), id[1]);
	ui_layout_free(&l);
	tree_free(t);
	free(self);
	profile_free(p);
}

static void test_empty_tree(void **state)
{
	struct profile *p = profile_new();
	struct profile_tree *t = tree_of(p, NULL);
	struct ui_layout l = { 0 };

	ui_layout_build(&l, t, 12345, 80, 10);
	assert_int_equal(l.zoom, PROFILE_ROOT);
	assert_int_equal(l.nboxes, 1);
	assert_int_equal(ui_layout_nav(&l, t, PROFILE_ROOT, UI_DIR_DOWN), PROFILE_ROOT);
	ui_layout_build(&l, t, PROFILE_ROOT, 0, 10);
	assert_int_equal(l.nboxes, 0);
	ui_layout_free(&l);
	tree_free(t);
	profile_free(p);
}

static void test_label_fit(void **state)
{
	char out[128];

	assert_int_equal(ui_label_fit("main", 10, true, out, sizeof(out)), 4);
	assert_string_equal(out, "main");
	assert_int_equal(ui_label_fit("main", 4, true, out, sizeof(out)), 4);
	assert_string_equal(out, "main");
	assert_int_equal(ui_label_fit("main", 2, true, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	/* Arguments and template arguments go first. */
	ui_label_fit("std::vector<int>::push_back(int const&)", 22, true, out, sizeof(out));
	assert_string_equal(out, "std::vector::push_back");
	/* Then outer qualifiers. */
	assert_int_equal(ui_label_fit("std::vector<int>::push_back(int const&)", 16, false, out,
				      sizeof(out)),
			 13);
	assert_string_equal(out, "..::push_back");
	ui_label_fit("std::vector<int>::push_back(int const&)", 20, true, out, sizeof(out));
	assert_string_equal(out, "\xe2\x80\xa6::vector::push_back");
	/* Then the end. */
	assert_int_equal(ui_label_fit("ft_split_heavy", 8, false, out, sizeof(out)), 8);
	assert_string_equal(out, "ft_spl..");
	assert_int_equal(ui_label_fit("ft_split_heavy", 8, true, out, sizeof(out)), 8);
	assert_string_equal(out, "ft_spli\xe2\x80\xa6");
	/* "operator<" does not balance: cut as it is. */
	ui_label_fit("std::operator<(a, b)", 12, false, out, sizeof(out));
	assert_int_equal(ui_text_width(out), 12);
	/* Multibyte names are measured in code points. */
	assert_int_equal(ui_text_width("caf\xc3\xa9"), 4);
	assert_int_equal(ui_label_fit("caf\xc3\xa9_cr\xc3\xa8me", 5, true, out, sizeof(out)), 5);
	assert_string_equal(out, "caf\xc3\xa9\xe2\x80\xa6");
	/* A tiny output buffer never overflows. */
	ui_label_fit("ft_split_heavy", 8, true, out, 4);
	assert_true(strlen(out) < 4);
}

static void test_format(void **state)
{
	char b[32];

	ui_format_count(999, b, sizeof(b));
	assert_string_equal(b, "999");
	ui_format_count(1234, b, sizeof(b));
	assert_string_equal(b, "1.2k");
	ui_format_count(123456, b, sizeof(b));
	assert_string_equal(b, "123k");
	ui_format_count(999999, b, sizeof(b));
	assert_string_equal(b, "1.0M");
	ui_format_duration(950000000, b, sizeof(b));
	assert_string_equal(b, "950ms");
	ui_format_duration(12300000000ull, b, sizeof(b));
	assert_string_equal(b, "12.3s");
	ui_format_duration(245 * S, b, sizeof(b));
	assert_string_equal(b, "4m05s");
	ui_format_duration(7380 * S, b, sizeof(b));
	assert_string_equal(b, "2h03m");
	ui_format_bytes(512, b, sizeof(b));
	assert_string_equal(b, "512B");
	ui_format_bytes(12900000, b, sizeof(b));
	assert_string_equal(b, "12.3M");
}

static void test_window(void **state)
{
	struct ui_window w = { UI_WINDOW_LIVE, 30 * S, 0, 0, 0 };
	uint64_t from, to;
	int c0, c1;

	ui_window_resolve(&w, 0, 100 * S, &from, &to);
	assert_int_equal(to, 100 * S + 1);
	assert_int_equal(from, 70 * S + 1);
	ui_window_resolve(&w, 0, 10 * S, &from, &to);
	assert_int_equal(from, 0);
	/* Live: wider and narrower change the span and stay live. */
	ui_window_edit(&w, UI_WINDOW_WIDER, 0, 100 * S);
	assert_int_equal(w.mode, UI_WINDOW_LIVE);
	assert_int_equal(w.span, 60 * S);
	ui_window_edit(&w, UI_WINDOW_NARROWER, 0, 100 * S);
	ui_window_edit(&w, UI_WINDOW_NARROWER, 0, 100 * S);
	assert_int_equal(w.span, 15 * S);
	/* A step is a twentieth of the span, in whole seconds. */
	assert_int_equal(ui_window_step(0, 100 * S), 5 * S);
	assert_int_equal(ui_window_step(0, 3 * S), S);
	/* Moving the start turns a live window into a range where it was. */
	w.span = 30 * S;
	ui_window_edit(&w, UI_WINDOW_START_LEFT, 0, 100 * S);
	assert_int_equal(w.mode, UI_WINDOW_RANGE);
	assert_int_equal(w.from, 65 * S + 1);
	assert_int_equal(w.to, 100 * S + 1);
	ui_window_edit(&w, UI_WINDOW_SHIFT_LEFT, 0, 100 * S);
	assert_int_equal(w.from, 60 * S + 1);
	assert_int_equal(w.to, 95 * S + 1);
	ui_window_edit(&w, UI_WINDOW_END_LEFT, 0, 100 * S);
	assert_int_equal(w.to, 90 * S + 1);
	ui_window_edit(&w, UI_WINDOW_END_RIGHT, 0, 100 * S);
	ui_window_edit(&w, UI_WINDOW_END_RIGHT, 0, 100 * S);
	ui_window_edit(&w, UI_WINDOW_END_RIGHT, 0, 100 * S);
	assert_int_equal(w.to, 101 * S); /* clamped one second past the data */
	/* Shifting left stops at the start of the data, keeping the width. */
	w = (struct ui_window){ UI_WINDOW_RANGE, 0, 3 * S, 13 * S, 0 };
	ui_window_edit(&w, UI_WINDOW_SHIFT_LEFT, 0, 100 * S);
	assert_int_equal(w.from, 0);
	assert_int_equal(w.to, 10 * S);
	/* The start cannot pass the end: at least a second stays. */
	w = (struct ui_window){ UI_WINDOW_RANGE, 0, 10 * S, 12 * S, 0 };
	ui_window_edit(&w, UI_WINDOW_START_RIGHT, 0, 100 * S);
	assert_int_equal(w.from, 11 * S);
	ui_window_edit(&w, UI_WINDOW_START_RIGHT, 0, 100 * S);
	assert_int_equal(w.from, 11 * S);
	ui_window_edit(&w, UI_WINDOW_NARROWER, 0, 100 * S);
	assert_int_equal(w.to - w.from, S);
	/* All: from the first data to the last. */
	w = (struct ui_window){ UI_WINDOW_ALL, 0, 0, 0, 0 };
	ui_window_resolve(&w, 5 * S, 50 * S, &from, &to);
	assert_int_equal(from, 5 * S);
	assert_int_equal(to, 50 * S + 1);

	/* Strip columns. */
	ui_window_columns(25 * S, 50 * S, 0, 100 * S, 100, &c0, &c1);
	assert_int_equal(c0, 25);
	assert_int_equal(c1, 50);
	ui_window_columns(0, 100 * S, 0, 100 * S, 40, &c0, &c1);
	assert_int_equal(c0, 0);
	assert_int_equal(c1, 40);
	/* A window narrower than a column still shows. */
	ui_window_columns(50 * S, 50 * S + 1, 0, 100 * S, 10, &c0, &c1);
	assert_int_equal(c0, 5);
	assert_int_equal(c1, 6);
	ui_window_columns(200 * S, 300 * S, 0, 100 * S, 10, &c0, &c1);
	assert_int_equal(c0, c1);

	/* A decayed window spans the last 4 half-lives; a window key makes it a range. */
	w = (struct ui_window){ UI_WINDOW_DECAY, 0, 0, 0, 10 * S };
	ui_window_resolve(&w, 0, 100 * S, &from, &to);
	assert_int_equal(to, 100 * S + 1);
	assert_int_equal(from, 60 * S + 1);
	ui_window_resolve(&w, 0, 30 * S, &from, &to);
	assert_int_equal(from, 0);
	ui_window_edit(&w, UI_WINDOW_SHIFT_LEFT, 0, 100 * S);
	assert_int_equal(w.mode, UI_WINDOW_RANGE);
}

/* Diff and heatmap shades: signs, steps, the two diff palettes, ASCII. */
static void test_diff_heat_colors(void **state)
{
	(void)state;
	assert_int_equal(ui_theme_diff_level(0.0), 0);
	assert_int_equal(ui_theme_diff_level(0.0009), 0);
	assert_int_equal(ui_theme_diff_level(-0.0009), 0);
	assert_int_equal(ui_theme_diff_level(0.005), 1);
	assert_int_equal(ui_theme_diff_level(-0.02), -2);
	assert_int_equal(ui_theme_diff_level(0.05), 3);
	assert_int_equal(ui_theme_diff_level(-0.2), -4);
	assert_int_equal(ui_theme_diff_level(0.9), 5);
	assert_int_equal(ui_theme_diff_level(-1.0), -5);
	assert_int_equal(ui_theme_diff_color(0, false), 250);
	assert_int_equal(ui_theme_diff_color(0, true), 250);
	assert_int_equal(ui_theme_diff_color(5, false), 196); /* red */
	assert_int_equal(ui_theme_diff_color(5, true), 202); /* orange */
	assert_int_equal(ui_theme_diff_color(-5, false), 27); /* blue, in both */
	assert_int_equal(ui_theme_diff_color(-5, true), 27);
	/* The ramps go one way: stronger for bigger changes (distinct colours). */
	assert_int_not_equal(ui_theme_diff_color(1, false), ui_theme_diff_color(2, false));
	assert_int_not_equal(ui_theme_diff_color(-1, true), ui_theme_diff_color(1, true));

	assert_int_equal(ui_theme_heat_level(0, 100), 0);
	assert_int_equal(ui_theme_heat_level(1, 100), 1);
	assert_int_equal(ui_theme_heat_level(100, 100), UI_HEAT_LEVELS - 1);
	assert_int_equal(ui_theme_heat_level(5, 0), 0);
	assert_true(ui_theme_heat_level(50, 100) > 1 &&
		    ui_theme_heat_level(50, 100) < UI_HEAT_LEVELS - 1);
	assert_int_equal(ui_theme_heat_color(0), -1);
	assert_int_equal(ui_theme_heat_char(0), ' ');
	assert_int_equal(ui_theme_heat_char(UI_HEAT_LEVELS - 1), '#');
}

/* Appends `s` to `out` as roff text: '-' written "\\-". */
static void roff_add(char *out, size_t size, const char *s)
{
	size_t len = strlen(out);

	for (; *s && len + 3 < size; s++) {
		if (*s == '-')
			out[len++] = '\\';
		out[len++] = *s;
	}
	out[len] = '\0';
}

/*
 * doc/flametop.1's key list (after "The keys, by group:" in LIVE VIEW, up
 * to the next paragraph) is exactly what the help shows, generated from
 * the key and view tables: a group ".SS TITLE", each key ".TP", ".B KEYS",
 * its help line. A key or view added to a table and not to the man page
 * fails here, and the text to paste is written to man-keys.expected.
 */
static void test_man_page_keys(void **state)
{
	char *man = util_read_file(SRCDIR "/doc/flametop.1", NULL), *sec, *end;
	static char want[32768];
	struct ui_help_item it;
	size_t i;

	(void)state;
	assert_non_null(man);
	want[0] = '\0';
	for (i = 0; ui_help_item(i, &it); i++) {
		if (it.title) {
			roff_add(want, sizeof(want), ".SS ");
			roff_add(want, sizeof(want), it.title);
		} else {
			roff_add(want, sizeof(want), ".TP\n.B ");
			roff_add(want, sizeof(want), it.keys);
			roff_add(want, sizeof(want), "\n");
			roff_add(want, sizeof(want), it.help);
		}
		roff_add(want, sizeof(want), "\n");
	}
	sec = strstr(man, "\n.SH LIVE VIEW\n");
	assert_non_null(sec);
	sec = strstr(sec, "\nThe keys, by group:\n");
	assert_non_null(sec);
	sec += strlen("\nThe keys, by group:\n");
	end = strstr(sec, "\n.PP\n");
	assert_non_null(end);
	end[1] = '\0';
	if (strcmp(sec, want) != 0) {
		FILE *f = fopen("man-keys.expected", "w");

		if (f) {
			fputs(want, f);
			fclose(f);
		}
		fail_msg("doc/flametop.1, LIVE VIEW: the key list is not the help's; "
			 "man-keys.expected (in the build directory) has what it should read");
	}
	/* Every view is in the list, with its key. */
	for (i = 0; i < ui_views_count(); i++) {
		char key[32], line[256] = "";

		ui_keys_name(ui_views_key(i), key, sizeof(key));
		snprintf(line, sizeof(line), ".B %s\n", key);
		assert_non_null(strstr(want, line));
		assert_int_equal(ui_views_find(ui_views_name(i)), (int)i);
	}
	assert_int_equal(ui_views_find("no-such-view"), -1);
	free(man);
}

/*
 * No key means two things: the key table's keys and the views' keys are
 * all different, so what a key does never depends on the order of a
 * look-up.
 */
static void test_keys_unique(void **state)
{
	int keys[256];
	size_t n = 0, i, j, k;

	(void)state;
	for (i = 0; i < ui_nbindings; i++)
		for (k = 0; k < ARRAY_SIZE(ui_bindings[i].keys) && ui_bindings[i].keys[k]; k++)
			keys[n++] = ui_bindings[i].keys[k];
	for (i = 0; i < ui_views_count(); i++) {
		keys[n++] = ui_views_key(i);
		assert_int_equal(ui_keys_lookup(ui_views_key(i)), UI_ACT_NONE);
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (keys[i] == keys[j]) {
				char name[32];

				ui_keys_name(keys[i], name, sizeof(name));
				fail_msg("key %s is bound twice", name);
			}
}

/* Writes DIR/PID/stat, or DIR/PID/task/TID/stat, with TICKS of utime. */
static void write_stat(const char *dir, unsigned pid, unsigned tid, bool task, const char *comm,
		       unsigned ticks)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u", dir, pid);
	(void)mkdir(path, 0700);
	if (task) {
		snprintf(path, sizeof(path), "%s/%u/task", dir, pid);
		(void)mkdir(path, 0700);
		snprintf(path, sizeof(path), "%s/%u/task/%u", dir, pid, tid);
		(void)mkdir(path, 0700);
		snprintf(path, sizeof(path), "%s/%u/task/%u/stat", dir, pid, tid);
	} else {
		snprintf(path, sizeof(path), "%s/%u/stat", dir, pid);
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%u (%s) R 1 %u %u 0 -1 0 0 0 0 0 %u 0 0 0 20 0 1 0\n", tid, comm, pid, pid,
		ticks);
	fclose(f);
}

/* One scan of a fake /proc: process 100 (threads 100 and 101) and 200
 * (thread 200), with these ticks. */
static void fake_proc(const char *dir, unsigned p100, unsigned t100, unsigned t101, unsigned p200)
{
	write_stat(dir, 100, 100, false, "app", p100);
	write_stat(dir, 100, 100, true, "app", t100);
	write_stat(dir, 100, 101, true, "app-worker", t101);
	write_stat(dir, 200, 200, false, "db", p200);
	write_stat(dir, 200, 200, true, "db", p200);
}

/* Writes DIR/PID/stat with TICKS of utime and its START time (ticks after boot). */
static void write_started(const char *dir, unsigned pid, const char *comm, double ticks,
			  double start)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u", dir, pid);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/%u/stat", dir, pid);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%u (%s) R 1 %u %u 0 -1 0 0 0 0 0 %.0f 0 0 0 20 0 1 0 %.0f\n", pid, comm, pid,
		pid, ticks, start);
	fclose(f);
}

/*
 * The picker's first scan has no scan before it: each process's CPU is its
 * use since it started (ticks over seconds since its start, as ps shows
 * it), so the busiest one leads at once instead of the list opening in pid
 * order with 0% everywhere.
 */
static void test_procs_first_scan(void **state)
{
	char dir[] = "/tmp/ft-procs.XXXXXX", path[600];
	double hz = (double)sysconf(_SC_CLK_TCK);
	struct ui_procs a = { 0 };
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/uptime", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "1000.00 1900.00\n"); /* seconds since boot */
	fclose(f);
	/* pid 10: started at 900 s, 10 s of CPU (10%); pid 20: started at
	 * 990 s, 9 s of CPU (90%); pid 30: no start time known (0%). */
	write_started(dir, 10, "idle", 10 * hz, 900 * hz);
	write_started(dir, 20, "busy", 9 * hz, 990 * hz);
	write_stat(dir, 30, 30, false, "old-kernel", 500);
	ui_procs_scan(&a, NULL, dir);
	assert_int_equal(a.n, 3);
	assert_int_equal(a.v[0].pid, 20);
	assert_true(a.v[0].cpu > 89.9 && a.v[0].cpu < 90.1);
	assert_int_equal(a.v[1].pid, 10);
	assert_true(a.v[1].cpu > 9.9 && a.v[1].cpu < 10.1);
	assert_int_equal(a.v[2].pid, 30);
	assert_true(a.v[2].cpu == 0);
	ui_procs_free(&a);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

/*
 * The picker's list: a process's threads stay right under it, even when a
 * thread's ticks, read a moment after its process's, show more CPU than
 * the process (a race the old order by CPU alone turned into a thread above
 * its own process, and Enter on a typed pid picking the thread); a typed
 * pid puts that process first, before pids it is a prefix of.
 */
static void test_procs_order(void **state)
{
	char dir[] = "/tmp/ft-procs.XXXXXX";
	struct ui_procs a = { 0 }, b = { 0 };
	static const struct {
		unsigned pid, tid;
		bool thread;
	} want[] = { { 100, 100, false }, { 100, 100, true }, { 100, 101, true },
		     { 200, 200, false }, { 200, 200, true } };
	size_t idx[8], i, n;
	char cmd[600];

	(void)state;
	assert_non_null(mkdtemp(dir));
	fake_proc(dir, 100, 100, 0, 100);
	ui_procs_scan(&a, NULL, dir);
	assert_int_equal(a.n, 5);
	/* Process 100 used 10 ticks, its main thread 11 (read later), process
	 * 200 used 5. */
	fake_proc(dir, 110, 111, 0, 105);
	ui_procs_scan(&b, &a, dir);
	assert_int_equal(b.n, 5);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		assert_int_equal(b.v[i].pid, want[i].pid);
		assert_int_equal(b.v[i].tid, want[i].tid);
		assert_int_equal(b.v[i].thread, want[i].thread);
	}
	assert_true(b.v[1].cpu > b.v[0].cpu);
	assert_true(b.v[3].cpu > 0);

	/* "10" is a prefix of 100 and 101 and no pid: list order. "20"
	 * matches process 200 by prefix only. */
	n = ui_procs_filter(&b, "10", idx);
	assert_int_equal(n, 3);
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[2], 2);
	/* "200" is process 200's pid: it comes first, though 100 leads. */
	write_stat(dir, 2000, 2000, false, "app", 0);
	fake_proc(dir, 120, 121, 0, 105);
	ui_procs_scan(&a, &b, dir);
	n = ui_procs_filter(&a, "200", idx);
	assert_int_equal(n, 3);
	assert_int_equal(a.v[idx[0]].pid, 200);
	assert_false(a.v[idx[0]].thread);
	assert_int_equal(a.v[idx[1]].pid, 200);
	assert_int_equal(a.v[idx[2]].pid, 2000);
	/* A name matches as a substring; "app" is 100's two lines and 2000. */
	assert_int_equal(ui_procs_filter(&a, "app", idx), 4);
	assert_int_equal(ui_procs_filter(&a, "", idx), a.n);

	ui_procs_free(&a);
	ui_procs_free(&b);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_widths),
		cmocka_unit_test(test_layout_nav),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_empty_tree),
		cmocka_unit_test(test_label_fit),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_diff_heat_colors),
		cmocka_unit_test(test_man_page_keys),
		cmocka_unit_test(test_keys_unique),
		cmocka_unit_test(test_procs_order),
		cmocka_unit_test(test_procs_first_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
