/*
 * disagg.c — disaggregated prefill and decode pools (see disagg.h).
 */
#include "disagg.h"

#include "../core/collective.h"

#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

/* One pool costed as a deployment of `instances` copies of inst (rate_cap: the pool's
 * requests per second at full load), busy for `busy` of the site's serving time.  The
 * instance's own figures are swapped for the pool's while cost_compute reads them, then
 * restored. */
static void pool_cost(predict_result_t *inst, const predict_req_t *req, int instances, int prefill, double rate_cap,
                      int isl, int osl, double busy, const system_t *s, const site_t *site, cost_result_t *c,
                      diag_t *d)
{
    const int steady = inst->steady;
    const double out = inst->output_tok_s, total = inst->total_tok_s, ttft = inst->ttft_s, e2e = inst->e2e_s;
    predict_req_t rq = *req;
    rq.cfg.plan.chips = req->cfg.plan.chips * instances;
    site_t st = *site;
    st.utilization = site->utilization * busy;
    inst->steady = 0;
    rq.osl = osl;
    inst->output_tok_s = rate_cap * osl;
    if (prefill) {
        /* all of its time is prefill (share 1), and its tokens are the prompts it clears */
        inst->e2e_s = inst->ttft_s;
        inst->total_tok_s = rate_cap * ((double)isl + osl);
    } else {
        /* all of its time is decode (share 0); no input tokens */
        inst->ttft_s = 0;
        inst->total_tok_s = inst->output_tok_s;
    }
    cost_compute(inst, &rq, s, &st, c, d);
    inst->steady = steady;
    inst->output_tok_s = out;
    inst->total_tok_s = total;
    inst->ttft_s = ttft;
    inst->e2e_s = e2e;
}

status_t disagg_pools(const model_t *m, const system_t *s, const predict_req_t *req, const plan_t *prefill_plan,
                      disagg_result_t *r, diag_t *d)
{
    memset(&r->prefill_batch, 0, sizeof *r - offsetof(disagg_result_t, prefill_batch));
    if (req->osl < 2)
        return diag_error(d, NULL, 0, 0, "--osl",
                          "disaggregated serving needs an output of at least 2 tokens (the first comes from prefill), got %d",
                          req->osl);
    /* one decode instance at its batch, decoding only */
    r->decode_req = *req;
    predict_req_t *rd = &r->decode_req;
    status_t st;
    if (rd->batch == 0) {
        if ((st = predict_run(m, s, rd, &r->decode, d)) != IS_OK)
            return st;
        rd->batch = r->decode.batch > 0 ? r->decode.batch : 1;
    }
    rd->steady = 0;
    if ((st = predict_run(m, s, rd, &r->decode, d)) != IS_OK)
        return st;

    /* one prefill instance: a prompt alone, then a chunk's worth of prompts at once */
    r->prefill_req = *req;
    predict_req_t *rp = &r->prefill_req;
    rp->cfg.plan = *prefill_plan;
    rp->osl = 1;
    rp->steady = 0;
    rp->batch = rp->cfg.plan.dp;
    if ((st = predict_run(m, s, rp, &r->prefill, d)) != IS_OK) {
        /* the plan at fault is the prefill instance's: name its flag */
        if (!strcmp(d->field, "--tp") || !strcmp(d->field, "--pp") || !strcmp(d->field, "--chips")) {
            char f[sizeof d->field];
            snprintf(f, sizeof f, "--prefill-%s", d->field + 2);
            snprintf(d->field, sizeof d->field, "%s", f);
        }
        return st;
    }
    r->prefill_one_s = r->prefill.ttft_s;
    int per = req->prefill_chunk / req->isl;
    r->prefill_batch = (per > 1 ? per : 1) * rp->cfg.plan.dp;
    rp->batch = r->prefill_batch;
    predict_eval(&r->prefill.dep, rp, -1, 1, &r->prefill, d);

    r->kv_bytes = model_kv_bytes_per_token(m, &req->cfg.kv) * req->isl;
    r->fits = r->prefill.fits && r->decode.fits;
    r->prefill_rate = r->prefill.ttft_s > 0 ? r->prefill_batch / r->prefill.ttft_s : 0;
    r->decode_rate = r->decode.tpot_s > 0 ? r->decode.batch / ((req->osl - 1) * r->decode.tpot_s) : 0;
    return IS_OK;
}

