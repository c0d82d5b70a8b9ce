/*
 * test_collective.c — collective times on hand-computed cases.
 *
 * Systems here are made by hand (not presets) so every number in the expected
 * values is visible: 8 chips, 100 GB/s per direction at efficiency 1,
 * hop latency 1 us, switch latency 0.5 us, 10 us software launch.
 */
#include "testutil.h"

#include "../src/core/collective.h"

static const char *base_yaml =
    "name: hand\n"
    "chip: {peak_TFLOPs: {bf16: 100}, compute_efficiency: 1.0}\n"
    "memory: [{name: hbm, capacity_GB: 80, bandwidth_GBps: 1000, efficiency: 1.0, latency_ns: 0}]\n"
    "software: {kernel_overhead_us: 0, collective_launch_us: 10}\n";

static void make(system_t *s, const char *net)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml, "%sinterconnect:\n%s", base_yaml, net);
    diag_t d;
    status_t st = system_from(yaml, s, &d);
    if (st != IS_OK) {
        char buf[1024];
        print_error("%s", diag_format(&d, buf, sizeof buf));
        fail();
    }
}

static void test_ring_allreduce(void **state)
{
    (void)state;
    system_t s;
    make(&s, "  - {name: r, domain_chips: 8, bandwidth_GBps: 100, efficiency: 1.0, topology: ring, hop_latency_ns: 1000}\n");
    double M = 8e6; /* 8 MB */
    /* ring: 10 us + 2(n-1) a + 2(n-1)/n M/B = 10 + 14 x 1 + 1.75 x 8e6/1e11 s = 24 us + 140 us */
    assert_close(collective_level_time(&s, 0, COLL_ALLREDUCE, ALGO_RING, 8, M), 10e-6 + 14e-6 + 140e-6, 1e-9);
    /* on a ring topology nothing else applies: the plan picks ring */
    coll_plan_t p;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(collective_plan(&s, COLL_ALLREDUCE, 8, &p, &d), IS_OK);
    coll_algo_t a;
    assert_close(collective_time(&p, M, &a, NULL, NULL), 164e-6, 1e-9);
    assert_int_equal(a, ALGO_RING);
    /* all-gather is half the all-reduce's steps: 10 + 7 x 1 + 0.875 x 80 us */
    assert_close(collective_level_time(&s, 0, COLL_ALLGATHER, ALGO_RING, 8, M), 10e-6 + 7e-6 + 70e-6, 1e-9);
}

static void test_switch_algorithms(void **state)
{
    (void)state;
    system_t s;
    make(&s, "  - {name: sw, domain_chips: 8, bandwidth_GBps: 100, efficiency: 1.0, topology: switch,"
             " hop_latency_ns: 1000, switch_latency_ns: 500, in_network_reduction: true}\n");
    /* one step through a switch: hop + switch + hop = 2.5 us */
    double a = 2.5e-6, L = 10e-6;
    double M = 1e3; /* a small decode-size message: latency decides */
    assert_close(collective_level_time(&s, 0, COLL_ALLREDUCE, ALGO_RING, 8, M), L + 14 * a + 1.75 * M / 1e11, 1e-9);
    assert_close(collective_level_time(&s, 0, COLL_ALLREDUCE, ALGO_ONESHOT, 8, M), L + a + 7 * M / 1e11, 1e-9);
    assert_close(collective_level_time(&s, 0, COLL_ALLREDUCE, ALGO_TWOSHOT, 8, M), L + 2 * a + 1.75 * M / 1e11, 1e-9);
    assert_close(collective_level_time(&s, 0, COLL_ALLREDUCE, ALGO_TREE, 8, M), L + 6 * a + 2 * M / 1e11, 1e-9);
    assert_close(collective_level_time(&s, 0, COLL_ALLREDUCE, ALGO_INNETWORK, 8, M), L + 2 * a + M / 1e11, 1e-9);
    coll_plan_t p;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(collective_plan(&s, COLL_ALLREDUCE, 8, &p, &d), IS_OK);
    coll_algo_t al;
    /* small: one-shot (one step) wins */
    assert_close(collective_time(&p, M, &al, NULL, NULL), L + a + 7 * M / 1e11, 1e-9);
    assert_int_equal(al, ALGO_ONESHOT);
    /* large: in-network reduction moves M once */
    double big = 1e9;
    assert_close(collective_time(&p, big, &al, NULL, NULL), L + 2 * a + big / 1e11, 1e-9);
    assert_int_equal(al, ALGO_INNETWORK);
    /* the latency and bandwidth parts add up to the total */
    double lat, bw;
    double t = collective_time(&p, big, NULL, &lat, &bw);
    assert_close(lat + bw, t, 1e-9);
    assert_close(lat, L + 2 * a, 1e-9);
}

