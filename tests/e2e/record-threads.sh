#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The threads workload runs ft_thread_a and ft_thread_b (threads "ft-a",
# "ft-b") at once and ft_thread_c ("ft-c") after a delay, in rounds of fixed
# work: each round a does 2 units, b 4 and c, once it has joined, 3. So b
# does exactly twice a's work, and c at most 1.5 times a's (as much less as
# it joined later). Checked: b/(a + b) is 2/3; c/a within the range of
# the delay; the three add up to the process; each thread's samples carry
# its name; each can be picked out with --tid. Launched (--), attached (-p,
# where ft-c is created after attaching) and system-wide (-a, filtered with
# --pid). Ratios of the threads' functions to each other, not shares of
# everything sampled, so that the machine's load does not matter.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload threads

# per_a F JSONFILE: F's total count over ft_thread_a's, two decimals.
per_a() {
	jq -r --arg f "$1" '
		([.functions[] | select(.name == $f) | .total] | add // 0) as $x
		| ([.functions[] | select(.name == "ft_thread_a") | .total] | add // 0) as $a
		| if $a > 0 then ($x * 100 / $a | round) / 100 else 0 end' "$2"
}

# check_threads NAME SESSION C_LO C_HI [REPORT ARGS]: C_LO and C_HI bound
# c/a.
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
	assert_split "$n" "$T/$n.json" "$(report_samples "$s" "$@")" ft_thread_b ft_thread_a 0.667 total
	assert_between "$(per_a ft_thread_c "$T/$n.json")" "$clo" "$chi" \
		"$n: ft_thread_c (created late) / ft_thread_a (at most 1.5)"
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
# c takes part in about the last three quarters of the rounds: c/a is about
# 1.5 * 3/4 (rounds with c take longer: a little more), whatever the load.
run_record cmd -F 999 -o "$T/cmd.session" -- "$WORKLOADS/threads" 2000 500
assert_record_ok cmd "$T/cmd.session"
check_threads cmd "$T/cmd.session" 0.6 1.6

# --- attached: c starts 1.5 s after start, recording lasts 3 s --------------
# c takes part in the rounds of the last 1.5 s and of what attaching took:
# c/a is about 1.5 * 1/2 or a little more.
start_bg "$WORKLOADS/threads" 6000 1500
wpid=$BG_PID
wait_comm "$wpid" threads
run_record pid -F 999 -d 3 -o "$T/pid.session" -p "$wpid"
assert_record_ok pid "$T/pid.session"
check_threads pid "$T/pid.session" 0.4 1.6
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
	# (Samples inside libc's frameless functions, the few that wait for
	# the end of a round, lose their caller, so not quite 100%.)
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
assert_record_ok all "$T/all.session" lost-ok
check_threads all "$T/all.session" 0.6 1.6 --pid "$wpid"

finish
