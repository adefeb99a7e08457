/* bench_jacobian.c: all singular values of the end-to-end Jacobian dx_B/dx_l
 * at every depth l of a deep stack (issue 4: 56 layers, width 256, "in a few
 * seconds"), and what each way of getting singular values costs.
 *
 * Per architecture (torch init, no norm, relu, seed 1, one sample of the
 * synthetic set, as `gradflow jacobian`), in rounds:
 *
 *   jacobians   gf_jacobians_compute: the end-to-end pass (the stack on d
 *               copies of x_0, seeded with I at x_B, gives dx_B/dx_l for
 *               every l) and the block-by-block passes (J_l);
 *   end pass    that end-to-end pass alone (what this target needs);
 *   fast        gf_singular_values_fast on all B + 1 end-to-end Jacobians
 *               (GSL bidiagonalization + bisection: the command's path);
 *
 * and once, on a few of them (l = 0, B/2, B-1), per matrix:
 *
 *   SV_decomp   gsl_linalg_SV_decomp (Golub-Reinsch; forms U and V): the
 *               reference of the correctness check;
 *   SV_mod      gsl_linalg_SV_decomp_mod (a QR first; for tall matrices);
 *   jacobi      gsl_linalg_SV_decomp_jacobi (one-sided Jacobi);
 *   eig J^T J   gsl_eigen_symm of J^T J (dsyrk), sigma = sqrt(lambda): fast,
 *               but sigma below ~sqrt(eps) sigma_max is lost to rounding.
 *
 * Correctness: every method against SV_decomp, max |d sigma| / sigma_max and
 * the max relative error over sigma > 1e-6 sigma_max. Speed is measured
 * here, never asserted. Other processes' load is reported: on a shared
 * machine the wall times are upper bounds.
 */
#include "blas/gf_blas.h"
#include "data/gf_data.h"
#include "jacobian/gf_jacobian.h"
#include "nn/gf_nn.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_sort_vector.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static const char PROG[] = "bench_jacobian";

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double cpu_self(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + 1e-6 * (double)u.ru_utime.tv_usec +
           (double)u.ru_stime.tv_sec + 1e-6 * (double)u.ru_stime.tv_usec;
}

static int cmp_double(const void *x, const void *y)
{
    const double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double median(double *x, int n)
{
    qsort(x, (size_t)n, sizeof *x, cmp_double);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

static double loadavg(void)
{
    double l = NAN;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = NAN;
        fclose(f);
    }
    return l;
}

/* ---- the end-to-end pass alone --------------------------------------------- */

/* dx_B/dx_l for l = 0..B-1 into end (B x d x d), as gf_jacobians_compute's
 * first pass does, on a tape the caller keeps. 0 or -1. */
static int end_pass(gf_stack *s, gf_tape *tape, const double *x0, const double *eye,
                    gf_tensor **xs, double *end)
{
    const size_t d = s->cfg.width, B = (size_t)s->blocks;
    gf_tape_reset(tape);
    gf_tensor *X = gf_tape_input(tape, d, d);
    if (!X)
        return -1;
    for (size_t r = 0; r < d; r++)
        memcpy(X->v + r * d, x0, d * sizeof *x0);
    X->flags |= GF_REQUIRES_GRAD;
    xs[0] = X;
    for (size_t l = 0; l < B && xs[l]; l++)
        xs[l + 1] = gf_stack_block(s, tape, (int)l, xs[l], 0);
    if (!xs[B] || gf_tape_backward_from(tape, xs[B], eye) != 0)
        return -1;
    for (size_t l = 0; l < B; l++)
        gf_tensor_grad_export(xs[l], end + l * d * d);
    return 0;
}

/* ---- the other singular-value methods -------------------------------------- */

enum { M_GSL, M_MOD, M_JACOBI, M_EIG, M_COUNT };
static const char *const method_names[M_COUNT] = {"SV_decomp", "SV_decomp_mod",
                                                  "SV_decomp_jacobi", "eigen_symm(J^T J)"};

/* All singular values of the d x d matrix a by method m, largest first. */
static int svals(int m, const double *a, size_t d, double *sv)
{
    if (m == M_GSL)
        return gf_singular_values(a, d, d, sv);
    gsl_matrix *A = gsl_matrix_alloc(d, d), *V = gsl_matrix_alloc(d, d);
    gsl_matrix *X = gsl_matrix_alloc(d, d);
    gsl_vector *S = gsl_vector_alloc(d), *w = gsl_vector_alloc(d);
    gsl_eigen_symm_workspace *ws = m == M_EIG ? gsl_eigen_symm_alloc(d) : NULL;
    int rc = A && V && X && S && w && (m != M_EIG || ws) ? 0 : -1;
    gsl_matrix_const_view J = gsl_matrix_const_view_array(a, d, d);
    if (rc == 0 && m == M_EIG) {
        gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, &J.matrix, 0.0, A);
        rc = gsl_eigen_symm(A, S, ws) == GSL_SUCCESS ? 0 : -1;
        for (size_t i = 0; i < d; i++)
            gsl_vector_set(S, i, sqrt(fmax(gsl_vector_get(S, i), 0.0)));
    } else if (rc == 0) {
        gsl_matrix_memcpy(A, &J.matrix);
        rc = (m == M_MOD ? gsl_linalg_SV_decomp_mod(A, X, V, S, w)
                         : gsl_linalg_SV_decomp_jacobi(A, V, S)) == GSL_SUCCESS ? 0 : -1;
    }
    if (rc == 0) {
        gsl_sort_vector(S);
        for (size_t i = 0; i < d; i++)
            sv[i] = gsl_vector_get(S, d - 1 - i);
    }
    gsl_matrix_free(A);
    gsl_matrix_free(V);
    gsl_matrix_free(X);
    gsl_vector_free(S);
    gsl_vector_free(w);
    if (ws)
        gsl_eigen_symm_free(ws);
    return rc;
}

