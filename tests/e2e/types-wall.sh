#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Profile types wall and offcpu (issue 12), recorded together on a command
# whose answer is known: t12-types wall computes 25 ms then sleeps 75 ms,
# rounds on end, and says how long it spent in each function and how many
# times it left the CPU (getrusage), measured by itself in the same run.
# - wall: ft_t12_compute and ft_t12_sleep share the time as they measured
#   (about 25/75 on an idle machine), in ns, and the total is about the
#   time the workload measured in them;
# - offcpu: in ft_t12_sleep, and in ft_t12_compute for the time it was
#   preempted (its time minus its CPU time: nothing on an idle machine),
#   its total about the time slept, one sample per time the process left
#   the CPU, in ns.
# Then offcpu on a running process (-p), and -a for the whole system.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload t12-types

ROUNDS=12
run_record wall -e wall,offcpu -F 199 -o "$T/wall.session" -- "$WORKLOADS/t12-types" wall "$ROUNDS"
assert_record_ok wall "$T/wall.session"
cat "$T/wall.out"
set -- $(sed -n 's/^compute_ns \([0-9]*\) compute_cpu_ns \([0-9]*\) sleep_ns \([0-9]*\) switches \([0-9]*\)$/\1 \2 \3 \4/p' "$T/wall.out")
[ $# -eq 4 ] || hard_error "t12-types did not say what it did: $(cat "$T/wall.out")"
compute=$1 compute_cpu=$2 slept=$3 switches=$4

report_json "$T/wall.session" "$T/wall.json" --event wall --top 0 || finish
report_json "$T/wall.session" "$T/off.json" --event offcpu --top 0 || finish
echo "wall:"
print_top "$T/wall.json"
echo "offcpu:"
print_top "$T/off.json"
"$FLAMETOP" report -i "$T/wall.session" --event offcpu >"$T/off.txt" 2>&1
assert_match "$(cat "$T/off.txt")" 'event: offcpu \(unit: ns\)' "report's header: offcpu in ns"

assert_eq "$(jq -r .unit "$T/wall.json")" ns "wall's unit"
assert_eq "$(jq -r .unit "$T/off.json")" ns "offcpu's unit"

# total FUNCTION JSON: FUNCTION's total weight.
total() {
	jq -r --arg f "$1" '[.functions[] | select(.name == $f) | .total] | add // 0' "$2"
}

# The workload's loop (mode_wall) is all it does; a preemption inside a
# libc call (the CPU clock's system call) hides that call's caller from a
# frame-pointer walk, so such time is mode_wall's but maybe not
# ft_t12_compute's: shares are of mode_wall's total, and what is not
# ft_t12_sleep's is the compute phase's.
# wall: the split the workload measured.
loop=$(total mode_wall "$T/wall.json")
s=$(total ft_t12_sleep "$T/wall.json")
c=$((loop - s))
want=$(awk -v a="$compute" -v b="$slept" 'BEGIN { printf "%.3f", a / (a + b) }')
got=$(awk -v a="$c" -v b="$s" 'BEGIN { printf "%.3f", (a + b) ? a / (a + b) : 0 }')
echo "wall: ft_t12_compute's part $got, measured by the workload $want"
assert_between "$got" "$(awk -v w="$want" 'BEGIN { print w - 0.06 }')" \
	"$(awk -v w="$want" 'BEGIN { print w + 0.06 }')" "wall: ft_t12_compute / (compute + sleep)"
assert_between "$(awk -v a="$c" -v b="$s" -v m="$compute" -v n="$slept" 'BEGIN { printf "%.3f", (a + b) / (m + n) }')" \
	0.9 1.1 "wall: the loop's time / the time the workload measured in its two functions"

# offcpu: where it slept, for as long as it slept, once per switch. On a
# busy machine ft_t12_compute is preempted too: its off-CPU time is its
# time minus its CPU time, as the workload measured them.
preempted=$((compute - compute_cpu))
want=$(awk -v a="$slept" -v b="$preempted" 'BEGIN { printf "%.3f", a / (a + b) }')
got=$(awk -v a="$(total ft_t12_sleep "$T/off.json")" -v l="$(total mode_wall "$T/off.json")" \
	'BEGIN { printf "%.3f", l ? a / l : 0 }')
echo "offcpu: ft_t12_sleep's part $got, measured by the workload $want (1 on an idle machine)"
assert_between "$got" "$(awk -v w="$want" 'BEGIN { print w - 0.08 }')" \
	"$(awk -v w="$want" 'BEGIN { print w + 0.08 }')" "offcpu: ft_t12_sleep / mode_wall (the loop)"
assert_between "$(share ft_t12_sleep "$T/off.json" total)" \
	"$(awk -v w="$want" 'BEGIN { print 100 * w - 10 }')" 100 "offcpu: ft_t12_sleep's share of all (%)"
assert_between "$(awk -v a="$(total ft_t12_sleep "$T/off.json")" -v b="$slept" 'BEGIN { printf "%.3f", a / b }')" \
	0.9 1.1 "offcpu: ft_t12_sleep's time / the time the workload slept"
assert_match "$(jq -r '[.functions[] | .name] | join(" ")' "$T/off.json")" 'nanosleep' \
	"offcpu: the kernel part of the stack says why (nanosleep)"
samples=$(sed -n 's/^# samples: \([0-9]*\),.*/\1/p' "$T/off.txt")
assert_between "$(awk -v a="$samples" -v b="$switches" 'BEGIN { printf "%.3f", a / b }')" 0.8 1.2 \
	"offcpu: samples ($samples) / the times the workload left the CPU ($switches, getrusage)"

# -p: a running process, for two seconds.
start_bg "$WORKLOADS/t12-types" wall 0
wait_comm "$BG_PID" t12-types
run_record pid -e offcpu -p "$BG_PID" -d 2 -o "$T/pid.session"
assert_record_ok pid "$T/pid.session"
report_json "$T/pid.session" "$T/pid.json" --top 0 || finish
print_top "$T/pid.json"
assert_between "$(share mode_wall "$T/pid.json" total)" 95 100 "offcpu -p: the workload's loop's share (%)"
assert_between "$(share ft_t12_sleep "$T/pid.json" total)" 30 100 "offcpu -p: ft_t12_sleep's share (%)"
assert_between "$(awk -v a="$(total_of "$T/pid.json")" 'BEGIN { printf "%.2f", a / 1e9 }')" 1.2 2.2 \
	"offcpu -p: seconds off the CPU in a 2 s recording of a thread that sleeps 75% of the time"

# -a: the whole system, our sleeper among the rest (every process that
# sleeps is symbolized: names are left mangled, which is cheaper).
run_record all -e offcpu -a -d 1 -m 2M --no-demangle -o "$T/all.session"
assert_record_ok all "$T/all.session"
report_json "$T/all.session" "$T/all.json" --top 0 --comm t12-types || finish
print_top "$T/all.json"
assert_between "$(share mode_wall "$T/all.json" total)" 95 100 "offcpu -a, --comm t12-types: the workload's loop's share (%)"
assert_between "$(share ft_t12_sleep "$T/all.json" total)" 30 100 "offcpu -a, --comm t12-types: ft_t12_sleep's share (%)"
kill "$BG_PID"
finish
