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
#
# Then a program chrooted there allocates: /proc/PID/maps, as root reads
# it, names its C library by this machine's path, and at that path inside
# the root its owner put an absolute link to a file of this machine.
# -e alloc -p probes malloc in the process's libc: the very file mapped
# (/proc/PID/map_files), not that path resolved again inside the root,
# which would follow the link out of it to the host's file.
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

need_workload t12-types
cp "$WORKLOADS/t12-types" "$R/t12-types" || hard_error "cannot copy t12-types into $R"
for so in $(ldd "$WORKLOADS/t12-types" | awk '/\// { for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'); do
	[ -e "$R$so" ] || { mkdir -p "$R${so%/*}" && cp -L "$so" "$R$so"; } ||
		hard_error "cannot copy $so into $R"
done
echo "not a library" >"$T/decoy"
echo "+ (as nobody, in $R) t12-types alloc 0"
chroot --userspec=nobody:nogroup "$R" /t12-types alloc 0 >/dev/null 2>"$T/alloc.err" &
apid=$!
ft_bg_pids="$ft_bg_pids $apid"
wait_comm "$apid" t12-types
libc=$(awk '$2 ~ /x/ && $6 ~ /\/libc\.so/ { print $6; exit }' "/proc/$apid/maps")
[ -n "$libc" ] || hard_error "t12-types maps no libc.so executable"
# That path (root reads this machine's) inside the root: a link out of it, by nobody.
mkdir -p "$R${libc%/*}" && ln -s "$T/decoy" "$R$libc" && chown -h nobody:nogroup "$R$libc" ||
	hard_error "cannot link $R$libc to the decoy"
run_record uprobe -e alloc -d 1 -o "$T/uprobe.session" -p "$apid"
assert_eq "$RC" 0 "alloc -p, its libc's path a link out of its root: record exit status"
# Without the capabilities map_files needs, the path is not looked up instead.
run_record_without_map_files uprobecap -e alloc -d 1 -o "$T/uprobecap.session" -p "$apid"
stop_hostile "$apid"
assert_eq "$RC" 1 "alloc -p without map_files: record exit status"
assert_match "$(cat "$T/uprobecap.err")" '/proc/[0-9]+/map_files cannot be opened without CAP_SYS_ADMIN' \
	"alloc -p without map_files: the error says why"
assert_eq "$(grep -c 'decoy\|not an ELF' "$T/uprobecap.err")" 0 "alloc -p without map_files: the host's file untouched"
assert_eq "$(grep -c 'decoy\|not an ELF' "$T/uprobe.err")" 0 "alloc -p: nothing said of the host's file"
if report_json "$T/uprobe.session" "$T/uprobe.json"; then
	print_top "$T/uprobe.json"
	assert_match "$(jq '[.functions[] | select(.name | startswith("ft_t12_alloc")) | .total] | add // 0' \
		"$T/uprobe.json")" '^[1-9][0-9]*$' "alloc -p: the process's allocations are counted"
fi

finish
