/*
 * validate.c — published measurements -> predictions -> errors (see validate.h).
 *
 * Mapping of a row to a prediction:
 *  - model / system: preset names, or aliases (data/validation/aliases.csv) with a reason;
 *  - chips, tp, pp, ep as given; dp = chips / (tp x pp).  A row without tp (MLPerf results,
 *    which rarely state it) takes the smallest power-of-two tp whose replica fits, and
 *    replicates it over the chips: what throughput submissions do;
 *  - weights as given (empty: as published); experts (the routed experts' format) and act
 *    (the GEMMs' input format) as given, else as for predict; kv as given, else fp8 when
 *    the weights are fp8 (the vendor tables' fp8 recipes quantize the KV cache too), else
 *    bf16;
 *  - batch N: a static batch of N; "max" or empty: steady-state continuous batching at
 *    the largest batch that fits;
 *  - requests N (an offline benchmark: trtllm-bench throughput, vLLM's
 *    benchmark_throughput): N requests queued at once and served to the last, through the
 *    serving simulator (serve.h) on the same deployment; the throughput is the output
 *    tokens over the whole run, ramp and tail included, as those tools report it.  Its
 *    admission is the framework's default: TensorRT-LLM reserves a request's whole KV
 *    cache when it admits it (GUARANTEED_NO_EVICT) and gives each attention-window size an
 *    equal share of the KV memory, vLLM admits what fits and preempts;
 *    trtllm-bench's batch and token limits are its own heuristics' (trtllm_bench_limits()),
 *    per data-parallel rank; max_seqs N and max_tokens N: a harness's own limits per rank
 *    (MLPerf submissions' gpu_batch_size and max_num_tokens) instead; concurrency N: a
 *    closed loop of N; kv_fraction F: the KV cache's share of the free memory (a trtllm-bench
 *    row without one: that tool's default, 0.90);
 *    graph_batches LIST: the run's CUDA graphs with padding (serve --graph-batches);
 *    host_gap_us U, frontend_ms M, frontend_us_token U: the serving stack's host time between
 *    iterations and its front end per request (serve --host-us-gap, --frontend-ms,
 *    --frontend-us-token), where a measurement of that stack gives them; host_us_iter U and
 *    host_us_request U: its overlapped host work (serve --host-us-iter, --host-us-request);
 *    schedule_ahead 1: it schedules each iteration while the one before runs (serve
 *    --schedule-ahead);
 *  - slo_ttft_ms and slo_tpot_ms (MLPerf's Server scenario): the throughput at the highest
 *    Poisson rate whose p99 TTFT and p99 TPOT stay within them (capacity.h);
 *  - decode_attention per_head: the stack's decode attention kernel runs a thread block per query
 *    head and reads the KV head it shares once per query head (TensorRT-LLM before its XQA kernel),
 *    deploy_cfg_t.decode_attn_per_head; grouped or empty: once per KV head;
 *  - kernels N: the software stack launches N kernels a step (a profiler's count: an unfused
 *    stack's element-wise kernels each cost a launch), deploy_cfg_t.kernels_per_step;
 *    elementwise_bytes B: and those kernels read and write B bytes per token per layer
 *    (counted from the stack's code), deploy_cfg_t.elementwise_B_per_token;
 *  - a decode-speed row without an input length starts from a 1-token prompt; a
 *    prefill-speed row without an output length generates 1 token; any other row
 *    without lengths is skipped.  isl and osl may be a data set's mean lengths (MLPerf's
 *    OpenOrca: the generated answers' reference mean, the prompts' mean over the set).
 * Metrics: output_tok_s, output_tok_s_per_gpu, total_tok_s, ttft_ms, tpot_ms,
 * decode_tok_s_per_user (1 / TPOT) and prefill_tok_s (batch x ISL / TTFT) (a row with
 * requests takes ttft_ms and tpot_ms from its simulated run: the means over its requests, as
 * benchmark_serving reports them, TPOT = (end - first token) / (output tokens - 1)); and, for
 * a single decode step of `batch` requests at a context of ISL, decode_step_ms; for
 * measurements that sum a profiler's kernel times by class, decode_gemm_ms and
 * decode_attention_ms (the decode step's matrix products and attention: the batch at a
 * context of ISL) and prefill_gemm_ms and prefill_attention_ms (the first prefill step).
 */
#include "validate.h"

#include "../io/catalog.h"
#include "../io/csv.h"
#include "../io/model_config.h"
#include "../io/system_yaml.h"
#include "capacity.h"
#include "predict.h"
#include "serve.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct alias {
    char name[64], preset[64];
} alias_t;

static const char *resolve_alias(const alias_t *al, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(al[i].name, name) == 0)
            return al[i].preset;
    return name;
}

