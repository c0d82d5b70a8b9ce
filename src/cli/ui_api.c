/*
 * ui_api.c — the JSON API behind `infersim ui` (ui_api.h): requests in, the library's
 * answers out, as the CLI gives them.
 */
#include "ui_api.h"

#include "cli.h"

#include "../analysis/cost.h"
#include "../analysis/directions.h"
#include "../analysis/predict.h"
#include "../analysis/search.h"
#include "../io/catalog.h"
#include "../io/model_config.h"
#include "../io/system_yaml.h"
#include "../report/report_predict.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* A malloc'd {"error": message} with the status. The message may quote the request's
 * bytes (jansson's parse errors do), which need not be UTF-8: jansson refuses such a
 * string, so then every byte outside ASCII is shown as '?'. */
static int fail(int status, const char *msg, char **out)
{
    json_t *o = json_pack("{s:s}", "error", msg);
    if (!o) {
        char ascii[1024];
        size_t i = 0;
        for (; msg[i] && i + 1 < sizeof ascii; i++)
            ascii[i] = (unsigned char)msg[i] < 0x80 ? msg[i] : '?';
        ascii[i] = '\0';
        o = json_pack("{s:s}", "error", ascii);
    }
    *out = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return *out ? status : 500;
}

/* The library's message as one line: "FILE:LINE:COL: FIELD: what is wrong" (no "error: "). */
static int fail_diag(int status, const diag_t *d, char **out)
{
    char buf[1024];
    diag_format(d, buf, sizeof buf);
    char *e = strstr(buf, "error: ");
    if (e)
        memmove(e, e + 7, strlen(e + 7) + 1);
    char *nl = strchr(buf, '\n');
    if (nl)
        *nl = '\0';
    return fail(status, buf, out);
}

static int answer(json_t *o, char **out)
{
    if (!o || cli_json_failed())
        return json_decref(o), fail(500, "out of memory", out);
    *out = json_dumps(o, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
    json_decref(o);
    return *out ? 200 : fail(500, "out of memory", out);
}

/* The presets of one kind, each as `show ... --json` gives it. */
static int list(catalog_kind_t kind, char **out)
{
    static char names[CATALOG_MAX][CATALOG_NAME];
    int n = catalog_list(kind, names, CATALOG_MAX);
    json_t *arr = json_array();
    for (int i = 0; i < n && arr; i++) {
        diag_t d;
        diag_clear(&d);
        if (kind == CATALOG_MODELS) {
            static model_t m;
            if (cli_load_model(names[i], &m, &d) == IS_OK)
                json_array_append_new(arr, cli_model_json(&m));
        } else {
            static system_t s;
            if (cli_load_system(names[i], &s, &d) == IS_OK)
                json_array_append_new(arr, cli_system_json(&s));
        }
    }
    return answer(arr, out);
}

/* A string field, or dflt when absent; NULL (with *bad set) when present and not a string. */
static const char *str_field(json_t *o, const char *k, const char *dflt, int *bad)
{
    json_t *v = json_object_get(o, k);
    if (!v)
        return dflt;
    if (!json_is_string(v)) {
        *bad = 1;
        return NULL;
    }
    return json_string_value(v);
}

/* An integer field in [min, 1e8], or dflt; -1 (with diag) when wrong. */
static int int_field(json_t *o, const char *k, int dflt, int min, diag_t *d)
{
    json_t *v = json_object_get(o, k);
    if (!v)
        return dflt;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > 100000000) {
        diag_error(d, NULL, 0, 0, k, "expected an integer >= %d", min);
        return -1;
    }
    return (int)json_integer_value(v);
}

typedef struct ui_case {
    model_t m;
    system_t s;
    site_t site;
    predict_req_t req;
} ui_case_t;

/* The request body as a model, a system, a site and a predict request. */
static status_t parse_case(const char *body, size_t len, ui_case_t *c, diag_t *d)
{
    json_error_t je;
    json_t *o = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &je);
    if (!o || !json_is_object(o)) {
        json_decref(o);
        return diag_error(d, "request", je.line, je.column, NULL, "expected a JSON object%s%s",
                          o ? "" : ": ", o ? "" : je.text);
    }
    status_t st = IS_OK;
    int bad = 0;
    const char *model = str_field(o, "model", NULL, &bad), *system = str_field(o, "system", NULL, &bad);
    const char *sys_yaml = str_field(o, "system_yaml", NULL, &bad), *site = str_field(o, "site", "us-average", &bad);
    const char *weights = str_field(o, "weights", NULL, &bad), *kv = str_field(o, "kv", NULL, &bad);
    json_t *cfg = json_object_get(o, "config");
    if (bad) {
        st = diag_error(d, "request", 0, 0, NULL, "model, system, system_yaml, site, weights and kv are strings");
        goto out;
    }
    /* the model: a preset name (never a path: the UI reads nothing beyond the presets) or a config object */
    if (cfg) {
        char *txt = json_is_object(cfg) ? json_dumps(cfg, JSON_COMPACT) : NULL;
        if (!txt) {
            st = diag_error(d, "request", 0, 0, "config", "expected a config.json object");
            goto out;
        }
        st = model_load_buffer(txt, strlen(txt), "config.json", &c->m, d);
        free(txt);
    } else if (model && !strchr(model, '/')) {
        st = cli_load_model(model, &c->m, d);
    } else {
        st = diag_error(d, "request", 0, 0, "model", "expected a preset name (or \"config\": a config.json object)");
    }
    if (st != IS_OK)
        goto out;
    if (sys_yaml)
        st = system_load_buffer(sys_yaml, strlen(sys_yaml), "system.yaml", &c->s, d);
    else if (system && !strchr(system, '/'))
        st = cli_load_system(system, &c->s, d);
    else
        st = diag_error(d, "request", 0, 0, "system", "expected a preset name (or \"system_yaml\": a system file)");
    if (st != IS_OK)
        goto out;
    /* the paper's directions, applied to the system as the study and the search apply them */
    json_t *dirs = json_object_get(o, "directions");
    if (dirs) {
        static paper_data_t paper;
        static int paper_loaded;
        const char *k;
        json_t *v;
        if (!json_is_object(dirs)) {
            st = diag_error(d, "request", 0, 0, "directions", "expected an object such as {\"hbf_stacks\": 1}");
            goto out;
        }
        if (!paper_loaded && (st = paper_load(&paper, d)) != IS_OK)
            goto out;
        paper_loaded = 1;
        json_object_foreach(dirs, k, v) {
            double x = json_is_number(v) ? json_number_value(v) : -1;
            int ok = strcmp(k, "hbf_stacks") ? (x == 0 || x == 1) : (x >= 0 && x <= 64 && x == (int)x);
            if (!ok || directions_apply(&c->s, &paper, k, x) != 0) {
                st = diag_error(d, "request", 0, 0, "directions",
                                "\"%s\": expected hbf_stacks (a count from 0 to 64), or stack_3d, low_latency, "
                                "sram_landing, pim or pnm (0 or 1)", k);
                goto out;
            }
            size_t n = strlen(c->s.name);
            snprintf(c->s.name + n, sizeof c->s.name - n, "+%s=%g", k, json_number_value(v));
        }
    }
    if (strchr(site, '/')) {
        st = diag_error(d, "request", 0, 0, "site", "expected a site preset name");
        goto out;
    }
    if ((st = cli_load_site(site, &c->site, d)) != IS_OK)
        goto out;
    predict_req_default(&c->req, &c->m);
    int chips = int_field(o, "chips", 0, 0, d), tp = int_field(o, "tp", 0, 0, d), pp = int_field(o, "pp", 1, 1, d);
    int ep = int_field(o, "ep", 1, 1, d), dp = int_field(o, "dp", 1, 1, d);
    int isl = int_field(o, "isl", 1024, 1, d), osl = int_field(o, "osl", 128, 1, d);
    if (chips < 0 || tp < 0 || pp < 0 || ep < 0 || dp < 0 || isl < 0 || osl < 0) {
        st = IS_ERR_INPUT;
        goto out;
    }
    if (chips == 0 && tp == 0)
        chips = 1;
    if ((st = cli_split_chips("chips", &chips, &tp, pp, dp, d)) != IS_OK)
        goto out;
    c->req.cfg.plan = (plan_t){chips, tp, pp, ep, dp};
    /* with EP, as predict --expert-slots and --expert-skew (0: one copy of each, uniform routing) */
    int slots = int_field(o, "expert_slots", 0, 0, d);
    json_t *skew = json_object_get(o, "expert_skew");
    if (slots < 0) {
        st = IS_ERR_INPUT;
        goto out;
    }
    if (skew && !(json_is_number(skew) && json_number_value(skew) >= 0 && json_number_value(skew) <= 100)) {
        st = diag_error(d, "request", 0, 0, "expert_skew", "expected a coefficient of variation from 0 to 100");
        goto out;
    }
    c->req.cfg.expert_slots = slots;
    c->req.cfg.expert_skew = skew ? json_number_value(skew) : 0.0;
    if ((st = cli_precisions(&c->req.cfg, weights, NULL, kv, NULL, d)) != IS_OK)
        goto out;
    json_t *b = json_object_get(o, "batch"); /* absent: predict_req_default's batch, as the CLI's */
    if (b && json_is_string(b) && !strcmp(json_string_value(b), "max")) {
        c->req.batch = 0;
    } else if (b && json_is_integer(b) && json_integer_value(b) >= 1 && json_integer_value(b) <= 10000000) {
        c->req.batch = (int)json_integer_value(b);
    } else if (b) {
        st = diag_error(d, "request", 0, 0, "batch", "expected an integer >= 1 or \"max\"");
        goto out;
    }
    c->req.isl = isl;
    c->req.osl = osl;
out:
    json_decref(o);
    return st;
}

