/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live explorer (the TUI), and the plain-C model it draws from: the
 * flame graph's layout (widths, rows, navigation, search) over the trees
 * of profile.h, label
 * truncation, time-window math, the key table and themes. Everything in
 * this header but ui_run() is free of curses, so it is unit-tested
 * without a terminal; the curses side (src/ui/screen.c, draw.c, tui.c) is
 * a thin view over it.
 */
#ifndef FLAMETOP_UI_H
#define FLAMETOP_UI_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flametop/profile.h"
#include "flametop/push.h"
#include "flametop/util.h"

/* ------------------------------------------------------------------------
 * The flame graph's geometry, over any tree of profile.h (a call tree,
 * bottom-up, callers, callees).
 */

/* One box of the flame graph: a node drawn at a row, columns [x, x + w). */
struct ui_box {
	uint32_t node;
	uint32_t depth; /* rows from the top of the graph (icicle) */
	int x, w;
};

struct ui_layout {
	struct ui_box *boxes; /* by depth, then x */
	size_t nboxes, cap;
	uint64_t *off; /* while building: each box's weight offset */
	uint32_t zoom; /* the node drawn full width */
	uint32_t rows; /* rows used */
	int width;
};

/*
 * Lays `t` out `width` columns wide and at most `max_rows` deep: the
 * ancestors of `zoom` (from the root) full width, then `zoom` full width,
 * then its descendants with widths proportional to their weight. Edges are
 * placed by cumulative weight so siblings never overlap; a box narrower
 * than one column is left out, with its descendants. Reuses `l`'s memory.
 */
void ui_layout_build(struct ui_layout *l, struct profile_tree *t, uint32_t zoom, int width,
		     uint32_t max_rows);
void ui_layout_free(struct ui_layout *l);
/* Index of the box of `node`, or -1 when it is not drawn. */
long ui_layout_find(const struct ui_layout *l, uint32_t node);
/* Index of the box at (row, column), or -1. */
long ui_layout_at(const struct ui_layout *l, uint32_t row, int x);

enum ui_dir { UI_DIR_LEFT, UI_DIR_RIGHT, UI_DIR_UP, UI_DIR_DOWN };
/*
 * The node to select from `node` going `dir` (UP = towards the root,
 * DOWN = to the widest child, LEFT/RIGHT = the neighbour on the same row,
 * wrapping to the row's far end). `node` itself when there is nowhere to go.
 */
uint32_t ui_layout_nav(const struct ui_layout *l, const struct profile_tree *t, uint32_t node,
		       enum ui_dir dir);
/* The next (`forward`) or previous drawn box after `node` whose node matches
 * the search, in row order; `node` when none. */
uint32_t ui_layout_next_match(const struct ui_layout *l, const struct profile_tree *t,
			      uint32_t node, bool forward);

/* ------------------------------------------------------------------------
 * Text fitting. Widths are in terminal columns; every code point counts
 * one (names are sanitized first, so there are no controls).
 */

/* Columns `s` takes (UTF-8 code points). */
size_t ui_text_width(const char *s);
/*
 * Fits `name` (a function name) into `width` columns, into `out` (`size`
 * bytes, NUL-terminated): as is if it fits; else without its argument list
 * and template arguments ("ns::f<int>(long)" -> "ns::f"); else keeping the
 * innermost qualifiers ("..::Class::method"); else cut at the end with an
 * ellipsis ("…" with `utf8`, ".." without). An empty string below 3
 * columns unless the name fits. Returns the columns used.
 */
int ui_label_fit(const char *name, int width, bool utf8, char *out, size_t size);
/* "999", "12.3k", "4.5M", "1.2G": a count in at most 6 columns. */
void ui_format_count(uint64_t n, char *out, size_t size);
/* "950ms", "12.3s", "4m05s", "2h03m": a duration. */
void ui_format_duration(uint64_t ns, char *out, size_t size);
/* "512K", "12.3M", "1.2G": bytes. */
void ui_format_bytes(uint64_t n, char *out, size_t size);

/* ------------------------------------------------------------------------
 * Time windows: what part of the timeline the views aggregate.
 */
enum ui_window_mode {
	UI_WINDOW_LIVE, /* the last `span` before the newest data */
	UI_WINDOW_ALL, /* everything retained */
	UI_WINDOW_RANGE, /* [from, to) */
	UI_WINDOW_DECAY, /* everything, each sample halved per `half_life` of age */
};

