/*
 * workload.c — see workload.h.
 */
#include "workload.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEN_MAX 100000000 /* tokens: far beyond any context, small enough for int sums */

static status_t num(const char *flag, const char *spec, const char *v, double min, double *out, diag_t *d)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (!*v || (*end && *end != ':') || errno || !isfinite(x) || x < min || x > LEN_MAX)
        return diag_error(d, NULL, 0, 0, flag, "\"%s\": expected a number of tokens >= %g, got \"%.*s\"", spec, min,
                          (int)strcspn(v, ":"), v);
    *out = x;
    return IS_OK;
}

static status_t read_lengths(const char *flag, const char *path, len_dist_t *l, diag_t *d)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        diag_error(d, path, 0, 0, flag, "cannot read the lengths file: %s", strerror(errno));
        return IS_ERR_IO;
    }
    char line[256];
    int cap = 0, ln = 0;
    status_t st = IS_OK;
    while (fgets(line, sizeof line, f)) {
        ln++;
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '#' || *s == '\n' || *s == '\r' || !*s)
            continue;
        char *end;
        errno = 0;
        long x = strtol(s, &end, 10);
        while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
            end++;
        if (*end || errno || x < 1 || x > LEN_MAX) {
            s[strcspn(s, "\r\n")] = '\0';
            st = diag_error(d, path, ln, 1, flag, "expected a whole number of tokens from 1 to %d, got \"%s\"",
                            LEN_MAX, s);
            break;
        }
        if (l->n_values == cap) {
            cap = cap ? 2 * cap : 1024;
            int *v = realloc(l->values, sizeof(int) * (size_t)cap);
            if (!v) {
                st = diag_error(d, path, ln, 0, flag, "out of memory reading lengths");
                st = IS_ERR_NOMEM;
                break;
            }
            l->values = v;
        }
        l->values[l->n_values++] = (int)x;
    }
    fclose(f);
    if (st == IS_OK && l->n_values == 0)
        st = diag_error(d, path, 0, 0, flag, "no lengths in the file (one whole number per line)");
    if (st != IS_OK) {
        free(l->values);
        l->values = NULL;
        l->n_values = 0;
    }
    return st;
}

status_t len_dist_parse(const char *flag, const char *spec, len_dist_t *l, diag_t *d)
{
    memset(l, 0, sizeof *l);
    static const char *const kinds[] = {"uniform", "normal", "lognormal", "file"};
    const char *colon = strchr(spec, ':');
    if (!colon) {
        l->kind = LEN_FIXED;
        status_t st = num(flag, spec, spec, 1, &l->a, d);
        if (st == IS_OK && l->a != floor(l->a))
            return diag_error(d, NULL, 0, 0, flag, "expected a whole number of tokens, got \"%s\"", spec);
        return st;
    }
    char kind[32];
    snprintf(kind, sizeof kind, "%.*s", (int)(colon - spec) < 31 ? (int)(colon - spec) : 31, spec);
    const char *rest = colon + 1;
    if (!strcmp(kind, "file")) {
        l->kind = LEN_EMPIRICAL;
        return read_lengths(flag, rest, l, d);
    }
    int k;
    for (k = 0; k < 3; k++)
        if (!strcmp(kind, kinds[k]))
            break;
    if (k == 3) {
        const char *near = diag_near_match(kind, kinds, 4);
        return diag_error(d, NULL, 0, 0, flag, "unknown distribution \"%s\"%s%s%s (expected N, uniform:MIN:MAX, "
                          "normal:MEAN:STD, lognormal:MEAN:STD or file:PATH)", kind, near ? "; did you mean \"" : "",
                          near ? near : "", near ? "\"?" : "");
    }
    const char *second = strchr(rest, ':');
    if (!second || strchr(second + 1, ':'))
        return diag_error(d, NULL, 0, 0, flag, "\"%s\": expected %s:%s", spec, kind,
                          k == 0 ? "MIN:MAX" : "MEAN:STD");
    status_t st;
    if ((st = num(flag, spec, rest, k == 0 ? 1 : 1, &l->a, d)) != IS_OK ||
        (st = num(flag, spec, second + 1, 0, &l->b, d)) != IS_OK)
        return st;
    if (k == 0) {
        l->kind = LEN_UNIFORM;
        if (l->b < l->a)
            return diag_error(d, NULL, 0, 0, flag, "\"%s\": MAX %g is below MIN %g", spec, l->b, l->a);
    } else if (k == 1) {
        l->kind = LEN_NORMAL;
    } else {
        l->kind = LEN_LOGNORMAL;
        /* mean m and standard deviation s of the lengths: sigma^2 = ln(1 + s^2/m^2), mu = ln m - sigma^2/2 */
        double s2 = log(1.0 + (l->b * l->b) / (l->a * l->a));
        l->sigma = sqrt(s2);
        l->mu = log(l->a) - s2 / 2;
    }
    return IS_OK;
}

static int clamp_len(double x)
{
    if (!(x >= 1))
        return 1;
    if (x > LEN_MAX)
        return LEN_MAX;
    return (int)x;
}

