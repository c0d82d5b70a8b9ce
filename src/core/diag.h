/*
 * diag.h — diagnostics: how the library reports a problem without printing.
 *
 * Every library call that can fail on user input takes a `diag_t *` and fills it
 * with the file, line, column, field and a message in plain words, plus (when
 * known) the offending source line for a caret display.  The library never
 * prints and never exits; only the CLI turns a diag into stderr text and an exit
 * code.
 *
 * Ownership: a diag_t is a plain value (fixed-size buffers, no heap); the caller
 * owns it, usually on its stack.  diag_clear() resets it.
 */
#ifndef INFERSIM_DIAG_H
#define INFERSIM_DIAG_H

#include <stddef.h>

/* Outcome of a library call. Values double as CLI exit codes (see cli/main.c). */
typedef enum status {
    IS_OK = 0,        /* success */
    IS_ERR_IO = 1,    /* could not read or write a file (OS error) */
    IS_ERR_INPUT = 2, /* the user's input is wrong: file, flag or value */
    IS_ERR_NOFIT = 3, /* valid input, but the deployment does not fit in memory */
    IS_ERR_NOMEM = 4, /* allocation failed */
    IS_INTERRUPTED = 5, /* the user stopped a long run (SIGINT / SIGTERM) */
} status_t;

#define DIAG_MAX_WARNINGS 16

typedef struct diag {
    char file[256];        /* file the problem is in; "" when it is a flag */
    int line;              /* 1-based line, 0 when unknown */
    int column;            /* 1-based column, 0 when unknown */
    char field[128];       /* field / flag name, "" when none */
    char message[512];     /* what is wrong and what was expected */
    char source_line[256]; /* the offending line of the file, for a caret; "" when unknown */
    int n_warnings;                       /* warnings collected (not errors) */
    char warnings[DIAG_MAX_WARNINGS][256]; /* each a full sentence */
} diag_t;

/* Reset to "no error, no warnings". */
void diag_clear(diag_t *d);

/* Record an error (replaces any earlier error text; warnings are kept).
 * file/field may be NULL.  Returns IS_ERR_INPUT so callers can `return diag_error(...)`. */
status_t diag_error(diag_t *d, const char *file, int line, int column,
                    const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Add a warning sentence (dropped silently past DIAG_MAX_WARNINGS). */
void diag_warn(diag_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fill source_line with line `line` (1-based) of the text `buf` of length `len`. */
void diag_set_source_line(diag_t *d, const char *buf, size_t len, int line);

/* Format the error in compiler form: "file:line:col: error: [field] message\n  source\n  ^".
 * Writes at most `cap` bytes to `out`; returns `out`. */
char *diag_format(const diag_t *d, char *out, size_t cap);

/* The candidate closest to `word` by edit distance, or NULL when none is
 * plausibly meant (distance above a third of the word's length, minimum 2).
 * `candidates` is an array of n strings. */
const char *diag_near_match(const char *word, const char *const *candidates, int n);

/* Levenshtein edit distance, case-insensitive; used by diag_near_match. */
int diag_edit_distance(const char *a, const char *b);

#endif
