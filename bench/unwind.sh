#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# DWARF unwinding figures (--call-graph dwarf), on the nofp workload (main ->
# ft_nofp_outer -> ft_nofp_inner, no frame pointers), 999 Hz for 10 s (UNWIND_BENCH_MS):
#  - the median cost of unwinding one sample once the caches are warm (goal:
#    at most 5 us), from unwind-replay, which records into memory and then
#    unwinds every sample twice;
#  - the time to unwind, symbolize and aggregate the recording (unwind-replay
#    replaying it through a cold collect stage) against perf report on a perf
#    record --call-graph dwarf recording of the same workload, per sample
#    (goal: at least 3x faster).
# Prints figures; asserts nothing. Run through make bench.
set -u

: "${WORKLOADS:?run through make bench}"
: "${REPLAY:?run through make bench}"
: "${PERF:=}"
. "$(dirname "$0")/lib.sh"
MS=${UNWIND_BENCH_MS:-10000}

T=$(mktemp -d "${TMPDIR:-/tmp}/flametop-bench.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

echo "== DWARF unwinding: nofp, 999 Hz, $MS ms, 8 KiB of stack per sample"
if ! "$REPLAY" -F 999 -- "$WORKLOADS/nofp" "$MS" >"$T/replay.out" 2>"$T/replay.err"; then
	bench_header
	bench_line "DWARF unwind per sample, warm caches" "?" us "<=" 5 \
		"unwind-replay failed: $(head -c 60 "$T/replay.err")"
	exit 0
fi
sed 's/^/  /' "$T/replay.out"
val() { awk -v k="$1" '$1 == k { print $2 }' "$T/replay.out"; }
samples=$(val samples)
warm=$(val unwind_warm_median_ns)
ft_ns=$(val replay_ns_per_sample)
awk -v n="$ft_ns" -v s="$samples" 'BEGIN { printf "  flametop: unwind + symbolize + aggregate: %.1f ms for %d samples (%.2f us per sample)\n", n * s / 1e6, s, n / 1000 }'
# speedup VALUE PEER: prints the two figures; VALUE is how many times faster
# than perf report flametop opens the recording ("?": not measured).
speedup() {
	bench_header
	bench_line "DWARF unwind per sample, warm caches" "$(awk -v w="$warm" 'BEGIN { print w / 1000 }')" us "<=" 5
	bench_line "DWARF recording opened, x faster than perf" "$1" x ">=" 3 "$2"
}

# perf_record_dwarf MS: perf record --call-graph dwarf of nofp into $T/perf.data.
# perf 6.1 sometimes aborts at its end ("assertion failed at
# util/build-id.c"), a perf bug: try up to three times.
perf_record_dwarf() {
	for attempt in 1 2 3; do
		"$PERF" record -q -N --call-graph dwarf -e cpu-clock -F 999 -o "$T/perf.data" -- \
			"$WORKLOADS/nofp" "$1" >"$T/perf.out" 2>&1 && return 0
		echo "  perf record failed (attempt $attempt): $(head -c 200 "$T/perf.out")"
	done
	return 1
}

if ! bench_have_perf; then
	speedup "?" "perf: not installed"
	exit 0
fi
if ! perf_record_dwarf "$MS"; then
	speedup "?" "perf record --call-graph dwarf failed"
	exit 0
fi
psamples=$("$PERF" report -i "$T/perf.data" --stdio -n --sort comm -g none 2>/dev/null |
	awk '$NF == "nofp" { print $(NF - 1); exit }')
best=
for i in 1 2 3; do
	t0=$(date +%s%N)
	"$PERF" report -i "$T/perf.data" --stdio --children --sort sym >/dev/null 2>&1
	t1=$(date +%s%N)
	ms=$(( (t1 - t0) / 1000000 ))
	if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
awk -v ms="$best" -v s="$psamples" 'BEGIN { printf "  perf report --children (best of 3): %d ms for %d samples (%.2f us per sample)\n", ms, s, (s > 0 ? ms * 1000 / s : 0) }'
speedup "$(awk -v ms="$best" -v s="$psamples" -v n="$ft_ns" 'BEGIN {
	if (s > 0 && n > 0) print ms * 1e6 / s / n; else print "?" }')" \
	"perf report $(awk -v ms="$best" -v s="$psamples" 'BEGIN { if (s > 0) printf "%.2f", ms * 1000 / s; else printf "?" }') us/sample"
