/*
 * paper_yaml.h — the paper's figures (data/paper/technologies.yaml): the memory technologies
 * of its Table 3 with their citations, and the parameters of its research directions (HBF
 * stacks per chip, 3D stacking's bandwidth and energy, interconnect latency, PIM and PNM).
 * The study and the search's `directions.*` sweep fields both read them from here.
 */
#ifndef INFERSIM_PAPER_YAML_H
#define INFERSIM_PAPER_YAML_H

#include "../core/diag.h"

/* One memory technology of Table 3 (tech[0] HBF, tech[1] HBM4, ..., as the file lists them). */
typedef struct tech {
    char name[48];
    double cap_GB, bw_GBps, power_W, read_B, latency_ns, latency_text_ns, endurance, kg_per_GB, usd_per_GB;
} tech_t;

/* The file: technologies, then the directions' parameters. */
typedef struct paper_data {
    int n_tech;
    tech_t tech[8];
    double hbf_stacks, stack_energy_div, stack_bw_mult, stack_logic_frac, lat_div, sram_landing_ns;
    double pnm_gain, pim_gain, pim_bank_MB, pnm_unit_GB, pim_tf_stack, pim_bw_mult, pnm_tf_frac, hbm_stack_GB;
} paper_data_t;

/* Read data/paper/technologies.yaml; a missing or malformed field is an error with file and line. */
status_t paper_load(paper_data_t *p, diag_t *d);

#endif
