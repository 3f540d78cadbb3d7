#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The split workload gives ft_split_heavy 3/4 and ft_split_light 1/4 of its
# work (slices of 3u and u iterations of the same loop). Record it launched
# (--), attached (-p) and system-wide (-a, report filtered with --pid), and
# check heavy/(heavy + light) against 0.75 (a ratio of the two known
# functions, not a share of everything sampled, which depends on the
# machine; within what the number of samples allows), the call chain, the
# module, the unit and weights, the session file's mode, that record exits
# with the command's status, stops when an attached process exits, and
# stops cleanly on SIGINT.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload split

# check_split NAME SESSION WALL_MS [REPORT ARGS]: the shares of one split
# recording that took WALL_MS of wall time.
check_split() {
	n=$1
	s=$2
	wall=$3
	shift 3
	report_json "$s" "$T/$n.json" "$@" || return
	print_top "$T/$n.json"
	ns=$(report_samples "$s" "$@")
	assert_split "$n" "$T/$n.json" "$ns" ft_split_heavy ft_split_light 0.75 total
	assert_split "$n" "$T/$n.json" "$ns" ft_split_heavy ft_split_light 0.75 self
	# ft_split_heavy calls nothing: the frames under it are the kernel's
	# (interrupts, and being scheduled out, which a loaded machine makes
	# a tenth of its samples or more), so its self share may be well
	# under its total.
	if report_folded "$s" "$T/$n.k.folded" --annotate-kernel "$@"; then
		assert_eq "$(awk -F';' '{ for (i = 1; i < NF; i++) if ($i == "ft_split_heavy") {
				split($(i + 1), f, " "); print f[1] } }' "$T/$n.k.folded" | grep -cv '_\[k\]$')" 0 \
			"$n: frames under ft_split_heavy that are not the kernel's"
	fi
	assert_caller "$n" "$T/$n.json" ft_split_driver ft_split_heavy ft_split_light
	assert_between "$(share main "$T/$n.json" total)" 90 100 "$n: main total %"
	assert_match "$(module_of ft_split_heavy "$T/$n.json")" '(^|/)split$' "$n: ft_split_heavy's module is the split executable"
	unit=$(jq -r .unit "$T/$n.json")
	if grep -q '^flametop: notice: ' "$T/$n.err"; then
		# Fell back to a software clock: weights are nanoseconds of CPU.
		assert_eq "$unit" ns "$n: unit after falling back to a clock event"
	fi
	if [ "$unit" = ns ]; then
		# One thread: at least a tenth of a CPU for a second and more (the
		# least a busy machine gives it), and no more CPU time than the wall
		# time the recording took (5% for the rounding of sample periods).
		assert_between "$(total_of "$T/$n.json")" 100000000 "$((wall * 1050000))" "$n: total ns of CPU"
	fi
}

# --- launched: flametop record -- split -------------------------------------
run_record cmd -F 999 -o "$T/cmd.session" -- "$WORKLOADS/split" 2000
assert_record_ok cmd "$T/cmd.session"
# The command runs for 2 s of wall time, loaded machine or not.
assert_between "$ELAPSED_MS" 1900 30000 "cmd: record ran as long as the command (ms)"
check_split cmd "$T/cmd.session" "$ELAPSED_MS"

# The folded output holds the whole chain under the process name, and its
# weights add up to the JSON total.
if report_folded "$T/cmd.session" "$T/cmd.folded"; then
	if grep -Eq '^split;(.*;)?main;ft_split_driver;ft_split_heavy [0-9]+$' "$T/cmd.folded"; then
		pass "cmd: folded has split;...;main;ft_split_driver;ft_split_heavy"
	else
		fail "cmd: no folded line 'split;...;main;ft_split_driver;ft_split_heavy N': $(head -n 3 "$T/cmd.folded")"
	fi
	assert_eq "$(awk '{ s += $NF } END { printf "%d", s }' "$T/cmd.folded")" \
		"$(total_of "$T/cmd.json")" "cmd: folded weights sum to the JSON total"
fi

# record exits with the launched command's exit status.
run_record status -o "$T/status.session" -- "$WORKLOADS/split" 300 3
assert_eq "$RC" 3 "record -- split 300 3: exit status is the command's"
if [ -s "$T/status.session" ]; then
	pass "status: session written"
else
	fail "status: no session written when the command exits 3"
fi

# --- attached: flametop record -p -------------------------------------------
start_bg "$WORKLOADS/split" 8000
wpid=$BG_PID
wait_comm "$wpid" split
run_record pid -F 999 -d 2 -o "$T/pid.session" -p "$wpid"
assert_record_ok pid "$T/pid.session"
assert_between "$ELAPSED_MS" 1900 30000 "pid: record -d 2 took (ms)"
check_split pid "$T/pid.session" "$ELAPSED_MS"
kill "$wpid"
wait "$wpid" 2>/dev/null

# -p stops when the target exits, long before -d.
start_bg "$WORKLOADS/split" 3000
wpid=$BG_PID
wait_comm "$wpid" split
run_record pidexit -F 999 -d 30 -o "$T/pidexit.session" -p "$wpid"
assert_record_ok pidexit "$T/pidexit.session"
if is_gone "$wpid"; then
	pass "pidexit: the target had exited when record stopped"
else
	fail "pidexit: record stopped while the target still runs"
fi
assert_between "$ELAPSED_MS" 0 20000 "pidexit: record stopped long before -d 30 (ms)"
check_split pidexit "$T/pidexit.session" "$ELAPSED_MS"
wait "$wpid" 2>/dev/null

# SIGINT (Ctrl-C) ends a recording cleanly: exit 0 and a readable session.
start_bg "$WORKLOADS/split" 0
wpid=$BG_PID
wait_comm "$wpid" split
echo "+ flametop record -F 999 -p $wpid (SIGINT once it has written two seconds)"
t0=$(now_ms)
"$FLAMETOP" record -F 999 -o "$T/sigint.session" -p "$wpid" 2>"$T/sigint.err" &
rpid=$!
ft_bg_pids="$ft_bg_pids $rpid"
wait_recording "$T/sigint.session" 3 "$rpid"
kill -INT "$rpid"
if ! wait_until 30 is_gone "$rpid"; then
	fail "sigint: record still running 30 s after SIGINT"
	kill -KILL "$rpid"
fi
wait "$rpid"
RC=$?
ELAPSED_MS=$(($(now_ms) - t0))
sed 's/^/  stderr: /' "$T/sigint.err"
assert_record_ok sigint "$T/sigint.session"
check_split sigint "$T/sigint.session" "$ELAPSED_MS"
kill "$wpid"
wait "$wpid" 2>/dev/null

# --- system-wide: flametop record -a, report --pid ---------------------------
record_system all "$T/all.session" "$WORKLOADS/split" 2000
wpid=$WPID
assert_record_ok all "$T/all.session" system
check_split all "$T/all.session" "$ELAPSED_MS" --pid "$wpid"
report_json "$T/all.session" "$T/all-tid.json" --tid "$wpid" &&
	assert_split "all: --tid" "$T/all-tid.json" "$(report_samples "$T/all.session" --tid "$wpid")" \
		ft_split_heavy ft_split_light 0.75 total

finish
