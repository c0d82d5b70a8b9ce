/*
 * measure.c — time the C transformer and predict the same case (see measure.h).
 *
 * The prediction uses exactly the implementation's formats: weights (embeddings and LM
 * head included) in the chosen format, fp32 activations and an fp32 KV cache.
 */
#include "measure.h"

#include "../probe/transformer.h"
#include "predict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

status_t measure_run(const model_t *m, const system_t *sys, const char *weights, int isl, int osl, int threads,
                     measure_result_t *r, diag_t *d)
{
    memset(r, 0, sizeof *r);
    wtype_t wt;
    if (!strcmp(weights, "int8")) wt = WT_I8;
    else if (!strcmp(weights, "bf16")) wt = WT_BF16;
    else if (!strcmp(weights, "fp32")) wt = WT_F32;
    else
        return diag_error(d, NULL, 0, 0, "--weights", "measure runs int8, bf16 or fp32 weights, got \"%s\"", weights);
    if (isl < 1 || osl < 2)
        return diag_error(d, NULL, 0, 0, "--isl/--osl", "expected isl >= 1 and osl >= 2");
    status_t st = tf_check(m, d);
    if (st != IS_OK)
        return st;
    snprintf(r->weights, sizeof r->weights, "%s", weights);
    r->isl = isl;
    r->osl = osl;

    /* the prediction first: it also checks the model fits in memory */
    predict_req_t req;
    predict_req_default(&req, m);
    precision_parse(weights, &req.cfg.weights);
    req.cfg.experts = req.cfg.weights;
    req.cfg.embed = req.cfg.weights;
    precision_parse("fp32", &req.cfg.kv);
    precision_parse("fp32", &req.cfg.act);
    req.batch = 1;
    req.isl = isl;
    req.osl = osl;
    req.prefill_chunk = isl;
    /* the launches the C transformer's decode step makes, each at the calibrated dispatch cost (the
     * prefill's four more a layer cost microseconds against its hundreds of milliseconds) */
    req.cfg.kernels_per_step = tf_dispatches(m, 1);
    static predict_result_t pr;
    st = predict_run(m, sys, &req, &pr, d);
    if (st != IS_OK)
        return st;
    if (!pr.fits)
        return diag_error(d, NULL, 0, 0, "--model", "%s does not fit in this machine's memory: %s", m->name, pr.reason);
    r->prefill_predicted_s = pr.ttft_s;
    r->decode_predicted_s = pr.tpot_s;
    /* the rate the calibrated kernels stream weights of this format at */
    r->system_bw_Bps = sys->tier[0].bw_Bps * system_weight_efficiency(&sys->tier[0], weights);

    tf_t t;
    if ((st = tf_build(&t, m, wt, isl + osl, isl, threads, d)) != IS_OK)
        return st;
    r->threads = pool_threads(t.pool);
    r->weight_bytes = t.weight_bytes;
    int *toks = malloc(sizeof(int) * (size_t)isl);
    if (!toks) {
        tf_free(&t);
        return diag_error(d, NULL, 0, 0, NULL, "out of memory");
    }
    for (int i = 0; i < isl; i++)
        toks[i] = (i * 7919) % m->vocab;
    /* warm-up: touch every weight once (page faults, TLB), then reset the cache positions */
    tf_forward(&t, toks, 1, 0);
    double t0 = now();
    tf_forward(&t, toks, isl, 0);
    r->prefill_measured_s = now() - t0;
    /* each decode step timed on its own; the median is robust to a shared machine's hiccups */
    int tok = 1;
    double *dt = malloc(sizeof(double) * (size_t)osl);
    if (!dt) {
        free(toks);
        tf_free(&t);
        return diag_error(d, NULL, 0, 0, NULL, "out of memory");
    }
    for (int k = 1; k < osl; k++) {
        t0 = now();
        tf_forward(&t, &tok, 1, isl + k - 1);
        dt[k - 1] = now() - t0;
        tok = (tok * 31 + k) % m->vocab;
    }
    qsort(dt, (size_t)(osl - 1), sizeof(double), cmp_double);
    int nd = osl - 1;
    r->decode_measured_s = nd % 2 ? dt[nd / 2] : 0.5 * (dt[nd / 2 - 1] + dt[nd / 2]);
    free(dt);
    r->achieved_bw_Bps = r->weight_bytes / r->decode_measured_s;
    r->prefill_error = (r->prefill_predicted_s - r->prefill_measured_s) / r->prefill_measured_s;
    r->decode_error = (r->decode_predicted_s - r->decode_measured_s) / r->decode_measured_s;
    free(toks);
    tf_free(&t);
    return IS_OK;
}
