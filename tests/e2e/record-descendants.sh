#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A launched command's descendants are sampled, as perf record -- sh -c
# samples them: record -- perf record -- sh -c "sh -c 'exec forkexec
# MS'" runs forkexec as the command's grandchild (a fork, then an exec) and
# its "child" as a great-grandchild (fork+exec again). The two do the same
# work (ft_parent_spin, ft_child_spin), so each has half of the samples of
# the two, in flametop's recording and in perf's, which samples the same
# processes in the same run; the two profilers' splits agree, and
# flametop's share of the samples perf took is about one (both at the
# same frequency on the same processes' CPU time).
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_perf
need_jq
need_workload forkexec child

PERF_FLAGS=$(perf_record_flags)
cmd="sh -c 'exec \"\$0\" 1500' '$WORKLOADS/forkexec'"
for attempt in 1 2 3; do
	# shellcheck disable=SC2086 # PERF_FLAGS is a list of options
	run_record desc -F 499 -e task-clock -o "$T/desc.session" --force -- \
		"$PERF" record -q $PERF_FLAGS -F 499 -e task-clock -o "$T/perf.data" -- sh -c "$cmd"
	[ "$RC" -eq 0 ] && break
	echo "  attempt $attempt failed (perf 6.1 may abort beside another session)"
done
assert_record_ok desc "$T/desc.session"

report_json "$T/desc.session" "$T/desc.json" --top 0 || finish
print_top "$T/desc.json"
ft_split=$(ratio ft_parent_spin ft_child_spin "$T/desc.json")
"$PERF" script -i "$T/perf.data" -F ip,sym >"$T/perf.txt" 2>"$T/perf.err" ||
	hard_error "perf script failed: $(head -c 300 "$T/perf.err")"
perf_parent=$(grep -c " ft_parent_spin$" "$T/perf.txt")
perf_child=$(grep -c " ft_child_spin$" "$T/perf.txt")
echo "perf: ft_parent_spin $perf_parent samples, ft_child_spin $perf_child"
[ "$((perf_parent + perf_child))" -gt 100 ] ||
	hard_error "perf sampled too little of the workload to compare ($perf_parent, $perf_child)"
perf_split=$(awk -v a="$perf_parent" -v b="$perf_child" 'BEGIN { printf "%.3f", a / (a + b) }')

assert_between "$ft_split" 0.35 0.65 \
	"ft_parent_spin (grandchild) / both (the great-grandchild's ft_child_spin): half the work"
assert_between "$perf_split" 0.35 0.65 "perf's split of the same run"
assert_between "$(awk -v a="$ft_split" -v b="$perf_split" 'BEGIN { printf "%.3f", a - b }')" \
	-0.08 0.08 "flametop's split less perf's"
ft_samples=$(report_samples "$T/desc.session" --comm child)
assert_between "$(awk -v a="$ft_samples" -v b="$perf_child" 'BEGIN { printf "%.3f", a / b }')" \
	0.7 1.4 "the great-grandchild's samples: flametop's / perf's ($ft_samples, $perf_child)"
finish
