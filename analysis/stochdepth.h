/* stochdepth.h: `gradflow stochdepth`: its options, and what it shows of a
 * result (the experiment is the library's gf_grid_* with spec.survival
 * set; the comparison is gf_stochdepth_*). */
#ifndef CLI_STOCHDEPTH_H
#define CLI_STOCHDEPTH_H

#include "experiment.h"

#include "gradflow.h"

typedef struct stochdepth_options {
    cli_common c;                 /* residual archs, width, init, norm, act, seeds, out */
    int depth;
    gf_survival_kind survival;        /* linear or uniform */
    double p_last;                    /* p_B in (0, 1] */
    cli_train_opts t;
} stochdepth_options;

/* stochdepth.tsv in the run folder. 0, or -1 after a one-line error. */
int stochdepth_write(const gf_grid_result *res, const void *o);

/* The rule, the survival probabilities and the expected depth in the manifest. */
void stochdepth_describe(json_t *m, const gf_grid_result *res, const void *o);

/* stochdepth.{gp,png,svg} and gradnorm_training.{gp,png,svg} through r.
 * 0, or CLI_EXIT_RUNTIME after a one-line error. */
int stochdepth_figures(cli_run *r, const gf_grid_result *res, const void *o);

/* Errors, times and the expected saving, the expected depth, the gradients. */
void stochdepth_summary(const gf_grid_result *res, const void *o, int drawn);

#endif
