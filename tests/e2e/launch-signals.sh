#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A signal that stops `record -- COMMAND` is passed on to the command, and
# record exits with the command's status (doc/flametop.1, record). The
# command, t5-signals, writes down which signal reached it: SIGINT, SIGTERM
# and SIGHUP sent to flametop each reach it as themselves; when it dies of
# the signal, record exits 128 plus its number; when it handles it and
# exits 42, record exits 42. The session ends cleanly and holds the
# command's samples. Ctrl-C in a terminal, which reaches the command
# itself, is not sent to it a second time.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/wait.lib
. "$(dirname "$TESTLIB")/wait.lib"

need_root
need_perf_events
need_jq
need_workload t5-signals

# passed SIG WANT [STATUS]: records t5-signals (which exits with STATUS on
# a signal when given), sends SIG to flametop once the command runs and
# its samples are in the session.
passed() {
	sig=$1
	want=$2
	name=$sig${3:+-exit$3}
	echo "+ flametop record -- t5-signals $name.said ${3:-}; then kill -$sig flametop"
	"$FLAMETOP" record -o "$T/$name.session" -- "$WORKLOADS/t5-signals" "$T/$name.said" ${3:-} \
		>"$T/$name.out" 2>"$T/$name.err" &
	rec=$!
	ft_bg_pids="$ft_bg_pids $rec"
	if ! wait_line "$T/$name.said" '^ready '; then
		fail "$name: the command never started"
		return
	fi
	wait_sampled "$T/$name.session" ft_t5_wait_signal ||
		fail "$name: no samples of the command within 30 s"
	kill "-$sig" "$rec"
	wait_exit "$rec" 30 || fail "$name: record still runs 30 s after SIG$sig"
	sed 's/^/  stderr: /' "$T/$name.err"
	assert_eq "$(sed -n 2p "$T/$name.said")" "SIG$sig" "$name: the signal that reached the command"
	assert_eq "$RC" "$want" "$name: record's exit status"
	report_json "$T/$name.session" "$T/$name.json" || return
	assert_between "$(share ft_t5_wait_signal "$T/$name.json")" 50 100 \
		"$name: ft_t5_wait_signal's share of the command's samples"
	if grep -q '^flametop: recorded [0-9]* samples' "$T/$name.err"; then
		pass "$name: record ended with its summary"
	else
		fail "$name: no summary line: the recording did not end cleanly"
	fi
}

passed TERM 143
passed INT 130
passed HUP 129
passed TERM 42 42
passed INT 42 42

# --- Ctrl-C in a terminal: the command gets SIGINT once ----------------------------
# The terminal sends SIGINT to its whole foreground process group, the
# command included: flametop must not send it a second one, which many
# programs take as "stop now, skip the clean-up". t5-signals counts the
# signals that reach it during a second of graceful shutdown.
if command -v tmux >/dev/null 2>&1; then
	tmx() {
		tmux -L "ft-e2e-$$" "$@"
	}
	echo "+ [tmux] flametop record -- t5-signals ctrlc.said count; then C-c"
	tmx new-session -d -s ctrlc -x 100 -y 20 \
		"'$FLAMETOP' record -o '$T/ctrlc.session' -- '$WORKLOADS/t5-signals' '$T/ctrlc.said' count 2>'$T/ctrlc.err'; sleep 3600" ||
		hard_error "tmux cannot start a session"
	if ! wait_line "$T/ctrlc.said" '^ready '; then
		fail "ctrlc: the command never started"
	else
		wait_sampled "$T/ctrlc.session" ft_t5_wait_signal ||
			fail "ctrlc: no samples of the command within 30 s"
		tmx send-keys -t ctrlc C-c
		wait_line "$T/ctrlc.err" '^flametop: recorded [0-9]+ samples' 30 ||
			fail "ctrlc: record did not end within 30 s of Ctrl-C"
		sed 's/^/  stderr: /' "$T/ctrlc.err"
		assert_eq "$(sed -n 2p "$T/ctrlc.said")" SIGINT "ctrlc: the signal that reached the command"
		assert_eq "$(sed -n 's/^count //p' "$T/ctrlc.said")" 1 \
			"ctrlc: SIGINTs that reached the command (the terminal's, not flametop's too)"
	fi
	tmx kill-server 2>/dev/null
else
	echo "(tmux is not installed: Ctrl-C in a terminal not checked)"
fi
finish
