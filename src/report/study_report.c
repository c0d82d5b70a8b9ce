/*
 * study_report.c — Markdown, JSON and SVG of the paper study.
 */
#include "study_report.h"

#include "../io/fileutil.h"
#include "md_html.h"
#include "svg.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static double num(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : "";
}

void study_report_verdicts(FILE *f, const json_t *study)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(study, "verdicts"), i, v)
        fprintf(f, "- **%s** — %s. %s.\n", str(v, "claim"), str(v, "verdict"), str(v, "numbers"));
}

static void fmt(char *b, size_t cap, double x, const char *f)
{
    if (isnan(x))
        snprintf(b, cap, "-");
    else
        snprintf(b, cap, f, x);
}

static void markdown(FILE *f, const json_t *st)
{
    size_t i, j;
    json_t *r, *w;
    char a[32], b[32], c[32], e[32], g[32], h[32];
    fprintf(f, "# The paper study\n\n*%s* — each claim put to infersim's model. Every number below is computed from "
               "the presets (data/systems, data/models) and the paper's Table 3 (data/paper/technologies.yaml); "
               "costs at the site `%s`.\n\n## Verdicts\n\n", str(st, "paper"), str(st, "site"));
    study_report_verdicts(f, st);
    fprintf(f, "\nNot modelled yet: %s.\n", str(st, "not_modelled_yet"));

    fprintf(f, "\n## 1. Arithmetic intensity against the ridge point\n\nLlama-3.1-70B at TP 8, 2048-token prompts "
               "(FLOP per byte of memory traffic per chip). ![intensity](fig-intensity.svg)\n\n"
               "| system | weights | ridge | prefill | decode b=1 | b=16 | b=64 | b=256 | GEMMs compute-bound from batch |\n"
               "|---|---|---|---|---|---|---|---|---|\n");
    json_array_foreach(json_object_get(st, "intensity"), i, r) {
        json_t *dd = json_object_get(r, "decode_flop_per_byte_by_batch");
        fmt(a, sizeof a, num(r, "ridge_flop_per_byte"), "%.0f");
        fmt(b, sizeof b, num(r, "prefill_flop_per_byte"), "%.0f");
        fmt(c, sizeof c, num(dd, "1"), "%.1f");
        fmt(e, sizeof e, num(dd, "16"), "%.1f");
        fmt(g, sizeof g, num(dd, "64"), "%.1f");
        fmt(h, sizeof h, num(dd, "256"), "%.1f");
        fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %.0f |\n", str(r, "system"), str(r, "weights"), a, b, c, e,
                g, h, num(r, "decode_compute_bound_from_batch"));
    }
    json_t *kv = json_object_get(st, "kv_cache");
    fprintf(f, "\nKV cache of one Llama-3.1-70B sequence (bf16): %.2f GB at 1k tokens, %.2f GB at 8k, %.1f GB at 64k.\n",
            num(kv, "kv_bytes_1k") / 1e9, num(kv, "kv_bytes_8k") / 1e9, num(kv, "kv_bytes_64k") / 1e9);

    fprintf(f, "\n## 2. Memory technologies (paper, Table 3)\n\n| device | GB | GB/s | W | GB/s per W | GB per W | read unit (B) | "
               "seconds to read it all |\n|---|---|---|---|---|---|---|---|\n");
    json_array_foreach(json_object_get(st, "memory_technologies"), i, r)
        fprintf(f, "| %s | %.0f | %.0f | %.0f | %.1f | %.2f | %.0f | %.3f |\n", str(r, "device"), num(r, "capacity_GB"),
                num(r, "bandwidth_GBps"), num(r, "power_W"), num(r, "GBps_per_W"), num(r, "GB_per_W"), num(r, "read_B"),
                num(r, "seconds_to_read_all"));

    fprintf(f, "\n## 3. The directions\n\nEach direction is built from today's system by its mechanism: an HBF stack "
               "beside the HBM holding the weights (KV cache stays in HBM); logic on the memory stack (more bandwidth, "
               "less energy per bit, a thermal cap on the logic that lowers its clock); interconnect hop, switch and "
               "launch latency halved; logic near the memory (PNM: a quarter of the GPU's FLOPs, 24 GB units) or in it "
               "(PIM: DRAM-process logic, 48 MB banks), each operator offloaded only where that is faster. Fewest chips: "
               "the smallest power of two that holds the model and one request; throughput at the largest batch that "
               "fits on them. The collective columns count a batch-1 decode step's link traversals (hops on each "
               "collective's critical path, times its calls) and the bytes each chip sends: what fewer chips save. "
               "The combined row leaves PNM and PIM out: 3D stacking already puts logic on the memory's base die, and "
               "PIM would replace that memory. ![directions](fig-directions.svg)\n");
    json_array_foreach(json_object_get(st, "directions"), i, w) {
        fprintf(f, "\n### %s (on %s)\n\n| direction | fewest chips | TTFT b=1 (s) | TPOT b=1 (ms) | tok/s per chip | "
                   "tok/s per W | tokens per $ | tokens per kg CO2e | interconnect latency share of decode | "
                   "collective hops per decode step | collective MB per chip per step |\n"
                   "|---|---|---|---|---|---|---|---|---|---|---|\n", str(w, "title"), str(w, "base_system"));
        json_array_foreach(json_object_get(w, "directions"), j, r) {
            fmt(a, sizeof a, num(r, "ttft_batch1_s"), "%.3f");
            fmt(b, sizeof b, num(r, "tpot_batch1_s") * 1e3, "%.2f");
            fmt(c, sizeof c, num(r, "output_tok_s_per_chip"), "%.0f");
            fmt(e, sizeof e, num(r, "tok_s_per_W"), "%.3f");
            fmt(g, sizeof g, num(r, "tokens_per_usd"), "%.3g");
            fmt(h, sizeof h, num(r, "tokens_per_kgco2e"), "%.3g");
            char l[32], hp[32], mbs[32];
            fmt(l, sizeof l, 100 * num(r, "decode_net_latency_share"), "%.0f%%");
            fmt(hp, sizeof hp, num(r, "decode_collective_hops"), "%.0f");
            fmt(mbs, sizeof mbs, num(r, "decode_collective_bytes_per_chip") / 1e6, "%.2f");
            fprintf(f, "| %s | %.0f | %s | %s | %s | %s | %s%s | %s | %s | %s | %s |\n", str(r, "title"),
                    num(r, "fewest_chips"), a, b, c, e, g, json_object_get(r, "price_note") ? " *" : "", h, l, hp, mbs);
        }
        fprintf(f, "\n\\* %s\n", "PIM memory has no commodity price: its DRAM is priced as the base memory's, so its "
                                    "tokens per $ is an upper bound.");
    }
    fprintf(f, "\n## 4. The AI trends: what binds\n\nOn H200s (fp8), at the largest batch that fits on the fewest chips.\n\n"
               "| trend | model | workload | fewest H200 | decode bound by | prefill bound by | prefill share of time | "
               "KV share of memory | TTFT (s) |\n|---|---|---|---|---|---|---|---|---|\n");
    json_array_foreach(json_object_get(st, "trends"), i, r) {
        fmt(a, sizeof a, 100 * num(r, "prefill_time_share"), "%.0f%%");
        fmt(b, sizeof b, 100 * num(r, "kv_share_of_memory"), "%.0f%%");
        fmt(c, sizeof c, num(r, "ttft_s"), "%.2f");
        fprintf(f, "| %s | %s | %s | %.0f | %s | %s | %s | %s | %s |\n", str(r, "trend"), str(r, "model"),
                str(r, "workload"), num(r, "fewest_h200"), str(r, "decode_bound"), str(r, "prefill_bound"), a, b, c);
    }
    const json_t *mob = json_array_get(json_object_get(st, "mobile"), 0);
    fprintf(f, "\n## 5. Mobile\n\nA Snapdragon 8 Gen 3 phone, q4_0 weights, 512-token prompt, batch 1. Weights in flash "
               "are read from the phone's storage (the preset's `%s` tier: %.1f GB/s peak, %.1f GB/s sustained, "
               "%.0f pJ/bit), all of them, without LLM in a flash's prediction of which rows a token needs. With PIM, "
               "the LPDDR's banks compute the decode GEMVs and attention where that is faster.\n\n",
            str(mob, "flash_tier"), num(mob, "flash_peak_GBps"), num(mob, "flash_GBps"), num(mob, "flash_pJ_per_bit"));
    fprintf(f, 
               "| model | weights in | fits | decode tok/s | prefill tok/s | J per token (chip) | tokens per battery charge |\n"
               "|---|---|---|---|---|---|---|\n");
    json_array_foreach(json_object_get(st, "mobile"), i, r) {
        fmt(a, sizeof a, num(r, "decode_tok_s"), "%.2f");
        fmt(b, sizeof b, num(r, "prefill_tok_s"), "%.1f");
        fmt(c, sizeof c, num(r, "joules_per_token"), "%.3f");
        fmt(e, sizeof e, num(r, "tokens_per_charge"), "%.0f");
        fprintf(f, "| %s | %s | %s | %s | %s | %s | %s |\n", str(r, "model"), str(r, "weights_in"),
                json_is_true(json_object_get(r, "fits")) ? "yes" : "no", a, b, c, e);
    }
}

