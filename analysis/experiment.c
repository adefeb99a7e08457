/* experiment.c: one run of a training command (degrade, stochdepth): data,
 * training with a progress line, files, manifest, figures, summary. */
#include "cli.h"
#include "experiment.h"
#include "run.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- manifest --------------------------------------------------------------- */

static void describe(json_t *m, const gf_grid_result *x, const cli_experiment *e,
                     const cli_common *o)
{
    const gf_stack_config *c = &o->cfg;
    const gf_train_config *t = &e->t->train;
    json_t *archs = json_array(), *depths = json_array(), *miles = json_array(),
           *nets = json_array();
    for (int a = 0; a < o->n_archs; a++)
        json_array_append_new(archs, json_string(gf_arch_names[o->archs[a]]));
    for (int d = 0; d < e->n_depths; d++)
        json_array_append_new(depths, json_integer(e->depths[d]));
    for (int i = 0; i < t->sched.n_milestones; i++)
        json_array_append_new(miles, json_real(t->sched.milestones[i]));
    for (int i = 0; i < x->n_runs; i++) {
        const gf_grid_net *r = &x->runs[i];
        const gf_epoch_stats *s = r->epochs_done ? &r->hist[r->epochs_done - 1] : NULL;
        double secs = 0.0;
        for (int k = 0; k < r->epochs_done; k++)
            secs += r->hist[k].seconds + r->hist[k].eval_seconds;
        json_array_append_new(nets, json_pack(
            "{s:s, s:I, s:i, s:o, s:o, s:f, s:i, s:s}", "net", r->name, "seed",
            (json_int_t)r->seed, "epochs_done", r->epochs_done, "final_train_error",
            s ? json_real(s->train_err) : json_null(), "final_test_error",
            s && !isnan(s->test_err) ? json_real(s->test_err) : json_null(), "seconds", secs,
            "resumed_from_epoch", r->resumed_from, "stopped", r->failed ? r->why : ""));
    }
    json_object_set_new(m, "settings", json_pack(
        "{s:o, s:o, s:I, s:s, s:s, s:s, s:b, s:s, s:I, s:I, s:I, s:i, s:I, s:s, s:f, s:f, s:b, "
        "s:f, s:s, s:f, s:o, s:f, s:I, s:f, s:I, s:s}",
        "arch", archs, "depth", depths, "width", (json_int_t)c->width, "init",
        gf_init_names[c->init], "norm", gf_norm_names[c->norm], "act", gf_act_names[c->act],
        "zero_init_residual", c->zero_branch, "data", x->spec.data_name, "input_dim",
        (json_int_t)x->spec.train_set->dim, "ntrain", (json_int_t)x->spec.train_set->n, "ntest",
        (json_int_t)x->spec.test_set->n,
        "epochs", t->epochs, "batch", (json_int_t)t->batch, "optimizer",
        gf_optim_names[t->optim.kind], "momentum", t->optim.momentum, "weight_decay",
        t->optim.weight_decay, "nesterov", t->optim.nesterov, "lr", t->sched.lr, "schedule",
        gf_sched_names[t->sched.kind], "gamma", t->sched.gamma, "milestones", miles, "clip",
        t->clip, "warmup_steps", (json_int_t)t->sched.warmup_steps, "bn_momentum",
        c->bn_momentum, "probe_every", (json_int_t)t->probe_every, "evaluation",
        "batch norm with running statistics; errors over the whole training subset and test "
        "set after each epoch, and at initialization (epoch 0, before any step: the initial "
        "running statistics, mean 0 and variance 1)"));
    if (cli_any_cnn(o)) /* the cnn nets' filters: 16, 32, 64 times this */
        json_object_set_new(json_object_get(m, "settings"), "width_mult",
                            json_real(c->width_mult > 0 ? c->width_mult : 1.0));
    if (strcmp(x->spec.data_name, "Fashion-MNIST") == 0)
        json_object_set_new(m, "data_dir", json_string(e->t->data_dir));
    json_object_set_new(m, "seeds", cli_seed_list(o));
    json_object_set_new(m, "seed_use", json_string(
        "seed k initializes the weights (mt19937); epoch e's batch order is a shuffle seeded "
        "with k * 1000003 + e + 1; the data subset is fixed and the same for every seed"));
    json_object_set_new(m, "nets", nets);
    if (e->describe)
        e->describe(m, x, e->ctx);
}

const char *cli_ratio_text(char *buf, size_t size, double log10_ratio)
{
    if (isfinite(log10_ratio))
        snprintf(buf, size, "10^%+.2f", log10_ratio);
    else
        snprintf(buf, size, "%s", isnan(log10_ratio) ? "0 / 0 (no gradient at all: a dead net)"
                                  : log10_ratio < 0 ? "0 (no gradient reaches x_0: a dead net)"
                                                    : "inf (no gradient at x_B)");
    return buf;
}

