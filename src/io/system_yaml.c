/*
 * system_yaml.c — YAML system file -> system_t, with libfyaml.
 *
 * Defaults for optional fields (each warned about when used, since they move results):
 */
#include "system_yaml.h"

#include "fileutil.h"
#include "yamlread.h"

#include <libfyaml.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Defaults, used only when a file omits the field (a warning says so). */
#define DEFAULT_MEM_EFFICIENCY 0.80   /* guess: typical sustained fraction of DRAM peak (STREAM-like) */
#define DEFAULT_MEM_LATENCY_NS 500.0  /* guess: DRAM-class load-to-use latency seen by an accelerator */
#define DEFAULT_MEM_ACCESS_B 64.0     /* a DRAM burst / cache line */
#define DEFAULT_NET_EFFICIENCY 0.80   /* guess: achievable fraction of link peak for large messages */
#define DEFAULT_HOP_LATENCY_NS 1000.0 /* guess: one link traversal incl. PHY, order of a microsecond */
#define DEFAULT_KERNEL_OVERHEAD_US 2.0 /* guess: per-kernel gap of a GPU stream with CUDA graphs */
#define DEFAULT_COLLECTIVE_LAUNCH_US 5.0 /* guess: fixed cost of one small collective call */

#define TRY(x) do { status_t st_ = (x); if (st_ != IS_OK) return st_; } while (0)
#define HUGE_ YR_HUGE

static status_t read_chip(const yreader_t *r, struct fy_node *chip, system_t *s)
{
    static const char *const keys[] = {"name", "clock_GHz", "sram_MB", "peak_TFLOPs", "compute_efficiency",
                                       "energy_pJ_per_flop", "embodied_kgCO2e", "gemv_efficiency",
                                       "compute_efficiency_by_precision", "exp_Gops", "mixed_input_efficiency",
                                       "mixed_fp_native"};
    if (!chip || !fy_node_is_mapping(chip))
        return yr_err(r, chip, "chip", "missing required section \"chip\" (a mapping)");
    TRY(yr_check_keys(r, chip, "chip", keys, sizeof keys / sizeof keys[0]));
    struct fy_node *eb = yr_get(chip, "compute_efficiency_by_precision");
    if (eb) {
        if (!fy_node_is_mapping(eb))
            return yr_err(r, eb, "chip.compute_efficiency_by_precision",
                          "expected a mapping of precision to the achievable fraction of its peak (e.g. fp8: 0.66)");
        TRY(yr_check_keys(r, eb, "chip.compute_efficiency_by_precision", compute_class_names, CC_COUNT));
        for (int c = 0; c < CC_COUNT; c++)
            TRY(yr_num(r, eb, "chip.compute_efficiency_by_precision", compute_class_names[c], 0, 0, 1, 1.0, 1.0, 0,
                       &s->compute_eff_by[c], NULL));
    }
    TRY(yr_num(r, chip, "chip", "embodied_kgCO2e", 0, 0, 0, HUGE_, 1.0, 0, &s->embodied_kg, NULL));
    struct fy_node *en = yr_get(chip, "energy_pJ_per_flop");
    if (en) {
        if (!fy_node_is_mapping(en))
            return yr_err(r, en, "chip.energy_pJ_per_flop", "expected a mapping of precision to pJ per FLOP");
        TRY(yr_check_keys(r, en, "chip.energy_pJ_per_flop", compute_class_names, CC_COUNT));
        for (int c = 0; c < CC_COUNT; c++)
            TRY(yr_num(r, en, "chip.energy_pJ_per_flop", compute_class_names[c], 0, 0, 1, HUGE_, 1e-12, 0,
                       &s->energy_J_per_flop[c], NULL));
    }
    TRY(yr_str(r, chip, "chip", "name", 0, s->chip_name, sizeof s->chip_name));
    TRY(yr_num(r, chip, "chip", "clock_GHz", 0, 0, 1, HUGE_, 1e9, 0, &s->clock_Hz, NULL));
    TRY(yr_num(r, chip, "chip", "sram_MB", 0, 0, 0, HUGE_, 1e6, 0, &s->sram_B, NULL));
    TRY(yr_num(r, chip, "chip", "compute_efficiency", 1, 0, 1, 1.0, 1.0, 0, &s->compute_eff, NULL));
    TRY(yr_num(r, chip, "chip", "gemv_efficiency", 0, 0, 1, 1.0, 1.0, 0, &s->gemv_eff, NULL));
    TRY(yr_num(r, chip, "chip", "mixed_input_efficiency", 0, 0, 1, 1.0, 1.0, 0, &s->mixed_eff, NULL));
    TRY(yr_bool(r, chip, "chip", "mixed_fp_native", &s->mixed_fp_native));
    TRY(yr_num(r, chip, "chip", "exp_Gops", 0, 0, 1, HUGE_, 1e9, 0, &s->exp_rate, NULL));
    struct fy_node *pk = yr_get(chip, "peak_TFLOPs");
    if (!pk || !fy_node_is_mapping(pk))
        return yr_err(r, pk ? pk : chip, "chip.peak_TFLOPs",
                      "missing required mapping of precision to dense peak TFLOP/s (e.g. bf16: 989.4)");
    TRY(yr_check_keys(r, pk, "chip.peak_TFLOPs", compute_class_names, CC_COUNT));
    int any = 0;
    for (int c = 0; c < CC_COUNT; c++) {
        int present = 0;
        TRY(yr_num(r, pk, "chip.peak_TFLOPs", compute_class_names[c], 0, 0, 1, HUGE_, 1e12, 0,
                &s->peak_flops[c], &present));
        any |= present;
    }
    if (!any)
        return yr_err(r, pk, "chip.peak_TFLOPs", "expected at least one precision (fp32, bf16, fp16, fp8, int8, fp4, int4)");
    for (int c = 0; c < CC_COUNT; c++)
        if (s->compute_eff_by[c] > 0 && s->peak_flops[c] <= 0)
            return yr_err(r, yr_get(eb, compute_class_names[c]), "chip.compute_efficiency_by_precision",
                          "%s has no peak in chip.peak_TFLOPs to apply it to", compute_class_names[c]);
    return IS_OK;
}

