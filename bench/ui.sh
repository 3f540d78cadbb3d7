#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The live explorer's costs (make bench-ui, part of make bench). Prints
# figures and ratios against the goals of issue 4; asserts nothing.
#  (a) bench/ui-redraw: a frame of a 100,000-node profile in every view
#      (new data, the query, the view's own query, a full draw at 200x60;
#      goal: 5 ms each).
#  (b) bytes per second a steady live view (-a, default rate) sends to the
#      terminal at 200x50, counted with tmux pipe-pane for $SECS seconds.
#  (c) flametop's own CPU in the live view at -F 999 -a with both cores
#      loaded by the split workload, against `perf top --stdio -F 999` on
#      the same load for the same time (goal: a twentieth of perf top's).
# (b) and (c) need root (system-wide sampling) and tmux; (c) needs perf.
# SECS (default 20) sets how long each measurement runs.

: "${FLAMETOP:?}" "${WORKLOADS:?}" "${REDRAW:?}"
: "${PERF:=}"
SECS=${SECS:-20}
SOCK=flametop-bench-$$
T=$(mktemp -d "${TMPDIR:-/tmp}/flametop-bench-ui.XXXXXX") || exit 1
LOAD=
tmx() { tmux -L "$SOCK" -f /dev/null "$@"; }
cleanup() {
	tmx kill-server >/dev/null 2>&1
	for p in $LOAD; do kill "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "== (a) a frame in every view"
"$REDRAW"

if ! command -v tmux >/dev/null 2>&1 || [ "$(id -u)" -ne 0 ]; then
	echo "== (b), (c) skipped: they need tmux and root"
	exit 0
fi

# ticks PID: utime + stime of PID, in clock ticks.
ticks() {
	awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}
# newest PID whose command line starts with $1.
pid_of() {
	i=0
	while [ $i -lt 100 ]; do
		p=$(pgrep -n -f "^$1") && { echo "$p"; return 0; }
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# wait_screen NAME REGEX: up to 15 s.
wait_screen() {
	i=0
	while [ $i -lt 150 ]; do
		tmx capture-pane -p -t "$1" | grep -Eq "$2" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

echo "== (b) bytes to the terminal, steady live view at 200x50, ${SECS} s"
tmx new-session -d -s bytes -x 200 -y 50 "LANG=C.UTF-8 '$FLAMETOP' -a; sleep 3600"
tmx set-option -t bytes status off >/dev/null
wait_screen bytes 'q Quit' || { echo "  flametop did not start"; exit 1; }
sleep 3 # past the first full screen
tmx pipe-pane -o -t bytes "cat >'$T/bytes.out'"
sleep "$SECS"
tmx pipe-pane -t bytes
bytes=$(wc -c <"$T/bytes.out")
echo "  $bytes bytes in $SECS s: $((bytes / SECS)) bytes/s (a full 200x50 screen is ~$((200 * 50 * 3)) bytes of text alone)"
tmx send-keys -t bytes q
tmx kill-session -t bytes

echo "== (c) own CPU at -F 999 on a loaded box, ${SECS} s each"
n=$(nproc)
i=0
while [ $i -lt "$n" ]; do
	"$WORKLOADS/split" 0 >/dev/null 2>&1 &
	LOAD="$LOAD $!"
	i=$((i + 1))
done
hz=$(getconf CLK_TCK)

# cpu_of NAME CMD...: runs CMD in a 200x50 pane, waits 3 s, then counts
# its CPU ticks over SECS; prints seconds of CPU.
cpu_of() {
	name=$1
	shift
	tmx new-session -d -s "$name" -x 200 -y 50 "$*; sleep 3600"
	tmx set-option -t "$name" status off >/dev/null
	pid=$(pid_of "$1") || { echo "?"; return; }
	sleep 3
	t0=$(ticks "$pid")
	sleep "$SECS"
	t1=$(ticks "$pid")
	tmx send-keys -t "$name" q
	sleep 0.5
	kill "$pid" 2>/dev/null
	tmx kill-session -t "$name"
	awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN { printf "%.2f\n", (b - a) / hz }'
}
ft=$(cpu_of ft "$FLAMETOP" -a -F 999)
echo "  flametop -a -F 999:         $ft s of CPU in $SECS s ($(awk -v c="$ft" -v s="$SECS" 'BEGIN { printf "%.1f", c / s * 100 }')% of one CPU)"
if [ -n "$PERF" ] && [ -x "$PERF" ]; then
	pt=$(cpu_of pt "$PERF" top --stdio -F 999)
	echo "  perf top --stdio -F 999:    $pt s of CPU in $SECS s ($(awk -v c="$pt" -v s="$SECS" 'BEGIN { printf "%.1f", c / s * 100 }')% of one CPU)"
	awk -v f="$ft" -v p="$pt" 'BEGIN {
		if (p <= 0) { print "  ratio: perf top used no CPU?"; exit }
		r = f / p
		printf "  ratio flametop / perf top: %.3f (goal <= 0.050: %s)\n", r,
			r <= 0.05 ? "met" : sprintf("MISSED by %.1fx", r / 0.05)
	}'
else
	echo "  perf top: skipped (no perf)"
fi
