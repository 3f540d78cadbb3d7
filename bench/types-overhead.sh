#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What each profile type costs the target (issue 12): the same workload run
# alone and under `flametop record -e TYPE`, its elapsed time measured
# around the workload only (not flametop's start and end), best of three.
# Prints the slowdown per type, and for the probed types the cost per probed
# call. Goals (issue 12): cpu at 99 Hz <= 1%, offcpu and lock <= 5%; alloc's
# cost per call is measured, not bounded. Asserts nothing.
#
#   FLAMETOP=... WORKLOADS=... sh bench/types-overhead.sh
# Needs root (or perf_event_paranoid allowing it) and the t12 workloads.
set -u
: "${FLAMETOP:?set FLAMETOP to the flametop binary}"
: "${WORKLOADS:?set WORKLOADS to the built tests/workloads}"
T=$(mktemp -d "${TMPDIR:-/tmp}/flametop-bench.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

# elapsed CMD...: nanoseconds CMD took (CMD's output discarded).
elapsed() {
	s=$(date +%s%N)
	"$@" >/dev/null 2>&1
	e=$(date +%s%N)
	echo $((e - s))
}

# best OUT [flametop args --] CMD...: the least of three elapsed times of CMD,
# alone (no flametop args) or under flametop record.
timed() {
	best=
	for i in 1 2 3; do
		if [ "$1" = alone ]; then
			ns=$(elapsed "$WORKLOADS/$2" $3 $4)
		else
			ns=$("$FLAMETOP" record -e "$1" -o "$T/s$i.session" --force -- \
				sh -c 's=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $((e - s))' \
				sh "$WORKLOADS/$2" $3 $4 2>/dev/null)
		fi
		if [ -z "$best" ] || [ "$ns" -lt "$best" ]; then
			best=$ns
		fi
	done
	echo "$best"
}

printf '%-11s %-26s %10s %10s %9s %s\n' type workload alone_ms with_ms slowdown per_call
row() {
	type=$1 work=$2 a1=$3 a2=$4 calls=$5
	alone=$(timed alone "$work" "$a1" "$a2")
	with=$(timed "$type" "$work" "$a1" "$a2")
	awk -v t="$type" -v w="$work $a1 $a2" -v a="$alone" -v b="$with" -v c="$calls" 'BEGIN {
		per = c > 0 ? sprintf("%.2f us per probed call (%d calls)", (b - a) / c / 1000, c) : ""
		printf "%-11s %-26s %10.1f %10.1f %8.1f%% %s\n", t, w, a / 1e6, b / 1e6, (b - a) * 100 / a, per }'
}

row task-clock t12-types wall 20 0
row offcpu t12-types wall 20 0
row wall t12-types wall 20 0
row lock t12-types lock 2000 0
row faults t5-faults 100000 1 0
# alloc mode: per round 5 mallocs (3 + 1 + 1) and 4 frees (or 5 past 100,000 rounds).
row alloc t12-types alloc 100000 500000
row inuse t12-types alloc 100000 900000
row exceptions t12-throw 20000 "" 80000
