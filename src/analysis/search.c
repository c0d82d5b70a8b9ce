/*
 * search.c — enumerate deployments, evaluate workloads in parallel, rank, Pareto (search.h).
 */
#include "search.h"

#include "../core/interrupt.h"

#include "cost.h"
#include "disagg.h"
#include "predict.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef INFERSIM_MPI
#include <mpi.h>
#endif

/* This process's rank and the number of ranks (0 of 1 without MPI, or before MPI_Init). */
static void mpi_world(int *rank, int *ranks)
{
    *rank = 0;
    *ranks = 1;
#ifdef INFERSIM_MPI
    int init = 0;
    MPI_Initialized(&init);
    if (init) {
        MPI_Comm_rank(MPI_COMM_WORLD, rank);
        MPI_Comm_size(MPI_COMM_WORLD, ranks);
    }
#endif
}

int search_rank(void)
{
    int r, n;
    mpi_world(&r, &n);
    return r;
}

int search_ranks(void)
{
    int r, n;
    mpi_world(&r, &n);
    return n;
}

const char *const search_reason_names[SR_COUNT] = {
#define X(e, s) s,
    SEARCH_REASONS(X)
#undef X
};
const char *const search_field_names[F_COUNT] = {
#define X(e, s, d) s,
    SEARCH_FIELDS(X)
#undef X
};
const int search_field_sense[F_COUNT] = {
#define X(e, s, d) d,
    SEARCH_FIELDS(X)
#undef X
};

int search_field_by_name(const char *name)
{
    for (int i = 0; i < F_COUNT; i++)
        if (!strcmp(name, search_field_names[i]))
            return i;
    return -1;
}

/* One deployment of the space. */
typedef struct dspec {
    uint16_t system, chips, tp, pp, ep, dp;
    uint8_t w, kv;
} dspec_t;

typedef struct job {
    const search_space_t *sp;
    const dspec_t *deps;
    size_t n_deps, per_dep;      /* workloads per deployment */
    size_t lo, hi;               /* this rank's deployments of the current chunk [lo, hi) */
    size_t base;                 /* the chunk's first deployment: points[0] is its first point */
    search_point_t *points;
    atomic_size_t next, done;
    size_t count[64][SR_COUNT];   /* per worker, merged at the end */
} job_t;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static search_reason_t plan_reason(const diag_t *d)
{
    /* a prefill instance's plan fails for the same reasons (its flags are --prefill-...) */
    char f[sizeof d->field + 2];
    const int pre = !strncmp(d->field, "--prefill-", 10);
    snprintf(f, sizeof f, "%s%s", pre ? "--" : "", pre ? d->field + 10 : d->field);
    if (!strcmp(f, "--tp"))
        return strstr(d->message, "KV heads") ? SR_PLAN_KV : SR_PLAN_HEADS;
    if (!strcmp(f, "--ep"))
        return SR_PLAN_EP;
    if (!strcmp(f, "--pp"))
        return SR_PLAN_PP;
    if (!strcmp(f, "interconnect"))
        return SR_PLAN_DOMAIN;
    return SR_PLAN_OTHER;
}

static void cfg_of(const search_space_t *sp, const dspec_t *ds, deploy_cfg_t *c)
{
    deploy_cfg_default(c, sp->model);
    c->plan = (plan_t){ds->chips, ds->tp, ds->pp, ds->ep, ds->dp};
    c->weights = sp->weights[ds->w];
    c->experts = c->weights;
    c->embed = deploy_embed_precision(&c->weights);
    compute_class_t wc = c->weights.cc;
    if (wc == CC_FP8 || wc == CC_INT8 || wc == CC_FP4)
        c->act = c->weights;
    c->kv = sp->kv[ds->kv];
    if (ds->ep > 1) { /* a balancer's copies and the routing's skew belong to an EP group */
        c->expert_skew = sp->expert_skew;
        c->expert_slots = sp->expert_slots;
    }
}

typedef struct worker {
    job_t *job;
    int id;
    deploy_t *dep;
    predict_result_t *pr;
    disagg_result_t *dis;   /* disaggregated spaces only */
    predict_memo_t *memo;   /* prefill steps of the current deployment */
} worker_t;

