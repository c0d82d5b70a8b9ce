/*
 * probe.c — machine measurements (see probe.h).  Each figure is the best of a few
 * repetitions, the usual way to measure a sustained rate on a shared machine.
 */
#include "probe.h"

#include "kernels.h"
#include "pool.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vec.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- bandwidth: every thread sums its contiguous share of a large buffer ---- */

typedef struct bw_arg {
    const float *buf;
    size_t per_chunk;  /* floats per chunk */
    float sink[64];
} bw_arg_t;

static void bw_task(void *v, size_t b, size_t e)
{
    bw_arg_t *a = v;
    vf s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
    for (size_t c = b; c < e; c++) {
        const float *p = a->buf + c * a->per_chunk;
        for (size_t i = 0; i + 4 * VW <= a->per_chunk; i += 4 * VW) {
            vf x0, x1, x2, x3;
            memcpy(&x0, p + i, sizeof x0);
            memcpy(&x1, p + i + VW, sizeof x1);
            memcpy(&x2, p + i + 2 * VW, sizeof x2);
            memcpy(&x3, p + i + 3 * VW, sizeof x3);
            s0 += x0;
            s1 += x1;
            s2 += x2;
            s3 += x3;
        }
    }
    vf s = s0 + s1 + s2 + s3;
    a->sink[b % 64] += s[0] + s[VW - 1];
}

static double bandwidth(pool_t *p, const float *buf, size_t n_floats, int reps)
{
    bw_arg_t a;
    memset(&a, 0, sizeof a);
    a.buf = buf;
    size_t chunks = (size_t)pool_threads(p) * 16;
    a.per_chunk = n_floats / chunks / 64 * 64;
    double best = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        pool_for(p, chunks, 1, bw_task, &a);
        double t = now() - t0;
        double bw = (double)chunks * a.per_chunk * sizeof(float) / t;
        if (bw > best)
            best = bw;
    }
    return best;
}

/* ---- latency: a random cyclic chain of cache lines ---- */

static double latency(size_t bytes, long steps)
{
    size_t n = bytes / 64;
    size_t *next = aligned_alloc(64, n * 64);
    size_t *perm = malloc(sizeof(size_t) * n);
    if (!next || !perm) {
        free(next);
        free(perm);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    uint64_t s = 88172645463325252ull;
    for (size_t i = n - 1; i > 0; i--) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        size_t j = s % (i + 1);
        size_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (size_t i = 0; i < n; i++)
        next[perm[i] * 8] = perm[(i + 1) % n] * 8;
    size_t k = 0;
    for (long i = 0; i < steps / 4; i++) /* warm the TLB a little */
        k = next[k];
    double t0 = now();
    for (long i = 0; i < steps; i++)
        k = next[k];
    double t = now() - t0;
    volatile size_t sink = k;
    (void)sink;
    free(next);
    free(perm);
    return t / steps;
}

/* ---- FMA peak: 8 independent vector accumulators per thread ---- */

typedef struct fma_arg {
    long iters;
    float sink[64];
} fma_arg_t;

static void fma_task(void *v, size_t b, size_t e)
{
    fma_arg_t *a = v;
    for (size_t c = b; c < e; c++) {
        /* broadcasts, not element stores: element stores would pin the vectors to memory */
        const vf zero = {0};
        vf x0 = zero + 1.0f, x1 = zero + 2.0f, x2 = zero + 3.0f, x3 = zero + 4.0f;
        vf x4 = zero + 5.0f, x5 = zero + 6.0f, x6 = zero + 7.0f, x7 = zero + 8.0f;
        const vf m = zero + 0.999999f, k = zero + 1e-7f;
        const long iters = a->iters;
        for (long i = 0; i < iters; i++) {
            x0 = x0 * m + k;
            x1 = x1 * m + k;
            x2 = x2 * m + k;
            x3 = x3 * m + k;
            x4 = x4 * m + k;
            x5 = x5 * m + k;
            x6 = x6 * m + k;
            x7 = x7 * m + k;
        }
        vf s = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
        a->sink[c % 64] += s[0] + s[7];
    }
}

/* Best rate over reps runs of fn on one chunk per thread: ops_per_chunk / seconds. */
static double best_rate(pool_t *p, pool_fn fn, long iters, double ops_per_iter, int reps)
{
    fma_arg_t a;
    memset(&a, 0, sizeof a);
    a.iters = iters;
    size_t n = (size_t)pool_threads(p);
    double best = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        pool_for(p, n, 1, fn, &a);
        double rate = (double)n * iters * ops_per_iter / (now() - t0);
        if (rate > best)
            best = rate;
    }
    return best;
}

