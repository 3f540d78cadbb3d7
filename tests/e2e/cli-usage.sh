#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage errors are said alike by every subcommand: one line "flametop: ..."
# naming the option or argument, exit status 2, nothing on stdout, and
# nothing written or sampled. An argument a subcommand does not take is
# "unexpected argument 'X'" wherever it is given. A session read with -i
# may be - (standard input), as import reads its inputs, except in the
# explorer, which reads its keys there. No terminal, root or sampling
# needed.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

printf 'main;work 3\n' >"$T/in.folded"
"$FLAMETOP" import "$T/in.folded" -o "$T/in.session" 2>"$T/import.err" ||
	hard_error "cannot import a session to read: $(cat "$T/import.err")"

# --- arguments nobody takes -------------------------------------------------------
expect_usage version-extra "^flametop: --version: unexpected argument 'extra'\$" \
	"$FLAMETOP" --version extra
expect_usage V-extra "^flametop: -V: unexpected argument 'extra'\$" "$FLAMETOP" -V extra
expect_usage list-events-extra "^flametop: list-events: unexpected argument 'extra'\$" \
	"$FLAMETOP" list-events extra
expect_usage list-events-all-extra "^flametop: list-events: unexpected argument 'extra'\$" \
	"$FLAMETOP" list-events --all extra
expect_usage report-extra "^flametop: report: unexpected argument 'extra'\$" \
	"$FLAMETOP" report -i "$T/in.session" extra
expect_usage export-extra "^flametop: export: unexpected argument 'extra'\$" \
	"$FLAMETOP" export -i "$T/in.session" --format folded extra
expect_usage push-extra "^flametop: push: unexpected argument 'extra'\$" \
	"$FLAMETOP" push -i "$T/in.session" --url http://127.0.0.1:9/ extra
# The session given as a word, as replay takes it: the line says how.
expect_usage report-word "^flametop: report: unexpected argument 'in.ft'; a session is read with -i: 'flametop report -i in.ft'\$" \
	"$FLAMETOP" report in.ft
expect_usage export-word "^flametop: export: unexpected argument 'in.ft'; a session is read with -i: 'flametop export -i in.ft'\$" \
	"$FLAMETOP" export --format folded in.ft
expect_usage push-word "^flametop: push: unexpected argument 'in.ft'; a session is read with -i: 'flametop push -i in.ft'\$" \
	"$FLAMETOP" push --url http://127.0.0.1:9/ in.ft
# No session at all: the line says which option gives it.
expect_usage report-none "^flametop: report needs a session file: -i FILE\$" "$FLAMETOP" report
expect_usage export-none "^flametop: export needs a session file: -i FILE\$" \
	"$FLAMETOP" export --format folded
expect_usage push-none "^flametop: push needs a session file: -i FILE\$" \
	"$FLAMETOP" push --url http://127.0.0.1:9/

# --- a PID list with an empty item ----------------------------------------------------
# Each item of -p's list is a PID: an empty one is refused, named by its
# place, by record and the explorer alike (before any terminal).
expect_usage pid-comma "^flametop: -p: ',': item 1 is empty\$" \
	"$FLAMETOP" record -o "$T/never.session" -d 1 -p ,
expect_usage pid-leading "^flametop: -p: ',1': item 1 is empty\$" \
	"$FLAMETOP" record -o "$T/never.session" -d 1 -p ,1
expect_usage pid-double "^flametop: -p: '1,,2': item 2 is empty\$" \
	"$FLAMETOP" record -o "$T/never.session" -d 1 -p 1,,2
expect_usage pid-trailing "^flametop: -p: '1,': item 2 is empty\$" \
	"$FLAMETOP" record -o "$T/never.session" -d 1 -p 1,
expect_usage pid-live "^flametop: -p: '1,,2': item 2 is empty\$" "$FLAMETOP" -p 1,,2
expect_usage pid-none "^flametop: -p needs at least one process ID\$" \
	"$FLAMETOP" record -o "$T/never.session" -d 1 -p ''
[ -e "$T/never.session" ] && fail "-p refused: a session file was left"

