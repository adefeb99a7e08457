/* cmd_pathgrad.c: gradflow pathgrad, the gradient by path length (Veit et
 * al. 2016, Fig. 6) of a residual net at initialization and trained: exact,
 * and by Veit's sampling of single paths. */
#include "cli.h"
#include "commands.h"
#include "pathgrad.h"
#include "run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char CMD[] = "pathgrad";

/* Images per batch-norm warm-up pass: fixed (not --batch), so that --load
 * rebuilds the same init state from a checkpoint. */
#define WARMUP_BATCH 128
#define STR_(x) #x
#define STR(x) STR_(x)

static int set_sample_k(const cli_arg *a, void *opts)
{
    pathgrad_options *o = opts;
    o->ks_auto = strcmp(a->value, "auto") == 0;
    o->n_ks = 0;
    if (o->ks_auto || strcmp(a->value, "none") == 0)
        return 0;
    o->n_ks = cli_ints(a->cmd, a->opt, a->value, 0, 100000, o->ks, GF_PATHGRAD_MAX_LENGTHS);
    return o->n_ks < 0 ? CLI_EXIT_USAGE : 0;
}

static int set_warmup_given(const cli_arg *a, void *opts)
{
    (void)a;
    ((pathgrad_options *)opts)->bn_warmup_set = 1;
    return 0;
}

#define O pathgrad_options
static const cli_option table[] = {
    {CLI_TEXT, .help = "Network:\n"},
    {CLI_CHOICES, "arch", 'a', "NAME", "resnet, preact, cnn-resnet, cnn-preact   [resnet]",
     CLI_AT(O, c.archs), .names = gf_arch_names, .count_at = offsetof(O, c.n_archs)},
    CLI_DEPTH_N(O, "weight layers, 2B + 2 (110: 54 blocks)   [110]"),
    CLI_WIDTH(O, "features in every block                  [128]"),
    CLI_WIDTH_MULT(O),
    CLI_INIT(O, "torch, he, xavier, lecun, orthogonal, fixup, rezero, scaled\n"
                "                                         [he]"),
    CLI_NORM(O, "none, batch, layer                       [batch]"),
    CLI_ACT(O, "relu, tanh, linear                       [relu]"),
    CLI_ZERO_INIT(O),
    CLI_SEED(O, "seed of the initial weights, the batch order and the\n"
                "sampled paths, at least 1                [1]"),
    {CLI_STRING, "load", 0, "FILE", "the trained net from a checkpoint of `gradflow degrade`\n"
     "(e.g. runs/degrade/checkpoints/resnet-56-seed1.safetensors);\n"
     "its metadata gives the network and its initial seed (--seed\n"
     "and training options are refused with it); with network\n"
     "options given the file must hold that net (so a PyTorch\n"
     "state_dict, saved as safetensors under gradflow's names, loads)",
     CLI_AT(O, load),
     .set = cli_set_path},
    {CLI_TEXT, .help = "Measurement:\n"},
    {CLI_INT, "bn-warmup", 0, "N",
     "batch norm at initialization: running statistics from N\n"
     "training-mode passes of " STR(WARMUP_BATCH) " training images (their plain\n"
     "average, as gradflow jacobian's of 64); 0 keeps mean 0 and\n"
     "variance 1: batch norm is then nearly the identity and\n"
     "a He-init net grows block by block      [20]",
     CLI_AT(O, bn_warmup), .min = 0, .max = 100000, .set = set_warmup_given},
    {CLI_INT, "images", 'n', "N", "test images in the analysed batch        [64]",
     CLI_AT(O, images), .min = 1, .max = 1 << 20},
    {CLI_INT, "samples", 0, "N", "paths sampled per length (Veit's estimator)  [32]",
     CLI_AT(O, samples), .min = 2, .max = 1 << 20},
    {CLI_CALL, "sample-k", 0, "LIST", "lengths to sample: auto, none, or k values in 0..B\n"
     "[auto: 1, 2, 3, about every B/8, B - 1]", .set = set_sample_k},
    {CLI_TEXT, .help = "Data and training (the trained state; --epochs 0: initialization "
                       "only):\n"},
    CLI_TRAIN_DATA(O, "fashion, synthetic    [fashion when installed, else synthetic]"),
    CLI_TRAIN_DATA_DIR(O, "where the Fashion-MNIST files are [" GF_FASHION_DIR "]"),
    CLI_TRAIN_NTRAIN(O, "training images (a fixed subset of the 60,000)  [10000]"),
    CLI_TRAIN_NTEST(O, "test images for the test error; the batch is the first of\n"
                       "them                                     [2000]"),
    {CLI_INT, "epochs", 'e', "N", "epochs                                   [3]",
     CLI_AT(O, t.train.epochs), .min = 0, .max = 100000}, /* 0: no training */
    CLI_TRAIN_BATCH(O, "mini-batch                               [128]"),
    CLI_TRAIN_OPTIMIZER(O, "sgd, adam, adamw                         [adam]"),
    CLI_TRAIN_LR(O, "base learning rate             [0.001 for adam, 0.1 for sgd]"),
    {CLI_TEXT, .help = "      --momentum X, --nesterov, --weight-decay X, --clip X, --warmup N\n"
                       "                        as for gradflow degrade\n"},
    CLI_TRAIN_MOMENTUM(O, NULL), CLI_TRAIN_NESTEROV(O, NULL), CLI_TRAIN_WD(O, NULL),
    CLI_TRAIN_CLIP(O, NULL), CLI_TRAIN_WARMUP(O, NULL),
    CLI_TRAIN_SCHEDULE(O, "constant, step, cosine                   [cosine]"),
    {CLI_TEXT, .help = "      --milestones LIST, --gamma X  the step schedule, as for gradflow "
                       "degrade\n"},
    CLI_TRAIN_MILESTONES(O, NULL), CLI_TRAIN_GAMMA(O, NULL),
    CLI_TRAIN_PROBE(O, "gradient norms while training every N steps [once per epoch]"),
    CLI_TRAIN_RESUME(O, "continue from (or reuse) the checkpoint in OUT/training"),
    {CLI_TEXT, .help = "Output:\n"},
    CLI_OUT(O, "run folder                               [runs/pathgrad]"),
    CLI_TERM(O, "also draw Fig. 6 in the terminal: dumb   [none]"),
    CLI_TABLE_END(O, "write the data and .gp scripts, draw nothing"),
};
#undef O

