#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `s` saves what the explorer has seen, and the mouse works. In a replay of
# the fixture session: s, a path typed over the proposed name, Enter; the
# status line says so and `flametop report` reads the file back with the
# same stacks as the fixture (folded output identical). Saving over an
# existing file is refused with a message and the file is left as it was.
# Live, on the split workload (needs perf events): the saved session's
# report shows ft_split_heavy and ft_split_light. The mouse, sent as the
# terminal would (xterm X10 reports, which the explorer enables): a click
# selects a frame, a double click zooms into it, the wheel moves the
# selection, a click on the strip makes a time window there, a drag along
# it a window over the columns dragged.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

need_tmux
need_workload split
FIXTURE=$GOLDEN/tui/replay.session
mkdir -p "$T/config"
ENV="HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8"

# save NAME PATH: s, Ctrl-U (clears the proposed name), PATH, Enter.
save() {
	tui_keys "$1" s
	assert_screen "$1" 'Save session to: flametop-[0-9]{8}-[0-9]{6}\.session' "$1: s proposes a name"
	tui_keys "$1" C-u
	tui_keys "$1" -l "$2"
	tui_keys "$1" Enter
}

# --- saving a replay -------------------------------------------------------
tui_start replay 100 30 "$ENV '$FLAMETOP' replay '$FIXTURE' 2>'$T/replay.err'"
assert_screen replay 'end of the session' "replay: loaded"
save replay "$T/saved.session"
assert_screen replay "saved 3652 samples to $T/saved.session" "replay: s says it saved every sample"
"$FLAMETOP" report -i "$FIXTURE" --format folded >"$T/fixture.folded" 2>&1
"$FLAMETOP" report -i "$T/saved.session" --format folded >"$T/saved.folded" 2>"$T/saved.err"
assert_eq "$?" 0 "replay: report reads the saved file"
if [ -s "$T/saved.folded" ] && cmp -s "$T/fixture.folded" "$T/saved.folded"; then
	pass "replay: the saved session has the fixture's stacks and weights"
else
	fail "replay: the saved stacks differ: $(diff "$T/fixture.folded" "$T/saved.folded" | head -n 5) $(cat "$T/saved.err")"
fi
assert_eq "$(stat -c %a "$T/saved.session")" 600 "replay: the saved file is private (0600)"

# Over an existing file: refused, the file untouched.
cp "$T/saved.session" "$T/before.session"
save replay "$T/saved.session"
assert_screen replay "$T/saved.session exists; not replaced" "replay: saving over a file is refused"
if cmp -s "$T/before.session" "$T/saved.session"; then
	pass "replay: the existing file is unchanged"
else
	fail "replay: the existing file was changed"
fi
# Esc at the prompt saves nothing.
tui_keys replay s C-u
tui_keys replay -l "$T/never.session"
tui_keys replay Escape
assert_not_screen replay 'Save session to' "replay: Esc closes the prompt"
[ -e "$T/never.session" ] && fail "replay: Esc at the prompt still saved"

# --- the mouse -------------------------------------------------------------
# mouse NAME BUTTON X Y: an X10 mouse report (ESC [ M, then button, column
# and row, each plus 32, 1-based), as a terminal in mode 1000 sends it.
chr() {
	# shellcheck disable=SC2059
	printf "\\$(printf %o "$1")"
}
mouse() {
	tmx send-keys -t "$1" -l "$(printf '\033[M')$(chr $((32 + $2)))$(chr $((33 + $3)))$(chr $((33 + $4)))"
}
click() {
	mouse "$1" 0 "$2" "$3"
	mouse "$1" 3 "$2" "$3"
}
# dclick NAME X Y: a double click, its four reports in one write, as a
# terminal sends them: two tmux commands could land further apart than a
# double click on a busy machine.
x10() {
	printf '\033[M%s%s%s' "$(chr $((32 + $1)))" "$(chr $((33 + $2)))" "$(chr $((33 + $3)))"
}
dclick() {
	tmx send-keys -t "$1" -l "$(x10 0 "$2" "$3")$(x10 3 "$2" "$3")$(x10 0 "$2" "$3")$(x10 3 "$2" "$3")"
}
tui_keys replay r f
assert_screen replay ' 3.7k samples in the window' "mouse: back at the root"
# Row 7 of the pane, column 50: db_query (0-based coordinates).
click replay 50 7
assert_screen replay '^ db_query +self .*\[/usr/sbin/db\]' "mouse: a click selects the frame under it"
assert_screen replay '^  run_batch +db_query ' "mouse: a click does not zoom"
# Double click on compute_hot (row 8, column 15): zoomed, db is gone.
dclick replay 15 8
assert_screen replay '^ compute_hot +self .*\[/usr/bin/app\]' "mouse: double click selects compute_hot"
assert_not_screen replay 'db_query' "mouse: double click zooms (db_query is out of the picture)"
tui_keys replay r
assert_screen replay 'db_query' "mouse: r resets the zoom"
# The wheel moves the selection: down from the root to _start (the widest).
mouse replay 65 20 10
assert_screen replay '^ _start +self .*\[/usr/bin/app\]' "mouse: the wheel moves the selection down"
mouse replay 64 20 10
assert_screen replay ' 3.7k samples in the window' "mouse: and back up"
# A click on the strip (row 2, a quarter in) centres a window there.
click replay 25 2
assert_screen replay 'window [0-9.]+m?s to [0-9.]+m?s \(20.0s\)' "mouse: a click on the strip makes a window"
# A drag along the strip (pressed at column 25, released at 74 of 100):
# the window over those columns, half of the 20 s session, named by the
# whole seconds (buckets) those columns touch, which the views count.
mouse replay 0 25 2
mouse replay 32 50 2
mouse replay 32 74 2
mouse replay 3 74 2
assert_screen replay 'window [0-9.]+s to [0-9.]+s \((10|11)\.0s\)' \
	"mouse: a drag along the strip makes a window of its columns"
tui_keys replay q
tui_exit replay
assert_eq "$RC" 0 "replay: q exits 0"

# --no-mouse leaves the mouse to the terminal.
tui_start nomouse 100 30 "$ENV '$FLAMETOP' replay --no-mouse '$FIXTURE' 2>'$T/nomouse.err'"
assert_screen nomouse 'end of the session' "--no-mouse: loaded"
assert_eq "$(tui_flags nomouse | cut -d' ' -f4)" 0 "--no-mouse: mouse reporting is off"
tui_keys nomouse q
tui_exit nomouse

# --- saving live -------------------------------------------------------------
if [ "$(id -u)" -ne 0 ] && [ "$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo 9)" -gt 2 ]; then
	echo "(live save skipped: kernel.perf_event_paranoid > 2 forbids sampling our own command)"
	finish
fi
DUR=876543
tui_start live 100 30 "$ENV '$FLAMETOP' -F 499 -- '$WORKLOADS/split' $DUR 2>'$T/live.err'"
assert_screen live 'ft_split_light' "live: the workload shows"
save live "$T/live.session"
assert_screen live "saved [0-9]+ samples to $T/live.session" "live: s saves"
"$FLAMETOP" report -i "$T/live.session" >"$T/live.report" 2>&1
assert_eq "$?" 0 "live: report reads the saved file"
for fn in ft_split_heavy ft_split_light; do
	if grep -q "$fn" "$T/live.report"; then
		pass "live: the saved session shows $fn"
	else
		fail "live: the saved session lacks $fn: $(head -n 12 "$T/live.report")"
	fi
done
tui_keys live q
tui_exit live
assert_eq "$RC" 0 "live: q exits 0"

finish
