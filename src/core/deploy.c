/*
 * deploy.c — validate a parallel plan and precompute per-chip operator tables.
 *
 * Kernel counts per operator (the launches on a decode step's critical path, as in
 * vLLM/TensorRT-LLM with fused residual-add+norm, fused rope+KV-write, fused
 * SiLU-and-mul): one per norm; QKV projection + rope/KV write = 2; attention 1;
 * o_proj 1; MLP gate-up GEMM + activation + down GEMM = 3; router GEMM + top-k = 2;
 * routed experts permute + 2 grouped GEMMs + activation/unpermute = 4; shared
 * experts 3; LM head 1 + sampling 1.
 */
#include "deploy.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const op_kind_names[OP_COUNT] = {
#define X(e, s) s,
    OP_KINDS(X)
#undef X
};

enum {
    K_NORM = 1, K_QKV = 2, K_ATTN = 1, K_OPROJ = 1, K_MLP = 3, K_ROUTER = 2, K_EXPERTS = 4,
    K_SHARED = 3, K_LMHEAD = 2, K_EMBED = 1,
};

/* FLOPs of one RMSNorm per element (square, sum, rsqrt-scale, weight multiply, residual add). */
#define NORM_FLOPS_PER_ELEM 5.0
/* Logits are kept in fp32 for sampling (vLLM, TensorRT-LLM). */
#define LOGITS_BYTES 4.0

precision_t deploy_embed_precision(const precision_t *w)
{
    precision_t p;
    if (w->cc == CC_NONE || w->bits >= 16.0)
        return *w;
    precision_parse("bf16", &p);
    return p;
}

void deploy_cfg_default(deploy_cfg_t *c, const model_t *m)
{
    memset(c, 0, sizeof *c);
    c->plan.chips = c->plan.tp = c->plan.pp = c->plan.ep = c->plan.dp = 1;
    c->weights = m->native_weights;
    c->experts = m->native_experts;
    precision_t bf16;
    precision_parse("bf16", &bf16);
    c->embed = deploy_embed_precision(&m->native_weights);
    if (m->native_weights.bits >= 16 && m->native_experts.bits < 16)
        c->embed = bf16;
    c->kv = bf16;
    c->act = bf16;
    c->kv_block_tokens = 16; /* vLLM's default paged-KV block size */
    c->weights_tier = -1;
    c->kv_tier = -1;
    c->prefix_tier = -1;
}

static op_entry_t *add_op(op_table_t *t, op_kind_t k, double kernels)
{
    op_entry_t *o = &t->ops[t->n_ops++];
    memset(o, 0, sizeof *o);
    o->kind = k;
    o->kernels = kernels;
    return o;
}

static status_t add_coll(op_table_t *t, op_kind_t k, const system_t *s, coll_kind_t ck, int n,
                         double bytes_per_token, int per_lm, diag_t *d)
{
    if (n <= 1)
        return IS_OK;
    op_entry_t *o = add_op(t, k, 0);
    o->is_coll = 1;
    o->coll_bytes_per_token = bytes_per_token;
    o->per_lm_token = per_lm;
    return collective_plan(s, ck, n, &o->coll, d);
}

/* The achievable FLOP/s of compute class cc at a clock factor: its peak (or the fallback class's,
 * into *used) x that class's efficiency; 0 when the chip has none. */
static double class_rate(const system_t *s, compute_class_t cc, double clock, compute_class_t *used)
{
    double peak = system_peak_flops(s, cc, used);
    return peak > 0 ? peak * system_compute_eff(s, *used) * clock : 0.0;
}

/* The rate of a GEMM over weights in format w with activations in act (see deploy_setup). */
static double gemm_rate(const system_t *s, const precision_t *w, const precision_t *act, double act_rate,
                        compute_class_t act_cc, double clock, compute_class_t *cc)
{
    *cc = act_cc;
    /* narrower weights than the GEMMs' inputs (in the class they run in: fp4 activations on a chip
     * without an fp4 path run as bf16) are converted in registers, tile by tile: on a chip whose
     * matrix units take only matching operands the conversions compete with the MMAs for issue
     * slots (chip.mixed_input_efficiency); Blackwell's block-scaled MMA takes fp4 weights against fp8
     * activations as they are (chip.mixed_fp_native) */
    const int native = s->mixed_fp_native && w->cc == CC_FP4 && act_cc == CC_FP8;
    if (w->bits < compute_class_bits(act_cc) && s->mixed_eff > 0 && !native) {
        const double eff = system_compute_eff(s, act_cc);
        return eff > 0 ? act_rate * s->mixed_eff / eff : act_rate;
    }
    if (w->cc == CC_NONE || w->bits <= act->bits)
        return act_rate;
    compute_class_t used;
    double r = class_rate(s, w->cc, clock, &used);
    if (r <= 0)
        return act_rate;
    *cc = used;
    return r;
}

/* A compute class as ops use it: the rate their FLOPs run at and the energy each costs. */
typedef struct op_class {
    double rate, flop_J;
} op_class_t;

