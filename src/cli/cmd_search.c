/*
 * cmd_search.c — `infersim search`: flags -> search space -> ranked points, Pareto frontier.
 *
 * Values: a single value, a list a,b,c, an integer range a..b (every integer), or a..b:x2
 * (powers of two from a); `max` where a batch is expected.
 */
#include "cli.h"

#include "../core/interrupt.h"
#include "../analysis/directions.h"
#include "../analysis/search.h"
#include "../io/csv.h"
#include "../io/fileutil.h"
#include "../io/paper_yaml.h"
#include "../io/sweep_spec.h"
#include "../report/svg.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: infersim search --model NAME|PATH --systems A,B,... [options]\n"
            "\n"
            "Evaluates every deployment (system x chips x TP/PP/EP/DP factorisation x precisions) against every\n"
            "workload (ISL x OSL x batch), keeps those that fit and meet the limits, and prints the best by an\n"
            "objective and the Pareto frontier of two.\n"
            "\n"
            "  --chips V            chip counts (default 8)            values: 8 | 1,2,4 | 1..16 | 1..64:x2\n"
            "  --batch V            batches, or max (default max)      --weights P,... --kv P,...  (default fp8 / fp8)\n"
            "  --isl V --osl V      lengths (default 1024 / 128)\n"
            "  --ttft-max S --tpot-max S   latency limits in seconds (SLOs)\n"
            "  --power-max W --cost-max USD   wall power of a deployment, $ per million output tokens\n"
            "  --chips-max N        a chip budget (both pools together when disaggregated)\n"
            "  --expert-slots N     deployments with EP: N expert slots (redundant copies; an EP that does not\n"
            "                       divide N is skipped); --expert-skew CV: the experts' routed load varies\n"
            "                       by this coefficient of variation (default 0: uniform)\n"
            "  --objective FIELD    rank by it (default output_tok_s_per_chip); --top N (default 10)\n"
            "  --pareto FX,FY       frontier fields (default output_tok_s_per_user,output_tok_s_per_chip)\n"
            "  --site NAME|PATH     for cost and carbon (default us-average)\n"
            "  --threads N          default: every core (the result is the same for any N)\n"
            "  --prefill-chips V    disaggregated serving: chips per prefill instance (each deployment is then\n"
            "                       one decode instance); --prefill-instances V --decode-instances V (default 1)\n"
            "  --spec FILE.yaml     a sweep spec: the same dimensions, plus system fields to vary\n"
            "                       (docs/sweep-format.md); flags given after it override it\n"
            "  --json | --csv [--frontier-only]   --svg FILE   the frontier over the cloud of feasible points\n"
            "\n"
            "fields: ttft_s tpot_s e2e_s output_tok_s output_tok_s_per_user output_tok_s_per_chip\n"
            "        usd_per_mtok_output energy_j_per_token gco2e_per_mtok avg_power_w chips\n");
}

/* Parse "a,b,a..b,a..b:x2,max" into out (0 for max); returns the count or -1 (d filled). */
int cli_parse_values(const char *flag, const char *v, int *out, int max, int allow_max, diag_t *d)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", v);
    int n = 0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (allow_max && !strcmp(tok, "max")) {
            if (n >= max) goto too_many;
            out[n++] = 0;
            continue;
        }
        char *e;
        long a = strtol(tok, &e, 10);
        if (e == tok || a < 1 || a > 100000000) {
            diag_error(d, NULL, 0, 0, flag, "expected a positive integer, a list a,b,c or a range a..b, got \"%s\"", tok);
            return -1;
        }
        if (*e == '\0') {
            if (n >= max) goto too_many;
            out[n++] = (int)a;
            continue;
        }
        char *f;
        if (strncmp(e, "..", 2) != 0 || (e[2] < '0' || e[2] > '9')) {
            diag_error(d, NULL, 0, 0, flag, "expected a range a..b or a..b:x2, got \"%s\"", tok);
            return -1;
        }
        long b = strtol(e + 2, &f, 10);
        int doubling = 0;
        if (!strcmp(f, ":x2"))
            doubling = 1;
        else if (*f) {
            diag_error(d, NULL, 0, 0, flag, "expected a range a..b or a..b:x2, got \"%s\"", tok);
            return -1;
        }
        if (b < a) {
            diag_error(d, NULL, 0, 0, flag, "empty range %ld..%ld: the end is below the start", a, b);
            return -1;
        }
        for (long x = a; x <= b; x = doubling ? x * 2 : x + 1) {
            if (n >= max) goto too_many;
            out[n++] = (int)x;
        }
    }
    if (n == 0) {
        diag_error(d, NULL, 0, 0, flag, "expected at least one value");
        return -1;
    }
    return n;
