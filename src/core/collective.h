/*
 * collective.h — the time of a collective (all-reduce, all-gather, reduce-scatter,
 * all-to-all, send/recv) among n chips on a system's interconnect levels.
 *
 * For a fixed group every algorithm's time is affine in the message size M:
 *     t(M) = latency + M * seconds_per_byte
 * so a group's costs are computed once (collective_plan) into a few (latency,
 * slope) pairs and the hot path takes the fastest at its M (collective_time),
 * with no allocation.  The formulas, per level with n chips, per-step latency
 * a (hop latency; for a switch 2 hops + the switch; plus the landing of what arrived: written
 * to memory and read back, or landed in on-chip SRAM), bandwidth B (per chip, per
 * direction, times efficiency) and the software launch cost L:
 *
 *   all-reduce   ring       L + 2(n-1)a + 2(n-1)/n M/B          (Patarasuk & Yuan 2009)
 *                tree       L + 2 ceil(log2 n) a + 2 M/B        (pipelined double binary tree, NCCL)
 *                one-shot   L + a + (n-1) M/B                   (each chip reads all peers; switch / full mesh)
 *                two-shot   L + 2a + 2(n-1)/n M/B               (reduce-scatter + all-gather, direct)
 *                in-network L + 2a + M/B                        (switch reduces: NVLink SHARP / IB SHARP)
 *                torus      L + sum_dims 2(g-1)a + 2(g-1)/g M_d/(B/ndims)   (ring per dimension, M_d shrinking)
 *   all-gather / reduce-scatter: half of the corresponding all-reduce terms (M = full buffer)
 *   all-to-all   direct     L + a + (n-1)/n M/B;  ring/torus bisection-limited: M d ndims/(4B)
 *   send/recv    L + a + M/B_link
 * A group larger than the innermost level spanning it is hierarchical: reduce-scatter
 * inside the inner domain, all-reduce of M/n_inner across the outer level, all-gather inside.
 */
#ifndef INFERSIM_COLLECTIVE_H
#define INFERSIM_COLLECTIVE_H

#include "diag.h"
#include "system.h"

#define COLL_KINDS(X)                    \
    X(COLL_ALLREDUCE, "all_reduce")      \
    X(COLL_ALLGATHER, "all_gather")      \
    X(COLL_REDUCESCATTER, "reduce_scatter") \
    X(COLL_ALLTOALL, "all_to_all")       \
    X(COLL_SENDRECV, "send_recv")

typedef enum coll_kind {
#define X(e, s) e,
    COLL_KINDS(X)
#undef X
    COLL_KIND_COUNT
} coll_kind_t;
extern const char *const coll_kind_names[COLL_KIND_COUNT];

#define COLL_ALGOS(X)               \
    X(ALGO_RING, "ring")            \
    X(ALGO_TREE, "tree")            \
    X(ALGO_ONESHOT, "one_shot")     \
    X(ALGO_TWOSHOT, "two_shot")     \
    X(ALGO_INNETWORK, "in_network") \
    X(ALGO_TORUS, "torus")          \
    X(ALGO_DIRECT, "direct")        \
    X(ALGO_HIER, "hierarchical")    \
    X(ALGO_LOCAL, "local")

typedef enum coll_algo {
#define X(e, s) e,
    COLL_ALGOS(X)
#undef X
    ALGO_COUNT
} coll_algo_t;
extern const char *const coll_algo_names[ALGO_COUNT];

#define COLL_MAX_ALGOS 6

typedef struct coll_affine {
    coll_algo_t algo;
    double latency_s;     /* time at M = 0: launch + hop/switch latencies */
    double s_per_byte;    /* slope: seconds per byte of M */
    double hops;          /* link traversals on the critical path (steps x links per step) */
} coll_affine_t;

/* A group's precomputed costs.  n == 1 means no communication (time 0). */
typedef struct coll_plan {
    coll_kind_t kind;
    int n;                /* chips in the group */
    int level;            /* innermost interconnect level spanning the group */
    int n_algos;
    coll_affine_t algos[COLL_MAX_ALGOS];
} coll_plan_t;

/* Precompute the costs of collective `kind` among `n` chips.  Fails (IS_ERR_INPUT,
 * message in d) when no interconnect level spans n chips. */
status_t collective_plan(const system_t *s, coll_kind_t kind, int n, coll_plan_t *out, diag_t *d);

/* Time of the collective for message size `bytes` (all-reduce: the buffer each chip
 * holds; all-gather: the gathered output; all-to-all: what each chip sends; send/recv:
 * the message).  Optional outputs: the algorithm chosen (and its index in p->algos), and
 * the time split into its latency part and its bandwidth part.  Pure; no allocation. */
static inline double collective_time_at(const coll_plan_t *p, double bytes, int *idx, double *lat_s, double *bw_s)
{
    if (p->n <= 1 || p->n_algos == 0) {
        if (idx) *idx = -1;
        if (lat_s) *lat_s = 0;
        if (bw_s) *bw_s = 0;
        return 0.0;
    }
    int best = 0;
    double bt = p->algos[0].latency_s + bytes * p->algos[0].s_per_byte;
    for (int i = 1; i < p->n_algos; i++) {
        double t = p->algos[i].latency_s + bytes * p->algos[i].s_per_byte;
        if (t < bt) {
            bt = t;
            best = i;
        }
    }
    if (idx) *idx = best;
    if (lat_s) *lat_s = p->algos[best].latency_s;
    if (bw_s) *bw_s = bytes * p->algos[best].s_per_byte;
    return bt;
}

static inline double collective_time(const coll_plan_t *p, double bytes, coll_algo_t *algo, double *lat_s,
                                     double *bw_s)
{
    int i;
    double t = collective_time_at(p, bytes, &i, lat_s, bw_s);
    if (algo) *algo = i < 0 ? ALGO_LOCAL : p->algos[i].algo;
    return t;
}

/* Direct evaluation of one algorithm on one level (for tests and reports):
 * the time of `kind` by `algo` among n chips of level `lvl`, or a negative
 * value when the algorithm does not apply to that level's topology. */
double collective_level_time(const system_t *s, int lvl, coll_kind_t kind, coll_algo_t algo, int n,
                             double bytes);

#endif
