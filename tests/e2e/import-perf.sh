#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Importing real `perf script` output. perf records the split workload
# (75% of its CPU in ft_split_heavy, 25% in ft_split_light, a split of
# work); the imported session must give each function the self share that
# `perf report` gives it on the same perf.data (within a point: the same
# samples, counted twice), and a heavy/light ratio close to the one
# flametop's own recording of the same workload shows. Then the forms perf
# script prints: without callchains, with -F comm,pid,tid,time,event,ip,
# sym,dso,period, several events with --header, through stdin, gzipped, two
# inputs merged; the sample times make a timeline; and on stderr, a progress
# line only on a terminal.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_perf
need_workload split

# perf_section PERF_DATA [EVENT]: perf report's section of EVENT (default:
# the only one), by symbol, without callchains.
perf_section() {
	"$PERF" report -i "$1" --stdio --no-children --sort sym -g none --percent-limit 0 \
		2>/dev/null | awk -v e="${2:-}" '
		/^# Samples: .* of event / { on = (e == "" || index($0, "'"'"'" e "'"'"'") > 0) }
		on'
}

# perf_self FUNCTION PERF_DATA [EVENT]: FUNCTION's self percentage per perf report.
perf_self() {
	perf_section "$2" "${3:-}" |
		awk -v f="$1" '$NF == f { sub("%", "", $1); s += $1 } END { printf "%.1f\n", s }'
}

# perf_count PERF_DATA [EVENT]: the summed periods of EVENT per perf report.
perf_count() {
	perf_section "$1" "${2:-}" | awk -F': ' '/^# Event count/ { print $2; exit }'
}

# perf_record ARGS...: perf record -q -N --buildid-mmap ARGS. perf 6.1 on
# newer kernels can abort in its build-id code after recording
# ("assertion failed at util/build-id.c"); with build ids taken from the
# kernel's mmap records (--buildid-mmap) it does not go there. Tried
# again without that option (an older perf lacks it), and skipped when
# perf never gets through: that is perf's failure, not the importer's.
perf_record() {
	echo "+ perf record $*"
	for opt in --buildid-mmap --buildid-mmap ""; do
		"$PERF" record -q -N $opt "$@" >"$T/perf.out" 2>&1 && return 0
		echo "  perf record ${opt:-(plain)} failed: $(head -c 200 "$T/perf.out")"
	done
	if grep -q 'build-id' "$T/perf.out"; then
		skip "perf record keeps aborting in its build-id code: $(head -n 1 "$T/perf.out")"
	fi
	hard_error "perf record failed: $(cat "$T/perf.out")"
}

# digest FILE: a short digest of a JSON report, to compare two of them.
digest() {
	jq -c . "$1" | md5sum | cut -c1-12
}

# close_to A B POINTS MESSAGE
close_to() {
	assert_between "$(awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; print (d < 0 ? -d : d) }')" \
		0 "$3" "$4 ($1 vs $2)"
}

# import NAME ARGS...: runs "flametop import ARGS" (stderr in $T/NAME.err,
# status in RC) with a safety timeout.
import() {
	name=$1
	shift
	echo "+ flametop import $*"
	timeout -s KILL 120 "$FLAMETOP" import "$@" >"$T/$name.out" 2>"$T/$name.err"
	RC=$?
	sed 's/^/  stderr: /' "$T/$name.err"
}

