/*
 * model.h — a transformer as infersim sees it: shapes, layer kinds, parameter
 * counts, KV-cache bytes and FLOPs.
 *
 * A model_t is filled from a Hugging Face config.json by model_load() (io/model_config.c)
 * and is then read-only.  It holds no pointers: copy it freely.
 *
 * Layers are grouped into *layer classes*: layers with the same attention
 * window and the same FFN kind (dense or MoE) cost the same, so the engine costs
 * one layer per class and multiplies.  layer_class[i] says which class layer i is in.
 */
#ifndef INFERSIM_MODEL_H
#define INFERSIM_MODEL_H

#include "precision.h"

#define MODEL_MAX_LAYERS 512
#define MODEL_MAX_CLASSES 4

typedef enum attn_kind {
    ATTN_GQA, /* multi-head / grouped-query attention: K and V per KV head */
    ATTN_MLA, /* DeepSeek multi-head latent attention: one compressed latent + rope key */
} attn_kind_t;

typedef struct layer_class {
    int window; /* sliding-window length in tokens; 0 = full (global) attention */
    int moe;    /* 1: FFN is a mixture of experts; 0: dense MLP */
    int count;  /* number of layers in this class */
} layer_class_t;

/* Parameter counts of one layer of a class (elements, not bytes). */
typedef struct layer_params {
    double q;        /* query path: q_proj, or MLA q_a + q_b (+ q norm) */
    double kv;       /* key/value path: k_proj + v_proj, or MLA kv_a + kv_b (+ kv norm) */
    double o;        /* output projection */
    double attn_bias;/* biases and per-head extras (attention sinks, q/k norms) */
    double norms;    /* the layer's RMSNorm / LayerNorm weights */
    double mlp;      /* dense MLP (0 in MoE layers) */
    double router;   /* MoE router (gate) incl. bias */
    double expert;   /* ONE routed expert */
    double shared;   /* all shared experts together (DeepSeek, Qwen2-MoE) incl. shared gate */
} layer_params_t;

typedef struct model {
    char name[64];          /* preset short name, or the file stem */
    char path[512];         /* config.json it was read from */
    char architecture[64];  /* architectures[0], e.g. "LlamaForCausalLM" */
    char model_type[32];    /* model_type, e.g. "llama" */

    /* shapes */
    int hidden;             /* hidden_size d */
    int n_layers;           /* num_hidden_layers */
    int n_heads;            /* num_attention_heads */
    int n_kv_heads;         /* num_key_value_heads (GQA); = n_heads for MHA */
    int head_dim;           /* per-head dim of q/k/v (GQA) */
    int vocab;              /* vocab_size */
    int intermediate;       /* dense MLP width (intermediate_size) */
    int mlp_matrices;       /* 3 for gated MLPs (SwiGLU, GeGLU), 2 otherwise */
    int tie_embeddings;     /* LM head shares the embedding matrix */
    int diffusion;          /* masked diffusion LM (LLaDA): answers denoised in steps over the whole
                             * sequence with bidirectional attention, not decoded token by token */
    int max_context;        /* max_position_embeddings */

    /* attention */
    attn_kind_t attn;
    int q_lora_rank;        /* MLA: 0 when queries are not compressed */
    int kv_lora_rank;       /* MLA: latent width cached per token */
    int qk_nope_dim;        /* MLA: per-head non-rope q/k dim */
    int qk_rope_dim;        /* MLA: rope key dim (cached, shared by heads) */
    int v_head_dim;         /* MLA: per-head value dim */

    /* mixture of experts (n_experts == 0: dense model) */
    int n_experts;          /* routed experts per MoE layer */
    int top_k;              /* experts each token is routed to */
    int moe_intermediate;   /* width of one routed expert */
    int n_shared_experts;   /* always-active experts (DeepSeek) */
    int shared_intermediate;/* total width of the shared expert(s) */

    /* layers */
    int n_classes;
    layer_class_t classes[MODEL_MAX_CLASSES];
    layer_params_t class_params[MODEL_MAX_CLASSES];
    unsigned char layer_class[MODEL_MAX_LAYERS];

    /* embeddings */
    double p_embed;         /* vocab x hidden */
    double p_lm_head;       /* vocab x hidden, 0 when tied */
    double p_final_norm;    /* final norm weights */

    /* formats as published */
    precision_t native_weights; /* torch_dtype, or quantization_config's format */
    precision_t native_experts; /* routed experts' format (gpt-oss: mxfp4) */
} model_t;

/* --- derived quantities (pure functions of a loaded model) --- */

/* Total parameters, embeddings and LM head included. */
double model_params_total(const model_t *m);

/* Parameters a single token touches: routed experts counted top_k times, not n_experts. */
double model_params_active(const model_t *m);

/* Active parameters whose weights a token's forward pass multiplies: as
 * model_params_active() but without the input embedding table, which a token
 * only looks one row up in (unless it is tied to the LM head).  DeepSeek and
 * OpenAI quote this figure; Mistral and Qwen quote model_params_active(). */
double model_params_active_compute(const model_t *m);

/* Weight bytes when linear layers use `w`, experts `e`, embeddings/LM head `emb`. */
double model_weight_bytes(const model_t *m, const precision_t *w, const precision_t *e,
                          const precision_t *emb);

/* KV-cache elements cached per token per layer of class c (K and V, or MLA latent + rope key). */
double model_kv_elems_per_token_layer(const model_t *m, int c);

/* KV-cache bytes of one sequence holding `ctx` tokens, all layers; sliding-window
 * layers cap at their window.  ctx <= 0 gives the per-token figure for full attention
 * (the "KV bytes per token" of model cards). */
double model_kv_bytes(const model_t *m, const precision_t *kv, double ctx);

/* KV bytes per token with every layer at full attention (the model-card figure). */
double model_kv_bytes_per_token(const model_t *m, const precision_t *kv);

/* Forward FLOPs of one token at position ctx (it attends to ctx cached tokens plus
 * itself, windows applied): 2 x active linear params + attention score/value FLOPs. */
double model_decode_flops(const model_t *m, double ctx);

/* Forward FLOPs of prefilling `len` tokens after `ctx_before` cached ones (causal). */
double model_prefill_flops(const model_t *m, double len, double ctx_before);

/* Attention FLOPs per (query, key) pair summed over heads of one layer:
 * GQA 4*h*d_head; MLA prefill (decompressed) 2*h*(nope+rope) + 2*h*v;
 * MLA decode (absorbed, attends over the latent) 2*h*(kv_lora+rope) + 2*h*kv_lora. */
double model_attn_flops_per_pair(const model_t *m, int decode);

/* Number of (query, key) pairs when `q` new tokens follow `c` cached ones with a
 * causal mask and window w (0 = none): sum_{i=1..q} min(c+i, w). */
double attn_pairs(double q, double c, int w);



/* Group layers into classes and compute per-class parameter counts from the
 * shape fields.  `window[i]` and `moe[i]` describe layer i (i < n_layers).
 * Called by the loader; returns 0, or -1 when more than MODEL_MAX_CLASSES
 * distinct (window, moe) kinds occur. */
int model_finalize(model_t *m, const int *window, const unsigned char *moe, int norms_per_layer,
                   int qk_norm, int attn_bias, int sinks);
#endif
