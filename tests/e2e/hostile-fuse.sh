#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A hostile user (nobody) runs a program from a library its own FUSE
# mount serves (allow_other, as fusermount makes it where user_allow_other
# is on; the ftfuse workload mounts it for nobody and serves it), and then
# lets the server stop answering. Any look at that file then waits for
# good: fstat, open, read. A profiler reading the library as root never
# finishes. flametop tells the mount from the mount tables alone, refuses
# the file with one notice, and names its frames lib.so+0x...
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/hostile.lib
. "${TESTLIB%/*}/hostile.lib"
# shellcheck source=tests/e2e/tui.lib
. "${TESTLIB%/*}/tui.lib"

need_workload ftfuse
[ -e /dev/fuse ] || skip "no /dev/fuse"

fuse_pids=
fuse_mnts=
# The servers' end closes their connections (waiters get ENOTCONN), then
# the mounts go, before lib.sh removes $T.
fuse_down() {
	for p in $fuse_pids; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for m in $fuse_mnts; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
}
trap 'fuse_down; tui_cleanup' EXIT

# fuse_start NAME FILE [SERVED]: mounts $T/NAME, where nobody's FUSE
# server (ftfuse) serves FILE as SERVED (lib.so); its pid is FPID.
fuse_start() {
	mkdir "$T/$1" && chmod 755 "$T/$1" || hard_error "cannot make $T/$1"
	"$WORKLOADS/ftfuse" "$T/$1" "$2" "$(id -u nobody)" ${3:+"$3"} \
		>"$T/$1.fuse" 2>"$T/$1.fuse.err" &
	FPID=$!
	fuse_pids="$fuse_pids $FPID"
	fuse_mnts="$fuse_mnts $T/$1"
	wait_until 30 fuse_said "$1" ready
	if ! grep -q '^ready$' "$T/$1.fuse"; then
		wait "$FPID"
		[ $? -ne 77 ] || skip "cannot mount FUSE here: $(cat "$T/$1.fuse.err")"
		hard_error "ftfuse never got ready: $(cat "$T/$1.fuse.err")"
	fi
}

fuse_said() {
	grep -q "^$2\$" "$T/$1.fuse" || ! kill -0 "$FPID" 2>/dev/null
}

# fuse_freeze NAME PID: the server PID of $T/NAME stops answering.
fuse_freeze() {
	kill -USR1 "$2"
	FPID=$2
	wait_until 30 fuse_said "$1" frozen && grep -q '^frozen$' "$T/$1.fuse" ||
		hard_error "ftfuse did not stop answering"
}

# run_bounded NAME ARGS...: flametop record ARGS, killed after 40 s.
run_bounded() {
	name=$1
	shift
	echo "+ flametop record $* (the FUSE server answers no more)"
	t0=$(now_ms)
	timeout -s KILL 40 "$FLAMETOP" record "$@" >"$T/$name.out" 2>"$T/$name.err"
	RC=$?
	ELAPSED_MS=$(($(now_ms) - t0))
	sed 's/^/  stderr: /' "$T/$name.err"
	echo "  exit $RC after ${ELAPSED_MS} ms"
}

fuse_start mnt "$HD/libfthostile.so"
fpid=$FPID
mnt=$T/mnt
start_hostile fuse plain 0 "$mnt/lib.so"
wpid=$HPID
fuse_freeze mnt "$fpid"

run_bounded rec -F 999 -d 2 -o "$T/fuse.session" -p "$wpid"
assert_on_time rec 2
assert_samples fuse "$T/fuse.session" "$T/fuse.json"
assert_eq "$(grep -c "^flametop: notice: .*/mnt/lib\.so: on user [0-9]*'s FUSE mount" \
	"$T/rec.err")" 1 "fuse: one notice refuses the library on the user's FUSE mount"
if [ -s "$T/fuse.json" ]; then
	hot=$(jq -r '.functions[0].name' "$T/fuse.json")
	assert_match "$hot" '^lib\.so\+0x[0-9a-f]+$' "fuse: the hottest frame is named module+0xOFFSET"
