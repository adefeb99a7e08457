/* surface.c: the loss of a model at points of weight space: a line between
 * two states (Goodfellow et al. 2015) and a plane around one (Li et al.
 * 2018). Each point writes the state into the model and runs one
 * evaluation-mode forward pass over the data, in gf_evaluate's batches and
 * sums: an MLP stack without the tape (gf_stack_infer, the tape's numbers to
 * the bit), any other model through gf_evaluate (the tape's arena rewinds per
 * batch). Nothing is allocated per point. A plane of an MLP stack also makes
 * the stem's products over the data once, not once per point (plane_stem).
 * With ev->threads > 1 the points are shared among that many threads, each
 * with its own copy of the model: the same numbers to the bit as one thread
 * (every point is computed alone, the same way). */
#include "gf_landscape.h"

#include "nn/gf_nn.h"
#include "train/gf_train.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

/* One evaluation at m's current state. */
static int eval_here(const gf_land_eval *ev, double *loss, double *err, char *why, size_t size)
{
    double l, e;
    if (gf_evaluate(ev->m, ev->tape, ev->data, ev->batch, NULL, &l, &e) != 0) {
        snprintf(why, size, "evaluation failed: %s",
                 *gf_tape_error(ev->tape) ? gf_tape_error(ev->tape) : "out of memory");
        return -1;
    }
    *loss = l;
    if (err)
        *err = e;
    return 0;
}

int gf_land_loss(const gf_land_eval *ev, const double *theta, double *loss, double *err,
                 char *why, size_t size)
{
    double *keep = gf_land_state(ev->m);
    if (!keep) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    gf_land_set_state(ev->m, theta);
    const int rc = eval_here(ev, loss, err, why, size);
    gf_land_set_state(ev->m, keep);
    free(keep);
    return rc;
}

/* Points of a map (i, v) -> state written into a model, each evaluated. */
typedef void (*place_fn)(const void *ctx, int i, double *v, const gf_params *p);
/* Point i's stem output (b + x W^T of the stem's Linear) for the rows
 * [first, first + n) of the data, when the map knows it without the product. */
typedef void (*stem_fn)(const void *ctx, int i, size_t first, size_t n, double *out);

/* A job: the points, and how far they have gone. */
typedef struct sweep_job {
    const gf_land_eval *ev;
    int n;
    place_fn place;
    stem_fn stem;                /* NULL: every point computes its stem */
    const void *ctx;
    double *loss, *err;
    atomic_int next, done, failed;
    pthread_mutex_t lock;        /* the reason and the progress calls */
    char *why;
    size_t size;
} sweep_job;

/* A worker: its own copy of the model and its own tape (the caller's for
 * worker 0), taking the next point until none is left. An MLP stack is
 * evaluated without the tape (gf_stack_infer: the tape's numbers to the bit,
 * without writing every layer's output to memory). */
typedef struct sweep_worker {
    sweep_job *job;
    gf_land_eval ev;             /* its model and tape */
    gf_stack_infer *infer;       /* NULL: gf_evaluate on the tape */
    double *stem, *logits;       /* batch x width, batch x classes */
} sweep_worker;

/* Labels a softmax can score (gf_softmax_xent checks them on the tape). */
static int labels_valid(const gf_dataset *ds)
{
    for (size_t i = 0; i < ds->n; i++)
        if (ds->y[i] < 0 || (size_t)ds->y[i] >= ds->classes)
            return 0;
    return 1;
}

/* ev's model when gf_stack_infer covers it (an MLP stack without layer norm,
 * scoring labels it can score), else NULL. */
static const gf_stack *covered_stack(const gf_land_eval *ev)
{
    gf_model *m = ev->m;
    if (m->type != &gf_model_mlp || !gf_stack_infer_supported(gf_model_config(m)) ||
        gf_model_classes(m) != ev->data->classes || !labels_valid(ev->data))
        return NULL;
    return gf_model_net(m);
}

/* The worker's tapeless evaluator when its model is covered; 0, or -1 out of
 * memory. */
