/* cmd_jacobian.c: gradflow jacobian, the singular values of the Jacobians of
 * the stacks at one input: the block J_l and the end-to-end dx_B/dx_l. */
#include "commands.h"
#include "jacobian_report.h"

#include "gradflow.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char CMD[] = "jacobian";

#define MAX_SPECTRA 64
#define WARMUP_BATCH 64
#define FULL_MAX "512" /* GF_JACOBIAN_FULL_MAX, for the help */
#define STR_(x) #x
#define STR(x) STR_(x)
_Static_assert(GF_JACOBIAN_FULL_MAX == 512, "FULL_MAX is GF_JACOBIAN_FULL_MAX");

typedef struct options {
    cli_common c; /* first: the shared options */
    long samples, bn_warmup;
    int bn_warmup_set;
    int spectra[MAX_SPECTRA], n_spectra; /* 0: the default list */
    int spectra_all;
    const char *load;
} options;

static int set_spectra(const cli_arg *a, void *opts)
{
    options *o = opts;
    o->spectra_all = strcmp(a->value, "all") == 0;
    o->n_spectra = 0;
    if (!o->spectra_all &&
        (o->n_spectra = cli_ints(CMD, a->opt, a->value, 0, 1000000, o->spectra,
                                 MAX_SPECTRA)) < 0)
        return CLI_EXIT_USAGE;
    return 0;
}

static int set_warmup_given(const cli_arg *a, void *opts)
{
    (void)a;
    ((options *)opts)->bn_warmup_set = 1;
    return 0;
}

static const cli_option table[] = {
    CLI_ARCH(options, "architectures: plain, resnet, preact    [plain,resnet,preact]"
                      CLI_ARCH_CNN_HELP ";\nwith any of these, only the largest singular values"),
    CLI_DEPTH_N(options, "weight layers, 2B + 2 (B blocks of two Linear)    [56]"),
    CLI_WIDTH(options, "features in every block (full spectra up to " FULL_MAX ") [128]"),
    CLI_WIDTH_MULT(options),
    CLI_STACK_KIND(options),
    {CLI_INT, "bn-warmup", 0, "N",
     "with --norm batch: the running statistics from N training-mode\n"
     "passes of " STR(WARMUP_BATCH) " samples (their plain average); 0 keeps the\n"
     "initial ones (mean 0, variance 1), with which eval-mode batch\n"
     "norm is gamma x / sqrt(1 + eps) + beta, nearly the identity\n"
     "at initialization                        [20]",
     CLI_AT(options, bn_warmup), .min = 0, .max = 100000, .set = set_warmup_given},
    {CLI_CALL, "spectra", 0, "LIST",
     "block boundaries l whose whole spectra (of dx_B/dx_l and of\n"
     "J_l) go into spectra.tsv, or 'all' (at most " STR(MAX_SPECTRA) ", spread over\n"
     "0..B); the density figure uses the smallest l\n"
     "                                [0, B/4, B/2, 3B/4, B-1]", .set = set_spectra},
    CLI_SEEDS(options, "seeds per architecture (weights, sample) [5]"),
    CLI_SEED(options, "first seed, at least 1                   [1]"),
    CLI_SYNTHETIC_SET(options),
    {CLI_STRING, "load", 0, "FILE", "the weights from FILE (a gradflow export, or a PyTorch\n"
     "state_dict saved as safetensors under the same names, for the\n"
     "one --arch and the --depth/--width options given) with its\n"
     "batch-norm statistics (no warm-up); seeds draw the sample only\n"
     "                                          [weights from the seeds]",
     CLI_AT(options, load), .set = cli_set_path},
    CLI_OUT(options, "run folder                               [runs/jacobian]"),
    CLI_TERM(options, "also draw the per-depth figure in the terminal: dumb [none]"),
    CLI_TABLE_END(options, "write the data and .gp scripts, draw nothing"),
};

static void init(void *opts)
{
    *(options *)opts =
        (options){.c = cli_stacks_at_init("runs/jacobian"), .samples = 4096, .bn_warmup = 20};
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
    for (int a = 0; a < o->c.n_archs; a++)
        if (!gf_arch_is_mlp((gf_arch)o->c.archs[a])) /* matrix-free: a few passes of one sample */
            return 8.0 * (double)o->samples * ((double)o->c.cfg.in_dim + 1.0) +
                   8.0 * 64.0 * (double)o->c.cfg.in_dim * (double)(o->c.cfg.depth + 2);
    const double d = (double)o->c.cfg.width, B = (double)gf_stack_blocks(&o->c.cfg);
    const double runs = (double)o->c.n_archs * (double)o->c.seeds;
    const double tape = d * d * (16.0 * B + 4.0), jac = d * d * (2.0 * B + 1.0);
    const double spectra = d <= GF_JACOBIAN_FULL_MAX ? runs * (2.0 * B + 1.0) * d : 0.0;
    return 8.0 * (tape + jac + spectra + (double)o->samples * ((double)o->c.cfg.in_dim + 1.0));
}

