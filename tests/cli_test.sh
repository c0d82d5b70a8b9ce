#!/bin/sh
# CLI tests: exit codes, messages word for word, the JSON contract.
# Run by tests/run_all.sh with BIN set; ends with "cli: N passed, M failed".
top=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$top/infersim}
case "$BIN" in /*) ;; *) BIN="$top/$BIN" ;; esac
export INFERSIM_DATA="$top/data"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect CODE DESCRIPTION -- command...   (stdout to $tmp/out, stderr to $tmp/err)
expect() {
    code=$1; desc=$2; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq "$code" ]; then ok; else bad "$desc: exit $rc, expected $code"; cat "$tmp/err"; fi
}
# same_err EXPECTED-TEXT DESCRIPTION
same_err() {
    printf '%s\n' "$1" >"$tmp/want"
    if cmp -s "$tmp/want" "$tmp/err"; then ok; else bad "$2: stderr differs"; diff "$tmp/want" "$tmp/err"; fi
}
jq_true() {
    if jq -e "$1" "$tmp/out" >/dev/null 2>&1; then ok; else bad "$2: jq '$1' is not true"; fi
}

expect 0 "version" -- "$BIN" --version
grep -qx "infersim 0.1.0" "$tmp/out" && ok || bad "version text"

expect 0 "worked example" -- "$BIN" predict --model llama-3.1-70b --system h100-sxm --chips 8 --tp 8 --weights fp8 --kv fp8 --batch 64 --isl 2048 --osl 256
grep -q "^latency     TTFT" "$tmp/out" && ok || bad "human output has a latency line"

# an NVFP4 MoE checkpoint: fp8 dense layers beside fp4 experts; 896 tokens a rank dispatch
# 8 x 7168 fp4 values (0.5 B) each and take back 8 x 7168 bf16 ones: 25,690,112 and 102,760,448 B
expect 0 "nvfp4 moe" -- "$BIN" predict --model deepseek-r1 --system b200 --chips 8 --tp 1 --dp 8 --ep 8 --weights fp8 --experts fp4 --act fp4 --kv fp8 --batch 7168 --isl 1024 --osl 2048
grep -q "^precision   weights fp8, experts fp4, KV fp8, activations fp4 (GEMMs at fp4 rate; the fp8 weights' at fp8)$" "$tmp/out" && ok || bad "precision line names the dense GEMMs' rate"
expect 0 "nvfp4 moe json" -- "$BIN" predict --model deepseek-r1 --system b200 --chips 8 --tp 1 --dp 8 --ep 8 --weights fp8 --experts fp4 --act fp4 --kv fp8 --batch 7168 --isl 1024 --osl 2048 --json
jq_true '.precision.dense_gemm_compute == "fp8" and .precision.expert_gemm_compute == "fp4"' "dense and expert GEMM classes"
jq_true '[.breakdown.decode.collectives[] | select(.operator == "ep_all_to_all") | .bytes] == [25690112, 102760448]' "dispatch in fp4, combine in bf16"
# the all-to-alls wait for the busiest expert group (test_engine checks the factor by hand); a TP
# all-reduce has no expert groups
jq_true '[.breakdown.decode.collectives[] | select(.operator == "ep_all_to_all") | .busiest_group_factor > 1 and .busiest_group_factor < 1.1] | all' "busiest expert group"
# hot experts (--expert-skew 2): at 896 tokens a rank the popularity term dominates, 1 + 1.4236 x
# sqrt(4 x 7/255 + sampling) = 1.47 to 1.52 (test_engine checks it by hand)
expect 0 "expert skew" -- "$BIN" predict --model deepseek-r1 --system b200 --chips 8 --tp 1 --dp 8 --ep 8 --weights fp8 --experts fp4 --act fp4 --kv fp8 --batch 7168 --isl 1024 --osl 2048 --expert-skew 2 --json
jq_true '.system.expert_skew == 2 and ([.breakdown.decode.collectives[] | select(.operator == "ep_all_to_all") | .busiest_group_factor > 1.47 and .busiest_group_factor < 1.52] | all)' "expert skew widens the busiest group"
# redundant expert slots (an expert load balancer's copies): EP 48 over 256 experts needs 288 slots
expect 2 "ep not dividing the experts" -- "$BIN" predict --model deepseek-r1 --system gb200-nvl72 --chips 48 --tp 1 --ep 48 --dp 48
same_err 'infersim: error: --ep: ep 48 does not divide the 256 experts (redundant copies can fill the groups: --expert-slots 288)' "ep not dividing the experts names the slots"
expect 0 "expert slots" -- "$BIN" predict --model deepseek-r1 --system gb200-nvl72 --chips 48 --tp 1 --ep 48 --dp 48 --expert-slots 288 --weights fp8 --experts fp4 --act fp4 --kv fp8 --batch 67584 --isl 2000 --osl 100 --json
jq_true '.system.expert_slots == 288 and .system.ep == 48' "expert slots in the JSON"
expect 2 "bad expert slots" -- "$BIN" serve --model deepseek-r1 --system gb200-nvl72 --chips 48 --tp 1 --ep 48 --dp 48 --expert-slots 290 --rate 1
same_err 'infersim: error: --expert-slots: ep 48 does not divide the 290 expert slots (try 336)' "bad expert slots"
# a decode kernel with one thread block per query head (TensorRT-LLM before XQA) reads each of
# Llama-2-70B's KV heads once per query head: 8 times at TP 2.  The 7 further reads of a step at the
# mean context (64 x 3,073 keys x 80 layers x 4 KV heads x 128 x 2 x 1 B fp8 = 16.11 GB a chip)
# take 7 x 16.11 GB / (3.35 TB/s x 0.857) = 39.28 ms more per output token
expect 0 "grouped decode attention" -- "$BIN" predict --model llama-2-70b --system h100-sxm --chips 2 --weights fp8 --kv fp8 --batch 64 --isl 2048 --osl 2048 --json
jq_true '.system.decode_attention == "grouped"' "grouped is the default"
tpot_grouped=$(jq .tpot_s "$tmp/out")
expect 0 "per-head decode attention" -- "$BIN" predict --model llama-2-70b --system h100-sxm --chips 2 --weights fp8 --kv fp8 --batch 64 --isl 2048 --osl 2048 --decode-attention per-head --json
jq_true '.system.decode_attention == "per_head"' "per-head in the JSON"
jq_true "(.tpot_s - $tpot_grouped - 0.03928) | fabs < 0.0002" "per-head decode adds 7 KV reads"
expect 0 "per-head text" -- "$BIN" predict --model llama-2-70b --system h100-sxm --chips 2 --weights fp8 --kv fp8 --decode-attention per-head
grep -q "^llama-2-70b on 2 x h100-sxm (TP 2, PP 1, EP 1, DP 1; per-head decode attention)$" "$tmp/out" && ok || bad "per-head in the header"
expect 2 "bad decode attention" -- "$BIN" serve --model llama-2-70b --system h100-sxm --chips 2 --rate 1 --decode-attention pre-head
same_err 'infersim: error: --decode-attention: expected grouped (each KV head read once for its query heads) or per-head (once per query head), got "pre-head"; did you mean per-head?' "bad decode attention message"
expect 2 "expert skew on a dense model" -- "$BIN" predict --model llama-3.1-8b --system h100-sxm --expert-skew 1
same_err 'infersim: error: --expert-skew: given but llama-3.1-8b has no experts' "expert skew on a dense model"
expect 2 "bad expert skew" -- "$BIN" serve --model deepseek-r1 --system b200 --chips 8 --ep 8 --rate 1 --expert-skew x
same_err 'infersim: error: --expert-skew: expected a coefficient of variation from 0 to 100 (0: uniform routing), got "x"' "bad expert skew"

expect 0 "json" -- "$BIN" predict --model llama-3.1-70b --system h100-sxm --chips 8 --weights fp8 --kv fp8 --batch 64 --isl 2048 --osl 256 --json
for k in ttft_s tpot_s e2e_s output_tok_s output_tok_s_per_user total_tok_s batch max_batch fits memory breakdown model warnings; do
    jq_true "has(\"$k\")" "json key $k"
done
jq_true '.model.kv_bytes_per_token == 163840' "fp8 KV bytes per token of Llama-3.1-70B (80 x 2 x 8 x 128 x 1)"
jq_true '.model | has("params_total") and has("params_active")' "model params"
jq_true '.fits == true and .batch == 64' "fits at batch 64"
jq_true '.memory.hbm3.capacity == 85e9' "memory per tier"
jq_true '.breakdown.decode.by_bound | has("memory:hbm3")' "breakdown by bound"
jq_true '(.e2e_s - (.ttft_s + 255 * .tpot_s)) | fabs < 1e-9' "e2e = ttft + (osl-1) tpot"
# the decode step's TP all-reduces, hand-counted: 2 per layer x 80 layers + 1 after the vocab-parallel
# embedding = 161 calls, each of the 16-bit residual stream of the batch: 64 x 8192 x 2 B = 1,048,576 B,
# among the 8 chips of the NVLink domain; together they are the breakdown's tp_all_reduce time
jq_true '.breakdown.decode.collectives[] | select(.operator == "tp_all_reduce") | .calls == 161 and .bytes == 1048576 and .chips == 8 and .level == "nvlink4"' "decode all-reduces counted and sized"
# (JSON reals carry 10 significant digits: the sum is checked to that precision)
jq_true '.breakdown.decode as $d | $d.collectives[] | select(.operator == "tp_all_reduce") | ((.total_s / $d.by_operator.tp_all_reduce - 1) | fabs < 1e-9) and (.time_per_call_s as $t | (.latency_per_call_s + .bandwidth_per_call_s - $t) | fabs < 1e-9 * $t)' "collectives sum to the breakdown"
# an in-network (NVLink SHARP) all-reduce is 2 steps through the switch, each a link in and a link out
jq_true '.breakdown.decode.collectives[] | select(.operator == "tp_all_reduce") | .algorithm == "in_network" and .hops == 4' "in-network all-reduce crosses 4 links"
for k in energy_j_per_token avg_power_w tokens_per_joule usd_per_mtok_output usd_per_mtok_input gco2e_per_mtok tco carbon energy; do
    jq_true "has(\"$k\")" "json key $k"
done
jq_true '.energy_j_per_token > 0 and .usd_per_mtok_output > 0 and .gco2e_per_mtok > 0' "energy, cost and carbon computed"
jq_true '(.tokens_per_joule * .energy_j_per_token - 1) | fabs < 1e-9' "tokens per joule = 1 / J per token"

# masked diffusion: its options only for a diffusion model; the report says how it was sampled
expect 2 "diffusion options on an autoregressive model" -- "$BIN" predict --model llama-3.1-8b --system h100-sxm --diffusion-steps 4
same_err 'infersim: error: --diffusion-steps: llama-3.1-8b is not a masked-diffusion model (model_type "llama"): it decodes token by token' "diffusion options on an autoregressive model"
expect 0 "diffusion json" -- "$BIN" predict --model llada-8b --system h100-sxm --isl 512 --osl 256 --diffusion-block 64 --json
jq_true '.workload.diffusion == {"steps": 256, "block": 64, "block_cache": false} and .memory.hbm3.kv == 0' "diffusion workload in the JSON, no KV cache"
jq_true '(.e2e_s / .ttft_s - 4) | fabs < 1e-6' "four blocks of 64: the first is final after a quarter of the steps"
expect 2 "diffusion has no prefill to disaggregate" -- "$BIN" predict --model llada-8b --system h100-sxm --prefill-chips 1

expect 0 "hyperscale site" -- "$BIN" predict --model llama-3.1-70b --system h100-sxm --chips 8 --weights fp8 --kv fp8 --batch 64 --isl 2048 --osl 256 --site us-hyperscale --json
jq_true '.tco.site == "us-hyperscale"' "site chosen"
# Disaggregated serving: 2 prefill instances and 1 decode instance of 8 H100s each.  Each pool is the
# same engine as a plain prediction: the decode TPOT is the static batch-64 decode TPOT, a prefill
# instance clears the 4 prompts of one 8192-token chunk in the TTFT of a batch-4, osl-1 prediction;
# the whole serves min(2 x prefill rate, 1 x decode rate); the KV cache of a request is
# 163,840 B/token (fp8) x 2048 tokens = 335,544,320 B, sent over the level joining 24 chips (InfiniBand).
expect 0 "decode alone" -- "$BIN" predict --model llama-3.1-70b --system h100-sxm --chips 8 --weights fp8 --kv fp8 --batch 64 --isl 2048 --osl 256 --json
cp "$tmp/out" "$tmp/dec.json"
expect 0 "prefill alone" -- "$BIN" predict --model llama-3.1-70b --system h100-sxm --chips 8 --weights fp8 --kv fp8 --batch 4 --isl 2048 --osl 1 --json
cp "$tmp/out" "$tmp/pre.json"
expect 0 "disaggregated" -- "$BIN" predict --model llama-3.1-70b --system h100-sxm --chips 8 --weights fp8 --kv fp8 --batch 64 --isl 2048 --osl 256 --prefill-chips 8 --prefill-instances 2 --json
jq -e --slurpfile dec "$tmp/dec.json" --slurpfile pre "$tmp/pre.json" '
  (.tpot_s == $dec[0].tpot_s) and
  ((.prefill.requests_per_s_per_instance * $pre[0].ttft_s / 4 - 1) | fabs < 1e-8) and
  ((.decode.requests_per_s_per_instance * 255 * .tpot_s / 64 - 1) | fabs < 1e-8) and
  ((.requests_per_s / ([2 * .prefill.requests_per_s_per_instance, .decode.requests_per_s_per_instance] | min) - 1) | fabs < 1e-8) and
  ((.output_tok_s / (.requests_per_s * 256) - 1) | fabs < 1e-8) and .chips == 24 and
  (.kv_transfer.bytes == 335544320) and .kv_transfer.level == "ib-ndr" and
  ((.ttft_s / (.prefill_one_prompt_s + .kv_transfer.seconds) - 1) | fabs < 1e-8) and
  ((.energy_j_per_token * .output_tok_s / .avg_power_w - 1) | fabs < 1e-8)' "$tmp/out" >/dev/null \
    && ok || bad "disaggregated pools agree with their plain predictions"
jq_true '.bound == "decode" and .decode.busy == 1 and .prefill.busy < 1' "the decode pool binds, the prefill pool idles part of the time"
expect 2 "prefill plan" -- "$BIN" predict --model llama-3.1-70b --system h100-sxm --chips 8 --prefill-chips 3 --osl 64
same_err 'infersim: error: --prefill-tp: tp 3 does not divide the 64 attention heads' "prefill plan names its flag"
expect 2 "disaggregated osl 1" -- "$BIN" predict --model llama-3.1-8b --system h100-sxm --osl 1 --prefill-chips 1
same_err 'infersim: error: --osl: disaggregated serving needs an output of at least 2 tokens (the first comes from prefill), got 1' "disaggregated osl 1"

# the same pools as a search dimension: its TP-8 decode point equals the prediction above (CSV, 6 digits);
# 10 factorisations of 8 chips (ordered tp x pp x dp = 8) x 2 prefill sizes x 3 prefill counts x 2 decode
# counts = 120 points
expect 0 "disaggregated again" -- "$BIN" predict --model llama-3.1-70b --system h100-sxm --chips 8 --weights fp8 --kv fp8 --batch 64 --isl 2048 --osl 256 --prefill-chips 8 --prefill-instances 2 --json
cp "$tmp/out" "$tmp/dis.json"
expect 0 "disaggregated search" -- "$BIN" search --model llama-3.1-70b --systems h100-sxm --chips 8 --batch 64 --isl 2048 --osl 256 --prefill-chips 4,8 --prefill-instances 1..3 --decode-instances 1,2 --csv
[ "$(tail -n +2 "$tmp/out" | wc -l)" -eq 120 ] && ok || bad "disaggregated search: 120 points"
row=$(awk -F, '$3==8 && $4==1 && $6==1 && $12==8 && $13==2 && $14==1' "$tmp/out")
tpc=$(jq '.output_tok_s_per_chip' "$tmp/dis.json")
echo "$row" | awk -F, -v want="$tpc" '{ d = $21 / want - 1; if (d < 0) d = -d; exit !(d < 1e-5 && $15 == "feasible" && $26 == 24) }' \
    && ok || bad "disaggregated search point equals predict"
"$BIN" search --model llama-3.1-70b --systems h100-sxm --chips 4,8 --batch 16,max --isl 2048 --osl 256 --prefill-chips 4,8 --prefill-instances 1..3 --decode-instances 1,2 --csv --threads 1 >"$tmp/t1.csv" 2>/dev/null
"$BIN" search --model llama-3.1-70b --systems h100-sxm --chips 4,8 --batch 16,max --isl 2048 --osl 256 --prefill-chips 4,8 --prefill-instances 1..3 --decode-instances 1,2 --csv --threads 2 >"$tmp/t2.csv" 2>/dev/null
[ -s "$tmp/t1.csv" ] && cmp -s "$tmp/t1.csv" "$tmp/t2.csv" && ok || bad "disaggregated search: same points on 1 and 2 threads"
# a chip budget of 16 keeps, of the 12 pool shapes (4 or 8 prefill chips x 1..3 x decode 1..2 of 8),
# those of at most 16 chips: 1x4+1x8, 2x4+1x8, 1x8+1x8 -- 3 of 12, so 90 of the 120 points exceed it
expect 0 "chip budget" -- "$BIN" search --model llama-3.1-70b --systems h100-sxm --chips 8 --batch 64 --isl 2048 --osl 256 --prefill-chips 4,8 --prefill-instances 1..3 --decode-instances 1,2 --chips-max 16 --json
jq_true '.evaluated == 120 and .infeasible["chips above the budget"] == 90' "chip budget counted"
# the example spec: 10 splits of the 8-GPU decode instance x 3 batches x 2 prefill sizes x 4 x 2 counts
expect 0 "disaggregated spec" -- "$BIN" search --spec "$top/data/sweeps/disaggregated.yaml" --csv
[ "$(tail -n +2 "$tmp/out" | wc -l)" -eq 480 ] && head -1 "$tmp/out" | grep -q ",chips_total$" && ok || bad "disaggregated spec: 480 points, chips_total column"
expect 2 "pools without prefill chips" -- "$BIN" search --model llama-3.1-8b --systems h100-sxm --decode-instances 2
same_err 'infersim: error: --decode-instances: pool sizes need --prefill-chips (the chips of one prefill instance)' "pools need prefill chips"

# a shared prefix (system prompt, RAG context) is computed once and cached once: Llama-3.1-70B fp8 KV at
# TP 8 holds 163,840 / 8 = 20,480 B per token per chip, so a 7168-token prefix is 146,800,640 B and each
# request keeps its own 8192 + 512 - 7168 = 1536 tokens; batch-1 TPOT is unchanged (the same bytes are read)
expect 0 "no prefix" -- "$BIN" predict --model llama-3.1-70b --system h100-sxm --chips 8 --weights fp8 --kv fp8 --batch 1 --isl 8192 --osl 512 --json
cp "$tmp/out" "$tmp/nopre.json"
expect 0 "shared prefix" -- "$BIN" predict --model llama-3.1-70b --system h100-sxm --chips 8 --weights fp8 --kv fp8 --batch 1 --isl 8192 --osl 512 --shared-prefix 7168 --json
jq -e --slurpfile no "$tmp/nopre.json" '.memory.hbm3.kv_shared_prefix == 146800640 and
  .memory.hbm3.kv == 146800640 + 1536 * 20480 and ((.tpot_s / $no[0].tpot_s - 1) | fabs < 1e-9) and
  .ttft_s < $no[0].ttft_s / 5 and .workload.shared_prefix == 7168' "$tmp/out" >/dev/null \
    && ok || bad "shared prefix: cached once, TPOT unchanged, TTFT only for the own tokens"
expect 2 "prefix as long as the prompt" -- "$BIN" predict --model llama-3.1-8b --system h100-sxm --isl 100 --shared-prefix 100
same_err 'infersim: error: --shared-prefix: expected 0 to isl - 1 = 99 tokens (each prompt needs a token of its own), got 100' "prefix error"

# Operational carbon is wall energy x grid intensity, so the same deployment in Norway (30 g/kWh, Ember
# 2023) emits 30/390 of what it emits on the U.S. average grid (390 g/kWh, EIA); both sites share PUE 1.58.
expect 0 "us-average site" -- "$BIN" predict --model llama-3.1-70b --system h100-sxm --chips 8 --weights fp8 --batch 64 --site us-average --json
cp "$tmp/out" "$tmp/us.json"
expect 0 "norway site" -- "$BIN" predict --model llama-3.1-70b --system h100-sxm --chips 8 --weights fp8 --batch 64 --site norway --json
jq -e --slurpfile us "$tmp/us.json" '(.carbon.operational_gco2e_per_hour / $us[0].carbon.operational_gco2e_per_hour - 30/390) | fabs < 1e-9' "$tmp/out" >/dev/null \
    && ok || bad "operational carbon scales with grid intensity"
expect 2 "unknown site" -- "$BIN" predict --model llama-3.1-8b --system h100-sxm --site us-averag
same_err 'infersim: error: --site: unknown site "us-averag"; did you mean "us-average"? (`infersim sites` lists them)' "unknown site"

expect 0 "batch max json" -- "$BIN" predict --model "$top/data/models/llama-3.1-8b.json" --system "$top/data/systems/h100-sxm.yaml" --batch max --isl 1024 --osl 1024 --json
jq_true '.batch == .max_batch and .scenario == "steady_state"' "batch max picks the largest batch"

expect 0 "max-batch cap" -- "$BIN" predict --model llama-3.1-8b --system h100-sxm --batch max --max-batch 100 --json
jq_true '.batch == 100' "--max-batch caps the batch"

expect 0 "csv" -- "$BIN" predict --model llama-3.1-8b --system h100-sxm --csv
head -n 1 "$tmp/out" | grep -q "^model,system,chips,tp,pp,ep,dp," && ok || bad "csv header"
[ "$(wc -l <"$tmp/out")" -eq 2 ] && ok || bad "csv has one row"

# does not fit: exit 3, JSON still printed
expect 3 "not fits" -- "$BIN" predict --model llama-3.1-70b --system h100-sxm --weights bf16 --json
jq_true '.fits == false and (.reason | startswith("needs "))' "not-fits reason"
grep -q "add chips, lower precision, or add a memory tier" "$tmp/err" && ok || bad "not-fits advice on stderr"

# bad input: exit 2 and the exact message
expect 2 "unknown model" -- "$BIN" predict --model llama-3.1-7b --system h100-sxm
same_err 'infersim: error: --model: unknown model "llama-3.1-7b"; did you mean "llama-3.1-70b"? (`infersim models` lists them)' "unknown model"
expect 2 "unknown system" -- "$BIN" predict --model llama-3.1-8b --system h100-sx
same_err 'infersim: error: --system: unknown system "h100-sx"; did you mean "h100-sxm"? (`infersim systems` lists them)' "unknown system"
expect 2 "unknown option" -- "$BIN" predict --model llama-3.1-8b --system h100-sxm --bach 4
same_err 'infersim: error: unknown option "--bach"; did you mean "--batch"?' "unknown option"
expect 2 "bad batch" -- "$BIN" predict --model llama-3.1-8b --system h100-sxm --batch lots
same_err 'infersim: error: --batch: expected an integer, got "lots" or "max"' "bad batch"
expect 2 "negative isl" -- "$BIN" predict --model llama-3.1-8b --system h100-sxm --isl -5
same_err 'infersim: error: --isl: expected an integer >= 1, got -5' "negative isl"
expect 2 "missing model" -- "$BIN" predict --system h100-sxm
same_err 'infersim: error: --model: required (see infersim predict --help)' "missing model"
expect 2 "bad tp" -- "$BIN" predict --model llama-3.1-70b --system h100-sxm --chips 3
same_err 'infersim: error: --tp: tp 3 does not divide the 64 attention heads' "bad tp"
expect 2 "bad precision" -- "$BIN" predict --model llama-3.1-8b --system h100-sxm --kv fp9
same_err 'infersim: error: --kv: unknown precision "fp9"; did you mean "fp8"?' "bad precision"

printf '{\n  "hidden_size": 4096,\n  "num_hidden_layers": 32\n  "vocab_size": 1\n}\n' >"$tmp/bad.json"
expect 2 "malformed config" -- "$BIN" predict --model "$tmp/bad.json" --system h100-sxm
head -n 1 "$tmp/err" | grep -q "^$tmp/bad.json:4:[0-9]*: error: invalid JSON: " && ok || bad "malformed config message"

cat >"$tmp/neg.yaml" <<'Y'
name: neg
chip:
  peak_TFLOPs: {bf16: 100}
  compute_efficiency: 0.7
memory:
  - {name: hbm, capacity_GB: -80, bandwidth_GBps: 1000}
Y
expect 2 "negative capacity" -- "$BIN" show system "$tmp/neg.yaml"
same_err "$tmp/neg.yaml:6:30: error: memory[0].capacity_GB: expected a number > 0, got -80
    - {name: hbm, capacity_GB: -80, bandwidth_GBps: 1000}
                               ^" "negative capacity"

# 10 MB strings (made here, not committed): a config whose model_type and a system whose name are
# 10,000,000 characters load, predict and show, the text cut to its field (31 and 63 characters)
python3 -c "
import json, sys
c = json.load(open('$INFERSIM_DATA/models/llama-3.2-1b.json')); c['model_type'] = 'x' * 10000000
json.dump(c, open('$tmp/long.json', 'w'))
y = open('$INFERSIM_DATA/systems/h100-sxm.yaml').read().replace('name: h100-sxm', 'name: ' + 'y' * 10000000, 1)
open('$tmp/long.yaml', 'w').write(y)"
expect 0 "10 MB string in a config" -- "$BIN" predict --model "$tmp/long.json" --system "$tmp/long.yaml" --json
jq_true '(.system.name | length) == 63 and .tpot_s > 0' "10 MB name cut to its field"
expect 0 "10 MB string shown" -- "$BIN" show model "$tmp/long.json"
grep -q "model_type $(printf 'x%.0s' $(seq 31)))" "$tmp/out" && ok || bad "10 MB model_type cut to 31 characters"

expect 2 "unknown command" -- "$BIN" predcit
same_err 'infersim: error: unknown command "predcit"; did you mean "predict"? (try infersim --help)' "unknown command"

# listings and show
expect 0 "models" -- "$BIN" models
grep -q "^llama-3.1-70b " "$tmp/out" && ok || bad "models lists llama-3.1-70b"
expect 0 "sites" -- "$BIN" sites
grep -q "^us-average " "$tmp/out" && ok || bad "sites lists us-average"
expect 0 "systems" -- "$BIN" systems
grep -q "^b200 " "$tmp/out" && ok || bad "systems lists b200"
expect 0 "show model" -- "$BIN" show model deepseek-v3 --json
jq_true '.kv_bytes_per_token_bf16 == 70272' "DeepSeek-V3 KV bytes per token (61 x 576 x 2)"
expect 0 "show system" -- "$BIN" show system b200
grep -q "^b200: " "$tmp/out" && ok || bad "show system text"
# Hopper converts narrower weights in registers: the preset's measured share, in text and JSON
expect 0 "show system h100" -- "$BIN" show system h100-sxm
grep -q "26% with narrower weights converted in registers (W4A16)" "$tmp/out" && ok || bad "show system mixed-input text"
expect 0 "show system h100 json" -- "$BIN" show system h100-sxm --json
jq_true '.mixed_input_efficiency == 0.257' "show system mixed_input_efficiency"
jq_true '.mixed_fp_native == false' "show system h100 mixed_fp_native"
# Blackwell takes fp4 weights with fp8 activations as they are
expect 0 "show system b200 mixed" -- "$BIN" show system b200
grep -q "26% with narrower weights converted in registers (W4A16; fp4 weights with fp8 activations run natively)" "$tmp/out" && ok || bad "show system b200 native fp4 x fp8 text"
expect 0 "help" -- "$BIN" predict --help
grep -q -- "--batch N|max" "$tmp/out" && ok || bad "predict --help"

# validation against published measurements: JSON contract and a well-formed SVG
# (one run of the whole set, --by lengths too: it is the slowest command of the suite)
expect 0 "validate" -- "$BIN" validate --json --svg "$tmp/val.svg" --by lengths
cp "$tmp/out" "$tmp/val.json"
jq_true '.mape | has("overall") and has("datacenter") and has("edge")' "validate mape keys"
jq_true '[.rows[] | select(has("predicted"))] | length >= 40' "at least 40 predicted rows"
jq_true '[.rows[] | select(has("predicted") and (.set == "published" or .set == "serving")) | .source_url | startswith("http")] | all' "every published and serving row has a source URL"
jq_true '[.rows[] | select(.set == "measured") | .source_url == "tools/measure_gpu.py"] | all and length >= 80' "measured rows name their script"
jq_true '[.sets[].set] == ["published", "serving", "measured"] and .sets[2].rows_kernel_classes >= 40' "validate: three default sets"
jq_true '.rows_predicted == (.sets[0].rows_predicted + .sets[1].rows_predicted + .sets[2].rows_predicted)' "validate: every row counted once"
# a serving sweep's rows: a closed loop of conc users, 10 x conc requests, its mean TPOT and TTFT from the run
jq_true '[.rows[] | select(.id == "imx-002") | .metric == "tpot_ms" and (.plan | contains("offline 40 x4")) and .running_mean <= 4] == [true]' "validate serving rows: closed loop"
if xmllint --noout "$tmp/val.svg" 2>"$tmp/x" && rsvg-convert "$tmp/val.svg" -o "$tmp/val.png" 2>>"$tmp/x"; then ok; else bad "validate svg"; cat "$tmp/x"; fi
ls "$tmp"/val.svg.tmp* >/dev/null 2>&1 && bad "temporary file left behind" || ok
expect 0 "validate one set" -- "$BIN" validate --set "$INFERSIM_DATA/validation/measured.csv" --json
jq_true '(.sets | length) == 1 and .sets[0].set == "measured"' "validate --set replaces the default sets"
# --by: one group per model, its rows summing to every row predicted; a group's bias lies within
# its MAPE (|mean error| <= mean |error|)
expect 0 "validate by model" -- "$BIN" validate --set "$INFERSIM_DATA/validation/measured.csv" --by model --json
jq_true '.by.key == "model" and ([.by.groups[].rows] | add) == .rows_predicted and (.by.groups | keys) == ["gpt-oss-20b", "llama-3.1-8b", "qwen3-30b-a3b", "qwen3-32b"]' "validate --by model groups"
jq_true '[.by.groups[] | (.bias | fabs) <= .mape + 1e-12] | all' "validate --by bias within MAPE"
# --by lengths groups by the rows' ISL/OSL as written ("-" where one is not given)
cp "$tmp/val.json" "$tmp/out"
jq_true '.by.key == "lengths" and (.by.groups | has("1024/1024") and has("-/512")) and ([.by.groups[].rows] | add) == .rows_predicted' "validate --by lengths groups"
jq_true '[.rows[] | select(.id == "trtllm-dg-001") | .lengths] == ["1024/1024"]' "validate rows carry their lengths"
# a simulated run reports the requests it held on average per instance; a steady-state row has none
jq_true '[.rows[] | select(.id == "trtllm-dg-001") | .running_mean > 0 and .running_mean <= 2048] == [true] and ([.rows[] | select(.id == "trtllm061-001") | has("running_mean")] == [false])' "validate running_mean for runs only"
# --csv is RFC 4180: a plan with commas and a reason with quotes read back as written
{ head -1 "$INFERSIM_DATA/validation/published.csv"
  grep -E "^(trtllm-dg-012|trtllm061-010)," "$INFERSIM_DATA/validation/published.csv"
  grep -E "^trtllm-dg-012," "$INFERSIM_DATA/validation/published.csv" | sed 's/^trtllm-dg-012,/bad-1,/; s/,mxfp4,/,mxfp5,/'
} >"$tmp/three.csv"
expect 0 "validate csv" -- "$BIN" validate --set "$tmp/three.csv" --csv
python3 -c "
import csv, sys
r = list(csv.DictReader(open(sys.argv[1])))
ok = len(r) == 3 and all(None not in x and len(x) == 13 for x in r)
ok = ok and r[1]['plan'].endswith(' running') and ', ' in r[1]['plan'] and float(r[1]['running_mean']) > 0
ok = ok and r[0]['skipped'].startswith('does not fit') and '\"mxfp5\"' in r[2]['skipped'] and r[1]['lengths'] == '1024/1024'
sys.exit(0 if ok else 1)" "$tmp/out" && ok || bad "validate --csv: RFC 4180 rows"
expect 2 "validate bad --by" -- "$BIN" validate --by modle
same_err 'infersim: error: --by: unknown value "modle"; did you mean "model"? (expected model, system, framework, metric or lengths)' "validate bad --by"
expect 2 "validate missing set" -- "$BIN" validate --set "$tmp/none.csv"
grep -q "none.csv" "$tmp/err" && ok || bad "validate names the missing file"

# calibrate writes a system file that loads and carries its sources; measure prints the contract
expect 0 "calibrate" -- "$BIN" calibrate --quick --out "$tmp/me.yaml" --json
jq_true '.bandwidth_all_GBps > 0 and .fp32_peak_all_GFLOPs > 0' "calibrate json"
expect 0 "calibrated system loads" -- "$BIN" show system "$tmp/me.yaml"
if sh "$top/tests/check_sources.sh" "$tmp/me.yaml" >"$tmp/src" 2>&1; then ok; else bad "calibrated sources"; cat "$tmp/src"; fi
expect 0 "measure" -- "$BIN" measure --model "$top/tests/data/tiny-llama.json" --system "$tmp/me.yaml" --isl 8 --osl 4 --json
jq_true 'has("predicted_s") and has("measured_s") and has("error") and has("achieved_bandwidth_gbs")' "measure json"
expect 2 "measure MoE" -- "$BIN" measure --model mixtral-8x7b --system "$tmp/me.yaml"
grep -q "measure runs dense grouped-query-attention models" "$tmp/err" && ok || bad "measure MoE message"

# the paper study writes its folder: Markdown, JSON, well-formed SVGs; every verdict one of three words
mkdir -p "$tmp/study" && echo "mine" >"$tmp/study/mine.txt"
expect 0 "study paper" -- "$BIN" study paper --out "$tmp/study"
[ "$(cat "$tmp/study/mine.txt")" = mine ] && ok || bad "study --out keeps the files it did not write"
for f in report.md study.json fig-intensity.svg fig-directions.svg; do
    [ -s "$tmp/study/$f" ] && ok || bad "study wrote $f"
done
for f in fig-intensity.svg fig-directions.svg; do
    if xmllint --noout "$tmp/study/$f" 2>"$tmp/x" && rsvg-convert "$tmp/study/$f" -o "$tmp/$f.png" 2>>"$tmp/x"; then ok; else bad "study $f"; cat "$tmp/x"; fi
done
cp "$tmp/study/study.json" "$tmp/out"
jq_true '[.verdicts[] | .verdict | IN("holds", "holds with a caveat", "does not hold")] | all' "verdict words"
jq_true '.verdicts | length >= 10' "at least ten verdicts"
# a corpus's KV on flash frees HBM for more requests; every request's KV on flash wears it out
jq_true '.corpus_on_flash[1].max_batch > .corpus_on_flash[0].max_batch and .corpus_on_flash[2].flash_lifetime_days > 0' "corpus on flash"
jq_true '[.directions[0].directions[] | select(.direction == "hbf") | .fewest_chips] == [1]' "HBF: 405B on one chip"
# the interconnect table: a decode token's all-reduce is mostly latency, a prefill chunk's mostly bytes;
# 8 H100s under one NVLink switch: one-shot (a link in, a link out) for one token
jq_true '[.interconnect[] | .messages[0].latency_share > .messages[2].latency_share] | all and length == 4' "interconnect latency shares"
jq_true '.interconnect[0].messages[0] | .algorithm == "one_shot" and .hops == 2' "NVLink one-shot hops"
# the SRAM-landing direction is faster than landing in HBM; the diffusion trend is compute-bound
jq_true '.directions[0].directions as $d | ($d[] | select(.direction == "sram_landing") | .tpot_batch1_s) < ($d[] | select(.direction == "base") | .tpot_batch1_s)' "SRAM landing speeds decode"
jq_true '.trends[] | select(.trend == "diffusion") | .decode_bound == "compute"' "diffusion binds compute"
grep -q "^## Verdicts" "$tmp/study/report.md" && ok || bad "report has verdicts"
# the study as a page: well-formed, both figures inline, every verdict's claim in it, nothing fetched
xmllint --noout "$tmp/study/index.html" 2>"$tmp/x" && ok || { bad "index.html is well-formed"; cat "$tmp/x"; }
[ "$(grep -c "<svg" "$tmp/study/index.html")" = 2 ] && ok || bad "index.html carries both figures"
jq -r '.verdicts[].claim' "$tmp/study/study.json" | sed 's/&/\&amp;/g' >"$tmp/claims"
missing=0
while IFS= read -r c; do grep -qF "<strong>$c</strong>" "$tmp/study/index.html" || missing=$((missing + 1)); done <"$tmp/claims"
[ "$missing" = 0 ] && [ -s "$tmp/claims" ] && ok || bad "index.html: $missing verdicts missing"
grep -qE '(src|href)="https?:' "$tmp/study/index.html" && bad "index.html fetches something" || ok
expect 2 "study unknown" -- "$BIN" study papr
same_err 'infersim: error: study: expected "paper" (infersim study paper --out DIR)' "study unknown"

# search: the JSON contract, ranges, the frontier SVG, bad values
expect 0 "search" -- "$BIN" search --model llama-3.1-70b --systems h100-sxm,h200 --chips 4..8:x2 --batch 1,16,max --isl 1024 --osl 128 --ttft-max 2 --json --svg "$tmp/front.svg"
for k in evaluated feasible infeasible frontier top wall_s points_per_s; do jq_true "has(\"$k\")" "search key $k"; done
jq_true '.evaluated == .feasible + ([.infeasible[]] | add)' "search counts add up"
jq_true '(.top[0].design | has("tp")) and (.top[0].outputs | has("ttft_s"))' "search points carry design and outputs"
if xmllint --noout "$tmp/front.svg" 2>"$tmp/x"; then ok; else bad "search svg"; cat "$tmp/x"; fi
expect 0 "search csv" -- "$BIN" search --model llama-3.1-8b --systems h100-sxm --chips 1,2 --csv --frontier-only
head -n 1 "$tmp/out" | grep -q "^system,chips,tp,pp,ep,dp," && ok || bad "search csv header"
expect 2 "search empty range" -- "$BIN" search --model llama-3.1-8b --systems h100-sxm --chips 8..4
same_err 'infersim: error: --chips: empty range 8..4: the end is below the start' "search empty range"
expect 2 "search objective" -- "$BIN" search --model llama-3.1-8b --systems h100-sxm --objective tpot
same_err 'infersim: error: --objective: unknown field "tpot"; did you mean "tpot_s"?' "search objective"

# a sweep spec with varied system fields; bad specs fail before any work
expect 0 "search spec" -- "$BIN" search --spec "$top/data/sweeps/hbm-bandwidth.yaml" --json
jq_true '[.top[].design.system | test("\\[x[0-9.]+,[0-9]+\\]$")] | all' "spec variants named by their values"
# 2 systems x (4 bandwidths x 2 latencies) variants x 20 factorisations of 1, 2, 4, 8 chips (1 + 3 + 6 + 10) x 4 batches
jq_true '.evaluated == 1280' "spec: variants x factorisations x batches"
# --csv quotes the variants' names ("h100-sxm[x2,100]"): every row has the header's columns
expect 0 "search spec csv" -- "$BIN" search --spec "$top/data/sweeps/hbm-bandwidth.yaml" --csv
python3 -c "
import csv, sys
r = list(csv.reader(open(sys.argv[1])))
sys.exit(0 if len(r) == 1281 and all(len(x) == len(r[0]) for x in r) and r[1][0].startswith('h100-sxm[x') else 1)" "$tmp/out" && ok || bad "search --csv: variant names quoted"
printf 'name: "my chip, v2"\nchip: {peak_TFLOPs: {bf16: 500}, compute_efficiency: 0.7}\nmemory: [{name: hbm, capacity_GB: 80, bandwidth_GBps: 3000, efficiency: 0.9}]\ninterconnect: [{name: link, domain_chips: 8, bandwidth_GBps: 400}]\n' >"$tmp/comma.yaml"
expect 0 "predict csv, a name with a comma" -- "$BIN" predict --model llama-3.1-8b --system "$tmp/comma.yaml" --csv
python3 -c "
import csv, sys
r = list(csv.reader(open(sys.argv[1])))
sys.exit(0 if len(r) == 2 and len(r[1]) == len(r[0]) and r[1][1] == 'my chip, v2' else 1)" "$tmp/out" && ok || bad "predict --csv: a name with a comma stays one field"
# the paper's directions as sweep fields: Llama-3.1-405B in fp8 (406 GB) does not fit one H100 (85 GB)
# without HBF and does with one 512 GB stack (Table 3); that point is the study's HBF row, same engine
cat >"$tmp/hbf-spec.yaml" <<'Y'
model: llama-3.1-405b
systems: [h100-sxm]
chips: 1
batch: [1]
weights: [fp8]
kv: [fp8]
isl: [2048]
osl: [256]
vary:
  directions.hbf_stacks: [0, 1]
Y
expect 0 "hbf stacks swept" -- "$BIN" search --spec "$tmp/hbf-spec.yaml" --json
jq_true '.evaluated == 2 and .feasible == 1 and .infeasible["does not fit in memory"] == 1' "no HBF: does not fit; one stack: fits"
jq_true '.top[0].design.system == "h100-sxm[hbf1]"' "variant named by its stacks"
jq -e --slurpfile st "$tmp/study/study.json" \
    '(.top[0].outputs.tpot_s / ($st[0].directions[0].directions[] | select(.direction == "hbf") | .tpot_batch1_s) - 1) | fabs < 1e-6' \
    "$tmp/out" >/dev/null && ok || bad "search's HBF point agrees with the study's HBF row"
# expert slots and skew reach the EP deployments: DeepSeek-R1's 256 experts over 48 GB200s; EP 48
# needs 288 slots (6 a chip), and the spec's keys give what the flags give
expect 0 "search ep without slots" -- "$BIN" search --model deepseek-r1 --systems gb200-nvl72 --chips 48 --batch 64 --json
jq_true '.infeasible["plan: ep and the experts"] > 0 and ([.top[].design.ep] | index(48)) == null' "no EP 48 without slots"
expect 0 "search expert slots" -- "$BIN" search --model deepseek-r1 --systems gb200-nvl72 --chips 48 --batch 64 --expert-slots 288 --expert-skew 0.5 --json
cp "$tmp/out" "$tmp/slots-flags.json"
jq_true '.expert_slots == 288 and .expert_skew == 0.5 and (.infeasible | has("plan: ep and the experts") | not) and ([.top[].design.ep] | index(48)) != null' "EP 48 with 288 slots"
cat >"$tmp/slots-spec.yaml" <<'Y'
model: deepseek-r1
systems: [gb200-nvl72]
chips: 48
batch: [64]
expert_slots: 288
expert_skew: 0.5
Y
expect 0 "search expert slots spec" -- "$BIN" search --spec "$tmp/slots-spec.yaml" --json
jq -e --slurpfile f "$tmp/slots-flags.json" '[.top[].outputs] == [$f[0].top[].outputs]' "$tmp/out" >/dev/null && ok || bad "spec's expert keys = the flags"
expect 2 "search bad skew" -- "$BIN" search --model deepseek-r1 --systems b200 --expert-skew -1
same_err 'infersim: error: --expert-skew: expected a coefficient of variation from 0 to 100 (0: uniform routing), got "-1"' "search bad skew message"
cat >"$tmp/bad-dir.yaml" <<'Y'
model: llama-3.1-8b
systems: [h100-sxm]
vary:
  directions.pim: [0, 2]
Y
expect 2 "bad direction value" -- "$BIN" search --spec "$tmp/bad-dir.yaml"
grep -q "bad-dir.yaml:4:.*directions.pim: expected 0 (off) or 1 (on), got \"2\"" "$tmp/err" && ok || bad "direction switch message"
cat >"$tmp/bad-spec.yaml" <<'Y'
model: llama-3.1-8b
systems: [h100-sxm]
vary:
  memory[0].bandwith_GBps: [1000]
Y
expect 2 "bad spec" -- "$BIN" search --spec "$tmp/bad-spec.yaml"
same_err "$tmp/bad-spec.yaml:4:3: error: vary.memory[0].bandwith_GBps: unknown system field \"memory[0].bandwith_GBps\"; did you mean \"memory[N].bandwidth_GBps\"?
    memory[0].bandwith_GBps: [1000]
    ^" "bad spec message"

# serve: the JSON contract, the time series and its chart, traces and their errors
expect 0 "serve" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --rate 4 --duration 30 --isl uniform:256:2048 --osl lognormal:200:100 --json --timeseries "$tmp/ts.csv" --svg "$tmp/serve.svg"
for k in requests_completed output_tok_s goodput_req_s; do jq_true "has(\"$k\")" "serve key $k"; done
for k in ttft_s tpot_s e2e_s itl_s; do jq_true ".$k | has(\"mean\") and has(\"p50\") and has(\"p90\") and has(\"p99\")" "serve $k percentiles"; done
jq_true '.requests_completed == .requests_arrived and .requests_completed > 60' "serve completes every request"
jq_true '.ttft_s.p50 <= .ttft_s.p90 and .ttft_s.p90 <= .ttft_s.p99' "serve percentiles in order"
head -1 "$tmp/ts.csv" | grep -qx "time_s,waiting,running,kv_use,output_tok_s" && ok || bad "serve time-series header"
[ "$(wc -l <"$tmp/ts.csv")" -gt 500 ] && ok || bad "serve time series has its rows"
if xmllint --noout "$tmp/serve.svg" 2>"$tmp/x" && rsvg-convert "$tmp/serve.svg" -o "$tmp/serve.png" 2>>"$tmp/x"; then ok; else bad "serve svg"; cat "$tmp/x"; fi
# the same seed, the same run
# the run's energy, cost and carbon at a site: the same run on a cleaner grid emits less
jq_true '.energy.site == "us-average" and .energy_j_per_token > 0 and .usd_per_mtok_output > 0 and .chips == 1 and (.energy.wall_j > .energy.it_j)' "serve: energy, cost and carbon of the run"
g_us=$(jq .gco2e_per_mtok "$tmp/out")
"$BIN" serve --model llama-3.1-8b --system h100-sxm --rate 4 --duration 30 --isl uniform:256:2048 --osl lognormal:200:100 --site norway --json >"$tmp/out"
jq_true ".gco2e_per_mtok < $g_us / 3 and .energy.site == \"norway\"" "serve --site: Norway's grid emits a fraction"
expect 2 "serve bad site" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --rate 4 --site nowhere
"$BIN" serve --model llama-3.1-8b --system h100-sxm --rate 4 --duration 30 --isl uniform:256:2048 --osl lognormal:200:100 --json | jq -c 'del(.wall_s, .events_per_s, .peak_rss_bytes)' >"$tmp/s1"
"$BIN" serve --model llama-3.1-8b --system h100-sxm --rate 4 --duration 30 --isl uniform:256:2048 --osl lognormal:200:100 --json | jq -c 'del(.wall_s, .events_per_s, .peak_rss_bytes)' >"$tmp/s2"
cmp -s "$tmp/s1" "$tmp/s2" && ok || bad "serve is deterministic for a seed"
# a trace: a bad row gets its line, and no output file is left half-written
printf 'arrival_s,input_tokens,output_tokens\n0.0,1000,100\n0.5,1200,80\n' >"$tmp/trace.csv"
# how a run ends is said as it was asked: a request count alone, or whichever of it and a duration comes first
expect 0 "serve by requests" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --rate 2 --requests 20
grep -q "^workload    Poisson arrivals at 2 requests/s for 20 requests; " "$tmp/out" && ok || bad "serve --requests in the workload line"
grep -q "^requests    20 arrived, 20 completed" "$tmp/out" && ok || bad "serve --requests serves that many"
expect 0 "serve by requests or duration" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --users 4 --duration 100 --requests 20
grep -q "^workload    4 users in a closed loop, think 0 s, for 100 s or 20 requests, whichever comes first; " "$tmp/out" && ok || bad "serve --duration --requests in the workload line"
expect 0 "serve trace" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --trace "$tmp/trace.csv" --json
jq_true '.requests_completed == 2' "serve trace requests"
# prefix columns: rows 2 and 4 find prefix 7's 1,030 tokens resident (prompt done 10 s earlier) and
# skip its 64 whole 16-token blocks, 1,024 tokens each; row 3 has no prefix
printf 'arrival_s,input_tokens,output_tokens,prefix_id,prefix_tokens\n0,2000,20,7,1030\n10,1500,20,7,1030\n20,900,20,,\n30,3000,20,7,1030\n' >"$tmp/ptrace.csv"
expect 0 "serve trace with prefixes" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --trace "$tmp/ptrace.csv" --json
jq_true '.requests_completed == 4 and .prefix_hit_tokens == 2048' "serve trace prefix hits"
printf 'arrival_s,input_tokens,output_tokens\n0.0,1000,100\n0.5,abc,50\n' >"$tmp/bad.csv"
echo "old" >"$tmp/keep.csv"
expect 2 "serve bad trace row" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --trace "$tmp/bad.csv" --timeseries "$tmp/keep.csv"
same_err "$tmp/bad.csv:3:5: error: input_tokens: expected a whole number of tokens from 1 to 100000000, got \"abc\"
  0.5,abc,50
      ^" "serve bad trace row"
[ "$(cat "$tmp/keep.csv")" = "old" ] && ok || bad "a failed run leaves the old time series"
ls "$tmp" | grep -q "keep.csv.tmp" && bad "temporary file left behind" || ok
printf 'arrival_s,input_token,output_tokens\n' >"$tmp/bad2.csv"
expect 2 "serve bad trace header" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --trace "$tmp/bad2.csv"
grep -q 'did you mean "input_tokens"' "$tmp/err" && ok || bad "serve trace column near match"
expect 2 "serve without a load" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm
same_err 'infersim: error: --rate: required: a load (--rate R, --users N, --trace FILE or --capacity)' "serve without a load"
# serve --capacity: the highest Poisson rate within p99 objectives; the run shown meets them
expect 0 "serve capacity" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --capacity --slo-ttft 0.5 --slo-tpot 0.03 --isl 1024 --osl 128 --requests 800 --json
jq_true '.capacity.rate_req_s > 0 and .capacity.quantile == 0.99 and .capacity.trials >= 3 and (.capacity.bounded | not)' "serve capacity found"
jq_true '.capacity.ttft_s <= 0.5 and .capacity.tpot_s <= 0.03 and .ttft_s.p99 <= 0.5 and .requests_completed == 800' "serve capacity meets its objectives"
expect 2 "serve capacity with a rate" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --capacity --rate 3
same_err 'infersim: error: --rate/--users/--trace/--capacity: choose one load: --rate R, --users N, --trace FILE or --capacity' "serve capacity with a rate"
expect 2 "serve capacity with a duration" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --capacity --duration 5
same_err 'infersim: error: --duration: --capacity runs Poisson trials of --requests N requests each' "serve capacity with a duration"
# --kv-pools equal (TensorRT-LLM): gpt-oss-20b's sliding-window layers take half the KV memory
kv_shared=$("$BIN" serve --model gpt-oss-20b --system h100-sxm --users 8 --requests 16 --json | jq '.kv_capacity_tokens')
expect 0 "serve kv-pools equal" -- "$BIN" serve --model gpt-oss-20b --system h100-sxm --users 8 --requests 16 --kv-pools equal --json
jq_true "(.kv_capacity_tokens * 2 - $kv_shared) | fabs < 1 and $kv_shared > 1e6" "serve kv-pools equal halves the full-attention tokens"
expect 0 "serve kv-fraction" -- "$BIN" serve --model gpt-oss-20b --system h100-sxm --users 8 --requests 16 --kv-fraction 0.5 --json
jq_true "(.kv_capacity_tokens * 2 - $kv_shared) | fabs < 1" "serve kv-fraction 0.5 halves the cache"
expect 2 "serve bad kv-fraction" -- "$BIN" serve --model gpt-oss-20b --system h100-sxm --users 8 --kv-fraction 1.5
same_err 'infersim: error: --kv-fraction: expected a number from 0.01 to 1, got "1.5"' "serve bad kv-fraction"
# --host-us-iter/--host-us-request, 1 s each: one user asks twice for 8 tokens after 16; each request is
# a prompt iteration and 7 decode iterations of one request, 2 s each on the host (the chips take ms)
expect 0 "serve host time" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --users 1 --requests 2 --isl 16 --osl 8 --host-us-iter 1e6 --host-us-request 1e6 --json
jq_true '.host_bound_iterations == .iterations and .iterations == 16 and ((.makespan_s - 32) | fabs < 1e-9)' "serve host time: 16 iterations of 2 s"
expect 2 "serve bad host time" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --rate 1 --host-us-request -3
same_err 'infersim: error: --host-us-request: expected a number from 0 to 1e+09, got "-3"' "serve bad host time"
# --host-us-gap: 1 ms the chips idle after each of the 16 iterations (the host time overlap does not
# hide): each request's TTFT and TPOT 1 ms longer, its end-to-end 8 ms (8 iterations), the run 16 ms.
# --frontend-ms 20 --frontend-us-token 5: each 16-token prompt spends 20.08 ms before the scheduler
# sees it: TTFT and end-to-end 20.08 ms longer, TPOT the same, the run 2 x 20.08 ms longer
expect 0 "serve base" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --users 1 --requests 2 --isl 16 --osl 8 --json
base=$(jq -c '[.ttft_s.mean, .tpot_s.mean, .e2e_s.mean, .makespan_s]' "$tmp/out")
expect 0 "serve host gap" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --users 1 --requests 2 --isl 16 --osl 8 --host-us-gap 1000 --json
jq_true "[.ttft_s.mean, .tpot_s.mean, .e2e_s.mean, .makespan_s] as \$g | $base as \$b | ([\$g[0] - \$b[0] - 1e-3, \$g[1] - \$b[1] - 1e-3, \$g[2] - \$b[2] - 8e-3, \$g[3] - \$b[3] - 16e-3] | map(fabs < 1e-9) | all)" "serve host gap: 1 ms an iteration"
expect 0 "serve front end" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --users 1 --requests 2 --isl 16 --osl 8 --frontend-ms 20 --frontend-us-token 5 --json
jq_true "[.ttft_s.mean, .tpot_s.mean, .e2e_s.mean, .makespan_s] as \$g | $base as \$b | ([\$g[0] - \$b[0] - 0.02008, \$g[1] - \$b[1], \$g[2] - \$b[2] - 0.02008, \$g[3] - \$b[3] - 0.04016] | map(fabs < 1e-9) | all)" "serve front end: 20.08 ms a request"
expect 0 "serve schedule ahead" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --users 2 --requests 4 --isl 16 --osl 8 --schedule-ahead
grep -q "each iteration scheduled while the one before runs" "$tmp/out" && ok || bad "serve --schedule-ahead in the scheduler line"
expect 2 "serve bad front end" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --rate 1 --frontend-us-token -1
same_err 'infersim: error: --frontend-us-token: expected a number from 0 to 1e+09, got "-1"' "serve bad front end"
expect 2 "serve bad kv-pools" -- "$BIN" serve --model gpt-oss-20b --system h100-sxm --users 8 --kv-pools equl
same_err 'infersim: error: --kv-pools: unknown value "equl"; did you mean "equal"? (expected shared or equal)' "serve bad kv-pools"
expect 2 "serve bad quantile" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --capacity --slo-quantile 1.5
same_err 'infersim: error: --slo-quantile: expected a number from 0.5 to 0.9999, got "1.5"' "serve bad quantile"
expect 2 "serve bad distribution" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --rate 1 --osl lognorm:1:2
grep -q 'did you mean "lognormal"' "$tmp/err" && ok || bad "serve distribution near match"
expect 2 "serve graph batches out of order" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --rate 1 --graph-batches 1,8,4
same_err 'infersim: error: --graph-batches: expected batch sizes in ascending order, comma-separated, at most 64 of them (e.g. 1,2,4,8,16,32,64,128,256,384,512,1024,2048), or none; got "1,8,4"' "serve graph batches message"
expect 2 "serve unknown option" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --rate 1 --max-sqes 4
grep -q 'did you mean "--max-seqs"' "$tmp/err" && ok || bad "serve option near match"
expect 3 "serve does not fit" -- "$BIN" serve --model llama-3.1-405b --system h100-sxm --rate 1
# disaggregated, replicas, speculative decoding, closed loop, shared prefixes: they run and report
expect 0 "serve disaggregated" -- "$BIN" serve --model llama-3.1-70b --system h100-sxm --chips 8 --weights fp8 --kv fp8 --rate 5 --duration 20 --prefill-chips 8 --prefill-instances 2 --json
jq_true '.kv_transfer_mean_s > 0 and .requests_completed == .requests_arrived' "serve disaggregated transfers"
expect 0 "serve closed loop" -- "$BIN" serve --model llama-3.1-8b --system h100-sxm --users 16 --think 1 --duration 30 --replicas 2 --router round-robin --mtp --spec-tokens 2 --prefix-tokens 512 --prefixes 4 --json
jq_true '.spec_tokens_per_step > 1 and .prefix_hit_tokens > 0 and .instances == 2' "serve closed loop with speculation and prefixes"

# a byte order mark and CRLF line ends are accepted in config.json and system YAML
for f in fuzz_model_config/edge-bom fuzz_model_config/edge-crlf; do expect 0 "model $f" -- "$BIN" show model "$top/tests/fuzz/corpus/$f"; done
for f in fuzz_system_yaml/edge-bom fuzz_system_yaml/edge-crlf; do expect 0 "system $f" -- "$BIN" show system "$top/tests/fuzz/corpus/$f"; done

# bounded memory: a trace 20 times longer needs no more memory (only requests in flight are held)
awk 'BEGIN { print "arrival_s,input_tokens,output_tokens"; for (i = 0; i < 10000; i++) printf "%.4f,%d,%d\n", i / 20, 100 + i % 1900, 10 + i % 290 }' >"$tmp/t10k.csv"
awk 'BEGIN { print "arrival_s,input_tokens,output_tokens"; for (i = 0; i < 200000; i++) printf "%.4f,%d,%d\n", i / 20, 100 + i % 1900, 10 + i % 290 }' >"$tmp/t200k.csv"
"$BIN" serve --model llama-3.1-8b --system h100-sxm --trace "$tmp/t10k.csv" --json | jq .peak_rss_bytes >"$tmp/rss1"
"$BIN" serve --model llama-3.1-8b --system h100-sxm --trace "$tmp/t200k.csv" --json >"$tmp/out"
jq_true ".requests_completed == 200000 and .peak_rss_bytes < $(cat "$tmp/rss1") + 8000000" "serve memory does not grow with the trace"

# faults: a full disk is an error; SIGINT stops a long run with 130 and writes nothing; SIGKILL
# mid-run leaves the old output whole
expect 1 "stdout on a full disk" -- sh -c "\"$BIN\" predict --model llama-3.1-8b --system h100-sxm >/dev/full"
grep -q "writing the output: No space left on device" "$tmp/err" && ok || bad "full disk message"
# search streams its CSV: every point of a space of two chunks (2^18 points each), and a full disk
# stops it with one message
"$BIN" search --model llama-3.1-8b --systems h100-sxm --chips 1..16 --batch 1..1024 --isl 1024,4096 --osl 128,256 --json >"$tmp/out"
pts=$(jq .evaluated "$tmp/out")
"$BIN" search --model llama-3.1-8b --systems h100-sxm --chips 1..16 --batch 1..1024 --isl 1024,4096 --osl 128,256 --csv >"$tmp/big.csv"
[ "$pts" -gt 262144 ] && [ "$(($(wc -l <"$tmp/big.csv") - 1))" -eq "$pts" ] && ok || bad "search --csv streams every point ($pts)"
expect 1 "search --csv on a full disk" -- sh -c "\"$BIN\" search --model llama-3.1-8b --systems h100-sxm --chips 1..16 --batch 1..1024 --isl 1024,4096 --osl 128,256 --csv >/dev/full"
[ "$(grep -c "writing the output: No space left on device (the sink stopped the search after" "$tmp/err")" = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && ok || { bad "search full disk: one message"; cat "$tmp/err"; }
# a file that cannot be written whole (a file-size limit stands in for a full disk): a clear
# error, exit 1, the old file untouched, no temporary file left
echo "old" >"$tmp/ts-big.csv"
expect 1 "time series past the file-size limit" -- sh -c "trap '' XFSZ; ulimit -f 8; exec \"$BIN\" serve --model llama-3.1-8b --system h100-sxm --rate 5 --duration 200 --timeseries \"$tmp/ts-big.csv\""
grep -q "ts-big.csv: error: write failed: File too large" "$tmp/err" && ok || bad "file-size limit message"
[ "$(cat "$tmp/ts-big.csv")" = "old" ] && ! ls "$tmp"/ts-big.csv.tmp* >/dev/null 2>&1 && ok || bad "file-size limit leaves the old file, no temporary"
echo "old" >"$tmp/v-big.svg"
# (one small set: its 11 kB plot is past the limit, and the whole validation would only slow the suite)
expect 1 "SVG past the file-size limit" -- sh -c "trap '' XFSZ; ulimit -f 8; exec \"$BIN\" validate --set \"$INFERSIM_DATA/validation/measured.csv\" --svg \"$tmp/v-big.svg\""
[ "$(cat "$tmp/v-big.svg")" = "old" ] && ok || bad "SVG past the limit leaves the old file"
echo "old" >"$tmp/ts-int.csv"
timeout --preserve-status -s INT 1 "$BIN" serve --model llama-3.1-8b --system h100-sxm --rate 500 --duration 1000000 --timeseries "$tmp/ts-int.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 130 ] && ok || bad "serve interrupted exits 130"
grep -q "interrupted at .* of simulated time, .* requests completed: nothing written" "$tmp/err" && ok || bad "serve interrupted message"
[ "$(cat "$tmp/ts-int.csv")" = "old" ] && ok || bad "an interrupted serve leaves the old file"
timeout --preserve-status -s INT 1 "$BIN" search --model llama-3.1-70b --systems h100-sxm,h200,b200,mi300x,tpu-v5p --chips 1..1024:x2 --batch 1..4096:x2 --isl 128..32768:x2 --osl 128..8192:x2 --weights fp8,bf16,fp4 --kv fp8,bf16 --json >"$tmp/out" 2>"$tmp/err"
[ $? -eq 130 ] && ok || bad "search interrupted exits 130"
grep -q "interrupted after" "$tmp/err" && ok || bad "search interrupted message"
echo "old" >"$tmp/ts-kill.csv"
"$BIN" serve --model llama-3.1-8b --system h100-sxm --rate 500 --duration 1000000 --timeseries "$tmp/ts-kill.csv" >/dev/null 2>&1 &
kpid=$!
sleep 1
kill -9 $kpid 2>/dev/null
wait $kpid 2>/dev/null
[ "$(cat "$tmp/ts-kill.csv")" = "old" ] && ok || bad "SIGKILL leaves the old file whole"

# ui: the API over HTTP on 127.0.0.1 gives what the CLI gives; bad requests get 4xx and a message
"$BIN" ui --port 0 >"$tmp/ui.out" 2>"$tmp/ui.err" &
uipid=$!
for i in 1 2 3 4 5 6 7 8 9 10; do grep -q "http://" "$tmp/ui.out" && break; sleep 0.2; done
url=$(grep -o "http://127\.0\.0\.1:[0-9]*/" "$tmp/ui.out")
[ -n "$url" ] && ok || { bad "ui prints its 127.0.0.1 URL"; cat "$tmp/ui.out" "$tmp/ui.err"; }
"$BIN" models --json >"$tmp/models.json"
[ "$(curl -s "${url}api/models" | jq length)" = "$(jq length "$tmp/models.json")" ] && ok || bad "ui /api/models lists every preset"
[ "$(curl -s "${url}api/systems" | jq -r '.[].name' | wc -l)" = "$("$BIN" systems --json | jq length)" ] && ok || bad "ui /api/systems"
curl -s -X POST -d '{"model":"llama-3.1-70b","system":"h100-sxm","chips":8,"weights":"fp8","kv":"fp8","batch":64,"isl":2048,"osl":256}' \
    "${url}api/predict" | jq -S 'del(.warnings)' >"$tmp/ui-p.json"
