#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A hostile user's library is stripped, with a .gnu_debuglink naming a
# debug file beside it, which the user then replaces by a sparse file of
# 16 GiB. A profiler that checksums every debug link candidate reads
# 16 GiB of holes (over a minute). flametop refuses the candidate (sparse,
# and over its size cap): it must finish on time with samples saved, and
# name the library's functions from its .dynsym.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/hostile.lib
. "${TESTLIB%/*}/hostile.lib"

command -v objcopy >/dev/null 2>&1 || skip "objcopy (binutils) is not installed"

(cd "$HD" && objcopy --only-keep-debug libfthostile.so dbg.debug &&
	objcopy --strip-all --add-gnu-debuglink=dbg.debug libfthostile.so dbg.so &&
	rm dbg.debug && truncate -s 16G dbg.debug && chown nobody:nogroup dbg.so dbg.debug) ||
	hard_error "cannot make a stripped library with a debug link"
start_hostile dbg plain 0 "$HD/dbg.so"
wpid=$HPID

run_record dbg -F 999 -d 2 -o "$T/dbg.session" -p "$wpid"
stop_hostile "$wpid"
assert_on_time dbg 2
assert_samples dbg "$T/dbg.session" "$T/dbg.json"
[ -s "$T/dbg.json" ] &&
	assert_between "$(share ft_hostile_run "$T/dbg.json" total)" 50 100 \
		"dbg: ft_hostile_run total % (named from .dynsym)"

finish
