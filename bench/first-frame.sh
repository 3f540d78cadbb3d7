#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Time to the first frame of the live view: from the moment the command
# starts (its shell writes the time, then execs it) until its first graph
# with samples shows in a 200x50 tmux pane, polled every 10 ms. Measured
# for `flametop -p PID` (until the flame graph shows the target's bw_deep
# frames) and for `flametop -a` (until the graph's root counts samples),
# RUNS times each (BENCH_RUNS, default 5), the median printed against the
# goal of 200 ms, with `perf top -g` measured the same way beside it (until
# the target's frames, or any percentage, show). The load is one bench/work
# process. Needs root and tmux; prints figures and asserts nothing.
#
#   make bench-first-frame     (sets FLAMETOP, WORK, PERF)

set -u

: "${FLAMETOP:?set FLAMETOP to the flametop binary}"
: "${WORK:?set WORK to bench/work}"
PERF=${PERF:-$(command -v perf || true)}
. "$(dirname "$0")/lib.sh"

runs=${BENCH_RUNS:-5}
sock=flametop-bench-first-$$

echo "== time to the first frame of the live view, $runs runs each"
echo "  $(bench_load)"
if ! command -v tmux >/dev/null 2>&1 || [ "$(id -u)" -ne 0 ]; then
	bench_header
	bench_skip "live view: first graph, -p" "needs tmux and root"
	bench_skip "live view: first graph, -a" "needs tmux and root"
	exit 0
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/flametop-bench-first.XXXXXX") || exit 1
"$WORK" 0 &
load=$!
trap 'kill "$load" 2>/dev/null; tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$dir"' EXIT
trap 'exit 1' INT TERM HUP
sleep 0.5

# measure FILE MARKER COMMAND: one run, appended to FILE.
measure() {
	bench_first_ms "$sock" "$dir/t0" "$2" "$3" >>"$dir/$1"
}

i=0
while [ $i -lt "$runs" ]; do
	measure ft-p 'bw_deep' "'$FLAMETOP' -p $load"
	measure ft-a 'all \([1-9]' "'$FLAMETOP' -a"
	if bench_have_perf; then
		measure perf-p 'bw_deep' "'$PERF' top -g -p $load"
		measure perf-a '[0-9]\.[0-9][0-9]%' "'$PERF' top -g"
	fi
	i=$((i + 1))
done

# median FILE: the median of the runs that saw a frame ("?" if none did).
median() {
	grep -v '?' "$dir/$1" | bench_stats | cut -d' ' -f1
}
# spread FILE: "min..max ms, K of N runs".
spread() {
	set -- "$(grep -v '?' "$dir/$1" | bench_stats)" "$(wc -l <"$dir/$1")"
	echo "$1" | awk -v n="$2" '{ printf "%s..%s ms, %d of %d runs", $2, $3, $4, n }'
}

echo
bench_header
for mode in p a; do
	peer="perf: not installed"
	if bench_have_perf; then
		peer="perf top -g $(bench_fmt "$(median perf-$mode)") ms"
	fi
	bench_line "live view: first graph, -$mode" "$(median ft-$mode)" ms "<=" 200 "$peer"
	echo "    flametop $(spread ft-$mode)"
	bench_have_perf && echo "    perf top $(spread perf-$mode)"
done
exit 0
