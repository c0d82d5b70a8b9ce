/*
 * directions.c — the paper's directions applied to a system (see directions.h).
 */
#include "directions.h"

#include <stdio.h>
#include <string.h>

void directions_add_hbf(system_t *s, const paper_data_t *p, double stacks, int text_latency)
{
    const tech_t *h = &p->tech[0];
    if (s->n_tiers >= SYS_MAX_TIERS)
        return;
    mem_tier_t *t = &s->tier[s->n_tiers++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "hbf");
    t->capacity_B = h->cap_GB * 1e9 * stacks;
    t->bw_Bps = h->bw_GBps * 1e9 * stacks;
    t->efficiency = s->tier[0].efficiency; /* streaming reads as efficient as the HBM's */
    t->latency_s = (text_latency && h->latency_text_ns > 0 ? h->latency_text_ns : h->latency_ns) * 1e-9;
    t->access_B = h->read_B;
    t->energy_J_per_bit = h->power_W / (h->bw_GBps * 1e9 * 8); /* Table 3's power at full bandwidth */
    t->usd_per_GB = h->usd_per_GB;
    t->endurance_pe = h->endurance;
    t->embodied_kg_per_GB = h->kg_per_GB;
    t->read_only = 1;
    s->chip_usd += h->cap_GB * stacks * h->usd_per_GB;
    s->tdp_W += h->power_W * stacks;
}

void directions_add_3d(system_t *s, const paper_data_t *p)
{
    s->tier[0].bw_Bps *= p->stack_bw_mult;
    s->tier[0].energy_J_per_bit /= p->stack_energy_div;
    if (s->tdp_W > s->idle_W)
        s->logic_power_cap_W = p->stack_logic_frac * (s->tdp_W - s->idle_W);
}

void directions_add_lowlat(system_t *s, const paper_data_t *p)
{
    for (int i = 0; i < s->n_levels; i++) {
        s->level[i].hop_latency_s /= p->lat_div;
        s->level[i].switch_latency_s /= p->lat_div;
    }
    s->collective_launch_s /= p->lat_div;
}

void directions_add_sram_landing(system_t *s, const paper_data_t *p)
{
    for (int i = 0; i < s->n_levels; i++)
        s->level[i].landing_s = p->sram_landing_ns * 1e-9;
}

/* PIM: logic in the DRAM dies, per-stack FLOPs, banks' internal bandwidth, bank-sized shards.
 * PNM: logic on a nearby die (HBM base die, CXL device), a fraction of the chip's FLOPs,
 * the stack's bandwidth, device-sized shards.  Both lower the energy per bit (paper's
 * bandwidth-per-watt gains). */
void directions_add_near(system_t *s, const paper_data_t *p, int pim)
{
    mem_tier_t *t = &s->tier[0];
    if (pim) {
        t->near_flops = t->capacity_B / (p->hbm_stack_GB * 1e9) * p->pim_tf_stack * 1e12;
        t->near_bw_Bps = t->bw_Bps * p->pim_bw_mult;
        t->unit_B = p->pim_bank_MB * 1e6;
        t->energy_J_per_bit /= p->pim_gain;
    } else {
        compute_class_t cc;
        t->near_flops = p->pnm_tf_frac * system_peak_flops(s, CC_BF16, &cc);
        t->near_bw_Bps = t->bw_Bps;
        t->unit_B = p->pnm_unit_GB * 1e9;
        t->energy_J_per_bit /= p->pnm_gain;
    }
}

int directions_apply(system_t *s, const paper_data_t *p, const char *name, double value)
{
    if (!strcmp(name, "hbf_stacks")) {
        if (value > 0)
            directions_add_hbf(s, p, value, 0);
        return 0;
    }
    int on = value != 0;
    if (!strcmp(name, "stack_3d")) {
        if (on) directions_add_3d(s, p);
    } else if (!strcmp(name, "low_latency")) {
        if (on) directions_add_lowlat(s, p);
    } else if (!strcmp(name, "sram_landing")) {
        if (on) directions_add_sram_landing(s, p);
    } else if (!strcmp(name, "pim")) {
        if (on) directions_add_near(s, p, 1);
    } else if (!strcmp(name, "pnm")) {
        if (on) directions_add_near(s, p, 0);
    } else {
        return -1;
    }
    return 0;
}