static int field_int(const char *s, int dflt)
{
    if (!s || !*s)
        return dflt;
    char *e;
    long v = strtol(s, &e, 10);
    return (*e == '\0' && v > 0 && v < 100000000) ? (int)v : -1;
}

static int load_pair(const char *model, const char *sys, model_t *m, system_t *s, char *why, size_t cap)
{
    char path[4096];
    diag_t d;
    diag_clear(&d);
    if (catalog_resolve(CATALOG_MODELS, model, path, sizeof path, &d) != IS_OK || model_load(path, m, &d) != IS_OK) {
        snprintf(why, cap, "no model preset \"%s\"", model);
        return -1;
    }
    diag_clear(&d);
    if (catalog_resolve(CATALOG_SYSTEMS, sys, path, sizeof path, &d) != IS_OK || system_load(path, s, &d) != IS_OK) {
        snprintf(why, cap, "no system preset \"%s\"", sys);
        return -1;
    }
    return 0;
}

/* The matrix-product operators of a step (what a profiler files under GEMM kernels). */
static double gemm_s(const step_cost_t *c)
{
    return c->by_op[OP_QKV] + c->by_op[OP_OPROJ] + c->by_op[OP_ROUTER] + c->by_op[OP_EXPERTS] +
           c->by_op[OP_SHARED] + c->by_op[OP_MLP] + c->by_op[OP_LMHEAD];
}

int validate_kernel_metric(const char *metric)
{
    return !strcmp(metric, "decode_gemm_ms") || !strcmp(metric, "decode_attention_ms") ||
           !strcmp(metric, "prefill_gemm_ms") || !strcmp(metric, "prefill_attention_ms");
}

/* trtllm-bench's --kv_cache_free_gpu_mem_fraction default: 0.90 (tensorrt_llm/bench/benchmark/
 * throughput.py at commit 000a01de66f0eab4ab05640711f0253f50f5209c; both perf-overview pages call it
 * "the default setting of 0.90" and say that "in many cases" their runs used 0.95, falling back to
 * 0.90 or lower on running out of memory; a row gives neither, so the default applies) */
#define TRTLLM_BENCH_KV_FRACTION 0.90

/* trtllm-bench's scheduler limits when a run sets none (the perf-overview's runs set none):
 * tensorrt_llm/bench/benchmark/utils/general.py get_settings() takes max_batch_size and
 * max_num_tokens from tensorrt_llm/bench/build/tuning.py calc_engine_setting() for a tuned
 * checkpoint format (NVFP4, FP8, FP8 block scales, none), else BuildConfig's defaults 2048 and
 * 8192; chunked prefill is off, so max_num_tokens is raised to the longest prompt plus the
 * batch.  calc_engine_setting(): the requests whose KV cache (GQA heads at least tp) at
 * ISL + OSL fits 0.90 (the CLI default) of the device memory left by the weights, capped at
 * 4096 and divided by pp, rounded up (to 32 below 256, 128 below 1024, else 256; at least 64);
 * tokens: that batch times (1 + ISL/OSL), at most 32768, rounded up (256, 512 or 1024 steps; at
 * least 2048).  MLA models keep the defaults: that file's MLA sizing changed across releases;
 * so do deployments with attention data parallelism (dp > 1), where each rank schedules its own
 * batch under them. */
static void trtllm_bench_limits(const predict_req_t *req, const model_t *m, const system_t *s, const plan_t *p,
                                int isl, int osl, int *max_bs, int *max_tokens)
{
    const char *w = req->cfg.weights.name;
    double bpe = !strcmp(w, "fp8") ? 1.0 : (!strcmp(w, "fp4") || !strcmp(w, "nvfp4")) ? 0.5
                 : (!strcmp(w, "bf16") || !strcmp(w, "fp16")) ? 2.0 : 0.0;
    if (m->n_experts > 0 && strcmp(req->cfg.experts.name, w) != 0)
        bpe = 0; /* a checkpoint with its own expert format (gpt-oss: W4A16 MXFP4) is not tuned */
    int bs = 2048, tokens = 8192;
    if (bpe > 0 && m->attn != ATTN_MLA && p->dp == 1) {
        const double gib = 1024.0 * 1024.0 * 1024.0;
        double kvb = !strcmp(req->cfg.kv.name, "fp8") ? 1.0 : 2.0;
        int heads = m->n_kv_heads > p->tp ? m->n_kv_heads : p->tp;
        double per_token = 2.0 * m->n_layers * heads * m->head_dim * kvb / gib;
        int gpus = p->tp * p->pp;
        double avail = system_capacity(s) / gib * gpus - model_params_total(m) * bpe / gib;
        double reqs = avail * TRTLLM_BENCH_KV_FRACTION / (per_token * (isl + osl));
        double raw_bs = (reqs < 4096 ? reqs : 4096) / p->pp;
        double raw_tok = raw_bs * (1.0 + (double)isl / osl);
        if (raw_tok > 32768)
            raw_tok = 32768;
        bs = raw_bs < 256 ? (int)fmax(64, 32 * ceil(raw_bs / 32)) : raw_bs < 1024 ? (int)(128 * ceil(raw_bs / 128))
                                                                                   : (int)(256 * ceil(raw_bs / 256));
        tokens = raw_tok < 4096 ? (int)fmax(2048, 256 * ceil(raw_tok / 256))
                 : raw_tok < 8192 ? (int)(512 * ceil(raw_tok / 512))
                                  : (int)(1024 * ceil(raw_tok / 1024));
    }
    if (tokens < isl + bs)
        tokens = isl + bs;
    *max_bs = bs; /* per rank: serve's limits are per instance, one per data-parallel rank */
    *max_tokens = tokens;
}

