/*
 * yamlread.h — reading infersim's YAML files: a parsed document, typed fields with
 * range checks, and errors in compiler form (file:line:col: error: field: message,
 * with the source line, a caret, and a near match for a misspelt key).
 *
 * Ownership: yr_open() creates the document; yr_close() frees it.  Nodes are borrowed
 * from the document.
 */
#ifndef INFERSIM_YAMLREAD_H
#define INFERSIM_YAMLREAD_H

#include "../core/diag.h"

#include <libfyaml.h>
#include <stddef.h>

typedef struct yreader {
    const char *path;
    const char *buf;
    size_t len;
    diag_t *d;
    struct fy_document *doc;
    struct fy_diag *fdiag;
    char *owned;            /* the file's text when yr_open_file read it (freed by yr_close) */
} yreader_t;

#define YR_HUGE 1e308

/* Parse buf; *root is the document's root node.  Syntax errors carry line and column. */
status_t yr_open(yreader_t *r, const char *buf, size_t len, const char *path, diag_t *d, struct fy_node **root);
void yr_close(yreader_t *r);

/* Read the file at path and parse it (the text is kept until yr_close). */
status_t yr_open_file(yreader_t *r, const char *path, diag_t *d, struct fy_node **root);

/* Record an error at node n (its line, column and source line); returns IS_ERR_INPUT. */
status_t yr_err(const yreader_t *r, struct fy_node *n, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Every key of mapping `map` must be one of `allowed` (else an error with a near match). */
status_t yr_check_keys(const yreader_t *r, struct fy_node *map, const char *section, const char *const *allowed,
                       int n);

/* The value of `key` in mapping `map`, or NULL. */
struct fy_node *yr_get(struct fy_node *map, const char *key);

/* A number in [lo, hi] (lo_open: strictly above lo) times `scale` into *out; absent: an error
 * when required, else dflt.  *present (may be NULL) says whether the key was there. */
status_t yr_num(const yreader_t *r, struct fy_node *map, const char *section, const char *key, int required,
                double lo, int lo_open, double hi, double scale, double dflt, double *out, int *present);

/* A string into out (cap bytes); absent: an error when required, else out unchanged. */
status_t yr_str(const yreader_t *r, struct fy_node *map, const char *section, const char *key, int required,
                char *out, size_t cap);

/* true/false (yes/no) into *out; absent: 0. */
status_t yr_bool(const yreader_t *r, struct fy_node *map, const char *section, const char *key, int *out);

#endif
