#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Pushing to Pyroscope's ingest API, against a stand-in server the test
# starts (push-server.py: Python's http.server, answering each request
# with the status the test asks for and keeping what it got). From a
# session of known shape (imported speedscope: worker-1 and worker-2,
# main calls hot 3x as much as cold): the request line is POST /ingest
# with the name, labels (host, then --label; a --label host= is the only
# host), from < until, sampleRate, spyName,
# units, aggregationType and format=pprof; the token and tenant headers
# are there, or basic auth from Pyroscope's environment variables; the
# body, read by go tool pprof, weighs what report says, per function.
# --per-process sends one upload per process with pid and comm labels. A
# 400 is one line and is not tried again; a 503 is tried again and then
# sent; a server that is not there, or does not speak TLS, is tried four
# times, then one line. A reply that never ends is read up to a cap: its
# status stands. --spool refuses a symbolic link, a directory others may
# write and, as root, a path through a directory of another user's, and
# leaves what is not an upload of ours in it alone.
# A session of two events is pushed as an upload for each, --event only
# its own. Then record --push (with perf events): an upload per --push-interval,
# which together weigh what the recorded session does; an outage with a
# slow spool disk, which sampling never waits for, and the spool replayed
# in order once the server is back; a server that never answers, which the
# end waits for only its bounded while; and the live view's --push (in
# tmux), which shows a refused upload in its status line. record --push
# --per-process labels a process whose first thread has ended with its name.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/wait.lib
. "$(dirname "$TESTLIB")/wait.lib"

need_jq
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed: no stand-in server"
SERVER=$(dirname "$TESTLIB")/push-server.py

cat >"$T/in.json" <<'EOT'
{"$schema": "https://www.speedscope.app/file-format-schema.json",
 "shared": {"frames": [{"name": "main"}, {"name": "hot"}, {"name": "cold"}, {"name": "leaf_a"}]},
 "profiles": [
  {"type": "sampled", "name": "worker-1", "unit": "none", "startValue": 0, "endValue": 400,
   "samples": [[0, 1, 3], [0, 2]], "weights": [300, 100]},
  {"type": "sampled", "name": "worker-2", "unit": "none", "startValue": 0, "endValue": 800,
   "samples": [[0, 1, 3], [0, 2]], "weights": [600, 200]}]}
EOT
S=$T/s.session
"$FLAMETOP" import "$T/in.json" -o "$S" 2>"$T/import.err" || hard_error "import failed: $(cat "$T/import.err")"

# server NAME STATUS...: starts the stand-in server, answering STATUS...,
# keeping requests in $T/NAME; sets URL.
server() {
	n=$1
	shift
	mkdir -p "$T/$n"
	start_bg python3 "$SERVER" "$T/$n" "$@"
	SERVER_PID=$BG_PID
	wait_line "$T/$n/port" '^[0-9]+$' 30 || hard_error "the stand-in server did not start"
	URL=http://127.0.0.1:$(cat "$T/$n/port")
}
stop_server() {
	kill "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
}
# query NAME N KEY: a query parameter of request N, decoded.
query() {
	python3 -c 'import sys, urllib.parse as u
line = open(sys.argv[1]).readline().split()
q = u.parse_qs(u.urlsplit(line[1]).query)
print(q.get(sys.argv[2], [""])[0])' "$T/$1/$2.request" "$3"
}
requests() {
	ls "$T/$1" | grep -c '\.request$'
}
# run_push NAME ARGS...: flametop push ARGS, stderr in $T/NAME.err; RC.
run_push() {
	n=$1
	shift
	echo "+ flametop push $*"
	timeout -s KILL 120 "$FLAMETOP" push "$@" 2>"$T/$n.err"
	RC=$?
	sed 's/^/  stderr: /' "$T/$n.err"
}

GO=$(command -v go) || GO=
[ -n "$GO" ] && export GOCACHE="$T/gocache" GOPATH="$T/gopath"
# flat FILE FUNCTION: FUNCTION's flat weight in a pprof body.
flat() {
	"$GO" tool pprof -top -nodefraction=0 -unit=count "$1" 2>/dev/null |
		awk -v f="$2" 'on && $6 == f { print $1 } /^ *flat  flat%/ { on = 1 }'
}

