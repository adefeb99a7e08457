/* cmd_theory.c: gradflow theory, the mean-field phase diagram of a deep fully
 * connected net at initialization (Poole et al. 2016, Schoenholz et al. 2017):
 * q*, chi_1, c*, the depth scales and the trainable band over a grid of
 * (sigma_w^2, sigma_b^2), the critical line, and chosen points. */
#include "cli.h"
#include "commands.h"
#include "options.h"

#include "gradflow.h"
#include "plots/gf_plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char CMD[] = "theory";

enum { MAX_DEPTHS = 8, MAX_POINTS = 16 };

static void help(void)
{
    printf(
        "Usage: gradflow theory [OPTIONS]\n\n"
        "The mean field of a deep fully connected net at initialization, h' = W act(h) + b with\n"
        "W_ij ~ N(0, sigma_w^2 / fan_in) and b_i ~ N(0, sigma_b^2), at infinite width (Poole et\n"
        "al. 2016, Schoenholz et al. 2017): the fixed point q* of the variance map, the gradient\n"
        "gain per layer chi_1 = sigma_w^2 E[act'(h)^2], the correlation fixed point c*, and the\n"
        "depth scales xi_q, xi_c, xi_grad = -1 / log chi_1. chi_1 < 1 is the ordered phase\n"
        "(gradients vanish), chi_1 > 1 the chaotic one (they explode); nets train when their depth\n"
        "is below about 6 xi_c. Computed by GSL quadrature and root finding, no sampling.\n"
        "Writes into the run folder: phase.tsv (the grid), critical.tsv (chi_1 = 1), band.tsv\n"
        "(edges of the trainable band 6 xi_c >= depth), theory_points.tsv, manifest.json and\n"
        "phase.png/.svg/.gp (the phase diagram).\n\n"
        "Options:\n"
        "      --act NAME        tanh, relu                               [tanh]\n"
        "      --sw2 LO,HI       range of sigma_w^2 = fan_in Var(w)       [0.5,4]\n"
        "      --sb2 LO,HI       range of sigma_b^2 = Var(b)              [0,0.5]\n"
        "  -g, --grid N|NW,NB    grid points along sigma_w^2 and sigma_b^2 [71,51]\n"
        "  -d, --depth LIST      depths (layers) whose trainable band to draw [56,110]\n"
        "  -p, --point LIST      more points SW2:SB2 for theory_points.tsv (the inits torch,\n"
        "                        he and lecun at --width are always there), e.g. 1.76:0.05\n"
        "  -w, --width N         fan_in of the init points (torch: sigma_b^2 = 1/(3 N)) [128]\n"
        "  -o, --out DIR         run folder                               [runs/theory]\n"
        "      --term TERM       also draw in the terminal: dumb          [none]\n"
        "      --no-plot         write the data and phase.gp, draw nothing\n"
        "  -q, --quiet           no summary on stdout\n"
        "  -h, --help            this help\n"
        "  -V, --version         the version\n\n"
        "Exit status: 0 success (also when gnuplot is missing: a warning says how to draw\n"
        "later), 1 runtime failure (unwritable folder, a computation that failed), 2 usage error.\n");
}

/* ---- options --------------------------------------------------------------------- */

typedef struct options {
    gf_common_opts c; /* act, width, out, drawing, quiet */
    double sw2[2], sb2[2];
    long nw, nb;
    double depths[MAX_DEPTHS];
    int n_depths;
    double user[MAX_POINTS][2];
    int n_user;
} options;

static int parse_depth(const char *cmd, const char *opt, const char *item, void *out)
{
    long v;
    if (gf_cli_int(cmd, opt, item, 1, 1000000, &v) != 0)
        return -1;
    *(double *)out = (double)v;
    return 0;
}

static int parse_count(const char *cmd, const char *opt, const char *item, void *out)
{
    return gf_cli_int(cmd, opt, item, 2, 1001, out);
}

static int parse_real(const char *cmd, const char *opt, const char *item, void *out)
{
    return gf_cli_real(cmd, opt, item, 0.0, 1e6, out);
}

