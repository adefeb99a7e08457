/* fig_init_compare.c: initialization schemes side by side: the gradient
 * norm per depth at initialization, and the first epochs of training. */
#include "plots/gf_plot.h"

#include <stdio.h>

/* Dash type of the i-th architecture: solid, dashed, dotted. */
static const char *arch_dash(int i)
{
    static const char *const d[] = {"solid", "(8,4)", "(2,3)"};
    return d[i % 3];
}

/* One line per (scheme, arch): column xc against column yc (p10: 10 to it). */
static void lines(FILE *out, const gf_fig_init_compare *f, const char *file, int xc, int yc,
                  int p10, int key)
{
    const char *sep = "plot ";
    for (int s = 0; s < f->n_schemes; s++)
        for (int a = 0; a < f->n_archs; a++) {
            fprintf(out, "%s'%s' skip 1 using %d:((strcol(1) eq '%s' && strcol(2) eq '%s' && "
                         "abs(column(%d)) < 1e300) ? %s(column(%d)) : NaN) with linespoints "
                         "lc '%s' dt %s pt 7 ps 0.5 lw 2 ",
                    sep, file, xc, f->schemes[s], f->archs[a], yc, p10 ? "10**" : "", yc,
                    gf_plot_depth_color(s), arch_dash(a));
            char t[96];
            snprintf(t, sizeof t, "%s, %s", f->schemes[s], f->archs[a]);
            gf_plot_key(out, key ? t : NULL);
            sep = ", \\\n     ";
        }
    gf_plot_end(out, sep);
}

int gf_fig_init_compare_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_init_compare *f = ctx;
    fputs("set datafile separator \"\\t\"\nset datafile missing 'nan'\n", out);
    gf_plot_multiplot_title(out, term, f->title, f->subtitle, "1,2");
    fputs("set grid xtics ytics lc '#dddddd'\n"
          "set key top right samplen 3 spacing 1.0 opaque box lc '#cccccc' font ',9'\n", out);
    fputs("set title 'gradient at initialization (missing: zero, e.g. fixup)' noenhanced\n"
          "set xlabel 'block boundary l (x_0 input side, x_B output side)' noenhanced\n"
          "set ylabel '||dL/dx_l||' noenhanced\n", out);
    fprintf(out, "set xrange [0:%d]\n", f->blocks > 0 ? f->blocks : 1);
    gf_plot_log10_axis(out, term, "y", f->ylo - 0.2, f->yhi + 0.2);
    lines(out, f, "init_gradnorm.tsv", 3, 4, 0, 1);
    fprintf(out, "set autoscale y\nset format y '%%g'\nset ytics auto\nset mytics default\n"
                 "set title 'first epochs of training' noenhanced\n"
                 "set xlabel 'epoch'\nset ylabel '%s' noenhanced\n"
                 "set xrange [0.8:%g]\nset xtics 1\nunset key\n",
            f->metric_err ? "training error" : "training loss (cross-entropy)",
            f->epochs + 0.2);
    if (!f->metric_err)
        fputs("set logscale y\n", out);
    lines(out, f, "init_curves.tsv", 3, f->metric_err ? 5 : 4, 0, 0);
    fputs("unset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}
