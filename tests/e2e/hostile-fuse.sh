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

need_workload ftfuse
[ -e /dev/fuse ] || skip "no /dev/fuse"

mnt=$T/mnt
mkdir "$mnt" && chmod 755 "$mnt" || hard_error "cannot make $mnt"
"$WORKLOADS/ftfuse" "$mnt" "$HD/libfthostile.so" "$(id -u nobody)" >"$T/fuse.out" 2>"$T/fuse.err" &
fpid=$!
# The server's end closes the connection (waiters get ENOTCONN), then the
# mount goes, before lib.sh removes $T.
fuse_down() {
	kill -TERM "$fpid" 2>/dev/null
	wait "$fpid" 2>/dev/null
	umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null
}
trap 'fuse_down; ft_cleanup' EXIT
fuse_up() {
	grep -q '^ready$' "$T/fuse.out" || ! kill -0 "$fpid" 2>/dev/null
}
wait_until 30 fuse_up
if ! grep -q '^ready$' "$T/fuse.out"; then
	wait "$fpid"
	[ $? -ne 77 ] || skip "cannot mount FUSE here: $(cat "$T/fuse.err")"
	hard_error "ftfuse never got ready: $(cat "$T/fuse.err")"
fi

start_hostile fuse plain 0 "$mnt/lib.so"
wpid=$HPID
kill -USR1 "$fpid"
wait_until 30 grep -q '^frozen$' "$T/fuse.out" || hard_error "ftfuse did not stop answering"

echo "+ flametop record -F 999 -d 2 -p $wpid (the FUSE server answers no more)"
t0=$(now_ms)
timeout -s KILL 40 "$FLAMETOP" record -F 999 -d 2 -o "$T/fuse.session" -p "$wpid" \
	>"$T/fuse.out2" 2>"$T/fuse.err2"
RC=$?
ELAPSED_MS=$(($(now_ms) - t0))
sed 's/^/  stderr: /' "$T/fuse.err2"
echo "  exit $RC after ${ELAPSED_MS} ms"
assert_on_time fuse 2
assert_samples fuse "$T/fuse.session" "$T/fuse.json"
assert_eq "$(grep -c "^flametop: notice: .*/mnt/lib\.so: on user [0-9]*'s FUSE mount" \
	"$T/fuse.err2")" 1 "fuse: one notice refuses the library on the user's FUSE mount"
if [ -s "$T/fuse.json" ]; then
	hot=$(jq -r '.functions[0].name' "$T/fuse.json")
	assert_match "$hot" '^lib\.so\+0x[0-9a-f]+$' "fuse: the hottest frame is named module+0xOFFSET"
fi
stop_hostile "$wpid"

finish
