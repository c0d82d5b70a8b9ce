/*
 * test_predict.c — scenarios: memory fit and its answer, the largest batch, latency
 * floors, static against steady state, parallel plans and their errors.
 */
#include "testutil.h"

#include <stdlib.h>

#include "../src/analysis/predict.h"

static predict_result_t R; /* large: keep off the stack */

static int diff_steps, diff_block, diff_cache; /* masked-diffusion options for run() */

static status_t run(const char *model, const char *sys, int chips, int tp, int pp, int ep, int dp, const char *w,
                    int batch, int isl, int osl, diag_t *d)
{
    static model_t m;
    static system_t s;
    load_model(model, &m);
    load_system(sys, &s);
    predict_req_t req;
    predict_req_default(&req, &m);
    req.cfg.plan = (plan_t){chips, tp, pp, ep, dp};
    if (w) {
        precision_parse(w, &req.cfg.weights);
        req.cfg.experts = req.cfg.weights;
        req.cfg.embed = deploy_embed_precision(&req.cfg.weights);
        if (req.cfg.weights.cc == CC_FP8)
            req.cfg.act = req.cfg.weights;
    }
    req.batch = batch;
    req.isl = isl;
    req.osl = osl;
    req.diffusion_steps = diff_steps;
    req.diffusion_block = diff_block;
    req.diffusion_cache = diff_cache;
    diag_clear(d);
    return predict_run(&m, &s, &req, &R, d);
}

static void test_not_fits_answer(void **state)
{
    (void)state;
    diag_t d;
    assert_int_equal(run("llama-3.1-70b", "h100-sxm", 1, 1, 1, 1, 1, "bf16", 1, 1024, 128, &d), IS_OK);
    assert_false(R.fits);
    assert_int_equal(R.max_batch, 0);
    /* weights: 70.55 B parameters x 2 bytes = 141.1 GB on one chip */
    assert_close(R.weights_B, 2.0 * R.params_total, 1e-12);
    char want[512];
    snprintf(want, sizeof want,
             "needs %.1f GB per chip (weights 141.1 GB, KV cache %.1f GB, workspace and reserve %.1f GB), has 85.0 GB: "
             "add chips, lower precision, or add a memory tier",
             R.mem_need_B / 1e9, R.kv_B / 1e9, (R.workspace_B + R.reserved_B) / 1e9);
    assert_string_equal(R.reason, want);
    /* the same model fits on 2 H100s in fp8... and on 4 in bf16 */
    assert_int_equal(run("llama-3.1-70b", "h100-sxm", 2, 2, 1, 1, 1, "fp8", 1, 1024, 128, &d), IS_OK);
    assert_true(R.fits);
    assert_int_equal(run("llama-3.1-70b", "h100-sxm", 4, 4, 1, 1, 1, "bf16", 1, 1024, 128, &d), IS_OK);
    assert_true(R.fits);
}

static void test_max_batch_is_the_edge(void **state)
{
    (void)state;
    diag_t d;
    assert_int_equal(run("llama-3.1-70b", "h100-sxm", 8, 8, 1, 1, 1, "fp8", 0, 2048, 256, &d), IS_OK);
    int b = R.max_batch;
    assert_true(b > 64);
    assert_int_equal(R.batch, b);
    assert_true(R.steady);
    /* by hand: KV per token per chip = 80 layers x 2 (K,V) x 1 KV head x 128 x 2 bytes (bf16)
     * = 40,960 B; a request holds 2304 tokens: 94.4 MB. free = 85 GB - reserve - weights - workspace */
    double kv_seq = 80.0 * 2 * 128 * 2 * 2304;
    double free_B = 85e9 - R.reserved_B - R.weights_B;
    /* workspace changes little with batch: the answer is within one sequence of free / kv_seq */
    assert_true(b <= free_B / kv_seq);
    assert_true(b >= (free_B - R.workspace_B) / kv_seq - 1);
    /* one more request does not fit, and an explicit batch beyond the edge says so */
    assert_int_equal(run("llama-3.1-70b", "h100-sxm", 8, 8, 1, 1, 1, "fp8", b + 1, 2048, 256, &d), IS_OK);
    assert_false(R.fits);
}

