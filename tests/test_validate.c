/*
 * test_validate.c — the validation set keeps its accuracy: the MAPE recorded in
 * tests/data/validation_mape.txt may not worsen by more than one point (0.01).
 * Improve the model, then record the new figure (tests/data/README.md says how).
 * Also: the CSV reader's errors carry line numbers.
 */
#include "testutil.h"

#include "../src/analysis/validate.h"
#include "../src/io/csv.h"

#include <stdlib.h>
#include <unistd.h>

static double recorded(const char *key)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/../tests/data/validation_mape.txt", catalog_data_dir());
    FILE *f = fopen(path, "r");
    if (!f) {
        print_error("cannot read %s\n", path);
        fail();
    }
    char k[64];
    double v, out = -1;
    while (fscanf(f, "%63s %lf", k, &v) == 2)
        if (!strcmp(k, key))
            out = v;
    fclose(f);
    if (out < 0) {
        print_error("no %s in %s\n", key, path);
        fail();
    }
    return out;
}

/* Run validate over a set written to a temporary file (removed again). */
static void validate_text(const char *csv, val_report_t *r)
{
    char path[] = "/tmp/infersim-val-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(csv, f);
    fclose(f);
    diag_t d;
    diag_clear(&d);
    assert_int_equal(validate_run(path, NULL, r, &d), IS_OK);
    unlink(path);
}

static void test_mape_does_not_worsen(void **state)
{
    (void)state;
    char set[3][4200], al[4200];
    snprintf(set[0], sizeof set[0], "%s/validation/published.csv", catalog_data_dir());
    snprintf(set[1], sizeof set[1], "%s/validation/serving.csv", catalog_data_dir());
    snprintf(set[2], sizeof set[2], "%s/validation/measured.csv", catalog_data_dir());
    snprintf(al, sizeof al, "%s/validation/aliases.csv", catalog_data_dir());
    const char *paths[3] = {set[0], set[1], set[2]};
    val_report_t r;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(validate_run_sets(paths, 3, al, &r, &d), IS_OK);
    assert_int_equal(r.n_sets, 3);
    assert_string_equal(r.sets[0].name, "published");
    assert_string_equal(r.sets[1].name, "serving");
    assert_string_equal(r.sets[2].name, "measured");
    const val_mape_t *pub = &r.sets[0].mape, *srv = &r.sets[1].mape, *gpu = &r.sets[2].mape;
    /* the issue asks for at least 40 published rows over 6 accelerators and 2 edge families */
    assert_true(pub->n >= 40);
    print_message("published MAPE: overall %.4f (%d rows), datacenter %.4f (%d), edge %.4f (%d)\n", pub->overall,
                  pub->n, pub->datacenter, pub->n_datacenter, pub->edge, pub->n_edge);
    print_message("serving MAPE: overall %.4f (%d rows)\n", srv->overall, srv->n);
    print_message("measured MAPE: overall %.4f (%d rows), kernel classes %.4f (%d)\n", gpu->overall, gpu->n,
                  gpu->kernel, gpu->n_kernel);
    assert_le(pub->overall, recorded("overall") + 0.01);
    assert_le(pub->datacenter, recorded("datacenter") + 0.01);
    assert_le(pub->edge, recorded("edge") + 0.01);
    assert_le(srv->overall, recorded("serving") + 0.01);
    assert_le(gpu->overall, recorded("measured") + 0.01);
    assert_le(gpu->kernel, recorded("measured_kernel_classes") + 0.01);
    /* the sets together: every row of each counted once */
    assert_int_equal(r.n_done, pub->n + srv->n + gpu->n);
    /* every predicted row has a finite error; every skipped row says why */
    for (int i = 0; i < r.n_rows; i++) {
        if (r.rows[i].skipped)
            assert_true(r.rows[i].reason[0] != '\0');
        else
            assert_true(isfinite(r.rows[i].error));
    }
    validate_free(&r);
}

