/* pathgrad.h: `gradflow pathgrad`: its options, and what it shows of the
 * measured curves (the measurement itself is gf_pathgrad_* in the library,
 * shared with the lesson on the ensemble view). */
#ifndef CLI_PATHGRAD_CMD_H
#define CLI_PATHGRAD_CMD_H

#include "experiment.h"

#include "gradflow.h"
#include "plots/gf_plot.h"

typedef struct pathgrad_options {
    cli_common c;              /* arch (one), depth, width, init, norm, act, seed, out */
    cli_train_opts t;               /* data and training; epochs 0: no training */
    long images;                   /* test images in the analysed batch */
    const char *load;              /* the trained net from this checkpoint instead */
    long samples;                  /* paths per sampled length */
    long bn_warmup;                /* batch norm at init: running statistics from N passes */
    int bn_warmup_set;             /* given on the command line */
    int ks[GF_PATHGRAD_MAX_LENGTHS], n_ks;
    int ks_auto;                   /* 1: gf_pathgrad_default_lengths */
    const char *net_given;         /* the last option of the seed or training (refused with --load) */
    int net_options;               /* an option of the network given: --load's file must match */
} pathgrad_options;

/* What a run measured, for the report. */
typedef struct pathgrad_run {
    gf_pathgrad_curve curve[2];    /* init, and trained when there is one */
    int n_states;
    double test_err[2], test_loss[2]; /* on the test images, evaluation mode */
    const char *data_name;
    size_t n_test;
    gf_stack_config cfg;           /* the network measured */
    int epochs;                    /* trained for (from the checkpoint when loaded); -1 unknown */
    long seed;                     /* the initial weights' seed */
    int bn_warmup;                 /* passes that set the init state's running statistics
                                      (0: none, or no batch norm) */
    size_t warmup_batch;           /* samples per pass */
    char checkpoint[GF_PATH_MAX];  /* the trained net's file */
    double train_seconds, wall_seconds;
} pathgrad_run;

/* pathgrad.png/.svg/.gp and pathgrad_sampling.png/.svg/.gp through run.
 * 0, or CLI_EXIT_RUNTIME after a one-line error. */
int pathgrad_figures(cli_run *run, const pathgrad_run *r);

/* The settings and the readings for manifest.json. */
void pathgrad_describe(json_t *m, const pathgrad_run *r, const pathgrad_options *o);

/* What the numbers say, on stdout. */
void pathgrad_summary(const pathgrad_run *r, const pathgrad_options *o, int drawn);

#endif