static void test_latency_floors_and_batching(void **state)
{
    (void)state;
    diag_t d;
    assert_int_equal(run("llama-3.1-70b", "h100-sxm", 8, 8, 1, 1, 1, "fp8", 1, 2048, 256, &d), IS_OK);
    /* TPOT >= weights per chip / peak bandwidth (9 GB / 3.35 TB/s = 2.7 ms) */
    assert_le(R.weights_B / 3.35e12, R.tpot_s);
    /* TTFT >= prefill FLOPs per chip / peak fp8 rate */
    model_t m;
    load_model("llama-3.1-70b", &m);
    assert_le(model_prefill_flops(&m, 2048, 0) / 8 / 1978.9e12, R.ttft_s);
    /* e2e = TTFT + (OSL - 1) TPOT; per-user rate = 1 / TPOT */
    assert_close(R.e2e_s, R.ttft_s + 255 * R.tpot_s, 1e-12);
    assert_close(R.output_tok_s_per_user, 1 / R.tpot_s, 1e-12);
    double single = R.output_tok_s, tpot1 = R.tpot_s;
    /* a larger batch: more throughput, slower per user */
    assert_int_equal(run("llama-3.1-70b", "h100-sxm", 8, 8, 1, 1, 1, "fp8", 64, 2048, 256, &d), IS_OK);
    assert_true(R.output_tok_s > 10 * single);
    assert_true(R.tpot_s > tpot1);
    double b64 = R.output_tok_s;
    /* the largest batch beats batch 64 on throughput */
    assert_int_equal(run("llama-3.1-70b", "h100-sxm", 8, 8, 1, 1, 1, "fp8", 0, 2048, 256, &d), IS_OK);
    assert_true(R.output_tok_s > b64);
    /* decode at batch 1 is bound by memory and interconnect latency, not compute */
    assert_int_equal(run("llama-3.1-70b", "h100-sxm", 8, 8, 1, 1, 1, "fp8", 1, 2048, 256, &d), IS_OK);
    double mem = R.decode.cost.by_bound[BOUND_MEM0];
    assert_true(mem > R.decode.cost.by_bound[BOUND_COMPUTE]);
    assert_true(R.decode.cost.by_bound[BOUND_NET_LATENCY] > R.decode.cost.by_bound[BOUND_NET_BANDWIDTH]);
    /* prefill is compute-bound */
    assert_true(R.prefill.cost.by_bound[BOUND_COMPUTE] > R.prefill.cost.by_bound[BOUND_MEM0]);
    assert_true(R.prefill.intensity > R.ridge_flop_per_byte);
    assert_true(R.decode.intensity < R.ridge_flop_per_byte);
}

static void test_parallel_plans(void **state)
{
    (void)state;
    diag_t d;
    /* DP: two replicas of TP4 give twice one replica's throughput at twice the batch */
    assert_int_equal(run("llama-3.1-70b", "h100-sxm", 4, 4, 1, 1, 1, "fp8", 32, 1024, 128, &d), IS_OK);
    double one = R.output_tok_s;
    assert_int_equal(run("llama-3.1-70b", "h100-sxm", 8, 4, 1, 1, 2, "fp8", 64, 1024, 128, &d), IS_OK);
    assert_close(R.output_tok_s, 2 * one, 1e-9);
    /* PP halves the weights per chip */
    assert_int_equal(run("llama-3.1-70b", "h100-sxm", 2, 1, 2, 1, 1, "fp8", 1, 1024, 128, &d), IS_OK);
    double w_pp2 = R.weights_B;
    assert_int_equal(run("llama-3.1-70b", "h100-sxm", 1, 1, 1, 1, 1, "fp8", 1, 1024, 128, &d), IS_OK);
    assert_close(w_pp2, R.weights_B / 2, 0.02);
    /* EP over 8 chips of DP attention: DeepSeek-V3 dispatches and combines with all-to-alls */
    assert_int_equal(run("deepseek-v3", "h200", 8, 1, 1, 8, 8, NULL, 64, 1024, 128, &d), IS_OK);
    assert_true(R.fits);
    assert_true(R.decode.cost.by_op[OP_EP_ALLTOALL] > 0);
    assert_close(R.decode.cost.by_op[OP_TP_ALLREDUCE] + 1, 1, 1e-15);
}

