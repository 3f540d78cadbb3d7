#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `flametop import` refuses what it cannot read with one line on stderr
# and leaves no session behind: usage mistakes (exit 2), files that are
# missing, directories or devices, content of no known format, weights
# that add up past 2^63 - 1 over all inputs, and inputs over the caps (a
# line over 1 MiB, a gzipped profile inflating past 256 MiB), in bounded
# memory. A file in the way is kept unless --force. And a large input goes
# through in bounded memory: a 100 MiB perf script, fed through a pipe,
# imports with a peak far below its size.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

# run NAME ARGS...: flametop import ARGS, inside $T; RC, $T/NAME.err.
run() {
	name=$1
	shift
	echo "+ flametop import $*"
	(cd "$T" && timeout -s KILL 120 "$FLAMETOP" import "$@") >"$T/$name.out" 2>"$T/$name.err"
	RC=$?
	sed 's/^/  stderr: /' "$T/$name.err" | head -n 3
}

# refused NAME STATUS REGEX ARGS...: the import fails with STATUS, one
# error line matching REGEX, and no out.session.
refused() {
	name=$1
	status=$2
	regex=$3
	shift 3
	rm -f "$T/out.session"
	run "$name" "$@"
	assert_eq "$RC" "$status" "$name: exit status"
	assert_one_error_line "$T/$name.err" "$name"
	assert_match "$(error_line "$T/$name.err")" "$regex" "$name: the message"
	if [ -e "$T/out.session" ] || ls "$T"/out.session.partial-* >/dev/null 2>&1; then
		fail "$name: a session file was left behind"
	fi
}

printf 'main;a 1\n' >"$T/ok.folded"
refused no-input 2 'needs at least one input' -o out.session
refused no-output 2 'needs a session file to write: -o FILE' ok.folded
refused bad-format 2 "--format: 'svg' is not one of" --format svg ok.folded -o out.session
refused two-stdin 2 'standard input \(-\) can be read once' - - -o out.session
refused bad-option 2 "unknown option '--nope'" --nope ok.folded -o out.session
refused missing 1 '^flametop: nope\.txt: No such file or directory$' nope.txt -o out.session
mkdir "$T/adir"
refused directory 1 '^flametop: adir: is a directory$' adir -o out.session
refused device 1 '^flametop: /dev/zero: not a regular file or a pipe$' /dev/zero -o out.session
printf '\177ELF\2\1\1\0\0\0\0\0\0\0\0\0\3\0>\0' >"$T/elf"
refused unknown 1 "^flametop: elf: not a format flametop imports" elf -o out.session
refused second-bad 1 '^flametop: elf: not a format' ok.folded elf -o out.session

# Weights that add up past 2^63 - 1, a session's limit, over two inputs.
printf 'main;a 9223372036854775800\n' >"$T/big1.folded"
printf 'main;b 8\n' >"$T/big2.folded"
refused weight-total 1 \
	'^flametop: big2\.folded:1: the weights .* past 2\^63 - 1 \(with the inputs before it\)$' \
	big1.folded big2.folded -o out.session

# A line over the cap, read in bounded memory.
{ printf 'main;'; head -c 1100000 /dev/zero | tr '\0' 'x'; printf ' 1\n'; } >"$T/long.folded"
refused long-line 1 '^flametop: long\.folded:1: line longer than 1048576 bytes$' long.folded -o out.session

# A gzip bomb: 300 MiB of zeros, read whole as pprof, stops at the cap.
head -c 314572800 /dev/zero | gzip -1 >"$T/bomb.pb.gz"
refused gzip-bomb 1 '^flametop: bomb\.pb\.gz: larger than 268435456 bytes once inflated' \
	--format pprof bomb.pb.gz -o out.session

# A file in the way.
echo "not a session" >"$T/keep.session"
refused exists 1 'keep\.session: file exists \(use --force to replace it\)' ok.folded -o keep.session
assert_eq "$(cat "$T/keep.session")" "not a session" "the file in the way is untouched"
run force --force ok.folded -o keep.session
assert_eq "$RC" 0 "--force replaces it"
"$FLAMETOP" report -i "$T/keep.session" --format folded >"$T/keep.folded" 2>&1
assert_eq "$(cat "$T/keep.folded")" "main;a 1" "the replacement is the new session"

# A failed import of a file in the way (--force) keeps the old file.
refused force-bad 1 '^flametop: elf: not a format' --force elf -o keep.session
"$FLAMETOP" report -i "$T/keep.session" --format folded >"$T/keep.folded" 2>&1
assert_eq "$(cat "$T/keep.folded")" "main;a 1" "a failed --force import keeps the old session"

# 100 MiB of perf script through a pipe (some 400 distinct stacks, more
# samples than the sink holds in memory: the spool is used), in bounded
# memory.
awk 'BEGIN {
	for (i = 0; i < 300000; i++) {
		printf "app %d/%d %d.%06d: 1001001 cpu-clock:\n", 100 + i % 4, 100 + i % 4, 10 + int(i / 1000), i % 1000000
		for (d = 0; d < 8; d++)
			printf "\t%x fn_%d_%d+0x%x (/usr/lib/libapp.so)\n", 4096 + d * 64 + i % 50, d, ((i % 97) * 7 + d) % 500, i % 64
		printf "\t%x main+0x12 (/usr/bin/app)\n\n", 1024
	}
}' >"$T/big.txt"
size=$(wc -c <"$T/big.txt")
echo "+ cat big.txt ($size bytes) | flametop import -"
(cd "$T" && cat big.txt | "$FLAMETOP" import - -o big.session) 2>"$T/big.err"
RC=$?
cat "$T/big.err"
assert_eq "$RC" 0 "a large perf script through a pipe: exit status"
assert_match "$(cat "$T/big.err")" 'imported 300000 samples' "every sample imported"
peak=$(sed -n 's/.*peak memory \([0-9.]*\) MiB.*/\1/p' "$T/big.err")
assert_between "$peak" 1 48 "peak memory (MiB) importing $((size / 1048576)) MiB"

finish
