/* cmd_pathgrad.c: gradflow pathgrad, the gradient by path length (Veit et
 * al. 2016, Fig. 6) of a residual net at initialization and trained: exact,
 * and by Veit's sampling of single paths. */
#include "cli.h"
#include "commands.h"
#include "pathgrad.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char CMD[] = "pathgrad";

static void help(void)
{
    printf(
        "Usage: gradflow pathgrad [OPTIONS]\n\n"
        "Unrolled, B residual blocks open 2^B paths; C(B, k) of them go through k branches.\n"
        "pathgrad splits the input gradient dL/dx_0 of a batch of test images exactly into\n"
        "g_0..g_B, g_k the sum over the paths through k branches (one backward pass per k,\n"
        "batched; sum_k g_k = dL/dx_0 to rounding, and the relative error is reported), at\n"
        "initialization and after training. It also samples single paths of some lengths as\n"
        "Veit et al. did and compares their estimate with the exact g_k. Batch norm runs in\n"
        "evaluation mode (running statistics): trained, the statistics training left; at\n"
        "initialization 0 and 1, so batch norm is nearly the identity there.\n"
        "Writes into the run folder: pathgrad.tsv, manifest.json, pathgrad.png/.svg/.gp\n"
        "(Veit's Fig. 6: paths, gradient per path, total per length, cumulative share),\n"
        "pathgrad_sampling.png/.svg/.gp, and training/ (the training run's curves.tsv,\n"
        "table.md and checkpoints/NET-seedK.safetensors).\n\n"
        "Network:\n"
        "  -a, --arch NAME       resnet, preact                           [resnet]\n"
        "  -d, --depth N         weight layers, 2B + 2 (110: 54 blocks)   [110]\n"
        "  -w, --width N         features in every block                  [128]\n"
        "      --init NAME       torch, he, xavier, lecun, orthogonal, fixup, rezero, scaled\n"
        "                                                                 [he]\n"
        "      --norm NAME       none, batch, layer                       [batch]\n"
        "      --act NAME        relu, tanh, linear                       [relu]\n"
        "      --zero-init-residual  zero the last layer of each residual branch\n"
        "      --seed N          seed of the initial weights, the batch order and the\n"
        "                        sampled paths, at least 1                [1]\n"
        "      --load FILE       the trained net from a checkpoint of `gradflow degrade`\n"
        "                        (e.g. runs/degrade/checkpoints/resnet-56-seed1.safetensors);\n"
        "                        its metadata gives the network and its initial seed (the\n"
        "                        network, --seed and training options are refused with it)\n"
        "Measurement:\n"
        "  -n, --images N        test images in the analysed batch        [64]\n"
        "      --samples N       paths sampled per length (Veit's estimator)  [32]\n"
        "      --sample-k LIST   lengths to sample: auto, none, or k values in 0..B\n"
        "                        [auto: 1, 2, 3, about every B/8, B - 1]\n"
        "Data and training (the trained state; --epochs 0: initialization only):\n"
        "      --data NAME       fashion, synthetic    [fashion when installed, else synthetic]\n"
        "      --data-dir DIR    where the Fashion-MNIST files are [" GF_FASHION_DIR "]\n"
        "      --ntrain N        training images (a fixed subset of the 60,000)  [10000]\n"
        "      --ntest N         test images for the test error; the batch is the first of\n"
        "                        them                                     [2000]\n"
        "  -e, --epochs N        epochs                                   [3]\n"
        "  -b, --batch N         mini-batch                               [128]\n"
        "      --optimizer NAME  sgd, adam, adamw                         [adam]\n"
        "      --lr X            base learning rate             [0.001 for adam, 0.1 for sgd]\n"
        "      --momentum X, --nesterov, --weight-decay X, --clip X, --warmup N\n"
        "                        as for gradflow degrade\n"
        "      --schedule NAME   constant, step, cosine                   [cosine]\n"
        "      --milestones LIST, --gamma X  the step schedule, as for gradflow degrade\n"
        "      --probe-every N   gradient norms while training every N steps [once per epoch]\n"
        "      --resume          continue from (or reuse) the checkpoint in OUT/training\n"
        "Output:\n"
        "  -o, --out DIR         run folder                               [runs/pathgrad]\n"
        "      --term TERM       also draw Fig. 6 in the terminal: dumb   [none]\n"
        "      --no-plot         write the data and .gp scripts, draw nothing\n"
        "  -q, --quiet           no summary on stdout\n"
        "  -h, --help            this help\n"
        "  -V, --version         the version\n\n"
        "A progress line is shown on a terminal.\n"
        "Exit status: 0 success, 1 runtime failure (missing data, unreadable checkpoint, a\n"
        "net that diverged, unwritable folder), 2 usage error.\n");
}

