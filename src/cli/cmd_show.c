/*
 * cmd_show.c — `infersim models`, `infersim systems`, `infersim show model|system X`.
 */
#include "cli.h"

#include "../core/deploy.h"
#include "../io/catalog.h"
#include "../report/report_predict.h"
#include "../io/site_yaml.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int want_json(int argc, char **argv, int *help)
{
    int j = 0;
    *help = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) j = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) *help = 1;
    }
    return j;
}

void *cli_model_json(const model_t *m)
{
    precision_t bf16, fp8, int4;
    precision_parse("bf16", &bf16);
    precision_parse("fp8", &fp8);
    precision_parse("int4", &int4);
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(m->name));
    json_object_set_new(o, "path", json_string(m->path));
    json_object_set_new(o, "architecture", json_string(m->architecture));
    json_object_set_new(o, "model_type", json_string(m->model_type));
    json_object_set_new(o, "hidden_size", json_integer(m->hidden));
    json_object_set_new(o, "layers", json_integer(m->n_layers));
    json_object_set_new(o, "heads", json_integer(m->n_heads));
    json_object_set_new(o, "kv_heads", json_integer(m->n_kv_heads));
    json_object_set_new(o, "head_dim", json_integer(m->head_dim));
    json_object_set_new(o, "vocab_size", json_integer(m->vocab));
    json_object_set_new(o, "attention", json_string(m->attn == ATTN_MLA ? "mla" : "gqa"));
    if (m->attn == ATTN_MLA) {
        json_object_set_new(o, "kv_lora_rank", json_integer(m->kv_lora_rank));
        json_object_set_new(o, "qk_rope_head_dim", json_integer(m->qk_rope_dim));
    }
    json_object_set_new(o, "experts", json_integer(m->n_experts));
    json_object_set_new(o, "experts_per_token", json_integer(m->top_k));
    json_object_set_new(o, "shared_experts", json_integer(m->n_shared_experts));
    json_t *cl = json_array();
    for (int c = 0; c < m->n_classes; c++) {
        json_t *e = json_object();
        json_object_set_new(e, "layers", json_integer(m->classes[c].count));
        json_object_set_new(e, "window", json_integer(m->classes[c].window));
        json_object_set_new(e, "ffn", json_string(m->classes[c].moe ? "moe" : "dense"));
        json_array_append_new(cl, e);
    }
    json_object_set_new(o, "layer_classes", cl);
    json_object_set_new(o, "params_total", json_real(model_params_total(m)));
    json_object_set_new(o, "params_active", json_real(model_params_active(m)));
    json_object_set_new(o, "native_weights", json_string(m->native_weights.name));
    json_object_set_new(o, "native_experts", json_string(m->native_experts.name));
    precision_t emb = deploy_embed_precision(&m->native_weights);
    json_object_set_new(o, "weight_bytes_native", json_real(model_weight_bytes(m, &m->native_weights, &m->native_experts, &emb)));
    json_object_set_new(o, "weight_bytes_bf16", json_real(model_weight_bytes(m, &bf16, &bf16, &bf16)));
    json_object_set_new(o, "kv_bytes_per_token_bf16", json_real(model_kv_bytes_per_token(m, &bf16)));
    json_object_set_new(o, "kv_bytes_at_32k_bf16", json_real(model_kv_bytes(m, &bf16, 32768)));
    json_object_set_new(o, "decode_flops_per_token_ctx0", json_real(model_decode_flops(m, 0)));
    json_object_set_new(o, "decode_flops_per_token_ctx4096", json_real(model_decode_flops(m, 4096)));
    json_object_set_new(o, "max_position_embeddings", json_integer(m->max_context));
    return o;
}

