/*
 * pool.h — a small persistent thread pool for the measurement kernels: one
 * parallel_for at a time, the calling thread takes part, work is split into
 * contiguous chunks taken from an atomic counter.
 *
 * Ownership: pool_create() allocates the pool and its threads; pool_destroy() joins
 * and frees them.  The task function and its argument are borrowed for the call.
 */
#ifndef INFERSIM_POOL_H
#define INFERSIM_POOL_H

#include <stddef.h>

typedef struct pool pool_t;

/* fn(arg, begin, end) processes items [begin, end). */
typedef void (*pool_fn)(void *arg, size_t begin, size_t end);

/* n_threads >= 1 (1: everything runs on the caller; 0: one per online CPU).  NULL on failure. */
pool_t *pool_create(int n_threads);
void pool_destroy(pool_t *p);
int pool_threads(const pool_t *p);

/* Run fn over [0, n) in chunks of `grain` items (>= 1); returns when all are done. */
void pool_for(pool_t *p, size_t n, size_t grain, pool_fn fn, void *arg);

#endif
