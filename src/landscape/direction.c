/* direction.c: state vectors of a model and Li et al.'s filter-normalized
 * random directions. */
#include "gf_landscape.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double *gf_land_state(gf_model *m)
{
    const gf_params *p = gf_model_params(m);
    double *t = malloc(p->size * sizeof *t);
    if (t)
        memcpy(t, p->value, p->size * sizeof *t);
    return t;
}

void gf_land_set_state(gf_model *m, const double *theta)
{
    gf_params *p = gf_model_params(m);
    if (theta != p->value)
        memcpy(p->value, theta, p->size * sizeof *theta);
}

void gf_land_trainable_mask(gf_model *m, unsigned char *mask)
{
    const gf_params *p = gf_model_params(m);
    memset(mask, 0, p->size);
    for (size_t i = 0; i < p->n_slots; i++) {
        const gf_slot *s = &p->slot[i];
        if (s->kind == GF_SLOT_PARAM)
            memset(mask + s->offset, 1, s->rows * s->cols);
    }
}

double gf_land_distance(gf_model *m, const double *a, const double *b)
{
    const gf_params *p = gf_model_params(m);
    double sum = 0.0;
    for (size_t i = 0; i < p->n_slots; i++) {
        const gf_slot *s = &p->slot[i];
        if (s->kind != GF_SLOT_PARAM)
            continue;
        for (size_t j = s->offset; j < s->offset + s->rows * s->cols; j++) {
            const double d = a[j] - (b ? b[j] : 0.0);
            sum += d * d;
        }
    }
    return sqrt(sum);
}

/* lesson:filter-normalize begin */
/* One weight (rows x cols at w): d ~ N(0, 1), each row scaled to ||w_r||. */
static void filter_normalize(double *d, const double *w, size_t rows, size_t cols,
                             gsl_rng *rng)
{
    for (size_t r = 0; r < rows; r++) {
        double dn = 0.0, wn = 0.0;
        for (size_t c = 0; c < cols; c++) {
            d[r * cols + c] = gsl_ran_gaussian_ziggurat(rng, 1.0);
            dn += d[r * cols + c] * d[r * cols + c];
            wn += w[r * cols + c] * w[r * cols + c];
        }
        const double k = dn > 0.0 ? sqrt(wn / dn) : 0.0; /* ||d_r|| = ||w_r|| */
        for (size_t c = 0; c < cols; c++)
            d[r * cols + c] *= k;
    }
}
/* lesson:filter-normalize end */

int gf_land_direction(gf_model *m, gsl_rng *rng, double *dir)
{
    const gf_params *p = gf_model_params(m);
    memset(dir, 0, p->size * sizeof *dir);
    gf_linear_slots ls;
    int k = 0;
    for (; gf_model_layer(m, k, &ls, NULL, 0) == 0; k++) {
        const gf_slot *s = &p->slot[ls.weight];
        filter_normalize(dir + s->offset, p->value + s->offset, s->rows, s->cols, rng);
    }
    return k > 0 ? 0 : -1;
}
