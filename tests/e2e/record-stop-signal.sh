#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A stop signal ends a recording at once (doc/flametop.1, record): after
# SIGINT, SIGTERM or SIGHUP reaches record -a or record -p, flametop reads
# what the rings hold and stops, without waiting once more for them. It
# used to look at the signal before its wait, so a signal that cut a wait
# short (or came while samples were being read) was seen only after the
# next wait: with -a, up to a second more of sampling after Ctrl-C. The
# ground truth is the recorder's own system calls (strace): no poll() after
# the signal is delivered, the session is whole, and record exits 0.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_workload split
command -v strace >/dev/null 2>&1 || skip "strace is not installed (apt-get install strace)"
strace -o /dev/null true 2>/dev/null || skip "strace cannot trace here (ptrace refused)"

# stops SIG NAME TARGET...: records TARGET under strace, sends SIG to the
# recorder once it has written a data chunk, and checks that it did not
# wait on the rings after the signal came.
stops() {
	sig=$1
	name=$2
	shift 2
	S="$T/$name.session"
	echo "+ strace flametop record $* -o $S; then kill -$sig flametop"
	strace -o "$T/$name.strace" -e trace=poll -e signal="SIG$sig" \
		"$FLAMETOP" record "$@" -o "$S" 2>"$T/$name.err" &
	tracer=$!
	ft_bg_pids="$ft_bg_pids $tracer"
	wait_until 60 pgrep -P "$tracer" >/dev/null || hard_error "$name: flametop did not start"
	rec=$(pgrep -P "$tracer")
	wait_recording "$S" 2 "$rec" || return
	kill "-$sig" "$rec"
	wait "$tracer"
	RC=$?
	sed 's/^/  stderr: /' "$T/$name.err"
	assert_eq "$RC" 0 "$name: record's exit status"
	grep -q "^--- SIG$sig " "$T/$name.strace" || {
		fail "$name: strace saw no SIG$sig: $(tail -n 3 "$T/$name.strace")"
		return
	}
	after=$(sed -n "/^--- SIG$sig /,\$p" "$T/$name.strace" | grep -c '^poll(')
	assert_eq "$after" 0 "$name: waits on the rings after SIG$sig"
	grep -q '^flametop: recorded [0-9]* samples' "$T/$name.err" ||
		fail "$name: no summary line: the recording did not end cleanly"
	"$FLAMETOP" report -i "$S" >"$T/$name.out" 2>"$T/$name.rerr"
	assert_eq "$?" 0 "$name: report of the session"
	assert_eq "$(cat "$T/$name.rerr")" "" "$name: report's stderr (the session is whole)"
}

stops INT system-int -a
stops TERM system-term -a
start_bg "$WORKLOADS/split" 0
stops HUP pid-hup -p "$BG_PID"
finish
