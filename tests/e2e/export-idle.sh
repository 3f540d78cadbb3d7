#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# speedscope keeps the time a thread did not run. bursts spins 200 ms of
# each second (ft_burst, then ft_steady) and sleeps the other 800: its
# thread's profile has samples of no stack ([]) for the sleeps, weighing
# more than the samples do (4:1 by the workload's split), the samples
# themselves as report has them (weight and number), endValue -
# startValue the sum of all weights, and the file follows speedscope's
# schema. Imported back, the samples and their total are report's, and
# the session lasts as long as the sleeps too, not only the samples'
# back-to-back weights.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq

record_bursts 3 -e task-clock -F 199
report_json "$S" "$T/all.json" --comm bursts || finish
total=$(total_of "$T/all.json")
samples=$(report_samples "$S" --comm bursts)

"$FLAMETOP" export -i "$S" --comm bursts -o "$T/bursts.speedscope.json" 2>"$T/ss.err"
assert_eq "$?" 0 "speedscope: exit status"
P='.profiles[0]'
assert_eq "$(jq '.profiles | length' "$T/bursts.speedscope.json")" 1 "speedscope: the thread's profile"
pairs="$P | [.samples, .weights] | transpose[]"
busy=$(jq "[$pairs | select(.[0] | length > 0) | .[1]] | add" "$T/bursts.speedscope.json")
idle=$(jq "[$pairs | select(.[0] | length == 0) | .[1]] | add // 0" "$T/bursts.speedscope.json")
assert_eq "$busy" "$total" "speedscope: the samples weigh report's total"
assert_eq "$(jq "[$pairs | select(.[0] | length > 0)] | length" "$T/bursts.speedscope.json")" "$samples" \
	"speedscope: as many samples as report's"
if [ "$idle" -gt "$busy" ]; then
	pass "speedscope: the sleeps ($idle ns) are samples of no stack, weighing more than the work ($busy ns)"
else
	fail "speedscope: the sleeps weigh $idle ns, the work $busy ns: no gap where the thread slept"
fi
assert_eq "$(jq "$P.endValue - $P.startValue" "$T/bursts.speedscope.json")" "$((busy + idle))" \
	"speedscope: endValue - startValue is every weight, the sleeps' too"

assert_speedscope_schema "$T/bursts.speedscope.json"

"$FLAMETOP" import "$T/bursts.speedscope.json" -o "$T/back.session" 2>"$T/back.err"
assert_eq "$?" 0 "speedscope: imported back"
report_json "$T/back.session" "$T/back.json" || finish
assert_eq "$(total_of "$T/back.json")" "$total" "round trip: the total is report's (the sleeps are no samples)"
assert_eq "$(report_samples "$T/back.session")" "$samples" "round trip: the samples are report's"
# duration in ns, from report's header ("duration: 2.89 s")
dur=$("$FLAMETOP" report -i "$T/back.session" 2>/dev/null |
	sed -n 's/^# samples: [0-9]*, duration: \([0-9.]*\) s,.*/\1/p' | awk '{ printf "%.0f\n", $1 * 1e9 }')
if [ -n "$dur" ] && [ "$dur" -gt $((2 * busy)) ]; then
	pass "round trip: the session lasts $dur ns, the sleeps too, not only the work's $busy ns"
else
	fail "round trip: the session lasts '$dur' ns for $busy ns of work: the sleeps are lost"
fi

finish
