/* cmd_lesion.c: gradflow lesion: delete and reorder the blocks of trained
 * plain and residual nets (Veit, Wilber and Belongie 2016, Figs. 3 to 5). */
#include "cli.h"
#include "commands.h"
#include "experiment.h"
#include "lesion.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char CMD[] = "lesion";

static void help(void)
{
    printf(
        "Usage: gradflow lesion [OPTIONS]\n\n"
        "Deletes and reorders the blocks of a trained plain net and a trained residual net of\n"
        "the same depth, and measures the test error after every lesion (Veit, Wilber and\n"
        "Belongie 2016, Figs. 3 to 5):\n"
        "  - every single block deleted in turn. A deleted block is the identity,\n"
        "    x_{l+1} = x_l: a residual block loses its branch, a plain block is skipped;\n"
        "  - k random blocks deleted, k = 0..B, several draws each: mean and spread;\n"
        "  - k random pairs of blocks swapped (the blocks reordered), k = 0..B.\n"
        "The nets come from a finished `gradflow degrade` run (--from DIR), or are trained\n"
        "first with degrade's settings (SGD, lr 0.1, momentum 0.9, weight decay 1e-4, step\n"
        "schedule at 50%% and 75%%, batch 128).\n"
        "The nets are evaluated in evaluation mode: batch norm uses its running statistics.\n"
        "In a plain net the block after a deleted one then sees inputs its statistics were\n"
        "not estimated on; that is part of what is measured.\n"
        "Writes into the run folder: lesion_single.tsv, lesion_delete.tsv,\n"
        "lesion_delete_mean.tsv, lesion_swap.tsv, lesion_swap_mean.tsv, summary.txt,\n"
        "manifest.json, lesion_single.png/.svg/.gp, lesion_delete.png/.svg/.gp,\n"
        "lesion_swap.png/.svg/.gp; when it trains, also degrade's training record (curves.tsv,\n"
        "curves_mean.tsv, table.md, gradnorm_training.tsv, params_training.tsv) and\n"
        "checkpoints/NET-seedK.safetensors, so that --from with the same folder reuses them.\n\n");
    printf( /* two strings: one would pass the 4095 characters C99 promises */
        "Nets:\n"
        "      --from DIR        a `gradflow degrade` run folder (or a lesion one that trained):\n"
        "                        load DIR/checkpoints/ARCH-DEPTH-seedK.safetensors, with the\n"
        "                        net and data settings of DIR/manifest.json   [train instead]\n"
        "  -a, --arch LIST       plain, resnet, preact                    [plain,resnet]\n"
        "  -d, --depth N         weight layers, 2B + 2                    [56]\n"
        "      --seed N          the nets' seed: which checkpoint, or the training seed [1]\n"
        "Training (without --from):\n"
        "  -w, --width N         features in every block                  [64]\n"
        "      --init NAME       torch, he, xavier, lecun, orthogonal     [he]\n"
        "      --norm NAME       none, batch, layer                       [batch]\n"
        "      --act NAME        relu, tanh, linear                       [relu]\n"
        "      --zero-init-residual  zero the last layer of each residual branch\n"
        "      --data NAME       fashion, synthetic    [fashion when installed, else synthetic]\n"
        "      --ntrain N        training images                          [10000]\n"
        "  -e, --epochs N        epochs                                   [10]\n"
        "      --data-dir DIR    where the Fashion-MNIST files are (also with --from)\n"
        "                        [" GF_FASHION_DIR "]\n"
        "Lesions:\n"
        "      --ntest N         test images evaluated: the first N of the test set, never\n"
        "                        trained on (with --from: at most the run's)  [1000]\n"
        "      --draws N         random draws for every k                 [10]\n"
        "      --swaps N         largest number of swapped pairs          [B]\n"
        "      --draw-seed N     seed of the draws (the same lesions for every net)  [1]\n"
        "Output:\n"
        "  -o, --out DIR         run folder                               [runs/lesion]\n"
        "      --term TERM       also draw the k-deletions figure in the terminal: dumb [none]\n"
        "      --no-plot         write the data and .gp scripts, draw nothing\n"
        "  -q, --quiet           no summary on stdout (summary.txt is still written)\n"
        "  -h, --help            this help\n"
        "  -V, --version         the version\n\n"
        "Cost: an evaluation is one forward pass over the --ntest images, and a deleted block\n"
        "costs nothing. Per net: 1 + B single deletions, about 1 + B x draws / 2 passes for\n"
        "the random deletions, 1 + B x draws for the swaps; with the defaults (B = 27) about\n"
        "430 passes of 1000 images. A pass of 10,000 images through a 56-layer net of width 64\n"
        "takes 0.2 to 0.3 s on 2 cores, so the lesions of both nets take about 20 to 25 s;\n"
        "training the two nets first takes one to two minutes.\n"
        "A progress line is shown on a terminal.\n"
        "Exit status: 0 success, 1 runtime failure (a missing or mismatched checkpoint or\n"
        "manifest, missing data, a net that diverged in training, unwritable folder),\n"
        "2 usage error.\n");
}

