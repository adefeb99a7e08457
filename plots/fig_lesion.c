/* fig_lesion.c: lesions of trained nets (Veit et al. 2016, Figs. 3 and 5):
 * one block deleted at a time, k random blocks deleted, k pairs swapped. */
#include "plots/gf_plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void header(FILE *out)
{
    fputs("set datafile separator \"\\t\"\nset datafile missing 'nan'\n"
          "set grid xtics ytics lc '#dddddd'\nset style textbox opaque noborder\nset key below center horizontal Left reverse "
          "samplen 3 noenhanced\n",
          out);
}

static void panel_title(FILE *out, const char *title)
{
    fputs("set title ", out);
    gf_plot_quote(out, title);
    fputs(" noenhanced\n", out);
}

/* Room below a panel of a two-panel figure for its key (four entries per
 * net and chance, two a line), the same in both panels so that they line up. */
static void bottom_margin(FILE *out, const gf_fig_lesion *f)
{
    fprintf(out, "set bmargin %d\n", 2 * f->n_nets + 6);
}

/* Integer positions 0..kmax on x, whole-number tics when there are few. */
static void x_positions(FILE *out, int kmax)
{
    fprintf(out, "set xrange [-0.5:%g]\n", kmax + 0.5);
    if (kmax <= 14)
        fputs("set xtics 1\n", out);
    else
        fprintf(out, "set xtics %d\n", kmax <= 40 ? 3 : kmax <= 100 ? 10 : 50);
}

/* Column c of file's rows of net (percent), else NaN. */
static void only(FILE *out, const char *net, int c)
{
    fprintf(out, "(strcol(1) eq '%s' ? 100 * column(%d) : NaN)", net, c);
}

/* A horizontal line at y (percent); returns the next separator. */
static const char *level(FILE *out, const char *sep, double y, const char *color,
                         const char *dash, const char *label)
{
    fprintf(out, "%s%.10g with lines lc '%s' lw 1.5 dt %s title ", sep, y, color, dash);
    gf_plot_quote(out, label);
    return ", \\\n     ";
}

static const char *chance_line(FILE *out, const char *sep, double chance)
{
    char label[64];
    snprintf(label, sizeof label, "chance (%.0f%%)", chance);
    return level(out, sep, chance, "#777777", "3", label);
}

/* Error against the deleted block, with the unlesioned level, for the nets
 * whose residual flag is `residual` (-1: all); errors above `top` (percent)
 * are marked at the top with their value. */
static void single_panel(FILE *out, const gf_fig_lesion *f, int residual, int with_chance,
                         double top)
{
    const char *sep = "plot ";
    for (int i = 0; i < f->n_nets; i++) {
        if (residual >= 0 && (strcmp(f->archs[i], "plain") != 0) != residual)
            continue;
        const char *col = gf_plot_color(f->archs[i]);
        fprintf(out, "%s'lesion_single.tsv' skip 1 using 4:", sep);
        only(out, f->nets[i], 5);
        fprintf(out, " with linespoints lc '%s' lw 2 pt 7 ps 0.7 title '%s: block deleted'", col,
                f->nets[i]);
        if (top < 100.0) { /* off the scale: a triangle at the top, its value down from it */
            fprintf(out, ", \\\n     '' skip 1 using 4:(strcol(1) eq '%s' && 100 * column(5) > "
                         "%.17g ? %.17g : NaN):(sprintf('%%.1f%%%%', 100 * column(5))) with "
                         "labels boxed rotate by 90 right point pt 9 ps 1.2 lc '%s' offset 0,-0.8 "
                         "tc '%s' notitle",
                    f->nets[i], top, top, col, col);
        }
        char label[96];
        snprintf(label, sizeof label, "%s unlesioned (%.2f%%)", f->nets[i], f->base_err[i]);
        sep = level(out, ", \\\n     ", f->base_err[i], col, "(6,3)", label);
    }
    if (with_chance)
        chance_line(out, sep, f->chance);
    fputc('\n', out);
}

