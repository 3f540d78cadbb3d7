#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Every trap of the other hostile-*.sh tests at once, as a hostile user on
# a production box would set them, against a whole-system recording
# (issue 9's "record -a -d 5 ... finishes in ~5 s with samples saved"):
# a library replaced by a FIFO, one replaced by an absolute symbolic link
# to a FIFO, a library whose hot function has an exponentially demangling
# name, a stripped library whose debug link candidate is a sparse 16 GiB
# file, a sparse 64 GiB JIT map, and a library truncated while DWARF
# unwinding reads it.
#
# First record -a -d 5 without the capabilities /proc/PID/map_files needs,
# so that every library is looked for by its path, where the traps are;
# then record -a -d 5 --call-graph dwarf, the truncation made in the middle
# of it. Each must end on time with samples saved, the hostile programs'
# own function among them.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/hostile.lib
. "${TESTLIB%/*}/hostile.lib"

command -v objcopy >/dev/null 2>&1 || skip "objcopy (binutils) is not installed"

pids=
mkfifo "$T/host.fifo" || hard_error "cannot make a FIFO"
chmod 644 "$T/host.fifo"

start_hostile fifo fifo 0 "$(hostile_lib fifo.so)"
pids="$pids $HPID"
start_hostile link symlink 0 "$(hostile_lib link.so)" "$T/host.fifo"
pids="$pids $HPID"
start_hostile demangle plain 0 "$(hostile_lib demangle.so)"
pids="$pids $HPID"
(cd "$HD" && objcopy --only-keep-debug libfthostile.so dbg.debug &&
	objcopy --strip-all --add-gnu-debuglink=dbg.debug libfthostile.so dbg.so &&
	rm dbg.debug && truncate -s 16G dbg.debug && chown nobody:nogroup dbg.so dbg.debug) ||
	hard_error "cannot make a stripped library with a debug link"
start_hostile dbg plain 0 "$HD/dbg.so"
pids="$pids $HPID"
start_hostile jit jitmap 0
pids="$pids $HPID"
trunc_lib=$(hostile_lib truncate.so)
start_hostile trunc truncate 0 "$trunc_lib"
tpid=$HPID
pids="$pids $tpid"

# Six programs spinning on a small, shared machine would leave the recorder
# little CPU to keep to its deadline with; that is about the machine, not
# about what the traps do to flametop, so they spin at the lowest priority.
# shellcheck disable=SC2086
renice -n 19 -p $pids >/dev/null || hard_error "cannot renice the hostile programs"

run_record_without_map_files paths -a -F 499 -d 5 -o "$T/paths.session"
assert_on_time paths 5
assert_samples paths "$T/paths.session" "$T/paths.json"
[ -s "$T/paths.json" ] &&
	assert_between "$(share ft_hostile_run "$T/paths.json" total)" 0.01 100 \
		"paths: ft_hostile_run total % (the hostile programs' function named)"

echo "+ flametop record -a --call-graph dwarf -F 499 -d 5 (in the background)"
t0=$(now_ms)
timeout -s KILL 60 "$FLAMETOP" record -a --call-graph dwarf -F 499 -d 5 -o "$T/dwarf.session" \
	>"$T/dwarf.out" 2>"$T/dwarf.err" &
rec=$!
ft_bg_pids="$ft_bg_pids $rec"
# The recording has started once its session file has its first chunk.
i=0
while [ ! -s "$T/dwarf.session" ] && kill -0 "$rec" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 3000 ] || hard_error "record --call-graph dwarf wrote nothing in 30 s"
	sleep 0.01
done
kill -USR1 "$tpid"
i=0
while ! grep -q '^truncated$' "$T/trunc.out" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 3000 ] || hard_error "the workload did not truncate $trunc_lib: $(cat "$T/trunc.err")"
	sleep 0.01
done
echo "  the library was truncated after $(($(now_ms) - t0)) ms"
wait "$rec"
RC=$?
ELAPSED_MS=$(($(now_ms) - t0))
sed 's/^/  stderr: /' "$T/dwarf.err"
echo "  exit $RC after ${ELAPSED_MS} ms"
assert_on_time dwarf 5
assert_samples dwarf "$T/dwarf.session" "$T/dwarf.json"
[ -s "$T/dwarf.json" ] &&
	assert_between "$(share ft_hostile_run "$T/dwarf.json" total)" 0.01 100 \
		"dwarf: ft_hostile_run total % (the hostile programs' function named)"

for p in $pids; do
	stop_hostile "$p"
done
finish
