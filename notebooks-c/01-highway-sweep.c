/* 01-highway-sweep.c: lesson 01, the sweep over depths (Steps 2 and 4) and its figures.
 *
 * One sweep runs gf_gradnorm_run for plain, resnet and preact at every depth
 * with one initialization and writes each result under DIR/<init>-depth<d>/.
 * Figures: the per-block gradient norm at the deepest depth (the library's
 * recipe) and the ratio ||dL/dx_0|| / ||dL/dx_B|| against depth for both
 * inits (this file's recipe, depth_body, reading DIR/decades.tsv).
 */
#include "01-highway.h"

#include <math.h>
#include <string.h>

/* ---- the sweep ---------------------------------------------------------- */

int hw_run_sweep(lesson *ls, const setup *su, gf_init init, sweep *sw)
{
    memset(sw, 0, sizeof *sw);
    sw->init = init;
    for (int i = 0; i < su->n_depths; i++) {
        gf_gradnorm_spec spec = {.base = gf_stack_config_default(), .archs = ARCHS,
                                 .n_archs = N_ARCHS, .seeds = su->seeds, .seed0 = 1,
                                 .batch = su->batch, .data = &su->data};
        spec.base.depth = su->depths[i];
        spec.base.width = su->width;
        spec.base.init = init;
        char why[512], sub[64], path[GF_PATH_MAX];
        gf_gradnorm_result *res = &sw->res[i];
        if (gf_gradnorm_run(&spec, res, why, sizeof why) != 0)
            return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
        snprintf(sub, sizeof sub, "%s-depth%d", gf_init_names[init], su->depths[i]);
        if (lesson_dir(ls, sub, path, sizeof path) != 0)
            return LESSON_RUNTIME;
        if (gf_gradnorm_write(res, path, why, sizeof why) != 0)
            return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
        const int B = res->blocks;
        for (int a = 0; a < N_ARCHS; a++) {
            double first, last, lo, hi;
            gf_gradnorm_block_stats(res, a, 0, &first, &lo, &hi);
            gf_gradnorm_block_stats(res, a, B, &last, &lo, &hi);
            sw->change[i][a] = first - last;
        }
        double t = 0.0;
        for (int l = 0; l < B; l++)
            t += res->theory[PLAIN * B + l];
        sw->theory[i] = t;
    }
    return 0;
}

void hw_sweep_release(sweep *sw, int n)
{
    for (int i = 0; i < n; i++)
        gf_gradnorm_release(&sw->res[i]);
}

void hw_sweep_table(lesson *ls, const setup *su, const sweep *sw)
{
    lesson_pre(ls, "log10(||dL/dx_0|| / ||dL/dx_B||): negative = shrinks toward the input");
    lesson_pre(ls, "%5s %6s   %7s %9s   %7s %7s", "depth", "blocks", "plain", "(theory)",
               "resnet", "preact");
    for (int i = 0; i < su->n_depths; i++) {
        char t[24];
        snprintf(t, sizeof t, "(%.2f)", lesson_decades(sw->theory[i]));
        lesson_pre(ls, "%5d %6d   %7.2f %9s   %7.2f %7.2f", su->depths[i], sw->res[i].blocks,
                   lesson_decades(sw->change[i][PLAIN]), t, lesson_decades(sw->change[i][RESNET]),
                   lesson_decades(sw->change[i][PREACT]));
    }
}

/* The log10 range of everything the per-block figure draws. */
static void block_range(const gf_gradnorm_result *res, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int a = 0; a < res->spec.n_archs; a++) {
        double t = 0.0, mean, mn, mx;
        for (int l = res->blocks; l >= 0; l--) {
            gf_gradnorm_block_stats(res, a, l, &mean, &mn, &mx);
            t = lesson_theory_next(res, a, l, t, mean);
            *lo = fmin(*lo, fmin(mn, t));
            *hi = fmax(*hi, fmax(mx, t));
        }
    }
}