/* ---- options ---------------------------------------------------------------- */

static int parse_k(const char *cmd, const char *opt, const char *item, void *out)
{
    long v;
    if (cli_int(cmd, opt, item, 0, 100000, &v) != 0)
        return -1;
    *(int *)out = (int)v;
    return 0;
}

static int sample_lengths(const char *arg, pathgrad_options *o)
{
    o->ks_auto = strcmp(arg, "auto") == 0;
    o->n_ks = 0;
    if (o->ks_auto || strcmp(arg, "none") == 0)
        return 0;
    o->n_ks = cli_list(CMD, "--sample-k", arg, GF_PATHGRAD_MAX_LENGTHS, parse_k, o->ks,
                          sizeof *o->ks);
    return o->n_ks < 0 ? -1 : 0;
}

/* The option that sets the network or its training, for --load's conflicts. */
static const char *net_option(int c)
{
    switch (c) {
    case 'a': return "--arch";
    case 'd': return "--depth";
    case 'w': return "--width";
    case CLI_OPT_INIT: return "--init";
    case CLI_OPT_NORM: return "--norm";
    case CLI_OPT_ACT: return "--act";
    case CLI_OPT_ZERO: return "--zero-init-residual";
    case CLI_OPT_SEED: return "--seed";
    case 'e': return "--epochs";
    case 'b': return "--batch";
    case CLI_OPT_OPTIM: return "--optimizer";
    case CLI_OPT_LR: return "--lr";
    case CLI_OPT_MOMENTUM: return "--momentum";
    case CLI_OPT_NESTEROV: return "--nesterov";
    case CLI_OPT_WD: return "--weight-decay";
    case CLI_OPT_SCHED: return "--schedule";
    case CLI_OPT_MILESTONES: return "--milestones";
    case CLI_OPT_GAMMA: return "--gamma";
    case CLI_OPT_WARMUP: return "--warmup";
    case CLI_OPT_CLIP: return "--clip";
    case CLI_OPT_PROBE: return "--probe-every";
    case CLI_OPT_RESUME: return "--resume";
    default: return NULL;
    }
}

