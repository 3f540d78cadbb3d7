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
# frame pointer of the interrupted code: to ft_sig_loop, then main, when
# the signal came in ft_sig_outside (whose own frame is skipped, as perf
# skips it); from somewhere else when it came in code without a frame of
# its own, such as the vDSO's clock_gettime that ft_sig_loop calls, whose
# %rbp is the loop's frame (the chain goes on from main) or no frame at
# all (the chain ends at [signal]). That code has a tiny share of the time
# but not of the samples on a loaded virtual machine, which delivers a timer's
# interrupt when the guest comes back from an exit, as a clock read can
# make it (3 of the handler's 206 samples in six runs beside two busy
# loops here, 2 of 30 in the worst). A sample in ft_sig_inside's first
# instructions, before it has pushed its frame pointer, skips
# ft_sig_handler, as perf's chain does (the frame pointer is still the
# handler's; seen once in .ci/run's make check: 1 of the handler's 171
# samples).
# So in this mode every handler stack goes through [signal], with or
# without ft_sig_handler, and most of the handler's samples go on through
# ft_sig_loop to main.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload sigwork sigworkfp

# check NAME dwarf|fp: the stacks of NAME's session, as above.
check() {
	if report_folded "$T/$1.session" "$T/$1.folded"; then
		handler='\[signal\];ft_sig_handler;ft_sig_inside'
		if [ "$2" = fp ]; then
			handler='\[signal\];(ft_sig_handler;)?ft_sig_inside'
		fi
		whole=";main;ft_sig_loop;([^;]+;)*$handler"
		inside=$(grep -c ';ft_sig_inside' "$T/$1.folded")
		assert_between "$inside" 1 1000000 "$1: stacks in the signal handler"
		assert_eq "$(grep -cE ";$handler" "$T/$1.folded")" "$inside" \
			"$1: handler stacks that go through [signal]"
		if [ "$2" = dwarf ]; then
			assert_eq "$(grep -cE "$whole" "$T/$1.folded")" "$inside" \
				"$1: handler stacks that go through [signal] to the interrupted code and main"
		else
			# The weight of the handler's stacks through ft_sig_loop over
			# all of theirs (the pattern from the environment: awk -v
			# would take its backslashes for escapes).
			share=$(whole="$whole" awk '/;ft_sig_inside/ {
					a += $NF; if ($0 ~ ENVIRON["whole"]) b += $NF }
				END { print (a > 0 ? b / a : 0) }' "$T/$1.folded")
			assert_between "$share" 0.5001 1 \
				"$1: share of the handler's samples that go on through ft_sig_loop to main"
		fi
		grep ';ft_sig_inside' "$T/$1.folded" | grep -vE "$whole" | sed 's/^/  not through ft_sig_loop: /'
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
check sig dwarf

run_record fp -F 499 -o "$T/fp.session" -- "$WORKLOADS/sigworkfp" 1500
assert_record_ok fp "$T/fp.session"
check fp fp

finish