"$BIN" predict --model llama-3.1-70b --system h100-sxm --chips 8 --weights fp8 --kv fp8 --batch 64 --isl 2048 --osl 256 --json |
    jq -S 'del(.warnings)' >"$tmp/cli-p.json"
[ -s "$tmp/ui-p.json" ] && cmp -s "$tmp/ui-p.json" "$tmp/cli-p.json" && ok || bad "ui /api/predict equals predict --json"
# expert slots and skew, as predict takes them: EP 48 over DeepSeek-R1's 256 experts
curl -s -X POST -d '{"model":"deepseek-r1","system":"gb200-nvl72","chips":48,"tp":1,"ep":48,"dp":48,"weights":"fp8","kv":"fp8","batch":64,"expert_slots":288,"expert_skew":0.5}' \
    "${url}api/predict" | jq -S 'del(.warnings)' >"$tmp/ui-p.json"
"$BIN" predict --model deepseek-r1 --system gb200-nvl72 --chips 48 --tp 1 --ep 48 --dp 48 --weights fp8 --kv fp8 --batch 64 \
    --expert-slots 288 --expert-skew 0.5 --json | jq -S 'del(.warnings)' >"$tmp/cli-p.json"
[ -s "$tmp/ui-p.json" ] && cmp -s "$tmp/ui-p.json" "$tmp/cli-p.json" && jq -e '.system.expert_skew == 0.5' "$tmp/ui-p.json" >/dev/null && ok || bad "ui /api/predict with expert slots and skew equals predict"
curl -s -X POST -d '{"model":"llama-3.1-405b","system":"h100-sxm"}' "${url}api/predict" >"$tmp/out"
jq_true '.fits == false and (.reason | test("needs"))' "ui: a deployment that does not fit says why"
curl -s -X POST -d '{"model":"llama-3.1-405b","system":"h100-sxm","weights":"fp8","kv":"fp8","batch":8,"directions":{"hbf_stacks":1}}' "${url}api/predict" >"$tmp/out"
jq_true '.fits and .system.name == "h100-sxm+hbf_stacks=1" and .memory.hbf.weights > 0' "ui: the HBF direction holds 405B on one H100"
curl -s -X POST -d '{"model":"llama-3.1-8b","system":"h100-sxm"}' "${url}api/sweep" >"$tmp/out"
jq_true '.points[0].batch == 1 and .points[-1].batch == .max_batch and (.points | length) > 5' "ui /api/sweep: batch 1 to the largest"
jq_true '[.points[] | .output_tok_s_per_chip] as $t | $t == ($t | sort)' "ui /api/sweep: throughput grows with the batch"
curl -s -X POST -d '{"model":"llama-3.1-70b","systems":"h100-sxm,b200","chips":"1..16:x2","batch":"1,8,64,max","isl":"1024,4096","osl":"256","ttft_max_s":2}' \
    "${url}api/search" | jq -S '{evaluated, feasible, infeasible, frontier, top}' >"$tmp/ui-s.json"
