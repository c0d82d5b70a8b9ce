/*
 * fuzzutil.h — what the libFuzzer targets share: a fixed system and model to run a parsed
 * input through, and the check that a prediction never prints NaN or infinity.
 *
 *   make fuzz          build the targets (clang, -fsanitize=fuzzer,address,undefined)
 *   make fuzz-run      run each for FUZZ_SECONDS (default 60) from tests/fuzz/corpus/<target>
 */
#ifndef INFERSIM_FUZZUTIL_H
#define INFERSIM_FUZZUTIL_H

#include "../src/analysis/predict.h"
#include "../src/io/model_config.h"
#include "../src/io/system_yaml.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* An H100-like system, in the file format, so a target needs no files. */
static const char fuzz_system_yaml[] =
    "name: fuzz-gpu\n"
    "chip: {sram_MB: 50, peak_TFLOPs: {bf16: 989, fp8: 1979}, compute_efficiency: 0.7}\n"
    "memory: [{name: hbm, capacity_GB: 80, bandwidth_GBps: 3350, efficiency: 0.9, latency_ns: 500}]\n"
    "interconnect: [{name: nvl, domain_chips: 8, bandwidth_GBps: 450, efficiency: 0.8, hop_latency_ns: 200}]\n"
    "software: {kernel_overhead_us: 2, collective_launch_us: 5, reserved_GB: 4}\n";

/* A small Llama, in the config.json format. */
static const char fuzz_model_json[] =
    "{\"architectures\": [\"LlamaForCausalLM\"], \"model_type\": \"llama\", \"hidden_size\": 2048,"
    " \"num_hidden_layers\": 16, \"num_attention_heads\": 32, \"num_key_value_heads\": 8,"
    " \"intermediate_size\": 8192, \"vocab_size\": 128256, \"torch_dtype\": \"bfloat16\"}";

static inline void fuzz_finite(double x, const char *what)
{
    if (!isfinite(x) || x < 0) {
        fprintf(stderr, "fuzz: %s = %g: a prediction must be finite and >= 0\n", what, x);
        abort();
    }
}

/* Predict m on s at batch 1 and check every headline number. */
static inline void fuzz_predict(const model_t *m, const system_t *s)
{
    static predict_result_t r;
    predict_req_t q;
    predict_req_default(&q, m);
    q.isl = 128;
    q.osl = 8;
    diag_t d;
    diag_clear(&d);
    if (predict_run(m, s, &q, &r, &d) != IS_OK)
        return;
    fuzz_finite(r.ttft_s, "ttft_s");
    fuzz_finite(r.tpot_s, "tpot_s");
    fuzz_finite(r.e2e_s, "e2e_s");
    fuzz_finite(r.output_tok_s, "output_tok_s");
    fuzz_finite(r.mem_need_B, "mem_need_B");
    fuzz_finite(r.params_total, "params_total");
}

#endif
