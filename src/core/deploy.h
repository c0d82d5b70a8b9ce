/*
 * deploy.h — a model on N chips of a system: the parallel plan, the precisions,
 * and every per-chip quantity the step engine needs, computed once.
 *
 * deploy_setup() validates the plan (TP divides the heads, EP the experts, ...),
 * shards weights, KV cache and experts over TP/PP/EP/DP, plans every collective,
 * and fills per-layer-class operator tables.  Nothing in a deploy_t changes per
 * step, so the engine (engine.h) only multiplies and adds.
 *
 * Ownership: a deploy_t is a plain value with no heap memory; it borrows `model`
 * and `sys`, which must outlive it.
 *
 * Parallelism semantics (as vLLM / SGLang / TensorRT-LLM deploy):
 *  - chips = tp * pp * dp.  Attention and dense layers are tensor-parallel over tp,
 *    replicated over dp; layers are split into pp contiguous stages.
 *  - KV heads shard over tp; when tp exceeds the KV heads each chip keeps one head
 *    (the cache is replicated tp / n_kv_heads times).  MLA's latent is replicated on
 *    every TP chip.
 *  - Experts: ep divides tp*dp.  ep <= tp: experts split over the replica's tp chips
 *    (each expert further TP-sharded over tp/ep) and combined by the layer's all-reduce.
 *    ep > tp (a multiple of tp): experts spread over ep chips spanning ep/tp replicas;
 *    tokens are dispatched and combined with two all-to-alls ("DP attention + EP").
 */
#ifndef INFERSIM_DEPLOY_H
#define INFERSIM_DEPLOY_H

#include "collective.h"
#include "diag.h"
#include "model.h"
#include "precision.h"
#include "system.h"

#define DEPLOY_MAX_PP 64
#define DEPLOY_MAX_OPS 12

/* Operators, in the order a layer runs them. X-macro keeps names in step. */
#define OP_KINDS(X)                          \
    X(OP_EMBED, "embedding")                 \
    X(OP_NORM, "norms")                      \
    X(OP_QKV, "qkv_proj")                    \
    X(OP_ATTN, "attention")                  \
    X(OP_OPROJ, "o_proj")                    \
    X(OP_ROUTER, "router")                   \
    X(OP_EXPERTS, "experts")                 \
    X(OP_SHARED, "shared_experts")           \
    X(OP_MLP, "mlp")                         \
    X(OP_LMHEAD, "lm_head")                  \
    X(OP_TP_ALLREDUCE, "tp_all_reduce")      \
    X(OP_EP_ALLTOALL, "ep_all_to_all")       \
    X(OP_LOGITS_GATHER, "logits_all_gather") \
    X(OP_PP_SENDRECV, "pp_send_recv")

typedef enum op_kind {
#define X(e, s) e,
    OP_KINDS(X)
#undef X
    OP_COUNT
} op_kind_t;
extern const char *const op_kind_names[OP_COUNT];

typedef struct plan {
    int chips; /* total chips = tp * pp * dp */
    int tp;    /* tensor parallel */
    int pp;    /* pipeline stages */
    int ep;    /* expert parallel (divides tp * dp); 1 = none */
    int dp;    /* data-parallel replicas */
} plan_t;

typedef struct deploy_cfg {
    plan_t plan;
    precision_t weights;   /* linear layers */
    precision_t experts;   /* routed experts */
    precision_t embed;     /* embedding and LM head */
    precision_t kv;        /* KV cache */
    precision_t act;       /* activations: the GEMM compute format */
    int kv_block_tokens;   /* paged-KV block (tokens): contiguous run of a KV read */
    int weights_tier;      /* tier weights go to first (-1: a read-only tier if any, else the fastest) */
    int kv_tier;           /* tier the KV cache must live in (-1: writable tiers in order) */
    int allow_wear;        /* 1: a read-only (flash) kv_tier is allowed, and its wear reported */
    int shared_prefix;     /* tokens every prompt starts with, their KV computed and cached once (0: none) */
    int prefix_tier;       /* tier the shared prefix's KV goes to first (-1: as the rest of the KV); written
                            * once, so a read-only tier may hold it */
    int prefix_once;       /* 1: attention reads the shared prefix once per step (cascade attention);
                            * 0: once per sequence, as paged attention does */
    int decode_attn_per_head; /* 1: the decode attention kernel runs one thread block per query head and
                            * reads the KV head it shares once per query head (FasterTransformer's masked
                            * MHA, as TensorRT-LLM ran GQA before its XQA kernel, v0.8; vLLM's original
                            * paged attention); 0: once per KV head for its whole group (XQA, FlashInfer,
                            * FlashAttention, FlashMLA) */
    double kernels_per_step; /* kernel launches of one forward step (all layers), as a profiler
                            * counts them for a given software stack; 0: the engine's own count, a
                            * fused stack's (deploy.c says where the difference goes) */
    double elementwise_B_per_token; /* bytes an unfused stack's element-wise kernels (norms in
                            * several passes, rotary embedding, activation, residual adds, casts)
                            * read and write per token per layer on a chip; 0: none, a fused
                            * stack's (folded into its GEMMs and attention) */
    int expert_slots;      /* with EP: expert slots over the EP group, the experts and their
                            * redundant copies (an expert load balancer's: DeepSeek's EPLB,
                            * TensorRT-LLM's and SGLang's wide EP), a multiple of ep, each chip
                            * holding expert_slots / ep; 0: the model's experts, one copy each */
    double expert_skew;    /* the coefficient of variation of the experts' routed load (a router
                            * that favours some experts, a data set's hot experts): std / mean of
                            * the experts' shares; 0: uniform routing.  With EP it widens the spread
                            * of the expert groups' loads, so the busiest group is further above
                            * the mean at any batch (engine.c step_moe_load) */
} deploy_cfg_t;

