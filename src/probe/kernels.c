/*
 * kernels.c — see kernels.h.  Built with the probe flags (Makefile PROBE_CFLAGS:
 * -O3 -march=native -ffp-contract=fast): these kernels measure *this* machine.
 * GCC vector extensions keep them portable: VW lanes match the machine's widest
 * vector registers (vec.h), which keeps the accumulators in registers.
 */
#include "kernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"

size_t wtype_bytes(wtype_t t)
{
    return t == WT_F32 ? 4 : t == WT_BF16 ? 2 : 1;
}

static uint64_t rng(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

int wmat_alloc(wmat_t *w, wtype_t t, int rows, int cols, uint64_t seed)
{
    memset(w, 0, sizeof *w);
    w->type = t;
    w->rows = rows;
    w->cols = cols;
    size_t n = (size_t)rows * cols;
    /* 64-byte aligned rows of whole vectors: cols is a multiple of 16 for every model we build */
    w->data = aligned_alloc(64, (n * wtype_bytes(t) + 63) / 64 * 64);
    if (!w->data)
        return -1;
    if (t == WT_I8) {
        w->scale = malloc(sizeof(float) * (size_t)rows);
        if (!w->scale) {
            free(w->data);
            w->data = NULL;
            return -1;
        }
    }
    float amp = 1.0f / sqrtf((float)cols);
    uint64_t s = seed;
    if (t == WT_I8) {
        int8_t *d = w->data;
        for (size_t i = 0; i < n; i += 8) {
            uint64_t r = rng(&s);
            for (int k = 0; k < 8 && i + k < n; k++)
                d[i + k] = (int8_t)((r >> (8 * k)) & 0xff);
        }
        for (int r = 0; r < rows; r++)
            w->scale[r] = amp / 73.9f; /* std of a uniform int8 is 73.9 */
    } else if (t == WT_BF16) {
        uint16_t *d = w->data;
        for (size_t i = 0; i < n; i++) {
            float f = amp * ((float)(rng(&s) >> 40) / (float)(1 << 24) * 3.4641f - 1.7320f);
            uint32_t u;
            memcpy(&u, &f, 4);
            d[i] = (uint16_t)(u >> 16);
        }
    } else {
        float *d = w->data;
        for (size_t i = 0; i < n; i++)
            d[i] = amp * ((float)(rng(&s) >> 40) / (float)(1 << 24) * 3.4641f - 1.7320f);
    }
    return 0;
}

void wmat_free(wmat_t *w)
{
    free(w->data);
    free(w->scale);
    memset(w, 0, sizeof *w);
}

static inline vf loadv(const float *p)
{
    vf v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline float hsum(vf v)
{
    float s = 0;
    for (int i = 0; i < VW; i++)
        s += v[i];
    return s;
}

float kern_dot(const float *a, const float *b, int n)
{
    vf acc0 = {0}, acc1 = {0};
    int i = 0;
    for (; i + 2 * VW <= n; i += 2 * VW) {
        acc0 += loadv(a + i) * loadv(b + i);
        acc1 += loadv(a + i + VW) * loadv(b + i + VW);
    }
    float s = hsum(acc0 + acc1);
    for (; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* One weight row against one activation vector, dequantizing in registers. */
static float row_dot(const wmat_t *W, int r, const float *x)
{
    const int n = W->cols;
    vf a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    int i = 0;
    if (W->type == WT_F32) {
        const float *w = (const float *)W->data + (size_t)r * n;
        for (; i + 4 * VW <= n; i += 4 * VW) {
            a0 += loadv(w + i) * loadv(x + i);
            a1 += loadv(w + i + VW) * loadv(x + i + VW);
            a2 += loadv(w + i + 2 * VW) * loadv(x + i + 2 * VW);
            a3 += loadv(w + i + 3 * VW) * loadv(x + i + 3 * VW);
        }
        float s = hsum(a0 + a1 + a2 + a3);
        for (; i < n; i++)
            s += w[i] * x[i];
        return s;
    }
    if (W->type == WT_BF16) {
        const uint16_t *w = (const uint16_t *)W->data + (size_t)r * n;
        for (; i + 4 * VW <= n; i += 4 * VW) {
            a0 += vh_load_f(w + i) * loadv(x + i);
            a1 += vh_load_f(w + i + VW) * loadv(x + i + VW);
            a2 += vh_load_f(w + i + 2 * VW) * loadv(x + i + 2 * VW);
            a3 += vh_load_f(w + i + 3 * VW) * loadv(x + i + 3 * VW);
        }
        float s = hsum(a0 + a1 + a2 + a3);
        for (; i < n; i++) {
            uint32_t u = (uint32_t)w[i] << 16;
            float f;
            memcpy(&f, &u, 4);
            s += f * x[i];
        }
        return s;
    }
    const int8_t *w = (const int8_t *)W->data + (size_t)r * n;
    for (; i + 4 * VW <= n; i += 4 * VW) {
        a0 += vc_load_f(w + i) * loadv(x + i);
        a1 += vc_load_f(w + i + VW) * loadv(x + i + VW);
        a2 += vc_load_f(w + i + 2 * VW) * loadv(x + i + 2 * VW);
        a3 += vc_load_f(w + i + 3 * VW) * loadv(x + i + 3 * VW);
    }
    float s = hsum(a0 + a1 + a2 + a3);
    for (; i < n; i++)
        s += (float)w[i] * x[i];
    return s * W->scale[r];
}

void wmat_row(const wmat_t *W, int r, float *out)
{
    const int n = W->cols;
    if (W->type == WT_F32) {
        memcpy(out, (const float *)W->data + (size_t)r * n, sizeof(float) * (size_t)n);
    } else if (W->type == WT_BF16) {
        const uint16_t *w = (const uint16_t *)W->data + (size_t)r * n;
        for (int i = 0; i < n; i++) {
            uint32_t u = (uint32_t)w[i] << 16;
            memcpy(&out[i], &u, 4);
        }
    } else {
        const int8_t *w = (const int8_t *)W->data + (size_t)r * n;
        float sc = W->scale[r];
        for (int i = 0; i < n; i++)
            out[i] = (float)w[i] * sc;
    }
}

typedef struct mm_arg {
    const wmat_t *W;
    const float *X;
    float *Y;
    int ldx, ldy, T;
} mm_arg_t;

/* Rows [b, e): decode (T = 1) streams each row once against x; prefill dequantizes a
 * row into a register-friendly buffer once and reuses it for every token. */
static void mm_task(void *v, size_t b, size_t e)
{
    const mm_arg_t *a = v;
    if (a->T == 1) {
        for (size_t r = b; r < e; r++)
            a->Y[r] = row_dot(a->W, (int)r, a->X);
        return;
    }
    float row[a->W->cols] __attribute__((aligned(64)));
    for (size_t r = b; r < e; r++) {
        wmat_row(a->W, (int)r, row);
        for (int t = 0; t < a->T; t++)
            a->Y[(size_t)t * a->ldy + r] = kern_dot(row, a->X + (size_t)t * a->ldx, a->W->cols);
    }
}

void kern_matmul(pool_t *p, const wmat_t *W, const float *X, int ldx, float *Y, int ldy, int T)
{
    mm_arg_t a = {W, X, Y, ldx, ldy, T};
    size_t grain = (size_t)W->rows / (size_t)(8 * pool_threads(p));
    if (grain < 16)
        grain = 16;
    pool_for(p, (size_t)W->rows, grain, mm_task, &a);
}

void kern_rmsnorm(float *out, const float *x, const float *g, int n, float eps)
{
    float ss = kern_dot(x, x, n) / (float)n;
    float k = 1.0f / sqrtf(ss + eps);
    for (int i = 0; i < n; i++)
        out[i] = x[i] * k * g[i];
}
