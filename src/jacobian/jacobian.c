/* jacobian.c: block and end-to-end Jacobians of a model (any family, through
 * gf_model) by batched vector-Jacobian products; singular values. */
#include "jacobian/gf_jacobian.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A tape input holding d copies of the row v (d x d), differentiable. */
static gf_tensor *copies(gf_tape *tape, const double *v, size_t d)
{
    gf_tensor *X = gf_tape_input(tape, d, d);
    if (!X)
        return NULL;
    for (size_t r = 0; r < d; r++)
        memcpy(X->v + r * d, v, d * sizeof *v);
    X->flags |= GF_REQUIRES_GRAD;
    return X;
}

static void identity(double *a, size_t d)
{
    memset(a, 0, d * d * sizeof *a);
    for (size_t i = 0; i < d; i++)
        a[i * d + i] = 1.0;
}

/* x_0 of sample x (1 x d, its values into *x0, malloc'd); NULL on failure. */
static double *stem_of(gf_model *m, gf_tape *tape, const double *x, size_t *d)
{
    const size_t in_dim = gf_model_in_dim(m);
    gf_tensor *in = gf_tape_input(tape, 1, in_dim);
    if (!in)
        return NULL;
    memcpy(in->v, x, in_dim * sizeof *x);
    gf_tensor *h = gf_model_stem(m, tape, in);
    double *x0 = h ? malloc(h->d * sizeof *x0) : NULL;
    if (x0) {
        *d = h->d;
        memcpy(x0, h->v, h->d * sizeof *x0);
    }
    return x0;
}

/* The Jacobians of m at x in evaluation mode (see gf_jacobians_compute). */
static int compute(gf_model *m, gf_tape *tape, const double *x, gf_jacobians *out, char *why,
                   size_t size)
{
    const size_t B = (size_t)gf_model_blocks(m);
    size_t d = 0;
    double *x0 = stem_of(m, tape, x, &d);
    const size_t dd = d * d;
    gf_tensor **xs = calloc(B + 1, sizeof *xs);
    double *seed = malloc((dd + 1) * sizeof *seed), *xl = malloc((d + 1) * sizeof *xl);
    out->block = malloc((B * dd + 1) * sizeof *out->block);
    out->end = malloc(((B + 1) * dd + 1) * sizeof *out->end);
    out->blocks = (int)B;
    out->d = d;
    gf_tape *t2 = gf_tape_alloc(0), *failed = x0 ? NULL : tape;
    int rc = x0 && xs && seed && xl && out->block && out->end && t2 ? 0 : -1;
    if (rc == 0)
        identity(seed, d);
    /* end to end: the blocks on d copies of x_0, seeded with I at x_B */
    if (rc == 0) {
        gf_tape_reset(tape);
        xs[0] = copies(tape, x0, d);
        for (size_t l = 0; l < B && xs[l]; l++)
            xs[l + 1] = gf_model_block(m, tape, (int)l, xs[l]);
        if (!xs[B] || gf_tape_backward_from(tape, xs[B], seed) != 0)
            rc = -1, failed = tape;
        for (size_t l = 0; rc == 0 && l < B; l++)
            gf_tensor_grad_export(xs[l], out->end + l * dd);
        identity(out->end + B * dd, d);
    }
    /* block by block: block l on d copies of x_l, seeded with I at x_{l+1}, on one
     * second tape rewound for every block (a fresh tape per block cost more than
     * the products: new pages to fault in every time) */
    for (size_t l = 0; rc == 0 && l < B; l++) {
        memcpy(xl, xs[l]->v, d * sizeof *xl); /* row 0 of the copies: x_l itself */
        gf_tape_reset(t2);
        gf_tensor *X = copies(t2, xl, d);
        gf_tensor *Y = X ? gf_model_block(m, t2, (int)l, X) : NULL;
        if (!Y || gf_tape_backward_from(t2, Y, seed) != 0)
            rc = -1, failed = t2;
        else
            gf_tensor_grad_export(X, out->block + l * dd);
    }
    if (rc != 0 && failed && gf_tape_status(failed) != 0)
        snprintf(why, size, "the forward or backward pass failed: %s", gf_tape_error(failed));
    else if (rc != 0)
        snprintf(why, size, "out of memory");
    gf_tape_free(t2);
    free(xl);
    free(xs);
    free(seed);
    free(x0);
    return rc;
}

