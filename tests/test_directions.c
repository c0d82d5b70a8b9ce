/*
 * test_directions.c — the paper's directions as mechanisms, on hand-computed cases.
 * High Bandwidth Flash: capacity and the fewest chips, reads smaller than the flash page,
 * latency hiding with bytes in flight, and the KV cache kept off flash (or its wear).
 * HBF figures: Ma & Patterson 2026, Table 3 (512 GB, 1638 GB/s, 4096-byte reads).
 */
#include "testutil.h"

#include "../src/analysis/directions.h"
#include "../src/analysis/predict.h"
#include "../src/core/engine.h"

/* An H100-like chip (80 GB HBM at 3.35 TB/s, 50 MB SRAM) with or without one HBF stack. */
static void chip(system_t *s, int hbf, double hbf_latency_ns)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "name: hand\n"
             "chip: {sram_MB: 50, peak_TFLOPs: {bf16: 989.4, fp8: 1978.9}, compute_efficiency: 0.7}\n"
             "memory:\n"
             "  - {name: hbm, capacity_GB: 80, bandwidth_GBps: 3350, efficiency: 0.9, latency_ns: 500, access_B: 32}\n"
             "%s"
             "interconnect: [{name: nvl, domain_chips: 8, bandwidth_GBps: 450, efficiency: 0.8, hop_latency_ns: 500}]\n"
             "software: {kernel_overhead_us: 1.5, collective_launch_us: 5, reserved_GB: 8}\n",
             hbf ? "  - {name: hbf, capacity_GB: 512, bandwidth_GBps: 1638, efficiency: 1.0, latency_ns: %g,"
                   " access_B: 4096, read_only: true, endurance_pe_cycles: 100000}\n" : "");
    char full[2048];
    snprintf(full, sizeof full, yaml, hbf_latency_ns);
    diag_t d;
    if (system_from(full, s, &d) != IS_OK) {
        char buf[1024];
        print_error("%s", diag_format(&d, buf, sizeof buf));
        fail();
    }
}

static void test_hbf_fewest_chips(void **state)
{
    (void)state;
    model_t m;
    load_model("llama-3.1-405b", &m);
    static system_t hbm, hbf;
    chip(&hbm, 0, 0);
    chip(&hbf, 1, 5000);
    deploy_cfg_t cfg;
    deploy_cfg_default(&cfg, &m);
    precision_parse("fp8", &cfg.weights);
    cfg.experts = cfg.weights;
    cfg.embed = deploy_embed_precision(&cfg.weights);
    cfg.act = cfg.weights;
    int tp, pp;
    /* 405.9 B fp8 weights (+ 16-bit embeddings): 4 chips hold 103 GB each > 80 GB - 8 GB reserve;
     * 8 chips hold 52 GB each: fits */
    assert_int_equal(predict_fewest_chips(&m, &hbm, &cfg, 1024, 1024, 64, &tp, &pp), 8);
    assert_int_equal(tp, 8);
    /* one HBF stack (512 GB) holds them all on one chip; the HBM keeps the KV cache */
    cfg.weights_tier = 1;
    assert_int_equal(predict_fewest_chips(&m, &hbf, &cfg, 1024, 1024, 64, &tp, &pp), 1);
}

