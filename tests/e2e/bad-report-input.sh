#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# flametop report refuses files that are not sessions it can read: missing,
# empty, a directory, random bytes, text, a wrong magic, a wrong major
# version, cut inside the headers. Each is one line "flametop: ..." naming
# the file and what is wrong, and exit status 1. Damage past the first data
# chunk (a cut or flipped bytes) either loads what is intact or is refused
# the same way; it never crashes. Usage errors exit 2. replay refuses the
# files that were never sessions the same way, terminal or not.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_jq

# expect_bad NAME FILE PATTERN: report -i FILE fails with status 1 and one
# line naming FILE and matching PATTERN (case-insensitive).
expect_bad() {
	for fmt in text json; do
		"$FLAMETOP" report -i "$2" --format "$fmt" >"$T/$1.out" 2>"$T/$1.err"
		rc=$?
		assert_eq "$rc" 1 "$1 (--format $fmt): exit status"
		assert_one_error_line "$T/$1.err" "$1 (--format $fmt)"
		line=$(error_line "$T/$1.err")
		if printf '%s\n' "$line" | grep -Fq -- "$2" && printf '%s\n' "$line" | grep -Eiq -- "$3"; then
			pass "$1 (--format $fmt): the error names the file and says /$3/"
		else
			fail "$1 (--format $fmt): '$line' does not name $2 and match /$3/"
		fi
		[ -s "$T/$1.out" ] && fail "$1 (--format $fmt): printed a report on stdout: $(head -c 200 "$T/$1.out")"
	done
}

# expect_no_crash NAME FILE: report -i FILE either succeeds with a valid
# JSON report or fails with status 1 and one error line.
expect_no_crash() {
	"$FLAMETOP" report -i "$2" --format json >"$T/$1.out" 2>"$T/$1.err"
	rc=$?
	case $rc in
	0)
		if jq -e '.total >= 0' "$T/$1.out" >/dev/null 2>&1; then
			pass "$1: loads what is intact ($(jq .total "$T/$1.out") of $(jq .total "$T/good.json"))"
		else
			fail "$1: exit 0 without a valid JSON report"
		fi
		;;
	1) assert_one_error_line "$T/$1.err" "$1" ;;
	*) fail "$1: exit status $rc (a crash?): $(head -c 300 "$T/$1.err")" ;;
	esac
}

# --- files that were never sessions --------------------------------------------
expect_bad missing "$T/no-such.session" 'no such file|not found|does not exist'
: >"$T/empty.session"
expect_bad empty "$T/empty.session" 'empty'
mkdir "$T/dir.session"
expect_bad directory "$T/dir.session" 'directory'
head -c 65536 /dev/urandom >"$T/random.session"
# (A random file starting with the magic is astronomically unlikely.)
expect_bad random "$T/random.session" 'not a flametop session|magic'
printf 'this is a text file\nnot a session\n' >"$T/text.session"
expect_bad text "$T/text.session" 'not a flametop session|magic'
printf 'FLAMETOP' >"$T/magic-only.session"
expect_bad magic-only "$T/magic-only.session" 'truncated'

# The explorer opens the session before it looks for a terminal: the same
# refusal from replay and -i, not a complaint about the terminal (there is
# none here). A session it can open, without a terminal, is told to go to
# report -i.
for f in no-such empty random text magic-only; do
	for how in "replay" "-i"; do
		"$FLAMETOP" "$how" "$T/$f.session" </dev/null >"$T/replay.out" 2>"$T/replay.err"
		assert_eq "$?" 1 "$how $f: exit status"
		assert_one_error_line "$T/replay.err" "$how $f"
		assert_match "$(error_line "$T/replay.err")" "^flametop: $T/$f\.session: " \
			"$how $f: the error names the file, not the terminal"
	done
