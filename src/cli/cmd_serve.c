/*
 * cmd_serve.c — `infersim serve`: a serving simulation of a deployment under a load.
 */
#include "cli.h"

#include "../core/interrupt.h"
#include "../analysis/capacity.h"
#include "../analysis/serve.h"
#include "../io/fileutil.h"
#include "../report/report_serve.h"

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void serve_usage(FILE *f)
{
    fprintf(f,
            "usage: infersim serve --model NAME|PATH --system NAME|PATH (--rate R | --users N | --trace FILE | --capacity)\n"
            "                       [options]\n"
            "\n"
            "deployment (as predict): --chips N --tp N --pp N --ep N --dp N --weights P --experts P --kv P --act P\n"
            "                        --expert-slots N --expert-skew CV --decode-attention grouped|per-head\n"
            "  --replicas N          copies of the deployment behind a router (default 1)\n"
            "  --router NAME         least-loaded (default) or round-robin\n"
            "  --prefill-chips N     disaggregated: N chips per prefill instance (--prefill-tp N --prefill-pp N);\n"
            "                        the deployment flags above describe one decode instance\n"
            "  --prefill-instances P --decode-instances D   instances in each pool (default 1 each)\n"
            "load\n"
            "  --rate R              Poisson arrivals, requests per second\n"
            "  --burstiness K        gamma-distributed gaps of shape K instead (1 = Poisson, < 1 burstier)\n"
            "  --users N             a closed loop of N users, each waiting for its answer ...\n"
            "  --think S             ... and thinking S seconds on average before the next (default 0)\n"
            "  --trace FILE          arrivals and lengths from a CSV (docs/trace-format.md)\n"
            "  --capacity            find the highest Poisson rate whose --slo-quantile of TTFT and of TPOT\n"
            "                        stay within --slo-ttft and --slo-tpot (MLPerf's Server scenario: p99,\n"
            "                        2 s and 0.2 s for Llama 2 70B); each trial serves --requests N (2000)\n"
            "  --duration S          no arrivals after S seconds (default 60 with --rate or --users)\n"
            "  --requests N          stop after N requests\n"
            "  --isl D --osl D       prompt and answer lengths: N, uniform:MIN:MAX, normal:MEAN:STD,\n"
            "                        lognormal:MEAN:STD or file:PATH (default 1024 and 128)\n"
            "  --prefix-tokens N     the first N prompt tokens are a shared prefix (system prompt, RAG corpus) ...\n"
            "  --prefixes K          ... one of K, chosen uniformly (default 1)\n"
            "  --image-tokens N      extra prompt tokens per request (an image, multimodal)\n"
            "  --seed N              random seed (default 1): the same seed gives the same run\n"
            "  --site NAME|PATH      energy, cost and carbon of the run at this site (default us-average)\n"
            "scheduler\n"
            "  --max-seqs N          requests in flight per instance (default 256, vLLM's max_num_seqs)\n"
            "  --max-tokens N        tokens per iteration, chunked prefill (default 8192)\n"
            "  --block N             KV-cache block size in tokens (default 16)\n"
            "  --preempt MODE        recompute (default) or swap (to host memory over the host link)\n"
            "  --admit MODE          fit (default, vLLM: a request enters when its next chunk fits, and may\n"
            "                        be preempted later) or reserve (TensorRT-LLM's GUARANTEED_NO_EVICT: it\n"
            "                        enters when its whole prompt and answer fit; nothing is ever preempted)\n"
            "  --kv-pools MODE       shared (default, vLLM: one KV pool for every layer) or equal (TensorRT-LLM:\n"
            "                        a pool per attention-window size, each an equal share of the memory, so\n"
            "                        sliding-window layers leave the full-attention ones no more room)\n"
            "  --kv-fraction F       the KV cache takes F of the memory left after weights and workspace\n"
            "                        (TensorRT-LLM's kv_cache_free_gpu_memory_fraction; default 1)\n"
            "  --max-queue N         reject arrivals when N requests wait at an instance (default: no limit)\n"
            "  --no-prefix-cache     compute every prompt in full\n"
            "  --graph-batches LIST  CUDA graphs with padding: a decode-only iteration of b requests runs the\n"
            "                        graph of the next listed batch (e.g. 1,2,4,8,16,32,64,128,256,384,512,\n"
            "                        1024,2048,4096,8192, TensorRT-LLM's perf-overview runs); default none\n"
            "  --host-us-iter U      the serving stack's host work per iteration, in microseconds ...\n"
            "  --host-us-request U   ... and per request in the iteration (scheduling, inputs, sampling); the\n"
            "                        host prepares an iteration while the chips run the one before, so an\n"
            "                        iteration takes the longer of the two (default 0: not modelled)\n"
            "  --host-us-gap U       host time per iteration that the overlap does not hide: the chips idle\n"
            "                        U microseconds between iterations (default 0)\n"
            "  --frontend-ms M       a request's front end before the scheduler sees it (HTTP, tokenization,\n"
            "                        hand-over), in milliseconds ...\n"
            "  --frontend-us-token U ... plus U microseconds per prompt token; counted in TTFT (default 0)\n"
            "  --schedule-ahead      each iteration is scheduled while the one before runs (vLLM's async\n"
            "                        scheduling, TensorRT-LLM's overlap scheduler): a request arriving\n"
            "                        during an iteration joins the one after the next\n"
            "speculative decoding\n"
            "  --spec-tokens K       K proposed tokens per step ...\n"
            "  --spec-accept A       ... each accepted with probability A (default 0.7)\n"
            "  --draft-model NAME    proposals from a draft model on the same chips, or\n"
            "  --mtp                 from one extra layer of the model (multi-token prediction)\n"
            "output\n"
            "  --slo-ttft S --slo-tpot S   goodput counts requests within both (default 2 s and 0.05 s)\n"
            "  --slo-quantile Q      the percentile --capacity holds them at (default 0.99)\n"
            "  --timeseries FILE     waiting, running, KV use and output rate over time, as CSV\n"
            "  --svg FILE            the same as two charts\n"
            "  --sample S            time-series interval (default: a thousandth of the duration)\n"
            "  --json                one JSON object\n"
            "\n"
            "exit status: 0 ok, 1 I/O error, 2 bad input (a trace row: its line), 3 does not fit in memory,\n"
            "130 interrupted (Ctrl-C): nothing written\n");
}

