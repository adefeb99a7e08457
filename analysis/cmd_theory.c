/* cmd_theory.c: gradflow theory, the mean-field phase diagram of a deep fully
 * connected net at initialization (Poole et al. 2016, Schoenholz et al. 2017):
 * q*, chi_1, c*, the depth scales and the trainable band over a grid of
 * (sigma_w^2, sigma_b^2), the critical line, and chosen points. The
 * computation and its files are the library's (gf_phase_*). */
#include "commands.h"
#include "run.h"

#include "gradflow.h"
#include "plots/gf_plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char CMD[] = "theory";

enum { MAX_DEPTHS = GF_PHASE_MAX_DEPTHS, MAX_POINTS = GF_PHASE_MAX_POINTS };

/* ---- options --------------------------------------------------------------------- */

typedef struct options {
    cli_common c; /* first: act, width, out, drawing, quiet */
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
    if (cli_int(cmd, opt, item, 1, 1000000, &v) != 0)
        return -1;
    *(double *)out = (double)v;
    return 0;
}

static int parse_count(const char *cmd, const char *opt, const char *item, void *out)
{
    return cli_int(cmd, opt, item, 2, 1001, out);
}

static int parse_real(const char *cmd, const char *opt, const char *item, void *out)
{
    return cli_real(cmd, opt, item, 0.0, 1e6, out);
}

/* SW2:SB2 */
static int parse_point(const char *cmd, const char *opt, const char *item, void *out)
{
    double *p = out;
    char buf[128];
    const char *colon = strchr(item, ':');
    if (!colon || snprintf(buf, sizeof buf, "%.*s", (int)(colon - item), item) >= (int)sizeof buf) {
        cli_fail(CLI_EXIT_USAGE, cmd, "%s: '%s' is not SW2:SB2 (e.g. 1.76:0.05)", opt, item);
        return -1;
    }
    if (cli_real(cmd, opt, buf, 1e-6, 20.0, &p[0]) != 0 ||
        cli_real(cmd, opt, colon + 1, 0.0, 5.0, &p[1]) != 0)
        return -1;
    return 0;
}

/* LO,HI with 0 <= LO < HI <= max (0 < LO when positive). */
static int parse_range(const char *opt, const char *s, double max, int positive, double *r)
{
    double v[3];
    const int n = cli_list(CMD, opt, s, 3, parse_real, v, sizeof *v);
    if (n < 0)
        return -1;
    if (n != 2 || !(v[1] <= max && v[0] < v[1]) || (positive && !(v[0] > 0.0)))
        return cli_error(CMD, "%s: expects LO,HI with 0 %s LO < HI <= %g", opt,
                           positive ? "<" : "<=", max);
    r[0] = v[0];
    r[1] = v[1];
    return 0;
}


static int set_act(const cli_arg *a, void *opts)
{
    const options *o = opts;
    if (o->c.cfg.act == GF_ACT_LINEAR)
        return cli_fail(CLI_EXIT_USAGE, a->cmd, "--act: the phase diagram is drawn for tanh or "
                        "relu");
    return 0;
}

static int set_sw2(const cli_arg *a, void *opts)
{
    return parse_range(a->opt, a->value, 20.0, 1, ((options *)opts)->sw2) ? CLI_EXIT_USAGE : 0;
}

static int set_sb2(const cli_arg *a, void *opts)
{
    return parse_range(a->opt, a->value, 5.0, 0, ((options *)opts)->sb2) ? CLI_EXIT_USAGE : 0;
}

/* N or NW,NB */
static int set_grid(const cli_arg *a, void *opts)
{
    options *o = opts;
    long grid[3];
    const int n = cli_list(CMD, a->opt, a->value, 2, parse_count, grid, sizeof *grid);
    if (n < 0)
        return CLI_EXIT_USAGE;
    o->nw = grid[0];
    o->nb = n == 2 ? grid[1] : grid[0];
    return 0;
}

static int set_depths(const cli_arg *a, void *opts)
{
    options *o = opts;
    o->n_depths = cli_list(CMD, a->opt, a->value, MAX_DEPTHS, parse_depth, o->depths,
                           sizeof *o->depths);
    return o->n_depths < 0 ? CLI_EXIT_USAGE : 0;
}

