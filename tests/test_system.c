/*
 * test_system.c — the system file parser: units, defaults, and error messages word
 * for word (file, line, column, field, near match).
 */
#include "testutil.h"

#include "../src/core/deploy.h"

static void test_h100_preset(void **state)
{
    (void)state;
    system_t s;
    load_system("h100-sxm", &s);
    /* NVIDIA H100 SXM5 datasheet: 80 GiB HBM3 at 3.35 TB/s, 989.4 dense bf16 TFLOP/s,
     * NVLink 900 GB/s bidirectional = 450 GB/s per direction, 8 GPUs per HGX board; the
     * capacity as an H100 80GB HBM3 reports it (torch total_memory, 2026-11-26): 85.0e9 B */
    assert_close(s.tier[0].capacity_B, 85.0e9, 1e-12);
    assert_close(s.tier[0].bw_Bps, 3.35e12, 1e-12);
    assert_close(s.peak_flops[CC_BF16], 989.4e12, 1e-12);
    assert_close(s.level[0].bw_Bps, 450e9, 1e-12);
    assert_int_equal(s.level[0].domain_chips, 8);
    /* no fp4 path on Hopper: fp4 falls back to the fp8 rate */
    compute_class_t used;
    assert_close(system_peak_flops(&s, CC_FP4, &used), 1978.9e12, 1e-12);
    assert_int_equal(used, CC_FP8);
}

static void test_every_preset_loads(void **state)
{
    (void)state;
    char names[CATALOG_MAX][CATALOG_NAME];
    int n = catalog_list(CATALOG_SYSTEMS, names, CATALOG_MAX);
    assert_true(n >= 17);
    for (int i = 0; i < n; i++) {
        system_t s;
        load_system(names[i], &s);
        /* the name field matches the file name, so --system NAME finds it */
        assert_string_equal(s.name, names[i]);
        assert_true(s.tier[0].bw_Bps > 0);
    }
}

static const char *head = "name: t\nchip:\n  peak_TFLOPs: {bf16: 100}\n  compute_efficiency: 0.7\nmemory:\n";

static void expect_error(const char *body, const char *want)
{
    char yaml[2048], buf[2048];
    snprintf(yaml, sizeof yaml, "%s%s", head, body);
    system_t s;
    diag_t d;
    assert_int_equal(system_from(yaml, &s, &d), IS_ERR_INPUT);
    assert_string_equal(diag_format(&d, buf, sizeof buf), want);
}

/* A chip whose fourth line is `field_line` (line 5 of the file) must be refused at that line;
 * the diagnostic goes to *d for the caller's checks of its message. */
static void expect_chip_error(const char *field_line, diag_t *d)
{
    char yaml[512];
    snprintf(yaml, sizeof yaml,
             "name: t\nchip:\n  peak_TFLOPs: {bf16: 100}\n  compute_efficiency: 0.7\n  %s\n"
             "memory:\n  - {name: hbm, capacity_GB: 80, bandwidth_GBps: 1000}\n", field_line);
    system_t s;
    assert_int_equal(system_from(yaml, &s, d), IS_ERR_INPUT);
    assert_int_equal(d->line, 5);
}

