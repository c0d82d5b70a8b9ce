/*
 * site_yaml.c — site file -> site_t (units converted to SI on load).
 */
#include "site_yaml.h"

#include "fileutil.h"
#include "yamlread.h"

#include <stdlib.h>
#include <string.h>

#define YEAR_S 31557600.0  /* Julian year */
#define MONTH_S (YEAR_S / 12.0)

#define TRY(x) do { status_t st_ = (x); if (st_ != IS_OK) { yr_close(&r); return st_; } } while (0)

status_t site_load_buffer(const char *buf, size_t len, const char *path, site_t *s, diag_t *d)
{
    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", path);
    file_stem(path, s->name, sizeof s->name);
    yreader_t r;
    struct fy_node *root = NULL;
    status_t st = yr_open(&r, buf, len, path, d, &root);
    if (st != IS_OK)
        return st;
    static const char *const keys[] = {"name", "description", "sources", "pue", "electricity_usd_per_kWh",
                                       "grid_gCO2e_per_kWh", "amortization_years", "utilization",
                                       "space_usd_per_kW_month", "network_usd_per_chip", "power_budget_MW",
                                       "space_budget_kW", "carbon_budget_tCO2e_per_year"};
    if (!root || !fy_node_is_mapping(root)) {
        st = yr_err(&r, root, "", "expected a mapping with pue, electricity_usd_per_kWh, ... (docs/site-format.md)");
        yr_close(&r);
        return st;
    }
    TRY(yr_check_keys(&r, root, "", keys, 13));
    TRY(yr_str(&r, root, "", "name", 0, s->name, sizeof s->name));
    double kwh = 3.6e6, v;
    TRY(yr_num(&r, root, "", "pue", 1, 1.0, 0, 10.0, 1.0, 0, &s->pue, NULL));
    TRY(yr_num(&r, root, "", "electricity_usd_per_kWh", 1, 0, 0, 100, 1.0, 0, &v, NULL));
    s->usd_per_J = v / kwh;
    TRY(yr_num(&r, root, "", "grid_gCO2e_per_kWh", 1, 0, 0, 5000, 1.0, 0, &v, NULL));
    s->gco2e_per_J = v / kwh;
    TRY(yr_num(&r, root, "", "amortization_years", 1, 0, 1, 100, YEAR_S, 0, &s->amortization_s, NULL));
    TRY(yr_num(&r, root, "", "utilization", 1, 0, 1, 1.0, 1.0, 0, &s->utilization, NULL));
    TRY(yr_num(&r, root, "", "space_usd_per_kW_month", 0, 0, 0, YR_HUGE, 1.0, 0, &v, NULL));
    s->space_usd_per_W_s = v / 1000.0 / MONTH_S;
    TRY(yr_num(&r, root, "", "network_usd_per_chip", 0, 0, 0, YR_HUGE, 1.0, 0, &s->network_usd_per_chip, NULL));
    TRY(yr_num(&r, root, "", "power_budget_MW", 0, 0, 0, YR_HUGE, 1e6, 0, &s->power_budget_W, NULL));
    TRY(yr_num(&r, root, "", "space_budget_kW", 0, 0, 0, YR_HUGE, 1e3, 0, &s->space_budget_W, NULL));
    TRY(yr_num(&r, root, "", "carbon_budget_tCO2e_per_year", 0, 0, 0, YR_HUGE, 1e6 / YEAR_S, 0,
               &s->carbon_budget_g_per_s, NULL));
    yr_close(&r);
    return IS_OK;
}

status_t site_load(const char *path, site_t *s, diag_t *d)
{
    char *buf;
    size_t len;
    status_t st = file_read_all(path, &buf, &len, d);
    if (st != IS_OK)
        return st;
    st = site_load_buffer(buf, len, path, s, d);
    free(buf);
    return st;
}
