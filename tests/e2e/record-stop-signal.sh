#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A stop signal ends a recording at once (doc/flametop.1, record): after
# SIGINT, SIGTERM or SIGHUP reaches record -a or record -p, flametop reads
# what the rings hold and stops, without waiting once more for them. It
# used to look at the signal before its wait, so a signal that cut a wait
# short (or came while samples were being read) was seen only after the
# next wait: with -a, up to a second more of sampling after Ctrl-C. The
# ground truth is the recorder's own system calls (strace): no poll() that
# waits after the signal is delivered, the session is whole, and record
# exits 0. A
# stop signal while record sets up (gdb delivers it) stops it there, with
# no file left.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_workload split
command -v strace >/dev/null 2>&1 || skip "strace is not installed (apt-get install strace)"
strace -o /dev/null true 2>/dev/null || skip "strace cannot trace here (ptrace refused)"

# stops SIG NAME TARGET...: records TARGET under strace, sends SIG to the
# recorder once it has written a data chunk, and checks that it did not
# wait on the rings after the signal came.
stops() {
	sig=$1
	name=$2
	shift 2
	S="$T/$name.session"
	echo "+ strace flametop record $* -o $S; then kill -$sig flametop"
	strace -o "$T/$name.strace" -e trace=poll -e signal="SIG$sig" \
		"$FLAMETOP" record "$@" -o "$S" 2>"$T/$name.err" &
	tracer=$!
	ft_bg_pids="$ft_bg_pids $tracer"
	wait_until 60 pgrep -P "$tracer" >/dev/null || hard_error "$name: flametop did not start"
	rec=$(pgrep -P "$tracer")
	wait_recording "$S" 2 "$rec" || return
	kill "-$sig" "$rec"
	wait "$tracer"
	RC=$?
	sed 's/^/  stderr: /' "$T/$name.err"
	assert_eq "$RC" 0 "$name: record's exit status"
	grep -q "^--- SIG$sig " "$T/$name.strace" || {
		fail "$name: strace saw no SIG$sig: $(tail -n 3 "$T/$name.strace")"
		return
	}
	# A poll() with a zero timeout (the rings read once more) is no wait.
	after=$(sed -n "/^--- SIG$sig /,\$p" "$T/$name.strace" |
		sed -n 's/^poll(.*], [0-9]*, \([0-9-]*\)).*/\1/p' | grep -cv '^0$')
	assert_eq "$after" 0 "$name: waits on the rings after SIG$sig"
	grep -q '^flametop: recorded [0-9]* samples' "$T/$name.err" ||
		fail "$name: no summary line: the recording did not end cleanly"
	"$FLAMETOP" report -i "$S" >"$T/$name.out" 2>"$T/$name.rerr"
	assert_eq "$?" 0 "$name: report of the session"
	assert_eq "$(cat "$T/$name.rerr")" "" "$name: report's stderr (the session is whole)"
}

# --- a stop signal while setting up -----------------------------------------------
# SIGTERM delivered (by gdb) when record has created its output and is
# setting up the sampler (source_live_new): record stops there, says so,
# exits 128 + 15 and leaves no file. It used to die of the signal's default
# action and leave an empty session file that report refuses.
if command -v gdb >/dev/null 2>&1; then
	S="$T/setup.session"
	echo "+ gdb: flametop record -a -o $S, SIGTERM at source_live_new"
	timeout -s KILL 120 gdb -q -batch -ex 'set pagination off' -ex 'break source_live_new' \
		-ex run -ex 'signal SIGTERM' -ex continue --args "$FLAMETOP" record -a -d 10 -o "$S" \
		>"$T/setup.gdb" 2>&1
	if grep -q '^Breakpoint 1, source_live_new' "$T/setup.gdb"; then
		sed -n 's/^\(flametop: .*\|\[Inferior .*\)/  \1/p' "$T/setup.gdb"
		assert_match "$(cat "$T/setup.gdb")" \
			'^flametop: stopped by SIGTERM before sampling started; no session written$' \
			"setup: record says it stopped"
		assert_match "$(cat "$T/setup.gdb")" '\[Inferior 1 \(process [0-9]+\) exited with code 0217\]' \
			"setup: exit status 143 (128 + SIGTERM)"
		if [ -e "$S" ]; then
			fail "setup: a session file was left behind ($(stat -c %s "$S") bytes)"
		else
			pass "setup: no session file left behind"
		fi
	else
		echo "(gdb could not stop flametop at source_live_new: $(tail -n 1 "$T/setup.gdb"))"
	fi
