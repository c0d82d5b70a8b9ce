/*
 * system_yaml.c — YAML system file -> system_t, with libfyaml.
 *
 * Defaults for optional fields (each warned about when used, since they move results):
 */
#include "system_yaml.h"

#include "fileutil.h"

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

typedef struct reader {
    const char *path;
    const char *buf;
    size_t len;
    diag_t *d;
} reader_t;

static void node_pos(struct fy_node *n, int *line, int *col)
{
    *line = 0;
    *col = 0;
    /* collections have no token of their own: use their first scalar */
    for (int depth = 0; n && depth < 64; depth++) {
        if (fy_node_is_scalar(n)) {
            struct fy_token *t = fy_node_get_scalar_token(n);
            const struct fy_mark *mk = t ? fy_token_start_mark(t) : NULL;
            if (mk) {
                *line = mk->line + 1;
                *col = mk->column + 1;
            }
            return;
        }
        if (fy_node_is_mapping(n)) {
            void *it = NULL;
            struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);
            n = p ? fy_node_pair_key(p) : NULL;
        } else if (fy_node_is_sequence(n)) {
            n = fy_node_sequence_get_by_index(n, 0);
        } else {
            return;
        }
    }
}

static status_t err_at(const reader_t *r, struct fy_node *n, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static status_t err_at(const reader_t *r, struct fy_node *n, const char *field, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line, col;
    node_pos(n, &line, &col);
    diag_error(r->d, r->path, line, col, field, "%s", msg);
    if (line > 0)
        diag_set_source_line(r->d, r->buf, r->len, line);
    return IS_ERR_INPUT;
}

/* Every key of mapping `map` must be in `allowed`. */
static status_t check_keys(const reader_t *r, struct fy_node *map, const char *section,
                           const char *const *allowed, int n)
{
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(map, &it))) {
        struct fy_node *k = fy_node_pair_key(p);
        const char *ks = k ? fy_node_get_scalar0(k) : NULL;
        if (!ks)
            return err_at(r, k, section, "expected plain keys");
        int ok = 0;
        for (int i = 0; i < n; i++)
            if (strcmp(ks, allowed[i]) == 0)
                ok = 1;
        if (!ok) {
            const char *near = diag_near_match(ks, allowed, n);
            char field[160];
            snprintf(field, sizeof field, "%s%s%s", section, section[0] ? "." : "", ks);
            if (near)
                return err_at(r, k, field, "unknown field \"%s\"; did you mean \"%s\"?", ks, near);
            return err_at(r, k, field, "unknown field \"%s\" (see docs/system-format.md)", ks);
        }
    }
    return IS_OK;
}

static struct fy_node *get(struct fy_node *map, const char *key)
{
    if (!map || !fy_node_is_mapping(map))
        return NULL;
    return fy_node_mapping_lookup_by_string(map, key, FY_NT);
}

/* Read a number in [lo, hi] (lo_open: strictly greater than lo), times `scale`. */
static status_t num(const reader_t *r, struct fy_node *map, const char *section, const char *key,
                    int required, double lo, int lo_open, double hi, double scale, double dflt,
                    double *out, int *present)
{
    char field[160];
    snprintf(field, sizeof field, "%s%s%s", section, section[0] ? "." : "", key);
    struct fy_node *v = get(map, key);
    if (present)
        *present = v != NULL;
    if (!v) {
        if (required)
            return err_at(r, map, field, "missing required field \"%s\"", key);
        *out = dflt;
        return IS_OK;
    }
    const char *s = fy_node_is_scalar(v) ? fy_node_get_scalar0(v) : NULL;
    char *end = NULL;
    double x = s ? strtod(s, &end) : NAN;
    if (!s || end == s || *end != '\0' || !isfinite(x))
        return err_at(r, v, field, "expected a number, got \"%s\"", s ? s : "(not a scalar)");
    if ((lo_open ? !(x > lo) : !(x >= lo)) || x > hi) {
        if (hi < 1e300)
            return err_at(r, v, field, "expected a number %s %g and <= %g, got %s", lo_open ? ">" : ">=", lo, hi, s);
        return err_at(r, v, field, "expected a number %s %g, got %s", lo_open ? ">" : ">=", lo, s);
    }
    *out = x * scale;
    return IS_OK;
}

