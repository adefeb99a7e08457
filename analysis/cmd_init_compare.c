/* cmd_init_compare.c: gradflow init-compare: the residual initialization
 * schemes (he, fixup, rezero/SkipInit, 1/sqrt(B) scaling, torch) side by
 * side: the per-depth gradient norm at initialization (gf_gradnorm_run) and
 * the first epochs of training (gf_grid_train), one scheme at a time. */
#include "cli.h"
#include "commands.h"
#include "experiment.h"
#include "run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char CMD[] = "init-compare";

enum { MAX_SCHEMES = GF_INIT_COUNT };

typedef struct ic_options {
    cli_common c;                 /* archs, width, norm, act, seeds, out */
    int depth;
    int schemes[MAX_SCHEMES], n_schemes;
    long init_seeds;
    int metric_err;                   /* right panel: 1 training error, 0 training loss */
    cli_train_opts t;
} ic_options;

static const char *const metrics[] = {"loss", "error", NULL};

static const cli_option table[] = {
    {CLI_TEXT, .help = "Schemes and networks:\n"},
    {CLI_CHOICES, "init", 0, "LIST",
     "of torch, he, xavier, lecun, orthogonal, fixup, rezero\n"
     "(= SkipInit), scaled (branch x 1/sqrt(B))\n"
     "[he,fixup,rezero,scaled,torch]",
     CLI_AT(ic_options, schemes), .names = gf_init_names, .count_at = offsetof(ic_options,
                                                                              n_schemes)},
    CLI_ARCH(ic_options, "resnet, preact (fixup, rezero and scaled need a residual\n"
                         "branch)                                  [resnet,preact]"),
    {CLI_DEPTH, "depth", 'd', "N", "weight layers, 2B + 2                    [56]",
     CLI_AT(ic_options, depth)},
    CLI_WIDTH(ic_options, "features in every block                  [128]"),
    CLI_NORM(ic_options, "none, batch, layer                       [none]"),
    CLI_ACT(ic_options, "relu, tanh, linear                       [relu]"),
    CLI_ZERO_INIT(ic_options),
    {CLI_INT, "init-seeds", 0, "N", "seeds of the gradient at initialization  [5]",
     CLI_AT(ic_options, init_seeds), .min = 1, .max = 10000},
    {CLI_CHOICE, "metric", 0, "NAME", "right panel: loss or error (training)    [loss]",
     CLI_AT(ic_options, metric_err), .names = metrics},
    CLI_TRAIN(ic_options),
    {CLI_TEXT, .help = "  (init-compare: --epochs defaults to 3, --schedule to constant, "
                       "--seeds to 1)\n"},
    {CLI_TEXT, .help = "Output:\n"},
    CLI_OUT(ic_options, "run folder                               [runs/init_compare]"),
    CLI_NO_PLOT(ic_options, "write the data and the .gp script, draw nothing"),
    CLI_TERM(ic_options, "accepted for symmetry; only none        [none]"),
    CLI_TABLE_TAIL(ic_options),
};

static void init(void *opts)
{
    ic_options *o = opts;
    cli_train_defaults(&o->c, &o->t, "runs/init_compare", 128, GF_NORM_NONE,
                       (const int[]){GF_ARCH_RESNET, GF_ARCH_PREACT}, 2);
    o->depth = 56;
    const int schemes[] = {GF_INIT_HE, GF_INIT_FIXUP, GF_INIT_REZERO, GF_INIT_SCALED,
                           GF_INIT_TORCH};
    for (o->n_schemes = 0; o->n_schemes < 5; o->n_schemes++)
        o->schemes[o->n_schemes] = schemes[o->n_schemes];
    o->init_seeds = 5;
    o->t.train.epochs = 3;
    o->t.train.sched.kind = GF_SCHED_CONSTANT;
}

