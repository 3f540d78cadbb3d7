#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The live explorer on the split workload (ft_split_heavy does 3/4 of the
# work, ft_split_light 1/4), in a private tmux server at 120x32: both
# functions show in the flame graph and in the top-list, heavy above light,
# heavy / (heavy + light) about 0.75, and the search's share of heavy is the
# top-list's; the
# keys do what the help says (navigation, search, zoom and back, pause,
# window keys, flip, help); resizing, down to a terminal too small, redraws;
# q quits with status 0, stops the launched command and gives the terminal
# back.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

need_tmux
need_workload split
if [ "$(id -u)" -ne 0 ] && [ "$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo 9)" -gt 2 ]; then
	skip "kernel.perf_event_paranoid > 2 forbids sampling even our own command"
fi

# A duration no other process on the box has, to find our workload later.
DUR=987654
tui_start live 120 32 "LANG=C.UTF-8 '$FLAMETOP' -F 999 -- '$WORKLOADS/split' $DUR 2>'$T/live.err'"

assert_screen live 'ft_split_heavy' "flame graph shows ft_split_heavy"
assert_screen live 'ft_split_light' "flame graph shows ft_split_light"
assert_screen live 'ft_split_driver' "flame graph shows the caller ft_split_driver"
assert_screen live 'window live: last 30' "header: a live window"
assert_screen live 'samples [0-9.]+[kM]?/s' "header: samples per second"
assert_screen live 'cpu [0-9.]+% mem [0-9.]+[KMG] timeline' "header: own CPU and memory"
assert_screen live 'q Quit' "footer: keys"