/* SW2:SB2 */
static int parse_point(const char *cmd, const char *opt, const char *item, void *out)
{
    double *p = out;
    char buf[128];
    const char *colon = strchr(item, ':');
    if (!colon || snprintf(buf, sizeof buf, "%.*s", (int)(colon - item), item) >= (int)sizeof buf) {
        gf_cli_fail(GF_EXIT_USAGE, cmd, "%s: '%s' is not SW2:SB2 (e.g. 1.76:0.05)", opt, item);
        return -1;
    }
    if (gf_cli_real(cmd, opt, buf, 1e-6, 20.0, &p[0]) != 0 ||
        gf_cli_real(cmd, opt, colon + 1, 0.0, 5.0, &p[1]) != 0)
        return -1;
    return 0;
}

/* LO,HI with 0 <= LO < HI <= max (0 < LO when positive). */
static int parse_range(const char *opt, const char *s, double max, int positive, double *r)
{
    double v[3];
    const int n = gf_cli_list(CMD, opt, s, 3, parse_real, v, sizeof *v);
    if (n < 0)
        return -1;
    if (n != 2 || !(v[1] <= max && v[0] < v[1]) || (positive && !(v[0] > 0.0)))
        return gf_cli_fail(-1, CMD, "%s: expects LO,HI with 0 %s LO < HI <= %g", opt,
                           positive ? "<" : "<=", max);
    r[0] = v[0];
    r[1] = v[1];
    return 0;
}

static int parse(int argc, char **argv, options *o)
{
    enum { O_SW2 = GF_OPT_OWN, O_SB2 };
    static const struct option longopts[] = {
        {"act", required_argument, 0, GF_OPT_ACT}, {"sw2", required_argument, 0, O_SW2},
        {"sb2", required_argument, 0, O_SB2},      {"grid", required_argument, 0, 'g'},
        {"depth", required_argument, 0, 'd'},      {"point", required_argument, 0, 'p'},
        {"width", required_argument, 0, 'w'},      {"out", required_argument, 0, 'o'},
        {"term", required_argument, 0, GF_OPT_TERM}, {"no-plot", no_argument, 0, GF_OPT_NOPLOT},
        {"quiet", no_argument, 0, 'q'},            {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'},          {0, 0, 0, 0},
    };
    gf_stack_config cfg = gf_stack_config_default();
    cfg.act = GF_ACT_TANH;
    *o = (options){.c = {.cfg = cfg, .out = "runs/theory"}, .sw2 = {0.5, 4.0}, .sb2 = {0.0, 0.5},
                   .nw = 71, .nb = 51, .depths = {56, 110}, .n_depths = 2};
    long grid[3];
    int c, n;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":g:d:p:w:o:qhV", longopts, NULL)) != -1) {
        const int r = gf_common_option(CMD, c, optarg, argv, &o->c, help);
        if (r != 0) {
            if (r < 0 || r == 2)
                return r < 0 ? -1 : 1;
            if (c == GF_OPT_ACT && o->c.cfg.act == GF_ACT_LINEAR)
                return gf_cli_fail(-1, CMD, "--act: the phase diagram is drawn for tanh or relu");
            continue;
        }
        switch (c) {
        case O_SW2:
            if (parse_range("--sw2", optarg, 20.0, 1, o->sw2) != 0)
                return -1;
            break;
        case O_SB2:
            if (parse_range("--sb2", optarg, 5.0, 0, o->sb2) != 0)
                return -1;
            break;
        case 'g':
            if ((n = gf_cli_list(CMD, "--grid", optarg, 2, parse_count, grid, sizeof *grid)) < 0)
                return -1;
            o->nw = grid[0];
            o->nb = n == 2 ? grid[1] : grid[0];
            break;
        case 'd':
            if ((o->n_depths = gf_cli_list(CMD, "--depth", optarg, MAX_DEPTHS, parse_depth,
                                           o->depths, sizeof *o->depths)) < 0)
                return -1;
            break;
        default: /* 'p' */
            if ((o->n_user = gf_cli_list(CMD, "--point", optarg, MAX_POINTS - 3, parse_point,
                                         o->user, sizeof *o->user)) < 0)
                return -1;
            break;
        }
    }
    if (gf_common_finish(CMD, argc, argv, &o->c) != 0)
        return -1;
    for (int i = 0; i < o->n_depths; i++)
        for (int j = 0; j < i; j++)
            if (o->depths[i] == o->depths[j])
                return gf_cli_fail(-1, CMD, "--depth: %g is listed twice", o->depths[i]);
    return 0;
}

