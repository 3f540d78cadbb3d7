#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Replay against golden screens: the fixture session tests/golden/tui/
# replay.session (written by tests/unit/test_ui_fixture; two processes, app
# and db, 20 s) opened with `flametop replay` in a private tmux server at
# 100x30. The flame graph, a zoom, a search, the top-list, callers and
# callees, the process picker filtered by typing, and the view filtered to
# one process are each captured, normalized (own CPU, memory, samples/s)
# and compared with tests/golden/tui/*.txt; GOLDEN_UPDATE=1 rewrites them.
# `flametop -i FILE` draws the same first screen, and a session given as
# /dev/fd/3 names that path in the header. With --speed 4 the play
# position advances in the header and on the strip, and the 20 s session
# ends, no sooner than 4x allows; with --speed 1, Space holds the picture
# of the play position it stopped at. A chunk corrupt in the middle shows what
# came before it and ends the replay with the reason (exit 1); paced, the
# file is refused at start. A kernel function's module shows on the status
# line as it is named.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

need_tmux
FIXTURE=$GOLDEN/tui/replay.session
G=$GOLDEN/tui
[ -r "$FIXTURE" ] || hard_error "no fixture $FIXTURE"
# No user settings: an empty config directory.
mkdir -p "$T/config"
ENV="HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8"

tui_start replay 100 30 "$ENV '$FLAMETOP' replay '$FIXTURE' 2>'$T/replay.err'"
assert_screen replay 'end of the session' "replay: the whole session is loaded"
tui_golden replay "$G/flame.txt" "replay: flame graph"

# Down three times: _start (app, the widest), main, run_batch; Enter zooms.
tui_keys replay Down Down Down
assert_screen replay '^ run_batch +self .*\[/usr/bin/app\]' "replay: Down selects run_batch"
tui_keys replay Enter
tui_golden replay "$G/zoom.txt" "replay: zoomed into run_batch"
tui_keys replay r

tui_keys replay / && tui_keys replay -l 'compute' && tui_keys replay Enter
tui_golden replay "$G/search.txt" "replay: search /compute/"
tui_keys replay r

tui_keys replay t
tui_golden replay "$G/top.txt" "replay: top-list"
tui_keys replay Down Enter
tui_golden replay "$G/callers.txt" "replay: callers and callees of hash_block"
tui_keys replay Escape

# The picker lists the session's processes and threads (not this
# machine's); typing filters it.
tui_keys replay p
assert_screen replay 'Show one process or thread' "picker: opens"
assert_screen replay '^ +100 +101 +- +app-worker$' "picker: lists the session's threads"
tui_keys replay -l db
tui_golden replay "$G/picker.txt" "picker: filtered by 'db'"
tui_capture replay >"$T/picker.screen"
rows=$(sed -n '8,27p' "$T/picker.screen" | grep -c '^ *[0-9]')
assert_eq "$rows" 2 "picker: 'db' leaves two rows (the process and its thread)"
if sed -n '8,27p' "$T/picker.screen" | grep -q 'app'; then
	fail "picker: app is still listed after typing 'db'"
else
	pass "picker: app is filtered out"
fi
# Enter picks the first row, the process: the header says so, and app's
# functions leave the top-list.
tui_keys replay Enter
assert_screen replay 'only pid 200 db' "picker: the header names the process"
assert_not_screen replay 'compute_hot|hash_block' "picker: app's functions are gone"
tui_golden replay "$G/filtered.txt" "picker: the top-list of db alone"
# The strip counts what the views count: db's samples a second double at
# 10 s (everyone's rise by a quarter), so its first 9 s are below 60% of
# its last 9 s.
# strip_level FROM TO: the mean bar (0 to 8) of columns [FROM, TO) of the
# strip in $T/replay.screen.
strip_level() {
	sed -n 3p "$T/replay.screen" |
		sed 's/ /0/g; s/▁/1/g; s/▂/2/g; s/▃/3/g; s/▄/4/g; s/▅/5/g; s/▆/6/g; s/▇/7/g; s/█/8/g' |
		awk -v a="$1" -v b="$2" '{ for (i = a + 1; i <= b; i++) s += substr($0, i, 1); print s / (b - a) }'
}
early=$(strip_level 0 45)
late=$(strip_level 55 100)
if awk -v e="$early" -v l="$late" 'BEGIN { exit !(l > 0 && e < 0.6 * l) }'; then
	pass "picker: the strip counts db alone (bars $early, then $late)"
