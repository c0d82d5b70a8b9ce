/*
 * yamlread.c — shared helpers for infersim's YAML files (systems, sites, sweeps):
 * parse with libfyaml into a document, report syntax errors with line and column,
 * and read typed, range-checked fields with file:line:col:field errors and near
 * matches for unknown keys.
 */
#include "yamlread.h"

#include "fileutil.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static void yr_node_pos(struct fy_node *n, int *line, int *col)
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

status_t yr_err(const yreader_t *r, struct fy_node *n, const char *field, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line, col;
    yr_node_pos(n, &line, &col);
    diag_error(r->d, r->path, line, col, field, "%s", msg);
    if (line > 0)
        diag_set_source_line(r->d, r->buf, r->len, line);
    return IS_ERR_INPUT;
}

/* Every key of mapping `map` must be in `allowed`. */
status_t yr_check_keys(const yreader_t *r, struct fy_node *map, const char *section,
                           const char *const *allowed, int n)
{
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(map, &it))) {
        struct fy_node *k = fy_node_pair_key(p);
        const char *ks = k ? fy_node_get_scalar0(k) : NULL;
        if (!ks)
            return yr_err(r, k, section, "expected plain keys");
        int ok = 0;
        for (int i = 0; i < n; i++)
            if (strcmp(ks, allowed[i]) == 0)
                ok = 1;
        if (!ok) {
            const char *near = diag_near_match(ks, allowed, n);
            char field[160];
            snprintf(field, sizeof field, "%s%s%s", section, section[0] ? "." : "", ks);
            if (near)
                return yr_err(r, k, field, "unknown field \"%s\"; did you mean \"%s\"?", ks, near);
            return yr_err(r, k, field, "unknown field \"%s\" (see docs/system-format.md)", ks);
        }
    }
    return IS_OK;
}

struct fy_node *yr_get(struct fy_node *map, const char *key)
{
    if (!map || !fy_node_is_mapping(map))
        return NULL;
    return fy_node_mapping_lookup_by_string(map, key, FY_NT);
}

/* Read a number in [lo, hi] (lo_open: strictly greater than lo), times `scale`. */
status_t yr_num(const yreader_t *r, struct fy_node *map, const char *section, const char *key,
                    int required, double lo, int lo_open, double hi, double scale, double dflt,
                    double *out, int *present)
{
    char field[160];
    snprintf(field, sizeof field, "%s%s%s", section, section[0] ? "." : "", key);
    struct fy_node *v = yr_get(map, key);
    if (present)
        *present = v != NULL;
    if (!v) {
        if (required)
            return yr_err(r, map, field, "missing required field \"%s\"", key);
        *out = dflt;
        return IS_OK;
    }
    const char *s = fy_node_is_scalar(v) ? fy_node_get_scalar0(v) : NULL;
    char *end = NULL;
    double x = s ? strtod(s, &end) : NAN;
    if (!s || end == s || *end != '\0' || !isfinite(x))
        return yr_err(r, v, field, "expected a number, got \"%s\"", s ? s : "(not a scalar)");
    if ((lo_open ? !(x > lo) : !(x >= lo)) || x > hi) {
        if (hi < 1e300)
            return yr_err(r, v, field, "expected a number %s %g and <= %g, got %s", lo_open ? ">" : ">=", lo, hi, s);
        return yr_err(r, v, field, "expected a number %s %g, got %s", lo_open ? ">" : ">=", lo, s);
    }
    /* beyond 1e30 in SI units (bytes, FLOP/s, seconds, watts, dollars) is no physical
     * machine, and products of such values would overflow to infinity */
    if (!(fabs(x * scale) <= 1e30))
        return yr_err(r, v, field, "%s is out of range: at most %g in the file's units", s, 1e30 / scale);
    *out = x * scale;
    return IS_OK;
}

status_t yr_str(const yreader_t *r, struct fy_node *map, const char *section, const char *key,
                    int required, char *out, size_t cap)
{
    struct fy_node *v = yr_get(map, key);
    if (!v) {
        if (required) {
            char field[160];
            snprintf(field, sizeof field, "%s%s%s", section, section[0] ? "." : "", key);
            return yr_err(r, map, field, "missing required field \"%s\"", key);
        }
        return IS_OK;
    }
    const char *s = fy_node_is_scalar(v) ? fy_node_get_scalar0(v) : NULL;
    if (!s) {
        char field[160];
        snprintf(field, sizeof field, "%s%s%s", section, section[0] ? "." : "", key);
        return yr_err(r, v, field, "expected a string");
    }
    snprintf(out, cap, "%s", s);
    return IS_OK;
}

status_t yr_bool(const yreader_t *r, struct fy_node *map, const char *section, const char *key,
                        int *out)
{
    struct fy_node *v = yr_get(map, key);
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
    return yr_err(r, v, field, "expected true or false, got \"%s\"", s ? s : "(not a scalar)");
}

/* libfyaml's own output (its errors are collected instead; what is left says only that the
 * load failed): nowhere */
static void discard_fn(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
    (void)diag;
    (void)user;
    (void)buf;
    (void)len;
}


