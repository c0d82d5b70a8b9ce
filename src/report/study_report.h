/*
 * study_report.h — the paper study as files: report.md (the argument, tables and one
 * verdict per claim), study.json (every number), SVG figures with their data, and
 * index.html (the report as one page with its figures inline, readable offline).
 * Each file is written atomically (temporary file, then rename).
 */
#ifndef INFERSIM_STUDY_REPORT_H
#define INFERSIM_STUDY_REPORT_H

#include "../core/diag.h"

#include <jansson.h>
#include <stdio.h>

/* Write the report folder `dir` (created if missing) from study_paper()'s result. */
status_t study_report_write(const json_t *study, const char *dir, diag_t *d);

/* The verdict lines, as text, to f. */
void study_report_verdicts(FILE *f, const json_t *study);

#endif
