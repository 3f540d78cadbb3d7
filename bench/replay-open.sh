#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Opening a recording as a user does: bench/timeline writes its synthetic
# hour (2 CPUs x 999 Hz, 7.2 million samples), then
#   - `flametop replay FILE` runs in a 200x50 tmux pane, timed from its
#     start until the whole session shows ("end of the session" in the
#     header, drawn with the last samples), with the memory the explorer
#     reports for itself at that moment;
#   - `flametop replay --speed 1 FILE`, timed until its first frame shows
#     the play position against the session's length (the length read
#     ahead: from the end chunk, every chunk's checksum checked);
#   - `flametop report -i FILE` (text, the top list) is timed to its exit,
#     with its peak RSS (GNU time's %M, when /usr/bin/time is GNU time):
#     report counts samples as it reads them, so this is the model and
#     the sums, not the samples.
# RUNS times each (BENCH_RUNS, default 3), the median against issue 14's
# goal of 1 s. Then the same load for a day, replayed whole: the explorer's
# peak memory against issue 14's 64 MiB for a day, its periods at random
# (bench/timeline --random-periods: the timeline keeps spread-out weights
# in more bits, so this is the day that takes the most). No peer reads a flametop session; bench-record times perf
# report on a recording of its own. Needs tmux for the replay; prints
# figures and asserts nothing.
#
#   make bench-replay     (sets FLAMETOP and TIMELINE)

set -u

: "${FLAMETOP:?set FLAMETOP to the flametop binary}"
: "${TIMELINE:?set TIMELINE to bench/timeline}"
. "$(dirname "$0")/lib.sh"

runs=${BENCH_RUNS:-3}
sock=flametop-bench-replay-$$

echo "== opening the synthetic hour: replay and report, $runs runs each"
echo "  $(bench_load)"
dir=$(mktemp -d "${TMPDIR:-/tmp}/flametop-bench-replay.XXXXXX") || exit 1
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$dir"' EXIT
trap 'exit 1' INT TERM HUP

# The hour's own figures (its size, the time to write it) are bench-timeline's:
# not counted twice in make bench's summary.
if ! BENCH_RESULTS= BENCH_KEEP_SESSION=1 TMPDIR=$dir "$TIMELINE" --session-only >"$dir/timeline.log" 2>&1; then
	bench_header
	bench_skip "replay: whole session shown, synthetic hour" "bench/timeline failed: $(tail -n 1 "$dir/timeline.log")"
	exit 0
fi
session=$(find "$dir" -name "flametop-bench-*.ft" | head -n 1)
if [ -z "$session" ]; then
	bench_header
	bench_skip "replay: whole session shown, synthetic hour" "bench/timeline wrote no session"
	exit 0
fi
echo "  $session: $(stat -c %s "$session") bytes"

gnu_time=
/usr/bin/time -f %M -o "$dir/rss1" true 2>/dev/null && [ -s "$dir/rss1" ] && gnu_time=1

i=0
while [ $i -lt "$runs" ]; do
	if command -v tmux >/dev/null 2>&1; then
		bench_first_ms "$sock" "$dir/t0" 'end of the session' \
			"'$FLAMETOP' replay '$session'" >>"$dir/replay"
	fi
	if command -v tmux >/dev/null 2>&1; then
		bench_first_ms "$sock" "$dir/t0" ' of 1h00m' \
			"'$FLAMETOP' replay --speed 1 '$session'" >>"$dir/paced"
	fi
	t0=$(bench_now_ms)
	if [ -n "$gnu_time" ]; then
		/usr/bin/time -f %M -o "$dir/rss1" "$FLAMETOP" report -i "$session" --format text \
			>/dev/null 2>&1
		awk '{ printf "%.1f\n", $1 / 1024 }' "$dir/rss1" >>"$dir/report_rss"
	else
		"$FLAMETOP" report -i "$session" --format text >/dev/null 2>&1
	fi
	echo $(($(bench_now_ms) - t0)) >>"$dir/report"
	i=$((i + 1))
done

# The explorer's own memory once the whole session shows (its header's
# "mem"), from one more run.
mem="?"
if command -v tmux >/dev/null 2>&1; then
	tmux -L "$sock" -f /dev/null new-session -d -s mem -x 200 -y 50 \
		"'$FLAMETOP' replay '$session'"
	end=$(($(bench_now_ms) + 30000))
	while [ "$(bench_now_ms)" -lt "$end" ]; do
		line=$(tmux -L "$sock" capture-pane -p -t mem 2>/dev/null | grep 'end of the session')
		if [ -n "$line" ]; then
			mem=$(echo "$line" | sed -n 's/.* mem \([0-9.]*[KMG]*\).*/\1/p')
			break
		fi
		sleep 0.05
	done
	tmux -L "$sock" kill-server 2>/dev/null
