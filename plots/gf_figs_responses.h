/* gf_figs_responses.h: the figures of `gradflow responses` (part of
 * gf_figs.h, which includes it). */
#ifndef GF_FIGS_RESPONSES_H
#define GF_FIGS_RESPONSES_H

#include "plots/gf_gnuplot.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- figures: layer responses (fig_responses.c) ---- */
/* He et al. 2016 Fig. 7: the std of every 3x3 layer's response per net,
 * from responses_mean.tsv (net, arch, depth, layer, seeds, sd_mean, sd_sd,
 * sd_min, sd_max) in the top panel and responses_sorted.tsv (rank in place
 * of layer) in the bottom one; gf_fig_ratio_body: ||F(x_l)|| / ||x_l|| per
 * residual unit from ratio_mean.tsv (net, depth, unit, stage, down, seeds,
 * ratio_mean, ratio_sd, ratio_min, ratio_max). Each mean line in a min-max
 * band over the seeds when bands is 1. */
typedef struct gf_fig_responses {
    const char *title, *ratio_title, *subtitle;
    const char *const *nets;          /* names in the TSVs */
    const int *residual, *depth_rank; /* per net: 1 for a residual net; its depth's rank */
    int n_nets;
    int bands;
    int x_column, mean_column;        /* the body's own: columns of the file it reads */
} gf_fig_responses;
int gf_fig_responses_body(FILE *out, gf_term term, const void *ctx);
int gf_fig_ratio_body(FILE *out, gf_term term, const void *ctx);

#ifdef __cplusplus
}
#endif
#endif
