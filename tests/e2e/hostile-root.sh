#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A container-like root: a hostile user's program (nobody) runs chrooted in
# a directory, from a library there, which it then replaces by an absolute
# symbolic link to a FIFO of this machine. Inside the root the link names
# nothing; through /proc/PID/root, resolved the usual way, it leads out of
# the root to the host's FIFO, and a profiler opening it blocks forever.
# flametop resolves paths inside the process's root: recording the process
# with DWARF unwinding (which opens the library too), and again without
# the capabilities /proc/PID/map_files needs (so the path is all it has),
# it finishes on time with samples saved.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/hostile.lib
. "${TESTLIB%/*}/hostile.lib"

command -v chroot >/dev/null 2>&1 || skip "chroot is not installed"
command -v ldd >/dev/null 2>&1 || skip "ldd is not installed"

# The root: the workload, the libraries it needs, its own library.
R=$T/root
mkdir -p "$R/lib" || hard_error "cannot make $R"
cp "$HD/hostile" "$R/hostile" || hard_error "cannot copy the workload into $R"
for so in $(ldd "$HD/hostile" | awk '/\// { for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'); do
	mkdir -p "$R${so%/*}" && cp -L "$so" "$R$so" || hard_error "cannot copy $so into $R"
done
cp "$HD/libfthostile.so" "$R/lib/libfthostile.so"
chown nobody:nogroup "$R/lib" "$R/lib/libfthostile.so"
chmod 755 "$R"
mkfifo "$T/hostfifo" || hard_error "cannot make a FIFO"

echo "+ (as nobody, in $R) hostile symlink 0 /lib/libfthostile.so $T/hostfifo"
chroot --userspec=nobody:nogroup "$R" /hostile symlink 0 /lib/libfthostile.so "$T/hostfifo" \
	>"$T/root.out" 2>"$T/root.err" &
wpid=$!
ft_bg_pids="$ft_bg_pids $wpid"
wait_ready root "$wpid"
[ -L "$R/lib/libfthostile.so" ] || hard_error "the library was not replaced by a link"
[ "$(readlink "/proc/$wpid/root")" = "$R" ] || hard_error "the workload is not chrooted in $R"

run_record dwarf -F 999 -d 2 --call-graph dwarf -o "$T/dwarf.session" -p "$wpid"
assert_on_time dwarf 2
assert_samples dwarf "$T/dwarf.session" "$T/dwarf.json"

run_record_without_map_files path -F 999 -d 2 --call-graph dwarf -o "$T/path.session" -p "$wpid"
assert_on_time path 2
assert_samples path "$T/path.session" "$T/path.json"
assert_eq "$(grep -c 'hostfifo' "$T/path.err")" 0 "path: nothing said about the host's FIFO"
stop_hostile "$wpid"

finish
