#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Stacks broken in their leaf are not shown as cut at a limit. [truncated]
# says a stack lacks its outer frames because a limit cut it (record-deep.sh);
# the brokenstack workload's leaves break it instead, with a %rbp that is no
# frame pointer:
#  - loop, frame pointers: %rbp points at a word that points at itself; the
#    kernel's walk goes round it to kernel.perf_event_max_stack, through an
#    address in no executable mapping. No [truncated], and record blames code
#    without frame pointers (try dwarf), not the kernel's limit. The leaf's
#    CFI is right, so --call-graph dwarf finds main in the same workload.
#  - above, dwarf: the leaf's CFI takes the CFA from a %rbp that points above
#    the stack, which a 64 KiB copy held whole: the unwind stops there, and
#    neither [truncated] nor the stack-copy notice (a larger copy would not
#    help) is right.
#  - gap, dwarf (the control): the copy also ends short where a page of the
#    stack is not in memory (never touched, or unreadable), in the middle of
#    the stack: the unwind that runs past it is cut there, under [truncated].
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload brokenstack
[ "$(uname -m)" = x86_64 ] || skip "the brokenstack workload's leaves are x86-64 assembly"

max=$(cat /proc/sys/kernel/perf_event_max_stack 2>/dev/null) || max=127
[ "$max" -le 900 ] || skip "kernel.perf_event_max_stack is $max: deeper than flametop keeps (1024)"

# --- loop, frame pointers: broken, not cut -----------------------------------
run_record loop -F 499 -o "$T/loop.session" -- "$WORKLOADS/brokenstack" loop 1500
assert_eq "$RC" 0 "loop: record exit status"
assert_no_match "$(cat "$T/loop.err")" "cut at the kernel's limit" \
	"loop: no notice blaming the kernel's depth limit"
assert_match "$(cat "$T/loop.err")" 'look truncated.*--call-graph dwarf' \
	"loop: record says the stacks look truncated, and what to try"
if report_json "$T/loop.session" "$T/loop.json"; then
	assert_between "$(share '[truncated]' "$T/loop.json" total)" 0 5 "loop: [truncated] total %"
fi

# --- loop, dwarf: the leaf's CFI is right, main is found -----------------------
run_record loopdw --call-graph dwarf -F 499 -o "$T/loopdw.session" -- "$WORKLOADS/brokenstack" loop 1500
assert_eq "$RC" 0 "loop dwarf: record exit status"
if report_json "$T/loopdw.session" "$T/loopdw.json"; then
	assert_between "$(share main "$T/loopdw.json" total)" 90 100 "loop dwarf: main total %"
	assert_between "$(share '[truncated]' "$T/loopdw.json" total)" 0 5 "loop dwarf: [truncated] total %"
fi

# --- above, dwarf: past a whole stack, not past the copy -----------------------
run_record above --call-graph dwarf,65528 -F 199 -m 1024 -o "$T/above.session" -- \
	"$WORKLOADS/brokenstack" above 1500
assert_eq "$RC" 0 "above: record exit status"
assert_no_match "$(cat "$T/above.err")" 'cut at the end of their' "above: no stack-copy notice"
if report_json "$T/above.session" "$T/above.json"; then
	print_top "$T/above.json"
	assert_between "$(share ft_broken_above "$T/above.json" total)" 90 100 \
		"above: ft_broken_above total %"
	assert_between "$(share '[truncated]' "$T/above.json" total)" 0 5 "above: [truncated] total %"
fi

# --- gap, dwarf: a copy ended short in the middle of the stack is cut -----------
run_record gap --call-graph dwarf,65528 -F 199 -m 1024 -o "$T/gap.session" -- \
	"$WORKLOADS/brokenstack" gap 1500
assert_eq "$RC" 0 "gap: record exit status"
if report_json "$T/gap.session" "$T/gap.json"; then
	assert_between "$(share ft_broken_spin "$T/gap.json" total)" 90 100 "gap: ft_broken_spin total %"
	assert_between "$(share '[truncated]' "$T/gap.json" total)" 90 100 "gap: [truncated] total %"
fi

finish
