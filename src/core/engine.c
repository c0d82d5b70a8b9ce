/*
 * engine.c — step cost: the inner loop of every analysis (see engine.h).
 *
 * Layout: step_add() turns sequences into per-class aggregates (done by callers,
 * outside the hot loop when they can); engine_step() walks the handful of layer
 * classes and their ~10 operators once, then scales by the layer counts.
 */
#include "engine.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void step_clear(step_t *s)
{
    memset(s, 0, sizeof *s);
}

/* Cached keys the last of q new tokens after ctx cached ones attends to (a window caps it). */
static double keys_seen(double ctx, double q, int window)
{
    double seen = ctx + q;
    return window > 0 && seen > window ? window : seen;
}

void step_add(step_t *s, const model_t *m, double n, double q, double ctx)
{
    if (n <= 0 || q <= 0)
        return;
    s->tokens += n * q;
    s->lm_tokens += n;
    s->seqs += n;
    for (int c = 0; c < m->n_classes; c++) {
        int w = m->classes[c].window;
        double seen = keys_seen(ctx, q, w);
        s->kv_read[c] += n * seen;
        if (s->prefix > 0) {
            /* the part of the window [ctx + q - seen, ctx + q) inside the prefix [0, prefix) */
            double lo = ctx + q - seen, hi = s->prefix < ctx + q ? s->prefix : ctx + q;
            if (hi > lo) {
                s->prefix_read[c] += n * (hi - lo);
                if (hi - lo > s->prefix_span[c])
                    s->prefix_span[c] = hi - lo;
            }
        }
        double pairs = n * attn_pairs(q, ctx, w);
        if (q == 1.0)
            s->pairs_dec[c] += pairs;
        else
            s->pairs_pre[c] += pairs;
    }
}

void step_add_bidir(step_t *s, const model_t *m, double n, double q, double ctx, double lm)
{
    if (n <= 0 || q <= 0)
        return;
    s->tokens += n * q;
    s->lm_tokens += n * lm;
    s->seqs += n;
    for (int c = 0; c < m->n_classes; c++) {
        double seen = keys_seen(ctx, q, m->classes[c].window);
        s->kv_read[c] += n * seen;
        s->pairs_pre[c] += n * q * seen; /* every query attends every key it sees, both ways */
    }
}

double engine_experts_touched(int n_experts, int top_k, double tokens)
{
    if (n_experts <= 0)
        return 0.0;
    if (top_k >= n_experts)
        return tokens > 0 ? 1.0 : 0.0;
    return -expm1(tokens * log1p(-(double)top_k / n_experts));
}

/* A step's MoE load on the busiest expert group, which the group-wide collectives wait for.  Routing
 * spreads the EP group's assignments over its ep expert groups; with top_k distinct experts per
 * token, a group's count has mean tokens x top_k / ep and variance tokens x moe_group_var, and the
 * busiest of ep is about moe_max_z standard deviations above the mean (normal approximation; at
 * most all of them).  Experts of unequal popularity (expert_skew) add a variance of mean^2 x
 * moe_skew_var, which does not shrink with the batch. */
typedef struct moe_load {
    double f;            /* busiest group's assignments over the mean group's (1 without EP) */
    double touched;      /* fraction of the busiest group's experts at least one token routes to */
    double touched_mean; /* ... of the mean group's: what the counts (bytes, FLOPs) take */
} moe_load_t;

static inline moe_load_t step_moe_load(const deploy_t *dep, double tokens)
{
    moe_load_t L = {1.0, 0.0, 0.0};
    if (dep->model->n_experts <= 0)
        return L;
    const double group_tokens = tokens * dep->moe_token_factor;
    if (dep->moe_max_z > 0 && group_tokens > 0) {
        const double ep = dep->cfg.plan.ep, mean = group_tokens * dep->model->top_k / ep;
        L.f = 1.0 + dep->moe_max_z * sqrt(group_tokens * dep->moe_group_var + mean * mean * dep->moe_skew_var) / mean;
        if (L.f > ep)
            L.f = ep;
    }
    L.touched_mean = -expm1(group_tokens * dep->moe_keep_log);
    L.touched = L.f == 1.0 ? L.touched_mean : -expm1(group_tokens * L.f * dep->moe_keep_log);
    return L;
}

