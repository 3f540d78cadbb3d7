#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Every option that takes a time, a size or a count accepts the same forms
# (doc/flametop.1, VALUES): `record -d 0.01m` records for 0.6 s as
# `--retention 1m` keeps a minute; -m takes pages or a size; report's
# --from/--to take times with units. A value that is not of its kind or is
# out of range is a usage error (exit 2) said in one line naming the option
# and the value, in one wording for all: "'X' is not a KIND (examples)" or
# "'X' is out of range (LO to HI)".
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

# --- refusals: no sampling, no terminal, no root needed -------------------------
expect_usage d-garbage "^flametop: -d: '1x' is not a duration \(30, 500ms, 1\.5s, 2m, 1h\)\$" \
	"$FLAMETOP" record -o "$T/never.session" -a -d 1x
expect_usage d-zero "^flametop: -d: '0' is out of range \(1ms to 365d\)\$" \
	"$FLAMETOP" record -o "$T/never.session" -a -d 0
expect_usage d-negative "^flametop: -d: '-3' is not a duration" \
	"$FLAMETOP" record -o "$T/never.session" -a -d -3
expect_usage d-space "^flametop: -d: '1 s' is not a duration" "$FLAMETOP" record \
	-o "$T/never.session" -a -d "1 s"
expect_usage F-zero "^flametop: -F: '0' is out of range \(1 to 1000000\)\$" \
	"$FLAMETOP" record -o "$T/never.session" -a -d 1 -F 0
expect_usage F-fraction "^flametop: -F: '99\.5' is not a whole number\$" \
	"$FLAMETOP" record -o "$T/never.session" -a -d 1 -F 99.5
expect_usage m-three "^flametop: -m: '3' is not a power of two pages\$" \
	"$FLAMETOP" record -o "$T/never.session" -a -d 1 -m 3
expect_usage m-garbage "^flametop: -m: '1x' is not a size" \
	"$FLAMETOP" record -o "$T/never.session" -a -d 1 -m 1x
expect_usage m-huge "^flametop: -m: '131072' is out of range \(1 to 65536\)\$" \
	"$FLAMETOP" record -o "$T/never.session" -a -d 1 -m 131072
expect_usage dwarf-small "^flametop: --call-graph dwarf,SIZE: '4' is out of range \(8 to 65528\)\$" \
	"$FLAMETOP" record -o "$T/never.session" -a -d 1 --call-graph dwarf,4
# Its examples are sizes that fit, not the general ones (64M).
expect_usage dwarf-garbage "^flametop: --call-graph dwarf,SIZE: 'x' is not a size \(4096, 16K, 32K; 8 to 65528\)\$" \
	"$FLAMETOP" record -o "$T/never.session" -a -d 1 --call-graph dwarf,x
expect_usage pid-garbage "^flametop: -p: '12x' is not a whole number\$" \
	"$FLAMETOP" record -o "$T/never.session" -d 1 -p 12x
expect_usage report-top "^flametop: --top: 'many' is not a whole number\$" \
	"$FLAMETOP" report -i "$T/none.session" --top many
expect_usage report-from "^flametop: --from: '1x' is not a duration .*, or a share like 40%\$" \
	"$FLAMETOP" report -i "$T/none.session" --from 1x
expect_usage report-to "^flametop: --to: '200%' is out of range \(0% to 100%\)\$" \
	"$FLAMETOP" report -i "$T/none.session" --to 200%
expect_usage replay-speed "^flametop: --speed: 'fast' is not a number" \
	"$FLAMETOP" replay --speed fast "$T/none.session"
expect_usage replay-retention "^flametop: --retention: '1x' is not a duration" \
	"$FLAMETOP" replay --retention 1x "$T/none.session"
expect_usage live-memory "^flametop: --max-memory: '10k' is out of range \(at least 1M\)\$" \
	"$FLAMETOP" --max-memory 10k -a
expect_usage live-resolution "^flametop: --resolution: '0' is out of range \(at least 1ms\)\$" \
	"$FLAMETOP" --resolution 0 -a

# --- accepted forms: these record, which takes root and perf events ---------------
if [ "$(id -u)" -ne 0 ] || [ ! -r /proc/sys/kernel/perf_event_paranoid ]; then
	echo "SKIP (the rest): recording takes root and perf events"
	finish
fi
need_jq
need_workload split

# recorded_seconds NAME: the duration in record NAME's summary line.
recorded_seconds() {
	sed -n 's/^flametop: recorded [0-9]* samples of .* in \([0-9.]*\) s to .*/\1/p' "$T/$1.err"
}

# -d in minutes: 0.01m is 0.6 s; the recording lasts at least that, and
# stops the command (SIGTERM; record exits 0) well before the 60 s safety
# timeout. A command, not -a: a shared machine runs anything.
run_record minutes -F 999 -d 0.01m -o "$T/minutes.session" -- "$WORKLOADS/split" 0
assert_record_ok minutes "$T/minutes.session"
assert_between "$(recorded_seconds minutes)" 0.6 30 "-d 0.01m: seconds recorded"

# -d in ms on a command (SIGTERM at the end: exit 0), -m as a size, a dwarf
# stack size with a unit.
run_record ms -d 700ms -m 256K --call-graph dwarf,4K -o "$T/ms.session" -- sleep 30
assert_record_ok ms "$T/ms.session"
assert_between "$(recorded_seconds ms)" 0.7 30 "-d 700ms: seconds recorded"

# report's window in units is the same window in seconds: [100ms, 0.005m)
# is [0.1, 0.3), to the ns.
if report_json "$T/minutes.session" "$T/units.json" --from 100ms --to 0.005m --top 5 &&
	report_json "$T/minutes.session" "$T/seconds.json" --from 0.1 --to 0.3 --top 5; then
	if cmp -s "$T/units.json" "$T/seconds.json"; then
		pass "--from 100ms --to 0.005m: the report of --from 0.1 --to 0.3"
	else
		fail "--from 100ms --to 0.005m differs from --from 0.1 --to 0.3: $(head -c 300 "$T/units.json") vs $(head -c 300 "$T/seconds.json")"
	fi
	assert_between "$(jq '.functions | length' "$T/units.json")" 0 5 "--top 5: functions listed"
fi
finish
