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

# -p, with offcpu at once: the shared lock's waits are off-CPU time too.
start_bg "$WORKLOADS/t12-types" lock 0
wait_comm "$BG_PID" t12-types
run_record pid -e lock,offcpu -p "$BG_PID" -d 1 -o "$T/pid.session"
assert_record_ok pid "$T/pid.session"
report_json "$T/pid.session" "$T/pid.json" --event lock --top 0 || finish
report_json "$T/pid.session" "$T/pid-off.json" --event offcpu --top 0 || finish
shared=$(total ft_t12_lock_shared "$T/pid.json")
private=$(total ft_t12_lock_private "$T/pid.json")
assert_between "$(awk -v a="$shared" -v b="$private" 'BEGIN { printf "%.3f", (a + b) ? a / (a + b) : 0 }')" 0.98 1 \
	"lock -p: ft_t12_lock_shared / (shared + private)"
assert_between "$(awk -v a="$shared" -v b="$(total ft_t12_lock_shared "$T/pid-off.json")" 'BEGIN { printf "%.3f", b ? a / b : 0 }')" \
	0.5 1.3 "lock -p: ft_t12_lock_shared's lock wait / its off-CPU time (the wait also runs in the kernel)"
kill "$BG_PID"
finish
