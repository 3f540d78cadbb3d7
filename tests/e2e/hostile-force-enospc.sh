#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `record --force` never destroys a good session (issue 9). The new session
# is written beside the old file and only replaces it once it holds data: a
# disk that fills before the first data chunk (ENOSPC) leaves the old file
# byte for byte as it was, no partial file beside it, and record says so in
# its one error line and exits 1. A small tmpfs with one page left free
# (room for the new file's header chunk, not for its first data chunk, of
# a busy system-wide second) stands for the full disk. Format 1.9 stores
# a sample in about 2 bytes, so a second at 999 Hz on two CPUs can fit in
# the page left (it did on CI): record samples at up to 9999 Hz, so the
# first data chunk is tens of KiB on any machine.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_workload phases split

D="$T/small"
mkdir "$D" || hard_error "cannot create $D"
mount -t tmpfs -o size=256k flametop-e2e "$D" 2>"$T/mount.err" ||
	skip "cannot mount a tmpfs here ($(head -n 1 "$T/mount.err")): needs CAP_SYS_ADMIN"
trap 'umount "$D" 2>/dev/null; ft_cleanup' EXIT

# The good session, recorded elsewhere and put on the small disk.
run_record good -F 999 -o "$T/good.session" -- "$WORKLOADS/phases" 300
assert_record_ok good "$T/good.session"
cp "$T/good.session" "$D/old.session"

# Every CPU busy, so the first second's data chunk is tens of KiB.
i=0
while [ "$i" -lt "$(getconf _NPROCESSORS_ONLN)" ]; do
	start_bg "$WORKLOADS/split" 40000
	i=$((i + 1))
done
free_kib=$(df -k --output=avail "$D" | tail -n 1 | tr -d ' ')
dd if=/dev/zero of="$D/filler" bs=1024 count=$((free_kib - 4)) 2>/dev/null
echo "  $(df -k --output=avail "$D" | tail -n 1 | tr -d ' ') KiB free on $D"

# The kernel may have lowered its limit (it does after slow interrupts).
freq=9999
max_rate=$(cat /proc/sys/kernel/perf_event_max_sample_rate 2>/dev/null || echo 0)
if [ "$max_rate" -gt 0 ] && [ "$max_rate" -lt "$freq" ]; then
	freq=$max_rate
fi
run_record force -a -F "$freq" -d 20 --force -o "$D/old.session"
assert_eq "$RC" 1 "force: record exit status"
assert_one_error_line "$T/force.err" "force"
assert_match "$(error_line "$T/force.err")" \
	"^flametop: $D/old.session: cannot write: No space left on device; stopping \\(the file is left as it was\\)\$" \
	"force: the error says the old file is kept"
if cmp -s "$T/good.session" "$D/old.session"; then
	pass "force: the old session is byte for byte as it was"
else
	fail "force: the old session changed ($(wc -c <"$D/old.session") bytes, was $(wc -c <"$T/good.session"))"
fi
assert_eq "$(find "$D" -name '*.partial-*' | wc -l)" 0 "force: no partial file left"
if "$FLAMETOP" report -i "$D/old.session" >"$T/old.report" 2>"$T/old.report.err"; then
	pass "force: the old session still loads"
else
	fail "force: the old session does not load: $(cat "$T/old.report.err")"
fi
assert_eq "$(cat "$T/old.report.err")" "" "force: and is complete"

finish
