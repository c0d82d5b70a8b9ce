/*
 * collective.c — collective costs per algorithm and topology (formulas in collective.h).
 */
#include "collective.h"

#include <math.h>
#include <string.h>

const char *const coll_kind_names[COLL_KIND_COUNT] = {
#define X(e, s) s,
    COLL_KINDS(X)
#undef X
};
const char *const coll_algo_names[ALGO_COUNT] = {
#define X(e, s) s,
    COLL_ALGOS(X)
#undef X
};

/* Message size at which the slope of an (affine) cost is read off: large, so the
 * difference t(S) - t(0) keeps full precision. */
#define SLOPE_PROBE_B 1e9

/* Links one algorithm step among n chips of a level crosses, and switches (through *sw):
 * a single switch is a hop in, the switch and a hop out; a fat tree of radix r climbs
 * L = ceil(log_r n) levels and back (2L links, 2L-1 switches); a dragonfly's minimal route
 * is at most terminal link, local, global, local, terminal link (5 links, 4 routers: its
 * diameter); direct links (ring, torus, full mesh) one hop. */
static int step_links(const net_level_t *l, int n, int *sw)
{
    switch (l->topology) {
    case TOPO_SWITCH:
        *sw = 1;
        return 2;
    case TOPO_FAT_TREE: {
        int r = l->switch_radix > 1 ? l->switch_radix : 2, levels = 1;
        for (long span = r; span < n; span *= r)
            levels++;
        *sw = 2 * levels - 1;
        return 2 * levels;
    }
    case TOPO_DRAGONFLY:
        *sw = 4;
        return 5;
    default:
        *sw = 0;
        return 1;
    }
}

/* Latency of one algorithm step: its links and switches, then the landing of what arrived
 * (written to memory and read back by the next step: net_level_t.landing_s). */
static double step_latency(const net_level_t *l, int n)
{
    int sw, links = step_links(l, n, &sw);
    return links * l->hop_latency_s + sw * l->switch_latency_s + l->landing_s;
}

static double eff_bw(const net_level_t *l)
{
    return l->bw_Bps * l->efficiency;
}

/* The most compact block of n chips from dimension i on (extents dividing what is left, each
 * within its dimension): the fewest ring steps, sum of (g - 1), as a TPU slice is shaped
 * (64 chips: a 4x4x4 cube, not 16x4).  Returns that sum, or -1 when n does not tile. */
static int torus_block(const net_level_t *l, int i, int n, int g[SYS_MAX_TORUS_DIMS])
{
    if (i == l->ndims)
        return n == 1 ? 0 : -1;
    int best = -1, tmp[SYS_MAX_TORUS_DIMS];
    for (int e = 1; e <= n && e <= l->dims[i]; e++) {
        if (n % e)
            continue;
        int r = torus_block(l, i + 1, n / e, tmp);
        if (r < 0 || (best >= 0 && r + e - 1 >= best))
            continue;
        best = r + e - 1;
        memcpy(g + i + 1, tmp + i + 1, sizeof(int) * (size_t)(l->ndims - i - 1));
        g[i] = e;
    }
    return best;
}

/* Extents a group of n chips occupies in a torus (the most compact block). */
static int torus_extents(const net_level_t *l, int n, int g[SYS_MAX_TORUS_DIMS])
{
    if (torus_block(l, 0, n, g) < 0)
        return -1; /* does not tile the torus: caller falls back to a ring */
    int k = 0;
    for (int i = 0; i < l->ndims; i++)
        k += g[i] > 1;
    return k;
}

/* One algorithm on one level, without the software launch cost, for a step latency a.
 * Negative: not applicable.  With hops set, a is one step's links and M is 0: the result is
 * the link traversals on the collective's critical path. */
