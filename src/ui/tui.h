/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the TUI: the terminal (screen.c), the explorer's core state that
 * the loop and its actions (tui.c) change and the frame's drawing
 * (draw.c) reads, and the view table: each view (flame.c, top.c, ...) is a
 * struct ui_view_ops of functions over its own state, listed once in
 * views.c. The core knows no view by name; a view knows the core only
 * through struct tui's query results and the helpers below. Private to
 * src/ui/; include/flametop/ui.h is the subsystem's public face.
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
	bool mouse; /* reporting the mouse: presses, releases, drags */
	struct ui_theme theme;
	int frame_color[64];
	short frame_pair[64];
	short blank_pair[64]; /* the same backgrounds, the default foreground; 0: not made */
	int nframe_pairs;
	bool default_fg; /* use_default_colors() worked: -1 is a colour */
	short heat_pair[UI_HEAT_LEVELS][UI_HEAT_LEVELS]; /* 0: not made yet */
};

int ui_screen_open(struct ui_screen *s, bool mouse, bool force_mono, struct ft_error *err);
/*
 * Makes the current screen, just made by newterm() and before any mode,
 * size or mouse setting, send a frame in one write. Until it has been
 * suspended and resumed once, ncurses (6.4 here) flushes its output after
 * every cursor move: a full frame of the flame graph was some 180
 * write()s, each a system call and, over ssh, a packet. An endwin() and
 * a doupdate() at once, before anything is drawn, leave that state.
 */
void ui_screen_buffer_output(void);
void ui_screen_close(struct ui_screen *s);
/* Sets up the colour pairs of a theme (copied). */
void ui_screen_theme(struct ui_screen *s, const struct ui_theme *t);
/* Makes the normal role `w`'s background: what erasing it leaves, and
 * what text drawn without colours gets. Without it, a window's empty
 * cells have the terminal's colours, not the theme's, and every step
 * between them and coloured cells costs an attribute reset on the wire. */
void ui_screen_window(struct ui_screen *s, WINDOW *w);
/* Sets `w`'s attributes to a role's, or a flame frame's (background `color`). */
void ui_screen_role(struct ui_screen *s, WINDOW *w, enum ui_role r);
void ui_screen_frame(struct ui_screen *s, WINDOW *w, int color);
/* The same for a frame's cells that hold no text: only the background is
 * set where the terminal allows, so that a run of narrow boxes costs one
 * colour change each on the wire instead of two. */
void ui_screen_frame_blank(struct ui_screen *s, WINDOW *w, int color);
/* A heatmap cell pair: the upper half's level as the foreground, the
 * lower's as the background (draw U+2580 in it). False without colours. */
bool ui_screen_heat(struct ui_screen *s, WINDOW *w, int top, int bottom);
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
#define UI_CLEAR 128u /* the whole screen, from scratch */
/* The main view and the status line under it: what most view keys change. */
#define UI_REDRAW_VIEW (UI_REDRAW_MAIN | UI_REDRAW_STATUS)

/* A modal overlay and its text input. */
enum ui_modal {
	UI_MODAL_NONE,
	UI_MODAL_HELP,
	UI_MODAL_SEARCH,
	UI_MODAL_FILTER,
	UI_MODAL_PICKER,
	UI_MODAL_SAVE,
	UI_MODAL_EXPORT,
};

/*
 * The query results the core keeps for the views. Every view reads the
 * window on the strip; a view that compares (a diff) also asks for a
 * baseline, whose window u->windows[UI_QUERY_BASELINE] it moves itself.
 * The core queries what the front view asks for, so adding a view never
 * changes it.
 */
enum ui_query_kind {
	UI_QUERY_WINDOW,
	UI_QUERY_BASELINE,
	UI_QUERY__COUNT,
};

