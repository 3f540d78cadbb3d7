#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# report --lines: the lines workload does 3/4 of its work on the source
# line marked LINES_HOT and 1/4 on LINES_COLD (the line numbers come from
# grep, so editing the workload breaks nothing). Record it and check that
# the hottest line is LINES_HOT, and hot / (hot + cold) 0.75 (within what
# the number of samples allows), in json and text; that the json object without --lines is exactly
# the documented one; that a stripped copy finds its lines in its debug file (by
# .gnu_debuglink); that a binary removed since the recording gives ?:0
# and one notice, not a crash; and that one replaced since by another
# program gives ?:0 and one notice, not the other program's lines.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload lines split

src="$(dirname "$0")/../workloads/lines.c"
[ -f "$src" ] || hard_error "no workload source at $src"
hot=$(grep -n 'LINES_HOT \*/' "$src" | cut -d: -f1)
cold=$(grep -n 'LINES_COLD \*/' "$src" | cut -d: -f1)
[ -n "$hot" ] && [ -n "$cold" ] || hard_error "no LINES_HOT / LINES_COLD marker in $src"
echo "LINES_HOT is lines.c:$hot, LINES_COLD is lines.c:$cold"

# report_lines SESSION OUT [ARGS...]: report --lines --format json into OUT.
report_lines() {
	session=$1
	out=$2
	shift 2
	if ! "$FLAMETOP" report -i "$session" --format json --lines "$@" >"$out" 2>"$out.err"; then
		fail "report --lines -i $session failed: $(cat "$out.err")"
		return 1
	fi
	jq -r '.lines[:5][] | "  \(.self)\t\(.file // "?"):\(.line)\t\(.name)\t\(.module)"' "$out"
	sed 's/^/  stderr: /' "$out.err"
	return 0
}

