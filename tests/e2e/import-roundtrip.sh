#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Import and export keep a profile's meaning both ways. A folded stack's
# count is that many samples (flamegraph.pl's reading): a file whose counts
# add up to 20 over 4 lines is 20 samples, in import's message, report's
# header and the explorer's; and, all at time 0, they are one bar at 0 in
# the explorer's timeline strip, not spread over its first columns. A
# session's folded stacks written with --weight samples import back as
# its samples; the default weights stay the event's unit.
# With --annotate-kernel, folded stacks keep the kernel's frames too. A
# speedscope export keeps the samples, the kernel's frames and when each
# thread started. Folded stacks with --thread-ids keep each thread. A
# leaf whose name ends in a number is written so that no reader takes
# the number for a second count.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

# --- folded counts are samples ------------------------------------------------
printf 'main;a;b 5\nmain;a;c 7\nmain;d 3\nmain 5\n' >"$T/twenty.folded"
"$FLAMETOP" import "$T/twenty.folded" -o "$T/twenty.session" 2>"$T/twenty.err"
assert_eq "$?" 0 "folded: imported"
assert_match "$(cat "$T/twenty.err")" '^flametop: imported 20 samples of 1 event ' \
	"folded: import counts the counts, not the lines"
"$FLAMETOP" report -i "$T/twenty.session" >"$T/twenty.txt" 2>&1
assert_match "$(grep '^# samples' "$T/twenty.txt")" '^# samples: 20, ' \
	"folded: report's header counts 20 samples"
"$FLAMETOP" report -i "$T/twenty.session" --baseline "$T/twenty.session" >"$T/base.txt" 2>&1
assert_match "$(grep '^# baseline' "$T/base.txt")" ', samples: 20, ' \
	"folded: the baseline's header counts 20 samples"

# --- a session's folded stacks, imported back, keep its samples ------------
# Its weights are ns of CPU time: --weight samples writes each stack's
# number of samples, which import reads back; the default (value) keeps
# the weights, as flamegraph.pl pipelines had them.
FIXTURE=$GOLDEN/tui/replay.session
"$FLAMETOP" report -i "$FIXTURE" --format json >"$T/fixture.json" 2>&1
TOTAL=$(sed -n 's/^{"total": \([0-9]*\),.*/\1/p' "$T/fixture.json")
NS=$("$FLAMETOP" report -i "$FIXTURE" | sed -n 's/^# samples: \([0-9]*\),.*/\1/p')
[ -n "$NS" ] && [ -n "$TOTAL" ] || hard_error "no totals in report of $FIXTURE"
"$FLAMETOP" export -i "$FIXTURE" --format folded --weight samples >"$T/samples.folded"
assert_eq "$(awk '{ s += $NF } END { print s }' "$T/samples.folded")" "$NS" \
	"export --weight samples: the counts add up to the session's samples"
"$FLAMETOP" report -i "$FIXTURE" --format folded --weight samples >"$T/report.folded"
if cmp -s "$T/samples.folded" "$T/report.folded"; then
	pass "report --weight samples writes what export does"
else
	fail "report --weight samples differs from export's: $(diff "$T/samples.folded" "$T/report.folded" | head -n 4)"
fi
"$FLAMETOP" report -i "$FIXTURE" --format folded --weight samples --baseline "$FIXTURE" \
	>"$T/diff.folded"
assert_eq "$(awk '{ b += $(NF - 1); s += $NF } END { print b, s }' "$T/diff.folded")" "$NS $NS" \
	"report --baseline --weight samples: both sides count samples"
"$FLAMETOP" import "$T/samples.folded" -o "$T/back.session" 2>"$T/back.err"
assert_match "$(cat "$T/back.err")" "^flametop: imported $NS samples of 1 event " \
	"export --weight samples | import: as many samples as the session had"
assert_match "$("$FLAMETOP" report -i "$T/back.session" | grep '^# samples')" "^# samples: $NS, " \
	"export --weight samples | import: report counts the session's samples"
"$FLAMETOP" export -i "$FIXTURE" --format folded >"$T/value.folded"
assert_eq "$(awk '{ s += $NF } END { printf "%.0f\n", s }' "$T/value.folded")" "$TOTAL" \
	"export's folded weights are still the event's ns by default"
