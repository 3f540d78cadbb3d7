#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Every export format, read back by the tools it is for, from a session of
# known shape: a speedscope file imported, two threads (worker-1 and
# worker-2, the profiles' names) whose main calls hot 3x as much as cold,
# and a function whose name is markup. Each export must say the same as
# report: pprof through `go tool pprof` (per function and in total, per
# thread through its labels), speedscope through speedscope's JSON schema
# (ajv) and its per-thread profiles, folded by summing its counts, SVG by
# parsing it as XML (xmllint) with the markup escaped; that name ends in
# U+FFFE, a noncharacter XML refuses, which a program can name itself
# with. A window and a filter narrow every format as they narrow report.
# --format against the output's extension is a notice. Bad arguments and
# an unwritable output are one line each, and a failed export leaves no
# file.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_jq

cat >"$T/in.json" <<'EOT'
{"$schema": "https://www.speedscope.app/file-format-schema.json",
 "shared": {"frames": [{"name": "main"}, {"name": "hot"}, {"name": "cold"}, {"name": "leaf_a"},
                       {"name": "<script>&\"x'</script>\ufffe"}]},
 "profiles": [
  {"type": "sampled", "name": "worker-1", "unit": "none", "startValue": 0, "endValue": 400,
   "samples": [[0, 1, 3], [0, 2]], "weights": [300, 100]},
  {"type": "sampled", "name": "worker-2", "unit": "none", "startValue": 0, "endValue": 850,
   "samples": [[0, 1, 3], [0, 2], [0, 4]], "weights": [600, 200, 50]}]}
EOT
"$FLAMETOP" import "$T/in.json" -o "$T/s.session" 2>"$T/import.err" ||
	hard_error "import failed: $(cat "$T/import.err")"
report_json "$T/s.session" "$T/report.json" || finish
total=$(total_of "$T/report.json")
assert_eq "$total" 1250 "the session holds every count"

# export NAME ARGS...: runs flametop export ARGS, stderr to $T/NAME.err; RC.
export_to() {
	n=$1
	shift
	echo "+ flametop export $*"
	"$FLAMETOP" export "$@" 2>"$T/$n.err"
	RC=$?
	sed 's/^/  stderr: /' "$T/$n.err"
}

# --- folded --------------------------------------------------------------------
export_to folded -i "$T/s.session" --format folded -o "$T/out.folded"
assert_eq "$RC" 0 "folded: exit status"
assert_eq "$(awk '{ s += $NF } END { print s }' "$T/out.folded")" "$total" "folded: counts sum to the total"
assert_eq "$(awk '$1 ~ /;leaf_a$/ { s += $NF } END { print s }' "$T/out.folded")" 900 "folded: leaf_a's stacks"
assert_eq "$(grep -c '^worker-2;main;' "$T/out.folded")" 3 "folded: the thread's name leads each stack"
assert_eq "$(stat -c %a "$T/out.folded")" 600 "folded: the file is the user's alone"
"$FLAMETOP" report -i "$T/s.session" --format folded >"$T/report.folded"
if cmp -s "$T/out.folded" "$T/report.folded"; then
	pass "report --format folded and export --format folded agree"
else
	fail "report's folded output differs from export's: $(diff "$T/report.folded" "$T/out.folded" | head -n 5)"
fi

