/*
 * test_model.c — parameter counts, KV bytes and FLOPs against published and
 * hand-computed figures.
 */
#include "testutil.h"

#include "../src/core/precision.h"

/* Published totals (billions) and the relative tolerance each deserves. */
static void test_published_dense_totals(void **state)
{
    (void)state;
    model_t m;
    /* Meta, Llama 3.1 model card (huggingface.co/meta-llama/Llama-3.1-8B): 8.03 B */
    load_model("llama-3.1-8b", &m);
    assert_close(model_params_total(&m), 8.03e9, 0.01);
    /* Llama-3.1-70B: 70.6 B (Hugging Face model page parameter count) */
    load_model("llama-3.1-70b", &m);
    assert_close(model_params_total(&m), 70.6e9, 0.01);
    /* Llama-3.1-405B: 405.9 B (Hugging Face model page parameter count) */
    load_model("llama-3.1-405b", &m);
    assert_close(model_params_total(&m), 405.9e9, 0.01);
    /* dense: active == total */
    assert_close(model_params_active(&m), model_params_total(&m), 1e-12);
    /* Llama-2-13B ("13B", Llama 2 paper), by hand: 40 x (4 x 5120^2 + 3 x 5120 x 13824 + 2 x 5120)
     * + 5120 + 2 x 32000 x 5120 untied = 13,015,864,320 */
    load_model("llama-2-13b", &m);
    assert_close(model_params_total(&m), 13015864320.0, 1e-9);
}

/* LLaDA-8B, a masked-diffusion model with OLMo-style field names (d_model, n_layers,
 * mlp_hidden_size, weight_tying): the model card (huggingface.co/GSAI-ML/LLaDA-8B-Instruct)
 * gives 8.02 B parameters, 6.98 B without the embeddings:
 * 32 x (4 x 4096^2 + 3 x 4096 x 12288) = 6.979 B, + 2 x 126464 x 4096 untied = 8.015 B */
static void test_llada_fields(void **state)
{
    (void)state;
    model_t m;
    load_model("llada-8b", &m);
    assert_int_equal(m.hidden, 4096);
    assert_int_equal(m.n_layers, 32);
    assert_int_equal(m.n_kv_heads, 32);
    assert_int_equal(m.intermediate, 12288);
    assert_int_equal(m.max_context, 4096);
    assert_false(m.tie_embeddings);
    assert_true(m.diffusion);
    assert_close(model_params_total(&m), 6979321856.0 + 2 * 518004736.0, 1e-4);
    load_model("llama-3.1-8b", &m);
    assert_false(m.diffusion);
}

static void test_published_moe_totals(void **state)
{
    (void)state;
    model_t m;
    /* Mistral AI, "Mixtral of experts" (2023): 46.7 B total, 12.9 B used per token
     * (Mistral counts the embedding table in the active figure) */
    load_model("mixtral-8x7b", &m);
    assert_close(model_params_total(&m), 46.7e9, 0.01);
    assert_close(model_params_active(&m), 12.9e9, 0.01);
    /* DeepSeek-V3 Technical Report (arXiv 2412.19437), abstract: 671 B total, 37 B activated.
     * DeepSeek counts the weights a token multiplies (not the embedding lookup): by hand,
     * 61 x 187.08 M attention + 3 x 396.4 M dense FFN + 58 x 398.2 M MoE (8 routed + 1 shared
     * expert of 44.04 M, router 1.84 M) + LM head 0.93 M = 36.62 B.  "37 B" is rounded to the
     * billion, so the tolerance is half a unit: 0.5 / 37. */
    load_model("deepseek-v3", &m);
    assert_close(model_params_total(&m), 671e9, 0.01);
    assert_close(model_params_active_compute(&m), 37e9, 0.5 / 37);
    assert_close(model_params_active_compute(&m), 36.62e9, 0.001);
    /* OpenAI gpt-oss model card (2025), Table 1: gpt-oss-120b 116.83 B total, 5.13 B active;
     * gpt-oss-20b 20.91 B total, 3.61 B active (active excludes the embedding table) */
    load_model("gpt-oss-120b", &m);
    assert_close(model_params_total(&m), 116.83e9, 0.01);
    assert_close(model_params_active_compute(&m), 5.13e9, 0.01);
    load_model("gpt-oss-20b", &m);
    assert_close(model_params_total(&m), 20.91e9, 0.01);
    assert_close(model_params_active_compute(&m), 3.61e9, 0.01);
    /* Qwen3 model card: Qwen3-235B-A22B 235 B total, 22 B activated (rounded to the billion) */
    load_model("qwen3-235b-a22b", &m);
    assert_close(model_params_total(&m), 235e9, 0.01);
    assert_close(model_params_active(&m), 22e9, 0.5 / 22);
}

