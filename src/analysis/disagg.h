/*
 * disagg.h — disaggregated serving: prompts prefilled on one pool of instances, their KV
 * caches sent over the interconnect to a second pool that only decodes (as DistServe,
 * NVIDIA Dynamo and llm-d deploy it).
 *
 * Per request, without queueing:
 *   TTFT  = one prompt's prefill alone on a prefill instance + the KV transfer, a send/recv
 *           of isl x KV bytes per token, each prefill chip sending its share over the
 *           innermost interconnect level spanning both pools;
 *   TPOT  = the mean decode step of a decode instance at its batch (no prefill mixed in).
 * Rates: a prefill instance clears prompts at (prompts per chunk) / (their prefill time);
 * a decode instance finishes batch / ((osl - 1) x TPOT) requests per second.  The whole
 * serves min(P x prefill rate, D x decode rate); the other pool idles part of the time.
 * Energy, cost and carbon: each pool costed as a deployment busy for its share of the time;
 * input tokens pay for the prefill pool, output tokens for the decode pool.
 */
#ifndef INFERSIM_DISAGG_H
#define INFERSIM_DISAGG_H

#include "../core/site.h"
#include "cost.h"
#include "predict.h"

typedef struct disagg_req {
    plan_t prefill_plan;      /* one prefill instance (req->cfg.plan is one decode instance) */
    int prefill_instances, decode_instances;
} disagg_req_t;

typedef struct disagg_result {
    predict_result_t prefill;  /* one prefill instance, prefilling one chunk's worth of prompts */
    predict_result_t decode;   /* one decode instance at its batch (static decode) */
    predict_req_t prefill_req, decode_req; /* what each was run with */
    int prefill_batch;         /* prompts a prefill step packs (prefill_chunk / isl, at least 1) */
    double prefill_one_s;      /* one prompt alone on a prefill instance */
    double kv_bytes;           /* a request's KV cache (all layers) */
    double kv_transfer_s;      /* its transfer to the decode instance */
    int kv_level;              /* the interconnect level it crosses */
    double prefill_rate, decode_rate; /* requests per second per instance */
    double rate;               /* requests per second of the whole */
    int decode_bound;          /* 1: the decode pool sets the rate, 0: the prefill pool */
    double prefill_busy, decode_busy; /* each pool's busy share at that rate */
    int chips, fits;
    double ttft_s, tpot_s, e2e_s;
    double output_tok_s, output_tok_s_per_chip, output_tok_s_per_user, total_tok_s;
    cost_result_t cost_prefill, cost_decode; /* each pool, busy for its share */
    int cost_known;
    double wall_power_W;       /* both pools while serving at the rate */
    double energy_j_per_token, tokens_per_joule;
    double tco_usd_per_s, usd_per_mtok_output, usd_per_mtok_input, gco2e_per_mtok;
} disagg_result_t;

/* The two steps of predict_disagg, for a search that varies the pool sizes: the pools'
 * instances (independent of how many there are), then their combination for dq. */
status_t disagg_pools(const model_t *m, const system_t *s, const predict_req_t *req, const plan_t *prefill_plan,
                      disagg_result_t *r, diag_t *d);
status_t disagg_combine(const system_t *s, const site_t *site, const disagg_req_t *dq, disagg_result_t *r, diag_t *d);

/* Predict req (its plan: one decode instance; batch 0: the largest that fits) served by
 * dq's pools.  IS_ERR_INPUT with a message for an invalid plan, osl < 2, or pools no
 * interconnect level joins.  r is large: give it static storage. */
status_t predict_disagg(const model_t *m, const system_t *s, const site_t *site, const predict_req_t *req,
                        const disagg_req_t *dq, disagg_result_t *r, diag_t *d);

#endif
