#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Exports of a session of several events. t5-faults faults fresh pages in
# ft_t5_fault_pages and spins in ft_t5_spin, recorded with
# -e task-clock,page-faults and with the group -e '{task-clock,page-faults}'
# (whose members' samples are the leader's, at its stacks). Without
# --event, pprof holds every event: two sample types each, how many
# samples of it (cpu_samples/count, page-faults_samples/count) before
# its weights (cpu/nanoseconds, the default, and page-faults/count),
# each of whose totals in `go tool pprof` is report --event's (and the
# counts its samples), and in the group's a sample's stack holds both;
# imported back, each event keeps its total and its samples. With --event, one
# event as before (with samples/count). Folded stacks, speedscope and SVG
# hold one event: without --event the first, and a notice says so and how
# to choose; with --event the one named, and no notice.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload t5-faults
GO=$(command -v go) || skip "golang-go is not installed (apt-get install golang-go): go tool pprof reads the exports"
export GOCACHE="$T/gocache" GOPATH="$T/gopath"

# types PPROF: the sample types line of go tool pprof -raw.
types() {
	"$GO" tool pprof -raw "$1" 2>/dev/null | grep -m1 -A1 '^Samples' | tail -n 1 |
		tr -s ' ' | sed 's/^ //; s/ $//'
}

# column PPROF N: the sum of the Nth value of every sample, as -raw lists them.
# Samples with values of both events (one of each type's column) hold them.
column() {
	"$GO" tool pprof -raw "$1" 2>/dev/null | awk '
		/^Samples:/ { on = 1; getline; next }
		/^Locations/ { on = 0 }
		on && /^ *[0-9]+( +[0-9]+)*:/ { sub(/:.*/, ""); s += $n }
		END { printf "%.0f\n", s }' n="$2"
}

