#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Tracepoints as events, named as perf names them (-e sched:sched_switch):
# each hit is a sample of weight 1, whatever -F says, so a tracepoint's
# total is its number of hits. t12-types wall ROUNDS sleeps once a round
# in main -> ft_t12_sleep -> ... clock_nanosleep, so
# syscalls:sys_enter_clock_nanosleep is hit exactly ROUNDS times there, for
# a command and, picked out by its PID, system-wide; each sleep also switches the
# thread out (sched:sched_switch), at least ROUNDS times. A name that is
# no tracepoint in tracefs (and no libpfm4 event) is refused in one line. A
# session read where tracefs is not mounted still says each hit was sampled.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload t12-types

tracefs=
for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
	[ -r "$d/events/syscalls/sys_enter_clock_nanosleep/id" ] &&
		[ -r "$d/events/sched/sched_switch/id" ] && tracefs=$d && break
done
[ -n "$tracefs" ] || skip "no tracefs with syscalls:sys_enter_clock_nanosleep and" \
	"sched:sched_switch (mount -t tracefs nodev /sys/kernel/tracing; CONFIG_FTRACE_SYSCALLS)"

ROUNDS=12
NANOSLEEP=syscalls:sys_enter_clock_nanosleep

# hits EVENT SESSION [REPORT ARGS...]: writes the report of EVENT to
# $T/EVENT.json and sets TOTAL (its total) and SLEEP (ft_t12_sleep's part
# of it); checks that the unit is count.
hits() {
	ft_h_ev=$1
	ft_h_session=$2
	shift 2
	TOTAL=
	SLEEP=
	report_json "$ft_h_session" "$T/$ft_h_ev.json" --event "$ft_h_ev" --top 0 "$@" || return 1
	assert_eq "$(jq -r .unit "$T/$ft_h_ev.json")" count "$ft_h_ev's unit"
	TOTAL=$(total_of "$T/$ft_h_ev.json")
	SLEEP=$(jq -r '[.functions[] | select(.name == "ft_t12_sleep") | .total] | add // 0' \
		"$T/$ft_h_ev.json")
}

# --- a command, at -F 1: the frequency does not thin out a tracepoint --------
run_record cmd -F 1 -e "$NANOSLEEP,sched:sched_switch" -o "$T/cmd.session" -- \
	"$WORKLOADS/t12-types" wall "$ROUNDS"
assert_record_ok cmd "$T/cmd.session"
hits "$NANOSLEEP" "$T/cmd.session"
assert_eq "$TOTAL" "$ROUNDS" "$NANOSLEEP: total hits for $ROUNDS sleeps"
assert_eq "$SLEEP" "$ROUNDS" "$NANOSLEEP: hits under ft_t12_sleep"
hits sched:sched_switch "$T/cmd.session"
assert_between "${SLEEP:-0}" "$ROUNDS" $((ROUNDS * 3)) \
	"sched:sched_switch: switches under ft_t12_sleep"
assert_between "${TOTAL:-0}" "${SLEEP:-0}" 1e9 \
	"sched:sched_switch: the total has those under ft_t12_sleep"

# report's header: a count, each hit a sample, not "frequency 1 Hz".
"$FLAMETOP" report -i "$T/cmd.session" --event "$NANOSLEEP" >"$T/cmd.txt" 2>&1
header="^# event: $NANOSLEEP \\(unit: count\\), each event sampled\$"
assert_match "$(grep '^# event:' "$T/cmd.txt")" "$header" \
	"report's header: $NANOSLEEP, each event sampled"

# The session says how each event was sampled (format 1.8's "period"):
# read where tracefs is not mounted (another machine, a container), the
# header still says each hit is a sample, not "frequency 1 Hz". A private
# mount namespace hides tracefs from the report alone.
if unshare -m true 2>/dev/null; then
	unshare -m sh -c 'for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
			umount "$d" 2>/dev/null
		done
		[ -e /sys/kernel/tracing/events ] && { echo "tracefs still there"; exit 3; }
		exec "$1" report -i "$2" --event "$3"' sh "$FLAMETOP" "$T/cmd.session" "$NANOSLEEP" \
		>"$T/notracefs.txt" 2>&1
	assert_match "$(grep '^# event:' "$T/notracefs.txt")" "$header" \
		"report's header without tracefs: $NANOSLEEP, each event sampled"
else
	echo "no private mount namespace here (unshare -m): the header without tracefs is not checked"
fi

# --- system-wide, the workload picked out by its PID -------------------------
timeout -s KILL 120 "$FLAMETOP" record -a -e "$NANOSLEEP" -o "$T/sysnap.session" \
	>"$T/sysnap.out" 2>"$T/sysnap.err" &
rec=$!
ft_bg_pids="$ft_bg_pids $rec"
wait_recording "$T/sysnap.session" 2 "$rec"
# Picked out by its PID: another test of a parallel make check may run
# t12-types at the same time.
"$WORKLOADS/t12-types" wall "$ROUNDS" >/dev/null &
wl=$!
wait "$wl"
kill -INT "$rec"
wait "$rec"
RC=$?
assert_record_ok sysnap "$T/sysnap.session" system
hits "$NANOSLEEP" "$T/sysnap.session" --pid "$wl"
assert_eq "$TOTAL" "$ROUNDS" "-a: $NANOSLEEP hits of t12-types"
assert_eq "$SLEEP" "$ROUNDS" "-a: $NANOSLEEP hits under ft_t12_sleep"

# --- a name tracefs does not have --------------------------------------------
run_record bad -e sched:no_such_tracepoint -o "$T/bad.session" -- "$WORKLOADS/t12-types" wall 1
assert_eq "$RC" 1 "an unknown tracepoint: exit status"
assert_one_error_line "$T/bad.err" "an unknown tracepoint"
assert_match "$(error_line "$T/bad.err")" "unknown event 'sched:no_such_tracepoint'" \
	"the refusal names the event"

"$FLAMETOP" list-events >"$T/list" 2>&1
assert_match "$(cat "$T/list")" '# tracepoints as SUBSYSTEM:EVENT' \
	"list-events says how to name a tracepoint"
finish
