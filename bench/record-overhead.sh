#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What recording costs, next to perf. Loads every CPU with bench/work, then
# records the same load for DURATION seconds (default 10) system-wide at
# 999 Hz with stacks, first with flametop and then with perf, once with deep
# stacks (25 to 32 frames, eight distinct ones) and once with wide ones
# (4096 distinct stacks of 15 to 17 frames). For each it prints the
# recorder's own CPU time (user + system, the recorder and its children,
# counted with perf stat -e task-clock), the samples taken, the bytes
# written, and then the figures:
#
#   record CPU, flametop / perf           goal <= 1.0 (deep), <= 0.5 (wide)
#   session bytes per sample              goal <= 4 (peer: perf.data's), and
#                                         again for the wide stacks over a
#                                         minute, flametop alone
#   opening the recording (report)        no goal here (peer: perf report);
#                                         bench/timeline has the goal, on
#                                         a synthetic hour
#
# perf runs as perf users run it (build ids collected at the end included).
# This prints figures and judges nothing: it exits 0 whatever the ratios,
# and non-zero only when it could not measure.
#
#   make bench-record          (sets FLAMETOP, WORK, PERF)
#   FLAMETOP=./flametop WORK=bench/work sh bench/record-overhead.sh [DURATION]

set -u

: "${FLAMETOP:?set FLAMETOP to the flametop binary}"
: "${WORK:?set WORK to bench/work}"
PERF=${PERF:-$(command -v perf || true)}
duration=${1:-${BENCH_DURATION:-10}}
freq=999
. "$(dirname "$0")/lib.sh"

echo "== recording: ${duration} s at $freq Hz, system-wide with stacks, every CPU loaded"
echo "  $(bench_load)"
if [ "$(id -u)" -ne 0 ]; then
	bench_header
	bench_skip "record CPU (x perf record)" "needs root for system-wide recording"
	exit 0
fi
if ! bench_have_perf; then
	bench_header
	bench_skip "record CPU (x perf record)" "perf is not installed (apt-get install linux-perf)"
	exit 0
fi
echo "  kernel $(uname -r); $("$PERF" --version)"

dir=$(mktemp -d "${TMPDIR:-/tmp}/flametop-bench.XXXXXX") || exit 1
loads=
stop_loads() {
	for p in $loads; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	loads=
}
trap 'stop_loads; rm -rf "$dir"' EXIT
trap 'exit 1' INT TERM HUP

# cpu_seconds COMMAND [ARGS...]: runs COMMAND (output to $dir/cmd.log) and
# prints the CPU seconds (user + system) it and its children used, counted
# by perf stat's task-clock, which is exact where the shell's times builtin
# rounds to clock ticks. Returns COMMAND's status.
cpu_seconds() {
	"$PERF" stat -x, -e task-clock -o "$dir/stat" -- "$@" >"$dir/cmd.log" 2>&1 || return
	awk -F, '$3 == "task-clock" { printf "%.3f\n", $1 / 1000 }' "$dir/stat"
}

# ms COMMAND...: the wall milliseconds COMMAND took (output discarded).
ms() {
	_t0=$(bench_now_ms)
	"$@" >/dev/null 2>&1
	echo $(($(bench_now_ms) - _t0))
}

