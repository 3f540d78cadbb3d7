#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The session file's safety, end to end: mode 0600 whatever the umask; a
# symbolic link at the output path is refused, with or without --force, and
# nothing is written through it; and --force replaces a file atomically. The
# old file stays whole while the new session is recorded beside it
# (FILE.partial-XXXXXX), the new one takes its place in one rename at the
# end, complete (report prints no notice); a recorder killed with SIGKILL
# leaves the old file as it was and the partial session loadable beside it;
# a recording that never starts (command not found) leaves the old file
# and nothing else. Without -o, a default name that a recording of the
# same second took is not replaced nor refused: -2, -3... follow.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_workload phases

# partials: the FILE.partial-* files in $T.
partials() {
	find "$T" -maxdepth 1 -name '*.partial-*' | sort
}

# --- mode 0600 under umask 000 ----------------------------------------------------
(umask 000 && run_record mode -F 99 -o "$T/mode.session" -- "$WORKLOADS/phases" 200 >"$T/mode.log")
cat "$T/mode.log"
assert_eq "$(stat -c %a "$T/mode.session" 2>/dev/null)" 600 "umask 000: session file mode"

# --- a symlink at the output path --------------------------------------------------
ln -s "$T/target.session" "$T/link.session"
for force in "" --force; do
	run_record link $force -o "$T/link.session" -- "$WORKLOADS/phases" 200
	assert_eq "$RC" 1 "symlink ${force:-without --force}: exit status"
	assert_one_error_line "$T/link.err" "symlink ${force:-without --force}"
	assert_match "$(error_line "$T/link.err")" 'link\.session: is a symbolic link' "symlink ${force:-without --force}: the error"
	if [ -e "$T/target.session" ]; then
		fail "symlink ${force:-without --force}: something was written through the link"
	else
		pass "symlink ${force:-without --force}: nothing written through the link"
	fi
	[ -L "$T/link.session" ] && pass "symlink ${force:-without --force}: the link is still there" ||
		fail "symlink ${force:-without --force}: the link is gone"
done

# --- --force: the old file stays whole until the new one is complete ---------------
printf 'the old session\n' >"$T/old.session"
echo "+ flametop record --force -F 999 -d 6 -o $T/old.session -- phases 30000   (looking while it records)"
"$FLAMETOP" record --force -F 999 -d 6 -o "$T/old.session" -- "$WORKLOADS/phases" 30000 2>"$T/force.err" &
rpid=$!
ft_bg_pids="$ft_bg_pids $rpid"
# partial_recording PID: the recorder PID has written a data chunk to its
# FILE.partial-* file, or is gone.
partial_recording() {
	p=$(partials)
	{ [ -n "$p" ] && has_chunks "$p" 2; } || is_gone "$1"
}
wait_until 60 partial_recording "$rpid"
assert_eq "$(cat "$T/old.session")" "the old session" "--force, while recording: the old file is intact"
p=$(partials)
if [ -n "$p" ] && [ "$(session_chunks "$p")" -ge 2 ] && ! is_gone "$rpid"; then
	pass "--force, while recording: the new session grows beside it ($(basename "$p"))"
else
	fail "--force, while recording: no FILE.partial-* file with data while recording: '$p'"
fi
wait "$rpid"
RC=$?
sed 's/^/  stderr: /' "$T/force.err"
assert_eq "$RC" 0 "--force: record exit status"
assert_eq "$(partials)" "" "--force: no partial file left"
assert_eq "$(stat -c %a "$T/old.session")" 600 "--force: the new file's mode"
if "$FLAMETOP" report -i "$T/old.session" >"$T/force.report" 2>"$T/force.report.err"; then
	pass "--force: the file is now the new session"
else
	fail "--force: report failed: $(cat "$T/force.report.err")"
fi
assert_eq "$(cat "$T/force.report.err")" "" "--force: the session is complete (report prints no notice)"
assert_match "$(cat "$T/force.report")" '# recorder: peak memory [0-9]+\.[0-9] MiB' "--force: report shows the recorder's peak memory"
assert_match "$(grep '^flametop: recorded' "$T/force.err")" '\(peak memory [0-9]+\.[0-9] MiB\)$' "--force: the summary shows the peak memory"

# --- --force, recorder killed: the old file survives, the partial one loads --------
printf 'the old session\n' >"$T/old.session"
echo "+ flametop record --force -F 999 -o $T/old.session -- phases 60000   (SIGKILL once it has written a second)"
"$FLAMETOP" record --force -F 999 -o "$T/old.session" -- "$WORKLOADS/phases" 60000 2>"$T/kill.err" &
rpid=$!
ft_bg_pids="$ft_bg_pids $rpid"
wait_until 60 partial_recording "$rpid"
child=$(cat /proc/"$rpid"/task/*/children 2>/dev/null)
kill -KILL "$rpid"
wait "$rpid" 2>/dev/null
for c in $child; do
	kill -KILL "$c" 2>/dev/null
done
assert_eq "$(cat "$T/old.session")" "the old session" "--force, killed: the old file is intact"
p=$(partials)
if [ -n "$p" ] && "$FLAMETOP" report -i "$p" >"$T/kill.report" 2>"$T/kill.report.err"; then
	pass "--force, killed: the partial session loads ($(basename "$p"))"
	assert_match "$(cat "$T/kill.report.err")" 'the recording did not finish' "--force, killed: with the notice"
	assert_eq "$(stat -c %a "$p")" 600 "--force, killed: the partial file's mode"
else
	fail "--force, killed: no loadable partial session: '$p' $(cat "$T/kill.report.err" 2>/dev/null)"
fi
rm -f $p

# --- --force, nothing recorded: the old file survives, nothing is left -------------
run_record nocmd --force -o "$T/old.session" -- ft-no-such-command-e2e
assert_eq "$RC" 127 "--force, command not found: exit status"
assert_eq "$(cat "$T/old.session")" "the old session" "--force, command not found: the old file is intact"
assert_eq "$(partials)" "" "--force, command not found: no partial file left"

# --- no -o: a name of the same second is taken: -2, -3... -------------------------
# Every default name of the next minute exists (a recording of that second
# took it): a recording without -o writes flametop-DATE-TIME-2.session for
# its second instead of refusing, and leaves the others as they were.
mkdir "$T/default"
now=$(date +%s)
i=0
while [ "$i" -lt 60 ]; do
	printf 'earlier\n' >"$T/default/flametop-$(date -d "@$((now + i))" +%Y%m%d-%H%M%S).session"
	i=$((i + 1))
done
echo "+ (cd default && flametop record -- phases 100)"
(cd "$T/default" && timeout -s KILL 60 "$FLAMETOP" record -- "$WORKLOADS/phases" 100) \
	2>"$T/default.err"
RC=$?
sed 's/^/  stderr: /' "$T/default.err"
assert_eq "$RC" 0 "no -o, the name taken: exit status"
new=$(sed -n 's/^flametop: recorded [0-9]* samples .* to \(flametop-[0-9]*-[0-9]*-2\.session\) .*/\1/p' \
	"$T/default.err")
if [ -n "$new" ] && "$FLAMETOP" report -i "$T/default/$new" >/dev/null 2>&1; then
	pass "no -o, the name taken: the session is $new"
else
	fail "no -o, the name taken: no -2 session written"
fi
# shellcheck disable=SC2046 # the names have no spaces
assert_eq "$(cat $(ls "$T"/default/flametop-*.session | grep -v -- '-2\.session$') | sort -u)" earlier \
	"no -o, the name taken: the sessions already there are untouched"

finish
