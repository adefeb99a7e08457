/* cmd_gradnorm.c: gradflow gradnorm, the per-depth gradient norm at initialization. */
#include "commands.h"
#include "gradnorm_report.h"
#include "run.h"

#include "gradflow.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char CMD[] = "gradnorm";

typedef struct options {
    cli_common c; /* first: the shared options */
    long batch, samples;
    int bn_eval;
    const char *save, *load;
} options;

static const cli_option table[] = {
    CLI_ARCH(options, "architectures: plain, resnet, preact    [plain,resnet,preact]"
                      CLI_ARCH_CNN_HELP),
    CLI_DEPTH_N(options, "weight layers, 2B + 2 (B blocks of two Linear)    [56]"),
    CLI_WIDTH(options, "features in every block                  [128]"),
    CLI_WIDTH_MULT(options),
    {CLI_INT, "batch", 'b', "N", "samples in the batch                     [64]",
     CLI_AT(options, batch), .min = 2, .max = 1 << 20},
    CLI_STACK_KIND(options),
    {CLI_FLAG, "bn-eval", 0, NULL,
     "batch norm with running statistics (default: batch statistics)", CLI_AT(options, bn_eval)},
    CLI_SEEDS(options, "seeds per architecture (weights and batch) [5]"),
    CLI_SEED(options, "first seed, at least 1                   [1]"),
    CLI_SYNTHETIC_SET(options),
    CLI_OUT(options, "run folder                               [runs/gradnorm]"),
    {CLI_STRING, "save", 0, "FILE", "also write parameters, input, labels and gradients of the\n"
     "first seed as safetensors (FILE-ARCH.safetensors for several)", CLI_AT(options, save)},
    {CLI_STRING, "load", 0, "FILE", "the weights from FILE (a gradflow export, or a PyTorch\n"
     "state_dict saved as safetensors under the same names, for the\n"
     "one --arch and the --depth/--width options given); seeds draw\n"
     "the batches only                         [weights from the seeds]",
     CLI_AT(options, load), .set = cli_set_path},
    CLI_TERM(options, "also draw in the terminal: dumb          [none]"),
    CLI_TABLE_END(options, "write the data and .gp scripts, draw nothing"),
};

static void init(void *opts)
{
    *(options *)opts =
        (options){.c = cli_stacks_at_init("runs/gradnorm"), .batch = 64, .samples = 4096};
}

/* A rough upper bound of the memory a run needs: parameters and their
 * gradients, one tape (values and gradients of every node), the data set. */
static double bytes_needed(const options *o)
{
    const double w = (double)o->c.cfg.width, in = (double)o->c.cfg.in_dim;
    const double blocks = (double)gf_stack_blocks(&o->c.cfg), n = (double)o->batch;
    const double params = in * w + w + blocks * 2.0 * (w * w + 5.0 * w) + w * 10.0 + 10.0;
    /* ~5 tensors per layer, x2 (values and gradients); MLP: w (2B + 2) */
    const double tape = n * fmax(w * (blocks * 2.0 + 2.0), cli_layer_outputs(&o->c)) * 10.0;
    return 8.0 * (2.0 * params + tape + (double)o->samples * (in + 1.0));
}