void *cli_system_json(const system_t *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(s->name));
    json_object_set_new(o, "description", json_string(s->description));
    json_object_set_new(o, "class", json_string(s->klass));
    json_object_set_new(o, "chip", json_string(s->chip_name));
    json_t *pk = json_object();
    for (int c = 0; c < CC_COUNT; c++)
        if (s->peak_flops[c] > 0)
            json_object_set_new(pk, compute_class_names[c], json_real(s->peak_flops[c]));
    json_object_set_new(o, "peak_flops", pk);
    json_object_set_new(o, "compute_efficiency", json_real(s->compute_eff));
    json_t *eb = json_object();
    for (int c = 0; c < CC_COUNT; c++)
        if (s->compute_eff_by[c] > 0)
            json_object_set_new(eb, compute_class_names[c], json_real(s->compute_eff_by[c]));
    json_object_set_new(o, "compute_efficiency_by_precision", eb);
    if (s->gemv_eff > 0)
        json_object_set_new(o, "gemv_efficiency", json_real(s->gemv_eff));
    if (s->mixed_eff > 0)
        json_object_set_new(o, "mixed_input_efficiency", json_real(s->mixed_eff));
    json_object_set_new(o, "mixed_fp_native", json_boolean(s->mixed_fp_native));
    if (s->exp_rate > 0)
        json_object_set_new(o, "exp_per_s", json_real(s->exp_rate));
    json_t *tiers = json_array();
    for (int i = 0; i < s->n_tiers; i++) {
        const mem_tier_t *t = &s->tier[i];
        json_t *e = json_object();
        json_object_set_new(e, "name", json_string(t->name));
        json_object_set_new(e, "capacity_bytes", json_real(t->capacity_B));
        json_object_set_new(e, "bandwidth_Bps", json_real(t->bw_Bps));
        json_object_set_new(e, "efficiency", json_real(t->efficiency));
        json_object_set_new(e, "latency_s", json_real(t->latency_s));
        json_object_set_new(e, "access_bytes", json_real(t->access_B));
        json_object_set_new(e, "read_only", json_boolean(t->read_only));
        json_array_append_new(tiers, e);
    }
    json_object_set_new(o, "memory", tiers);
    json_t *lv = json_array();
    for (int i = 0; i < s->n_levels; i++) {
        const net_level_t *l = &s->level[i];
        json_t *e = json_object();
        json_object_set_new(e, "name", json_string(l->name));
        json_object_set_new(e, "domain_chips", json_integer(l->domain_chips));
        json_object_set_new(e, "bandwidth_Bps", json_real(l->bw_Bps));
        json_object_set_new(e, "topology", json_string(topology_names[l->topology]));
        json_object_set_new(e, "hop_latency_s", json_real(l->hop_latency_s));
        json_object_set_new(e, "in_network_reduction", json_boolean(l->in_network_reduction));
        json_array_append_new(lv, e);
    }
    json_object_set_new(o, "interconnect", lv);
    json_object_set_new(o, "tdp_W", json_real(s->tdp_W));
    json_object_set_new(o, "chip_usd", json_real(s->chip_usd));
    json_object_set_new(o, "ridge_bf16_flop_per_byte", json_real(system_peak_flops(s, CC_BF16, NULL) / s->tier[0].bw_Bps));
    return o;
}

int cmd_models(int argc, char **argv)
{
    int help, json = want_json(argc, argv, &help);
    if (help) {
        printf("usage: infersim models [--json]\n  lists the model presets in %s/models\n", catalog_data_dir());
        return EXIT_OK;
    }
    char names[CATALOG_MAX][CATALOG_NAME];
    int n = catalog_list(CATALOG_MODELS, names, CATALOG_MAX);
    json_t *arr = json ? json_array() : NULL;
    if (!json)
        printf("%-18s %-28s %12s %12s %7s %14s\n", "name", "architecture", "params", "active", "layers", "KV/token bf16");
    precision_t bf16;
    precision_parse("bf16", &bf16);
    int rc = EXIT_OK;
    for (int i = 0; i < n; i++) {
        diag_t d;
        diag_clear(&d);
        model_t m;
        status_t st = cli_load_model(names[i], &m, &d);
        if (st != IS_OK) {
            rc = cli_fail(st, &d);
            continue;
        }
        if (json) {
            json_array_append_new(arr, cli_model_json(&m));
        } else {
            char a[32], b[32], c[32];
            printf("%-18s %-28s %12s %12s %7d %14s\n", names[i], m.architecture, fmt_count(model_params_total(&m), a, sizeof a),
                   fmt_count(model_params_active(&m), b, sizeof b), m.n_layers,
                   fmt_bytes(model_kv_bytes_per_token(&m, &bf16), c, sizeof c));
        }
    }
    if (json)
        cli_print_json(arr);
    return rc;
}