static void test_small_reads_and_latency_hiding(void **state)
{
    (void)state;
    model_t m;
    load_model("llama-3.1-8b", &m);
    static system_t s;
    chip(&s, 1, 50000); /* the text's "tens of microseconds" */
    deploy_cfg_t cfg;
    deploy_cfg_default(&cfg, &m);
    precision_parse("fp8", &cfg.kv);
    cfg.weights_tier = 1;
    deploy_t dep;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(deploy_setup(&dep, &m, &s, &cfg, &d), IS_OK);
    /* a paged-KV block of 16 tokens x 128 dims x 1 byte = 2048 bytes: half a 4096-byte flash
     * page, so a read costs twice its bytes; 32-byte HBM accesses waste nothing */
    assert_close(dep.kv_gran_mult[1], 2.0, 1e-12);
    assert_close(dep.kv_gran_mult[0], 1.0, 1e-12);
    /* a norm vector: 4096 x 2 bytes = 8192 = two pages exactly */
    assert_int_equal(dep.layer[0].ops[0].kind, OP_NORM);
    assert_close(dep.layer[0].ops[0].w_gran_mult[1], 1.0, 1e-12);
    /* 1638 GB/s x 50 us = 81.9 MB in flight, more than the 50 MB of SRAM: the stack delivers
     * 50 MB / 50 us = 1000 GB/s */
    assert_close(dep.inflight_need_B[1], 1638e9 * 50e-6, 1e-12);
    assert_false(dep.inflight_held[1]);
    assert_close(dep.tier_bw[1], 50e6 / 50e-6, 1e-12);
    /* HBM: 3.015 TB/s x 0.5 us = 1.5 MB: held, full bandwidth */
    assert_true(dep.inflight_held[0]);
    assert_close(dep.tier_bw[0], 3350e9 * 0.9, 1e-12);
    /* at 5 us the stack needs 8.2 MB in flight: held */
    chip(&s, 1, 5000);
    diag_clear(&d);
    assert_int_equal(deploy_setup(&dep, &m, &s, &cfg, &d), IS_OK);
    assert_true(dep.inflight_held[1]);
    assert_close(dep.tier_bw[1], 1638e9, 1e-12);
    /* an expert shard: Qwen3-30B-A3B's experts in MXFP4 split over TP 8, one matrix of one expert
     * is 2048 x 768 / 8 x 4.25 / 8 B = 104,448 B = 25.5 flash pages, read as 26: x 1.0196 */
    model_t q;
    load_model("qwen3-30b-a3b", &q);
    deploy_cfg_default(&cfg, &q);
    precision_parse("mxfp4", &cfg.experts);
    cfg.plan = (plan_t){8, 8, 1, 1, 1};
    cfg.weights_tier = 1;
    diag_clear(&d);
    assert_int_equal(deploy_setup(&dep, &q, &s, &cfg, &d), IS_OK);
    int k;
    for (k = 0; k < dep.layer[0].n_ops && dep.layer[0].ops[k].kind != OP_EXPERTS; k++)
        ;
    assert_true(k < dep.layer[0].n_ops);
    assert_close(dep.layer[0].ops[k].weight_run_B, 104448, 1e-12);
    assert_close(dep.layer[0].ops[k].w_gran_mult[1], 26.0 * 4096 / 104448, 1e-12);
    assert_close(dep.layer[0].ops[k].w_gran_mult[0], 1.0, 1e-12);
}

static void test_kv_stays_off_flash(void **state)
{
    (void)state;
    model_t m;
    load_model("llama-3.1-8b", &m);
    static system_t s;
    chip(&s, 1, 5000);
    predict_req_t req;
    predict_req_default(&req, &m);
    req.cfg.kv_tier = 1;
    static predict_result_t r;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(predict_run(&m, &s, &req, &r, &d), IS_ERR_INPUT);
    assert_string_equal(d.message, "the KV cache is written every token but tier hbf is read-only (flash, 100000 P/E "
                                   "cycles): keep it on a writable tier, or pass --allow-wear for a lifetime estimate");
    /* allowed: the lifetime is capacity x P/E cycles over the bytes written, and every processed
     * token appends 32 layers x 2 x 8 heads x 128 x 2 bytes = 131,072 bytes */
    req.cfg.allow_wear = 1;
    diag_clear(&d);
    assert_int_equal(predict_run(&m, &s, &req, &r, &d), IS_OK);
    assert_int_equal(r.wear_tier, 1);
    assert_close(r.wear_write_Bps, r.total_tok_s * 131072.0, 1e-12);
    assert_close(r.wear_lifetime_s, 512e9 * 100000 / r.wear_write_Bps, 1e-12);
    /* without the option the default placement never puts the KV cache on flash */
    req.cfg.kv_tier = -1;
    req.cfg.weights_tier = 1;
    diag_clear(&d);
    assert_int_equal(predict_run(&m, &s, &req, &r, &d), IS_OK);
    assert_close(r.placement.kv[1] + 1, 1, 1e-15);
    assert_close(r.placement.weights[1], 1.0, 1e-12);
}

