/*
 * transformer.h — a real decoder-only transformer forward pass in C on this CPU,
 * with random weights in the exact shapes of a model's config: RMSNorm, Q/K/V
 * projections, RoPE, grouped-query attention over a real fp32 KV cache, output
 * projection, SwiGLU MLP, LM head.  `infersim measure` times its prefill and decode
 * to give the cost model ground truth on the user's own machine.
 *
 * Each step runs the same kernels, in the same order, that the cost engine counts
 * per layer (two norms, QKV projection, RoPE + KV write, attention, output
 * projection, gate-up GEMM, activation, down GEMM), each one parallel dispatch.
 *
 * Ownership: tf_build() allocates weights, KV cache and buffers; tf_free() releases them.
 */
#ifndef INFERSIM_TRANSFORMER_H
#define INFERSIM_TRANSFORMER_H

#include "../core/diag.h"
#include "../core/model.h"
#include "kernels.h"
#include "pool.h"

typedef struct tf_layer {
    float *attn_norm, *mlp_norm; /* hidden */
    wmat_t qkv;                  /* (q + 2 kv) x hidden */
    wmat_t o;                    /* hidden x q */
    wmat_t gate_up;              /* 2 inter x hidden */
    wmat_t down;                 /* hidden x inter */
} tf_layer_t;

typedef struct tf {
    const model_t *m;            /* borrowed */
    wtype_t wt;
    int max_ctx, max_tokens;     /* KV positions; tokens per step */
    int q_dim, kv_dim;
    wmat_t embed;                /* vocab x hidden (rows gathered) */
    wmat_t lm_head;              /* vocab x hidden */
    float *final_norm;
    tf_layer_t *layers;
    float *k_cache, *v_cache;    /* [layer][pos][kv_dim] fp32 */
    float *rope_cos, *rope_sin;  /* [pos][head_dim / 2] */
    /* step buffers, max_tokens rows each */
    float *x, *xn, *qkv, *att, *h2, *act, *logits;
    pool_t *pool;
    double weight_bytes;         /* bytes a decode step streams (all matrices, embeddings gathered) */
} tf_t;

/* Can measure run m?  (dense GQA only; IS_ERR_INPUT with the reason otherwise) */
status_t tf_check(const model_t *m, diag_t *d);

/* Build a transformer of m's shapes (dense GQA models only; MoE and MLA get an error). */
status_t tf_build(tf_t *t, const model_t *m, wtype_t wt, int max_ctx, int max_tokens, int threads, diag_t *d);
void tf_free(tf_t *t);

/* Process n tokens at positions pos .. pos+n-1 (prefill when n > 1), computing the
 * logits of the last one.  Returns 0. */
int tf_forward(tf_t *t, const int *tokens, int n, int pos);

/* The parallel dispatches one tf_forward of n tokens makes on more than one thread: per layer
 * the four matrix products and attention, and the two norms, the rotary embedding and the
 * activation when n > 1 (one token's run inline on the caller); then the LM head. */
int tf_dispatches(const model_t *m, int n);

#endif