static int parse(int argc, char **argv, pathgrad_options *o)
{
    enum { O_LOAD = CLI_OPT_OWN, O_SAMPLES, O_SAMPLE_K };
    static const struct option longopts[] = {
        {"arch", required_argument, 0, 'a'},          {"depth", required_argument, 0, 'd'},
        {"width", required_argument, 0, 'w'},         {"init", required_argument, 0, CLI_OPT_INIT},
        {"norm", required_argument, 0, CLI_OPT_NORM},  {"act", required_argument, 0, CLI_OPT_ACT},
        {"zero-init-residual", no_argument, 0, CLI_OPT_ZERO},
        {"seed", required_argument, 0, CLI_OPT_SEED},  {"load", required_argument, 0, O_LOAD},
        {"images", required_argument, 0, 'n'},        {"samples", required_argument, 0, O_SAMPLES},
        {"sample-k", required_argument, 0, O_SAMPLE_K}, CLI_TRAIN_LONGOPTS,
        {"out", required_argument, 0, 'o'},           {"term", required_argument, 0, CLI_OPT_TERM},
        {"no-plot", no_argument, 0, CLI_OPT_NOPLOT},   {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},                {"version", no_argument, 0, 'V'},
        {0, 0, 0, 0},
    };
    gf_stack_config cfg = gf_stack_config_default();
    cfg.depth = 110;
    cfg.norm = GF_NORM_BATCH;
    cfg.init = GF_INIT_HE;
    *o = (pathgrad_options){.c = {.cfg = cfg, .archs = {GF_ARCH_RESNET}, .n_archs = 1, .seeds = 1,
                                  .seed = 1, .out = "runs/pathgrad"},
                            .images = 64, .samples = 32, .ks_auto = 1};
    cli_train_opts_default(&o->t);
    o->t.ntest = 2000;
    o->t.train.epochs = 3;
    o->t.train.optim = gf_optim_config_default(GF_OPTIM_ADAM);
    o->t.train.sched.kind = GF_SCHED_COSINE;
    const char *net_given = NULL;
    long v;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":a:d:w:n:e:b:o:qhV", longopts, NULL)) != -1) {
        if (net_option(c))
            net_given = net_option(c);
        int r = 0; /* --epochs is ours: 0 means no training */
        if (c != 'e' && (r = cli_common_option(CMD, c, optarg, argv, &o->c, help)) == 0)
            r = cli_train_option(CMD, c, optarg, &o->t);
        if (r != 0) {
            if (r < 0 || r == 2)
                return r < 0 ? -1 : 1;
            continue;
        }
        int bad = 0;
        switch (c) {
        case 'd':
            bad = cli_depth(CMD, "--depth", optarg, &o->c.cfg.depth) != 0;
            break;
        case 'e': /* 0: no training */
            bad = cli_int(CMD, "--epochs", optarg, 0, 100000, &v) != 0;
            o->t.train.epochs = (int)v;
            break;
        case 'n':
            bad = cli_int(CMD, "--images", optarg, 1, 1 << 20, &o->images) != 0;
            break;
        case O_LOAD:
            o->load = optarg;
            bad = !*optarg && cli_fail(-1, CMD, "--load needs a non-empty path");
            break;
        case O_SAMPLES:
            bad = cli_int(CMD, "--samples", optarg, 2, 1 << 20, &o->samples) != 0;
            break;
        default: /* O_SAMPLE_K */
            bad = sample_lengths(optarg, o) != 0;
            break;
        }
        if (bad)
            return -1;
    }
    if (cli_common_finish(CMD, argc, argv, &o->c) != 0 || cli_train_opts_finish(CMD, &o->t) != 0)
        return -1;
    if (o->c.n_archs != 1 || o->c.archs[0] == GF_ARCH_PLAIN)
        return cli_fail(-1, CMD, "--arch: one residual stack, resnet or preact (a plain "
                                    "stack has a single path)");
    o->c.cfg.arch = (gf_arch)o->c.archs[0];
    if (o->load && net_given)
        return cli_fail(-1, CMD, "--load takes the network, its seed and its training from "
                                    "the checkpoint: drop %s", net_given);
    if (o->images > o->t.ntest)
        return cli_fail(-1, CMD, "--images %ld is more than --ntest %ld", o->images,
                           o->t.ntest);
    return 0;
}

/* A rough upper bound of the memory of the exact split: B + 1 cotangents
 * and the batched branch pass over them (about 12 tensors of (B + 1) n d). */
static int fits_in_memory(const gf_stack_config *c, long images)
{
    const double K = gf_stack_blocks(c) + 1.0, nd = (double)images * (double)c->width;
    const double need = 8.0 * (12.0 * K * nd + 4.0 * K * c->width * c->width);
    const double have = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    if (have > 0 && need > 0.8 * have)
        return cli_fail(0, CMD, "the exact split needs about %.1f GiB of memory; the machine "
                                   "has %.1f GiB (reduce --depth, --width or --images)",
                           need / 1073741824.0, have / 1073741824.0);
    return 1;
}

/* Sampled lengths within 0..B (usage error otherwise). 0 or -1. */
static int settle_lengths(pathgrad_options *o, int blocks)
{
    if (o->ks_auto)
        o->n_ks = gf_pathgrad_default_lengths(blocks, o->ks);
    for (int i = 0; i < o->n_ks; i++) {
        if (o->ks[i] > blocks)
            return cli_fail(-1, CMD, "--sample-k: %d is beyond the %d blocks", o->ks[i], blocks);
        for (int j = 0; j < i; j++)
            if (o->ks[j] == o->ks[i])
                return cli_fail(-1, CMD, "--sample-k: %d is listed twice", o->ks[i]);
    }
    return 0;
}

/* ---- training --------------------------------------------------------------- */

