/* fig_densenet.c: DenseNet against ResNet: the tape's memory against depth,
 * and per dense block a heat map (feature reuse, connection gradients). */
#include "plots/gf_plot.h"

#include <math.h>
#include <stdio.h>

int gf_fig_dense_memory_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_dense_memory *f = ctx;
    gf_plot_begin(out, term, f->title, f->subtitle);
    fputs("set logscale xy\nset xlabel 'depth (weight layers)'\n"
          "set ylabel 'tape memory of one training step (MiB, the arena)'\n"
          "set grid xtics ytics mxtics mytics lc '#dddddd'\n"
          "set key top left Left reverse opaque box lc '#cccccc'\n",
          out);
    fprintf(out, "set xrange [%g:%g]\nset yrange [%g:%g]\n", f->xmin / 1.1, f->xmax * 1.1,
            f->ymin / 1.5, f->ymax * 1.5);
    fputs("set xtics (10, 20, 50, 100, 200, 500, 1000)\n", out);
    const char *sep = "plot ";
    for (int i = 0; i < f->n_nets; i++) {
        fprintf(out, "%s'memory.tsv' skip 1 using 2:(strcol(1) eq '%s' ? column(6) : NaN) "
                     "with linespoints lw 2 pt 7 lc '%s' ",
                sep, f->nets[i], gf_plot_depth_color(i));
        gf_plot_key(out, f->labels[i]);
        sep = ", \\\n     ";
    }
    gf_plot_end(out, sep);
    return ferror(out) ? -1 : 0;
}

int gf_fig_dense_map_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_dense_map *f = ctx;
    const int n = f->layers;
    gf_plot_multiplot_begin(out, term, f->title, f->subtitle, "1,3");
    fputs("set xlabel 'source s (0: block input)'\n"
          "set ylabel 'target layer l'\nset palette defined (0 '#fff7c0', 0.25 '#fdd080', "
          "0.5 '#f08040', 0.75 '#c02030', 1 '#400020')\nunset key\n",
          out);
    fprintf(out, "set xrange [-0.5:%g]\nset yrange [%g:0.5]\nset cbrange [%g:%g]\n", n + 0.5,
            n + 1.5, f->cbmin, f->cbmax);
    fputs("set cblabel ", out);
    gf_plot_quote(out, f->cblabel);
    fputs(" noenhanced\n", out);
    const int step = n > 8 ? (n + 7) / 8 : 1; /* at most 8 labels: a third of a page wide */
    for (int b = 0; b < 3; b++) {
        if (b == 1)
            fputs("unset ylabel\n", out);
        fprintf(out, "set title 'dense block %d'\nset xtics %d\nset ytics (", b + 1, step);
        for (int l = 1; l <= n; l += step)
            fprintf(out, "'%d' %d, ", l, l);
        gf_plot_quote(out, f->last_label[b]);
        fprintf(out, " %d)\n", n + 1);
        /* other blocks' rows are left out by their x (a NaN colour would still draw) */
        fprintf(out, "plot '%s' skip 1 using (column(1) == %d ? column(3) : NaN):2:(0.5):(0.5):%d "
                     "with boxxyerror fs solid 1.0 noborder lc palette\n",
                f->file, b + 1, f->column);
    }
    fputs("unset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}

/* ---- the recipe ---------------------------------------------------------------- */

void gf_dense_figs_make(const gf_dense_result *res, const char *data_name, gf_dense_figs *f)
{
    static const char *const nets[3] = {"densenet-naive", "densenet-shared", "resnet"};
    const char *dn = res->net[1].name, *rn = res->net[0].name;
    snprintf(f->label_text[0], sizeof f->label_text[0], "%s, naive storage", dn);
    snprintf(f->label_text[1], sizeof f->label_text[1], "%s, shared storage", dn);
    snprintf(f->label_text[2], sizeof f->label_text[2], "%s at depths 6n + 2 (trained: %s)",
             gf_arch_names[res->spec.resnet.arch], rn);
    double xmin = INFINITY, xmax = 0, ymin = INFINITY, ymax = 0;
    for (int i = 0; i < res->n_mem; i++) {
        const double mib = (double)res->mem[i].bytes / 1048576.0;
        xmin = fmin(xmin, res->mem[i].depth);
        xmax = fmax(xmax, res->mem[i].depth);
        ymin = fmin(ymin, mib);
        ymax = fmax(ymax, mib);
    }
    for (int i = 0; i < 3; i++) {
        f->nets[i] = nets[i];
        f->labels[i] = f->label_text[i];
    }
    snprintf(f->title[0], sizeof f->title[0],
             "Tape memory of one training step against depth (batch %zu)", res->spec.mem_batch);
    snprintf(f->subtitle[0], sizeof f->subtitle[0],
             "growth rate and widths as trained; the ResNet at the largest 6n+2 depth not above "
             "each DenseNet depth");
    f->memory = (gf_fig_dense_memory){.title = f->title[0], .subtitle = f->subtitle[0],
                                      .nets = f->nets, .labels = f->labels, .n_nets = 3,
                                      .xmin = xmin, .xmax = xmax, .ymin = ymin, .ymax = ymax};
    for (int b = 0; b < 3; b++)
        snprintf(f->last[b], sizeof f->last[b], b < 2 ? "transition %d" : "classifier", b + 1);
    snprintf(f->title[1], sizeof f->title[1],
             "Feature reuse in %s after training (Huang et al. 2017, Fig. 5)", dn);
    snprintf(f->subtitle[1], sizeof f->subtitle[1],
             "mean |weight| from layer s's channels into layer l's first convolution, over the "
             "block's largest; %s, seed %ld", data_name, res->spec.seed0);
    snprintf(f->title[2], sizeof f->title[2],
             "Gradient through each concatenated connection of %s after training", dn);
    snprintf(f->subtitle[2], sizeof f->subtitle[2],
             "log10 ||dL/dy_s|| sent back by layer l alone, one training batch of %s", data_name);
    double lo = INFINITY, hi = -INFINITY;
    const int M = res->layers + 2;
    for (int b = 0; b < 3; b++)
        for (int i = 0; res->conn[b] && i < M * M; i++)
            if (isfinite(res->conn[b][i])) {
                lo = fmin(lo, res->conn[b][i] * 0.30102999566398119521);
                hi = fmax(hi, res->conn[b][i] * 0.30102999566398119521);
            }
    for (int k = 0; k < 2; k++) { /* k = 0: the reuse maps, 1: the connection norms */
        gf_fig_dense_map *map = k ? &f->conn : &f->reuse;
        *map = (gf_fig_dense_map){
            .title = f->title[1 + k], .subtitle = f->subtitle[1 + k],
            .file = k ? "connections.tsv" : "reuse.tsv",
            .cblabel = k ? "log10 gradient norm" : "mean |w| / the block's largest",
            .column = k ? 4 : 5, .layers = res->layers, .cbmin = k ? floor(lo) : 0.0,
            .cbmax = k ? ceil(hi) : 1.0, .last_label = {f->last[0], f->last[1], f->last[2]}};
    }
    if (!isfinite(lo))
        f->conn.cbmin = -1, f->conn.cbmax = 0;
}
