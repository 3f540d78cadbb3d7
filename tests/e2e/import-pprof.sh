#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Importing the profiles Go writes of itself. tests/workloads/goprof.go,
# built here with Debian's golang-go, writes its cpu, heap, block, mutex
# and goroutine profiles (gzipped pprof), each of a known shape: the
# "heavy" function does, allocates, waits or parks 3x what the "light" one
# does. Each profile's sample types must become events with their units,
# and the heavy/(heavy+light) share of each must be 75% (exactly where Go
# counts every event; within a margin for the CPU, which is sampled), but
# for delays, which are time: each wait lasts at least 5 ms. The
# totals must be the ones `go tool pprof` reads from the same files; the
# CPU profile's samples/count, a number of samples, is as many samples,
# for its cpu type too.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_jq
build_goprof "no Go profiles to import"
mkdir "$T/p"
# Go samples its CPU at 100 Hz: about 3 s of burning gives some 270
# samples, whose heavy share (75% of the work) strays by about 2.6 points,
# well inside the bounds below (one second's 70 samples strayed past them
# on a loaded machine).
echo "+ goprof (about 3 s of CPU)"
timeout 120 "$T/goprof" "$T/p" 600000000 || hard_error "goprof failed"

# import NAME: imports $T/p/NAME.pb.gz into $T/NAME.session; sets RC.
import() {
	echo "+ flametop import $1.pb.gz"
	"$FLAMETOP" import "$T/p/$1.pb.gz" -o "$T/$1.session" 2>"$T/$1.err"
	RC=$?
	sed 's/^/  stderr: /' "$T/$1.err"
	assert_eq "$RC" 0 "$1: import exit status"
}

# heavy_share JSON HEAVY LIGHT: HEAVY's total as a % of HEAVY's + LIGHT's.
heavy_share() {
	jq -r --arg h "$2" --arg l "$3" '
		([.functions[] | select(.name == $h) | .total] | add // 0) as $a
		| ([.functions[] | select(.name == $l) | .total] | add // 0) as $b
		| if $a + $b > 0 then ($a * 1000 / ($a + $b) | round) / 10 else 0 end' "$1"
}

# check NAME EVENT UNIT LO HI: EVENT of NAME's session is in UNIT, and the
# share of main.*Heavy against main.*Light is in [LO, HI].
check() {
	if report_json "$T/$1.session" "$T/$1-$2.json" --event "$2"; then
		assert_eq "$(jq -r .unit "$T/$1-$2.json")" "$3" "$1 $2: unit"
		case $1 in
		cpu) h=main.burnHeavy l=main.burnLight ;;
		heap) h=main.allocHeavy l=main.allocLight ;;
		block) h=main.blockHeavy l=main.blockLight ;;
		mutex) h=main.mutexHeavy l=main.mutexLight ;;
		goroutine) h=main.parkHeavy l=main.parkLight ;;
		esac
		assert_between "$(heavy_share "$T/$1-$2.json" $h $l)" "$4" "$5" "$1 $2: $h share against $l"
	fi
}

# pprof_total FILE SAMPLE_INDEX: the total go tool pprof reads, in raw units.
pprof_total() {
	"$GO" tool pprof -raw -sample_index="$2" "$1" 2>/dev/null | awk '
		/^Samples:/ { on = 1; getline; split($0, names, " "); next }
		/^Locations/ { on = 0 }
		on && /^ *[0-9]/ { n = split($0, f, " "); s += f[idx] }
		END { printf "%.0f\n", s }' idx="$3"
}

import cpu
check cpu cpu ns 60 92
check cpu samples samples 60 92
import heap
for ev in alloc_space inuse_space; do check heap $ev bytes 74 76; done
for ev in alloc_objects inuse_objects; do check heap $ev count 74 76; done
# fn_total JSON FUNCTION: FUNCTION's total in a report.
fn_total() {
	jq -r --arg f "$2" '[.functions[] | select(.name == $f) | .total] | add // 0' "$1"
}

# check_delay NAME: NAME's delay is in ns, and each of the heavy and light
# function's waits lasted at least goprof's hold (5 ms; 4.5 allows for
# Go's tick conversion). A wait's length is time, not work: on a loaded
# machine any wait may last far longer, so there is no upper bound and no
# share; a delay credited to the other function (30 waits against 10) falls
# below the bound.
check_delay() {
	report_json "$T/$1.session" "$T/$1-delay.json" --event delay || return
	assert_eq "$(jq -r .unit "$T/$1-delay.json")" ns "$1 delay: unit"
	for f in "main.$1Heavy" "main.$1Light"; do
		assert_between "$(awk -v d="$(fn_total "$T/$1-delay.json" "$f")" \
			-v n="$(fn_total "$T/$1-contentions.json" "$f")" \
			'BEGIN { if (n > 0) printf "%.0f", d / n; else print 0 }')" 4500000 1e15 \
			"$1 delay: $f's ns a wait"
	done
}