/* The options of the network (with --load the file must match them) and
 * those of the seed and training (refused with --load). */
static void given(const cli_option *e, void *opts)
{
    static const char *const network[] = {"arch", "depth", "width", "width-mult", "init", "norm",
                                          "act", "zero-init-residual", NULL};
    static const char *const shaping[] = {
        "seed", "epochs", "batch", "optimizer", "lr", "momentum", "nesterov", "weight-decay",
        "schedule", "milestones", "gamma", "warmup", "clip", "probe-every", "resume", NULL};
    pathgrad_options *o = opts;
    o->net_options |= gf_name_lookup(network, e->name) >= 0;
    if (gf_name_lookup(shaping, e->name) >= 0)
        o->net_given = e->name;
}

static void init(void *opts)
{
    pathgrad_options *o = opts;
    cli_train_defaults(&o->c, &o->t, "runs/pathgrad", gf_stack_config_default().width,
                       GF_NORM_BATCH, (const int[]){GF_ARCH_RESNET}, 1);
    o->c.cfg.depth = 110;
    o->images = 64;
    o->samples = 32;
    o->bn_warmup = 20;
    o->ks_auto = 1;
    o->t.ntest = 2000;
    o->t.train.epochs = 3;
    o->t.train.optim = gf_optim_config_default(GF_OPTIM_ADAM);
    o->t.train.sched.kind = GF_SCHED_COSINE;
}

