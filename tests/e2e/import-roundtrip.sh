#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Import and export keep a profile's meaning both ways. A folded stack's
# count is that many samples (flamegraph.pl's reading): a file whose counts
# add up to 20 over 4 lines is 20 samples, in import's message, report's
# header and the explorer's; and, all at time 0, they are one bar at 0 in
# the explorer's timeline strip, not spread over its first columns.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

# --- folded counts are samples ------------------------------------------------
printf 'main;a;b 5\nmain;a;c 7\nmain;d 3\nmain 5\n' >"$T/twenty.folded"
"$FLAMETOP" import "$T/twenty.folded" -o "$T/twenty.session" 2>"$T/twenty.err"
assert_eq "$?" 0 "folded: imported"
assert_match "$(cat "$T/twenty.err")" '^flametop: imported 20 samples of 1 event ' \
	"folded: import counts the counts, not the lines"
"$FLAMETOP" report -i "$T/twenty.session" >"$T/twenty.txt" 2>&1
assert_match "$(grep '^# samples' "$T/twenty.txt")" '^# samples: 20, ' \
	"folded: report's header counts 20 samples"
"$FLAMETOP" report -i "$T/twenty.session" --baseline "$T/twenty.session" >"$T/base.txt" 2>&1
assert_match "$(grep '^# baseline' "$T/base.txt")" ', samples: 20, ' \
	"folded: the baseline's header counts 20 samples"

need_tmux
ENV="HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8 TMPDIR='$T' XDG_RUNTIME_DIR="
mkdir -p "$T/config"
tui_start twenty 120 30 "env $ENV '$FLAMETOP' replay '$T/twenty.session'"
assert_screen twenty 'end of the session' "folded: replayed"
assert_screen twenty 'all \(20 samples\)' "folded: the flame graph's root counts 20 samples"
assert_screen twenty ' 20 samples in the window' "folded: the status line counts 20 samples"
assert_eq "$(sed -n 3p "$T/twenty.screen" | sed 's/ *$//')" "█" \
	"folded: the strip draws its samples, all at time 0, as one bar at 0"
tui_keys twenty q
tui_exit twenty || fail "folded: q did not end the explorer"

finish
