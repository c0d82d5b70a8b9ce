/*
 * report_predict.h — a prediction as text (for people), JSON (one object) or CSV.
 *
 * The JSON field names are a stable contract (README, "The command-line contract").
 */
#ifndef INFERSIM_REPORT_PREDICT_H
#define INFERSIM_REPORT_PREDICT_H

#include "../analysis/cost.h"
#include "../analysis/predict.h"
#include "../core/diag.h"

#include <jansson.h>
#include <stdio.h>

/* New JSON object (caller json_decref()s it). */
json_t *report_predict_json(const predict_result_t *r, const model_t *m, const system_t *s,
                            const predict_req_t *req, const cost_result_t *c, const site_t *site, const diag_t *d);

void report_predict_text(FILE *f, const predict_result_t *r, const model_t *m, const system_t *s,
                         const predict_req_t *req, const cost_result_t *c, const site_t *site, const diag_t *d);

/* CSV: a header line then one row (header printed when `header` is set). */
void report_predict_csv(FILE *f, const predict_result_t *r, const model_t *m, const system_t *s,
                        const predict_req_t *req, const cost_result_t *c, int header);

/* The energy/cost/carbon fields of a prediction as a JSON object (added to predict's). */
void report_cost_json(json_t *o, const cost_result_t *c, const site_t *site);

/* Human formats: "70.55 B", "80.0 GB", "12.34 ms". */
const char *fmt_count(double x, char *buf, size_t cap);
const char *fmt_bytes(double b, char *buf, size_t cap);
const char *fmt_time(double s, char *buf, size_t cap);

#endif
