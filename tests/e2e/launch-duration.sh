#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `record -d N -- COMMAND` (doc/flametop.1, record): the duration stops the
# recording while a longer command runs; the command gets SIGTERM and
# record exits 0, not with the command's status. A command that ignores
# SIGTERM is waited for five seconds, then killed with SIGKILL, with one
# line that says so (issue 9: a command never outlives flametop); sampling
# stopped at the duration, so the session is no longer for the wait, nor
# for a recorder that read its rings late. A command that ends before the
# duration ends the recording, with its own status.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/wait.lib
. "$(dirname "$TESTLIB")/wait.lib"

need_root
need_perf_events
need_jq
need_workload t5-signals

# --- the duration stops a command that would run on ---------------------------
# t5-signals runs until a signal (120 s at most): -d 1.5 must end it.
run_record dur -d 1.5 -o "$T/dur.session" -- "$WORKLOADS/t5-signals" "$T/dur.said"
assert_record_ok dur "$T/dur.session"
assert_between "$ELAPSED_MS" 1500 60000 "dur: record ran at least the duration (ms)"
# The command may not have set up its handler by then on a very busy
# machine; it is then ended by SIGTERM's default action, unseen.
if grep -q '^ready' "$T/dur.said" 2>/dev/null; then
	assert_eq "$(sed -n 2p "$T/dur.said")" SIGTERM "dur: the signal -d sent the command"
fi
left=$(pgrep -f "t5-signals $T/dur.said")
if [ -n "$left" ]; then
	fail "dur: the command still runs after record -d ended"
	kill -KILL $left
else
	pass "dur: the command ended with the recording"
fi
"$FLAMETOP" report -i "$T/dur.session" >"$T/dur.txt" 2>"$T/dur.txt.err" ||
	fail "dur: report: $(cat "$T/dur.txt.err")"
seconds=$(sed -n 's/^# samples: [0-9]*, duration: \([0-9.]*\) s.*/\1/p' "$T/dur.txt")
assert_between "$seconds" 1.5 60 "dur: the session's duration (s)"
report_json "$T/dur.session" "$T/dur.json" &&
	assert_between "$(share ft_t5_wait_signal "$T/dur.json")" 50 100 "dur: the command's samples"

# --- a command that ignores SIGTERM -------------------------------------------
# Started with SIGTERM ignored (inherited, as under nohup-like wrappers), so
# that it ignores it from its first instruction on.
echo "+ (trap '' TERM; flametop record -d 1 -- t5-signals stubborn.said ignore-term)"
t0=$(now_ms)
(
	trap '' TERM
	exec timeout -s KILL 60 "$FLAMETOP" record -d 1 -o "$T/stubborn.session" -- \
		"$WORKLOADS/t5-signals" "$T/stubborn.said" ignore-term
) >"$T/stubborn.out" 2>"$T/stubborn.err"
RC=$?
ELAPSED_MS=$(($(now_ms) - t0))
sed 's/^/  stderr: /' "$T/stubborn.err"
assert_eq "$RC" 0 "stubborn: record's exit status after -d"
assert_between "$ELAPSED_MS" 6000 60000 "stubborn: the duration plus five seconds of grace (ms)"
assert_match "$(cat "$T/stubborn.err")" \
	"flametop: .*t5-signals \\(pid [0-9]+\\) is still running 5 s after SIGTERM; killed it \\(SIGKILL\\)" \
	"stubborn: record says it killed the command"
stubborn=$(sed -n 's/^ready //p' "$T/stubborn.said")
state=$(awk '{ print $3 }' "/proc/$stubborn/stat" 2>/dev/null)
if [ -n "$stubborn" ] && { [ -z "$state" ] || [ "$state" = Z ]; }; then
	pass "stubborn: the command is gone"
else
	fail "stubborn: the command (${stubborn:-no pid}) still runs (state $state)"
	[ -n "$stubborn" ] && kill -KILL "$stubborn"
fi
if "$FLAMETOP" report -i "$T/stubborn.session" >"$T/stubborn.txt" 2>"$T/stubborn.report.err"; then
	pass "stubborn: the session is complete and readable"
else
	fail "stubborn: report: $(cat "$T/stubborn.report.err")"
fi
# Sampling stopped at -d: the five seconds of grace are not in the session.
seconds=$(sed -n 's/^# samples: [0-9]*, duration: \([0-9.]*\) s.*/\1/p' "$T/stubborn.txt")
assert_between "$seconds" 1 5 "stubborn: the session's duration is -d's, without the grace (s)"

# --- a late read of the rings does not lengthen the session -------------------
# The recorder is stopped (SIGSTOP) from its start until two seconds later,
# past its -d 1, while the process it samples runs on: as when reading the
# rings takes long (the first look at every process of -a, a huge map). It
# then finds the deadline passed and samples in its rings from after it:
# the session is still 1 s long and holds nothing from after 1 s.
need_workload split
start_bg "$WORKLOADS/split" 0
spin=$BG_PID
echo "+ flametop record -d 1 -p $spin, stopped (SIGSTOP) for 2 s from its start"
"$FLAMETOP" record -d 1 -o "$T/late.session" -p "$spin" 2>"$T/late.err" &
rec=$!
ft_bg_pids="$ft_bg_pids $rec"
wait_until 60 has_chunks "$T/late.session" 1 "$rec" || fail "late: no session header in 60 s"
kill -STOP "$rec"
sleep 2
kill -CONT "$rec"
wait_exit "$rec" 60 || fail "late: record still runs 60 s after -d 1"
kill -KILL "$spin"
sed 's/^/  stderr: /' "$T/late.err"
assert_eq "$RC" 0 "late: record's exit status"
"$FLAMETOP" report -i "$T/late.session" >"$T/late.txt" 2>"$T/late.txt.err" ||
	fail "late: report: $(cat "$T/late.txt.err")"
assert_eq "$(sed -n 's/^# samples: [0-9]*, duration: \([0-9.]*\) s.*/\1/p' "$T/late.txt")" 1.00 \
	"late: the session's duration is -d's (s)"
"$FLAMETOP" report -i "$T/late.session" --format heatmap >"$T/late.heat" 2>&1 ||
	fail "late: report --format heatmap: $(cat "$T/late.heat")"
assert_between "$(jq '[.seconds[].t] | max // 0' "$T/late.heat")" 0 1 \
	"late: the last second that holds samples"
assert_match "$(cat "$T/late.err")" "recorded [0-9]+ samples of [a-z-]+ in 1\.0 s " \
	"late: record's summary says 1.0 s"

# --- a command that ends first -------------------------------------------------
run_record short -d 30 -o "$T/short.session" -- sh -c 'exit 5'
assert_eq "$RC" 5 "short: the command's status when it ends before -d"
assert_between "$ELAPSED_MS" 0 20000 "short: record ended with the command, not after 30 s (ms)"
finish
