/*
 * test_search.c — the design-space search: its frontier on hand-made points, pruning
 * reasons counted, identical results for any thread count, and agreement with predict.
 */
#include "testutil.h"

#include <sys/resource.h>

#include "../src/analysis/predict.h"
#include "../src/analysis/search.h"
#include "../src/io/site_yaml.h"

#include <stdlib.h>

static model_t M;
static system_t S;
static site_t SITE;

static void space(search_space_t *sp)
{
    memset(sp, 0, sizeof *sp);
    load_model("llama-3.1-70b", &M);
    load_system("h100-sxm", &S);
    char path[4096];
    diag_t d;
    diag_clear(&d);
    assert_int_equal(catalog_resolve(CATALOG_SITES, "us-average", path, sizeof path, &d), IS_OK);
    assert_int_equal(site_load(path, &SITE, &d), IS_OK);
    sp->model = &M;
    sp->systems[0] = &S;
    sp->n_systems = 1;
    sp->chips[0] = 8;
    sp->chips[1] = 6;
    sp->n_chips = 2;
    precision_parse("fp8", &sp->weights[0]);
    precision_parse("fp8", &sp->kv[0]);
    sp->n_weights = sp->n_kv = 1;
    sp->isl[0] = 1024;
    sp->n_isl = 1;
    sp->osl[0] = 128;
    sp->n_osl = 1;
    int b[] = {1, 8, 64, 0};
    memcpy(sp->batch, b, sizeof b);
    sp->n_batch = 4;
    sp->keep.all = 1; /* every point, to check each one */
    sp->site = &SITE;
}

static void test_frontier_hand_made(void **state)
{
    (void)state;
    /* five points (x = per-user speed, y = per-chip throughput, both better when larger):
     * (1,10) (2,8) (3,9) (4,1) (2,2): the frontier is (4,1) (3,9) (1,10); (2,8) and (2,2) are dominated by (3,9) */
    search_point_t p[5];
    memset(p, 0, sizeof p);
    double xy[5][2] = {{1, 10}, {2, 8}, {3, 9}, {4, 1}, {2, 2}};
    for (int i = 0; i < 5; i++) {
        p[i].f[F_TOK_S_USER] = (float)xy[i][0];
        p[i].f[F_TOK_S_CHIP] = (float)xy[i][1];
        p[i].reason = SR_OK;
    }
    search_result_t r = {.n_points = 5, .n_stored = 5, .points = p};
    size_t out[5];
    size_t n = search_frontier(&r, F_TOK_S_USER, F_TOK_S_CHIP, out, 5);
    assert_int_equal(n, 3);
    assert_int_equal(out[0], 3);
    assert_int_equal(out[1], 2);
    assert_int_equal(out[2], 0);
    /* with TPOT (less is better) as x: smaller first */
    p[0].f[F_TPOT] = 3, p[1].f[F_TPOT] = 1, p[2].f[F_TPOT] = 2, p[3].f[F_TPOT] = 5, p[4].f[F_TPOT] = 4;
    n = search_frontier(&r, F_TPOT, F_TOK_S_CHIP, out, 5);
    /* (tpot, y): (3,10) (1,8) (2,9) (5,1) (4,2): frontier (1,8) (2,9) (3,10) */
    assert_int_equal(n, 3);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 2);
    assert_int_equal(out[2], 0);
    /* top 2 by per-chip throughput */
    assert_int_equal(search_top(&r, F_TOK_S_CHIP, out, 2), 2);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 2);
}

/* The definition, point by point: i is on the frontier when no feasible point has a y at least
 * as good and an x better, or the same x and a better y, or the same x and y and a lower index. */
static int on_frontier(const search_point_t *p, size_t n, size_t i, int fx, int fy)
{
    double xi = search_field_sense[fx] * p[i].f[fx], yi = search_field_sense[fy] * p[i].f[fy];
    for (size_t k = 0; k < n; k++) {
        if (k == i || p[k].reason != SR_OK)
            continue;
        double xk = search_field_sense[fx] * p[k].f[fx], yk = search_field_sense[fy] * p[k].f[fy];
        int before = xk > xi || (xk == xi && (yk > yi || (yk == yi && k < i)));
        if (before && yk >= yi)
            return 0;
    }
    return 1;
}

