#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The command line's three descriptions agree: every option a subcommand's
# --help lists is in its line of the man page's SYNOPSIS (push options and
# report's filters may be summed up there in words), and the values a
# --format takes are the ones the synopsis lists. What --help says of a
# default is what the code does. Every subcommand takes -V/--version, as
# DESIGN.md's common options say. No terminal, root or sampling needed.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

MAN=$(dirname "$TESTLIB")/../../doc/flametop.1
[ -r "$MAN" ] || hard_error "no man page at $MAN"

# The SYNOPSIS in plain words: roff requests and escapes dropped, one
# synopsis line (from ".B flametop" to .PP or .br) per output line.
synopsis() {
	sed -n '/^\.SH SYNOPSIS/,/^\.SH /p' "$MAN" | sed -e '1d;$d' -e 's/\\-/-/g' \
		-e 's/\\f[BIRP]//g' -e 's/"//g' |
		awk '/^\.(PP|br)$/ { if (line != "") print line; line = ""; next }
			{ sub(/^\.[A-Z]* */, ""); line = line " " $0 }
			END { if (line != "") print line }'
}
synopsis >"$T/synopsis"

# synopsis_of WORDS: the synopsis lines that start "flametop WORDS".
synopsis_of() {
	grep -E "^ *flametop $1( |\$)" "$T/synopsis"
}

# help_options ARGS...: the options `flametop ARGS --help` has an entry
# for, one a line: the short form where there is one (the synopsis writes
# that), else each long form the entry names. --help and --version, which
# every subcommand has, are left out.
help_options() {
	"$FLAMETOP" "$@" --help | awk '
		/^  -[a-zA-Z], --/ { w = $1; sub(/,$/, "", w); if (w != "-h" && w != "-V") print w; next }
		/^      --[a-z]/ {
			for (i = 1; i <= NF; i++)
				if ($i ~ /^--[a-z]/) { w = $i; sub(/,$/, "", w); print w }
		}'
}

# check_options NAME SYNOPSIS-WORDS SUMMED ARGS...: each option of
# `flametop ARGS --help` is a word of the synopsis lines SYNOPSIS-WORDS
# starts (an extended regex), or one of SUMMED (words the synopsis sums up).
check_options() {
	name=$1
	lines=$2
	summed=$3
	shift 3
	synopsis_of "$lines" | tr -s ' []|' '\n' | grep -v '^$' >"$T/$name.words"
	[ -s "$T/$name.words" ] || fail "$name: no synopsis line 'flametop $lines'"
	help_options "$@" >"$T/$name.options"
	[ -s "$T/$name.options" ] || fail "$name: --help lists no options"
	missing=
	while read -r opt; do
		case " $summed " in *" $opt "*) continue ;; esac
		grep -Fqx -- "$opt" "$T/$name.words" || missing="$missing $opt"
	done <"$T/$name.options"
	if [ -z "$missing" ]; then
		pass "$name: the synopsis has every option --help lists ($(wc -l <"$T/$name.options"))"
	else
		fail "$name: --help lists, the synopsis lacks:$missing"
	fi
}

PUSH_SUMMED="--app --label --per-process --basic-auth --token --tenant --spool --spool-size"
QUERY_SUMMED="--pid --tid --event --from --to --comm --include --exclude"
check_options record record "$PUSH_SUMMED" record
check_options report report "" report
check_options live '(-i|\[ -a)' "$PUSH_SUMMED" -a
check_options replay replay "" replay
check_options export export "" export
check_options import import "" import
check_options push push "$QUERY_SUMMED" push

# Every subcommand, and the live explorer, says the version as the top
# level does (-V and --version), and its --help says so.
for sub in record report replay export import push list-events -a; do
	for v in -V --version; do
		assert_eq "$("$FLAMETOP" "$sub" "$v" 2>&1)" "$("$FLAMETOP" --version)" "$sub $v: the version"
	done
	assert_match "$("$FLAMETOP" "$sub" --help)" '  -V, --version  +show the version' "$sub --help lists -V"
done

# Every option a usage line names has an entry of its own in the --help.
for sub in record report replay export import push list-events -a; do
	"$FLAMETOP" "$sub" --help | awk '/^Usage:/ { on = 1 } on && /^$/ { exit } on' |
		grep -Eo -- '(^|[ [])--?[a-zA-Z][a-zA-Z-]*' | sed 's/^[ []*//' | sort -u >"$T/usage$sub"
	help_options "$sub" >"$T/entries$sub"
	missing=$(grep -Fvx -f "$T/entries$sub" "$T/usage$sub" | tr '\n' ' ')
	if [ -z "$missing" ]; then
		pass "$sub --help: each option of the usage has an entry ($(wc -l <"$T/usage$sub"))"
	else
		fail "$sub --help: the usage names, no entry describes: $missing"
	fi