# --- an output that cannot be one ---------------------------------------------------
# An empty -o names no file; a session is written in place as it grows
# (pwrite), so it cannot be - (standard output). Both are refused before
# anything runs: the command is never started, no file is made (here, in
# the current directory, a file named - or one with a default name).
marker=$T/started
cd "$T" || hard_error "cannot enter $T"
expect_usage record-o-empty "^flametop: -o: the file name is empty\$" \
	"$FLAMETOP" record -o '' -- sh -c ": >'$marker'"
expect_usage record-o-stdout "^flametop: -o: a session .* cannot go to standard output \(-\); give a file name\$" \
	"$FLAMETOP" record -o - -- sh -c ": >'$marker'"
expect_usage record-output-empty "^flametop: -o: the file name is empty\$" \
	"$FLAMETOP" record --output= -a -d 10
expect_usage import-o-empty "^flametop: -o: the file name is empty\$" \
	"$FLAMETOP" import "$T/in.folded" -o ''
expect_usage import-o-stdout "^flametop: -o: a session .* cannot go to standard output" \
	"$FLAMETOP" import "$T/in.folded" -o -
expect_usage export-o-empty "^flametop: -o: the file name is empty\$" \
	"$FLAMETOP" export -i "$T/in.session" --format folded -o ''
cd "$OLDPWD" || hard_error "cannot go back to $OLDPWD"
[ -e "$marker" ] && fail "record -o: the command ran although record refused"
made=$(find "$T" -maxdepth 1 \( -name - -o -name 'flametop-*.session' \) | head -n 3)
assert_eq "$made" "" "refused outputs: no file made"

# --- - for standard input ---------------------------------------------------------
# report, export and push read -i - from standard input, a pipe or a file.
"$FLAMETOP" report -i "$T/in.session" --format json >"$T/file.json" 2>"$T/file.err"
assert_eq "$?" 0 "report -i FILE: exit status"
# shellcheck disable=SC2002 # a pipe, not a redirected file
cat "$T/in.session" | "$FLAMETOP" report -i - --format json >"$T/pipe.json" 2>"$T/pipe.err"
assert_eq "$?" 0 "report -i - from a pipe: exit status"
assert_eq "$(cat "$T/pipe.json")" "$(cat "$T/file.json")" "report -i - from a pipe: the file's report"
"$FLAMETOP" export -i - --format folded <"$T/in.session" >"$T/stdin.folded" 2>"$T/stdin.err"
assert_eq "$?" 0 "export -i - from a redirected file: exit status"
assert_match "$(cat "$T/stdin.folded")" '^main;work 3$' "export -i - from a redirected file: its stacks"
printf 'not a session\n' | "$FLAMETOP" report -i - >"$T/bad.out" 2>"$T/bad.err"
assert_eq "$?" 1 "report -i - of what is no session: exit status"
assert_match "$(cat "$T/bad.err")" '^flametop: /dev/stdin: not a flametop session' \
	"report -i - of what is no session: said of standard input"
# export writes to standard output without -o, and with -o -.
(cd "$T" && "$FLAMETOP" export -i in.session --format folded -o - >dash.folded 2>dash.err)
assert_eq "$?" 0 "export -o -: exit status"
assert_match "$(cat "$T/dash.folded")" '^main;work 3$' "export -o -: the stacks on standard output"
[ -e "$T/-" ] && fail "export -o -: wrote a file named -"
expect_usage report-stdin-twice "^flametop: report: standard input \(-\) can be read once" \
	"$FLAMETOP" report -i - --baseline -
# The explorer reads its keys from standard input: a session cannot come there.
expect_usage replay-stdin "^flametop: -: the explorer reads its keys from standard input" \
	"$FLAMETOP" replay -
expect_usage live-i-stdin "^flametop: -: the explorer reads its keys from standard input" \
	"$FLAMETOP" -i -
expect_usage replay-baseline-stdin "^flametop: --baseline: the explorer reads its keys from standard input" \
	"$FLAMETOP" replay --baseline - "$T/in.session"

finish
