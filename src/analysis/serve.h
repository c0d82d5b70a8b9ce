/*
 * serve.h — a discrete-event serving simulator driven by the step engine: requests arrive
 * over time (workload.h), a scheduler batches them iteration by iteration, and every
 * iteration costs what engine_step() says it costs on the deployment.
 *
 * The scheduler is vLLM's (V1) in its essentials:
 *  - iteration-level continuous batching: every iteration runs each running request's next
 *    token and fills the rest of a token budget (max_tokens) with prompt chunks — the
 *    running prompts first, then new requests in arrival order (chunked prefill), at most
 *    max_seqs requests in flight;
 *  - a paged KV cache of block_tokens-token blocks, allocated as tokens are written; a
 *    request is admitted only when its next chunk's blocks are free;
 *  - when a running request needs a block and none is free, the most recently admitted
 *    request is preempted: recomputed later from its prompt and its tokens so far (vLLM's
 *    default), or swapped to host memory over the chip's host link and back;
 *  - prefix caching: a request whose shared prefix is resident skips its full blocks; an
 *    unused prefix stays cached until its blocks are needed (least recently used first);
 *  - admission control: arrivals beyond max_queue waiting requests are rejected;
 *  - or TensorRT-LLM's admission (admit_reserve, its default GUARANTEED_NO_EVICT policy): a
 *    request enters only when the blocks for its whole prompt and answer are free beyond
 *    those promised to the requests already running, so none is ever preempted.
 * Deployments: replicas of one deployment behind a router (round-robin or least-loaded);
 * the data-parallel ranks of a deployment that share experts (EP > TP) step in lockstep, and
 * replay CUDA graphs only when every rank's iteration is decode-only (TensorRT-LLM's rule);
 * or disaggregated prefill and decode pools, each request's KV cache sent from its prefill
 * instance to a decode instance over the interconnect level joining them, one transfer at a
 * time into each decode instance.
 * Host work: an iteration takes the longer of the chips' step and the serving stack's host work
 * for it (fixed plus per request), which the host does while the chips run the iteration before,
 * plus any host time the overlap does not hide (a gap between iterations).  A request may pass a
 * front end (HTTP, tokenization) before the scheduler sees it; its TTFT counts that time.
 * Speculative decoding: k proposed tokens per step, each accepted with probability alpha;
 * a step emits (1 - alpha^(k+1)) / (1 - alpha) tokens per request on average (Leviathan et
 * al., 2023) and costs the target's verification of k+1 tokens plus the proposals: k steps
 * of a draft model on the same chips, or k passes of one extra layer (multi-token prediction).
 *
 * Memory: only requests in flight are held; percentiles come from log histograms
 * (histogram.h); the time series is sampled at a fixed interval.  serve_run() allocates its
 * state once (growing it geometrically when a queue outgrows it), never per event.
 */
#ifndef INFERSIM_SERVE_H
#define INFERSIM_SERVE_H

#include "../core/deploy.h"
#include "../core/histogram.h"
#include "workload.h"

#include "cost.h"

#include <stdio.h>

#define SERVE_MAX_SAMPLES 2048

typedef enum router_kind { ROUTE_ROUND_ROBIN, ROUTE_LEAST_LOADED } router_kind_t;
typedef enum spec_kind { SPEC_NONE, SPEC_DRAFT, SPEC_MTP } spec_kind_t;

#define SERVE_MAX_GRAPH_SIZES 64

