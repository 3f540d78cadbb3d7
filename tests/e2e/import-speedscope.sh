#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The speedscope and folded importers against speedscope's own files (npm
# package `speedscope`, which tools/install-deps installs): every valid
# golden speedscope input (tests/golden/import/speedscope/valid/) must
# pass speedscope's JSON schema (file-format-schema.json, checked with
# ajv-cli), so the golden cases test the format speedscope reads and not
# our idea of it; the golden case with an unknown unit must fail it; and
# the folded profile speedscope ships as its example (collapsed perf stacks
# of a Vert.x server) must import with every count accounted for.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

need_jq
: "${GOLDEN:?GOLDEN is not set: run through make check}"
command -v npm >/dev/null 2>&1 || skip "npm is not installed: no speedscope package to check against"
dir=${SPEEDSCOPE_DIR:-$(npm root -g 2>/dev/null)/speedscope}
schema=$dir/dist/release/file-format-schema.json
[ -f "$schema" ] || skip "npm package speedscope is not installed (npm install -g speedscope): no $schema"
AJV=$(command -v ajv) || skip "ajv-cli is not installed (npm install -g ajv-cli): cannot check the schema"

for input in "$GOLDEN"/import/speedscope/valid/*/input; do
	name=$(basename "$(dirname "$input")")
	cp "$input" "$T/$name.json" # ajv reads a file by its extension
	if "$AJV" validate --spec=draft7 -s "$schema" -d "$T/$name.json" >"$T/ajv.out" 2>&1; then
		pass "valid/$name follows speedscope's schema"
	else
		fail "valid/$name does not follow speedscope's schema: $(head -c 400 "$T/ajv.out")"
	fi
done
cp "$GOLDEN/import/speedscope/invalid/unknown-unit/input" "$T/unknown-unit.json"
if "$AJV" validate --spec=draft7 -s "$schema" -d "$T/unknown-unit.json" >"$T/ajv.out" 2>&1; then
	fail "the schema accepts a unit it does not list: the check above checks nothing"
elif grep -q 'must be equal to one of the allowed values' "$T/ajv.out"; then
	pass "the schema refuses an unknown unit, as the importer does"
else
	fail "ajv failed on the unknown unit for another reason: $(head -c 400 "$T/ajv.out")"
fi

example=$(ls "$dir"/dist/release/perf-vertx-stacks-01-collapsed-all*.txt 2>/dev/null | head -n 1)
if [ -n "$example" ]; then
	echo "+ flametop import $(basename "$example")"
	"$FLAMETOP" import "$example" -o "$T/vertx.session" 2>"$T/vertx.err"
	assert_eq "$?" 0 "speedscope's example folded profile: import exit status"
	if report_json "$T/vertx.session" "$T/vertx.json"; then
		assert_eq "$(total_of "$T/vertx.json")" \
			"$(awk '{ s += $NF } END { printf "%.0f\n", s }' "$example")" \
			"every count of the example is in the session"
		assert_eq "$(jq -r .unit "$T/vertx.json")" samples "folded counts are samples"
	fi
else
	echo "  (this speedscope package ships no example folded profile)"
fi

finish