typedef struct accuracy {
    double abs;   /* max |sigma - ref| / ref_max */
    double rel;   /* max |sigma - ref| / ref over ref > 1e-6 ref_max */
    double below; /* max |sigma - ref| / ref over 1e-12 < ref / ref_max <= 1e-6 */
} accuracy;

static void compare(const double *sv, const double *ref, size_t d, accuracy *acc)
{
    for (size_t i = 0; i < d; i++) {
        const double e = fabs(sv[i] - ref[i]);
        acc->abs = fmax(acc->abs, e / ref[0]);
        if (ref[i] > 1e-6 * ref[0])
            acc->rel = fmax(acc->rel, e / ref[i]);
        else if (ref[i] > 1e-12 * ref[0])
            acc->below = fmax(acc->below, e / ref[i]);
    }
}

/* ---- one architecture ------------------------------------------------------- */

typedef struct row {
    const char *arch;
    double jac, endpass, fast, total;      /* medians, seconds */
    double per_matrix[M_COUNT + 1];        /* seconds per matrix; [M_COUNT]: fast */
    accuracy acc[M_COUNT + 1];
    double cpu_share;                      /* our CPU time / (wall * threads) */
} row;

static int run_arch(gf_arch arch, size_t width, int depth, int repeats, int others, row *out)
{
    gf_stack_config c = gf_stack_config_default();
    c.arch = arch;
    c.width = width;
    c.depth = depth;
    gf_model *m = gf_model_alloc(&gf_model_mlp, &c, NULL, 0);
    gf_stack *s = m ? gf_model_net(m) : NULL;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gf_dataset data;
    double x[64];
    int label;
    if (!s || !rng || gf_synthetic_make(&data, 4096, c.in_dim, c.classes, 1.5, 0) != 0) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        return -1;
    }
    gsl_rng_set(rng, 1);
    gf_stack_init_weights(s, rng);
    gf_dataset_sample(&data, rng, 1, x, &label);
    gf_dataset_release(&data);
    const size_t d = width, dd = d * d, B = (size_t)s->blocks;
    double *end = malloc((B + 1) * dd * sizeof *end), *eye = calloc(dd, sizeof *eye);
    double *sv = malloc(d * sizeof *sv), *ref = malloc(d * sizeof *ref);
    double *x0 = malloc(d * sizeof *x0);
    double *t_jac = malloc((size_t)repeats * 3 * sizeof *t_jac);
    gf_tensor **xs = calloc(B + 1, sizeof *xs);
    gf_tape *tape = gf_tape_alloc(0);
    if (!end || !eye || !sv || !ref || !x0 || !t_jac || !xs || !tape) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        return -1;
    }
    for (size_t i = 0; i < d; i++)
        eye[i * d + i] = 1.0;
    double *t_end = t_jac + repeats, *t_fast = t_end + repeats;
    gf_jacobians jac = {0};
    char why[256];
    const double wall0 = now(), cpu0 = cpu_self();
    int rc = 0;
    for (int r = 0; rc == 0 && r < repeats; r++) {
        gf_jacobians_release(&jac);
        double t0 = now();
        rc = gf_jacobians_compute(m, x, &jac, why, sizeof why);
        t_jac[r] = now() - t0;
        if (rc != 0)
            break;
        /* x_0 (the library does not return it), then the end-to-end pass alone */
        gf_tape *t1 = gf_tape_alloc(0);
        gf_tensor *in = t1 ? gf_tape_input(t1, 1, c.in_dim) : NULL;
        gf_tensor *h = NULL;
        if (in) {
            memcpy(in->v, x, c.in_dim * sizeof *x);
            h = gf_stack_stem(s, t1, in, 0);
        }
        if (h)
            memcpy(x0, h->v, d * sizeof *x0);
        gf_tape_free(t1);
        t0 = now();
        rc = h && end_pass(s, tape, x0, eye, xs, end) == 0 ? 0 : -1;
        t_end[r] = now() - t0;
        memcpy(end + B * dd, eye, dd * sizeof *eye);
        t0 = now();
        for (size_t l = 0; rc == 0 && l <= B; l++)
            rc = gf_singular_values_fast(jac.end + l * dd, d, d, sv);
        t_fast[r] = now() - t0;
    }
    const double wall = now() - wall0, cpu = cpu_self() - cpu0;
    if (rc == 0 && memcmp(end, jac.end, B * dd * sizeof *end) != 0)
        fprintf(stderr, "%s: note: the separate end-to-end pass differs from the library's "
                        "(not bit for bit)\n", PROG);
    out->cpu_share = cpu / wall;
    /* once: every method on l = 0, B/2, B-1 against SV_decomp */
    const size_t levels[3] = {0, B / 2, B - 1};
    memset(out->acc, 0, sizeof out->acc);
    for (int m = 0; rc == 0 && m <= M_COUNT; m++) {
        if (m == M_JACOBI && !others)
            continue;
        double t = 0.0;
        for (int i = 0; rc == 0 && i < 3; i++) {
            const double *a = jac.end + levels[i] * dd;
            if (svals(M_GSL, a, d, ref) != 0)
                rc = -1;
            const double t0 = now();
            if (rc == 0 && (m == M_COUNT ? gf_singular_values_fast(a, d, d, sv)
                                         : svals(m, a, d, sv)) != 0)
                rc = -1;
            t += now() - t0;
            if (rc == 0)
                compare(sv, ref, d, &out->acc[m]);
        }
        out->per_matrix[m] = t / 3.0;
    }
    if (!others)
        out->per_matrix[M_JACOBI] = NAN;
    if (rc != 0)
        fprintf(stderr, "%s: %s failed\n", PROG, gf_arch_names[arch]);
    out->arch = gf_arch_names[arch];
    out->jac = median(t_jac, repeats);
    out->endpass = median(t_end, repeats);
    out->fast = median(t_fast, repeats);
    gf_jacobians_release(&jac);
    free(end);
    free(eye);
    free(sv);
    free(ref);
    free(x0);
    free(t_jac);
    free(xs);
    gf_tape_free(tape);
    gsl_rng_free(rng);
    gf_model_free(m);
    return rc;
}

