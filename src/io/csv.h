/*
 * csv.h — a small RFC 4180 CSV reader that remembers line numbers, for the
 * validation set (and, later, trace files).
 *
 * Ownership: csv_t owns its text and field arrays; csv_free() releases them.
 * Fields are NUL-terminated strings inside csv_t's buffer (borrowed by callers).
 */
#ifndef INFERSIM_CSV_H
#define INFERSIM_CSV_H

#include "../core/diag.h"

#include <stddef.h>
#include <stdio.h>

typedef struct csv {
    char *text;        /* the file, rewritten in place into NUL-terminated fields */
    int n_rows;        /* data rows (header excluded) */
    int n_cols;        /* columns in the header */
    char **header;     /* n_cols names */
    char ***rows;      /* n_rows x n_cols fields */
    int *line;         /* 1-based line of each row in the file */
    char path[512];
} csv_t;

/* Read `path`; every row must have the header's number of fields (error with the line). */
status_t csv_read(const char *path, csv_t *c, diag_t *d);

/* Column index of `name`, or -1. */
int csv_col(const csv_t *c, const char *name);

void csv_free(csv_t *c);

/* Write one field to f as RFC 4180 has it: quoted, its quotes doubled, when it holds a comma, a
 * quote or a line break; as it is otherwise. */
void csv_put(FILE *f, const char *s);

#endif
