#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The config file's settings are applied: the explorer, replaying the TUI
# fixture session, opens with each setting as if its key had been pressed
# after opening without the file (colours = module is c, colours = kind
# c c, graph = flame i, view = top t); theme = light draws what --theme
# light draws; mouse = no leaves the mouse to the terminal; window = 5m is
# the live window's span. A command-line option wins over the file.
# Screens are compared in colour (capture-pane -e), but for the status
# line, which shows the message a key leaves.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

need_tmux
SESSION="$GOLDEN/tui/replay.session"
[ -f "$SESSION" ] || hard_error "no fixture $SESSION"
COLS=100
ROWS=30

# open NAME CONFIG [OPTIONS]: the explorer on the fixture with the config
# file CONFIG (a string; "" for no file), waiting until it is drawn.
open() {
	mkdir -p "$T/$1/flametop"
	if [ -n "$2" ]; then
		printf '%s\n' "$2" >"$T/$1/flametop/config"
	fi
	tui_start "$1" "$COLS" "$ROWS" \
		"HOME='$T/$1' XDG_CONFIG_HOME='$T/$1' LANG=C.UTF-8 TERM=xterm-256color '$FLAMETOP' replay ${3:-} '$SESSION'"
	tui_wait "$1" 'q Quit' || fail "$1: the explorer did not start: $(tui_capture "$1")"
}

# canon: capture-pane -e output in a canonical form: each line's text with
# {fg/bg/attributes} wherever the effective attributes change. tmux writes
# the same screen with different escape sequences depending on how it was
# drawn (where a reset falls, blanks at line ends); what is seen is the same.
canon() {
	awk 'function reset() { fg = "d"; bg = "d"; split("", at) }
	function attrs(  k, s) { s = ""; for (k = 1; k <= 9; k++) if (at[k]) s = s k; return s }
	BEGIN { reset(); esc = sprintf("%c", 27) }
	{
		line = $0; out = ""; cur = ""
		while (line != "") {
			if (substr(line, 1, 2) == esc "[") {
				j = index(line, "m")
				if (j == 0) break
				n = split(substr(line, 3, j - 3), p, ";")
				line = substr(line, j + 1)
				if (n == 0) reset()
				for (k = 1; k <= n; k++) {
					v = p[k] + 0
					if (v == 0) reset()
					else if (v == 38 && p[k + 1] == 5) { fg = p[k + 2]; k += 2 }
					else if (v == 48 && p[k + 1] == 5) { bg = p[k + 2]; k += 2 }
					else if (v == 39) fg = "d"
					else if (v == 49) bg = "d"
					else if (v >= 30 && v <= 37) fg = v - 30
					else if (v >= 40 && v <= 47) bg = v - 40
					else if (v >= 90 && v <= 97) fg = v - 82
					else if (v >= 100 && v <= 107) bg = v - 92
					else if (v == 22) { at[1] = 0; at[2] = 0 }
					else if (v >= 23 && v <= 29) at[v - 20] = 0
					else if (v >= 1 && v <= 9) at[v] = 1
				}
				continue
			}
			st = "{" fg "/" bg "/" attrs() "}"
			if (st != cur) { out = out st; cur = st }
			out = out substr(line, 1, 1)
			line = substr(line, 2)
		}
		# Trailing blanks: tmux keeps them or not, by the same history.
		while (sub(/( |\{[^{}]*\})$/, "", out)) {}
		print out
	}'
}

# screen NAME: the pane in colour (canonical), the volatile header figures
# normalized, without the status line (the next to last).
screen() {
	tui_capture "$1" -e | canon | normalize | sed "$((ROWS - 1))d"
}

# same A B MESSAGE: the two panes show the same screen (waiting up to 30 s
# for the second to settle).
same() {
	i=0
	while [ "$i" -lt 300 ]; do
		screen "$1" >"$T/$1.same"
		screen "$2" >"$T/$2.same"
		if tui_capture "$1" | grep -q 'q Quit' && cmp -s "$T/$1.same" "$T/$2.same"; then
			pass "$3"
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	fail "$3: the screens differ (- $1, + $2):"
	diff -u "$T/$1.same" "$T/$2.same" | sed -n '3,$p' | cat -v | head -n 20 | sed 's/^/  | /'
}

# differs A B MESSAGE: the setting changes something at all.
differs() {
	if tui_capture "$1" | grep -q 'q Quit' && [ "$(screen "$1")" != "$(screen "$2")" ]; then
		pass "$3"
	else
		fail "$3: the two screens are the same"
	fi
}

open plain ""

# setting NAME CONFIG KEY...: CONFIG opens as the defaults then KEYs do.
# (tui.lib's functions set $name: these variables are the setting's own.)
setting() {
	set_name=$1
	set_config=$2
	shift 2
	open "$set_name" "$set_config"
	open "$set_name-keys" ""
	for key in "$@"; do
		tui_keys "$set_name-keys" "$key"
	done
	same "$set_name" "$set_name-keys" "'$set_config' opens as the keys $* do"
	differs "$set_name" plain "'$set_config' changes the screen"
	tui_keys "$set_name" q
	tui_keys "$set_name-keys" q
}

setting colours-module 'colours = module' c
setting colors-kind 'colors = kind' c c
setting graph-flame 'graph = flame' i
setting view-top 'view = top' t

# theme = light draws as --theme light does.
open theme-file 'theme = light'
open theme-option "" "--theme light"
same theme-file theme-option "'theme = light' draws as --theme light"
differs theme-file plain "'theme = light' changes the colours"
# The command line wins over the file.
open theme-both 'theme = light' "--theme mono"
open theme-mono "" "--theme mono"
same theme-both theme-mono "--theme mono wins over 'theme = light'"

# mouse = no: the terminal keeps the mouse (tmux's mouse_any_flag stays 0).
open mouse-off 'mouse = no'
assert_eq "$(tui_flags mouse-off | cut -d' ' -f4)" 0 "'mouse = no': the explorer does not take the mouse"
assert_eq "$(tui_flags plain | cut -d' ' -f4)" 1 "without the file: the explorer takes the mouse"

# window = 5m: the span of the live window (a replay played in real time
# follows the play position as the live view does).
open window-5m 'window = 5m' "--speed 1"
assert_screen window-5m 'live: last 5m00s' "'window = 5m': the live window spans 5 minutes"
open window-default "" "--speed 1"
assert_screen window-default 'live: last 30.0s' "without the file: the live window spans 30 s"
finish
