/* cmd_identity.c: gradflow identity: deep stacks of blocks asked to be the
 * identity, or a map far from it (syllabus section 3: in y = F(x) + x the
 * identity is the default, F = 0). */
#include "cli.h"
#include "commands.h"
#include "options.h"
#include "identity.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char CMD[] = "identity";

static int set_blocks(const cli_arg *a, void *opts)
{
    identity_options *o = opts;
    const int n = cli_ints(a->cmd, a->opt, a->value, 1, 500, o->blocks, MAX_BLOCKS);
    if (n < 0)
        return CLI_EXIT_USAGE;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (o->blocks[i] == o->blocks[j])
                return cli_fail(CLI_EXIT_USAGE, a->cmd, "%s: %d is listed twice", a->opt,
                                o->blocks[i]);
    o->n_blocks = n;
    return 0;
}

#define O identity_options
static const cli_option table[] = {
    {CLI_TEXT, .help = "Stacks (their blocks only: no stem, no head):\n"},
    CLI_ARCH(O, "plain, resnet, preact; every residual one also\n"
                "with its branches' last layer zero (-zero) [plain,resnet]"),
    {CLI_CALL, "blocks", 'B', "LIST", "blocks of each stack                     [2,8,27]",
     .set = set_blocks},
    CLI_WIDTH(O, "features (inputs, blocks, outputs)       [32]"),
    CLI_INIT(O, "torch, he, xavier, lecun, orthogonal     [he]"),
    CLI_ACT(O, "relu, tanh, linear                       [relu]"),
    {CLI_CHOICES, "target", 't', "LIST", "identity (y = x), teacher (y = sqrt 2 relu(Q x), Q a\n"
     "random rotation)             [identity,teacher]", CLI_AT(O, targets),
     .names = gf_land_target_names, .count_at = offsetof(O, n_targets)},
    {CLI_TEXT, .help = "Training (Adam on the mean squared error):\n"},
    {CLI_INT, "samples", 0, "N", "inputs |N(0, 1)| per feature             [1024]",
     CLI_AT(O, spec.samples), .min = 2, .max = 1 << 22},
    {CLI_INT, "batch", 'b', "N", "mini-batch                               [64]",
     CLI_AT(O, spec.batch), .min = 1, .max = 1 << 20},
    {CLI_INT, "steps", 0, "N", "Adam steps                               [2000]",
     CLI_AT(O, spec.steps), .min = 1, .max = 100000000},
    {CLI_REAL, "lr", 0, "X", "learning rate                            [0.001]",
     CLI_AT(O, spec.lr), .min = 1e-12, .max = 10},
    {CLI_REAL, "threshold", 0, "X", "relative loss that counts as learnt      [0.01]",
     CLI_AT(O, spec.threshold), .min = 0, .max = 1e6},
    {CLI_INT, "record-every", 0, "N", "the loss over all inputs every N steps   [20]",
     CLI_AT(O, spec.record_every), .min = 1, .max = 100000000},
    CLI_SEEDS(O, "seeds (weights, data, teacher, batches)  [3]"),
    CLI_SEED(O, "first seed                               [1]"),
    {CLI_FLAG, "quick", 0, NULL, "a small run for tests: blocks 1,3, width 8, 200 steps\n"
     "(options given explicitly still count)",
     CLI_AT(O, quick)},
    {CLI_TEXT, .help = "Output:\n"},
    CLI_OUT(O, "run folder                               [runs/identity]"),
    CLI_TERM(O, "also draw the curves in the terminal: dumb [none]"),
    CLI_NO_PLOT(O, "write the data and .gp scripts, draw nothing"),
    CLI_QUIET(O, "no summary on stdout (summary.txt is still written)"),
    CLI_HELP_VERSION,
    {CLI_END},
};
#undef O

