#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What `record --push` costs the recorder in memory: the same recording
# (tests/workloads/threads, 4 s of work at 999 Hz) with and without --push
# to the stand-in Pyroscope server (tests/e2e/push-server.py, answering
# 200), an upload a second. The figure is the recorder's peak RSS
# (getrusage's ru_maxrss, as record prints it and keeps in the session's
# end chunk), median of three runs each. Goal: push adds at most 4 MiB
# (libcurl and OpenSSL starting, the uploads' encoding; the source lines
# of pushed profiles are left out for this: see export_input.no_lines).
# Then how long the end of a recording waits for a server that never
# answers (push-server.py's "hang"): the wall time of a 1 s recording with
# --push to it, less the same recording's without --push. Goal: at most
# 6 s (the man page's "up to 5 seconds", plus the second curl may take to
# notice). Asserts nothing.
#
#   FLAMETOP=... WORKLOADS=... sh bench/push.sh
# Needs root (or perf_event_paranoid allowing it) and python3.
set -u
: "${FLAMETOP:?set FLAMETOP to the flametop binary}"
: "${WORKLOADS:?set WORKLOADS to the built tests/workloads}"
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
SERVER=$(dirname "$0")/../tests/e2e/push-server.py
T=$(mktemp -d "${TMPDIR:-/tmp}/flametop-bench.XXXXXX") || exit 1
SERVER_PID=
HUNG_PID=
trap 'kill $SERVER_PID $HUNG_PID 2>/dev/null; rm -rf "$T"' EXIT

echo "push: $(bench_load)"
if ! command -v python3 >/dev/null 2>&1; then
	bench_skip "record --push: peak RSS added" "python3 is not installed (no stand-in server)"
	exit 0
fi
mkdir -p "$T/server"
python3 "$SERVER" "$T/server" 200 &
SERVER_PID=$!
i=0
while [ ! -s "$T/server/port" ] && [ "$i" -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ ! -s "$T/server/port" ]; then
	bench_line "record --push: peak RSS added" "?" MiB "<=" 4
	exit 0
fi
URL=http://127.0.0.1:$(cat "$T/server/port")

# peak ARGS...: the recorder's peak memory in MiB, as record says it, of
# each of three recordings with ARGS, one a line.
peak() {
	for i in 1 2 3; do
		"$FLAMETOP" record -F 999 -o "$T/s.session" --force "$@" -- "$WORKLOADS/threads" 4000 0 \
			2>&1 >/dev/null | sed -n 's/.*(peak memory \([0-9.]*\) MiB).*/\1/p'
	done
}
without=$(peak | bench_stats | cut -d' ' -f1)
with=$(peak --push "$URL" --push-interval 1s | bench_stats | cut -d' ' -f1)
uploads=$(ls "$T/server" | grep -c '\.request$')
bench_line "record: peak RSS" "$without" MiB - -
bench_line "record --push: peak RSS" "$with" MiB - - "$uploads uploads in 3 runs"
added=$(awk -v a="$without" -v b="$with" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) printf "%.2f", b - a; else print "?" }')
bench_line "record --push: peak RSS added" "$added" MiB "<=" 4 "record without --push $(bench_fmt "$without") MiB"

# The end against a hung server.
mkdir -p "$T/hung"
python3 "$SERVER" "$T/hung" hang &
HUNG_PID=$!
i=0
while [ ! -s "$T/hung/port" ] && [ "$i" -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
# wall ARGS...: milliseconds of a 1 s recording with ARGS.
wall() {
	t0=$(bench_now_ms)
	"$FLAMETOP" record -F 99 -o "$T/h.session" --force "$@" -- "$WORKLOADS/threads" 1000 0 >/dev/null 2>&1
	echo $(($(bench_now_ms) - t0))
}
if [ -s "$T/hung/port" ]; then
	plain=$(wall)
	hung=$(wall --push "http://127.0.0.1:$(cat "$T/hung/port")")
	bench_line "record --push: end wait, hung server" \
		"$(awk -v a="$plain" -v b="$hung" 'BEGIN { printf "%.2f", (b - a) / 1000 }')" s "<=" 6 \
		"1 s recording alone $(bench_fmt "$(awk -v a="$plain" 'BEGIN { print a / 1000 }')") s"
else
	bench_line "record --push: end wait, hung server" "?" s "<=" 6
fi
