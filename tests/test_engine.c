/*
 * test_engine.c — properties the step engine must have whatever its constants:
 * roofline floors, monotonicity, MoE expert coverage, sharding.
 */
#include "testutil.h"

#include "../src/analysis/predict.h"

/* m on s at TP tp with weights w and activations act (NULL: the default, bf16). */
static void setup_formats(deploy_t *dep, const model_t *m, const system_t *s, int tp, const char *w, const char *act,
                          placement_t *pl)
{
    deploy_cfg_t cfg;
    deploy_cfg_default(&cfg, m);
    cfg.plan = (plan_t){tp, tp, 1, 1, 1};
    precision_parse(w, &cfg.weights);
    if (act)
        precision_parse(act, &cfg.act);
    cfg.experts = cfg.weights;
    cfg.embed = deploy_embed_precision(&cfg.weights);
    diag_t d;
    diag_clear(&d);
    status_t st = deploy_setup(dep, m, s, &cfg, &d);
    if (st != IS_OK) {
        char buf[1024];
        print_error("%s", diag_format(&d, buf, sizeof buf));
        fail();
    }
    deploy_place(dep, 1, 4096, 4096, pl);
}

static void setup(deploy_t *dep, const model_t *m, const system_t *s, int tp, const char *w, placement_t *pl)
{
    setup_formats(dep, m, s, tp, w, NULL, pl);
}

/* A decode step can never beat reading its weights at the tier's peak bandwidth;
 * a prefill step can never beat its FLOPs at the chip's peak rate. */
static void test_roofline_floors(void **state)
{
    (void)state;
    static const char *models[] = {"llama-3.1-8b", "llama-3.1-70b", "mixtral-8x7b", "gemma-2-9b", "qwen3-32b"};
    static const char *systems[] = {"h100-sxm", "mi300x", "tpu-v5p", "b200", "apple-m4-max"};
    for (size_t i = 0; i < 5; i++) {
        model_t m;
        system_t s;
        load_model(models[i], &m);
        load_system(systems[i], &s);
        deploy_t dep;
        placement_t pl;
        setup(&dep, &m, &s, 1, "bf16", &pl);
        if (!pl.fits)
            continue;
        step_t st;
        step_clear(&st);
        step_add(&st, &m, 1, 1, 1000);
        step_cost_t c;
        double t = engine_step(&dep, &pl, &st, &c);
        double wbytes = deploy_weight_bytes(&dep);
        /* the embedding table is gathered, not streamed: subtract it from the floor */
        double streamed = wbytes - m.p_embed * 2.0 * (m.tie_embeddings ? 0 : 1);
        assert_le(streamed / s.tier[0].bw_Bps, t);
        step_clear(&st);
        step_add(&st, &m, 1, 2048, 0);
        t = engine_step(&dep, &pl, &st, &c);
        compute_class_t used;
        double peak = system_peak_flops(&s, CC_BF16, &used);
        assert_le(model_prefill_flops(&m, 2048, 0) / peak, t);
        /* the engine's own FLOP count equals the model's (one chip, no sharding), up to the
         * LM head, which prefill computes for the last token only */
        double lm = 2.0 * m.vocab * m.hidden * 2047.0;
        assert_close(c.flops, model_prefill_flops(&m, 2048, 0) - lm, 0.01);
    }
}

static void test_more_bandwidth_never_slower(void **state)
{
    (void)state;
    model_t m;
    system_t s;
    load_model("llama-3.1-70b", &m);
    load_system("h100-sxm", &s);
    double prev = 1e30;
    for (double f = 0.5; f <= 8; f *= 2) {
        system_t s2 = s;
        s2.tier[0].bw_Bps = s.tier[0].bw_Bps * f;
        deploy_t dep;
        placement_t pl;
        setup(&dep, &m, &s2, 8, "fp8", &pl);
        for (int b = 1; b <= 256; b *= 4) {
            step_t st;
            step_clear(&st);
            step_add(&st, &m, b, 1, 2048);
            double t = engine_step(&dep, &pl, &st, NULL);
            if (b == 1) {
                assert_le(t, prev);
                prev = t;
            }
        }
    }
    /* and more interconnect bandwidth never slower either */
    double p2 = 1e30;
    for (double f = 0.5; f <= 8; f *= 2) {
        system_t s2 = s;
        s2.level[0].bw_Bps = s.level[0].bw_Bps * f;
        deploy_t dep;
        placement_t pl;
        setup(&dep, &m, &s2, 8, "fp8", &pl);
        step_t st;
        step_clear(&st);
        step_add(&st, &m, 1, 4096, 0);
        double t = engine_step(&dep, &pl, &st, NULL);
        assert_le(t, p2);
        p2 = t;
    }
}

static void test_more_chips_less_memory_per_chip(void **state)
{
    (void)state;
    static const char *models[] = {"llama-3.1-70b", "mixtral-8x7b", "deepseek-v3", "qwen3-235b-a22b"};
    system_t s;
    load_system("h200", &s);
    for (size_t i = 0; i < 4; i++) {
        model_t m;
        load_model(models[i], &m);
        double prev_w = 1e300, prev_kv = 1e300;
        for (int tp = 1; tp <= 8; tp *= 2) {
            deploy_t dep;
            placement_t pl;
            setup(&dep, &m, &s, tp, "fp8", &pl);
            double w = deploy_weight_bytes(&dep), kv = deploy_kv_bytes(&dep, 16, 4096);
            assert_le(w, prev_w);
            assert_le(kv, prev_kv);
            prev_w = w;
            prev_kv = kv;
        }
    }
}

