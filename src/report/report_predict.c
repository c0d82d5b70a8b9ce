/*
 * report_predict.c — text, JSON and CSV views of a predict_result_t.
 */
#include "report_predict.h"

#include "../io/csv.h"

#include <math.h>
#include <string.h>

const char *fmt_count(double x, char *buf, size_t cap)
{
    if (x >= 1e12) snprintf(buf, cap, "%.2f T", x / 1e12);
    else if (x >= 1e9) snprintf(buf, cap, "%.2f B", x / 1e9);
    else if (x >= 1e6) snprintf(buf, cap, "%.2f M", x / 1e6);
    else snprintf(buf, cap, "%.0f", x);
    return buf;
}

const char *fmt_bytes(double b, char *buf, size_t cap)
{
    if (b >= 1e12) snprintf(buf, cap, "%.2f TB", b / 1e12);
    else if (b >= 1e9) snprintf(buf, cap, "%.1f GB", b / 1e9);
    else if (b >= 1e6) snprintf(buf, cap, "%.1f MB", b / 1e6);
    else if (b >= 1e3) snprintf(buf, cap, "%.1f kB", b / 1e3);
    else snprintf(buf, cap, "%.0f B", b);
    return buf;
}

const char *fmt_time(double s, char *buf, size_t cap)
{
    if (s >= 1.0) snprintf(buf, cap, "%.3f s", s);
    else if (s >= 1e-3) snprintf(buf, cap, "%.2f ms", s * 1e3);
    else snprintf(buf, cap, "%.1f us", s * 1e6);
    return buf;
}

/* KV bytes per chip on tier i: each sequence's own, and the shared prefix's. */
static double kv_on_tier(const predict_result_t *r, int i)
{
    return (r->kv_B - r->kv_prefix_B) * r->placement.kv[i] + r->kv_prefix_B * r->placement.kv_prefix[i];
}

static json_t *phase_json(const predict_result_t *r, const phase_cost_t *ph)
{
    char name[64];
    json_t *o = json_object();
    json_object_set_new(o, "step_s", json_real(ph->step_s));
    json_t *ops = json_object();
    for (int k = 0; k < OP_COUNT; k++)
        if (ph->cost.by_op[k] > 0)
            json_object_set_new(ops, op_kind_names[k], json_real(ph->cost.by_op[k]));
    json_object_set_new(o, "by_operator", ops);
    json_t *b = json_object();
    for (int k = 0; k < BOUND_COUNT; k++)
        if (ph->cost.by_bound[k] > 0)
            json_object_set_new(b, engine_bound_name(r->depp, k, name, sizeof name), json_real(ph->cost.by_bound[k]));
    json_object_set_new(o, "by_bound", b);
    json_object_set_new(o, "flops_per_chip", json_real(ph->cost.flops));
    json_object_set_new(o, "arithmetic_intensity_flop_per_byte", json_real(ph->intensity));
    coll_report_t cr[OP_COUNT];
    int nc = engine_collectives(r->depp, &ph->cost, cr, OP_COUNT);
    json_t *cl = json_array();
    for (int i = 0; i < nc; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "operator", json_string(op_kind_names[cr[i].op]));
        json_object_set_new(x, "collective", json_string(coll_kind_names[cr[i].kind]));
        json_object_set_new(x, "chips", json_integer(cr[i].chips));
        json_object_set_new(x, "level", json_string(cr[i].level >= 0 ? r->depp->sys->level[cr[i].level].name : ""));
        json_object_set_new(x, "algorithm", json_string(coll_algo_names[cr[i].algo]));
        json_object_set_new(x, "hops", json_real(cr[i].hops));
        json_object_set_new(x, "bytes", json_real(cr[i].bytes));
        json_object_set_new(x, "busiest_group_factor", json_real(cr[i].busiest));
        json_object_set_new(x, "calls", json_real(cr[i].calls));
        json_object_set_new(x, "time_per_call_s", json_real(cr[i].time_s));
        json_object_set_new(x, "latency_per_call_s", json_real(cr[i].latency_s));
        json_object_set_new(x, "bandwidth_per_call_s", json_real(cr[i].bandwidth_s));
        json_object_set_new(x, "total_s", json_real(cr[i].time_s * cr[i].calls));
        json_array_append_new(cl, x);
    }
    json_object_set_new(o, "collectives", cl);
    return o;
}

static json_t *num_or_null(int known, double v)
{
    return known ? json_real(v) : json_null();
}

