/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The terminal: curses set up and torn down, colours, and the promise that
 * the terminal comes back whatever happens. A normal exit calls endwin();
 * SIGINT, SIGTERM and SIGHUP only set a flag the loop sees; a crash
 * (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) and an allocation failure
 * (util_set_fatal_hook) restore the terminal first, with only
 * async-signal-safe calls: the terminal modes saved before curses started
 * and the escape strings to leave the alternate screen, show the cursor,
 * reset attributes and stop mouse reports, fetched from terminfo up front.
 */
#include "config.h"

#include "tui.h"

#include <errno.h>
#include <limits.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <curses.h>
#include <term.h>

static struct termios saved_tio;
static bool have_tio;
static char restore_seq[512];
static size_t restore_len;
static volatile sig_atomic_t screen_active;
static char unlink_path[4096]; /* a temp file to remove on a crash */
static volatile sig_atomic_t stop_signal;
static char altstack[65536];

static void append_cap(const char *name)
{
	const char *s = tigetstr(name);
	size_t n;

	if (!s || s == (char *)-1)
		return;
	n = strlen(s);
	if (restore_len + n < sizeof(restore_seq)) {
		memcpy(restore_seq + restore_len, s, n);
		restore_len += n;
	}
}

static void append_str(const char *s)
{
	size_t n = strlen(s);

	if (restore_len + n < sizeof(restore_seq)) {
		memcpy(restore_seq + restore_len, s, n);
		restore_len += n;
	}
}

/* Reports of the mouse moving while a button is held (xterm's button-event
 * tracking), on and off. */
#define DRAG_ON "\033[?1002h"
#define DRAG_OFF "\033[?1002l"

/* Writes `s` to the terminal now, past curses' buffer. */
static void put_now(const char *s)
{
	ssize_t r;

	fflush(stdout);
	r = write(STDOUT_FILENO, s, strlen(s));
	(void)r;
}

/* Async-signal-safe: puts the terminal back as it was before curses. */
static void emergency_restore(void)
{
	ssize_t r;

	if (!screen_active)
		return;
	screen_active = 0;
	r = write(STDOUT_FILENO, restore_seq, restore_len);
	(void)r;
	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	if (unlink_path[0])
		unlink(unlink_path);
}

static void on_crash(int sig)
{
	static const char msg[] = "flametop: crashed; the terminal was restored\n";
	ssize_t r;

	emergency_restore();
	r = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)r;
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_stop(int sig)
{
	stop_signal = sig;
}

int ui_screen_stop_signal(void)
{
	return stop_signal;
}

void ui_screen_set_unlink(const char *path)
{
	if (!path) {
		unlink_path[0] = '\0';
		return;
	}
	if (strlen(path) < sizeof(unlink_path))
		memcpy(unlink_path, path, strlen(path) + 1);
}

