/* synthetic.c: the built-in Gaussian-mixture classification set. */
#include "data/gf_data.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int gf_synthetic_make(gf_dataset *ds, size_t n, size_t dim, size_t classes, double separation,
                      unsigned long seed)
{
    memset(ds, 0, sizeof *ds);
    if (n == 0 || dim == 0 || classes < 2)
        return -1;
    gsl_rng *rng = gf_rng_alloc(seed);
    double *mu = malloc(classes * dim * sizeof *mu);
    ds->x = malloc(n * dim * sizeof *ds->x);
    ds->y = malloc(n * sizeof *ds->y);
    if (!rng || !mu || !ds->x || !ds->y) {
        gsl_rng_free(rng);
        free(mu);
        gf_dataset_release(ds);
        return -1;
    }
    ds->n = n;
    ds->dim = dim;
    ds->classes = classes;
    for (size_t i = 0; i < classes * dim; i++)
        mu[i] = gsl_ran_gaussian(rng, separation);
    for (size_t i = 0; i < n; i++)
        ds->y[i] = (int)(i % classes);
    gsl_ran_shuffle(rng, ds->y, n, sizeof *ds->y);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < dim; j++)
            ds->x[i * dim + j] = mu[(size_t)ds->y[i] * dim + j] + gsl_ran_gaussian(rng, 1.0);
    for (size_t j = 0; j < dim; j++) { /* standardize each feature */
        double m = 0.0, v = 0.0;
        for (size_t i = 0; i < n; i++)
            m += ds->x[i * dim + j];
        m /= (double)n;
        for (size_t i = 0; i < n; i++)
            v += (ds->x[i * dim + j] - m) * (ds->x[i * dim + j] - m);
        const double sd = v > 0.0 ? sqrt(v / (double)n) : 1.0;
        for (size_t i = 0; i < n; i++)
            ds->x[i * dim + j] = (ds->x[i * dim + j] - m) / sd;
    }
    free(mu);
    gsl_rng_free(rng);
    return 0;
}

int gf_synthetic_default(gf_dataset *ds, size_t n)
{
    return gf_synthetic_make(ds, n, GF_SYNTH_DIM, GF_SYNTH_CLASSES, GF_SYNTH_SEPARATION,
                             GF_SYNTH_SEED);
}
