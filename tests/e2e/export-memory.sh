#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `export` and `push` sum a session's samples as they read them, never
# holding them all, as report does (report-memory.sh): a session of 4
# million samples (tests/unit/test_session_gen `samples`) is exported in
# every format and pushed (to push-server.py, a stand-in Pyroscope) under
# a 96 MiB address-space limit (ulimit -v), where holding its samples
# alone (40 bytes each, 160 MiB) is refused. Every sample weighs 1 ms:
# what each output weighs says every sample (or the window's share) was
# counted, read back by flametop's importers where the format is binary.
# speedscope, whose file holds every thread's stacks in time order (a run
# of one stack as one), keeps them past 16 MiB in a temporary file: a
# session of 20 million samples, whose runs alone (about 80 MB) would not
# fit, is exported under the same limit. And a session whose samples come
# out of time order (`late`: the first sample of each chunk in the next,
# a chunk's time later: 1 s, within speedscope's reorder window of 4 s,
# and 6 s, past it, when the session is read again whole) is exported as
# the same session read whole from a pipe is (TMPDIR naming no directory,
# so that the pipe is read as it comes), speedscope's per-thread time
# order too. A pipe is otherwise copied to a temporary file and read as
# a file is: speedscope of the 4 million samples from a pipe, under the
# limit.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/wait.lib
. "$(dirname "$TESTLIB")/wait.lib"

need_jq
GEN=$(dirname "$FLAMETOP")/tests/unit/test_session_gen
[ -x "$GEN" ] || hard_error "$GEN is not built"
LIMIT_KIB=98304
N=4000000
ALL=$((N * 1000000))

S="$T/many.session"
"$GEN" samples "$S" "$N" || hard_error "test_session_gen samples failed"
# The limit must leave room for flametop itself (a sanitizer's shadow
# memory would not): a tiny session first.
"$GEN" samples "$T/tiny.session" 1000 || hard_error "test_session_gen samples failed"
(ulimit -v "$LIMIT_KIB" && "$FLAMETOP" export -i "$T/tiny.session" --format folded >/dev/null 2>&1) ||
	skip "flametop does not run under ulimit -v $LIMIT_KIB here"

# limited NAME COMMAND ARGS...: flametop COMMAND ARGS under the limit,
# its output in $T/NAME.
limited() {
	name=$1
	shift
	if (ulimit -v "$LIMIT_KIB" && exec "$FLAMETOP" "$@" >"$T/$name" 2>"$T/$name.err"); then
		pass "$name: under ${LIMIT_KIB} KiB"
		return 0
	fi
	fail "$name: flametop $* under ulimit -v $LIMIT_KIB: $(head -c 300 "$T/$name.err")"
	return 1
}
# total_of SESSION: report's total weight of a session.
total_of() {
	"$FLAMETOP" report -i "$1" --format json | jq '.total'
}
# folded_sum FILE: the weights of folded stacks, summed.
folded_sum() {
	awk '{ s += $NF } END { printf "%.0f", s }' "$1"
}

# span_sum FILE: of the "startValue":N and "endValue":N lines of
# speedscope profiles, the profiles' spans (endValue - startValue) summed.
span_sum() {
	grep -oE '"(startValue|endValue)":[0-9]+' "$1" |
		awk -F: '{ s += ($1 == "\"endValue\"" ? $2 : -$2) } END { printf "%.0f", s }'
}

if limited folded export -i "$S" --format folded; then
	sum=$(folded_sum "$T/folded")
	[ "$sum" = "$ALL" ] && pass "folded: every sample counted" || fail "folded: weights sum to $sum"
fi
# The speedscope file of 20 million samples (some 400 MB) is not kept:
# what it says of each thread's profile (its weight) is.
NBIG=20000000
B="$T/big.session"
"$GEN" samples "$B" "$NBIG" || hard_error "test_session_gen samples failed"
(
	ulimit -v "$LIMIT_KIB" && "$FLAMETOP" export -i "$B" --format speedscope 2>"$T/speedscope.err"
	echo $? >"$T/speedscope.rc"
) | tr ',' '\n' | grep -E '"(startValue|endValue|type)"' >"$T/speedscope"
if [ "$(cat "$T/speedscope.rc")" = 0 ]; then
	pass "speedscope: under ${LIMIT_KIB} KiB"
	# each thread's profile spans its weight
	sum=$(span_sum "$T/speedscope")
	[ "$sum" = "$((NBIG * 1000000))" ] && pass "speedscope: every sample counted" ||
		fail "speedscope: profiles weigh $sum"
	profiles=$(grep -c '"type":"sampled"' "$T/speedscope")
	[ "$profiles" -eq 4 ] && pass "speedscope: a profile per thread" ||
		fail "speedscope: $profiles profiles"
