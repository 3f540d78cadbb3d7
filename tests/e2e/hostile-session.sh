#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Hostile session files (issue 9): well framed (right lengths, checksums
# and zlib streams) but built to cost far more than their size. Before,
# 250 KB of zlib inflated to 250 MiB of JSON that the parser turned into
# gigabytes; a thousand tiny chunks of zero samples kept gigabytes of
# samples; 30 KB of a tables chunk (1.6) would make 15 million call-tree
# nodes. Now each must give exit 1 and one line saying what is wrong, in
# well under a second of CPU and with the data segment limited to 256 MiB
# (ulimit -d: a reader that tried to allocate more would die instead of
# answering), and a peak RSS under 256 MiB. The same through a pipe,
# which the reader copies to a temporary file first (and an endless pipe
# of something else is refused at its first bytes). A small valid file passes the same checks,
# and a session whose weights add up past 2^63 - 1 is refused (sums over
# it would wrap). `report --lines` on a session whose code is in a FIFO or
# a device (paths a session file names) neither hangs nor opens them: the
# lines are unknown, with a notice.
#
# The files come from tests/unit/hostile_session_gen.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

GEN=$(dirname "$FLAMETOP")/tests/unit/hostile_session_gen
[ -x "$GEN" ] || hard_error "$GEN is not built"
[ -x /usr/bin/time ] || skip "/usr/bin/time is not installed (apt-get install time): no peak RSS"

# A sanitizer build (ASan maps terabytes of shadow memory) cannot run
# under ulimit -d, and its memory and time are not flametop's: there the
# limits are not checked, only the answers.
LIMITS=yes
if ! (ulimit -d 262144 && "$FLAMETOP" --version) >/dev/null 2>&1; then
	LIMITS=
	echo "note: this flametop cannot run under ulimit -d (a sanitizer build?): memory and time not checked"
fi

# check_case CASE REGEX [VIA]: `flametop report -i` on the CASE file (VIA
# "pipe": from a pipe) exits 1 with one line matching REGEX, within 1 s of
# CPU and 256 MiB. REGEX "" means: loads, exit 0.
check_case() {
	case=$1
	want=$2
	via=${3:-file}
	f=$T/$case.session
	[ -f "$f" ] || "$GEN" "$case" "$f" || hard_error "cannot generate $case"
	echo "+ flametop report -i $case.session ($(wc -c <"$f") bytes, via $via)"
	if [ "$via" = pipe ]; then
		(if [ -n "$LIMITS" ]; then ulimit -d 262144; fi
		 cat "$f" | /usr/bin/time -f '%U %S %M' -o "$T/$case.time" \
			timeout -s KILL 30 "$FLAMETOP" report -i /dev/stdin >"$T/$case.out" 2>"$T/$case.err")
	else
		(if [ -n "$LIMITS" ]; then ulimit -d 262144; fi
		 /usr/bin/time -f '%U %S %M' -o "$T/$case.time" \
			timeout -s KILL 30 "$FLAMETOP" report -i "$f" >"$T/$case.out" 2>"$T/$case.err")
	fi
	rc=$?
	sed 's/^/  stderr: /' "$T/$case.err"
	grep -v '^Command' "$T/$case.time" >"$T/$case.t"
	read -r user sys rss_kib <"$T/$case.t"
	echo "  exit $rc, cpu ${user}+${sys} s, peak RSS ${rss_kib} KiB"
	if [ -z "$want" ]; then
		assert_eq "$rc" 0 "$case ($via): loads"
	else
		assert_eq "$rc" 1 "$case ($via): exit status"
		assert_one_error_line "$T/$case.err" "$case ($via)"
		assert_match "$(error_line "$T/$case.err")" "$want" "$case ($via): says what is wrong"
		assert_eq "$(wc -c <"$T/$case.out")" 0 "$case ($via): nothing on stdout"
	fi
	if [ -n "$LIMITS" ]; then
		assert_between "$(echo "$user $sys" | awk '{ print $1 + $2 }')" 0 1 "$case ($via): CPU seconds"
		assert_between "$rss_kib" 0 262144 "$case ($via): peak RSS (KiB)"
	fi
}

check_case fine ""
check_case fine "" pipe
check_case bomb '^flametop: .*bomb\.session: chunk 2 at offset 119: the session inflates to more than [0-9]+ MiB from its first [0-9]+ bytes \(a decompression bomb\?\)$'
check_case bomb '^flametop: /dev/stdin: chunk 2 at offset 119: the session inflates to more than' pipe
check_case expansion '^flametop: .*expansion\.session: chunk 2 at offset 119: the session holds more than [0-9]+ JSON values in its first [0-9]+ bytes \(a hostile file\?\)$'
check_case objects '^flametop: .*objects\.session: chunk 2 at offset 119: loading it would take more than [0-9]+ MiB of memory for the first [0-9]+ bytes of the session \(a hostile file\?\)$'
check_case tables '^flametop: .*tables\.session: chunk 3 at offset [0-9]+: the session holds more than [0-9]+ table entries in its first [0-9]+ bytes \(a hostile file\?\)$'
check_case many-chunks '^flametop: .*many-chunks\.session: chunk [0-9]+ at offset [0-9]+: the session holds more than [0-9]+ JSON values in its first [0-9]+ bytes \(a hostile file\?\)$'
check_case many-chunks '^flametop: /dev/stdin: chunk [0-9]+ at offset [0-9]+: the session holds more than' pipe
check_case weights '^flametop: .*weights\.session: chunk 2 at offset 119: sample 1: the weights of the samples add up past 2\^63 - 1$'

# --- a pipe is copied to a temporary file, but only a session ------------------------
# An endless stream of something else stops at its first bytes: it neither
# hangs nor fills the disk with a copy.
echo "+ yes | flametop report -i /dev/stdin"
yes | timeout -s KILL 30 "$FLAMETOP" report -i /dev/stdin >"$T/yes.out" 2>"$T/yes.err"
rc=$?
sed 's/^/  stderr: /' "$T/yes.err"
assert_eq "$rc" 1 "an endless pipe of something else: exit status"
assert_match "$(error_line "$T/yes.err")" '^flametop: /dev/stdin: not a flametop session \(bad magic\)$' \
	"an endless pipe of something else: says what it is"

# --- report --lines: the module a session names is a FIFO, a device ----------------
mkfifo "$T/libhostile.so"
for module in "$T/libhostile.so" /dev/zero; do
	rm -f "$T/lines.session"
	"$GEN" lines "$T/lines.session" "$module" || hard_error "cannot generate the lines case"
	echo "+ flametop report --lines -i lines.session   (module $module)"
	timeout -s KILL 30 "$FLAMETOP" report --lines --format json -i "$T/lines.session" \
		>"$T/lines.out" 2>"$T/lines.err"
	rc=$?
	sed 's/^/  stderr: /' "$T/lines.err"
	assert_eq "$rc" 0 "lines $module: report ends (no hang), exit status"
	assert_match "$(cat "$T/lines.err")" "^flametop: notice: $module: not a regular file; its source lines are shown as \\?:0\$" \
		"lines $module: a notice says why"
	assert_match "$(cat "$T/lines.out")" '"lines": \[\{"file": null, "line": 0, "name": "hostile_fn"' \
		"lines $module: the line is unknown"
done
[ -p "$T/libhostile.so" ] && pass "lines: the FIFO is still there, unopened" || fail "lines: the FIFO is gone"

finish