struct ui_window {
	enum ui_window_mode mode;
	uint64_t span; /* LIVE */
	uint64_t from, to; /* RANGE */
	uint64_t half_life; /* DECAY */
};

#define UI_WINDOW_MIN_NS 1000000000ull /* one bucket */

/* The window's [from, to) given the retained data [first, last] (a decayed
 * one: the last 4 half-lives, which hold 15/16 of its weight). */
void ui_window_resolve(const struct ui_window *w, uint64_t first, uint64_t last, uint64_t *from,
		       uint64_t *to);
/* The step the window keys move by: a twentieth of the retained span,
 * at least UI_WINDOW_MIN_NS, rounded to whole seconds. */
uint64_t ui_window_step(uint64_t first, uint64_t last);

enum ui_window_edit {
	UI_WINDOW_SHIFT_LEFT, /* the whole window earlier */
	UI_WINDOW_SHIFT_RIGHT,
	UI_WINDOW_START_LEFT, /* its start earlier (wider) */
	UI_WINDOW_START_RIGHT,
	UI_WINDOW_END_LEFT,
	UI_WINDOW_END_RIGHT, /* its end later (wider) */
	UI_WINDOW_WIDER, /* both edges out (live: twice the span) */
	UI_WINDOW_NARROWER,
};
/*
 * Applies a window key: a live or all window becomes a range first (where
 * it is now), the result is clamped to [first, last + one step] and kept at
 * least UI_WINDOW_MIN_NS wide. WIDER/NARROWER on a live window change its
 * span (1 s to 24 h) and keep it live.
 */
void ui_window_edit(struct ui_window *w, enum ui_window_edit e, uint64_t first, uint64_t last);
/* The same, clamped to [first, hi] instead: for a session whose end `hi`
 * is known (a replay), which no window goes past. */
void ui_window_edit_to(struct ui_window *w, enum ui_window_edit e, uint64_t first, uint64_t last,
		       uint64_t hi);
/*
 * Columns [*c0, *c1) that [from, to) covers on a strip showing [first, end)
 * in `width` columns; at least one column when the window is inside.
 */
void ui_window_columns(uint64_t from, uint64_t to, uint64_t first, uint64_t end, int width,
		       int *c0, int *c1);

/* ------------------------------------------------------------------------
 * The key table. Keys are characters, or the UI_KEY_* codes below (the
 * curses side translates its key codes into these).
 */
#define UI_KEY_BASE 0x110000
enum {
	UI_KEY_UP = UI_KEY_BASE,
	UI_KEY_DOWN,
	UI_KEY_LEFT,
	UI_KEY_RIGHT,
	UI_KEY_PGUP,
	UI_KEY_PGDN,
	UI_KEY_HOME,
	UI_KEY_END,
	UI_KEY_ENTER,
	UI_KEY_ESC,
	UI_KEY_BACKSPACE,
	UI_KEY_TAB,
	UI_KEY_BTAB,
	UI_KEY_F1, /* F1 .. F12 follow in order */
	UI_KEY_F10 = UI_KEY_F1 + 9,
	UI_KEY_F12 = UI_KEY_F1 + 11,
	UI_KEY_CTRL_L,
	UI_KEY_CTRL_C,
};
#define UI_KEY_F(n) (UI_KEY_F1 + (n) - 1)

enum ui_action {
	UI_ACT_NONE,
	UI_ACT_QUIT,
	UI_ACT_HELP,
	UI_ACT_NEXT_VIEW,
	UI_ACT_PREV_VIEW,
	UI_ACT_LEFT,
	UI_ACT_RIGHT,
	UI_ACT_UP,
	UI_ACT_DOWN,
	UI_ACT_PAGE_UP,
	UI_ACT_PAGE_DOWN,
	UI_ACT_HOME,
	UI_ACT_END,
	UI_ACT_ENTER, /* zoom (graphs), callers and callees (top), re-centre (sandwich) */
	UI_ACT_BACK, /* zoom out, back from callers and callees, the previous centre */
	UI_ACT_RESET,
	UI_ACT_FLIP,
	UI_ACT_COLORS,
	UI_ACT_SEARCH,
	UI_ACT_SEARCH_NEXT,
	UI_ACT_SEARCH_PREV,
	UI_ACT_FILTER, /* only stacks with a function matching a regex, in every view */
	UI_ACT_PAUSE,
	UI_ACT_SORT, /* top-list: next sort column */
	UI_ACT_ROWS_SHORTER, /* heatmap: shorter rows, more to a second */
	UI_ACT_ROWS_TALLER,
	UI_ACT_WIN_SHIFT_LEFT,
	UI_ACT_WIN_SHIFT_RIGHT,
	UI_ACT_WIN_START_LEFT,
	UI_ACT_WIN_START_RIGHT,
	UI_ACT_WIN_END_LEFT,
	UI_ACT_WIN_END_RIGHT,
	UI_ACT_WIN_WIDER,
	UI_ACT_WIN_NARROWER,
	UI_ACT_WIN_LIVE,
	UI_ACT_WIN_ALL,
	UI_ACT_BASELINE, /* the window becomes the diff's baseline */
	UI_ACT_SWAP, /* the window and the baseline trade places */
	UI_ACT_DECAY, /* the decayed view, its next half-life, off */
	UI_ACT_PICKER,
	UI_ACT_EVENT,
	UI_ACT_RATIO_COLORS, /* flame boxes coloured by a ratio of the event's group, the next, off */
	UI_ACT_SAVE,
	UI_ACT_EXPORT,
	UI_ACT_REDRAW,
	UI_ACT__COUNT,
};