/* Time of one compute op; adds its breakdown (times `mult` layers) to out. */
static inline double op_compute(const deploy_t *dep, const placement_t *pl, const op_entry_t *o,
                                const step_t *s, int c, const moe_load_t *L, double mult,
                                step_cost_t *out)
{
    const system_t *sys = dep->sys;
    const double T_step = o->per_lm_token ? s->lm_tokens : s->tokens;
    /* the experts' time is the busiest group's; the counts stay the mean group's (below) */
    const int busiest = o->kind == OP_EXPERTS && L->f != 1.0;
    double T = busiest ? T_step * L->f : T_step;
    double flops = o->flops_per_token * T;
    double wbytes = o->weight_bytes;
    double kv = 0, kvw = 0, kvp = 0; /* KV read (own), written, read from the shared prefix */
    double t_x = 0;                  /* the softmax's exponentials on the special-function units */
    if (o->kind == OP_ATTN) {
        flops += s->pairs_dec[c] * o->flops_per_pair_dec + s->pairs_pre[c] * o->flops_per_pair_pre;
        t_x = (s->pairs_dec[c] + s->pairs_pre[c]) * o->exp_s_per_pair;
        /* a per-query-head decode kernel reads each cached token a decode token attends to (its
         * pairs) once more per further query head sharing the KV head, the prefix's too */
        kv = (s->kv_read[c] - s->prefix_read[c] + s->pairs_dec[c] * o->kv_dec_rereads) * o->kv_bytes_per_kvtok;
        kvp = (s->prefix_once ? s->prefix_span[c] : s->prefix_read[c]) * o->kv_bytes_per_kvtok;
        kvw = T * o->kv_write_per_token;
    }
    double wbytes_mean = wbytes; /* ... with the mean group's touched experts, for the counts */
    if (o->experts_local > 0) {
        wbytes += o->expert_bytes * o->experts_local * L->touched;
        wbytes_mean += o->expert_bytes * o->experts_local * L->touched_mean;
    }
    double act = o->act_bytes_per_token * T, ew = o->ew_bytes_per_token * T;

    /* The host alone: the op's compute on the chip, its bytes over each tier's interface (tiers
     * read in parallel). */
    double bytes[SYS_MAX_TIERS], wpart[SYS_MAX_TIERS], slows[SYS_MAX_TIERS], ew_slow = 0;
    /* one token (a decode GEMV at batch 1) runs the matrix products at the GEMV kernel's rate */
    double rate = o->flop_rate * (T_step <= 1 && o->kind != OP_ATTN && dep->gemv_speedup > 0 ? dep->gemv_speedup : 1.0);
    double t_c = (rate > 0 ? flops / rate : 0.0) + t_x, t_m = 0;
    int mb = -1;
    for (int i = 0; i < sys->n_tiers; i++) {
        double w = wbytes * pl->weights[i] * o->w_gran_mult[i];
        double b = w + (kv * dep->kv_gran_mult[i] + kvw) * pl->kv[i] + kvp * dep->kv_gran_mult[i] * pl->kv_prefix[i];
        double slow = w * (o->w_bw_mult[i] - 1); /* bytes' worth of time beyond streaming */
        if (i == pl->act_tier) {
            b += act + ew;
            ew_slow = ew * (dep->ew_bw_mult[i] - 1);
            slow += ew_slow;
        }
        bytes[i] = b;
        wpart[i] = w;
        slows[i] = slow;
        if (b <= 0)
            continue;
        /* weights in a format the kernels stream more slowly take longer per byte, and so does
         * element-wise traffic, half of it written, at the tier's copy rate */
        double tm = (b + slow) / dep->tier_bw[i] + sys->tier[i].latency_s;
        if (tm > t_m) {
            t_m = tm;
            mb = i;
        }
    }

    /* Near-memory logic (PIM/PNM) can run the share of a weight GEMM, or of attention, whose
     * data sits on its tier, in parallel with the host's share.  Each unit holds a shard: the
     * op's input is broadcast to every unit and the outputs gathered, over the tier's external
     * interface (T x activation bytes x units).  The runtime offloads an op only when that is
     * faster (a decode GEMV or attention, not a batched GEMM the weak logic cannot keep up with). */
    if (dep->has_near && (o->weight_bytes > 0 || o->experts_local > 0 || o->kind == OP_ATTN)) {
        double t_near = 0, host_flops = flops, skip[SYS_MAX_TIERS] = {0};
        int near_tier = -1, near_mem = 0;
        for (int i = 0; i < sys->n_tiers; i++) {
            if (dep->near_rate[i] <= 0)
                continue;
            double f = o->kind == OP_ATTN ? pl->kv[i] : pl->weights[i];
            if (f <= 0)
                continue;
            double nb = wbytes * pl->weights[i] * o->w_gran_mult[i] + (kv * dep->kv_gran_mult[i] + kvw) * pl->kv[i] +
                        kvp * dep->kv_gran_mult[i] * pl->kv_prefix[i];
            double units = o->kind == OP_ATTN ? ceil((kv * pl->kv[i] + kvp * pl->kv_prefix[i]) /
                                                     (sys->tier[i].unit_B > 0 ? sys->tier[i].unit_B : 1))
                                              : o->near_units[i];
            if (units < 1)
                units = 1;
            double tc = flops * f / dep->near_rate[i], tm = nb / dep->near_bw[i];
            double comm = T * o->act_bytes_per_token * units / dep->tier_bw[i];
            double tn = (tc > tm ? tc : tm) + comm + sys->tier[i].latency_s;
            host_flops -= flops * f;
            skip[i] = nb;
            if (tn > t_near) {
                t_near = tn;
                near_tier = i;
                near_mem = tm + comm >= tc;
            }
        }
        double n_c = (rate > 0 ? host_flops / rate : 0.0) + (flops > 0 ? t_x * host_flops / flops : t_x), n_m = 0;
        int n_mb = -1;
        for (int i = 0; i < sys->n_tiers; i++) {
            double b = bytes[i] - skip[i];
            if (b <= 0)
                continue;
            /* the host keeps the slow streaming of what stays with it: all of a tier without
             * near logic, only the element-wise traffic of one whose data the logic took */
            double slow = skip[i] > 0 ? (i == pl->act_tier ? ew_slow : 0) : slows[i];
            double tm = (b + slow) / dep->tier_bw[i] + sys->tier[i].latency_s;
            if (tm > n_m) {
                n_m = tm;
                n_mb = i;
            }
        }
        if (t_near > n_c && t_near > n_m) {
            /* the near-memory share is the slowest: it bounds the op */
            if (near_mem) {
                n_m = t_near;
                n_mb = near_tier;
                n_c = 0;
            } else {
                n_c = t_near;
            }
        }
        if ((n_c > n_m ? n_c : n_m) < (t_c > t_m ? t_c : t_m)) {
            t_c = n_c;
            t_m = n_m;
            mb = n_mb;
        }
    }
    /* the near share's bytes are read inside the tier: they are its traffic either way */
    if (out) {
        /* the busiest expert group's extra tokens and experts are not extra work for the chips: the
         * counts are the mean group's (its tokens, its touched experts) */
        const double wr = busiest && wbytes > 0 ? wbytes_mean / wbytes : 1.0;
        for (int i = 0; i < sys->n_tiers; i++)
            if (bytes[i] > 0)
                out->mem_bytes[i] += mult * (busiest ? wpart[i] * wr + (bytes[i] - wpart[i]) / L->f : bytes[i]);
    }
    double t_o = o->kernels * sys->kernel_overhead_s;
    double t = t_o + (t_c > t_m ? t_c : t_m);
    if (out) {
        out->by_op[o->kind] += mult * t;
        out->by_bound[BOUND_OVERHEAD] += mult * t_o;
        out->by_bound[t_c >= t_m || mb < 0 ? BOUND_COMPUTE : BOUND_MEM0 + mb] += mult * (t - t_o);
        const double f_count = busiest ? flops / L->f : flops;
        out->flops += mult * f_count;
        out->flop_J += mult * f_count * o->flop_J;
    }
    return t;
}

