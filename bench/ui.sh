#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The live explorer's costs (make bench-ui, part of make bench). Prints
# figures against their goals (issue 4's, issue 14's); asserts nothing.
#  (a) bench/ui-redraw: a frame of a 100,000-node profile in every view
#      (new data, the query, the view's own query, a full draw at 200x60;
#      goal: 5 ms each).
#  (b) bytes per second a steady live view (-a, default rate) sends to the
#      terminal at 200x50, counted with tmux pipe-pane for $SECS seconds.
#  (c) flametop's own CPU in the live view at -F 999 -a with every CPU
#      loaded by the split workload (goal: 0.3% of a CPU), against
#      `perf top -g -F 999` (call graphs, as flametop always has them) on
#      the same load for the same time; and, from flametop -v, what that
#      CPU went to: sampling (reading, unwinding, symbolizing), storing
#      (the timeline and the private copy kept for saving), the view
#      (querying: the frame's queries and layout; drawing) and waking (the
#      loop's waits, keys and ticks).
# (b) and (c) need root (system-wide sampling) and tmux; (c)'s peer needs
# perf. SECS (default 20) sets how long each measurement runs.

: "${FLAMETOP:?}" "${WORKLOADS:?}" "${REDRAW:?}"
: "${PERF:=}"
. "$(dirname "$0")/lib.sh"
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

echo "== the live view: (a) a frame in every view"
"$REDRAW"

if ! command -v tmux >/dev/null 2>&1 || [ "$(id -u)" -ne 0 ]; then
	bench_skip "live view: bytes to the terminal" "needs tmux and root"
	bench_skip "live view CPU, -a -F 999, loaded" "needs tmux and root"
	exit 0
fi

# cpu_ns PID: the CPU time of PID's threads, in ns: the scheduler's own
# count (/proc/PID/task/*/schedstat), not clock ticks, whose 10 ms steps
# are 0.05% of a CPU over 20 s, a sixth of the goal; utime + stime in
# ticks where the kernel keeps no schedstat.
cpu_ns() {
	if [ -r "/proc/$1/schedstat" ]; then
		cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { if (NR) printf "%d\n", s }'
	else
		awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%d\n", ($12 + $13) * 1e9 / hz }' \
			"/proc/$1/stat" 2>/dev/null
	fi
}
# pid_of SESSION PROGRAM: the pid of PROGRAM started by SESSION's pane
# (its shell's child), up to 10 s; never a process of the same name that
# someone else runs on the box.
pid_of() {
	i=0
	while [ $i -lt 100 ]; do
		sh_pid=$(tmx display-message -p -t "$1" '#{pane_pid}' 2>/dev/null)
		if [ -n "$sh_pid" ]; then
			p=$(pgrep -n -P "$sh_pid" -f "^$2") && { echo "$p"; return 0; }
		fi
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

echo "== the live view: (b) bytes to the terminal, steady, 200x50, ${SECS} s"
tmx new-session -d -s bytes -x 200 -y 50 "LANG=C.UTF-8 '$FLAMETOP' -a; sleep 3600"
tmx set-option -t bytes status off >/dev/null
if wait_screen bytes 'q Quit'; then
	sleep 3 # past the first full screen
	tmx pipe-pane -o -t bytes "cat >'$T/bytes.out'"
	sleep "$SECS"
	tmx pipe-pane -t bytes
	bytes=$(wc -c <"$T/bytes.out")
	bench_header
	bench_line "live view: bytes to the terminal per s" "$((bytes / SECS))" B - - \
		"a 200x50 screen: ~$((200 * 50 * 3)) B"
else
	bench_line "live view: bytes to the terminal per s" "?" B - - "flametop did not start"
fi
tmx send-keys -t bytes q
tmx kill-session -t bytes

echo "== the live view: (c) own CPU at -F 999 -a, every CPU loaded, ${SECS} s each"
n=$(nproc)
i=0
while [ $i -lt "$n" ]; do
	"$WORKLOADS/split" 0 >/dev/null 2>&1 &
	LOAD="$LOAD $!"
	i=$((i + 1))
done

# cpu_of NAME CMD...: runs CMD in a 200x50 pane, waits 3 s, then counts
# its CPU time over SECS; prints seconds of CPU.
cpu_of() {
	name=$1
	shift
	tmx new-session -d -s "$name" -x 200 -y 50 "$*; sleep 3600"
	tmx set-option -t "$name" status off >/dev/null
	pid=$(pid_of "$name" "$1") || { echo "?"; return; }
	sleep 3
	t0=$(cpu_ns "$pid")
	sleep "$SECS"
	t1=$(cpu_ns "$pid")
	tmx send-keys -t "$name" q
	sleep 0.5
	kill "$pid" 2>/dev/null
	tmx kill-session -t "$name"
	if [ -z "$t0" ] || [ -z "$t1" ]; then
		echo "?" # it ended before the end of the measure
		return
	fi
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", (b - a) / 1e9 }'
}
# percent SECONDS: SECONDS of CPU over SECS, in % of one CPU ("?" stays).
percent() {
	awk -v c="$1" -v s="$SECS" 'BEGIN { if (c ~ /^[0-9.]+$/) print c / s * 100; else print "?" }'
}
ft=$(cpu_of ft "$FLAMETOP" -a -F 999 -v "2>'$T/ft.err'")
# -v: what flametop's own CPU went to, said when it quits (up to 5 s).
i=0
while [ $i -lt 50 ] && ! grep -q 'own CPU' "$T/ft.err" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
parts=$(sed -n 's/.*own CPU over [0-9.]* s: //p' "$T/ft.err" | head -n 1)
# part NAME: its % of a CPU in flametop -v's line.
part() {
	echo "$parts" | sed -n "s/.*$1 [0-9.]* s (\([0-9.]*\)% of a CPU).*/\1/p"
}
query=$(part querying)
drawing=$(part drawing)
view=
[ -n "$query" ] && [ -n "$drawing" ] &&
	view=$(awk -v a="$query" -v b="$drawing" 'BEGIN { print a + b }')
waking=$(part waking)
peer="perf: not installed"
if bench_have_perf; then
	pt=$(cpu_of pt "$PERF" top -g -F 999 2>/dev/null)
	# perf top sometimes aborts on a busy box (an assertion in its
	# build-id code): once more before giving up.
	case $pt in [0-9]*) ;; *) pt=$(cpu_of pt "$PERF" top -g -F 999 2>/dev/null) ;; esac
	peer="perf top -g $(bench_fmt "$(percent "$pt")") %"
fi
bench_header
bench_line "live view CPU, -a -F 999, loaded (% of 1)" "$(percent "$ft")" % "<=" 0.3 "$peer"
bench_line "live view CPU, the view alone (% of 1)" "${view:-?}" % - - \
	"querying ${query:-?} + drawing ${drawing:-?}"
bench_line "live view CPU, waking (% of 1)" "${waking:-?}" % - - "waits, keys, ticks"
[ -n "$parts" ] && echo "  flametop -v: $parts"