enum {
    O_MODEL = 256, O_SYSTEM, O_CHIPS, O_TP, O_PP, O_EP, O_DP, O_WEIGHTS, O_EXPERTS, O_KV, O_ACT, O_REPLICAS, O_ROUTER,
    O_PCHIPS, O_PTP, O_PPP, O_PINST, O_DINST, O_RATE, O_BURST, O_USERS, O_THINK, O_TRACE, O_DURATION, O_REQUESTS,
    O_ISL, O_OSL, O_PREFIX, O_PREFIXES, O_IMAGE, O_SEED, O_MAXSEQS, O_MAXTOK, O_BLOCK, O_PREEMPT, O_ADMIT, O_MAXQUEUE, O_GRAPHS,
    O_NOPC, O_SPECK, O_SPECA, O_DRAFT, O_MTP, O_SLOT, O_SLOP, O_TS, O_SVG, O_SAMPLE, O_JSON, O_HELP, O_SITE, O_CAPACITY, O_SLOQ, O_KVPOOLS, O_KVFRAC,
    O_HOSTIT, O_HOSTREQ, O_SKEW, O_SLOTS, O_HOSTGAP, O_FEMS, O_FETOK, O_AHEAD, O_DECATTN
};

static const struct option opts[] = {
    {"model", required_argument, 0, O_MODEL}, {"system", required_argument, 0, O_SYSTEM},
    {"chips", required_argument, 0, O_CHIPS}, {"tp", required_argument, 0, O_TP},
    {"pp", required_argument, 0, O_PP}, {"ep", required_argument, 0, O_EP},
    {"dp", required_argument, 0, O_DP}, {"weights", required_argument, 0, O_WEIGHTS},
    {"experts", required_argument, 0, O_EXPERTS}, {"kv", required_argument, 0, O_KV},
    {"act", required_argument, 0, O_ACT}, {"replicas", required_argument, 0, O_REPLICAS},
    {"router", required_argument, 0, O_ROUTER}, {"prefill-chips", required_argument, 0, O_PCHIPS},
    {"prefill-tp", required_argument, 0, O_PTP}, {"prefill-pp", required_argument, 0, O_PPP},
    {"prefill-instances", required_argument, 0, O_PINST}, {"decode-instances", required_argument, 0, O_DINST},
    {"rate", required_argument, 0, O_RATE}, {"burstiness", required_argument, 0, O_BURST},
    {"users", required_argument, 0, O_USERS}, {"think", required_argument, 0, O_THINK},
    {"trace", required_argument, 0, O_TRACE}, {"duration", required_argument, 0, O_DURATION},
    {"requests", required_argument, 0, O_REQUESTS}, {"isl", required_argument, 0, O_ISL},
    {"osl", required_argument, 0, O_OSL}, {"prefix-tokens", required_argument, 0, O_PREFIX},
    {"prefixes", required_argument, 0, O_PREFIXES}, {"image-tokens", required_argument, 0, O_IMAGE},
    {"seed", required_argument, 0, O_SEED}, {"max-seqs", required_argument, 0, O_MAXSEQS},
    {"max-tokens", required_argument, 0, O_MAXTOK}, {"block", required_argument, 0, O_BLOCK},
    {"preempt", required_argument, 0, O_PREEMPT}, {"admit", required_argument, 0, O_ADMIT}, {"max-queue", required_argument, 0, O_MAXQUEUE},
    {"no-prefix-cache", no_argument, 0, O_NOPC}, {"graph-batches", required_argument, 0, O_GRAPHS}, {"spec-tokens", required_argument, 0, O_SPECK},
    {"spec-accept", required_argument, 0, O_SPECA}, {"draft-model", required_argument, 0, O_DRAFT},
    {"mtp", no_argument, 0, O_MTP}, {"slo-ttft", required_argument, 0, O_SLOT},
    {"slo-tpot", required_argument, 0, O_SLOP}, {"timeseries", required_argument, 0, O_TS},
    {"svg", required_argument, 0, O_SVG}, {"sample", required_argument, 0, O_SAMPLE},
    {"json", no_argument, 0, O_JSON}, {"help", no_argument, 0, O_HELP},
    {"site", required_argument, 0, O_SITE}, {"capacity", no_argument, 0, O_CAPACITY},
    {"slo-quantile", required_argument, 0, O_SLOQ}, {"kv-pools", required_argument, 0, O_KVPOOLS},
    {"kv-fraction", required_argument, 0, O_KVFRAC}, {"host-us-iter", required_argument, 0, O_HOSTIT},
    {"host-us-request", required_argument, 0, O_HOSTREQ}, {"expert-skew", required_argument, 0, O_SKEW},
    {"expert-slots", required_argument, 0, O_SLOTS}, {"host-us-gap", required_argument, 0, O_HOSTGAP},
    {"decode-attention", required_argument, 0, O_DECATTN},
    {"frontend-ms", required_argument, 0, O_FEMS}, {"frontend-us-token", required_argument, 0, O_FETOK},
    {"schedule-ahead", no_argument, 0, O_AHEAD},
    {0, 0, 0, 0},
};

