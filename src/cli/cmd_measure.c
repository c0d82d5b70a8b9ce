/*
 * cmd_measure.c — `infersim calibrate` (measure this machine, write a system file) and
 * `infersim measure` (run a real transformer here, compare with the prediction).
 */
#include "cli.h"

#include "../analysis/measure.h"
#include "../io/fileutil.h"
#include "../io/system_yaml.h"
#include "../probe/probe.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Probe and turn the result into a parsed system (the same text a file would hold). */
static status_t calibrated_system(int threads, int quick, const char *name, probe_result_t *pr, char *yaml,
                                  size_t cap, system_t *s, diag_t *d)
{
    status_t st = probe_run(threads, quick, pr, d);
    if (st != IS_OK)
        return st;
    int n = probe_system_yaml(pr, name, yaml, cap);
    if (n < 0)
        return diag_error(d, NULL, 0, 0, NULL, "system file too long");
    return system_load_buffer(yaml, (size_t)n, "(calibrated)", s, d);
}

int cmd_calibrate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'}, {"name", required_argument, 0, 'n'},
        {"threads", required_argument, 0, 't'}, {"quick", no_argument, 0, 'q'},
        {"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
    };
    const char *out = "this-machine.yaml", *name = "this-machine";
    int threads = 0, quick = 0, json = 0, c;
    diag_t d;
    diag_clear(&d);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        status_t st = IS_OK;
        switch (c) {
        case 'o': out = optarg; break;
        case 'n': name = optarg; break;
        case 't': st = cli_int("--threads", optarg, 1, &threads, &d); break;
        case 'q': quick = 1; break;
        case 'j': json = 1; break;
        case 'h':
            printf("usage: infersim calibrate [--out FILE.yaml] [--name NAME] [--threads N] [--quick] [--json]\n\n"
                   "Measures this machine (memory bandwidth on all threads and one, memory latency, fp32 FMA peak,\n"
                   "infersim's GEMM kernel efficiency, parallel dispatch cost, caches) and writes a system file\n"
                   "(default ./this-machine.yaml) usable with --system.\n");
            return EXIT_OK;
        default:
            return cli_bad_option(opts, argv[optind - 1], "calibrate");
        }
        if (st != IS_OK)
            return cli_fail(st, &d);
    }
    probe_result_t pr;
    static char yaml[8192];
    static system_t s;
    status_t st = calibrated_system(threads, quick, name, &pr, yaml, sizeof yaml, &s, &d);
    if (st != IS_OK)
        return cli_fail(st, &d);
    atomic_file_t af;
    if ((st = atomic_open(&af, out, &d)) != IS_OK)
        return cli_fail(st, &d);
    fputs(yaml, af.fp);
    if ((st = atomic_commit(&af, &d)) != IS_OK)
        return cli_fail(st, &d);
    if (json) {
        json_t *o = json_object();
        json_object_set_new(o, "cpu", json_string(pr.cpu));
        json_object_set_new(o, "threads", json_integer(pr.threads));
        json_object_set_new(o, "bandwidth_all_GBps", json_real(pr.bw_all_Bps / 1e9));
        json_object_set_new(o, "bandwidth_one_GBps", json_real(pr.bw_one_Bps / 1e9));
        json_object_set_new(o, "gemv_GBps", json_real(pr.gemv_Bps / 1e9));
        json_object_set_new(o, "gemv_bf16_GBps", json_real(pr.gemv_bf16_Bps / 1e9));
        json_object_set_new(o, "gemv_int8_GBps", json_real(pr.gemv_int8_Bps / 1e9));
        json_object_set_new(o, "latency_ns", json_real(pr.latency_s * 1e9));
        json_object_set_new(o, "fp32_peak_all_GFLOPs", json_real(pr.fp32_all_flops / 1e9));
        json_object_set_new(o, "fp32_peak_one_GFLOPs", json_real(pr.fp32_one_flops / 1e9));
        json_object_set_new(o, "int8_peak_all_GOPs", json_real(pr.int8_all_ops / 1e9));
        json_object_set_new(o, "gemm_GFLOPs", json_real(pr.gemm_flops / 1e9));
        json_object_set_new(o, "gemm_efficiency", json_real(pr.gemm_efficiency));
        json_object_set_new(o, "dispatch_us", json_real(pr.dispatch_s * 1e6));
        json_object_set_new(o, "l1_bytes", json_real(pr.l1_B));
        json_object_set_new(o, "l2_bytes", json_real(pr.l2_B));
        json_object_set_new(o, "l3_bytes", json_real(pr.l3_B));
        json_object_set_new(o, "system_file", json_string(out));
        cli_print_json(o);
    } else {
        printf("%s, %d threads\n", pr.cpu, pr.threads);
        printf("  memory bandwidth   %.2f GB/s (all threads), %.2f GB/s (one thread)\n", pr.bw_all_Bps / 1e9,
               pr.bw_one_Bps / 1e9);
        printf("  decode GEMV kernel %.2f GB/s = %.0f%% of the raw read rate (fp32 weights); bf16 %.2f GB/s, "
               "int8 %.2f GB/s\n",
               pr.gemv_Bps / 1e9, 100 * pr.gemv_Bps / pr.bw_all_Bps, pr.gemv_bf16_Bps / 1e9, pr.gemv_int8_Bps / 1e9);
        printf("  memory latency     %.1f ns\n", pr.latency_s * 1e9);
        printf("  fp32 FMA peak      %.1f GFLOP/s (all threads), %.1f GFLOP/s (one thread)\n", pr.fp32_all_flops / 1e9,
               pr.fp32_one_flops / 1e9);
        if (pr.int8_all_ops > 0)
            printf("  int8 dot products  %.1f GOP/s (%s)\n", pr.int8_all_ops / 1e9, pr.int8_isa);
        printf("  GEMM kernel        %.1f GFLOP/s = %.0f%% of peak\n", pr.gemm_flops / 1e9, 100 * pr.gemm_efficiency);
        printf("  parallel dispatch  %.2f us\n", pr.dispatch_s * 1e6);
        printf("  caches             L1d %.0f kB, L2 %.0f kB per core; L3 %.0f kB\n", pr.l1_B / 1e3, pr.l2_B / 1e3,
               pr.l3_B / 1e3);
        printf("wrote %s (use it with --system %s)\n", out, out);
    }
    return EXIT_OK;
}

