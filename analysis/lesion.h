/* lesion.h: `gradflow lesion`: its options, and what it shows of the
 * results (the experiment itself is gf_lesion_* in the library, shared with
 * the lessons). */
#ifndef CLI_LESION_H
#define CLI_LESION_H

#include "experiment.h"
#include "run.h"

#include "gradflow.h"

typedef struct lesion_options {
    cli_common c;           /* archs, width, init, norm, act, the nets' seed, out, drawing */
    int depth;
    const char *from;           /* a run folder holding the trained nets; NULL: train them */
    const char *load;           /* or the one net (one --arch) from this file */
    cli_train_opts t;           /* the data; degrade's training, of which --epochs is an
                                 * option here; t.ntest: the images evaluated */
    int data_dir_set;           /* --data-dir given: it overrides the run's */
    int ntest_set;              /* --ntest given */
    long draws, swaps, draw_seed; /* swaps -1: as many as blocks */
    const char *train_option;   /* the first option that shapes training (refused with --from) */
} lesion_options;

/* What the run used, for the summary and the manifest. */
typedef struct lesion_source {
    const char *data_name;      /* "Fashion-MNIST" or "synthetic" */
    const char *data_dir;       /* Fashion-MNIST's folder */
    char run_data_dir[GF_PATH_MAX]; /* the one a --from run's manifest names */
    long ntrain, run_ntest;     /* the nets' training set and the run's test set */
    int epochs[GF_ARCH_COUNT];  /* epochs each net trained (-1: unknown) */
    double trained_err[GF_ARCH_COUNT]; /* test error the training recorded at its end, or NaN */
    double train_seconds;       /* training in this run; 0 when loaded */
} lesion_source;

/* ---- lesion_nets.c: where the nets come from ---- */

/* Read o->from's manifest.json: the nets' width, init, norm and act, the
 * data, the training and test set sizes (into o and src). 0, or -1 after a
 * one-line error; *status is the exit status (2 for an --ntest the run does
 * not have, else 1). */
int lesion_read_run(lesion_options *o, lesion_source *src, int *status);

/* Train the nets into o->c.out (checkpoints/, degrade's training record).
 * 0, or -1 after a one-line error. */
int lesion_train(const lesion_options *o, const gf_dataset *train, const gf_dataset *test,
                 lesion_source *src);

/* Load the nets of o's architectures, depth and seed from
 * dir/checkpoints/, for inputs of in_dim features. 0, or -1 after a
 * one-line error naming the file. */
int lesion_load(const lesion_options *o, const char *dir, size_t in_dim, gf_model **nets,
                lesion_source *src);

/* ---- lesion_report.c ---- */

/* lesion_single, lesion_delete and lesion_swap .gp/.png/.svg through r.
 * 0, or CLI_EXIT_RUNTIME after a one-line error. */
int lesion_figures(cli_run *r, const gf_lesion_result *res, int n, const lesion_source *src);

/* The table and what the numbers say: into summary.txt and, unless quiet,
 * on stdout. 0, or -1 after a one-line error. */
int lesion_summary(const gf_lesion_result *res, int n, const lesion_options *o,
                   const lesion_source *src, int drawn);

/* The settings, the nets and the timings, into the manifest. */
void lesion_describe(json_t *m, const gf_lesion_result *res, int n, const lesion_options *o,
                     const lesion_source *src);

#endif