struct ui_query {
	struct timeline_live *live; /* a live window's, kept current by the timeline */
	uint64_t live_span; /* live's span; UINT64_MAX: everything */
	struct profile_top *owned; /* a fixed window's result */
	const struct profile_top *top; /* the result: live's or owned; NULL before the first */
	struct profile_tree *tree; /* the window's call tree, with the search marks (no view
				    * reads the baseline's: not built) */
	uint64_t from, to; /* the part of the timeline it covers */
};

/* What a view has selected, for the status line and the next view. */
struct ui_selection {
	uint32_t frame; /* PROFILE_NO_FRAME: nothing (a root) */
	uint64_t self, total;
	bool has_self; /* false: show only the total (a callers list) */
	char where[128]; /* more to say after the name ("line 42"), or "" */
};

/* Why a view is refreshed (bits). */
#define UI_REFRESH_DATA 1u /* the query results changed */
#define UI_REFRESH_SIZE 2u /* the main window's size changed */

struct tui;
struct ui_view; /* a view's own state, defined in its file */

/*
 * A view: one file under src/ui/ and one line in views.c's table. `open`
 * makes its state; `refresh` recomputes what it derives from the query
 * results (called before it is drawn or given a key, when they changed
 * since it last saw them, or the size did); `action` answers the actions
 * of `actions` and returns redraw flags; `click` answers a mouse click at
 * (row, col) of the main window; `drag` (NULL: none) answers the mouse
 * pressed at (row0, col0) of the main window and moved, button held, to
 * (row, col), which may be outside it; `done` when released there (a view
 * without one gets a click where it was pressed); `draw` paints the main window;
 * `selection` says what is selected; `focus` selects a function (the
 * previous view's selection, --focus): false when it cannot show it.
 */
struct ui_view_ops {
	const char *name; /* --view NAME */
	const char *title; /* "flame graph": in messages */
	int key; /* the key that shows it */
	const char *help; /* its line in the help and the man page */
	unsigned queries; /* 1u << UI_QUERY_* it reads besides the window */
	/* It reads the window's call tree and totals, never its functions
	 * (top->fns), nor the baseline's: a live window's are not listed
	 * for it (the cost of most of a frame's query), nfns is 0. */
	bool tree_only;
	uint64_t actions; /* UI_ACTION()s it answers */
	int wheel; /* lines one notch of the mouse wheel moves */
	struct ui_view *(*open)(struct tui *u);
	void (*close)(struct ui_view *v);
	void (*refresh)(struct ui_view *v, struct tui *u, unsigned why);
	unsigned (*action)(struct ui_view *v, struct tui *u, enum ui_action a);
	unsigned (*click)(struct ui_view *v, struct tui *u, int row, int col, bool twice);
	unsigned (*drag)(struct ui_view *v, struct tui *u, int row0, int col0, int row, int col,
			 bool done);
	void (*draw)(struct ui_view *v, struct tui *u, WINDOW *w);
	void (*selection)(struct ui_view *v, struct tui *u, struct ui_selection *out);
	bool (*focus)(struct ui_view *v, struct tui *u, uint32_t frame);
};

/* The view table (views.c), in Tab order. */
extern const struct ui_view_ops *const ui_views[];
extern const size_t ui_nviews;

extern const struct ui_view_ops ui_flame_ops;
extern const struct ui_view_ops ui_top_ops;
extern const struct ui_view_ops ui_sandwich_ops;
extern const struct ui_view_ops ui_inverted_ops;
extern const struct ui_view_ops ui_lines_ops;
extern const struct ui_view_ops ui_diff_ops;
extern const struct ui_view_ops ui_difftop_ops;
extern const struct ui_view_ops ui_heatmap_ops;

#define UI_MAX_VIEWS 16

