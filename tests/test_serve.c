/*
 * test_serve.c — the serving simulator against what must hold: alone, a request sees
 * exactly predict's single-request TTFT and TPOT; saturated, the throughput is predict's
 * steady state at the same batch; Little's law; preemption loses nothing; the same seed
 * gives the same run; workloads draw what they promise; percentiles are within their
 * bucket width.
 */
#include "testutil.h"

#include "../src/analysis/capacity.h"
#include "../src/analysis/cost.h"
#include "../src/analysis/predict.h"
#include "../src/analysis/serve.h"
#include "../src/io/catalog.h"
#include "../src/io/site_yaml.h"

#include <stdlib.h>
#include <unistd.h>

static model_t M;
static system_t S;
static deploy_t DEP;
static serve_result_t R;

static void setup(const char *model, const char *sys, int chips, const char *w)
{
    load_model(model, &M);
    load_system(sys, &S);
    deploy_cfg_t c;
    deploy_cfg_default(&c, &M);
    c.plan = (plan_t){chips, chips, 1, 1, 1};
    if (w) {
        precision_parse(w, &c.weights);
        c.experts = c.weights;
        c.embed = deploy_embed_precision(&c.weights);
        c.act = c.weights;
        c.kv = c.weights;
    }
    diag_t d;
    diag_clear(&d);
    assert_int_equal(deploy_setup(&DEP, &M, &S, &c, &d), IS_OK);
}

/* predict with the same deployment (batch 0 = the largest that fits, steady). */
static void predict_same(int batch, int max_batch, int isl, int osl, predict_result_t *p)
{
    predict_req_t q;
    predict_req_default(&q, &M);
    q.cfg = DEP.cfg;
    q.batch = batch;
    q.max_batch = max_batch;
    q.isl = isl;
    q.osl = osl;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(predict_run(&M, &S, &q, p, &d), IS_OK);
}

static status_t run(workload_cfg_t *wc, const serve_cfg_t *cfg)
{
    static workload_t w;
    diag_t d;
    diag_clear(&d);
    status_t st = workload_open(&w, wc, &d);
    if (st == IS_OK)
        st = serve_run(&DEP, &w, cfg, &R, &d);
    if (st != IS_OK) {
        char buf[1024];
        print_error("%s", diag_format(&d, buf, sizeof buf));
    }
    workload_close(&w);
    return st;
}

/* Arrivals one at a time: gamma-distributed gaps of shape 1000 are within a few per cent of
 * 1 / rate, so at 0.05 per second no two requests ever overlap. */
static void spaced(workload_cfg_t *wc, double rate, double duration, int isl, int osl);

static void poisson(workload_cfg_t *wc, double rate, double duration, int isl, int osl)
{
    memset(wc, 0, sizeof *wc);
    wc->arrival = ARRIVE_POISSON;
    wc->rate = rate;
    wc->duration_s = duration;
    wc->seed = 1;
    wc->isl = (len_dist_t){.kind = LEN_FIXED, .a = isl};
    wc->osl = (len_dist_t){.kind = LEN_FIXED, .a = osl};
}

/* A closed loop of `users` (no think time) until `requests` (0: no limit) or `duration`. */
static void closed(workload_cfg_t *wc, int users, long requests, double duration, int isl, int osl)
{
    poisson(wc, 0, duration, isl, osl);
    wc->arrival = ARRIVE_CLOSED;
    wc->users = users;
    wc->max_requests = requests;
}

static void spaced(workload_cfg_t *wc, double rate, double duration, int isl, int osl)
{
    poisson(wc, rate, duration, isl, osl);
    wc->arrival = ARRIVE_GAMMA;
    wc->burstiness = 1000;
}

/* A trace of requests (rows after the header "arrival_s,input_tokens,output_tokens") in a temporary
 * file named by path (a mkstemp template; the caller unlinks it), and the workload that replays it. */
static void trace_workload(workload_cfg_t *wc, char *path, const char *rows)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fprintf(f, "arrival_s,input_tokens,output_tokens\n%s", rows);
    fclose(f);
    poisson(wc, 0, 0, 16, 4);
    wc->arrival = ARRIVE_TRACE;
    wc->trace_path = path;
}

/* One request at a time (a request every 20 s, each done in under two seconds): the
 * simulator's TTFT and TPOT are predict's batch-1 figures exactly — the same engine steps,
 * the decode mean over the same contexts.  gpt-oss-20b has sliding-window layers (128
 * tokens), so the window bookkeeping is checked too. */
static void test_alone_equals_predict(void **state)
{
    (void)state;
    static const char *const models[] = {"llama-3.1-8b", "gpt-oss-20b"};
    for (int k = 0; k < 2; k++) {
        setup(models[k], "h100-sxm", 1, NULL);
        predict_result_t p;
        predict_same(1, 0, 1024, 128, &p);
        workload_cfg_t wc;
        spaced(&wc, 0.05, 400, 1024, 128);
        serve_cfg_t cfg;
        serve_cfg_default(&cfg);
        assert_int_equal(run(&wc, &cfg), IS_OK);
        assert_true(R.completed >= 18);
        assert_int_equal(R.completed, R.arrived);
        assert_close(hist_mean(&R.ttft), p.ttft_s, 1e-9);
        assert_close(hist_mean(&R.tpot), p.tpot_s, 1e-9);
        assert_close(hist_mean(&R.e2e), p.e2e_s, 1e-9);
        /* nobody waits */
        assert_close(hist_mean(&R.queue), 0, 0);
    }
}

/* The run's energy: every step's dynamic energy, as predict costs a request — within 0.1 %
 * (predict takes the decode step at the mean context, the simulator every step) — plus
 * the idle chip and the host's share all the time.  Hand-computed from
 * data/systems/h100-sxm.yaml and data/sites/us-average.yaml: one H100 idles at 75 W and
 * carries 4600 / 8 = 575 W of its server's host, so the run adds 650 W x makespan; the
 * wall sees 1.58 x that (PUE). */