static op_class_t op_class(const system_t *s, double rate, compute_class_t cc)
{
    return (op_class_t){rate, system_flop_energy(s, cc)};
}

static void compute_in(op_entry_t *o, const op_class_t *k)
{
    o->flop_rate = k->rate;
    o->flop_J = k->flop_J;
}

double deploy_max_normal(int n)
{
    if (n <= 1)
        return 0.0;
    /* about 35 us each: remembered per thread for the EP sizes a search tries again and again */
    static _Thread_local double known[512];
    if (n < 512 && known[n] > 0)
        return known[n];
    /* the density is negligible outside [-8, 9] for any n up to 10^6 */
    const double lo = -8.0, hi = 9.0;
    const int steps = 680; /* even: h = 0.025 */
    const double h = (hi - lo) / steps;
    double sum = 0;
    for (int i = 0; i <= steps; i++) {
        double x = lo + i * h;
        double phi = exp(-0.5 * x * x) / sqrt(2.0 * M_PI), cdf = 0.5 * erfc(-x / sqrt(2.0));
        double f = x * n * phi * pow(cdf, n - 1.0);
        sum += f * (i == 0 || i == steps ? 1 : i % 2 ? 4 : 2);
    }
    const double z = sum * h / 3.0;
    if (n < 512)
        known[n] = z;
    return z;
}

static status_t plan_error(diag_t *d, const char *flag, const char *fmt, int a, int b)
{
    char msg[256];
    snprintf(msg, sizeof msg, fmt, a, b);
    return diag_error(d, NULL, 0, 0, flag, "%s", msg);
}

/* The smallest multiple of m that is >= x (x, m >= 1). */
static int round_up(int x, int m)
{
    return (x + m - 1) / m * m;
}

static status_t check_plan(const model_t *m, const system_t *s, const plan_t *p, int slots, diag_t *d)
{
    (void)s;
    if (p->tp < 1 || p->pp < 1 || p->ep < 1 || p->dp < 1)
        return diag_error(d, NULL, 0, 0, "--tp/--pp/--ep/--dp", "parallel degrees must be >= 1");
    if ((long)p->tp * p->pp * p->dp != p->chips)
        return diag_error(d, NULL, 0, 0, "--chips",
                          "%d chips but tp %d x pp %d x dp %d = %ld: the product must equal the chip count",
                          p->chips, p->tp, p->pp, p->dp, (long)p->tp * p->pp * p->dp);
    if (m->n_heads % p->tp != 0)
        return plan_error(d, "--tp", "tp %d does not divide the %d attention heads", p->tp, m->n_heads);
    if (m->attn == ATTN_GQA && m->n_kv_heads % p->tp != 0 && p->tp % m->n_kv_heads != 0)
        return plan_error(d, "--tp", "tp %d and the %d KV heads must divide one another", p->tp, m->n_kv_heads);
    if (p->pp > m->n_layers || p->pp > DEPLOY_MAX_PP)
        return plan_error(d, "--pp", "pp %d exceeds the %d layers (or the 64-stage limit)", p->pp, m->n_layers);
    if (m->n_experts == 0 && p->ep > 1)
        return plan_error(d, "--ep", "ep %d given but the model has no experts (%d)", p->ep, 0);
    if (slots != 0 && (m->n_experts == 0 || p->ep == 1 || slots < m->n_experts || slots > 64 * m->n_experts))
        return diag_error(d, NULL, 0, 0, "--expert-slots",
                          "redundant expert slots need a MoE model and --ep > 1, and from its %d experts to 64 times "
                          "as many; got %d with ep %d", m->n_experts, slots, p->ep);
    if (p->ep > 1) {
        if (slots == 0 && m->n_experts % p->ep != 0)
            return diag_error(d, NULL, 0, 0, "--ep",
                              "ep %d does not divide the %d experts (redundant copies can fill the groups: "
                              "--expert-slots %d)", p->ep, m->n_experts, round_up(m->n_experts, p->ep));
        if (slots != 0 && slots % p->ep != 0)
            return diag_error(d, NULL, 0, 0, "--expert-slots", "ep %d does not divide the %d expert slots (try %d)",
                              p->ep, slots, round_up(slots, p->ep));
        if ((p->tp * p->dp) % p->ep != 0)
            return plan_error(d, "--ep", "ep %d must divide tp x dp = %d", p->ep, p->tp * p->dp);
        if (p->ep > p->tp && p->ep % p->tp != 0)
            return plan_error(d, "--ep", "ep %d above tp must be a multiple of tp %d", p->ep, p->tp);
        if (p->ep < p->tp && p->tp % p->ep != 0)
            return plan_error(d, "--ep", "ep %d below tp must divide tp %d", p->ep, p->tp);
    }
    return IS_OK;
}

