/*
 * histogram.h — streaming percentiles in bounded memory: a log-bucketed histogram
 * (as HdrHistogram does) whose buckets grow by 1 %, so any quantile it reports is within
 * 0.5 % of a sample value, whatever the number of samples.  The mean, minimum and maximum
 * are exact.  A serving run of a million requests keeps three of these, not the samples.
 */
#ifndef INFERSIM_HISTOGRAM_H
#define INFERSIM_HISTOGRAM_H

#include <stdint.h>

#define HIST_MIN 1e-7 /* seconds: smaller values share the first bucket */
#define HIST_GROWTH 1.01
#define HIST_BUCKETS 3300 /* 1e-7 s x 1.01^3300 > 1e7 s */

typedef struct histogram {
    uint64_t n;
    double sum, min, max;
    uint32_t count[HIST_BUCKETS];
} histogram_t;

void hist_clear(histogram_t *h);

/* Add a sample (>= 0) w times. */
void hist_add(histogram_t *h, double v, uint32_t w);

/* The q-quantile (0..1) by the nearest-rank rule, as the geometric middle of its bucket
 * clamped to [min, max]; 0 when empty. */
double hist_quantile(const histogram_t *h, double q);

static inline double hist_mean(const histogram_t *h)
{
    return h->n ? h->sum / (double)h->n : 0.0;
}

#endif