int cmd_systems(int argc, char **argv)
{
    int help, json = want_json(argc, argv, &help);
    if (help) {
        printf("usage: infersim systems [--json]\n  lists the system presets in %s/systems\n", catalog_data_dir());
        return EXIT_OK;
    }
    char names[CATALOG_MAX][CATALOG_NAME];
    int n = catalog_list(CATALOG_SYSTEMS, names, CATALOG_MAX);
    json_t *arr = json ? json_array() : NULL;
    if (!json)
        printf("%-16s %-10s %-24s %10s %11s %10s %10s %8s %9s\n", "name", "class", "chip", "memory", "bandwidth",
               "bf16 TF/s", "fp8 TF/s", "domain", "storage");
    int rc = EXIT_OK;
    for (int i = 0; i < n; i++) {
        diag_t d;
        diag_clear(&d);
        system_t s;
        status_t st = cli_load_system(names[i], &s, &d);
        if (st != IS_OK) {
            rc = cli_fail(st, &d);
            continue;
        }
        if (json) {
            json_array_append_new(arr, cli_system_json(&s));
        } else {
            /* memory: the tiers weights and KV live in; storage: spill_only tiers (a phone's UFS) */
            char a[32], b[32], c[32] = "-";
            double bw = 0, cap = 0, store = 0;
            for (int t = 0; t < s.n_tiers; t++) {
                if (s.tier[t].spill_only) {
                    store += s.tier[t].capacity_B;
                } else {
                    bw += s.tier[t].bw_Bps;
                    cap += s.tier[t].capacity_B;
                }
            }
            if (store > 0)
                fmt_bytes(store, c, sizeof c);
            char dom[16] = "-";
            if (s.n_levels)
                snprintf(dom, sizeof dom, "%d", s.level[0].domain_chips);
            printf("%-16s %-10s %-24.24s %10s %9s/s %10.1f %10.1f %8s %9s\n", names[i], s.klass, s.chip_name,
                   fmt_bytes(cap, a, sizeof a), fmt_bytes(bw, b, sizeof b),
                   system_peak_flops(&s, CC_BF16, NULL) / 1e12, s.peak_flops[CC_FP8] / 1e12, dom, c);
        }
    }
    if (json)
        cli_print_json(arr);
    return rc;
}