static void test_experts_touched(void **state)
{
    (void)state;
    /* one token reads exactly its top_k experts */
    assert_close(engine_experts_touched(256, 8, 1), 8.0 / 256, 1e-12);
    /* two tokens: 1 - (1 - 1/4)^2 = 7/16 of 4 experts with top-1 */
    assert_close(engine_experts_touched(4, 1, 2), 7.0 / 16, 1e-12);
    /* a large batch touches (nearly) every expert */
    assert_close(engine_experts_touched(256, 8, 4096), 1.0, 1e-12);
    /* so DeepSeek-V3's decode weight traffic at batch 1 is a small part of its weights */
    model_t m;
    system_t s;
    load_model("deepseek-v3", &m);
    load_system("h200", &s);
    s.tier[0].capacity_B = 2e12; /* one big chip, to see every byte on one tier */
    deploy_t dep;
    placement_t pl;
    setup(&dep, &m, &s, 1, "fp8", &pl);
    step_t st;
    step_cost_t c1, c2;
    step_clear(&st);
    step_add(&st, &m, 1, 1, 0);
    engine_step(&dep, &pl, &st, &c1);
    step_clear(&st);
    step_add(&st, &m, 4096, 1, 0);
    engine_step(&dep, &pl, &st, &c2);
    double w = deploy_weight_bytes(&dep);
    assert_le(c1.mem_bytes[0], 0.1 * w);  /* ~37 B of 671 B parameters */
    assert_le(0.95 * w, c2.mem_bytes[0]); /* every expert read once */
}

static void test_step_aggregates(void **state)
{
    (void)state;
    model_t m;
    load_model("gemma-2-9b", &m);
    step_t s;
    step_clear(&s);
    step_add(&s, &m, 3, 1, 5000);  /* 3 decode tokens at context 5000 */
    step_add(&s, &m, 1, 100, 0);   /* one prefill chunk of 100 */
    assert_close(s.tokens, 103, 1e-15);
    assert_close(s.lm_tokens, 4, 1e-15);
    for (int c = 0; c < m.n_classes; c++) {
        int w = m.classes[c].window;
        double seen = w ? (5001 < w ? 5001 : w) : 5001;
        assert_close(s.kv_read[c], 3 * seen + 100, 1e-15);
        assert_close(s.pairs_dec[c], 3 * seen, 1e-15);
        assert_close(s.pairs_pre[c], 5050, 1e-15);
    }
}

static void test_tp_adds_collectives(void **state)
{
    (void)state;
    model_t m;
    system_t s;
    load_model("llama-3.1-8b", &m);
    load_system("h100-sxm", &s);
    deploy_t dep;
    placement_t pl;
    step_t st;
    step_cost_t c;
    step_clear(&st);
    step_add(&st, &m, 1, 1, 100);
    setup(&dep, &m, &s, 1, "bf16", &pl);
    engine_step(&dep, &pl, &st, &c);
    assert_close(c.by_op[OP_TP_ALLREDUCE] + 1, 1, 1e-15);
    setup(&dep, &m, &s, 8, "bf16", &pl);
    engine_step(&dep, &pl, &st, &c);
    /* 2 all-reduces per layer (attention, MLP) + 1 for the vocab-parallel embedding */
    assert_close(c.net_bytes, (2.0 * 32 + 1) * 4096 * 2 + m.vocab * 2.0, 1e-12);
    assert_true(c.by_op[OP_TP_ALLREDUCE] > 0);
    /* the breakdowns agree: by operator and by bound sum to the same time */
    double a = 0, b = 0;
    for (int k = 0; k < OP_COUNT; k++) a += c.by_op[k];
    for (int k = 0; k < BOUND_COUNT; k++) b += c.by_bound[k];
    assert_close(a, c.time_s, 1e-9);
    assert_close(b, c.time_s, 1e-9);
}

/* A software stack's kernel count: Llama-3.1-8B launches, by the engine's own count, per layer
 * 2 norms + 2 (QKV) + 1 (attention) + 1 (output projection) + 3 (MLP) = 9 kernels, x 32 layers =
 * 288, + the embedding gather, the final norm and 2 for the LM head = 292.  A plain-PyTorch stack
 * profiled at 1,292 (tools/gpu_rows.py) adds 1,000 element-wise launches at the H100 preset's
 * 1.5 us: 1.5 ms more, all of it on the norms and all of it overhead.  A stack launching 146 halves
 * every operator's launches: 146 x 1.5 us = 219 us of overhead. */
static void test_stack_kernels(void **state)
{
    (void)state;
    model_t m;
    system_t s;
    load_model("llama-3.1-8b", &m);
    load_system("h100-sxm", &s);
    assert_close(s.kernel_overhead_s, 1.5e-6, 1e-12);
    step_t st;
    step_clear(&st);
    step_add(&st, &m, 1, 1, 1024);
    double t[3], norm[3], over[3];
    const double stack[3] = {0, 1292, 146};
    for (int k = 0; k < 3; k++) {
        deploy_cfg_t cfg;
        deploy_cfg_default(&cfg, &m);
        cfg.kernels_per_step = stack[k];
        deploy_t dep;
        placement_t pl;
        diag_t d;
        diag_clear(&d);
        assert_int_equal(deploy_setup(&dep, &m, &s, &cfg, &d), IS_OK);
        deploy_place(&dep, 1, 4096, 4096, &pl);
        step_cost_t c;
        t[k] = engine_step(&dep, &pl, &st, &c);
        norm[k] = c.by_op[OP_NORM];
        over[k] = c.by_bound[BOUND_OVERHEAD];
    }
    assert_close(over[0], 292 * 1.5e-6, 1e-9);
    assert_close(t[1] - t[0], 1000 * 1.5e-6, 1e-9);
    assert_close(norm[1] - norm[0], 1000 * 1.5e-6, 1e-9);
    assert_close(over[1] - over[0], 1000 * 1.5e-6, 1e-9);
    assert_close(over[2], 146 * 1.5e-6, 1e-9);
    assert_close(t[0] - t[2], 146 * 1.5e-6, 1e-9);
}

/* An unfused stack's element-wise traffic moves at the tier's copy rate: Llama-3.1-8B prefilling
 * 1,024 tokens on the H200 preset with 614,400 B per token per layer (tools/gpu_rows.py's count
 * for measure_gpu.py) moves 32 x 614,400 x 1,024 = 20.13 GB more, at 4.8 TB/s x 0.577 (the copy
 * probe's 2,771 GB/s): 7.27 ms more, all in the norm operators, all memory-bound.  Without a
 * copy_efficiency the same bytes stream at the read rate, 4.8 TB/s x 0.870. */