"$FLAMETOP" export -i "$FIXTURE" --format pprof --weight samples -o "$T/x.pb.gz" 2>"$T/w.err"
assert_eq "$?" 2 "--weight with --format pprof: a usage error"
assert_eq "$(cat "$T/w.err")" "flametop: --weight works with --format folded" \
	"--weight with --format pprof: says why"

# With --annotate-kernel the kernel's frames end in _[k], and are the
# kernel's again once imported: the SVG paints them as the fixture's.
"$FLAMETOP" export -i "$FIXTURE" --format folded --annotate-kernel >"$T/k.folded"
assert_match "$(cat "$T/k.folded")" ';do_epoll_wait_\[k\] [0-9]+' \
	"export --annotate-kernel: a kernel frame ends in _[k]"
assert_eq "$(grep -c '_\[k\]' "$T/value.folded")" 0 "export: no _[k] without --annotate-kernel"
"$FLAMETOP" report -i "$FIXTURE" --format folded --annotate-kernel >"$T/k-report.folded"
if cmp -s "$T/k.folded" "$T/k-report.folded"; then
	pass "report --annotate-kernel writes what export does"
else
	fail "report --annotate-kernel differs from export's"
fi
# fill SVG NAME: the colour the SVG paints frame NAME.
fill() {
	grep -o "data-n=\"$2\" data-w=\"[0-9]*\"><title>[^<]*</title><rect [^>]*fill=\"[^\"]*\"" "$1" |
		sed -n '1s/.*fill=//p'
}
"$FLAMETOP" import "$T/k.folded" -o "$T/k.session" 2>"$T/k.err" &&
	"$FLAMETOP" export -i "$T/k.session" -o "$T/k.svg" &&
	"$FLAMETOP" export -i "$FIXTURE" -o "$T/fixture-k.svg"
assert_eq "$?" 0 "export --annotate-kernel | import: imported, SVG exported"
assert_match "$(fill "$T/fixture-k.svg" do_epoll_wait)" '^"rgb' "the fixture's SVG paints do_epoll_wait"
assert_eq "$(fill "$T/k.svg" do_epoll_wait)" "$(fill "$T/fixture-k.svg" do_epoll_wait)" \
	"export --annotate-kernel | import: do_epoll_wait is a kernel frame (the SVG's colour)"

# --- speedscope keeps the session's samples --------------------------------
# Each sample is one of the file's, a run of one stack too: imported back,
# as many samples as the session had, of the same weights.
"$FLAMETOP" export -i "$FIXTURE" -o "$T/fixture.speedscope.json" &&
	"$FLAMETOP" import "$T/fixture.speedscope.json" -o "$T/ss.session" 2>"$T/ss.err"
assert_eq "$?" 0 "speedscope: the fixture exported and imported back"
assert_match "$("$FLAMETOP" report -i "$T/ss.session" | grep '^# samples')" "^# samples: $NS, " \
	"speedscope | import: report counts the session's samples"
assert_match "$("$FLAMETOP" report -i "$T/ss.session" --format json)" "^\\{\"total\": $TOTAL, \"unit\": \"ns\"" \
	"speedscope | import: the same total weight"
# Kernel frames ([kernel.kallsyms]'s) are the kernel's again: the SVG
# flame graph paints each frame as it did (orange-brown for the kernel).
# fills SVG: "data-n=NAME COLOUR" of each frame, once.
fills() {
	grep -o 'data-n="[^"]*" data-w="[0-9]*"><title>[^<]*</title><rect [^>]*fill="[^"]*"' "$1" |
		sed 's/ data-w=.*fill=/ /' | sort -u
}
"$FLAMETOP" export -i "$FIXTURE" -o "$T/fixture.svg" &&
	"$FLAMETOP" export -i "$T/ss.session" -o "$T/ss.svg"
assert_eq "$?" 0 "speedscope | import: SVG exports"
assert_match "$(fills "$T/fixture.svg")" 'data-n="do_epoll_wait"' "the fixture has a kernel frame"
assert_eq "$(fills "$T/ss.svg")" "$(fills "$T/fixture.svg")" \
	"speedscope | import: kernel frames are the kernel's (each frame's colour in the SVG)"

