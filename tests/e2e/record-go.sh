#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A Go program, recorded with frame pointers (Go keeps them): its stacks
# end in Go's own roots (runtime.goexit for a goroutine, runtime.mstart or
# runtime.rt0_go for a thread's system stack), not in main or
# start_thread, and are whole: record must not say they look truncated
# nor suggest --call-graph dwarf. tests/workloads/goprof.go, built here
# with Debian's golang-go, spins in main.spin (called from burnHeavy and
# burnLight) for most of its CPU.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
build_goprof "no Go program to record"
mkdir "$T/p"

run_record go -F 999 -o "$T/go.session" -- "$T/goprof" "$T/p" 300000000
assert_eq "$RC" 0 "record exit status"
assert_no_match "$(cat "$T/go.err")" 'look truncated' "no notice that Go's stacks look truncated"
if report_json "$T/go.session" "$T/go.json"; then
	print_top "$T/go.json"
	assert_between "$(share main.spin "$T/go.json")" 30 100 "main.spin self %"
fi

finish