/* The seconds operator op takes in one step of st for m deployed on s as cfg says. */
static double op_time(const model_t *m, const system_t *s, const deploy_cfg_t *cfg, const step_t *st, op_kind_t op)
{
    static deploy_t dep;
    placement_t pl;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(deploy_setup(&dep, m, s, cfg, &d), IS_OK);
    deploy_place(&dep, 1, 4096, 4096, &pl);
    step_cost_t c;
    engine_step(&dep, &pl, st, &c);
    return c.by_op[op];
}

/* The norms' time in one step of st on s, with ew element-wise bytes per token per layer. */
static double norm_time(const model_t *m, const system_t *s, const step_t *st, double ew)
{
    deploy_cfg_t cfg;
    deploy_cfg_default(&cfg, m);
    cfg.elementwise_B_per_token = ew;
    return op_time(m, s, &cfg, st, OP_NORM);
}

static void test_elementwise_traffic(void **state)
{
    (void)state;
    model_t m;
    system_t s;
    load_model("llama-3.1-8b", &m);
    load_system("h200", &s);
    assert_close(s.tier[0].copy_efficiency, 0.577, 1e-12);
    step_t st;
    step_clear(&st);
    step_add(&st, &m, 1, 1024, 0);
    const double ew = 614400, extra = 32 * ew * 1024;
    double base = norm_time(&m, &s, &st, 0);
    assert_close(norm_time(&m, &s, &st, ew) - base, extra / (4.8e12 * 0.577), 1e-6);
    s.tier[0].copy_efficiency = 0;
    assert_close(norm_time(&m, &s, &st, ew) - base, extra / (4.8e12 * 0.870), 1e-6);
    /* with near-memory logic fast enough to take the norms' weights, the traffic that stays with
     * the host still moves at the copy rate */
    s.tier[0].copy_efficiency = 0.577;
    s.tier[0].near_flops = 1e18;
    s.tier[0].near_bw_Bps = 1e16;
    s.tier[0].unit_B = 1e12;
    base = norm_time(&m, &s, &st, 0);
    assert_close(norm_time(&m, &s, &st, ew) - base, extra / (4.8e12 * 0.577), 1e-6);
}

/* engine_steps costs samples that differ only in context together; it must equal costing each
 * with engine_step, bit for bit: times, stage maxima and the chosen sample's breakdown.  Checked on
 * an MoE model with MLA and EP, and on a dense model split into pipeline stages (stage maxima). */
static void test_steps_equal_step(void **state)
{
    (void)state;
    static const char *models[] = {"deepseek-v3", "llama-3.1-70b", "gemma-2-9b"};
    static const char *systems[] = {"h200", "h100-sxm", "h100-sxm"};
    static const int pps[] = {1, 2, 1};
    for (int i = 0; i < 3; i++) {
        model_t m;
        system_t s;
        load_model(models[i], &m);
        load_system(systems[i], &s);
        deploy_cfg_t cfg;
        deploy_cfg_default(&cfg, &m);
        cfg.plan = i == 0 ? (plan_t){8, 1, 1, 8, 8} : (plan_t){8, 8 / pps[i], pps[i], 1, 1};
        precision_parse("fp8", &cfg.weights);
        cfg.experts = cfg.weights;
        cfg.embed = deploy_embed_precision(&cfg.weights);
        deploy_t dep;
        diag_t d;
        diag_clear(&d);
        assert_int_equal(deploy_setup(&dep, &m, &s, &cfg, &d), IS_OK);
        placement_t pl;
        deploy_place(&dep, 32, 8192, 32, &pl);
        step_t st[3];
        double ctx[3] = {1024, 3000, 7000}, t[3], smax[3];
        for (int j = 0; j < 3; j++) {
            step_clear(&st[j]);
            step_add(&st[j], &m, 32, 1, ctx[j]);
        }
        step_cost_t many, one;
        engine_steps(&dep, &pl, st, 3, 1, &many, t, smax);
        for (int j = 0; j < 3; j++) {
            double t1 = engine_step(&dep, &pl, &st[j], &one);
            assert_true(t[j] == t1);
            assert_true(smax[j] == one.stage_max_s);
            if (j == 1)
                assert_memory_equal(&many, &one, sizeof one);
        }
        assert_true(t[2] > t[0]); /* more context, more KV to read */
    }
}

/* Decode kernels that stream some formats more slowly, and a GEMV kernel faster than the GEMM
 * kernel, by hand.  A chip of 1 TFLOP/s bf16 at compute_efficiency 0.1 (100 GFLOP/s) and
 * 100 GB/s of memory at efficiency 1.0, int8 weights streamed at 0.5 of it.  Llama-3.1-8B's
 * MLP (3 x 4096 x 14336 = 176.2 M weights, 176.2 MB in int8):
 *  - one token: 352.3 MFLOP at 100 GFLOP/s = 3.523 ms, the weights at 50 GB/s = 3.523 ms;
 *    with gemv_efficiency 0.4 the FLOPs take 0.881 ms and the stream (3.523 ms) decides;
 *    without the int8 entry the stream takes 1.762 ms;
 *  - two tokens are a GEMM: 704.6 MFLOP at 100 GFLOP/s = 7.046 ms, gemv_efficiency or not. */
/* One step of st for m on the system the YAML y describes (TP tp, weights w, activations act or
 * NULL for bf16): the system into *s (it must outlive the call's deployment: callers keep it
 * static) and the cost into *c. */
static void hand_step(const char *y, const model_t *m, int tp, const char *w, const char *act, const step_t *st,
                      system_t *s, step_cost_t *c)
{
    diag_t d;
    assert_int_equal(system_from(y, s, &d), IS_OK);
    static deploy_t dep;
    placement_t pl;
    setup_formats(&dep, m, s, tp, w, act, &pl);
    engine_step(&dep, &pl, st, c);
}