# --- speedscope keeps where in the session each thread ran -------------------
# A thread that ran 2.5 s after another is there again once its speedscope
# profile is imported back (its startValue), not at time 0.
cat >"$T/late.txt" <<'EOF'
             app    10/10    [000]     1.000000:    1000000 cpu-clock:      4000a0 work (/usr/bin/app)
             app    10/10    [000]     1.001000:    1000000 cpu-clock:      4000a0 work (/usr/bin/app)
            late    10/11    [001]     3.500000:    1000000 cpu-clock:      4000b0 other (/usr/bin/app)
            late    10/11    [001]     3.501000:    1000000 cpu-clock:      4000b0 other (/usr/bin/app)
EOF
# seconds SESSION: "SECOND:WEIGHT" for each second of its heatmap.
seconds() {
	"$FLAMETOP" report -i "$1" --format heatmap | tr '{' '\n' |
		sed -n 's/^"t": \([0-9]*\), "counts": \[\([0-9, ]*\)\].*/\1 \2/p' | tr -d ',' |
		awk '{ s = 0; for (i = 2; i <= NF; i++) s += $i; printf "%s%s:%.0f", (NR > 1 ? " " : ""), $1, s }
			END { print "" }'
}
"$FLAMETOP" import "$T/late.txt" -o "$T/late.session" 2>"$T/late.err" ||
	hard_error "perf script import failed: $(cat "$T/late.err")"
"$FLAMETOP" export -i "$T/late.session" -o "$T/late.speedscope.json" &&
	"$FLAMETOP" import "$T/late.speedscope.json" -o "$T/late-back.session" 2>"$T/late.err"
assert_eq "$?" 0 "speedscope: exported and imported back"
assert_eq "$(seconds "$T/late.session")" "0:2000000 1:0 2:2000000" "speedscope: the recording's seconds"
assert_eq "$(seconds "$T/late-back.session")" "$(seconds "$T/late.session")" \
	"speedscope: imported back, the later thread's samples are 2 s after the first's"

# --- threads at the stacks' heads, with --thread-ids --------------------------
# A plain head is a frame to a reader (the man page says so); "comm-PID/TID",
# as stackcollapse-perf.pl --tid writes it, is read back as the thread:
# each thread keeps its samples and name, and no function is named after it.
"$FLAMETOP" export -i "$FIXTURE" --format folded --thread-ids --weight samples \
	-o "$T/tid.folded" 2>"$T/tid.err"
assert_eq "$?" 0 "--thread-ids: exported"
assert_eq "$(cut -d';' -f1 "$T/tid.folded" | sort -u | tr '\n' ' ')" \
	"app-100/100 app-worker-100/101 db-200/200 " "--thread-ids: each head is comm-PID/TID"
# flamegraph.pl's reading: one count at the end, the head a frame it draws.
assert_eq "$(perl -ne 'chomp; my ($s) = /^(.*)\s+?(\d+(?:\.\d*)?)$/ or print "none: $_\n";
	print "two: $_\n" if defined $s && $s =~ /^(.*)\s+?(\d+(?:\.\d*)?)$/' "$T/tid.folded")" "" \
	"--thread-ids: flamegraph.pl reads one count per line"
"$FLAMETOP" import "$T/tid.folded" -o "$T/tid.session" 2>>"$T/tid.err"
assert_eq "$?" 0 "--thread-ids: imported back"
for tid in 100 101 200; do
	assert_eq "$(report_samples "$T/tid.session" --tid $tid)" "$(report_samples "$FIXTURE" --tid $tid)" \
		"--thread-ids: imported back, thread $tid keeps its samples"
done
assert_eq "$(report_samples "$T/tid.session" --comm app-worker)" "$(report_samples "$FIXTURE" --comm app-worker)" \
	"--thread-ids: imported back, the thread keeps its name"
"$FLAMETOP" report -i "$T/tid.session" --format json --top 0 >"$T/tid.json" 2>&1
assert_eq "$(jq -r '[.functions[].name | select(. == "app" or . == "app-worker" or . == "db"
	or test("-[0-9]+/[0-9]+$"))] | length' "$T/tid.json")" 0 \
	"--thread-ids: imported back, no function is named after a thread"
"$FLAMETOP" report -i "$T/tid.session" --format folded --weight samples >"$T/tid-back.folded" 2>&1
"$FLAMETOP" report -i "$FIXTURE" --format folded --weight samples >"$T/tid-fixture.folded" 2>&1
if cmp -s "$T/tid-fixture.folded" "$T/tid-back.folded"; then
	pass "--thread-ids: report's folded stacks come back as they went"
