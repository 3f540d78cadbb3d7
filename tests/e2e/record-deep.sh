#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Stacks deeper than the kernel puts in a callchain. The deep workload
# recurses 40 frames past kernel.perf_event_max_stack (a workload built
# with frame pointers): in frame-pointer mode the kernel cuts each chain
# at that many frames, and record must say so, naming the limit, rather
# than blame code without frame pointers (the truncated-stack notice), and
# the cut stacks show under a [truncated] root frame, right below the
# process, not as if the recursion started where the kernel stopped. With
# --call-graph dwarf and a stack copy that holds them, every frame is
# unwound, main included, nothing is said about cut stacks and none is
# [truncated]; with a copy too small for a recursion of 1500 frames (the
# default 8 KiB holds about 500 of them), the stacks run past the copy's end:
# record says so, and they show under [truncated] too.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload deep

max=$(cat /proc/sys/kernel/perf_event_max_stack 2>/dev/null) || max=127
[ "$max" -le 900 ] || skip "kernel.perf_event_max_stack is $max: deeper than flametop keeps (1024)"
depth=$((max + 40))

# --- fp: cut by the kernel, and said so ----------------------------------
run_record fp -F 499 -o "$T/fp.session" -- "$WORKLOADS/deep" 1500 "$depth"
assert_eq "$RC" 0 "fp: record exit status"
assert_match "$(cat "$T/fp.err")" "user stacks were cut at the kernel's limit of $max frames" \
	"fp: record names the kernel's depth limit"
assert_no_match "$(cat "$T/fp.err")" 'look truncated' "fp: no notice blaming frame pointers"
assert_match "$(cat "$T/fp.err")" 'lack their outer frames \(they show under \[truncated\]\)' \
	"fp: the notice names the frame they show under"
if report_json "$T/fp.session" "$T/fp.json"; then
	assert_between "$(share main "$T/fp.json" total)" 0 5 "fp: main total % (the kernel cut it off)"
	assert_between "$(share '[truncated]' "$T/fp.json" total)" 90 100 "fp: [truncated] total %"
fi
# [truncated] stands for the missing outer frames: the outermost, below the process only.
if report_folded "$T/fp.session" "$T/fp.folded"; then
	assert_eq "$(awk -F';' '/\[truncated\]/ && $2 != "[truncated]"' "$T/fp.folded" | wc -l)" 0 \
		"fp: stacks with [truncated] elsewhere than right below the process"
fi

# --- dwarf: every frame ------------------------------------------------------
run_record dwarf --call-graph dwarf,32K -F 499 -o "$T/dwarf.session" -- "$WORKLOADS/deep" 1500 "$depth"
assert_eq "$RC" 0 "dwarf: record exit status"
assert_no_match "$(cat "$T/dwarf.err")" 'cut at the|look truncated' "dwarf: no cut-stack notice"
if report_json "$T/dwarf.session" "$T/dwarf.json"; then
	print_top "$T/dwarf.json"
	assert_between "$(share main "$T/dwarf.json" total)" 90 100 "dwarf: main total %"
	assert_between "$(share '[truncated]' "$T/dwarf.json" total)" 0 5 "dwarf: [truncated] total %"
fi

# --- dwarf: a recursion deeper than the stack copy -----------------------------
run_record copy --call-graph dwarf -F 499 -o "$T/copy.session" -- "$WORKLOADS/deep" 1500 1500
assert_eq "$RC" 0 "copy: record exit status"
assert_match "$(cat "$T/copy.err")" \
	'user stacks were cut at the end of their 8192-byte stack copy.*show under \[truncated\]' \
	"copy: record says the stack copy was too small"
if report_json "$T/copy.session" "$T/copy.json"; then
	assert_between "$(share main "$T/copy.json" total)" 0 5 "copy: main total % (past the copy)"
	assert_between "$(share '[truncated]' "$T/copy.json" total)" 90 100 "copy: [truncated] total %"
fi
if report_folded "$T/copy.session" "$T/copy.folded"; then
	assert_eq "$(awk -F';' '/\[truncated\]/ && $2 != "[truncated]"' "$T/copy.folded" | wc -l)" 0 \
		"copy: stacks with [truncated] elsewhere than right below the process"
fi

finish