fi
stop_hostile "$wpid"

# The same library on a mount that was then lazily unmounted (umount -l)
# while the program maps it: no mount table lists it any more, so it is
# told from its device alone, here without fusectl (sysfs names FUSE's
# backing device 0:MINOR), and refused with one notice, not read.
fuse_start det "$HD/libfthostile.so"
dfpid=$FPID
start_hostile det plain 0 "$T/det/lib.so"
dwpid=$HPID
umount -l "$T/det" || hard_error "cannot unmount $T/det lazily"
grep 'lib\.so$' "/proc/$dwpid/maps" | sed 's/^/  maps: /'
grep -q 'lib\.so$' "/proc/$dwpid/maps" || hard_error "the workload does not map lib.so"
fuse_freeze det "$dfpid"
run_bounded det -F 999 -d 2 -o "$T/det.session" -p "$dwpid"
assert_eq "$RC" 0 "detached: record exit status (not killed, hung on the library)"
assert_eq "$(grep -c "^flametop: notice: .*lib\.so: on a detached FUSE mount" "$T/det.err")" 1 \
	"detached: one notice refuses the library on the detached FUSE mount"
stop_hostile "$dwpid"

# A library of nobody's own, not on the mount, whose debug link names a
# file that nobody made a symbolic link onto the frozen mount: looking the
# debug file up must not follow the link there.
if command -v objcopy >/dev/null 2>&1; then
	(cd "$HD" && objcopy --only-keep-debug libfthostile.so dbg.debug &&
		objcopy --strip-all --add-gnu-debuglink=dbg.debug libfthostile.so dbg.so &&
		rm dbg.debug && ln -s "$mnt/lib.so" dbg.debug &&
		chown -h nobody:nogroup dbg.so dbg.debug) ||
		hard_error "cannot make a stripped library with a debug link"
	start_hostile link plain 0 "$HD/dbg.so"
	dpid=$HPID
	run_bounded dbg -F 999 -d 2 -o "$T/dbg.session" -p "$dpid"
	assert_on_time dbg 2
	assert_samples dbg "$T/dbg.session" "$T/dbg.json"
	[ -s "$T/dbg.json" ] &&
		assert_between "$(share ft_hostile_run "$T/dbg.json" total)" 50 100 \
			"dbg: ft_hostile_run total % (named from .dynsym)"
	stop_hostile "$dpid"
else
	echo "SKIP (part): objcopy (binutils) is not installed"
fi

# Mount tables are read once per namespace and root, then again only when
# the namespace's mounts change (poll on the open mountinfo), not for every
# file looked at: a table of thousands of mounts costs the kernel tens of
# ms to write. Recording a process of this namespace reads one table, for
# flametop's own files and all of the process's.
if command -v strace >/dev/null 2>&1; then
	start_hostile table plain 0 "$HD/libfthostile.so"
	tpid=$HPID
	echo "+ strace -f -e trace=openat flametop record -F 999 -d 1 -p $tpid"
	timeout -s KILL 60 strace -f -e trace=openat -o "$T/table.strace" \
		"$FLAMETOP" record -F 999 -d 1 -o "$T/table.session" -p "$tpid" \
		>"$T/table.out" 2>"$T/table.err"
	assert_eq "$?" 0 "table: record exit status"
	assert_eq "$(grep -c '/mountinfo"' "$T/table.strace")" 1 \
		"table: one mount table read, for all the files of flametop and the process"
	stop_hostile "$tpid"
else
	echo "SKIP (part): strace is not installed"
fi

# The alloc type probes malloc in the libc the process maps: nobody's
# process runs on a libc its FUSE server serves, then stops serving. The
# library is refused before it is looked at (and before the kernel is
# asked to place a probe in it), so record says why and ends.
libc=$(ldd "$WORKLOADS/hostile" | awk '$1 ~ /^libc\.so/ { print $3 }')
[ -f "$libc" ] || hard_error "no libc found for the hostile workload"
fuse_start libc "$libc" "${libc##*/}"
lpid=$FPID
echo "+ (as nobody) LD_LIBRARY_PATH=$T/libc hostile plain 0"
(cd "$HD" && LD_LIBRARY_PATH=$T/libc exec setpriv --reuid=nobody --regid=nogroup \
	--clear-groups --inh-caps=-all ./hostile plain 0 "$HD/libfthostile.so") \
	>"$T/onlibc.out" 2>"$T/onlibc.err" &
