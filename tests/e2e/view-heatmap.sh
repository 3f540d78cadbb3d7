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
# whose buckets are 1 s by default). A mouse drag over the same cells
# (pressed on the end cell, released on the start cell; X10 reports) sets
# the same window. The function filter (F) leaves only the band of the
# function it names, and both again when cleared. ( and ) change the row
# height, Up and Down scroll the rows that do not fit, r fits them again.
# With UTF-8 and 256 colours, half blocks show two rows of 20 ms per line,
# and a drag (SGR reports) over the same lines sets the same window again.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"
# shellcheck source=tests/e2e/views.lib
. "$(dirname "$TESTLIB")/views.lib"

need_tmux
need_root
need_perf_events

record_bursts 6 -F 999

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
# rows_in ROWS START END: those of ROWS in the band START-END (wrapping at 25).
rows_in() {
	for r in $1; do
		[ $(( (r - $2 + 25) % 25 )) -le $(( ($3 - $2 + 25) % 25 )) ] && printf '%s ' "$r"
	done
}
# check_band FN START END OTHER_START OTHER_END: with the filter on FN, the
# hot rows are in FN's band (give or take a row) and none in the other's.
check_band() {
	i=0
	while [ "$i" -lt 50 ]; do # the filtered heatmap is drawn after the header
		tui_capture heat >"$T/heat.screen"
		rows=$(hot_rows)
		[ -n "$rows" ] && [ -z "$(rows_in "$rows" "$4" "$5")" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	echo "rows with work through $1: $rows"
	if [ -n "$(rows_in "$rows" $(( ($2 + 24) % 25 )) $(( ($3 + 1) % 25 )))" ] &&
		[ -z "$(rows_in "$rows" "$4" "$5")" ]; then
		pass "filtered on $1: only its band ($2-$3) is hot"
	else
		fail "filtered on $1: hot rows $rows, its band is $2-$3, the other's $4-$5"
		sed 's/^/  | /' "$T/heat.screen"
	fi
}
# window_of NAME: the window every view shows, from the flame graph (f):
# the header's "window FROM to TO (WIDTH)" and the status line's samples.
window_of() {
	tui_keys "$1" f
	tui_wait "$1" 'samples in the window' >/dev/null
	printf '%s / %s\n' "$(grep -Eo 'window [^|(]*\([^)]*\)' "$T/$1.screen" | head -n 1)" \
		"$(grep -Eo '[0-9.]+[kM]? samples in the window' "$T/$1.screen" | head -n 1)"
}
# axis_col NAME: the column of second 0 on the heatmap's axis, or -1.
axis_col() {
	awk '{ i = index($0, "|0s"); if (i) { print i - 1; found = 1; exit } }
		END { if (!found) print -1 }' "$T/$1.screen"
}
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
	keys_win=$(window_of heat)
	echo "the keys' window: $keys_win"
	from_ms=$((1000 + (burst_start - 1) * 40))
	echo "the window should start at $from_ms ms"
	tui_keys heat t
	assert_main heat 1 'ft_burst' "the top-list over the selection: ft_burst first"
	if [ "$(find_row heat ft_steady)" -ge 0 ]; then
		fail "ft_steady is in the selected window"
	else
		pass "ft_steady is not in the selected window"
	fi

	# The function filter: only the band of the function named.
	case $gap in
	6 | 7 | 8 | 9) steady_start=$3 steady_end=$4 ;;
	*) steady_start=$1 steady_end=$2 ;;
	esac
	tui_keys heat H F
	assert_screen heat 'Only stacks through \(regex' "F asks for a regex"
	tui_keys heat -l ft_steady
	tui_keys heat Enter
	assert_screen heat 'through /ft_steady/' "the header names the filter"
	assert_main heat 0 'a row 40ms' "the heatmap is back"
	check_band "ft_steady" "$steady_start" "$steady_end" "$burst_start" "$burst_end"
	tui_keys heat F C-u
	tui_keys heat -l ft_burst
	tui_keys heat Enter
	assert_screen heat 'through /ft_burst/' "the header names the new filter"
	check_band "ft_burst" "$burst_start" "$burst_end" "$steady_start" "$steady_end"
	tui_keys heat F C-u Enter
	assert_not_screen heat 'through /' "an empty filter clears it"
	rows=$(hot_rows)
	if [ -n "$(rows_in "$rows" "$burst_start" "$burst_end")" ] &&
		[ -n "$(rows_in "$rows" "$steady_start" "$steady_end")" ]; then
		pass "without the filter both bands are back ($rows)"
	else
		fail "without the filter the hot rows are $rows"
	fi

	# Row heights: ( shorter, ) taller, r fits them again.
	tui_keys heat '('
	assert_main heat 0 'a row 20ms \([0-9]+-[0-9]+ms shown\)' "( makes rows of 20 ms, not all shown"
	tui_keys heat -N 60 Up
	assert_main heat 0 'a row 20ms \(0-[0-9]+ms shown\)' "Up scrolls to the first row"
	tui_keys heat -N 60 Down
	assert_main heat 0 'a row 20ms \([1-9][0-9]*-1000ms shown\)' "Down scrolls to the last"
	tui_keys heat ')' ')'
	assert_main heat 0 'a row 50ms;' ") twice: rows of 40, then 50 ms"
	tui_keys heat r
	assert_main heat 0 'a row 40ms;' "r: the rows that fit again"

	# The same selection by mouse, from the end cell up to the start cell.
	tui_keys heat a
	assert_not_screen heat 'from the heatmap' "a: everything again"
	tui_capture heat >"$T/heat.screen"
	x=$(axis_col heat)
	if [ "$x" -ge 0 ]; then
		x=$((x + 1)) # second 1
		tui_mouse heat 0 "$x" $((5 + burst_end + 1))
		tui_mouse heat 32 "$x" $((5 + burst_start))
		tui_mouse heat 32 "$x" $((5 + burst_start - 1))
		assert_main heat 0 'selecting' "a drag shows the selection before the release"
		tui_mouse heat 3 "$x" $((5 + burst_start - 1))
		assert_screen heat 'from the heatmap; every view shows it' "the release sets the window"
		assert_eq "$(window_of heat)" "$keys_win" "the drag sets the window the keys set"
		tui_keys heat t
		assert_main heat 1 'ft_burst' "the top-list over the dragged selection: ft_burst first"
		if [ "$(find_row heat ft_steady)" -ge 0 ]; then
			fail "ft_steady is in the dragged window"
		else
			pass "ft_steady is not in the dragged window"
		fi
	else
		fail "no axis with second 0 on the heatmap"
		sed 's/^/  | /' "$T/heat.screen"
	fi
