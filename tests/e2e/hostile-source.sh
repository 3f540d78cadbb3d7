#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The lines view reads a source file by the path a profiled program's DWARF
# names, so whoever built the program chooses it. Here a program is built
# from a source file that, once it was recorded, is replaced by a FIFO with
# a writer waiting in open(): a viewer that opens the path for reading, even
# non-blocking, wakes that writer (a device would have been opened the same
# way, with whatever its open does). flametop checks what the path is on a
# descriptor that cannot open anything (O_PATH), so the view says "not a
# regular file" and the writer stays blocked.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

need_tmux
if [ "$(id -u)" -ne 0 ] && [ "$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo 9)" -gt 2 ]; then
	skip "kernel.perf_event_paranoid > 2 forbids sampling even our own command"
fi
CC=${CC:-cc}
command -v "$CC" >/dev/null 2>&1 || skip "no C compiler ($CC) to build the program whose source is replaced"

mkdir "$T/src" && chmod 0755 "$T/src" || hard_error "cannot make $T/src"
# As root, the lines view shows a file only in directories anyone may search.
chmod 0711 "$T" || hard_error "cannot make $T searchable"
cp "$(dirname "$TESTLIB")/hot.c" "$T/src/hot.c" || hard_error "cannot copy hot.c"
"$CC" -g -O0 -fno-omit-frame-pointer -o "$T/hot" "$T/src/hot.c" || hard_error "cannot build $T/src/hot.c"
cp "$T/src/hot.c" "$T/hot.c.orig" || hard_error "cannot keep hot.c"

run_record rec -F 999 -o "$T/hot.session" -- "$T/hot"
[ "$RC" -eq 0 ] && [ -s "$T/hot.session" ] || hard_error "cannot record $T/hot"

rm "$T/src/hot.c" && mkfifo "$T/src/hot.c" || hard_error "cannot make the FIFO"
# The writer blocks in open() until someone opens the FIFO for reading.
start_bg sh -c ": >'$T/src/hot.c' && touch '$T/woken'"
writer=$BG_PID

mkdir -p "$T/config"
tui_start view 120 30 "HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8 '$FLAMETOP' replay --view lines --focus '^ft_source_hot\$' '$T/hot.session' 2>'$T/view.err'"
assert_screen view '^ Lines of ft_source_hot, hot\.c: not a regular file: ' \
	"the view says the source is not a regular file"
# Had it been opened, the writer would now finish within moments.
i=0
while [ "$i" -lt 20 ] && [ ! -e "$T/woken" ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ -e "$T/woken" ]; then
	fail "the FIFO was opened for reading (its writer was woken)"
else
	pass "the FIFO was never opened for reading (its writer still waits)"
fi
assert_screen view '0x[0-9a-f]+  hot\.c:[0-9]+$' "the function's addresses are listed with their lines"
tui_keys view q
if tui_exit view; then
	assert_eq "$RC" 0 "replay: q exits 0"
else
	fail "replay: still running 30 s after q"
fi
[ -s "$T/view.err" ] && fail "replay: stderr not empty: $(head -c 300 "$T/view.err")"
kill "$writer" 2>/dev/null

# The program's DWARF may as well name a file only root may read (a user
# builds it with -fdebug-prefix-map=.../src=/etc, or names the file in a
# #line): the view, as root, must not show it.
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP (part): not root, so the kernel keeps flametop from root-only files"
	finish