static void test_errors_word_for_word(void **state)
{
    (void)state;
    expect_error("  - name: hbm\n    capacity_GB: 80\n    bandwith_GBps: 3000\n",
                 "test.yaml:8:5: error: memory[0].bandwith_GBps: unknown field \"bandwith_GBps\"; did you mean "
                 "\"bandwidth_GBps\"?\n      bandwith_GBps: 3000\n      ^\n");
    expect_error("  - name: hbm\n    capacity_GB: 80\n    bandwidth_GBps: -5\n",
                 "test.yaml:8:21: error: memory[0].bandwidth_GBps: expected a number > 0, got -5\n"
                 "      bandwidth_GBps: -5\n                      ^\n");
    expect_error("  - name: hbm\n    bandwidth_GBps: 5\n",
                 "test.yaml:6:5: error: memory[0].capacity_GB: missing required field \"capacity_GB\"\n"
                 "    - name: hbm\n      ^\n");
    expect_error("  - name: hbm\n    capacity_GB: eighty\n    bandwidth_GBps: 5\n",
                 "test.yaml:7:18: error: memory[0].capacity_GB: expected a number, got \"eighty\"\n"
                 "      capacity_GB: eighty\n                   ^\n");
    expect_error("  - {name: hbm, capacity_GB: 80, bandwidth_GBps: 5}\n"
                 "interconnect:\n  - {name: x, domain_chips: 8, bandwidth_GBps: 5, topology: torrus}\n",
                 "test.yaml:8:61: error: interconnect[0].topology: unknown topology \"torrus\"; did you mean "
                 "\"torus\"? (expected switch, ring, torus, fully_connected, fat_tree or dragonfly)\n"
                 "    - {name: x, domain_chips: 8, bandwidth_GBps: 5, topology: torrus}\n"
                 "                                                              ^\n");
    expect_error("  - {name: hbm, capacity_GB: 80, bandwidth_GBps: 5, read_only: true}\n",
                 "test.yaml:6:6: error: memory: every tier is read_only: at least one writable tier must hold the "
                 "KV cache and activations\n    - {name: hbm, capacity_GB: 80, bandwidth_GBps: 5, read_only: true}\n"
                 "       ^\n");
    expect_error("  - {name: hbm, capacity_GB: 80, bandwidth_GBps: 5, spill_only: true}\n",
                 "test.yaml:6:65: error: memory[0]: spill_only applies to a read_only tier (weights that overflow the "
                 "tiers before it)\n    - {name: hbm, capacity_GB: 80, bandwidth_GBps: 5, spill_only: true}\n"
                 "                                                                  ^\n");
    expect_error("  - {name: dram, capacity_GB: 80, bandwidth_GBps: 5, weight_efficiency: {int7: 0.5}}\n",
                 "test.yaml:6:74: error: memory[0].weight_efficiency.int7: unknown field \"int7\"; did you mean "
                 "\"int8\"?\n    - {name: dram, capacity_GB: 80, bandwidth_GBps: 5, weight_efficiency: {int7: 0.5}}\n"
                 "                                                                           ^\n");
}

static void test_syntax_error(void **state)
{
    (void)state;
    system_t s;
    diag_t d;
    const char *bad = "name: t\nchip: [1, 2\nmemory: x\n";
    assert_int_equal(system_from(bad, &s, &d), IS_ERR_INPUT);
    assert_string_equal(d.file, "test.yaml");
    assert_true(d.line >= 2);
    assert_non_null(strstr(d.message, "invalid YAML: "));

    /* an explicit key is refused before libfyaml 0.7.12 sees it: "? a:<TAB>: 1" crashed it
     * (found by fuzz_site_yaml in CI); the line and column are the '?' */
    const char *explicit_key = "name: t\n  ? a:\t: 1\n";
    assert_int_equal(system_from(explicit_key, &s, &d), IS_ERR_INPUT);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.column, 3);
    assert_non_null(strstr(d.message, "explicit keys"));
    /* a tab in the indentation is refused before libfyaml 0.8 sees it: a line starting with 41
     * tabs made its error report read past its buffer (found by fuzz_site_yaml in CI); the column
     * is the tab's; a tab after a key is separation, which YAML allows */
    const char *tab_indent = "name: t\n  \t\tpue: 1\n";
    assert_int_equal(system_from(tab_indent, &s, &d), IS_ERR_INPUT);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.column, 3);
    assert_non_null(strstr(d.message, "a tab in the indentation"));
    const char *tab_sep = "name:\tt\n";
    assert_int_equal(system_from(tab_sep, &s, &d), IS_ERR_INPUT);
    assert_null(strstr(d.message, "a tab in the indentation"));
    /* libfyaml 0.7.12 drew a picture of the offending token with each error and read past its
     * buffer when the token sat far into a long line (a multi-line plain key at column ~720, found
     * by fuzz_site_yaml; a crash on every run at 800 columns).  Errors are collected instead of
     * printed: the line and column are libfyaml's (the key's start), the message says what is wrong. */
    static char long_key[2048];
    snprintf(long_key, sizeof long_key, "name: t\npue: %800s-1\n   0%800s puide: 1\n", "", "");
    assert_int_equal(system_from(long_key, &s, &d), IS_ERR_INPUT);
    assert_int_equal(d.line, 2);   /* where the key starts: "pue: ", 800 blanks, then "-1" */
    assert_int_equal(d.column, 806);
    assert_non_null(strstr(d.message, "invalid YAML: "));
    /* a '?' inside a value or a key's name is text, not an indicator */
    const char *text_q = "name: what? yes\n?x: 1\n";
    assert_int_equal(system_from(text_q, &s, &d), IS_ERR_INPUT);
    assert_null(strstr(d.message, "explicit keys"));
}