static double level_time_a(const system_t *s, int lvl, coll_kind_t kind, coll_algo_t algo, int n, double M,
                           int count_hops)
{
    const net_level_t *l = &s->level[lvl];
    int sw_count;
    const double a = count_hops ? step_links(l, n, &sw_count) : step_latency(l, n), B = eff_bw(l), nn = n;
    /* switched fabrics (single switch, non-blocking fat tree, dragonfly) let every chip
     * reach every other directly, as a full mesh does */
    const int sw = l->topology == TOPO_SWITCH || l->topology == TOPO_FAT_TREE || l->topology == TOPO_DRAGONFLY;
    const int fc = l->topology == TOPO_FULLY_CONNECTED;
    const int direct = sw || fc;
    double half = (kind == COLL_ALLGATHER || kind == COLL_REDUCESCATTER) ? 0.5 : 1.0;
    if (n <= 1)
        return 0.0;
    switch (kind) {
    case COLL_ALLREDUCE:
    case COLL_ALLGATHER:
    case COLL_REDUCESCATTER:
        switch (algo) {
        case ALGO_RING:
            if (l->topology == TOPO_TORUS)
                return -1; /* the torus algorithm below is the ring per dimension */
            return half * (2.0 * (nn - 1) * a + 2.0 * (nn - 1) / nn * M / B);
        case ALGO_TREE:
            if (kind != COLL_ALLREDUCE || !direct)
                return -1;
            return 2.0 * ceil(log2(nn)) * a + 2.0 * M / B;
        case ALGO_ONESHOT:
            if (kind != COLL_ALLREDUCE || !direct)
                return -1;
            return a + (nn - 1) * M / B;
        case ALGO_TWOSHOT:
        case ALGO_DIRECT:
            if (!direct || (kind == COLL_ALLREDUCE) != (algo == ALGO_TWOSHOT))
                return -1;
            return half * (2.0 * a + 2.0 * (nn - 1) / nn * M / B);
        case ALGO_INNETWORK:
            if (!sw || !l->in_network_reduction)
                return -1;
            if (kind == COLL_ALLREDUCE)
                return 2.0 * a + M / B;
            return a + (nn - 1) / nn * M / B; /* multicast gather / reducing scatter */
        case ALGO_TORUS: {
            if (l->topology != TOPO_TORUS)
                return -1;
            int g[SYS_MAX_TORUS_DIMS];
            if (torus_extents(l, n, g) < 0) /* ring over the group's chips */
                return half * (2.0 * (nn - 1) * a + 2.0 * (nn - 1) / nn * M / B);
            /* bidirectional ring in each dimension, on 1/ndims of the chip's links */
            double Bd = B / l->ndims, t = 0, m = M;
            for (int i = 0; i < l->ndims; i++) {
                if (g[i] <= 1)
                    continue;
                t += (g[i] - 1) * a + (g[i] - 1.0) / g[i] * m / Bd;
                m /= g[i];
            }
            return half * 2.0 * t;
        }
        default:
            return -1;
        }
    case COLL_ALLTOALL:
        if (algo != ALGO_DIRECT)
            return -1;
        if (direct)
            return a + (nn - 1) / nn * M / B;
        if (l->topology == TOPO_RING)
            return ceil(nn / 2.0) * a + fmax((nn - 1) / nn, nn / 4.0) * M / B;
        {
            int g[SYS_MAX_TORUS_DIMS], dmax = n, nd = 1;
            if (torus_extents(l, n, g) >= 0) {
                dmax = 1;
                nd = 0;
                double steps = 0;
                for (int i = 0; i < l->ndims; i++)
                    if (g[i] > 1) {
                        dmax = g[i] > dmax ? g[i] : dmax;
                        nd++;
                        steps += g[i] / 2.0;
                    }
                /* bisection-limited: n M/4 bytes cross the cut over (n/dmax) x 2 wrap links */
                return steps * a + fmax((nn - 1) / nn, dmax * (double)l->ndims / 4.0) * M / B;
            }
            return ceil(nn / 2.0) * a + fmax((nn - 1) / nn, nn / 4.0) * M / B;
        }
    case COLL_SENDRECV:
        if (algo != ALGO_DIRECT)
            return -1;
        if (l->topology == TOPO_TORUS)
            return a + M / (B / (2.0 * l->ndims)); /* one neighbour link */
        if (l->topology == TOPO_RING)
            return a + M / (B / 2.0);
        if (fc)
            return a + M / (B / (l->domain_chips > 1 ? l->domain_chips - 1 : 1));
        return a + M / B;
    default:
        return -1;
    }
}

static double level_time(const system_t *s, int lvl, coll_kind_t kind, coll_algo_t algo, int n, double M)
{
    return level_time_a(s, lvl, kind, algo, n, M, 0);
}

static double level_hops(const system_t *s, int lvl, coll_kind_t kind, coll_algo_t algo, int n)
{
    return level_time_a(s, lvl, kind, algo, n, 0.0, 1);
}

double collective_level_time(const system_t *s, int lvl, coll_kind_t kind, coll_algo_t algo, int n,
                             double bytes)
{
    double t = level_time(s, lvl, kind, algo, n, bytes);
    return t < 0 ? t : t + s->collective_launch_s;
}

/* Best single-level time (no launch cost) of a kind among n chips on level lvl; with hops
 * set, the link traversals of the algorithm fastest for an empty message instead. */