static inline double op_coll(const op_entry_t *o, const step_t *s, const moe_load_t *L, double mult, step_cost_t *out)
{
    double M = o->coll_bytes_per_token * (o->per_lm_token ? s->lm_tokens : s->tokens);
    double lat, bw;
    /* an all-to-all waits for the busiest expert group's chips, which receive and return L->f times
     * the mean message */
    double t = collective_time(&o->coll, o->kind == OP_EP_ALLTOALL ? M * L->f : M, NULL, &lat, &bw);
    if (out) {
        out->by_op[o->kind] += mult * t;
        out->by_bound[BOUND_NET_LATENCY] += mult * lat;
        out->by_bound[BOUND_NET_BANDWIDTH] += mult * bw;
        out->net_bytes += mult * M;
        if (o->coll.level >= 0)
            out->net_bytes_level[o->coll.level] += mult * M;
    }
    return t;
}

static inline double table_time(const deploy_t *dep, const placement_t *pl, const op_table_t *t,
                                const step_t *s, int c, const moe_load_t *L, double mult, step_cost_t *out)
{
    double sum = 0;
    for (int i = 0; i < t->n_ops; i++) {
        const op_entry_t *o = &t->ops[i];
        sum += o->is_coll ? op_coll(o, s, L, mult, out) : op_compute(dep, pl, o, s, c, L, mult, out);
    }
    return sum;
}