static void init(void *opts)
{
    identity_options *o = opts;
    o->c.cfg = gf_stack_config_default();
    o->c.cfg.width = 32;
    o->c.cfg.init = GF_INIT_HE;
    o->c.archs[0] = GF_ARCH_PLAIN;
    o->c.archs[1] = GF_ARCH_RESNET;
    o->c.n_archs = 2;
    o->c.seeds = 3;
    o->c.seed = 1;
    o->c.out = "runs/identity";
    const int b[] = {2, 8, 27};
    memcpy(o->blocks, b, sizeof b);
    o->n_blocks = 3;
    o->targets[0] = GF_TARGET_IDENTITY;
    o->targets[1] = GF_TARGET_TEACHER;
    o->n_targets = 2;
    o->spec = (gf_identity_spec){.samples = 1024, .batch = 64, .steps = 2000, .lr = 1e-3,
                                 .threshold = 0.01, .record_every = 20};
}

static int check(void *opts)
{
    identity_options *o = opts;
    if (o->quick) { /* small, where the options were left at their defaults */
        identity_options d;
        memset(&d, 0, sizeof d);
        init(&d);
        CLI_QUICK_LIST(o, d, blocks, n_blocks, 1, 3);
        CLI_QUICK(o, d, c.cfg.width, 8);
        CLI_QUICK(o, d, spec.steps, 200);
        CLI_QUICK(o, d, spec.samples, 256);
        CLI_QUICK(o, d, c.seeds, 2);
    }
    if (o->c.cfg.width < 2) /* the outputs are the features: a class needs two */
        return cli_fail(CLI_EXIT_USAGE, CMD, "--width %zu: the nets map %zu features to as "
                        "many outputs, at least 2", o->c.cfg.width, o->c.cfg.width);
    if (o->spec.batch > o->spec.samples)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--batch %zu is larger than --samples %zu",
                        o->spec.batch, o->spec.samples);
    o->c.cfg.in_dim = o->c.cfg.classes = o->c.cfg.width;
    o->c.cfg.norm = GF_NORM_NONE;
    char why[256];
    o->c.cfg.depth = 4;
    for (int a = 0; a < o->c.n_archs; a++) {
        gf_stack_config c = o->c.cfg;
        c.arch = (gf_arch)o->c.archs[a];
        if (gf_stack_config_check(&c, why, sizeof why) != 0)
            return cli_fail(CLI_EXIT_USAGE, CMD, "%s: %s", gf_arch_names[c.arch], why);
    }
    /* the deepest net: weights, gradients and Adam's two moments; its tape over a batch;
     * the inputs and targets */
    int blocks = 0;
    for (int i = 0; i < o->n_blocks; i++)
        blocks = o->blocks[i] > blocks ? o->blocks[i] : blocks;
    const double w = (double)o->c.cfg.width, layers = 2.0 * blocks + 2.0;
    const double need = 8.0 * (4.0 * layers * w * (w + 1.0) +
                               4.0 * (double)o->spec.batch * w * layers +
                               2.0 * (double)o->spec.samples * w);
    return cli_fits_in_memory(CMD, need, "--blocks, --width, --batch or --samples");
}

/* ---- the runs ------------------------------------------------------------------- */

static void list_nets(const identity_options *o, id_result *res)
{
    for (int a = 0; a < o->c.n_archs; a++)
        for (int zero = 0; zero <= (o->c.archs[a] != GF_ARCH_PLAIN); zero++) {
            id_net *n = &res->nets[res->n_nets++];
            n->arch = (gf_arch)o->c.archs[a];
            n->zero = zero;
            snprintf(n->name, sizeof n->name, "%s%s", gf_arch_names[n->arch], zero ? "-zero" : "");
        }
}

/* One run. 0, or -1 after a message. */
static int run_one(const identity_options *o, const id_result *res, id_run *r)
{
    gf_stack_config c = o->c.cfg;
    c.arch = res->nets[r->net].arch;
    c.zero_branch = res->nets[r->net].zero;
    c.depth = 2 * o->blocks[r->b] + 2;
    char why[512];
    gf_model *m = gf_model_alloc(&gf_model_mlp, &c, why, sizeof why);
    gsl_rng *rng = gf_rng_alloc((unsigned long)r->seed);
    gf_identity_spec s = o->spec;
    s.target = (gf_land_target)o->targets[r->target];
    s.seed = (unsigned long)r->seed;
    int rc = -1;
    if (!m || !rng || gf_model_init(m, rng) != 0)
        cli_error(CMD, "%s: %s", res->nets[r->net].name, m ? "out of memory" : why);
    else if ((rc = gf_identity_run(m, &s, &r->r, why, sizeof why)) != 0)
        cli_error(CMD, "%s, %d blocks, seed %ld: %s", res->nets[r->net].name, o->blocks[r->b],
                  r->seed, why);
    gsl_rng_free(rng);
    gf_model_free(m);
    return rc;
}

