#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# One kernel event named two ways. flametop opens a kernel event once for
# two names that sample it the same way (cs and context-switches), each
# name getting every sample; but cpu-clock:u (user only, libpfm4's
# modifier) is not cpu-clock: it has no kernel time, as perf's own
# cpu-clock:u has none. And page-faults at -F beside faults (each fault)
# is one count sampled two ways, which the kernel mixes up: refused.
# t5-faults spends much of its time in the kernel, faulting pages in
# ft_t5_fault_pages.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload t5-faults

PAGES=300000

# kernel_total JSONFILE: the self of the functions in the kernel.
kernel_total() {
	jq -r '[.functions[] | select(.module == "[kernel.kallsyms]") | .self] | add // 0' "$1"
}

# --- page-faults and faults: one count, sampled two ways ---------------------------
# page-faults at -F and faults (each fault) are the kernel's one count of
# page faults. Sampled both ways at once, the kernel mixed up their
# periods (page-faults had no sample, faults 100 times the faults there
# were): refused, in either order.
twice_re='^flametop: page-faults \(at -F\) and faults \(each one\) sample one kernel event, '
twice_re="${twice_re}and the kernel mixes up their periods: give one of them\$"
for pair in page-faults,faults faults,page-faults; do
	"$FLAMETOP" record -o "$T/never.session" -e "$pair" -- true 2>"$T/pair.err"
	assert_eq "$?" 1 "-e $pair: exit status"
	assert_one_error_line "$T/pair.err" "-e $pair"
	assert_match "$(error_line "$T/pair.err")" "$twice_re" "-e $pair: refused, saying why and what to do"
	[ -e "$T/never.session" ] && fail "-e $pair: left a session" && rm -f "$T/never.session"
done

# --- cpu-clock and cpu-clock:u: two events, not one -------------------------------
if "$FLAMETOP" record -o "$T/u.session" -e cpu-clock:u -- true 2>"$T/u.err"; then
	run_record levels -F 999 -e cpu-clock,cpu-clock:u -o "$T/levels.session" -- \
		"$WORKLOADS/t5-faults" "$PAGES"
	assert_record_ok levels "$T/levels.session"
	report_json "$T/levels.session" "$T/all.json" --event cpu-clock --top 0 || finish
	report_json "$T/levels.session" "$T/user.json" --event cpu-clock:u --top 0 || finish
	print_top "$T/all.json"
	print_top "$T/user.json"
	[ "$(kernel_total "$T/all.json")" -gt 0 ] ||
		hard_error "cpu-clock saw no kernel time in t5-faults $PAGES: nothing to compare"
	assert_eq "$(kernel_total "$T/user.json")" 0 "cpu-clock:u beside cpu-clock: no kernel time"
	assert_between "$(share ft_t5_spin "$T/user.json")" 1 100 "cpu-clock:u: ft_t5_spin is there"
else
	echo "cpu-clock:u does not open here ($(head -c 200 "$T/u.err")): not checked"
fi
finish
