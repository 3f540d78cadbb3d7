#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# lib.sh's exit cleanup ends what a test left running in the background,
# wrappers' children included. Tests run their recorders through
# `timeout -s KILL 120` (record_system, same_run); killing the timeout
# process alone left its command running, an orphan, after the test. A
# test of lib.sh here starts a long command so, through start_bg and as
# record_system does (its PID added to ft_bg_pids by hand), and exits: the
# commands must be gone. No root or sampling needed.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

# The test: two long commands under timeout, their own PIDs in
# $1/start_bg.pid and $1/by-hand.pid; exits without reaping them.
cat >"$T/inner.sh" <<'INNER'
. "$TESTLIB"
start_bg timeout -s KILL 120 sh -c 'echo $$ >"$1"; exec sleep 1000' sh "$1/start_bg.pid"
timeout -s KILL 120 sh -c 'echo $$ >"$1"; exec sleep 1000' sh "$1/by-hand.pid" &
ft_bg_pids="$ft_bg_pids $!"
wait_until 60 test -s "$1/start_bg.pid" -a -s "$1/by-hand.pid" || hard_error "the commands never started"
exit 0
INNER

# has_pid FILE: FILE holds a whole PID.
has_pid() {
	grep -qx '[0-9][0-9]*' "$1" 2>/dev/null
}

sh "$T/inner.sh" "$T"
assert_eq "$?" 0 "the test of lib.sh exits 0"
for how in start_bg by-hand; do
	if ! has_pid "$T/$how.pid"; then
		fail "$how: the command under timeout never said its PID"
		continue
	fi
	pid=$(cat "$T/$how.pid")
	# Ours to end, should the cleanup not have.
	ft_bg_pids="$ft_bg_pids $pid"
	if wait_until 30 is_gone "$pid"; then
		pass "$how: the command under timeout is gone after the test's cleanup"
	else
		fail "$how: the command under timeout (pid $pid) still runs after the test's cleanup"
	fi
done

finish
