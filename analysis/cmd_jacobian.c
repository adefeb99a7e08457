/* cmd_jacobian.c: gradflow jacobian, the singular values of the Jacobians of
 * the stacks at one input: the block J_l and the end-to-end dx_B/dx_l. */
#include "cli.h"
#include "commands.h"
#include "jacobian_report.h"
#include "options.h"

#include "gradflow.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char CMD[] = "jacobian";

enum { MAX_SPECTRA = 64, WARMUP_BATCH = 64 };

static void help(void)
{
    printf(
        "Usage: gradflow jacobian [OPTIONS]\n\n"
        "Builds each architecture at initialization, takes one sample of the built-in synthetic\n"
        "set per seed and computes at it, with the engine's vector-Jacobian products, every\n"
        "block Jacobian J_l = dx_{l+1}/dx_l and every end-to-end Jacobian dx_B/dx_l (batch norm\n"
        "in evaluation mode: a per-sample Jacobian). Up to width %d every singular value of\n"
        "every Jacobian is computed (GSL's bidiagonalization, then bisection); above, only the\n"
        "largest, by power iteration, and the smallest is not available (n/a, nan in the TSVs).\n"
        "Writes into the run folder: jacobian.tsv, jacobian_mean.tsv, spectra.tsv, manifest.json,\n"
        "jacobian_depth.png/.svg/.gp, jacobian_density.png/.svg/.gp and\n"
        "block_spectra.png/.svg/.gp (the last two and spectra.tsv need the full spectra).\n\n"
        "Options:\n"
        "  -a, --arch LIST       architectures: plain, resnet, preact    [plain,resnet,preact]\n"
        "  -d, --depth N         weight layers, 2B + 2 (B blocks of two Linear)    [56]\n"
        "  -w, --width N         features in every block (full spectra up to %d) [128]\n"
        "      --init NAME       torch, he, xavier, lecun, orthogonal     [torch]\n"
        "      --norm NAME       none, batch, layer                       [none]\n"
        "      --act NAME        relu, tanh, linear                       [relu]\n"
        "      --zero-init-residual  zero the last layer of each residual branch\n"
        "      --bn-warmup N     with --norm batch: the running statistics from N training-mode\n"
        "                        passes of %d samples (their plain average); 0 keeps the\n"
        "                        initial ones (mean 0, variance 1), with which eval-mode batch\n"
        "                        norm is gamma x / sqrt(1 + eps) + beta, nearly the identity\n"
        "                        at initialization                        [20]\n"
        "      --spectra LIST    block boundaries l whose whole spectra (of dx_B/dx_l and of\n"
        "                        J_l) go into spectra.tsv, or 'all' (at most %d, spread over\n"
        "                        0..B); the density figure uses the smallest l\n"
        "                                                        [0, B/4, B/2, 3B/4, B-1]\n"
        "  -s, --seeds N         seeds per architecture (weights, sample) [5]\n"
        "      --seed N          first seed, at least 1                   [1]\n"
        "      --input-dim N     features of the synthetic inputs         [32]\n"
        "      --samples N       size of the synthetic set                [4096]\n"
        "  -o, --out DIR         run folder                               [runs/jacobian]\n"
        "      --term TERM       also draw the per-depth figure in the terminal: dumb [none]\n"
        "      --no-plot         write the data and .gp scripts, draw nothing\n"
        "  -q, --quiet           no summary on stdout\n"
        "  -h, --help            this help\n"
        "  -V, --version         the version\n\n"
        "The numerical rank counts singular values above d * eps * sigma_max. A ReLU unit that\n"
        "is off zeroes a row of J: plain and resnet (post-activation) ReLU Jacobians are then\n"
        "exactly singular, their condition number is infinite (inf), and condition_range =\n"
        "sigma_max / (smallest nonzero sigma) describes the directions that survive.\n"
        "Exit status: 0 success (also when gnuplot is missing: a warning says how to draw\n"
        "later), 1 runtime failure (unwritable folder, a forward pass that overflows), 2 usage\n"
        "error (nothing is written).\n",
        GF_JACOBIAN_FULL_MAX, GF_JACOBIAN_FULL_MAX, WARMUP_BATCH, MAX_SPECTRA);
}

typedef struct options {
    cli_common c;
    long samples, bn_warmup;
    int bn_warmup_set;
    int spectra[MAX_SPECTRA], n_spectra; /* 0: the default list */
    int spectra_all;
} options;

