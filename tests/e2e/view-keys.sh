#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The view table as a user meets it, on the views fixture replayed at
# 100x30: --view opens each view by name; Tab cycles them all in the
# table's order and Shift-Tab back; each view's key shows it; ? lists every
# view with its key; keys a view does not answer (i in the sandwich) do
# nothing there and leave its footer. An unknown --view, or a --focus that
# is no regex, is a usage error (exit 2) said before the terminal is
# touched, the former listing the views. The lines view on a session
# without addresses says why it has no lines.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"
# shellcheck source=tests/e2e/views.lib
. "$(dirname "$TESTLIB")/views.lib"

need_tmux

# What each view shows of the fixture first (a main row and a pattern).
marker_row() {
	case $1 in
	flame | inverted) echo 1 ;;
	*) echo 0 ;;
	esac
}
marker() {
	case $1 in
	flame) echo '^_start( |$)' ;;
	top) echo 'SELF +TOTAL +FUNCTION' ;;
	sandwich) echo '^ Sandwich of ft_leaf ' ;;
	inverted) echo '^ft_leaf( |$)' ;;
	lines) echo '^ Lines of ft_leaf, ' ;;
	diff) echo '^ diff .* than baseline everything' ;;
	difftop) echo '^ diff: the window against baseline everything' ;;
	heatmap) echo '^ heatmap: a column a second' ;;
	esac
}
VIEWS="flame top sandwich inverted lines diff difftop heatmap"

# Usage errors, before any terminal.
"$FLAMETOP" replay --view nope "$VIEWS_FIXTURE" >"$T/nope.out" 2>"$T/nope.err" </dev/null
assert_eq "$?" 2 "--view nope: exit status 2"
assert_eq "$(cat "$T/nope.err")" \
	"flametop: --view: no view 'nope' (the views: flame, top, sandwich, inverted, lines, diff, difftop, heatmap)" \
	"--view nope: the message lists the views"
"$FLAMETOP" replay --focus '(' "$VIEWS_FIXTURE" >"$T/focus.out" 2>"$T/focus.err" </dev/null
assert_eq "$?" 2 "--focus '(': exit status 2"
assert_match "$(cat "$T/focus.err")" '^flametop: --focus: ' "--focus '(': said in one line"

# --view NAME opens each.
for v in $VIEWS; do
	tui_start "v_$v" 100 30 "$VIEWS_ENV '$FLAMETOP' replay --view $v '$VIEWS_FIXTURE' 2>'$T/v_$v.err'"
done
for v in $VIEWS; do
	assert_main "v_$v" "$(marker_row "$v")" "$(marker "$v")" "--view $v opens the $v view"
	[ "$v" = lines ] && assert_screen v_lines 'none of its samples has a code location' \
		"lines, on a session without addresses: says so"
	tui_keys "v_$v" q
done

# Tab cycles them in the table's order, Shift-Tab goes back; their keys.
tui_start cyc 100 30 "$VIEWS_ENV '$FLAMETOP' replay '$VIEWS_FIXTURE' 2>'$T/cyc.err'"
assert_main cyc 1 "$(marker flame)" "the flame graph first"
for v in top sandwich inverted lines diff difftop heatmap flame; do
	tui_keys cyc Tab
	assert_main cyc "$(marker_row "$v")" "$(marker "$v")" "Tab: the $v view"
done
tui_keys cyc BTab
assert_main cyc 0 "$(marker heatmap)" "Shift-Tab: back to the heatmap view"
for k in t:top S:sandwich b:inverted A:lines d:diff D:difftop H:heatmap f:flame; do
	tui_keys cyc "${k%%:*}"
	assert_main cyc "$(marker_row "${k#*:}")" "$(marker "${k#*:}")" "${k%%:*}: the ${k#*:} view"
done

# The sandwich answers no flip, and its footer does not offer it.
tui_keys cyc S
assert_main cyc 0 "$(marker sandwich)" "S: the sandwich"
assert_not_screen cyc ' i Flip ' "the sandwich's footer has no Flip"
tui_keys cyc i
sleep 0.3
assert_main cyc 0 "$(marker sandwich)" "i in the sandwich changes nothing"

# ? lists every view with its key.
tui_keys cyc '?'
assert_screen cyc 'flametop keys' "? opens the help"
for k in f:flame t:top S:sandwich b:bottom-up A:lines d:diff; do
	assert_screen cyc "^ +${k%%:*} +${k#*:}" "the help lists ${k#*:} under ${k%%:*}"
done
# The rest is below the fold: Down scrolls the help.
tui_keys cyc Down Down Down Down
assert_screen cyc "^ +D +diff" "the help lists diff under D (scrolled)"
assert_screen cyc "^ +H +heatmap" "the help lists heatmap under H (scrolled)"
# The mouse, last (PgDn to the end): what a click and a drag do, the
# strip's drag included.
tui_keys cyc PgDn PgDn PgDn PgDn
assert_screen cyc "^ +Mouse" "the help has a Mouse section"
assert_screen cyc "a drag along the strip sets the window" \
	"the help says a drag on the strip sets the window"
assert_screen cyc "a drag on the heatmap selects" "the help says a drag on the heatmap selects"
tui_keys cyc x
# Narrow, a long line wraps under its description instead of being cut.
tmx resize-window -t cyc -x 60 -y 30
tui_keys cyc '?'
assert_screen cyc "^ +p +show one process or thread, attaching to *$" "narrow help: p's line starts"
assert_screen cyc "^ {17}it if need be \\(a picker\\)" "narrow help: and ends on the next row, under its description"
tui_keys cyc x
tmx resize-window -t cyc -x 100 -y 30
tui_keys cyc q
if tui_exit cyc; then
	assert_eq "$RC" 0 "q exits 0"
else
	fail "still running 30 s after q"
fi
for v in $VIEWS cyc; do
	n=$v
	[ "$v" = cyc ] || n="v_$v"
	[ -s "$T/$n.err" ] && fail "$n: stderr not empty: $(head -c 300 "$T/$n.err")"
done
finish
