#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A Go program, recorded with frame pointers (Go keeps them): its stacks
# end in Go's own roots (runtime.goexit for a goroutine, runtime.mstart or
# runtime.rt0_go for a thread's system stack), not in main or
# start_thread, and are whole: record must not say they look truncated
# nor suggest --call-graph dwarf. tests/workloads/goprof.go, built here
# with Debian's golang-go, spins in main.spin (called from burnHeavy and
# burnLight) for most of its CPU.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_root
need_perf_events
need_jq
GO=$(command -v go) || skip "golang-go is not installed (apt-get install golang-go): no Go program to record"
SRC=$(dirname "$TESTLIB")/../workloads/goprof.go
[ -f "$SRC" ] || hard_error "no $SRC"

echo "+ go build goprof.go"
export GOCACHE="$T/gocache" GOPATH="$T/gopath" GO111MODULE=off GOFLAGS= CGO_ENABLED=0
timeout 300 "$GO" build -o "$T/goprof" "$SRC" >"$T/build.log" 2>&1 ||
	hard_error "go build failed: $(head -c 600 "$T/build.log")"
mkdir "$T/p"

run_record go -F 999 -o "$T/go.session" -- "$T/goprof" "$T/p" 300000000
assert_eq "$RC" 0 "record exit status"
assert_no_match "$(cat "$T/go.err")" 'look truncated' "no notice that Go's stacks look truncated"
if report_json "$T/go.session" "$T/go.json"; then
	print_top "$T/go.json"
	assert_between "$(share main.spin "$T/go.json")" 30 100 "main.spin self %"
fi

finish
