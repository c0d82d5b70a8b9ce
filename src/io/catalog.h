/*
 * catalog.h — presets: model configs under <data>/models/NAME.json and system files
 * under <data>/systems/NAME.yaml, selectable by short name.
 *
 * The data folder is $INFERSIM_DATA if set, else the `data` folder beside the
 * executable (the repository root after `make`) or one or two folders up (test
 * binaries), else PREFIX/share/infersim/data beside an installed PREFIX/bin, else the
 * compiled-in INFERSIM_DATADIR (`make install` sets it to the installed folder).
 */
#ifndef INFERSIM_CATALOG_H
#define INFERSIM_CATALOG_H

#include "../core/diag.h"

#include <stddef.h>

typedef enum catalog_kind { CATALOG_MODELS, CATALOG_SYSTEMS, CATALOG_SITES } catalog_kind_t;

#define CATALOG_MAX 256
#define CATALOG_NAME 64

/* Record argv[0] so the data folder beside the executable can be found. */
void catalog_set_argv0(const char *argv0);

/* The data folder in use. */
const char *catalog_data_dir(void);

/* A name or a path -> a file path.  A value containing '/' or ending in .json/.yaml/.yml
 * is a path; otherwise a preset name.  An unknown name fails with a near-match. */
status_t catalog_resolve(catalog_kind_t kind, const char *name, char *path, size_t cap, diag_t *d);

/* Sorted preset names; returns the count (at most max). */
int catalog_list(catalog_kind_t kind, char names[][CATALOG_NAME], int max);

#endif
