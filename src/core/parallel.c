/* parallel.c: how many threads an op kernel's OpenMP region uses, and the
 * BLAS's threads inside it (the convolution's groups of images, attention's
 * sequences and heads). */
#include "tape_internal.h"

#include "blas/gf_cblas.h"
#include "gf_conv.h"
#ifdef _OPENMP
#include <omp.h>
#endif

static int threads_set; /* gf_conv_set_threads: 0 automatic */

void gf_conv_set_threads(int n) { threads_set = n > 0 ? n : 0; }

int gf_conv_threads(void)
{
#ifdef _OPENMP
    if (threads_set > 0)
        return threads_set;
    int t = omp_get_max_threads();
#ifdef GF_HAVE_OPENBLAS
    const int b = openblas_get_num_threads();
    t = b < t ? b : t;
#endif
    return t > 1 ? t : 1;
#else
    return 1;
#endif
}

/* Below this many FLOPs a kernel runs on one thread unless gf_conv_set_threads
 * asked for more: a parallel region costs microseconds on an idle machine but
 * up to a time slice when the other core is busy (bench_cnn_step
 * --threads-compare at batch 4 on a loaded machine: 12 times slower). A
 * CIFAR-ResNet conv at batch 128 is 0.2-0.5 GFLOP. */
#define PARALLEL_FLOPS 3e7

int gf_par_threads(double flops)
{
    const int t = gf_conv_threads();
    return threads_set > 0 || flops >= PARALLEL_FLOPS ? t : 1;
}

int gf_par_blas_threads(int n)
{
#ifdef GF_HAVE_OPENBLAS
    const int before = openblas_get_num_threads();
    if (n != before)
        openblas_set_num_threads(n);
    return before;
#else
    return n;
#endif
}

int gf_par_thread_id(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}
