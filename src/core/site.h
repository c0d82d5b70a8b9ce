/*
 * site.h — where a deployment runs: energy price and carbon, building efficiency,
 * amortisation, utilisation, space, and optional budgets.  Filled from a site file
 * (io/site_yaml.c, docs/site-format.md); SI units; no pointers.
 */
#ifndef INFERSIM_SITE_H
#define INFERSIM_SITE_H

typedef struct site {
    char name[64];
    char path[512];
    double pue;                  /* facility power / IT power */
    double usd_per_J;            /* electricity price, per joule */
    double gco2e_per_J;          /* grid carbon intensity, per joule */
    double amortization_s;       /* capital and embodied carbon spread over this long */
    double utilization;          /* fraction of time serving at the predicted rate */
    double space_usd_per_W_s;    /* space cost per watt of IT load per second */
    double network_usd_per_chip; /* scale-out fabric per chip */
    double power_budget_W;       /* facility power available (0: none) */
    double space_budget_W;       /* IT load the space holds (0: none) */
    double carbon_budget_g_per_s;/* operational + embodied carbon allowed (0: none) */
} site_t;

#endif