static status_t read_memory(const yreader_t *r, struct fy_node *mem, system_t *s)
{
    static const char *const keys[] = {"name", "capacity_GB", "bandwidth_GBps", "efficiency", "latency_ns",
                                       "access_B", "energy_pJ_per_bit", "read_only", "usd_per_GB",
                                       "endurance_pe_cycles", "embodied_kgCO2e_per_GB", "near_compute_TFLOPs",
                                       "near_bandwidth_GBps", "unit_MB", "spill_only", "weight_efficiency",
                                       "copy_efficiency", "grouped_efficiency"};
    if (!mem || !fy_node_is_sequence(mem) || fy_node_sequence_item_count(mem) < 1)
        return yr_err(r, mem, "memory", "expected a list of at least one memory tier");
    int n = fy_node_sequence_item_count(mem);
    if (n > SYS_MAX_TIERS)
        return yr_err(r, mem, "memory", "at most %d tiers are supported, got %d", SYS_MAX_TIERS, n);
    s->n_tiers = n;
    int any_writable = 0;
    for (int i = 0; i < n; i++) {
        struct fy_node *t = fy_node_sequence_get_by_index(mem, i);
        char sec[32];
        snprintf(sec, sizeof sec, "memory[%d]", i);
        if (!fy_node_is_mapping(t))
            return yr_err(r, t, sec, "expected a mapping (name, capacity_GB, bandwidth_GBps, ...)");
        TRY(yr_check_keys(r, t, sec, keys, sizeof keys / sizeof keys[0]));
        int has_near;
        TRY(yr_num(r, t, sec, "near_compute_TFLOPs", 0, 0, 0, HUGE_, 1e12, 0, &s->tier[i].near_flops, &has_near));
        if (has_near) {
            TRY(yr_num(r, t, sec, "near_bandwidth_GBps", 1, 0, 1, HUGE_, 1e9, 0, &s->tier[i].near_bw_Bps, NULL));
            TRY(yr_num(r, t, sec, "unit_MB", 1, 0, 1, HUGE_, 1e6, 0, &s->tier[i].unit_B, NULL));
        }
        TRY(yr_num(r, t, sec, "embodied_kgCO2e_per_GB", 0, 0, 0, HUGE_, 1.0, 0, &s->tier[i].embodied_kg_per_GB, NULL));
        mem_tier_t *m = &s->tier[i];
        snprintf(m->name, sizeof m->name, "tier%d", i);
        TRY(yr_str(r, t, sec, "name", 0, m->name, sizeof m->name));
        TRY(yr_num(r, t, sec, "capacity_GB", 1, 0, 1, HUGE_, 1e9, 0, &m->capacity_B, NULL));
        TRY(yr_num(r, t, sec, "bandwidth_GBps", 1, 0, 1, HUGE_, 1e9, 0, &m->bw_Bps, NULL));
        int p;
        TRY(yr_num(r, t, sec, "efficiency", 0, 0, 1, 1.0, 1.0, DEFAULT_MEM_EFFICIENCY, &m->efficiency, &p));
        if (!p)
            diag_warn(r->d, "%s: %s.efficiency not given: assumed %.2f", r->path, sec, DEFAULT_MEM_EFFICIENCY);
        TRY(yr_num(r, t, sec, "copy_efficiency", 0, 0, 1, 1.0, 1.0, 0, &m->copy_efficiency, NULL));
        TRY(yr_num(r, t, sec, "grouped_efficiency", 0, 0, 1, 1.0, 1.0, 0, &m->grouped_efficiency, NULL));
        TRY(yr_num(r, t, sec, "latency_ns", 0, 0, 0, HUGE_, 1e-9, DEFAULT_MEM_LATENCY_NS * 1e-9, &m->latency_s, &p));
        if (!p)
            diag_warn(r->d, "%s: %s.latency_ns not given: assumed %.0f ns", r->path, sec, DEFAULT_MEM_LATENCY_NS);
        TRY(yr_num(r, t, sec, "access_B", 0, 1, 0, HUGE_, 1.0, DEFAULT_MEM_ACCESS_B, &m->access_B, NULL));
        TRY(yr_num(r, t, sec, "energy_pJ_per_bit", 0, 0, 0, HUGE_, 1e-12, 0, &m->energy_J_per_bit, NULL));
        TRY(yr_num(r, t, sec, "usd_per_GB", 0, 0, 0, HUGE_, 1.0, 0, &m->usd_per_GB, NULL));
        TRY(yr_num(r, t, sec, "endurance_pe_cycles", 0, 0, 0, HUGE_, 1.0, 0, &m->endurance_pe, NULL));
        struct fy_node *we = yr_get(t, "weight_efficiency");
        if (we) {
            /* per weight format (a precision name): the fraction of the bandwidth decode kernels
             * stream that format's weights at */
            char wsec[64];
            snprintf(wsec, sizeof wsec, "%s.weight_efficiency", sec);
            if (!fy_node_is_mapping(we))
                return yr_err(r, we, wsec, "expected a mapping of weight format to efficiency (e.g. int8: 0.64)");
            int np;
            const char *const *names = precision_names(&np);
            TRY(yr_check_keys(r, we, wsec, names, np));
            for (int k = 0; k < np; k++) {
                int present = 0;
                double v;
                TRY(yr_num(r, we, wsec, names[k], 0, 0, 1, 1.0, 1.0, 0, &v, &present));
                if (!present)
                    continue;
                if (m->n_weight_eff == SYS_MAX_WEIGHT_EFF)
                    return yr_err(r, we, wsec, "at most %d formats", SYS_MAX_WEIGHT_EFF);
                snprintf(m->weight_eff[m->n_weight_eff].format, sizeof m->weight_eff[0].format, "%s", names[k]);
                m->weight_eff[m->n_weight_eff++].eff = v;
            }
        }
        TRY(yr_bool(r, t, sec, "read_only", &m->read_only));
        TRY(yr_bool(r, t, sec, "spill_only", &m->spill_only));
        if (m->spill_only && !m->read_only)
            return yr_err(r, yr_get(t, "spill_only"), sec,
                          "spill_only applies to a read_only tier (weights that overflow the tiers before it)");
        any_writable |= !m->read_only;
    }
    if (!any_writable)
        return yr_err(r, mem, "memory", "every tier is read_only: at least one writable tier must hold the KV cache and activations");
    return IS_OK;
}