enum { WF_EMBED, WF_WEIGHTS, WF_EXPERTS };

/* One operator of one layer, per chip.  A compute op has flops/bytes terms; a
 * collective op has a plan and a message size per token. */
typedef struct op_entry {
    op_kind_t kind;
    int is_coll;
    double kernels;            /* kernel launches on the critical path */
    double flops_per_token;    /* FLOPs per new token (GEMMs, element-wise) */
    double flops_per_pair_dec; /* attention: FLOPs per (query,key) pair, decode tokens */
    double flops_per_pair_pre; /* attention: ... prefill tokens */
    double exp_s_per_pair;     /* attention: seconds of softmax exponentials per (query,key) pair, one per
                                * query head on the chip at the chip's exp rate (0: not modelled) */
    double flop_rate;          /* achievable FLOP/s: peak(compute class) * efficiency */
    double flop_J;             /* dynamic energy of one FLOP in that class (system_flop_energy) */
    double weight_bytes;       /* weights read once per step */
    double expert_bytes;       /* MoE: bytes of one local expert's share */
    double experts_local;      /* MoE: experts resident on the chip */
    double act_bytes_per_token;/* activations read + written per new token */
    double ew_bytes_per_token; /* an unfused stack's element-wise traffic per new token, half read and
                                * half written: it moves at the tier's copy rate */
    double kv_bytes_per_kvtok; /* KV bytes read per cached token read */
    double kv_write_per_token; /* KV bytes written per new token */
    double kv_dec_rereads;     /* attention: further reads of each cached token a decode token attends to
                                * (a per-query-head kernel: query heads per KV head on the chip - 1; 0) */
    double weight_run_B;       /* contiguous bytes of one weight read (a norm vector, an expert shard, a matrix shard) */
    int wfmt;                  /* the weights' format: WF_EMBED (16-bit norms, router, embedding, LM head),
                                * WF_WEIGHTS (linear layers) or WF_EXPERTS */
    double w_bw_mult[SYS_MAX_TIERS]; /* weight streaming time per byte over other bytes': efficiency over
                                      * the format's weight_efficiency on that tier (1 when not listed) */
    double w_gran_mult[SYS_MAX_TIERS]; /* weight read amplification per tier: ceil(run / access) x access / run */
    double near_units[SYS_MAX_TIERS];  /* near-memory units the op's weights shard into: ceil(bytes / unit) */
    double coll_bytes_per_token;  /* collective message per new token (or per logits token) */
    int per_lm_token;          /* message scales with logits tokens, not new tokens */
    coll_plan_t coll;
} op_entry_t;

typedef struct op_table {
    int n_ops;
    op_entry_t ops[DEPLOY_MAX_OPS];
} op_table_t;

/* Where data lives: fraction of each class of bytes on each memory tier. */
typedef struct placement {
    double weights[SYS_MAX_TIERS];
    double kv[SYS_MAX_TIERS];
    double kv_prefix[SYS_MAX_TIERS]; /* the shared prefix's KV, by tier */
    int act_tier;              /* activations / workspace tier (first writable) */
    double used_B[SYS_MAX_TIERS]; /* bytes placed per tier, per chip */
    int fits;
} placement_t;

