#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A recording reads /proc/kallsyms once (issue 14), whatever its types:
# offcpu and wall find the kernel functions that say why a thread waits
# (futex, io_schedule) among the kernel symbols of the symbolizer, which
# then names the samples' kernel frames with them, instead of reading
# the file themselves; the kernel takes tens of milliseconds of CPU to
# format it, each time. Ground truth is the program's own opens (strace)
# in `record -e offcpu`, `-e wall` and both at once, of a command that
# sleeps: its off-CPU time still says why ([sleep]), and its kernel
# frames are still named. (Where root's copy of the kernel's symbols in
# /run/flametop is still right, the one open reads the file's first
# page only, for the copy's key.) And a user allowed user space only
# (perf_event_paranoid 2) does not read it at all: nothing to look up.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
command -v strace >/dev/null 2>&1 || skip "strace is not installed (apt-get install strace)"
strace -o /dev/null true 2>/dev/null || skip "strace cannot trace here (ptrace refused)"
# A sleep is [sleep] when kallsyms shows addresses, [blocked] when it hides them.
if awk '$1 !~ /^0+$/ { found = 1; exit } END { exit !found }' /proc/kallsyms; then
	why='[sleep]'
else
	why='[blocked]'
fi

for events in offcpu wall offcpu,wall; do
	name=$(echo "$events" | tr , -)
	echo "+ strace flametop record -e $events -- sleep 0.2"
	if ! strace -f -qq -e trace=open,openat,openat2 -o "$T/$name.trace" timeout -s KILL 120 \
		"$FLAMETOP" record -e "$events" -o "$T/$name.session" -- sleep 0.2 \
		>"$T/$name.out" 2>"$T/$name.err"; then
		fail "record -e $events failed: $(head -c 300 "$T/$name.err")"
		continue
	fi
	# The trace saw the program at work: it wrote the session (opened
	# by its name in the directory).
	assert_between "$(grep -c -F "\"$name.session" "$T/$name.trace")" 1 10 \
		"-e $events: opens of the session file seen by strace"
	assert_eq "$(grep -c -F '"/proc/kallsyms"' "$T/$name.trace")" 1 \
		"-e $events: opens of /proc/kallsyms"
	event=${events%%,*}
	report_json "$T/$name.session" "$T/$name.json" --event "$event" --top 0 || continue
	assert_eq "$(jq --arg why "$why" '[.functions[] | select(.name == $why and .module == "[offcpu]")] | length' "$T/$name.json")" 1 \
		"-e $events: $why among the reasons of the sleep"
	if [ "$why" = '[sleep]' ]; then
		assert_between "$(jq '[.functions[] | select(.module == "[kernel.kallsyms]" and (.name | test("^0x|\\+0x") | not))] | length' "$T/$name.json")" 1 100000 \
			"-e $events: kernel functions named"
	fi
done

# A user whom perf_event_paranoid 2 allows user space only: no kernel
# stack to look up, no kernel frame to name, so kallsyms (all zeros to
# such a user, and as long to read) is not read at all.
if command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1 &&
	old=$(cat /proc/sys/kernel/perf_event_paranoid) &&
	echo 2 2>/dev/null >/proc/sys/kernel/perf_event_paranoid; then
	trap 'echo "$old" >/proc/sys/kernel/perf_event_paranoid; ft_cleanup' EXIT
	# The build tree may sit where 'nobody' cannot enter.
	mkdir "$T/u"
	cp "$FLAMETOP" "$T/u/"
	chown -R nobody "$T/u"
	chmod 755 "$T" "$T/u"
	echo "+ (as nobody, paranoid 2) strace flametop record -e offcpu -- sleep 0.2"
	if (cd "$T/u" && setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		strace -f -qq -e trace=open,openat,openat2 -o "$T/u/user.trace" timeout -s KILL 120 \
		./flametop record -e offcpu -o user.session -- sleep 0.2) >"$T/user.out" 2>"$T/user.err"; then
		assert_between "$(grep -c -F '"user.session' "$T/u/user.trace")" 1 10 \
			"user space only: opens of the session file seen by strace"
		assert_eq "$(grep -c -F '"/proc/kallsyms"' "$T/u/user.trace")" 0 \
			"user space only (-e offcpu as nobody, paranoid 2): opens of /proc/kallsyms"
	else
		fail "record -e offcpu as nobody failed: $(head -c 300 "$T/user.err")"
	fi
	echo "$old" >/proc/sys/kernel/perf_event_paranoid
else
	echo "no setpriv, no user nobody, or paranoid cannot be set: the user-space-only case is not checked"
fi
finish