else
	echo "(gdb is not installed: a stop signal while setting up not checked)"
fi

stops INT system-int -a
stops TERM system-term -a
start_bg "$WORKLOADS/split" 0
stops HUP pid-hup -p "$BG_PID"

# --- a stop signal while record is busy: the session ends at its time ------------
# A signal that comes while record is busy (a long read of the rings: the
# first look at every process, a huge map) ended the recording when that
# was done, with what was sampled meanwhile: SIGTERM 20 ms after the start
# of record -a, on a machine with a process of 60000 maps, wrote a 7 s
# session. Here record is held in its first write to stderr (a notice, to
# a pipe that is full) when SIGTERM reaches it; then the process it
# records, stopped until then, runs for a second of CPU; then the pipe is
# read. Every sample of it comes after the signal: the session has none,
# and record did not look its addresses up (strace: it never opened the
# process's maps), for a busy machine made that seconds of work after
# Ctrl-C.
# writing PID: PID sleeps in a write to a pipe (pipe_write, anon_pipe_write).
writing() {
	case $(cat "/proc/$1/wchan" 2>/dev/null) in
	*pipe_write) return 0 ;;
	esac
	return 1
}
# took SIGNUM PID: PID has no SIGNUM pending (its handler ran).
took() {
	awk -v bit="$1" '/^(SigPnd|ShdPnd):/ {
		v = 0; h = $2
		for (i = 1; i <= length(h); i++)
			v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
		if (int(v / 2 ^ (bit - 1)) % 2) pending = 1
	} END { exit pending }' "/proc/$2/status"
}
SPIN=$BG_PID
kill -STOP "$SPIN"
S="$T/late.session"
mkfifo "$T/err.fifo"
exec 3<>"$T/err.fifo"
head -c 65536 /dev/zero >&3
echo "+ flametop record -e task-clock,page-faults -p $SPIN -o $S 2>(a full pipe); kill -TERM"
strace -o "$T/late.strace" -e trace=open,openat \
	"$FLAMETOP" record -e task-clock,page-faults -p "$SPIN" -o "$S" 2>&3 3>&- &
tracer=$!
ft_bg_pids="$ft_bg_pids $tracer"
wait_until 60 pgrep -P "$tracer" >/dev/null || hard_error "late: flametop did not start"
rec=$(pgrep -P "$tracer")
if wait_until 60 writing "$rec"; then
	kill -TERM "$rec"
	wait_until 60 took 15 "$rec" || fail "late: SIGTERM still pending after 60 s"
	ticks=$(cpu_ticks "$SPIN")
	kill -CONT "$SPIN"
	wait_until 120 cpu_past "$SPIN" $((ticks + $(getconf CLK_TCK))) ||
		fail "late: pid $SPIN did not get a second of CPU in 120 s"
	kill -STOP "$SPIN"
else
	fail "late: record never wrote to its stderr"
	kill -TERM "$rec"
fi
tr -d '\000' <"$T/err.fifo" >"$T/late.err" 3>&- &
reader=$!
exec 3>&-
wait "$tracer"
RC=$?
wait "$reader"
sed 's/^/  stderr: /' "$T/late.err"
assert_eq "$RC" 0 "late: record's exit status"
assert_eq "$(report_samples "$S")" 0 "late: samples in the session, all taken after SIGTERM"
# Nor were they symbolized, to be dropped: the process's maps never read.
assert_eq "$(grep -c "/proc/$SPIN/\\(maps\\|map_files\\)" "$T/late.strace")" 0 \
	"late: opens of pid $SPIN's maps (for samples after SIGTERM)"
kill -KILL "$SPIN"
finish
