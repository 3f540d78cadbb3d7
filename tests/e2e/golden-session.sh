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
# on stderr; where the case has a `header` file, the `# event:` line of
# `flametop report -i input` must be exactly that (how the event was
# sampled: format 1.8's periods, or guessed from older files). Commands
# run inside the case's directory, so messages name
# the file as "input".
#
# The inputs come from tests/unit/test_session_gen (`golden DIR`), except
# valid/version-1.0, 1.1, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9-ns, 1.9, 1.10 and 1.11: files written by flametop when it
# wrote those versions (each case's `origin` says how), kept byte for byte
# so that every later reader is held to what was really written.
#
# After a deliberate change, GOLDEN_UPDATE=1 (exactly "1") rewrites the
# expected files from what the binary prints now. Such a run never passes:
# it ends in ERROR (exit 99) saying the goldens were rewritten, so that a
# person reviews `git diff tests/golden` and runs the test again without it.
#
# Exit status: 0 all passed, 1 a case failed, 77 skipped (and why), 99 the
# goldens were rewritten (GOLDEN_UPDATE=1).

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
update=no
[ "${GOLDEN_UPDATE:-}" = 1 ] && update=yes
updated=0

# rewrite FILE NEW: with GOLDEN_UPDATE=1, FILE becomes a copy of NEW (or
# goes away when NEW is empty and the file is optional: `notice`).
rewrite() {
	[ "$update" = yes ] || return 0
	cmp -s "$1" "$2" 2>/dev/null && return 0
	if [ -s "$2" ] || [ "$(basename "$1")" != notice ]; then
		cp "$2" "$1"
	else
		[ -f "$1" ] || return 0
		rm -f "$1"
	fi
	updated=$((updated + 1))
	echo "rewrote: $1"
}

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
	rewrite "$dir/output" "$tmp/out"
	rewrite "$dir/notice" "$tmp/err"
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
	if [ -f "$dir/header" ]; then
		(cd "$dir" && "$FLAMETOP" report -i input) 2>"$tmp/err" | grep '^# event:' >"$tmp/out"
		rewrite "$dir/header" "$tmp/out"
		if ! same "$dir/header" "$tmp/out"; then
			not_ok "$name: the text report's event line differs"
			show "$dir/header" "$tmp/out"
		else
			ok "$name header"
		fi
	fi
	[ -f "$dir/lines" ] || continue
	(cd "$dir" && "$FLAMETOP" report -i input --format json --lines) >"$tmp/out" 2>"$tmp/err"
	rc=$?
	rewrite "$dir/lines" "$tmp/out"
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
	rewrite "$dir/error" "$tmp/err"
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
if [ "$update" = yes ]; then
	echo "ERROR: GOLDEN_UPDATE=1 rewrote $updated expected file(s) under $GOLDEN/session:"
	echo "ERROR: review them (git diff), then run this test again without GOLDEN_UPDATE"
	exit 99
fi
[ "$failed" -eq 0 ]
