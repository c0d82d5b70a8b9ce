/*
 * model.c — parameter counts, KV-cache bytes and FLOPs of a transformer.
 *
 * Counting conventions (checked in tests/test_model.c against published totals):
 * - a linear layer of n_in x n_out has n_in*n_out weights (+ n_out with a bias);
 * - gated MLPs (SwiGLU/GeGLU) have 3 matrices d x I, plain MLPs 2;
 * - MLA (DeepSeek-V2/V3): q_a d x q_lora, q_a_norm q_lora, q_b q_lora x h*(nope+rope),
 *   kv_a d x (kv_lora+rope), kv_a_norm kv_lora, kv_b kv_lora x h*(nope+v), o h*v x d;
 * - norms are counted (they are tiny but real);
 * - DeepSeek's multi-token-prediction module (num_nextn_predict_layers) is not part of
 *   the 671 B its card quotes, and is not counted.
 */
#include "model.h"

#include <math.h>
#include <string.h>

int model_finalize(model_t *m, const int *window, const unsigned char *moe, int norms_per_layer,
                   int qk_norm, int attn_bias, int sinks)
{
    const double d = m->hidden, h = m->n_heads, kvh = m->n_kv_heads, hd = m->head_dim;
    layer_params_t base;
    memset(&base, 0, sizeof base);

    if (m->attn == ATTN_MLA) {
        double qk = m->qk_nope_dim + m->qk_rope_dim;
        if (m->q_lora_rank > 0)
            base.q = d * m->q_lora_rank + m->q_lora_rank + (double)m->q_lora_rank * h * qk;
        else
            base.q = d * h * qk;
        base.kv = d * (m->kv_lora_rank + m->qk_rope_dim) + m->kv_lora_rank +
                  (double)m->kv_lora_rank * h * (m->qk_nope_dim + m->v_head_dim);
        base.o = h * m->v_head_dim * d;
    } else {
        base.q = d * h * hd;
        base.kv = 2.0 * d * kvh * hd;
        base.o = h * hd * d;
        if (attn_bias)
            base.attn_bias += h * hd + 2.0 * kvh * hd;
        if (attn_bias == 2) /* o_proj bias too (gpt-oss) */
            base.attn_bias += d;
    }
    if (qk_norm)
        base.attn_bias += 2.0 * hd;
    if (sinks)
        base.attn_bias += h;
    base.norms = (double)norms_per_layer * d;

    m->n_classes = 0;
    for (int i = 0; i < m->n_layers; i++) {
        int c;
        for (c = 0; c < m->n_classes; c++)
            if (m->classes[c].window == window[i] && m->classes[c].moe == moe[i])
                break;
        if (c == m->n_classes) {
            if (m->n_classes == MODEL_MAX_CLASSES)
                return -1;
            m->classes[c].window = window[i];
            m->classes[c].moe = moe[i];
            m->classes[c].count = 0;
            m->n_classes++;
        }
        m->classes[c].count++;
        m->layer_class[i] = (unsigned char)c;
    }
    for (int c = 0; c < m->n_classes; c++) {
        layer_params_t p = base;
        if (m->classes[c].moe) {
            double e_w = (double)m->mlp_matrices * d * m->moe_intermediate;
            p.expert = e_w + (attn_bias == 2 ? (2.0 * m->moe_intermediate + d) : 0.0);
            p.router = d * m->n_experts + (attn_bias == 2 ? m->n_experts : 0.0);
            if (m->shared_intermediate > 0)
                p.shared = (double)m->mlp_matrices * d * m->shared_intermediate;
        } else {
            p.mlp = (double)m->mlp_matrices * d * m->intermediate;
        }
        m->class_params[c] = p;
    }
    m->p_embed = (double)m->vocab * d;
    m->p_lm_head = m->tie_embeddings ? 0.0 : (double)m->vocab * d;
    m->p_final_norm = d;
    return 0;
}

/* Per-layer totals of a class: attention, dense, and the expert part weighted by n. */
static double layer_attn(const layer_params_t *p)
{
    return p->q + p->kv + p->o + p->attn_bias + p->norms;
}

double model_params_total(const model_t *m)
{
    double t = m->p_embed + m->p_lm_head + m->p_final_norm;
    for (int c = 0; c < m->n_classes; c++) {
        const layer_params_t *p = &m->class_params[c];
        t += m->classes[c].count *
             (layer_attn(p) + p->mlp + p->router + p->shared + p->expert * m->n_experts);
    }
    return t;
}