typedef struct run_limits {
    int max_seqs, max_tokens; /* per instance; 0: the KV cache and the default token budget bound them */
    int users;                /* a closed loop of this many (trtllm-bench --concurrency); 0: all at once */
    double kv_fraction;       /* 0: all the free memory */
    const char *graphs;       /* CUDA-graph batches with padding, "1,2,4,..." ("": none) */
    const serve_cfg_t *stack; /* serve_cfg_default with the serving stack's own costs from the row
                               * (host time, front end, scheduling ahead): the run's starting point */
} run_limits_t;

/* What a simulated run measured, as the benchmark tools report it. */
typedef struct run_stats {
    double out_s, total_s;      /* output and all tokens per second over the run */
    double running;             /* requests an iteration carries, on average, per instance */
    double ttft_s, tpot_s;      /* means over the requests (benchmark_serving's "Mean TTFT" and
                                 * "Mean TPOT": a request's (end - first token) / (output - 1)) */
} run_stats_t;

/* An offline benchmark on dep: n requests of isl/osl tokens served to the last, all queued at
 * t = 0 or a closed loop of lim->users; or, with objectives slo_s (p99 TTFT and TPOT,
 * seconds), the run at the highest Poisson rate meeting them.  lim: the scheduler's limits,
 * the KV share and the CUDA graphs; trt: TensorRT-LLM's admission and KV pools (serve.h
 * admit_reserve, kv_pools_equal).  What the run measured in *rs; 0, or -1 with why. */
static int offline_run(const deploy_t *dep, int n, const len_dist_t *isl, const len_dist_t *osl, int trt,
                       const run_limits_t *lim, const double slo_s[2], run_stats_t *rs, char *why, size_t cap)
{
    static serve_result_t res; /* large: histograms and time series */
    workload_cfg_t wc = {0};
    wc.arrival = ARRIVE_CLOSED;
    wc.users = lim->users > 0 && lim->users < n ? lim->users : n;
    wc.max_requests = n;
    wc.isl = *isl;
    wc.osl = *osl;
    wc.seed = 1;
    serve_cfg_t cfg = *lim->stack;
    cfg.admit_reserve = trt;  /* TensorRT-LLM's GUARANTEED_NO_EVICT ... */
    cfg.kv_pools_equal = trt; /* ... and its equal KV shares per attention-window size */
    if (lim->max_tokens > 0)
        cfg.max_tokens = lim->max_tokens;
    cfg.max_seqs = lim->max_seqs > 0 ? lim->max_seqs : cfg.max_tokens; /* else the KV cache and the token budget */
    cfg.kv_fraction = lim->kv_fraction;
    diag_t d;
    diag_clear(&d);
    status_t st;
    const int server = slo_s[0] > 0 || slo_s[1] > 0;
    if (*lim->graphs && serve_parse_graph_sizes(lim->graphs, "graph_batches", &cfg, &d) != IS_OK) {
        snprintf(why, cap, "graph_batches: %.140s", d.message);
        return -1;
    }
    if (server) {
        /* MLPerf's Server scenario: 4,000 requests a trial (its output rate on Llama 2 70B /
         * H200 is within 0.5 % of 24,576 requests'; a longer trial only slows validate) */
        capacity_cfg_t cc;
        capacity_cfg_default(&cc);
        cc.ttft_s = slo_s[0];
        cc.tpot_s = slo_s[1];
        cc.requests = n < 4000 ? n : 4000;
        capacity_result_t cr;
        st = serve_capacity(dep, &wc, &cfg, &cc, &cr, &res, &d);
        if (st == IS_OK && cr.rate <= 0) {
            snprintf(why, cap, "server run: no rate meets p99 TTFT %.3g s and TPOT %.3g s", slo_s[0], slo_s[1]);
            return -1;
        }
        n = (int)cc.requests;
    } else {
        workload_t w;
        if ((st = workload_open(&w, &wc, &d)) == IS_OK)
            st = serve_run(dep, &w, &cfg, &res, &d);
        workload_close(&w);
    }
    if (st != IS_OK || res.completed < n) {
        snprintf(why, cap, "%s run: %.120s", server ? "server" : "offline",
                 st != IS_OK ? d.message : "requests left unserved");
        return -1;
    }
    rs->out_s = res.output_tok_s;
    rs->total_s = res.total_tok_s;
    rs->running = res.instances > 0 ? res.mean_running / res.instances : res.mean_running;
    rs->ttft_s = hist_mean(&res.ttft);
    rs->tpot_s = hist_mean(&res.tpot);
    return 0;
}

