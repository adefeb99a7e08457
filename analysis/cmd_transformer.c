/* cmd_transformer.c: gradflow transformer: where the LayerNorm stands in a
 * transformer (Pre-LN, Post-LN, DeepNorm, ReZero) and how the gradient and
 * the residual stream behave (syllabus section 8); the report is
 * transformer_report.c. */
#include "commands.h"
#include "run.h"
#include "transformer.h"

#include <stdio.h>
#include <string.h>

static const char CMD[] = "transformer";

typedef transformer_options options;

static int parse_layers(const char *cmd, const char *opt, const char *item, void *out)
{
    long v;
    if (cli_int(cmd, opt, item, 1, 256, &v) != 0)
        return -1;
    *(int *)out = (int)v;
    return 0;
}

static int parse_lr(const char *cmd, const char *opt, const char *item, void *out)
{
    return cli_real(cmd, opt, item, 1e-6, 1.0, out);
}

static int set_layers(const cli_arg *a, void *opts)
{
    options *o = opts;
    o->n_layers = cli_list(CMD, a->opt, a->value, GF_XFMR_MAX_DEPTHS, parse_layers, o->layers,
                           sizeof *o->layers);
    return o->n_layers < 0 ? CLI_EXIT_USAGE : 0;
}

static int set_sweep(const cli_arg *a, void *opts)
{
    options *o = opts;
    o->n_sweep = cli_list(CMD, a->opt, a->value, GF_XFMR_MAX_LRS, parse_lr, o->sweep,
                          sizeof *o->sweep);
    return o->n_sweep < 0 ? CLI_EXIT_USAGE : 0;
}

/* --quick: every size small, for tests (later options still override). */
static int set_quick(const cli_arg *a, void *opts)
{
    (void)a;
    options *o = opts;
    o->quick = 1;
    o->layers[0] = 2, o->layers[1] = 4, o->n_layers = 2;
    o->width = 16, o->heads = 2, o->context = 16, o->batch = 2, o->c.seeds = 2;
    o->train_layers = 2, o->train_width = 16, o->train_batch = 4;
    o->steps = 12, o->warmup = 4, o->sweep_steps = 6;
    o->sweep[0] = 1e-3, o->sweep[1] = 1e-2, o->n_sweep = 2;
    return 0;
}

static const cli_option table[] = {
    {CLI_TEXT, .help = "At initialization:\n"},
    {CLI_CHOICES, "kind", 'k', "LIST", "preln, postln, deepnorm, rezero          [all four]",
     CLI_AT(options, kinds), .names = gf_xfmr_kind_names, .count_at = offsetof(options, n_kinds)},
    {CLI_CALL, "layers", 'L', "LIST", "depths (layers of two sub-layers)        [6,12,24]",
     .set = set_layers},
    {CLI_INT, "width", 'w', "N", "model width d                            [128]",
     CLI_AT(options, width), .min = 2, .max = 4096},
    {CLI_INT, "heads", 0, "N", "attention heads (divide every width)     [4]",
     CLI_AT(options, heads), .min = 1, .max = 256},
    {CLI_INT, "context", 'T', "N", "tokens per sequence                      [64]",
     CLI_AT(options, context), .min = 2, .max = 2048},
    {CLI_INT, "batch", 'b', "N", "sequences per measurement batch          [4]",
     CLI_AT(options, batch), .min = 1, .max = 4096},
    {CLI_TEXT, .help = "Training (Adam, the same learning rate with and without warm-up):\n"},
    {CLI_CHOICES, "train-kind", 0, "LIST",
     "kinds trained                            [preln,postln]", CLI_AT(options, train_kinds),
     .names = gf_xfmr_kind_names,
     .count_at = offsetof(options, n_train_kinds)},
    {CLI_INT, "train-layers", 0, "N", "layers of the trained models             [6]",
     CLI_AT(options, train_layers), .min = 1, .max = 256},
    {CLI_INT, "train-width", 0, "N", "their width                              [64]",
     CLI_AT(options, train_width), .min = 2, .max = 4096},
    {CLI_INT, "train-batch", 0, "N", "sequences per step                       [8]",
     CLI_AT(options, train_batch), .min = 1, .max = 4096},
    {CLI_INT, "steps", 0, "N", "training steps                           [200]",
     CLI_AT(options, steps), .min = 2, .max = 10000000},
    {CLI_INT, "warmup", 0, "N", "linear warm-up steps of the warm-up runs [50]",
     CLI_AT(options, warmup), .min = 1, .max = 10000000},
    {CLI_REAL, "lr", 0, "X", "learning rate                            [3e-3]",
     CLI_AT(options, lr), .min = 1e-6, .max = 1.0},
    {CLI_CALL, "sweep", 0, "LIST", "learning rates of the sweep (no warm-up) [3e-3,1e-2,3e-2]",
     .set = set_sweep},
    {CLI_INT, "sweep-steps", 0, "N", "steps per sweep run                      [60]",
     CLI_AT(options, sweep_steps), .min = 2, .max = 10000000},
    {CLI_TEXT, .help = "Data and seeds:\n"},
    {CLI_STRING, "text", 0, "FILE", "a UTF-8 text (default: the files of\n"
     "/usr/share/common-licenses, sorted by name)", CLI_AT(options, text_path),
     .set = cli_set_path},
    CLI_SEEDS(options, "seeds (weights and batches)              [3]"),
    CLI_SEED(options, "first seed, at least 1                   [1]"),
    {CLI_CALL, "quick", 0, NULL, "small sizes everywhere (tests); give it first", .set = set_quick},
    {CLI_TEXT, .help = "Output:\n"},
    CLI_OUT(options, "run folder                               [runs/transformer]"),
    CLI_TERM(options, "accepted for symmetry; only none        [none]"),
    CLI_TABLE_END(options, "write the data and .gp scripts, draw nothing"),
};

