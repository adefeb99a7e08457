/* surface.c: the loss of a model at points of weight space: a line between
 * two states (Goodfellow et al. 2015) and a plane around one (Li et al.
 * 2018). Each point writes the state into the model and runs one
 * evaluation-mode forward pass over the data (gf_evaluate: the tape's arena
 * rewinds per batch, so after the first point nothing is allocated). */
#include "gf_landscape.h"

#include "train/gf_train.h"

#include <math.h>
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

/* Points of a map (i, v) -> state written into m, each evaluated. */
typedef void (*place_fn)(const void *ctx, int i, double *v, const gf_params *p);

static int sweep(const gf_land_eval *ev, int n, place_fn place, const void *ctx, double *loss,
                 double *err, char *why, size_t size)
{
    gf_params *p = gf_model_params(ev->m);
    double *keep = gf_land_state(ev->m);
    if (!keep) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        place(ctx, i, p->value, p);
        rc = eval_here(ev, &loss[i], err ? &err[i] : NULL, why, size);
        if (ev->progress)
            ev->progress(ev->progress_ctx, i + 1, n);
    }
    gf_land_set_state(ev->m, keep);
    free(keep);
    return rc;
}

typedef struct line_ctx {
    const double *t0, *t1, *alpha;
} line_ctx;

/* (1 - a) t0 + a t1, counters as t1's: the ends are t0 and t1 to the bit. */
static void place_line(const void *ctx, int i, double *v, const gf_params *p)
{
    const line_ctx *c = ctx;
    const double a = c->alpha[i];
    for (size_t s = 0; s < p->n_slots; s++) {
        const gf_slot *sl = &p->slot[s];
        const size_t end = sl->offset + sl->rows * sl->cols;
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