int gf_fig_lesion_single_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_lesion *f = ctx;
    int plain = 0, residual = 0;
    for (int i = 0; i < f->n_nets; i++)
        strcmp(f->archs[i], "plain") == 0 ? plain++ : residual++;
    const int zoom = plain > 0 && residual > 0; /* the residual nets' changes are small */
    header(out);
    fputs(zoom ? "set multiplot layout 1,2 title " : "set title ", out);
    gf_plot_title_text(out, term, f->title, f->subtitle);
    fputs(" noenhanced\n", out);
    x_positions(out, f->kmax);
    fputs("set xlabel 'deleted block'\nset ylabel 'test error (%)'\nset yrange [0:100]\n",
          out);
    if (zoom) { /* the same bottom margin in both panels, so they line up */
        bottom_margin(out, f);
        panel_title(out, "all nets");
    }
    single_panel(out, f, -1, 1, 100.0);
    if (zoom) {
        fprintf(out, "set yrange [%.17g:%.17g]\n", f->zoom_lo, f->zoom_hi);
        panel_title(out, f->zoom_hi < 100.0 ? "residual nets, zoomed (triangles: off the scale)"
                                            : "residual nets, zoomed");
        single_panel(out, f, 1, 0, f->zoom_hi);
        fputs("unset multiplot\n", out);
    }
    return ferror(out) ? -1 : 0;
}

/* A band of every net's rows of file between columns lo and hi (percent). */
static const char *band(FILE *out, const char *sep, const char *file, const char *net,
                        const char *col, int lo, int hi, const char *alpha, const char *title)
{
    fprintf(out, "%s'%s' skip 1 using 4:", sep, file);
    only(out, net, lo);
    fputc(':', out);
    only(out, net, hi);
    fprintf(out, " with filledcurves fc '%s' fs transparent solid %s noborder title '%s %s'",
            col, alpha, net, title);
    return ", \\\n     ";
}

/* Per net against k, from a *_mean.tsv: the median (line) in its
 * interquartile band and the min-max band, and the mean (dashed). */
static void count_panel(FILE *out, const gf_fig_lesion *f, const char *file)
{
    const char *sep = "plot ";
    for (int i = 0; i < f->n_nets; i++) {
        const char *col = gf_plot_color(f->archs[i]);
        sep = band(out, sep, file, f->nets[i], col, 8, 9, "0.12", "min-max");
        sep = band(out, sep, file, f->nets[i], col, 12, 14, "0.30", "quartiles");
        fprintf(out, "%s'%s' skip 1 using 4:", sep, file);
        only(out, f->nets[i], 13);
        fprintf(out, " with linespoints lc '%s' lw 2 pt 7 ps 0.6 title '%s median', \\\n     "
                     "'%s' skip 1 using 4:",
                col, f->nets[i], file);
        only(out, f->nets[i], 6);
        fprintf(out, " with lines lc '%s' lw 1.5 dt (6,3) title '%s mean'", col, f->nets[i]);
    }
    chance_line(out, sep, f->chance);
    fputc('\n', out);
}

int gf_fig_lesion_delete_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_lesion *f = ctx;
    header(out);
    gf_plot_title(out, term, f->title, f->subtitle);
    x_positions(out, f->kmax);
    fputs("set xlabel 'blocks deleted (k)'\nset ylabel 'test error (%)'\nset yrange [0:100]\n",
          out);
    fputs("set key maxcols 4\n", out);
    count_panel(out, f, "lesion_delete_mean.tsv");
    return ferror(out) ? -1 : 0;
}

