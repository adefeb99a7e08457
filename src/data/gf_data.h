/* gf_data.h: datasets. The built-in synthetic set needs no download.
 *
 * Synthetic classification: class c has a centre mu_c ~ N(0, s^2 I) in
 * `dim` dimensions; a sample of class c is mu_c + N(0, I). Labels are
 * balanced; every feature is then standardized to mean 0, variance 1 over
 * the whole set. Same seed, same bytes.
 */
#ifndef GF_DATA_H
#define GF_DATA_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_dataset {
    size_t n, dim, classes;
    double *x; /* n x dim, row-major */
    int *y;    /* n labels in [0, classes) */
} gf_dataset;

/* separation is s above (1.5 gives a set that is learnable but not trivial). */
int gf_synthetic_make(gf_dataset *ds, size_t n, size_t dim, size_t classes, double separation,
                      unsigned long seed);
void gf_dataset_release(gf_dataset *ds);

/* Copy `batch` distinct samples drawn by rng into x (batch x dim) and y. */
int gf_dataset_sample(const gf_dataset *ds, gsl_rng *rng, size_t batch, double *x, int *y);

#ifdef __cplusplus
}
#endif
#endif
