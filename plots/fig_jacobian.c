/* fig_jacobian.c: the figures of `gradflow jacobian`: singular values per
 * depth, the density of the end-to-end spectrum, the block spectra. */
#include "plots/gf_plot.h"

#include <math.h>
#include <stdio.h>

static const char SEP[] = ", \\\n     ";

static void preamble(FILE *out, gf_term term, const char *title, const char *subtitle,
                     const char *layout)
{
    gf_plot_multiplot_begin(out, term, title, subtitle, layout);
}

/* ---- shared pieces ------------------------------------------------------------ */

/* One plot element: `file` through `using` in a panel; in the legend plot
 * (legend = 1) only its sample and title, and untitled elements not at all.
 * Returns the separator for the next element. */
static const char *element(FILE *out, const char *sep, int legend, const char *file,
                           const char *using, const char *style, const char *title)
{
    if (legend && !title)
        return sep;
    fputs(sep, out);
    if (legend)
        fputs("NaN", out);
    else
        fprintf(out, "'%s' skip 1 using %s", file, using);
    fprintf(out, " with %s ", style);
    gf_plot_key(out, title);
    return SEP;
}

/* Panel i of n side by side above the shared legend (screen coordinates). */
static void panel_margins(FILE *out, int i, int n)
{
    const double left = 0.09, right = 0.98, gap = 0.09;
    const double w = (right - left - (n - 1) * gap) / n, x0 = left + i * (w + gap);
    fprintf(out, "set lmargin at screen %.4f\nset rmargin at screen %.4f\n"
                 "set tmargin at screen 0.86\nset bmargin at screen 0.27\n",
            x0, x0 + w);
}

/* The legend plot under the panels: the same elements, no data. */
static void legend_begin(FILE *out, int maxrows)
{
    fprintf(out, "set lmargin at screen 0.03\nset rmargin at screen 0.97\n"
                 "set tmargin at screen 0.135\nset bmargin at screen 0.01\n"
                 "unset title\nunset xlabel\nunset ylabel\nunset grid\nunset border\n"
                 "unset tics\nunset arrow\nunset logscale\nset xrange [0:1]\nset yrange [0:1]\n"
                 "set key center center vertical Left reverse maxrows %d samplen 2.5 "
                 "width 1\n",
            maxrows);
}

/* ---- singular values per depth ------------------------------------------- */

/* column c of jacobian_mean.tsv where arch and kind match, else NaN */
static const char *mean_col(char *buf, size_t size, const char *arch, const char *kind, int c)
{
    snprintf(buf, size, "3:(strcol(1) eq '%s' && strcol(2) eq '%s' ? column(%d) : NaN)", arch,
             kind, c);
    return buf;
}

/* The elements of one panel (or, kind NULL, of the legend). */
static void depth_elements(FILE *out, gf_term term, const gf_fig_jacobian_depth *f,
                           const char *kind)
{
    const int rich = term != GF_TERM_DUMB, legend = kind == NULL;
    const char *k = kind ? kind : "end", *file = "jacobian_mean.tsv", *sep = "plot ";
    char u[256], style[128], title[160];
    for (int i = 0; i < f->n_archs; i++) {
        const char *a = f->archs[i], *col = gf_plot_color(a);
        if (f->full && rich) { /* smallest nonzero .. largest singular value */
            snprintf(u, sizeof u, "3:(strcol(1) eq '%s' && strcol(2) eq '%s' ? column(8) : "
                                  "NaN):(column(5))", a, k);
            snprintf(style, sizeof style, "filledcurves fc '%s' fs transparent solid 0.15 "
                                          "noborder", col);
            snprintf(title, sizeof title, "%s: smallest nonzero … largest σ", a);
            sep = element(out, sep, legend, file, u, style, title);
        }
        snprintf(style, sizeof style, "lines lc '%s' lw %s", col, f->full ? "1" : "1.5 dt (8,3)");
        snprintf(title, sizeof title, "%s: largest σ (power iteration)", a);
        sep = element(out, sep, legend, file, mean_col(u, sizeof u, a, k, 5), style,
                      f->full ? NULL : title);
        if (f->full)
            sep = element(out, sep, legend, file, mean_col(u, sizeof u, a, k, 8), style, NULL);
        snprintf(style, sizeof style, "linespoints lc '%s' lw 2.5 pt 7 ps 0.5 pi %d", col,
                 f->blocks / 30 + 1);
        snprintf(title, sizeof title, "%s: RMS σ = ||J||_F/√d", a);
        if (!f->no_rms)
            sep = element(out, sep, legend, file, mean_col(u, sizeof u, a, k, 11), style, title);
    }
    int first = 1;
    for (int i = 0; i < f->n_archs && rich; i++) {
        if (!f->theory || !f->theory[i])
            continue;
        sep = element(out, sep, legend, file, mean_col(u, sizeof u, f->archs[i], k, 17),
                      "lines lc '#000000' lw 1.2 dt (5,4)",
                      first ? "theory: product of per-layer gains (RMS)" : NULL);
        first = 0;
    }
    fputc('\n', out);
}

