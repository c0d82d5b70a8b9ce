/*
 * predict.h — TTFT, TPOT, throughput and memory of a model on a system, from the
 * step engine.
 *
 * Two scenarios:
 *  - static batch (an explicit --batch N): N requests start together; their prompts
 *    are prefilled in chunks of at most prefill_chunk tokens, then decoded in lockstep.
 *    TTFT is the time to prefill the whole batch; TPOT the mean decode step.
 *  - steady state (--batch max, or steady = 1): continuous batching with N requests in
 *    flight at contexts spread evenly over [isl, isl+osl); each new request's prompt is
 *    chunked into decode steps (chunked prefill), so a request's TTFT is its chunks'
 *    mixed steps and every user's TPOT includes the prefills interleaved with it.  This
 *    is how vendor max-throughput tables are measured.
 * KV capacity is reserved for the full isl + osl of every request in flight (no
 * preemption), as a conservative scheduler does.
 *
 * Ownership: predict_result_t is a plain value; the deploy_t it was computed with is
 * returned too (it borrows model and system).
 */
#ifndef INFERSIM_PREDICT_H
#define INFERSIM_PREDICT_H

#include "../core/engine.h"

/* Costed prefill steps remembered across predict_eval calls on one deployment: a search
 * evaluates many batches of one deployment, and every batch of at least a chunk's worth of
 * prompts repeats the same full-chunk step.  Keyed by prompts, prompt length and the
 * placement's tier fractions; reset it whenever the deployment changes.  Results are the
 * same with or without it. */
#define PREDICT_MEMO 16
typedef struct predict_memo {
    int n, next;
    struct {
        int prompts, isl, act_tier;
        double weights[SYS_MAX_TIERS], kv[SYS_MAX_TIERS], kv_prefix[SYS_MAX_TIERS];
        step_cost_t cost;
    } e[PREDICT_MEMO];
} predict_memo_t;

static inline void predict_memo_reset(predict_memo_t *m)
{
    m->n = m->next = 0;
}

/* Default most prefill tokens per step: TensorRT-LLM's max_num_tokens and vLLM's
 * max_num_batched_tokens default. */
#define PREDICT_PREFILL_CHUNK 8192

typedef struct predict_req {
    deploy_cfg_t cfg;     /* plan and precisions */
    int batch;            /* requests in flight (global); 0 = the largest that fits */
    int max_batch;        /* cap for batch 0 (0 = none) */
    int isl, osl;         /* input and output tokens per request */
    int prefill_chunk;    /* most prefill tokens per step (chunked prefill) */
    int steady;           /* 1: steady-state continuous batching even with an explicit batch */
    predict_memo_t *memo; /* optional (NULL): remembered prefill steps, see predict_memo_t */
    /* masked-diffusion models (model_t.diffusion) only */
    int diffusion_steps;  /* denoising steps for the whole answer (0: osl, one token per step) */
    int diffusion_block;  /* semi-autoregressive block length (0: 32, LLaDA's default) */
    int diffusion_cache;  /* 1: block-wise KV cache (Fast-dLLM): once per block a whole-sequence
                           * forward refreshes it, the block's other steps run the block alone */
} predict_req_t;

typedef struct phase_cost {
    double step_s;        /* one step of this phase */
    step_cost_t cost;     /* its breakdown */
    double intensity;     /* FLOPs per byte of memory traffic, per chip */
} phase_cost_t;

typedef struct predict_result {
    const deploy_t *depp;  /* the deployment the figures belong to (&dep after predict_run) */
    int fits;              /* weights + KV + workspace fit in memory */
    char reason[512];      /* why not, and what to do */
    int steady;            /* scenario used */
    int batch;             /* global batch costed */
    int max_batch;         /* largest global batch that fits (0: none) */
    int batch_per_replica;

    double ttft_s, tpot_s, e2e_s;
    double output_tok_s;          /* system, all replicas */
    double output_tok_s_per_user; /* 1 / tpot */
    double total_tok_s;           /* (input + output) tokens per second */
    double output_tok_s_per_chip;

    phase_cost_t decode;   /* decode step at mean context, full batch */
    phase_cost_t prefill;  /* first prefill step */
    double ridge_flop_per_byte;   /* chip peak FLOP/s over first-tier bandwidth */
    int compute_bound_batch;      /* smallest per-replica batch whose decode step is compute-bound (0: none up to 1M) */
    int diffusion_steps, diffusion_block; /* masked diffusion: the steps and block length used (0: not diffusion) */

    placement_t placement;
    double weights_B, kv_B, workspace_B, reserved_B; /* per chip (busiest stage); kv_B includes the shared prefix */
    double kv_prefix_B;            /* of kv_B, the shared prefix's KV (cached once) */
    double mem_need_B;             /* their sum */
    double params_total, params_active, kv_bytes_per_token;

    /* flash wear, when the KV cache was allowed onto a read-only tier (--allow-wear) */
    int wear_tier;                 /* -1: none */
    double wear_write_Bps;         /* bytes written per second per chip to that tier */
    double wear_lifetime_s;        /* capacity x P/E cycles / write rate (0 when endurance unknown) */

    deploy_t dep;                  /* predict_run's deployment (large: kept last, never cleared per point) */
} predict_result_t;

void predict_req_default(predict_req_t *r, const model_t *m);

/* Run a prediction.  Returns IS_OK (check r->fits), or IS_ERR_INPUT for an invalid
 * plan (message in d).  Warnings go to d. */
status_t predict_run(const model_t *m, const system_t *s, const predict_req_t *req, predict_result_t *r,
                     diag_t *d);

/* The prediction on an already set-up deployment (dep must match req->cfg): what search
 * calls per design point.  max_r: the largest per-replica batch at isl + osl when known
 * (-1: computed here).  extras: also the compute-bound batch and, when it does not fit, the
 * reason in words (predict's report; search needs neither).
 * Does not allocate; r->depp = dep. */
void predict_eval(const deploy_t *dep, const predict_req_t *req, int max_r, int extras, predict_result_t *r,
                  diag_t *d);

/* The fewest chips (a power of two, at most max_chips) on which m fits with at least one
 * request of isl + osl tokens: TP inside the innermost interconnect domain (up to the
 * heads' divisor), pipeline stages beyond it.  0 when none up to max_chips does; *tp and
 * *pp get the plan. */
int predict_fewest_chips(const model_t *m, const system_t *s, const deploy_cfg_t *cfg, int isl, int osl,
                         int max_chips, int *tp, int *pp);

/* Largest per-replica batch that fits at context ctx with the given step size (0 if none). */
int predict_max_batch(const deploy_t *dep, double ctx, int prefill_chunk, int isl);

#endif