/* A set of actions, for the views to say which they answer (at most 64). */
#define UI_ACTION(a) (UINT64_C(1) << (a))

/*
 * Actions a view answers (moving, zooming, sorting): a key bound to one
 * does nothing in a view that does not list it. The others are the
 * explorer's own (quit, help, window, search prompt, ...) and work
 * everywhere.
 */
#define UI_VIEW_ACTIONS                                                                        \
	(UI_ACTION(UI_ACT_LEFT) | UI_ACTION(UI_ACT_RIGHT) | UI_ACTION(UI_ACT_UP) |              \
	 UI_ACTION(UI_ACT_DOWN) | UI_ACTION(UI_ACT_PAGE_UP) | UI_ACTION(UI_ACT_PAGE_DOWN) |     \
	 UI_ACTION(UI_ACT_HOME) | UI_ACTION(UI_ACT_END) | UI_ACTION(UI_ACT_ENTER) |             \
	 UI_ACTION(UI_ACT_BACK) | UI_ACTION(UI_ACT_FLIP) | UI_ACTION(UI_ACT_COLORS) |           \
	 UI_ACTION(UI_ACT_SORT) | UI_ACTION(UI_ACT_SEARCH_NEXT) | UI_ACTION(UI_ACT_SEARCH_PREV) | \
	 UI_ACTION(UI_ACT_ROWS_SHORTER) | UI_ACTION(UI_ACT_ROWS_TALLER))

/* Which groups of help lines a binding is listed under. */
enum ui_key_group {
	UI_GROUP_GENERAL,
	UI_GROUP_VIEWS, /* the views' own keys, from the view table */
	UI_GROUP_NAVIGATE,
	UI_GROUP_SEARCH,
	UI_GROUP_WINDOW,
	UI_GROUP__COUNT,
};

struct ui_binding {
	int keys[4]; /* 0-terminated when fewer */
	enum ui_action action;
	enum ui_key_group group;
	const char *help; /* a line in the help screen and the man page */
	const char *footer; /* short label for the footer; NULL: not shown */
};

extern const struct ui_binding ui_bindings[];
extern const size_t ui_nbindings;
extern const char *const ui_group_names[];

/* The action `key` triggers, or UI_ACT_NONE (a view's key is not one). */
enum ui_action ui_keys_lookup(int key);
/* A key's name as help and the man page write it: "q", "Space", "F10", "Up". */
void ui_keys_name(int key, char *out, size_t size);
/* "q F10": all of a binding's keys. */
void ui_keys_names(const struct ui_binding *b, char *out, size_t size);

/*
 * The help, generated from the key table and the view table: item `n`
 * (from 0) is a group's title (`title` set) or a key line (`keys`, `help`).
 * False past the last. The help screen shows these; doc/flametop.1's key
 * list is checked against them.
 */
struct ui_help_item {
	const char *title; /* NULL for a key line */
	char keys[64];
	const char *help;
};
bool ui_help_item(size_t n, struct ui_help_item *out);

/*
 * The views (src/ui/views.c holds their table, in Tab order): the name
 * --view takes, the key that shows one and its help line.
 */
size_t ui_views_count(void);
const char *ui_views_name(size_t i);
int ui_views_key(size_t i);
const char *ui_views_help(size_t i);
/* Index of the view called `name`, or -1. */
int ui_views_find(const char *name);
/* "flame, top, ...": the names, for messages. */
void ui_views_list(char *out, size_t size);

