/*
 * histogram.c — see histogram.h.
 */
#include "histogram.h"

#include <math.h>
#include <string.h>

void hist_clear(histogram_t *h)
{
    memset(h, 0, sizeof *h);
}

static int bucket_of(double v)
{
    if (!(v > HIST_MIN))
        return 0;
    double b = log(v / HIST_MIN) / log(HIST_GROWTH);
    if (b >= HIST_BUCKETS - 1)
        return HIST_BUCKETS - 1;
    return (int)b;
}

void hist_add(histogram_t *h, double v, uint32_t w)
{
    if (w == 0 || !(v >= 0))
        return;
    if (h->n == 0 || v < h->min)
        h->min = v;
    if (h->n == 0 || v > h->max)
        h->max = v;
    h->n += w;
    h->sum += v * w;
    h->count[bucket_of(v)] += w;
}

double hist_quantile(const histogram_t *h, double q)
{
    if (h->n == 0)
        return 0.0;
    if (q <= 0)
        return h->min;
    if (q >= 1)
        return h->max;
    uint64_t rank = (uint64_t)ceil(q * (double)h->n), seen = 0;
    if (rank < 1)
        rank = 1;
    for (int b = 0; b < HIST_BUCKETS; b++) {
        seen += h->count[b];
        if (seen >= rank) {
            double v = HIST_MIN * pow(HIST_GROWTH, b + 0.5);
            return v < h->min ? h->min : v > h->max ? h->max : v;
        }
    }
    return h->max;
}
