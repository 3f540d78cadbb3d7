#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Target slowdown: what being profiled costs the program profiled.
#
# A fixed amount of work (bench/work, deep stacks, an iteration count
# calibrated once to take about BENCH_WORK_MS, default 1000 ms, of CPU
# alone) runs as a pair: two copies at once, both pinned to one CPU, both
# held at a FIFO gate and let go together, one of them under a recorder:
#
#   flametop record -p PID at 99 Hz and 999 Hz
#   flametop record -- COMMAND at 99 Hz and 999 Hz
#   perf record -g -p PID at 99 Hz and 999 Hz, the peer
#   no recorder at all: the pair's own noise, shown beside the figures
#
# Why a pair on one CPU: a virtual machine's CPU runs faster or slower from
# one second to the next as its host is busy, by 10% and more, so the same
# work timed alone and then under a recorder differs by more than the
# whole goal. Two copies sharing one CPU take turns every few milliseconds
# and so see the same machine; the profiled copy's CPU time (user +
# system, which includes the kernel's sampling work done in its name) over
# the other's, minus one, is the slowdown. The turns add a context switch
# every few milliseconds that a lone program would not have, and the
# per-task perf events make each switch dearer: if anything the figure is
# high. The recorder itself runs on any CPU, as it would for a user.
#
# Each of ROUNDS rounds (BENCH_ROUNDS, default 7) runs every configuration
# once, in an order that rotates from round to round; which copy starts
# first alternates. The figure is the median over the rounds, with the
# spread (min..max) beside it. Goals: <= 1% at 99 Hz, <= 3% at 999 Hz.
# BENCH_CONFIGS picks configurations by name: null, ft-p-HZ, ft-c-HZ and
# perf-p-HZ, e.g. "null ft-p-999 perf-p-999" with BENCH_ROUNDS=25 to
# compare two closely (the figures of the others say n/a). A rate other
# than 99 and 999 (ft-p-9999 perf-p-9999: ten times the samples, so ten
# times the per-sample cost against the same noise) prints a line of its
# own, with no goal, and each configuration's slowdown per round beside
# the same round's null and perf figures with BENCH_RAW=1.
#
#   make bench-slowdown        (sets FLAMETOP, WORK, PERF)

set -u

: "${FLAMETOP:?set FLAMETOP to the flametop binary}"
: "${WORK:?set WORK to bench/work}"
PERF=${PERF:-$(command -v perf || true)}
. "$(dirname "$0")/lib.sh"

rounds=${BENCH_ROUNDS:-7}
work_ms=${BENCH_WORK_MS:-1000}

dir=$(mktemp -d "${TMPDIR:-/tmp}/flametop-bench-slowdown.XXXXXX") || exit 1
pids=
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# the last CPU this script may run on: the pair's CPU
cpu=$(awk '/^Cpus_allowed_list:/ { n = split($2, r, /[,-]/); print r[n] }' /proc/self/status)
if [ -z "$cpu" ] || ! command -v taskset >/dev/null 2>&1; then
	echo "== target slowdown: skipped (no taskset, or no CPU list)"
	bench_skip "slowdown, record -p" "taskset (util-linux) is needed to pin the pair"
	exit 0
fi

echo "== target slowdown: two copies of a fixed work on CPU $cpu, one under a recorder, $rounds rounds"
echo "  $(bench_load)"

# perf_fds PID: how many perf events PID holds open.
perf_fds() {
	ls -l "/proc/$1/fd" 2>/dev/null | grep -c 'perf_event'
}

# work NAME &: the pinned work, gated by $dir/gate.NAME, its result to
# $dir/res.NAME; exec'd, so that $! is its pid (only ever run with &).
work() {
	exec taskset -c "$cpu" "$WORK" --gate "$dir/gate.$1" --result "$dir/res.$1" "$iters"
}

# pair CONFIG ROUND: runs the pair once as CONFIG says; appends
# "CPU_PROFILED CPU_OTHER" (ns) to $dir/CONFIG, "? ?" when a run failed.
pair() {
	rm -f "$dir"/gate.* "$dir"/res.* "$dir/out.ft" "$dir/perf.data"
	mkfifo "$dir/gate.a" "$dir/gate.b" || return 1
	work b &
	bpid=$!
	rpid=
	case $1 in
	null)
		work a &
		apid=$!
		;;
	ft-p-* | perf-p-*)
		work a &
		apid=$!
		if [ "${1%%-*}" = ft ]; then
			"$FLAMETOP" record -p "$apid" -F "${1##*-}" -o "$dir/out.ft" >"$dir/rec.log" 2>&1 &
		else
			"$PERF" record -q -g -F "${1##*-}" -e cpu-clock -o "$dir/perf.data" \
				-p "$apid" >"$dir/rec.log" 2>&1 &
		fi
		rpid=$!
		;;
	ft-c-*)
		"$FLAMETOP" record -F "${1##*-}" -o "$dir/out.ft" -- taskset -c "$cpu" "$WORK" \
			--gate "$dir/gate.a" --result "$dir/res.a" "$iters" >"$dir/rec.log" 2>&1 &
		rpid=$!
		apid=$rpid
		;;
	esac
	pids="$apid $bpid $rpid"
	if [ -n "$rpid" ]; then
		i=0
		while [ "$(perf_fds "$rpid")" -eq 0 ]; do
			i=$((i + 1))
			if [ $i -gt 600 ] || ! kill -0 "$rpid" 2>/dev/null; then
				echo "  $1: recorder did not start: $(head -c 300 "$dir/rec.log")" >&2
				break
			fi
			sleep 0.05
		done
		sleep 0.2 # the rest of its start-up: events enabled, buffers mapped
	fi
	# let both go, the first one first in even rounds
	if [ $(($2 % 2)) -eq 0 ]; then
		{ echo go >"$dir/gate.a" & echo go >"$dir/gate.b"; wait; } 2>/dev/null
	else
		{ echo go >"$dir/gate.b" & echo go >"$dir/gate.a"; wait; } 2>/dev/null
	fi
	wait "$bpid" 2>/dev/null
	wait "$apid" 2>/dev/null
	# perf record -p and flametop record -p stop when the target exits
	if [ -n "$rpid" ]; then
		i=0
		while kill -0 "$rpid" 2>/dev/null && [ $i -lt 300 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill "$rpid" 2>/dev/null
		wait "$rpid" 2>/dev/null
	fi
	pids=
	if [ -s "$dir/res.a" ] && [ -s "$dir/res.b" ]; then
		echo "$(cut -d' ' -f2 "$dir/res.a") $(cut -d' ' -f2 "$dir/res.b")" >>"$dir/$1"
	else
		echo "  $1: no result ($(head -c 200 "$dir/rec.log" 2>/dev/null))" >&2
		echo "? ?" >>"$dir/$1"
	fi
}