static void test_kv_bytes_per_token(void **state)
{
    (void)state;
    model_t m;
    precision_t bf16, fp8;
    precision_parse("bf16", &bf16);
    precision_parse("fp8", &fp8);
    /* GQA: 2 (K,V) x 80 layers x 8 KV heads x 128 dims x 2 bytes = 327,680 */
    load_model("llama-3.1-70b", &m);
    assert_close(model_kv_bytes_per_token(&m, &bf16), 327680, 1e-12);
    assert_close(model_kv_bytes_per_token(&m, &fp8), 163840, 1e-12);
    /* MLA: 61 layers x (512 latent + 64 rope) x 2 bytes = 70,272 */
    load_model("deepseek-v3", &m);
    assert_close(model_kv_bytes_per_token(&m, &bf16), 70272, 1e-12);
}

static void test_sliding_windows_cap_kv(void **state)
{
    (void)state;
    model_t m;
    precision_t bf16;
    precision_parse("bf16", &bf16);
    /* Gemma 2 9B: 42 layers alternate local (window 4096) and global; 8 KV heads x 256 dims.
     * At 8192 tokens: 21 x 8192 + 21 x 4096 token-layers x 2 x 8 x 256 x 2 bytes */
    load_model("gemma-2-9b", &m);
    assert_int_equal(m.n_classes, 2);
    double per_tok_layer = 2.0 * 8 * 256 * 2;
    assert_close(model_kv_bytes(&m, &bf16, 8192), (21.0 * 8192 + 21.0 * 4096) * per_tok_layer, 1e-12);
    /* below the window every layer holds the whole context */
    assert_close(model_kv_bytes(&m, &bf16, 1000), 42.0 * 1000 * per_tok_layer, 1e-12);
    /* Mistral 7B v0.1: every layer windowed at 4096 */
    load_model("mistral-7b", &m);
    assert_close(model_kv_bytes(&m, &bf16, 32768), model_kv_bytes(&m, &bf16, 4096), 1e-12);
    /* Gemma 3 27B: 5 local layers (window 1024) per global one: 62 layers -> 10 global */
    load_model("gemma-3-27b", &m);
    int global = 0;
    for (int c = 0; c < m.n_classes; c++)
        if (m.classes[c].window == 0)
            global += m.classes[c].count;
    assert_int_equal(global, 10);
    /* gpt-oss: layer_types alternate sliding (128) and full */
    load_model("gpt-oss-120b", &m);
    assert_int_equal(m.n_classes, 2);
    assert_int_equal(m.classes[0].count + m.classes[1].count, 36);
}

static void test_attention_pairs(void **state)
{
    (void)state;
    /* 4 new tokens, no cache, no window: 1+2+3+4 = 10 */
    assert_close(attn_pairs(4, 0, 0), 10, 1e-15);
    /* positions 3..7 after 2 cached, window 4: 3+4+4+4+4 = 19 */
    assert_close(attn_pairs(5, 2, 4), 19, 1e-15);
    /* a decode token at context 100 sees 101 keys; window 64 caps it */
    assert_close(attn_pairs(1, 100, 0), 101, 1e-15);
    assert_close(attn_pairs(1, 100, 64), 64, 1e-15);
}

static void test_flops(void **state)
{
    (void)state;
    model_t m;
    load_model("llama-3.1-8b", &m);
    /* decode at context 0: 2 FLOPs per weight of every GEMM (all but the embedding table
     * and norms) + attention over 1 key: 4 x 32 heads x 128 x 32 layers */
    double gemm = model_params_total(&m) - m.p_embed - m.p_final_norm - 32.0 * 2 * 4096;
    assert_close(model_decode_flops(&m, 0), 2.0 * gemm + 4.0 * 32 * 128 * 32, 1e-12);
    /* prefill of L tokens = L GEMM passes + causal attention L(L+1)/2 pairs */
    double L = 1000;
    assert_close(model_prefill_flops(&m, L, 0), 2.0 * gemm * L + 4.0 * 32 * 128 * 32 * L * (L + 1) / 2, 1e-12);
    /* prefill FLOPs grow with context; decode FLOPs linear in context */
    double f0 = model_decode_flops(&m, 0), f1 = model_decode_flops(&m, 1000), f2 = model_decode_flops(&m, 2000);
    assert_close(f2 - f1, f1 - f0, 1e-9);
}

static void test_precisions(void **state)
{
    (void)state;
    precision_t p;
    assert_int_equal(precision_parse("q4_0", &p), 0);
    assert_close(p.bits, 4.5, 1e-15); /* 32 x 4 bits + fp16 scale per 32 */
    assert_int_equal(precision_parse("q8_0", &p), 0);
    assert_close(p.bits, 8.5, 1e-15);
    assert_int_equal(precision_parse("fp8", &p), 0);
    assert_int_equal(p.cc, CC_FP8);
    assert_int_equal(precision_parse("4.85", &p), 0);
    assert_close(p.bits, 4.85, 1e-15);
    assert_int_equal(p.cc, CC_NONE);
    assert_int_equal(precision_parse("fp9", &p), -1);
    assert_int_equal(precision_parse("", &p), -1);
}

