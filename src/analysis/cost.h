/*
 * cost.h — energy, power, cost and carbon of a prediction: joules per token, average
 * power against the TDP, total cost of ownership per million tokens, operational and
 * embodied carbon per million tokens, and how many deployments a site's budgets hold.
 *
 * Energy of a step, per chip: FLOPs x energy per FLOP of the compute format + bytes on
 * each memory tier x 8 x its energy per bit + collective traffic x 8 x the energy per bit
 * of the interconnect level it runs on + idle (static) power x time.  The server adds its host power;
 * the building multiplies by its PUE.  A deployment smaller than a server is charged its
 * share of the server (chips / chips per server) in power, price and carbon.
 *
 * TCO per second: capital (chips, servers, scale-out network share) over the amortisation
 * period + energy at the site's price (busy at the predicted power for `utilization` of
 * the time, idle otherwise) + space per kW of IT load.  Cost per token divides by the
 * tokens served on average (rate x utilization); input and output tokens share the cost
 * by the share of time spent in prefill and decode.
 *
 * Carbon per second: operational (energy x grid intensity) + embodied (chips, their
 * memory per GB, servers) over the amortisation period.
 */
#ifndef INFERSIM_COST_H
#define INFERSIM_COST_H

#include "../core/site.h"
#include "predict.h"

typedef struct cost_result {
    int known;                    /* 0: the system lacks power data: nothing below is meaningful */
    double chip_power_W;          /* average per chip while serving */
    double chip_dynamic_W;        /* of which dynamic */
    double tdp_W;
    int tdp_binds;                /* average power above TDP */
    double tdp_clock_factor;      /* the clock (dynamic power) reduction the cap forces (1 if it does not bind) */
    double it_power_W;            /* chips + hosts while serving */
    double wall_power_W;          /* x PUE */
    double wall_idle_W;           /* when idle */
    double avg_wall_power_W;      /* weighted by utilization */
    double energy_j_per_token;    /* wall energy per output token while serving (prefill's energy included) */
    double energy_j_per_request;  /* wall energy of one request: energy per output token x its output tokens */
    double chip_energy_j_per_token;/* chips only */
    double tokens_per_joule;      /* output tokens per wall joule */
    double prefill_share;         /* share of busy time spent in prefill */
    double battery_tokens;        /* output tokens one battery charge delivers (0: mains powered) */
    double battery_hours;         /* hours of generation on one charge */

    /* TCO */
    double capex_usd;             /* chips + servers + network */
    double capex_chips_usd, capex_servers_usd, capex_network_usd;
    double tco_usd_per_s;
    double tco_capex_usd_per_s, tco_energy_usd_per_s, tco_space_usd_per_s;
    double usd_per_mtok_output, usd_per_mtok_input;

    /* carbon */
    double embodied_kg;           /* chips + memory + servers */
    double gco2e_per_s_operational, gco2e_per_s_embodied;
    double gco2e_per_mtok;        /* per million output tokens, operational + embodied */

    /* budgets (0 when the site sets none) */
    long deployments_by_power, deployments_by_space, deployments_by_carbon;
    long deployments;             /* the tightest; -1 when no budget is set */
    double budget_output_tok_s;   /* tokens/s they deliver (at the predicted rate) */
    char binding_budget[16];
    int servers;                  /* servers it occupies (rounded up; shares are charged by fraction) */
} cost_result_t;

/* Compute the energy, cost and carbon of r (a prediction on sys at site). Warnings for
 * missing data go to d. */
void cost_compute(const predict_result_t *r, const predict_req_t *req, const system_t *sys, const site_t *site,
                  cost_result_t *c, diag_t *d);

/* Dynamic energy (J) of one step's breakdown (engine_step's out) on one chip of dep: its
 * FLOPs, memory bytes and collective traffic at their energies. */
double cost_step_dynamic_J(const deploy_t *dep, const step_cost_t *c);

/* The energy, cost and carbon of a whole run of `seconds` on `chips` chips (a serving
 * simulation): the steps' dynamic energy, idle power and the hosts' share all the time,
 * x PUE; capital and embodied carbon amortised over the run's time; the site's prices. */
typedef struct cost_run {
    int known;                    /* 0: the system lacks power data */
    double seconds;
    double chip_dynamic_J;        /* all chips, all steps */
    double it_J, wall_J;          /* chips (dynamic + idle) and hosts; x PUE */
    double avg_wall_power_W;
    double energy_j_per_token;    /* wall energy per output token */
    double tco_usd;               /* capital share + energy + space for the run */
    double usd_per_mtok_output;   /* the run's whole cost per million output tokens */
    double gco2e;                 /* operational + embodied share */
    double gco2e_per_mtok;
} cost_run_t;

void cost_run(const system_t *s, const site_t *site, int chips, double dynamic_J, double seconds, double out_tokens,
              cost_run_t *o);

#endif