static void test_energy_of_a_run(void **state)
{
    (void)state;
    setup("llama-3.1-8b", "h100-sxm", 1, NULL);
    static site_t site;
    char path[4096];
    diag_t d;
    diag_clear(&d);
    assert_int_equal(catalog_resolve(CATALOG_SITES, "us-average", path, sizeof path, &d), IS_OK);
    assert_int_equal(site_load(path, &site, &d), IS_OK);
    predict_result_t p;
    predict_same(1, 0, 1024, 128, &p);
    predict_req_t q;
    predict_req_default(&q, &M);
    q.cfg = DEP.cfg;
    q.batch = 1;
    q.isl = 1024;
    q.osl = 128;
    cost_result_t c;
    cost_compute(&p, &q, &S, &site, &c, &d);
    double per_request = c.chip_dynamic_W * p.e2e_s; /* one chip */
    workload_cfg_t wc;
    spaced(&wc, 0.05, 400, 1024, 128);
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    cfg.site = &site;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_true(R.cost.known);
    assert_int_equal(R.chips, 1);
    print_message("dynamic energy per request: serve %.4f J, predict %.4f J\n", R.cost.chip_dynamic_J / R.completed,
                  per_request);
    assert_close(R.cost.chip_dynamic_J / R.completed, per_request, 1e-3);
    assert_close(R.cost.it_J - R.cost.chip_dynamic_J, 650.0 * R.makespan_s, 1e-9);
    assert_close(R.cost.wall_J, 1.58 * R.cost.it_J, 1e-9);
    assert_close(R.cost.energy_j_per_token, R.cost.wall_J / R.output_tokens, 1e-12);
    /* without a site, nothing is costed (and the steps skip the breakdown) */
    cfg.site = NULL;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_false(R.cost.known);
}

/* Far more arrivals than it can serve, at most as many requests in flight as predict's
 * largest batch: the throughput is predict's steady state at that batch (continuous
 * batching with contexts spread over the answer), within 1 %. */
static void test_saturation_equals_steady_predict(void **state)
{
    (void)state;
    setup("llama-3.1-8b", "h100-sxm", 1, NULL);
    predict_result_t p;
    predict_same(0, 0, 1024, 128, &p);
    workload_cfg_t wc;
    poisson(&wc, 200, 120, 1024, 128);
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    cfg.max_seqs = p.batch;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_close(R.output_tok_s, p.output_tok_s, 0.01);
    assert_close(R.mean_running, p.batch, 0.01);
    /* the same for Llama-3.1-70B on 8 GPUs at batch 256 */
    setup("llama-3.1-70b", "h100-sxm", 8, "fp8");
    predict_same(0, 256, 2048, 256, &p);
    poisson(&wc, 100, 300, 2048, 256);
    cfg.max_seqs = 256;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_close(R.output_tok_s, p.output_tok_s, 0.01);
}

/* Little's law, L = lambda W: the time-averaged count of requests in the system (from the
 * event loop's counters) against the completion rate times the mean time in the system (from
 * the requests' own timestamps), in a loaded steady state with queueing. */
static void test_littles_law(void **state)
{
    (void)state;
    setup("llama-3.1-8b", "h100-sxm", 1, NULL);
    workload_cfg_t wc;
    poisson(&wc, 25, 600, 1024, 128);
    wc.osl = (len_dist_t){.kind = LEN_UNIFORM, .a = 16, .b = 512};
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    cfg.max_seqs = 64;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_true(R.mean_waiting > 1); /* requests do queue */
    assert_int_equal(R.completed, R.arrived);
    assert_close(R.mean_in_system, R.request_s * hist_mean(&R.e2e), 1e-6);
    /* and the arrival rate is the one asked for: 25 per second, within 3 %% over 15,000 */
    assert_close(R.mean_arrival_rate, 25, 0.03);
}

/* A KV cache too small for the load: requests are preempted — recomputed or swapped — and
 * every one still completes with all its tokens. */
static void test_preemption_loses_nothing(void **state)
{
    (void)state;
    setup("llama-3.1-70b", "h100-sxm", 2, "fp8");
    for (int swap = 0; swap < 2; swap++) {
        workload_cfg_t wc;
        poisson(&wc, 4, 60, 2048, 1); /* 4 requests/s: the cache overflows (3/s no longer does) */
        wc.osl = (len_dist_t){.kind = LEN_UNIFORM, .a = 64, .b = 4096};
        serve_cfg_t cfg;
        serve_cfg_default(&cfg);
        cfg.max_seqs = 512;
        cfg.preempt_swap = swap;
        assert_int_equal(run(&wc, &cfg), IS_OK);
        assert_true(R.preemptions > 0);
        assert_int_equal(R.completed, R.arrived);
        assert_int_equal(R.rejected + R.rejected_too_long, 0);
        /* swap mode swaps decoding requests out; a prompt preempted mid-prefill (to break a
         * deadlock over blocks) is recomputed in either mode */
        if (swap) {
            assert_true(R.swaps > 0);
            assert_true(R.swaps <= R.preemptions);
        }
        assert_le(R.peak_kv_use, 1.0 + 1e-9);
    }
}

/* A KV cache barely bigger than one long prompt (Gemma-2-9B in bf16 on a 24 GB RTX 4090),
 * lognormal prompts up to beyond it and shared prefixes: prompts are preempted mid-prefill,
 * swapped ones hold their prefixes, and still every request completes or, if it is larger
 * than the whole KV cache, is refused at arrival. */
static void test_tight_cache_never_strands(void **state)
{
    (void)state;
    setup("gemma-2-9b", "rtx-4090", 1, "bf16");
    for (int swap = 0; swap < 2; swap++) {
        workload_cfg_t wc;
        poisson(&wc, 5, 60, 1, 200);
        wc.isl = (len_dist_t){.kind = LEN_LOGNORMAL, .a = 3000, .b = 2000};
        double s2 = log(1.0 + (2000.0 * 2000) / (3000.0 * 3000));
        wc.isl.sigma = sqrt(s2);
        wc.isl.mu = log(3000.0) - s2 / 2;
        wc.prefix_tokens = 1024;
        wc.prefixes = 3;
        serve_cfg_t cfg;
        serve_cfg_default(&cfg);
        cfg.preempt_swap = swap;
        assert_int_equal(run(&wc, &cfg), IS_OK);
        assert_true(R.preemptions > 100);
        assert_int_equal(R.completed + R.rejected_too_long, R.arrived);
        assert_true(R.rejected_too_long < R.arrived / 20);
    }
}

