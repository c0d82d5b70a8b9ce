/*
 * benchutil.h — what the benchmarks share: a monotonic clock and preset loading that
 * prints the library's message and fails.
 */
#ifndef INFERSIM_BENCHUTIL_H
#define INFERSIM_BENCHUTIL_H

#include "../src/io/catalog.h"
#include "../src/io/model_config.h"
#include "../src/io/system_yaml.h"

#include <stdio.h>
#include <time.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static inline int bench_load(const char *model, const char *sys, model_t *m, system_t *s)
{
    char p[4096];
    diag_t d;
    diag_clear(&d);
    if (catalog_resolve(CATALOG_MODELS, model, p, sizeof p, &d) || model_load(p, m, &d) ||
        catalog_resolve(CATALOG_SYSTEMS, sys, p, sizeof p, &d) || system_load(p, s, &d)) {
        char buf[1024];
        fprintf(stderr, "%s", diag_format(&d, buf, sizeof buf));
        return -1;
    }
    return 0;
}

#endif