# --- a good push: the request, the labels, the headers, the body -------------
server ok 200
run_push ok -i "$S" --url "$URL" --app shop --label env=test --label region=eu-1 \
	--token s3cret --tenant team-a
assert_eq "$RC" 0 "push: exit status"
assert_eq "$(requests ok)" 1 "push: one request"
assert_match "$(head -n 1 "$T/ok/1.request")" '^POST /ingest\?name=[^ ]*&from=[0-9]+&until=[0-9]+&sampleRate=[0-9]+&spyName=flametop&units=samples&aggregationType=sum&format=pprof HTTP/1\.1$' \
	"push: the request line"
assert_eq "$(query ok 1 name)" "shop{host=$(hostname),env=test,region=eu-1}" "push: the name and labels"
from=$(query ok 1 from)
until=$(query ok 1 until)
assert_match "$from $until" '^[0-9]+ [0-9]+$' "push: from and until are numbers"
[ "$from" -lt "$until" ] && pass "push: from is before until" || fail "push: from $from is not before until $until"
assert_between "$((until - $(date +%s)))" -60 2 "push: an import without a clock ends now"
assert_eq "$(query ok 1 format)" pprof "push: format=pprof"
grep -qx 'Authorization: Bearer s3cret' "$T/ok/1.request" && pass "push: the bearer token" ||
	fail "push: no bearer token: $(cat "$T/ok/1.request")"
grep -qx 'X-Scope-OrgID: team-a' "$T/ok/1.request" && pass "push: the tenant" || fail "push: no X-Scope-OrgID"
grep -qx 'Content-Type: application/octet-stream' "$T/ok/1.request" && pass "push: the content type" ||
	fail "push: content type: $(grep -i content-type "$T/ok/1.request")"
assert_eq "$(head -c 2 "$T/ok/1.body" | od -An -tx1 | tr -d ' ')" 1f8b "push: a gzipped body"
if [ -n "$GO" ]; then
	assert_eq "$(flat "$T/ok/1.body" leaf_a)" 900 "push: the body's leaf_a (go tool pprof)"
	assert_eq "$(flat "$T/ok/1.body" cold)" 300 "push: the body's cold (go tool pprof)"
fi
# A --label host= (a container's name for the box) is the host label, once.
run_push host -i "$S" --url "$URL" --app shop --label env=test --label host=web-1
assert_eq "$RC" 0 "push --label host=: exit status"
assert_eq "$(query ok 2 name)" "shop{env=test,host=web-1}" "push --label host=: the only host label"
stop_server

# --- basic auth from the environment, a window, per process ---------------------
server env 200
echo "+ PYROSCOPE_BASIC_AUTH_USER=u PYROSCOPE_BASIC_AUTH_PASSWORD=p flametop push --per-process --exclude ^cold\$"
PYROSCOPE_BASIC_AUTH_USER=u PYROSCOPE_BASIC_AUTH_PASSWORD=p PYROSCOPE_TENANT_ID=env-team \
	"$FLAMETOP" push -i "$S" --url "$URL/" --per-process --exclude '^cold$' 2>"$T/env.err"
assert_eq "$?" 0 "push --per-process: exit status"
assert_eq "$(requests env)" 2 "push --per-process: one request per process"
grep -qx 'Authorization: Basic dTpw' "$T/env/1.request" && pass "push: basic auth from the environment" ||
	fail "push: no basic auth: $(grep -i authorization "$T/env/1.request")"
grep -qx 'X-Scope-OrgID: env-team' "$T/env/1.request" && pass "push: the tenant from the environment" ||
	fail "push: no tenant from the environment"
assert_match "$(head -n 1 "$T/env/1.request")" '^POST /ingest\?' "push: a URL ending in / still posts to /ingest"
names=$(for i in 1 2; do query env $i name; done | sort | tr '\n' ' ')
assert_match "$names" "^flametop\{host=[^,]*,pid=[0-9]+,comm=worker-1\} flametop\{host=[^,]*,pid=[0-9]+,comm=worker-2\} $" \
	"push --per-process: pid and comm labels"
