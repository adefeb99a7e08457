/* gradnorm_report.c: the figures and the summary of `gradflow gradnorm`. */
#include "gradnorm_report.h"


#include <math.h>
#include <stdio.h>
#include <string.h>

/* Per architecture, geometric means over seeds: log10 ||dL/dx_0||, log10
 * ||dL/dx_B||, and the predicted change (NaN without a prediction). */
/* The arch column's width: 8, or the longest name ("cnn-resnet"). */
static int name_width(const gf_gradnorm_result *res)
{
    int w = 8;
    for (int a = 0; a < res->spec.n_archs; a++) {
        const int n = (int)strlen(gf_arch_names[res->spec.archs[a]]);
        w = n > w ? n : w;
    }
    return w;
}

typedef struct arch_ends {
    double first, last, theory;
} arch_ends;

static arch_ends ends_of(const gf_gradnorm_result *res, int a)
{
    arch_ends e = {0};
    double lo, hi;
    gf_gradnorm_block_stats(res, a, 0, &e.first, &lo, &hi);
    gf_gradnorm_block_stats(res, a, res->blocks, &e.last, &lo, &hi);
    for (int l = 0; l < res->blocks; l++)
        e.theory += res->theory[a * res->blocks + l];
    return e;
}

static const char *verdict(double decades)
{
    return isnan(decades)  ? "not measured"
           : decades < -1.0 ? "vanishes toward the input"
           : decades > 1.0  ? "grows toward the input"
                            : "stays level (within one decade)";
}

/* What the numbers say, in words, one architecture at a time. */
static void reading(const gf_gradnorm_result *res, int a, arch_ends e)
{
    const int B = res->blocks;
    const double d = e.first - e.last;
    const char *name = gf_arch_names[res->spec.archs[a]];
    if (!isfinite(d)) { /* a norm of 0: log10 is -inf, their difference -inf or nan */
        printf("  %s: %s; no decades to compare.\n", name,
               isnan(d) ? "no gradient at all (||dL/dx_B|| = 0 too: every unit of a layer is "
                          "off, likely at this width)"
                        : "no gradient reaches x_0 (||dL/dx_0|| = 0: every unit of a layer is "
                          "off, likely at this width)");
        return;
    }
    if (!gf_arch_residual(res->spec.archs[a]) && isnan(e.theory))
        printf("  %s: %+.2f decades; %s.\n", name, d, verdict(d));
    else if (!gf_arch_residual(res->spec.archs[a]))
        printf("  %s: the product of %d per-block gains of 10^%+.3f predicts %+.2f decades; "
               "measured %+.2f.%s\n",
               name, B, e.theory / B, e.theory, d,
               fabs(e.theory / B) < 0.01 ? "\n    Per-layer gain 1: this init keeps the plain "
                                           "stack from vanishing at initialization."
                                         : "");
    else if (d > 1.0)
        printf("  %s: grows %+.3f decades per block toward the input: dL/dx_l = s + J_F^T s adds "
               "the branch's\n    gradient to the skip's at every block; the +1 keeps it from "
               "vanishing but does not normalize it.\n",
               name, d / B);
    else
        printf("  %s: level within one decade over %d blocks: the identity path carries the "
               "gradient (the \"+1\").\n",
               name, B);
    if (gf_arch_residual(res->spec.archs[a]) && d > 1.0 && !isnan(e.theory))
        printf("    Mean field: E||dL/dx_l||^2 = (1 + chi_F) E||%s||^2 per block, %+.3f decades.\n",
               gf_arch_unit(res->spec.archs[a]) == GF_ARCH_RESNET ? "act'(u_{l+1}) dL/dx_{l+1}" : "dL/dx_{l+1}",
               e.theory / B);
}

/* The standard error over seeds of the decades x_B -> x_0 (NaN for one seed). */
static double seed_error(const gf_gradnorm_result *res, int a)
{
    double s = 0.0, s2 = 0.0;
    int n = 0;
    for (int k = 0; k < res->spec.seeds; k++) {
        const gf_probe_record *f = gf_gradnorm_block(res, a, k, 0);
        const gf_probe_record *l = gf_gradnorm_block(res, a, k, res->blocks);
        if (!f || !l)
            continue;
        const double d = gf_log10_of_log2(f->log2_frob) - gf_log10_of_log2(l->log2_frob);
        s += d;
        s2 += d * d;
        n++;
    }
    if (n < 2)
        return NAN;
    const double var = (s2 - s * s / n) / (n - 1);
    return sqrt(fmax(var, 0.0) / n);
}

/* Decades per block, measured and predicted, side by side, and where they
 * differ by more than two standard errors over seeds (from 3 seeds on: the
 * error of 2 seeds is itself too uncertain). */
