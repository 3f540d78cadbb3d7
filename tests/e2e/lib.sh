# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers for the end-to-end tests, sourced by each tests/e2e/*.sh as
# ". "$TESTLIB"". The harness (AM_TESTS_ENVIRONMENT) sets FLAMETOP (the
# binary), WORKLOADS (the built workloads), GOLDEN and PERF. A test calls
# need_* first (each exits 77 with the reason when the machine cannot run it),
# makes its assertions (each prints "ok:" or "FAIL:" and carries on, so one
# run shows every failure), and ends with "finish", which exits 1 if any
# assertion failed. Plain POSIX sh: the harness runs tests with $(SHELL).

set -u

: "${FLAMETOP:?FLAMETOP is not set: run through make check}"
: "${WORKLOADS:?WORKLOADS is not set: run through make check}"
: "${PERF:=}"

ft_failures=0
ft_bg_pids=

# A private directory, removed on exit along with any background process a
# test started with start_bg (or added to ft_bg_pids) and did not reap, and
# what that process started: timeout puts itself and its command in a
# process group of its own, which goes whole (SIGKILL to timeout alone
# would leave its command running, an orphan); the children of any other
# process go with it.
T=$(mktemp -d "${TMPDIR:-/tmp}/flametop-e2e.XXXXXX") || exit 99
ft_cleanup() {
	for p in $ft_bg_pids; do
		ft_kids=$(ps -o pid= --ppid "$p" 2>/dev/null)
		# (dash's kill takes "--" only after -s SIGNAL)
		kill -s KILL -- "-$p" 2>/dev/null
		# shellcheck disable=SC2086 # one PID a word, or none
		kill -s KILL "$p" $ft_kids 2>/dev/null
	done
	rm -rf "$T"
}
trap ft_cleanup EXIT
trap 'exit 1' INT TERM HUP

skip() {
	echo "SKIP: $*"
	exit 77
}

# Exit 99 (hard error) for problems in the test setup itself.
hard_error() {
	echo "ERROR: $*"
	exit 99
}

pass() {
	echo "ok: $*"
}

fail() {
	echo "FAIL: $*"
	ft_failures=$((ft_failures + 1))
}

finish() {
	if [ "$ft_failures" -ne 0 ]; then
		echo "$ft_failures assertion(s) failed"
		exit 1
	fi
	exit 0
}

# --- What the machine must offer -------------------------------------------

need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (system-wide sampling and attaching to processes)"
}

# Skips only when the kernel has no perf events at all or forbids them to us.
need_perf_events() {
	[ -r /proc/sys/kernel/perf_event_paranoid ] ||
		skip "kernel without perf events (/proc/sys/kernel/perf_event_paranoid missing)"
	if [ "$(id -u)" -ne 0 ]; then
		paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)
		[ "$paranoid" -le 0 ] ||
			skip "not root and kernel.perf_event_paranoid=$paranoid forbids system-wide sampling"
	fi
}

# build_goprof WHY: builds tests/workloads/goprof.go into $T/goprof with
# the Go toolchain ($GO), or skips the test saying WHY it needs Go.
build_goprof() {
	GO=$(command -v go) || skip "golang-go is not installed (apt-get install golang-go): $1"
	ft_goprof_src=$(dirname "$TESTLIB")/../workloads/goprof.go
	[ -f "$ft_goprof_src" ] || hard_error "no $ft_goprof_src"
	echo "+ go build goprof.go"
	export GOCACHE="$T/gocache" GOPATH="$T/gopath" GO111MODULE=off GOFLAGS= CGO_ENABLED=0
	timeout 300 "$GO" build -o "$T/goprof" "$ft_goprof_src" >"$T/build.log" 2>&1 ||
		hard_error "go build failed: $(head -c 600 "$T/build.log")"
}

need_jq() {
	command -v jq >/dev/null 2>&1 || skip "jq is not installed (apt-get install jq)"
}