fi
rm -f "$T/src/hot.c"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "ROOT-ONLY-SECRET-$i"; done >"$T/src/hot.c"
chmod 0600 "$T/src/hot.c"
# Root's own program (its file root's, writable by no one else) names
# what root chose: its sources are shown wherever they are.
tui_start own 120 30 "HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8 '$FLAMETOP' replay --view lines --focus '^ft_source_hot\$' '$T/hot.session' 2>'$T/own.err'"
assert_screen own 'ROOT-ONLY-SECRET-1' "root's own program: its source is shown"
tui_keys own q
tui_exit own || fail "replay: still running 30 s after q"
# From here the program is a user's (nobody's): its DWARF is a stranger's.
chown nobody "$T/hot" || hard_error "cannot give $T/hot to nobody"
tui_start secret 120 30 "HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8 '$FLAMETOP' replay --view lines --focus '^ft_source_hot\$' '$T/hot.session' 2>'$T/secret.err'"
assert_screen secret '^ Lines of ft_source_hot, hot\.c: not readable by everyone \(mode 0600\)' \
	"root-only: the view says the file is not readable by everyone"
assert_not_screen secret 'ROOT-ONLY-SECRET' "root-only: no line of the file is shown" 1
chmod 0644 "$T/src/hot.c"
tui_keys secret q
tui_exit secret || fail "replay: still running 30 s after q"
# A file anyone may read in a directory only its owner may search is not
# anyone's to read either: a user's DWARF naming /root/notes.txt (0644 in
# /root, 0700) must not put it on root's screen.
chmod 0700 "$T/src"
tui_start hidden 120 30 "HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8 '$FLAMETOP' replay --view lines --focus '^ft_source_hot\$' '$T/hot.session' 2>'$T/hidden.err'"
assert_screen hidden '^ Lines of ft_source_hot, hot\.c: in a directory not everyone may search' \
	"private directory: the view says a directory on the path is not searchable by all"
assert_not_screen hidden 'ROOT-ONLY-SECRET' "private directory: no line of the file is shown" 1
tui_keys hidden q
tui_exit hidden || fail "replay: still running 30 s after q"
chmod 0755 "$T/src"
# Once anyone may read it, in directories anyone may search, the same file
# is shown (so the checks above saw the refusals, not a file the view would
# never show).
tui_start shown 120 30 "HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8 '$FLAMETOP' replay --view lines --focus '^ft_source_hot\$' '$T/hot.session' 2>'$T/shown.err'"
assert_screen shown 'ROOT-ONLY-SECRET-5' "readable by all: the file is shown"
tui_keys shown q
tui_exit shown || fail "replay: still running 30 s after q"
# A relative compilation directory (-fdebug-prefix-map=$PWD=.) names the
# file from flametop's working directory: the directories above that count
# too. Root, working in a directory anyone may search inside its own 0700
# one, must not see a file there that the user's DWARF named.
mkdir "$T/rel" "$T/priv" "$T/priv/work" && chmod 0700 "$T/priv" && chmod 0755 "$T/priv/work" ||
	hard_error "cannot make the directories"
cp "$T/hot.c.orig" "$T/rel/hot.c" || hard_error "cannot copy hot.c"
(cd "$T/rel" && "$CC" -g -O0 -fno-omit-frame-pointer -fdebug-prefix-map="$T/rel=." -o hot hot.c) ||
	hard_error "cannot build $T/rel/hot.c"
run_record relrec -F 999 -o "$T/rel.session" -- "$T/rel/hot"
[ "$RC" -eq 0 ] && [ -s "$T/rel.session" ] || hard_error "cannot record $T/rel/hot"
chown nobody "$T/rel/hot" || hard_error "cannot give $T/rel/hot to nobody"
cp "$T/src/hot.c" "$T/priv/work/hot.c" && chmod 0644 "$T/priv/work/hot.c" ||
	hard_error "cannot place the private hot.c"
tui_start rel 120 30 "cd '$T/priv/work' && HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8 '$FLAMETOP' replay --view lines --focus '^ft_source_hot\$' '$T/rel.session' 2>'$T/rel.err'"
assert_screen rel '^ Lines of ft_source_hot, hot\.c: in a directory not everyone may search' \
	"relative directory: the view says a directory above the working one is private"
assert_not_screen rel 'ROOT-ONLY-SECRET' "relative directory: no line of the file is shown" 1
tui_keys rel q
tui_exit rel || fail "replay: still running 30 s after q"
finish
