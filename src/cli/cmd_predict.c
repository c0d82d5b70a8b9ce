/*
 * cmd_predict.c — `infersim predict`: flags -> predict_req_t -> report.
 */
#include "cli.h"

#include "../analysis/cost.h"
#include "../analysis/disagg.h"
#include "../analysis/predict.h"
#include "../report/report_disagg.h"
#include "../report/report_predict.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void predict_usage(FILE *f)
{
    fprintf(f,
            "usage: infersim predict --model NAME|PATH --system NAME|PATH [options]\n"
            "\n"
            "  --model NAME|PATH    a preset (infersim models) or a Hugging Face config.json\n"
            "  --system NAME|PATH   a preset (infersim systems) or a system .yaml\n"
            "  --chips N            chips in the deployment (default: tp x pp x dp, else 1)\n"
            "  --tp N --pp N --ep N --dp N\n"
            "                       tensor, pipeline, expert and data parallelism\n"
            "                       (unset: TP over all chips; EP 1)\n"
            "  --expert-slots N     with EP: N expert slots over the EP group, the experts and redundant copies\n"
            "                       (an expert load balancer's), a multiple of --ep (default: one copy each)\n"
            "  --expert-skew CV     with EP: the experts' routed load varies by this coefficient of variation\n"
            "                       (hot experts), so the busiest expert group is further above the mean at\n"
            "                       any batch (default 0: uniform routing)\n"
            "  --weights P          linear-layer weights: fp32 bf16 fp16 fp8 int8 fp4 int4 mxfp4 nvfp4\n"
            "                       q4_0 q4_k q5_k q6_k q8_0, or bits per weight (4.85); default: as published\n"
            "  --experts P          routed experts' format (default: as --weights, or as published)\n"
            "  --kv P               KV cache (default bf16)\n"
            "  --decode-attention grouped|per-head\n"
            "                       decode attention reads each KV head once for all its query heads (grouped:\n"
            "                       XQA, FlashInfer, FlashAttention; the default) or once per query head\n"
            "                       (per-head: TensorRT-LLM before XQA, FasterTransformer's masked MHA)\n"
            "  --act P              activations / GEMM format (default: --weights for fp8, int8, fp4; else bf16)\n"
            "  --batch N|max        requests in flight; max = the largest that fits (steady state)\n"
            "  --max-batch N        cap for --batch max\n"
            "  --isl N --osl N      input and output tokens per request (default 1024, 128)\n"
            "  --prefill-chunk N    most prefill tokens per step (default 8192)\n"
            "  --steady             steady-state continuous batching for an explicit --batch too\n"
            "  --weights-tier NAME  put the weights on this memory tier first (e.g. an HBF tier)\n"
            "  --kv-tier NAME       put the KV cache on this tier (a read-only tier needs --allow-wear)\n"
            "  --allow-wear         allow the KV cache on a flash tier and estimate the tier's lifetime\n"
            "  --shared-prefix N    the first N prompt tokens are shared by every request (a system prompt, a RAG\n"
            "                       context): their KV is computed once and cached once\n"
            "  --prefix-tier NAME   the tier holding the shared prefix's KV (a read-only HBF tier may: written once)\n"
            "  --cascade            attention reads the shared prefix once per step for the whole batch\n"
            "                       (cascade attention); default: once per sequence, as paged attention\n"
            "  --diffusion-steps N  masked-diffusion models (LLaDA): denoising steps for the answer (default: OSL)\n"
            "  --diffusion-block N  their semi-autoregressive block length (default 32)\n"
            "  --diffusion-cache    block-wise KV cache (Fast-dLLM): a block's later steps run the block alone\n"
            "  --site NAME|PATH     where it runs: electricity, PUE, carbon, amortisation (default us-average)\n"
            "  --prefill-chips N    disaggregated serving: N chips per prefill instance (the flags above\n"
            "                       describe one decode instance); --prefill-tp N --prefill-pp N split them\n"
            "  --prefill-instances P --decode-instances D   instances in each pool (default 1 each)\n"
            "  --json | --csv       machine-readable output (one JSON object / a CSV row)\n"
            "\n"
            "exit status: 0 ok, 2 bad input, 3 does not fit (the report is still printed)\n");
}

