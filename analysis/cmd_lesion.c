/* cmd_lesion.c: gradflow lesion: delete and reorder the blocks of trained
 * plain and residual nets (Veit, Wilber and Belongie 2016, Figs. 3 and 5). */
#include "cli.h"
#include "commands.h"
#include "lesion.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char CMD[] = "lesion";

#define O lesion_options
static const cli_option table[] = {
    {CLI_TEXT, .help = "Nets:\n"},
    {CLI_STRING, "from", 0, "DIR", "a `gradflow degrade` run folder (or a lesion one that "
     "trained):\nload DIR/checkpoints/ARCH-DEPTH-seedK.safetensors, with the\n"
     "net and data settings of DIR/manifest.json   [train instead]", CLI_AT(O, from),
     .set = cli_set_path},
    {CLI_STRING, "load", 0, "FILE", "one net from FILE (a gradflow export or checkpoint, or a\n"
     "PyTorch state_dict saved as safetensors under the same names),\n"
     "for the one --arch and the --depth/--width options given; its\n"
     "test images from --data                  [train instead]", CLI_AT(O, load),
     .set = cli_set_path},
    CLI_ARCH(O, "plain, resnet, preact                    [plain,resnet]" CLI_ARCH_CNN_HELP),
    {CLI_DEPTH, "depth", 'd', "N", "weight layers, 2B + 2: 20 keeps a plain net that trains\n"
     "as the control (plain-56 stays near chance)  [20]",
     CLI_AT(O, depth)},
    CLI_SEED(O, "the nets' seed: which checkpoint, or the training seed [1]"),
    {CLI_REFUSED, "seeds", 's', "N", .why = "a lesion study takes one net per architecture; "
     "choose it with --seed"},
    {CLI_TEXT, .help = "Training (without --from):\n"},
    CLI_WIDTH(O, "features in every block                  [64]"),
    CLI_WIDTH_MULT(O),
    CLI_INIT(O, "torch, he, xavier, lecun, orthogonal     [he]"),
    CLI_NORM(O, "none, batch, layer                       [batch]"),
    CLI_ACT(O, "relu, tanh, linear                       [relu]"),
    CLI_ZERO_INIT(O),
    CLI_TRAIN_DATA(O, "fashion, synthetic    [fashion when installed, else synthetic]"),
    CLI_TRAIN_NTRAIN(O, "training images                          [10000]"),
    CLI_TRAIN_EPOCHS(O, "epochs                                   [10]"),
    CLI_TRAIN_DATA_DIR(O, "where the Fashion-MNIST files are (also with --from)\n"
                          "[" GF_FASHION_DIR "]"),
    {CLI_TEXT, .help = "Lesions:\n"},
    {CLI_INT, "ntest", 0, "N", "test images evaluated: the first N of the test set, never\n"
     "trained on (with --from: at most the run's)  [1000]", CLI_AT(O, t.ntest), .min = 1,
     .max = 1 << 24},
    {CLI_INT, "draws", 0, "N", "random draws for every k (enough for a smooth mean and\n"
     "median: a draw that hits a critical block costs far more) [50]",
     CLI_AT(O, draws), .min = 1, .max = 100000},
    {CLI_INT, "swaps", 0, "N", "largest number of swapped pairs          [B]",
     CLI_AT(O, swaps), .min = 0, .max = 1000000},
    {CLI_INT, "draw-seed", 0, "N", "seed of the draws (the same lesions for every net)  [1]",
     CLI_AT(O, draw_seed), .min = 1, .max = 2147483647.0}, /* from 1, as --seed */
    {CLI_TEXT, .help = "Output:\n"},
    CLI_OUT(O, "run folder                               [runs/lesion]"),
    CLI_TERM(O, "also draw the k-deletions figure in the terminal: dumb [none]"),
    CLI_NO_PLOT(O, "write the data and .gp scripts, draw nothing"),
    CLI_QUIET(O, "no summary on stdout (summary.txt is still written)"),
    CLI_HELP_VERSION,
    {CLI_END},
};
#undef O

/* What --from overrides, and the first option that shapes the nets to
 * train (refused with --from). */
static void given(const cli_option *e, void *opts)
{
    static const char *const shaping[] = {"width", "init", "norm", "act",
                                          "zero-init-residual", "data", "ntrain", "epochs",
                                          NULL};
    lesion_options *o = opts;
    o->data_dir_set |= strcmp(e->name, "data-dir") == 0;
    o->ntest_set |= strcmp(e->name, "ntest") == 0;
    if (!o->train_option && gf_name_lookup(shaping, e->name) >= 0)
        o->train_option = e->name;
}

