/* curvature.c: the Hessian of the loss through Hessian-vector products
 * (central differences of reverse-mode gradients), its top eigenvalue by
 * power iteration and its trace by Hutchinson's estimator. */
#include "gf_landscape.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* grad += (n / N) dL_batch/dtheta for the rows [first, first + n). */
static int batch_gradient(const gf_land_eval *ev, size_t first, size_t n, double *grad)
{
    const gf_dataset *ds = ev->data;
    gf_tape_reset(ev->tape);
    gf_tensor *x = gf_tape_input(ev->tape, n, ds->dim);
    if (!x)
        return -1;
    memcpy(x->v, ds->x + first * ds->dim, n * ds->dim * sizeof *x->v);
    gf_tensor *z = gf_model_forward(ev->m, ev->tape, x, NULL, NULL);
    gf_tensor *loss = gf_softmax_xent(ev->tape, z, ds->y + first);
    if (!loss || gf_tape_backward(ev->tape, loss) != 0)
        return -1;
    const gf_params *p = gf_model_params(ev->m);
    const uint64_t pass = gf_tape_pass(ev->tape);
    const double w = (double)n / (double)ds->n;
    for (size_t i = 0; i < p->n_slots; i++) {
        const gf_slot *s = &p->slot[i];
        if (s->kind != GF_SLOT_PARAM || s->t.pass != pass)
            continue; /* a slot the pass did not reach has gradient 0 */
        for (size_t j = 0; j < s->rows * s->cols; j++)
            grad[s->offset + j] += w * s->t.g[j];
    }
    return 0;
}

int gf_land_gradient(const gf_land_eval *ev, const double *theta, double *grad, char *why,
                     size_t size)
{
    gf_params *p = gf_model_params(ev->m);
    double *keep = gf_land_state(ev->m);
    if (!keep) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    const int training = gf_model_training(ev->m);
    gf_land_set_state(ev->m, theta);
    gf_model_set_training(ev->m, 0);
    gf_params_requires_grad(p, 1);
    memset(grad, 0, p->size * sizeof *grad);
    int rc = 0;
    for (size_t first = 0; first < ev->data->n && rc == 0; first += ev->batch) {
        const size_t n = ev->data->n - first < ev->batch ? ev->data->n - first : ev->batch;
        rc = batch_gradient(ev, first, n, grad);
    }
    if (rc != 0)
        snprintf(why, size, "gradient failed: %s",
                 *gf_tape_error(ev->tape) ? gf_tape_error(ev->tape) : "out of memory");
    gf_model_set_training(ev->m, training);
    gf_land_set_state(ev->m, keep);
    free(keep);
    return rc;
}

int gf_land_hessian_init(gf_land_hessian *h, const gf_land_eval *ev, const double *theta)
{
    memset(h, 0, sizeof *h);
    h->ev = ev;
    h->theta = theta;
    h->step = GF_LAND_HVP_STEP;
    h->n = gf_model_params(ev->m)->size;
    h->work = malloc(3 * h->n * sizeof *h->work);
    return h->work ? 0 : -1;
}

void gf_land_hessian_release(gf_land_hessian *h)
{
    free(h->work);
    h->work = NULL;
}

/* lesson:hvp begin */
/* (g(theta + s v) - g(theta - s v)) / (2 s), s = step / ||v||. */
static int hvp_at(gf_land_hessian *h, double step, const double *v, double *out)
{
    double vn = 0.0;
    for (size_t i = 0; i < h->n; i++)
        vn += v[i] * v[i];
    vn = sqrt(vn);
    if (vn == 0.0) {
        memset(out, 0, h->n * sizeof *out);
        return 0;
    }
    const double s = step / vn;
    double *t = h->work, *gp = h->work + h->n, *gm = h->work + 2 * h->n;
    for (size_t i = 0; i < h->n; i++)
        t[i] = h->theta[i] + s * v[i];
    if (gf_land_gradient(h->ev, t, gp, h->why, sizeof h->why) != 0)
        return -1;
    for (size_t i = 0; i < h->n; i++)
        t[i] = h->theta[i] - s * v[i];
    if (gf_land_gradient(h->ev, t, gm, h->why, sizeof h->why) != 0)
        return -1;
    for (size_t i = 0; i < h->n; i++)
        out[i] = (gp[i] - gm[i]) / (2.0 * s);
    return 0;
}
/* lesson:hvp end */

