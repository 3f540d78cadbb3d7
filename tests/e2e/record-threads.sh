#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The threads workload runs ft_thread_a and ft_thread_b (threads "ft-a",
# "ft-b") at once and ft_thread_c ("ft-c") after a delay; in every 10 ms they
# use 2, 4 and 3 ms of CPU, 0.9 CPU in all, so b gets twice a's CPU. Checked:
# b/a within 1.6 to 2.4; c, the thread created late, has its expected share
# (27% launched, ~20-23% attached; within 8 to 12 points); the three add up to
# the process; each thread's samples carry its name; each can be picked out
# with --tid. Launched (--), attached (-p, where ft-c is created after
# attaching) and system-wide (-a, filtered with --pid).
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload threads

# check_threads NAME SESSION C_LO C_HI [REPORT ARGS]
check_threads() {
	n=$1
	s=$2
	clo=$3
	chi=$4
	shift 4
	report_json "$s" "$T/$n.json" "$@" || return
	print_top "$T/$n.json"
	a=$(share ft_thread_a "$T/$n.json" total)
	b=$(share ft_thread_b "$T/$n.json" total)
	c=$(share ft_thread_c "$T/$n.json" total)
	assert_between "$a" 10 40 "$n: ft_thread_a total %"
	assert_between "$b" 25 65 "$n: ft_thread_b total %"
	assert_between "$(awk -v a="$a" -v b="$b" 'BEGIN { print (a > 0 ? b / a : 0) }')" 1.5 2.6 \
		"$n: ft_thread_b / ft_thread_a (expected 2)"
	assert_between "$c" "$clo" "$chi" "$n: ft_thread_c (created late) total %"
	assert_between "$(awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { print a + b + c }')" 92 100 \
		"$n: the three thread functions' total %"
	if report_folded "$s" "$T/$n.folded" "$@"; then
		for t in a b c; do
			if grep -q "ft_thread_$t [0-9]*\$" "$T/$n.folded" &&
				! grep "ft_thread_$t [0-9]*\$" "$T/$n.folded" | grep -vq "^ft-$t;"; then
				pass "$n: every folded stack ending in ft_thread_$t is under thread name ft-$t"
			else
				fail "$n: folded stacks ending in ft_thread_$t not all under ft-$t: $(grep "ft_thread_$t" "$T/$n.folded" | head -n 3)"
			fi
		done
	fi
}

# --- launched: c starts 0.5 s into 2 s --------------------------------------
# a = 0.2 * 2 = 0.4 CPU-seconds, b = 0.8, c = 0.3 * 1.5 = 0.45: c is 27%.
run_record cmd -F 999 -o "$T/cmd.session" -- "$WORKLOADS/threads" 2000 500
assert_record_ok cmd "$T/cmd.session"
check_threads cmd "$T/cmd.session" 19 35

# --- attached: c starts 1.5 s after attaching, recording lasts 3 s ----------
# a = 0.6 CPU-seconds, b = 1.2, c = 0.45 plus 0.3 s per second that attaching
# took: c is 20% to 23%.
start_bg "$WORKLOADS/threads" 6000 1500
wpid=$BG_PID
wait_comm "$wpid" threads
run_record pid -F 999 -d 3 -o "$T/pid.session" -p "$wpid"
assert_record_ok pid "$T/pid.session"
check_threads pid "$T/pid.session" 10 32
# Each thread can be picked out by its TID; ft-c's TID did not exist when
# recording started.
for t in a b c; do
	tid=
	for d in /proc/"$wpid"/task/*; do
		[ "$(cat "$d/comm" 2>/dev/null)" = "ft-$t" ] && tid=${d##*/}
	done
	if [ -z "$tid" ]; then
		hard_error "thread ft-$t of $wpid not found"
	fi
	report_json "$T/pid.session" "$T/pid-$t.json" --tid "$tid" || continue
	# (Samples inside libc's frameless clock_gettime lose their caller, so
	# not quite 100%.)
	assert_between "$(share "ft_thread_$t" "$T/pid-$t.json" total)" 90 100 \
		"pid: --tid $tid (ft-$t): ft_thread_$t total %"
	for o in a b c; do
		[ "$o" = "$t" ] && continue
		assert_eq "$(share "ft_thread_$o" "$T/pid-$t.json" total)" 0 \
			"pid: --tid $tid (ft-$t): ft_thread_$o total %"
	done
done
kill "$wpid"
wait "$wpid" 2>/dev/null

# --- system-wide ----------------------------------------------------------
record_system all "$T/all.session" "$WORKLOADS/threads" 2000 500
wpid=$WPID
assert_record_ok_system all "$T/all.session"
check_threads all "$T/all.session" 19 35 --pid "$wpid"

finish