static status_t str(const reader_t *r, struct fy_node *map, const char *section, const char *key,
                    int required, char *out, size_t cap)
{
    struct fy_node *v = get(map, key);
    if (!v) {
        if (required) {
            char field[160];
            snprintf(field, sizeof field, "%s%s%s", section, section[0] ? "." : "", key);
            return err_at(r, map, field, "missing required field \"%s\"", key);
        }
        return IS_OK;
    }
    const char *s = fy_node_is_scalar(v) ? fy_node_get_scalar0(v) : NULL;
    if (!s) {
        char field[160];
        snprintf(field, sizeof field, "%s%s%s", section, section[0] ? "." : "", key);
        return err_at(r, v, field, "expected a string");
    }
    snprintf(out, cap, "%s", s);
    return IS_OK;
}

static status_t boolean(const reader_t *r, struct fy_node *map, const char *section, const char *key,
                        int *out)
{
    struct fy_node *v = get(map, key);
    *out = 0;
    if (!v)
        return IS_OK;
    const char *s = fy_node_is_scalar(v) ? fy_node_get_scalar0(v) : NULL;
    if (s && (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0)) {
        *out = 1;
        return IS_OK;
    }
    if (s && (strcmp(s, "false") == 0 || strcmp(s, "no") == 0))
        return IS_OK;
    char field[160];
    snprintf(field, sizeof field, "%s.%s", section, key);
    return err_at(r, v, field, "expected true or false, got \"%s\"", s ? s : "(not a scalar)");
}

#define TRY(x) do { status_t st_ = (x); if (st_ != IS_OK) return st_; } while (0)
#define HUGE_ 1e308

static status_t read_chip(const reader_t *r, struct fy_node *chip, system_t *s)
{
    static const char *const keys[] = {"name", "clock_GHz", "sram_MB", "peak_TFLOPs", "compute_efficiency"};
    if (!chip || !fy_node_is_mapping(chip))
        return err_at(r, chip, "chip", "missing required section \"chip\" (a mapping)");
    TRY(check_keys(r, chip, "chip", keys, 5));
    TRY(str(r, chip, "chip", "name", 0, s->chip_name, sizeof s->chip_name));
    TRY(num(r, chip, "chip", "clock_GHz", 0, 0, 1, HUGE_, 1e9, 0, &s->clock_Hz, NULL));
    TRY(num(r, chip, "chip", "sram_MB", 0, 0, 0, HUGE_, 1e6, 0, &s->sram_B, NULL));
    TRY(num(r, chip, "chip", "compute_efficiency", 1, 0, 1, 1.0, 1.0, 0, &s->compute_eff, NULL));
    struct fy_node *pk = get(chip, "peak_TFLOPs");
    if (!pk || !fy_node_is_mapping(pk))
        return err_at(r, pk ? pk : chip, "chip.peak_TFLOPs",
                      "missing required mapping of precision to dense peak TFLOP/s (e.g. bf16: 989.4)");
    TRY(check_keys(r, pk, "chip.peak_TFLOPs", compute_class_names, CC_COUNT));
    int any = 0;
    for (int c = 0; c < CC_COUNT; c++) {
        int present = 0;
        TRY(num(r, pk, "chip.peak_TFLOPs", compute_class_names[c], 0, 0, 1, HUGE_, 1e12, 0,
                &s->peak_flops[c], &present));
        any |= present;
    }
    if (!any)
        return err_at(r, pk, "chip.peak_TFLOPs", "expected at least one precision (fp32, bf16, fp16, fp8, int8, fp4, int4)");
    return IS_OK;
}

