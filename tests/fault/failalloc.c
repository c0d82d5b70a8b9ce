/*
 * failalloc.c — a fault-injection allocator, linked into a test build of infersim
 * (build/fault/infersim): with INFERSIM_FAIL_ALLOC=N the N-th allocation (malloc, calloc,
 * realloc, counted from 1) fails; INFERSIM_ALLOC_COUNT=FILE writes the number of
 * allocations made at exit.  Defining the allocator in the executable interposes it for
 * every library the process uses (libfyaml, jansson, libc's stdio).  The allocations
 * that do not fail go on to the next allocator (dlsym RTLD_NEXT): LeakSanitizer's, since
 * the test build links it (-fsanitize=leak), so every run is also checked for leaks.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

static void *(*next_malloc)(size_t);
static void *(*next_calloc)(size_t, size_t);
static void *(*next_realloc)(void *, size_t);

/* dlsym can ask for memory while it resolves (glibc: calloc of its error state): that
 * comes from here and is never freed (a few bytes, once). */
static char boot[4096];
static size_t boot_used;
static __thread int resolving;

static void *boot_alloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (boot_used + n > sizeof boot)
        return NULL;
    void *p = boot + boot_used;
    boot_used += n;
    return p;
}

static void resolve(void)
{
    if (next_malloc || resolving)
        return;
    resolving = 1;
    next_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    next_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    next_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    resolving = 0;
}

static long fail_at = -1, count, base = -1;
static __thread int inside; /* dladdr may allocate */

/* libfyaml 0.8 dereferences NULL when an allocation made on its behalf fails (this test
 * found it, inside fy_document_build_from_string), and LeakSanitizer aborts when one made
 * inside its own thread set-up fails (pthread_getattr_np): an allocation with libfyaml or
 * liblsan anywhere on the call stack is counted but never failed. */
static int exempt(void)
{
    if (inside)
        return 1;
    inside = 1;
    void *frames[64];
    int n = backtrace(frames, 64), r = 0;
    for (int i = 0; i < n && !r; i++) {
        Dl_info info;
        r = dladdr(frames[i], &info) && info.dli_fname &&
            (strstr(info.dli_fname, "libfyaml") || strstr(info.dli_fname, "liblsan"));
    }
    inside = 0;
    return r;
}

/* Read once the libraries are set up (LeakSanitizer's start-up can allocate before getenv
 * works; the TLS library libmicrohttpd brings in allocates about 1,300 times in its own
 * constructor): allocations are counted from here, the executable's constructor, which
 * runs after every library's, and those before it are never failed. */
__attribute__((constructor)) static void setup(void)
{
    const char *e = getenv("INFERSIM_FAIL_ALLOC");
    fail_at = e ? atol(e) : -1;
    base = count;
}

static int fail_now(void)
{
    if (++count - base == fail_at && base >= 0 && !exempt()) {
        errno = ENOMEM; /* as the real allocator does (glibc's pthread_create asserts on it) */
        return 1;
    }
    return 0;
}

void *malloc(size_t n)
{
    resolve();
    if (!next_malloc)
        return boot_alloc(n);
    return fail_now() ? NULL : next_malloc(n);
}

void *calloc(size_t a, size_t b)
{
    resolve();
    if (!next_calloc)
        return boot_alloc(a * b); /* boot is zeroed and never reused */
    return fail_now() ? NULL : next_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
    resolve();
    return fail_now() ? NULL : next_realloc(p, n);
}

__attribute__((destructor)) static void report(void)
{
    const char *f = getenv("INFERSIM_ALLOC_COUNT");
    if (!f)
        return;
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%ld\n", count - (base >= 0 ? base : 0));
    FILE *o = fopen(f, "w");
    if (o) {
        fwrite(buf, 1, (size_t)len, o);
        fclose(o);
    }
}
