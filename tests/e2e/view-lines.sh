#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The annotated lines view on the lines workload, whose two loops are each
# on one source line, marked LINES_HOT (in ft_lines_hot) and LINES_COLD (in
# ft_lines_cold); the line numbers come from grep, so editing the workload
# breaks nothing. Recorded, then replayed at 120x40 with --view lines
# --focus ft_lines_hot: the title names the function and lines.c (the file
# found through the DWARF's compilation directory), the selected line (the
# hottest) is the LINES_HOT line, shown with its source text and weight; a
# search for ft_lines_cold moves to that function and its LINES_COLD line;
# Enter lists the addresses with their lines instead. Then once live, with
# the workload launched by the explorer: the same hottest line.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

need_tmux
need_workload lines
if [ "$(id -u)" -ne 0 ] && [ "$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo 9)" -gt 2 ]; then
	skip "kernel.perf_event_paranoid > 2 forbids sampling even our own command"
fi

src="$(dirname "$0")/../workloads/lines.c"
[ -f "$src" ] || hard_error "no workload source at $src"
hot=$(grep -n 'LINES_HOT \*/' "$src" | cut -d: -f1)
cold=$(grep -n 'LINES_COLD \*/' "$src" | cut -d: -f1)
[ -n "$hot" ] && [ -n "$cold" ] || hard_error "no LINES_HOT / LINES_COLD marker in $src"
echo "LINES_HOT is lines.c:$hot, LINES_COLD is lines.c:$cold"
mkdir -p "$T/config"
ENV="HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8"

run_record rec -F 999 -o "$T/lines.session" -- "$WORKLOADS/lines" 1500
[ "$RC" -eq 0 ] && [ -s "$T/lines.session" ] || hard_error "cannot record the lines workload"

tui_start lines 120 40 "$ENV '$FLAMETOP' replay --view lines --focus '^ft_lines_hot\$' '$T/lines.session' 2>'$T/lines.err'"
assert_screen lines 'end of the session' "replay: the session is loaded"
assert_screen lines '^ Lines of ft_lines_hot, lines\.c: self ' "the title: ft_lines_hot in lines.c"
assert_screen lines "^ ft_lines_hot line $hot +self " "the hottest line, selected, is LINES_HOT (line $hot)"
row=$(lines_row lines "$hot")
echo "line $hot: $row"
assert_match "$row" 'FT_WORK\(n, ft_lines_hot_sink\)' "line $hot is shown with its source text"
assert_match "$row" '^ +[0-9.]+(ms|s|us|ns)? +[0-9.]+% +[0-9.]+% +[0-9.]+% ' \
	"line $hot has samples: self, self and total of the window, of the function"
assert_match "$(lines_row lines "$cold")" "^ +$cold  " "line $cold, in the other function, has none here"

# Search: the next function matching, its hottest line.
tui_keys lines / && tui_keys lines -l 'ft_lines_cold' && tui_keys lines Enter
assert_screen lines '^ Lines of ft_lines_cold, lines\.c: self ' "search: ft_lines_cold's lines"
assert_screen lines "ft_lines_cold line $cold +self " "its hottest line is LINES_COLD (line $cold)"
assert_match "$(lines_row lines "$cold")" 'FT_WORK\(n, ft_lines_cold_sink\)' "line $cold is shown with its source text"

# Enter: the addresses, each with its line.
tui_keys lines Enter
assert_screen lines '^ Lines of ft_lines_cold, addresses: ' "Enter: the addresses"
assert_screen lines "^ +[0-9.]+(ms|s|us|ns)? +[0-9.]+% +[0-9.]+% +[0-9.]+% +0x[0-9a-f]+  lines\\.c:$cold\$" \
	"an address on line $cold"
tui_keys lines Escape
assert_screen lines '^ Lines of ft_lines_cold, lines\.c: ' "Esc: the source again"
tui_keys lines q
if tui_exit lines; then
	assert_eq "$RC" 0 "replay: q exits 0"
else
	fail "replay: still running 30 s after q"
fi
[ -s "$T/lines.err" ] && fail "replay: stderr not empty: $(head -c 300 "$T/lines.err")"

# Live: the explorer runs the workload; the same line turns up.
tui_start live 120 40 "$ENV '$FLAMETOP' -F 999 --view lines --focus '^ft_lines_hot\$' -- '$WORKLOADS/lines' 0 2>'$T/live.err'"
assert_screen live '^ Lines of ft_lines_hot, lines\.c: ' "live: ft_lines_hot in lines.c" 30
# The status line says where the command's output goes until a key: one
# that changes nothing else.
tui_keys live C-l
assert_screen live "^ ft_lines_hot line $hot +self " "live: the hottest line is LINES_HOT" 30
tui_keys live q
if tui_exit live; then
	assert_eq "$RC" 0 "live: q exits 0"
else
	fail "live: still running 30 s after q"
fi
assert_restored live "live"
finish
