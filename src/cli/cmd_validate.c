/*
 * cmd_validate.c — `infersim validate`: the published validation set through predict.
 */
#include "cli.h"

#include "../analysis/validate.h"
#include "../io/catalog.h"
#include "../io/csv.h"
#include "../io/fileutil.h"
#include "../report/svg.h"

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: infersim validate [--set FILE.csv]... [--aliases FILE.csv] [--by KEY] [--svg FILE.svg]\n"
               "                         [--json | --csv]\n"
               "\n"
               "Runs every row of the validation sets through predict and prints predicted, measured and\n"
               "the error per row, and the mean absolute percentage error (MAPE) per set and group.\n"
               "The default sets: <data>/validation/published.csv (vendors' tables, MLPerf, llama.cpp),\n"
               "<data>/validation/serving.csv (published serving sweeps at fixed concurrency: throughput,\n"
               "mean TPOT and mean TTFT of closed-loop runs) and <data>/validation/measured.csv (this\n"
               "project's own GPU runs, tools/measure_gpu.py).\n"
               "--set (repeatable, up to %d) replaces them.  --svg draws predicted against measured.\n"
               "--by model|system|framework|metric|lengths adds the MAPE and the mean signed error\n"
               "(bias: + is over-predicted) of each model, system, framework, metric or ISL/OSL pair.\n",
            VALIDATE_MAX_SETS);
}

/* "  published  125 rows: overall 60.1%; datacenter 73.1% (87 rows); edge 30.3% (38 rows)" */
static void print_mape(const char *name, const val_mape_t *q)
{
    printf("  %-10s %4d rows: overall %.1f%%", name, q->n, 100 * q->overall);
    if (q->n_datacenter && q->n_edge)
        printf("; datacenter %.1f%% (%d rows); edge %.1f%% (%d rows)", 100 * q->datacenter, q->n_datacenter,
               100 * q->edge, q->n_edge);
    if (q->n_kernel && q->n > q->n_kernel)
        printf("; end to end %.1f%% (%d rows); kernel classes %.1f%% (%d rows)",
               100 * (q->overall * q->n - q->kernel * q->n_kernel) / (q->n - q->n_kernel), q->n - q->n_kernel,
               100 * q->kernel, q->n_kernel);
    printf("\n");
}

/* {overall, datacenter, edge} of a MAPE */
static json_t *mape_json(const val_mape_t *q)
{
    json_t *m = json_object();
    json_object_set_new(m, "overall", json_real(q->overall));
    json_object_set_new(m, "datacenter", json_real(q->datacenter));
    json_object_set_new(m, "edge", json_real(q->edge));
    return m;
}

/* Predicted against measured, one series per set (a set with edge rows: two). */
static status_t write_svg(const char *path, const val_report_t *r, diag_t *d)
{
    int n = r->n_rows, used = 0;
    double *xs = calloc((size_t)n * 2 + 2, sizeof(double));
    if (!xs)
        return diag_error(d, path, 0, 0, NULL, "out of memory");
    double *ys = xs + n + 1;
    char names[SVG_MAX_SERIES][96];
    svg_plot_t p = {.x_label = "measured (tok/s or ms, as the source gives it)", .y_label = "predicted (same unit)",
                    .log_x = 1, .log_y = 1, .diagonal = 1, .band = 0.25};
    for (int k = 0; k < r->n_sets; k++) {
        const val_mape_t *q = &r->sets[k].mape;
        int split = q->n_datacenter && q->n_edge;
        for (int edge = 0; edge <= split; edge++) {
            int m = 0;
            for (int i = 0; i < n; i++) {
                const val_row_t *v = &r->rows[i];
                if (v->skipped || v->set != k || (split && (strcmp(v->group, "edge") == 0) != edge))
                    continue;
                xs[used + m] = v->measured;
                ys[used + m++] = v->predicted;
            }
            if (!m || p.n_series == SVG_MAX_SERIES)
                continue;
            snprintf(names[p.n_series], sizeof names[0], "%s%s (%d rows, MAPE %.1f%%)", r->sets[k].name,
                     !split ? "" : edge ? ", edge" : ", datacenter", m,
                     100 * (!split ? q->overall : edge ? q->edge : q->datacenter));
            p.series[p.n_series] = (svg_series_t){names[p.n_series], xs + used, ys + used, m, 0};
            p.n_series++;
            used += m;
        }
    }
    char title[160];
    snprintf(title, sizeof title, "infersim against measurements: MAPE %.1f%% over %d rows", 100 * r->mape.overall,
             r->n_done);
    p.title = title;
    atomic_file_t af;
    status_t st = atomic_open(&af, path, d);
    if (st == IS_OK) {
        svg_write(af.fp, &p);
        st = atomic_commit(&af, d);
    }
    free(xs);
    return st;
}

