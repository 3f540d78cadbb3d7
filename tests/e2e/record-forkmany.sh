#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Children that fork without exec are named after their parent, even when
# the parent was never sampled and each child is gone before its samples
# are read. Twenty forkmany processes start before a system-wide recording
# and block, so the recorder knows nothing of them; told to (SIGUSR1),
# each forks one child that spins about 20 ms in ft_forkmany_child and
# exits, then blocks again until the recording has ended. Every stack
# ending in ft_forkmany_child must be under the process name forkmany
# (not [unknown]).
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_workload forkmany

n=20
parents=
i=0
while [ "$i" -lt "$n" ]; do
	start_bg "$WORKLOADS/forkmany" "$T/done.$i" 1 20
	parents="$parents $BG_PID"
	i=$((i + 1))
done
for p in $parents; do
	wait_comm "$p" forkmany
done

# all_done: every parent has reaped its child.
all_done() {
	[ "$(ls "$T" | grep -c '^done\.')" -eq "$n" ]
}

echo "+ flametop record -a -F 999 -m 1024 -o $T/fm.session   (around: forkmany's children)"
timeout -s KILL 120 "$FLAMETOP" record -a -F 999 -m 1024 -o "$T/fm.session" >"$T/fm.out" 2>"$T/fm.err" &
rec=$!
ft_bg_pids="$ft_bg_pids $rec"
wait_recording "$T/fm.session" 2 "$rec"
# shellcheck disable=SC2086 # a list of pids
kill -USR1 $parents
wait_until 120 all_done || fail "the children did not all run in 120 s"
kill -INT "$rec"
wait "$rec"
assert_eq "$?" 0 "record exit status"
sed 's/^/  stderr: /' "$T/fm.err"
# shellcheck disable=SC2086 # a list of pids
kill -TERM $parents
for p in $parents; do
	wait "$p"
done

# The system-wide recording also sees the children of another test's
# forkmany that ran beside this one (record-forget-threads' under make
# check -j: each names itself fm-N); they are not this test's.
if report_folded "$T/fm.session" "$T/fm.folded"; then
	grep '[;]ft_forkmany_child[; ]' "$T/fm.folded" | cut -d';' -f1 | sort | uniq -c |
		sed 's/^/  process names of ft_forkmany_child stacks: /'
	grep '[;]ft_forkmany_child[; ]' "$T/fm.folded" | grep -v '^fm-[0-9]*;' >"$T/fm.ours"
	if ! [ -s "$T/fm.ours" ]; then
		fail "no stack has ft_forkmany_child"
	elif grep -vq '^forkmany;' "$T/fm.ours"; then
		fail "stacks of ft_forkmany_child under another name than forkmany"
	else
		pass "every stack of ft_forkmany_child is under forkmany"
	fi
fi

finish
