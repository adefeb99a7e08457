/* init.c: weight initialization schemes (see gf_init in gf_nn.h). */
#include "nn/gf_nn.h"

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <math.h>

/* Orthogonal rows or columns: Q of A = QR, A Gaussian (rows >= cols), with
 * the signs of diag(R) folded in so Q is Haar-distributed (as PyTorch). */
static int orthogonal(double *w, size_t out, size_t in, gsl_rng *rng)
{
    const size_t m = out >= in ? out : in, k = out >= in ? in : out;
    gsl_matrix *a = gsl_matrix_alloc(m, k), *q = gsl_matrix_alloc(m, m);
    gsl_matrix *r = gsl_matrix_alloc(m, k);
    gsl_vector *tau = gsl_vector_alloc(k);
    int status = a && q && r && tau ? 0 : -1;
    if (status == 0) {
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < k; j++)
                gsl_matrix_set(a, i, j, gsl_ran_gaussian(rng, 1.0));
        status = gsl_linalg_QR_decomp(a, tau) || gsl_linalg_QR_unpack(a, tau, q, r) ? -1 : 0;
    }
    if (status == 0)
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < k; j++) {
                const double v = gsl_matrix_get(q, i, j) * (gsl_matrix_get(r, j, j) < 0 ? -1 : 1);
                if (out >= in)
                    w[i * in + j] = v; /* W = Q[:, :in] */
                else
                    w[j * in + i] = v; /* W = Q[:, :out]^T */
            }
    gsl_matrix_free(a);
    gsl_matrix_free(q);
    gsl_matrix_free(r);
    gsl_vector_free(tau);
    return status;
}

int gf_init_linear(gf_init scheme, double *w, double *b, size_t out, size_t in, gsl_rng *rng)
{
    const size_t nw = out * in;
    const double fan_in = (double)in, fan_out = (double)out;
    switch (scheme) {
    case GF_INIT_TORCH: {
        const double a = 1.0 / sqrt(fan_in);
        for (size_t i = 0; i < nw; i++)
            w[i] = gsl_ran_flat(rng, -a, a);
        if (b)
            for (size_t i = 0; i < out; i++)
                b[i] = gsl_ran_flat(rng, -a, a);
        return 0;
    }
    case GF_INIT_HE:
    case GF_INIT_FIXUP: /* the residual schemes start from he; the stack rescales */
    case GF_INIT_REZERO:
    case GF_INIT_SCALED:
    case GF_INIT_LECUN: {
        const double sd = sqrt((scheme == GF_INIT_LECUN ? 1.0 : 2.0) / fan_in);
        for (size_t i = 0; i < nw; i++)
            w[i] = gsl_ran_gaussian(rng, sd);
        break;
    }
    case GF_INIT_XAVIER: {
        const double a = sqrt(6.0 / (fan_in + fan_out));
        for (size_t i = 0; i < nw; i++)
            w[i] = gsl_ran_flat(rng, -a, a);
        break;
    }
    case GF_INIT_ORTHOGONAL:
        if (orthogonal(w, out, in, rng) != 0)
            return -1;
        break;
    default:
        return -1;
    }
    if (b)
        for (size_t i = 0; i < out; i++)
            b[i] = 0.0;
    return 0;
}

double gf_init_weight_var(gf_init scheme, size_t fan_in, size_t fan_out)
{
    switch (scheme) {
    case GF_INIT_TORCH:
        return 1.0 / (3.0 * (double)fan_in); /* U(-a, a) has variance a^2 / 3 */
    case GF_INIT_HE:
    case GF_INIT_FIXUP:
    case GF_INIT_REZERO:
    case GF_INIT_SCALED:
        return 2.0 / (double)fan_in;
    case GF_INIT_LECUN:
        return 1.0 / (double)fan_in;
    case GF_INIT_XAVIER:
        return 2.0 / (double)(fan_in + fan_out);
    case GF_INIT_ORTHOGONAL: /* rows of norm 1 when out <= in; columns of norm 1 otherwise */
        return 1.0 / (double)(fan_in > fan_out ? fan_in : fan_out);
    default:
        return NAN;
    }
}

double gf_init_bias_var(gf_init scheme, size_t fan_in)
{
    return scheme == GF_INIT_TORCH ? 1.0 / (3.0 * (double)fan_in) : 0.0;
}
