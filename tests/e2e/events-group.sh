#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A perf event group (-e '{LEADER,MEMBER,...}', issue 12 item 7): the
# leader samples and reads its members at each sample; each member's
# count since the previous read becomes a sample of the member with the
# leader's stack. Hardware groups (cycles, instructions) need a PMU this
# machine may lack, so the mechanics are checked with a software group:
# task-clock leading page-faults and context-switches. t5-faults faults a
# known number of fresh pages in ft_t5_fault_pages, then spins in
# ft_t5_spin touching no new page, and prints its own minor faults:
# - the members are events of their own (report --event page-faults, unit
#   count), and page-faults' total is the command's own count: a group
#   read is a count, not a sum of sampling periods (events-two.sh, where
#   page-faults samples on its own, can only give it a floor);
# - the ratio column page-faults/ms (faults per millisecond of task-clock)
#   is far higher in ft_t5_fault_pages than in ft_t5_spin, in report's
#   text and JSON, from the recorded session;
# - the same holds system-wide (a counter per CPU, not per thread);
# - a hardware group without a PMU is refused in one line naming the
#   event that did not open; with a PMU it records, with an IPC column;
# - a group of one event, a profile type in a group, and unbalanced braces
#   are refused in one line.
# - the explorer's top-list has the ratio column, and C colours the flame
#   graph by it (and says so); an event in no group says it has none.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

need_root
need_perf_events
need_jq
need_tmux
need_workload t5-faults

PAGES=300000
GROUP='{task-clock,page-faults,context-switches}'

# fault_rate FUNCTION JSON: FUNCTION's page-faults/ms over its total weights (0 when none).
fault_rate() {
	jq -r --arg f "$1" '[.functions[] | select(.name == $f) | .ratios["page-faults/ms"].total
		| select(. != null)] | add // 0' "$2"
}

# --- a command: inherited counters, one per thread ------------------------------
run_record grp -e "$GROUP" -F 199 -o "$T/grp.session" -- "$WORKLOADS/t5-faults" "$PAGES"
assert_record_ok grp "$T/grp.session"
faults=$(sed -n 's/^faults \([0-9]*\) cpu_ns [0-9]*$/\1/p' "$T/grp.out")
[ -n "$faults" ] || hard_error "t5-faults did not say what it did: $(cat "$T/grp.out")"
assert_between "$faults" "$PAGES" $((PAGES * 2)) "t5-faults' own count of minor faults"

"$FLAMETOP" report -i "$T/grp.session" --top 10 >"$T/grp.txt" 2>&1
cat "$T/grp.txt"
assert_match "$(cat "$T/grp.txt")" '3 events recorded' "report: the group's three events are in the session"
assert_match "$(cat "$T/grp.txt")" 'page-faults/ms = page-faults per ms of task-clock' \
	"report: the header says what the ratio column is"
assert_match "$(sed -n '/Self *Total/p' "$T/grp.txt")" 'page-faults/ms' "report: the ratio column's title"

# A member over a leader that is no clock: the ratio's name says it all, and
# the header does not say it twice ("a/b = a/b").
run_record plain -e '{page-faults,context-switches}' -o "$T/plain.session" -- \
	"$WORKLOADS/t5-faults" 2000
assert_eq "$RC" 0 "{page-faults,context-switches}: record exit status"
"$FLAMETOP" report -i "$T/plain.session" >"$T/plain.txt" 2>&1
assert_eq "$(sed -n 's/^# ratios of each function.s total weights (itself and its callees): //p' \
	"$T/plain.txt")" 'context-switches/page-faults' \
	"report: a plain ratio named once in the header"

report_json "$T/grp.session" "$T/faults.json" --event page-faults --top 0 || finish
report_json "$T/grp.session" "$T/clock.json" --top 0 || finish
assert_eq "$(jq -r .unit "$T/faults.json")" count "page-faults' unit"
assert_eq "$(jq -r '.estimated // false' "$T/faults.json")" false \
	"JSON: a member's counts are read, not estimated"
