/* checkpoint.c: saving a trainer to safetensors and resuming from it. */
#include "train/trainer_internal.h"

#include "gf_version.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char FORMAT[] = "gradflow training checkpoint";

/* Columns of "train.history", one row per epoch done (the last, cpu_seconds,
 * was a spare column of zeros before it was measured). */
enum { HIST_COLS = 12 };

static void history_row(const gf_epoch_stats *e, double *r)
{
    const double row[HIST_COLS] = {e->epoch, (double)e->step, e->lr, e->train_loss_running,
                                   e->train_loss, e->train_err, e->test_loss, e->test_err,
                                   e->grad_norm, e->seconds, e->eval_seconds, e->cpu_seconds};
    memcpy(r, row, sizeof row);
}

/* The training settings a resumed run must share, as (key, value) text. */
enum { N_TRAIN = 21 };
static void train_pairs(const gf_trainer *t, const char *key[N_TRAIN], char value[N_TRAIN][48])
{
    static const char *const keys[N_TRAIN] = {
        "optimizer", "weight_decay", "momentum", "nesterov", "beta1", "beta2", "adam_eps",
        "schedule", "lr", "warmup_steps", "gamma", "milestones", "min_lr", "batch", "epochs",
        "seed", "clip", "train_samples", "input_dim", "probe_every", "survival"};
    const gf_train_config *c = &t->cfg;
    const gf_optim_config *o = &c->optim;
    const gf_schedule *s = &c->sched;
    for (int i = 0; i < N_TRAIN; i++)
        key[i] = keys[i];
    snprintf(value[0], 48, "%s", gf_optim_names[o->kind]);
    snprintf(value[1], 48, "%.17g", o->weight_decay);
    snprintf(value[2], 48, "%.17g", o->momentum);
    snprintf(value[3], 48, "%d", o->nesterov);
    snprintf(value[4], 48, "%.17g", o->beta1);
    snprintf(value[5], 48, "%.17g", o->beta2);
    snprintf(value[6], 48, "%.17g", o->eps);
    snprintf(value[7], 48, "%s", gf_sched_names[s->kind]);
    snprintf(value[8], 48, "%.17g", s->lr);
    snprintf(value[9], 48, "%ld", s->warmup_steps);
    snprintf(value[10], 48, "%.17g", s->gamma);
    size_t len = 0;
    value[11][0] = '\0';
    for (int k = 0; k < s->n_milestones && len < 40; k++)
        len += (size_t)snprintf(value[11] + len, 48 - len, "%s%g", k ? "," : "", s->milestones[k]);
    snprintf(value[12], 48, "%.17g", s->min_lr);
    snprintf(value[13], 48, "%zu", c->batch);
    snprintf(value[14], 48, "%d", c->epochs);
    snprintf(value[15], 48, "%lu", c->seed);
    snprintf(value[16], 48, "%.17g", c->clip);
    snprintf(value[17], 48, "%zu", t->train->n);
    snprintf(value[18], 48, "%zu", t->train->dim);
    snprintf(value[19], 48, "%ld", c->probe_every);
    double fingerprint = 0.0; /* sum of (l + 1) p_l: differs when any p_l does */
    for (int l = 0; c->survival && l < gf_model_blocks(t->net); l++)
        fingerprint += (l + 1) * c->survival[l];
    if (c->survival)
        snprintf(value[20], 48, "%.17g", fingerprint);
    else
        snprintf(value[20], 48, "none");
}

static int add_meta_long(gf_st_file *st, const char *key, long v)
{
    char text[32];
    snprintf(text, sizeof text, "%ld", v);
    return gf_st_add_meta(st, key, text);
}

/* The probe records as two F64 tables: "train.probes" (step, epoch, kind,
 * block, log2_frob, log2_rms) and "train.param_norms" (step, slot,
 * log2_grad, log2_value). The tables are returned for the caller to free
 * once the file is written. */