static status_t read_interconnect(const yreader_t *r, struct fy_node *net, system_t *s)
{
    static const char *const keys[] = {"name", "domain_chips", "bandwidth_GBps", "efficiency", "topology",
                                       "torus_dims", "hop_latency_ns", "switch_latency_ns",
                                       "in_network_reduction", "energy_pJ_per_bit", "switch_radix",
                                       "landing_latency_ns"};
    if (!net) {
        s->n_levels = 0;
        return IS_OK;
    }
    if (!fy_node_is_sequence(net))
        return yr_err(r, net, "interconnect", "expected a list of interconnect levels");
    int n = fy_node_sequence_item_count(net);
    if (n > SYS_MAX_LEVELS)
        return yr_err(r, net, "interconnect", "at most %d levels are supported, got %d", SYS_MAX_LEVELS, n);
    s->n_levels = n;
    for (int i = 0; i < n; i++) {
        struct fy_node *l = fy_node_sequence_get_by_index(net, i);
        char sec[32];
        snprintf(sec, sizeof sec, "interconnect[%d]", i);
        if (!fy_node_is_mapping(l))
            return yr_err(r, l, sec, "expected a mapping (name, domain_chips, bandwidth_GBps, ...)");
        TRY(yr_check_keys(r, l, sec, keys, 12));
        net_level_t *v = &s->level[i];
        snprintf(v->name, sizeof v->name, "level%d", i);
        TRY(yr_str(r, l, sec, "name", 0, v->name, sizeof v->name));
        double dc;
        TRY(yr_num(r, l, sec, "domain_chips", 1, 0, 0, 1e9, 1.0, 0, &dc, NULL));
        if (dc != floor(dc))
            return yr_err(r, yr_get(l, "domain_chips"), sec, "domain_chips: expected a whole number of chips");
        v->domain_chips = (int)dc;
        TRY(yr_num(r, l, sec, "bandwidth_GBps", 1, 0, 1, HUGE_, 1e9, 0, &v->bw_Bps, NULL));
        int p;
        TRY(yr_num(r, l, sec, "efficiency", 0, 0, 1, 1.0, 1.0, DEFAULT_NET_EFFICIENCY, &v->efficiency, &p));
        if (!p)
            diag_warn(r->d, "%s: %s.efficiency not given: assumed %.2f", r->path, sec, DEFAULT_NET_EFFICIENCY);
        TRY(yr_num(r, l, sec, "hop_latency_ns", 0, 0, 0, HUGE_, 1e-9, DEFAULT_HOP_LATENCY_NS * 1e-9, &v->hop_latency_s, &p));
        if (!p)
            diag_warn(r->d, "%s: %s.hop_latency_ns not given: assumed %.0f ns", r->path, sec, DEFAULT_HOP_LATENCY_NS);
        TRY(yr_num(r, l, sec, "switch_latency_ns", 0, 0, 0, HUGE_, 1e-9, 0, &v->switch_latency_s, NULL));
        /* unset: what arrives is written to the first writable memory tier and read back */
        int w = 0;
        while (w < s->n_tiers - 1 && s->tier[w].read_only)
            w++;
        TRY(yr_num(r, l, sec, "landing_latency_ns", 0, 0, 0, HUGE_, 1e-9, 2.0 * s->tier[w].latency_s,
                   &v->landing_s, NULL));
        TRY(yr_num(r, l, sec, "energy_pJ_per_bit", 0, 0, 0, HUGE_, 1e-12, 0, &v->energy_J_per_bit, NULL));
        TRY(yr_bool(r, l, sec, "in_network_reduction", &v->in_network_reduction));
        char topo[32] = "switch";
        TRY(yr_str(r, l, sec, "topology", 0, topo, sizeof topo));
        int t;
        for (t = 0; t < TOPO_COUNT; t++)
            if (strcmp(topo, topology_names[t]) == 0)
                break;
        if (t == TOPO_COUNT) {
            const char *near = diag_near_match(topo, topology_names, TOPO_COUNT);
            char field[64];
            snprintf(field, sizeof field, "%s.topology", sec);
            return yr_err(r, yr_get(l, "topology"), field, "unknown topology \"%s\"%s%s%s (expected switch, ring, torus, fully_connected, fat_tree or dragonfly)",
                          topo, near ? "; did you mean \"" : "", near ? near : "", near ? "\"?" : "");
        }
        v->topology = (topology_t)t;
        struct fy_node *dims = yr_get(l, "torus_dims");
        if (v->topology == TOPO_TORUS) {
            char field[64];
            snprintf(field, sizeof field, "%s.torus_dims", sec);
            if (!dims || !fy_node_is_sequence(dims) || fy_node_sequence_item_count(dims) < 1 ||
                fy_node_sequence_item_count(dims) > SYS_MAX_TORUS_DIMS)
                return yr_err(r, dims ? dims : l, field, "a torus needs torus_dims: a list of 1 to 6 extents, e.g. [4, 4, 4]");
            v->ndims = fy_node_sequence_item_count(dims);
            long prod = 1;
            for (int k = 0; k < v->ndims; k++) {
                struct fy_node *e = fy_node_sequence_get_by_index(dims, k);
                const char *es = fy_node_get_scalar0(e);
                char *end = NULL;
                long x = es ? strtol(es, &end, 10) : 0;
                if (!es || *end || x < 1 || x > 1000000)
                    return yr_err(r, e, field, "expected a positive integer extent, got \"%s\"", es ? es : "");
                v->dims[k] = (int)x;
                prod *= x;
            }
            if (v->domain_chips > 0 && prod != v->domain_chips)
                return yr_err(r, dims, field, "the extents multiply to %ld but domain_chips is %d", prod, v->domain_chips);
        } else if (dims) {
            char field[64];
            snprintf(field, sizeof field, "%s.torus_dims", sec);
            return yr_err(r, dims, field, "torus_dims only applies to topology: torus");
        }
        double radix = 0;
        int has_radix = 0;
        TRY(yr_num(r, l, sec, "switch_radix", v->topology == TOPO_FAT_TREE, 2, 0, 1e6, 1.0, 0, &radix, &has_radix));
        if (has_radix && v->topology != TOPO_FAT_TREE) {
            char field[64];
            snprintf(field, sizeof field, "%s.switch_radix", sec);
            return yr_err(r, yr_get(l, "switch_radix"), field, "switch_radix only applies to topology: fat_tree");
        }
        v->switch_radix = (int)radix;
    }
    for (int i = 1; i < n; i++)
        if (s->level[i].domain_chips != 0 && s->level[i].domain_chips < s->level[i - 1].domain_chips)
            return yr_err(r, fy_node_sequence_get_by_index(net, i), "interconnect",
                          "levels must be ordered innermost first: level %d spans %d chips, fewer than level %d (%d)",
                          i, s->level[i].domain_chips, i - 1, s->level[i - 1].domain_chips);
    return IS_OK;
}