static void help(void)
{
    printf("Usage: %s [--width N] [--depth N] [--repeats N] [--no-jacobi] [--help]\n\n"
           "All singular values of the end-to-end Jacobian dx_B/dx_l at every depth of plain\n"
           "and resnet stacks (torch init, relu), medians over repeats, split into the\n"
           "Jacobians and the singular values; GSL's SVD variants per matrix, and the\n"
           "correctness of each against gsl_linalg_SV_decomp. Defaults: width 256, depth 56,\n"
           "5 repeats. --no-jacobi skips the one-sided Jacobi SVD (the slowest).\n",
           PROG);
}

int main(int argc, char **argv)
{
    const char *why = NULL;
    if (gf_blas_setup(argv, &why) != 0) {
        fprintf(stderr, "%s: %s\n", PROG, why);
        return 1;
    }
    gsl_set_error_handler_off();
    long width = 256, depth = 56, repeats = 5;
    int jacobi = 1;
    for (int i = 1; i < argc; i++) {
        long *dst = strcmp(argv[i], "--width") == 0     ? &width
                    : strcmp(argv[i], "--depth") == 0   ? &depth
                    : strcmp(argv[i], "--repeats") == 0 ? &repeats
                                                        : NULL;
        char *endp = NULL;
        if (dst && i + 1 < argc) {
            *dst = strtol(argv[++i], &endp, 10);
            if (*endp || *dst < 1 || *dst > 100000) {
                fprintf(stderr, "%s: %s: '%s' is not a positive whole number\n", PROG,
                        argv[i - 1], argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "--no-jacobi") == 0) {
            jacobi = 0;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            help();
            return 0;
        } else {
            fprintf(stderr, "%s: unknown option or missing value: '%s' (--help lists the "
                    "options)\n", PROG, argv[i]);
            return 2;
        }
    }
    if (depth < 4 || depth % 2) {
        fprintf(stderr, "%s: --depth must be 2B + 2 with B >= 1\n", PROG);
        return 2;
    }
    const gf_blas_info *b = gf_blas_info_get();
    const double load0 = loadavg();
    printf("# %s: width %ld, depth %ld (B = %ld), %ld repeats; %s, kernel %s, %d threads; "
           "load average %.2f at start\n\n",
           PROG, width, depth, (depth - 2) / 2, repeats, b->library, b->kernel, b->threads,
           load0);
    row rows[2];
    const gf_arch archs[2] = {GF_ARCH_RESNET, GF_ARCH_PLAIN};
    for (int a = 0; a < 2; a++)
        if (run_arch(archs[a], (size_t)width, (int)depth, (int)repeats, jacobi, &rows[a]) != 0)
            return 1;
    const long B = (depth - 2) / 2;
    printf("All singular values of dx_B/dx_l, l = 0..%ld (medians, seconds):\n\n", B);
    printf("| arch | Jacobians (library: end pass + %ld block passes) | end pass alone | "
           "singular values, %ld matrices | end pass + singular values | our CPU / wall |\n"
           "|---|---:|---:|---:|---:|---:|\n",
           B, B + 1);
    for (int a = 0; a < 2; a++)
        printf("| %s | %.3f | %.3f | %.3f | **%.2f** | %.2f |\n", rows[a].arch, rows[a].jac,
               rows[a].endpass, rows[a].fast, rows[a].endpass + rows[a].fast,
               rows[a].cpu_share);
    printf("\nPer %ld x %ld matrix (l = 0, B/2, B-1; seconds) and agreement with "
           "gsl_linalg_SV_decomp:\n\n| method | ",
           width, width);
    for (int a = 0; a < 2; a++)
        printf("%s s | %s max|dsigma|/sigma_max | %s max rel. err. (sigma > 1e-6 sigma_max) | "
               "%s max rel. err. (1e-12..1e-6) | ",
               rows[a].arch, rows[a].arch, rows[a].arch, rows[a].arch);
    printf("all %ld, resnet\n|---|", B + 1);
    for (int k = 0; k < 9; k++)
        printf("---:|");
    printf("\n");
    for (int m = 0; m <= M_COUNT; m++) {
        printf("| %s | ", m == M_COUNT ? "gf_singular_values_fast" : method_names[m]);
        for (int a = 0; a < 2; a++) {
            const accuracy *c = &rows[a].acc[m];
            if (isnan(rows[a].per_matrix[m]))
                printf("- | - | - | - | ");
            else
                printf("%.4f | %.1e | %.1e | %.1e | ", rows[a].per_matrix[m], c->abs, c->rel,
                       c->below);
        }
        if (isnan(rows[0].per_matrix[m]))
            printf("- |\n");
        else
            printf("%.1f s |\n", rows[0].per_matrix[m] * (double)(B + 1));
    }
    const double load1 = loadavg();
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    printf("\nload average %.2f at the end on %ld CPUs%s\n", load1, cpus,
           load1 > 1.2 * (double)cpus ? ": the machine was busy; wall times are upper bounds"
                                      : "");
    return 0;
}