# ratio JSON: heavy / (heavy + light) self, in percent.
ratio() {
	jq -r '([.functions[] | select(.name == "ft_split_heavy") | .self] | add // 0) as $h
		| ([.functions[] | select(.name == "ft_split_light") | .self] | add // 0) as $l
		| if $h + $l > 0 then ($h * 1000 / ($h + $l) | round) / 10 else 0 end' "$1"
}

# --- callchains: perf's own numbers on the same data ------------------------
perf_record -g -e cpu-clock -F 999 -o "$T/g.data" -- "$WORKLOADS/split" 2000
"$PERF" script -i "$T/g.data" >"$T/g.txt" 2>/dev/null || hard_error "perf script failed"
import g "$T/g.txt" -o "$T/g.session"
assert_eq "$RC" 0 "import of perf script -g: exit status"
assert_match "$(cat "$T/g.err")" '^flametop: imported [0-9]+ samples of 1 event from 1 file' \
	"import says what it read, in one line"
assert_eq "$(wc -l <"$T/g.err")" 1 "no progress output when stderr is not a terminal"
if report_json "$T/g.session" "$T/g.json"; then
	print_top "$T/g.json"
	assert_eq "$(jq -r .unit "$T/g.json")" ns "cpu-clock periods are ns"
	ph=$(perf_self ft_split_heavy "$T/g.data")
	pl=$(perf_self ft_split_light "$T/g.data")
	assert_between "$ph" 40 90 "perf report itself: ft_split_heavy self %"
	close_to "$(share ft_split_heavy "$T/g.json")" "$ph" 1 "ft_split_heavy self %, imported vs perf report"
	close_to "$(share ft_split_light "$T/g.json")" "$pl" 1 "ft_split_light self %, imported vs perf report"
	assert_between "$(share main "$T/g.json" total)" 80 100 "main's total % (callchains kept)"
	assert_match "$(module_of ft_split_heavy "$T/g.json")" '/split$' "the workload's module"
	nsamples=$(grep -c 'cpu-clock:' "$T/g.txt")
	assert_match "$(cat "$T/g.err")" "imported $nsamples samples" "every sample of the text imported"
fi
if report_folded "$T/g.session" "$T/g.folded"; then
	assert_match "$(cat "$T/g.folded")" '^split;.*;main;ft_split_driver;ft_split_heavy [0-9]+$' \
		"stacks from the outermost frame to the leaf, under the thread's name"
	if grep -q '\[kernel.kallsyms\]' "$T/g.txt"; then
		assert_match "$("$FLAMETOP" report -i "$T/g.session" --format json | jq -r '.functions[].module')" \
			'kernel.kallsyms' "kernel frames kept"
	fi
fi

# The timeline: perf's times become the session's. The first half of the
# session's time holds the part of the weight that perf script's own times
# put in the first half of the recording (how much that is depends on when
# a busy machine let the workload run).
if report_json "$T/g.session" "$T/half.json" --to 50%; then
	all=$(total_of "$T/g.json")
	half=$(total_of "$T/half.json")
	perf_half=$(awk '
		match($0, /[0-9]+\.[0-9]+: +[0-9]+ cpu-clock:/) {
			split(substr($0, RSTART, RLENGTH), f, /:? +/)
			n++; t[n] = f[1]; w[n] = f[2]
			if (n == 1 || f[1] < lo) lo = f[1]
			if (n == 1 || f[1] > hi) hi = f[1]
		}
		END {
			for (i = 1; i <= n; i++) { all += w[i]; if (t[i] - lo <= (hi - lo) / 2) half += w[i] }
			printf "%.1f", all ? 100 * half / all : 0
		}' "$T/g.txt")
	close_to "$(awk -v h="$half" -v a="$all" 'BEGIN { printf "%.1f", 100 * h / a }')" "$perf_half" 1 \
		"the first half of the session's time: its % of the weight, imported vs perf script's times"
fi

# --- flametop's own recording of the same workload --------------------------
run_record own -e cpu-clock -F 999 -o "$T/own.session" -- "$WORKLOADS/split" 2000
if [ "$RC" -eq 0 ] && report_json "$T/own.session" "$T/own.json" && [ -f "$T/g.json" ]; then
	close_to "$(ratio "$T/g.json")" "$(ratio "$T/own.json")" 12 \
		"heavy/(heavy+light) %: perf-imported vs flametop-recorded"
fi

# --- the same data in the other forms perf script prints --------------------
"$PERF" script -i "$T/g.data" -F comm,pid,tid,time,event,ip,sym,dso,period >"$T/f.txt" 2>/dev/null
import f "$T/f.txt" -o "$T/f.session"
if [ "$RC" -eq 0 ] && report_json "$T/f.session" "$T/f.json"; then
	assert_eq "$(digest "$T/f.json")" "$(digest "$T/g.json")" \
		"-F comm,pid,tid,...,period: the same report"
else
	fail "import of perf script -F ...: exit status $RC"
fi

# Through stdin, and gzipped.
echo "+ flametop import - < g.txt"
"$FLAMETOP" import - -o "$T/stdin.session" <"$T/g.txt" 2>"$T/stdin.err"
assert_eq "$?" 0 "import from stdin: exit status"
gzip -c "$T/g.txt" >"$T/g.txt.gz"
import gz "$T/g.txt.gz" -o "$T/gz.session"
for s in stdin gz; do
	if [ -f "$T/$s.session" ] && report_json "$T/$s.session" "$T/$s.json"; then
		assert_eq "$(digest "$T/$s.json")" "$(digest "$T/g.json")" "$s: the same report"
	else
		fail "$s: no session"
	fi
done

# Two inputs merged: every sample of both.
import two "$T/g.txt" "$T/f.txt" -o "$T/two.session"
if [ "$RC" -eq 0 ] && report_json "$T/two.session" "$T/two.json"; then
	assert_eq "$(total_of "$T/two.json")" "$(($(total_of "$T/g.json") * 2))" \
		"two inputs: the total of both"
else
	fail "import of two inputs: exit status $RC"
fi

# --- without callchains, several events, perf's header ----------------------
perf_record -e cpu-clock -e page-faults -F 999 -o "$T/m.data" -- "$WORKLOADS/split" 1000
"$PERF" script -i "$T/m.data" --header >"$T/m.txt" 2>/dev/null
import m "$T/m.txt" -o "$T/m.session"
assert_match "$(cat "$T/m.err")" 'imported [0-9]+ samples of 2 events' "two events imported"
if report_json "$T/m.session" "$T/m.json" && report_json "$T/m.session" "$T/mf.json" --event page-faults; then
	assert_eq "$(jq -r .unit "$T/m.json")" ns "the first event of perf's header first: cpu-clock, ns"
	assert_eq "$(jq -r .unit "$T/mf.json")" count "page-faults count"
	close_to "$(share ft_split_heavy "$T/m.json")" "$(perf_self ft_split_heavy "$T/m.data" cpu-clock)" 1 \
		"no callchains: ft_split_heavy self %, imported vs perf report"
	assert_eq "$(total_of "$T/mf.json")" "$(perf_count "$T/m.data" page-faults)" \
		"page-faults: the event count perf report gives"
fi
"$FLAMETOP" report -i "$T/m.session" >"$T/m.text" 2>&1
assert_match "$(cat "$T/m.text")" '^# recorded.* on ' "perf's header names the host"

# --- the progress line, on a terminal ----------------------------------------
if command -v script >/dev/null 2>&1; then
	# A larger input, so that reading it takes more than the 0.1 s between updates.
	for i in 1 2 3 4 5 6 7 8; do cat "$T/g.txt"; done >"$T/big.txt"
	script -qfec "$FLAMETOP import $T/big.txt $T/big.txt -o $T/tty.session" "$T/tty.log" \
		>/dev/null 2>&1
	if grep -q 'importing big.txt: .* MiB (.*%), .* MiB/s' "$T/tty.log"; then
		pass "a terminal sees the progress (bytes, share, rate)"
	elif grep -q 'imported' "$T/tty.log"; then
		echo "  (the import ended before the first progress update; nothing to see)"
	else
		fail "import on a terminal failed: $(head -c 300 "$T/tty.log")"
	fi
fi

finish
