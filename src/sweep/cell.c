/* cell.c: one sweep cell: the gradient at initialization or a short
 * training run, as one row of sweep.tsv (see gf_sweep.h). */
#include "sweep/gf_sweep.h"

#include "data/gf_data.h"
#include "io/gf_io.h"
#include "model/gf_model.h"
#include "train/gf_train.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const gf_sweep_measure_names[] = {"gradnorm", "train", "none", NULL};

static const char *const columns_of[GF_SWEEP_MEASURES] = {
    "status\tloss\tlog10_grad_x0\tlog10_grad_xB\tdecades\tdecades_per_layer\treason",
    "status\tfirst_loss\tfinal_loss\tfinal_error\taccuracy\tsteps_to_threshold\treason",
    "status\treason",
};

gf_sweep_spec gf_sweep_spec_default(const gf_sweep_grid *g)
{
    return (gf_sweep_spec){
        .grid = g, .measure = GF_SWEEP_GRADNORM,
        .defaults = {.arch = GF_ARCH_PLAIN, .depth = 20, .width = 64, .init = GF_INIT_HE,
                     .act = GF_ACT_RELU, .norm = GF_NORM_NONE, .steps = 200, .seed = 1,
                     .sw2 = NAN, .sb2 = NAN, .lr = 0.01},
        .batch = 64, .samples = 4096, .in_dim = GF_SYNTH_DIM, .classes = GF_SYNTH_CLASSES,
        .threshold = 1.0, .momentum = 0.9};
}

gf_sweep_point gf_sweep_point_of(const gf_sweep_spec *s, long cell)
{
    gf_sweep_point p = s->defaults;
    const gf_sweep_grid *g = s->grid;
    for (int i = g->n_axes - 1; i >= 0; i--) { /* the last key fastest */
        const gf_sweep_axis *a = &g->axis[i];
        const double v = a->v[cell % a->n];
        cell /= a->n;
        switch (a->key) {
        case GF_SWEEP_ARCH: p.arch = (int)v; break;
        case GF_SWEEP_DEPTH: p.depth = (int)v; break;
        case GF_SWEEP_WIDTH: p.width = (long)v; break;
        case GF_SWEEP_INIT: p.init = (int)v; break;
        case GF_SWEEP_SW2: p.sw2 = v; break;
        case GF_SWEEP_SB2: p.sb2 = v; break;
        case GF_SWEEP_ACT: p.act = (int)v; break;
        case GF_SWEEP_NORM: p.norm = (int)v; break;
        case GF_SWEEP_LR: p.lr = v; break;
        case GF_SWEEP_STEPS: p.steps = (long)v; break;
        case GF_SWEEP_SEED: p.seed = (long)v; break;
        default: break;
        }
    }
    if (!isnan(p.sw2) || !isnan(p.sb2)) { /* Gaussian weights: the missing one's default */
        p.sw2 = isnan(p.sw2) ? 1.0 : p.sw2;
        p.sb2 = isnan(p.sb2) ? 0.0 : p.sb2;
    }
    return p;
}

int gf_sweep_columns(const gf_sweep_spec *s, char *buf, size_t size)
{
    size_t at = 0;
    for (int i = 0; i < s->grid->n_axes; i++)
        at += (size_t)snprintf(buf + at, at < size ? size - at : 0, "%s\t",
                               gf_sweep_key_names[s->grid->axis[i].key]);
    at += (size_t)snprintf(buf + at, at < size ? size - at : 0, "%s", columns_of[s->measure]);
    return at < size ? 0 : -1;
}

/* ---- building and initializing a cell's net -------------------------------------- */

/* W ~ N(0, sw2 / fan_in), b ~ N(0, sb2) in every Linear, in forward order. */
static void gaussian_weights(gf_model *m, double sw2, double sb2, gsl_rng *rng)
{
    gf_params *p = gf_model_params(m);
    gf_linear_slots ls;
    for (int k = 0; gf_model_layer(m, k, &ls, NULL, 0) == 0; k++) {
        const gf_slot *w = &p->slot[ls.weight];
        const double sd = sqrt(sw2 / (double)w->cols);
        for (size_t i = 0; i < w->rows * w->cols; i++)
            p->value[w->offset + i] = gsl_ran_gaussian_ziggurat(rng, sd);
        if (ls.bias < 0)
            continue;
        const gf_slot *b = &p->slot[ls.bias];
        for (size_t i = 0; i < b->rows * b->cols; i++)
            p->value[b->offset + i] = sb2 > 0 ? gsl_ran_gaussian_ziggurat(rng, sqrt(sb2)) : 0.0;
    }
}

