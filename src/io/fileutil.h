/*
 * fileutil.h — small file helpers: read a whole file, name stems, and writing
 * a file atomically (temporary file in the same folder, then rename), so a
 * crash never leaves a half-written output.
 */
#ifndef INFERSIM_FILEUTIL_H
#define INFERSIM_FILEUTIL_H

#include "../core/diag.h"

#include <stddef.h>
#include <stdio.h>

/* Read `path` whole into a malloc'd NUL-terminated buffer (*buf, caller frees). */
status_t file_read_all(const char *path, char **buf, size_t *len, diag_t *d);

/* "data/models/llama-3.1-8b.json" -> "llama-3.1-8b". */
void file_stem(const char *path, char *out, size_t cap);

/* Atomic write: open a temporary file beside `path`; write to af->fp; commit renames it
 * into place, abort removes it.  Both close the stream. */
typedef struct atomic_file {
    FILE *fp;
    char tmp[4096];
    char path[4096];
} atomic_file_t;

status_t atomic_open(atomic_file_t *af, const char *path, diag_t *d);
status_t atomic_commit(atomic_file_t *af, diag_t *d);
void atomic_abort(atomic_file_t *af);

#endif