static void slopes(const gf_gradnorm_result *res)
{
    const int B = res->blocks;
    printf("  decades per block (x_B -> x_0, mean over %d blocks), measured and mean-field theory:\n"
           "  %-*s %10s %10s %12s %10s\n",
           B, name_width(res), "arch", "measured", "theory", "difference", "(in s.e.)");
    char off[256] = "";
    size_t used = 0;
    for (int a = 0; a < res->spec.n_archs; a++) {
        const arch_ends e = ends_of(res, a);
        const double d = e.first - e.last, se = seed_error(res, a), diff = d - e.theory;
        const char *name = gf_arch_names[res->spec.archs[a]];
        char t[32] = "n/a", df[32] = "", z[32] = "";
        if (!isnan(e.theory)) {
            snprintf(t, sizeof t, "%+.4f", e.theory / B);
            snprintf(df, sizeof df, "%+.4f", diff / B);
            if (se > 0)
                snprintf(z, sizeof z, "%+.1f", diff / se);
            if (res->spec.seeds >= 3 && se > 0 && fabs(diff) > 2.0 * se && used < sizeof off)
                used += (size_t)snprintf(off + used, sizeof off - used, "%s%s", used ? ", " : "",
                                         name);
        }
        if (isnan(e.theory))
            printf("  %-*s %+10.4f %10s\n", name_width(res), name, d / B, t);
        else
            printf("  %-*s %+10.4f %10s %12s %10s\n", name_width(res), name, d / B, t, df, z);
    }
    for (int a = 0; a < res->spec.n_archs; a++) { /* why not, once per reason */
        int first = isnan(ends_of(res, a).theory);
        for (int b = 0; first && b < a; b++)
            first = !(isnan(ends_of(res, b).theory) &&
                      strcmp(res->theory_why[a], res->theory_why[b]) == 0);
        if (!first)
            continue;
        printf("  %s", gf_arch_names[res->spec.archs[a]]);
        for (int b = a + 1; b < res->spec.n_archs; b++)
            if (isnan(ends_of(res, b).theory) &&
                strcmp(res->theory_why[a], res->theory_why[b]) == 0)
                printf(", %s", gf_arch_names[res->spec.archs[b]]);
        printf(": %s.\n", res->theory_why[a]);
    }
    if (*off)
        printf("  theory and measurement disagree (beyond 2 standard errors over seeds) for %s:\n"
               "  the mean field is the limit of infinite width, for E||dL/dx||^2 (these are\n"
               "  geometric means); try a larger --width.\n", off);
}

void gradnorm_summary(const gf_gradnorm_result *res, const gf_stack_config *cfg, long batch,
                      const char *dir, int drawn)
{
    const int B = res->blocks, seeds = res->spec.seeds;
    int residual = 0;
    char net[192];
    gf_arch_network_text(net, sizeof net, cfg, res->spec.archs, res->spec.n_archs);
    if (strstr(net, "cnn:") || strstr(net, "densenet:")) /* the MLP stacks' heading as it
                                                             always was, else the nets' */
        printf("gradflow gradnorm: depth %d (B = %d blocks), %s, batch %ld, %d seed%s\n",
               cfg->depth, B, net, batch, seeds, seeds > 1 ? "s" : "");
    else
        printf("gradflow gradnorm: depth %d (B = %d blocks), width %zu, batch %ld, init %s, "
               "norm %s, act %s, %d seed%s\n", cfg->depth, B, cfg->width, batch,
               gf_init_names[cfg->init], gf_norm_names[cfg->norm], gf_act_names[cfg->act],
               seeds, seeds > 1 ? "s" : "");
    printf("  %-*s %13s %13s %16s %14s  %s\n", name_width(res), "arch", "||dL/dx_B||", "||dL/dx_0||",
           "decades x_B->x_0", "theory", "verdict");
    for (int a = 0; a < res->spec.n_archs; a++) {
        const arch_ends e = ends_of(res, a);
        char tb[32], fb[32], lb[32];
        gf_format_pow10(fb, sizeof fb, e.first, 2);
        gf_format_pow10(lb, sizeof lb, e.last, 2);
        if (isnan(e.theory))
            snprintf(tb, sizeof tb, "n/a");
        else
            snprintf(tb, sizeof tb, "%+.2f", e.theory);
        printf("  %-*s %13s %13s %+16.2f %14s  %s\n", name_width(res), gf_arch_names[res->spec.archs[a]], lb, fb,
               e.first - e.last, tb, verdict(e.first - e.last));
        residual |= gf_arch_residual(res->spec.archs[a]);
    }
    printf("  (geometric means over seeds; a decade is a factor of 10; theory: mean field at\n"
           "   infinite width, anchored at x_B: plain, the product of the per-layer gains\n"
           "   fan_in * Var(w) * E[act'(h)^2]; resnet and preact, the variance recursion with the\n"
           "   branch's gain, 1 + chi_F per block, without normalization)\n");
    slopes(res);
    for (int a = 0; a < res->spec.n_archs; a++)
        reading(res, a, ends_of(res, a));
    printf("  wrote %s/{gradnorm,gradnorm_mean,probes,params%s}.tsv, manifest.json, %s%s%s\n", dir,
           residual ? ",split_mean" : "", drawn ? "gradnorm.png/.svg/.gp" : "gradnorm.gp",
           residual ? (drawn ? ", split.png/.svg/.gp" : ", split.gp") : "",
           drawn ? "" : " (nothing drawn)");
}