static int check(void *opts)
{
    ic_options *o = opts;
    if (cli_train_opts_finish(CMD, &o->t) != 0)
        return CLI_EXIT_USAGE;
    if (o->c.term_dumb)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--term dumb: not offered here (two panels); use "
                        "the PNG");
    char why[512];
    for (int s = 0; s < o->n_schemes; s++)
        for (int a = 0; a < o->c.n_archs; a++) {
            gf_stack_config cf = o->c.cfg;
            cf.init = (gf_init)o->schemes[s];
            cf.arch = (gf_arch)o->c.archs[a];
            cf.depth = (size_t)o->depth;
            if (gf_stack_config_check(&cf, why, sizeof why) != 0)
                return cli_fail(CLI_EXIT_USAGE, CMD, "--init %s with --arch %s: %s",
                                gf_init_names[cf.init], gf_arch_names[cf.arch], why);
        }
    return 0;
}

/* ---- the results ----------------------------------------------------------- */

typedef struct ic_result {
    const ic_options *o;
    int blocks;
    double *gmean, *gmin, *gmax;      /* [(s * n_archs + a) * (blocks + 1) + l] */
    double *loss0;                    /* [s * n_archs + a]: mean initial loss over seeds */
    gf_grid_result *train;         /* [s] */
    const char *data_name;
    size_t ntrain, ntest;
} ic_result;

static size_t gi(const ic_result *r, int s, int a, int l)
{
    return ((size_t)s * (size_t)r->o->c.n_archs + (size_t)a) * (size_t)(r->blocks + 1) +
           (size_t)l;
}

/* The run of scheme s, arch a (first seed), or NULL. */
static const gf_grid_net *run_of(const ic_result *r, int s, int a)
{
    const gf_grid_result *d = &r->train[s];
    for (int i = 0; i < d->n_runs; i++)
        if (d->runs[i].arch == (gf_arch)r->o->c.archs[a])
            return &d->runs[i];
    return NULL;
}

static int write_gradnorm(FILE *f, const void *ctx)
{
    const ic_result *r = ctx;
    const ic_options *o = r->o;
    fputs("scheme\tarch\tblock\tlog10_mean\tlog10_min\tlog10_max\n", f);
    for (int s = 0; s < o->n_schemes; s++)
        for (int a = 0; a < o->c.n_archs; a++)
            for (int l = 0; l <= r->blocks; l++) {
                fprintf(f, "%s\t%s\t%d", gf_init_names[o->schemes[s]],
                        gf_arch_names[o->c.archs[a]], l);
                gf_tsv_put(f, r->gmean[gi(r, s, a, l)]);
                gf_tsv_put(f, r->gmin[gi(r, s, a, l)]);
                gf_tsv_put(f, r->gmax[gi(r, s, a, l)]);
                fputc('\n', f);
            }
    return ferror(f) ? -1 : 0;
}

static int write_curves(FILE *f, const void *ctx)
{
    const ic_result *r = ctx;
    const ic_options *o = r->o;
    fputs("scheme\tarch\tepoch\ttrain_loss\ttrain_err\ttest_err\n", f);
    for (int s = 0; s < o->n_schemes; s++)
        for (int a = 0; a < o->c.n_archs; a++) {
            const gf_grid_result *d = &r->train[s];
            for (int i = 0; i < d->n_runs; i++) {
                const gf_grid_net *u = &d->runs[i];
                if (u->arch != (gf_arch)o->c.archs[a] || u->seed != o->c.seed)
                    continue; /* the first seed: one curve per (scheme, arch) */
                for (int e = 0; e < u->epochs_done; e++) {
                    fprintf(f, "%s\t%s\t%d", gf_init_names[o->schemes[s]],
                            gf_arch_names[o->c.archs[a]], u->hist[e].epoch);
                    gf_tsv_put(f, u->hist[e].train_loss);
                    gf_tsv_put(f, u->hist[e].train_err);
                    gf_tsv_put(f, u->hist[e].test_err);
                    fputc('\n', f);
                }
            }
        }
    return ferror(f) ? -1 : 0;
}

