#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A hostile user's program maps one page of a file, under a path of about
# 3.5 KiB, 60000 times: its /proc/PID/maps is then over 200 MB, which the
# kernel takes seconds to write and a profiler that reads it whole holds in
# memory at once (a recording of 2 s took 15 s and peaked at 240 MiB).
# flametop reads at most PROCMAP_MAPS_MAX (16 MiB; 2 MiB where the kernel
# answers PROCMAP_QUERY) of it, once, and says so
# in one notice: attached to the process, and recording the whole system,
# it keeps its peak memory under 160 MiB (sanitizers included) and saves
# samples. The library the program runs from lies past the cap (it was
# mapped first, at a higher address): where the kernel answers PROCMAP_QUERY
# (Linux 6.11), its mapping is asked for alone and its function named.
# -e alloc, which looks for libc in the same maps, asks the kernel for the
# mappings past the cap too (before Linux 6.11 it says libc is not there).
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/hostile.lib
. "${TESTLIB%/*}/hostile.lib"

lib=$(hostile_lib maps.so)
start_hostile maps maps 0 "$lib"
wpid=$HPID
size=$(wc -c <"/proc/$wpid/maps")
[ "$size" -gt 200000000 ] || hard_error "/proc/$wpid/maps is only $size bytes"

# has_procmap_query: the kernel is Linux 6.11 or later (PROCMAP_QUERY).
has_procmap_query() {
	uname -r | awk -F'[.-]' '{ exit !($1 > 6 || ($1 == 6 && $2 >= 11)) }'
}

# peak_of SESSION: the recorder's peak memory in MiB, as report says it.
peak_of() {
	"$FLAMETOP" report -i "$1" 2>/dev/null | sed -n 's/^# recorder: peak memory \([0-9.]*\) MiB$/\1/p'
}

# Where the kernel answers PROCMAP_QUERY, what lies past the cap is asked
# for, so the cap is 2 MiB: reading 16 MiB of such maps cost the kernel
# half a second, during which the rings filled, per flooding process.
cap=16
if has_procmap_query; then
	cap=2
fi
for how in pid all; do
	if [ "$how" = pid ]; then
		run_record pid -F 999 -d 2 -o "$T/pid.session" -p "$wpid"
	else
		run_record all -a -F 499 -d 2 -o "$T/all.session"
	fi
	assert_eq "$RC" 0 "$how: record exit status"
	assert_samples "$how" "$T/$how.session" "$T/$how.json"
	assert_between "$(peak_of "$T/$how.session")" 1 160 "$how: recorder peak memory (MiB)"
	assert_eq "$(grep -c "^flametop: notice: /proc/[0-9]*/maps: larger than $cap MiB" "$T/$how.err")" 1 \
		"$how: one notice says the maps were read up to the cap ($cap MiB)"
	if [ "$how" = pid ] && [ -s "$T/pid.json" ]; then
		if has_procmap_query; then
			assert_between "$(share ft_hostile_run "$T/pid.json" total)" 50 100 \
				"pid: ft_hostile_run, in the library past the cap, is named (% of total)"
		else
			echo "  (no PROCMAP_QUERY before Linux 6.11: the library past the cap stays unnamed)"
		fi
	fi
done
# A uprobe type finds the library to probe in the same maps, read up to
# the same cap: libc lies past it. Where the kernel answers PROCMAP_QUERY
# the mappings past the cap are asked of it and libc is probed; where not,
# the refusal says why, in one line.
run_record alloc -e alloc -d 1 -o "$T/alloc.session" -p "$wpid"
if has_procmap_query; then
	assert_eq "$RC" 0 "-e alloc -p: libc past the cap is found and probed"
	assert_eq "$(grep -c "names no libc" "$T/alloc.err")" 0 "-e alloc -p: no refusal"
else
	assert_eq "$RC" 1 "-e alloc -p: refused"
	assert_one_error_line "$T/alloc.err" "-e alloc -p"
	assert_match "$(error_line "$T/alloc.err")" \
		"/proc/$wpid/maps is larger than 16 MiB and names no libc\.so\.6" \
		"-e alloc -p: the refusal says the maps were too large to find libc in"
fi
stop_hostile "$wpid"

finish