static double best_level_time(const system_t *s, int lvl, coll_kind_t kind, int n, double M, int hops)
{
    double best = -1;
    int pick = -1;
    for (int a = 0; a < ALGO_COUNT; a++) {
        double t = level_time(s, lvl, kind, (coll_algo_t)a, n, hops ? 0.0 : M);
        if (t >= 0 && (best < 0 || t < best)) {
            best = t;
            pick = a;
        }
    }
    return hops && pick >= 0 ? level_hops(s, lvl, kind, (coll_algo_t)pick, n) : best;
}

/* Hierarchical collective over an inner level (n_in chips) and the outer level (hops: its
 * link traversals, as best_level_time). */
static double hier_time(const system_t *s, int inner, int outer, coll_kind_t kind, int n_in, int n_out, double M,
                        int hops)
{
    switch (kind) {
    case COLL_ALLREDUCE:
        return best_level_time(s, inner, COLL_REDUCESCATTER, n_in, M, hops) +
               best_level_time(s, outer, COLL_ALLREDUCE, n_out, M / n_in, hops) +
               best_level_time(s, inner, COLL_ALLGATHER, n_in, M, hops);
    case COLL_ALLGATHER:
    case COLL_REDUCESCATTER:
        return best_level_time(s, outer, kind, n_out, M / n_in, hops) + best_level_time(s, inner, kind, n_in, M, hops);
    case COLL_ALLTOALL: {
        /* the share bound for other domains crosses the outer level; the rest stays inside */
        double nn = (double)n_in * n_out;
        double t_in = best_level_time(s, inner, COLL_ALLTOALL, n_in, M * n_in / nn, hops);
        double t_out =
            best_level_time(s, outer, COLL_ALLTOALL, n_out, M * (nn - n_in) / nn * n_out / (n_out - 1.0), hops);
        return fmax(t_in, t_out);
    }
    case COLL_SENDRECV:
        return best_level_time(s, outer, COLL_SENDRECV, 2, M, hops);
    default:
        return -1;
    }
}

status_t collective_plan(const system_t *s, coll_kind_t kind, int n, coll_plan_t *out, diag_t *d)
{
    out->kind = kind;
    out->n = n;
    out->n_algos = 0;
    out->level = -1;
    if (n <= 1)
        return IS_OK;
    int lvl = -1;
    for (int i = 0; i < s->n_levels; i++)
        if (s->level[i].domain_chips == 0 || s->level[i].domain_chips >= n) {
            lvl = i;
            break;
        }
    if (lvl < 0) {
        int biggest = s->n_levels ? s->level[s->n_levels - 1].domain_chips : 1;
        return diag_error(d, s->path, 0, 0, "interconnect",
                          "a group of %d chips exceeds the largest interconnect domain of %s (%d chip%s): "
                          "use fewer chips per group, or add an interconnect level",
                          n, s->name, biggest, biggest == 1 ? "" : "s");
    }
    out->level = lvl;
    const int inner_n = lvl > 0 ? s->level[lvl - 1].domain_chips : 0;
    if (lvl > 0 && inner_n > 1 && n % inner_n == 0) {
        /* spans several inner domains: hierarchical, plus the flat algorithms on the outer level */
        int n_out = n / inner_n;
        double t0 = hier_time(s, lvl - 1, lvl, kind, inner_n, n_out, 0.0, 0);
        double t1 = hier_time(s, lvl - 1, lvl, kind, inner_n, n_out, SLOPE_PROBE_B, 0);
        if (t0 >= 0 && t1 >= 0) {
            coll_affine_t *c = &out->algos[out->n_algos++];
            c->algo = ALGO_HIER;
            c->latency_s = t0 + s->collective_launch_s;
            c->s_per_byte = (t1 - t0) / SLOPE_PROBE_B;
            c->hops = hier_time(s, lvl - 1, lvl, kind, inner_n, n_out, 0.0, 1);
        }
    }
    for (int a = 0; a < ALGO_COUNT && out->n_algos < COLL_MAX_ALGOS; a++) {
        double t0 = level_time(s, lvl, kind, (coll_algo_t)a, n, 0.0);
        if (t0 < 0)
            continue;
        double t1 = level_time(s, lvl, kind, (coll_algo_t)a, n, SLOPE_PROBE_B);
        coll_affine_t *c = &out->algos[out->n_algos++];
        c->algo = (coll_algo_t)a;
        c->latency_s = t0 + s->collective_launch_s;
        c->s_per_byte = (t1 - t0) / SLOPE_PROBE_B;
        c->hops = level_hops(s, lvl, kind, (coll_algo_t)a, n);
    }
    return IS_OK;
}
