/*
 * capacity.h — the serving capacity of a deployment under latency objectives: the highest
 * Poisson arrival rate whose run keeps a percentile of time to first token and of time per
 * output token within their limits.  This is what MLPerf Inference's Server scenario
 * measures (LoadGen raises the rate until the 99th percentiles of TTFT and TPOT break the
 * benchmark's limits; Llama 2 70B: 2 s and 200 ms) and what a service sizes for its SLO.
 *
 * A bisection over serve_run() trials: every trial is the same workload (same seed, same
 * request count) at a different rate, so its percentiles move with the rate alone.  The
 * upper bound is the rate a saturated run completes (all requests queued at once); the
 * answer is within rel_tol of the boundary between a rate that meets both objectives and
 * one that does not.
 */
#ifndef INFERSIM_CAPACITY_H
#define INFERSIM_CAPACITY_H

#include "serve.h"
#include "workload.h"

typedef struct capacity_cfg {
    double quantile;       /* the percentile the objectives bound (0.99: p99) */
    double ttft_s, tpot_s; /* objectives at that percentile (0: unbounded) */
    long requests;         /* requests per trial */
    double rel_tol;        /* the answer's relative precision (default 0.01) */
    int progress;          /* 1: a line on stderr per trial (when it is a terminal) */
} capacity_cfg_t;

void capacity_cfg_default(capacity_cfg_t *c);

typedef struct capacity_result {
    double rate;           /* requests per second meeting both objectives (0: none does) */
    double ceiling;        /* requests per second of a saturated run: the search's upper bound */
    double ttft_q, tpot_q; /* the percentiles at `rate` (seconds) */
    int trials;            /* serve runs made, the saturated one included */
    int bounded;           /* 1: even 1.25 x the ceiling met both; rate is that bound */
} capacity_result_t;

/* Search.  wc gives the request lengths, prefixes and seed (its arrival fields are replaced;
 * its length distributions stay the caller's); cfg the scheduler and deployment options.
 * `at` receives the run at out->rate (at the lowest rate tried when none meets them).
 * IS_ERR_INPUT when the objectives or options are impossible, else serve_run()'s status. */
status_t serve_capacity(const deploy_t *dep, const workload_cfg_t *wc, const serve_cfg_t *cfg,
                        const capacity_cfg_t *cc, capacity_result_t *out, serve_result_t *at, diag_t *d);

#endif
