/* paths.c: counting the paths of a residual network by length. */
#include "ensemble/gf_ensemble.h"

#include <gsl/gsl_sf_gamma.h>
#include <math.h>

static const double LOG10_E = 0.43429448190325182765;

double gf_log10_binomial(int n, int k)
{
    if (k < 0 || k > n)
        return -INFINITY;
    return gsl_sf_lnchoose((unsigned)n, (unsigned)k) * LOG10_E;
}

void gf_path_lengths(int n, double *log10_count, double *fraction)
{
    const double log10_all = n * log10(2.0); /* 2^n paths in all */
    for (int k = 0; k <= n; k++) {
        log10_count[k] = gf_log10_binomial(n, k);
        fraction[k] = pow(10.0, log10_count[k] - log10_all);
    }
}
