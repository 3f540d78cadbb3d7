#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The user frame where the kernel was entered is the very instruction it
# was entered at, not a return address. The entryfault workload spends
# most of its time in page faults taken at the first byte of
# ft_entryfault_touch; ft_entryfault_before, right before it in memory,
# is never called. Both with frame pointers and with --call-graph dwarf,
# the faults' kernel time must hang under ft_entryfault_touch (more than
# half of the total; perf report says the same) and nothing under
# ft_entryfault_before.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload entryfault

for mode in fp dwarf; do
	run_record "$mode" --call-graph "$mode" -F 999 -o "$T/$mode.session" -- "$WORKLOADS/entryfault" 1500
	[ "$RC" -ne 77 ] || skip "the entryfault workload is for x86-64 only"
	assert_eq "$RC" 0 "$mode: record exit status"
	if report_json "$T/$mode.session" "$T/$mode.json"; then
		print_top "$T/$mode.json"
		assert_between "$(share ft_entryfault_touch "$T/$mode.json" total)" 50 100 \
			"$mode: ft_entryfault_touch total % (its page faults included)"
		assert_eq "$(share ft_entryfault_before "$T/$mode.json" total)" 0 \
			"$mode: ft_entryfault_before, never called, total %"
	fi
done

finish
