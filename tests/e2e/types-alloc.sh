#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Profile types through uprobes (issue 12): alloc, inuse and exceptions.
# - alloc: t12-types alloc mallocs, per round, 3 x 4096 bytes in
#   ft_t12_alloc_big, 4096 in ft_t12_alloc_small and 4096 it keeps in
#   ft_t12_alloc_keep, and prints the bytes each asked for: flametop's
#   bytes per function are those, exactly (every call is probed), 3:1:1,
#   with a command and with -p; alloc-objects the calls, exactly; with
#   --alloc-sample both are estimates from a sample, within 15%;
# - inuse: of those bytes, the ones still allocated at the end: all
#   ft_t12_alloc_keep's;
# - exceptions: t12-throw throws three times in ft_t12_throw_often for each
#   throw in ft_t12_throw_rarely, and prints how many: the counts are those;
#   the often ones are std::runtime_error, the rare ones t12::rare_error,
#   and each stack ends in its type's pseudo-frame, read from the process
#   while it lives (t12-throw ... wait stays until told to go), or, with
#   tracefs, fetched by the probe at the throw (t12-throw 1 exits at once).
# A child that execs on one CPU and runs on another is symbolized as its
# own executable (the rings are read in time order).
# The probe is at the function's entry, before it made a frame: the
# callers (ft_t12_*) are in the stacks only because the sampler puts the
# return address back; the exact per-function figures check that too.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/wait.lib
. "$(dirname "$TESTLIB")/wait.lib"

need_root
need_perf_events
need_jq
need_workload t12-types t12-throw
[ -r /sys/bus/event_source/devices/uprobe/type ] || skip "no uprobe PMU in this kernel"

# total FUNCTION JSON: FUNCTION's total weight.
total() {
	jq -r --arg f "$1" '[.functions[] | select(.name == $f) | .total] | add // 0' "$2"
}

# prefix_total NAME JSON: the total of the functions whose names start with NAME.
prefix_total() {
	jq -r --arg f "$1" '[.functions[] | select(.name | startswith($f)) | .total] | add // 0' "$2"
}

