#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The picker attaches: the explorer runs on one launched command (split);
# another process (phases), started separately and not sampled, is picked
# with p, typing its PID and Enter. flametop attaches to it and says so (the
# header's target too: "+ pid N"), the view shows only it, and its
# functions appear within seconds; p and Enter on the first line shows
# both programs again.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"
# shellcheck source=tests/e2e/tui.lib
. "$(dirname "$TESTLIB")/tui.lib"

need_root
need_perf_events
need_tmux
need_workload split phases

ENV="HOME='$T' XDG_CONFIG_HOME='$T/config'"
mkdir -p "$T/config"
start_bg "$WORKLOADS/phases" 30000
other=$BG_PID
wait_comm "$other" phases

tui_start attach 200 32 "$ENV '$FLAMETOP' -F 499 -- '$WORKLOADS/split' 30000"
assert_screen attach 'ft_split_heavy' "the launched command is sampled"
if tui_capture attach | grep -q 'ft_phase_'; then
	fail "the other process is sampled before it is picked"
else
	pass "the other process is not sampled before it is picked"
fi

tui_keys attach p
assert_screen attach 'PID' "p opens the picker"
# By PID: other programs named phases may run on this machine.
tui_keys attach -l "$other"
assert_screen attach "^ *\\[?[> ]* *$other .*phases" "typing filters the picker to the other process"
tui_keys attach Enter
assert_screen attach "attached to process $other \\(phases\\)" "Enter attaches to it"
assert_screen attach "^ flametop command: .* \\+ pid $other event " \
	"the header's target names the process attached to"
assert_screen attach 'ft_phase_(one|two)' "its functions appear"
assert_screen attach "only pid $other" "the view shows only it"
if tui_capture attach | grep -q 'ft_split_heavy'; then
	fail "the launched command still shows in a view filtered to the other process"
else
	pass "the launched command is filtered out"
fi

# Everything again: both programs.
tui_keys attach p
assert_screen attach 'PID' "p opens the picker again"
tui_keys attach Home Enter
assert_screen attach 'ft_split_heavy' "all: the launched command is back"
assert_screen attach 'ft_phase_(one|two)' "all: the attached process stays"
tui_exit attach
finish