/* TensorRT-LLM's admission (GUARANTEED_NO_EVICT): a request enters only with blocks for its
 * whole prompt and answer, so nothing is ever preempted, and the running set fills the cache
 * with exactly floor(cache blocks / blocks per request) requests: here 2,000 requests of
 * 2048 + 512 tokens, ceil(2560 / 16) = 160 blocks each, all queued at t = 0.  vLLM's
 * admission (a request enters when its next chunk fits) packs more prompts in and then has
 * to preempt as their answers grow. */
static void test_admit_reserve(void **state)
{
    (void)state;
    setup("llama-3.1-8b", "h100-sxm", 1, NULL);
    workload_cfg_t wc;
    closed(&wc, 2000, 2000, 0, 2048, 512);
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    cfg.max_seqs = 8192;
    cfg.admit_reserve = 1;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_int_equal(R.completed, 2000);
    assert_int_equal(R.preemptions, 0);
    double fit = floor(floor(R.kv_capacity_tokens / 16) / 160);
    print_message("reserve: %.0f cache tokens, %.0f requests fit, peak running %.0f, %.0f tok/s\n",
                  R.kv_capacity_tokens, fit, R.peak_running, R.output_tok_s);
    assert_true(fit > 100);
    assert_true(R.peak_running == fit);
    double reserved_tok_s = R.output_tok_s;
    cfg.admit_reserve = 0;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_int_equal(R.completed, 2000);
    print_message("fit: peak running %.0f, %ld preemptions, %.0f tok/s\n", R.peak_running, R.preemptions,
                  R.output_tok_s);
    assert_true(R.peak_running > fit);
    assert_true(R.preemptions > 0);
    assert_true(reserved_tok_s > 0);
    /* 256-token blocks: 2560 tokens take 10 blocks, and the cache holds floor(tokens / 256) */
    cfg.admit_reserve = 1;
    cfg.block_tokens = 256;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_true(R.peak_running == floor(floor(R.kv_capacity_tokens / 256) / 10));
    assert_int_equal(R.preemptions, 0);
}

/* TensorRT-LLM's KV pools (kv_pools_equal): gpt-oss-20b's 12 full-attention and 12
 * 128-token sliding-window layers (data/models/gpt-oss-20b.json) get a pool each, half the
 * KV memory apiece, so the full-attention layers hold half the tokens the shared pool gives
 * them.  Admitting with the whole request reserved (2048 + 512 tokens = 160 blocks of 16 in
 * the full pool; 128 tokens of window), a shared pool fits C / (2560 f + 128 f) requests
 * (f: one token's bytes in 12 layers) and the split pools (C / 2) / (2560 f): 2688 / 5120 =
 * 0.525 as many.  A model without windows (Llama-3.1-8B) is unchanged. */
static void test_kv_pools_equal(void **state)
{
    (void)state;
    setup("gpt-oss-20b", "h100-sxm", 1, NULL);
    workload_cfg_t wc;
    closed(&wc, 3000, 3000, 0, 2048, 512);
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    cfg.max_seqs = 8192;
    cfg.admit_reserve = 1;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    double shared_tokens = R.kv_capacity_tokens, shared_peak = R.peak_running;
    cfg.kv_pools_equal = 1;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_int_equal(R.completed, 3000);
    print_message("gpt-oss-20b: %.0f -> %.0f full-attention tokens, peak running %.0f -> %.0f\n", shared_tokens,
                  R.kv_capacity_tokens, shared_peak, R.peak_running);
    assert_close(R.kv_capacity_tokens, shared_tokens / 2, 1e-6 * shared_tokens);
    assert_true(fabs(R.peak_running / shared_peak - 2688.0 / 5120.0) < 0.01);
    assert_int_equal(R.preemptions, 0);

    setup("llama-3.1-8b", "h100-sxm", 1, NULL);
    cfg.kv_pools_equal = 0;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    shared_tokens = R.kv_capacity_tokens;
    shared_peak = R.peak_running;
    cfg.kv_pools_equal = 1;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_true(R.kv_capacity_tokens == shared_tokens && R.peak_running == shared_peak);
}

/* The same seed gives the same run; another seed another. */
static void test_deterministic(void **state)
{
    (void)state;
    setup("llama-3.1-8b", "h100-sxm", 1, NULL);
    workload_cfg_t wc;
    poisson(&wc, 20, 30, 1, 1);
    wc.isl = (len_dist_t){.kind = LEN_UNIFORM, .a = 100, .b = 3000};
    wc.osl = (len_dist_t){.kind = LEN_UNIFORM, .a = 10, .b = 300};
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    assert_int_equal(run(&wc, &cfg), IS_OK);
    double a = hist_mean(&R.e2e), t = R.output_tokens;
    long n = R.arrived;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_true(hist_mean(&R.e2e) == a && R.output_tokens == t && R.arrived == n);
    wc.seed = 2;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_true(R.output_tokens != t);
}

/* Closed loop, no think time: every user always has a request in the system. */
static void test_closed_loop(void **state)
{
    (void)state;
    setup("llama-3.1-8b", "h100-sxm", 1, NULL);
    workload_cfg_t wc;
    closed(&wc, 32, 0, 120, 1024, 128);
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    assert_int_equal(run(&wc, &cfg), IS_OK);
    /* until the last arrivals drain, 32 requests are in the system */
    assert_close(R.mean_in_system, 32, 0.02);
}

/* CUDA graphs with padding (TensorRT-LLM's cuda_graph_config enable_padding): 3 requests
 * decoding alone run the graph of the next captured batch.  A list whose next size is 3, or
 * that has none as large, changes nothing, bit for bit.  A list whose next size is 1024 makes
 * every decode step cost 3 requests and 1021 dummies of one token: by engine_step at the
 * requests' mean context (16 prompt tokens + 1 to 63 generated, mean 48), within 1 %. */