static void test_plan_errors(void **state)
{
    (void)state;
    diag_t d;
    assert_int_equal(run("llama-3.1-70b", "h100-sxm", 3, 3, 1, 1, 1, NULL, 1, 128, 8, &d), IS_ERR_INPUT);
    assert_string_equal(d.field, "--tp");
    assert_string_equal(d.message, "tp 3 does not divide the 64 attention heads");
    assert_int_equal(run("llama-3.1-70b", "h100-sxm", 8, 4, 1, 1, 1, NULL, 1, 128, 8, &d), IS_ERR_INPUT);
    assert_string_equal(d.message, "8 chips but tp 4 x pp 1 x dp 1 = 4: the product must equal the chip count");
    assert_int_equal(run("llama-3.1-70b", "h100-sxm", 8, 8, 1, 2, 1, NULL, 1, 128, 8, &d), IS_ERR_INPUT);
    assert_string_equal(d.message, "ep 2 given but the model has no experts (0)");
    assert_int_equal(run("mixtral-8x7b", "h100-sxm", 8, 8, 1, 3, 1, NULL, 1, 128, 8, &d), IS_ERR_INPUT);
    assert_string_equal(d.message, "ep 3 does not divide the 8 experts (redundant copies can fill the groups: "
                                   "--expert-slots 9)");
    /* Qwen2.5-7B: 28 heads, 4 KV heads; tp 7 divides the heads but not the KV heads */
    assert_int_equal(run("qwen2.5-7b", "h100-sxm", 7, 7, 1, 1, 1, NULL, 1, 128, 8, &d), IS_ERR_INPUT);
    assert_string_equal(d.message, "tp 7 and the 4 KV heads must divide one another");
    /* TP 16 on 8-GPU NVLink domains crosses InfiniBand (allowed: 128 heads, 8 KV heads replicated);
     * its all-reduces pay the slower level's latency, so interconnect latency per token exceeds
     * that of TP 8 inside one domain */
    assert_int_equal(run("llama-3.1-405b", "h100-sxm", 16, 16, 1, 1, 1, "fp8", 1, 1024, 128, &d), IS_OK);
    double lat16 = R.decode.cost.by_bound[BOUND_NET_LATENCY];
    assert_int_equal(run("llama-3.1-405b", "h100-sxm", 16, 8, 2, 1, 1, "fp8", 1, 1024, 128, &d), IS_OK);
    assert_true(R.decode.cost.by_bound[BOUND_NET_LATENCY] < lat16);
}

static void test_edge_and_cpu(void **state)
{
    (void)state;
    diag_t d;
    /* llama.cpp-style q4_0 on an M2 Ultra: decode bound by LPDDR bandwidth (800 GB/s) */
    assert_int_equal(run("llama-2-7b", "apple-m2-ultra", 1, 1, 1, 1, 1, "q4_0", 1, 512, 128, &d), IS_OK);
    assert_true(R.fits);
    assert_le(R.weights_B / 800e9, R.tpot_s);
    assert_true(R.decode.cost.by_bound[BOUND_MEM0] > R.decode.cost.by_bound[BOUND_COMPUTE]);
    /* a phone holds a 1B model in its LPDDR5X, the UFS storage (spill_only) untouched */
    assert_int_equal(run("llama-3.2-1b", "snapdragon-8-gen3", 1, 1, 1, 1, 1, "q4_0", 1, 512, 128, &d), IS_OK);
    assert_true(R.fits);
    assert_close(R.placement.weights[0], 1.0, 1e-12);
    int max_dram = R.max_batch;
    /* a 70B model (about 39 GB in q4_0) only by reading most of its weights from storage: at
     * most 16 GB - 8 GB reserved stays in DRAM, and each token streams the rest from UFS 4.0
     * at 4.2 GB/s x 0.61 (data/systems/snapdragon-8-gen3.yaml) */
    assert_int_equal(run("llama-3.1-70b", "snapdragon-8-gen3", 1, 1, 1, 1, 1, "q4_0", 1, 512, 128, &d), IS_OK);
    assert_true(R.fits);
    assert_true(R.placement.weights[1] > 0.75);
    assert_le(R.decode.cost.mem_bytes[1] / (4.2e9 * 0.61), R.tpot_s * (1 + 1e-12));
    assert_true(R.decode.cost.by_bound[BOUND_MEM0 + 1] > 0.9 * R.decode.step_s);
    assert_int_equal(R.max_batch, 1); /* batching may not push more weights out to storage */
    assert_true(max_dram > 1);        /* while the 1B model batches in DRAM */
}

