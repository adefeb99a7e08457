/* fig_paths.c: paths of a residual network by length (gradflow paths) and
 * the gradient each length carries (gradflow pathgrad: Veit et al. 2016,
 * Fig. 6, and the sampled estimate against the exact value). */
#include "plots/gf_plot.h"

#include "ensemble/gf_ensemble.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Columns of pathgrad.tsv (1-based, as gnuplot counts). */
enum { C_FRACTION = 4, C_CUM_PATHS = 5, C_NORM = 6, C_PER_PATH = 7, C_CUM_MASS = 9,
       C_SAMPLED = 12, C_SAMPLED_SE = 13, C_PATH = 16, C_PATH_SE = 17, C_VEIT = 18 };

static const char *state_color(int i)
{
    static const char *const colors[] = {"#d35400", "#1f77b4", "#16a085", "#8e44ad"};
    return colors[(unsigned)i % 4];
}

static void header(FILE *out, gf_term term, const char *title, const char *subtitle,
                   const char *layout)
{
    fputs("set datafile separator \"\\t\"\n", out);
    gf_plot_multiplot_title(out, term, title, subtitle, layout);
}

static void panel_title(FILE *out, const char *title)
{
    fputs("set title ", out);
    gf_plot_quote(out, title);
    fputs("\n", out);
}

/* x: path lengths 0..B, whole-number tics when there are few. */
static void k_axis(FILE *out, int blocks)
{
    fprintf(out, "set xrange [-0.5:%g]\nset xlabel 'path length k (branches taken)'\n",
            blocks + 0.5);
    if (blocks <= 12)
        fputs("set xtics 1\n", out);
    else
        fputs("set xtics autofreq\n", out);
}

/* The fraction of paths per length (columns x:y of file) as bars, or a
 * line for many blocks. */
static void distribution(FILE *out, int blocks, const char *file, int x, const char *y)
{
    fprintf(out, "%s skip 1 using %d:%s with %s lc '#5d6d7e' title 'fraction of paths, "
                 "Binomial(%d, 1/2)'\n",
            file, x, y, blocks <= 200 ? "boxes fs solid 0.5 noborder" : "lines lw 2", blocks);
}