spid=$!
ft_bg_pids="$ft_bg_pids $spid"
wait_ready onlibc "$spid"
grep -q " $T/libc/" "/proc/$spid/maps" || hard_error "the workload does not run on $T/libc"
fuse_freeze libc "$lpid"
run_bounded alloc -e alloc -d 1 -o "$T/alloc.session" -p "$spid"
assert_between "$ELAPSED_MS" 0 20000 "alloc: record wall time (ms), not hung on the library"
assert_eq "$(grep -c "^flametop: .*/libc/libc[^ ]*: on user [0-9]*'s FUSE mount" \
	"$T/alloc.err")" 1 "alloc: record says the libc on the user's FUSE mount is refused"
# Its SIGTERM handler may be in a libc page never read: it would wait too.
kill -KILL "$spid" 2>/dev/null
wait "$spid" 2>/dev/null

# The lines view reads the source file a program's DWARF names: here one
# on nobody's FUSE mount, whose server then stops answering. The view
# says why it shows no source, and goes on.
CC=${CC:-cc}
if ! command -v tmux >/dev/null 2>&1 || ! command -v "$CC" >/dev/null 2>&1; then
	echo "SKIP (part): the lines view part needs tmux and a C compiler"
	finish
fi
mkdir "$T/build" || hard_error "cannot make $T/build"
cp "$(dirname "$TESTLIB")/hot.c" "$T/build/hot.c" || hard_error "cannot copy hot.c"
"$CC" -g -O0 -fno-omit-frame-pointer -fdebug-prefix-map="$T/build=$T/src" -o "$T/hot" \
	"$T/build/hot.c" || hard_error "cannot build $T/build/hot.c"
# The same program as named through a symbolic link onto the mount. As
# root, the lines view shows a file only in directories anyone may search.
chmod 0711 "$T" || hard_error "cannot make $T searchable"
ln -s "$T/src" "$T/via" || hard_error "cannot make $T/via"
"$CC" -g -O0 -fno-omit-frame-pointer -fdebug-prefix-map="$T/build=$T/via" -o "$T/hotvia" \
	"$T/build/hot.c" || hard_error "cannot build $T/build/hot.c"
fuse_start src "$T/build/hot.c" hot.c
spid_src=$FPID
run_record hot -F 999 -o "$T/hot.session" -- "$T/hot"
[ "$RC" -eq 0 ] && [ -s "$T/hot.session" ] || hard_error "cannot record $T/hot"
run_record hotvia -F 999 -o "$T/hotvia.session" -- "$T/hotvia"
[ "$RC" -eq 0 ] && [ -s "$T/hotvia.session" ] || hard_error "cannot record $T/hotvia"
fuse_freeze src "$spid_src"
tui_start view 120 30 "HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8 '$FLAMETOP' replay --view lines --focus '^ft_source_hot\$' '$T/hot.session' 2>'$T/view.err'"
assert_screen view "^ Lines of ft_source_hot, hot\\.c: on a user's FUSE mount" \
	"lines: the view says the source is on a user's FUSE mount"
tui_keys view q
if tui_exit view; then
	assert_eq "$RC" 0 "lines: q exits 0"
else
	fail "lines: still running 30 s after q"
fi
tui_start via 120 30 "HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8 '$FLAMETOP' replay --view lines --focus '^ft_source_hot\$' '$T/hotvia.session' 2>'$T/via.err'"
assert_screen via "^ Lines of ft_source_hot, hot\\.c: on a user's FUSE mount" \
	"lines via a link: the view says the source is on a user's FUSE mount"
tui_keys via q
if tui_exit via; then
	assert_eq "$RC" 0 "lines via a link: q exits 0"
else
	fail "lines via a link: still running 30 s after q"
fi

finish