enum { PROBE_COLS = 6, PNORM_COLS = 4 };
static int add_probe_log(const gf_trainer *t, gf_st_file *st, double **probes, double **pnorms)
{
    *probes = malloc((t->n_probes * PROBE_COLS + 1) * sizeof **probes);
    *pnorms = malloc((t->n_pnorms * PNORM_COLS + 1) * sizeof **pnorms);
    if (!*probes || !*pnorms)
        return -1;
    for (size_t i = 0; i < t->n_probes; i++) {
        const gf_train_probe *r = &t->probes[i];
        const double row[PROBE_COLS] = {(double)r->step, r->epoch, r->kind, r->block,
                                        r->log2_frob, r->log2_rms};
        memcpy(*probes + i * PROBE_COLS, row, sizeof row);
    }
    for (size_t i = 0; i < t->n_pnorms; i++) {
        const gf_train_param_norm *r = &t->pnorms[i];
        const double row[PNORM_COLS] = {(double)r->step, r->slot, r->log2_grad, r->log2_value};
        memcpy(*pnorms + i * PNORM_COLS, row, sizeof row);
    }
    const int64_t ps[2] = {(int64_t)t->n_probes, PROBE_COLS},
                  ns[2] = {(int64_t)t->n_pnorms, PNORM_COLS};
    return gf_st_add(st, "train.probes", GF_ST_F64, 2, ps, *probes) == 0 &&
                   gf_st_add(st, "train.param_norms", GF_ST_F64, 2, ns, *pnorms) == 0
               ? 0
               : -1;
}

/* A number of the file that must be a whole number in [lo, hi]: checked as a
 * double, before any conversion (a value out of range would be undefined
 * behaviour to convert). */
static int whole(double v, double lo, double hi) { return v >= lo && v <= hi && v == floor(v); }

/* why = "TENSOR row R: FIELD is V, <expected>"; always -1. */
__attribute__((format(printf, 6, 7))) static int bad_field(char *why, size_t size,
                                                           const char *tensor, size_t row,
                                                           const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gf_why_vappend(why, size, snprintf(why, size, "%s row %zu: %s ", tensor, row, field), fmt, ap);
    va_end(ap);
    return -1;
}

/* A table of rows x cols doubles, copied out of the file image (whose
 * tensors need not be aligned for a double); NULL with a reason. */
static double *table(const gf_st_file *st, const char *name, size_t cols, size_t max_rows,
                     size_t *rows, char *why, size_t size)
{
    const gf_st_entry *e = gf_st_find(st, name);
    if (!e || e->dtype != GF_ST_F64 || e->rank != 2 || e->shape[1] != (int64_t)cols) {
        if (e)
            snprintf(why, size, "%s is not a table of %zu F64 columns", name, cols);
        else
            snprintf(why, size, "%s is missing", name);
        return NULL;
    }
    if ((uint64_t)e->shape[0] > max_rows) {
        snprintf(why, size, "%s has %lld rows, more than the run can hold (%zu)", name,
                 (long long)e->shape[0], max_rows);
        return NULL;
    }
    *rows = (size_t)e->shape[0];
    double *out = malloc((*rows * cols + 1) * sizeof *out);
    if (!out)
        snprintf(why, size, "out of memory reading %s", name);
    else
        memcpy(out, e->data, *rows * cols * sizeof *out);
    return out;
}

/* One probe row, each field range-checked before it is converted: the step
 * within the steps done, the epoch the step belongs to, a known kind, a block
 * of this net (block boundaries x_0 .. x_B, Linear inputs of blocks 0 .. B-1). */
static int probe_read(const gf_trainer *t, const double *r, size_t i, gf_train_probe *out,
                      char *why, size_t size)
{
    static const char T[] = "train.probes";
    const double blocks = gf_model_blocks(t->net);
    if (!whole(r[0], 0, (double)t->step - 1))
        return bad_field(why, size, T, i, "step", "is %g, not one of the %ld steps done", r[0],
                         t->step);
    const double epoch = (double)((long)r[0] / t->steps_per_epoch + 1);
    if (r[1] != epoch)
        return bad_field(why, size, T, i, "epoch", "is %g, but its step %g is in epoch %g", r[1],
                         r[0], epoch);
    if (!whole(r[2], GF_PROBE_BLOCK, GF_PROBE_FC2_IN))
        return bad_field(why, size, T, i, "kind", "is %g, not a probe kind (%d to %d)", r[2],
                         GF_PROBE_BLOCK, GF_PROBE_FC2_IN);
    const double last = r[2] == GF_PROBE_BLOCK ? blocks : blocks - 1;
    if (!whole(r[3], 0, last))
        return bad_field(why, size, T, i, "block", "is %g, not in 0 .. %g", r[3], last);
    *out = (gf_train_probe){.step = (long)r[0], .epoch = (int)r[1], .kind = (gf_probe_kind)r[2],
                            .block = (int)r[3], .log2_frob = r[4], .log2_rms = r[5]};
    return 0;
}