int gf_fig_paths_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_paths *f = ctx;
    header(out, term, f->title, NULL, "1,2");
    k_axis(out, f->blocks);
    fputs("set grid xtics ytics lc '#dddddd'\nset style fill solid 0.5\n", out);
    fputs("set key top left Left reverse samplen 2\nset offsets 0, 0, graph 0.3, 0\n", out);
    fprintf(out, "set object 1 rect from %g, graph 0 to %g, graph 1 fc '#d6eaf8' fs solid 1.0 "
                 "noborder behind\n",
            f->k_lo - 0.5, f->k_hi + 0.5);
    const double sd = sqrt(f->blocks) / 2.0; /* of Binomial(B, 1/2) */
    if (f->blocks > 100) /* the rest holds nothing a bar could show */
        fprintf(out, "set xrange [%g:%g]\n", floor(f->blocks / 2.0 - 6 * sd),
                ceil(f->blocks / 2.0 + 6 * sd));
    panel_title(out, f->blocks > 100 ? "(a) share of the paths per length (mean +- 6 sd)"
                                     : "(a) share of the paths per length");
    fputs("set ylabel 'fraction of all paths'\nset yrange [0:*]\nset format y '%g'\n", out);
    if (f->central > 0) /* the narrowest central range with at least 95%: what it holds */
        fprintf(out, "plot NaN with boxes fs solid 1.0 noborder fc '#d6eaf8' title 'k = %d..%d: "
                     "%.1f%% of the paths (at least 95%%)', \\\n     ",
                f->k_lo, f->k_hi, 100.0 * f->central);
    else
        fprintf(out, "plot NaN with boxes fs solid 1.0 noborder fc '#d6eaf8' title '95%% of the "
                     "paths: k = %d..%d', \\\n     ",
                f->k_lo, f->k_hi);
    distribution(out, f->blocks, "'paths.tsv'", 1, "4");
    fputs("unset object 1\nset offsets 0, 0, 0, 0\nset key bottom center\n", out);
    k_axis(out, f->blocks);
    panel_title(out, "(b) number of paths per length (log scale)");
    fputs(term == GF_TERM_DUMB ? "set ylabel 'paths'\n" : "set ylabel 'C(B, k)'\n", out);
    gf_plot_log10_axis(out, term, "y", 0.0, f->log10_max);
    fprintf(out, "plot 'paths.tsv' skip 1 using 1:3 with linespoints lw 2 pt 7 ps %s "
                 "lc '#5d6d7e' title 'number of paths C(%d, k)'\n",
            f->blocks <= 100 ? "0.5" : "0", f->blocks);
    fputs("unset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}

/* ---- pathgrad ---------------------------------------------------------------- */

/* Column c of state s's rows, finite values only ("-inf" is a zero norm). */
static void col(FILE *out, const char *s, int c)
{
    fprintf(out, "(strcol(1) eq '%s' && column(%d) > -1e300 ? column(%d) : NaN)", s, c, c);
}

/* Error bars in log10 space: a value v with standard error se, both as
 * log10 (columns v and e), drawn at column y (y = v, or v moved by a
 * constant): from y + log10(1 - se/v) (the bottom when se >= v) to
 * y + log10(1 + se/v). */
static void bars(FILE *out, const char *s, int y, int v, int e, double bottom)
{
    fputs("2:", out);
    col(out, s, y);
    fprintf(out, ":(column(%d) < column(%d) - 1e-9 ? column(%d) + log10(1 - 10**(column(%d) - "
                 "column(%d))) : %g)",
            e, v, y, e, v, bottom);
    fprintf(out, ":(column(%d) + log10(1 + 10**(column(%d) - column(%d))))", y, e, v);
}

/* Exact lines (column exact) and, when sampled, sampled points with bars
 * (column y; value v and standard error e as in bars()). */
static void lines_and_points(FILE *out, const gf_fig_pathgrad *f, int exact, const char *exact_what,
                             int y, int v, int e, const char *point_what, double bottom)
{
    const char *sep = "plot ";
    for (int i = 0; i < f->n_states; i++) {
        fprintf(out, "%s'pathgrad.tsv' skip 1 using 2:", sep);
        col(out, f->states[i], exact);
        fprintf(out, " with lines lw 2.5 lc '%s' title '%s: %s'", state_color(i), f->labels[i],
                exact_what);
        sep = ", \\\n     ";
        if (!f->sampled)
            continue;
        fprintf(out, "%s'pathgrad.tsv' skip 1 using ", sep);
        bars(out, f->states[i], y, v, e, bottom);
        /* the bars are mostly shorter than the points: the key shows a point */
        fprintf(out, " with yerrorbars pt 6 ps 0.9 lw 1.2 lc '%s' notitle, \\\n     NaN with "
                     "points pt 6 ps 0.9 lc '%s' title '%s: %s'",
                state_color(i), state_color(i), f->labels[i], point_what);
    }
    fputc('\n', out);
}

int gf_fig_pathgrad_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_pathgrad *f = ctx;
    header(out, term, f->title, f->subtitle, "2,2");
    k_axis(out, f->blocks);
    fputs("set grid xtics ytics lc '#dddddd'\nset style fill solid 0.5\n"
          "set key below horizontal Left reverse samplen 2 maxcols 2 width -3\n",
          out);
    panel_title(out, "(a) path-length distribution");
    fputs("set ylabel 'fraction of the 2^B paths' noenhanced\nset yrange [0:*]\n"
          "set format y '%g'\n",
          out);
    char first[96];
    snprintf(first, sizeof first, "(strcol(1) eq '%s' ? column(%d) : NaN)",
             f->n_states > 0 ? f->states[0] : "", C_FRACTION);
    fputs("plot ", out);
    distribution(out, f->blocks, "'pathgrad.tsv'", 2, first);

    panel_title(out, "(b) gradient per path: ||g_k|| / C(B,k); sampled: mean ||path||");
    fputs(term == GF_TERM_DUMB ? "set ylabel 'per path'\n"
                               : "set ylabel '||g_k|| / C(B, k)  (log scale)'\n",
          out);
    gf_plot_log10_axis(out, term, "y", f->per_path[0], f->per_path[1]);
    const double b_bottom = f->per_path[0] - 50.0;
    lines_and_points(out, f, C_PER_PATH, "exact", C_PATH, C_PATH, C_PATH_SE,
                     "sampled: mean ||path||", b_bottom);

    panel_title(out, "(c) total per length ||g_k|| = (a) x (b) x 2^B; "
                     "Veit: C(B,k) x mean ||path||");
    fputs(term == GF_TERM_DUMB ? "set ylabel 'total'\n" : "set ylabel '||g_k||  (log scale)'\n",
          out);
    gf_plot_log10_axis(out, term, "y", f->total[0], f->total[1]);
    lines_and_points(out, f, C_NORM, "exact", C_VEIT, C_PATH, C_PATH_SE,
                     "Veit: C(B,k) x mean ||path||", f->total[0] - 50.0);

    panel_title(out, "(d) where the gradient lies: cumulative shares up to length k");
    fputs(term == GF_TERM_DUMB ? "set ylabel 'share'\n" : "set ylabel 'share of lengths 0..k'\n",
          out);
    fputs("set yrange [0:1.02]\nset ytics 0.2\nunset mytics\nset format y '%g'\n", out);
    fprintf(out, "set arrow 1 from %g, graph 0 to %g, graph 1 nohead dt 3 lc '#7f8c8d'\n",
            f->blocks / 2.0, f->blocks / 2.0);
    const char *sep = "plot ";
    for (int i = 0; i < f->n_states; i++) {
        fprintf(out, "%s'pathgrad.tsv' skip 1 using 2:", sep);
        col(out, f->states[i], C_CUM_MASS);
        fprintf(out, " with linespoints lw 2.5 pt 7 ps 0.4 lc '%s' title '%s: of sum_k "
                     "||g_k||'",
                state_color(i), f->labels[i]);
        sep = ", \\\n     ";
    }
    fprintf(out, "%s'pathgrad.tsv' skip 1 using 2:(strcol(1) eq '%s' ? column(%d) : NaN) with "
                 "lines lw 2 dt (6,3) lc '#5d6d7e' title 'of the paths'\n",
            sep, f->n_states > 0 ? f->states[0] : "", C_CUM_PATHS);
    fputs("unset arrow 1\nunset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}

int gf_fig_pathgrad_sampling_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_pathgrad *f = ctx;
    char layout[16];
    snprintf(layout, sizeof layout, "1,%d", f->n_states > 0 ? f->n_states : 1);
    header(out, term, "Veit's sampling estimate of ||g_k|| against the exact value",
           "points: C(B,k) x ||mean of the sampled path gradients|| (not panel (c)'s C(B,k) x "
           "mean ||path||); bars: +-1 se (to the bottom: the interval holds 0)",
           layout);
    k_axis(out, f->blocks);
    fputs("set grid xtics ytics lc '#dddddd'\n"
          "set key below horizontal Left reverse samplen 1.5 width -2\n",
          out);
    fputs(term == GF_TERM_DUMB ? "set ylabel '||g_k||'\n" : "set ylabel '||g_k||  (log scale)'\n",
          out);
    gf_plot_log10_axis(out, term, "y", f->sampling[0], f->sampling[1]);
    for (int i = 0; i < f->n_states; i++) {
        const char *s = f->states[i];
        panel_title(out, f->sampling_titles ? f->sampling_titles[i] : f->labels[i]);
        fprintf(out, "plot 'pathgrad.tsv' skip 1 using 2:");
        col(out, s, C_NORM);
        fprintf(out, " with lines lw 2.5 lc '%s' title 'exact ||g_k||', \\\n     "
                     "'pathgrad.tsv' skip 1 using ",
                state_color(i));
        bars(out, s, C_SAMPLED, C_SAMPLED, C_SAMPLED_SE, f->sampling[0] - 50.0);
        fputs(" with yerrorbars pt 7 ps 0.8 lw 1.2 lc 'black' title 'sampled estimate +- 1 se', "
              "\\\n     'pathgrad.tsv' skip 1 using 2:",
              out);
        col(out, s, C_SAMPLED_SE);
        fputs(" with points pt 2 ps 0.9 lc '#7f8c8d' title 'its standard error'\n", out);
    }
    fputs("unset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}

/* ---- figures ---------------------------------------------------------------- */

static void widen(double *range, double v)
{
    if (isfinite(v)) {
        range[0] = fmin(range[0], v);
        range[1] = fmax(range[1], v);
    }
}

void gf_pathgrad_figs_make(const gf_pathgrad_curve *c, int n_states, const char *net,
                           gf_pathgrad_figs *f)
{
    memset(f, 0, sizeof *f);
    n_states = n_states < GF_PATHGRAD_MAX_STATES ? n_states : GF_PATHGRAD_MAX_STATES;
    const int B = n_states > 0 ? c[0].blocks : 1;
    gf_fig_pathgrad *g = &f->fig;
    *g = (gf_fig_pathgrad){.title = f->title, .subtitle = f->subtitle, .states = f->state_names,
                           .labels = f->label_ptrs, .sampling_titles = f->sampling_ptrs,
                           .n_states = n_states, .blocks = B,
                           .per_path = {INFINITY, -INFINITY}, .total = {INFINITY, -INFINITY},
                           .sampling = {INFINITY, -INFINITY}};
    snprintf(f->title, sizeof f->title,
             "Gradient by path length (Veit et al. 2016, Fig. 6): %s, %d blocks, 2^%d paths", net,
             B, B);
    const int samples = n_states > 0 ? c[0].samples : 0;
    const int len = snprintf(f->subtitle, sizeof f->subtitle,
                             "dL/dx_0 (%zu images) = g_0 + ... + g_%d, g_k: paths through k "
                             "branches",
                             n_states > 0 ? c[0].n : 0, B);
    if (samples > 0 && len > 0 && (size_t)len < sizeof f->subtitle)
        snprintf(f->subtitle + len, sizeof f->subtitle - (size_t)len,
                 "; %d sampled paths per length", samples);
    for (int i = 0; i < n_states; i++) {
        f->state_names[i] = c[i].state;
        f->label_ptrs[i] = f->labels[i];
        snprintf(f->labels[i], sizeof f->labels[i], "%s", c[i].state);
        gf_pathgrad_reading rd;
        gf_pathgrad_read(&c[i], &rd);
        f->sampling_ptrs[i] = f->sampling[i];
        snprintf(f->sampling[i], sizeof f->sampling[i],
                 "%s: se < ||g_k|| / 2 at %d of %d lengths", c[i].state, rd.resolved,
                 rd.compared);
        for (int k = 0; k <= B; k++) {
            const double lc = gf_log10_binomial(B, k);
            widen(g->per_path, c[i].log10_norm[k] - lc);
            widen(g->total, c[i].log10_norm[k]);
            widen(g->sampling, c[i].log10_norm[k]);
            if (!c[i].sampled[k])
                continue;
            g->sampled = 1;
            widen(g->per_path, c[i].log10_path[k]);
            widen(g->total, lc + c[i].log10_path[k]);
            const double est = c[i].log10_est[k], se = c[i].log10_est_se[k];
            widen(g->sampling, est);
            widen(g->sampling, est + log10(1.0 + pow(10.0, se - est))); /* log10(est + se) */
        }
    }
}
