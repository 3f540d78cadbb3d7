#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# list-events --all (doc/flametop.1, list-events): every line is a comment
# or "MARK pmu::NAME" with MARK yes, no or n/a, then the profile types as
# "MARK NAME UNIT what it measures"; it lists everything the
# default list does, and what it adds are the hardware PMU's aliases
# (events of a "(hardware)" section). The marks say what works here:
# every event marked yes in the generic perf PMU can be recorded with -e,
# events marked no are refused by record with one line, n/a ones need a
# unit mask; and for common names the marks agree with perf stat on the
# same machine.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events

"$FLAMETOP" list-events >"$T/default" 2>"$T/default.err"
assert_eq "$?" 0 "list-events: exit status"
"$FLAMETOP" list-events --all >"$T/all" 2>"$T/all.err"
assert_eq "$?" 0 "list-events --all: exit status"
assert_eq "$(cat "$T/all.err")" "" "list-events --all: nothing on stderr"

# The profile types come last, one per line: "MARK NAME UNIT what it measures".
bad=$(sed '/^# profile types/,$d' "$T/all" | grep -Ev '^(# .*|(yes|no|n/a) +[A-Za-z0-9_]+::[^ ]+)$' | head -n 3)
assert_eq "$bad" "" "every line of --all is a comment or 'MARK pmu::NAME'"
bad=$(sed -n '/^# profile types/,$p' "$T/all" | grep -Ev '^(# .*|(yes|no) +[a-z][a-z-]* +(ns|bytes|count) +[^ ].*)$' | head -n 3)
assert_eq "$bad" "" "every profile type line is 'MARK NAME UNIT what'"
n_all=$(grep -c '::' "$T/all")
n_default=$(grep -c '::' "$T/default")
echo "  $n_default events by default, $n_all with --all"
assert_between "$n_all" "$n_default" 1000000 "--all lists at least the default list"
grep '::' "$T/default" | sort >"$T/default.sorted"
grep '::' "$T/all" | sort >"$T/all.sorted"
missing=$(comm -23 "$T/default.sorted" "$T/all.sorted" | head -n 3)
assert_eq "$missing" "" "every line of the default list is in --all, marked alike"
# What --all adds: events of hardware PMUs only (their aliases).
added=$(awk 'NR == FNR { if ($0 ~ /::/) seen[$0] = 1; next }
	/^# [^ ]+: / { hw = ($0 ~ /\(hardware\)$/) }
	/::/ && !($0 in seen) && !hw { print }' "$T/default" "$T/all" | head -n 3)
assert_eq "$added" "" "--all adds nothing but hardware PMU events"
assert_match "$(head -n 1 "$T/all")" "'yes' opens.*'n/a' needs a unit mask" \
	"the header says what the marks mean"

# yes: record takes it. Every generic perf event marked yes.
yes_events=$(awk '$1 == "yes" && $2 ~ /^perf::/ { print $2 }' "$T/all")
[ -n "$yes_events" ] || fail "no generic perf event opens here (cpu-clock always should)"
for ev in $yes_events; do
	if "$FLAMETOP" record -e "$ev" -o "$T/ev.session" --force -- true >/dev/null 2>"$T/ev.err"; then
		pass "yes: record -e $ev works"
	else
		fail "yes: record -e $ev fails: $(cat "$T/ev.err")"
	fi
done

# no: record refuses it, in one line (the first three, whatever they are here).
for ev in $(awk '$1 == "no" { print $2 }' "$T/all" | head -n 3); do
	"$FLAMETOP" record -e "$ev" -o "$T/no.session" -- true >/dev/null 2>"$T/no.err"
	assert_eq "$?" 1 "no: record -e $ev is refused"
	assert_one_error_line "$T/no.err" "no: record -e $ev"
done
# n/a: the event needs a unit mask; record says so.
for ev in $(awk '$1 == "n/a" { print $2 }' "$T/all" | head -n 2); do
	"$FLAMETOP" record -e "$ev" -o "$T/na.session" -- true >/dev/null 2>"$T/na.err"
	assert_eq "$?" 1 "n/a: record -e $ev is refused"
	assert_match "$(cat "$T/na.err")" 'unit mask' "n/a: record says $ev needs a unit mask"
done

# The marks agree with perf for common names.
if [ -n "$PERF" ] && [ -x "$PERF" ] && "$PERF" stat -e task-clock -x, -o /dev/null true >/dev/null 2>&1; then
	for pair in cycles:PERF_COUNT_HW_CPU_CYCLES instructions:PERF_COUNT_HW_INSTRUCTIONS \
		branch-misses:PERF_COUNT_HW_BRANCH_MISSES cache-misses:PERF_COUNT_HW_CACHE_MISSES \
		cpu-clock:PERF_COUNT_SW_CPU_CLOCK page-faults:PERF_COUNT_SW_PAGE_FAULTS \
		context-switches:PERF_COUNT_SW_CONTEXT_SWITCHES cpu-migrations:PERF_COUNT_SW_CPU_MIGRATIONS; do
		name=${pair%%:*}
		"$PERF" stat -x, -e "$name" -- true >/dev/null 2>"$T/perf.out"
		if grep -q ",$name," "$T/perf.out" && ! grep -q '^<not ' "$T/perf.out"; then
			want=yes
		else
			want=no
		fi
		assert_eq "$(awk -v e="perf::${pair#*:}" '$2 == e { print $1 }' "$T/all")" "$want" \
			"perf::${pair#*:} is marked as perf stat finds $name"
	done
else
	echo "  perf is not installed or cannot count here: marks not compared with perf"
fi
finish
