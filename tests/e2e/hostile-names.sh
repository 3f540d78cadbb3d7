#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Names that lie about themselves (issue 9). A program can name itself with
# bidirectional controls and zero-width characters: "ft" RLO "lave" ZWSP
# "x" shows on a terminal as something else than what it is. Everything
# flametop prints passes one sanitizer, which shows such characters
# escaped ("<U+202E>"): the explorer's header and process picker (tmux),
# report's text and folded output, and an error line naming the file;
# a name holding a newline is shown whole, escaped, when read from /proc
# (record -p). No raw U+202E or U+200B reaches the terminal or the output.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

need_root
need_perf_events
need_tmux
need_workload phases

RLO=$(printf '\342\200\256')
ZWSP=$(printf '\342\200\213')
NAME="ft${RLO}lave${ZWSP}x"
SHOWN='ft<U\+202E>lave<U\+200B>x'
mkdir -p "$T/bin" "$T/config"
ln -s "$WORKLOADS/phases" "$T/bin/$NAME"
ENV="HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8 TMPDIR='$T' XDG_RUNTIME_DIR="

# no_raw FILE WHAT: FILE holds neither U+202E nor U+200B as such.
no_raw() {
	if grep -q "$RLO\\|$ZWSP" "$1"; then
		fail "$2: a raw bidi or zero-width character got through"
	else
		pass "$2: no raw bidi or zero-width character"
	fi
}

# --- the explorer --------------------------------------------------------------------
tui_start live 120 30 "env $ENV '$FLAMETOP' -F 99 -- '$T/bin/$NAME' 600000"
assert_screen live "command: (.*/)?$SHOWN 600000" "live: the header shows the name escaped"
tui_keys live p
tui_keys live -l lave
assert_screen live " $SHOWN\$" "live: the process picker shows its name escaped"
tui_capture live >"$T/live.screen"
no_raw "$T/live.screen" "live: the screen"
tui_keys live Escape q
tui_exit live || fail "live: q did not end the explorer"

# --- report ------------------------------------------------------------------------
run_record rec -F 99 -o "$T/names.session" -- "$T/bin/$NAME" 300
assert_eq "$RC" 0 "record: exit status"
"$FLAMETOP" report -i "$T/names.session" >"$T/report.txt" 2>&1
assert_match "$(grep '^# target' "$T/report.txt")" "$SHOWN" "report: the target line shows the name escaped"
no_raw "$T/report.txt" "report (text)"
"$FLAMETOP" report -i "$T/names.session" --format folded >"$T/report.folded" 2>&1
assert_match "$(head -n 1 "$T/report.folded")" "^$SHOWN;" "report --format folded: the thread name is escaped"
no_raw "$T/report.folded" "report (folded)"
# A thread attached to (-p) is named from /proc/PID/task/TID/comm, which
# ends in a newline the kernel adds: a name may hold newlines of its own,
# shown escaped, never cut at the first.
NL_NAME="ft
nl"
ln -s "$WORKLOADS/phases" "$T/bin/$NL_NAME"
start_bg "$T/bin/$NL_NAME" 600000
wait_comm "$BG_PID" "$NL_NAME"
run_record nl -F 99 -p "$BG_PID" -d 1 -o "$T/nl.session"
assert_eq "$RC" 0 "record -p: exit status"
"$FLAMETOP" report -i "$T/nl.session" --format folded >"$T/nl.folded" 2>&1
assert_eq "$(head -n 1 "$T/nl.folded" | cut -d';' -f1)" "ft?nl" \
	"record -p: a thread name with a newline is kept whole, the newline escaped"
# An error naming the file.
"$FLAMETOP" report -i "$T/bin/nonexistent-$NAME" >"$T/err.out" 2>"$T/err.txt"
assert_match "$(cat "$T/err.txt")" "^flametop: .*nonexistent-$SHOWN: No such file or directory\$" "error: the path is escaped"
no_raw "$T/err.txt" "error line"

finish
