/* trainer.c: the training loop: shuffled mini-batches, one optimizer step
 * per batch, evaluation after each epoch, probes at chosen steps. */
#include "train/trainer_internal.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gf_trainer *gf_trainer_alloc(gf_model *net, const gf_dataset *train, const gf_dataset *test,
                             const gf_train_config *c, char *why, size_t size)
{
    const char *msg = NULL;
    if (!net || !train || train->dim != gf_model_in_dim(net) ||
        train->classes > gf_model_classes(net))
        msg = "the training set does not fit the network's input or classes";
    else if (test && test->n > 0 &&
             (test->dim != train->dim || test->classes > gf_model_classes(net)))
        msg = "the test set does not fit the network";
    else if (c->batch < 2 || c->batch > train->n)
        msg = "the batch must hold at least 2 samples and at most the training set";
    else if (c->epochs < 1)
        msg = "train at least one epoch";
    else if (!(c->clip >= 0.0) || c->probe_every < 0)
        msg = "clipping norm and probe interval must not be negative";
    else if (c->survival && !gf_model_residual(net))
        msg = "stochastic depth needs a residual stack";
    for (int l = 0; !msg && c->survival && l < gf_model_blocks(net); l++)
        if (!(c->survival[l] > 0.0 && c->survival[l] <= 1.0))
            msg = "survival probabilities are in (0, 1]";
    if (msg) {
        snprintf(why, size, "%s", msg);
        return NULL;
    }
    gf_trainer *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(why, size, "out of memory");
        return NULL;
    }
    t->net = net;
    t->train = train;
    t->test = test && test->n > 0 ? test : NULL;
    t->cfg = *c;
    if (t->cfg.eval_batch == 0)
        t->cfg.eval_batch = 256;
    t->steps_per_epoch = (long)(train->n / c->batch);
    t->cfg.sched.total_steps = t->steps_per_epoch * c->epochs;
    if (gf_schedule_check(&t->cfg.sched, why, size) != 0) {
        free(t);
        return NULL;
    }
    gf_recorder_init(&t->rec);
    const gf_params *p = gf_model_params(net);
    t->order = malloc(train->n * sizeof *t->order);
    t->labels = malloc(c->batch * sizeof *t->labels);
    t->history = calloc((size_t)c->epochs, sizeof *t->history);
    t->saved_buffers = malloc((p->size ? p->size : 1) * sizeof *t->saved_buffers);
    t->rng = gsl_rng_alloc(gsl_rng_mt19937);
    t->tape = gf_tape_alloc(0);
    t->drop = calloc((size_t)gf_model_blocks(net) + 1, sizeof *t->drop);
    t->train_plan = (gf_block_plan){.drop = t->drop};
    t->eval_plan = (gf_block_plan){.branch_scale = c->survival};
    if (c->probe_every > 0) { /* room for every probed step, reserved now */
        const size_t steps = (size_t)((t->cfg.sched.total_steps + c->probe_every - 1) /
                                      c->probe_every) + 1;
        size_t slots = 0;
        for (size_t i = 0; i < p->n_slots; i++)
            slots += p->slot[i].kind == GF_SLOT_PARAM;
        t->cap_probes = steps * (3 * (size_t)gf_model_blocks(net) + 1);
        t->cap_pnorms = steps * slots;
        t->probes = malloc(t->cap_probes * sizeof *t->probes);
        t->pnorms = malloc(t->cap_pnorms * sizeof *t->pnorms);
    }
    if (!t->order || !t->labels || !t->history || !t->saved_buffers || !t->rng || !t->tape ||
        !t->drop ||
        (c->probe_every > 0 && (!t->probes || !t->pnorms)) ||
        gf_optim_init(&t->opt, &c->optim, p) != 0) {
        gf_trainer_free(t);
        snprintf(why, size, "out of memory, or optimizer settings out of range");
        return NULL;
    }
    return t;
}

void gf_trainer_free(gf_trainer *t)
{
    if (!t)
        return;
    gf_optim_release(&t->opt);
    gf_recorder_release(&t->rec);
    gf_tape_free(t->tape);
    gsl_rng_free(t->rng);
    free(t->order);
    free(t->labels);
    free(t->history);
    free(t->saved_buffers);
    free(t->probes);
    free(t->pnorms);
    free(t->drop);
    free(t);
}

void gf_trainer_on_step(gf_trainer *t, gf_step_fn fn, void *ctx)
{
    t->on_step = fn;
    t->step_ctx = ctx;
}

