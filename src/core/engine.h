/*
 * engine.h — the cost of one step: one forward pass of a batch of prefill chunks
 * and decode tokens, on one data-parallel replica.
 *
 * This is the hot path.  engine_step() reads only the precomputed deploy_t tables,
 * a placement and a step_t, does no I/O and no allocation, and takes well under a
 * microsecond for a dense 70B model (bench/bench_engine.c measures it).
 *
 * Cost of one operator on one chip (all times in seconds):
 *     t_op = kernels * kernel_overhead + max(t_compute, max over tiers t_mem[i])
 *     t_compute = FLOPs / (peak[compute class] * compute_efficiency)
 *                 (gemv_efficiency instead for a one-token step, where the chip gives one)
 *                 + attention's exponentials (one per score) / the chip's exp rate: the softmax
 *                 runs on the special-function units, taken as not overlapping the matrix
 *                 products (FlashAttention-3's ping-pong hides part of it, FA2-style kernels none)
 *     t_mem[i]  = bytes_on_tier_i / (bandwidth_i * efficiency_i) + latency_i   (if bytes > 0)
 *                 (weights in a format with its own weight_efficiency stream at that instead)
 * i.e. compute and memory traffic of one kernel overlap (roofline), tiers are read in
 * parallel, and kernels do not overlap each other.  Logic in or near a tier's memory (PIM,
 * PNM) takes the op's share that sits there when that is faster than the host alone.  Collectives do not overlap compute
 * (a TP all-reduce sits on the critical path of the layer that produces its input).  With expert
 * parallelism the experts and their all-to-alls take the busiest expert group's load (uniform
 * routing's order statistics), the counts the mean group's.
 * A stage's time is the sum over its layers; with pipeline parallelism one step of
 * a micro-batch takes the sum over stages plus the sends between them.
 */
#ifndef INFERSIM_ENGINE_H
#define INFERSIM_ENGINE_H

#include "deploy.h"

/* What bounds a piece of time. Memory bounds are per tier. */
#define BOUND_COMPUTE 0
#define BOUND_MEM0 1 /* + tier index */
#define BOUND_NET_LATENCY (BOUND_MEM0 + SYS_MAX_TIERS)
#define BOUND_NET_BANDWIDTH (BOUND_NET_LATENCY + 1)
#define BOUND_OVERHEAD (BOUND_NET_BANDWIDTH + 1)
#define BOUND_COUNT (BOUND_OVERHEAD + 1)

/* A step of one replica (or one pipeline micro-batch): built with step_add(). */
typedef struct step {
    double tokens;        /* new tokens (prefill chunk tokens + decode tokens) */
    double lm_tokens;     /* tokens whose logits are computed (one per sequence) */
    double seqs;          /* sequences in the step */
    double kv_read[MODEL_MAX_CLASSES];   /* cached tokens read per layer, summed over sequences */
    double pairs_dec[MODEL_MAX_CLASSES]; /* (query, key) pairs of decode tokens per layer */
    double pairs_pre[MODEL_MAX_CLASSES]; /* (query, key) pairs of prefill tokens per layer */
    double prefix;        /* set after step_clear: the first `prefix` cached tokens of every sequence
                           * are a prefix all requests share, its KV cached once (placement kv_prefix) */
    double prefix_read[MODEL_MAX_CLASSES]; /* of kv_read, the shared prefix's tokens */
    int prefix_once;      /* set after step_clear: attention reads the shared prefix once per step for
                           * the whole batch (cascade attention), not once per sequence */
    double prefix_span[MODEL_MAX_CLASSES]; /* the most prefix tokens any sequence of the step reads */
} step_t;

