#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# record -p PID and record -- COMMAND wait for the rings, the next flush
# (each second) and the deadline, and the end of the target wakes them
# (a pidfd in the poll set): they used to wake every 100 ms for nothing but
# to look whether the target had ended, ten wake-ups a second of an idle
# target (issue 14: the recorder's cost). Ground truth is the recorder's
# own waits, counted by strace over a 3 s recording of a process that
# sleeps: about 30 before, a handful now. And the end is still seen at
# once: a recording with -d 60 of a process, and of a command, that end
# after a second lasts about a second.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/wait.lib
. "$(dirname "$TESTLIB")/wait.lib"

need_root
need_perf_events
command -v strace >/dev/null 2>&1 || skip "strace is not installed (apt-get install strace)"
strace -o /dev/null true 2>/dev/null || skip "strace cannot trace here (ptrace refused)"

waits='trace=poll,ppoll,epoll_wait,epoll_pwait,select,pselect6'

# recorded_s FILE: the seconds record's last line says it recorded.
recorded_s() {
	sed -n 's/.*recorded [0-9]* samples of .* in \([0-9.]*\) s to .*/\1/p' "$1" | tail -n 1
}

start_bg sleep 600
P=$BG_PID
echo "+ strace -f -e $waits flametop record -d 3 -p $P"
if timeout -s KILL 120 strace -f -qq -e "$waits" -o "$T/pid.trace" \
	"$FLAMETOP" record -d 3 -p "$P" -o "$T/pid.session" >"$T/pid.out" 2>"$T/pid.err"; then
	n=$(grep -c -E '^[0-9]+ +(poll|ppoll|epoll_wait|epoll_pwait|select|pselect6)\(' "$T/pid.trace")
	echo "  $n waits in $(recorded_s "$T/pid.err") s"
	# 3 flushes and the deadline, give or take one: 30 and more when a
	# timer woke the loop every 100 ms.
	assert_between "$n" 1 12 "waits of record -d 3 -p (an idle process)"
else
	fail "record -d 3 -p $P failed: $(head -c 300 "$T/pid.err")"
fi
kill "$P" 2>/dev/null

echo "+ strace -f -e $waits flametop record -d 3 -- sleep 600"
if timeout -s KILL 120 strace -qq -e "$waits" -o "$T/cmd.trace" \
	"$FLAMETOP" record -d 3 -o "$T/cmd.session" -- sleep 600 >"$T/cmd.out" 2>"$T/cmd.err"; then
	n=$(grep -c -E '^(poll|ppoll|epoll_wait|epoll_pwait|select|pselect6)\(' "$T/cmd.trace")
	echo "  $n waits in $(recorded_s "$T/cmd.err") s"
	assert_between "$n" 1 12 "waits of record -d 3 -- sleep 600 (a command that sleeps)"
else
	fail "record -d 3 -- sleep 600 failed: $(head -c 300 "$T/cmd.err")"
fi

# ends_soon NAME WHAT RECORD-ARGS...: record -d 60 RECORD-ARGS, of a
# target that ends after 1 s, ends by itself with status 0, about a
# second recorded (its end woke the loop; 50 s is only a cap).
ends_soon() {
	name=$1 what=$2
	shift 2
	echo "+ flametop record -d 60 $*"
	"$FLAMETOP" record -d 60 -o "$T/$name.session" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	rec=$!
	ft_bg_pids="$ft_bg_pids $rec"
	if wait_exit "$rec" 50; then
		assert_eq "$RC" 0 "record's exit status once $what has ended"
		assert_between "$(recorded_s "$T/$name.err" | cut -d. -f1)" 0 10 \
			"seconds recorded of $what that ended after 1 s (-d 60)"
	else
		fail "record -d 60 of $what that ended after 1 s still ran after 50 s"
	fi
}
start_bg sleep 1
ends_soon end-pid "a process" -p "$BG_PID"
ends_soon end-cmd "a command" -- sh -c 'sleep 1'
finish
