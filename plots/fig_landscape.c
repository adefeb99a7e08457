/* fig_landscape.c: loss surfaces, the line from initialization, the
 * trajectory and the curvature (gradflow landscape; Li et al. 2018,
 * Goodfellow et al. 2015, Cohen et al. 2021). */
#include "plots/gf_figs_land.h"
#include "plots/gf_plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* rows x columns for n panels: side by side up to 3, else two rows. */
static void layout(char *buf, size_t size, int n)
{
    snprintf(buf, size, "%d,%d", n <= 3 ? 1 : 2, n <= 3 ? n : (n + 1) / 2);
}

static void panel_title(FILE *out, const char *s)
{
    fputs("set title ", out);
    gf_plot_quote(out, s);
    fputs(" noenhanced\n", out);
}

/* The surfaces, on the map (contour) or in 3-D. */
static int surfaces(FILE *out, gf_term term, const gf_fig_land *f, int map)
{
    char lay[16];
    layout(lay, sizeof lay, f->n_nets);
    gf_plot_multiplot_begin(out, term, f->title, f->subtitle, lay);
    fprintf(out, "set cbrange [%.6g:%.6g]\nset cblabel 'log_{10} loss'\n", f->zlo, f->zhi);
    fputs("set xlabel 'direction 1'\nset ylabel 'direction 2'\nunset key\n", out);
    if (map)
        fprintf(out, "set view map\nset size ratio -1\nset pm3d at b\nunset surface\n"
                     "set contour base\nunset clabel\n"
                     "set cntrparam levels incremental %.6g,%.6g,%.6g\n",
                f->zlo, (f->zhi - f->zlo) / 16.0, f->zhi);
    else
        fprintf(out, "set view 55,35\nset pm3d at s\nset zrange [%.6g:%.6g]\n"
                     "set zlabel 'log_{10} loss' rotate\nset xyplane 0\n", f->zlo, f->zhi);
    for (int i = 0; i < f->n_nets; i++) {
        panel_title(out, f->nets[i]);
        fprintf(out, "splot 'surface-%s.tsv' using 1:2:(log10($3)) with pm3d notitle",
                f->nets[i]);
        if (map)
            fputs(", '' using 1:2:(log10($3)) with lines lc 'white' lw 0.8 nosurface notitle",
                  out);
        fputc('\n', out);
    }
    fputs("unset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}

int gf_fig_land_contour_body(FILE *out, gf_term term, const void *ctx)
{
    return surfaces(out, term, ctx, 1);
}

int gf_fig_land_3d_body(FILE *out, gf_term term, const void *ctx)
{
    return surfaces(out, term, ctx, 0);
}

/* Net i's rows of a file, column c (scaled), else NaN. */
static void only(FILE *out, const char *net, int c, double scale)
{
    fprintf(out, "(strcol(1) eq '%s' ? %g * column(%d) : NaN)", net, scale, c);
}

/* One line per net: color by architecture, dash by depth. */
static void lines(FILE *out, const gf_fig_land *f, const char *file, int xcol, int ycol,
                  double scale, const char *with)
{
    int first_depth = f->n_nets ? f->depths[0] : 0;
    for (int i = 0; i < f->n_nets; i++) {
        fprintf(out, "%s'%s' skip 1 using %d:", i ? ", \\\n     " : "plot ", file, xcol);
        only(out, f->nets[i], ycol, scale);
        fprintf(out, " with %s lc '%s' lw 2 dt %d", with, gf_plot_color(f->archs[i]),
                f->depths[i] == first_depth ? 1 : 2);
        gf_plot_key(out, f->nets[i]);
    }
}

int gf_fig_land_path_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_land *f = ctx;
    gf_plot_multiplot_begin(out, term, f->title, f->subtitle, "1,2");
    fputs("set key top center noenhanced\nset xlabel 'a  (0: initialization, 1: trained)'\n"
          "set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc '#888888' dt 3\n"
          "set arrow 2 from 1, graph 0 to 1, graph 1 nohead lc '#888888' dt 3\n"
          "set logscale y\nset ylabel 'training loss (log scale)'\nset title 'loss'\n", out);
    if (f->path_top > 0.0)
        fprintf(out, "set yrange [*:%.6g]\n", f->path_top);
    lines(out, f, "path.tsv", 4, 5, 1.0, "lines");
    fputs("\nunset logscale y\nset ylabel 'training error (%)'\nset yrange [0:100]\n"
          "set title 'error'\n", out);
    lines(out, f, "path.tsv", 4, 6, 100.0, "lines");
    fputs("\nunset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}

int gf_fig_land_trajectory_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_land *f = ctx;
    char lay[16];
    int n = 0;
    for (int i = 0; i < f->n_nets; i++)
        n += f->has_traj[i];
    layout(lay, sizeof lay, n > 0 ? n : 1);
    gf_plot_multiplot_begin(out, term, f->title, f->subtitle, lay);
    fputs("unset key\nset label 1 'triangle: the start; star: the end' at graph 0.02, graph 0.05 "
          "front\n", out);
    for (int i = 0; i < f->n_nets; i++) {
        if (!f->has_traj[i])
            continue;
        char t[96];
        snprintf(t, sizeof t, "%s: %.1f%% + %.1f%% of the variance", f->nets[i],
                 100.0 * f->share[2 * i], 100.0 * f->share[2 * i + 1]);
        panel_title(out, t);
        fprintf(out, "set xlabel '1st PCA direction (%.1f%%)'\nset ylabel '2nd PCA direction "
                     "(%.1f%%)'\n", 100.0 * f->share[2 * i], 100.0 * f->share[2 * i + 1]);
        fputs("plot 'trajectory.tsv' skip 1 using ", out);
        only(out, f->nets[i], 5, 1.0);
        fputs(":6 with linespoints pt 7 ps 0.6 lw 1.5 ", out);
        fprintf(out, "lc '%s', '' skip 1 using (strcol(1) eq '%s' && column(4) == 0 ? $5 : NaN):6 "
                     "with points pt 9 ps 2 lc 'black', '' skip 1 using (strcol(1) eq '%s' && "
                     "$5 == 0 && $6 == 0 ? 0 : NaN):(0) with points pt 3 ps 3 lc 'black'\n",
                gf_plot_color(f->archs[i]), f->nets[i], f->nets[i]);
    }
    if (n == 0)
        fputs("set title 'no trajectory (nets loaded from a run)'\nplot NaN notitle\n", out);
    fputs("unset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}

int gf_fig_land_sharpness_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_land *f = ctx;
    gf_plot_begin(out, term, f->title, f->subtitle);
    fputs("set key outside right top noenhanced\nset logscale y\nset format y '10^{%L}'\n"
          "set xlabel 'training step'\nset ylabel '|largest Hessian eigenvalue| (open: "
          "negative)'\n", out);
    for (int i = 0; i < f->n_nets; i++) {
        fprintf(out, "%s'sharpness.tsv' skip 1 using 5:(strcol(1) eq '%s' ? abs($7) : NaN) with "
                     "linespoints pt 7 ps 0.8 lc '%s' lw 2 dt %d", i ? ", \\\n     " : "plot ",
                f->nets[i], gf_plot_color(f->archs[i]), f->depths[i] == f->depths[0] ? 1 : 2);
        gf_plot_key(out, f->nets[i]);
        fprintf(out, ", \\\n     '' skip 1 using 5:(strcol(1) eq '%s' && $7 < 0 ? -$7 : NaN) "
                     "with points pt 6 ps 2 lc '%s' notitle", f->nets[i],
                gf_plot_color(f->archs[i]));
    }
    if (f->n_nets > 0) { /* the thresholds, from the first net's rates */
        fprintf(out, ", \\\n     'sharpness.tsv' skip 1 using 5:(strcol(1) eq '%s' ? 2 / $6 : "
                     "NaN) with fsteps lc '#444444' lw 1.5 dt 3 title '2 / lr'", f->nets[0]);
        if (f->momentum > 0.0)
            fprintf(out, ", \\\n     'sharpness.tsv' skip 1 using 5:(strcol(1) eq '%s' ? %.6g / "
                         "$6 : NaN) with fsteps lc '#999999' lw 1.5 dt 2 title '(2 + 2 momentum) "
                         "/ lr'", f->nets[0], 2.0 + 2.0 * f->momentum);
    }
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
}

int gf_fig_identity_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_identity *f = ctx;
    char lay[16];
    snprintf(lay, sizeof lay, "1,%d", f->n_targets);
    gf_plot_multiplot_begin(out, term, f->title, f->subtitle, lay);
    fputs("set key top right noenhanced\nset logscale y\nset format y '10^{%L}'\n"
          "set xlabel 'Adam step'\nset ylabel 'MSE / mean square of the target (0: bottom edge)'\n"
          "set yrange [1e-6:*]\nlowcap(y) = y > 1e-6 ? y : 1e-6\n", out);
    for (int t = 0; t < f->n_targets; t++) {
        panel_title(out, f->targets[t]);
        const char *sep = "plot ";
        for (int i = 0; i < f->n_nets; i++)
            for (int b = 0; b < f->n_blocks; b++) {
                const char *sel = "strcol(1) eq '%s' && column(2) == %d && strcol(3) eq '%s'";
                fprintf(out, "%s'identity_curves.tsv' skip 1 using 4:(", sep);
                fprintf(out, sel, f->nets[i], f->blocks[b], f->targets[t]);
                fprintf(out, " ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '%s' "
                             "fs transparent solid 0.12 noborder notitle, \\\n     ",
                        f->colors[i]);
                fprintf(out, "'' skip 1 using 4:(");
                fprintf(out, sel, f->nets[i], f->blocks[b], f->targets[t]);
                fprintf(out, " ? lowcap($5) : NaN) with lines lc '%s' lw 2 dt %d title '%s, %d blocks'",
                        f->colors[i], b + 1, f->nets[i], f->blocks[b]);
                sep = ", \\\n     ";
            }
        fprintf(out, "%s%g with lines lc '#777777' dt 3 title 'threshold'\n", sep, f->threshold);
    }
    fputs("unset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}
