/* densenet.h: `gradflow densenet`: its options, what a run leaves, and its
 * report (densenet_report.c). */
#ifndef CLI_DENSENET_H
#define CLI_DENSENET_H

#include "experiment.h"
#include "run.h"

#include "gradflow.h"

typedef struct densenet_options {
    cli_common c;            /* first: the shared options (out, seeds, quiet, ...) */
    cli_train_opts t;
    int dense;               /* 0 densenet, 1 densenet-bc */
    long depth, growth;      /* the DenseNet's */
    int resnet;              /* the arch compared (gf_arch) */
    long resnet_depth;
    double resnet_mult;
    int mem_depths[GF_DENSE_MAX_DEPTHS], n_mem;
    long mem_batch;
    int quick;
} densenet_options;

/* What a run leaves: the result (first), the data it holds pointers to. */
typedef struct densenet_outcome {
    gf_dense_result res;
    gf_dataset train, test;
    const char *data_name;
} densenet_outcome;

/* The files beyond the library's: table.md (the syllabus' table, measured). 0 or -1. */
int densenet_write_table(const densenet_outcome *o, const char *dir, char *why, size_t size);
/* densenet_memory, densenet_reuse, densenet_connections (.png/.svg/.gp). */
int densenet_figures(cli_run *r, const densenet_outcome *o);
void densenet_summary(const cli_run *r, const densenet_options *opt, const densenet_outcome *o);

#endif
