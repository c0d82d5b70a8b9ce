/*
 * sweep_spec.c — sweep specs (see sweep_spec.h), checked before any work starts.
 */
#include "sweep_spec.h"

#include "fileutil.h"
#include "yamlread.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Field paths: a name, and its scale from the file's unit to SI. [N] indexes a tier or level. */
static const char *const paths[] = {
    "memory[N].capacity_GB", "memory[N].bandwidth_GBps", "memory[N].latency_ns", "memory[N].efficiency",
    "interconnect[N].bandwidth_GBps", "interconnect[N].hop_latency_ns", "interconnect[N].switch_latency_ns",
    "interconnect[N].landing_latency_ns",
    "chip.sram_MB", "chip.compute_efficiency", "chip.peak_TFLOPs.bf16", "chip.peak_TFLOPs.fp8",
    "chip.peak_TFLOPs.fp4", "chip.exp_Gops", "software.kernel_overhead_us", "software.collective_launch_us", "power.tdp_W",
    "price.chip_usd",
    /* the paper's directions (data/paper/technologies.yaml), applied by the caller */
    "directions.hbf_stacks", "directions.stack_3d", "directions.low_latency", "directions.sram_landing", "directions.pim", "directions.pnm",
};
enum { N_PATHS = sizeof paths / sizeof paths[0] };

const char *const *sweep_paths(int *n)
{
    *n = N_PATHS;
    return paths;
}

/* Split "memory[2].bandwidth_GBps" into the pattern "memory[N].bandwidth_GBps" and 2. */
static int pattern_of(const char *path, char *pat, size_t cap, int *idx)
{
    const char *lb = strchr(path, '['), *rb = lb ? strchr(lb, ']') : NULL;
    *idx = -1;
    if (!lb) {
        snprintf(pat, cap, "%s", path);
        return 0;
    }
    if (!rb)
        return -1;
    char *e;
    long v = strtol(lb + 1, &e, 10);
    if (e != rb || v < 0 || v > 8)
        return -1;
    *idx = (int)v;
    snprintf(pat, cap, "%.*s[N]%s", (int)(lb - path), path, rb + 1);
    return 0;
}

static double *field(system_t *s, const char *pat, int i, double *unit)
{
    *unit = 1;
    if (!strncmp(pat, "memory[N].", 10)) {
        if (i < 0 || i >= s->n_tiers) return NULL;
        mem_tier_t *t = &s->tier[i];
        const char *f = pat + 10;
        if (!strcmp(f, "capacity_GB")) { *unit = 1e9; return &t->capacity_B; }
        if (!strcmp(f, "bandwidth_GBps")) { *unit = 1e9; return &t->bw_Bps; }
        if (!strcmp(f, "latency_ns")) { *unit = 1e-9; return &t->latency_s; }
        if (!strcmp(f, "efficiency")) return &t->efficiency;
        return NULL;
    }
    if (!strncmp(pat, "interconnect[N].", 16)) {
        if (i < 0 || i >= s->n_levels) return NULL;
        net_level_t *l = &s->level[i];
        const char *f = pat + 16;
        if (!strcmp(f, "bandwidth_GBps")) { *unit = 1e9; return &l->bw_Bps; }
        if (!strcmp(f, "hop_latency_ns")) { *unit = 1e-9; return &l->hop_latency_s; }
        if (!strcmp(f, "switch_latency_ns")) { *unit = 1e-9; return &l->switch_latency_s; }
        if (!strcmp(f, "landing_latency_ns")) { *unit = 1e-9; return &l->landing_s; }
        return NULL;
    }
    if (!strcmp(pat, "chip.sram_MB")) { *unit = 1e6; return &s->sram_B; }
    if (!strcmp(pat, "chip.compute_efficiency")) return &s->compute_eff;
    if (!strcmp(pat, "chip.peak_TFLOPs.bf16")) { *unit = 1e12; return &s->peak_flops[CC_BF16]; }
    if (!strcmp(pat, "chip.peak_TFLOPs.fp8")) { *unit = 1e12; return &s->peak_flops[CC_FP8]; }
    if (!strcmp(pat, "chip.peak_TFLOPs.fp4")) { *unit = 1e12; return &s->peak_flops[CC_FP4]; }
    if (!strcmp(pat, "chip.exp_Gops")) { *unit = 1e9; return &s->exp_rate; }
    if (!strcmp(pat, "software.kernel_overhead_us")) { *unit = 1e-6; return &s->kernel_overhead_s; }
    if (!strcmp(pat, "software.collective_launch_us")) { *unit = 1e-6; return &s->collective_launch_s; }
    if (!strcmp(pat, "power.tdp_W")) return &s->tdp_W;
    if (!strcmp(pat, "price.chip_usd")) return &s->chip_usd;
    return NULL;
}