static status_t read_small(const yreader_t *r, struct fy_node *root, system_t *s)
{
    static const char *const hk[] = {"memory_GB", "link_GBps"};
    static const char *const pk[] = {"tdp_W", "idle_W", "logic_power_cap_W", "battery_Wh"};
    static const char *const ck[] = {"chip_usd"};
    static const char *const sk[] = {"kernel_overhead_us", "collective_launch_us", "reserved_GB"};
    static const char *const vk[] = {"chips", "host_usd", "host_power_W", "embodied_kgCO2e", "rack_units"};
    struct fy_node *sv = yr_get(root, "server");
    if (sv) {
        double chips;
        TRY(yr_check_keys(r, sv, "server", vk, 5));
        TRY(yr_num(r, sv, "server", "chips", 1, 1, 0, 1e6, 1.0, 1, &chips, NULL));
        if (chips != floor(chips))
            return yr_err(r, yr_get(sv, "chips"), "server.chips", "expected a whole number of chips");
        s->server_chips = (int)chips;
        TRY(yr_num(r, sv, "server", "host_usd", 0, 0, 0, HUGE_, 1.0, 0, &s->host_usd, NULL));
        TRY(yr_num(r, sv, "server", "host_power_W", 0, 0, 0, HUGE_, 1.0, 0, &s->host_power_W, NULL));
        TRY(yr_num(r, sv, "server", "embodied_kgCO2e", 0, 0, 0, HUGE_, 1.0, 0, &s->server_embodied_kg, NULL));
        TRY(yr_num(r, sv, "server", "rack_units", 0, 0, 0, 1000, 1.0, 0, &s->server_rack_units, NULL));
    }
    struct fy_node *h = yr_get(root, "host"), *p = yr_get(root, "power"), *c = yr_get(root, "price"),
                   *sw = yr_get(root, "software");
    if (h) {
        TRY(yr_check_keys(r, h, "host", hk, 2));
        TRY(yr_num(r, h, "host", "memory_GB", 0, 0, 0, HUGE_, 1e9, 0, &s->host_mem_B, NULL));
        TRY(yr_num(r, h, "host", "link_GBps", 0, 0, 0, HUGE_, 1e9, 0, &s->host_link_Bps, NULL));
    }
    if (p) {
        TRY(yr_check_keys(r, p, "power", pk, 4));
        TRY(yr_num(r, p, "power", "battery_Wh", 0, 0, 1, HUGE_, 3600.0, 0, &s->battery_J, NULL));
        TRY(yr_num(r, p, "power", "logic_power_cap_W", 0, 0, 1, HUGE_, 1.0, 0, &s->logic_power_cap_W, NULL));
        TRY(yr_num(r, p, "power", "tdp_W", 0, 0, 1, HUGE_, 1.0, 0, &s->tdp_W, NULL));
        TRY(yr_num(r, p, "power", "idle_W", 0, 0, 0, HUGE_, 1.0, 0, &s->idle_W, NULL));
    }
    if (c) {
        TRY(yr_check_keys(r, c, "price", ck, 1));
        TRY(yr_num(r, c, "price", "chip_usd", 0, 0, 0, HUGE_, 1.0, 0, &s->chip_usd, NULL));
    }
    int pr;
    if (sw)
        TRY(yr_check_keys(r, sw, "software", sk, 3));
    TRY(yr_num(r, sw, "software", "kernel_overhead_us", 0, 0, 0, HUGE_, 1e-6, DEFAULT_KERNEL_OVERHEAD_US * 1e-6,
            &s->kernel_overhead_s, &pr));
    if (!pr)
        diag_warn(r->d, "%s: software.kernel_overhead_us not given: assumed %.1f us", r->path, DEFAULT_KERNEL_OVERHEAD_US);
    TRY(yr_num(r, sw, "software", "collective_launch_us", 0, 0, 0, HUGE_, 1e-6, DEFAULT_COLLECTIVE_LAUNCH_US * 1e-6,
            &s->collective_launch_s, &pr));
    if (!pr && s->n_levels > 0)
        diag_warn(r->d, "%s: software.collective_launch_us not given: assumed %.1f us", r->path, DEFAULT_COLLECTIVE_LAUNCH_US);
    TRY(yr_num(r, sw, "software", "reserved_GB", 0, 0, 0, HUGE_, 1e9, 0, &s->reserved_B, NULL));
    return IS_OK;
}