# line_share FILE LINE JSON: LINE's self as a percentage of the total.
line_share() {
	jq -r --arg f "$1" --argjson l "$2" '
		([.lines[] | select(.file != null and (.file | endswith("/" + $f)) and .line == $l)
		  | .self] | add // 0) as $n
		| if .total > 0 then ($n * 1000 / .total | round) / 10 else 0 end' "$3"
}

# check_lines NAME JSON SESSION: the hot line first, hot / (hot + cold)
# about 0.75.
check_lines() {
	assert_match "$(jq -r '.lines[0] | "\(.file):\(.line) \(.name)"' "$2")" \
		"(^|/)lines\\.c:$hot ft_lines_hot\$" "$1: the hottest line is lines.c:$hot in ft_lines_hot"
	h=$(line_share lines.c "$hot" "$2")
	c=$(line_share lines.c "$cold" "$2")
	assert_ratio "$1: lines.c:$hot / (lines.c:$hot + lines.c:$cold), self ($h% and $c%)" \
		"$(awk -v h="$h" -v c="$c" 'BEGIN { print (h + c > 0 ? h / (h + c) : 0) }')" 0.75 \
		"$(awk -v n="$(report_samples "$3")" -v h="$h" -v c="$c" 'BEGIN { printf "%d", n * (h + c) / 100 }')"
}

run_record cmd -F 999 -o "$T/cmd.session" -- "$WORKLOADS/lines" 2000
assert_record_ok cmd "$T/cmd.session"
if report_lines "$T/cmd.session" "$T/cmd.json"; then
	check_lines cmd "$T/cmd.json" "$T/cmd.session"
	assert_eq "$(grep -c "$WORKLOADS/lines" "$T/cmd.json.err")" 0 \
		"cmd: no notice about the workload, whose binary has DWARF"
	assert_eq "$(jq -r 'keys_unsorted | join(",")' "$T/cmd.json")" "total,unit,functions,lines" \
		"cmd: --lines adds \"lines\" to the json object"
fi

# Without --lines the json object is exactly the documented one.
if report_json "$T/cmd.session" "$T/plain.json"; then
	assert_eq "$(jq -r 'keys_unsorted | join(",")' "$T/plain.json")" "total,unit,functions" \
		"json without --lines is {total, unit, functions}"
fi

# Text: a row "Self%  Total%  lines.c:HOT  ft_lines_hot  lines" first.
"$FLAMETOP" report -i "$T/cmd.session" --lines --top 5 >"$T/cmd.txt" 2>"$T/cmd.txt.err"
assert_eq "$?" 0 "text report --lines exits 0"
sed 's/^/  /' "$T/cmd.txt"
first=$(grep -A1 '^ *Self  *Total  *Line ' "$T/cmd.txt" | tail -n 1)
assert_match "$first" "^ *[0-9.]+% +[0-9.]+%  lines\\.c:$hot +ft_lines_hot +lines\$" "text: the first row is lines.c:$hot"

# --lines has no folded form.
"$FLAMETOP" report -i "$T/cmd.session" --lines --format folded >"$T/folded.out" 2>"$T/folded.err"
assert_eq "$?" 2 "--lines --format folded is a usage error"
assert_one_error_line "$T/folded.err" "--lines --format folded"

# A stripped copy whose DWARF is in a debug file beside it (.gnu_debuglink).
if command -v objcopy >/dev/null 2>&1; then
	mkdir -p "$T/strip"
	objcopy --only-keep-debug "$WORKLOADS/lines" "$T/strip/lines.debug" &&
		objcopy --strip-debug --add-gnu-debuglink="$T/strip/lines.debug" \
			"$WORKLOADS/lines" "$T/strip/lines" ||
		hard_error "objcopy could not make a stripped copy"
	if readelf -S "$T/strip/lines" | grep -q '\.debug_line'; then
		fail "strip: the stripped copy still has .debug_line"
	fi
	run_record strip -F 999 -o "$T/strip.session" -- "$T/strip/lines" 2000
	assert_record_ok strip "$T/strip.session"
	if report_lines "$T/strip.session" "$T/strip.json"; then
		check_lines strip "$T/strip.json" "$T/strip.session"
		assert_eq "$(grep -c "$T/strip/lines" "$T/strip.json.err")" 0 \
			"strip: no notice about the copy: its debug file has the lines"
	fi

	# The same recording once the binary is gone: ?:0 and one notice.
	rm -f "$T/strip/lines" "$T/strip/lines.debug"
	if report_lines "$T/strip.session" "$T/gone.json"; then
		assert_eq "$(jq -r '.lines[0] | "\(.file):\(.line) \(.name)"' "$T/gone.json")" \
			"null:0 ft_lines_hot" "gone: the hottest function's line is unknown"
		assert_eq "$(grep -c "notice: .*$T/strip/lines" "$T/gone.json.err")" 1 \
			"gone: one notice names the missing binary"
	fi
	"$FLAMETOP" report -i "$T/strip.session" --lines >"$T/gone.txt" 2>/dev/null
	assert_match "$(grep -A1 '^ *Self  *Total  *Line ' "$T/gone.txt" | tail -n 1)" \
		'^ *[0-9.]+% +[0-9.]+%  \?:0 +ft_lines_hot +lines$' "gone: text shows ?:0"
else
	echo "objcopy is not installed: the stripped-binary part is not run"
fi

# A stripped copy recorded before its debug file was there (its frames
# named lines+0xOFFSET), reported once it is: the lines come from the
# debug file, and nothing says the file changed.
if command -v objcopy >/dev/null 2>&1; then
	mkdir -p "$T/late"
	objcopy --strip-all "$WORKLOADS/lines" "$T/late/lines" ||
		hard_error "objcopy could not make a stripped copy"
	run_record late -F 999 -o "$T/late.session" -- "$T/late/lines" 1000
	assert_record_ok late "$T/late.session"
	objcopy --only-keep-debug "$WORKLOADS/lines" "$T/late/lines.debug" &&
		objcopy --add-gnu-debuglink="$T/late/lines.debug" "$T/late/lines" ||
		hard_error "objcopy could not make and link the debug file"
	if report_lines "$T/late.session" "$T/late.json"; then
		assert_eq "$(grep -c 'changed since the session was recorded' "$T/late.json.err")" 0 \
			"late: no notice that the binary changed"
		assert_match "$(jq -r '.lines[0] | "\(.file):\(.line)"' "$T/late.json")" \
			"(^|/)lines\\.c:$hot\$" "late: the hottest line is lines.c:$hot, from the debug file"
	fi
fi

# A copy replaced since the recording by another program (split, with
# DWARF of its own) at the same path: its lines would be split's; they
# are ?:0, with one notice saying the file changed.
mkdir -p "$T/swap"
cp "$WORKLOADS/lines" "$T/swap/lines" || hard_error "cannot copy the lines workload"
run_record swap -F 999 -o "$T/swap.session" -- "$T/swap/lines" 1000
assert_record_ok swap "$T/swap.session"
cp "$WORKLOADS/split" "$T/swap/lines.new" && mv "$T/swap/lines.new" "$T/swap/lines" ||
	hard_error "cannot replace the copy"
if report_lines "$T/swap.session" "$T/swap.json"; then
	assert_eq "$(jq -r --arg m "$T/swap/lines" \
		'[.lines[] | select(.module == $m and .file != null)] | length' "$T/swap.json")" 0 \
		"swap: no line from the program now at its path"
	assert_eq "$(grep -c "notice: $T/swap/lines changed since the session was recorded" \
		"$T/swap.json.err")" 1 "swap: one notice says the binary changed"
fi

finish
