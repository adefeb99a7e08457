/* power.c: the largest singular value of a model's map x_a -> x_b without
 * forming its Jacobian (for nets whose Jacobians are too large, or not
 * square: the convolutional nets' blocks change width). */
#include "jacobian/gf_jacobian.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Blocks a..b-1 of m on the rows of X: x_b. */
static gf_tensor *run_blocks(gf_model *m, gf_tape *tape, gf_tensor *X, int a, int b)
{
    for (int l = a; l < b && X; l++)
        X = gf_model_block(m, tape, l, X);
    return X;
}

static double norm2(const double *v, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += v[i] * v[i];
    return sqrt(s);
}

/* J v by central differences at step h: (f(x + h v) - f(x - h v)) / 2h, the
 * two points as two rows of one pass (evaluation mode: rows independent). */
static int jvp(gf_model *m, gf_tape *tape, const double *x, const double *v, size_t d, int a,
               int b, double h, double *out, size_t *d_out)
{
    gf_tape_reset(tape);
    gf_tensor *X = gf_tape_input(tape, 2, d);
    if (!X)
        return -1;
    for (size_t i = 0; i < d; i++) {
        X->v[i] = x[i] + h * v[i];
        X->v[d + i] = x[i] - h * v[i];
    }
    gf_tensor *Y = run_blocks(m, tape, X, a, b);
    if (!Y)
        return -1;
    *d_out = Y->d;
    for (size_t i = 0; i < Y->d; i++)
        out[i] = (Y->v[i] - Y->v[Y->d + i]) / (2.0 * h);
    return 0;
}

/* J^T u, exactly: one backward pass seeded with u. */
static int vjp(gf_model *m, gf_tape *tape, const double *x, const double *u, size_t d, int a,
               int b, double *out)
{
    gf_tape_reset(tape);
    gf_tensor *X = gf_tape_input(tape, 1, d);
    if (!X)
        return -1;
    memcpy(X->v, x, d * sizeof *x);
    X->flags |= GF_REQUIRES_GRAD;
    gf_tensor *Y = run_blocks(m, tape, X, a, b);
    if (!Y || gf_tape_backward_from(tape, Y, u) != 0)
        return -1;
    gf_tensor_grad_export(X, out);
    return 0;
}

/* Power iteration on J^T J (see gf_jacobian_top_sv). */
static int iterate(gf_model *m, gf_tape *tape, const double *x, size_t d, int a, int b,
                   int iters, double tol, gsl_rng *rng, double *w, double *v, double *sigma)
{
    const double h = 1e-6 * fmax(1.0, norm2(x, d) / sqrt((double)d));
    size_t d_out = 0;
    for (size_t i = 0; i < d; i++)
        v[i] = gsl_ran_gaussian(rng, 1.0);
    *sigma = 0.0;
    for (int it = 0; it < iters; it++) {
        const double nv = norm2(v, d);
        if (nv == 0.0)
            return 0; /* J^T u = 0: J is zero there */
        for (size_t i = 0; i < d; i++)
            v[i] /= nv;
        if (jvp(m, tape, x, v, d, a, b, h, w, &d_out) != 0)
            return -1;
        const double nw = norm2(w, d_out);
        if (nw == 0.0)
            return 0;
        for (size_t i = 0; i < d_out; i++)
            w[i] /= nw;
        if (vjp(m, tape, x, w, d, a, b, v) != 0)
            return -1;
        const double next = norm2(v, d); /* ||J^T u||, u a unit vector: <= sigma_max */
        const int done = it > 0 && fabs(next - *sigma) <= tol * next;
        *sigma = fmax(*sigma, next);
        if (done)
            break;
    }
    return 0;
}

int gf_jacobian_top_sv(gf_model *m, const double *x_a, size_t d, int a, int b, int iters,
                       double tol, gsl_rng *rng, double *sigma, char *why, size_t size)
{
    gf_params *params = gf_model_params(m);
    const int training = gf_model_training(m);
    gf_tape *tape = gf_tape_alloc(0);
    double *v = malloc(d * sizeof *v), *w = NULL;
    int rc = -1;
    gf_model_set_training(m, 0);
    gf_params_requires_grad(params, 0); /* input gradients only */
    if (tape && v) { /* x_b's width, from one pass */
        gf_tensor *X = gf_tape_input(tape, 1, d);
        if (X)
            memcpy(X->v, x_a, d * sizeof *x_a);
        gf_tensor *Y = X ? run_blocks(m, tape, X, a, b) : NULL;
        w = Y ? malloc(Y->d * sizeof *w) : NULL;
        rc = w ? iterate(m, tape, x_a, d, a, b, iters, tol, rng, w, v, sigma) : -1;
    }
    if (rc != 0)
        snprintf(why, size, "%s", tape && gf_tape_status(tape) != 0 ? gf_tape_error(tape)
                                                                 : "out of memory");
    gf_params_requires_grad(params, 1);
    gf_model_set_training(m, training);
    gf_tape_free(tape);
    free(v);
    free(w);
    return rc;
}
