/* cmd_gradnorm.c: gradflow gradnorm, the per-depth gradient norm at initialization. */
#include "cli.h"
#include "commands.h"
#include "gradnorm_report.h"
#include "options.h"

#include "gradflow.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char CMD[] = "gradnorm";

static void help(void)
{
    printf(
        "Usage: gradflow gradnorm [OPTIONS]\n\n"
        "Builds each architecture at initialization, runs one batch of the built-in synthetic\n"
        "10-class set forward and backward (mean cross-entropy), and records ||dL/dx_l|| at every\n"
        "block boundary x_0..x_B, at the input of every Linear, the skip / branch split of\n"
        "residual blocks and every parameter's gradient norm. Writes into the run folder:\n"
        "gradnorm.tsv, gradnorm_mean.tsv, probes.tsv, params.tsv, split_mean.tsv,\n"
        "manifest.json, gradnorm.png/.svg/.gp and split.png/.svg/.gp.\n\n"
        "Options:\n"
        "  -a, --arch LIST       architectures: plain, resnet, preact    [plain,resnet,preact]\n"
        "  -d, --depth N         weight layers, 2B + 2 (B blocks of two Linear)    [56]\n"
        "  -w, --width N         features in every block                  [128]\n"
        "  -b, --batch N         samples in the batch                     [64]\n"
        "      --init NAME       torch, he, xavier, lecun, orthogonal     [torch]\n"
        "      --norm NAME       none, batch, layer                       [none]\n"
        "      --act NAME        relu, tanh, linear                       [relu]\n"
        "      --zero-init-residual  zero the last layer of each residual branch\n"
        "      --bn-eval         batch norm with running statistics (default: batch statistics)\n"
        "  -s, --seeds N         seeds per architecture (weights and batch) [5]\n"
        "      --seed N          first seed, at least 1                   [1]\n"
        "      --input-dim N     features of the synthetic inputs         [32]\n"
        "      --samples N       size of the synthetic set                [4096]\n"
        "  -o, --out DIR         run folder                               [runs/gradnorm]\n"
        "      --save FILE       also write parameters, input, labels and gradients of the\n"
        "                        first seed as safetensors (FILE-ARCH.safetensors for several)\n"
        "      --term TERM       also draw in the terminal: dumb          [none]\n"
        "      --no-plot         write the data and .gp scripts, draw nothing\n"
        "  -q, --quiet           no summary on stdout\n"
        "  -h, --help            this help\n"
        "  -V, --version         the version\n\n"
        "Exit status: 0 success (also when gnuplot is missing: a warning says how to draw\n"
        "later), 1 runtime failure (unwritable folder, failed write), 2 usage error.\n");
}

typedef struct options {
    cli_common c;
    long batch, samples;
    int bn_eval;
    const char *save;
} options;

static int parse(int argc, char **argv, options *o)
{
    enum { O_BNEVAL = CLI_OPT_OWN, O_INDIM, O_SAMPLES, O_SAVE };
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        {"depth", required_argument, 0, 'd'},  {"batch", required_argument, 0, 'b'},
        {"bn-eval", no_argument, 0, O_BNEVAL}, {"input-dim", required_argument, 0, O_INDIM},
        {"samples", required_argument, 0, O_SAMPLES}, {"save", required_argument, 0, O_SAVE},
        {0, 0, 0, 0},
    };
    *o = (options){.c = {.cfg = gf_stack_config_default(), .archs = {GF_ARCH_PLAIN,
                   GF_ARCH_RESNET, GF_ARCH_PREACT}, .n_archs = 3, .seeds = 5, .seed = 1,
                   .out = "runs/gradnorm"}, .batch = 64, .samples = 4096};
    long v;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "d:b:", longopts, NULL)) != -1) {
        const int r = cli_common_option(CMD, c, optarg, argv, &o->c, help);
        if (r != 0) {
            if (r < 0 || r == 2)
                return r < 0 ? -1 : 1;
            continue;
        }
        switch (c) {
        case 'd':
            if (cli_depth(CMD, "--depth", optarg, &o->c.cfg.depth) != 0)
                return -1;
            break;
        case 'b':
            if (cli_int(CMD, "--batch", optarg, 2, 1 << 20, &o->batch) != 0)
                return -1;
            break;
        case O_BNEVAL:
            o->bn_eval = 1;
            break;
        case O_INDIM:
            if (cli_int(CMD, "--input-dim", optarg, 1, 1 << 20, &v) != 0)
                return -1;
            o->c.cfg.in_dim = (size_t)v;
            break;
        case O_SAMPLES:
            if (cli_int(CMD, "--samples", optarg, 2, 1 << 24, &o->samples) != 0)
                return -1;
            break;
        default: /* O_SAVE */
            o->save = optarg;
            break;
        }
    }
    if (cli_common_finish(CMD, argc, argv, &o->c) != 0)
        return -1;
    if (o->batch > o->samples) {
        cli_fail(CLI_EXIT_USAGE, CMD, "--batch %ld is larger than --samples %ld", o->batch,
                    o->samples);
        return -1;
    }
    if (o->save && !*o->save) {
        cli_fail(CLI_EXIT_USAGE, CMD, "--out and --save need a non-empty path");
        return -1;
    }
    return 0;
}

