#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The timeline options reach the explorer: replaying the 20-second fixture
# session with --retention 5s keeps only about its last 5 seconds (the
# samples in the "everything" window shrink accordingly), while the default
# keeps all of it; --max-memory gives the timeline three quarters of it.
# --max-memory, --resolution and --retention refuse values that make no
# sense, in one line, before the terminal is touched. The header says the
# resolution of the window viewed, coarser for a window that reaches into
# older data. A live window says how long it counts when whole buckets
# make that longer than its span.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

need_tmux
FIXTURE=$GOLDEN/tui/replay.session
ENV="HOME='$T' XDG_CONFIG_HOME='$T/config'"
mkdir -p "$T/config"

tui_start whole 100 30 "$ENV '$FLAMETOP' replay '$FIXTURE'"
assert_screen whole 'everything: 0ms to 20.0s' "default: the whole 20 s session is kept"
all=$(samples_shown whole)
assert_between "$all" 3600 3800 "default: samples in the window"
tui_exit whole

tui_start short 100 30 "$ENV '$FLAMETOP' replay --retention 5s --resolution 500ms '$FIXTURE'"
assert_screen short 'end of the session' "--retention 5s: the session is shown"
kept=$(samples_shown short)
# 5 s of 20 (plus at most a bucket) of the samples.
assert_between "$kept" $((all * 5 / 20 * 9 / 10)) $((all * 6 / 20 * 11 / 10)) \
	"--retention 5s: samples in the window"
tui_exit short

# The header gives the resolution of the window viewed, which tiers make
# coarser with age (by default 10 s buckets past 15 minutes): a 20-minute
# session (imported from perf script text, four samples a second) shown
# whole is at 1 s to 10 s; its last 30 seconds (L) at 1 s; with
# --resolution 500ms, at 500 ms.
awk 'BEGIN { for (i = 0; i < 1200 * 4; i++)
	printf "app 42 %.6f: 1000000 cpu-clock:\n\t1146 %s+0x5 (/opt/app)\n\t1132 main+0x92 (/opt/app)\n\n",
		100 + i * 0.25, i % 2 ? "ft_left" : "ft_right" }' >"$T/long.perf"
"$FLAMETOP" import "$T/long.perf" -o "$T/long.session" >/dev/null 2>&1 ||
	hard_error "flametop import of the 20-minute perf script text failed"
tui_start tiers 120 30 "$ENV '$FLAMETOP' replay '$T/long.session'"
assert_screen tiers 'window everything: 0ms to 19m59s res 1s-10s ' \
	"20 minutes whole: the header says 1 s to 10 s buckets"
tui_keys tiers L
assert_screen tiers 'window live: last 30.0s res 1s ' "the last 30 s: the header says 1 s buckets"
tui_keys tiers q
tui_exit tiers
tui_start fine 120 30 "$ENV '$FLAMETOP' replay --resolution 500ms '$T/long.session'"
assert_screen fine 'window everything: .* res 500ms-10s ' \
	"--resolution 500ms, whole: the header says 500 ms to 10 s"
tui_keys fine L
assert_screen fine 'window live: last 30.0s res 500ms ' \
	"--resolution 500ms, the last 30 s: the header says 500 ms"
tui_keys fine q
tui_exit fine

# The window the header names is the one the views count: they count whole
# buckets, so a window the keys leave between bucket edges is named by the
# buckets it covers. A session of 3.5 s (100 samples a second, imported);
# - narrows it off the buckets' edges; the root's samples are report's
# samples between the header's two times.
awk 'BEGIN { for (i = 0; i < 350; i++)
	printf "app 42 %.6f: 1000000 cpu-clock:\n\t1146 ft_leaf+0x5 (/opt/app)\n%s",
		100.002 + i * 0.01, "\t1132 main+0x92 (/opt/app)\n\n" }' >"$T/odd.perf"
"$FLAMETOP" import "$T/odd.perf" -o "$T/odd.session" >/dev/null 2>&1 ||
	hard_error "flametop import of the 3.5-second perf script text failed"
tui_start odd 120 30 "$ENV '$FLAMETOP' replay '$T/odd.session'"
assert_screen odd 'end of the session' "3.5 s session: shown"
tui_keys odd -
assert_screen odd 'window [0-9.]+m?s to [0-9.]+m?s \(' "3.5 s session, -: a range"
# seconds TIME: "1.0s" -> 1.0, "500ms" -> 0.5
seconds() {
	echo "$1" | awk '/ms$/ { sub(/ms$/, ""); print $0 / 1000; next } { sub(/s$/, ""); print }'
}
time_re='\([0-9.]*m\{0,1\}s\)'
range=$(sed -n "s/.* window $time_re to $time_re (.*/\\1 \\2/p" "$T/odd.screen")
from=$(seconds "${range% *}")
to=$(seconds "${range#* }")
"$FLAMETOP" report -i "$T/odd.session" --from "$from" --to "$to" >"$T/odd.report" 2>&1
counted=$(sed -n 's/^# samples: \([0-9]*\),.*/\1/p' "$T/odd.report")
assert_eq "$(samples_shown odd)" "$counted" \
	"3.5 s session, -: the samples shown are those between the header's $range"
