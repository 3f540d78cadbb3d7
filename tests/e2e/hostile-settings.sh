#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Settings files someone else could choose (issue 9). flametop runs as root,
# and a theme path may name any file: a theme or config that is not a
# regular file (a FIFO nobody writes), that belongs to another user, that
# others may write, or that is huge, is refused in one line, at once,
# without reading it; a theme error never quotes the file it read (a file
# of secrets given as --theme), and a config error never prints the raw
# escape bytes of the line it quotes. All are usage errors (exit 2) said
# before a terminal is needed, so no terminal is used here.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
id nobody >/dev/null 2>&1 || skip "no user 'nobody' to own the files"
FIXTURE=$GOLDEN/tui/replay.session
[ -f "$FIXTURE" ] || hard_error "no fixture session $FIXTURE"
mkdir -p "$T/config/flametop" "$T/empty"

# settings_error NAME REGEX ENVDIR ARGS...: `flametop replay ARGS FIXTURE`,
# with XDG_CONFIG_HOME=ENVDIR, exits 2 within 30 s, prints nothing on
# stdout and one line matching REGEX on stderr.
settings_error() {
	name=$1
	want=$2
	cfg=$3
	shift 3
	t0=$(now_ms)
	HOME=$T XDG_CONFIG_HOME=$cfg timeout -s KILL 30 "$FLAMETOP" replay "$@" "$FIXTURE" \
		</dev/null >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	ms=$(($(now_ms) - t0))
	sed 's/^/  stderr: /' "$T/$name.err"
	assert_eq "$rc" 2 "$name: exit status (after $ms ms)"
	assert_eq "$(wc -l <"$T/$name.err")" 1 "$name: one line on stderr"
	assert_match "$(cat "$T/$name.err")" "$want" "$name: the message"
	assert_eq "$(wc -c <"$T/$name.out")" 0 "$name: nothing on stdout"
}

# --- a theme that is not a file --------------------------------------------------
mkfifo "$T/fifo.json"
settings_error theme-fifo "^flametop: $T/fifo.json: not a regular file\$" "$T/empty" --theme "$T/fifo.json"
settings_error theme-device "^flametop: /dev/zero: not a regular file\$" "$T/empty" --theme /dev/zero

# --- a theme someone else owns or may change --------------------------------------
printf '{"name": "theirs"}\n' >"$T/theirs.json"
chown nobody "$T/theirs.json"
settings_error theme-owner "^flametop: $T/theirs.json: owned by uid $(id -u nobody), not by you or root; not read\$" \
	"$T/empty" --theme "$T/theirs.json"
printf '{"name": "shared"}\n' >"$T/shared.json"
chmod 664 "$T/shared.json"
settings_error theme-group-writable "^flametop: $T/shared.json: writable by its group; not read \(chmod go-w\)\$" \
	"$T/empty" --theme "$T/shared.json"
chmod 666 "$T/shared.json"
settings_error theme-world-writable "^flametop: $T/shared.json: writable by everyone; not read \(chmod go-w\)\$" \
	"$T/empty" --theme "$T/shared.json"

# --- a huge theme (sparse: nothing is stored, nothing may be read) -----------------
truncate -s 8G "$T/huge.json"
settings_error theme-huge "^flametop: $T/huge.json: larger than 65536 bytes; not read\$" "$T/empty" --theme "$T/huge.json"

# --- a file of secrets given as the theme: nothing of it is printed --------------
printf 'root:$y$j9T$SECRETSALT$SECRETHASHxyz:19700:0:99999:7:::\nnobody:*:19700:0:99999:7:::\n' >"$T/shadow"
chmod 600 "$T/shadow"
settings_error theme-shadow "^flametop: $T/shadow:1:[0-9]+: [A-Za-z ]+\$" "$T/empty" --theme "$T/shadow"
assert_no_match "$(cat "$T/theme-shadow.err")" "SECRET|root|nobody|19700|'" "theme-shadow: no byte of the file is quoted"
printf '{"client_secret": "hunter2-SECRET"}\n' >"$T/secret.json"
chmod 600 "$T/secret.json"
settings_error theme-secret-json "^flametop: $T/secret.json: unknown key \(a theme has " "$T/empty" --theme "$T/secret.json"
assert_no_match "$(cat "$T/theme-secret-json.err")" "client_secret|hunter2|SECRET" "theme-secret-json: no key or value of the file is quoted"
printf '{"roles": {"client_secret": {}}, "palettes": {"hunter2": [1]}}\n' >"$T/secret2.json"
settings_error theme-secret-role "^flametop: $T/secret2.json: unknown role \(the roles are " "$T/empty" --theme "$T/secret2.json"
assert_no_match "$(cat "$T/theme-secret-role.err")" "client_secret|hunter2" "theme-secret-role: the unknown role is not quoted"
if [ -r /etc/shadow ] && [ -s /etc/shadow ]; then
	settings_error etc-shadow "^flametop: /etc/shadow:1:[0-9]+: [A-Za-z ]+\$" "$T/empty" --theme /etc/shadow
	first=$(head -n 1 /etc/shadow | cut -d: -f1)
	assert_no_match "$(cat "$T/etc-shadow.err")" "$first|'" "etc-shadow: no byte of /etc/shadow is printed"
fi

# --- the config file ---------------------------------------------------------------
printf 'mouse = no\n' >"$T/config/flametop/config"
chown nobody "$T/config/flametop/config"
settings_error config-owner "^flametop: $T/config/flametop/config: owned by uid $(id -u nobody), not by you or root; not read\$" \
	"$T/config"
chown root "$T/config/flametop/config"
chmod 646 "$T/config/flametop/config"
settings_error config-world-writable "^flametop: $T/config/flametop/config: writable by everyone; not read \(chmod go-w\)\$" \
	"$T/config"
rm -f "$T/config/flametop/config"
mkfifo "$T/config/flametop/config"
settings_error config-fifo "^flametop: $T/config/flametop/config: not a regular file\$" "$T/config"
rm -f "$T/config/flametop/config"
# A key that is a terminal escape (set the window title, then RLO): printed
# sanitized, never as the bytes.
printf '\033]0;pwned\007\342\200\256evil = 1\n' >"$T/config/flametop/config"
settings_error config-escape "^flametop: $T/config/flametop/config:1: unknown key '\\?\\]0;pwned\\?<U\\+202E>evil'\$" "$T/config"
if LC_ALL=C grep -q "$(printf '\033')" "$T/config-escape.err"; then
	fail "config-escape: an ESC byte reached stderr"
else
	pass "config-escape: no ESC byte on stderr"
fi

finish