ratio=$(awk -v a="$(total_of "$T/faults.json")" -v b="$faults" 'BEGIN { printf "%.3f", a / b }')
assert_between "$ratio" 0.9 1.05 "page-faults' total / the command's own count (a group read counts)"
assert_eq "$(jq -r '.ratios[0].name' "$T/clock.json")" page-faults/ms "JSON: the group's first ratio"
assert_eq "$(jq -r '.ratios[0].den' "$T/clock.json")" task-clock "JSON: over the leader"
touch_rate=$(fault_rate ft_t5_fault_pages "$T/clock.json")
spin_rate=$(fault_rate ft_t5_spin "$T/clock.json")
echo "page-faults/ms: ft_t5_fault_pages $touch_rate, ft_t5_spin $spin_rate"
assert_between "$touch_rate" 1 1e12 "ft_t5_fault_pages faults (per ms of its CPU time)"
assert_eq "$(awk -v a="$touch_rate" -v b="$spin_rate" 'BEGIN { print (a > 20 * b) ? "yes" : "no" }')" yes \
	"faults per ms: ft_t5_fault_pages' is over 20 times ft_t5_spin's"
# The same ratio as the JSON's numbers say, from the members' own weights.
tf=$(jq -r '[.functions[] | select(.name == "ft_t5_fault_pages") | .total] | add' "$T/faults.json")
tc=$(jq -r '[.functions[] | select(.name == "ft_t5_fault_pages") | .total] | add' "$T/clock.json")
assert_eq "$(awk -v f="$tf" -v c="$tc" -v r="$touch_rate" 'BEGIN { d = f * 1e6 / c - r; print (d < 0.01 && d > -0.01) ? "yes" : "no" }')" yes \
	"the ratio is page-faults' weight per ms of task-clock's, for the same function"

# The summary counts the leader's samples and names the members counted at
# each: the session's task-clock samples, nothing of page-faults.
n=$(sed -n 's/^flametop: recorded \([0-9]*\) samples of task-clock (counting page-faults,context-switches at each) in .*/\1/p' "$T/grp.err")
assert_between "${n:-0}" 1 1000000 "summary: N samples of the leader, counting its members at each"

# --call-graph dwarf: a member's sample is its leader's stack, unwound once.
run_record dw --call-graph dwarf -v -e "$GROUP" -F 199 -o "$T/dw.session" -- "$WORKLOADS/t5-faults" "$PAGES"
assert_eq "$RC" 0 "dwarf: record exit status"
n=$(sed -n 's/^flametop: recorded \([0-9]*\) samples of task-clock (counting .*/\1/p' "$T/dw.err")
stacks=$(sed -n 's/^flametop: unwound [0-9]* of \([0-9]*\) user stacks.*/\1/p' "$T/dw.err")
assert_between "${n:-0}" 1 1000000 "dwarf: samples of the leader"
assert_eq "$stacks" "$n" "dwarf: one unwind per leader sample, none again for its members"
report_json "$T/dw.session" "$T/dw-faults.json" --event page-faults --top 0 || finish
ratio=$(awk -v a="$(total_of "$T/dw-faults.json")" -v b="$(sed -n 's/^faults \([0-9]*\) cpu_ns [0-9]*$/\1/p' "$T/dw.out")" \
	'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')
assert_between "$ratio" 0.9 1.05 "dwarf: page-faults' total / the command's own count"
report_json "$T/dw.session" "$T/dw-clock.json" --top 0 || finish
assert_eq "$(fault_rate ft_t5_fault_pages "$T/dw-clock.json" | awk '{ print ($1 > 0) }')" 1 \
	"dwarf: members land on the leader's functions (ft_t5_fault_pages faults)"

# --- the explorer: the ratio column, colours by the ratio ------------------------
ENV="HOME='$T' XDG_CONFIG_HOME='$T/config'"
mkdir -p "$T/config"
tui_start grp 160 40 "$ENV '$FLAMETOP' replay --view top '$T/grp.session'"
assert_screen grp 'SELF +TOTAL +page-faults/ms +context-switches/ms +FUNCTION' \
	"the top-list's ratio columns"
assert_screen grp 'ft_t5_fault_pages' "the top-list shows ft_t5_fault_pages"
tui_keys grp f C
assert_screen grp 'colours by page-faults/ms: red above the window' "C colours by the first ratio"
tui_keys grp C
assert_screen grp 'colours by context-switches/ms' "C again: the next ratio"
tui_keys grp C
assert_screen grp 'colours: hot' "C again: the palette"
tui_keys grp q
tui_exit grp || fail "grp: still running after q"

"$FLAMETOP" record -e task-clock -o "$T/one.session" -- "$WORKLOADS/t5-faults" 20000 >/dev/null 2>&1 ||
	hard_error "cannot record task-clock alone"
