#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# --call-graph dwarf on code built without frame pointers. The nofp workload
# spins in main -> ft_nofp_outer -> ft_nofp_inner, compiled with
# -fomit-frame-pointer. With --call-graph dwarf the report must show outer and
# main in at least 90% of the samples (total); with frame pointers (the
# default) both are lost, and record says once that the stacks look
# truncated. Also: dwarf when attaching (-p, maps from /proc), dwarf on a
# frame-pointer workload (split: the same split of the work and the same
# call chain as fp, and fp mode says nothing about truncation there), the
# session's call_graph, bad --call-graph values, and the shares perf report
# finds on a perf record --call-graph dwarf run.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
need_workload nofp split

truncated_re='look truncated.*--call-graph dwarf'

# session_call_graph SESSION: the call_graph of the session's metadata.
session_call_graph() {
	python3 - "$1" <<'EOF' 2>/dev/null
import json, struct, sys, zlib
data = open(sys.argv[1], "rb").read()
off = 16
while off + 16 <= len(data):
    ctype, clen, ulen, crc = struct.unpack_from("<IIII", data, off)
    off += 16
    obj = json.loads(zlib.decompress(data[off:off + clen]))
    off += clen
    meta = obj.get("meta", obj) if isinstance(obj, dict) else {}
    if isinstance(meta, dict) and "call_graph" in meta:
        print(meta["call_graph"])
        break
EOF
}

# --- dwarf: outer and main are found ----------------------------------------
run_record dwarf -v --call-graph dwarf -F 999 -o "$T/dwarf.session" -- "$WORKLOADS/nofp" 2000
# -v says where the memory went: the modules' symbol and unwind tables
# (nofp's and libc's at least) are not nothing.
tables=$(sed -n 's/^flametop: memory: .* symbol and unwind tables \([0-9.]*\) MiB .*/\1/p' "$T/dwarf.err")
assert_between "$tables" 0.05 1024 "dwarf -v: MiB of symbol and unwind tables held"
# ... and the rest it counts: the rings mapped, a page at least.
mem_part() {
	sed -n "s/^flametop: memory: .* $1 \([0-9.]*\) MiB.*/\1/p" "$T/dwarf.err"
}
assert_between "$(mem_part 'ring buffers')" 0.01 1024 "dwarf -v: MiB of ring buffers"
grep -v '^flametop: \(sampling\|unwound\|memory:\) ' "$T/dwarf.err" >"$T/dwarf.err2" && mv "$T/dwarf.err2" "$T/dwarf.err"
assert_record_ok dwarf "$T/dwarf.session"
if report_json "$T/dwarf.session" "$T/dwarf.json"; then
	print_top "$T/dwarf.json"
	d_outer=$(share ft_nofp_outer "$T/dwarf.json" total)
	d_main=$(share main "$T/dwarf.json" total)
	assert_between "$d_outer" 90 100 "dwarf: ft_nofp_outer total %"
	assert_between "$d_main" 90 100 "dwarf: main total %"
	assert_between "$(share ft_nofp_inner "$T/dwarf.json" self)" 80 100 "dwarf: ft_nofp_inner self %"
fi
if report_folded "$T/dwarf.session" "$T/dwarf.folded"; then
	if grep -Eq '^nofp;(.*;)?main;ft_nofp_outer;ft_nofp_inner [0-9]+$' "$T/dwarf.folded"; then
		pass "dwarf: folded has nofp;...;main;ft_nofp_outer;ft_nofp_inner"
	else
		fail "dwarf: no folded line '...;main;ft_nofp_outer;ft_nofp_inner N': $(sort -t' ' -k2 -nr "$T/dwarf.folded" | head -n 3)"
	fi
fi
if command -v python3 >/dev/null 2>&1; then
	assert_eq "$(session_call_graph "$T/dwarf.session")" dwarf "dwarf: session metadata call_graph"
fi
assert_no_match "$(cat "$T/dwarf.err")" "$truncated_re" "dwarf: no truncated-stack notice"

# --- fp: both are lost, and record says why, once ----------------------------
run_record fp -F 999 -o "$T/fp.session" -- "$WORKLOADS/nofp" 2000
assert_eq "$RC" 0 "fp: record exit status"
if report_json "$T/fp.session" "$T/fp.json"; then
	print_top "$T/fp.json"
	f_outer=$(share ft_nofp_outer "$T/fp.json" total)
	f_main=$(share main "$T/fp.json" total)
	assert_between "$f_outer" 0 10 "fp: ft_nofp_outer total % (frame pointers cannot find it)"
	assert_between "$f_main" 0 10 "fp: main total % (frame pointers cannot find it)"
	echo "  the difference: ft_nofp_outer ${f_outer}% with fp, ${d_outer:-?}% with dwarf; main ${f_main}% vs ${d_main:-?}%"
fi
assert_eq "$(grep -Ec "^flametop: notice: .*$truncated_re" "$T/fp.err")" 1 "fp: one truncated-stack notice"
if command -v python3 >/dev/null 2>&1; then
	assert_eq "$(session_call_graph "$T/fp.session")" fp "fp: session metadata call_graph"
fi

