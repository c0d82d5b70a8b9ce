/*
 * trace.h — request traces for `infersim serve --trace FILE`, read one row at a time so a
 * trace of millions of requests never sits in memory.
 *
 * Format (docs/trace-format.md): CSV with a header naming the columns, in any order:
 *   arrival_s       seconds from the start, non-decreasing          (required)
 *   input_tokens    prompt tokens, >= 1                             (required)
 *   output_tokens   tokens to generate, >= 1                        (required)
 *   prefix_id       a whole number naming a shared prefix (a system prompt, a RAG
 *                   corpus, an agent's context); requests with the same id share it
 *   prefix_tokens   the prefix's length, 0 .. input_tokens - 1 (0 or empty: none)
 * Blank lines and lines starting with '#' are skipped; CRLF line ends and a UTF-8 byte
 * order mark are accepted.  Every error names the file, line, column and field.
 */
#ifndef INFERSIM_TRACE_H
#define INFERSIM_TRACE_H

#include "../core/diag.h"

#include <stdio.h>

enum { TRACE_ARRIVAL, TRACE_INPUT, TRACE_OUTPUT, TRACE_PREFIX_ID, TRACE_PREFIX_TOKENS, TRACE_NCOLS };

typedef struct trace_row {
    double arrival_s;
    int input_tokens, output_tokens;
    long prefix_id;     /* -1: none */
    int prefix_tokens;  /* 0: none */
    int line;           /* line of the file it came from */
} trace_row_t;

typedef struct trace_reader {
    FILE *fp;
    char path[512];
    int line;
    int ncols;                  /* columns in the header */
    int col_of[16];             /* header column -> TRACE_* field (-1: not one) */
    double last_arrival;
    char *buf;                  /* getline's buffer, reused for every row */
    size_t cap;
} trace_reader_t;

/* Open and read the header.  IS_ERR_IO when the file cannot be read, IS_ERR_INPUT for a
 * bad header (unknown column, with a near match; a required one missing). */
status_t trace_open(trace_reader_t *t, const char *path, diag_t *d);

/* The same on an open stream (the reader closes it), named `path` in messages. */
status_t trace_attach(trace_reader_t *t, FILE *fp, const char *path, diag_t *d);

/* The next row: 1, or 0 at the end of the file, or -1 with the error in d. */
int trace_next(trace_reader_t *t, trace_row_t *row, diag_t *d);

void trace_close(trace_reader_t *t);

#endif