/* What the explorer's own CPU time goes to (-v says it on quitting). */
enum ui_cpu_part {
	UI_CPU_SAMPLING, /* the source: reading, unwinding, symbolizing, interning */
	UI_CPU_STORE, /* the timeline and the other stores, and the private session */
	UI_CPU_QUERY, /* a frame's queries and what the view derives (its layout) */
	UI_CPU_DRAW, /* a frame's drawing, and sending it to the terminal */
	UI_CPU_WAKE, /* the loop: waiting, waking, keys, the tick's own figures */
	UI_CPU__COUNT
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
	struct timeline_count_cache *strip_counts; /* the strip's, for the filter: reset with it */
	struct profile_hits *hits; /* where samples hit, by time (the lines view) */
	struct profile_heatstore *heat; /* samples by 10 ms slice (the heatmap view) */
	/* The decayed window's weights (UI_WINDOW_DECAY; NULL: made at the
	 * next query, seeded from the timeline), and its filter's matcher. */
	struct profile_decay *decay;
	struct profile_matcher decay_m;
	struct profile_filter filter;
	size_t added; /* samples of p->samples already in the timeline */
	uint64_t since_release; /* samples taken since the heap's free pages went back */
	bool ended;
	bool failed; /* the source ended with an error (ended_msg): exit status 1 */
	char ended_msg[512];
	uint64_t now; /* source time at the last poll */
	char outpath[512]; /* a launched command's output */

	/* --push: the pusher, what feeds it, the failures already shown. */
	struct pusher *pusher;
	struct push_feed *push_feed;
	uint64_t push_said;

	/* The temporary session every sample is streamed to, for `s`. */
	struct session_writer *writer;
	char tmpdir[256];
	char tmppath[512];
	bool tmp_full; /* stopped streaming: the file reached its size cap */
	uint64_t tmp_bytes;

	/* The selected function's hottest source line in the window, for the
	 * status line: looked up when the selection or the data changes,
	 * refreshed every few seconds. The source lines' reader (libdw) is
	 * the lines view's too. */
	struct symbols_lines *lines;
	uint32_t line_frame; /* PROFILE_NO_FRAME: none looked up yet */
	uint64_t line_gen; /* the data_gen it was looked up for */
	uint64_t line_at; /* CLOCK_MONOTONIC ns of the lookup */
	char line_text[300]; /* "file.c:42 73%", or "" */

	/* What the views read: query results, each over its window. */
	struct ui_query q[UI_QUERY__COUNT];
	struct ui_window windows[UI_QUERY__COUNT];
	uint64_t data_gen; /* bumped whenever a query result changes */
	uint64_t total, nsamples; /* of the window's query */
	bool paused;
	double speed; /* replay speed before pausing */

	/* Settings every flame graph follows. */
	bool flip; /* root at the bottom */
	enum ui_palette palette;
	bool diff_cb; /* diff colours: orange and blue (colour-blind safe), not red and blue */
	/* Flame boxes coloured by ratio `ratio_color - 1` of the event's group
	 * (C; 0: the palette), from `ratios`, the window's (ratio.c). */
	size_t ratio_color;
	struct profile_ratio_set *ratios;
	uint64_t ratios_gen; /* the data_gen `ratios` was made for */
	int ratios_event;

	/* --baseline FILE: the session the diff views compare with, and its
	 * top-list under the explorer's filters (the baseline query's). */
	struct profile *base_p;
	int base_event; /* its event matching the window's */
	bool base_queried; /* q[UI_QUERY_BASELINE] holds its query under this filter */
	char base_err[256]; /* why it cannot be compared (other units), or "" */

	/* The views: one state per entry of ui_views, opened on first use. */
	struct ui_view *views[UI_MAX_VIEWS];
	uint64_t view_gen[UI_MAX_VIEWS]; /* the data_gen each last saw */
	int view_rows[UI_MAX_VIEWS], view_cols[UI_MAX_VIEWS];
	size_t front;

	/* Search. */
	regex_t re;
	bool have_re;
	char pattern[512];
	struct profile_marks marks; /* the functions that match */
	uint64_t match_total; /* weight of the window's stacks with a match */
	uint32_t nmatch; /* its nodes that match */