/* The constraints, in the order they are checked: the first a point fails names it. */
static search_reason_t verdict(const search_space_t *sp, int fits, double ttft, double tpot, int known, double power,
                               double usd, double chips)
{
    if (sp->chips_max > 0 && chips > sp->chips_max)
        return SR_CHIPS;
    if (!fits)
        return SR_MEMORY;
    if (sp->ttft_max_s > 0 && ttft > sp->ttft_max_s)
        return SR_TTFT;
    if (sp->tpot_max_s > 0 && tpot > sp->tpot_max_s)
        return SR_TPOT;
    if (sp->power_max_w > 0 && !(known && power <= sp->power_max_w))
        return SR_POWER;
    if (sp->usd_per_mtok_max > 0 && !(known && usd <= sp->usd_per_mtok_max))
        return SR_COST;
    return SR_OK;
}

/* A point's design: its deployment and workload (the batch as asked; outputs fill the rest). */
static void point_design(search_point_t *p, const dspec_t *ds, int isl, int osl, int batch)
{
    memset(p, 0, sizeof *p);
    p->system = ds->system;
    p->chips = ds->chips;
    p->tp = ds->tp;
    p->pp = ds->pp;
    p->ep = ds->ep;
    p->dp = ds->dp;
    p->weights = ds->w;
    p->kv = ds->kv;
    p->isl = (uint32_t)isl;
    p->osl = (uint32_t)osl;
    p->batch = (uint32_t)batch;
    p->f[F_CHIPS] = ds->chips;
}

/* A point's outputs; the cost fields are NAN when the system lacks power data. */
static void point_outputs(search_point_t *p, double ttft, double tpot, double e2e, double tok, double user,
                          double chip, int known, double usd, double joules, double grams, double power)
{
    p->f[F_TTFT] = (float)ttft;
    p->f[F_TPOT] = (float)tpot;
    p->f[F_E2E] = (float)e2e;
    p->f[F_TOK_S] = (float)tok;
    p->f[F_TOK_S_USER] = (float)user;
    p->f[F_TOK_S_CHIP] = (float)chip;
    p->f[F_USD] = known ? (float)usd : NAN;
    p->f[F_J] = known ? (float)joules : NAN;
    p->f[F_G] = known ? (float)grams : NAN;
    p->f[F_POWER] = known ? (float)power : NAN;
}

/* A disaggregated deployment's points: per workload and prefill instance size, the pools
 * once, then every pair of instance counts. */
static void eval_disagg(worker_t *w, size_t di, const deploy_cfg_t *cfg)
{
    job_t *j = w->job;
    const search_space_t *sp = j->sp;
    const dspec_t *ds = &j->deps[di];
    const system_t *s = sp->systems[ds->system];
    search_point_t *pts = j->points + (di - j->base) * j->per_dep;
    size_t *count = j->count[w->id];
    disagg_result_t *r = w->dis;
    size_t k = 0;
    for (int a = 0; a < sp->n_isl; a++)
        for (int b = 0; b < sp->n_osl; b++)
            for (int c = 0; c < sp->n_batch; c++)
                for (int q = 0; q < sp->n_pchips; q++) {
                    predict_req_t req;
                    memset(&req, 0, sizeof req);
                    req.cfg = *cfg;
                    req.batch = sp->batch[c];
                    req.isl = sp->isl[a];
                    req.osl = sp->osl[b];
                    req.prefill_chunk = PREDICT_PREFILL_CHUNK;
                    plan_t pp = {sp->pchips[q], sp->pchips[q], 1, 1, 1};
                    diag_t d;
                    diag_clear(&d);
                    status_t st = disagg_pools(sp->model, s, &req, &pp, r, &d);
                    search_reason_t bad = st == IS_OK ? SR_OK : plan_reason(&d);
                    for (int u = 0; u < sp->n_pinst; u++)
                        for (int v = 0; v < sp->n_dinst; v++, k++) {
                            search_point_t *p = &pts[k];
                            point_design(p, ds, req.isl, req.osl, req.batch);
                            p->pchips = (uint16_t)pp.chips;
                            p->pinst = (uint16_t)sp->pinst[u];
                            p->dinst = (uint16_t)sp->dinst[v];
                            p->f[F_CHIPS] = (float)(sp->pinst[u] * pp.chips + sp->dinst[v] * ds->chips);
                            disagg_req_t dq = {pp, sp->pinst[u], sp->dinst[v]};
                            search_reason_t why = bad;
                            if (why == SR_OK && disagg_combine(s, sp->site, &dq, r, &d) != IS_OK)
                                why = plan_reason(&d);
                            if (why != SR_OK) {
                                p->reason = (uint8_t)why;
                                count[why]++;
                                continue;
                            }
                            p->batch = (uint32_t)r->decode.batch;
                            point_outputs(p, r->ttft_s, r->tpot_s, r->e2e_s, r->output_tok_s, r->output_tok_s_per_user,
                                          r->output_tok_s_per_chip, r->cost_known, r->usd_per_mtok_output,
                                          r->energy_j_per_token, r->gco2e_per_mtok, r->wall_power_W);
                            why = verdict(sp, r->fits, r->ttft_s, r->tpot_s, r->cost_known, r->wall_power_W,
                                          r->usd_per_mtok_output, p->f[F_CHIPS]);
                            p->reason = (uint8_t)why;
                            count[why]++;
                        }
                }
}