status_t disagg_combine(const system_t *s, const site_t *site, const disagg_req_t *dq, disagg_result_t *r, diag_t *d)
{
    if (dq->prefill_instances < 1 || dq->decode_instances < 1)
        return diag_error(d, NULL, 0, 0, dq->prefill_instances < 1 ? "--prefill-instances" : "--decode-instances",
                          "expected at least 1 instance");
    const predict_req_t *req = &r->decode_req;
    const int cp = r->prefill_req.cfg.plan.chips, cd = req->cfg.plan.chips;
    r->chips = dq->prefill_instances * cp + dq->decode_instances * cd;
    /* the KV cache of one request, from the prefill chips to the decode chips */
    coll_plan_t xfer;
    status_t st;
    if ((st = collective_plan(s, COLL_SENDRECV, r->chips, &xfer, d)) != IS_OK)
        return st;
    r->kv_level = xfer.level;
    r->kv_transfer_s = collective_time(&xfer, r->kv_bytes / cp, NULL, NULL, NULL);

    double pr = dq->prefill_instances * r->prefill_rate, dr = dq->decode_instances * r->decode_rate;
    r->decode_bound = dr <= pr;
    r->rate = r->decode_bound ? dr : pr;
    r->prefill_busy = pr > 0 ? r->rate / pr : 0;
    r->decode_busy = dr > 0 ? r->rate / dr : 0;
    r->ttft_s = r->prefill_one_s + r->kv_transfer_s;
    r->tpot_s = r->decode.tpot_s;
    r->e2e_s = r->ttft_s + (req->osl - 1) * r->tpot_s;
    r->output_tok_s = r->rate * req->osl;
    r->total_tok_s = r->rate * ((double)req->isl + req->osl);
    r->output_tok_s_per_chip = r->output_tok_s / r->chips;
    r->output_tok_s_per_user = r->tpot_s > 0 ? 1.0 / r->tpot_s : 0;

    /* each pool costed for its busy share; input tokens pay for prefill, output tokens for decode */
    pool_cost(&r->prefill, &r->prefill_req, dq->prefill_instances, 1, pr, req->isl, req->osl, r->prefill_busy, s,
              site, &r->cost_prefill, d);
    pool_cost(&r->decode, req, dq->decode_instances, 0, dr, req->isl, req->osl, r->decode_busy, s, site,
              &r->cost_decode, d);
    const cost_result_t *a = &r->cost_prefill, *b = &r->cost_decode;
    r->cost_known = a->known && b->known;
    r->wall_power_W = r->energy_j_per_token = r->tokens_per_joule = r->tco_usd_per_s = 0;
    r->usd_per_mtok_output = r->usd_per_mtok_input = r->gco2e_per_mtok = 0;
    if (r->cost_known && r->output_tok_s > 0) {
        r->wall_power_W = r->prefill_busy * a->wall_power_W + (1 - r->prefill_busy) * a->wall_idle_W +
                          r->decode_busy * b->wall_power_W + (1 - r->decode_busy) * b->wall_idle_W;
        r->energy_j_per_token = r->wall_power_W / r->output_tok_s;
        r->tokens_per_joule = 1.0 / r->energy_j_per_token;
        r->tco_usd_per_s = a->tco_usd_per_s + b->tco_usd_per_s;
        r->usd_per_mtok_output = b->usd_per_mtok_output;
        r->usd_per_mtok_input = a->usd_per_mtok_input;
        double served = r->output_tok_s * site->utilization;
        r->gco2e_per_mtok = (a->gco2e_per_s_operational + a->gco2e_per_s_embodied + b->gco2e_per_s_operational +
                             b->gco2e_per_s_embodied) / served * 1e6;
    }
    return IS_OK;
}

status_t predict_disagg(const model_t *m, const system_t *s, const site_t *site, const predict_req_t *req,
                        const disagg_req_t *dq, disagg_result_t *r, diag_t *d)
{
    if (m->diffusion)
        return diag_error(d, NULL, 0, 0, "--prefill-chips",
                          "%s is a masked-diffusion model: every denoising step reruns the prompt, so there is no "
                          "prefill to disaggregate", m->name);
    status_t st = disagg_pools(m, s, req, &dq->prefill_plan, r, d);
    return st == IS_OK ? disagg_combine(s, site, dq, r, d) : st;
}
