#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# record -p A,B samples both processes, each under its own pid, and follows
# what they create after flametop attached (doc/flametop.1: "including
# threads and children they create after flametop attached"). Two t5-spawn
# processes spin in ft_t5_parent_spin; once both are being sampled, A is
# told (SIGUSR1) to fork a child (ft_t5_child_spin) and create a thread
# (ft_t5_thread_spin), each for a fixed number of iterations, and exits
# when they are done; then B is ended. The recording ends when both are
# gone, and the report finds the child's samples under the child's pid,
# the thread's under its tid and A's pid, and nothing of them under B.
# -p TID of a thread samples, names and waits for its whole process.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/wait.lib
. "$(dirname "$TESTLIB")/wait.lib"

need_root
need_perf_events
need_jq
need_workload t5-spawn

start_bg "$WORKLOADS/t5-spawn" "$T/a.said" 1000000000
A=$BG_PID
start_bg "$WORKLOADS/t5-spawn" "$T/b.said" 1
B=$BG_PID
wait_line "$T/a.said" "^ready $A\$" || hard_error "t5-spawn A never started"
wait_line "$T/b.said" "^ready $B\$" || hard_error "t5-spawn B never started"

echo "+ flametop record -p $A,$B -F 499 -o pids.session"
"$FLAMETOP" record -p "$A,$B" -F 499 -o "$T/pids.session" >"$T/pids.out" 2>"$T/pids.err" &
rec=$!
ft_bg_pids="$ft_bg_pids $rec"

# Attached: the session being written holds samples of both.
wait_sampled "$T/pids.session" ft_t5_parent_spin 30 --pid "$A" ||
	fail "no samples of A ($A) within 30 s"
wait_sampled "$T/pids.session" ft_t5_parent_spin 30 --pid "$B" ||
	fail "no samples of B ($B) within 30 s"

kill -USR1 "$A"
wait_exit "$A" 60 || fail "A did not finish its child and thread within 60 s"
assert_eq "$RC" 0 "A's exit status (its child and thread ran)"
child=$(sed -n 's/^child //p' "$T/a.said")
thread=$(sed -n 's/^thread //p' "$T/a.said")
echo "  A $A (child $child, thread $thread), B $B"
kill -TERM "$B"
wait_exit "$rec" 30 || fail "record still runs 30 s after both processes ended"
sed 's/^/  stderr: /' "$T/pids.err"
assert_eq "$RC" 0 "record's exit status when every process has ended"

"$FLAMETOP" report -i "$T/pids.session" >"$T/pids.txt" 2>&1
assert_match "$(cat "$T/pids.txt")" "# target: pid $A,$B\$" "the session's target names both pids"

report_json "$T/pids.session" "$T/a.json" --pid "$A" --top 0 || finish
report_json "$T/pids.session" "$T/b.json" --pid "$B" --top 0 || finish
report_json "$T/pids.session" "$T/child.json" --pid "$child" --top 0 || finish
report_json "$T/pids.session" "$T/thread.json" --tid "$thread" --top 0 || finish
report_json "$T/pids.session" "$T/a-thread.json" --pid "$A" --tid "$thread" --top 0 || finish
for f in a b child thread; do
	echo "$f:"
	print_top "$T/$f.json" 4
done

# present FUNCTION JSON: FUNCTION's total count (0 when absent).
present() {
	jq -r --arg f "$1" '[.functions[] | select(.name == $f) | .total] | add // 0' "$2"
}

assert_between "$(present ft_t5_parent_spin "$T/a.json")" 1 1e18 "A: its own samples"
assert_between "$(present ft_t5_parent_spin "$T/b.json")" 1 1e18 "B: its own samples"
assert_between "$(share ft_t5_child_spin "$T/child.json")" 50 100 \
	"the child forked after the attach: its samples, under its own pid (%)"
