/* fig_gradnorm.c: the per-depth gradient-norm figure and the skip / branch split. */
#include "plots/gf_plot.h"

#include <math.h>
#include <string.h>

/* Blocks 0..xmax on the x axis: whole-number tics when there are few, and a
 * single block (xmax 0) centred rather than an empty range. */
static void x_axis(FILE *out, int xmax)
{
    if (xmax < 1)
        fputs("set xrange [-0.5:0.5]\n", out);
    else
        fprintf(out, "set xrange [0:%d]\n", xmax);
    if (xmax <= 10)
        fputs("set xtics 1\n", out);
}

/* Column filter: the value of column c where column 1 is arch, else NaN. */
static void only(FILE *out, const char *arch, int c)
{
    fprintf(out, "(strcol(1) eq '%s' ? column(%d) : NaN)", arch, c);
}

/* A plot element's data: after sep, column c of file at arch's rows against column 2. */
static void arch_column(FILE *out, const char *sep, const char *file, const char *arch, int c)
{
    fprintf(out, "%s'%s' skip 1 using 2:", sep, file);
    only(out, arch, c);
}

/* One arch's min-max band between columns lo and hi of file; returns the
 * separator for the next plot element. */
static const char *band(FILE *out, const char *sep, const char *file, const char *arch, int lo,
                        int hi)
{
    arch_column(out, sep, file, arch, lo);
    fputc(':', out);
    only(out, arch, hi);
    fprintf(out, " with filledcurves fc '%s' fs transparent solid 0.18 noborder "
                 "title '%s: min-max over seeds'",
            gf_plot_color(arch), arch);
    return ", \\\n     ";
}

/* The predicted lines: dashes, black for plain and a dark shade of the
 * arch's colour for the others, drawn over the measured curves they often
 * hide (in the terminal, under them, where characters overwrite). */
static const char *theory_lines(FILE *out, const gf_fig_gradnorm *f, const char *sep)
{
    for (int i = 0; i < f->n_archs; i++)
        if (f->theory && f->theory[i]) {
            const char *a = f->archs[i];
            const int plain = strcmp(a, "plain") == 0;
            arch_column(out, sep, "gradnorm_mean.tsv", a, 7);
            fprintf(out, " with lines lc '%s' lw 1.5 dt (6,4) title '%s: %s (theory)'",
                    plain ? "#000000" : strcmp(a, "resnet") == 0 ? "#08519c" : "#006d2c", a,
                    plain ? "product of per-layer gains" : "mean-field recursion");
            sep = ", \\\n     ";
        }
    return sep;
}

int gf_fig_gradnorm_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_gradnorm *f = ctx;
    const int rich = term != GF_TERM_DUMB;
    gf_plot_begin(out, term, f->title, f->subtitle);
    fputs("set xlabel 'block boundary l   (x_0 = stem output, x_B = input of the head)' "
          "noenhanced\n",
          out);
    fputs(rich ? "set ylabel '||dL/dx_l||_F  (log scale)' noenhanced\n"
               : "set ylabel '|dL/dx_l|'\n",
          out);
    gf_plot_log10_axis(out, term, "y", f->ymin, f->ymax);
    fprintf(out, "set grid xtics ytics mytics lc '#dddddd'\n"
                 "set key below center horizontal Left reverse maxcols 3 "
                 "samplen 3\n");
    x_axis(out, f->xmax);
    fputs("plot ", out);
    const char *sep = rich ? "" : theory_lines(out, f, "");
    for (int i = 0; i < f->n_archs; i++) {
        const char *a = f->archs[i], *col = gf_plot_color(a);
        if (rich)
            sep = band(out, sep, "gradnorm_mean.tsv", a, 5, 6);
        arch_column(out, sep, "gradnorm_mean.tsv", a, 4);
        fprintf(out, " with linespoints lc '%s' lw 2 pt 7 ps 0.6 pi %d title '%s (geometric mean)'",
                col, f->xmax / 40 + 1, a);
        sep = ", \\\n     ";
    }
    if (rich)
        theory_lines(out, f, sep);
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
}

int gf_fig_split_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_gradnorm *f = ctx;
    const int rich = term != GF_TERM_DUMB;
    gf_plot_multiplot_begin(out, term, f->title, NULL, "2,1");
    /* Top: the two terms of dL/dx_l = skip + branch. */
    fputs("set lmargin 12\nset rmargin 34\n", out);
    fputs(rich ? "set ylabel 'norm of each term  (log scale)' noenhanced\n"
               : "set ylabel 'norm'\n",
          out);
    fputs("unset xlabel\nset format x ''\n", out);
    gf_plot_log10_axis(out, term, "y", f->ymin, f->ymax);
    fprintf(out, "set grid xtics ytics lc '#dddddd'\nset key outside right top Left reverse "
                 "samplen 3\n");
    x_axis(out, f->xmax);
    const char *sep = "plot ";
    for (int i = 0; i < f->n_archs; i++) {
        const char *a = f->archs[i], *col = gf_plot_color(a);
        arch_column(out, sep, "split_mean.tsv", a, 3);
        fprintf(out, " with linespoints lc '%s' lw 2 pt 7 ps 0.5 title '%s: skip term s'", col, a);
        sep = ", \\\n     ";
        arch_column(out, sep, "split_mean.tsv", a, 4);
        fprintf(out, " with linespoints lc '%s' lw 2 dt 2 pt 6 ps 0.5 title '%s: branch term "
                     "J_F^T s'",
                col, a);
    }
    fputc('\n', out);
    /* Bottom: the cosine between them. */
    fputs("set format x '%g'\nset xlabel 'block l  (dL/dx_l = s + J_F^T s,  s = gradient "
          "through the identity)' noenhanced\n",
          out);
    fputs("set ylabel 'cos(skip, branch)' noenhanced\nset yrange [-1.05:1.05]\nset ytics 0.5\n"
          "set format y '%g'\nunset mytics\n",
          out);
    sep = "plot ";
    for (int i = 0; i < f->n_archs; i++) {
        const char *a = f->archs[i], *col = gf_plot_color(a);
        if (rich)
            sep = band(out, sep, "split_mean.tsv", a, 6, 7);
        arch_column(out, sep, "split_mean.tsv", a, 5);
        fprintf(out, " with linespoints lc '%s' lw 2 pt 7 ps 0.5 title '%s: mean cosine'", col, a);
        sep = ", \\\n     ";
    }
    fputs("\nunset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}
