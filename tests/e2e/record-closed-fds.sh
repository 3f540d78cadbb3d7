#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A recorder started with standard input, output and error closed (a cron
# job's `<&- >&- 2>&-`) writes a whole session: the session file must not
# take the number of a closed standard stream, where the recorder's own
# lines (its summary, always) would be written into it.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_workload split

# loads NAME FILE: FILE reads back as a session, with no message.
loads() {
	"$FLAMETOP" report -i "$2" >"$T/$1.report" 2>"$T/$1.report.err"
	assert_eq "$?" 0 "$1: report's exit status"
	assert_eq "$(cat "$T/$1.report.err")" "" "$1: report's stderr"
	assert_match "$(sed -n 1p "$T/$1.report")" "^# source: " "$1: the report's first line"
}

for closed in '2' '1 2' '0 1 2'; do
	name=closed-$(echo "$closed" | tr ' ' -)
	S="$T/$name.session"
	echo "+ flametop record -o $S -- split 300, with fds $closed closed"
	case $closed in
	2) timeout -s KILL 60 "$FLAMETOP" record -o "$S" -- "$WORKLOADS/split" 300 2>&- ;;
	'1 2') timeout -s KILL 60 "$FLAMETOP" record -o "$S" -- "$WORKLOADS/split" 300 >&- 2>&- ;;
	*) timeout -s KILL 60 "$FLAMETOP" record -o "$S" -- "$WORKLOADS/split" 300 <&- >&- 2>&- ;;
	esac
	assert_eq "$?" 0 "$name: record's exit status"
	loads "$name" "$S"
done

finish
