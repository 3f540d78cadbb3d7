#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Session files never lose what was seen. A recorder killed with SIGKILL
# once it has written two seconds of a recording at 999 Hz (the chunks it
# writes each second) leaves a file whose report holds those chunks: the
# samples of the workload's CPU time up to the last second written (the
# workload's own CPU time, read from /proc, tells how many, however busy
# the machine), the last of them at least 1.5 s in, with exit status 0 and
# exactly one line on stderr, the notice that the recording did not finish. The same file cut in the middle
# of its last chunk loads all the chunks before it and says how many bytes
# it skipped; a bit flipped in a chunk followed by others is an error naming
# the chunk and its offset; a bit flipped in the last chunk reads as a torn
# last write and loads the rest. Messages are compared whole, in the words
# of the golden cases (tests/golden/session/).
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload phases

F=999
S="$T/killed.session"

# u32 FILE OFFSET: the little-endian u32 at OFFSET.
u32() {
	od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '
}

# chunks FILE: "OFFSET CLEN" of each whole chunk, in order.
chunks() {
	size=$(stat -c %s "$1")
	off=16
	while [ $((off + 16)) -le "$size" ]; do
		clen=$(u32 "$1" $((off + 4)))
		[ $((off + 16 + clen)) -le "$size" ] || break
		echo "$off $clen"
		off=$((off + 16 + clen))
	done
}

# flip FILE OFFSET: flips bit 4 of the byte at OFFSET.
flip() {
	v=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059 # the format is the octal escape
	printf "\\$(printf %o $((v ^ 16)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# report NAME FILE: runs the text report of FILE; stdout, stderr and the
# exit status in $T/NAME.out, $T/NAME.err and RC.
report() {
	echo "+ flametop report -i $2"
	"$FLAMETOP" report -i "$2" >"$T/$1.out" 2>"$T/$1.err"
	RC=$?
	sed 's/^/  stderr: /' "$T/$1.err"
}

# samples_of FILE: the "# samples: N" of a text report.
samples_of() {
	sed -n 's/^# samples: \([0-9]*\),.*/\1/p' "$1"
}

# --- SIGKILL once two seconds are written -------------------------------------
echo "+ flametop record -F $F -o $S -- phases 60000   (SIGKILL once it has written 2 s)"
"$FLAMETOP" record -F "$F" -o "$S" -- "$WORKLOADS/phases" 60000 2>"$T/record.err" &
rpid=$!
ft_bg_pids="$ft_bg_pids $rpid"
# The header and two data chunks: what was flushed at 1 s and at 2 s.
wait_recording "$S" 3 "$rpid"
# The launched command outlives its recorder; end it too, and note its CPU
# time (clock ticks) at the kill.
child=$(cat /proc/"$rpid"/task/*/children 2>/dev/null)
ticks=0
for c in $child; do
	ticks=$(awk '{ print $14 + $15 }' "/proc/$c/stat" 2>/dev/null || echo 0)
done
kill -KILL "$rpid"
wait "$rpid" 2>/dev/null
for c in $child; do
	kill -KILL "$c" 2>/dev/null
done
sed 's/^/  record stderr: /' "$T/record.err"
cpu_ms=$((ticks * 1000 / $(getconf CLK_TCK)))
echo "  the workload had used $cpu_ms ms of CPU at the kill; $(session_chunks "$S") whole chunks in the file"

if [ ! -s "$S" ]; then
	fail "killed: no session file"
	finish
fi
assert_eq "$(stat -c %a "$S")" 600 "killed: session file mode"
report killed "$S"
assert_eq "$RC" 0 "killed: report exit status"
assert_eq "$(wc -l <"$T/killed.err")" 1 "killed: lines on stderr"
assert_match "$(cat "$T/killed.err")" \
	"^flametop: notice: $S: the recording did not finish \\(the recorder was killed\\?\\); loaded [0-9]+ chunks, skipped [0-9]+ bytes at the end\$" \
	"killed: the one-line notice"
n=$(samples_of "$T/killed.out")
# One sample per ms of the workload's CPU time, except for what it used
# after the last chunk was written (chunks are a second apart, and the kill
# came a moment after one was seen) and the tick the CPU time is counted in.
assert_between "$n" $(((cpu_ms - 1100) * F * 85 / 100000)) $(((cpu_ms + 20) * F * 11 / 10000 + 10)) \
	"killed: samples (about $F a CPU-second of the workload's $cpu_ms ms, less the last second)"
dur=$(sed -n 's/^# samples: [0-9]*, duration: \([0-9.]*\) s.*/\1/p' "$T/killed.out")
# What was flushed at 2 s is there; the kill came a moment after the chunk
# was seen, so perhaps the next second's chunk too.
assert_between "$dur" 1.5 "$(session_chunks "$S")" "killed: time of the last sample kept (s)"
report_json "$S" "$T/killed.json" &&
	assert_between "$(share ft_phase_one "$T/killed.json")" 90 100 "killed: ft_phase_one self % (the first phase)"

# --- cut in the middle of the last chunk ----------------------------------------
chunks "$S" >"$T/chunks"
nchunks=$(wc -l <"$T/chunks")
if [ "$nchunks" -lt 3 ]; then
	fail "killed: expected a header and at least 2 data chunks, got $nchunks chunk(s)"
	finish
fi
set -- $(tail -n 1 "$T/chunks")
last_off=$1
last_clen=$2
set -- $(sed -n 2p "$T/chunks")
second_off=$1
cut=$((last_off + 16 + last_clen / 2))
C="$T/cut.session"
head -c "$cut" "$S" >"$C"
report cut "$C"
assert_eq "$RC" 0 "cut: report exit status"
assert_eq "$(cat "$T/cut.err")" \
	"flametop: notice: $C: the recording did not finish (the recorder was killed?); loaded $((nchunks - 1)) chunks, skipped $((cut - last_off)) bytes at the end" \
	"cut: the notice"
m=$(samples_of "$T/cut.out")
if [ -n "$m" ] && [ -n "$n" ] && [ "$m" -gt 0 ] && [ "$m" -lt "$n" ]; then
	pass "cut: $m samples, fewer than the $n of the whole file"
else
	fail "cut: expected between 1 and $n samples, got '$m'"
fi

# --- a bit flipped in a chunk that others follow: an error -----------------------
B="$T/flipped.session"
cp "$S" "$B"
flip "$B" $((second_off + 16 + 5))
report flipped "$B"
assert_eq "$RC" 1 "flipped: report exit status"
assert_eq "$(cat "$T/flipped.err")" "flametop: $B: chunk 2 at offset $second_off is corrupt (checksum mismatch)" \
	"flipped: the error"
assert_eq "$(wc -c <"$T/flipped.out")" 0 "flipped: bytes on stdout"

# --- a bit flipped in the last chunk: a torn last write, the rest loads -----------
L="$T/torn.session"
cp "$S" "$L"
flip "$L" $((last_off + 16 + last_clen / 2))
report torn "$L"
assert_eq "$RC" 0 "torn: report exit status"
assert_eq "$(cat "$T/torn.err")" \
	"flametop: notice: $L: the recording did not finish (the recorder was killed?); loaded $((nchunks - 1)) chunks, skipped $((16 + last_clen)) bytes at the end" \
	"torn: the notice"

finish
