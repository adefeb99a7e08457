/* dataset.c: what every dataset shares: release, random batches, copies; a seeded rng. */
#include "data/gf_data.h"

#include <stdlib.h>
#include <string.h>

gsl_rng *gf_rng_alloc(unsigned long seed)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng)
        gsl_rng_set(rng, seed);
    return rng;
}

void gf_dataset_release(gf_dataset *ds)
{
    free(ds->x);
    free(ds->y);
    memset(ds, 0, sizeof *ds);
}

int gf_dataset_sample(const gf_dataset *ds, gsl_rng *rng, size_t batch, double *x, int *y)
{
    if (batch > ds->n)
        return -1;
    /* Selection sampling (Knuth's algorithm S): distinct indices in order. */
    size_t chosen = 0;
    for (size_t i = 0; i < ds->n && chosen < batch; i++)
        if ((double)(ds->n - i) * gsl_rng_uniform(rng) < (double)(batch - chosen)) {
            memcpy(x + chosen * ds->dim, ds->x + i * ds->dim, ds->dim * sizeof *x);
            y[chosen++] = ds->y[i];
        }
    return 0;
}

void gf_dataset_gather(const gf_dataset *ds, const size_t *idx, size_t n, double *x, int *y)
{
    for (size_t i = 0; i < n; i++) {
        memcpy(x + i * ds->dim, ds->x + idx[i] * ds->dim, ds->dim * sizeof *x);
        y[i] = ds->y[idx[i]];
    }
}

int gf_dataset_slice(gf_dataset *dst, const gf_dataset *src, size_t first, size_t count)
{
    memset(dst, 0, sizeof *dst);
    if (first > src->n || count > src->n - first)
        return -1;
    dst->dim = src->dim;
    dst->classes = src->classes;
    if (count == 0)
        return 0;
    dst->x = malloc(count * src->dim * sizeof *dst->x);
    dst->y = malloc(count * sizeof *dst->y);
    if (!dst->x || !dst->y) {
        gf_dataset_release(dst);
        return -1;
    }
    dst->n = count;
    memcpy(dst->x, src->x + first * src->dim, count * src->dim * sizeof *dst->x);
    memcpy(dst->y, src->y + first, count * sizeof *dst->y);
    return 0;
}
