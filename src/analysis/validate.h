/*
 * validate.h — run a validation set of published measurements through predict and
 * report the error of every row and the mean absolute percentage error per group.
 *
 * A set is a CSV (data/validation/published.csv, serving.csv, measured.csv) with the columns
 *   id,group,model,system,chips,tp,pp,ep,weights,experts,act,kv,batch,isl,osl,requests,metric,value,unit,
 *   framework,source_url,notes
 * (experts, act and requests may be left out, and kernels, elementwise_bytes, max_seqs,
 * max_tokens, concurrency, kv_fraction, graph_batches, decode_attention, slo_ttft_ms and slo_tpot_ms
 * columns added: see validate.c)
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

#define VALIDATE_MAX_SETS 8

/* The error over a subset of the rows. */
typedef struct val_mape {
    double overall, datacenter, edge; /* fractions (0.25 = 25 %) */
    int n, n_datacenter, n_edge;
    double kernel;         /* rows of a kernel-class metric (decode_gemm_ms, ...) */
    int n_kernel;
} val_mape_t;

typedef struct val_row {
    int set;               /* index into val_report_t.sets */
    int line;              /* line in the CSV */
    char id[32], group[16], model[64], system[64], metric[32], framework[64];
    char lengths[48];      /* "ISL/OSL" as the row gives them ("1024/1024"; "-" for one not given) */
    char source_url[256];
    double measured;       /* the published value */
    double predicted;      /* infersim's value, same unit */
    double error;          /* (predicted - measured) / measured */
    int skipped;           /* 1: not predicted (reason says why) */
    char reason[160];
    char plan[320];        /* "tp8 pp1 ep1 dp1 fp8/fp8 b64 steady", "... offline 3000 (max 1024 seqs,
                            * 2048 tokens), 990 running" */
    double running;        /* a simulated run's mean requests running per instance (0: not a run) */
} val_row_t;

typedef struct val_set {
    char name[64];         /* the file's name without .csv: "published", "measured" */
    char path[4096];
    val_mape_t mape;
} val_set_t;

typedef struct val_report {
    int n_rows, n_done, n_skipped;
    val_row_t *rows;
    val_mape_t mape;       /* all sets together */
    int n_sets;
    val_set_t sets[VALIDATE_MAX_SETS];
} val_report_t;

/* Run every row of the n_sets CSV files (aliases for names from `aliases_path`, may be
 * NULL). */
status_t validate_run_sets(const char *const *csv_paths, int n_sets, const char *aliases_path, val_report_t *r,
                           diag_t *d);

/* One set. */
status_t validate_run(const char *csv_path, const char *aliases_path, val_report_t *r, diag_t *d);

/* Metrics timed per kernel class of one step (a profiler's sum of kernel times), not end
 * to end: decode_gemm_ms, decode_attention_ms, prefill_gemm_ms, prefill_attention_ms. */
int validate_kernel_metric(const char *metric);

void validate_free(val_report_t *r);

#endif
