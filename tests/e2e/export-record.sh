#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Record, export, read back with the real tools, compare with report. The
# threads workload's threads ft-a, ft-b and ft-c each spin in their own
# function: go tool pprof must give every one of those functions the
# nanoseconds report gives it, in total and in a window (--from 50%), and
# the profile must name the program, carry the period and the duration;
# speedscope's profiles must be the threads, each weighing what report
# gives its --tid; the folded counts must add up to report's total.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload threads

S="$T/threads.session"
run_record threads -F 499 -o "$S" -- "$WORKLOADS/threads" 1500 200
assert_record_ok threads "$S"
[ -s "$S" ] || finish
report_json "$S" "$T/all.json" || finish
print_top "$T/all.json" 5
total=$(total_of "$T/all.json")

# self FUNCTION JSON: the function's self weight in a report.
self() {
	jq -r --arg f "$1" '[.functions[] | select(.name == $f) | .self] | add // 0' "$2"
}

"$FLAMETOP" export -i "$S" -o "$T/all.pb.gz" 2>"$T/pprof.err"
assert_eq "$?" 0 "export to pprof: exit status"
"$FLAMETOP" export -i "$S" --from 50% -o "$T/half.pb.gz" 2>>"$T/pprof.err"
assert_eq "$?" 0 "export --from 50% to pprof: exit status"
report_json "$S" "$T/half.json" --from 50%
GO=$(command -v go) || GO=
if [ -n "$GO" ]; then
	export GOCACHE="$T/gocache" GOPATH="$T/gopath"
	for f in all half; do
		"$GO" tool pprof -top -nodefraction=0 -nodecount=100000 -sample_index=cpu -unit=ns \
			"$T/$f.pb.gz" >"$T/$f.top" 2>&1
		for fn in ft_thread_a ft_thread_b ft_thread_c; do
			assert_eq "$(awk -v f="$fn" '$6 == f { sub(/ns$/, "", $1); print $1 }' "$T/$f.top")" \
				"$(self "$fn" "$T/$f.json")" "pprof ($f): $fn's nanoseconds, as report says"
		done
		assert_match "$(grep 'Showing nodes accounting for' "$T/$f.top")" \
			"of $(total_of "$T/$f.json")ns total" "pprof ($f): report's total"
	done
	assert_eq "$(sed -n 's/^File: //p' "$T/all.top")" threads "pprof: the program's name"
	"$GO" tool pprof -raw "$T/all.pb.gz" >"$T/all.raw" 2>&1
	assert_eq "$(sed -n 's/^Period: //p' "$T/all.raw")" $((1000000000 / 499)) "pprof: the period of -F 499"
	assert_eq "$(sed -n 's/^PeriodType: //p' "$T/all.raw")" "cpu nanoseconds" "pprof: the period type"
	assert_match "$(grep -c 'thread_name:\[ft-b\]' "$T/all.raw")" '^[1-9]' "pprof: samples labelled with ft-b's name"
else
	echo "  (golang-go is not installed: go tool pprof checks skipped)"
fi

"$FLAMETOP" export -i "$S" --format speedscope -o "$T/all.json.ss" 2>"$T/ss.err"
assert_eq "$?" 0 "export to speedscope: exit status"
# The samples' weights, not those of time a thread did not run (no stack).
busy='[.samples, .weights] | transpose[] | select(.[0] | length > 0) | .[1]'
assert_eq "$(jq "[.profiles[] | $busy] | add" "$T/all.json.ss")" "$total" "speedscope: weights sum to report's total"
assert_eq "$(jq -r '.profiles[0].unit' "$T/all.json.ss")" nanoseconds "speedscope: the unit"
for th in ft-a ft-b ft-c; do
	tid=$(jq -r --arg t "$th" '.profiles[] | select(.name | startswith($t + " ")) | .name' "$T/all.json.ss" |
		sed -n 's/.*tid \([0-9]*\))$/\1/p')
	if [ -z "$tid" ]; then
		fail "speedscope: no profile for thread $th"
		continue
	fi
	report_json "$S" "$T/tid.json" --tid "$tid" || continue
	assert_eq "$(jq --arg t "$th" "[.profiles[] | select(.name | startswith(\$t + \" \")) | $busy] | add" "$T/all.json.ss")" \
		"$(total_of "$T/tid.json")" "speedscope: thread $th's profile weighs what report --tid $tid says"
done

"$FLAMETOP" export -i "$S" --format folded >"$T/all.folded"
assert_eq "$(awk '{ s += $NF } END { printf "%.0f\n", s }' "$T/all.folded")" "$total" "folded: counts sum to report's total"

finish
