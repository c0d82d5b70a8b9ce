/*
 * study.h — `infersim study paper`: the claims of Ma & Patterson (2026) put to the model.
 *
 * Every number comes from a prediction on the presets (data/systems), the models
 * (data/models) and the paper's technology figures (data/paper/technologies.yaml):
 * none is typed in.  The paper's directions are built from today's systems by
 * mechanism — an HBF tier beside the HBM holding the weights; logic on the memory stack
 * (more bandwidth, less energy per bit, a thermal cap on the logic); lower interconnect
 * latency — and each claim gets a verdict: holds, holds with a caveat, does not hold.
 *
 * Ownership: study_run() returns a new JSON object (the caller json_decref()s it) holding
 * every number and verdict; report/study_report.c turns it into Markdown and SVG.
 */
#ifndef INFERSIM_STUDY_H
#define INFERSIM_STUDY_H

#include "../core/diag.h"

#include <jansson.h>

/* quick: fewer workloads (tests). Returns NULL with d filled on error. */
json_t *study_paper(int quick, diag_t *d);

#endif
