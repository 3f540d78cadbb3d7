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
#    (goal: at least 3x faster), in wall time and, beside it, in CPU time
#    (user + system; the fair one on a busy machine, where perf report's
#    wall time runs to several times its CPU time). Both read
#    /proc/kallsyms (perf.data is recorded with -N, no build-id cache): the
#    kernel's formatting of that file is most of flametop's figure, and the
#    CPU time of reading it alone is printed too.
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
# flametop's CPU time per sample, ns: user + system of the replay.
ft_cpu_ns=$(awk -v u="$(val replay_user_ms)" -v y="$(val replay_sys_ms)" -v s="$samples" \
	'BEGIN { if (s > 0 && u + y > 0) print (u + y) * 1e6 / s; else print "?" }')
awk -v n="$ft_ns" -v s="$samples" 'BEGIN { printf "  flametop: unwind + symbolize + aggregate: %.1f ms for %d samples (%.2f us per sample)\n", n * s / 1e6, s, n / 1000 }'
awk -v u="$(val replay_user_ms)" -v y="$(val replay_sys_ms)" -v ku="$(val kallsyms_user_ms)" \
	-v ky="$(val kallsyms_sys_ms)" 'BEGIN {
	printf "  flametop CPU: %.1f ms user + %.1f ms system; reading /proc/kallsyms alone: %.1f ms user + %.1f ms system\n", u, y, ku, ky }'
# speedup VALUE PEER [CPU_VALUE CPU_PEER]: prints the figures; VALUE is how
# many times faster than perf report flametop opens the recording in wall
# time, CPU_VALUE in CPU time ("?": not measured).
speedup() {
	bench_header
	bench_line "DWARF unwind per sample, warm caches" "$(awk -v w="$warm" 'BEGIN { print w / 1000 }')" us "<=" 5
	bench_line "DWARF recording opened, x faster than perf" "$1" x ">=" 3 "$2"
	bench_line "DWARF recording opened, CPU, x vs perf" "${3:-?}" x - - "${4:--}"
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
# perf report three times: the least wall time and the least CPU time.
best=
best_cpu=
for i in 1 2 3; do
	bench_cpu_of "$PERF" report -i "$T/perf.data" --stdio --children --sort sym
	ms=$(awk -v w="$WALL" 'BEGIN { printf "%d", w * 1000 }')
	cpu_ms=$(awk -v c="$CPU" 'BEGIN { printf "%d", c * 1000 }')
	if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
	if [ -z "$best_cpu" ] || [ "$cpu_ms" -lt "$best_cpu" ]; then best_cpu=$cpu_ms; fi
done
awk -v ms="$best" -v c="$best_cpu" -v s="$psamples" 'BEGIN { printf "  perf report --children (best of 3): %d ms for %d samples (%.2f us per sample); CPU %d ms (%.2f us per sample)\n", ms, s, (s > 0 ? ms * 1000 / s : 0), c, (s > 0 ? c * 1000 / s : 0) }'
# ratio PEER_MS FLAMETOP_NS_PER_SAMPLE: perf's time per sample over flametop's.
ratio() {
	awk -v ms="$1" -v s="$psamples" -v n="$2" 'BEGIN {
		if (s > 0 && n > 0 && ms > 0) print ms * 1e6 / s / n; else print "?" }'
}
# per_sample MS: perf's time per sample, us.
per_sample() {
	awk -v ms="$1" -v s="$psamples" 'BEGIN { if (s > 0) printf "%.2f", ms * 1000 / s; else printf "?" }'
}
speedup "$(ratio "$best" "$ft_ns")" "perf report $(per_sample "$best") us/sample" \
	"$(ratio "$best_cpu" "$ft_cpu_ns")" "perf report $(per_sample "$best_cpu") us CPU/sample"
