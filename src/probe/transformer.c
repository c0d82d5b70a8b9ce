/*
 * transformer.c — the forward pass (see transformer.h).
 */
#include "transformer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RMS_EPS 1e-5f

static float *falloc(size_t n)
{
    float *p = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
    if (p)
        memset(p, 0, n * sizeof(float));
    return p;
}

status_t tf_check(const model_t *m, diag_t *d)
{
    if (m->attn != ATTN_GQA || m->n_experts > 0)
        return diag_error(d, m->path, 0, 0, "--model",
                          "measure runs dense grouped-query-attention models (Llama, Qwen2, Mistral, Phi-3); "
                          "%s has %s", m->name, m->n_experts ? "experts" : "MLA attention");
    if (m->hidden % 64 || m->intermediate % 64 || (m->head_dim % 2))
        return diag_error(d, m->path, 0, 0, "hidden_size",
                          "measure needs hidden_size and intermediate_size multiples of 64 and an even head_dim");
    return IS_OK;
}

status_t tf_build(tf_t *t, const model_t *m, wtype_t wt, int max_ctx, int max_tokens, int threads, diag_t *d)
{
    memset(t, 0, sizeof *t);
    status_t st = tf_check(m, d);
    if (st != IS_OK)
        return st;
    t->m = m;
    t->wt = wt;
    t->max_ctx = max_ctx;
    t->max_tokens = max_tokens;
    t->q_dim = m->n_heads * m->head_dim;
    t->kv_dim = m->n_kv_heads * m->head_dim;
    const int H = m->hidden, I = m->intermediate, L = m->n_layers;
    t->pool = pool_create(threads);
    t->layers = calloc((size_t)L, sizeof(tf_layer_t));
    if (!t->pool || !t->layers)
        goto nomem;
    uint64_t seed = 1;
    if (wmat_alloc(&t->embed, wt, m->vocab, H, seed++) || wmat_alloc(&t->lm_head, wt, m->vocab, H, seed++))
        goto nomem;
    t->final_norm = falloc((size_t)H);
    if (!t->final_norm)
        goto nomem;
    for (int i = 0; i < H; i++)
        t->final_norm[i] = 1.0f;
    for (int l = 0; l < L; l++) {
        tf_layer_t *ly = &t->layers[l];
        ly->attn_norm = falloc((size_t)H);
        ly->mlp_norm = falloc((size_t)H);
        if (!ly->attn_norm || !ly->mlp_norm)
            goto nomem;
        for (int i = 0; i < H; i++)
            ly->attn_norm[i] = ly->mlp_norm[i] = 1.0f;
        if (wmat_alloc(&ly->qkv, wt, t->q_dim + 2 * t->kv_dim, H, seed++) ||
            wmat_alloc(&ly->o, wt, H, t->q_dim, seed++) || wmat_alloc(&ly->gate_up, wt, 2 * I, H, seed++) ||
            wmat_alloc(&ly->down, wt, H, I, seed++))
            goto nomem;
    }
    size_t kv = (size_t)L * max_ctx * t->kv_dim;
    t->k_cache = falloc(kv);
    t->v_cache = falloc(kv);
    int half = m->head_dim / 2;
    t->rope_cos = falloc((size_t)max_ctx * half);
    t->rope_sin = falloc((size_t)max_ctx * half);
    size_t T = (size_t)max_tokens;
    int wide = t->q_dim + 2 * t->kv_dim > 2 * I ? t->q_dim + 2 * t->kv_dim : 2 * I;
    t->x = falloc(T * H);
    t->xn = falloc(T * H);
    t->qkv = falloc(T * wide);
    t->att = falloc(T * t->q_dim);
    t->h2 = falloc(T * H);
    t->act = falloc(T * I);
    t->logits = falloc((size_t)m->vocab);
    if (!t->k_cache || !t->v_cache || !t->rope_cos || !t->rope_sin || !t->x || !t->xn || !t->qkv || !t->att ||
        !t->h2 || !t->act || !t->logits)
        goto nomem;
    for (int p = 0; p < max_ctx; p++)
        for (int i = 0; i < half; i++) {
            double f = pow(10000.0, -2.0 * i / m->head_dim) * p;
            t->rope_cos[(size_t)p * half + i] = (float)cos(f);
            t->rope_sin[(size_t)p * half + i] = (float)sin(f);
        }
    double wb = 0;
    for (int l = 0; l < L; l++) {
        const tf_layer_t *ly = &t->layers[l];
        const wmat_t *ws[4] = {&ly->qkv, &ly->o, &ly->gate_up, &ly->down};
        for (int k = 0; k < 4; k++)
            wb += (double)ws[k]->rows * ws[k]->cols * wtype_bytes(wt) + (ws[k]->scale ? 4.0 * ws[k]->rows : 0);
    }
    wb += (double)m->vocab * H * wtype_bytes(wt);
    t->weight_bytes = wb;
    return IS_OK;
nomem:
    tf_free(t);
    return diag_error(d, NULL, 0, 0, NULL, "out of memory building %s in %s (needs about %.1f GB)", m->name,
                      wt == WT_I8 ? "int8" : wt == WT_BF16 ? "bf16" : "fp32",
                      model_params_total(m) * (double)wtype_bytes(wt) / 1e9);
}