static void test_frontier_many_points(void **state)
{
    (void)state;
    /* 12000 points on a coarse grid (many ties), some infeasible: enough that the frontier
     * prunes with a sampled pre-filter and top-N keeps a bounded list; both must agree with
     * the definitions computed point by point. */
    enum { N = 12000 };
    search_point_t *p = calloc(N, sizeof *p);
    assert_non_null(p);
    unsigned long long x = 12345;
    for (size_t i = 0; i < N; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL; /* Knuth's MMIX LCG */
        double u = (double)(x >> 40) / (double)(1ULL << 24), v = (double)((x >> 16) & 0xffffff) / (double)(1ULL << 24);
        p[i].f[F_TOK_S_USER] = (float)floor(u * 200);
        p[i].f[F_TOK_S_CHIP] = (float)floor((1 - u) * v * 300 + 50 * u);
        p[i].f[F_TPOT] = (float)floor(v * 500);
        p[i].reason = (x >> 8) % 7 == 0 ? SR_MEMORY : SR_OK;
    }
    search_result_t r = {.n_points = N, .n_stored = N, .points = p};
    int pairs[2][2] = {{F_TOK_S_USER, F_TOK_S_CHIP}, {F_TPOT, F_TOK_S_CHIP}};
    size_t *out = malloc(N * sizeof *out);
    assert_non_null(out);
    for (int q = 0; q < 2; q++) {
        int fx = pairs[q][0], fy = pairs[q][1];
        size_t n = search_frontier(&r, (search_field_t)fx, (search_field_t)fy, out, N);
        size_t want = 0;
        for (size_t i = 0; i < N; i++)
            if (p[i].reason == SR_OK && on_frontier(p, N, i, fx, fy))
                want++;
        assert_true(n > 3);
        assert_int_equal(n, want);
        for (size_t k = 0; k < n; k++)
            assert_true(on_frontier(p, N, out[k], fx, fy));
    }
    /* top 50 by TPOT (less is better, ties by index): each is better than every point not in it */
    size_t nt = search_top(&r, F_TPOT, out, 50);
    assert_int_equal(nt, 50);
    for (size_t k = 1; k < nt; k++)
        assert_true(p[out[k - 1]].f[F_TPOT] < p[out[k]].f[F_TPOT] ||
                    (p[out[k - 1]].f[F_TPOT] == p[out[k]].f[F_TPOT] && out[k - 1] < out[k]));
    size_t better_than_last = 0;
    for (size_t i = 0; i < N; i++)
        if (p[i].reason == SR_OK && (p[i].f[F_TPOT] < p[out[49]].f[F_TPOT] ||
                                     (p[i].f[F_TPOT] == p[out[49]].f[F_TPOT] && i <= out[49])))
            better_than_last++;
    assert_int_equal(better_than_last, 50);
    free(out);
    free(p);
}

static void test_pruning_and_threads(void **state)
{
    (void)state;
    search_space_t sp;
    space(&sp);
    search_result_t a, b;
    diag_t d;
    diag_clear(&d);
    sp.threads = 1;
    assert_int_equal(search_run(&sp, &a, &d), IS_OK);
    sp.threads = 2;
    assert_int_equal(search_run(&sp, &b, &d), IS_OK);
    /* 8 chips: tp x pp in {1,2,4,8}: 10 factorisations; 6 chips: tp in {1,2,3,6}, pp | 6/tp: 9; 4 workloads each */
    assert_int_equal(a.n_deployments, 19);
    assert_int_equal(a.n_points, 76);
    /* tp 3 and 6 do not divide Llama's 64 heads: (tp 3: pp 1 or 2) + (tp 6: pp 1) = 3 deployments x 4 workloads */
    assert_int_equal(a.count[SR_PLAN_HEADS], 12);
    size_t total = 0;
    for (int k = 0; k < SR_COUNT; k++)
        total += a.count[k];
    assert_int_equal(total, a.n_points);
    /* the same result whatever the thread count */
    assert_int_equal(b.n_points, a.n_points);
    for (size_t i = 0; i < a.n_points; i++) {
        assert_int_equal(a.points[i].reason, b.points[i].reason);
        assert_int_equal(a.points[i].tp, b.points[i].tp);
        assert_memory_equal(a.points[i].f, b.points[i].f, sizeof a.points[i].f);
    }
    search_free(&a);
    search_free(&b);
}