static void eval_deployment(worker_t *w, size_t di)
{
    job_t *j = w->job;
    const search_space_t *sp = j->sp;
    const dspec_t *ds = &j->deps[di];
    const system_t *s = sp->systems[ds->system];
    search_point_t *pts = j->points + (di - j->base) * j->per_dep;
    size_t *count = j->count[w->id];
    deploy_cfg_t cfg;
    cfg_of(sp, ds, &cfg);
    if (sp->n_pchips > 0) {
        eval_disagg(w, di, &cfg);
        return;
    }
    diag_t d;
    diag_clear(&d);
    status_t st = deploy_setup(w->dep, sp->model, s, &cfg, &d);
    predict_memo_reset(w->memo);
    search_reason_t bad = st == IS_OK ? SR_OK : plan_reason(&d);
    size_t k = 0;
    for (int a = 0; a < sp->n_isl; a++)
        for (int b = 0; b < sp->n_osl; b++) {
            int max_r = -1;
            if (bad == SR_OK)
                max_r = predict_max_batch(w->dep, (double)sp->isl[a] + sp->osl[b], PREDICT_PREFILL_CHUNK, sp->isl[a]);
            for (int c = 0; c < sp->n_batch; c++, k++) {
                search_point_t *p = &pts[k];
                point_design(p, ds, sp->isl[a], sp->osl[b], sp->batch[c]);
                if (bad != SR_OK) {
                    p->reason = (uint8_t)bad;
                    count[bad]++;
                    continue;
                }
                predict_req_t req;
                memset(&req, 0, sizeof req);
                req.cfg = cfg;
                req.batch = sp->batch[c];
                req.isl = sp->isl[a];
                req.osl = sp->osl[b];
                req.prefill_chunk = PREDICT_PREFILL_CHUNK;
                req.memo = w->memo;
                predict_eval(w->dep, &req, max_r, 0, w->pr, NULL);
                const predict_result_t *r = w->pr;
                cost_result_t cr;
                cost_compute(r, &req, s, sp->site, &cr, NULL);
                p->batch = (uint32_t)r->batch;
                p->steady = (uint8_t)r->steady;
                point_outputs(p, r->ttft_s, r->tpot_s, r->e2e_s, r->output_tok_s, r->output_tok_s_per_user,
                              r->output_tok_s_per_chip, cr.known, cr.usd_per_mtok_output, cr.energy_j_per_token,
                              cr.gco2e_per_mtok, cr.wall_power_W);
                search_reason_t why = verdict(sp, r->fits, r->ttft_s, r->tpot_s, cr.known, cr.wall_power_W,
                                              cr.usd_per_mtok_output, ds->chips);
                p->reason = (uint8_t)why;
                count[why]++;
            }
        }
}

static void *worker_main(void *v)
{
    worker_t *w = v;
    job_t *j = w->job;
    for (;;) {
        if (interrupt_requested())
            break;
        size_t di = j->lo + atomic_fetch_add(&j->next, 1);
        if (di >= j->hi)
            break;
        eval_deployment(w, di);
        atomic_fetch_add(&j->done, 1);
    }
    return NULL;
}

/* Divisors of n in increasing order; returns their count. */
static int divisors(int n, int *out, int max)
{
    int k = 0;
    for (int i = 1; i <= n && k < max; i++)
        if (n % i == 0)
            out[k++] = i;
    return k;
}