/* What a run leaves for its report: the result, how batch norm's statistics
 * were set (for subtitles and the manifest), whether the spectral figures were drawn. */
typedef struct outcome {
    gf_jacobian_result res;
    char bn[160];
    int spectral;
} outcome;

static const char *batchnorm_text(const options *o, char *buf, size_t size)
{
    if (o->c.cfg.norm != GF_NORM_BATCH)
        snprintf(buf, size, "no batch norm");
    else if (o->load)
        snprintf(buf, size, "batch norm in eval mode with the running statistics of %s",
                 o->load);
    else if (o->bn_warmup == 0)
        snprintf(buf, size, "batch norm in eval mode with its initial statistics (mean 0, "
                            "variance 1)");
    else
        snprintf(buf, size, "batch norm in eval mode; running statistics: average of %ld "
                            "training-mode passes of %d samples",
                 o->bn_warmup, WARMUP_BATCH);
    return buf;
}

static void describe(json_t *m, const void *opts, const void *result)
{
    const options *o = opts;
    const gf_jacobian_result *res = &((const outcome *)result)->res;
    const char *bn = ((const outcome *)result)->bn;
    json_t *archs = json_array(), *levels = json_array();
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
        "{s:s, s:s, s:s}", "method", res->matrix_free
            ? "matrix-free (a net whose blocks change width): no Jacobian formed; the largest "
              "singular value of every block map and every end-to-end map x_l -> x_B by power "
              "iteration on J^T J (gf_jacobian_top_sv: J v by central differences, J^T u by "
              "the engine's vector-Jacobian product; relative change below 1e-6, at most "
              STR(GF_JACOBIAN_TOP_ITERS) " iterations); a lower bound. Frobenius norm, smallest "
              "singular value and rank not computed"
            : res->full
            ? "all: GSL Householder bidiagonalization (gsl_linalg_bidiag_decomp), then "
              "bisection on the bidiagonal's Golub-Kahan form (gf_singular_values_fast)"
            : "largest only: power iteration on J^T J (gf_spectral_norm, relative change "
              "below 1e-9, at most 3000 iterations); a lower bound",
        "rank", "numerical rank: singular values above d * eps * sigma_max",
        "condition", "sigma_max / sigma_min; inf when numerically singular; condition_range "
        "= sigma_max / smallest singular value above the rank tolerance"));
    if (res->matrix_free) { /* each net's block boundary widths x_0 .. x_B */
        json_t *w = json_object();
        for (int a = 0; a < res->spec.n_archs; a++) {
            json_t *l = json_array();
            for (int j = 0; j <= res->blocks; j++)
                json_array_append_new(l, json_integer((json_int_t)
                                      res->width[(size_t)a * ((size_t)res->blocks + 1) + j]));
            json_object_set_new(w, gf_arch_names[res->spec.archs[a]], l);
        }
        json_object_set_new(m, "boundary_widths", w);
        if (cli_any_cnn(&o->c))
            json_object_set_new(json_object_get(m, "settings"), "width_mult",
                                json_real(c->width_mult > 0 ? c->width_mult : 1.0));
    }
    if (o->load)
        json_object_set_new(m, "loaded_from", json_string(o->load));
    json_object_set_new(m, "seeds", cli_seed_list(&o->c));
    json_object_set_new(m, "seed_use", json_string(
        "seed k initializes the weights, then draws the sample, then the warm-up batches, "
        "then the power iteration's start, from one mt19937 stream"));
    json_object_set_new(m, "seconds", json_pack("{s:f, s:f}", "jacobians",
                                                res->seconds_jacobians, "singular_values",
                                                res->seconds_spectra));
    json_object_set_new(m, "results", jacobian_manifest_results(res));
}

