/* cmd_init_compare.c: gradflow init-compare: the residual initialization
 * schemes (he, fixup, rezero/SkipInit, 1/sqrt(B) scaling, torch) side by
 * side: the per-depth gradient norm at initialization (gf_gradnorm_run) and
 * the first epochs of training (gf_grid_train), one scheme at a time. */
#include "cli.h"
#include "commands.h"
#include "experiment.h"

#include <errno.h>
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

static void help(void)
{
    printf(
        "Usage: gradflow init-compare [OPTIONS]\n\n"
        "Compares initialization schemes of residual stacks without normalization: for each\n"
        "scheme, the gradient norm ||dL/dx_l|| at every block boundary at initialization\n"
        "(mean, min and max of log10 over --init-seeds seeds), and the first epochs of\n"
        "training of the same nets (the degrade experiment, one depth). Writes into the run\n"
        "folder: init_gradnorm.tsv, init_curves.tsv, manifest.json and\n"
        "init_compare.png/.svg/.gp (left: the gradient per depth, right: the training loss\n"
        "or error per epoch).\n\n"
        "Schemes and networks:\n"
        "      --init LIST       of torch, he, xavier, lecun, orthogonal, fixup, rezero\n"
        "                        (= SkipInit), scaled (branch x 1/sqrt(B))\n"
        "                        [he,fixup,rezero,scaled,torch]\n"
        "  -a, --arch LIST       resnet, preact (fixup, rezero and scaled need a residual\n"
        "                        branch)                                  [resnet,preact]\n"
        "  -d, --depth N         weight layers, 2B + 2                    [56]\n"
        "  -w, --width N         features in every block                  [128]\n"
        "      --norm NAME       none, batch, layer                       [none]\n"
        "      --act NAME        relu, tanh, linear                       [relu]\n"
        "      --zero-init-residual  zero the last layer of each residual branch\n"
        "      --init-seeds N    seeds of the gradient at initialization  [5]\n"
        "      --metric NAME     right panel: loss or error (training)    [loss]\n");
    fputs(CLI_TRAIN_HELP
          "  (init-compare: --epochs defaults to 3, --schedule to constant, --seeds to 1)\n"
          "Output:\n"
          "  -o, --out DIR         run folder                               [runs/init_compare]\n"
          "      --no-plot         write the data and the .gp script, draw nothing\n"
          "      --term TERM       accepted for symmetry; only none        [none]\n"
          "  -q, --quiet           no summary on stdout\n"
          "  -h, --help            this help\n"
          "  -V, --version         the version\n\n"
          "The gradient at initialization is taken on a batch of the training data (--batch).\n"
          "Fixup zeroes the head, so no gradient reaches the blocks at initialization\n"
          "(log10 -inf, not drawn). A net whose loss stops being finite is marked and the\n"
          "others go on.\n"
          "Exit status: 0 success, 1 runtime failure (a net diverged, missing data,\n"
          "unwritable folder), 2 usage error.\n",
          stdout);
}