typedef struct deploy {
    const model_t *model;      /* borrowed */
    const system_t *sys;       /* borrowed */
    deploy_cfg_t cfg;
    compute_class_t gemm_cc;   /* compute class GEMMs actually run at (the activations') */
    compute_class_t dense_cc, expert_cc; /* ... those over the dense and the expert weights: a
                                * wider weight format runs at its own (deploy_setup) */
    double clock_factor;       /* < 1 when a logic power cap forces a lower clock (3D stacking) */
    double gemv_speedup;       /* gemv_eff over the GEMMs' compute efficiency: a one-token step's matrix products run this much
                                * faster than flop_rate says */

    op_table_t layer[MODEL_MAX_CLASSES]; /* per layer class */
    op_table_t first;          /* stage 0 extras: embedding (+ its all-reduce) */
    op_table_t last;           /* last stage extras: final norm, LM head, logits gather */
    op_entry_t pp_send;        /* activations between stages */

    int stage_layers[DEPLOY_MAX_PP][MODEL_MAX_CLASSES]; /* layers of each class per stage */

    /* MoE token bookkeeping */
    double moe_token_factor;   /* tokens through an EP group per replica token (max(1, ep/tp)) */
    double moe_keep_log;       /* log(1 - top_k / slots): P(an expert slot untouched by a token); slots: the
                                * experts, or expert_slots with redundant copies */
    double moe_group_var;      /* with ep > 1: the variance of one expert group's assignments per EP-group token,
                                * top_k/ep (1 - 1/ep) (E - top_k)/(E - 1) (k distinct experts of E, E/ep a group;
                                * E the slots with redundant copies) */
    double moe_max_z;          /* the expected largest of ep standard normals (deploy_max_normal): how many
                                * standard deviations the busiest expert group is above the mean; 0 without EP */
    double moe_skew_var;       /* with ep > 1: the variance of an expert group's share of the load over the mean
                                * share from the experts' unequal popularity, expert_skew^2 (ep - 1)/(E - 1) (the
                                * mean of E/ep of E experts drawn without replacement); with redundant
                                * slots E is their count, each copy taking an even share of its expert's load */

    /* memory per chip, per stage */
    double weight_B[DEPLOY_MAX_PP];     /* weight bytes on a chip of stage s */
    double kv_B_per_ctx_token[DEPLOY_MAX_PP][MODEL_MAX_CLASSES]; /* KV bytes per cached token per class (windows apply) */
    double act_B_per_token;    /* activation workspace per in-flight token */
    double logits_B_per_token; /* logits buffer per logits token */
    double kv_gran_mult[SYS_MAX_TIERS]; /* read amplification of KV blocks per tier (access granularity) */
    double tier_bw[SYS_MAX_TIERS];      /* sustained bandwidth per tier: bw x efficiency, capped by latency hiding */
    double ew_bw_mult[SYS_MAX_TIERS];   /* element-wise traffic's time per byte over a streamed byte's:
                                         * efficiency over copy_efficiency (1 when not given) */
    double inflight_need_B[SYS_MAX_TIERS]; /* bytes in flight to sustain bw x efficiency: bw x efficiency x latency */
    int inflight_held[SYS_MAX_TIERS];   /* 1: the chip's SRAM holds them (0: bandwidth is latency-bound) */
    int has_near;                       /* some tier computes near its memory (PIM/PNM) */
    double near_rate[SYS_MAX_TIERS];    /* achievable FLOP/s of a tier's near-memory logic (0: none) */
    double near_bw[SYS_MAX_TIERS];      /* bandwidth that logic streams at */

    double kv_replication;     /* copies of each KV head across the TP group (>= 1) */
} deploy_t;

/* Defaults: weights/experts as published by the model unless set, KV and
 * activations bf16, kv_block_tokens 16 (vLLM's default block size). */
void deploy_cfg_default(deploy_cfg_t *c, const model_t *m);

/* The embedding / LM-head format that goes with linear weights `w`: vendor fp8/fp4
 * checkpoints (ModelOpt, DeepSeek, gpt-oss) keep them in 16 bits; llama.cpp block
 * formats quantize them too. */
precision_t deploy_embed_precision(const precision_t *w);

/* Validate and precompute.  Returns IS_ERR_INPUT with a message naming the flag
 * (e.g. "--tp 3 does not divide the 64 attention heads") on an invalid plan.
 * Warnings (replicated KV, precision fallbacks) go to d->warnings. */
status_t deploy_setup(deploy_t *dep, const model_t *m, const system_t *s, const deploy_cfg_t *cfg, diag_t *d);

/* Place weights, KV for `seqs_per_replica` sequences of `ctx` tokens and the
 * workspace of `step_tokens` tokens on the busiest chip's tiers:
 * workspace + reserve first (tier 0 or first writable), KV into writable tiers in
 * order, weights into what is left, fastest tier first. */
void deploy_place(const deploy_t *dep, double seqs_per_replica, double ctx, double step_tokens,
                  placement_t *pl);

/* Bytes per chip (busiest stage) of each part, for reports. */
double deploy_weight_bytes(const deploy_t *dep);

/* Processing in or near memory on `tier`: the units a chip's weights (stage 0, with the
 * embedding and LM head) shard into — every weight operator of a layer into ceil(its bytes /
 * the tier's unit) — returned; and in *bcast_B the activation bytes that one token sends
 * across the tier's interface to reach them (each operator's input broadcast to each of its
 * units and the outputs gathered: activation bytes x units, summed), the communication the
 * sharding costs.  With no unit size every operator is one unit. */
double deploy_near_shards(const deploy_t *dep, int tier, double *bcast_B);
double deploy_kv_bytes(const deploy_t *dep, double seqs_per_replica, double ctx);
double deploy_workspace_bytes(const deploy_t *dep, double step_tokens, double logits_tokens);

/* The expected largest of n independent standard normal variables (0 for n <= 1), by Simpson's
 * rule over its density n x phi(x) Phi(x)^(n-1): n = 2 gives 1/sqrt(pi). */
double deploy_max_normal(int n);

#endif
