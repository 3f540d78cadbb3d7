#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The diff views, on the views fixture replayed at 100x30
# (tests/unit/test_ui_views_fixture.c): of every ten ticks, 4 in
# main -> ft_caller_a -> ft_leaf, 1 in ft_caller_b -> ft_work, 1 in
# ft_other, and in the last 15 s only 4 more in ft_caller_b -> ft_leaf.
# So the last 15 s against the first 15 s (m marks the window as the
# baseline, > moves the window) gives, by the split of work: ft_leaf's
# self share up from 40/59 to 80/99 (+13 points), ft_work's and
# ft_other's down (about -7 and -6), ft_caller_b's stacks much wider
# (red in the diff flame graph), ft_caller_a's narrower (blue), main the
# same (grey). c switches red to orange (--theme colorblind starts
# so); X swaps the two windows, and the
# signs with them. --baseline FILE compares with a session file; one in
# another unit is refused in one line before the terminal is used.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"
# shellcheck source=tests/e2e/views.lib
. "$(dirname "$TESTLIB")/views.lib"

need_tmux

ESC=$(printf '\033')
# bg_of NAME WORD: the 256-colour background the word is drawn on in a
# capture with attributes, or "none".
bg_of() {
	tui_capture "$1" -e | sed -n '5,$p' | sed -E "s/$ESC\\[[0-9;]*m/&\n/g" | awk -v w="$2" '
		{ if (match($0, /48;5;[0-9]+m/)) bg = substr($0, RSTART + 5, RLENGTH - 6)
		  if (index($0, w) == 1) { print bg; found = 1; exit } }
		END { if (!found) print "none" }'
}
# in_ramp VALUE NAME LIST MESSAGE
in_ramp() {
	case " $3 " in
	*" $1 "*) pass "$4: colour $1 is $2" ;;
	*) fail "$4: colour $1 is not $2 ($3)" ;;
	esac
}
RED="224 217 210 203 196"
ORANGE="230 223 215 208 202"
BLUE="195 153 111 69 27"

# change_of NAME FUNCTION: the CHANGE column of FUNCTION's line in the diff top-list.
change_of() {
	sed -n '7,$p' "$T/$1.screen" | awk -v f="$2" '$4 == f { print $3 + 0; exit }'
}

tui_start diff 100 30 "$VIEWS_ENV TERM=xterm-256color '$FLAMETOP' replay --view difftop '$VIEWS_FIXTURE' 2>'$T/diff.err'"
assert_screen diff 'end of the session' "the fixture is loaded"
assert_main diff 0 'diff: the window against baseline everything' "the baseline is everything until one is marked"
assert_main diff 2 ' \+0\.00 ' "the window against itself: no change"

# The first 15 s as the baseline, then the window moved to the last 15 s.
k=0
while [ "$k" -lt 15 ]; do
	tui_keys diff '{'
	k=$((k + 1))
done
assert_screen diff 'window 0ms to 15\.0s' "the window is the first 15 s"
tui_keys diff m
assert_screen diff 'baseline: 0ms-15\.0s; move the window' "m says what it marked"
k=0
while [ "$k" -lt 15 ]; do
	tui_keys diff '>'
	k=$((k + 1))
done
assert_screen diff 'window 15\.0s to 30\.0s' "the window is the last 15 s"
assert_main diff 0 'against baseline 0ms-15\.0s' "the title names the baseline"
assert_main diff 2 ' ft_leaf ' "ft_leaf changed most, first line"
assert_between "$(change_of diff ft_leaf)" 11 15 "ft_leaf: self share up by about 13 points"
assert_between "$(change_of diff ft_work)" -8 -5 "ft_work: down by about 7 points"
assert_between "$(change_of diff ft_other)" -8 -5 "ft_other: down by about 6 points"
assert_eq "$(change_of diff main)" 0 "main: no self, no change"

# The diff flame graph: colours by change of the stack's share.
tui_keys diff d
assert_main diff 0 ' diff .*more.*same.*less +than baseline 0ms-15\.0s' "d: the legend names the baseline"
assert_main diff 4 '^ft_caller_a .*ft_caller_b ' "d: the window's call tree"
in_ramp "$(bg_of diff ft_caller_b)" red "$RED" "ft_caller_b (up from 17% to 51%)"
in_ramp "$(bg_of diff ft_caller_a)" blue "$BLUE" "ft_caller_a (down from 68% to 40%)"
assert_eq "$(bg_of diff main)" 250 "main (100% on both sides) is grey"
tui_keys diff c
assert_screen diff 'colour-blind safe' "c: the colour-blind-safe colours"
in_ramp "$(bg_of diff ft_caller_b)" orange "$ORANGE" "c: ft_caller_b"
in_ramp "$(bg_of diff ft_caller_a)" blue "$BLUE" "c: ft_caller_a"
tui_keys diff c