static int pnorm_read(const gf_trainer *t, const double *r, size_t i, gf_train_param_norm *out,
                      char *why, size_t size)
{
    static const char T[] = "train.param_norms";
    const double slots = (double)gf_model_params(t->net)->n_slots;
    if (!whole(r[0], 0, (double)t->step - 1))
        return bad_field(why, size, T, i, "step", "is %g, not one of the %ld steps done", r[0],
                         t->step);
    if (!whole(r[1], 0, slots - 1))
        return bad_field(why, size, T, i, "slot", "is %g, not a parameter slot (0 to %g)", r[1],
                         slots - 1);
    *out = (gf_train_param_norm){.step = (long)r[0], .slot = (int)r[1], .log2_grad = r[2],
                                 .log2_value = r[3]};
    return 0;
}

/* Read the probe tables back (they must fit the room the trainer reserved);
 * t->step and t->epoch already hold the counts the file records. */
static int read_probe_log(gf_trainer *t, const gf_st_file *st, char *why, size_t size)
{
    size_t np = 0, nn = 0;
    double *pr = table(st, "train.probes", PROBE_COLS, t->cap_probes, &np, why, size);
    double *nr = pr ? table(st, "train.param_norms", PNORM_COLS, t->cap_pnorms, &nn, why, size)
                    : NULL;
    int ok = pr && nr;
    for (size_t i = 0; ok && i < np; i++)
        ok = probe_read(t, pr + i * PROBE_COLS, i, &t->probes[i], why, size) == 0;
    for (size_t i = 0; ok && i < nn; i++)
        ok = pnorm_read(t, nr + i * PNORM_COLS, i, &t->pnorms[i], why, size) == 0;
    t->n_probes = ok ? np : 0;
    t->n_pnorms = ok ? nn : 0;
    free(pr);
    free(nr);
    return ok ? 0 : -1;
}

int gf_trainer_save(const gf_trainer *t, const char *path, char *why, size_t size)
{
    const gf_params *p = gf_model_params(t->net);
    gf_st_file st;
    gf_st_init(&st);
    int64_t *started = malloc(2 * (p->n_slots + 1) * sizeof *started);
    double *hist = malloc(((size_t)t->epoch * HIST_COLS + 1) * sizeof *hist);
    const char *key[N_TRAIN];
    char value[N_TRAIN][48];
    train_pairs(t, key, value);
    int ok = started && hist;
    for (int i = 0; ok && i < N_TRAIN; i++) /* the training's metadata, then the model's */
        ok = gf_st_add_meta(&st, key[i], value[i]) == 0;
    ok = ok && gf_model_export(t->net, &st) == 0; /* family, configuration, state */
    char name[160];
    for (size_t i = 0; ok && i < p->n_slots; i++) { /* the optimizer's moments, per slot */
        const gf_slot *sl = &p->slot[i];
        started[i] = t->opt.started[i];
        started[p->n_slots + i] = t->opt.slot_steps[i];
        if (sl->kind != GF_SLOT_PARAM)
            continue;
        const int64_t shape[2] = {(int64_t)sl->rows, (int64_t)sl->cols};
        const int rank = sl->vector ? 1 : 2;
        const int64_t *sh = sl->vector ? shape + 1 : shape;
        snprintf(name, sizeof name, "optim.m.%s", sl->name);
        ok = gf_st_add(&st, name, GF_ST_F64, rank, sh, t->opt.m + sl->offset) == 0;
        if (ok && t->opt.v) {
            snprintf(name, sizeof name, "optim.v.%s", sl->name);
            ok = gf_st_add(&st, name, GF_ST_F64, rank, sh, t->opt.v + sl->offset) == 0;
        }
    }
    const int64_t nslots = (int64_t)p->n_slots, hshape[2] = {t->epoch, HIST_COLS};
    ok = ok && gf_st_add(&st, "optim.started", GF_ST_I64, 1, &nslots, started) == 0 &&
         gf_st_add(&st, "optim.slot_steps", GF_ST_I64, 1, &nslots, started + p->n_slots) == 0;
    for (int e = 0; ok && e < t->epoch; e++)
        history_row(&t->history[e], hist + (size_t)e * HIST_COLS);
    ok = ok && gf_st_add(&st, "train.history", GF_ST_F64, 2, hshape, hist) == 0;
    double *probes = NULL, *pnorms = NULL;
    ok = ok && add_probe_log(t, &st, &probes, &pnorms) == 0;
    ok = ok && gf_st_add_meta(&st, "format", FORMAT) == 0 &&
         gf_st_add_meta(&st, "gradflow_version", GF_VERSION) == 0 &&
         add_meta_long(&st, "epochs_done", t->epoch) == 0 &&
         add_meta_long(&st, "steps_done", t->step) == 0 &&
         add_meta_long(&st, "optim_steps", t->opt.steps) == 0;
    const int rc = gf_st_save(&st, ok, "the checkpoint ", path, why, size);
    free(started);
    free(hist);
    free(probes);
    free(pnorms);
    return rc;
}

