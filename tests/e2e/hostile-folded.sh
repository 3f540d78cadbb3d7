#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A live run that reaches its interning limits (issue 9: a system that shows
# it ever new functions and stacks, as a hostile user's programs can) folds
# what is new into "[other]" and counts it; the count travels in the
# session's end chunk, and the explorer's header ("[other] N") and report's
# text header say how much was folded. A session without folds shows no
# such field. At 40 columns the header drops its less important parts
# (the sample rate, the file, the event: whichever does not fit) and
# keeps the records the kernel lost and the [other] count. The folded session comes from tests/unit/hostile_session_gen
# (a real recorder would need hours of new stacks to reach the limits; the
# unit tests of the profile and the session check the folding itself and
# that the count is saved).
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

GEN=$(dirname "$FLAMETOP")/tests/unit/hostile_session_gen
[ -x "$GEN" ] || hard_error "$GEN is not built"
FIXTURE=$GOLDEN/tui/replay.session
"$GEN" folded "$T/folded.session" || hard_error "cannot generate the folded session"

# --- report ------------------------------------------------------------------------
"$FLAMETOP" report -i "$T/folded.session" >"$T/report.txt" 2>"$T/report.err"
assert_eq "$?" 0 "report: exit status"
assert_eq "$(cat "$T/report.err")" "" "report: nothing on stderr"
assert_eq "$(grep '^# recorder' "$T/report.txt")" \
	"# recorder: reached its limits; 4321 new functions or stacks were folded into [other]" \
	"report: the header says how much was folded"
assert_match "$(grep '\[other\]' "$T/report.txt" | grep -v '^#')" '^ +40\.00% +40\.00% +\[other\]' \
	"report: [other] holds its samples"
"$FLAMETOP" report -i "$FIXTURE" >"$T/fixture.txt" 2>&1
assert_no_match "$(cat "$T/fixture.txt")" 'folded|\[other\]' \
	"report: a session without folds says nothing of them"

# --- the explorer's header ---------------------------------------------------------
need_tmux
mkdir -p "$T/config"
ENV="HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8 TMPDIR='$T' XDG_RUNTIME_DIR="
tui_start folded 120 30 "env $ENV '$FLAMETOP' replay '$T/folded.session'"
assert_screen folded 'end of the session' "replay: the session is shown"
assert_screen folded ' samples 0/s +\[other\] 4\.3k( |$)' "replay: the header counts the folds"
tui_keys folded q
tui_exit folded || fail "replay: q did not end the explorer"

# A narrow screen keeps the facts: a session with lost records and folds.
"$GEN" folded-lost "$T/folded-lost.session" || hard_error "cannot generate the folded-lost session"
tui_start narrow 40 20 "env $ENV '$FLAMETOP' replay '$T/folded-lost.session'"
assert_screen narrow '^all \(5 samples\)' "40 columns: the session is shown"
assert_match "$(head -n 1 "$T/narrow.screen")" ' lost records 259 +\[other\] 4\.3k( |$)' \
	"40 columns: the header's first line keeps lost records and [other]"
tui_keys narrow q
tui_exit narrow || fail "40 columns: q did not end the explorer"
tui_start wide 120 30 "env $ENV '$FLAMETOP' replay '$T/folded-lost.session'"
assert_screen wide 'end of the session' "120 columns: the session is shown"
assert_match "$(head -n 1 "$T/wide.screen")" '^ flametop +replay folded-lost\.session +event .* samples [0-9.]+[kMG]?/s +lost records 259 +\[other\] 4\.3k( |$)' \
	"120 columns: the header drops nothing"
tui_keys wide q
tui_exit wide || fail "120 columns: q did not end the explorer"
tui_start fixture 120 30 "env $ENV '$FLAMETOP' replay '$FIXTURE'"
assert_screen fixture 'end of the session' "fixture: the session is shown"
assert_no_match "$(head -n 2 "$T/fixture.screen")" '\[other\]' \
	"fixture: no [other] count in the header"
tui_keys fixture q
tui_exit fixture

finish
