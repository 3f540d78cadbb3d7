#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Session files never lose what was seen. A recording at 999 Hz that has
# written a flush of samples and sampled 100 ms more, whose workload is
# then stopped (SIGSTOP) until the file holds its samples, and whose
# recorder is then killed with SIGKILL (before which a report says the
# session is still being recorded and holds those samples), leaves a file
# whose report holds every sample of the workload: one per ms of the CPU
# time the workload had used (its own count, in /proc, however busy the
# machine; more by the time the hypervisor took from the CPU it ran on,
# which the sampling clock counts and /proc does not), all in its first
# phase, with exit status 0 and exactly one line on stderr, the notice
# that the recording did not finish. The same file cut in the middle of
# its last chunk loads all the chunks before it and says how many bytes
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
[ -r /proc/self/schedstat ] || skip "no /proc/PID/schedstat (CONFIG_SCHED_INFO) to read a process's CPU time in ns"

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

# has_samples_chunk: $S holds a whole samples chunk (type 4), or the
# recorder is gone.
has_samples_chunk() {
	chunks "$S" | while read -r hs_off hs_clen; do
		[ "$(u32 "$S" "$hs_off")" = 4 ] && echo "$hs_clen"
	done | grep -q . || is_gone "$rpid"
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

# --- SIGKILL once what the workload did is written ----------------------------
echo "+ flametop record -F $F -o $S -- phases 60000   (SIGKILL once the stopped workload's samples are written)"
t0=$(now_ms)
steal0=$(steal_ms)
"$FLAMETOP" record -F "$F" -o "$S" -- "$WORKLOADS/phases" 60000 2>"$T/record.err" &
rpid=$!
ft_bg_pids="$ft_bg_pids $rpid"
# A flush writes a data chunk, a tables chunk and then a samples chunk:
# wait for a whole samples chunk, so that the samples are in two flushes at
# least (the cut below takes the last one away), whatever the load.
wait_recording "$S" 3 "$rpid"
wait_until 60 has_samples_chunk || fail "the recorder wrote no samples chunk in 60 s"
child=$(cat /proc/"$rpid"/task/*/children 2>/dev/null)
# Then 100 ms more of the workload's CPU: samples the next flush writes.
for c in $child; do
	wait_until 10 cpu_past "$c" $(($(cpu_ticks "$c") + $(getconf CLK_TCK) / 10))
done
# Stop the launched command and note its CPU time (in ns from schedstat;
# stat's user and system ticks are each rounded down): no sample comes
# after this. The next chunk the recorder writes holds the
# last of them; then kill the recorder, and end the command too (it
# outlives its recorder).
cpu_ms=0
for c in $child; do
	kill -STOP "$c"
	cpu_ms=$(awk '{ printf "%d", $1 / 1000000 }' "/proc/$c/schedstat")
done
steal=$(($(steal_ms) - steal0))
# Samples of the stopped workload: none come after this; the recorder
# writes the last of them at its next flush (or already did: a flush with
# nothing new writes no chunk, so the chunk count is no sign). Wait until
# the file holds them, then kill it.
low=$((cpu_ms * F * 9 / 10000 - 10))
# has_samples: the file's report counts at least $low samples.
has_samples() {
	"$FLAMETOP" report -i "$S" >"$T/partial.out" 2>/dev/null &&
		[ "$(samples_of "$T/partial.out")" -ge "$low" ]
}
wait_until 60 has_samples || fail "the recorder did not write the stopped workload's samples in 60 s"
# Read while the recorder runs: the session is said to be under way, not
# killed, and what it holds so far is reported.
report live "$S"
assert_eq "$RC" 0 "live: report exit status"
assert_eq "$(wc -l <"$T/live.err")" 1 "live: lines on stderr"
assert_match "$(cat "$T/live.err")" \
	"^flametop: notice: $S: the session is still being recorded; showing the [0-9]+ chunks written so far\$" \
	"live: the one-line notice"
assert_between "$(samples_of "$T/live.out")" "$low" 1000000000 "live: samples reported so far"
kill -KILL "$rpid"
wait "$rpid" 2>/dev/null
elapsed_ms=$(($(now_ms) - t0))
for c in $child; do
	kill -KILL "$c" 2>/dev/null
done
sed 's/^/  record stderr: /' "$T/record.err"
echo "  the workload had used $cpu_ms ms of CPU, the hypervisor took $steal ms from the machine's CPUs; $(session_chunks "$S") whole chunks in the file after ${elapsed_ms} ms"

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
# One sample per ms of the workload's CPU time (within 10%, and 10 ms for
# the stop to take effect), and at most one more per ms that the
# hypervisor took: nothing it did is missing.
assert_between "$n" $((cpu_ms * F * 9 / 10000 - 10)) $(((cpu_ms + steal) * F * 11 / 10000 + 10)) \
	"killed: samples (about $F a CPU-second of the workload's $cpu_ms ms)"
dur=$(sed -n 's/^# samples: [0-9]*, duration: \([0-9.]*\) s.*/\1/p' "$T/killed.out")
# The workload ran for two seconds and more before it was stopped, and no
# sample can come from after the kill.
assert_between "$dur" 1.0 "$(awk -v e="$elapsed_ms" 'BEGIN { print e / 1000 }')" \
	"killed: time of the last sample kept (s)"
if report_json "$S" "$T/killed.json"; then
	assert_eq "$(jq -r '.functions[0].name' "$T/killed.json")" ft_phase_one "killed: the hottest function"
	assert_eq "$(share ft_phase_two "$T/killed.json" total)" 0 "killed: ft_phase_two total % (30 s in)"
fi

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
