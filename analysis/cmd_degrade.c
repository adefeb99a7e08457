/* cmd_degrade.c: gradflow degrade, the degradation experiment of He et al.
 * (2016, Fig. 1 and 6): plain and residual nets of two depths, trained alike. */
#include "cli.h"
#include "commands.h"
#include "degrade.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char CMD[] = "degrade";

static void help(void)
{
    printf(
        "Usage: gradflow degrade [OPTIONS]\n\n"
        "Trains plain and residual stacks of each depth on Fashion-MNIST (Debian's\n"
        "dataset-fashion-mnist) with the same optimizer, and records per epoch the training\n"
        "loss, training error and test error, and at chosen steps the gradient norm at every\n"
        "depth. A deeper plain net with a higher *training* error than a shallower one is the\n"
        "degradation problem; the residual nets show whether the skip connections remove it.\n"
        "Writes into the run folder: curves.tsv, curves_mean.tsv, table.md, gradnorm_training.tsv,\n"
        "params_training.tsv, manifest.json, degradation.png/.svg/.gp,\n"
        "gradnorm_training.png/.svg/.gp and checkpoints/NET-seedK.safetensors (every epoch).\n\n"
        "Networks:\n"
        "  -a, --arch LIST       plain, resnet, preact                    [plain,resnet]\n"
        "  -d, --depth LIST      weight layers, each 2B + 2               [20,56]\n"
        "  -w, --width N         features in every block                  [64]\n"
        "      --init NAME       torch, he, xavier, lecun, orthogonal     [he]\n"
        "      --norm NAME       none, batch, layer                       [batch]\n"
        "      --act NAME        relu, tanh, linear                       [relu]\n"
        "      --zero-init-residual  zero the last layer of each residual branch\n"
        "Data:\n"
        "      --data NAME       fashion, synthetic    [fashion when installed, else synthetic]\n"
        "      --data-dir DIR    where the Fashion-MNIST files are [" GF_FASHION_DIR "]\n"
        "      --ntrain N        training images (a fixed subset of the 60,000)  [10000]\n"
        "      --ntest N         test images (the first of the 10,000, never trained on) [10000]\n"
        "Training (He et al.'s CIFAR-10 setting, scaled to the epochs given):\n"
        "  -e, --epochs N        epochs                                   [10]\n"
        "  -b, --batch N         mini-batch (the last incomplete one of an epoch is dropped) [128]\n"
        "      --optimizer NAME  sgd, adam, adamw                         [sgd]\n"
        "      --lr X            base learning rate             [0.1 for sgd, 0.001 for adam]\n"
        "      --momentum X      sgd momentum                             [0.9]\n"
        "      --nesterov        Nesterov momentum\n"
        "      --weight-decay X  L2 decay (adamw: decoupled)    [1e-4 for sgd, 0 adam, 0.01 adamw]\n"
        "      --schedule NAME   constant, step, cosine                   [step]\n"
        "      --milestones LIST step: fractions of training where lr *= gamma  [0.5,0.75]\n"
        "      --gamma X         step: the factor                         [0.1]\n"
        "      --warmup N        linear warm-up over the first N steps    [0]\n"
        "      --clip X          clip the global gradient norm to X       [off]\n"
        "  -s, --seeds N         seeds per net (weights and batch order)  [1]\n"
        "      --seed N          first seed, at least 1                   [1]\n"
        "      --probe-every N   record gradient norms every N steps (and at the first and\n"
        "                        last step)                               [once per epoch]\n"
        "      --resume          continue from the checkpoints in the run folder\n"
        "Output:\n"
        "  -o, --out DIR         run folder                               [runs/degrade]\n"
        "      --term TERM       also draw the curves in the terminal: dumb [none]\n"
        "      --no-plot         write the data and .gp scripts, draw nothing\n"
        "  -q, --quiet           no summary on stdout\n"
        "  -h, --help            this help\n"
        "  -V, --version         the version\n\n"
        "A progress line is shown on a terminal. A non-finite loss or gradient stops that net\n"
        "with the step and the layer where it appeared; the other nets go on and what was\n"
        "measured is written.\n"
        "Exit status: 0 success, 1 runtime failure (a net diverged, missing data, unwritable\n"
        "folder), 2 usage error.\n");
}

/* ---- options ---------------------------------------------------------------- */