static void test_weight_formats_and_gemv(void **state)
{
    (void)state;
    model_t m;
    load_model("llama-3.1-8b", &m);
    const char *fmt = "name: hand\n"
                      "chip: {peak_TFLOPs: {bf16: 1}, compute_efficiency: 0.1%s}\n"
                      "memory: [{name: dram, capacity_GB: 100, bandwidth_GBps: 100, efficiency: 1.0, latency_ns: 0%s}]\n"
                      "software: {kernel_overhead_us: 0}\n";
    static const char *const chip_extra[3] = {"", ", gemv_efficiency: 0.4", ", gemv_efficiency: 0.4"};
    static const char *const mem_extra[3] = {", weight_efficiency: {int8: 0.5}", ", weight_efficiency: {int8: 0.5}", ""};
    const double want1[3] = {3.523e-3, 3.523e-3, 1.762e-3};
    for (int k = 0; k < 3; k++) {
        char y[1024];
        snprintf(y, sizeof y, fmt, chip_extra[k], mem_extra[k]);
        for (int T = 1; T <= 2; T++) {
            step_t st;
            step_clear(&st);
            step_add(&st, &m, T, 1, 100);
            static system_t s;
            step_cost_t c;
            hand_step(y, &m, 1, "int8", NULL, &st, &s, &c);
            assert_close(system_weight_efficiency(&s.tier[0], "int8"), k < 2 ? 0.5 : 1.0, 1e-12);
            assert_close(system_weight_efficiency(&s.tier[0], "fp8"), 1.0, 1e-12);
            double mlp = c.by_op[OP_MLP] / m.n_layers;
            print_message("case %d, %d token(s): MLP %.4f ms per layer\n", k, T, mlp * 1e3);
            assert_close(mlp, T == 1 ? want1[k] : 7.046e-3, 0.001);
        }
    }
}

/* Matrix products whose weights are narrower than their activations (int4 weights, bf16
 * activations: W4A16) on a chip whose matrix units take only matching operands: the kernel converts
 * every weight in registers, and the conversions take issue slots from the MMAs, so the products
 * reach chip.mixed_input_efficiency of the activations' peak instead of compute_efficiency.  By hand,
 * Llama-3.1-8B's MLP (3 x 4096 x 14336 = 176.2 M weights, 352.3 MFLOP a token) prefilling 1,024
 * tokens, 360.8 GFLOP a layer, on a chip of 100 TFLOP/s bf16 and 200 fp8 at efficiency 0.8, memory
 * fast enough not to matter:
 *  - bf16 weights: 80 TFLOP/s, 4.510 ms;
 *  - int4 weights with mixed_input_efficiency 0.2: 20 TFLOP/s, 18.04 ms; without it: 4.510 ms;
 *  - fp8 weights with fp8 activations are one format: 160 TFLOP/s, 2.255 ms, the field or not;
 *  - on a chip without an fp8 path fp8 activations run as bf16, so fp8 weights are converted too:
 *    20 TFLOP/s, 18.04 ms;
 *  - fp4 weights with fp8 activations are converted (0.2 x 200 = 40 TFLOP/s, 9.020 ms) unless the
 *    chip's matrix units take that pair as it is (chip.mixed_fp_native, Blackwell's block-scaled
 *    MMA): 160 TFLOP/s, 2.255 ms; int4 weights are converted there too, 9.020 ms. */
static void test_mixed_input_gemms(void **state)
{
    (void)state;
    model_t m;
    load_model("llama-3.1-8b", &m);
    const char *fmt = "name: hand\n"
                      "chip: {peak_TFLOPs: {bf16: 100%s}, compute_efficiency: 0.8%s}\n"
                      "memory: [{name: dram, capacity_GB: 100, bandwidth_GBps: 1000000000, efficiency: 1.0, "
                      "latency_ns: 0}]\n"
                      "software: {kernel_overhead_us: 0}\n";
    static const struct {
        const char *peaks, *chip, *weights, *act;
        double want_s;
    } cases[] = {
        {", fp8: 200", ", mixed_input_efficiency: 0.2", "bf16", "bf16", 4.510e-3},
        {", fp8: 200", ", mixed_input_efficiency: 0.2", "int4", "bf16", 18.04e-3},
        {", fp8: 200", "", "int4", "bf16", 4.510e-3},
        {", fp8: 200", ", mixed_input_efficiency: 0.2", "fp8", "fp8", 2.255e-3},
        {", fp8: 200", "", "fp8", "fp8", 2.255e-3},
        {"", ", mixed_input_efficiency: 0.2", "fp8", "fp8", 18.04e-3},
        {", fp8: 200", ", mixed_input_efficiency: 0.2", "fp4", "fp8", 9.020e-3},
        {", fp8: 200", ", mixed_input_efficiency: 0.2, mixed_fp_native: true", "fp4", "fp8", 2.255e-3},
        {", fp8: 200", ", mixed_input_efficiency: 0.2, mixed_fp_native: true", "int4", "fp8", 9.020e-3},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char y[1024];
        snprintf(y, sizeof y, fmt, cases[k].peaks, cases[k].chip);
        step_t st;
        step_clear(&st);
        step_add(&st, &m, 1, 1024, 0);
        static system_t s;
        step_cost_t c;
        hand_step(y, &m, 1, cases[k].weights, cases[k].act, &st, &s, &c);
        double mlp = c.by_op[OP_MLP] / m.n_layers;
        print_message("%s weights, %s activations%s: MLP %.4f ms per layer\n", cases[k].weights, cases[k].act,
                      cases[k].chip, mlp * 1e3);
        assert_close(mlp, cases[k].want_s, 0.001);
    }
}

/* The attention products' format: fp8 when the KV cache and the GEMM inputs are both fp8
 * (FlashAttention-3), but MLA's kernels dequantize an fp8 latent cache and compute in bf16
 * (deepseek-ai/FlashMLA README).  On the H200 preset (bf16 989.4 TFLOP/s at 0.77, fp8 1978.9 at
 * 0.68), all fp8: Llama-3.1-8B's attention at 1978.9e12 x 0.68, DeepSeek-V3's at 989.4e12 x 0.77. */