static void init(void *opts)
{
    options *o = opts;
    memset(o, 0, sizeof *o);
    o->c = cli_stacks_at_init("runs/transformer");
    o->c.seeds = 3;
    for (o->n_kinds = 0; o->n_kinds < GF_XFMR_COUNT; o->n_kinds++)
        o->kinds[o->n_kinds] = o->n_kinds;
    o->layers[0] = 6, o->layers[1] = 12, o->layers[2] = 24, o->n_layers = 3;
    o->width = 128, o->heads = 4, o->context = 64, o->batch = 4;
    o->train_kinds[0] = GF_XFMR_PRELN, o->train_kinds[1] = GF_XFMR_POSTLN, o->n_train_kinds = 2;
    o->train_layers = 6, o->train_width = 64, o->train_batch = 8;
    o->steps = 200, o->warmup = 50, o->lr = 3e-3, o->sweep_steps = 60;
    o->sweep[0] = 3e-3, o->sweep[1] = 1e-2, o->sweep[2] = 3e-2, o->n_sweep = 3;
}

/* Bytes of one net's step, about: weights with their gradients and Adam's two
 * moments (12 L d^2 and the byte embedding and head), and the tape of a batch
 * (some 16 d numbers per token and layer, and the attention's heads x T
 * scores and probabilities). */
static double step_bytes(double layers, double d, double heads, double context, double batch)
{
    const double params = 12.0 * layers * d * d + 2.0 * 256.0 * d + context * d;
    const double tape = batch * context * layers * (16.0 * d + 2.0 * heads * context);
    return 8.0 * (4.0 * params + tape);
}

static int check(void *opts)
{
    options *o = opts;
    if (o->c.term_dumb)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--term dumb: not offered here; use the PNG");
    if (o->width % o->heads || o->train_width % o->heads)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--heads %ld must divide --width %ld and "
                        "--train-width %ld", o->heads, o->width, o->train_width);
    if (o->n_layers < 2)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--layers: give at least two depths for the slope");
    for (int i = 0; i < o->n_layers; i++)
        for (int j = 0; j < i; j++)
            if (o->layers[i] == o->layers[j])
                return cli_fail(CLI_EXIT_USAGE, CMD, "--layers: %d is listed twice", o->layers[i]);
    if (o->c.seeds < 2) /* every number it prints is a mean with its sd over the seeds */
        return cli_fail(CLI_EXIT_USAGE, CMD, "--seeds: a spread over seeds needs at least 2");
    int deepest = 0;
    for (int i = 0; i < o->n_layers; i++)
        deepest = o->layers[i] > deepest ? o->layers[i] : deepest;
    const double at_init = step_bytes(deepest, (double)o->width, (double)o->heads,
                                      (double)o->context, (double)o->batch),
                 trained = step_bytes((double)o->train_layers, (double)o->train_width,
                                      (double)o->heads, (double)o->context,
                                      (double)o->train_batch);
    if (cli_fits_in_memory(CMD, at_init > trained ? at_init : trained,
                           "--layers, --width, --context or the batches") != 0)
        return CLI_EXIT_USAGE;
    if (o->warmup >= o->steps)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--warmup %ld must be below --steps %ld",
                        o->warmup, o->steps);
    char why[512];
    if (gf_text_load(&o->text, o->text_path, (size_t)o->context, why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_USAGE, CMD, "%s", why);
    return 0;
}

