#!/bin/sh
# Run every cmocka test binary given as arguments, then the CLI tests, and end with
# one line "tests: N passed, M failed" (exit status 1 on any failure).
# BIN: the infersim binary under test.
top=$(cd "$(dirname "$0")/.." && pwd)
export INFERSIM_DATA="$top/data"
passed=0
failed=0
for t in "$@"; do
    out=$("$t" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' | tail -n 1)
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p' | tail -n 1)
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
        echo "$t: exited with status $rc"
        failed=$((failed + 1))
    fi
done
if [ -n "$BIN" ]; then
    out=$(BIN="$BIN" sh "$top/tests/cli_test.sh" 2>&1)
    printf '%s\n' "$out"
    p=$(printf '%s\n' "$out" | sed -n 's/^cli: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
    f=$(printf '%s\n' "$out" | sed -n 's/^cli: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
    if [ -z "$p" ]; then
        echo "cli tests did not finish"
        f=$((${f:-0} + 1))
    fi
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
fi
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