static void test_attention_formats(void **state)
{
    (void)state;
    static const struct {
        const char *model;
        double rate;
    } cases[] = {{"llama-3.1-8b", 1978.9e12 * 0.68}, {"deepseek-v3", 989.4e12 * 0.77}};
    system_t s;
    load_system("h200", &s);
    for (int k = 0; k < 2; k++) {
        static model_t m;
        load_model(cases[k].model, &m);
        deploy_cfg_t cfg;
        deploy_cfg_default(&cfg, &m);
        precision_parse("fp8", &cfg.weights);
        cfg.experts = cfg.act = cfg.kv = cfg.weights;
        cfg.plan = (plan_t){8, 8, 1, 1, 1};
        static deploy_t dep;
        diag_t d;
        diag_clear(&d);
        assert_int_equal(deploy_setup(&dep, &m, &s, &cfg, &d), IS_OK);
        const op_table_t *t = &dep.layer[m.n_classes - 1];
        int seen = 0;
        for (int j = 0; j < t->n_ops; j++)
            if (t->ops[j].kind == OP_ATTN) {
                assert_close(t->ops[j].flop_rate, cases[k].rate, 1e-12);
                seen = 1;
            }
        assert_true(seen);
    }
}

/* Attention's time in one step of st for m on the YAML system y at TP tp, the decode kernel reading a
 * shared KV head once for its group (per_head 0) or once per query head (1). */
static double attn_time(const char *y, const model_t *m, int tp, int per_head, const step_t *st)
{
    static system_t s;
    diag_t d;
    assert_int_equal(system_from(y, &s, &d), IS_OK);
    deploy_cfg_t cfg;
    deploy_cfg_default(&cfg, m);
    cfg.plan = (plan_t){tp, tp, 1, 1, 1};
    cfg.decode_attn_per_head = per_head;
    return op_time(m, &s, &cfg, st, OP_ATTN);
}

/* A decode kernel with one thread block per query head (FasterTransformer's masked MHA, which
 * TensorRT-LLM ran before its XQA kernel) reads each shared KV head once per query head.  By hand,
 * Llama-3.1-8B (32 query heads, 8 KV heads of 128, bf16 cache: 4,096 B a token a layer) decoding 10
 * sequences at context 1,000 (1,001 keys each) on memory of 1,000 GB/s, compute fast enough not to
 * matter:
 *  - TP 1: 4 query heads a KV head, so 3 more reads of 10 x 1,001 x 4,096 B = 123.00288 us a layer;
 *  - TP 2: each chip holds 4 KV heads (2,048 B a token) and 16 query heads: 61.50144 us;
 *  - a prefill chunk (FMHA, not the decode kernel) and multi-head Llama-2-7B: no change. */
static void test_per_head_decode_attention(void **state)
{
    (void)state;
    const char *y = "name: hand\n"
                    "chip: {peak_TFLOPs: {bf16: 100000}, compute_efficiency: 1.0}\n"
                    "memory: [{name: dram, capacity_GB: 100, bandwidth_GBps: 1000, efficiency: 1.0, latency_ns: 0}]\n"
                    "interconnect: [{name: link, domain_chips: 8, bandwidth_GBps: 100}]\n"
                    "software: {kernel_overhead_us: 0}\n";
    static model_t m, mha;
    load_model("llama-3.1-8b", &m);
    load_model("llama-2-7b", &mha);
    step_t dec, pre;
    step_clear(&dec);
    step_add(&dec, &m, 10, 1, 1000);
    step_clear(&pre);
    step_add(&pre, &m, 1, 512, 0);
    static const int tps[2] = {1, 2};
    const double want[2] = {123.00288e-6, 61.50144e-6};
    for (int k = 0; k < 2; k++) {
        double extra = (attn_time(y, &m, tps[k], 1, &dec) - attn_time(y, &m, tps[k], 0, &dec)) / m.n_layers;
        print_message("TP %d: per-head decode adds %.4f us a layer\n", tps[k], extra * 1e6);
        assert_close(extra, want[k], 1e-6);
        assert_close(attn_time(y, &m, tps[k], 1, &pre), attn_time(y, &m, tps[k], 0, &pre), 1e-12);
    }
    step_clear(&dec);
    step_add(&dec, &mha, 10, 1, 1000);
    assert_close(attn_time(y, &mha, 1, 1, &dec), attn_time(y, &mha, 1, 0, &dec), 1e-12);
}

/* A softmax takes one exponential per attention score, on the special-function units, timed after
 * the matrix products (chip.exp_Gops).  By hand, Llama-3.1-8B prefilling 1,024 tokens on a chip of
 * 100 TFLOP/s bf16 at efficiency 1 and 100 G exponentials/s, memory fast enough not to matter:
 * 1,024 x 1,025 / 2 = 524,800 causal (query, key) pairs per layer;
 *  - products: 4 x 32 heads x 128 = 16,384 FLOPs a pair, 8.598 GFLOP at 100 TFLOP/s = 85.98 us;
 *  - exponentials: 32 query heads x 524,800 = 16.79 M at 1e11/s = 167.94 us;
 * 253.92 us of attention a layer, 85.98 us without exp_Gops; at TP 2 each chip has half the heads:
 * 126.96 us. */