static status_t read_memory(const reader_t *r, struct fy_node *mem, system_t *s)
{
    static const char *const keys[] = {"name", "capacity_GB", "bandwidth_GBps", "efficiency", "latency_ns",
                                       "access_B", "energy_pJ_per_bit", "read_only", "usd_per_GB",
                                       "endurance_pe_cycles"};
    if (!mem || !fy_node_is_sequence(mem) || fy_node_sequence_item_count(mem) < 1)
        return err_at(r, mem, "memory", "expected a list of at least one memory tier");
    int n = fy_node_sequence_item_count(mem);
    if (n > SYS_MAX_TIERS)
        return err_at(r, mem, "memory", "at most %d tiers are supported, got %d", SYS_MAX_TIERS, n);
    s->n_tiers = n;
    int any_writable = 0;
    for (int i = 0; i < n; i++) {
        struct fy_node *t = fy_node_sequence_get_by_index(mem, i);
        char sec[32];
        snprintf(sec, sizeof sec, "memory[%d]", i);
        if (!fy_node_is_mapping(t))
            return err_at(r, t, sec, "expected a mapping (name, capacity_GB, bandwidth_GBps, ...)");
        TRY(check_keys(r, t, sec, keys, 10));
        mem_tier_t *m = &s->tier[i];
        snprintf(m->name, sizeof m->name, "tier%d", i);
        TRY(str(r, t, sec, "name", 0, m->name, sizeof m->name));
        TRY(num(r, t, sec, "capacity_GB", 1, 0, 1, HUGE_, 1e9, 0, &m->capacity_B, NULL));
        TRY(num(r, t, sec, "bandwidth_GBps", 1, 0, 1, HUGE_, 1e9, 0, &m->bw_Bps, NULL));
        int p;
        TRY(num(r, t, sec, "efficiency", 0, 0, 1, 1.0, 1.0, DEFAULT_MEM_EFFICIENCY, &m->efficiency, &p));
        if (!p)
            diag_warn(r->d, "%s: %s.efficiency not given: assumed %.2f", r->path, sec, DEFAULT_MEM_EFFICIENCY);
        TRY(num(r, t, sec, "latency_ns", 0, 0, 0, HUGE_, 1e-9, DEFAULT_MEM_LATENCY_NS * 1e-9, &m->latency_s, &p));
        if (!p)
            diag_warn(r->d, "%s: %s.latency_ns not given: assumed %.0f ns", r->path, sec, DEFAULT_MEM_LATENCY_NS);
        TRY(num(r, t, sec, "access_B", 0, 1, 0, HUGE_, 1.0, DEFAULT_MEM_ACCESS_B, &m->access_B, NULL));
        TRY(num(r, t, sec, "energy_pJ_per_bit", 0, 0, 0, HUGE_, 1e-12, 0, &m->energy_J_per_bit, NULL));
        TRY(num(r, t, sec, "usd_per_GB", 0, 0, 0, HUGE_, 1.0, 0, &m->usd_per_GB, NULL));
        TRY(num(r, t, sec, "endurance_pe_cycles", 0, 0, 0, HUGE_, 1.0, 0, &m->endurance_pe, NULL));
        TRY(boolean(r, t, sec, "read_only", &m->read_only));
        any_writable |= !m->read_only;
    }
    if (!any_writable)
        return err_at(r, mem, "memory", "every tier is read_only: at least one writable tier must hold the KV cache and activations");
    return IS_OK;
}