static int parse_level(const char *cmd, const char *opt, const char *item, void *out)
{
    long v;
    if (cli_int(cmd, opt, item, 0, 1000000, &v) != 0)
        return -1;
    *(int *)out = (int)v;
    return 0;
}

static int parse(int argc, char **argv, options *o)
{
    enum { O_INDIM = CLI_OPT_OWN, O_SAMPLES, O_WARMUP, O_SPECTRA };
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        {"depth", required_argument, 0, 'd'},         {"input-dim", required_argument, 0, O_INDIM},
        {"samples", required_argument, 0, O_SAMPLES}, {"bn-warmup", required_argument, 0, O_WARMUP},
        {"spectra", required_argument, 0, O_SPECTRA}, {0, 0, 0, 0},
    };
    *o = (options){.c = {.cfg = gf_stack_config_default(), .archs = {GF_ARCH_PLAIN,
                   GF_ARCH_RESNET, GF_ARCH_PREACT}, .n_archs = 3, .seeds = 5, .seed = 1,
                   .out = "runs/jacobian"}, .samples = 4096, .bn_warmup = 20};
    long v;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "d:", longopts, NULL)) != -1) {
        const int r = cli_common_option(CMD, c, optarg, argv, &o->c, help);
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
        case O_INDIM:
            bad = cli_int(CMD, "--input-dim", optarg, 1, 1 << 20, &v) != 0;
            o->c.cfg.in_dim = (size_t)v;
            break;
        case O_SAMPLES:
            bad = cli_int(CMD, "--samples", optarg, 2, 1 << 24, &o->samples) != 0;
            break;
        case O_WARMUP:
            bad = cli_int(CMD, "--bn-warmup", optarg, 0, 100000, &o->bn_warmup) != 0;
            o->bn_warmup_set = 1;
            break;
        default: /* O_SPECTRA */
            o->spectra_all = strcmp(optarg, "all") == 0;
            o->n_spectra = 0;
            if (!o->spectra_all)
                bad = (o->n_spectra = cli_list(CMD, "--spectra", optarg, MAX_SPECTRA,
                                                  parse_level, o->spectra,
                                                  sizeof *o->spectra)) < 0;
            break;
        }
        if (bad)
            return -1;
    }
    if (cli_common_finish(CMD, argc, argv, &o->c) != 0)
        return -1;
    if (o->bn_warmup_set && o->c.cfg.norm != GF_NORM_BATCH) {
        cli_fail(CLI_EXIT_USAGE, CMD, "--bn-warmup sets batch norm's statistics: it needs "
                    "--norm batch");
        return -1;
    }
    if ((size_t)o->samples < WARMUP_BATCH && o->c.cfg.norm == GF_NORM_BATCH && o->bn_warmup > 0) {
        cli_fail(CLI_EXIT_USAGE, CMD, "--samples %ld is smaller than a warm-up batch (%d)",
                    o->samples, WARMUP_BATCH);
        return -1;
    }
    return 0;
}

/* The block boundaries whose spectra are kept: checked against B, sorted,
 * or the default 0, B/4, B/2, 3B/4, B-1 (without repeats). 0, or -1 after a
 * usage message. */
static int spectra_levels(options *o, int B)
{
    if (o->spectra_all) { /* every level, or MAX_SPECTRA of them spread evenly over 0..B */
        o->n_spectra = B + 1 <= MAX_SPECTRA ? B + 1 : MAX_SPECTRA;
        for (int i = 0; i < o->n_spectra; i++)
            o->spectra[i] = B + 1 <= MAX_SPECTRA ? i
                                                 : (int)lround((double)i * B / (MAX_SPECTRA - 1));
        return 0;
    }
    if (o->n_spectra == 0) {
        const int want[5] = {0, B / 4, B / 2, (3 * B) / 4, B - 1};
        for (int i = 0; i < 5; i++)
            if (o->n_spectra == 0 || want[i] != o->spectra[o->n_spectra - 1])
                o->spectra[o->n_spectra++] = want[i];
        return 0;
    }
    for (int i = 0; i < o->n_spectra; i++) {
        if (o->spectra[i] > B) {
            cli_fail(CLI_EXIT_USAGE, CMD, "--spectra: %d is beyond the last block boundary "
                        "(B = %d at depth %d)", o->spectra[i], B, o->c.cfg.depth);
            return -1;
        }
        for (int j = 0; j < i; j++)
            if (o->spectra[i] == o->spectra[j]) {
                cli_fail(CLI_EXIT_USAGE, CMD, "--spectra: %d is listed twice", o->spectra[i]);
                return -1;
            }
    }
    for (int i = 1; i < o->n_spectra; i++) /* insertion sort: a few entries */
        for (int j = i; j > 0 && o->spectra[j] < o->spectra[j - 1]; j--) {
            const int t = o->spectra[j];
            o->spectra[j] = o->spectra[j - 1];
            o->spectra[j - 1] = t;
        }
    return 0;
}

