#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Profile type faults (issue 12): every page fault, by stack, as a count.
# t5-faults writes once to each of PAGES fresh pages in ft_t5_fault_pages
# and prints the minor faults the process had (getrusage): faults counts
# each one (period 1, not a frequency), so ft_t5_fault_pages has PAGES of
# them and the total is the process's own count. perf, recording
# page-faults with -c 1 on the same workload, finds the same number in
# ft_t5_fault_pages. Then -p on a running process.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

need_root
need_perf_events
need_jq
need_workload t5-faults

PAGES=10000
run_record faults -e faults -o "$T/faults.session" -- "$WORKLOADS/t5-faults" "$PAGES"
assert_record_ok faults "$T/faults.session"
cat "$T/faults.out"
own=$(sed -n 's/^faults \([0-9]*\) cpu_ns [0-9]*$/\1/p' "$T/faults.out")
[ -n "$own" ] || hard_error "t5-faults did not say what it did: $(cat "$T/faults.out")"
report_json "$T/faults.session" "$T/faults.json" --top 0 || finish
print_top "$T/faults.json"
assert_eq "$(jq -r .unit "$T/faults.json")" count "faults' unit"
touch_total=$(jq -r '[.functions[] | select(.name == "ft_t5_fault_pages") | .total] | add // 0' "$T/faults.json")
assert_between "$touch_total" "$PAGES" $((PAGES + PAGES / 50)) \
	"faults: ft_t5_fault_pages' faults, for $PAGES pages written"
assert_between "$(awk -v a="$(total_of "$T/faults.json")" -v b="$own" 'BEGIN { printf "%.3f", a / b }')" 0.97 1.03 \
	"faults: the total / the process's own count of minor faults ($own)"
"$FLAMETOP" report -i "$T/faults.session" >"$T/faults.txt" 2>&1
assert_match "$(cat "$T/faults.txt")" '^# event: faults \(unit: count\), each event sampled$' \
	"report's header: faults, a count, each fault a sample (no frequency)"

# The explorer's header, on a replay of it: each fault is a sample, no
# frequency (the report's header says the same).
if command -v tmux >/dev/null 2>&1; then
	mkdir -p "$T/config"
	env="HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8"
	tui_start replay 120 30 "$env '$FLAMETOP' replay '$T/faults.session'"
	assert_screen replay 'event faults each event ' \
		"replay: the header says each fault is a sample"
	assert_not_screen replay 'event faults [0-9]+ Hz' "replay: the header gives no frequency"
	tui_keys replay q
else
	echo "tmux is not installed: the explorer's header is not checked"
fi

# A ring of one page cannot hold 300,000 faults' samples: record warns of
# the lost ones, and its advice is the ring's size alone, as -F does not
# thin an event whose every occurrence is a sample.
run_record small -e faults -m 1 -o "$T/small.session" -- "$WORKLOADS/t5-faults" 300000
assert_eq "$RC" 0 "faults -m 1: record exit status"
lost_re='^flametop: warning: [0-9]+ records were lost \(samples, mmaps, comms, forks: flametop fell behind\): raise -m '
lost_re="$lost_re"'\(each event is a sample: -F does not thin them\)$'
assert_match "$(grep 'records were lost' "$T/small.err")" "$lost_re" \
	"faults -m 1: the warning of lost samples advises -m, not -F"

# -F has no part in faults: one above kernel.perf_event_max_sample_rate is
# no reason to refuse -e faults alone, but still is with a clock beside it.
max_rate=$(cat /proc/sys/kernel/perf_event_max_sample_rate)
if [ "$max_rate" -lt 1000000 ]; then
	fast=$((max_rate + 1))
	run_record fast -F "$fast" -e faults -o "$T/fast.session" -- "$WORKLOADS/t5-faults" 100
	assert_record_ok fast "$T/fast.session"
	run_record fastclock -F "$fast" -e faults,task-clock -o "$T/fastclock.session" -- \
		"$WORKLOADS/t5-faults" 100
	assert_eq "$RC" 1 "-F above the kernel's maximum with task-clock: exit status"
	assert_match "$(error_line "$T/fastclock.err")" 'above kernel.perf_event_max_sample_rate' \
		"-F above the kernel's maximum with task-clock: refused, saying why"
else
	echo "kernel.perf_event_max_sample_rate is $max_rate, above what -F takes: not tried"
fi

# perf on the same workload: the same number in ft_t5_fault_pages.
# perf 6.1 on newer kernels can abort in its build-id code after
# recording ("assertion failed at util/build-id.c", a stack smash), most
# often on a busy machine; with build ids from the kernel's mmap records
# (--buildid-mmap) it does not go there. Plain once more for a perf
# without that option.
if [ -n "$PERF" ] && [ -x "$PERF" ]; then
	for opt in --buildid-mmap ""; do
		"$PERF" record -q -N $opt -e page-faults -c 1 -g -o "$T/perf.data" -- "$WORKLOADS/t5-faults" "$PAGES" \
			>/dev/null 2>"$T/perf.err" && break
		echo "perf record ${opt:-(plain)} failed: $(head -c 200 "$T/perf.err")"
		[ -z "$opt" ] && hard_error "perf record failed: $(cat "$T/perf.err")"
	done
	perf_touch=$("$PERF" script -i "$T/perf.data" -F ip,sym 2>/dev/null |
		awk '/^$/ { if (hit) n++; hit = 0; next } /ft_t5_fault_pages/ { hit = 1 } END { if (hit) n++; print n + 0 }')
	echo "perf: $perf_touch page faults under ft_t5_fault_pages"
	assert_between "$(awk -v a="$touch_total" -v b="$perf_touch" 'BEGIN { printf "%.3f", b ? a / b : 0 }')" 0.98 1.02 \
		"faults: ft_t5_fault_pages' count / perf's ($perf_touch)"
else
	echo "perf is not installed: no comparison with perf"
fi

# -p: a process faulting rounds on end, for a second.
start_bg "$WORKLOADS/t5-faults" 2000 0
wait_comm "$BG_PID" t5-faults
run_record pid -e faults -p "$BG_PID" -d 1 -o "$T/pid.session"
assert_record_ok pid "$T/pid.session"
report_json "$T/pid.session" "$T/pid.json" --top 0 || finish
assert_between "$(share ft_t5_fault_pages "$T/pid.json" total)" 95 100 "faults -p: ft_t5_fault_pages' share (%)"
assert_eq "$(jq -r '[.functions[] | select(.name == "ft_t5_spin") | .total] | add // 0' "$T/pid.json")" 0 \
	"faults -p: ft_t5_spin, which touches no new page, has none"
kill "$BG_PID"
finish
