/* jacobian_report.h: what `gradflow jacobian` shows of a run: its figures and
 * the summary on stdout. */
#ifndef GF_JACOBIAN_REPORT_H
#define GF_JACOBIAN_REPORT_H

#include "gradflow.h"
#include "plots/gf_plot.h"

typedef struct jacobian_drawing {
    const char *dir;             /* the run folder */
    int draw;                    /* 0: only the .gp scripts */
    int terminal;                /* also draw the per-depth figure in the terminal */
    const char *batchnorm;       /* how batch norm's statistics were set, for subtitles */
} jacobian_drawing;

/* jacobian_depth.{gp,png,svg} always; with full spectra (and a nonzero
 * value to draw) also jacobian_density.* and block_spectra.*, *spectral = 1;
 * stale ones of an earlier run are removed. *drawn is 1 when the pictures
 * were drawn. 0, or -1 after a one-line error (a missing gnuplot is a
 * warning). */
int jacobian_figures(const gf_jacobian_result *res, const jacobian_drawing *d, int *drawn,
                     int *spectral);

/* The numbers that tell the story, what they mean, and the files written. */
void jacobian_summary(const gf_jacobian_result *res, const jacobian_drawing *d, int drawn,
                      int spectral);

/* Summary numbers for manifest.json: per arch, dx_B/dx_0 and the blocks. */
json_t *jacobian_manifest_results(const gf_jacobian_result *res);

#endif
