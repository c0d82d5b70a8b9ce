/*
 * report_disagg.c — disaggregated predictions as text and JSON (see report_disagg.h).
 */
#include "report_disagg.h"

#include "report_predict.h"

static json_t *pool_json(const predict_result_t *r, const plan_t *p, int instances, double rate, double busy)
{
    json_t *o = json_object();
    json_object_set_new(o, "instances", json_integer(instances));
    json_object_set_new(o, "chips_per_instance", json_integer(p->chips));
    json_object_set_new(o, "tp", json_integer(p->tp));
    json_object_set_new(o, "pp", json_integer(p->pp));
    json_object_set_new(o, "ep", json_integer(p->ep));
    json_object_set_new(o, "dp", json_integer(p->dp));
    json_object_set_new(o, "batch", json_integer(r->batch));
    json_object_set_new(o, "max_batch", json_integer(r->max_batch));
    json_object_set_new(o, "fits", json_boolean(r->fits));
    json_object_set_new(o, "requests_per_s_per_instance", json_real(rate));
    json_object_set_new(o, "busy", json_real(busy));
    return o;
}

static json_t *num(int known, double v)
{
    return known ? json_real(v) : json_null();
}

json_t *report_disagg_json(const disagg_result_t *r, const system_t *s, const predict_req_t *req,
                           const disagg_req_t *dq)
{
    json_t *o = json_object();
    json_object_set_new(o, "disaggregated", json_true());
    json_object_set_new(o, "fits", json_boolean(r->fits));
    json_object_set_new(o, "chips", json_integer(r->chips));
    json_object_set_new(o, "ttft_s", json_real(r->ttft_s));
    json_object_set_new(o, "tpot_s", json_real(r->tpot_s));
    json_object_set_new(o, "e2e_s", json_real(r->e2e_s));
    json_object_set_new(o, "requests_per_s", json_real(r->rate));
    json_object_set_new(o, "output_tok_s", json_real(r->output_tok_s));
    json_object_set_new(o, "output_tok_s_per_chip", json_real(r->output_tok_s_per_chip));
    json_object_set_new(o, "output_tok_s_per_user", json_real(r->output_tok_s_per_user));
    json_object_set_new(o, "total_tok_s", json_real(r->total_tok_s));
    json_object_set_new(o, "bound", json_string(r->decode_bound ? "decode" : "prefill"));
    json_object_set_new(o, "prefill_one_prompt_s", json_real(r->prefill_one_s));
    json_t *kv = json_object();
    json_object_set_new(kv, "bytes", json_real(r->kv_bytes));
    json_object_set_new(kv, "seconds", json_real(r->kv_transfer_s));
    json_object_set_new(kv, "level", json_string(r->kv_level >= 0 ? s->level[r->kv_level].name : ""));
    json_object_set_new(o, "kv_transfer", kv);
    json_object_set_new(o, "prefill", pool_json(&r->prefill, &dq->prefill_plan, dq->prefill_instances, r->prefill_rate,
                                                r->prefill_busy));
    json_object_set_new(o, "decode", pool_json(&r->decode, &req->cfg.plan, dq->decode_instances, r->decode_rate,
                                               r->decode_busy));
    int k = r->cost_known;
    json_object_set_new(o, "avg_power_w", num(k, r->wall_power_W));
    json_object_set_new(o, "energy_j_per_token", num(k, r->energy_j_per_token));
    json_object_set_new(o, "tokens_per_joule", num(k, r->tokens_per_joule));
    json_object_set_new(o, "usd_per_mtok_output", num(k, r->usd_per_mtok_output));
    json_object_set_new(o, "usd_per_mtok_input", num(k, r->usd_per_mtok_input));
    json_object_set_new(o, "tco_usd_per_hour", num(k, r->tco_usd_per_s * 3600));
    json_object_set_new(o, "gco2e_per_mtok", num(k, r->gco2e_per_mtok));
    return o;
}

static void pool_text(FILE *f, const char *name, const predict_result_t *r, const plan_t *p, int instances,
                      double rate, double busy)
{
    fprintf(f, "%-11s %d x %d chip%s (TP %d, PP %d, EP %d, DP %d), batch %d%s: %.2f requests/s each, %.0f%% busy\n",
            name, instances, p->chips, p->chips > 1 ? "s" : "", p->tp, p->pp, p->ep, p->dp, r->batch,
            r->fits ? "" : " (DOES NOT FIT)", rate, 100 * busy);
}

void report_disagg_text(FILE *f, const disagg_result_t *r, const model_t *m, const system_t *s,
                        const predict_req_t *req, const disagg_req_t *dq, const site_t *site, const diag_t *d)
{
    char a[32], b[32], c[32], e[32], g[32];
    fprintf(f, "%s on %s, disaggregated: %d chips in all\n", m->name, s->name, r->chips);
    fprintf(f, "workload    ISL %d, OSL %d\n", req->isl, req->osl);
    pool_text(f, "prefill", &r->prefill, &dq->prefill_plan, dq->prefill_instances, r->prefill_rate, r->prefill_busy);
    pool_text(f, "decode", &r->decode, &req->cfg.plan, dq->decode_instances, r->decode_rate, r->decode_busy);
    fprintf(f, "\nlatency     TTFT %s (prefill alone %s + KV transfer %s of %s over %s)   TPOT %s\n",
            fmt_time(r->ttft_s, a, sizeof a), fmt_time(r->prefill_one_s, b, sizeof b),
            fmt_time(r->kv_transfer_s, c, sizeof c), fmt_bytes(r->kv_bytes, e, sizeof e),
            r->kv_level >= 0 ? s->level[r->kv_level].name : "?", fmt_time(r->tpot_s, g, sizeof g));
    fprintf(f, "throughput  %.2f requests/s, bound by the %s pool: %.1f output tok/s (%.1f per chip), %.1f tok/s per user\n",
            r->rate, r->decode_bound ? "decode" : "prefill", r->output_tok_s, r->output_tok_s_per_chip,
            r->output_tok_s_per_user);
    if (r->cost_known) {
        fprintf(f, "energy      %.3f J per output token at the wall, %.2f tokens per joule; %.1f kW for both pools\n",
                r->energy_j_per_token, r->tokens_per_joule, r->wall_power_W / 1e3);
        fprintf(f, "cost        $%.3f per million output tokens (decode pool), $%.3f per million input tokens "
                   "(prefill pool); TCO $%.2f per hour (site %s)\n",
                r->usd_per_mtok_output, r->usd_per_mtok_input, r->tco_usd_per_s * 3600, site->name);
        fprintf(f, "carbon      %.1f g CO2e per million output tokens\n", r->gco2e_per_mtok);
    }
    if (!r->fits)
        fprintf(f, "\ndoes not fit: %s\n", r->prefill.fits ? r->decode.reason : r->prefill.reason);
    if (d && d->n_warnings) {
        fprintf(f, "\nwarnings\n");
        for (int i = 0; i < d->n_warnings; i++)
            fprintf(f, "  %s\n", d->warnings[i]);
    }
}