/* ---- options ---------------------------------------------------------------- */

static int parse(int argc, char **argv, lesion_options *o)
{
    enum { O_FROM = CLI_OPT_OWN, O_DATA, O_DATADIR, O_NTRAIN, O_NTEST, O_DRAWS, O_SWAPS,
           O_DRAWSEED };
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        {"depth", required_argument, 0, 'd'},         {"epochs", required_argument, 0, 'e'},
        {"from", required_argument, 0, O_FROM},       {"data", required_argument, 0, O_DATA},
        {"data-dir", required_argument, 0, O_DATADIR}, {"ntrain", required_argument, 0, O_NTRAIN},
        {"ntest", required_argument, 0, O_NTEST},     {"draws", required_argument, 0, O_DRAWS},
        {"swaps", required_argument, 0, O_SWAPS},
        {"draw-seed", required_argument, 0, O_DRAWSEED}, {0, 0, 0, 0},
    };
    static const struct { int code; const char *name; } shaping[] = { /* refused with --from */
        {'w', "--width"}, {CLI_OPT_INIT, "--init"}, {CLI_OPT_NORM, "--norm"},
        {CLI_OPT_ACT, "--act"}, {CLI_OPT_ZERO, "--zero-init-residual"}, {O_DATA, "--data"},
        {O_NTRAIN, "--ntrain"}, {'e', "--epochs"},
    };
    cli_train_opts t; /* degrade's training, of which --epochs and --ntrain are options here */
    cli_train_opts_default(&t);
    gf_stack_config cfg = gf_stack_config_default();
    cfg.width = 64;
    cfg.norm = GF_NORM_BATCH;
    cfg.init = GF_INIT_HE;
    cfg.depth = 56;
    *o = (lesion_options){
        .c = {.cfg = cfg, .archs = {GF_ARCH_PLAIN, GF_ARCH_RESNET}, .n_archs = 2, .seeds = 1,
              .seed = 1, .out = "runs/lesion"},
        .depth = 56, .data = GF_DATA_AUTO, .data_dir = GF_FASHION_DIR, .ntrain = 10000,
        .ntest = 1000, .draws = 10, .swaps = -1, .draw_seed = 1, .train = t.train,
    };
    int c, k;
    long v;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "d:e:", longopts, NULL)) != -1) {
        if (c == 's')
            return cli_fail(-1, CMD, "--seeds: a lesion study takes one net per "
                                        "architecture; choose it with --seed");
        for (int i = 0; !o->train_option && i < (int)(sizeof shaping / sizeof *shaping); i++)
            if (c == shaping[i].code)
                o->train_option = shaping[i].name;
        const int r = cli_common_option(CMD, c, optarg, argv, &o->c, help);
        if (r != 0) {
            if (r < 0 || r == 2)
                return r < 0 ? -1 : 1;
            continue;
        }
        int bad = 0;
        switch (c) {
        case 'd':
            bad = cli_depth(CMD, "--depth", optarg, &o->depth) != 0;
            break;
        case 'e':
            bad = cli_int(CMD, "--epochs", optarg, 1, 100000, &v) != 0;
            o->train.epochs = (int)v;
            break;
        case O_FROM:
            o->from = optarg;
            bad = !*optarg && cli_fail(-1, CMD, "--from needs a non-empty path");
            break;
        case O_DATA:
            bad = (k = cli_choice(CMD, "--data", optarg, gf_data_names)) < 0;
            o->data = (gf_data_kind)k;
            break;
        case O_DATADIR:
            o->data_dir = optarg;
            o->data_dir_set = 1;
            bad = !*optarg && cli_fail(-1, CMD, "--data-dir needs a non-empty path");
            break;
        case O_NTRAIN:
            bad = cli_int(CMD, "--ntrain", optarg, 2, 60000, &o->ntrain) != 0;
            break;
        case O_NTEST:
            bad = cli_int(CMD, "--ntest", optarg, 1, 1 << 24, &o->ntest) != 0;
            o->ntest_set = 1;
            break;
        case O_DRAWS:
            bad = cli_int(CMD, "--draws", optarg, 1, 100000, &o->draws) != 0;
            break;
        case O_SWAPS:
            bad = cli_int(CMD, "--swaps", optarg, 0, 1000000, &o->swaps) != 0;
            break;
        default: /* O_DRAWSEED: from 1, as --seed */
            bad = cli_int(CMD, "--draw-seed", optarg, 1, 2147483647L, &o->draw_seed) != 0;
            break;
        }
        if (bad)
            return -1;
    }
    t.ntrain = o->ntrain;
    t.train.epochs = o->train.epochs;
    if (!o->from && (long)t.train.batch > o->ntrain)
        return cli_fail(-1, CMD, "--ntrain %ld is smaller than the batch (%zu)", o->ntrain,
                           t.train.batch);
    if (cli_common_finish(CMD, argc, argv, &o->c) != 0 || cli_train_opts_finish(CMD, &t) != 0)
        return -1;
    o->train = t.train;
    o->c.cfg.depth = o->depth;
    const int B = gf_stack_blocks(&o->c.cfg);
    if (o->from && o->train_option)
        return cli_fail(-1, CMD, "%s shapes the nets to train; with --from they come from "
                                    "%s/manifest.json",
                           o->train_option, o->from);
    if (o->swaps > 0 && B < 2)
        return cli_fail(-1, CMD, "--swaps: one block has nothing to swap with");
    if (o->swaps < 0)
        o->swaps = B >= 2 ? B : 0;
    return 0;
}