tui_start one 160 40 "$ENV '$FLAMETOP' replay '$T/one.session'"
assert_screen one 'ft_t5_(spin|fault_pages)' "one event: drawn"
tui_keys one C
assert_screen one 'task-clock is in no event group' "C without a group says so"
tui_keys one q
tui_exit one || fail "one: still running after q"

# --- system-wide: one counter per CPU -------------------------------------------
# A CPU's counter counts whatever ran on that CPU since its last read, so
# other processes' faults land on the next sample there, ft_t5_spin's as
# well: on a busy machine the spinner shows some. The faulting function
# still shows clearly more (over 20 times on a quiet machine; 2 here).
start_bg "$WORKLOADS/t5-faults" 20000 0
WPID=$BG_PID
wait_comm "$WPID" t5-faults
run_record sys -a -e '{cpu-clock,page-faults}' -F 199 -d 2 -o "$T/sys.session"
kill "$WPID" 2>/dev/null
assert_record_ok_system sys "$T/sys.session"
report_json "$T/sys.session" "$T/sys.json" --comm t5-faults --top 0 || finish
touch_rate=$(fault_rate ft_t5_fault_pages "$T/sys.json")
spin_rate=$(fault_rate ft_t5_spin "$T/sys.json")
echo "system-wide page-faults/ms: ft_t5_fault_pages $touch_rate, ft_t5_spin $spin_rate"
assert_eq "$(awk -v a="$touch_rate" -v b="$spin_rate" 'BEGIN { print (a > 0 && a > 2 * b) ? "yes" : "no" }')" yes \
	"system-wide: faults per ms in ft_t5_fault_pages over twice ft_t5_spin's"

# --- hardware groups --------------------------------------------------------------
pmu=no
if [ -n "$PERF" ] && [ -x "$PERF" ] && "$PERF" stat -e cycles -x, -o "$T/perf.csv" true >/dev/null 2>&1 &&
	! grep -q 'not supported' "$T/perf.csv"; then
	pmu=yes
fi
echo "hardware PMU (perf counts cycles): $pmu"
run_record hw -e '{cycles,instructions,cache-misses}' -o "$T/hw.session" -- "$WORKLOADS/t5-faults" 20000
if [ "$pmu" = yes ]; then
	assert_record_ok hw "$T/hw.session"
	report_json "$T/hw.session" "$T/hw.json" --top 0 || finish
	assert_eq "$(jq -r '[.ratios[].name] | join(",")' "$T/hw.json")" "IPC,cache-misses/1k-ins" \
		"a hardware group's ratios"
else
	assert_eq "$RC" 1 "{cycles,instructions,cache-misses} without a PMU: exit status"
	assert_one_error_line "$T/hw.err" "{cycles,instructions,cache-misses} without a PMU"
	assert_match "$(error_line "$T/hw.err")" '^flametop: event cycles is not supported on this machine \(no hardware PMU' \
		"the refusal names cycles and says why"
	[ -e "$T/hw.session" ] && fail "a refused record left a session file"
	run_record hw2 -e '{task-clock,instructions}' -o "$T/hw2.session" -- "$WORKLOADS/t5-faults" 20000
	assert_eq "$RC" 1 "{task-clock,instructions} without a PMU: exit status"
	assert_one_error_line "$T/hw2.err" "{task-clock,instructions} without a PMU"
	assert_match "$(error_line "$T/hw2.err")" '^flametop: event instructions is not supported on this machine' \
		"a software leader: the refusal names the hardware member"
fi

# --- what is not a group ------------------------------------------------------------
for bad in '{cpu-clock}:2:a group needs at least two events' \
	'{cpu-clock,page-faults:2:without its' \
	'{wall,page-faults}:1:wall is a profile type'; do
	ev=${bad%%:*}
	rest=${bad#*:}
	want_rc=${rest%%:*}
	want=${rest#*:}
	"$FLAMETOP" record -e "$ev" -o "$T/bad.session" -- "$WORKLOADS/t5-faults" 1 >/dev/null 2>"$T/bad.err"
	assert_eq "$?" "$want_rc" "-e '$ev': exit status"
	assert_one_error_line "$T/bad.err" "-e '$ev'"
	assert_match "$(error_line "$T/bad.err")" "$want" "-e '$ev': says why"
done
finish
