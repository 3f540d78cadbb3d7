/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the TUI: the terminal (screen.c), the explorer's state that the
 * loop and actions (tui.c) change and the drawing (draw.c) reads. Private
 * to src/ui/; include/flametop/ui.h is the subsystem's public face.
 */
#ifndef FLAMETOP_UI_TUI_H
#define FLAMETOP_UI_TUI_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include <curses.h>

#include "flametop/profile.h"
#include "flametop/source.h"
#include "flametop/symbols.h"
#include "flametop/timeline.h"
#include "flametop/ui.h"

struct ui_screen {
	SCREEN *term;
	bool utf8;
	int colors; /* 256, 8 or 0 */
	struct ui_theme theme;
	int frame_color[64];
	short frame_pair[64];
	int nframe_pairs;
};

int ui_screen_open(struct ui_screen *s, bool mouse, bool force_mono, struct ft_error *err);
void ui_screen_close(struct ui_screen *s);
/* Sets up the colour pairs of a theme (copied). */
void ui_screen_theme(struct ui_screen *s, const struct ui_theme *t);
/* Sets `w`'s attributes to a role's, or a flame frame's (background `color`). */
void ui_screen_role(struct ui_screen *s, WINDOW *w, enum ui_role r);
void ui_screen_frame(struct ui_screen *s, WINDOW *w, int color);
/* The SIGINT/SIGTERM/SIGHUP/SIGQUIT received, or 0. */
int ui_screen_stop_signal(void);
/* A file to remove if we crash (NULL: none). */
void ui_screen_set_unlink(const char *path);

/* Redraw flags: which parts of the screen an action changed. */
#define UI_REDRAW_HEADER 1u
#define UI_REDRAW_STRIP 2u
#define UI_REDRAW_MAIN 4u
#define UI_REDRAW_STATUS 8u
#define UI_REDRAW_FOOTER 16u
#define UI_REDRAW_ALL 31u
#define UI_REQUERY 32u /* the window or filter changed: query again */
#define UI_RELAYOUT 64u /* zoom or size changed: lay out again */
#define UI_CLEAR 128u /* the whole screen, from scratch */

enum ui_view { UI_VIEW_FLAME, UI_VIEW_TOP };

enum ui_sort { UI_SORT_SELF, UI_SORT_TOTAL, UI_SORT_NAME, UI_SORT_MODULE, UI_SORT__COUNT };

/* A modal overlay and its text input. */
enum ui_modal { UI_MODAL_NONE, UI_MODAL_HELP, UI_MODAL_SEARCH, UI_MODAL_PICKER, UI_MODAL_SAVE };

/* One line of the callers/callees view. */
struct ui_nb_line {
	uint32_t frame;
	uint64_t weight;
	bool callee;
};

struct tui {
	struct ui_options opt;
	struct ui_config cfg;
	struct ui_screen scr;
	int rows, cols;
	bool too_small;

	/* Data. */
	struct source *src;
	struct ft_notice notices; /* the sources say things here: the status line */
	struct profile *p; /* src->profile */
	struct timeline *tl;
	struct timeline_live *live;
	struct profile_filter filter;
	size_t added; /* samples of p->samples already in the timeline */
	bool ended;
	char ended_msg[512];
	uint64_t now; /* source time at the last poll */
	char outpath[512]; /* a launched command's output */

	/* The temporary session every sample is streamed to, for `s`. */
	struct session_writer *writer;
	char tmpdir[256];
	char tmppath[512];
	bool tmp_full; /* stopped streaming: the file reached its size cap */
	uint64_t tmp_bytes;

	/* The selected function's hottest source line, for the status line:
	 * looked up when the selection changes, refreshed every few seconds. */
	struct symbols_lines *lines;
	uint32_t line_frame; /* PROFILE_NO_FRAME: none looked up yet */
	uint64_t line_at; /* CLOCK_MONOTONIC ns of the lookup */
	char line_text[300]; /* "file.c:42 73%", or "" */

	/* What the views show: the tree of the current query. */
	struct ui_tree *tree;
	struct profile_fn_stat *fns; /* copied from the query, sorted by `sort` */
	size_t nfns;
	uint64_t total, nsamples; /* of the query */
	uint64_t shown_from, shown_to; /* the window the query covered */
	struct ui_window win;
	bool paused;
	double speed; /* replay speed before pausing */

	/* Flame graph. */
	struct ui_layout layout;
	uint32_t zoom, sel;
	bool flip;
	enum ui_palette palette;

	/* Top-list. */
	enum ui_view view;
	enum ui_sort sort;
	size_t top_sel, top_scroll;
	uint32_t nb_frame; /* callers/callees of this frame; PROFILE_NO_FRAME: the list */
	uint32_t nb_stack[32];
	size_t nb_depth;
	struct ui_nb_line *nb;
	size_t nnb, nb_ncallers, nb_sel, nb_scroll;

	/* Search. */
	regex_t re;
	bool have_re;
	char pattern[512];

	/* Modal input. */
	enum ui_modal modal;
	char input[512];
	size_t input_len;
	size_t help_scroll;
	struct ui_procs procs, procs_prev;
	size_t *pick_idx; /* procs matching the filter; SIZE_MAX: "everything" */
	size_t npick, pick_sel, pick_scroll;
	uint64_t procs_next;

	/* Header figures. */
	uint64_t rate_samples, rate_last; /* samples since rate_t0 */
	uint64_t rate_t0;
	double samples_per_s;
	double cpu_percent;
	uint64_t rss;
	uint64_t cpu_ticks0, cpu_t0;

	char message[256]; /* one-shot line for the status row */
	bool message_error;

	/* Windows on the screen. */
	WINDOW *w_header, *w_strip, *w_main, *w_status, *w_footer;
	int main_rows;
	unsigned dirty;

	bool quit;
};

/* Drawing (draw.c). Each draws its part into its window; none refreshes. */
void ui_draw_header(struct tui *u);
void ui_draw_strip(struct tui *u);
void ui_draw_main(struct tui *u);
void ui_draw_status(struct tui *u);
void ui_draw_footer(struct tui *u);
void ui_draw_modal(struct tui *u);
void ui_draw_too_small(struct tui *u);
/* Rows of the main view's lists, and help lines, for paging. */
int ui_draw_list_rows(const struct tui *u);
/* Lines of the generated help text (for scrolling). */
size_t ui_draw_help_lines(void);
/* The frame's name, sanitized, into `out`. */
const char *ui_draw_frame_name(const struct tui *u, uint32_t frame, char *out, size_t size);
/* The module of a frame, its last path component, sanitized. */
const char *ui_draw_module_name(const struct tui *u, uint32_t frame, char *out, size_t size);

#endif
