/*
 * test_cost.c — energy, TCO and carbon on a hand-computed case, and the budgets.
 *
 * The system: one chip per server; 1 pJ per bf16 FLOP; 10 pJ per HBM bit; idle 100 W,
 * TDP 500 W; $10,000 per chip, $5,000 per server; 100 kg CO2e per chip, 1 kg per GB of
 * its 100 GB memory, 400 kg per server; host 200 W.
 * The site: PUE 1.5, $0.10 per kWh, 400 g CO2e per kWh, 1-year amortisation, always busy.
 */
#include "testutil.h"

#include "../src/analysis/cost.h"
#include "../src/io/site_yaml.h"

static const char *sys_yaml =
    "name: hand\n"
    "chip: {peak_TFLOPs: {bf16: 100}, compute_efficiency: 1.0, energy_pJ_per_flop: {bf16: 1.0}, embodied_kgCO2e: 100}\n"
    "memory: [{name: hbm, capacity_GB: 100, bandwidth_GBps: 1000, efficiency: 1.0, latency_ns: 0,"
    " energy_pJ_per_bit: 10, embodied_kgCO2e_per_GB: 1}]\n"
    "power: {tdp_W: 500, idle_W: 100}\n"
    "price: {chip_usd: 10000}\n"
    "server: {chips: 1, host_usd: 5000, host_power_W: 200, embodied_kgCO2e: 400, rack_units: 2}\n"
    "software: {kernel_overhead_us: 0}\n";

static const char *site_yaml =
    "name: hand\npue: 1.5\nelectricity_usd_per_kWh: 0.10\ngrid_gCO2e_per_kWh: 400\namortization_years: 1\n"
    "utilization: 1.0\npower_budget_MW: 1\n";

static void fixture(system_t *s, site_t *site, predict_result_t *r, predict_req_t *req)
{
    diag_t d;
    assert_int_equal(system_from(sys_yaml, s, &d), IS_OK);
    diag_clear(&d);
    assert_int_equal(site_load_buffer(site_yaml, strlen(site_yaml), "site.yaml", site, &d), IS_OK);
    memset(r, 0, sizeof *r);
    memset(req, 0, sizeof *req);
    req->cfg.plan = (plan_t){1, 1, 1, 1, 1};
    req->osl = 31;
    r->dep.sys = s;
    r->dep.cfg.plan = req->cfg.plan;
    r->dep.gemm_cc = CC_BF16;
    r->depp = &r->dep;
    /* a static batch: prefill 1 s at 2e14 FLOP and 1e11 bytes; decode steps of 0.1 s with
     * 1e12 FLOP and 1e11 bytes; e2e 4 s (ttft 1 s + 30 steps); 1000 output tok/s, 3000 total */
    r->prefill.cost.time_s = 1.0;
    r->prefill.cost.flops = 2e14;
    r->prefill.cost.mem_bytes[0] = 1e11;
    r->decode.cost.time_s = 0.1;
    r->decode.step_s = 0.1;
    r->decode.cost.flops = 1e12;
    r->decode.cost.mem_bytes[0] = 1e11;
    /* the engine charges each op's FLOPs at its compute class's energy: bf16's 1 pJ here */
    r->prefill.cost.flop_J = r->prefill.cost.flops * 1e-12;
    r->decode.cost.flop_J = r->decode.cost.flops * 1e-12;
    r->ttft_s = 1.0;
    r->e2e_s = 4.0;
    r->tpot_s = 0.1;
    r->output_tok_s = 1000;
    r->total_tok_s = 3000;
}