else
	fail "--thread-ids: they differ: $(diff "$T/tid-fixture.folded" "$T/tid-back.folded" | head -n 5)"
fi

# --- a leaf named with a number at its end ----------------------------------
# "a;lambda 2 7" reads as a differential line of two counts (flamegraph.pl,
# import): folded stacks write such a leaf "lambda_2", which both read
# back as one count of one frame.
cat >"$T/num.json" <<'EOT'
{"$schema": "https://www.speedscope.app/file-format-schema.json",
 "shared": {"frames": [{"name": "main"}, {"name": "lambda 2"}, {"name": "wait 1.5"}, {"name": "v 2 x"}]},
 "profiles": [{"type": "sampled", "name": "t", "unit": "none", "startValue": 0, "endValue": 12,
   "samples": [[0, 1], [0, 2], [0, 3]], "weights": [7, 4, 1]}]}
EOT
"$FLAMETOP" import "$T/num.json" -o "$T/num.session" 2>"$T/num.err" ||
	hard_error "import of num.json failed: $(cat "$T/num.err")"
"$FLAMETOP" export -i "$T/num.session" --format folded -o "$T/num.folded" 2>>"$T/num.err"
assert_eq "$?" 0 "numbered leaves: exported"
sed 's/^/  /' "$T/num.folded"
# flamegraph.pl's reading: the count, then a second one if the rest ends in one.
assert_eq "$(perl -ne 'chomp; my ($s) = /^(.*)\s+?(\d+(?:\.\d*)?)$/ or next;
	print "$s\n" if $s =~ /^(.*)\s+?(\d+(?:\.\d*)?)$/' "$T/num.folded")" "" \
	"numbered leaves: no line flamegraph.pl reads as two counts"
assert_eq "$(grep -c ';v 2 x 1$' "$T/num.folded")" 1 "numbered leaves: a number inside a name stays"
"$FLAMETOP" import "$T/num.folded" -o "$T/num-back.session" 2>"$T/num-back.err"
assert_eq "$?" 0 "numbered leaves: imported back"
sed "s/^/  stderr: /" "$T/num-back.err"
"$FLAMETOP" report -i "$T/num-back.session" --format folded >"$T/num-back.folded" 2>&1
if cmp -s "$T/num.folded" "$T/num-back.folded"; then
	pass "numbered leaves: the stacks and counts come back as they went"
else
	fail "numbered leaves: they differ: $(diff "$T/num.folded" "$T/num-back.folded" | head -n 5)"
fi
# Another writer's "lambda 2" first, from a pipe (read once): the line of
# one count after it says the file is not differential.
printf 'main;lambda 2 7\nmain;run 3\n' |
	"$FLAMETOP" import - -o "$T/pipe.session" 2>"$T/pipe.err"
assert_eq "$?" 0 "numbered leaf first, from a pipe: imported"
assert_eq "$("$FLAMETOP" report -i "$T/pipe.session" --format folded 2>&1)" "$(printf 'main;lambda_2 7\nmain;run 3')" \
	"numbered leaf first, from a pipe: one frame 'lambda 2', 7 samples"

need_tmux
ENV="HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8 TMPDIR='$T' XDG_RUNTIME_DIR="
mkdir -p "$T/config"
tui_start twenty 120 30 "env $ENV '$FLAMETOP' replay '$T/twenty.session'"
assert_screen twenty 'end of the session' "folded: replayed"
assert_screen twenty 'all \(20 samples\)' "folded: the flame graph's root counts 20 samples"
assert_screen twenty ' 20 samples in the window' "folded: the status line counts 20 samples"
assert_eq "$(sed -n 3p "$T/twenty.screen" | sed 's/ *$//')" "█" \
	"folded: the strip draws its samples, all at time 0, as one bar at 0"
tui_keys twenty q
tui_exit twenty || fail "folded: q did not end the explorer"
# The heatmap (FlameScope's view) counts them too: 20 in the cell at 0.
tui_start heat 120 30 "env $ENV '$FLAMETOP' replay --view heatmap '$T/twenty.session'"
assert_screen heat 'darkest 20 \| cursor 0ms: 20$' "folded: the heatmap's cell at 0 holds 20 samples"
tui_keys heat q
tui_exit heat || fail "folded: q did not end the explorer (heatmap)"

finish
