#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A hostile user's program, recorded with DWARF unwinding, truncates the
# library it runs from to the end of its code while the profiler unwinds
# through it: the unwind tables (.eh_frame) the profiler read are gone from
# the file. A profiler that keeps the file mapped dies of SIGBUS at its
# next unwind; flametop read what it needs into memory: it must finish
# when told, with samples saved, and keep unwinding through the library (its
# ft_hostile_run caller found under most samples: the truncation comes once
# the recording holds samples of it, and is followed by two seconds of the
# workload's CPU, however long a busy machine takes to give them).
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/hostile.lib
. "${TESTLIB%/*}/hostile.lib"
# shellcheck source=tests/e2e/wait.lib
. "${TESTLIB%/*}/wait.lib"

lib=$(hostile_lib truncate.so)
full=$(stat -c %s "$lib")
start_hostile trunc truncate 0 "$lib"
wpid=$HPID

echo "+ flametop record --call-graph dwarf -F 999 -p $wpid (in the background)"
t0=$(now_ms)
timeout -s KILL 120 "$FLAMETOP" record --call-graph dwarf -F 999 -o "$T/trunc.session" \
	-p "$wpid" >"$T/trunc.rec.out" 2>"$T/trunc.rec.err" &
rec=$!
ft_bg_pids="$ft_bg_pids $rec"
# Samples unwound through the library, then the truncation.
wait_sampled "$T/trunc.session" ft_hostile_run 60 ||
	fail "no samples of ft_hostile_run in the recording within 60 s"
kill -USR1 "$wpid"
i=0
while ! grep -q '^truncated$' "$T/trunc.out" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 3000 ] || hard_error "the workload did not truncate $lib: $(cat "$T/trunc.err")"
	sleep 0.01
done
echo "  the library was truncated after $(($(now_ms) - t0)) ms"
# Two seconds of the workload's CPU unwound through the truncated library.
ticks=$(cpu_ticks "$wpid")
wait_until 120 cpu_past "$wpid" $((ticks + 2 * $(getconf CLK_TCK))) ||
	fail "the workload did not get 2 s of CPU in 120 s"
kill -0 "$rec" 2>/dev/null || fail "record ended before it was told to"
t1=$(now_ms)
kill -INT "$rec"
wait "$rec"
RC=$?
ELAPSED_MS=$(($(now_ms) - t1))
sed 's/^/  stderr: /' "$T/trunc.rec.err"
echo "  exit $RC, ${ELAPSED_MS} ms after SIGINT"
stop_hostile "$wpid"
now=$(stat -c %s "$lib")
assert_between "$now" 1 $((full - 1)) "trunc: library size after the truncation (was $full)"

assert_eq "$RC" 0 "trunc: record exit status"
assert_between "$ELAPSED_MS" 0 30000 "trunc: record ended after SIGINT (ms; not hung on the file)"
assert_samples trunc "$T/trunc.session" "$T/trunc.json"
[ -s "$T/trunc.json" ] &&
	assert_between "$(share ft_hostile_run "$T/trunc.json" total)" 50 100 \
		"trunc: ft_hostile_run total % (unwound through the library)"

finish
