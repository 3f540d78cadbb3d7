#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The forkexec workload forks a child that execs "child" (ft_child_spin)
# while the parent spins in ft_parent_spin; both do the same work, so each
# gets half of the samples of the two, however busy the machine. Launched (--) and system-wide (-a), the child's function appears
# under the child's name (comm after exec) and the parent's under
# "forkexec", and a launched recording holds all of both processes' work.
# Attached (-p), the parent's function is there.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload forkexec child

# check_comm NAME FOLDED FUNCTION COMM: every folded stack ending in
# FUNCTION starts with COMM, and there is at least one.
check_comm() {
	if grep -q "[;]$3 [0-9]*\$" "$2" && ! grep "[;]$3 [0-9]*\$" "$2" | grep -vq "^$4;"; then
		pass "$1: stacks ending in $3 are under process name $4"
	else
		fail "$1: stacks ending in $3 are not all under $4: $(grep "$3" "$2" | head -n 3)"
	fi
}

# --- launched: follows the fork and the exec -------------------------------
# Each process does about 2 CPU-seconds of work: at least about a second of
# wall time on two CPUs, more on a busy machine. forkexec writes the CPU
# time the two used to FT_CPU_FILE.
FT_CPU_FILE=$T/cmd.cpu
export FT_CPU_FILE
steal0=$(steal_ms)
run_record cmd -F 999 -o "$T/cmd.session" -- "$WORKLOADS/forkexec" 2000
steal=$(($(steal_ms) - steal0))
unset FT_CPU_FILE
assert_record_ok cmd "$T/cmd.session"
assert_between "$ELAPSED_MS" 900 50000 "cmd: record ran as long as the command (ms)"
if report_json "$T/cmd.session" "$T/cmd.json"; then
	print_top "$T/cmd.json"
	assert_split cmd "$T/cmd.json" "$(report_samples "$T/cmd.session")" ft_parent_spin ft_child_spin 0.5 total
	assert_match "$(module_of ft_child_spin "$T/cmd.json")" '(^|/)child$' "cmd: ft_child_spin's module is the child executable"
	if [ "$(jq -r .unit "$T/cmd.json")" = ns ]; then
		# All of the work is in the recording: the two spins' CPU time is
		# nearly all the CPU that the kernel says the two processes used
		# (the rest: start-up, calibration, exec), and never more. The
		# clock that samples them (task-clock) runs while a process is on
		# a CPU, and a sample weighs a period only once a whole period
		# has run; but the kernel's CPU time leaves out what the
		# hypervisor stole meanwhile (steal_ms), which the clock counts:
		# the bound is against the CPU time plus the machine's steal
		# over the recording, all CPUs' (more than the two processes
		# could have lost). The 3% on top is interrupt time, the
		# sampling interrupts' own among it, which the clock counts to
		# the process interrupted and the scheduler need not.
		cpu_ns=$(cat "$T/cmd.cpu" 2>/dev/null)
		spin_ns=$(jq -r '[.functions[] | select(.name == "ft_parent_spin" or .name == "ft_child_spin")
			| .total] | add // 0' "$T/cmd.json")
		echo "  the kernel's CPU time of forkexec and child: ${cpu_ns:-none} ns"
		echo "  the hypervisor took $steal ms from the machine's CPUs meanwhile"
		if [ -n "$cpu_ns" ] && [ "$cpu_ns" -gt 0 ]; then
			assert_between "$(echo "$spin_ns $cpu_ns" | awk '{ printf "%.3f", $1 / $2 }')" 0.85 \
				"$(awk -v c="$cpu_ns" -v s="$steal" 'BEGIN { printf "%.3f", 1.03 * (c + s * 1e6) / c }')" \
				"cmd: ns in ft_parent_spin and ft_child_spin over the CPU time the two used"
		else
			fail "cmd: forkexec wrote no CPU time to $T/cmd.cpu"
		fi
	fi
fi
if report_folded "$T/cmd.session" "$T/cmd.folded"; then
	check_comm cmd "$T/cmd.folded" ft_child_spin child
	check_comm cmd "$T/cmd.folded" ft_parent_spin forkexec
fi

# --- attached: the parent ---------------------------------------------------
start_bg "$WORKLOADS/forkexec" 6000
wpid=$BG_PID
wait_comm "$wpid" forkexec
run_record pid -F 999 -d 2 -o "$T/pid.session" -p "$wpid"
assert_record_ok pid "$T/pid.session"
if report_json "$T/pid.session" "$T/pid.json" --pid "$wpid"; then
	print_top "$T/pid.json"
	assert_between "$(share ft_parent_spin "$T/pid.json" total)" 90 100 "pid: --pid parent: ft_parent_spin total %"
fi
# The child would spin on for its 6 CPU-seconds: end it too.
for c in $(cat /proc/"$wpid"/task/*/children 2>/dev/null); do
	kill "$c"
done
kill "$wpid"
wait "$wpid" 2>/dev/null

# --- system-wide: both, told apart by --pid --------------------------------
record_system all "$T/all.session" "$WORKLOADS/forkexec" 2000
wpid=$WPID
assert_record_ok all "$T/all.session" system
if report_json "$T/all.session" "$T/all.json" --pid "$wpid"; then
	print_top "$T/all.json"
	assert_between "$(share ft_parent_spin "$T/all.json" total)" 90 100 "all: --pid parent: ft_parent_spin total %"
	assert_between "$(share ft_child_spin "$T/all.json" total)" 0 0 "all: --pid parent: ft_child_spin total %"
fi
if report_folded "$T/all.session" "$T/all.folded"; then
	check_comm all "$T/all.folded" ft_child_spin child
	check_comm all "$T/all.folded" ft_parent_spin forkexec
fi

finish
