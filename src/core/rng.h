/*
 * rng.h — a small deterministic random number generator and the distributions the
 * serving workloads draw from.  xoshiro256** (Blackman & Vigna, "Scrambled linear
 * pseudorandom number generators", 2021), seeded through splitmix64, so one 64-bit
 * seed gives the same stream on every machine and compiler.
 *
 * Header-only and allocation-free: a simulation draws millions of numbers.
 */
#ifndef INFERSIM_RNG_H
#define INFERSIM_RNG_H

#include <math.h>
#include <stdint.h>

typedef struct rng {
    uint64_t s[4];
} rng_t;

static inline uint64_t rng_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline void rng_seed(rng_t *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = rng_splitmix64(&seed);
}

static inline uint64_t rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(rng_t *r)
{
    uint64_t *s = r->s;
    const uint64_t out = rng_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rng_rotl(s[3], 45);
    return out;
}

/* Uniform in (0, 1): never 0, so logarithms are safe. */
static inline double rng_uniform(rng_t *r)
{
    return ((rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

/* Exponential with the given mean. */
static inline double rng_exponential(rng_t *r, double mean)
{
    return -mean * log(rng_uniform(r));
}

/* Standard normal (Box-Muller; one of the pair is dropped to stay stateless). */
static inline double rng_normal(rng_t *r)
{
    return sqrt(-2.0 * log(rng_uniform(r))) * cos(6.283185307179586 * rng_uniform(r));
}

/* Gamma(shape k, scale theta): Marsaglia & Tsang (2000), with the k < 1 boost. */
static inline double rng_gamma(rng_t *r, double k, double theta)
{
    double boost = 1.0;
    if (k < 1.0) {
        boost = pow(rng_uniform(r), 1.0 / k);
        k += 1.0;
    }
    const double d = k - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = rng_normal(r), v = 1.0 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        double u = rng_uniform(r);
        if (u < 1.0 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1.0 - v + log(v)))
            return boost * d * v * theta;
    }
}

#endif
