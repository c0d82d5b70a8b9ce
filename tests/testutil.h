/*
 * testutil.h — shared helpers for the cmocka tests: the one tolerance policy
 * (assert_close with a relative tolerance, printing both values in full) and
 * loaders for presets that fail the test with the library's message.
 */
#ifndef INFERSIM_TESTUTIL_H
#define INFERSIM_TESTUTIL_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../src/core/diag.h"
#include "../src/core/model.h"
#include "../src/core/system.h"
#include "../src/io/catalog.h"
#include "../src/io/model_config.h"
#include "../src/io/system_yaml.h"

/* |a - b| <= rtol * |b| (b is the reference).  Never == on doubles. */
#define assert_close(a, b, rtol) assert_close_(a, b, rtol, #a, __FILE__, __LINE__)
static inline void assert_close_(double a, double b, double rtol, const char *expr, const char *file, int line)
{
    double err = fabs(a - b);
    double lim = rtol * fabs(b);
    if (!(err <= lim) || isnan(a)) {
        print_error("%s:%d: %s = %.17g, expected %.17g (relative error %.3g > %.3g)\n", file, line, expr, a, b,
                    b != 0 ? err / fabs(b) : err, rtol);
        _fail(file, line);
    }
}

/* a <= b, with both printed when it fails. */
#define assert_le(a, b) assert_le_(a, b, #a " <= " #b, __FILE__, __LINE__)
static inline void assert_le_(double a, double b, const char *expr, const char *file, int line)
{
    if (!(a <= b)) {
        print_error("%s:%d: %s failed: %.17g > %.17g\n", file, line, expr, a, b);
        _fail(file, line);
    }
}

static inline void load_model(const char *name, model_t *m)
{
    char path[4096];
    diag_t d;
    diag_clear(&d);
    status_t st = catalog_resolve(CATALOG_MODELS, name, path, sizeof path, &d);
    if (st == IS_OK)
        st = model_load(path, m, &d);
    if (st != IS_OK) {
        char buf[2048];
        print_error("loading model %s: %s", name, diag_format(&d, buf, sizeof buf));
        fail();
    }
}

static inline void load_system(const char *name, system_t *s)
{
    char path[4096];
    diag_t d;
    diag_clear(&d);
    status_t st = catalog_resolve(CATALOG_SYSTEMS, name, path, sizeof path, &d);
    if (st == IS_OK)
        st = system_load(path, s, &d);
    if (st != IS_OK) {
        char buf[2048];
        print_error("loading system %s: %s", name, diag_format(&d, buf, sizeof buf));
        fail();
    }
}

/* Build a system from YAML text (tests of the parser and of hand-made systems). */
static inline status_t system_from(const char *yaml, system_t *s, diag_t *d)
{
    diag_clear(d);
    return system_load_buffer(yaml, strlen(yaml), "test.yaml", s, d);
}

#endif