# HAVE_LIBIBERTY comes from make check (Makefile.am): yes or no.
need_libiberty() {
	case "${HAVE_LIBIBERTY:-}" in
	yes) ;;
	no) skip "flametop was built without libiberty (install libiberty-dev and reconfigure): no demangling" ;;
	*) skip "HAVE_LIBIBERTY is not set: run through make check" ;;
	esac
}

need_perf() {
	{ [ -n "$PERF" ] && [ -x "$PERF" ]; } || skip "perf is not installed (apt-get install linux-perf), configure found none"
	"$PERF" stat -e task-clock -x, -o /dev/null true >/dev/null 2>&1 ||
		skip "$PERF cannot count task-clock here"
}

# perf_record_flags: the options every perf record of the tests takes,
# where this perf has them: --no-bpf-event and --no-buildid. perf 6.1
# aborts reading back a recording that describes the machine's BPF
# programs ("assertion failed at util/build-id.c"), and systemd, among
# others, loads some; the tests never sample BPF code. It also aborted in
# the same code when it collected the build ids of what it sampled while
# another session asked the kernel for build ids in its mapping records
# (flametop did, until perf-beside.sh; another tool may); perf report on
# the machine that recorded finds the files by their paths without them.
perf_record_flags() {
	ft_prf=
	for ft_prf_opt in --no-bpf-event --no-buildid; do
		if "$PERF" record -q $ft_prf_opt -o "$T/perf-probe.data" -- true >/dev/null 2>&1; then
			ft_prf="$ft_prf $ft_prf_opt"
		fi
	done
	rm -f "$T/perf-probe.data"
	echo $ft_prf
}

# perf_try OUT COMMAND...: runs COMMAND (a perf record of something that
# can run again), its output in OUT, up to three times while it fails:
# perf 6.1 aborts at its end ("assertion failed at util/build-id.c", then
# stack smashing) while any session beside it asks for build ids in its
# mapping records, which is not what a test compares. The last status.
perf_try() {
	out=$1
	shift
	for attempt in 1 2 3; do
		"$@" >"$out" 2>&1 && return 0
		echo "  $1 failed (attempt $attempt): $(head -c 200 "$out")"
	done
	return 1
}

need_workload() {
	for w in "$@"; do
		[ -x "$WORKLOADS/$w" ] || hard_error "workload $WORKLOADS/$w is not built"
	done
}

# --- Running things --------------------------------------------------------

# start_bg COMMAND [ARGS...]: starts COMMAND in the background, sets BG_PID,
# and kills it at exit if the test does not reap it.
start_bg() {
	"$@" &
	BG_PID=$!
	ft_bg_pids="$ft_bg_pids $BG_PID"
}

# steal_ms: the time the hypervisor took from this machine's CPUs, all
# together (/proc/stat's steal), in ms. A clock event (task-clock,
# cpu-clock) counts it as the task's time where the scheduler, and so
# getrusage and schedstat, does not (CONFIG_PARAVIRT_TIME_ACCOUNTING).
steal_ms() {
	awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { printf "%d", $9 * 1000 / hz }' /proc/stat
}

# now_ms: milliseconds on the wall clock.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# wait_until SECONDS COMMAND [ARGS...]: runs COMMAND every tenth of a second
# until it succeeds, for at most SECONDS of wall time; returns 1 if it never
# did. What a test waits for is a condition, and SECONDS a generous cap for
# a busy machine, never the time the condition is expected to take.
wait_until() {
	ft_wait_end=$(($(now_ms) + $1 * 1000))
	shift
	until "$@"; do
		[ "$(now_ms)" -lt "$ft_wait_end" ] || return 1
		sleep 0.1
	done
	return 0
}

