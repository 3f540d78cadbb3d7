#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Target slowdown: what being profiled costs the program profiled. A fixed
# amount of work (bench/work, deep stacks, an iteration count calibrated
# once to take about BENCH_WORK_MS, default 1500 ms, of CPU alone) runs
# alone and under each recorder, ROUNDS times (BENCH_ROUNDS, default 7):
#
#   flametop record -p PID at 99 Hz and 999 Hz (attached before the work
#       starts: the work waits on a FIFO until the recorder's events exist)
#   flametop record -- COMMAND at 99 Hz and 999 Hz
#   perf record -g -p PID at 99 Hz and 999 Hz, the peer
#
# Within a round every configuration runs once, in an order that rotates
# from round to round, so that drift in the machine's load falls on all of
# them alike. The work reports its own CPU time (user + system) and wall
# time; a round's slowdown is its time under the recorder over its time
# alone in the same round, minus one. The figure is the median over the
# rounds of the CPU-time slowdown (the cost sampling puts on the target,
# which other programs sharing the machine barely move), with the spread
# (min..max) printed beside it; the wall-time slowdown follows as info, as
# it includes the recorder competing for a CPU (and everything else that
# runs). Goals: <= 1% at 99 Hz, <= 3% at 999 Hz.
#
#   make bench-slowdown        (sets FLAMETOP, WORK, PERF)

set -u

: "${FLAMETOP:?set FLAMETOP to the flametop binary}"
: "${WORK:?set WORK to bench/work}"
PERF=${PERF:-$(command -v perf || true)}
. "$(dirname "$0")/lib.sh"

rounds=${BENCH_ROUNDS:-7}
work_ms=${BENCH_WORK_MS:-1500}

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

echo "== target slowdown: fixed work alone and under a recorder, $rounds rounds"
echo "  $(bench_load)"

# perf_fds PID: how many perf events PID holds open.
perf_fds() {
	ls -l "/proc/$1/fd" 2>/dev/null | grep -c 'perf_event'
}

# attach_and_run RECORDER...: starts the work gated, then RECORDER with
# "@PID" replaced by the work's pid; releases the work once the recorder
# holds its events, and waits for both. 0 when the work ran to its end.
attach_and_run() {
	rm -f "$dir/gate" "$dir/result"
	mkfifo "$dir/gate" || return 1
	"$WORK" --gate "$dir/gate" --result "$dir/result" "$iters" &
	wpid=$!
	pids="$wpid"
	for a in "$@"; do
		shift
		[ "$a" = @PID ] && a=$wpid
		set -- "$@" "$a"
	done
	"$@" >"$dir/rec.log" 2>&1 &
	rpid=$!
	pids="$wpid $rpid"
	i=0
	while [ "$(perf_fds "$rpid")" -eq 0 ]; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 "$rpid" 2>/dev/null; then
			echo "  recorder did not start: $(head -c 300 "$dir/rec.log")" >&2
			kill "$wpid" "$rpid" 2>/dev/null
			wait "$wpid" "$rpid" 2>/dev/null
			return 1
		fi
		sleep 0.05
	done
	sleep 0.2 # the rest of its start-up: events enabled, buffers mapped
	echo go >"$dir/gate"
	wait "$wpid"
	st=$?
	# perf record -p and flametop record -p stop when the target exits
	i=0
	while kill -0 "$rpid" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill "$rpid" 2>/dev/null
	wait "$rpid" 2>/dev/null
	pids=
	return $st
}

# run CONFIG: runs the work once as CONFIG says; appends "WALL CPU" to
# $dir/CONFIG.
run() {
	rm -f "$dir/result" "$dir/out.ft" "$dir/perf.data"
	case $1 in
	alone) "$WORK" --result "$dir/result" "$iters" ;;
	ft-p-*) attach_and_run "$FLAMETOP" record -p @PID -F "${1#ft-p-}" -o "$dir/out.ft" ;;
	ft-c-*) "$FLAMETOP" record -F "${1#ft-c-}" -o "$dir/out.ft" -- \
		"$WORK" --result "$dir/result" "$iters" >"$dir/rec.log" 2>&1 ;;
	perf-p-*) attach_and_run "$PERF" record -q -g -F "${1#perf-p-}" -e cpu-clock \
		-o "$dir/perf.data" -p @PID ;;
	esac
	if [ -s "$dir/result" ]; then
		cat "$dir/result" >>"$dir/$1"
	else
		echo "  $1: no result ($(head -c 200 "$dir/rec.log" 2>/dev/null))" >&2
		echo "? ?" >>"$dir/$1"
	fi
}

# calibrate: the iteration count that takes about work_ms of CPU alone.
iters=2000
"$WORK" --result "$dir/result" "$iters" || exit 1
iters=$(awk -v i="$iters" -v ms="$work_ms" '{ n = int(i * ms * 1e6 / $2); print n < 1 ? 1 : n }' \
	"$dir/result")
echo "  work: $iters iterations of a 25-32 frame descent (~$work_ms ms of CPU alone)"

configs="alone ft-p-99 ft-p-999 ft-c-99 ft-c-999"
if bench_have_perf; then
	configs="$configs perf-p-99 perf-p-999"
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
		run "$c"
	done
	r=$((r + 1))
	printf '  round %d of %d done\r' "$r" "$rounds" >&2
done
echo >&2

# slowdown CONFIG COLUMN: "MEDIAN MIN MAX N" of the per-round slowdown in %
# (COLUMN 1: wall, 2: CPU), rounds where either run failed left out.
slowdown() {
	paste -d' ' "$dir/alone" "$dir/$1" |
		awk -v c="$2" '$c != "?" && $(c + 2) != "?" && $c > 0 { print ($(c + 2) / $c - 1) * 100 }' |
		bench_stats
}

# figure NAME CONFIG GOAL PEERCONFIG
figure() {
	set -- "$1" "$2" "$3" "$4" $(slowdown "$2" 2) $(slowdown "$2" 1)
	name=$1 goal=$3 peer=$4 med=$5 lo=$6 hi=$7 cnt=$8 wmed=$9
	shift 9
	wlo=$1 whi=$2
	ptext=-
	if [ "$peer" != - ] && [ -s "$dir/$peer" ]; then
		pmed=$(slowdown "$peer" 2 | cut -d' ' -f1)
		ptext="perf record -g $(bench_fmt "$pmed") %"
	elif [ "$peer" != - ]; then
		ptext="perf: not installed"
	fi
	bench_line "$name, CPU" "$med" % "<=" "$goal" "$ptext"
	echo "    spread over $cnt rounds: $(bench_fmt "$lo") .. $(bench_fmt "$hi") %"
	bench_line "$name, wall" "$wmed" % - - "spread $(bench_fmt "$wlo") .. $(bench_fmt "$whi") %"
}

echo
bench_header
figure "slowdown, record -p, 99 Hz" ft-p-99 1 perf-p-99
figure "slowdown, record -p, 999 Hz" ft-p-999 3 perf-p-999
figure "slowdown, record -- CMD, 99 Hz" ft-c-99 1 perf-p-99
figure "slowdown, record -- CMD, 999 Hz" ft-c-999 3 perf-p-999