static status_t read_interconnect(const reader_t *r, struct fy_node *net, system_t *s)
{
    static const char *const keys[] = {"name", "domain_chips", "bandwidth_GBps", "efficiency", "topology",
                                       "torus_dims", "hop_latency_ns", "switch_latency_ns",
                                       "in_network_reduction", "energy_pJ_per_bit"};
    if (!net) {
        s->n_levels = 0;
        return IS_OK;
    }
    if (!fy_node_is_sequence(net))
        return err_at(r, net, "interconnect", "expected a list of interconnect levels");
    int n = fy_node_sequence_item_count(net);
    if (n > SYS_MAX_LEVELS)
        return err_at(r, net, "interconnect", "at most %d levels are supported, got %d", SYS_MAX_LEVELS, n);
    s->n_levels = n;
    for (int i = 0; i < n; i++) {
        struct fy_node *l = fy_node_sequence_get_by_index(net, i);
        char sec[32];
        snprintf(sec, sizeof sec, "interconnect[%d]", i);
        if (!fy_node_is_mapping(l))
            return err_at(r, l, sec, "expected a mapping (name, domain_chips, bandwidth_GBps, ...)");
        TRY(check_keys(r, l, sec, keys, 10));
        net_level_t *v = &s->level[i];
        snprintf(v->name, sizeof v->name, "level%d", i);
        TRY(str(r, l, sec, "name", 0, v->name, sizeof v->name));
        double dc;
        TRY(num(r, l, sec, "domain_chips", 1, 0, 0, 1e9, 1.0, 0, &dc, NULL));
        if (dc != floor(dc))
            return err_at(r, get(l, "domain_chips"), sec, "domain_chips: expected a whole number of chips");
        v->domain_chips = (int)dc;
        TRY(num(r, l, sec, "bandwidth_GBps", 1, 0, 1, HUGE_, 1e9, 0, &v->bw_Bps, NULL));
        int p;
        TRY(num(r, l, sec, "efficiency", 0, 0, 1, 1.0, 1.0, DEFAULT_NET_EFFICIENCY, &v->efficiency, &p));
        if (!p)
            diag_warn(r->d, "%s: %s.efficiency not given: assumed %.2f", r->path, sec, DEFAULT_NET_EFFICIENCY);
        TRY(num(r, l, sec, "hop_latency_ns", 0, 0, 0, HUGE_, 1e-9, DEFAULT_HOP_LATENCY_NS * 1e-9, &v->hop_latency_s, &p));
        if (!p)
            diag_warn(r->d, "%s: %s.hop_latency_ns not given: assumed %.0f ns", r->path, sec, DEFAULT_HOP_LATENCY_NS);
        TRY(num(r, l, sec, "switch_latency_ns", 0, 0, 0, HUGE_, 1e-9, 0, &v->switch_latency_s, NULL));
        TRY(num(r, l, sec, "energy_pJ_per_bit", 0, 0, 0, HUGE_, 1e-12, 0, &v->energy_J_per_bit, NULL));
        TRY(boolean(r, l, sec, "in_network_reduction", &v->in_network_reduction));
        char topo[32] = "switch";
        TRY(str(r, l, sec, "topology", 0, topo, sizeof topo));
        int t;
        for (t = 0; t < TOPO_COUNT; t++)
            if (strcmp(topo, topology_names[t]) == 0)
                break;
        if (t == TOPO_COUNT) {
            const char *near = diag_near_match(topo, topology_names, TOPO_COUNT);
            char field[64];
            snprintf(field, sizeof field, "%s.topology", sec);
            return err_at(r, get(l, "topology"), field, "unknown topology \"%s\"%s%s%s (expected switch, ring, torus or fully_connected)",
                          topo, near ? "; did you mean \"" : "", near ? near : "", near ? "\"?" : "");
        }
        v->topology = (topology_t)t;
        struct fy_node *dims = get(l, "torus_dims");
        if (v->topology == TOPO_TORUS) {
            char field[64];
            snprintf(field, sizeof field, "%s.torus_dims", sec);
            if (!dims || !fy_node_is_sequence(dims) || fy_node_sequence_item_count(dims) < 1 ||
                fy_node_sequence_item_count(dims) > 3)
                return err_at(r, dims ? dims : l, field, "a torus needs torus_dims: a list of 1 to 3 extents, e.g. [4, 4, 4]");
            v->ndims = fy_node_sequence_item_count(dims);
            long prod = 1;
            for (int k = 0; k < v->ndims; k++) {
                struct fy_node *e = fy_node_sequence_get_by_index(dims, k);
                const char *es = fy_node_get_scalar0(e);
                char *end = NULL;
                long x = es ? strtol(es, &end, 10) : 0;
                if (!es || *end || x < 1 || x > 1000000)
                    return err_at(r, e, field, "expected a positive integer extent, got \"%s\"", es ? es : "");
                v->dims[k] = (int)x;
                prod *= x;
            }
            if (v->domain_chips > 0 && prod != v->domain_chips)
                return err_at(r, dims, field, "the extents multiply to %ld but domain_chips is %d", prod, v->domain_chips);
        } else if (dims) {
            char field[64];
            snprintf(field, sizeof field, "%s.torus_dims", sec);
            return err_at(r, dims, field, "torus_dims only applies to topology: torus");
        }
    }
    for (int i = 1; i < n; i++)
        if (s->level[i].domain_chips != 0 && s->level[i].domain_chips < s->level[i - 1].domain_chips)
            return err_at(r, fy_node_sequence_get_by_index(net, i), "interconnect",
                          "levels must be ordered innermost first: level %d spans %d chips, fewer than level %d (%d)",
                          i, s->level[i].domain_chips, i - 1, s->level[i - 1].domain_chips);
    return IS_OK;
}

