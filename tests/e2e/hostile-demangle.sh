#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A hostile user's library (libfthostile.so) names its hot function with a
# crafted 571-byte C++ mangled name whose demangled form would be about
# 2^75 bytes: libiberty's cplus_demangle() tries to build it and runs out
# of time or memory. flametop, recording the process (-d 2), must finish
# on time, keep its memory small (under 512 MiB at its peak, sanitizers
# included), and show the function by its raw mangled name.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/hostile.lib
. "${TESTLIB%/*}/hostile.lib"

need_libiberty

lib=$(hostile_lib demangle.so)
start_hostile demangle plain 0 "$lib"
wpid=$HPID

run_record dm -F 999 -d 2 -o "$T/dm.session" -p "$wpid"
assert_on_time dm 2
assert_samples dm "$T/dm.session" "$T/dm.json"
stop_hostile "$wpid"
if [ -s "$T/dm.json" ]; then
	raw=$(jq -r --argjson t "$(total_of "$T/dm.json")" \
		'[.functions[] | select(.name | startswith("_Z1g1xPS_IS_IS_")) | .self] | add // 0
		 | . * 100 / $t' "$T/dm.json")
	assert_between "$raw" 50 100 "dm: % of samples in the function named by its raw mangled name"
	longest=$(jq -r '[.functions[].name | length] | max' "$T/dm.json")
	assert_between "$longest" 1 4096 "dm: longest function name (bytes)"
fi
peak=$("$FLAMETOP" report -i "$T/dm.session" 2>/dev/null |
	sed -n 's/^# recorder: peak memory \([0-9.]*\) MiB$/\1/p')
assert_between "$peak" 1 512 "dm: recorder peak memory (MiB)"

finish
