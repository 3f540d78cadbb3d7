#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `x` exports what the explorer shows. In a replay of the fixture session
# (whole window, everything retained): x, a path typed over the proposed
# name, Enter; the status line says so and the file says what `flametop
# export` says of the same session: the folded export has the fixture's
# stacks and weights (merged across threads, as the views show them), the
# SVG is well-formed, the pprof (through go tool pprof) has the event's
# weights as its one sample type. Narrowed to one process with the picker, the export
# narrows too. An unknown extension or an existing file is refused with a
# message; Esc exports nothing.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

need_tmux
FIXTURE=$GOLDEN/tui/replay.session
mkdir -p "$T/config"
ENV="HOME='$T' XDG_CONFIG_HOME='$T/config' LANG=C.UTF-8"

# export_key NAME PATH: x, Ctrl-U (clears the proposed name), PATH, Enter.
export_key() {
	tui_keys "$1" x
	assert_screen "$1" 'Export to \(.*\): flametop-[0-9]{8}-[0-9]{6}\.svg' "$1: x proposes a name"
	tui_keys "$1" C-u
	tui_keys "$1" -l "$2"
	tui_keys "$1" Enter
}

# stacks FOLDED: the stacks without their leading thread name, merged.
stacks() {
	sed 's/^[^;]*;//' "$1" | awk '{ w = $NF; $NF = ""; s[$0] += w } END { for (k in s) printf "%s%.0f\n", k, s[k] }' | sort
}

tui_start replay 100 30 "$ENV '$FLAMETOP' replay '$FIXTURE' 2>'$T/replay.err'"
assert_screen replay 'end of the session' "replay: loaded"
tui_keys replay a
export_key replay "$T/shown.folded"
assert_screen replay "exported the window \([0-9.]+ s\) as folded to $T/shown.folded" "replay: x says it exported"
"$FLAMETOP" export -i "$FIXTURE" --format folded >"$T/cli.folded" 2>&1
stacks "$T/cli.folded" >"$T/cli.stacks"
awk '{ w = $NF; $NF = ""; printf "%s%.0f\n", $0, w }' "$T/shown.folded" | sort >"$T/shown.stacks"
if [ -s "$T/shown.stacks" ] && cmp -s "$T/cli.stacks" "$T/shown.stacks"; then
	pass "replay: the export has the session's stacks and weights"
else
	fail "replay: the exported stacks differ: $(diff "$T/cli.stacks" "$T/shown.stacks" | head -n 5)"
fi
assert_eq "$(stat -c %a "$T/shown.folded")" 600 "replay: the export is private (0600)"

export_key replay "$T/shown.svg"
assert_screen replay "as svg to $T/shown.svg" "replay: x exports an SVG"
if command -v xmllint >/dev/null 2>&1; then
	xmllint --noout "$T/shown.svg" 2>"$T/xmllint.err" && pass "replay: the SVG is well-formed" ||
		fail "replay: the SVG is not well-formed: $(head -c 300 "$T/xmllint.err")"
fi

# pprof: the views keep each stack's weight, not how many samples made it,
# so the one sample type is the event's, with the weights folded has: no
# samples/count (which said 1 per stack).
export_key replay "$T/shown.pb.gz"
assert_screen replay "as pprof to $T/shown.pb.gz" "replay: x exports pprof"
GO=$(command -v go) || GO=
if [ -n "$GO" ]; then
	export GOCACHE="$T/gocache" GOPATH="$T/gopath"
	"$GO" tool pprof -raw "$T/shown.pb.gz" >"$T/shown.raw" 2>&1
	assert_eq "$(grep -m1 -A1 '^Samples' "$T/shown.raw" | tail -n 1 | tr -s ' ' | sed 's/^ //; s/ $//')" \
		"cpu/nanoseconds[dflt]" "replay: pprof's one sample type is the event's"
	assert_eq "$(awk '/^Samples/ { on = 1; getline; next } /^Locations/ { on = 0 }
		on && /^ *[0-9]+:/ { s += $1 } END { printf "%.0f\n", s }' "$T/shown.raw")" \
		"$(awk '{ s += $NF } END { printf "%.0f\n", s }' "$T/shown.folded")" \
		"replay: pprof's cpu total is the folded export's"
else
	echo "  (golang-go is not installed: go tool pprof checks skipped)"
fi

# Over an existing file, or with a name that says no format: refused.
cp "$T/shown.svg" "$T/before.svg"
export_key replay "$T/shown.svg"
assert_screen replay "$T/shown.svg exists; not replaced" "replay: exporting over a file is refused"
cmp -s "$T/before.svg" "$T/shown.svg" && pass "replay: the existing file is unchanged" ||
	fail "replay: the existing file was changed"
export_key replay "$T/shown.png"
assert_screen replay "shown.png: name it .svg, .folded, .speedscope.json or .pb.gz" "replay: an unknown extension is refused"
[ -e "$T/shown.png" ] && fail "replay: a file was written for an unknown extension"
tui_keys replay x C-u
tui_keys replay -l "$T/never.svg"
tui_keys replay Escape
assert_not_screen replay 'Export to' "replay: Esc closes the prompt"
[ -e "$T/never.svg" ] && fail "replay: Esc at the prompt still exported"

# One process picked (db, pid 200: the first row once "db" is typed): the
# export holds only its samples.
tui_keys replay p
tui_keys replay -l db
tui_wait replay 'db' 5
tui_keys replay Enter
assert_screen replay 'only pid 200 db' "replay: picked db"
export_key replay "$T/one.folded"
assert_screen replay "as folded to $T/one.folded" "replay: x exports the picked process"
"$FLAMETOP" report -i "$FIXTURE" --format json --pid 200 >"$T/one.json"
"$FLAMETOP" report -i "$FIXTURE" --format json >"$T/all.json"
assert_eq "$(awk '{ s += $NF } END { printf "%.0f\n", s }' "$T/one.folded")" "$(jq .total "$T/one.json")" \
	"replay: the export weighs what report --pid 200 does"
[ "$(jq .total "$T/one.json")" != "$(jq .total "$T/all.json")" ] && pass "replay: and that is not everything" ||
	fail "replay: db is all of the fixture: the check above checks nothing"
tui_keys replay q
tui_exit replay
assert_eq "$RC" 0 "replay: q exits 0"

finish
