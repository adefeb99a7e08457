/* transformer.h: `gradflow transformer`: its options and what it shows of a
 * result (the experiment is gf_xfmr_run, src/xfmr/). */
#ifndef CLI_TRANSFORMER_H
#define CLI_TRANSFORMER_H

#include "run.h"

#include "gradflow.h"

typedef struct transformer_options {
    cli_common c; /* seeds, seed, out, drawing, quiet */
    int kinds[GF_XFMR_COUNT], n_kinds;
    int layers[GF_XFMR_MAX_DEPTHS], n_layers;
    long width, heads, context, batch;
    int train_kinds[GF_XFMR_COUNT], n_train_kinds;
    long train_layers, train_width, train_batch, steps, warmup, sweep_steps;
    double lr, sweep[GF_XFMR_MAX_LRS];
    int n_sweep;
    const char *text_path; /* NULL: the licenses */
    int quick;
    gf_text text;          /* loaded by the checks (a bad text is a usage error) */
} transformer_options;

int transformer_figures(cli_run *r, const transformer_options *o, const gf_xfmr_result *res);
void transformer_summary(const gf_xfmr_result *res, const transformer_options *o,
                         const char *dir, int drawn);
void transformer_describe(json_t *m, const transformer_options *o, const gf_xfmr_result *res);

#endif