static int measure(const identity_options *o, id_result *res)
{
    list_nets(o, res);
    const int total = res->n_nets * o->n_blocks * o->n_targets * (int)o->c.seeds;
    if (!(res->runs = calloc((size_t)total, sizeof *res->runs)))
        return cli_error(CMD, "out of memory");
    cli_progress bar;
    cli_progress_begin(&bar, "identity: runs");
    const double t0 = gf_now();
    int rc = 0;
    for (int t = 0; t < o->n_targets && rc == 0; t++)
        for (int n = 0; n < res->n_nets && rc == 0; n++)
            for (int b = 0; b < o->n_blocks && rc == 0; b++)
                for (long s = 0; s < o->c.seeds && rc == 0; s++) {
                    id_run *r = &res->runs[res->n_runs];
                    *r = (id_run){.net = n, .b = b, .target = t, .seed = o->c.seed + s};
                    rc = run_one(o, res, r);
                    res->n_runs += rc == 0;
                    cli_progress_update(&bar, res->n_runs, total);
                }
    cli_progress_end(&bar);
    res->seconds = gf_now() - t0;
    return rc;
}

static void release(id_result *res)
{
    for (int i = 0; i < res->n_runs; i++)
        gf_identity_release(&res->runs[i].r);
    free(res->runs);
}

static int run(cli_run *r, void *opts)
{
    const identity_options *o = opts;
    id_result res = {0};
    char why[512];
    int status = measure(o, &res) == 0 ? CLI_EXIT_OK : CLI_EXIT_RUNTIME;
    if (status == CLI_EXIT_OK && identity_write(o, &res, r->dir, why, sizeof why) != 0)
        status = cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
    if (status == CLI_EXIT_OK) {
        identity_describe(r->manifest, o, &res);
        status = cli_run_manifest(r);
    }
    if (status == CLI_EXIT_OK)
        status = identity_figure(r, o, &res);
    if (status == CLI_EXIT_OK && identity_summary(r, o, &res) != 0)
        status = CLI_EXIT_RUNTIME;
    release(&res);
    return status;
}

const cli_command cli_identity = {
    .name = CMD,
    .summary = "plain and residual stacks asked to learn the identity, or a map far from it",
    .about =
        "Syllabus section 3 says that in y = F(x) + x the identity is the default (F = 0) and\n"
        "that a plain stack y = G(x) must learn it. This trains the blocks of plain and\n"
        "residual stacks (no stem, no head, no normalization: x_0 is the input, x_B the\n"
        "output, both --width features) with Adam on the mean squared error to\n"
        "  identity  y = x, and\n"
        "  teacher   y = sqrt(2) relu(Q x), Q a fixed random orthogonal matrix: a one-layer\n"
        "            ReLU teacher with the mean square of x, nonnegative like every block's\n"
        "            output, and far from x (the contrast: a map the default does not give).\n"
        "Inputs are |N(0, 1)| per feature, so that the identity passes a ReLU and every stack\n"
        "can represent both maps. Every residual architecture runs twice: initialized by\n"
        "--init, and with its branches' last layer zero (-zero: exactly the identity at the\n"
        "start). Per run: the relative loss MSE / E[y^2] at the start and the end, the steps\n"
        "to reach --threshold (checked every --record-every steps) and how far the weights\n"
        "moved, ||theta_T - theta_0|| / ||theta_0||; mean ± sd over the seeds.\n"
        "Writes into the run folder: identity.tsv, identity_curves.tsv, summary.txt,\n"
        "manifest.json, identity.png/.svg/.gp.\n\n",
    .epilog = "A net whose loss stops being finite stops the run (status 1, the net, blocks, seed\n"
              "and step named): the comparison needs every run; lower --lr.\n"
              CLI_EPILOG_PROGRESS,
    .table = table, .size = sizeof(identity_options), .init = init, .check = check, .run = run,
};