status_t deploy_setup(deploy_t *dep, const model_t *m, const system_t *s, const deploy_cfg_t *cfg, diag_t *d)
{
    memset(dep, 0, sizeof *dep);
    dep->model = m;
    dep->sys = s;
    dep->cfg = *cfg;
    const plan_t *p = &cfg->plan;
    status_t st = check_plan(m, s, p, cfg->expert_slots, d);
    if (st != IS_OK)
        return st;
    if (!(cfg->expert_skew >= 0 && cfg->expert_skew <= 100))
        return diag_error(d, NULL, 0, 0, "--expert-skew", "expected a coefficient of variation from 0 to 100, got %g",
                          cfg->expert_skew);
    if (cfg->expert_skew > 0 && m->n_experts == 0)
        return diag_error(d, NULL, 0, 0, "--expert-skew", "given but %s has no experts", m->name);
    if (cfg->expert_skew > 0 && p->ep == 1)
        diag_warn(d, "--expert-skew: without expert parallelism every expert is on each chip, so the skew changes nothing");

    const double dm = m->hidden, tp = p->tp;
    const double wb = precision_bytes(&cfg->weights), eb = precision_bytes(&cfg->experts);
    const double mb = precision_bytes(&cfg->embed), kb = precision_bytes(&cfg->kv);
    /* GEMM inputs are in the activation format; the residual stream, norms and the
     * collectives that carry it stay in 16 bits (fp8 deployments quantize only GEMM inputs) */
    const double ab = precision_bytes(&cfg->act);
    const double sb = cfg->act.bits > 16 ? ab : 2.0;

    /* compute rates */
    compute_class_t want = cfg->act.cc == CC_NONE ? CC_BF16 : cfg->act.cc;
    double peak = system_peak_flops(s, want, &dep->gemm_cc);
    if (peak <= 0)
        return diag_error(d, s->path, 0, 0, "chip.peak_TFLOPs", "%s has no compute rate usable for %s GEMMs",
                          s->name, cfg->act.name);
    if (dep->gemm_cc != want)
        diag_warn(d, "%s has no %s fast path: GEMMs run at its %s rate", s->name,
                  compute_class_names[want], compute_class_names[dep->gemm_cc]);
    /* A thermal cap on the logic (compute under or over DRAM in a 3D stack) is met by a lower
     * clock and voltage.  Dynamic power goes as C V^2 f and, across the DVFS range, V with f,
     * so power falls as f^3 (Hennessy & Patterson, Computer Architecture, ch. 1): the clock is
     * (cap / dynamic power at full clock)^(1/3).  FLOP/s scale with the clock; memory
     * bandwidth does not (the DRAM interface keeps its own clock). */
    dep->clock_factor = 1.0;
    if (s->logic_power_cap_W > 0 && s->tdp_W > s->idle_W && s->logic_power_cap_W < s->tdp_W - s->idle_W) {
        dep->clock_factor = cbrt(s->logic_power_cap_W / (s->tdp_W - s->idle_W));
        diag_warn(d, "%s: the %.0f W logic power cap (of %.0f W dynamic at full clock) lowers the clock to %.0f%%",
                  s->name, s->logic_power_cap_W, s->tdp_W - s->idle_W, 100 * dep->clock_factor);
    }
    const double eff = system_compute_eff(s, dep->gemm_cc);
    const double rate = peak * eff * dep->clock_factor;
    dep->gemv_speedup = eff > 0 && s->gemv_eff > 0 ? s->gemv_eff / eff : 1.0;
    /* Attention kernels (FlashAttention, FlashMLA) compute QK^T and PV in 16 bits, or in fp8
     * when both the KV cache and the GEMM inputs are 8-bit or narrower (FlashAttention-3 fp8);
     * never in 4 bits, whatever the weights are.  MLA's kernels read an fp8 latent cache and
     * compute in bf16: FlashMLA "dequantizes the cache to bfloat16 and performs attention
     * computation in bfloat16" on SM90 and SM100 (deepseek-ai/FlashMLA README @066b5ba). */
    compute_class_t attn_cc =
        (cfg->kv.cc == CC_FP8 && cfg->act.bits <= 8 && m->attn != ATTN_MLA) ? CC_FP8 : CC_BF16;
    if (cfg->act.cc == CC_FP32)
        attn_cc = CC_FP32;
    compute_class_t attn_used;
    const double attn_rate = class_rate(s, attn_cc, dep->clock_factor, &attn_used);
    /* Both operands of a tensor-core GEMM share a format: weights stored in a wider format
     * that has a compute path of its own run at that format's rate (an NVFP4 checkpoint's
     * fp8 attention projections beside its fp4 experts, TensorRT-LLM blog 3); narrower
     * weights, or weight-only formats (int4 AWQ, q4_k, mxfp4 without fp4 activations), are
     * widened to the activations' format and run at theirs. */
    const double dense_rate = gemm_rate(s, &cfg->weights, &cfg->act, rate, dep->gemm_cc, dep->clock_factor, &dep->dense_cc);
    const double expert_rate =
        gemm_rate(s, &cfg->experts, &cfg->act, rate, dep->gemm_cc, dep->clock_factor, &dep->expert_cc);
    /* each op computes in one of these, at its rate and its energy per FLOP */
    const op_class_t k_act = op_class(s, rate, dep->gemm_cc), k_dense = op_class(s, dense_rate, dep->dense_cc),
                     k_expert = op_class(s, expert_rate, dep->expert_cc), k_attn = op_class(s, attn_rate, attn_used);

    /* attention shapes per chip */
    const double heads = m->n_heads / tp;
    double kvh = 1, q_p, kv_p, o_p, kv_tok, kv_run;
    if (m->attn == ATTN_MLA) {
        double qk = m->qk_nope_dim + m->qk_rope_dim;
        q_p = m->q_lora_rank > 0 ? dm * m->q_lora_rank + m->q_lora_rank + (double)m->q_lora_rank * heads * qk
                                 : dm * heads * qk;
        kv_p = dm * (m->kv_lora_rank + m->qk_rope_dim) + m->kv_lora_rank +
               (double)m->kv_lora_rank * heads * (m->qk_nope_dim + m->v_head_dim);
        o_p = heads * m->v_head_dim * dm;
        kv_tok = (m->kv_lora_rank + m->qk_rope_dim) * kb; /* latent replicated on every TP chip */
        kv_run = (double)cfg->kv_block_tokens * (m->kv_lora_rank + m->qk_rope_dim) * kb;
        dep->kv_replication = tp;
    } else {
        kvh = m->n_kv_heads >= p->tp ? m->n_kv_heads / tp : 1.0;
        dep->kv_replication = kvh * tp / m->n_kv_heads;
        q_p = dm * heads * m->head_dim;
        kv_p = 2.0 * dm * kvh * m->head_dim;
        o_p = heads * m->head_dim * dm;
        kv_tok = 2.0 * kvh * m->head_dim * kb;
        kv_run = (double)cfg->kv_block_tokens * m->head_dim * kb;
        if (dep->kv_replication > 1.0)
            diag_warn(d, "tp %d exceeds the %d KV heads: each KV head is replicated on %.0f chips", p->tp,
                      m->n_kv_heads, dep->kv_replication);
    }
    if (m->attn == ATTN_MLA && p->tp > 1)
        diag_warn(d, "MLA's latent KV cache is replicated on each of the %d TP chips (DP attention with --dp avoids it)",
                  p->tp);
    for (int i = 0; i < s->n_tiers; i++) {
        double g = s->tier[i].access_B > 0 ? s->tier[i].access_B : 1;
        dep->kv_gran_mult[i] = ceil(kv_run / g) * g / kv_run;
    }

    /* experts */
    int ep = p->ep;
    double moe_tp = ep <= p->tp ? tp / ep : 1.0;
    dep->moe_token_factor = ep > p->tp ? (double)ep / p->tp : 1.0;
    /* with redundant slots, a token's top_k experts are served by one copy each, the copies of an
     * expert sharing its load evenly: every slot sees a token's assignment with probability
     * top_k / slots (uniform routing), as if the model had that many experts */
    const double slots = cfg->expert_slots > 0 ? cfg->expert_slots : m->n_experts;
    dep->moe_keep_log = m->n_experts > 0 ? log1p(-(double)m->top_k / slots) : 0.0;
    if (m->n_experts > 0 && m->top_k == m->n_experts && slots == m->n_experts)
        dep->moe_keep_log = -1e300;
    if (m->n_experts > 1 && ep > 1) {
        const double E = slots, k = m->top_k;
        dep->moe_group_var = k / ep * (1.0 - 1.0 / ep) * (E - k) / (E - 1.0);
        dep->moe_max_z = deploy_max_normal(ep);
        dep->moe_skew_var = cfg->expert_skew * cfg->expert_skew * (ep - 1.0) / (E - 1.0);
    }

    double ws_per_tok = 2.0 * dm; /* residual stream in and out */
    double class_w[MODEL_MAX_CLASSES];
    for (int c = 0; c < m->n_classes; c++) {
        op_table_t *t = &dep->layer[c];
        const layer_params_t *lp = &m->class_params[c];
        t->n_ops = 0;
        double norms_n = lp->norms / dm;
        double bias_chip = lp->attn_bias / tp;
        double wsum = 0;

        op_entry_t *o = add_op(t, OP_NORM, norms_n * K_NORM);
        o->flops_per_token = norms_n * NORM_FLOPS_PER_ELEM * dm;
        compute_in(o, &k_act);
        o->weight_bytes = lp->norms * mb;
        o->weight_run_B = dm * mb; /* one norm vector */
        o->act_bytes_per_token = norms_n * 3.0 * dm * sb; /* read x and residual, write y */
        o->ew_bytes_per_token = cfg->elementwise_B_per_token; /* an unfused stack's other passes */
        wsum += o->weight_bytes;

        o = add_op(t, OP_QKV, K_QKV);
        o->flops_per_token = 2.0 * (q_p + kv_p);
        compute_in(o, &k_dense);
        o->weight_bytes = (q_p + kv_p + bias_chip) * wb;
        o->wfmt = WF_WEIGHTS;
        double qkv_out = m->attn == ATTN_MLA ? heads * (m->qk_nope_dim + m->qk_rope_dim) + m->kv_lora_rank + m->qk_rope_dim
                                             : heads * m->head_dim + 2.0 * kvh * m->head_dim;
        o->act_bytes_per_token = (dm + qkv_out) * ab;
        wsum += o->weight_bytes;

        o = add_op(t, OP_ATTN, K_ATTN);
        o->flops_per_pair_dec = model_attn_flops_per_pair(m, 1) / tp;
        o->flops_per_pair_pre = model_attn_flops_per_pair(m, 0) / tp;
        o->exp_s_per_pair = s->exp_rate > 0 ? heads / s->exp_rate : 0.0;
        compute_in(o, &k_attn);
        o->kv_bytes_per_kvtok = kv_tok;
        o->kv_write_per_token = kv_tok;
        o->kv_dec_rereads = cfg->decode_attn_per_head && heads > kvh ? heads / kvh - 1.0 : 0.0;
        double attn_out = heads * (m->attn == ATTN_MLA ? m->v_head_dim : m->head_dim);
        o->act_bytes_per_token = (qkv_out + attn_out) * ab;

        o = add_op(t, OP_OPROJ, K_OPROJ);
        o->flops_per_token = 2.0 * o_p;
        compute_in(o, &k_dense);
        o->weight_bytes = o_p * wb;
        o->wfmt = WF_WEIGHTS;
        o->act_bytes_per_token = (attn_out + dm) * ab;
        wsum += o->weight_bytes;
        if ((st = add_coll(t, OP_TP_ALLREDUCE, s, COLL_ALLREDUCE, p->tp, dm * sb, 0, d)) != IS_OK)
            return st;

        if (m->classes[c].moe) {
            o = add_op(t, OP_ROUTER, K_ROUTER);
            o->flops_per_token = 2.0 * lp->router;
            compute_in(o, &k_act);
            o->weight_bytes = lp->router * mb; /* routers stay in 16 bits in quantized checkpoints */
            o->act_bytes_per_token = (dm + m->n_experts) * ab;
            wsum += o->weight_bytes;

            o = add_op(t, OP_EXPERTS, K_EXPERTS);
            o->flops_per_token = 2.0 * lp->expert * m->top_k / tp;
            compute_in(o, &k_expert);
            o->experts_local = slots / ep;
            o->expert_bytes = lp->expert * eb / moe_tp;
            o->wfmt = WF_EXPERTS;
            o->weight_run_B = o->expert_bytes / m->mlp_matrices; /* one matrix of one expert shard */
            /* each chip serves its expert group's share of the group's assignments: replica tokens
             * x moe_token_factor (the EP group's tokens) x top_k / ep, each reading its hidden vector,
             * writing its output and passing its gate, up and activation (of the shard) */
            o->act_bytes_per_token = m->top_k * (2.0 * dm + 3.0 * m->moe_intermediate / moe_tp) * ab / ep *
                                     dep->moe_token_factor;
            wsum += o->experts_local * o->expert_bytes;
            double ew = m->top_k * (dm + 3.0 * m->moe_intermediate / moe_tp) * ab;
            if (ew > ws_per_tok) ws_per_tok = ew;

            if (lp->shared > 0) {
                o = add_op(t, OP_SHARED, K_SHARED);
                o->flops_per_token = 2.0 * lp->shared / tp;
                compute_in(o, &k_dense);
                o->weight_bytes = lp->shared / tp * wb;
                o->wfmt = WF_WEIGHTS;
                o->act_bytes_per_token = (2.0 * dm + 3.0 * m->shared_intermediate / tp) * ab;
                wsum += o->weight_bytes;
            }
            if (ep > p->tp) {
                /* dispatch and combine: each chip sends its 1/tp share of tokens x top_k hidden
                 * vectors.  They go out in the GEMM input format and come back in 16 bits, to be
                 * summed at their origin: DeepEP's "FP8 dispatching and BF16 combining"
                 * (deepseek-ai/DeepEP README.md @0aaa6744, Performance). */
                double msg_out = m->top_k * dm * ab / tp, msg_back = m->top_k * dm * sb / tp;
                if ((st = add_coll(t, OP_EP_ALLTOALL, s, COLL_ALLTOALL, ep, msg_out, 0, d)) != IS_OK)
                    return st;
                if ((st = add_coll(t, OP_EP_ALLTOALL, s, COLL_ALLTOALL, ep, msg_back, 0, d)) != IS_OK)
                    return st;
                if (lp->shared > 0 && (st = add_coll(t, OP_TP_ALLREDUCE, s, COLL_ALLREDUCE, p->tp, dm * sb, 0, d)) != IS_OK)
                    return st;
            } else if ((st = add_coll(t, OP_TP_ALLREDUCE, s, COLL_ALLREDUCE, p->tp, dm * sb, 0, d)) != IS_OK) {
                return st;
            }
        } else {
            double inter = m->intermediate / tp;
            o = add_op(t, OP_MLP, K_MLP);
            o->flops_per_token = 2.0 * lp->mlp / tp;
            compute_in(o, &k_dense);
            o->weight_bytes = lp->mlp / tp * wb;
            o->wfmt = WF_WEIGHTS;
            o->act_bytes_per_token = (2.0 * dm + 3.0 * inter) * ab;
            wsum += o->weight_bytes;
            if ((dm + 3.0 * inter) * ab > ws_per_tok) ws_per_tok = (dm + 3.0 * inter) * ab;
            if ((st = add_coll(t, OP_TP_ALLREDUCE, s, COLL_ALLREDUCE, p->tp, dm * sb, 0, d)) != IS_OK)
                return st;
        }
        class_w[c] = wsum;
    }

    /* first stage: embedding gather (vocab-parallel: partial rows summed by an all-reduce) */
    op_entry_t *o = add_op(&dep->first, OP_EMBED, K_EMBED);
    compute_in(o, &k_act);
    o->act_bytes_per_token = dm * (mb + ab);
    if ((st = add_coll(&dep->first, OP_TP_ALLREDUCE, s, COLL_ALLREDUCE, p->tp, dm * sb, 0, d)) != IS_OK)
        return st;
    double embed_chip = m->p_embed / tp * mb;

    /* last stage: final norm, LM head over the logits tokens, gather of vocab shards */
    o = add_op(&dep->last, OP_NORM, K_NORM);
    o->flops_per_token = NORM_FLOPS_PER_ELEM * dm;
    compute_in(o, &k_act);
    o->weight_bytes = dm * mb;
    o->weight_run_B = dm * mb;
    o->act_bytes_per_token = 3.0 * dm * sb;
    o = add_op(&dep->last, OP_LMHEAD, K_LMHEAD);
    o->per_lm_token = 1;
    o->flops_per_token = 2.0 * m->vocab / tp * dm;
    compute_in(o, &k_act);
    double head_chip = m->vocab / tp * dm * mb;
    o->weight_bytes = head_chip;
    o->act_bytes_per_token = (dm * ab + m->vocab / tp * LOGITS_BYTES);
    if ((st = add_coll(&dep->last, OP_LOGITS_GATHER, s, COLL_ALLGATHER, p->tp, m->vocab * sb, 1, d)) != IS_OK)
        return st;
    dep->logits_B_per_token = m->vocab / tp * LOGITS_BYTES;
    dep->act_B_per_token = ws_per_tok + 2.0 * dm * ab;

    /* pipeline: contiguous stages; activations sent across each boundary */
    if (p->pp > 1) {
        int span = 2 * p->tp * p->dp;
        if (span > p->chips) span = p->chips;
        /* p2p between the two neighbouring stages over the level spanning both */
        memset(&dep->pp_send, 0, sizeof dep->pp_send);
        dep->pp_send.kind = OP_PP_SENDRECV;
        dep->pp_send.is_coll = 1;
        dep->pp_send.coll_bytes_per_token = dm * sb;
        if ((st = collective_plan(s, COLL_SENDRECV, span, &dep->pp_send.coll, d)) != IS_OK)
            return st;
    }
    for (int i = 0; i < m->n_layers; i++) {
        int stage = (int)((long)i * p->pp / m->n_layers);
        dep->stage_layers[stage][m->layer_class[i]]++;
    }
    for (int sg = 0; sg < p->pp; sg++) {
        double w = 0;
        for (int c = 0; c < m->n_classes; c++) {
            w += dep->stage_layers[sg][c] * class_w[c];
            double kv_c = kv_tok;
            dep->kv_B_per_ctx_token[sg][c] = dep->stage_layers[sg][c] * kv_c;
        }
        if (sg == 0)
            w += embed_chip;
        if (sg == p->pp - 1) {
            w += dm * mb; /* final norm */
            if (!m->tie_embeddings || p->pp > 1)
                w += head_chip;
        }
        dep->weight_B[sg] = w;
    }

    /* weight reads smaller than a tier's access unit waste the rest of it (flash pages) */
    op_table_t *tables[MODEL_MAX_CLASSES + 2];
    int nt = 0;
    for (int c = 0; c < m->n_classes; c++)
        tables[nt++] = &dep->layer[c];
    tables[nt++] = &dep->first;
    tables[nt++] = &dep->last;
    /* A software stack's own launch count per step.  More than the operators above: the extra
     * kernels are element-wise ones (norms in several passes, rotary embedding, activation,
     * residual adds, casts) that a fused stack folds into its GEMMs and attention; they go to
     * each layer's norm operator.  Fewer: every operator's count scales down. */
    if (cfg->kernels_per_step > 0) {
        double own = 0;
        for (int k = 0; k < nt; k++) {
            double n = k < m->n_classes ? m->classes[k].count : 1.0;
            for (int j = 0; j < tables[k]->n_ops; j++)
                own += n * tables[k]->ops[j].kernels;
        }
        double extra = cfg->kernels_per_step - own;
        for (int k = 0; k < nt && own > 0; k++)
            for (int j = 0; j < tables[k]->n_ops; j++) {
                op_entry_t *op = &tables[k]->ops[j];
                if (extra < 0)
                    op->kernels *= cfg->kernels_per_step / own;
                else if (k < m->n_classes && op->kind == OP_NORM)
                    op->kernels += extra / m->n_layers;
            }
    }
    for (int k = 0; k < nt; k++)
        for (int j = 0; j < tables[k]->n_ops; j++) {
            op_entry_t *op = &tables[k]->ops[j];
            double run = op->weight_run_B > 0 ? op->weight_run_B : op->weight_bytes;
            double wtot = op->weight_bytes + op->experts_local * op->expert_bytes;
            for (int i = 0; i < s->n_tiers; i++) {
                double g = s->tier[i].access_B > 0 ? s->tier[i].access_B : 1;
                op->w_gran_mult[i] = run > 0 ? ceil(run / g) * g / run : 1.0;
                op->near_units[i] = s->tier[i].unit_B > 0 && wtot > 0 ? ceil(wtot / s->tier[i].unit_B) : 1.0;
                const precision_t *f = op->wfmt == WF_WEIGHTS ? &cfg->weights
                                       : op->wfmt == WF_EXPERTS ? &cfg->experts
                                                                : &cfg->embed;
                double we = system_weight_efficiency(&s->tier[i], f->name);
                /* a grouped GEMM over the experts streams their weights at its own rate */
                if (op->wfmt == WF_EXPERTS && s->tier[i].grouped_efficiency > 0 && s->tier[i].grouped_efficiency < we)
                    we = s->tier[i].grouped_efficiency;
                op->w_bw_mult[i] = we > 0 ? s->tier[i].efficiency / we : 1.0;
            }
        }
    /* latency hiding: sustaining bandwidth B with latency L needs B x L bytes in flight; the
     * chip's on-chip SRAM (caches, scratchpads) is where they land.  When it cannot hold them,
     * the tier delivers at most SRAM / L.  (All of the SRAM counted: an upper bound.) */
    for (int i = 0; i < s->n_tiers; i++) {
        const mem_tier_t *t = &s->tier[i];
        double bw = t->bw_Bps * t->efficiency;
        dep->ew_bw_mult[i] = t->copy_efficiency > 0 ? t->efficiency / t->copy_efficiency : 1.0;
        dep->inflight_need_B[i] = bw * t->latency_s;
        dep->inflight_held[i] = 1;
        dep->tier_bw[i] = bw;
        if (s->sram_B > 0 && t->latency_s > 0 && dep->inflight_need_B[i] > s->sram_B) {
            dep->inflight_held[i] = 0;
            dep->tier_bw[i] = s->sram_B / t->latency_s;
            diag_warn(d, "%s: %.0f GB/s at %.1f us latency needs %.1f MB in flight but the chip has %.1f MB of SRAM: "
                         "the tier delivers %.0f GB/s (%.0f%% of its bandwidth)",
                      t->name, bw / 1e9, t->latency_s * 1e6, dep->inflight_need_B[i] / 1e6, s->sram_B / 1e6,
                      dep->tier_bw[i] / 1e9, 100 * dep->tier_bw[i] / bw);
        }
    }
    /* processing in/near memory: the tier's logic runs at its own peak and efficiency, on
     * the bandwidth it sees inside the memory */
    for (int i = 0; i < s->n_tiers; i++)
        if (s->tier[i].near_flops > 0) {
            dep->has_near = 1;
            dep->near_rate[i] = s->tier[i].near_flops * s->compute_eff;
            dep->near_bw[i] = s->tier[i].near_bw_Bps * s->tier[i].efficiency;
        }
    /* placement choices */
    if (cfg->weights_tier >= s->n_tiers || cfg->kv_tier >= s->n_tiers || cfg->prefix_tier >= s->n_tiers)
        return diag_error(d, NULL, 0, 0, "--weights-tier/--kv-tier", "%s has %d memory tiers", s->name, s->n_tiers);
    if (cfg->kv_tier >= 0 && s->tier[cfg->kv_tier].read_only && !cfg->allow_wear)
        return diag_error(d, s->path, 0, 0, "--kv-tier",
                          "the KV cache is written every token but tier %s is read-only (flash, %.0f P/E cycles): "
                          "keep it on a writable tier, or pass --allow-wear for a lifetime estimate",
                          s->tier[cfg->kv_tier].name, s->tier[cfg->kv_tier].endurance_pe);

    /* sanity warnings */
    if (cfg->kv.cc == CC_NONE && cfg->kv.bits < 8)
        diag_warn(d, "KV cache in %s: a weight-only block format; accuracy is not modelled", cfg->kv.name);
    return IS_OK;
}