void report_cost_json(json_t *o, const cost_result_t *c, const site_t *site)
{
    int k = c->known;
    json_object_set_new(o, "energy_j_per_token", num_or_null(k, c->energy_j_per_token));
    json_object_set_new(o, "energy_j_per_request", num_or_null(k, c->energy_j_per_request));
    json_object_set_new(o, "avg_power_w", num_or_null(k, c->wall_power_W));
    json_object_set_new(o, "tokens_per_joule", num_or_null(k, c->tokens_per_joule));
    json_object_set_new(o, "usd_per_mtok_output", num_or_null(k, c->usd_per_mtok_output));
    json_object_set_new(o, "usd_per_mtok_input", num_or_null(k, c->usd_per_mtok_input));
    json_object_set_new(o, "gco2e_per_mtok", num_or_null(k, c->gco2e_per_mtok));
    json_t *e = json_object();
    json_object_set_new(e, "chip_power_w", num_or_null(k, c->chip_power_W));
    json_object_set_new(e, "chip_dynamic_w", num_or_null(k, c->chip_dynamic_W));
    json_object_set_new(e, "tdp_w", json_real(c->tdp_W));
    json_object_set_new(e, "tdp_binds", json_boolean(c->tdp_binds));
    json_object_set_new(e, "tdp_clock_factor", num_or_null(k, c->tdp_clock_factor));
    json_object_set_new(e, "it_power_w", num_or_null(k, c->it_power_W));
    json_object_set_new(e, "wall_power_w", num_or_null(k, c->wall_power_W));
    json_object_set_new(e, "wall_idle_w", num_or_null(k, c->wall_idle_W));
    json_object_set_new(e, "avg_wall_power_w_with_utilization", num_or_null(k, c->avg_wall_power_W));
    json_object_set_new(e, "chip_energy_j_per_token", num_or_null(k, c->chip_energy_j_per_token));
    json_object_set_new(e, "prefill_time_share", num_or_null(k, c->prefill_share));
    json_object_set_new(e, "servers", json_integer(c->servers));
    if (c->battery_tokens > 0) {
        json_object_set_new(e, "battery_tokens_per_charge", json_real(c->battery_tokens));
        json_object_set_new(e, "battery_hours", json_real(c->battery_hours));
    }
    json_object_set_new(o, "energy", e);
    json_t *t = json_object();
    json_object_set_new(t, "site", json_string(site->name));
    json_object_set_new(t, "capex_usd", num_or_null(k, c->capex_usd));
    json_object_set_new(t, "capex_chips_usd", num_or_null(k, c->capex_chips_usd));
    json_object_set_new(t, "capex_servers_usd", num_or_null(k, c->capex_servers_usd));
    json_object_set_new(t, "capex_network_usd", num_or_null(k, c->capex_network_usd));
    json_object_set_new(t, "usd_per_hour", num_or_null(k, c->tco_usd_per_s * 3600));
    json_object_set_new(t, "capex_usd_per_hour", num_or_null(k, c->tco_capex_usd_per_s * 3600));
    json_object_set_new(t, "energy_usd_per_hour", num_or_null(k, c->tco_energy_usd_per_s * 3600));
    json_object_set_new(t, "space_usd_per_hour", num_or_null(k, c->tco_space_usd_per_s * 3600));
    json_object_set_new(t, "utilization", json_real(site->utilization));
    json_object_set_new(o, "tco", t);
    json_t *cb = json_object();
    json_object_set_new(cb, "embodied_kgco2e", num_or_null(k, c->embodied_kg));
    json_object_set_new(cb, "operational_gco2e_per_hour", num_or_null(k, c->gco2e_per_s_operational * 3600));
    json_object_set_new(cb, "embodied_gco2e_per_hour", num_or_null(k, c->gco2e_per_s_embodied * 3600));
    json_object_set_new(o, "carbon", cb);
    if (c->deployments >= 0) {
        json_t *b = json_object();
        json_object_set_new(b, "deployments", json_integer(c->deployments));
        json_object_set_new(b, "binding", json_string(c->binding_budget));
        json_object_set_new(b, "output_tok_s", json_real(c->budget_output_tok_s));
        json_object_set_new(b, "by_power", json_integer(c->deployments_by_power));
        json_object_set_new(b, "by_space", json_integer(c->deployments_by_space));
        json_object_set_new(b, "by_carbon", json_integer(c->deployments_by_carbon));
        json_object_set_new(o, "budgets", b);
    }
}