static int set_points(const cli_arg *a, void *opts)
{
    options *o = opts;
    o->n_user = cli_list(CMD, a->opt, a->value, MAX_POINTS - 3, parse_point, o->user,
                         sizeof *o->user);
    return o->n_user < 0 ? CLI_EXIT_USAGE : 0;
}

static const cli_option table[] = {
    {CLI_CHOICE, "act", 0, "NAME", "tanh, relu                               [tanh]",
     CLI_AT(options, c.cfg.act), .names = gf_act_names, .set = set_act},
    {CLI_CALL, "sw2", 0, "LO,HI", "range of sigma_w^2 = fan_in Var(w)       [0.5,4]",
     .set = set_sw2},
    {CLI_CALL, "sb2", 0, "LO,HI", "range of sigma_b^2 = Var(b)              [0,0.5]",
     .set = set_sb2},
    {CLI_CALL, "grid", 'g', "N|NW,NB", "grid points along sigma_w^2 and sigma_b^2 [71,51]",
     .set = set_grid},
    {CLI_CALL, "depth", 'd', "LIST", "depths (layers) whose trainable band to draw [56,110]",
     .set = set_depths},
    {CLI_CALL, "point", 'p', "LIST", "more points SW2:SB2 for theory_points.tsv (the inits torch,\n"
     "he and lecun at --width are always there), e.g. 1.76:0.05", .set = set_points},
    CLI_WIDTH(options, "fan_in of the init points (torch: sigma_b^2 = 1/(3 N)) [128]"),
    CLI_OUT(options, "run folder                               [runs/theory]"),
    CLI_TERM(options, "also draw in the terminal: dumb          [none]"),
    CLI_TABLE_END(options, "write the data and phase.gp, draw nothing"),
};

static void init(void *opts)
{
    gf_stack_config cfg = gf_stack_config_default();
    cfg.act = GF_ACT_TANH;
    *(options *)opts = (options){.c = {.cfg = cfg, .out = "runs/theory"}, .sw2 = {0.5, 4.0},
                                 .sb2 = {0.0, 0.5}, .nw = 71, .nb = 51, .depths = {56, 110},
                                 .n_depths = 2};
}

static int check(void *opts)
{
    const options *o = opts;
    for (int i = 0; i < o->n_depths; i++)
        for (int j = 0; j < i; j++)
            if (o->depths[i] == o->depths[j])
                return cli_fail(CLI_EXIT_USAGE, CMD, "--depth: %g is listed twice",
                                o->depths[i]);
    return 0;
}

/* ---- the computation --------------------------------------------------------------- */

CLI_RESULT(gf_phase, gf_phase_release, gf_phase_write)

/* The grid, the bands and the points, with a progress line. */
static int measure(const void *opts, void *res, cli_measure *m)
{
    const options *o = opts;
    const gf_phase_spec spec = {
        .act = o->c.cfg.act, .sw2 = {o->sw2[0], o->sw2[1]}, .sb2 = {o->sb2[0], o->sb2[1]},
        .nw = o->nw, .nb = o->nb, .depths = o->depths, .n_depths = o->n_depths,
        .width = o->c.cfg.width, .user = (const double (*)[2])o->user, .n_user = o->n_user,
        .progress = cli_progress_update, .progress_ctx = &m->progress};
    return gf_phase_compute(&spec, res, m->why, sizeof m->why);
}

/* ---- manifest, summary, figure ------------------------------------------------------ */

