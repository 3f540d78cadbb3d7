#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Profile type lock (issue 12): time in futex waits, by the waiting stack.
# t12-types lock runs four threads that each take, per round, one mutex
# they all share (in ft_t12_lock_shared) and then a private one (in
# ft_t12_lock_private), holding each 200 us: the waits are all in
# ft_t12_lock_shared, none in ft_t12_lock_private, which no one contends.
# Its total is bounded by the time the four threads ran. (main also waits,
# in pthread_join: a futex wait too, counted, not in either function.)
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload t12-types
[ -r /sys/kernel/tracing/events/syscalls/sys_enter_futex/id ] ||
	[ -r /sys/kernel/debug/tracing/events/syscalls/sys_enter_futex/id ] ||
	skip "no syscalls:sys_enter_futex tracepoint (tracefs not mounted, or no CONFIG_FTRACE_SYSCALLS)"

# total FUNCTION JSON: FUNCTION's total weight.
total() {
	jq -r --arg f "$1" '[.functions[] | select(.name == $f) | .total] | add // 0' "$2"
}

run_record lock -e lock -o "$T/lock.session" -- "$WORKLOADS/t12-types" lock 500
assert_record_ok lock "$T/lock.session"
cat "$T/lock.out"
report_json "$T/lock.session" "$T/lock.json" --top 0 || finish
print_top "$T/lock.json" 12
assert_eq "$(jq -r .unit "$T/lock.json")" ns "lock's unit"
shared=$(total ft_t12_lock_shared "$T/lock.json")
private=$(total ft_t12_lock_private "$T/lock.json")
assert_between "$shared" 1 1e15 "lock: ft_t12_lock_shared waited (ns)"
assert_between "$(awk -v a="$shared" -v b="$private" 'BEGIN { printf "%.3f", (a + b) ? a / (a + b) : 0 }')" 0.98 1 \
	"lock: ft_t12_lock_shared / (shared + private)"
"$FLAMETOP" report -i "$T/lock.session" >"$T/lock.txt" 2>&1
assert_match "$(cat "$T/lock.txt")" 'event: lock \(unit: ns\)' "report's header: lock in ns"
duration=$(sed -n 's/^# samples: [0-9]*, duration: \([0-9.]*\) s.*/\1/p' "$T/lock.txt")
assert_between "$(awk -v a="$shared" -v d="$duration" 'BEGIN { printf "%.3f", a / (d * 1e9) }')" 0 4 \
	"lock: ft_t12_lock_shared's wait / the run's time (four threads: at most 4)"

# -v says how each event is sampled: lock at each futex wait, whatever -F
# or -c says (it said "lock at 99 Hz", or "every 1000000 events"), a clock
# beside it at -F or every -c ns.
run_record verbose -v -e lock,task-clock -F 199 -o "$T/verbose.session" -- "$WORKLOADS/t12-types" lock 5
assert_eq "$RC" 0 "lock -v: record exit status"
assert_match "$(grep '^flametop: sampling ' "$T/verbose.err")" \
	'^flametop: sampling lock at each event, task-clock at 199 Hz, command: ' \
	"lock -v: lock at each event, task-clock at -F"
run_record verbose-c -v -c 1000000 -e lock,task-clock -o "$T/verbose-c.session" -- "$WORKLOADS/t12-types" lock 5
assert_eq "$RC" 0 "lock -v -c: record exit status"
assert_match "$(grep '^flametop: sampling ' "$T/verbose-c.err")" \
	'^flametop: sampling lock at each event, task-clock every 1000000 ns, command: ' \
	"lock -v -c: lock at each event, task-clock every -c ns"