/* A rough upper bound of the memory of the exact split: B + 1 cotangents
 * and the batched branch pass over them (about 12 tensors of (B + 1) n d,
 * d the widest block boundary: an MLP's width, a cnn's first stage). */
static int fits_in_memory(const gf_stack_config *c, long images)
{
    const double w = gf_arch_is_mlp(c->arch) ? (double)c->width
                     : (double)c->in_dim * 16.0 * (c->width_mult > 0 ? c->width_mult : 1.0);
    const double K = gf_stack_blocks(c) + 1.0, nd = (double)images * w;
    const double need = 8.0 * (12.0 * K * nd * (gf_arch_is_mlp(c->arch) ? 1.0 : 4.0) +
                               (gf_arch_is_mlp(c->arch) ? 4.0 * K * w * w : 0.0));
    return cli_fits_in_memory(CMD, need, "--depth, --width, --width-mult or --images");
}

/* Sampled lengths within 0..B (usage error otherwise). 0 or -1. */
static int settle_lengths(pathgrad_options *o, int blocks)
{
    if (o->ks_auto)
        o->n_ks = gf_pathgrad_default_lengths(blocks, o->ks);
    for (int i = 0; i < o->n_ks; i++) {
        if (o->ks[i] > blocks)
            return cli_error(CMD, "--sample-k: %d is beyond the %d blocks", o->ks[i], blocks);
        for (int j = 0; j < i; j++)
            if (o->ks[j] == o->ks[i])
                return cli_error(CMD, "--sample-k: %d is listed twice", o->ks[i]);
    }
    return 0;
}

/* The nets with paths: the residual ones of the MLP and cnn families. */
static int residual_arch(gf_arch a)
{
    return gf_arch_residual(a) && (gf_arch_is_mlp(a) || gf_arch_types[a].family == &gf_model_cnn);
}

static int check(void *opts)
{
    pathgrad_options *o = opts;
    char why[512];
    if (cli_train_opts_finish(CMD, &o->t) != 0)
        return CLI_EXIT_USAGE;
    if (o->c.n_archs != 1 || !residual_arch((gf_arch)o->c.archs[0]))
        return cli_fail(CLI_EXIT_USAGE, CMD, "--arch: one residual net, resnet, preact, "
                        "cnn-resnet or cnn-preact (a plain net has a single path)");
    o->c.cfg.arch = (gf_arch)o->c.archs[0];
    if (!gf_arch_is_mlp(o->c.cfg.arch))
        o->c.cfg.norm = GF_NORM_BATCH; /* a cnn's blocks have batch norm */
    if (o->load && o->net_given)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--load takes the net's seed and its training from "
                        "the file: drop --%s", o->net_given);
    if (!o->load && o->bn_warmup_set && o->c.cfg.norm != GF_NORM_BATCH)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--bn-warmup sets batch norm's statistics: it "
                        "needs --norm batch");
    if (o->images > o->t.ntest)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--images %ld is more than --ntest %ld",
                        o->images, o->t.ntest);
    if (!o->load && o->c.cfg.norm == GF_NORM_BATCH && o->bn_warmup > 0 &&
        o->t.ntrain < WARMUP_BATCH)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--ntrain %ld is smaller than a batch-norm warm-up "
                        "batch (%d; or --bn-warmup 0)", o->t.ntrain, WARMUP_BATCH);
    gf_family_config fc;
    if (gf_arch_config(&o->c.cfg, &fc, why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_USAGE, CMD, "%s", why);
    if (!o->load && ((gf_arch_is_mlp(o->c.cfg.arch) && fits_in_memory(&o->c.cfg, o->images) != 0) ||
                     settle_lengths(o, gf_stack_blocks(&o->c.cfg)) != 0))
        return CLI_EXIT_USAGE;
    return 0;
}

/* ---- training --------------------------------------------------------------- */

/* Train the net as `gradflow degrade` does (its checkpoint in OUT/training);
 * the checkpoint's path into r. The exit status. */