int gf_jacobians_compute(gf_model *m, const double *x, gf_jacobians *out, char *why,
                         size_t size)
{
    memset(out, 0, sizeof *out);
    gf_params *params = gf_model_params(m);
    const int training = gf_model_training(m);
    gf_tape *tape = gf_tape_alloc(0);
    int rc = -1;
    if (!tape)
        snprintf(why, size, "out of memory");
    else {
        gf_model_set_training(m, 0);
        gf_params_requires_grad(params, 0); /* input gradients only */
        rc = compute(m, tape, x, out, why, size);
        gf_params_requires_grad(params, 1);
        gf_model_set_training(m, training);
    }
    gf_tape_free(tape);
    if (rc != 0)
        gf_jacobians_release(out);
    return rc;
}

void gf_jacobians_release(gf_jacobians *j)
{
    free(j->block);
    free(j->end);
    memset(j, 0, sizeof *j);
}

int gf_singular_values(const double *a, size_t m, size_t n, double *sv)
{
    /* GSL's SVD wants rows >= columns: take the transpose when m < n (same values) */
    const size_t r = m >= n ? m : n, c = m >= n ? n : m;
    gsl_matrix *A = gsl_matrix_alloc(r, c), *V = gsl_matrix_alloc(c, c);
    gsl_vector *S = gsl_vector_alloc(c), *work = gsl_vector_alloc(c);
    int rc = A && V && S && work ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < m; i++)
        for (size_t j = 0; j < n; j++)
            gsl_matrix_set(A, m >= n ? i : j, m >= n ? j : i, a[i * n + j]);
    if (rc == 0 && gsl_linalg_SV_decomp(A, V, S, work) != GSL_SUCCESS)
        rc = -1;
    for (size_t i = 0; rc == 0 && i < c; i++)
        sv[i] = gsl_vector_get(S, i); /* GSL returns them in decreasing order */
    gsl_matrix_free(A);
    gsl_matrix_free(V);
    gsl_vector_free(S);
    gsl_vector_free(work);
    return rc;
}

double gf_spectral_norm(const double *a, size_t n, double tol, int max_iter, gsl_rng *rng)
{
    double *v = malloc(n * sizeof *v), *w = malloc(n * sizeof *w);
    if (!v || !w) {
        free(v);
        free(w);
        return NAN;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = gsl_ran_gaussian(rng, 1.0);
    double sigma = 0.0;
    gsl_matrix_const_view A = gsl_matrix_const_view_array(a, n, n);
    gsl_vector_view V = gsl_vector_view_array(v, n), W = gsl_vector_view_array(w, n);
    for (int it = 0; it < max_iter; it++) {
        /* v <- v / ||v||; w = a v; v = a^T w; sigma^2 ~ ||a v||^2. Both products by
         * dgemv (the linked BLAS), which reads a row by row either way */
        const double nv = gsl_blas_dnrm2(&V.vector);
        if (nv == 0.0)
            break;
        gsl_blas_dgemv(CblasNoTrans, 1.0 / nv, &A.matrix, &V.vector, 0.0, &W.vector);
        const double next = gsl_blas_dnrm2(&W.vector);
        gsl_blas_dgemv(CblasTrans, 1.0, &A.matrix, &W.vector, 0.0, &V.vector);
        const int done = it > 0 && fabs(next - sigma) <= tol * next;
        sigma = next;
        if (done)
            break;
    }
    free(v);
    free(w);
    return sigma;
}
