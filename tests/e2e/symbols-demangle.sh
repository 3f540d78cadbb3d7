#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# C++ names come out demangled, as C++ spells them (and as perf shows them,
# with parameter lists): the cxxtemplates workload spends its time in two
# instantiations of a class template's method and in a function template.
# With --no-demangle the same functions keep their mangled names. Skips when
# flametop was built without libiberty.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload cxxtemplates
need_libiberty

m='(^|/)cxxtemplates$'

run_record cxx -F 999 -o "$T/cxx.session" -- "$WORKLOADS/cxxtemplates" 2000
assert_eq "$RC" 0 "cxx: record exit status"
if report_json "$T/cxx.session" "$T/cxx.json"; then
	print_top "$T/cxx.json"
	for f in 'ft::Spinner<int>::spin(long)' 'ft::Spinner<double>::spin(long)' \
		'unsigned long ft::churn<unsigned long>(unsigned long*)'; do
		assert_between "$(share "$f" "$T/cxx.json")" 3 100 "cxx: $f self %"
		assert_match "$(module_of "$f" "$T/cxx.json")" "$m" "cxx: $f is in cxxtemplates"
	done
	mangled=$(jq -r --argjson t "$(total_of "$T/cxx.json")" \
		'[.functions[] | select(.name | test("^_Z")) | .self] | add // 0 | . * 100 / $t' "$T/cxx.json")
	assert_between "$mangled" 0 0.5 "cxx: % of samples in functions left mangled"
fi

run_record raw --no-demangle -F 999 -o "$T/raw.session" -- "$WORKLOADS/cxxtemplates" 1000
assert_eq "$RC" 0 "raw: record --no-demangle exit status"
if report_json "$T/raw.session" "$T/raw.json"; then
	print_top "$T/raw.json"
	for f in _ZN2ft7SpinnerIiE4spinEl _ZN2ft7SpinnerIdE4spinEl _ZN2ft5churnImEET_PS1_; do
		assert_between "$(share "$f" "$T/raw.json")" 3 100 "raw: $f self %"
	done
	assert_eq "$(share 'ft::Spinner<int>::spin(long)' "$T/raw.json")" 0 "raw: no demangled names"
fi

finish
