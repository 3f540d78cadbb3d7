#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The terminal is given back whatever happens, and nothing sampled can drive
# it: the explorer in a private tmux server is ended by SIGTERM, SIGHUP,
# Ctrl-C and a crash (SIGSEGV), and each time the pane has left the
# alternate screen, shows its cursor and left keypad and mouse modes. Two
# processes named with escape sequences (a title change, a screen clear)
# are sampled and picked by name: the pane's title stays, and the screen
# shows the names defused. A terminal type that cannot draw the view is
# refused before anything is written to it.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

need_tmux
need_root
need_perf_events
need_workload split

# --- restored after signals and a crash -------------------------------------
for sig in TERM HUP INT SEGV; do
	tui_start "sig$sig" 100 30 "LANG=C.UTF-8 '$FLAMETOP' -a -F 99 2>'$T/sig$sig.err'"
	if ! tui_wait "sig$sig" 'q Quit'; then
		fail "SIG$sig: the explorer did not start: $(cat "$T/sig$sig.err")"
		continue
	fi
	assert_eq "$(tui_flags "sig$sig" | cut -d' ' -f1)" 1 "SIG$sig: running in the alternate screen"
	pid=$(pgrep -n -f "$FLAMETOP -a -F 99")
	if [ "$sig" = INT ]; then
		tui_keys "sig$sig" C-c
	else
		kill "-$sig" "$pid"
	fi
	if tui_exit "sig$sig"; then
		pass "SIG$sig: exited ($RC)"
	else
		fail "SIG$sig: still running 30 s later"
		kill -KILL "$pid" 2>/dev/null
	fi
	assert_restored "sig$sig" "SIG$sig"
	case $sig in
	SEGV)
		grep -q 'crashed; the terminal was restored' "$T/sig$sig.err" &&
			pass "SIGSEGV: says it crashed" || fail "SIGSEGV: no crash message: $(cat "$T/sig$sig.err")"
		;;
	INT) assert_eq "$RC" 0 "Ctrl-C: exit status" ;;
	TERM) assert_eq "$RC" 143 "SIGTERM: exit status" ;;
	HUP) assert_eq "$RC" 129 "SIGHUP: exit status" ;;
	esac
	# No private session file is left behind.
	if ls "${XDG_RUNTIME_DIR:-/tmp}/flametop-$pid-"*.session /tmp/flametop-"$pid"-*.session >/dev/null 2>&1; then
		fail "SIG$sig: the private session file of pid $pid was left behind"
	else
		pass "SIG$sig: no private session file left"
	fi
done

# --- terminal types that cannot draw the view ---------------------------------
# One without cursor addressing (dumb) and one terminfo does not know are
# refused in one line naming the type, before anything reaches the
# terminal: the pane stays blank, its modes untouched.
for type in dumb flametop-no-such-term; do
	tui_start "$type" 100 30 "TERM=$type '$FLAMETOP' -a -F 99 2>'$T/$type.err'"
	if tui_exit "$type"; then
		assert_eq "$RC" 1 "TERM=$type: exit status"
	else
		fail "TERM=$type: the explorer still runs"
		tui_keys "$type" q
	fi
	assert_one_error_line "$T/$type.err" "TERM=$type"
	case $(error_line "$T/$type.err") in
	"flametop: cannot use terminal type '$type': "*) pass "TERM=$type: the error names the type" ;;
	*) fail "TERM=$type: the error does not name the type" ;;
	esac
	assert_eq "$(tmx capture-pane -p -t "$type" | grep -c .)" 0 "TERM=$type: nothing drawn on the pane"
	assert_restored "$type" "TERM=$type"
done

# --- hostile process names ---------------------------------------------------
# A thread's name is the name of the file it executed (15 bytes at most), so
# symbolic links named with escape sequences make the processes name
# themselves: a title change, and a clear screen and home.
title_name=$(printf '\033]2;pwned\007')
clear_name=$(printf '\033[2J\033[Hxx')
ln -s "$WORKLOADS/split" "$T/$title_name" || hard_error "cannot make a link in $T"
ln -s "$WORKLOADS/split" "$T/$clear_name" || hard_error "cannot make a link in $T"
start_bg "$T/$title_name" 0
title_pid=$BG_PID
start_bg "$T/$clear_name" 0
clear_pid=$BG_PID
wait_comm "$title_pid" "$title_name"
wait_comm "$clear_pid" "$clear_name"

tui_start hostile 110 30 "LANG=C.UTF-8 '$FLAMETOP' -a -F 199 2>'$T/hostile.err'"
tmx select-pane -t hostile -T clean-title
assert_screen hostile 'q Quit' "hostile: the explorer runs"
# The picker lists processes by name; filter on our pid and pick it.
tui_keys hostile p
assert_screen hostile 'Show one process or thread' "hostile: the picker opens"
tui_keys hostile -l "$title_pid"
assert_screen hostile "$title_pid .*\\?\\]2;pwned\\?" "hostile: the picker shows the title-changing name defused"
tui_keys hostile Enter
assert_screen hostile "only pid $title_pid \\?\\]2;pwned\\?" "hostile: the header shows the name defused"
assert_screen hostile 'ft_split_heavy' "hostile: the filtered view shows the process's functions"
tui_keys hostile p
tui_keys hostile -l "$clear_pid"
assert_screen hostile "$clear_pid .*\\?\\[2J\\?\\[Hxx" "hostile: the picker shows the clearing name defused"
tui_keys hostile Enter
assert_screen hostile "only pid $clear_pid \\?\\[2J\\?\\[Hxx" "hostile: the header shows it defused"
assert_screen hostile 'q Quit' "hostile: the screen was not cleared (footer still there)"
assert_screen hostile '^ flametop ' "hostile: the screen was not cleared (header still there)"
assert_eq "$(tmx display -p -t hostile '#{pane_title}')" clean-title "hostile: the pane title is unchanged"
tui_keys hostile q
tui_exit hostile
assert_restored hostile "hostile"
kill "$title_pid" "$clear_pid"

finish
