/*
 * bench_serve.c — how fast the serving simulator is: scheduler events per second on one
 * core under a steady load, and the wall time of a one-million-request trace read from a
 * file.  A benchmark, not a test: it prints figures and asserts nothing.
 *
 *   make bench
 *
 * Events are the simulator's discrete events: arrivals, admissions, iterations, prompts
 * finished (first tokens), completions, preemptions.  The decode tokens an iteration hands
 * to its running requests are reported beside them, not counted as events: an iteration
 * delivers them all in O(1).
 */
#include "benchutil.h"
#include "../src/analysis/serve.h"
#include "../src/io/model_config.h"
#include "../src/io/system_yaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static void report(const char *what, const serve_result_t *r)
{
    printf("%s\n  %ld requests, %ld iterations, %ld events, %.0f decode tokens in %.3f s: %.2f M events/s, "
           "%.2f M iterations/s, %.2f M requests/s, %.0f M decode tokens/s\n",
           what, r->completed, r->iterations, r->events, r->token_deliveries, r->wall_s, r->events / r->wall_s / 1e6,
           r->iterations / r->wall_s / 1e6, r->completed / r->wall_s / 1e6, r->token_deliveries / r->wall_s / 1e6);
}

int main(void)
{
    static model_t m;
    static system_t s;
    if (bench_load("llama-3.1-70b", "h100-sxm", &m, &s))
        return 1;
    deploy_cfg_t c;
    deploy_cfg_default(&c, &m);
    c.plan = (plan_t){8, 8, 1, 1, 1};
    precision_parse("fp8", &c.weights);
    c.act = c.kv = c.weights;
    static deploy_t dep;
    diag_t d;
    diag_clear(&d);
    if (deploy_setup(&dep, &m, &s, &c, &d) != IS_OK)
        return 1;
    serve_cfg_t cfg;
    serve_cfg_default(&cfg);
    static workload_t w;
    static serve_result_t r;

    /* a steady overload: 256 requests in flight, prompts and answers of varying length */
    workload_cfg_t wc;
    memset(&wc, 0, sizeof wc);
    wc.arrival = ARRIVE_POISSON;
    wc.rate = 30;
    wc.duration_s = 2000;
    wc.seed = 1;
    len_dist_parse("--isl", "uniform:512:4096", &wc.isl, &d);
    len_dist_parse("--osl", "lognormal:300:200", &wc.osl, &d);
    if (workload_open(&w, &wc, &d) || serve_run(&dep, &w, &cfg, &r, &d))
        return 1;
    workload_close(&w);
    report("llama-3.1-70b, 8 x h100-sxm, Poisson 30/s for 2000 s", &r);

    /* a one-million-request trace, written to a temporary file and streamed back */
    char path[] = "/tmp/infersim-bench-trace-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    FILE *f = fdopen(fd, "w");
    fprintf(f, "arrival_s,input_tokens,output_tokens,prefix_id,prefix_tokens\n");
    rng_t g;
    rng_seed(&g, 3);
    double t = 0;
    for (long i = 0; i < 1000000; i++) {
        t += rng_exponential(&g, 1.0 / 25);
        int in = 512 + (int)(rng_uniform(&g) * 3584), out = 16 + (int)(rng_uniform(&g) * 496);
        long pid = (long)(rng_uniform(&g) * 8);
        fprintf(f, "%.6f,%d,%d,%ld,%d\n", t, in, out, pid, 256);
    }
    fclose(f);
    memset(&wc, 0, sizeof wc);
    wc.arrival = ARRIVE_TRACE;
    wc.trace_path = path;
    if (workload_open(&w, &wc, &d) || serve_run(&dep, &w, &cfg, &r, &d)) {
        char buf[1024];
        fprintf(stderr, "%s", diag_format(&d, buf, sizeof buf));
        unlink(path);
        return 1;
    }
    workload_close(&w);
    unlink(path);
    report("the same, a 1,000,000-request trace from a CSV file", &r);
    return 0;
}
