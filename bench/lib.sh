# SPDX-License-Identifier: GPL-2.0-or-later
#
# What every bench script shares (sourced, not run): one way to print a
# figure, so that `make bench` reads as one table whichever bench measured
# it, and a summary at the end. bench/bench.h prints the same lines from C.
#
# A figure is one line:
#
#   NAME                                   VALUE        GOAL         PEER                     VERDICT
#   record CPU, deep stacks (x perf)       2.48 x       <= 1.0 x     perf record 1.20 s CPU   missed
#
# VERDICT is "met" or "missed" when the figure has a goal, "info" when it
# has none, "n/a" when it could not be measured. When BENCH_RESULTS names
# a file, each line is also appended to it (tab-separated), and
# bench_summary prints the count of met and missed figures and lists the
# missed ones. Benches print; they assert nothing.

# bench_fmt NUMBER: a value, 3 significant digits at most, a whole number
# without decimals, no exponent (goals print with %g); "?" for what is not
# a number.
bench_fmt() {
	awk -v v="$1" 'BEGIN {
		if (v !~ /^[-+]?[0-9.]+([eE][-+]?[0-9]+)?$/) { printf "?"; exit }
		a = v < 0 ? -v : v
		if (a >= 100 || a == int(a)) printf "%.0f", v
		else if (a >= 10) printf "%.1f", v
		else if (a >= 1) printf "%.2f", v
		else printf "%.3f", v
	}'
}

# bench_row NAME VALUE GOAL PEER VERDICT: one line of the table, as given.
bench_row() {
	printf '%-44s %-12s %-12s %-34s %s\n' "$1" "$2" "$3" "$4" "$5"
	if [ -n "${BENCH_RESULTS:-}" ]; then
		printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$BENCH_RESULTS"
	fi
}

# bench_header: the table's column names.
bench_header() {
	printf '%-44s %-12s %-12s %-34s %s\n' figure value goal peer verdict
}

# bench_line NAME VALUE UNIT OP GOAL [PEER]: a figure against its goal.
# OP is "<=" or ">="; "-" (with GOAL "-") for a figure without a goal. An
# empty VALUE (or "?") prints n/a: it could not be measured. The helpers
# here set only variables named _bl_*, so callers keep theirs.
bench_line() {
	if [ "$4" = - ]; then
		_bl_goal=-
	else
		_bl_goal="$4 $(awk -v g="$5" 'BEGIN { printf "%g", g }')${3:+ $3}"
	fi
	case $2 in
	'' | '?')
		bench_row "$1" "?" "$_bl_goal" "${6:--}" n/a
		return 0
		;;
	esac
	_bl_verdict=$(awk -v v="$2" -v op="$4" -v g="$5" 'BEGIN {
		if (op == "<=") print (v + 0 <= g + 0) ? "met" : "missed"
		else if (op == ">=") print (v + 0 >= g + 0) ? "met" : "missed"
		else print "info"
	}')
	bench_row "$1" "$(bench_fmt "$2")${3:+ $3}" "$_bl_goal" "${6:--}" "$_bl_verdict"
}

# bench_skip NAME REASON: a figure not measured here, and why.
bench_skip() {
	bench_row "$1" - - - "skipped: $2"
}

# bench_stats: reads numbers, one a line; prints "MEDIAN MIN MAX N"
# (the median of an even count is the mean of the middle two).
bench_stats() {
	sort -g | awk '{ v[NR] = $1 }
	END {
		if (!NR) { print "? ? ? 0"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		print m, v[1], v[NR], NR
	}'
}

# bench_now_ms: milliseconds on the monotonic-enough wall clock (date +%s%N).
bench_now_ms() {
	date +%s%3N
}

# bench_load: the load average and CPU count, for the top of a bench's output.
bench_load() {
	echo "load average $(cut -d' ' -f1-3 /proc/loadavg) on $(getconf _NPROCESSORS_ONLN) CPUs"
}

# bench_times_cpu FILE: the seconds of user + system time in the second line of
# `times` output saved in FILE ("XmY.YYYs XmY.YYYs": the shell's children).
bench_times_cpu() {
	tail -n 1 "$1" | awk '{
		n = 0
		for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); n += p[1] * 60 + p[2] }
		printf "%.3f", n }'
}

