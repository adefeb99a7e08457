/* gf_figs.h: the figures' bodies, one struct of what each draws and the
 * function that writes its gnuplot commands (a gf_plot_body). */
#ifndef GF_FIGS_H
#define GF_FIGS_H

#include "plots/gf_gnuplot.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Gradient norm per depth: gradnorm_mean.tsv (arch, block, seeds,
 * log10_mean, log10_min, log10_max, log10_theory). */
typedef struct gf_fig_gradnorm {
    const char *title;
    const char *subtitle;
    const char *const *archs; /* curves, in order */
    const int *theory;        /* per arch: 1 to draw its log10_theory column */
    int n_archs;
    double ymin, ymax;        /* log10 range of the data (for tics) */
    int xmax;                 /* last index on the x axis */
} gf_fig_gradnorm;
int gf_fig_gradnorm_body(FILE *out, gf_term term, const void *ctx);

/* Skip / branch split per block for residual stacks: split_mean.tsv (arch,
 * block, log10_skip, log10_branch, cos_mean, cos_min, cos_max); ctx is a
 * gf_fig_gradnorm naming the residual architectures. */
int gf_fig_split_body(FILE *out, gf_term term, const void *ctx);

/* Training curves, He et al. 2016 Fig. 6: error against epoch (epoch 0:
 * at initialization, when the file has it), training (solid) and test
 * (dashed), plain nets in the left panel and residual nets in the right,
 * from curves_mean.tsv (net, arch, depth, epoch, seeds, train_err_ mean,
 * min, max, test_err_ mean, min, max, ...; errors as fractions); with bands,
 * each mean line in a shaded band from the minimum to the maximum over seeds. */
typedef struct gf_fig_curves {
    const char *title;
    const char *subtitle;
    const char *const *left, *const *right; /* net names per panel */
    const int *left_depth_rank, *right_depth_rank; /* colour index of each net */
    int n_left, n_right;
    const char *left_title, *right_title;
    int epochs;
    double ymax;                              /* in percent */
    int bands;                                /* 1 (several seeds): the min-max bands */
} gf_fig_curves;
int gf_fig_curves_body(FILE *out, gf_term term, const void *ctx);

/* Gradient norm per depth at several steps of training, one panel per net,
 * from gradnorm_training.tsv (net, arch, depth, seed, step, epoch, probe,
 * kind, block, log10_frob, log10_rms), rows of kind "block". */
typedef struct gf_fig_training_norms {
    const char *title;
    const char *const *nets;                  /* panels */
    int n_nets;
    long seed;
    const long *steps;                        /* the curves of every panel */
    const int *step_epochs;                   /* epoch of each step, for the legend */
    int n_steps;
    int blocks_max;                           /* x range */
    double ymin, ymax;                        /* log10 range */
} gf_fig_training_norms;
int gf_fig_training_norms_body(FILE *out, gf_term term, const void *ctx);

/* ---- figures: paths and pathgrad (fig_paths.c) ---- */
/* Paths of B residual blocks by length (gradflow paths), from paths.tsv
 * (k, paths, log10_paths, fraction, log10_fraction, cumulative): the
 * fraction of the 2^B paths per length, and their number on a log scale. */
typedef struct gf_fig_paths {
    const char *title;
    int blocks;
    int k_lo, k_hi;               /* the central 95% of the paths, shaded */
    double log10_max;             /* log10 of the largest count */
    double central;               /* 0, or the fraction in k_lo..k_hi (the key says it) */
} gf_fig_paths;
int gf_fig_paths_body(FILE *out, gf_term term, const void *ctx);

/* Veit et al. (2016) Fig. 6 from pathgrad.tsv, one curve per state:
 * (a) the fraction of paths per length k, (b) the gradient per path,
 * ||g_k|| / C(B, k), with the sampled mean norm of one path, (c) the total
 * each length carries, ||g_k|| = (a) x (b) x 2^B, with Veit's product
 * C(B, k) x mean ||path||, (d) the cumulative share of sum_k ||g_k|| and of
 * the paths. gf_fig_pathgrad_sampling_body: the sampled estimate of ||g_k||
 * with its standard error against the exact value, a panel per state. */
typedef struct gf_fig_pathgrad {
    const char *title, *subtitle;
    const char *const *states;    /* the state column's values, in order */
    const char *const *labels;    /* their legend text */
    const char *const *sampling_titles; /* the sampling figure's panels, or NULL: labels */
    int n_states;
    int blocks;
    int sampled;                  /* 1 when some length was sampled */
    double per_path[2];           /* log10 ranges: panel (b), */
    double total[2];              /* panel (c) */
    double sampling[2];           /* and the sampling figure */
} gf_fig_pathgrad;
int gf_fig_pathgrad_body(FILE *out, gf_term term, const void *ctx);
int gf_fig_pathgrad_sampling_body(FILE *out, gf_term term, const void *ctx);