/* ---- the command -------------------------------------------------------------- */

typedef struct run_state {
    gf_dataset train, run_test, test;
    gf_model *net[GF_ARCH_COUNT];
    gf_lesion_result res[GF_ARCH_COUNT];
    int n_res;
    json_t *manifest;
} run_state;

static void release(run_state *s)
{
    for (int a = 0; a < GF_ARCH_COUNT; a++) {
        gf_model_free(s->net[a]);
        gf_lesion_release(&s->res[a]);
    }
    gf_dataset_release(&s->train);
    gf_dataset_release(&s->run_test);
    gf_dataset_release(&s->test);
    json_decref(s->manifest);
}

/* The data and the nets: loaded (nothing written yet), or trained into the
 * run folder. 0, or -1 after a one-line error (exit status in *status). */
static int prepare(lesion_options *o, run_state *s, lesion_source *src, int *status)
{
    char why[512];
    *status = CLI_EXIT_RUNTIME;
    if (o->from && lesion_read_run(o, src, status) != 0)
        return -1;
    *status = o->from ? CLI_EXIT_RUNTIME : CLI_EXIT_USAGE;
    if (gf_stack_config_check(&o->c.cfg, why, sizeof why) != 0)
        return cli_fail(-1, CMD, "%s", why);
    *status = CLI_EXIT_RUNTIME;
    if (gf_data_load(o->data, o->data_dir, (size_t)src->ntrain, (size_t)src->run_ntest,
                        &s->train, &s->run_test, &src->data_name, why, sizeof why) != 0)
        return cli_fail(-1, CMD, "%s", why);
    if (gf_dataset_slice(&s->test, &s->run_test, 0, (size_t)o->ntest) != 0)
        return cli_fail(-1, CMD, "out of memory");
    src->data_dir = o->data_dir;
    if (o->from)
        return lesion_load(o, o->from, s->test.dim, s->net, src);
    if (o->data == GF_DATA_AUTO && strcmp(src->data_name, "synthetic") == 0 && !o->c.quiet)
        fprintf(stderr, "gradflow lesion: Fashion-MNIST is not installed in %s; training on "
                        "the built-in synthetic set\n",
                o->data_dir);
    if (gf_make_dirs(o->c.out) != 0)
        return cli_fail(-1, CMD, "cannot use output folder '%s': %s", o->c.out,
                           strerror(errno));
    if (lesion_train(o, &s->train, &s->test, src) != 0)
        return -1;
    return lesion_load(o, o->c.out, s->test.dim, s->net, src);
}