# Top-list, once the window holds a second of the workload (main's total
# time is in seconds): heavy first, heavy / (heavy + light) about 0.75.
tui_keys live t
assert_screen live 'SELF +TOTAL +FUNCTION' "t: the top-list"
assert_screen live '% +[0-9.]+s +main ' "top-list: a second of samples in the window"
assert_screen live '^ +[0-9.]+% .*ft_split_light' "top-list shows ft_split_light"
cp "$T/live.screen" "$T/top.screen"
first=$(grep -E '^ +[0-9.]+% ' "$T/top.screen" | head -n 1)
assert_match "$first" 'ft_split_heavy' "top-list: ft_split_heavy is first"
heavy=$(grep -E 'ft_split_heavy' "$T/top.screen" | head -n 1 | awk '{ print $1 }' | tr -d %)
heavy_total=$(grep -E 'ft_split_heavy' "$T/top.screen" | head -n 1 | awk '{ print $3 }' | tr -d %)
light=$(grep -E 'ft_split_light' "$T/top.screen" | head -n 1 | awk '{ print $1 }' | tr -d %)
# Their self times (12ms, 1.6s) at 999 Hz tell how many samples they have.
n=$(grep -E 'ft_split_(heavy|light)' "$T/top.screen" | awk '
	{ v = $2; ms = v ~ /ms$/ ? v + 0 : v ~ /s$/ ? v * 1000 : 0; s += ms }
	END { printf "%d", s * 0.999 }')
assert_ratio "top-list: ft_split_heavy / (ft_split_heavy + ft_split_light), self ($heavy% and $light%)" \
	"$(awk -v h="$heavy" -v l="$light" 'BEGIN { print (h + l > 0 ? h / (h + l) : 0) }')" 0.75 "$n"
# The status line names the selected function's hottest source line: one
# inside ft_split_heavy's loop (its body spans these lines of split.c).
body=$(awk '/^FT_NOINLINE static void ft_split_heavy/ { s = NR } s && /^}/ { print s "-" NR; exit }' \
	"$(dirname "$TESTLIB")/../workloads/split.c")
assert_screen live "ft_split_heavy .* hottest line split\.c:[0-9]+ " "status: the hottest source line"
hot=$(tui_capture live | sed -n 's/.*hottest line split\.c:\([0-9]*\) .*/\1/p' | head -n 1)
assert_between "$hot" "${body%-*}" "${body#*-}" "status: the hottest line is in ft_split_heavy ($body)"
# Enter: callers and callees of ft_split_heavy; Esc back.
tui_keys live Enter
assert_screen live 'Callers of ft_split_heavy' "top-list Enter: callers"
assert_screen live 'ft_split_driver' "top-list Enter: ft_split_driver calls ft_split_heavy"
assert_screen live 'Callees of ft_split_heavy' "top-list Enter: callees"
tui_keys live Escape
assert_screen live 'SELF +TOTAL +FUNCTION' "Esc: back to the top-list"
# o: sort by the next column.
tui_keys live o
assert_screen live 'sort: TOTAL' "o: sort by total"
tui_keys live f

# Search: the matched share and the selection on the match. One frame,
# under ft_split_driver; or two when a sample came where ft_split_heavy
# has not set %rbp to its own frame yet or any more (its first
# instructions, up to mov %rsp,%rbp, and its ret): the kernel's
# frame-pointer chain then goes from ft_split_heavy to the return address
# in the driver's frame, into main, and ft_split_heavy shows under main as
# well, as perf shows it. Four instructions in a call of 1.5 to 4.5 ms of
# work: about one sample in a million, now and then one in the window.
tui_keys live / && tui_keys live -l 'split_heavy' && tui_keys live Enter
assert_screen live '/split_heavy/ [0-9.]+% in (1 frame|2 frames) ' \
	"search: matched share, one frame (two at most)"
share=$(sed -nE 's/.*\/split_heavy\/ ([0-9.]+)% in.*/\1/p' "$T/live.screen")
assert_between "$(awk -v a="$share" -v b="$heavy_total" 'BEGIN { d = a - b; print (d < 0 ? -d : d) }')" 0 5 \
	"search: ft_split_heavy's share ($share%) is its total in the top-list ($heavy_total%)"
assert_screen live '^ /split_heavy/ .* ft_split_heavy +self ' "search: the match is selected"
# Zoom into it: light is gone, heavy takes the width; Esc brings light back.
tui_keys live Enter
assert_not_screen live 'ft_split_light' "Enter zooms: ft_split_light is out of the picture"
tui_keys live Escape
assert_screen live 'ft_split_light' "Esc zooms out"
tui_keys live r
assert_not_screen live '/split_heavy/' "r resets the search"

# Navigation: Down from the root goes to the widest callee, Up comes back.
tui_keys live Home Down
assert_screen live '^ __libc_start|^ main|^ _start' "Down selects the outermost frame"
tui_keys live Up
assert_screen live '^ [0-9.]+[kM]? samples in the window' "Up returns to the root"

# Pause: the picture holds still while sampling goes on.
tui_keys live Space
assert_screen live 'PAUSED' "Space pauses"
sleep 0.5
tui_capture live | sed -n '3,$p' | grep -v '^ *$' >"$T/p1"
sleep 2.5
tui_capture live | sed -n '3,$p' | grep -v '^ *$' >"$T/p2"
if cmp -s "$T/p1" "$T/p2"; then
	pass "paused: strip and graph unchanged over 2.5 s"
else
	fail "paused: the picture changed: $(diff "$T/p1" "$T/p2" | head -n 6)"
fi
tui_keys live Space
assert_not_screen live 'PAUSED' "Space resumes"

# Window keys: [ makes a range, a is everything, L is live again, + doubles.
tui_keys live '['
assert_screen live 'window [0-9][0-9.hms]* to [0-9][0-9.hms]* \(' "[ turns the live window into a range"
tui_keys live a
assert_screen live 'window everything' "a: everything"
tui_keys live L
assert_screen live 'window live: last 30' "L: live again"
tui_keys live +
assert_screen live 'window live: last 1m00s' "+: twice the seconds"
tui_keys live -
assert_screen live 'window live: last 30' "-: half"

# Flip: the root row moves to the bottom of the graph.
row_icicle=4
# root_row_low: the root row ("all (...") is below row 10; its row in $row.
root_row_low() {
	row=$(tui_capture live | grep -n '^all (' | cut -d: -f1)
	[ -n "$row" ] && [ "$row" -gt 10 ]
}
tui_keys live i
if wait_until 30 root_row_low; then
	pass "i flips the graph: the root is on row $row"
else
	fail "i flips the graph: the root is on row '$row', expected near the bottom (icicle: $row_icicle)"
fi
tui_keys live i

# Help, generated from the key table.
tui_keys live '?'
assert_screen live 'flametop keys' "? opens the help"
# Whole lines, wrapped: at 120x32 the window keys are a page down.
tui_keys live PgDn
assert_screen live 'Time window' "help lists the window keys (a page down)"
tui_keys live x
assert_not_screen live 'flametop keys' "any key closes the help"

# Resize: smaller, too small, back.
tmx resize-window -t live -x 70 -y 20
assert_screen live 'ft_split_heavy|ft_split_h' "resized to 70x20: still drawn"
tmx resize-window -t live -x 30 -y 8
assert_screen live 'needs 40x12' "resized to 30x8: a polite message"
assert_screen live 'this is 30x8' "resized to 30x8: says the size"
tmx resize-window -t live -x 120 -y 32
assert_screen live 'ft_split_light' "resized back: drawn again"

# q quits: status 0, terminal restored, the workload stopped.
tui_keys live q
if tui_exit live; then
	assert_eq "$RC" 0 "q: exit status"
else
	fail "q: flametop still running 30 s later"
fi
assert_restored live "q"
# split_gone: no process runs "split $DUR" (flametop ends it as it quits).
split_gone() {
	! pgrep -f "split $DUR" >/dev/null
}
if wait_until 30 split_gone; then
	pass "the launched split was stopped"
else
	fail "the launched split is still running 30 s after q"
	for p in $(pgrep -f "split $DUR"); do
		kill "$p"
	done
fi
if [ -s "$T/live.err" ]; then
	fail "stderr not empty: $(head -c 300 "$T/live.err")"
fi

finish