/* chip.exp_Gops: the special-function units' exponentials per second.  The H100 preset: 16 per clock
 * per SM (CUDA C++ Programming Guide, arithmetic instruction throughput) x 132 SMs x 1.83 GHz =
 * 3,865 G/s, FlashAttention-3's "3.9 TFLOPS of special functions"; the B200: 2,250 TFLOP/s bf16 over
 * the 512 tensor-core FLOPs per exponential per clock per SM of FlashAttention-4 (8192 vs 16); the
 * MI300X: 16 a clock per CU x 304 CUs x 2.1 GHz.  A
 * rate must be positive; without one, exponentials are not modelled. */
static void test_exp_rate(void **state)
{
    (void)state;
    system_t s;
    load_system("h100-sxm", &s);
    assert_close(s.exp_rate, 16 * 132 * 1.83e9, 1e-3);
    load_system("b200", &s);
    assert_close(s.exp_rate, 2250e12 / 512, 1e-3);
    load_system("mi300x", &s); /* a quarter of a CDNA3 CU's 64 lanes a clock (LLVM's AMDGPU scheduling model) */
    assert_close(s.exp_rate, 16 * 304 * 2.1e9, 1e-3);
    load_system("xeon-8480", &s);
    assert_true(s.exp_rate == 0);
    diag_t d;
    expect_chip_error("exp_Gops: 0", &d);
    assert_non_null(strstr(d.message, "expected a number > 0, got 0"));
    assert_int_equal(d.column, 13);
}

/* chip.compute_efficiency_by_precision: fp8 GEMMs at their own fraction of the fp8 peak, bf16 at
 * compute_efficiency's; a precision without a peak to apply it to is an error at its line.  The
 * MI300X preset: AMD's max-achievable 708 BF16 and 1273 FP8 TFLOP/s (0.54 and 0.49 of 1307.4 and
 * 2614.9), so an fp8 GEMM runs at 2614.9e12 x 0.49 and a bf16 one at 1307.4e12 x 0.54. */
static void test_efficiency_by_precision(void **state)
{
    (void)state;
    system_t s;
    diag_t d;
    const char *yaml = "name: t\nchip:\n  peak_TFLOPs: {bf16: 100, fp8: 200}\n  compute_efficiency: 0.7\n"
                       "  compute_efficiency_by_precision: {fp8: 0.5}\n"
                       "memory:\n  - {name: hbm, capacity_GB: 80, bandwidth_GBps: 1000, efficiency: 0.9, latency_ns: 500}\n"
                       "software: {kernel_overhead_us: 0}\n";
    assert_int_equal(system_from(yaml, &s, &d), IS_OK);
    assert_close(system_compute_eff(&s, CC_FP8), 0.5, 1e-15);
    assert_close(system_compute_eff(&s, CC_BF16), 0.7, 1e-15);
    const char *bad = "name: t\nchip:\n  peak_TFLOPs: {bf16: 100}\n  compute_efficiency: 0.7\n"
                      "  compute_efficiency_by_precision:\n    fp4: 0.5\n"
                      "memory:\n  - {name: hbm, capacity_GB: 80, bandwidth_GBps: 1000}\n";
    assert_int_equal(system_from(bad, &s, &d), IS_ERR_INPUT);
    assert_int_equal(d.line, 6);
    assert_non_null(strstr(d.message, "fp4 has no peak in chip.peak_TFLOPs"));

    system_t mi;
    load_system("mi300x", &mi);
    model_t m;
    load_model("llama-3.1-8b", &m);
    const char *formats[2] = {"fp8", "bf16"};
    const double want[2] = {2614.9e12 * 0.49, 1307.4e12 * 0.54};
    for (int k = 0; k < 2; k++) {
        deploy_cfg_t cfg;
        deploy_cfg_default(&cfg, &m);
        precision_parse(formats[k], &cfg.weights);
        cfg.act = cfg.experts = cfg.weights;
        deploy_t dep;
        diag_clear(&d);
        assert_int_equal(deploy_setup(&dep, &m, &mi, &cfg, &d), IS_OK);
        assert_close(dep.layer[0].ops[1].flop_rate, want[k], 1e-12); /* the QKV projection */
    }
}

