#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Why threads leave the CPU (issue 12, offcpu split by reason): each
# off-CPU interval ends in a pseudo-frame, [preempted], [lock], [io],
# [sleep] or [blocked]. t12-types reasons has a thread for each reason,
# each in its own function:
# - ft_t12_spin: two threads pinned to one CPU that only compute, so all
#   their time off the CPU is spent preempted (by each other, or by
#   whatever else the machine runs): it is all [preempted], and about the
#   time the workload measured (wall minus CPU time; the host's steal
#   time is not the guest's to see, so that is a ceiling);
# - ft_t12_sleep: a thread that sleeps: [sleep], but for the rare
#   preemption in the microseconds it runs between two sleeps;
# - ft_t12_lock_shared: three threads contending for a mutex: its futex
#   waits are [lock], and they are the time the lock type, recorded at
#   the same time, measures in them (the same comparison as types-lock);
#   it is also preempted, in futex calls too (waking a waiter, say);
# - ft_t12_direct: O_DIRECT reads, which wait in io_schedule: [io] (when
#   the file system takes O_DIRECT: the workload says).
# No other reason shows under a function whose thread has no such wait
# (but for a trace of the kernel's own waits: see below).
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload t12-types
[ "$(cat /proc/sys/kernel/kptr_restrict 2>/dev/null)" != 2 ] ||
	skip "kptr_restrict is 2: kernel addresses are hidden, so no reason but [preempted] can be told"
lock=
if [ -r /sys/kernel/tracing/events/syscalls/sys_enter_futex/id ] ||
	[ -r /sys/kernel/debug/tracing/events/syscalls/sys_enter_futex/id ]; then
	lock=lock,
fi

# off FUNCTION REASON: off-CPU ns of the stacks through FUNCTION ending in
# REASON ("" for any), from $T/off.folded.
off() {
	awk -v f=";$1;" -v r="$2" 'index($0, f) && (r == "" || index($0, ";" r " ")) { n += $NF }
		END { printf "%.0f", n }' "$T/off.folded"
}

# part A B: A / B, three decimals (0 when B is 0).
part() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b ? a / b : 0 }'
}