/* A positive number flag (seconds, rates, probabilities). */
static status_t num_flag(const char *flag, const char *v, double min, double max, double *out, diag_t *d)
{
    char *end;
    double x = strtod(v, &end);
    if (!*v || *end || !isfinite(x) || x < min || x > max)
        return diag_error(d, NULL, 0, 0, flag, "expected a number from %g to %g, got \"%s\"", min, max, v);
    *out = x;
    return IS_OK;
}

/* Append to the text in buf (cap bytes), cut at its end. */
static void appendf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void appendf(char *buf, size_t cap, const char *fmt, ...)
{
    size_t n = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, cap - n, fmt, ap);
    va_end(ap);
}

/* A time of 0 or more given in a unit (microseconds: 1e-6), stored in seconds. */
static status_t time_flag(const char *flag, const char *v, double unit_s, double *out_s, diag_t *d)
{
    status_t st = num_flag(flag, v, 0, 1e9, out_s, d);
    *out_s *= unit_s;
    return st;
}

static void describe_len(const len_dist_t *l, char *buf, size_t cap)
{
    switch (l->kind) {
    case LEN_FIXED: snprintf(buf, cap, "%.0f", l->a); break;
    case LEN_UNIFORM: snprintf(buf, cap, "uniform %.0f..%.0f", l->a, l->b); break;
    case LEN_NORMAL: snprintf(buf, cap, "normal %.0f +- %.0f", l->a, l->b); break;
    case LEN_LOGNORMAL: snprintf(buf, cap, "lognormal mean %.0f, std %.0f", l->a, l->b); break;
    case LEN_EMPIRICAL: snprintf(buf, cap, "%d observed lengths (mean %.0f)", l->n_values, len_dist_mean(l)); break;
    }
}

