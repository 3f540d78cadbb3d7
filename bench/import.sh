#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# How fast `flametop import` reads perf script, against FlameGraph's
# stackcollapse-perf.pl on the same file. It prints figures and asserts
# nothing.
#
# The input is real: perf records the deep workload (deep, varied stacks
# through frame pointers, kernel frames where it faults) for a few seconds
# at 4999 Hz, perf script prints it once, and the text is repeated until it
# reaches SIZE_MB (default 200). Then:
#   - the peak memory flametop reports (its getrusage maximum);
#   - flametop import of the file: wall and CPU time, MB/s, peak memory;
#   - with FLAMEGRAPH_DIR set (a FlameGraph checkout with
#     stackcollapse-perf.pl): stackcollapse-perf.pl on the same file, and
#     the ratios of the two (CPU time is the fair one on a shared machine:
#     both are single-threaded);
#   - the same import through a pipe (stdin), which cannot know the size.
#
#   FLAMETOP=... WORKLOADS=... PERF=... [FLAMEGRAPH_DIR=...] [SIZE_MB=200] \
#       sh bench/import.sh          (or: make bench-import)
set -u

: "${FLAMETOP:?FLAMETOP is not set: run through make bench-import}"
: "${WORKLOADS:?WORKLOADS is not set}"
: "${PERF:=$(command -v perf)}"
SIZE_MB=${SIZE_MB:-200}
. "$(dirname "$0")/lib.sh"

if [ -z "$PERF" ] || [ ! -x "$PERF" ]; then
	bench_header
	bench_skip "import perf script, MiB per CPU s" "perf is not installed"
	exit 0
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/flametop-bench-import.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM

echo "== recording the deep workload with perf (4 s at 4999 Hz, callchains)"
# --buildid-mmap: perf 6.1 on newer kernels can abort in its build-id
# code after recording; an older perf lacks the option, hence the retry.
if ! "$PERF" record -q -N --buildid-mmap -g -e cpu-clock -F 4999 -o "$T/perf.data" -- \
	"$WORKLOADS/deep" 4000 >"$T/rec.log" 2>&1 &&
	! "$PERF" record -q -N -g -e cpu-clock -F 4999 -o "$T/perf.data" -- \
		"$WORKLOADS/deep" 4000 >"$T/rec.log" 2>&1; then
	echo "perf record failed: $(head -c 300 "$T/rec.log")"
	exit 0
fi
"$PERF" script -i "$T/perf.data" >"$T/one.txt" 2>/dev/null
one=$(wc -c <"$T/one.txt")
if [ "$one" -eq 0 ]; then
	echo "perf script printed nothing"
	exit 0
fi
: >"$T/in.txt"
while [ "$(wc -c <"$T/in.txt")" -lt $((SIZE_MB * 1048576)) ]; do
	cat "$T/one.txt" >>"$T/in.txt"
done
bytes=$(wc -c <"$T/in.txt")
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
lines=$(wc -l <"$T/in.txt")
samples=$(grep -c 'cpu-clock:' "$T/in.txt")
echo "input: $mb MiB, $lines lines, $samples samples (perf script of $one bytes, repeated)"

echo
echo "== flametop import"
rm -f "$T/out.session"
bench_cpu_of "$FLAMETOP" import "$T/in.txt" -o "$T/out.session"
ft_wall=$WALL
ft_cpu=$CPU
cat "$T/err"
echo "flametop import: $ft_wall s wall, $ft_cpu s CPU," \
	"$(awk -v m="$mb" -v c="$ft_cpu" 'BEGIN { printf "%.0f", m / (c > 0 ? c : 0.001) }') MiB per CPU second"

echo
echo "== flametop import - (the same file through a pipe)"
rm -f "$T/out.session"
t0=$(date +%s%N)
cat "$T/in.txt" | "$FLAMETOP" import - -o "$T/out.session" 2>"$T/err"
t1=$(date +%s%N)
cat "$T/err"
echo "through a pipe: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }') s wall"

ft_rate=$(awk -v m="$mb" -v c="$ft_cpu" 'BEGIN { if (c > 0) print m / c; else print "?" }')
peer="stackcollapse-perf.pl: set FLAMEGRAPH_DIR"
if [ -n "${FLAMEGRAPH_DIR:-}" ] && [ -f "$FLAMEGRAPH_DIR/stackcollapse-perf.pl" ]; then
	echo
	echo "== stackcollapse-perf.pl"
	bench_cpu_of perl "$FLAMEGRAPH_DIR/stackcollapse-perf.pl" "$T/in.txt"
	pl_wall=$WALL
	pl_cpu=$CPU
	echo "stackcollapse-perf.pl: $pl_wall s wall, $pl_cpu s CPU"
	echo
	awk -v pw="$pl_wall" -v fw="$ft_wall" -v pc="$pl_cpu" -v fc="$ft_cpu" 'BEGIN {
		printf "flametop import is %.1fx faster in CPU time, %.1fx in wall time\n",
			pc / (fc > 0 ? fc : 0.001), pw / (fw > 0 ? fw : 0.001) }'
	peer="stackcollapse-perf.pl $(awk -v m="$mb" -v c="$pl_cpu" 'BEGIN { if (c > 0) printf "%.1f", m / c; else printf "?" }') MiB/s"
fi
echo
bench_header
bench_line "import perf script, MiB per CPU s" "$ft_rate" "MiB/s" - - "$peer"
