#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The decayed view (z), on the views fixture replayed at once: ft_leaf
# has 40 of every 59 samples in the first 15 s and 80 of every 99 in the
# last 15 s, 75.9% of the whole session. With a half-life of 5 s the first
# half counts at most an eighth as much as the end, so ft_leaf's self
# share is close to the last seconds' (78% to 81%); with 60 s every
# sample counts at least 70% as much, so it is close to the whole's
# (75% to 78%). The header says which mode and half-life are on; z after
# 60 s turns it off (live), and a window key makes it a plain range.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"
# shellcheck source=tests/e2e/views.lib
. "$(dirname "$TESTLIB")/views.lib"

need_tmux

# leaf_share NAME: ft_leaf's self % in the top-list's last capture.
leaf_share() {
	sed -n '6,$p' "$T/$1.screen" | awk '$5 == "ft_leaf" { sub(/%/, "", $1); print $1; exit }'
}

tui_start dec 100 30 "$VIEWS_ENV '$FLAMETOP' replay --view top '$VIEWS_FIXTURE' 2>'$T/dec.err'"
assert_screen dec 'end of the session' "the fixture is loaded"
assert_screen dec 'window everything' "the whole session first"
wait_main dec 1 'ft_leaf'
assert_between "$(leaf_share dec)" 75.5 76.5 "everything: ft_leaf self %"

tui_keys dec z
assert_screen dec 'window decay: half-life 5\.0s' "z: the header says decay, half-life 5 s"
assert_screen dec 'a sample counts half after 5\.0s' "z: the message says what it means"
wait_main dec 1 'ft_leaf'
short=$(leaf_share dec)
assert_between "$short" 78 81 "half-life 5 s: ft_leaf self %, near the last seconds' 80.8"

tui_keys dec z
assert_screen dec 'half-life 10\.0s' "z again: 10 s"
tui_keys dec z
assert_screen dec 'half-life 30\.0s' "z again: 30 s"
tui_keys dec z
assert_screen dec 'half-life 1m00s' "z again: 60 s"
sleep 0.3
tui_capture dec >"$T/dec.screen"
long=$(leaf_share dec)
assert_between "$long" 75 78 "half-life 60 s: ft_leaf self %, near the whole session's 75.9"
if awk -v a="$short" -v b="$long" 'BEGIN { exit !(a > b) }'; then
	pass "a shorter half-life weighs the recent seconds more ($short > $long)"
else
	fail "a shorter half-life does not weigh the recent seconds more ($short, $long)"
fi

# A window key makes the decayed window a plain range.
tui_keys dec '{'
assert_screen dec 'window [0-9.ms]+ to [0-9.]+s \(' "a window key: a range"
tui_keys dec z
assert_screen dec 'half-life 5\.0s' "z from a range: decay again"
tui_keys dec X
assert_screen dec "the decayed view is the window's only" "x in decay: says why not"
tui_keys dec z z z z
assert_screen dec 'window live: last' "z after 60 s: off, live"
tui_keys dec q
if tui_exit dec; then
	assert_eq "$RC" 0 "q exits 0"
else
	fail "still running 30 s after q"
fi
[ -s "$T/dec.err" ] && fail "stderr not empty: $(head -c 300 "$T/dec.err")"
finish
