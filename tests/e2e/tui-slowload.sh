#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# q ends the live explorer while a module is still being read from a slow
# disk: libftstall.so, preloaded into flametop, makes every read of the
# launched program's file (a copy of the split workload named slowmod)
# take 500 ms while its gate exists, and logs each as it begins. Reading
# the module takes more reads than its time budget allows
# (PROCMAP_MODULE_BUDGET_NS, 5 s: 10 reads), all within one poll, so an
# explorer that read its keys only after the reading would begin 10
# reads or more before it saw a q. Once the first
# read has begun, q goes in; the explorer must end (status 0, the
# terminal given back) having begun at most 5: the reading was given up
# for the q. The count is the ground truth, with room for the test's
# own delay in sending q (4 reads, 2 s).
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

need_tmux
need_perf_events
need_workload split
need_workload libftstall.so
STALL=$WORKLOADS/libftstall.so
cp "$WORKLOADS/split" "$T/slowmod" || hard_error "cannot copy the split workload"

: >"$T/gate"
tui_start slow 120 30 "env LD_PRELOAD='$STALL' FT_STALL_GATE='$T/gate' FT_STALL_READ=/slowmod '$FLAMETOP' -- '$T/slowmod' 600000 2>'$T/slow.err'"
wait_until 30 test -s "$T/gate.reads" || fail "the explorer never read slowmod"
tui_keys slow q
if tui_exit slow; then
	assert_eq "$RC" 0 "q while slowmod is read: exit status"
else
	fail "q while slowmod is read: the explorer did not end"
fi
reads=$(wc -l <"$T/gate.reads")
rm -f "$T/gate"
assert_between "$reads" 1 5 "q was handled while slowmod was read (reads begun, of 10 in its budget)"
assert_restored slow "q while slowmod is read"
finish