double model_params_active(const model_t *m)
{
    double t = m->p_embed + m->p_lm_head + m->p_final_norm;
    for (int c = 0; c < m->n_classes; c++) {
        const layer_params_t *p = &m->class_params[c];
        t += m->classes[c].count *
             (layer_attn(p) + p->mlp + p->router + p->shared + p->expert * m->top_k);
    }
    return t;
}

double model_params_active_compute(const model_t *m)
{
    return model_params_active(m) - (m->tie_embeddings ? 0.0 : m->p_embed);
}

double model_weight_bytes(const model_t *m, const precision_t *w, const precision_t *e,
                          const precision_t *emb)
{
    double lin = 0.0, exp = 0.0;
    for (int c = 0; c < m->n_classes; c++) {
        const layer_params_t *p = &m->class_params[c];
        lin += m->classes[c].count * (layer_attn(p) + p->mlp + p->router + p->shared);
        exp += m->classes[c].count * p->expert * m->n_experts;
    }
    return lin * precision_bytes(w) + exp * precision_bytes(e) +
           (m->p_embed + m->p_lm_head + m->p_final_norm) * precision_bytes(emb);
}

double model_kv_elems_per_token_layer(const model_t *m, int c)
{
    (void)c; /* every layer class caches the same per-token shape; windows cap the length */
    if (m->attn == ATTN_MLA)
        return (double)m->kv_lora_rank + m->qk_rope_dim;
    return 2.0 * m->n_kv_heads * m->head_dim;
}

double model_kv_bytes(const model_t *m, const precision_t *kv, double ctx)
{
    double b = 0.0;
    for (int c = 0; c < m->n_classes; c++) {
        double len = ctx;
        if (m->classes[c].window > 0 && len > m->classes[c].window)
            len = m->classes[c].window;
        b += m->classes[c].count * model_kv_elems_per_token_layer(m, c) * len;
    }
    return b * precision_bytes(kv);
}

double model_kv_bytes_per_token(const model_t *m, const precision_t *kv)
{
    double b = 0.0;
    for (int c = 0; c < m->n_classes; c++)
        b += m->classes[c].count * model_kv_elems_per_token_layer(m, c);
    return b * precision_bytes(kv);
}

double model_attn_flops_per_pair(const model_t *m, int decode)
{
    const double h = m->n_heads;
    if (m->attn == ATTN_MLA) {
        if (decode)
            return 2.0 * h * (m->kv_lora_rank + m->qk_rope_dim) + 2.0 * h * m->kv_lora_rank;
        return 2.0 * h * (m->qk_nope_dim + m->qk_rope_dim) + 2.0 * h * m->v_head_dim;
    }
    return 4.0 * h * m->head_dim;
}

double attn_pairs(double q, double c, int w)
{
    if (q <= 0)
        return 0.0;
    if (w <= 0 || c + q <= w)
        return q * c + q * (q + 1.0) / 2.0;
    /* positions c+1 .. c+q; those at or below w see all of their prefix */
    double a = w - c;
    if (a < 0)
        a = 0;
    if (a > q)
        a = q;
    return a * c + a * (a + 1.0) / 2.0 + (q - a) * (double)w;
}

/* 2 FLOPs per multiply-add over every linear weight a token passes through
 * (the embedding lookup is a gather, not a GEMM; the LM head is a GEMM). */
static double linear_flops_per_token(const model_t *m)
{
    double p = m->tie_embeddings ? m->p_embed : m->p_lm_head;
    for (int c = 0; c < m->n_classes; c++) {
        const layer_params_t *lp = &m->class_params[c];
        p += m->classes[c].count *
             (lp->q + lp->kv + lp->o + lp->mlp + lp->router + lp->shared + lp->expert * m->top_k);
    }
    return 2.0 * p;
}

double model_decode_flops(const model_t *m, double ctx)
{
    double f = linear_flops_per_token(m);
    double per_pair = model_attn_flops_per_pair(m, 1);
    for (int c = 0; c < m->n_classes; c++)
        f += m->classes[c].count * per_pair * attn_pairs(1.0, ctx, m->classes[c].window);
    return f;
}

double model_prefill_flops(const model_t *m, double len, double ctx_before)
{
    double f = linear_flops_per_token(m) * len;
    double per_pair = model_attn_flops_per_pair(m, 0);
    for (int c = 0; c < m->n_classes; c++)
        f += m->classes[c].count * per_pair * attn_pairs(len, ctx_before, m->classes[c].window);
    return f;
}
