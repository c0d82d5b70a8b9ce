/*
 * predict.c — scenarios over the step engine (see predict.h).
 */
#include "predict.h"

#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* Decode contexts are sampled at this many evenly spaced points over the output;
 * exact for costs linear in context, within 0.1 % for the rest (windows, max()). */
#define DECODE_SAMPLES 9
/* Largest per-replica batch considered. */
#define BATCH_LIMIT (1 << 22)

void predict_req_default(predict_req_t *r, const model_t *m)
{
    memset(r, 0, sizeof *r);
    deploy_cfg_default(&r->cfg, m);
    r->batch = 1;
    r->isl = 1024;
    r->osl = 128;
    r->prefill_chunk = PREDICT_PREFILL_CHUNK;
}

static double step_tokens_for(int b_r, int isl, int chunk)
{
    double pre = (double)b_r * isl;
    if (pre > chunk)
        pre = chunk;
    return pre > b_r ? pre : b_r;
}

/* Share of the weights on spill_only tiers (a phone's storage) in a placement. */
static double spilled(const deploy_t *dep, const placement_t *pl)
{
    double f = 0;
    for (int i = 0; i < dep->sys->n_tiers; i++)
        if (dep->sys->tier[i].spill_only)
            f += pl->weights[i];
    return f;
}

/* Whether b_r sequences fit; a batch may not push more weights out to a spill_only tier than
 * one sequence does (spill1 < 0: not checked): that spill is a capacity rescue, not room to batch. */
static int fits_at(const deploy_t *dep, int b_r, double ctx, int chunk, int isl, double spill1)
{
    placement_t pl;
    deploy_place(dep, b_r, ctx, step_tokens_for(b_r, isl, chunk), &pl);
    return pl.fits && (spill1 < 0 || spilled(dep, &pl) <= spill1 + 1e-12);
}