static int parse_depth(const char *cmd, const char *opt, const char *item, void *out)
{
    return gf_cli_depth(cmd, opt, item, out);
}

static int parse_fraction(const char *cmd, const char *opt, const char *item, void *out)
{
    return gf_cli_real(cmd, opt, item, 1e-9, 1.0 - 1e-9, out);
}

static int parse(int argc, char **argv, degrade_options *o)
{
    enum { O_DATA = GF_OPT_OWN, O_DATADIR, O_NTRAIN, O_NTEST, O_OPTIM, O_LR, O_MOMENTUM,
           O_NESTEROV, O_WD, O_SCHED, O_MILESTONES, O_GAMMA, O_WARMUP, O_CLIP, O_PROBE,
           O_RESUME };
    static const struct option longopts[] = {
        GF_COMMON_LONGOPTS,
        {"depth", required_argument, 0, 'd'},        {"epochs", required_argument, 0, 'e'},
        {"batch", required_argument, 0, 'b'},        {"data", required_argument, 0, O_DATA},
        {"data-dir", required_argument, 0, O_DATADIR}, {"ntrain", required_argument, 0, O_NTRAIN},
        {"ntest", required_argument, 0, O_NTEST},    {"optimizer", required_argument, 0, O_OPTIM},
        {"lr", required_argument, 0, O_LR},          {"momentum", required_argument, 0, O_MOMENTUM},
        {"nesterov", no_argument, 0, O_NESTEROV},    {"weight-decay", required_argument, 0, O_WD},
        {"schedule", required_argument, 0, O_SCHED},
        {"milestones", required_argument, 0, O_MILESTONES},
        {"gamma", required_argument, 0, O_GAMMA},    {"warmup", required_argument, 0, O_WARMUP},
        {"clip", required_argument, 0, O_CLIP},      {"probe-every", required_argument, 0, O_PROBE},
        {"resume", no_argument, 0, O_RESUME},        {0, 0, 0, 0},
    };
    gf_stack_config cfg = gf_stack_config_default();
    cfg.width = 64;
    cfg.norm = GF_NORM_BATCH;
    cfg.init = GF_INIT_HE;
    *o = (degrade_options){
        .c = {.cfg = cfg, .archs = {GF_ARCH_PLAIN, GF_ARCH_RESNET}, .n_archs = 2, .seeds = 1,
              .seed = 1, .out = "runs/degrade"},
        .depths = {20, 56}, .n_depths = 2, .data = GF_DATA_AUTO, .data_dir = GF_FASHION_DIR,
        .ntrain = 10000, .ntest = 10000,
        .train = {.batch = 128, .epochs = 10, .optim = gf_optim_config_default(GF_OPTIM_SGD),
                  .sched = {.kind = GF_SCHED_STEP, .lr = NAN, .gamma = 0.1,
                            .milestones = {0.5, 0.75}, .n_milestones = 2}},
    };
    double lr = NAN, wd = NAN, momentum = NAN;
    int nesterov = 0;
    long v;
    int c, k;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, GF_COMMON_SHORTOPTS "d:e:b:", longopts, NULL)) != -1) {
        const int r = gf_common_option(CMD, c, optarg, argv, &o->c, help);
        if (r != 0) {
            if (r < 0 || r == 2)
                return r < 0 ? -1 : 1;
            continue;
        }
        int bad = 0;
        switch (c) {
        case 'd':
            bad = (o->n_depths = gf_cli_list(CMD, "--depth", optarg, GF_DEGRADE_MAX_DEPTHS,
                                             parse_depth, o->depths, sizeof *o->depths)) < 0;
            break;
        case 'e':
            bad = gf_cli_int(CMD, "--epochs", optarg, 1, 100000, &v) != 0;
            o->train.epochs = (int)v;
            break;
        case 'b':
            bad = gf_cli_int(CMD, "--batch", optarg, 2, 1 << 20, &v) != 0;
            o->train.batch = (size_t)v;
            break;
        case O_DATA:
            bad = (k = gf_cli_choice(CMD, "--data", optarg, gf_data_names)) < 0;
            o->data = (gf_data_kind)k;
            break;
        case O_DATADIR:
            o->data_dir = optarg;
            bad = !*optarg && gf_cli_fail(-1, CMD, "--data-dir needs a non-empty path");
            break;
        case O_NTRAIN:
            bad = gf_cli_int(CMD, "--ntrain", optarg, 2, 1 << 24, &o->ntrain) != 0;
            break;
        case O_NTEST:
            bad = gf_cli_int(CMD, "--ntest", optarg, 0, 1 << 24, &o->ntest) != 0;
            break;
        case O_OPTIM:
            bad = (k = gf_cli_choice(CMD, "--optimizer", optarg, gf_optim_names)) < 0;
            if (!bad)
                o->train.optim = gf_optim_config_default((gf_optim_kind)k);
            break;
        case O_LR:
            bad = gf_cli_real(CMD, "--lr", optarg, 1e-12, 1e6, &lr) != 0;
            break;
        case O_MOMENTUM:
            bad = gf_cli_real(CMD, "--momentum", optarg, 0.0, 0.999999, &momentum) != 0;
            break;
        case O_NESTEROV:
            nesterov = 1;
            break;
        case O_WD:
            bad = gf_cli_real(CMD, "--weight-decay", optarg, 0.0, 1.0, &wd) != 0;
            break;
        case O_SCHED:
            bad = (k = gf_cli_choice(CMD, "--schedule", optarg, gf_sched_names)) < 0;
            o->train.sched.kind = (gf_sched_kind)k;
            break;
        case O_MILESTONES:
            bad = (o->train.sched.n_milestones =
                       gf_cli_list(CMD, "--milestones", optarg, GF_SCHED_MAX_MILESTONES,
                                   parse_fraction, o->train.sched.milestones,
                                   sizeof *o->train.sched.milestones)) < 0;
            break;
        case O_GAMMA:
            bad = gf_cli_real(CMD, "--gamma", optarg, 1e-9, 1.0, &o->train.sched.gamma) != 0;
            break;
        case O_WARMUP:
            bad = gf_cli_int(CMD, "--warmup", optarg, 0, 1L << 40, &o->train.sched.warmup_steps);
            break;
        case O_CLIP:
            bad = gf_cli_real(CMD, "--clip", optarg, 1e-12, 1e12, &o->train.clip) != 0;
            break;
        case O_PROBE:
            bad = gf_cli_int(CMD, "--probe-every", optarg, 1, 1L << 40, &o->train.probe_every);
            o->probe_every_set = 1;
            break;
        default: /* O_RESUME */
            o->resume = 1;
            break;
        }
        if (bad)
            return -1;
    }
    if (gf_common_finish(CMD, argc, argv, &o->c) != 0)
        return -1;
    gf_optim_config *oc = &o->train.optim;
    o->train.sched.lr = !isnan(lr) ? lr : oc->kind == GF_OPTIM_SGD ? 0.1 : 1e-3;
    if (!isnan(wd))
        oc->weight_decay = wd;
    if (!isnan(momentum) || nesterov) {
        if (oc->kind != GF_OPTIM_SGD) {
            gf_cli_fail(GF_EXIT_USAGE, CMD, "--momentum and --nesterov are for --optimizer sgd");
            return -1;
        }
        if (!isnan(momentum))
            oc->momentum = momentum;
        oc->nesterov = nesterov;
        if (nesterov && oc->momentum == 0.0) {
            gf_cli_fail(GF_EXIT_USAGE, CMD, "--nesterov needs a momentum above 0");
            return -1;
        }
    }
    for (int i = 1; i < o->train.sched.n_milestones; i++)
        if (o->train.sched.milestones[i] <= o->train.sched.milestones[i - 1]) {
            gf_cli_fail(GF_EXIT_USAGE, CMD, "--milestones must increase");
            return -1;
        }
    for (int i = 0; i < o->n_depths; i++)
        for (int j = 0; j < i; j++)
            if (o->depths[i] == o->depths[j]) {
                gf_cli_fail(GF_EXIT_USAGE, CMD, "--depth: %d is listed twice", o->depths[i]);
                return -1;
            }
    if ((long)o->train.batch > o->ntrain) {
        gf_cli_fail(GF_EXIT_USAGE, CMD, "--batch %zu is larger than --ntrain %ld",
                    o->train.batch, o->ntrain);
        return -1;
    }
    return 0;
}

