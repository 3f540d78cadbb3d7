#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A session names its kernel frames itself: opening one (report, export)
# never reads this machine's /proc/kallsyms or /proc/modules, so a session
# recorded on another machine shows that machine's kernel names, and
# opening it costs nothing of the tens of milliseconds the kernel takes to
# format kallsyms. Ground truth is the program's own opens (strace), on
# the golden session "basic", written elsewhere, whose one kernel frame is
# ksys_write in [kernel.kallsyms].
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_jq
command -v strace >/dev/null 2>&1 || skip "strace is not installed (apt-get install strace)"
strace -o /dev/null true 2>/dev/null || skip "strace cannot trace here (ptrace refused)"
S=$GOLDEN/session/valid/basic/input
[ -r "$S" ] || hard_error "no golden session at $S"

# traced NAME COMMAND...: runs flametop COMMAND under strace, its opens in
# $T/NAME.trace, its stdout in $T/NAME.out.
traced() {
	name=$1
	shift
	if ! strace -f -qq -e trace=open,openat,openat2 -o "$T/$name.trace" \
		"$FLAMETOP" "$@" >"$T/$name.out" 2>"$T/$name.err"; then
		fail "flametop $* failed: $(head -c 300 "$T/$name.err")"
	fi
}

traced report report -i "$S" --format json --top 0
traced export export -i "$S" --format folded -o "$T/folded.txt"

for name in report export; do
	# The trace saw the program at work: it opened the session.
	assert_eq "$(grep -c -F "$S" "$T/$name.trace")" 1 "$name: opens of the session seen by strace"
	assert_eq "$(grep -E '"/proc/(kallsyms|modules)"' "$T/$name.trace" | head -n 3 | tr '\n' ' ')" "" \
		"$name: opens of this machine's kernel symbols"
done

assert_eq "$(jq -r '[.functions[] | select(.module == "[kernel.kallsyms]") | .name] | join(" ")' "$T/report.out")" \
	ksys_write "kernel functions reported, named by the session"
assert_eq "$(grep -c ';ksys_write ' "$T/folded.txt")" 1 "exported stacks ending in the session's ksys_write"
finish
