/*
 * trace.c — see trace.h.
 */
#include "trace.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const col_names[TRACE_NCOLS] = {"arrival_s", "input_tokens", "output_tokens", "prefix_id",
                                                   "prefix_tokens"};

/* Strip the line end (LF or CRLF); returns the length. */
static size_t chomp(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return n;
}

static int blank_or_comment(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0' || *s == '#';
}

/* Split s at commas in place (no quoting: every field is a number); fields trimmed. */
static int split(char *s, char **f, int max)
{
    int n = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (n < max)
            f[n] = s;
        n++;
        char *c = strchr(s, ',');
        char *end = c ? c : s + strlen(s);
        char *e = end;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        *e = '\0';
        if (!c)
            break;
        s = c + 1;
    }
    return n;
}

static void set_source(diag_t *d, const char *line)
{
    size_t n = strlen(line), cap = sizeof d->source_line - 1;
    memcpy(d->source_line, line, n < cap ? n : cap);
    d->source_line[n < cap ? n : cap] = '\0';
}

/* The next line that is neither blank nor a comment, its line end (and, on line 1, a byte
 * order mark) stripped: kept whole in copy (for messages) and split into f (n fields).
 * 0 at the end of the file. */
static int next_line(trace_reader_t *t, char copy[1024], char *f[16], int *n)
{
    while (getline(&t->buf, &t->cap, t->fp) >= 0) {
        t->line++;
        char *s = t->buf;
        if (t->line == 1 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF)
            s += 3;
        chomp(s);
        if (blank_or_comment(s))
            continue;
        size_t len = strlen(s);
        if (len > 1023)
            len = 1023;
        memcpy(copy, s, len); /* (snprintf's formatting cost a tenth of a long trace's run) */
        copy[len] = '\0';
        *n = split(s, f, 16);
        return 1;
    }
    return 0;
}

status_t trace_open(trace_reader_t *t, const char *path, diag_t *d)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        memset(t, 0, sizeof *t);
        diag_error(d, path, 0, 0, NULL, "cannot read the trace: %s", strerror(errno));
        return IS_ERR_IO;
    }
    return trace_attach(t, fp, path, d);
}

status_t trace_attach(trace_reader_t *t, FILE *fp, const char *path, diag_t *d)
{
    memset(t, 0, sizeof *t);
    snprintf(t->path, sizeof t->path, "%s", path);
    t->fp = fp;
    char copy[1024], *f[16];
    int n;
    if (next_line(t, copy, f, &n)) {
        if (n > 16) {
            diag_error(d, path, t->line, 1, NULL, "expected at most %d columns in the header, got %d", TRACE_NCOLS, n);
            set_source(d, copy);
            trace_close(t);
            return IS_ERR_INPUT;
        }
        int seen[TRACE_NCOLS] = {0};
        int col = 1;
        for (int i = 0; i < n; i++) {
            int k;
            for (k = 0; k < TRACE_NCOLS; k++)
                if (!strcmp(f[i], col_names[k]))
                    break;
            if (k == TRACE_NCOLS || seen[k]) {
                const char *near = k == TRACE_NCOLS ? diag_near_match(f[i], col_names, TRACE_NCOLS) : NULL;
                if (k == TRACE_NCOLS)
                    diag_error(d, path, t->line, col, f[i], "unknown column \"%s\"%s%s%s (expected arrival_s, "
                               "input_tokens, output_tokens, and optionally prefix_id, prefix_tokens)",
                               f[i], near ? "; did you mean \"" : "", near ? near : "", near ? "\"?" : "");
                else
                    diag_error(d, path, t->line, col, f[i], "column \"%s\" appears twice", f[i]);
                set_source(d, copy);
                trace_close(t);
                return IS_ERR_INPUT;
            }
            seen[k] = 1;
            t->col_of[i] = k;
            col += (int)strlen(f[i]) + 1;
        }
        t->ncols = n;
        for (int k = 0; k <= TRACE_OUTPUT; k++)
            if (!seen[k]) {
                diag_error(d, path, t->line, 1, col_names[k], "missing column \"%s\" (the header must name "
                           "arrival_s, input_tokens and output_tokens)", col_names[k]);
                set_source(d, copy);
                trace_close(t);
                return IS_ERR_INPUT;
            }
        return IS_OK;
    }
    diag_error(d, path, t->line, 0, NULL, "empty trace: expected a header (arrival_s,input_tokens,output_tokens) "
               "and one row per request");
    trace_close(t);
    return IS_ERR_INPUT;
}

