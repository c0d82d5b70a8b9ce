/*
 * main.c — `infersim COMMAND [options]`: dispatch and the shared CLI helpers.
 */
#include "cli.h"

#include "../io/catalog.h"
#include "../io/model_config.h"
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

void cli_print_json(void *json)
{
    json_t *o = json;
    char *t = json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    if (t) {
        puts(t);
        free(t);
    }
    json_decref(o);
}

void cli_warnings(const diag_t *d)
{
    for (int i = 0; i < d->n_warnings; i++)
        fprintf(stderr, "infersim: warning: %s\n", d->warnings[i]);
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

static void usage(FILE *f)
{
    fprintf(f,
            "infersim %s — how fast, how big and how expensive is this LLM on this hardware\n"
            "\n"
            "usage: infersim COMMAND [options]\n"
            "\n"
            "commands:\n"
            "  predict   TTFT, TPOT, throughput, memory fit and step breakdown of a deployment\n"
            "  models    list the model presets (Hugging Face config.json files)\n"
            "  systems   list the system presets (YAML files with sources)\n"
            "  sites     list the site presets (electricity, PUE, carbon, amortisation)\n"
            "  show      show model NAME|PATH  or  show system NAME|PATH: everything derived from it\n"
            "  validate  predicted against published measurements: error per row, MAPE per group\n"
            "  calibrate measure this machine and write a system file for it\n"
            "  measure   run a real transformer on this CPU and compare with the prediction\n"
            "  study     study paper: the claims of Ma & Patterson (2026) against the model\n"
            "  search    design-space search: every deployment x workload, top N, Pareto frontier\n"
            "\n"
            "  infersim COMMAND --help   options of a command\n"
            "  infersim --version\n"
            "\n"
            "exit status: 0 ok, 1 I/O error, 2 bad input, 3 the deployment does not fit in memory\n",
            INFERSIM_VERSION);
}

#ifdef INFERSIM_MPI
#include <mpi.h>
#endif

static int dispatch(int argc, char **argv);

int main(int argc, char **argv)
{
#ifdef INFERSIM_MPI
    /* the MPI build: every rank runs the command; search splits its work across ranks and
     * rank 0 alone prints */
    MPI_Init(&argc, &argv);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank != 0 && !freopen("/dev/null", "w", stdout))
        return EXIT_IO;
    int rc = dispatch(argc, argv);
    MPI_Finalize();
    return rc;
#else
    return dispatch(argc, argv);
#endif
}

static int dispatch(int argc, char **argv)
{
    catalog_set_argv0(argv[0]);
    if (argc < 2) {
        usage(stderr);
        return EXIT_INPUT;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("infersim %s\n", INFERSIM_VERSION);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "predict")) return cmd_predict(argc - 1, argv + 1);
    if (!strcmp(cmd, "models")) return cmd_models(argc - 1, argv + 1);
    if (!strcmp(cmd, "systems")) return cmd_systems(argc - 1, argv + 1);
    if (!strcmp(cmd, "sites")) return cmd_sites(argc - 1, argv + 1);
    if (!strcmp(cmd, "show")) return cmd_show(argc - 1, argv + 1);
    if (!strcmp(cmd, "validate")) return cmd_validate(argc - 1, argv + 1);
    if (!strcmp(cmd, "calibrate")) return cmd_calibrate(argc - 1, argv + 1);
    if (!strcmp(cmd, "measure")) return cmd_measure(argc - 1, argv + 1);
    if (!strcmp(cmd, "study")) return cmd_study(argc - 1, argv + 1);
    if (!strcmp(cmd, "search")) return cmd_search(argc - 1, argv + 1);
    static const char *const cmds[] = {"predict", "models", "systems", "sites", "show", "validate", "calibrate", "measure",
                                       "study", "search"};
    const char *near = diag_near_match(cmd, cmds, 10);
    fprintf(stderr, "infersim: error: unknown command \"%s\"%s%s%s (try infersim --help)\n", cmd,
            near ? "; did you mean \"" : "", near ? near : "", near ? "\"?" : "");
    return EXIT_INPUT;
}