/* The cell's net, initialized from its seed through rng (the weights first,
 * then what the measurement draws, as gradflow gradnorm does). NULL with the
 * row's status and reason: "invalid" (a bad combination) or "failed". */
static gf_model *cell_net(const gf_sweep_spec *s, const gf_sweep_point *p, gsl_rng *rng,
                          const char **status, char *reason, size_t size)
{
    gf_stack_config c = gf_stack_config_default();
    c.arch = (gf_arch)p->arch;
    c.depth = p->depth;
    c.width = (size_t)p->width;
    c.in_dim = (size_t)s->in_dim;
    c.classes = (size_t)s->classes;
    c.init = (gf_init)p->init;
    c.act = (gf_act)p->act;
    c.norm = (gf_norm)p->norm;
    *status = "invalid";
    if (gf_stack_config_check(&c, reason, size) != 0)
        return NULL;
    *status = "failed";
    gf_model *m = gf_model_alloc(&gf_model_mlp, &c, reason, size);
    if (m && gf_model_init(m, rng) != 0) {
        snprintf(reason, size, "initialization failed");
        gf_model_free(m);
        return NULL;
    }
    if (m && !isnan(p->sw2))
        gaussian_weights(m, p->sw2, p->sb2, rng);
    return m;
}

/* ---- the measurements ------------------------------------------------------------ */

typedef struct cell_out {
    const char *status;  /* "ok", "diverged", "overflow", "failed", "invalid" */
    double v[5];         /* the measurement's numeric columns (NaN: none) */
    char reason[512];
} cell_out;

