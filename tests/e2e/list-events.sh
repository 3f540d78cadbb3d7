#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# list-events marks what opens here: cpu-clock and task-clock always do;
# cycles is marked exactly as perf itself finds it (supported on a machine
# with a hardware PMU, not in a VM without one).
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events

"$FLAMETOP" list-events >"$T/list" 2>"$T/list.err"
assert_eq "$?" 0 "list-events exit status"
assert_eq "$(grep -c '^yes  *perf::PERF_COUNT_SW_CPU_CLOCK$' "$T/list")" 1 "cpu-clock opens here"
assert_eq "$(grep -c '^yes  *perf::PERF_COUNT_SW_TASK_CLOCK$' "$T/list")" 1 "task-clock opens here"

if [ -n "$PERF" ] && [ -x "$PERF" ]; then
	if "$PERF" stat -e cycles -x, true 2>&1 | grep -q 'not supported'; then
		expect=no
	else
		expect=yes
	fi
	assert_eq "$(awk '$2 == "perf::PERF_COUNT_HW_CPU_CYCLES" { print $1 }' "$T/list")" "$expect" \
		"cycles is marked as perf finds it"
fi

"$FLAMETOP" list-events --bogus >/dev/null 2>&1
assert_eq "$?" 2 "an unknown option is a usage error"
finish
