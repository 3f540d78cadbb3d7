#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The sandwich view, on the views fixture replayed at 100x30
# (tests/unit/test_ui_views_fixture.c). --focus ^ft_leaf$ puts ft_leaf in
# the middle: on the row above it (the callers grow upwards) both its
# callers, ft_caller_a and ft_caller_b, then main; below it, where its
# callees would be, nothing (it calls nothing). Up crosses from the
# callees' half into the callers', Up again selects a caller (the status
# line gives a caller its total only, never where stacks start as its
# self), Enter puts that caller in the middle (its callees: ft_leaf, for
# ft_caller_a), Esc goes back. The function selected in another view comes along (t, then
# S), and the time window applies: over the first 14 s ft_leaf has only
# ft_caller_a above it.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"
# shellcheck source=tests/e2e/views.lib
. "$(dirname "$TESTLIB")/views.lib"

need_tmux

# middle NAME FUNCTION: the row of the callers' half's bottom, the first
# of the two rows that start with FUNCTION (the callees' top is the next);
# -1 when there are no such two rows.
middle() {
	sed -n '5,$p' "$T/$1.screen" | awk -v f="$2" '
		{ first = $1 }
		prev == f && first == f { print NR - 2; found = 1; exit }
		{ prev = first }
		END { if (!found) print -1 }'
}

# sandwich_of NAME FUNCTION MESSAGE: FUNCTION is in the middle; sets MID.
sandwich_of() {
	MID=-1
	if ! wait_main "$1" 0 "Sandwich of $2 "; then
		fail "$3: the title does not name $2:"
		sed 's/^/  | /' "$T/$1.screen"
		return 1
	fi
	MID=$(middle "$1" "$2")
	if [ "$MID" -lt 1 ]; then
		fail "$3: no two rows of $2 in the middle:"
		sed 's/^/  | /' "$T/$1.screen"
		return 1
	fi
	pass "$3: $2 in the middle (rows $MID and $((MID + 1)))"
	return 0
}

tui_start sw 100 30 "$VIEWS_ENV '$FLAMETOP' replay --view sandwich --focus '^ft_leaf\$' '$VIEWS_FIXTURE' 2>'$T/sw.err'"
assert_screen sw 'end of the session' "the fixture is loaded"
if sandwich_of sw ft_leaf "--focus ^ft_leaf\$"; then
	above=$(main_row sw $((MID - 1)))
	echo "above: $above"
	if [ "$(column_of "$above" ft_caller_a)" -ge 0 ] && [ "$(column_of "$above" ft_caller_b)" -ge 0 ]; then
		pass "both callers of ft_leaf right above it"
	else
		fail "the row above ft_leaf is not its two callers: '$above'"
	fi
	assert_match "$(main_row sw $((MID - 2)))" '^main( |$)' "main above them"
	assert_eq "$(main_row sw $((MID + 2)))" "" "nothing below ft_leaf: it calls nothing"
fi
assert_match "$(status_line sw)" '^ ft_leaf +self ' "the status line: ft_leaf selected"

# Up crosses into the callers, Up again selects the widest caller. The
# status line gives a caller's box its total only: none of its samples
# ended in it (_start's box is where they all start, not its self); the
# middle keeps its own self.
tui_keys sw Up
assert_screen sw '^ ft_leaf +self [1-9][0-9.]*s ' "Up: ft_leaf, in the callers' half, with its self"
tui_keys sw Up
assert_screen sw '^ ft_caller_a \(a caller\) +total ' "Up Up: ft_caller_a, a caller, selected"
tui_keys sw Up Up
assert_screen sw '^ _start \(a caller\) +total ' "Up 4 times: _start, no self claimed for it"
tui_keys sw Down Down
assert_screen sw '^ ft_caller_a \(a caller\) +total ' "Down Down: back to ft_caller_a"
tui_keys sw Enter
if sandwich_of sw ft_caller_a "Enter"; then
	assert_match "$(main_row sw $((MID + 2)))" '^ft_leaf( |$)' "ft_caller_a's callee: ft_leaf"
	assert_match "$(main_row sw $((MID - 1)))" '^main( |$)' "ft_caller_a's caller: main"
fi
tui_keys sw Escape
sandwich_of sw ft_leaf "Esc: back to ft_leaf"

# The selection of another view comes along: the top-list's third line is
# ft_other (ft_leaf, ft_work, ft_other by self).
tui_keys sw t
assert_screen sw 'SELF +TOTAL +FUNCTION' "t: the top-list"
tui_keys sw Down Down
assert_screen sw '^ ft_other +self ' "the top-list: ft_other selected"
tui_keys sw S
if sandwich_of sw ft_other "S after the top-list"; then
	assert_match "$(main_row sw $((MID - 1)))" '^main( |$)' "ft_other's caller: main"
fi

# The window: 14 s from the start, before ft_caller_b called ft_leaf.
tui_keys sw t Up Up S
sandwich_of sw ft_leaf "back to ft_leaf"
k=0
while [ "$k" -lt 16 ]; do
	tui_keys sw '{'
	k=$((k + 1))
done
assert_screen sw 'window 0ms to 14\.0s' "the window ends at 14 s"
if sandwich_of sw ft_leaf "first 14 s"; then
	above=$(main_row sw $((MID - 1)))
	echo "above: $above"
	assert_match "$above" '^ft_caller_a( *)$' "first 14 s: only ft_caller_a above ft_leaf"
fi

tui_keys sw q
if tui_exit sw; then
	assert_eq "$RC" 0 "q exits 0"
else
	fail "still running 30 s after q"
fi
assert_restored sw "sandwich"
[ -s "$T/sw.err" ] && fail "stderr not empty: $(head -c 300 "$T/sw.err")"
finish
