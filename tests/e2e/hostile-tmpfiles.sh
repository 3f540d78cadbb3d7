#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The explorer's private files (issue 9). A launched command's output used
# to go to $TMPDIR/flametop-PID.out, opened O_CREAT|O_TRUNC: a user who
# created that name first (the PID is easy to guess) received a root
# command's output, and a FIFO there froze flametop. Now the output goes to
# a new file in a private directory (mode 0700) made for the run: with
# both traps set for the explorer's PID (a FIFO in one base directory, a
# file of nobody's in the other), the explorer starts, the command's
# output (a marker line) lands only in the private file (mode 0600), and
# the traps are untouched.
#
# Leftovers of runs killed with SIGKILL are removed at the next start, and
# only flametop's own: a private directory of a dead PID, ours, 0700, not
# locked, goes; one of a live PID, one of nobody's, a symbolic link, one
# whose lock is held, and a kept output (no session beside it) stay; the
# private sessions of the previous version (flametop-PID-N.session) of dead
# PIDs go, nobody's stay. $TMPDIR and $XDG_RUNTIME_DIR point into the test's
# directory, shared (1777) as /tmp is.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

need_root
need_tmux
need_perf_events
need_workload phases
id nobody >/dev/null 2>&1 || skip "no user 'nobody'"
command -v setpriv >/dev/null 2>&1 || skip "setpriv is not installed (util-linux)"
command -v flock >/dev/null 2>&1 || skip "flock is not installed (util-linux)"
FIXTURE=$GOLDEN/tui/replay.session
chmod 755 "$T"
mkdir -p "$T/config" "$T/shared" "$T/run"
chmod 1777 "$T/shared" "$T/run"
ENV="HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8 TMPDIR='$T/shared' XDG_RUNTIME_DIR='$T/run'"
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}

# --- the traps, set for the explorer's PID before it runs -----------------------------
# trap.sh PIDFILE COMMAND...: sets the traps for its own PID, then execs
# COMMAND (so the explorer gets that PID).
cat >"$T/trap.sh" <<EOS
#!/bin/sh
echo \$\$ >"\$1"
mkfifo '$T/run/flametop-'\$\$'.out'
setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c "umask 0; : >'$T/shared/flametop-\$\$.out'"
shift
exec "\$@"
EOS
chmod +x "$T/trap.sh"
printf '#!/bin/sh\necho FLAMETOP-SECRET-MARKER\nexec "%s" 600000\n' "$WORKLOADS/phases" >"$T/cmd.sh"
chmod +x "$T/cmd.sh"