# --- pprof -----------------------------------------------------------------------
export_to pprof -i "$T/s.session" -o "$T/out.pb.gz"
assert_eq "$RC" 0 "pprof (from the extension): exit status"
assert_eq "$(head -c 2 "$T/out.pb.gz" | od -An -tx1 | tr -d ' ')" 1f8b "pprof: gzipped"
GO=$(command -v go) || GO=
if [ -n "$GO" ]; then
	export GOCACHE="$T/gocache" GOPATH="$T/gopath"
	# pprof_flat FILE [ARGS...]: "function flat" per line, from go tool pprof -top.
	pprof_flat() {
		f=$1
		shift
		"$GO" tool pprof -top -nodefraction=0 -nodecount=100000 -unit=count "$@" "$f" 2>"$T/pprof.err" |
			awk 'on { print $6, $1 } /^ *flat  flat%/ { on = 1 }'
	}
	pprof_flat "$T/out.pb.gz" -sample_index=samples >"$T/pprof.flat"
	cat "$T/pprof.err" | head -n 3 | sed 's/^/  pprof: /'
	assert_eq "$(awk '$1 == "leaf_a" { print $2 }' "$T/pprof.flat")" 900 "pprof: leaf_a flat"
	assert_eq "$(awk '$1 == "cold" { print $2 }' "$T/pprof.flat")" 300 "pprof: cold flat"
	assert_eq "$(awk '{ s += $2 } END { print s }' "$T/pprof.flat")" "$total" "pprof: total"
	"$GO" tool pprof -raw "$T/out.pb.gz" >"$T/raw.txt" 2>&1
	# pprof's -top shortens names as if <...> were C++ template arguments.
	grep -qF "<script>&\"x'</script>" "$T/raw.txt" && pass "pprof: a name with markup, as it was" ||
		fail "pprof: the name with markup is not in -raw's locations: $(tail -n 8 "$T/raw.txt")"
	pprof_flat "$T/out.pb.gz" -sample_index=samples -tagfocus=thread_name=worker-1 >"$T/pprof-w1.flat"
	assert_eq "$(awk '{ s += $2 } END { print s }' "$T/pprof-w1.flat")" 400 "pprof: thread_name label of worker-1"
	assert_eq "$(grep -m1 -A1 '^Samples' "$T/raw.txt" | tail -n 1 | tr -s ' ' | sed 's/^ //')" \
		"samples/count[dflt]" "pprof -raw: a count of samples is the one sample type"
	# Back in through our own importer: the same shares.
	"$FLAMETOP" import "$T/out.pb.gz" -o "$T/back.session" 2>"$T/back.err"
	assert_eq "$?" 0 "pprof: imported back"
	if report_json "$T/back.session" "$T/back.json"; then
		assert_eq "$(share leaf_a "$T/back.json")" "$(share leaf_a "$T/report.json")" "pprof round trip: leaf_a's share"
	fi
	# Folded stacks have no thread: no made-up thread labels on their samples.
	printf 'main;work 3\n' >"$T/nothread.folded"
	"$FLAMETOP" import "$T/nothread.folded" -o "$T/nothread.session" 2>"$T/nothread.err" &&
		"$FLAMETOP" export -i "$T/nothread.session" -o "$T/nothread.pb.gz" \
			2>>"$T/nothread.err"
	assert_eq "$?" 0 "pprof of a session of no thread: exit status"
	"$GO" tool pprof -raw "$T/nothread.pb.gz" >"$T/nothread.raw" 2>&1
	one=$(grep -m1 -A2 '^Samples' "$T/nothread.raw" | tail -n 1 | tr -s ' ' | sed 's/^ //; s/ $//')
	assert_eq "$one" "3: 1 2" "pprof of a session of no thread: its one sample"
	assert_eq "$(grep -c 'thread_name:\|pid:\|tid:' "$T/nothread.raw")" 0 \
		"pprof of a session of no thread: no thread labels"
else
	echo "  (golang-go is not installed: go tool pprof checks skipped)"
fi

# --- speedscope -------------------------------------------------------------------
export_to speedscope -i "$T/s.session" --format speedscope -o "$T/out.json"
assert_eq "$RC" 0 "speedscope: exit status"
assert_eq "$(jq '[.profiles[].weights[]] | add' "$T/out.json")" "$total" "speedscope: weights sum to the total"
assert_eq "$(jq -r '[.profiles[] | .type] | unique | join(",")' "$T/out.json")" sampled "speedscope: sampled profiles"
assert_eq "$(jq '.profiles | length' "$T/out.json")" 2 "speedscope: one profile per thread"
assert_eq "$(jq '[.profiles[] | select(.name | startswith("worker-2")) | .weights[]] | add' "$T/out.json")" 850 \
	"speedscope: worker-2's profile"
