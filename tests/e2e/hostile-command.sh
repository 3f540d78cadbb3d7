#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A launched command never outlives flametop (issue 9). `record -d` ends a
# command that ignores SIGTERM with SIGKILL after the grace period and says
# so; a `record` or a live explorer killed with SIGKILL (as a crash would)
# takes its command with it (PR_SET_PDEATHSIG); an explorer that quits (q)
# or is sent SIGTERM while its command ignores SIGTERM kills it after the
# grace period and says so. The command is a
# script that writes its pid and execs the phases workload (SIGTERM ignored
# where asked: an ignored signal stays ignored across exec).
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

need_root
need_perf_events
need_workload phases

cat >"$T/cmd.sh" <<EOS
#!/bin/sh
# cmd.sh PIDFILE [ignore]: phases for a long time, its pid in PIDFILE.
[ "\${2:-}" = ignore ] && trap '' TERM
echo \$\$ >"\$1"
exec '$WORKLOADS/phases' 600000
EOS
chmod +x "$T/cmd.sh"

# wait_file FILE: waits (up to 30 s) until FILE holds a pid.
wait_file() {
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		[ "$i" -lt 300 ] || return 1
		sleep 0.1
	done
}

# assert_dies PID WHAT [SECONDS]: PID is gone (or a zombie: dead, not yet
# reaped by whoever inherited it) within SECONDS (default 30: a busy
# machine can take a while to run a killed process to its end).
assert_dies() {
	i=0
	limit=$(( ${3:-30} * 10 ))
	while [ "$i" -lt "$limit" ]; do
		state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
		if [ -z "$state" ] || [ "$state" = Z ]; then
			pass "$2: the command (pid $1) is dead"
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	fail "$2: the command (pid $1) still runs (state $state)"
	kill -KILL "$1" 2>/dev/null
}

# --- record -d, the command ignores SIGTERM: SIGKILL after the grace period ---------
run_record ignore -F 99 -d 1 -o "$T/ignore.session" -- "$T/cmd.sh" "$T/ignore.pid" ignore
assert_eq "$RC" 0 "ignore: record exit status (-d ended it)"
assert_match "$(grep -v notice "$T/ignore.err" | head -n 1)" \
	"^flametop: $T/cmd.sh \\(pid [0-9]+\\) is still running 5 s after SIGTERM; killed it \\(SIGKILL\\)\$" \
	"ignore: record says it killed the command"
assert_between "$ELAPSED_MS" 5500 60000 "ignore: record waited the grace period, then ended (ms)"
assert_dies "$(cat "$T/ignore.pid")" ignore
"$FLAMETOP" report -i "$T/ignore.session" >/dev/null 2>"$T/ignore.report.err" &&
	pass "ignore: the session is complete and loads" ||
	fail "ignore: the session does not load: $(cat "$T/ignore.report.err")"

# --- record killed with SIGKILL: the command dies with it ---------------------------
echo "+ flametop record -- cmd.sh   (SIGKILL once the command runs)"
"$FLAMETOP" record -F 99 -o "$T/killed.session" -- "$T/cmd.sh" "$T/killed.pid" 2>"$T/killed.err" &
rpid=$!
ft_bg_pids="$ft_bg_pids $rpid"
wait_file "$T/killed.pid" || hard_error "the command under record never started"
cpid=$(cat "$T/killed.pid")
wait_comm "$cpid" phases
kill -KILL "$rpid"
wait "$rpid" 2>/dev/null
assert_dies "$cpid" "record killed"

# --- the live explorer killed with SIGKILL -----------------------------------------
need_tmux
mkdir -p "$T/config"
ENV="HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8 TMPDIR='$T' XDG_RUNTIME_DIR="
# pidof.sh PIDFILE COMMAND...: COMMAND, its pid (the script's) in PIDFILE.
printf '#!/bin/sh\necho $$ >"$1"\nshift\nexec "$@"\n' >"$T/pidof.sh"
chmod +x "$T/pidof.sh"
tui_start live 100 30 "env $ENV '$T/pidof.sh' '$T/live.ftpid' '$FLAMETOP' -F 99 -- '$T/cmd.sh' '$T/live.pid'"
wait_file "$T/live.pid" || hard_error "the command under the explorer never started"
cpid=$(cat "$T/live.pid")
wait_comm "$cpid" phases
assert_screen live 'window live' "live: the explorer runs"
kill -KILL "$(cat "$T/live.ftpid")"
assert_dies "$cpid" "explorer killed"

# --- the explorer quits; its command ignores SIGTERM --------------------------------
tui_start quit 100 30 "env $ENV '$FLAMETOP' -F 99 -- '$T/cmd.sh' '$T/quit.pid' ignore 2>'$T/quit.err'"
wait_file "$T/quit.pid" || hard_error "the command under the explorer never started"
cpid=$(cat "$T/quit.pid")
wait_comm "$cpid" phases
assert_screen quit 'window live' "quit: the explorer runs"
tui_keys quit q
if tui_exit quit; then
	assert_eq "$RC" 0 "quit: q exits 0"
else
	fail "quit: the explorer did not exit within 30 s"
fi
assert_dies "$cpid" "explorer quit"
assert_match "$(cat "$T/quit.err")" "^flametop: the command \\(pid $cpid\\) ignored SIGTERM; killed it \\(SIGKILL\\)\$" \
	"quit: the explorer says it killed the command"

# --- the explorer gets SIGTERM; its command ignores it -------------------------------
tui_start term 100 30 "env $ENV '$T/pidof.sh' '$T/term.ftpid' '$FLAMETOP' -F 99 -- \
	'$T/cmd.sh' '$T/term.pid' ignore 2>'$T/term.err'"
wait_file "$T/term.pid" || hard_error "the command under the explorer never started"
cpid=$(cat "$T/term.pid")
wait_comm "$cpid" phases
assert_screen term 'window live' "term: the explorer runs"
kill -TERM "$(cat "$T/term.ftpid")"
if tui_exit term; then
	assert_eq "$RC" 137 "term: the explorer exits with the command's status (killed: 128 + 9)"
else
	fail "term: the explorer did not exit within 30 s of SIGTERM"
fi
assert_dies "$cpid" "explorer terminated"
assert_match "$(cat "$T/term.err")" \
	"^flametop: $T/cmd.sh \\(pid $cpid\\) is still running 5 s after the signal; killed it \\(SIGKILL\\)\$" \
	"term: the explorer says it killed the command"

finish
