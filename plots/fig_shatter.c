/* fig_shatter.c: shattered gradients (Balduzzi et al. 2017): the gradient
 * across the grid per net, its autocorrelation, and the correlation of
 * neighbouring gradients against depth. */
#include "plots/gf_plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int is_noise(const char *name)
{
    const size_t n = strlen(name);
    return n >= 6 && strcmp(name + n - 6, "-noise") == 0;
}

/* The nets' colours (no grey: the noises are grey), the same order in
 * every figure of the command. */
static const char *palette(int i)
{
    static const char *const colors[] = {"#c0392b", "#2e86c1", "#16a085", "#8e44ad",
                                         "#e6a100", "#d81b60", "#d35400", "#1b2631"};
    return colors[(unsigned)i % (sizeof colors / sizeof *colors)];
}

static const char *color(const gf_fig_shatter *f, int i)
{
    if (is_noise(f->nets[i]))
        return strncmp(f->nets[i], "brown", 5) == 0 ? "#6d4c41" : "#9e9e9e";
    int rank = 0; /* the nets' colours skip the noises */
    for (int j = 0; j < i; j++)
        rank += !is_noise(f->nets[j]);
    return palette(rank);
}

int gf_fig_shatter_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_shatter *f = ctx;
    const int n = f->n_nets > 0 ? f->n_nets : 1;
    const int rows = n <= 4 ? 1 : n <= 8 ? 2 : 3, cols = (n + rows - 1) / rows;
    char layout[32];
    snprintf(layout, sizeof layout, "%d,%d", rows, cols);
    fputs("set datafile separator \"\\t\"\nset datafile missing 'nan'\n", out);
    gf_plot_multiplot_title(out, term, f->title, NULL, layout);
    fprintf(out, "set xrange [%g:%g]\nset xtics %g\nset grid xtics ytics lc '#dddddd'\n"
                 "unset key\nset xlabel 'input x'\nset format y '%%g'\n",
            f->lo, f->hi, (f->hi - f->lo) / 4);
    if (term != GF_TERM_DUMB)
        fputs("set title font ',11'\nset tics font ',9'\n", out);
    for (int i = 0; i < f->n_nets; i++) {
        fprintf(out, "set ylabel '%s'\n", i % cols == 0 ? "d output / d x" : "");
        fputs("set title ", out);
        if (term == GF_TERM_DUMB) {
            gf_plot_quote(out, f->labels[i]);
        } else {
            char t[64];
            snprintf(t, sizeof t, "lag-1 autocorrelation %.3f", f->lag1[i]);
            fputs("sprintf(\"%s\\n%s\", ", out);
            gf_plot_quote(out, f->labels[i]);
            fputs(", ", out);
            gf_plot_quote(out, t);
            fputs(")", out);
        }
        fputs(" noenhanced\n", out);
        fprintf(out, "plot 'shatter.tsv' skip 1 using 2:(strcol(1) eq '%s' ? column(3) : NaN) "
                     "with lines lc '%s' lw 1.2\n",
                f->nets[i], color(f, i));
    }
    if (f->n_nets == 0)
        fputs("plot NaN notitle\n", out);
    fputs("unset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}

int gf_fig_autocorr_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_shatter *f = ctx;
    fputs("set datafile separator \"\\t\"\nset datafile missing 'nan'\n", out);
    fputs("set title ", out);
    gf_plot_quote(out, f->title);
    fputs(" noenhanced\n", out);
    fprintf(out, "set xrange [0:%d]\nset yrange [*:1.05]\nset grid xtics ytics lc '#dddddd'\n",
            f->max_lag > 0 ? f->max_lag : 1);
    fputs("set xlabel 'lag (grid points)'\nset ylabel 'autocorrelation of d output / d x'\n"
          "set key outside right top Left reverse samplen 3 noenhanced\n",
          out);
    fputs("set xzeroaxis lt -1 lc '#888888'\n", out);
    const char *sep = "plot ";
    for (int i = 0; i < f->n_nets; i++) {
        const int noise = is_noise(f->nets[i]);
        fprintf(out, "%s'autocorr.tsv' skip 1 using 2:(strcol(1) eq '%s' ? column(3) : NaN) "
                     "with lines lc '%s' lw %s %s title '%s'",
                sep, f->nets[i], color(f, i), noise ? "1.5" : "2.2",
                noise ? (term == GF_TERM_DUMB ? "" : "dt (6,4)") : "", f->labels[i]);
        sep = ", \\\n     ";
    }
    if (f->n_nets == 0)
        fputs("plot NaN notitle", out);
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
}

