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
    gf_plot_multiplot_begin(out, term, f->title, NULL, layout);
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
    gf_plot_begin(out, term, f->title, NULL);
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
    return gf_plot_end(out, sep);
}

int gf_fig_shatter_depth_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_shatter_depth *f = ctx;
    const int rich = term != GF_TERM_DUMB;
    gf_plot_begin(out, term, f->title, NULL);
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
    return gf_plot_end(out, sep);
}

/* ---- figures ----------------------------------------------------------------------- */

/* The shallowest resolved point of the first arch of a kind (and with batch
 * norm when asked), at depth 4 or more where there is one: a reference
 * line's anchor. */
static int anchor(const gf_shatter_result *res, gf_shatter_kind kind, int bn, int *depth,
                  double *corr)
{
    const gf_shatter_spec *sp = &res->spec;
    *depth = 0;
    *corr = NAN;
    for (int pass = 0; pass < 2; pass++)
        for (int a = 0; a < sp->n_archs; a++) {
            if (sp->archs[a].kind != kind || (pass == 0 && sp->archs[a].batchnorm != bn))
                continue;
            int best = -1;
            for (int d = 0; d < sp->n_depths; d++) {
                if (!(res->point[a * sp->n_depths + d].mean > 0))
                    continue;
                const int db = best >= 0 ? sp->depths[best] : 0, dp = sp->depths[d];
                if (best < 0 || ((dp >= 4) != (db >= 4) ? dp >= 4 : dp < db))
                    best = d;
            }
            if (best >= 0) {
                *depth = sp->depths[best];
                *corr = res->point[a * sp->n_depths + best].mean;
                return a;
            }
        }
    return -1;
}

void gf_shatter_figs_make(const gf_shatter_result *res, gf_shatter_figs *f)
{
    memset(f, 0, sizeof *f);
    const gf_shatter_spec *sp = &res->spec;
    const int n = res->n_series < GF_SHATTER_MAX_NETS ? res->n_series : GF_SHATTER_MAX_NETS;
    for (int i = 0; i < n; i++) {
        const gf_shatter_series *s = &res->series[i];
        const int shallow = s->is_net && s->net.kind != GF_SHATTER_LL && s->net.depth == 2;
        snprintf(f->labels[i], sizeof f->labels[i], "%s%s", s->name,
                 shallow ? " (one hidden layer)" : s->is_net ? "" : " (reference)");
        f->names[i] = s->name;
        f->label_ptrs[i] = f->labels[i];
        f->lag1[i] = s->acf[1];
    }
    snprintf(f->title, sizeof f->title,
             "Shattered gradients: d output / d input across %zu points in [%g, %g], width %zu, "
             "seed %lu",
             sp->points, sp->lo, sp->hi, sp->width, sp->seed0);
    snprintf(f->acf_title, sizeof f->acf_title,
             "Autocorrelation of the gradient along the grid (lag 1 = neighbouring points, "
             "%.4g apart)",
             (sp->hi - sp->lo) / (double)(sp->points - 1));
    f->grad = (gf_fig_shatter){.title = f->title, .nets = f->names, .labels = f->label_ptrs,
                               .lag1 = f->lag1, .n_nets = n, .lo = sp->lo, .hi = sp->hi,
                               .max_lag = sp->max_lag};
    f->acf = f->grad;
    f->acf.title = f->acf_title;
    for (int a = 0; a < sp->n_archs && a < GF_SHATTER_MAX_NETS; a++) {
        gf_shatter_arch_name(&sp->archs[a], f->arch_names[a], sizeof f->arch_names[a]);
        f->archs[a] = f->arch_names[a];
    }
    int dmax = 2;
    double ymin = 1.0;
    for (int i = 0; i < sp->n_archs * sp->n_depths; i++) {
        const gf_shatter_point *p = &res->point[i];
        dmax = p->depth > dmax ? p->depth : dmax;
        if (p->mean > 0)
            ymin = fmin(ymin, fmax(p->mean - p->se, p->mean / 4));
    }
    snprintf(f->depth_title, sizeof f->depth_title,
             "Lag-1 autocorrelation of d output / d x against depth (mean of %d seeds +- s.e.)",
             sp->seeds);
    f->depth = (gf_fig_shatter_depth){.title = f->depth_title, .archs = f->archs,
                                      .n_archs = sp->n_archs < GF_SHATTER_MAX_NETS
                                                     ? sp->n_archs
                                                     : GF_SHATTER_MAX_NETS,
                                      .depth_max = dmax, .ymin = ymin,
                                      .floor = 2.0 / sqrt((double)sp->points * sp->seeds)};
    int a = anchor(res, GF_SHATTER_PREACT, 1, &f->depth.sqrt_depth, &f->depth.sqrt_corr);
    if (a < 0)
        a = anchor(res, GF_SHATTER_RESNET, 1, &f->depth.sqrt_depth, &f->depth.sqrt_corr);
    f->depth.sqrt_arch = a >= 0 && a < GF_SHATTER_MAX_NETS ? f->arch_names[a] : NULL;
    const double span = (sp->hi - sp->lo) / 2;
    snprintf(f->far_title, sizeof f->far_title,
             "Correlation of d output / d x at inputs %g apart (x and x + %g), over the grid "
             "and %d seeds (mean +- s.e.)",
             span, span, sp->seeds);
    f->far = (gf_fig_shatter_far){.title = f->far_title, .archs = f->archs,
                                  .n_archs = f->depth.n_archs, .depth_max = dmax,
                                  .floor = 2.0 / sqrt((double)(sp->points - sp->points / 2) *
                                                      sp->seeds)};
}

int gf_fig_shatter_far_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_shatter_far *f = ctx;
    const int rich = term != GF_TERM_DUMB;
    gf_plot_begin(out, term, f->title, NULL);
    fprintf(out, "set yrange [-1.05:1.05]\nset xrange [0:%g]\n",
            1.04 * (f->depth_max > 0 ? f->depth_max : 2));
    fputs("set xlabel 'depth L (weight layers)' noenhanced\n"
          "set ylabel 'correlation of g(x) and g(x + half the grid)' noenhanced\n"
          "set grid xtics ytics lc '#dddddd'\n"
          "set label 1 '0: uncorrelated, as for independent ReLU patterns at the two inputs "
          "(shattered)' at graph 0.01, graph 0.03 left font ',9' tc '#666666'\n"
          "set key at graph 0.98, graph 0.9 right top Left reverse maxrows 4 samplen 2.5 "
          "opaque box lc '#cccccc' font ',10' noenhanced\n",
          out);
    const char *sep = "plot ";
    for (int i = 0; i < f->n_archs; i++) {
        fprintf(out, "%s'depth.tsv' skip 1 using 2:(strcol(1) eq '%s' ? column(10) : NaN)%s "
                     "lc '%s' lw 2 pt 7 ps 0.8 title '%s'",
                sep, f->archs[i], rich ? ":11 with yerrorlines" : " with linespoints",
                palette(i), f->archs[i]);
        sep = ", \\\n     ";
    }
    fprintf(out, "%s0 with lines lc '#000000' lw 1 notitle", sep);
    if (f->floor > 0)
        fprintf(out, ", \\\n     %.17g with lines lc '#aaaaaa' lw 1 dt 3 title 'white noise, "
                     "by chance (2 s.e.)', \\\n     %.17g with lines lc '#aaaaaa' lw 1 dt 3 "
                     "notitle",
                f->floor, -f->floor);
    return gf_plot_end(out, ", ");
}
