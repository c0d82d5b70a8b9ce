/*
 * precision.c — the table of number formats.
 *
 * Bits per weight of the block formats are those of their definitions:
 *   q4_0: 32 4-bit values + one fp16 scale per block = (32*4+16)/32 = 4.5 bits
 *   q8_0: 32 8-bit values + one fp16 scale            = (32*8+16)/32 = 8.5 bits
 *   q4_k / q5_k / q6_k: llama.cpp k-quants, 4.5 / 5.5 / 6.5625 bits per weight
 *     (ggml-quants: super-blocks of 256 with 6-bit sub-block scales)
 *   q2_k, q3_k_m, q4_k_s, q4_k_m, q5_k_m: llama.cpp's mixed k-quant recipes, as measured
 *     on Llama 2 7B by llama.cpp (tools/quantize/README.md): 3.35, 3.91, 4.58, 4.84, 5.68 bpw
 *   mxfp4: OCP Microscaling, 32 fp4 values + one 8-bit shared exponent = 4.25 bits
 *   nvfp4: NVIDIA Blackwell, 16 fp4 values + one fp8 scale = 4.5 bits
 */
#include "precision.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const compute_class_names[CC_COUNT] = {
#define X(e, s) s,
    COMPUTE_CLASSES(X)
#undef X
};

static const precision_t table[] = {
    {"fp32", 32.0, CC_FP32},   {"bf16", 16.0, CC_BF16},  {"fp16", 16.0, CC_FP16},
    {"fp8", 8.0, CC_FP8},      {"int8", 8.0, CC_INT8},   {"fp4", 4.0, CC_FP4},
    {"int4", 4.0, CC_INT4},    {"mxfp4", 4.25, CC_FP4},  {"nvfp4", 4.5, CC_FP4},
    {"q4_0", 4.5, CC_NONE},    {"q4_k", 4.5, CC_NONE},   {"q5_k", 5.5, CC_NONE},
    {"q6_k", 6.5625, CC_NONE}, {"q8_0", 8.5, CC_NONE},   {"q2_k", 3.35, CC_NONE},
    {"q3_k_m", 3.91, CC_NONE}, {"q4_k_s", 4.58, CC_NONE}, {"q4_k_m", 4.84, CC_NONE},
    {"q5_k_m", 5.68, CC_NONE},
};
enum { N_TABLE = sizeof table / sizeof table[0] };

static const char *const names[N_TABLE] = {
    "fp32", "bf16", "fp16", "fp8", "int8", "fp4", "int4",
    "mxfp4", "nvfp4", "q4_0", "q4_k", "q5_k", "q6_k", "q8_0",
    "q2_k", "q3_k_m", "q4_k_s", "q4_k_m", "q5_k_m",
};

const char *const *precision_names(int *n)
{
    *n = N_TABLE;
    return names;
}

int precision_parse(const char *s, precision_t *out)
{
    if (!s || !*s)
        return -1;
    for (int i = 0; i < N_TABLE; i++)
        if (strcasecmp(s, table[i].name) == 0) {
            *out = table[i];
            return 0;
        }
    /* common aliases */
    if (strcasecmp(s, "float32") == 0 || strcasecmp(s, "f32") == 0) return precision_parse("fp32", out);
    if (strcasecmp(s, "bfloat16") == 0) return precision_parse("bf16", out);
    if (strcasecmp(s, "float16") == 0 || strcasecmp(s, "f16") == 0 || strcasecmp(s, "half") == 0)
        return precision_parse("fp16", out);
    if (strcasecmp(s, "e4m3") == 0 || strcasecmp(s, "float8_e4m3fn") == 0) return precision_parse("fp8", out);
    /* a bare number of bits per weight, e.g. "4.85" or "4.85b" */
    char *end = NULL;
    double bits = strtod(s, &end);
    if (end != s && (*end == '\0' || ((*end == 'b' || *end == 'B') && end[1] == '\0')) &&
        bits >= 1.0 && bits <= 64.0) {
        snprintf(out->name, sizeof out->name, "%gb", bits);
        out->bits = bits;
        out->cc = CC_NONE;
        return 0;
    }
    return -1;
}

double compute_class_bits(compute_class_t cc)
{
    /* the table opens with one entry per compute class, in the enum's order */
    return cc >= 0 && cc < CC_COUNT ? table[cc].bits : 0.0;
}

compute_class_t compute_class_fallback(compute_class_t cc)
{
    switch (cc) {
    case CC_FP4: return CC_FP8;
    case CC_INT4: return CC_INT8;
    case CC_FP8: return CC_BF16;
    case CC_INT8: return CC_FP8;
    case CC_FP16: return CC_BF16;
    case CC_BF16: return CC_FP32;
    default: return CC_NONE;
    }
}
