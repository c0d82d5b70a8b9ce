/*
 * search.h — design-space search: every deployment (system x chips x TP/PP/EP/DP
 * factorisation x weight and KV precision) against every workload (ISL x OSL x batch),
 * with memory-fit and SLO constraints, a top-N by any objective and the Pareto frontier
 * over two.
 *
 * Disaggregated serving (prefill and decode pools, disagg.h) is a dimension too: prefill
 * instance size and the two pools' instance counts.  Its points cost more (each prefill and
 * decode instance is set up per workload), but the pool counts only recombine the rates.
 *
 * The work is split so the inner loop is cheap: a worker sets up one deployment
 * (deploy_setup, the collective plans, the largest batch per ISL/OSL) and then evaluates
 * all its workloads with predict_eval and cost_compute, which do not allocate.  Workers
 * take deployments from an atomic counter and write each point at its own index, so the
 * output is identical for any thread count.
 *
 * Memory is bounded: the space is evaluated in chunks of about 2^18 points.  After each
 * chunk every point goes, in index order, to the space's sink (a CSV writer, say), and the
 * search keeps only what `keep` asks for: the Pareto frontier over two fields, the top N
 * by one, and an evenly strided sample of the feasible points (for a plot) — or, with
 * keep.all, every point (at most 200 million).  A 10^9-point search therefore runs in tens
 * of megabytes.  Under MPI each chunk is split over the ranks and gathered to rank 0.
 *
 * Ownership: search_run() allocates r->points; search_free() releases them.  The space
 * borrows its model, systems and site.
 */
#ifndef INFERSIM_SEARCH_H
#define INFERSIM_SEARCH_H

#include "../core/diag.h"
#include "../core/model.h"
#include "../core/precision.h"
#include "../core/site.h"
#include "../core/system.h"

#include <stddef.h>
#include <stdint.h>

#define SEARCH_MAX_SYSTEMS 256
#define SEARCH_MAX_VALUES 4096

/* Why a point is not feasible (SR_: unistd.h already defines R_OK). X-macro keeps the names in step. */
#define SEARCH_REASONS(X)                        \
    X(SR_OK, "feasible")                          \
    X(SR_PLAN_HEADS, "plan: tp does not divide the heads") \
    X(SR_PLAN_KV, "plan: tp and the KV heads")    \
    X(SR_PLAN_EP, "plan: ep and the experts")     \
    X(SR_PLAN_PP, "plan: pp exceeds the layers")  \
    X(SR_PLAN_DOMAIN, "plan: group exceeds the interconnect") \
    X(SR_PLAN_OTHER, "plan: other")               \
    X(SR_MEMORY, "does not fit in memory")        \
    X(SR_TTFT, "TTFT above the limit")            \
    X(SR_TPOT, "TPOT above the limit")            \
    X(SR_POWER, "power above the limit")          \
    X(SR_COST, "cost above the limit")           \
    X(SR_CHIPS, "chips above the budget")

typedef enum search_reason {
#define X(e, s) e,
    SEARCH_REASONS(X)
#undef X
    SR_COUNT
} search_reason_t;
extern const char *const search_reason_names[SR_COUNT];

/* The outputs a point carries, usable as objectives. */
#define SEARCH_FIELDS(X)                                   \
    X(F_TTFT, "ttft_s", -1)                                \
    X(F_TPOT, "tpot_s", -1)                                \
    X(F_E2E, "e2e_s", -1)                                  \
    X(F_TOK_S, "output_tok_s", +1)                         \
    X(F_TOK_S_USER, "output_tok_s_per_user", +1)           \
    X(F_TOK_S_CHIP, "output_tok_s_per_chip", +1)           \
    X(F_USD, "usd_per_mtok_output", -1)                    \
    X(F_J, "energy_j_per_token", -1)                       \
    X(F_G, "gco2e_per_mtok", -1)                           \
    X(F_POWER, "avg_power_w", -1)                          \
    X(F_CHIPS, "chips", -1)

typedef enum search_field {
#define X(e, s, d) e,
    SEARCH_FIELDS(X)
#undef X
    F_COUNT
} search_field_t;
extern const char *const search_field_names[F_COUNT];
extern const int search_field_sense[F_COUNT]; /* +1: more is better; -1: less is better */