static status_t read_small(const reader_t *r, struct fy_node *root, system_t *s)
{
    static const char *const hk[] = {"memory_GB", "link_GBps"};
    static const char *const pk[] = {"tdp_W", "idle_W"};
    static const char *const ck[] = {"chip_usd"};
    static const char *const sk[] = {"kernel_overhead_us", "collective_launch_us", "reserved_GB"};
    struct fy_node *h = get(root, "host"), *p = get(root, "power"), *c = get(root, "price"),
                   *sw = get(root, "software");
    if (h) {
        TRY(check_keys(r, h, "host", hk, 2));
        TRY(num(r, h, "host", "memory_GB", 0, 0, 0, HUGE_, 1e9, 0, &s->host_mem_B, NULL));
        TRY(num(r, h, "host", "link_GBps", 0, 0, 0, HUGE_, 1e9, 0, &s->host_link_Bps, NULL));
    }
    if (p) {
        TRY(check_keys(r, p, "power", pk, 2));
        TRY(num(r, p, "power", "tdp_W", 0, 0, 1, HUGE_, 1.0, 0, &s->tdp_W, NULL));
        TRY(num(r, p, "power", "idle_W", 0, 0, 0, HUGE_, 1.0, 0, &s->idle_W, NULL));
    }
    if (c) {
        TRY(check_keys(r, c, "price", ck, 1));
        TRY(num(r, c, "price", "chip_usd", 0, 0, 0, HUGE_, 1.0, 0, &s->chip_usd, NULL));
    }
    int pr;
    if (sw)
        TRY(check_keys(r, sw, "software", sk, 3));
    TRY(num(r, sw, "software", "kernel_overhead_us", 0, 0, 0, HUGE_, 1e-6, DEFAULT_KERNEL_OVERHEAD_US * 1e-6,
            &s->kernel_overhead_s, &pr));
    if (!pr)
        diag_warn(r->d, "%s: software.kernel_overhead_us not given: assumed %.1f us", r->path, DEFAULT_KERNEL_OVERHEAD_US);
    TRY(num(r, sw, "software", "collective_launch_us", 0, 0, 0, HUGE_, 1e-6, DEFAULT_COLLECTIVE_LAUNCH_US * 1e-6,
            &s->collective_launch_s, &pr));
    if (!pr && s->n_levels > 0)
        diag_warn(r->d, "%s: software.collective_launch_us not given: assumed %.1f us", r->path, DEFAULT_COLLECTIVE_LAUNCH_US);
    TRY(num(r, sw, "software", "reserved_GB", 0, 0, 0, HUGE_, 1e9, 0, &s->reserved_B, NULL));
    return IS_OK;
}

typedef struct capture {
    char first[512];
} capture_t;

static void capture_fn(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
    (void)diag;
    capture_t *c = user;
    if (c->first[0] || len == 0 || !memchr(buf, ':', len))
        return;
    size_t n = len < sizeof c->first - 1 ? len : sizeof c->first - 1;
    memcpy(c->first, buf, n);
    c->first[n] = '\0';
    char *nl = strchr(c->first, '\n');
    if (nl)
        *nl = '\0';
}