static void show_model_text(const model_t *m)
{
    json_t *o = cli_model_json(m);
    char a[32], b[32];
    printf("%s (%s, model_type %s)\n", m->name, m->architecture, m->model_type);
    printf("  config          %s\n", m->path);
    printf("  shape           hidden %d, %d layers, %d heads (%d KV heads, head dim %d), vocab %d\n", m->hidden,
           m->n_layers, m->n_heads, m->n_kv_heads, m->head_dim, m->vocab);
    if (m->attn == ATTN_MLA)
        printf("  attention       MLA: latent %d + rope %d cached per token per layer; q_lora %d\n", m->kv_lora_rank,
               m->qk_rope_dim, m->q_lora_rank);
    else
        printf("  attention       %s\n", m->n_kv_heads == m->n_heads ? "multi-head" : "grouped-query");
    if (m->n_experts)
        printf("  experts         %d routed (top %d, width %d), %d shared (width %d)\n", m->n_experts, m->top_k,
               m->moe_intermediate, m->n_shared_experts, m->shared_intermediate);
    else
        printf("  MLP             width %d\n", m->intermediate);
    for (int c = 0; c < m->n_classes; c++)
        printf("  layers          %d x %s attention, %s FFN\n", m->classes[c].count,
               m->classes[c].window ? (snprintf(a, sizeof a, "window %d", m->classes[c].window), a) : "full",
               m->classes[c].moe ? "MoE" : "dense");
    printf("  parameters      %s total, %s active per token\n", fmt_count(json_real_value(json_object_get(o, "params_total")), a, sizeof a),
           fmt_count(json_real_value(json_object_get(o, "params_active")), b, sizeof b));
    printf("  weights         %s as published (%s%s%s), %s in bf16\n",
           fmt_bytes(json_real_value(json_object_get(o, "weight_bytes_native")), a, sizeof a), m->native_weights.name,
           strcmp(m->native_experts.name, m->native_weights.name) ? ", experts " : "",
           strcmp(m->native_experts.name, m->native_weights.name) ? m->native_experts.name : "",
           fmt_bytes(json_real_value(json_object_get(o, "weight_bytes_bf16")), b, sizeof b));
    printf("  KV cache (bf16) %s per token; %s for a 32k-token sequence\n",
           fmt_bytes(json_real_value(json_object_get(o, "kv_bytes_per_token_bf16")), a, sizeof a),
           fmt_bytes(json_real_value(json_object_get(o, "kv_bytes_at_32k_bf16")), b, sizeof b));
    printf("  decode FLOPs    %.3g per token at context 0, %.3g at context 4096\n",
           json_real_value(json_object_get(o, "decode_flops_per_token_ctx0")),
           json_real_value(json_object_get(o, "decode_flops_per_token_ctx4096")));
    printf("  max context     %d tokens\n", m->max_context);
    json_decref(o);
}

static void show_system_text(const system_t *s)
{
    char a[32], b[32];
    printf("%s: %s\n", s->name, s->description);
    printf("  class           %s\n  chip            %s, %.2f GHz, %s on-chip SRAM\n", s->klass, s->chip_name,
           s->clock_Hz / 1e9, fmt_bytes(s->sram_B, a, sizeof a));
    printf("  dense peak     ");
    for (int c = 0; c < CC_COUNT; c++)
        if (s->peak_flops[c] > 0)
            printf(" %s %.1f TF/s", compute_class_names[c], s->peak_flops[c] / 1e12);
    printf("\n  achievable      %.0f%% of peak on large GEMMs", 100 * s->compute_eff);
    for (int c = 0; c < CC_COUNT; c++)
        if (s->compute_eff_by[c] > 0)
            printf(", %.0f%% in %s", 100 * s->compute_eff_by[c], compute_class_names[c]);
    if (s->gemv_eff > 0)
        printf(", %.0f%% on one token (GEMV)", 100 * s->gemv_eff);
    if (s->mixed_eff > 0)
        printf(", %.0f%% with narrower weights converted in registers (W4A16%s)", 100 * s->mixed_eff,
               s->mixed_fp_native ? "; fp4 weights with fp8 activations run natively" : "");
    printf("\n");
    if (s->exp_rate > 0)
        printf("  softmax         %.0f G exponentials/s\n", s->exp_rate / 1e9);
    for (int i = 0; i < s->n_tiers; i++) {
        const mem_tier_t *t = &s->tier[i];
        printf("  memory tier %d   %s: %s, %s/s (%.0f%% achievable), %.0f ns, %.0f-byte access%s\n", i, t->name,
               fmt_bytes(t->capacity_B, a, sizeof a), fmt_bytes(t->bw_Bps, b, sizeof b), 100 * t->efficiency,
               t->latency_s * 1e9, t->access_B, t->read_only ? ", read-only" : "");
    }
    for (int i = 0; i < s->n_levels; i++) {
        const net_level_t *l = &s->level[i];
        char dom[16];
        snprintf(dom, sizeof dom, "%d", l->domain_chips);
        printf("  interconnect %d  %s: %s chips, %s, %s/s per direction, hop %.0f ns%s\n", i, l->name,
               l->domain_chips ? dom : "any number of", topology_names[l->topology], fmt_bytes(l->bw_Bps, a, sizeof a),
               l->hop_latency_s * 1e9, l->in_network_reduction ? ", in-network reduction" : "");
    }
    printf("  ridge point     %.0f FLOP/byte (bf16 peak over tier-0 bandwidth)\n",
           system_peak_flops(s, CC_BF16, NULL) / s->tier[0].bw_Bps);
    printf("  software        %.1f us per kernel, %.1f us per collective, %s reserved\n", s->kernel_overhead_s * 1e6,
           s->collective_launch_s * 1e6, fmt_bytes(s->reserved_B, a, sizeof a));
    if (s->tdp_W > 0)
        printf("  power           TDP %.0f W, idle %.0f W\n", s->tdp_W, s->idle_W);
    if (s->chip_usd > 0)
        printf("  price           $%.0f per chip\n", s->chip_usd);
}

