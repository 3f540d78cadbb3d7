#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Hardware events next to profile types (issue 12), and list-events' table
# of types.
# - Several hardware events at once (-e cycles,instructions,cache-misses):
#   on a machine with a PMU (perf counts cycles) they are recorded, each a
#   count; on one without (a VM like this one) record refuses in one line
#   that names the event it could not open and says why, whether it comes
#   first, after a software event, or after a profile type.
# - list-events names each profile type with its unit, marked as it opens.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload t12-types

pmu=no
if [ -n "$PERF" ] && [ -x "$PERF" ] && "$PERF" stat -e cycles -x, -o "$T/perf.csv" true >/dev/null 2>&1 &&
	! grep -q 'not supported' "$T/perf.csv"; then
	pmu=yes
fi
echo "hardware PMU (perf counts cycles): $pmu"

run_record hw -e cycles,instructions,cache-misses -o "$T/hw.session" -- "$WORKLOADS/t12-types" wall 2
if [ "$pmu" = yes ]; then
	assert_record_ok hw "$T/hw.session"
	for e in cycles instructions cache-misses; do
		report_json "$T/hw.session" "$T/$e.json" --event "$e" --top 0 || finish
		assert_eq "$(jq -r .unit "$T/$e.json")" count "$e's unit"
	done
	assert_between "$(share ft_t12_compute "$T/cycles.json" total)" 50 100 "cycles: ft_t12_compute's share (%)"
else
	assert_eq "$RC" 1 "cycles,instructions,cache-misses without a PMU: exit status"
	assert_one_error_line "$T/hw.err" "cycles,instructions,cache-misses without a PMU"
	assert_eq "$(error_line "$T/hw.err")" \
		"flametop: event cycles is not supported on this machine (no hardware PMU here? a VM often has none): try -e cpu-clock; 'flametop list-events' shows what opens here" \
		"the refusal names cycles and says why"
	[ -e "$T/hw.session" ] && fail "a refused record left a session file"

	run_record hw2 -e task-clock,instructions -o "$T/hw2.session" -- "$WORKLOADS/t12-types" wall 1
	assert_eq "$RC" 1 "task-clock,instructions without a PMU: exit status"
	assert_match "$(error_line "$T/hw2.err")" '^flametop: event instructions is not supported on this machine' \
		"the refusal names the hardware event, not the first one"

	run_record hw3 -e wall,cache-misses -o "$T/hw3.session" -- "$WORKLOADS/t12-types" wall 1
	assert_eq "$RC" 1 "wall,cache-misses without a PMU: exit status"
	assert_match "$(error_line "$T/hw3.err")" '^flametop: event cache-misses is not supported on this machine' \
		"after a profile type, the refusal names cache-misses"
fi

# list-events: one line per profile type, with its unit.
"$FLAMETOP" list-events >"$T/list" 2>"$T/list.err"
assert_eq "$?" 0 "list-events exit status"
for tu in wall:ns offcpu:ns lock:ns alloc:bytes inuse:bytes faults:count exceptions:count; do
	t=${tu%%:*}
	u=${tu#*:}
	assert_eq "$(awk -v t="$t" '$2 == t { print $3 }' "$T/list")" "$u" "list-events: $t's unit"
done
for t in wall offcpu faults; do
	assert_eq "$(awk -v t="$t" '$2 == t { print $1 }' "$T/list")" yes "list-events: $t opens here (software events)"
done
if [ -r /sys/kernel/tracing/events/syscalls/sys_enter_futex/id ]; then
	assert_eq "$(awk '$2 == "lock" { print $1 }' "$T/list")" yes "list-events: lock opens (tracefs is mounted)"
fi
finish