typedef struct step_cost {
    double time_s;        /* one micro-batch through every stage (incl. sends) */
    double stage_max_s;   /* slowest stage: the pipeline's cycle per micro-batch */
    double by_op[OP_COUNT];       /* seconds, summed over all layers and stages */
    double by_bound[BOUND_COUNT]; /* the same seconds, by what bounds them */
    double flops;         /* per chip, summed over stages */
    double flop_J;        /* their dynamic energy, each op's FLOPs at its compute class's */
    double mem_bytes[SYS_MAX_TIERS]; /* per chip, summed over stages */
    double net_bytes;     /* collective message bytes per chip */
    double net_bytes_level[SYS_MAX_LEVELS]; /* the same by the interconnect level each collective runs on
                                             * (a hierarchical one counts on its outer level) */
    double tokens, lm_tokens; /* the step's new tokens and logits tokens (for engine_collectives) */
} step_cost_t;

/* One kind of collective in a step, as engine_collectives reports it. */
typedef struct coll_report {
    op_kind_t op;          /* OP_TP_ALLREDUCE, OP_EP_ALLTOALL, OP_LOGITS_GATHER, OP_PP_SENDRECV */
    coll_kind_t kind;
    int chips;             /* chips in the group */
    int level;             /* interconnect level (the outer one of a hierarchical collective) */
    coll_algo_t algo;      /* the fastest algorithm at this message size */
    double bytes;          /* message per call (as collective_time takes it), the mean chip's */
    double busiest;        /* an EP all-to-all: the busiest expert group's chips move this many times
                            * bytes, and time_s is theirs; 1 otherwise */
    double calls;          /* per step, over all layers and stages */
    double time_s;         /* per call */
    double latency_s;      /* of which latency (launch, hops, switches, landing) */
    double hops;           /* link traversals on its critical path */
    double bandwidth_s;    /* and bytes over bandwidth */
} coll_report_t;

void step_clear(step_t *s);

/* Add n sequences that each process q new tokens after ctx cached ones
 * (decode: q = 1; a prefill chunk: q = chunk length). */
void step_add(step_t *s, const model_t *m, double n, double q, double ctx);

/* Add n sequences of a masked-diffusion model, each running q tokens with bidirectional
 * attention over those q and ctx cached ones (a whole-sequence forward: ctx 0), computing
 * logits for lm tokens each. */
void step_add_bidir(step_t *s, const model_t *m, double n, double q, double ctx, double lm);

/* Expected fraction of experts that at least one of `tokens` routed tokens selects when
 * each token picks top_k of n_experts uniformly: 1 - (1 - k/E)^tokens. */
double engine_experts_touched(int n_experts, int top_k, double tokens);

/* Cost the step.  `out` may be NULL (then only the return value is computed).
 * Returns out->time_s. */
double engine_step(const deploy_t *dep, const placement_t *pl, const step_t *s, step_cost_t *out);

/* Cost n (at most ENGINE_MAX_SAMPLES) steps that share their token counts and differ only in
 * their cached contexts, as the samples of a mean decode step do: the ops that do not read
 * the KV cache are costed once.  time[j] and stage_max[j] as engine_step's time_s and
 * stage_max_s; `out` (may be NULL) gets the breakdown of sample j0.  Steps whose token
 * counts differ are costed one by one.  Equals n calls of engine_step. */
#define ENGINE_MAX_SAMPLES 8
void engine_steps(const deploy_t *dep, const placement_t *pl, const step_t *s, int n, int j0, step_cost_t *out,
                  double *time, double *stage_max);

/* The collectives of a costed step (c from engine_step or engine_steps), one row per
 * collective operator: group, level, algorithm, message size, calls, time per call split
 * into latency and bandwidth.  calls x time_s equals c->by_op of that operator.  Returns
 * the number of rows (at most max). */
int engine_collectives(const deploy_t *dep, const step_cost_t *c, coll_report_t *out, int max);

/* Name of a bound ("compute", "memory:hbm3", "net_latency", ...) into buf. */
const char *engine_bound_name(const deploy_t *dep, int bound, char *buf, size_t cap);

#endif