/* 8 chains x VW lanes x 2 FLOPs per FMA per iteration */
static double fma_peak(pool_t *p, long iters, int reps)
{
    return best_rate(p, fma_task, iters, 8.0 * VW * 2, reps);
}

/* ---- int8 and bf16 dot-product peaks, where the machine has instructions for them ---- */

#if defined(__AVX512VNNI__) || defined(__AVXVNNI__) || defined(__AVX2__)
#include <immintrin.h>
#define HAVE_INT8_PROBE 1
/* 8 independent chains of 256-bit int8 dot products: VNNI's vpdpbusd (32 multiply-adds),
 * or AVX2's vpmaddubsw + vpmaddwd + vpaddd (the same 32 multiply-adds in three instructions). */
static void int8_task(void *v, size_t b, size_t e)
{
    fma_arg_t *a = v;
    for (size_t c = b; c < e; c++) {
        __m256i x = _mm256_set1_epi8(3), y = _mm256_set1_epi8(5);
        __m256i acc[8];
        for (int k = 0; k < 8; k++)
            acc[k] = _mm256_set1_epi32(k);
        const long iters = a->iters;
        for (long i = 0; i < iters; i++) {
            for (int k = 0; k < 8; k++) {
#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
                acc[k] = _mm256_dpbusd_epi32(acc[k], x, y);
#elif defined(__AVXVNNI__)
                acc[k] = _mm256_dpbusd_avx_epi32(acc[k], x, y);
#else
                acc[k] = _mm256_add_epi32(acc[k], _mm256_madd_epi16(_mm256_maddubs_epi16(x, y), _mm256_set1_epi16(1)));
#endif
            }
            x = _mm256_add_epi8(x, y); /* a 1-cycle chain that keeps the products from being hoisted */
        }
        __m256i s = acc[0];
        for (int k = 1; k < 8; k++)
            s = _mm256_add_epi32(s, acc[k]);
        a->sink[c % 64] += (float)_mm256_extract_epi32(s, 0);
    }
}

/* 8 chains x 32 multiply-adds x 2 ops per iteration */
static double int8_peak(pool_t *p, long iters, int reps)
{
    return best_rate(p, int8_task, iters, 8.0 * 32 * 2, reps);
}
#else
#define HAVE_INT8_PROBE 0
#endif

static double read_cpuinfo(const char *key, char *out, size_t cap)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return 0;
    char line[512];
    double v = 0;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, kl) == 0) {
            char *c = strchr(line, ':');
            if (c) {
                c++;
                while (*c == ' ' || *c == '\t') c++;
                c[strcspn(c, "\n")] = '\0';
                if (out)
                    snprintf(out, cap, "%s", c);
                v = atof(c);
            }
            break;
        }
    }
    fclose(f);
    return v;
}

static double cache_size(int name)
{
    long v = sysconf(name);
    return v > 0 ? (double)v : 0;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median of n values (sorted in place): robust to a shared machine's hiccups. */
static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_dbl);
    return v[n / 2];
}

/* The median rate (weight bytes per second) of `n` (at most 7) decode GEMVs over W: what a
 * decode step sees on a shared machine, as measure reports it.  0 when out of memory. */
static double gemv_rate(pool_t *all, const wmat_t *W, int n)
{
    float *x = malloc(sizeof(float) * (size_t)W->cols), *y = malloc(sizeof(float) * (size_t)W->rows);
    double runs[7] = {0};
    if (n > 7)
        n = 7;
    if (x && y) {
        for (int i = 0; i < W->cols; i++)
            x[i] = 1.0f;
        for (int k = 0; k < n; k++) {
            double t0 = now();
            kern_matmul(all, W, x, W->cols, y, W->rows, 1);
            runs[k] = (double)W->rows * W->cols * wtype_bytes(W->type) / (now() - t0);
        }
    }
    free(x);
    free(y);
    return median(runs, (size_t)n);
}

/* One parallel dispatch as a decode GEMV pays it: the buffer read as matrices of 4 MiB
 * (1,024 x 1,024 fp32 weights), one call each and each call timed, against the time the same
 * bytes take at the kernel's streaming rate over the whole buffer (gemv_Bps, one call).  The
 * caller pulls row chunks while a worker asleep between calls wakes up, so part of the wake-up
 * is hidden; an empty task would count all of it, twice (the worker's, then the caller's).  The
 * median call's excess, at least 0: a shared machine's hiccups land on a few calls. */