/* ---- the computation ----------------------------------------------------------------- */

typedef struct point {
    char label[32];
    gf_meanfield mf;
} point;

typedef struct band_row {
    double sb2, left, right;
    int clip_left, clip_right;
} band_row;

/* The critical line and the bands are sampled at nb values of sigma_b^2,
 * denser near the bottom of the range, where the tanh critical line leaves
 * sigma_w^2 = 1 like a square root. */
typedef struct phase {
    const options *o;
    gf_meanfield *grid;      /* [nb][nw], sigma_w^2 fastest */
    double *crit_sb2, *crit; /* [nb]: sigma_b^2 and the critical sigma_w^2 there */
    band_row *band;          /* [n_depths][nb], at crit_sb2 */
    point pts[MAX_POINTS];
    int n_pts;
} phase;

static double grid_value(const double *r, long n, long i)
{
    return n == 1 ? r[0] : r[0] + (r[1] - r[0]) * (double)i / (double)(n - 1);
}

static double curve_sb2(const options *o, long k)
{
    const double t = o->nb == 1 ? 0.0 : (double)k / (double)(o->nb - 1);
    return o->sb2[0] + (o->sb2[1] - o->sb2[0]) * t * t;
}

static void phase_release(phase *p)
{
    free(p->grid);
    free(p->crit_sb2);
    free(p->crit);
    free(p->band);
}

static int add_point(phase *p, const char *label, double sw2, double sb2)
{
    point *pt = &p->pts[p->n_pts++];
    snprintf(pt->label, sizeof pt->label, "%s", label);
    if (gf_meanfield_point(p->o->c.cfg.act, sw2, sb2, &pt->mf) != 0)
        return gf_cli_fail(-1, CMD, "the mean field failed at sigma_w^2 = %g, sigma_b^2 = %g",
                           sw2, sb2);
    return 0;
}

static int compute(const options *o, phase *p)
{
    const gf_act act = o->c.cfg.act;
    *p = (phase){.o = o};
    p->grid = malloc((size_t)(o->nw * o->nb) * sizeof *p->grid);
    p->crit = malloc((size_t)o->nb * sizeof *p->crit);
    p->crit_sb2 = malloc((size_t)o->nb * sizeof *p->crit_sb2);
    p->band = malloc((size_t)(o->n_depths * o->nb) * sizeof *p->band);
    if (!p->grid || !p->crit || !p->crit_sb2 || !p->band)
        return gf_cli_fail(-1, CMD, "out of memory for a %ld x %ld grid", o->nw, o->nb);
    gf_progress prog;
    gf_progress_begin(&prog, "theory: grid rows");
    int rc = 0;
    for (long j = 0; rc == 0 && j < o->nb; j++) {
        const double sb2 = grid_value(o->sb2, o->nb, j);
        for (long i = 0; rc == 0 && i < o->nw; i++) {
            const double sw2 = grid_value(o->sw2, o->nw, i);
            if (gf_meanfield_point(act, sw2, sb2, &p->grid[j * o->nw + i]) != 0)
                rc = gf_cli_fail(-1, CMD, "the mean field failed at sigma_w^2 = %g, "
                                 "sigma_b^2 = %g", sw2, sb2);
        }
        const double cb = p->crit_sb2[j] = curve_sb2(o, j);
        if (rc == 0 && gf_meanfield_critical_sw2(act, cb, &p->crit[j]) != 0)
            rc = gf_cli_fail(-1, CMD, "no critical line found at sigma_b^2 = %g", cb);
        for (int d = 0; rc == 0 && d < o->n_depths; d++) {
            band_row *b = &p->band[d * o->nb + j];
            b->sb2 = cb;
            if (gf_meanfield_band(act, cb, o->depths[d], o->sw2[0], o->sw2[1], &b->left,
                                  &b->right, &b->clip_left, &b->clip_right) != 0)
                rc = gf_cli_fail(-1, CMD, "the trainable band failed at sigma_b^2 = %g", cb);
        }
        gf_progress_update(&prog, (int)j + 1, (int)o->nb);
    }
    gf_progress_end(&prog);
    if (rc != 0)
        return rc;
    /* the inits of gradflow at --width (square layers), then the user's points */
    const size_t w = o->c.cfg.width;
    static const gf_init inits[] = {GF_INIT_TORCH, GF_INIT_HE, GF_INIT_LECUN};
    for (size_t k = 0; k < sizeof inits / sizeof *inits; k++)
        if (add_point(p, gf_init_names[inits[k]], (double)w * gf_init_weight_var(inits[k], w, w),
                      gf_init_bias_var(inits[k], w)) != 0)
            return -1;
    for (int k = 0; k < o->n_user; k++) {
        char label[32];
        snprintf(label, sizeof label, "point %d", k + 1);
        if (add_point(p, label, o->user[k][0], o->user[k][1]) != 0)
            return -1;
    }
    return 0;
}

