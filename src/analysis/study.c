/*
 * study.c — the paper study (see study.h).
 *
 * Sections, as the paper argues:
 *  1. arithmetic intensity of prefill and decode against chips' ridge points;
 *  2. the memory-technology table, GB/s per W and GB per W computed from Table 3;
 *  3. the directions (HBF, 3D stacking, low-latency interconnect, all combined) against
 *     today's HBM system for Llama-3.1-405B, DeepSeek-V3 and a long-context reasoning load;
 *  4. the AI trends: which resource binds each workload;
 *  5. mobile: a phone's tokens/s and joules per token, with weights in DRAM or in flash.
 * Then one verdict per claim, each with the numbers behind it.
 */
#include "study.h"

#include "../io/catalog.h"
#include "../io/fileutil.h"
#include "../io/model_config.h"
#include "../io/paper_yaml.h"
#include "../io/site_yaml.h"
#include "../io/system_yaml.h"
#include "../io/yamlread.h"
#include "cost.h"
#include "directions.h"
#include "predict.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- building the directions from a system ---- */

/* PNM and PIM stay out of the combined row: 3D stacking already puts logic on the memory's base
 * die (PNM's HBM form), and PIM would replace that memory with DRAM-process logic. */
enum variant { V_BASE, V_HBF, V_HBF_TEXT, V_3D, V_LOWLAT, V_SRAM, V_PNM, V_PIM, V_BW2, V_ALL, V_COUNT };
static const char *const variant_names[V_COUNT] = {
    "today (HBM)", "HBF, Table 3 latency", "HBF, the text's latency", "3D memory-logic stacking",
    "low-latency interconnect", "messages landed in SRAM", "processing near memory (PNM)",
    "processing in memory (PIM)", "2x interconnect bandwidth", "HBF + 3D + low latency + SRAM landing"};
static const char *const variant_keys[V_COUNT] = {"base", "hbf", "hbf_text_latency", "stack_3d", "low_latency",
                                                  "sram_landing", "pnm", "pim", "bandwidth_2x", "combined"};

static void make_variant(const system_t *base, int v, const paper_data_t *p, system_t *out)
{
    *out = *base;
    if (v == V_HBF || v == V_ALL)
        directions_add_hbf(out, p, p->hbf_stacks, 0);
    if (v == V_HBF_TEXT)
        directions_add_hbf(out, p, p->hbf_stacks, 1);
    if (v == V_3D || v == V_ALL)
        directions_add_3d(out, p);
    if (v == V_LOWLAT || v == V_ALL)
        directions_add_lowlat(out, p);
    if (v == V_SRAM || v == V_ALL)
        directions_add_sram_landing(out, p);
    if (v == V_PNM || v == V_PIM)
        directions_add_near(out, p, v == V_PIM);
    if (v == V_BW2)
        for (int i = 0; i < out->n_levels; i++)
            out->level[i].bw_Bps *= 2;
    char n[160];
    snprintf(n, sizeof n, "%.40s+%s", base->name, variant_keys[v]);
    snprintf(out->name, sizeof out->name, "%.63s", n);
}

/* ---- running predictions ---- */

typedef struct ctx {
    site_t site;
    paper_data_t paper;
    diag_t scratch;
} ctx_t;

static status_t load_model_named(const char *name, model_t *m, diag_t *d)
{
    char path[4096];
    status_t st = catalog_resolve(CATALOG_MODELS, name, path, sizeof path, d);
    if (st == IS_OK)
        st = model_load(path, m, d);
    if (st == IS_OK)
        snprintf(m->name, sizeof m->name, "%s", name);
    return st;
}

static status_t load_system_named(const char *name, system_t *s, diag_t *d)
{
    char path[4096];
    status_t st = catalog_resolve(CATALOG_SYSTEMS, name, path, sizeof path, d);
    return st == IS_OK ? system_load(path, s, d) : st;
}

static void cfg_for(deploy_cfg_t *c, const model_t *m, const char *weights, const system_t *s)
{
    deploy_cfg_default(c, m);
    if (weights) {
        precision_parse(weights, &c->weights);
        c->experts = c->weights;
        c->embed = deploy_embed_precision(&c->weights);
    }
    compute_class_t wc = c->weights.cc;
    if (wc == CC_FP8 || wc == CC_INT8 || wc == CC_FP4)
        c->act = c->weights;
    precision_parse(wc == CC_FP8 || c->weights.bits <= 8 ? "fp8" : "bf16", &c->kv);
    if (c->kv.cc == CC_FP8 && s->peak_flops[CC_FP8] <= 0)
        precision_parse("bf16", &c->kv);
    /* weights on a read-only tier when the system has one (the HBF direction) */
    c->weights_tier = system_read_only_tier(s);
}

/* One prediction with its cost; returns 0 (r, c filled) or -1. */
static int run(ctx_t *x, const model_t *m, const system_t *s, const deploy_cfg_t *cfg, int batch, int isl, int osl,
               predict_result_t *r, cost_result_t *c)
{
    predict_req_t req;
    predict_req_default(&req, m);
    req.cfg = *cfg;
    req.batch = batch;
    req.isl = isl;
    req.osl = osl;
    diag_clear(&x->scratch);
    if (predict_run(m, s, &req, r, &x->scratch) != IS_OK)
        return -1;
    cost_compute(r, &req, s, &x->site, c, &x->scratch);
    return 0;
}