static void progress(const job_t *j, double t0, int final)
{
    size_t done = atomic_load(&j->done);
    double f = j->n_deps ? (double)done / j->n_deps : 1;
    double el = now() - t0, eta = f > 0 ? el * (1 - f) / f : 0;
    int bar = (int)(30 * f);
    fprintf(stderr, "\r[%.*s%*s] %3.0f%%  %zu of %zu deployments  %.1f s, ETA %.1f s%s", bar,
            "==============================", 30 - bar, "", 100 * f, done, j->n_deps, el, final ? 0.0 : eta,
            final ? "\n" : "");
    fflush(stderr);
}

/* ---- what a search keeps ---- */

enum { KEEP_FRONT = 1, KEEP_TOP = 2, KEEP_CLOUD = 4, KEEP_ALL = 8 };

/* The points kept so far, in index order, with each one's ordinal among the feasible
 * points (for the cloud's stride) and why it is kept. */
typedef struct retain {
    const search_keep_t *k;
    search_point_t *p;
    uint64_t *q, *gi;         /* feasible ordinal; index among all points */
    uint8_t *why;
    size_t n, cap;
    uint64_t feasible, stride; /* feasible points seen; the cloud keeps ordinals q % stride == 0 */
} retain_t;

static int retain_grow(retain_t *rt, size_t need)
{
    if (need <= rt->cap)
        return 0;
    size_t cap = (need | 65535) + 1; /* what is needed, in steps of 64 k: the arrays stay near a chunk's size */
    search_point_t *p = realloc(rt->p, sizeof *p * cap);
    if (p)
        rt->p = p;
    uint64_t *q = realloc(rt->q, sizeof *q * cap);
    if (q)
        rt->q = q;
    uint64_t *gi = realloc(rt->gi, sizeof *gi * cap);
    if (gi)
        rt->gi = gi;
    uint8_t *w = realloc(rt->why, cap);
    if (w)
        rt->why = w;
    if (!p || !q || !gi || !w)
        return -1;
    rt->cap = cap;
    return 0;
}

/* Mark the points of rt (as a result) that search_frontier / search_top return. */
static int retain_mark(retain_t *rt, int frontier, uint8_t flag)
{
    const search_keep_t *k = rt->k;
    search_result_t view = {.n_points = rt->n, .n_stored = rt->n, .points = rt->p};
    size_t max = frontier ? rt->n + 1 : k->top;
    if (max == 0)
        return 0;
    size_t *idx = malloc(sizeof *idx * (max + 1));
    if (!idx)
        return -1;
    size_t m = frontier ? search_frontier(&view, k->fx, k->fy, idx, max) : search_top(&view, k->fobj, idx, max);
    if (m == SEARCH_NOMEM) {
        free(idx);
        return -1;
    }
    for (size_t i = 0; i < m; i++)
        rt->why[idx[i]] |= flag;
    free(idx);
    return 0;
}

/* Take one chunk of points (in index order, after every point taken before): keep all of
 * them, or the frontier, the top and the cloud of what was kept and these. */
static int retain_chunk(retain_t *rt, const search_point_t *pts, size_t n, uint64_t base)
{
    const search_keep_t *k = rt->k;
    if (k->all) {
        if (retain_grow(rt, rt->n + n))
            return -1;
        memcpy(rt->p + rt->n, pts, sizeof *pts * n);
        memset(rt->why + rt->n, KEEP_ALL, n);
        for (size_t i = 0; i < n; i++) {
            rt->q[rt->n + i] = 0;
            rt->gi[rt->n + i] = base + i;
        }
        rt->n += n;
        return 0;
    }
    size_t feas = 0;
    for (size_t i = 0; i < n; i++)
        feas += pts[i].reason == SR_OK;
    if (retain_grow(rt, rt->n + feas))
        return -1;
    size_t old = rt->n;
    for (size_t i = 0; i < n; i++) {
        if (pts[i].reason != SR_OK)
            continue;
        uint64_t q = rt->feasible++;
        rt->p[rt->n] = pts[i];
        rt->q[rt->n] = q;
        rt->gi[rt->n] = base + i;
        rt->why[rt->n++] = k->cloud && q % rt->stride == 0 ? KEEP_CLOUD : 0;
    }
    if (rt->n == old)
        return 0;
    for (size_t i = 0; i < old; i++)
        rt->why[i] &= KEEP_CLOUD; /* the frontier and the top are recomputed over all kept */
    if (retain_mark(rt, 1, KEEP_FRONT) || retain_mark(rt, 0, KEEP_TOP))
        return -1;
    /* the cloud: at most k->cloud points, every stride-th feasible point */
    size_t in_cloud = 0;
    for (size_t i = 0; i < rt->n; i++)
        in_cloud += (rt->why[i] & KEEP_CLOUD) != 0;
    while (in_cloud > k->cloud) {
        rt->stride *= 2;
        in_cloud = 0;
        for (size_t i = 0; i < rt->n; i++)
            if (rt->why[i] & KEEP_CLOUD) {
                if (rt->q[i] % rt->stride)
                    rt->why[i] &= (uint8_t)~KEEP_CLOUD;
                else
                    in_cloud++;
            }
    }
    size_t m = 0;
    for (size_t i = 0; i < rt->n; i++)
        if (rt->why[i]) {
            rt->p[m] = rt->p[i];
            rt->q[m] = rt->q[i];
            rt->gi[m] = rt->gi[i];
            rt->why[m++] = rt->why[i];
        }
    rt->n = m;
    return 0;
}