else
	fail "ft_burst's band (rows $burst_start-$burst_end) is not inside the second, where the workload puts it"
fi
tui_keys heat q
tui_exit heat
assert_eq "$RC" 0 "q exits 0"
[ -s "$T/heat.err" ] && fail "stderr not empty: $(head -c 300 "$T/heat.err")"

# UTF-8 and colours: half blocks, two rows of 20 ms a line.
tui_start utf 100 34 "$ENV LANG=C.UTF-8 TERM=xterm-256color '$FLAMETOP' replay --resolution 20ms --view heatmap '$S' 2>'$T/utf.err'"
assert_screen utf 'end of the session' "UTF-8: the recording is loaded"
assert_main utf 0 'a row 20ms' "UTF-8: rows of 20 ms"
assert_screen utf '[▀▄]' "UTF-8: half blocks"
# A line is two rows of 20 ms, 40 ms as in ASCII: a drag over the same
# lines, from the start down to the end (SGR reports), the same window.
x=$(axis_col utf)
if [ "${keys_win:-}" ] && [ "$x" -ge 0 ]; then
	x=$((x + 1))
	tui_mouse_sgr utf 0 "$x" $((5 + burst_start - 1)) M
	tui_mouse_sgr utf 32 "$x" $((5 + burst_end)) M
	tui_mouse_sgr utf 32 "$x" $((5 + burst_end + 1)) M
	tui_mouse_sgr utf 0 "$x" $((5 + burst_end + 1)) m
	assert_screen utf 'from the heatmap; every view shows it' "UTF-8: the release sets the window"
	assert_eq "$(window_of utf)" "$keys_win" "UTF-8: the drag over half blocks sets the window the keys set"
fi
tui_keys utf q
tui_exit utf
assert_eq "$RC" 0 "q exits 0"
finish
