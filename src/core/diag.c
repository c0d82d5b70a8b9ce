/*
 * diag.c — error and warning records, compiler-style formatting, near matches.
 */
#include "diag.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void diag_clear(diag_t *d)
{
    memset(d, 0, sizeof *d);
}

status_t diag_error(diag_t *d, const char *file, int line, int column,
                    const char *field, const char *fmt, ...)
{
    if (!d)
        return IS_ERR_INPUT;
    snprintf(d->file, sizeof d->file, "%s", file ? file : "");
    d->line = line;
    d->column = column;
    snprintf(d->field, sizeof d->field, "%s", field ? field : "");
    d->source_line[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->message, sizeof d->message, fmt, ap);
    va_end(ap);
    return IS_ERR_INPUT;
}

void diag_warn(diag_t *d, const char *fmt, ...)
{
    if (!d || d->n_warnings >= DIAG_MAX_WARNINGS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->warnings[d->n_warnings], sizeof d->warnings[0], fmt, ap);
    va_end(ap);
    d->n_warnings++;
}

void diag_set_source_line(diag_t *d, const char *buf, size_t len, int line)
{
    d->source_line[0] = '\0';
    if (!buf || line < 1)
        return;
    size_t i = 0;
    for (int l = 1; l < line && i < len; i++)
        if (buf[i] == '\n')
            l++;
    size_t j = i;
    while (j < len && buf[j] != '\n' && buf[j] != '\r')
        j++;
    size_t n = j - i;
    if (n >= sizeof d->source_line)
        n = sizeof d->source_line - 1;
    memcpy(d->source_line, buf + i, n);
    d->source_line[n] = '\0';
}

char *diag_format(const diag_t *d, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
#define APPEND(...)                                                   \
    do {                                                              \
        if (n < cap) {                                                \
            int w_ = snprintf(out + n, cap - n, __VA_ARGS__);         \
            if (w_ > 0)                                               \
                n += (size_t)w_;                                      \
        }                                                             \
    } while (0)
    if (d->file[0]) {
        APPEND("%s:", d->file);
        if (d->line > 0) {
            APPEND("%d:", d->line);
            if (d->column > 0)
                APPEND("%d:", d->column);
        }
        APPEND(" ");
    }
    APPEND("error: ");
    if (d->field[0])
        APPEND("%s: ", d->field);
    APPEND("%s\n", d->message);
    if (d->source_line[0]) {
        APPEND("  %s\n", d->source_line);
        if (d->column > 0) {
            APPEND("  ");
            for (int i = 1; i < d->column && i < 250; i++)
                APPEND("%c", d->source_line[i - 1] == '\t' ? '\t' : ' ');
            APPEND("^\n");
        }
    }
#undef APPEND
    return out;
}

int diag_edit_distance(const char *a, const char *b)
{
    /* Two-row dynamic programme; names are short (< 64 chars), longer ones are clipped. */
    enum { MAXL = 64 };
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (la > MAXL) la = MAXL;
    if (lb > MAXL) lb = MAXL;
    int prev[MAXL + 1], cur[MAXL + 1];
    for (int j = 0; j <= lb; j++)
        prev[j] = j;
    for (int i = 1; i <= la; i++) {
        cur[0] = i;
        for (int j = 1; j <= lb; j++) {
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int best = prev[j - 1] + cost;
            if (prev[j] + 1 < best) best = prev[j] + 1;
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;
            cur[j] = best;
        }
        memcpy(prev, cur, sizeof(int) * (size_t)(lb + 1));
    }
    return prev[lb];
}

const char *diag_near_match(const char *word, const char *const *candidates, int n)
{
    const char *best = NULL;
    int best_d = 1 << 30;
    for (int i = 0; i < n; i++) {
        int dist = diag_edit_distance(word, candidates[i]);
        /* a candidate that contains the word (or vice versa) is a strong hint */
        if (strstr(candidates[i], word) || strstr(word, candidates[i]))
            dist = dist < 2 ? dist : 2;
        if (dist < best_d) {
            best_d = dist;
            best = candidates[i];
        }
    }
    int limit = (int)strlen(word) / 3;
    if (limit < 2)
        limit = 2;
    return best_d <= limit ? best : NULL;
}