static int check(void *opts)
{
    options *o = opts;
    if (cli_any_cnn(&o->c)) {
        for (int a = 0; a < o->c.n_archs; a++)
            if (gf_arch_is_mlp((gf_arch)o->c.archs[a]))
                return cli_fail(CLI_EXIT_USAGE, CMD, "--arch: the cnn archs (matrix-free) and "
                                "the MLP stacks (full spectra) go in separate runs");
        o->c.cfg.norm = GF_NORM_BATCH; /* a cnn's blocks have batch norm */
    }
    if (o->bn_warmup_set && o->c.cfg.norm != GF_NORM_BATCH)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--bn-warmup sets batch norm's statistics: it "
                        "needs --norm batch");
    if ((size_t)o->samples < WARMUP_BATCH && o->c.cfg.norm == GF_NORM_BATCH && o->bn_warmup > 0)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--samples %ld is smaller than a warm-up batch (%d)",
                        o->samples, WARMUP_BATCH);
    if (o->load && o->c.n_archs != 1)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--load holds one net: give one --arch");
    if (cli_archs_check(CMD, &o->c, 0) != 0)
        return CLI_EXIT_USAGE;
    const int B = cli_archs_blocks(CMD, &o->c);
    if (B < 0 || spectra_levels(o, B) != 0 ||
        cli_fits_in_memory(CMD, bytes_needed(o), "--depth or --width") != 0)
        return CLI_EXIT_USAGE;
    return 0;
}

/* The outcome begins with the result. */
CLI_RESULT(gf_jacobian_result, gf_jacobian_release, gf_jacobian_write)

/* One gf_jacobian_run over the synthetic set, with a progress line. */
static int measure(const void *opts, void *result, cli_measure *m)
{
    const options *o = opts;
    outcome *out = result;
    batchnorm_text(o, out->bn, sizeof out->bn);
    const gf_jacobian_spec spec = {
        .base = o->c.cfg, .archs = m->run->archs, .n_archs = o->c.n_archs, .seeds = (int)o->c.seeds,
        .seed0 = (unsigned long)o->c.seed, .data = &m->data,
        .bn_warmup = o->c.cfg.norm == GF_NORM_BATCH && !o->load ? (int)o->bn_warmup : 0,
        .load = o->load,
        .warmup_batch = WARMUP_BATCH, .spectra = o->spectra, .n_spectra = o->n_spectra,
        .progress = cli_progress_update, .progress_ctx = &m->progress};
    return gf_jacobian_run(&spec, &out->res, m->why, sizeof m->why);
}

static int figures(cli_run *r, const void *opts, void *result)
{
    outcome *out = result;
    (void)opts;
    return jacobian_figures(r, &out->res, out->bn, &out->spectral);
}

static void summary(const cli_run *r, const void *opts, const void *result)
{
    const outcome *out = result;
    (void)opts;
    jacobian_summary(&out->res, r->dir, out->bn, cli_run_drawn(r), out->spectral);
}

const cli_command cli_jacobian = {
    .name = CMD,
    .summary = "singular values of the block and end-to-end Jacobians per depth",
    .about =
        "Builds each architecture at initialization, takes one sample of the built-in synthetic\n"
        "set per seed and computes at it, with the engine's vector-Jacobian products, every\n"
        "block Jacobian J_l = dx_{l+1}/dx_l and every end-to-end Jacobian dx_B/dx_l (batch norm\n"
        "in evaluation mode: a per-sample Jacobian). Up to width " FULL_MAX " every singular value of\n"
        "every Jacobian is computed (GSL's bidiagonalization, then bisection); above, only the\n"
        "largest, by power iteration, and the smallest is not available (n/a, nan in the TSVs).\n"
        "Writes into the run folder: jacobian.tsv, jacobian_mean.tsv, spectra.tsv, manifest.json,\n"
        "jacobian_depth.png/.svg/.gp, jacobian_density.png/.svg/.gp and\n"
        "block_spectra.png/.svg/.gp (the last two and spectra.tsv need the full spectra).\n"
        "The cnn archs' blocks change width (a downsampling block maps 28x28x16 to 14x14x32),\n"
        "and their Jacobians are too large to form: with any of them in --arch the run forms\n"
        "none and finds the largest singular value of every block map and every end-to-end\n"
        "map by power iteration on J^T J (matrix-free; the manifest lists the widths).\n\n",
    .epilog =
        "The numerical rank counts singular values above d * eps * sigma_max. A ReLU unit that\n"
        "is off zeroes a row of J: plain and resnet (post-activation) ReLU Jacobians are then\n"
        "exactly singular, their condition number is infinite (inf), and condition_range =\n"
        "sigma_max / (smallest nonzero sigma) describes the directions that survive.\n"
        "Exit status: 0 success (also when gnuplot is missing: a warning says how to draw\n"
        "later), 1 runtime failure (unwritable folder, a forward pass that overflows), 2 usage\n"
        "error (nothing is written).\n",
    .table = table, .size = sizeof(options), .init = init, .check = check,
    CLI_STEPS(outcome, "jacobian: runs", offsetof(options, samples)),
};
