#!/usr/bin/env bats
# promql: Prometheus 2.42's own PromQL test files (tests/promql, Apache
# 2.0, see the README there) run against our engine by promql-test, which
# judges as Prometheus' test framework does: instant, range-mode and @
# variants of every case.  One test per file; skipped cases are listed
# in tests/promql/skip.txt with their reason.

load helper

promql_file() {
	run -0 "$STRATA_TOOLS/promql-test" \
	    --skip "$TOP/tests/promql/skip.txt" "$TOP/tests/promql/$1.test"
	[[ ${lines[-1]} == *", 0 failed, "* ]]
}

@test "aggregators.test" { promql_file aggregators; }
@test "at_modifier.test" { promql_file at_modifier; }
@test "collision.test" { promql_file collision; }
@test "functions.test" { promql_file functions; }
@test "histograms.test" { promql_file histograms; }
@test "literals.test" { promql_file literals; }
@test "operators.test" { promql_file operators; }
@test "selectors.test" { promql_file selectors; }
@test "staleness.test" { promql_file staleness; }
@test "subquery.test" { promql_file subquery; }
@test "trig_functions.test" { promql_file trig_functions; }

@test "every file in tests/promql has a test here" {
	local f
	for f in "$TOP"/tests/promql/*.test; do
		f=${f##*/}
		grep -q "^@test \"$f\"" "$BATS_TEST_FILENAME"
	done
}

@test "a wrong expectation fails, with file and line" {
	cat >"$BATS_TEST_TMPDIR/bad.test" <<'T'
load 5m
  foo{a="1"} 0+10x10

eval instant at 50m foo
  foo{a="1"} 101
T
	run -1 "$STRATA_TOOLS/promql-test" "$BATS_TEST_TMPDIR/bad.test"
	[[ ${lines[0]} == *"bad.test:4: foo: expected 101 for"* ]]
	[[ ${lines[-1]} == *"0 passed, 1 failed, 0 skipped" ]]
}

@test "usage errors" {
	run -2 "$STRATA_TOOLS/promql-test"
	run -1 "$STRATA_TOOLS/promql-test" /nonexistent.test
}
