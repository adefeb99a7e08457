/* gf_figs_xfmr.h: the figures of `gradflow transformer` (fig_xfmr.c), read
 * from its TSV files (src/xfmr/write.c); one struct serves the five. */
#ifndef GF_FIGS_XFMR_H
#define GF_FIGS_XFMR_H

#include "plots/gf_gnuplot.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_fig_xfmr {
    const char *subtitle;                /* the settings */
    const char *const *kinds;            /* at initialization */
    int n_kinds;
    const int *layers;                   /* depths at initialization */
    int n_layers;
    const char *const *slope_keys;       /* per kind: "preln: slope -0.41 +- 0.02 (theory -1/2)" */
    const char *const *train_kinds;
    int n_train;
    int train_layers, seeds;
    int n_sweep;                         /* 0: the training figure has no sweep panel */
    long steps, warmup;
    double lr, unigram;
} gf_fig_xfmr;

/* xfmr_grad: per kind a panel, ||grad|| of each layer's MLP weights (solid)
 * and ||dL/dx|| at its input (dashed) against the layer, one colour per
 * depth, mean of log10 over the seeds (grad_init.tsv). */
int gf_fig_xfmr_grad_body(FILE *out, gf_term term, const void *ctx);
/* xfmr_slope: the last layer's MLP gradient against L, log-log, every seed
 * (points) and their mean (line) per kind (last_layer.tsv). */
int gf_fig_xfmr_slope_body(FILE *out, gf_term term, const void *ctx);
/* xfmr_training: left, the loss per step with (solid) and without (dashed)
 * warm-up, band min..max over the seeds (training.tsv); right (when n_sweep
 * > 0), the sweep's final loss against the learning rate with the unigram
 * entropy (sweep.tsv). */
int gf_fig_xfmr_training_body(FILE *out, gf_term term, const void *ctx);
/* xfmr_stream: norm per stream point, ||F(x)||/||x|| per sub-layer, cosine
 * of successive writes; at init (dashed) and trained (solid) (stream.tsv). */
int gf_fig_xfmr_stream_body(FILE *out, gf_term term, const void *ctx);
/* xfmr_lens: the logit lens: loss and agreement with the final top
 * prediction per layer (lens.tsv). */
int gf_fig_xfmr_lens_body(FILE *out, gf_term term, const void *ctx);

#ifdef __cplusplus
}
#endif
#endif
