#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Rust names come out demangled, with both manglings: rustspin built with
# the legacy scheme (_ZN...17h<hash>E: shown without the hash, as perf shows
# it) and with v0 (_R...: generic arguments included). Skips when configure
# found no rustc (the workload is not built) or flametop has no libiberty.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
[ -x "$WORKLOADS/rustspin-v0" ] && [ -x "$WORKLOADS/rustspin-legacy" ] ||
	skip "the Rust workload is not built: configure found no rustc"
need_libiberty

# check NAME GENERIC: the two functions of rustspin-NAME, GENERIC being
# spin_generic's demangled name.
check() {
	run_record "$1" -F 999 -o "$T/$1.session" -- "$WORKLOADS/rustspin-$1" 1500
	assert_eq "$RC" 0 "$1: record exit status"
	report_json "$T/$1.session" "$T/$1.json" || return
	print_top "$T/$1.json"
	for f in rustspin::spin_plain "$2"; do
		assert_between "$(share "$f" "$T/$1.json")" 5 100 "$1: $f self %"
		assert_match "$(module_of "$f" "$T/$1.json")" "(^|/)rustspin-$1\$" "$1: $f is in rustspin-$1"
	done
	assert_between "$(jq -r --argjson t "$(total_of "$T/$1.json")" \
		'[.functions[] | select(.name | test("^_[ZR]|::h[0-9a-f]{16}$")) | .self] | add // 0 | . * 100 / $t' \
		"$T/$1.json")" 0 0.5 "$1: % of samples in functions left mangled or with a hash"
}

check legacy rustspin::Spinner::spin_generic
check v0 '<rustspin::Spinner>::spin_generic::<u32>'

finish