/* chip.mixed_input_efficiency: products whose weights are narrower than their activations run at
 * that share of the activations' peak.  The presets: Hopper converts MXFP4 weights to bf16 in
 * registers, 254 TFLOP/s = 0.257 of 989.4 measured for Marlin's MoE GEMM on an H100 (sglang PR
 * 38884), so gpt-oss's experts run at 989.4e12 x 0.257 beside a bf16 projection's 989.4e12 x 0.77;
 * Blackwell's tensor cores take e2m1 weights with e4m3 activations as they are (chip.mixed_fp_native,
 * TensorRT-LLM's gpt-oss support matrix: MXFP8 activations, MXFP4 weights), so on a B200 the experts
 * run at the fp8 rate, 4500e12 x 0.70; against bf16 activations they are converted as on Hopper (the
 * preset guesses Hopper's 0.257), 2250e12 x 0.257.  Out of (0, 1] is an error at its line, and so
 * is a mixed_fp_native that is not true or false. */
static void test_mixed_input_efficiency(void **state)
{
    (void)state;
    model_t m;
    load_model("gpt-oss-20b", &m);
    static const struct {
        const char *sys, *act;
        double experts, qkv;
    } cases[] = {{"h100-sxm", "bf16", 989.4e12 * 0.257, 989.4e12 * 0.77},
                 {"h200", "bf16", 989.4e12 * 0.257, 989.4e12 * 0.77},
                 {"b200", "fp8", 4500e12 * 0.70, 2250e12 * 0.70},
                 {"b200", "bf16", 2250e12 * 0.257, 2250e12 * 0.70}};
    for (int k = 0; k < 4; k++) {
        system_t s;
        load_system(cases[k].sys, &s);
        deploy_cfg_t cfg;
        deploy_cfg_default(&cfg, &m);
        precision_parse("bf16", &cfg.weights);
        precision_parse("mxfp4", &cfg.experts);
        precision_parse(cases[k].act, &cfg.act);
        static deploy_t dep;
        diag_t d;
        diag_clear(&d);
        assert_int_equal(deploy_setup(&dep, &m, &s, &cfg, &d), IS_OK);
        const op_table_t *t = &dep.layer[0];
        int seen = 0;
        for (int j = 0; j < t->n_ops; j++) {
            if (t->ops[j].kind == OP_EXPERTS) {
                assert_close(t->ops[j].flop_rate, cases[k].experts, 1e-12);
                seen |= 1;
            }
            if (t->ops[j].kind == OP_QKV) {
                assert_close(t->ops[j].flop_rate, cases[k].qkv, 1e-12);
                seen |= 2;
            }
        }
        assert_int_equal(seen, 3);
    }
    diag_t d;
    expect_chip_error("mixed_input_efficiency: 1.5", &d);
    assert_non_null(strstr(d.message, "expected a number > 0 and <= 1, got 1.5"));
    expect_chip_error("mixed_fp_native: maybe", &d);
    assert_non_null(strstr(d.message, "expected true or false, got \"maybe\""));
}

static void test_defaults_warn(void **state)
{
    (void)state;
    system_t s;
    diag_t d;
    char yaml[1024];
    snprintf(yaml, sizeof yaml, "%s  - {name: hbm, capacity_GB: 80, bandwidth_GBps: 1000}\n", head);
    assert_int_equal(system_from(yaml, &s, &d), IS_OK);
    /* efficiency, latency and the kernel overhead were defaulted, and said so */
    assert_int_equal(d.n_warnings, 3);
    assert_string_equal(d.warnings[0], "test.yaml: memory[0].efficiency not given: assumed 0.80");
    assert_close(s.tier[0].efficiency, 0.80, 1e-15);
    assert_close(s.tier[0].latency_s, 500e-9, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_h100_preset),
        cmocka_unit_test(test_every_preset_loads),
        cmocka_unit_test(test_errors_word_for_word),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_defaults_warn),
        cmocka_unit_test(test_efficiency_by_precision),
        cmocka_unit_test(test_mixed_input_efficiency),
        cmocka_unit_test(test_exp_rate),
    };
    return cmocka_run_group_tests_name("system", tests, NULL, NULL);
}
