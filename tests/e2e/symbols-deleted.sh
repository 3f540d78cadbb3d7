#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A binary deleted after it started is still named, through
# /proc/PID/map_files/: a copy of the split workload is started from a
# temporary path, the copy is deleted, and the running process is recorded
# (-p, 2 s). Its functions must be named (ft_split_heavy / (ft_split_heavy
# + ft_split_light) about 0.75, the split of their work), in a module named
# after the deleted path, and at most 1% of the samples left as offsets
# into it.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload split

cp "$WORKLOADS/split" "$T/ftgone" || hard_error "cannot copy the split workload"
start_bg "$T/ftgone" 0
wpid=$BG_PID
wait_comm "$wpid" ftgone
rm -f "$T/ftgone"
grep -q "ftgone (deleted)" "/proc/$wpid/maps" || hard_error "the kernel does not show $T/ftgone as deleted"

run_record del -F 999 -d 2 -o "$T/del.session" -p "$wpid"
kill "$wpid"
wait "$wpid" 2>/dev/null
assert_eq "$RC" 0 "del: record exit status"
if report_json "$T/del.session" "$T/del.json"; then
	print_top "$T/del.json"
	assert_split del "$T/del.json" "$(report_samples "$T/del.session")" ft_split_heavy ft_split_light 0.75
	assert_match "$(module_of ft_split_heavy "$T/del.json")" '/ftgone( \(deleted\))?$' \
		"del: ft_split_heavy's module is the deleted file"
	unnamed=$(jq -r --argjson t "$(total_of "$T/del.json")" \
		'[.functions[] | select(.name | test("^ftgone.*\\+0x")) | .self] | add // 0 | . * 100 / $t' "$T/del.json")
	assert_between "$unnamed" 0 1 "del: % of samples left as ftgone+0x... offsets"
fi

finish