assert_eq "$(present ft_t5_child_spin "$T/a.json")" 0 "the child's samples are not under A's pid"
assert_between "$(share ft_t5_thread_spin "$T/thread.json")" 50 100 \
	"the thread created after the attach: its samples, under its tid (%)"
assert_eq "$(total_of "$T/a-thread.json")" "$(total_of "$T/thread.json")" \
	"the thread's samples are A's (--pid A --tid T = --tid T)"
for f in ft_t5_child_spin ft_t5_thread_spin; do
	assert_eq "$(present "$f" "$T/b.json")" 0 "B has nothing of $f"
done

# --- -p TID of a thread: its process ----------------------------------------------
# -p names a thread (not its process's first): the whole process is sampled,
# as perf -p does, and it is the process that the session names, that
# --pid finds and whose end ends the recording (it was the thread's). A
# notice says so.
need_workload threads
start_bg "$WORKLOADS/threads" 0
P=$BG_PID
# thread_b: the tid of P's thread ft-b, once it is named.
thread_b() {
	for c in /proc/"$P"/task/*/comm; do
		[ "$(cat "$c" 2>/dev/null)" = ft-b ] && basename "$(dirname "$c")" && return 0
	done
	return 1
}
wait_until 30 thread_b >/dev/null || hard_error "threads never named its thread ft-b"
tidb=$(thread_b)
echo "+ flametop record -p $tidb (thread ft-b of $P) -F 499 -o tid.session"
"$FLAMETOP" record -p "$tidb" -F 499 -o "$T/tid.session" >"$T/tid.out" 2>"$T/tid.err" &
rec=$!
ft_bg_pids="$ft_bg_pids $rec"
wait_sampled "$T/tid.session" ft_thread_a 30 --pid "$P" ||
	fail "-p $tidb: no samples of the process's other thread ft-a within 30 s"
kill "$P"
wait_exit "$rec" 30 || fail "-p $tidb: record still runs 30 s after the process ended"
sed 's/^/  stderr: /' "$T/tid.err"
assert_eq "$RC" 0 "-p $tidb: record's exit status"
assert_match "$(cat "$T/tid.err")" \
	"flametop: notice: -p $tidb is a thread of process $P: sampling the whole process" \
	"-p $tidb: the notice names the process"
"$FLAMETOP" report -i "$T/tid.session" >"$T/tid.txt" 2>&1
assert_match "$(cat "$T/tid.txt")" "# target: pid $P\$" "-p $tidb: the session's target is the process"

# -p P, where P starts a process in the background once sampled and exits:
# the recording ends with P (as perf record -p's does), and names the
# process P left running, no longer sampled. It used to say nothing.
# (By its last name the recording saw: sh, when the child had not yet
# exec'd sleep by the time the recording ended, on a busy machine.)
start_bg sh -c 'while [ ! -e "$1" ]; do sleep 0.1; done; sleep 300 & echo $! >"$2"' sh "$T/go" "$T/left.pid"
P=$BG_PID
"$FLAMETOP" record -p "$P" -o "$T/left.session" >"$T/left.out" 2>"$T/left.err" &
rec=$!
ft_bg_pids="$ft_bg_pids $rec"
wait_until 60 has_events "$rec" || hard_error "-p $P: record did not start sampling in 60 s"
touch "$T/go"
wait_exit "$rec" 30 || fail "-p $P: record still runs 30 s after the process ended"
sed 's/^/  stderr: /' "$T/left.err"
left=$(cat "$T/left.pid" 2>/dev/null)
[ -n "$left" ] || hard_error "sh did not say its child's pid"
ft_bg_pids="$ft_bg_pids $left"
assert_eq "$RC" 0 "-p $P that leaves a process running: record's exit status"
assert_match "$(grep 'exited, leaving' "$T/left.err")" \
	"^flametop: notice: pid $P exited, leaving 1 process it started running \\(pid $left (sh|sleep)\\), not sampled after that: -p PID samples one\$" \
	"-p $P: record names the process it left running"
kill "$left"
finish