/* A rough upper bound of the memory a run needs: the tape of the end-to-end
 * pass (d copies of the sample: at most 8 nodes a block, values and
 * gradients), every Jacobian of one seed, the kept spectra, the data set. */
static double bytes_needed(const options *o)
{
    const double d = (double)o->c.cfg.width, B = (double)gf_stack_blocks(&o->c.cfg);
    const double runs = (double)o->c.n_archs * (double)o->c.seeds;
    const double tape = d * d * (16.0 * B + 4.0), jac = d * d * (2.0 * B + 1.0);
    const double spectra = d <= GF_JACOBIAN_FULL_MAX ? runs * (2.0 * B + 1.0) * d : 0.0;
    return 8.0 * (tape + jac + spectra + (double)o->samples * ((double)o->c.cfg.in_dim + 1.0));
}

static int fits_in_memory(const options *o)
{
    const double need = bytes_needed(o);
    const double have = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    if (have > 0 && need > 0.8 * have) {
        cli_fail(CLI_EXIT_USAGE, CMD, "this run needs about %.1f GiB of memory; the machine has "
                    "%.1f GiB (reduce --depth or --width)",
                    need / 1073741824.0, have / 1073741824.0);
        return 0;
    }
    return 1;
}

static const char *batchnorm_text(const options *o, char *buf, size_t size)
{
    if (o->c.cfg.norm != GF_NORM_BATCH)
        snprintf(buf, size, "no batch norm");
    else if (o->bn_warmup == 0)
        snprintf(buf, size, "batch norm in eval mode with its initial statistics (mean 0, "
                            "variance 1)");
    else
        snprintf(buf, size, "batch norm in eval mode; running statistics: average of %ld "
                            "training-mode passes of %d samples",
                 o->bn_warmup, WARMUP_BATCH);
    return buf;
}

static void describe_run(json_t *m, const options *o, const gf_jacobian_result *res,
                         const char *bn)
{
    json_t *seeds = json_array(), *archs = json_array(), *levels = json_array();
    for (long k = 0; k < o->c.seeds; k++)
        json_array_append_new(seeds, json_integer(o->c.seed + k));
    for (int a = 0; a < res->spec.n_archs; a++)
        json_array_append_new(archs, json_string(gf_arch_names[res->spec.archs[a]]));
    for (int i = 0; i < o->n_spectra; i++)
        json_array_append_new(levels, json_integer(o->spectra[i]));
    const gf_stack_config *c = &o->c.cfg;
    json_object_set_new(m, "settings", json_pack(
        "{s:o, s:i, s:i, s:I, s:I, s:I, s:s, s:s, s:s, s:b, s:s, s:I, s:f, s:I, s:o, s:s, s:s}",
        "arch", archs, "depth", c->depth, "blocks", res->blocks, "width", (json_int_t)c->width,
        "input_dim", (json_int_t)c->in_dim, "classes", (json_int_t)c->classes, "init",
        gf_init_names[c->init], "norm", gf_norm_names[c->norm], "act", gf_act_names[c->act],
        "zero_init_residual", c->zero_branch, "batchnorm", bn, "bn_warmup",
        (json_int_t)(c->norm == GF_NORM_BATCH ? o->bn_warmup : 0), "eps", c->eps, "samples",
        (json_int_t)o->samples, "spectra_levels", levels, "data",
        "synthetic Gaussian mixture, separation 1.5, data seed 0, standardized; one sample "
        "per seed", "jacobians", "gf_jacobians_compute: batched vector-Jacobian products "
        "seeded with the identity, batch norm in eval mode"));
    json_object_set_new(m, "singular_values", json_pack(
        "{s:s, s:s, s:s}", "method", res->full
            ? "all: GSL Householder bidiagonalization (gsl_linalg_bidiag_decomp), then "
              "bisection on the bidiagonal's Golub-Kahan form (gf_singular_values_fast)"
            : "largest only: power iteration on J^T J (gf_spectral_norm, relative change "
              "below 1e-9, at most 3000 iterations); a lower bound",
        "rank", "numerical rank: singular values above d * eps * sigma_max",
        "condition", "sigma_max / sigma_min; inf when numerically singular; condition_range "
        "= sigma_max / smallest singular value above the rank tolerance"));
    json_object_set_new(m, "seeds", seeds);
    json_object_set_new(m, "seed_use", json_string(
        "seed k initializes the weights, then draws the sample, then the warm-up batches, "
        "then the power iteration's start, from one mt19937 stream"));
    json_object_set_new(m, "seconds", json_pack("{s:f, s:f}", "jacobians",
                                                res->seconds_jacobians, "singular_values",
                                                res->seconds_spectra));
    json_object_set_new(m, "results", jacobian_manifest_results(res));
}