/* ---- the run ----------------------------------------------------------------- */

int cli_experiment_check(const char *cmd, const cli_common *c, const int *depths, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (depths[i] == depths[j])
                return cli_fail(CLI_EXIT_USAGE, cmd, "--depth: %d is listed twice", depths[i]);
    for (int d = 0; d < n; d++)
        if (cli_archs_check(cmd, c, depths[d]) != 0)
            return CLI_EXIT_USAGE;
    return 0;
}

/* Train every net into the run folder; the exit status. res->spec keeps a
 * pointer to archs (GF_ARCH_COUNT entries, filled here): the caller's, so it
 * outlives this call for the figures and the summary. */
static int train(cli_run *r, const cli_experiment *e, const gf_dataset *train,
                 const gf_dataset *test, const char *data_name, gf_arch *archs,
                 gf_grid_result *res)
{
    const cli_common *o = r->c;
    char why[512];
    for (int a = 0; a < o->n_archs; a++)
        archs[a] = (gf_arch)o->archs[a];
    const gf_grid_spec spec = {
        .base = o->cfg, .archs = archs, .n_archs = o->n_archs, .depths = e->depths,
        .n_depths = e->n_depths, .seeds = (int)o->seeds, .seed0 = o->seed, .train = e->t->train,
        .train_set = train, .test_set = test, .data_name = data_name, .out = r->dir,
        .checkpoints = 1, .resume = e->t->resume, .eval_init = 1,
        .survival = e->survival, .p_last = e->p_last};
    cli_train_resume_note(r->cmd, e->t, r->dir);
    const int rc = cli_train_nets(r->cmd, &spec, res, why, sizeof why);
    for (int i = 0; i < res->n_runs; i++)
        if (res->runs[i].failed)
            cli_error(r->cmd, "%s seed %ld: %s", res->runs[i].name, res->runs[i].seed,
                     res->runs[i].why);
    if (rc != 0 || gf_grid_write(res, r->dir, why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_RUNTIME, r->cmd, "%s", why);
    return CLI_EXIT_OK;
}

int cli_experiment_run(cli_run *r, const cli_experiment *e)
{
    gf_dataset train_set, test_set;
    const char *data_name;
    if (cli_train_data(r->cmd, e->t, r->c->quiet, &train_set, &test_set, &data_name) != 0)
        return CLI_EXIT_RUNTIME;
    gf_grid_result res = {0};
    gf_arch archs[GF_ARCH_COUNT]; /* res.spec.archs points here */
    int status = train(r, e, &train_set, &test_set, data_name, archs, &res);
    if (status == 0 && e->write && e->write(&res, e->ctx) != 0)
        status = CLI_EXIT_RUNTIME;
    if (status == 0) {
        describe(r->manifest, &res, e, r->c);
        status = cli_run_manifest(r);
    }
    if (status == 0 && e->figures)
        status = e->figures(r, &res, e->ctx);
    if (status == 0 && !r->c->quiet && e->summary)
        e->summary(&res, e->ctx, cli_run_drawn(r));
    if (status == 0 && res.any_failed)
        status = CLI_EXIT_RUNTIME;
    gf_grid_release(&res);
    gf_dataset_release(&train_set);
    gf_dataset_release(&test_set);
    return status;
}

/* ---- reporting ------------------------------------------------------------------ */

int cli_experiment_figure(const char *cmd, const cli_common *c, const char *name,
                          gf_plot_body body, const void *fig, int *warned)
{
    return cli_draw(cmd, c, name, body, fig, warned);
}

void cli_experiment_heading(const char *cmd, const gf_grid_result *x, const cli_common *c,
                           const cli_train_opts *t)
{
    const gf_train_config *tr = &t->train;
    char net[192]; /* the MLP stacks' settings as they always read, or with the cnn's */
    gf_arch archs[GF_ARCH_COUNT];
    for (int a = 0; a < c->n_archs; a++)
        archs[a] = (gf_arch)c->archs[a];
    gf_arch_training_text(net, sizeof net, &c->cfg, archs, c->n_archs);
    printf("gradflow %s: %s, %zu training / %zu test images, %s, %s lr %g (%s), %d epochs, "
           "batch %zu, %ld seed%s\n",
           cmd, x->spec.data_name, x->spec.train_set->n, x->spec.test_set->n, net,
           gf_optim_names[tr->optim.kind], tr->sched.lr, gf_sched_names[tr->sched.kind],
           tr->epochs, tr->batch, c->seeds, c->seeds > 1 ? "s" : "");
}