/* The kernel-class metrics take the matrix-product operators of one step.  Llama-3.1-8B on
 * one H200 in bf16 (data/models/llama-3.1-8b.json, data/systems/h200.yaml):
 *  - decode at batch 1 streams every weight but the embedding once: (8.030e9 - 128256 x 4096)
 *    x 2 B = 15.01 GB at 4800 GB/s x 0.87 = 3.595 ms, plus per operator (129: qkv, o, mlp in
 *    32 layers, and the LM head) at most 3 kernels x 1.5 us + 0.5 us of HBM latency: < 0.65 ms;
 *  - prefill of 2048 tokens: the layers' 6.98e9 matrix parameters (4096 x 6144 + 4096 x 4096
 *    + 3 x 4096 x 14336 per layer, x 32) x 2 FLOPs x 2048 = 2.859e13 FLOPs at 989.4 TFLOP/s x
 *    0.77 = 37.53 ms, plus the LM head's 1.05 GB read once (0.25 ms) and the same overheads. */
static void test_kernel_class_metrics(void **state)
{
    (void)state;
    val_report_t r;
    validate_text("id,group,model,system,chips,tp,pp,ep,weights,kv,batch,isl,osl,metric,value,unit,kernels,elementwise_bytes\n"
                  "k1,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,bf16,1,1024,1,decode_gemm_ms,3.975,ms,,\n"
                  "k2,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,bf16,1,2048,1,prefill_gemm_ms,36.418,ms,,\n"
                  "k3,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,bf16,1,1024,1,decode_attention_ms,0.485,ms,,\n"
                  "k4,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,bf16,1,1024,1,decode_step_ms,6.629,ms,,\n"
                  "k5,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,bf16,1,1024,1,decode_step_ms,6.629,ms,1292,\n"
                  "k6,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,bf16,1,1024,1,decode_gemm_ms,3.975,ms,1292,\n"
                  "k7,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,bf16,1,2048,1,ttft_ms,60.189,ms,1292,\n"
                  "k8,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,bf16,1,2048,1,ttft_ms,60.189,ms,1292,614400\n"
                  "k9,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,bf16,1,2048,1,ttft_ms,60.189,ms,1292,-5\n",
                  &r);
    assert_int_equal(r.n_done, 8);
    print_message("decode_gemm %.4f ms, prefill_gemm %.4f ms, decode_attention %.4f ms\n", r.rows[0].predicted,
                  r.rows[1].predicted, r.rows[2].predicted);
    assert_true(r.rows[0].predicted >= 3.595 && r.rows[0].predicted <= 3.595 + 0.65);
    assert_true(r.rows[1].predicted >= 37.53 && r.rows[1].predicted <= 37.53 + 0.25 + 0.65);
    /* attention at batch 1 reads 1024 cached tokens x 131,072 B = 0.134 GB: 32 us of streaming,
     * plus 32 layers of overhead: far below either GEMM figure */
    assert_true(r.rows[2].predicted > 0.032 && r.rows[2].predicted < 0.5);
    /* a stack launching 1,292 kernels a step (plain PyTorch, profiled) where the engine counts 292
     * (test_engine's test_stack_kernels): 1,000 element-wise launches at the H200 preset's 1.5 us
     * more in the step, none of them in the GEMMs */
    assert_close(r.rows[4].predicted - r.rows[3].predicted, 1.5, 1e-6);
    assert_close(r.rows[5].predicted, r.rows[0].predicted, 1e-12);
    assert_int_equal(r.sets[0].mape.n_kernel, 4);
    /* and its element-wise kernels' 614,400 B per token per layer over a 2048-token prefill:
     * 32 x 614,400 x 2048 B at the H200's copy rate (4.8 TB/s x 0.577), 14.54 ms more; a negative
     * count is a reason to skip the row */
    assert_close(r.rows[7].predicted - r.rows[6].predicted, 32 * 614400.0 * 2048 / (4.8e12 * 0.577) * 1e3, 1e-6);
    assert_int_equal(r.rows[8].skipped, 1);
    assert_non_null(strstr(r.rows[8].reason, "elementwise_bytes must be a positive integer"));
    validate_free(&r);
}


/* A serving benchmark's latencies (benchmark_serving's "Mean TTFT" and "Mean TPOT") come from
 * the same simulated run as its throughput.  One request at a time (concurrency 1) is
 * predict's batch-1 request: each request's TTFT is the lone prefill, its TPOT the decode
 * steps of one sequence (test_serve's test_alone_equals_predict).  Eight at a time: the eight
 * 1024-token prompts of the first wave fill one 8192-token iteration, so the mean TTFT is above
 * the lone prompt's; each step then carries up to eight sequences, so the TPOT is above the
 * lone one's and below eight times it (the weights are read once a step for all of them).  A
 * row may give the serving stack's own costs: host time between iterations and a front end. */