json_t *report_predict_json(const predict_result_t *r, const model_t *m, const system_t *s,
                            const predict_req_t *req, const cost_result_t *c, const site_t *site, const diag_t *d)
{
    const plan_t *p = &req->cfg.plan;
    json_t *o = json_object();
    json_object_set_new(o, "ttft_s", json_real(r->ttft_s));
    json_object_set_new(o, "tpot_s", json_real(r->tpot_s));
    json_object_set_new(o, "e2e_s", json_real(r->e2e_s));
    json_object_set_new(o, "output_tok_s", json_real(r->output_tok_s));
    json_object_set_new(o, "output_tok_s_per_user", json_real(r->output_tok_s_per_user));
    json_object_set_new(o, "output_tok_s_per_chip", json_real(r->output_tok_s_per_chip));
    json_object_set_new(o, "total_tok_s", json_real(r->total_tok_s));
    json_object_set_new(o, "batch", json_integer(r->batch));
    json_object_set_new(o, "max_batch", json_integer(r->max_batch));
    json_object_set_new(o, "scenario", json_string(r->steady ? "steady_state" : "static_batch"));
    json_object_set_new(o, "fits", json_boolean(r->fits));
    if (!r->fits)
        json_object_set_new(o, "reason", json_string(r->reason));

    json_t *mo = json_object();
    json_object_set_new(mo, "name", json_string(m->name));
    json_object_set_new(mo, "architecture", json_string(m->architecture));
    json_object_set_new(mo, "params_total", json_real(r->params_total));
    json_object_set_new(mo, "params_active", json_real(r->params_active));
    json_object_set_new(mo, "params_active_compute", json_real(model_params_active_compute(m)));
    json_object_set_new(mo, "kv_bytes_per_token", json_real(r->kv_bytes_per_token));
    json_object_set_new(o, "model", mo);

    json_t *so = json_object();
    json_object_set_new(so, "name", json_string(s->name));
    json_object_set_new(so, "chips", json_integer(p->chips));
    json_object_set_new(so, "tp", json_integer(p->tp));
    json_object_set_new(so, "pp", json_integer(p->pp));
    json_object_set_new(so, "ep", json_integer(p->ep));
    json_object_set_new(so, "dp", json_integer(p->dp));
    json_object_set_new(so, "expert_skew", json_real(req->cfg.expert_skew));
    json_object_set_new(so, "decode_attention", json_string(req->cfg.decode_attn_per_head ? "per_head" : "grouped"));
    json_object_set_new(so, "expert_slots", json_integer(req->cfg.expert_slots > 0 ? req->cfg.expert_slots : m->n_experts));
    json_object_set_new(o, "system", so);

    json_t *pr = json_object();
    json_object_set_new(pr, "weights", json_string(req->cfg.weights.name));
    json_object_set_new(pr, "experts", json_string(req->cfg.experts.name));
    json_object_set_new(pr, "embeddings", json_string(req->cfg.embed.name));
    json_object_set_new(pr, "kv", json_string(req->cfg.kv.name));
    json_object_set_new(pr, "act", json_string(req->cfg.act.name));
    json_object_set_new(pr, "gemm_compute", json_string(compute_class_names[r->depp->gemm_cc]));
    json_object_set_new(pr, "dense_gemm_compute", json_string(compute_class_names[r->depp->dense_cc]));
    json_object_set_new(pr, "expert_gemm_compute", json_string(compute_class_names[r->depp->expert_cc]));
    json_object_set_new(o, "precision", pr);

    json_t *wl = json_object();
    json_object_set_new(wl, "isl", json_integer(req->isl));
    json_object_set_new(wl, "osl", json_integer(req->osl));
    json_object_set_new(wl, "prefill_chunk", json_integer(req->prefill_chunk));
    json_object_set_new(wl, "batch_per_replica", json_integer(r->batch_per_replica));
    json_object_set_new(wl, "shared_prefix", json_integer(req->cfg.shared_prefix));
    if (r->diffusion_steps > 0) {
        json_t *df = json_object();
        json_object_set_new(df, "steps", json_integer(r->diffusion_steps));
        json_object_set_new(df, "block", json_integer(r->diffusion_block));
        json_object_set_new(df, "block_cache", json_boolean(req->diffusion_cache));
        json_object_set_new(wl, "diffusion", df);
    }
    json_object_set_new(o, "workload", wl);

    json_t *mem = json_object();
    for (int i = 0; i < s->n_tiers; i++) {
        json_t *t = json_object();
        int at = i == r->placement.act_tier;
        json_object_set_new(t, "capacity", json_real(s->tier[i].capacity_B));
        json_object_set_new(t, "weights", json_real(r->weights_B * r->placement.weights[i]));
        json_object_set_new(t, "kv", json_real(kv_on_tier(r, i)));
        if (r->kv_prefix_B > 0)
            json_object_set_new(t, "kv_shared_prefix", json_real(r->kv_prefix_B * r->placement.kv_prefix[i]));
        json_object_set_new(t, "workspace", json_real(at ? r->workspace_B : 0));
        json_object_set_new(t, "reserved", json_real(at ? r->reserved_B : 0));
        json_object_set_new(t, "used", json_real(r->placement.used_B[i]));
        json_object_set_new(mem, s->tier[i].name, t);
    }
    json_object_set_new(mem, "needed", json_real(r->mem_need_B));
    json_object_set_new(o, "memory", mem);

    json_t *br = json_object();
    json_object_set_new(br, "decode", phase_json(r, &r->decode));
    json_object_set_new(br, "prefill", phase_json(r, &r->prefill));
    json_object_set_new(o, "breakdown", br);

    json_t *rf = json_object();
    json_object_set_new(rf, "decode_flop_per_byte", json_real(r->decode.intensity));
    json_object_set_new(rf, "prefill_flop_per_byte", json_real(r->prefill.intensity));
    json_object_set_new(rf, "ridge_flop_per_byte", json_real(r->ridge_flop_per_byte));
    json_object_set_new(rf, "decode_compute_bound_from_batch",
                        r->compute_bound_batch > 0 ? json_integer((json_int_t)r->compute_bound_batch * p->dp) : json_null());
    json_object_set_new(o, "roofline", rf);

    report_cost_json(o, c, site);
    if (r->wear_tier >= 0) {
        json_t *wr = json_object();
        json_object_set_new(wr, "tier", json_string(s->tier[r->wear_tier].name));
        json_object_set_new(wr, "write_GBps_per_chip", json_real(r->wear_write_Bps / 1e9));
        json_object_set_new(wr, "endurance_pe_cycles", json_real(s->tier[r->wear_tier].endurance_pe));
        json_object_set_new(wr, "wear_lifetime_days",
                            r->wear_lifetime_s > 0 ? json_real(r->wear_lifetime_s / 86400) : json_null());
        json_object_set_new(o, "wear", wr);
    }
    json_t *tiers = json_array();
    for (int i = 0; i < s->n_tiers; i++) {
        json_t *t = json_object();
        json_object_set_new(t, "name", json_string(s->tier[i].name));
        json_object_set_new(t, "sustained_Bps", json_real(r->depp->tier_bw[i]));
        json_object_set_new(t, "inflight_needed_bytes", json_real(r->depp->inflight_need_B[i]));
        json_object_set_new(t, "inflight_held_on_chip", json_boolean(r->depp->inflight_held[i]));
        json_array_append_new(tiers, t);
    }
    json_object_set_new(o, "latency_hiding", tiers);

    json_t *w = json_array();
    for (int i = 0; d && i < d->n_warnings; i++)
        json_array_append_new(w, json_string(d->warnings[i]));
    json_object_set_new(o, "warnings", w);
    return o;
}