	/* The function filter (F): filter.include points at filter_re while
	 * filter_text is not empty. */
	regex_t filter_re;
	char filter_text[512];

	/* --focus: the function to select once it has samples. */
	regex_t focus_re;
	bool focus_pending;

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
	uint64_t cpu_ns0, cpu_t0; /* own CPU time (ns) at cpu_t0 */
	/* The main thread's CPU time (ns) by what it went to, for -v at the
	 * end; cpu_mark is the thread's clock when the current part began. */
	uint64_t cpu_part[UI_CPU__COUNT], cpu_mark;

	char **names; /* per frame: its name sanitized, once drawn (ui_draw_name) */
	uint32_t nnames;

	char message[256]; /* one-shot line for the status row */
	bool message_error;

	/* The mouse: where button 1 went down (screen row and column), whether
	 * it left that cell since; the last click's cell and time (another
	 * within UI_DOUBLE_CLICK_NS on it is a double click). */
	struct {
		bool down, moved;
		int y, x;
		int click_y, click_x;
		uint64_t click_at;
	} press;

	/* Windows on the screen. */
	WINDOW *w_header, *w_strip, *w_main, *w_status, *w_footer;
	int main_rows;
	unsigned dirty;

	bool quit;
	bool quit_typed; /* q seen while a module was read (quit_typed()) */
	int typed[64]; /* keys read while a module was read, for the loop */
	unsigned ntyped;
};

/* ------------------------------------------------------------------------
 * For the views (tui.c).
 */

/* The front view's state, ops. */
#define UI_FRONT_OPS(u) (ui_views[(u)->front])
/* The window's query result (the call tree, the top-list), and the window. */
#define UI_WINDOW_QUERY(u) (&(u)->q[UI_QUERY_WINDOW])
#define UI_WIN(u) ((u)->windows[UI_QUERY_WINDOW])
/*
 * Queries what the front view reads (the window, and what else its
 * `queries` asks for) and refreshes the view: what a frame costs when new
 * data came. The loop calls it; bench/ui-redraw times it.
 */