# calibrate: the iteration count that takes about work_ms of CPU alone.
iters=2000
"$WORK" --result "$dir/res.cal" "$iters" || exit 1
iters=$(awk -v i="$iters" -v ms="$work_ms" '{ n = int(i * ms * 1e6 / $2); print n < 1 ? 1 : n }' \
	"$dir/res.cal")
echo "  work: $iters iterations of a 25-32 frame descent (~$work_ms ms of CPU alone), twice a run"

configs="null ft-p-99 ft-p-999 ft-c-99 ft-c-999"
if bench_have_perf; then
	configs="$configs perf-p-99 perf-p-999"
fi
if [ -n "${BENCH_CONFIGS:-}" ]; then
	configs=
	for c in $BENCH_CONFIGS; do
		case $c in
		null | ft-[pc]-[1-9]*) configs="$configs $c" ;;
		perf-p-[1-9]*) bench_have_perf && configs="$configs $c" ;;
		*) echo "  BENCH_CONFIGS: no configuration $c" >&2 ;;
		esac
	done
	if [ -z "$configs" ]; then
		echo "  BENCH_CONFIGS: nothing to run" >&2
		exit 1
	fi
fi
n=$(echo $configs | wc -w)
r=0
while [ $r -lt "$rounds" ]; do
	# rotate the order by the round number
	set -- $configs
	k=0
	while [ $k -lt $((r % n)) ]; do
		first=$1
		shift
		set -- "$@" "$first"
		k=$((k + 1))
	done
	for c in "$@"; do
		pair "$c" "$r"
	done
	r=$((r + 1))
	printf '  round %d of %d done\r' "$r" "$rounds" >&2
done
echo >&2

# slowdown CONFIG: "MEDIAN MIN MAX N" of the per-round slowdown in %,
# failed rounds left out.
slowdown() {
	awk '$1 != "?" && $2 > 0 { print ($1 / $2 - 1) * 100 }' "$dir/$1" | bench_stats
}

# figure NAME CONFIG GOAL PEERCONFIG: GOAL "-" for none
figure() {
	op="<="
	[ "$3" != - ] || op=-
	if [ ! -s "$dir/$2" ]; then
		bench_line "$1" "" % "$op" "$3" "not run (BENCH_CONFIGS)"
		return 0
	fi
	set -- "$1" "$2" "$3" "$4" $(slowdown "$2")
	ptext=-
	if [ -s "$dir/$4" ]; then
		ptext="perf record -g $(bench_fmt "$(slowdown "$4" | cut -d' ' -f1)") %"
	elif ! bench_have_perf; then
		ptext="perf: not installed"
	fi
	bench_line "$1" "$5" % "$op" "$3" "$ptext"
	echo "    spread over $8 rounds: $(bench_fmt "$6") .. $(bench_fmt "$7") %"
}

echo
bench_header
set -- $(slowdown null) ? ? ?
[ -s "$dir/null" ] || set -- ? ? ?
bench_line "slowdown, the pair alone (noise)" "$1" % - - "spread $(bench_fmt "$2") .. $(bench_fmt "$3") %"
figure "slowdown, record -p, 99 Hz, CPU" ft-p-99 1 perf-p-99
figure "slowdown, record -p, 999 Hz, CPU" ft-p-999 3 perf-p-999
figure "slowdown, record -- CMD, 99 Hz, CPU" ft-c-99 1 perf-p-99
figure "slowdown, record -- CMD, 999 Hz, CPU" ft-c-999 3 perf-p-999
# the rates of BENCH_CONFIGS beyond the goals': no goal, the peer at the same rate
for c in $configs; do
	case $c in
	null | *-99 | *-999 | perf-*) ;;
	ft-p-*) figure "slowdown, record -p, ${c##*-} Hz, CPU" "$c" - "perf-p-${c##*-}" ;;
	ft-c-*) figure "slowdown, record -- CMD, ${c##*-} Hz, CPU" "$c" - "perf-p-${c##*-}" ;;
	esac
done
for c in $configs; do
	case $c in
	perf-p-99 | perf-p-999 | null) ;;
	perf-p-*) figure "slowdown, perf record -g -p, ${c##*-} Hz, CPU" "$c" - none ;;
	esac
done
if [ "${BENCH_RAW:-0}" = 1 ]; then
	echo "  per round, slowdown in %:"
	for c in $configs; do
		printf '  %-12s' "$c"
		awk '{ printf " %6s", ($1 != "?" && $2 > 0) ? sprintf("%.2f", ($1 / $2 - 1) * 100) : "?" }
		END { print "" }' "$dir/$c"
	done
fi
