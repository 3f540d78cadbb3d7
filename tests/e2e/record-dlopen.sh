#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The dlopen workload spins in ft_dlopen_before for a given amount of work,
# then dlopens libftplugin.so (after recording started) and spins in its
# local function ft_plugin_spin for another. The plugin's function must be
# named, in module libftplugin.so, under its caller ft_plugin_run, with its
# part of the work: ft_plugin_spin / (ft_plugin_spin + ft_dlopen_before) is
# 0.75 launched and 0.5 or a little more attached (the little
# work done before attaching is not seen); at most 1% of the samples may be
# left as unsymbolized libftplugin.so+0x... offsets.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload dlopen libftplugin.so

# check_dlopen NAME SESSION LO HI [REPORT ARGS]: LO and HI bound
# ft_plugin_spin / (ft_plugin_spin + ft_dlopen_before), LO less what the
# number of samples allows; LO = HI is a value expected exactly (as
# assert_ratio allows).
check_dlopen() {
	n=$1
	s=$2
	lo=$3
	hi=$4
	shift 4
	report_json "$s" "$T/$n.json" "$@" || return
	print_top "$T/$n.json"
	p=$(share ft_plugin_spin "$T/$n.json" total)
	np=$(pair_samples ft_plugin_spin ft_dlopen_before "$T/$n.json" "$(report_samples "$s" "$@")" total)
	if [ "$lo" = "$hi" ]; then
		assert_ratio "$n: ft_plugin_spin / (ft_plugin_spin + ft_dlopen_before), total" \
			"$(ratio ft_plugin_spin ft_dlopen_before "$T/$n.json" total)" "$lo" "$np"
	else
		assert_between "$(ratio ft_plugin_spin ft_dlopen_before "$T/$n.json" total)" \
			"$(awk -v l="$lo" -v t="$(ratio_tol "$lo" "$np")" 'BEGIN { print l - t }')" "$hi" \
			"$n: ft_plugin_spin / (ft_plugin_spin + ft_dlopen_before), total ($np samples)"
	fi
	assert_between "$(share ft_plugin_spin "$T/$n.json" self)" "$(awk -v p="$p" 'BEGIN { print p - 5 }')" 100 \
		"$n: ft_plugin_spin self % (nearly all of its total)"
	assert_between "$(share ft_plugin_run "$T/$n.json" total)" "$(awk -v p="$p" 'BEGIN { print p - 1 }')" 100 \
		"$n: ft_plugin_run (its caller) total %"
	assert_between "$(awk -v p="$p" -v b="$(share ft_dlopen_before "$T/$n.json" total)" 'BEGIN { print p + b }')" 95 100 \
		"$n: ft_plugin_spin + ft_dlopen_before total %"
	assert_match "$(module_of ft_plugin_spin "$T/$n.json")" '(^|/)libftplugin\.so$' "$n: ft_plugin_spin's module is libftplugin.so"
	unnamed=$(jq -r '[.functions[] | select(.name | test("^libftplugin\\.so\\+0x")) | .self] | add // 0
		| . * 100 / '"$(total_of "$T/$n.json")" "$T/$n.json")
	assert_between "$unnamed" 0 1 "$n: % of samples left as libftplugin.so+0x... offsets"
}

# --- launched: plugin loaded after 0.5 of 2 CPU-seconds of work -------------
run_record cmd -F 999 -o "$T/cmd.session" -- "$WORKLOADS/dlopen" 2000 500
assert_record_ok cmd "$T/cmd.session"
check_dlopen cmd "$T/cmd.session" 0.75 0.75

# --- attached: plugin loaded after 1 of 2 CPU-seconds of work ---------------
# Recording from just after start until the process exits (-d only in case
# it never does): the plugin's part is 1 / (2 - the little work done before
# attaching), 0.5 or a little more.
start_bg "$WORKLOADS/dlopen" 2000 1000
wpid=$BG_PID
wait_comm "$wpid" dlopen
run_record pid -F 999 -d 110 -o "$T/pid.session" -p "$wpid"
assert_record_ok pid "$T/pid.session"
check_dlopen pid "$T/pid.session" 0.5 0.7
wait "$wpid" 2>/dev/null

# --- system-wide ----------------------------------------------------------
record_system all "$T/all.session" "$WORKLOADS/dlopen" 2000 500
wpid=$WPID
assert_record_ok all "$T/all.session" system
check_dlopen all "$T/all.session" 0.75 0.75 --pid "$wpid"

finish
