/*
 * paper_yaml.c — reads the paper's figures (see paper_yaml.h).
 */
#include "paper_yaml.h"

#include "catalog.h"
#include "yamlread.h"

#include <stdio.h>
#include <string.h>

status_t paper_load(paper_data_t *p, diag_t *d)
{
    memset(p, 0, sizeof *p);
    char path[4200];
    snprintf(path, sizeof path, "%s/paper/technologies.yaml", catalog_data_dir());
    yreader_t r;
    struct fy_node *root;
    status_t st = yr_open_file(&r, path, d, &root);
    if (st != IS_OK)
        return st;
    struct fy_node *mem = yr_get(root, "memory"), *dir = yr_get(root, "directions");
    if (!mem || !fy_node_is_sequence(mem) || !dir) {
        st = yr_err(&r, root, "", "expected memory (a list) and directions (a mapping)");
        goto out;
    }
    for (int i = 0; i < fy_node_sequence_item_count(mem) && p->n_tech < 8; i++) {
        struct fy_node *t = fy_node_sequence_get_by_index(mem, i);
        tech_t *x = &p->tech[p->n_tech++];
        char sec[32];
        snprintf(sec, sizeof sec, "memory[%d]", i);
#define N(key, req, dst) if ((st = yr_num(&r, t, sec, key, req, 0, 0, YR_HUGE, 1.0, 0, dst, NULL)) != IS_OK) goto out
        if ((st = yr_str(&r, t, sec, "name", 1, x->name, sizeof x->name)) != IS_OK)
            goto out;
        N("capacity_GB", 1, &x->cap_GB);
        N("bandwidth_GBps", 1, &x->bw_GBps);
        N("power_W", 1, &x->power_W);
        N("read_B", 1, &x->read_B);
        N("latency_ns", 1, &x->latency_ns);
        N("latency_ns_text", 0, &x->latency_text_ns);
        N("endurance_pe_cycles", 0, &x->endurance);
        N("embodied_kgCO2e_per_GB", 0, &x->kg_per_GB);
        N("usd_per_GB", 0, &x->usd_per_GB);
#undef N
    }
#define D(key, dst) if ((st = yr_num(&r, dir, "directions", key, 1, 0, 1, YR_HUGE, 1.0, 0, dst, NULL)) != IS_OK) goto out
    D("hbf_stacks", &p->hbf_stacks);
    D("stack_energy_per_bit_divisor", &p->stack_energy_div);
    D("stack_bandwidth_multiplier", &p->stack_bw_mult);
    D("stack_logic_power_fraction", &p->stack_logic_frac);
    D("interconnect_latency_divisor", &p->lat_div);
    D("sram_landing_latency_ns", &p->sram_landing_ns);
    D("pnm_bandwidth_per_watt_gain", &p->pnm_gain);
    D("pim_bandwidth_per_watt_gain", &p->pim_gain);
    D("pim_bank_MB", &p->pim_bank_MB);
    D("pnm_unit_GB", &p->pnm_unit_GB);
    D("pim_TFLOPs_per_stack", &p->pim_tf_stack);
    D("pim_internal_bandwidth_multiplier", &p->pim_bw_mult);
    D("pnm_TFLOPs_fraction", &p->pnm_tf_frac);
    D("hbm_stack_GB", &p->hbm_stack_GB);
#undef D
    st = IS_OK;
out:
    yr_close(&r);
    return st;
}