static int dominant_bound(const step_cost_t *c)
{
    int best = 0;
    for (int k = 1; k < BOUND_COUNT; k++)
        if (c->by_bound[k] > c->by_bound[best])
            best = k;
    return best;
}

static void phase_text(FILE *f, const predict_result_t *r, const char *title, const phase_cost_t *ph)
{
    char b1[32], name[64];
    double t = 0;
    for (int k = 0; k < BOUND_COUNT; k++)
        t += ph->cost.by_bound[k];
    fprintf(f, "\n%s: %s, bound by %s\n", title, fmt_time(ph->step_s, b1, sizeof b1),
            engine_bound_name(r->depp, dominant_bound(&ph->cost), name, sizeof name));
    fprintf(f, "  %-22s %10s %6s    %-24s %10s %6s\n", "by operator", "time", "share", "by bound", "time", "share");
    int ops[OP_COUNT], no = 0, bs[BOUND_COUNT], nb = 0;
    for (int k = 0; k < OP_COUNT; k++)
        if (ph->cost.by_op[k] > 0) ops[no++] = k;
    for (int k = 0; k < BOUND_COUNT; k++)
        if (ph->cost.by_bound[k] > 0) bs[nb++] = k;
    /* largest first */
    for (int i = 0; i < no; i++)
        for (int j = i + 1; j < no; j++)
            if (ph->cost.by_op[ops[j]] > ph->cost.by_op[ops[i]]) { int x = ops[i]; ops[i] = ops[j]; ops[j] = x; }
    for (int i = 0; i < nb; i++)
        for (int j = i + 1; j < nb; j++)
            if (ph->cost.by_bound[bs[j]] > ph->cost.by_bound[bs[i]]) { int x = bs[i]; bs[i] = bs[j]; bs[j] = x; }
    int rows = no > nb ? no : nb;
    for (int i = 0; i < rows; i++) {
        char a[32] = "", c[32] = "";
        if (i < no)
            fprintf(f, "  %-22s %10s %5.1f%%", op_kind_names[ops[i]], fmt_time(ph->cost.by_op[ops[i]], a, sizeof a),
                    t > 0 ? 100.0 * ph->cost.by_op[ops[i]] / t : 0);
        else
            fprintf(f, "  %-22s %10s %6s", "", "", "");
        if (i < nb)
            fprintf(f, "    %-24s %10s %5.1f%%", engine_bound_name(r->depp, bs[i], name, sizeof name),
                    fmt_time(ph->cost.by_bound[bs[i]], c, sizeof c), t > 0 ? 100.0 * ph->cost.by_bound[bs[i]] / t : 0);
        fprintf(f, "\n");
    }
    fprintf(f, "  arithmetic intensity %.1f FLOP/byte (chip ridge point %.0f FLOP/byte)\n", ph->intensity,
            r->ridge_flop_per_byte);
    coll_report_t cr[OP_COUNT];
    int nc = engine_collectives(r->depp, &ph->cost, cr, OP_COUNT);
    for (int i = 0; i < nc; i++) {
        char by[32], tc[32], tl[32], tt[32], bz[48] = "";
        if (cr[i].busiest > 1.0005)
            snprintf(bz, sizeof bz, " (the busiest group's x%.3g)", cr[i].busiest);
        fprintf(f, "  %s %s: %.0f x %s among %d chips on %s (%s, %g hops), %s each%s: %s per call (%s latency), %s in all\n",
                i ? "           " : "collectives", op_kind_names[cr[i].op], cr[i].calls, coll_kind_names[cr[i].kind],
                cr[i].chips, cr[i].level >= 0 ? r->depp->sys->level[cr[i].level].name : "?", coll_algo_names[cr[i].algo],
                cr[i].hops,
                fmt_bytes(cr[i].bytes, by, sizeof by), bz, fmt_time(cr[i].time_s, tc, sizeof tc),
                fmt_time(cr[i].latency_s, tl, sizeof tl), fmt_time(cr[i].time_s * cr[i].calls, tt, sizeof tt));
    }
}

