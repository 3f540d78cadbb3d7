#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# --call-graph dwarf through a signal frame. The sigwork workload (no frame
# pointers) spins in main -> ft_sig_loop -> ft_sig_outside, and a SIGPROF
# handler, ft_sig_handler, spins in ft_sig_inside. Above the handler is the
# kernel's signal frame, whose return address is libc's sigreturn
# trampoline (__restore_rt, unnamed in a stripped libc: it showed as
# libc.so.6+0x3c04f): it must be named [signal], in libc's module, and the
# unwind must go on through it to the code the signal interrupted (mostly
# ft_sig_outside; sometimes what ft_sig_loop calls, clock_gettime, or
# ft_sig_loop itself), then main, in every stack of the handler. In
# frame-pointer mode (sigworkfp, the
# same built with frame pointers) the kernel's chain holds the same return
# address: named [signal] too (found by its code, mov $15,%rax; syscall,
# in the library that defines sigaction), and the chain goes on from the
# interrupted function's caller (its own frame is skipped, as perf's is).
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload sigwork sigworkfp

# check NAME: the stacks of NAME's session, as above.
check() {
	if report_folded "$T/$1.session" "$T/$1.folded"; then
		inside=$(grep -c ';ft_sig_inside' "$T/$1.folded")
		whole=$(grep -cE \
			';main;ft_sig_loop;([^;]+;)*\[signal\];ft_sig_handler;ft_sig_inside' \
			"$T/$1.folded")
		assert_between "$inside" 1 1000000 "$1: stacks in the signal handler"
		assert_eq "$whole" "$inside" \
			"$1: handler stacks that go through [signal] to the interrupted code and main"
		assert_eq "$(grep -c 'libc\.so\.6+0x' "$T/$1.folded")" 0 \
			"$1: stacks with an unnamed libc frame"
	fi
	if report_json "$T/$1.session" "$T/$1.json"; then
		print_top "$T/$1.json"
		assert_match "$(module_of '[signal]' "$T/$1.json")" 'libc\.so' "$1: the module of [signal]"
	fi
}

run_record sig --call-graph dwarf -F 499 -o "$T/sig.session" -- "$WORKLOADS/sigwork" 1500
assert_record_ok sig "$T/sig.session"
check sig

run_record fp -F 499 -o "$T/fp.session" -- "$WORKLOADS/sigworkfp" 1500
assert_record_ok fp "$T/fp.session"
check fp

finish
