#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The live explorer's symbol and unwind tables stay under --max-memory:
# a command runs eight copies of the Python interpreter one after the
# other (each a module of its own, a few MiB of tables with
# --call-graph dwarf), and the explorer, with -v, says at the end what its
# tables hold. With --max-memory 64M (the default) they hold every copy's,
# more than 8 MiB (else this machine's interpreter is too small to tell,
# and the test skips); with --max-memory 8M, at most 8 MiB: those unused
# for a second were freed. The ground truth is the ceiling, not time.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

need_tmux
need_perf_events
# The interpreter itself, not a wrapper (pyenv's shims are scripts).
PY=$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))' 2>/dev/null)
[ -x /usr/bin/python3 ] && PY=$(readlink -f /usr/bin/python3)
[ -n "$PY" ] && [ -x "$PY" ] || skip "python3 is not installed"
COPIES=8
CEILING_MIB=8
mkdir -p "$T/py"
i=1
while [ "$i" -le "$COPIES" ]; do
	cp "$PY" "$T/py/python$i" || hard_error "cannot copy $PY"
	i=$((i + 1))
done
# Each copy counts to a fixed number: a split of work, not a time. The
# tables a sample needed in the last second stay (several copies may run
# in one second), so the command then idles: the trims at the next ticks
# find them unused, and what stays must be under the ceiling.
cat >"$T/run.sh" <<EOS
#!/bin/sh
for i in \$(seq 1 $COPIES); do
	"$T/py/python\$i" -c 'n = 0
for i in range(2000000): n += i'
done
sleep 4
EOS
chmod +x "$T/run.sh"

# tables NAME MEMORY: runs the explorer on the copies with --max-memory
# MEMORY, quits once the command has exited, and writes its tables' bytes
# from -v's memory line to $T/NAME.bytes.
tables() {
	tui_start "$1" 120 30 "LANG=C.UTF-8 '$FLAMETOP' -v --max-memory $2 --call-graph dwarf -- '$T/run.sh' 2>'$T/$1.err'"
	assert_screen "$1" 'the target exited' "$1: the copies ran" 120
	tui_keys "$1" q
	tui_exit "$1" || fail "$1: q did not end the explorer"
	assert_eq "$RC" 0 "$1: exit status"
	[ "$RC" = 0 ] || sed 's/^/  | /' "$T/$1.screen" "$T/$1.err"
	sed -n 's/.*symbol and unwind tables \([0-9.]*\)\([KMG]\?\)B\? .*/\1 \2/p' "$T/$1.err" |
		awk '{ m = $2 == "K" ? 1024 : $2 == "M" ? 1048576 : $2 == "G" ? 1073741824 : 1
		       printf "%d", $1 * m }' >"$T/$1.bytes"
}

tables wide 64M
all=$(cat "$T/wide.bytes")
[ -n "$all" ] || hard_error "no memory line from -v: $(cat "$T/wide.err")"
echo "tables at 64M: $all bytes"
[ "$all" -gt $((CEILING_MIB << 20)) ] ||
	skip "the copies' tables ($all bytes) do not exceed ${CEILING_MIB} MiB here: nothing to bound"
tables narrow ${CEILING_MIB}M
kept=$(cat "$T/narrow.bytes")
[ -n "$kept" ] || hard_error "no memory line from -v: $(cat "$T/narrow.err")"
echo "tables at ${CEILING_MIB}M: $kept bytes"
assert_between "$kept" 1 $((CEILING_MIB << 20)) \
	"--max-memory ${CEILING_MIB}M: the tables stay under it ($kept bytes; $all at 64M)"
finish