long gf_trainer_steps_per_epoch(const gf_trainer *t) { return t->steps_per_epoch; }
int gf_trainer_epochs_done(const gf_trainer *t) { return t->epoch; }
const gf_epoch_stats *gf_trainer_history(const gf_trainer *t) { return t->history; }

const gf_train_probe *gf_trainer_probes(const gf_trainer *t, size_t *n)
{
    *n = t->n_probes;
    return t->probes;
}

const gf_train_param_norm *gf_trainer_param_norms(const gf_trainer *t, size_t *n)
{
    *n = t->n_pnorms;
    return t->pnorms;
}

/* Keep the records of a probed step (space was reserved by gf_trainer_alloc). */
static void keep_probes(gf_trainer *t)
{
    const gf_params *p = gf_model_params(t->net);
    for (size_t i = 0; i < t->rec.n && t->n_probes < t->cap_probes; i++) {
        const gf_probe_record *r = &t->rec.rec[i];
        t->probes[t->n_probes++] = (gf_train_probe){
            .step = t->step, .epoch = t->epoch + 1, .kind = r->kind, .block = r->block,
            .log2_frob = r->log2_frob, .log2_rms = r->log2_rms};
    }
    for (size_t i = 0; i < p->n_slots && t->n_pnorms < t->cap_pnorms; i++)
        if (p->slot[i].kind == GF_SLOT_PARAM)
            t->pnorms[t->n_pnorms++] = (gf_train_param_norm){
                .step = t->step, .slot = (int)i, .log2_grad = gf_params_grad_log2(p, (int)i),
                .log2_value = gf_params_value_log2(p, (int)i)};
}

/* ---- evaluation ---------------------------------------------------------- */

static int evaluate(gf_model *net, gf_tape *tape, const gf_dataset *ds, size_t batch,
                    const gf_block_plan *plan, double *loss, double *err)
{
    double sum_loss = 0.0;
    gf_model_set_training(net, 0);
    size_t wrong = 0;
    for (size_t first = 0; first < ds->n; first += batch) {
        const size_t n = ds->n - first < batch ? ds->n - first : batch;
        gf_tape_reset(tape);
        gf_tensor *x = gf_tape_input(tape, n, ds->dim);
        if (!x)
            return -1;
        memcpy(x->v, ds->x + first * ds->dim, n * ds->dim * sizeof *x->v);
        gf_tensor *z = gf_model_forward(net, tape, x, NULL, plan);
        gf_tensor *l = gf_softmax_xent(tape, z, ds->y + first);
        if (!l)
            return -1;
        sum_loss += l->v[0] * (double)n;
        wrong += gf_wrong_count(z->v, ds->y + first, n, z->d);
    }
    *loss = sum_loss / (double)ds->n;
    *err = (double)wrong / (double)ds->n;
    return 0;
}

int gf_evaluate(gf_model *net, gf_tape *tape, const gf_dataset *ds, size_t batch,
                const gf_block_plan *plan, double *loss, double *err)
{
    const int training = gf_model_training(net);
    const int rc = evaluate(net, tape, ds, batch, plan, loss, err);
    gf_model_set_training(net, training);
    return rc;
}

/* ---- one step -------------------------------------------------------------- */

/* Running statistics change in the forward pass: keep them so a failed step
 * can be undone. */
static void buffers_save(gf_trainer *t, int restore)
{
    const gf_params *p = gf_model_params(t->net);
    for (size_t i = 0; i < p->n_slots; i++) {
        const gf_slot *sl = &p->slot[i];
        if (sl->kind == GF_SLOT_PARAM)
            continue;
        double *keep = t->saved_buffers + sl->offset;
        const size_t bytes = sl->rows * sl->cols * sizeof(double);
        if (restore)
            memcpy(sl->t.v, keep, bytes);
        else
            memcpy(keep, sl->t.v, bytes);
    }
}

/* The batch order of epoch e: a shuffle from its own seed, so a resumed run
 * draws the same batches (and the same dropped blocks) without saving a
 * generator's state. */
static void shuffle(gf_trainer *t, int epoch)
{
    for (size_t i = 0; i < t->train->n; i++)
        t->order[i] = i;
    gsl_rng_set(t->rng, gf_seed_stream(t->cfg.seed, (unsigned long)epoch + 1));
    gsl_ran_shuffle(t->rng, t->order, t->train->n, sizeof *t->order);
}