static void describe(json_t *m, const void *opts, const void *result)
{
    const options *o = opts;
    const gf_phase *p = result;
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

/* Outside the diagram's ranges. */
static int off_plot(const options *o, const gf_meanfield *m)
{
    return m->sw2 < o->sw2[0] || m->sw2 > o->sw2[1] || m->sb2 < o->sb2[0] || m->sb2 > o->sb2[1];
}

/* The trainable band's ends at sigma_b^2 = 0.05 (or the range's bottom). */
static void band_line(const options *o, gf_act act)
{
    const double sb = o->sb2[0] <= 0.05 && 0.05 <= o->sb2[1] ? 0.05 : o->sb2[0];
    printf("\n  trainable band (depth <= 6 xi_c) at sigma_b^2 = %g:", sb);
    int open = 0;
    for (int d = 0; d < o->n_depths; d++) {
        double l, r, crit = NAN;
        int cl, cr;
        if (gf_meanfield_band(act, sb, o->depths[d], o->sw2[0], o->sw2[1], &l, &r, &cl, &cr) ||
            gf_meanfield_critical_sw2(act, sb, &crit))
            continue;
        if (isnan(l))
            printf("%s depth %g: none within the range", d ? ";" : "", o->depths[d]);
        else if (isnan(r))
            printf("%s depth %g: sigma_w^2 from %.3f%s to the critical line %.3f (*)", d ? ";" : "", o->depths[d],
                   l, cl ? " (range)" : "", crit), open = 1;
        else
            printf("%s depth %g: sigma_w^2 in [%.3f%s, %.3f%s]", d ? ";" : "", o->depths[d], l,
                   cl ? " (range)" : "", r, cr ? " (range)" : "");
    }
    if (open)
        printf("\n  (*) the critical line: past it q has no fixed point and there is no xi_c, so "
               "no right edge is computed;\n      relu has no chaotic phase (c* = 1): there the "
               "gradient only grows, by 0.5 log10(sigma_w^2 / 2)\n      decades a layer "
               "(dec/layer below)");
    printf("\n");
}

static void summary(const cli_run *run, const void *opts, const void *result)
{
    const options *o = opts;
    const gf_phase *p = result;
    const int drawn = cli_run_drawn(run);
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
    printf("  critical line chi_1 = 1 (%s):",
           act == GF_ACT_TANH ? "order to chaos" : "vanishing to exploding gradients");
    for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
        double sw2;
        if (at[k] <= last || at[k] < o->sb2[0] || at[k] > o->sb2[1] ||
            gf_meanfield_critical_sw2(act, at[k], &sw2) != 0)
            continue;
        printf("%s sigma_w^2 = %.4f at sigma_b^2 = %g", last < 0 ? "" : ";", sw2, at[k]);
        last = at[k];
    }
    band_line(o, act);
    printf("  %-10s %9s %9s %9s %9s %-9s %9s %9s %9s %9s\n", "point", "sigma_w^2", "sigma_b^2",
           "q*", "chi_1", "phase", "xi_c", "6 xi_c", "xi_grad", "dec/layer");
    for (int k = 0; k < p->n_pts; k++) {
        const gf_meanfield *m = &p->pts[k].mf;
        char q[16], xc[16], tx[16], xg[16];
        fmt(q, sizeof q, m->q_star);
        fmt(xc, sizeof xc, m->xi_c);
        fmt(tx, sizeof tx, 6.0 * m->xi_c);
        fmt(xg, sizeof xg, m->xi_grad);
        printf("  %-10s %9.4g %9.4g %9s %9.6g %-9s %9s %9s %9s %+9.4f%s\n", p->pts[k].label,
               m->sw2, m->sb2, q, m->chi_1, gf_phase_name(act, m->chi_1), xc, tx, xg,
               0.5 * log10(m->chi_1), off_plot(o, m) ? "  (off the plot)" : "");
    }
    printf("  (dec/layer: decades the gradient norm gains per layer backward, 0.5 log10 chi_1;\n"
           "   xi_grad < 0: it explodes over |xi_grad| layers; '-': no fixed point q*;\n"
           "   inf: on the critical line (chi_1 = 1) the depth scales diverge;\n"
           "   off the plot: outside the ranges of --sw2 and --sb2)\n");
    if (o->sb2[0] == 0.0)
        printf("  at sigma_b^2 = 0 (the diagram's bottom row) q* = 0 below the critical line: "
               "xi_c there is the\n  limit sigma_b^2 -> 0+, -1/ln chi_1; at sigma_b^2 = 0 itself "
               "the signal vanishes and correlations\n  converge only polynomially (xi_c is "
               "degenerate)\n");
    printf("  wrote %s/{phase,critical,band,theory_points}.tsv, manifest.json, %s\n", o->c.out,
           drawn ? "phase.png/.svg/.gp" : "phase.gp (nothing drawn)");
}

/* ---- the figure -------------------------------------------------------------------- */

/* The points of theory_points.tsv outside the ranges, named in the figure. */
static void outside_note(const options *o, const gf_phase *p, char *buf, size_t size)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int k = 0; k < p->n_pts && at < size; k++) {
        const gf_meanfield *m = &p->pts[k].mf;
        if (off_plot(o, m))
            at += (size_t)snprintf(buf + at, size - at, "%s%s (%.3g, %.3g)",
                                   at ? ", " : "outside the plot (σ_w^2, σ_b^2): ",
                                   p->pts[k].label,
                                   m->sw2, m->sb2);
    }
}

