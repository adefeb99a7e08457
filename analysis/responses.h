/* responses.h: `gradflow responses`: its options, where its nets come from,
 * and what it shows of the measurement (the measurement itself is
 * gf_response_* in the library). */
#ifndef CLI_RESPONSES_H
#define CLI_RESPONSES_H

#include "run.h"

#include "gradflow.h"

enum { RESPONSES_MAX_RUNS = 8 };

typedef struct responses_options {
    cli_common c;                 /* out, drawing, quiet */
    const char *from;             /* DIR[,DIR...] as given */
    char *runs[RESPONSES_MAX_RUNS]; /* the folders (into from_buf) */
    int n_runs;
    char from_buf[4096];
    long ntest;                   /* images evaluated; 0: all of the runs' test set */
} responses_options;

/* The runs' data and nets, and what their manifests recorded. */
typedef struct responses_source {
    const char *data_name;        /* "Fashion-MNIST" or "synthetic" */
    char data_dir[GF_PATH_MAX];
    long ntrain, ntest;           /* the runs' (the same in every run) */
    int epochs_planned;
    double *test_err, *train_err; /* per net of the result: recorded at the end (NaN: none) */
} responses_source;

/* ---- responses_report.c ---- */

int responses_figures(cli_run *r, const gf_response_result *res, const responses_source *src);
void responses_summary(const gf_response_result *res, const responses_source *src,
                       const char *dir, int drawn);
void responses_describe(json_t *m, const gf_response_result *res, const responses_options *o,
                        const responses_source *src);

#endif
