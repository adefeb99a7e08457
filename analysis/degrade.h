/* degrade.h: `gradflow degrade`: its options, and what it shows of a result
 * (the experiment itself is gf_grid_* in the library, shared with the
 * lesson). */
#ifndef CLI_DEGRADE_H
#define CLI_DEGRADE_H

#include "experiment.h"

#include "gradflow.h"

typedef struct degrade_options {
    cli_common c;                 /* arch list, width, init, norm, act, seeds, out, drawing */
    int depths[GF_GRID_MAX_DEPTHS], n_depths;
    cli_train_opts t;                  /* data, batch, epochs, optimizer, schedule, probes */
    int quick;                    /* --quick: a small run (see cmd_degrade.c) */
    unsigned given;               /* the options given whose defaults --quick or a cnn change */
} degrade_options;

/* degradation.{gp,png,svg} and gradnorm_training.{gp,png,svg} in the run
 * folder. 0, or CLI_EXIT_RUNTIME after a one-line error. */
int degrade_figures(cli_run *r, const gf_grid_result *res);

/* The table and what the numbers say, on stdout. */
void degrade_summary(const gf_grid_result *res, const degrade_options *o, int drawn);

#endif