import block
check block contentions count 75 75
check_delay block
import mutex
check mutex contentions count 75 75
check_delay mutex
import goroutine
check goroutine goroutine count 75 75

# The same totals go tool pprof reads (-raw: one column per sample type).
if report_json "$T/heap.session" "$T/heap-all.json" --event alloc_space; then
	assert_eq "$(total_of "$T/heap-all.json")" "$(pprof_total "$T/p/heap.pb.gz" alloc_space 2)" \
		"heap alloc_space: the total go tool pprof reads"
fi
# samples/count is how many samples each stack had: report counts as many
# samples as go tool pprof reads, not one per pprof sample.
if report_json "$T/cpu.session" "$T/cpu-all.json" --event samples; then
	assert_eq "$(total_of "$T/cpu-all.json")" "$(pprof_total "$T/p/cpu.pb.gz" samples 1)" \
		"cpu samples: the total go tool pprof reads"
	assert_match "$("$FLAMETOP" report -i "$T/cpu.session" --event samples | grep '^# samples')" \
		"^# samples: $(pprof_total "$T/p/cpu.pb.gz" samples 1), " \
		"cpu samples: report's header counts the samples go tool pprof reads"
	assert_match "$("$FLAMETOP" report -i "$T/cpu.session" --event cpu | grep '^# samples')" \
		"^# samples: $(pprof_total "$T/p/cpu.pb.gz" samples 1), " \
		"cpu: report's header counts the samples go tool pprof reads, not pprof's records"
	if report_json "$T/cpu.session" "$T/cpu-ns.json" --event cpu; then
		assert_eq "$(total_of "$T/cpu-ns.json")" "$(pprof_total "$T/p/cpu.pb.gz" cpu 2)" \
			"cpu: the total go tool pprof reads"
	fi
fi
# The import's message counts each pprof sample once, not once per type:
# the cpu profile's samples/count, a heap record (four values) as one.
assert_match "$(cat "$T/cpu.err")" \
	"imported $(pprof_total "$T/p/cpu.pb.gz" samples 1) samples of 2 events " \
	"cpu: the message counts the samples go tool pprof reads, once"
# The heap profile's records with a value, read off the wire (go tool
# pprof merges records of one stack): field 2 of the profile, and in each
# its values (field 2, packed or not).
records=$(python3 - "$T/p/heap.pb.gz" <<'EOT'
import gzip, sys
def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1; v |= (c & 0x7f) << s; s += 7
        if c < 0x80: return v, i
def fields(b):
    i = 0
    while i < len(b):
        tag, i = varint(b, i)
        if tag & 7 == 0:
            v, i = varint(b, i)
        elif tag & 7 == 2:
            n, i = varint(b, i); v = b[i:i + n]; i += n
        else:
            raise SystemExit("wire type %d" % (tag & 7))
        yield tag >> 3, tag & 7, v
def values(sample):
    for num, wt, v in fields(sample):
        if num == 2 and wt == 0:
            yield v
        elif num == 2:
            j = 0
            while j < len(v):
                x, j = varint(v, j); yield x
data = gzip.decompress(open(sys.argv[1], "rb").read())
print(sum(1 for num, wt, v in fields(data) if num == 2 and any(values(v))))
EOT
)
assert_match "$(cat "$T/heap.err")" "imported $records samples of 4 events " \
	"heap: the message counts each record once, not once per type"
if report_json "$T/mutex.session" "$T/mutex-all.json" --event delay; then
	assert_eq "$(total_of "$T/mutex-all.json")" "$(pprof_total "$T/p/mutex.pb.gz" delay 2)" \
		"mutex delay: the total go tool pprof reads"
fi

# All five merged in one session: one event per distinct sample type.
echo "+ flametop import *.pb.gz"
"$FLAMETOP" import "$T"/p/*.pb.gz -o "$T/all.session" 2>"$T/all.err"
assert_eq "$?" 0 "five profiles in one session: exit status"
assert_match "$(cat "$T/all.err")" 'imported [0-9]+ samples of 9 events from 5 files' \
	"cpu, samples, 4 heap types, contentions and delay (shared by block and mutex), goroutine"
"$FLAMETOP" report -i "$T/all.session" --event inuse_space --format folded >"$T/all.folded" 2>&1
assert_match "$(cat "$T/all.folded")" 'main\.main;main\.allocHeavy [0-9]+$' "a merged session reports"

finish
