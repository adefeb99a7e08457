/* gf_blas.h: choosing the CBLAS kernel and saying which one ran.
 *
 * Debian's OpenBLAS picks its kernel when it loads, from the CPU it detects,
 * and falls back to a generic SSE3 kernel ("Prescott") on CPUs newer than
 * itself: several times slower on AVX-512 machines. The kernel can only be
 * chosen through OPENBLAS_CORETYPE before the library loads, so
 * gf_blas_setup, called first in main(), re-executes the program once with
 * OPENBLAS_CORETYPE set when the running kernel is below what the CPU can do.
 *
 * Rules, in order:
 *   GRADFLOW_BLAS_CORETYPE=NAME    the user's override (an OpenBLAS core name);
 *   GRADFLOW_BLAS_CORETYPE=default leave the library's own choice alone;
 *   OPENBLAS_CORETYPE already set  respected, never overridden;
 *   otherwise                      the best kernel the CPU supports.
 * Whatever runs is then checked once: products of small integer matrices
 * (exact in double) must match a plain loop bit for bit. A kernel chosen by
 * gradflow that fails is dropped for the library default; one chosen by the
 * user or the environment makes gf_blas_setup fail.
 */
#ifndef GF_BLAS_H
#define GF_BLAS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_blas_info {
    char library[64];      /* "OpenBLAS 0.3.21" or "GSL gslcblas (reference)" */
    char config[256];      /* the library's build description */
    char kernel[64];       /* the kernel that runs, e.g. "SkylakeX" */
    char selected_by[192]; /* how it was chosen, in words */
    char dgemm_from[256];  /* the shared object that cblas_dgemm resolved to */
    int threads;
    int check_passed;      /* 1 when the product check matched exactly */
} gf_blas_info;

/* Call first in main(), before any other thread exists. May not return (it
 * re-executes the program once). Returns 0, or -1 with a reason in *why when
 * the kernel computes wrong products. */
int gf_blas_setup(char **argv, const char **why);

/* What runs; valid after gf_blas_setup (or describes the library default). */
const gf_blas_info *gf_blas_info_get(void);

/* The selection rule itself, without side effects (gf_blas_setup applies
 * it): running is the library's kernel, env OPENBLAS_CORETYPE, user
 * GRADFLOW_BLAS_CORETYPE (each NULL when unset), cpu_best the best kernel
 * this CPU runs ("SkylakeX", "Haswell" or NULL). Returns the kernel to
 * restart with, or NULL to keep the running one; says why in reason. */
const char *gf_blas_decide(const char *running, const char *env, const char *user,
                           const char *cpu_best, char *reason, size_t size);

/* Instruction-set level of an OpenBLAS kernel name: 0 SSE, 1 AVX, 2 AVX2,
 * 3 AVX-512; 4 for names it does not know (assumed good enough). */
int gf_blas_core_level(const char *core);

/* Threads for GEMMs of a stack of this width: one thread up to width 128,
 * where a second one buys no time and OpenBLAS's thread server allocates on
 * every call (measured in bench/bench_train: 56 to 164 allocations per
 * training step, 15-19 % system time), the library's default above. An
 * OPENBLAS_NUM_THREADS or OMP_NUM_THREADS set by the user is left alone.
 * Returns the threads that run. */
int gf_blas_threads_for_width(size_t width);

/* Exactly n BLAS threads (n >= 1) for the calls that follow, whatever the
 * environment says (a sweep's ranks: one each unless told otherwise).
 * Returns the threads that run (1 for gslcblas). */
int gf_blas_set_threads(int n);

/* 1 when the running BLAS computes the exact product check correctly. */
int gf_blas_check_products(void);

#ifdef __cplusplus
}
#endif
#endif
