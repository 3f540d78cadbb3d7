#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# CI cannot be fooled: .ci/tally, which judges a build's test results for
# .ci/run, is given results written by automake's real drivers
# (build-aux/test-driver, tap-driver.sh) in a scratch build directory:
# passing tests; the real golden-session.sh run over a copy of the goldens
# with one expected output broken; a script that skips and a TAP case that
# skips, with and without a line in an allowed-skips list. A broken golden
# and any skip not listed with its reason must make the verdict "failed"
# and the exit status 1; listed skips are counted as skipped and pass.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

src=$(cd "${srcdir:-.}" && pwd)
tally=$src/.ci/tally
[ -x "$tally" ] || hard_error "no $tally (srcdir '$src')"
[ -f "$src/build-aux/test-driver" ] || hard_error "no $src/build-aux/test-driver"
[ -f "$src/build-aux/tap-driver.sh" ] || hard_error "no $src/build-aux/tap-driver.sh"

# plain BUILDDIR NAME CMD...: runs CMD under automake's plain driver, as
# `make check` runs tests/e2e/*.sh, leaving BUILDDIR/NAME.{log,trs}.
plain() {
	b=$1 name=$2
	shift 2
	mkdir -p "$(dirname "$b/$name")"
	(cd "$b" && sh "$src/build-aux/test-driver" --test-name "$name" \
		--log-file "$name.log" --trs-file "$name.trs" --color-tests no \
		--enable-hard-errors yes --expect-failure no -- "$@") >/dev/null 2>&1
}

# tap BUILDDIR NAME CMD...: the same under the TAP driver (unit tests).
tap() {
	b=$1 name=$2
	shift 2
	mkdir -p "$(dirname "$b/$name")"
	(cd "$b" && AM_TAP_AWK=awk sh "$src/build-aux/tap-driver.sh" --test-name "$name" \
		--log-file "$name.log" --trs-file "$name.trs" --color-tests no \
		--enable-hard-errors yes --expect-failure no -- "$@") >/dev/null 2>&1
}

# judge NAME BUILDDIR ALLOWED: runs the tally; its output in $T/NAME.out,
# its last line in VERDICT, its exit status in RC.
judge() {
	"$tally" "$2" "$3" >"$T/$1.out" 2>&1
	RC=$?
	VERDICT=$(tail -n 1 "$T/$1.out")
	sed "s/^/  $1| /" "$T/$1.out"
}

# The test programs: a passing script, a TAP program (one case passes,
# one skips and says why), the same as cmocka writes it (cmocka's skip()
# prints "not ok # SKIP", which the TAP driver counts as a failure), a
# script that skips.
cat >"$T/pass.sh" <<'EOF'
echo "ok: all good"
EOF
cat >"$T/tap.sh" <<'EOF'
echo "1..2"
echo "ok 1 - test_parse"
echo "ok 2 - test_cycles # SKIP needs a hardware PMU (cycles)"
EOF
cat >"$T/cmocka.sh" <<'EOF'
echo "1..2"
echo "ok 1 - test_parse"
echo "# skipped: needs a hardware PMU (cycles)"
echo "not ok 2 # SKIP test_cycles"
EOF
cat >"$T/pmu.sh" <<'EOF'
echo "SKIP: needs a hardware PMU (cycles is not supported here)"
exit 77
EOF
: >"$T/none.allowed"
printf '# test  reason\ntests/e2e/pmu.sh  needs a hardware PMU\n' >"$T/plain.allowed"
printf 'tests/e2e/pmu.sh  tmux is not installed\n' >"$T/wrong.allowed"
printf 'tests/unit/test_tap:test_cycles  needs a hardware PMU\n' >"$T/tap.allowed"

# --- all pass ------------------------------------------------------------
b=$T/ok
plain "$b" tests/e2e/pass.sh sh "$T/pass.sh"
tap "$b" tests/unit/test_ok sh -c 'echo 1..1; echo "ok 1 - test_one"'
judge ok "$b" "$T/none.allowed"
assert_eq "$RC" 0 "all passing: exit status"
assert_eq "$VERDICT" "2 passed, 0 failed, 0 skipped" "all passing: verdict"
judge ok-repo "$b" "$src/.ci/allowed-skips"
assert_eq "$RC" 0 "all passing, the repository's allowed-skips: exit status"