double deploy_weight_bytes(const deploy_t *dep)
{
    double w = 0;
    for (int s = 0; s < dep->cfg.plan.pp; s++)
        if (dep->weight_B[s] > w)
            w = dep->weight_B[s];
    return w;
}

double deploy_near_shards(const deploy_t *dep, int tier, double *bcast_B)
{
    double units = 0, bytes = 0;
    const model_t *m = dep->model;
    for (int k = 0; k < m->n_classes + 2; k++) {
        const op_table_t *t = k < m->n_classes ? &dep->layer[k] : k == m->n_classes ? &dep->first : &dep->last;
        double n = k < m->n_classes ? dep->stage_layers[0][k] : 1;
        for (int j = 0; j < t->n_ops; j++) {
            const op_entry_t *o = &t->ops[j];
            if (o->is_coll || (o->weight_bytes <= 0 && o->experts_local <= 0))
                continue;
            units += n * o->near_units[tier];
            bytes += n * o->act_bytes_per_token * o->near_units[tier];
        }
    }
    if (bcast_B)
        *bcast_B = bytes;
    return units;
}

static double stage_kv(const deploy_t *dep, int sg, double seqs, double ctx)
{
    const model_t *m = dep->model;
    double b = 0;
    for (int c = 0; c < m->n_classes; c++) {
        double len = ctx;
        if (m->classes[c].window > 0 && len > m->classes[c].window)
            len = m->classes[c].window;
        b += dep->kv_B_per_ctx_token[sg][c] * len;
    }
    return b * seqs;
}