/* ------------------------------------------------------------------------
 * Themes: named colour roles, loaded from JSON (themes/NAME.json, see
 * doc/themes.md). Colours are 0..255 (the xterm palette) or -1 (the
 * terminal's default).
 */
enum ui_role {
	UI_ROLE_NORMAL,
	UI_ROLE_HEADER,
	UI_ROLE_HEADER_KEY, /* labels in the header */
	UI_ROLE_STRIP,
	UI_ROLE_STRIP_WINDOW, /* the selected window on the strip */
	UI_ROLE_STRIP_CURSOR, /* replay: the play position */
	UI_ROLE_STATUS,
	UI_ROLE_FOOTER,
	UI_ROLE_FOOTER_KEY,
	UI_ROLE_SELECTED, /* the selected frame or line */
	UI_ROLE_MATCH, /* frames matching the search */
	UI_ROLE_DIM, /* frames outside the zoom, zero rows */
	UI_ROLE_TITLE, /* column titles, dialog titles */
	UI_ROLE_ERROR,
	UI_ROLE__COUNT,
};

#define UI_ATTR_BOLD 1u
#define UI_ATTR_REVERSE 2u
#define UI_ATTR_UNDERLINE 4u
#define UI_ATTR_DIM 8u

struct ui_style {
	int fg, bg;
	unsigned attrs;
};

#define UI_PALETTE_MAX 16
enum ui_palette {
	UI_PALETTE_HOT, /* by weight: warm colours for hot frames */
	UI_PALETTE_MODULE, /* one colour per module */
	UI_PALETTE_KIND, /* kernel vs user */
	UI_PALETTE__COUNT,
};
extern const char *const ui_palette_names[];

struct ui_theme {
	char name[64];
	struct ui_style roles[UI_ROLE__COUNT];
	/* Flame frame backgrounds (text is `frame_fg`): per palette, n colours. */
	int palette[UI_PALETTE__COUNT][UI_PALETTE_MAX];
	size_t npalette[UI_PALETTE__COUNT];
	int frame_fg;
	/* Frames drawn without colour (a mono theme): attributes only. */
	bool mono;
	/* The diff views in orange and blue (colour-blind safe), not red and blue. */
	bool diff_colorblind;
};

/* The theme built in: used when no theme file can be found. */
void ui_theme_builtin(struct ui_theme *t);
/* Parses a theme from JSON text. 0, or -EINVAL with `err` (line, column). */
int ui_theme_parse(struct ui_theme *t, const char *json, const char *name, struct ft_error *err);
/*
 * Loads theme `name`: a path when it holds a '/', else NAME.json from
 * $FLAMETOP_THEMES_DIR, the installed themes directory, or the source
 * tree's themes/ (for a build that is not installed), read as
 * ft_read_settings() allows. 0 or -errno with `err`, which never quotes
 * the file (a path to any file may be given).
 */
int ui_theme_load(struct ui_theme *t, const char *name, struct ft_error *err);
/* The nearest of the 8 basic colours to xterm colour `c` (for 8-colour terminals). */
int ui_theme_color8(int c);
/*
 * The diff flame graph's colours. A change of share `delta` (-1 to 1,
 * now minus the baseline) as a level: 0 within a tenth of a point (grey),
 * else 1 to 5 by size (under 1, 3, 10, 30 points, above), negative for
 * less. Its colour: shades of red for more and blue for less, or, for
 * the colour-blind-safe variant, orange and blue; grey for 0.
 */
int ui_theme_diff_level(double delta);
int ui_theme_diff_color(int level, bool cb_safe);

/*
 * The heatmap's shades: a cell of weight `v` in a map whose largest cell
 * is `max` as a level, 0 for empty, else 1 to UI_HEAT_LEVELS - 1 in
 * proportion to `max`; a level's colour (xterm-256, light yellow to dark
 * red; -1, the terminal's background, for 0) and its ASCII shade.
 */
#define UI_HEAT_LEVELS 8
int ui_theme_heat_level(uint64_t v, uint64_t max);
int ui_theme_heat_color(int level);
char ui_theme_heat_char(int level);

/* Colour index for a frame: by weight share (hot), module (hash) or kind. */
int ui_theme_frame_color(const struct ui_theme *t, enum ui_palette pal, double share,
			 uint32_t module, uint32_t kind, uint32_t name);

