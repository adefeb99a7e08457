/* cmd_landscape.c: gradflow landscape: the optimization view (syllabus
 * section 3) measured on trained plain and residual nets: the loss along the
 * line from initialization (Goodfellow et al. 2015), over a plane of
 * filter-normalized directions (Li et al. 2018), the trajectory on its
 * principal directions, and the top Hessian eigenvalue against 2 / lr
 * (Cohen et al. 2021). */
#include "cli.h"
#include "commands.h"
#include "landscape.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char CMD[] = "landscape";

#define O landscape_options
static const cli_option table[] = {
    {CLI_TEXT, .help = "Nets:\n"},
    {CLI_STRING, "load", 0, "DIR", "a `gradflow degrade` run folder: measure its nets\n"
     "DIR/checkpoints/ARCH-DEPTH-seedK.safetensors on the data of\n"
     "DIR/manifest.json (no trajectory: one state per net) [train here]",
     CLI_AT(O, load), .set = cli_set_path},
    CLI_ARCH_MLP(O, "plain, resnet, preact                    [plain,resnet]"),
    {CLI_DEPTHS, "depth", 'd', "LIST", "weight layers, each 2B + 2               [20,56]",
     CLI_AT(O, depths), .count_at = offsetof(O, n_depths)},
    CLI_SEED(O, "the nets' seed (initialization, batch order) [1]"),
    {CLI_REFUSED, "seeds", 's', "N", .why = "a surface is one net's; choose the net with --seed"},
    {CLI_TEXT, .help = "Training (without --load; degrade's settings):\n"},
    CLI_WIDTH(O, "features in every block                  [64]"),
    CLI_INIT(O, "torch, he, xavier, lecun, orthogonal     [he]"),
    CLI_NORM(O, "none, batch, layer                       [batch]"),
    CLI_ACT(O, "relu, tanh, linear                       [relu]"),
    CLI_TRAIN_DATA(O, "fashion, synthetic    [fashion when installed, else synthetic]"),
    CLI_TRAIN_DATA_DIR(O, "where the Fashion-MNIST files are [" GF_FASHION_DIR "]"),
    CLI_TRAIN_NTRAIN(O, "training images                          [10000]"),
    CLI_TRAIN_EPOCHS(O, "epochs                                   [10]"),
    CLI_TRAIN_LR(O, "base learning rate (sgd, step schedule)  [0.1]"),
    {CLI_INT, "snapshots", 0, "N", "parameter snapshots per epoch (trajectory) [4]",
     CLI_AT(O, snapshots), .min = 1, .max = 1000},
    {CLI_TEXT, .help = "Landscape:\n"},
    {CLI_INT, "grid", 'g', "N", "points per side of the surface (odd)     [41]",
     CLI_AT(O, grid), .min = 3, .max = 1001},
    {CLI_REAL, "span", 0, "X", "the surface covers [-X, X]^2 of the directions [1]",
     CLI_AT(O, span), .min = 1e-6, .max = 1e3},
    {CLI_INT, "images", 0, "N", "images of the path and the surface: the first N trained on\n"
     "[10000: all]", CLI_AT(O, images), .min = 1, .max = 1 << 24},
    {CLI_INT, "hess-images", 0, "N", "images of the curvature: the first N trained on [500]",
     CLI_AT(O, hess_images), .min = 1, .max = 1 << 24},
    {CLI_INT, "power-iters", 0, "N", "power iterations for the top eigenvalue (at most) [20]",
     CLI_AT(O, power_iters), .min = 1, .max = 100000},
    {CLI_INT, "hutchinson", 0, "N", "Rademacher samples of the Hessian trace  [8]",
     CLI_AT(O, hutchinson), .min = 2, .max = 100000},
    {CLI_INT, "threads", 'j', "N", "grid points evaluated in parallel        [2]",
     CLI_AT(O, threads), .min = 1, .max = 256},
    {CLI_FLAG, "quick", 0, NULL, "a small run for tests: depths 4,6, width 16, 512 images,\n"
     "2 epochs, grid 9, 128 curvature images (options given\n"
     "explicitly still count)", CLI_AT(O, quick)},
    {CLI_TEXT, .help = "Output:\n"},
    CLI_OUT(O, "run folder                               [runs/landscape]"),
    CLI_TERM(O, "also draw the path figure in the terminal: dumb [none]"),
    CLI_NO_PLOT(O, "write the data and .gp scripts, draw nothing"),
    CLI_QUIET(O, "no summary on stdout (summary.txt is still written)"),
    CLI_HELP_VERSION,
    {CLI_END},
};
#undef O