/* The serving stack's own costs a row may give: its column, the column's unit in seconds, and the
 * serve_cfg_t field it sets (serve --host-us-gap, --frontend-ms, --frontend-us-token,
 * --host-us-iter, --host-us-request). */
static const struct {
    const char *col;
    double unit_s;
    size_t off;
} stack_cols[] = {
    {"host_gap_us", 1e-6, offsetof(serve_cfg_t, host_gap_s)},
    {"frontend_ms", 1e-3, offsetof(serve_cfg_t, frontend_s)},
    {"frontend_us_token", 1e-6, offsetof(serve_cfg_t, frontend_s_per_token)},
    {"host_us_iter", 1e-6, offsetof(serve_cfg_t, host_s_per_iteration)},
    {"host_us_request", 1e-6, offsetof(serve_cfg_t, host_s_per_request)},
};

/* One row -> predicted value (in the row's unit).  Returns 0, or -1 with why. */
static int predict_row(const csv_t *c, int i, const alias_t *al, int n_al, val_row_t *v)
{
    static model_t m;
    static system_t s;
    static predict_result_t r;
#define F(name) (csv_col(c, name) >= 0 ? c->rows[i][csv_col(c, name)] : "")
    const char *mname = resolve_alias(al, n_al, F("model"));
    const char *sname = resolve_alias(al, n_al, F("system"));
    if (load_pair(mname, sname, &m, &s, v->reason, sizeof v->reason))
        return -1;
    predict_req_t req;
    predict_req_default(&req, &m);
    int chips = field_int(F("chips"), 1), tp = field_int(F("tp"), 0), pp = field_int(F("pp"), 1),
        ep = field_int(F("ep"), 1);
    if (chips < 0 || tp < 0 || pp < 0 || ep < 0) {
        snprintf(v->reason, sizeof v->reason, "chips/tp/pp/ep must be positive integers");
        return -1;
    }
    const char *w = F("weights"), *kv = F("kv"), *batch = F("batch");
    if (*w) {
        if (precision_parse(w, &req.cfg.weights) != 0) {
            snprintf(v->reason, sizeof v->reason, "unknown precision \"%s\"", w);
            return -1;
        }
        req.cfg.experts = req.cfg.weights;
        req.cfg.embed = deploy_embed_precision(&req.cfg.weights);
    }
    compute_class_t wc = req.cfg.weights.cc;
    if (wc == CC_FP8 || wc == CC_INT8 || wc == CC_FP4)
        req.cfg.act = req.cfg.weights;
    const char *ex = F("experts"), *act = F("act");
    if (*ex && precision_parse(ex, &req.cfg.experts) != 0) {
        snprintf(v->reason, sizeof v->reason, "unknown experts precision \"%s\"", ex);
        return -1;
    }
    if (*act && precision_parse(act, &req.cfg.act) != 0) {
        snprintf(v->reason, sizeof v->reason, "unknown act precision \"%s\"", act);
        return -1;
    }
    if (*kv) {
        if (precision_parse(kv, &req.cfg.kv) != 0) {
            snprintf(v->reason, sizeof v->reason, "unknown precision \"%s\"", kv);
            return -1;
        }
    } else if (wc == CC_FP8) {
        req.cfg.kv = req.cfg.weights;
    }
    int isl = field_int(F("isl"), 0), osl = field_int(F("osl"), 0), requests = field_int(F("requests"), 0),
        kernels = field_int(F("kernels"), 0), ew_bytes = field_int(F("elementwise_bytes"), 0),
        row_seqs = field_int(F("max_seqs"), 0), row_tokens = field_int(F("max_tokens"), 0),
        slo_ttft = field_int(F("slo_ttft_ms"), 0), slo_tpot = field_int(F("slo_tpot_ms"), 0),
        concurrency = field_int(F("concurrency"), 0);
    {
        static const char *const cols[] = {"requests", "kernels", "elementwise_bytes", "max_seqs", "max_tokens",
                                           "slo_ttft_ms", "slo_tpot_ms", "concurrency"};
        const int vals[] = {requests, kernels, ew_bytes, row_seqs, row_tokens, slo_ttft, slo_tpot, concurrency};
        for (int k = 0; k < 8; k++)
            if (vals[k] < 0) {
                snprintf(v->reason, sizeof v->reason, "%s must be a positive integer", cols[k]);
                return -1;
            }
    }
    const double slo_s[2] = {slo_ttft * 1e-3, slo_tpot * 1e-3};
    double kv_fraction = 0;
    if (*F("kv_fraction")) {
        char *end;
        kv_fraction = strtod(F("kv_fraction"), &end);
        if (*end || !(kv_fraction > 0 && kv_fraction <= 1)) {
            snprintf(v->reason, sizeof v->reason, "kv_fraction must be a fraction in (0, 1], got \"%.20s\"",
                     F("kv_fraction"));
            return -1;
        }
    }
    /* the serving stack's own costs, where a measurement of the stack gives them (host time, a
     * front end, scheduling ahead): the serve configuration a simulated run starts from */
    static serve_cfg_t stack;
    serve_cfg_default(&stack);
    for (size_t k = 0; k < sizeof stack_cols / sizeof stack_cols[0]; k++) {
        const char *f = F(stack_cols[k].col);
        if (!*f)
            continue;
        char *end;
        double x = strtod(f, &end);
        if (*end || !(x >= 0 && x < 1e9)) {
            snprintf(v->reason, sizeof v->reason, "%s must be a number of 0 or more, got \"%.20s\"",
                     stack_cols[k].col, f);
            return -1;
        }
        *(double *)((char *)&stack + stack_cols[k].off) = x * stack_cols[k].unit_s;
    }
    /* schedule_ahead 1: the stack schedules each iteration while the one before runs */
    stack.schedule_ahead = !strcmp(F("schedule_ahead"), "1");
    if (*F("schedule_ahead") && !stack.schedule_ahead && strcmp(F("schedule_ahead"), "0")) {
        snprintf(v->reason, sizeof v->reason, "schedule_ahead must be 0 or 1, got \"%.20s\"", F("schedule_ahead"));
        return -1;
    }
    /* decode_attention per_head: the stack's decode attention kernel reads a shared KV head once
     * per query head (TensorRT-LLM before XQA); grouped or empty: once per KV head */
    const char *da = F("decode_attention");
    if (*da && strcmp(da, "per_head") && strcmp(da, "grouped")) {
        snprintf(v->reason, sizeof v->reason, "decode_attention must be per_head or grouped, got \"%.20s\"", da);
        return -1;
    }
    req.cfg.decode_attn_per_head = !strcmp(da, "per_head");
    req.cfg.kernels_per_step = kernels;
    req.cfg.elementwise_B_per_token = ew_bytes;
    /* an offline run may draw its lengths from a distribution (a data set's, by its mean and
     * spread: "lognormal:MEAN:STD"); the deployment is sized by the means */
    len_dist_t isl_d = {.kind = LEN_FIXED, .a = isl}, osl_d = {.kind = LEN_FIXED, .a = osl};
    const char *specs[2] = {F("isl"), F("osl")};
    len_dist_t *dists[2] = {&isl_d, &osl_d};
    int *means[2] = {&isl, &osl};
    for (int k = 0; k < 2; k++) {
        if (*means[k] >= 0 || !strchr(specs[k], ':'))
            continue;
        diag_t ld;
        diag_clear(&ld);
        if (requests <= 0 || !strncmp(specs[k], "file:", 5) ||
            len_dist_parse(k ? "osl" : "isl", specs[k], dists[k], &ld) != IS_OK) {
            snprintf(v->reason, sizeof v->reason, "%s \"%.40s\": a length distribution needs a requests count, "
                     "as N, uniform:MIN:MAX, normal:MEAN:STD or lognormal:MEAN:STD", k ? "osl" : "isl", specs[k]);
            return -1;
        }
        *means[k] = (int)llround(len_dist_mean(dists[k]));
    }
    const char *metric = F("metric");
    if (!isl && !strcmp(metric, "decode_tok_s_per_user"))
        isl = 1;
    if (!osl && (!strcmp(metric, "prefill_tok_s") || !strcmp(metric, "ttft_ms") || !strcmp(metric, "decode_step_ms") ||
                 validate_kernel_metric(metric)))
        osl = 1;
    if (!osl && !strcmp(metric, "decode_tok_s_per_user"))
        osl = 128;
    if (isl <= 0 || osl <= 0) {
        snprintf(v->reason, sizeof v->reason, "the source gives no fixed input/output lengths");
        return -1;
    }
    req.isl = isl;
    req.osl = osl;
    if (!*batch || !strcmp(batch, "max")) {
        req.batch = 0;
    } else if ((req.batch = field_int(batch, 0)) <= 0) {
        snprintf(v->reason, sizeof v->reason, "batch \"%s\" is not a number or max", batch);
        return -1;
    }
    /* the plan: an unknown tp is the smallest power of two whose replica fits */
    int tps[16], ntp = 0;
    if (tp > 0) {
        tps[ntp++] = tp;
    } else {
        for (int t = 1; t <= chips / pp && ntp < 16; t *= 2)
            if ((chips / pp) % t == 0)
                tps[ntp++] = t;
    }
    status_t st = IS_ERR_INPUT;
    diag_t d;
    for (int k = 0; k < ntp; k++) {
        int t = tps[k];
        if (chips % (t * pp) != 0)
            continue;
        int dp = chips / (t * pp);
        req.cfg.plan = (plan_t){chips, t, pp, ep, dp};
        if (ep > 1 && ep > t)
            req.cfg.plan.ep = ep; /* DP attention + EP as given */
        diag_clear(&d);
        st = predict_run(&m, &s, &req, &r, &d);
        if (st == IS_OK && (r.fits || k == ntp - 1))
            break;
    }
    if (st != IS_OK) {
        snprintf(v->reason, sizeof v->reason, "invalid plan: %.140s", d.message);
        return -1;
    }
    if (!r.fits) {
        snprintf(v->reason, sizeof v->reason, "does not fit: %.100s", r.reason);
        return -1;
    }
    const plan_t *p = &req.cfg.plan;
    int throughput = !strcmp(metric, "output_tok_s") || !strcmp(metric, "output_tok_s_per_gpu") ||
                     !strcmp(metric, "total_tok_s");
    /* a serving benchmark's latencies: the mean TTFT and TPOT of its requests, from the same run */
    int latency = !strcmp(metric, "ttft_ms") || !strcmp(metric, "tpot_ms");
    int offline = requests > 0 && (throughput || latency);
    int server = offline && (slo_ttft > 0 || slo_tpot > 0);
    char run[128];
    int trt = strstr(F("framework"), "TensorRT-LLM") != NULL, max_seqs = row_seqs, max_tokens = row_tokens;
    /* trtllm-bench picks its own limits unless a row gives them */
    const int bench = offline && strstr(F("framework"), "trtllm-bench") != NULL;
    if (bench && !row_seqs && !row_tokens)
        trtllm_bench_limits(&req, &m, &s, &req.cfg.plan, isl, osl, &max_seqs, &max_tokens);
    /* and its KV share: --kv_cache_free_gpu_mem_fraction's default, 0.90, unless a row gives one
     * (the perf-overview pages: "In many cases, we also use ... 0.95 ... than the default setting of
     * 0.90. We fall back to 0.90 or lower if out-of-memory errors are encountered") */
    if (bench && kv_fraction == 0)
        kv_fraction = TRTLLM_BENCH_KV_FRACTION;
    if (server)
        snprintf(run, sizeof run, "server p99 TTFT %d ms, TPOT %d ms", slo_ttft, slo_tpot);
    else if (offline)
        snprintf(run, sizeof run, "offline %d", requests);
    if (offline && concurrency > 0 && concurrency < requests) {
        size_t n = strlen(run);
        snprintf(run + n, sizeof run - n, " x%d", concurrency);
    }
    if (offline && (max_seqs || max_tokens)) {
        size_t n = strlen(run);
        serve_cfg_t dflt; /* the token budget a row without one runs at */
        serve_cfg_default(&dflt);
        if (max_seqs)
            snprintf(run + n, sizeof run - n, " (max %d seqs, %d tokens)", max_seqs,
                     max_tokens ? max_tokens : dflt.max_tokens);
        else
            snprintf(run + n, sizeof run - n, " (max %d tokens)", max_tokens);
    }
    if (!offline)
        snprintf(run, sizeof run, "b%d%s", r.batch, r.steady ? " steady" : "");
    char experts[32] = "";
    if (strcmp(req.cfg.experts.name, req.cfg.weights.name) != 0 && r.depp->model->n_experts > 0)
        snprintf(experts, sizeof experts, " experts %s", req.cfg.experts.name);
    snprintf(v->plan, sizeof v->plan, "tp%d pp%d ep%d dp%d %s/%s%s %s", p->tp, p->pp, p->ep, p->dp,
             req.cfg.weights.name, req.cfg.kv.name, experts, run);
    if (offline) {
        run_stats_t rs;
        run_limits_t lim = {max_seqs, max_tokens, concurrency, kv_fraction, F("graph_batches"), &stack};
        if (offline_run(r.depp, requests, &isl_d, &osl_d, trt, &lim, slo_s, &rs,
                        v->reason, sizeof v->reason))
            return -1;
        /* what the run held: the requests an iteration carries, on average, per instance */
        v->running = rs.running;
        size_t n = strlen(v->plan);
        snprintf(v->plan + n, sizeof v->plan - n, ", %.0f running", v->running);
        v->predicted = !strcmp(metric, "output_tok_s")   ? rs.out_s
                       : !strcmp(metric, "total_tok_s") ? rs.total_s
                       : !strcmp(metric, "ttft_ms")     ? rs.ttft_s * 1e3
                       : !strcmp(metric, "tpot_ms")     ? rs.tpot_s * 1e3
                                                        : rs.out_s / p->chips;
    } else if (!strcmp(metric, "output_tok_s")) v->predicted = r.output_tok_s;
    else if (!strcmp(metric, "output_tok_s_per_gpu")) v->predicted = r.output_tok_s_per_chip;
    else if (!strcmp(metric, "total_tok_s")) v->predicted = r.total_tok_s;
    else if (!strcmp(metric, "ttft_ms")) v->predicted = r.ttft_s * 1e3;
    else if (!strcmp(metric, "tpot_ms")) v->predicted = r.tpot_s * 1e3;
    else if (!strcmp(metric, "decode_tok_s_per_user")) v->predicted = r.output_tok_s_per_user;
    else if (!strcmp(metric, "prefill_tok_s")) v->predicted = (double)r.batch * isl / r.ttft_s;
    else if (!strcmp(metric, "decode_step_ms")) v->predicted = r.decode.step_s * 1e3;
    else if (!strcmp(metric, "decode_gemm_ms")) v->predicted = gemm_s(&r.decode.cost) * 1e3;
    else if (!strcmp(metric, "decode_attention_ms")) v->predicted = r.decode.cost.by_op[OP_ATTN] * 1e3;
    else if (!strcmp(metric, "prefill_gemm_ms")) v->predicted = gemm_s(&r.prefill.cost) * 1e3;
    else if (!strcmp(metric, "prefill_attention_ms")) v->predicted = r.prefill.cost.by_op[OP_ATTN] * 1e3;
    else {
        snprintf(v->reason, sizeof v->reason, "unknown metric \"%s\"", metric);
        return -1;
    }
#undef F
    return 0;
}