int cmd_show(int argc, char **argv)
{
    int help, json = want_json(argc, argv, &help);
    const char *what = NULL, *name = NULL;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-')
            continue;
        if (!what) what = argv[i];
        else if (!name) name = argv[i];
    }
    if (help || !what || !name) {
        fprintf(help ? stdout : stderr, "usage: infersim show model NAME|PATH [--json]\n"
                                        "       infersim show system NAME|PATH [--json]\n");
        return help ? EXIT_OK : EXIT_INPUT;
    }
    diag_t d;
    diag_clear(&d);
    status_t st;
    if (!strcmp(what, "model")) {
        model_t m;
        if ((st = cli_load_model(name, &m, &d)) != IS_OK)
            return cli_fail(st, &d);
        if (json) cli_print_json(cli_model_json(&m));
        else show_model_text(&m);
    } else if (!strcmp(what, "system")) {
        system_t s;
        if ((st = cli_load_system(name, &s, &d)) != IS_OK)
            return cli_fail(st, &d);
        if (json) cli_print_json(cli_system_json(&s));
        else show_system_text(&s);
    } else {
        fprintf(stderr, "infersim: error: show: expected \"model\" or \"system\", got \"%s\"\n", what);
        return EXIT_INPUT;
    }
    cli_warnings(&d);
    return EXIT_OK;
}

int cmd_sites(int argc, char **argv)
{
    int help, json = want_json(argc, argv, &help);
    if (help) {
        printf("usage: infersim sites [--json]\n  lists the site presets in %s/sites\n", catalog_data_dir());
        return EXIT_OK;
    }
    char names[CATALOG_MAX][CATALOG_NAME];
    int n = catalog_list(CATALOG_SITES, names, CATALOG_MAX);
    json_t *arr = json ? json_array() : NULL;
    if (!json)
        printf("%-16s %5s %10s %12s %7s %6s\n", "name", "PUE", "USD/kWh", "gCO2e/kWh", "years", "util");
    int rc = EXIT_OK;
    for (int i = 0; i < n; i++) {
        diag_t d;
        diag_clear(&d);
        char path[4096];
        site_t s;
        status_t st = catalog_resolve(CATALOG_SITES, names[i], path, sizeof path, &d);
        if (st == IS_OK)
            st = site_load(path, &s, &d);
        if (st != IS_OK) {
            rc = cli_fail(st, &d);
            continue;
        }
        double kwh = 3.6e6, year = 31557600.0;
        if (json) {
            json_t *o = json_object();
            json_object_set_new(o, "name", json_string(s.name));
            json_object_set_new(o, "pue", json_real(s.pue));
            json_object_set_new(o, "electricity_usd_per_kWh", json_real(s.usd_per_J * kwh));
            json_object_set_new(o, "grid_gCO2e_per_kWh", json_real(s.gco2e_per_J * kwh));
            json_object_set_new(o, "amortization_years", json_real(s.amortization_s / year));
            json_object_set_new(o, "utilization", json_real(s.utilization));
            json_array_append_new(arr, o);
        } else {
            printf("%-16s %5.2f %10.3f %12.0f %7.1f %5.0f%%\n", s.name, s.pue, s.usd_per_J * kwh, s.gco2e_per_J * kwh,
                   s.amortization_s / year, 100 * s.utilization);
        }
    }
    if (json)
        cli_print_json(arr);
    return rc;
}