static double dispatch_cost(pool_t *all, const float *buf, size_t n, double gemv_Bps, int runs)
{
    const int cols = 1024, rows = 1024;
    const size_t per = (size_t)rows * cols, calls = n / per;
    if (calls < 1 || runs < 1 || gemv_Bps <= 0)
        return 0.0;
    float *x = malloc(sizeof(float) * cols), *y = malloc(sizeof(float) * rows);
    double *t = malloc(sizeof(double) * calls * (size_t)runs);
    double excess = 0.0;
    if (x && y && t) {
        for (int i = 0; i < cols; i++)
            x[i] = 1.0f;
        size_t k = 0;
        for (int r = 0; r < runs; r++)
            for (size_t c = 0; c < calls; c++) {
                const wmat_t part = {WT_F32, rows, cols, (void *)(buf + c * per), NULL};
                double t0 = now();
                kern_matmul(all, &part, x, cols, y, rows, 1);
                t[k++] = now() - t0;
            }
        excess = median(t, k) - (double)per * sizeof(float) / gemv_Bps;
    }
    free(x);
    free(y);
    free(t);
    return excess > 0 ? excess : 0.0;
}

status_t probe_run(int threads, int quick, probe_result_t *r, diag_t *d)
{
    memset(r, 0, sizeof *r);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    r->cores = online > 0 ? (int)online : 1;
    r->threads = threads > 0 ? threads : r->cores;
    snprintf(r->cpu, sizeof r->cpu, "unknown CPU");
    read_cpuinfo("model name", r->cpu, sizeof r->cpu);
    r->clock_GHz = read_cpuinfo("cpu MHz", NULL, 0) / 1000.0;
    r->mem_total_B = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
#ifdef _SC_LEVEL1_DCACHE_SIZE
    r->l1_B = cache_size(_SC_LEVEL1_DCACHE_SIZE);
    r->l2_B = cache_size(_SC_LEVEL2_CACHE_SIZE);
    r->l3_B = cache_size(_SC_LEVEL3_CACHE_SIZE);
#endif
    pool_t *all = pool_create(r->threads), *one = pool_create(1);
    if (!all || !one) {
        pool_destroy(all);
        pool_destroy(one);
        return diag_error(d, NULL, 0, 0, NULL, "cannot start %d threads", r->threads);
    }
    /* a buffer far larger than the last-level cache: 8x L3 (virtual machines may report
     * the whole host's L3), at least 512 MiB (quick) or 1 GiB, at most 4 GiB.  quick 2 is a
     * smoke run (tests under sanitizers): every probe runs once on 16 MiB, and its figures
     * mean nothing */
    const int smoke = quick >= 2;
    size_t bytes = smoke ? (size_t)16 << 20 : quick ? (size_t)512 << 20 : (size_t)1 << 30;
    if (!smoke && r->l3_B * 8 > (double)bytes)
        bytes = (size_t)(r->l3_B * 8);
    if (bytes > ((size_t)4 << 30))
        bytes = (size_t)4 << 30;
    if ((double)bytes > r->mem_total_B / 4)
        bytes = (size_t)(r->mem_total_B / 4);
    size_t n = bytes / sizeof(float);
    float *buf = aligned_alloc(64, n * sizeof(float));
    if (!buf) {
        pool_destroy(all);
        pool_destroy(one);
        return diag_error(d, NULL, 0, 0, NULL, "cannot allocate %zu MiB for the bandwidth probe", bytes >> 20);
    }
    for (size_t i = 0; i < n; i++)
        buf[i] = (float)(i & 1023);
    const int reps = smoke ? 1 : quick ? 3 : 6, runs = smoke ? 1 : quick ? 3 : 7;
    r->bw_all_Bps = bandwidth(all, buf, n, reps);
    r->bw_one_Bps = bandwidth(one, buf, n, reps);
    /* the same bytes as a matrix for infersim's decode GEMV kernel: its streaming rate over
     * the raw read rate is the memory efficiency real kernels reach (per-row reductions,
     * a barrier per matrix, prefetchers restarting at each dispatch) */
    {
        wmat_t W = {WT_F32, (int)(n / 4096), 4096, buf, NULL};
        r->gemv_Bps = gemv_rate(all, &W, runs);
        r->dispatch_s = dispatch_cost(all, buf, n, r->gemv_Bps, smoke ? 1 : quick ? 2 : 4);
    }
    /* and on bf16 and int8 weights in the same buffer: converting each weight to fp32 in
     * registers costs instructions that compete with the stream on a CPU core (quick: half the
     * bytes, still four times the last-level cache, and three runs).  The values do not matter
     * to the time, only that none is a denormal or a NaN: every byte 0x11 (bf16 1.1e-28, int8 17) */
    {
        size_t fbytes = quick ? bytes / 2 : bytes;
        memset(buf, 0x11, fbytes);
        int rows8 = (int)(fbytes / 4096);
        float *scale = malloc(sizeof(float) * (size_t)rows8);
        if (!scale) {
            free(buf);
            pool_destroy(all);
            pool_destroy(one);
            return diag_error(d, NULL, 0, 0, NULL, "out of memory in the GEMV probe");
        }
        for (int i = 0; i < rows8; i++)
            scale[i] = 1.0f / 127;
        wmat_t B = {WT_BF16, (int)(fbytes / (2 * 4096)), 4096, buf, NULL};
        wmat_t I8 = {WT_I8, rows8, 4096, buf, scale};
        r->gemv_bf16_Bps = gemv_rate(all, &B, runs);
        r->gemv_int8_Bps = gemv_rate(all, &I8, runs);
        free(scale);
    }
    free(buf);
    /* a shared machine's noise can make the kernel's typical run beat the probe's best: the
     * sustained rate is the best either reached */
    if (r->gemv_Bps > r->bw_all_Bps)
        r->bw_all_Bps = r->gemv_Bps;
    r->latency_s = latency(smoke ? (size_t)4 << 20 : quick ? (size_t)64 << 20 : (size_t)256 << 20,
                           smoke ? 100000 : quick ? 2000000 : 8000000);
    long iters = smoke ? 100000 : quick ? 2000000 : 8000000;
    r->fp32_all_flops = fma_peak(all, iters, reps);
    r->fp32_one_flops = fma_peak(one, iters, reps);
#if HAVE_INT8_PROBE
    r->int8_all_ops = int8_peak(all, iters, reps);
#if defined(__AVX512VNNI__) || defined(__AVXVNNI__)
    snprintf(r->int8_isa, sizeof r->int8_isa, "VNNI vpdpbusd");
#else
    snprintf(r->int8_isa, sizeof r->int8_isa, "AVX2 vpmaddubsw+vpmaddwd");
#endif
#endif

    /* the prefill GEMM kernel: 1024 x 4096 fp32 weights against 64 tokens */
    wmat_t W;
    float *X = malloc(sizeof(float) * 64 * 4096), *Y = malloc(sizeof(float) * 64 * 1024);
    if (!X || !Y || wmat_alloc(&W, WT_F32, 1024, 4096, 7) != 0) {
        free(X);
        free(Y);
        pool_destroy(all);
        pool_destroy(one);
        return diag_error(d, NULL, 0, 0, NULL, "out of memory in the GEMM probe");
    }
    for (int i = 0; i < 64 * 4096; i++)
        X[i] = (float)((i * 37) % 101) / 101.0f;
    double best = 0;
    for (int k = 0; k < reps; k++) {
        double t0 = now();
        kern_matmul(all, &W, X, 4096, Y, 1024, 64);
        double t = now() - t0;
        double f = 2.0 * 1024 * 4096 * 64 / t;
        if (f > best)
            best = f;
    }
    wmat_free(&W);
    free(X);
    free(Y);
    r->gemm_flops = best;
    r->gemm_efficiency = r->fp32_all_flops > 0 ? best / r->fp32_all_flops : 0;
    if (r->gemm_efficiency > 1)
        r->gemm_efficiency = 1;

    pool_destroy(all);
    pool_destroy(one);
    return IS_OK;
}