/* A rough upper bound of the memory a run needs: parameters and their
 * gradients, one tape (values and gradients of every node), the data set. */
static double bytes_needed(const options *o)
{
    const double w = (double)o->c.cfg.width, in = (double)o->c.cfg.in_dim;
    const double blocks = (double)gf_stack_blocks(&o->c.cfg), n = (double)o->batch;
    const double params = in * w + w + blocks * 2.0 * (w * w + 5.0 * w) + w * 10.0 + 10.0;
    const double tape = n * w * (blocks * 2.0 + 2.0) * 10.0; /* ~5 tensors per layer, x2 */
    return 8.0 * (2.0 * params + tape + (double)o->samples * (in + 1.0));
}

static int fits_in_memory(const options *o)
{
    const double need = bytes_needed(o);
    const double have = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    if (have > 0 && need > 0.8 * have) {
        cli_fail(CLI_EXIT_USAGE, CMD, "this run needs about %.1f GiB of memory; the machine has "
                    "%.1f GiB (reduce --depth, --width, --batch or --samples)",
                    need / 1073741824.0, have / 1073741824.0);
        return 0;
    }
    return 1;
}

/* settings, seeds and losses for manifest.json */
static void describe_run(json_t *m, const options *o, const gf_gradnorm_result *res)
{
    json_t *seeds = json_array(), *archs = json_array(), *losses = json_object();
    for (long k = 0; k < o->c.seeds; k++)
        json_array_append_new(seeds, json_integer(o->c.seed + k));
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
                  (json_int_t)o->samples, "data", "synthetic Gaussian mixture, separation 1.5, "
                  "data seed 0, standardized", "loss", "mean softmax cross-entropy"));
    json_object_set_new(m, "seeds", seeds);
    json_object_set_new(m, "seed_use", json_string("seed k initializes the weights, then draws "
                                                   "the batch, from one mt19937 stream"));
    json_object_set_new(m, "loss_per_seed", losses);
}

int cmd_gradnorm(int argc, char **argv)
{
    options o;
    const int p = parse(argc, argv, &o);
    if (p != 0)
        return p > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    char why[512];
    if (gf_stack_config_check(&o.c.cfg, why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_USAGE, CMD, "%s", why);
    if (!fits_in_memory(&o))
        return CLI_EXIT_USAGE;

    const double t0 = gf_now();
    json_t *m = gf_manifest_new(CMD, argc, argv); /* records the start time */
    const int existed = access(o.c.out, F_OK) == 0;
    if (gf_make_dirs(o.c.out) != 0) {
        json_decref(m);
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "cannot use output folder '%s': %s", o.c.out,
                           strerror(errno));
    }
    gf_dataset data;
    gf_gradnorm_result res = {0};
    int status = CLI_EXIT_OK;
    if (gf_synthetic_make(&data, (size_t)o.samples, o.c.cfg.in_dim, o.c.cfg.classes, 1.5, 0) != 0) {
        status = cli_fail(CLI_EXIT_RUNTIME, CMD, "out of memory making the synthetic set");
        goto fail;
    }
    gf_arch archs[GF_ARCH_COUNT];
    for (int i = 0; i < o.c.n_archs; i++)
        archs[i] = (gf_arch)o.c.archs[i];
    cli_progress prog;
    cli_progress_begin(&prog, "gradnorm: runs");
    const gf_gradnorm_spec spec = {.base = o.c.cfg, .archs = archs, .n_archs = o.c.n_archs,
                                   .seeds = (int)o.c.seeds, .seed0 = (unsigned long)o.c.seed,
                                   .batch = (size_t)o.batch, .bn_eval = o.bn_eval, .data = &data,
                                   .save = o.save, .progress = cli_progress_update,
                                   .progress_ctx = &prog};
    const int rc = gf_gradnorm_run(&spec, &res, why, sizeof why);
    cli_progress_end(&prog);
    gf_dataset_release(&data);
    if (rc != 0) {
        status = cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
        goto fail;
    }
    char path[4096];
    if (gf_gradnorm_write(&res, o.c.out, why, sizeof why) != 0) {
        status = cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
        goto done;
    }
    describe_run(m, &o, &res);
    if (gf_path_join(path, sizeof path, o.c.out, "manifest.json") != 0 ||
        gf_manifest_write(m, path, gf_now() - t0) != 0) {
        status = cli_fail(CLI_EXIT_RUNTIME, CMD, "cannot write %s/manifest.json: %s", o.c.out,
                             strerror(errno));
        goto done;
    }
    const gradnorm_drawing d = {.dir = o.c.out, .cfg = &o.c.cfg, .batch = o.batch,
                                .draw = !o.c.no_plot, .terminal = o.c.term_dumb};
    int drawn = 0;
    if (gradnorm_figures(&res, &d, &drawn) != 0) {
        status = CLI_EXIT_RUNTIME;
        goto done;
    }
    if (!o.c.quiet)
        gradnorm_summary(&res, &o.c.cfg, o.batch, o.c.out, drawn);
done:
    gf_gradnorm_release(&res);
    json_decref(m);
    return status;
fail: /* nothing was written: leave no empty folder behind */
    json_decref(m);
    if (!existed)
        rmdir(o.c.out);
    return status;
}