enum {
    O_MODEL = 256, O_SYSTEM, O_CHIPS, O_TP, O_PP, O_EP, O_DP, O_WEIGHTS, O_EXPERTS, O_KV, O_ACT, O_BATCH,
    O_MAXBATCH, O_ISL, O_OSL, O_CHUNK, O_STEADY, O_JSON, O_CSV, O_HELP, O_KVBLOCK, O_SITE, O_WTIER, O_KVTIER,
    O_WEAR, O_PCHIPS, O_PTP, O_PPP, O_PINST, O_DINST, O_PREFIX, O_PTIER, O_CASCADE, O_DSTEPS, O_DBLOCK, O_DCACHE,
    O_SKEW, O_SLOTS, O_DECATTN
};

static const struct option opts[] = {
    {"model", required_argument, 0, O_MODEL},     {"system", required_argument, 0, O_SYSTEM},
    {"chips", required_argument, 0, O_CHIPS},     {"tp", required_argument, 0, O_TP},
    {"pp", required_argument, 0, O_PP},           {"ep", required_argument, 0, O_EP},
    {"dp", required_argument, 0, O_DP},           {"weights", required_argument, 0, O_WEIGHTS},
    {"experts", required_argument, 0, O_EXPERTS}, {"kv", required_argument, 0, O_KV},
    {"act", required_argument, 0, O_ACT},         {"batch", required_argument, 0, O_BATCH},
    {"max-batch", required_argument, 0, O_MAXBATCH}, {"isl", required_argument, 0, O_ISL},
    {"osl", required_argument, 0, O_OSL},         {"prefill-chunk", required_argument, 0, O_CHUNK},
    {"kv-block", required_argument, 0, O_KVBLOCK}, {"site", required_argument, 0, O_SITE},
    {"weights-tier", required_argument, 0, O_WTIER}, {"kv-tier", required_argument, 0, O_KVTIER},
    {"allow-wear", no_argument, 0, O_WEAR},      {"expert-skew", required_argument, 0, O_SKEW},
    {"expert-slots", required_argument, 0, O_SLOTS}, {"decode-attention", required_argument, 0, O_DECATTN},
    {"prefill-chips", required_argument, 0, O_PCHIPS}, {"prefill-tp", required_argument, 0, O_PTP},
    {"prefill-pp", required_argument, 0, O_PPP},  {"prefill-instances", required_argument, 0, O_PINST},
    {"decode-instances", required_argument, 0, O_DINST},
    {"shared-prefix", required_argument, 0, O_PREFIX}, {"prefix-tier", required_argument, 0, O_PTIER},
    {"cascade", no_argument, 0, O_CASCADE},
    {"diffusion-steps", required_argument, 0, O_DSTEPS}, {"diffusion-block", required_argument, 0, O_DBLOCK},
    {"diffusion-cache", no_argument, 0, O_DCACHE},
    {"steady", no_argument, 0, O_STEADY},         {"json", no_argument, 0, O_JSON},
    {"csv", no_argument, 0, O_CSV},               {"help", no_argument, 0, O_HELP},
    {0, 0, 0, 0},
};

