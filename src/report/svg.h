/*
 * svg.h — self-contained SVG charts (scatter and line plots) with axis labels and
 * units, a legend and log or linear axes, readable at 800 px.  Data beside a chart is
 * the caller's business (write a CSV or JSON next to it).
 *
 * Ownership: a plot borrows its series' arrays until svg_write() returns.
 */
#ifndef INFERSIM_SVG_H
#define INFERSIM_SVG_H

#include <stdio.h>

#define SVG_MAX_SERIES 8

typedef struct svg_series {
    const char *name;
    const double *x, *y;   /* n points */
    int n;
    int line;              /* 1: connect points; 0: scatter */
} svg_series_t;

typedef struct svg_plot {
    const char *title;
    const char *x_label, *y_label; /* with units, e.g. "measured (tok/s or ms)" */
    int log_x, log_y;
    int diagonal;          /* draw y = x, and y = x * (1 +- band) when band > 0 */
    double band;
    int legend_bottom_right; /* legend in the lower right corner instead of the upper left */
    int n_series;
    svg_series_t series[SVG_MAX_SERIES];
} svg_plot_t;

/* Write the chart to f (800 x 600). */
void svg_write(FILE *f, const svg_plot_t *p);

/* Write n charts one above the other in one file (800 x 600n). */
void svg_write_stack(FILE *f, const svg_plot_t *plots, int n);

#endif
