#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Where root writes, and whose the file is (issue 9). Running as root,
# `record -o PATH` refuses a path that goes through a directory another
# user could change (theirs, or writable by others without the sticky
# bit; a symbolic link in one): that user could swap a directory for a
# link to /etc between a check and the write. Paths through root's own
# directories, links included, and through a sticky directory's root-owned
# subdirectory, work. Under sudo (SUDO_UID/SUDO_GID set, as root), the
# user who ran sudo is trusted, and a file created in a directory of theirs
# becomes theirs, a --force replacement included; in root's directories
# it stays root's. The user is nobody.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_workload phases
id nobody >/dev/null 2>&1 || skip "no user 'nobody'"
NOBODY=$(id -u nobody)
NOGROUP=$(id -g nobody)
chmod 755 "$T"

# rec NAME PATH [ENV...]: records 100 ms of phases into PATH, with ENV.
rec() {
	name=$1
	out=$2
	shift 2
	echo "+ $* flametop record -o $out -- phases 100"
	env "$@" timeout -s KILL 60 "$FLAMETOP" record -F 99 -o "$out" -- "$WORKLOADS/phases" 100 \
		>"$T/$name.out" 2>"$T/$name.err"
	RC=$?
	sed 's/^/  stderr: /' "$T/$name.err"
}

# refused NAME PATH WHY: the record into PATH was refused, saying WHY (a
# regular expression), and wrote nothing anywhere.
refused() {
	assert_eq "$RC" 1 "$1: exit status"
	assert_one_error_line "$T/$1.err" "$1"
	assert_match "$(error_line "$T/$1.err")" "^flametop: $2: $3; refusing to write through it as root\$" "$1: says why"
	[ -e "$2" ] && fail "$1: $2 was created" || pass "$1: nothing created"
}

# --- a directory of nobody's on the way ----------------------------------------
mkdir -p "$T/pub/sub" "$T/victim"
chown -R nobody "$T/pub"
rec nobody-dir "$T/pub/sub/x.session"
refused nobody-dir "$T/pub/sub/x.session" "$T/pub belongs to uid $NOBODY"
# The attack itself: nobody's "sub" is a link to a directory of root's.
rm -r "$T/pub/sub"
ln -s "$T/victim" "$T/pub/sub"
chown -h nobody "$T/pub/sub"
rec nobody-link "$T/pub/sub/x.session"
refused nobody-link "$T/pub/sub/x.session" "$T/pub belongs to uid $NOBODY"
assert_eq "$(ls "$T/victim" | wc -l)" 0 "nobody-link: nothing written into the link's target"

# --- writable by everyone, without and with the sticky bit -------------------------
mkdir -p "$T/open/sub" "$T/sticky/roots" "$T/sticky/nobodys"
chmod 777 "$T/open"
chmod 1777 "$T/sticky"
chown nobody "$T/sticky/nobodys"
rec open "$T/open/sub/x.session"
refused open "$T/open/sub/x.session" "everyone can write to $T/open"
rec sticky-nobodys "$T/sticky/nobodys/x.session"
refused sticky-nobodys "$T/sticky/nobodys/x.session" "$T/sticky/nobodys belongs to uid $NOBODY, in a directory others can write to"
rec sticky-roots "$T/sticky/roots/x.session"
assert_eq "$RC" 0 "sticky-roots: a root-owned directory in a sticky one is fine"
# Straight into a shared directory: the file is created exclusively there.
rec sticky-file "$T/sticky/x.session"
assert_eq "$RC" 0 "sticky-file: a file right in a sticky directory is fine"

# --- root's own links are followed ------------------------------------------------
mkdir "$T/real"
ln -s "$T/real" "$T/rootlink"
rec rootlink "$T/rootlink/x.session"
assert_eq "$RC" 0 "rootlink: a link of root's is followed"
assert_eq "$(stat -c %U "$T/real/x.session" 2>/dev/null)" root "rootlink: the file is in the link's target"

# --- under sudo --------------------------------------------------------------------
SUDO="SUDO_USER=nobody SUDO_UID=$NOBODY SUDO_GID=$NOGROUP"
mkdir -p "$T/home/sub" "$T/rootdir"
chown -R nobody:"$NOGROUP" "$T/home"
# shellcheck disable=SC2086
rec sudo-home "$T/home/x.session" $SUDO
assert_eq "$RC" 0 "sudo-home: exit status"
assert_eq "$(stat -c '%u:%g %a' "$T/home/x.session" 2>/dev/null)" "$NOBODY:$NOGROUP 600" "sudo-home: the file is the user's, mode 600"
# shellcheck disable=SC2086
rec sudo-sub "$T/home/sub/x.session" $SUDO
assert_eq "$RC" 0 "sudo-sub: through the user's own directory"
assert_eq "$(stat -c '%u:%g' "$T/home/sub/x.session" 2>/dev/null)" "$NOBODY:$NOGROUP" "sudo-sub: the file is the user's"
# --force: the replacement is created beside the old file, and is theirs too.
env SUDO_USER=nobody SUDO_UID="$NOBODY" SUDO_GID="$NOGROUP" timeout -s KILL 60 "$FLAMETOP" record --force \
	-F 99 -o "$T/home/x.session" -- "$WORKLOADS/phases" 100 >"$T/sudo-force.out" 2>"$T/sudo-force.err"
assert_eq "$?" 0 "sudo-force: exit status"
assert_eq "$(stat -c '%u:%g' "$T/home/x.session")" "$NOBODY:$NOGROUP" "sudo-force: the replacement is the user's"
assert_eq "$(find "$T/home" -name '*.partial-*' | wc -l)" 0 "sudo-force: no partial file left"
# shellcheck disable=SC2086
rec sudo-rootdir "$T/rootdir/x.session" $SUDO
assert_eq "$RC" 0 "sudo-rootdir: exit status"
assert_eq "$(stat -c '%u' "$T/rootdir/x.session" 2>/dev/null)" 0 "sudo-rootdir: in root's directory the file stays root's"
# Not the user who ran sudo: still refused.
# shellcheck disable=SC2086
rec sudo-other "$T/pub/sub/x.session" SUDO_UID=12345 SUDO_GID=12345
refused sudo-other "$T/pub/sub/x.session" "$T/pub belongs to uid $NOBODY"

finish
