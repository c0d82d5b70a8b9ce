/*
 * svg.c — chart drawing (see svg.h).  Colours: a colour-blind-safe palette (Okabe & Ito 2008).
 */
#include "svg.h"

#include <math.h>
#include <string.h>

static const char *const palette[SVG_MAX_SERIES] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                     "#E69F00", "#56B4E9", "#F0E442", "#000000"};
enum { W = 800, H = 600, L = 90, R = 30, T = 50, B = 70 };

typedef struct axis {
    double lo, hi;
    int log;
} axis_t;

static double map(const axis_t *a, double v, double p0, double p1)
{
    double t;
    if (a->log)
        t = (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
    else
        t = (v - a->lo) / (a->hi - a->lo);
    return p0 + t * (p1 - p0);
}

static void esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '&') fputs("&amp;", f);
        else if (*s == '"') fputs("&quot;", f);
        else fputc(*s, f);
    }
}

static void range(const svg_plot_t *p, int ax, axis_t *a, int log)
{
    a->log = log;
    a->lo = INFINITY;
    a->hi = -INFINITY;
    for (int s = 0; s < p->n_series; s++)
        for (int i = 0; i < p->series[s].n; i++) {
            double v = ax ? p->series[s].y[i] : p->series[s].x[i];
            if (!isfinite(v) || (log && v <= 0))
                continue;
            if (v < a->lo) a->lo = v;
            if (v > a->hi) a->hi = v;
        }
    if (!isfinite(a->lo)) {
        a->lo = log ? 1 : 0;
        a->hi = log ? 10 : 1;
    }
    if (log) {
        a->lo = pow(10, floor(log10(a->lo)));
        a->hi = pow(10, ceil(log10(a->hi)));
        if (a->hi <= a->lo) a->hi = a->lo * 10;
    } else {
        double span = a->hi - a->lo;
        if (span <= 0) span = fabs(a->hi) > 0 ? fabs(a->hi) : 1;
        a->lo -= 0.05 * span;
        a->hi += 0.05 * span;
    }
}

static void ticks(FILE *f, const axis_t *a, int vertical)
{
    double vals[64];
    int n = 0;
    if (a->log) {
        for (double v = a->lo; v <= a->hi * 1.0001 && n < 64; v *= 10)
            vals[n++] = v;
    } else {
        double step = pow(10, floor(log10((a->hi - a->lo) / 5)));
        if ((a->hi - a->lo) / step > 10) step *= 2;
        for (double v = ceil(a->lo / step) * step; v <= a->hi && n < 64; v += step)
            vals[n++] = v;
    }
    for (int i = 0; i < n; i++) {
        double v = vals[i];
        char lab[32];
        if (fabs(v) >= 1e4 || (fabs(v) < 1e-2 && v != 0))
            snprintf(lab, sizeof lab, "%.0e", v);
        else
            snprintf(lab, sizeof lab, "%g", v);
        if (vertical) {
            double y = map(a, v, H - B, T);
            fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", L, y, W - R, y);
            fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"13\">%s</text>\n", L - 6, y + 4, lab);
        } else {
            double x = map(a, v, L, W - R);
            fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n", x, T, x, H - B);
            fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\">%s</text>\n", x, H - B + 18, lab);
        }
    }
}

/* One chart's elements; `id` keeps its clip path apart from other charts of the file. */
static void plot_body(FILE *f, const svg_plot_t *p, int id)
{
    axis_t ax, ay;
    range(p, 0, &ax, p->log_x);
    range(p, 1, &ay, p->log_y);
    if (p->diagonal) { /* same range on both axes so y = x is the diagonal */
        double lo = fmin(ax.lo, ay.lo), hi = fmax(ax.hi, ay.hi);
        ax.lo = ay.lo = lo;
        ax.hi = ay.hi = hi;
    }
    fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", W, H);
    fprintf(f, "<text x=\"%d\" y=\"28\" text-anchor=\"middle\" font-size=\"18\" font-weight=\"bold\">", W / 2);
    esc(f, p->title);
    fprintf(f, "</text>\n");
    ticks(f, &ax, 0);
    ticks(f, &ay, 1);
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>\n", L, T,
            W - L - R, H - T - B);
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"15\">", (L + W - R) / 2, H - 25);
    esc(f, p->x_label);
    fprintf(f, "</text>\n<text transform=\"translate(22,%d) rotate(-90)\" text-anchor=\"middle\" font-size=\"15\">",
            (T + H - B) / 2);
    esc(f, p->y_label);
    fprintf(f, "</text>\n");
    if (p->diagonal) {
        double fs[3] = {1.0, 1.0 + p->band, 1.0 - p->band};
        for (int k = 0; k < (p->band > 0 ? 3 : 1); k++) {
            double x0 = ax.lo, x1 = ax.hi;
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" %s clip-path=\"url(#plot%d)\"/>\n",
                    map(&ax, x0, L, W - R), map(&ay, x0 * fs[k], H - B, T), map(&ax, x1, L, W - R),
                    map(&ay, x1 * fs[k], H - B, T), k ? "stroke-dasharray=\"5,4\"" : "", id);
        }
    }
    fprintf(f, "<clipPath id=\"plot%d\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/></clipPath>\n", id, L,
            T, W - L - R, H - T - B);
    for (int s = 0; s < p->n_series; s++) {
        const svg_series_t *se = &p->series[s];
        const char *col = palette[s % SVG_MAX_SERIES];
        if (se->line && se->n > 1) {
            fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", col);
            for (int i = 0; i < se->n; i++)
                fprintf(f, "%.1f,%.1f ", map(&ax, se->x[i], L, W - R), map(&ay, se->y[i], H - B, T));
            fprintf(f, "\"/>\n");
        }
        /* markers on scatter plots and short lines; a long time series is a line alone */
        for (int i = 0; i < se->n && (!se->line || se->n <= 60); i++) {
            if ((ax.log && se->x[i] <= 0) || (ay.log && se->y[i] <= 0) || !isfinite(se->x[i]) || !isfinite(se->y[i]))
                continue;
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" fill-opacity=\"0.75\"/>\n",
                    map(&ax, se->x[i], L, W - R), map(&ay, se->y[i], H - B, T), col);
        }
        /* legend */
        int ly = p->legend_bottom_right ? H - B - 14 - 20 * (p->n_series - 1 - s) : T + 16 + 20 * s;
        int lx = p->legend_bottom_right ? W - R - 260 : L + 16;
        fprintf(f, "<circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"%s\"/>\n<text x=\"%d\" y=\"%d\" font-size=\"13\">", lx, ly,
                col, lx + 10, ly + 4);
        esc(f, se->name);
        fprintf(f, "</text>\n");
    }
    if (p->diagonal && p->band > 0) {
        int ly = T + 16 + 20 * p->n_series;
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"13\" fill=\"#555\">solid: predicted = measured; dashed: &#177;%.0f%%</text>\n",
                L + 10, ly + 4, 100 * p->band);
    }
}

void svg_write(FILE *f, const svg_plot_t *p)
{
    svg_write_stack(f, p, 1);
}

void svg_write_stack(FILE *f, const svg_plot_t *plots, int n)
{
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
               "font-family=\"sans-serif\">\n",
            W, H * n, W, H * n);
    for (int k = 0; k < n; k++) {
        if (n > 1)
            fprintf(f, "<svg x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\">\n", k * H, W, H);
        plot_body(f, &plots[k], k);
        if (n > 1)
            fprintf(f, "</svg>\n");
    }
    fprintf(f, "</svg>\n");
}