run_record reasons -e "${lock}offcpu" -o "$T/r.session" -- "$WORKLOADS/t12-types" reasons 30 "$T"
assert_record_ok reasons "$T/r.session"
cat "$T/reasons.out"
set -- $(sed -n 's/^spin_off_ns \([0-9]*\) slept_ns \([0-9]*\) direct \([01]\) waits \([0-9]*\)$/\1 \2 \3 \4/p' "$T/reasons.out")
[ $# -eq 4 ] || hard_error "t12-types did not say what it did: $(cat "$T/reasons.out")"
spin_off=$1 slept=$2 direct=$3 direct_waits=$4
report_folded "$T/r.session" "$T/off.folded" --event offcpu || finish
report_json "$T/r.session" "$T/off.json" --event offcpu --top 0 || finish
print_top "$T/off.json" 12
for f in ft_t12_spin ft_t12_sleep ft_t12_lock_shared ft_t12_direct; do
	echo "$f: all $(off $f '') ns; [preempted] $(off $f '[preempted]') [sleep] $(off $f '[sleep]')" \
		"[lock] $(off $f '[lock]') [io] $(off $f '[io]') [blocked] $(off $f '[blocked]')"
done

# The reasons are functions of their own, in the [offcpu] pseudo-module.
assert_eq "$(jq -r '[.functions[] | select(.name == "[preempted]") | .module] | unique | join(",")' "$T/off.json")" \
	"[offcpu]" "the [preempted] pseudo-frame's module"

# ft_t12_spin: preempted, and for about the time it was.
assert_between "$(part "$(off ft_t12_spin '[preempted]')" "$(off ft_t12_spin '')")" 0.98 1 \
	"ft_t12_spin: [preempted] / its off-CPU time"
assert_between "$(part "$(off ft_t12_spin '[preempted]')" "$spin_off")" 0.5 1.1 \
	"ft_t12_spin: [preempted] / the time its threads waited for the CPU (the workload's clocks)"
# ft_t12_sleep: asleep, for the time it slept.
assert_between "$(part "$(off ft_t12_sleep '[sleep]')" "$(off ft_t12_sleep '')")" 0.8 1 \
	"ft_t12_sleep: [sleep] / its off-CPU time"
assert_between "$(part "$(off ft_t12_sleep '[sleep]')" "$slept")" 0.8 1.1 \
	"ft_t12_sleep: [sleep] / the time it slept (the workload's clock)"
# No reason where the workload has no such wait. The kernel may still
# make a thread wait for reasons of its own (a page fault that waits for
# the process's memory map while another thread maps its stack would be
# [sleep]): 33 and 42 us of a function's 350-700 ms did show, in two runs
# of hundreds under make check, with no stack kept to say what they were.
# A reason told wrong would take a good part of the time. So these are at
# most 0.1% of the function's off-CPU time, and any there is is shown,
# with its stack.
# unexpected FUNCTION REASON...: the share of FUNCTION's off-CPU time
# under those REASONs, their stacks written to the log.
unexpected() {
	f=$1
	shift
	n=0
	for r in "$@"; do
		n=$((n + $(off "$f" "$r")))
		awk -v f=";$f;" -v r=";$r " 'index($0, f) && index($0, r) { print "  unexpected: " $0 }' \
			"$T/off.folded" >&2
	done
	part "$n" "$(off "$f" '')"
}
assert_between "$(unexpected ft_t12_spin '[sleep]' '[lock]' '[io]')" 0 0.001 \
	"ft_t12_spin (which never blocks): [sleep], [lock] and [io] / its off-CPU time"
assert_between "$(unexpected ft_t12_sleep '[lock]' '[io]')" 0 0.001 \
	"ft_t12_sleep: [lock] and [io] / its off-CPU time"
assert_between "$(unexpected ft_t12_lock_shared '[io]' '[sleep]')" 0 0.001 \
	"ft_t12_lock_shared: [io] and [sleep] / its off-CPU time"

# ft_t12_lock_shared: its futex waits are [lock], as long as lock measured them.
waits=$(awk '/;ft_t12_lock_shared;/ && /;futex_/ && !/;ft_t12_hold;/ { n += $NF } END { printf "%.0f", n }' "$T/off.folded")
assert_between "$(part "$(off ft_t12_lock_shared '[lock]')" "$waits")" 0.5 1 \
	"ft_t12_lock_shared: [lock] / its off-CPU time in futex functions"
if [ -n "$lock" ]; then
	report_json "$T/r.session" "$T/lock.json" --event lock --top 0 || finish
	waited=$(jq -r '[.functions[] | select(.name == "ft_t12_lock_shared") | .total] | add // 0' "$T/lock.json")
	echo "ft_t12_lock_shared: lock measured $waited ns of futex waits"
	assert_between "$(part "$(off ft_t12_lock_shared '[lock]')" "$waited")" 0.9 1.1 \
		"ft_t12_lock_shared: [lock] (offcpu) / its futex waits (lock)"
else
	echo "# no syscalls:sys_enter_futex tracepoint: [lock] not compared with the lock type"
fi

# ft_t12_direct: waiting for the disk, when a read had to wait (a fast
# disk may complete it before the reader would sleep: the workload counts
# the times it gave up the CPU). Preemption aside, it is all [io].
if [ "$direct" = 1 ] && [ "$direct_waits" -gt 0 ]; then
	io=$(off ft_t12_direct '[io]')
	assert_between "$(part "$io" "$(($(off ft_t12_direct '') - $(off ft_t12_direct '[preempted]')))")" 0.95 1 \
		"ft_t12_direct ($direct_waits waits): [io] / its off-CPU time but preemption"
elif [ "$direct" = 1 ]; then
	echo "# the O_DIRECT reads never waited: [io] not checked"
	assert_eq "$(off ft_t12_direct '[io]')" 0 "ft_t12_direct, which never waited: no [io]"
else
	echo "# $T does not take O_DIRECT: [io] not checked"
fi
finish