static long meta_long(const gf_st_file *st, const char *key, long min, long max, int *ok)
{
    const char *s = json_string_value(json_object_get(st->metadata, key));
    char *end;
    const long v = s ? strtol(s, &end, 10) : 0;
    if (!s || !*s || *end || v < min || v > max)
        *ok = 0;
    return v;
}

/* Copy a tensor of `count` doubles (or int64) named name from st into dst
 * (memcpy: the file's tensors need not be aligned). */
static int take(const gf_st_file *st, const char *name, gf_st_dtype dtype, size_t count,
                void *dst)
{
    const gf_st_entry *e = gf_st_find(st, name);
    if (!e || e->dtype != dtype)
        return -1;
    size_t n = 1;
    for (int k = 0; k < e->rank; k++)
        n *= (size_t)e->shape[k];
    if (n != count)
        return -1;
    memcpy(dst, e->data, count * 8);
    return 0;
}

/* Row e of the history: epoch e + 1, ended at step (e + 1) x steps per epoch,
 * with a finite rate; checked before any conversion. */
static int history_read(const gf_trainer *t, const double *r, long e, gf_epoch_stats *out,
                        char *why, size_t size)
{
    static const char T[] = "train.history";
    if (r[0] != (double)(e + 1))
        return bad_field(why, size, T, (size_t)e, "epoch", "is %g, not %ld", r[0], e + 1);
    if (r[1] != (double)((e + 1) * t->steps_per_epoch))
        return bad_field(why, size, T, (size_t)e, "step", "is %g, not %ld", r[1],
                         (e + 1) * t->steps_per_epoch);
    if (!(r[2] >= 0 && r[2] <= DBL_MAX))
        return bad_field(why, size, T, (size_t)e, "lr", "is %g, not a learning rate", r[2]);
    *out = (gf_epoch_stats){.epoch = (int)r[0], .step = (long)r[1], .lr = r[2],
                            .train_loss_running = r[3], .train_loss = r[4], .train_err = r[5],
                            .test_loss = r[6], .test_err = r[7], .grad_norm = r[8],
                            .seconds = r[9], .eval_seconds = r[10], .cpu_seconds = r[11]};
    return 0;
}

/* The history of the epochs done (t->epoch of them). */
static int read_history(gf_trainer *t, const gf_st_file *st, char *why, size_t size)
{
    double *hist = malloc(((size_t)t->epoch * HIST_COLS + 1) * sizeof *hist);
    if (!hist || take(st, "train.history", GF_ST_F64, (size_t)t->epoch * HIST_COLS, hist) != 0) {
        snprintf(why, size, "train.history is missing or is not %d rows of %d F64", t->epoch,
                 HIST_COLS);
        free(hist);
        return -1;
    }
    int ok = 1;
    for (long e = 0; ok && e < t->epoch; e++)
        ok = history_read(t, hist + (size_t)e * HIST_COLS, e, &t->history[e], why, size) == 0;
    t->lr = ok && t->epoch > 0 ? t->history[t->epoch - 1].lr : 0.0;
    free(hist);
    return ok ? 0 : -1;
}

