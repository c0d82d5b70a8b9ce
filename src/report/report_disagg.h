/*
 * report_disagg.h — a disaggregated prediction (prefill and decode pools) as text or JSON.
 */
#ifndef INFERSIM_REPORT_DISAGG_H
#define INFERSIM_REPORT_DISAGG_H

#include "../analysis/disagg.h"

#include <jansson.h>
#include <stdio.h>

/* New JSON object (caller json_decref()s it). */
json_t *report_disagg_json(const disagg_result_t *r, const system_t *s, const predict_req_t *req,
                           const disagg_req_t *dq);

void report_disagg_text(FILE *f, const disagg_result_t *r, const model_t *m, const system_t *s,
                        const predict_req_t *req, const disagg_req_t *dq, const site_t *site, const diag_t *d);

#endif