static void test_softmax_exponentials(void **state)
{
    (void)state;
    model_t m;
    load_model("llama-3.1-8b", &m);
    const char *fmt = "name: hand\n"
                      "chip: {peak_TFLOPs: {bf16: 100}, compute_efficiency: 1.0%s}\n"
                      "memory: [{name: dram, capacity_GB: 100, bandwidth_GBps: 1000000, efficiency: 1.0, latency_ns: 0}]\n"
                      "interconnect: [{name: link, domain_chips: 8, bandwidth_GBps: 100}]\n"
                      "software: {kernel_overhead_us: 0}\n";
    static const char *const extra[3] = {", exp_Gops: 100", "", ", exp_Gops: 100"};
    static const int tps[3] = {1, 1, 2};
    const double want[3] = {253.92e-6, 85.98e-6, 126.96e-6};
    for (int k = 0; k < 3; k++) {
        char y[1024];
        snprintf(y, sizeof y, fmt, extra[k]);
        step_t st;
        step_clear(&st);
        step_add(&st, &m, 1, 1024, 0);
        static system_t s;
        step_cost_t c;
        hand_step(y, &m, tps[k], "bf16", NULL, &st, &s, &c);
        double attn = c.by_op[OP_ATTN] / m.n_layers;
        print_message("case %d: attention %.2f us per layer\n", k, attn * 1e6);
        assert_close(attn, want[k], 0.001);
    }
}

/* The expected largest of n standard normals: 1/sqrt(pi) for two, 3/(2 sqrt(pi)) for three (both
 * exact), 1.42360 for eight (Tippett's 1925 table, as reprinted in Harter 1961). */
static void test_max_normal(void **state)
{
    (void)state;
    assert_true(deploy_max_normal(1) == 0);
    assert_close(deploy_max_normal(2), 1 / sqrt(M_PI), 1e-6);
    assert_close(deploy_max_normal(3), 1.5 / sqrt(M_PI), 1e-6);
    assert_close(deploy_max_normal(8), 1.42360, 1e-5);
}

/* m in bf16 over 8 hand-made chips of tflops TFLOP/s and gbps GB/s (efficiency 1, no latency or
 * launch cost), attention data parallel and EP 8, placed for prompts of up to 8,192 tokens. */
static void dep8(const model_t *m, double tflops, double gbps, double skew, deploy_t *dep, placement_t *pl)
{
    char y[512];
    snprintf(y, sizeof y,
             "name: hand\n"
             "chip: {peak_TFLOPs: {bf16: %g}, compute_efficiency: 1.0}\n"
             "memory: [{name: dram, capacity_GB: 1000, bandwidth_GBps: %g, efficiency: 1.0, latency_ns: 0}]\n"
             "interconnect: [{name: link, domain_chips: 8, bandwidth_GBps: 100}]\n"
             "software: {kernel_overhead_us: 0}\n",
             tflops, gbps);
    static system_t s; /* outlives the deployment that borrows it */
    diag_t d;
    assert_int_equal(system_from(y, &s, &d), IS_OK);
    deploy_cfg_t cfg;
    deploy_cfg_default(&cfg, m);
    cfg.plan = (plan_t){8, 1, 1, 8, 8};
    precision_parse("bf16", &cfg.weights);
    cfg.experts = cfg.weights;
    cfg.expert_skew = skew;
    assert_int_equal(deploy_setup(dep, m, &s, &cfg, &d), IS_OK);
    deploy_place(dep, 1, 8192, 4096, pl);
}

/* The busiest expert group sets an EP step's time.  DeepSeek-V3 (256 experts, top 8) over 8 chips,
 * attention data parallel and EP 8, one decode token a chip: the EP group routes 8 tokens x 8 = 64
 * assignments, a mean of 8 per chip's group; one token's 8 distinct experts land in a group of 32
 * with variance 8 x 1/8 x 7/8 x 248/255 = 0.8510, so 8 tokens give 6.808 (sd 2.609), and the busiest
 * of 8 groups is 1.4236 sd above the mean: 1 + 1.4236 x 2.609 / 8 = 1.4643 times the mean.  On a
 * chip of 1 TFLOP/s with memory fast enough not to matter, one expert (3 x 7168 x 2048 = 44.04 M
 * weights) x 8 routed x 2 FLOPs = 704.6 MFLOP a token take 704.6 us a layer at the mean and
 * 1.0317 ms at the busiest; the FLOPs counted stay the mean's. */
static void test_ep_busiest_group(void **state)
{
    (void)state;
    model_t m;
    load_model("deepseek-v3", &m);
    static deploy_t dep;
    placement_t pl;
    dep8(&m, 1, 1000000, 0, &dep, &pl);
    const double var = 8 * 1.0 / 8 * (1 - 1.0 / 8) * 248.0 / 255.0, f = 1 + 1.42360 * sqrt(8 * var) / 8;
    assert_close(f, 1.4643, 1e-4);
    step_t st;
    step_clear(&st);
    step_add(&st, &m, 1, 1, 100);
    int moe_layers = 0;
    for (int c = 0; c < m.n_classes; c++)
        moe_layers += m.classes[c].moe ? m.classes[c].count : 0;
    assert_int_equal(moe_layers, 58); /* 61 layers, the first 3 dense */
    step_cost_t busy, mean;
    engine_step(&dep, &pl, &st, &busy);
    print_message("experts: %.4f ms a layer\n", busy.by_op[OP_EXPERTS] / moe_layers * 1e3);
    assert_close(busy.by_op[OP_EXPERTS] / moe_layers, 704.6e-6 * f, 0.002);
    dep.moe_max_z = 0; /* every group at the mean */
    engine_step(&dep, &pl, &st, &mean);
    assert_close(mean.by_op[OP_EXPERTS] / moe_layers, 704.6e-6, 0.002);
    assert_close(busy.flops, mean.flops, 1e-12);
}

/* Experts of unequal popularity: their routed load with coefficient of variation 2.  A group of
 * 32 of the 256 experts, drawn without replacement, has a mean share whose variance over the
 * mean share squared is 2^2 x (8 - 1)/(256 - 1) = 0.10980.  DeepSeek-V3 on 8 chips as above, one
 * decode token a chip: mean 8 assignments a group, sampling variance 6.808, popularity variance
 * 8^2 x 0.10980 = 7.027, sd 3.7196; the busiest of 8 is 1 + 1.4236 x 3.7196 / 8 = 1.6619 times the
 * mean, and the experts take 704.6 us x 1.6619 a layer.  At a million tokens a chip the sampling
 * term vanishes and the popularity term stays: 1 + 1.4236 x sqrt(0.10980) = 1.4717.  The FLOPs
 * counted stay the mean's. */
