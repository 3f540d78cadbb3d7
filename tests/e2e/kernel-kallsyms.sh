#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Kernel frames are named from /proc/kallsyms in a system-wide recording:
# t5-readzero spends nearly all of its time in the kernel reading
# /dev/zero, issuing the system call from ft_t5_read_zero itself. Recorded
# with -a, its samples are mostly kernel code; every kernel function of it
# is a name /proc/kallsyms has (no raw address, no [unknown]) in module
# [kernel.kallsyms]; and its stacks run main -> ft_t5_read_zero -> the
# kernel's system call path down to a kernel leaf: the kernel part hangs
# under the user-space caller.
#
# All of it twice (issue 14): first with no copy of the kernel's symbols in
# /run/flametop, which the run then writes (root's, mode 0600, in a
# directory of mode 0700), then with that copy, which the second run reads
# instead of /proc/kallsyms (the file is the same inode after it: read,
# not written again).
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload t5-readzero
case $(uname -m) in
x86_64 | aarch64) ;;
*) skip "t5-readzero makes its system call inline only on x86_64 and aarch64" ;;
esac
# Text symbols of the kernel and its modules, as root sees them.
awk '$2 ~ /^[tTwW]$/ && $1 !~ /^0+$/ { print $3 }' /proc/kallsyms | sort -u >"$T/kallsyms"
[ -s "$T/kallsyms" ] || skip "/proc/kallsyms shows no addresses here (kernel.kptr_restrict)"

# check_run NAME: records t5-readzero system-wide as NAME and checks its kernel frames.
check_run() {
	name=$1
	start_bg "$WORKLOADS/t5-readzero" 0
	W=$BG_PID
	wait_comm "$W" t5-readzero
	run_record "$name" -a -F 999 -d 2 -o "$T/$name.session"
	kill "$W"
	assert_record_ok_system "$name" "$T/$name.session"

	report_json "$T/$name.session" "$T/$name.json" --pid "$W" --top 0 || return
	print_top "$T/$name.json" 12
	total=$(total_of "$T/$name.json")
	assert_between "$total" 1 1e18 "t5-readzero (pid $W) has samples"

	# Mostly kernel: the read path clears 64 KiB per call, the loop around it
	# is a few instructions.
	kshare=$(jq -r '([.functions[] | select(.module == "[kernel.kallsyms]") | .self] | add // 0) * 100 / .total | floor' "$T/$name.json")
	assert_between "$kshare" 50 100 "share of t5-readzero's samples in [kernel.kallsyms] code (%)"

	# Every kernel function is a name kallsyms has.
	jq -r '.functions[] | select(.module == "[kernel.kallsyms]") | .name' "$T/$name.json" | sort -u >"$T/$name.knames"
	assert_between "$(wc -l <"$T/$name.knames")" 3 100000 "distinct kernel functions named"
	unnamed=$(comm -23 "$T/$name.knames" "$T/kallsyms" | head -n 5 | tr '\n' ' ')
	assert_eq "$unnamed" "" "kernel functions that are not /proc/kallsyms names"
	raw=$(jq -r '.functions[] | select(.name | test("^\\[unknown\\]|\\+0x|^0x")) | "\(.name) (\(.module))"' "$T/$name.json" | head -n 5 | tr '\n' ' ')
	assert_eq "$raw" "" "functions left as raw addresses"

	# The kernel part hangs under the user-space caller: main;ft_t5_read_zero
	# then kernel frames only, down to the leaf.
	report_folded "$T/$name.session" "$T/$name.folded" --pid "$W" || return
	under=$(awk -v ks="$T/kallsyms" '
		BEGIN { while ((getline s <ks) > 0) k[s] = 1 }
		{
			w = $NF
			all += w
			n = split(substr($0, 1, length($0) - length(w) - 1), f, ";")
			for (i = 1; i <= n && f[i] != "ft_t5_read_zero"; i++) {}
			if (i >= n || f[i - 1] != "main")
				next
			for (j = i + 1; j <= n && (f[j] in k); j++) {}
			if (j > n)
				good += w
		}
		END { printf "%d\n", all ? good * 100 / all : 0 }' "$T/$name.folded")
	sed -n '1,3p' "$T/$name.folded" | sed 's/^/  folded: /'
	assert_between "$under" 50 100 "share of samples in main;ft_t5_read_zero;<kernel frames> (%)"
}

cache=/run/flametop/kallsyms
if [ -d /run ] && [ -w /run ]; then
	rm -f "$cache"
	check_run uncached
	assert_eq "$(stat -c '%U %a %F' "$cache" 2>&1)" "root 600 regular file" "the copy of the kernel's symbols"
	assert_eq "$(stat -c '%U %a' /run/flametop)" "root 700" "its directory"
	inode=$(stat -c %i "$cache")
	check_run cached
	assert_eq "$(stat -c %i "$cache")" "$inode" "the copy's inode after a run that read it"
else
	echo "/run is not a directory root can write: no copy of the kernel's symbols to check"
	check_run uncached
fi
finish