void tf_free(tf_t *t)
{
    if (t->layers)
        for (int l = 0; l < t->m->n_layers; l++) {
            tf_layer_t *ly = &t->layers[l];
            free(ly->attn_norm);
            free(ly->mlp_norm);
            wmat_free(&ly->qkv);
            wmat_free(&ly->o);
            wmat_free(&ly->gate_up);
            wmat_free(&ly->down);
        }
    free(t->layers);
    wmat_free(&t->embed);
    wmat_free(&t->lm_head);
    free(t->final_norm);
    free(t->k_cache);
    free(t->v_cache);
    free(t->rope_cos);
    free(t->rope_sin);
    free(t->x);
    free(t->xn);
    free(t->qkv);
    free(t->att);
    free(t->h2);
    free(t->act);
    free(t->logits);
    pool_destroy(t->pool);
    memset(t, 0, sizeof *t);
}

/* ---- per-token tasks, each one parallel dispatch ---- */

typedef struct step_ctx {
    tf_t *t;
    int layer, n, pos, width;
    const float *norm;
    float *in, *out;
} step_ctx_t;

static void norm_task(void *v, size_t b, size_t e)
{
    step_ctx_t *c = v;
    int H = c->t->m->hidden;
    for (size_t i = b; i < e; i++)
        kern_rmsnorm(c->out + i * H, c->in + i * H, c->norm, H, RMS_EPS);
}

/* RoPE on q and k of each token, then k and v into the cache. */
static void rope_task(void *v, size_t b, size_t e)
{
    step_ctx_t *c = v;
    tf_t *t = c->t;
    const int hd = t->m->head_dim, half = hd / 2, wide = c->width;
    for (size_t i = b; i < e; i++) {
        int p = c->pos + (int)i;
        float *row = t->qkv + i * wide;
        const float *cs = t->rope_cos + (size_t)p * half, *sn = t->rope_sin + (size_t)p * half;
        int heads = t->m->n_heads + t->m->n_kv_heads;
        for (int h = 0; h < heads; h++) {
            float *q = row + h * hd;
            for (int k = 0; k < half; k++) {
                float a = q[k], bb = q[k + half];
                q[k] = a * cs[k] - bb * sn[k];
                q[k + half] = a * sn[k] + bb * cs[k];
            }
        }
        size_t off = ((size_t)c->layer * t->max_ctx + p) * t->kv_dim;
        memcpy(t->k_cache + off, row + t->q_dim, sizeof(float) * t->kv_dim);
        memcpy(t->v_cache + off, row + t->q_dim + t->kv_dim, sizeof(float) * t->kv_dim);
    }
}