if [ -n "$GO" ]; then
	for i in 1 2; do
		n=$(query env $i name)
		case $n in *worker-1*) want=300 ;; *) want=600 ;; esac
		assert_eq "$(flat "$T/env/$i.body" leaf_a)" "$want" "push --per-process: upload $i's leaf_a"
		assert_eq "$(flat "$T/env/$i.body" cold)" "" "push --exclude: no cold in upload $i"
	done
fi
stop_server

# --- a 400 is not tried again ------------------------------------------------------
server bad 400
run_push bad -i "$S" --url "$URL"
assert_eq "$RC" 1 "push to a server that says 400: exit status"
assert_one_error_line "$T/bad.err" "400"
assert_match "$(error_line "$T/bad.err")" 'HTTP 400: test server says no \(status 400\) \(not tried again\)' "400: says what the server said"
assert_eq "$(requests bad)" 1 "400: not tried again"
stop_server

# --- a 503 is tried again --------------------------------------------------------------
server busy 503 200
run_push busy -i "$S" --url "$URL"
assert_eq "$RC" 0 "push to a server that says 503, then 200: exit status"
assert_eq "$(requests busy)" 2 "503: tried again"
cmp -s "$T/busy/1.body" "$T/busy/2.body" && pass "503: the same body the second time" ||
	fail "503: the second body differs"
stop_server

# --- a server that is not there -----------------------------------------------------------
server gone 200
stop_server
run_push gone -i "$S" --url "$URL"
assert_eq "$RC" 1 "push to nothing: exit status"
assert_one_error_line "$T/gone.err" "connection refused"
assert_match "$(error_line "$T/gone.err")" "push to $URL: .*connect.*; gave up after retrying" "connection refused: says so"

# --- TLS to a server that speaks plain HTTP: one line, given up on ----------------------
server plain 200
run_push tls -i "$S" --url "https://127.0.0.1:${URL##*:}"
assert_eq "$RC" 1 "push over TLS to a plain HTTP server: exit status"
assert_one_error_line "$T/tls.err" "TLS"
assert_match "$(error_line "$T/tls.err")" "push to https://127.0.0.1:[0-9]+: .*(SSL|TLS|ssl|tls).*; gave up after retrying" "TLS: says so"
stop_server

# --- a reply that never ends: read up to a cap, its status stands ------------------------
server endless endless400
run_push endless -i "$S" --url "$URL"
assert_eq "$RC" 1 "endless reply: exit status"
assert_one_error_line "$T/endless.err" "endless reply"
assert_match "$(error_line "$T/endless.err")" 'HTTP 400: test server says no, at length \(not tried again\)$' \
	"endless reply: the status and the reply's first line"
assert_eq "$(requests endless)" 1 "endless reply: not tried again"
stop_server

# --- the spool directory: ours, private, no links followed ------------------------------
mkdir "$T/real-spool"
ln -s "$T/real-spool" "$T/link-spool"
run_push link -i "$S" --url http://127.0.0.1:9 --spool "$T/link-spool"
assert_eq "$RC" 1 "push --spool SYMLINK: refused"
assert_one_error_line "$T/link.err" "--spool SYMLINK"
assert_match "$(error_line "$T/link.err")" "--spool $T/link-spool: not a directory \(a symbolic link is not taken\)" "--spool SYMLINK: says so"
mkdir -m 0777 "$T/open-spool"
chmod 0777 "$T/open-spool"
run_push open -i "$S" --url http://127.0.0.1:9 --spool "$T/open-spool"
assert_eq "$RC" 1 "push --spool DIR writable by all: refused"
assert_match "$(error_line "$T/open.err")" "not a directory of ours that only we may write" "--spool DIR writable by all: says so"
# As root, the spool's path is walked as every output's: not through a
# directory another user could change (they could swap it for a link to a
# directory of root's between a check and a write).
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	mkdir -p "$T/nobodys/sub"
	chown -R nobody "$T/nobodys"
	run_push nobodys -i "$S" --url http://127.0.0.1:9 --spool "$T/nobodys/sub/spool/"
	assert_eq "$RC" 1 "push --spool through a directory of nobody's: refused"
	assert_match "$(error_line "$T/nobodys.err")" "^flametop: --spool $T/nobodys/sub/spool: $T/nobodys belongs to uid $(id -u nobody); refusing to write through it as root\$" "push --spool through a directory of nobody's: says why"
	[ -e "$T/nobodys/sub/spool" ] && fail "push --spool through a directory of nobody's: created it" ||
		pass "push --spool through a directory of nobody's: nothing created"
