#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# flametop record refuses bad input with one line "flametop: ..." on stderr
# naming what is wrong, and a non-zero exit: 1 for errors, 2 for usage
# errors, 127 when the command is not found (like a shell). Refusals come
# before anything runs: a launched command is never started, nothing is
# sampled, and no session file is left behind. An existing -o is kept unless
# --force, which replaces it with a mode 0600 session.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events

marker="$T/started"
# A command that leaves $marker behind if it ever runs.
set -- sh -c ": > '$marker'"

# expect_refusal NAME STATUS PATTERN SESSION: the last run_record NAME exited
# with STATUS, printed one error line matching PATTERN, started no command
# and left no SESSION.
expect_refusal() {
	assert_eq "$RC" "$2" "$1: exit status"
	assert_one_error_line "$T/$1.err" "$1"
	assert_match "$(error_line "$T/$1.err")" "$3" "$1: the error names the culprit"
	if [ -e "$marker" ]; then
		fail "$1: the command ran although record refused"
		rm -f "$marker"
	fi
	if [ -e "$4" ]; then
		fail "$1: a session file was left behind: $4"
	else
		pass "$1: no session file left behind"
	fi
}

# --- no such process ---------------------------------------------------------
nopid=999999
while [ -e "/proc/$nopid" ]; do nopid=$((nopid + 1)); done
run_record nopid -d 10 -o "$T/nopid.session" -p "$nopid"
expect_refusal nopid 1 "$nopid" "$T/nopid.session"
assert_between "$ELAPSED_MS" 0 8000 "nopid: refused without sampling for -d 10 (ms)"

# One bad PID in a list refuses the whole list.
start_bg sleep 30
run_record nopid2 -d 1 -o "$T/nopid2.session" -p "$BG_PID,$nopid"
expect_refusal nopid2 1 "$nopid" "$T/nopid2.session"
kill "$BG_PID"
wait "$BG_PID" 2>/dev/null

# A zombie (a child its parent, now sleep, never reaps) is there in ps: the
# error says it has exited, not that there is no such process. The child
# ends once its parent has become sleep, which does not reap it.
cat >"$T/zchild.sh" <<'EOF'
while [ "$(cat "/proc/$PPID/comm" 2>/dev/null)" != sleep ]; do sleep 0.05; done
EOF
sh -c "sh '$T/zchild.sh' & echo \$! >'$T/zombie.pid'; exec sleep 60" &
zparent=$!
ft_bg_pids="$ft_bg_pids $zparent"
# is_zombie PID: PID is a zombie.
is_zombie() {
	[ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]
}
wait_until 30 test -s "$T/zombie.pid" || hard_error "the zombie's parent never started"
zombie=$(cat "$T/zombie.pid")
wait_until 30 is_zombie "$zombie" || hard_error "process $zombie never became a zombie"
run_record zombie -d 10 -o "$T/zombie.session" -p "$zombie"
expect_refusal zombie 1 "^flametop: process $zombie has exited \\(a zombie its parent has not reaped yet\\)\$" \
	"$T/zombie.session"
kill "$zparent"

# --- unknown event -----------------------------------------------------------
run_record noevent -e no_such_event -o "$T/noevent.session" -- "$@"
expect_refusal noevent 1 'no_such_event' "$T/noevent.session"
run_record noevent2 -e cpu-clock,no_such_event -a -d 1 -o "$T/noevent2.session"
expect_refusal noevent2 1 'no_such_event' "$T/noevent2.session"

# --- command not found: 127, like a shell --------------------------------------
run_record nocmd -o "$T/nocmd.session" -- ft-no-such-command-e2e arg
expect_refusal nocmd 127 'ft-no-such-command-e2e' "$T/nocmd.session"
run_record nocmdpath -o "$T/nocmdpath.session" -- "$T/no/such/prog"
expect_refusal nocmdpath 127 "$T/no/such/prog" "$T/nocmdpath.session"
# A script whose #! interpreter is missing exists: the error says what is
# missing, not that the command is not found; 127, as bash exits.
printf '#!%s/no/such/interpreter\n' "$T" >"$T/badinterp"
chmod 755 "$T/badinterp"
run_record badinterp -o "$T/badinterp.session" -- "$T/badinterp"
expect_refusal badinterp 127 "^flametop: $T/badinterp: cannot execute: a file it needs was not found \\(its #! interpreter, or its dynamic loader\\)\$" \
	"$T/badinterp.session"

# --- unwritable output: fails before sampling starts -------------------------
run_record unwritable -o /proc/nope/x.session -- "$@"
expect_refusal unwritable 1 '/proc/nope/x\.session' /proc/nope/x.session
run_record unwritable-a -a -d 10 -o /proc/nope/x.session
expect_refusal unwritable-a 1 '/proc/nope/x\.session' /proc/nope/x.session
assert_between "$ELAPSED_MS" 0 8000 "unwritable-a: refused without sampling for -d 10 (ms)"
mkdir "$T/adir"
run_record outdir -o "$T/adir" -- "$@"
assert_eq "$RC" 1 "outdir: -o a directory: exit status"
assert_one_error_line "$T/outdir.err" "outdir"
if [ -e "$marker" ]; then
	fail "outdir: the command ran although record refused"
else
	pass "outdir: command not started"
fi
rm -f "$marker"

# --- existing output file: kept unless --force ---------------------------------
printf 'keep me\n' >"$T/exists.session"
chmod 644 "$T/exists.session"
run_record exists -o "$T/exists.session" -- "$@"
assert_eq "$RC" 1 "exists: exit status without --force"
assert_one_error_line "$T/exists.err" exists
assert_match "$(error_line "$T/exists.err")" 'exists\.session' "exists: the error names the file"
assert_eq "$(cat "$T/exists.session")" "keep me" "exists: the file is untouched"
if [ -e "$marker" ]; then
	fail "exists: the command ran although record refused"
else
	pass "exists: command not started"
fi
rm -f "$marker"
run_record force --force -o "$T/exists.session" -- "$@"
assert_record_ok force "$T/exists.session"
if [ -e "$marker" ]; then
	pass "force: the command ran"
else
	fail "force: the command did not run"
fi
if "$FLAMETOP" report -i "$T/exists.session" >/dev/null 2>"$T/force-report.err"; then
	pass "force: the replaced file is a readable session"
else
	fail "force: report on the replaced file failed: $(cat "$T/force-report.err")"
fi

# --- usage errors: exit 2 ------------------------------------------------------
for args in "--no-such-option" "-F" "-F notanumber -a -d 1" "-d -3 -a" "-p notapid -d 1" "-a -p 1 -d 1" "-p 1 -a -d 1"; do
	# shellcheck disable=SC2086 # the words are the arguments
	run_record usage $args -o "$T/usage.session"
	assert_eq "$RC" 2 "usage error 'record $args': exit status"
	assert_one_error_line "$T/usage.err" "usage error 'record $args'"
	[ -e "$T/usage.session" ] && fail "usage error 'record $args': left a session file" && rm -f "$T/usage.session"
done
"$FLAMETOP" no-such-subcommand >/dev/null 2>"$T/sub.err"
assert_eq "$?" 2 "unknown subcommand: exit status"
assert_one_error_line "$T/sub.err" "unknown subcommand"

finish
