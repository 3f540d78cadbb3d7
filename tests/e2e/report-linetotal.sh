#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Line totals: the linetotal workload's ft_total_f spends 2/3 of its CPU
# in its own loop, on the line marked TOTAL_SELF, and 1/3 in ft_total_g,
# called from the line marked TOTAL_CALL (lines found with grep). Recorded,
# `report --lines --format json` must give: TOTAL_SELF the hottest line of
# ft_total_f, its self about 2/3 and its total about its self; the
# TOTAL_CALL line almost no self and a total equal, within 3% of all
# samples, to ft_total_g's total in the functions list (the split of
# work, not timing); ft_total_f's lines' totals adding up to its own
# total. The text table has a Total column.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload linetotal

src="$(dirname "$0")/../workloads/linetotal.c"
[ -f "$src" ] || hard_error "no workload source at $src"
self_line=$(grep -n 'TOTAL_SELF \*/' "$src" | cut -d: -f1)
call_line=$(grep -n 'TOTAL_CALL \*/' "$src" | cut -d: -f1)
[ -n "$self_line" ] && [ -n "$call_line" ] || hard_error "no TOTAL_SELF / TOTAL_CALL marker in $src"
echo "TOTAL_SELF is linetotal.c:$self_line, TOTAL_CALL is linetotal.c:$call_line"

run_record rec -F 999 -o "$T/rec.session" -- "$WORKLOADS/linetotal" 2000
assert_record_ok rec "$T/rec.session"
if ! "$FLAMETOP" report -i "$T/rec.session" --format json --lines >"$T/rec.json" 2>"$T/rec.err"; then
	fail "report --lines failed: $(cat "$T/rec.err")"
	finish
fi
jq -r '.lines[] | select(.name == "ft_total_f") | "  self \(.self)\ttotal \(.total)\t\(.file // "?"):\(.line)"' "$T/rec.json"

# pct EXPR: EXPR (a jq number) as a percentage of the report's total.
pct() {
	jq -r "(($1) * 1000 / .total | round) / 10" "$T/rec.json"
}
# absdiff A B: |A - B|.
absdiff() {
	awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; print d < 0 ? -d : d }'
}
# row LINE KEY: KEY of ft_total_f's row for linetotal.c:LINE (0 if none).
row() {
	echo "([.lines[] | select(.name == \"ft_total_f\" and .file != null and (.file | endswith(\"/linetotal.c\")) and .line == $1) | .$2] | add // 0)"
}

g_total=$(pct '[.functions[] | select(.name == "ft_total_g") | .total] | add // 0')
f_total=$(pct '[.functions[] | select(.name == "ft_total_f") | .total] | add // 0')
self_self=$(pct "$(row "$self_line" self)")
self_total=$(pct "$(row "$self_line" total)")
call_self=$(pct "$(row "$call_line" self)")
call_total=$(pct "$(row "$call_line" total)")
echo "ft_total_g total $g_total%, ft_total_f total $f_total%"
echo "TOTAL_SELF: self $self_self% total $self_total%; TOTAL_CALL: self $call_self% total $call_total%"

assert_match "$(jq -r '[.lines[] | select(.name == "ft_total_f")][0] | "\(.file):\(.line)"' "$T/rec.json")" \
	"(^|/)linetotal\\.c:$self_line\$" "ft_total_f's hottest line is TOTAL_SELF"
assert_between "$self_self" 50 80 "TOTAL_SELF self %"
# Samples taken in the kernel while on the line (interrupts, page faults,
# more of them under load) count in its total and not in its self, whose
# hit address is the kernel leaf's: 4 points, as view-linetotal.sh.
assert_between "$(absdiff "$self_total" "$self_self")" 0 4 \
	"TOTAL_SELF: total is about self (it calls nothing; |difference| in %)"
assert_between "$call_self" 0 2 "TOTAL_CALL self % (the call instruction alone)"
assert_between "$g_total" 20 45 "ft_total_g's total %"
assert_between "$(absdiff "$call_total" "$g_total")" 0 3 \
	"TOTAL_CALL's total is ft_total_g's total (|difference| in %)"
assert_between "$call_total" 0 "$self_self" "TOTAL_CALL's total is below TOTAL_SELF's self"
sum=$(pct '[.lines[] | select(.name == "ft_total_f") | .total] | add // 0')
assert_between "$(absdiff "$sum" "$f_total")" 0 3 \
	"ft_total_f's lines' totals add up to its total (|difference| in %)"

# Text: a Total column.
"$FLAMETOP" report -i "$T/rec.session" --lines >"$T/rec.txt" 2>/dev/null
assert_eq "$?" 0 "text report --lines exits 0"
assert_match "$(grep -m1 '^ *Self ' "$T/rec.txt")" '^ *Self +Total +Line +Function +Module$' \
	"text: a Total column"
assert_match "$(grep -m1 "linetotal\\.c:$call_line " "$T/rec.txt")" \
	"^ *[0-9.]+% +[0-9.]+%  linetotal\\.c:$call_line +ft_total_f " "text: the TOTAL_CALL row"
finish