static void test_3d_logic_power_cap(void **state)
{
    (void)state;
    /* logic on the memory stack, capped at 75 W of dynamic power against 600 W at full clock:
     * the clock falls to (75 / 600)^(1/3) = 0.5 */
    const char *base = "name: hand\n"
                       "chip: {peak_TFLOPs: {bf16: 1000}, compute_efficiency: 1.0}\n"
                       "memory: [{name: hbm, capacity_GB: 192, bandwidth_GBps: 8000, efficiency: 1.0, latency_ns: 0}]\n"
                       "power: {tdp_W: 700, idle_W: 100%s}\n"
                       "software: {kernel_overhead_us: 0}\n";
    char y1[1024], y2[1024];
    snprintf(y1, sizeof y1, base, "");
    snprintf(y2, sizeof y2, base, ", logic_power_cap_W: 75");
    static system_t full, capped;
    diag_t d;
    assert_int_equal(system_from(y1, &full, &d), IS_OK);
    assert_int_equal(system_from(y2, &capped, &d), IS_OK);
    model_t m;
    load_model("llama-3.1-8b", &m);
    predict_req_t req;
    predict_req_default(&req, &m);
    req.isl = 2048;
    req.osl = 128;
    static predict_result_t a, b;
    diag_clear(&d);
    assert_int_equal(predict_run(&m, &full, &req, &a, &d), IS_OK);
    diag_clear(&d);
    assert_int_equal(predict_run(&m, &capped, &req, &b, &d), IS_OK);
    assert_close(b.dep.clock_factor, 0.5, 1e-12);
    /* prefill is compute-bound: twice as long; decode is memory-bound: unchanged within 1 % */
    assert_close(b.ttft_s / a.ttft_s, 2.0, 0.02);
    assert_close(b.tpot_s / a.tpot_s, 1.0, 0.01);
}