static void release(void *res) { gf_xfmr_result_release(res); }

static int save(const void *res, const char *dir, char *why, size_t size)
{
    return gf_xfmr_write(res, dir, why, size);
}

static int measure(const void *opts, void *res, cli_measure *m)
{
    const options *o = opts;
    gf_xfmr_spec s = {.text = &o->text, .n_kinds = o->n_kinds, .n_layers = o->n_layers,
                      .width = (size_t)o->width, .context = (size_t)o->context,
                      .batch = (size_t)o->batch, .heads = (int)o->heads,
                      .seeds = (int)o->c.seeds, .seed0 = (unsigned long)o->c.seed,
                      .n_train_kinds = o->n_train_kinds, .train_layers = (int)o->train_layers,
                      .train_width = (size_t)o->train_width,
                      .train_batch = (size_t)o->train_batch, .steps = o->steps,
                      .warmup = o->warmup, .sweep_steps = o->sweep_steps, .lr = o->lr,
                      .n_sweep = o->n_sweep, .progress = cli_progress_update,
                      .ctx = &m->progress};
    memcpy(s.kinds, o->kinds, sizeof s.kinds);
    memcpy(s.layers, o->layers, sizeof s.layers);
    memcpy(s.train_kinds, o->train_kinds, sizeof s.train_kinds);
    memcpy(s.sweep, o->sweep, sizeof s.sweep);
    return gf_xfmr_run(&s, res, m->why, sizeof m->why);
}

/* The text check loaded: freed also when the run folder could not be opened. */
static void done(void *opts) { gf_text_release(&((options *)opts)->text); }

static void describe(json_t *m, const void *opts, const void *res)
{
    transformer_describe(m, opts, res);
}

static int figures(cli_run *r, const void *opts, void *res)
{
    return transformer_figures(r, opts, res);
}

static void summary(const cli_run *r, const void *opts, const void *res)
{
    transformer_summary(res, opts, r->dir, cli_run_drawn(r));
}

const cli_command cli_transformer = {
    .name = CMD,
    .summary = "Pre-LN, Post-LN, DeepNorm, ReZero: gradients per layer and the residual stream",
    .about =
        "A small decoder-only transformer on bytes of text (the licenses under\n"
        "/usr/share/common-licenses, or --text; the last tenth held out). At initialization,\n"
        "for each kind and depth, one batch forward and backward: the gradient norm of every\n"
        "sub-layer's weights and of the stream dL/dx (Xiong et al. 2020, Fig. 3), and the last\n"
        "layer's MLP gradient against the depth L on log-log axes with its fitted slope beside\n"
        "the theory's (Post-LN 0, Pre-LN -1/2). Then the trained kinds: Adam at --lr with and\n"
        "without a linear warm-up, a sweep of learning rates without warm-up (a run fails when\n"
        "its final loss is not below the text's unigram entropy), the residual stream at\n"
        "initialization and after training (its norm, each write ||F(x)||/||x||, the cosine\n"
        "of successive writes) and the logit lens (each layer's stream through the head).\n"
        "Writes into the run folder: grad_init.tsv, last_layer.tsv, last_layer_mean.tsv,\n"
        "slope.tsv, training.tsv, training_runs.tsv, sweep.tsv, stream.tsv, lens.tsv,\n"
        "manifest.json and xfmr_grad, xfmr_slope, xfmr_training, xfmr_stream, xfmr_lens\n"
        "(.png/.svg/.gp).\n\n",
    .epilog =
        "A longer setting: --steps 1000 --train-layers 12 --seeds 5 --layers 6,12,24,48.\n"
        CLI_EPILOG_PROGRESS,
    .table = table, .size = sizeof(options), .init = init, .check = check,
    .steps = &(const cli_steps){.measure = measure, .save = save, .describe = describe,
                                .figures = figures, .summary = summary, .release = release,
                                .label = "transformer: runs"},
    .result_size = sizeof(gf_xfmr_result),
    .done = done,
};