/* ---- progress ---------------------------------------------------------------- */

typedef struct progress_ctx {
    gf_progress bar;
    const gf_degrade_run *run;
    int index, total, epochs;
    double start;
} progress_ctx;

static void on_run(void *ctx, const gf_degrade_run *r, int index, int total)
{
    progress_ctx *p = ctx;
    p->run = r;
    p->index = index;
    p->total = total;
    p->start = gf_cli_now();
}

static void on_step(void *ctx, int epoch, long step, long steps, double loss)
{
    progress_ctx *p = ctx;
    if (!p->bar.enabled || (step % 5 != 0 && step != steps))
        return;
    const double el = gf_cli_now() - p->start;
    const double done = (double)(epoch - 1 - p->run->resumed_from) * (double)steps + (double)step;
    fprintf(stderr, "\r\033[Kdegrade: net %d/%d %s seed %ld  epoch %d/%d  step %ld/%ld  loss "
                    "%.4f  %.0f steps/s",
            p->index + 1, p->total, p->run->name, p->run->seed, epoch, p->epochs, step, steps,
            loss, el > 0 ? done / el : 0.0);
    fflush(stderr);
}

static void describe(json_t *m, const gf_degrade_result *x, const degrade_options *o)
{
    const gf_stack_config *c = &o->c.cfg;
    const gf_train_config *t = &o->train;
    json_t *archs = json_array(), *depths = json_array(), *seeds = json_array(),
           *miles = json_array(), *nets = json_array();
    for (int a = 0; a < o->c.n_archs; a++)
        json_array_append_new(archs, json_string(gf_arch_names[o->c.archs[a]]));
    for (int d = 0; d < o->n_depths; d++)
        json_array_append_new(depths, json_integer(o->depths[d]));
    for (long k = 0; k < o->c.seeds; k++)
        json_array_append_new(seeds, json_integer(o->c.seed + k));
    for (int i = 0; i < t->sched.n_milestones; i++)
        json_array_append_new(miles, json_real(t->sched.milestones[i]));
    for (int i = 0; i < x->n_runs; i++) {
        const gf_degrade_run *r = &x->runs[i];
        const gf_epoch_stats *e = r->epochs_done ? &r->hist[r->epochs_done - 1] : NULL;
        double secs = 0.0;
        for (int k = 0; k < r->epochs_done; k++)
            secs += r->hist[k].seconds + r->hist[k].eval_seconds;
        json_array_append_new(nets, json_pack(
            "{s:s, s:I, s:i, s:o, s:o, s:f, s:i, s:s}", "net", r->name, "seed",
            (json_int_t)r->seed, "epochs_done", r->epochs_done, "final_train_error",
            e ? json_real(e->train_err) : json_null(), "final_test_error",
            e && !isnan(e->test_err) ? json_real(e->test_err) : json_null(), "seconds", secs,
            "resumed_from_epoch", r->resumed_from, "stopped", r->failed ? r->why : ""));
    }
    json_object_set_new(m, "settings", json_pack(
        "{s:o, s:o, s:I, s:s, s:s, s:s, s:b, s:s, s:I, s:I, s:I, s:i, s:I, s:s, s:f, s:f, s:b, "
        "s:f, s:s, s:f, s:o, s:f, s:I, s:f, s:I, s:s}",
        "arch", archs, "depth", depths, "width", (json_int_t)c->width, "init",
        gf_init_names[c->init], "norm", gf_norm_names[c->norm], "act", gf_act_names[c->act],
        "zero_init_residual", c->zero_branch, "data", x->spec.data_name, "input_dim",
        (json_int_t)x->spec.train_set->dim, "ntrain", (json_int_t)x->spec.train_set->n, "ntest",
        (json_int_t)x->spec.test_set->n,
        "epochs", t->epochs, "batch", (json_int_t)t->batch, "optimizer",
        gf_optim_names[t->optim.kind], "momentum", t->optim.momentum, "weight_decay",
        t->optim.weight_decay, "nesterov", t->optim.nesterov, "lr", t->sched.lr, "schedule",
        gf_sched_names[t->sched.kind], "gamma", t->sched.gamma, "milestones", miles, "clip",
        t->clip, "warmup_steps", (json_int_t)t->sched.warmup_steps, "bn_momentum",
        c->bn_momentum, "probe_every", (json_int_t)t->probe_every, "evaluation",
        "batch norm with running statistics; errors over the whole training subset and test "
        "set after each epoch"));
    if (strcmp(x->spec.data_name, "Fashion-MNIST") == 0)
        json_object_set_new(m, "data_dir", json_string(o->data_dir));
    json_object_set_new(m, "seeds", seeds);
    json_object_set_new(m, "seed_use", json_string(
        "seed k initializes the weights (mt19937); epoch e's batch order is a shuffle seeded "
        "with k * 1000003 + e + 1; the data subset is fixed and the same for every seed"));
    json_object_set_new(m, "nets", nets);
}