static const char *const by_keys[5] = {"model", "system", "framework", "metric", "lengths"};

static const char *row_key(const val_row_t *v, int by)
{
    return by == 0 ? v->model : by == 1 ? v->system : by == 2 ? v->framework : by == 3 ? v->metric : v->lengths;
}

/* One group of --by: its rows predicted, MAPE and mean signed error, from the first row with
 * the key onwards (first: index of that row). */
typedef struct by_group {
    int first, n;
    double mape, bias;
} by_group_t;

/* The groups of --by, in order of first appearance; n_out of them (at most cap). */
static int by_groups(const val_report_t *r, int by, by_group_t *out, int cap)
{
    int n_out = 0;
    for (int i = 0; i < r->n_rows; i++) {
        const val_row_t *v = &r->rows[i];
        if (v->skipped)
            continue;
        int seen = 0;
        for (int j = 0; j < n_out && !seen; j++)
            seen = !strcmp(row_key(&r->rows[out[j].first], by), row_key(v, by));
        if (seen || n_out == cap)
            continue;
        by_group_t g = {i, 0, 0, 0};
        for (int k = i; k < r->n_rows; k++) {
            const val_row_t *w = &r->rows[k];
            if (w->skipped || strcmp(row_key(w, by), row_key(v, by)))
                continue;
            g.n++;
            g.mape += fabs(w->error);
            g.bias += w->error;
        }
        g.mape /= g.n;
        g.bias /= g.n;
        out[n_out++] = g;
    }
    return n_out;
}

int cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"set", required_argument, 0, 's'}, {"aliases", required_argument, 0, 'a'},
        {"svg", required_argument, 0, 'g'}, {"json", no_argument, 0, 'j'},
        {"csv", no_argument, 0, 'c'},       {"help", no_argument, 0, 'h'},
        {"by", required_argument, 0, 'b'},
        {0, 0, 0, 0},
    };
    char sets[VALIDATE_MAX_SETS][4200], aliases[4200];
    int n_sets = 0, given = 0;
    snprintf(sets[n_sets++], sizeof sets[0], "%s/validation/published.csv", catalog_data_dir());
    snprintf(sets[n_sets++], sizeof sets[0], "%s/validation/serving.csv", catalog_data_dir());
    snprintf(sets[n_sets++], sizeof sets[0], "%s/validation/measured.csv", catalog_data_dir());
    snprintf(aliases, sizeof aliases, "%s/validation/aliases.csv", catalog_data_dir());
    const char *svg = NULL;
    int json = 0, csv = 0, by = -1, c;
    diag_t d;
    diag_clear(&d);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (!given)
                n_sets = 0;
            given = 1;
            if (n_sets == VALIDATE_MAX_SETS) {
                diag_error(&d, NULL, 0, 0, "set", "at most %d --set files", VALIDATE_MAX_SETS);
                return cli_fail(IS_ERR_INPUT, &d);
            }
            snprintf(sets[n_sets++], sizeof sets[0], "%s", optarg);
            break;
        case 'a': snprintf(aliases, sizeof aliases, "%s", optarg); break;
        case 'b':
            if (cli_choose("--by", optarg, by_keys, 5, &by, &d) != IS_OK)
                return cli_fail(IS_ERR_INPUT, &d);
            break;
        case 'g': svg = optarg; break;
        case 'j': json = 1; break;
        case 'c': csv = 1; break;
        case 'h': usage(stdout); return EXIT_OK;
        default:
            return cli_bad_option(opts, argv[optind - 1], "validate");
        }
    }
    const char *paths[VALIDATE_MAX_SETS];
    for (int k = 0; k < n_sets; k++)
        paths[k] = sets[k];
    val_report_t r;
    status_t st = validate_run_sets(paths, n_sets, aliases, &r, &d);
    if (st != IS_OK)
        return cli_fail(st, &d);
    static by_group_t g[512];
    int ng = by >= 0 ? by_groups(&r, by, g, 512) : 0;
    if (json) {
        json_t *o = json_object(), *rows = json_array();
        for (int i = 0; i < r.n_rows; i++) {
            const val_row_t *v = &r.rows[i];
            json_t *e = json_object();
            json_object_set_new(e, "id", json_string(v->id));
            json_object_set_new(e, "set", json_string(r.sets[v->set].name));
            json_object_set_new(e, "line", json_integer(v->line));
            json_object_set_new(e, "group", json_string(v->group));
            json_object_set_new(e, "model", json_string(v->model));
            json_object_set_new(e, "system", json_string(v->system));
            json_object_set_new(e, "metric", json_string(v->metric));
            json_object_set_new(e, "lengths", json_string(v->lengths));
            json_object_set_new(e, "measured", json_real(v->measured));
            if (v->skipped) {
                json_object_set_new(e, "skipped", json_string(v->reason));
            } else {
                json_object_set_new(e, "predicted", json_real(v->predicted));
                json_object_set_new(e, "error", json_real(v->error));
                json_object_set_new(e, "plan", json_string(v->plan));
                if (v->running > 0)
                    json_object_set_new(e, "running_mean", json_real(v->running));
            }
            json_object_set_new(e, "source_url", json_string(v->source_url));
            json_array_append_new(rows, e);
        }
        json_object_set_new(o, "rows", rows);
        json_object_set_new(o, "mape", mape_json(&r.mape));
        json_t *js = json_array();
        for (int k = 0; k < r.n_sets; k++) {
            const val_mape_t *q = &r.sets[k].mape;
            json_t *e = json_object(), *mm = mape_json(q);
            json_object_set_new(e, "set", json_string(r.sets[k].name));
            json_object_set_new(e, "path", json_string(r.sets[k].path));
            json_object_set_new(e, "rows_predicted", json_integer(q->n));
            if (q->n_kernel) {
                json_object_set_new(mm, "kernel_classes", json_real(q->kernel));
                json_object_set_new(e, "rows_kernel_classes", json_integer(q->n_kernel));
            }
            json_object_set_new(e, "mape", mm);
            json_array_append_new(js, e);
        }
        json_object_set_new(o, "sets", js);
        if (by >= 0) {
            json_t *b = json_object();
            for (int j = 0; j < ng; j++) {
                json_t *e = json_object();
                json_object_set_new(e, "rows", json_integer(g[j].n));
                json_object_set_new(e, "mape", json_real(g[j].mape));
                json_object_set_new(e, "bias", json_real(g[j].bias));
                json_object_set_new(b, row_key(&r.rows[g[j].first], by), e);
            }
            json_object_set_new(o, "by", json_pack("{s:s,s:o}", "key", by_keys[by], "groups", b));
        }
        json_object_set_new(o, "rows_predicted", json_integer(r.n_done));
        json_object_set_new(o, "rows_skipped", json_integer(r.n_skipped));
        cli_print_json(o);
    } else if (csv) {
        printf("set,id,group,model,system,metric,lengths,measured,predicted,error,plan,running_mean,skipped\n");
        for (int i = 0; i < r.n_rows; i++) {
            const val_row_t *v = &r.rows[i];
            const char *text[] = {r.sets[v->set].name, v->id, v->group, v->model, v->system, v->metric, v->lengths};
            for (int k = 0; k < 7; k++) {
                csv_put(stdout, text[k]);
                putchar(',');
            }
            printf("%.6g,%.6g,%.4f,", v->measured, v->skipped ? 0 : v->predicted, v->skipped ? 0 : v->error);
            csv_put(stdout, v->plan);
            if (v->running > 0)
                printf(",%.6g,", v->running);
            else
                printf(",,");
            csv_put(stdout, v->reason);
            putchar('\n');
        }
    } else {
        printf("%-16s %-15s %-13s %-20s %11s %11s %8s  %s\n", "id", "model", "system", "metric", "measured",
               "predicted", "error", "plan");
        for (int i = 0; i < r.n_rows; i++) {
            const val_row_t *v = &r.rows[i];
            if (v->skipped)
                continue;
            printf("%-16.16s %-15.15s %-13.13s %-20.20s %11.4g %11.4g %+7.1f%%  %s\n", v->id, v->model, v->system,
                   v->metric, v->measured, v->predicted, 100 * v->error, v->plan);
        }
        printf("\nskipped %d of %d rows:\n", r.n_skipped, r.n_rows);
        for (int i = 0; i < r.n_rows; i++)
            if (r.rows[i].skipped)
                printf("  %s (line %d, %s on %s): %s\n", r.rows[i].id, r.rows[i].line, r.rows[i].model,
                       r.rows[i].system, r.rows[i].reason);
        printf("\nMAPE (mean absolute percentage error)\n");
        for (int k = 0; k < r.n_sets; k++)
            print_mape(r.sets[k].name, &r.sets[k].mape);
        if (r.n_sets > 1) {
            val_mape_t all = r.mape;
            all.n_kernel = 0; /* the kernel-class split is per set */
            print_mape("all", &all);
        }
        if (by >= 0) {
            printf("\nby %s (bias: the mean signed error, + over-predicted)\n  %-36s %5s %8s %8s\n", by_keys[by],
                   by_keys[by], "rows", "MAPE", "bias");
            for (int j = 0; j < ng; j++)
                printf("  %-36.36s %5d %7.1f%% %+7.1f%%\n", row_key(&r.rows[g[j].first], by), g[j].n,
                       100 * g[j].mape, 100 * g[j].bias);
        }
    }
    if (svg && (st = write_svg(svg, &r, &d)) != IS_OK) {
        validate_free(&r);
        return cli_fail(st, &d);
    }
    validate_free(&r);
    return EXIT_OK;
}
