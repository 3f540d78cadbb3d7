#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `report --format heatmap` on a workload with a burst at a fixed offset
# of every second: bursts spins in ft_burst from 400 to 500 ms into each of
# its seconds and in ft_steady from 700 to 800 ms. Where the workload's
# seconds start in the recording is not known, so the test looks for the
# band: 6 consecutive rows of 20 ms (wrapping around the second) must hold
# at least 85% of ft_burst's weight (--include), the same for ft_steady,
# and the two bands must start 15 rows (300 ms) apart, give or take two
# (a band of 100 ms may fill 5 or 6 rows).
# The matrix's sum is the report's total for the same filter, and
# --heatmap-row sets the rows per second.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq

record_bursts 4 -F 999

# heatmap OUT ARGS...: the heatmap JSON of the session.
heatmap() {
	out=$1
	shift
	if ! "$FLAMETOP" report -i "$S" --format heatmap "$@" >"$out" 2>"$out.err"; then
		fail "report --format heatmap $* failed: $(cat "$out.err")"
		return 1
	fi
	if ! jq -e '.unit and .row_ms and (.seconds | type == "array")' "$out" >/dev/null; then
		fail "report --format heatmap $*: not the documented object: $(head -c 300 "$out")"
		return 1
	fi
}

# band FILE: "START SHARE", the 6 consecutive rows (wrapping) with the most weight.
band() {
	jq -r '[.seconds[].counts] | transpose | map(add) | @tsv' "$1" | awk '{
		n = NF; t = 0
		for (i = 1; i <= n; i++) { r[i - 1] = $i; t += $i }
		best = -1
		for (s = 0; s < n; s++) {
			w = 0
			for (k = 0; k < 6; k++) w += r[(s + k) % n]
			if (w > best) { best = w; at = s }
		}
		printf "%d %.1f\n", at, t ? 100 * best / t : 0
	}'
}

if heatmap "$T/all.json"; then
	assert_eq "$(jq -r '.row_ms' "$T/all.json")" 20 "default row height (ms)"
	assert_eq "$(jq -r '[.seconds[].counts | length] | unique | join(",")' "$T/all.json")" 50 "50 rows in every second"
	assert_between "$(jq -r '.seconds | length' "$T/all.json")" 4 6 "a column per second of the recording"
	assert_eq "$(jq -r '[.seconds[].t] == ([.seconds[].t] | sort)' "$T/all.json")" true "columns in time order"
	report_json "$S" "$T/all-report.json" &&
		assert_eq "$(jq -r '[.seconds[].counts[]] | add' "$T/all.json")" "$(total_of "$T/all-report.json")" \
			"the cells sum to the report's total"
fi

if heatmap "$T/burst.json" --include '^ft_burst$' && heatmap "$T/steady.json" --include '^ft_steady$'; then
	set -- $(band "$T/burst.json")
	burst_at=$1
	echo "  ft_burst: band at row $1 holds $2%"
	assert_between "$2" 85 100 "ft_burst: share of its weight in one 120 ms band"
	set -- $(band "$T/steady.json")
	steady_at=$1
	echo "  ft_steady: band at row $1 holds $2%"
	assert_between "$2" 85 100 "ft_steady: share of its weight in one 120 ms band"
	assert_between "$(( (steady_at - burst_at + 50) % 50 ))" 13 17 "the bands are 300 ms apart (rows)"
	report_json "$S" "$T/burst-report.json" --include '^ft_burst$' &&
		assert_eq "$(jq -r '[.seconds[].counts[]] | add' "$T/burst.json")" "$(total_of "$T/burst-report.json")" \
			"--include: the cells sum to the filtered report's total"
fi

if heatmap "$T/rows.json" --heatmap-row 100ms --from 1 --to 3; then
	assert_eq "$(jq -r '[.seconds[].counts | length] | unique | join(",")' "$T/rows.json")" 10 "--heatmap-row 100ms: 10 rows"
	assert_eq "$(jq -r '[.seconds[].t] | join(",")' "$T/rows.json")" "1,2" "--from 1 --to 3: seconds 1 and 2"
fi

"$FLAMETOP" report -i "$S" --format heatmap --heatmap-row 500us >"$T/bad.out" 2>"$T/bad.err"
assert_eq "$?" 2 "--heatmap-row 500us: usage error"
assert_one_error_line "$T/bad.err" "--heatmap-row 500us"

finish
