/* fig_training.c: figures of training runs: error curves (He et al. Fig. 6)
 * and the per-depth gradient norm at several steps of training. */
#include "plots/gf_plot.h"

#include <math.h>
#include <stdio.h>

/* The min-max bands over the seeds of net (training, then test); returns
 * the next separator. */
static const char *bands(FILE *out, const char *sep, const char *net, const char *col)
{
    for (int test = 0; test <= 1; test++) {
        fprintf(out, "%s'curves_mean.tsv' skip 1 using 4:(strcol(1) eq '%s' ? 100 * column(%d) "
                     ": NaN):(strcol(1) eq '%s' ? 100 * column(%d) : NaN) with filledcurves "
                     "fc '%s' fs transparent solid %s noborder notitle",
                sep, net, test ? 10 : 7, net, test ? 11 : 8, col, test ? "0.10" : "0.18");
        sep = ", \\\n     ";
    }
    return sep;
}

void gf_fig_curves_panel(FILE *out, gf_term term, const gf_fig_curves *f, const char *title,
                         const char *const *nets, const int *rank, int n)
{
    fputs("set xlabel 'epoch'\nset ylabel 'error (%)'\n", out);
    fprintf(out, "set xrange [0:%d]\nset yrange [0:%g]\n", f->epochs > 0 ? f->epochs : 1,
            f->ymax > 0 ? f->ymax : 100.0);
    fputs(f->epochs <= 12 ? "set xtics 1\n" : "set xtics autofreq\n", out);
    fputs("set grid xtics ytics lc '#dddddd'\n", out);
    fputs("set title ", out);
    gf_plot_quote(out, title);
    fputs(" noenhanced\n", out);
    if (n == 0) { /* keep the layout: an empty panel that says so */
        fputs("unset key\nset label 1 'no net of this kind was trained' at graph 0.5,0.5 "
              "center\nplot NaN notitle\nunset label 1\n",
              out);
        return;
    }
    fputs("set key below center horizontal Left reverse samplen 3 maxcols 2\n", out);
    const char *sep = "plot ";
    for (int i = 0; i < n && f->bands && term != GF_TERM_DUMB; i++)
        sep = bands(out, sep, nets[i], gf_plot_depth_color(rank[i]));
    for (int i = 0; i < n; i++) {
        const char *col = gf_plot_depth_color(rank[i]);
        for (int test = 0; test <= 1; test++) {
            fprintf(out, "%s'curves_mean.tsv' skip 1 using 4:(strcol(1) eq '%s' ? "
                         "100 * column(%d) : NaN) with linespoints lc '%s' lw %s %s pt %d "
                         "ps 0.6 title '%s %s'",
                    sep, nets[i], test ? 9 : 6, col, test ? "1.5" : "2.5",
                    test ? "dt (6,3)" : "dt 1", test ? 6 : 7, nets[i],
                    test ? "test" : "training");
            sep = ", \\\n     ";
        }
    }
    fputc('\n', out);
}

int gf_fig_curves_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_curves *f = ctx;
    gf_plot_multiplot_begin(out, term, f->title, f->subtitle, "1,2");
    gf_fig_curves_panel(out, term, f, f->left_title, f->left, f->left_depth_rank, f->n_left);
    gf_fig_curves_panel(out, term, f, f->right_title, f->right, f->right_depth_rank, f->n_right);
    fputs("unset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}

/* Step i of n as a colour from light to dark blue (early to late in training). */
static void ramp(char *buf, size_t size, int i, int n)
{
    const double t = n > 1 ? (double)i / (double)(n - 1) : 1.0;
    const double a[3] = {158, 202, 225}, b[3] = {8, 48, 107};
    snprintf(buf, size, "#%02x%02x%02x", (int)lround(a[0] + t * (b[0] - a[0])),
             (int)lround(a[1] + t * (b[1] - a[1])), (int)lround(a[2] + t * (b[2] - a[2])));
}

int gf_fig_training_norms_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_training_norms *f = ctx;
    char layout[32];
    snprintf(layout, sizeof layout, "1,%d", f->n_nets > 0 ? f->n_nets : 1);
    gf_plot_multiplot_begin(out, term, f->title, NULL, layout);
    fputs("set xlabel 'block boundary l  (x_0 = stem output)' noenhanced\n", out);
    fputs(term == GF_TERM_DUMB ? "set ylabel '|dL/dx_l|'\n"
                               : "set ylabel '||dL/dx_l||_F  (log scale)' noenhanced\n",
          out);
    gf_plot_log10_axis(out, term, "y", f->ymin, f->ymax);
    fprintf(out, "set xrange [0:%d]\nset grid xtics ytics lc '#dddddd'\n"
                 "set key top right Left reverse samplen 2 spacing 0.9 opaque\n",
            f->blocks_max > 0 ? f->blocks_max : 1);
    for (int p = 0; p < f->n_nets; p++) {
        gf_plot_title(out, term, f->nets[p], NULL);
        const char *sep = "plot ";
        for (int i = 0; i < f->n_steps; i++) {
            char col[16];
            ramp(col, sizeof col, i, f->n_steps);
            char label[64];
            if (f->steps[i] == 0)
                snprintf(label, sizeof label, "step 0 (initialization)");
            else
                snprintf(label, sizeof label, "step %ld (epoch %d)", f->steps[i],
                         f->step_epochs[i]);
            fprintf(out, "%s'gradnorm_training.tsv' skip 1 using 9:(strcol(1) eq '%s' && "
                         "column(4) == %ld && column(5) == %ld && strcol(8) eq 'block' ? "
                         "column(10) : NaN) with linespoints lc '%s' lw 2 pt 7 ps 0.4 "
                         "title '%s'",
                    sep, f->nets[p], f->seed, f->steps[i], col, label);
            sep = ", \\\n     ";
        }
        fputc('\n', out);
    }
    fputs("unset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}
