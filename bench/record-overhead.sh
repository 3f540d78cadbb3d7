#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What recording costs, next to perf. Loads every CPU with the deep workload
# (stacks 25 to 32 frames deep, eight distinct ones), then records the same
# load for DURATION seconds (default 10) system-wide at 999 Hz with stacks,
# first with flametop and then with perf, and prints for each its own CPU
# time (user + system, the recorder and its children, counted with perf stat
# -e task-clock), the samples it took, the bytes it wrote, and two
# ratios with their goals:
#
#   CPU time, flametop / perf                                   goal <= 1.5
#   session bytes per sample / perf.data bytes per sample       goal <= 0.1
#
# perf runs as perf users run it (build ids collected at the end included).
# This prints figures and judges nothing: it exits 0 whatever the ratios,
# and non-zero only when it could not measure.
#
#   make bench                 (sets FLAMETOP, WORKLOADS, PERF)
#   FLAMETOP=./flametop WORKLOADS=tests/workloads sh bench/record-overhead.sh [DURATION]

set -u

: "${FLAMETOP:?set FLAMETOP to the flametop binary}"
: "${WORKLOADS:?set WORKLOADS to the directory of the built test workloads}"
PERF=${PERF:-$(command -v perf || true)}
duration=${1:-${BENCH_DURATION:-10}}
freq=999

die() {
	echo "record-overhead: $*" >&2
	exit 1
}

[ -x "$FLAMETOP" ] || die "no flametop binary at $FLAMETOP"
[ -x "$WORKLOADS/deep" ] || die "no deep workload in $WORKLOADS (make check builds it)"
[ "$(id -u)" -eq 0 ] || die "needs root for system-wide recording"
{ [ -n "$PERF" ] && [ -x "$PERF" ]; } || die "perf is not installed (apt-get install linux-perf)"
command -v jq >/dev/null 2>&1 || die "jq is not installed"

dir=$(mktemp -d "${TMPDIR:-/tmp}/flametop-bench.XXXXXX") || exit 1
loads=
cleanup() {
	for p in $loads; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# cpu_seconds COMMAND [ARGS...]: runs COMMAND (output to $dir/cmd.log) and
# prints the CPU seconds (user + system) it and its children used, counted
# by perf stat's task-clock, which is exact where the shell's times builtin
# rounds to clock ticks. Returns COMMAND's status.
cpu_seconds() {
	"$PERF" stat -x, -e task-clock -o "$dir/stat" -- "$@" >"$dir/cmd.log" 2>&1 || return
	awk -F, '$3 == "task-clock" { printf "%.3f\n", $1 / 1000 }' "$dir/stat"
}

ncpu=$(getconf _NPROCESSORS_ONLN)
echo "record-overhead: $ncpu CPUs loaded with $WORKLOADS/deep, ${duration} s at $freq Hz, system-wide with stacks"
echo "kernel $(uname -r); $("$PERF" --version)"
i=0
while [ "$i" -lt "$ncpu" ]; do
	"$WORKLOADS/deep" 0 24 &
	loads="$loads $!"
	i=$((i + 1))
done
sleep 1

# --- flametop ------------------------------------------------------------------
ft_cpu=$(cpu_seconds "$FLAMETOP" record -a -F "$freq" -d "$duration" -o "$dir/ft.session") ||
	die "flametop record failed: $(cat "$dir/cmd.log")"
sed 's/^/  | /' "$dir/cmd.log"
"$FLAMETOP" report -i "$dir/ft.session" --format text >"$dir/ft.txt" 2>&1 ||
	die "flametop report failed: $(cat "$dir/ft.txt")"
# The text report's header: "# samples: N, duration: S s, lost: N".
ft_samples=$(head -n 12 "$dir/ft.txt" | sed -n 's/.*samples:* *\([0-9][0-9]*\).*/\1/p' | head -n 1)
[ -n "$ft_samples" ] || die "no sample count in the header of flametop report: $(head -n 5 "$dir/ft.txt")"
ft_lost=$(head -n 12 "$dir/ft.txt" | sed -n 's/.*lost:* *\([0-9][0-9]*\).*/\1/p' | head -n 1)
ft_bytes=$(stat -c %s "$dir/ft.session")

# --- perf ----------------------------------------------------------------------
perf_cpu=$(cpu_seconds "$PERF" record -a -g -F "$freq" -e cpu-clock -o "$dir/perf.data" -- sleep "$duration") ||
	die "perf record failed: $(cat "$dir/cmd.log")"
# perf's own count, "[ perf record: Captured and wrote X MB FILE (N samples) ]",
# else one line per sample from perf script.
perf_samples=$(sed -n 's/.*(\([0-9][0-9]*\) samples).*/\1/p' "$dir/cmd.log" | tail -n 1)
[ -n "$perf_samples" ] ||
	perf_samples=$("$PERF" script -i "$dir/perf.data" -F period 2>"$dir/script.err" | grep -c .)
[ "$perf_samples" -gt 0 ] ||
	die "no samples in perf.data: $(cat "$dir/cmd.log" "$dir/script.err" 2>/dev/null | head -n 5)"
perf_lost=$("$PERF" report -i "$dir/perf.data" --stdio --sort comm 2>/dev/null |
	awk -F': ' '/^# Total Lost Samples/ { print $2; exit }')
perf_bytes=$(stat -c %s "$dir/perf.data")
sed 's/^/  | /' "$dir/cmd.log"

# --- figures -------------------------------------------------------------------
echo
printf '%-10s %12s %10s %10s %14s %16s\n' recorder "CPU seconds" samples lost "file bytes" "bytes/sample"
printf '%-10s %12s %10s %10s %14s %16.1f\n' flametop "$ft_cpu" "$ft_samples" "${ft_lost:-?}" "$ft_bytes" \
	"$(awk -v b="$ft_bytes" -v s="$ft_samples" 'BEGIN { print s ? b / s : 0 }')"
printf '%-10s %12s %10s %10s %14s %16.1f\n' perf "$perf_cpu" "$perf_samples" "${perf_lost:-?}" "$perf_bytes" \
	"$(awk -v b="$perf_bytes" -v s="$perf_samples" 'BEGIN { print s ? b / s : 0 }')"
echo
awk -v fc="$ft_cpu" -v pc="$perf_cpu" -v fb="$ft_bytes" -v fs="$ft_samples" -v pb="$perf_bytes" -v ps="$perf_samples" 'BEGIN {
	if (pc > 0)
		printf "CPU time, flametop / perf:                  %6.3f   (goal <= 1.5: %s)\n", fc / pc, fc / pc <= 1.5 ? "met" : "NOT met"
	else
		printf "CPU time, flametop / perf:                  n/a (perf used no measurable CPU)\n"
	if (fs > 0 && ps > 0 && pb > 0) {
		r = (fb / fs) / (pb / ps)
		printf "bytes per sample, session / perf.data:      %6.3f   (goal <= 0.1: %s)\n", r, r <= 0.1 ? "met" : "NOT met"
	}
}'
