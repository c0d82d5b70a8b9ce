/*
 * report_serve.c — see report_serve.h.
 */
#include "report_serve.h"

#include "svg.h"

#include <jansson.h>
#include <math.h>
#include <sys/resource.h>

static const char *fmt_s(double s, char *buf, size_t cap)
{
    if (s >= 1.0)
        snprintf(buf, cap, "%.3f s", s);
    else if (s >= 1e-3)
        snprintf(buf, cap, "%.2f ms", s * 1e3);
    else
        snprintf(buf, cap, "%.1f us", s * 1e6);
    return buf;
}

static void dist_line(FILE *f, const char *name, const histogram_t *h)
{
    char a[32], b[32], c[32], d[32];
    if (h->n == 0) {
        fprintf(f, "  %-6s -\n", name);
        return;
    }
    fprintf(f, "  %-6s mean %-10s p50 %-10s p90 %-10s p99 %s\n", name, fmt_s(hist_mean(h), a, sizeof a),
            fmt_s(hist_quantile(h, 0.5), b, sizeof b), fmt_s(hist_quantile(h, 0.9), c, sizeof c),
            fmt_s(hist_quantile(h, 0.99), d, sizeof d));
}

void report_serve_text(FILE *f, const serve_result_t *r, const serve_desc_t *x)
{
    fprintf(f, "%s on %s, %s\n", x->model, x->system, x->deployment);
    fprintf(f, "workload    %s\n", x->workload);
    fprintf(f, "scheduler   %s\n\n", x->scheduler);
    fprintf(f, "requests    %ld arrived, %ld completed, %ld rejected (queue full), %ld rejected (larger than the KV "
               "cache); %ld preemptions%s\n",
            r->arrived, r->completed, r->rejected, r->rejected_too_long, r->preemptions,
            r->swaps ? " (swapped to host memory)" : "");
    fprintf(f, "throughput  %.1f output tok/s, %.1f total tok/s, %.3f requests/s over %.1f s\n", r->output_tok_s,
            r->total_tok_s, r->request_s, r->makespan_s);
    fprintf(f, "goodput     %.3f requests/s (%ld of %ld within TTFT <= %g s and TPOT <= %g ms)\n", r->goodput_req_s,
            r->goodput_requests, r->completed, x->cfg->slo_ttft_s, x->cfg->slo_tpot_s * 1e3);
    if (r->cost.known && x->cfg->site) {
        const cost_run_t *c = &r->cost;
        fprintf(f, "energy      %.3f J per output token at the wall, %.1f kW on average for %d chips (site %s, PUE %.2f)\n",
                c->energy_j_per_token, c->avg_wall_power_W / 1e3, r->chips, x->cfg->site->name, x->cfg->site->pue);
        fprintf(f, "cost        $%.3f and %.1f g CO2e per million output tokens (capital, energy and space over the "
                   "run)\n",
                c->usd_per_mtok_output, c->gco2e_per_mtok);
    }
    fprintf(f, "latency\n");
    dist_line(f, "TTFT", &r->ttft);
    dist_line(f, "TPOT", &r->tpot);
    dist_line(f, "ITL", &r->itl);
    dist_line(f, "E2E", &r->e2e);
    dist_line(f, "queue", &r->queue);
    fprintf(f, "load        %.1f requests in the system on average (%.1f waiting, %.1f running; peaks %.0f and %.0f)\n",
            r->mean_in_system, r->mean_waiting, r->mean_running, r->peak_waiting, r->peak_running);
    fprintf(f, "KV cache    %.0f%% used on average, %.0f%% at peak, of %.0f tokens per instance\n", 100 * r->mean_kv_use,
            100 * r->peak_kv_use, r->kv_capacity_tokens);
    if (r->prefix_hit_tokens > 0)
        fprintf(f, "prefixes    %.0f prompt tokens served by the prefix cache (%.0f%% of prompt tokens)\n",
                r->prefix_hit_tokens, 100 * r->prefix_hit_tokens / (r->prefix_hit_tokens + r->prefill_tokens));
    if (r->kv_transfer_mean_s > 0) {
        char a[32];
        fprintf(f, "KV transfer %s per request on average (queueing for the link included)\n",
                fmt_s(r->kv_transfer_mean_s, a, sizeof a));
    }
    if (x->cfg->spec != SPEC_NONE)
        fprintf(f, "speculation %.2f tokens per request per step (%d proposed, %.0f%% accepted each)\n",
                r->spec_tokens_per_step, x->cfg->spec_k, 100 * x->cfg->spec_accept);
    if (x->cfg->host_s_per_iteration > 0 || x->cfg->host_s_per_request > 0)
        fprintf(f, "host        %ld of %ld iterations (%.0f%%) took the host's time, longer than the chips'\n",
                r->host_bound_iterations, r->iterations,
                r->iterations > 0 ? 100.0 * r->host_bound_iterations / r->iterations : 0.0);
    fprintf(f, "simulation  %ld iterations, %ld events and %.0f decode tokens in %.3f s (%.2f M events/s)\n",
            r->iterations, r->events, r->token_deliveries, r->wall_s, r->wall_s > 0 ? r->events / r->wall_s / 1e6 : 0);
}