/* The prefill memo only remembers: every batch on one deployment, pipelined so the stage
 * times matter, gives bit for bit what it gives without it (prompts of 1000 tokens pack 8 to
 * a chunk, so batches 8 and up repeat the full-chunk step and remainders 1..7 recur). */
static void test_memo_changes_nothing(void **state)
{
    (void)state;
    static model_t m;
    static system_t s;
    load_model("llama-3.1-70b", &m);
    load_system("h100-sxm", &s);
    predict_req_t req;
    predict_req_default(&req, &m);
    req.cfg.plan = (plan_t){8, 4, 2, 1, 1};
    precision_parse("fp8", &req.cfg.weights);
    req.cfg.act = req.cfg.experts = req.cfg.weights;
    req.isl = 1000;
    req.osl = 64;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(predict_run(&m, &s, &req, &R, &d), IS_OK);
    static predict_result_t plain;
    static predict_memo_t memo;
    predict_memo_reset(&memo);
    for (int b = 1; b <= 40; b++) {
        req.batch = b;
        req.memo = NULL;
        predict_eval(&R.dep, &req, -1, 0, &plain, NULL);
        req.memo = &memo;
        predict_eval(&R.dep, &req, -1, 0, &R, NULL);
        assert_true(R.ttft_s == plain.ttft_s);
        assert_true(R.tpot_s == plain.tpot_s);
        assert_memory_equal(&R.prefill.cost, &plain.prefill.cost, sizeof plain.prefill.cost);
    }
    assert_int_equal(memo.n, 8); /* the full chunk of 8 prompts and remainders 1..7 */
}

/* Masked diffusion (LLaDA-8B, bf16, one H100): 512 in, 256 out.  A whole-sequence step of
 * L = 768 tokens costs, by hand: GEMMs 2 x 768 x (6,979,321,856 layer + 518,004,736 LM-head
 * weights) = 1.1516e13 FLOPs (logits at every position, as LLaDA's sampler computes them),
 * attention 768^2 pairs both ways x 4 x 4096 FLOPs x 32 layers = 3.092e11: 1.1825e13.
 * LLaDA's sampler: 256 steps (one per answer token), blocks of 32 -> 8 blocks of 32 steps. */
static void test_diffusion(void **state)
{
    (void)state;
    diag_t d;
    diff_steps = diff_block = diff_cache = 0;
    assert_int_equal(run("llada-8b", "h100-sxm", 1, 1, 1, 1, 1, "bf16", 1, 512, 256, &d), IS_OK);
    assert_true(R.fits);
    assert_int_equal(R.diffusion_steps, 256);
    assert_int_equal(R.diffusion_block, 32);
    assert_close(R.decode.cost.flops, 1.1516e13 + 3.092e11, 0.005);
    assert_close(R.kv_B, 0, 0); /* no KV cache kept */
    double t = R.decode.step_s;
    assert_true(R.decode.cost.by_bound[BOUND_COMPUTE] > 0.8 * t); /* compute-bound at batch 1 */
    assert_close(R.e2e_s, 256 * t, 1e-12);
    assert_close(R.ttft_s, 32 * t, 1e-12);               /* the first block's 32 steps */
    assert_close(R.tpot_s, (R.e2e_s - R.ttft_s) / 255, 1e-12);
    assert_close(R.output_tok_s_per_user, 256 / R.e2e_s, 1e-12);
    /* 64 steps (4 tokens a step) cost a quarter */
    diff_steps = 64;
    assert_int_equal(run("llada-8b", "h100-sxm", 1, 1, 1, 1, 1, "bf16", 1, 512, 256, &d), IS_OK);
    assert_close(R.e2e_s, 64 * t, 1e-12);
    /* the block-wise cache: per block one whole-sequence step and 31 steps of the block's 32
     * tokens against the 736 others: GEMMs 2 x 32 x 7.497e9 = 4.798e11, attention 32 x 768
     * pairs x 524,288 = 1.288e10 FLOPs; the KV cache of 768 tokens is kept */
    diff_steps = 0;
    diff_cache = 1;
    assert_int_equal(run("llada-8b", "h100-sxm", 1, 1, 1, 1, 1, "bf16", 1, 512, 256, &d), IS_OK);
    assert_close(R.decode.cost.flops, 4.798e11 + 1.288e10, 0.005);
    assert_close(R.prefill.step_s, t, 1e-12);
    assert_close(R.e2e_s, 8 * (t + 31 * R.decode.step_s), 1e-12);
    assert_close(R.kv_B, 768 * 524288.0, 1e-12);
    diff_cache = 0;
}