done
printf 'main;work 3\n' >"$T/in.folded"
"$FLAMETOP" import "$T/in.folded" -o "$T/folded.session" 2>"$T/import.err" ||
	hard_error "cannot import a session: $(cat "$T/import.err")"
for how in "replay" "-i"; do
	"$FLAMETOP" "$how" "$T/folded.session" </dev/null >"$T/replay.out" 2>"$T/replay.err"
	assert_eq "$?" 1 "$how a session without a terminal: exit status"
	assert_eq "$(cat "$T/replay.err")" \
		"flametop: the explorer needs a terminal; 'flametop report -i FILE' reads a session without one" \
		"$how a session without a terminal: points to report -i"
done

# --- a real session, damaged ------------------------------------------------------
# Damaged sessions are made from a real one, which takes root and perf events.
if [ "$(id -u)" -ne 0 ] || [ ! -r /proc/sys/kernel/perf_event_paranoid ]; then
	echo "SKIP (the rest): recording a session to damage needs root and perf events"
	finish
fi
need_workload split
run_record good -F 499 -o "$T/good.session" -- "$WORKLOADS/split" 1000
assert_record_ok good "$T/good.session"
report_json "$T/good.session" "$T/good.json" || finish
assert_between "$(total_of "$T/good.json")" 1 1e15 "good: the undamaged session has samples"
size=$(stat -c %s "$T/good.session")

# put_u16 FILE OFFSET VALUE: writes a little-endian u16 in place.
put_u16() {
	# shellcheck disable=SC2059 # the format is the two octal escapes
	printf "$(printf '\\%03o\\%03o' $(($3 & 255)) $(($3 >> 8)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

cp "$T/good.session" "$T/v2.session"
put_u16 "$T/v2.session" 8 2
put_u16 "$T/v2.session" 10 0
expect_bad wrong-version "$T/v2.session" 'version 2\.0'
cp "$T/good.session" "$T/v0.session"
put_u16 "$T/v0.session" 8 0
put_u16 "$T/v0.session" 10 0
expect_bad version-zero "$T/v0.session" 'version 0\.0'

cp "$T/good.session" "$T/badmagic.session"
printf 'FLAMETOQ' | dd of="$T/badmagic.session" bs=1 conv=notrunc status=none
expect_bad bad-magic "$T/badmagic.session" 'not a flametop session|magic'

head -c 12 "$T/good.session" >"$T/cut12.session"
expect_bad cut-in-file-header "$T/cut12.session" 'truncated'
head -c 24 "$T/good.session" >"$T/cut24.session"
expect_bad cut-in-header-chunk "$T/cut24.session" 'truncated'

head -c $((size / 2)) "$T/good.session" >"$T/half.session"
expect_no_crash cut-in-half "$T/half.session"
head -c $((size - 1)) "$T/good.session" >"$T/minus1.session"
expect_no_crash cut-last-byte "$T/minus1.session"
for at in 16 40 $((size / 3)) $((size / 2)) $((size - 8)); do
	cp "$T/good.session" "$T/flip.session"
	printf '\377\000\377\000' | dd of="$T/flip.session" bs=1 seek="$at" conv=notrunc status=none
	expect_no_crash "bytes-flipped-at-$at" "$T/flip.session"
done

# --- usage errors --------------------------------------------------------------
"$FLAMETOP" report >/dev/null 2>"$T/noi.err"
assert_eq "$?" 2 "report without -i: exit status"
assert_one_error_line "$T/noi.err" "report without -i"
"$FLAMETOP" report -i "$T/good.session" --format nosuchformat >/dev/null 2>"$T/fmt.err"
assert_eq "$?" 2 "report --format nosuchformat: exit status"
assert_one_error_line "$T/fmt.err" "report --format nosuchformat"
"$FLAMETOP" report -i "$T/good.session" --top notanumber >/dev/null 2>"$T/top.err"
assert_eq "$?" 2 "report --top notanumber: exit status"
assert_one_error_line "$T/top.err" "report --top notanumber"

finish