static void given(const cli_option *e, void *opts)
{
    static const char *const shaping[] = {"width", "init", "norm", "act", "data", "ntrain",
                                          "epochs", "lr", "snapshots", "quick", NULL};
    landscape_options *o = opts;
    if (!o->train_option && gf_name_lookup(shaping, e->name) >= 0)
        o->train_option = e->name;
}

static void init(void *opts)
{
    landscape_options *o = opts;
    cli_train_defaults(&o->c, &o->t, "runs/landscape", 64, GF_NORM_BATCH,
                       (const int[]){GF_ARCH_PLAIN, GF_ARCH_RESNET}, 2); /* degrade's */
    o->depths[0] = 20;
    o->depths[1] = 56;
    o->n_depths = 2;
    o->grid = 41;
    o->span = 1.0;
    o->images = 10000;
    o->hess_images = 500;
    o->power_iters = 20;
    o->hutchinson = 8;
    o->snapshots = 4;
    o->threads = 2;
}

/* --quick: small enough for the tests, where the options were left at their
 * defaults. */
static void quick(landscape_options *o)
{
    landscape_options d;
    memset(&d, 0, sizeof d);
    init(&d);
    CLI_QUICK_LIST(o, d, depths, n_depths, 4, 6);
    CLI_QUICK(o, d, c.cfg.width, 16);
    CLI_QUICK(o, d, t.ntrain, 512);
    CLI_QUICK(o, d, images, 512);
    CLI_QUICK(o, d, hess_images, 128);
    CLI_QUICK(o, d, t.train.epochs, 2);
    CLI_QUICK(o, d, grid, 9);
    CLI_QUICK(o, d, power_iters, 5);
    CLI_QUICK(o, d, hutchinson, 2);
    CLI_QUICK(o, d, snapshots, 2);
}

static int check(void *opts)
{
    landscape_options *o = opts;
    if (o->quick)
        quick(o);
    if (o->load && o->train_option)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--%s shapes the nets to train; with --load they "
                        "come from %s", o->train_option, o->load);
    if (o->grid % 2 == 0)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--grid %ld: an odd number puts the trained "
                        "weights at the centre", o->grid);
    if (!o->load && (long)o->t.train.batch > o->t.ntrain)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--ntrain %ld is smaller than the batch (%zu)",
                        o->t.ntrain, o->t.train.batch);
    if (cli_train_opts_finish(CMD, &o->t) != 0)
        return CLI_EXIT_USAGE;
    return cli_experiment_check(CMD, &o->c, o->depths, o->n_depths);
}

/* --load: the data the run trained on, from its manifest. 0, or -1 after a message. */
static int read_run(landscape_options *o, char *data_dir, size_t size)
{
    char path[GF_PATH_MAX];
    struct stat st;
    if (stat(o->load, &st) != 0 || !S_ISDIR(st.st_mode))
        return cli_error(CMD, "--load %s: %s", o->load,
                         errno == ENOENT ? "no such folder" : "not a folder");
    if (gf_path_join(path, sizeof path, o->load, "manifest.json") != 0)
        return cli_error(CMD, "--load %s: the path is too long", o->load);
    json_error_t jerr;
    json_t *m = json_load_file(path, 0, &jerr);
    if (!m)
        return cli_error(CMD, "--load %s: %s (a finished gradflow degrade run has its "
                         "manifest.json)", o->load, jerr.text);
    json_t *s = json_object_get(m, "settings");
    const char *data = json_string_value(json_object_get(s, "data")),
               *dir = json_string_value(json_object_get(m, "data_dir"));
    const json_int_t ntrain = json_integer_value(json_object_get(s, "ntrain")),
                     ntest = json_integer_value(json_object_get(s, "ntest"));
    int rc = 0;
    if (!data || ntrain < 1)
        rc = cli_error(CMD, "%s: not the manifest of a gradflow degrade run (its settings are "
                       "missing)", path);
    else {
        o->t.data = strcmp(data, "synthetic") == 0 ? GF_DATA_SYNTHETIC : GF_DATA_FASHION;
        o->t.ntrain = (long)ntrain;
        o->t.ntest = (long)ntest; /* the synthetic set's split depends on it */
        if (dir && *dir) {
            snprintf(data_dir, size, "%s", dir);
            o->t.data_dir = data_dir;
        }
    }
    json_decref(m);
    return rc;
}

