#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `report` counts a session's samples as it reads them, never holding them
# all: a session of 4 million samples (tests/unit/test_session_gen
# `samples`) is reported in every format under a 96 MiB address-space
# limit (ulimit -v), where holding its samples alone (40 bytes each, 160
# MiB) is refused; the report that holds only the model and its sums
# takes about 35 MiB. A window as a share of the session and --comm (what
# a first pass learns from the session's end), a baseline, --lines too.
# Every sample weighs 1 ms: each output's totals must say every sample (or
# the window's share) was counted.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_jq
GEN=$(dirname "$FLAMETOP")/tests/unit/test_session_gen
[ -x "$GEN" ] || hard_error "$GEN is not built"
LIMIT_KIB=98304
N=4000000

S="$T/many.session"
"$GEN" samples "$S" "$N" || hard_error "test_session_gen samples failed"
# The limit must leave room for flametop itself (a sanitizer's shadow
# memory would not): a tiny session first.
"$GEN" samples "$T/tiny.session" 1000 || hard_error "test_session_gen samples failed"
(ulimit -v "$LIMIT_KIB" && "$FLAMETOP" report -i "$T/tiny.session" >/dev/null 2>&1) ||
	skip "flametop does not run under ulimit -v $LIMIT_KIB here"

# limited NAME ARGS...: report ARGS under the limit, its output in $T/NAME.
limited() {
	name=$1
	shift
	if (ulimit -v "$LIMIT_KIB" && exec "$FLAMETOP" report "$@" >"$T/$name" 2>"$T/$name.err"); then
		pass "$name: under ${LIMIT_KIB} KiB"
		return 0
	fi
	fail "$name: report $* under ulimit -v $LIMIT_KIB: $(head -c 300 "$T/$name.err")"
	return 1
}

# Every sample weighs 1 ms: the total says how many were counted.
if limited json -i "$S" --format json; then
	total=$(jq '.total' "$T/json")
	[ "$total" = $((N * 1000000)) ] && pass "json: every sample counted" ||
		fail "json: total $total, want $((N * 1000000))"
fi
if limited text -i "$S"; then
	grep -q "^# samples: $N," "$T/text" && pass "text: $N samples" ||
		fail "text: $(grep '^# samples' "$T/text")"
fi
if limited folded -i "$S" --format folded; then
	sum=$(awk '{ s += $NF } END { printf "%.0f", s }' "$T/folded")
	[ "$sum" = $((N * 1000000)) ] && pass "folded: every sample counted" ||
		fail "folded: weights sum to $sum"
fi
if limited heatmap -i "$S" --format heatmap --heatmap-row 1s; then
	sum=$(jq '[.seconds[].counts[]] | add' "$T/heatmap")
	[ "$sum" = $((N * 1000000)) ] && pass "heatmap: every sample counted" ||
		fail "heatmap: cells sum to $sum"
fi
# The second half, of the threads named "odd" (two of the four).
if limited window -i "$S" --format json --from 50% --comm odd; then
	total=$(jq '.total' "$T/window")
	want=$((N * 1000000 / 4))
	# a quarter, give or take the random draw of threads (0.5%)
	[ "$total" -gt $((want - want / 200)) ] && [ "$total" -lt $((want + want / 200)) ] &&
		pass "window and --comm: about a quarter" || fail "window and --comm: total $total"
fi
if limited diff -i "$S" --format json --baseline "$S" --baseline-to 50%; then
	base=$(jq '.baseline.total' "$T/diff")
	[ "$base" = $((N * 1000000 / 2)) ] && pass "baseline: its half counted" ||
		fail "baseline: total $base"
fi
limited lines -i "$S" --lines --top 3

finish