/* One request at a time (cmd_ui.c serves them on one thread): the case and the result are
 * kept here rather than on the stack (a model and a result are tens of kilobytes). */
static ui_case_t the_case;
static predict_result_t the_result;

/* The request into the_case, predicted into the_result (at the largest batch that fits when
 * `largest`): 0, or the HTTP status of the failure (d says why). */
static int case_run(const char *body, size_t len, int largest, diag_t *d)
{
    status_t st = parse_case(body, len, &the_case, d);
    if (st != IS_OK)
        return 400;
    if (largest)
        the_case.req.batch = 0;
    st = predict_run(&the_case.m, &the_case.s, &the_case.req, &the_result, d);
    return st == IS_OK ? 0 : st == IS_ERR_NOMEM ? 500 : 400;
}

static int predict(const char *body, size_t len, char **out)
{
    ui_case_t *cs = &the_case;
    predict_result_t *pr = &the_result;
    diag_t d;
    diag_clear(&d);
    int http = case_run(body, len, 0, &d);
    if (http)
        return fail_diag(http, &d, out);
    cost_result_t cost;
    cost_compute(pr, &cs->req, &cs->s, &cs->site, &cost, &d);
    return answer(report_predict_json(pr, &cs->m, &cs->s, &cs->req, &cost, &cs->site, &d), out);
}