static int train(const pathgrad_options *o, const gf_dataset *train_set,
                 const gf_dataset *test_set, pathgrad_run *r)
{
    char dir[GF_PATH_MAX], why[512];
    if (gf_path_join(dir, sizeof dir, o->c.out, "training") != 0)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "%s/training: the path is too long", o->c.out);
    const gf_arch arch = o->c.cfg.arch;
    const int depth = o->c.cfg.depth;
    const gf_grid_spec spec = {
        .base = o->c.cfg, .archs = &arch, .n_archs = 1, .depths = &depth, .n_depths = 1,
        .seeds = 1, .seed0 = o->c.seed, .train = o->t.train, .train_set = train_set,
        .test_set = test_set, .data_name = r->data_name, .out = dir, .checkpoints = 1,
        .resume = o->t.resume};
    gf_grid_result res;
    cli_train_resume_note(CMD, &o->t, dir);
    int rc = cli_train_nets(CMD, &spec, &res, why, sizeof why);
    if (rc != 0)
        cli_error(CMD, "%s", why);
    else if (res.runs[0].failed)
        rc = cli_error(CMD, "training %s diverged: %s", res.runs[0].name, res.runs[0].why);
    else if (gf_grid_write(&res, dir, why, sizeof why) != 0)
        rc = cli_error(CMD, "%s", why);
    r->train_seconds = res.wall_seconds;
    if (snprintf(r->checkpoint, sizeof r->checkpoint, "%s/checkpoints/%s-seed%ld.safetensors",
                 dir, res.runs ? res.runs[0].name : "", o->c.seed) >= (int)sizeof r->checkpoint &&
        rc == 0)
        rc = cli_error(CMD, "%s/checkpoints: the path is too long", dir);
    gf_grid_release(&res);
    return rc != 0 ? CLI_EXIT_RUNTIME : CLI_EXIT_OK;
}

/* ---- measuring --------------------------------------------------------------- */

typedef struct measure_ctx {
    cli_progress bar;
    const char *state;
} measure_ctx;

static void on_length(void *ctx, int done, int total)
{
    measure_ctx *p = ctx;
    if (!p->bar.enabled)
        return;
    fprintf(stderr, "\r\033[K%s: %s: sampled %d of %d path lengths  %.0f s", CMD, p->state, done,
            total, gf_now() - p->bar.start);
    fflush(stderr);
}

/* Measure net s as `state` on the first images of the test set; its test
 * loss and error too. The exit status. */
static int measure(gf_model *s, const char *state, const pathgrad_options *o,
                   const gf_dataset *test, pathgrad_run *r)
{
    const int i = r->n_states;
    char why[512];
    gf_tape *tape = gf_tape_alloc(0);
    if (!tape || gf_evaluate(s, tape, test, 256, NULL, &r->test_loss[i], &r->test_err[i]) != 0) {
        gf_tape_free(tape);
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "%s: evaluating the test images failed", state);
    }
    gf_tape_free(tape);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "out of memory");
    gsl_rng_set(rng, gf_seed_stream((unsigned long)o->c.seed, (unsigned long)i)); /* per state */
    measure_ctx prog = {.state = state};
    cli_progress_begin(&prog.bar, CMD);
    const int rc = gf_pathgrad_measure(s, test->x, test->y, (size_t)o->images, o->ks, o->n_ks,
                                       (int)o->samples, rng, state, on_length, &prog,
                                       &r->curve[i], why, sizeof why);
    cli_progress_end(&prog.bar);
    gsl_rng_free(rng);
    if (rc != 0)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "%s: %s", state, why);
    r->n_states++;
    return CLI_EXIT_OK;
}

/* The net at initialization: configuration c, weights from seed. */
static gf_model *initial_net(const gf_stack_config *c, long seed)
{
    char why[256];
    gf_model *s = gf_arch_model_alloc(c, why, sizeof why);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (s && rng) {
        gsl_rng_set(rng, (unsigned long)seed); /* as gf_grid_train: seed k, then init */
        if (gf_model_init(s, rng) != 0) {
            gf_model_free(s);
            s = NULL;
        }
    }
    gsl_rng_free(rng);
    return s && rng ? s : NULL;
}