static json_t *jr(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *dist(const histogram_t *h)
{
    json_t *o = json_object();
    json_object_set_new(o, "mean", jr(hist_mean(h)));
    json_object_set_new(o, "p50", jr(hist_quantile(h, 0.5)));
    json_object_set_new(o, "p90", jr(hist_quantile(h, 0.9)));
    json_object_set_new(o, "p99", jr(hist_quantile(h, 0.99)));
    json_object_set_new(o, "max", jr(h->n ? h->max : 0));
    json_object_set_new(o, "count", json_integer((json_int_t)h->n));
    return o;
}

void *report_serve_json(const serve_result_t *r, const serve_desc_t *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "model", json_string(x->model));
    json_object_set_new(o, "system", json_string(x->system));
    json_object_set_new(o, "deployment", json_string(x->deployment));
    json_object_set_new(o, "workload", json_string(x->workload));
    json_object_set_new(o, "scheduler", json_string(x->scheduler));
    json_object_set_new(o, "requests_arrived", json_integer(r->arrived));
    json_object_set_new(o, "requests_completed", json_integer(r->completed));
    json_object_set_new(o, "requests_rejected", json_integer(r->rejected));
    json_object_set_new(o, "requests_too_long", json_integer(r->rejected_too_long));
    json_object_set_new(o, "preemptions", json_integer(r->preemptions));
    json_object_set_new(o, "swaps", json_integer(r->swaps));
    json_object_set_new(o, "output_tok_s", jr(r->output_tok_s));
    json_object_set_new(o, "total_tok_s", jr(r->total_tok_s));
    json_object_set_new(o, "request_s", jr(r->request_s));
    json_object_set_new(o, "goodput_req_s", jr(r->goodput_req_s));
    json_object_set_new(o, "goodput_requests", json_integer(r->goodput_requests));
    json_t *slo = json_object();
    json_object_set_new(slo, "ttft_s", jr(x->cfg->slo_ttft_s));
    json_object_set_new(slo, "tpot_s", jr(x->cfg->slo_tpot_s));
    json_object_set_new(o, "slo", slo);
    json_object_set_new(o, "makespan_s", jr(r->makespan_s));
    json_object_set_new(o, "chips", json_integer(r->chips));
    if (r->cost.known && x->cfg->site) {
        const cost_run_t *c = &r->cost;
        json_object_set_new(o, "energy_j_per_token", jr(c->energy_j_per_token));
        json_object_set_new(o, "avg_power_w", jr(c->avg_wall_power_W));
        json_object_set_new(o, "usd_per_mtok_output", jr(c->usd_per_mtok_output));
        json_object_set_new(o, "gco2e_per_mtok", jr(c->gco2e_per_mtok));
        json_t *e = json_object();
        json_object_set_new(e, "site", json_string(x->cfg->site->name));
        json_object_set_new(e, "chip_dynamic_j", jr(c->chip_dynamic_J));
        json_object_set_new(e, "it_j", jr(c->it_J));
        json_object_set_new(e, "wall_j", jr(c->wall_J));
        json_object_set_new(e, "tco_usd", jr(c->tco_usd));
        json_object_set_new(e, "gco2e", jr(c->gco2e));
        json_object_set_new(o, "energy", e);
    }
    json_object_set_new(o, "ttft_s", dist(&r->ttft));
    json_object_set_new(o, "tpot_s", dist(&r->tpot));
    json_object_set_new(o, "itl_s", dist(&r->itl));
    json_object_set_new(o, "e2e_s", dist(&r->e2e));
    json_object_set_new(o, "queue_s", dist(&r->queue));
    json_object_set_new(o, "input_tokens", jr(r->input_tokens));
    json_object_set_new(o, "output_tokens", jr(r->output_tokens));
    json_object_set_new(o, "prefill_tokens", jr(r->prefill_tokens));
    json_object_set_new(o, "prefix_hit_tokens", jr(r->prefix_hit_tokens));
    json_object_set_new(o, "mean_in_system", jr(r->mean_in_system));
    json_object_set_new(o, "mean_arrival_rate", jr(r->mean_arrival_rate));
    json_object_set_new(o, "mean_waiting", jr(r->mean_waiting));
    json_object_set_new(o, "peak_waiting", jr(r->peak_waiting));
    json_object_set_new(o, "mean_running", jr(r->mean_running));
    json_object_set_new(o, "peak_running", jr(r->peak_running));
    json_object_set_new(o, "mean_kv_use", jr(r->mean_kv_use));
    json_object_set_new(o, "peak_kv_use", jr(r->peak_kv_use));
    json_object_set_new(o, "kv_capacity_tokens", jr(r->kv_capacity_tokens));
    json_object_set_new(o, "kv_transfer_mean_s", jr(r->kv_transfer_mean_s));
    json_object_set_new(o, "spec_tokens_per_step", jr(r->spec_tokens_per_step));
    json_object_set_new(o, "instances", json_integer(r->instances));
    json_object_set_new(o, "iterations", json_integer(r->iterations));
    json_object_set_new(o, "host_bound_iterations", json_integer(r->host_bound_iterations));
    json_object_set_new(o, "events", json_integer(r->events));
    json_object_set_new(o, "decode_tokens", jr(r->token_deliveries));
    json_object_set_new(o, "wall_s", jr(r->wall_s));
    json_object_set_new(o, "events_per_s", jr(r->wall_s > 0 ? r->events / r->wall_s : 0));
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0) /* Linux reports kilobytes */
        json_object_set_new(o, "peak_rss_bytes", json_integer((json_int_t)ru.ru_maxrss * 1024));
    return o;
}