/* Counting sink: every point once, in index order (the reason sequence is compared). */
typedef struct seen {
    size_t n;
    uint8_t reason[4096];
} seen_t;

static int count_sink(void *ctx, const search_point_t *p)
{
    seen_t *s = ctx;
    if (s->n < sizeof s->reason)
        s->reason[s->n] = p->reason;
    s->n++;
    return 0;
}

/* In chunks of 7 points (4 workloads per deployment: one deployment per chunk), keeping only the frontier, the top 5 and a cloud of 10 gives the same
 * frontier and top as keeping everything, as the same points (by global index); the sink
 * sees every point in index order; the cloud is an even stride of the feasible points. */
static void test_bounded_keep_equals_all(void **state)
{
    (void)state;
    search_space_t sp;
    space(&sp);
    sp.chips[2] = 4, sp.chips[3] = 2, sp.n_chips = 4;
    search_result_t all, few;
    diag_t d;
    diag_clear(&d);
    sp.threads = 2;
    assert_int_equal(search_run(&sp, &all, &d), IS_OK);
    assert_int_equal(all.n_stored, all.n_points);
    seen_t seen = {0, {0}};
    sp.keep = (search_keep_t){.fx = F_TOK_S_USER, .fy = F_TOK_S_CHIP, .fobj = F_USD, .top = 5, .cloud = 10};
    sp.chunk_points = 7;
    sp.sink = count_sink;
    sp.sink_ctx = &seen;
    assert_int_equal(search_run(&sp, &few, &d), IS_OK);
    assert_int_equal(few.n_points, all.n_points);
    assert_true(few.n_stored < all.n_points);
    assert_int_equal(seen.n, all.n_points);
    for (size_t i = 0; i < all.n_points; i++)
        assert_int_equal(seen.reason[i], all.points[i].reason);
    for (int k = 0; k < SR_COUNT; k++)
        assert_int_equal(few.count[k], all.count[k]);
    size_t fa[4096], ff[4096], ta[8], tf[8];
    size_t nfa = search_frontier(&all, F_TOK_S_USER, F_TOK_S_CHIP, fa, 4096);
    size_t nff = search_frontier(&few, F_TOK_S_USER, F_TOK_S_CHIP, ff, 4096);
    assert_true(nfa >= 2);
    assert_int_equal(nff, nfa);
    for (size_t i = 0; i < nfa; i++)
        assert_int_equal(few.index[ff[i]], all.index[fa[i]]);
    size_t nta = search_top(&all, F_USD, ta, 5), ntf = search_top(&few, F_USD, tf, 5);
    assert_int_equal(ntf, nta);
    for (size_t i = 0; i < nta; i++)
        assert_int_equal(few.index[tf[i]], all.index[ta[i]]);
    /* the cloud: every kept feasible point that is neither frontier nor top sits on a stride
     * of the feasible ordinals, and there are at most 10 of them plus the others */
    size_t kept_feasible = 0;
    for (size_t i = 0; i < few.n_stored; i++)
        kept_feasible += few.points[i].reason == SR_OK;
    assert_true(kept_feasible <= 10 + nfa + nta);
    assert_true(kept_feasible >= 5);
    search_free(&all);
    search_free(&few);
}