int cmd_predict(int argc, char **argv)
{
    diag_t d;
    diag_clear(&d);
    cli_deploy_flags_t df;
    cli_deploy_flags_default(&df);
    const char *batch = NULL, *site_name = "us-average", *wtier = NULL, *kvtier = NULL;
    int allow_wear = 0;
    int max_batch = 0, isl = 1024, osl = 128, chunk = 8192, kvblock = 16;
    int steady = 0, json = 0, csv = 0;
    int p_chips = 0, p_tp = 0, p_pp = 1, p_inst = 0, d_inst = 0; /* disaggregated pools (0: unset) */
    int prefix = 0, cascade = 0, dsteps = 0, dblock = 0, dcache = 0;
    const char *ptier = NULL;
    status_t st = IS_OK;

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
        switch (c) {
        case O_BATCH: batch = optarg; break;
        case O_MAXBATCH: st = cli_int(fl, optarg, 1, &max_batch, &d); break;
        case O_ISL: st = cli_int(fl, optarg, 1, &isl, &d); break;
        case O_OSL: st = cli_int(fl, optarg, 1, &osl, &d); break;
        case O_CHUNK: st = cli_int(fl, optarg, 1, &chunk, &d); break;
        case O_KVBLOCK: st = cli_int(fl, optarg, 1, &kvblock, &d); break;
        case O_SITE: site_name = optarg; break;
        case O_WTIER: wtier = optarg; break;
        case O_KVTIER: kvtier = optarg; break;
        case O_WEAR: allow_wear = 1; break;
        case O_PCHIPS: st = cli_int(fl, optarg, 1, &p_chips, &d); break;
        case O_PTP: st = cli_int(fl, optarg, 1, &p_tp, &d); break;
        case O_PPP: st = cli_int(fl, optarg, 1, &p_pp, &d); break;
        case O_PINST: st = cli_int(fl, optarg, 1, &p_inst, &d); break;
        case O_DINST: st = cli_int(fl, optarg, 1, &d_inst, &d); break;
        case O_PREFIX: st = cli_int(fl, optarg, 0, &prefix, &d); break;
        case O_PTIER: ptier = optarg; break;
        case O_CASCADE: cascade = 1; break;
        case O_DSTEPS: st = cli_int(fl, optarg, 1, &dsteps, &d); break;
        case O_DBLOCK: st = cli_int(fl, optarg, 1, &dblock, &d); break;
        case O_DCACHE: dcache = 1; break;
        case O_STEADY: steady = 1; break;
        case O_JSON: json = 1; break;
        case O_CSV: csv = 1; break;
        case 'h':
        case O_HELP: predict_usage(stdout); return EXIT_OK;
        default:
            return cli_getopt_error(opts, argv, O_MODEL, "predict");
        }
        if (st != IS_OK)
            return cli_fail(st, &d);
    }
    if ((st = cli_after_options(argc, argv, df.model, df.system, "predict", &d)) != IS_OK)
        return cli_fail(st, &d);
    if (json && csv) {
        diag_error(&d, NULL, 0, 0, "--json/--csv", "choose one output format");
        return cli_fail(IS_ERR_INPUT, &d);
    }

    static model_t m;
    static system_t s;
    if ((st = cli_load_model(df.model, &m, &d)) != IS_OK)
        return cli_fail(st, &d);
    if ((st = cli_load_system(df.system, &s, &d)) != IS_OK)
        return cli_fail(st, &d);

    static site_t site;
    if ((st = cli_load_site(site_name, &site, &d)) != IS_OK)
        return cli_fail(st, &d);

    predict_req_t req;
    predict_req_default(&req, &m);
    /* chips and parallelism: unset TP takes every chip not used by PP and DP */
    if ((st = cli_split_chips("--chips", &df.chips, &df.tp, df.pp, df.dp, &d)) != IS_OK)
        return cli_fail(st, &d);
    req.cfg.plan = (plan_t){df.chips, df.tp, df.pp, df.ep, df.dp};
    req.cfg.expert_skew = df.expert_skew;
    req.cfg.expert_slots = df.expert_slots;
    req.cfg.decode_attn_per_head = df.decode_attn_per_head;
    if ((st = cli_precisions(&req.cfg, df.weights, df.experts, df.kv, df.act, &d)) != IS_OK)
        return cli_fail(st, &d);
    req.cfg.kv_block_tokens = kvblock;
    req.cfg.shared_prefix = prefix;
    req.cfg.prefix_once = cascade;
    req.cfg.allow_wear = allow_wear;
    const char *tnames[SYS_MAX_TIERS];
    for (int i = 0; i < s.n_tiers; i++)
        tnames[i] = s.tier[i].name;
    const char *tiers[3] = {wtier, kvtier, ptier};
    int *dst[3] = {&req.cfg.weights_tier, &req.cfg.kv_tier, &req.cfg.prefix_tier};
    static const char *const tflags[3] = {"--weights-tier", "--kv-tier", "--prefix-tier"};
    for (int k = 0; k < 3; k++) {
        if (!tiers[k])
            continue;
        int found = -1;
        for (int i = 0; i < s.n_tiers; i++)
            if (!strcmp(tiers[k], s.tier[i].name))
                found = i;
        if (found < 0) {
            const char *near = diag_near_match(tiers[k], tnames, s.n_tiers);
            diag_error(&d, NULL, 0, 0, tflags[k], "%s has no memory tier \"%s\"%s%s%s", s.name,
                       tiers[k], near ? "; did you mean \"" : "", near ? near : "", near ? "\"?" : "");
            return cli_fail(IS_ERR_INPUT, &d);
        }
        *dst[k] = found;
    }
    if (batch) {
        if (!strcmp(batch, "max")) {
            req.batch = 0;
        } else if ((st = cli_int("--batch", batch, 1, &req.batch, &d)) != IS_OK) {
            d.message[sizeof d.message - 40] = '\0';
            strcat(d.message, " or \"max\"");
            return cli_fail(st, &d);
        }
    }
    req.max_batch = max_batch;
    req.isl = isl;
    req.osl = osl;
    req.prefill_chunk = chunk;
    req.steady = steady;
    req.diffusion_steps = dsteps;
    req.diffusion_block = dblock;
    req.diffusion_cache = dcache;
    if ((dsteps || dblock || dcache) && !m.diffusion) {
        diag_error(&d, NULL, 0, 0, dsteps ? "--diffusion-steps" : dblock ? "--diffusion-block" : "--diffusion-cache",
                   "%s is not a masked-diffusion model (model_type \"%s\"): it decodes token by token", m.name,
                   m.model_type);
        return cli_fail(IS_ERR_INPUT, &d);
    }

    if (p_chips || p_tp || p_inst || d_inst) {
        /* disaggregated: one prefill instance of p_chips (TP x PP; default: the decode instance's
         * chip count), P and D instances */
        if (csv) {
            diag_error(&d, NULL, 0, 0, "--csv", "disaggregated serving prints text or --json");
            return cli_fail(IS_ERR_INPUT, &d);
        }
        if (!p_chips && !p_tp)
            p_chips = df.chips;
        if ((st = cli_split_chips("--prefill-chips", &p_chips, &p_tp, p_pp, 1, &d)) != IS_OK)
            return cli_fail(st, &d);
        disagg_req_t dq = {{p_chips, p_tp, p_pp, 1, 1}, p_inst ? p_inst : 1, d_inst ? d_inst : 1};
        static disagg_result_t dr;
        if ((st = predict_disagg(&m, &s, &site, &req, &dq, &dr, &d)) != IS_OK)
            return cli_fail(st, &d);
        if (json)
            cli_print_json(report_disagg_json(&dr, &s, &req, &dq));
        else
            report_disagg_text(stdout, &dr, &m, &s, &req, &dq, &site, &d);
        if (json)
            cli_warnings(&d);
        if (!dr.fits) {
            if (json)
                fprintf(stderr, "infersim: does not fit: %s\n", dr.prefill.fits ? dr.decode.reason : dr.prefill.reason);
            return EXIT_NOFIT;
        }
        return EXIT_OK;
    }

    static predict_result_t r;
    if ((st = predict_run(&m, &s, &req, &r, &d)) != IS_OK)
        return cli_fail(st, &d);

    cost_result_t cost;
    cost_compute(&r, &req, &s, &site, &cost, &d);
    if (json) {
        cli_print_json(report_predict_json(&r, &m, &s, &req, &cost, &site, &d));
    } else if (csv) {
        report_predict_csv(stdout, &r, &m, &s, &req, &cost, 1);
    } else {
        report_predict_text(stdout, &r, &m, &s, &req, &cost, &site, &d);
    }
    if (json || csv)
        cli_warnings(&d);
    if (!r.fits) {
        if (json || csv)
            fprintf(stderr, "infersim: does not fit: %s\n", r.reason);
        return EXIT_NOFIT;
    }
    return EXIT_OK;
}
