#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Golden session files, the jansson way: each case under
# $GOLDEN/session/valid/<case>/ is a session whose `flametop report -i input
# --format folded` must print exactly `output` (and on stderr exactly
# `notice` when that file exists, nothing otherwise: a partial load's
# notice); where the case has a `lines` file, `flametop report -i input
# --format json --lines` must print exactly that (the code locations of
# session format 1.2; the modules named are not on this machine, so every
# line is unknown); each case under $GOLDEN/session/invalid/<case>/ must fail with
# exit status 1, print nothing on stdout, and exactly the line in `error`
# on stderr. Commands run inside the case's directory, so messages name
# the file as "input".
#
# The inputs come from tests/unit/test_session_gen (`golden DIR`). After a
# deliberate change, GOLDEN_UPDATE=1 rewrites the expected files from what
# the binary prints now; review the diff before committing it.
#
# Exit status: 0 all passed, 1 a case failed, 77 skipped (and why).

if [ -z "$FLAMETOP" ] || [ ! -x "$FLAMETOP" ]; then
	echo "SKIP: \$FLAMETOP is not an executable flametop ('$FLAMETOP')"
	exit 77
fi
if [ -z "$GOLDEN" ] || [ ! -d "$GOLDEN/session" ]; then
	echo "SKIP: no golden session cases under \$GOLDEN ('$GOLDEN')"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/golden-session.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0

ok() {
	passed=$((passed + 1))
	echo "ok: $1"
}

not_ok() {
	failed=$((failed + 1))
	echo "FAIL: $1"
}

# same EXPECTED ACTUAL: files equal (an absent EXPECTED means "empty").
same() {
	if [ -f "$1" ]; then
		cmp -s "$1" "$2"
	else
		[ ! -s "$2" ]
	fi
}

# show EXPECTED ACTUAL: what differs, for the log.
show() {
	if [ -f "$1" ]; then
		diff -u "$1" "$2" | head -n 20
	else
		echo "  expected nothing, got:"
		head -n 5 "$2"
	fi
}

# run CASE_DIR: the report of CASE_DIR/input into $tmp/{out,err}; sets rc.
run() {
	(cd "$1" && "$FLAMETOP" report -i input --format folded) >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

for dir in "$GOLDEN"/session/valid/*/; do
	[ -f "$dir/input" ] || continue
	name="valid/$(basename "$dir")"
	run "$dir"
	if [ -n "$GOLDEN_UPDATE" ]; then
		cp "$tmp/out" "$dir/output"
		if [ -s "$tmp/err" ]; then cp "$tmp/err" "$dir/notice"; else rm -f "$dir/notice"; fi
	fi
	if [ "$rc" -ne 0 ]; then
		not_ok "$name: exit status $rc: $(head -c 300 "$tmp/err")"
	elif [ ! -f "$dir/output" ]; then
		not_ok "$name: no expected output file"
	elif ! same "$dir/output" "$tmp/out"; then
		not_ok "$name: folded output differs"
		show "$dir/output" "$tmp/out"
	elif ! same "$dir/notice" "$tmp/err"; then
		not_ok "$name: stderr differs"
		show "$dir/notice" "$tmp/err"
	else
		ok "$name"
	fi
	[ -f "$dir/lines" ] || continue
	(cd "$dir" && "$FLAMETOP" report -i input --format json --lines) >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ -n "$GOLDEN_UPDATE" ] && cp "$tmp/out" "$dir/lines"
	if [ "$rc" -ne 0 ]; then
		not_ok "$name --lines: exit status $rc: $(head -c 300 "$tmp/err")"
	elif ! same "$dir/lines" "$tmp/out"; then
		not_ok "$name --lines: json output differs"
		show "$dir/lines" "$tmp/out"
	else
		ok "$name --lines"
	fi
done

for dir in "$GOLDEN"/session/invalid/*/; do
	[ -f "$dir/input" ] || continue
	name="invalid/$(basename "$dir")"
	run "$dir"
	[ -n "$GOLDEN_UPDATE" ] && cp "$tmp/err" "$dir/error"
	if [ "$rc" -ne 1 ]; then
		not_ok "$name: exit status $rc, expected 1: $(head -c 300 "$tmp/err")"
	elif [ -s "$tmp/out" ]; then
		not_ok "$name: printed a report: $(head -c 200 "$tmp/out")"
	elif [ ! -f "$dir/error" ]; then
		not_ok "$name: no expected error file"
	elif ! same "$dir/error" "$tmp/err"; then
		not_ok "$name: error differs"
		show "$dir/error" "$tmp/err"
	else
		ok "$name"
	fi
done

echo "$passed passed, $failed failed"
if [ $((passed + failed)) -eq 0 ]; then
	echo "SKIP: no cases found under $GOLDEN/session"
	exit 77
fi
[ "$failed" -eq 0 ]