/* Batches 1, 2, 4, ... and the largest that fits: per-user speed against throughput. */
static int sweep(const char *body, size_t len, char **out)
{
    ui_case_t *cs = &the_case;
    predict_result_t *pr = &the_result;
    diag_t d;
    diag_clear(&d);
    int http = case_run(body, len, 1, &d); /* the largest batch that fits first */
    if (http)
        return fail_diag(http, &d, out);
    int max = pr->max_batch;
    json_t *o = json_object(), *pts = json_array();
    json_object_set_new(o, "max_batch", json_integer(max));
    for (int b = 1; max > 0 && pts; b = b * 2 > max && b < max ? max : b * 2) {
        cs->req.batch = b;
        diag_clear(&d);
        if (predict_run(&cs->m, &cs->s, &cs->req, pr, &d) != IS_OK)
            break;
        json_array_append_new(pts, json_pack("{s:i,s:f,s:f,s:f,s:f,s:f}", "batch", b, "ttft_s", pr->ttft_s, "tpot_s",
                                             pr->tpot_s, "output_tok_s_per_user", pr->output_tok_s_per_user,
                                             "output_tok_s_per_chip", pr->output_tok_s_per_chip, "output_tok_s",
                                             pr->output_tok_s));
        if (b >= max)
            break;
    }
    json_object_set_new(o, "points", pts);
    return answer(o, out);
}

/* Most workload x deployment-choice combinations one /api/search request may ask for
 * (before factorisations): keeps an answer within seconds. */
