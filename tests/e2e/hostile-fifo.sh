#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A hostile user (nobody) runs a program from its own library and then
# replaces the library by a FIFO. A profiler that opens the path for
# reading blocks forever; flametop must not. System-wide (record -a -d 3)
# it finishes on time with samples saved; attached to the process without
# the capabilities /proc/PID/map_files needs, it finds the FIFO at the
# library's path, refuses it with one notice, and names the process's
# frames libfthostile.so+0x... instead.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/hostile.lib
. "${TESTLIB%/*}/hostile.lib"

lib=$(hostile_lib fifo.so)
start_hostile fifo fifo 0 "$lib"
[ -p "$lib" ] || hard_error "$lib was not replaced by a FIFO"
wpid=$HPID

run_record all -a -F 499 -d 3 -o "$T/all.session"
assert_on_time all 3
assert_samples all "$T/all.session" "$T/all.json"

run_record_without_map_files path -F 999 -d 2 -o "$T/path.session" -p "$wpid"
assert_on_time path 2
assert_samples path "$T/path.session" "$T/path.json"
assert_eq "$(grep -c "^flametop: notice: .*/fifo\.so: not a regular file" "$T/path.err")" 1 \
	"path: one notice refuses the FIFO"
if [ -s "$T/path.json" ]; then
	hot=$(jq -r '.functions[0].name' "$T/path.json")
	assert_match "$hot" '^fifo\.so.*\+0x[0-9a-f]+$' "path: the hottest frame is named module+0xOFFSET"
fi
stop_hostile "$wpid"

finish
