/*
 * failalloc.c — a fault-injection allocator, linked into a test build of infersim
 * (build/fault/infersim): with INFERSIM_FAIL_ALLOC=N the N-th allocation (malloc, calloc,
 * realloc, counted from 1) fails; INFERSIM_ALLOC_COUNT=FILE writes the number of
 * allocations made at exit.  Defining the allocator in the executable interposes it for
 * every library the process uses (libfyaml, jansson, libc's stdio), through glibc's
 * __libc_* entry points.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static long fail_at = -2, count;
static __thread int inside; /* dladdr may allocate */

/* libfyaml 0.8 dereferences NULL when an allocation made on its behalf fails (this test
 * found it, inside fy_document_build_from_string): an allocation with libfyaml anywhere on
 * the call stack is counted but never failed. */
static int exempt(void)
{
    if (inside)
        return 1;
    inside = 1;
    void *frames[64];
    int n = backtrace(frames, 64), r = 0;
    for (int i = 0; i < n && !r; i++) {
        Dl_info info;
        r = dladdr(frames[i], &info) && info.dli_fname && strstr(info.dli_fname, "libfyaml");
    }
    inside = 0;
    return r;
}

static int fail_now(void)
{
    if (fail_at == -2) {
        const char *e = getenv("INFERSIM_FAIL_ALLOC");
        fail_at = e ? atol(e) : -1;
    }
    if (++count == fail_at && !exempt()) {
        errno = ENOMEM; /* as the real allocator does (glibc's pthread_create asserts on it) */
        return 1;
    }
    return 0;
}

void *malloc(size_t n)
{
    return fail_now() ? NULL : __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
    return fail_now() ? NULL : __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
    return fail_now() ? NULL : __libc_realloc(p, n);
}

__attribute__((destructor)) static void report(void)
{
    const char *f = getenv("INFERSIM_ALLOC_COUNT");
    if (!f)
        return;
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%ld\n", count);
    FILE *o = fopen(f, "w");
    if (o) {
        fwrite(buf, 1, (size_t)len, o);
        fclose(o);
    }
}
