/* fig_init_compare.c: initialization schemes side by side: the gradient
 * norm per depth at initialization, and the first epochs of training (mean
 * over the seeds, their range as a band). */
#include "plots/gf_plot.h"

#include <stdio.h>

/* Dash type of the i-th architecture: solid, dashed, dotted. */
static const char *arch_dash(int i)
{
    static const char *const d[] = {"solid", "(8,4)", "(2,3)"};
    return d[i % 3];
}

static const char *scheme_color(const gf_fig_init_compare *f, int s)
{
    return f->reference && f->reference[s] ? "#555555" : gf_plot_depth_color(s);
}

/* The rows of (scheme s, arch a): column c, or NaN (p10: 10 to it). */
static void pick(FILE *out, const gf_fig_init_compare *f, int s, int a, int c, int p10)
{
    fprintf(out, "((strcol(1) eq '%s' && strcol(2) eq '%s' && abs(column(%d)) < 1e300) ? "
                 "%s(column(%d)) : NaN)",
            f->schemes[s], f->archs[a], c, p10 ? "10**" : "", c);
}

/* One line per (scheme, arch): column yc against column xc, the band lo..hi
 * below it when lo > 0; the legend entry when key. */
static void lines(FILE *out, const gf_fig_init_compare *f, const char *file, int xc, int yc,
                  int lo, int hi, int p10, int key)
{
    const char *sep = "plot ";
    for (int s = 0; s < f->n_schemes; s++)
        for (int a = 0; lo > 0 && a < f->n_archs; a++) {
            fprintf(out, "%s'%s' skip 1 using %d:", sep, file, xc);
            pick(out, f, s, a, lo, p10);
            fputc(':', out);
            pick(out, f, s, a, hi, p10);
            fprintf(out, " with filledcurves fs transparent solid 0.12 noborder lc '%s' notitle",
                    scheme_color(f, s));
            sep = ", \\\n     ";
        }
    for (int s = 0; s < f->n_schemes; s++)
        for (int a = 0; a < f->n_archs; a++) {
            fprintf(out, "%s'%s' skip 1 using %d:", sep, file, xc);
            pick(out, f, s, a, yc, p10);
            fprintf(out, " with linespoints lc '%s' dt %s pt 7 ps 0.5 lw %s ",
                    scheme_color(f, s), arch_dash(a),
                    f->reference && f->reference[s] ? "1.5" : "2");
            const char *note = f->notes ? f->notes[s * f->n_archs + a] : NULL;
            char t[160];
            snprintf(t, sizeof t, "%s, %s%s%s", f->schemes[s], f->archs[a],
                     note && *note ? ": " : "", note && *note ? note : "");
            gf_plot_key(out, key ? t : NULL);
            sep = ", \\\n     ";
        }
    gf_plot_end(out, sep);
}

int gf_fig_init_compare_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_init_compare *f = ctx;
    gf_plot_multiplot_begin(out, term, f->title, f->subtitle, "1,2");
    fputs("set grid xtics ytics lc '#dddddd'\n"
          "set key top right samplen 3 spacing 1.0 opaque box lc '#cccccc' font ',9'\n", out);
    fputs("set title 'gradient at init; band: the init seeds (fixup: 0, not drawn)' "
          "noenhanced\n"
          "set xlabel 'block boundary l (x_0 input side, x_B output side)' noenhanced\n"
          "set ylabel '||dL/dx_l||' noenhanced\n", out);
    fprintf(out, "set xrange [0:%d]\n", f->blocks > 0 ? f->blocks : 1);
    gf_plot_log10_axis(out, term, "y", f->ylo - 0.2, f->yhi + 0.2);
    lines(out, f, "init_gradnorm.tsv", 3, 4, 5, 6, 0, 1);
    fprintf(out, "set autoscale y\nset format y '%%g'\nset ytics auto\nset mytics default\n"
                 "set title 'training: mean over %d seed%s' noenhanced\n"
                 "set xlabel 'epoch'\nset ylabel '%s' noenhanced\n"
                 "set xrange [0.8:%g]\nset xtics 1\nunset key\n",
            f->seeds, f->seeds > 1 ? "s; band: min..max" : " (no spread: one seed)",
            f->metric_err ? "training error" : "training loss (cross-entropy)",
            f->epochs + 0.2);
    int n_labels = 0; /* the diverged nets, one line each, from the top right */
    for (int s = 0; f->notes && s < f->n_schemes; s++)
        for (int a = 0; a < f->n_archs; a++) {
            const char *note = f->notes[s * f->n_archs + a];
            if (!note || !*note)
                continue;
            char t[160];
            snprintf(t, sizeof t, "%s, %s: %s", f->schemes[s], f->archs[a], note);
            fprintf(out, "set label %d ", 10 + n_labels);
            gf_plot_quote(out, t);
            fprintf(out, " at graph 0.97, graph %g right front noenhanced tc rgb '#c0392b' "
                         "font ',9'\n",
                    0.95 - 0.05 * n_labels);
            n_labels++;
        }
    if (!f->metric_err) /* linear: the losses span less than a decade; a loss beyond 5
                           (a seed on its way to diverge) only hides the rest: the table has it */
        fputs("set yrange [0:*<5]\n", out);
    const int y = f->metric_err ? 9 : 5; /* init_curves.tsv: mean, sd, min, max */
    lines(out, f, "init_curves.tsv", 3, y, f->seeds > 1 ? y + 2 : 0, y + 3, 0, 0);
    for (int i = 0; i < n_labels; i++)
        fprintf(out, "unset label %d\n", 10 + i);
    fputs("unset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}