/* ---- files ------------------------------------------------------------------------- */

static void put(FILE *f, double x)
{
    char b[40];
    gf_format_double(b, sizeof b, x);
    fprintf(f, "\t%s", b);
}

static const char *phase_name(double chi_1)
{
    return fabs(chi_1 - 1.0) <= 1e-9 ? "critical" : chi_1 < 1.0 ? "ordered" : "chaotic";
}

static const char MF_COLS[] = "status\tphase\tq_star\tchi_1\tq_slope\tc_star\tchi_c\txi_q\txi_c\t"
                              "xi_grad\ttrainable_depth\tlog10_grad_per_layer";

/* status ... log10 of the gradient norm's change per layer (backward) */
static void put_mf(FILE *f, const gf_meanfield *m)
{
    fprintf(f, "\t%s\t%s", gf_mf_status_names[m->status], phase_name(m->chi_1));
    put(f, m->q_star);
    put(f, m->chi_1);
    put(f, m->q_slope);
    put(f, m->c_star);
    put(f, m->chi_c);
    put(f, m->xi_q);
    put(f, m->xi_c);
    put(f, m->xi_grad);
    put(f, 6.0 * m->xi_c);
    put(f, 0.5 * log10(m->chi_1));
}

static int write_phase(FILE *f, const void *ctx)
{
    const phase *p = ctx;
    fprintf(f, "sigma_w2\tsigma_b2\t%s\tlog10_xi_c\n", MF_COLS);
    for (long k = 0; k < p->o->nw * p->o->nb; k++) {
        const gf_meanfield *m = &p->grid[k];
        fprintf(f, "%.10g\t%.10g", m->sw2, m->sb2);
        put_mf(f, m);
        put(f, log10(m->xi_c));
        fputc('\n', f);
    }
    return 0;
}

static int write_critical(FILE *f, const void *ctx)
{
    const phase *p = ctx;
    fprintf(f, "sigma_b2\tsigma_w2\n");
    for (long j = 0; j < p->o->nb; j++) {
        fprintf(f, "%.10g", p->crit_sb2[j]);
        put(f, p->crit[j]);
        fputc('\n', f);
    }
    return 0;
}

/* The rows of a depth's band: the left edge upward, then the right edge
 * downward (one closed polygon for the figure); rows where the band misses
 * the range are left out. Counts per depth in left[] / right[]. */
static void band_counts(const phase *p, int d, int *left, int *right)
{
    *left = *right = 0;
    for (long j = 0; j < p->o->nb; j++) {
        const band_row *b = &p->band[d * p->o->nb + j];
        *left += !isnan(b->left);
        *right += !isnan(b->right);
    }
}