else
	fail "picker: the strip does not count db alone (bars $early, then $late):"
	sed -n 3p "$T/replay.screen"
fi

tui_keys replay q
if tui_exit replay; then
	assert_eq "$RC" 0 "replay: q exits 0"
else
	fail "replay: still running 30 s after q"
fi
assert_restored replay "replay"
[ -s "$T/replay.err" ] && fail "replay: stderr not empty: $(head -c 300 "$T/replay.err")"

# -i FILE is the same explorer.
tui_start dash_i 100 30 "$ENV '$FLAMETOP' -i '$FIXTURE' 2>'$T/dash_i.err'"
assert_screen dash_i 'end of the session' "-i: the whole session is loaded"
tui_golden dash_i "$G/flame.txt" "-i: the same flame graph"
tui_keys dash_i q
tui_exit dash_i

# A session given as /dev/fd/N (as <(command) gives it) is named in the
# header by its whole path, not by N alone; a file by its file name.
tui_start fd 100 30 "$ENV '$FLAMETOP' replay /dev/fd/3 3<'$FIXTURE' 2>'$T/fd.err'"
assert_screen fd 'end of the session' "/dev/fd/3: the whole session is loaded"
assert_screen fd '^ flametop replay /dev/fd/3 event ' "/dev/fd/3: the header names the path"
tui_keys fd q
tui_exit fd
assert_eq "$RC" 0 "/dev/fd/3: q exits 0"

# --speed 4: the play position ("play 1.2s of 20.0s", and the '|' on the
# ASCII strip) moves on, and the 20 s session ends, paced: no sooner than
# the rest of it takes at 4x. (At 4x the first frame, however late a busy
# machine draws it, comes well before the end.)
play_ms() {
	sed -nE 's/.*play ([0-9.]+)(ms|s) of .*/\1 \2/p' "$1" |
		awk '{ printf "%d\n", $2 == "s" ? $1 * 1000 : $1 }'
}
cursor_col() {
	sed -n 3p "$1" | awk '{ print index($0, "|") - 1 }'
}
# played_past MS: the speed pane's play position is past MS (or the
# session has ended).
played_past() {
	tui_shows speed 'play [0-9.]+m?s of 20.0s|end of the session' &&
		{ grep -q 'end of the session' "$T/speed.screen" || [ "$(play_ms "$T/speed.screen")" -gt "$1" ]; }
}
tui_start speed 100 30 "$ENV LANG=C '$FLAMETOP' replay --speed 4 '$FIXTURE' 2>'$T/speed.err'"
if tui_wait speed 'play [0-9.]+m?s of 20.0s'; then
	t1=$(now_ms)
	pos1=$(play_ms "$T/speed.screen")
	col1=$(cursor_col "$T/speed.screen")
	# Two session seconds later: the position and the strip have moved.
	if wait_until 30 played_past $((pos1 + 2000)) && ! grep -q 'end of the session' "$T/speed.screen"; then
		pos2=$(play_ms "$T/speed.screen")
		col2=$(cursor_col "$T/speed.screen")
		pass "--speed 4: the play position advances ($pos1 ms, then $pos2 ms)"
		if [ "$col1" -ge 0 ] && [ "$col2" -gt "$col1" ]; then
			pass "--speed 4: the cursor on the strip moves right (column $col1, then $col2)"
		else
			fail "--speed 4: the strip cursor did not move right (column $col1, then $col2):"
			sed -n 3p "$T/speed.screen"
		fi
	else
		fail "--speed 4: the play position did not advance from $pos1 ms to 2 s more before the end:"
		sed 's/^/  | /' "$T/speed.screen"
	fi
	assert_screen speed 'end of the session' "--speed 4: the 20 s session ends"
	# The rest of the session took at least (20 s - pos1) / 4 of wall time,
	# less the second the header may have shown pos1 for already.
	assert_between "$(($(now_ms) - t1))" $(((20000 - pos1) / 4 - 1100)) 600000 \
		"--speed 4: ms from $pos1 ms of play to the end (paced)"