/* --load: the trained net, and from it the network measured (its depth
 * settles the sampled lengths). The exit status. */
static int load_net(pathgrad_options *o, pathgrad_run *r, size_t in_dim, gf_model **trained)
{
    char why[512];
    gf_checkpoint_info info;
    gf_stack_config c = o->c.cfg; /* network options given: the file must hold that net */
    c.in_dim = in_dim;
    if (!(*trained = o->net_options ? gf_arch_model_open(o->load, &c, &info, why, sizeof why)
                                    : gf_model_open(o->load, NULL, NULL, &info, why, sizeof why)))
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "--load: %s", why);
    if (gf_arch_options_of(*trained, &o->c.cfg) != 0 || !residual_arch(o->c.cfg.arch)) {
        char name[GF_NET_NAME_MAX];
        gf_model_name(*trained, name, sizeof name);
        return cli_fail(CLI_EXIT_USAGE, CMD, "--load: %s holds %s, not a residual MLP stack or "
                        "cnn (resnet, preact, cnn-resnet, cnn-preact)", o->load, name);
    }
    r->seed = info.seed > 0 ? info.seed : o->c.seed;
    r->epochs = info.epochs_done > 0 ? (int)info.epochs_done : -1;
    snprintf(r->checkpoint, sizeof r->checkpoint, "%s", o->load);
    if (o->bn_warmup_set && o->c.cfg.norm != GF_NORM_BATCH)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--bn-warmup: the net in %s has no batch norm",
                        o->load);
    return settle_lengths(o, gf_stack_blocks(&o->c.cfg)) != 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

/* The init state's batch-norm statistics: the plain average of
 * --bn-warmup training-mode passes of WARMUP_BATCH training images, drawn from
 * the seed's stream 2 (streams 0 and 1 sample the states' paths). */
static int warm_up(const pathgrad_options *o, const gf_dataset *train_set, pathgrad_run *r,
                   gf_model *init)
{
    char why[512];
    r->bn_warmup = o->c.cfg.norm == GF_NORM_BATCH ? (int)o->bn_warmup : 0;
    r->warmup_batch = WARMUP_BATCH;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "out of memory");
    gsl_rng_set(rng, gf_seed_stream((unsigned long)r->seed, 2));
    const int rc = gf_model_bn_warmup(init, train_set, rng, r->bn_warmup, r->warmup_batch, why,
                                      sizeof why);
    gsl_rng_free(rng);
    return rc != 0 ? cli_fail(CLI_EXIT_RUNTIME, CMD, "init: %s", why) : CLI_EXIT_OK;
}

/* The nets measured: trained (unless loaded or --epochs 0) and at
 * initialization. The exit status. */
static int nets(pathgrad_options *o, const gf_dataset *train_set, const gf_dataset *test_set,
                pathgrad_run *r, gf_model **trained, gf_model **init)
{
    char why[512];
    if (o->load && gf_model_in_dim(*trained) != test_set->dim)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--load: the net reads %zu inputs, the %s images "
                        "have %zu (choose --data)", gf_model_in_dim(*trained), r->data_name,
                        test_set->dim);
    o->c.cfg.in_dim = r->cfg.in_dim = test_set->dim;
    if ((o->load || !gf_arch_is_mlp(o->c.cfg.arch)) && fits_in_memory(&o->c.cfg, o->images) != 0)
        return CLI_EXIT_USAGE; /* a cnn's widths follow the images */
    if (!o->load && o->t.train.epochs > 0) {
        const int status = train(o, train_set, test_set, r);
        if (status != CLI_EXIT_OK)
            return status;
        if (!(*trained = gf_model_load(r->checkpoint, why, sizeof why)))
            return cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
    }
    if (!(*init = initial_net(&o->c.cfg, r->seed)))
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "out of memory for the network");
    return warm_up(o, train_set, r, *init);
}