static void install_signals(void)
{
	static const int crash[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct sigaction sa;
	stack_t ss;
	size_t i;

	ss.ss_sp = altstack;
	ss.ss_size = sizeof(altstack);
	ss.ss_flags = 0;
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
	for (i = 0; i < ARRAY_SIZE(crash); i++)
		sigaction(crash[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * Whether the terminal type can draw the live view: "" when it can, else
 * why not. A type without cursor addressing ("dumb", an editor's shell
 * buffer) would get a line of blanks and leave what it drew on the
 * shell's line. Nothing is written to the terminal.
 */
static const char *term_unusable(void)
{
	const char *cup;
	int errret = 0;
	bool ok;

	if (setupterm(NULL, STDOUT_FILENO, &errret) != OK)
		return "not in the terminfo database";
	cup = tigetstr("cup");
	ok = cup && cup != (char *)-1;
	del_curterm(cur_term);
	return ok ? "" : "it cannot move the cursor, which the live view needs";
}

void ui_screen_buffer_output(void)
{
	endwin();
	doupdate();
}

int ui_screen_open(struct ui_screen *s, bool mouse, bool force_mono, struct ft_error *err)
{
	const char *codeset, *why, *term = getenv("TERM");

	memset(s, 0, sizeof(*s));
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		error_set(err, "the live view needs a terminal (stdin and stdout); "
			       "'flametop record' samples without one");
		return -ENOTTY;
	}
	if (!term || !*term)
		setenv("TERM", "vt100", 1);
	why = term_unusable();
	if (*why) {
		error_set(err, "cannot use terminal type '%s': %s (try TERM=xterm-256color)",
			  getenv("TERM"), why);
		return -EINVAL;
	}
	/* UTF-8 is decided by the locale's character set alone; numbers stay
	 * in the C locale. */
	setlocale(LC_CTYPE, "");
	codeset = nl_langinfo(CODESET);
	s->utf8 = codeset && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
	if (tcgetattr(STDIN_FILENO, &saved_tio) == 0)
		have_tio = true;
	/* Ours before curses starts, so it keeps them (it installs its own
	 * only where the default is in place). */
	install_signals();
	s->term = newterm(NULL, stdout, stdin);
	if (!s->term) {
		error_set(err, "cannot use terminal type '%s'", getenv("TERM"));
		return -EINVAL;
	}
	set_term(s->term);
	ui_screen_buffer_output();
	restore_len = 0;
	if (mouse)
		append_str("\033[?1006l" DRAG_OFF "\033[?1000l");
	append_cap("sgr0");
	append_cap("cnorm");
	append_cap("rmkx");
	append_cap("rmcup");
	screen_active = 1;
	util_set_fatal_hook(emergency_restore);

	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	if (mouse) {
		/* Presses and releases as they come (tui.c tells a click from a
		 * drag and times a double click), and the position while the
		 * button is held: button-event tracking (1002), which
		 * mousemask() does not ask for. It flushes its own request
		 * (1000, which would turn 1002 off) at once, so ours follows. */
		mousemask(BUTTON1_PRESSED | BUTTON1_RELEASED | REPORT_MOUSE_POSITION |
				  BUTTON4_PRESSED | BUTTON5_PRESSED,
			  NULL);
		mouseinterval(0);
		put_now(DRAG_ON);
		s->mouse = true;
	}
	s->colors = 0;
	if (!force_mono && has_colors() && !getenv("NO_COLOR")) {
		start_color();
		s->default_fg = use_default_colors() == OK;
		s->colors = COLORS >= 256 ? 256 : COLORS >= 8 ? 8 : 0;
	}
	return 0;
}

void ui_screen_close(struct ui_screen *s)
{
	if (!s->term)
		return;
	if (screen_active) {
		if (s->mouse)
			put_now(DRAG_OFF);
		mousemask(0, NULL);
		endwin();
		screen_active = 0;
		if (have_tio)
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	}
	util_set_fatal_hook(NULL);
	delscreen(s->term);
	s->term = NULL;
}

/* Colour pair cache: pairs 1..UI_ROLE__COUNT are the roles; frame
 * colours get pairs after them as they are first used. */
static int pair_color(const struct ui_screen *s, int c)
{
	if (c < 0 || s->colors == 0)
		return -1;
	if (s->colors < 256)
		return ui_theme_color8(c);
	return c;
}

void ui_screen_theme(struct ui_screen *s, const struct ui_theme *t)
{
	int i;

	s->theme = *t;
	s->nframe_pairs = 0;
	memset(s->frame_pair, 0, sizeof(s->frame_pair));
	memset(s->blank_pair, 0, sizeof(s->blank_pair));
	memset(s->heat_pair, 0, sizeof(s->heat_pair));
	if (!s->colors)
		return;
	for (i = 0; i < UI_ROLE__COUNT; i++)
		init_pair((short)(i + 1), (short)pair_color(s, t->roles[i].fg),
			  (short)pair_color(s, t->roles[i].bg));
}

void ui_screen_window(struct ui_screen *s, WINDOW *w)
{
	if (s->colors && w)
		wbkgdset(w, ' ' | COLOR_PAIR(UI_ROLE_NORMAL + 1));
}

static attr_t attrs_of(unsigned a)
{
	attr_t r = 0;

	if (a & UI_ATTR_BOLD)
		r |= A_BOLD;
	if (a & UI_ATTR_REVERSE)
		r |= A_REVERSE;
	if (a & UI_ATTR_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & UI_ATTR_DIM)
		r |= A_DIM;
	return r;
}

/* What a role looks like on a terminal without colour. */
static unsigned mono_attrs(enum ui_role r)
{
	switch (r) {
	case UI_ROLE_HEADER:
	case UI_ROLE_STATUS:
	case UI_ROLE_STRIP_WINDOW:
	case UI_ROLE_FOOTER_KEY:
		return UI_ATTR_REVERSE;
	case UI_ROLE_HEADER_KEY:
	case UI_ROLE_TITLE:
	case UI_ROLE_ERROR:
		return UI_ATTR_REVERSE | UI_ATTR_BOLD;
	case UI_ROLE_SELECTED:
		return UI_ATTR_BOLD | UI_ATTR_UNDERLINE;
	case UI_ROLE_MATCH:
	case UI_ROLE_STRIP_CURSOR:
		return UI_ATTR_BOLD;
	default:
		return 0;
	}
}

void ui_screen_role(struct ui_screen *s, WINDOW *w, enum ui_role r)
{
	if (!s->colors) {
		wattrset(w, attrs_of(s->theme.mono ? s->theme.roles[r].attrs : mono_attrs(r)));
		return;
	}
	wattrset(w, COLOR_PAIR(r + 1) | attrs_of(s->theme.roles[r].attrs));
}

/* The index of `color` among the frames' pairs, made on first use; -1
 * when there is no room for it. */
static int frame_index(struct ui_screen *s, int color)
{
	int i;

	for (i = 0; i < s->nframe_pairs; i++)
		if (s->frame_color[i] == color)
			return i;
	if (s->nframe_pairs == (int)ARRAY_SIZE(s->frame_pair) ||
	    UI_ROLE__COUNT + 1 + i >= COLOR_PAIRS)
		return -1;
	s->frame_color[i] = color;
	s->frame_pair[i] = (short)(UI_ROLE__COUNT + 1 + i);
	s->blank_pair[i] = 0;
	init_pair(s->frame_pair[i], (short)pair_color(s, s->theme.frame_fg),
		  (short)pair_color(s, color));
	s->nframe_pairs++;
	return i;
}

void ui_screen_frame(struct ui_screen *s, WINDOW *w, int color)
{
	int i;

	if (!s->colors || s->theme.mono || color < 0 || (i = frame_index(s, color)) < 0) {
		wattrset(w, A_REVERSE);
		return;
	}
	wattrset(w, COLOR_PAIR(s->frame_pair[i]));
}

/* Pairs after the roles', the frames' 64 and the heatmap's. */
#define BLANK_PAIR_BASE                                                                        \
	(UI_ROLE__COUNT + 1 + (int)ARRAY_SIZE(s->frame_pair) + UI_HEAT_LEVELS * UI_HEAT_LEVELS)

void ui_screen_frame_blank(struct ui_screen *s, WINDOW *w, int color)
{
	int i, id;

	if (!s->colors || s->theme.mono || color < 0 || !s->default_fg ||
	    (i = frame_index(s, color)) < 0) {
		ui_screen_frame(s, w, color);
		return;
	}
	if (!s->blank_pair[i]) {
		id = BLANK_PAIR_BASE + i;
		if (id >= COLOR_PAIRS || id > SHRT_MAX) {
			ui_screen_frame(s, w, color);
			return;
		}
		init_pair((short)id, -1, (short)pair_color(s, color));
		s->blank_pair[i] = (short)id;
	}
	wattrset(w, COLOR_PAIR(s->blank_pair[i]));
}

bool ui_screen_heat(struct ui_screen *s, WINDOW *w, int top, int bottom)
{
	int id;

	if (!s->colors || s->theme.mono || top < 0 || bottom < 0 || top >= UI_HEAT_LEVELS ||
	    bottom >= UI_HEAT_LEVELS)
		return false;
	if (!s->heat_pair[top][bottom]) {
		/* After the roles' pairs and the frames' 64. */
		id = UI_ROLE__COUNT + 1 + (int)ARRAY_SIZE(s->frame_pair) + top * UI_HEAT_LEVELS +
		     bottom;
		if (id >= COLOR_PAIRS)
			return false;
		init_pair((short)id, (short)pair_color(s, ui_theme_heat_color(top)),
			  (short)pair_color(s, ui_theme_heat_color(bottom)));
		s->heat_pair[top][bottom] = (short)id;
	}
	wattrset(w, COLOR_PAIR(s->heat_pair[top][bottom]));
	return true;
}