static status_t load_aliases(const char *path, alias_t **out, int *n, diag_t *d)
{
    *out = NULL;
    *n = 0;
    if (!path)
        return IS_OK;
    csv_t c;
    status_t st = csv_read(path, &c, d);
    if (st != IS_OK)
        return st;
    int cn = csv_col(&c, "name"), cp = csv_col(&c, "preset");
    if (cn < 0 || cp < 0) {
        csv_free(&c);
        return diag_error(d, path, 1, 0, NULL, "expected columns name,preset");
    }
    *out = calloc((size_t)c.n_rows + 1, sizeof(alias_t));
    if (!*out) {
        csv_free(&c);
        return diag_error(d, path, 0, 0, NULL, "out of memory");
    }
    for (int i = 0; i < c.n_rows; i++) {
        snprintf((*out)[i].name, sizeof(*out)[i].name, "%s", c.rows[i][cn]);
        snprintf((*out)[i].preset, sizeof(*out)[i].preset, "%s", c.rows[i][cp]);
    }
    *n = c.n_rows;
    csv_free(&c);
    return IS_OK;
}

/* Accumulates |error| per group and per kernel-metric subset. */
typedef struct mape_acc {
    double sum[4];
    int n[4]; /* all, datacenter, edge, kernel */
} mape_acc_t;