too_many:
    diag_error(d, NULL, 0, 0, flag, "more than %d values", max);
    return -1;
}

int cli_parse_precisions(const char *flag, const char *v, precision_t *out, int max, diag_t *d)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", v);
    int n = 0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (n >= max || precision_parse(tok, &out[n]) != 0) {
            diag_error(d, NULL, 0, 0, flag, "unknown precision \"%s\" (or more than %d)", tok, max);
            return -1;
        }
        n++;
    }
    return n;
}

void *cli_search_point_json(const search_result_t *r, const search_space_t *sp, size_t i)
{
    const search_point_t *p = &r->points[i];
    json_t *o = json_object(), *dz = json_object(), *out = json_object();
    json_object_set_new(dz, "system", json_string(sp->systems[p->system]->name));
    json_object_set_new(dz, "chips", json_integer(p->chips));
    json_object_set_new(dz, "tp", json_integer(p->tp));
    json_object_set_new(dz, "pp", json_integer(p->pp));
    json_object_set_new(dz, "ep", json_integer(p->ep));
    json_object_set_new(dz, "dp", json_integer(p->dp));
    json_object_set_new(dz, "weights", json_string(sp->weights[p->weights].name));
    json_object_set_new(dz, "kv", json_string(sp->kv[p->kv].name));
    json_object_set_new(dz, "isl", json_integer(p->isl));
    json_object_set_new(dz, "osl", json_integer(p->osl));
    json_object_set_new(dz, "batch", json_integer(p->batch));
    json_object_set_new(dz, "scenario", json_string(p->pchips ? "disaggregated" : p->steady ? "steady_state" : "static_batch"));
    if (p->pchips) {
        json_object_set_new(dz, "prefill_chips", json_integer(p->pchips));
        json_object_set_new(dz, "prefill_instances", json_integer(p->pinst));
        json_object_set_new(dz, "decode_instances", json_integer(p->dinst));
    }
    for (int f = 0; f < F_COUNT; f++)
        json_object_set_new(out, search_field_names[f], isfinite(p->f[f]) ? json_real(p->f[f]) : json_null());
    json_object_set_new(o, "index", json_integer((json_int_t)(r->index ? r->index[i] : i)));
    json_object_set_new(o, "design", dz);
    json_object_set_new(o, "outputs", out);
    return o;
}

static void csv_row(FILE *f, const search_space_t *sp, const search_point_t *p)
{
    csv_put(f, sp->systems[p->system]->name); /* a spec's variants are named "h100-sxm[x2,100]" */
    fprintf(f, ",%u,%u,%u,%u,%u,%s,%s,%u,%u,%u,%u,%u,%u,", p->chips, p->tp, p->pp, p->ep, p->dp,
            sp->weights[p->weights].name, sp->kv[p->kv].name, p->isl, p->osl, p->batch, p->pchips, p->pinst, p->dinst);
    csv_put(f, search_reason_names[p->reason]);
    for (int k = 0; k < F_COUNT; k++)
        if (isfinite(p->f[k]))
            fprintf(f, ",%.6g", p->f[k]);
        else
            fprintf(f, ",");
    fprintf(f, "\n");
}

/* The search's sink for --csv: every point, in index order, as the chunks complete. */
typedef struct csv_sink {
    const search_space_t *sp;
    size_t rows;
    int err;   /* errno of a failed write */
} csv_sink_t;

static int csv_sink(void *ctx, const search_point_t *p)
{
    csv_sink_t *c = ctx;
    csv_row(stdout, c->sp, p);
    c->rows++;
    if (ferror(stdout)) {
        c->err = errno ? errno : EIO;
        return 1;
    }
    return 0;
}