int len_dist_draw(const len_dist_t *l, rng_t *r)
{
    switch (l->kind) {
    case LEN_FIXED:
        return clamp_len(l->a);
    case LEN_UNIFORM:
        return clamp_len(floor(l->a + rng_uniform(r) * (l->b - l->a + 1)));
    case LEN_NORMAL:
        return clamp_len(floor(l->a + l->b * rng_normal(r) + 0.5));
    case LEN_LOGNORMAL:
        return clamp_len(floor(exp(l->mu + l->sigma * rng_normal(r)) + 0.5));
    case LEN_EMPIRICAL:
        return l->values[(int)(rng_uniform(r) * l->n_values) % l->n_values];
    }
    return 1;
}

double len_dist_mean(const len_dist_t *l)
{
    switch (l->kind) {
    case LEN_UNIFORM:
        return 0.5 * (l->a + l->b);
    case LEN_EMPIRICAL: {
        double s = 0;
        for (int i = 0; i < l->n_values; i++)
            s += l->values[i];
        return l->n_values ? s / l->n_values : 0;
    }
    default:
        return l->a;
    }
}

void len_dist_free(len_dist_t *l)
{
    free(l->values);
    l->values = NULL;
    l->n_values = 0;
}

status_t len_dist_copy(len_dist_t *dst, const len_dist_t *src, diag_t *d)
{
    *dst = *src;
    if (src->kind != LEN_EMPIRICAL || !src->values)
        return IS_OK;
    dst->values = malloc((size_t)src->n_values * sizeof *dst->values);
    if (!dst->values) {
        dst->n_values = 0;
        return diag_error(d, NULL, 0, 0, NULL, "out of memory copying %d lengths", src->n_values);
    }
    memcpy(dst->values, src->values, (size_t)src->n_values * sizeof *dst->values);
    return IS_OK;
}

status_t workload_open(workload_t *w, const workload_cfg_t *cfg, diag_t *d)
{
    memset(w, 0, sizeof *w);
    w->cfg = *cfg;
    rng_seed(&w->rng, cfg->seed);
    if (cfg->arrival == ARRIVE_TRACE)
        return trace_open(&w->trace, cfg->trace_path, d);
    return IS_OK;
}

static void draw_request(workload_t *w, request_spec_t *r)
{
    const workload_cfg_t *c = &w->cfg;
    r->isl = len_dist_draw(&c->isl, &w->rng);
    r->osl = len_dist_draw(&c->osl, &w->rng);
    r->prefix_id = -1;
    r->prefix_tokens = 0;
    if (c->prefix_tokens > 0) {
        if (r->isl <= c->prefix_tokens)
            r->isl = c->prefix_tokens + 1; /* every prompt keeps a token of its own */
        r->prefix_tokens = c->prefix_tokens;
        r->prefix_id = c->prefixes > 1 ? (long)(rng_uniform(&w->rng) * c->prefixes) % c->prefixes : 0;
    }
    r->isl += c->image_tokens;
    r->line = 0;
}

int workload_next(workload_t *w, request_spec_t *r, diag_t *d)
{
    const workload_cfg_t *c = &w->cfg;
    if (c->max_requests > 0 && w->issued >= c->max_requests)
        return 0;
    if (c->arrival == ARRIVE_TRACE) {
        trace_row_t row;
        int got = trace_next(&w->trace, &row, d);
        if (got <= 0)
            return got;
        if (c->duration_s > 0 && row.arrival_s >= c->duration_s)
            return 0;
        r->arrival_s = row.arrival_s;
        r->isl = row.input_tokens + c->image_tokens;
        r->osl = row.output_tokens;
        r->prefix_id = row.prefix_tokens > 0 ? row.prefix_id : -1;
        r->prefix_tokens = row.prefix_tokens;
        r->line = row.line;
        w->issued++;
        return 1;
    }
    if (c->arrival == ARRIVE_CLOSED)
        return 0;
    double gap = c->arrival == ARRIVE_GAMMA ? rng_gamma(&w->rng, c->burstiness, 1.0 / (c->rate * c->burstiness))
                                            : rng_exponential(&w->rng, 1.0 / c->rate);
    double t = w->t + gap;
    if (c->duration_s > 0 && t >= c->duration_s)
        return 0;
    w->t = t;
    draw_request(w, r);
    r->arrival_s = t;
    w->issued++;
    return 1;
}

int workload_closed_request(workload_t *w, double t, request_spec_t *r)
{
    const workload_cfg_t *c = &w->cfg;
    if ((c->max_requests > 0 && w->issued >= c->max_requests) || (c->duration_s > 0 && t >= c->duration_s))
        return 0;
    draw_request(w, r);
    r->arrival_s = t;
    w->issued++;
    return 1;
}

double workload_think(workload_t *w)
{
    return w->cfg.think_s > 0 ? rng_exponential(&w->rng, w->cfg.think_s) : 0.0;
}

void workload_close(workload_t *w)
{
    trace_close(&w->trace);
    len_dist_free(&w->cfg.isl);
    len_dist_free(&w->cfg.osl);
}