# is_comm PID COMM: PID runs a program named COMM.
is_comm() {
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

# is_gone PID: PID has exited (a zombie not yet reaped counts as gone).
is_gone() {
	[ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null || echo X)" = Z ] || ! kill -0 "$1" 2>/dev/null
}

# wait_comm PID COMM: waits (up to 30 s) until PID has exec'd COMM, so that
# attaching to it attaches to the program and not to the shell's fork.
wait_comm() {
	wait_until 30 is_comm "$1" "$2" || hard_error "process $1 never became $2"
}

# session_chunks FILE: how many whole chunks FILE holds, its header chunk
# included (0 if none, or no file). record writes the header when it starts
# sampling and a data chunk every second after that, so a second chunk
# means that sampling has been running for about a second.
session_chunks() {
	ft_sc_size=$(stat -c %s "$1" 2>/dev/null) || ft_sc_size=0
	ft_sc_off=16
	ft_sc_n=0
	while [ $((ft_sc_off + 16)) -le "$ft_sc_size" ]; do
		ft_sc_clen=$(od -An -tu4 -j $((ft_sc_off + 4)) -N4 "$1" | tr -d ' ')
		if [ -z "$ft_sc_clen" ] || [ $((ft_sc_off + 16 + ft_sc_clen)) -gt "$ft_sc_size" ]; then
			break
		fi
		ft_sc_n=$((ft_sc_n + 1))
		ft_sc_off=$((ft_sc_off + 16 + ft_sc_clen))
	done
	echo "$ft_sc_n"
}

# has_chunks FILE N [PID]: FILE holds at least N whole chunks; with PID,
# also true once PID (the recorder) is gone, so that a wait ends early when
# the recorder failed.
has_chunks() {
	[ "$(session_chunks "$1")" -ge "$2" ] || { [ -n "${3:-}" ] && is_gone "$3"; }
}

# wait_recording SESSION N PID: waits (up to 60 s) until the recorder PID
# has written N chunks to SESSION (2: it has sampled for a second); fails
# the test and returns 1 if it has not.
wait_recording() {
	if wait_until 60 has_chunks "$1" "$2" "$3" && [ "$(session_chunks "$1")" -ge "$2" ]; then
		return 0
	fi
	fail "the recorder (pid $3) did not write $2 chunks to $1 ($(session_chunks "$1") so far)"
	return 1
}

# cpu_ticks PID: PID's CPU time, in clock ticks (0 when it is gone).
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# cpu_past PID TICKS: PID has used more than TICKS of CPU.
cpu_past() {
	[ "$(cpu_ticks "$1")" -gt "$2" ]
}

# has_events PID: PID, or a child of it (timeout runs the recorders), has
# perf events open: it has started sampling.
has_events() {
	for ft_he in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		for ft_he_fd in /proc/"$ft_he"/fd/*; do
			case $(readlink "$ft_he_fd" 2>/dev/null) in
			*'[perf_event]') return 0 ;;
			esac
		done
	done
	return 1
}

# same_run PID SESSION PERF_DATA CPU_SECONDS [PERF OPTIONS...]: flametop
# (record -F 999 -p PID -o SESSION) and perf (record -e cpu-clock -F 999
# OPTIONS -p PID -o PERF_DATA) record PID at the same time, so that both
# see exactly the same execution: PID is stopped (SIGSTOP) while they start
# and stop, and runs for CPU_SECONDS of its own CPU time between, however
# busy the machine. flametop's stderr goes to $T/ft.err, its status to RC;
# perf's output to $T/perf.out. PID is left stopped.
same_run() {
	ft_sr_pid=$1
	ft_sr_session=$2
	ft_sr_data=$3
	ft_sr_secs=$4
	shift 4
	kill -STOP "$ft_sr_pid"
	echo "+ flametop record -F 999 -p $ft_sr_pid & perf record -e cpu-clock -F 999 $* -p $ft_sr_pid   ($ft_sr_secs CPU-seconds)"
	timeout -s KILL 120 "$FLAMETOP" record -F 999 -o "$ft_sr_session" -p "$ft_sr_pid" 2>"$T/ft.err" &
	ft_sr_rec=$!
	ft_bg_pids="$ft_bg_pids $ft_sr_rec"
	# shellcheck disable=SC2046 # the flags are options or nothing
	timeout -s KILL 120 "$PERF" record -q $(perf_record_flags) -e cpu-clock -F 999 "$@" \
		-o "$ft_sr_data" -p "$ft_sr_pid" >"$T/perf.out" 2>&1 &
	ft_sr_perf=$!
	ft_bg_pids="$ft_bg_pids $ft_sr_perf"
	if wait_until 60 has_events "$ft_sr_rec" && wait_until 60 has_events "$ft_sr_perf"; then
		ft_sr_ticks=$(cpu_ticks "$ft_sr_pid")
		kill -CONT "$ft_sr_pid"
		wait_until 120 cpu_past "$ft_sr_pid" $((ft_sr_ticks + ft_sr_secs * $(getconf CLK_TCK))) ||
			fail "pid $ft_sr_pid did not get $ft_sr_secs s of CPU in 120 s"
		kill -STOP "$ft_sr_pid"
	else
		fail "the recorders did not start sampling in 60 s"
	fi
	kill -INT "$ft_sr_rec" "$ft_sr_perf"
	wait "$ft_sr_rec"
	RC=$?
	wait "$ft_sr_perf"
	ft_sr_prc=$?
	# perf record -p ends on SIGINT with status 130, having written its data.
	[ "$ft_sr_prc" -eq 0 ] || [ "$ft_sr_prc" -eq 130 ] ||
		fail "perf record failed ($ft_sr_prc): $(cat "$T/perf.out")"
	sed 's/^/  stderr: /' "$T/ft.err"
}

# run_record NAME ARGS...: runs "flametop record ARGS" with a 120 s safety
# timeout (a busy machine can make a few CPU-seconds of workload take a
# minute); stdout and stderr go to $T/NAME.out and $T/NAME.err, the exit
# status to RC and the wall time to ELAPSED_MS. Prints the command and its
# stderr so a failure log shows what happened.
run_record() {
	name=$1
	shift
	echo "+ flametop record $*"
	t0=$(now_ms)
	timeout -s KILL 120 "$FLAMETOP" record "$@" >"$T/$name.out" 2>"$T/$name.err"
	RC=$?
	ELAPSED_MS=$(($(now_ms) - t0))
	sed 's/^/  stderr: /' "$T/$name.err"
	echo "  exit $RC after ${ELAPSED_MS} ms"
}

# record_bursts SECONDS [RECORD ARGS...]: records the bursts workload
# (ft_burst from 400 to 500 ms into each of its seconds, ft_steady from
# 700 to 800 ms, asleep otherwise) for SECONDS with the ARGS given, into
# S ($T/bursts.session), as run_record "bursts" does, and checks the
# recording (assert_record_ok); without a session there is nothing more to
# test: finish.
record_bursts() {
	need_workload bursts
	S="$T/bursts.session"
	ft_rb_seconds=$1
	shift
	run_record bursts "$@" -o "$S" -- "$WORKLOADS/bursts" "$ft_rb_seconds"
	assert_record_ok bursts "$S"
	[ -s "$S" ] || finish
}

# record_system NAME SESSION WORKLOAD [ARGS...]: records the whole system
# (-a -F 999, rings of 1024 pages per CPU: a busy machine can keep the
# recorder from reading them for a while) while WORKLOAD runs from start
# to finish: starts recording,
# waits until the recording has really started (its first data chunk is in
# SESSION), runs WORKLOAD (its PID in WPID), and stops the recording with
# SIGINT once WORKLOAD has exited (record reads what is left in its rings
# before it stops). RC is record's status, ELAPSED_MS the recording's wall
# time.
record_system() {
	name=$1
	session=$2
	shift 2
	echo "+ flametop record -a -F 999 -m 1024 -o $session   (around: $*)"
	t0=$(now_ms)
	timeout -s KILL 120 "$FLAMETOP" record -a -F 999 -m 1024 -o "$session" >"$T/$name.out" 2>"$T/$name.err" &
	rec_pid=$!
	ft_bg_pids="$ft_bg_pids $rec_pid"
	wait_recording "$session" 2 "$rec_pid"
	start_bg "$@"
	WPID=$BG_PID
	wait "$WPID"
	kill -INT "$rec_pid" 2>/dev/null
	wait "$rec_pid"
	RC=$?
	ELAPSED_MS=$(($(now_ms) - t0))
	sed 's/^/  stderr: /' "$T/$name.err"
	echo "  exit $RC after ${ELAPSED_MS} ms"
}

# report_json SESSION OUT [REPORT ARGS...]: writes the JSON report of SESSION
# to OUT; a failing report is a test failure (returns 1).
report_json() {
	session=$1
	out=$2
	shift 2
	if ! "$FLAMETOP" report -i "$session" --format json "$@" >"$out" 2>"$out.err"; then
		fail "flametop report -i $session --format json $* failed: $(cat "$out.err")"
		return 1
	fi
	if ! jq -e '.total and .unit and (.functions | type == "array")' "$out" >/dev/null 2>&1; then
		fail "flametop report -i $session --format json $* is not the documented object: $(head -c 300 "$out")"
		return 1
	fi
	return 0
}

# assert_speedscope_schema FILE: FILE follows speedscope's file format
# schema (npm's speedscope, checked with ajv-cli); says so and checks
# nothing where either is not installed.
assert_speedscope_schema() {
	ft_ss_schema=$(npm root -g 2>/dev/null)/speedscope/dist/release/file-format-schema.json
	ft_ss_ajv=$(command -v ajv) || ft_ss_ajv=
	if [ ! -f "$ft_ss_schema" ] || [ -z "$ft_ss_ajv" ]; then
		echo "  (npm's speedscope or ajv-cli is missing: npm install -g speedscope ajv-cli; schema not checked)"
	elif "$ft_ss_ajv" validate --spec=draft7 -s "$ft_ss_schema" -d "$1" >"$T/ajv.out" 2>&1; then
		pass "speedscope: $(basename "$1") follows speedscope's schema"
	else
		fail "speedscope: speedscope's schema refuses $(basename "$1"): $(head -c 400 "$T/ajv.out")"
	fi
}

# report_folded SESSION OUT [REPORT ARGS...]
report_folded() {
	session=$1
	out=$2
	shift 2
	if ! "$FLAMETOP" report -i "$session" --format folded "$@" >"$out" 2>"$out.err"; then
		fail "flametop report -i $session --format folded $* failed: $(cat "$out.err")"
		return 1
	fi
	return 0
}

# --- Reading reports -------------------------------------------------------

# share FUNCTION JSONFILE [self|total]: FUNCTION's self (default) or total
# count as a percentage of the report's total, one decimal; 0.0 when absent.
# Entries with the same name in several modules are summed.
share() {
	jq -r --arg f "$1" --arg k "${3:-self}" '
		([.functions[] | select(.name == $f) | .[$k]] | add // 0) as $n
		| if .total > 0 then ($n * 1000 / .total | round) / 10 else 0 end' "$2"
}

# ratio FUNCTION OTHER JSONFILE [self|total]: FUNCTION's self (default) or
# total count as a fraction of FUNCTION's and OTHER's together, three
# decimals; 0 when both are absent. The workloads' known splits are splits
# of work between their functions, so this, unlike a share of everything
# sampled (which the kernel and the machine's other work take part of),
# does not depend on the machine.
ratio() {
	jq -r --arg a "$1" --arg b "$2" --arg k "${4:-self}" '
		([.functions[] | select(.name == $a) | .[$k]] | add // 0) as $x
		| ([.functions[] | select(.name == $b) | .[$k]] | add // 0) as $y
		| if $x + $y > 0 then ($x * 1000 / ($x + $y) | round) / 1000 else 0 end' "$3"
}

# report_samples SESSION [REPORT ARGS...]: how many samples the report of
# SESSION (with ARGS: filters, windows) covers.
report_samples() {
	ft_rs_session=$1
	shift
	"$FLAMETOP" report -i "$ft_rs_session" "$@" 2>/dev/null | sed -n 's/^# samples: \([0-9]*\),.*/\1/p'
}

# pair_samples FUNCTION OTHER JSONFILE SAMPLES [self|total]: how many of the
# SAMPLES samples of a report are FUNCTION's and OTHER's (from their part of
# its total weight), rounded down.
pair_samples() {
	jq -r --arg a "$1" --arg b "$2" --arg k "${5:-self}" --argjson n "${4:-0}" '
		([.functions[] | select(.name == $a or .name == $b) | .[$k]] | add // 0) as $x
		| if .total > 0 then ($n * $x / .total | floor) else 0 end' "$3"
}

# ratio_tol EXPECTED SAMPLES: the tolerance of assert_ratio.
ratio_tol() {
	awk -v e="$1" -v n="$2" 'BEGIN { t = n > 0 ? 4 * sqrt(e * (1 - e) / n) : 1; printf "%.3f", t < 0.04 ? 0.04 : t }'
}

# assert_ratio MESSAGE VALUE EXPECTED SAMPLES: VALUE, a fraction measured on
# SAMPLES samples (at least 50), is EXPECTED within what sampling allows:
# four standard deviations of a binomial fraction of that many samples, and
# no less than 0.04. A busy machine gives a workload fewer samples in the
# same wall time, and its samples fall less evenly on the work: the bound
# widens with it, and stays narrow enough that a wrong split fails.
assert_ratio() {
	if [ "${4:-0}" -lt 50 ]; then
		fail "$1: $2 measured on ${4:-0} samples, fewer than 50"
		return
	fi
	ft_tol=$(ratio_tol "$3" "$4")
	assert_between "$2" "$(awk -v e="$3" -v t="$ft_tol" 'BEGIN { print e - t }')" \
		"$(awk -v e="$3" -v t="$ft_tol" 'BEGIN { print e + t }')" "$1 (expected $3, $4 samples)"
}

# assert_split MESSAGE JSONFILE SAMPLES FUNCTION OTHER EXPECTED [self|total]:
# FUNCTION / (FUNCTION + OTHER) in a report of SAMPLES samples is EXPECTED,
# as assert_ratio allows.
assert_split() {
	assert_ratio "$1: $4 / ($4 + $5), ${7:-self}" "$(ratio "$4" "$5" "$2" "${7:-self}")" "$6" \
		"$(pair_samples "$4" "$5" "$2" "$3" "${7:-self}")"
}

# assert_caller MESSAGE JSONFILE CALLER FUNCTION...: CALLER is on the stacks
# of the FUNCTIONs (which do not call each other): its total is at least
# 99% of theirs together (a sample taken on the first or last instruction
# of a function, before its frame is set up, can miss the caller).
assert_caller() {
	ft_ac_msg=$1
	ft_ac_json=$2
	ft_ac_caller=$3
	shift 3
	ft_ac_names=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
	ft_ac=$(jq -r --arg c "$ft_ac_caller" --argjson fs "$ft_ac_names" '
		([.functions[] | select(.name == $c) | .total] | add // 0) as $c
		| ([.functions[] | select(.name as $n | $fs | index($n)) | .total] | add // 0) as $f
		| if $f > 0 then ($c * 1000 / $f | round) / 1000 else 0 end' "$ft_ac_json")
	assert_between "$ft_ac" 0.99 100 "$ft_ac_msg: $ft_ac_caller's total over $*'s"
}

# total_of JSONFILE: the report's total.
total_of() {
	jq -r '.total' "$1"
}

# module_of FUNCTION JSONFILE: the module of FUNCTION's hottest entry.
module_of() {
	jq -r --arg f "$1" '[.functions[] | select(.name == $f)][0].module // ""' "$2"
}

# print_top JSONFILE [N]: the hottest functions, for the log.
print_top() {
	jq -r --argjson n "${2:-8}" '"  total \(.total) \(.unit)",
		(.functions[:$n][] | "  \(.self)\t\(.total)\t\(.name)\t\(.module)")' "$1"
}

# --- Assertions ------------------------------------------------------------

# assert_between VALUE LO HI MESSAGE: LO <= VALUE <= HI, numbers may be
# decimals.
assert_between() {
	if awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v + 0 == v && v >= lo && v <= hi) }'; then
		pass "$4: $1 in [$2, $3]"
	else
		fail "$4: $1 not in [$2, $3]"
	fi
}

# assert_eq ACTUAL EXPECTED MESSAGE
assert_eq() {
	if [ "$1" = "$2" ]; then
		pass "$3: $1"
	else
		fail "$3: got '$1', expected '$2'"
	fi
}

# assert_match STRING EXTENDED-REGEX MESSAGE
assert_match() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3: '$1' does not match /$2/"
	fi
}

# assert_no_match STRING EXTENDED-REGEX MESSAGE
assert_no_match() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		fail "$3: '$1' matches /$2/"
	else
		pass "$3"
	fi
}

# assert_one_error_line FILE WHAT: FILE (a command's stderr) holds exactly
# one line "flametop: ...", besides any "flametop: notice: ..." lines that
# came before the error was found.
assert_one_error_line() {
	grep -v '^flametop: notice: ' "$1" >"$1.errors"
	lines=$(wc -l <"$1.errors")
	first=$(head -n 1 "$1.errors")
	if [ "$lines" -eq 1 ] && printf '%s\n' "$first" | grep -q '^flametop: .'; then
		pass "$2: one error line: $first"
	else
		fail "$2: expected one line 'flametop: ...' on stderr, got $lines line(s): $(head -c 400 "$1.errors")"
	fi
}

# expect_usage NAME PATTERN COMMAND...: COMMAND exits 2 with one line
# "flametop: ..." on stderr matching PATTERN, writes nothing to stdout, and
# leaves no $T/never.session (the name the tests give a recording that
# must not start).
expect_usage() {
	name=$1
	pattern=$2
	shift 2
	timeout -s KILL 30 "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null
	rc=$?
	assert_eq "$rc" 2 "$name: exit status"
	assert_one_error_line "$T/$name.err" "$name"
	assert_match "$(error_line "$T/$name.err")" "$pattern" "$name: the error says what and why"
	[ -s "$T/$name.out" ] && fail "$name: printed on stdout: $(head -c 200 "$T/$name.out")"
	[ -e "$T/never.session" ] && fail "$name: left a session file" && rm -f "$T/never.session"
}

# error_line FILE: the error line of a command's stderr (notices skipped).
error_line() {
	grep -v '^flametop: notice: ' "$1" | head -n 1
}

# assert_record_ok NAME SESSION [system]: the record run NAME exited 0,
# wrote SESSION with mode 0600, and said nothing on stderr but notices (at
# most one) and its summary. With "system" (a system-wide recording) any
# number of notices (about whatever else runs: another test's hostile JIT
# map, say), and the warning that says how many records were lost (the rest
# of a busy machine can outrun the recorder: the kernel drops what does not
# fit in the rings, side-band records of its other processes included).
assert_record_ok() {
	assert_eq "$RC" 0 "$1: record exit status"
	if [ -f "$2" ]; then
		assert_eq "$(stat -c %a "$2")" 600 "$1: session file mode"
	else
		fail "$1: no session file $2"
	fi
	# Besides notices, record may end with its summary line.
	ok_re='^flametop: (notice: |recorded [0-9]+ samples)'
	[ -z "${3:-}" ] || ok_re='^flametop: (notice: |recorded [0-9]+ samples|warning: [0-9]+ records were lost )'
	if grep -Ev "$ok_re" "$T/$1.err" | grep -q .; then
		fail "$1: unexpected stderr from record: $(grep -Ev "$ok_re" "$T/$1.err" | head -n 3)"
	fi
	# Where tracefs is not mounted, the uprobe types say so (a notice about
	# the machine, on top of any about the run).
	machine_re='^$'
	[ -w /sys/kernel/tracing/uprobe_events ] || machine_re=': uprobes without tracefs '
	notices=$(grep '^flametop: notice: ' "$T/$1.err" | grep -cv -- "$machine_re")
	[ -n "${3:-}" ] || assert_between "$notices" 0 1 "$1: notice lines on stderr"
}

# assert_record_ok_system NAME SESSION: as assert_record_ok, for a
# system-wide recording, which may say any number of notices: it meets
# every process on the machine, and other users' (other tests') files,
# such as a /tmp/perf-PID.map that flametop refuses to read.
assert_record_ok_system() {
	assert_record_ok "$1" "$2" system
}