/* A step's time from its per-layer-class, first-stage, last-stage and send times: stages in
 * sequence (one micro-batch through all), and the slowest stage into *smax. */
static inline double stages_time(const deploy_t *dep, const double *layer_t, double t_first, double t_last,
                                 double t_send, double *smax)
{
    const int pp = dep->cfg.plan.pp;
    double total = 0;
    *smax = 0;
    for (int sg = 0; sg < pp; sg++) {
        double st = 0;
        for (int c = 0; c < dep->model->n_classes; c++)
            st += dep->stage_layers[sg][c] * layer_t[c];
        if (sg == 0)
            st += t_first;
        if (sg == pp - 1)
            st += t_last;
        if (sg < pp - 1)
            st += t_send;
        total += st;
        if (st > *smax)
            *smax = st;
    }
    return total;
}

static inline void step_cost_close(step_cost_t *out, const step_t *s, double total, double smax)
{
    out->time_s = total;
    out->stage_max_s = smax;
    out->tokens = s->tokens;
    out->lm_tokens = s->lm_tokens;
}

double engine_step(const deploy_t *dep, const placement_t *pl, const step_t *s, step_cost_t *out)
{
    const model_t *m = dep->model;
    const int pp = dep->cfg.plan.pp;
    if (out)
        memset(out, 0, sizeof *out);
    const moe_load_t L = step_moe_load(dep, s->tokens);
    double layer_t[MODEL_MAX_CLASSES];
    for (int c = 0; c < m->n_classes; c++)
        layer_t[c] = table_time(dep, pl, &dep->layer[c], s, c, &L, m->classes[c].count, out);
    double t_first = table_time(dep, pl, &dep->first, s, 0, &L, 1.0, out);
    double t_last = table_time(dep, pl, &dep->last, s, 0, &L, 1.0, out);
    double t_send = pp > 1 ? op_coll(&dep->pp_send, s, &L, pp - 1.0, out) : 0.0;
    double smax, total = stages_time(dep, layer_t, t_first, t_last, t_send, &smax);
    if (out)
        step_cost_close(out, s, total, smax);
    return total;
}

/* Ops whose cost depends on the cached context: attention (KV reads, score FLOPs). */
static inline int reads_context(const op_entry_t *o)
{
    return !o->is_coll && o->kind == OP_ATTN;
}

/* Per-sample times of one table: ops that do not read the context once (added to every
 * sample; into out for sample j0), attention per sample. */
static inline void table_times(const deploy_t *dep, const placement_t *pl, const op_table_t *t, const step_t *s,
                               int n, int c, const moe_load_t *L, double mult, int j0, step_cost_t *out, double *sum)
{
    for (int j = 0; j < n; j++)
        sum[j] = 0;
    for (int i = 0; i < t->n_ops; i++) {
        const op_entry_t *o = &t->ops[i];
        if (reads_context(o)) {
            for (int j = 0; j < n; j++)
                sum[j] += op_compute(dep, pl, o, &s[j], c, L, mult, j == j0 ? out : NULL);
        } else {
            double x = o->is_coll ? op_coll(o, &s[0], L, mult, out) : op_compute(dep, pl, o, &s[0], c, L, mult, out);
            for (int j = 0; j < n; j++)
                sum[j] += x;
        }
    }
}

