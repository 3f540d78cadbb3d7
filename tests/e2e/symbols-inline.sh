#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Inlined frames: the inlined workload (built -O2 -g) does 3/4 of its work
# in ft_inl_leaf, always inlined into ft_inl_hot, always inlined into
# ft_inl_outer, and 1/4 in ft_inl_outer's own loop; main calls
# ft_inl_outer from ft_inl_run, always inlined into main. Record it and
# check that "ft_inl_leaf (inlined)" carries 3/4 of the work as its self,
# under "ft_inl_hot (inlined)" under ft_inl_outer, and ft_inl_outer the
# rest; that every stack through ft_inl_outer is one that addr2line -i
# (the oracle) gives an address of ft_inl_outer, and that the call from
# main is under "ft_inl_run (inlined)", as addr2line -i names the call
# site; that the explorer's flame graph has a row for each, and its lines
# view of "ft_inl_leaf (inlined)" that function's line. A stripped copy
# finds them in its debug file (.gnu_debuglink); a copy without DWARF has
# none, and says nothing; one whose compressed DWARF would take 300 MiB
# of memory is refused in a notice, and record's and report --lines's
# peak memory stays far below that; glibc's compressed debug file
# (libc6-dbg), where there is one, is not read for them; stacks unwound
# with DWARF show the same frames; --no-inline shows none.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

need_root
need_perf_events
need_jq
need_workload inlined

W="$WORKLOADS/inlined"
OUTER="ft_inl_outer"
HOT="ft_inl_hot (inlined)"
LEAF="ft_inl_leaf (inlined)"
RUN="ft_inl_run (inlined)"

# check_inlined NAME SESSION MODULE: the split, the parents and the module.
check_inlined() {
	report_json "$2" "$T/$1.json" || return
	report_folded "$2" "$T/$1.folded" || return
	print_top "$T/$1.json"
	assert_split "$1" "$T/$1.json" "$(report_samples "$2")" "$LEAF" "$OUTER" 0.75
	assert_eq "$(module_of "$LEAF" "$T/$1.json")" "$3" "$1: $LEAF is in the module it was inlined into"
	# Every stack through ft_inl_leaf has it under ft_inl_hot under ft_inl_outer.
	assert_eq "$(grep -F "$LEAF" "$T/$1.folded" | grep -cvF "$OUTER;$HOT;$LEAF")" 0 \
		"$1: $LEAF is always under $OUTER;$HOT"
	assert_eq "$(grep -F "$OUTER" "$T/$1.folded" | grep -cvF "main;$RUN;$OUTER")" 0 \
		"$1: $OUTER is always called from main;$RUN"
	assert_caller "$1" "$T/$1.json" "$OUTER" "$LEAF"
}

run_record cmd -F 999 -o "$T/cmd.session" -- "$W" 2000
assert_record_ok cmd "$T/cmd.session"
check_inlined cmd "$T/cmd.session" "$W"

# The explorer: the flame graph has the inlined frames under ft_inl_outer,
# one row each; the lines view of ft_inl_leaf (inlined) shows its line.
if command -v tmux >/dev/null 2>&1; then
	ENV="HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8"
	mkdir -p "$T/config"
	tui_start flame 120 30 "$ENV '$FLAMETOP' replay '$T/cmd.session' --view flame 2>'$T/flame.err'"
	assert_screen flame 'end of the session' "flame: the session is loaded"
	# The header can be drawn before the graph under it reaches the
	# terminal: the rows are judged once the last of them shows.
	if ! tui_wait flame '^ *ft_inl_leaf \(inlined\)'; then
		echo "  no row begins with ft_inl_leaf (inlined); the screen:"
		sed 's/^/  | /' "$T/flame.screen"
	fi
	assert_eq "$(grep -A2 '^ *ft_inl_outer' "$T/flame.screen" | sed 's/^ *//; s/  .*//' | tr '\n' ';')" \
		"$OUTER;$HOT;$LEAF;" "flame: $OUTER, then $HOT, then $LEAF, a row each"
	tui_start lines 120 30 "$ENV '$FLAMETOP' replay '$T/cmd.session' --view lines --focus 'ft_inl_leaf' 2>'$T/lines.err'"
	assert_screen lines "Lines of ft_inl_leaf \\(inlined\\), inlined\\.c" "lines: the view is $LEAF's"
	hot=$(grep -n 'FT_WORK(n, ft_inl_leaf_sink)' "$(dirname "$0")/../workloads/inlined.c" | cut -d: -f1)
	assert_screen lines "^ +[0-9.]+[mu]?s +[0-9.]+% .* $hot +FT_WORK\\(n, ft_inl_leaf_sink\\);" \
		"lines: inlined.c:$hot, $LEAF's own line, has its samples"