static void test_graph_padding(void **state)
{
    (void)state;
    setup("llama-3.1-8b", "h100-sxm", 1, NULL);
    workload_cfg_t wc;
    closed(&wc, 3, 3, 120, 16, 64);
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    assert_int_equal(run(&wc, &cfg), IS_OK);
    double base = R.makespan_s, base_tpot = hist_mean(&R.tpot);
    diag_t d;
    diag_clear(&d);
    const char *same[2] = {"1,2,3,64", "1,2"};
    for (int k = 0; k < 2; k++) {
        assert_int_equal(serve_parse_graph_sizes(same[k], "--graph-batches", &cfg, &d), IS_OK);
        assert_int_equal(run(&wc, &cfg), IS_OK);
        assert_true(R.makespan_s == base);
    }
    assert_int_equal(serve_parse_graph_sizes("1024,2048", "--graph-batches", &cfg, &d), IS_OK);
    assert_int_equal(cfg.n_graph_sizes, 2);
    assert_int_equal(run(&wc, &cfg), IS_OK);
    step_t st;
    step_clear(&st);
    step_add(&st, &M, 3, 1, 48);
    step_add(&st, &M, 1021, 1, 0);
    placement_t pl;
    deploy_place(&DEP, cfg.max_seqs, 0, cfg.max_tokens, &pl); /* as serve places it */
    double want = engine_step(&DEP, &pl, &st, NULL);
    print_message("TPOT alone %.3f ms, padded to 1024: %.3f ms (engine step %.3f ms)\n", 1e3 * base_tpot,
                  1e3 * hist_mean(&R.tpot), 1e3 * want);
    assert_close(hist_mean(&R.tpot), want, 0.01);
    assert_true(want > 2 * base_tpot);
    /* what the option refuses */
    const char *bad[4] = {"4,2", "0,8", "1,,2", "8x"};
    for (int k = 0; k < 4; k++)
        assert_int_equal(serve_parse_graph_sizes(bad[k], "--graph-batches", &cfg, &d), IS_ERR_INPUT);
    assert_non_null(strstr(d.message, "ascending order"));
}

/* The serving stack's host work, overlapped with the chips: an iteration takes the longer of
 * the chips' step and the host's a + b x (requests in it).  Three users of a closed loop, 16
 * prompt and 64 answer tokens, a = 0.5 s, b = 1 s (far longer than any step of Llama-3.1-8B
 * on an H100, about 8 ms): the first arrival starts an iteration alone (its prompt: 1.5 s);
 * the next carries its first decode and the other two prompts (3.5 s); 62 more of all three
 * decoding (3.5 s each) finish the first request, and one of the other two (2.5 s) finishes
 * them.  Makespan 1.5 + 63 x 3.5 + 2.5 = 224.5 s; TPOT 3.5 s for the first, (62 x 3.5 + 2.5)
 * / 63 for the others; every iteration host-bound.  A host far quicker than the chips (1 ns a
 * request) changes nothing, bit for bit.  Then the host time the overlap does not hide and a
 * front end, each by hand below. */
static void test_host_time(void **state)
{
    (void)state;
    setup("llama-3.1-8b", "h100-sxm", 1, NULL);
    workload_cfg_t wc;
    closed(&wc, 3, 3, 1000, 16, 64);
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    assert_int_equal(run(&wc, &cfg), IS_OK);
    const double base = R.makespan_s;
    assert_int_equal(R.host_bound_iterations, 0);
    cfg.host_s_per_request = 1e-9;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_true(R.makespan_s == base);
    assert_int_equal(R.host_bound_iterations, 0);
    cfg.host_s_per_iteration = 0.5;
    cfg.host_s_per_request = 1.0;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_close(R.makespan_s, 224.5, 1e-9);
    assert_int_equal(R.iterations, 65);
    assert_int_equal(R.host_bound_iterations, 65);
    const double other = (62 * 3.5 + 2.5) / 63;
    assert_close(hist_mean(&R.tpot), (3.5 + 2 * other) / 3, 1e-9);
    /* the host time the overlap does not hide: a gap of 2 s after each of the base run's
     * iterations lengthens it by exactly 2 s an iteration, the iterations staying the same */
    serve_cfg_default(&cfg);
    assert_int_equal(run(&wc, &cfg), IS_OK);
    const double ttft = hist_mean(&R.ttft), tpot = hist_mean(&R.tpot);
    const long iters = R.iterations;
    cfg.host_gap_s = 2.0;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_int_equal(R.iterations, iters);
    assert_close(R.makespan_s, base + 2.0 * iters, 1e-9);
    /* a front end of 10 s + 1 ms a prompt token (10.016 s for the 16-token prompts) holds every
     * request back that long: each TTFT gains 10.016 s, no TPOT changes, and the run, whose three
     * requests all pass the front end together, ends 10.016 s later */
    cfg.host_gap_s = 0;
    cfg.frontend_s = 10.0;
    cfg.frontend_s_per_token = 1e-3;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_int_equal(R.completed, 3);
    assert_close(hist_mean(&R.ttft), ttft + 10.016, 1e-9);
    assert_close(hist_mean(&R.tpot), tpot, 1e-9);
    assert_close(R.makespan_s, base + 10.016, 1e-9);
    /* a negative figure is refused, naming the flag */
    cfg.frontend_s = -1;
    diag_t d;
    diag_clear(&d);
    workload_t w;
    assert_int_equal(workload_open(&w, &wc, &d), IS_OK);
    assert_int_equal(serve_run(&DEP, &w, &cfg, &R, &d), IS_ERR_INPUT);
    workload_close(&w);
    assert_non_null(strstr(d.message, "front-end"));
}

/* A stack that schedules each iteration while the one before runs (--schedule-ahead: vLLM's
 * async scheduling, TensorRT-LLM's overlap scheduler).  Llama-3.1-8B on an H100: A (16 prompt
 * tokens, 2000 answer tokens) arrives at 0 into an idle engine, so nothing changes for it; B (16
 * prompt tokens, 1 answer token) arrives at 1 s, while A decodes alone, about 6 ms an iteration.
 * Scheduled when the last iteration ends, B's prompt joins the next; scheduled ahead, that next
 * iteration was decided when the running one began, and B joins the one after: its TTFT is one
 * of A's lone decode iterations longer (B answers only its first token, so A alone has a TPOT).
 * Half of that on the mean TTFT of the two, within 2 % of A's TPOT (A's steps lengthen with its
 * context by under 2 % over the run), and A's TPOT itself within 1 %. */