/* A 100-trillion-parameter Llama (hidden 131,072, 480 layers, MLP 524,288; the fuzz corpus's
 * edge case): counted without overflow, by hand 480 x (2 x 131072^2 + 2 x 131072 x 16384
 * + 3 x 131072 x 524288 + 2 x 131072) + 2 x 128256 x 131072 + the final norm = 1.17544e14; it does not fit
 * on one H100 and every figure stays finite. */
static void test_hundred_trillion(void **state)
{
    (void)state;
    char path[4096];
    const char *data = getenv("INFERSIM_DATA");
    snprintf(path, sizeof path, "%s/../tests/fuzz/corpus/fuzz_model_config/edge-100-trillion", data ? data : "data");
    static model_t m;
    static system_t s;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(model_load(path, &m, &d), IS_OK);
    double layer = 2.0 * 131072.0 * 131072 + 2.0 * 131072 * 16384 + 3.0 * 131072 * 524288 + 2.0 * 131072;
    assert_close(model_params_total(&m), 480 * layer + 2.0 * 128256 * 131072 + 131072, 1e-12);
    load_system("h100-sxm", &s);
    predict_req_t q;
    predict_req_default(&q, &m);
    static predict_result_t r;
    assert_int_equal(predict_run(&m, &s, &q, &r, &d), IS_OK);
    assert_false(r.fits);
    assert_true(isfinite(r.ttft_s) && isfinite(r.tpot_s) && isfinite(r.mem_need_B) && r.mem_need_B > 2.3e14);
}

/* Steady state with more prompts than decode steps: 64 requests of 512-token prompts and
 * 8-token answers need 64 prompt chunks a cycle but decode in only 8 steps, so each of the 8
 * steps carries 8 prompts (the 8192-token budget less 64 decodes holds 15).  Every step is then
 * a mixed one: the cycle is 8 of them and TPOT is that step's time.  (Charging each prompt a
 * mixed step of its own and the rest as pure decode gave 8 x t_mix - 7 x t_dec: a faster
 * decode step lowered the throughput.) */
static void test_steady_prompt_bound(void **state)
{
    (void)state;
    static model_t m;
    static system_t s;
    load_model("llama-3.1-8b", &m);
    load_system("h100-sxm", &s);
    predict_req_t req;
    predict_req_default(&req, &m);
    req.cfg.plan = (plan_t){1, 1, 1, 1, 1};
    req.batch = 64;
    req.isl = 512;
    req.osl = 8;
    req.steady = 1;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(predict_run(&m, &s, &req, &R, &d), IS_OK);
    assert_true(R.steady);
    assert_close(R.tpot_s, R.prefill.step_s, 1e-12);
    assert_close(R.output_tok_s, 64.0 / R.prefill.step_s, 1e-12);
    assert_true(R.prefill.step_s > R.decode.step_s);
    /* the mixed step holds 8 x 512 prompt tokens and 64 decodes */
    assert_close(R.prefill.cost.tokens, 8 * 512 + 64, 1e-12);
    /* a 32-token budget that the 64 decodes fill alone: each prompt goes in 16 chunks of 32
     * tokens, one a step (32 / 32), so 64 x 16 mixed steps a cycle, far more than 8, and the
     * cycle is 64 prompts' TTFT (each the sum of its 16 chunks' steps) */
    req.prefill_chunk = 32;
    diag_clear(&d);
    assert_int_equal(predict_run(&m, &s, &req, &R, &d), IS_OK);
    assert_close(R.prefill.cost.tokens, 32 + 64, 1e-12);
    assert_close(R.tpot_s, 64 * R.ttft_s / 8, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_fits_answer),
        cmocka_unit_test(test_max_batch_is_the_edge),
        cmocka_unit_test(test_latency_floors_and_batching),
        cmocka_unit_test(test_parallel_plans),
        cmocka_unit_test(test_plan_errors),
        cmocka_unit_test(test_edge_and_cpu),
        cmocka_unit_test(test_memo_changes_nothing),
        cmocka_unit_test(test_diffusion),
        cmocka_unit_test(test_hundred_trillion),
        cmocka_unit_test(test_steady_prompt_bound),
    };
    return cmocka_run_group_tests_name("predict", tests, NULL, NULL);
}
