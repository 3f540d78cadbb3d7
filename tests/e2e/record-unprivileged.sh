#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A user without privileges, under kernel.perf_event_paranoid=2 (user-space
# measurement of one's own processes only): recording a launched command
# works, user space only, with exactly one notice saying so; system-wide
# sampling is refused with advice (paranoid level, the level it takes,
# root, CAP_PERFMON) and exit status 1, and so is root's process, with
# what that takes (root or CAP_SYS_PTRACE). The test sets the sysctl to 2 for its run and restores it.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload split
command -v setpriv >/dev/null 2>&1 || skip "setpriv (util-linux) is not installed"
id nobody >/dev/null 2>&1 || skip "there is no user 'nobody' to run as"

old=$(cat /proc/sys/kernel/perf_event_paranoid)
echo 2 >/proc/sys/kernel/perf_event_paranoid 2>/dev/null ||
	skip "cannot set kernel.perf_event_paranoid (read-only /proc/sys in this container?)"
trap 'echo "$old" >/proc/sys/kernel/perf_event_paranoid; ft_cleanup' EXIT

# The build tree may sit under a directory 'nobody' cannot enter: copy what
# it runs into a directory of its own.
mkdir "$T/u"
cp "$FLAMETOP" "$WORKLOADS/split" "$T/u/"
chown -R nobody "$T/u"
chmod 755 "$T" "$T/u"
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"
}

echo "+ (as nobody) flametop record -- split 2000"
(cd "$T/u" && as_nobody ./flametop record -F 999 -o own.session -- ./split 2000) \
	>"$T/own.out" 2>"$T/own.err"
rc=$?
sed 's/^/  stderr: /' "$T/own.err"
assert_eq "$rc" 0 "own command: record exit status"
assert_eq "$(grep -c 'kernel samples are not permitted' "$T/own.err")" 1 \
	"own command: one notice that kernel samples are not permitted"
assert_match "$(cat "$T/own.err")" 'perf_event_paranoid is 2' "own command: the notice names the paranoid level"
assert_eq "$(stat -c %U "$T/u/own.session")" nobody "own command: the session belongs to the user"
if report_json "$T/u/own.session" "$T/own.json"; then
	print_top "$T/own.json"
	assert_split "own command" "$T/own.json" "$(report_samples "$T/u/own.session")" \
		ft_split_heavy ft_split_light 0.75 total
	kernel=$(jq '[.functions[] | select(.module | startswith("[kernel"))] | length' "$T/own.json")
	assert_eq "$kernel" 0 "own command: no kernel frames in a user-space-only recording"
fi

echo "+ (as nobody) flametop record -a -d 1"
(cd "$T/u" && as_nobody ./flametop record -a -d 1 -o all.session) >"$T/all.out" 2>"$T/all.err"
rc=$?
sed 's/^/  stderr: /' "$T/all.err"
assert_eq "$rc" 1 "system-wide: record exit status"
assert_one_error_line "$T/all.err" "system-wide"
err=$(error_line "$T/all.err")
assert_match "$err" 'perf_event_paranoid is 2' "system-wide: the error names the paranoid level"
assert_match "$err" 'CAP_PERFMON' "system-wide: the error suggests CAP_PERFMON"
assert_match "$err" 'root' "system-wide: the error suggests root"
assert_match "$err" "sysctl kernel.perf_event_paranoid=0'" "system-wide: the error names the level -a takes"
if [ -e "$T/u/all.session" ]; then
	fail "system-wide: a refused recording left a session file behind"
else
	pass "system-wide: no session file left behind"
fi

# Another user's process (root's: our own parent shell) takes the right to
# trace it, which no paranoid level gives: the advice says so.
echo "+ (as nobody) flametop record -p $$ -d 1"
(cd "$T/u" && as_nobody ./flametop record -p $$ -d 1 -o other.session) >"$T/other.out" 2>"$T/other.err"
rc=$?
sed 's/^/  stderr: /' "$T/other.err"
assert_eq "$rc" 1 "another user's process: record exit status"
assert_one_error_line "$T/other.err" "another user's process"
assert_match "$(error_line "$T/other.err")" "another user's process takes root or CAP_SYS_PTRACE" \
	"another user's process: the error says what it takes"
finish
