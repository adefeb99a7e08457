/* train_options.c: the data and training options of the commands that
 * train nets: their defaults, setters and final checks, the data they name,
 * and the training with its progress line. */
#include "cli.h"
#include "experiment.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void cli_train_opts_default(cli_train_opts *t)
{
    *t = (cli_train_opts){
        .data = GF_DATA_AUTO, .data_dir = GF_FASHION_DIR, .ntrain = 10000, .ntest = 10000,
        .train = {.batch = 128, .epochs = 10, .optim = gf_optim_config_default(GF_OPTIM_SGD),
                  .sched = {.kind = GF_SCHED_STEP, .lr = NAN, .gamma = 0.1,
                            .milestones = {0.5, 0.75}, .n_milestones = 2}},
        .lr = NAN, .wd = NAN, .momentum = NAN};
}

void cli_train_defaults(cli_common *c, cli_train_opts *t, const char *out, size_t width,
                        gf_norm norm, const int *archs, int n_archs)
{
    c->cfg = gf_stack_config_default();
    c->cfg.width = width;
    c->cfg.norm = norm;
    c->cfg.init = GF_INIT_HE;
    for (c->n_archs = 0; c->n_archs < n_archs; c->n_archs++)
        c->archs[c->n_archs] = archs[c->n_archs];
    c->seeds = c->seed = 1;
    c->out = out;
    cli_train_opts_default(t);
}

/* ---- setters ------------------------------------------------------------------ */

static void *field(const cli_arg *a, void *opts)
{
    return (char *)opts + a->entry->at;
}

int cli_set_optimizer(const cli_arg *a, void *opts)
{
    const int k = cli_choice(a->cmd, a->opt, a->value, gf_optim_names);
    if (k < 0)
        return CLI_EXIT_USAGE;
    *(gf_optim_config *)field(a, opts) = gf_optim_config_default((gf_optim_kind)k);
    return 0;
}

static int parse_fraction(const char *cmd, const char *opt, const char *item, void *out)
{
    return cli_real(cmd, opt, item, 1e-9, 1.0 - 1e-9, out);
}

int cli_set_milestones(const cli_arg *a, void *opts)
{
    gf_schedule *s = field(a, opts);
    s->n_milestones = cli_list(a->cmd, a->opt, a->value, GF_SCHED_MAX_MILESTONES,
                               parse_fraction, s->milestones, sizeof *s->milestones);
    return s->n_milestones < 0 ? CLI_EXIT_USAGE : 0;
}

int cli_set_probe_every(const cli_arg *a, void *opts)
{
    cli_train_opts *t = field(a, opts);
    t->probe_every_set = 1;
    return cli_int(a->cmd, a->opt, a->value, (long)a->entry->min, (long)a->entry->max,
                   &t->train.probe_every) != 0 ? CLI_EXIT_USAGE : 0;
}

/* ---- after parsing ------------------------------------------------------------- */

/* Fashion-MNIST (asked for, or installed when the data is left to choose) has
 * 60,000 training and 10,000 test images; the synthetic set has no bound.
 * 0, or -1 after a usage message. */
static int data_sizes_check(const char *cmd, const cli_train_opts *t)
{
    const int fashion = t->data == GF_DATA_FASHION ||
                        (t->data == GF_DATA_AUTO && gf_fashion_available(t->data_dir));
    if (fashion && t->ntrain > GF_FASHION_NTRAIN)
        return cli_error(cmd, "--ntrain %ld: Fashion-MNIST has %d training images (--data "
                         "synthetic has no bound)", t->ntrain, GF_FASHION_NTRAIN);
    if (fashion && t->ntest > GF_FASHION_NTEST)
        return cli_error(cmd, "--ntest %ld: Fashion-MNIST has %d test images (--data "
                         "synthetic has no bound)", t->ntest, GF_FASHION_NTEST);
    return 0;
}

/* The schedule over the training's steps (ntrain / batch per epoch, the last
 * incomplete batch dropped): the warm-up within them. 0, or -1 after a usage
 * message. */
static int schedule_check(const char *cmd, const cli_train_opts *t)
{
    if (t->train.epochs < 1) /* pathgrad --epochs 0: no training */
        return 0;
    gf_schedule s = t->train.sched;
    const long per_epoch = t->ntrain / (long)t->train.batch;
    s.total_steps = per_epoch * t->train.epochs;
    if (s.warmup_steps > s.total_steps)
        return cli_error(cmd, "--warmup %ld is more than the %ld training steps (%ld per epoch "
                         "x %d epoch%s)", s.warmup_steps, s.total_steps, per_epoch,
                         t->train.epochs, t->train.epochs > 1 ? "s" : "");
    char why[256];
    if (gf_schedule_check(&s, why, sizeof why) != 0)
        return cli_error(cmd, "%s", why);
    return 0;
}

