#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Two software events at once (-e task-clock,page-faults): record stores
# both, report --event picks each with its unit, and the explorer's e key
# switches between them. t5-faults faults a known number of fresh pages in
# ft_t5_fault_pages, then spins in ft_t5_spin touching no new memory, and
# prints its own minor faults and CPU time (getrusage):
# - task-clock is in ns, its total is the command's CPU time, and ft_t5_spin
#   has a good part of it;
# - page-faults is a count, ft_t5_spin has none of it, and the faults
#   under main are ft_t5_fault_pages'. Its total is not compared with the
#   number of faults beyond a floor: sampled by frequency, the kernel
#   restarts a software event's period when it adjusts it, so the sum of
#   periods can overshoot the real count many times (perf record shows
#   the same on the same workload). record says so in a notice, with what
#   counts exactly: a group led by task-clock (events-group.sh checks that
#   its count is the command's own), or -e faults.
# -e cpu is the default event among others, and -e given twice adds
# (-e cpu -e faults records both).
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
steal0=$(steal_ms)
run_record two -e task-clock,page-faults -F 199 -o "$T/two.session" -- "$WORKLOADS/t5-faults" "$PAGES"
assert_record_ok two "$T/two.session"
steal=$(($(steal_ms) - steal0))
cat "$T/two.out"
faults=$(sed -n 's/^faults \([0-9]*\) cpu_ns [0-9]*$/\1/p' "$T/two.out")
cpu_ns=$(sed -n 's/^faults [0-9]* cpu_ns \([0-9]*\)$/\1/p' "$T/two.out")
[ -n "$faults" ] && [ -n "$cpu_ns" ] || hard_error "t5-faults did not say what it did: $(cat "$T/two.out")"
assert_between "$faults" "$PAGES" $((PAGES * 2)) "t5-faults' own count of minor faults"
estimate='^flametop: notice: page-faults is sampled at -F: .*their sum may be many times '
estimate="${estimate}the real count; -e '\\{task-clock,page-faults\\}' counts it exactly, "
estimate="${estimate}-e faults samples each fault\$"
assert_match "$(grep '^flametop: notice: ' "$T/two.err")" "$estimate" \
	"record says page-faults' total is an estimate, and what counts it exactly"

# --- the session holds both; report picks each ---------------------------------
"$FLAMETOP" report -i "$T/two.session" >"$T/two.txt" 2>&1
assert_match "$(cat "$T/two.txt")" '2 events recorded' "report's header says the session has two events"

report_json "$T/two.session" "$T/clock.json" --event task-clock --top 0 || finish
report_json "$T/two.session" "$T/faults.json" --event page-faults --top 0 || finish
report_json "$T/two.session" "$T/first.json" --top 0 || finish
echo "task-clock:"
print_top "$T/clock.json"
echo "page-faults:"
print_top "$T/faults.json"

assert_eq "$(jq -r .unit "$T/clock.json")" ns "task-clock's unit"
assert_eq "$(jq -r .unit "$T/faults.json")" count "page-faults' unit (DESIGN.md: ns|bytes|count|samples)"
# Where report prints page-faults' totals it says they are estimates, as
# record's notice does; task-clock's are not.
assert_eq "$(jq -r '.estimated // false' "$T/faults.json")" true "JSON: page-faults' totals are estimates"
assert_eq "$(jq -r '.estimated // false' "$T/clock.json")" false "JSON: task-clock's are not"
"$FLAMETOP" report -i "$T/two.session" --event page-faults >"$T/faults.txt" 2>&1
assert_match "$(grep '^# event:' "$T/faults.txt")" \
	'^# event: page-faults \(unit: count\), frequency 199 Hz: its totals are estimates \(sums of the kernel.s sampling periods\)$' \
	"report's header: page-faults' totals are estimates"
assert_match "$(grep '^# event:' "$T/two.txt")" '^# event: task-clock \(unit: ns\), frequency 199 Hz$' \
	"report's header: task-clock's are not"
assert_eq "$(total_of "$T/first.json")" "$(total_of "$T/clock.json")" \
	"without --event, report shows the first event (task-clock)"

# task-clock: the command's CPU time, measured by itself. task-clock also
# counts what the hypervisor took while the command ran, which getrusage
# does not (steal_ms): a loaded VM host took 11% (1.109) once, so the upper
# bound is against the CPU time plus the machine's steal meanwhile.
ratio=$(awk -v a="$(total_of "$T/clock.json")" -v b="$cpu_ns" 'BEGIN { printf "%.3f", a / b }')
echo "the hypervisor took $steal ms from the machine's CPUs meanwhile"
assert_between "$ratio" 0.8 "$(awk -v b="$cpu_ns" -v s="$steal" 'BEGIN { printf "%.3f", 1.1 * (b + s * 1e6) / b }')" \
	"task-clock's total / the command's CPU time (getrusage)"
assert_between "$(share ft_t5_spin "$T/clock.json")" 1 99 "task-clock: ft_t5_spin's share (%)"
assert_between "$(share ft_t5_fault_pages "$T/clock.json" total)" 5 95 \
	"task-clock: ft_t5_fault_pages' total share (%)"

