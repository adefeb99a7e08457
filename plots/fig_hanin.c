/* fig_hanin.c: Hanin's fluctuations: the variance over initializations of
 * ln ||dL/dx_0||^2 against the sum of reciprocal widths. */
#include "plots/gf_plot.h"

#include <gsl/gsl_sf_psi.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The points, the fitted line and the predicted lines; key: 1 to title them. */
static void series(FILE *out, const gf_fig_hanin *f, int rich, int key)
{
    const char *sep = "plot ";
    for (int i = 0; i < f->n_widths; i++) {
        fprintf(out, "%s'hanin.tsv' skip 1 using 3:(column(2) == %zu ? column(8) : NaN)%s "
                     "with %s lc '%s' pt 7 ps 1.0 lw 1.5 ",
                sep, f->widths[i], rich ? ":10" : "", rich ? "yerrorbars" : "points",
                gf_plot_depth_color(i));
        if (key)
            fprintf(out, "title 'width %zu'", f->widths[i]);
        else
            fputs("notitle", out);
        sep = ", \\\n     ";
    }
    if (isfinite(f->slope)) {
        fprintf(out, "%s%.17g * x with lines lc '#000000' lw 2 ", sep, f->slope);
        gf_plot_key(out, key ? f->fit_label : NULL);
        sep = ", \\\n     ";
    }
    for (int i = 0; f->pred_slope && i < f->n_widths; i++) {
        if (!isfinite(f->pred_slope[i]) || !isfinite(f->pred_intercept[i]))
            continue;
        fprintf(out, "%s(x <= %.17g ? %.17g + %.17g * x : NaN) with lines lc '%s' lw 1.5 "
                     "dt (6,4) ",
                sep, f->pred_xmax ? 1.02 * f->pred_xmax[i] : INFINITY, f->pred_intercept[i],
                f->pred_slope[i], gf_plot_depth_color(i));
        gf_plot_key(out, key && i == 0 ? f->pred_label : NULL);
        sep = ", \\\n     ";
    }
    gf_plot_end(out, sep);
}

