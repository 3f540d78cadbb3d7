#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `report --baseline`: the diff of two windows of one recording, and of a
# recording against a session of another unit. The phases workload runs
# ft_phase_one for the first half of its 4 s and ft_phase_two for the
# second, so the end (--from 55%) against the start (--baseline-to 45%)
# must show ft_phase_two up by about its whole share and ft_phase_one down
# by as much, in text, JSON and the differential folded format; against
# the whole run, the baseline's share of ft_phase_two is the whole run's
# own (shares are per side; about half on an idle machine, whatever the
# CPU each half of the wall time got on a busy one); a window against itself must
# show no change at all; and a baseline in another unit is refused in one
# line.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload phases

S="$T/phases.session"
run_record phases -F 999 -o "$S" -- "$WORKLOADS/phases" 4000
assert_record_ok phases "$S"
[ -s "$S" ] || finish

# bshare FUNCTION JSONFILE: FUNCTION's baseline_self as a percentage of the baseline's total.
bshare() {
	jq -r --arg f "$1" '
		([.functions[] | select(.name == $f) | .baseline_self] | add // 0) as $n
		| if .baseline.total > 0 then ($n * 1000 / .baseline.total | round) / 10 else 0 end' "$2"
}

# --- the end against the start ----------------------------------------------
if report_json "$S" "$T/diff.json" --from 55% --baseline "$S" --baseline-to 45%; then
	print_top "$T/diff.json" 4
	assert_between "$(share ft_phase_two "$T/diff.json")" 90 100 "end: ft_phase_two self %"
	assert_between "$(bshare ft_phase_two "$T/diff.json")" 0 10 "start (baseline): ft_phase_two self %"
	assert_between "$(share ft_phase_one "$T/diff.json")" 0 10 "end: ft_phase_one self %"
	assert_between "$(bshare ft_phase_one "$T/diff.json")" 90 100 "start (baseline): ft_phase_one self %"
	# The baseline's total is its own window's, as a plain report of it says.
	report_json "$S" "$T/start.json" --to 45% &&
		assert_eq "$(jq -r .baseline.total "$T/diff.json")" "$(total_of "$T/start.json")" \
			"baseline.total is the --baseline-to 45% window's total"
	# Every function has both fields, 0 where a side lacks it.
	assert_eq "$(jq -r '[.functions[] | select((.baseline_self | type) != "number" or (.baseline_total | type) != "number")] | length' "$T/diff.json")" 0 \
		"every function has baseline_self and baseline_total"
fi

"$FLAMETOP" report -i "$S" --from 55% --baseline "$S" --baseline-to 45% >"$T/diff.txt" 2>"$T/diff.err"
assert_eq "$?" 0 "text diff: exit status"
sed 's/^/  /' "$T/diff.txt"
change() {
	awk -v f="$1" '$1 ~ /%$/ && $6 == f { print $3 + 0; exit }' "$T/diff.txt"
}
assert_between "$(change ft_phase_two)" 80 100 "text: ft_phase_two change (points)"
assert_between "$(change ft_phase_one)" -100 -80 "text: ft_phase_one change (points)"
# Sorted by change: the first two rows are the two phases.
assert_match "$(awk '$1 ~ /%$/ { print $6 }' "$T/diff.txt" | head -n 2 | sort | tr '\n' ' ')" \
	'^ft_phase_one ft_phase_two $' "text: the two phases lead, by size of change"
assert_match "$(grep '^# baseline:' "$T/diff.txt")" 'to [0-9.]+ s' "text header names the baseline's window"

# --- shares per side: the end against the whole run ----------------------------
if report_json "$S" "$T/half.json" --from 55% --baseline "$S"; then
	now=$(share ft_phase_two "$T/half.json")
	before=$(bshare ft_phase_two "$T/half.json")
	# The whole run's share of phase two is what a plain report of it says
	# (about half on an idle machine; how much CPU each half of the wall
	# time got on a busy one), and the end holds nearly nothing else.
	report_json "$S" "$T/whole.json" &&
		assert_eq "$before" "$(share ft_phase_two "$T/whole.json")" \
			"whole run (baseline): ft_phase_two self %, as a report of the whole run says"
	assert_between "$before" 5 95 "whole run (baseline): ft_phase_two self %: both phases in it"
	assert_between "$now" 90 100 "end (from 55%): ft_phase_two self %"
fi

# --- a window against itself: nothing changed ----------------------------------
if report_json "$S" "$T/same.json" --from 1 --to 3 --baseline "$S" --baseline-from 1 --baseline-to 3; then
	assert_eq "$(jq -r '[.functions[] | select(.self != .baseline_self or .total != .baseline_total)] | length' "$T/same.json")" 0 \
		"a window against itself: every function's weights equal"
	assert_eq "$(jq -r '.total == .baseline.total' "$T/same.json")" true "a window against itself: equal totals"
fi

# --- differential folded: both weights, baseline first -------------------------
if report_folded "$S" "$T/diff.folded" --from 55% --baseline "$S" --baseline-to 45%; then
	head -n 3 "$T/diff.folded" | sed 's/^/  /'
	assert_eq "$(awk 'NF < 3 || $(NF-1) !~ /^[0-9]+$/ || $NF !~ /^[0-9]+$/' "$T/diff.folded" | wc -l)" 0 \
		"folded: every line ends in two weights"
	assert_eq "$(awk '{ s += $(NF-1) } END { print s + 0 }' "$T/diff.folded")" "$(total_of "$T/start.json")" \
		"folded: the baseline column sums to the baseline's total"
	report_json "$S" "$T/end.json" --from 55% &&
		assert_eq "$(awk '{ s += $NF } END { print s + 0 }' "$T/diff.folded")" "$(total_of "$T/end.json")" \
			"folded: the last column sums to the window's total"
	assert_between "$(awk '/ft_phase_two/ { b += $(NF-1); n += $NF } END { print (n > 0 && b * 10 < n) ? 1 : 0 }' "$T/diff.folded")" 1 1 \
		"folded: ft_phase_two's stacks weigh far more now than in the baseline"
fi

# --- bad input -------------------------------------------------------------------
printf 'main;a 5\nmain;b 3\n' >"$T/counts.folded"
if "$FLAMETOP" import "$T/counts.folded" -o "$T/counts.session" >"$T/import.out" 2>&1; then
	"$FLAMETOP" report -i "$S" --baseline "$T/counts.session" >"$T/units.out" 2>"$T/units.err"
	assert_eq "$?" 1 "a baseline in samples against one in ns: exit status"
	assert_one_error_line "$T/units.err" "different units"
	assert_match "$(error_line "$T/units.err")" 'in samples and this profile.s in ns: different units cannot be compared' \
		"different units: the reason"
else
	fail "import of a folded file failed: $(cat "$T/import.out")"
fi
"$FLAMETOP" report -i "$S" --baseline-from 1 >"$T/nob.out" 2>"$T/nob.err"
assert_eq "$?" 2 "--baseline-from without --baseline: usage error"
assert_one_error_line "$T/nob.err" "--baseline-from without --baseline"
"$FLAMETOP" report -i "$S" --baseline "$T/no-such.session" >"$T/nofile.out" 2>"$T/nofile.err"
assert_eq "$?" 1 "a missing baseline: exit status"
assert_match "$(error_line "$T/nofile.err")" '^flametop: --baseline: ' "a missing baseline: names the option"

finish