# -p, with offcpu at once: the shared lock's waits are off-CPU time too.
# Not all of ft_t12_lock_shared's off-CPU time: on a busy machine it is
# also preempted while it holds the lock (ft_t12_hold). Its off-CPU time
# in the futex wait itself (the stacks through the kernel's futex_wait)
# is the wait minus the few microseconds of each call spent on the CPU,
# however busy the machine; waits that straddle the start (each event is
# enabled on its own) or the stop (both flush to the same time) shift the
# two by a wait or so, a few percent of a second of them.
start_bg "$WORKLOADS/t12-types" lock 0
wait_comm "$BG_PID" t12-types
run_record pid -e lock,offcpu -p "$BG_PID" -d 1 -o "$T/pid.session"
assert_record_ok pid "$T/pid.session"
report_json "$T/pid.session" "$T/pid.json" --event lock --top 0 || finish
report_folded "$T/pid.session" "$T/pid-off.folded" --event offcpu || finish
shared=$(total ft_t12_lock_shared "$T/pid.json")
private=$(total ft_t12_lock_private "$T/pid.json")
assert_between "$(awk -v a="$shared" -v b="$private" 'BEGIN { printf "%.3f", (a + b) ? a / (a + b) : 0 }')" 0.98 1 \
	"lock -p: ft_t12_lock_shared / (shared + private)"
waited=$(awk '/;ft_t12_lock_shared;/ && /;futex_wait/ { n += $NF } END { printf "%.0f", n }' "$T/pid-off.folded")
echo "lock -p: ft_t12_lock_shared waited $shared ns (lock), $waited ns off the CPU in futex_wait (offcpu)"
assert_between "$(awk -v a="$shared" -v b="$waited" 'BEGIN { printf "%.3f", b ? a / b : 0 }')" \
	0.9 1.1 "lock -p: ft_t12_lock_shared's lock wait / its off-CPU time in futex_wait"
kill "$BG_PID"