#define UI_SEARCH_MAX 1000000

/* A design-space search: the CLI's flags as strings ("chips": "1..16:x2", "batch":
 * "1,8,max", ...), the frontier and the top N as `search --json` gives them. */
static int search(const char *body, size_t len, char **out)
{
    static model_t m;
    static system_t sys[16];
    static site_t site;
    static search_space_t sp;
    static search_result_t r;
    diag_t d;
    diag_clear(&d);
    json_error_t je;
    json_t *o = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &je);
    if (!o || !json_is_object(o)) {
        json_decref(o);
        diag_error(&d, "request", je.line, je.column, NULL, "expected a JSON object");
        return fail_diag(400, &d, out);
    }
    int bad = 0, st = IS_OK;
    const char *model = str_field(o, "model", NULL, &bad), *systems = str_field(o, "systems", NULL, &bad);
    const char *chips = str_field(o, "chips", "8", &bad), *batch = str_field(o, "batch", "max", &bad);
    const char *isl = str_field(o, "isl", "1024", &bad), *osl = str_field(o, "osl", "128", &bad);
    const char *weights = str_field(o, "weights", "fp8", &bad), *kv = str_field(o, "kv", "fp8", &bad);
    const char *objective = str_field(o, "objective", "output_tok_s_per_chip", &bad);
    const char *fxs = str_field(o, "pareto_x", "output_tok_s_per_user", &bad);
    const char *fys = str_field(o, "pareto_y", "output_tok_s_per_chip", &bad);
    json_t *tmax = json_object_get(o, "ttft_max_s"), *pmax = json_object_get(o, "tpot_max_s");
    int top = int_field(o, "top", 10, 1, &d);
    memset(&sp, 0, sizeof sp);
    if (bad || !model || !systems || strchr(model, '/')) {
        st = diag_error(&d, "request", 0, 0, NULL, "expected \"model\" (a preset name) and \"systems\" (\"a,b\"); "
                        "the other fields are strings as the CLI's flags take them");
    } else if (top < 0 || top > 100) {
        st = diag_error(&d, "request", 0, 0, "top", "expected an integer from 1 to 100");
    } else if ((tmax && !json_is_number(tmax)) || (pmax && !json_is_number(pmax))) {
        st = diag_error(&d, "request", 0, 0, tmax && !json_is_number(tmax) ? "ttft_max_s" : "tpot_max_s",
                        "expected a number of seconds");
    } else if ((st = cli_load_model(model, &m, &d)) == IS_OK) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", systems);
        for (char *save = NULL, *t = strtok_r(buf, ",", &save); t && st == IS_OK; t = strtok_r(NULL, ",", &save)) {
            if (sp.n_systems == 16)
                st = diag_error(&d, "request", 0, 0, "systems", "at most 16 systems");
            else if (strchr(t, '/'))
                st = diag_error(&d, "request", 0, 0, "systems", "expected preset names");
            else if ((st = cli_load_system(t, &sys[sp.n_systems], &d)) == IS_OK)
                sp.systems[sp.n_systems] = &sys[sp.n_systems], sp.n_systems++;
        }
    }
    if (st == IS_OK &&
        ((sp.n_chips = cli_parse_values("chips", chips, sp.chips, SEARCH_MAX_VALUES, 0, &d)) < 0 ||
         (sp.n_batch = cli_parse_values("batch", batch, sp.batch, SEARCH_MAX_VALUES, 1, &d)) < 0 ||
         (sp.n_isl = cli_parse_values("isl", isl, sp.isl, SEARCH_MAX_VALUES, 0, &d)) < 0 ||
         (sp.n_osl = cli_parse_values("osl", osl, sp.osl, SEARCH_MAX_VALUES, 0, &d)) < 0 ||
         (sp.n_weights = cli_parse_precisions("weights", weights, sp.weights, 16, &d)) < 0 ||
         (sp.n_kv = cli_parse_precisions("kv", kv, sp.kv, 16, &d)) < 0))
        st = IS_ERR_INPUT;
    int fobj = search_field_by_name(objective), fx = search_field_by_name(fxs), fy = search_field_by_name(fys);
    if (st == IS_OK && (fobj < 0 || fx < 0 || fy < 0))
        st = diag_error(&d, "request", 0, 0, fobj < 0 ? "objective" : fx < 0 ? "pareto_x" : "pareto_y",
                        "unknown field (search's fields: ttft_s, tpot_s, output_tok_s_per_user, output_tok_s_per_chip, "
                        "usd_per_mtok_output, ...)");
    double combos = (double)sp.n_systems * sp.n_chips * sp.n_batch * sp.n_isl * sp.n_osl * sp.n_weights * sp.n_kv;
    if (st == IS_OK && combos > UI_SEARCH_MAX)
        st = diag_error(&d, "request", 0, 0, NULL, "%.0f combinations, more than %d: narrow a range (the CLI's search has "
                        "no limit)", combos, UI_SEARCH_MAX);
    if (st == IS_OK && cli_load_site("us-average", &site, &d) != IS_OK)
        st = IS_ERR_INPUT;
    if (st != IS_OK) {
        json_decref(o);
        return fail_diag(400, &d, out);
    }
    sp.model = &m;
    sp.site = &site;
    sp.ttft_max_s = tmax ? json_number_value(tmax) : 0;
    sp.tpot_max_s = pmax ? json_number_value(pmax) : 0;
    sp.keep = (search_keep_t){.fx = fx, .fy = fy, .fobj = fobj, .top = (size_t)top};
    json_decref(o);
    if ((st = search_run(&sp, &r, &d)) != IS_OK)
        return fail_diag(st == IS_ERR_NOMEM ? 500 : 400, &d, out);
    size_t *idx = malloc(sizeof *idx * (r.n_stored + (size_t)top + 2));
    if (!idx) {
        search_free(&r);
        return fail(500, "out of memory", out);
    }
    json_t *res = json_object(), *inf = json_object(), *fa = json_array(), *ta = json_array();
    json_object_set_new(res, "evaluated", json_integer((json_int_t)r.n_points));
    json_object_set_new(res, "deployments", json_integer((json_int_t)r.n_deployments));
    json_object_set_new(res, "feasible", json_integer((json_int_t)r.count[SR_OK]));
    for (int k = 1; k < SR_COUNT; k++)
        if (r.count[k])
            json_object_set_new(inf, search_reason_names[k], json_integer((json_int_t)r.count[k]));
    json_object_set_new(res, "infeasible", inf);
    size_t nf = search_frontier(&r, (search_field_t)fx, (search_field_t)fy, idx, r.n_stored + 1);
    for (size_t i = 0; nf != SEARCH_NOMEM && i < nf; i++)
        json_array_append_new(fa, cli_search_point_json(&r, &sp, idx[i]));
    size_t nt = search_top(&r, (search_field_t)fobj, idx, (size_t)top);
    for (size_t i = 0; nt != SEARCH_NOMEM && i < nt; i++)
        json_array_append_new(ta, cli_search_point_json(&r, &sp, idx[i]));
    json_object_set_new(res, "frontier", fa);
    json_object_set_new(res, "top", ta);
    json_object_set_new(res, "wall_s", json_real(r.wall_s));
    free(idx);
    search_free(&r);
    if (nf == SEARCH_NOMEM || nt == SEARCH_NOMEM) {
        json_decref(res);
        return fail(500, "out of memory", out);
    }
    return answer(res, out);
}

int ui_api(const char *method, const char *path, const char *body, size_t len, char **out)
{
    *out = NULL;
    if (len > UI_API_MAX_BODY)
        return fail(413, "request body too large (at most 1 MiB)", out);
    int get = !strcmp(method, "GET"), post = !strcmp(method, "POST");
    if (!strcmp(path, "/api/models") || !strcmp(path, "/api/systems")) {
        if (!get)
            return fail(405, "use GET", out);
        return list(path[5] == 'm' ? CATALOG_MODELS : CATALOG_SYSTEMS, out);
    }
    if (!strcmp(path, "/api/predict") || !strcmp(path, "/api/sweep") || !strcmp(path, "/api/search")) {
        if (!post)
            return fail(405, "use POST with a JSON body", out);
        return path[6] == 'r' ? predict(body, len, out) : path[6] == 'w' ? sweep(body, len, out) : search(body, len, out);
    }
    return fail(404, "no such endpoint (the API: /api/models, /api/systems, /api/predict, /api/sweep, /api/search)", out);
}
