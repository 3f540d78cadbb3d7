#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# -m's default, as record --help and the man page tell it: 128 pages per
# CPU, 512 where samples come in bursts or carry stacks: --call-graph
# dwarf, -c, a tracepoint, a group, a profile type that samples every
# event; -m given wins. Each ring is read from the recorder's own
# mappings (/proc/PID/maps: the kernel's perf_event mappings, the data
# pages plus one page of metadata) while it records `sleep`. The help
# named only the profile types.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events

PAGE=$(getconf PAGESIZE)

# ring_pages PID: the data pages of each of PID's perf_event mappings,
# one a line.
ring_pages() {
	awk -v page="$PAGE" '/perf_event/ {
		split($1, r, "-")
		# the bounds in hex, as awk without strtonum reads them
		n = 0
		for (k = 1; k <= 2; k++) {
			v = 0
			for (i = 1; i <= length(r[k]); i++)
				v = v * 16 + index("0123456789abcdef", substr(r[k], i, 1)) - 1
			b[k] = v
		}
		print (b[2] - b[1]) / page - 1
	}' "/proc/$1/maps" 2>/dev/null
}
# has_rings PID: timeout PID's command (the recorder) has mapped its rings;
# its PID then in REC.
has_rings() {
	REC=$(ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' ')
	[ -n "$REC" ] && [ -n "$(ring_pages "$REC")" ]
}

# check NAME PAGES RECORD-ARGS...: record with the args has rings of PAGES each.
check() {
	name=$1
	want=$2
	shift 2
	timeout -s KILL 60 "$FLAMETOP" record "$@" -o "$T/$name.session" -- sleep 30 \
		>"$T/$name.out" 2>"$T/$name.err" &
	rec=$!
	ft_bg_pids="$ft_bg_pids $rec"
	if wait_until 30 has_rings "$rec"; then
		got=$(ring_pages "$REC" | sort -u | tr '\n' ' ')
		assert_eq "$got" "$want " "$name: pages of each ring"
		kill -INT "$REC" 2>/dev/null
	else
		fail "$name: no ring mapped in 30 s: $(cat "$T/$name.err")"
	fi
	wait "$rec"
}

check plain 128 -e task-clock
check count 512 -c 1000000 -e task-clock
check dwarf 512 --call-graph dwarf -e task-clock
check group 512 -e '{task-clock,page-faults}'
check every-type 512 -e faults
check given 64 -m 64 -e faults
if [ -r /sys/kernel/tracing/events/sched/sched_switch/id ] ||
	[ -r /sys/kernel/debug/tracing/events/sched/sched_switch/id ]; then
	check tracepoint 512 -e sched:sched_switch
else
	echo "no tracefs with sched:sched_switch: a tracepoint's ring is not checked"
fi

# record --help names each case of the larger default.
help=$("$FLAMETOP" record --help | sed -n '/--mmap-pages/,/larger if/p' | tr -s ' \n' '  ')
for what in '128 pages' '512 pages' '--call-graph dwarf' ' -c' 'tracepoint' 'group' \
	'a type that samples every event'; do
	case "$help" in
	*"$what"*) pass "record --help: -m's default names '$what'" ;;
	*) fail "record --help: -m's default does not name '$what': $help" ;;
	esac
done
finish