/* ------------------------------------------------------------------------
 * The config file: $XDG_CONFIG_HOME/flametop/config (or
 * ~/.config/flametop/config), lines "key = value", '#' comments.
 */
struct ui_config {
	char theme[64];
	enum ui_palette palette;
	bool flame; /* flame (root at the bottom) instead of icicle */
	char view[16]; /* the view at start, a registered name */
	uint64_t span; /* live window span, ns */
	bool mouse;
};
void ui_config_default(struct ui_config *c);
/* Path of the config file (caller frees), or NULL without HOME. */
char *ui_config_path(void);
/* Applies the file's settings over `c`. 0 (also when the file does not
 * exist), or -EINVAL with `err` naming the line, or what
 * ft_read_settings() refuses (someone else's file, a FIFO, too large). */
int ui_config_load(struct ui_config *c, const char *path, struct ft_error *err);
int ui_config_parse(struct ui_config *c, const char *text, const char *name, struct ft_error *err);

/* ------------------------------------------------------------------------
 * Processes and threads for the picker, from /proc, with CPU use between
 * two scans.
 */
struct ui_proc {
	uint32_t pid, tid; /* tid == pid for a process line */
	char comm[64]; /* sanitized */
	uint64_t ticks; /* utime + stime */
	uint64_t start; /* clock ticks after boot it started at; 0: unknown */
	double cpu; /* percent of one CPU since the previous scan, or since it started */
	double pcpu; /* its process's cpu: threads sort under their process */
	bool thread;
};

struct ui_procs {
	struct ui_proc *v;
	size_t n, cap;
	uint64_t when; /* util_now_ns() of the scan */
};
/* Rescans `root` (normally "/proc"): processes and their threads, with CPU
 * since `prev`'s scan (may be NULL), or for what `prev` lacks, CPU since it
 * started (as ps shows it; from root/uptime). Processes sorted by CPU, then
 * pid, each followed by its threads, by CPU, then tid. */
void ui_procs_scan(struct ui_procs *out, const struct ui_procs *prev, const char *root);
/* The processes and threads a session names (a replay's picker): no CPU
 * figures, sorted by pid, tid. `p` is borrowed for the call. */
void ui_procs_from_profile(struct ui_procs *out, const struct profile *p);
void ui_procs_free(struct ui_procs *p);
/* Whether `p` matches the typed filter (a substring of its name, or a prefix of its pid/tid). */
bool ui_procs_match(const struct ui_proc *p, const char *filter);
/* The indexes into `p->v` of the lines matching `filter`, into `idx` (room
 * for p->n): first the process or thread whose pid or tid is the number
 * typed, then the other matches, each in list order. Returns how many. */
size_t ui_procs_filter(const struct ui_procs *p, const char *filter, size_t *idx);

/* ------------------------------------------------------------------------
 * The TUI.
 */
struct source_live_config;

/* --max-memory's default: see ui_options.max_memory. */
#define UI_MAX_MEMORY_DEFAULT ((size_t)64 << 20)
/* A live profile's call tree and names may take 5/2 of --max-memory (profile_limits_scaled()). */
#define UI_PROFILE_SHARE_NUM 5
#define UI_PROFILE_SHARE_DEN 2

struct ui_options {
	const struct source_live_config *target; /* live: what to sample */
	const char *replay; /* a session file to play back instead */
	double speed; /* replay speed (1.0 real time; 0 at once) */
	const char *theme; /* NULL: the config's, else "default" */
	bool no_mouse;
	bool verbose; /* on quitting, say what the explorer's own CPU time went to */
	const char *view; /* the view to open in (a name of the view table); NULL: the config's */
	const char *focus; /* select the first function matching this regex; NULL: none */
	const char *baseline; /* a session file the diff views compare with; NULL: a window */
	/* The timeline's settings; 0: the defaults (timeline.h). */
	uint64_t resolution_ns;
	uint64_t retention_ns;
	/* What is kept of the samples: the timeline, the heatmap's samples
	 * and the lines view's addresses together; 0: UI_MAX_MEMORY_DEFAULT. */
	size_t max_memory;
	/* Live: push the samples to a Pyroscope server (NULL: don't), one
	 * upload per push_interval_ns (0: 10 s). Borrowed. */
	const struct push_options *push;
	uint64_t push_interval_ns;
};

/* Runs the explorer until the user quits. Returns an exit status. */
int ui_run(const struct ui_options *o);

#endif
