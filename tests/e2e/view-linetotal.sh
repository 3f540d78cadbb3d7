#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The lines view's totals, on the linetotal workload: ft_total_f spends
# 2/3 of its CPU in its own loop, on the line marked TOTAL_SELF, and 1/3 in
# ft_total_g, called from the line marked TOTAL_CALL (lines found with
# grep). With --view lines --focus ft_total_f, the selected line (the
# hottest by self) is TOTAL_SELF, whose self dominates; TOTAL_CALL has
# almost no self and a TOTAL% equal, within 3 points, to ft_total_g's
# total in `report` on the same session (the split of work, not timing).
# Recorded then replayed, then live (the explorer runs the workload; the
# window paused once ft_total_f has a second of self): there TOTAL_CALL's
# total is about half of TOTAL_SELF's self, as the work is split. Last, a
# session of format 1.3 (no call sites) says its totals are unknown and
# shows "-" for them.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

need_tmux
need_jq
need_workload linetotal
if [ "$(id -u)" -ne 0 ] && [ "$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo 9)" -gt 2 ]; then
	skip "kernel.perf_event_paranoid > 2 forbids sampling even our own command"
fi

src="$(dirname "$0")/../workloads/linetotal.c"
[ -f "$src" ] || hard_error "no workload source at $src"
self_line=$(grep -n 'TOTAL_SELF \*/' "$src" | cut -d: -f1)
call_line=$(grep -n 'TOTAL_CALL \*/' "$src" | cut -d: -f1)
[ -n "$self_line" ] && [ -n "$call_line" ] || hard_error "no TOTAL_SELF / TOTAL_CALL marker in $src"
echo "TOTAL_SELF is linetotal.c:$self_line, TOTAL_CALL is linetotal.c:$call_line"
old="$GOLDEN/session/valid/version-1.3/input"
[ -f "$old" ] || hard_error "no format 1.3 session at $old"
mkdir -p "$T/config"
ENV="HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8"

# absdiff A B: |A - B|.
absdiff() {
	awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; print d < 0 ? -d : d }'
}

# check_lines NAME WHAT: the lines of ft_total_f in capture NAME, as every
# run must show them; sets SELF_SELF (TOTAL_SELF's SELF%) and CALL_TOTAL.
check_lines() {
	assert_match "$(grep -E -m1 '^ +SELF ' "$T/$1.screen")" '^ +SELF +SELF% +TOTAL% +FUNCTION +LINE +SOURCE' \
		"$2: a TOTAL% column"
	assert_match "$(lines_row "$1" "$self_line")" 'FT_WORK\(2 \* unit, ft_total_sink\)' "$2: TOTAL_SELF with its source"
	assert_match "$(lines_row "$1" "$call_line")" 'ft_total_g\(unit\)' "$2: TOTAL_CALL with its source"
	SELF_SELF=$(lines_cell "$1" "$self_line" SELF%)
	self_total=$(lines_cell "$1" "$self_line" TOTAL%)
	call_self=$(lines_cell "$1" "$call_line" SELF%)
	CALL_TOTAL=$(lines_cell "$1" "$call_line" TOTAL%)
	echo "$2: TOTAL_SELF self $SELF_SELF% total $self_total%; TOTAL_CALL self $call_self% total $CALL_TOTAL%"
	assert_between "$SELF_SELF" 50 80 "$2: TOTAL_SELF's SELF% (2/3 of the work)"
	# Samples taken in the kernel while the thread was on the line
	# (interrupts, faults: more on a loaded machine, 2.2 points under
	# CI's load) count in its total and not in its self, whose hit
	# address is the leaf's: 4 points.
	assert_between "$(absdiff "$self_total" "$SELF_SELF")" 0 4 \
		"$2: TOTAL_SELF's TOTAL% is about its SELF% (it calls nothing; |difference|)"
	assert_between "$call_self" 0 2 "$2: TOTAL_CALL's SELF% (the call instruction alone)"
	assert_between "$CALL_TOTAL" 15 "$SELF_SELF" "$2: TOTAL_CALL's TOTAL%, below TOTAL_SELF's SELF%"
	assert_no_match "$(cat "$T/$1.screen")" 'totals unknown|TOTAL% unknown' "$2: the totals are known"
}