# --- a frame-pointer program: no notice in fp mode, same shares in dwarf -----
run_record splitfp -F 999 -o "$T/splitfp.session" -- "$WORKLOADS/split" 1500
assert_record_ok splitfp "$T/splitfp.session"
assert_no_match "$(cat "$T/splitfp.err")" "$truncated_re" "split, fp: no truncated-stack notice"
run_record splitdw --call-graph dwarf,4096 -F 999 -o "$T/splitdw.session" -- "$WORKLOADS/split" 1500
assert_record_ok splitdw "$T/splitdw.session"
if report_json "$T/splitdw.session" "$T/splitdw.json"; then
	assert_split "split, dwarf,4096" "$T/splitdw.json" "$(report_samples "$T/splitdw.session")" \
		ft_split_heavy ft_split_light 0.75 total
	assert_caller "split, dwarf,4096" "$T/splitdw.json" ft_split_driver ft_split_heavy ft_split_light
	assert_between "$(share main "$T/splitdw.json" total)" 90 100 "split, dwarf,4096: main total %"
fi

# --- attached: the maps come from /proc/PID/maps ------------------------------
start_bg "$WORKLOADS/nofp" 0
wpid=$BG_PID
wait_comm "$wpid" nofp
run_record pid --call-graph dwarf -F 999 -d 2 -o "$T/pid.session" -p "$wpid"
kill "$wpid"
wait "$wpid" 2>/dev/null
assert_record_ok pid "$T/pid.session"
if report_json "$T/pid.session" "$T/pid.json"; then
	assert_between "$(share ft_nofp_outer "$T/pid.json" total)" 90 100 "pid: ft_nofp_outer total %"
	assert_between "$(share main "$T/pid.json" total)" 90 100 "pid: main total %"
fi

# --- bad values: one usage error line, exit 2 --------------------------------
for bad in lbr dwarf,0 dwarf,70000 dwarf,64K dwarf,12x dwarfish; do
	run_record "bad$bad" --call-graph "$bad" -o "$T/bad.session" -- "$WORKLOADS/nofp" 100
	assert_eq "$RC" 2 "--call-graph $bad: exit status"
	assert_one_error_line "$T/bad$bad.err" "--call-graph $bad"
	assert_match "$(error_line "$T/bad$bad.err")" 'call-graph' "--call-graph $bad: the error names the option"
done

# perf_record_dwarf MS: perf record --call-graph dwarf of nofp into $T/perf.data.
# perf 6.1 sometimes aborts at its end ("assertion failed at
# util/build-id.c"; perf_record_flags in lib.sh leaves out the BPF events
# that cause it): try up to three times.
perf_record_dwarf() {
	# shellcheck disable=SC2086 # PF is options or nothing
	perf_try "$T/perf.out" "$PERF" record -q $PF -N --call-graph dwarf -e cpu-clock -F 999 \
		-o "$T/perf.data" -- "$WORKLOADS/nofp" "$1"
}

# perf_dwarf_report MS: perf_record_dwarf, then its report (children, by
# symbol) into $T/perf.report. perf 6.1 also aborts now and then reading
# back what it recorded (the same assertion, on a busy machine), printing
# nothing: the pair is tried up to three times.
perf_dwarf_report() {
	for attempt in 1 2 3; do
		perf_record_dwarf "$1" &&
			"$PERF" report -i "$T/perf.data" --stdio --children --sort sym -g none \
				--percent-limit 0 >"$T/perf.report" 2>"$T/perf.report.err" &&
			grep -q '%' "$T/perf.report" && return 0
		echo "  perf record + report failed (attempt $attempt): $(head -c 200 "$T/perf.report.err")"
	done
	return 1
}

# --- perf agrees ----------------------------------------------------------------
# perf_children FUNCTION: FUNCTION's children (total) % in $T/perf.report.
perf_children() {
	awk -v f="$1" '$NF == f && $1 ~ /%$/ { sub("%", "", $1); if ($1 > s) s = $1 } END { printf "%.1f\n", s }' \
		"$T/perf.report"
}

if [ -n "$PERF" ] && [ -x "$PERF" ] && "$PERF" stat -e task-clock -x, -o /dev/null true >/dev/null 2>&1; then
	PF=$(perf_record_flags)
	echo "+ perf record --call-graph dwarf -e cpu-clock -F 999 -- nofp 2000"
	if perf_dwarf_report 2000; then
		grep -v '^#' "$T/perf.report" | grep -v '^$' | head -n 8
		p_outer=$(perf_children ft_nofp_outer)
		p_main=$(perf_children main)
		assert_between "$p_outer" 90 100 "perf itself: ft_nofp_outer children %"
		if [ -n "${d_outer:-}" ]; then
			assert_between "$(awk -v a="$d_outer" -v b="$p_outer" 'BEGIN { d = a - b; print (d < 0 ? -d : d) }')" 0 5 \
				"ft_nofp_outer total % vs perf (flametop $d_outer, perf $p_outer)"
			assert_between "$(awk -v a="$d_main" -v b="$p_main" 'BEGIN { d = a - b; print (d < 0 ? -d : d) }')" 0 5 \
				"main total % vs perf (flametop $d_main, perf $p_main)"
		fi
	else
		fail "perf record --call-graph dwarf and its report failed: $(head -c 400 "$T/perf.out") $(head -c 400 "$T/perf.report.err")"
	fi
else
	echo "perf is not usable here: the comparison with perf report is left out"
fi

finish