static void test_serving_latency_rows(void **state)
{
    (void)state;
    val_report_t r;
    validate_text("id,group,model,system,chips,tp,pp,ep,weights,kv,batch,isl,osl,requests,concurrency,metric,value,unit,"
                  "framework,host_gap_us,frontend_ms,frontend_us_token,host_us_iter,host_us_request,schedule_ahead\n"
                  "s1,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,bf16,,1024,128,3,1,ttft_ms,1,ms,vLLM,,,,,,\n"
                  "s2,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,bf16,,1024,128,3,1,tpot_ms,1,ms,vLLM,,,,,,\n"
                  "s3,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,bf16,1,1024,128,,,ttft_ms,1,ms,vLLM,,,,,,\n"
                  "s4,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,bf16,1,1024,128,,,tpot_ms,1,ms,vLLM,,,,,,\n"
                  "s5,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,bf16,,1024,128,80,8,ttft_ms,1,ms,vLLM,,,,,,\n"
                  "s6,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,bf16,,1024,128,80,8,tpot_ms,1,ms,vLLM,,,,,,\n"
                  "s7,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,bf16,,1024,128,3,1,ttft_ms,1,ms,vLLM,1000,20,5,,,\n"
                  "s8,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,bf16,,1024,128,3,1,tpot_ms,1,ms,vLLM,1000,20,5,,,\n"
                  "s9,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,bf16,,1024,128,3,1,tpot_ms,1,ms,vLLM,-1,,,,,\n"
                  "s10,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,bf16,,1024,128,3,1,tpot_ms,1,ms,vLLM,,,,5e5,5e5,\n"
                  "s11,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,bf16,,1024,128,3,1,tpot_ms,1,ms,vLLM,,,,,,yes\n",
                  &r);
    assert_int_equal(r.n_rows, 11);
    for (int i = 0; i < 8; i++)
        assert_int_equal(r.rows[i].skipped, 0);
    print_message("concurrency 1: TTFT %.3f ms (batch 1: %.3f), TPOT %.4f ms (batch 1: %.4f); "
                  "concurrency 8: TTFT %.3f ms, TPOT %.4f ms (%s)\n",
                  r.rows[0].predicted, r.rows[2].predicted, r.rows[1].predicted, r.rows[3].predicted,
                  r.rows[4].predicted, r.rows[5].predicted, r.rows[5].plan);
    assert_close(r.rows[0].predicted, r.rows[2].predicted, 0.005);
    assert_close(r.rows[1].predicted, r.rows[3].predicted, 0.005);
    assert_non_null(strstr(r.rows[0].plan, "offline 3 x1"));
    assert_true(r.rows[4].predicted > 2 * r.rows[0].predicted);
    assert_true(r.rows[5].predicted > r.rows[1].predicted && r.rows[5].predicted < 8 * r.rows[1].predicted);
    /* the stack's own costs: 1 ms of host time after every iteration, and a front end of 20 ms +
     * 5 us x 1024 prompt tokens = 25.12 ms before the scheduler sees the request.  Alone, its TTFT
     * gains both (its prompt iteration waits out the gap too): 26.12 ms; its TPOT the gap, 1 ms */
    assert_close(r.rows[6].predicted - r.rows[0].predicted, 26.12, 1e-6);
    assert_close(r.rows[7].predicted - r.rows[1].predicted, 1.0, 1e-6);
    assert_int_equal(r.rows[8].skipped, 1);
    assert_non_null(strstr(r.rows[8].reason, "host_gap_us must be a number of 0 or more"));
    /* the stack's overlapped host work (serve --host-us-iter, --host-us-request): 0.5 s an iteration
     * and 0.5 s a request in it, far above the chips' step, so each of a lone request's decode
     * iterations takes exactly 1 s */
    assert_close(r.rows[9].predicted, 1000.0, 1e-9);
    assert_int_equal(r.rows[10].skipped, 1);
    assert_non_null(strstr(r.rows[10].reason, "schedule_ahead must be 0 or 1"));
    validate_free(&r);
}