static void test_schedule_ahead(void **state)
{
    (void)state;
    setup("llama-3.1-8b", "h100-sxm", 1, NULL);
    char path[] = "/tmp/infersim-ahead-XXXXXX";
    workload_cfg_t wc;
    trace_workload(&wc, path, "0,16,2000\n1,16,1\n");
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    assert_int_equal(run(&wc, &cfg), IS_OK);
    const double ttft = hist_mean(&R.ttft), tpot = hist_mean(&R.tpot);
    cfg.schedule_ahead = 1;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    unlink(path);
    print_message("schedule ahead: mean TTFT %.4f -> %.4f ms, A's TPOT %.4f ms\n", ttft * 1e3, hist_mean(&R.ttft) * 1e3,
                  tpot * 1e3);
    assert_int_equal(R.completed, 2);
    assert_close(2 * (hist_mean(&R.ttft) - ttft), tpot, 0.02);
    assert_close(hist_mean(&R.tpot), tpot, 0.01);
}

/* CUDA graphs under attention data parallelism (TensorRT-LLM's CUDAGraphRunner): the ranks
 * that share experts replay a graph only when every rank's iteration is decode-only; a prompt
 * chunk on one rank makes every rank run as it is.  gpt-oss-20b over two H100s, EP 2 with
 * attention DP 2, graphs of 1024 requests, 16 tokens an iteration.  Request A (16 prompt
 * tokens, 4 answer tokens) lands on rank 0 and B (64 prompt tokens, 1 answer token) on rank 1,
 * both at time 0.  A's prompt runs first, alone (B arrives while that iteration runs); A's
 * three decode steps then share iterations with B's first three chunks (contexts 0, 16 and
 * 32), so none is padded: A's TPOT is the mean of max(A's one-token step at contexts 16, 17
 * and 18, B's chunk), each by engine_step, within 1 %, and well under a 1024-request graph. */
static void test_graph_gang(void **state)
{
    (void)state;
    load_model("gpt-oss-20b", &M);
    load_system("h100-sxm", &S);
    deploy_cfg_t c;
    deploy_cfg_default(&c, &M);
    c.plan = (plan_t){2, 1, 1, 2, 2};
    diag_t d;
    diag_clear(&d);
    assert_int_equal(deploy_setup(&DEP, &M, &S, &c, &d), IS_OK);
    char path[] = "/tmp/infersim-gang-XXXXXX";
    workload_cfg_t wc;
    trace_workload(&wc, path, "0,16,4\n0,64,1\n");
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    cfg.max_tokens = 16;
    assert_int_equal(serve_parse_graph_sizes("1024", "--graph-batches", &cfg, &d), IS_OK);
    status_t st = run(&wc, &cfg);
    unlink(path);
    assert_int_equal(st, IS_OK);
    assert_int_equal(R.completed, 2);
    placement_t pl;
    deploy_place(&DEP, cfg.max_seqs, 0, cfg.max_tokens, &pl);
    double want = 0;
    for (int i = 0; i < 3; i++) {
        step_t a, b;
        step_clear(&a);
        step_add(&a, &M, 1, 1, 16 + i);
        step_clear(&b);
        step_add(&b, &M, 1, 16, 16 * i);
        double ta = engine_step(&DEP, &pl, &a, NULL), tb = engine_step(&DEP, &pl, &b, NULL);
        want += (ta > tb ? ta : tb) / 3;
    }
    step_t pad;
    step_clear(&pad);
    step_add(&pad, &M, 1024, 1, 0);
    const double padded = engine_step(&DEP, &pl, &pad, NULL);
    print_message("A's TPOT %.3f ms; unpadded iterations %.3f ms; a 1024-request graph %.3f ms\n",
                  1e3 * hist_mean(&R.tpot), 1e3 * want, 1e3 * padded);
    assert_close(hist_mean(&R.tpot), want, 0.01);
    assert_true(hist_mean(&R.tpot) < 0.8 * padded);
}

/* Speculative decoding's expected tokens per step, (1 - a^(k+1)) / (1 - a) (Leviathan et
 * al. 2023): k = 3, a = 0.8 gives 2.952; a = 0 gives 1 (cost without gain: slower than
 * without it); at low load a = 0.8 is faster than none. */
static void test_speculative(void **state)
{
    (void)state;
    setup("llama-3.1-8b", "h100-sxm", 1, NULL);
    workload_cfg_t wc;
    spaced(&wc, 0.05, 400, 1024, 128);
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    assert_int_equal(run(&wc, &cfg), IS_OK);
    double base = hist_mean(&R.tpot);
    cfg.spec = SPEC_MTP;
    cfg.spec_k = 3;
    cfg.spec_accept = 0.8;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_close(R.spec_tokens_per_step, 2.952, 1e-12);
    assert_true(hist_mean(&R.tpot) < base / 2);
    cfg.spec_accept = 0;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_close(R.spec_tokens_per_step, 1, 0);
    assert_true(hist_mean(&R.tpot) > base);
}

/* Disaggregated pools, alone: TTFT = the prompt's prefill plus its KV cache's transfer, as
 * predict's disaggregated figure; TPOT is the decode instance's batch-1 step. */
static void test_disaggregated_alone(void **state)
{
    (void)state;
    setup("llama-3.1-70b", "h100-sxm", 8, "fp8");
    predict_result_t p;
    predict_same(1, 0, 2048, 256, &p);
    static deploy_t pdep;
    deploy_cfg_t pc = DEP.cfg;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(deploy_setup(&pdep, &M, &S, &pc, &d), IS_OK);
    workload_cfg_t wc;
    spaced(&wc, 0.05, 400, 2048, 256);
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    cfg.prefill_dep = &pdep;
    cfg.prefill_instances = cfg.decode_instances = 1;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    /* Llama-3.1-70B fp8 KV: 80 layers x 2 x 8 heads x 128 x 1 B = 163,840 B per token; 2048
     * tokens = 335.5 MB, 41.9 MB per chip over InfiniBand (the level spanning 16 chips) */
    assert_true(R.kv_transfer_mean_s > 41.9e6 / 50e9);
    assert_close(hist_mean(&R.ttft), p.ttft_s + R.kv_transfer_mean_s, 1e-9);
    assert_close(hist_mean(&R.tpot), p.tpot_s, 1e-9);
}