static void mape_add(mape_acc_t *a, const val_row_t *v)
{
    double e = fabs(v->error);
    int g = strcmp(v->group, "edge") == 0 ? 2 : 1;
    a->sum[0] += e;
    a->n[0]++;
    a->sum[g] += e;
    a->n[g]++;
    if (validate_kernel_metric(v->metric)) {
        a->sum[3] += e;
        a->n[3]++;
    }
}

static val_mape_t mape_of(const mape_acc_t *a)
{
    val_mape_t m;
    m.overall = a->n[0] ? a->sum[0] / a->n[0] : 0;
    m.datacenter = a->n[1] ? a->sum[1] / a->n[1] : 0;
    m.edge = a->n[2] ? a->sum[2] / a->n[2] : 0;
    m.kernel = a->n[3] ? a->sum[3] / a->n[3] : 0;
    m.n = a->n[0];
    m.n_datacenter = a->n[1];
    m.n_edge = a->n[2];
    m.n_kernel = a->n[3];
    return m;
}

/* Append the rows of one set to r->rows (grown to hold them). */
static status_t run_set(int set, const char *csv_path, const alias_t *al, int n_al, val_report_t *r,
                        mape_acc_t *all, mape_acc_t *mine, diag_t *d)
{
    csv_t c;
    status_t st = csv_read(csv_path, &c, d);
    if (st != IS_OK)
        return st;
    static const char *const need[] = {"id", "group", "model", "system", "chips", "metric", "value"};
    for (size_t k = 0; k < sizeof need / sizeof need[0]; k++)
        if (csv_col(&c, need[k]) < 0) {
            csv_free(&c);
            return diag_error(d, csv_path, 1, 0, need[k], "missing column \"%s\" in the header", need[k]);
        }
    val_row_t *grown = realloc(r->rows, ((size_t)r->n_rows + (size_t)c.n_rows + 1) * sizeof(val_row_t));
    if (!grown) {
        csv_free(&c);
        return diag_error(d, csv_path, 0, 0, NULL, "out of memory");
    }
    r->rows = grown;
    memset(r->rows + r->n_rows, 0, ((size_t)c.n_rows + 1) * sizeof(val_row_t));
    for (int i = 0; i < c.n_rows; i++) {
        val_row_t *v = &r->rows[r->n_rows + i];
        v->set = set;
        v->line = c.line[i];
#define COPY(dst, col) snprintf(dst, sizeof dst, "%s", csv_col(&c, col) >= 0 ? c.rows[i][csv_col(&c, col)] : "")
        COPY(v->id, "id");
        COPY(v->group, "group");
        COPY(v->model, "model");
        COPY(v->system, "system");
        COPY(v->metric, "metric");
        COPY(v->framework, "framework");
        COPY(v->source_url, "source_url");
#undef COPY
        {
            const char *isl = csv_col(&c, "isl") >= 0 ? c.rows[i][csv_col(&c, "isl")] : "";
            const char *osl = csv_col(&c, "osl") >= 0 ? c.rows[i][csv_col(&c, "osl")] : "";
            snprintf(v->lengths, sizeof v->lengths, "%.23s/%.23s", *isl ? isl : "-", *osl ? osl : "-");
        }
        char *e;
        const char *val = c.rows[i][csv_col(&c, "value")];
        v->measured = strtod(val, &e);
        if (e == val || *e || !(v->measured > 0)) {
            csv_free(&c);
            return diag_error(d, csv_path, v->line, 0, "value", "expected a positive number, got \"%s\"", val);
        }
        if (strcmp(v->group, "datacenter") && strcmp(v->group, "edge")) {
            int line = v->line;
            csv_free(&c);
            return diag_error(d, csv_path, line, 0, "group", "expected datacenter or edge");
        }
        if (predict_row(&c, i, al, n_al, v) != 0) {
            v->skipped = 1;
            r->n_skipped++;
            continue;
        }
        v->error = (v->predicted - v->measured) / v->measured;
        r->n_done++;
        mape_add(all, v);
        mape_add(mine, v);
    }
    r->n_rows += c.n_rows;
    csv_free(&c);
    return IS_OK;
}

