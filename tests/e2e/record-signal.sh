#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# --call-graph dwarf through a signal frame. The sigwork workload (no frame
# pointers) spins in main -> ft_sig_loop -> ft_sig_outside, and a SIGPROF
# handler, ft_sig_handler, spins in ft_sig_inside. Above the handler is the
# kernel's signal frame, whose return address is libc's sigreturn
# trampoline (__restore_rt, unnamed in a stripped libc: it showed as
# libc.so.6+0x3c04f): it must be named [signal], in libc's module, and the
# unwind must go on through it to the code the signal interrupted, then
# main, in every stack of the handler.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload sigwork

run_record sig --call-graph dwarf -F 499 -o "$T/sig.session" -- "$WORKLOADS/sigwork" 1500
assert_record_ok sig "$T/sig.session"
if report_folded "$T/sig.session" "$T/sig.folded"; then
	inside=$(grep -c ';ft_sig_inside' "$T/sig.folded")
	whole=$(grep -cE ';main;ft_sig_loop;(ft_sig_outside;)?\[signal\];ft_sig_handler;ft_sig_inside' \
		"$T/sig.folded")
	assert_between "$inside" 1 1000000 "stacks in the signal handler"
	assert_eq "$whole" "$inside" \
		"handler stacks that go through [signal] to the interrupted code and main"
	assert_eq "$(grep -c 'libc\.so\.6+0x' "$T/sig.folded")" 0 "stacks with an unnamed libc frame"
fi
if report_json "$T/sig.session" "$T/sig.json"; then
	print_top "$T/sig.json"
	assert_match "$(module_of '[signal]' "$T/sig.json")" 'libc\.so' "the module of [signal]"
fi

finish