static void test_expert_skew(void **state)
{
    (void)state;
    model_t m;
    load_model("deepseek-v3", &m);
    static deploy_t dep;
    placement_t pl;
    dep8(&m, 1, 1000000, 2.0, &dep, &pl);
    assert_close(dep.moe_skew_var, 4.0 * 7 / 255, 1e-12);
    const double var = 8 * (1.0 / 8) * (1 - 1.0 / 8) * 248.0 / 255.0, skew = 64 * 4.0 * 7 / 255;
    const double f = 1 + 1.42360 * sqrt(8 * var + skew) / 8;
    assert_close(f, 1.6619, 1e-4);
    step_t st;
    step_clear(&st);
    step_add(&st, &m, 1, 1, 100);
    step_cost_t c;
    engine_step(&dep, &pl, &st, &c);
    assert_close(c.by_op[OP_EXPERTS] / 58, 704.6e-6 * f, 0.002);
    /* a million tokens: the popularity term alone */
    coll_report_t rep[8];
    step_clear(&st);
    step_add(&st, &m, 1e6, 1, 100);
    engine_step(&dep, &pl, &st, &c);
    int n = engine_collectives(&dep, &c, rep, 8);
    int seen = 0;
    for (int i = 0; i < n; i++)
        if (rep[i].op == OP_EP_ALLTOALL) {
            assert_close(rep[i].busiest, 1 + 1.42360 * sqrt(4.0 * 7 / 255), 1e-3);
            seen = 1;
        }
    assert_true(seen);
    /* a bad value, and a dense model, are refused */
    deploy_cfg_t cfg = dep.cfg;
    cfg.expert_skew = -1;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(deploy_setup(&dep, &m, dep.sys, &cfg, &d), IS_ERR_INPUT);
    assert_non_null(strstr(d.message, "coefficient of variation"));
    const system_t *sys = dep.sys;
    model_t dense;
    load_model("llama-3.1-8b", &dense);
    deploy_cfg_default(&cfg, &dense);
    cfg.expert_skew = 1;
    diag_clear(&d);
    assert_int_equal(deploy_setup(&dep, &dense, sys, &cfg, &d), IS_ERR_INPUT);
    assert_non_null(strstr(d.message, "has no experts"));
}

/* Redundant expert slots (an expert load balancer's copies): DeepSeek-V3 over 8 chips with 264
 * slots holds 33 experts a chip, one more than 256 / 8, so each chip's weights grow by one expert
 * in each of the 58 MoE layers: 58 x 3 x 7168 x 2048 x 2 B (bf16) = 5.109 GB.  A token's 8 experts
 * are served by one copy each, so a slot sees a token with probability 8/264: the busiest group's
 * variance per token is 8/8 x 7/8 x (264 - 8)/(264 - 1) = 0.8517, and a million tokens touch every
 * slot.  Slots that no EP group divides, or fewer than the experts, are refused, and an EP that
 * does not divide the experts names the slots that would fill it. */
static void test_expert_slots(void **state)
{
    (void)state;
    model_t m;
    load_model("deepseek-v3", &m);
    static deploy_t one, more;
    placement_t pl;
    dep8(&m, 1, 1000000, 0, &one, &pl);
    deploy_cfg_t cfg = one.cfg;
    cfg.expert_slots = 264;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(deploy_setup(&more, &m, one.sys, &cfg, &d), IS_OK);
    assert_close(more.weight_B[0] - one.weight_B[0], 58 * 3 * 7168.0 * 2048 * 2, 1e-9);
    assert_close(more.moe_group_var, 1.0 * 7 / 8 * 256 / 263, 1e-12);
    assert_close(more.moe_keep_log, log1p(-8.0 / 264), 1e-15);
    int found = 0;
    for (int c = 0; c < m.n_classes; c++)
        for (int i = 0; i < more.layer[c].n_ops; i++)
            if (more.layer[c].ops[i].kind == OP_EXPERTS) {
                assert_close(more.layer[c].ops[i].experts_local, 33, 1e-12);
                found = 1;
            }
    assert_true(found);
    cfg.expert_slots = 260; /* not a multiple of 8 */
    assert_int_equal(deploy_setup(&more, &m, one.sys, &cfg, &d), IS_ERR_INPUT);
    assert_string_equal(d.message, "ep 8 does not divide the 260 expert slots (try 264)");
    cfg.expert_slots = 248; /* fewer than the experts */
    assert_int_equal(deploy_setup(&more, &m, one.sys, &cfg, &d), IS_ERR_INPUT);
    assert_non_null(strstr(d.message, "from its 256 experts"));
    cfg.expert_slots = 0;
    cfg.plan = (plan_t){48, 1, 1, 48, 48};
    assert_int_equal(deploy_setup(&more, &m, one.sys, &cfg, &d), IS_ERR_INPUT);
    assert_non_null(strstr(d.message, "--expert-slots 288"));
}

/* An expert group's traffic is its share of the group's assignments: with attention data parallel
 * over 8 chips and EP 8, each chip's 32 experts serve 1/8 of the 8 ranks' tokens x 8 routed, as many
 * assignments as the chip's own tokens x 8.  DeepSeek-V3 prefilling 4,096 tokens a chip, in bf16, on
 * a chip fast enough not to compute-bound it and 1 TB/s of memory: its 32 experts' weights, 32 x 3 x
 * 7168 x 2048 x 2 B = 2.818 GB (all touched), and each assignment's hidden vector in and out and its
 * gate, up and activation, (2 x 7168 + 3 x 2048) x 2 B = 40,960 B, x 4,096 x 8 = 1.342 GB, the
 * busiest group's 1.0072 times that (as above: mean 32,768, sd sqrt(32,768 x 0.8510) = 167.0):
 * 4.170 ms a layer.  Counting every rank's tokens on each chip would read 8 times the activations. */