int cmd_serve(int argc, char **argv)
{
    diag_t d;
    diag_clear(&d);
    cli_deploy_flags_t df;
    cli_deploy_flags_default(&df);
    const char *trace = NULL, *isl = "1024", *osl = "128", *draft_name = NULL, *ts_path = NULL, *svg_path = NULL, *site_name = "us-average";
    int p_chips = 0, p_tp = 0, p_pp = 1, p_inst = 0, d_inst = 0;
    int users = 0, prefix = 0, prefixes = 1, image = 0, mtp = 0, json = 0, have_dur = 0, capacity = 0;
    double slo_q = 0.99;
    double rate = 0, burst = 0, think = 0, duration = 60, sample = 0, requests_d = 0, seed_d = 1;
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    status_t st = IS_OK;
    static const char *const routers[] = {"round-robin", "least-loaded"};
    static const char *const preempts[] = {"recompute", "swap"};
    static const char *const admits[] = {"fit", "reserve"};
    static const char *const pools[] = {"shared", "equal"};

    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char fl[40];
        const char *flag = cli_option_name(opts, c, fl, sizeof fl);
        if (cli_deploy_option(&df, flag, optarg, &st, &d)) {
            if (st != IS_OK)
                return cli_fail(st, &d);
            continue;
        }
        int v = 0;
        switch (c) {
        case O_REPLICAS: st = cli_int(fl, optarg, 1, &cfg.replicas, &d); break;
        case O_ROUTER: st = cli_choose(fl, optarg, routers, 2, &v, &d); cfg.router = (router_kind_t)v; break;
        case O_PCHIPS: st = cli_int(fl, optarg, 1, &p_chips, &d); break;
        case O_PTP: st = cli_int(fl, optarg, 1, &p_tp, &d); break;
        case O_PPP: st = cli_int(fl, optarg, 1, &p_pp, &d); break;
        case O_PINST: st = cli_int(fl, optarg, 1, &p_inst, &d); break;
        case O_DINST: st = cli_int(fl, optarg, 1, &d_inst, &d); break;
        case O_RATE: st = num_flag(fl, optarg, 1e-9, 1e9, &rate, &d); break;
        case O_BURST: st = num_flag(fl, optarg, 1e-3, 1e3, &burst, &d); break;
        case O_USERS: st = cli_int(fl, optarg, 1, &users, &d); break;
        case O_THINK: st = num_flag(fl, optarg, 0, 1e9, &think, &d); break;
        case O_TRACE: trace = optarg; break;
        case O_DURATION: st = num_flag(fl, optarg, 1e-9, 1e12, &duration, &d); have_dur = 1; break;
        case O_REQUESTS: st = num_flag(fl, optarg, 1, 1e15, &requests_d, &d); break;
        case O_ISL: isl = optarg; break;
        case O_OSL: osl = optarg; break;
        case O_PREFIX: st = cli_int(fl, optarg, 1, &prefix, &d); break;
        case O_PREFIXES: st = cli_int(fl, optarg, 1, &prefixes, &d); break;
        case O_IMAGE: st = cli_int(fl, optarg, 0, &image, &d); break;
        case O_SEED: st = num_flag(fl, optarg, 0, 1.8e19, &seed_d, &d); break;
        case O_MAXSEQS: st = cli_int(fl, optarg, 1, &cfg.max_seqs, &d); break;
        case O_MAXTOK: st = cli_int(fl, optarg, 1, &cfg.max_tokens, &d); break;
        case O_BLOCK: st = cli_int(fl, optarg, 1, &cfg.block_tokens, &d); break;
        case O_PREEMPT: st = cli_choose(fl, optarg, preempts, 2, &cfg.preempt_swap, &d); break;
        case O_ADMIT: st = cli_choose(fl, optarg, admits, 2, &cfg.admit_reserve, &d); break;
        case O_MAXQUEUE: st = cli_int(fl, optarg, 1, &v, &d); cfg.max_queue = v; break;
        case O_NOPC: cfg.prefix_cache = 0; break;
        case O_GRAPHS: st = serve_parse_graph_sizes(optarg, fl, &cfg, &d); break;
        case O_SPECK: st = cli_int(fl, optarg, 1, &cfg.spec_k, &d); break;
        case O_SPECA: st = num_flag(fl, optarg, 0, 1, &cfg.spec_accept, &d); break;
        case O_DRAFT: draft_name = optarg; break;
        case O_MTP: mtp = 1; break;
        case O_SLOT: st = num_flag(fl, optarg, 0, 1e9, &cfg.slo_ttft_s, &d); break;
        case O_SLOP: st = num_flag(fl, optarg, 0, 1e9, &cfg.slo_tpot_s, &d); break;
        case O_TS: ts_path = optarg; break;
        case O_SVG: svg_path = optarg; break;
        case O_SAMPLE: st = num_flag(fl, optarg, 1e-9, 1e12, &sample, &d); break;
        case O_JSON: json = 1; break;
        case O_SITE: site_name = optarg; break;
        case O_CAPACITY: capacity = 1; break;
        case O_KVFRAC: st = num_flag(fl, optarg, 0.01, 1, &cfg.kv_fraction, &d); break;
        case O_HOSTIT: st = time_flag(fl, optarg, 1e-6, &cfg.host_s_per_iteration, &d); break;
        case O_HOSTREQ: st = time_flag(fl, optarg, 1e-6, &cfg.host_s_per_request, &d); break;
        case O_HOSTGAP: st = time_flag(fl, optarg, 1e-6, &cfg.host_gap_s, &d); break;
        case O_FEMS: st = time_flag(fl, optarg, 1e-3, &cfg.frontend_s, &d); break;
        case O_FETOK: st = time_flag(fl, optarg, 1e-6, &cfg.frontend_s_per_token, &d); break;
        case O_AHEAD: cfg.schedule_ahead = 1; break;
        case O_KVPOOLS: st = cli_choose(fl, optarg, pools, 2, &cfg.kv_pools_equal, &d); break;
        case O_SLOQ: st = num_flag(fl, optarg, 0.5, 0.9999, &slo_q, &d); break;
        case 'h':
        case O_HELP: serve_usage(stdout); return EXIT_OK;
        default:
            return cli_getopt_error(opts, argv, O_MODEL, "serve");
        }
        if (st != IS_OK)
            return cli_fail(st, &d);
    }
    if ((st = cli_after_options(argc, argv, df.model, df.system, "serve", &d)) != IS_OK)
        return cli_fail(st, &d);
    int loads = (rate > 0) + (users > 0) + (trace != NULL) + capacity;
    if (loads != 1) {
        diag_error(&d, NULL, 0, 0, loads ? "--rate/--users/--trace/--capacity" : "--rate",
                   loads ? "choose one load: --rate R, --users N, --trace FILE or --capacity"
                         : "required: a load (--rate R, --users N, --trace FILE or --capacity)");
        return cli_fail(IS_ERR_INPUT, &d);
    }
    if (capacity && (have_dur || burst > 0 || think > 0)) {
        diag_error(&d, NULL, 0, 0, have_dur ? "--duration" : burst > 0 ? "--burstiness" : "--think",
                   "--capacity runs Poisson trials of --requests N requests each");
        return cli_fail(IS_ERR_INPUT, &d);
    }
    if (burst > 0 && rate <= 0) {
        diag_error(&d, NULL, 0, 0, "--burstiness", "shapes the gaps of --rate arrivals");
        return cli_fail(IS_ERR_INPUT, &d);
    }
    if ((draft_name || mtp) && !cfg.spec_k)
        cfg.spec_k = 4;
    if (cfg.spec_k && !draft_name && !mtp) {
        diag_error(&d, NULL, 0, 0, "--spec-tokens", "name the proposer: --draft-model NAME or --mtp");
        return cli_fail(IS_ERR_INPUT, &d);
    }
    if (draft_name && mtp) {
        diag_error(&d, NULL, 0, 0, "--mtp", "choose one proposer: --draft-model or --mtp");
        return cli_fail(IS_ERR_INPUT, &d);
    }

    static model_t m, dm;
    static system_t s;
    if ((st = cli_load_model(df.model, &m, &d)) != IS_OK || (st = cli_load_system(df.system, &s, &d)) != IS_OK)
        return cli_fail(st, &d);
    if (m.diffusion) {
        diag_error(&d, NULL, 0, 0, "--model", "%s is a masked-diffusion model: serve simulates autoregressive decoding "
                   "(use predict for diffusion)", m.name);
        return cli_fail(IS_ERR_INPUT, &d);
    }
    deploy_cfg_t dc;
    deploy_cfg_default(&dc, &m);
    if ((st = cli_split_chips("--chips", &df.chips, &df.tp, df.pp, df.dp, &d)) != IS_OK ||
        (st = cli_precisions(&dc, df.weights, df.experts, df.kv, df.act, &d)) != IS_OK)
        return cli_fail(st, &d);
    dc.plan = (plan_t){df.chips, df.tp, df.pp, df.ep, df.dp};
    dc.expert_skew = df.expert_skew;
    dc.expert_slots = df.expert_slots;
    dc.decode_attn_per_head = df.decode_attn_per_head;
    dc.kv_block_tokens = cfg.block_tokens;
    static deploy_t dep, pdep, ddep;
    if ((st = deploy_setup(&dep, &m, &s, &dc, &d)) != IS_OK)
        return cli_fail(st, &d);
    if (p_chips || p_tp || p_inst || d_inst) {
        if (!p_chips && !p_tp)
            p_chips = df.chips;
        if ((st = cli_split_chips("--prefill-chips", &p_chips, &p_tp, p_pp, 1, &d)) != IS_OK)
            return cli_fail(st, &d);
        deploy_cfg_t pc = dc;
        pc.plan = (plan_t){p_chips, p_tp, p_pp, 1, 1};
        if ((st = deploy_setup(&pdep, &m, &s, &pc, &d)) != IS_OK)
            return cli_fail(st, &d);
        cfg.prefill_dep = &pdep;
        cfg.prefill_instances = p_inst ? p_inst : 1;
        cfg.decode_instances = d_inst ? d_inst : 1;
    }
    if (draft_name) {
        if ((st = cli_load_model(draft_name, &dm, &d)) != IS_OK)
            return cli_fail(st, &d);
        deploy_cfg_t ddc;
        deploy_cfg_default(&ddc, &dm);
        ddc.kv = dc.kv;
        ddc.act = dc.act;
        ddc.decode_attn_per_head = dc.decode_attn_per_head; /* the same stack's kernels */
        ddc.plan = (plan_t){df.tp, df.tp, 1, 1, 1};
        if ((st = deploy_setup(&ddep, &dm, &s, &ddc, &d)) != IS_OK)
            return cli_fail(st, &d);
        cfg.spec = SPEC_DRAFT;
        cfg.draft_dep = &ddep;
    } else if (mtp) {
        cfg.spec = SPEC_MTP;
    }

    workload_cfg_t wc;
    memset(&wc, 0, sizeof wc);
    wc.arrival = trace ? ARRIVE_TRACE : users ? ARRIVE_CLOSED : burst > 0 ? ARRIVE_GAMMA : ARRIVE_POISSON;
    wc.rate = rate;
    wc.burstiness = burst > 0 ? burst : 1;
    wc.users = users;
    wc.think_s = think;
    wc.duration_s = trace && !have_dur ? 0 : duration;
    wc.max_requests = (long)requests_d;
    if (requests_d > 0 && !have_dur && !trace)
        wc.duration_s = 0;
    wc.image_tokens = image;
    wc.prefix_tokens = prefix;
    wc.prefixes = prefixes;
    wc.seed = (unsigned long long)seed_d;
    wc.trace_path = trace;
    if ((st = len_dist_parse("--isl", isl, &wc.isl, &d)) != IS_OK)
        return cli_fail(st, &d);
    if ((st = len_dist_parse("--osl", osl, &wc.osl, &d)) != IS_OK) {
        len_dist_free(&wc.isl);
        return cli_fail(st, &d);
    }
    if (users > 0 && wc.duration_s <= 0 && wc.max_requests <= 0)
        wc.duration_s = 60;
    cfg.sample_s = sample;
    cfg.progress = !json && isatty(2);
    static site_t site;
    if ((st = cli_load_site(site_name, &site, &d)) != IS_OK) {
        len_dist_free(&wc.isl);
        len_dist_free(&wc.osl);
        return cli_fail(st, &d);
    }
    cfg.site = &site;

    /* outputs are written beside their final names and renamed in only after a whole run */
    atomic_file_t ts_file, svg_file;
    int ts_open = 0;
    if (ts_path) {
        if ((st = atomic_open(&ts_file, ts_path, &d)) != IS_OK) {
            len_dist_free(&wc.isl);
            len_dist_free(&wc.osl);
            return cli_fail(st, &d);
        }
        ts_open = 1;
        cfg.timeseries = ts_file.fp;
    }
    static workload_t w;
    static serve_result_t r;
    capacity_result_t cap = {0};
    capacity_cfg_t cc;
    capacity_cfg_default(&cc);
    interrupt_install();
    char wdesc[1024], ddesc[256], sdesc[512], a[96], b[96];
    if (capacity) {
        cc.quantile = slo_q;
        cc.ttft_s = cfg.slo_ttft_s;
        cc.tpot_s = cfg.slo_tpot_s;
        if (requests_d > 0)
            cc.requests = (long)requests_d;
        cc.progress = !json;
        describe_len(&wc.isl, a, sizeof a);
        describe_len(&wc.osl, b, sizeof b);
        st = serve_capacity(&dep, &wc, &cfg, &cc, &cap, &r, &d);
        len_dist_free(&wc.isl);
        len_dist_free(&wc.osl);
    } else {
        if ((st = workload_open(&w, &wc, &d)) == IS_OK)
            st = serve_run(&dep, &w, &cfg, &r, &d);
        describe_len(&w.cfg.isl, a, sizeof a);
        describe_len(&w.cfg.osl, b, sizeof b);
        workload_close(&w);
    }
    if (st != IS_OK) {
        if (ts_open)
            atomic_abort(&ts_file);
        return cli_fail(st, &d);
    }
    char load[400];
    if (capacity)
        snprintf(load, sizeof load, "capacity: Poisson arrivals at %.4g requests/s, the highest whose p%g TTFT "
                 "(%.3g s) and TPOT (%.3g s) stay within %.3g s and %.3g s (ceiling %.4g requests/s saturated, "
                 "%d trials of %ld requests)%s", cap.rate, 100 * slo_q, cap.ttft_q, cap.tpot_q, cc.ttft_s, cc.tpot_s,
                 cap.ceiling, cap.trials, cc.requests, cap.bounded ? "; the search's upper bound" :
                 cap.rate <= 0 ? "; none meets them: the run shown is at 1% of the ceiling" : "");
    else if (trace)
        snprintf(load, sizeof load, "trace %s", trace);
    else if (users)
        snprintf(load, sizeof load, "%d users in a closed loop, think %.3g s", users, think);
    else if (burst > 0)
        snprintf(load, sizeof load, "gamma arrivals at %.4g requests/s (burstiness %.3g)", rate, burst);
    else
        snprintf(load, sizeof load, "Poisson arrivals at %.4g requests/s", rate);
    /* how the run ends: a duration, a request count, or whichever comes first */
    if (!trace && !capacity) {
        const char *sep = users ? ", for" : " for";
        if (wc.duration_s > 0)
            appendf(load, sizeof load, "%s %.4g s", sep, wc.duration_s);
        if (wc.max_requests > 0 && wc.duration_s > 0)
            appendf(load, sizeof load, " or %ld requests, whichever comes first", wc.max_requests);
        else if (wc.max_requests > 0)
            appendf(load, sizeof load, "%s %ld requests", sep, wc.max_requests);
    }
    snprintf(wdesc, sizeof wdesc, "%s; prompts %s%s, answers %s%s; seed %.0f", load, trace ? "from the trace" : a,
             image ? " + image tokens" : "", trace ? "from the trace" : b,
             prefix ? " (shared prefixes)" : "", seed_d);
    if (cfg.prefill_dep)
        snprintf(ddesc, sizeof ddesc, "disaggregated: %d prefill x %d chips (TP %d, PP %d), %d decode x %d chips "
                 "(TP %d, PP %d, EP %d, DP %d)", cfg.prefill_instances, p_chips, p_tp, p_pp, cfg.decode_instances,
                 df.chips, df.tp, df.pp, df.ep, df.dp);
    else
        snprintf(ddesc, sizeof ddesc, "%d x %d chips (TP %d, PP %d, EP %d, DP %d), %s router", cfg.replicas, df.chips, df.tp,
                 df.pp, df.ep, df.dp, routers[cfg.router]);
    if (df.expert_slots > 0)
        appendf(ddesc, sizeof ddesc, ", %d expert slots", df.expert_slots);
    if (df.expert_skew > 0)
        appendf(ddesc, sizeof ddesc, ", experts' load CV %g", df.expert_skew);
    if (df.decode_attn_per_head)
        appendf(ddesc, sizeof ddesc, ", per-head decode attention");
    snprintf(sdesc, sizeof sdesc, "continuous batching, %d requests and %d tokens per iteration, %d-token KV blocks, "
             "%s, prefix cache %s", cfg.max_seqs, cfg.max_tokens, cfg.block_tokens,
             cfg.admit_reserve ? "admission with the whole request's KV reserved (no preemption)"
             : cfg.preempt_swap ? "preemption by swap" : "preemption by recompute",
             cfg.prefix_cache ? "on" : "off");
    if (cfg.n_graph_sizes > 0)
        appendf(sdesc, sizeof sdesc, ", decode-only iterations padded to CUDA graphs of %d to %d requests",
                cfg.graph_sizes[0], cfg.graph_sizes[cfg.n_graph_sizes - 1]);
    if (cfg.host_s_per_iteration > 0 || cfg.host_s_per_request > 0)
        appendf(sdesc, sizeof sdesc, ", host work %g us per iteration + %g us per request (overlapped)",
                cfg.host_s_per_iteration * 1e6, cfg.host_s_per_request * 1e6);
    if (cfg.host_gap_s > 0)
        appendf(sdesc, sizeof sdesc, ", %g us of exposed host time between iterations", cfg.host_gap_s * 1e6);
    if (cfg.schedule_ahead)
        appendf(sdesc, sizeof sdesc, ", each iteration scheduled while the one before runs");
    if (cfg.frontend_s > 0 || cfg.frontend_s_per_token > 0)
        appendf(sdesc, sizeof sdesc, ", a front end of %g ms + %g us per prompt token before scheduling",
                cfg.frontend_s * 1e3, cfg.frontend_s_per_token * 1e6);
    serve_desc_t x = {m.name, s.name, wdesc, ddesc, sdesc, &cfg};
    /* every output is complete before any file is renamed into place or anything printed */
    char *text = NULL;
    if (json) {
        json_t *o = report_serve_json(&r, &x);
        if (o && capacity)
            json_object_set_new(o, "capacity",
                                json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:i, s:I, s:b}", "rate_req_s", cap.rate,
                                          "output_tok_s", r.output_tok_s, "ceiling_req_s", cap.ceiling,
                                          "quantile", slo_q, "ttft_s", cap.ttft_q, "tpot_s", cap.tpot_q,
                                          "slo_ttft_s", cc.ttft_s, "trials", cap.trials,
                                          "requests_per_trial", (json_int_t)cc.requests, "bounded", cap.bounded));
        text = o ? json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) : NULL;
        json_decref(o);
        if (!text || cli_json_failed()) {
            free(text);
            if (ts_open)
                atomic_abort(&ts_file);
            diag_error(&d, NULL, 0, 0, NULL, "out of memory while building the JSON output");
            return cli_fail(IS_ERR_NOMEM, &d);
        }
    }
    if (svg_path) {
        if ((st = atomic_open(&svg_file, svg_path, &d)) == IS_OK) {
            report_serve_svg(svg_file.fp, &r, &x);
            st = atomic_commit(&svg_file, &d);
        }
        if (st != IS_OK) {
            free(text);
            if (ts_open)
                atomic_abort(&ts_file);
            return cli_fail(st, &d);
        }
    }
    if (ts_open && (st = atomic_commit(&ts_file, &d)) != IS_OK) {
        free(text);
        return cli_fail(st, &d);
    }
    cli_warnings(&d);
    if (text) {
        puts(text);
        free(text);
    } else {
        report_serve_text(stdout, &r, &x);
    }
    return EXIT_OK;
}