static int run(cli_run *r, void *opts)
{
    landscape_options *o = opts;
    char why[512], data_dir[GF_PATH_MAX];
    land_result res = {0};
    if (o->load && read_run(o, data_dir, sizeof data_dir) != 0)
        return CLI_EXIT_RUNTIME;
    int status = landscape_measure(o, &res) == 0 ? CLI_EXIT_OK : CLI_EXIT_RUNTIME;
    if (status == CLI_EXIT_OK && landscape_write(&res, r->dir, why, sizeof why) != 0)
        status = cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
    if (status == CLI_EXIT_OK) {
        landscape_describe(r->manifest, o, &res);
        status = cli_run_manifest(r);
    }
    if (status == CLI_EXIT_OK)
        status = landscape_figures(r, &res);
    if (status == CLI_EXIT_OK && landscape_summary(r, o, &res) != 0)
        status = CLI_EXIT_RUNTIME;
    landscape_release(&res);
    return status;
}

const cli_command cli_landscape = {
    .name = CMD,
    .summary = "loss landscapes and curvature of trained plain and residual nets",
    .about =
        "The optimization view of residual connections (syllabus section 3), on trained\n"
        "plain and residual nets (trained here with degrade's settings, or loaded from a\n"
        "`gradflow degrade` run with --load):\n"
        "  - the loss and error along the straight line theta(a) = (1 - a) theta_0 + a theta_T\n"
        "    from the initialization (a = 0) to the trained weights (a = 1) and beyond,\n"
        "    a = -0.25 .. 1.5 (Goodfellow et al. 2015); the ends are the nets' losses to the bit;\n"
        "  - the loss over the plane theta_T + x d1 + y d2 of two filter-normalized random\n"
        "    directions (Li et al. 2018): each row of each weight's direction scaled to the\n"
        "    norm of the weight's row; biases and batch-norm parameters left out (0), as the\n"
        "    paper's default; on a grid over the first --images images trained on;\n"
        "  - the trajectory of the parameter snapshots on the first two principal directions\n"
        "    of theta_t - theta_T (Li et al. Fig. 9), with the share of variance each explains;\n"
        "  - the eigenvalue of largest magnitude of the Hessian of the training loss (the\n"
        "    top one unless a negative one is larger; power iteration on Hessian-vector\n"
        "    products: central differences of float64 gradients, step 1e-5, with an error\n"
        "    estimate) and its trace (Hutchinson, Rademacher vectors, with the\n"
        "    standard error), at initialization and after every epoch, against 2 / lr (the\n"
        "    edge of stability of Cohen et al. 2021; (2 + 2 momentum) / lr for SGD with\n"
        "    momentum).\n"
        "Every loss is in evaluation mode (batch norm with its running statistics), the mean\n"
        "cross-entropy over the images, as the trainer records it.\n"
        "Writes into the run folder: path.tsv, surface-NET.tsv, surface_summary.tsv,\n"
        "trajectory.tsv, sharpness.tsv, summary.txt, manifest.json, and the figures\n"
        "landscape_contour, landscape_3d, landscape_path, landscape_trajectory and\n"
        "landscape_sharpness (.png/.svg/.gp).\n\n",
    .epilog =
        "Cost: a grid point is one forward pass over the images; the curvature costs 2\n"
        "gradients over --hess-images per product (about 30 products a point).\n"
        "A progress line is shown on a terminal.\n"
        "Exit status: 0 success, 1 runtime failure (a missing or mismatched checkpoint or\n"
        "manifest, missing data, a net that diverged in training, unwritable folder),\n"
        "2 usage error.\n",
    .table = table, .size = sizeof(landscape_options), .init = init, .check = check,
    .run = run, .given = given,
};