else
	echo "tmux is not installed: the explorer part is not run"
fi

# The oracle: addr2line -i's chain (outermost first, as folded stacks
# go) at each instruction of ft_inl_outer, and at the call in main.
if command -v addr2line >/dev/null 2>&1 && command -v objdump >/dev/null 2>&1; then
	nm -S "$W" | awk '$4 == "ft_inl_outer" { print $1, $2 }' >"$T/nm"
	read -r addr size <"$T/nm" || hard_error "nm finds no ft_inl_outer in $W"
	start=$((0x$addr))
	end=$((0x$addr + 0x$size))
	objdump -d --start-address="$start" --stop-address="$end" "$W" |
		sed -n 's/^ *\([0-9a-f]*\):.*/0x\1/p' >"$T/addrs"
	# A call's return address is looked up a byte early: the call's own last byte.
	objdump -d "$W" | awk '/call.*<ft_inl_outer>/ { sub(":", "", $1); print "0x" $1 }' >"$T/calls"
	if [ ! -s "$T/addrs" ] || [ ! -s "$T/calls" ]; then
		hard_error "objdump lists no ft_inl_outer code or call"
	fi
	# chains FILE: the chain of each address in FILE, "outer;inner (inlined);...",
	# from addr2line -a -i -f: the address, then a function and a file:line a frame.
	chains() {
		xargs addr2line -a -i -f -e "$W" <"$1" | awk '
			function out() { if (n) { s = c[n]; for (i = n - 1; i >= 1; i--) s = s ";" c[i] " (inlined)"; print s } n = 0 }
			/^0x/ { out(); k = 0; next }
			k++ % 2 == 0 { c[++n] = $0 }
			END { out() }' | sort -u
	}
	chains "$T/addrs" >"$T/oracle"
	chains "$T/calls" >"$T/oracle-call"
	sed 's/^/  addr2line -i: /' "$T/oracle" "$T/oracle-call"
	# Each stack's part from ft_inl_outer down (user frames only) is one of the oracle's.
	sed -n "s/.*;\\($OUTER\\(;[^;]* (inlined)\\)*\\)\\(;.*\\)\\{0,1\\} [0-9]*\$/\\1/p" "$T/cmd.folded" |
		sort -u >"$T/seen"
	sed 's/^/  flametop: /' "$T/seen"
	assert_eq "$(grep -cvxFf "$T/oracle" "$T/seen")" 0 \
		"every inlined chain under $OUTER is one addr2line -i gives for an address of $OUTER"
	assert_eq "$(grep -cxF "$OUTER;$HOT;$LEAF" "$T/seen")" 1 "flametop shows $OUTER;$HOT;$LEAF"
	assert_eq "$(grep -cxF "$OUTER;$HOT;$LEAF" "$T/oracle")" 1 \
		"addr2line -i agrees that $OUTER;$HOT;$LEAF is a chain in $OUTER"
	assert_eq "$(cat "$T/oracle-call")" "main;$RUN" "addr2line -i names the call site main;$RUN"
else
	echo "addr2line or objdump is not installed: the oracle part is not run"
fi