int predict_max_batch(const deploy_t *dep, double ctx, int chunk, int isl)
{
    placement_t p1;
    deploy_place(dep, 1, ctx, step_tokens_for(1, isl, chunk), &p1);
    if (!p1.fits)
        return 0;
    double spill1 = spilled(dep, &p1);
    int lo = 1, hi = 2;
    while (hi < BATCH_LIMIT && fits_at(dep, hi, ctx, chunk, isl, spill1)) {
        lo = hi;
        hi *= 2;
    }
    if (hi >= BATCH_LIMIT && fits_at(dep, BATCH_LIMIT, ctx, chunk, isl, spill1))
        return BATCH_LIMIT;
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        if (fits_at(dep, mid, ctx, chunk, isl, spill1))
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Pipeline cycle of a step split into micro-batches: each of the m micro-batches
 * passes every stage; the slowest stage paces them. */
static double cycle_time(const deploy_t *dep, const placement_t *pl, const step_t *mb, int m,
                         step_cost_t *out)
{
    /* one stage: the step's time is the cycle, and no breakdown is needed */
    if (!out && dep->cfg.plan.pp == 1)
        return engine_step(dep, pl, mb, NULL);
    step_cost_t c;
    double t = engine_step(dep, pl, mb, &c);
    if (out)
        *out = c;
    double paced = m * c.stage_max_s;
    return t > paced ? t : paced;
}

/* The pipeline cycle of a costed step (as cycle_time computes it). */
static double cycle_of(const step_cost_t *c, int m)
{
    double paced = m * c->stage_max_s;
    return c->time_s > paced ? c->time_s : paced;
}

/* An empty step of this deployment (its shared prefix, if any, set). */
static void step_init(step_t *s, const deploy_t *dep)
{
    step_clear(s);
    s->prefix = dep->cfg.shared_prefix;
    s->prefix_once = dep->cfg.prefix_once;
}

/* Decode step of b_r sequences spread evenly over contexts [c0, c0+span) (span 0: all at c0),
 * split into m micro-batches. */
static double decode_step(const deploy_t *dep, const placement_t *pl, int b_r, double c0, double span,
                          int m, step_cost_t *out)
{
    step_t s;
    step_init(&s, dep);
    double per_mb = ceil((double)b_r / m);
    if (span <= 0) {
        step_add(&s, dep->model, per_mb, 1, c0);
    } else {
        int k = DECODE_SAMPLES;
        for (int j = 0; j < k; j++)
            step_add(&s, dep->model, per_mb / k, 1, c0 + (j + 0.5) * span / k);
    }
    return cycle_time(dep, pl, &s, m, out);
}

/* One step prefilling n prompts of isl new tokens (after the shared prefix, cached), costed
 * with its breakdown; from the memo when it holds the same step on the same placement. */
static void prefill_step(const deploy_t *dep, const placement_t *pl, int n, int isl, predict_memo_t *memo,
                         step_cost_t *c)
{
    if (memo)
        for (int i = 0; i < memo->n; i++)
            if (memo->e[i].prompts == n && memo->e[i].isl == isl && memo->e[i].act_tier == pl->act_tier &&
                !memcmp(memo->e[i].weights, pl->weights, sizeof pl->weights) &&
                !memcmp(memo->e[i].kv, pl->kv, sizeof pl->kv) &&
                !memcmp(memo->e[i].kv_prefix, pl->kv_prefix, sizeof pl->kv_prefix)) {
                *c = memo->e[i].cost;
                return;
            }
    step_t s;
    step_init(&s, dep);
    step_add(&s, dep->model, n, isl, dep->cfg.shared_prefix);
    engine_step(dep, pl, &s, c);
    if (memo) {
        int k = memo->n < PREDICT_MEMO ? memo->n++ : memo->next;
        memo->next = (k + 1) % PREDICT_MEMO;
        memo->e[k].prompts = n;
        memo->e[k].isl = isl;
        memo->e[k].act_tier = pl->act_tier;
        memcpy(memo->e[k].weights, pl->weights, sizeof pl->weights);
        memcpy(memo->e[k].kv, pl->kv, sizeof pl->kv);
        memcpy(memo->e[k].kv_prefix, pl->kv_prefix, sizeof pl->kv_prefix);
        memo->e[k].cost = *c;
    }
}

/* Static-batch prefill of b_r prompts of isl tokens, chunked; a shared prefix is cached,
 * so only the tokens after it are computed (attending to it). */
static double prefill_static(const deploy_t *dep, const placement_t *pl, int b_r, int isl_total, int chunk,
                             step_cost_t *first, predict_memo_t *memo)
{
    const model_t *m = dep->model;
    const int P = dep->cfg.shared_prefix, isl = isl_total - P;
    step_t s;
    step_cost_t c;
    double total = 0, fill = 0;
    int have_first = 0;
    if (isl <= chunk) {
        int per = chunk / isl;
        if (per < 1) per = 1;
        int full = b_r / per, rem = b_r % per;
        if (full > 0) {
            prefill_step(dep, pl, per, isl, memo, &c);
            total += full * c.stage_max_s;
            fill = c.time_s - c.stage_max_s;
            if (first) *first = c;
            have_first = 1;
        }
        if (rem > 0) {
            prefill_step(dep, pl, rem, isl, memo, &c);
            total += c.stage_max_s;
            fill = c.time_s - c.stage_max_s;
            if (first && !have_first) *first = c;
        }
    } else {
        double per_prompt = 0;
        for (int off = P; off < isl_total; off += chunk) {
            int q = isl_total - off < chunk ? isl_total - off : chunk;
            step_init(&s, dep);
            step_add(&s, m, 1, q, off);
            if (off > P && dep->cfg.plan.pp == 1) {
                per_prompt += engine_step(dep, pl, &s, NULL); /* one stage, no breakdown needed */
                continue;
            }
            engine_step(dep, pl, &s, &c);
            per_prompt += c.stage_max_s;
            fill = c.time_s - c.stage_max_s;
            if (first && !have_first) {
                *first = c;
                have_first = 1;
            }
        }
        total = per_prompt * b_r;
    }
    return total + fill;
}

static double intensity(const deploy_t *dep, const step_cost_t *c)
{
    double b = 0;
    for (int i = 0; i < dep->sys->n_tiers; i++)
        b += c->mem_bytes[i];
    return b > 0 ? c->flops / b : 0;
}

static int decode_compute_bound(const deploy_t *dep, const placement_t *pl, int b_r, double ctx)
{
    step_cost_t c;
    decode_step(dep, pl, b_r, ctx, 0, 1, &c);
    double mem = 0;
    for (int i = 0; i < SYS_MAX_TIERS; i++)
        mem += c.by_bound[BOUND_MEM0 + i];
    return c.by_bound[BOUND_COMPUTE] >= mem;
}

status_t predict_run(const model_t *m, const system_t *s, const predict_req_t *req, predict_result_t *r,
                     diag_t *d)
{
    memset(r, 0, offsetof(predict_result_t, dep));
    if (req->isl < 1)
        return diag_error(d, NULL, 0, 0, "--isl", "expected an input length >= 1 token, got %d", req->isl);
    if (req->osl < 1)
        return diag_error(d, NULL, 0, 0, "--osl", "expected an output length >= 1 token, got %d", req->osl);
    if (req->prefill_chunk < 1)
        return diag_error(d, NULL, 0, 0, "--prefill-chunk", "expected >= 1 token, got %d", req->prefill_chunk);
    if (req->batch < 0)
        return diag_error(d, NULL, 0, 0, "--batch", "expected a batch >= 1 or \"max\", got %d", req->batch);
    if (req->cfg.shared_prefix < 0 || req->cfg.shared_prefix >= req->isl)
        return diag_error(d, NULL, 0, 0, "--shared-prefix",
                          "expected 0 to isl - 1 = %d tokens (each prompt needs a token of its own), got %d", req->isl - 1,
                          req->cfg.shared_prefix);
    if (m->diffusion && req->cfg.shared_prefix > 0)
        return diag_error(d, NULL, 0, 0, "--shared-prefix",
                          "%s is a masked-diffusion model: without a KV cache across requests it shares no prefix", m->name);
    status_t st = deploy_setup(&r->dep, m, s, &req->cfg, d);
    if (st != IS_OK)
        return st;
    if (m->max_context > 0 && (double)req->isl + req->osl > m->max_context)
        diag_warn(d, "isl + osl = %d exceeds the model's max_position_embeddings %d", req->isl + req->osl, m->max_context);
    predict_eval(&r->dep, req, -1, 1, r, d);
    return IS_OK;
}

/* A masked-diffusion model (LLaDA): the answer's osl tokens start masked and are unmasked
 * over `steps` denoising steps, block by block (semi-autoregressive, steps shared evenly
 * among the blocks, as LLaDA's generate.py does).  Without a cache every step is a forward
 * of the whole sequence (prompt + answer) with bidirectional attention and logits at every
 * position; with the block-wise cache (Fast-dLLM) each block's first step is that forward,
 * which refreshes the cache, and its other steps run the block's tokens alone against it.
 * TTFT: the first block is final; TPOT: (e2e - TTFT) / (osl - 1); the per-user rate is
 * osl / e2e.  Every sequence runs every step, so static and steady batches agree. */
static void diffusion_eval(const deploy_t *dep, const predict_req_t *req, const placement_t *pl, int b_r, int mbs,
                           predict_result_t *r)
{
    const model_t *m = dep->model;
    const int osl = req->osl;
    const double L = (double)req->isl + osl, per_mb = ceil((double)b_r / mbs);
    int block = req->diffusion_block > 0 ? req->diffusion_block : 32;
    if (block > osl)
        block = osl;
    const int steps = req->diffusion_steps > 0 ? req->diffusion_steps : osl;
    const double nblocks = ceil((double)osl / block), spb = fmax(1.0, steps / nblocks);
    r->diffusion_steps = steps;
    r->diffusion_block = block;
    step_t full;
    step_init(&full, dep);
    step_add_bidir(&full, m, per_mb, L, 0, L);
    double t_full = cycle_time(dep, pl, &full, mbs, &r->prefill.cost);
    r->prefill.step_s = t_full;
    double per_block;
    if (req->diffusion_cache) {
        step_t blk;
        step_init(&blk, dep);
        step_add_bidir(&blk, m, per_mb, block, L - block, block);
        r->decode.step_s = cycle_time(dep, pl, &blk, mbs, &r->decode.cost);
        per_block = t_full + (spb - 1) * r->decode.step_s;
    } else {
        r->decode.cost = r->prefill.cost;
        r->decode.step_s = t_full;
        per_block = spb * t_full;
    }
    r->e2e_s = nblocks * per_block;
    r->ttft_s = per_block;
    r->tpot_s = osl > 1 ? (r->e2e_s - r->ttft_s) / (osl - 1) : 0;
    r->output_tok_s_per_user = osl / r->e2e_s;
    r->output_tok_s = (double)req->cfg.plan.dp * b_r * osl / r->e2e_s;
    r->total_tok_s = (double)req->cfg.plan.dp * b_r * L / r->e2e_s;
}

void predict_eval(const deploy_t *dep, const predict_req_t *req, int max_r, int extras, predict_result_t *r,
                  diag_t *d)
{
    memset(r, 0, offsetof(predict_result_t, dep));
    r->depp = dep;
    const model_t *m = dep->model;
    const system_t *s = dep->sys;
    const int dp = req->cfg.plan.dp, pp = req->cfg.plan.pp;
    const int isl = req->isl, osl = req->osl, diff = m->diffusion;
    /* a masked-diffusion step runs the whole sequence at once (no chunking); its KV cache is
     * kept only with the block-wise cache */
    const int chunk = diff ? INT_MAX : req->prefill_chunk, step_isl = diff ? isl + osl : isl;
    const double ctx_max = diff && !req->diffusion_cache ? 0 : (double)isl + osl;

    r->params_total = model_params_total(m);
    r->params_active = model_params_active(m);
    r->kv_bytes_per_token = model_kv_bytes_per_token(m, &req->cfg.kv);

    if (max_r < 0)
        max_r = predict_max_batch(dep, ctx_max, chunk, step_isl);
    r->max_batch = max_r * dp;
    int b_r;
    if (req->batch == 0) {
        b_r = max_r > 0 ? max_r : 1;
        if (req->max_batch > 0) {
            int cap = (req->max_batch + dp - 1) / dp;
            if (b_r > cap) b_r = cap;
        }
        r->steady = 1;
        r->batch = b_r * dp;
    } else {
        b_r = (req->batch + dp - 1) / dp;
        r->steady = req->steady;
        r->batch = req->batch;
    }
    r->batch_per_replica = b_r;

    placement_t *pl = &r->placement;
    double step_tok = step_tokens_for(b_r, step_isl, chunk);
    deploy_place(dep, b_r, ctx_max, step_tok, pl);
    r->fits = pl->fits;
    r->weights_B = deploy_weight_bytes(dep);
    {
        /* a shared prefix is cached once; each sequence holds its own tokens */
        double P = req->cfg.shared_prefix;
        r->kv_prefix_B = P > 0 ? deploy_kv_bytes(dep, 1, P) : 0;
        r->kv_B = deploy_kv_bytes(dep, b_r, ctx_max - P) + r->kv_prefix_B;
    }
    r->workspace_B = deploy_workspace_bytes(dep, step_tok, b_r < step_tok ? b_r : step_tok);
    r->reserved_B = s->reserved_B;
    r->mem_need_B = r->weights_B + r->kv_B + r->workspace_B + r->reserved_B;
    if (!r->fits && extras) {
        double cap = system_capacity(s);
        if (max_r == 0)
            snprintf(r->reason, sizeof r->reason,
                     "needs %.1f GB per chip (weights %.1f GB, KV cache %.1f GB, workspace and reserve %.1f GB), "
                     "has %.1f GB: add chips, lower precision, or add a memory tier",
                     r->mem_need_B / 1e9, r->weights_B / 1e9, r->kv_B / 1e9,
                     (r->workspace_B + r->reserved_B) / 1e9, cap / 1e9);
        else
            snprintf(r->reason, sizeof r->reason,
                     "batch %d needs %.1f GB per chip, has %.1f GB: the largest batch that fits is %d",
                     r->batch, r->mem_need_B / 1e9, cap / 1e9, r->max_batch);
    }

    int mbs = pp < b_r ? pp : b_r; /* pipeline micro-batches */
    if (mbs < 1) mbs = 1;
    /* decode */
    double span = osl > 1 ? osl - 1.0 : 0.0;
    if (diff) {
        diffusion_eval(dep, req, pl, b_r, mbs, r);
    } else if (r->steady) {
        double t_dec = decode_step(dep, pl, b_r, isl, osl, mbs, &r->decode.cost);
        r->decode.step_s = t_dec;
        /* A cycle: every request decodes osl tokens, and its prompt's chunks ride in decode
         * steps (mixed steps).  When the b_r prompts' chunks outnumber the osl steps, a mixed
         * step carries several, as many as the token budget holds; when even that is too few,
         * every step is mixed and the prompts set the pace.  The budget is the chunk less the
         * decodes (vLLM's max_num_batched_tokens); a batch that fills it alone takes the prompts'
         * chunks beyond it, --prefill-chunk tokens a step. */
        double budget = chunk > b_r ? chunk - b_r : chunk;
        const int pre0 = req->cfg.shared_prefix;
        double nch = isl > pre0 ? ceil((isl - pre0) / budget) : 0, qmax = isl - pre0 < budget ? isl - pre0 : budget;
        double share = 1; /* prompt chunks per mixed step */
        if (nch > 0 && b_r * nch > osl) {
            double cap = qmax > 0 ? floor(budget / qmax) : 1;
            share = fmin(b_r * nch / osl, cap > 1 ? cap : 1);
        }
        double mixed = b_r * nch / share, sum_mix = 0, ttft = 0;
        for (int off = pre0; off < isl; off += (int)budget) {
            int q = isl - off < budget ? isl - off : (int)budget;
            step_t sm;
            step_init(&sm, dep);
            double per_mb = ceil((double)b_r / mbs);
            for (int j = 0; j < DECODE_SAMPLES; j++)
                step_add(&sm, m, per_mb / DECODE_SAMPLES, 1, isl + (j + 0.5) * osl / DECODE_SAMPLES);
            step_add(&sm, m, share, q, off);
            step_cost_t c;
            double t_mix = cycle_time(dep, pl, &sm, mbs, off == pre0 ? &c : NULL);
            if (off == pre0) {
                r->prefill.cost = c;
                r->prefill.step_s = t_mix;
            }
            sum_mix += t_mix > t_dec ? t_mix : t_dec;
            ttft += t_mix;
        }
        double cycle = (osl > mixed ? (osl - mixed) * t_dec : 0) + b_r / share * sum_mix;
        r->tpot_s = cycle / osl;
        r->ttft_s = ttft;
        r->e2e_s = r->ttft_s + (osl - 1) * r->tpot_s;
        r->output_tok_s = (double)dp * b_r * osl / cycle;
        r->total_tok_s = (double)dp * b_r * (isl + osl) / cycle;
    } else {
        r->ttft_s = prefill_static(dep, pl, b_r, isl, chunk, &r->prefill.cost, req->memo);
        r->prefill.step_s = r->prefill.cost.time_s;
        /* mean decode step over contexts isl .. isl+osl-2: Simpson's rule on the ends and the
         * middle (exact for costs linear or quadratic in context) */
        double a = isl, b = isl + (span > 1 ? span - 1 : 0);
        if (b > a) {
            /* the three samples share every op but attention: costed together */
            step_t st[3];
            double t[3], smax[3], per_mb = ceil((double)b_r / mbs), at[3] = {a, 0.5 * (a + b), b};
            for (int j = 0; j < 3; j++) {
                step_init(&st[j], dep);
                step_add(&st[j], m, per_mb, 1, at[j]);
            }
            engine_steps(dep, pl, st, 3, 1, &r->decode.cost, t, smax);
            double f[3];
            for (int j = 0; j < 3; j++)
                f[j] = t[j] > mbs * smax[j] ? t[j] : mbs * smax[j];
            r->tpot_s = (f[0] + 4 * f[1] + f[2]) / 6;
        } else {
            r->tpot_s = decode_step(dep, pl, b_r, a, 0, mbs, &r->decode.cost);
        }
        r->decode.step_s = cycle_of(&r->decode.cost, mbs);
        r->e2e_s = r->ttft_s + (osl - 1) * r->tpot_s;
        r->output_tok_s = (double)r->batch * osl / r->e2e_s;
        r->total_tok_s = (double)r->batch * (isl + osl) / r->e2e_s;
    }
    if (!diff)
        r->output_tok_s_per_user = r->tpot_s > 0 ? 1.0 / r->tpot_s : 0;

    /* flash wear: every processed token appends its KV to the cache */
    r->wear_tier = -1;
    int kt = req->cfg.kv_tier;
    if (kt >= 0 && s->tier[kt].read_only) {
        double kv_tok_chip = 0;
        for (int sg = 0; sg < pp; sg++) {
            double v = 0;
            for (int c = 0; c < m->n_classes; c++)
                v += dep->kv_B_per_ctx_token[sg][c];
            if (v > kv_tok_chip)
                kv_tok_chip = v;
        }
        r->wear_tier = kt;
        r->wear_write_Bps = r->total_tok_s / dp * kv_tok_chip;
        if (s->tier[kt].endurance_pe > 0 && r->wear_write_Bps > 0)
            r->wear_lifetime_s = s->tier[kt].capacity_B * s->tier[kt].endurance_pe / r->wear_write_Bps;
        diag_warn(d, "the KV cache writes %.2f GB/s per chip to %s: %s", r->wear_write_Bps / 1e9, s->tier[kt].name,
                  r->wear_lifetime_s > 0 ? "see wear_lifetime_days" : "its endurance is unknown");
    }
    r->output_tok_s_per_chip = r->output_tok_s / req->cfg.plan.chips;
    r->decode.intensity = intensity(dep, &r->decode.cost);
    r->prefill.intensity = intensity(dep, &r->prefill.cost);
    r->ridge_flop_per_byte = system_peak_flops(s, dep->gemm_cc, NULL) / s->tier[0].bw_Bps;

    if (!extras || diff)
        return;
    /* smallest batch at which a decode step's weight GEMMs turn compute-bound: costed at
     * context 1, so that KV-cache reads (memory-bound at any batch) do not mask the crossing */
    double ctx_mid = 1;
    r->compute_bound_batch = 0;
    if (decode_compute_bound(dep, pl, 1, ctx_mid)) {
        r->compute_bound_batch = 1;
    } else {
        int lo = 1, hi = 2;
        while (hi <= (1 << 20) && !decode_compute_bound(dep, pl, hi, ctx_mid)) {
            lo = hi;
            hi *= 2;
        }
        if (hi <= (1 << 20)) {
            while (hi - lo > 1) {
                int mid = lo + (hi - lo) / 2;
                if (decode_compute_bound(dep, pl, mid, ctx_mid))
                    hi = mid;
                else
                    lo = mid;
            }
            r->compute_bound_batch = hi;
        }
    }
}

int predict_fewest_chips(const model_t *m, const system_t *s, const deploy_cfg_t *cfg, int isl, int osl,
                         int max_chips, int *tp, int *pp)
{
    int domain = s->n_levels > 0 && s->level[0].domain_chips > 0 ? s->level[0].domain_chips : max_chips;
    for (int n = 1; n <= max_chips; n *= 2) {
        int t = n;
        while (t > 1 && (t > domain || m->n_heads % t != 0 ||
                         (m->attn == ATTN_GQA && m->n_kv_heads % t != 0 && t % m->n_kv_heads != 0)))
            t /= 2;
        int p = n / t;
        if (p > m->n_layers)
            continue;
        deploy_cfg_t c = *cfg;
        c.plan = (plan_t){n, t, p, 1, 1};
        deploy_t dep;
        diag_t d;
        diag_clear(&d);
        if (deploy_setup(&dep, m, s, &c, &d) != IS_OK)
            continue;
        if (predict_max_batch(&dep, (double)isl + osl, PREDICT_PREFILL_CHUNK, isl) >= 1) {
            if (tp) *tp = t;
            if (pp) *pp = p;
            return n;
        }
    }
    return 0;
}