static void test_hand_computed(void **state)
{
    (void)state;
    static system_t s;
    site_t site;
    static predict_result_t r;
    predict_req_t req;
    fixture(&s, &site, &r, &req);
    cost_result_t c;
    diag_t d;
    diag_clear(&d);
    cost_compute(&r, &req, &s, &site, &c, &d);
    assert_int_equal(d.n_warnings, 0);
    assert_true(c.known);
    /* prefill dynamic: 2e14 x 1e-12 + 1e11 x 8 x 1e-11 = 200 + 8 = 208 J over 1 s = 208 W
     * decode dynamic: 1e12 x 1e-12 + 8 = 9 J over 0.1 s = 90 W
     * prefill share of the time: ttft / e2e = 0.25 -> 0.25 x 208 + 0.75 x 90 = 119.5 W */
    assert_close(c.prefill_share, 0.25, 1e-12);
    assert_close(c.chip_dynamic_W, 119.5, 1e-12);
    assert_close(c.chip_power_W, 219.5, 1e-12);
    assert_false(c.tdp_binds);
    /* IT: 219.5 + 200 host = 419.5 W; wall x 1.5 = 629.25 W */
    assert_close(c.it_power_W, 419.5, 1e-12);
    assert_close(c.wall_power_W, 629.25, 1e-12);
    /* 1000 tok/s: 0.62925 J per token at the wall, 0.2195 J at the chip */
    assert_close(c.energy_j_per_token, 0.62925, 1e-12);
    assert_close(c.chip_energy_j_per_token, 0.2195, 1e-12);
    assert_close(c.tokens_per_joule, 1 / 0.62925, 1e-12);
    /* a request of 31 output tokens (osl of the fixture) */
    assert_close(c.energy_j_per_request, 0.62925 * req.osl, 1e-12);
    /* TCO: capex 15,000 USD over one Julian year (31,557,600 s); energy 629.25 W x 0.10 USD/kWh */
    double capex_s = 15000.0 / 31557600.0, energy_s = 629.25 * 0.10 / 3.6e6;
    assert_close(c.capex_usd, 15000, 1e-12);
    assert_close(c.tco_usd_per_s, capex_s + energy_s, 1e-12);
    /* output tokens carry 75 % of the cost, input tokens (2000/s) 25 % */
    assert_close(c.usd_per_mtok_output, (capex_s + energy_s) * 0.75 / 1000 * 1e6, 1e-12);
    assert_close(c.usd_per_mtok_input, (capex_s + energy_s) * 0.25 / 2000 * 1e6, 1e-12);
    /* carbon: embodied 100 + 100 GB x 1 + 400 = 600 kg over a year; operational 629.25 W x 400 g/kWh */
    assert_close(c.embodied_kg, 600, 1e-12);
    double op = 629.25 * 400 / 3.6e6, emb = 600e3 / 31557600.0;
    assert_close(c.gco2e_per_mtok, (op + emb) / 1000 * 1e6, 1e-12);
    /* a 1 MW site holds floor(1e6 / 629.25) = 1589 such deployments */
    assert_int_equal(c.deployments, 1589);
    assert_string_equal(c.binding_budget, "power");
    assert_close(c.budget_output_tok_s, 1589 * 1000.0, 1e-12);
}

/* A battery device: the same hand case with a 10 Wh battery (36,000 J) is its own building, so
 * no PUE: the wall power is the IT power, 419.5 W.  One charge lasts 36,000 / 419.5 = 85.82 s
 * (0.02384 h) and delivers 85.82 s x 1000 tok/s = 85,816 output tokens. */
static void test_battery(void **state)
{
    (void)state;
    static system_t s;
    site_t site;
    static predict_result_t r;
    predict_req_t req;
    fixture(&s, &site, &r, &req);
    const char *key = "idle_W: 100}", *at = strstr(sys_yaml, key);
    assert_non_null(at);
    char yaml[2048];
    snprintf(yaml, sizeof yaml, "%.*sidle_W: 100, battery_Wh: 10}%s", (int)(at - sys_yaml), sys_yaml, at + strlen(key));
    diag_t d;
    diag_clear(&d);
    assert_int_equal(system_from(yaml, &s, &d), IS_OK);
    assert_close(s.battery_J, 36000, 1e-12);
    cost_result_t c;
    diag_clear(&d);
    cost_compute(&r, &req, &s, &site, &c, &d);
    assert_close(c.it_power_W, 419.5, 1e-12);
    assert_close(c.wall_power_W, 419.5, 1e-12);
    assert_close(c.battery_hours, 36000 / 419.5 / 3600, 1e-12);
    assert_close(c.battery_tokens, 36000 / 419.5 * 1000, 1e-12);
    assert_close(c.battery_tokens, 85816.4, 1e-6);
}

