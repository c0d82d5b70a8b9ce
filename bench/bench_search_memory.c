/*
 * bench_search_memory.c — a search far larger than memory: Llama-3.1-8B on four systems
 * (H100, H200, B200, MI300X), 1 to 64 chips in every TP x PP factorisation (3,184
 * deployments), batch 1..4096, ISL x OSL over a grid sized to reach the asked number of
 * points.  It keeps what the CLI keeps (frontier, top 10, a cloud of 20,000) and, with
 * --csv, formats every point as the CLI's CSV row into /dev/null.  Prints the points, the
 * wall time, the rate and the peak resident memory.  A benchmark, not a test.
 *
 *   build/bench/bench/bench_search_memory            2e7 points, no CSV (make bench)
 *   build/bench/bench/bench_search_memory 1e9        the README's figure
 *   build/bench/bench/bench_search_memory 1e8 --csv
 */
#include "benchutil.h"
#include "../src/analysis/search.h"
#include "../src/io/site_yaml.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef struct sink {
    FILE *f;
    size_t rows;
} sink_t;

static int csv_sink(void *ctx, const search_point_t *p)
{
    sink_t *s = ctx;
    fprintf(s->f, "%u,%u,%u,%u,%u,%u,%u,%u,%u,%u", p->system, p->chips, p->tp, p->pp, p->ep, p->dp, p->isl, p->osl,
            p->batch, p->reason);
    for (int k = 0; k < F_COUNT; k++)
        if (isfinite(p->f[k]))
            fprintf(s->f, ",%.6g", p->f[k]);
        else
            fputc(',', s->f);
    fputc('\n', s->f);
    s->rows++;
    return 0;
}

int main(int argc, char **argv)
{
    double want = argc > 1 ? atof(argv[1]) : 2e7;
    int csv = argc > 2 && !strcmp(argv[2], "--csv");
    static model_t m;
    static system_t sys[4];
    const char *names[4] = {"h100-sxm", "h200", "b200", "mi300x"};
    for (int i = 0; i < 4; i++)
        if (bench_load("llama-3.1-8b", names[i], &m, &sys[i]))
            return 1;
    static site_t site;
    char path[4096];
    diag_t d;
    diag_clear(&d);
    if (catalog_resolve(CATALOG_SITES, "us-average", path, sizeof path, &d) || site_load(path, &site, &d))
        return 1;
    static search_space_t sp;
    sp.model = &m;
    for (int i = 0; i < 4; i++)
        sp.systems[i] = &sys[i];
    sp.n_systems = 4;
    for (int c = 1; c <= 64; c++)
        sp.chips[sp.n_chips++] = c;
    precision_parse("fp8", &sp.weights[0]);
    precision_parse("fp8", &sp.kv[0]);
    sp.n_weights = sp.n_kv = 1;
    for (int b = 1; b <= 4096; b++)
        sp.batch[sp.n_batch++] = b;
    /* ISL x OSL cells for the asked size: 3,184 deployments x 4,096 batches each */
    long cells = lround(want / (3184.0 * 4096));
    if (cells < 1)
        cells = 1;
    sp.n_isl = (int)ceil(sqrt((double)cells));
    sp.n_osl = (int)((cells + sp.n_isl - 1) / sp.n_isl);
    for (int i = 0; i < sp.n_isl; i++)
        sp.isl[i] = 128 + 256 * i;
    for (int o = 0; o < sp.n_osl; o++)
        sp.osl[o] = 64 + 128 * o;
    sp.site = &site;
    sp.keep = (search_keep_t){.fx = F_TOK_S_USER, .fy = F_TOK_S_CHIP, .fobj = F_TOK_S_CHIP, .top = 10, .cloud = 20000};
    sink_t sk = {NULL, 0};
    if (csv) {
        sk.f = fopen("/dev/null", "w");
        if (!sk.f)
            return 1;
        sp.sink = csv_sink;
        sp.sink_ctx = &sk;
    }
    static search_result_t r;
    double t0 = bench_now();
    if (search_run(&sp, &r, &d) != IS_OK) {
        char buf[1024];
        fprintf(stderr, "%s", diag_format(&d, buf, sizeof buf));
        return 1;
    }
    double el = bench_now() - t0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("search over %.3g design points (%zu deployments, %d ISL x %d OSL x 4096 batches)%s:\n"
           "  %.1f s, %.2f M points/s, %zu feasible, %zu kept, peak RSS %.1f MB\n",
           (double)r.n_points, r.n_deployments, sp.n_isl, sp.n_osl, csv ? ", every point formatted as CSV" : "", el,
           r.n_points / el / 1e6, r.count[SR_OK], r.n_stored, ru.ru_maxrss / 1024.0);
    search_free(&r);
    if (sk.f)
        fclose(sk.f);
    return 0;
}