if command -v objcopy >/dev/null 2>&1; then
	# A stripped copy with its DWARF in a debug file beside it.
	mkdir -p "$T/strip"
	if ! objcopy --only-keep-debug "$W" "$T/strip/inlined.debug" ||
		! objcopy --strip-debug --add-gnu-debuglink="$T/strip/inlined.debug" "$W" \
			"$T/strip/inlined"; then
		hard_error "objcopy could not make a stripped copy"
	fi
	run_record strip -F 999 -o "$T/strip.session" -- "$T/strip/inlined" 2000
	assert_record_ok strip "$T/strip.session"
	check_inlined strip "$T/strip.session" "$T/strip/inlined"

	# A copy without DWARF: no inlined frames, and nothing said about it.
	mkdir -p "$T/nodwarf"
	objcopy --strip-debug "$W" "$T/nodwarf/inlined" || hard_error "objcopy could not strip a copy"
	run_record nodwarf -F 999 -o "$T/nodwarf.session" -- "$T/nodwarf/inlined" 1000
	assert_record_ok nodwarf "$T/nodwarf.session"
	assert_eq "$(grep -c "notice: .*$T/nodwarf/" "$T/nodwarf.err")" 0 "nodwarf: no notice about the copy"
	if report_folded "$T/nodwarf.session" "$T/nodwarf.folded"; then
		assert_eq "$(grep -c ' (inlined)' "$T/nodwarf.folded")" 0 "nodwarf: no inlined frame"
	fi

	# A DWARF bomb: a section of 300 MiB of zeros, compressed to a few hundred KiB.
	# libdw would decompress it whole; it is refused, with one notice.
	mkdir -p "$T/bomb"
	truncate -s 300M "$T/bomb/zeros" || hard_error "cannot make a sparse file"
	if ! objcopy --add-section .debug_ranges="$T/bomb/zeros" "$W" "$T/bomb/big" ||
		! objcopy --compress-debug-sections=zlib "$T/bomb/big" "$T/bomb/inlined"; then
		hard_error "objcopy could not make the compressed copy"
	fi
	rm -f "$T/bomb/zeros" "$T/bomb/big"
	run_record bomb -F 999 -o "$T/bomb.session" -- "$T/bomb/inlined" 500
	assert_record_ok bomb "$T/bomb.session" any
	assert_eq "$(grep -c "notice: $T/bomb/inlined: its DWARF would take more than" "$T/bomb.err")" 1 \
		"bomb: one notice refuses its DWARF"
	assert_between "$(sed -n 's/.*(peak memory \([0-9]*\)\..*/\1/p' "$T/bomb.err")" 1 200 \
		"bomb: record's peak memory, MiB"
	# report --lines reads the same DWARF for lines: refused too, in one notice.
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%M' -o "$T/bomb.rss" "$FLAMETOP" report -i "$T/bomb.session" --lines \
			>/dev/null 2>"$T/bomb-lines.err"
		assert_between "$(($(cat "$T/bomb.rss") / 1024))" 1 200 "bomb: report --lines's peak memory, MiB"
	else
		"$FLAMETOP" report -i "$T/bomb.session" --lines >/dev/null 2>"$T/bomb-lines.err"
	fi
	sed 's/^/  stderr: /' "$T/bomb-lines.err"
	assert_eq "$(grep -c "notice: $T/bomb/inlined: its DWARF would take more than" "$T/bomb-lines.err")" 1 \
		"bomb: report --lines refuses its DWARF in one notice"
else
	echo "objcopy is not installed: the stripped-binary part is not run"
fi

# tables_mib NAME: the "symbol and unwind tables" of record -v's memory line.
tables_mib() {
	sed -n 's/.*symbol and unwind tables \([0-9.]*\) MiB.*/\1/p' "$T/$1.err"
}

# The C library's debug file from the distribution, compressed (libc6-dbg):
# not read for inlined functions (decompressing it whole would cost every
# recording 10 MiB and a tenth of a second at its first sample).
libc=$(ldd "$W" | awk '$1 ~ /^libc\.so/ { print $3 }')
id=$(readelf -n "$libc" 2>/dev/null | awk '/Build ID/ { print $3 }')
debug="/usr/lib/debug/.build-id/$(echo "$id" | cut -c1-2)/$(echo "$id" | cut -c3-).debug"
if [ -n "$id" ] && [ -r "$debug" ] && readelf -SW "$debug" | grep -q '\.debug_info .* C '; then
	run_record libc -v -F 999 -o "$T/libc.session" -- "$WORKLOADS/split" 500
	run_record libcoff -v --no-inline -F 999 -o "$T/libcoff.session" -- "$WORKLOADS/split" 500
	assert_between "$(awk -v a="$(tables_mib libc)" -v b="$(tables_mib libcoff)" 'BEGIN { print a - b }')" \
		-1 1 "libc: MiB of symbol tables more than with --no-inline ($(tables_mib libc) and $(tables_mib libcoff))"
else
	echo "no compressed debug file of $libc at $debug: the libc part is not run"
fi

# Unwound with DWARF (the stacks do not go through the frame trie): the same frames.
run_record dwarf --call-graph dwarf -F 499 -o "$T/dwarf.session" -- "$W" 1500
assert_record_ok dwarf "$T/dwarf.session" lost
check_inlined dwarf "$T/dwarf.session" "$W"

# --no-inline: the work is ft_inl_outer's own, and no frame is inlined.
run_record off --no-inline -F 999 -o "$T/off.session" -- "$W" 1000
assert_record_ok off "$T/off.session"
if report_folded "$T/off.session" "$T/off.folded"; then
	assert_eq "$(grep -c ' (inlined)' "$T/off.folded")" 0 "--no-inline: no inlined frame"
	report_json "$T/off.session" "$T/off.json" &&
		assert_between "$(share "$OUTER" "$T/off.json")" 50 100 "--no-inline: $OUTER's self share"
fi

finish