static void describe(json_t *m, const ic_result *r)
{
    const ic_options *o = r->o;
    const gf_train_config *t = &o->t.train;
    json_t *schemes = json_array(), *archs = json_array(), *nets = json_array();
    for (int s = 0; s < o->n_schemes; s++)
        json_array_append_new(schemes, json_string(gf_init_names[o->schemes[s]]));
    for (int a = 0; a < o->c.n_archs; a++)
        json_array_append_new(archs, json_string(gf_arch_names[o->c.archs[a]]));
    for (int s = 0; s < o->n_schemes; s++)
        for (int i = 0; i < r->train[s].n_runs; i++) {
            const gf_grid_net *u = &r->train[s].runs[i];
            const gf_epoch_stats *h = u->epochs_done ? &u->hist[u->epochs_done - 1] : NULL;
            json_array_append_new(nets, json_pack(
                "{s:s, s:s, s:I, s:i, s:o, s:o, s:s}", "scheme", gf_init_names[o->schemes[s]],
                "net", u->name, "seed", (json_int_t)u->seed, "epochs_done", u->epochs_done,
                "final_train_loss", h ? json_real(h->train_loss) : json_null(),
                "final_train_error", h ? json_real(h->train_err) : json_null(), "stopped",
                u->failed ? u->why : ""));
        }
    json_object_set_new(m, "settings", json_pack(
        "{s:o, s:o, s:i, s:i, s:I, s:s, s:s, s:b, s:s, s:I, s:I, s:I, s:I, s:i, s:I, s:s, "
        "s:f, s:f, s:f, s:s, s:s}",
        "schemes", schemes, "arch", archs, "depth", o->depth, "blocks", r->blocks, "width",
        (json_int_t)o->c.cfg.width, "norm", gf_norm_names[o->c.cfg.norm], "act",
        gf_act_names[o->c.cfg.act], "zero_init_residual", o->c.cfg.zero_branch, "data",
        r->data_name, "ntrain", (json_int_t)r->ntrain, "ntest", (json_int_t)r->ntest,
        "init_seeds", (json_int_t)o->init_seeds, "train_seeds", (json_int_t)o->c.seeds,
        "epochs", t->epochs, "batch", (json_int_t)t->batch, "optimizer",
        gf_optim_names[t->optim.kind], "lr", t->sched.lr, "momentum", t->optim.momentum,
        "weight_decay", t->optim.weight_decay, "schedule", gf_sched_names[t->sched.kind],
        "gradient_at_init",
        "||dL/dx_l|| at every block boundary, one batch of the training data, mean "
        "cross-entropy; log10 mean/min/max over the init seeds"));
    json_object_set_new(m, "first_seed", json_integer(o->c.seed));
    json_object_set_new(m, "nets", nets);
}

/* ---- figure and summary ------------------------------------------------------ */

static int figure(cli_run *run, const ic_result *r)
{
    const ic_options *o = r->o;
    const char *schemes[MAX_SCHEMES], *archs[GF_ARCH_COUNT];
    for (int s = 0; s < o->n_schemes; s++)
        schemes[s] = gf_init_names[o->schemes[s]];
    for (int a = 0; a < o->c.n_archs; a++)
        archs[a] = gf_arch_names[o->c.archs[a]];
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < gi(r, o->n_schemes, 0, 0); i++)
        if (isfinite(r->gmin[i]) && isfinite(r->gmax[i])) {
            lo = fmin(lo, r->gmin[i]);
            hi = fmax(hi, r->gmax[i]);
        }
    char title[256], subtitle[256];
    snprintf(title, sizeof title, "Initialization schemes: depth %d (%d blocks), width %zu, "
             "norm %s", o->depth, r->blocks, o->c.cfg.width, gf_norm_names[o->c.cfg.norm]);
    snprintf(subtitle, sizeof subtitle, "%s, %zu training images, %s lr %g, batch %zu; "
             "gradient over %ld seeds", r->data_name, r->ntrain,
             gf_optim_names[o->t.train.optim.kind], o->t.train.sched.lr, o->t.train.batch,
             o->init_seeds);
    const gf_fig_init_compare f = {
        .title = title, .subtitle = subtitle, .schemes = schemes, .n_schemes = o->n_schemes,
        .archs = archs, .n_archs = o->c.n_archs, .blocks = r->blocks,
        .epochs = o->t.train.epochs, .metric_err = o->metric_err,
        .ylo = isfinite(lo) ? lo : -1.0, .yhi = isfinite(hi) ? hi : 1.0};
    return cli_run_figure(run, "init_compare", gf_fig_init_compare_body, &f);
}

