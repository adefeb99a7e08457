/* blas.c: kernel selection for OpenBLAS (see gf_blas.h) and the product check. */
#define _GNU_SOURCE /* dladdr */
#include "blas/gf_blas.h"

#include "blas/gf_cblas.h"
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#ifdef GF_HAVE_OPENBLAS
char *openblas_get_corename(void);
char *openblas_get_config(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int n);
#endif

static gf_blas_info info;

/* C = op(A) op(B) for integer-valued matrices is exact in double, so the
 * BLAS result must equal a plain triple loop bit for bit. Shapes are odd so
 * the kernels' edge cases run; all three transposition patterns the engine
 * uses are checked. */
int gf_blas_check_products(void)
{
    enum { M = 67, N = 45, K = 93 };
    static double a[M * K], b[K * N], c[M * N], ref[M * N];
    unsigned s = 12345u;
    for (int i = 0; i < M * K; i++)
        a[i] = (double)((s = s * 1103515245u + 12345u) >> 28) - 8.0;
    for (int i = 0; i < K * N; i++)
        b[i] = (double)((s = s * 1103515245u + 12345u) >> 28) - 8.0;
    for (int pattern = 0; pattern < 3; pattern++) {
        /* 0: A B;  1: A (B^T)^T with B stored N x K;  2: (A^T)^T B with A stored K x M */
        const int ta = pattern == 2, tb = pattern == 1;
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) {
                double sum = 0.0;
                for (int k = 0; k < K; k++)
                    sum += (ta ? a[k * M + i] : a[i * K + k]) * (tb ? b[j * K + k] : b[k * N + j]);
                ref[i * N + j] = sum;
            }
        cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                    M, N, K, 1.0, a, ta ? M : K, b, tb ? K : N, 0.0, c, N);
        if (memcmp(c, ref, sizeof c) != 0)
            return 0;
    }
    return 1;
}

int gf_blas_core_level(const char *core)
{
    static const char *const sse[] = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem",
                                      "Atom", "Katmai", "Coppermine", "Northwood", "Banias",
                                      "Opteron", "Opteron_SSE3", "Barcelona", "Nano", NULL};
    static const char *const avx[] = {"Sandybridge", "Bulldozer", "Piledriver", "Steamroller",
                                      NULL};
    static const char *const avx2[] = {"Haswell", "Zen", "Excavator", NULL};
    static const char *const avx512[] = {"SkylakeX", "Cooperlake", "SapphireRapids", NULL};
    const char *const *tables[] = {sse, avx, avx2, avx512};
    for (int level = 0; level < 4; level++)
        for (const char *const *t = tables[level]; *t; t++)
            if (strcasecmp(core, *t) == 0)
                return level;
    return 4;
}

const char *gf_blas_decide(const char *running, const char *env, const char *user,
                           const char *cpu_best, char *reason, size_t size)
{
    if (user && strcmp(user, "default") != 0 && strcmp(user, "auto") != 0) {
        snprintf(reason, size, "user: GRADFLOW_BLAS_CORETYPE=%s", user);
        return env && strcasecmp(env, user) == 0 ? NULL : user;
    }
    if (env) {
        snprintf(reason, size, "environment: OPENBLAS_CORETYPE=%s", env);
        return NULL;
    }
    if (user && strcmp(user, "default") == 0) {
        snprintf(reason, size, "library default (GRADFLOW_BLAS_CORETYPE=default)");
        return NULL;
    }
    if (cpu_best && running && gf_blas_core_level(running) < gf_blas_core_level(cpu_best)) {
        snprintf(reason, size, "gradflow: the library chose %s, below what this CPU runs; set %s",
                 running, cpu_best);
        return cpu_best;
    }
    snprintf(reason, size, "library default (detected %s)", running ? running : "unknown");
    return NULL;
}

#ifdef GF_HAVE_OPENBLAS
static const char *best_core_for_cpu(void)
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return "Haswell";
    return NULL;
}

/* Re-execute with OPENBLAS_CORETYPE=core (NULL: unset); the marker tells the
 * new image why. Returns only if exec failed, and then says so in why. */
static void reexec(char **argv, const char *core, char *why, size_t size)
{
    if (core)
        setenv("OPENBLAS_CORETYPE", core, 1);
    else
        unsetenv("OPENBLAS_CORETYPE");
    setenv("GRADFLOW_BLAS_SELECTED", why, 1);
    fflush(NULL);
    execv("/proc/self/exe", argv);
    const size_t used = strlen(why);
    snprintf(why + used, size - used, " (the restart failed: %s; the library's kernel runs)",
             strerror(errno));
    unsetenv("GRADFLOW_BLAS_SELECTED");
}