# page-faults: where the faults are.
spin=$(jq -r '[.functions[] | select(.name == "ft_t5_spin") | .total] | add // 0' "$T/faults.json")
assert_eq "$spin" 0 "page-faults: ft_t5_spin, which touches no new page, has none"
touch_total=$(jq -r '[.functions[] | select(.name == "ft_t5_fault_pages") | .total] | add // 0' "$T/faults.json")
main_total=$(jq -r '[.functions[] | select(.name == "main") | .total] | add // 0' "$T/faults.json")
assert_between "$(awk -v a="$touch_total" -v b="$main_total" 'BEGIN { printf "%.3f", b ? a / b : 0 }')" \
	0.9 1 "page-faults: ft_t5_fault_pages' part of the faults under main"
assert_between "$touch_total" $((PAGES / 4)) 1e15 \
	"page-faults: ft_t5_fault_pages' count, for $PAGES faults (a floor: the sum of periods)"

"$FLAMETOP" report -i "$T/two.session" --event cycles >/dev/null 2>"$T/bad.err"
assert_eq "$?" 1 "report --event for an event the session lacks: exit status"
assert_one_error_line "$T/bad.err" "report --event cycles"

# --- -e cpu names the default event among others; -e again adds ----------------
# cpu is cycles, or where no PMU counts them (this VM) task-clock for a command.
run_record cpu -e cpu -e faults -o "$T/cpu.session" -- "$WORKLOADS/t5-faults" 20000
assert_record_ok cpu "$T/cpu.session"
if grep -Eq 'recorded [0-9]+ samples of (cycles|task-clock),faults ' "$T/cpu.err"; then
	pass "-e cpu -e faults: both events, cpu as the default event"
else
	fail "-e cpu -e faults: $(cat "$T/cpu.err")"
fi
# cpu is cycles: naming both is naming one event twice.
"$FLAMETOP" record -o "$T/never.session" -e cpu,cycles -- true 2>"$T/twice.err"
assert_eq "$?" 1 "-e cpu,cycles: refused"
assert_match "$(cat "$T/twice.err")" "^flametop: event 'cycles' is named twice \\(cpu stands for it\\)\$" \
	"-e cpu,cycles: cpu is cycles, named twice"
"$FLAMETOP" record -o "$T/never.session" -e cpu,cpu -- true 2>"$T/twice2.err"
assert_match "$(cat "$T/twice2.err")" "^flametop: event 'cycles' is named twice \\(cpu stands for it\\)\$" \
	"-e cpu,cpu: the message says cycles is what cpu stands for"
# Without a PMU, cpu is task-clock for a command: naming task-clock too is
# naming it twice (it used to record two events called task-clock, every
# sample twice); with a PMU, cpu is cycles and both are recorded.
if "$FLAMETOP" record -o "$T/cycles.session" -e cycles -- true 2>/dev/null; then
	run_record cputc -e cpu,task-clock -o "$T/cputc.session" -- "$WORKLOADS/t5-faults" 20000
	assert_record_ok cputc "$T/cputc.session"
	assert_match "$(cat "$T/cputc.err")" 'recorded [0-9]+ samples of cycles,task-clock ' \
		"-e cpu,task-clock with a PMU: cycles and task-clock"
else
	"$FLAMETOP" record -o "$T/never.session" -e cpu,task-clock -- true 2>"$T/cputc.err"
	assert_eq "$?" 1 "-e cpu,task-clock without a PMU: refused"
	assert_one_error_line "$T/cputc.err" "-e cpu,task-clock without a PMU"
	assert_match "$(error_line "$T/cputc.err")" \
		"^flametop: cpu is task-clock here \\(cycles needs a hardware PMU\\), which -e names too: give it once\$" \
		"-e cpu,task-clock without a PMU: cpu is task-clock, named twice"
	[ -e "$T/never.session" ] && fail "-e cpu,task-clock without a PMU: left a session"
fi

# --- the explorer: e switches between them --------------------------------------
ENV="HOME='$T' XDG_CONFIG_HOME='$T/config'"
mkdir -p "$T/config"

# switch NAME: in session NAME (in the top-list, which names every function
# however narrow: how much of the work faulting takes depends on the
# machine), starting on task-clock, e shows page-faults (ft_t5_spin gone,
# ft_t5_fault_pages there), e again task-clock.
switch() {
	assert_screen "$1" 'event \[task-clock\],page-faults' "$1: the header shows both events, task-clock first"
	assert_screen "$1" 'ft_t5_spin' "$1: task-clock: ft_t5_spin is drawn"
	tui_keys "$1" e
	assert_screen "$1" 'event task-clock,\[page-faults\]' "$1: e selects page-faults"
	assert_screen "$1" 'event: page-faults' "$1: e says which event it shows"
	assert_not_screen "$1" 'ft_t5_spin' "$1: page-faults: ft_t5_spin is gone"
	assert_screen "$1" 'ft_t5_fault_pages' "$1: page-faults: ft_t5_fault_pages is drawn"
	tui_keys "$1" e
	assert_screen "$1" 'event \[task-clock\],page-faults' "$1: e again selects task-clock"
	assert_screen "$1" 'ft_t5_spin' "$1: task-clock: ft_t5_spin is back"
	tui_keys "$1" q
	tui_exit "$1" || fail "$1: still running after q"
}

# The recorded session, replayed at once.
tui_start replay 160 40 "$ENV '$FLAMETOP' replay --view top '$T/two.session'"
switch replay

# Live, on a t5-faults that runs rounds until it is stopped.
tui_start live 160 40 "$ENV TMPDIR='$T' XDG_RUNTIME_DIR= '$FLAMETOP' --view top -e task-clock,page-faults -F 199 -- '$WORKLOADS/t5-faults' 20000 0"
switch live
finish
