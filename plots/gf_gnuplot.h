/* gf_gnuplot.h: the gnuplot handle and the style every figure shares.
 *
 * A figure is a recipe: a function that writes gnuplot commands reading the
 * run's TSV files. The same body is written three ways:
 *   - into NAME.gp, which redraws NAME.png and NAME.svg from the run folder
 *     (cd there and run `gnuplot NAME.gp`);
 *   - through a pipe to gnuplot, which draws the PNG and SVG under temporary
 *     names that are renamed once gnuplot has exited cleanly;
 *   - to the terminal (`dumb`), for a look without leaving the shell.
 */
#ifndef GF_GNUPLOT_H
#define GF_GNUPLOT_H

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

/* ---- style (style.c) ---------------------------------------------------- */

/* A log-scale axis for data given as log10 values: range [lo, hi] widened
 * to whole steps of decades, tics labelled 10^k. */
void gf_plot_log10_axis(FILE *out, gf_term term, const char *axis, double lo, double hi);

/* Colour of the i-th depth of a figure, the same in every panel. */
const char *gf_plot_depth_color(int i);

/* Colour of an architecture's curves, the same in every figure (a cnn-X as X). */
const char *gf_plot_color(const char *arch);

/* A plot element's key entry: `title 'TITLE'` (quoted), or `notitle` for NULL. */
void gf_plot_key(FILE *out, const char *title);

/* End a plot command whose elements were each written after sep ("plot "
 * before the first, a comma after): with none written, an empty plot that
 * keeps the panel. 0, or -1 when writing to out failed. */
int gf_plot_end(FILE *out, const char *sep);

/* A title as a gnuplot string: "title", or "title\nsubtitle" on two lines
 * (one line, the title, in the dumb terminal or without a subtitle). */
void gf_plot_title_text(FILE *out, gf_term term, const char *title, const char *subtitle);
/* `set title` with that text, noenhanced. */
void gf_plot_title(FILE *out, gf_term term, const char *title, const char *subtitle);
/* `set multiplot layout LAYOUT title` with that text, noenhanced. */
void gf_plot_multiplot_title(FILE *out, gf_term term, const char *title, const char *subtitle,
                             const char *layout);
/* The head of a figure read from TSV files (tab-separated, 'nan' missing), then
 * gf_plot_title; the multiplot one then gf_plot_multiplot_title. */
void gf_plot_begin(FILE *out, gf_term term, const char *title, const char *subtitle);
void gf_plot_multiplot_begin(FILE *out, gf_term term, const char *title, const char *subtitle,
                             const char *layout);

#ifdef __cplusplus
}
#endif
#endif