int cli_train_opts_finish(const char *cmd, cli_train_opts *t)
{
    gf_optim_config *oc = &t->train.optim;
    gf_schedule *s = &t->train.sched;
    s->lr = !isnan(t->lr) ? t->lr : oc->kind == GF_OPTIM_SGD ? 0.1 : 1e-3;
    if (!isnan(t->wd))
        oc->weight_decay = t->wd;
    if (!isnan(t->momentum) || t->nesterov) {
        if (oc->kind != GF_OPTIM_SGD)
            return cli_fail(CLI_EXIT_USAGE, cmd, "--momentum and --nesterov are for --optimizer sgd");
        if (!isnan(t->momentum))
            oc->momentum = t->momentum;
        oc->nesterov = t->nesterov;
        if (t->nesterov && oc->momentum == 0.0)
            return cli_fail(CLI_EXIT_USAGE, cmd, "--nesterov needs a momentum above 0");
    }
    for (int i = 1; i < s->n_milestones; i++)
        if (s->milestones[i] <= s->milestones[i - 1])
            return cli_fail(CLI_EXIT_USAGE, cmd, "--milestones must increase");
    if ((long)t->train.batch > t->ntrain)
        return cli_fail(CLI_EXIT_USAGE, cmd, "--batch %zu is larger than --ntrain %ld",
                        t->train.batch, t->ntrain);
    if (data_sizes_check(cmd, t) != 0 || schedule_check(cmd, t) != 0)
        return CLI_EXIT_USAGE;
    if (!t->probe_every_set) /* once per epoch */
        t->train.probe_every = (long)((size_t)t->ntrain / t->train.batch);
    return 0;
}

/* ---- the data and the training ---------------------------------------------------- */

void cli_train_resume_note(const char *cmd, const cli_train_opts *t, const char *dir)
{
    char checkpoints[GF_PATH_MAX];
    if (t->resume && gf_path_join(checkpoints, sizeof checkpoints, dir, "checkpoints") == 0 &&
        access(checkpoints, F_OK) != 0)
        cli_warn(cmd, "--resume: no checkpoints in %s (a new run folder?); every net trains "
                 "from the start", checkpoints);
}

int cli_train_data(const char *cmd, const cli_train_opts *t, int quiet, gf_dataset *train,
                   gf_dataset *test, const char **data_name)
{
    char why[512];
    if (gf_data_load(t->data, t->data_dir, (size_t)t->ntrain, (size_t)t->ntest, train, test,
                        data_name, why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_RUNTIME, cmd, "%s", why);
    if (strcmp(*data_name, "synthetic") == 0 && t->data == GF_DATA_AUTO && !quiet)
        cli_warn(cmd, "Fashion-MNIST is not installed in %s; training on the built-in "
                 "synthetic set (apt-get install dataset-fashion-mnist for the real one)",
                 t->data_dir);
    return 0;
}

typedef struct progress_ctx {
    cli_progress bar;
    const char *cmd;
    const gf_grid_net *run;
    int index, total, epochs;
    double start;
} progress_ctx;

static void on_run(void *ctx, const gf_grid_net *r, int index, int total)
{
    progress_ctx *p = ctx;
    p->run = r;
    p->index = index;
    p->total = total;
    p->start = gf_now();
}

static void on_step(void *ctx, int epoch, long step, long steps, double loss)
{
    progress_ctx *p = ctx;
    if (!p->bar.enabled || (step % 5 != 0 && step != steps))
        return;
    const double el = gf_now() - p->start;
    const double done = (double)(epoch - 1 - p->run->resumed_from) * (double)steps + (double)step;
    fprintf(stderr, "\r\033[K%s: net %d/%d %s seed %ld  epoch %d/%d  step %ld/%ld  loss "
                    "%.4f  %.0f steps/s",
            p->cmd, p->index + 1, p->total, p->run->name, p->run->seed, epoch, p->epochs, step,
            steps, loss, el > 0 ? done / el : 0.0);
    fflush(stderr);
}

int cli_train_nets(const char *cmd, const gf_grid_spec *spec, gf_grid_result *res,
                   char *why, size_t len)
{
    progress_ctx prog = {.cmd = cmd, .epochs = spec->train.epochs};
    gf_grid_spec s = *spec;
    s.on_run = on_run;
    s.on_step = on_step;
    s.ctx = &prog;
    cli_progress_begin(&prog.bar, cmd);
    const int rc = gf_grid_train(&s, res, why, len);
    cli_progress_end(&prog.bar);
    return rc;
}
