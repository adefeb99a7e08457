/* gradnorm_report.h: what `gradflow gradnorm` shows of a run: its figures and
 * the summary on stdout. */
#ifndef GF_GRADNORM_REPORT_H
#define GF_GRADNORM_REPORT_H

#include "gradflow.h"
#include "plots/gf_plot.h"

typedef struct gradnorm_drawing {
    const char *dir;             /* the run folder */
    const gf_stack_config *cfg;
    long batch;
    int draw;                    /* 0: only the .gp scripts */
    int terminal;                /* also draw gradnorm in the terminal */
} gradnorm_drawing;

/* gradnorm.{gp,png,svg} and, with a residual architecture, split.{gp,png,svg};
 * figures of an earlier run that this one does not redraw are removed, so no
 * stale picture sits beside new data. *drawn is 1 when PNG and SVG were
 * drawn. 0, or -1 after a one-line error (a missing gnuplot is a warning). */
int gradnorm_figures(const gf_gradnorm_result *res, const gradnorm_drawing *d, int *drawn);

/* The table of decades per architecture, what it means, and the files written. */
void gradnorm_summary(const gf_gradnorm_result *res, const gf_stack_config *cfg, long batch,
                      const char *dir, int drawn);

#endif
