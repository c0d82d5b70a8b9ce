/*
 * probe.h — measurements of the machine infersim runs on: sustained memory
 * bandwidth (all threads and one), memory latency, peak fp32 FLOP/s, the GEMM kernel's
 * achieved fraction of that peak, the cost of one parallel dispatch, cache sizes.
 * `infersim calibrate` turns them into a system file.
 */
#ifndef INFERSIM_PROBE_H
#define INFERSIM_PROBE_H

#include "../core/diag.h"

#include <stddef.h>

typedef struct probe_result {
    char cpu[128];            /* model name from /proc/cpuinfo */
    int threads;              /* threads used for the all-core figures */
    double clock_GHz;         /* from /proc/cpuinfo "cpu MHz" (0 if absent) */
    double mem_total_B;       /* physical memory */
    double bw_all_Bps;        /* streaming read, all threads */
    double bw_one_Bps;        /* streaming read, one thread */
    double gemv_Bps;          /* infersim's decode GEMV kernel over the same bytes, all threads */
    double gemv_bf16_Bps;     /* the same kernel on bf16 weights (dequantized in registers) */
    double gemv_int8_Bps;     /* ... and on int8 weights with per-row scales */
    double latency_s;         /* dependent-load latency (pointer chase over 256 MiB) */
    double fp32_all_flops;    /* FMA peak, all threads */
    double fp32_one_flops;    /* FMA peak, one thread */
    double int8_all_ops;      /* int8 dot-product peak, all threads (0: no such instructions) */
    char int8_isa[32];        /* the instructions it used */
    double gemm_flops;        /* infersim's GEMM kernel (prefill), all threads */
    double gemm_efficiency;   /* gemm_flops / fp32_all_flops */
    double dispatch_s;        /* what one parallel dispatch adds to a decode GEMV of 4 MiB */
    double l1_B, l2_B, l3_B;  /* per-core L1d and L2, shared L3 (0 if unknown) */
    int cores;                /* online CPUs */
} probe_result_t;

/* Run every probe with `threads` threads (0 = all online CPUs).  `quick` 1 shortens the
 * runs (calibrate --quick, tests); 2 is a smoke run on small buffers whose figures mean
 * nothing (tests under sanitizers, which time nothing).  Takes a few seconds. */
status_t probe_run(int threads, int quick, probe_result_t *r, diag_t *d);

/* The system file (YAML) describing the probed machine, every number with its source.
 * Written into buf (cap bytes); returns the length, or -1 if it does not fit. */
int probe_system_yaml(const probe_result_t *r, const char *name, char *buf, size_t cap);

#endif
