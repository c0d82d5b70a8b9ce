/*
 * csv.c — RFC 4180 reading: quoted fields may hold commas, quotes ("") and newlines;
 * CRLF line ends are accepted; a UTF-8 byte-order mark is skipped.
 */
#include "csv.h"

#include "fileutil.h"

#include <stdlib.h>
#include <string.h>

static void free_rows(csv_t *c)
{
    if (c->rows)
        for (int i = 0; i < c->n_rows; i++)
            free(c->rows[i]);
    free(c->rows);
    free(c->header);
    free(c->line);
    free(c->text);
}

void csv_free(csv_t *c)
{
    free_rows(c);
    memset(c, 0, sizeof *c);
}

void csv_put(FILE *f, const char *s)
{
    if (!s[strcspn(s, ",\"\r\n")]) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int csv_col(const csv_t *c, const char *name)
{
    for (int i = 0; i < c->n_cols; i++)
        if (strcmp(c->header[i], name) == 0)
            return i;
    return -1;
}

/* Parse one record starting at *pos; fields written in place. Returns the field count,
 * or -1 on an unterminated quote. *line advances over the newlines consumed. */
static int record(char *t, size_t len, size_t *pos, char **fields, int max, int *line)
{
    size_t i = *pos;
    int n = 0;
    for (;;) {
        char *out = t + i, *start = out;
        if (i < len && t[i] == '"') {
            i++;
            for (;;) {
                if (i >= len)
                    return -1;
                if (t[i] == '"') {
                    if (i + 1 < len && t[i + 1] == '"') {
                        *out++ = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (t[i] == '\n')
                    (*line)++;
                *out++ = t[i++];
            }
            while (i < len && t[i] != ',' && t[i] != '\n' && t[i] != '\r')
                *out++ = t[i++]; /* text after a closing quote is kept, leniently */
        } else {
            while (i < len && t[i] != ',' && t[i] != '\n' && t[i] != '\r')
                *out++ = t[i++];
        }
        char sep = i < len ? t[i] : '\n';
        *out = '\0';
        if (n < max)
            fields[n] = start;
        n++;
        if (sep == ',') {
            i++;
            continue;
        }
        /* t[i] may have been overwritten by the terminator: decide from sep */
        if (i < len) {
            i++;
            if (sep == '\r' && i < len && t[i] == '\n')
                i++;
        }
        (*line)++;
        *pos = i;
        return n;
    }
}

status_t csv_read(const char *path, csv_t *c, diag_t *d)
{
    memset(c, 0, sizeof *c);
    snprintf(c->path, sizeof c->path, "%s", path);
    size_t len;
    status_t st = file_read_all(path, &c->text, &len, d);
    if (st != IS_OK)
        return st;
    size_t pos = 0;
    if (len >= 3 && (unsigned char)c->text[0] == 0xEF && (unsigned char)c->text[1] == 0xBB &&
        (unsigned char)c->text[2] == 0xBF)
        pos = 3;
    int line = 1;
    enum { MAXF = 256 };
    char *f[MAXF];
    int hline = line;
    int n = record(c->text, len, &pos, f, MAXF, &line);
    if (n <= 0 || n > MAXF) {
        diag_error(d, path, hline, 1, NULL, "expected a header line of comma-separated column names");
        goto fail;
    }
    c->n_cols = n;
    c->header = malloc(sizeof(char *) * (size_t)n);
    if (!c->header)
        goto nomem;
    memcpy(c->header, f, sizeof(char *) * (size_t)n);
    int cap = 64;
    c->rows = malloc(sizeof(char **) * (size_t)cap);
    c->line = malloc(sizeof(int) * (size_t)cap);
    if (!c->rows || !c->line)
        goto nomem;
    while (pos < len) {
        int rl = line;
        /* skip blank lines */
        if (c->text[pos] == '\n' || c->text[pos] == '\r') {
            if (c->text[pos] == '\r') pos++;
            if (pos < len && c->text[pos] == '\n') pos++;
            line++;
            continue;
        }
        n = record(c->text, len, &pos, f, MAXF, &line);
        if (n < 0) {
            diag_error(d, path, rl, 0, NULL, "unterminated quoted field");
            goto fail;
        }
        if (n != c->n_cols) {
            diag_error(d, path, rl, 0, NULL, "expected %d fields as in the header, got %d", c->n_cols, n);
            goto fail;
        }
        if (c->n_rows == cap) {
            cap *= 2;
            char ***nr = realloc(c->rows, sizeof(char **) * (size_t)cap);
            if (!nr) goto nomem;
            c->rows = nr;
            int *nl = realloc(c->line, sizeof(int) * (size_t)cap);
            if (!nl) goto nomem;
            c->line = nl;
        }
        char **row = malloc(sizeof(char *) * (size_t)n);
        if (!row)
            goto nomem;
        memcpy(row, f, sizeof(char *) * (size_t)n);
        c->rows[c->n_rows] = row;
        c->line[c->n_rows] = rl;
        c->n_rows++;
    }
    return IS_OK;
nomem:
    diag_error(d, path, 0, 0, NULL, "out of memory");
    free_rows(c);
    memset(c, 0, sizeof *c);
    return IS_ERR_NOMEM;
fail:
    free_rows(c);
    memset(c, 0, sizeof *c);
    return IS_ERR_INPUT;
}
