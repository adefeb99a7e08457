/* gf_plot.h: libgradflow-plot, figures through gnuplot. It stands above
 * libgradflow: it reads the experiments' results, the library never reads it.
 *
 * A figure is a body: a function that writes gnuplot commands reading the
 * run's TSV files. The same body is written three ways:
 *   - into NAME.gp, which redraws NAME.png and NAME.svg from the run folder
 *     (cd there and run `gnuplot NAME.gp`);
 *   - through a pipe to gnuplot, which draws the PNG and SVG under temporary
 *     names that are renamed once gnuplot has exited cleanly;
 *   - to the terminal (`dumb`), for a look without leaving the shell.
 *
 *   plots/gf_gnuplot.h  the handle (gnuplot.c) and the shared style (style.c)
 *   plots/gf_figs.h     the figures' bodies (fig_*.c)
 *   plots/gf_recipes.h  recipes that fill a figure from an experiment's result
 */
#ifndef GF_PLOT_H
#define GF_PLOT_H

#include "plots/gf_gnuplot.h"
#include "plots/gf_figs.h"
#include "plots/gf_recipes.h"

#endif
