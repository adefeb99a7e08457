/* degrade_report.c: what `gradflow degrade` shows of a result: the figures
 * and the summary on stdout. */
#include "cli.h"
#include "degrade.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char CMD[] = "degrade";

int degrade_figures(cli_run *r, const gf_grid_result *res)
{
    gf_degrade_figs *f = malloc(sizeof *f); /* large: off the stack */
    if (!f)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "out of memory");
    gf_degrade_figs_make(res, f);
    int status = CLI_EXIT_OK;
    if (cli_run_figure(r, "degradation", gf_fig_curves_body, &f->curves) != 0 ||
        (f->norms.n_steps > 0 &&
         cli_run_figure(r, "gradnorm_training", gf_fig_training_norms_body, &f->norms) != 0))
        status = CLI_EXIT_RUNTIME;
    if (status == CLI_EXIT_OK)
        status = cli_run_terminal(r, gf_fig_curves_body, &f->curves, 120, 36);
    free(f);
    return status;
}

/* ---- summary ------------------------------------------------------------- */

/* The two depths compared per architecture: the shallowest and the deepest.
 * Returns the gap in training error (points, deep minus shallow), or NaN. */
static double compare(const gf_grid_result *x, const degrade_options *o, gf_arch arch)
{
    int lo = 1 << 30, hi = -1;
    for (int d = 0; d < o->n_depths; d++) {
        lo = o->depths[d] < lo ? o->depths[d] : lo;
        hi = o->depths[d] > hi ? o->depths[d] : hi;
    }
    const char *name = gf_arch_names[arch];
    if (hi == lo) {
        printf("  %s: one depth only; give two with --depth to compare.\n", name);
        return NAN;
    }
    double t[2], ts[2], e[2], es[2];
    int n[2];
    gf_grid_final(x, arch, lo, &t[0], &ts[0], &e[0], &es[0], &n[0]);
    gf_grid_final(x, arch, hi, &t[1], &ts[1], &e[1], &es[1], &n[1]);
    if (n[0] == 0 || n[1] == 0) {
        printf("  %s: not compared: a net did not finish training.\n", name);
        return NAN;
    }
    const double gap = 100.0 * (t[1] - t[0]);
    const double spread = 100.0 * sqrt(ts[0] * ts[0] + ts[1] * ts[1]);
    const int several = n[0] > 1 && n[1] > 1;
    printf("  %s: training error %d layers %.2f%%, %d layers %.2f%%: ", name, hi, 100 * t[1], lo,
           100 * t[0]);
    if (fabs(gap) < 0.005)
        printf("the same to 0.01 points");
    else if (gap > 0)
        printf("the deeper net trains worse by %.2f points%s", gap,
               !gf_arch_residual(arch) ? " (degradation)" : " (the gap remains)");
    else
        printf("the deeper net trains better by %.2f points%s", -gap,
               !gf_arch_residual(arch) ? " (no degradation here)" : " (no gap)");
    if (several)
        printf("; %s the seed spread (%.2f points)", fabs(gap) > 2.0 * spread ? "beyond twice" :
               "within twice", spread);
    if (isnan(e[0]) || isnan(e[1]))
        printf(".\n    no test error (no test images: --ntest 0).\n");
    else
        printf(".\n    test error %.2f%% vs %.2f%%.\n", 100 * e[1], 100 * e[0]);
    if (gf_arch_residual(arch) && gap > 0)
        printf("    He et al. (Fig. 6) found the deeper ResNet training *better*; here %s-%d "
               "does not overtake\n    %s-%d at this budget (%d epochs on %zu images).\n",
               name, hi, name, lo, x->spec.train.epochs, x->spec.train_set->n);
    return gap;
}

/* What the gradient norms say next to the errors. */
static void gradient_reading(const gf_grid_net *r, double first, double last,
                             double plain_gap)
{
    char a[64], b[64];
    printf("  gradients, %s seed %ld: ||dL/dx_0|| / ||dL/dx_B|| = %s at step 0, %s at the last "
           "probe", r->name, r->seed, cli_ratio_text(a, sizeof a, first),
           cli_ratio_text(b, sizeof b, last));
    const int plain = !gf_arch_residual(r->arch), exploded = plain && first > 1.0;
    const int dense = r->arch == GF_ARCH_DENSENET || r->arch == GF_ARCH_DENSENET_BC;
    if (plain && fabs(last) < 1.0 && plain_gap > 0 && !exploded)
        printf(":\n    within one decade at the end: the %s net's gradient does not vanish, "
               "yet it trains worse\n    (He et al.: with batch norm, degradation is not "
               "vanishing gradients)", dense ? "densely connected" : "plain");
    else if (fabs(last) < 1.0)
        printf(": within one decade at the end (no vanishing)");
    if (exploded)
        printf(";\n    at initialization it grows toward the input (batch norm in a deep plain "
               "stack makes\n    gradients explode at init, Yang et al. 2019)");
    printf(".\n");
    if (exploded && plain_gap > 0)
        printf("    So this degradation starts from a gradient explosion at initialization "
               "(10^%+.1f across the\n    stack), a different mechanism from He et al.'s, "
               "whose deep plain nets had healthy\n    gradient norms and still trained "
               "worse.\n",
               first);
}

void degrade_summary(const gf_grid_result *x, const degrade_options *o, int drawn)
{
    cli_experiment_heading(CMD, x, &o->c, &o->t);
    putchar('\n');
    gf_grid_write_table(stdout, x);
    putchar('\n');
    for (int i = 0; i < x->n_runs; i++)
        if (x->runs[i].failed)
            printf("  %s seed %ld stopped after %d epochs: %s\n", x->runs[i].name,
                   x->runs[i].seed, x->runs[i].epochs_done, x->runs[i].why);
    double plain_gap = NAN;
    for (int a = 0; a < o->c.n_archs; a++) {
        const double gap = compare(x, o, (gf_arch)o->c.archs[a]);
        if (!gf_arch_residual(o->c.archs[a]))
            plain_gap = gap;
        else if (!isnan(gap) && !isnan(plain_gap) && plain_gap > 0)
            printf("  => depth gap in training error: plain %+.2f points, %s %+.2f points: the "
                   "residual connections %s.\n",
                   plain_gap, gf_arch_names[o->c.archs[a]], gap,
                   gap <= 0 ? "remove it" : gap < plain_gap ? "shrink it" : "do not shrink it");
    }
    for (int a = 0; a < o->c.n_archs; a++) {
        const gf_arch arch = (gf_arch)o->c.archs[a];
        const int depth = gf_grid_deepest(x);
        for (int i = 0; i < x->n_runs; i++) {
            const gf_grid_net *r = &x->runs[i];
            double f, l;
            if (r->arch != arch || r->depth != depth || r->seed != o->c.seed ||
                gf_grid_gradient_ends(r, &f, &l) != 0)
                continue;
            gradient_reading(r, f, l, plain_gap);
        }
    }
    printf("  wall time %.1f s\n  wrote %s/{curves,curves_mean,gradnorm_training,params_training}.tsv, table.md, "
           "manifest.json, %s, checkpoints/\n",
           x->wall_seconds, o->c.out, drawn ? "degradation.png/.svg/.gp, gradnorm_training.png/.svg/.gp"
                           : "degradation.gp, gradnorm_training.gp (nothing drawn)");
}