/* Shared prefixes: with the prefix resident, a prompt computes only its own tokens, as
 * predict --shared-prefix does (a 1536-token prefix: 96 whole blocks). */
static void test_prefix_cache(void **state)
{
    (void)state;
    setup("llama-3.1-8b", "h100-sxm", 1, NULL);
    predict_req_t q;
    predict_req_default(&q, &M);
    q.cfg = DEP.cfg;
    q.cfg.shared_prefix = 1536;
    q.isl = 2048;
    q.osl = 64;
    static predict_result_t p;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(predict_run(&M, &S, &q, &p, &d), IS_OK);
    workload_cfg_t wc;
    spaced(&wc, 0.05, 400, 2048, 64);
    wc.prefix_tokens = 1536;
    wc.prefixes = 1;
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_close(R.prefix_hit_tokens, 1536.0 * (R.completed - 1), 1e-12);
    assert_close(hist_quantile(&R.ttft, 0.5), p.ttft_s, 0.01);
    assert_close(hist_mean(&R.tpot), p.tpot_s, 1e-9);
    /* without the cache every prompt is computed in full: no hits, and TTFT is the whole
     * prompt's, as predict without a shared prefix */
    double hit_ttft = hist_quantile(&R.ttft, 0.5);
    cfg.prefix_cache = 0;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_close(R.prefix_hit_tokens, 0, 0);
    q.cfg.shared_prefix = 0;
    assert_int_equal(predict_run(&M, &S, &q, &p, &d), IS_OK);
    assert_close(hist_quantile(&R.ttft, 0.5), p.ttft_s, 0.01);
    assert_true(p.ttft_s > 2 * hit_ttft);
}

/* Arrival gaps: gamma of shape k at rate r has mean 1/r and squared coefficient of variation
 * 1/k (mean k theta, variance k theta^2), so k = 0.25 is four times as bursty as Poisson
 * (k = 1, CV^2 = 1). */
static void test_arrival_burstiness(void **state)
{
    (void)state;
    const double ks[] = {1.0, 0.25};
    for (int i = 0; i < 2; i++) {
        workload_cfg_t wc;
        poisson(&wc, 10, 0, 100, 10);
        wc.arrival = ARRIVE_GAMMA;
        wc.burstiness = ks[i];
        wc.max_requests = 200000;
        workload_t w;
        diag_t d;
        diag_clear(&d);
        assert_int_equal(workload_open(&w, &wc, &d), IS_OK);
        request_spec_t q;
        double prev = 0, s = 0, s2 = 0;
        long n = 0;
        while (workload_next(&w, &q, &d) == 1) {
            double g = q.arrival_s - prev;
            prev = q.arrival_s;
            s += g;
            s2 += g * g;
            n++;
        }
        workload_close(&w);
        double mean = s / n, cv2 = (s2 / n - mean * mean) / (mean * mean);
        print_message("gamma k = %.2f: %ld gaps, mean %.4f s, CV^2 %.3f\n", ks[i], n, mean, cv2);
        assert_int_equal(n, 200000);
        assert_close(mean, 0.1, 0.02);
        assert_close(cv2, 1.0 / ks[i], 0.05);
    }
}

/* Multimodal: every prompt grows by the image's tokens, 576 per request (a 24 x 24-patch
 * image, LLaVA-1.5's count), and TTFT with it. */
static void test_image_tokens(void **state)
{
    (void)state;
    setup("llama-3.1-8b", "h100-sxm", 1, NULL);
    workload_cfg_t wc;
    spaced(&wc, 0.05, 200, 1024, 16);
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    assert_int_equal(run(&wc, &cfg), IS_OK);
    double in = R.input_tokens, ttft = hist_mean(&R.ttft);
    long n = R.completed;
    wc.image_tokens = 576;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_int_equal(R.completed, n);
    assert_close(R.input_tokens - in, 576.0 * n, 1e-12);
    assert_true(hist_mean(&R.ttft) > ttft);
}

/* Admission control: with at most 8 requests waiting, an overload is turned away at the door,
 * and every arrival is either served or rejected.  With TensorRT-LLM's admission nothing is
 * preempted back into the queue, so it never holds more than 8. */
static void test_max_queue(void **state)
{
    (void)state;
    setup("llama-3.1-8b", "h100-sxm", 1, NULL);
    workload_cfg_t wc;
    poisson(&wc, 200, 30, 2048, 256);
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    cfg.max_queue = 8;
    cfg.admit_reserve = 1;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    print_message("%ld arrived, %ld rejected, peak waiting %.0f\n", R.arrived, R.rejected, R.peak_waiting);
    assert_true(R.rejected > R.arrived / 2);
    assert_int_equal(R.completed + R.rejected, R.arrived);
    assert_true(R.peak_waiting <= 8);
}

/* Routers: three replicas near saturation, prompts of 100 to 8000 tokens.  Round-robin sends
 * every third request to each replica whatever it holds; least-loaded sends each to the
 * replica with the fewest requests.  It balances requests, not tokens, so its mean TTFT is
 * no better, but it no longer stacks prompts on a replica that is already full: the TTFT
 * tail and the mean end-to-end latency are shorter (seed 1: p99 TTFT 0.52 s against 0.96 s). */