static void test_torus(void **state)
{
    (void)state;
    system_t s;
    make(&s, "  - {name: ici, domain_chips: 16, bandwidth_GBps: 100, efficiency: 1.0, topology: torus,"
             " torus_dims: [4, 4], hop_latency_ns: 1000}\n");
    double M = 16e6;
    /* 16 chips fill a 4x4 torus: per dimension a bidirectional ring on B/2 = 50 GB/s:
     * dim 1: 3 a + 3/4 x 16 MB / 50 GB/s = 3 us + 240 us; dim 2 on M/4: 3 us + 60 us;
     * reduce-scatter + all-gather doubles it: 2 x 306 us = 612 us, plus 10 us launch */
    assert_close(collective_level_time(&s, 0, COLL_ALLREDUCE, ALGO_TORUS, 16, M), 10e-6 + 612e-6, 1e-9);
    /* 4 chips take the most compact block, 2x2 (as a 4-chip TPU slice is shaped), not a row
     * of 4: per dimension a ring of 2, dim 1: 1 a + 1/2 x 16 MB / 50 GB/s = 1 us + 160 us,
     * dim 2 on M/2: 1 us + 80 us; doubled: 484 us, plus 10 us launch (a row: 496 us) */
    assert_close(collective_level_time(&s, 0, COLL_ALLREDUCE, ALGO_TORUS, 4, M), 10e-6 + 2 * (161e-6 + 81e-6), 1e-9);
    /* send/recv to a neighbour uses one link: B / (2 x 2 dims) = 25 GB/s */
    assert_close(collective_level_time(&s, 0, COLL_SENDRECV, ALGO_DIRECT, 2, 1e6), 10e-6 + 1e-6 + 1e6 / 25e9, 1e-9);
}

static void test_hierarchical_and_limits(void **state)
{
    (void)state;
    system_t s;
    make(&s, "  - {name: sw, domain_chips: 8, bandwidth_GBps: 100, efficiency: 1.0, topology: switch,"
             " hop_latency_ns: 1000, switch_latency_ns: 500}\n"
             "  - {name: net, domain_chips: 0, bandwidth_GBps: 10, efficiency: 1.0, topology: switch,"
             " hop_latency_ns: 2000, switch_latency_ns: 1000}\n");
    coll_plan_t p;
    diag_t d;
    diag_clear(&d);
    assert_int_equal(collective_plan(&s, COLL_ALLREDUCE, 16, &p, &d), IS_OK);
    assert_int_equal(p.level, 1);
    double M = 8e6;
    /* hierarchical: reduce-scatter in the node (best: direct, a + 7/8 M/B), all-reduce of M/8
     * across 2 nodes (best of ring/one-shot/two-shot/tree on the slow level), all-gather in the node */
    double a0 = 2.5e-6, a1 = 5e-6;
    double rs = a0 + 0.875 * M / 1e11;
    double m1 = M / 8;
    double ar1 = fmin(fmin(2 * a1 + m1 / 1e10, a1 + m1 / 1e10), 2 * a1 + 2 * m1 / 1e10); /* ring n=2 = two-shot */
    coll_algo_t al;
    double t = collective_time(&p, M, &al, NULL, NULL);
    assert_int_equal(al, ALGO_HIER);
    assert_close(t, 10e-6 + rs + ar1 + rs, 1e-9);
    /* no level spans 9 chips on a system whose only level has 8 */
    system_t s2;
    make(&s2, "  - {name: sw, domain_chips: 8, bandwidth_GBps: 100, efficiency: 1.0, topology: switch}\n");
    diag_clear(&d);
    assert_int_equal(collective_plan(&s2, COLL_ALLREDUCE, 9, &p, &d), IS_ERR_INPUT);
    assert_string_equal(d.message, "a group of 9 chips exceeds the largest interconnect domain of hand (8 chips): "
                                   "use fewer chips per group, or add an interconnect level");
    /* one chip: nothing to do */
    assert_int_equal(collective_plan(&s2, COLL_ALLREDUCE, 1, &p, &d), IS_OK);
    assert_close(collective_time(&p, 1e9, NULL, NULL, NULL) + 1, 1, 1e-15);
}

