/* gf_figs_fluct.h: the figures of the fluctuation experiments at
 * initialization, hanin and shatter (part of gf_figs.h, which includes it). */
#ifndef GF_FIGS_FLUCT_H
#define GF_FIGS_FLUCT_H

#include "plots/gf_gnuplot.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- figures: hanin and shatter (fig_hanin.c, fig_shatter.c) ---- */
/* Hanin's fluctuations: the variance over seeds of ln ||dL/dx_0||^2 against
 * beta = sum 1/width from hanin.tsv (depth, width, sum_inv_width, seeds,
 * dead, dead_fraction, mean, variance, sd, variance_se, ...): one colour per
 * width, bars of one standard error, the fitted line and, per width, a predicted line
 * (dashed, in the width's colour, up to that width's largest beta; NaN:
 * none). Two panels: linear axes, and log-log for the small values. */
typedef struct gf_fig_hanin {
    const char *title, *subtitle;
    const size_t *widths;                     /* one point series each */
    int n_widths;
    double slope;                             /* the fitted line slope x; NaN: none */
    const char *fit_label;                    /* its key */
    const double *pred_slope, *pred_intercept, *pred_xmax; /* per width */
    const char *pred_label;                   /* the key's words for the predicted lines */
    double xmin, xmax, ymin, ymax;            /* the data (xmin, ymin > 0: the log panel) */
} gf_fig_hanin;
int gf_fig_hanin_body(FILE *out, gf_term term, const void *ctx);
/* Q-Q plot of ln ||dL/dx_0||^2 from hanin_qq.tsv (width, normal_quantile, z):
 * a width's standardized values against the Gaussian's quantiles, one colour
 * per width (gf_plot_depth_color, as in gf_fig_hanin), and the line z = q. */
typedef struct gf_fig_hanin_qq {
    const char *title, *subtitle;
    const size_t *widths;
    const char *const *labels;                /* per width: its key */
    int n_widths;
} gf_fig_hanin_qq;
int gf_fig_hanin_qq_body(FILE *out, gf_term term, const void *ctx);

/* Shattered gradients (Balduzzi et al. 2017, Fig. 1 and 2): one small panel
 * per net of the gradient against x from shatter.tsv (net, x, gradient,
 * output), and the autocorrelation against lag from autocorr.tsv (net, lag,
 * correlation): nets whose name ends in "-noise" grey and dashed. */
typedef struct gf_fig_shatter {
    const char *title;
    const char *const *nets, *const *labels;  /* names in the TSVs; panel titles */
    const double *lag1;                       /* per net: the lag-1 autocorrelation */
    int n_nets;
    double lo, hi;                            /* the grid */
    int max_lag;
} gf_fig_shatter;
int gf_fig_shatter_body(FILE *out, gf_term term, const void *ctx);
int gf_fig_autocorr_body(FILE *out, gf_term term, const void *ctx);

/* The lag-1 correlation against depth from depth.tsv (arch, depth, seeds,
 * correlation, sd, se, ...), log y, mean +- standard error per arch (means
 * at or below 0 cannot be drawn), with c / sqrt(L) through (sqrt_depth,
 * sqrt_corr) (depth 0: not drawn; Balduzzi's 2^-L is not drawn: it assumes
 * independent ReLU patterns at the two inputs, which neighbours do not
 * have), and the level that white noise reaches by chance. */
typedef struct gf_fig_shatter_depth {
    const char *title;
    const char *const *archs;
    int n_archs;
    int depth_max;
    double ymin;
    int sqrt_depth;
    double sqrt_corr;
    const char *sqrt_arch;                    /* the arch the reference passes through */
    double floor;                             /* 2 / sqrt(points x seeds): white noise's two
                                                 standard errors, dotted (0: none) */
} gf_fig_shatter_depth;
int gf_fig_shatter_depth_body(FILE *out, gf_term term, const void *ctx);
/* The correlation of the gradients at distant inputs against depth from
 * depth.tsv (columns 10 and 11: far_correlation, far_se), linear y from -1
 * to 1, mean +- standard error per arch, 0 and white noise's +-floor. */
typedef struct gf_fig_shatter_far {
    const char *title;
    const char *const *archs;
    int n_archs;
    int depth_max;
    double floor;                             /* 2 / sqrt(pairs x seeds) (0: none) */
} gf_fig_shatter_far;
int gf_fig_shatter_far_body(FILE *out, gf_term term, const void *ctx);

#ifdef __cplusplus
}
#endif
#endif
