/*
 * kernels.h — the compute kernels of infersim's own CPU transformer (measure) and of
 * the machine probes (calibrate): weight matrices in fp32, bf16 or int8 (per-row
 * scale), GEMV/GEMM against fp32 activations, run over a thread pool.
 *
 * These are the kernels whose speed `infersim measure` compares with the cost model,
 * so they are written to stream weights at the memory's bandwidth: one pass over each
 * weight row, dequantized in registers, with several independent accumulators.
 *
 * Ownership: wmat_alloc() allocates data and scales; wmat_free() releases them.
 */
#ifndef INFERSIM_KERNELS_H
#define INFERSIM_KERNELS_H

#include "pool.h"

#include <stddef.h>
#include <stdint.h>

typedef enum wtype { WT_F32, WT_BF16, WT_I8 } wtype_t;

typedef struct wmat {
    wtype_t type;
    int rows, cols;   /* y = W x: W is rows x cols, row-major */
    void *data;       /* rows x cols elements of the type */
    float *scale;     /* int8: one scale per row; NULL otherwise */
} wmat_t;

/* Bytes per element of a weight type (int8 row scales excluded). */
size_t wtype_bytes(wtype_t t);

/* Allocate and fill with reproducible pseudo-random values of scale ~ 1/sqrt(cols). */
int wmat_alloc(wmat_t *w, wtype_t t, int rows, int cols, uint64_t seed);
void wmat_free(wmat_t *w);

/* Y[t][r] = sum_c W[r][c] X[t][c] for t < T (X: T x cols, Y: T x rows, both fp32,
 * row strides ldx and ldy).  Parallel over rows. */
void kern_matmul(pool_t *p, const wmat_t *W, const float *X, int ldx, float *Y, int ldy, int T);

/* Row r of W, dequantized into out (cols floats). */
void wmat_row(const wmat_t *W, int r, float *out);

/* Dot product of two fp32 vectors (n elements). */
float kern_dot(const float *a, const float *b, int n);

/* out = x * rsqrt(mean(x^2) + eps) * g  (n elements). */
void kern_rmsnorm(float *out, const float *x, const float *g, int n, float eps);

#endif