double deploy_kv_bytes(const deploy_t *dep, double seqs, double ctx)
{
    double k = 0;
    for (int s = 0; s < dep->cfg.plan.pp; s++) {
        double v = stage_kv(dep, s, seqs, ctx);
        if (v > k)
            k = v;
    }
    return k;
}

double deploy_workspace_bytes(const deploy_t *dep, double step_tokens, double logits_tokens)
{
    return step_tokens * dep->act_B_per_token + logits_tokens * dep->logits_B_per_token;
}

void deploy_place(const deploy_t *dep, double seqs, double ctx, double step_tokens, placement_t *pl)
{
    const system_t *s = dep->sys;
    memset(pl, 0, sizeof *pl);
    double free_B[SYS_MAX_TIERS];
    for (int i = 0; i < s->n_tiers; i++)
        free_B[i] = s->tier[i].capacity_B;
    int at = 0;
    while (at < s->n_tiers && s->tier[at].read_only)
        at++;
    pl->act_tier = at;
    double lm = seqs < step_tokens ? seqs : step_tokens;
    double ws = deploy_workspace_bytes(dep, step_tokens, lm) + s->reserved_B;
    free_B[at] -= ws;
    pl->used_B[at] += ws;
    int fits = free_B[at] >= 0;
    if (free_B[at] < 0)
        free_B[at] = 0;

    const deploy_cfg_t *cfg = &dep->cfg;
    /* a shared prefix: cached once, first on its tier (read-only allowed: written once), else
     * with the rest; each sequence keeps only its own tokens (window caps apply to both) */
    double P = cfg->shared_prefix > 0 && cfg->shared_prefix < ctx ? cfg->shared_prefix : 0;
    double kv = deploy_kv_bytes(dep, seqs, ctx - P), w = deploy_weight_bytes(dep);
    if (P > 0) {
        double kp = deploy_kv_bytes(dep, 1, P), lp = kp;
        for (int k = -1; k < s->n_tiers && lp > 0; k++) {
            int i = k < 0 ? cfg->prefix_tier : k;
            if (i < 0 || (k >= 0 && (s->tier[i].read_only || i == cfg->prefix_tier)))
                continue;
            double take = lp < free_B[i] ? lp : free_B[i];
            free_B[i] -= take;
            pl->used_B[i] += take;
            pl->kv_prefix[i] = take / kp;
            lp -= take;
        }
        if (lp > 0)
            fits = 0;
    }
    double left = kv;
    if (cfg->kv_tier >= 0) {
        /* a forced tier holds all of the KV cache or the deployment does not fit */
        int i = cfg->kv_tier;
        double take = left < free_B[i] ? left : free_B[i];
        free_B[i] -= take;
        pl->used_B[i] += take;
        pl->kv[i] = kv > 0 ? take / kv : 0;
        left -= take;
    } else {
        for (int i = 0; i < s->n_tiers && left > 0; i++) {
            if (s->tier[i].read_only)
                continue;
            double take = left < free_B[i] ? left : free_B[i];
            free_B[i] -= take;
            pl->used_B[i] += take;
            pl->kv[i] = kv > 0 ? take / kv : 0;
            left -= take;
        }
    }
    if (left > 0)
        fits = 0;
    if (kv <= 0)
        pl->kv[cfg->kv_tier >= 0 ? cfg->kv_tier : at] = 1.0;
    /* weights: the chosen tier first (unset: a read-only flash tier, which holds weights
     * and nothing else), then the others in file order, fastest first */
    left = w;
    int order[SYS_MAX_TIERS], n = 0;
    int wt = cfg->weights_tier >= 0 ? cfg->weights_tier : system_read_only_tier(s);
    if (wt >= 0)
        order[n++] = wt;
    for (int i = 0; i < s->n_tiers; i++)
        if (i != wt)
            order[n++] = i;
    for (int k = 0; k < n && left > 0; k++) {
        int i = order[k];
        double take = left < free_B[i] ? left : free_B[i];
        free_B[i] -= take;
        pl->used_B[i] += take;
        pl->weights[i] = w > 0 ? take / w : 0;
        left -= take;
    }
    if (left > 0) {
        fits = 0;
        /* keep fractions meaningful for a what-if: overflow counted on the last tier */
        pl->weights[s->n_tiers - 1] += left / w;
        pl->used_B[s->n_tiers - 1] += left;
    }
    pl->fits = fits;
}
