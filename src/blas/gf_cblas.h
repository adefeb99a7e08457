/* gf_cblas.h: the CBLAS declarations of the BLAS gradflow was built with (not installed). */
#ifndef GF_CBLAS_H
#define GF_CBLAS_H
#ifdef GF_HAVE_OPENBLAS
#include <cblas.h>
#else
#include <gsl/gsl_cblas.h>
#endif
#endif
