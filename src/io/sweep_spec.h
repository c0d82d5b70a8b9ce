/*
 * sweep_spec.h — a search's sweep spec (YAML): the same dimensions as `infersim search`'s
 * flags, plus `vary:`, numeric fields of the system files swept as lists or as scales of
 * the preset value.  See docs/sweep-format.md.
 *
 *   model: llama-3.1-70b
 *   systems: [h100-sxm, b200]
 *   chips: 1..64:x2
 *   batch: [1, 8, 64, max]
 *   weights: [fp8]
 *   isl: [4096]
 *   osl: [1024]
 *   ttft_max_s: 2
 *   vary:
 *     memory[0].bandwidth_GBps: {scale: [0.5, 1, 2, 4]}
 *     interconnect[0].hop_latency_ns: [100, 200, 500]
 *     directions.hbf_stacks: [0, 1, 2, 4, 8]   # the paper's directions: stacks, or 0/1 switches
 */
#ifndef INFERSIM_SWEEP_SPEC_H
#define INFERSIM_SWEEP_SPEC_H

#include "../core/diag.h"
#include "../core/system.h"

#define SWEEP_MAX_VARY 4
#define SWEEP_MAX_VALUES 64

typedef struct sweep_vary {
    char path[64];          /* e.g. "memory[0].bandwidth_GBps" */
    int scale;              /* 1: values multiply the preset's value */
    int n;
    double v[SWEEP_MAX_VALUES];
} sweep_vary_t;

typedef struct sweep_spec {
    char model[256];
    char systems[1024];     /* comma-separated, as --systems */
    char chips[256], batch[256], isl[256], osl[256], weights[128], kv[128]; /* as the flags take them ("" = unset) */
    char prefill_chips[128], prefill_instances[128], decode_instances[128]; /* disaggregated pools ("" = not) */
    double ttft_max_s, tpot_max_s, power_max_w, usd_per_mtok_max;
    int chips_max;
    double expert_skew;     /* deployments with EP (0: uniform routing) */
    int expert_slots;       /* deployments with EP (0: one copy of each expert) */
    char objective[64], pareto[128], site[256];
    int top;
    int n_vary;
    sweep_vary_t vary[SWEEP_MAX_VARY];
} sweep_spec_t;

status_t sweep_spec_load(const char *path, sweep_spec_t *sp, diag_t *d);
/* The same from text in memory (path names it in messages). */
status_t sweep_spec_load_buffer(const char *buf, size_t len, const char *path, sweep_spec_t *sp, diag_t *d);

/* Set the field `path` of s to value (in the file's units, e.g. GB/s, ns), or multiply it
 * by value when scale.  Returns 0, or -1 for an unknown path (checked at load) and for the
 * `directions.*` paths, which the caller applies with directions_apply (analysis/directions.h). */
int sweep_apply(system_t *s, const char *path, double value, int scale);

/* The field paths sweep_apply knows (for messages). */
const char *const *sweep_paths(int *n);

#endif