"$BIN" search --model llama-3.1-70b --systems h100-sxm,b200 --chips 1..16:x2 --batch 1,8,64,max --isl 1024,4096 --osl 256 --ttft-max 2 --json |
    jq -S '{evaluated, feasible, infeasible, frontier, top}' >"$tmp/cli-s.json"
[ -s "$tmp/ui-s.json" ] && cmp -s "$tmp/ui-s.json" "$tmp/cli-s.json" && ok || bad "ui /api/search equals search --json"
code() { curl -s -o "$tmp/body" -w "%{http_code}" "$@"; }
[ "$(code -X POST -d '{"model":"llama-3.1-70b","systems":"h100-sxm","chips":"1..1024","batch":"1..4096","isl":"1..100"}' "${url}api/search")" = 400 ] &&
    grep -q "narrow a range" "$tmp/body" && ok || bad "ui: a search too large for a request is refused"
[ "$(code -X POST -d '{bad' "${url}api/predict")" = 400 ] && jq -e '.error | test("expected a JSON object")' "$tmp/body" >/dev/null && ok || bad "ui: bad JSON is a 400 with a message"
[ "$(code -X POST -d '{"model":"llama-3.1-8","system":"h100-sxm"}' "${url}api/predict")" = 400 ] && grep -q "did you mean" "$tmp/body" && ok || bad "ui: a wrong name gets a near match"
[ "$(code -X POST -d '{"model":"deepseek-r1","system":"b200","ep":8,"chips":8,"expert_skew":-1}' "${url}api/predict")" = 400 ] && jq -e '.error | test("expert_skew")' "$tmp/body" >/dev/null && ok || bad "ui: a bad expert_skew is a 400 naming it"
[ "$(code -X POST -d '{"model":"/etc/passwd","system":"h100-sxm"}' "${url}api/predict")" = 400 ] && ok || bad "ui: paths are refused"
[ "$(code "${url}api/predict")" = 405 ] && ok || bad "ui: GET /api/predict is a 405"
[ "$(code "${url}api/nothing")" = 404 ] && ok || bad "ui: unknown path is a 404"
head -c 1100000 /dev/zero | tr '\0' ' ' >"$tmp/big.json"
[ "$(code -X POST --data-binary @"$tmp/big.json" "${url}api/predict")" = 413 ] && ok || bad "ui: a body over 1 MiB is a 413"
curl -s -D "$tmp/hdr" -o "$tmp/page.html" "$url"
grep -qi "^content-security-policy: default-src 'none'" "$tmp/hdr" && grep -q "<title>infersim</title>" "$tmp/page.html" && ok || bad "ui serves its page with a CSP"
grep -qE '(src|href)="https?:' "$tmp/page.html" && bad "ui page fetches from the network" || ok
kill -INT $uipid
wait $uipid
[ $? -eq 0 ] && ok || bad "ui stops on SIGINT with status 0"
expect 2 "ui bad port" -- "$BIN" ui --port 70000
expect 2 "ui bad host" -- "$BIN" ui --host localhost.example
timeout 1 "$BIN" ui --port 0 --host 0.0.0.0 >/dev/null 2>"$tmp/err"
grep -q "warning: serving on 0.0.0.0" "$tmp/err" && ok || bad "ui warns when it listens beyond this machine"

# every preset number carries a source
if sh "$top/tests/check_sources.sh" "$top"/data/systems/*.yaml "$top"/data/sites/*.yaml "$top"/data/paper/*.yaml >"$tmp/src" 2>&1; then ok; else bad "sources"; cat "$tmp/src"; fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