void engine_steps(const deploy_t *dep, const placement_t *pl, const step_t *s, int n, int j0, step_cost_t *out,
                  double *time, double *stage_max)
{
    const model_t *m = dep->model;
    const int pp = dep->cfg.plan.pp;
    int same = n <= ENGINE_MAX_SAMPLES;
    for (int j = 1; j < n && same; j++)
        same = s[j].tokens == s[0].tokens && s[j].lm_tokens == s[0].lm_tokens;
    if (!same) {
        for (int j = 0; j < n; j++) {
            step_cost_t c;
            time[j] = engine_step(dep, pl, &s[j], &c);
            stage_max[j] = c.stage_max_s;
            if (out && j == j0)
                *out = c;
        }
        return;
    }
    if (out)
        memset(out, 0, sizeof *out);
    const moe_load_t L = step_moe_load(dep, s[0].tokens);
    double layer_t[MODEL_MAX_CLASSES][ENGINE_MAX_SAMPLES], t_first[ENGINE_MAX_SAMPLES], t_last[ENGINE_MAX_SAMPLES];
    for (int c = 0; c < m->n_classes; c++)
        table_times(dep, pl, &dep->layer[c], s, n, c, &L, m->classes[c].count, j0, out, layer_t[c]);
    table_times(dep, pl, &dep->first, s, n, 0, &L, 1.0, j0, out, t_first);
    table_times(dep, pl, &dep->last, s, n, 0, &L, 1.0, j0, out, t_last);
    double t_send = pp > 1 ? op_coll(&dep->pp_send, &s[0], &L, pp - 1.0, out) : 0.0;
    for (int j = 0; j < n; j++) {
        double lt[MODEL_MAX_CLASSES];
        for (int c = 0; c < m->n_classes; c++)
            lt[c] = layer_t[c][j];
        time[j] = stages_time(dep, lt, t_first[j], t_last[j], t_send, &stage_max[j]);
        if (out && j == j0)
            step_cost_close(out, &s[j], time[j], stage_max[j]);
    }
}

static void coll_row(const op_entry_t *o, const step_cost_t *c, double f, double calls, coll_report_t *out, int *n,
                     int max)
{
    if (!o->is_coll || o->coll.n <= 1 || calls <= 0)
        return;
    double bytes = o->coll_bytes_per_token * (o->per_lm_token ? c->lm_tokens : c->tokens);
    for (int i = 0; i < *n; i++)
        if (out[i].op == o->kind && out[i].bytes == bytes) { /* an MoE's dispatch and combine differ */
            out[i].calls += calls;
            return;
        }
    if (*n >= max)
        return;
    coll_report_t *r = &out[(*n)++];
    r->op = o->kind;
    r->kind = o->coll.kind;
    r->chips = o->coll.n;
    r->level = o->coll.level;
    r->bytes = bytes;
    /* an all-to-all is timed as the busiest expert group's chips see it (step_moe_load) */
    r->busiest = o->kind == OP_EP_ALLTOALL ? f : 1.0;
    int a;
    r->time_s = collective_time_at(&o->coll, r->bytes * r->busiest, &a, &r->latency_s, &r->bandwidth_s);
    r->algo = a < 0 ? ALGO_LOCAL : o->coll.algos[a].algo;
    r->hops = a < 0 ? 0 : o->coll.algos[a].hops;
    r->calls = calls;
}

int engine_collectives(const deploy_t *dep, const step_cost_t *c, coll_report_t *out, int max)
{
    const model_t *m = dep->model;
    const double f = step_moe_load(dep, c->tokens).f;
    int n = 0;
    for (int k = 0; k < m->n_classes; k++)
        for (int i = 0; i < dep->layer[k].n_ops; i++)
            coll_row(&dep->layer[k].ops[i], c, f, m->classes[k].count, out, &n, max);
    for (int i = 0; i < dep->first.n_ops; i++)
        coll_row(&dep->first.ops[i], c, f, 1, out, &n, max);
    for (int i = 0; i < dep->last.n_ops; i++)
        coll_row(&dep->last.ops[i], c, f, 1, out, &n, max);
    if (dep->cfg.plan.pp > 1)
        coll_row(&dep->pp_send, c, f, dep->cfg.plan.pp - 1.0, out, &n, max);
    return n;
}

const char *engine_bound_name(const deploy_t *dep, int b, char *buf, size_t cap)
{
    if (b == BOUND_COMPUTE)
        snprintf(buf, cap, "compute");
    else if (b >= BOUND_MEM0 && b < BOUND_MEM0 + SYS_MAX_TIERS)
        snprintf(buf, cap, "memory:%s", b - BOUND_MEM0 < dep->sys->n_tiers ? dep->sys->tier[b - BOUND_MEM0].name : "?");
    else if (b == BOUND_NET_LATENCY)
        snprintf(buf, cap, "interconnect_latency");
    else if (b == BOUND_NET_BANDWIDTH)
        snprintf(buf, cap, "interconnect_bandwidth");
    else
        snprintf(buf, cap, "overhead");
    return buf;
}