static void test_ep_expert_traffic(void **state)
{
    (void)state;
    model_t m;
    load_model("deepseek-v3", &m);
    static deploy_t dep;
    placement_t pl;
    dep8(&m, 1000000, 1000, 0, &dep, &pl);
    step_t st;
    step_clear(&st);
    step_add(&st, &m, 1, 4096, 0);
    step_cost_t c;
    engine_step(&dep, &pl, &st, &c);
    const double f = 1 + 1.42360 * sqrt(32768 * 0.85098) / 32768;
    const double want = (32 * 3 * 7168.0 * 2048 * 2 + 4096 * 8 * 40960.0 * f) / 1e12;
    print_message("experts: %.4f ms a layer (want %.4f)\n", c.by_op[OP_EXPERTS] / 58 * 1e3, want * 1e3);
    assert_close(c.by_op[OP_EXPERTS] / 58, want, 0.002);
}

/* An NVFP4 MoE checkpoint: fp8 dense layers beside fp4 experts, fp4 activations.  Each GEMM
 * runs at the rate of the wider of its weights and its activations; the experts stream at the
 * tier's grouped-GEMM efficiency; dispatch goes out in the activations' format and the combine
 * comes back in 16 bits (deepseek-ai/DeepEP README @0aaa6744: "FP8 dispatching and BF16
 * combining"). */
static void test_moe_formats_and_collectives(void **state)
{
    (void)state;
    model_t m;
    load_model("deepseek-v3", &m);
    const char *y = "name: hand\n"
                    "chip: {peak_TFLOPs: {bf16: 100, fp8: 200, fp4: 400}, compute_efficiency: 0.5,\n"
                    "       compute_efficiency_by_precision: {fp4: 0.3},\n"
                    "       energy_pJ_per_flop: {bf16: 1, fp8: 0.5, fp4: 0.25}}\n"
                    "memory: [{name: dram, capacity_GB: 1000, bandwidth_GBps: 100, efficiency: 0.8,\n"
                    "          grouped_efficiency: 0.4, latency_ns: 0}]\n"
                    "interconnect: [{name: link, domain_chips: 8, bandwidth_GBps: 100}]\n"
                    "software: {kernel_overhead_us: 0}\n";
    static system_t s;
    diag_t d;
    assert_int_equal(system_from(y, &s, &d), IS_OK);
    assert_close(s.tier[0].grouped_efficiency, 0.4, 1e-12);
    const char *weights[2] = {"fp8", "fp4"};
    /* dense GEMMs: fp8 weights at 200 x 0.5 TFLOP/s; fp4 weights with fp4 activations at 400 x 0.3 */
    const double dense_rate[2] = {100e12, 120e12};
    for (int k = 0; k < 2; k++) {
        deploy_cfg_t cfg;
        deploy_cfg_default(&cfg, &m);
        cfg.plan = (plan_t){8, 1, 1, 8, 8};
        precision_parse(weights[k], &cfg.weights);
        precision_parse("fp4", &cfg.experts);
        precision_parse("fp4", &cfg.act);
        cfg.embed = deploy_embed_precision(&cfg.weights);
        static deploy_t dep;
        diag_clear(&d);
        assert_int_equal(deploy_setup(&dep, &m, &s, &cfg, &d), IS_OK);
        const op_table_t *t = &dep.layer[m.n_classes - 1]; /* the MoE layers */
        int coll = 0;
        double msg[2] = {0, 0};
        for (int i = 0; i < t->n_ops; i++) {
            const op_entry_t *o = &t->ops[i];
            /* and their FLOPs cost the energy of that class: fp8 0.5 pJ, fp4 0.25 pJ; attention
             * over the default bf16 KV cache computes in bf16, 1 pJ */
            if (o->kind == OP_QKV || o->kind == OP_OPROJ || o->kind == OP_SHARED) {
                assert_close(o->flop_rate, dense_rate[k], 1e-12);
                assert_close(o->flop_J, (k == 0 ? 0.5 : 0.25) * 1e-12, 1e-12);
            }
            if (o->kind == OP_ATTN)
                assert_close(o->flop_J, 1e-12, 1e-12);
            if (o->kind == OP_EXPERTS) {
                assert_close(o->flop_J, 0.25e-12, 1e-12);
                assert_close(o->flop_rate, 400e12 * 0.3, 1e-12);
                assert_close(o->w_bw_mult[0], 0.8 / 0.4, 1e-12); /* bytes' time at 0.4, not 0.8 */
            }
            if (o->kind == OP_QKV)
                assert_close(o->w_bw_mult[0], 1.0, 1e-12);
            if (o->kind == OP_EP_ALLTOALL && coll < 2)
                msg[coll++] = o->coll_bytes_per_token;
        }
        assert_int_equal(coll, 2);
        /* 8 experts a token x 7168 hidden: out at fp4's bytes, back at 2 bytes */
        assert_close(msg[0], 8 * 7168 * precision_bytes(&cfg.act), 1e-12);
        assert_close(msg[1], 8 * 7168 * 2.0, 1e-12);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roofline_floors),
        cmocka_unit_test(test_more_bandwidth_never_slower),
        cmocka_unit_test(test_more_chips_less_memory_per_chip),
        cmocka_unit_test(test_experts_touched),
        cmocka_unit_test(test_step_aggregates),
        cmocka_unit_test(test_tp_adds_collectives),
        cmocka_unit_test(test_steps_equal_step),
        cmocka_unit_test(test_weight_formats_and_gemv),
        cmocka_unit_test(test_mixed_input_gemms),
        cmocka_unit_test(test_attention_formats),
        cmocka_unit_test(test_per_head_decode_attention),
        cmocka_unit_test(test_softmax_exponentials),
        cmocka_unit_test(test_max_normal),
        cmocka_unit_test(test_ep_busiest_group),
        cmocka_unit_test(test_ep_expert_traffic),
        cmocka_unit_test(test_expert_skew),
        cmocka_unit_test(test_expert_slots),
        cmocka_unit_test(test_stack_kernels),
        cmocka_unit_test(test_elementwise_traffic),
        cmocka_unit_test(test_moe_formats_and_collectives),
    };
    return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
