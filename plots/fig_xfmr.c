/* fig_xfmr.c: the figures of gradflow transformer. */
#include "plots/gf_figs_xfmr.h"

#include <stdio.h>

/* Rows of file whose column 1 is kind (and column 2 is sel, when sel):
 * column c (10^c when p10), else NaN. */
static void pick(FILE *out, const char *kind, const char *sel, int c, int p10)
{
    fprintf(out, "((strcol(1) eq '%s'", kind);
    if (sel)
        fprintf(out, " && strcol(2) eq '%s'", sel);
    fprintf(out, " && abs(column(%d)) < 1e300) ? %s(column(%d)) : NaN)", c, p10 ? "10**" : "",
            c);
}

static const char *kind_color(int i)
{
    static const char *const c[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};
    return c[i % 4];
}

/* One line: file's x column xc against the picked y (with a band lo..hi first when lo > 0). */
static void line(FILE *out, const char **sep, const char *file, int xc, const char *kind,
                 const char *sel, int y, int lo, int hi, int p10, const char *color,
                 const char *dash, const char *key)
{
    if (lo > 0) {
        fprintf(out, "%s'%s' skip 1 using %d:", *sep, file, xc);
        pick(out, kind, sel, lo, p10);
        fputc(':', out);
        pick(out, kind, sel, hi, p10);
        fprintf(out, " with filledcurves fs transparent solid 0.15 noborder lc '%s' notitle",
                color);
        *sep = ", \\\n     ";
    }
    fprintf(out, "%s'%s' skip 1 using %d:", *sep, file, xc);
    pick(out, kind, sel, y, p10);
    fprintf(out, " with linespoints pt 7 ps 0.4 lw 2 dt %s lc '%s' ", dash, color);
    gf_plot_key(out, key);
    *sep = ", \\\n     ";
}

static const char *layout(int n) { return n <= 1 ? "1,1" : n == 2 ? "1,2" : "2,2"; }

int gf_fig_xfmr_grad_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_xfmr *f = ctx;
    gf_plot_multiplot_begin(out, term, "Gradients at initialization per layer", f->subtitle,
                            layout(f->n_kinds));
    fputs("set grid lc '#dddddd'\nset logscale y\nset format y '10^{%L}'\n"
          "set key top left font ',8' samplen 2\n"
          "set xlabel 'layer l (input side 0)'\nset ylabel 'gradient norm'\n", out);
    for (int i = 0; i < f->n_kinds && i < 4; i++) {
        fprintf(out, "set title '%s: ||grad W_{mlp}|| (solid), ||dL/dx|| at the layer input "
                     "(dashed)' font ',10'\n", f->kinds[i]);
        const char *sep = "plot ";
        for (int d = 0; d < f->n_layers; d++) {
            char sel[16], key[48];
            snprintf(sel, sizeof sel, "%d", f->layers[d]);
            snprintf(key, sizeof key, "L = %d", f->layers[d]);
            /* grad_init.tsv: kind layers sublayer layer part w(6..8) x(9..11); the MLP rows */
            fprintf(out, "%s'grad_init.tsv' skip 1 using 4:((strcol(1) eq '%s' && "
                         "strcol(2) eq '%s' && strcol(5) eq 'mlp') ? 10**column(6) : NaN) "
                         "with linespoints pt 7 ps 0.4 lw 2 lc '%s' ",
                    sep, f->kinds[i], sel, gf_plot_depth_color(d));
            gf_plot_key(out, key);
            sep = ", \\\n     ";
            fprintf(out, "%s'grad_init.tsv' skip 1 using 4:((strcol(1) eq '%s' && "
                         "strcol(2) eq '%s' && strcol(5) eq 'attn') ? 10**column(9) : NaN) "
                         "with lines lw 1.5 dt (6,4) lc '%s' notitle",
                    sep, f->kinds[i], sel, gf_plot_depth_color(d));
        }
        gf_plot_end(out, sep);
    }
    fputs("unset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}

int gf_fig_xfmr_slope_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_xfmr *f = ctx;
    gf_plot_begin(out, term, "Last layer's MLP gradient against depth (log-log)", f->subtitle);
    fputs("set grid lc '#dddddd'\nset logscale xy\nset format y '10^{%L}'\n"
          "set key bottom left font ',9' opaque box lc '#cccccc'\nset xlabel 'layers L'\n"
          "set ylabel '||grad W_{mlp}|| of layer L'\n", out);
    fprintf(out, "set xrange [%g:%g]\nset xtics (", f->layers[0] * 0.8,
            f->layers[f->n_layers - 1] * 1.25);
    for (int d = 0; d < f->n_layers; d++)
        fprintf(out, "%s'%d' %d", d ? ", " : "", f->layers[d], f->layers[d]);
    fputs(")\n", out);
    const char *sep = "plot ";
    for (int i = 0; i < f->n_kinds; i++) {
        fprintf(out, "%s'last_layer.tsv' skip 1 using 2:((strcol(1) eq '%s' && column(4) > 0) ? "
                     "column(4) : NaN) with points pt 6 ps 0.8 lc '%s' notitle",
                sep, f->kinds[i], kind_color(i));
        sep = ", \\\n     ";
        /* the mean of log10 over the seeds */
        fprintf(out, "%s'last_layer_mean.tsv' skip 1 using 2:", sep);
        pick(out, f->kinds[i], NULL, 3, 1);
        fprintf(out, " with linespoints pt 7 ps 1 lw 2 lc '%s' ", kind_color(i));
        gf_plot_key(out, f->slope_keys[i]);
    }
    gf_plot_end(out, sep);
    return ferror(out) ? -1 : 0;
}

