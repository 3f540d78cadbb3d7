#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A full disk (ENOSPC), simulated with a small tmpfs that a filler file
# leaves a few KiB free on. `record -- COMMAND` into it must print one error
# naming the file and "No space left on device", stop sampling, end the
# command it launched the way -d does (SIGTERM; flametop waits for it, so it
# is neither left running nor left stopped), exit 1, and leave a file whose
# chunks written before the disk filled load with `report` (and its notice
# that the recording did not finish). The same with -a, which has no
# command to end.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_workload phases

D="$T/small"
mkdir "$D" || hard_error "cannot create $D"
mount -t tmpfs -o size=256k flametop-e2e "$D" 2>"$T/mount.err" ||
	skip "cannot mount a tmpfs here ($(head -n 1 "$T/mount.err")): needs CAP_SYS_ADMIN"
trap 'umount "$D" 2>/dev/null; ft_cleanup' EXIT

# fill KIB: leaves about KIB KiB free on the tmpfs.
fill() {
	rm -f "$D"/*
	free_kib=$(df -k --output=avail "$D" | tail -n 1 | tr -d ' ')
	dd if=/dev/zero of="$D/filler" bs=1024 count=$((free_kib - $1)) 2>/dev/null
	echo "  $(df -k --output=avail "$D" | tail -n 1 | tr -d ' ') KiB free on $D"
}

# check_enospc NAME SESSION: record NAME failed as it should and SESSION loads.
check_enospc() {
	assert_eq "$RC" 1 "$1: record exit status"
	assert_one_error_line "$T/$1.err" "$1"
	assert_match "$(error_line "$T/$1.err")" "^flametop: $2: .*No space left on device" \
		"$1: the error names the file and the cause"
	if "$FLAMETOP" report -i "$2" >"$T/$1.report" 2>"$T/$1.report.err"; then
		pass "$1: the chunks written before the disk filled load"
	else
		fail "$1: report failed: $(cat "$T/$1.report.err")"
	fi
	sed 's/^/  report stderr: /' "$T/$1.report.err"
	assert_match "$(cat "$T/$1.report.err")" "^flametop: notice: $2: the recording did not finish" \
		"$1: report says the recording did not finish"
	n=$(sed -n 's/^# samples: \([0-9]*\),.*/\1/p' "$T/$1.report")
	assert_between "$n" 1 10000000 "$1: samples kept"
	assert_eq "$(stat -c %a "$2")" 600 "$1: session file mode"
}

# --- a launched command ---------------------------------------------------------
fill 12
S="$D/cmd.session"
# How soon the disk fills depends on how much CPU, so how many samples, the
# command gets: seconds on an idle machine, longer on a busy one.
run_record cmd -F 999 -o "$S" -- sh -c "echo \$\$ >'$T/cmd.pid'; exec '$WORKLOADS/phases' 110000"
check_enospc cmd "$S"
assert_between "$ELAPSED_MS" 0 100000 "cmd: record stopped long before the 110 s command ended (ms)"
cpid=$(cat "$T/cmd.pid" 2>/dev/null)
if [ -z "$cpid" ]; then
	fail "cmd: the command never started"
elif [ -d "/proc/$cpid" ]; then
	fail "cmd: the command (pid $cpid) is still there, state $(awk '{ print $3 }' "/proc/$cpid/stat")"
	kill -KILL "$cpid"
else
	pass "cmd: the command was ended and reaped"
fi

# --- system-wide ----------------------------------------------------------------
# Room for the first second of a busy machine, so that some data is saved:
# its first flush (the names, frames and call tree of every process, then
# the samples, in chunks of their own) is 20 to 60 KiB.
# Every CPU is kept busy so that samples arrive at a known rate: an idle
# machine compresses to a few bytes a second and would take long to fill.
# A busy CPU's samples take at least some 0.8 KiB a second (times to the
# microsecond and leaves that repeat: format 1.9), so the 96 KiB less the
# first flush fill in under 90 s on one CPU (27 s on two, here); -d 120
# is only the cap.
i=0
while [ "$i" -lt "$(getconf _NPROCESSORS_ONLN)" ]; do
	start_bg "$WORKLOADS/split" 130000
	i=$((i + 1))
done
fill 96
S="$D/all.session"
run_record all -a -F 999 -d 120 -o "$S"
check_enospc all "$S"
# It stopped because the disk filled, not because -d ran out.
assert_between "$ELAPSED_MS" 0 110000 "all: record stopped before -d 120 (ms)"

finish