# both PPROF: how many samples have a value of both types.
both() {
	"$GO" tool pprof -raw "$1" 2>/dev/null | awk '
		/^Samples:/ { on = 1; getline; next }
		/^Locations/ { on = 0 }
		on && /^ *[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+:/ { sub(/:.*/, ""); if ($2 > 0 && $4 > 0) c++ }
		END { print c + 0 }'
}

for kind in two group; do
	if [ $kind = two ]; then
		events=task-clock,page-faults
	else
		events='{task-clock,page-faults}'
	fi
	run_record $kind -e "$events" -F 199 -o "$T/$kind.session" -- "$WORKLOADS/t5-faults" 300000
	[ "$RC" = 0 ] || hard_error "$kind: record failed"
	report_json "$T/$kind.session" "$T/$kind-clock.json" --event task-clock --top 0 || finish
	report_json "$T/$kind.session" "$T/$kind-faults.json" --event page-faults --top 0 || finish
	clock=$(total_of "$T/$kind-clock.json")
	faults=$(total_of "$T/$kind-faults.json")
	clock_n=$(report_samples "$T/$kind.session" --event task-clock)
	faults_n=$(report_samples "$T/$kind.session" --event page-faults)
	[ "$faults" -gt 0 ] || hard_error "$kind: no page-faults recorded"

	# --- pprof: every event ---------------------------------------------------
	"$FLAMETOP" export -i "$T/$kind.session" -o "$T/$kind.pb.gz" 2>"$T/$kind-pprof.err"
	assert_eq "$?" 0 "$kind: pprof: exit status"
	assert_eq "$(cat "$T/$kind-pprof.err")" "" "$kind: pprof of every event: no notice"
	assert_eq "$(types "$T/$kind.pb.gz")" \
		"cpu_samples/count cpu/nanoseconds[dflt] page-faults_samples/count page-faults/count" \
		"$kind: pprof: a count and a sample type per event, the first's the default"
	assert_eq "$(column "$T/$kind.pb.gz" 1)" "$clock_n" "$kind: pprof: cpu_samples is task-clock's samples"
	assert_eq "$(column "$T/$kind.pb.gz" 2)" "$clock" "$kind: pprof: cpu's total is task-clock's"
	assert_eq "$(column "$T/$kind.pb.gz" 3)" "$faults_n" "$kind: pprof: page-faults_samples is its samples"
	assert_eq "$(column "$T/$kind.pb.gz" 4)" "$faults" "$kind: pprof: page-faults' total is report's"
	"$GO" tool pprof -top -sample_index=page-faults "$T/$kind.pb.gz" >"$T/$kind-faults.top" 2>&1
	assert_match "$(grep -m1 'ft_t5_' "$T/$kind-faults.top")" 'ft_t5_fault_pages$' \
		"$kind: pprof -sample_index=page-faults: the faulting function leads"
	if [ $kind = group ]; then
		n=$(both "$T/$kind.pb.gz")
		[ "$n" -gt 0 ] && pass "group: pprof: $n samples hold both events' values at their stack" ||
			fail "group: pprof: no sample holds both events' values"
	fi
	"$FLAMETOP" import "$T/$kind.pb.gz" -o "$T/$kind-back.session" 2>"$T/$kind-back.err"
	assert_eq "$?" 0 "$kind: pprof: imported back"
	if report_json "$T/$kind-back.session" "$T/$kind-back-cpu.json" --event cpu &&
		report_json "$T/$kind-back.session" "$T/$kind-back-faults.json" --event page-faults; then
		assert_eq "$(total_of "$T/$kind-back-cpu.json")" "$clock" "$kind: round trip: task-clock's total"
		assert_eq "$(total_of "$T/$kind-back-faults.json")" "$faults" "$kind: round trip: page-faults' total"
	fi
	assert_eq "$(report_samples "$T/$kind-back.session" --event cpu)" "$clock_n" \
		"$kind: round trip: task-clock's samples"
	assert_eq "$(report_samples "$T/$kind-back.session" --event page-faults)" "$faults_n" \
		"$kind: round trip: page-faults' samples"
	assert_match "$(cat "$T/$kind-back.err")" " $((clock_n + faults_n)) samples of 2 events " \
		"$kind: round trip: every sample, of 2 events (the counts are none)"
	"$FLAMETOP" export -i "$T/$kind.session" --event page-faults -o "$T/$kind-one.pb.gz"
	assert_eq "$(types "$T/$kind-one.pb.gz")" "samples/count page-faults/count[dflt]" \
		"$kind: pprof --event page-faults: that event alone"
	assert_eq "$(column "$T/$kind-one.pb.gz" 2)" "$faults" "$kind: pprof --event page-faults: its total"
done

# --- folded, speedscope, svg: one event, said --------------------------------------
notice="^flametop: notice: $T/two.session holds 2 events; FORMAT holds one: the first, task-clock \\(choose with --event; pprof holds them all\\)\$"
for f in folded speedscope svg; do
	"$FLAMETOP" export -i "$T/two.session" --format $f -o "$T/two.$f" 2>"$T/two-$f.err"
	assert_eq "$?" 0 "$f: exit status"
	assert_match "$(cat "$T/two-$f.err")" "$(echo "$notice" | sed "s/FORMAT/$f/")" \
		"$f: a notice says which event it holds and how to choose"
	"$FLAMETOP" export -i "$T/two.session" --format $f --event page-faults -o "$T/two-faults.$f" \
		2>"$T/two-faults-$f.err"
	assert_eq "$(cat "$T/two-faults-$f.err")" "" "$f --event page-faults: no notice"
done
assert_eq "$(awk '{ s += $NF } END { printf "%.0f\n", s }' "$T/two.folded")" "$(total_of "$T/two-clock.json")" \
	"folded: the first event's weights"
assert_eq "$(awk '{ s += $NF } END { printf "%.0f\n", s }' "$T/two-faults.folded")" \
	"$(total_of "$T/two-faults.json")" "folded --event page-faults: its weights"

finish