status_t validate_run_sets(const char *const *csv_paths, int n_sets, const char *aliases_path, val_report_t *r,
                           diag_t *d)
{
    memset(r, 0, sizeof *r);
    if (n_sets < 1 || n_sets > VALIDATE_MAX_SETS)
        return diag_error(d, NULL, 0, 0, "set", "expected 1 to %d validation sets, got %d", VALIDATE_MAX_SETS,
                          n_sets);
    alias_t *al;
    int n_al;
    status_t st = load_aliases(aliases_path, &al, &n_al, d);
    if (st != IS_OK)
        return st;
    mape_acc_t all = {{0}, {0}};
    for (int k = 0; k < n_sets && st == IS_OK; k++) {
        val_set_t *vs = &r->sets[k];
        snprintf(vs->path, sizeof vs->path, "%s", csv_paths[k]);
        const char *base = strrchr(csv_paths[k], '/');
        snprintf(vs->name, sizeof vs->name, "%s", base ? base + 1 : csv_paths[k]);
        char *dot = strrchr(vs->name, '.');
        if (dot && !strcmp(dot, ".csv"))
            *dot = '\0';
        mape_acc_t mine = {{0}, {0}};
        st = run_set(k, csv_paths[k], al, n_al, r, &all, &mine, d);
        vs->mape = mape_of(&mine);
        r->n_sets = k + 1;
    }
    free(al);
    if (st != IS_OK) {
        validate_free(r);
        return st;
    }
    r->mape = mape_of(&all);
    return IS_OK;
}

status_t validate_run(const char *csv_path, const char *aliases_path, val_report_t *r, diag_t *d)
{
    return validate_run_sets(&csv_path, 1, aliases_path, r, d);
}

void validate_free(val_report_t *r)
{
    free(r->rows);
    r->rows = NULL;
}