void ui_tui_requery(struct tui *u);
/* Draws the front view into the main window (refreshing it first if stale). */
void ui_tui_draw_main(struct tui *u);
/* Frees the names ui_draw_name() kept. */
void ui_tui_free_names(struct tui *u);
/* A one-line message on the status row until the next key. */
void ui_tui_message(struct tui *u, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The filter of a query: the explorer's filters and that query's window. */
void ui_tui_filter(const struct tui *u, enum ui_query_kind k, struct profile_filter *out);
/*
 * What the diff views compare the window with: the baseline session's
 * profile and top-list (--baseline FILE), else the profile's and the
 * baseline window's. Borrowed, valid until the next query. *top is NULL
 * before the first query.
 */
void ui_tui_baseline(const struct tui *u, const struct profile **p, const struct profile_top **top);
/* "12.0s-22.0s (1.2k samples)" or the file's name: the baseline, for a view's legend. */
void ui_tui_baseline_label(const struct tui *u, char *out, size_t size);
/* Sets the window to [from, to) (the heatmap's selection). Returns redraw flags. */
unsigned ui_tui_set_window(struct tui *u, uint64_t from, uint64_t to);
/* The retained data: [*first, *last], ns since the start. */
void ui_tui_retained(struct tui *u, uint64_t *first, uint64_t *last);
/* Whether the search matches function `frame`. */
bool ui_tui_matches(const struct tui *u, uint32_t frame);

/* Moves a list selection by `d` lines within n, keeping it in sight of
 * `rows` lines from *scroll (scroll may be NULL). */
void ui_tui_list_move(size_t *sel, size_t *scroll, size_t n, long d, int rows);

/* The explorer's tick: the clock, the picker's rescans. */
#define UI_TICK_NS 1000000000ull

/* The status line's message, sanitized; `error` shows it as one. */
void ui_tui_message(struct tui *u, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Hands the new samples to the timeline and the stores; true if any. */
bool ui_tui_take_samples(struct tui *u);
/* Forgets the views' live state after the window or a filter changed. */
void ui_tui_reset_live(struct tui *u);

/* The process picker (picker.c): open it, rescan, narrow to the typed
 * text, and take the selected line as every view's filter. */
unsigned ui_picker_open(struct tui *u);
void ui_picker_scan(struct tui *u);
void ui_picker_filter(struct tui *u);
unsigned ui_picker_choose(struct tui *u);

/* Saving and exporting (output.c): the prompts (keys s and x), then the
 * writing of the name given; what happened goes to the status line. */
unsigned ui_output_save_prompt(struct tui *u);
unsigned ui_output_export_prompt(struct tui *u);
void ui_output_save(struct tui *u, const char *path);
void ui_output_export(struct tui *u, const char *path);

/* ------------------------------------------------------------------------
 * Drawing (draw.c): the frame around the views, and helpers for them.
 * Each draws into its own window; none refreshes.
 */
void ui_draw_header(struct tui *u);
void ui_draw_strip(struct tui *u);
void ui_draw_status(struct tui *u);
void ui_draw_footer(struct tui *u);
void ui_draw_modal(struct tui *u);
void ui_draw_too_small(struct tui *u);
/* Lines of the generated help text, and how many one screen shows (for scrolling). */
size_t ui_draw_help_lines(const struct tui *u); /* rows, as drawn at u's size */
size_t ui_draw_help_page(const struct tui *u);

/* util_sanitize(), and without UTF-8 every non-ASCII character made '?'. */
const char *ui_draw_clean(const struct tui *u, const char *in, char *out, size_t size);
/* The frame's name ("(root)" for none), sanitized, into `out`. */
const char *ui_draw_frame_name(const struct tui *u, uint32_t frame, char *out, size_t size);
/* The same, kept: borrowed, valid until the explorer ends (ui_tui_free_names). */
const char *ui_draw_name(struct tui *u, uint32_t frame);
/* The module of a frame, its last path component, sanitized. */
const char *ui_draw_module_name(const struct tui *u, uint32_t frame, char *out, size_t size);
/* Writes at most `cols` columns of clean `s`; returns the columns written. */
int ui_draw_put(WINDOW *w, const char *s, int cols);
/* Spaces to the end of the line, or `n` spaces, in the current attributes. */
void ui_draw_fill(WINDOW *w);
void ui_draw_spaces(WINDOW *w, int n);
int ui_draw_cols_left(WINDOW *w);
/* A weight in the current event's unit: time for clock events, else a count. */
void ui_draw_weight(const struct tui *u, uint64_t v, char *out, size_t size);
/* " 12.3%" of the window's total. */
void ui_draw_pct(uint64_t v, uint64_t total, char *out, size_t size);
/* A title row of the main window. */
void ui_draw_title(struct tui *u, WINDOW *w, int row, const char *text);
/* A dim note in the main window (an empty view says why). */
/* What an empty window's view says: data may still come, or not. */
const char *ui_draw_empty_note(const struct tui *u);
void ui_draw_note(struct tui *u, WINDOW *w, int row, const char *text);

/* ------------------------------------------------------------------------
 * A flame graph on part of the main window (graph.c), for the views that
 * draw one or two: a tree (borrowed), its layout, zoom and selection.
 * Zoom and selection survive a rebuilt tree as paths of frames.
 */
#define UI_GRAPH_PATH 256

struct ui_graph {
	struct profile_tree *tree; /* borrowed; NULL: none yet */
	/* The colour of a box (an xterm colour, -1: none), instead of the
	 * palette's; NULL: the palette. `color_ctx` is passed to it. */
	int (*color)(void *ctx, uint32_t node);
	void *color_ctx;
	struct ui_layout layout;
	uint32_t zoom, sel;
	bool up; /* the root at the bottom, callees above (a flame graph) */
	int top, rows, width; /* the rows of the main window it uses */
	uint32_t zoom_path[UI_GRAPH_PATH], sel_path[UI_GRAPH_PATH];
	size_t nzoom_path, nsel_path;
};

void ui_graph_init(struct ui_graph *g);
void ui_graph_free(struct ui_graph *g);
/* Where it is drawn: `rows` rows from `top`, `width` columns (lay it out
 * after: ui_graph_layout() or ui_graph_set_tree()). */
void ui_graph_place(struct ui_graph *g, int top, int rows, int width);
/* Before its tree is rebuilt: keeps zoom and selection as paths. */
void ui_graph_remember(struct ui_graph *g);
/* After: finds them again in `t` (the deepest part that has weight), lays out. */
void ui_graph_set_tree(struct ui_graph *g, struct profile_tree *t);
/* Forgets zoom and selection: the root. */
void ui_graph_reset(struct ui_graph *g);
void ui_graph_layout(struct ui_graph *g);
/*
 * Moves, zooms, searches: LEFT, RIGHT, UP, DOWN (UP goes towards the root
 * in an icicle, away from it in a flame graph), HOME, ENTER (zoom), BACK,
 * RESET, SEARCH_NEXT, SEARCH_PREV. Returns redraw flags (0: not one).
 */
unsigned ui_graph_action(struct tui *u, struct ui_graph *g, enum ui_action a);
/* The node drawn at (row, col) of the main window, or PROFILE_NO_NODE. */
uint32_t ui_graph_at(const struct ui_graph *g, int row, int col);
/* Draws it; `active`: its selection is shown as selected. */
void ui_graph_draw(struct tui *u, struct ui_graph *g, WINDOW *w, bool active);
/* The selected box: its total, and its self where that is the function's
 * own (the call tree, callees, the bottom-up tree's first row). */
void ui_graph_selection(const struct ui_graph *g, struct ui_selection *out);

/* For a view that is one graph over the main window (flame, bottom-up). */
#define UI_GRAPH_ACTIONS                                                                       \
	(UI_ACTION(UI_ACT_LEFT) | UI_ACTION(UI_ACT_RIGHT) | UI_ACTION(UI_ACT_UP) |              \
	 UI_ACTION(UI_ACT_DOWN) | UI_ACTION(UI_ACT_HOME) | UI_ACTION(UI_ACT_ENTER) |            \
	 UI_ACTION(UI_ACT_BACK) | UI_ACTION(UI_ACT_FLIP) | UI_ACTION(UI_ACT_COLORS) |           \
	 UI_ACTION(UI_ACT_RATIO_COLORS) | UI_ACTION(UI_ACT_SEARCH_NEXT) |                         \
	 UI_ACTION(UI_ACT_SEARCH_PREV))
/* --- colours by a group's ratio (ratio.c) --- */

/* C: colours by the next ratio of the event's group, or the palette again;
 * says which on the status line. Returns redraw flags. */
unsigned ui_ratio_next(struct tui *u);
/* The colour of `node` of `t` under ratio colouring, or -1 (off, or no ratio). */
int ui_ratio_color(struct tui *u, const struct profile_tree *t, uint32_t node);
void ui_ratio_free(struct tui *u);

/* Flip and colours (settings every graph follows), then ui_graph_action(). */
unsigned ui_graph_view_action(struct tui *u, struct ui_graph *g, enum ui_action a);
/* Selects the box clicked; a double click zooms into it. */
unsigned ui_graph_click(struct tui *u, struct ui_graph *g, int row, int col, bool twice);
/* Draws it over the whole main window, the way u->flip says, with a note
 * when the window has no samples. */
void ui_graph_draw_whole(struct tui *u, struct ui_graph *g, WINDOW *w);
/* Selects the widest drawn box of `frame`; false when none is drawn. */
bool ui_graph_select_frame(struct ui_graph *g, uint32_t frame);

#endif
