/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The key table: every key the explorer answers, the action it triggers
 * and the line that documents it; with the view table (views.c: each
 * view's key and help line) it makes the help screen, the footer and the
 * man page's key list, which a unit test compares with doc/flametop.1, so
 * the three cannot drift apart. What an action does is tui.c's table of
 * handlers for the explorer's own actions, and each view's for the
 * actions it lists (moving, zooming, sorting).
 */
#include "config.h"

#include "flametop/ui.h"

#include <stdio.h>
#include <string.h>

#define K(...) { __VA_ARGS__ }

const struct ui_binding ui_bindings[] = {
	{ K('q', UI_KEY_F10), UI_ACT_QUIT, UI_GROUP_GENERAL, "quit", "Quit" },
	{ K('?', UI_KEY_F1), UI_ACT_HELP, UI_GROUP_GENERAL, "this help", "Help" },
	{ K(UI_KEY_TAB), UI_ACT_NEXT_VIEW, UI_GROUP_GENERAL,
	  "next view (the views below, in turn)", "View" },
	{ K(UI_KEY_BTAB), UI_ACT_PREV_VIEW, UI_GROUP_GENERAL, "previous view", NULL },
	{ K(' '), UI_ACT_PAUSE, UI_GROUP_GENERAL,
	  "pause or resume the picture (sampling goes on)", "Pause" },
	{ K('i'), UI_ACT_FLIP, UI_GROUP_GENERAL,
	  "flip: icicle (root on top) or flame graph", "Flip" },
	{ K('c'), UI_ACT_COLORS, UI_GROUP_GENERAL,
	  "colours: hot, by module, kernel vs user", "Colours" },
	{ K('C'), UI_ACT_RATIO_COLORS, UI_GROUP_GENERAL,
	  "colours by a ratio of the event's group (IPC...), the next ratio, off",
	  NULL },
	{ K('o', UI_KEY_F(6)), UI_ACT_SORT, UI_GROUP_GENERAL,
	  "sort by the next column", "Sort" },
	{ K('p'), UI_ACT_PICKER, UI_GROUP_GENERAL,
	  "show one process or thread, attaching to it if need be (a picker)", "Proc" },
	{ K('e'), UI_ACT_EVENT, UI_GROUP_GENERAL, "next event, when several are sampled",
	  NULL },
	{ K('s'), UI_ACT_SAVE, UI_GROUP_GENERAL, "save the session so far to a file",
	  "Save" },
	{ K('x'), UI_ACT_EXPORT, UI_GROUP_GENERAL,
	  "export what is shown to a file: .svg .folded .speedscope.json .pb.gz",
	  NULL },
	{ K(UI_KEY_CTRL_L), UI_ACT_REDRAW, UI_GROUP_GENERAL, "redraw the screen", NULL },

	{ K(UI_KEY_LEFT, 'h'), UI_ACT_LEFT, UI_GROUP_NAVIGATE,
	  "previous frame on the row", NULL },
	{ K(UI_KEY_RIGHT, 'l'), UI_ACT_RIGHT, UI_GROUP_NAVIGATE, "next frame on the row",
	  NULL },
	{ K(UI_KEY_UP, 'k'), UI_ACT_UP, UI_GROUP_NAVIGATE,
	  "up: the caller (icicle), the line above", NULL },
	{ K(UI_KEY_DOWN, 'j'), UI_ACT_DOWN, UI_GROUP_NAVIGATE,
	  "down: the widest callee, the line below", NULL },
	{ K(UI_KEY_PGUP), UI_ACT_PAGE_UP, UI_GROUP_NAVIGATE, "page up", NULL },
	{ K(UI_KEY_PGDN), UI_ACT_PAGE_DOWN, UI_GROUP_NAVIGATE, "page down", NULL },
	{ K(UI_KEY_HOME), UI_ACT_HOME, UI_GROUP_NAVIGATE, "first line, the root frame",
	  NULL },
	{ K(UI_KEY_END), UI_ACT_END, UI_GROUP_NAVIGATE, "last line", NULL },
	{ K(UI_KEY_ENTER), UI_ACT_ENTER, UI_GROUP_NAVIGATE,
	  "zoom in; top-list: callers and callees; sandwich: centre on it", "Zoom" },
	{ K(UI_KEY_ESC, UI_KEY_BACKSPACE), UI_ACT_BACK, UI_GROUP_NAVIGATE,
	  "zoom out; back from callers and callees, or to the previous centre", "Back" },
	{ K('('), UI_ACT_ROWS_SHORTER, UI_GROUP_NAVIGATE,
	  "heatmap: shorter rows, more to a second (down to 10ms)", NULL },
	{ K(')'), UI_ACT_ROWS_TALLER, UI_GROUP_NAVIGATE,
	  "heatmap: taller rows, fewer to a second (up to 1s)", NULL },
	{ K('r'), UI_ACT_RESET, UI_GROUP_NAVIGATE,
	  "reset: no zoom (heatmap: rows that fit), no search, root selected", NULL },

	{ K('/', UI_KEY_F(3)), UI_ACT_SEARCH, UI_GROUP_SEARCH,
	  "search names (extended regex; empty clears)", "Search" },
	{ K('n'), UI_ACT_SEARCH_NEXT, UI_GROUP_SEARCH, "next match", NULL },
	{ K('N'), UI_ACT_SEARCH_PREV, UI_GROUP_SEARCH, "previous match", NULL },
	{ K('F'), UI_ACT_FILTER, UI_GROUP_SEARCH,
	  "filter: only stacks through a function matching (extended regex; empty clears)",
	  NULL },

	{ K('<'), UI_ACT_WIN_SHIFT_LEFT, UI_GROUP_WINDOW, "move the window earlier",
	  NULL },
	{ K('>'), UI_ACT_WIN_SHIFT_RIGHT, UI_GROUP_WINDOW, "move the window later",
	  NULL },
	{ K('['), UI_ACT_WIN_START_LEFT, UI_GROUP_WINDOW,
	  "start of the window earlier", NULL },
	{ K(']'), UI_ACT_WIN_START_RIGHT, UI_GROUP_WINDOW, "start of the window later",
	  NULL },
	{ K('{'), UI_ACT_WIN_END_LEFT, UI_GROUP_WINDOW, "end of the window earlier",
	  NULL },
	{ K('}'), UI_ACT_WIN_END_RIGHT, UI_GROUP_WINDOW, "end of the window later",
	  NULL },
	{ K('+', '='), UI_ACT_WIN_WIDER, UI_GROUP_WINDOW,
	  "wider window (live: twice the seconds)", NULL },
	{ K('-'), UI_ACT_WIN_NARROWER, UI_GROUP_WINDOW,
	  "narrower window (live: half the seconds)", NULL },
	{ K('L'), UI_ACT_WIN_LIVE, UI_GROUP_WINDOW,
	  "live: the last N seconds, following new data", "Live" },
	{ K('a'), UI_ACT_WIN_ALL, UI_GROUP_WINDOW, "everything retained", NULL },
	{ K('m'), UI_ACT_BASELINE, UI_GROUP_WINDOW,
	  "mark the window as the baseline the diff views compare with", NULL },
	{ K('X'), UI_ACT_SWAP, UI_GROUP_WINDOW, "swap the window and the baseline", NULL },
	{ K('z'), UI_ACT_DECAY, UI_GROUP_WINDOW,
	  "decay: older samples count less; half-life 5s, 10s, 30s, 60s, then off", NULL },
};

const size_t ui_nbindings = ARRAY_SIZE(ui_bindings);

const char *const ui_group_names[] = {
	[UI_GROUP_GENERAL] = "General",
	[UI_GROUP_VIEWS] = "Views",
	[UI_GROUP_NAVIGATE] = "Navigate",
	[UI_GROUP_SEARCH] = "Search",
	[UI_GROUP_WINDOW] = "Time window (on the strip)",
};

enum ui_action ui_keys_lookup(int key)
{
	size_t i, k;

	for (i = 0; i < ui_nbindings; i++) {
		for (k = 0; k < ARRAY_SIZE(ui_bindings[i].keys) && ui_bindings[i].keys[k]; k++)
			if (ui_bindings[i].keys[k] == key)
				return ui_bindings[i].action;
	}
	return UI_ACT_NONE;
}

void ui_keys_name(int key, char *out, size_t size)
{
	static const char *const names[] = {
		[UI_KEY_UP - UI_KEY_BASE] = "Up",
		[UI_KEY_DOWN - UI_KEY_BASE] = "Down",
		[UI_KEY_LEFT - UI_KEY_BASE] = "Left",
		[UI_KEY_RIGHT - UI_KEY_BASE] = "Right",
		[UI_KEY_PGUP - UI_KEY_BASE] = "PgUp",
		[UI_KEY_PGDN - UI_KEY_BASE] = "PgDn",
		[UI_KEY_HOME - UI_KEY_BASE] = "Home",
		[UI_KEY_END - UI_KEY_BASE] = "End",
		[UI_KEY_ENTER - UI_KEY_BASE] = "Enter",
		[UI_KEY_ESC - UI_KEY_BASE] = "Esc",
		[UI_KEY_BACKSPACE - UI_KEY_BASE] = "Backspace",
		[UI_KEY_TAB - UI_KEY_BASE] = "Tab",
		[UI_KEY_BTAB - UI_KEY_BASE] = "Shift-Tab",
		[UI_KEY_CTRL_L - UI_KEY_BASE] = "Ctrl-L",
		[UI_KEY_CTRL_C - UI_KEY_BASE] = "Ctrl-C",
	};

	if (key == ' ')
		snprintf(out, size, "Space");
	else if (key > ' ' && key < 0x7f)
		snprintf(out, size, "%c", key);
	else if (key >= UI_KEY_F1 && key <= UI_KEY_F12)
		snprintf(out, size, "F%d", key - UI_KEY_F1 + 1);
	else if (key >= UI_KEY_BASE && (size_t)(key - UI_KEY_BASE) < ARRAY_SIZE(names) &&
		 names[key - UI_KEY_BASE])
		snprintf(out, size, "%s", names[key - UI_KEY_BASE]);
	else
		snprintf(out, size, "?");
}

void ui_keys_names(const struct ui_binding *b, char *out, size_t size)
{
	size_t k, len = 0;

	if (size)
		out[0] = '\0';
	for (k = 0; k < ARRAY_SIZE(b->keys) && b->keys[k]; k++) {
		char name[32];

		ui_keys_name(b->keys[k], name, sizeof(name));
		if (len + strlen(name) + 2 > size)
			break;
		len += (size_t)snprintf(out + len, size - len, "%s%s", k ? " " : "", name);
	}
}

/*
 * The help's items in order: for each group its title, then its keys
 * (the Views group lists the view table), skipping empty groups.
 */
bool ui_help_item(size_t n, struct ui_help_item *out)
{
	size_t line = 0, i;
	int g;

	for (g = 0; g < UI_GROUP__COUNT; g++) {
		if (line++ == n) {
			out->title = ui_group_names[g];
			out->keys[0] = '\0';
			out->help = NULL;
			return true;
		}
		if (g == UI_GROUP_VIEWS) {
			for (i = 0; i < ui_views_count(); i++) {
				if (line++ != n)
					continue;
				out->title = NULL;
				ui_keys_name(ui_views_key(i), out->keys, sizeof(out->keys));
				out->help = ui_views_help(i);
				return true;
			}
			continue;
		}
		for (i = 0; i < ui_nbindings; i++) {
			if (ui_bindings[i].group != (enum ui_key_group)g || line++ != n)
				continue;
			out->title = NULL;
			ui_keys_names(&ui_bindings[i], out->keys, sizeof(out->keys));
			out->help = ui_bindings[i].help;
			return true;
		}
	}
	return false;
}
