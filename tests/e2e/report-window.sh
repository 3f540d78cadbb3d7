#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Time windows and filters of `report` on a real recording. The phases
# workload runs ft_phase_one for the first half of its 4 s and ft_phase_two
# for the second: `--from 0 --to 45%` and `--from 55%` must each give their
# phase at least 90% of the window (and the other phase at most 10%), and so
# must windows in seconds; the two windows hold part of the samples each,
# and together fewer than all. How much CPU each half of the run gets
# depends on what else the machine does then: the whole run's split is
# checked against the split of work the workload reports (its slices of
# each phase). Then --comm, --include and --exclude on the same
# file: a name that matches keeps everything and one that does not keeps
# nothing (and a thread renamed part way is known by its last name), an
# include pattern keeps exactly the stacks through its function,
# an exclude pattern drops them, and a filter combines with a window. A
# window that starts after the session's end says so.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload phases

S="$T/phases.session"
run_record phases -F 999 -o "$S" -- "$WORKLOADS/phases" 4000
assert_record_ok phases "$S"
[ -s "$S" ] || {
	finish
}

# window NAME ARGS...: the JSON report of the window into $T/NAME.json.
window() {
	n=$1
	shift
	echo "+ flametop report $*"
	report_json "$S" "$T/$n.json" "$@" || return 1
	print_top "$T/$n.json" 4
}

report_json "$S" "$T/all.json" || finish
print_top "$T/all.json" 4
all_total=$(total_of "$T/all.json")
start_total=0
slices=$(sed -n 's/^phases: slices \([0-9]*\) \([0-9]*\)$/\1 \2/p' "$T/phases.out")
if [ -n "$slices" ]; then
	work=$(echo "$slices" | awk '{ printf "%.3f", $1 / ($1 + $2) }')
	assert_ratio "whole run: ft_phase_one / (ft_phase_one + ft_phase_two), self, against the work's $work" \
		"$(ratio ft_phase_one ft_phase_two "$T/all.json")" "$work" \
		"$(pair_samples ft_phase_one ft_phase_two "$T/all.json" "$(report_samples "$S")")"
else
	fail "phases did not say how many slices each phase ran: $(cat "$T/phases.out")"
fi

# --- windows as shares of the duration --------------------------------------
if window start --from 0 --to 45%; then
	assert_between "$(share ft_phase_one "$T/start.json")" 90 100 "--from 0 --to 45%: ft_phase_one self %"
	assert_between "$(share ft_phase_two "$T/start.json")" 0 10 "--from 0 --to 45%: ft_phase_two self %"
	start_total=$(total_of "$T/start.json")
fi
if window end --from 55%; then
	assert_between "$(share ft_phase_two "$T/end.json")" 90 100 "--from 55%: ft_phase_two self %"
	assert_between "$(share ft_phase_one "$T/end.json")" 0 10 "--from 55%: ft_phase_one self %"
	# The windows really narrowed the samples: each holds some, and the two
	# leave out the middle tenth of the run.
	end_total=$(total_of "$T/end.json")
	if [ "$start_total" -gt 0 ] && [ "$end_total" -gt 0 ] &&
		[ $((start_total + end_total)) -lt "$all_total" ]; then
		pass "the windows hold part of the samples: $start_total + $end_total < $all_total"
	else
		fail "the windows do not narrow the samples: $start_total + $end_total of $all_total"
	fi
fi

# --- windows in seconds -------------------------------------------------------
if window start-s --from 0.2 --to 1.6; then
	assert_between "$(share ft_phase_one "$T/start-s.json")" 90 100 "--from 0.2 --to 1.6: ft_phase_one self %"
fi
if window end-s --from 2.5 --to 3.8; then
	assert_between "$(share ft_phase_two "$T/end-s.json")" 90 100 "--from 2.5 --to 3.8: ft_phase_two self %"