static void on_eval(void *ctx, int done, int total)
{
    cli_progress_update(ctx, done, total);
}

/* Every lesion of every net. 0, or -1 after a one-line error. */
static int lesion_all(const lesion_options *o, run_state *s)
{
    for (int a = 0; a < o->c.n_archs; a++, s->n_res++) {
        char label[64], why[512];
        snprintf(label, sizeof label, "lesion: %s-%d", gf_arch_names[o->c.archs[a]], o->depth);
        cli_progress bar;
        cli_progress_begin(&bar, label);
        const gf_lesion_spec spec = {
            .test = &s->test, .draws = (int)o->draws, .max_delete = gf_model_blocks(s->net[a]),
            .max_swaps = (int)o->swaps, .seed = (unsigned long)o->draw_seed,
            .eval_batch = 500 /* memory only */, .progress = on_eval, .progress_ctx = &bar};
        const int rc = gf_lesion_run(s->net[a], &spec, &s->res[a], why, sizeof why);
        cli_progress_end(&bar);
        if (rc != 0)
            return cli_fail(-1, CMD, "%s", why);
    }
    return 0;
}

int cmd_lesion(int argc, char **argv)
{
    lesion_options o;
    const int p = parse(argc, argv, &o);
    if (p != 0)
        return p > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    run_state s = {.manifest = gf_manifest_new(CMD, argc, argv)};
    lesion_source src = {.ntrain = o.ntrain, .run_ntest = o.ntest, .epochs = {-1, -1, -1}};
    for (int a = 0; a < GF_ARCH_COUNT; a++)
        src.trained_err[a] = NAN;
    int status, drawn = 0;
    if (prepare(&o, &s, &src, &status) != 0)
        goto done;
    status = CLI_EXIT_RUNTIME;
    if (o.from && gf_make_dirs(o.c.out) != 0) { /* (training made it already) */
        cli_fail(-1, CMD, "cannot use output folder '%s': %s", o.c.out, strerror(errno));
        goto done;
    }
    const double t0 = gf_now();
    if (lesion_all(&o, &s) != 0)
        goto done;
    const double seconds = gf_now() - t0;
    char why[512], path[4200];
    snprintf(path, sizeof path, "%s/manifest.json", o.c.out);
    lesion_describe(s.manifest, s.res, s.n_res, &o, &src);
    if (gf_lesion_write(s.res, s.n_res, o.c.out, why, sizeof why) != 0) {
        cli_fail(-1, CMD, "%s", why);
        goto done;
    }
    if (gf_manifest_write(s.manifest, path, src.train_seconds + seconds) != 0) {
        cli_fail(-1, CMD, "cannot write %s: %s", path, strerror(errno));
        goto done;
    }
    if (lesion_figures(s.res, s.n_res, &o, &src, &drawn) != 0 ||
        lesion_summary(s.res, s.n_res, &o, &src, drawn) != 0)
        goto done;
    status = CLI_EXIT_OK;
done:
    release(&s);
    return status;
}
