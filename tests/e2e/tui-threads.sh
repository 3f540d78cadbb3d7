#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The live explorer forgets the threads whose samples the timeline no
# longer holds: forkmany, attached (-p) with the split workload under
# --retention 2s, forks 20,000 children one after the other, each a new
# thread the explorer is told of (on a box whose pid_max is 32,768, most
# of them distinct tids). Once they are done, split alone runs on for 6 s,
# three times the retention, so no sample of the storm is left, and q
# ends the explorer: -v's memory line says the threads it held then,
# split's and not the storm's (at most 50, where an explorer that kept
# every thread it was told of holds thousands). The thread limit itself
# (past it, [other threads]) is test_profile's test_limits_threads: a
# storm cannot outgrow pid_max. Counts, not time.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

need_root
need_tmux
need_perf_events
need_workload forkmany
need_workload split

children=20000
start_bg "$WORKLOADS/forkmany" "$T/done" "$children" 0
fm=$BG_PID
start_bg "$WORKLOADS/split" 600000
spin=$BG_PID
wait_comm "$fm" forkmany
wait_comm "$spin" split

tui_start storm 120 30 "'$FLAMETOP' -v --retention 2s -p $fm,$spin 2>'$T/storm.err'"
tui_wait storm "window" || fail "the explorer never drew its screen"
kill -USR1 "$fm"
wait_until 300 test -s "$T/done" || fail "forkmany's $children children did not all run in 300 s"
sleep 6
tui_keys storm q
if tui_exit storm 60; then
	assert_eq "$RC" 0 "q after the storm: exit status"
else
	fail "q after the storm: the explorer did not end"
fi
kill -TERM "$fm" "$spin"
wait "$fm"
wait "$spin"
sed 's/^/  stderr: /' "$T/storm.err"
held=$(sed -n 's/.*call tree and names [^(]*(\([0-9]*\) thread.*/\1/p' "$T/storm.err")
assert_between "$held" 1 50 "threads held after $children forks, once their samples are gone"
finish