/* Most points evaluated between two looks at what to keep (21 MB of points). */
#define SEARCH_CHUNK_POINTS ((size_t)1 << 18)
/* Most workloads of one deployment (a chunk holds at least one deployment). */
#define SEARCH_MAX_PER_DEPLOYMENT ((size_t)1 << 23)
/* Most points kept with keep.all. */
#define SEARCH_MAX_ALL ((size_t)200000000)

status_t search_run(const search_space_t *sp, search_result_t *r, diag_t *d)
{
    memset(r, 0, sizeof *r);
    if (sp->n_systems < 1 || sp->n_chips < 1 || sp->n_weights < 1 || sp->n_kv < 1 || sp->n_isl < 1 || sp->n_osl < 1 ||
        sp->n_batch < 1)
        return diag_error(d, NULL, 0, 0, NULL, "the search space is empty: every dimension needs at least one value");
    const model_t *m = sp->model;
    /* enumerate deployments: count, then fill */
    size_t n = 0, cap = 1024;
    dspec_t *deps = malloc(sizeof *deps * cap);
    if (!deps)
        return diag_error(d, NULL, 0, 0, NULL, "out of memory");
    for (int si = 0; si < sp->n_systems; si++)
        for (int ci = 0; ci < sp->n_chips; ci++) {
            int c = sp->chips[ci], tps[256], ntp = divisors(c, tps, 256);
            for (int a = 0; a < ntp; a++) {
                int rest = c / tps[a], pps[256], npp = divisors(rest, pps, 256);
                for (int b = 0; b < npp; b++) {
                    int tp = tps[a], pp = pps[b], dp = rest / pp;
                    int eps[3] = {1, tp, tp * dp}, nep = m->n_experts > 0 ? 3 : 1;
                    for (int e = 0; e < nep; e++) {
                        if (e > 0 && (eps[e] == 1 || eps[e] == eps[e - 1] || (e == 2 && eps[2] == eps[0])))
                            continue;
                        for (int w = 0; w < sp->n_weights; w++)
                            for (int k = 0; k < sp->n_kv; k++) {
                                if (n == cap) {
                                    cap *= 2;
                                    dspec_t *nd = realloc(deps, sizeof *deps * cap);
                                    if (!nd) {
                                        free(deps);
                                        return diag_error(d, NULL, 0, 0, NULL, "out of memory");
                                    }
                                    deps = nd;
                                }
                                deps[n++] = (dspec_t){(uint16_t)si, (uint16_t)c, (uint16_t)tp, (uint16_t)pp,
                                                      (uint16_t)eps[e], (uint16_t)dp, (uint8_t)w, (uint8_t)k};
                            }
                    }
                }
            }
        }
    size_t per = (size_t)sp->n_isl * sp->n_osl * sp->n_batch;
    if (sp->n_pchips > 0) {
        if (sp->model->diffusion) {
            free(deps);
            return diag_error(d, NULL, 0, 0, "prefill_chips",
                              "%s is a masked-diffusion model: every denoising step reruns the prompt, so there is no "
                              "prefill to disaggregate", sp->model->name);
        }
        if (sp->n_pinst < 1 || sp->n_dinst < 1) {
            free(deps);
            return diag_error(d, NULL, 0, 0, NULL, "a disaggregated search needs prefill and decode instance counts");
        }
        per *= (size_t)sp->n_pchips * sp->n_pinst * sp->n_dinst;
    }
    if (per > SEARCH_MAX_PER_DEPLOYMENT) {
        free(deps);
        return diag_error(d, NULL, 0, 0, NULL,
                          "each deployment has %zu workloads, more than %zu: narrow the lengths, batches or pool sizes",
                          per, SEARCH_MAX_PER_DEPLOYMENT);
    }
    if (sp->keep.all && n > 0 && per > SEARCH_MAX_ALL / n) {
        free(deps);
        return diag_error(d, NULL, 0, 0, NULL, "the space holds %zu x %zu points, more than %zu to keep in memory: narrow "
                          "a range", n, per, SEARCH_MAX_ALL);
    }
    r->n_points = n * per;
    r->n_deployments = n;
    size_t chunk = sp->chunk_points ? sp->chunk_points : SEARCH_CHUNK_POINTS;
    size_t cd = per >= chunk ? 1 : chunk / per; /* deployments per chunk */
    search_point_t *buf = malloc(sizeof *buf * ((cd < n ? cd : n) * per + 1));
    retain_t rt = {.k = &sp->keep, .stride = 1};
    job_t *j = calloc(1, sizeof *j);
    int nt = sp->threads;
    if (nt <= 0) {
        long on = sysconf(_SC_NPROCESSORS_ONLN);
        nt = on > 0 ? (int)on : 1;
    }
    if (nt > 64)
        nt = 64;
    worker_t wk[64];
    pthread_t tid[64];
    if (!j || !buf)
        goto nomem;
    j->sp = sp;
    j->deps = deps;
    j->n_deps = n;
    j->per_dep = per;
    j->points = buf;
    const int rank = search_rank(), ranks = search_ranks();
    for (int i = 0; i < nt; i++) {
        wk[i].job = j;
        wk[i].id = i;
        wk[i].dep = malloc(sizeof(deploy_t));
        wk[i].pr = malloc(sizeof(predict_result_t));
        wk[i].dis = sp->n_pchips > 0 ? malloc(sizeof(disagg_result_t)) : NULL;
        wk[i].memo = malloc(sizeof(predict_memo_t));
        if (!wk[i].dep || !wk[i].pr || !wk[i].memo || (sp->n_pchips > 0 && !wk[i].dis)) {
            free(wk[i].dep);
            free(wk[i].pr);
            free(wk[i].dis);
            free(wk[i].memo);
            nt = i;
            break;
        }
    }
    if (nt == 0)
        goto nomem;
    double t0 = now(), drawn = 0;
    int show = sp->progress && isatty(2) && rank == 0, failed = 0, sink_stop = 0;
    size_t a = 0;
    for (; a < n; a += cd) {
        /* one chunk: its deployments split over the ranks, each rank's over its threads */
        size_t b = a + cd < n ? a + cd : n;
        j->base = a;
        j->lo = a + (b - a) * (size_t)rank / (size_t)ranks;
        j->hi = a + (b - a) * (size_t)(rank + 1) / (size_t)ranks;
        atomic_store(&j->next, 0);
        int started = 0;
        for (int i = 1; i < nt && (size_t)i < j->hi - j->lo; i++)
            if (pthread_create(&tid[i], NULL, worker_main, &wk[i]) == 0)
                started = i;
            else
                break;
        worker_main(&wk[0]);
        for (int i = 1; i <= started; i++)
            pthread_join(tid[i], NULL);
        int stop = interrupt_requested();
#ifdef INFERSIM_MPI
        if (ranks > 1) {
            /* rank 0 gathers the chunk in index order */
            int *cnt = malloc(sizeof(int) * (size_t)ranks * 2);
            if (!cnt) {
                failed = 1;
            } else {
                int *disp = cnt + ranks;
                for (int q = 0; q < ranks; q++) {
                    size_t qa = a + (b - a) * (size_t)q / (size_t)ranks, qb = a + (b - a) * (size_t)(q + 1) / (size_t)ranks;
                    cnt[q] = (int)((qb - qa) * per * sizeof(search_point_t));
                    disp[q] = (int)((qa - a) * per * sizeof(search_point_t));
                }
                if (rank == 0)
                    MPI_Gatherv(MPI_IN_PLACE, cnt[0], MPI_BYTE, buf, cnt, disp, MPI_BYTE, 0, MPI_COMM_WORLD);
                else
                    MPI_Gatherv(buf + (j->lo - a) * per, cnt[rank], MPI_BYTE, NULL, NULL, NULL, MPI_BYTE, 0,
                                MPI_COMM_WORLD);
                free(cnt);
            }
        }
#endif
        if (rank == 0 && !stop && !failed) {
            size_t np = (b - a) * per;
            if (sp->sink)
                for (size_t i = 0; i < np && !sink_stop; i++)
                    sink_stop = sp->sink(sp->sink_ctx, &buf[i]);
            if (!sink_stop && retain_chunk(&rt, buf, np, (uint64_t)a * per))
                failed = 1;
        }
        stop |= failed | sink_stop;
#ifdef INFERSIM_MPI
        if (ranks > 1) {
            int any = 0;
            MPI_Allreduce(&stop, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
            stop = any;
        }
#endif
        if (show && (now() - drawn > 0.1 || b == n)) {
            progress(j, t0, 0);
            drawn = now();
        }
        if (stop)
            break;
    }
    if (show)
        progress(j, t0, 1);
    for (int i = 0; i < nt; i++)
        for (int k = 0; k < SR_COUNT; k++)
            r->count[k] += j->count[i][k];
#ifdef INFERSIM_MPI
    if (ranks > 1) {
        unsigned long long c[SR_COUNT], total[SR_COUNT];
        for (int k = 0; k < SR_COUNT; k++)
            c[k] = r->count[k];
        MPI_Reduce(c, total, SR_COUNT, MPI_UNSIGNED_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
        if (rank == 0)
            for (int k = 0; k < SR_COUNT; k++)
                r->count[k] = (size_t)total[k];
    }
#endif
    r->wall_s = now() - t0;
    r->points_per_s = r->wall_s > 0 ? r->n_points / r->wall_s : 0;
    for (int i = 0; i < nt; i++) {
        free(wk[i].dep);
        free(wk[i].pr);
        free(wk[i].dis);
        free(wk[i].memo);
    }
    free(buf);
    free(rt.q);
    free(rt.why);
    r->points = rt.p;
    r->index = rt.gi;
    r->n_stored = rt.n;
    if (failed) {
        free(j);
        free(deps);
        search_free(r);
        return diag_error(d, NULL, 0, 0, NULL, "out of memory");
    }
    if (a < n) {
        size_t done = atomic_load(&j->done);
        status_t st = sink_stop ? IS_ERR_IO : IS_INTERRUPTED;
        if (sink_stop)
            diag_error(d, NULL, 0, 0, NULL, "the sink stopped the search after %zu of %zu deployments", done,
                       j->n_deps);
        else
            diag_error(d, NULL, 0, 0, NULL, "interrupted after %zu of %zu deployments (%.0f%%) in %.1f s", done,
                       j->n_deps, j->n_deps ? 100.0 * done / j->n_deps : 0, r->wall_s);
        free(j);
        free(deps);
        search_free(r);
        return st;
    }
    free(j);
    free(deps);
    return IS_OK;
nomem:
    free(j);
    free(deps);
    free(buf);
    return diag_error(d, NULL, 0, 0, NULL, "out of memory");
}

void search_free(search_result_t *r)
{
    free(r->points);
    free(r->index);
    r->points = NULL;
    r->index = NULL;
    r->n_stored = 0;
}

/* ---- ranking ---- */

typedef struct sort_ctx {
    const search_point_t *p;
    int fx, fy;
} sort_ctx_t;

static _Thread_local sort_ctx_t sctx;

/* better-first on fx, then on fy, then by index */
static int cmp_frontier(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, k = *(const size_t *)b;
    double xi = search_field_sense[sctx.fx] * sctx.p[i].f[sctx.fx], xk = search_field_sense[sctx.fx] * sctx.p[k].f[sctx.fx];
    if (xi != xk)
        return xi > xk ? -1 : 1;
    double yi = search_field_sense[sctx.fy] * sctx.p[i].f[sctx.fy], yk = search_field_sense[sctx.fy] * sctx.p[k].f[sctx.fy];
    if (yi != yk)
        return yi > yk ? -1 : 1;
    return i < k ? -1 : i > k;
}

/* Drops, before the sort, points that cannot be on the frontier: the frontier of an evenly
 * strided sample gives anchors, and a point is dropped when an anchor comes before it in the
 * sort order with a y at least as good (the sweep would drop it too).  Anchors stay, so the
 * frontier of what remains is the frontier of all.  The sample frontier's y rises along
 * the sort order: the last anchor before a point has the best y of those before it.
 * sctx must be set.  Returns the number of candidates left in idx. */
static size_t frontier_candidates(const search_result_t *r, search_field_t fy, size_t *idx, size_t n)
{
    enum { SAMPLE = 2048 };
    if (n <= 2 * SAMPLE)
        return n;
    size_t smp[SAMPLE], anc[SAMPLE];
    size_t stride = n / SAMPLE;
    for (size_t j = 0; j < SAMPLE; j++)
        smp[j] = idx[j * stride];
    qsort(smp, SAMPLE, sizeof *smp, cmp_frontier);
    size_t k = 0;
    double best = -INFINITY;
    for (size_t j = 0; j < SAMPLE; j++) {
        double y = search_field_sense[fy] * r->points[smp[j]].f[fy];
        if (y > best) {
            best = y;
            anc[k++] = smp[j];
        }
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t lo = 0, hi = k; /* anchors before idx[i] in the sort order: anc[0 .. lo) */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (cmp_frontier(&anc[mid], &idx[i]) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo > 0 && search_field_sense[fy] * r->points[anc[lo - 1]].f[fy] >= search_field_sense[fy] * r->points[idx[i]].f[fy])
            continue;
        idx[m++] = idx[i];
    }
    return m;
}

/* The feasible points whose fields fa and fb are finite, as a malloc'd index list (NULL when
 * memory runs out); their count in *n. */
static size_t *feasible(const search_result_t *r, search_field_t fa, search_field_t fb, size_t *n)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n_stored; i++)
        if (r->points[i].reason == SR_OK && isfinite(r->points[i].f[fa]) && isfinite(r->points[i].f[fb]))
            k++;
    size_t *idx = malloc(sizeof *idx * (k + 1));
    if (!idx)
        return NULL;
    k = 0;
    for (size_t i = 0; i < r->n_stored; i++)
        if (r->points[i].reason == SR_OK && isfinite(r->points[i].f[fa]) && isfinite(r->points[i].f[fb]))
            idx[k++] = i;
    *n = k;
    return idx;
}