int sweep_apply(system_t *s, const char *path, double value, int scale)
{
    char pat[96];
    int i;
    double unit;
    if (pattern_of(path, pat, sizeof pat, &i) != 0)
        return -1;
    double *f = field(s, pat, i, &unit);
    if (!f)
        return -1;
    if (scale)
        *f *= value;
    else
        *f = value * unit;
    return 0;
}

static int known_path(const char *path)
{
    char pat[96];
    int i;
    if (pattern_of(path, pat, sizeof pat, &i) != 0)
        return 0;
    for (int k = 0; k < N_PATHS; k++)
        if (!strcmp(pat, paths[k]))
            return 1;
    return 0;
}

/* A scalar, or a sequence joined with commas, into out. */
static status_t values(yreader_t *r, struct fy_node *n, const char *field, char *out, size_t cap)
{
    out[0] = '\0';
    if (!n)
        return IS_OK;
    if (fy_node_is_scalar(n)) {
        snprintf(out, cap, "%s", fy_node_get_scalar0(n));
        return IS_OK;
    }
    if (!fy_node_is_sequence(n))
        return yr_err(r, n, field, "expected a value, a list [a, b] or a range \"a..b\"");
    for (int i = 0; i < fy_node_sequence_item_count(n); i++) {
        struct fy_node *e = fy_node_sequence_get_by_index(n, i);
        const char *v = fy_node_is_scalar(e) ? fy_node_get_scalar0(e) : NULL;
        if (!v)
            return yr_err(r, e, field, "expected a scalar in the list");
        size_t l = strlen(out);
        snprintf(out + l, cap - l, "%s%s", l ? "," : "", v);
    }
    return IS_OK;
}

#define TRY(x) do { if ((st = (x)) != IS_OK) goto out; } while (0)

static status_t parse(yreader_t *rp, struct fy_node *root, sweep_spec_t *sp);

status_t sweep_spec_load(const char *path, sweep_spec_t *sp, diag_t *d)
{
    memset(sp, 0, sizeof *sp);
    yreader_t r;
    struct fy_node *root;
    status_t st = yr_open_file(&r, path, d, &root);
    if (st != IS_OK)
        return st;
    st = parse(&r, root, sp);
    yr_close(&r);
    return st;
}

status_t sweep_spec_load_buffer(const char *buf, size_t len, const char *path, sweep_spec_t *sp, diag_t *d)
{
    memset(sp, 0, sizeof *sp);
    yreader_t r;
    struct fy_node *root;
    status_t st = yr_open(&r, buf, len, path, d, &root);
    if (st != IS_OK)
        return st;
    st = parse(&r, root, sp);
    yr_close(&r);
    return st;
}