int cmd_degrade(int argc, char **argv)
{
    degrade_options o;
    const int p = parse(argc, argv, &o);
    if (p != 0)
        return p > 0 ? GF_EXIT_OK : GF_EXIT_USAGE;
    char why[512];
    for (int d = 0; d < o.n_depths; d++) {
        gf_stack_config c = o.c.cfg;
        c.depth = o.depths[d];
        if (gf_stack_config_check(&c, why, sizeof why) != 0)
            return gf_cli_fail(GF_EXIT_USAGE, CMD, "%s", why);
    }
    if (!o.probe_every_set)
        o.train.probe_every = (long)((size_t)o.ntrain / o.train.batch);
    json_t *m = gf_manifest_new(CMD, argc, argv);
    gf_dataset train, test;
    const char *data_name;
    gf_degrade_result res = {0};
    int status = GF_EXIT_RUNTIME;
    if (gf_degrade_data(o.data, o.data_dir, (size_t)o.ntrain, (size_t)o.ntest, &train, &test,
                        &data_name, why, sizeof why) != 0) {
        gf_cli_fail(-1, CMD, "%s", why);
        goto done;
    }
    if (strcmp(data_name, "synthetic") == 0 && o.data == GF_DATA_AUTO && !o.c.quiet)
        fprintf(stderr, "gradflow degrade: Fashion-MNIST is not installed in %s; training on "
                        "the built-in synthetic set (apt-get install dataset-fashion-mnist for "
                        "the real one)\n",
                o.data_dir);
    if (gf_make_dirs(o.c.out) != 0) {
        gf_cli_fail(-1, CMD, "cannot use output folder '%s': %s", o.c.out, strerror(errno));
        goto done;
    }
    gf_arch archs[GF_ARCH_COUNT];
    for (int a = 0; a < o.c.n_archs; a++)
        archs[a] = (gf_arch)o.c.archs[a];
    progress_ctx prog = {.epochs = o.train.epochs};
    gf_progress_begin(&prog.bar, "degrade");
    const gf_degrade_spec spec = {
        .base = o.c.cfg, .archs = archs, .n_archs = o.c.n_archs, .depths = o.depths,
        .n_depths = o.n_depths, .seeds = (int)o.c.seeds, .seed0 = o.c.seed, .train = o.train,
        .train_set = &train, .test_set = &test, .data_name = data_name, .out = o.c.out,
        .checkpoints = 1, .resume = o.resume, .on_run = on_run, .on_step = on_step, .ctx = &prog};
    const int rc = gf_degrade_run_all(&spec, &res, why, sizeof why);
    gf_progress_end(&prog.bar);
    for (int i = 0; i < res.n_runs; i++)
        if (res.runs[i].failed)
            gf_cli_fail(-1, CMD, "%s seed %ld: %s", res.runs[i].name, res.runs[i].seed,
                        res.runs[i].why);
    if (rc != 0) {
        gf_cli_fail(-1, CMD, "%s", why);
        goto done;
    }
    if (gf_degrade_write(&res, o.c.out, why, sizeof why) != 0) {
        gf_cli_fail(-1, CMD, "%s", why);
        goto done;
    }
    describe(m, &res, &o);
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.json", o.c.out);
    if (gf_manifest_write(m, path, res.wall_seconds) != 0) {
        gf_cli_fail(-1, CMD, "cannot write %s: %s", path, strerror(errno));
        goto done;
    }
    int drawn = 0;
    if (degrade_figures(&res, &o, &drawn) != 0)
        goto done;
    if (!o.c.quiet)
        degrade_summary(&res, &o, drawn);
    status = res.any_failed ? GF_EXIT_RUNTIME : GF_EXIT_OK;
done:
    json_decref(m);
    gf_degrade_release(&res);
    gf_dataset_release(&train);
    gf_dataset_release(&test);
    return status;
}