/* The table: the gradient decades and the training of every (scheme, arch). */
static void summary_table(const ic_result *r)
{
    const ic_options *o = r->o;
    const int B = r->blocks;
    printf("  %-8s %-7s %12s %12s %9s %11s %11s %9s\n", "scheme", "arch", "log10|g_B|",
           "log10|g_0|", "decades", "loss(ep 1)", "loss(last)", "err(last)");
    for (int s = 0; s < o->n_schemes; s++)
        for (int a = 0; a < o->c.n_archs; a++) {
            const double gB = r->gmean[gi(r, s, a, B)], g0 = r->gmean[gi(r, s, a, 0)];
            const double dec = g0 - gB;
            const gf_grid_net *u = run_of(r, s, a);
            const int n = u ? u->epochs_done : 0;
            char dbuf[32];
            if (isfinite(dec))
                snprintf(dbuf, sizeof dbuf, "%+9.3f", dec);
            else
                snprintf(dbuf, sizeof dbuf, "%9s", "n/a");
            printf("  %-8s %-7s %12.3f %12.3f %s %11.4f %11.4f %9.4f%s\n",
                   gf_init_names[o->schemes[s]], gf_arch_names[o->c.archs[a]], gB, g0, dbuf,
                   n ? u->hist[0].train_loss : NAN, n ? u->hist[n - 1].train_loss : NAN,
                   n ? u->hist[n - 1].train_err : NAN,
                   u && u->failed ? "  (stopped: not finite)" : "");
        }
}

/* The decades x_B -> x_0 of (scheme s, arch a); not finite without a gradient. */
static double decades(const ic_result *r, int s, int a)
{
    return r->gmean[gi(r, s, a, 0)] - r->gmean[gi(r, s, a, r->blocks)];
}

/* Which schemes keep the gradient's level, which do not, the flattest. */
static void summary_levels(const ic_result *r)
{
    const ic_options *o = r->o;
    int flat_s = -1, flat_a = -1, any = 0;
    double flat = INFINITY;
    printf("  gradient level kept (|decades x_B -> x_0| <= 0.5):");
    for (int s = 0; s < o->n_schemes; s++)
        for (int a = 0; a < o->c.n_archs; a++) {
            const double d = decades(r, s, a);
            if (isfinite(d) && fabs(d) < flat) {
                flat = fabs(d);
                flat_s = s;
                flat_a = a;
            }
            if (isfinite(d) && fabs(d) <= 0.5) {
                printf(" %s/%s (%+.2f)", gf_init_names[o->schemes[s]],
                       gf_arch_names[o->c.archs[a]], d);
                any = 1;
            }
        }
    printf("%s\n", any ? "" : " none");
    printf("  gradient level not kept:");
    any = 0;
    for (int s = 0; s < o->n_schemes; s++)
        for (int a = 0; a < o->c.n_archs; a++) {
            const double d = decades(r, s, a);
            if (!isfinite(d) || fabs(d) > 0.5)
                printf(!isfinite(d) ? " %s/%s (no gradient reaches the blocks at init)"
                                    : " %s/%s (%+.2f decades)",
                       gf_init_names[o->schemes[s]], gf_arch_names[o->c.archs[a]], d);
            any |= !isfinite(d) || fabs(d) > 0.5;
        }
    printf("%s\n", any ? "" : " none");
    if (flat_s >= 0)
        printf("  flattest gradient: %s/%s (%+.3f decades)\n", gf_init_names[o->schemes[flat_s]],
               gf_arch_names[o->c.archs[flat_a]], decades(r, flat_s, flat_a));
}

/* The lowest final training loss of scheme s over the archs (NaN: all diverged). */
static double best_loss(const ic_result *r, int s, int *arch)
{
    double b = INFINITY;
    for (int a = 0; a < r->o->c.n_archs; a++) {
        const gf_grid_net *u = run_of(r, s, a);
        if (u && u->epochs_done && !u->failed && u->hist[u->epochs_done - 1].train_loss < b) {
            b = u->hist[u->epochs_done - 1].train_loss;
            *arch = a;
        }
    }
    return b;
}

