#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A module on a slow disk gets one time budget (PROCMAP_MODULE_BUDGET_NS,
# 5 s) for all its reading: the candidates for its file, its symbols, then
# its DWARF for inlined frames, each of which opens it again. libftstall.so,
# preloaded into flametop, makes every read of the recorded program's file
# (a copy of the split workload named slowmod) take 150 ms while its gate
# exists, and logs each as it begins: at most 33 reads fit the budget.
# Read at full speed first, the module takes more than that (its symbols
# about 25, its DWARF about 16 more), so a budget that restarted at each
# opening let the reading go on past it; with one budget the reads begun
# stay within it (one more may begin as it runs out). On a loaded machine
# the symbols can take the whole budget, and the DWARF's opening comes
# after it ran out: it reads nothing (a new budget there read the file
# whole, 41 reads, under two CPU hogs). The count of reads is the ground
# truth: a loaded machine makes each read slower, never more of them fit.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_perf_events
need_workload split
need_workload libftstall.so
STALL=$WORKLOADS/libftstall.so
cp "$WORKLOADS/split" "$T/slowmod" || hard_error "cannot copy the split workload"

# record_slow MS NAME: records slowmod for 12 s, each read of it taking MS
# ms; the reads begun are logged in $T/NAME.reads.
record_slow() {
	: >"$T/$2"
	env LD_PRELOAD="$STALL" FT_STALL_GATE="$T/$2" FT_STALL_READ=/slowmod FT_STALL_MS="$1" \
		"$FLAMETOP" record -d 12 -o "$T/$2.ft" -- "$T/slowmod" 600000 >"$T/$2.out" 2>&1
	RC=$?
	rm -f "$T/$2"
	[ -f "$T/$2.reads" ] || : >"$T/$2.reads"
}

record_slow 0 fast
assert_eq "$RC" 0 "record at full speed: exit status"
all=$(wc -l <"$T/fast.reads")
budget=$((5000 / 150))
[ "$all" -gt $((budget + 2)) ] ||
	hard_error "slowmod takes $all reads, too few to outlast a budget of $budget"
pass "reading slowmod whole takes $all reads, more than the $budget of its budget"

record_slow 150 slow
assert_eq "$RC" 0 "record from a slow disk: exit status"
reads=$(wc -l <"$T/slow.reads")
assert_between "$reads" 1 $((budget + 1)) \
	"reads of slowmod begun in one budget (of $all to read it whole)"
finish
