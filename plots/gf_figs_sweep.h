/* gf_figs_sweep.h: the figures of `gradflow sweep` (part of gf_figs.h, which
 * includes it). */
#ifndef GF_FIGS_SWEEP_H
#define GF_FIGS_SWEEP_H

#include "plots/gf_gnuplot.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- figures: sweep (fig_sweep.c) ---- */
/* A measured quantity over a regular grid as a heat map, read from `data`
 * (x, y, value: x fastest), with a theory curve from `line` (x, y in its
 * columns line_x, line_y) and the measured boundary from `boundary` (x, y)
 * drawn over it. diverging: a blue-white-red palette centred on 0 (a log10
 * ratio), else viridis (an accuracy). */
typedef struct gf_fig_sweep_map {
    const char *title, *subtitle;
    const char *xlabel, *ylabel, *cblabel;
    double xlo, xhi, ylo, yhi;     /* the outer edges of the cells */
    double cblo, cbhi;             /* the colour range (values beyond are clipped) */
    int diverging;
    const char *data;              /* "sweep_phase.tsv" */
    const char *line;              /* "sweep_critical.tsv", or NULL */
    int line_x, line_y;            /* its columns (1-based) */
    const char *line_title;
    const char *boundary;          /* "sweep_boundary.tsv", or NULL */
    const char *boundary_title;
} gf_fig_sweep_map;
int gf_fig_sweep_map_body(FILE *out, gf_term term, const void *ctx);

#ifdef __cplusplus
}
#endif
#endif
