/*
 * capacity.c — the highest arrival rate a deployment serves within latency objectives
 * (capacity.h): a bisection over serving runs.
 */
#include "capacity.h"

#include "../core/interrupt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void capacity_cfg_default(capacity_cfg_t *c)
{
    memset(c, 0, sizeof *c);
    c->quantile = 0.99;
    c->requests = 2000;
    c->rel_tol = 0.01;
}

/* One run of cc->requests requests: Poisson arrivals at `rate`, or all at t = 0 (rate 0). */
static status_t trial(const deploy_t *dep, const workload_cfg_t *base, double rate, const serve_cfg_t *cfg,
                      const capacity_cfg_t *cc, serve_result_t *r, diag_t *d)
{
    workload_cfg_t wc = *base;
    wc.arrival = rate > 0 ? ARRIVE_POISSON : ARRIVE_CLOSED;
    wc.rate = rate;
    wc.burstiness = 1;
    wc.users = rate > 0 ? 0 : (int)cc->requests;
    wc.think_s = 0;
    wc.duration_s = 0;
    wc.max_requests = cc->requests;
    wc.trace_path = NULL;
    status_t st = len_dist_copy(&wc.isl, &base->isl, d);
    if (st != IS_OK)
        return st;
    if ((st = len_dist_copy(&wc.osl, &base->osl, d)) != IS_OK) {
        len_dist_free(&wc.isl);
        return st;
    }
    workload_t w;
    if ((st = workload_open(&w, &wc, d)) == IS_OK)
        st = serve_run(dep, &w, cfg, r, d);
    workload_close(&w);
    return st;
}

/* Both objectives met, and every request served. */
static int meets(const serve_result_t *r, const capacity_cfg_t *cc)
{
    if (r->completed < cc->requests)
        return 0;
    if (cc->ttft_s > 0 && hist_quantile(&r->ttft, cc->quantile) > cc->ttft_s)
        return 0;
    return !(cc->tpot_s > 0 && hist_quantile(&r->tpot, cc->quantile) > cc->tpot_s);
}

static void say(const capacity_cfg_t *cc, int k, double rate, int ok)
{
    if (cc->progress && isatty(2))
        fprintf(stderr, "\rcapacity: trial %2d at %.4g requests/s: %s   ", k, rate, ok ? "meets" : "misses");
}

status_t serve_capacity(const deploy_t *dep, const workload_cfg_t *wc, const serve_cfg_t *cfg,
                        const capacity_cfg_t *cc, capacity_result_t *out, serve_result_t *at, diag_t *d)
{
    memset(out, 0, sizeof *out);
    if (!(cc->quantile > 0 && cc->quantile < 1))
        return diag_error(d, NULL, 0, 0, "--slo-quantile", "expected a fraction between 0 and 1, got %g", cc->quantile);
    if (cc->ttft_s <= 0 && cc->tpot_s <= 0)
        return diag_error(d, NULL, 0, 0, "--slo-ttft", "the capacity search needs an objective: a TTFT or TPOT limit");
    if (cc->requests < 10 || cc->requests > 100000000)
        return diag_error(d, NULL, 0, 0, "--requests", "a capacity trial needs 10 to 1e8 requests, got %ld",
                          cc->requests);
    double tol = cc->rel_tol > 0 ? cc->rel_tol : 0.01;
    serve_cfg_t c = *cfg;
    c.progress = 0;
    c.timeseries = NULL;
    serve_result_t *r = malloc(sizeof *r);
    if (!r)
        return diag_error(d, NULL, 0, 0, NULL, "out of memory for a capacity trial");

    /* the ceiling: every request queued at once */
    status_t st = trial(dep, wc, 0, &c, cc, r, d);
    out->trials = 1;
    if (st == IS_OK && r->request_s <= 0)
        st = diag_error(d, NULL, 0, 0, NULL, "the saturated run completed no request");
    if (st != IS_OK) {
        free(r);
        return st;
    }
    out->ceiling = r->request_s;
    double lo = out->ceiling * 0.01, hi = out->ceiling * 1.25;

    /* the bounds: the lowest rate must meet the objectives, the highest must not */
    if ((st = trial(dep, wc, lo, &c, cc, at, d)) != IS_OK)
        goto done;
    out->trials++;
    say(cc, out->trials, lo, meets(at, cc));
    if (!meets(at, cc)) {
        out->rate = 0; /* even a nearly idle deployment misses them */
        goto done;
    }
    if ((st = trial(dep, wc, hi, &c, cc, r, d)) != IS_OK)
        goto done;
    out->trials++;
    say(cc, out->trials, hi, meets(r, cc));
    if (meets(r, cc)) {
        memcpy(at, r, sizeof *r);
        lo = hi;
        out->bounded = 1;
    }
    /* at holds the run at lo throughout */
    while (!out->bounded && hi / lo - 1.0 > tol) {
        if (interrupt_requested()) {
            st = IS_INTERRUPTED;
            goto done;
        }
        double mid = 0.5 * (lo + hi);
        if ((st = trial(dep, wc, mid, &c, cc, r, d)) != IS_OK)
            goto done;
        out->trials++;
        int ok = meets(r, cc);
        say(cc, out->trials, mid, ok);
        if (ok) {
            lo = mid;
            memcpy(at, r, sizeof *r);
        } else {
            hi = mid;
        }
    }
    out->rate = lo;
done:
    if (cc->progress && isatty(2))
        fputc('\n', stderr);
    out->ttft_q = hist_quantile(&at->ttft, cc->quantile);
    out->tpot_q = hist_quantile(&at->tpot, cc->quantile);
    free(r);
    return st;
}