typedef struct serve_cfg {
    int max_seqs;          /* requests in flight per instance (vLLM max_num_seqs) */
    int max_tokens;        /* tokens per iteration (vLLM max_num_batched_tokens) */
    /* CUDA graphs with padding: a decode-only iteration of b requests runs the graph captured
     * for the smallest listed batch >= b, its b requests and dummies to fill it (TensorRT-LLM's
     * cuda_graph_config enable_padding, SGLang's capture sizes); a batch above the largest, or
     * an iteration with prompt chunks, runs as it is.  Ascending; n_graph_sizes 0: none. */
    int graph_sizes[SERVE_MAX_GRAPH_SIZES];
    int n_graph_sizes;
    /* the serving stack's host work per iteration: fixed, and per request in it (scheduling,
     * input preparation, sampling, bookkeeping).  The host prepares an iteration while the
     * chips run the one before (TensorRT-LLM's overlap scheduler, vLLM's async scheduling),
     * so an iteration takes the longer of the two.  0: not modelled. */
    double host_s_per_iteration, host_s_per_request;
    /* the serving stack's host time per iteration that overlap does not hide: the chips idle
     * this long between one iteration and the next (a stack that waits for its sampled tokens,
     * or that prepares the next iteration's inputs after it).  0: none. */
    double host_gap_s;
    /* a request's way in before the scheduler sees it: the HTTP front end, tokenization of the
     * prompt and the hand-over to the engine, fixed plus per prompt token.  Counted in its TTFT
     * and end-to-end time; its prompt waits there, not in the scheduler's queue.  0: none. */
    double frontend_s, frontend_s_per_token;
    /* 1: the stack schedules each iteration while the one before runs (vLLM's async scheduling
     * with its batch queue of two, TensorRT-LLM's and SGLang's overlap schedulers): a request that
     * reaches the queue after an iteration began can join only the iteration after the next,
     * unless the engine is idle.  0: each iteration is scheduled when the last ends. */
    int schedule_ahead;
    int block_tokens;      /* KV block size (tokens) */
    int preempt_swap;      /* 0: recompute, 1: swap to host memory */
    int admit_reserve;     /* 1: admit only with blocks for the whole prompt and answer (no eviction) */
    /* 1: a model with sliding-window and full-attention layers keeps a pool per window size,
     * each an equal share of the KV memory (TensorRT-LLM's default), so the full-attention
     * layers hold as many tokens as if every layer were full; 0: one pool (vLLM) */
    int kv_pools_equal;
    /* the share of the memory left after weights, workspace and reserve that the KV cache
     * takes (TensorRT-LLM's kv_cache_free_gpu_memory_fraction); 0 or 1: all of it */
    double kv_fraction;
    long max_queue;        /* waiting requests per instance before arrivals are rejected (0: no limit) */
    int prefix_cache;      /* 1: reuse resident shared prefixes */
    int replicas;          /* copies of the deployment */
    router_kind_t router;
    /* disaggregated pools: prefill_dep set, prefill_instances and decode_instances >= 1 */
    const deploy_t *prefill_dep;
    int prefill_instances, decode_instances;
    /* speculative decoding */
    spec_kind_t spec;
    int spec_k;
    double spec_accept;
    const deploy_t *draft_dep; /* SPEC_DRAFT: the draft model on the same chips */
    /* service-level objectives for goodput */
    double slo_ttft_s, slo_tpot_s;
    double sample_s;       /* time-series interval (0: automatic) */
    FILE *timeseries;      /* optional: the time series as CSV rows */
    int progress;          /* 1: a progress bar on stderr (when it is a terminal) */
    const site_t *site;    /* optional: the run's energy, cost and carbon at this site */
} serve_cfg_t;

void serve_cfg_default(serve_cfg_t *c);

/* c->graph_sizes from "1,2,4,...,8192" (ascending whole numbers) or "none"; `flag` names
 * the option in errors.  IS_ERR_INPUT with what was expected. */
status_t serve_parse_graph_sizes(const char *list, const char *flag, serve_cfg_t *c, diag_t *d);

typedef struct serve_result {
    long arrived, admitted, completed, rejected, rejected_too_long;
    long preemptions, swaps;
    long iterations;
    long host_bound_iterations; /* iterations the host's work took longer than the chips' */
    long events;           /* discrete events: arrivals, admissions, iterations, prompts done (first
                            * tokens), completions, preemptions, KV transfers */
    double token_deliveries; /* decode tokens handed to running requests (not counted as events: an
                              * iteration delivers its decode set's tokens in O(1)) */
    double first_arrival_s, last_completion_s, makespan_s;
    double input_tokens, output_tokens, prefill_tokens, prefix_hit_tokens;
    double output_tok_s, total_tok_s, request_s, goodput_req_s;
    long goodput_requests;
    histogram_t ttft, tpot, e2e, itl, queue;  /* queue: time from arrival to admission (a front end's
                                               * time included) */
    double mean_in_system;     /* time average of requests in the system (Little's L) */
    double mean_arrival_rate;  /* arrivals / (last arrival - first arrival) */
    double mean_waiting, peak_waiting, mean_running, peak_running;
    double mean_kv_use, peak_kv_use; /* fraction of the KV capacity in use */
    double kv_capacity_tokens; /* per instance, full-attention tokens */
    double kv_transfer_mean_s; /* disaggregated: mean transfer time per request */
    double spec_tokens_per_step;
    int instances;
    double wall_s;
    int n_samples;
    double sample_s;
    double ts_t[SERVE_MAX_SAMPLES], ts_waiting[SERVE_MAX_SAMPLES], ts_running[SERVE_MAX_SAMPLES],
        ts_kv[SERVE_MAX_SAMPLES], ts_tok_s[SERVE_MAX_SAMPLES];
    /* with cfg->site: every step's dynamic energy (its FLOPs, bytes and collectives, as
     * predict costs them), the chips' idle power and the hosts' share over the makespan */
    int chips;             /* in all (both pools) */
    cost_run_t cost;
} serve_result_t;

/* Simulate: dep is the (decode, or co-located) deployment; w supplies the requests (and
 * stays owned by the caller).  IS_ERR_INPUT for an impossible configuration or a bad trace
 * row (message in d), IS_ERR_NOFIT when the weights leave no room for a KV cache,
 * IS_ERR_NOMEM when memory runs out. */
status_t serve_run(const deploy_t *dep, workload_t *w, const serve_cfg_t *cfg, serve_result_t *r, diag_t *d);

#endif