static void csv_header(void)
{
    printf("system,chips,tp,pp,ep,dp,weights,kv,isl,osl,batch,prefill_chips,prefill_instances,decode_instances,status");
    for (int k = 0; k < F_COUNT; k++) /* the chips output is both pools: named apart from the design's chips */
        printf(",%s", k == F_CHIPS ? "chips_total" : search_field_names[k]);
    printf("\n");
}

static status_t write_svg(const char *path, const search_result_t *r, size_t *fr, size_t nf, int fx, int fy,
                          diag_t *d)
{
    /* the cloud (the search kept at most 20,000 feasible points, evenly strided, beside the
     * frontier and the top) and the frontier */
    size_t feas = r->count[SR_OK], kept = 0, k = 0, seen = 0;
    for (size_t i = 0; i < r->n_stored; i++)
        kept += r->points[i].reason == SR_OK;
    size_t step = kept > 20000 ? kept / 20000 + 1 : 1;
    double *cx = malloc(sizeof(double) * (20001 + nf) * 2);
    if (!cx)
        return diag_error(d, path, 0, 0, NULL, "out of memory");
    double *cy = cx + 20001, *lx = cy + 20001, *ly = lx + nf;
    for (size_t i = 0; i < r->n_stored && k < 20001; i++)
        if (r->points[i].reason == SR_OK && seen++ % step == 0) {
            cx[k] = r->points[i].f[fx];
            cy[k++] = r->points[i].f[fy];
        }
    for (size_t i = 0; i < nf; i++) {
        lx[i] = r->points[fr[i]].f[fx];
        ly[i] = r->points[fr[i]].f[fy];
    }
    char title[160], xl[96], yl[96];
    snprintf(title, sizeof title, "Pareto frontier over %zu feasible design points", feas);
    snprintf(xl, sizeof xl, "%s", search_field_names[fx]);
    snprintf(yl, sizeof yl, "%s", search_field_names[fy]);
    svg_plot_t p = {.title = title, .x_label = xl, .y_label = yl, .log_x = 1, .log_y = 1, .n_series = 2,
                    .legend_bottom_right = 1};
    p.series[0] = (svg_series_t){"feasible design points", cx, cy, (int)k, 0};
    p.series[1] = (svg_series_t){"Pareto frontier", lx, ly, (int)nf, 1};
    atomic_file_t af;
    status_t st = atomic_open(&af, path, d);
    if (st == IS_OK) {
        svg_write(af.fp, &p);
        st = atomic_commit(&af, d);
    }
    free(cx);
    return st;
}