# bench_cpu_of COMMAND...: runs COMMAND (stdout to /dev/null, stderr to $T/err,
# $T being the caller's scratch directory); sets WALL and CPU (seconds:
# user + system of the command), and no other variable but _co_*. `times`
# runs in this shell: in a command substitution it would count the
# substitution's children instead.
bench_cpu_of() {
	times >"$T/times0"
	_co_t0=$(date +%s%N)
	"$@" >/dev/null 2>"$T/err"
	_co_rc=$?
	_co_t1=$(date +%s%N)
	times >"$T/times1"
	# shellcheck disable=SC2034 # WALL is what the caller reads
	WALL=$(awk -v a="$_co_t0" -v b="$_co_t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	# shellcheck disable=SC2034 # and CPU
	CPU=$(awk -v a="$(bench_times_cpu "$T/times0")" -v b="$(bench_times_cpu "$T/times1")" \
		'BEGIN { printf "%.3f", b - a }')
	return $_co_rc
}

# bench_have_perf: true when $PERF names a perf binary that runs.
bench_have_perf() {
	[ -n "${PERF:-}" ] && [ -x "$PERF" ]
}

# bench_summary FILE: how many figures met their goal, and the missed ones.
bench_summary() {
	[ -s "$1" ] || return 0
	echo
	echo "== summary"
	awk -F'\t' '
	$5 == "met" { met++ }
	$5 == "missed" { missed++; list = list sprintf("  missed: %-44s %s (goal %s)\n", $1, $2, $3) }
	$5 == "info" { info++ }
	$5 == "n/a" { na++ }
	$5 ~ /^skipped/ { skipped++ }
	END {
		printf "%d figures: %d met, %d missed, %d without a goal, %d not measured, %d skipped\n",
			NR, met, missed, info, na, skipped
		printf "%s", list
	}' "$1"
}

# bench_first_ms SOCKET SCRATCH MARKER COMMAND: runs the shell command line
# COMMAND in a new 200x50 pane of a private tmux server (socket SOCKET),
# and prints the milliseconds from its start until the ERE MARKER shows in
# the pane, polled every 10 ms (the figure's resolution: the poll itself
# takes a few ms more on a loaded box); "?" when it did not within 30 s.
# SCRATCH is a file it may write. The server is killed at the end, and the
# command waited for (up to 10 s): one that is still exiting (perf top takes
# a while) would otherwise slow down the run that comes next.
bench_first_ms() {
	tmux -L "$1" -f /dev/null new-session -d -s first -x 200 -y 50 \
		"read _bl_go; date +%s%3N >'$2'; exec $4" || {
		echo "?"
		return 0
	}
	tmux -L "$1" set-option -t first status off >/dev/null
	rm -f "$2"
	tmux -L "$1" send-keys -t first Enter
	_bl_end=$(($(bench_now_ms) + 30000))
	_bl_t1=
	while [ "$(bench_now_ms)" -lt "$_bl_end" ]; do
		if tmux -L "$1" capture-pane -p -t first 2>/dev/null | grep -Eq "$3"; then
			_bl_t1=$(bench_now_ms)
			break
		fi
		sleep 0.01
	done
	_bl_pid=$(tmux -L "$1" display-message -p -t first '#{pane_pid}' 2>/dev/null)
	tmux -L "$1" send-keys -t first q 2>/dev/null
	sleep 0.3
	tmux -L "$1" kill-server 2>/dev/null
	_bl_end=$(($(bench_now_ms) + 10000))
	while [ -n "$_bl_pid" ] && kill -0 "$_bl_pid" 2>/dev/null &&
		[ "$(bench_now_ms)" -lt "$_bl_end" ]; do
		sleep 0.05
	done
	if [ -n "$_bl_t1" ] && [ -s "$2" ]; then
		echo $((_bl_t1 - $(cat "$2")))
	else
		echo "?"
	fi
}
