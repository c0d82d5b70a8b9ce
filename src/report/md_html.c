/*
 * md_html.c — the reports' Markdown subset as one standalone HTML page (md_html.h).
 */
#include "md_html.h"

#include "../io/fileutil.h"

#include <stdlib.h>
#include <string.h>

static void esc(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(s[i], f);
        }
    }
}

/* The SVG file dir/name inline, without its XML declaration; -1 if it cannot be read. */
static int inline_svg(FILE *f, const char *dir, const char *name, size_t n)
{
    char path[4096];
    if (n == 0 || n > 1024 || memchr(name, '/', n))
        return -1; /* figures sit beside the page */
    snprintf(path, sizeof path, "%s/%.*s", dir ? dir : ".", (int)n, name);
    char *buf;
    size_t len;
    diag_t d;
    diag_clear(&d);
    if (file_read_all(path, &buf, &len, &d) != IS_OK)
        return -1;
    const char *start = strstr(buf, "<svg");
    if (!start) {
        free(buf);
        return -1;
    }
    fputs("<span class=\"figure\">", f); /* phrasing content: a figure may sit inside a paragraph */
    fwrite(start, 1, len - (size_t)(start - buf), f);
    fputs("</span>", f);
    free(buf);
    return 0;
}

/* Inline markup of s[0..n). */
static int inline_md(FILE *f, const char *s, size_t n, const char *dir)
{
    int rc = 0;
    size_t i = 0;
    while (i < n) {
        if (s[i] == '!' && i + 1 < n && s[i + 1] == '[') {
            const char *cb = memchr(s + i, ']', n - i);
            if (cb && (size_t)(cb - s) + 1 < n && cb[1] == '(') {
                const char *cp = memchr(cb, ')', n - (size_t)(cb - s));
                if (cp) {
                    const char *alt = s + i + 2, *src = cb + 2;
                    size_t an = (size_t)(cb - alt), sn = (size_t)(cp - src);
                    if (sn > 4 && !memcmp(src + sn - 4, ".svg", 4)) {
                        if (inline_svg(f, dir, src, sn) != 0) {
                            fputs("<em>[figure missing: ", f);
                            esc(f, alt, an);
                            fputs("]</em>", f);
                            rc = -1;
                        }
                    } else {
                        fputs("<img src=\"", f);
                        esc(f, src, sn);
                        fputs("\" alt=\"", f);
                        esc(f, alt, an);
                        fputs("\"/>", f);
                    }
                    i = (size_t)(cp - s) + 1;
                    continue;
                }
            }
        }
        if (s[i] == '[') {
            const char *cb = memchr(s + i, ']', n - i);
            if (cb && (size_t)(cb - s) + 1 < n && cb[1] == '(') {
                const char *cp = memchr(cb, ')', n - (size_t)(cb - s));
                if (cp) {
                    fputs("<a href=\"", f);
                    esc(f, cb + 2, (size_t)(cp - cb - 2));
                    fputs("\">", f);
                    esc(f, s + i + 1, (size_t)(cb - s - i - 1));
                    fputs("</a>", f);
                    i = (size_t)(cp - s) + 1;
                    continue;
                }
            }
        }
        if (s[i] == '`') {
            const char *e = memchr(s + i + 1, '`', n - i - 1);
            if (e) {
                fputs("<code>", f);
                esc(f, s + i + 1, (size_t)(e - s - i - 1));
                fputs("</code>", f);
                i = (size_t)(e - s) + 1;
                continue;
            }
        }
        if (s[i] == '*' && i + 1 < n && s[i + 1] == '*') {
            const char *e = NULL;
            for (size_t k = i + 2; k + 1 < n; k++)
                if (s[k] == '*' && s[k + 1] == '*') {
                    e = s + k;
                    break;
                }
            if (e) {
                fputs("<strong>", f);
                rc |= inline_md(f, s + i + 2, (size_t)(e - s - i - 2), dir);
                fputs("</strong>", f);
                i = (size_t)(e - s) + 2;
                continue;
            }
        }
        if (s[i] == '*' && i + 1 < n && s[i + 1] != ' ') {
            const char *e = memchr(s + i + 1, '*', n - i - 1);
            if (e) {
                fputs("<em>", f);
                rc |= inline_md(f, s + i + 1, (size_t)(e - s - i - 1), dir);
                fputs("</em>", f);
                i = (size_t)(e - s) + 1;
                continue;
            }
        }
        esc(f, s + i, 1);
        i++;
    }
    return rc;
}

