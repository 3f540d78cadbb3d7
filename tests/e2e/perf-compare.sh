#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# flametop agrees with perf. perf and flametop record the same split
# process at the same time (-p, 999 Hz), which is stopped (SIGSTOP) while
# they start and stop and runs for 2 s of CPU between, so both see exactly
# the same execution; the self shares of ft_split_heavy and ft_split_light
# must agree within 4 points, and the CPU time each measured (sum of sample
# periods, in ns) within 10%. Then both launch split themselves (-- ...),
# one after the other, and heavy / (heavy + light), the split of the work,
# must agree within what their numbers of samples allow (the shares of
# everything sampled differ between two runs on a busy machine; this does
# not).
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_perf
need_workload split

# perf_self FUNCTION PERF_DATA: FUNCTION's self percentage per perf report.
perf_self() {
	"$PERF" report -i "$2" --stdio --no-children --sort sym -g none --percent-limit 0 2>/dev/null |
		awk -v f="$1" '$NF == f { sub("%", "", $1); s += $1 } END { printf "%.1f\n", s }'
}

# perf_samples FUNCTION... PERF_DATA: the FUNCTIONs' samples per perf report.
perf_samples() {
	ft_ps_data=$(eval echo "\${$#}")
	"$PERF" report -i "$ft_ps_data" --stdio --no-children --sort sym -g none -n --percent-limit 0 2>/dev/null |
		awk -v fs=" $* " '$NF != "" && index(fs, " " $NF " ") && $2 ~ /^[0-9]+$/ { s += $2 } END { print s + 0 }'
}

# perf_event_count PERF_DATA: the summed sample periods.
perf_event_count() {
	"$PERF" report -i "$1" --stdio --no-children --sort sym -g none 2>/dev/null |
		awk -F': ' '/^# Event count/ { print $2; exit }'
}

PF=$(perf_record_flags)

# close_to A B POINTS MESSAGE
close_to() {
	assert_between "$(awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; print (d < 0 ? -d : d) }')" 0 "$3" "$4 (flametop $1, perf $2)"
}

# --- the same process at the same time --------------------------------------
start_bg "$WORKLOADS/split" 0
wpid=$BG_PID
wait_comm "$wpid" split
same_run "$wpid" "$T/ft.session" "$T/perf.data" 2 -g
kill -KILL "$wpid"
wait "$wpid" 2>/dev/null
assert_record_ok ft "$T/ft.session"
if report_json "$T/ft.session" "$T/ft.json"; then
	print_top "$T/ft.json"
	"$PERF" report -i "$T/perf.data" --stdio --no-children --sort sym -g none 2>/dev/null | grep -v '^$' | head -n 14
	ph=$(perf_self ft_split_heavy "$T/perf.data")
	pl=$(perf_self ft_split_light "$T/perf.data")
	assert_ratio "perf itself: ft_split_heavy / (ft_split_heavy + ft_split_light), self ($ph% and $pl%)" \
		"$(awk -v h="$ph" -v l="$pl" 'BEGIN { print (h + l > 0 ? h / (h + l) : 0) }')" 0.75 \
		"$(perf_samples ft_split_heavy ft_split_light "$T/perf.data")"
	close_to "$(share ft_split_heavy "$T/ft.json")" "$ph" 4 "same run: ft_split_heavy self % vs perf"
	close_to "$(share ft_split_light "$T/ft.json")" "$pl" 4 "same run: ft_split_light self % vs perf"
	if [ "$(jq -r .unit "$T/ft.json")" = ns ]; then
		pc=$(perf_event_count "$T/perf.data")
		assert_between "$(awk -v f="$(total_of "$T/ft.json")" -v p="$pc" 'BEGIN { print (p > 0 ? f / p : 0) }')" 0.9 1.1 \
			"same run: flametop total ns / perf event count ($(total_of "$T/ft.json") / $pc)"
	fi
fi

# --- each launching split -------------------------------------------------
run_record ftcmd -F 999 -o "$T/ftcmd.session" -- "$WORKLOADS/split" 2000
assert_record_ok ftcmd "$T/ftcmd.session"
echo "+ perf record -g -e cpu-clock -F 999 -- split 2000"
# shellcheck disable=SC2086 # PF is options or nothing
perf_try "$T/perfcmd.out" "$PERF" record -q $PF -g -e cpu-clock -F 999 -o "$T/perfcmd.data" -- "$WORKLOADS/split" 2000 ||
	fail "perf record -- split failed: $(cat "$T/perfcmd.out")"
if report_json "$T/ftcmd.session" "$T/ftcmd.json"; then
	ph=$(perf_self ft_split_heavy "$T/perfcmd.data")
	pl=$(perf_self ft_split_light "$T/perfcmd.data")
	# Two runs: each ratio as noisy as its number of samples makes it.
	n1=$(pair_samples ft_split_heavy ft_split_light "$T/ftcmd.json" "$(report_samples "$T/ftcmd.session")")
	n2=$(perf_samples ft_split_heavy ft_split_light "$T/perfcmd.data")
	tol=$(awk -v a="$n1" -v b="$n2" 'BEGIN {
		t = a > 0 && b > 0 ? 4 * sqrt(0.75 * 0.25 * (1 / a + 1 / b)) : 1; printf "%.3f", t < 0.04 ? 0.04 : t }')
	close_to "$(ratio ft_split_heavy ft_split_light "$T/ftcmd.json")" \
		"$(awk -v h="$ph" -v l="$pl" 'BEGIN { printf "%.3f\n", (h + l > 0 ? h / (h + l) : 0) }')" "$tol" \
		"launched: ft_split_heavy / (ft_split_heavy + ft_split_light), self, vs perf ($n1 and $n2 samples)"
fi

finish