static void markdown_pim(FILE *f, const json_t *st)
{
    size_t i;
    json_t *r, *p = json_object_get(st, "pim_pnm");
    fprintf(f, "\n## 6. Processing in memory against processing near memory\n\nShards of real models in fp8: PIM banks "
               "hold tens of MB, PNM units tens of GB.\n\n| model | fp8 weights (GB) | PIM shards | PNM shards |\n"
               "|---|---|---|---|\n");
    json_array_foreach(json_object_get(p, "shards"), i, r)
        fprintf(f, "| %s | %.1f | %.0f | %.0f |\n", str(r, "model"), num(r, "weight_bytes_fp8") / 1e9, num(r, "pim_shards"),
                num(r, "pnm_shards"));
    const json_t *sh = json_object_get(p, "sharding");
    fprintf(f, "\nOn %s: its weight operators cut into %.0f PIM bank-sized pieces or kept whole in %.0f PNM operators; "
               "each token's activations cross the memory interface to reach them, %.2f MB a token for PIM and %.2f MB "
               "for PNM.\n",
            str(sh, "model"), num(sh, "pim_banks_per_chip"), num(sh, "pnm_units_per_chip"),
            num(sh, "pim_broadcast_bytes_per_token") / 1e6, num(sh, "pnm_broadcast_bytes_per_token") / 1e6);
    fprintf(f, "\nDecode step (512-token prompts, 128 out): weight GEMMs and attention run in the memory's logic where "
               "their data sits and that is faster; inputs are broadcast to every shard and outputs gathered.\n\n| model | system | batch | "
               "TPOT today (ms) | with PNM (ms) | with PIM (ms) |\n|---|---|---|---|---|---|\n");
    json_array_foreach(json_object_get(p, "decode"), i, r)
        fprintf(f, "| %s | %s | %.0f | %.2f | %.2f | %.2f |\n", str(r, "model"), str(r, "system"), num(r, "batch"),
                num(r, "tpot_today_s") * 1e3, num(r, "tpot_pnm_s") * 1e3, num(r, "tpot_pim_s") * 1e3);
}