int cmd_measure(int argc, char **argv)
{
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'}, {"system", required_argument, 0, 's'},
        {"weights", required_argument, 0, 'w'}, {"isl", required_argument, 0, 'i'},
        {"osl", required_argument, 0, 'o'}, {"threads", required_argument, 0, 't'},
        {"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
    };
    const char *model = "llama-3.2-1b", *sysf = NULL, *weights = "int8";
    int isl = 128, osl = 32, threads = 0, json = 0, c;
    diag_t d;
    diag_clear(&d);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        status_t st = IS_OK;
        switch (c) {
        case 'm': model = optarg; break;
        case 's': sysf = optarg; break;
        case 'w': weights = optarg; break;
        case 'i': st = cli_int("--isl", optarg, 1, &isl, &d); break;
        case 'o': st = cli_int("--osl", optarg, 2, &osl, &d); break;
        case 't': st = cli_int("--threads", optarg, 1, &threads, &d); break;
        case 'j': json = 1; break;
        case 'h':
            printf("usage: infersim measure [--model NAME|PATH] [--weights int8|bf16|fp32] [--isl N] [--osl N]\n"
                   "                        [--threads N] [--system FILE.yaml] [--json]\n\n"
                   "Runs a real transformer (random weights, the model's exact shapes, real attention over a\n"
                   "real KV cache) on this CPU, times prefill and decode, predicts the same case on this machine\n"
                   "(calibrated now, or --system from infersim calibrate) and prints both and the error.\n"
                   "Defaults: llama-3.2-1b, int8, isl 128, osl 32, all threads.\n");
            return EXIT_OK;
        default:
            return cli_bad_option(opts, argv[optind - 1], "measure");
        }
        if (st != IS_OK)
            return cli_fail(st, &d);
    }
    static model_t m;
    static system_t s;
    status_t st = cli_load_model(model, &m, &d);
    if (st != IS_OK)
        return cli_fail(st, &d);
    if (sysf) {
        if ((st = cli_load_system(sysf, &s, &d)) != IS_OK)
            return cli_fail(st, &d);
    } else {
        probe_result_t pr;
        static char yaml[8192];
        if ((st = calibrated_system(threads, 1, "this-machine", &pr, yaml, sizeof yaml, &s, &d)) != IS_OK)
            return cli_fail(st, &d);
    }
    measure_result_t r;
    if ((st = measure_run(&m, &s, weights, isl, osl, threads, &r, &d)) != IS_OK)
        return cli_fail(st, &d);
    if (json) {
        json_t *o = json_object(), *dec = json_object(), *pre = json_object();
        json_object_set_new(o, "model", json_string(m.name));
        json_object_set_new(o, "weights", json_string(r.weights));
        json_object_set_new(o, "isl", json_integer(r.isl));
        json_object_set_new(o, "osl", json_integer(r.osl));
        json_object_set_new(o, "threads", json_integer(r.threads));
        /* the decode step is the headline comparison */
        json_object_set_new(o, "predicted_s", json_real(r.decode_predicted_s));
        json_object_set_new(o, "measured_s", json_real(r.decode_measured_s));
        json_object_set_new(o, "error", json_real(r.decode_error));
        json_object_set_new(o, "achieved_bandwidth_gbs", json_real(r.achieved_bw_Bps / 1e9));
        json_object_set_new(o, "calibrated_bandwidth_gbs", json_real(r.system_bw_Bps / 1e9));
        json_object_set_new(dec, "predicted_s", json_real(r.decode_predicted_s));
        json_object_set_new(dec, "measured_s", json_real(r.decode_measured_s));
        json_object_set_new(dec, "error", json_real(r.decode_error));
        json_object_set_new(o, "decode", dec);
        json_object_set_new(pre, "predicted_s", json_real(r.prefill_predicted_s));
        json_object_set_new(pre, "measured_s", json_real(r.prefill_measured_s));
        json_object_set_new(pre, "error", json_real(r.prefill_error));
        json_object_set_new(o, "prefill", pre);
        cli_print_json(o);
    } else {
        printf("%s with %s weights on %d threads of this machine (ISL %d, OSL %d)\n", m.name, r.weights, r.threads,
               r.isl, r.osl);
        printf("  %-8s %12s %12s %8s\n", "", "predicted", "measured", "error");
        printf("  %-8s %10.3f ms %10.3f ms %+7.1f%%   (per output token)\n", "decode", r.decode_predicted_s * 1e3,
               r.decode_measured_s * 1e3, 100 * r.decode_error);
        printf("  %-8s %10.3f ms %10.3f ms %+7.1f%%   (%d-token prompt)\n", "prefill", r.prefill_predicted_s * 1e3,
               r.prefill_measured_s * 1e3, 100 * r.prefill_error, r.isl);
        printf("  decode streams %.1f MB of %s weights per token: %.2f GB/s achieved, %.0f%% of the %.2f GB/s "
               "calibrated for them\n",
               r.weight_bytes / 1e6, weights, r.achieved_bw_Bps / 1e9, 100 * r.achieved_bw_Bps / r.system_bw_Bps,
               r.system_bw_Bps / 1e9);
    }
    return EXIT_OK;
}
