#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The bottom-up (inverted) flame graph, on the views fixture replayed at
# 100x30 (tests/unit/test_ui_views_fixture.c: ft_leaf called by
# ft_caller_a and, in the second half only, by ft_caller_b). Its first row
# under the root is where samples ended, ft_leaf the widest; right under
# ft_leaf, within its width, its two callers, ft_caller_a first (by name)
# and twice as wide; then their caller main. That is not the call tree
# flipped: the flame graph's first row is _start, and i (the flip) puts
# the root at the bottom with the same rows above it. The time window and
# the search apply: over the first 15 s only ft_caller_a is under ft_leaf,
# and a search selects a matching box. The status line gives a first-row
# box as all self, a caller's box its total only.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"
# shellcheck source=tests/e2e/views.lib
. "$(dirname "$TESTLIB")/views.lib"

need_tmux

tui_start inv 100 30 "$VIEWS_ENV '$FLAMETOP' replay --view inverted '$VIEWS_FIXTURE' 2>'$T/inv.err'"
assert_screen inv 'end of the session' "the fixture is loaded"
assert_main inv 0 '^all \(' "row 0: the root"
assert_main inv 1 '^ft_leaf( |$)' "row 1 starts with ft_leaf, where most samples ended"
row1=$(main_row inv 1)
row2=$(main_row inv 2)
row3=$(main_row inv 3)
leaf_end=$(column_of "$row1" ft_other)
a=$(column_of "$row2" ft_caller_a)
b=$(column_of "$row2" ft_caller_b)
echo "row 1: $row1"
echo "row 2: $row2"
assert_eq "$a" 0 "ft_caller_a is right under ft_leaf"
if [ "$b" -gt 0 ] && [ "$b" -lt "$leaf_end" ]; then
	pass "ft_caller_b is under ft_leaf too (column $b, ft_leaf ends before $leaf_end)"
else
	fail "ft_caller_b is not under ft_leaf (column $b, ft_leaf ends before $leaf_end)"
fi
# ft_caller_a has two thirds of ft_leaf's weight: it spans about 2/3 of
# ft_leaf's width (within a column of rounding).
assert_between "$b" $((leaf_end * 2 / 3 - 1)) $((leaf_end * 2 / 3 + 1)) \
	"ft_caller_a is twice as wide as ft_caller_b"
assert_eq "$(column_of "$row3" main)" 0 "row 3: main calls ft_caller_a"
assert_eq "$(column_of "$(printf '%s' "$row3" | cut -c"$((b + 1))"-)" main)" 0 \
	"row 3: main calls ft_caller_b"

# The flame graph of the same data starts with the outermost frame.
tui_keys inv f
assert_main inv 1 '^_start( |$)' "the flame graph (f): row 1 is _start, not the leaf"
tui_keys inv b
assert_main inv 1 '^ft_leaf( |$)' "b: back to the bottom-up graph"

# i flips it: the root on the last row, the leaf above it.
tui_keys inv i
assert_main inv 23 '^all \(' "flipped: the root on the bottom row"
assert_main inv 22 '^ft_leaf( |$)' "flipped: ft_leaf right above it"
tui_keys inv i
assert_main inv 1 '^ft_leaf( |$)' "flipped back"

# The window: its end 16 steps (1 s each) earlier, 14 s: ft_caller_b
# called ft_leaf only later, so ft_leaf has one caller.
k=0
while [ "$k" -lt 16 ]; do
	tui_keys inv '{'
	k=$((k + 1))
done
assert_screen inv 'window 0ms to 14\.0s' "the window ends at 14 s"
if wait_main inv 2 '^ft_caller_a( |$)'; then
	row1=$(main_row inv 1)
	row2=$(main_row inv 2)
	leaf_end=$(column_of "$row1" ft_other)
	b=$(column_of "$row2" ft_caller_b)
	echo "row 1: $row1"
	echo "row 2: $row2"
	if [ "$b" -ge "$leaf_end" ]; then
		pass "first 14 s: ft_caller_b is not under ft_leaf (only over ft_work)"
	else
		fail "first 14 s: ft_caller_b still under ft_leaf (column $b < $leaf_end)"
	fi
else
	fail "first 14 s: row 2 does not start with ft_caller_a"
	sed 's/^/  | /' "$T/inv.screen"
fi
tui_keys inv a
assert_screen inv 'window everything' "a: everything again"

# Search: the first match is selected, its share said.
tui_keys inv / && tui_keys inv -l caller_b && tui_keys inv Enter
assert_screen inv '^ /caller_b/ [0-9.]+% in [0-9]+ frames? .* ft_caller_b +total ' \
	"search /caller_b/ selects an ft_caller_b box"

# The status line: a first-row box is all self (every sample of it ended
# there); a caller's box below has none of its own, and _start's, where
# the stacks start, claims none either.
tui_keys inv r Down
assert_screen inv '^ ft_leaf +self ([0-9.]+m?s) [0-9.]+% +total \1 ' \
	"ft_leaf's first-row box: all self"
tui_keys inv Down Down Down
assert_screen inv '^ _start +total ' "_start's box: its total only"

tui_keys inv q
if tui_exit inv; then
	assert_eq "$RC" 0 "q exits 0"
else
	fail "still running 30 s after q"
fi
assert_restored inv "inverted"
[ -s "$T/inv.err" ] && fail "stderr not empty: $(head -c 300 "$T/inv.err")"
finish