static int write_band(FILE *f, const void *ctx)
{
    const phase *p = ctx;
    const long nb = p->o->nb;
    fprintf(f, "depth\tedge\tsigma_b2\tsigma_w2\tclipped\txi_c\n");
    for (int d = 0; d < p->o->n_depths; d++) {
        const double depth = p->o->depths[d];
        for (long j = 0; j < nb; j++) {
            const band_row *b = &p->band[d * nb + j];
            if (!isnan(b->left)) {
                fprintf(f, "%g\tleft\t%.10g", depth, b->sb2);
                put(f, b->left);
                fprintf(f, "\t%d", b->clip_left);
                put(f, depth / 6.0);
                fputc('\n', f);
            }
        }
        for (long j = nb - 1; j >= 0; j--) {
            const band_row *b = &p->band[d * nb + j];
            if (!isnan(b->right)) {
                fprintf(f, "%g\tright\t%.10g", depth, b->sb2);
                put(f, b->right);
                fprintf(f, "\t%d", b->clip_right);
                put(f, depth / 6.0);
                fputc('\n', f);
            }
        }
    }
    return 0;
}

static int write_points(FILE *f, const void *ctx)
{
    const phase *p = ctx;
    fprintf(f, "label\tsigma_w2\tsigma_b2\t%s\n", MF_COLS);
    for (int k = 0; k < p->n_pts; k++) {
        fprintf(f, "%s\t%.10g\t%.10g", p->pts[k].label, p->pts[k].mf.sw2, p->pts[k].mf.sb2);
        put_mf(f, &p->pts[k].mf);
        fputc('\n', f);
    }
    return 0;
}

static int write_all(const phase *p, const char *dir)
{
    static const struct { const char *name; gf_write_fn fn; } files[] = {
        {"phase.tsv", write_phase}, {"critical.tsv", write_critical},
        {"band.tsv", write_band},   {"theory_points.tsv", write_points},
    };
    char path[4096], why[512];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        if (gf_path_join(path, sizeof path, dir, files[i].name) != 0 ||
            gf_write_file(path, files[i].fn, p, why, sizeof why) != 0)
            return gf_cli_fail(-1, CMD, "cannot write %s/%s: %s", dir, files[i].name, why);
    return 0;
}

static void describe(json_t *m, const options *o, const phase *p)
{
    json_t *depths = json_array(), *pts = json_array();
    for (int i = 0; i < o->n_depths; i++)
        json_array_append_new(depths, json_real(o->depths[i]));
    for (int k = 0; k < p->n_pts; k++)
        json_array_append_new(pts, json_pack("{s:s, s:f, s:f}", "label", p->pts[k].label,
                                             "sigma_w2", p->pts[k].mf.sw2, "sigma_b2",
                                             p->pts[k].mf.sb2));
    json_object_set_new(m, "settings",
        json_pack("{s:s, s:[f,f], s:[f,f], s:I, s:I, s:o, s:o, s:I}", "act",
                  gf_act_names[o->c.cfg.act], "sigma_w2", o->sw2[0], o->sw2[1], "sigma_b2",
                  o->sb2[0], o->sb2[1], "grid_sigma_w2", (json_int_t)o->nw, "grid_sigma_b2",
                  (json_int_t)o->nb, "depths", depths, "points", pts, "width",
                  (json_int_t)o->c.cfg.width));
    json_object_set_new(m, "model", json_string(
        "mean field at infinite width (Poole et al. 2016, Schoenholz et al. 2017): "
        "q' = sw2 E[act(sqrt(q) z)^2] + sb2, chi_1 = sw2 E[act'(h)^2] at q*, "
        "c' = (sw2 E[act(u1) act(u2)] + sb2) / q*, chi_c = sw2 E[act'(u1) act'(u2)] at c*, "
        "xi_q = -1/log(chi_1 + sw2 E[act''(h) act(h)]), xi_c = -1/log(chi_c), "
        "xi_grad = -1/log(chi_1), trainable when depth <= 6 xi_c"));
    json_object_set_new(m, "method", json_string(
        "GSL adaptive Gauss-Kronrod quadrature and Brent root finding; the correlation map of "
        "tanh by Mehler's expansion (Hermite coefficients by the trapezoid rule, Parseval tails "
        "below 1e-13); relu in closed form (arc-cosine kernels)"));
}

/* ---- the summary ----------------------------------------------------------------- */