status_t yr_open(yreader_t *r, const char *buf, size_t len, const char *path, diag_t *d, struct fy_node **root)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->buf = buf;
    r->len = len;
    r->d = d;
    /* a text file has no NUL byte (libfyaml can loop on one inside a directive) */
    const char *nul = memchr(buf, '\0', len);
    if (nul) {
        int line = 1, col = 1;
        for (const char *p = buf; p < nul; p++) {
            if (*p == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return diag_error(d, path, line, col, NULL, "expected a text file, found a NUL byte");
    }
    /* no YAML directives: none of our formats uses one, and libfyaml 0.8 can loop on a
     * malformed one (found by fuzzing) */
    {
        int line = 1;
        const unsigned char *u = (const unsigned char *)buf;
        for (size_t i = 0; i < len; i++) {
            /* after any YAML line break: LF, CR, NEL (C2 85), LS and PS (E2 80 A8/A9) */
            int start = i == 0 || u[i - 1] == '\n' || u[i - 1] == '\r' ||
                        (i >= 2 && u[i - 2] == 0xC2 && u[i - 1] == 0x85) ||
                        (i >= 3 && u[i - 3] == 0xE2 && u[i - 2] == 0x80 && (u[i - 1] == 0xA8 || u[i - 1] == 0xA9));
            /* no tab in a line's indentation: YAML forbids it ("tabs are not allowed as indentation",
             * YAML 1.2 section 6.1), and libfyaml 0.7.12 read past its buffer reporting an error on
             * a line that starts with tabs (a crash found by fuzz_site_yaml: 41 leading tabs) */
            if (start) {
                size_t j = i;
                while (j < len && buf[j] == ' ')
                    j++;
                if (j < len && buf[j] == '\t') {
                    diag_error(d, path, line, (int)(j - i) + 1, NULL,
                               "a tab in the indentation: YAML indents with spaces");
                    diag_set_source_line(d, buf, len, line);
                    return IS_ERR_INPUT;
                }
            }
            if (start && buf[i] == '%') {
                diag_error(d, path, line, 1, NULL, "YAML directives (lines starting with %%) are not supported");
                diag_set_source_line(d, buf, len, line);
                return IS_ERR_INPUT;
            }
            /* no explicit keys ("? key") in block context: none of our formats needs a complex
             * key, and libfyaml 0.7.12 crashes cleaning up after some malformed ones ("? a:<TAB>: 1",
             * found by fuzzing; libfyaml issue #57 is the same family). A line's indicators
             * ("- ", ": ", "? ") are walked past; '?' followed by a blank or the line's end is one. */
            if (start) {
                size_t j = i;
                for (;;) {
                    while (j < len && (buf[j] == ' ' || buf[j] == '\t'))
                        j++;
                    if (j >= len)
                        break;
                    char c = buf[j];
                    int blank_after = j + 1 >= len || buf[j + 1] == ' ' || buf[j + 1] == '\t' ||
                                      buf[j + 1] == '\n' || buf[j + 1] == '\r';
                    if (c == '?' && blank_after) {
                        diag_error(d, path, line, (int)(j - i) + 1, NULL,
                                   "explicit keys (\"? key\") are not supported: write \"key: value\"");
                        diag_set_source_line(d, buf, len, line);
                        return IS_ERR_INPUT;
                    }
                    if ((c == '-' || c == ':') && blank_after && j + 1 < len && buf[j + 1] != '\n' &&
                        buf[j + 1] != '\r') {
                        j++;
                        continue;
                    }
                    break;
                }
            }
            if (buf[i] == '\n')
                line++;
        }
    }
    struct fy_diag_cfg dc;
    fy_diag_cfg_default(&dc);
    dc.fp = NULL;
    dc.output_fn = discard_fn;
    dc.user = NULL;
    dc.colorize = false;
    dc.show_source = false;
    dc.show_position = false;
    dc.show_type = false;
    dc.show_module = false;
    r->fdiag = fy_diag_create(&dc);
    if (!r->fdiag)
        return diag_error(d, path, 0, 0, NULL, "out of memory");
    /* collect errors rather than print them: libfyaml 0.7.12 prints an error with a picture of its
     * token, and reads past its buffer drawing one far into a long line (a multi-line plain key at
     * column ~720, found by fuzz_site_yaml) */
    fy_diag_set_collect_errors(r->fdiag, true);
    struct fy_parse_cfg cfg = {0};
    cfg.flags = FYPCF_QUIET | FYPCF_DEFAULT_DOC;
    cfg.diag = r->fdiag;
    r->doc = fy_document_build_from_string(&cfg, buf, len);
    if (!r->doc) {
        /* the first error libfyaml collected (an empty document fails with none) */
        int line = 0, col = 0;
        const char *msg = "cannot parse";
        void *it = NULL;
        for (struct fy_diag_error *e; (e = fy_diag_errors_iterate(r->fdiag, &it)) != NULL;)
            if (e->type >= FYET_ERROR && e->msg) {
                line = e->line;
                col = e->column;
                msg = e->msg;
                break;
            }
        diag_error(d, path, line, col, NULL, "invalid YAML: %s", msg);
        if (line > 0)
            diag_set_source_line(d, buf, len, line);
        fy_diag_destroy(r->fdiag);
        r->fdiag = NULL;
        return IS_ERR_INPUT;
    }
    *root = fy_document_root(r->doc);
    return IS_OK;
}

status_t yr_open_file(yreader_t *r, const char *path, diag_t *d, struct fy_node **root)
{
    char *buf;
    size_t len;
    memset(r, 0, sizeof *r);
    status_t st = file_read_all(path, &buf, &len, d);
    if (st != IS_OK)
        return st;
    st = yr_open(r, buf, len, path, d, root);
    r->owned = buf;
    if (st != IS_OK) {
        free(buf);
        r->owned = NULL;
    }
    return st;
}

void yr_close(yreader_t *r)
{
    free(r->owned);
    r->owned = NULL;
    if (r->doc)
        fy_document_destroy(r->doc);
    if (r->fdiag)
        fy_diag_destroy(r->fdiag);
    r->doc = NULL;
    r->fdiag = NULL;
}