static void test_fat_tree_dragonfly_high_dim_torus(void **state)
{
    (void)state;
    system_t s;
    /* fat tree of radix 16: 64 chips need L = 2 levels: 4 links of 1 us + 3 switches of 0.5 us */
    make(&s, "  - {name: ft, domain_chips: 0, bandwidth_GBps: 100, efficiency: 1.0, topology: fat_tree,"
             " switch_radix: 16, hop_latency_ns: 1000, switch_latency_ns: 500}\n");
    double M = 1e3, a = 4e-6 + 1.5e-6;
    assert_close(collective_level_time(&s, 0, COLL_ALLREDUCE, ALGO_ONESHOT, 64, M), 10e-6 + a + 63 * M / 1e11, 1e-9);
    /* 16 chips sit under one switch: 2 links + 1 switch */
    assert_close(collective_level_time(&s, 0, COLL_ALLREDUCE, ALGO_ONESHOT, 16, M), 10e-6 + 2.5e-6 + 15 * M / 1e11, 1e-9);
    /* dragonfly: diameter of 5 links and 4 routers */
    make(&s, "  - {name: df, domain_chips: 0, bandwidth_GBps: 100, efficiency: 1.0, topology: dragonfly,"
             " hop_latency_ns: 1000, switch_latency_ns: 500}\n");
    assert_close(collective_level_time(&s, 0, COLL_ALLREDUCE, ALGO_ONESHOT, 64, M), 10e-6 + 7e-6 + 63 * M / 1e11, 1e-9);
    /* a 6-dimensional torus of 2^6 chips: a ring of 2 per dimension, bandwidth B/6 per dimension:
     * reduce-scatter + all-gather = 2 x sum over dims of (a + 1/2 x M_d / (B/6)), M halving per dim */
    make(&s, "  - {name: t6, domain_chips: 64, bandwidth_GBps: 120, efficiency: 1.0, topology: torus,"
             " torus_dims: [2, 2, 2, 2, 2, 2], hop_latency_ns: 1000}\n");
    double big = 64e6, t = 0, m = big;
    for (int k = 0; k < 6; k++) {
        t += 1e-6 + 0.5 * m / (120e9 / 6);
        m /= 2;
    }
    assert_close(collective_level_time(&s, 0, COLL_ALLREDUCE, ALGO_TORUS, 64, big), 10e-6 + 2 * t, 1e-9);
    /* a fat tree needs its radix */
    diag_t d;
    char yaml[1024];
    snprintf(yaml, sizeof yaml, "%sinterconnect:\n  - {name: ft, domain_chips: 0, bandwidth_GBps: 1, topology: fat_tree}\n",
             base_yaml);
    assert_int_equal(system_from(yaml, &s, &d), IS_ERR_INPUT);
    assert_string_equal(d.message, "missing required field \"switch_radix\"");
}

/* A 3-D torus (a TPU v4/v5p-style 4x4x4 cube of 64 chips) and a full mesh, hand-computed, and
 * the paper's claim that for decode-sized messages halving latency beats doubling bandwidth. */