/* What search_run keeps in r->points (in index order). */
typedef struct search_keep {
    int all;                                 /* 1: every point */
    int fx, fy;                              /* the Pareto frontier of these fields (search_field_t) */
    int fobj;                                /* the best `top` points by this field */
    size_t top;
    size_t cloud;                            /* at most this many feasible points, every k-th */
} search_keep_t;

/* Called on rank 0 with every point, in index order, as chunks complete; non-zero stops
 * the search (search_run then returns IS_ERR_IO). */
typedef struct search_point search_point_t;
typedef int (*search_sink_fn)(void *ctx, const search_point_t *p);

typedef struct search_space {
    const model_t *model;
    int n_systems;
    const system_t *systems[SEARCH_MAX_SYSTEMS];
    int n_chips, chips[SEARCH_MAX_VALUES];
    int n_weights, n_kv;
    precision_t weights[16], kv[16];
    int n_isl, isl[SEARCH_MAX_VALUES], n_osl, osl[SEARCH_MAX_VALUES];
    int n_batch, batch[SEARCH_MAX_VALUES];   /* 0 = the largest that fits (steady state) */
    /* disaggregated serving (n_pchips > 0): each deployment above is one decode instance, fed by
     * prefill instances of pchips chips (TP over them); pinst prefill and dinst decode instances */
    int n_pchips, pchips[64], n_pinst, pinst[64], n_dinst, dinst[64];
    double ttft_max_s, tpot_max_s;           /* 0 = no limit */
    double power_max_w, usd_per_mtok_max;    /* 0 = no limit */
    int chips_max;                           /* chips in all (both pools when disaggregated); 0 = no limit */
    double expert_skew;                      /* deployments with EP: the experts' load CV (deploy_cfg_t) */
    int expert_slots;                        /* deployments with EP: expert slots (0: one copy each); an EP
                                              * that does not divide them is a plan that fails (SR_PLAN_EP) */
    const site_t *site;
    int threads;                             /* 0 = all online CPUs */
    int progress;                            /* draw a progress bar on stderr */
    search_keep_t keep;                      /* zero: the frontier of F_TTFT x F_TTFT and nothing else */
    search_sink_fn sink;                     /* optional */
    void *sink_ctx;
    size_t chunk_points;                     /* points per chunk (0: about 2^18); tests make it small */
} search_space_t;

struct search_point {
    uint16_t system, chips, tp, pp, ep, dp;  /* disaggregated: one decode instance */
    uint16_t pchips, pinst, dinst;           /* disaggregated: prefill instance chips, instances (else 0) */
    uint8_t weights, kv, reason, steady;
    uint32_t isl, osl, batch;
    float f[F_COUNT];                        /* the outputs, indexed by search_field_t */
};

typedef struct search_result {
    size_t n_points;                         /* evaluated design points (pruned plans included) */
    search_point_t *points;                  /* the kept points (sp->keep), in index order, whatever the
                                              * thread count */
    uint64_t *index;                         /* each kept point's index among all the space's points */
    size_t n_stored;                         /* how many */
    size_t n_deployments;
    size_t count[SR_COUNT];                   /* points by reason (count[SR_OK] = feasible) */
    double wall_s, points_per_s;
} search_result_t;

/* Enumerate and evaluate the space. */
status_t search_run(const search_space_t *sp, search_result_t *r, diag_t *d);
void search_free(search_result_t *r);

/* Returned by search_frontier and search_top when memory ran out. */
#define SEARCH_NOMEM ((size_t)-1)

/* The feasible points on the Pareto frontier of fields fx and fy (each in its own sense),
 * as indices into r->points, sorted by fx; returns the count (out holds up to max).  On a
 * result that kept less than everything, ask for the fields it kept. */
size_t search_frontier(const search_result_t *r, search_field_t fx, search_field_t fy, size_t *out, size_t max);

/* The best n feasible points by one field (ties broken by index); returns the count. */
size_t search_top(const search_result_t *r, search_field_t f, size_t *out, size_t n);

/* With the MPI build (INFERSIM_MPI): this process's rank and the number of ranks; the
 * deployments are split into contiguous ranges, one per rank, and rank 0 gathers every
 * point in index order, so the result equals the single-process one.  Without MPI:
 * rank 0 of 1. */
int search_rank(void);
int search_ranks(void);

/* A field by name (-1 if none). */
int search_field_by_name(const char *name);

#endif