static int worker_infer(sweep_worker *w)
{
    const gf_stack *s = covered_stack(&w->ev);
    if (!s)
        return 0;
    w->infer = gf_stack_infer_alloc(s, w->ev.batch);
    w->stem = malloc(w->ev.batch * s->cfg.width * sizeof *w->stem);
    w->logits = malloc(w->ev.batch * s->cfg.classes * sizeof *w->logits);
    return w->infer && w->stem && w->logits ? 0 : -1;
}

static void worker_release(sweep_worker *w)
{
    gf_stack_infer_free(w->infer);
    free(w->stem);
    free(w->logits);
}

/* Point i's loss and error at the state in the worker's model: gf_evaluate's
 * batches and sums, without the tape when the worker has an evaluator. */
static int eval_point(sweep_worker *w, int i, double *loss, double *err, char *why,
                      size_t size)
{
    if (!w->infer)
        return eval_here(&w->ev, loss, err, why, size);
    const sweep_job *j = w->job;
    const gf_dataset *ds = w->ev.data;
    const size_t C = ds->classes;
    double sum = 0.0;
    size_t wrong = 0;
    gf_stack_infer_prepare(w->infer);
    for (size_t first = 0; first < ds->n; first += w->ev.batch) {
        const size_t n = ds->n - first < w->ev.batch ? ds->n - first : w->ev.batch;
        if (j->stem)
            j->stem(j->ctx, i, first, n, w->stem);
        if (gf_stack_infer_rows(w->infer, ds->x + first * ds->dim, j->stem ? w->stem : NULL, n,
                                w->logits) != 0) {
            snprintf(why, size, "evaluation failed: %zu rows in a workspace of %zu", n,
                     w->ev.batch);
            return -1;
        }
        sum += gf_xent_sum(w->logits, ds->y + first, n, C, NULL) / (double)n * (double)n;
        wrong += gf_wrong_count(w->logits, ds->y + first, n, C);
    }
    *loss = sum / (double)ds->n;
    if (err)
        *err = (double)wrong / (double)ds->n;
    return 0;
}

static void *sweep_run(void *arg)
{
    sweep_worker *w = arg;
    sweep_job *j = w->job;
    gf_params *p = gf_model_params(w->ev.m);
    char why[256];
    for (int i; !atomic_load(&j->failed) && (i = atomic_fetch_add(&j->next, 1)) < j->n;) {
        j->place(j->ctx, i, p->value, p);
        if (eval_point(w, i, &j->loss[i], j->err ? &j->err[i] : NULL, why, sizeof why) != 0) {
            pthread_mutex_lock(&j->lock);
            if (!atomic_exchange(&j->failed, 1))
                snprintf(j->why, j->size, "%s", why);
            pthread_mutex_unlock(&j->lock);
            break;
        }
        const int done = atomic_fetch_add(&j->done, 1) + 1;
        if (j->ev->progress) {
            pthread_mutex_lock(&j->lock);
            j->ev->progress(j->ev->progress_ctx, done, j->n);
            pthread_mutex_unlock(&j->lock);
        }
    }
    return NULL;
}

/* A copy of m (same family, configuration and state) with a tape; 0 or -1. */
static int clone_worker(sweep_worker *w, const gf_land_eval *ev, const double *state)
{
    char why[256];
    w->ev = *ev;
    w->ev.m = gf_model_alloc(ev->m->type, gf_model_config(ev->m), why, sizeof why);
    w->ev.tape = gf_tape_alloc(0);
    if (!w->ev.m || !w->ev.tape)
        return -1;
    gf_land_set_state(w->ev.m, state);
    return 0;
}

