#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What `record --push` costs the recorder in memory: the same recording
# (tests/workloads/threads, 4 s of work at 999 Hz) with and without --push
# to the stand-in Pyroscope server (tests/e2e/push-server.py, answering
# 200), an upload a second, median of three runs each. Two figures:
# - the recorder's peak private memory (RssAnon in /proc/PID/status, the
#   highest of its readings every 50 ms): what push allocates, libcurl's
#   and OpenSSL's state and the uploads' encoding (the source lines of
#   pushed profiles are left out for this: see export_input.no_lines).
#   Goal: push adds at most 4 MiB.
# - its peak RSS (getrusage's ru_maxrss, as record prints it and keeps in
#   the session's end chunk), which also counts the pages of libcurl and
#   the 29 libraries it brings, mapped from their files when a push starts
#   (push.c loads libcurl with dlopen) and shared with every process that
#   uses them: information, no goal.
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
	bench_skip "record --push: private memory added" "python3 is not installed (no stand-in server)"
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
	bench_line "record --push: private memory added" "?" MiB "<=" 4
	exit 0
fi
URL=http://127.0.0.1:$(cat "$T/server/port")

# peak ARGS...: of each of three recordings with ARGS, one a line: the
# recorder's peak RSS in MiB, as record says it, then its peak RssAnon in
# MiB, read every 50 ms while it runs.
peak() {
	for i in 1 2 3; do
		"$FLAMETOP" record -F 999 -o "$T/s.session" --force "$@" -- "$WORKLOADS/threads" 4000 0 \
			>/dev/null 2>"$T/peak.err" &
		pid=$! anon=0
		while kill -0 "$pid" 2>/dev/null; do
			kb=$(sed -n 's/^RssAnon:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null)
			[ -n "$kb" ] && [ "$kb" -gt "$anon" ] && anon=$kb
			sleep 0.05
		done
		wait "$pid"
		rss=$(sed -n 's/.*(peak memory \([0-9.]*\) MiB).*/\1/p' "$T/peak.err")
		echo "${rss:-?} $(awk -v k="$anon" 'BEGIN { printf "%.2f", k / 1024 }')"
	done
}
# added WITHOUT WITH: WITH - WITHOUT, or ? when either is not a number.
added() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) printf "%.2f", b - a; else print "?" }'
}
peak >"$T/without"
peak --push "$URL" --push-interval 1s >"$T/with"
uploads=$(ls "$T/server" | grep -c '\.request$')
without=$(cut -d' ' -f1 "$T/without" | bench_stats | cut -d' ' -f1)
with=$(cut -d' ' -f1 "$T/with" | bench_stats | cut -d' ' -f1)
anon_without=$(cut -d' ' -f2 "$T/without" | bench_stats | cut -d' ' -f1)
anon_with=$(cut -d' ' -f2 "$T/with" | bench_stats | cut -d' ' -f1)
bench_line "record: peak private memory" "$anon_without" MiB - -
bench_line "record --push: peak private memory" "$anon_with" MiB - - "$uploads uploads in 3 runs"
bench_line "record --push: private memory added" "$(added "$anon_without" "$anon_with")" MiB "<=" 4 \
	"record without --push $(bench_fmt "$anon_without") MiB"
bench_line "record: peak RSS" "$without" MiB - -
bench_line "record --push: peak RSS added" "$(added "$without" "$with")" MiB - - \
	"libcurl's libraries' pages included"

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