/* One optimizer step on batch b of the epoch; 0, or -1 with a reason. */
static int step(gf_trainer *t, long b, double *loss_out, double *gnorm_out, char *why,
                size_t size)
{
    const size_t B = t->cfg.batch;
    gf_tape *tape = t->tape;
    gf_tape_reset(tape);
    gf_tensor *x = gf_tape_input(tape, B, t->train->dim);
    if (!x) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    gf_dataset_gather(t->train, t->order + (size_t)b * B, B, x->v, t->labels);
    const int probe = t->cfg.probe_every > 0 &&
                      (t->step % t->cfg.probe_every == 0 ||
                       t->step + 1 == t->cfg.sched.total_steps);
    buffers_save(t, 0);
    /* lesson:stochastic-depth begin */
    if (t->cfg.survival) /* stochastic depth: this step's blocks, from the epoch's generator */
        for (int l = 0; l < gf_model_blocks(t->net); l++)
            t->drop[l] = gsl_rng_uniform(t->rng) >= t->cfg.survival[l];
    gf_model_set_training(t->net, 1);
    gf_tensor *z = gf_model_forward(t->net, tape, x, probe ? &t->rec : NULL,
                                    t->cfg.survival ? &t->train_plan : NULL);
    /* lesson:stochastic-depth end */
    gf_tensor *loss = gf_softmax_xent(tape, z, t->labels);
    if (!loss) {
        snprintf(why, size, "the forward pass failed: %s", gf_tape_error(tape));
        return -1;
    }
    const double l = loss->v[0];
    if (!isfinite(l)) {
        gf_trainer_explain_nonfinite(t, 0, l, why, size);
        buffers_save(t, 1);
        return -1;
    }
    if (gf_tape_backward(tape, loss) != 0) {
        snprintf(why, size, "the backward pass failed: %s", gf_tape_error(tape));
        return -1;
    }
    const uint64_t pass = gf_tape_pass(tape);
    if (probe) /* the gradients as backward made them, before any clipping */
        keep_probes(t);
    gf_params *params = gf_model_params(t->net);
    const double g = t->cfg.clip > 0.0 ? gf_grad_clip(params, t->cfg.clip, pass)
                                       : gf_grad_global_norm(params, pass);
    if (!isfinite(g)) {
        gf_trainer_explain_nonfinite(t, 1, l, why, size);
        buffers_save(t, 1);
        return -1;
    }
    t->lr = gf_schedule_lr(&t->cfg.sched, t->step);
    gf_optim_step(&t->opt, params, t->lr, pass);
    t->step++;
    *loss_out = l;
    *gnorm_out = g;
    return 0;
}

int gf_trainer_epoch(gf_trainer *t, gf_epoch_stats *out, char *why, size_t size)
{
    if (t->epoch >= t->cfg.epochs) {
        snprintf(why, size, "all %d epochs are done", t->cfg.epochs);
        return -1;
    }
    gf_epoch_stats e = {.epoch = t->epoch + 1};
    const double t0 = gf_now(), c0 = gf_cpu_now();
    shuffle(t, t->epoch);
    double sum_loss = 0.0, sum_g = 0.0;
    for (long b = 0; b < t->steps_per_epoch; b++) {
        double l, g;
        if (step(t, b, &l, &g, why, size) != 0)
            return -1;
        sum_loss += l;
        sum_g += g;
        if (t->on_step)
            t->on_step(t->step_ctx, e.epoch, b + 1, t->steps_per_epoch, l);
    }
    const double t1 = gf_now();
    e.step = t->step;
    e.lr = t->lr;
    e.train_loss_running = sum_loss / (double)t->steps_per_epoch;
    e.grad_norm = sum_g / (double)t->steps_per_epoch;
    e.seconds = t1 - t0;
    e.cpu_seconds = gf_cpu_now() - c0;
    e.test_loss = e.test_err = NAN;
    const gf_block_plan *plan = t->cfg.survival ? &t->eval_plan : NULL;
    if (gf_evaluate(t->net, t->tape, t->train, t->cfg.eval_batch, plan, &e.train_loss,
                    &e.train_err) != 0 ||
        (t->test && gf_evaluate(t->net, t->tape, t->test, t->cfg.eval_batch, plan, &e.test_loss,
                                &e.test_err) != 0)) {
        snprintf(why, size, "evaluation failed (out of memory?)");
        return -1;
    }
    if (!isfinite(e.train_loss)) { /* the epoch's last update blew up: no step saw it */
        snprintf(why, size, "non-finite loss at step %ld (the training set's, after epoch %d's "
                 "last update, lr %g): loss %g", t->step + 1, e.epoch, t->lr, e.train_loss);
        return -1;
    }
    e.eval_seconds = gf_now() - t1;
    t->history[t->epoch++] = e;
    if (out)
        *out = e;
    return 0;
}
