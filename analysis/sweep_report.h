/* sweep_report.h: what `gradflow sweep` makes of its rows: the phase diagram
 * and trainability maps with their theory lines, the summary. */
#ifndef SWEEP_REPORT_H
#define SWEEP_REPORT_H

#include "run.h"

#include "gradflow.h"

/* The rows of a sweep and what its figures found (filled by sweep_analyse). */
typedef struct sweep_report {
    const gf_sweep_spec *spec;
    const gf_sweep_rows *rows;
    int kind;                 /* 0 none, 1 phase (gradnorm over sw2 x sb2), 2 trainability
                                 (train over sw2 x depth) */
    char why_none[256];       /* why no figure (when the grid has sw2 but does not fit one) */
    int act;                  /* the fixed activation */
    double fixed;             /* phase: the depth; trainability: sb2 */
    int boundary_n, boundary_censored;
    double dist_mean, dist_max, dist_signed; /* phase: |sw2 measured - sw2 critical| per sb2;
                                                trainability: |log10(depth / 6 xi_c)| per sw2 */
    double acc_threshold;     /* trainability: the accuracy that counts as trained */
    double step;              /* the grid's sw2 step */
    long by_status[5];        /* ok, diverged, overflow, failed, invalid */
} sweep_report;

/* Decide the figure, write its tables (sweep_phase.tsv, sweep_critical.tsv,
 * sweep_boundary.tsv, or sweep_train.tsv, sweep_xi.tsv, sweep_trainable.tsv)
 * into dir and measure the boundary's distance. 0, or -1 with a reason. */
int sweep_analyse(sweep_report *rep, const char *dir, char *why, size_t size);
/* The figure of rep->kind (none: nothing). 0, or CLI_EXIT_RUNTIME. */
int sweep_figures(cli_run *r, const sweep_report *rep);
/* The summary on stdout. */
void sweep_summary(const cli_run *r, const sweep_report *rep);
/* The manifest's "analysis" object. */
json_t *sweep_describe(const sweep_report *rep);

#endif
