#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Time inside glibc's internal functions is named as perf names it. libc.so.6
# is stripped; its internal functions (qsort's merge sort msort_with_tmp and
# friends) are named only by its separate debug file (Debian's libc6-dbg, found
# by build id). perf and flametop record the same libcsort process at the same
# time (-p, 999 Hz; it runs for 3 CPU-seconds, and is stopped while they
# start and stop, so both see the same execution); every libc function perf
# gives at least 3% of the samples must appear in flametop's report under
# the same name, in libc, with a share within 5 points of perf's, and
# flametop may leave at most 1% of the samples as libc.so.6+0x... offsets.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_perf
need_workload libcsort

libc=$(ldd "$WORKLOADS/libcsort" | awk '$1 ~ /^libc\.so/ { print $3 }')
[ -n "$libc" ] || skip "cannot tell which libc the workload uses (ldd)"
command -v readelf >/dev/null 2>&1 || skip "readelf is not installed (binutils): cannot read libc's build id"
bid=$(readelf -n "$libc" | awk '/Build ID:/ { print $3; exit }')
[ -n "$bid" ] || skip "$libc has no build id"
dbg=/usr/lib/debug/.build-id/$(echo "$bid" | cut -c1-2)/$(echo "$bid" | cut -c3-).debug
[ -f "$dbg" ] || skip "no debug file for $libc ($dbg): apt-get install libc6-dbg"

start_bg "$WORKLOADS/libcsort" 0
wpid=$BG_PID
wait_comm "$wpid" libcsort
same_run "$wpid" "$T/ft.session" "$T/perf.data" 3
kill -KILL "$wpid"
wait "$wpid" 2>/dev/null
# Not assert_record_ok: notices are expected here (libc has no frame pointers).
assert_eq "$RC" 0 "ft: record exit status"
report_json "$T/ft.session" "$T/ft.json" || finish
print_top "$T/ft.json" 10

# perf's libc functions with at least 3%: "PERCENT NAME" per line.
"$PERF" report -i "$T/perf.data" --stdio --no-children --sort dso,sym -g none --percent-limit 0 2>/dev/null >"$T/perf.txt"
grep -v '^#' "$T/perf.txt" | grep -v '^$' | head -n 12 | sed 's/^/  perf: /'
awk '$3 == "[.]" && $2 ~ /^libc[.-]/ { sub("%", "", $1); if ($1 + 0 >= 3) print $1, $4 }' "$T/perf.txt" >"$T/perf-libc.txt"
[ -s "$T/perf-libc.txt" ] || fail "perf gives no libc function 3% of the samples; is qsort still in libc?"
if grep -q ' libc\.so[^ ]*+0x' "$T/perf-libc.txt" || awk '$2 ~ /^0x/ { f = 1 } END { exit !f }' "$T/perf-libc.txt"; then
	fail "perf itself left libc functions unnamed: $(cat "$T/perf-libc.txt")"
fi
internal=0
while read -r pct name; do
	ours=$(jq -r --arg f "$name" '
		([.functions[] | select(.name == $f and (.module | test("(^|/)libc[.-]"))) | .self] | add // 0) as $n
		| ($n * 1000 / .total | round) / 10' "$T/ft.json")
	assert_between "$(awk -v a="$ours" -v b="$pct" 'BEGIN { d = a - b; print (d < 0 ? -d : d) }')" 0 5 \
		"libc function $name: flametop $ours% vs perf $pct%"
	# Internal: not in .dynsym, so only the debug file can name it.
	if ! readelf --dyn-syms -W "$libc" | awk '{ print $8 }' | sed 's/@.*//' | grep -qx "$name"; then
		internal=$((internal + 1))
	fi
done <"$T/perf-libc.txt"
assert_between "$internal" 1 100 "libc functions among perf's hottest that only the debug file names"
unnamed=$(jq -r '[.functions[] | select(.name | test("^libc[.-].*\\+0x")) | .self] | add // 0
	| . * 100 / '"$(total_of "$T/ft.json")" "$T/ft.json")
assert_between "$unnamed" 0 1 "% of samples left as libc.so.6+0x... offsets"

finish