tui_start trap 120 30 "env $ENV '$T/trap.sh' '$T/trap.pid' '$FLAMETOP' -F 99 -- '$T/cmd.sh'"
assert_screen trap 'window live' "trap: the explorer starts (the FIFO did not freeze it)"
pid=$(cat "$T/trap.pid")
assert_screen trap "writes to $T/run/flametop-$pid\\.[A-Za-z0-9]{6}/out" "trap: the output goes to a private directory"
priv=$(find "$T/run" -maxdepth 1 -name "flametop-$pid.*" -type d)
assert_eq "$(stat -c '%a %U' "$priv" 2>/dev/null)" "700 root" "trap: the private directory is 0700, root's"
i=0
while ! grep -q FLAMETOP-SECRET-MARKER "$priv/out" 2>/dev/null && [ "$i" -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
assert_eq "$(cat "$priv/out" 2>/dev/null)" FLAMETOP-SECRET-MARKER "trap: the command's output is in the private file"
assert_eq "$(stat -c %a "$priv/out" 2>/dev/null)" 600 "trap: the private file is 0600"
assert_eq "$(stat -c '%s %U' "$T/shared/flametop-$pid.out")" "0 nobody" "trap: nobody's file got nothing"
[ -p "$T/run/flametop-$pid.out" ] && pass "trap: the FIFO is left as it was" || fail "trap: the FIFO is gone"
tui_keys trap q
tui_exit trap || fail "trap: q did not end the explorer"
assert_eq "$(ls "$priv" 2>/dev/null)" out "trap: after q, the output is kept (and nothing else)"

# --- leftovers ------------------------------------------------------------------------
sh -c 'exit 0' &
dead=$!
wait "$dead"
sleep 600 &
live=$!
ft_bg_pids="$ft_bg_pids $live"
# mkleft NAME [FILES...]: a private directory of root's, 0700, holding FILES.
mkleft() {
	d="$T/run/$1"
	shift
	mkdir -m 700 "$d"
	for f in "$@"; do
		printf 'x' >"$d/$f"
	done
}
mkleft "flametop-$dead.aaaaaa" session out         # killed: goes
mkleft "flametop-$dead.bbbbbb" out                 # kept output: stays
mkleft "flametop-$live.cccccc" session             # running: stays
mkleft "flametop-$dead.dddddd" session             # not ours: stays
chown -R nobody "$T/run/flametop-$dead.dddddd"
mkleft "flametop-$dead.eeeeee" session             # its lock is held: stays
# One process holds the lock (a shell that takes it on fd 9, then becomes
# sleep), so that the kill at exit ends it.
sh -c 'exec 9<"$1" && flock 9 && exec sleep 600' sh "$T/run/flametop-$dead.eeeeee" &
locker=$!
ft_bg_pids="$ft_bg_pids $locker"
mkdir -m 700 "$T/target"
printf 'x' >"$T/target/session"
ln -s "$T/target" "$T/run/flametop-$dead.ffffff"   # a link: stays, target too
mkleft "flametop-$dead.gggggg" session             # 0755, not ours: stays
chmod 755 "$T/run/flametop-$dead.gggggg"
printf 'x' >"$T/shared/flametop-$dead-0.session"   # old version's: goes
as_nobody sh -c "printf x >'$T/shared/flametop-$dead-1.session'"  # nobody's: stays
printf 'x' >"$T/shared/flametop-$live-0.session"   # running: stays
# lock_held DIR: someone holds DIR's lock.
lock_held() {
	! flock -n "$1" true
}
wait_until 30 lock_held "$T/run/flametop-$dead.eeeeee" || hard_error "flock never took the lock"

# A live explorer (a replay keeps no private session: it saves from
# what it holds).
tui_start clean 100 30 "env $ENV '$FLAMETOP' -F 99 -p $live"
assert_screen clean 'window live' "clean: the explorer runs"
gone() {
	[ -e "$1" ] || [ -L "$1" ] && fail "clean: $2: still there" || pass "clean: $2: removed"
}
stays() {
	[ -e "$1" ] || [ -L "$1" ] && pass "clean: $2: left alone" || fail "clean: $2: removed"
}
gone "$T/run/flametop-$dead.aaaaaa" "a killed run's directory"
stays "$T/run/flametop-$dead.bbbbbb/out" "a kept output"
stays "$T/run/flametop-$live.cccccc/session" "a running PID's directory"
stays "$T/run/flametop-$dead.dddddd/session" "nobody's directory"
stays "$T/run/flametop-$dead.eeeeee/session" "a locked directory"
stays "$T/run/flametop-$dead.ffffff" "a link"
stays "$T/target/session" "a link's target"
stays "$T/run/flametop-$dead.gggggg/session" "a directory of mode 0755"
gone "$T/shared/flametop-$dead-0.session" "an old private session"
stays "$T/shared/flametop-$dead-1.session" "nobody's old private session"
stays "$T/shared/flametop-$live-0.session" "a running PID's old private session"

# --- a run killed with SIGKILL leaves its session; the next start removes it ---------
killed=$(find "$T/run" -maxdepth 1 -name 'flametop-*' -newer "$T/target/session" -type d | grep -v "$dead\\|$live" | head -n 1)
[ -n "$killed" ] && [ -f "$killed/session" ] && pass "kill: the running explorer has its private session ($killed)" ||
	fail "kill: no private session of the running explorer"
ftpid=$(basename "$killed" | sed 's/^flametop-\([0-9]*\)\..*/\1/')
kill -KILL "$ftpid"
# no_proc PID: PID is dead and reaped (a zombie still holds its pid).
no_proc() {
	[ ! -e "/proc/$1" ]
}
wait_until 30 no_proc "$ftpid" || fail "kill: the explorer ($ftpid) still exists 30 s after SIGKILL"
stays "$killed/session" "the killed explorer's private session, until the next start"
tui_start again 100 30 "env $ENV '$FLAMETOP' replay '$FIXTURE'"
assert_screen again 'end of the session' "again: the explorer runs"
gone "$killed" "the killed explorer's directory, at the next start"
tui_keys again q
tui_exit again
assert_eq "$(find "$T/run" -maxdepth 1 -name 'flametop-*' -newer "$T/target/session" | grep -v "$dead\\|$live" | wc -l)" 0 \
	"again: q leaves no private directory"

finish
