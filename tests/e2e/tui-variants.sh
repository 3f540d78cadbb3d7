#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The explorer on other terminals, replaying the fixture session at 100x30:
# LANG=C draws the graph and strip in plain ASCII (no byte >= 0x80 on the
# screen); the mono theme sends no colour at all (capture-pane -e: only
# attributes), while the default theme on this 256-colour tmux does use the
# 256-colour palette; TERM=screen (8 colours) gets only the 8 basic colours;
# a theme's normal background fills the view's empty cells; a terminal of
# 40 columns shows the top-list's percentages and whole names, without the
# weights and the module column that would cut them.
# Theme mistakes are usage errors said in one line before the terminal is
# touched: --theme nonexistent, a theme file that is not JSON (file, line
# and column), a theme with an unknown role.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

need_tmux
FIXTURE=$GOLDEN/tui/replay.session
mkdir -p "$T/config"
ENV="HOME='$T' XDG_CONFIG_HOME='$T/config'"
ESC=$(printf '\033')

# sgr_params FILE: every parameter of every SGR sequence in a capture -e,
# one a line ("38;5;196" stays one, "0" is a reset).
sgr_params() {
	grep -o "$ESC\\[[0-9;]*m" "$1" | sed -E "s/^$ESC\\[//; s/m\$//" | sort -u
}

# sgr_shows NAME REGEX: the pane's SGR parameters (capture -e, left in
# $T/NAME.screen) match REGEX (extended) now.
sgr_shows() {
	tui_capture "$1" -e >"$T/$1.screen"
	sgr_params "$T/$1.screen" | grep -Eq -- "$2"
}

# --- LANG=C: ASCII only --------------------------------------------------
tui_start ascii 100 30 "$ENV LANG=C LC_ALL=C '$FLAMETOP' replay '$FIXTURE' 2>'$T/ascii.err'"
assert_screen ascii 'end of the session' "LANG=C: the session is shown"
assert_screen ascii '^all \(3.7k samples\)' "LANG=C: the flame graph's root is drawn"
assert_screen ascii 'compute_hot +db_scan_table' "LANG=C: frames are drawn"
assert_screen ascii '^\[-+everything: 0ms to 20.0s-+\]$' "LANG=C: the window on the strip in ASCII"
assert_screen ascii '^[ _.:=+*#-]{100}$' "LANG=C: the strip is ASCII bars"
tui_keys ascii t
assert_screen ascii 'SELF +TOTAL +FUNCTION' "LANG=C: the top-list"
tui_keys ascii f
assert_screen ascii 'compute\.\. compute_hot' "LANG=C: labels cut with '..', not an ellipsis"
tui_capture ascii >"$T/ascii.screen"
high=$(LC_ALL=C tr -d '\000-\177' <"$T/ascii.screen" | wc -c)
assert_eq "$high" 0 "LANG=C: no byte >= 0x80 on the screen"
tui_keys ascii q
tui_exit ascii

# --- colours: 256 by default, none in mono, 8 on TERM=screen -------------
tui_start c256 100 30 "$ENV LANG=C.UTF-8 '$FLAMETOP' replay '$FIXTURE' 2>'$T/c256.err'"
assert_screen c256 'end of the session' "default theme: the session is shown"
if wait_until 30 sgr_shows c256 '(^|;)[34]8;5;'; then
	pass "default theme: 256-colour sequences on a 256-colour terminal"
else
	fail "default theme: no 256-colour sequence: $(sgr_params "$T/c256.screen" | tr '\n' ' ')"
fi
tui_keys c256 q
tui_exit c256

# A theme's normal colours fill the whole view, gaps and empty rows too: in
# high-contrast (white on black) no cell of the flame graph's rows falls
# back to the terminal's own background (SGR 49, or a reset 0).
tui_start hc 100 30 "$ENV LANG=C.UTF-8 '$FLAMETOP' replay --theme high-contrast '$FIXTURE' 2>'$T/hc.err'"
assert_screen hc 'compute_hot +db_scan_table' "high-contrast: frames are drawn"
tui_capture hc -e | sed -n '6,28p' >"$T/hc.main"
resets=$(sgr_params "$T/hc.main" | tr ';' '\n' | grep -cxE '0|49')
assert_eq "$resets" 0 "high-contrast: the view's empty cells have the theme's background"
tui_keys hc q
tui_exit hc