int hw_block_figure(lesson *ls, const setup *su, const sweep *sw, int terminal)
{
    const int i = su->n_depths - 1;
    const gf_gradnorm_result *res = &sw->res[i];
    static const char *const names[N_ARCHS] = {"plain", "resnet", "preact"};
    static const int theory[N_ARCHS] = {1, 0, 0};
    char title[256], subtitle[256], sub[64], cap_en[256], cap_ko[256];
    const char *init = gf_init_names[sw->init];
    snprintf(title, sizeof title,
             "Gradient norm per block at initialization: depth %d (%d blocks), %s init",
             su->depths[i], res->blocks, init);
    snprintf(subtitle, sizeof subtitle, "width %zu, batch %zu, %d seeds, act relu, no norm; "
             "loss = mean cross-entropy", su->width, su->batch, su->seeds);
    gf_fig_gradnorm fig = {.title = title, .subtitle = subtitle, .archs = names,
                           .theory = theory, .n_archs = N_ARCHS, .xmax = res->blocks};
    block_range(res, &fig.ymin, &fig.ymax);
    snprintf(sub, sizeof sub, "%s-depth%d", init, su->depths[i]);
    snprintf(cap_en, sizeof cap_en, "||dL/dx_l|| at every block boundary, depth %d, %s init "
             "(dotted black line: the product of per-layer gains for plain)", su->depths[i], init);
    snprintf(cap_ko, sizeof cap_ko, "블록 경계마다 잰 ||dL/dx_l||, 깊이 %d, %s 초기화 "
             "(검은 점선: plain의 층별 이득을 곱한 이론값)", su->depths[i], init);
    return lesson_figure(ls, sub, "gradnorm", gf_fig_gradnorm_body, &fig, terminal, cap_en,
                         cap_ko);
}

/* ---- the ratio against depth: this lesson's own figure ------------------ */

typedef struct depth_fig {
    char title[256], subtitle[256];
    const setup *su;
    double ymin, ymax;
} depth_fig;

/* decades.tsv: init arch depth blocks seeds log10_ratio_{mean,min,max} log10_theory,
 * with ratio = ||dL/dx_0|| / ||dL/dx_B||. */
static int write_decades(lesson *ls, const setup *su, const sweep *sw, int n_sweeps,
                         depth_fig *fig)
{
    char path[GF_PATH_MAX];
    gf_atomic at;
    FILE *f;
    if (gf_path_join(path, sizeof path, ls->opt.out, "decades.tsv") != 0 ||
        !(f = gf_atomic_open(&at, path)))
        return lesson_fail(ls, LESSON_RUNTIME, "cannot write %s/decades.tsv", ls->opt.out);
    fig->ymin = INFINITY;
    fig->ymax = -INFINITY;
    fputs("init\tarch\tdepth\tblocks\tseeds\tlog10_ratio_mean\tlog10_ratio_min\t"
          "log10_ratio_max\tlog10_theory\n", f);
    for (int k = 0; k < n_sweeps; k++)
        for (int a = 0; a < N_ARCHS; a++)
            for (int i = 0; i < su->n_depths; i++) {
                const gf_gradnorm_result *res = &sw[k].res[i];
                double lo = INFINITY, hi = -INFINITY;
                for (int s = 0; s < su->seeds; s++) {
                    const double v = (gf_gradnorm_block(res, a, s, 0)->log2_frob -
                                      gf_gradnorm_block(res, a, s, res->blocks)->log2_frob) *
                                     GF_LOG10_2;
                    lo = fmin(lo, v);
                    hi = fmax(hi, v);
                }
                const double theory = a == PLAIN ? sw[k].theory[i] : NAN;
                char t[40];
                gf_format_double(t, sizeof t, theory);
                fprintf(f, "%s\t%s\t%d\t%d\t%d\t%.6f\t%.6f\t%.6f\t%s\n",
                        gf_init_names[sw[k].init], gf_arch_names[ARCHS[a]], su->depths[i],
                        res->blocks, su->seeds, sw[k].change[i][a], lo, hi, t);
                fig->ymin = fmin(fig->ymin, isnan(theory) ? lo : fmin(lo, theory));
                fig->ymax = fmax(fig->ymax, isnan(theory) ? hi : fmax(hi, theory));
            }
    if (ferror(f)) {
        gf_atomic_abort(&at);
        return lesson_fail(ls, LESSON_RUNTIME, "cannot write %s", path);
    }
    if (gf_atomic_commit(&at) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "cannot write %s", path);
    return 0;
}