static int parse(int argc, char **argv, ic_options *o)
{
    enum { O_INIT_SEEDS = CLI_OPT_OWN, O_METRIC };
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS, CLI_TRAIN_LONGOPTS, {"depth", required_argument, 0, 'd'},
        {"init-seeds", required_argument, 0, O_INIT_SEEDS},
        {"metric", required_argument, 0, O_METRIC}, {0, 0, 0, 0},
    };
    static const char *const metrics[] = {"loss", "error", NULL};
    gf_stack_config cfg = gf_stack_config_default();
    cfg.width = 128;
    cfg.norm = GF_NORM_NONE;
    cfg.init = GF_INIT_HE;
    *o = (ic_options){
        .c = {.cfg = cfg, .archs = {GF_ARCH_RESNET, GF_ARCH_PREACT}, .n_archs = 2, .seeds = 1,
              .seed = 1, .out = "runs/init_compare"},
        .depth = 56,
        .schemes = {GF_INIT_HE, GF_INIT_FIXUP, GF_INIT_REZERO, GF_INIT_SCALED, GF_INIT_TORCH},
        .n_schemes = 5, .init_seeds = 5};
    cli_train_opts_default(&o->t);
    o->t.train.epochs = 3;
    o->t.train.sched.kind = GF_SCHED_CONSTANT;
    int c, k;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS CLI_TRAIN_SHORTOPTS "d:", longopts,
                            NULL)) != -1) {
        if (c == CLI_OPT_INIT) { /* a list of schemes here, not one */
            o->n_schemes = cli_choices(CMD, "--init", optarg, gf_init_names, o->schemes,
                                          MAX_SCHEMES);
            if (o->n_schemes < 0)
                return -1;
            continue;
        }
        int r = cli_common_option(CMD, c, optarg, argv, &o->c, help);
        if (r == 0)
            r = cli_train_option(CMD, c, optarg, &o->t);
        if (r < 0 || r == 2)
            return r < 0 ? -1 : 1;
        if (r == 1)
            continue;
        int bad = 0;
        switch (c) {
        case 'd':
            bad = cli_depth(CMD, "--depth", optarg, &o->depth) != 0;
            break;
        case O_INIT_SEEDS:
            bad = cli_int(CMD, "--init-seeds", optarg, 1, 10000, &o->init_seeds) != 0;
            break;
        default: /* O_METRIC */
            bad = (k = cli_choice(CMD, "--metric", optarg, metrics)) < 0;
            o->metric_err = k == 1;
            break;
        }
        if (bad)
            return -1;
    }
    if (cli_common_finish(CMD, argc, argv, &o->c) != 0 || cli_train_opts_finish(CMD, &o->t) != 0)
        return -1;
    if (o->c.term_dumb)
        return cli_fail(-1, CMD, "--term dumb: not offered here (two panels); use the PNG");
    char why[512];
    for (int s = 0; s < o->n_schemes; s++)
        for (int a = 0; a < o->c.n_archs; a++) {
            gf_stack_config cf = o->c.cfg;
            cf.init = (gf_init)o->schemes[s];
            cf.arch = (gf_arch)o->c.archs[a];
            cf.depth = (size_t)o->depth;
            if (gf_stack_config_check(&cf, why, sizeof why) != 0)
                return cli_fail(-1, CMD, "--init %s with --arch %s: %s",
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

static void put(FILE *f, double v)
{
    if (isnan(v))
        fputs("nan", f);
    else if (isinf(v))
        fputs(v < 0 ? "-inf" : "inf", f);
    else
        fprintf(f, "%.9g", v);
}

static int write_gradnorm(FILE *f, const void *ctx)
{
    const ic_result *r = ctx;
    const ic_options *o = r->o;
    fputs("scheme\tarch\tblock\tlog10_mean\tlog10_min\tlog10_max\n", f);
    for (int s = 0; s < o->n_schemes; s++)
        for (int a = 0; a < o->c.n_archs; a++)
            for (int l = 0; l <= r->blocks; l++) {
                fprintf(f, "%s\t%s\t%d\t", gf_init_names[o->schemes[s]],
                        gf_arch_names[o->c.archs[a]], l);
                put(f, r->gmean[gi(r, s, a, l)]);
                fputc('\t', f);
                put(f, r->gmin[gi(r, s, a, l)]);
                fputc('\t', f);
                put(f, r->gmax[gi(r, s, a, l)]);
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
                    fprintf(f, "%s\t%s\t%d\t", gf_init_names[o->schemes[s]],
                            gf_arch_names[o->c.archs[a]], u->hist[e].epoch);
                    put(f, u->hist[e].train_loss);
                    fputc('\t', f);
                    put(f, u->hist[e].train_err);
                    fputc('\t', f);
                    put(f, u->hist[e].test_err);
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

static int figure(const ic_result *r, int *drawn)
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
    int warned = 0;
    if (cli_experiment_figure(CMD, &o->c, "init_compare", gf_fig_init_compare_body, &f,
                             &warned) != 0)
        return -1;
    *drawn = !o->c.no_plot && !warned;
    return 0;
}

static void summary(const ic_result *r, int drawn)
{
    const ic_options *o = r->o;
    const int B = r->blocks;
    printf("gradflow %s: %s, depth %d (%d blocks), width %zu, norm %s, %s lr %g, %d epochs, "
           "batch %zu; gradient at init over %ld seeds\n",
           CMD, r->data_name, o->depth, B, o->c.cfg.width, gf_norm_names[o->c.cfg.norm],
           gf_optim_names[o->t.train.optim.kind], o->t.train.sched.lr, o->t.train.epochs,
           o->t.train.batch, o->init_seeds);
    printf("  %-8s %-7s %12s %12s %9s %11s %11s %9s\n", "scheme", "arch", "log10|g_B|",
           "log10|g_0|", "decades", "loss(ep 1)", "loss(last)", "err(last)");
    int best_s = -1, best_a = -1, flat_s = -1, flat_a = -1;
    double best = INFINITY, flat = INFINITY;
    for (int s = 0; s < o->n_schemes; s++)
        for (int a = 0; a < o->c.n_archs; a++) {
            const double gB = r->gmean[gi(r, s, a, B)], g0 = r->gmean[gi(r, s, a, 0)];
            const double dec = g0 - gB;
            const gf_grid_net *u = run_of(r, s, a);
            const int n = u ? u->epochs_done : 0;
            const double l1 = n ? u->hist[0].train_loss : NAN;
            const double ll = n ? u->hist[n - 1].train_loss : NAN;
            const double el = n ? u->hist[n - 1].train_err : NAN;
            char dbuf[32];
            if (isfinite(dec))
                snprintf(dbuf, sizeof dbuf, "%+9.3f", dec);
            else
                snprintf(dbuf, sizeof dbuf, "%9s", "n/a");
            printf("  %-8s %-7s %12.3f %12.3f %s %11.4f %11.4f %9.4f%s\n",
                   gf_init_names[o->schemes[s]], gf_arch_names[o->c.archs[a]], gB, g0, dbuf, l1,
                   ll, el, u && u->failed ? "  (stopped: not finite)" : "");
            if (isfinite(dec) && fabs(dec) < flat) {
                flat = fabs(dec);
                flat_s = s;
                flat_a = a;
            }
            if (isfinite(ll) && !(u && u->failed) && ll < best) {
                best = ll;
                best_s = s;
                best_a = a;
            }
        }
    printf("  gradient level kept (|decades x_B -> x_0| <= 0.5):");
    int any = 0;
    for (int s = 0; s < o->n_schemes; s++)
        for (int a = 0; a < o->c.n_archs; a++) {
            const double d = r->gmean[gi(r, s, a, 0)] - r->gmean[gi(r, s, a, B)];
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
            const double d = r->gmean[gi(r, s, a, 0)] - r->gmean[gi(r, s, a, B)];
            if (!isfinite(d)) {
                printf(" %s/%s (no gradient reaches the blocks at init)",
                       gf_init_names[o->schemes[s]], gf_arch_names[o->c.archs[a]]);
                any = 1;
            } else if (fabs(d) > 0.5) {
                printf(" %s/%s (%+.2f decades)", gf_init_names[o->schemes[s]],
                       gf_arch_names[o->c.archs[a]], d);
                any = 1;
            }
        }
    printf("%s\n", any ? "" : " none");
    if (flat_s >= 0)
        printf("  flattest gradient: %s/%s (%+.3f decades)\n", gf_init_names[o->schemes[flat_s]],
               gf_arch_names[o->c.archs[flat_a]],
               r->gmean[gi(r, flat_s, flat_a, 0)] - r->gmean[gi(r, flat_s, flat_a, B)]);
    if (best_s >= 0) {
        printf("  fastest training in %d epoch%s (lowest training loss): %s/%s (%.4f); by "
               "scheme, best arch:",
               o->t.train.epochs, o->t.train.epochs > 1 ? "s" : "",
               gf_init_names[o->schemes[best_s]], gf_arch_names[o->c.archs[best_a]], best);
        for (int s = 0; s < o->n_schemes; s++) {
            double b = INFINITY;
            for (int a = 0; a < o->c.n_archs; a++) {
                const gf_grid_net *u = run_of(r, s, a);
                if (u && u->epochs_done && !u->failed)
                    b = fmin(b, u->hist[u->epochs_done - 1].train_loss);
            }
            if (isfinite(b))
                printf(" %s %.4f", gf_init_names[o->schemes[s]], b);
            else
                printf(" %s diverged", gf_init_names[o->schemes[s]]);
        }
        putchar('\n');
    }
    printf("  files in %s: init_gradnorm.tsv, init_curves.tsv, manifest.json, init_compare.gp%s\n",
           o->c.out, drawn ? ", init_compare.png, init_compare.svg" : "");
}

/* ---- the run ------------------------------------------------------------------ */

static int run(const ic_options *o, ic_result *r, json_t *m, const gf_dataset *train,
               const gf_dataset *test)
{
    char why[512];
    const double t0 = gf_now();
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
    int any_failed = 0;
    for (int s = 0; s < o->n_schemes; s++) {
        gf_stack_config cf = o->c.cfg;
        cf.init = (gf_init)o->schemes[s];
        cf.depth = (size_t)o->depth;
        cf.in_dim = train->dim;
        cf.classes = train->classes;
        const gf_gradnorm_spec gs = {.base = cf, .archs = archs, .n_archs = o->c.n_archs,
                                     .seeds = (int)o->init_seeds,
                                     .seed0 = (unsigned long)o->c.seed,
                                     .batch = o->t.train.batch, .data = train};
        gf_gradnorm_result g = {0};
        if (gf_gradnorm_run(&gs, &g, why, sizeof why) != 0) {
            cli_progress_end(&bar);
            return cli_fail(CLI_EXIT_RUNTIME, CMD, "%s: %s", gf_init_names[cf.init], why);
        }
        for (int a = 0; a < o->c.n_archs; a++)
            for (int l = 0; l <= r->blocks; l++)
                gf_gradnorm_block_stats(&g, a, l, &r->gmean[gi(r, s, a, l)],
                                        &r->gmin[gi(r, s, a, l)], &r->gmax[gi(r, s, a, l)]);
        gf_gradnorm_release(&g);
        const gf_grid_spec ds = {
            .base = cf, .archs = archs, .n_archs = o->c.n_archs, .depths = &o->depth,
            .n_depths = 1, .seeds = (int)o->c.seeds, .seed0 = o->c.seed, .train = o->t.train,
            .train_set = train, .test_set = test, .data_name = r->data_name};
        if (gf_grid_train(&ds, &r->train[s], why, sizeof why) != 0) {
            cli_progress_end(&bar);
            return cli_fail(CLI_EXIT_RUNTIME, CMD, "%s: %s", gf_init_names[cf.init], why);
        }
        for (int i = 0; i < r->train[s].n_runs; i++)
            if (r->train[s].runs[i].failed) {
                cli_warn(CMD, "%s %s seed %ld: %s", gf_init_names[cf.init],
                            r->train[s].runs[i].name, r->train[s].runs[i].seed,
                            r->train[s].runs[i].why);
                any_failed = 1;
            }
        cli_progress_update(&bar, s + 1, o->n_schemes);
    }
    cli_progress_end(&bar);
    if (gf_make_dirs(o->c.out) != 0)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "cannot use output folder '%s': %s", o->c.out,
                           strerror(errno));
    char path[4200];
    snprintf(path, sizeof path, "%s/init_gradnorm.tsv", o->c.out);
    if (gf_write_file(path, write_gradnorm, r, why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
    snprintf(path, sizeof path, "%s/init_curves.tsv", o->c.out);
    if (gf_write_file(path, write_curves, r, why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
    describe(m, r);
    snprintf(path, sizeof path, "%s/manifest.json", o->c.out);
    if (gf_manifest_write(m, path, gf_now() - t0) != 0)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "cannot write %s: %s", path, strerror(errno));
    int drawn = 0;
    if (figure(r, &drawn) != 0)
        return CLI_EXIT_RUNTIME;
    if (!o->c.quiet)
        summary(r, drawn);
    return any_failed ? CLI_EXIT_RUNTIME : CLI_EXIT_OK;
}

int cmd_init_compare(int argc, char **argv)
{
    ic_options o;
    const int p = parse(argc, argv, &o);
    if (p != 0)
        return p > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    char why[512];
    gf_dataset train, test;
    const char *data_name;
    if (gf_data_load(o.t.data, o.t.data_dir, (size_t)o.t.ntrain, (size_t)o.t.ntest, &train,
                        &test, &data_name, why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
    if (strcmp(data_name, "synthetic") == 0 && o.t.data == GF_DATA_AUTO && !o.c.quiet)
        cli_warn(CMD, "Fashion-MNIST is not installed in %s; training on the built-in "
                         "synthetic set", o.t.data_dir);
    json_t *m = gf_manifest_new(CMD, argc, argv);
    ic_result r = {.o = &o, .data_name = data_name, .ntrain = train.n, .ntest = test.n};
    const int status = run(&o, &r, m, &train, &test);
    json_decref(m);
    for (int s = 0; r.train && s < o.n_schemes; s++)
        gf_grid_release(&r.train[s]);
    free(r.train);
    free(r.gmean);
    gf_dataset_release(&train);
    gf_dataset_release(&test);
    return status;
}