/* ---- figures -------------------------------------------------------------- */

static void widen(double *lo, double *hi, double v)
{
    if (isfinite(v)) {
        *lo = fmin(*lo, v);
        *hi = fmax(*hi, v);
    }
}

/* The log10 range of every curve of a figure: the block norms (or the split's
 * two terms) and the predicted lines. */
static void ranges(const gf_gradnorm_result *res, gf_fig_gradnorm *norms, gf_fig_gradnorm *split)
{
    norms->ymin = split->ymin = INFINITY;
    norms->ymax = split->ymax = -INFINITY;
    for (size_t i = 0; i < res->n_probes; i++) {
        const gf_probe_record *r = &res->probe[i].rec;
        if (r->kind == GF_PROBE_BLOCK)
            widen(&norms->ymin, &norms->ymax, gf_log10_of_log2(r->log2_frob));
        if (r->has_split) {
            widen(&split->ymin, &split->ymax, gf_log10_of_log2(r->log2_skip));
            widen(&split->ymin, &split->ymax, gf_log10_of_log2(r->log2_branch));
        }
    }
    for (int a = 0; a < res->spec.n_archs; a++) {
        double t, lo, hi;
        gf_gradnorm_block_stats(res, a, res->blocks, &t, &lo, &hi);
        for (int l = res->blocks - 1; l >= 0 && !isnan(res->theory[a * res->blocks + l]); l--)
            widen(&norms->ymin, &norms->ymax, t += res->theory[a * res->blocks + l]);
    }
}

int gradnorm_figures(cli_run *r, const gf_gradnorm_result *res, const gf_stack_config *c,
                     long batch)
{
    const char *names[GF_ARCH_COUNT], *res_names[GF_ARCH_COUNT];
    int theory[GF_ARCH_COUNT], n_res = 0;
    for (int a = 0; a < res->spec.n_archs; a++) {
        names[a] = gf_arch_names[res->spec.archs[a]];
        theory[a] = !isnan(res->theory[a * res->blocks]);
        if (gf_arch_residual(res->spec.archs[a]))
            res_names[n_res++] = names[a];
    }
    char title[256], subtitle[256], split_title[256];
    snprintf(title, sizeof title,
             "Gradient norm per depth at initialization: %d layers (%d blocks)", c->depth,
             res->blocks);
    char net[192];
    gf_arch_network_text(net, sizeof net, c, res->spec.archs, res->spec.n_archs);
    if (strstr(net, "cnn:"))
        snprintf(subtitle, sizeof subtitle, "%s, batch %ld, %d seeds; loss = mean cross-entropy",
                 net, batch, res->spec.seeds);
    else
        snprintf(subtitle, sizeof subtitle, "width %zu, batch %ld, init %s, norm %s, act %s, %d "
                 "seeds; loss = mean cross-entropy", c->width, batch, gf_init_names[c->init],
                 gf_norm_names[c->norm], gf_act_names[c->act], res->spec.seeds);
    snprintf(split_title, sizeof split_title,
             "Skip / branch split of dL/dx_l per residual block: %d layers, init %s, norm %s",
             c->depth, gf_init_names[c->init], gf_norm_names[c->norm]);
    gf_fig_gradnorm fig = {.title = title, .subtitle = subtitle, .archs = names,
                           .theory = theory, .n_archs = res->spec.n_archs, .xmax = res->blocks};
    gf_fig_gradnorm split = {.title = split_title, .archs = res_names, .n_archs = n_res,
                             .xmax = res->blocks - 1};
    ranges(res, &fig, &split);

    static const char *const split_files[] = {"split_mean.tsv", "split.gp", "split.png",
                                              "split.svg", NULL};
    if (n_res == 0)
        cli_run_remove(r, split_files);
    if (cli_run_figure(r, "gradnorm", gf_fig_gradnorm_body, &fig) != 0 ||
        (n_res > 0 && cli_run_figure(r, "split", gf_fig_split_body, &split) != 0))
        return CLI_EXIT_RUNTIME;
    return cli_run_terminal(r, gf_fig_gradnorm_body, &fig, 100, 32);
}