fi
# The text header says which window it shows.
"$FLAMETOP" report -i "$S" --from 2.5 --to 3.8 >"$T/end-s.txt" 2>&1
assert_match "$(grep '^# filters:' "$T/end-s.txt")" 'from 2\.50 s, to 3\.80 s' "text header names the window"
# A window after the end is empty, not an error.
if window late --from 100; then
	assert_eq "$(total_of "$T/late.json")" 0 "--from 100 (after the end): total"
fi

# --- --comm --------------------------------------------------------------------
if window comm --comm phases; then
	assert_eq "$(total_of "$T/comm.json")" "$all_total" "--comm phases: every sample"
fi
if window nocomm --comm no-such-comm; then
	assert_eq "$(total_of "$T/nocomm.json")" 0 "--comm no-such-comm: no sample"
fi
# A thread by the name it ends with: in the golden session, thread 4243 is
# "app" in the first flush and "app-hasher" from the second on; all its
# hash_block samples are app-hasher's, none app's.
G=$GOLDEN/session/valid/basic/input
if "$FLAMETOP" report -i "$G" --format folded --comm app-hasher >"$T/hasher.txt" 2>&1; then
	assert_eq "$(cat "$T/hasher.txt")" "app-hasher;start_thread;worker_loop;hash_block 303030300" \
		"--comm app-hasher: its samples from before the rename too"
else
	fail "--comm app-hasher: $(cat "$T/hasher.txt")"
fi
if "$FLAMETOP" report -i "$G" --format folded --comm app >"$T/app.txt" 2>&1; then
	assert_eq "$(grep -c hash_block "$T/app.txt")" 0 "--comm app: none of the renamed thread's samples"
else
	fail "--comm app: $(cat "$T/app.txt")"
fi

# --- --include / --exclude ------------------------------------------------------
one_total=$(jq -r '[.functions[] | select(.name == "ft_phase_one") | .total] | add // 0' "$T/all.json")
if window inc --include '^ft_phase_one$'; then
	assert_eq "$(total_of "$T/inc.json")" "$one_total" "--include ^ft_phase_one\$: the total is ft_phase_one's"
	assert_eq "$(share ft_phase_two "$T/inc.json" total)" 0 "--include ^ft_phase_one\$: ft_phase_two total %"
	assert_between "$(share main "$T/inc.json" total)" 99 100 "--include ^ft_phase_one\$: main (its caller) total %"
fi
if window exc --exclude '^ft_phase_one$'; then
	assert_eq "$(share ft_phase_one "$T/exc.json" total)" 0 "--exclude ^ft_phase_one\$: ft_phase_one total %"
	assert_eq "$(($(total_of "$T/exc.json") + one_total))" "$all_total" "--exclude: total + ft_phase_one's = all"
fi
if window inc-win --include '^ft_phase_two$' --to 45%; then
	assert_between "$(awk -v a="$(total_of "$T/inc-win.json")" -v b="$start_total" 'BEGIN { printf "%.1f", b ? 100 * a / b : 100 }')" \
		0 10 "--include ^ft_phase_two\$ --to 45%: % of the window"
fi
if window exc-all --exclude '^main$'; then
	assert_between "$(awk -v a="$(total_of "$T/exc-all.json")" -v b="$all_total" 'BEGIN { printf "%.1f", 100 * a / b }')" \
		0 5 "--exclude ^main\$: % left (only stacks outside main)"
fi

# A window that starts past the end says so, not only "no matching
# samples": --from 40 of the fixture's 30 s (meant as 40%?).
"$FLAMETOP" report -i "$GOLDEN/tui/views.session" --from 40 >"$T/past.txt" 2>&1
assert_eq "$(tail -n 1 "$T/past.txt")" \
	"no matching samples: the window starts at 40.00 s, after the session's end at 30.00 s" \
	"--from past the end: report says the window starts after the end"
"$FLAMETOP" report -i "$GOLDEN/tui/views.session" --from 10 --to 10.000001 >"$T/empty.txt" 2>&1
assert_eq "$(tail -n 1 "$T/empty.txt")" "no matching samples" "an empty window inside the session: no more said"

finish