# --- a broken golden -----------------------------------------------------
# The real golden test, over a copy of the goldens where one expected
# output says one sample more than the session holds.
cp -R "$GOLDEN" "$T/golden"
out=$T/golden/session/valid/basic/output
[ -s "$out" ] || hard_error "no golden $out"
awk 'NR == 1 { $NF = $NF + 1 } { print }' "$out" >"$out.new" && mv "$out.new" "$out"
b=$T/golden-broken
plain "$b" tests/e2e/pass.sh sh "$T/pass.sh"
(GOLDEN=$T/golden && export GOLDEN &&
	plain "$b" tests/e2e/golden-session.sh sh "$src/tests/e2e/golden-session.sh")
judge golden "$b" "$T/none.allowed"
assert_eq "$RC" 1 "broken golden: exit status"
assert_match "$VERDICT" '^1 passed, 1 failed, 0 skipped$' "broken golden: verdict"
assert_match "$(cat "$T/golden.out")" 'FAIL tests/e2e/golden-session.sh' "broken golden: names the test"
assert_match "$(cat "$T/golden.out")" 'valid/basic: folded output differs' "broken golden: names the case"

# --- a skipping script ---------------------------------------------------
b=$T/skip
plain "$b" tests/e2e/pass.sh sh "$T/pass.sh"
plain "$b" tests/e2e/pmu.sh sh "$T/pmu.sh"
grep -q '^:test-result: SKIP' "$b/tests/e2e/pmu.sh.trs" || hard_error "the driver did not record a skip"
judge skip "$b" "$T/none.allowed"
assert_eq "$RC" 1 "unexpected skip: exit status"
assert_eq "$VERDICT" "1 passed, 1 failed, 0 skipped" "unexpected skip: counted as failed"
assert_match "$(cat "$T/skip.out")" \
	'SKIP NOT ALLOWED: tests/e2e/pmu.sh: needs a hardware PMU \(cycles is not supported here\)' \
	"unexpected skip: names the test and its reason"
judge skip-allowed "$b" "$T/plain.allowed"
assert_eq "$RC" 0 "allowed skip: exit status"
assert_eq "$VERDICT" "1 passed, 0 failed, 1 skipped" "allowed skip: verdict"
assert_match "$(cat "$T/skip-allowed.out")" 'skip \(allowed\): tests/e2e/pmu.sh: needs a hardware PMU' \
	"allowed skip: listed with its reason"
judge skip-wrong "$b" "$T/wrong.allowed"
assert_eq "$RC" 1 "skip allowed for another reason: exit status"
assert_match "$(cat "$T/skip-wrong.out")" 'allowed only for: tmux is not installed' \
	"skip allowed for another reason: says which"

# --- a skipping TAP case -------------------------------------------------
b=$T/tap
tap "$b" tests/unit/test_tap sh "$T/tap.sh"
judge tap "$b" "$T/none.allowed"
assert_eq "$RC" 1 "unexpected TAP skip: exit status"
assert_eq "$VERDICT" "1 passed, 1 failed, 0 skipped" "unexpected TAP skip: verdict"
assert_match "$(cat "$T/tap.out")" \
	'SKIP NOT ALLOWED: tests/unit/test_tap:test_cycles: needs a hardware PMU \(cycles\)' \
	"unexpected TAP skip: names the case and its reason"
judge tap-allowed "$b" "$T/tap.allowed"
assert_eq "$RC" 0 "allowed TAP skip: exit status"
assert_eq "$VERDICT" "1 passed, 0 failed, 1 skipped" "allowed TAP skip: verdict"
judge tap-plain "$b" "$T/plain.allowed"
assert_eq "$RC" 1 "a TAP skip is not allowed by another test's line"
b=$T/cmocka
tap "$b" tests/unit/test_tap sh "$T/cmocka.sh"
judge cmocka "$b" "$T/tap.allowed"
assert_eq "$RC" 1 "cmocka's skip (not ok # SKIP): exit status"
assert_eq "$VERDICT" "1 passed, 1 failed, 0 skipped" "cmocka's skip: a failure, as make check counts it"

# --- nothing to judge ----------------------------------------------------
mkdir -p "$T/empty"
judge empty "$T/empty" "$T/none.allowed"
assert_eq "$RC" 2 "no results: exit status"

finish
