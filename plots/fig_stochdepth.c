/* fig_stochdepth.c: a net trained whole against the same net trained with
 * stochastic depth: error curves, and the time of every epoch with the time
 * the rule leads one to expect. */
#include "plots/gf_plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The time panel: per epoch, the wall time (filled) and processor time
 * (open) of the training steps of every net, all seeds, from
 * epoch_times.tsv; and the band of times expected of each -sd net. */
static void time_panel(FILE *out, gf_term term, const gf_fig_stochdepth *f)
{
    const gf_fig_curves *c = f->curves;
    gf_plot_title(out, term, f->time_title, NULL);
    fputs(term == GF_TERM_DUMB ? "set ylabel 's'\n"
                               : "set ylabel 'seconds of training steps per epoch'\n",
          out);
    fprintf(out, "set xrange [0.5:%g]\nset yrange [0:%g]\n", c->epochs + 0.5,
            f->tmax > 0 ? f->tmax : 1.0);
    fputs("set key below center horizontal Left reverse samplen 3 maxcols 2\n", out);
    const char *sep = "plot ";
    for (int i = 0; i < c->n_right; i++)
        for (int cpu = 0; cpu <= 1; cpu++) {
            fprintf(out, "%s'epoch_times.tsv' skip 1 using 5:(strcol(1) eq '%s' ? column(%d) : "
                         "NaN) with points lc '%s' pt %d ps %s title '%s %s'",
                    sep, c->right[i], cpu ? 7 : 6, gf_plot_depth_color(c->right_depth_rank[i]),
                    cpu ? 6 : 7, cpu ? "1.1" : "0.9", c->right[i], cpu ? "CPU" : "wall");
            sep = ", \\\n     ";
        }
    for (int i = 0; i < f->n_sd; i++)
        for (int cpu = 0; cpu <= 1; cpu++) { /* whole x block fraction .. whole x mac fraction */
            const double t = cpu ? f->whole_cpu[i] : f->whole_wall[i];
            const double lo = t * f->block_fraction[i], hi = t * f->mac_fraction[i];
            const char *col = gf_plot_depth_color(f->sd_rank[i]), *dt = cpu ? "(4,3)" : "1";
            fprintf(out, "%s'+' using 1:(%.6g):(%.6g) with filledcurves fc '%s' fs transparent "
                         "solid %s noborder title '%s expected, %s: whole x %.3f to x %.3f', "
                         "\\\n     %.6g with lines lc '%s' dt %s notitle, %.6g with lines lc '%s' "
                         "dt %s notitle",
                    sep, lo, hi, col, cpu ? "0.25" : "0.3", f->stochastic[i], cpu ? "CPU" : "wall",
                    f->block_fraction[i], f->mac_fraction[i], lo, col, dt, hi, col, dt);
            sep = ", \\\n     ";
        }
    fputc('\n', out);
}

int gf_fig_stochdepth_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_stochdepth *f = ctx;
    const gf_fig_curves *c = f->curves;
    gf_plot_multiplot_begin(out, term, f->title, f->subtitle, "1,2");
    gf_fig_curves_panel(out, term, c, f->curves_title, c->right, c->right_depth_rank, c->n_right);
    time_panel(out, term, f);
    fputs("unset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}

void gf_stochdepth_figs_make(const gf_grid_result *res, const gf_stochdepth_pair *pairs, int n,
                             const char *title, gf_stochdepth_figs *f)
{
    gf_degrade_figs *b = &f->base;
    gf_degrade_figs_make(res, b);
    for (int i = 0; i < b->curves.n_right; i++)
        b->right_rank[i] = i; /* a colour per net: NET, NET-sd, ... in run order */
    n = n < GF_ARCH_COUNT ? n : GF_ARCH_COUNT;
    for (int i = 0; i < n; i++) {
        f->stochastic[i] = pairs[i].stochastic;
        f->sd_rank[i] = 0;
        for (int j = 0; j < b->curves.n_right; j++)
            if (strcmp(b->right[j], pairs[i].stochastic) == 0)
                f->sd_rank[i] = b->right_rank[j];
        f->wall[i] = pairs[i].seconds_min[0];
        f->cpu[i] = pairs[i].cpu_seconds_min[0];
        f->fb[i] = pairs[i].block_fraction;
        f->fm[i] = pairs[i].mac_fraction;
    }
    double tmax = 0.0;
    for (int i = 0; i < res->n_runs; i++)
        for (int e = 0; e < res->runs[i].epochs_done; e++)
            tmax = fmax(tmax, fmax(res->runs[i].hist[e].seconds,
                                   res->runs[i].hist[e].cpu_seconds));
    snprintf(f->title, sizeof f->title, "%s", title);
    f->fig = (gf_fig_stochdepth){
        .title = f->title, .subtitle = b->subtitle, .curves = &b->curves,
        .curves_title = "error: training (solid), test (dashed)",
        .time_title = "time per epoch, and the time the rule expects",
        .stochastic = f->stochastic, .sd_rank = f->sd_rank, .whole_wall = f->wall,
        .whole_cpu = f->cpu, .block_fraction = f->fb, .mac_fraction = f->fm, .n_sd = n,
        .tmax = 1.15 * tmax};
}