fi
# What a spool holds that is not an upload of ours is left alone: a link
# to a file, a file of the wrong format.
printf 'FTPUSH1\nname=planted&from=1&until=2\nBODY' >"$T/planted"
ln -s "$T/planted" "$T/real-spool/0000000000000001.push"
printf 'not a spool file' >"$T/real-spool/0000000000000002.push"
server strangers 200
run_push strangers -i "$S" --url "$URL" --spool "$T/real-spool"
assert_eq "$RC" 0 "push with a spool of strangers: exit status"
assert_eq "$(requests strangers)" 1 "push with a spool of strangers: only its own upload"
assert_match "$(query strangers 1 name)" '^flametop\{' "push with a spool of strangers: its own upload"
stop_server

# --- usage --------------------------------------------------------------------------------
run_push nourl -i "$S"
assert_eq "$RC" 2 "push without --url: usage error"
assert_one_error_line "$T/nourl.err" "no --url"
run_push badurl -i "$S" --url ftp://example.org
assert_eq "$RC" 2 "push --url ftp://: usage error"
assert_one_error_line "$T/badurl.err" "ftp URL"
run_push badlabel -i "$S" --url http://127.0.0.1:9 --label 'bad key=x'
assert_eq "$RC" 2 "push --label 'bad key=x': usage error"
assert_one_error_line "$T/badlabel.err" "bad label"
# Keys starting with __ are the server's (Prometheus's rule: __name__).
run_push reserved -i "$S" --url http://127.0.0.1:9 --label '__name__=x'
assert_eq "$RC" 2 "push --label __name__=x: usage error"
assert_one_error_line "$T/reserved.err" "reserved label"
# --per-process makes pid and comm labels itself: a second one is refused.
run_push pidtwice -i "$S" --url http://127.0.0.1:9 --per-process --label pid=7
assert_eq "$RC" 2 "push --per-process --label pid=7: usage error"
assert_one_error_line "$T/pidtwice.err" "pid label with --per-process"
run_push empty -i "$S" --url http://127.0.0.1:9 --comm nobody
assert_eq "$RC" 1 "push of nothing: error"
assert_one_error_line "$T/empty.err" "nothing to push"

# --- record --push ---------------------------------------------------------------------------
if [ "$(id -u)" -ne 0 ] || ! [ -r /proc/sys/kernel/perf_event_paranoid ]; then
	echo "(record --push skipped: needs root and perf events)"
	finish
fi
need_workload threads
server rec 200
R=$T/rec.session
run_record rec -F 499 -o "$R" --push "$URL" --push-interval 1s --label run=e2e -- "$WORKLOADS/threads" 3500 0
assert_eq "$RC" 0 "record --push: exit status"
assert_match "$(grep 'pushed' "$T/rec.err")" "^flametop: pushed [0-9]+ uploads to $URL$" "record --push: says what it pushed"
n=$(requests rec)
# The workload does fixed work: 3.5 s on an idle machine, longer on a busy
# one; an upload per second of the recording, the last one at its end. A
# recorder starved of CPU sends a late second's data with the next one, so
# the floor is one upload per two seconds of the run.
assert_between "$n" $((ELAPSED_MS / 2000)) $((ELAPSED_MS / 1000 + 2)) \
	"record --push --push-interval 1s: an upload per second of ${ELAPSED_MS} ms"
