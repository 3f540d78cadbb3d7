#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The options a subcommand's parser takes (its getopt_long table, with the
# shared *_LONGOPTS tables of cli.h and live.c it includes) are exactly
# the long options its --help has an entry for: an option added to a table
# and not to the help, or left in the help when dropped from the table,
# fails here. And the man page's LIVE VIEW names every option of the
# target table (CLI_TARGET_LONGOPTS) as one the explorer shares with
# record, so that list cannot go stale either. cli-help.sh compares
# --help with the man page's SYNOPSIS. No terminal, root or sampling needed.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

SRC=$(dirname "$TESTLIB")/../../src/cli
CLI_H=$(dirname "$TESTLIB")/../../include/flametop/cli.h
MAN=$(dirname "$TESTLIB")/../../doc/flametop.1
for f in "$SRC/live.c" "$CLI_H" "$MAN"; do
	[ -r "$f" ] || hard_error "no $f"
done

# define_of NAME: the body of "#define NAME \\" in cli.h or live.c.
define_of() {
	sed -n "/^#define $1 *\\\\\$/,/[^\\\\]\$/p" "$CLI_H" "$SRC/live.c" | sed 1d
}

# options_in DEPTH: the long options of the table text on standard input,
# one a line, the *_LONGOPTS tables it names expanded (as cli.h and live.c
# define them, which may name others in turn).
options_in() {
	[ "$1" -lt 8 ] || hard_error "*_LONGOPTS tables nested too deep"
	cat >"$T/table.$1"
	grep -o '{ *"[a-z0-9-]*"' "$T/table.$1" | sed 's/^{ *"/--/; s/"$//'
	for m in $(grep -o '[A-Z_]*_LONGOPTS' "$T/table.$1" | sort -u); do
		define_of "$m" | options_in $(($1 + 1))
	done
}

# table_options FILE N: the long options of the Nth (from 1) "longopts[]"
# table in FILE, one a line.
table_options() {
	awk -v want="$2" '
		/longopts\[\] = \{/ { n++; if (n == want) { on = 1; next } }
		on && /^[\t ]*\};/ { exit }
		on' "$1" | options_in 0 | sort -u
}

# help_entries ARGS...: the long options `flametop ARGS --help` has an
# entry for (the words of an entry line before its description).
help_entries() {
	"$FLAMETOP" "$@" --help | awk '
		/^  -[a-zA-Z], --[a-z]/ || /^      --[a-z]/ {
			line = $0
			sub(/^ +/, "", line)
			sub(/  .*/, "", line)
			n = split(line, w, /[ ,]+/)
			for (i = 1; i <= n; i++)
				if (w[i] ~ /^--[a-z]/)
					print w[i]
		}' | sort -u
}

# check NAME FILE N ARGS...: the Nth table of FILE and `flametop ARGS
# --help` name the same long options.
check() {
	name=$1
	file=$2
	n=$3
	shift 3
	table_options "$SRC/$file" "$n" >"$T/$name.table"
	help_entries "$@" >"$T/$name.help"
	[ -s "$T/$name.table" ] || fail "$name: no options read from table $n of $file"
	[ -s "$T/$name.help" ] || fail "$name: --help lists no options"
	undocumented=$(comm -23 "$T/$name.table" "$T/$name.help" | tr '\n' ' ')
	unparsed=$(comm -13 "$T/$name.table" "$T/$name.help" | tr '\n' ' ')
	if [ -z "$undocumented$unparsed" ]; then
		pass "$name: --help describes exactly the options the parser takes ($(wc -l <"$T/$name.table"))"
	else
		fail "$name: taken, not in --help: ${undocumented:-none}; in --help, not taken: ${unparsed:-none}"
	fi
}

check record record.c 1 record
check live live.c 1 -a
check replay live.c 2 replay
check report report.c 1 report
check export export.c 1 export
check import import.c 1 import
check push push.c 1 push
check list-events list_events.c 1 list-events

# The man page's LIVE VIEW: from "mean what they mean for" to the end of
# that sentence, every target option, by its short form where it has one.
sed -n '/^\.SH LIVE VIEW/,/^\.SH /p' "$MAN" |
	sed -n '/mean what they mean for/,/\.$/p' | sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/"//g' |
	tr -s ' ,()' '\n' | grep -E '^--?[a-zA-Z]' | sed 's/\.$//' | sort -u >"$T/live-man"
[ -s "$T/live-man" ] || fail "the man page's LIVE VIEW has no sentence of the options shared with record"
awk '/^#define CLI_TARGET_LONGOPTS/ { on = 1; next }
	on {
		if (match($0, /\{ *"[a-z0-9-]+", [a-z_]+, NULL, /)) {
			s = substr($0, RSTART + RLENGTH)
			if (s ~ /^\047.\047/)
				print "-" substr(s, 2, 1)
			else {
				l = $0
				sub(/^[^"]*"/, "", l)
				sub(/".*/, "", l)
				print "--" l
			}
		}
		if ($0 !~ /\\$/) on = 0
	}' "$CLI_H" | sort -u >"$T/target"
[ -s "$T/target" ] || hard_error "no CLI_TARGET_LONGOPTS read from $CLI_H"
missing=$(comm -23 "$T/target" "$T/live-man" | tr '\n' ' ')
if [ -z "$missing" ]; then
	pass "man LIVE VIEW: names every target option as record's ($(wc -l <"$T/target"))"
else
	fail "man LIVE VIEW: the target options not named as record's: $missing"
fi

finish
