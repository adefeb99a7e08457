/* degrade.h: `gradflow degrade`, the degradation experiment: its settings,
 * the record of each trained net, and the report (files, figures, summary). */
#ifndef GF_DEGRADE_H
#define GF_DEGRADE_H

#include "options.h"

#include "gradflow.h"

enum { DEGRADE_MAX_DEPTHS = 8 };

typedef enum { DATA_AUTO, DATA_FASHION, DATA_SYNTHETIC } degrade_data;

typedef struct degrade_options {
    gf_common_opts c;                 /* arch list, width, init, norm, act, seeds, out, drawing */
    int depths[DEGRADE_MAX_DEPTHS], n_depths;
    degrade_data data;
    const char *data_dir;
    long ntrain, ntest;
    gf_train_config train;            /* batch, epochs, optimizer, schedule, clip, probes */
    int probe_every_set;              /* 0: once per epoch */
    int resume;
} degrade_options;

/* One trained net and seed: what the trainer recorded, copied out. */
typedef struct degrade_run {
    gf_arch arch;
    int depth;
    long seed;
    char name[24];                    /* "plain-56" */
    gf_epoch_stats *hist;             /* [epochs] */
    int epochs_done;
    gf_train_probe *probes;
    size_t n_probes;
    gf_train_param_norm *pnorms;
    size_t n_pnorms;
    char (*slot_names)[64];           /* the net's parameter names, for pnorms */
    long steps_per_epoch;
    int resumed_from;                 /* epochs read from a checkpoint; 0: fresh */
    int failed;                       /* stopped: why[] says where */
    char why[512];
} degrade_run;

typedef struct degrade_experiment {
    degrade_options o;
    const char *data_name;            /* "Fashion-MNIST" or "synthetic" */
    size_t in_dim, ntrain, ntest;
    degrade_run *runs;                /* arch-major, then depth, then seed */
    int n_runs;
    double wall_seconds;
} degrade_experiment;

/* The files: curves.tsv, curves_mean.tsv, table.md, gradnorm_training.tsv,
 * params_training.tsv (rewritten after every epoch, so an interrupted run
 * keeps what it measured). 0, or -1 after a one-line error. */
int degrade_write_data(const degrade_experiment *x);

/* degradation.{gp,png,svg} and gradnorm_training.{gp,png,svg}; *drawn is
 * 1 when gnuplot drew them. 0, or -1 after a one-line error. */
int degrade_figures(const degrade_experiment *x, int *drawn);

/* The table and what the numbers say, on stdout. */
void degrade_summary(const degrade_experiment *x, int drawn);

/* The final training and test error of (arch, depth) over its seeds: mean
 * and sample standard deviation (0 for one seed); n = seeds that finished. */
void degrade_final(const degrade_experiment *x, gf_arch arch, int depth, double *train_mean,
                   double *train_sd, double *test_mean, double *test_sd, int *n);

#endif