/* The curves, the manifest, the figures and the summary. The exit status. */
static int report(cli_run *run, const pathgrad_options *o, pathgrad_run *r)
{
    char why[512];
    r->wall_seconds = gf_now() - run->t0;
    if (gf_pathgrad_write(r->curve, r->n_states, run->dir, why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
    pathgrad_describe(run->manifest, r, o);
    int status = cli_run_manifest(run);
    if (status == CLI_EXIT_OK)
        status = pathgrad_figures(run, r);
    if (status == CLI_EXIT_OK && !o->c.quiet)
        pathgrad_summary(r, o, cli_run_drawn(run));
    return status;
}

static int run(cli_run *run, void *opts)
{
    pathgrad_options *o = opts;
    gf_dataset train_set = {0}, test_set = {0};
    gf_model *trained = NULL, *init = NULL;
    pathgrad_run r = {.seed = o->c.seed, .epochs = o->load ? -1 : o->t.train.epochs};
    int status = cli_train_data(CMD, &o->t, o->c.quiet, &train_set, &test_set, &r.data_name);
    if (status == CLI_EXIT_OK && o->load)
        status = load_net(o, &r, test_set.dim, &trained);
    r.cfg = o->c.cfg;
    r.n_test = test_set.n;
    if (status == CLI_EXIT_OK)
        status = nets(o, &train_set, &test_set, &r, &trained, &init);
    if (status == CLI_EXIT_OK &&
        (measure(init, "init", o, &test_set, &r) != CLI_EXIT_OK ||
         (trained && measure(trained, "trained", o, &test_set, &r) != CLI_EXIT_OK)))
        status = CLI_EXIT_RUNTIME;
    if (status == CLI_EXIT_OK)
        status = report(run, o, &r);
    gf_model_free(trained);
    gf_model_free(init);
    gf_dataset_release(&train_set);
    gf_dataset_release(&test_set);
    for (int i = 0; i < 2; i++)
        gf_pathgrad_curve_release(&r.curve[i]);
    return status;
}

const cli_command cli_pathgrad = {
    .name = CMD,
    .summary = "gradient at x_0 by path length, exact and sampled (Veit et al.)",
    .about =
        "Unrolled, B residual blocks open 2^B paths; C(B, k) of them go through k branches.\n"
        "pathgrad splits the input gradient dL/dx_0 of a batch of test images exactly into\n"
        "g_0..g_B, g_k the sum over the paths through k branches (one backward pass per k,\n"
        "batched; sum_k g_k = dL/dx_0 to rounding, and the relative error is reported), at\n"
        "initialization and after training. It also samples single paths of some lengths as\n"
        "Veit et al. did and tests their estimate against the exact g_k (and against 0, which\n"
        "shows whether the sample resolves g_k at all). Batch norm runs in evaluation mode\n"
        "(running statistics): trained, the statistics training left; at initialization the\n"
        "plain average of --bn-warmup training-mode passes (0: mean 0 and variance 1, with\n"
        "which batch norm is nearly the identity and a He-init net grows block by block).\n"
        "Writes into the run folder: pathgrad.tsv, manifest.json, pathgrad.png/.svg/.gp\n"
        "(Veit's Fig. 6: paths, gradient per path, total per length, cumulative share),\n"
        "pathgrad_sampling.png/.svg/.gp, and training/ (the training run's record as degrade\n"
        "writes it: curves.tsv, curves_mean.tsv, table.md, gradnorm_training.tsv,\n"
        "params_training.tsv and checkpoints/NET-seedK.safetensors).\n\n",
    .epilog =
        "A progress line is shown on a terminal.\n"
        "Exit status: 0 success, 1 runtime failure (missing data, unreadable checkpoint, a\n"
        "net that diverged, unwritable folder), 2 usage error.\n",
    .table = table, .size = sizeof(pathgrad_options), .init = init, .check = check,
    .run = run, .given = given,
};
