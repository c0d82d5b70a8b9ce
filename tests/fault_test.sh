#!/bin/sh
# Fault injection: run predict, search and serve with their N-th allocation failing, for
# every N in turn (tests/fault/failalloc.c, linked into FAULT_BIN with LeakSanitizer behind
# it).  Each run must end with the normal output (the failure was absorbed) or a non-zero
# status with a message on stderr — never a crash (a signal), never a leak (LeakSanitizer
# reports every block still unreachable at exit), never a time series left half-written.
# Usage: FAULT_BIN=build/fault/infersim sh tests/fault_test.sh
top=$(cd "$(dirname "$0")/.." && pwd)
export INFERSIM_DATA="$top/data"
BIN=${FAULT_BIN:-$top/build/fault/infersim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
total=0
bad=0
norm='del(.wall_s, .points_per_s, .events_per_s, .peak_rss_bytes)' # timings differ run to run

check() {
    name=$1
    shift
    INFERSIM_ALLOC_COUNT="$tmp/count" "$@" >"$tmp/base.raw" 2>"$tmp/base.err" && jq -S "$norm" "$tmp/base.raw" >"$tmp/base" ||
        { echo "fault: $name fails without faults"; cat "$tmp/base.err"; exit 1; }
    n=$(cat "$tmp/count")
    runs=0 crashes=0 silent=0 wrong=0 errors=0 leaks=0
    i=1
    while [ "$i" -le "$n" ]; do
        echo old >"$tmp/ts.csv"
        INFERSIM_FAIL_ALLOC=$i "$@" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        runs=$((runs + 1))
        if grep -q "LeakSanitizer" "$tmp/err"; then
            leaks=$((leaks + 1)); echo "fault: $name leaked when allocation $i failed:"; grep -A6 "leak of" "$tmp/err" | head -8
        elif [ "$rc" -ge 128 ]; then
            crashes=$((crashes + 1)); echo "fault: $name crashed (status $rc) when allocation $i failed"
        elif [ "$rc" -ne 0 ]; then
            errors=$((errors + 1))
            [ -s "$tmp/err" ] || { silent=$((silent + 1)); echo "fault: $name exited $rc without a message (allocation $i)"; }
            [ "$(cat "$tmp/ts.csv")" = old ] || { wrong=$((wrong + 1)); echo "fault: $name changed its output file on failure ($i)"; }
        elif ! jq -S "$norm" "$tmp/out" 2>/dev/null | cmp -s - "$tmp/base"; then
            wrong=$((wrong + 1)); echo "fault: $name printed a different result when allocation $i failed"
        fi
        ls "$tmp" | grep -q '\.tmp' && { wrong=$((wrong + 1)); echo "fault: $name left a temporary file ($i)"; rm -f "$tmp"/*.tmp*; }
        i=$((i + 1))
    done
    echo "fault: $name: $n allocations, each failed in turn: $errors clear errors, $((runs - errors - leaks)) absorbed, $crashes crashes, $leaks leaks"
    total=$((total + runs))
    bad=$((bad + crashes + silent + wrong + leaks))
}

check predict "$BIN" predict --model llama-3.1-8b --system h100-sxm --json
check search "$BIN" search --model llama-3.1-8b --systems h100-sxm --chips 1,2 --batch 1,max --threads 2 --json
check serve "$BIN" serve --model llama-3.1-8b --system h100-sxm --rate 5 --duration 20 --prefix-tokens 512 --prefixes 4 --json --timeseries "$tmp/ts.csv"
echo "fault: $total runs, $bad problems"
[ "$bad" -eq 0 ]