int cmd_jacobian(int argc, char **argv)
{
    options o;
    const int p = parse(argc, argv, &o);
    if (p != 0)
        return p > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    char why[512], bn[160];
    if (gf_stack_config_check(&o.c.cfg, why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_USAGE, CMD, "%s", why);
    if (spectra_levels(&o, gf_stack_blocks(&o.c.cfg)) != 0 || !fits_in_memory(&o))
        return CLI_EXIT_USAGE;
    batchnorm_text(&o, bn, sizeof bn);

    const double t0 = gf_now();
    json_t *m = gf_manifest_new(CMD, argc, argv);
    const int existed = access(o.c.out, F_OK) == 0;
    if (gf_make_dirs(o.c.out) != 0) {
        json_decref(m);
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "cannot use output folder '%s': %s", o.c.out,
                           strerror(errno));
    }
    gf_dataset data;
    gf_jacobian_result res = {0};
    int status = CLI_EXIT_OK;
    if (gf_synthetic_make(&data, (size_t)o.samples, o.c.cfg.in_dim, o.c.cfg.classes, 1.5, 0) != 0) {
        status = cli_fail(CLI_EXIT_RUNTIME, CMD, "out of memory making the synthetic set");
        goto fail;
    }
    gf_arch archs[GF_ARCH_COUNT];
    for (int i = 0; i < o.c.n_archs; i++)
        archs[i] = (gf_arch)o.c.archs[i];
    cli_progress prog;
    cli_progress_begin(&prog, "jacobian: runs");
    const gf_jacobian_spec spec = {
        .base = o.c.cfg, .archs = archs, .n_archs = o.c.n_archs, .seeds = (int)o.c.seeds,
        .seed0 = (unsigned long)o.c.seed, .data = &data,
        .bn_warmup = o.c.cfg.norm == GF_NORM_BATCH ? (int)o.bn_warmup : 0,
        .warmup_batch = WARMUP_BATCH, .spectra = o.spectra, .n_spectra = o.n_spectra,
        .progress = cli_progress_update, .progress_ctx = &prog};
    const int rc = gf_jacobian_run(&spec, &res, why, sizeof why);
    cli_progress_end(&prog);
    gf_dataset_release(&data);
    if (rc != 0) {
        status = cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
        goto fail;
    }
    char path[4096];
    if (gf_jacobian_write(&res, o.c.out, why, sizeof why) != 0) {
        status = cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
        goto done;
    }
    describe_run(m, &o, &res, bn);
    if (gf_path_join(path, sizeof path, o.c.out, "manifest.json") != 0 ||
        gf_manifest_write(m, path, gf_now() - t0) != 0) {
        status = cli_fail(CLI_EXIT_RUNTIME, CMD, "cannot write %s/manifest.json: %s", o.c.out,
                             strerror(errno));
        goto done;
    }
    const jacobian_drawing d = {.dir = o.c.out, .draw = !o.c.no_plot,
                                .terminal = o.c.term_dumb, .batchnorm = bn};
    int drawn = 0, spectral = 0;
    if (jacobian_figures(&res, &d, &drawn, &spectral) != 0) {
        status = CLI_EXIT_RUNTIME;
        goto done;
    }
    if (!o.c.quiet)
        jacobian_summary(&res, &d, drawn, spectral);
done:
    gf_jacobian_release(&res);
    json_decref(m);
    return status;
fail: /* nothing was written: leave no empty folder behind */
    json_decref(m);
    if (!existed)
        rmdir(o.c.out);
    return status;
}
