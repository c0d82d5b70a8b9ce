/*
 * cli.c — the helpers every command shares: errors and warnings in compiler form, integer
 * flags, unknown options with a near match, JSON output, presets by name or path.
 */
#include "cli.h"

#include "../io/catalog.h"
#include "../io/model_config.h"
#include "../io/site_yaml.h"
#include "../io/system_yaml.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_fail(status_t st, const diag_t *d)
{
    char buf[2048];
    diag_format(d, buf, sizeof buf);
    if (!d->file[0])
        fputs("infersim: ", stderr);
    fputs(buf, stderr);
    switch (st) {
    case IS_ERR_INPUT: return EXIT_INPUT;
    case IS_ERR_NOFIT: return EXIT_NOFIT;
    case IS_INTERRUPTED: return EXIT_INTERRUPTED;
    case IS_OK: return EXIT_OK;
    default: return EXIT_IO;
    }
}

int cli_bad_option(const struct option *opts, const char *arg, const char *cmd)
{
    diag_t d;
    diag_clear(&d);
    const char *names[64];
    int n = 0;
    for (const struct option *o = opts; o->name && n < 64; o++)
        names[n++] = o->name;
    char w[64];
    const char *word = arg;
    while (*word == '-')
        word++;
    snprintf(w, sizeof w, "%s", word);
    char *eq = strchr(w, '=');
    if (eq)
        *eq = '\0';
    const char *near = diag_near_match(w, names, n);
    if (near)
        diag_error(&d, NULL, 0, 0, NULL, "unknown option \"%s\"; did you mean \"--%s\"?", arg, near);
    else
        diag_error(&d, NULL, 0, 0, NULL, "unknown option \"%s\" (infersim %s --help lists them)", arg, cmd);
    return cli_fail(IS_ERR_INPUT, &d);
}

/* jansson reports a failed allocation only by leaving a value out: count them, so that a
 * JSON document missing a part is an error, never printed. */
static int json_alloc_failed;

static void *json_malloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        json_alloc_failed = 1;
    return p;
}

void cli_json_init(void)
{
    json_set_alloc_funcs(json_malloc, free);
}

int cli_json_failed(void)
{
    return json_alloc_failed;
}

static int stdout_reported;

void cli_stdout_failure_reported(void)
{
    stdout_reported = 1;
}

int cli_stdout_failure_was_reported(void)
{
    return stdout_reported;
}

int cli_print_json(void *json)
{
    json_t *o = json;
    char *t = o ? json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) : NULL;
    json_decref(o);
    if (!t || json_alloc_failed) {
        free(t);
        fputs("infersim: error: out of memory while building the JSON output\n", stderr);
        return EXIT_IO;
    }
    puts(t);
    free(t);
    return EXIT_OK;
}

void cli_warnings(const diag_t *d)
{
    for (int i = 0; i < d->n_warnings; i++)
        fprintf(stderr, "infersim: warning: %s\n", d->warnings[i]);
}

status_t cli_choose(const char *flag, const char *v, const char *const *names, int n, int *out, diag_t *d)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(v, names[i])) {
            *out = i;
            return IS_OK;
        }
    char expected[256] = "";
    for (int i = 0; i < n; i++) {
        size_t k = strlen(expected);
        snprintf(expected + k, sizeof expected - k, "%s%s", i == 0 ? "" : i == n - 1 ? " or " : ", ", names[i]);
    }
    const char *near = diag_near_match(v, names, n);
    return diag_error(d, NULL, 0, 0, flag, "unknown value \"%s\"%s%s%s (expected %s)", v,
                      near ? "; did you mean \"" : "", near ? near : "", near ? "\"?" : "", expected);
}

status_t cli_int(const char *flag, const char *v, int min, int *out, diag_t *d)
{
    char *end = NULL;
    errno = 0;
    long x = v ? strtol(v, &end, 10) : 0;
    if (!v || end == v || *end != '\0' || errno == ERANGE || x > 1000000000L)
        return diag_error(d, NULL, 0, 0, flag, "expected an integer, got \"%s\"", v ? v : "");
    if (x < min)
        return diag_error(d, NULL, 0, 0, flag, "expected an integer >= %d, got %ld", min, x);
    *out = (int)x;
    return IS_OK;
}

status_t cli_load_model(const char *name, model_t *m, diag_t *d)
{
    char path[4096];
    status_t st = catalog_resolve(CATALOG_MODELS, name, path, sizeof path, d);
    if (st != IS_OK)
        return st;
    st = model_load(path, m, d);
    if (st == IS_OK && !strchr(name, '/') && !strstr(name, ".json"))
        snprintf(m->name, sizeof m->name, "%s", name);
    return st;
}

status_t cli_load_system(const char *name, system_t *s, diag_t *d)
{
    char path[4096];
    status_t st = catalog_resolve(CATALOG_SYSTEMS, name, path, sizeof path, d);
    if (st != IS_OK)
        return st;
    return system_load(path, s, d);
}

status_t cli_load_site(const char *name, site_t *s, diag_t *d)
{
    char path[4096];
    status_t st = catalog_resolve(CATALOG_SITES, name, path, sizeof path, d);
    if (st != IS_OK)
        return st;
    return site_load(path, s, d);
}

status_t cli_split_chips(const char *flag, int *chips, int *tp, int pp, int dp, diag_t *d)
{
    if (!*chips)
        *chips = (*tp ? *tp : 1) * pp * dp;
    if (!*tp) {
        if (*chips % (pp * dp) != 0)
            return diag_error(d, NULL, 0, 0, flag, "%d chips cannot be split into pp %d x dp %d", *chips, pp, dp);
        *tp = *chips / (pp * dp);
    }
    return IS_OK;
}