assert_between "$n" 3 1000 "record --push: several uploads"
assert_eq "$(sed -n 's/^flametop: pushed \([0-9]*\) uploads.*/\1/p' "$T/rec.err")" "$n" "record --push: as many as the server got"
i=1
prev_until=0
while [ "$i" -le "$n" ]; do
	f=$(query rec $i from)
	u=$(query rec $i until)
	[ "$f" -ge "$prev_until" ] || [ "$prev_until" -eq 0 ] || [ "$((prev_until - f))" -le 1 ] ||
		fail "record --push: upload $i starts at $f, before the previous ended ($prev_until)"
	[ "$((u - f))" -le 2 ] || fail "record --push: upload $i spans $f..$u, more than its interval"
	assert_match "$(query rec $i name)" "^flametop\{host=[^,]*,run=e2e\}$" "record --push: upload $i's labels"
	prev_until=$u
	i=$((i + 1))
done
if [ -n "$GO" ] && report_json "$R" "$T/rec.json"; then
	sum=0
	i=1
	while [ "$i" -le "$n" ]; do
		w=$("$GO" tool pprof -top -nodefraction=0 -sample_index=cpu -unit=ns "$T/rec/$i.body" 2>/dev/null |
			sed -n 's/.* of \([0-9]*\)ns total.*/\1/p')
		sum=$((sum + ${w:-0}))
		i=$((i + 1))
	done
	assert_eq "$sum" "$(total_of "$T/rec.json")" "record --push: the uploads weigh what the session does"
fi
if [ -n "$GO" ]; then
	# The recorder's uploads name functions without source lines (which
	# would cost it the modules' DWARF); push -i of its session has them.
	"$GO" tool pprof -raw "$T/rec/1.body" 2>/dev/null | grep -E ' ft_thread_[ab] ' >"$T/rec.locs"
	assert_match "$(head -n 1 "$T/rec.locs")" ' ft_thread_[ab] :0 s=0$' "record --push: functions without source lines"
	recorded=$n
	run_push recfile -i "$R" --url "$URL"
	assert_eq "$RC" 0 "push -i of the recorded session: exit status"
	assert_match "$("$GO" tool pprof -raw "$T/rec/$((recorded + 1)).body" 2>/dev/null | grep -E ' ft_thread_[ab] ' | head -n 1)" \
		' ft_thread_[ab] [^ ]*threads\.c:[0-9]+ s=0$' "push -i of the recorded session: with source lines"
fi
stop_server

# --- record --push --per-process: a process whose first thread has ended -----------------
# leaderexit's first thread ends (pthread_exit) at once, its other thread
# works 3 s: record forgets a thread written out that exited, but not the
# first thread of a process with a thread still held, whose name labels
# each upload: every one of them says comm=leaderexit, none an empty comm.
need_workload leaderexit
server lead 200
run_record lead -F 499 -o "$T/lead.session" --push "$URL" --push-interval 1s --per-process \
	-- "$WORKLOADS/leaderexit" 3000
assert_eq "$RC" 0 "record --push --per-process, leader gone: exit status"
n=$(requests lead)
assert_between "$n" 2 1000 "record --push --per-process, leader gone: several uploads"
i=1
while [ "$i" -le "$n" ]; do
	assert_match "$(query lead $i name)" "^flametop\{host=[^,]*,pid=[0-9]+,comm=leaderexit\}$" \
		"record --push --per-process, leader gone: upload $i's comm"
	i=$((i + 1))
done
stop_server

