/* cmd_init_compare.c: gradflow init-compare: the residual initialization
 * schemes (he, fixup, rezero/SkipInit, 1/sqrt(B) scaling, torch) side by
 * side, with He init and batch norm for reference: the per-depth gradient
 * norm at initialization and the first epochs of training over every seed
 * (gf_initcmp_run); the report is init_compare_report.c. */
#include "cli.h"
#include "commands.h"
#include "init_compare.h"
#include "run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char CMD[] = "init-compare";

static const char *const metrics[] = {"loss", "error", NULL};

static const cli_option table[] = {
    {CLI_TEXT, .help = "Schemes and networks:\n"},
    {CLI_CHOICES, "init", 0, "LIST",
     "of torch, he, xavier, lecun, orthogonal, fixup, rezero\n"
     "(= SkipInit), scaled (branch x 1/sqrt(B))\n"
     "[he,fixup,rezero,scaled,torch]",
     CLI_AT(ic_options, schemes), .names = gf_init_names, .count_at = offsetof(ic_options,
                                                                              n_schemes)},
    CLI_ARCH_MLP(ic_options, "resnet, preact (fixup, rezero and scaled need a residual\n"
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
    {CLI_FLAG, "no-bn-reference", 0, NULL,
     "leave out the reference: He init with batch norm (he+bn),\n"
     "trained and drawn in grey beside the schemes (not with\n"
     "--norm batch, where it is the he scheme)",
     CLI_AT(ic_options, no_reference)},
    CLI_TRAIN_WITH(ic_options, "10000", "10000", "3", "128", "constant", "1"),
    {CLI_TEXT, .help = "  (with several seeds every number, the ranking and the figure are over "
                       "all of them)\n"},
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
    if (cli_depth_check(CMD, "--depth", o->depth) != 0)
        return CLI_EXIT_USAGE;
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

/* ---- the run ------------------------------------------------------------------ */

/* The schemes: the chosen ones with the base norm, then He init with batch
 * norm for reference (unless --no-bn-reference, or the base norm is batch
 * already). Their count. */
static int schemes_of(const ic_options *o, gf_initcmp_scheme *out)
{
    int n = 0;
    for (int s = 0; s < o->n_schemes; s++)
        out[n++] = gf_initcmp_scheme_make((gf_init)o->schemes[s], o->c.cfg.norm, 0);
    if (!o->no_reference && o->c.cfg.norm != GF_NORM_BATCH)
        out[n++] = gf_initcmp_scheme_make(GF_INIT_HE, GF_NORM_BATCH, 1);
    return n;
}

static int run(cli_run *run, void *opts)
{
    const ic_options *o = opts;
    gf_dataset train, test;
    const char *data_name;
    if (cli_train_data(CMD, &o->t, o->c.quiet, &train, &test, &data_name) != 0)
        return CLI_EXIT_RUNTIME;
    gf_arch archs[GF_ARCH_COUNT];
    for (int a = 0; a < o->c.n_archs; a++)
        archs[a] = (gf_arch)o->c.archs[a];
    gf_initcmp_scheme schemes[IC_MAX_SCHEMES];
    cli_progress bar;
    cli_progress_begin(&bar, "init-compare: schemes");
    const gf_initcmp_spec spec = {
        .base = o->c.cfg, .archs = archs, .n_archs = o->c.n_archs, .depth = o->depth,
        .schemes = schemes, .n_schemes = schemes_of(o, schemes), .init_seeds = (int)o->init_seeds,
        .seeds = (int)o->c.seeds, .seed0 = o->c.seed, .train = o->t.train, .train_set = &train,
        .test_set = &test, .data_name = data_name, .progress = cli_progress_update, .ctx = &bar};
    gf_initcmp_result r;
    char why[512];
    int status = gf_initcmp_run(&spec, &r, why, sizeof why) == 0 ? CLI_EXIT_OK : CLI_EXIT_RUNTIME;
    cli_progress_end(&bar);
    if (status != CLI_EXIT_OK)
        cli_error(CMD, "%s", why);
    else if (gf_initcmp_write(&r, run->dir, why, sizeof why) != 0)
        status = cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
    if (status == CLI_EXIT_OK) {
        init_compare_describe(run->manifest, &r, o);
        status = cli_run_manifest(run);
    }
    if (status == CLI_EXIT_OK)
        status = init_compare_figure(run, &r, o);
    if (status == CLI_EXIT_OK && !o->c.quiet)
        init_compare_summary(&r, run->dir, cli_run_drawn(run));
    if (status == CLI_EXIT_OK || r.cell)
        gf_initcmp_release(&r);
    gf_dataset_release(&train);
    gf_dataset_release(&test);
    return status;
}

const cli_command cli_init_compare = {
    .name = CMD,
    .summary = "gradient per depth and first epochs per initialization scheme",
    .about =
        "Compares initialization schemes of residual stacks without normalization: for each\n"
        "scheme, the gradient norm ||dL/dx_l|| at every block boundary at initialization\n"
        "(mean, min and max of log10 over --init-seeds seeds), and the first epochs of\n"
        "training of the same nets (the degrade experiment, one depth) over --seeds seeds:\n"
        "mean, spread and range of every number, and whether the seeds resolve the ranking.\n"
        "He init with batch norm (he+bn) is trained beside them for reference, the baseline\n"
        "Fixup and SkipInit claim to match without normalization. Writes into the run\n"
        "folder: init_gradnorm.tsv, init_curves.tsv (over the seeds), init_runs.tsv (every\n"
        "seed), manifest.json and init_compare.png/.svg/.gp (left: the gradient per depth,\n"
        "right: the training loss or error per epoch, the seeds' range as a band).\n\n",
    .epilog =
        "The gradient at initialization is taken on a batch of the training data (--batch).\n"
        "Fixup zeroes the head, so no gradient reaches the blocks at initialization\n"
        "(log10 -inf, not drawn). A net whose loss stops being finite is stopped and the\n"
        "others go on; at the defaults He init without normalization does so within the\n"
        "first steps, which is one of the results: the summary, the manifest and the\n"
        "figure's legend say where (\"he, resnet: diverged at step 3\").\n"
        "Exit status: 0 success, also when nets diverged; 1 runtime failure (missing data,\n"
        "unwritable folder); 2 usage error.\n",
    .table = table, .size = sizeof(ic_options), .init = init, .check = check, .run = run,
};