# bench_load_run NAME CPU_GOAL [WORK OPTIONS]: loads every CPU with bench/work,
# records with both, prints the figures for NAME.
bench_load_run() {
	name=$1 cpu_goal=$2
	shift 2
	ncpu=$(getconf _NPROCESSORS_ONLN)
	i=0
	while [ "$i" -lt "$ncpu" ]; do
		"$WORK" "$@" 0 &
		loads="$loads $!"
		i=$((i + 1))
	done
	sleep 1

	# --- flametop ----------------------------------------------------------
	rm -f "$dir/ft.session" "$dir/perf.data"
	ft_cpu=$(cpu_seconds "$FLAMETOP" record -a -F "$freq" -d "$duration" -o "$dir/ft.session") || {
		echo "  flametop record failed: $(cat "$dir/cmd.log")"
		stop_loads
		return 1
	}
	sed 's/^/  | /' "$dir/cmd.log"
	# The sample count, from record's own line "recorded N samples of ..."
	ft_samples=$(sed -n 's/.*recorded \([0-9][0-9]*\) samples.*/\1/p' "$dir/cmd.log" | tail -n 1)
	ft_bytes=$(stat -c %s "$dir/ft.session")

	# --- perf --------------------------------------------------------------
	# perf 6.1 sometimes aborts at its end ("assertion failed at
	# util/build-id.c", then "stack smashing detected"), a perf bug: up to
	# three tries, and a recording from a perf that aborted is not a peer.
	for attempt in 1 2 3; do
		rm -f "$dir/perf.data"
		perf_cpu=$(cpu_seconds "$PERF" record -a -g -F "$freq" -e cpu-clock -o "$dir/perf.data" -- \
			sleep "$duration") && break
		echo "  perf record failed (try $attempt of 3): $(grep -v 'assertion failed' "$dir/cmd.log" | head -c 200)"
		perf_cpu=?
	done
	grep -v 'assertion failed at util/build-id' "$dir/cmd.log" | sed 's/^/  | /'
	stop_loads
	# perf's own count, "[ perf record: Captured and wrote X MB FILE (N samples) ]",
	# else one line per sample from perf script.
	perf_samples= perf_bytes=? perf_open=?
	if [ "$perf_cpu" != "?" ]; then
		perf_samples=$(sed -n 's/.*(\([0-9][0-9]*\) samples).*/\1/p' "$dir/cmd.log" | tail -n 1)
		[ -n "$perf_samples" ] ||
			perf_samples=$("$PERF" script -i "$dir/perf.data" -F period 2>/dev/null | grep -c .)
		perf_bytes=$(stat -c %s "$dir/perf.data")
	fi

	# --- opening each (the machine is quiet again) --------------------------
	ft_open=$( (for i in 1 2 3; do ms "$FLAMETOP" report -i "$dir/ft.session" --format text; done) |
		bench_stats | cut -d' ' -f1)
	[ "$perf_cpu" = "?" ] ||
		perf_open=$( (for i in 1 2 3; do ms "$PERF" report -i "$dir/perf.data" --stdio --children --sort sym; done) |
			bench_stats | cut -d' ' -f1)

	printf '  %-10s %12s %10s %14s\n' recorder "CPU seconds" samples "file bytes"
	printf '  %-10s %12s %10s %14s\n' flametop "$ft_cpu" "${ft_samples:-?}" "$ft_bytes"
	printf '  %-10s %12s %10s %14s\n' perf "$perf_cpu" "${perf_samples:-?}" "$perf_bytes"
	ratio=$(awk -v f="$ft_cpu" -v p="$perf_cpu" 'BEGIN { if (p ~ /^[0-9.]+$/ && p > 0) print f / p; else print "?" }')
	ft_bps=$(awk -v b="$ft_bytes" -v s="${ft_samples:-0}" 'BEGIN { if (s > 0) print b / s; else print "?" }')
	perf_bps=$(awk -v b="$perf_bytes" -v s="${perf_samples:-0}" 'BEGIN { if (s > 0) print b / s; else print "?" }')
	results="$results
record CPU, $name (x perf record)|$ratio|x|<=|$cpu_goal|perf record $(bench_fmt "$perf_cpu") s CPU
session bytes per sample, $name|$ft_bps|B|<=|4|perf.data $(bench_fmt "$perf_bps") B
open recording (report), $name|$ft_open|ms|-|-|perf report $(bench_fmt "$perf_open") ms"
}

results=
echo "-- deep stacks"
bench_load_run "deep stacks" 1.0
echo "-- 4096 distinct stacks"
bench_load_run "4096 stacks" 0.5 --wide

# A recording's tables (each new stack's call-tree nodes and locations)
# cost once per stack: in 10 s, 4096 stacks are each sampled a handful of
# times and their tables are a third of the file. A recorder left running
# pays them once; the same wide load for LONG seconds (BENCH_LONG_DURATION,
# default 60; 0 skips it) shows what a sample costs when they are spread.
long=${BENCH_LONG_DURATION:-60}
if [ "$long" -gt 0 ]; then
	echo "-- 4096 distinct stacks, $long s (flametop alone: bytes per sample)"
	i=0
	while [ "$i" -lt "$(getconf _NPROCESSORS_ONLN)" ]; do
		"$WORK" --wide 0 &
		loads="$loads $!"
		i=$((i + 1))
	done
	sleep 1
	rm -f "$dir/ft.session"
	if "$FLAMETOP" record -a -F "$freq" -d "$long" -o "$dir/ft.session" >"$dir/cmd.log" 2>&1; then
		sed 's/^/  | /' "$dir/cmd.log"
		long_samples=$(sed -n 's/.*recorded \([0-9][0-9]*\) samples.*/\1/p' "$dir/cmd.log" | tail -n 1)
		long_bps=$(awk -v b="$(stat -c %s "$dir/ft.session")" -v s="${long_samples:-0}" \
			'BEGIN { if (s > 0) print b / s; else print "?" }')
	else
		echo "  flametop record failed: $(head -c 200 "$dir/cmd.log")"
		long_bps=?
	fi
	stop_loads
	results="$results
session bytes per sample, 4096 stacks, $long s|$long_bps|B|<=|4|-"
fi

echo
bench_header
echo "$results" | while IFS='|' read -r n v u o g p; do
	[ -n "$n" ] && bench_line "$n" "$v" "$u" "$o" "$g" "$p"
done
exit 0