# Recorded, then replayed: the call line's total is ft_total_g's total.
run_record rec -F 999 -o "$T/rec.session" -- "$WORKLOADS/linetotal" 2000
[ "$RC" -eq 0 ] && [ -s "$T/rec.session" ] || hard_error "cannot record the linetotal workload"
report_json "$T/rec.session" "$T/rec.json" || finish
g_total=$(share ft_total_g "$T/rec.json" total)
echo "report: ft_total_g total $g_total%, ft_total_f total $(share ft_total_f "$T/rec.json" total)%"

tui_start rep 160 40 "$ENV '$FLAMETOP' replay --view lines --focus '^ft_total_f\$' '$T/rec.session' 2>'$T/rep.err'"
assert_screen rep 'end of the session' "replay: the session is loaded"
assert_screen rep '^ Lines of ft_total_f, linetotal\.c: self .*, total ' "replay: ft_total_f's lines, its total"
assert_screen rep "^ ft_total_f line $self_line +self " "replay: the selected line is TOTAL_SELF (line $self_line)"
check_lines rep replay
assert_between "$(absdiff "$CALL_TOTAL" "$g_total")" 0 3 \
	"replay: TOTAL_CALL's TOTAL% is ft_total_g's total in report, $g_total% (|difference|)"
tui_keys rep q
if tui_exit rep 5; then
	assert_eq "$RC" 0 "replay: q exits 0"
else
	fail "replay: still running 5 s after q"
fi
[ -s "$T/rep.err" ] && fail "replay: stderr not empty: $(head -c 300 "$T/rep.err")"

# Live: the explorer runs the workload; paused once ft_total_f has a
# second of self (a weight in s, not ms), so one picture is read.
tui_start live 160 40 "$ENV '$FLAMETOP' -F 999 --view lines --focus '^ft_total_f\$' -- '$WORKLOADS/linetotal' 0 2>'$T/live.err'"
assert_screen live '^ Lines of ft_total_f, linetotal\.c: ' "live: ft_total_f's lines" 30
# The status line says where the command's output goes until a key: one
# that changes nothing else.
tui_keys live C-l
assert_screen live '^ Lines of ft_total_f, linetotal\.c: self [0-9.]+s \(' "live: a second of ft_total_f's self" 30
tui_keys live Space
assert_screen live 'PAUSED' "live: paused"
tui_keys live C-l # the status line shows the selection again, not the message
assert_screen live "^ ft_total_f line $self_line +self " "live: the selected line is TOTAL_SELF (line $self_line)"
check_lines live live
assert_between "$(awk -v c="$CALL_TOTAL" -v s="$SELF_SELF" 'BEGIN { print (s > 0 ? c / s : 0) }')" 0.3 0.8 \
	"live: TOTAL_CALL's total over TOTAL_SELF's self (1 unit of work to 2)"
tui_keys live q
if tui_exit live 5; then
	assert_eq "$RC" 0 "live: q exits 0"
else
	fail "live: still running 5 s after q"
fi
assert_restored live "live"

# A session of format 1.3 has no call sites: its totals are unknown.
tui_start old 160 20 "$ENV '$FLAMETOP' replay --view lines --focus '^hash_block\$' '$old' 2>'$T/old.err'"
assert_screen old '^ Lines of hash_block, .*: self [^,]+, totals unknown, ' "1.3: the title says the totals are unknown"
assert_screen old '^ +SELF +SELF% +TOTAL% +FUNCTION +ADDRESS +LINE +\(TOTAL% unknown, no call sites: a session before format 1\.4' \
	"1.3: the column header says why"
assert_screen old '^ +[0-9.]+(ms|s|us|ns) +[0-9.]+% +- +[0-9.]+% +0x[0-9a-f]+  \?:0$' \
	"1.3: the address hit shows '-' for its total"
tui_keys old q
if tui_exit old 5; then
	assert_eq "$RC" 0 "1.3: q exits 0"
else
	fail "1.3: still running 5 s after q"
fi
finish