/* The cells of a table row "| a | b |" as [start, end) pairs; returns their count. */
static int cells(const char *s, size_t n, const char **cs, size_t *cn, int max)
{
    int k = 0;
    size_t i = 0;
    while (i < n && s[i] == ' ')
        i++;
    if (i < n && s[i] == '|')
        i++;
    while (i < n && k < max) {
        size_t a = i;
        while (i < n && s[i] != '|')
            i++;
        if (i >= n && a == i)
            break;
        size_t b = i;
        while (a < b && s[a] == ' ')
            a++;
        while (b > a && s[b - 1] == ' ')
            b--;
        cs[k] = s + a;
        cn[k++] = b - a;
        if (i < n)
            i++;
        if (i >= n)
            break;
    }
    return k;
}

/* One table row of k cells, each in <tag>. */
static int row(FILE *f, const char **cs, const size_t *cn, int k, const char *tag, const char *dir)
{
    int rc = 0;
    fputs("<tr>", f);
    for (int c = 0; c < k; c++) {
        fprintf(f, "<%s>", tag);
        rc |= inline_md(f, cs[c], cn[c], dir);
        fprintf(f, "</%s>", tag);
    }
    fputs("</tr>", f);
    return rc;
}

static const char *const STYLE =
    "body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;max-width:60rem;margin:2rem auto;"
    "padding:0 1rem;color:#1a1a1a;background:#fff}"
    "h1,h2,h3{line-height:1.2}h2{margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}"
    "table{border-collapse:collapse;margin:1rem 0;font-size:.9rem;display:block;overflow-x:auto}"
    "th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}code{background:#f3f3f3;padding:0 .2rem}"
    ".figure{display:block;margin:1rem 0}.figure svg{max-width:100%;height:auto}li{margin:.3rem 0}";

int md_to_html(FILE *out, const char *md, size_t len, const char *title, const char *asset_dir)
{
    int rc = 0;
    /* void elements self-closed: the page is well-formed XML too (its test parses it so) */
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>",
          out);
    esc(out, title, strlen(title));
    fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", STYLE);
    enum { NONE, PARA, LIST, TABLE } open = NONE;
    size_t i = 0;
    while (i < len) {
        const char *line = md + i;
        const char *nl = memchr(line, '\n', len - i);
        size_t n = nl ? (size_t)(nl - line) : len - i;
        i += n + (nl != NULL);
        while (n > 0 && line[n - 1] == '\r')
            n--;
        int blank = 1;
        for (size_t k = 0; k < n; k++)
            blank &= line[k] == ' ' || line[k] == '\t';
        int heading = 0;
        while ((size_t)heading < n && line[heading] == '#')
            heading++;
        int is_head = heading >= 1 && heading <= 6 && (size_t)heading < n && line[heading] == ' ';
        int is_item = n >= 2 && line[0] == '-' && line[1] == ' ';
        int is_row = n >= 1 && line[0] == '|';
        /* close what the line does not continue */
        if (open == PARA && (blank || is_head || is_item || is_row)) {
            fputs("</p>\n", out);
            open = NONE;
        } else if (open == LIST && !is_item) {
            fputs("</ul>\n", out);
            open = NONE;
        } else if (open == TABLE && !is_row) {
            fputs("</tbody></table>\n", out);
            open = NONE;
        }
        if (blank)
            continue;
        if (is_head) {
            fprintf(out, "<h%d>", heading);
            rc |= inline_md(out, line + heading + 1, n - (size_t)heading - 1, asset_dir);
            fprintf(out, "</h%d>\n", heading);
        } else if (is_item) {
            if (open != LIST)
                fputs("<ul>\n", out);
            open = LIST;
            fputs("<li>", out);
            rc |= inline_md(out, line + 2, n - 2, asset_dir);
            fputs("</li>\n", out);
        } else if (is_row) {
            const char *cs[64];
            size_t cn[64];
            int k = cells(line, n, cs, cn, 64);
            if (open != TABLE) {
                /* a header row: the next line must be the |---| separator */
                fputs("<table><thead>", out);
                rc |= row(out, cs, cn, k, "th", asset_dir);
                fputs("</thead><tbody>\n", out);
                open = TABLE;
                if (i < len && md[i] == '|') { /* skip the separator */
                    const char *sep = memchr(md + i, '\n', len - i);
                    int is_sep = 1;
                    for (const char *p = md + i; p < (sep ? sep : md + len); p++)
                        is_sep &= *p == '|' || *p == '-' || *p == ':' || *p == ' ' || *p == '\r';
                    if (is_sep)
                        i = sep ? (size_t)(sep - md) + 1 : len;
                }
            } else {
                rc |= row(out, cs, cn, k, "td", asset_dir);
                fputc('\n', out);
            }
        } else {
            if (open != PARA)
                fputs("<p>", out);
            else
                fputc('\n', out);
            open = PARA;
            rc |= inline_md(out, line, n, asset_dir);
        }
    }
    if (open == PARA)
        fputs("</p>\n", out);
    else if (open == LIST)
        fputs("</ul>\n", out);
    else if (open == TABLE)
        fputs("</tbody></table>\n", out);
    fputs("</main>\n</body>\n</html>\n", out);
    return rc;
}