static void markdown_interconnect(FILE *f, const json_t *st)
{
    size_t i, k;
    json_t *r, *e;
    fprintf(f, "\n## 7. Interconnect: when latency beats bandwidth\n\nLlama-3.1-405B's tensor-parallel all-reduce "
               "(its 16,384-wide residual stream in bf16: 32 KB a token) for one decode token, a batch of 64 and an "
               "8192-token prefill chunk: the fastest algorithm, its link hops, the call's time and its latency share. "
               "Below the break-even size the latency terms (launch, hops, switches, landing) outweigh the bytes.\n\n"
               "| group | level | break-even | 1 token | 64 tokens | 8192 tokens |\n|---|---|---|---|---|---|\n");
    json_array_foreach(json_object_get(st, "interconnect"), i, r) {
        fprintf(f, "| %s | %s | %.0f kB |", str(r, "group"), str(r, "level"), num(r, "break_even_bytes") / 1e3);
        json_array_foreach(json_object_get(r, "messages"), k, e)
            fprintf(f, " %s, %.0f hops: %.1f us, %.0f%% latency |", str(e, "algorithm"), num(e, "hops"),
                    num(e, "time_s") * 1e6, 100 * num(e, "latency_share"));
        fprintf(f, "\n");
    }
}

/* The report's Markdown, rendered once (report.md and index.html are both made of it). */
typedef struct md_text {
    char *buf;
    size_t len;
} md_text_t;

