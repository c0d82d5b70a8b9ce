/*
 * system.c — queries over a system description.
 */
#include "system.h"

#include <string.h>

const char *const topology_names[TOPO_COUNT] = {
#define X(e, s) s,
    TOPOLOGIES(X)
#undef X
};

double system_peak_flops(const system_t *s, compute_class_t cc, compute_class_t *used)
{
    compute_class_t c = cc;
    while (c != CC_NONE) {
        if (s->peak_flops[c] > 0) {
            if (used)
                *used = c;
            return s->peak_flops[c];
        }
        /* bf16 and fp16 run on the same units: try the sibling before going wider */
        if (c == CC_BF16 && s->peak_flops[CC_FP16] > 0) {
            if (used)
                *used = CC_FP16;
            return s->peak_flops[CC_FP16];
        }
        c = compute_class_fallback(c);
    }
    if (used)
        *used = CC_NONE;
    return 0.0;
}

double system_capacity(const system_t *s)
{
    double c = 0;
    for (int i = 0; i < s->n_tiers; i++)
        c += s->tier[i].capacity_B;
    return c;
}

double system_energy_per_flop(const system_t *s, compute_class_t cc)
{
    for (compute_class_t c = cc; c != CC_NONE; c = compute_class_fallback(c)) {
        if (s->energy_J_per_flop[c] > 0)
            return s->energy_J_per_flop[c];
        if (c == CC_BF16 && s->energy_J_per_flop[CC_FP16] > 0)
            return s->energy_J_per_flop[CC_FP16];
    }
    return 0.0;
}

double system_flop_energy(const system_t *s, compute_class_t cc)
{
    double e = system_energy_per_flop(s, cc);
    if (e <= 0) {
        double peak = system_peak_flops(s, cc, NULL);
        e = peak > 0 && s->tdp_W > s->idle_W ? (s->tdp_W - s->idle_W) / peak : 0;
    }
    return e;
}

double system_weight_efficiency(const mem_tier_t *t, const char *format)
{
    for (int k = 0; k < t->n_weight_eff; k++)
        if (!strcmp(t->weight_eff[k].format, format))
            return t->weight_eff[k].eff;
    return t->efficiency;
}

int system_read_only_tier(const system_t *s)
{
    for (int i = 0; i < s->n_tiers; i++)
        if (s->tier[i].read_only && !s->tier[i].spill_only)
            return i;
    return -1;
}