static void fmt(char *b, size_t n, double x)
{
    if (isnan(x))
        snprintf(b, n, "-");
    else if (isinf(x))
        snprintf(b, n, "%sinf", x < 0 ? "-" : "");
    else
        snprintf(b, n, "%.4g", x);
}

static void summary(const options *o, const phase *p, int drawn)
{
    const gf_act act = o->c.cfg.act;
    printf("gradflow theory: act %s, mean field at infinite width; sigma_w^2 in [%g, %g] (%ld "
           "points), sigma_b^2 in [%g, %g] (%ld points)\n",
           gf_act_names[act], o->sw2[0], o->sw2[1], o->nw, o->sb2[0], o->sb2[1], o->nb);
    if (act == GF_ACT_RELU)
        printf("  relu: chi_1 = sigma_w^2 E[relu'(h)^2] = sigma_w^2 / 2 whatever q, so the critical "
               "line is sigma_w^2 = 2\n  (He init) at every sigma_b^2; beyond it q has no fixed "
               "point (it grows without bound).\n");
    /* a few values of the critical line and the bands, computed at those sigma_b^2 */
    const double at[] = {o->sb2[0], 0.05, 0.5 * (o->sb2[0] + o->sb2[1]), o->sb2[1]};
    double last = -1.0;
    printf("  critical line chi_1 = 1 (order to chaos):");
    for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
        double sw2;
        if (at[k] <= last || at[k] < o->sb2[0] || at[k] > o->sb2[1] ||
            gf_meanfield_critical_sw2(act, at[k], &sw2) != 0)
            continue;
        printf("%s sigma_w^2 = %.4f at sigma_b^2 = %g", last < 0 ? "" : ";", sw2, at[k]);
        last = at[k];
    }
    const double sb = o->sb2[0] <= 0.05 && 0.05 <= o->sb2[1] ? 0.05 : o->sb2[0];
    printf("\n  trainable band (depth <= 6 xi_c) at sigma_b^2 = %g:", sb);
    for (int d = 0; d < o->n_depths; d++) {
        double l, r;
        int cl, cr;
        if (gf_meanfield_band(act, sb, o->depths[d], o->sw2[0], o->sw2[1], &l, &r, &cl, &cr))
            continue;
        if (isnan(l))
            printf("%s depth %g: none within the range", d ? ";" : "", o->depths[d]);
        else
            printf("%s depth %g: sigma_w^2 in [%.3f%s, %.3f%s]", d ? ";" : "", o->depths[d], l,
                   cl ? " (range)" : "", r, cr ? " (range)" : "");
    }
    printf("\n");
    printf("  %-10s %9s %9s %9s %9s %-9s %9s %9s %9s %9s\n", "point", "sigma_w^2", "sigma_b^2",
           "q*", "chi_1", "phase", "xi_c", "6 xi_c", "xi_grad", "dec/layer");
    for (int k = 0; k < p->n_pts; k++) {
        const gf_meanfield *m = &p->pts[k].mf;
        char q[16], xc[16], tx[16], xg[16];
        fmt(q, sizeof q, m->q_star);
        fmt(xc, sizeof xc, m->xi_c);
        fmt(tx, sizeof tx, 6.0 * m->xi_c);
        fmt(xg, sizeof xg, m->xi_grad);
        printf("  %-10s %9.4g %9.4g %9s %9.6g %-9s %9s %9s %9s %+9.4f\n", p->pts[k].label, m->sw2,
               m->sb2, q, m->chi_1, phase_name(m->chi_1), xc, tx, xg, 0.5 * log10(m->chi_1));
    }
    printf("  (dec/layer: decades the gradient norm gains per layer backward, 0.5 log10 chi_1;\n"
           "   xi_grad < 0: it explodes over |xi_grad| layers; '-': no fixed point q*)\n");
    printf("  wrote %s/{phase,critical,band,theory_points}.tsv, manifest.json, %s\n", o->c.out,
           drawn ? "phase.png/.svg/.gp" : "phase.gp (nothing drawn)");
}

/* ---- the figure -------------------------------------------------------------------- */

