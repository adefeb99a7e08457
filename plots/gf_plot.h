/* gf_plot.h: figures through gnuplot.
 *
 * A figure is a recipe: a function that writes gnuplot commands reading the
 * run's TSV files. The same body is written three ways:
 *   - into NAME.gp, which redraws NAME.png and NAME.svg from the run folder
 *     (cd there and run `gnuplot NAME.gp`);
 *   - through a pipe to gnuplot, which draws the PNG and SVG under temporary
 *     names that are renamed once gnuplot has exited cleanly;
 *   - to the terminal (`dumb`), for a look without leaving the shell.
 */
#ifndef GF_PLOT_H
#define GF_PLOT_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { GF_TERM_PNG, GF_TERM_SVG, GF_TERM_DUMB } gf_term;

/* Writes the plot commands (no terminal, no output) for terminal `term`;
 * ctx is the recipe's own data. Returns 0 or -1. */
typedef int (*gf_plot_body)(FILE *out, gf_term term, const void *ctx);

/* Write dir/NAME.gp, then draw dir/NAME.png and dir/NAME.svg with gnuplot.
 * Returns 0; 1 when gnuplot is not installed (the .gp is written and a
 * warning saying how to draw later goes to stderr); -1 on any other failure,
 * with a one-line reason in why. */
int gf_plot_figure(const char *dir, const char *name, gf_plot_body body, const void *ctx,
                   char *why, size_t size);

/* Only write dir/NAME.gp (nothing drawn). 0, or -1 with a reason. */
int gf_plot_script(const char *dir, const char *name, gf_plot_body body, const void *ctx,
                   char *why, size_t size);

/* Draw in the terminal (stdout) with gnuplot's dumb terminal, reading the
 * TSV files from dir. Same return values. */
int gf_plot_terminal(const char *dir, gf_plot_body body, const void *ctx, int columns, int rows,
                     char *why, size_t size);

/* 1 when a gnuplot program can be started. */
int gf_plot_available(void);

/* Quote s for a gnuplot single-quoted string ('' escapes '). */
void gf_plot_quote(FILE *out, const char *s);

/* Quote s for the shell (single quotes, '\'' for a quote). */
void gf_plot_quote_shell(FILE *out, const char *s);

/* A log-scale axis for data given as log10 values: range [lo, hi] widened
 * to whole steps of decades, tics labelled 10^k. */
void gf_plot_log10_axis(FILE *out, gf_term term, const char *axis, double lo, double hi);

/* ---- figures ------------------------------------------------------------ */

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

/* Training curves, He et al. 2016 Fig. 6: error against epoch, training
 * (solid) and test (dashed), plain nets in the left panel and residual nets
 * in the right, from curves_mean.tsv (net, arch, depth, epoch, seeds,
 * train_err_mean, train_err_min, train_err_max, test_err_mean, test_err_min,
 * test_err_max, ...; errors as fractions). */
typedef struct gf_fig_curves {
    const char *title;
    const char *subtitle;
    const char *const *left, *const *right; /* net names per panel */
    const int *left_depth_rank, *right_depth_rank; /* colour index of each net */
    int n_left, n_right;
    const char *left_title, *right_title;
    int epochs;
    double ymax;                              /* in percent */
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

/* ---- figures: lesion (fig_lesion.c) ---- */

/* ---- figures: stochdepth (fig_stochdepth.c) ---- */

/* Colour of the i-th depth of a figure, the same in every panel. */
const char *gf_plot_depth_color(int i);

/* Colour of an architecture's curves, the same in every figure. */
const char *gf_plot_color(const char *arch);

#ifdef __cplusplus
}
#endif
#endif
