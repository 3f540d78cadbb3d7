#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# record forgets the threads it has written out once they exited, so that
# its thread table holds the threads running or recent, not every thread
# it ever saw (a day of builds), and the session still names them all.
# forkmany, launched by record, forks 60 children one after the other in
# three waves of 20, pausing 4 s (asleep) between waves; child N names
# itself fm-N and spins about 20 ms in ft_forkmany_child. The -v memory
# line says how many threads record held at once: without forgetting, all
# 61; forgetting a wave's exited children during the pause after it, at
# most two waves and the parent (41). And the report must still put every
# child's stacks under its own name: fm-0 to fm-59 all there, no stack of
# ft_forkmany_child under another name. Counts of threads, not times: the
# pause only gives the recorder's flushes room to forget a wave.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_workload forkmany

n=60
wave=20

# child_of PID NAME: the pid of PID's child named NAME, or nothing.
child_of() {
	pgrep -P "$1" -x "$2" | head -n 1
}

# has_workload: record (under timeout) has launched forkmany, which runs
# forkmany (sampled from its exec on) and waits for SIGUSR1 (before it
# blocks it, SIGUSR1 would kill it: the mask says so, or, as the kernel
# unblocks what sigwait waits for, the wait itself); sets wpid.
has_workload() {
	ft=$(child_of "$rec" flametop)
	[ -n "$ft" ] || return 1
	wpid=$(child_of "$ft" forkmany)
	[ -n "$wpid" ] || return 1
	case $(cat "/proc/$wpid/wchan" 2>/dev/null) in
	*sigtimedwait*) return 0 ;;
	esac
	blk=$(sed -n 's/^SigBlk:[[:space:]]*//p' "/proc/$wpid/status" 2>/dev/null)
	[ -n "$blk" ] && [ $((0x$blk & 0x200)) -ne 0 ]
}

echo "+ flametop record -v -F 999 -o $T/w.session -- forkmany $T/done $n 20 $wave 4000"
timeout -s KILL 120 "$FLAMETOP" record -v -F 999 -o "$T/w.session" -- \
	"$WORKLOADS/forkmany" "$T/done" "$n" 20 "$wave" 4000 >"$T/w.out" 2>"$T/w.err" &
rec=$!
ft_bg_pids="$ft_bg_pids $rec"
if ! wait_until 30 has_workload; then
	# What started: record outlives its timeout, killed at exit.
	for p in ${wpid:-} ${ft:-}; do
		kill -KILL "$p" 2>/dev/null
	done
	hard_error "record did not launch forkmany"
fi
kill -USR1 "$wpid"
wait_until 120 test -f "$T/done" || fail "the children did not all run in 120 s"
kill -TERM "$wpid"
wait "$rec"
assert_eq "$?" 0 "record exit status (forkmany's)"
sed 's/^/  stderr: /' "$T/w.err"

peak=$(sed -n 's/.*threads held at the end, at most \([0-9]*\) at once.*/\1/p' "$T/w.err")
if [ -z "$peak" ]; then
	fail "record -v does not say the most threads it held at once"
elif [ "$peak" -gt $((2 * wave + 1)) ]; then
	fail "record held $peak threads at once: more than two waves of $wave and the parent"
else
	pass "record held at most $peak threads at once (of $((n + 1)))"
fi

if report_folded "$T/w.session" "$T/w.folded"; then
	grep '[;]ft_forkmany_child[; ]' "$T/w.folded" | cut -d';' -f1 | sort -u >"$T/names"
	echo "  thread names of ft_forkmany_child stacks: $(tr '\n' ' ' <"$T/names")"
	missing=
	i=0
	while [ "$i" -lt "$n" ]; do
		grep -qx "fm-$i" "$T/names" || missing="$missing fm-$i"
		i=$((i + 1))
	done
	if [ -n "$missing" ]; then
		fail "no stack of ft_forkmany_child under the name of child$missing"
	elif grep -vqx 'fm-[0-9]*' "$T/names"; then
		fail "stacks of ft_forkmany_child under another name: $(grep -vx 'fm-[0-9]*' "$T/names" | tr '\n' ' ')"
	else
		pass "every child's stacks are under its own name, fm-0 to fm-$((n - 1))"
	fi
fi

finish