static void test_pim_shards_and_batching(void **state)
{
    (void)state;
    /* 100 GB at 1000 GB/s; PIM logic: 10 TFLOP/s seeing 4000 GB/s inside the banks, 48 MB banks */
    const char *base = "name: hand\n"
                       "chip: {peak_TFLOPs: {bf16: 1000}, compute_efficiency: 1.0}\n"
                       "memory: [{name: dram, capacity_GB: 100, bandwidth_GBps: 1000, efficiency: 1.0, latency_ns: 0%s}]\n"
                       "software: {kernel_overhead_us: 0}\n";
    char y1[1024], y2[1024];
    snprintf(y1, sizeof y1, base, "");
    snprintf(y2, sizeof y2, base, ", near_compute_TFLOPs: 10, near_bandwidth_GBps: 4000, unit_MB: 48");
    static system_t host, pim;
    diag_t d;
    assert_int_equal(system_from(y1, &host, &d), IS_OK);
    assert_int_equal(system_from(y2, &pim, &d), IS_OK);
    model_t m;
    load_model("llama-3.1-8b", &m);
    deploy_cfg_t cfg;
    deploy_cfg_default(&cfg, &m);
    deploy_t dh, dp;
    diag_clear(&d);
    assert_int_equal(deploy_setup(&dh, &m, &host, &cfg, &d), IS_OK);
    assert_int_equal(deploy_setup(&dp, &m, &pim, &cfg, &d), IS_OK);
    /* a whole 70B model in fp8 (70.55 B parameters at 1 byte, its two 1.05 B-parameter embedding
     * matrices at 2): 72.65 GB -> 1514 banks of 48 MB, against 4 PNM units of 24 GB */
    model_t m70;
    load_model("llama-3.1-70b", &m70);
    precision_t f8, e16;
    precision_parse("fp8", &f8);
    precision_parse("bf16", &e16);
    double b70 = model_weight_bytes(&m70, &f8, &f8, &e16);
    assert_close(b70, 70.554e9 + 2 * 128256.0 * 8192, 0.001);
    assert_close(ceil(b70 / 48e6), 1514, 1e-12);
    assert_close(ceil(b70 / 24e9), 4, 1e-12);
    /* the MLP of one layer: 3 x 4096 x 14336 x 2 bytes = 352.3 MB -> 8 banks of 48 MB */
    const op_table_t *t = &dp.layer[0];
    int k;
    for (k = 0; k < t->n_ops && t->ops[k].kind != OP_MLP; k++)
        ;
    assert_true(k < t->n_ops);
    assert_close(t->ops[k].near_units[0], 8, 1e-12);
    placement_t ph, pp;
    deploy_place(&dh, 1, 1024, 1024, &ph);
    deploy_place(&dp, 1, 1024, 1024, &pp);
    /* batch 1: the banks' 4x bandwidth wins; batch 256: 10 TFLOP/s of DRAM-process logic would
     * lose to the host's 1000, so the runtime keeps the GEMMs on the host: the same step */
    step_t st;
    step_clear(&st);
    step_add(&st, &m, 1, 1, 1000);
    assert_true(engine_step(&dp, &pp, &st, NULL) < engine_step(&dh, &ph, &st, NULL));
    step_clear(&st);
    step_add(&st, &m, 256, 1, 1000);
    step_cost_t cp, ch;
    double tp = engine_step(&dp, &pp, &st, &cp), th = engine_step(&dh, &ph, &st, &ch);
    assert_true(tp <= th);
    assert_close(cp.by_op[OP_MLP], ch.by_op[OP_MLP], 1e-12);
    /* the shards a chip's weights make, each weight operator of a layer cut into 48 MB banks:
     * qkv 4096 x 6144 x 2 B = 50.3 MB -> 2, o 33.6 MB -> 1, MLP 352.3 MB -> 8, the layer's norm
     * vectors 16 kB -> 1: 12 per layer, 384 in 32 layers; the LM head 128256 x 4096 x 2 B =
     * 1050.7 MB -> 22 and the final norm 1: 407 banks.  Each token's activations cross the
     * interface once per bank: per layer norms 49,152 B (the op table's reads and writes of the
     * 4096-wide residual), qkv (4096 in + 6144 out) x 2 B = 20,480 B x 2 banks, o 16,384 B,
     * MLP (4096 + 2 x 14336 + 14336 + 4096) x 2 B = 102,400 B x 8 banks: 925,696 B x 32 layers;
     * the final norm 24,576 B and the LM head (4096 x 2 B in, 128256 fp32 logits out) 521,216 B
     * x 22 banks: 41.11 MB a token */
    double bcast;
    assert_close(deploy_near_shards(&dp, 0, &bcast), 407, 1e-12);
    double per_layer = 49152 + 20480.0 * 2 + 16384 + 102400.0 * 8, last = 24576 + 521216.0 * 22;
    assert_close(bcast, 32 * per_layer + last, 1e-12);
    assert_close(bcast, 41113600, 1e-12);
}

/* A shared prefix (a RAG context every request starts with) cached once on HBF: written once, so
 * flash may hold it without wear.  Llama-3.1-8B, bf16 KV: 32 layers x 2 x 8 heads x 128 x 2 B =
 * 131,072 B per token.  A 30,000-token prefix is 3.93 GB, on the HBF tier; every sequence keeps
 * only its own 2048 + 256 tokens in HBM; each decode step reads the prefix from flash once per
 * sequence (global attention, 16-token pages of 4096 B: no read amplification on 4 KiB flash pages). */
