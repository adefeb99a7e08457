/* surface.c: the loss of a model at points of weight space: a line between
 * two states (Goodfellow et al. 2015) and a plane around one (Li et al.
 * 2018). Each point writes the state into the model and runs one
 * evaluation-mode forward pass over the data (gf_evaluate: the tape's arena
 * rewinds per batch, so after the first point nothing is allocated).
 * With ev->threads > 1 the points are shared among that many threads, each
 * with its own copy of the model and its own tape: the same numbers to the
 * bit as one thread (every point is computed alone, the same way). */
#include "gf_landscape.h"

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

/* A worker: its own copy of the model and its own tape (the caller's for
 * worker 0), taking the next point until none is left. */
typedef struct sweep_job {
    const gf_land_eval *ev;
    int n;
    place_fn place;
    const void *ctx;
    double *loss, *err;
    atomic_int next, done, failed;
    pthread_mutex_t lock;        /* the reason and the progress calls */
    char *why;
    size_t size;
} sweep_job;

typedef struct sweep_worker {
    sweep_job *job;
    gf_land_eval ev;             /* its model and tape */
} sweep_worker;

static void *sweep_run(void *arg)
{
    sweep_worker *w = arg;
    sweep_job *j = w->job;
    gf_params *p = gf_model_params(w->ev.m);
    char why[256];
    for (int i; !atomic_load(&j->failed) && (i = atomic_fetch_add(&j->next, 1)) < j->n;) {
        j->place(j->ctx, i, p->value, p);
        if (eval_here(&w->ev, &j->loss[i], j->err ? &j->err[i] : NULL, why, sizeof why) != 0) {
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

static int sweep(const gf_land_eval *ev, int n, place_fn place, const void *ctx, double *loss,
                 double *err, char *why, size_t size)
{
    double *keep = gf_land_state(ev->m);
    const int T = ev->threads > 1 ? (ev->threads < n ? ev->threads : (n > 0 ? n : 1)) : 1;
    sweep_worker *w = calloc((size_t)T, sizeof *w);
    pthread_t *tid = calloc((size_t)T, sizeof *tid);
    sweep_job j = {.ev = ev, .n = n, .place = place, .ctx = ctx, .loss = loss, .err = err,
                   .why = why, .size = size};
    int rc = keep && w && tid ? 0 : -1, started = 1;
    pthread_mutex_init(&j.lock, NULL);
    for (int t = 0; t < T && rc == 0; t++) {
        w[t].job = &j;
        if (t == 0)
            w[t].ev = *ev;
        else
            rc = clone_worker(&w[t], ev, keep);
    }
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
    for (int t = 1; t < T && w; t++) {
        gf_model_free(w[t].ev.m);
        gf_tape_free(w[t].ev.tape);
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
    return sweep(ev, n, place_line, &c, loss, err, why, size);
}

typedef struct plane_ctx {
    const double *c, *d1, *d2, *x, *y;
    int nx;
} plane_ctx;

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
    const plane_ctx pc = {c, d1, d2, x, y, nx};
    return sweep(ev, nx * ny, place_plane, &pc, loss, err, why, size);
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
