#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# -c N samples every N events, as perf record -c does, instead of -F a
# second. page-faults -c 1 is then every fault, exactly: flametop record
# -p and perf stat -p count the same process (t5-faults, stopped until
# both have started) in the same run and must agree to the fault. A
# tracepoint -c 3 has a sample about every third hit, each of weight 3; a
# clock -c 1000000 a sample every millisecond of CPU, each 1000000 ns.
# The session's header has frequency 0 and each event's period (format
# 1.8), and report says "sampled every N events". -c with -F is refused,
# and so is one software count sampled every N and at each event.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_perf
need_jq
need_workload t5-faults t12-types

# --- -c and -F together, or a period that is no period -------------------------
expect_usage both '^flametop: -c samples every 5 events and -F 99 times a second: give one of them$' \
	"$FLAMETOP" record -c 5 -F 99 -o "$T/never.session" -- true
expect_usage both-live '^flametop: -c samples every 5 events and -F 99 times a second: give one of them$' \
	"$FLAMETOP" -F 99 -c 5 -- true
expect_usage zero '^flametop: -c: ' "$FLAMETOP" record -c 0 -o "$T/never.session" -- true

# --- page-faults -c 1: every fault, as perf stat counts them -------------------
PAGES=20000
# A sample per fault, some 2 MiB of them: rings of 8 MiB (-m 2048) hold
# them all even if the recorder is kept from reading for a while.
# Stopped before it execs t5-faults: both counters attach to it first.
sh -c 'kill -STOP $$; exec "$0" "$1"' "$WORKLOADS/t5-faults" "$PAGES" >"$T/wl.out" &
wl=$!
ft_bg_pids="$ft_bg_pids $wl"
stopped() { [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = T ]; }
wait_until 30 stopped "$wl" || hard_error "the workload (pid $wl) never stopped itself"

timeout -s KILL 120 "$FLAMETOP" record -c 1 -m 2048 -e page-faults -p "$wl" -o "$T/pf.session" \
	>"$T/pf.out" 2>"$T/pf.err" &
rec=$!
ft_bg_pids="$ft_bg_pids $rec"
# perf stat starts disabled and says when it has enabled its counters.
mkfifo "$T/ctl" "$T/ack" || hard_error "mkfifo failed"
exec 8<>"$T/ctl" 9<>"$T/ack"
timeout -s KILL 120 "$PERF" stat -e page-faults -x, -o "$T/pf.stat" -D -1 \
	--control fd:8,9 -p "$wl" >"$T/perf.out" 2>&1 &
pst=$!
ft_bg_pids="$ft_bg_pids $pst"
echo enable >&8
ack=
read -r ack <&9
[ "$ack" = ack ] || hard_error "perf stat did not acknowledge enabling its counters: '$ack'"
wait_recording "$T/pf.session" 1 "$rec"
kill -CONT "$wl"
wait "$wl"
wait "$pst"
wait "$rec"
RC=$?
exec 8>&- 9>&-
assert_record_ok pf "$T/pf.session"
perf_faults=$(awk -F, '$3 == "page-faults" { print $1 }' "$T/pf.stat")
[ -n "$perf_faults" ] || hard_error "perf stat counted nothing: $(cat "$T/pf.stat" "$T/perf.out")"
report_json "$T/pf.session" "$T/pf.json" --top 0 || finish
print_top "$T/pf.json"
assert_eq "$(total_of "$T/pf.json")" "$perf_faults" "page-faults -c 1: flametop's total, perf stat's count"
assert_eq "$(report_samples "$T/pf.session")" "$perf_faults" \
	"page-faults -c 1: a sample per fault"
assert_eq "$(jq -r '.estimated // false' "$T/pf.json")" false \
	"page-faults -c 1: the total is no estimate"
"$FLAMETOP" report -i "$T/pf.session" >"$T/pf.txt" 2>&1
assert_match "$(grep '^# event:' "$T/pf.txt")" '^# event: page-faults \(unit: count\), each event sampled$' \
	"report's header: page-faults -c 1, each event sampled"
grep -q 'is sampled at -F' "$T/pf.err" && fail "record: -c 1 page-faults are not estimates, yet it said so"

# A ring of one page cannot hold 300,000 faults' samples: the advice is
# a larger -c (which thins them) or -m, not -F (not given).
run_record small -c 1 -e page-faults -m 1 -o "$T/small.session" -- "$WORKLOADS/t5-faults" 300000
assert_eq "$RC" 0 "page-faults -c 1 -m 1: record exit status"
assert_match "$(grep 'records were lost' "$T/small.err")" \
	'^flametop: warning: [0-9]+ records were lost \(samples, mmaps, comms, forks: flametop fell behind\): raise -c or raise -m$' \
	"page-faults -c 1 -m 1: the lost records' advice is -c or -m"