done

# export takes the format from OUT's extension: its usage has a form
# without --format (as `flametop --help` has), and that form works.
"$FLAMETOP" export --help | awk '/^Usage:/ { on = 1 } on && /^$/ { exit } on' >"$T/export.usage"
assert_match "$(grep -v -- '--format' "$T/export.usage")" 'flametop export -i FILE -o OUT' \
	"export --help: a usage without --format, for OUT's extension"
printf 'main;work 3\n' >"$T/in.folded"
if "$FLAMETOP" import "$T/in.folded" -o "$T/in.session" 2>"$T/import.err" &&
	"$FLAMETOP" export -i "$T/in.session" -o "$T/out.folded" 2>"$T/export.err"; then
	assert_match "$(cat "$T/out.folded")" '^main;work 3$' "export -o OUT.folded without --format"
else
	fail "export -o OUT.folded without --format: $(cat "$T/import.err" "$T/export.err")"
fi

# check_formats NAME SUBCOMMAND: the values `SUBCOMMAND --format` takes (as
# its refusal lists them) are the synopsis's, in its order.
check_formats() {
	"$FLAMETOP" "$2" --format no-such-format >/dev/null 2>"$T/$1.err" </dev/null
	want=$(sed -n "s/.*is not one of \(.*\)\$/\1/p" "$T/$1.err" | sed 's/, /|/g')
	[ -n "$want" ] || fail "$1: --format no-such-format does not list the formats: $(cat "$T/$1.err")"
	got=$(synopsis_of "$2" | sed -n 's/.*--format *\([a-z|-]*\).*/\1/p')
	assert_eq "$got" "$want" "$1: the synopsis's --format values"
}
check_formats report-formats report
check_formats export-formats export
check_formats import-formats import

# entry_of PHRASE ARGS...: the option (its first long form) whose entry in
# `flametop ARGS --help` holds PHRASE, on any of its lines.
entry_of() {
	phrase=$1
	shift
	"$FLAMETOP" "$@" --help | awk -v phrase="$phrase" '
		/^  -[a-zA-Z], --[a-z]/ || /^      --[a-z]/ { opt = $0; sub(/^ *(-[a-zA-Z], )?/, "", opt); sub(/[ ,].*/, "", opt) }
		/^[^ ]/ { opt = "" }
		index($0, phrase) { print opt; exit }'
}

# A note stands in the entry of the option it is about: that a folded
# stack leads with its thread's name (which import reads back as a frame)
# is the folded format's, under --format, not --annotate-kernel's.
for sub in report export; do
	assert_eq "$(entry_of "first frame is its thread's name" "$sub")" --format \
		"$sub --help: the folded thread-name note is under --format"
done

# --weight's entry names the words --weight takes (as its refusal lists
# them), report's and export's alike: it said WEIGHT, and never "value".
"$FLAMETOP" report --weight no-such-weight >/dev/null 2>"$T/weight.err" </dev/null
want=$(sed -n "s/.*is not one of \(.*\)\$/\1/p" "$T/weight.err" | sed 's/, /|/g')
[ -n "$want" ] || fail "--weight no-such-weight does not list the weights: $(cat "$T/weight.err")"
for sub in report export; do
	assert_eq "$("$FLAMETOP" "$sub" --help | sed -n 's/^      --weight \([^ ]*\).*/\1/p')" "$want" \
		"$sub --help: --weight's values are the ones it takes"
done

# --alloc-sample thins alloc and alloc-objects alike (one rule): the
# explorer's --help says so as record's does.
for sub in record -a; do
	assert_match "$("$FLAMETOP" "$sub" --help | grep -- '--alloc-sample')" \
		'--alloc-sample BYTES  alloc, alloc-objects: ' "$sub --help: --alloc-sample's types"
done

# -e's default without a hardware PMU is the sampler's: cpu-clock for the
# whole system, task-clock for processes and a command (the header of the
# live view says which). The explorer's --help and record's say so alike.
for sub in record -a; do
	"$FLAMETOP" "$sub" --help | tr -s ' \n' '  ' >"$T/help$sub"
	if grep -Fq 'cycles, or without a hardware PMU cpu-clock for -a and task-clock otherwise' \
		"$T/help$sub"; then
		pass "$sub --help: -e's default is cpu-clock for -a, task-clock otherwise"
	else
		fail "$sub --help: -e's default is not told for each target: $(grep -o '(default: cpu[^)]*)' "$T/help$sub")"
	fi
done

finish