/* Attention for (token, head) pairs: causal over the cache. */
static void attn_task(void *v, size_t b, size_t e)
{
    step_ctx_t *c = v;
    tf_t *t = c->t;
    const model_t *m = t->m;
    const int hd = m->head_dim, group = m->n_heads / m->n_kv_heads;
    const float scale = 1.0f / sqrtf((float)hd);
    float sc[t->max_ctx];
    for (size_t w = b; w < e; w++) {
        int i = (int)(w / m->n_heads), h = (int)(w % m->n_heads), kh = h / group;
        int p = c->pos + i;
        const float *q = t->qkv + (size_t)i * c->width + h * hd;
        const float *kc = t->k_cache + (size_t)c->layer * t->max_ctx * t->kv_dim + kh * hd;
        const float *vc = t->v_cache + (size_t)c->layer * t->max_ctx * t->kv_dim + kh * hd;
        float mx = -INFINITY;
        for (int s = 0; s <= p; s++) {
            sc[s] = kern_dot(q, kc + (size_t)s * t->kv_dim, hd) * scale;
            if (sc[s] > mx) mx = sc[s];
        }
        float sum = 0;
        for (int s = 0; s <= p; s++) {
            sc[s] = expf(sc[s] - mx);
            sum += sc[s];
        }
        float *out = t->att + (size_t)i * t->q_dim + h * hd;
        for (int k = 0; k < hd; k++)
            out[k] = 0;
        for (int s = 0; s <= p; s++) {
            float wgt = sc[s] / sum;
            const float *vv = vc + (size_t)s * t->kv_dim;
            for (int k = 0; k < hd; k++)
                out[k] += wgt * vv[k];
        }
    }
}

/* SiLU(gate) * up, and the residual adds. */
static void act_task(void *v, size_t b, size_t e)
{
    step_ctx_t *c = v;
    const int I = c->t->m->intermediate;
    for (size_t i = b; i < e; i++) {
        const float *g = c->t->qkv + i * c->width, *u = g + I;
        float *a = c->t->act + i * I;
        for (int k = 0; k < I; k++)
            a[k] = g[k] / (1.0f + expf(-g[k])) * u[k];
    }
}

static void add_task(void *v, size_t b, size_t e)
{
    step_ctx_t *c = v;
    const int H = c->t->m->hidden;
    for (size_t i = b * H; i < e * H; i++)
        c->out[i] += c->in[i];
}

int tf_forward(tf_t *t, const int *tokens, int n, int pos)
{
    const model_t *m = t->m;
    const int H = m->hidden, I = m->intermediate;
    pool_t *p = t->pool;
    for (int i = 0; i < n; i++)
        wmat_row(&t->embed, tokens[i] % m->vocab, t->x + (size_t)i * H);
    step_ctx_t c = {.t = t, .n = n, .pos = pos};
    for (int l = 0; l < m->n_layers; l++) {
        tf_layer_t *ly = &t->layers[l];
        c.layer = l;
        c.norm = ly->attn_norm;
        c.in = t->x;
        c.out = t->xn;
        pool_for(p, (size_t)n, 1, norm_task, &c);
        c.width = t->q_dim + 2 * t->kv_dim;
        kern_matmul(p, &ly->qkv, t->xn, H, t->qkv, c.width, n);
        pool_for(p, (size_t)n, 1, rope_task, &c);
        pool_for(p, (size_t)n * m->n_heads, 1, attn_task, &c);
        kern_matmul(p, &ly->o, t->att, t->q_dim, t->h2, H, n);
        c.in = t->h2;
        c.out = t->x;
        add_task(&c, 0, (size_t)n); /* residual add fused into the norm's dispatch below */
        c.norm = ly->mlp_norm;
        c.in = t->x;
        c.out = t->xn;
        pool_for(p, (size_t)n, 1, norm_task, &c);
        c.width = 2 * I;
        kern_matmul(p, &ly->gate_up, t->xn, H, t->qkv, c.width, n);
        pool_for(p, (size_t)n, 1, act_task, &c);
        kern_matmul(p, &ly->down, t->act, I, t->h2, H, n);
        c.in = t->h2;
        c.out = t->x;
        add_task(&c, 0, (size_t)n);
    }
    kern_rmsnorm(t->xn, t->x + (size_t)(n - 1) * H, t->final_norm, H, RMS_EPS);
    kern_matmul(p, &t->lm_head, t->xn, H, t->logits, m->vocab, 1);
    return 0;
}

int tf_dispatches(const model_t *m, int n)
{
    /* kern_matmul dispatches every matrix of more than 16 rows (all of them here); pool_for
     * runs n items inline when n is at most its grain of 1 */
    return m->n_layers * (5 + (n > 1 ? 4 : 0)) + 1;
}
