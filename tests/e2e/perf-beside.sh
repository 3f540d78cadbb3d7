#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# flametop running does not break another profiler running beside it
# (doc/flametop.1, SYMBOLS): perf record and perf report of a command,
# with perf's build ids as it collects them by default, succeed while
# flametop records the whole system. Events that ask the kernel for build
# ids in their mapping records (Linux 6.18) had it mark other sessions'
# records as carrying one; perf 6.1 then aborted ("assertion failed at
# util/build-id.c", "stack smashing detected").
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/wait.lib
. "$(dirname "$TESTLIB")/wait.lib"

need_root
need_perf_events
need_perf

# has_events PID: PID holds perf events open.
has_events() {
	ls -l "/proc/$1/fd" 2>/dev/null | grep -q perf_event
}

echo "+ flametop record -a -F 99 (in the background)"
start_bg "$FLAMETOP" record -a -F 99 -o "$T/ft.session"
ft=$BG_PID
wait_until 30 has_events "$ft" || hard_error "flametop record -a did not start"
sleep 0.5 # its events enabled and mapping records flowing

for run in 1 2 3; do
	echo "+ perf record -o perf.data -- sh -c 'exit 0'   (run $run)"
	"$PERF" record -q -o "$T/perf.data" -- sh -c 'exit 0' >"$T/perf.out" 2>&1
	rc=$?
	sed 's/^/  | /' "$T/perf.out"
	assert_eq "$rc" 0 "perf record beside flametop, run $run: exit status"
	if grep -qE 'stack smashing|assertion failed' "$T/perf.out"; then
		fail "perf record beside flametop, run $run: perf aborted"
	fi
	"$PERF" report -i "$T/perf.data" --stdio >"$T/perf.report" 2>&1
	assert_eq "$?" 0 "perf report beside flametop, run $run: exit status"
done

kill -INT "$ft"
wait "$ft"
assert_eq "$?" 0 "flametop record: exit status after SIGINT"
"$FLAMETOP" report -i "$T/ft.session" >/dev/null 2>"$T/ft.err" &&
	pass "flametop's session is readable" || fail "flametop report: $(cat "$T/ft.err")"
finish
