/* cmd_densenet.c: gradflow densenet, ResNet against DenseNet (the syllabus'
 * section 7): cost, memory against depth, accuracy, feature reuse. */
#include "commands.h"
#include "densenet.h"

#include <stdio.h>
#include <string.h>

static const char CMD[] = "densenet";
static const char *const DENSE_NAMES[] = {"densenet", "densenet-bc", NULL};

static int set_mem_depths(const cli_arg *a, void *opts)
{
    densenet_options *o = opts;
    o->n_mem = cli_ints(CMD, a->opt, a->value, 7, 1000, o->mem_depths, GF_DENSE_MAX_DEPTHS);
    if (o->n_mem == 1) /* the curve's growth per added layer takes two points */
        return cli_fail(CLI_EXIT_USAGE, CMD, "%s: give at least two depths", a->opt);
    return o->n_mem < 0 ? CLI_EXIT_USAGE : 0;
}

static const cli_option table[] = {
    {CLI_TEXT, .help = "Networks:\n"},
    {CLI_CHOICE, "dense", 0, "NAME", "densenet, densenet-bc                    [densenet-bc]",
     CLI_AT(densenet_options, dense), .names = DENSE_NAMES},
    {CLI_INT, "depth", 'd', "L", "DenseNet depth: 3n + 4 (DenseNet), 6n + 4 (BC)  [22]",
     CLI_AT(densenet_options, depth), .min = 7, .max = 2404},
    {CLI_INT, "growth", 'k', "K", "growth rate k (new channels per layer)   [8]",
     CLI_AT(densenet_options, growth), .min = 1, .max = 4096},
    {CLI_CHOICE, "resnet", 0, "NAME",
     "the net compared: cnn-resnet, cnn-preact, cnn-plain, or an\n"
     "MLP stack (resnet, preact, plain: width 64, batch norm) [cnn-resnet]",
     CLI_AT(densenet_options, resnet), .names = gf_arch_names},
    {CLI_INT, "resnet-depth", 0, "N", "its depth, 6n + 2                        [20]",
     CLI_AT(densenet_options, resnet_depth), .min = 8, .max = 6002},
    {CLI_REAL, "width-mult", 0, "X", "cnn-resnet filters 16X, 32X, 64X         [0.5]",
     CLI_AT(densenet_options, resnet_mult), .min = 0.125, .max = 64},
    {CLI_CALL, "memory-depths", 0, "LIST",
     "DenseNet depths of the memory curve (the ResNet's: the\n"
     "largest 6n + 2 not above each)           [10,22,34,46,58]",
     .set = set_mem_depths},
    {CLI_INT, "memory-batch", 0, "N", "batch of the memory curve's step         [16]",
     CLI_AT(densenet_options, mem_batch), .min = 2, .max = 1 << 16},
    {CLI_FLAG, "quick", 0, NULL,
     "a run under a minute: 512 / 256 images, 1 epoch, DenseNet-BC\n"
     "10 (k 4) against cnn-resnet-8 (x0.25), memory depths 10,16,22\n"
     "at batch 4 (options given explicitly still count)",
     CLI_AT(densenet_options, quick)},
    CLI_TRAIN_WITH(densenet_options, "2000", "1000", "3", "64", "step", "2"),
    {CLI_TEXT, .help = "Output:\n"},
    CLI_OUT(densenet_options, "run folder                               [runs/densenet]"),
    CLI_TERM(densenet_options, "also draw the memory curve in the terminal: dumb [none]"),
    CLI_TABLE_END(densenet_options, "write the data and .gp scripts, draw nothing"),
};

/* Defaults: a few minutes on 2 cores. */
static void init(void *opts)
{
    densenet_options *o = opts;
    cli_train_defaults(&o->c, &o->t, "runs/densenet", 64, GF_NORM_BATCH, NULL, 0);
    o->c.seeds = 2;
    o->t.ntrain = 2000;
    o->t.ntest = 1000;
    o->t.train.epochs = 3;
    o->t.train.batch = 64;
    o->dense = 1;
    o->depth = 22;
    o->growth = 8;
    o->resnet = GF_ARCH_CNN_RESNET;
    o->resnet_depth = 20;
    o->resnet_mult = 0.5;
    static const int mem[] = {10, 22, 34, 46, 58};
    memcpy(o->mem_depths, mem, sizeof mem);
    o->n_mem = 5;
    o->mem_batch = 16;
}

