/*
 * pool.c — see pool.h.  Workers sleep on a condition variable between calls; a call
 * bumps a generation counter, every participant pulls chunks from an atomic index,
 * and the caller waits until all workers have checked out.
 */
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

struct pool {
    int n;                 /* threads including the caller */
    pthread_t *tid;
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    unsigned long gen;     /* bumped per call */
    int busy;              /* workers still in the current call */
    int quit;
    /* the current call */
    pool_fn fn;
    void *arg;
    size_t n_items, grain;
    atomic_size_t next;
};

static void run_chunks(pool_t *p)
{
    for (;;) {
        size_t b = atomic_fetch_add(&p->next, p->grain);
        if (b >= p->n_items)
            break;
        size_t e = b + p->grain < p->n_items ? b + p->grain : p->n_items;
        p->fn(p->arg, b, e);
    }
}

static void *worker(void *v)
{
    pool_t *p = v;
    unsigned long seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->gen == seen && !p->quit)
            pthread_cond_wait(&p->go, &p->mu);
        if (p->quit)
            break;
        seen = p->gen;
        pthread_mutex_unlock(&p->mu);
        run_chunks(p);
        pthread_mutex_lock(&p->mu);
        if (--p->busy == 0)
            pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

pool_t *pool_create(int n)
{
    if (n < 1) {
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        n = online > 0 ? (int)online : 1;
    }
    pool_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->n = n;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    p->tid = calloc((size_t)n, sizeof(pthread_t));
    if (!p->tid) {
        free(p);
        return NULL;
    }
    for (int i = 1; i < n; i++)
        if (pthread_create(&p->tid[i], NULL, worker, p) != 0) {
            p->n = i;
            break;
        }
    return p;
}

int pool_threads(const pool_t *p)
{
    return p->n;
}

void pool_for(pool_t *p, size_t n, size_t grain, pool_fn fn, void *arg)
{
    if (grain < 1)
        grain = 1;
    if (p->n == 1 || n <= grain) {
        fn(arg, 0, n);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->arg = arg;
    p->n_items = n;
    p->grain = grain;
    atomic_store(&p->next, 0);
    p->busy = p->n - 1;
    p->gen++;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    run_chunks(p);
    pthread_mutex_lock(&p->mu);
    while (p->busy > 0)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

void pool_destroy(pool_t *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i < p->n; i++)
        pthread_join(p->tid[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
    free(p->tid);
    free(p);
}
