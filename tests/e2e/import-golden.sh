#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Golden import cases, the jansson way, one directory per case:
#
#   $GOLDEN/import/<format>/valid/<case>/input    a file in that format
#   $GOLDEN/import/<format>/valid/<case>/output   what the imported session
#       reports: for each event named in the case's `events` file (one per
#       line; without the file, the session's first event), a line
#       "== EVENT (UNIT)" and `flametop report --format folded` of it
#   $GOLDEN/import/<format>/invalid/<case>/input
#   $GOLDEN/import/<format>/invalid/<case>/error  the one line on stderr
#
# A valid case must import with --format <format> and, detected from its
# content, without it, to the same output; an invalid case must fail with
# exit status 1, exactly its error line, and no session file left behind.
# Commands run inside the case's directory, so messages name the file
# "input".
#
# After a deliberate change, GOLDEN_UPDATE=1 rewrites `output` and `error`
# from what the binary prints now (review the diff before committing);
# such a run checks nothing and says so: it exits 77, never PASS.
#
# Exit status: 0 all passed, 1 a case failed, 77 skipped (and why).

if [ -z "$FLAMETOP" ] || [ ! -x "$FLAMETOP" ]; then
	echo "SKIP: \$FLAMETOP is not an executable flametop ('$FLAMETOP')"
	exit 77
fi
if [ -z "$GOLDEN" ] || [ ! -d "$GOLDEN/import" ]; then
	echo "SKIP: no golden import cases under \$GOLDEN ('$GOLDEN')"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/golden-import.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0
updated=0

ok() {
	passed=$((passed + 1))
	echo "ok: $1"
}

not_ok() {
	failed=$((failed + 1))
	echo "FAIL: $1"
}

# report SESSION EVENTS_FILE: the case's output format, on stdout.
report() {
	if [ -f "$2" ]; then
		while IFS= read -r ev; do
			[ -n "$ev" ] || continue
			unit=$("$FLAMETOP" report -i "$1" --format json --event "$ev" |
				sed -n 's/.*"unit": "\([^"]*\)".*/\1/p')
			echo "== $ev ($unit)"
			"$FLAMETOP" report -i "$1" --format folded --event "$ev" || return 1
			echo
		done <"$2"
	else
		"$FLAMETOP" report -i "$1" --format folded || return 1
		echo
	fi
}

# import_case DIR OUT [FORMAT]: imports DIR/input into OUT; sets rc, $tmp/err.
import_case() {
	rm -f "$2"
	if [ -n "${3:-}" ]; then
		(cd "$1" && "$FLAMETOP" import --format "$3" input -o "$2") 2>"$tmp/err" >/dev/null
	else
		(cd "$1" && "$FLAMETOP" import input -o "$2") 2>"$tmp/err" >/dev/null
	fi
	rc=$?
}

for fdir in "$GOLDEN"/import/*/; do
	format=$(basename "$fdir")
	for dir in "$fdir"valid/*/; do
		[ -f "$dir/input" ] || continue
		name="$format/valid/$(basename "$dir")"
		import_case "$dir" "$tmp/s" "$format"
		if [ "$rc" -ne 0 ]; then
			not_ok "$name: import exit status $rc: $(head -c 300 "$tmp/err")"
			continue
		fi
		if ! report "$tmp/s" "$dir/events" >"$tmp/out" 2>"$tmp/rerr"; then
			not_ok "$name: report failed: $(head -c 300 "$tmp/rerr")"
			continue
		fi
		if [ -n "$GOLDEN_UPDATE" ]; then
			cp "$tmp/out" "$dir/output"
			updated=$((updated + 1))
			continue
		fi
		if [ ! -f "$dir/output" ]; then
			not_ok "$name: no expected output file"
		elif ! cmp -s "$dir/output" "$tmp/out"; then
			not_ok "$name: output differs"
			diff -u "$dir/output" "$tmp/out" | head -n 20
		else
			ok "$name"
		fi
		# The same file, its format detected.
		import_case "$dir" "$tmp/d"
		if [ "$rc" -ne 0 ]; then
			not_ok "$name (detected): exit status $rc: $(head -c 300 "$tmp/err")"
		elif ! report "$tmp/d" "$dir/events" >"$tmp/dout" 2>/dev/null ||
			! cmp -s "$tmp/out" "$tmp/dout"; then
			not_ok "$name (detected): output differs from --format $format"
		else
			ok "$name (detected)"
		fi
	done
	for dir in "$fdir"invalid/*/; do
		[ -f "$dir/input" ] || continue
		name="$format/invalid/$(basename "$dir")"
		import_case "$dir" "$tmp/s" "$format"
		if [ -n "$GOLDEN_UPDATE" ]; then
			cp "$tmp/err" "$dir/error"
			updated=$((updated + 1))
			continue
		fi
		if [ "$rc" -ne 1 ]; then
			not_ok "$name: exit status $rc, expected 1: $(head -c 300 "$tmp/err")"
		elif [ -e "$tmp/s" ]; then
			not_ok "$name: a session file was left behind"
		elif [ ! -f "$dir/error" ]; then
			not_ok "$name: no expected error file"
		elif ! cmp -s "$dir/error" "$tmp/err"; then
			not_ok "$name: error differs"
			diff -u "$dir/error" "$tmp/err" | head -n 20
		elif [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
			not_ok "$name: the error is not one line"
		else
			ok "$name"
		fi
	done
done

if [ -n "$GOLDEN_UPDATE" ]; then
	echo "SKIP: GOLDEN_UPDATE=1 rewrote $updated expected files and checked nothing;" \
		"review the diff, then run again without it"
	exit 77
fi
echo "$passed passed, $failed failed"
if [ $((passed + failed)) -eq 0 ]; then
	echo "SKIP: no cases found under $GOLDEN/import"
	exit 77
fi
[ "$failed" -eq 0 ]
