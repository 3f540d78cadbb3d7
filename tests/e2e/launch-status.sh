#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `record -- COMMAND` exits with the command's status, as a shell would
# give it: 0, any N, 128 plus the signal's number when a signal killed it.
# A command that cannot be found exits 127 and one that cannot be executed
# 126 (a file without the execute bit, a directory), each with one error
# line naming the command, and no session file is left behind. A command
# that exits leaving processes it started running is told of.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events

# status NAME EXPECTED COMMAND...: records COMMAND, asserts the exit status
# and that the recording is a session report can read.
status() {
	name=$1
	want=$2
	shift 2
	run_record "$name" -o "$T/$name.session" -- "$@"
	assert_eq "$RC" "$want" "$name: exit status of record -- $*"
	if "$FLAMETOP" report -i "$T/$name.session" >/dev/null 2>"$T/$name.report.err"; then
		pass "$name: the session is readable"
	else
		fail "$name: report cannot read the session: $(cat "$T/$name.report.err")"
	fi
}

status true 0 true
status exit7 7 sh -c 'exit 7'
status exit255 255 sh -c 'exit 255'
status sigkill 137 sh -c 'kill -KILL $$'
status sigsegv 139 sh -c 'kill -SEGV $$'
status sigterm 143 sh -c 'kill -TERM $$'

# never NAME EXPECTED WHAT COMMAND...: COMMAND cannot start: the status,
# one error line that names it, and no session file.
never() {
	name=$1
	want=$2
	what=$3
	shift 3
	run_record "$name" -o "$T/$name.session" -- "$@"
	assert_eq "$RC" "$want" "$name: exit status when the command $what"
	assert_one_error_line "$T/$name.err" "$name"
	case $(error_line "$T/$name.err") in
	"flametop: $1: "*) pass "$name: the error names $1" ;;
	*) fail "$name: the error does not start with 'flametop: $1: '" ;;
	esac
	if [ -e "$T/$name.session" ]; then
		fail "$name: a session file was left behind"
	else
		pass "$name: no session file"
	fi
}

printf '#!/bin/sh\nexit 0\n' >"$T/not-executable"
chmod 644 "$T/not-executable"
mkdir "$T/a-directory"
never notfound 127 "is not in PATH" flametop-no-such-command-here
never nopath 127 "does not exist" "$T/no-such-file"
never noexec 126 "has no execute bit" "$T/not-executable"
never directory 126 "is a directory" "$T/a-directory"

# --- a command that leaves processes it started running ---------------------------
# The recording ends when the command exits (as perf record's does), but a
# process it started in the background runs on, no longer sampled: record
# says so, naming it. It used to say nothing.
# (By its last name the recording saw: sh, when the child had not yet
# exec'd sleep by the time the recording ended, on a busy machine.) A command that waits for its
# children leaves none, and gets no such notice.
run_record left -o "$T/left.session" -- sh -c 'sleep 300 & echo $! >"$1"; exit 3' sh "$T/left.pid"
left=$(cat "$T/left.pid" 2>/dev/null)
[ -n "$left" ] || hard_error "the command did not say its child's pid"
ft_bg_pids="$ft_bg_pids $left"
assert_eq "$RC" 3 "left: exit status, the command's"
assert_match "$(grep 'exited, leaving' "$T/left.err")" \
	"^flametop: notice: sh exited, leaving 1 process it started running \\(pid $left (sh|sleep)\\), not sampled after that: -p PID samples one\$" \
	"left: record names the process the command left running"
kill "$left"
run_record waited -o "$T/waited.session" -- sh -c 'sleep 0.2 & wait'
assert_eq "$RC" 0 "waited: exit status"
assert_no_match "$(cat "$T/waited.err")" 'exited, leaving' "waited: no process left running, none named"
finish