void report_predict_text(FILE *f, const predict_result_t *r, const model_t *m, const system_t *s,
                         const predict_req_t *req, const cost_result_t *cr, const site_t *site, const diag_t *d)
{
    const plan_t *p = &req->cfg.plan;
    char a[32], b[32], c[32], e[32], g[32];
    fprintf(f, "%s on %d x %s (TP %d, PP %d, EP %d, DP %d", m->name, p->chips, s->name, p->tp, p->pp, p->ep, p->dp);
    if (req->cfg.expert_slots > 0)
        fprintf(f, "; %d expert slots", req->cfg.expert_slots);
    if (req->cfg.expert_skew > 0)
        fprintf(f, "; experts' load CV %g", req->cfg.expert_skew);
    if (req->cfg.decode_attn_per_head)
        fprintf(f, "; per-head decode attention");
    fprintf(f, ")\n");
    const deploy_t *dp = r->depp;
    char wider[128] = ""; /* GEMMs over wider weights run at their format's rate */
    int nw = 0;
    if (dp->dense_cc != dp->gemm_cc)
        nw = snprintf(wider, sizeof wider, "; the %s weights' at %s", req->cfg.weights.name,
                      compute_class_names[dp->dense_cc]);
    if (m->n_experts > 0 && dp->expert_cc != dp->gemm_cc)
        snprintf(wider + nw, sizeof wider - nw, "%s the %s experts' at %s", nw ? "," : ";", req->cfg.experts.name,
                 compute_class_names[dp->expert_cc]);
    fprintf(f, "precision   weights %s, experts %s, KV %s, activations %s (GEMMs at %s rate%s)\n",
            req->cfg.weights.name, req->cfg.experts.name, req->cfg.kv.name, req->cfg.act.name,
            compute_class_names[dp->gemm_cc], wider);
    fprintf(f, "model       %s parameters, %s active per token; KV cache %s per token\n",
            fmt_count(r->params_total, a, sizeof a), fmt_count(r->params_active, b, sizeof b),
            fmt_bytes(r->kv_bytes_per_token, c, sizeof c));
    fprintf(f, "workload    batch %d (%s), ISL %d, OSL %d; largest batch that fits: %d\n", r->batch,
            r->steady ? "steady-state continuous batching" : "static batch", req->isl, req->osl, r->max_batch);
    if (r->diffusion_steps > 0)
        fprintf(f, "diffusion   masked diffusion: the answer unmasked over %d denoising steps in blocks of %d tokens, %s\n",
                r->diffusion_steps, r->diffusion_block,
                req->diffusion_cache ? "block-wise KV cache (Fast-dLLM)" : "no KV cache (every step runs the whole sequence)");
    if (!r->fits)
        fprintf(f, "DOES NOT FIT: %s\n", r->reason);
    fprintf(f, "\nlatency     TTFT %s   TPOT %s   end-to-end %s\n", fmt_time(r->ttft_s, a, sizeof a),
            fmt_time(r->tpot_s, b, sizeof b), fmt_time(r->e2e_s, c, sizeof c));
    fprintf(f, "throughput  %.1f output tok/s (%.1f per chip), %.1f tok/s per user, %.1f total tok/s\n",
            r->output_tok_s, r->output_tok_s_per_chip, r->output_tok_s_per_user, r->total_tok_s);

    if (cr->known) {
        fprintf(f, "energy      %.3f J per output token at the wall (%.3f J at the chips), %.2f tokens per joule, "
                   "%.0f J per request\n",
                cr->energy_j_per_token, cr->chip_energy_j_per_token, cr->tokens_per_joule, cr->energy_j_per_request);
        if (s->battery_J > 0)
            fprintf(f, "power       %.2f W for the chip (TDP %.0f W%s), %.2f W for the device\n", cr->chip_power_W, cr->tdp_W,
                    cr->tdp_binds ? ", EXCEEDED: clock capped" : "", cr->wall_power_W);
        else
            fprintf(f, "power       %.0f W per chip (TDP %.0f W%s), %.1f kW for the deployment at the wall (PUE %.2f)\n",
                    cr->chip_power_W, cr->tdp_W, cr->tdp_binds ? ", EXCEEDED: clock capped" : "", cr->wall_power_W / 1e3,
                    site->pue);
        if (cr->battery_tokens > 0)
            fprintf(f, "battery     %.0f output tokens per charge (%.1f hours of generation)\n", cr->battery_tokens,
                    cr->battery_hours);
        fprintf(f, "cost        $%.3f per million output tokens, $%.3f per million input tokens (site %s, %.0f%% utilization)\n",
                cr->usd_per_mtok_output, cr->usd_per_mtok_input, site->name, 100 * site->utilization);
        fprintf(f, "            TCO $%.2f per hour: capital $%.2f, energy $%.2f, space $%.2f\n", cr->tco_usd_per_s * 3600,
                cr->tco_capex_usd_per_s * 3600, cr->tco_energy_usd_per_s * 3600, cr->tco_space_usd_per_s * 3600);
        fprintf(f, "carbon      %.1f g CO2e per million output tokens (operational %.0f g/h, embodied %.0f g/h)\n",
                cr->gco2e_per_mtok, cr->gco2e_per_s_operational * 3600, cr->gco2e_per_s_embodied * 3600);
        if (cr->deployments >= 0)
            fprintf(f, "budgets     the site holds %ld such deployments (bound by %s): %.0f output tok/s\n",
                    cr->deployments, cr->binding_budget, cr->budget_output_tok_s);
    }

    fprintf(f, "\nmemory per chip %-12s %10s %10s %10s %12s %10s\n", "", "capacity", "weights", "KV cache", "work+reserve", "free");
    for (int i = 0; i < s->n_tiers; i++) {
        double ws = i == r->placement.act_tier ? r->workspace_B + r->reserved_B : 0;
        double fr = s->tier[i].capacity_B - r->placement.used_B[i];
        fprintf(f, "  %-26s %10s %10s %10s %12s %10s\n", s->tier[i].name, fmt_bytes(s->tier[i].capacity_B, a, sizeof a),
                fmt_bytes(r->weights_B * r->placement.weights[i], b, sizeof b),
                fmt_bytes(kv_on_tier(r, i), c, sizeof c), fmt_bytes(ws, e, sizeof e),
                fr >= 0 ? fmt_bytes(fr, g, sizeof g) : "-");
    }

    char title[160];
    if (r->diffusion_steps > 0) {
        int L = req->isl + req->osl;
        if (req->diffusion_cache) {
            snprintf(title, sizeof title, "denoising step inside a block (batch %d per replica, %d tokens against %d cached)",
                     r->batch_per_replica, r->diffusion_block, L - r->diffusion_block);
            phase_text(f, r, title, &r->decode);
        }
        snprintf(title, sizeof title, "%s (batch %d per replica, %d tokens, bidirectional)",
                 req->diffusion_cache ? "block's first step, refreshing the cache" : "denoising step", r->batch_per_replica, L);
        phase_text(f, r, title, &r->prefill);
    } else {
        snprintf(title, sizeof title, "decode step (batch %d per replica, mean context %d)", r->batch_per_replica,
                 req->isl + req->osl / 2);
        phase_text(f, r, title, &r->decode);
        if (r->compute_bound_batch > 0)
            fprintf(f, "  decode turns compute-bound at batch %d per replica\n", r->compute_bound_batch);
        else
            fprintf(f, "  decode stays memory/latency-bound at every batch up to 1M\n");
        snprintf(title, sizeof title, "prefill step (%s)",
                 r->steady ? "first chunk mixed with the decode batch" : "first chunk of the batch's prompts");
        phase_text(f, r, title, &r->prefill);
    }
    if (r->wear_tier >= 0)
        fprintf(f, "\nflash wear  the KV cache writes %.2f GB/s per chip to %s: %s%.1f days of life at %.0f P/E cycles\n",
                r->wear_write_Bps / 1e9, s->tier[r->wear_tier].name, r->wear_lifetime_s > 0 ? "" : "(endurance unknown) ",
                r->wear_lifetime_s / 86400, s->tier[r->wear_tier].endurance_pe);
    if (d && d->n_warnings) {
        fprintf(f, "\nwarnings\n");
        for (int i = 0; i < d->n_warnings; i++)
            fprintf(f, "  - %s\n", d->warnings[i]);
    }
}