static int figures(cli_run *r, const void *opts, void *result)
{
    const options *o = opts;
    const gf_phase *p = result;
    const int tanh = o->c.cfg.act == GF_ACT_TANH;
    char title[256], subtitle[256], outside[512];
    int first[MAX_DEPTHS], left[MAX_DEPTHS], right[MAX_DEPTHS], row = 0;
    for (int d = 0; d < o->n_depths; d++) {
        gf_phase_band_counts(p, d, &left[d], &right[d]);
        first[d] = row;
        row += left[d] + right[d];
    }
    snprintf(title, sizeof title, "%s phase diagram of a deep %s net at initialization (mean "
             "field, infinite width)", tanh ? "Order-to-chaos" : "Mean-field",
             gf_act_names[o->c.cfg.act]);
    snprintf(subtitle, sizeof subtitle, "colour: the depth scale ξ_c of correlations; black: "
             "χ_1 = σ_w^2 E[%s'(h)^2] = 1; dashed: depth = 6 ξ_c (Schoenholz et al. 2017)",
             gf_act_names[o->c.cfg.act]);
    outside_note(o, p, outside, sizeof outside);
    const gf_fig_phase fig = {
        .title = title, .subtitle = subtitle, .xlo = o->sw2[0], .xhi = o->sw2[1],
        .ylo = o->sb2[0], .yhi = o->sb2[1], .depths = o->depths, .n_depths = o->n_depths,
        .band_first = first, .band_left = left, .band_right = right, .n_points = p->n_pts,
        .chaotic = tanh,
        .chaos_note = tanh ? NULL : "no chaotic phase: c* = 1; no fixed point q*: q grows "
                                    "without bound; so no ξ_c and no band edge",
        .bottom_note = o->sb2[0] == 0.0 ? "bottom row σ_b^2 = 0: q* = 0, there ξ_c is the "
                                          "limit σ_b^2 → 0+ (degenerate)" : NULL,
        .outside_note = outside[0] ? outside : NULL};
    if (cli_run_figure(r, "phase", gf_fig_phase_body, &fig) != 0)
        return CLI_EXIT_RUNTIME;
    return cli_run_terminal(r, gf_fig_phase_body, &fig, 100, 36);
}

const cli_command cli_theory = {
    .name = CMD,
    .summary = "mean-field phase diagram: q*, chi_1, depth scales, trainable band",
    .about =
        "The mean field of a deep fully connected net at initialization, h' = W act(h) + b with\n"
        "W_ij ~ N(0, sigma_w^2 / fan_in) and b_i ~ N(0, sigma_b^2), at infinite width (Poole et\n"
        "al. 2016, Schoenholz et al. 2017): the fixed point q* of the variance map, the gradient\n"
        "gain per layer chi_1 = sigma_w^2 E[act'(h)^2], the correlation fixed point c*, and the\n"
        "depth scales xi_q, xi_c, xi_grad = -1 / log chi_1. chi_1 < 1 is the ordered phase\n"
        "(gradients vanish), chi_1 > 1 for tanh the chaotic one (they explode); relu has no\n"
        "chaotic phase (c* = 1; past chi_1 = 1 q has no fixed point, no xi_c and no band edge).\n"
        "Nets train when their depth is below about 6 xi_c. Computed by GSL quadrature and root\n"
        "finding, no sampling. At sigma_b^2 = 0 below the critical line q* = 0 and xi_c is the\n"
        "limit sigma_b^2 -> 0+ (degenerate there). Points outside the ranges are listed in the\n"
        "summary and the figure as off the plot.\n"
        "Writes into the run folder: phase.tsv (the grid), critical.tsv (chi_1 = 1), band.tsv\n"
        "(edges of the trainable band 6 xi_c >= depth), theory_points.tsv, manifest.json and\n"
        "phase.png/.svg/.gp (the phase diagram).\n\n",
    .epilog = CLI_EPILOG_EXIT("unwritable folder, a computation that failed"),
    .table = table, .size = sizeof(options), .init = init, .check = check,
    CLI_STEPS(gf_phase, "theory: grid rows", 0),
};
