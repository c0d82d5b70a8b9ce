/*
 * measure.h — ground truth on the user's machine: run infersim's own C transformer
 * (src/probe/transformer.c) with a model's exact shapes, time its prefill and decode,
 * predict the same case on the calibrated system, and report both and the error.
 */
#ifndef INFERSIM_MEASURE_H
#define INFERSIM_MEASURE_H

#include "../core/diag.h"
#include "../core/model.h"
#include "../core/system.h"

typedef struct measure_result {
    char weights[8];            /* "int8", "bf16" or "fp32" */
    int isl, osl, threads;
    double weight_bytes;        /* streamed per decode step */
    double prefill_measured_s, prefill_predicted_s, prefill_error;
    double decode_measured_s, decode_predicted_s, decode_error; /* per output token (measured: median step) */
    double achieved_bw_Bps;     /* weight_bytes / decode_measured_s */
    double system_bw_Bps;       /* the calibrated sustained bandwidth */
} measure_result_t;

/* weights: "int8", "bf16" or "fp32". sys: a calibrated system (infersim calibrate). */
status_t measure_run(const model_t *m, const system_t *sys, const char *weights, int isl, int osl, int threads,
                     measure_result_t *r, diag_t *d);

#endif
