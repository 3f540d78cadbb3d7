#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The threads workload runs ft_thread_a and ft_thread_b (threads "ft-a",
# "ft-b") at once and ft_thread_c ("ft-c") after a delay, in rounds of fixed
# work: each round a does 2 units, b 4 and c, once it has joined, 3. So b
# does exactly twice a's work, and c 1.5 times a's in the rounds it takes
# part in (from round 25 of 100 when launched: 1.125 times in all).
# Checked: b/(a + b) is 2/3 and c/(a + c) 1.125/2.125 (within what the
# number of samples allows; attached, c/a is at most 1.5); the three add up
# to the process; each thread's samples carry its name; each can be picked
# out with --tid. Launched (--), attached (-p, where ft-c is created after
# attaching) and system-wide (-a, filtered with --pid). Ratios of the
# threads' functions to each other, not shares of everything sampled, so
# that the machine's load does not matter.
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
# c/a; "exact" and "exact" for the launched workload, whose c/(a + c) is
# 1.125/2.125.
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
	ns=$(report_samples "$s" "$@")
	assert_split "$n" "$T/$n.json" "$ns" ft_thread_b ft_thread_a 0.667 total
	if [ "$clo" = exact ]; then
		assert_split "$n" "$T/$n.json" "$ns" ft_thread_c ft_thread_a 0.529 total
	else
		assert_between "$(per_a ft_thread_c "$T/$n.json")" "$clo" "$chi" \
			"$n: ft_thread_c (created late) / ft_thread_a (at most 1.5)"
	fi
	# The three add up to the process's own code: of the samples whose leaf
	# is user code, those under the three (the rest: start-up, main's
	# waits). Samples in the kernel (switches, sleeps, ticks) are left out:
	# how much of those the task is charged with is the machine's load.
	if report_folded "$s" "$T/$n.user.folded" --annotate-kernel "$@"; then
		assert_between "$(awk '{
			n = $NF; st = $0; sub(/ [0-9]+$/, "", st)
			if (st ~ /_\[k\]$/) next
			all += n
			if (st ~ /;ft_thread_[abc](;|$)/) in3 += n
		} END { if (all > 0) printf "%.1f", in3 * 100 / all; else print 0 }' "$T/$n.user.folded")" 92 100 \
			"$n: the three thread functions' share of the samples in user code %"
	fi
	echo "  the three's total % of everything sampled: $(awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { print a + b + c }')"
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

# --- launched: c takes part in rounds 25 to 100 ---------------------------
run_record cmd -F 999 -o "$T/cmd.session" -- "$WORKLOADS/threads" 1000 250
assert_record_ok cmd "$T/cmd.session"
check_threads cmd "$T/cmd.session" exact exact

# --- attached: c is created at round 149 (1.5 s or more) -------------------
# The recording starts before ft-c exists and goes on until ft-c has worked
# for a fifth of a CPU-second: c/a is somewhere between 0 and 1.5, as the
# machine's load has it.
start_bg "$WORKLOADS/threads" 0 1500
wpid=$BG_PID
wait_comm "$wpid" threads
# tid_of NAME: the TID of $wpid's thread NAME, or nothing.
tid_of() {
	for d in /proc/"$wpid"/task/*; do
		[ "$(cat "$d/comm" 2>/dev/null)" = "$1" ] && echo "${d##*/}"
	done
}
# c_worked: ft-c has used more than 0.2 s of CPU.
c_worked() {
	tc=$(tid_of ft-c)
	[ -n "$tc" ] && [ "$(awk '{ print $14 + $15 }' "/proc/$wpid/task/$tc/stat" 2>/dev/null || echo 0)" -gt \
		$(($(getconf CLK_TCK) / 5)) ]
}
echo "+ flametop record -F 999 -p $wpid   (SIGINT once ft-c has worked 0.2 s)"
t0=$(now_ms)
"$FLAMETOP" record -F 999 -o "$T/pid.session" -p "$wpid" >"$T/pid.out" 2>"$T/pid.err" &
rpid=$!
ft_bg_pids="$ft_bg_pids $rpid"
# The header is written as sampling starts.
wait_recording "$T/pid.session" 1 "$rpid"
assert_eq "$(tid_of ft-c)" "" "pid: ft-c does not exist yet when sampling starts"
wait_until 120 c_worked || fail "pid: ft-c did not work for 0.2 s within 120 s"
# The threads' TIDs, while they run.
for t in a b c; do
	eval "tid_$t=\$(tid_of ft-\$t)"
done
kill -INT "$rpid"
wait "$rpid"
RC=$?
sed 's/^/  stderr: /' "$T/pid.err"
echo "  exit $RC after $(($(now_ms) - t0)) ms"
kill "$wpid"
wait "$wpid" 2>/dev/null
assert_record_ok pid "$T/pid.session"
check_threads pid "$T/pid.session" 0.1 1.6
# Each thread can be picked out by its TID.
for t in a b c; do
	eval "tid=\$tid_$t"
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

# --- system-wide ----------------------------------------------------------
record_system all "$T/all.session" "$WORKLOADS/threads" 1000 250
wpid=$WPID
assert_record_ok all "$T/all.session" system
check_threads all "$T/all.session" exact exact --pid "$wpid"

finish