static status_t write_file(const char *dir, const char *name, int kind, const json_t *st, const md_text_t *md,
                           diag_t *d)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    atomic_file_t af;
    status_t s = atomic_open(&af, path, d);
    if (s != IS_OK)
        return s;
    if (kind == 0) {
        fwrite(md->buf, 1, md->len, af.fp);
    } else if (kind == 1) {
        char *t = json_dumps(st, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
        if (t) {
            fputs(t, af.fp);
            fputc('\n', af.fp);
            free(t);
        }
    } else if (kind == 2) {
        /* decode intensity against batch (it depends on the weights' format, not the chip),
         * against each chip's ridge point */
        static double xs[2][4], ys[2][4], rx[SVG_MAX_SERIES][2], ry[SVG_MAX_SERIES][2];
        static char names[SVG_MAX_SERIES][64];
        svg_plot_t p = {.title = "Llama-3.1-70B decode intensity against the ridge points (TP 8)",
                        .x_label = "batch (sequences)", .y_label = "arithmetic intensity (FLOP per byte)",
                        .log_x = 1, .log_y = 1, .legend_bottom_right = 1};
        size_t i;
        json_t *r;
        const char *bs[4] = {"1", "16", "64", "256"};
        double bv[4] = {1, 16, 64, 256};
        int have_fp8 = 0, have_bf16 = 0;
        json_array_foreach(json_object_get(st, "intensity"), i, r) {
            int fp8 = !strcmp(str(r, "weights"), "fp8");
            if ((fp8 && !have_fp8) || (!fp8 && !have_bf16)) {
                int k0 = fp8 ? 0 : 1;
                json_t *dd = json_object_get(r, "decode_flop_per_byte_by_batch");
                for (int k = 0; k < 4; k++) {
                    xs[k0][k] = bv[k];
                    ys[k0][k] = num(dd, bs[k]);
                }
                p.series[p.n_series++] = (svg_series_t){fp8 ? "decode step, fp8 weights" : "decode step, bf16 weights",
                                                        xs[k0], ys[k0], 4, 1};
                *(fp8 ? &have_fp8 : &have_bf16) = 1;
            }
        }
        json_array_foreach(json_object_get(st, "intensity"), i, r) {
            if (p.n_series >= SVG_MAX_SERIES)
                break;
            int n = p.n_series;
            rx[n][0] = 1;
            rx[n][1] = 256;
            ry[n][0] = ry[n][1] = num(r, "ridge_flop_per_byte");
            snprintf(names[n], sizeof names[n], "ridge point, %s (%s)", str(r, "system"), str(r, "weights"));
            p.series[p.n_series++] = (svg_series_t){names[n], rx[n], ry[n], 2, 1};
        }
        svg_write(af.fp, &p);
    } else {
        /* per-user speed against throughput per chip, one point per direction (Llama-3.1-405B) */
        static double xs[8][1], ys[8][1];
        svg_plot_t p = {.title = "Llama-3.1-405B: the paper's directions",
                        .x_label = "batch-1 decode speed (tokens/s per user)",
                        .y_label = "throughput at the largest batch (tokens/s per chip)", .log_x = 1, .log_y = 1};
        static char names[8][64];
        size_t i;
        json_t *r;
        json_t *w = json_array_get(json_object_get(st, "directions"), 0);
        json_array_foreach(json_object_get(w, "directions"), i, r) {
            if (p.n_series >= SVG_MAX_SERIES)
                break;
            double tpot = num(r, "tpot_batch1_s");
            xs[p.n_series][0] = tpot > 0 ? 1 / tpot : NAN;
            ys[p.n_series][0] = num(r, "output_tok_s_per_chip");
            snprintf(names[p.n_series], sizeof names[0], "%s", str(r, "title"));
            p.series[p.n_series] = (svg_series_t){names[p.n_series], xs[p.n_series], ys[p.n_series], 1, 0};
            p.n_series++;
        }
        svg_write(af.fp, &p);
    }
    return atomic_commit(&af, d);
}

/* index.html: the report as one page, its figures inline (written after them). */
static status_t write_html(const char *dir, const md_text_t *md, diag_t *d)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/index.html", dir);
    atomic_file_t af;
    status_t s = atomic_open(&af, path, d);
    if (s == IS_OK) {
        if (md_to_html(af.fp, md->buf, md->len, "The paper study: Ma & Patterson (2026) against infersim", dir) != 0) {
            atomic_abort(&af);
            s = diag_error(d, path, 0, 0, NULL, "a figure of the report could not be read back");
        } else {
            s = atomic_commit(&af, d);
        }
    }
    return s;
}

status_t study_report_write(const json_t *st, const char *dir, diag_t *d)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return diag_error(d, dir, 0, 0, "--out", "cannot create the folder: %s", strerror(errno));
    md_text_t md = {NULL, 0};
    FILE *m = open_memstream(&md.buf, &md.len);
    if (!m)
        return diag_error(d, dir, 0, 0, NULL, "out of memory");
    markdown(m, st);
    markdown_pim(m, st);
    markdown_interconnect(m, st);
    if (fclose(m) != 0 || !md.buf) {
        free(md.buf);
        return diag_error(d, dir, 0, 0, NULL, "out of memory");
    }
    static const char *const names[] = {"report.md", "study.json", "fig-intensity.svg", "fig-directions.svg"};
    status_t s = IS_OK;
    for (int k = 0; k < 4 && s == IS_OK; k++)
        s = write_file(dir, names[k], k, st, &md, d);
    if (s == IS_OK)
        s = write_html(dir, &md, d);
    free(md.buf);
    return s;
}
