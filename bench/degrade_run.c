/* degrade_run.c: run `gradflow degrade` itself and read what its manifest says. */
#include "bench.h"

#include <jansson.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* One run of `exe degrade -q --out dir`: its manifest's wall_time_s and the
 * seconds of each named net (NaN when absent), its CPU time in ru, and the
 * share of the CPUs that other processes used meanwhile. 0 or -1. */
static int run_once(const char *prog, const char *exe, const char *dir, const char *const *names,
                    int n, double *wall, double *net, struct rusage *ru, double *others)
{
    char *argv[] = {(char *)exe, (char *)"degrade", (char *)"-q", (char *)"--out", (char *)dir,
                    NULL};
    const bench_cpu cpu0 = bench_cpu_now();
    const double t0 = bench_now();
    pid_t pid;
    int status, rc = posix_spawn(&pid, exe, NULL, NULL, argv, environ);
    if (rc != 0) {
        fprintf(stderr, "%s: cannot run %s: %s\n", prog, exe, strerror(rc));
        return -1;
    }
    if (wait4(pid, &status, 0, ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "%s: %s degrade failed\n", prog, exe);
        return -1;
    }
    const double child = bench_tv_seconds(ru->ru_utime) + bench_tv_seconds(ru->ru_stime);
    *others = bench_others_share(cpu0, bench_cpu_now(), bench_now() - t0) -
              child / ((bench_now() - t0) * (double)sysconf(_SC_NPROCESSORS_ONLN));
    *others = fmax(0.0, *others);

    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    json_error_t err;
    json_t *m = json_load_file(path, 0, &err), *net_list = json_object_get(m, "nets"), *item;
    size_t i;
    *wall = json_number_value(json_object_get(m, "wall_time_s"));
    for (int k = 0; k < n; k++)
        net[k] = NAN;
    json_array_foreach(net_list, i, item) {
        const char *name = json_string_value(json_object_get(item, "net"));
        for (int k = 0; name && k < n; k++)
            if (strcmp(name, names[k]) == 0)
                net[k] = json_number_value(json_object_get(item, "seconds"));
    }
    json_decref(m);
    if (!(*wall > 0.0)) {
        fprintf(stderr, "%s: no wall_time_s in %s\n", prog, path);
        return -1;
    }
    return 0;
}

int bench_degrade_run(const char *prog, const char *exe, int runs, const char *const *names,
                      int n, bench_degrade *out)
{
    char dir[] = "/tmp/bench_degrade.XXXXXX";
    if (runs < 1 || runs > BENCH_MAX_RUNS || n > BENCH_MAX_NETS || !mkdtemp(dir)) {
        fprintf(stderr, "%s: cannot make a folder for the runs\n", prog);
        return -1;
    }
    fprintf(stderr, "%s: running %s degrade -q --out %s, %d times\n", prog, exe, dir, runs);
    enum { WALL, USER, SYS, NIVCSW, OTHERS, KINDS };
    double v[KINDS][BENCH_MAX_RUNS], net[BENCH_MAX_NETS][BENCH_MAX_RUNS];
    for (int r = 0; r < runs; r++) {
        struct rusage ru;
        double net_s[BENCH_MAX_NETS];
        if (run_once(prog, exe, dir, names, n, &v[WALL][r], net_s, &ru, &v[OTHERS][r]) != 0)
            return -1;
        v[USER][r] = bench_tv_seconds(ru.ru_utime);
        v[SYS][r] = bench_tv_seconds(ru.ru_stime);
        v[NIVCSW][r] = (double)ru.ru_nivcsw;
        for (int k = 0; k < n; k++)
            net[k][r] = net_s[k];
        fprintf(stderr,
                "%s: degrade run %d: wall_time_s %.1f, user %.1f s, sys %.1f s, others %.0f%%\n",
                prog, r + 1, v[WALL][r], v[USER][r], v[SYS][r], 100.0 * v[OTHERS][r]);
    }
    *out = (bench_degrade){.runs = runs};
    out->wall = bench_median(v[WALL], (size_t)runs);
    out->user = bench_median(v[USER], (size_t)runs);
    out->sys = bench_median(v[SYS], (size_t)runs);
    out->nivcsw = bench_median(v[NIVCSW], (size_t)runs);
    out->others = bench_median(v[OTHERS], (size_t)runs);
    for (int k = 0; k < n; k++)
        out->net[k] = bench_median(net[k], (size_t)runs);
    return 0;
}