/* The optimizer's per-slot flags and step counts, and its moments. */
static int read_optim(gf_trainer *t, const gf_st_file *st, char *why, size_t size)
{
    const gf_params *p = gf_model_params(t->net);
    int64_t *started = malloc(2 * (p->n_slots + 1) * sizeof *started);
    int ok = started && take(st, "optim.started", GF_ST_I64, p->n_slots, started) == 0 &&
             take(st, "optim.slot_steps", GF_ST_I64, p->n_slots, started + p->n_slots) == 0;
    if (!ok)
        snprintf(why, size, "optim.started or optim.slot_steps is missing or not %zu I64",
                 p->n_slots);
    for (size_t i = 0; ok && i < p->n_slots; i++) {
        const int64_t on = started[i], n = started[p->n_slots + i];
        if (on != 0 && on != 1)
            ok = bad_field(why, size, "optim.started", i, "flag", "is %lld, not 0 or 1",
                           (long long)on) == 0;
        else if (n < 0 || n > t->opt.steps)
            ok = bad_field(why, size, "optim.slot_steps", i, "count",
                           "is %lld, not in 0 .. %ld", (long long)n, t->opt.steps) == 0;
        t->opt.started[i] = on == 1;
        t->opt.slot_steps[i] = (long)n;
    }
    free(started);
    char name[160];
    for (size_t i = 0; ok && i < p->n_slots; i++) {
        const gf_slot *sl = &p->slot[i];
        if (sl->kind != GF_SLOT_PARAM)
            continue;
        const size_t count = sl->rows * sl->cols;
        snprintf(name, sizeof name, "optim.m.%s", sl->name);
        ok = take(st, name, GF_ST_F64, count, t->opt.m + sl->offset) == 0;
        if (ok && t->opt.v) {
            snprintf(name, sizeof name, "optim.v.%s", sl->name);
            ok = take(st, name, GF_ST_F64, count, t->opt.v + sl->offset) == 0;
        }
        if (!ok)
            snprintf(why, size, "%s is missing or has the wrong shape", name);
    }
    return ok ? 0 : -1;
}

/* The counts of the metadata, then the network, the optimizer, the history and
 * the probe records. A refused file may leave t partly overwritten (the
 * caller discards it). */
static int read_training(gf_trainer *t, const gf_st_file *st, char *why, size_t size)
{
    int fields = 1;
    const long epochs = meta_long(st, "epochs_done", 0, t->cfg.epochs, &fields);
    const long steps = meta_long(st, "steps_done", 0, t->cfg.sched.total_steps, &fields);
    const long osteps = meta_long(st, "optim_steps", 0, t->cfg.sched.total_steps, &fields);
    if (!fields || steps != epochs * t->steps_per_epoch) {
        snprintf(why, size, "its epoch and step counts are damaged");
        return -1;
    }
    if (gf_model_load_state(t->net, st, why, size) != 0)
        return -1;
    t->epoch = (int)epochs;
    t->step = steps;
    t->opt.steps = osteps;
    return read_optim(t, st, why, size) == 0 && read_history(t, st, why, size) == 0 &&
                   read_probe_log(t, st, why, size) == 0
               ? 0
               : -1;
}

int gf_trainer_load(gf_trainer *t, const char *path, char *why, size_t size)
{
    gf_st_file st;
    char reason[256];
    if (gf_st_read(&st, path, reason, sizeof reason) != 0) {
        snprintf(why, size, "%s: %s", path, reason);
        return -1;
    }
    const char *format = json_string_value(json_object_get(st.metadata, "format"));
    int ok = format && strcmp(format, FORMAT) == 0;
    if (!ok)
        snprintf(reason, sizeof reason, "not a gradflow training checkpoint");
    else if (gf_model_match(t->net, &st, reason, sizeof reason) != 0)
        ok = 0;
    const char *key[N_TRAIN];
    char value[N_TRAIN][48];
    train_pairs(t, key, value);
    for (int i = 0; ok && i < N_TRAIN; i++)
        ok = gf_st_meta_check(&st, key[i], value[i], reason, sizeof reason) == 0;
    if (ok && read_training(t, &st, reason, sizeof reason) != 0)
        ok = 0;
    if (!ok)
        snprintf(why, size, "%s: %s", path, reason);
    gf_st_release(&st);
    return ok ? 0 : -1;
}