/* --quick: smaller values wherever the option was left at its default. */
static void quicken(densenet_options *o)
{
    densenet_options d;
    memset(&d, 0, sizeof d);
    init(&d);
    CLI_QUICK(o, d, t.ntrain, 512);
    CLI_QUICK(o, d, t.ntest, 256);
    CLI_QUICK(o, d, t.train.epochs, 1);
    CLI_QUICK(o, d, depth, 10);
    CLI_QUICK(o, d, growth, 4);
    CLI_QUICK(o, d, resnet_depth, 8);
    CLI_QUICK(o, d, resnet_mult, 0.25);
    CLI_QUICK(o, d, mem_batch, 4);
    CLI_QUICK_LIST(o, d, mem_depths, n_mem, 10, 16, 22);
}

/* The shared options of net `arch` at depth. */
static gf_stack_config net_config(const densenet_options *o, gf_arch arch, int depth)
{
    gf_stack_config c = o->c.cfg;
    c.arch = arch;
    c.depth = depth;
    c.in_dim = 784; /* Fashion-MNIST's 28 x 28; the synthetic set is made to match */
    c.classes = 10;
    c.width_mult = arch == (gf_arch)o->resnet ? o->resnet_mult : (double)o->growth / 12.0;
    return c;
}

static int check(void *opts)
{
    densenet_options *o = opts;
    if (o->quick)
        quicken(o);
    if (cli_train_opts_finish(CMD, &o->t) != 0)
        return CLI_EXIT_USAGE;
    const gf_arch dense = o->dense ? GF_ARCH_DENSENET_BC : GF_ARCH_DENSENET;
    char why[256];
    gf_family_config fc;
    gf_stack_config c = net_config(o, dense, (int)o->depth);
    if (gf_arch_config(&c, &fc, why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--depth: %s", why);
    for (int i = 0; i < o->n_mem; i++) {
        c = net_config(o, dense, o->mem_depths[i]);
        if (gf_arch_config(&c, &fc, why, sizeof why) != 0)
            return cli_fail(CLI_EXIT_USAGE, CMD, "--memory-depths: %s", why);
    }
    if (o->resnet == GF_ARCH_DENSENET || o->resnet == GF_ARCH_DENSENET_BC)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--resnet: %s is not a ResNet-like net",
                        gf_arch_names[o->resnet]);
    c = net_config(o, (gf_arch)o->resnet, (int)o->resnet_depth);
    if ((o->resnet_depth - 2) % 6 != 0)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--resnet-depth %ld is not 6n + 2", o->resnet_depth);
    if (gf_arch_config(&c, &fc, why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--resnet-depth / --width-mult: %s", why);
    return 0;
}

static void release(void *result)
{
    densenet_outcome *o = result;
    gf_dense_release(&o->res);
    gf_dataset_release(&o->train);
    gf_dataset_release(&o->test);
}

static int save(const void *result, const char *dir, char *why, size_t size)
{
    const densenet_outcome *o = result;
    return gf_dense_write(&o->res, dir, why, size) != 0 ||
                   densenet_write_table(o, dir, why, size) != 0
               ? -1
               : 0;
}

static int measure(const void *opts, void *result, cli_measure *m)
{
    const densenet_options *o = opts;
    densenet_outcome *out = result;
    gf_dataset *train = &out->train, *test = &out->test;
    if (gf_data_load(o->t.data, o->t.data_dir, (size_t)o->t.ntrain, (size_t)o->t.ntest, train,
                     test, &out->data_name, m->why, sizeof m->why) != 0)
        return -1;
    if (strcmp(out->data_name, "synthetic") == 0 && o->t.data == GF_DATA_AUTO && !o->c.quiet)
        cli_warn(CMD, "Fashion-MNIST is not installed in %s; training on the built-in "
                 "synthetic set", o->t.data_dir);
    gf_train_config tc = o->t.train;
    tc.probe_every = 0;
    const gf_arch dense = o->dense ? GF_ARCH_DENSENET_BC : GF_ARCH_DENSENET;
    gf_dense_spec sp = {
        .resnet = net_config(o, (gf_arch)o->resnet, (int)o->resnet_depth),
        .dense = net_config(o, dense, (int)o->depth), .mem_depths = o->mem_depths,
        .n_mem = o->n_mem, .mem_batch = (size_t)o->mem_batch, .seeds = (int)o->c.seeds,
        .seed0 = o->c.seed, .train = tc, .train_set = train, .test_set = test,
        .progress = cli_progress_update, .progress_ctx = &m->progress};
    sp.resnet.in_dim = sp.dense.in_dim = train->dim;
    sp.resnet.classes = sp.dense.classes = train->classes;
    return gf_dense_run(&sp, &out->res, m->why, sizeof m->why);
}

static void describe(json_t *man, const void *opts, const void *result)
{
    const densenet_options *o = opts;
    const densenet_outcome *out = result;
    json_t *mem = json_array(), *nets = json_array();
    for (int i = 0; i < o->n_mem; i++)
        json_array_append_new(mem, json_integer(o->mem_depths[i]));
    for (int i = 0; i < 2; i++)
        json_array_append_new(nets, json_string(out->res.net[i].name));
    json_object_set_new(man, "settings",
                        json_pack("{s:o, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:s}", "nets",
                                  nets, "data", out->data_name, "ntrain", (json_int_t)o->t.ntrain,
                                  "ntest", (json_int_t)o->t.ntest, "epochs",
                                  (json_int_t)o->t.train.epochs, "batch",
                                  (json_int_t)o->t.train.batch, "growth", (json_int_t)o->growth,
                                  "memory_depths", mem, "memory_batch",
                                  (json_int_t)o->mem_batch, "storage_trained", "shared"));
    json_object_set_new(man, "seeds", cli_seed_list(&o->c));
}

static int figures(cli_run *r, const void *opts, void *result)
{
    (void)opts;
    return densenet_figures(r, result);
}

static void summary(const cli_run *r, const void *opts, const void *result)
{
    densenet_summary(r, opts, result);
}

const cli_command cli_densenet = {
    .name = CMD,
    .summary = "ResNet against DenseNet: parameters, FLOPs, memory, accuracy, feature reuse",
    .about =
        "Compares a convolutional ResNet (cnn-resnet, He et al.'s CIFAR net) with a DenseNet\n"
        "(Huang et al. 2017) on Fashion-MNIST: parameters; forward and backward FLOPs per\n"
        "image (2 per multiply-add of every convolution and Linear, counted from the shapes);\n"
        "the tape memory of a training step as measured (the arena's bytes) and its growth\n"
        "with depth for the DenseNet stored naively (every concatenation and its BN-ReLU kept:\n"
        "quadratic), with shared storage (Pleiss et al. 2017: linear) and for the ResNet;\n"
        "processor time per epoch; test error after the same short training over seeds; after\n"
        "training, the DenseNet's feature-reuse map (Huang et al. Fig. 5) and the gradient\n"
        "each layer sends back through each concatenated connection. The syllabus' ResNet vs\n"
        "DenseNet table is written with these numbers (table.md).\n"
        "Writes into the run folder: nets.tsv, training.tsv, memory.tsv, reuse.tsv,\n"
        "connections.tsv, table.md, manifest.json and densenet_memory, densenet_reuse,\n"
        "densenet_connections (.png/.svg/.gp).\n\n",
    .epilog =
        "The defaults take a few minutes on 2 cores. A longer setting closer to the papers:\n"
        "  gradflow densenet --ntrain 60000 --ntest 10000 --epochs 15 --seeds 3 \\\n"
        "      --depth 40 --growth 12 --resnet-depth 56 --width-mult 1\n"
        "(hours on 2 cores). A progress line is shown on a terminal.\n"
        "Exit status: 0 success (also when gnuplot is missing), 1 runtime failure (missing\n"
        "data, a diverged net, unwritable folder), 2 usage error (nothing is written).\n",
    .table = table, .size = sizeof(densenet_options), .init = init, .check = check,
    .steps = &(const cli_steps){.measure = measure, .save = save, .describe = describe,
                                .figures = figures, .summary = summary, .release = release,
                                .label = "densenet: nets", .samples_at = 0},
    .result_size = sizeof(densenet_outcome),
};
