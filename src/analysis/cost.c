/*
 * cost.c — energy, TCO and carbon (formulas in cost.h).
 */
#include "cost.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Collective traffic per chip is counted as twice the message: an all-reduce sends and
 * receives about 2(n-1)/n of it (ring and two-shot), a gather or all-to-all once each way. */
#define COLL_TRAFFIC_PER_MESSAGE_BYTE 2.0

static double step_dynamic_J(const deploy_t *dep, const step_cost_t *c, int pp);

double cost_step_dynamic_J(const deploy_t *dep, const step_cost_t *c)
{
    return step_dynamic_J(dep, c, dep->cfg.plan.pp);
}

/* What a deployment of `chips` chips costs whatever it does: its share of the servers (a
 * deployment smaller than a server is charged its share), capital, embodied carbon.
 * Returns that share of the servers. */
static double fixed_costs(const system_t *s, const site_t *site, int chips, cost_result_t *c)
{
    const int per_server = s->server_chips > 0 ? s->server_chips : 1;
    const double servers = (double)chips / per_server;
    c->servers = (chips + per_server - 1) / per_server;
    c->capex_chips_usd = s->chip_usd * chips;
    c->capex_servers_usd = s->host_usd * servers;
    c->capex_network_usd = site->network_usd_per_chip * chips;
    c->capex_usd = c->capex_chips_usd + c->capex_servers_usd + c->capex_network_usd;
    double mem_kg = 0;
    for (int i = 0; i < s->n_tiers; i++)
        mem_kg += s->tier[i].capacity_B / 1e9 * s->tier[i].embodied_kg_per_GB;
    c->embodied_kg = chips * (s->embodied_kg + mem_kg) + servers * s->server_embodied_kg;
    return servers;
}

void cost_run(const system_t *s, const site_t *site, int chips, double dynamic_J, double seconds, double out_tokens,
              cost_run_t *o)
{
    memset(o, 0, sizeof *o);
    o->seconds = seconds;
    o->chip_dynamic_J = dynamic_J;
    if (s->tdp_W <= 0 || seconds <= 0)
        return;
    o->known = 1;
    cost_result_t f;
    memset(&f, 0, sizeof f);
    const double servers = fixed_costs(s, site, chips, &f);
    const double pue = s->battery_J > 0 ? 1.0 : site->pue;
    o->it_J = dynamic_J + (s->idle_W * chips + s->host_power_W * servers) * seconds;
    o->wall_J = o->it_J * pue;
    o->avg_wall_power_W = o->wall_J / seconds;
    double usd = f.capex_usd / site->amortization_s * seconds + o->wall_J * site->usd_per_J +
                 o->it_J * site->space_usd_per_W_s;
    double g = o->wall_J * site->gco2e_per_J + f.embodied_kg * 1000.0 / site->amortization_s * seconds;
    o->tco_usd = usd;
    o->gco2e = g;
    if (out_tokens > 0) {
        o->energy_j_per_token = o->wall_J / out_tokens;
        o->usd_per_mtok_output = usd / out_tokens * 1e6;
        o->gco2e_per_mtok = g / out_tokens * 1e6;
    }
}

/* Dynamic energy (J) of a step's breakdown, per chip (pp stages share the column's work): each
 * op's FLOPs at the energy of the class it runs at (engine), bytes at each tier's and level's. */
static double step_dynamic_J(const deploy_t *dep, const step_cost_t *c, int pp)
{
    const system_t *s = dep->sys;
    double e = c->flop_J;
    for (int i = 0; i < s->n_tiers; i++)
        e += c->mem_bytes[i] * 8.0 * s->tier[i].energy_J_per_bit;
    for (int l = 0; l < s->n_levels; l++)
        e += c->net_bytes_level[l] * COLL_TRAFFIC_PER_MESSAGE_BYTE * 8.0 * s->level[l].energy_J_per_bit;
    return e / pp;
}