# --- a tracepoint every third hit ----------------------------------------------
ROUNDS=12
NANOSLEEP=syscalls:sys_enter_clock_nanosleep
if [ -r /sys/kernel/tracing/events/syscalls/sys_enter_clock_nanosleep/id ]; then
	run_record tp -c 3 -e "$NANOSLEEP" -o "$T/tp.session" -- "$WORKLOADS/t12-types" wall "$ROUNDS"
	assert_record_ok tp "$T/tp.session"
	report_json "$T/tp.session" "$T/tp.json" --top 0 || finish
	# The kernel's count to the first sample is not exactly N (its first
	# overflow may come early): about ROUNDS / 3 samples, each of weight 3
	# (without the period left out, 12 samples of weight 1).
	n=$(report_samples "$T/tp.session")
	assert_between "$n" $((ROUNDS / 3 - 1)) $((ROUNDS / 3 + 1)) "$NANOSLEEP -c 3: a sample every third hit"
	assert_eq "$(total_of "$T/tp.json")" $((n * 3)) "$NANOSLEEP -c 3: each sample weighs 3"
	"$FLAMETOP" report -i "$T/tp.session" >"$T/tp.txt" 2>&1
	assert_match "$(grep '^# event:' "$T/tp.txt")" \
		"^# event: $NANOSLEEP \\(unit: count\\), sampled every 3 events\$" \
		"report's header: $NANOSLEEP, sampled every 3 events"
else
	echo "no tracefs with $NANOSLEEP: a tracepoint's -c is not checked"
fi

# --- a clock every millisecond, and the header ---------------------------------
run_record clock -c 1000000 -e task-clock -o "$T/clock.session" -- "$WORKLOADS/t5-faults" 100000
assert_record_ok clock "$T/clock.session"
report_json "$T/clock.session" "$T/clock.json" --top 0 || finish
n=$(report_samples "$T/clock.session")
assert_between "$n" 1 1e9 "task-clock -c 1000000: samples"
assert_eq "$(total_of "$T/clock.json")" $((n * 1000000)) "task-clock -c 1000000: each sample is 1 ms"
"$FLAMETOP" report -i "$T/clock.session" >"$T/clock.txt" 2>&1
assert_match "$(grep '^# event:' "$T/clock.txt")" \
	'^# event: task-clock \(unit: ns\), sampled every 1000000 ns$' \
	"report's header: task-clock, sampled every 1000000 ns"
# A group's leader samples every N, its members are read at its samples.
run_record group -c 1000000 -e '{task-clock,page-faults}' -o "$T/group.session" -- \
	"$WORKLOADS/t5-faults" 20000
assert_record_ok group "$T/group.session"
"$FLAMETOP" report -i "$T/group.session" --event page-faults >"$T/group.txt" 2>&1
assert_match "$(grep '^# event:' "$T/group.txt")" \
	'^# event: page-faults \(unit: count\), counted at each sample of task-clock, every 1000000 ns$' \
	"report's header: a group member, read at its leader's samples"

# One software count sampled every 2 and at each event: the kernel gave
# page-faults no sample at all beside faults. Refused, as at -F.
run_record twoways -c 2 -e page-faults,faults -o "$T/never.session" -- true
assert_eq "$RC" 1 "page-faults -c 2 with faults: exit status"
assert_match "$(error_line "$T/twoways.err")" \
	'^flametop: page-faults \(every 2\) and faults \(every 1\) sample one kernel event' \
	"page-faults -c 2 with faults: refused, saying why"

if command -v python3 >/dev/null 2>&1; then
	python3 - "$T/clock.session" >"$T/header.json" <<'EOF' || fail "the header chunk does not read"
import json, struct, sys, zlib
with open(sys.argv[1], "rb") as f:
    data = f.read()
kind, clen = struct.unpack_from("<II", data, 16)
print(zlib.decompress(data[32:32 + clen]).decode())
EOF
	assert_eq "$(jq -r .frequency "$T/header.json")" 0 "the session's header: frequency 0"
	assert_eq "$(jq -r '.events[0].period' "$T/header.json")" 1000000 "the session's header: the event's period"
else
	echo "python3 is not installed: the header chunk is not read"
fi
finish