static int sweep(const gf_land_eval *ev, int n, place_fn place, stem_fn stem, const void *ctx,
                 double *loss, double *err, char *why, size_t size)
{
    double *keep = gf_land_state(ev->m);
    const int T = ev->threads > 1 ? (ev->threads < n ? ev->threads : (n > 0 ? n : 1)) : 1;
    sweep_worker *w = calloc((size_t)T, sizeof *w);
    pthread_t *tid = calloc((size_t)T, sizeof *tid);
    sweep_job j = {.ev = ev, .n = n, .place = place, .stem = stem, .ctx = ctx, .loss = loss,
                   .err = err, .why = why, .size = size};
    int rc = keep && w && tid ? 0 : -1, started = 1;
    pthread_mutex_init(&j.lock, NULL);
    for (int t = 0; t < T && rc == 0; t++) {
        w[t].job = &j;
        if (t == 0)
            w[t].ev = *ev;
        else
            rc = clone_worker(&w[t], ev, keep);
        if (rc == 0)
            rc = worker_infer(&w[t]);
    }
    if (rc == 0 && stem && !w[0].infer)
        j.stem = NULL; /* no tapeless evaluator: the stem comes from the state */
    if (rc != 0)
        snprintf(why, size, "out of memory");
    for (int t = 1; t < T && rc == 0; t++, started++)
        if (pthread_create(&tid[t], NULL, sweep_run, &w[t]) != 0)
            break; /* the workers that started do the rest */
    if (rc == 0)
        sweep_run(&w[0]);
    for (int t = 1; t < started; t++)
        pthread_join(tid[t], NULL);
    if (rc == 0 && atomic_load(&j.failed))
        rc = -1;
    for (int t = 0; t < T && w; t++) {
        worker_release(&w[t]);
        if (t > 0) {
            gf_model_free(w[t].ev.m);
            gf_tape_free(w[t].ev.tape);
        }
    }
    pthread_mutex_destroy(&j.lock);
    if (keep)
        gf_land_set_state(ev->m, keep);
    free(keep);
    free(w);
    free(tid);
    return rc;
}

typedef struct line_ctx {
    const double *t0, *t1, *alpha;
} line_ctx;

/* (1 - a) t0 + a t1, counters as t1's: the ends are t0 and t1 to the bit.
 * Running statistics take a clamped to [0, 1] (a variance extrapolated past
 * an end could turn negative). */
static void place_line(const void *ctx, int i, double *v, const gf_params *p)
{
    const line_ctx *c = ctx;
    for (size_t s = 0; s < p->n_slots; s++) {
        const gf_slot *sl = &p->slot[s];
        const size_t end = sl->offset + sl->rows * sl->cols;
        const double a = sl->kind == GF_SLOT_PARAM ? c->alpha[i]
                                                   : fmin(1.0, fmax(0.0, c->alpha[i]));
        for (size_t j = sl->offset; j < end; j++)
            v[j] = sl->kind == GF_SLOT_COUNT_I64 ? c->t1[j] : (1.0 - a) * c->t0[j] + a * c->t1[j];
    }
}

int gf_land_path(const gf_land_eval *ev, const double *theta0, const double *theta1,
                 const double *alpha, int n, double *loss, double *err, char *why, size_t size)
{
    const line_ctx c = {theta0, theta1, alpha};
    return sweep(ev, n, place_line, NULL, &c, loss, err, why, size);
}

typedef struct plane_ctx {
    const double *c, *d1, *d2, *x, *y;
    int nx;
    double *stem[3];             /* N x width each: b + x W^T of c, d1, d2, or NULL */
    size_t width;
} plane_ctx;

/* The stem's Linear is linear in its weights: at c + a d1 + b d2 its output is
 * S(c) + a S(d1) + b S(d2) with S(t) = t_b + x t_W^T, so the three products
 * over the data are made once per plane, not once per point (at a width of
 * 64 on 784 inputs the stem is a fifth of an MLP's work). (0, 0) is S(c):
 * the stem's output at c to the bit. */
static void plane_stem(const void *ctx, int i, size_t first, size_t n, double *out)
{
    const plane_ctx *c = ctx;
    const double a = c->x[i % c->nx], b = c->y[i / c->nx];
    const size_t W = c->width;
    const double *s0 = c->stem[0] + first * W, *s1 = c->stem[1] + first * W,
                 *s2 = c->stem[2] + first * W;
    for (size_t k = 0; k < n * W; k++)
        out[k] = s0[k] + a * s1[k] + b * s2[k];
}