void report_predict_csv(FILE *f, const predict_result_t *r, const model_t *m, const system_t *s,
                        const predict_req_t *req, const cost_result_t *c, int header)
{
    const plan_t *p = &req->cfg.plan;
    if (header)
        fprintf(f, "model,system,chips,tp,pp,ep,dp,weights,kv,act,batch,max_batch,isl,osl,fits,ttft_s,tpot_s,e2e_s,"
                   "output_tok_s,output_tok_s_per_user,output_tok_s_per_chip,total_tok_s,mem_needed_bytes,"
                   "energy_j_per_token,avg_power_w,tokens_per_joule,usd_per_mtok_output,usd_per_mtok_input,gco2e_per_mtok\n");
    csv_put(f, m->name); /* names from users' files may hold commas */
    fputc(',', f);
    csv_put(f, s->name);
    fprintf(f, ",%d,%d,%d,%d,%d,%s,%s,%s,%d,%d,%d,%d,%s,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g", p->chips, p->tp,
            p->pp, p->ep, p->dp, req->cfg.weights.name, req->cfg.kv.name, req->cfg.act.name, r->batch, r->max_batch,
            req->isl, req->osl, r->fits ? "true" : "false", r->ttft_s, r->tpot_s, r->e2e_s,
            r->output_tok_s, r->output_tok_s_per_user, r->output_tok_s_per_chip, r->total_tok_s, r->mem_need_B);
    if (c->known)
        fprintf(f, ",%.9g,%.9g,%.9g,%.9g,%.9g,%.9g\n", c->energy_j_per_token, c->wall_power_W, c->tokens_per_joule,
                c->usd_per_mtok_output, c->usd_per_mtok_input, c->gco2e_per_mtok);
    else
        fprintf(f, ",,,,,,\n");
}
