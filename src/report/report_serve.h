/*
 * report_serve.h — a serving simulation's results as text, JSON and an SVG of the time
 * series (requests waiting and running; KV-cache use).
 */
#ifndef INFERSIM_REPORT_SERVE_H
#define INFERSIM_REPORT_SERVE_H

#include "../analysis/serve.h"

#include <stdio.h>

/* What was simulated, in words, for the report's head. */
typedef struct serve_desc {
    const char *model, *system, *workload, *deployment, *scheduler;
    const serve_cfg_t *cfg;
} serve_desc_t;

void report_serve_text(FILE *f, const serve_result_t *r, const serve_desc_t *x);

/* JSON object (caller releases): requests_completed, output_tok_s, goodput_req_s, and
 * ttft_s / tpot_s / e2e_s / itl_s / queue_s as {mean, p50, p90, p99}, and the rest. */
void *report_serve_json(const serve_result_t *r, const serve_desc_t *x);

/* Two charts over time: requests waiting and running; KV-cache use and output tokens/s. */
void report_serve_svg(FILE *f, const serve_result_t *r, const serve_desc_t *x);

#endif
