/*
 * validate.h — run a validation set of published measurements through predict and
 * report the error of every row and the mean absolute percentage error per group.
 *
 * The set is a CSV (data/validation/published.csv) with the columns
 *   id,group,model,system,chips,tp,pp,ep,weights,kv,batch,isl,osl,metric,value,unit,framework,source_url,notes
 * Each row becomes one prediction (the mapping of each metric is in validate.c and
 * data/validation/README.md).  Rows that cannot be predicted (no preset, no lengths)
 * are reported as skipped with the reason, never silently dropped.  Constants are never
 * fitted per row: the predictions use the presets as they are.
 *
 * Ownership: validate_run() allocates r->rows; validate_free() releases them.
 */
#ifndef INFERSIM_VALIDATE_H
#define INFERSIM_VALIDATE_H

#include "../core/diag.h"

typedef struct val_row {
    int line;              /* line in the CSV */
    char id[32], group[16], model[64], system[64], metric[32], framework[64];
    char source_url[256];
    double measured;       /* the published value */
    double predicted;      /* infersim's value, same unit */
    double error;          /* (predicted - measured) / measured */
    int skipped;           /* 1: not predicted (reason says why) */
    char reason[160];
    char plan[64];         /* "tp 8 pp 1 ep 1 dp 1, fp8/fp8, batch 64 static" */
} val_row_t;

typedef struct val_report {
    int n_rows, n_done, n_skipped;
    val_row_t *rows;
    double mape_overall, mape_datacenter, mape_edge; /* fractions (0.25 = 25 %) */
    int n_datacenter, n_edge;
} val_report_t;

/* Run every row of `csv_path` (aliases for names from `aliases_path`, may be NULL). */
status_t validate_run(const char *csv_path, const char *aliases_path, val_report_t *r, diag_t *d);

void validate_free(val_report_t *r);

#endif