static status_t parse(yreader_t *rp, struct fy_node *root, sweep_spec_t *sp)
{
    yreader_t r = *rp;
    status_t st = IS_OK;
    static const char *const keys[] = {"model", "systems", "chips", "batch", "weights", "kv", "isl", "osl",
                                       "ttft_max_s", "tpot_max_s", "power_max_w", "cost_max_usd_per_mtok", "objective",
                                       "pareto", "top", "site", "vary", "prefill_chips", "prefill_instances",
                                       "decode_instances", "chips_max", "expert_skew", "expert_slots"};
    if (!root || !fy_node_is_mapping(root)) {
        st = yr_err(&r, root, "", "expected a mapping (docs/sweep-format.md)");
        goto out;
    }
    TRY(yr_check_keys(&r, root, "", keys, (int)(sizeof keys / sizeof keys[0])));
    TRY(yr_str(&r, root, "", "model", 1, sp->model, sizeof sp->model));
    TRY(values(&r, yr_get(root, "systems"), "systems", sp->systems, sizeof sp->systems));
    if (!sp->systems[0]) {
        st = yr_err(&r, root, "systems", "missing required field \"systems\"");
        goto out;
    }
    TRY(values(&r, yr_get(root, "chips"), "chips", sp->chips, sizeof sp->chips));
    TRY(values(&r, yr_get(root, "batch"), "batch", sp->batch, sizeof sp->batch));
    TRY(values(&r, yr_get(root, "weights"), "weights", sp->weights, sizeof sp->weights));
    TRY(values(&r, yr_get(root, "kv"), "kv", sp->kv, sizeof sp->kv));
    TRY(values(&r, yr_get(root, "isl"), "isl", sp->isl, sizeof sp->isl));
    TRY(values(&r, yr_get(root, "osl"), "osl", sp->osl, sizeof sp->osl));
    TRY(values(&r, yr_get(root, "pareto"), "pareto", sp->pareto, sizeof sp->pareto));
    TRY(values(&r, yr_get(root, "prefill_chips"), "prefill_chips", sp->prefill_chips, sizeof sp->prefill_chips));
    TRY(values(&r, yr_get(root, "prefill_instances"), "prefill_instances", sp->prefill_instances,
               sizeof sp->prefill_instances));
    TRY(values(&r, yr_get(root, "decode_instances"), "decode_instances", sp->decode_instances,
               sizeof sp->decode_instances));
    TRY(yr_num(&r, root, "", "ttft_max_s", 0, 0, 1, YR_HUGE, 1.0, 0, &sp->ttft_max_s, NULL));
    TRY(yr_num(&r, root, "", "tpot_max_s", 0, 0, 1, YR_HUGE, 1.0, 0, &sp->tpot_max_s, NULL));
    TRY(yr_num(&r, root, "", "power_max_w", 0, 0, 1, YR_HUGE, 1.0, 0, &sp->power_max_w, NULL));
    TRY(yr_num(&r, root, "", "cost_max_usd_per_mtok", 0, 0, 1, YR_HUGE, 1.0, 0, &sp->usd_per_mtok_max, NULL));
    TRY(yr_str(&r, root, "", "objective", 0, sp->objective, sizeof sp->objective));
    TRY(yr_str(&r, root, "", "site", 0, sp->site, sizeof sp->site));
    double chips_max = 0;
    TRY(yr_num(&r, root, "", "chips_max", 0, 1, 0, 1e6, 1.0, 0, &chips_max, NULL));
    sp->chips_max = (int)chips_max;
    TRY(yr_num(&r, root, "", "expert_skew", 0, 0, 0, 100, 1.0, 0, &sp->expert_skew, NULL));
    double slots = 0;
    TRY(yr_num(&r, root, "", "expert_slots", 0, 1, 0, 1e6, 1.0, 0, &slots, NULL));
    sp->expert_slots = (int)slots;
    double top = 0;
    TRY(yr_num(&r, root, "", "top", 0, 1, 0, 100000, 1.0, 0, &top, NULL));
    sp->top = (int)top;
    struct fy_node *vary = yr_get(root, "vary");
    if (vary) {
        if (!fy_node_is_mapping(vary)) {
            st = yr_err(&r, vary, "vary", "expected a mapping of system field paths to values");
            goto out;
        }
        void *it = NULL;
        struct fy_node_pair *p;
        while ((p = fy_node_mapping_iterate(vary, &it))) {
            struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
            const char *ks = fy_node_get_scalar0(k);
            char field[96];
            snprintf(field, sizeof field, "vary.%s", ks ? ks : "?");
            if (!ks || !known_path(ks)) {
                int np;
                const char *const *pp = sweep_paths(&np);
                const char *near = ks ? diag_near_match(ks, pp, np) : NULL;
                st = yr_err(&r, k, field, "unknown system field \"%s\"%s%s%s", ks ? ks : "",
                            near ? "; did you mean \"" : " (docs/sweep-format.md lists them)", near ? near : "",
                            near ? "\"?" : "");
                goto out;
            }
            if (sp->n_vary == SWEEP_MAX_VARY) {
                st = yr_err(&r, k, field, "at most %d fields can vary", SWEEP_MAX_VARY);
                goto out;
            }
            sweep_vary_t *sv = &sp->vary[sp->n_vary++];
            snprintf(sv->path, sizeof sv->path, "%s", ks);
            struct fy_node *list = v;
            if (fy_node_is_mapping(v)) {
                list = yr_get(v, "scale");
                sv->scale = 1;
                if (!list || fy_node_mapping_item_count(v) != 1) {
                    st = yr_err(&r, v, field, "expected a list of values or {scale: [factors]}");
                    goto out;
                }
            }
            if (!list || !fy_node_is_sequence(list) || fy_node_sequence_item_count(list) < 1) {
                st = yr_err(&r, v, field, "expected a non-empty list of values");
                goto out;
            }
            for (int i = 0; i < fy_node_sequence_item_count(list) && sv->n < SWEEP_MAX_VALUES; i++) {
                struct fy_node *e = fy_node_sequence_get_by_index(list, i);
                const char *es = fy_node_get_scalar0(e);
                char *end;
                double x = es ? strtod(es, &end) : 0;
                if (!es || end == es || *end || !(x >= 0)) {
                    st = yr_err(&r, e, field, "expected a number >= 0, got \"%s\"", es ? es : "");
                    goto out;
                }
                int dir = !strncmp(ks, "directions.", 11), count = !strcmp(ks, "directions.hbf_stacks");
                if (dir && (x != floor(x) || (!count && x > 1) || x > 64)) {
                    st = yr_err(&r, e, field, "expected %s, got \"%s\"", count ? "a whole number of stacks, 0 to 64" : "0 (off) or 1 (on)", es);
                    goto out;
                }
                sv->v[sv->n++] = x;
            }
            if (sv->scale && !strncmp(ks, "directions.", 11)) {
                st = yr_err(&r, v, field, "a direction takes a list of values, not scales");
                goto out;
            }
        }
    }
    st = IS_OK;
out:
    return st;
}