else
	fail "--speed 4: no play position in the header:"
	sed 's/^/  | /' "$T/speed.screen"
fi
tui_keys speed q
tui_exit speed
assert_eq "$RC" 0 "--speed 4: q exits 0"

# Very slow, the window is one column of the strip, marked '^' under it;
# at the start that is on the axis's first label, which moves aside whole.
tui_start slow 100 30 "$ENV '$FLAMETOP' replay --speed 0.001 '$FIXTURE' 2>'$T/slow.err'"
assert_screen slow '^\^0ms ' "--speed 0.001: the window's mark and the axis's 0ms, side by side"
tui_keys slow q
tui_exit slow

# A narrow window moved to the end of the strip (and no further than the
# session's end): the axis's end label moves aside whole, before the
# window's bracket, not cut to a stray "20" or hidden under it; at the
# start, the same with "0ms" after it.
tui_start ends 100 30 "$ENV '$FLAMETOP' replay '$FIXTURE' 2>'$T/ends.err'"
assert_screen ends 'end of the session' "axis ends: the session is loaded"
tui_keys ends - - - - - - - - - - - -
assert_screen ends 'window [0-9.]+s to [0-9.]+s \(2\.0s\)' "axis ends: a 2 s window"
tui_keys ends '>' '>' '>' '>' '>' '>' '>' '>' '>' '>' '>' '>' '>' '>' '>' '>'
# Moved as far as it goes, the window ends where the session does (it
# went a second past it, to 21.0s).
assert_screen ends 'window 18\.0s to 20\.0s \(2\.0s\)' "axis ends: the window stops at the session's end"
assert_screen ends '^0ms +20\.0s└─+┘$' "axis ends: the end label whole, before the window at the end"
tui_keys ends '<' '<' '<' '<' '<' '<' '<' '<' '<' '<' '<' '<' '<' '<' '<' '<' '<' '<' '<' '<'
assert_screen ends '^└─+┘0ms +20\.0s$' "axis ends: the start label whole, after the window at the start"
# Clicks on the strip move the window, of the same width: it grew by a
# second a click (3.0s, 4.0s, 5.0s).
for x in 30 60 30; do
	tui_mouse ends 0 "$x" 2
	tui_mouse ends 3 "$x" 2
	assert_screen ends 'window [0-9.]+s to [0-9.]+s \(2\.0s\)' "axis ends: a click at column $x keeps a 2 s window"
done
# A click on the strip's last column centres the window there, but not
# past the session's end (it went to 20.9s).
tui_mouse ends 0 99 2
tui_mouse ends 3 99 2
assert_screen ends 'window [0-9.]+s to 20\.0s \(' "axis ends: a click at the strip's end keeps the window in the session"
tui_keys ends q
tui_exit ends

# Space pauses a played replay where it is: the picture held is of the
# play position the header shows (to its tenth of a second), as report
# counts the session up to it, not of the last tick (second) before it.
# played_past_in NAME MS: pane NAME's play position is past MS.
played_past_in() {
	tui_shows "$1" 'play [0-9.]+m?s of 20.0s' && [ "$(play_ms "$T/$1.screen")" -gt "$2" ]
}
# report_to SECONDS: report's samples of the fixture before SECONDS.
report_to() {
	"$FLAMETOP" report -i "$FIXTURE" --to "$1" | sed -n 's/^# samples: \([0-9]*\),.*/\1/p'
}
tui_start pause 100 30 "$ENV '$FLAMETOP' replay --speed 1 '$FIXTURE' 2>'$T/pause.err'"
if wait_until 30 played_past_in pause 1500; then
	# The header moved at a tick: Space half a tick later, off it.
	sleep 0.5
	tui_keys pause Space
	assert_screen pause 'PAUSED .* play [0-9.]+s of 20.0s' "--speed 1, Space: paused"
	pos=$(play_ms "$T/pause.screen")
	lo=$(report_to "$(awk -v p="$pos" 'BEGIN { print (p - 50) / 1000 }')")
	hi=$(report_to "$(awk -v p="$pos" 'BEGIN { print (p + 50) / 1000 }')")
	assert_between "$(samples_shown pause)" "$lo" "$hi" \
		"--speed 1, paused at $pos ms: the samples shown are report's up to there"
