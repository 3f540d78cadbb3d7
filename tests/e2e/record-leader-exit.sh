#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# record -p PID of a process whose first thread has ended (pthread_exit in
# main) while another runs: /proc/PID/stat says "Z" for that first thread,
# but the process runs. It used to be refused as "no such process"; perf
# record -p samples it. Now its running thread is sampled, under its tid
# and the process's pid, and the recording ends by itself once the whole
# process has ended, exit status 0.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/wait.lib
. "$(dirname "$TESTLIB")/wait.lib"

need_root
need_perf_events
need_jq
need_workload leaderexit

start_bg "$WORKLOADS/leaderexit" 0 >"$T/said"
P=$BG_PID
wait_line "$T/said" '^ready [0-9]+$' || hard_error "leaderexit never started"
tid=$(sed -n 's/^ready //p' "$T/said")
echo "  process $P, its first thread a zombie ($(awk '{ print $3 }' "/proc/$P/stat")), thread $tid runs"

echo "+ flametop record -p $P -F 499 -o leader.session"
"$FLAMETOP" record -p "$P" -F 499 -o "$T/leader.session" >"$T/leader.out" 2>"$T/leader.err" &
rec=$!
ft_bg_pids="$ft_bg_pids $rec"

# has_thread_samples: the session being written holds samples of the thread.
has_thread_samples() {
	"$FLAMETOP" report -i "$T/leader.session" --format json --tid "$tid" --pid "$P" \
		>"$T/thread.json" 2>/dev/null && [ "$(jq '.total' "$T/thread.json")" -gt 0 ]
}
if wait_until 30 has_thread_samples; then
	pass "samples of thread $tid of process $P"
else
	fail "no samples of thread $tid of process $P within 30 s"
fi
kill -KILL "$P"
wait_exit "$rec" 30 || fail "record still runs 30 s after the process ended"
sed 's/^/  stderr: /' "$T/leader.err"
assert_eq "$RC" 0 "record's exit status once the process has ended"
finish
