/*
 * main.c — `infersim COMMAND [options]`: usage and dispatch (the shared helpers are in cli.c).
 */
#include "cli.h"

#include "../io/catalog.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

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
            "  validate  predicted against published and our own measurements: error per row, MAPE per set\n"
            "  calibrate measure this machine and write a system file for it\n"
            "  measure   run a real transformer on this CPU and compare with the prediction\n"
            "  study     study paper: the claims of Ma & Patterson (2026) against the model\n"
            "  search    design-space search: every deployment x workload, top N, Pareto frontier\n"
            "  serve     serving simulation: requests over time, continuous batching, TTFT/TPOT percentiles\n"
            "  ui        a page in your browser that predicts as you change the inputs (and its JSON API)\n"
            "\n"
            "  infersim COMMAND --help   options of a command\n"
            "  infersim --version\n"
            "\n"
            "exit status: 0 ok, 1 I/O error, 2 bad input, 3 the deployment does not fit in memory,\n"
            "130 interrupted (search, serve)\n",
            INFERSIM_VERSION);
}

#ifdef INFERSIM_MPI
#include <mpi.h>
#endif

static int dispatch(int argc, char **argv);

/* What was printed must have reached its destination: a full disk or a closed pipe is an
 * error (exit 1), not a silent truncation. */
static int check_stdout(int rc)
{
    if (rc == 0 && cli_json_failed()) /* a JSON value lost a part: cli_print_json said so */
        rc = EXIT_IO;
    errno = 0;
    if ((fflush(stdout) != 0 || ferror(stdout)) && !cli_stdout_failure_was_reported()) {
        fprintf(stderr, "infersim: error: writing the output: %s\n", errno ? strerror(errno) : "write error");
        return rc ? rc : EXIT_IO;
    }
    return rc;
}

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
    int rc = check_stdout(dispatch(argc, argv));
    MPI_Finalize();
    return rc;
#else
    return check_stdout(dispatch(argc, argv));
#endif
}

static int dispatch(int argc, char **argv)
{
    catalog_set_argv0(argv[0]);
    cli_json_init();
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
    if (!strcmp(cmd, "serve")) return cmd_serve(argc - 1, argv + 1);
    if (!strcmp(cmd, "ui")) return cmd_ui(argc - 1, argv + 1);
    static const char *const cmds[] = {"predict", "models", "systems", "sites", "show", "validate", "calibrate", "measure",
                                       "study", "search", "serve", "ui"};
    const char *near = diag_near_match(cmd, cmds, 11);
    fprintf(stderr, "infersim: error: unknown command \"%s\"%s%s%s (try infersim --help)\n", cmd,
            near ? "; did you mean \"" : "", near ? near : "", near ? "\"?" : "");
    return EXIT_INPUT;
}