static void test_3d_torus_mesh_latency_vs_bandwidth(void **state)
{
    (void)state;
    system_t s;
    /* 4x4x4: a bidirectional ring of 4 in each dimension on B/3 = 40 GB/s; the message shrinks
     * 4x per dimension: 2 x [(3 a + 3/4 x 64 MB / 40 GB/s) + (3 a + 3/4 x 16 MB / 40) +
     * (3 a + 3/4 x 4 MB / 40)] = 2 x (1203 + 303 + 78) us = 3168 us, plus 10 us launch */
    make(&s, "  - {name: t3, domain_chips: 64, bandwidth_GBps: 120, efficiency: 1.0, topology: torus,"
             " torus_dims: [4, 4, 4], hop_latency_ns: 1000}\n");
    assert_close(collective_level_time(&s, 0, COLL_ALLREDUCE, ALGO_TORUS, 64, 64e6), 10e-6 + 3168e-6, 1e-9);
    /* a full mesh of 8: any chip one link from any other, no switch: one-shot all-reduce of 1 kB is
     * 10 us + 1 us + 7 x 1 kB / 100 GB/s; a send to one peer gets that peer's link, B / 7 */
    make(&s, "  - {name: fc, domain_chips: 8, bandwidth_GBps: 100, efficiency: 1.0, topology: fully_connected,"
             " hop_latency_ns: 1000}\n");
    assert_close(collective_level_time(&s, 0, COLL_ALLREDUCE, ALGO_ONESHOT, 8, 1e3), 10e-6 + 1e-6 + 7e3 / 1e11, 1e-9);
    assert_close(collective_level_time(&s, 0, COLL_SENDRECV, ALGO_DIRECT, 2, 1e6), 10e-6 + 1e-6 + 1e6 / (1e11 / 7),
                 1e-9);
    /* Llama-3.1-405B's decode all-reduce at batch 1 is one 16,384-wide bf16 row, 32 kB, over 8
     * chips of a switch (hop 1 us, switch 0.5 us, launch 10 us): one-shot, 10 + 2.5 + 7 x 32768 B /
     * 100 GB/s = 14.79 us.  Every latency halved, two-shot's two steps now cost less than one-shot's
     * 7 x 32 kB: 5 + 2 x 1.25 + 1.75 x 32768 B / 100 GB/s = 8.07 us; the bandwidth doubled instead:
     * 12.5 + 1.15 = 13.65 us.  Halving latency saves 5.9x what doubling bandwidth does. */
    const double M = 32768;
    coll_plan_t p;
    diag_t d;
    double t[3];
    static const char *const nets[3] = {
        "  - {name: sw, domain_chips: 8, bandwidth_GBps: 100, efficiency: 1.0, topology: switch,"
        " hop_latency_ns: 1000, switch_latency_ns: 500}\n",
        "  - {name: sw, domain_chips: 8, bandwidth_GBps: 100, efficiency: 1.0, topology: switch,"
        " hop_latency_ns: 500, switch_latency_ns: 250}\n",
        "  - {name: sw, domain_chips: 8, bandwidth_GBps: 200, efficiency: 1.0, topology: switch,"
        " hop_latency_ns: 1000, switch_latency_ns: 500}\n"};
    for (int k = 0; k < 3; k++) {
        make(&s, nets[k]);
        if (k == 1)
            s.collective_launch_s /= 2;
        diag_clear(&d);
        assert_int_equal(collective_plan(&s, COLL_ALLREDUCE, 8, &p, &d), IS_OK);
        t[k] = collective_time(&p, M, NULL, NULL, NULL);
    }
    assert_close(t[0], 10e-6 + 2.5e-6 + 7 * M / 1e11, 1e-9);
    assert_close(t[1], 5e-6 + 2.5e-6 + 1.75 * M / 1e11, 1e-9);
    assert_close(t[2], 10e-6 + 2.5e-6 + 7 * M / 2e11, 1e-9);
    assert_true(t[0] - t[1] > 5 * (t[0] - t[2]));
}

/* Landing (an arriving message written to memory and read back by the next step) and hop
 * counts, hand-computed. */
