/* fig_responses.c: He et al. 2016 Fig. 7 (the standard deviation of every
 * 3x3 layer's response, in layer order and sorted by magnitude) and the
 * branch-to-stream ratio ||F(x_l)|| / ||x_l|| of every residual unit. */
#include "plots/gf_plot.h"

#include <string.h>

/* Plain nets in oranges, residual nets in blues, darker for deeper. */
static const char *net_color(const gf_fig_responses *f, int i)
{
    static const char *const plain[] = {"#fdae6b", "#e6550d", "#a63603", "#7f2704"},
                             *const res[] = {"#6baed6", "#2171b5", "#08306b", "#041a3a"};
    const int r = f->depth_rank[i] < 3 ? f->depth_rank[i] : 3;
    return f->residual[i] ? res[r] : plain[r];
}

/* One curve per net of file's columns x:mean in a min-max band (the two
 * columns after mean's sd), for the nets whose residual flag is `which` (-1: all). */
static const char *curves(FILE *out, const gf_fig_responses *f, const char *file, int which,
                          const char *sep)
{
    for (int i = 0; i < f->n_nets; i++) {
        if (which >= 0 && f->residual[i] != which)
            continue;
        const char *col = net_color(f, i), *n = f->nets[i];
        if (f->bands)
            fprintf(out, "%s'%s' skip 1 using (strcol(1) eq '%s' ? $%d : NaN):%d:%d with "
                         "filledcurves fc '%s' fs transparent solid 0.2 noborder notitle",
                    sep, file, n, f->x_column, f->mean_column + 2, f->mean_column + 3, col);
        fprintf(out, "%s'%s' skip 1 using (strcol(1) eq '%s' ? $%d : NaN):%d with linespoints "
                     "lc '%s' lw 2 pt %d ps 0.5 dt %d title '%s'",
                f->bands ? ", \\\n     " : sep, file, n, f->x_column, f->mean_column, col,
                f->residual[i] ? 7 : 5, f->residual[i] ? 1 : 2, n);
        sep = ", \\\n     ";
    }
    return sep;
}

int gf_fig_responses_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_responses *f = ctx;
    gf_fig_responses g = *f;
    gf_plot_multiplot_begin(out, term, f->title, f->subtitle, "2,1");
    /* log y: a deep plain net's responses can be decades above the others */
    fputs("set grid xtics ytics mytics lc '#dddddd'\nset key outside right top Left reverse "
          "noenhanced\nset ylabel 'std of the response (log scale)'\nset logscale y\n"
          "set format y '%g'\n"
          "set xlabel 'layer index (forward order)'\nset title 'layer order'\n", out);
    g.x_column = 4, g.mean_column = 6;
    gf_plot_end(out, curves(out, &g, "responses_mean.tsv", -1, "plot "));
    fputs("set xlabel 'layer index (sorted by magnitude)'\nset title 'sorted by magnitude'\n",
          out);
    gf_plot_end(out, curves(out, &g, "responses_sorted.tsv", -1, "plot "));
    fputs("unset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}

int gf_fig_ratio_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_responses *f = ctx;
    gf_fig_responses g = *f;
    gf_plot_begin(out, term, f->ratio_title, f->subtitle);
    fputs("set grid xtics ytics lc '#dddddd'\nset key top right Left reverse noenhanced\n"
          "set xlabel 'residual unit l (stages of n units; units n+1 and 2n+1 downsample)'\n"
          "set ylabel '||F(x_l)|| / ||x_l||, mean over the images' noenhanced\n"
          "set yrange [0:*]\n", out);
    g.x_column = 3, g.mean_column = 7;
    const char *sep = curves(out, &g, "ratio_mean.tsv", 1, "plot ");
    fprintf(out, "%s1 with lines lc '#777777' dt 3 title 'F as large as x_l'", sep);
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
}

void gf_responses_figs_make(const gf_response_result *res, const char *data_name,
                            gf_responses_figs *f)
{
    memset(f, 0, sizeof *f);
    int n = 0, depths[GF_RESPONSES_MAX_NETS], n_depths = 0;
    for (int i = 0; i < res->n; i++) {
        const gf_response_net *r = &res->nets[i];
        int j = 0, d = 0;
        while (j < n && strcmp(f->nets[j], r->name) != 0)
            j++;
        while (d < n_depths && depths[d] != r->depth)
            d++;
        if (d == n_depths && n_depths < GF_RESPONSES_MAX_NETS)
            depths[n_depths++] = r->depth;
        if (j < n || n == GF_RESPONSES_MAX_NETS)
            continue;
        f->nets[n] = r->name;
        f->residual[n] = r->arch != GF_ARCH_CNN_PLAIN;
        f->depth_rank[n++] = d;
    }
    for (int i = 0; i < n; i++) { /* the rank among the depths, smallest first */
        const int dep = depths[f->depth_rank[i]];
        int rank = 0;
        for (int d = 0; d < n_depths; d++)
            rank += depths[d] < dep;
        f->depth_rank[i] = rank;
    }
    const int bands = res->n > n; /* some net has several seeds */
    snprintf(f->title, sizeof f->title,
             "Standard deviation of every 3x3 layer's response (after BN, before the "
             "addition and the ReLU; as He et al. 2016, Fig. 7)");
    snprintf(f->ratio_title, sizeof f->ratio_title,
             "The branch against the stream: ||F(x_l)|| / ||x_l|| per residual unit");
    snprintf(f->subtitle, sizeof f->subtitle,
             "%s, %zu test images, evaluation mode; %s", data_name,
             res->n ? res->nets[0].samples : (size_t)0,
             bands ? "mean over the seeds in the min-max band" : "one seed");
    f->fig = (gf_fig_responses){.title = f->title, .ratio_title = f->ratio_title,
                                .subtitle = f->subtitle, .nets = f->nets,
                                .residual = f->residual, .depth_rank = f->depth_rank,
                                .n_nets = n, .bands = bands};
}