/* settings, seeds and losses for manifest.json */
static void describe(json_t *m, const void *opts, const void *result)
{
    const options *o = opts;
    const gf_gradnorm_result *res = result;
    json_t *archs = json_array(), *losses = json_object();
    for (int a = 0; a < res->spec.n_archs; a++) {
        const char *name = gf_arch_names[res->spec.archs[a]];
        json_t *l = json_array();
        for (int k = 0; k < res->spec.seeds; k++)
            json_array_append_new(l, json_real(res->loss[a * res->spec.seeds + k]));
        json_array_append_new(archs, json_string(name));
        json_object_set_new(losses, name, l);
    }
    json_object_set_new(m, "settings",
        json_pack("{s:o, s:i, s:i, s:I, s:I, s:I, s:I, s:s, s:s, s:s, s:b, s:s, s:f, s:f, s:I, "
                  "s:s, s:s}",
                  "arch", archs, "depth", o->c.cfg.depth, "blocks", res->blocks, "width",
                  (json_int_t)o->c.cfg.width, "batch", (json_int_t)o->batch, "input_dim",
                  (json_int_t)o->c.cfg.in_dim, "classes", (json_int_t)o->c.cfg.classes, "init",
                  gf_init_names[o->c.cfg.init], "norm", gf_norm_names[o->c.cfg.norm], "act",
                  gf_act_names[o->c.cfg.act], "zero_init_residual", o->c.cfg.zero_branch,
                  "batchnorm_statistics", o->bn_eval ? "running (eval)" : "batch (train)",
                  "bn_momentum", o->c.cfg.bn_momentum, "eps", o->c.cfg.eps, "samples",
                  (json_int_t)o->samples, "data", GF_SYNTH_TEXT, "loss",
                  "mean softmax cross-entropy"));
    json_object_set_new(m, "seeds", cli_seed_list(&o->c));
    json_object_set_new(m, "seed_use", json_string("seed k initializes the weights, then draws "
                                                   "the batch, from one mt19937 stream"));
    json_object_set_new(m, "loss_per_seed", losses);
}

static int check(void *opts)
{
    const options *o = opts;
    if (o->batch > o->samples)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--batch %ld is larger than --samples %ld",
                        o->batch, o->samples);
    if (o->save && !*o->save)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--out and --save need a non-empty path");
    if (o->load && o->c.n_archs != 1)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--load holds one net: give one --arch");
    if (cli_archs_check(CMD, &o->c, 0) != 0 || cli_archs_blocks(CMD, &o->c) < 0)
        return CLI_EXIT_USAGE;
    return cli_fits_in_memory(CMD, bytes_needed(o),
                              "--depth, --width, --batch or --samples");
}

CLI_RESULT(gf_gradnorm_result, gf_gradnorm_release, gf_gradnorm_write)

/* One gf_gradnorm_run over the synthetic set, with a progress line. */
static int measure(const void *opts, void *res, cli_measure *m)
{
    const options *o = opts;
    const gf_gradnorm_spec spec = {
        .base = o->c.cfg, .archs = m->run->archs, .n_archs = o->c.n_archs,
        .seeds = (int)o->c.seeds, .seed0 = (unsigned long)o->c.seed, .batch = (size_t)o->batch,
        .bn_eval = o->bn_eval, .data = &m->data, .save = o->save, .load = o->load,
        .progress = cli_progress_update, .progress_ctx = &m->progress};
    return gf_gradnorm_run(&spec, res, m->why, sizeof m->why);
}

static int figures(cli_run *r, const void *opts, void *res)
{
    const options *o = opts;
    return gradnorm_figures(r, res, &o->c.cfg, o->batch);
}

static void summary(const cli_run *r, const void *opts, const void *res)
{
    const options *o = opts;
    gradnorm_summary(res, &o->c.cfg, o->batch, r->dir, cli_run_drawn(r));
}

const cli_command cli_gradnorm = {
    .name = CMD,
    .summary = "gradient norm dL/dx_l per depth at initialization, per architecture",
    .about =
        "Builds each architecture at initialization, runs one batch of the built-in synthetic\n"
        "10-class set forward and backward (mean cross-entropy), and records ||dL/dx_l|| at every\n"
        "block boundary x_0..x_B, at the input of every Linear, the skip / branch split of\n"
        "residual blocks and every parameter's gradient norm. Writes into the run folder:\n"
        "gradnorm.tsv, gradnorm_mean.tsv, probes.tsv, params.tsv, split_mean.tsv,\n"
        "manifest.json, gradnorm.png/.svg/.gp and split.png/.svg/.gp.\n\n",
    .epilog = CLI_EPILOG_EXIT("unwritable folder, failed write"),
    .table = table, .size = sizeof(options), .init = init, .check = check,
    CLI_STEPS(gf_gradnorm_result, "gradnorm: runs", offsetof(options, samples)),
};