static int row_error(trace_reader_t *t, diag_t *d, const char *copy, int col, const char *field, const char *what,
                     const char *got)
{
    diag_error(d, t->path, t->line, col, field, "expected %s, got \"%s\"", what, got);
    set_source(d, copy);
    return -1;
}

int trace_next(trace_reader_t *t, trace_row_t *r, diag_t *d)
{
    char copy[1024], *f[16];
    int n;
    if (next_line(t, copy, f, &n)) {
        if (n != t->ncols) {
            diag_error(d, t->path, t->line, 1, NULL, "expected %d fields as in the header, got %d", t->ncols, n);
            set_source(d, copy);
            return -1;
        }
        r->line = t->line;
        r->prefix_id = -1;
        r->prefix_tokens = 0;
        int col = 1;
        for (int i = 0; i < n; i++) {
            int k = t->col_of[i];
            const char *v = f[i];
            char *end;
            errno = 0;
            if (k == TRACE_ARRIVAL) {
                double x = strtod(v, &end);
                if (!*v || *end || errno || !isfinite(x) || x < 0)
                    return row_error(t, d, copy, col, col_names[k], "seconds >= 0", v);
                if (x < t->last_arrival) {
                    diag_error(d, t->path, t->line, col, col_names[k],
                               "arrivals must not go back in time: %.17g after %.17g (sort the trace by arrival_s)", x,
                               t->last_arrival);
                    set_source(d, copy);
                    return -1;
                }
                r->arrival_s = t->last_arrival = x;
            } else if (k == TRACE_PREFIX_ID) {
                if (!*v) {
                    r->prefix_id = -1;
                } else {
                    long x = strtol(v, &end, 10);
                    if (*end || errno || x < 0)
                        return row_error(t, d, copy, col, col_names[k], "a whole number >= 0 (or nothing)", v);
                    r->prefix_id = x;
                }
            } else {
                long x = *v ? strtol(v, &end, 10) : -1;
                int lo = k == TRACE_PREFIX_TOKENS ? 0 : 1;
                if (k == TRACE_PREFIX_TOKENS && !*v)
                    x = 0;
                else if (!*v || *end || errno || x < lo || x > 100000000)
                    return row_error(t, d, copy, col, col_names[k],
                                     lo ? "a whole number of tokens from 1 to 100000000" : "a whole number of tokens >= 0",
                                     v);
                if (k == TRACE_INPUT)
                    r->input_tokens = (int)x;
                else if (k == TRACE_OUTPUT)
                    r->output_tokens = (int)x;
                else
                    r->prefix_tokens = (int)x;
            }
            col += (int)strlen(f[i]) + 1;
        }
        if (r->prefix_tokens >= r->input_tokens) {
            diag_error(d, t->path, t->line, 0, "prefix_tokens",
                       "a prefix of %d tokens leaves a %d-token prompt nothing of its own (expected 0 .. %d)",
                       r->prefix_tokens, r->input_tokens, r->input_tokens - 1);
            set_source(d, copy);
            return -1;
        }
        if (r->prefix_tokens > 0 && r->prefix_id < 0) {
            diag_error(d, t->path, t->line, 0, "prefix_id", "prefix_tokens %d needs a prefix_id naming the prefix",
                       r->prefix_tokens);
            set_source(d, copy);
            return -1;
        }
        return 1;
    }
    if (ferror(t->fp)) {
        diag_error(d, t->path, t->line, 0, NULL, "read error: %s", strerror(errno));
        return -1;
    }
    return 0;
}

void trace_close(trace_reader_t *t)
{
    if (t->fp)
        fclose(t->fp);
    free(t->buf);
    t->fp = NULL;
    t->buf = NULL;
}