/* The fastest training, and the best of every scheme. */
static void summary_training(const ic_result *r)
{
    const ic_options *o = r->o;
    int best_s = -1, best_a = -1, a = -1;
    double best = INFINITY;
    for (int s = 0; s < o->n_schemes; s++) {
        const double b = best_loss(r, s, &a);
        if (isfinite(b) && b < best) {
            best = b;
            best_s = s;
            best_a = a;
        }
    }
    if (best_s < 0)
        return;
    printf("  fastest training in %d epoch%s (lowest training loss): %s/%s (%.4f); by "
           "scheme, best arch:",
           o->t.train.epochs, o->t.train.epochs > 1 ? "s" : "",
           gf_init_names[o->schemes[best_s]], gf_arch_names[o->c.archs[best_a]], best);
    for (int s = 0; s < o->n_schemes; s++) {
        const double b = best_loss(r, s, &a);
        if (isfinite(b))
            printf(" %s %.4f", gf_init_names[o->schemes[s]], b);
        else
            printf(" %s diverged", gf_init_names[o->schemes[s]]);
    }
    putchar('\n');
}

static void summary(const ic_result *r, const char *dir, int drawn)
{
    const ic_options *o = r->o;
    printf("gradflow %s: %s, depth %d (%d blocks), width %zu, norm %s, %s lr %g, %d epochs, "
           "batch %zu; gradient at init over %ld seeds\n",
           CMD, r->data_name, o->depth, r->blocks, o->c.cfg.width, gf_norm_names[o->c.cfg.norm],
           gf_optim_names[o->t.train.optim.kind], o->t.train.sched.lr, o->t.train.epochs,
           o->t.train.batch, o->init_seeds);
    summary_table(r);
    summary_levels(r);
    summary_training(r);
    printf("  files in %s: init_gradnorm.tsv, init_curves.tsv, manifest.json, init_compare.gp%s\n",
           dir, drawn ? ", init_compare.png, init_compare.svg" : "");
}

/* ---- the run ------------------------------------------------------------------ */

/* Scheme s: the gradient at initialization, then the first epochs of
 * training. 0, or CLI_EXIT_RUNTIME after a message. */