void report_serve_svg(FILE *f, const serve_result_t *r, const serve_desc_t *x)
{
    static double kv_pct[SERVE_MAX_SAMPLES];
    for (int i = 0; i < r->n_samples; i++)
        kv_pct[i] = 100 * r->ts_kv[i];
    char t1[256], t2[256];
    snprintf(t1, sizeof t1, "%s on %s: requests over time", x->model, x->system);
    snprintf(t2, sizeof t2, "%s on %s: KV-cache use and output rate", x->model, x->system);
    svg_plot_t p[2] = {
        {.title = t1, .x_label = "time (s)", .y_label = "requests", .n_series = 2},
        {.title = t2, .x_label = "time (s)", .y_label = "KV-cache use (%) / output tokens per s (x1000)", .n_series = 2},
    };
    static double tok_k[SERVE_MAX_SAMPLES];
    for (int i = 0; i < r->n_samples; i++)
        tok_k[i] = r->ts_tok_s[i] / 1000;
    p[0].series[0] = (svg_series_t){"waiting", r->ts_t, r->ts_waiting, r->n_samples, 1};
    p[0].series[1] = (svg_series_t){"running", r->ts_t, r->ts_running, r->n_samples, 1};
    p[1].series[0] = (svg_series_t){"KV-cache use (%)", r->ts_t, kv_pct, r->n_samples, 1};
    p[1].series[1] = (svg_series_t){"output tokens/s (thousands)", r->ts_t, tok_k, r->n_samples, 1};
    svg_write_stack(f, p, 2);
}
