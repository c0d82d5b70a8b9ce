/*
 * bench_engine.c — how fast the step engine is: evaluations per second of one
 * decode step (and one mixed prefill+decode step) once the per-layer tables are
 * set up.  A benchmark, not a test: it prints figures and asserts nothing.
 *
 *   make bench
 */
#include "benchutil.h"
#include "../src/analysis/predict.h"
#include "../src/analysis/search.h"
#include "../src/io/site_yaml.h"
#include <unistd.h>
#include "../src/io/model_config.h"
#include "../src/io/system_yaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>



static void bench(const char *model, const char *sys, int tp, int ep, int dp, const char *w)
{
    static model_t m;
    static system_t s;
    if (bench_load(model, sys, &m, &s))
        exit(1);
    deploy_cfg_t cfg;
    deploy_cfg_default(&cfg, &m);
    cfg.plan = (plan_t){tp * dp, tp, 1, ep, dp};
    precision_parse(w, &cfg.weights);
    cfg.experts = cfg.weights;
    cfg.embed = deploy_embed_precision(&cfg.weights);
    diag_t d;
    diag_clear(&d);
    deploy_t dep;
    if (deploy_setup(&dep, &m, &s, &cfg, &d) != IS_OK) {
        fprintf(stderr, "setup failed: %s\n", d.message);
        exit(1);
    }
    placement_t pl;
    deploy_place(&dep, 64, 4096, 8192, &pl);

    /* decode steps of varying batch and context, built outside the timed loop */
    enum { NSTEP = 1024 };
    static step_t steps[NSTEP];
    for (int i = 0; i < NSTEP; i++) {
        step_clear(&steps[i]);
        step_add(&steps[i], &m, 1 + (i % 256), 1, 512 + 7 * i);
        if (i % 4 == 0)
            step_add(&steps[i], &m, 1, 512, 0); /* a mixed prefill chunk */
    }
    long n = 0;
    double sink = 0, t0 = bench_now(), t1;
    do {
        for (int i = 0; i < NSTEP; i++)
            sink += engine_step(&dep, &pl, &steps[i], NULL);
        n += NSTEP;
        t1 = bench_now();
    } while (t1 - t0 < 1.0);
    double per = (t1 - t0) / n;
    /* with the breakdown filled in */
    long n2 = 0;
    step_cost_t c;
    t0 = bench_now();
    do {
        for (int i = 0; i < NSTEP; i++)
            sink += engine_step(&dep, &pl, &steps[i], &c);
        n2 += NSTEP;
        t1 = bench_now();
    } while (t1 - t0 < 1.0);
    double per2 = (t1 - t0) / n2;
    printf("%-16s %-10s tp %d ep %d dp %d %-5s  %7.1f ns/step  %6.2f M steps/s   (with breakdown %7.1f ns)%s\n",
           model, sys, tp, ep, dp, w, per * 1e9, 1e-6 / per, per2 * 1e9, sink < 0 ? "!" : "");
}

int main(void)
{
    printf("engine_step: one step = one forward pass of a batch (all layers, all operators)\n");
    bench("llama-3.1-70b", "h100-sxm", 8, 1, 1, "fp8");
    bench("llama-3.1-8b", "h100-sxm", 1, 1, 1, "bf16");
    bench("mixtral-8x7b", "h200", 4, 1, 1, "fp8");
    bench("deepseek-v3", "h200", 1, 8, 8, "fp8");
    bench("gemma-3-27b", "tpu-v6e", 4, 1, 1, "bf16");

    /* a whole prediction (setup, capacity search, prefill, decode samples) */
    static model_t m;
    static system_t s;
    if (bench_load("llama-3.1-70b", "h100-sxm", &m, &s))
        return 1;
    predict_req_t req;
    predict_req_default(&req, &m);
    req.cfg.plan = (plan_t){8, 8, 1, 1, 1};
    precision_parse("fp8", &req.cfg.weights);
    req.cfg.act = req.cfg.weights;
    req.batch = 0;
    req.isl = 2048;
    req.osl = 256;
    static predict_result_t r;
    diag_t d;
    long n = 0;
    double t0 = bench_now(), t1;
    do {
        diag_clear(&d);
        predict_run(&m, &s, &req, &r, &d);
        n++;
        t1 = bench_now();
    } while (t1 - t0 < 1.0);
    printf("predict_run (llama-3.1-70b, 8 x h100-sxm, batch max): %.1f us per prediction\n", (t1 - t0) / n * 1e6);

    /* search: full design points (deployment x workload, with TTFT, TPOT, throughput, fit and cost) */
    static site_t site;
    char path[4096];
    if (catalog_resolve(CATALOG_SITES, "us-average", path, sizeof path, &d) || site_load(path, &site, &d))
        return 1;
    static search_space_t sp;
    sp.model = &m;
    sp.systems[0] = &s;
    sp.n_systems = 1;
    sp.chips[0] = 8, sp.chips[1] = 16, sp.n_chips = 2;
    precision_parse("fp8", &sp.weights[0]);
    precision_parse("fp8", &sp.kv[0]);
    sp.n_weights = sp.n_kv = 1;
    sp.isl[0] = 1024, sp.isl[1] = 4096, sp.n_isl = 2;
    sp.osl[0] = 128, sp.osl[1] = 1024, sp.n_osl = 2;
    for (int i = 0; i < 512; i++)
        sp.batch[i] = i + 1;
    sp.n_batch = 512;
    sp.site = &site;
    sp.keep = (search_keep_t){.fx = F_TOK_S_USER, .fy = F_TOK_S_CHIP, .fobj = F_TOK_S_CHIP, .top = 10}; /* as the CLI */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    for (int t = 1; t <= cores; t = t == 1 && cores > 1 ? (int)cores : t + (int)cores) {
        sp.threads = t;
        /* a shared VM's timings wander: 9 runs, their median and best */
        enum { RUNS = 9 };
        double rate[RUNS];
        size_t np = 0;
        for (int k = 0; k < RUNS; k++) {
            static search_result_t sr;
            diag_clear(&d);
            if (search_run(&sp, &sr, &d) != IS_OK)
                return 1;
            rate[k] = sr.points_per_s;
            np = sr.n_points;
            search_free(&sr);
        }
        for (int a = 1; a < RUNS; a++) /* insertion sort, ascending */
            for (int b = a; b > 0 && rate[b - 1] > rate[b]; b--) {
                double x = rate[b];
                rate[b] = rate[b - 1];
                rate[b - 1] = x;
            }
        printf("search (llama-3.1-70b, h100-sxm, %zu points, %d runs) on %d thread%s: median %.0f points/s (%.0f per core), "
               "best %.0f\n", np, RUNS, t, t > 1 ? "s" : "", rate[RUNS / 2], rate[RUNS / 2] / t, rate[RUNS - 1]);
    }
    return 0;
}