static json_t *jr(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* A line of the report: a claim, its verdict, the numbers. */
static void verdict(json_t *list, const char *claim, const char *verdict_word, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void verdict(json_t *list, const char *claim, const char *verdict_word, const char *fmt, ...)
{
    char why[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    json_t *o = json_object();
    json_object_set_new(o, "claim", json_string(claim));
    json_object_set_new(o, "verdict", json_string(verdict_word));
    json_object_set_new(o, "numbers", json_string(why));
    json_array_append_new(list, o);
}

/* ---- 1. intensity against ridge points ---- */

static json_t *section_intensity(ctx_t *x, json_t *verdicts, diag_t *d)
{
    static const char *const systems[] = {"a100-sxm", "h100-sxm", "h200", "b200", "mi300x", "tpu-v6e"};
    static model_t m;
    if (load_model_named("llama-3.1-70b", &m, d) != IS_OK)
        return NULL;
    json_t *rows = json_array();
    double min_gap = 1e30;
    int all_mem = 1, all_pre = 1;
    static predict_result_t r;
    cost_result_t c;
    for (size_t k = 0; k < sizeof systems / sizeof systems[0]; k++) {
        static system_t s;
        if (load_system_named(systems[k], &s, d) != IS_OK) {
            json_decref(rows);
            return NULL;
        }
        deploy_cfg_t cfg;
        cfg_for(&cfg, &m, s.peak_flops[CC_FP8] > 0 ? "fp8" : "bf16", &s);
        cfg.plan = (plan_t){8, 8, 1, 1, 1};
        json_t *row = json_object();
        json_object_set_new(row, "system", json_string(systems[k]));
        json_object_set_new(row, "weights", json_string(cfg.weights.name));
        int batches[] = {1, 16, 64, 256};
        json_t *dec = json_object();
        for (int b = 0; b < 4; b++) {
            if (run(x, &m, &s, &cfg, batches[b], 2048, 256, &r, &c) != 0)
                continue;
            char key[16];
            snprintf(key, sizeof key, "%d", batches[b]);
            json_object_set_new(dec, key, jr(r.decode.intensity));
            if (batches[b] == 1) {
                json_object_set_new(row, "ridge_flop_per_byte", jr(r.ridge_flop_per_byte));
                json_object_set_new(row, "prefill_flop_per_byte", jr(r.prefill.intensity));
                json_object_set_new(row, "decode_compute_bound_from_batch", json_integer(r.compute_bound_batch));
                if (r.decode.intensity >= r.ridge_flop_per_byte)
                    all_mem = 0;
                if (r.prefill.intensity < r.ridge_flop_per_byte)
                    all_pre = 0;
                double gap = r.ridge_flop_per_byte / r.decode.intensity;
                if (gap < min_gap)
                    min_gap = gap;
            }
        }
        json_object_set_new(row, "decode_flop_per_byte_by_batch", dec);
        json_array_append_new(rows, row);
    }
    verdict(verdicts, "Decode is memory-bound, prefill compute-bound", all_mem && all_pre ? "holds" : "holds with a caveat",
            "Llama-3.1-70B at TP 8, 2048-token prompts: at batch 1 the decode step's arithmetic intensity is at least %.0fx "
            "below the ridge point of every chip studied; prefill is %s above it",
            min_gap, all_pre ? "everywhere" : "not everywhere");
    return rows;
}

/* ---- 2. memory technologies ---- */

static json_t *section_tech(ctx_t *x, json_t *verdicts)
{
    json_t *rows = json_array();
    const tech_t *hbf = &x->paper.tech[0], *hbm = &x->paper.tech[1];
    for (int i = 0; i < x->paper.n_tech; i++) {
        const tech_t *t = &x->paper.tech[i];
        json_t *o = json_object();
        json_object_set_new(o, "device", json_string(t->name));
        json_object_set_new(o, "capacity_GB", jr(t->cap_GB));
        json_object_set_new(o, "bandwidth_GBps", jr(t->bw_GBps));
        json_object_set_new(o, "power_W", jr(t->power_W));
        json_object_set_new(o, "GBps_per_W", jr(t->bw_GBps / t->power_W));
        json_object_set_new(o, "GB_per_W", jr(t->cap_GB / t->power_W));
        json_object_set_new(o, "read_B", jr(t->read_B));
        json_object_set_new(o, "seconds_to_read_all", jr(t->cap_GB / t->bw_GBps));
        json_array_append_new(rows, o);
    }
    double ratio = hbf->cap_GB / hbm->cap_GB;
    verdict(verdicts, "HBF gives about 10x the capacity of HBM at HBM-like bandwidth",
            ratio >= 8 && ratio <= 12 ? "holds" : "holds with a caveat",
            "one HBF stack %.0f GB against an HBM4 stack %.0f GB: %.1fx, both %.0f GB/s", hbf->cap_GB, hbm->cap_GB, ratio,
            hbf->bw_GBps);
    double t_read = hbf->cap_GB / hbf->bw_GBps;
    verdict(verdicts, "A full HBF stack takes about 0.3 s to read, so HBF suits MoE and cold data more than dense weights",
            fabs(t_read - 0.3) < 0.05 ? "holds" : "holds with a caveat",
            "%.0f GB / %.0f GB/s = %.2f s: a dense model filling the stack decodes at most %.1f tokens/s per stack",
            hbf->cap_GB, hbf->bw_GBps, t_read, 1 / t_read);
    return rows;
}

/* ---- 3. the directions ---- */

static double base_sram(ctx_t *x, const char *name)
{
    static system_t s;
    diag_clear(&x->scratch);
    return load_system_named(name, &s, &x->scratch) == IS_OK ? s.sram_B : 0;
}

typedef struct workload {
    const char *key, *title, *model, *system, *weights;
    int isl, osl;
} workload_t;

#define NOUT 10 /* chips, tpot, tok/s/chip, perf/W, perf/$, perf/CO2e, ttft, latency share, in-flight need, held */

static json_t *direction_row(ctx_t *x, const workload_t *w, const model_t *m, const system_t *base, int v,
                             double out[NOUT])
{
    static system_t s;
    make_variant(base, v, &x->paper, &s);
    deploy_cfg_t cfg;
    cfg_for(&cfg, m, w->weights, &s);
    int tp = 0, pp = 0;
    int chips = predict_fewest_chips(m, &s, &cfg, w->isl, w->osl, 256, &tp, &pp);
    json_t *o = json_object();
    json_object_set_new(o, "direction", json_string(variant_keys[v]));
    json_object_set_new(o, "title", json_string(variant_names[v]));
    json_object_set_new(o, "fewest_chips", json_integer(chips));
    for (int k = 0; k < NOUT; k++)
        out[k] = NAN;
    if (!chips)
        return o;
    /* the fewest chips for capacity; at least 8 (one server) for throughput, as deployments do */
    cfg.plan = (plan_t){chips, tp, pp, 1, 1};
    static predict_result_t r1, rm;
    cost_result_t c1, cm;
    if (run(x, m, &s, &cfg, 1, w->isl, w->osl, &r1, &c1) != 0 || run(x, m, &s, &cfg, 0, w->isl, w->osl, &rm, &cm) != 0)
        return o;
    json_object_set_new(o, "tp", json_integer(tp));
    json_object_set_new(o, "pp", json_integer(pp));
    json_object_set_new(o, "tpot_batch1_s", jr(r1.tpot_s));
    json_object_set_new(o, "ttft_batch1_s", jr(r1.ttft_s));
    json_object_set_new(o, "max_batch", json_integer(rm.batch));
    json_object_set_new(o, "output_tok_s", jr(rm.output_tok_s));
    json_object_set_new(o, "output_tok_s_per_chip", jr(rm.output_tok_s_per_chip));
    double perw = cm.known ? rm.output_tok_s / cm.wall_power_W : NAN;
    json_object_set_new(o, "tok_s_per_W", jr(perw));
    json_object_set_new(o, "tokens_per_usd", jr(cm.known ? 1e6 / cm.usd_per_mtok_output : NAN));
    json_object_set_new(o, "usd_per_mtok_output", jr(cm.known ? cm.usd_per_mtok_output : NAN));
    json_object_set_new(o, "tokens_per_kgco2e", jr(cm.known ? 1e9 / cm.gco2e_per_mtok : NAN));
    json_object_set_new(o, "gco2e_per_mtok", jr(cm.known ? cm.gco2e_per_mtok : NAN));
    json_object_set_new(o, "wall_power_W", jr(cm.known ? cm.wall_power_W : NAN));
    json_object_set_new(o, "decode_net_latency_share",
                        jr(r1.decode.cost.by_bound[BOUND_NET_LATENCY] / r1.decode.step_s));
    {
        /* the collectives of a batch-1 decode step: link traversals on their critical paths and
         * the bytes each chip sends — what fewer chips save */
        coll_report_t cr[8];
        int n = engine_collectives(&r1.dep, &r1.decode.cost, cr, 8);
        double hops = 0;
        for (int k = 0; k < n; k++)
            hops += cr[k].calls * cr[k].hops;
        json_object_set_new(o, "decode_collective_hops", jr(hops));
        json_object_set_new(o, "decode_collective_bytes_per_chip", jr(r1.decode.cost.net_bytes));
    }
    if (v == V_PIM)
        json_object_set_new(o, "price_note",
                            json_string("PIM memory has no commodity price: its DRAM is priced as the base memory's, so "
                                        "its tokens per $ is an upper bound"));
    out[0] = chips;
    out[1] = r1.tpot_s;
    out[2] = rm.output_tok_s_per_chip;
    out[3] = perw;
    out[4] = cm.known ? 1e6 / cm.usd_per_mtok_output : NAN;
    out[5] = cm.known ? 1e9 / cm.gco2e_per_mtok : NAN;
    out[6] = r1.ttft_s;
    out[7] = r1.decode.cost.by_bound[BOUND_NET_LATENCY] / r1.decode.step_s;
    int hb = cfg.weights_tier;
    if (hb >= 0) {
        out[8] = r1.dep.inflight_need_B[hb];
        out[9] = r1.dep.inflight_held[hb];
        json_object_set_new(o, "hbf_inflight_needed_bytes", jr(out[8]));
        json_object_set_new(o, "hbf_inflight_held", json_boolean(r1.dep.inflight_held[hb]));
        json_object_set_new(o, "chip_sram_bytes", jr(s.sram_B));
    }
    return o;
}

static json_t *section_directions(ctx_t *x, json_t *verdicts, int quick, diag_t *d)
{
    static const workload_t wl[] = {
        {"llama405b", "Llama-3.1-405B, 2048 in / 256 out", "llama-3.1-405b", "h100-sxm", "fp8", 2048, 256},
        {"deepseek_v3", "DeepSeek-V3 (MoE), 2048 in / 256 out", "deepseek-v3", "h200", NULL, 2048, 256},
        {"reasoning", "long-context reasoning: Llama-3.1-70B, 32k in / 8k out", "llama-3.1-70b", "h100-sxm", "fp8",
         32768, 8192},
    };
    int nw = quick ? 1 : 3;
    json_t *all = json_array();
    double res[3][V_COUNT][NOUT];
    for (int i = 0; i < nw; i++) {
        static model_t m;
        static system_t base;
        if (load_model_named(wl[i].model, &m, d) != IS_OK || load_system_named(wl[i].system, &base, d) != IS_OK) {
            json_decref(all);
            return NULL;
        }
        json_t *w = json_object(), *rows = json_array();
        json_object_set_new(w, "workload", json_string(wl[i].key));
        json_object_set_new(w, "title", json_string(wl[i].title));
        json_object_set_new(w, "base_system", json_string(wl[i].system));
        for (int v = 0; v < V_COUNT; v++)
            json_array_append_new(rows, direction_row(x, &wl[i], &m, &base, v, res[i][v]));
        json_object_set_new(w, "directions", rows);
        json_array_append_new(all, w);
    }
    /* verdicts from the numbers */
    double (*b)[NOUT] = res[0];
    verdict(verdicts, "HBF's capacity means fewer chips hold a model", b[V_HBF][0] < b[V_BASE][0] ? "holds" : "does not hold",
            "Llama-3.1-405B fp8 needs %.0f H100s with HBM alone, %.0f with one HBF stack per chip holding the weights",
            b[V_BASE][0], b[V_HBF][0]);
    {
        int held5 = b[V_HBF][9] > 0, held50 = b[V_HBF_TEXT][9] > 0;
        verdict(verdicts, "HBF latency is hidden only with enough bytes in flight",
                held5 && !held50 ? "holds" : "holds with a caveat",
                "at Table 3's %.0f us a stack must keep %.1f MB in flight, at the text's %.0f us %.1f MB; the H100's %.1f MB "
                "of on-chip SRAM %s and %s. Llama-3.1-405B on one chip: %.0f against %.0f tok/s per chip, batch-1 TPOT "
                "%.0f against %.0f ms (every kernel also waits one flash latency)",
                x->paper.tech[0].latency_ns / 1e3, b[V_HBF][8] / 1e6, x->paper.tech[0].latency_text_ns / 1e3,
                b[V_HBF_TEXT][8] / 1e6, base_sram(x, "h100-sxm") / 1e6, held5 ? "holds the first" : "cannot hold the first",
                held50 ? "holds the second too" : "cannot hold the second", b[V_HBF][2], b[V_HBF_TEXT][2], b[V_HBF][1] * 1e3,
                b[V_HBF_TEXT][1] * 1e3);
    }
    verdict(verdicts, "3D-stacked logic at a low clock barely slows decode but slows prefill",
            b[V_3D][1] <= b[V_BASE][1] * 1.1 && b[V_3D][6] > b[V_BASE][6] ? "holds" : "holds with a caveat",
            "Llama-3.1-405B: with logic capped at %.0f%% of a GPU's dynamic power (clock x%.2f) and %.0fx bandwidth, "
            "batch-1 TPOT %.2f ms against %.2f ms today, TTFT %.3f s against %.3f s",
            100 * x->paper.stack_logic_frac, cbrt(x->paper.stack_logic_frac), x->paper.stack_bw_mult, b[V_3D][1] * 1e3,
            b[V_BASE][1] * 1e3, b[V_3D][6], b[V_BASE][6]);
    double gain_lat = b[V_BASE][1] / b[V_LOWLAT][1], gain_bw = b[V_BASE][1] / b[V_BW2][1];
    verdict(verdicts, "For decode, halving interconnect latency beats doubling its bandwidth",
            gain_lat > gain_bw ? "holds" : "does not hold",
            "Llama-3.1-405B batch-1 TPOT: %.2f ms today, %.2f ms with half the latency (%.1f%% faster), %.2f ms with twice the "
            "bandwidth (%.1f%% faster); interconnect latency is %.0f%% of the decode step",
            b[V_BASE][1] * 1e3, b[V_LOWLAT][1] * 1e3, 100 * (gain_lat - 1), b[V_BW2][1] * 1e3, 100 * (gain_bw - 1),
            100 * b[V_BASE][7]);
    {
        double g = b[V_BASE][1] / b[V_SRAM][1];
        verdict(verdicts, "Landing small messages in on-chip SRAM rather than DRAM speeds decode",
                g > 1.01 ? "holds" : "holds with a caveat",
                "Llama-3.1-405B batch-1 TPOT: %.2f ms when every collective step's message is written to HBM and read "
                "back, %.2f ms when it lands in SRAM (%.0f ns a step, data/paper/technologies.yaml): %.1f%% faster",
                b[V_BASE][1] * 1e3, b[V_SRAM][1] * 1e3, x->paper.sram_landing_ns, 100 * (g - 1));
    }
    /* every direction improves perf/TCO, perf/W and perf/CO2e? (dense and MoE) */
    char buf[1600] = "";
    int all_better = 1, some = 0;
    for (int i = 0; i < (nw < 2 ? nw : 2); i++) {
        double (*q)[NOUT] = res[i];
        char head[96];
        snprintf(head, sizeof head, "%s%s: ", i ? " | " : "", wl[i].model);
        strncat(buf, head, sizeof buf - strlen(buf) - 1);
        for (int v = V_HBF; v < V_COUNT; v++) {
            if (v == V_HBF_TEXT || v == V_BW2)
                continue;
            int better = q[v][3] > q[V_BASE][3] && q[v][4] > q[V_BASE][4] && q[v][5] > q[V_BASE][5];
            all_better &= better;
            some |= better;
            char part[200];
            snprintf(part, sizeof part, "%s%s x%.2f/x%.2f/x%.2f", v == V_HBF ? "" : "; ", variant_keys[v],
                     q[v][3] / q[V_BASE][3], q[v][4] / q[V_BASE][4], q[v][5] / q[V_BASE][5]);
            strncat(buf, part, sizeof buf - strlen(buf) - 1);
        }
    }
    /* which directions fall short, and where */
    char shortfall[600] = "";
    for (int i = 0; i < (nw < 2 ? nw : 2); i++)
        for (int v = V_HBF; v < V_COUNT; v++) {
            if (v == V_HBF_TEXT || v == V_BW2)
                continue;
            double (*q)[NOUT] = res[i];
            const char *worse[3] = {q[v][3] <= q[V_BASE][3] ? "perf/W" : NULL, q[v][4] <= q[V_BASE][4] ? "perf/TCO" : NULL,
                                    q[v][5] <= q[V_BASE][5] ? "perf/CO2e" : NULL};
            if (!worse[0] && !worse[1] && !worse[2])
                continue;
            char part[200];
            snprintf(part, sizeof part, "%s%s on %s loses %s%s%s%s%s", shortfall[0] ? "; " : "", variant_keys[v],
                     wl[i].model, worse[0] ? worse[0] : "", worse[0] && (worse[1] || worse[2]) ? ", " : "",
                     worse[1] ? worse[1] : "", worse[1] && worse[2] ? ", " : "", worse[2] ? worse[2] : "");
            strncat(shortfall, part, sizeof shortfall - strlen(shortfall) - 1);
        }
    verdict(verdicts, "Every direction improves performance per TCO, per watt and per CO2e",
            all_better ? "holds" : some ? "holds with a caveat" : "does not hold",
            "perf/W, perf/TCO, perf/CO2e against today's deployment, each at the fewest chips that hold the model and "
            "its largest batch: %s%s%s", buf, shortfall[0] ? ". Where a direction falls short: " : "", shortfall);
    return all;
}

/* ---- 4. the AI trends: what binds ---- */

static const char *binding(const step_cost_t *c, const deploy_t *dep, char *buf, size_t cap)
{
    int best = 0;
    for (int k = 1; k < BOUND_COUNT; k++)
        if (c->by_bound[k] > c->by_bound[best])
            best = k;
    return engine_bound_name(dep, best, buf, cap);
}

/* Diffusion: LLaDA-8B (a masked-diffusion LM, LLaDA's sampler: as many denoising steps as
 * answer tokens, no KV cache) against an autoregressive model of its size, both at batch 1. */
static int trend_diffusion(ctx_t *x, const system_t *s, json_t *rows, json_t *verdicts, diag_t *d)
{
    static model_t dm, am;
    if (load_model_named("llada-8b", &dm, d) != IS_OK || load_model_named("llama-3.1-8b", &am, d) != IS_OK)
        return -1;
    const int isl = 512, osl = 256;
    deploy_cfg_t cfg;
    cfg_for(&cfg, &dm, "fp8", s);
    static predict_result_t r, ra;
    cost_result_t c, ca;
    json_t *o = json_object();
    json_object_set_new(o, "trend", json_string("diffusion"));
    json_object_set_new(o, "model", json_string("llada-8b"));
    json_object_set_new(o, "workload", json_string("512 in / 256 out in 256 denoising steps, no KV cache"));
    json_object_set_new(o, "fewest_h200", json_integer(1));
    json_array_append_new(rows, o);
    if (run(x, &dm, s, &cfg, 1, isl, osl, &r, &c) != 0)
        return 0;
    deploy_cfg_t ac;
    cfg_for(&ac, &am, "fp8", s);
    if (run(x, &am, s, &ac, 1, isl, osl, &ra, &ca) != 0)
        return 0;
    char b1[64], b2[64];
    json_object_set_new(o, "decode_bound", json_string(binding(&r.decode.cost, &r.dep, b1, sizeof b1)));
    json_object_set_new(o, "prefill_bound", json_string(binding(&r.prefill.cost, &r.dep, b2, sizeof b2)));
    json_object_set_new(o, "prefill_time_share", json_null());
    json_object_set_new(o, "kv_share_of_memory", jr(r.kv_B / r.mem_need_B));
    json_object_set_new(o, "max_batch", json_integer(r.batch));
    json_object_set_new(o, "ttft_s", jr(r.ttft_s));
    double f_diff = r.decode.cost.flops * r.diffusion_steps / osl, f_ar = ra.decode.cost.flops;
    json_object_set_new(o, "flops_per_output_token", jr(f_diff));
    json_object_set_new(o, "autoregressive_flops_per_output_token", jr(f_ar));
    int compute = r.decode.cost.by_bound[BOUND_COMPUTE] > 0.5 * r.decode.step_s;
    int ar_mem = ra.decode.cost.by_bound[BOUND_COMPUTE] < 0.5 * ra.decode.step_s;
    verdict(verdicts, "Of the trends, only diffusion needs more compute", compute && ar_mem ? "holds" : "holds with a caveat",
            "LLaDA-8B (masked diffusion, its sampler's 256 steps for 256 tokens over the whole 768-token sequence) on one "
            "H200 at batch 1: each step is %.0f%% compute-bound, %.0fx the FLOPs per output token of Llama-3.1-8B "
            "decoding autoregressively (%.0f%% of its step compute-bound); %.1f against %.1f tokens/s per user",
            100 * r.decode.cost.by_bound[BOUND_COMPUTE] / r.decode.step_s, f_diff / f_ar,
            100 * ra.decode.cost.by_bound[BOUND_COMPUTE] / ra.decode.step_s, r.output_tok_s_per_user,
            ra.output_tok_s_per_user);
    return 0;
}

static json_t *section_trends(ctx_t *x, json_t *verdicts, int quick, diag_t *d)
{
    static const struct {
        const char *trend, *model, *note;
        int isl, osl;
    } t[] = {
        {"MoE", "deepseek-v3", "256 routed experts, 8 per token", 2048, 512},
        {"reasoning", "llama-3.1-70b", "long thought sequences: 16k output tokens", 1024, 16384},
        {"long context", "llama-3.1-70b", "128k-token prompts", 131072 - 1024, 512},
        {"RAG", "llama-3.1-70b", "retrieved passages: 16k-token prompts", 16384, 256},
        {"multimodal", "llama-3.1-70b", "an image adds about 6k prompt tokens", 6144, 256},
    };
    json_t *rows = json_array();
    int n = quick ? 2 : 5;
    static system_t s;
    if (load_system_named("h200", &s, d) != IS_OK)
        return NULL;
    for (int i = 0; i < n; i++) {
        static model_t m;
        if (load_model_named(t[i].model, &m, d) != IS_OK) {
            json_decref(rows);
            return NULL;
        }
        deploy_cfg_t cfg;
        cfg_for(&cfg, &m, "fp8", &s);
        int tp, pp, chips = predict_fewest_chips(&m, &s, &cfg, t[i].isl, t[i].osl, 256, &tp, &pp);
        json_t *o = json_object();
        json_object_set_new(o, "trend", json_string(t[i].trend));
        json_object_set_new(o, "model", json_string(t[i].model));
        json_object_set_new(o, "workload", json_string(t[i].note));
        json_object_set_new(o, "fewest_h200", json_integer(chips));
        if (chips) {
            cfg.plan = (plan_t){chips, tp, pp, 1, 1};
            static predict_result_t r;
            cost_result_t c;
            if (run(x, &m, &s, &cfg, 0, t[i].isl, t[i].osl, &r, &c) == 0) {
                char b1[64], b2[64];
                json_object_set_new(o, "decode_bound", json_string(binding(&r.decode.cost, &r.dep, b1, sizeof b1)));
                json_object_set_new(o, "prefill_bound", json_string(binding(&r.prefill.cost, &r.dep, b2, sizeof b2)));
                json_object_set_new(o, "prefill_time_share", jr(c.prefill_share));
                json_object_set_new(o, "kv_share_of_memory", jr(r.kv_B / r.mem_need_B));
                json_object_set_new(o, "max_batch", json_integer(r.batch));
                json_object_set_new(o, "ttft_s", jr(r.ttft_s));
            }
        }
        json_array_append_new(rows, o);
    }
    verdict(verdicts, "MoE, reasoning, long context and RAG stress memory and latency, not compute", "holds with a caveat",
            "decode is bound by memory in every trend studied (see the trends table); long prompts (long context, RAG, "
            "multimodal) shift time to prefill, which is compute-bound");
    if (!quick && trend_diffusion(x, &s, rows, verdicts, d) != 0) {
        json_decref(rows);
        return NULL;
    }
    return rows;
}

/* ---- 5. mobile ---- */

static json_t *section_mobile(ctx_t *x, json_t *verdicts, diag_t *d)
{
    static const char *const models[] = {"llama-3.2-1b", "llama-3.2-3b", "llama-3.1-8b"};
    static system_t phone;
    if (load_system_named("snapdragon-8-gen3", &phone, d) != IS_OK)
        return NULL;
    int ufs = -1;
    for (int i = 0; i < phone.n_tiers && ufs < 0; i++)
        if (phone.tier[i].spill_only)
            ufs = i;
    if (ufs < 0) {
        diag_error(d, phone.path, 0, 0, "memory", "the phone preset has no spill_only storage tier for the mobile study");
        return NULL;
    }
    json_t *rows = json_array();
    double tok8 = 0, tok8_flash = 0, tok_pim[3] = {0}, tok_dram[3] = {0}, j_pim[3] = {0}, j_dram[3] = {0};
    const mem_tier_t *ft = &phone.tier[ufs];
    for (int i = 0; i < 3; i++) {
        static model_t m;
        if (load_model_named(models[i], &m, d) != IS_OK) {
            json_decref(rows);
            return NULL;
        }
        for (int mode = 0; mode < 3; mode++) {
            int flash = mode == 1;
            static system_t s;
            s = phone;
            if (mode == 2) /* logic in the LPDDR's DRAM dies */
                directions_add_near(&s, &x->paper, 1);
            deploy_cfg_t cfg;
            cfg_for(&cfg, &m, "q4_0", &s);
            if (flash) /* every weight read from the phone's storage (LLM-in-a-flash style) */
                cfg.weights_tier = ufs;
            precision_parse("fp16", &cfg.kv);
            precision_parse("fp16", &cfg.act);
            static predict_result_t r;
            cost_result_t c;
            json_t *o = json_object();
            json_object_set_new(o, "model", json_string(models[i]));
            json_object_set_new(o, "weights_in", json_string(mode == 2 ? "DRAM with PIM" : flash ? "flash" : "DRAM"));
            json_object_set_new(o, "flash_tier", json_string(ft->name));
            json_object_set_new(o, "flash_peak_GBps", jr(ft->bw_Bps / 1e9));
            json_object_set_new(o, "flash_GBps", jr(ft->bw_Bps * ft->efficiency / 1e9));
            json_object_set_new(o, "flash_pJ_per_bit", jr(ft->energy_J_per_bit * 1e12));
            if (run(x, &m, &s, &cfg, 1, 512, 128, &r, &c) == 0) {
                json_object_set_new(o, "fits", json_boolean(r.fits));
                json_object_set_new(o, "decode_tok_s", jr(r.output_tok_s_per_user));
                json_object_set_new(o, "prefill_tok_s", jr(512 / r.ttft_s));
                json_object_set_new(o, "joules_per_token", jr(c.known ? c.chip_energy_j_per_token : NAN));
                json_object_set_new(o, "tokens_per_charge", jr(c.known && c.battery_tokens > 0 ? c.battery_tokens : NAN));
                if (i == 2 && mode < 2)
                    *(flash ? &tok8_flash : &tok8) = r.output_tok_s_per_user;
                if (mode != 1) {
                    *(mode ? &tok_pim[i] : &tok_dram[i]) = r.output_tok_s_per_user;
                    *(mode ? &j_pim[i] : &j_dram[i]) = c.known ? c.chip_energy_j_per_token : NAN;
                }
            }
            json_array_append_new(rows, o);
        }
    }
    verdict(verdicts, "On phones, weights read from flash cost decode speed; DRAM bandwidth sets the pace",
            tok8_flash < tok8 ? "holds" : "holds with a caveat",
            "Llama-3.1-8B q4_0 on a Snapdragon 8 Gen 3: %.1f tokens/s from LPDDR5X, %.2f tokens/s streaming the weights from "
            "its storage (the %s tier) at %.1f GB/s",
            tok8, tok8_flash, ft->name, ft->bw_Bps * ft->efficiency / 1e9);
    verdict(verdicts, "PIM on a phone's LPDDR speeds decode and saves energy per token",
            tok_pim[0] > tok_dram[0] && tok_pim[2] > tok_dram[2] && j_pim[2] < j_dram[2] ? "holds" : "holds with a caveat",
            "q4_0 at batch 1 on a Snapdragon 8 Gen 3: Llama-3.2-1B %.1f against %.1f tokens/s, Llama-3.2-3B %.1f against "
            "%.1f, Llama-3.1-8B %.1f against %.1f with PIM; the 8B's chip energy %.3f against %.3f J per token",
            tok_pim[0], tok_dram[0], tok_pim[1], tok_dram[1], tok_pim[2], tok_dram[2], j_pim[2], j_dram[2]);
    return rows;
}

/* ---- processing in memory against processing near memory ---- */

static json_t *section_pim(ctx_t *x, json_t *verdicts, diag_t *d)
{
    json_t *o = json_object(), *shards = json_array(), *runs = json_array();
    static const char *const models[] = {"llama-3.2-1b", "llama-3.1-8b", "llama-3.1-70b", "deepseek-v3"};
    double pim70 = 0, pnm70 = 0;
    for (int i = 0; i < 4; i++) {
        static model_t m;
        if (load_model_named(models[i], &m, d) != IS_OK) {
            json_decref(o);
            json_decref(shards);
            json_decref(runs);
            return NULL;
        }
        precision_t f8, e;
        precision_parse("fp8", &f8);
        e = deploy_embed_precision(&f8);
        double bytes = model_weight_bytes(&m, &f8, &f8, &e);
        json_t *r = json_object();
        json_object_set_new(r, "model", json_string(models[i]));
        json_object_set_new(r, "weight_bytes_fp8", jr(bytes));
        json_object_set_new(r, "pim_shards", jr(ceil(bytes / (x->paper.pim_bank_MB * 1e6))));
        json_object_set_new(r, "pnm_shards", jr(ceil(bytes / (x->paper.pnm_unit_GB * 1e9))));
        if (i == 2) {
            pim70 = ceil(bytes / (x->paper.pim_bank_MB * 1e6));
            pnm70 = ceil(bytes / (x->paper.pnm_unit_GB * 1e9));
        }
        json_array_append_new(shards, r);
    }
    double ratio = x->paper.pnm_unit_GB * 1e9 / (x->paper.pim_bank_MB * 1e6);

    /* decode on today's system, PNM and PIM: datacenter (batch 1 and 64) and phone (batch 1) */
    static const struct { const char *model, *system, *weights; int chips, batch; } c[] = {
        {"llama-3.1-70b", "h100-sxm", "fp8", 8, 1},       {"llama-3.1-70b", "h100-sxm", "fp8", 8, 64},
        {"llama-3.2-1b", "snapdragon-8-gen3", "q4_0", 1, 1}, {"llama-3.2-3b", "snapdragon-8-gen3", "q4_0", 1, 1},
    };
    double tp[4][3], units[3] = {0}, bcast[3] = {0}, near_tf = 0;
    for (int i = 0; i < 4; i++) {
        static model_t m;
        static system_t base, s;
        if (load_model_named(c[i].model, &m, d) != IS_OK || load_system_named(c[i].system, &base, d) != IS_OK) {
            json_decref(o);
            json_decref(shards);
            json_decref(runs);
            return NULL;
        }
        json_t *r = json_object();
        json_object_set_new(r, "model", json_string(c[i].model));
        json_object_set_new(r, "system", json_string(c[i].system));
        json_object_set_new(r, "batch", json_integer(c[i].batch));
        for (int v = 0; v < 3; v++) {
            s = base;
            if (v)
                directions_add_near(&s, &x->paper, v == 2);
            deploy_cfg_t cfg;
            cfg_for(&cfg, &m, c[i].weights, &s);
            if (s.peak_flops[CC_FP8] <= 0) {
                precision_parse("fp16", &cfg.kv);
                precision_parse("fp16", &cfg.act);
            }
            cfg.plan = (plan_t){c[i].chips, c[i].chips, 1, 1, 1};
            static predict_result_t pr;
            cost_result_t cr;
            tp[i][v] = NAN;
            if (run(x, &m, &s, &cfg, c[i].batch, 512, 128, &pr, &cr) == 0) {
                tp[i][v] = pr.tpot_s;
                if (i == 0 && v) {
                    /* what sharding one chip's weights into the units costs in traffic */
                    units[v] = deploy_near_shards(&pr.dep, 0, &bcast[v]);
                    if (v == 2)
                        near_tf = s.tier[0].near_flops / 1e12;
                }
            }
            static const char *const k[3] = {"tpot_today_s", "tpot_pnm_s", "tpot_pim_s"};
            json_object_set_new(r, k[v], jr(tp[i][v]));
        }
        json_array_append_new(runs, r);
    }
    json_t *comm = json_object();
    char who[128];
    snprintf(who, sizeof who, "%s %s, one of %d %s (TP %d)", c[0].model, c[0].weights, c[0].chips, c[0].system,
             c[0].chips);
    json_object_set_new(comm, "model", json_string(who));
    json_object_set_new(comm, "pim_banks_per_chip", jr(units[2]));
    json_object_set_new(comm, "pnm_units_per_chip", jr(units[1])); /* every operator whole: its operator count */
    json_object_set_new(comm, "pim_broadcast_bytes_per_token", jr(bcast[2]));
    json_object_set_new(comm, "pnm_broadcast_bytes_per_token", jr(bcast[1]));
    json_object_set_new(o, "sharding", comm);
    verdict(verdicts, "PNM's shards are about 1000x PIM's, so partitioning is easy and communication low",
            ratio >= 500 && bcast[1] < bcast[2] / 10 ? "holds" : "holds with a caveat",
            "%.0f GB PNM units against %.0f MB PIM banks: %.0fx at the midpoints of the paper's ranges. Llama-3.1-70B in "
            "fp8 shards into %.0f PIM banks or %.0f PNM units. On each of 8 H100s (TP 8) its %.0f weight operators stay "
            "whole on PNM and are cut into %.0f bank-sized pieces on PIM, so partitioning is easy for PNM; but each "
            "operator's input still crosses the memory interface to reach its pieces, %.2f MB a token for PIM against "
            "%.2f MB for PNM (%.1fx): communication is lower, not 1000x lower",
            x->paper.pnm_unit_GB, x->paper.pim_bank_MB, ratio, pim70, pnm70, units[1], units[2], bcast[2] / 1e6,
            bcast[1] / 1e6, bcast[2] / bcast[1]);
    double dc_gain = tp[0][0] / tp[0][2] - 1, phone_gain = tp[2][0] / tp[2][2] - 1;
    int dc_hard = dc_gain < 0.10 && tp[1][2] >= tp[1][0] * 0.99, phone_ok = phone_gain > 0.25;
    verdict(verdicts, "PIM is hard in the datacenter and plausible on a phone", dc_hard && phone_ok ? "holds" : "holds with a caveat",
            "Llama-3.1-70B on 8 H100s: TPOT at batch 1 %.2f ms today, %.2f ms with PNM, %.2f ms with PIM (%.1f%% faster: "
            "%.1f TFLOP/s of DRAM-process logic a chip keeps few operators worth offloading); at batch 64 %.2f, %.2f and "
            "%.2f ms (every batched GEMM stays on the GPU). Llama-3.2-1B q4_0 on a phone at batch 1: %.2f ms today, "
            "%.2f ms with PIM on its LPDDR (%.0f%% faster)",
            tp[0][0] * 1e3, tp[0][1] * 1e3, tp[0][2] * 1e3, 100 * dc_gain, near_tf, tp[1][0] * 1e3, tp[1][1] * 1e3,
            tp[1][2] * 1e3, tp[2][0] * 1e3, tp[2][2] * 1e3, 100 * phone_gain);
    json_object_set_new(o, "shards", shards);
    json_object_set_new(o, "decode", runs);
    return o;
}

/* ---- slow-changing context on flash, the KV cache off it ---- */

/* Llama-3.1-70B fp8 on one H100 with one HBF stack (weights on flash), requests sharing a
 * 100,000-token corpus (a RAG context, cascade attention) plus 2048 tokens of their own: the
 * corpus's 16 GB of KV in HBM or on flash, and, for contrast, every request's KV on flash. */
/* ---- interconnect: when latency beats bandwidth ---- */

/* Llama-3.1-405B's TP all-reduce (its 16,384-wide residual stream in bf16) on today's
 * interconnects: at decode's batch 1 and 64 and at an 8192-token prefill chunk, which
 * algorithm wins, its hops, and how much of the call is latency; and the message size at
 * which that algorithm's latency and bandwidth terms are equal. */
static json_t *section_interconnect(ctx_t *x, json_t *verdicts, diag_t *d)
{
    static const struct {
        const char *system, *label;
        int chips;
    } g[] = {
        {"h100-sxm", "8 H100s, NVLink switch", 8},
        {"h100-sxm", "16 H100s, 2 nodes over InfiniBand", 16},
        {"gb200-nvl72", "72 B200s, one NVLink rack", 72},
        {"tpu-v5p", "64 TPU v5p, 3D torus", 64},
    };
    static const double tokens[3] = {1, 64, 8192};
    /* the all-reduce message of a token: the model's residual stream in bf16 */
    static model_t m;
    if (load_model_named("llama-3.1-405b", &m, d) != IS_OK)
        return NULL;
    const double row_B = m.hidden * 2.0;
    json_t *rows = json_array();
    double min_share_dec = 1, max_share_pre = 0;
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
        static system_t s;
        if (load_system_named(g[i].system, &s, d) != IS_OK) {
            json_decref(rows);
            return NULL;
        }
        coll_plan_t p;
        if (collective_plan(&s, COLL_ALLREDUCE, g[i].chips, &p, d) != IS_OK) {
            json_decref(rows);
            return NULL;
        }
        json_t *o = json_object(), *at = json_array();
        json_object_set_new(o, "group", json_string(g[i].label));
        json_object_set_new(o, "system", json_string(g[i].system));
        json_object_set_new(o, "chips", json_integer(g[i].chips));
        json_object_set_new(o, "level", json_string(s.level[p.level].name));
        for (int k = 0; k < 3; k++) {
            double M = tokens[k] * row_B, lat, bw;
            int a;
            double t = collective_time_at(&p, M, &a, &lat, &bw);
            json_t *e = json_object();
            json_object_set_new(e, "tokens", json_integer((json_int_t)tokens[k]));
            json_object_set_new(e, "bytes", jr(M));
            json_object_set_new(e, "algorithm", json_string(coll_algo_names[p.algos[a].algo]));
            json_object_set_new(e, "hops", jr(p.algos[a].hops));
            json_object_set_new(e, "time_s", jr(t));
            json_object_set_new(e, "latency_s", jr(lat));
            json_object_set_new(e, "latency_share", jr(lat / t));
            json_array_append_new(at, e);
            if (k == 0 && lat / t < min_share_dec)
                min_share_dec = lat / t;
            if (k == 2 && lat / t > max_share_pre)
                max_share_pre = lat / t;
            if (k == 0)
                json_object_set_new(o, "break_even_bytes", jr(p.algos[a].latency_s / p.algos[a].s_per_byte));
        }
        json_object_set_new(o, "messages", at);
        json_array_append_new(rows, o);
    }
    verdict(verdicts, "Interconnect latency, not bandwidth, decides decode-sized messages",
            min_share_dec > 0.5 && max_share_pre < 0.5 ? "holds" : "holds with a caveat",
            "Llama-3.1-405B's TP all-reduce at batch 1 (32 KB) is at least %.0f%% latency on every interconnect "
            "studied (NVLink, InfiniBand, an NVL72 rack, a TPU torus), an 8192-token prefill chunk (268 MB) at most %.0f%%: "
            "see the interconnect table for the break-even sizes",
            100 * min_share_dec, 100 * max_share_pre);
    return rows;
}

static json_t *section_corpus(ctx_t *x, json_t *verdicts, diag_t *d)
{
    static model_t m;
    static system_t base, s;
    if (load_model_named("llama-3.1-70b", &m, d) != IS_OK || load_system_named("h100-sxm", &base, d) != IS_OK)
        return NULL;
    make_variant(&base, V_HBF, &x->paper, &s);
    int hbf = system_read_only_tier(&s);
    deploy_cfg_t cfg;
    cfg_for(&cfg, &m, "fp8", &s);
    cfg.plan = (plan_t){1, 1, 1, 1, 1};
    cfg.shared_prefix = 100000;
    cfg.prefix_once = 1;
    const int isl = 102048, osl = 256;
    json_t *rows = json_array();
    static predict_result_t r;
    cost_result_t c;
    double batch[2] = {0, 0}, tok[2] = {0, 0}, life_days = 0;
    static const char *const where[3] = {"corpus KV in HBM", "corpus KV on HBF", "every request's KV on HBF"};
    for (int k = 0; k < 3; k++) {
        deploy_cfg_t cc = cfg;
        cc.prefix_tier = k == 0 ? 0 : hbf;
        if (k == 2) {
            cc.kv_tier = hbf;
            cc.allow_wear = 1;
        }
        json_t *o = json_object();
        json_object_set_new(o, "case", json_string(where[k]));
        if (run(x, &m, &s, &cc, 0, isl, osl, &r, &c) == 0) {
            json_object_set_new(o, "fits", json_boolean(r.fits));
            json_object_set_new(o, "max_batch", json_integer(r.max_batch));
            json_object_set_new(o, "output_tok_s", jr(r.output_tok_s));
            json_object_set_new(o, "tpot_s", jr(r.tpot_s));
            if (k < 2) {
                batch[k] = r.max_batch;
                tok[k] = r.output_tok_s;
            } else {
                life_days = r.wear_lifetime_s / 86400;
                json_object_set_new(o, "flash_lifetime_days", jr(life_days));
            }
        }
        json_array_append_new(rows, o);
    }
    verdict(verdicts, "HBF holds weights and slow-changing context such as a corpus, never the KV cache",
            batch[1] > batch[0] && life_days > 0 && life_days < 365 ? "holds" : "holds with a caveat",
            "Llama-3.1-70B fp8 on one H100 with one HBF stack, prompts sharing a 100,000-token corpus: its KV in HBM "
            "leaves room for %.0f requests (%.0f tok/s), on flash for %.0f (%.0f tok/s); every request's KV on flash "
            "would wear the stack out in %.0f days",
            batch[0], tok[0], batch[1], tok[1], life_days);
    return rows;
}

static json_t *section_kv_linear(json_t *verdicts, diag_t *d)
{
    static model_t m;
    if (load_model_named("llama-3.1-70b", &m, d) != IS_OK)
        return NULL;
    precision_t bf16;
    precision_parse("bf16", &bf16);
    json_t *o = json_object();
    double k1 = model_kv_bytes(&m, &bf16, 1024), k8 = model_kv_bytes(&m, &bf16, 8192), k64 = model_kv_bytes(&m, &bf16, 65536);
    json_object_set_new(o, "kv_bytes_1k", jr(k1));
    json_object_set_new(o, "kv_bytes_8k", jr(k8));
    json_object_set_new(o, "kv_bytes_64k", jr(k64));
    verdict(verdicts, "The KV cache grows linearly with sequence length", fabs(k64 / k1 - 64) < 1e-9 ? "holds" : "holds with a caveat",
            "Llama-3.1-70B bf16: %.2f GB at 1k tokens, %.2f GB at 8k, %.1f GB at 64k per sequence (sliding-window models "
            "such as Gemma and gpt-oss cap it)", k1 / 1e9, k8 / 1e9, k64 / 1e9);
    return o;
}

json_t *study_paper(int quick, diag_t *d)
{
    static ctx_t x;
    memset(&x, 0, sizeof x);
    char sp[4096];
    if (catalog_resolve(CATALOG_SITES, "us-average", sp, sizeof sp, d) != IS_OK || site_load(sp, &x.site, d) != IS_OK)
        return NULL;
    if (paper_load(&x.paper, d) != IS_OK)
        return NULL;
    json_t *o = json_object(), *verdicts = json_array();
    json_t *s1 = section_intensity(&x, verdicts, d);
    json_t *kv = s1 ? section_kv_linear(verdicts, d) : NULL;
    json_t *s2 = kv ? section_tech(&x, verdicts) : NULL;
    json_t *s3 = s2 ? section_directions(&x, verdicts, quick, d) : NULL;
    json_t *s4 = s3 ? section_trends(&x, verdicts, quick, d) : NULL;
    json_t *s5 = s4 ? section_mobile(&x, verdicts, d) : NULL;
    json_t *s6 = s5 ? section_pim(&x, verdicts, d) : NULL;
    json_t *s7 = s6 ? section_corpus(&x, verdicts, d) : NULL;
    json_t *s8 = s7 ? section_interconnect(&x, verdicts, d) : NULL;
    if (!s8) {
        json_decref(s7);
        json_decref(s6);
        json_decref(s5);
        json_decref(s1);
        json_decref(kv);
        json_decref(s2);
        json_decref(s3);
        json_decref(s4);
        json_decref(o);
        json_decref(verdicts);
        return NULL;
    }
    json_object_set_new(o, "paper", json_string("Ma & Patterson, Challenges and Research Directions for Large Language "
                                                "Model Inference Hardware, arXiv 2601.05047 (2026)"));
    json_object_set_new(o, "site", json_string(x.site.name));
    json_object_set_new(o, "intensity", s1);
    json_object_set_new(o, "kv_cache", kv);
    json_object_set_new(o, "memory_technologies", s2);
    json_object_set_new(o, "directions", s3);
    json_object_set_new(o, "trends", s4);
    json_object_set_new(o, "mobile", s5);
    json_object_set_new(o, "pim_pnm", s6);
    json_object_set_new(o, "corpus_on_flash", s7);
    json_object_set_new(o, "interconnect", s8);
    json_object_set_new(o, "verdicts", verdicts);
    json_object_set_new(o, "not_modelled_yet", json_string("the communication between PIM banks of different chips"));
    return o;
}