status_t system_load_buffer(const char *buf, size_t len, const char *path, system_t *s, diag_t *d)
{
    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", path);
    yreader_t r;
    struct fy_node *root = NULL;
    status_t st = yr_open(&r, buf, len, path, d, &root);
    if (st != IS_OK)
        return st;
    st = IS_ERR_INPUT;

    static const char *const top[] = {"name", "description", "class", "sources", "chip", "memory",
                                      "interconnect", "host", "power", "price", "server", "software"};
    if (!root || !fy_node_is_mapping(root)) {
        yr_err(&r, root, "", "expected a mapping with name, chip, memory, interconnect, ... (see docs/system-format.md)");
        goto out;
    }
    if ((st = yr_check_keys(&r, root, "", top, 12)) != IS_OK)
        goto out;
    file_stem(path, s->name, sizeof s->name);
    if ((st = yr_str(&r, root, "", "name", 0, s->name, sizeof s->name)) != IS_OK) goto out;
    if ((st = yr_str(&r, root, "", "description", 0, s->description, sizeof s->description)) != IS_OK) goto out;
    snprintf(s->klass, sizeof s->klass, "datacenter");
    if ((st = yr_str(&r, root, "", "class", 0, s->klass, sizeof s->klass)) != IS_OK) goto out;
    if (strcmp(s->klass, "datacenter") && strcmp(s->klass, "edge") && strcmp(s->klass, "cpu")) {
        st = yr_err(&r, yr_get(root, "class"), "class", "expected datacenter, edge or cpu, got \"%s\"", s->klass);
        goto out;
    }
    if ((st = read_chip(&r, yr_get(root, "chip"), s)) != IS_OK) goto out;
    if ((st = read_memory(&r, yr_get(root, "memory"), s)) != IS_OK) goto out;
    if ((st = read_interconnect(&r, yr_get(root, "interconnect"), s)) != IS_OK) goto out;
    if ((st = read_small(&r, root, s)) != IS_OK) goto out;
    if (s->reserved_B >= s->tier[0].capacity_B) {
        st = yr_err(&r, yr_get(yr_get(root, "software"), "reserved_GB"), "software.reserved_GB",
                    "reserves %.1f GB but the first memory tier holds only %.1f GB", s->reserved_B / 1e9,
                    s->tier[0].capacity_B / 1e9);
        goto out;
    }
    st = IS_OK;
out:
    yr_close(&r);
    return st;
}

status_t system_load(const char *path, system_t *s, diag_t *d)
{
    size_t len = 0;
    char *buf = NULL;
    status_t st = file_read_all(path, &buf, &len, d);
    if (st != IS_OK)
        return st;
    st = system_load_buffer(buf, len, path, s, d);
    free(buf);
    return st;
}
