/*
 * cmd_validate.c — `infersim validate`: the published validation set through predict.
 */
#include "cli.h"

#include "../analysis/validate.h"
#include "../io/catalog.h"
#include "../io/fileutil.h"
#include "../report/svg.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: infersim validate [--set FILE.csv] [--aliases FILE.csv] [--svg FILE.svg] [--json | --csv]\n"
               "\n"
               "Runs every row of the validation set (default: <data>/validation/published.csv) through\n"
               "predict and prints predicted, measured and the error per row, and the mean absolute\n"
               "percentage error (MAPE) per group.  --svg draws predicted against measured.\n");
}

static status_t write_svg(const char *path, const val_report_t *r, diag_t *d)
{
    int n = r->n_rows;
    double *x = calloc((size_t)n * 4 + 4, sizeof(double));
    if (!x)
        return diag_error(d, path, 0, 0, NULL, "out of memory");
    double *y = x + n + 1, *x2 = y + n + 1, *y2 = x2 + n + 1;
    int a = 0, b = 0;
    for (int i = 0; i < n; i++) {
        const val_row_t *v = &r->rows[i];
        if (v->skipped)
            continue;
        if (!strcmp(v->group, "edge")) {
            x2[b] = v->measured;
            y2[b++] = v->predicted;
        } else {
            x[a] = v->measured;
            y[a++] = v->predicted;
        }
    }
    char t1[96], t2[96], title[160];
    snprintf(t1, sizeof t1, "datacenter (%d rows, MAPE %.1f%%)", a, 100 * r->mape_datacenter);
    snprintf(t2, sizeof t2, "edge (%d rows, MAPE %.1f%%)", b, 100 * r->mape_edge);
    snprintf(title, sizeof title, "infersim against published measurements: MAPE %.1f%% over %d rows",
             100 * r->mape_overall, r->n_done);
    svg_plot_t p = {.title = title, .x_label = "measured (tok/s or ms, as published)",
                    .y_label = "predicted (same unit)", .log_x = 1, .log_y = 1, .diagonal = 1, .band = 0.25,
                    .n_series = 2};
    p.series[0] = (svg_series_t){t1, x, y, a, 0};
    p.series[1] = (svg_series_t){t2, x2, y2, b, 0};
    atomic_file_t af;
    status_t st = atomic_open(&af, path, d);
    if (st == IS_OK) {
        svg_write(af.fp, &p);
        st = atomic_commit(&af, d);
    }
    free(x);
    return st;
}

int cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"set", required_argument, 0, 's'}, {"aliases", required_argument, 0, 'a'},
        {"svg", required_argument, 0, 'g'}, {"json", no_argument, 0, 'j'},
        {"csv", no_argument, 0, 'c'},       {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    char set[4200], aliases[4200];
    snprintf(set, sizeof set, "%s/validation/published.csv", catalog_data_dir());
    snprintf(aliases, sizeof aliases, "%s/validation/aliases.csv", catalog_data_dir());
    const char *svg = NULL;
    int json = 0, csv = 0, c;
    diag_t d;
    diag_clear(&d);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's': snprintf(set, sizeof set, "%s", optarg); break;
        case 'a': snprintf(aliases, sizeof aliases, "%s", optarg); break;
        case 'g': svg = optarg; break;
        case 'j': json = 1; break;
        case 'c': csv = 1; break;
        case 'h': usage(stdout); return EXIT_OK;
        default:
            return cli_bad_option(opts, argv[optind - 1], "validate");
        }
    }
    val_report_t r;
    status_t st = validate_run(set, aliases, &r, &d);
    if (st != IS_OK)
        return cli_fail(st, &d);
    if (json) {
        json_t *o = json_object(), *rows = json_array();
        for (int i = 0; i < r.n_rows; i++) {
            const val_row_t *v = &r.rows[i];
            json_t *e = json_object();
            json_object_set_new(e, "id", json_string(v->id));
            json_object_set_new(e, "line", json_integer(v->line));
            json_object_set_new(e, "group", json_string(v->group));
            json_object_set_new(e, "model", json_string(v->model));
            json_object_set_new(e, "system", json_string(v->system));
            json_object_set_new(e, "metric", json_string(v->metric));
            json_object_set_new(e, "measured", json_real(v->measured));
            if (v->skipped) {
                json_object_set_new(e, "skipped", json_string(v->reason));
            } else {
                json_object_set_new(e, "predicted", json_real(v->predicted));
                json_object_set_new(e, "error", json_real(v->error));
                json_object_set_new(e, "plan", json_string(v->plan));
            }
            json_object_set_new(e, "source_url", json_string(v->source_url));
            json_array_append_new(rows, e);
        }
        json_object_set_new(o, "rows", rows);
        json_t *m = json_object();
        json_object_set_new(m, "overall", json_real(r.mape_overall));
        json_object_set_new(m, "datacenter", json_real(r.mape_datacenter));
        json_object_set_new(m, "edge", json_real(r.mape_edge));
        json_object_set_new(o, "mape", m);
        json_object_set_new(o, "rows_predicted", json_integer(r.n_done));
        json_object_set_new(o, "rows_skipped", json_integer(r.n_skipped));
        cli_print_json(o);
    } else if (csv) {
        printf("id,group,model,system,metric,measured,predicted,error,plan,skipped\n");
        for (int i = 0; i < r.n_rows; i++) {
            const val_row_t *v = &r.rows[i];
            printf("%s,%s,%s,%s,%s,%.6g,%.6g,%.4f,%s,\"%s\"\n", v->id, v->group, v->model, v->system, v->metric,
                   v->measured, v->skipped ? 0 : v->predicted, v->skipped ? 0 : v->error, v->plan, v->reason);
        }
    } else {
        printf("%-10s %-15s %-13s %-22s %11s %11s %8s  %s\n", "id", "model", "system", "metric", "measured",
               "predicted", "error", "plan");
        for (int i = 0; i < r.n_rows; i++) {
            const val_row_t *v = &r.rows[i];
            if (v->skipped)
                continue;
            printf("%-10.10s %-15.15s %-13.13s %-22.22s %11.4g %11.4g %+7.1f%%  %s\n", v->id, v->model, v->system,
                   v->metric, v->measured, v->predicted, 100 * v->error, v->plan);
        }
        printf("\nskipped %d of %d rows:\n", r.n_skipped, r.n_rows);
        for (int i = 0; i < r.n_rows; i++)
            if (r.rows[i].skipped)
                printf("  %s (line %d, %s on %s): %s\n", r.rows[i].id, r.rows[i].line, r.rows[i].model,
                       r.rows[i].system, r.rows[i].reason);
        printf("\nMAPE: overall %.1f%% over %d rows; datacenter %.1f%% (%d rows); edge %.1f%% (%d rows)\n",
               100 * r.mape_overall, r.n_done, 100 * r.mape_datacenter, r.n_datacenter, 100 * r.mape_edge, r.n_edge);
    }
    if (svg && (st = write_svg(svg, &r, &d)) != IS_OK) {
        validate_free(&r);
        return cli_fail(st, &d);
    }
    validate_free(&r);
    return EXIT_OK;
}