static void depth_panel(FILE *out, gf_term term, const gf_fig_jacobian_depth *f,
                        const char *kind, double lo, double hi)
{
    const int block = kind[0] == 'b';
    if (term != GF_TERM_DUMB)
        panel_margins(out, block, 2);
    gf_plot_title(out, term, block ? "block Jacobian J_l = dx_(l+1) / dx_l"
                             : "end-to-end Jacobian dx_B / dx_l", NULL);
    fprintf(out, "set xlabel '%s' noenhanced\n",
            block ? "block l" : "block boundary l  (x_0 = stem output; dx_B/dx_B = I)");
    fprintf(out, "set xrange [0:%d]\n", block ? (f->blocks > 1 ? f->blocks - 1 : 1) : f->blocks);
    gf_plot_log10_axis(out, term, "y", lo, hi);
    depth_elements(out, term, f, kind);
}

int gf_fig_jacobian_depth_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_jacobian_depth *f = ctx;
    preamble(out, term, f->title, f->subtitle, term == GF_TERM_DUMB ? "1,2" : "2,2");
    fputs("set grid xtics ytics lc '#dddddd'\n", out);
    if (term != GF_TERM_DUMB) /* the terminal would write it across the panels */
        fputs("set ylabel 'singular value  (log scale)'\n", out);
    fputs(term == GF_TERM_DUMB ? "set key below left Left reverse maxcols 2 samplen 2\n"
                               : "unset key\n",
          out);
    depth_panel(out, term, f, "end", f->end_lo, f->end_hi);
    depth_panel(out, term, f, "block", f->block_lo, f->block_hi);
    if (term != GF_TERM_DUMB) {
        legend_begin(out, 4);
        depth_elements(out, term, f, NULL);
    }
    fputs("unset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}

/* ---- density of the end-to-end spectrum ------------------------------------ */

/* one histogram per arch of spectra.tsv's column c (log10_sv or log10_sv_rel) */
static void density_panel(FILE *out, gf_term term, const gf_fig_jacobian_density *f, int c)
{
    const int rich = term != GF_TERM_DUMB;
    const char *sep = "plot ";
    for (int i = 0; i < f->n_archs; i++) {
        const char *a = f->archs[i], *col = gf_plot_color(a);
        const int n = f->count[i] > 0 ? f->count[i] : 1;
        /* rows of other archs, seeds' zeros and other depths go to one bin with weight 0:
         * an undefined point would split the data and smooth frequency would count each
         * piece apart */
        fprintf(out, "%s'spectra.tsv' skip 1 using (ok = strcol(1) eq '%s' && strcol(4) eq "
                     "'end' && column(3) == %d && column(10) == 0, ok ? bin(column(%d)) : "
                     "bin(0)):(ok ? %.17g : 0) smooth frequency with boxes ",
                sep, a, f->l, c, 1.0 / ((double)n * f->bin));
        if (rich)
            fprintf(out, "fs transparent solid 0.35 border lc '%s' lc '%s'", col, col);
        else
            fprintf(out, "lc '%s'", col);
        fprintf(out, " title '%s  (%d values; %.0f%% numerically zero, not drawn)'", a,
                f->count[i], 100.0 * f->zeros[i] / n);
        sep = SEP;
    }
    fputc('\n', out);
}

int gf_fig_jacobian_density_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_jacobian_density *f = ctx;
    preamble(out, term, f->title, f->subtitle, "2,1");
    fprintf(out, "bw = %.17g\nbin(x) = bw * (floor(x / bw) + 0.5)\nset boxwidth bw absolute\n",
            f->bin);
    fputs("set grid xtics ytics lc '#dddddd'\nset style fill transparent solid 0.35\n"
          "set key top center Left reverse samplen 2 opaque box lc '#cccccc'\n",
          out);
    const double ymin = 0.5 / ((double)f->count_max * f->bin); /* below one value's box */
    if (term != GF_TERM_DUMB)
        fprintf(out, "set logscale y\nset yrange [%.17g:*]\nset format y '10^{%%L}'\n",
                ymin);
    fprintf(out, "set ylabel 'density  (fraction per decade, log scale)'\n"
                 "set xlabel 'singular value σ of dx_B/dx_%d  (log scale)'\n",
            f->l);
    gf_plot_log10_axis(out, term, "x", f->lo, f->hi);
    density_panel(out, term, f, 8);
    fprintf(out, "set xlabel 'σ / σ_{max}  (log scale; dashed: the rank "
                 "cut d ε σ_{max})'\n");
    gf_plot_log10_axis(out, term, "x", f->rel_lo, 0.0);
    if (term != GF_TERM_DUMB)
        fprintf(out, "set arrow 1 from first %.17g, graph 0 to first %.17g, graph 1 nohead "
                     "lc '#555555' dt (4,4)\n",
                f->floor, f->floor);
    density_panel(out, term, f, 9);
    fputs("unset arrow 1\nunset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}

/* ---- block spectra ----------------------------------------------------------- */

static void spectra_elements(FILE *out, const gf_fig_block_spectra *f, int i, int legend)
{
    char u[320], style[96], title[64];
    const char *sep = SEP, *a = legend ? "" : f->archs[i];
    if (legend) { /* the constant lines: functions, not data */
        fputs("plot NaN with lines lc '#888888' lw 1 title 'σ = 1'", out);
        fprintf(out, "%sNaN with lines lc '#000000' lw 1.2 dt (5,4) title 'RMS σ, all blocks "
                     "and seeds'",
                SEP);
    } else {
        fputs("plot 0 with lines lc '#888888' lw 1 notitle", out);
        if (!isnan(f->rms[i]))
            fprintf(out, "%s%.17g with lines lc '#000000' lw 1.2 dt (5,4) notitle", SEP,
                    f->rms[i]);
    }
    for (int k = 0; k < f->n_shown; k++) {
        snprintf(u, sizeof u, "6:(strcol(1) eq '%s' && strcol(4) eq 'block' && column(2) == %ld "
                              "&& column(3) == %d && column(10) == 0 ? column(8) : NaN)",
                 a, f->seed, f->shown[k]);
        snprintf(style, sizeof style, "lines lc '%s' lw 2", gf_plot_depth_color(k));
        snprintf(title, sizeof title, "J_{%d}", f->shown[k]);
        sep = element(out, sep, legend, "spectra.tsv", u, style, title);
    }
    fputc('\n', out);
}

int gf_fig_block_spectra_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_block_spectra *f = ctx;
    const int rich = term != GF_TERM_DUMB, n = f->n_archs > 0 ? f->n_archs : 1;
    char layout[16];
    snprintf(layout, sizeof layout, "%d,%d", rich ? 2 : 1, n);
    preamble(out, term, f->title, f->subtitle, layout);
    fputs("set grid xtics ytics lc '#dddddd'\nset xrange [0:1]\nset xtics 0.25\n"
          "set xlabel 'i / d  (sorted, largest first)' noenhanced\nunset key\n",
          out);
    fputs(rich ? "set ylabel 'singular value of J_l  (log scale)'\n" : "set ylabel 'sigma'\n",
          out);
    gf_plot_log10_axis(out, term, "y", f->lo, f->hi);
    for (int i = 0; i < f->n_archs; i++) {
        if (rich)
            panel_margins(out, i, n);
        char t[96];
        if (isnan(f->rms[i]))
            snprintf(t, sizeof t, "%s", f->archs[i]);
        else
            snprintf(t, sizeof t, "%s  (RMS σ = %.3g)", f->archs[i], pow(10.0, f->rms[i]));
        gf_plot_title(out, term, t, NULL);
        spectra_elements(out, f, i, 0);
    }
    if (rich) {
        legend_begin(out, 3);
        spectra_elements(out, f, 0, 1);
    }
    fputs("unset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}