/* Offline-benchmark rows (a requests column): n requests queued at once and served to the
 * last.  One request alone is predict's batch-1 request: osl / (TTFT + (osl - 1) x TPOT),
 * the same engine steps (test_serve's test_alone_equals_predict).  3,000 requests take
 * less than the steady state's rate (the run ramps up and drains) but most of it.  The
 * experts and act columns are precisions, and a wrong one is a reason to skip the row. */
static void test_offline_rows(void **state)
{
    (void)state;
    val_report_t r;
    validate_text("id,group,model,system,chips,tp,pp,ep,weights,experts,act,kv,batch,isl,osl,requests,metric,value,unit,"
                  "framework,max_seqs,max_tokens,slo_ttft_ms,slo_tpot_ms,concurrency,kv_fraction,graph_batches\n"
                  "o1,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,,,bf16,,1024,128,1,output_tok_s,1,tok/s,vLLM,,,,,,,\n"
                  "o2,datacenter,llama-3.1-8b,h200,1,1,1,,bf16,,,bf16,1,1024,128,,output_tok_s,1,tok/s,vLLM,,,,,,,\n"
                  "o3,datacenter,llama-3.1-8b,h200,1,1,1,,fp8,,,fp8,max,1024,1024,3000,output_tok_s,1,tok/s,"
                  "TensorRT-LLM (trtllm-bench),,,,,,,\n"
                  "o4,datacenter,llama-3.1-8b,h200,1,1,1,,fp8,,,fp8,max,1024,1024,,output_tok_s,1,tok/s,TensorRT-LLM,,,,,,,\n"
                  "o5,datacenter,gpt-oss-20b,h200,1,1,1,,bf16,mxfp5,bf16,bf16,max,1024,1024,,output_tok_s,1,tok/s,x,,,,,,,\n"
                  "o6,datacenter,gpt-oss-20b,h200,1,1,1,,bf16,mxfp4,bf16,bf16,1,1024,128,,decode_gemm_ms,1,ms,x,,,,,,,\n"
                  "o7,datacenter,gpt-oss-20b,h200,1,1,1,,bf16,bf16,bf16,bf16,1,1024,128,,decode_gemm_ms,1,ms,x,,,,,,,\n"
                  "o8,datacenter,llama-3.1-8b,h200,1,1,1,,fp8,,,fp8,max,lognormal:1024:512,normal:1024:100,3000,output_tok_s,1,"
                  "tok/s,vLLM,,,,,,,\n"
                  "o9,datacenter,llama-3.1-8b,h200,1,1,1,,fp8,,,fp8,max,lognormal:1024:512,1024,,output_tok_s,1,tok/s,vLLM,,,,,,,\n"
                  "o10,datacenter,gpt-oss-20b,h200,1,1,1,,bf16,mxfp4,bf16,bf16,max,8192,1024,40,output_tok_s,1,tok/s,"
                  "TensorRT-LLM (trtllm-bench),,,,,,,\n"
                  "o11,datacenter,llama-3.1-8b,h200,1,1,1,,fp8,,,fp8,max,1024,1024,3000,output_tok_s,1,tok/s,TensorRT-LLM,"
                  "256,4096,,,,,\n"
                  "o12,datacenter,llama-3.1-8b,h200,1,1,1,,fp8,,,fp8,,1024,128,3000,output_tok_s,1,tok/s,vLLM,,,2000,200,,,\n"
                  "o13,datacenter,llama-3.1-8b,h200,1,1,1,,fp8,,,fp8,max,1024,128,3000,output_tok_s,1,tok/s,vLLM,,,,,,,\n"
                  "o14,datacenter,llama-3.1-8b,h200,1,1,1,,fp8,,,fp8,,1024,128,3000,output_tok_s,1,tok/s,vLLM,,,-3,200,,,\n"
                  "o15,datacenter,llama-3.1-8b,h200,1,1,1,,fp8,,,fp8,max,1024,1024,3000,output_tok_s,1,tok/s,"
                  "TensorRT-LLM (trtllm-bench),,,,,100,,\n"
                  "o16,datacenter,llama-3.1-70b,h200,1,1,1,,fp8,,,fp8,max,1024,1024,1000,output_tok_s,1,tok/s,"
                  "TensorRT-LLM (trtllm-bench),,,,,,0.5,\n"
                  "o17,datacenter,llama-3.1-8b,h200,1,1,1,,fp8,,,fp8,max,1024,1024,3000,output_tok_s,1,tok/s,"
                  "TensorRT-LLM (trtllm-bench),,,,,,,\"1,8,4\"\n"
                  "o18,datacenter,llama-3.1-8b,h200,1,1,1,,fp8,,,fp8,max,1024,1024,3000,output_tok_s,1,tok/s,"
                  "TensorRT-LLM (trtllm-bench),,,,,,1.5,\n"
                  "o19,datacenter,llama-3.1-70b,h200,1,1,1,,fp8,,,fp8,max,1024,1024,1000,output_tok_s,1,tok/s,"
                  "TensorRT-LLM (trtllm-bench),,,,,,,\n"
                  "o20,datacenter,llama-3.1-70b,h200,1,1,1,,fp8,,,fp8,max,1024,1024,1000,output_tok_s,1,tok/s,"
                  "TensorRT-LLM (trtllm-bench),,,,,,1,\n",
                  &r);
    assert_int_equal(r.n_rows, 20);
    print_message("alone %.2f vs batch 1 %.2f tok/s; 3000 offline %.0f vs steady %.0f tok/s (%s)\n",
                  r.rows[0].predicted, r.rows[1].predicted, r.rows[2].predicted, r.rows[3].predicted, r.rows[2].plan);
    assert_close(r.rows[0].predicted, r.rows[1].predicted, 0.005);
    /* trtllm-bench's own limits (tensorrt_llm/bench/build/tuning.py): Llama-3.1-8B's 8.030e9
     * parameters at 1 B (fp8) are 7.479 GiB of the H200's 150.1e9 B = 139.79 GiB; 0.90 of the
     * 132.31 GiB left over 2 x 32 layers x 8 heads x 128 x 1 B = 65,536 B per token at 2048
     * tokens a request: 952.6 requests, rounded up to 128s: 1024; tokens 952.6 x (1 + 1024/1024)
     * = 1905, at least 2048, and at least ISL + batch = 2048 (chunked prefill off) */
    assert_non_null(strstr(r.rows[2].plan, "offline 3000 (max 1024 seqs, 2048 tokens)"));
    assert_true(r.rows[2].predicted < r.rows[3].predicted && r.rows[2].predicted > 0.5 * r.rows[3].predicted);
    assert_int_equal(r.rows[4].skipped, 1);
    assert_true(strstr(r.rows[4].reason, "experts precision \"mxfp5\"") != NULL);
    /* one token touches 4 of gpt-oss-20b's 32 experts in each of 24 layers (data/models/
     * gpt-oss-20b.json): 4 x 24 x (2880 x 5760 + 2880 x 2880) = 2.389e9 weights; MXFP4 stores
     * 4.25 bits of them where bf16 stores 16, 3.509e9 B fewer, at the grouped GEMM's 4800 GB/s x
     * 0.57 (data/systems/h200.yaml, memory[0].grouped_efficiency): 1.2826 ms less, and every
     * other operator the same */
    print_message("decode GEMMs: experts mxfp4 %.4f ms, bf16 %.4f ms\n", r.rows[5].predicted, r.rows[6].predicted);
    assert_close(r.rows[6].predicted - r.rows[5].predicted, 1.2826, 0.01);
    /* lengths drawn from distributions with o3's means: the same order of throughput (spread
     * lengths pack the cache differently, so not the same figure); without a requests count a
     * distribution cannot be predicted */
    print_message("3000 offline, lognormal prompts and normal answers: %.0f tok/s\n", r.rows[7].predicted);
    assert_int_equal(r.rows[7].skipped, 0);
    assert_true(r.rows[7].predicted > 0.5 * r.rows[2].predicted && r.rows[7].predicted < 2 * r.rows[2].predicted);
    assert_int_equal(r.rows[8].skipped, 1);
    assert_true(strstr(r.rows[8].reason, "needs a requests count") != NULL);
    /* gpt-oss's checkpoint (W4A16 MXFP4 experts) is not one of trtllm-bench's tuned formats:
     * BuildConfig's 2048 requests and 8192 tokens, the tokens raised to ISL + batch = 10240 */
    assert_non_null(strstr(r.rows[9].plan, "offline 40 (max 2048 seqs, 10240 tokens)"));
    /* a harness's own limits (MLPerf's gpu_batch_size, max_num_tokens) replace trtllm-bench's:
     * a quarter of o3's requests in flight serve fewer tokens a second */
    assert_non_null(strstr(r.rows[10].plan, "offline 3000 (max 256 seqs, 4096 tokens)"));
    assert_true(r.rows[10].predicted < r.rows[2].predicted);
    /* MLPerf's Server scenario: the output rate at the highest Poisson rate within p99 TTFT 2 s
     * and TPOT 200 ms.  Loose objectives on a small model: near the saturated offline rate of
     * the same requests (o13), never far above it (an open loop cannot outrun the deployment) */
    print_message("server %.0f tok/s, offline %.0f tok/s (%s)\n", r.rows[11].predicted, r.rows[12].predicted,
                  r.rows[11].plan);
    assert_non_null(strstr(r.rows[11].plan, "server p99 TTFT 2000 ms, TPOT 200 ms"));
    assert_true(r.rows[11].predicted > 0.7 * r.rows[12].predicted && r.rows[11].predicted < 1.1 * r.rows[12].predicted);
    assert_int_equal(r.rows[13].skipped, 1);
    assert_non_null(strstr(r.rows[13].reason, "slo_ttft_ms must be a positive integer"));
    /* trtllm-bench --concurrency 100: a closed loop of 100 users, fewer in flight than o3's
     * ~1,000 (the steps read less KV cache, so less than proportionally fewer tokens) */
    print_message("o3 %.0f, concurrency 100 %.0f tok/s\n", r.rows[2].predicted, r.rows[14].predicted);
    assert_non_null(strstr(r.rows[14].plan, "offline 3000 x100 (max 1024 seqs, 2048 tokens)"));
    assert_true(r.rows[14].predicted < 0.9 * r.rows[2].predicted);
    /* --kv_cache_free_gpu_mem_fraction on Llama-3.1-70B fp8 on one H200: its 70 GB of weights
     * leave a cache for ~190 requests of 2048 tokens x 160 KiB.  o19 gives none, so it runs at
     * the option's default, 0.90 (tensorrt_llm/bench/benchmark/throughput.py); o20 gives 1, all of
     * it, and o15 0.5.  Each step reads all the weights whatever the batch, so fewer requests in
     * flight give less throughput, less than proportionally: o15 < o19 < o20, o15 above half o19
     * (0.5 / 0.9 of the cache) */
    print_message("70B: kv_fraction 0.5 %.0f, default (0.90) %.0f, 1 %.0f tok/s\n", r.rows[15].predicted,
                  r.rows[18].predicted, r.rows[19].predicted);
    assert_true(r.rows[15].predicted < 0.85 * r.rows[18].predicted && r.rows[15].predicted > 0.5 * r.rows[18].predicted);
    assert_true(r.rows[18].predicted < 0.99 * r.rows[19].predicted && r.rows[18].predicted > 0.85 * r.rows[19].predicted);
    assert_int_equal(r.rows[16].skipped, 1);
    assert_non_null(strstr(r.rows[16].reason, "graph_batches"));
    assert_int_equal(r.rows[17].skipped, 1);
    assert_non_null(strstr(r.rows[17].reason, "kv_fraction must be a fraction"));
    /* what each run held, its time-average of requests running: the lone request of o1 runs from
     * its arrival to its last token; o3 never more than its 1,024 seqs; the closed loop of 100 at
     * most 100, nearly always all of them (a user's next request enters the step after the last
     * answer); a steady-state row is no run */
    print_message("running: o1 %.4f, o3 %.1f, concurrency 100 %.2f, o10 %.2f\n", r.rows[0].running, r.rows[2].running,
                  r.rows[14].running, r.rows[9].running);
    assert_close(r.rows[0].running, 1.0, 1e-9);
    assert_true(r.rows[2].running > 500 && r.rows[2].running <= 1024);
    assert_non_null(strstr(r.rows[2].plan, " running"));
    assert_true(r.rows[14].running > 90 && r.rows[14].running <= 100);
    assert_true(r.rows[9].running > 0 && r.rows[9].running <= 40);
    assert_true(r.rows[3].running == 0 && strstr(r.rows[3].plan, "running") == NULL);
    validate_free(&r);
}

