#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A hostile user's program runs code from anonymous memory and names it in
# its JIT map, /tmp/perf-PID.map, which it then makes a sparse file of
# 64 GiB. A profiler that reads the map whole allocates 64 GiB (and
# aborts). flametop must finish on time with samples saved, refuse the map
# with one notice saying why (larger than its file size cap; a smaller
# sparse map is refused as sparse), and leave the code unnamed.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/hostile.lib
. "${TESTLIB%/*}/hostile.lib"

start_hostile jit jitmap 0
wpid=$HPID
size=$(stat -c %s "/tmp/perf-$wpid.map" 2>/dev/null)
[ "$size" = 68719476736 ] || hard_error "/tmp/perf-$wpid.map is not 64 GiB: $size"

run_record jit -F 999 -d 2 -o "$T/jit.session" -p "$wpid"
stop_hostile "$wpid"
assert_on_time jit 2
assert_samples jit "$T/jit.session" "$T/jit.json"
assert_eq "$(grep -Ec "^flametop: notice: ignoring /tmp/perf-$wpid\.map: (a sparse file|larger than)" "$T/jit.err")" 1 \
	"jit: one notice refuses the map"
[ -s "$T/jit.json" ] && assert_eq "$(share ft_jit_spin "$T/jit.json")" 0 "jit: ft_jit_spin is not named"

finish