static void fill_info(const char *selected_by)
{
    const char *config = openblas_get_config();
    const char *core = openblas_get_corename();
    snprintf(info.config, sizeof info.config, "%s", config ? config : "");
    const char *v = strstr(info.config, "OpenBLAS ");
    snprintf(info.library, sizeof info.library, "OpenBLAS %.*s", v ? (int)strcspn(v + 9, " ") : 0,
             v ? v + 9 : "");
    snprintf(info.kernel, sizeof info.kernel, "%s", core ? core : "unknown");
    snprintf(info.selected_by, sizeof info.selected_by, "%s", selected_by);
    info.threads = openblas_get_num_threads();
}

int gf_blas_setup(char **argv, const char **why)
{
    static char reason[192];
    const char *marker = getenv("GRADFLOW_BLAS_SELECTED");
    const char *user = getenv("GRADFLOW_BLAS_CORETYPE");
    const char *env = getenv("OPENBLAS_CORETYPE");
    const char *running = openblas_get_corename();
    int chosen_by_gradflow = 0;

    if (marker) { /* this image is the restart gf_blas_setup asked for */
        snprintf(reason, sizeof reason, "%s", marker);
        chosen_by_gradflow = strncmp(marker, "gradflow", 8) == 0;
        unsetenv("GRADFLOW_BLAS_SELECTED"); /* programs this one starts decide for themselves */
    } else {
        const char *core = gf_blas_decide(running, env, user, best_core_for_cpu(), reason,
                                          sizeof reason);
        if (core)
            reexec(argv, core, reason, sizeof reason);
    }
    fill_info(reason);
    info.check_passed = gf_blas_check_products();
    if (info.check_passed)
        return 0;
    if (chosen_by_gradflow) {
        char dropped[192];
        snprintf(dropped, sizeof dropped,
                 "library default: the %s kernel gradflow chose computed wrong products",
                 info.kernel);
        reexec(argv, NULL, dropped, sizeof dropped);
    }
    static char msg[512];
    snprintf(msg, sizeof msg,
             "the BLAS kernel %s computes wrong matrix products (%s); choose another with "
             "GRADFLOW_BLAS_CORETYPE",
             info.kernel, reason);
    if (why)
        *why = msg;
    return -1;
}
#else
int gf_blas_setup(char **argv, const char **why)
{
    (void)argv;
    snprintf(info.library, sizeof info.library, "GSL gslcblas (reference)");
    snprintf(info.kernel, sizeof info.kernel, "reference C");
    snprintf(info.selected_by, sizeof info.selected_by, "build option -Dblas=gslcblas");
    info.threads = 1;
    info.check_passed = gf_blas_check_products();
    if (!info.check_passed && why)
        *why = "the BLAS computes wrong matrix products";
    return info.check_passed ? 0 : -1;
}
#endif

/* Which library cblas_dgemm binds to: with several CBLAS providers loaded
 * (GSL pulls in gslcblas), the order of the link decides. */
static void find_dgemm(void)
{
    Dl_info dl;
    void (*f)(void) = (void (*)(void))cblas_dgemm;
    void *addr;
    memcpy(&addr, &f, sizeof addr); /* a function pointer as data, without a cast warning */
    snprintf(info.dgemm_from, sizeof info.dgemm_from, "%s",
             dladdr(addr, &dl) && dl.dli_fname ? dl.dli_fname : "unknown");
}

const gf_blas_info *gf_blas_info_get(void)
{
    if (!info.dgemm_from[0])
        find_dgemm();
    return &info;
}

int gf_blas_threads_for_width(size_t width)
{
#ifdef GF_HAVE_OPENBLAS
    if (!getenv("OPENBLAS_NUM_THREADS") && !getenv("OMP_NUM_THREADS") && width <= 128) {
        openblas_set_num_threads(1);
        info.threads = 1;
    }
    return openblas_get_num_threads();
#else
    (void)width;
    return 1;
#endif
}

int gf_blas_set_threads(int n)
{
#ifdef GF_HAVE_OPENBLAS
    openblas_set_num_threads(n < 1 ? 1 : n);
    info.threads = openblas_get_num_threads();
    return info.threads;
#else
    (void)n;
    return 1;
#endif
}
