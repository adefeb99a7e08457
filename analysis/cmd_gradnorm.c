/* cmd_gradnorm.c: gradflow gradnorm, the per-depth gradient norm at initialization. */
#include "cli.h"
#include "commands.h"

#include "gradflow.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

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
        "      --seed N          first seed                               [1]\n"
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
    gf_stack_config cfg;
    int archs[GF_ARCH_COUNT], n_archs;
    long seeds, seed, batch, samples;
    int bn_eval, term_dumb, no_plot, quiet;
    const char *out, *save;
} options;

static int parse(int argc, char **argv, options *o)
{
    enum { O_INIT = 256, O_NORM, O_ACT, O_ZERO, O_BNEVAL, O_SEED, O_INDIM, O_SAMPLES, O_SAVE,
           O_TERM, O_NOPLOT };
    static const struct option longopts[] = {
        {"arch", required_argument, 0, 'a'},   {"depth", required_argument, 0, 'd'},
        {"width", required_argument, 0, 'w'},  {"batch", required_argument, 0, 'b'},
        {"init", required_argument, 0, O_INIT}, {"norm", required_argument, 0, O_NORM},
        {"act", required_argument, 0, O_ACT},  {"zero-init-residual", no_argument, 0, O_ZERO},
        {"bn-eval", no_argument, 0, O_BNEVAL}, {"seeds", required_argument, 0, 's'},
        {"seed", required_argument, 0, O_SEED}, {"input-dim", required_argument, 0, O_INDIM},
        {"samples", required_argument, 0, O_SAMPLES}, {"out", required_argument, 0, 'o'},
        {"save", required_argument, 0, O_SAVE}, {"term", required_argument, 0, O_TERM},
        {"no-plot", no_argument, 0, O_NOPLOT}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},         {"version", no_argument, 0, 'V'},
        {0, 0, 0, 0},
    };
    *o = (options){.cfg = gf_stack_config_default(), .archs = {GF_ARCH_PLAIN, GF_ARCH_RESNET,
                   GF_ARCH_PREACT}, .n_archs = 3, .seeds = 5, .seed = 1, .batch = 64,
                   .samples = 4096, .out = "runs/gradnorm"};
    long v;
    int c, k;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":a:d:w:b:s:o:qhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'a':
            if ((o->n_archs = gf_cli_choices(CMD, "--arch", optarg, gf_arch_names, o->archs,
                                             GF_ARCH_COUNT)) < 0)
                return -1;
            break;
        case 'd':
            if (gf_cli_int(CMD, "--depth", optarg, 1, 100000, &v) != 0)
                return -1;
            if (v < 4 || v % 2) {
                gf_cli_fail(GF_EXIT_USAGE, CMD,
                            "--depth: %ld is not of the form 2B + 2 with B >= 1 blocks of two "
                            "layers (e.g. 20, 56, 110)",
                            v);
                return -1;
            }
            o->cfg.depth = (int)v;
            break;
        case 'w':
            if (gf_cli_int(CMD, "--width", optarg, 1, 65536, &v) != 0)
                return -1;
            o->cfg.width = (size_t)v;
            break;
        case 'b':
            if (gf_cli_int(CMD, "--batch", optarg, 2, 1 << 20, &v) != 0)
                return -1;
            o->batch = v;
            break;
        case O_INIT:
            if ((k = gf_cli_choice(CMD, "--init", optarg, gf_init_names)) < 0)
                return -1;
            o->cfg.init = (gf_init)k;
            break;
        case O_NORM:
            if ((k = gf_cli_choice(CMD, "--norm", optarg, gf_norm_names)) < 0)
                return -1;
            o->cfg.norm = (gf_norm)k;
            break;
        case O_ACT:
            if ((k = gf_cli_choice(CMD, "--act", optarg, gf_act_names)) < 0)
                return -1;
            o->cfg.act = (gf_act)k;
            break;
        case O_ZERO:
            o->cfg.zero_branch = 1;
            break;
        case O_BNEVAL:
            o->bn_eval = 1;
            break;
        case 's':
            if (gf_cli_int(CMD, "--seeds", optarg, 1, 10000, &o->seeds) != 0)
                return -1;
            break;
        case O_SEED:
            if (gf_cli_int(CMD, "--seed", optarg, 0, 2147483647L, &o->seed) != 0)
                return -1;
            break;
        case O_INDIM:
            if (gf_cli_int(CMD, "--input-dim", optarg, 1, 1 << 20, &v) != 0)
                return -1;
            o->cfg.in_dim = (size_t)v;
            break;
        case O_SAMPLES:
            if (gf_cli_int(CMD, "--samples", optarg, 2, 1 << 24, &o->samples) != 0)
                return -1;
            break;
        case 'o':
            o->out = optarg;
            break;
        case O_SAVE:
            o->save = optarg;
            break;
        case O_TERM:
            if (strcmp(optarg, "dumb") != 0 && strcmp(optarg, "none") != 0) {
                gf_cli_fail(GF_EXIT_USAGE, CMD, "--term: unknown '%s' (choose from dumb, none)",
                            optarg);
                return -1;
            }
            o->term_dumb = strcmp(optarg, "dumb") == 0;
            break;
        case O_NOPLOT:
            o->no_plot = 1;
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 'h':
            help();
            return 1;
        case 'V':
            printf("gradflow %s\n", GF_VERSION);
            return 1;
        case ':':
            gf_cli_fail(GF_EXIT_USAGE, CMD, "%s needs a value", argv[optind - 1]);
            return -1;
        default:
            gf_cli_fail(GF_EXIT_USAGE, CMD, "unknown option '%s' (see gradflow gradnorm --help)",
                        argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        gf_cli_fail(GF_EXIT_USAGE, CMD, "unexpected argument '%s'", argv[optind]);
        return -1;
    }
    if (o->batch > o->samples) {
        gf_cli_fail(GF_EXIT_USAGE, CMD, "--batch %ld is larger than --samples %ld", o->batch,
                    o->samples);
        return -1;
    }
    if (!*o->out || (o->save && !*o->save)) {
        gf_cli_fail(GF_EXIT_USAGE, CMD, "--out and --save need a non-empty path");
        return -1;
    }
    return 0;
}