/* ---- figures: lesion (fig_lesion.c) ---- */
/* Lesions of trained nets, after Veit et al. 2016 (errors are fractions in
 * the TSVs, drawn in percent):
 *   single: test error against the deleted block, lesion_single.tsv (net,
 *     arch, depth, block, test_err, ...), each net's unlesioned error as a
 *     dashed line, chance as a dotted one; a second panel zooms on the
 *     residual nets, errors beyond its range marked at its top (Fig. 3);
 *   delete: error against the number k of random blocks deleted,
 *     lesion_delete_mean.tsv (net, arch, depth, k, draws, err_mean, err_sd,
 *     err_min, err_max, tau_mean, loss_mean, err_q25, err_median, err_q75):
 *     the median in its interquartile band, the min-max band, the mean
 *     dashed (Fig. 5(a));
 *   swap: the same against k swapped pairs from lesion_swap_mean.tsv, and
 *     every draw's error against its order's Kendall's tau from
 *     lesion_swap.tsv (column 8) (Fig. 5(b)). */
typedef struct gf_fig_lesion {
    const char *title, *subtitle;
    const char *const *nets, *const *archs; /* per net: name in the TSVs, arch (its colour) */
    const double *base_err;                 /* per net: the unlesioned error, percent */
    int n_nets;
    int kmax;                               /* the last block (single) or the largest k */
    int draws;
    double chance;                          /* percent: 100 (1 - 1 / classes) */
    double tau_min;                         /* swap: the smallest Kendall's tau drawn */
    double zoom_lo, zoom_hi;                /* single: the zoomed panel's range, percent;
                                               errors above are marked at its top */
} gf_fig_lesion;
int gf_fig_lesion_single_body(FILE *out, gf_term term, const void *ctx);
int gf_fig_lesion_delete_body(FILE *out, gf_term term, const void *ctx);
int gf_fig_lesion_swap_body(FILE *out, gf_term term, const void *ctx);

/* ---- figures: stochdepth (fig_stochdepth.c) ---- */
/* Shared with the figures of training runs (defined in fig_training.c): one
 * panel of error curves of nets (training solid, test dashed, colour
 * gf_plot_depth_color of rank[i]) with f's axes (epochs, ymax) and, with
 * f->bands, their seed bands (not in the dumb terminal). */
void gf_fig_curves_panel(FILE *out, gf_term term, const gf_fig_curves *f, const char *title,
                         const char *const *nets, const int *rank, int n);

/* Stochastic depth against the whole net, two panels: the error curves of
 * curves->right (from curves_mean.tsv), and the time of each epoch's
 * training steps of the same nets, wall (filled) and processor (open)
 * (epoch_times.tsv: net, arch, depth, seed, epoch, seconds, cpu_seconds,
 * eval_seconds), with, per -sd net, the band of times its whole net's
 * fastest epoch predicts: from times the fraction of blocks run to times the
 * share of multiply-adds run (wall: shaded; processor: outlined). */
typedef struct gf_fig_stochdepth {
    const char *title, *subtitle;
    const gf_fig_curves *curves;              /* nets, colours, epochs, error range */
    const char *curves_title, *time_title;
    const char *const *stochastic;            /* the -sd nets */
    const int *sd_rank;                       /* their colours */
    const double *whole_wall, *whole_cpu;     /* fastest epoch of each one's whole net (s) */
    const double *block_fraction, *mac_fraction;
    int n_sd;
    double tmax;                              /* seconds: the time axis */
} gf_fig_stochdepth;
int gf_fig_stochdepth_body(FILE *out, gf_term term, const void *ctx);

/* ---- figures: jacobian (fig_jacobian.c) ---- */
/* Singular values per depth, from jacobian_mean.tsv (arch, kind, l, seeds,
 * log10_sv_max [5], min, max, log10_sv_min_nonzero [8], min, max,
 * log10_rms_gain [11], min, max, log10_condition_range, rank, singular_seeds,
 * log10_theory_rms_gain [17]): left the end-to-end dx_B/dx_l, right the block
 * J_l. Per arch a band from the smallest nonzero to the largest singular
 * value (full spectra) or the largest alone (power iteration), and the RMS
 * singular value; the predicted RMS gain in black dashes. */
typedef struct gf_fig_jacobian_depth {
    const char *title, *subtitle;
    const char *const *archs;
    int n_archs;
    int blocks;
    int full;                       /* smallest singular values were computed */
    int no_rms;                     /* ||J||_F not computed (matrix-free): no RMS curves */
    const int *theory;              /* per arch: draw the prediction */
    double end_lo, end_hi, block_lo, block_hi; /* log10 ranges of the panels */
} gf_fig_jacobian_depth;
int gf_fig_jacobian_depth_body(FILE *out, gf_term term, const void *ctx);

/* Density of the singular values of dx_B/dx_l at one l, per arch, pooled over
 * seeds, from spectra.tsv (arch, seed, l, kind, index, quantile, sv,
 * log10_sv [8], log10_sv_rel [9], zero [10]): top log10 sigma, bottom
 * log10 sigma / sigma_max. Numerically zero values are counted in the key,
 * not drawn; the area under a histogram is the nonzero fraction. */