static int depth_body(FILE *out, gf_term term, const void *ctx)
{
    const depth_fig *f = ctx;
    const int rich = term != GF_TERM_DUMB;
    static const char *const inits[2] = {"torch", "he"};
    static const char *const archs[N_ARCHS] = {"plain", "resnet", "preact"};
    fputs("set datafile separator \"\\t\"\nset datafile missing 'nan'\nset title ", out);
    gf_plot_quote(out, f->title);
    if (rich) {
        fputs(".\"\\n\".", out);
        gf_plot_quote(out, f->subtitle);
    }
    fputs(" noenhanced\n", out);
    fputs("set xlabel 'depth (weight layers, 2B + 2)'\n", out);
    fputs(rich ? "set ylabel '||dL/dx_0|| / ||dL/dx_B||  (log scale)' noenhanced\n"
               : "set ylabel 'dL/dx_0 : dL/dx_B'\n",
          out);
    /* Whole decades; a step of 1, 2, 5, 10, ... keeps about ten tics. */
    const double span = fmax(f->ymax - f->ymin, 1.0);
    static const double steps[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
    double step = 1.0;
    for (size_t i = 0; i < sizeof steps / sizeof *steps && span / steps[i] > 10.0; i++)
        step = steps[i + 1 < sizeof steps / sizeof *steps ? i + 1 : i];
    fprintf(out, "set yrange [%g:%g]\nset ytics %g\nset format y \"%s\"\n",
            f->ymin - 0.05 * span, f->ymax + 0.05 * span, step, rich ? "10^{%g}" : "1e%g");
    fputs("set xtics (", out);
    int xmax = 0;
    for (int i = 0; i < f->su->n_depths; i++) {
        fprintf(out, "%s%d", i ? ", " : "", f->su->depths[i]);
        xmax = f->su->depths[i];
    }
    fprintf(out, ")\nset xrange [0:%g]\n", xmax * 1.06);
    fputs("set grid xtics ytics lc '#dddddd'\n", out);
    fputs(rich ? "set key below center vertical Left reverse maxrows 4 samplen 4 width 2\n"
               : "set key below left vertical Left reverse maxrows 3\n",
          out);
    /* One key column per initialization: its three curves, then its theory line. */
    const char *sep = "plot ";
    for (int k = 0; k < 2; k++) {
        const char *init = inits[k], *label = k ? "He" : "PyTorch default";
        for (int a = 0; a < N_ARCHS; a++) {
            fprintf(out, "%s'decades.tsv' skip 1 using 3:(strcol(1) eq '%s' && strcol(2) eq '%s' ? "
                         "column(6) : NaN)",
                    sep, init, archs[a]);
            if (rich)
                fprintf(out, ":(strcol(1) eq '%s' && strcol(2) eq '%s' ? column(7) : NaN)"
                             ":(strcol(1) eq '%s' && strcol(2) eq '%s' ? column(8) : NaN) "
                             "with yerrorlines",
                        init, archs[a], init, archs[a]);
            else
                fputs(" with linespoints", out);
            fprintf(out, " lc '%s' lw 2 dt %d pt %d ps 0.9 title '%s, %s init'",
                    gf_plot_color(archs[a]), k ? 2 : 1, k ? 6 : 7, archs[a], label);
            sep = ", \\\n     ";
        }
        if (rich)
            fprintf(out, "%s'decades.tsv' skip 1 using 3:(strcol(1) eq '%s' && strcol(2) eq "
                         "'plain' ? column(9) : NaN) with lines lc '#000000' lw 1.5 dt (6,4) "
                         "title 'plain, %s init: theory (product of gains)'",
                    sep, init, label);
    }
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
}

int hw_depth_figure(lesson *ls, const setup *su, const sweep *sw, int n_sweeps)
{
    depth_fig fig = {.su = su};
    snprintf(fig.title, sizeof fig.title,
             "Gradient at the stem's output relative to the head's input, at initialization");
    snprintf(fig.subtitle, sizeof fig.subtitle,
             "width %zu, batch %zu, %d seeds (bars: min-max), relu, no norm; solid: PyTorch "
             "default init, dashed: He init",
             su->width, su->batch, su->seeds);
    int rc = write_decades(ls, su, sw, n_sweeps, &fig);
    if (rc != 0)
        return rc;
    return lesson_figure(ls, "", "decades", depth_body, &fig, 1,
                         "||dL/dx_0|| / ||dL/dx_B|| against depth, both initializations. At 10^0 "
                         "four lines lie on top of each other: plain with He init (dashed red), "
                         "its theory, and both residual stacks with the default init (solid): "
                         "all of them keep the gradient's size.",
                         "깊이에 따른 ||dL/dx_0|| / ||dL/dx_B||, 두 초기화 비교. 10^0에서는 선 네 "
                         "개가 겹칩니다. He 초기화의 plain(빨간 파선)과 그 이론값, 기본 초기화의 두 "
                         "잔차 스택(실선)으로, 모두 그래디언트의 크기를 유지합니다.");
}
