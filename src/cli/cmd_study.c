/*
 * cmd_study.c — `infersim study paper`: the paper's claims against the model.
 */
#include "cli.h"

#include "../analysis/study.h"
#include "../report/study_report.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

int cmd_study(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'}, {"quick", no_argument, 0, 'q'},
        {"json", no_argument, 0, 'j'},      {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
    };
    const char *out = "study";
    int quick = 0, json = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'q': quick = 1; break;
        case 'j': json = 1; break;
        case 'h':
            printf("usage: infersim study paper [--out DIR] [--quick] [--json]\n\n"
                   "Puts the claims of Ma & Patterson (2026) to the model and writes DIR (default ./study):\n"
                   "report.md (tables and one verdict per claim), study.json (every number), and SVG figures.\n");
            return EXIT_OK;
        default:
            return cli_bad_option(opts, argv[optind - 1], "study");
        }
    }
    diag_t d;
    diag_clear(&d);
    if (optind >= argc || strcmp(argv[optind], "paper") != 0) {
        diag_error(&d, NULL, 0, 0, NULL, "study: expected \"paper\" (infersim study paper --out DIR)");
        return cli_fail(IS_ERR_INPUT, &d);
    }
    json_t *st = study_paper(quick, &d);
    if (!st)
        return cli_fail(IS_ERR_INPUT, &d);
    status_t s = study_report_write(st, out, &d);
    if (s != IS_OK) {
        json_decref(st);
        return cli_fail(s, &d);
    }
    if (json) {
        cli_print_json(st);
    } else {
        printf("The paper study (Ma & Patterson 2026) against infersim's model: %s/report.md\n\n", out);
        study_report_verdicts(stdout, st);
        json_decref(st);
    }
    return EXIT_OK;
}