fi

median() {
	[ -s "$dir/$1" ] || { echo "?"; return; }
	grep -v '?' "$dir/$1" | bench_stats | cut -d' ' -f1
}
spread() {
	[ -s "$dir/$1" ] || { echo "not measured"; return; }
	set -- "$(grep -v '?' "$dir/$1" | bench_stats)" "$(wc -l <"$dir/$1")"
	echo "$1" | awk -v n="$2" '{ printf "%s..%s ms, %d of %d runs", $2, $3, $4, n }'
}
ms_to_s() {
	awk -v v="$1" 'BEGIN { if (v ~ /^[0-9.]+$/) print v / 1000; else print "?" }'
}

echo
bench_header
if command -v tmux >/dev/null 2>&1; then
	bench_line "replay: whole session shown, synthetic hour" "$(ms_to_s "$(median replay)")" s "<=" 1 \
		"explorer's memory ${mem}"
	echo "    $(spread replay)"
	bench_line "replay --speed 1: first frame, synthetic hour" "$(ms_to_s "$(median paced)")" s "<=" 1
	echo "    $(spread paced)"
else
	bench_skip "replay: whole session shown, synthetic hour" "needs tmux"
fi
bench_line "report: top list, synthetic hour" "$(ms_to_s "$(median report)")" s "<=" 1
echo "    $(spread report)"
if [ -n "$gnu_time" ]; then
	bench_line "report: peak RSS, synthetic hour" "$(median report_rss)" MiB - - \
		"$(sort -n "$dir/report_rss" | sed -n '1p;$p' | paste -sd- -) MiB in $runs runs"
else
	bench_skip "report: peak RSS, synthetic hour" "needs GNU time (/usr/bin/time -f)"
fi

# A day kept by the explorer (issue 14: 24 h in <= 64 MiB): the same
# synthetic load written for 24 hours with code addresses, as a
# recording's samples have them (about 1.4 GB), replayed whole, and the
# explorer's peak resident memory once it shows all of it (VmHWM), with
# the timeline's part and its own figure from its header. The addresses
# fill the lines view's store and the profile's location and chain tables.
if ! command -v tmux >/dev/null 2>&1; then
	bench_skip "replay: explorer's peak RSS, day, addresses" "needs tmux"
	exit 0
fi
rm -f "$session"
echo
echo "== a synthetic day with code addresses and periods at random, replayed whole"
if ! BENCH_KEEP_SESSION=1 TMPDIR=$dir "$TIMELINE" --session-only --addresses --random-periods --minutes 1440 >"$dir/day.log" 2>&1; then
	bench_skip "replay: explorer's peak RSS, day, addresses" "bench/timeline failed: $(tail -n 1 "$dir/day.log")"
	exit 0
fi
day=$(find "$dir" -name "flametop-bench-*.ft" | head -n 1)
echo "  $day: $(stat -c %s "$day") bytes"
# Writing it made figures of its own (in make bench's summary), shown
# here: bench/timeline's, writing the day and reading it back with the
# library's session_read() (no explorer, no replay), and what fresh
# memory of its samples' size costs this machine.
echo "  bench/timeline, writing this day and reading it with session_read(), not replay:"
bench_header
grep -E '^(session|fresh memory)' "$dir/day.log"
echo
tmux -L "$sock" -f /dev/null new-session -d -s day -x 200 -y 50 "exec '$FLAMETOP' replay '$day'"
pid=$(tmux -L "$sock" display-message -p -t day '#{pane_pid}' 2>/dev/null)
hwm="?" line=
end=$(($(bench_now_ms) + 300000))
while [ -n "$pid" ] && [ "$(bench_now_ms)" -lt "$end" ]; do
	line=$(tmux -L "$sock" capture-pane -p -t day 2>/dev/null | grep 'end of the session')
	if [ -n "$line" ]; then
		hwm=$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
		break
	fi
	sleep 0.2
done
tmux -L "$sock" kill-server 2>/dev/null
rm -f "$day"
bench_header
bench_line "replay: explorer's peak RSS, day, addresses" "$hwm" MiB "<=" 64 \
	"$(echo "$line" | sed -n 's/.* \(mem [0-9.]*[KMG]* timeline [0-9.]*[KMG]*\).*/\1/p')"
exit 0
