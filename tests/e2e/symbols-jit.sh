#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Code in anonymous executable memory is named from the process's JIT map,
# /tmp/perf-PID.map: the jit workload copies a counting loop into such a
# mapping, names it ft_jit_spin in its map and runs it; ft_jit_spin must get
# at least 80% of the samples. A map that must not be trusted is ignored
# with exactly one notice: a symbolic link, and a file owned by another user
# (nobody) than the process's (root).
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload jit

# run_jit MODE: records the jit workload in MODE for 1.5 s.
run_jit() {
	run_record "$1" -F 999 -o "$T/$1.session" -- "$WORKLOADS/jit" 1500 "$1"
	[ "$RC" -ne 77 ] || skip "the jit workload's machine code is for x86-64 only"
	[ "$RC" -ne 3 ] || hard_error "the jit workload could not set up mode $1"
	assert_eq "$RC" 0 "$1: record exit status"
}

run_jit good
if report_json "$T/good.session" "$T/good.json"; then
	print_top "$T/good.json"
	assert_between "$(share ft_jit_spin "$T/good.json")" 80 100 "good: ft_jit_spin self %"
	assert_match "$(module_of ft_jit_spin "$T/good.json")" '^/tmp/perf-[0-9]+\.map$' \
		"good: ft_jit_spin's module is its perf map"
fi
assert_eq "$(grep -c 'notice: .*perf-' "$T/good.err")" 0 "good: no notice about the map"

# hostile MODE REASON-REGEX
hostile() {
	run_jit "$1"
	report_json "$T/$1.session" "$T/$1.json" || return
	print_top "$T/$1.json"
	assert_eq "$(share ft_jit_spin "$T/$1.json")" 0 "$1: ft_jit_spin is not named"
	assert_eq "$(grep -c '^flametop: notice: ignoring /tmp/perf-[0-9]*\.map: ' "$T/$1.err")" 1 \
		"$1: notices about the map"
	assert_match "$(grep 'notice: ignoring /tmp/perf-' "$T/$1.err")" "$2" "$1: the notice says why"
}

hostile symlink 'symbolic link'
getent passwd nobody >/dev/null 2>&1 || skip "no user nobody to own a hostile map"
hostile foreign 'owned by uid [0-9]+, not by the process'"'"'s user \(uid 0\)'

finish