int gf_fig_xfmr_training_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_xfmr *f = ctx;
    gf_plot_multiplot_begin(out, term, "Training with and without warm-up", f->subtitle,
                            f->n_sweep > 0 ? "1,2" : "1,1");
    fprintf(out, "set grid lc '#dddddd'\nset key top right font ',9' opaque box lc '#cccccc'\n"
                 "set title 'lr %g: warm-up over %ld steps (solid), none (dashed); band: %d "
                 "seeds' font ',10'\n"
                 "set xlabel 'step'\nset ylabel 'training loss (nats per byte)'\n"
                 "set yrange [*:%g]\n",
            f->lr, f->warmup, f->seeds, f->unigram + 1.5);
    const char *sep = "plot ";
    for (int i = 0; i < f->n_train; i++) {
        char key[64];
        snprintf(key, sizeof key, "%s, warm-up", f->train_kinds[i]);
        line(out, &sep, "training.tsv", 3, f->train_kinds[i], "warmup", 4, 5, 6, 0,
             kind_color(i), "solid", key);
        snprintf(key, sizeof key, "%s, no warm-up", f->train_kinds[i]);
        line(out, &sep, "training.tsv", 3, f->train_kinds[i], "none", 4, 5, 6, 0, kind_color(i),
             "(6,4)", key);
    }
    fprintf(out, "%s%g with lines lc '#888888' dt (2,3) title 'unigram entropy'\n", sep,
            f->unigram);
    if (f->n_sweep <= 0) {
        fputs("unset multiplot\n", out);
        return ferror(out) ? -1 : 0;
    }
    fputs("set title 'learning-rate sweep, no warm-up: loss of the last tenth (min..max)' "
          "font ',10'\nset logscale x\nset xlabel 'learning rate'\nset autoscale y\n", out);
    sep = "plot ";
    for (int i = 0; i < f->n_train; i++) {
        fprintf(out, "%s'sweep.tsv' skip 1 using 2:", sep);
        pick(out, f->train_kinds[i], NULL, 3, 0);
        fputc(':', out);
        pick(out, f->train_kinds[i], NULL, 4, 0);
        fputc(':', out);
        pick(out, f->train_kinds[i], NULL, 5, 0);
        fprintf(out, " with yerrorlines pt 7 lw 2 lc '%s' ", kind_color(i));
        gf_plot_key(out, f->train_kinds[i]);
        sep = ", \\\n     ";
    }
    fprintf(out, "%s%g with lines lc '#888888' dt (2,3) title 'unigram entropy'\n", sep,
            f->unigram);
    fputs("unset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}

/* One stream panel: column y (band lo..hi) per trained kind, init dashed, trained solid. */
static void stream_panel(FILE *out, const gf_fig_xfmr *f, int y, const char *title,
                         const char *ylabel, int logy)
{
    fprintf(out, "set title '%s' font ',10'\nset ylabel '%s'\n%s", title, ylabel,
            logy ? "set logscale y\n" : "unset logscale y\n");
    const char *sep = "plot ";
    for (int i = 0; i < f->n_train; i++)
        for (int w = 0; w < 2; w++) {
            char key[64];
            snprintf(key, sizeof key, "%s, %s", f->train_kinds[i], w ? "trained" : "init");
            line(out, &sep, "stream.tsv", 3, f->train_kinds[i], w ? "trained" : "init", y, y + 1,
                 y + 2, 0, kind_color(i), w ? "solid" : "(6,4)", key);
        }
    gf_plot_end(out, sep);
}

int gf_fig_xfmr_stream_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_xfmr *f = ctx;
    gf_plot_multiplot_begin(out, term, "The residual stream", f->subtitle, "1,3");
    fputs("set grid lc '#dddddd'\nset key top left font ',8' samplen 2\n"
          "set xlabel 'sub-layer k (2l: attn, 2l+1: MLP)'\n", out);
    stream_panel(out, f, 4, "RMS norm of the stream after k sub-layers", "||x_k||", 1);
    stream_panel(out, f, 7, "write of sub-layer k: ||F(x)|| / ||x||", "ratio", 1);
    stream_panel(out, f, 10, "cosine of writes k and k+1", "cosine", 0);
    fputs("unset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}

int gf_fig_xfmr_lens_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_xfmr *f = ctx;
    gf_plot_multiplot_begin(out, term, "The logit lens after training", f->subtitle, "1,2");
    fprintf(out, "set grid lc '#dddddd'\nset key top right font ',9'\n"
                 "set xlabel 'layer l (stream after l layers, through the head)'\n"
                 "set xrange [-0.2:%g]\n", f->train_layers + 0.2);
    fputs("set title 'held-out loss of each layer''s decoding' font ',10'\n"
          "set ylabel 'cross-entropy (nats)'\n", out);
    const char *sep = "plot ";
    for (int i = 0; i < f->n_train; i++)
        line(out, &sep, "lens.tsv", 2, f->train_kinds[i], NULL, 3, 4, 5, 0, kind_color(i),
             "solid", f->train_kinds[i]);
    fprintf(out, "%s%g with lines lc '#888888' dt (2,3) title 'unigram entropy'\n", sep,
            f->unigram);
    fputs("set title 'top prediction equal to the last layer''s' font ',10'\n"
          "set ylabel 'fraction of tokens'\nset yrange [0:1.05]\nset key bottom right\n",
          out);
    sep = "plot ";
    for (int i = 0; i < f->n_train; i++)
        line(out, &sep, "lens.tsv", 2, f->train_kinds[i], NULL, 6, 7, 8, 0, kind_color(i),
             "solid", f->train_kinds[i]);
    gf_plot_end(out, sep);
    fputs("unset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}
