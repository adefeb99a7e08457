/* util.c: clocks, medians and the contention check shared by the benchmarks. */
#include "bench.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

double bench_thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double bench_process_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *x, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(x, n, sizeof *x, cmp_double);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

double bench_median_of(const double *x, size_t n)
{
    double *c = malloc(n * sizeof *c), m = NAN;
    if (c) {
        memcpy(c, x, n * sizeof *c);
        m = bench_median(c, n);
    }
    free(c);
    return m;
}

double bench_tv_seconds(struct timeval tv)
{
    return (double)tv.tv_sec + 1e-6 * (double)tv.tv_usec;
}

bench_cpu bench_cpu_now(void)
{
    bench_cpu u = {NAN, NAN};
    FILE *f = fopen("/proc/stat", "r");
    unsigned long long v[8] = {0};
    if (f && fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                    &v[4], &v[5], &v[6], &v[7]) == 8)
        u.all = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)sysconf(_SC_CLK_TCK);
    if (f)
        fclose(f);
    struct rusage r;
    if (getrusage(RUSAGE_SELF, &r) == 0)
        u.self = bench_tv_seconds(r.ru_utime) + bench_tv_seconds(r.ru_stime);
    return u;
}

double bench_others_share(bench_cpu a, bench_cpu b, double wall)
{
    const double others = (b.all - a.all) - (b.self - a.self);
    return fmax(0.0, others) / (wall * (double)sysconf(_SC_NPROCESSORS_ONLN));
}

double bench_idle_check(const char *prog)
{
    const bench_cpu u0 = bench_cpu_now();
    const double t0 = bench_now();
    nanosleep(&(struct timespec){.tv_nsec = 500000000}, NULL);
    const double share = bench_others_share(u0, bench_cpu_now(), bench_now() - t0);
    if (share > 0.1)
        fprintf(stderr, "%s: other processes use %.0f%% of the CPUs: the times may be inflated\n",
                prog, 100.0 * share);
    return share;
}

int bench_setup(const char *prog, char **argv)
{
    const char *why = NULL;
    if (gf_blas_setup(argv, &why) != 0) {
        fprintf(stderr, "%s: %s\n", prog, why);
        return 1;
    }
    gsl_set_error_handler_off();
    return 0;
}

int bench_start(const char *prog, int argc, char **argv, bench_parser parse, void *opts)
{
    if (bench_setup(prog, argv) != 0)
        return 1;
    const int p = parse(argc, argv, opts);
    return p == 0 ? BENCH_GO : p > 0 ? 0 : 2;
}

bench_paired bench_paired_ratio(const double *a, const double *b, long n, double scale)
{
    bench_paired p = {NAN, NAN, NAN, NAN};
    double *r = malloc(2 * (size_t)n * sizeof *r);
    if (!r || n < 1) {
        free(r);
        return p;
    }
    for (long i = 0; i < n; i++)
        r[i] = scale * a[i] / b[i];
    memcpy(r + n, r, (size_t)n * sizeof *r);
    p.median = bench_median(r + n, (size_t)n); /* sorts r + n */
    p.q1 = r[n + (n - 1) / 4];
    p.q3 = r[n + (3 * (n - 1)) / 4];
    for (long i = 0; i < n; i++)
        r[i] = fabs(r[i] - p.median);
    p.se = 1.2533 * 1.4826 * bench_median(r, (size_t)n) / sqrt((double)n);
    free(r);
    return p;
}
