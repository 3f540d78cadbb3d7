#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Samples the kernel could not deliver are counted and reported, never
# silently dropped: a system-wide recording with one-page rings is frozen
# (SIGSTOP) for a second while both CPUs are busy, so its rings overflow.
# Afterwards record warns about the loss (of records: the kernel counts
# samples and side-band records as one), the report's header shows it,
# and kept plus lost samples add up to at least what the frequency
# promises.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload split

ncpu=$(getconf _NPROCESSORS_ONLN)
i=0
while [ "$i" -lt "$ncpu" ]; do
	start_bg "$WORKLOADS/split" 6000
	i=$((i + 1))
done

echo "+ flametop record -a -F 499 -m 1 -d 4 (stopped for 1.5 s once it has written a second)"
"$FLAMETOP" record -a -F 499 -m 1 -d 4 -o "$T/lost.session" 2>"$T/lost.err" &
rec=$!
ft_bg_pids="$ft_bg_pids $rec"
wait_recording "$T/lost.session" 2 "$rec"
kill -STOP "$rec"
sleep 1.5
kill -CONT "$rec"
wait "$rec"
rc=$?
sed 's/^/  stderr: /' "$T/lost.err"
assert_eq "$rc" 0 "record exit status"
# The kernel's count is of records, side-band ones included (see below),
# and the warning says so, not that so many samples were lost.
assert_match "$(cat "$T/lost.err")" \
	'warning: [0-9]+ records were lost \(samples, mmaps, comms, forks: flametop fell behind\)' \
	"record warns about lost records"

"$FLAMETOP" report -i "$T/lost.session" --top 3 >"$T/lost.txt" 2>&1
assert_eq "$?" 0 "report exit status"
sed 's/^/  /' "$T/lost.txt"
header=$(grep '^# samples:' "$T/lost.txt")
samples=$(echo "$header" | sed -n 's/^# samples: \([0-9]*\),.*/\1/p')
lost=$(echo "$header" | sed -n 's/.*lost: \([0-9]*\).*/\1/p')
# 1.5 s frozen at 499 Hz on every CPU, less what one page holds. The
# kernel's count covers every record it dropped, side-band ones (other
# processes' mmaps, forks, exits: thousands a second while a build runs)
# included, so on a busy machine it runs higher, by as much as the machine
# spawns; the floor is what proves nothing vanished silently, the ceiling
# only catches a count gone wild.
assert_between "$lost" $((ncpu * 499 / 2)) $((ncpu * 499 * 40)) "lost samples in the report header"
# Kept: no more than 4 s (and a little) at 499 Hz on every CPU gives.
assert_between "$samples" 1 $((ncpu * 499 * 5)) "kept samples"
# Kept + lost is at least what 4 s at 499 Hz on every CPU gives.
assert_between "$((samples + lost))" $((ncpu * 499 * 4 * 7 / 10)) $((ncpu * 499 * 4 * 41)) \
	"kept + lost samples"
finish