static void test_shared_prefix_on_flash(void **state)
{
    (void)state;
    model_t m;
    load_model("llama-3.1-8b", &m);
    static system_t s;
    chip(&s, 1, 5000);
    predict_req_t req;
    predict_req_default(&req, &m);
    req.cfg.weights_tier = 0;       /* weights in HBM: HBF holds only the prefix */
    req.cfg.shared_prefix = 30000;
    req.cfg.prefix_tier = 1;
    req.isl = 32048;
    req.osl = 256;
    req.batch = 16;
    static predict_result_t r;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(predict_run(&m, &s, &req, &r, &d), IS_OK);
    assert_true(r.fits);
    assert_close(r.kv_prefix_B, 30000 * 131072.0, 1e-12);
    assert_close(r.kv_B, 16 * (2048 + 256) * 131072.0 + 30000 * 131072.0, 1e-12);
    assert_close(r.placement.kv_prefix[1], 1.0, 1e-15);
    assert_close(r.placement.kv[0], 1.0, 1e-15);
    /* the decode step's flash traffic: 16 sequences x 30,000 prefix tokens x 131,072 B */
    assert_close(r.decode.cost.mem_bytes[1], 16 * 30000 * 131072.0, 1e-12);
    /* cascade attention reads the prefix once per step for all 16: 30,000 x 131,072 B from flash */
    req.cfg.prefix_once = 1;
    diag_clear(&d);
    assert_int_equal(predict_run(&m, &s, &req, &r, &d), IS_OK);
    assert_close(r.decode.cost.mem_bytes[1], 30000 * 131072.0, 1e-12);
    req.cfg.prefix_once = 0;
    /* prefill computes only each prompt's own 2048 tokens */
    step_t st;
    step_clear(&st);
    st.prefix = 30000;
    step_add(&st, &m, 1, 2048, 30000);
    assert_close(st.tokens, 2048, 0);
    assert_close(st.prefix_read[0], 30000, 1e-15);
    /* without the cached prefix, 16 sequences of 32,304 tokens hold 67.7 GB of KV in HBM and crowd
     * part of the weights out to flash */
    req.cfg.shared_prefix = 0;
    req.cfg.prefix_tier = -1;
    diag_clear(&d);
    assert_int_equal(predict_run(&m, &s, &req, &r, &d), IS_OK);
    assert_close(r.kv_B, 16 * 32304 * 131072.0, 1e-12);
    assert_true(r.placement.weights[1] > 0.5);
    /* a prefix as long as the prompt leaves it nothing of its own */
    req.cfg.shared_prefix = 32048;
    diag_clear(&d);
    assert_int_equal(predict_run(&m, &s, &req, &r, &d), IS_ERR_INPUT);
}

/* Small messages landed in on-chip SRAM: an 8-chip switch all-reduce's steps each lose the
 * DRAM landing (written to HBM and read back: 2 x 500 ns) for the SRAM one (40 ns). */
static void test_sram_landing(void **state)
{
    (void)state;
    static system_t s;
    chip(&s, 0, 0);
    assert_close(s.level[0].landing_s, 1e-6, 1e-15);
    coll_plan_t before, after;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(collective_plan(&s, COLL_ALLREDUCE, 8, &before, &d), IS_OK);
    paper_data_t p = {0};
    p.sram_landing_ns = 40;
    directions_add_sram_landing(&s, &p);
    assert_close(s.level[0].landing_s, 40e-9, 1e-15);
    assert_int_equal(collective_plan(&s, COLL_ALLREDUCE, 8, &after, &d), IS_OK);
    /* a 16 KB decode-size message: the fastest algorithm either way is one-shot (one step),
     * 0.96 us faster */
    coll_algo_t a0, a1;
    double t0 = collective_time(&before, 16384, &a0, NULL, NULL), t1 = collective_time(&after, 16384, &a1, NULL, NULL);
    assert_int_equal(a0, ALGO_ONESHOT);
    assert_int_equal(a1, ALGO_ONESHOT);
    assert_close(t0 - t1, 0.96e-6, 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hbf_fewest_chips),
        cmocka_unit_test(test_small_reads_and_latency_hiding),
        cmocka_unit_test(test_kv_stays_off_flash),
        cmocka_unit_test(test_shared_prefix_on_flash),
        cmocka_unit_test(test_3d_logic_power_cap),
        cmocka_unit_test(test_pim_shards_and_batching),
        cmocka_unit_test(test_sram_landing),
    };
    return cmocka_run_group_tests_name("directions", tests, NULL, NULL);
}