static void test_weight_bytes(void **state)
{
    (void)state;
    model_t m;
    precision_t q4, bf16, mx;
    precision_parse("q4_0", &q4);
    precision_parse("bf16", &bf16);
    precision_parse("mxfp4", &mx);
    load_model("llama-2-7b", &m);
    /* everything at 4.5 bits: 6.74 B x 4.5 / 8 = 3.79 GB (llama.cpp's Q4_0 file is 3.83 GB with
     * its q6_K output tensor) */
    assert_close(model_weight_bytes(&m, &q4, &q4, &q4), model_params_total(&m) * 4.5 / 8, 1e-12);
    /* gpt-oss ships experts in MXFP4 and the rest in bf16 (quantization_config) */
    load_model("gpt-oss-120b", &m);
    assert_string_equal(m.native_experts.name, "mxfp4");
    assert_string_equal(m.native_weights.name, "bf16");
    /* its checkpoint is about 60.8 GiB = 65.3 GB (OpenAI model card: "fits in 80GB") */
    double b = model_weight_bytes(&m, &bf16, &mx, &bf16);
    assert_le(b, 66e9);
    assert_le(60e9, b);
}

static void test_bad_configs(void **state)
{
    (void)state;
    model_t m;
    diag_t d;
    char buf[1024];
    diag_clear(&d);
    const char *bad1 = "{\n  \"hidden_size\": 4096,\n  \"num_hidden_layers\": -2,\n  \"num_attention_heads\": 32,\n"
                       "  \"vocab_size\": 32000, \"intermediate_size\": 11008\n}\n";
    assert_int_equal(model_load_buffer(bad1, strlen(bad1), "bad.json", &m, &d), IS_ERR_INPUT);
    assert_string_equal(diag_format(&d, buf, sizeof buf),
                        "bad.json:3:3: error: num_hidden_layers: expected an integer >= 1, got -2\n"
                        "    \"num_hidden_layers\": -2,\n"
                        "    ^\n");
    diag_clear(&d);
    const char *bad2 = "{\n  \"hidden_size\": 4096,\n  \"num_hidden_layers\": 2\n  \"x\": 1\n}\n";
    assert_int_equal(model_load_buffer(bad2, strlen(bad2), "bad2.json", &m, &d), IS_ERR_INPUT);
    assert_int_equal(d.line, 4);
    assert_non_null(strstr(d.message, "invalid JSON"));
    diag_clear(&d);
    const char *bad3 = "{\"num_hidden_layers\": 2, \"num_attention_heads\": 8, \"vocab_size\": 10}";
    assert_int_equal(model_load_buffer(bad3, strlen(bad3), "bad3.json", &m, &d), IS_ERR_INPUT);
    assert_string_equal(d.message, "missing field \"hidden_size\" (an integer >= 1)");
    diag_clear(&d);
    const char *bad4 = "{\"hidden_size\": 64, \"num_hidden_layers\": 2, \"num_attention_heads\": 8, "
                       "\"num_key_value_heads\": 3, \"vocab_size\": 10, \"intermediate_size\": 128}";
    assert_int_equal(model_load_buffer(bad4, strlen(bad4), "bad4.json", &m, &d), IS_ERR_INPUT);
    assert_string_equal(d.message, "expected a divisor of num_attention_heads (num_key_value_heads 3 does not "
                                   "divide num_attention_heads 8)");
}

static void test_unknown_architecture_warns(void **state)
{
    (void)state;
    model_t m;
    diag_t d;
    diag_clear(&d);
    const char *cfg = "{\"architectures\": [\"FancyNewForCausalLM\"], \"hidden_size\": 64, \"num_hidden_layers\": 2,"
                      " \"num_attention_heads\": 4, \"vocab_size\": 100, \"intermediate_size\": 128}";
    assert_int_equal(model_load_buffer(cfg, strlen(cfg), "x.json", &m, &d), IS_OK);
    assert_int_equal(d.n_warnings, 1);
    assert_non_null(strstr(d.warnings[0], "unknown architecture \"FancyNewForCausalLM\""));
    /* 100x64 embedding + LM head, 2 layers of 4 x 64x64 attention + 3 x 64x128 MLP + 2 norms, final norm */
    assert_close(model_params_total(&m), 2 * 6400.0 + 2 * (4 * 4096.0 + 3 * 8192.0 + 128) + 64, 1e-12);
}

static void test_every_preset_loads(void **state)
{
    (void)state;
    char names[CATALOG_MAX][CATALOG_NAME];
    int n = catalog_list(CATALOG_MODELS, names, CATALOG_MAX);
    assert_true(n >= 20);
    for (int i = 0; i < n; i++) {
        model_t m;
        load_model(names[i], &m);
        assert_true(model_params_total(&m) > 1e8);
        assert_true(model_params_active(&m) <= model_params_total(&m));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_dense_totals),
        cmocka_unit_test(test_published_moe_totals),
        cmocka_unit_test(test_llada_fields),
        cmocka_unit_test(test_kv_bytes_per_token),
        cmocka_unit_test(test_sliding_windows_cap_kv),
        cmocka_unit_test(test_attention_pairs),
        cmocka_unit_test(test_flops),
        cmocka_unit_test(test_precisions),
        cmocka_unit_test(test_weight_bytes),
        cmocka_unit_test(test_bad_configs),
        cmocka_unit_test(test_unknown_architecture_warns),
        cmocka_unit_test(test_every_preset_loads),
    };
    return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