typedef struct gf_fig_jacobian_density {
    const char *title, *subtitle;
    const char *const *archs;
    int n_archs;
    int l;
    const int *count, *zeros;       /* per arch: values at l, numerically zero ones */
    int count_max;                  /* the largest count (sets the density axis) */
    double bin;                     /* decades per bin */
    double lo, hi, rel_lo;          /* log10 ranges: sigma, sigma / sigma_max */
    double floor;                   /* log10(d eps): the rank cut, relative */
} gf_fig_jacobian_density;
int gf_fig_jacobian_density_body(FILE *out, gf_term term, const void *ctx);

/* Sorted singular values of J_l at chosen blocks (one seed), a panel per
 * arch, from spectra.tsv (kind block); a line at 1 and one at the arch's RMS
 * singular value over all blocks and seeds. */
typedef struct gf_fig_block_spectra {
    const char *title, *subtitle;
    const char *const *archs;
    int n_archs;
    const int *shown;               /* the blocks drawn */
    int n_shown;
    long seed;
    const double *rms;              /* per arch: log10 RMS singular value, NaN: none */
    double lo, hi;                  /* log10 range */
} gf_fig_block_spectra;
int gf_fig_block_spectra_body(FILE *out, gf_term term, const void *ctx);

/* hanin and shatter: plots/gf_figs_fluct.h (included at the end) */

/* ---- figures: theory (fig_theory.c) ---- */
/* The order-to-chaos phase diagram: x = sigma_w^2, y = sigma_b^2; colour
 * log10 xi_c from phase.tsv (column 15, a regular grid, x fastest), the
 * critical line from critical.tsv (sigma_b2, sigma_w2), the trainable band
 * of each depth from band.tsv (rows band_first[d] on: band_left[d] rows of
 * its left edge upward, band_right[d] of its right edge downward: one closed
 * polygon), and the points of theory_points.tsv (label, sigma_w2, sigma_b2). */
typedef struct gf_fig_phase {
    const char *title;
    const char *subtitle;
    double xlo, xhi, ylo, yhi;
    const double *depths;
    int n_depths;
    const int *band_first, *band_left, *band_right;
    int n_points;
    int chaotic;              /* chi_1 > 1 is a chaotic phase (tanh), else only exploding */
    const char *chaos_note;   /* NULL, or where the chi_1 > 1 side has no colour (no q*): why */
    const char *bottom_note;  /* NULL, or a note on the bottom row (sigma_b^2 = 0) */
    const char *outside_note; /* NULL, or the points of theory_points.tsv off the plot */
} gf_fig_phase;
int gf_fig_phase_body(FILE *out, gf_term term, const void *ctx);

/* ---- figures: init-compare (fig_init_compare.c) ---- */
/* Initialization schemes, two panels: log10 ||dL/dx_l|| per block boundary
 * from init_gradnorm.tsv (scheme, arch, block, log10 mean, min, max over the
 * init seeds; -inf not drawn) on the log10 axis [ylo, yhi], and the training
 * loss (log y) or error per epoch from init_curves.tsv (scheme, arch, epoch,
 * seeds, then mean, sd, min, max of train loss, train err, test err): the
 * mean, with several seeds their min..max as a band. Colour of the scheme
 * (grey: reference), dash of the arch; notes[s * n_archs + a] ("diverged at
 * step 3") follow the legend entry and are written on the right panel. */
typedef struct gf_fig_init_compare {
    const char *title, *subtitle;
    const char *const *schemes, *const *archs; /* as in the TSVs' first two columns */
    const int *reference;                     /* [n_schemes]: 1 drawn grey, for reference */
    const char *const *notes;                 /* [n_schemes * n_archs]: NULL or "" for none */
    int n_schemes, n_archs;
    int blocks, epochs, seeds;
    int metric_err;                           /* right panel: 1 error, 0 loss */
    double ylo, yhi;
} gf_fig_init_compare;
int gf_fig_init_compare_body(FILE *out, gf_term term, const void *ctx);

/* ---- figures: densenet (fig_densenet.c) ---- */
/* The tape's memory of one training step against depth from memory.tsv (net,
 * depth, params, batch, bytes, MiB): one line per net in nets[] (its first
 * column), log-log axes (quadratic growth is slope 2, linear slope 1). */
typedef struct gf_fig_dense_memory {
    const char *title, *subtitle;
    const char *const *nets, *const *labels;
    int n_nets;
    double xmin, xmax, ymin, ymax; /* depth, MiB */
} gf_fig_dense_memory;
int gf_fig_dense_memory_body(FILE *out, gf_term term, const void *ctx);

/* One heat map per dense block from file (block, target, source, values):
 * column `column` coloured over [cbmin, cbmax], source on x (0: the block's
 * input), target layer on y (layers + 1: last_label[b], the transition or
 * the classifier). */
typedef struct gf_fig_dense_map {
    const char *title, *subtitle, *file, *cblabel;
    int column, layers;
    double cbmin, cbmax;
    const char *last_label[3];
} gf_fig_dense_map;
int gf_fig_dense_map_body(FILE *out, gf_term term, const void *ctx);

#ifdef __cplusplus
}
#endif

#include "plots/gf_figs_fluct.h"
#include "plots/gf_figs_sweep.h"
#include "plots/gf_figs_xfmr.h"
#include "plots/gf_figs_responses.h"

#endif