status_t system_load_buffer(const char *buf, size_t len, const char *path, system_t *s, diag_t *d)
{
    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", path);
    reader_t r = {path, buf, len, d};

    capture_t cap = {{0}};
    struct fy_diag_cfg dc;
    fy_diag_cfg_default(&dc);
    dc.fp = NULL;
    dc.output_fn = capture_fn;
    dc.user = &cap;
    dc.colorize = false;
    dc.show_source = false;
    dc.show_position = false;
    dc.show_type = false;
    dc.show_module = false;
    struct fy_diag *fdiag = fy_diag_create(&dc);
    if (!fdiag) {
        diag_error(d, path, 0, 0, NULL, "out of memory");
        return IS_ERR_NOMEM;
    }
    struct fy_parse_cfg cfg = {0};
    cfg.flags = FYPCF_QUIET | FYPCF_DEFAULT_DOC;
    cfg.diag = fdiag;
    struct fy_document *doc = fy_document_build_from_string(&cfg, buf, len);
    if (!doc) {
        /* libfyaml's message reads "<input>:LINE:COL: error: TEXT" */
        int line = 0, col = 0;
        const char *msg = cap.first;
        const char *e = strstr(cap.first, ": error: ");
        if (e) {
            msg = e + 9;
            const char *q = e;
            /* walk back over ":COL" and ":LINE" */
            const char *c2 = q;
            while (c2 > cap.first && c2[-1] != ':') c2--;
            col = atoi(c2);
            const char *c1 = c2 - 1;
            while (c1 > cap.first && c1[-1] != ':') c1--;
            line = atoi(c1);
        }
        diag_error(d, path, line, col, NULL, "invalid YAML: %s", msg[0] ? msg : "cannot parse");
        if (line > 0)
            diag_set_source_line(d, buf, len, line);
        fy_diag_destroy(fdiag);
        return IS_ERR_INPUT;
    }
    status_t st = IS_ERR_INPUT;
    struct fy_node *root = fy_document_root(doc);
    static const char *const top[] = {"name", "description", "class", "sources", "chip", "memory",
                                      "interconnect", "host", "power", "price", "software"};
    if (!root || !fy_node_is_mapping(root)) {
        err_at(&r, root, "", "expected a mapping with name, chip, memory, interconnect, ... (see docs/system-format.md)");
        goto out;
    }
    if ((st = check_keys(&r, root, "", top, 11)) != IS_OK)
        goto out;
    file_stem(path, s->name, sizeof s->name);
    if ((st = str(&r, root, "", "name", 0, s->name, sizeof s->name)) != IS_OK) goto out;
    if ((st = str(&r, root, "", "description", 0, s->description, sizeof s->description)) != IS_OK) goto out;
    snprintf(s->klass, sizeof s->klass, "datacenter");
    if ((st = str(&r, root, "", "class", 0, s->klass, sizeof s->klass)) != IS_OK) goto out;
    if (strcmp(s->klass, "datacenter") && strcmp(s->klass, "edge") && strcmp(s->klass, "cpu")) {
        st = err_at(&r, get(root, "class"), "class", "expected datacenter, edge or cpu, got \"%s\"", s->klass);
        goto out;
    }
    if ((st = read_chip(&r, get(root, "chip"), s)) != IS_OK) goto out;
    if ((st = read_memory(&r, get(root, "memory"), s)) != IS_OK) goto out;
    if ((st = read_interconnect(&r, get(root, "interconnect"), s)) != IS_OK) goto out;
    if ((st = read_small(&r, root, s)) != IS_OK) goto out;
    if (s->reserved_B >= s->tier[0].capacity_B) {
        st = err_at(&r, get(get(root, "software"), "reserved_GB"), "software.reserved_GB",
                    "reserves %.1f GB but the first memory tier holds only %.1f GB", s->reserved_B / 1e9,
                    s->tier[0].capacity_B / 1e9);
        goto out;
    }
    st = IS_OK;
out:
    fy_document_destroy(doc);
    fy_diag_destroy(fdiag);
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