/* A sink that sees every point once and sums what a row would carry. */
static int sum_sink(void *ctx, const search_point_t *p)
{
    *(double *)ctx += p->batch + (p->reason == SR_OK ? p->f[F_TOK_S] : 0);
    return 0;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Memory does not grow with the space: 2.56 million points (10 chunks) peak no higher than
 * 0.85 million (4 chunks) plus a few MB, and under the 200 MB; kept: the frontier,
 * the top 10 and a cloud of at most 20,000.  (Keeping every point would take 80 B x 2.56 M
 * = 205 MB.)  Under AddressSanitizer, whose quarantine holds freed memory, and under
 * ThreadSanitizer (slow), only a small run is made and the kept count checked. */
static void test_memory_is_bounded(void **state)
{
    (void)state;
    search_space_t sp;
    space(&sp);
    load_model("llama-3.1-8b", &M);
    sp.keep = (search_keep_t){.fx = F_TOK_S_USER, .fy = F_TOK_S_CHIP, .fobj = F_TOK_S_CHIP, .top = 10, .cloud = 20000};
    sp.n_chips = 0;
    for (int c = 1; c <= 4; c++)
        sp.chips[sp.n_chips++] = c;   /* tp x pp factorisations: 1 + 3 + 3 + 6 = 13 deployments */
    sp.n_batch = 0;
    for (int b = 1; b <= 4096; b++)
        sp.batch[sp.n_batch++] = b;
    double sum = 0;
    sp.sink = sum_sink;
    sp.sink_ctx = &sum;
    diag_t d;
    diag_clear(&d);
    search_result_t r;
    sp.isl[0] = 1024, sp.n_isl = 1;
    sp.osl[0] = 128, sp.osl[1] = 1024, sp.n_osl = 2;   /* 13 x 8192 = 106,496 points */
    assert_int_equal(search_run(&sp, &r, &d), IS_OK);
    assert_int_equal(r.n_points, 106496);
    assert_true(r.n_stored <= 20000 + 10 + 4096);
    search_free(&r);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    skip();
#endif
    sp.n_isl = 0;   /* 8 ISLs: 13 deployments x 4096 batches x 8 x (2, then 6 OSLs) */
    for (int i = 0; i < 8; i++)
        sp.isl[sp.n_isl++] = 128 << (i % 4);
    for (int o = 0; o < 6; o++)
        sp.osl[o] = 64 << (o % 5);
    sp.n_osl = 2;
    assert_int_equal(search_run(&sp, &r, &d), IS_OK);
    assert_int_equal(r.n_points, (size_t)13 * 4096 * 16);
    search_free(&r);
    long small = peak_rss_kb();
    sp.n_osl = 6;
    sum = 0;
    assert_int_equal(search_run(&sp, &r, &d), IS_OK);
    long big = peak_rss_kb();
    print_message("peak RSS after 0.85 M points %ld kB, after 2.56 M points %ld kB; %zu kept\n", small, big,
                  r.n_stored);
    assert_int_equal(r.n_points, (size_t)13 * 4096 * 48);
    assert_true(sum > 0);
    assert_true(r.n_stored <= 20000 + 10 + 13 * 4096);
    assert_true(big < 200 * 1024);
    assert_true(big - small < 8 * 1024);
    search_free(&r);
}

/* predict's request for a search point of space()'s precisions (fp8 weights, activations, KV) */
static void req_of(predict_req_t *req, const model_t *m, const search_point_t *p, int batch)
{
    predict_req_default(req, m);
    req->cfg.plan = (plan_t){p->chips, p->tp, p->pp, p->ep, p->dp};
    precision_parse("fp8", &req->cfg.weights);
    req->cfg.experts = req->cfg.weights;
    req->cfg.embed = deploy_embed_precision(&req->cfg.weights);
    req->cfg.act = req->cfg.weights;
    precision_parse("fp8", &req->cfg.kv);
    req->isl = (int)p->isl;
    req->osl = (int)p->osl;
    req->batch = batch;
}

static void test_agrees_with_predict(void **state)
{
    (void)state;
    search_space_t sp;
    space(&sp);
    sp.n_chips = 1;
    sp.ttft_max_s = 0.5;
    search_result_t r;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(search_run(&sp, &r, &d), IS_OK);
    int checked = 0;
    for (size_t i = 0; i < r.n_points; i++) {
        const search_point_t *p = &r.points[i];
        if (p->reason != SR_OK && p->reason != SR_TTFT && p->reason != SR_MEMORY)
            continue;
        predict_req_t req;
        req_of(&req, &M, p, sp.batch[i % 4]);
        static predict_result_t pr;
        diag_clear(&d);
        assert_int_equal(predict_run(&M, &S, &req, &pr, &d), IS_OK);
        /* the same numbers (stored as float) */
        assert_close(p->f[F_TTFT], pr.ttft_s, 1e-6);
        assert_close(p->f[F_TPOT], pr.tpot_s, 1e-6);
        assert_close(p->f[F_TOK_S], pr.output_tok_s, 1e-6);
        /* and the SLO filter agrees with predict's TTFT */
        if (pr.fits)
            assert_int_equal(p->reason == SR_TTFT, pr.ttft_s > 0.5);
        checked++;
    }
    assert_true(checked >= 8);
    search_free(&r);
}

/* --expert-slots and --expert-skew reach each deployment with EP, as predict takes them:
 * DeepSeek-R1's 256 experts over 48 GB200s.  Without slots an EP of 48 does not divide the
 * experts, so those plans fail (SR_PLAN_EP); with 288 slots (6 a chip) they run, and every point
 * is predict's with the same cfg.  A skew only slows the EP points (the busiest group waits
 * longer, engine.c step_moe_load); the EP-1 points are the same to the last bit. */
static void test_expert_slots_and_skew(void **state)
{
    (void)state;
    static model_t ds;
    static system_t gb;
    load_model("deepseek-r1", &ds);
    load_system("gb200-nvl72", &gb);
    search_space_t sp;
    space(&sp);
    sp.model = &ds;
    sp.systems[0] = &gb;
    sp.chips[0] = 48;
    sp.n_chips = 1;
    sp.batch[0] = 64;
    sp.n_batch = 1;
    search_result_t r0, r1, r2;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(search_run(&sp, &r0, &d), IS_OK);
    assert_true(r0.count[SR_PLAN_EP] > 0);
    for (size_t i = 0; i < r0.n_points; i++)
        assert_false(r0.points[i].ep == 48 && r0.points[i].reason == SR_OK);
    sp.expert_slots = 288;
    assert_int_equal(search_run(&sp, &r1, &d), IS_OK);
    assert_int_equal(r1.count[SR_PLAN_EP], 0);
    sp.expert_skew = 1.0;
    assert_int_equal(search_run(&sp, &r2, &d), IS_OK);
    assert_int_equal(r1.n_points, r2.n_points);
    int ep48 = 0, slower = 0;
    for (size_t i = 0; i < r1.n_points; i++) {
        const search_point_t *p = &r1.points[i], *q = &r2.points[i];
        if (p->reason != SR_OK)
            continue;
        predict_req_t req;
        req_of(&req, &ds, p, 64);
        req.cfg.expert_slots = p->ep > 1 ? 288 : 0;
        static predict_result_t pr;
        diag_clear(&d);
        assert_int_equal(predict_run(&ds, &gb, &req, &pr, &d), IS_OK);
        assert_close(p->f[F_TPOT], pr.tpot_s, 1e-6);
        assert_close(p->f[F_TOK_S], pr.output_tok_s, 1e-6);
        ep48 += p->ep == 48;
        if (p->ep > 1) {
            assert_true(q->f[F_TPOT] >= p->f[F_TPOT]);
            slower += q->f[F_TPOT] > p->f[F_TPOT];
        } else {
            assert_true(q->f[F_TPOT] == p->f[F_TPOT] && q->f[F_TTFT] == p->f[F_TTFT]);
        }
    }
    print_message("EP 48 points feasible with 288 slots: %d; slower with a skew of 1: %d\n", ep48, slower);
    assert_true(ep48 > 0 && slower > 0);
    search_free(&r0);
    search_free(&r1);
    search_free(&r2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frontier_hand_made),
        cmocka_unit_test(test_frontier_many_points),
        cmocka_unit_test(test_pruning_and_threads),
        cmocka_unit_test(test_bounded_keep_equals_all),
        cmocka_unit_test(test_memory_is_bounded),
        cmocka_unit_test(test_agrees_with_predict),
        cmocka_unit_test(test_expert_slots_and_skew),
    };
    return cmocka_run_group_tests_name("search", tests, NULL, NULL);
}
