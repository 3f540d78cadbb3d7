#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The config file through the real binary (doc/flametop.1, LIVE VIEW;
# doc/themes.md): $XDG_CONFIG_HOME/flametop/config, else
# ~/.config/flametop/config. Each invalid golden case
# (tests/golden/config/invalid/<case>) is a usage error: exit status 2,
# exactly the line in its error file (the file named by its real path) and
# nothing else, before anything is started. The file is looked for where
# the documentation says; a theme the file names that does not exist is a
# usage error; a command-line option wins over the file.
# No terminal is needed: the file is read before the terminal is.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

CASES="$GOLDEN/config/invalid"
[ -d "$CASES" ] || hard_error "no golden cases in $CASES"

# live NAME ENV...: runs the explorer on "touch $T/NAME.ran" with the
# environment ENV (and no other HOME or XDG_CONFIG_HOME); RC, $T/NAME.err.
live() {
	name=$1
	shift
	env -u XDG_CONFIG_HOME -u HOME "$@" timeout -s KILL 30 "$FLAMETOP" -- touch "$T/$name.ran" \
		</dev/null >"$T/$name.out" 2>"$T/$name.err"
	RC=$?
}

# refused NAME WHAT: the run was a usage error that started nothing.
refused() {
	assert_eq "$RC" 2 "$1: exit status ($2)"
	if [ -e "$T/$1.ran" ]; then
		fail "$1: the command was started"
	else
		pass "$1: nothing was started"
	fi
}

# --- every invalid case, with its exact message --------------------------------
for dir in "$CASES"/*; do
	case=$(basename "$dir")
	mkdir -p "$T/xdg-$case/flametop"
	cp "$dir/config" "$T/xdg-$case/flametop/config"
	live "$case" XDG_CONFIG_HOME="$T/xdg-$case" HOME="$T/nohome"
	refused "$case" "invalid/$case"
	sed "s|$T/xdg-$case|\$XDG_CONFIG_HOME|" "$T/$case.err" >"$T/$case.got"
	if cmp -s "$dir/error" "$T/$case.got"; then
		pass "$case: the message is exactly $(cat "$dir/error")"
	else
		fail "$case: the message differs from $dir/error (- golden, + flametop):"
		diff -u "$dir/error" "$T/$case.got" | sed -n '3,$p' | cat -v | sed 's/^/  | /'
	fi
done

# --- where the file is looked for -----------------------------------------------
# A file that is refused shows which one was read.
mkdir -p "$T/home/.config/flametop" "$T/xdg/flametop"
printf 'colour = hot\n' >"$T/home/.config/flametop/config"
printf 'view = tree\n' >"$T/xdg/flametop/config"

live home HOME="$T/home"
refused home "HOME only"
assert_eq "$(cat "$T/home.err")" "flametop: $T/home/.config/flametop/config:1: unknown key 'colour'" \
	"without XDG_CONFIG_HOME, ~/.config/flametop/config is read"
live xdg HOME="$T/home" XDG_CONFIG_HOME="$T/xdg"
refused xdg "XDG_CONFIG_HOME set"
assert_eq "$(cat "$T/xdg.err")" "flametop: $T/xdg/flametop/config:1: view: one of flame, top, sandwich, inverted, lines, diff, difftop, heatmap" \
	"XDG_CONFIG_HOME wins over HOME"
# The XDG rule: a relative XDG_CONFIG_HOME is ignored.
cd "$T" || hard_error "cannot enter $T"
live relative HOME="$T/home" XDG_CONFIG_HOME=xdg
cd "$OLDPWD" || hard_error "cannot go back to $OLDPWD"
refused relative "relative XDG_CONFIG_HOME"
assert_eq "$(cat "$T/relative.err")" "flametop: $T/home/.config/flametop/config:1: unknown key 'colour'" \
	"a relative XDG_CONFIG_HOME is ignored for ~/.config"

# A valid file passes: the run goes on to want a terminal (exit 1).
printf 'view = top\ngraph = flame\n' >"$T/xdg/flametop/config"
live valid XDG_CONFIG_HOME="$T/xdg"
assert_eq "$RC" 1 "valid: exit status without a terminal"
assert_match "$(cat "$T/valid.err")" '^flametop: the live view needs a terminal' \
	"valid: no complaint about the file"

# No file at all, and no HOME: the defaults, no complaint.
live nofile XDG_CONFIG_HOME="$T/empty"
assert_match "$(cat "$T/nofile.err")" '^flametop: the live view needs a terminal' "no file: the defaults"
live nohome
assert_match "$(cat "$T/nohome.err")" '^flametop: the live view needs a terminal' "no HOME: the defaults"

# A directory where the file should be: one line naming it.
mkdir -p "$T/dir/flametop/config"
live dir XDG_CONFIG_HOME="$T/dir"
refused dir "a directory"
assert_eq "$(cat "$T/dir.err")" "flametop: $T/dir/flametop/config: Is a directory" "a directory: named"

# --- the theme the file names ---------------------------------------------------
printf 'theme = no-such-theme\n' >"$T/xdg/flametop/config"
live theme XDG_CONFIG_HOME="$T/xdg"
refused theme "a missing theme"
assert_one_error_line "$T/theme.err" "a missing theme"
assert_match "$(cat "$T/theme.err")" 'no-such-theme' "the error names the theme"
# The command line wins over the file.
env -u HOME XDG_CONFIG_HOME="$T/xdg" timeout -s KILL 30 "$FLAMETOP" --theme mono -- touch "$T/cli.ran" \
	</dev/null >/dev/null 2>"$T/cli.err"
assert_eq "$?" 1 "--theme over the file's theme: exit status without a terminal"
assert_match "$(cat "$T/cli.err")" '^flametop: the live view needs a terminal' \
	"--theme wins over the file's missing theme"
finish
