#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Code in anonymous executable memory is named from the process's JIT map,
# /tmp/perf-PID.map: the jit workload copies a counting loop into such a
# mapping, names it ft_jit_spin in its map and runs it; ft_jit_spin must get
# at least 80% of the samples, also when the code is in a memfd named
# doublemapper (.NET). A map that must not be trusted is ignored
# with exactly one notice: a symbolic link, and a file owned by another user
# (nobody) than the process's (root). A process in a container (its own
# pid and mount namespaces, a /tmp of its own) writes /tmp/perf-1.map
# there: it is named as perf names it, from inside the process's root. A
# mapping named [anon:NAME] in /proc/PID/maps is anonymous memory too.
# The workload leaves its maps behind (FT_JIT_KEEP_MAPS), removed here at
# the end: a recorder held up by load reads its samples after the JIT
# exited, and a map removed at exit could not name them then (the kept
# case below checks that one left behind does).
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

FT_JIT_KEEP_MAPS=$T/kept-maps
export FT_JIT_KEEP_MAPS
remove_kept_maps() {
	[ -f "$FT_JIT_KEEP_MAPS" ] || return 0
	while read -r f; do
		case $f in
		/tmp/perf-*.map | /tmp/ft-jit-*.target) rm -f "$f" ;;
		esac
	done <"$FT_JIT_KEEP_MAPS"
}
trap 'remove_kept_maps; ft_cleanup' EXIT

need_root
need_perf_events
need_jq
need_workload jit

# run_jit MODE: records the jit workload in MODE for 1.5 s.
run_jit() {
	run_record "$1" -F 999 -o "$T/$1.session" -- "$WORKLOADS/jit" 1500 "$1"
	[ "$RC" -ne 77 ] || skip "the jit workload's machine code is for x86-64 only"
	[ "$RC" -ne 3 ] || hard_error "the jit workload could not set up mode $1"
	assert_eq "$RC" 0 "$1: record exit status"
}

run_jit good
if report_json "$T/good.session" "$T/good.json"; then
	print_top "$T/good.json"
	assert_between "$(share ft_jit_spin "$T/good.json")" 80 100 "good: ft_jit_spin self %"
	assert_match "$(module_of ft_jit_spin "$T/good.json")" '^/tmp/perf-[0-9]+\.map$' \
		"good: ft_jit_spin's module is its perf map"
fi
assert_eq "$(grep -c 'notice: .*perf-' "$T/good.err")" 0 "good: no notice about the map"

# A JIT that puts new code where old code was, without mapping anything,
# appends the new name for the same address: the newest entry names the
# samples after it. The jit workload runs its code under its first name for
# the first half of the time and under ft_jit_respin for the second: each
# name has about half the samples (the old one kept its samples, too).
run_record reuse -F 999 -o "$T/reuse.session" -- "$WORKLOADS/jit" 3000 reuse
assert_eq "$RC" 0 "reuse: record exit status"
if report_json "$T/reuse.session" "$T/reuse.json"; then
	print_top "$T/reuse.json"
	assert_between "$(ratio ft_jit_respin ft_jit_spin "$T/reuse.json")" 0.25 0.75 \
		"reuse: ft_jit_respin's share of the two names"
fi

# Samples read after their process exited and was reaped (a recorder far
# behind): the recorder is stopped while nobody's JIT runs and exits, and
# resumed only then. The JIT is a child of the command (sh, as nobody),
# which the recorder sees running: the JIT is its user, and its map (left
# behind, owned by nobody) is read and trusted; then the same with a map
# that nobody did not write, which the check refuses after the exit too.
if command -v setpriv >/dev/null 2>&1 && getent passwd nobody >/dev/null 2>&1; then
	# run_late NAME MAP-OWNER: records sh running the kept JIT, gated.
	run_late() {
		chmod 711 "$T" || hard_error "cannot let nobody through $T"
		D=$T/$1.gate
		mkdir "$D" && cp "$WORKLOADS/jit" "$D/jit" && chmod 777 "$D" || hard_error "cannot make $D"
		echo "+ flametop record -F 999 -o $T/$1.session -- setpriv (nobody) sh: jit 1000 kept, gated"
		"$FLAMETOP" record -F 999 -o "$T/$1.session" -- \
			setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c \
			'while [ ! -e "$1/go" ]; do sleep 0.05; done; "$1/jit" 1000 kept &
			echo $! >"$1/pid"; wait; : >"$1/done"; while [ ! -e "$1/end" ]; do sleep 0.05; done' \
			sh "$D" >"$T/$1.out" 2>"$T/$1.err" &
		ft_pid=$!
		ft_bg_pids="$ft_bg_pids $ft_pid"
		wait_until 30 sh -c 'pgrep -P "$1" -x sh >/dev/null' sh "$ft_pid" ||
			hard_error "$1: the command never started"
		ft_bg_pids="$ft_bg_pids $(pgrep -P "$ft_pid" -x sh)"
		kill -STOP "$ft_pid"
		: >"$D/go"
		wait_until 60 test -e "$D/done" || hard_error "$1: the jit never ended"
		jpid=$(cat "$D/pid")
		if [ "$2" != nobody ]; then
			# A map someone else put there (root here; the check trusts the
			# process's user or root, so the other user is daemon).
			chown daemon "/tmp/perf-$jpid.map" 2>/dev/null || hard_error "no user daemon"
		fi
		# sh stays until the recorder, resumed, has written a chunk: it
		# has then read sh's records and looked at sh while it ran (a
		# recorder held up by load would otherwise find it gone, and
		# the JIT, its child, of no known user).
		size0=$(stat -c %s "$T/$1.session" 2>/dev/null || echo 0)
		kill -CONT "$ft_pid"
		wait_until 60 sh -c '[ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -gt "$2" ]' \
			sh "$T/$1.session" "$size0" || echo "  $1: no chunk written after the recorder resumed"
		: >"$D/end"
		wait "$ft_pid"
		RC=$?
		rm -f "/tmp/perf-$jpid.map"
		assert_eq "$RC" 0 "$1: record exit status"
		[ "$RC" = 0 ] || sed 's/^/  stderr: /' "$T/$1.err"
	}
	run_late late nobody
	grep 'notice: .*perf-' "$T/late.err" | sed 's/^/  stderr: /'
	if report_json "$T/late.session" "$T/late.json"; then
		print_top "$T/late.json"
		assert_between "$(share ft_jit_spin "$T/late.json")" 50 100 \
			"late: ft_jit_spin self % (read after the jit exited)"
	fi
	assert_eq "$(grep -c 'notice: .*perf-' "$T/late.err")" 0 "late: no notice about the map"
	run_late latedaemon daemon
	if report_json "$T/latedaemon.session" "$T/latedaemon.json"; then
		assert_eq "$(share ft_jit_spin "$T/latedaemon.json")" 0 "latedaemon: ft_jit_spin is not named"
	fi
	assert_match "$(grep 'notice: ignoring /tmp/perf-' "$T/latedaemon.err")" \
		'owned by uid [0-9]+, not by the process'"'"'s user \(uid [0-9]+\)' \
		"latedaemon: the notice says why"
