#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The split workload gives ft_split_heavy 75% and ft_split_light 25% of its
# CPU (3:1 slices of thread CPU time). Record it launched (--), attached (-p)
# and system-wide (-a, report filtered with --pid), and check the shares
# within 10 points, the call chain, the unit and weights, the session file's
# mode, that record exits with the command's status, stops when an attached
# process exits, and stops cleanly on SIGINT.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload split

# check_split NAME SESSION [REPORT ARGS]: the shares of one split recording.
check_split() {
	n=$1
	s=$2
	shift 2
	report_json "$s" "$T/$n.json" "$@" || return
	print_top "$T/$n.json"
	assert_between "$(share ft_split_heavy "$T/$n.json" total)" 65 85 "$n: ft_split_heavy total %"
	assert_between "$(share ft_split_light "$T/$n.json" total)" 15 35 "$n: ft_split_light total %"
	assert_between "$(share ft_split_heavy "$T/$n.json" self)" 55 85 "$n: ft_split_heavy self %"
	assert_between "$(share ft_split_driver "$T/$n.json" total)" 90 100 "$n: ft_split_driver total %"
	assert_between "$(share main "$T/$n.json" total)" 90 100 "$n: main total %"
	assert_match "$(module_of ft_split_heavy "$T/$n.json")" '(^|/)split$' "$n: ft_split_heavy's module is the split executable"
	unit=$(jq -r .unit "$T/$n.json")
	if grep -q '^flametop: notice: ' "$T/$n.err"; then
		# Fell back to a software clock: weights are nanoseconds of CPU.
		assert_eq "$unit" ns "$n: unit after falling back to a clock event"
	fi
	if [ "$unit" = ns ]; then
		# One thread for at most ~2.5 s of wall time.
		assert_between "$(total_of "$T/$n.json")" 200000000 2600000000 "$n: total ns of CPU"
	fi
}

# --- launched: flametop record -- split -------------------------------------
run_record cmd -F 999 -o "$T/cmd.session" -- "$WORKLOADS/split" 2000
assert_record_ok cmd "$T/cmd.session"
assert_between "$ELAPSED_MS" 1900 8000 "cmd: record ran as long as the command (ms)"
check_split cmd "$T/cmd.session"

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
assert_between "$ELAPSED_MS" 1900 6000 "pid: record -d 2 took (ms)"
check_split pid "$T/pid.session"
kill "$wpid"
wait "$wpid" 2>/dev/null

# -p stops when the target exits, long before -d.
start_bg "$WORKLOADS/split" 1500
wpid=$BG_PID
wait_comm "$wpid" split
run_record pidexit -F 999 -d 30 -o "$T/pidexit.session" -p "$wpid"
assert_record_ok pidexit "$T/pidexit.session"
assert_between "$ELAPSED_MS" 1000 6000 "pidexit: record stopped when the target exited (ms)"
check_split pidexit "$T/pidexit.session"
wait "$wpid" 2>/dev/null

# SIGINT (Ctrl-C) ends a recording cleanly: exit 0 and a readable session.
start_bg "$WORKLOADS/split" 0
wpid=$BG_PID
wait_comm "$wpid" split
echo "+ flametop record -F 999 -p $wpid (SIGINT after 2 s)"
"$FLAMETOP" record -F 999 -o "$T/sigint.session" -p "$wpid" 2>"$T/sigint.err" &
rpid=$!
ft_bg_pids="$ft_bg_pids $rpid"
sleep 2
kill -INT "$rpid"
i=0
while [ "$(awk '{ print $3 }' "/proc/$rpid/stat" 2>/dev/null)" != Z ] && kill -0 "$rpid" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || break
	sleep 0.1
done
if [ "$i" -ge 100 ]; then
	fail "sigint: record still running 10 s after SIGINT"
	kill -KILL "$rpid"
fi
wait "$rpid"
RC=$?
sed 's/^/  stderr: /' "$T/sigint.err"
assert_record_ok sigint "$T/sigint.session"
check_split sigint "$T/sigint.session"
kill "$wpid"
wait "$wpid" 2>/dev/null

# --- system-wide: flametop record -a, report --pid ---------------------------
record_system all "$T/all.session" "$WORKLOADS/split" 2000
wpid=$WPID
assert_record_ok_system all "$T/all.session"
check_split all "$T/all.session" --pid "$wpid"
report_json "$T/all.session" "$T/all-tid.json" --tid "$wpid" &&
	assert_between "$(share ft_split_heavy "$T/all-tid.json" total)" 65 85 "all: --tid: ft_split_heavy total %"

finish