static const char *verdict(double decades)
{
    return decades < -1.0 ? "vanishes toward the input"
           : decades > 1.0 ? "grows toward the input"
                           : "stays level (within one decade)";
}

/* What the numbers say, in words: one line per architecture whose verdict
 * needs explaining. */
static void reading(const gf_gradnorm_result *res)
{
    const int B = res->blocks;
    for (int a = 0; a < res->spec.n_archs; a++) {
        double first, last, lo, hi, theory = 0.0;
        gf_gradnorm_block_stats(res, a, 0, &first, &lo, &hi);
        gf_gradnorm_block_stats(res, a, B, &last, &lo, &hi);
        for (int l = 0; l < B; l++)
            theory += res->theory[a * B + l];
        const double d = first - last, per_block = d / B;
        const char *name = gf_arch_names[res->spec.archs[a]];
        if (res->spec.archs[a] == GF_ARCH_PLAIN && isnan(theory))
            printf("  %s: %+.2f decades; %s.\n", name, d, res->theory_why[a]);
        else if (res->spec.archs[a] == GF_ARCH_PLAIN && !isnan(theory))
            printf("  %s: the product of %d per-block gains of 10^%+.3f predicts %+.2f decades; "
                   "measured %+.2f.%s\n",
                   name, B, theory / B, theory, d,
                   fabs(theory / B) < 0.01 ? "\n    Per-layer gain 1: this init keeps the "
                                             "plain stack from vanishing at initialization."
                                           : "");
        else if (res->spec.archs[a] != GF_ARCH_PLAIN && d > 1.0)
            printf("  %s: grows %+.3f decades per block toward the input: dL/dx_l = s + J_F^T s "
                   "adds the branch's\n    gradient to the skip's at every block; the +1 keeps "
                   "it from vanishing but does not normalize it.\n",
                   name, per_block);
        else if (res->spec.archs[a] != GF_ARCH_PLAIN)
            printf("  %s: level within one decade over %d blocks: the identity path carries the "
                   "gradient (the \"+1\").\n",
                   name, B);
    }
}