size_t search_frontier(const search_result_t *r, search_field_t fx, search_field_t fy, size_t *out, size_t max)
{
    size_t nf;
    size_t *idx = feasible(r, fx, fy, &nf);
    if (!idx)
        return SEARCH_NOMEM;
    sctx = (sort_ctx_t){r->points, fx, fy};
    nf = frontier_candidates(r, fy, idx, nf);
    qsort(idx, nf, sizeof *idx, cmp_frontier);
    /* sweep from the best x: keep a point when its y beats every point with a better x */
    size_t k = 0;
    double best = -INFINITY;
    for (size_t i = 0; i < nf; i++) {
        double y = search_field_sense[fy] * r->points[idx[i]].f[fy];
        if (y > best) {
            best = y;
            if (k < max)
                out[k] = idx[i];
            k++;
        }
    }
    free(idx);
    return k < max ? k : max;
}

size_t search_top(const search_result_t *r, search_field_t f, size_t *out, size_t n)
{
    size_t nf;
    size_t *idx = feasible(r, f, f, &nf);
    if (!idx)
        return SEARCH_NOMEM;
    sctx = (sort_ctx_t){r->points, f, f};
    size_t k = 0;
    if (n > 4096) {
        qsort(idx, nf, sizeof *idx, cmp_frontier);
        k = nf < n ? nf : n;
        memcpy(out, idx, sizeof *idx * k);
    } else {
        /* keep the best n in order: most points lose to the current n-th and cost one compare */
        for (size_t i = 0; i < nf && n > 0; i++) {
            if (k == n && cmp_frontier(&idx[i], &out[k - 1]) >= 0)
                continue;
            size_t lo = 0, hi = k;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (cmp_frontier(&out[mid], &idx[i]) < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            size_t move = (k < n ? k : n - 1) - lo;
            memmove(&out[lo + 1], &out[lo], move * sizeof *out);
            out[lo] = idx[i];
            if (k < n)
                k++;
        }
    }
    free(idx);
    return k;
}