static int measure_scheme(ic_result *r, int s, const gf_arch *archs, const gf_dataset *train,
                          const gf_dataset *test, int *any_failed)
{
    const ic_options *o = r->o;
    char why[512];
    gf_stack_config cf = o->c.cfg;
    cf.init = (gf_init)o->schemes[s];
    cf.depth = (size_t)o->depth;
    cf.in_dim = train->dim;
    cf.classes = train->classes;
    const gf_gradnorm_spec gs = {.base = cf, .archs = archs, .n_archs = o->c.n_archs,
                                 .seeds = (int)o->init_seeds, .seed0 = (unsigned long)o->c.seed,
                                 .batch = o->t.train.batch, .data = train};
    gf_gradnorm_result g = {0};
    if (gf_gradnorm_run(&gs, &g, why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "%s: %s", gf_init_names[cf.init], why);
    for (int a = 0; a < o->c.n_archs; a++)
        for (int l = 0; l <= r->blocks; l++)
            gf_gradnorm_block_stats(&g, a, l, &r->gmean[gi(r, s, a, l)],
                                    &r->gmin[gi(r, s, a, l)], &r->gmax[gi(r, s, a, l)]);
    gf_gradnorm_release(&g);
    const gf_grid_spec ds = {
        .base = cf, .archs = archs, .n_archs = o->c.n_archs, .depths = &o->depth,
        .n_depths = 1, .seeds = (int)o->c.seeds, .seed0 = o->c.seed, .train = o->t.train,
        .train_set = train, .test_set = test, .data_name = r->data_name};
    if (gf_grid_train(&ds, &r->train[s], why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "%s: %s", gf_init_names[cf.init], why);
    for (int i = 0; i < r->train[s].n_runs; i++) {
        const gf_grid_net *u = &r->train[s].runs[i];
        if (u->failed) {
            cli_warn(CMD, "%s %s seed %ld: %s", gf_init_names[cf.init], u->name, u->seed, u->why);
            *any_failed = 1;
        }
    }
    return 0;
}

/* Every scheme, with a progress line. 0, or CLI_EXIT_RUNTIME after a message. */
static int measure(ic_result *r, const gf_dataset *train, const gf_dataset *test,
                   int *any_failed)
{
    const ic_options *o = r->o;
    gf_arch archs[GF_ARCH_COUNT];
    for (int a = 0; a < o->c.n_archs; a++)
        archs[a] = (gf_arch)o->c.archs[a];
    r->blocks = (o->depth - 2) / 2;
    const size_t n = gi(r, o->n_schemes, 0, 0);
    r->gmean = calloc(3 * n, sizeof *r->gmean);
    r->train = calloc((size_t)o->n_schemes, sizeof *r->train);
    if (!r->gmean || !r->train)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "out of memory");
    r->gmin = r->gmean + n;
    r->gmax = r->gmean + 2 * n;
    cli_progress bar;
    cli_progress_begin(&bar, "init-compare: schemes");
    int status = 0;
    for (int s = 0; status == 0 && s < o->n_schemes; s++) {
        status = measure_scheme(r, s, archs, train, test, any_failed);
        cli_progress_update(&bar, s + 1, o->n_schemes);
    }
    cli_progress_end(&bar);
    return status;
}

/* init_gradnorm.tsv, init_curves.tsv and the manifest. The exit status. */
static int write(cli_run *run, const ic_result *r)
{
    char path[GF_PATH_MAX], why[512];
    if (gf_path_join(path, sizeof path, run->dir, "init_gradnorm.tsv") != 0 ||
        gf_write_file(path, write_gradnorm, r, why, sizeof why) != 0 ||
        gf_path_join(path, sizeof path, run->dir, "init_curves.tsv") != 0 ||
        gf_write_file(path, write_curves, r, why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
    describe(run->manifest, r);
    return cli_run_manifest(run);
}

static int run(cli_run *run, void *opts)
{
    const ic_options *o = opts;
    gf_dataset train, test;
    ic_result r = {.o = o};
    if (cli_train_data(CMD, &o->t, o->c.quiet, &train, &test, &r.data_name) != 0)
        return CLI_EXIT_RUNTIME;
    r.ntrain = train.n;
    r.ntest = test.n;
    int any_failed = 0;
    int status = measure(&r, &train, &test, &any_failed);
    if (status == 0)
        status = write(run, &r);
    if (status == 0)
        status = figure(run, &r);
    if (status == 0 && !o->c.quiet)
        summary(&r, run->dir, cli_run_drawn(run));
    for (int s = 0; r.train && s < o->n_schemes; s++)
        gf_grid_release(&r.train[s]);
    free(r.train);
    free(r.gmean);
    gf_dataset_release(&train);
    gf_dataset_release(&test);
    return status == 0 && any_failed ? CLI_EXIT_RUNTIME : status;
}

const cli_command cli_init_compare = {
    .name = CMD,
    .summary = "gradient per depth and first epochs per initialization scheme",
    .about =
        "Compares initialization schemes of residual stacks without normalization: for each\n"
        "scheme, the gradient norm ||dL/dx_l|| at every block boundary at initialization\n"
        "(mean, min and max of log10 over --init-seeds seeds), and the first epochs of\n"
        "training of the same nets (the degrade experiment, one depth). Writes into the run\n"
        "folder: init_gradnorm.tsv, init_curves.tsv, manifest.json and\n"
        "init_compare.png/.svg/.gp (left: the gradient per depth, right: the training loss\n"
        "or error per epoch).\n\n",
    .epilog =
        "The gradient at initialization is taken on a batch of the training data (--batch).\n"
        "Fixup zeroes the head, so no gradient reaches the blocks at initialization\n"
        "(log10 -inf, not drawn). A net whose loss stops being finite is marked and the\n"
        "others go on.\n"
        "Exit status: 0 success, 1 runtime failure (a net diverged, missing data,\n"
        "unwritable folder), 2 usage error.\n",
    .table = table, .size = sizeof(ic_options), .init = init, .check = check, .run = run,
};