# lock-waits: the number of waits, from the same events (recorded with lock
# at once), on t12-types futex, which makes each kind of futex wait a
# known number of times, each in its own function: FUTEX_WAIT_BITSET,
# FUTEX_LOCK_PI, and the futex2 calls futex_waitv and futex_wait when the
# kernel has them (the workload says -1 otherwise, and so does flametop,
# in one line). Each FUTEX_LOCK_PI waits at least the 1 ms the holder
# keeps the futex once the kernel has the waiter.
ROUNDS=20
run_record futex -e lock,lock-waits -o "$T/futex.session" -- "$WORKLOADS/t12-types" futex "$ROUNDS"
assert_record_ok futex "$T/futex.session"
cat "$T/futex.out"
set -- $(sed -n 's/^bitset \([0-9]*\) pi \([0-9]*\) waitv \(-*[0-9]*\) wait2 \(-*[0-9]*\)$/\1 \2 \3 \4/p' "$T/futex.out")
[ $# -eq 4 ] || hard_error "t12-types futex did not say what it did: $(cat "$T/futex.out")"
report_json "$T/futex.session" "$T/waits.json" --event lock-waits --top 0 || finish
report_json "$T/futex.session" "$T/futex.json" --event lock --top 0 || finish
print_top "$T/waits.json" 8
assert_eq "$(jq -r .unit "$T/waits.json")" count "lock-waits' unit"
"$FLAMETOP" report -i "$T/futex.session" --event lock-waits >"$T/futex.txt" 2>&1
lost=$(sed -n 's/^# samples: .*, lost: \([0-9]*\).*/\1/p' "$T/futex.txt")
# count FUNCTION CALLS WHAT: lock-waits' count in FUNCTION is CALLS, or
# within the samples the kernel dropped.
count() {
	if [ "$lost" = 0 ]; then
		assert_eq "$(total "$1" "$T/waits.json")" "$2" "lock-waits: $3 ($1)"
	else
		assert_between "$(total "$1" "$T/waits.json")" "$(($2 - lost))" "$2" \
			"lock-waits: $3 ($1; $lost samples lost)"
	fi
}
count ft_t12_bitset "$1" "FUTEX_WAIT_BITSET calls"
count ft_t12_pi "$2" "FUTEX_LOCK_PI calls"
assert_between "$(total ft_t12_pi "$T/futex.json")" "$(($2 * 1000000))" 1e15 \
	"lock: ft_t12_pi's waits, at least 1 ms each (ns)"
for call in waitv:"$3" wait:"$4"; do
	name=${call%%:*} calls=${call#*:}
	fn=ft_t12_$name
	[ "$name" = wait ] && fn=ft_t12_wait2
	if [ "$calls" -lt 0 ]; then
		echo "# this kernel has no futex_$name system call: not checked"
		continue
	fi
	if ! [ -r /sys/kernel/tracing/events/syscalls/sys_enter_futex_$name/id ] &&
		! [ -r /sys/kernel/debug/tracing/events/syscalls/sys_enter_futex_$name/id ]; then
		echo "# no syscalls:sys_enter_futex_$name tracepoint: flametop must say so"
		assert_match "$(cat "$T/futex.err")" "no syscalls:sys_enter_futex_" "lock: says futex2 waits are not seen"
		continue
	fi
	count "$fn" "$calls" "futex_$name calls"
	assert_between "$(total "$fn" "$T/futex.json")" 1 1e15 "lock: $fn waited (ns)"
done

# A wake waits for nothing. The kernel samples only the futex calls that
# wait (a filter on sys_enter_futex: wakes are half of a contended lock's
# calls), and the rule drops a wake it is given anyway. t12-types
# futex-calls makes N wakes with no one waiting and N waits that return at
# once (the word differs): lock-waits counts each of those waits, in
# ft_t12_nowait, and no wake.
run_record calls -e lock-waits -o "$T/calls.session" -- "$WORKLOADS/t12-types" futex-calls 2000
assert_record_ok calls "$T/calls.session"
assert_eq "$(cat "$T/calls.out")" "wakes 2000 nowaits 2000" "t12-types futex-calls did what it says"
assert_no_match "$(cat "$T/calls.err")" "refused" "the kernel takes lock's futex filter"
report_json "$T/calls.session" "$T/calls.json" --top 0 || finish
"$FLAMETOP" report -i "$T/calls.session" >"$T/calls.txt" 2>&1
lost=$(sed -n 's/^# samples: .*, lost: \([0-9]*\).*/\1/p' "$T/calls.txt")
assert_between "$(total ft_t12_nowait "$T/calls.json")" "$((2000 - ${lost:-0}))" 2000 \
	"lock-waits: the waits that return at once (ft_t12_nowait; ${lost:-?} samples lost)"
assert_eq "$(total ft_t12_wake "$T/calls.json")" 0 "lock-waits: no wake (ft_t12_wake)"

# A wake that woke a thread (a contended unlock) is not sampled at all: the
# kernel's filter on sys_exit_futex keeps the calls that returned 0 or an
# error, as every wait's does, and drops those that returned how many they
# woke. t12-types handoff hands a turn between two threads, each waiting
# for it in ft_t12_await and waking the other in ft_t12_give: lock-waits
# counts every wait call it made, and no wake.
run_record handoff -e lock-waits -o "$T/handoff.session" -- "$WORKLOADS/t12-types" handoff 2000
assert_record_ok handoff "$T/handoff.session"
set -- $(sed -n 's/^handoffs 4000 waits \([0-9]*\) wakes \([0-9]*\)$/\1 \2/p' "$T/handoff.out")
[ $# -eq 2 ] || hard_error "t12-types handoff did not say what it did: $(cat "$T/handoff.out")"
echo "handoff: $1 waits, $2 wakes that woke the other thread"
report_json "$T/handoff.session" "$T/handoff.json" --top 0 || finish
"$FLAMETOP" report -i "$T/handoff.session" >"$T/handoff.txt" 2>&1
lost=$(sed -n 's/^# samples: .*, lost: \([0-9]*\).*/\1/p' "$T/handoff.txt")
assert_between "$(total ft_t12_await "$T/handoff.json")" "$(($1 - ${lost:-0}))" "$1" \
	"lock-waits: each handoff's wait (ft_t12_await; ${lost:-?} samples lost)"
assert_eq "$(total ft_t12_give "$T/handoff.json")" 0 "lock-waits: no wake (ft_t12_give)"
finish