tui_start mono 100 30 "$ENV LANG=C.UTF-8 '$FLAMETOP' replay --theme mono '$FIXTURE' 2>'$T/mono.err'"
assert_screen mono 'end of the session' "mono: the session is shown"
assert_screen mono 'compute_hot +db_scan_table' "mono: frames are drawn"
tui_keys mono Down
# The selection (reverse video: 7) is drawn once Down is handled.
wait_until 30 sgr_shows mono '(^|;)7(;|$)'
# 39 and 49 are the terminal's own colours (a reset), not a colour.
colours=$(sgr_params "$T/mono.screen" | tr ';' '\n' | grep -E '^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$' | sort -u | tr '\n' ' ')
assert_eq "$colours" "" "mono: no colour in any escape sequence"
if sgr_params "$T/mono.screen" | tr ';' '\n' | grep -qx 7; then
	pass "mono: the selection is shown in reverse video"
else
	fail "mono: no reverse video: $(sgr_params "$T/mono.screen" | tr '\n' ' ')"
fi
tui_keys mono q
tui_exit mono

tui_start c8 100 30 "$ENV TERM=screen LANG=C.UTF-8 '$FLAMETOP' replay '$FIXTURE' 2>'$T/c8.err'"
assert_screen c8 'end of the session' "TERM=screen: the session is shown"
assert_screen c8 'compute_hot +db_scan_table' "TERM=screen: frames are drawn"
wait_until 30 sgr_shows c8 '(^|;)4[0-7](;|$)'
params=$(sgr_params "$T/c8.screen" | tr ';' '\n' | sort -u)
if echo "$params" | grep -Eq '^4[0-7]$'; then
	pass "TERM=screen: frames have basic background colours"
else
	fail "TERM=screen: no basic colours: $(echo "$params" | tr '\n' ' ')"
fi
if sgr_params "$T/c8.screen" | grep -Eq '(^|;)[34]8;'; then
	fail "TERM=screen: 256-colour or RGB sequences on an 8-colour terminal"
else
	pass "TERM=screen: only the 8 basic colours"
fi
tui_keys c8 q
tui_exit c8
assert_eq "$RC" 0 "TERM=screen: q exits 0"

# --- theme mistakes --------------------------------------------------------
# bad_theme NAME REGEX ARGS...: flametop replay ARGS fails with exit 2 and
# one line matching REGEX (all of it) on stderr, nothing on stdout, even
# without a terminal (it stops before looking for one).
bad_theme() {
	name=$1
	want=$2
	shift 2
	HOME=$T XDG_CONFIG_HOME=$T/config "$FLAMETOP" replay "$@" "$FIXTURE" \
		</dev/null >"$T/$name.out" 2>"$T/$name.err"
	assert_eq "$?" 2 "$name: exit status"
	assert_eq "$(wc -l <"$T/$name.err")" 1 "$name: one line on stderr"
	if grep -Eqx -- "$want" "$T/$name.err"; then
		pass "$name: says $(cat "$T/$name.err")"
	else
		fail "$name: stderr is '$(cat "$T/$name.err")', want /$want/"
	fi
	assert_eq "$(wc -c <"$T/$name.out")" 0 "$name: nothing on stdout"
}
bad_theme nonexistent "flametop: theme 'nonexistent' not found \(looked in .*themes\)" \
	--theme nonexistent
printf '{\n  "name": "broken",\n  "roles": {\n    "normal": { "fg": 7 },,\n  }\n}\n' >"$T/broken.json"
bad_theme broken-json "flametop: $T/broken.json:4:[0-9]+: .*" --theme "$T/broken.json"
printf '{\n  "name": "odd",\n  "roles": { "sparkle": { "fg": 1 } }\n}\n' >"$T/odd.json"
bad_theme unknown-role "flametop: $T/odd.json: unknown role \(the roles are normal, header, .*\)" --theme "$T/odd.json"

# --- 40 columns: the top-list keeps the names --------------------------
VIEWS=$GOLDEN/tui/views.session
tui_start narrow 40 14 "$ENV LANG=C.UTF-8 '$FLAMETOP' replay --view top '$VIEWS' 2>'$T/narrow.err'"
assert_screen narrow '^ +SELF +TOTAL +FUNCTION' "40 columns: the header names the two percentages"
assert_screen narrow '^ +75\.9% +75\.9% +ft_leaf$' "40 columns: ft_leaf's name whole, its shares beside it"
assert_screen narrow '^ +0\.0% +100\.0% +_start$' "40 columns: _start's whole share, no module column"
tui_keys narrow q
tui_exit narrow
assert_eq "$RC" 0 "40 columns: q exits 0"

# In a terminal: the message is on the pane as the command left it, and
# the terminal was never switched to the alternate screen.
tui_start badterm 100 30 "$ENV '$FLAMETOP' replay --theme nonexistent '$FIXTURE'"
if tui_exit badterm; then
	assert_eq "$RC" 2 "--theme nonexistent in a terminal: exit 2"
else
	fail "--theme nonexistent in a terminal: still running"
fi
assert_screen badterm "^flametop: theme 'nonexistent' not found" "--theme nonexistent: the line is on the terminal"
assert_restored badterm "--theme nonexistent"

finish