static void test_tdp_cap_and_missing_data(void **state)
{
    (void)state;
    static system_t s;
    site_t site;
    static predict_result_t r;
    predict_req_t req;
    fixture(&s, &site, &r, &req);
    /* ten times the FLOPs: prefill draws 2008 W dynamic, decode 180 W: 0.25 x 2008 + 0.75 x 180 = 637 W dynamic */
    r.prefill.cost.flops = 2e15;
    r.decode.cost.flops = 1e13;
    r.prefill.cost.flop_J = 2e15 * 1e-12;
    r.decode.cost.flop_J = 1e13 * 1e-12;
    cost_result_t c;
    diag_t d;
    diag_clear(&d);
    cost_compute(&r, &req, &s, &site, &c, &d);
    assert_close(c.chip_dynamic_W, 637, 1e-12);
    assert_true(c.tdp_binds);
    /* 400 W of dynamic headroom under the 500 W cap: clock at 400 / 637 */
    assert_close(c.tdp_clock_factor, 400.0 / 637.0, 1e-12);
    assert_int_equal(d.n_warnings, 1);
    /* without an energy per FLOP the (TDP - idle) / peak bound is used, and said */
    s.energy_J_per_flop[CC_BF16] = 0;
    diag_clear(&d);
    cost_compute(&r, &req, &s, &site, &c, &d);
    assert_non_null(strstr(d.warnings[0], "took (TDP - idle) / peak = 4.000 pJ per FLOP"));
    /* without power data nothing is computed, and it says so */
    s.tdp_W = 0;
    diag_clear(&d);
    cost_compute(&r, &req, &s, &site, &c, &d);
    assert_false(c.known);
    assert_string_equal(d.warnings[0], "hand has no power data (power.tdp_W): energy, cost and carbon are not computed");
}

static void test_site_errors(void **state)
{
    (void)state;
    site_t site;
    diag_t d;
    diag_clear(&d);
    const char *bad = "name: x\npue: 0.8\nelectricity_usd_per_kWh: 0.1\ngrid_gCO2e_per_kWh: 1\namortization_years: 4\nutilization: 0.5\n";
    assert_int_equal(site_load_buffer(bad, strlen(bad), "s.yaml", &site, &d), IS_ERR_INPUT);
    char buf[512];
    assert_string_equal(diag_format(&d, buf, sizeof buf),
                        "s.yaml:2:6: error: pue: expected a number >= 1 and <= 10, got 0.8\n  pue: 0.8\n       ^\n");
    diag_clear(&d);
    const char *bad2 = "name: x\npue: 1.2\nelectricity_usd_per_kwh: 0.1\n";
    assert_int_equal(site_load_buffer(bad2, strlen(bad2), "s.yaml", &site, &d), IS_ERR_INPUT);
    assert_string_equal(d.message, "unknown field \"electricity_usd_per_kwh\"; did you mean \"electricity_usd_per_kWh\"?");
    /* every site preset loads */
    char names[CATALOG_MAX][CATALOG_NAME];
    int n = catalog_list(CATALOG_SITES, names, CATALOG_MAX);
    assert_true(n >= 2);
    for (int i = 0; i < n; i++) {
        char path[4096];
        diag_clear(&d);
        assert_int_equal(catalog_resolve(CATALOG_SITES, names[i], path, sizeof path, &d), IS_OK);
        assert_int_equal(site_load(path, &site, &d), IS_OK);
    }
}

static void test_collective_energy_by_level(void **state)
{
    (void)state;
    static system_t s;
    site_t site;
    static predict_result_t r;
    predict_req_t req;
    fixture(&s, &site, &r, &req);
    /* two levels: 1 pJ/bit inside the box, 20 pJ/bit across boxes; 1e9 message bytes on each.
     * Traffic counts twice the message (sent and received): 2e9 x 8 x (1 + 20) pJ = 0.336 J over
     * the 0.1 s decode step = 3.36 W more than the fixture's decode */
    s.n_levels = 2;
    s.level[0].energy_J_per_bit = 1e-12;
    s.level[1].energy_J_per_bit = 20e-12;
    cost_result_t c0, c1;
    cost_compute(&r, &req, &s, &site, &c0, NULL);
    r.decode.cost.net_bytes_level[0] = 1e9;
    r.decode.cost.net_bytes_level[1] = 1e9;
    cost_compute(&r, &req, &s, &site, &c1, NULL);
    /* decode carries 75 % of the time */
    assert_close(c1.chip_dynamic_W - c0.chip_dynamic_W, 0.75 * 2e9 * 8 * 21e-12 / 0.1, 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_computed),
        cmocka_unit_test(test_battery),
        cmocka_unit_test(test_tdp_cap_and_missing_data),
        cmocka_unit_test(test_collective_energy_by_level),
        cmocka_unit_test(test_site_errors),
    };
    return cmocka_run_group_tests_name("cost", tests, NULL, NULL);
}