static void init(void *opts)
{
    lesion_options *o = opts;
    cli_train_defaults(&o->c, &o->t, "runs/lesion", 64, GF_NORM_BATCH,
                       (const int[]){GF_ARCH_PLAIN, GF_ARCH_RESNET}, 2); /* degrade's */
    o->c.cfg.depth = o->depth = 20;
    o->t.ntest = 1000;
    o->draws = 50;
    o->swaps = -1;
    o->draw_seed = 1;
}

static int check(void *opts)
{
    lesion_options *o = opts;
    if (o->from && o->train_option) /* first: what --from makes meaningless */
        return cli_fail(CLI_EXIT_USAGE, CMD, "--%s shapes the nets to train; with --from they "
                        "come from %s/manifest.json", o->train_option, o->from);
    if ((long)o->t.train.batch > o->t.ntrain) /* lesion trains with degrade's batch */
        return cli_fail(CLI_EXIT_USAGE, CMD, "--ntrain %ld is smaller than a training batch "
                        "(%zu images)", o->t.ntrain, o->t.train.batch);
    if (cli_train_opts_finish(CMD, &o->t) != 0)
        return CLI_EXIT_USAGE;
    o->c.cfg.depth = o->depth;
    if (cli_archs_check(CMD, &o->c, 0) != 0) /* with --from too: the depth's form */
        return CLI_EXIT_USAGE;
    const int B = cli_archs_blocks(CMD, &o->c);
    if (B < 0)
        return CLI_EXIT_USAGE;
    if (o->load && (o->from || o->c.n_archs != 1))
        return cli_fail(CLI_EXIT_USAGE, CMD, "--load holds one net: give one --arch%s",
                        o->from ? ", and no --from" : "");
    if (o->swaps > 0 && B < 2)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--swaps: one block has nothing to swap with");
    const int conv = cli_any_cnn(&o->c); /* blocks of different widths: no reordering */
    if (conv && o->swaps > 0)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--swaps: the cnn nets' stages have different "
                        "widths, so their blocks cannot be reordered (give --swaps 0)");
    if (o->swaps < 0)
        o->swaps = B >= 2 && !conv ? B : 0;
    return 0;
}

/* ---- the command -------------------------------------------------------------- */

typedef struct run_state {
    gf_dataset train, run_test, test;
    gf_model *net[GF_ARCH_COUNT];
    gf_lesion_result res[GF_ARCH_COUNT];
    int n_res;
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
}

/* The data and the nets: loaded, or trained into the run folder. The exit
 * status. */
static int prepare(lesion_options *o, run_state *s, lesion_source *src)
{
    char why[512];
    int status = CLI_EXIT_RUNTIME;
    if (o->from && lesion_read_run(o, src, &status) != 0)
        return status;
    if (cli_archs_config(&o->c, 0, why, sizeof why) != 0) /* a --from run's network */
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
    cli_train_opts t = o->t; /* the nets' training set and the run's test set */
    t.ntrain = src->ntrain;
    t.ntest = src->run_ntest;
    if (cli_train_data(CMD, &t, o->c.quiet || o->from, &s->train, &s->run_test,
                       &src->data_name) != 0)
        return CLI_EXIT_RUNTIME;
    if (gf_dataset_slice(&s->test, &s->run_test, 0, (size_t)o->t.ntest) != 0)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "out of memory");
    src->data_dir = o->t.data_dir;
    if (o->load) { /* the one net, as gradnorm --load: the file must match the options */
        gf_stack_config cfg = o->c.cfg;
        cfg.arch = (gf_arch)o->c.archs[0];
        cfg.in_dim = s->test.dim;
        gf_checkpoint_info info;
        if (!(s->net[0] = gf_arch_model_open(o->load, &cfg, &info, why, sizeof why)))
            return cli_fail(CLI_EXIT_RUNTIME, CMD, "--load: %s", why);
        src->epochs[0] = (int)info.epochs_done;
        return CLI_EXIT_OK;
    }
    if (!o->from && lesion_train(o, &s->train, &s->test, src) != 0)
        return CLI_EXIT_RUNTIME;
    return lesion_load(o, o->from ? o->from : o->c.out, s->test.dim, s->net, src) != 0
               ? CLI_EXIT_RUNTIME : CLI_EXIT_OK;
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
            return cli_error(CMD, "%s", why);
    }
    return 0;
}