/* A row's decode_attention column names its stack's decode kernel: per_head (one thread block per
 * query head, reading the shared KV head again for each: TensorRT-LLM before XQA) or grouped (the
 * default).  Llama-2-70B at TP 2 has 32 query heads and 4 KV heads a chip, so per_head reads the KV
 * cache 8 times: at 2,048/2,048 and batch 64 the KV cache (64 x 3,072 x 80 layers x 1,024 B = 16.1 GB
 * a chip in fp8, 35 GB of weights) dominates each step once read 8 times, and the throughput falls to
 * under half (engine test test_per_head_decode_attention checks the bytes by hand).  Multi-head
 * Llama-2-7B does not change.  Any other value is a reason to skip the row. */
static void test_decode_attention_rows(void **state)
{
    (void)state;
    val_report_t r;
    validate_text("id,group,model,system,chips,tp,pp,ep,weights,kv,batch,isl,osl,decode_attention,metric,value,unit,"
                  "framework\n"
                  "d1,datacenter,llama-2-70b,h100-sxm,2,2,1,,fp8,fp8,64,2048,2048,per_head,output_tok_s_per_gpu,547,tok/s,x\n"
                  "d2,datacenter,llama-2-70b,h100-sxm,2,2,1,,fp8,fp8,64,2048,2048,,output_tok_s_per_gpu,547,tok/s,x\n"
                  "d3,datacenter,llama-2-7b,h100-sxm,1,1,1,,fp8,fp8,48,2048,2048,per_head,output_tok_s_per_gpu,1,tok/s,x\n"
                  "d4,datacenter,llama-2-7b,h100-sxm,1,1,1,,fp8,fp8,48,2048,2048,grouped,output_tok_s_per_gpu,1,tok/s,x\n"
                  "d5,datacenter,llama-2-7b,h100-sxm,1,1,1,,fp8,fp8,48,2048,2048,xqa,output_tok_s_per_gpu,1,tok/s,x\n",
                  &r);
    assert_int_equal(r.n_rows, 5);
    for (int i = 0; i < 4; i++)
        assert_int_equal(r.rows[i].skipped, 0);
    print_message("Llama-2-70B TP2: per_head %.1f, grouped %.1f tok/s a GPU\n", r.rows[0].predicted, r.rows[1].predicted);
    assert_true(r.rows[0].predicted < 0.5 * r.rows[1].predicted);
    assert_close(r.rows[2].predicted, r.rows[3].predicted, 1e-12);
    assert_int_equal(r.rows[4].skipped, 1);
    assert_non_null(strstr(r.rows[4].reason, "decode_attention must be per_head or grouped"));
    validate_free(&r);
}

static void test_csv_errors(void **state)
{
    (void)state;
    char path[] = "/tmp/infersim-csv-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("a,b\n1,2\n\"x,y\",3\n4\n", f);
    fclose(f);
    csv_t c;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(csv_read(path, &c, &d), IS_ERR_INPUT);
    assert_int_equal(d.line, 4);
    assert_string_equal(d.message, "expected 2 fields as in the header, got 1");
    f = fopen(path, "w");
    fputs("a,b\r\n1,\"two\nlines\"\r\n\r\n3,4", f);
    fclose(f);
    diag_clear(&d);
    assert_int_equal(csv_read(path, &c, &d), IS_OK);
    assert_int_equal(c.n_rows, 2);
    assert_string_equal(c.rows[0][1], "two\nlines");
    assert_string_equal(c.rows[1][0], "3");
    assert_int_equal(c.line[1], 5);
    csv_free(&c);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mape_does_not_worsen),
        cmocka_unit_test(test_kernel_class_metrics),
        cmocka_unit_test(test_offline_rows),
        cmocka_unit_test(test_serving_latency_rows),
        cmocka_unit_test(test_decode_attention_rows),
        cmocka_unit_test(test_csv_errors),
    };
    return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}