/* The three stem products of a covered stack over ev->data (plane_ctx); 0,
 * or -1 when the stack is not covered or memory is short (every point then
 * computes its own stem). */
static int plane_stem_products(plane_ctx *pc, const gf_land_eval *ev)
{
    const gf_stack *s = covered_stack(ev);
    if (!s)
        return -1;
    const gf_params *p = &s->params;
    const gf_slot *w = &p->slot[s->stem.weight];
    const gf_slot *b = s->stem.bias >= 0 ? &p->slot[s->stem.bias] : NULL;
    const double *at[3] = {pc->c, pc->d1, pc->d2};
    const size_t N = ev->data->n, W = s->cfg.width;
    for (int k = 0; k < 3; k++) {
        pc->stem[k] = malloc(N * W * sizeof *pc->stem[k]);
        if (!pc->stem[k])
            return -1;
        gf_linear_rows(ev->data->x, N, ev->data->dim, at[k] + w->offset, W,
                       b ? at[k] + b->offset : NULL, pc->stem[k]);
    }
    pc->width = W;
    return 0;
}

static void place_plane(const void *ctx, int i, double *v, const gf_params *p)
{
    const plane_ctx *c = ctx;
    const double a = c->x[i % c->nx], b = c->y[i / c->nx];
    for (size_t j = 0; j < p->size; j++)
        v[j] = c->c[j] + a * c->d1[j] + b * c->d2[j];
}

int gf_land_surface(const gf_land_eval *ev, const double *c, const double *d1,
                    const double *d2, const double *x, int nx, const double *y, int ny,
                    double *loss, double *err, char *why, size_t size)
{
    plane_ctx pc = {c, d1, d2, x, y, nx, {NULL, NULL, NULL}, 0};
    const int products = plane_stem_products(&pc, ev) == 0;
    const int rc = sweep(ev, nx * ny, place_plane, products ? plane_stem : NULL, &pc, loss, err,
                         why, size);
    for (int k = 0; k < 3; k++)
        free(pc.stem[k]);
    return rc;
}

double gf_land_nonconvex_share(const double *f, int g)
{
    int count = 0, total = 0;
    for (int j = 1; j + 1 < g; j++)
        for (int i = 1; i + 1 < g; i++, total++) {
            const double c = f[j * g + i];
            const double fxx = f[j * g + i + 1] - 2.0 * c + f[j * g + i - 1];
            const double fyy = f[(j + 1) * g + i] - 2.0 * c + f[(j - 1) * g + i];
            const double fxy = (f[(j + 1) * g + i + 1] - f[(j + 1) * g + i - 1] -
                                f[(j - 1) * g + i + 1] + f[(j - 1) * g + i - 1]) / 4.0;
            const double m = (fxx + fyy) / 2.0, r = hypot((fxx - fyy) / 2.0, fxy);
            const double lo = m - r, hi = m + r; /* the eigenvalues, up to the grid's h^2 */
            count += lo < 0.0 && fabs(lo) > 0.1 * fabs(hi);
        }
    return total ? (double)count / total : NAN;
}

typedef struct plane_file {
    const double *coords, *loss, *err;
    int G;
} plane_file;

static int write_plane(FILE *f, const void *ctx)
{
    const plane_file *c = ctx;
    fputs("# x\ty\tloss\terr\n", f);
    for (int i = 0; i < c->G; i++) {
        for (int j = 0; j < c->G; j++) {
            fprintf(f, "%.17g", c->coords[i]);
            gf_tsv_put(f, c->coords[j]);
            gf_tsv_put(f, c->loss[j * c->G + i]);
            gf_tsv_put(f, c->err ? c->err[j * c->G + i] : NAN);
            fputc('\n', f);
        }
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

int gf_land_surface_write(const char *path, const double *coords, int G, const double *loss,
                          const double *err, char *why, size_t size)
{
    const plane_file c = {coords, loss, err, G};
    return gf_write_file(path, write_plane, &c, why, size);
}
