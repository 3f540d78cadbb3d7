#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The heatmap view, on a recording of the bursts workload (ft_burst from
# 400 to 500 ms into each of its seconds, ft_steady from 700 to 800 ms,
# asleep otherwise), replayed in tmux. In ASCII (LANG=C) at 100x34 the
# rows are 40 ms (50 rows of 20 ms would not fit) and each row a line: the
# marked rows must form two bands of at most 4 rows (100 ms of work, give
# or take a row either side), 6 to 9 rows (300 ms) apart, whatever the
# offset at which the workload started in the recording. Selecting the
# first band in one second (Enter on its start cell, Enter on its end
# cell) sets the window every view shows: the top-list over it is
# ft_burst's (with --resolution 20ms: the other views read the timeline,
# whose buckets are 1 s by default). With UTF-8 and 256 colours, half blocks show two rows of
# 20 ms per line.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"
# shellcheck source=tests/e2e/views.lib
. "$(dirname "$TESTLIB")/views.lib"

need_tmux
need_root
need_perf_events
need_workload bursts

S="$T/bursts.session"
run_record bursts -F 999 -o "$S" -- "$WORKLOADS/bursts" 6
assert_record_ok bursts "$S"
[ -s "$S" ] || finish

ENV="HOME='$T' XDG_CONFIG_HOME='$T/config'"
tui_start heat 100 34 "$ENV LANG=C '$FLAMETOP' replay --resolution 20ms --view heatmap '$S' 2>'$T/heat.err'"
assert_screen heat 'end of the session' "the recording is loaded"
assert_main heat 0 'heatmap: a column a second, a row 40ms' "ASCII: rows of 40 ms, one a line"
# hot_rows: the grid rows (0 = 0 ms) with a mark in at least 3 seconds.
hot_rows() {
	sed -n '6,30p' "$T/heat.screen" | awk '{
		s = substr($0, 7); n = 0
		for (i = 1; i <= length(s); i++) if (substr(s, i, 1) != " ") n++
		if (n >= 3) print NR - 1
	}' | tr '\n' ' '
}
rows=$(hot_rows)
echo "rows with work: $rows"
# bands ROWS...: "START1 END1 START2 END2", split at the widest gap (wrapping).
set -- $(printf '%s\n' $rows | awk '{ r[NR] = $1 } END {
	best = -1
	for (i = 1; i <= NR; i++) {
		g = (i < NR ? r[i + 1] : r[1] + 25) - r[i]
		if (g > best) { best = g; at = i }
	}
	# bands: after the widest gap comes the first, up to the second widest
	n = NR; k = 0
	for (j = 1; j <= n; j++) { idx = (at + j - 1) % n + 1; seq[j] = r[idx] }
	best2 = -1
	for (j = 1; j < n; j++) {
		g = (seq[j + 1] - seq[j] + 25) % 25
		if (g > best2) { best2 = g; cut = j }
	}
	printf "%d %d %d %d\n", seq[1], seq[cut], seq[cut + 1], seq[n]
}')
echo "bands: rows $1-$2 and $3-$4"
assert_between "$(( ($2 - $1 + 25) % 25 + 1 ))" 1 4 "the first band is at most 4 rows (160 ms)"
assert_between "$(( ($4 - $3 + 25) % 25 + 1 ))" 1 4 "the second band is at most 4 rows"
gap=$(( ($3 - $1 + 25) % 25 ))
case $gap in
6 | 7 | 8 | 9) burst_start=$1 burst_end=$2 ;;
16 | 17 | 18 | 19) burst_start=$3 burst_end=$4 ;; # the bands the other way round
*) burst_start=-1 ;;
esac
if [ "$burst_start" -ge 0 ]; then
	pass "the bands are 300 ms apart ($gap rows of 40 ms, or 25 less)"
else
	fail "the bands are $gap rows apart, not 300 ms"
	sed 's/^/  | /' "$T/heat.screen"
fi

# Select ft_burst's band in second 1: from the row before it to the row after.
if [ "$burst_start" -ge 1 ] && [ "$burst_end" -le 23 ]; then
	tui_keys heat PPage Right
	k=0
	while [ "$k" -lt $((burst_start - 1)) ]; do
		tui_keys heat Down
		k=$((k + 1))
	done
	tui_keys heat Enter
	assert_screen heat 'selection started' "Enter starts a selection"
	k=0
	while [ "$k" -lt $((burst_end - burst_start + 2)) ]; do
		tui_keys heat Down
		k=$((k + 1))
	done
	tui_keys heat Enter
	assert_screen heat 'from the heatmap; every view shows it' "Enter again sets the window"
	from_ms=$((1000 + (burst_start - 1) * 40))
	echo "the window should start at $from_ms ms"
	tui_keys heat t
	assert_main heat 1 'ft_burst' "the top-list over the selection: ft_burst first"
	if [ "$(find_row heat ft_steady)" -ge 0 ]; then
		fail "ft_steady is in the selected window"
	else
		pass "ft_steady is not in the selected window"
	fi
else
	fail "ft_burst's band (rows $burst_start-$burst_end) is not inside the second, where the workload puts it"
fi
tui_keys heat q
tui_exit heat
assert_eq "$RC" 0 "q exits 0"
[ -s "$T/heat.err" ] && fail "stderr not empty: $(head -c 300 "$T/heat.err")"

# UTF-8 and colours: half blocks, two rows of 20 ms a line.
tui_start utf 100 34 "$ENV LANG=C.UTF-8 TERM=xterm-256color '$FLAMETOP' replay --view heatmap '$S' 2>'$T/utf.err'"
assert_main utf 0 'a row 20ms' "UTF-8: rows of 20 ms"
assert_screen utf '[▀▄]' "UTF-8: half blocks"
tui_keys utf q
tui_exit utf
assert_eq "$RC" 0 "q exits 0"
finish