/* Per-cell folder: dir/cell-NNNNNN/NAME with header and rows; 0 or -1. */
static int cell_file(const gf_sweep_spec *s, long cell, const char *name, const char *header,
                     const double *x, const double *y, long n, char *why, size_t size)
{
    if (!s->cells_dir)
        return 0;
    char dir[GF_PATH_MAX], path[GF_PATH_MAX + 64];
    snprintf(dir, sizeof dir, "%s/cell-%06ld", s->cells_dir, cell);
    if (gf_make_dirs(dir) != 0) {
        snprintf(why, size, "cannot create %s", dir);
        return -1;
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char tmp[GF_PATH_MAX + 80];
    snprintf(tmp, sizeof tmp, "%s.part", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(why, size, "cannot write %s", path);
        return -1;
    }
    fprintf(f, "%s\n", header);
    for (long i = 0; i < n; i++) {
        fprintf(f, "%.10g", x[i]);
        gf_tsv_put(f, y[i]);
        fputc('\n', f);
    }
    const int bad = ferror(f) | fclose(f);
    if (bad || rename(tmp, path) != 0) {
        snprintf(why, size, "cannot write %s", path);
        return -1;
    }
    return 0;
}

/* The gradient at initialization, as gradflow gradnorm measures it. */
static int measure_gradnorm(const gf_sweep_spec *s, long cell, const gf_sweep_point *p,
                            cell_out *o, char *why, size_t size)
{
    gsl_rng *rng = gf_rng_alloc((unsigned long)p->seed);
    gf_dataset data = {0};
    gf_model *m = rng ? cell_net(s, p, rng, &o->status, o->reason, sizeof o->reason) : NULL;
    gf_tape *tape = m ? gf_tape_alloc(0) : NULL;
    const size_t n = (size_t)s->batch, d = (size_t)s->in_dim;
    int *labels = malloc(n * sizeof *labels);
    gf_recorder rec;
    gf_recorder_init(&rec);
    int rc = 0;
    if (!m || !tape || !labels ||
        gf_synthetic_make(&data, (size_t)s->samples, d, (size_t)s->classes,
                          GF_SYNTH_SEPARATION, GF_SYNTH_SEED) != 0) {
        if (m || !rng)
            snprintf(o->reason, sizeof o->reason, "out of memory"), o->status = "failed";
        goto done;
    }
    gf_tensor *x = gf_tape_input(tape, n, d);
    if (x)
        gf_dataset_sample(&data, rng, n, x->v, labels);
    gf_model_set_training(m, 1);
    gf_tensor *logits = x ? gf_model_forward(m, tape, x, &rec, NULL) : NULL;
    gf_tensor *loss = gf_softmax_xent(tape, logits, labels);
    o->status = "failed";
    if (loss && !isfinite(loss->v[0])) {
        o->status = "overflow";
        snprintf(o->reason, sizeof o->reason, "the forward pass overflowed");
        goto done;
    }
    if (!loss || gf_tape_backward(tape, loss) != 0) {
        snprintf(o->reason, sizeof o->reason, "%s", gf_tape_error(tape));
        goto done;
    }
    const int B = gf_model_blocks(m);
    double l2[2] = {NAN, NAN}, *xs = malloc((size_t)(B + 1) * 2 * sizeof *xs);
    double *ys = xs ? xs + B + 1 : NULL;
    for (size_t i = 0; i < rec.n; i++) {
        const gf_probe_record *r = &rec.rec[i];
        if (r->kind != GF_PROBE_BLOCK || !r->observed)
            continue;
        if (r->block == 0 || r->block == B)
            l2[r->block == B] = r->log2_frob;
        if (xs && r->block <= B)
            xs[r->block] = r->block, ys[r->block] = gf_log10_of_log2(r->log2_frob);
    }
    const double dec = gf_log10_of_log2(l2[0]) - gf_log10_of_log2(l2[1]);
    o->status = isfinite(dec) ? "ok" : "overflow";
    if (!isfinite(dec))
        snprintf(o->reason, sizeof o->reason, "the gradient is zero or not finite");
    o->v[0] = loss->v[0];
    o->v[1] = gf_log10_of_log2(l2[0]);
    o->v[2] = gf_log10_of_log2(l2[1]);
    o->v[3] = dec;
    o->v[4] = p->depth > 2 ? dec / (p->depth - 2) : NAN; /* 2B weight layers x_0 .. x_B */
    rc = xs ? cell_file(s, cell, "gradnorm.tsv", "block\tlog10_grad", xs, ys, B + 1, why, size)
            : (snprintf(why, size, "out of memory"), -1);
    free(xs);
done:
    gf_recorder_release(&rec);
    free(labels);
    gf_dataset_release(&data);
    gf_tape_free(tape);
    gf_model_free(m);
    gsl_rng_free(rng);
    return rc;
}

/* The mini-batch losses of a training run, as they come. */
typedef struct loss_log {
    double *loss;
    long n, cap;
} loss_log;

static void on_step(void *ctx, int epoch, long step, long per_epoch, double loss)
{
    (void)epoch, (void)step, (void)per_epoch;
    loss_log *l = ctx;
    if (l->n < l->cap)
        l->loss[l->n++] = loss;
}

/* The first step (1-based) where the mean of the last 10 mini-batch losses
 * (fewer at the start) is at most thr; NaN when none is. */
static double steps_to(const loss_log *l, double thr)
{
    double sum = 0.0;
    for (long i = 0; i < l->n; i++) {
        sum += l->loss[i] - (i >= 10 ? l->loss[i - 10] : 0.0);
        if (sum / (double)(i < 10 ? i + 1 : 10) <= thr)
            return (double)(i + 1);
    }
    return NAN;
}

/* A short training run: SGD at the cell's rate for `steps` steps of batch
 * samples, one pass over batch * steps synthetic samples; the training set's
 * loss and error at the end (evaluation mode). Diverged: the trainer stopped
 * on a loss or gradient that is not finite, or the final loss is more than
 * 10 times the first step's. */
static int measure_train(const gf_sweep_spec *s, long cell, const gf_sweep_point *p, cell_out *o,
                         char *why, size_t size)
{
    gsl_rng *rng = gf_rng_alloc((unsigned long)p->seed);
    gf_model *m = rng ? cell_net(s, p, rng, &o->status, o->reason, sizeof o->reason) : NULL;
    gf_dataset data = {0};
    loss_log log = {.loss = malloc((size_t)p->steps * sizeof(double)), .cap = p->steps};
    gf_trainer *t = NULL;
    int rc = 0;
    if (!m || !log.loss ||
        gf_synthetic_make(&data, (size_t)(s->batch * p->steps), (size_t)s->in_dim,
                          (size_t)s->classes, GF_SYNTH_SEPARATION, GF_SYNTH_SEED) != 0) {
        if (m || !rng)
            snprintf(o->reason, sizeof o->reason, "out of memory"), o->status = "failed";
        goto done;
    }
    gf_train_config tc = {.batch = (size_t)s->batch, .epochs = 1,
                          .optim = gf_optim_config_default(GF_OPTIM_SGD),
                          .sched = {.kind = GF_SCHED_CONSTANT, .lr = p->lr},
                          .seed = (unsigned long)p->seed, .eval_batch = 1024};
    tc.optim.momentum = s->momentum;
    tc.optim.weight_decay = 0.0;
    o->status = "failed";
    if (!(t = gf_trainer_alloc(m, &data, NULL, &tc, o->reason, sizeof o->reason)))
        goto done;
    gf_trainer_on_step(t, on_step, &log);
    gf_epoch_stats e;
    const int ok = gf_trainer_epoch(t, &e, o->reason, sizeof o->reason) == 0;
    o->v[0] = log.n > 0 ? log.loss[0] : NAN;
    o->v[4] = steps_to(&log, s->threshold);
    if (!ok) {
        o->status = "diverged";
        goto done;
    }
    o->status = "ok";
    if (!isfinite(e.train_loss) || e.train_loss > 10.0 * o->v[0]) { /* v[0]: the first loss */
        o->status = "diverged";
        snprintf(o->reason, sizeof o->reason, "the final loss %.4g is more than 10 times the "
                 "first (%.4g)", e.train_loss, o->v[0]);
    }
    o->v[1] = e.train_loss;
    o->v[2] = e.train_err;
    o->v[3] = 1.0 - e.train_err;
    double *steps = malloc((size_t)log.n * sizeof *steps);
    for (long i = 0; steps && i < log.n; i++)
        steps[i] = (double)(i + 1);
    rc = steps ? cell_file(s, cell, "loss.tsv", "step\tloss", steps, log.loss, log.n, why, size)
               : (snprintf(why, size, "out of memory"), -1);
    free(steps);
done:
    gf_trainer_free(t);
    gf_dataset_release(&data);
    free(log.loss);
    gf_model_free(m);
    gsl_rng_free(rng);
    return rc;
}

int gf_sweep_cell(const gf_sweep_spec *s, long cell, char *row, size_t size, char *why,
                  size_t why_size)
{
    const gf_sweep_point p = gf_sweep_point_of(s, cell);
    cell_out o = {.status = "ok", .v = {NAN, NAN, NAN, NAN, NAN}};
    int rc = 0;
    if (s->measure == GF_SWEEP_GRADNORM)
        rc = measure_gradnorm(s, cell, &p, &o, why, why_size);
    else if (s->measure == GF_SWEEP_TRAIN)
        rc = measure_train(s, cell, &p, &o, why, why_size);
    size_t at = 0;
    long rest = cell;
    char v[40];
    long idx[GF_SWEEP_KEYS];
    for (int i = s->grid->n_axes - 1; i >= 0; i--) {
        idx[i] = rest % s->grid->axis[i].n;
        rest /= s->grid->axis[i].n;
    }
    for (int i = 0; i < s->grid->n_axes; i++) {
        gf_sweep_value_text(&s->grid->axis[i], (int)idx[i], v, sizeof v);
        at += (size_t)snprintf(row + at, at < size ? size - at : 0, "%s\t", v);
    }
    at += (size_t)snprintf(row + at, at < size ? size - at : 0, "%s", o.status);
    const int nv = s->measure == GF_SWEEP_NONE ? 0 : 5;
    for (int i = 0; i < nv; i++) {
        snprintf(v, sizeof v, isnan(o.v[i]) ? "nan" : "%.10g", o.v[i]);
        at += (size_t)snprintf(row + at, at < size ? size - at : 0, "\t%s", v);
    }
    for (char *c = o.reason; *c; c++) /* one field: no tab or newline inside */
        if (*c == '\t' || *c == '\n')
            *c = ' ';
    at += (size_t)snprintf(row + at, at < size ? size - at : 0, "\t%s", o.reason);
    if (at >= size)
        row[size - 1] = 0;
    return rc;
}

int gf_sweep_cell_fn_of(void *ctx, long cell, char *row, size_t size, char *why, size_t why_size)
{
    return gf_sweep_cell(ctx, cell, row, size, why, why_size);
}