int gf_fig_lesion_swap_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_lesion *f = ctx;
    header(out);
    gf_plot_multiplot_title(out, term, f->title, f->subtitle, "1,2");
    fputs("set ylabel 'test error (%)'\nset yrange [0:100]\n", out);
    bottom_margin(out, f);
    x_positions(out, f->kmax);
    fputs("set xlabel 'pairs of blocks swapped (k)'\n", out);
    panel_title(out, "over the draws: median, quartiles, min-max; mean dashed");
    fputs("set key maxcols 2\n", out);
    count_panel(out, f, "lesion_swap_mean.tsv");
    fputs("set key maxcols auto\n", out);
    /* Veit et al.'s axis: Kendall's tau from 1 (in order) down */
    fprintf(out, "set xrange [1.02:%g]\nset xtics auto\nset xlabel \"Kendall's tau of the "
                 "block order\"\n",
            floor(fmin(f->tau_min, 0.9) * 10.0) / 10.0 - 0.02);
    panel_title(out, "every draw");
    const char *sep = "plot ";
    for (int i = 0; i < f->n_nets; i++) {
        fprintf(out, "%s'lesion_swap.tsv' skip 1 using 8:", sep);
        only(out, f->nets[i], 6);
        fprintf(out, " with points lc '%s' pt 7 ps 0.5 title '%s'", gf_plot_color(f->archs[i]),
                f->nets[i]);
        sep = ", \\\n     ";
    }
    chance_line(out, sep, f->chance);
    fputs("\nunset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}

static int by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The zoomed panel of the single deletions (residual nets, percent): from
 * just below the lowest error to a little above the 80th percentile, or to
 * the largest error when it is not far above that (nothing to clip). */
static void zoom_range(const gf_lesion_result *res, int n, double *lo, double *hi)
{
    size_t m = 0, cap = 1;
    for (int i = 0; i < n; i++)
        cap += (size_t)res[i].blocks + 1;
    double *v = malloc(cap * sizeof *v);
    *lo = 0.0;
    *hi = 100.0;
    for (int i = 0; v && i < n; i++) {
        if (!gf_arch_residual(res[i].arch)) /* plain: MLP or cnn */
            continue;
        v[m++] = 100.0 * res[i].base_err;
        for (int b = 0; b < res[i].blocks; b++)
            v[m++] = 100.0 * res[i].single_err[b];
    }
    if (m > 0) {
        qsort(v, m, sizeof *v, by_value);
        *lo = fmax(0.0, floor(v[0] - 1.0));
        const double q80 = v[(size_t)(0.8 * (double)(m - 1))];
        *hi = q80 + 1.0 + 0.5 * (q80 - *lo);
        if (v[m - 1] <= *hi + (*hi - *lo))
            *hi = v[m - 1] + 1.0;
        *hi = fmin(*hi, 100.0);
    }
    free(v);
}

void gf_lesion_figs_make(const gf_lesion_result *res, int n, const char *data_name,
                         gf_lesion_figs *f)
{
    memset(f, 0, sizeof *f);
    n = n < GF_ARCH_COUNT ? n : GF_ARCH_COUNT;
    int swaps = 0;
    double tau_min = 1.0;
    for (int i = 0; i < n; i++) {
        const gf_lesion_set *s = &res[i].swap;
        for (int k = 0; k <= s->kmax; k++)
            for (int j = 0; j < s->n[k]; j++)
                tau_min = fmin(tau_min, s->tau[(size_t)k * (size_t)s->draws + (size_t)j]);
        f->nets[i] = res[i].name;
        f->archs[i] = gf_arch_names[res[i].arch];
        f->base[i] = 100.0 * res[i].base_err;
        swaps = res[i].swap.kmax > swaps ? res[i].swap.kmax : swaps;
    }
    const gf_lesion_spec *sp = &res[0].spec;
    const double chance = 100.0 * (1.0 - 1.0 / (double)sp->test->classes);
    snprintf(f->subtitle, sizeof f->subtitle,
             "%s, %zu test images; evaluation mode (batch norm with running statistics)",
             data_name, sp->test->n);
    snprintf(f->title[0], sizeof f->title[0],
             "Deleting one block at a time (as Veit et al. 2016, Fig. 3)");
    snprintf(f->title[1], sizeof f->title[1],
             "Deleting k random blocks, %d draws each (as Veit et al. 2016, Fig. 5(a))", sp->draws);
    snprintf(f->title[2], sizeof f->title[2],
             "Reordering: k random pairs of blocks swapped, %d draws each (as Veit et al. "
             "2016, Fig. 5(b))",
             sp->draws);
    gf_fig_lesion *figs[3] = {&f->single, &f->del, &f->swap};
    const int kmax[3] = {res[0].blocks - 1, res[0].del.kmax, swaps};
    for (int i = 0; i < 3; i++)
        *figs[i] = (gf_fig_lesion){.title = f->title[i], .subtitle = f->subtitle,
                                   .nets = f->nets, .archs = f->archs, .base_err = f->base,
                                   .n_nets = n, .kmax = kmax[i], .draws = sp->draws,
                                   .chance = chance, .tau_min = tau_min};
    zoom_range(res, n, &f->single.zoom_lo, &f->single.zoom_hi);
}