else
	echo "  (no setpriv or user nobody: the late case is not run)"
fi

# In a container: pid 1 of its namespace, with a tmpfs on /tmp that hides
# the build tree (the workload is run from a descriptor opened before).
if unshare -p -f -m --propagation private true 2>/dev/null; then
	start_bg unshare -p -f -m --propagation private sh -c \
		'exec 3<"$1" && mount -t tmpfs none /tmp && exec /proc/self/fd/3 600000' sh "$WORKLOADS/jit"
	wait_until 30 pgrep -P "$BG_PID" >/dev/null || hard_error "the container's workload never started"
	cpid=$(pgrep -P "$BG_PID")
	wait_comm "$cpid" 3
	wait_until 30 test -f "/proc/$cpid/root/tmp/perf-1.map" ||
		hard_error "no perf-1.map in the container"
	run_record ns -F 999 -d 2 -o "$T/ns.session" -p "$cpid"
	kill "$cpid"
	assert_eq "$RC" 0 "container: record exit status"
	if report_json "$T/ns.session" "$T/ns.json"; then
		print_top "$T/ns.json"
		assert_between "$(share ft_jit_spin "$T/ns.json")" 80 100 "container: ft_jit_spin self %"
	fi
else
	echo "  (no pid and mount namespaces here: the container case is not run)"
fi

# hostile MODE REASON-REGEX
hostile() {
	run_jit "$1"
	report_json "$T/$1.session" "$T/$1.json" || return
	print_top "$T/$1.json"
	assert_eq "$(share ft_jit_spin "$T/$1.json")" 0 "$1: ft_jit_spin is not named"
	assert_eq "$(grep -c '^flametop: notice: ignoring /tmp/perf-[0-9]*\.map: ' "$T/$1.err")" 1 \
		"$1: notices about the map"
	assert_match "$(grep 'notice: ignoring /tmp/perf-' "$T/$1.err")" "$2" "$1: the notice says why"
}

# .NET's JIT code is in a shared mapping of a memfd named doublemapper:
# anonymous memory as far as the map goes.
run_jit memfd
if report_json "$T/memfd.session" "$T/memfd.json"; then
	print_top "$T/memfd.json"
	assert_between "$(share ft_jit_spin "$T/memfd.json")" 80 100 "memfd: ft_jit_spin self %"
fi

# Attached (-p) to a JIT whose code mapping has a name (PR_SET_VMA_ANON_NAME,
# as V8 and ART do): the maps read from /proc say [anon:ft-jit], which is
# anonymous memory all the same, named from the map. Kernels built without
# CONFIG_ANON_VMA_NAME cannot name it (the workload exits 77).
start_bg "$WORKLOADS/jit" 600000 named
# Its map is written once the mapping is named; it exits 77 where that fails.
wait_until 30 sh -c 'test -f "/tmp/perf-$1.map" || ! kill -0 "$1" 2>/dev/null' sh "$BG_PID"
if grep -q '\[anon:ft-jit\]' "/proc/$BG_PID/maps" 2>/dev/null; then
	run_record named -F 999 -d 2 -o "$T/named.session" -p "$BG_PID"
	assert_eq "$RC" 0 "named: record exit status"
	if report_json "$T/named.session" "$T/named.json"; then
		print_top "$T/named.json"
		assert_between "$(share ft_jit_spin "$T/named.json")" 80 100 "named: ft_jit_spin self %"
	fi
else
	echo "  (this kernel cannot name anonymous mappings: the [anon:NAME] case is not run)"
fi
kill "$BG_PID" 2>/dev/null

hostile symlink 'symbolic link'
getent passwd nobody >/dev/null 2>&1 || skip "no user nobody to own a hostile map"
hostile foreign 'owned by uid [0-9]+, not by the process'"'"'s user \(uid 0\)'

finish
