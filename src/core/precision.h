/*
 * precision.h — number formats for weights, KV cache and activations.
 *
 * A precision has a storage cost (bits per element, including block scales for
 * block formats such as llama.cpp's q4_0) and a compute class: the tensor-core /
 * matrix-unit rate a chip runs a GEMM at when its operands are in that format.
 * Weight-only formats (q4_0, q8_0, int4 with bf16 activations, a bare bits value)
 * have no compute class of their own: the GEMM runs at the activation precision.
 */
#ifndef INFERSIM_PRECISION_H
#define INFERSIM_PRECISION_H

/* Compute classes, one per peak-FLOP/s entry of a chip.  X-macro keeps the
 * enum and its YAML key names in step. */
#define COMPUTE_CLASSES(X) \
    X(CC_FP32, "fp32")     \
    X(CC_BF16, "bf16")     \
    X(CC_FP16, "fp16")     \
    X(CC_FP8, "fp8")       \
    X(CC_INT8, "int8")     \
    X(CC_FP4, "fp4")       \
    X(CC_INT4, "int4")

typedef enum compute_class {
#define X(e, s) e,
    COMPUTE_CLASSES(X)
#undef X
    CC_COUNT,
    CC_NONE = -1 /* weight-only storage format: computes at the activation precision */
} compute_class_t;

extern const char *const compute_class_names[CC_COUNT];

typedef struct precision {
    char name[16];         /* canonical name, e.g. "fp8", "q4_0", "4.85b" */
    double bits;           /* storage bits per element, block scales included */
    compute_class_t cc;    /* GEMM class when used as activation/compute format; CC_NONE if weight-only */
} precision_t;

/* Parse a precision name (fp32 bf16 fp16 fp8 int8 fp4 int4 mxfp4 nvfp4 q4_0 q4_k q5_k q6_k q8_0)
 * or a bare bits-per-element number ("4.85").  Returns 0 on success, -1 otherwise. */
int precision_parse(const char *s, precision_t *out);

/* Names accepted by precision_parse (for near-match suggestions); sets *n. */
const char *const *precision_names(int *n);

/* Bytes per element. */
static inline double precision_bytes(const precision_t *p) { return p->bits / 8.0; }

/* Bits of an operand in compute class `cc` (fp8: 8); 0 for CC_NONE. */
double compute_class_bits(compute_class_t cc);

/* The compute class a chip falls back to when it has no fast path for `cc`
 * (fp4 -> fp8 -> bf16 -> fp32, int4 -> int8 -> bf16, fp16 <-> bf16); CC_NONE at the end. */
compute_class_t compute_class_fallback(compute_class_t cc);

#endif