/* Per architecture: decades between x_B and x_0, measured and (plain) predicted. */
static void summary(const gf_gradnorm_result *res, const options *o)
{
    const int B = res->blocks;
    printf("gradflow gradnorm: depth %d (B = %d blocks), width %zu, batch %ld, init %s, norm %s, "
           "act %s, %ld seed%s\n",
           o->cfg.depth, B, o->cfg.width, o->batch, gf_init_names[o->cfg.init],
           gf_norm_names[o->cfg.norm], gf_act_names[o->cfg.act], o->seeds,
           o->seeds > 1 ? "s" : "");
    printf("  %-8s %13s %13s %16s %14s  %s\n", "arch", "||dL/dx_B||", "||dL/dx_0||",
           "decades x_B->x_0", "theory", "verdict");
    for (int a = 0; a < res->spec.n_archs; a++) {
        double first, last, lo, hi;
        gf_gradnorm_block_stats(res, a, 0, &first, &lo, &hi);
        gf_gradnorm_block_stats(res, a, B, &last, &lo, &hi);
        double theory = 0.0;
        for (int l = 0; l < B; l++)
            theory += res->theory[a * B + l];
        char tb[32], fb[32], lb[32];
        gf_format_pow2(fb, sizeof fb, first / 0.30102999566398119521);
        gf_format_pow2(lb, sizeof lb, last / 0.30102999566398119521);
        if (isnan(theory))
            snprintf(tb, sizeof tb, "n/a");
        else
            snprintf(tb, sizeof tb, "%+.2f", theory);
        printf("  %-8s %13.4s%s %13.4s%s %+16.2f %14s  %s\n", gf_arch_names[res->spec.archs[a]],
               lb, strchr(lb, 'e'), fb, strchr(fb, 'e'), first - last, tb,
               verdict(first - last));
    }
    printf("  (geometric means over seeds; a decade is a factor of 10; theory: product of the\n"
           "   per-layer gains fan_in * Var(w) * E[act'(h)^2], plain stacks without norm)\n");
    reading(res);
}

/* The log10 range of every curve in the figure (mean, band, theory). */
static void data_range(const gf_gradnorm_result *res, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t i = 0; i < res->n_probes; i++)
        if (res->probe[i].rec.kind == GF_PROBE_BLOCK && isfinite(res->probe[i].rec.log2_frob)) {
            const double v = res->probe[i].rec.log2_frob * 0.30102999566398119521;
            *lo = fmin(*lo, v);
            *hi = fmax(*hi, v);
        }
    for (int a = 0; a < res->spec.n_archs; a++) {
        double anchor, mn, mx, t;
        gf_gradnorm_block_stats(res, a, res->blocks, &anchor, &mn, &mx);
        t = anchor;
        for (int l = res->blocks - 1; l >= 0 && !isnan(res->theory[a * res->blocks + l]); l--) {
            t += res->theory[a * res->blocks + l];
            *lo = fmin(*lo, t);
            *hi = fmax(*hi, t);
        }
    }
}

static void split_range(const gf_gradnorm_result *res, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t i = 0; i < res->n_probes; i++) {
        const gf_probe_record *r = &res->probe[i].rec;
        if (!r->has_split)
            continue;
        if (isfinite(r->log2_skip)) {
            *lo = fmin(*lo, r->log2_skip * 0.30102999566398119521);
            *hi = fmax(*hi, r->log2_skip * 0.30102999566398119521);
        }
        if (isfinite(r->log2_branch)) {
            *lo = fmin(*lo, r->log2_branch * 0.30102999566398119521);
            *hi = fmax(*hi, r->log2_branch * 0.30102999566398119521);
        }
    }
}

