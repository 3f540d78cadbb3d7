#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# PLT entries are named NAME@plt, as objdump names them: the pltcall
# workload calls gnu_get_libc_version (two instructions) through its PLT
# entry in a tight loop, so a good part of its time is in that stub,
# which no symbol table covers. It must show as
# gnu_get_libc_version@plt in pltcall, and no frame of pltcall be left
# as pltcall+0xOFFSET.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload pltcall
[ "$(uname -m)" = x86_64 ] || skip "PLT entries are named on x86-64 only"

run_record plt -F 999 -o "$T/plt.session" -- "$WORKLOADS/pltcall" 1500
assert_eq "$RC" 0 "record exit status"
if report_json "$T/plt.session" "$T/plt.json"; then
	print_top "$T/plt.json"
	assert_between "$(share gnu_get_libc_version@plt "$T/plt.json")" 5 100 \
		"gnu_get_libc_version@plt self %"
	assert_match "$(module_of gnu_get_libc_version@plt "$T/plt.json")" '(^|/)pltcall$' \
		"gnu_get_libc_version@plt is in pltcall"
	assert_eq "$(jq -r '[.functions[] | select(.name | test("^pltcall\\+0x"))] | length' "$T/plt.json")" 0 \
		"frames of pltcall left as pltcall+0xOFFSET"
fi

finish