int cmd_search(int argc, char **argv)
{
    enum { O_MODEL = 256, O_SYSTEMS, O_CHIPS, O_BATCH, O_WEIGHTS, O_KV, O_ISL, O_OSL, O_TTFT, O_TPOT, O_POWER, O_COST,
           O_OBJ, O_TOP, O_PARETO, O_SITE, O_THREADS, O_JSON, O_CSV, O_FRONT, O_SVG, O_HELP, O_SPEC, O_PCHIPS,
           O_PINST, O_DINST, O_CHIPSMAX, O_SLOTS, O_SKEW };
    static const struct option opts[] = {
        {"model", required_argument, 0, O_MODEL},     {"systems", required_argument, 0, O_SYSTEMS},
        {"chips", required_argument, 0, O_CHIPS},     {"batch", required_argument, 0, O_BATCH},
        {"weights", required_argument, 0, O_WEIGHTS}, {"kv", required_argument, 0, O_KV},
        {"isl", required_argument, 0, O_ISL},         {"osl", required_argument, 0, O_OSL},
        {"ttft-max", required_argument, 0, O_TTFT},   {"tpot-max", required_argument, 0, O_TPOT},
        {"power-max", required_argument, 0, O_POWER}, {"cost-max", required_argument, 0, O_COST},
        {"objective", required_argument, 0, O_OBJ},   {"top", required_argument, 0, O_TOP},
        {"pareto", required_argument, 0, O_PARETO},   {"site", required_argument, 0, O_SITE},
        {"threads", required_argument, 0, O_THREADS}, {"json", no_argument, 0, O_JSON},
        {"csv", no_argument, 0, O_CSV},               {"frontier-only", no_argument, 0, O_FRONT},
        {"svg", required_argument, 0, O_SVG},         {"help", no_argument, 0, O_HELP},
        {"spec", required_argument, 0, O_SPEC},
        {"prefill-chips", required_argument, 0, O_PCHIPS}, {"prefill-instances", required_argument, 0, O_PINST},
        {"decode-instances", required_argument, 0, O_DINST}, {"chips-max", required_argument, 0, O_CHIPSMAX},
        {"expert-slots", required_argument, 0, O_SLOTS}, {"expert-skew", required_argument, 0, O_SKEW},
        {0, 0, 0, 0},
    };
    static search_space_t sp;
    static model_t model;
    static system_t systems[SEARCH_MAX_SYSTEMS];
    static site_t site;
    memset(&sp, 0, sizeof sp);
    diag_t d;
    diag_clear(&d);
    const char *model_name = NULL, *systems_arg = NULL, *site_name = "us-average", *svg = NULL;
    const char *objective = "output_tok_s_per_chip", *pareto = "output_tok_s_per_user,output_tok_s_per_chip";
    int json = 0, csv = 0, front_only = 0, top = 10, c;
    sp.chips[0] = 8, sp.n_chips = 1;
    sp.batch[0] = 0, sp.n_batch = 1;
    sp.isl[0] = 1024, sp.n_isl = 1;
    sp.osl[0] = 128, sp.n_osl = 1;
    precision_parse("fp8", &sp.weights[0]);
    precision_parse("fp8", &sp.kv[0]);
    sp.n_weights = sp.n_kv = 1;
    /* a sweep spec first: its values are the defaults the flags override */
    static sweep_spec_t spec;
    int have_spec = 0;
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--spec")) {
            status_t sst = sweep_spec_load(argv[i + 1], &spec, &d);
            if (sst != IS_OK)
                return cli_fail(sst, &d);
            have_spec = 1;
        }
    if (have_spec) {
        model_name = spec.model;
        systems_arg = spec.systems;
        struct { const char *v, *flag; int *n, *out, allow_max, max; } lists[] = {
            {spec.chips, "chips", &sp.n_chips, sp.chips, 0, SEARCH_MAX_VALUES},
            {spec.batch, "batch", &sp.n_batch, sp.batch, 1, SEARCH_MAX_VALUES},
            {spec.isl, "isl", &sp.n_isl, sp.isl, 0, SEARCH_MAX_VALUES},
            {spec.osl, "osl", &sp.n_osl, sp.osl, 0, SEARCH_MAX_VALUES},
            {spec.prefill_chips, "prefill_chips", &sp.n_pchips, sp.pchips, 0, 64},
            {spec.prefill_instances, "prefill_instances", &sp.n_pinst, sp.pinst, 0, 64},
            {spec.decode_instances, "decode_instances", &sp.n_dinst, sp.dinst, 0, 64},
        };
        for (int i = 0; i < 7; i++)
            if (lists[i].v[0] && (*lists[i].n = cli_parse_values(lists[i].flag, lists[i].v, lists[i].out, lists[i].max,
                                                             lists[i].allow_max, &d)) < 0)
                return cli_fail(IS_ERR_INPUT, &d);
        if (spec.weights[0] && (sp.n_weights = cli_parse_precisions("weights", spec.weights, sp.weights, 16, &d)) < 0)
            return cli_fail(IS_ERR_INPUT, &d);
        if (spec.kv[0] && (sp.n_kv = cli_parse_precisions("kv", spec.kv, sp.kv, 16, &d)) < 0)
            return cli_fail(IS_ERR_INPUT, &d);
        sp.ttft_max_s = spec.ttft_max_s;
        sp.tpot_max_s = spec.tpot_max_s;
        sp.power_max_w = spec.power_max_w;
        sp.usd_per_mtok_max = spec.usd_per_mtok_max;
        sp.chips_max = spec.chips_max;
        sp.expert_skew = spec.expert_skew;
        sp.expert_slots = spec.expert_slots;
        if (spec.objective[0]) objective = spec.objective;
        if (spec.pareto[0]) pareto = spec.pareto;
        if (spec.site[0]) site_name = spec.site;
        if (spec.top > 0) top = spec.top;
    }
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int bad = 0;
        char *e;
        switch (c) {
        case O_SPEC: break;
        case O_MODEL: model_name = optarg; break;
        case O_SYSTEMS: systems_arg = optarg; break;
        case O_CHIPS: bad = (sp.n_chips = cli_parse_values("--chips", optarg, sp.chips, SEARCH_MAX_VALUES, 0, &d)) < 0; break;
        case O_BATCH: bad = (sp.n_batch = cli_parse_values("--batch", optarg, sp.batch, SEARCH_MAX_VALUES, 1, &d)) < 0; break;
        case O_ISL: bad = (sp.n_isl = cli_parse_values("--isl", optarg, sp.isl, SEARCH_MAX_VALUES, 0, &d)) < 0; break;
        case O_OSL: bad = (sp.n_osl = cli_parse_values("--osl", optarg, sp.osl, SEARCH_MAX_VALUES, 0, &d)) < 0; break;
        case O_PCHIPS: bad = (sp.n_pchips = cli_parse_values("--prefill-chips", optarg, sp.pchips, 64, 0, &d)) < 0; break;
        case O_PINST: bad = (sp.n_pinst = cli_parse_values("--prefill-instances", optarg, sp.pinst, 64, 0, &d)) < 0; break;
        case O_DINST: bad = (sp.n_dinst = cli_parse_values("--decode-instances", optarg, sp.dinst, 64, 0, &d)) < 0; break;
        case O_WEIGHTS: bad = (sp.n_weights = cli_parse_precisions("--weights", optarg, sp.weights, 16, &d)) < 0; break;
        case O_KV: bad = (sp.n_kv = cli_parse_precisions("--kv", optarg, sp.kv, 16, &d)) < 0; break;
        case O_TTFT: case O_TPOT: case O_POWER: case O_COST: {
            double v = strtod(optarg, &e);
            if (e == optarg || *e || !(v > 0)) {
                diag_error(&d, NULL, 0, 0, NULL, "a limit must be a positive number, got \"%s\"", optarg);
                bad = 1;
            }
            *(c == O_TTFT ? &sp.ttft_max_s : c == O_TPOT ? &sp.tpot_max_s : c == O_POWER ? &sp.power_max_w
                                                                                     : &sp.usd_per_mtok_max) = v;
            break;
        }
        case O_CHIPSMAX: bad = cli_int("--chips-max", optarg, 1, &sp.chips_max, &d) != IS_OK; break;
        case O_SLOTS:
        case O_SKEW: { /* parsed as predict and serve parse them */
            cli_deploy_flags_t df;
            cli_deploy_flags_default(&df);
            df.expert_skew = sp.expert_skew;
            df.expert_slots = sp.expert_slots;
            status_t fst;
            cli_deploy_option(&df, c == O_SLOTS ? "expert-slots" : "expert-skew", optarg, &fst, &d);
            bad = fst != IS_OK;
            sp.expert_skew = df.expert_skew;
            sp.expert_slots = df.expert_slots;
            break;
        }
        case O_OBJ: objective = optarg; break;
        case O_TOP: bad = cli_int("--top", optarg, 1, &top, &d) != IS_OK; break;
        case O_PARETO: pareto = optarg; break;
        case O_SITE: site_name = optarg; break;
        case O_THREADS: bad = cli_int("--threads", optarg, 1, &sp.threads, &d) != IS_OK; break;
        case O_JSON: json = 1; break;
        case O_CSV: csv = 1; break;
        case O_FRONT: front_only = 1; break;
        case O_SVG: svg = optarg; break;
        case 'h':
        case O_HELP: usage(stdout); return EXIT_OK;
        default: return cli_bad_option(opts, argv[optind - 1], "search");
        }
        if (bad)
            return cli_fail(IS_ERR_INPUT, &d);
    }
    if (!model_name || !systems_arg) {
        diag_error(&d, NULL, 0, 0, model_name ? "--systems" : "--model", "required (see infersim search --help)");
        return cli_fail(IS_ERR_INPUT, &d);
    }
    int fobj = search_field_by_name(objective), fx = -1, fy = -1;
    char pb[256];
    snprintf(pb, sizeof pb, "%s", pareto);
    char *comma = strchr(pb, ',');
    if (comma) {
        *comma = '\0';
        fx = search_field_by_name(pb);
        fy = search_field_by_name(comma + 1);
    }
    if (fobj < 0 || fx < 0 || fy < 0) {
        const char *bad = fobj < 0 ? objective : fx < 0 ? pb : comma + 1;
        const char *near = diag_near_match(bad, search_field_names, F_COUNT);
        diag_error(&d, NULL, 0, 0, fobj < 0 ? "--objective" : "--pareto", "unknown field \"%s\"%s%s%s", bad,
                   near ? "; did you mean \"" : " (infersim search --help lists them)", near ? near : "", near ? "\"?" : "");
        return cli_fail(IS_ERR_INPUT, &d);
    }
    status_t st = cli_load_model(model_name, &model, &d);
    if (st != IS_OK)
        return cli_fail(st, &d);
    sp.model = &model;
    char sb[1024];
    snprintf(sb, sizeof sb, "%s", systems_arg);
    for (char *tok = strtok(sb, ","); tok; tok = strtok(NULL, ",")) {
        if (sp.n_systems >= SEARCH_MAX_SYSTEMS) {
            diag_error(&d, NULL, 0, 0, "--systems", "at most %d systems", SEARCH_MAX_SYSTEMS);
            return cli_fail(IS_ERR_INPUT, &d);
        }
        if ((st = cli_load_system(tok, &systems[sp.n_systems], &d)) != IS_OK)
            return cli_fail(st, &d);
        sp.systems[sp.n_systems] = &systems[sp.n_systems];
        sp.n_systems++;
    }
    /* the spec's varied fields: every base system x every combination of values */
    if (have_spec && spec.n_vary > 0) {
        int combos = 1;
        for (int v = 0; v < spec.n_vary; v++)
            combos *= spec.vary[v].n;
        int nb = sp.n_systems;
        if ((long)nb * combos > SEARCH_MAX_SYSTEMS) {
            diag_error(&d, NULL, 0, 0, "vary", "%d systems x %d combinations of varied fields exceed %d system variants",
                       nb, combos, SEARCH_MAX_SYSTEMS);
            return cli_fail(IS_ERR_INPUT, &d);
        }
        static system_t base[SEARCH_MAX_SYSTEMS];
        static paper_data_t paper;
        int have_paper = 0;
        memcpy(base, systems, sizeof(system_t) * (size_t)nb);
        int n = 0;
        for (int b = 0; b < nb; b++)
            for (int k = 0; k < combos; k++) {
                system_t *v = &systems[n];
                *v = base[b];
                char tag[48], name[64];
                snprintf(name, sizeof name, "%.40s", base[b].name);
                for (int q = 0, rest = k; q < spec.n_vary; q++) {
                    const sweep_vary_t *sv = &spec.vary[q];
                    double x = sv->v[rest % sv->n];
                    rest /= sv->n;
                    int bad = 0;
                    if (!strncmp(sv->path, "directions.", 11)) {
                        if (!have_paper) {
                            if ((st = paper_load(&paper, &d)) != IS_OK)
                                return cli_fail(st, &d);
                            have_paper = 1;
                        }
                        bad = directions_apply(v, &paper, sv->path + 11, x) != 0;
                    } else {
                        bad = sweep_apply(v, sv->path, x, sv->scale) != 0;
                    }
                    if (bad) {
                        diag_error(&d, NULL, 0, 0, "vary", "%s has no field %s", base[b].name, sv->path);
                        return cli_fail(IS_ERR_INPUT, &d);
                    }
                    if (!strcmp(sv->path, "directions.hbf_stacks"))
                        snprintf(tag, sizeof tag, "%shbf%g", q ? "," : "[", x);
                    else if (!strncmp(sv->path, "directions.", 11))
                        snprintf(tag, sizeof tag, "%s%s%s", q ? "," : "[", x ? "" : "no_", sv->path + 11);
                    else
                        snprintf(tag, sizeof tag, "%s%s%g", q ? "," : "[", sv->scale ? "x" : "", x);
                    strncat(name, tag, sizeof name - strlen(name) - 1);
                }
                strncat(name, "]", sizeof name - strlen(name) - 1);
                snprintf(v->name, sizeof v->name, "%s", name);
                sp.systems[n] = v;
                n++;
            }
        sp.n_systems = n;
    }
    if ((st = cli_load_site(site_name, &site, &d)) != IS_OK)
        return cli_fail(st, &d);
    sp.site = &site;
    sp.progress = !json && !csv;

    if (sp.n_pchips == 0 && (sp.n_pinst > 0 || sp.n_dinst > 0)) {
        diag_error(&d, NULL, 0, 0, sp.n_pinst > 0 ? "--prefill-instances" : "--decode-instances",
                   "pool sizes need --prefill-chips (the chips of one prefill instance)");
        return cli_fail(IS_ERR_INPUT, &d);
    }
    if (sp.n_pchips > 0) {
        if (sp.n_pinst == 0)
            sp.pinst[sp.n_pinst++] = 1;
        if (sp.n_dinst == 0)
            sp.dinst[sp.n_dinst++] = 1;
    }
    /* keep the frontier, the top and a cloud for the plot; stream every point of --csv */
    sp.keep = (search_keep_t){.fx = fx, .fy = fy, .fobj = fobj, .top = (size_t)top, .cloud = svg ? 20000 : 0};
    csv_sink_t sink = {&sp, 0, 0};
    if (csv && !front_only) {
        csv_header();
        sp.sink = csv_sink;
        sp.sink_ctx = &sink;
    }
    static search_result_t r;
    interrupt_install();
    if ((st = search_run(&sp, &r, &d)) != IS_OK) {
        if (sink.err) {
            /* stdout failed (a full disk, a closed pipe): said once, here */
            char what[sizeof d.message];
            snprintf(what, sizeof what, "%s", d.message);
            snprintf(d.message, sizeof d.message, "writing the output: %s (%.400s)", strerror(sink.err), what);
            cli_stdout_failure_reported();
        } else if (st == IS_INTERRUPTED) {
            fflush(stdout);
            size_t len = strlen(d.message);
            if (sp.sink)
                snprintf(d.message + len, sizeof d.message - len, ": %zu CSV rows written", sink.rows);
            else
                snprintf(d.message + len, sizeof d.message - len, ": nothing written");
        }
        return cli_fail(st, &d);
    }
    size_t feas = r.count[SR_OK];
    size_t *fr = malloc(sizeof(size_t) * (r.n_stored + 1)), *tp = malloc(sizeof(size_t) * ((size_t)top + 1));
    if (!fr || !tp) {
        free(fr);
        free(tp);
        search_free(&r);
        diag_error(&d, NULL, 0, 0, NULL, "out of memory");
        return cli_fail(IS_ERR_NOMEM, &d);
    }
    size_t nf = search_frontier(&r, (search_field_t)fx, (search_field_t)fy, fr, r.n_stored + 1);
    size_t nt = search_top(&r, (search_field_t)fobj, tp, (size_t)top);
    if (nf == SEARCH_NOMEM || nt == SEARCH_NOMEM) {
        free(fr);
        free(tp);
        search_free(&r);
        diag_error(&d, NULL, 0, 0, NULL, "out of memory");
        return cli_fail(IS_ERR_NOMEM, &d);
    }
    if (svg && (st = write_svg(svg, &r, fr, nf, fx, fy, &d)) != IS_OK) {
        free(fr);
        free(tp);
        search_free(&r);
        return cli_fail(st, &d);
    }
    if (json) {
        json_t *o = json_object(), *inf = json_object(), *fa = json_array(), *ta = json_array();
        json_object_set_new(o, "evaluated", json_integer((json_int_t)r.n_points));
        json_object_set_new(o, "deployments", json_integer((json_int_t)r.n_deployments));
        json_object_set_new(o, "feasible", json_integer((json_int_t)feas));
        for (int k = 1; k < SR_COUNT; k++)
            if (r.count[k])
                json_object_set_new(inf, search_reason_names[k], json_integer((json_int_t)r.count[k]));
        json_object_set_new(o, "infeasible", inf);
        json_object_set_new(o, "objective", json_string(objective));
        json_object_set_new(o, "pareto", json_string(pareto));
        if (sp.expert_slots > 0)
            json_object_set_new(o, "expert_slots", json_integer(sp.expert_slots));
        if (sp.expert_skew > 0)
            json_object_set_new(o, "expert_skew", json_real(sp.expert_skew));
        for (size_t i = 0; i < nf; i++)
            json_array_append_new(fa, cli_search_point_json(&r, &sp, fr[i]));
        for (size_t i = 0; i < nt; i++)
            json_array_append_new(ta, cli_search_point_json(&r, &sp, tp[i]));
        json_object_set_new(o, "frontier", fa);
        json_object_set_new(o, "top", ta);
        json_object_set_new(o, "wall_s", json_real(r.wall_s));
        json_object_set_new(o, "points_per_s", json_real(r.points_per_s));
        cli_print_json(o);
    } else if (csv) {
        if (front_only) { /* (the rows of a whole --csv went out as the search ran) */
            csv_header();
            for (size_t i = 0; i < nf; i++)
                csv_row(stdout, &sp, &r.points[fr[i]]);
        }
    } else {
        printf("%zu design points (%zu deployments x workloads) in %.3f s: %.0f points/s\n", r.n_points,
               r.n_deployments, r.wall_s, r.points_per_s);
        if (sp.expert_slots > 0 || sp.expert_skew > 0) {
            printf("with EP:");
            if (sp.expert_slots > 0)
                printf(" %d expert slots%s", sp.expert_slots, sp.expert_skew > 0 ? ";" : "");
            if (sp.expert_skew > 0)
                printf(" experts' load CV %g", sp.expert_skew);
            printf("\n");
        }
        printf("feasible %zu", feas);
        for (int k = 1; k < SR_COUNT; k++)
            if (r.count[k])
                printf("; %s %zu", search_reason_names[k], r.count[k]);
        printf("\n\ntop %zu by %s:\n", nt, objective);
        int sw = 20; /* the system column: as wide as the longest name (variants carry their values) */
        for (int k = 0; k < sp.n_systems; k++)
            if ((int)strlen(sp.systems[k]->name) > sw)
                sw = (int)strlen(sp.systems[k]->name);
        const int dis = sp.n_pchips > 0; /* disaggregated: a pools column, P x prefill chips + D x decode chips */
        if (dis)
            printf("  %-*s %-11s", sw, "system", "pools P+D");
        else
            printf("  %-*s", sw, "system");
        printf(" %5s %3s %3s %3s %3s %-5s %-5s %6s %6s %6s %9s %9s %9s %9s %9s\n", "chips", "tp", "pp", "ep",
               "dp", "w", "kv", "isl", "osl", "batch", "TTFT s", "TPOT ms", "tok/s/usr", "tok/s/chip", "$/Mtok");
        for (int pass = 0; pass < 2; pass++) {
            size_t *list = pass ? fr : tp, cnt = pass ? (nf < 20 ? nf : 20) : nt;
            if (pass)
                printf("\nPareto frontier of %s against %s: %zu points%s\n", search_field_names[fx],
                       search_field_names[fy], nf, nf > 20 ? " (the first 20)" : "");
            for (size_t i = 0; i < cnt; i++) {
                const search_point_t *p = &r.points[list[i]];
                if (dis) {
                    char pools[32];
                    snprintf(pools, sizeof pools, "%ux%u+%ux%u", p->pinst, p->pchips, p->dinst, p->chips);
                    printf("  %-*s %-11s", sw, sp.systems[p->system]->name, pools);
                } else {
                    printf("  %-*s", sw, sp.systems[p->system]->name);
                }
                printf(" %5u %3u %3u %3u %3u %-5s %-5s %6u %6u %6u %9.3f %9.2f %9.1f %9.1f %9.3f\n",
                       dis ? (unsigned)p->f[F_CHIPS] : p->chips, p->tp, p->pp, p->ep, p->dp, sp.weights[p->weights].name,
                       sp.kv[p->kv].name, p->isl, p->osl, p->batch, p->f[F_TTFT], p->f[F_TPOT] * 1e3,
                       p->f[F_TOK_S_USER], p->f[F_TOK_S_CHIP], p->f[F_USD]);
            }
        }
    }
    free(fr);
    free(tp);
    search_free(&r);
    return EXIT_OK;
}