int gf_land_hvp(void *ctx, const double *v, double *out)
{
    gf_land_hessian *h = ctx;
    return hvp_at(h, h->step, v, out);
}

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

double gf_land_hvp_error(gf_land_hessian *h, const double *v)
{
    double *a = malloc(2 * h->n * sizeof *a);
    double e = NAN;
    if (a && hvp_at(h, h->step, v, a) == 0 && hvp_at(h, 2.0 * h->step, v, a + h->n) == 0) {
        const double vv = dot(v, v, h->n);
        e = fabs(dot(v, a, h->n) - dot(v, a + h->n, h->n)) / (3.0 * vv);
    }
    free(a);
    return e;
}

/* v /= ||v||; returns the norm. */
static double normalize(double *v, size_t n)
{
    const double nv = sqrt(dot(v, v, n));
    if (nv > 0.0)
        for (size_t i = 0; i < n; i++)
            v[i] /= nv;
    return nv;
}

int gf_land_top_eig(gf_land_matvec A, void *ctx, size_t n, const unsigned char *mask,
                    gsl_rng *rng, int max_iter, double tol, double *lambda, double *vec,
                    int *iters)
{
    double *v = malloc(2 * n * sizeof *v), *w = v ? v + n : NULL;
    if (!v)
        return -1;
    for (size_t i = 0; i < n; i++)
        v[i] = !mask || mask[i] ? gsl_ran_gaussian_ziggurat(rng, 1.0) : 0.0;
    normalize(v, n);
    double lam = NAN;
    int it = 0, rc = 0;
    while (it < max_iter) {
        if ((rc = A(ctx, v, w)) != 0)
            break;
        it++;
        const double next = dot(v, w, n); /* Rayleigh quotient v.Av, ||v|| = 1 */
        const int done = isfinite(lam) && fabs(next - lam) <= tol * fabs(next);
        lam = next;
        if (mask)
            for (size_t i = 0; i < n; i++)
                w[i] = mask[i] ? w[i] : 0.0;
        if (normalize(w, n) == 0.0 || done)
            break;
        memcpy(v, w, n * sizeof *v);
    }
    *lambda = lam;
    if (vec)
        memcpy(vec, v, n * sizeof *v);
    if (iters)
        *iters = it;
    free(v);
    return rc;
}

int gf_land_trace(gf_land_matvec A, void *ctx, size_t n, const unsigned char *mask,
                  gsl_rng *rng, int k, double *mean, double *se)
{
    double *z = malloc(2 * n * sizeof *z), *az = z ? z + n : NULL;
    if (!z)
        return -1;
    double sum = 0.0, sum2 = 0.0;
    int rc = 0;
    for (int s = 0; s < k && rc == 0; s++) {
        for (size_t i = 0; i < n; i++)
            z[i] = !mask || mask[i] ? (gsl_rng_uniform_int(rng, 2) ? 1.0 : -1.0) : 0.0;
        if ((rc = A(ctx, z, az)) == 0) {
            const double q = dot(z, az, n); /* E[z^T A z] = tr A for Rademacher z */
            sum += q;
            sum2 += q * q;
        }
    }
    *mean = sum / k;
    const double var = k > 1 ? (sum2 - sum * sum / k) / (k - 1) : NAN;
    *se = sqrt(var > 0.0 ? var : 0.0) / sqrt((double)k);
    free(z);
    return rc;
}