static void test_routers(void **state)
{
    (void)state;
    setup("llama-3.1-8b", "h100-sxm", 1, NULL);
    workload_cfg_t wc;
    poisson(&wc, 20, 60, 1024, 256);
    wc.isl = (len_dist_t){.kind = LEN_UNIFORM, .a = 100, .b = 8000};
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    cfg.replicas = 3;
    cfg.router = ROUTE_ROUND_ROBIN;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    double rr_p99 = hist_quantile(&R.ttft, 0.99), rr_e2e = hist_mean(&R.e2e);
    assert_int_equal(R.instances, 3);
    cfg.router = ROUTE_LEAST_LOADED;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    print_message("p99 TTFT: round-robin %.3f s, least-loaded %.3f s; mean E2E %.3f s, %.3f s\n", rr_p99,
                  hist_quantile(&R.ttft, 0.99), rr_e2e, hist_mean(&R.e2e));
    assert_int_equal(R.completed, R.arrived);
    assert_true(hist_quantile(&R.ttft, 0.99) < 0.75 * rr_p99);
    assert_true(hist_mean(&R.e2e) < rr_e2e);
}

/* Goodput counts the requests within both SLOs.  Alone, every request's TTFT and TPOT are
 * predict's batch-1 figures (test_alone_equals_predict), so SLOs just above them admit all
 * and a TTFT limit just below admits none. */
static void test_goodput_slos(void **state)
{
    (void)state;
    setup("llama-3.1-8b", "h100-sxm", 1, NULL);
    static predict_result_t p;
    predict_same(1, 0, 1024, 128, &p);
    workload_cfg_t wc;
    spaced(&wc, 0.05, 400, 1024, 128);
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    cfg.slo_ttft_s = p.ttft_s * 1.01;
    cfg.slo_tpot_s = p.tpot_s * 1.01;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_int_equal(R.goodput_requests, R.completed);
    cfg.slo_ttft_s = p.ttft_s * 0.99;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_int_equal(R.goodput_requests, 0);
    cfg.slo_ttft_s = 10;
    cfg.slo_tpot_s = p.tpot_s * 0.99;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_int_equal(R.goodput_requests, 0);
}

/* The token budget chunks a prompt: alone, a 4096-token prompt under a 1024-token budget is
 * prefilled in predict's four 1024-token chunks, so TTFT equals predict's with that chunk. */
static void test_token_budget_chunks(void **state)
{
    (void)state;
    setup("llama-3.1-8b", "h100-sxm", 1, NULL);
    predict_req_t q;
    predict_req_default(&q, &M);
    q.cfg = DEP.cfg;
    q.batch = 1;
    q.isl = 4096;
    q.osl = 32;
    q.prefill_chunk = 1024;
    static predict_result_t p;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(predict_run(&M, &S, &q, &p, &d), IS_OK);
    workload_cfg_t wc;
    spaced(&wc, 0.05, 200, 4096, 32);
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    cfg.max_tokens = 1024;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_close(hist_quantile(&R.ttft, 0.5), p.ttft_s, 0.01);
    cfg.max_tokens = 8192;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    assert_true(hist_quantile(&R.ttft, 0.5) < p.ttft_s);
}

/* Speculation from a draft model: the same expected tokens per step as MTP at the same k and
 * acceptance, (1 - 0.8^4) / (1 - 0.8) = 2.952, but each step also runs the draft k times: a
 * 1.2 B-parameter Llama-3.2-1B costs more than MTP's one extra layer of the 8 B target
 * (0.22 B), so TPOT is longer than MTP's and still shorter than no speculation's. */
static void test_draft_model(void **state)
{
    (void)state;
    static model_t dm;
    static deploy_t ddep;
    setup("llama-3.1-8b", "h100-sxm", 1, NULL);
    load_model("llama-3.2-1b", &dm);
    deploy_cfg_t c;
    deploy_cfg_default(&c, &dm);
    c.plan = (plan_t){1, 1, 1, 1, 1};
    diag_t d;
    diag_clear(&d);
    assert_int_equal(deploy_setup(&ddep, &dm, &S, &c, &d), IS_OK);
    workload_cfg_t wc;
    spaced(&wc, 0.05, 400, 1024, 128);
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    assert_int_equal(run(&wc, &cfg), IS_OK);
    double none = hist_mean(&R.tpot);
    cfg.spec_k = 3;
    cfg.spec_accept = 0.8;
    cfg.spec = SPEC_MTP;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    double mtp = hist_mean(&R.tpot);
    cfg.spec = SPEC_DRAFT;
    cfg.draft_dep = &ddep;
    assert_int_equal(run(&wc, &cfg), IS_OK);
    print_message("TPOT: none %.3f ms, MTP %.3f ms, draft %.3f ms\n", none * 1e3, mtp * 1e3,
                  hist_mean(&R.tpot) * 1e3);
    assert_close(R.spec_tokens_per_step, 2.952, 1e-12);
    assert_true(hist_mean(&R.tpot) > mtp && hist_mean(&R.tpot) < none);
}

/* Percentiles from the log histogram are within their 1 % bucket; mean, min, max exact. */
static void test_histogram(void **state)
{
    (void)state;
    static histogram_t h;
    hist_clear(&h);
    for (int i = 1; i <= 1000; i++)
        hist_add(&h, i * 1e-3, 1);
    assert_close(hist_mean(&h), 0.5005, 1e-12);
    assert_close(hist_quantile(&h, 0.5), 0.5, 0.01);
    assert_close(hist_quantile(&h, 0.99), 0.99, 0.01);
    assert_close(hist_quantile(&h, 1.0), 1.0, 0);
    assert_close(hist_quantile(&h, 0.0), 1e-3, 0);
}

/* Length distributions: lognormal with mean 1000 and std 500 draws that mean and spread
 * (100,000 draws: within 1 % and 3 %); uniform stays in range. */
