#!/bin/sh
# The MPI build's search over 2 ranks equals the single-process search (timings aside).
# Usage: mpi_test.sh MPI_BINARY SERIAL_BINARY; ends with "mpi: N passed, M failed".
top=$(cd "$(dirname "$0")/.." && pwd)
export INFERSIM_DATA="$top/data"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args="search --model llama-3.1-70b --systems h100-sxm,b200 --chips 1..16:x2 --batch 1,8,64,max --isl 1024,4096 --osl 256 --ttft-max 2 --json"
pass=0
fail=0
mpirun --oversubscribe -n 2 "$1" $args >"$tmp/mpi.json" 2>"$tmp/mpi.err" || { echo "mpirun failed"; cat "$tmp/mpi.err"; }
"$2" $args --threads 1 >"$tmp/one.json" 2>/dev/null
for f in one mpi; do jq 'del(.wall_s, .points_per_s)' "$tmp/$f.json" >"$tmp/$f.cmp" 2>/dev/null; done
if [ -s "$tmp/one.cmp" ] && cmp -s "$tmp/one.cmp" "$tmp/mpi.cmp"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: 2 MPI ranks differ from one process"; diff "$tmp/one.cmp" "$tmp/mpi.cmp" | head; fi
# a space of several chunks (2^18 points each), its CSV streamed as chunks are gathered
big="search --model llama-3.1-8b --systems h100-sxm --chips 1..16 --batch 1..1024 --isl 1024,4096 --osl 128,256 --csv"
mpirun --oversubscribe -n 2 "$1" $big >"$tmp/mpi.csv" 2>"$tmp/mpi.err" || { echo "mpirun failed"; cat "$tmp/mpi.err"; }
"$2" $big --threads 1 >"$tmp/one.csv" 2>/dev/null
rows=$(wc -l <"$tmp/one.csv")
if [ "$rows" -gt 262145 ] && cmp -s "$tmp/one.csv" "$tmp/mpi.csv"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: 2 MPI ranks stream a different CSV ($rows rows from one process)"; fi
echo "mpi: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