# A live window's last second counts the bucket it began in: after the
# last sample (3.49 s), the buckets from 2 s on, which the header says.
tui_keys odd L - - - - -
assert_screen odd 'window live: last 1\.0s \(counts 1\.5s\)' \
	"3.5 s session, last 1.0s: the header says it counts 1.5 s"
"$FLAMETOP" report -i "$T/odd.session" --from 2 >"$T/odd-live.report" 2>&1
assert_eq "$(samples_shown odd)" "$(sed -n 's/^# samples: \([0-9]*\),.*/\1/p' "$T/odd-live.report")" \
	"3.5 s session, last 1.0s: the samples shown are those from 2 s on"
tui_keys odd q
tui_exit odd

# --max-memory is shared out: three quarters for the timeline, a sixteenth
# each for the heatmap's samples and the lines view's addresses. 20 minutes of 100
# samples a second over 5,000 stacks, with periods from 0.9 to 1.1 ms (equal
# ones pack to a few bits), take 0.85 MiB of timeline, kept whole by
# default; with --max-memory 1M the timeline holds at most 768 KiB.
awk 'BEGIN { srand(7); for (i = 0; i < 1200 * 100; i++)
	printf "app 42 %.6f: %d cpu-clock:\n\t1146 ft_leaf_%d+0x5 (/opt/app)\n\t1132 main+0x92 (/opt/app)\n\n",
		100 + i * 0.01, 900000 + int(rand() * 200000), int(rand() * 5000) }' >"$T/many.perf"
"$FLAMETOP" import "$T/many.perf" -o "$T/many.session" >/dev/null 2>&1 ||
	hard_error "flametop import of the 5,000-stack perf script text failed"
# timeline_kib NAME: the header's "timeline N[KM]" in KiB.
timeline_kib() {
	tui_capture "$1" | sed -n 's/.* timeline \([0-9.]*\)\([KM]\).*/\1 \2/p' | head -n 1 |
		awk '{ printf "%d", $2 == "M" ? $1 * 1024 : $1 }'
}
# settled_kib NAME LO HI: the timeline's KiB once in [LO, HI], or the last
# seen after 15 s. Samples read since the last tick are not packed yet
# (12 bytes an entry), and the ceiling is kept at each tick: the figure
# settles within a tick or two of the end.
settled_kib() {
	i=0
	while :; do
		kib=$(timeline_kib "$1")
		if { [ -n "$kib" ] && [ "$kib" -ge "$2" ] && [ "$kib" -le "$3" ]; } || [ $i -ge 150 ]; then
			echo "$kib"
			return
		fi
		sleep 0.1
		i=$((i + 1))
	done
}
tui_start many 200 30 "$ENV '$FLAMETOP' replay '$T/many.session'"
assert_screen many 'end of the session' "5,000 stacks: the session is shown"
assert_between "$(settled_kib many 800 1023)" 800 1023 "5,000 stacks, default: the timeline takes 0.8 to 1 MiB"
tui_exit many
tui_start small 200 30 "$ENV '$FLAMETOP' replay --max-memory 1M '$T/many.session'"
assert_screen small 'end of the session' "--max-memory 1M: the session is shown"
assert_between "$(settled_kib small 100 768)" 100 768 "--max-memory 1M: the timeline holds three quarters of it"
tui_exit small

for bad in "--max-memory 10k" "--max-memory lots" "--resolution 0" "--retention 1x" \
	"--resolution 2s --retention 1s"; do
	# shellcheck disable=SC2086
	"$FLAMETOP" replay $bad "$FIXTURE" >"$T/bad.out" 2>"$T/bad.err" </dev/null
	assert_eq "$?" 2 "replay $bad: exit status"
	assert_one_error_line "$T/bad.err" "replay $bad"
done
# shellcheck disable=SC2086
"$FLAMETOP" --max-memory 0.5M -a </dev/null >"$T/bad.out" 2>"$T/bad.err"
assert_eq "$?" 2 "live --max-memory 0.5M: exit status"
assert_match "$(cat "$T/bad.err")" 'at least 1M' "live --max-memory 0.5M: says the minimum"
finish