else
	fail "--speed 1: the play position did not pass 1.5 s"
fi
tui_keys pause q
tui_exit pause

# A kernel function's module on the status line: "[kernel.kallsyms]" as
# it is, not bracketed again.
tui_start kmod 160 30 "$ENV '$FLAMETOP' replay --view top --focus '^vfs_write$' '$FIXTURE'"
assert_screen kmod '^ vfs_write +self .*  \[kernel\.kallsyms\]$' \
	"status line: a kernel function's module as it is"
assert_not_screen kmod '\[\[kernel' "status line: the kernel's module not bracketed twice"
tui_keys kmod q
tui_exit kmod

# --- a chunk corrupt in the middle ------------------------------------------
# Read as it plays: what comes before the bad chunk shows, the status line
# names it, and q exits 1 saying it again. Paced, the file is read ahead
# for its length and refused before the terminal is touched.
cp "$FIXTURE" "$T/bad.session"
size=$(stat -c %s "$T/bad.session")
printf '\125\252\125' | dd of="$T/bad.session" bs=1 seek=$((size * 3 / 4)) conv=notrunc status=none
tui_start bad 250 30 "$ENV '$FLAMETOP' replay '$T/bad.session' 2>'$T/bad.err'"
assert_screen bad 'bad\.session: chunk [0-9]+ at offset [0-9]+ is corrupt' "corrupt: the status line names the chunk"
assert_screen bad '^ *[1-9][0-9.]*k? samples in the window' "corrupt: the samples before it are shown"
tui_keys bad q
tui_exit bad
assert_eq "$RC" 1 "corrupt: q exits 1"
assert_match "$(cat "$T/bad.err")" 'bad\.session: chunk [0-9]+ at offset [0-9]+ is corrupt \(checksum mismatch\)' \
	"corrupt: said again on stderr"
tui_start bad2 100 30 "$ENV '$FLAMETOP' replay --speed 2 '$T/bad.session' 2>'$T/bad2.err'"
tui_exit bad2
assert_eq "$RC" 1 "corrupt, --speed 2: refused"
assert_match "$(cat "$T/bad2.err")" 'is corrupt \(checksum mismatch\)' "corrupt, --speed 2: the message names the chunk"

# The header says how many records the kernel lost only when it lost some:
# 0 says nothing (the room goes to filters), 259 says "lost records 259".
printf '%s\n' ':6284  6284 [000] 83348.827816: PERF_RECORD_LOST lost 259' \
	'x 1 [001] 83348.8278: 1 cpu-clock:' '	 1 f (/x)' '' >"$T/lost.perf"
"$FLAMETOP" import --format perf-script "$T/lost.perf" -o "$T/lost.session" 2>"$T/lost.import.err" ||
	fail "cannot import the lost records: $(cat "$T/lost.import.err")"
tui_start lost 100 30 "$ENV '$FLAMETOP' replay '$T/lost.session' 2>'$T/lost.err'"
assert_screen lost ' lost records 259( |$)' "lost records: the header counts them"
tui_keys lost q
tui_exit lost
tui_start nolost 100 30 "$ENV '$FLAMETOP' replay '$FIXTURE' 2>'$T/nolost.err'"
assert_screen nolost 'end of the session' "no lost records: loaded"
assert_not_screen nolost 'lost' "no lost records: the header does not say lost"
tui_keys nolost q
tui_exit nolost

finish