static int figure(const options *o, const phase *p, int *drawn)
{
    char title[256], subtitle[256], why[512];
    int first[MAX_DEPTHS], left[MAX_DEPTHS], right[MAX_DEPTHS], row = 0;
    for (int d = 0; d < o->n_depths; d++) {
        band_counts(p, d, &left[d], &right[d]);
        first[d] = row;
        row += left[d] + right[d];
    }
    snprintf(title, sizeof title, "Order-to-chaos phase diagram of a deep %s net at "
             "initialization (mean field, infinite width)", gf_act_names[o->c.cfg.act]);
    snprintf(subtitle, sizeof subtitle, "colour: the depth scale ξ_c of correlations; black: "
             "χ_1 = σ_w^2 E[%s'(h)^2] = 1; dashed: depth = 6 ξ_c (Schoenholz et al. 2017)",
             gf_act_names[o->c.cfg.act]);
    const gf_fig_phase fig = {.title = title, .subtitle = subtitle,
                              .xlo = o->sw2[0], .xhi = o->sw2[1], .ylo = o->sb2[0],
                              .yhi = o->sb2[1], .depths = o->depths, .n_depths = o->n_depths,
                              .band_first = first, .band_left = left, .band_right = right,
                              .n_points = p->n_pts,
                              .chaos_note = o->c.cfg.act == GF_ACT_RELU
                                                ? "no fixed point q*: q grows without bound, "
                                                  "no ξ_c"
                                                : NULL};
    const int rc = o->c.no_plot ? gf_plot_script(o->c.out, "phase", gf_fig_phase_body, &fig, why,
                                                 sizeof why)
                                : gf_plot_figure(o->c.out, "phase", gf_fig_phase_body, &fig, why,
                                                 sizeof why);
    if (rc < 0)
        return gf_cli_fail(-1, CMD, "%s", why);
    if (rc == 1)
        gf_cli_warn(CMD, "%s", why);
    *drawn = !o->c.no_plot && rc == 0;
    if (!*drawn) { /* no stale pictures beside new data */
        char path[4096];
        static const char *const pictures[] = {"phase.png", "phase.svg"};
        for (size_t i = 0; i < 2; i++)
            if (gf_path_join(path, sizeof path, o->c.out, pictures[i]) == 0)
                unlink(path);
    }
    if (o->c.term_dumb && *drawn &&
        gf_plot_terminal(o->c.out, gf_fig_phase_body, &fig, 100, 36, why, sizeof why) < 0)
        return gf_cli_fail(-1, CMD, "%s", why);
    return 0;
}

int cmd_theory(int argc, char **argv)
{
    options o;
    const int pr = parse(argc, argv, &o);
    if (pr != 0)
        return pr > 0 ? GF_EXIT_OK : GF_EXIT_USAGE;
    const double t0 = gf_cli_now();
    phase p;
    if (compute(&o, &p) != 0) {
        phase_release(&p);
        return GF_EXIT_RUNTIME;
    }
    json_t *m = gf_manifest_new(CMD, argc, argv);
    const int existed = access(o.c.out, F_OK) == 0;
    int status = GF_EXIT_OK, drawn = 0;
    char path[4096];
    if (gf_make_dirs(o.c.out) != 0) {
        status = gf_cli_fail(GF_EXIT_RUNTIME, CMD, "cannot use output folder '%s': %s", o.c.out,
                             strerror(errno));
        if (!existed)
            rmdir(o.c.out);
    } else if (write_all(&p, o.c.out) != 0) {
        status = GF_EXIT_RUNTIME;
    } else {
        describe(m, &o, &p);
        if (gf_path_join(path, sizeof path, o.c.out, "manifest.json") != 0 ||
            gf_manifest_write(m, path, gf_cli_now() - t0) != 0)
            status = gf_cli_fail(GF_EXIT_RUNTIME, CMD, "cannot write %s/manifest.json: %s",
                                 o.c.out, strerror(errno));
        else if (figure(&o, &p, &drawn) != 0)
            status = GF_EXIT_RUNTIME;
        else if (!o.c.quiet)
            summary(&o, &p, drawn);
    }
    json_decref(m);
    phase_release(&p);
    return status;
}