else
	fail "speedscope: under ulimit -v $LIMIT_KIB: $(head -c 300 "$T/speedscope.err")"
fi
rm -f "$B"
if limited pprof export -i "$S" --format pprof -o "$T/many.pb.gz"; then
	if "$FLAMETOP" import "$T/many.pb.gz" -o "$T/pprof.session" 2>"$T/import.err"; then
		total=$(total_of "$T/pprof.session")
		[ "$total" = "$ALL" ] && pass "pprof: every sample counted" ||
			fail "pprof: total $total"
	else
		fail "pprof: not read back: $(cat "$T/import.err")"
	fi
fi
if limited svg export -i "$S" --format svg; then
	grep -q "data-n=\"all\" data-w=\"$ALL\"" "$T/svg" && pass "svg: the root weighs every sample" ||
		fail "svg: no root of $ALL: $(grep -o '<title>[^<]*' "$T/svg" | head -1)"
fi
# The second half, of the threads named "odd" (two of the four).
if limited window export -i "$S" --format folded --from 50% --comm odd; then
	sum=$(folded_sum "$T/window")
	want=$((ALL / 4))
	# a quarter, give or take the random draw of threads (0.5%)
	[ "$sum" -gt $((want - want / 200)) ] && [ "$sum" -lt $((want + want / 200)) ] &&
		pass "window and --comm: about a quarter" || fail "window and --comm: $sum"
fi

# Push, to a stand-in server: one upload, then one per process.
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed: no stand-in server"
mkdir -p "$T/server"
start_bg python3 "$(dirname "$TESTLIB")/push-server.py" "$T/server"
wait_line "$T/server/port" '^[0-9]+$' 30 || hard_error "the stand-in server did not start"
URL=http://127.0.0.1:$(cat "$T/server/port")
# pushed N NAME: request N's body, read back, weighs every sample.
pushed() {
	if [ ! -s "$T/server/$1.body" ]; then
		fail "$2: no upload $1"
		return
	fi
	cp "$T/server/$1.body" "$T/push$1.pb.gz"
	if "$FLAMETOP" import "$T/push$1.pb.gz" -o "$T/push$1.session" 2>"$T/import.err"; then
		total=$(total_of "$T/push$1.session")
		[ "$total" = "$ALL" ] && pass "$2: every sample counted" || fail "$2: total $total"
	else
		fail "$2: not read back: $(cat "$T/import.err")"
	fi
}
# From a pipe: copied to a temporary file, then read a chunk at a time.
cat "$S" | (
	ulimit -v "$LIMIT_KIB" && "$FLAMETOP" export -i /dev/stdin --format speedscope 2>"$T/pipe.err"
	echo $? >"$T/pipe.rc"
) | tr ',' '\n' | grep -E '"(startValue|endValue)"' >"$T/pipe-ends"
if [ "$(cat "$T/pipe.rc")" = 0 ]; then
	pass "speedscope from a pipe: under ${LIMIT_KIB} KiB"
	sum=$(span_sum "$T/pipe-ends")
	[ "$sum" = "$ALL" ] && pass "speedscope from a pipe: every sample counted" ||
		fail "speedscope from a pipe: the profiles span $sum"
else
	fail "speedscope from a pipe under ulimit -v $LIMIT_KIB: $(head -c 300 "$T/pipe.err")"
fi
limited push push -i "$S" --url "$URL" && pushed 1 push
limited push-per-process push -i "$S" --url "$URL" --per-process && pushed 2 "push --per-process"

# Late samples: the same export as of the session read whole from a pipe
# (a fifo of the same name, for the same title).
mkdir "$T/fifo"
mkfifo "$T/fifo/late.session" || hard_error "mkfifo failed"
L="$T/late.session"
for chunk in 1000 6000; do
	"$GEN" late "$L" $((chunk * 5 + chunk / 2)) "$chunk" || hard_error "test_session_gen late failed"
	for f in speedscope folded pprof svg; do
		"$FLAMETOP" export -i "$L" --format "$f" -o "$T/late.$f" 2>"$T/late.err" ||
			fail "late $f: $(cat "$T/late.err")"
		timeout 60 sh -c 'cat "$1" >"$2"' sh "$L" "$T/fifo/late.session" &
		writer=$!
		TMPDIR="$T/none" "$FLAMETOP" export -i "$T/fifo/late.session" --format "$f" \
			-o "$T/late-pipe.$f" 2>"$T/late.err" || fail "late $f from a pipe: $(cat "$T/late.err")"
		wait "$writer"
		cmp -s "$T/late.$f" "$T/late-pipe.$f" && pass "late by $chunk ms, $f: as read whole" ||
			fail "late by $chunk ms, $f: not what the session read whole gives"
	done
done

finish