void cost_compute(const predict_result_t *r, const predict_req_t *req, const system_t *s, const site_t *site,
                  cost_result_t *c, diag_t *d)
{
    memset(c, 0, sizeof *c);
    const plan_t *p = &req->cfg.plan;
    const int chips = p->chips, pp = p->pp;
    const int per_server = s->server_chips > 0 ? s->server_chips : 1;
    c->servers = (chips + per_server - 1) / per_server;
    /* a deployment smaller than a server uses its share of the host (the rest serves others) */
    const double servers = (double)chips / per_server;
    c->tdp_W = s->tdp_W;
    c->deployments = -1;
    if (s->tdp_W <= 0) {
        diag_warn(d, "%s has no power data (power.tdp_W): energy, cost and carbon are not computed", s->name);
        return;
    }
    c->known = 1;

    /* energy per FLOP: from the file, else the (TDP - idle) / peak upper bound */
    double e_flop = system_flop_energy(s, r->depp->gemm_cc);
    if (system_energy_per_flop(s, r->depp->gemm_cc) <= 0) {
        diag_warn(d, "%s gives no chip.energy_pJ_per_flop: took (TDP - idle) / peak = %.3f pJ per FLOP, an upper bound",
                  s->name, e_flop * 1e12);
    }

    /* busy power: decode and prefill phases weighted by their share of time */
    double t_dec = r->decode.cost.time_s, t_pre = r->prefill.cost.time_s;
    double P_dec = t_dec > 0 ? step_dynamic_J(r->depp, &r->decode.cost, pp) / t_dec : 0;
    double P_pre = t_pre > 0 ? step_dynamic_J(r->depp, &r->prefill.cost, pp) / t_pre : 0;
    double share;
    if (r->steady) {
        /* per output token: decode step time plus the prefill interleaved with it */
        share = r->tpot_s > 0 ? 1.0 - r->decode.step_s / r->tpot_s : 0;
    } else {
        share = r->e2e_s > 0 ? r->ttft_s / r->e2e_s : 0;
    }
    if (share < 0) share = 0;
    if (share > 1) share = 1;
    c->prefill_share = share;
    c->chip_dynamic_W = share * P_pre + (1 - share) * P_dec;
    c->chip_power_W = s->idle_W + c->chip_dynamic_W;
    c->tdp_clock_factor = 1.0;
    if (c->chip_power_W > s->tdp_W) {
        c->tdp_binds = 1;
        /* dynamic power ~ frequency at fixed voltage: the clock falls by the ratio that
         * brings dynamic power under the cap */
        c->tdp_clock_factor = (s->tdp_W - s->idle_W) / c->chip_dynamic_W;
        diag_warn(d, "average chip power %.0f W exceeds the %.0f W TDP: the chip would run at %.0f%% clock "
                     "(compute-bound time stretches by up to %.0f%%)",
                  c->chip_power_W, s->tdp_W, 100 * c->tdp_clock_factor, 100 * (1 / c->tdp_clock_factor - 1));
    }
    c->it_power_W = c->chip_power_W * chips + s->host_power_W * servers;
    /* a battery device is its own building: no PUE */
    const double pue = s->battery_J > 0 ? 1.0 : site->pue;
    c->wall_power_W = c->it_power_W * pue;
    c->wall_idle_W = (s->idle_W * chips + s->host_power_W * servers) * pue;
    c->avg_wall_power_W = site->utilization * c->wall_power_W + (1 - site->utilization) * c->wall_idle_W;
    double out = r->output_tok_s, in = r->total_tok_s - r->output_tok_s;
    if (out > 0) {
        c->energy_j_per_token = c->wall_power_W / out;
        c->energy_j_per_request = c->energy_j_per_token * req->osl; /* all of a request's energy, prefill included */
        c->chip_energy_j_per_token = c->chip_power_W * chips / out;
        c->tokens_per_joule = 1.0 / c->energy_j_per_token;
    }

    /* a battery: the device draws its chip and host power (no building, no PUE) */
    if (s->battery_J > 0 && out > 0 && c->it_power_W > 0) {
        c->battery_hours = s->battery_J / c->it_power_W / 3600.0;
        c->battery_tokens = s->battery_J / c->it_power_W * out;
    }

    /* TCO */
    fixed_costs(s, site, chips, c);
    if (s->chip_usd <= 0)
        diag_warn(d, "%s gives no price.chip_usd: the chips cost nothing in the TCO", s->name);
    c->tco_capex_usd_per_s = c->capex_usd / site->amortization_s;
    c->tco_energy_usd_per_s = c->avg_wall_power_W * site->usd_per_J;
    c->tco_space_usd_per_s = c->it_power_W * site->space_usd_per_W_s;
    c->tco_usd_per_s = c->tco_capex_usd_per_s + c->tco_energy_usd_per_s + c->tco_space_usd_per_s;
    double u = site->utilization;
    if (out > 0)
        c->usd_per_mtok_output = c->tco_usd_per_s * (1 - share) / (out * u) * 1e6;
    if (in > 0)
        c->usd_per_mtok_input = c->tco_usd_per_s * share / (in * u) * 1e6;

    /* carbon */
    if (s->embodied_kg <= 0)
        diag_warn(d, "%s gives no chip.embodied_kgCO2e: embodied carbon counts only what the file gives", s->name);
    c->gco2e_per_s_operational = c->avg_wall_power_W * site->gco2e_per_J;
    c->gco2e_per_s_embodied = c->embodied_kg * 1000.0 / site->amortization_s;
    if (out > 0)
        c->gco2e_per_mtok = (c->gco2e_per_s_operational + c->gco2e_per_s_embodied) / (out * u) * 1e6;

    /* budgets: how many copies of this deployment the site holds */
    long best = -1;
    c->binding_budget[0] = '\0';
#define BUDGET(field, limit, per, name)                                  \
    if ((limit) > 0 && (per) > 0) {                                      \
        c->field = (long)floor((limit) / (per));                         \
        if (best < 0 || c->field < best) {                               \
            best = c->field;                                             \
            snprintf(c->binding_budget, sizeof c->binding_budget, name); \
        }                                                                \
    }
    BUDGET(deployments_by_power, site->power_budget_W, c->wall_power_W, "power")
    BUDGET(deployments_by_space, site->space_budget_W, c->it_power_W, "space")
    BUDGET(deployments_by_carbon, site->carbon_budget_g_per_s, c->gco2e_per_s_operational + c->gco2e_per_s_embodied,
           "carbon")
#undef BUDGET
    c->deployments = best;
    c->budget_output_tok_s = best > 0 ? best * out : 0;
}