static status_t parse_prec(const char *flag, const char *v, precision_t *p, diag_t *d)
{
    if (precision_parse(v, p) == 0)
        return IS_OK;
    int n;
    const char *const *names = precision_names(&n);
    const char *near = diag_near_match(v, names, n);
    if (near)
        return diag_error(d, NULL, 0, 0, flag, "unknown precision \"%s\"; did you mean \"%s\"?", v, near);
    return diag_error(d, NULL, 0, 0, flag,
                      "unknown precision \"%s\" (expected fp32 bf16 fp16 fp8 int8 fp4 int4 mxfp4 nvfp4 q4_0 q4_k "
                      "q5_k q6_k q8_0, or bits per weight such as 4.85)", v);
}

status_t cli_precisions(deploy_cfg_t *cfg, const char *weights, const char *experts, const char *kv, const char *act,
                        diag_t *d)
{
    status_t st;
    if (weights) {
        if ((st = parse_prec("--weights", weights, &cfg->weights, d)) != IS_OK)
            return st;
        cfg->experts = cfg->weights;
        cfg->embed = deploy_embed_precision(&cfg->weights);
    }
    if (experts && (st = parse_prec("--experts", experts, &cfg->experts, d)) != IS_OK)
        return st;
    if (kv && (st = parse_prec("--kv", kv, &cfg->kv, d)) != IS_OK)
        return st;
    if (act) {
        if ((st = parse_prec("--act", act, &cfg->act, d)) != IS_OK)
            return st;
        if (cfg->act.cc == CC_NONE)
            return diag_error(d, NULL, 0, 0, "--act", "%s is a weight-only storage format; activations need fp32, bf16, "
                              "fp16, fp8, int8 or fp4", act);
    } else {
        compute_class_t wc = cfg->weights.cc;
        if (wc == CC_FP8 || wc == CC_INT8 || wc == CC_FP4)
            cfg->act = cfg->weights; /* W8A8 / W4A4 as vendor fp8/fp4 deployments run */
    }
    return IS_OK;
}

int cli_getopt_error(const struct option *opts, char **argv, int first_long, const char *cmd)
{
    if (optopt && optopt >= first_long) {
        diag_t d;
        diag_clear(&d);
        for (const struct option *o = opts; o->name; o++)
            if (o->val == optopt)
                diag_error(&d, NULL, 0, 0, NULL, "option --%s needs a value", o->name);
        return cli_fail(IS_ERR_INPUT, &d);
    }
    return cli_bad_option(opts, argv[optind - 1], cmd);
}

status_t cli_after_options(int argc, char **argv, const char *model, const char *system, const char *cmd, diag_t *d)
{
    if (optind < argc)
        return diag_error(d, NULL, 0, 0, NULL, "unexpected argument \"%s\" (options start with --)", argv[optind]);
    if (!model || !system)
        return diag_error(d, NULL, 0, 0, model ? "--system" : "--model", "required (see infersim %s --help)", cmd);
    return IS_OK;
}

void cli_deploy_flags_default(cli_deploy_flags_t *f)
{
    memset(f, 0, sizeof *f);
    f->pp = f->ep = f->dp = 1;
}

int cli_deploy_option(cli_deploy_flags_t *f, const char *name, const char *value, status_t *st, diag_t *d)
{
    static const char *const ints[] = {"chips", "tp", "pp", "ep", "dp"};
    int *iv[] = {&f->chips, &f->tp, &f->pp, &f->ep, &f->dp};
    static const char *const strs[] = {"model", "system", "weights", "experts", "kv", "act"};
    const char **sv[] = {&f->model, &f->system, &f->weights, &f->experts, &f->kv, &f->act};
    *st = IS_OK;
    if (!name)
        return 0;
    for (int i = 0; i < 5; i++)
        if (!strcmp(name, ints[i])) {
            char fl[16];
            snprintf(fl, sizeof fl, "--%s", name);
            *st = cli_int(fl, value, 1, iv[i], d);
            return 1;
        }
    for (int i = 0; i < 6; i++)
        if (!strcmp(name, strs[i])) {
            *sv[i] = value;
            return 1;
        }
    if (!strcmp(name, "expert-slots")) {
        *st = cli_int("--expert-slots", value, 1, &f->expert_slots, d);
        return 1;
    }
    if (!strcmp(name, "expert-skew")) {
        char *end;
        double x = strtod(value, &end);
        if (!*value || *end || !(x >= 0 && x <= 100))
            *st = diag_error(d, NULL, 0, 0, "--expert-skew",
                             "expected a coefficient of variation from 0 to 100 (0: uniform routing), got \"%s\"", value);
        else
            f->expert_skew = x;
        return 1;
    }
    if (!strcmp(name, "decode-attention")) {
        static const char *const kinds[] = {"grouped", "per-head"};
        if (!strcmp(value, kinds[0]) || !strcmp(value, kinds[1])) {
            f->decode_attn_per_head = !strcmp(value, kinds[1]);
        } else {
            const char *near = diag_near_match(value, kinds, 2);
            *st = diag_error(d, NULL, 0, 0, "--decode-attention",
                             "expected grouped (each KV head read once for its query heads) or per-head (once per "
                             "query head), got \"%s\"%s%s%s", value, near ? "; did you mean " : "", near ? near : "",
                             near ? "?" : "");
        }
        return 1;
    }
    return 0;
}

const char *cli_option_name(const struct option *opts, int c, char *fl, size_t cap)
{
    const char *name = NULL;
    for (const struct option *o = opts; o->name; o++)
        if (o->val == c)
            name = o->name;
    snprintf(fl, cap, "--%s", name ? name : "?");
    return name;
}