/* Draw one figure; a missing gnuplot is a warning (once), other failures are errors. */
static int draw(const char *dir, const char *name, gf_plot_body body, const void *ctx,
                int *warned)
{
    char why[512];
    const int rc = gf_plot_figure(dir, name, body, ctx, why, sizeof why);
    if (rc == 1 && !*warned) {
        gf_cli_warn(CMD, "%s", why);
        *warned = 1;
    }
    if (rc < 0)
        return gf_cli_fail(GF_EXIT_RUNTIME, CMD, "%s", why);
    return 0;
}

int cmd_gradnorm(int argc, char **argv)
{
    options o;
    const int p = parse(argc, argv, &o);
    if (p != 0)
        return p > 0 ? GF_EXIT_OK : GF_EXIT_USAGE;
    char why[512];
    if (gf_stack_config_check(&o.cfg, why, sizeof why) != 0)
        return gf_cli_fail(GF_EXIT_USAGE, CMD, "%s", why);
    if (gf_make_dirs(o.out) != 0)
        return gf_cli_fail(GF_EXIT_RUNTIME, CMD, "cannot use output folder '%s': %s", o.out,
                           strerror(errno));
    const double t0 = gf_cli_now();
    gf_dataset data;
    if (gf_synthetic_make(&data, (size_t)o.samples, o.cfg.in_dim, o.cfg.classes, 1.5, 0) != 0)
        return gf_cli_fail(GF_EXIT_RUNTIME, CMD, "out of memory making the synthetic set");

    gf_arch archs[GF_ARCH_COUNT];
    for (int i = 0; i < o.n_archs; i++)
        archs[i] = (gf_arch)o.archs[i];
    gf_progress prog;
    gf_progress_begin(&prog, "gradnorm: runs");
    const gf_gradnorm_spec spec = {.base = o.cfg, .archs = archs, .n_archs = o.n_archs,
                                   .seeds = (int)o.seeds, .seed0 = (unsigned long)o.seed,
                                   .batch = (size_t)o.batch, .bn_eval = o.bn_eval, .data = &data,
                                   .save = o.save, .progress = gf_progress_update,
                                   .progress_ctx = &prog};
    gf_gradnorm_result res;
    const int rc = gf_gradnorm_run(&spec, &res, why, sizeof why);
    gf_progress_end(&prog);
    gf_dataset_release(&data);
    if (rc != 0)
        return gf_cli_fail(GF_EXIT_RUNTIME, CMD, "%s", why);
    int status = GF_EXIT_OK;
    if (gf_gradnorm_write(&res, o.out, why, sizeof why) != 0) {
        status = gf_cli_fail(GF_EXIT_RUNTIME, CMD, "%s", why);
        goto done;
    }

    const char *names[GF_ARCH_COUNT], *res_names[GF_ARCH_COUNT];
    int theory[GF_ARCH_COUNT], n_res = 0;
    for (int a = 0; a < o.n_archs; a++) {
        names[a] = gf_arch_names[archs[a]];
        theory[a] = !isnan(res.theory[a * res.blocks]);
        if (archs[a] != GF_ARCH_PLAIN)
            res_names[n_res++] = names[a];
    }
    char title[256], subtitle[256];
    snprintf(title, sizeof title,
             "Gradient norm per depth at initialization: %d layers (%d blocks)",
             o.cfg.depth, res.blocks);
    snprintf(subtitle, sizeof subtitle,
             "width %zu, batch %ld, init %s, norm %s, act %s, %ld seeds; loss = mean cross-entropy",
             o.cfg.width, o.batch, gf_init_names[o.cfg.init], gf_norm_names[o.cfg.norm],
             gf_act_names[o.cfg.act], o.seeds);
    gf_fig_gradnorm fig = {.title = title, .subtitle = subtitle, .archs = names, .theory = theory,
                           .n_archs = o.n_archs, .xmax = res.blocks};
    data_range(&res, &fig.ymin, &fig.ymax);
    char split_title[256];
    snprintf(split_title, sizeof split_title,
             "Skip / branch split of dL/dx_l per residual block: %d layers, init %s, norm %s",
             o.cfg.depth, gf_init_names[o.cfg.init], gf_norm_names[o.cfg.norm]);
    gf_fig_gradnorm split = {.title = split_title, .archs = res_names, .n_archs = n_res,
                             .xmax = res.blocks - 1};
    split_range(&res, &split.ymin, &split.ymax);

    json_t *m = gf_manifest_new(CMD, argc, argv);
    json_t *seeds = json_array();
    for (long k = 0; k < o.seeds; k++)
        json_array_append_new(seeds, json_integer(o.seed + k));
    json_t *arch_list = json_array();
    for (int a = 0; a < o.n_archs; a++)
        json_array_append_new(arch_list, json_string(names[a]));
    json_object_set_new(m, "settings",
        json_pack("{s:o, s:i, s:i, s:I, s:I, s:I, s:I, s:s, s:s, s:s, s:b, s:s, s:f, s:f, s:I, "
                  "s:s, s:s}",
                  "arch", arch_list, "depth", o.cfg.depth, "blocks", res.blocks, "width",
                  (json_int_t)o.cfg.width, "batch", (json_int_t)o.batch, "input_dim",
                  (json_int_t)o.cfg.in_dim, "classes", (json_int_t)o.cfg.classes, "init",
                  gf_init_names[o.cfg.init], "norm", gf_norm_names[o.cfg.norm], "act",
                  gf_act_names[o.cfg.act], "zero_init_residual", o.cfg.zero_branch,
                  "batchnorm_statistics", o.bn_eval ? "running (eval)" : "batch (train)",
                  "bn_momentum", o.cfg.bn_momentum, "eps", o.cfg.eps, "samples",
                  (json_int_t)o.samples, "data", "synthetic Gaussian mixture, separation 1.5, "
                  "data seed 0, standardized", "loss", "mean softmax cross-entropy"));
    json_object_set_new(m, "seeds", seeds);
    json_object_set_new(m, "seed_use", json_string("seed k initializes the weights, then draws "
                                                   "the batch, from one mt19937 stream"));
    char path[4096];
    if (gf_path_join(path, sizeof path, o.out, "manifest.json") != 0 ||
        gf_manifest_write(m, path, gf_cli_now() - t0) != 0) {
        json_decref(m);
        status = gf_cli_fail(GF_EXIT_RUNTIME, CMD, "cannot write %s/manifest.json: %s", o.out,
                             strerror(errno));
        goto done;
    }
    json_decref(m);

    int warned = 0;
    if (o.no_plot) {
        if (gf_plot_script(o.out, "gradnorm", gf_fig_gradnorm_body, &fig, why, sizeof why) != 0 ||
            (n_res > 0 &&
             gf_plot_script(o.out, "split", gf_fig_split_body, &split, why, sizeof why) != 0)) {
            status = gf_cli_fail(GF_EXIT_RUNTIME, CMD, "%s", why);
            goto done;
        }
    } else {
        if (draw(o.out, "gradnorm", gf_fig_gradnorm_body, &fig, &warned) != 0 ||
            (n_res > 0 && draw(o.out, "split", gf_fig_split_body, &split, &warned) != 0)) {
            status = GF_EXIT_RUNTIME;
            goto done;
        }
        if (o.term_dumb && !warned) {
            const int t = gf_plot_terminal(o.out, gf_fig_gradnorm_body, &fig, 100, 32, why,
                                           sizeof why);
            if (t < 0) {
                status = gf_cli_fail(GF_EXIT_RUNTIME, CMD, "%s", why);
                goto done;
            }
        }
    }
    if (!o.quiet) {
        summary(&res, &o);
        const int drawn = !o.no_plot && !warned;
        printf("  wrote %s/{gradnorm,gradnorm_mean,probes,params%s}.tsv, manifest.json, %s%s%s\n",
               o.out, n_res ? ",split_mean" : "", drawn ? "gradnorm.png/.svg/.gp" : "gradnorm.gp",
               n_res ? (drawn ? ", split.png/.svg/.gp" : ", split.gp") : "",
               drawn ? "" : " (nothing drawn)");
    }
done:
    gf_gradnorm_release(&res);
    return status;
}