/* A decode kernel's streaming rate over the raw read rate, in (0, 1] as the system file requires. */
static double weight_eff(const probe_result_t *r, double Bps)
{
    double e = r->bw_all_Bps > 0 ? Bps / r->bw_all_Bps : 1.0;
    return e > 1 ? 1.0 : e < 0.001 ? 0.001 : e;
}

int probe_system_yaml(const probe_result_t *r, const char *name, char *buf, size_t cap)
{
    char date[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    double sram = (r->l1_B + r->l2_B) * r->cores + r->l3_B;
    char int8_line[256] = "";
    if (r->int8_all_ops > 0)
        snprintf(int8_line, sizeof int8_line,
                 "    int8: %.6f  # [calibrate] int8 dot products (%s), 8 independent chains, %d threads\n",
                 r->int8_all_ops / 1e12, r->int8_isa, r->threads);
    /* the GEMV kernel's FLOP rate on one token (2 FLOPs a weight): at least the best rate at which
     * it streamed weights of any format, as it then also did their arithmetic */
    const struct {
        const char *fmt;
        double Bps, bytes;
    } streamed[3] = {{"fp32", r->gemv_Bps, 4}, {"bf16", r->gemv_bf16_Bps, 2}, {"int8", r->gemv_int8_Bps, 1}};
    double gemv_flops = 0;
    const char *gemv_fmt = "fp32";
    for (int k = 0; k < 3; k++)
        if (2 * streamed[k].Bps / streamed[k].bytes > gemv_flops) {
            gemv_flops = 2 * streamed[k].Bps / streamed[k].bytes;
            gemv_fmt = streamed[k].fmt;
        }
    double gemm_eff = r->gemm_efficiency > 0.01 ? r->gemm_efficiency : 0.01;
    double gemv_eff = r->fp32_all_flops > 0 ? gemv_flops / r->fp32_all_flops : gemm_eff;
    gemv_eff = gemv_eff > 1 ? 1 : gemv_eff < gemm_eff ? gemm_eff : gemv_eff;
    int n = snprintf(buf, cap,
        "# Written by `infersim calibrate` on %s: every number below was measured on this machine.\n"
        "name: %s\n"
        "description: \"%s, %d threads, as measured by infersim calibrate on %s\"  # [calibrate]\n"
        "class: cpu\n"
        "sources:\n"
        "  calibrate: \"infersim calibrate on this machine, %s (src/probe/probe.c)\"\n"
        "  proc: \"Linux /proc/cpuinfo, /proc/meminfo and sysconf on this machine\"\n"
        "\n"
        "chip:\n"
        "  name: \"%s\"\n"
        "  clock_GHz: %.3f  # [proc] cpu MHz of the first CPU at probe time\n"
        "  sram_MB: %.3f  # derived: (L1d %.0f kB + L2 %.0f kB) x %d CPUs + L3 %.0f kB [proc]\n"
        "  peak_TFLOPs:\n"
        "    fp32: %.6f  # [calibrate] FMA loop on 8 independent vectors, %d threads (one thread: %.6f)\n"
        "%s"
        "  compute_efficiency: %.3f  # [calibrate] infersim's GEMM kernel (1024x4096 x 64 tokens) at %.1f GFLOP/s over the FMA peak\n"
        "  gemv_efficiency: %.3f  # [calibrate] on one token the decode GEMV kernel computes at least as fast as it streamed %s weights: %.1f GFLOP/s over the FMA peak\n"
        "\n"
        "memory:\n"
        "  - name: dram\n"
        "    capacity_GB: %.3f  # [proc] physical memory\n"
        "    bandwidth_GBps: %.3f  # [calibrate] streaming read, %d threads (one thread: %.3f GB/s)\n"
        "    efficiency: %.3f  # [calibrate] infersim's decode GEMV kernel streams %.3f GB/s, this fraction of the raw read rate\n"
        "    weight_efficiency:  # decode kernels on weights in other formats, converted to fp32 in registers\n"
        "      bf16: %.3f  # [calibrate] infersim's decode GEMV kernel streams bf16 weights at %.3f GB/s\n"
        "      int8: %.3f  # [calibrate] ... and int8 weights with per-row scales at %.3f GB/s\n"
        "    latency_ns: %.1f  # [calibrate] dependent loads over a random 256 MiB chain\n"
        "    access_B: 64  # [proc] cache line\n"
        "    read_only: false\n"
        "\n"
        "software:\n"
        "  kernel_overhead_us: %.3f  # [calibrate] what one parallel dispatch of infersim's thread pool adds to a decode GEMV of 4 MiB (the median call's excess over its bytes at the streaming rate)\n"
        "  collective_launch_us: 0  # derived: one chip, no collectives\n"
        "  reserved_GB: 0  # derived: infersim measure allocates exactly what the model needs\n",
        date, name, r->cpu, r->threads, date, date, r->cpu, r->clock_GHz, sram / 1e6, r->l1_B / 1e3, r->l2_B / 1e3,
        r->cores, r->l3_B / 1e3, r->fp32_all_flops / 1e12, r->threads, r->fp32_one_flops / 1e12, int8_line,
        gemm_eff, r->gemm_flops / 1e9, gemv_eff, gemv_fmt, gemv_flops / 1e9,
        r->mem_total_B / 1e9,
        r->bw_all_Bps / 1e9, r->threads, r->bw_one_Bps / 1e9,
        weight_eff(r, r->gemv_Bps), r->gemv_Bps / 1e9,
        weight_eff(r, r->gemv_bf16_Bps), r->gemv_bf16_Bps / 1e9, weight_eff(r, r->gemv_int8_Bps),
        r->gemv_int8_Bps / 1e9, r->latency_s * 1e9, r->dispatch_s * 1e6);
    return n > 0 && (size_t)n < cap ? n : -1;
}