ROUNDS=3000
run_record alloc -e alloc,alloc-objects -o "$T/alloc.session" -- "$WORKLOADS/t12-types" alloc "$ROUNDS"
assert_record_ok alloc "$T/alloc.session"
cat "$T/alloc.out"
set -- $(sed -n 's/^big \([0-9]*\) small \([0-9]*\) keep \([0-9]*\)$/\1 \2 \3/p' "$T/alloc.out")
[ $# -eq 3 ] || hard_error "t12-types did not say what it did: $(cat "$T/alloc.out")"
report_json "$T/alloc.session" "$T/alloc.json" --event alloc --top 0 || finish
print_top "$T/alloc.json" 12
assert_eq "$(jq -r .unit "$T/alloc.json")" bytes "alloc's unit"
assert_eq "$(total ft_t12_alloc_big "$T/alloc.json")" "$1" "alloc: ft_t12_alloc_big's bytes"
assert_eq "$(total ft_t12_alloc_small "$T/alloc.json")" "$2" "alloc: ft_t12_alloc_small's bytes"
assert_eq "$(total ft_t12_alloc_keep "$T/alloc.json")" "$3" "alloc: ft_t12_alloc_keep's bytes"
"$FLAMETOP" report -i "$T/alloc.session" >"$T/alloc.txt" 2>&1
assert_match "$(cat "$T/alloc.txt")" 'event: alloc \(unit: bytes\)' "report's header: alloc in bytes"
# alloc-objects, from the same probes: the allocations each made (4096 bytes each).
report_json "$T/alloc.session" "$T/objects.json" --event alloc-objects --top 0 || finish
assert_eq "$(jq -r .unit "$T/objects.json")" count "alloc-objects' unit"
assert_eq "$(total ft_t12_alloc_big "$T/objects.json")" $(($1 / 4096)) "alloc-objects: ft_t12_alloc_big's mallocs"
assert_eq "$(total ft_t12_alloc_small "$T/objects.json")" $(($2 / 4096)) "alloc-objects: ft_t12_alloc_small's mallocs"
assert_eq "$(total ft_t12_alloc_keep "$T/objects.json")" $(($3 / 4096)) "alloc-objects: ft_t12_alloc_keep's mallocs"

# --alloc-sample 64K: about one allocation kept every 64 KiB (each 4 KiB
# block had a chance of 1 - e^(-1/16), 6%), weighted so that the totals
# are still the workload's: within 15%, more than 4 standard deviations
# for the function with the fewest samples (ft_t12_alloc_small: about
# 1,800). Counted, the samples are about 1 in 16 of the calls (within 15%).
ROUNDS=30000
run_record sampled -e alloc,alloc-objects --alloc-sample 64K -o "$T/sampled.session" -- \
	"$WORKLOADS/t12-types" alloc "$ROUNDS"
assert_record_ok sampled "$T/sampled.session"
cat "$T/sampled.out"
set -- $(sed -n 's/^big \([0-9]*\) small \([0-9]*\) keep \([0-9]*\)$/\1 \2 \3/p' "$T/sampled.out")
[ $# -eq 3 ] || hard_error "t12-types did not say what it did: $(cat "$T/sampled.out")"
report_json "$T/sampled.session" "$T/sbytes.json" --event alloc --top 0 || finish
report_json "$T/sampled.session" "$T/sobjects.json" --event alloc-objects --top 0 || finish
print_top "$T/sbytes.json" 6
# near GOT WANT WHAT: GOT within 15% of WANT.
near() {
	assert_between "$(awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b ? a / b : 0 }')" 0.85 1.15 "$3"
}
near "$(total ft_t12_alloc_big "$T/sbytes.json")" "$1" "alloc --alloc-sample: ft_t12_alloc_big's bytes / the workload's"
near "$(total ft_t12_alloc_small "$T/sbytes.json")" "$2" "alloc --alloc-sample: ft_t12_alloc_small's bytes / the workload's"
near "$(total ft_t12_alloc_keep "$T/sbytes.json")" "$3" "alloc --alloc-sample: ft_t12_alloc_keep's bytes / the workload's"
near "$(total ft_t12_alloc_big "$T/sobjects.json")" $(($1 / 4096)) \
	"alloc-objects --alloc-sample: ft_t12_alloc_big's mallocs / the workload's"
near "$(total ft_t12_alloc_small "$T/sobjects.json")" $(($2 / 4096)) \
	"alloc-objects --alloc-sample: ft_t12_alloc_small's mallocs / the workload's"
samples=$("$FLAMETOP" report -i "$T/sampled.session" --event alloc | sed -n 's/^# samples: \([0-9]*\),.*/\1/p')
calls=$((($1 + $2 + $3) / 4096))
near "$samples" "$(awk -v c="$calls" 'BEGIN { printf "%.0f", c * (1 - exp(-1 / 16)) }')" \
	"alloc --alloc-sample: samples ($samples) / the calls' chances of being kept ($calls calls)"

# The explorer shows alloc's weights as sizes: ft_t12_alloc_big's
# 36864000 bytes are 35.2M (in MiB; as a count they would read 36.9M).
if command -v tmux >/dev/null 2>&1; then
	# shellcheck source=tests/e2e/tui.lib
	. "$(dirname "$TESTLIB")/tui.lib"
	mkdir -p "$T/config"
	tui_start replay 160 40 "HOME='$T' XDG_CONFIG_HOME='$T/config' '$FLAMETOP' replay '$T/alloc.session'"
	assert_screen replay 'event \[alloc\],alloc-objects ' "replay: the header names alloc, chosen, and alloc-objects" 15
	tui_keys replay Tab
	assert_screen replay '35\.2M +ft_t12_alloc_big' "replay, top-list: ft_t12_alloc_big's bytes as a size"
	tui_keys replay q
	tui_exit replay 10 || fail "replay: still running after q"
else
	echo "tmux is not installed: the explorer is not checked"
fi

# The target's threads and children inherit the probes, and still start:
# four threads (pthread_create), and a shell that forks the workload.
run_record threads -e alloc,inuse,exceptions -o "$T/threads.session" -- "$WORKLOADS/t12-types" lock 5
assert_record_ok threads "$T/threads.session"
assert_eq "$(cat "$T/threads.out")" "rounds 5 threads 4" "alloc on a threaded command: it runs as without"
run_record fork -e alloc -o "$T/fork.session" -- sh -c "\"$WORKLOADS/t12-types\" alloc 1000"
assert_record_ok fork "$T/fork.session"
assert_match "$(cat "$T/fork.out")" '^big 12288000 small 4096000 keep 4096000$' "alloc on a forking shell: the workload ran"
report_json "$T/fork.session" "$T/fork.json" --top 0 --comm t12-types || finish
if [ -w /sys/kernel/tracing/uprobe_events ]; then
	assert_eq "$(total ft_t12_alloc_big "$T/fork.json")" 12288000 "alloc on a forking shell: the child's ft_t12_alloc_big's bytes"
else
	# Probes made without tracefs are the target's own events, which an
	# exec'd child does not inherit: record says so.
	assert_match "$(cat "$T/fork.err")" 'notice: alloc: uprobes without tracefs .* the target starts from now on are not probed' \
		"alloc on a forking shell without tracefs: record says the child is not probed"
fi
# A process that execs on one CPU and then runs on another: its exec's
# records (COMM, MMAP) are in the first CPU's ring and its samples in the
# second's, where the first was read before (the rings were read one after
# the other: under load, the samples of a child that had exited before the
# read were all [unknown]). 200 rounds are some 1,250 samples, less than a
# quarter of the ring that wakes flametop: one read sees them all, and the
# exec first.
cpus=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status | tr ',' '\n' |
	awk -F- '{ for (i = $1; i <= ($2 == "" ? $1 : $2); i++) print i }')
first=$(echo "$cpus" | head -n 1)
last=$(echo "$cpus" | tail -n 1)
if [ -n "$first" ] && [ "$first" != "$last" ] && command -v taskset >/dev/null 2>&1; then
	run_record migrate -e alloc -o "$T/migrate.session" -- \
		taskset -c "$last" sh -c "\"$WORKLOADS/t12-types\" alloc-on $first 200"
	assert_record_ok migrate "$T/migrate.session"
	assert_match "$(cat "$T/migrate.out")" '^big 2457600 small 819200 keep 819200$' \
		"alloc on a process that moves to another CPU after its exec: the workload ran"
	report_json "$T/migrate.session" "$T/migrate.json" --top 0 --comm t12-types || finish
	if [ -w /sys/kernel/tracing/uprobe_events ]; then
		assert_eq "$(total ft_t12_alloc_big "$T/migrate.json")" 2457600 \
			"alloc, exec on CPU $last and samples on CPU $first: ft_t12_alloc_big's bytes"
		assert_match "$(module_of ft_t12_alloc_big "$T/migrate.json")" '(^|/)t12-types$' \
			"alloc, exec on CPU $last and samples on CPU $first: ft_t12_alloc_big's module"
	else
		# The shell forks the workload, which without tracefs is not
		# probed (as above): record says so.
		assert_match "$(cat "$T/migrate.err")" 'notice: alloc: uprobes without tracefs .* the target starts from now on are not probed' \
			"alloc on a process that moves to another CPU, without tracefs: record says the child is not probed"
	fi
else
	echo "one CPU allowed ($first-$last), or no taskset: the exec on another CPU is not checked"
fi
# Probes are named flametop_PID/...: those of a flametop still running
# (another test's, at the same time) are in use, not left.
left=
for g in $(sed -n 's/^[a-z]:flametop_\([0-9][0-9]*\)\/.*/\1/p' /sys/kernel/tracing/uprobe_events 2>/dev/null | sort -u); do
	[ "$(cat "/proc/$g/comm" 2>/dev/null)" = flametop ] || left="$left $g"
done
if [ -n "$left" ]; then
	fail "probes left in /sys/kernel/tracing/uprobe_events by flametop$left, gone: $(grep flametop_ /sys/kernel/tracing/uprobe_events | head -n 3)"
else
	pass "no probe left in uprobe_events"
fi

# inuse, with alloc at once (they share malloc's entry probe): the bytes
# still live at the end are all ft_t12_alloc_keep's, exactly.
run_record inuse -e inuse,alloc -o "$T/inuse.session" -- "$WORKLOADS/t12-types" alloc 2000
assert_record_ok inuse "$T/inuse.session"
cat "$T/inuse.out"
set -- $(sed -n 's/^big \([0-9]*\) small \([0-9]*\) keep \([0-9]*\)$/\1 \2 \3/p' "$T/inuse.out")
[ $# -eq 3 ] || hard_error "t12-types did not say what it did: $(cat "$T/inuse.out")"
report_json "$T/inuse.session" "$T/inuse.json" --event inuse --top 0 || finish
report_json "$T/inuse.session" "$T/inuse-alloc.json" --event alloc --top 0 || finish
print_top "$T/inuse.json"
assert_eq "$(jq -r .unit "$T/inuse.json")" bytes "inuse's unit"
assert_eq "$(total ft_t12_alloc_keep "$T/inuse.json")" "$3" "inuse: ft_t12_alloc_keep's live bytes"
assert_eq "$(total ft_t12_alloc_big "$T/inuse.json")" 0 "inuse: ft_t12_alloc_big freed all"
assert_eq "$(total ft_t12_alloc_small "$T/inuse.json")" 0 "inuse: ft_t12_alloc_small freed all"
assert_eq "$(total ft_t12_alloc_big "$T/inuse-alloc.json")" "$1" "inuse,alloc: alloc still sees ft_t12_alloc_big's bytes"

# -p: probes in the process's own libc (through /proc/PID/map_files), on an
# allocating process, with wall at once.
"$WORKLOADS/t12-types" alloc 0 >/dev/null &
BG_PID=$!
ft_bg_pids="$ft_bg_pids $BG_PID"
wait_comm "$BG_PID" t12-types
run_record pid -e alloc,wall -p "$BG_PID" -d 1 -o "$T/pid.session"
assert_record_ok pid "$T/pid.session"
report_json "$T/pid.session" "$T/pid.json" --event alloc --top 0 || finish
print_top "$T/pid.json" 8
big=$(total ft_t12_alloc_big "$T/pid.json")
small=$(total ft_t12_alloc_small "$T/pid.json")
keep=$(total ft_t12_alloc_keep "$T/pid.json")
assert_between "$(awk -v a="$big" -v b="$small" 'BEGIN { printf "%.3f", b ? a / b : 0 }')" 2.9 3.1 \
	"alloc -p: ft_t12_alloc_big's bytes / ft_t12_alloc_small's"
assert_between "$(awk -v a="$keep" -v b="$small" 'BEGIN { printf "%.3f", b ? a / b : 0 }')" 0.95 1.05 \
	"alloc -p: ft_t12_alloc_keep's bytes / ft_t12_alloc_small's"
report_json "$T/pid.session" "$T/pid-wall.json" --event wall --top 0 || finish
assert_eq "$(jq -r .unit "$T/pid-wall.json")" ns "alloc,wall -p: wall's unit"
# One thread, on or off the CPU all along: its wall time is the
# recording's duration (which a busy machine stretches past the 1 s asked
# for), less what no record shows: the time before its first switch-in
# if it was off the CPU at the attach, and the CPU time after its last
# clock sample. Both are a scheduling delay or a clock period, hundredths.
"$FLAMETOP" report -i "$T/pid.session" --event wall >"$T/pid-wall.txt" 2>&1
duration=$(sed -n 's/^# samples: [0-9]*, duration: \([0-9.]*\) s.*/\1/p' "$T/pid-wall.txt")
assert_between "$(awk -v a="$(total_of "$T/pid-wall.json")" -v d="$duration" 'BEGIN { printf "%.3f", d ? a / (d * 1e9) : 0 }')" \
	0.8 1.05 "alloc,wall -p: wall time of a one-thread process / the recording's duration ($duration s)"

# A process without libstdc++: exceptions cannot start, and says why.
run_record nothrow -e exceptions -p "$BG_PID" -d 1 -o "$T/nothrow.session"
assert_eq "$RC" 1 "exceptions -p on a C program: exit status"
assert_match "$(error_line "$T/nothrow.err")" "has no libstdc\+\+\.so\.6 mapped" \
	"exceptions -p on a C program: the error says why"
kill "$BG_PID"

# exceptions
run_record throw -e exceptions -o "$T/throw.session" -- "$WORKLOADS/t12-throw" 2000
assert_record_ok throw "$T/throw.session"
cat "$T/throw.out"
set -- $(sed -n 's/^often \([0-9]*\) rarely \([0-9]*\)$/\1 \2/p' "$T/throw.out")
[ $# -eq 2 ] || hard_error "t12-throw did not say what it did: $(cat "$T/throw.out")"
report_json "$T/throw.session" "$T/throw.json" --top 0 || finish
print_top "$T/throw.json"
assert_eq "$(jq -r .unit "$T/throw.json")" count "exceptions' unit"
# C++ names: demangled with their arguments, maybe a .cold clone.
assert_eq "$(prefix_total ft_t12_throw_often "$T/throw.json")" "$1" "exceptions: ft_t12_throw_often's throws"
assert_eq "$(prefix_total ft_t12_throw_rarely "$T/throw.json")" "$2" "exceptions: ft_t12_throw_rarely's throws"

# Without libiberty the types stay mangled, as function names do.
often_type='std::runtime_error' rare_type='t12::rare_error'
[ "${HAVE_LIBIBERTY:-}" = yes ] || often_type='St13runtime_error' rare_type='N3t1210rare_errorE'

# A command that throws four times and exits at once, gone before its
# samples are read: with tracefs the probe fetches each type's name at the
# throw, so every throw still has its type.
run_record quick -e exceptions -o "$T/quick.session" -- "$WORKLOADS/t12-throw" 1
assert_record_ok quick "$T/quick.session"
assert_eq "$(cat "$T/quick.out")" "often 3 rarely 1" "exceptions, a short command: it threw"
report_folded "$T/quick.session" "$T/quick.folded" || finish
sed 's/^/  /' "$T/quick.folded"
if [ -w /sys/kernel/tracing/uprobe_events ]; then
	assert_eq "$(grep -E -- ";ft_t12_throw_often[^;]*;__cxa_throw;\\[$often_type\\] " "$T/quick.folded" |
		awk '{ n += $NF } END { print n + 0 }')" 3 \
		"exceptions, a short command: ft_t12_throw_often's 3 throws, each a [$often_type]"
	assert_eq "$(grep -E -- ";ft_t12_throw_rarely[^;]*;__cxa_throw;\\[$rare_type\\] " "$T/quick.folded" |
		awk '{ n += $NF } END { print n + 0 }')" 1 \
		"exceptions, a short command: ft_t12_throw_rarely's throw, a [$rare_type]"
fi

# The types: read while the process lives, which it does until every throw
# is in the session.
ROUNDS=500
echo "+ flametop record -e exceptions -o typed.session -- t12-throw $ROUNDS wait"
"$FLAMETOP" record -e exceptions -o "$T/typed.session" -- "$WORKLOADS/t12-throw" "$ROUNDS" wait \
	>"$T/typed.out" 2>"$T/typed.err" &
rec=$!
ft_bg_pids="$ft_bg_pids $rec"
wait_line "$T/typed.out" '^often ' 60 || hard_error "t12-throw never said what it did"
# has_all_throws: the recording session holds them all so far.
has_all_throws() {
	[ "$("$FLAMETOP" report -i "$T/typed.session" --format json 2>/dev/null | jq -r '.total // 0' 2>/dev/null)" = \
		$((ROUNDS * 4)) ]
}
wait_until 60 has_all_throws ||
	fail "exceptions: the session never held the $((ROUNDS * 4)) throws within 60 s"
kill -USR1 "$(pgrep -P "$rec" -x t12-throw)"
wait_exit "$rec" 30 || fail "exceptions: record still runs 30 s after t12-throw was told to go"
sed 's/^/  stderr: /' "$T/typed.err"
report_folded "$T/typed.session" "$T/typed.folded" || finish
report_json "$T/typed.session" "$T/typed.json" --top 0 || finish
print_top "$T/typed.json"
# folded_total REGEX: the throws whose stack matches REGEX (extended).
folded_total() {
	grep -E -- "$1" "$T/typed.folded" | awk '{ n += $NF } END { printf "%.0f", n }'
}
assert_eq "$(folded_total ";ft_t12_throw_often[^;]*;__cxa_throw;\\[$often_type\\] ")" $((ROUNDS * 3)) \
	"exceptions: ft_t12_throw_often's throws, each a [$often_type]"
assert_eq "$(folded_total ";ft_t12_throw_rarely[^;]*;__cxa_throw;\\[$rare_type\\] ")" "$ROUNDS" \
	"exceptions: ft_t12_throw_rarely's throws, each a [$rare_type]"
assert_eq "$(jq -r --arg n "[$often_type]" '[.functions[] | select(.name == $n) | .module] | join(",")' "$T/typed.json")" \
	"[exception]" "exceptions: the type's pseudo-frame's module"
finish