static void test_lengths(void **state)
{
    (void)state;
    len_dist_t l;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(len_dist_parse("--isl", "lognormal:1000:500", &l, &d), IS_OK);
    rng_t r;
    rng_seed(&r, 7);
    double s = 0, s2 = 0;
    const int n = 100000;
    for (int i = 0; i < n; i++) {
        double x = len_dist_draw(&l, &r);
        s += x;
        s2 += x * x;
    }
    double mean = s / n, sd = sqrt(s2 / n - mean * mean);
    assert_close(mean, 1000, 0.01);
    assert_close(sd, 500, 0.03);
    assert_int_equal(len_dist_parse("--isl", "uniform:10:20", &l, &d), IS_OK);
    for (int i = 0; i < 1000; i++) {
        int x = len_dist_draw(&l, &r);
        assert_true(x >= 10 && x <= 20);
    }
    /* normal:1000:200 (a draw below 1 is clamped to 1, 5 sigma away: no effect here) */
    assert_int_equal(len_dist_parse("--isl", "normal:1000:200", &l, &d), IS_OK);
    s = s2 = 0;
    for (int i = 0; i < n; i++) {
        double x = len_dist_draw(&l, &r);
        s += x;
        s2 += x * x;
    }
    mean = s / n;
    sd = sqrt(s2 / n - mean * mean);
    assert_close(mean, 1000, 0.01);
    assert_close(sd, 200, 0.03);
    /* file:PATH draws only the observed lengths, each equally often: 10, 20, 60 -> mean 30 */
    char path[] = "/tmp/infersim-len-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# observed\n10\n20\n60\n", f);
    fclose(f);
    char spec[64];
    snprintf(spec, sizeof spec, "file:%s", path);
    assert_int_equal(len_dist_parse("--osl", spec, &l, &d), IS_OK);
    unlink(path);
    s = 0;
    for (int i = 0; i < n; i++) {
        int x = len_dist_draw(&l, &r);
        assert_true(x == 10 || x == 20 || x == 60);
        s += x;
    }
    assert_close(s / n, 30, 0.01);
    len_dist_free(&l);
    assert_int_equal(len_dist_parse("--isl", "lognorm:1:2", &l, &d), IS_ERR_INPUT);
    assert_string_equal(d.message, "unknown distribution \"lognorm\"; did you mean \"lognormal\"? (expected N, "
                                   "uniform:MIN:MAX, normal:MEAN:STD, lognormal:MEAN:STD or file:PATH)");
}

/* The capacity search (capacity.h).  An objective below a lone request's TPOT (predict's
 * batch-1 figure: no load can beat it) is met at no rate.  With reachable objectives the
 * run at the rate found meets both at p99, a 10 % higher rate misses one (the bisection
 * stops within 1 %), and what arrived was served: the output rate is the arrival rate times
 * the 128-token answers, less the drain after the last arrival.  Impossible searches are
 * input errors. */
static void test_capacity(void **state)
{
    (void)state;
    setup("llama-3.1-8b", "h100-sxm", 1, NULL);
    static predict_result_t p;
    predict_same(1, 0, 1024, 128, &p);
    workload_cfg_t wc;
    poisson(&wc, 1, 0, 1024, 128);
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    capacity_cfg_t cc;
    capacity_cfg_default(&cc);
    cc.requests = 1000;
    cc.ttft_s = 10;
    cc.tpot_s = p.tpot_s * 0.99;
    static serve_result_t at;
    capacity_result_t cr;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(serve_capacity(&DEP, &wc, &cfg, &cc, &cr, &at, &d), IS_OK);
    assert_true(cr.rate == 0);
    assert_true(cr.ceiling > 0);

    cc.ttft_s = 0.5;
    cc.tpot_s = 0.03;
    assert_int_equal(serve_capacity(&DEP, &wc, &cfg, &cc, &cr, &at, &d), IS_OK);
    print_message("capacity %.3f requests/s (ceiling %.3f, %d trials): p99 TTFT %.3f s, TPOT %.4f s\n", cr.rate,
                  cr.ceiling, cr.trials, cr.ttft_q, cr.tpot_q);
    assert_true(cr.rate > 0 && !cr.bounded);
    /* the ceiling run, both bounds, then halvings of a gap of 1.24 x the ceiling until it is
     * below 1 % of the rate found (at least 1 % of the ceiling): at most log2(12400) < 14 */
    assert_true(cr.trials <= 3 + 14);
    assert_true(cr.ttft_q <= cc.ttft_s && cr.tpot_q <= cc.tpot_s);
    assert_int_equal(at.completed, cc.requests);
    assert_true(at.output_tok_s <= cr.rate * 128 * 1.05);
    assert_true(at.output_tok_s >= cr.rate * 128 * 0.85);
    workload_cfg_t hot;
    poisson(&hot, cr.rate * 1.1, 0, 1024, 128);
    hot.max_requests = cc.requests;
    assert_int_equal(run(&hot, &cfg), IS_OK);
    assert_true(hist_quantile(&R.ttft, 0.99) > cc.ttft_s || hist_quantile(&R.tpot, 0.99) > cc.tpot_s);

    cc.quantile = 1.0;
    assert_int_equal(serve_capacity(&DEP, &wc, &cfg, &cc, &cr, &at, &d), IS_ERR_INPUT);
    cc.quantile = 0.99;
    cc.ttft_s = cc.tpot_s = 0;
    assert_int_equal(serve_capacity(&DEP, &wc, &cfg, &cc, &cr, &at, &d), IS_ERR_INPUT);
    assert_non_null(strstr(d.message, "objective"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alone_equals_predict),
        cmocka_unit_test(test_energy_of_a_run),
        cmocka_unit_test(test_saturation_equals_steady_predict),
        cmocka_unit_test(test_littles_law),
        cmocka_unit_test(test_preemption_loses_nothing),
        cmocka_unit_test(test_tight_cache_never_strands),
        cmocka_unit_test(test_admit_reserve),
        cmocka_unit_test(test_kv_pools_equal),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_closed_loop),
        cmocka_unit_test(test_graph_padding),
        cmocka_unit_test(test_host_time),
        cmocka_unit_test(test_schedule_ahead),
        cmocka_unit_test(test_graph_gang),
        cmocka_unit_test(test_speculative),
        cmocka_unit_test(test_disaggregated_alone),
        cmocka_unit_test(test_prefix_cache),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_arrival_burstiness),
        cmocka_unit_test(test_image_tokens),
        cmocka_unit_test(test_max_queue),
        cmocka_unit_test(test_routers),
        cmocka_unit_test(test_goodput_slos),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_token_budget_chunks),
        cmocka_unit_test(test_draft_model),
    };
    return cmocka_run_group_tests_name("serve", tests, NULL, NULL);
}