typedef struct progress_ctx {
    cli_progress bar;
    int epochs;
    const char *name;
} progress_ctx;

static void on_run(void *ctx, const gf_grid_net *r, int index, int total)
{
    (void)index;
    (void)total;
    ((progress_ctx *)ctx)->name = r->name;
}

static void on_step(void *ctx, int epoch, long step, long steps, double loss)
{
    progress_ctx *p = ctx;
    if (!p->bar.enabled || (step % 5 != 0 && step != steps))
        return;
    fprintf(stderr, "\r\033[K%s: training %s  epoch %d/%d  step %ld/%ld  loss %.4f  %.0f s",
            CMD, p->name, epoch, p->epochs, step, steps, loss, gf_now() - p->bar.start);
    fflush(stderr);
}

/* Train the net as `gradflow degrade` does (its checkpoint in OUT/training);
 * the checkpoint's path into r. The exit status. */
static int train(const pathgrad_options *o, const gf_dataset *train_set,
                 const gf_dataset *test_set, pathgrad_run *r)
{
    char dir[4200], why[512];
    snprintf(dir, sizeof dir, "%s/training", o->c.out);
    progress_ctx prog = {.epochs = o->t.train.epochs};
    cli_progress_begin(&prog.bar, CMD);
    const gf_arch arch = o->c.cfg.arch;
    const int depth = o->c.cfg.depth;
    const gf_grid_spec spec = {
        .base = o->c.cfg, .archs = &arch, .n_archs = 1, .depths = &depth, .n_depths = 1,
        .seeds = 1, .seed0 = o->c.seed, .train = o->t.train, .train_set = train_set,
        .test_set = test_set, .data_name = r->data_name, .out = dir, .checkpoints = 1,
        .resume = o->t.resume, .on_run = on_run, .on_step = on_step, .ctx = &prog};
    gf_grid_result res;
    int rc = gf_grid_train(&spec, &res, why, sizeof why);
    cli_progress_end(&prog.bar);
    if (rc != 0)
        cli_fail(-1, CMD, "%s", why);
    else if (res.runs[0].failed)
        rc = cli_fail(-1, CMD, "training %s diverged: %s", res.runs[0].name, res.runs[0].why);
    else if (gf_grid_write(&res, dir, why, sizeof why) != 0)
        rc = cli_fail(-1, CMD, "%s", why);
    r->train_seconds = res.wall_seconds;
    snprintf(r->checkpoint, sizeof r->checkpoint, "%s/checkpoints/%s-seed%ld.safetensors", dir,
             res.runs ? res.runs[0].name : "", o->c.seed);
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
    gsl_rng_set(rng, 1000003ul * (unsigned long)o->c.seed + (unsigned long)i); /* per state */
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
    gf_model *s = gf_model_alloc(&gf_model_mlp, c, why, sizeof why);
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

/* Load data, train or load, measure both states, write. The exit status. */
static int run(const pathgrad_options *o_in, int argc, char **argv, pathgrad_run *r)
{
    pathgrad_options o = *o_in;
    char why[512], path[4200];
    gf_dataset train_set = {0}, test_set = {0};
    gf_model *trained = NULL, *init = NULL;
    json_t *m = gf_manifest_new(CMD, argc, argv);
    const double t0 = gf_now();
    int status = CLI_EXIT_RUNTIME, existed = access(o.c.out, F_OK) == 0;
    r->seed = o.c.seed;
    r->epochs = o.load ? -1 : o.t.train.epochs;
    if (o.load) { /* the network first: its depth settles the sampled lengths */
        gf_checkpoint_info info;
        if (!(trained = gf_model_open(o.load, NULL, NULL, &info, why, sizeof why))) {
            status = cli_fail(CLI_EXIT_RUNTIME, CMD, "--load: %s", why);
            goto done;
        }
        o.c.cfg = *(const gf_stack_config *)gf_model_config(trained);
        r->seed = info.seed > 0 ? info.seed : o.c.seed;
        r->epochs = info.epochs_done > 0 ? (int)info.epochs_done : -1;
        snprintf(r->checkpoint, sizeof r->checkpoint, "%s", o.load);
        if (o.c.cfg.arch == GF_ARCH_PLAIN) {
            status = cli_fail(CLI_EXIT_USAGE, CMD, "--load: %s holds a plain stack, which has a "
                                                     "single path", o.load);
            goto done;
        }
    }
    r->cfg = o.c.cfg;
    if (settle_lengths(&o, gf_stack_blocks(&o.c.cfg)) != 0 || !fits_in_memory(&o.c.cfg, o.images)) {
        status = CLI_EXIT_USAGE;
        goto done;
    }
    if (gf_data_load(o.t.data, o.t.data_dir, (size_t)o.t.ntrain, (size_t)o.t.ntest, &train_set,
                        &test_set, &r->data_name, why, sizeof why) != 0) {
        status = cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
        goto done;
    }
    r->n_test = test_set.n;
    if (o.load && gf_model_in_dim(trained) != test_set.dim) {
        status = cli_fail(CLI_EXIT_USAGE, CMD, "--load: the net reads %zu inputs, the %s images "
                             "have %zu (choose --data)", gf_model_in_dim(trained), r->data_name,
                             test_set.dim);
        goto done;
    }
    o.c.cfg.in_dim = r->cfg.in_dim = test_set.dim;
    if (strcmp(r->data_name, "synthetic") == 0 && o.t.data == GF_DATA_AUTO && !o.c.quiet)
        cli_warn(CMD, "Fashion-MNIST is not installed in %s; using the built-in synthetic "
                         "set (apt-get install dataset-fashion-mnist for the real one)",
                    o.t.data_dir);
    if (gf_make_dirs(o.c.out) != 0) {
        status = cli_fail(CLI_EXIT_RUNTIME, CMD, "cannot use output folder '%s': %s", o.c.out,
                             strerror(errno));
        goto done;
    }
    if (!o.load && o.t.train.epochs > 0) {
        if ((status = train(&o, &train_set, &test_set, r)) != CLI_EXIT_OK)
            goto done;
        status = CLI_EXIT_RUNTIME;
        if (!(trained = gf_model_load(r->checkpoint, why, sizeof why))) {
            cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
            goto done;
        }
    }
    if (!(init = initial_net(&o.c.cfg, r->seed))) {
        cli_fail(CLI_EXIT_RUNTIME, CMD, "out of memory for the network");
        goto done;
    }
    if (measure(init, "init", &o, &test_set, r) != CLI_EXIT_OK ||
        (trained && measure(trained, "trained", &o, &test_set, r) != CLI_EXIT_OK))
        goto done;
    r->wall_seconds = gf_now() - t0;
    if (gf_pathgrad_write(r->curve, r->n_states, o.c.out, why, sizeof why) != 0) {
        cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
        goto done;
    }
    pathgrad_describe(m, r, &o);
    snprintf(path, sizeof path, "%s/manifest.json", o.c.out);
    if (gf_manifest_write(m, path, r->wall_seconds) != 0) {
        cli_fail(CLI_EXIT_RUNTIME, CMD, "cannot write %s: %s", path, strerror(errno));
        goto done;
    }
    int drawn = 0;
    if (pathgrad_figures(r, &o, &drawn) != 0)
        goto done;
    if (!o.c.quiet)
        pathgrad_summary(r, &o, drawn);
    status = CLI_EXIT_OK;
done:
    if (status != CLI_EXIT_OK && !existed)
        rmdir(o.c.out); /* only when empty: what was written stays */
    json_decref(m);
    gf_model_free(trained);
    gf_model_free(init);
    gf_dataset_release(&train_set);
    gf_dataset_release(&test_set);
    return status;
}

int cmd_pathgrad(int argc, char **argv)
{
    pathgrad_options o;
    const int p = parse(argc, argv, &o);
    if (p != 0)
        return p > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    char why[512];
    if (gf_stack_config_check(&o.c.cfg, why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_USAGE, CMD, "%s", why);
    if (!o.load && !fits_in_memory(&o.c.cfg, o.images))
        return CLI_EXIT_USAGE;
    if (!o.load && settle_lengths(&o, gf_stack_blocks(&o.c.cfg)) != 0)
        return CLI_EXIT_USAGE;
    pathgrad_run r = {0};
    const int status = run(&o, argc, argv, &r);
    for (int i = 0; i < 2; i++)
        gf_pathgrad_curve_release(&r.curve[i]);
    return status;
}