# --- an outage: sampling never waits for the spool; the spool replays in order -------
# The server is down and the spool's disk is slow: libftstall.so (preloaded)
# holds every spool file's creation until the test removes the gate. The
# recording must end, with every second sampled and nothing lost, while the
# pusher is held on the disk (a submit that waited for the pusher's spool
# writes would hold the recorder until the gate goes). Then the server comes
# back on the same port and a run with the same --spool sends what was kept,
# oldest first, before its own upload.
need_workload libftstall.so
server down 200
DOWN_URL=$URL
DOWN_PORT=${URL##*:}
stop_server
SP=$T/spool
touch "$T/gate"
echo "+ FT_STALL_GATE=gate flametop record -F 499 --push $DOWN_URL --push-interval 1s --spool $SP -- threads 3000 0"
LD_PRELOAD=$WORKLOADS/libftstall.so FT_STALL_GATE=$T/gate timeout -s KILL 120 "$FLAMETOP" record -F 499 \
	-o "$T/out.session" --push "$DOWN_URL" --push-interval 1s --spool "$SP" -- "$WORKLOADS/threads" 3000 0 \
	>/dev/null 2>"$T/out.err" &
rec_pid=$!
ft_bg_pids="$ft_bg_pids $rec_pid"
if wait_line "$T/out.err" '^flametop: recorded [0-9]+ samples' 90; then
	pass "outage: the recording ends while the spool's writes are held"
else
	fail "outage: no end of the recording while the spool's writes are held: $(cat "$T/out.err")"
fi
[ -e "$T/gate.held" ] && pass "outage: a spool write was held (the slow disk was in the way)" ||
	fail "outage: no spool write was held: the test did not test the slow spool"
rm -f "$T/gate"
wait "$rec_pid"
RC=$?
sed 's/^/  stderr: /' "$T/out.err"
assert_eq "$RC" 0 "outage: record's exit status"
grep -q 'records were lost' "$T/out.err" && fail "outage: samples were lost" || pass "outage: no samples lost"
if "$FLAMETOP" report -i "$T/out.session" --format heatmap >"$T/out.heat" 2>"$T/out.heat.err"; then
	# Every whole second of the recording has samples: sampling never stopped.
	empty=$(jq '[.seconds[:-1][] | select((.counts | add) == 0)] | length' "$T/out.heat")
	secs=$(jq '.seconds | length' "$T/out.heat")
	assert_eq "$empty" 0 "outage: every second of the $secs sampled"
	assert_between "$secs" 3 1000 "outage: seconds recorded"
else
	fail "outage: report --format heatmap failed: $(cat "$T/out.heat.err")"
fi
kept=$(sed -n 's/^flametop: push: .* \([0-9]*\) not sent (kept in the spool for the next run)$/\1/p' "$T/out.err")
assert_between "${kept:-0}" 2 1000 "outage: uploads kept in the spool"
assert_eq "$(ls "$SP" | grep -c '\.push$')" "${kept:-0}" "outage: a spool file for each"
assert_eq "$(stat -c %a "$SP")" 700 "outage: the spool is private"
export PUSH_SERVER_PORT=$DOWN_PORT
server back 200
unset PUSH_SERVER_PORT
run_push back -i "$T/out.session" --url "$DOWN_URL" --spool "$SP"
assert_eq "$RC" 0 "outage over: push's exit status"
assert_eq "$(requests back)" "$((${kept:-0} + 1))" "outage over: the spool's uploads, then push's own"
i=1
prev=0
while [ "$i" -le "${kept:-0}" ]; do
	f=$(query back $i from)
	[ "$f" -ge "$prev" ] || fail "outage over: upload $i (from $f) is older than the one before (from $prev)"
	assert_match "$(query back $i name)" "^flametop\{host=[^,]*\}$" "outage over: upload $i is a recorded second"
	prev=$f
	i=$((i + 1))
done
assert_eq "$(ls "$SP" | grep -c '\.push$')" 0 "outage over: the spool is empty once sent"
stop_server

# --- a server that never answers: the end waits for it only as long as it says --------
server hung hang
run_record hung -F 499 -o "$T/hung.session" --push "$URL" -- "$WORKLOADS/threads" 1000 0
assert_eq "$RC" 0 "hung server: record's exit status"
assert_match "$(grep 'push to' "$T/hung.err")" "^flametop: push to $URL: no answer before flametop's end; not sent$" \
	"hung server: the upload in flight is cut at the end, and said"
assert_match "$(grep '^flametop: push:' "$T/hung.err")" " 1 not sent$" "hung server: counted as not sent"
stop_server

# --- a session of two events: an upload for each, each with its own type ---------------------
need_workload t5-faults
"$FLAMETOP" record -e cpu-clock,page-faults -o "$T/two.session" -- "$WORKLOADS/t5-faults" 20000 1 \
	>/dev/null 2>"$T/two-rec.err" || hard_error "record of two events failed: $(cat "$T/two-rec.err")"
server two 200
run_push two -i "$T/two.session" --url "$URL"
assert_eq "$RC" 0 "push of two events: exit status"
assert_eq "$(requests two)" 2 "push of two events: an upload for each"
if [ -n "$GO" ]; then
	types=$(for i in 1 2; do "$GO" tool pprof -raw "$T/two/$i.body" 2>/dev/null | sed -n 's/^PeriodType: //p'; done |
		sort | tr '\n' ';')
	assert_eq "$types" "cpu nanoseconds;page-faults count;" "push of two events: the uploads' types"
fi
stop_server
server one 200
run_push one -i "$T/two.session" --url "$URL" --event page-faults
assert_eq "$(requests one)" 1 "push --event page-faults: one upload"
[ -n "$GO" ] && assert_eq "$("$GO" tool pprof -raw "$T/one/1.body" 2>/dev/null | sed -n 's/^PeriodType: //p')" \
	"page-faults count" "push --event page-faults: of that event"
stop_server

# --- without libcurl --------------------------------------------------------------------------
# flametop loads libcurl when a push starts: where it is missing (here, hidden
# under an empty file in a private mount namespace), push fails in one line
# saying so, and uploads nothing.
curl_sos=$(ldconfig -p 2>/dev/null | awk '$1 ~ /^libcurl.*\.so\.4$/ { print $NF }')
if [ "$(id -u)" -eq 0 ] && [ -n "$curl_sos" ] && command -v unshare >/dev/null 2>&1 &&
	unshare -m true 2>/dev/null; then
	server nocurl 200
	: >"$T/empty.so"
	echo "+ flametop push (libcurl hidden: $(echo $curl_sos))"
	# shellcheck disable=SC2086 # the libraries, one word each
	unshare -m sh -c 'e=$1; shift; while [ "$1" != -- ]; do mount --bind "$e" "$1" || exit 99; shift; done; shift; exec "$@"' \
		sh "$T/empty.so" $curl_sos -- timeout -s KILL 120 "$FLAMETOP" push -i "$T/two.session" --url "$URL" 2>"$T/nocurl.err"
	RC=$?
	sed 's/^/  stderr: /' "$T/nocurl.err"
	assert_eq "$RC" 1 "push without libcurl: exit status"
	assert_eq "$(wc -l <"$T/nocurl.err")" 1 "push without libcurl: one line on stderr"
	assert_match "$(cat "$T/nocurl.err")" '^flametop: .*push needs libcurl \(libcurl\.so\.4\)' \
		"push without libcurl: says what it needs"
	assert_eq "$(requests nocurl)" 0 "push without libcurl: nothing uploaded"
	stop_server
else
	echo "(push without libcurl not checked: needs root, unshare and libcurl.so.4 in ldconfig's cache)"
fi

# --- the live view's --push (in tmux) ----------------------------------------------------------
if ! command -v tmux >/dev/null 2>&1; then
	echo "(live --push skipped: tmux is not installed)"
	finish
fi
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"
mkdir -p "$T/config"
server live 200 400
tui_start live 100 30 "HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8 '$FLAMETOP' -F 499 --push '$URL' --push-interval 1s -- '$WORKLOADS/threads' 0 0 2>'$T/live.err'"
assert_screen live 'ft_thread_b' "live --push: the workload shows"
wait_line "$T/live/2.request" '^POST /ingest' 30 && pass "live --push: uploads go while the view runs" ||
	fail "live --push: no second upload"
assert_screen live 'push to http://127.0.0.1:[0-9]+: HTTP 400' "live --push: a refused upload is said in the status line"
tui_keys live q
tui_exit live
assert_eq "$RC" 0 "live --push: q exits 0"
assert_match "$(cat "$T/live.err")" "pushed 1 upload to $URL; [0-9]+ refused by the server" "live --push: says what went, once the terminal is back"
stop_server

finish