/* The lesions' files, the manifest, the figures and the summary. The exit status. */
static int report(cli_run *r, const lesion_options *o, const run_state *s,
                  const lesion_source *src)
{
    char why[512];
    lesion_describe(r->manifest, s->res, s->n_res, o, src);
    if (gf_lesion_write(s->res, s->n_res, r->dir, why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
    int status = cli_run_manifest(r);
    if (status == CLI_EXIT_OK)
        status = lesion_figures(r, s->res, s->n_res, src);
    if (status == CLI_EXIT_OK &&
        lesion_summary(s->res, s->n_res, o, src, cli_run_drawn(r)) != 0)
        status = CLI_EXIT_RUNTIME;
    return status;
}

static int run(cli_run *r, void *opts)
{
    lesion_options *o = opts;
    run_state s = {0};
    lesion_source src = {.ntrain = o->t.ntrain, .run_ntest = o->t.ntest,
                         .epochs = {-1, -1, -1}};
    for (int a = 0; a < GF_ARCH_COUNT; a++)
        src.trained_err[a] = NAN;
    int status = prepare(o, &s, &src);
    if (status == CLI_EXIT_OK && lesion_all(o, &s) != 0)
        status = CLI_EXIT_RUNTIME;
    if (status == CLI_EXIT_OK)
        status = report(r, o, &s, &src);
    release(&s);
    return status;
}

const cli_command cli_lesion = {
    .name = CMD,
    .summary = "delete or reorder blocks of trained plain and residual nets",
    .about =
        "Deletes and reorders the blocks of a trained plain net and a trained residual net of\n"
        "the same depth, and measures the test error after every lesion (Veit, Wilber and\n"
        "Belongie 2016, \"Residual Networks Behave Like Ensembles of Relatively Shallow\n"
        "Networks\"):\n"
        "  - every single block deleted in turn (their Fig. 3). A deleted block is the\n"
        "    identity, x_{l+1} = x_l: a residual block loses its branch, a plain block is\n"
        "    skipped;\n"
        "  - k random blocks deleted, k = 0..B, several draws each: median, quartiles,\n"
        "    extremes and mean (their Fig. 5(a));\n"
        "  - k random pairs of blocks swapped (the blocks reordered), k = 0..B (Fig. 5(b)).\n"
        "The nets come from a finished `gradflow degrade` run (--from DIR), one net from a\n"
        "file (--load FILE: a gradflow export or a PyTorch state_dict), or are trained\n"
        "first with degrade's settings (SGD, lr 0.1, momentum 0.9, weight decay 1e-4, step\n"
        "schedule at 50% and 75%, batch 128).\n"
        "The nets are evaluated in evaluation mode: batch norm uses its running statistics.\n"
        "In a plain net the block after a deleted one then sees inputs its statistics were\n"
        "not estimated on; that is part of what is measured.\n"
        "Writes into the run folder: lesion_single.tsv, lesion_delete.tsv,\n"
        "lesion_delete_mean.tsv, lesion_swap.tsv, lesion_swap_mean.tsv, summary.txt,\n"
        "manifest.json, lesion_single.png/.svg/.gp, lesion_delete.png/.svg/.gp,\n"
        "lesion_swap.png/.svg/.gp; when it trains, also degrade's training record (curves.tsv,\n"
        "curves_mean.tsv, table.md, gradnorm_training.tsv, params_training.tsv) and\n"
        "checkpoints/NET-seedK.safetensors, so that --from with the same folder reuses them.\n\n",
    .epilog =
        "Cost: an evaluation is one forward pass over the --ntest images, and a deleted block\n"
        "costs nothing. Per net: 1 + B single deletions, about 1 + B x draws / 2 passes for\n"
        "the random deletions, 1 + B x draws for the swaps; with the defaults (B = 9) about\n"
        "690 passes of 1000 images: about 7 s per net on 2 idle cores, up to a minute under\n"
        "load; training the two nets first adds 10 to 15 s (up to a minute under load).\n"
        "A progress line is shown on a terminal.\n"
        "Exit status: 0 success, 1 runtime failure (a missing or mismatched checkpoint or\n"
        "manifest, missing data, a net that diverged in training, unwritable folder),\n"
        "2 usage error.\n",
    .table = table, .size = sizeof(lesion_options), .init = init, .check = check, .run = run,
    .given = given,
};
