#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The live view with a launched command exits as record does
# (doc/flametop.1, EXIT STATUS): with the command's status once it has
# ended (0, N, 128 plus a signal); 127 and 126, with one line naming the
# command, when it cannot be found or executed; 0 when the user quits
# while it runs, after sending it SIGTERM. A signal that ends the explorer
# (SIGTERM, SIGHUP, Ctrl-C's SIGINT) is passed on to the command, and the
# explorer then exits with the command's status. t5-signals writes down
# the signal that reached it. What a command wrote is kept in a file that
# the explorer names at the end.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"
# shellcheck source=tests/e2e/wait.lib
. "$(dirname "$TESTLIB")/wait.lib"

need_root
need_perf_events
need_tmux
need_workload t5-signals

ENV="HOME='$T' XDG_CONFIG_HOME='$T/config' TMPDIR='$T' XDG_RUNTIME_DIR="
mkdir -p "$T/config"

# live NAME COMMAND...: the explorer on COMMAND in a 120x30 pane, stderr
# to $T/NAME.err.
live() {
	name=$1
	shift
	tui_start "$name" 120 30 "$ENV '$FLAMETOP' -F 199 -- $* 2>'$T/$name.err'"
}

# ended NAME STATUS COMMAND: the command ends by itself; q then exits with
# its status.
ended() {
	name=$1
	want=$2
	live "$name" "$3"
	assert_screen "$name" 'the target exited' "$name: the view says the command ended"
	tui_keys "$name" q
	if tui_exit "$name"; then
		assert_eq "$RC" "$want" "$name: exit status after q"
	else
		fail "$name: still running 30 s after q"
	fi
	assert_restored "$name" "$name"
}

ended exit0 0 "sh -c 'exit 0'"

# A command that exits leaving a process it started running: the view
# says so, naming it (record's notice does too); it used to say only that
# the target exited.
live left "sh -c 'sleep 300 & echo \$! >$T/left.pid'"
wait_until 30 test -s "$T/left.pid" || hard_error "left: the command did not say its child's pid"
left=$(cat "$T/left.pid")
ft_bg_pids="$ft_bg_pids $left"
assert_screen left "the target exited, leaving 1 process it started running, unsampled \\(pid $left\\)" \
	"left: the view names the process the command left running"
tui_keys left q
tui_exit left || fail "left: still running 30 s after q"
kill "$left"
ended exit7 7 "sh -c 'exit 7'"
ended killed 137 "sh -c 'kill -KILL \$\$'"

# What the command wrote is kept, and named once the terminal is back;
# nothing is said (and nothing kept) for a command that wrote nothing.
ended talk 3 "sh -c 'echo to-stdout; echo to-stderr >&2; exit 3'"
kept=$(sed -n 's/^flametop: sh wrote 20 bytes of output, kept in \(.*\)$/\1/p' "$T/talk.err")
if [ -n "$kept" ] && [ -f "$kept" ]; then
	assert_eq "$(cat "$kept")" "$(printf 'to-stdout\nto-stderr')" "talk: the file it names holds the output"
else
	fail "talk: no line names the kept output: $(cat "$T/talk.err")"
fi
if grep -q 'kept in' "$T/exit0.err"; then
	fail "exit0: an output file is named for a command that wrote nothing"
else
	pass "exit0: no output file is named"
fi

# never NAME STATUS COMMAND: it cannot start: one line naming it, no screen.
never() {
	name=$1
	want=$2
	live "$name" "'$3'"
	if tui_exit "$name"; then
		assert_eq "$RC" "$want" "$name: exit status"
	else
		fail "$name: the explorer still runs"
		tui_keys "$name" q
	fi
	assert_one_error_line "$T/$name.err" "$name"
	case $(error_line "$T/$name.err") in
	"flametop: $3: "*) pass "$name: the error names $3" ;;
	*) fail "$name: the error does not start with 'flametop: $3: '" ;;
	esac
	assert_restored "$name" "$name"
}

printf '#!/bin/sh\nexit 0\n' >"$T/not-executable"
chmod 644 "$T/not-executable"
never notfound 127 flametop-no-such-command-here
never noexec 126 "$T/not-executable"

# running NAME [STATUS]: t5-signals under the explorer, ready and running;
# sets CMD (its pid) and FT (the explorer's).
running() {
	live "$1" "'$WORKLOADS/t5-signals' '$T/$1.said' ${2:-}"
	CMD=
	FT=
	if ! wait_line "$T/$1.said" '^ready '; then
		fail "$1: the command never started: $(cat "$T/$1.err")"
		return 1
	fi
	CMD=$(sed -n 's/^ready //p' "$T/$1.said")
	FT=$(awk '/^PPid:/ { print $2 }' "/proc/$CMD/status")
	assert_screen "$1" 'ft_t5_wait_signal' "$1: the command is sampled"
}

# signalled NAME SIGNAL STATUS: how the explorer and the command ended.
signalled() {
	if tui_exit "$1"; then
		assert_eq "$RC" "$3" "$1: exit status"
	else
		fail "$1: still running 30 s later"
		kill -KILL "$FT" 2>/dev/null
	fi
	assert_eq "$(sed -n 2p "$T/$1.said")" "$2" "$1: the signal that reached the command"
	wait_gone "$CMD" 30 && pass "$1: the command ended" || fail "$1: the command still runs"
	assert_restored "$1" "$1"
}

# q while the command runs: it gets SIGTERM, the explorer exits 0 (as -d).
if running quit; then
	tui_keys quit q
	signalled quit SIGTERM 0
fi
# SIGTERM to the explorer reaches the command, which exits 42: so do we.
if running term 42; then
	kill -TERM "$FT"
	signalled term SIGTERM 42
fi
# SIGHUP reaches it as SIGHUP; it dies of it: 128 + 1.
if running hup; then
	kill -HUP "$FT"
	signalled hup SIGHUP 129
fi
# Ctrl-C: the terminal interrupts both; the command dies of SIGINT.
if running ctrlc; then
	tui_keys ctrlc C-c
	signalled ctrlc SIGINT 130
fi
finish