# x: the first 15 s against the last: the signs turn.
tui_keys diff X
assert_screen diff 'window 0ms to 15\.0s' "x: the window is the first 15 s again"
assert_main diff 0 'than baseline 15\.0s-30\.0s' "x: the baseline is the last 15 s"
in_ramp "$(bg_of diff ft_caller_b)" blue "$BLUE" "x: ft_caller_b (down)"
in_ramp "$(bg_of diff ft_caller_a)" red "$RED" "x: ft_caller_a (up)"
tui_keys diff D
assert_between "$(wait_main diff 2 ' ft_leaf ' && change_of diff ft_leaf)" -15 -11 "x: ft_leaf down by about 13 points"

# The help lists the keys (the window's at the end).
tui_keys diff '?'
assert_screen diff 'flametop keys' "? shows the help"
tui_keys diff NPage NPage NPage
assert_screen diff ' m +mark the window as the baseline' "? lists m"
assert_screen diff ' X +swap the window and the baseline' "? lists X"
tui_keys diff q
tui_keys diff q
if tui_exit diff; then
	assert_eq "$RC" 0 "q exits 0"
else
	fail "still running 30 s after q"
fi
assert_restored diff "diff"
[ -s "$T/diff.err" ] && fail "stderr not empty: $(head -c 300 "$T/diff.err")"

# The colorblind theme starts the diff views in orange and blue.
tui_start cb 100 30 "$VIEWS_ENV TERM=xterm-256color '$FLAMETOP' replay --theme colorblind --view diff '$VIEWS_FIXTURE' 2>'$T/cb.err'"
assert_screen cb 'end of the session' "--theme colorblind: loaded"
k=0
while [ "$k" -lt 15 ]; do
	tui_keys cb '{'
	k=$((k + 1))
done
assert_screen cb 'window 0ms to 15\.0s' "--theme colorblind: the first 15 s"
tui_keys cb m a
assert_main cb 0 'than baseline 0ms-15\.0s' "--theme colorblind: m then a, the whole against the first half"
in_ramp "$(bg_of cb ft_caller_b)" orange "$ORANGE" "--theme colorblind: ft_caller_b (up)"
tui_keys cb q
tui_exit cb
assert_eq "$RC" 0 "--theme colorblind: q exits 0"

# --baseline FILE: the whole fixture as the baseline of its first 15 s.
tui_start file 100 30 "$VIEWS_ENV TERM=xterm-256color '$FLAMETOP' replay --view difftop --baseline '$VIEWS_FIXTURE' '$VIEWS_FIXTURE' 2>'$T/file.err'"
assert_main file 0 'against baseline views\.session \(' "--baseline: the title names the file"
assert_main file 2 ' \+0\.00 ' "the whole session against itself: no change"
k=0
while [ "$k" -lt 15 ]; do
	tui_keys file '{'
	k=$((k + 1))
done
assert_screen file 'window 0ms to 15\.0s' "the window is the first 15 s"
# ft_leaf: 40/59 of the first half, 120/158 of the whole.
if wait_main file 2 ' ft_leaf '; then
	assert_between "$(change_of file ft_leaf)" -10 -6 "first 15 s against the whole file: ft_leaf down about 8 points"
else
	fail "ft_leaf is not first"
	sed 's/^/  | /' "$T/file.screen"
fi
# A function filter counts in the baseline session too (ft_caller_a: 1.2k of
# its 2.4k samples), and an empty one counts all of it again.
tui_keys file F C-u ft_caller_a Enter
assert_main file 0 'against baseline views\.session \(1\.2k samples\)' \
	"F: the baseline file counts only the stacks through the function"
tui_keys file F C-u Enter
assert_main file 0 'against baseline views\.session \(2\.4k samples\)' \
	"F and an empty line: the whole baseline file again"
tui_keys file X
assert_screen file 'the baseline is a session file' "x with a file baseline says why not"
tui_keys file q
tui_exit file
assert_eq "$RC" 0 "--baseline: q exits 0"

# Another unit: refused before the terminal is used.
printf 'main;a 5\n' >"$T/counts.folded"
"$FLAMETOP" import "$T/counts.folded" -o "$T/counts.session" >/dev/null 2>&1 ||
	hard_error "cannot import a folded file"
tui_start units 100 30 "$VIEWS_ENV '$FLAMETOP' replay --baseline '$T/counts.session' '$VIEWS_FIXTURE' 2>'$T/units.err'"
if tui_exit units; then
	assert_eq "$RC" 1 "a baseline in samples against ns: exit status"
	assert_one_error_line "$T/units.err" "--baseline in another unit"
	assert_match "$(error_line "$T/units.err")" '^flametop: --baseline: .*different units cannot be compared' \
		"--baseline in another unit: the reason"
else
	fail "a baseline in another unit did not end the explorer"
fi
finish