int gf_fig_shatter_depth_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_shatter_depth *f = ctx;
    const int rich = term != GF_TERM_DUMB;
    fputs("set datafile separator \"\\t\"\nset datafile missing 'nan'\n", out);
    fputs("set title ", out);
    gf_plot_quote(out, f->title);
    fputs(" noenhanced\n", out);
    double ymin = f->ymin > 0 && f->ymin < 1 ? f->ymin : 1e-3;
    if (f->floor > 0)
        ymin = fmin(ymin, f->floor / 2);
    const double lo = pow(10.0, floor(log10(ymin / 1.5)));
    fprintf(out, "set logscale y\nset yrange [%g:1.5]\nset xrange [0:%g]\nset samples 400\n", lo,
            1.04 * (f->depth_max > 0 ? f->depth_max : 2));
    fputs("set label 1 'means at or below 0 cannot be drawn on a log scale' at graph 0.01, "
          "graph 0.03 left font ',9' tc '#666666'\n", out);
    fputs(rich ? "set format y '10^{%L}'\n" : "set format y '%.0e'\n", out);
    fputs("set xlabel 'depth L (weight layers; plain-2 and resnet-2 are one hidden layer)' "
          "noenhanced\n"
          "set ylabel 'lag-1 autocorrelation of d output / d x'\n"
          "set grid xtics ytics lc '#dddddd'\n"
          "set key below center horizontal Left reverse maxrows 3 samplen 2.5 font ',10' "
          "noenhanced\n",
          out);
    const char *sep = "plot ";
    for (int i = 0; i < f->n_archs; i++) {
        const char *a = f->archs[i], *col = palette(i);
        fprintf(out, "%s'depth.tsv' skip 1 using 2:(strcol(1) eq '%s' && column(4) > 0 ? "
                     "column(4) : NaN)",
                sep, a);
        if (rich)
            fputs(":(column(4) - column(6) > column(4) / 10 ? column(4) - column(6) : "
                  "column(4) / 10):(column(4) + column(6)) with yerrorlines",
                  out);
        else
            fputs(" with linespoints", out);
        fprintf(out, " lc '%s' lw 2 pt 7 ps 0.8 title '%s'", col, a);
        sep = ", \\\n     ";
    }
    if (f->exp_depth > 0 && f->exp_corr > 0) {
        fprintf(out, "%s(x >= %d ? %.17g * 2**(-(x - %d)) : NaN) with lines lc '#000000' lw 1.5 "
                     "dt (8,4) title '2^-L through %s at L = %d (Balduzzi: plain)'",
                sep, f->exp_depth, f->exp_corr, f->exp_depth, f->exp_arch ? f->exp_arch : "?",
                f->exp_depth);
        sep = ", \\\n     ";
    }
    if (f->sqrt_depth > 0 && f->sqrt_corr > 0) {
        fprintf(out, "%s(x >= %d ? %.17g * sqrt(%d.0 / x) : NaN) with lines lc '#000000' lw 1.5 "
                     "dt (2,3) title '1/sqrt(L) through %s at L = %d (Balduzzi: resnets)'",
                sep, f->sqrt_depth, f->sqrt_corr, f->sqrt_depth, f->sqrt_arch ? f->sqrt_arch : "?",
                f->sqrt_depth);
        sep = ", \\\n     ";
    }
    if (f->floor > 0) {
        fprintf(out, "%s%.17g with lines lc '#aaaaaa' lw 1 dt 3 "
                     "title 'white noise, by chance (2 s.e.)'",
                sep, f->floor);
        sep = ", \\\n     ";
    }
    if (*sep == 'p')
        fputs("plot NaN notitle", out);
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
}