assert_eq "$(jq -r '.shared.frames as $f | [.profiles[0].samples[0][] | $f[.].name] | join(";")' "$T/out.json")" \
	"main;hot;leaf_a" "speedscope: stacks start at the outermost frame"
# Imported back and exported again: the same threads, names and weights.
"$FLAMETOP" import "$T/out.json" -o "$T/ss-back.session" 2>"$T/ss-back.err" &&
	"$FLAMETOP" export -i "$T/ss-back.session" -o "$T/ss-back.json" 2>>"$T/ss-back.err"
assert_eq "$?" 0 "speedscope round trip: exit status"
profiles='[.profiles[] | "\(.name) \(.weights | add)"] | join(", ")'
assert_eq "$(jq -r "$profiles" "$T/ss-back.json")" "$(jq -r "$profiles" "$T/out.json")" \
	"speedscope round trip: each thread's name and weight"
assert_speedscope_schema "$T/out.json"

# --- svg --------------------------------------------------------------------------
export_to svg -i "$T/s.session" --format svg -o "$T/out.svg"
assert_eq "$RC" 0 "svg: exit status"
if command -v xmllint >/dev/null 2>&1; then
	if xmllint --noout "$T/out.svg" 2>"$T/xmllint.err"; then
		pass "svg: well-formed XML"
	else
		fail "svg: not well-formed: $(head -c 400 "$T/xmllint.err")"
	fi
	n=$(xmllint --xpath 'count(//*[local-name()="g"][@class="f"])' "$T/out.svg")
	assert_eq "$n" 6 "svg: a box per call-tree node, the root's included"
	assert_eq "$(xmllint --xpath 'string(//*[local-name()="g"][@data-n="all"]/@data-w)' "$T/out.svg")" "$total" \
		"svg: the root spans the total"
	assert_eq "$(xmllint --xpath 'sum(//*[local-name()="g"][@data-n="leaf_a"]/@data-w)' "$T/out.svg")" 900 \
		"svg: leaf_a's width"
	assert_eq "$(xmllint --xpath 'count(//*[local-name()="script"])' "$T/out.svg")" 1 "svg: one script (zoom, search)"
	assert_eq "$(xmllint --xpath "count(//*[local-name()='g'][starts-with(@data-n,'<script>&')])" "$T/out.svg")" 1 \
		"svg: the name with markup is text, not markup"
else
	echo "  (xmllint is not installed: apt-get install libxml2-utils)"
fi
grep -q 'id="search"' "$T/out.svg" && pass "svg: has a search button" || fail "svg: no search button"

# --- windows and filters, in every format ---------------------------------------------
report_json "$T/s.session" "$T/w1.json" --comm worker-1
"$FLAMETOP" export -i "$T/s.session" --format folded --comm worker-1 >"$T/w1.folded"
assert_eq "$?" 0 "folded --comm worker-1 to standard output: exit status"
assert_eq "$(total_of "$T/w1.json")" 400 "report --comm worker-1: its total"
assert_eq "$(awk '{ s += $NF } END { print s }' "$T/w1.folded")" 400 "folded --comm: the same total"
"$FLAMETOP" export -i "$T/s.session" --format speedscope --exclude '^cold$' >"$T/nocold.json"
assert_eq "$(jq '[.profiles[].weights[]] | add' "$T/nocold.json")" 950 "speedscope --exclude: cold's stacks gone"
"$FLAMETOP" export -i "$T/s.session" --format svg --include 'leaf_a' >"$T/inc.svg"
assert_eq "$(grep -o 'data-n="all" data-w="[0-9]*"' "$T/inc.svg")" 'data-n="all" data-w="900"' "svg --include: the root spans only those stacks"
# A filter nothing matches: the empty export is written, and said so, in
# every format (no silent empty file for a typo in --comm).
for f in folded speedscope pprof svg; do
	export_to "none-$f" -i "$T/s.session" --format "$f" --comm nosuch -o "$T/none.$f"
	assert_eq "$RC" 0 "$f, no sample matches: exit status"
	none="no samples in this window and with these filters: the export is empty"
	assert_eq "$(cat "$T/none-$f.err")" "flametop: notice: $T/s.session: $none" \
		"$f, no sample matches: said on stderr"
done
"$FLAMETOP" export -i "$T/s.session" --format folded --comm worker-1 -o "$T/w1b.folded" \
	2>"$T/w1b.err"
assert_eq "$(cat "$T/w1b.err")" "" "an export with samples: nothing on stderr"
# --format wins over the name's extension, and says so: a viewer that goes
# by the name would not read the file.
export_to mismatch -i "$T/s.session" --format folded -o "$T/folded.svg"
assert_eq "$RC" 0 "--format folded -o x.svg: exit status"
assert_eq "$(cat "$T/mismatch.err")" \
	"flametop: notice: $T/folded.svg will hold folded, not the svg its name says (--format folded)" \
	"--format folded -o x.svg: said on stderr"
assert_eq "$(awk '{ s += $NF } END { print s }' "$T/folded.svg")" "$total" "--format folded -o x.svg: folded, as asked"

# --- errors ------------------------------------------------------------------------
export_to bad-format -i "$T/s.session" --format png
assert_eq "$RC" 2 "--format png: usage error"
assert_one_error_line "$T/bad-format.err" "--format png"
export_to no-format -i "$T/s.session" -o "$T/out.unknown"
assert_eq "$RC" 2 "an extension that names no format: usage error"
assert_one_error_line "$T/no-format.err" "unknown extension"
export_to no-dir -i "$T/s.session" -o "$T/nodir/out.svg"
assert_eq "$RC" 1 "an output in a missing directory: error"
assert_one_error_line "$T/no-dir.err" "missing directory"
export_to no-input -i "$T/missing.session" --format svg -o "$T/missing.svg"
assert_eq "$RC" 1 "a missing session: error"
assert_one_error_line "$T/no-input.err" "missing session"
[ -e "$T/missing.svg" ] && fail "a failed export left $T/missing.svg" || pass "a failed export leaves no file"
export_to bad-window -i "$T/s.session" --format folded --from 50% --to 10%
assert_eq "$RC" 2 "--to before --from: usage error"
assert_one_error_line "$T/bad-window.err" "--to before --from"
# -o names something that is not a regular file: refused, left as it was.
# A rename would put a file in its place: as root, in place of /dev/null.
mkfifo "$T/fifo"
ln -s "$T/out.svg" "$T/link.svg"
mkdir "$T/dir.svg"
not_replaced() {
	name=$1 path=$2 kind=$3 why=$4
	export_to "$name" -i "$T/s.session" --format svg -o "$path"
	assert_eq "$RC" 1 "-o $kind: error"
	assert_match "$(error_line "$T/$name.err")" "^flametop: $path: $why\$" "-o $kind: says why"
	assert_eq "$(stat -c %F "$path")" "$kind" "-o $kind: left as it was"
}
not_replaced out-fifo "$T/fifo" fifo "not a regular file \(refusing to replace it\)"
not_replaced out-link "$T/link.svg" "symbolic link" "is a symbolic link \(refusing to follow it\)"
not_replaced out-dir "$T/dir.svg" directory "is a directory"
if [ "$(id -u)" -eq 0 ] && mknod -m 666 "$T/null" c 1 3 2>/dev/null; then
	not_replaced out-device "$T/null" "character special file" "not a regular file \(refusing to replace it\)"
fi
if [ -w /dev/full ]; then
	"$FLAMETOP" export -i "$T/s.session" --format svg >/dev/full 2>"$T/full.err"
	assert_eq "$?" 1 "a full device: error"
	assert_one_error_line "$T/full.err" "a full device"
fi
ls "$T" | grep -q '\.svg\.' && fail "a temporary file was left behind: $(ls "$T")" || pass "no temporary file left behind"

finish