static void test_landing_and_hops(void **state)
{
    (void)state;
    system_t s;
    diag_t d;
    /* DRAM at 400 ns: each step lands in 2 x 400 ns = 0.8 us unless the level says otherwise */
    const char *yaml =
        "name: hand\n"
        "chip: {peak_TFLOPs: {bf16: 100}, compute_efficiency: 1.0}\n"
        "memory: [{name: hbm, capacity_GB: 80, bandwidth_GBps: 1000, efficiency: 1.0, latency_ns: 400}]\n"
        "software: {kernel_overhead_us: 0, collective_launch_us: 10}\n"
        "interconnect:\n"
        "  - {name: sw, domain_chips: 8, bandwidth_GBps: 100, efficiency: 1.0, topology: switch,"
        " hop_latency_ns: 1000, switch_latency_ns: 500, in_network_reduction: true}\n"
        "  - {name: ring, domain_chips: 0, bandwidth_GBps: 100, efficiency: 1.0, topology: ring,"
        " hop_latency_ns: 1000, landing_latency_ns: 40}\n";
    assert_int_equal(system_from(yaml, &s, &d), IS_OK);
    assert_close(s.level[0].landing_s, 0.8e-6, 1e-15);
    assert_close(s.level[1].landing_s, 40e-9, 1e-15);
    /* switch, one step: 2 links (2 us) + switch (0.5 us) + landing (0.8 us) = 3.3 us;
     * ring all-reduce among 8: 14 steps -> 10 + 14 x 3.3 us at an empty message */
    assert_close(collective_level_time(&s, 0, COLL_ALLREDUCE, ALGO_RING, 8, 0), 10e-6 + 14 * 3.3e-6, 1e-12);
    /* in-network: 2 steps -> 10 + 2 x 3.3 us */
    assert_close(collective_level_time(&s, 0, COLL_ALLREDUCE, ALGO_INNETWORK, 8, 0), 10e-6 + 6.6e-6, 1e-12);
    /* the plan's hop counts: ring 14 steps x 2 links = 28, one-shot 2, in-network 2 x 2 = 4,
     * tree 2 ceil(log2 8) = 6 steps x 2 = 12 */
    coll_plan_t p;
    diag_clear(&d);
    assert_int_equal(collective_plan(&s, COLL_ALLREDUCE, 8, &p, &d), IS_OK);
    int seen = 0;
    for (int i = 0; i < p.n_algos; i++) {
        double want = p.algos[i].algo == ALGO_RING ? 28 : p.algos[i].algo == ALGO_ONESHOT ? 2
                    : p.algos[i].algo == ALGO_INNETWORK ? 4 : p.algos[i].algo == ALGO_TREE ? 12 : -1;
        if (want >= 0) {
            assert_close(p.algos[i].hops, want, 1e-12);
            seen++;
        }
    }
    assert_int_equal(seen, 4);
    /* 16 chips: hierarchical over 2 switch domains and the ring (SRAM landing): reduce-scatter
     * in the switch (fastest empty: in-network, 1 step = 2 links), all-reduce of 2 on the ring
     * (2 steps of 1 link), all-gather in the switch (2 links): 6 hops; its latency
     * 10 + 3.3 + 2 x (1 + 0.04) + 3.3 us */
    assert_int_equal(collective_plan(&s, COLL_ALLREDUCE, 16, &p, &d), IS_OK);
    assert_int_equal(p.algos[0].algo, ALGO_HIER);
    assert_close(p.algos[0].hops, 6, 1e-12);
    assert_close(p.algos[0].latency_s, 10e-6 + 3.3e-6 + 2.08e-6 + 3.3e-6, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring_allreduce),
        cmocka_unit_test(test_switch_algorithms),
        cmocka_unit_test(test_torus),
        cmocka_unit_test(test_hierarchical_and_limits),
        cmocka_unit_test(test_fat_tree_dragonfly_high_dim_torus),
        cmocka_unit_test(test_landing_and_hops),
        cmocka_unit_test(test_3d_torus_mesh_latency_vs_bandwidth),
    };
    return cmocka_run_group_tests_name("collective", tests, NULL, NULL);
}