int gf_fig_hanin_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_hanin *f = ctx;
    const int rich = term != GF_TERM_DUMB;
    fputs("set datafile separator \"\\t\"\nset datafile missing 'nan'\nset samples 500\n", out);
    const int logpanel = rich && f->xmin > 0 && f->ymin > 0 && f->xmax > f->xmin;
    gf_plot_multiplot_title(out, term, f->title, f->subtitle, logpanel ? "1,2" : "1,1");
    fputs("set xlabel 'beta = sum of 1/width over the ReLU layers  ((depth - 2) / width)' "
          "noenhanced\n",
          out);
    fputs("set ylabel 'variance over seeds of ln ||dL/dx_0||^2' noenhanced\n", out);
    const double xmax = f->xmax > 0 ? f->xmax : 1.0, ymax = f->ymax > 0 ? f->ymax : 1.0;
    fprintf(out, "set xrange [0:%g]\nset yrange [0:%g]\n", 1.05 * xmax, 1.1 * ymax);
    fputs("set grid xtics ytics lc '#dddddd'\n"
          "set key top left Left reverse samplen 3 spacing 1.1 opaque box lc '#cccccc' "
          "font ',10'\n",
          out);
    if (logpanel)
        fputs("set title 'linear axes'\n", out);
    series(out, f, rich, 1);
    if (logpanel) {
        fputs("set title 'log-log axes (a slope of 1 is Var proportional to beta)'\n"
              "set logscale xy\nunset key\nset format x '%g'\nset format y '%g'\n"
              "unset ylabel\n", out);
        fprintf(out, "set xrange [%g:%g]\nset yrange [%g:%g]\n", f->xmin / 1.5, 1.5 * xmax,
                f->ymin / 1.5, 1.5 * ymax);
        series(out, f, rich, 0);
    }
    fputs("unset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}

/* The Q-Q plot's recipe: a key per width with its skewness and kurtosis. */
static void hanin_qq_make(const gf_hanin_result *res, gf_hanin_figs *f, int nw)
{
    snprintf(f->qq_title, sizeof f->qq_title,
             "Is ln ||dL/dx_0||^2 Gaussian (the gradient log-normal)? Q-Q plot per width, %d "
             "initializations per cell",
             res->spec.seeds);
    snprintf(f->qq_subtitle, sizeof f->qq_subtitle,
             "each net's value standardized by its cell's mean and sd, every depth of a width "
             "pooled; a Gaussian lies on the dashed line%s",
             res->dead ? "; dead nets (gradient 0) left out" : "");
    for (int w = 0; w < nw; w++) {
        const gf_hanin_shape *h = &res->shape[w];
        snprintf(f->qq_labels[w], sizeof f->qq_labels[w],
                 "width %zu: skewness %+.2f, excess kurtosis %+.2f (%d nets)", h->width,
                 h->skewness, h->excess_kurtosis, h->n);
        f->qq_label_ptrs[w] = f->qq_labels[w];
    }
    f->qq = (gf_fig_hanin_qq){.title = f->qq_title, .subtitle = f->qq_subtitle,
                              .widths = f->widths, .labels = f->qq_label_ptrs, .n_widths = nw};
}

void gf_hanin_figs_make(const gf_hanin_result *res, gf_hanin_figs *f)
{
    memset(f, 0, sizeof *f);
    const gf_hanin_spec *sp = &res->spec;
    double xmin = INFINITY, xmax = 0.0, ymin = INFINITY, ymax = 0.0;
    for (int c = 0; c < res->n_cells; c++) {
        const gf_hanin_cell *e = &res->cell[c];
        xmax = fmax(xmax, e->beta);
        if (!isfinite(e->variance))
            continue;
        ymax = fmax(ymax, e->variance + e->variance_se);
        if (e->beta > 0)
            xmin = fmin(xmin, e->beta);
        if (e->variance - e->variance_se > 0)
            ymin = fmin(ymin, e->variance - e->variance_se);
    }
    snprintf(f->title, sizeof f->title,
             "Hanin: the spread of ln ||dL/dx_0||^2 over %d initializations grows with "
             "sum 1/width",
             sp->seeds);
    if (isfinite(res->fit.slope))
        snprintf(f->subtitle, sizeof f->subtitle,
                 "plain ReLU, He init, no norm, batch %zu, L = %s; weighted fit through the "
                 "origin: Var = %.2f (+-%.2f) beta%s",
                 sp->batch, sp->xent ? "cross-entropy" : "logit 0", res->fit.slope,
                 res->fit.se_slope, res->dead ? "; dead nets left out" : "");
    else
        snprintf(f->subtitle, sizeof f->subtitle,
                 "plain ReLU, He init, no norm, batch %zu, L = %s; no line fitted (fewer "
                 "than 3 points)",
                 sp->batch, sp->xent ? "cross-entropy" : "logit 0");
    const int nw = sp->n_widths < GF_HANIN_MAX ? sp->n_widths : GF_HANIN_MAX;
    for (int w = 0; w < nw; w++) {
        const size_t n = sp->widths[w];
        f->widths[w] = n;
        /* (depth - 2) v(n) + psi'(n/2) = beta n v(n) + psi'(n/2) */
        const int none = sp->xent || sp->batch != 1; /* the count is for one input */
        f->pred_slope[w] = none ? NAN : (double)n * gf_hanin_layer_var(n);
        f->pred_intercept[w] = none ? NAN : gsl_sf_psi_1(0.5 * (double)n);
        for (int c = 0; c < res->n_cells; c++)
            if (res->cell[c].width == n) {
                f->pred_xmax[w] = fmax(f->pred_xmax[w], res->cell[c].beta);
                if (!none)
                    ymax = fmax(ymax, f->pred_intercept[w] +
                                          f->pred_slope[w] * res->cell[c].beta);
            }
    }
    f->fig = (gf_fig_hanin){.title = f->title, .subtitle = f->subtitle, .widths = f->widths,
                            .n_widths = nw, .slope = res->fit.slope,
                            .fit_label = "weighted fit through the origin", .pred_slope = f->pred_slope,
                            .pred_intercept = f->pred_intercept, .pred_xmax = f->pred_xmax,
                            .pred_label = "predicted, per width (per-layer count)",
                            .xmin = isfinite(xmin) ? xmin : 0.0, .xmax = xmax,
                            .ymin = isfinite(ymin) ? ymin : 0.0, .ymax = ymax};
    hanin_qq_make(res, f, nw);
}

int gf_fig_hanin_qq_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_hanin_qq *f = ctx;
    const int rich = term != GF_TERM_DUMB;
    gf_plot_begin(out, term, f->title, f->subtitle);
    fputs("set xlabel 'Gaussian quantile' noenhanced\n"
          "set ylabel 'ln ||dL/dx_0||^2, standardized per cell (sorted)' noenhanced\n"
          "set xrange [-4:4]\nset yrange [-5:5]\n"
          "set grid xtics ytics lc '#dddddd'\n"
          "set key bottom right Left reverse samplen 2 opaque box lc '#cccccc' font ',10' "
          "noenhanced\n",
          out);
    const char *sep = "plot ";
    for (int i = 0; i < f->n_widths; i++) {
        fprintf(out, "%s'hanin_qq.tsv' skip 1 using 2:(column(1) == %zu ? column(3) : NaN) "
                     "with points pt 7 ps %s lc '%s' ",
                sep, f->widths[i], rich ? "0.5" : "1", gf_plot_depth_color(i));
        gf_plot_key(out, f->labels[i]);
        sep = ", \\\n     ";
    }
    fprintf(out, "%sx with lines lc '#000000' lw 1.5 dt (6,4) ", sep);
    gf_plot_key(out, "Gaussian: z = quantile");
    return gf_plot_end(out, ", \\\n     ");
}
