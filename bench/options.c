/* options.c: the command line of bench_step, and the number parsers of every bench. */
#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char PROG[] = "bench_step";

const char *const bench_kind_names[] = {"step", "noprobe", "floor", NULL};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: bench_step [--quick] [--reps N] [--tsv FILE] [--width LIST] [--depth LIST]\n"
            "                  [--batch LIST] [--budget SECONDS] [--seed N] [--only KIND]\n"
            "                  [--clock wall|cpu]\n"
            "\n"
            "Times one training step of residual MLP stacks (resnet, no norm, relu, torch init)\n"
            "with every probe, the same step without probes, and the bare GEMMs of that step\n"
            "(the floor no engine on this BLAS can beat); prints a Markdown table.\n"
            "\n"
            "  --quick          a small grid: width 64,256, depth 20, batch 32,128\n"
            "  --reps N         timed repetitions per configuration (default: enough for\n"
            "                   about --budget seconds, at least %d)\n"
            "  --budget S       seconds of timed work per configuration (default 0.6)\n"
            "  --width LIST     comma-separated widths (default 64,256,1024)\n"
            "  --depth LIST     depths 2B+2 (default 20,56,110)\n"
            "  --batch LIST     batch sizes (default 32,128)\n"
            "  --seed N         seed of the weights and the batch (default 1)\n"
            "  --tsv FILE       also write the numbers as TSV (written atomically)\n"
            "  --clock C        wall (default): elapsed time; cpu: this thread's CPU time,\n"
            "                   which leaves out the time other processes held the CPU (on\n"
            "                   a shared machine); it misses work of other BLAS threads, so\n"
            "                   use it with OPENBLAS_NUM_THREADS=1\n"
            "  --only KIND      time only step, noprobe or floor, and skip the square DGEMM\n"
            "                   (for perf record / valgrind --tool=callgrind)\n"
            "  --help           this text\n"
            "\n"
            "The BLAS kernel is chosen by gradflow (see gf_blas.h): OPENBLAS_CORETYPE in the\n"
            "environment is respected; GRADFLOW_BLAS_CORETYPE=NAME overrides.\n",
            BENCH_MIN_REPS);
}

int bench_unknown_option(const char *prog, const char *arg)
{
    fprintf(stderr, "%s: unknown option or missing value: '%s' (--help lists the options)\n",
            prog, arg);
    return -1;
}

int bench_parse_args(const char *prog, int argc, char **argv, const bench_arg *table,
                     const char *usage)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            return fputs(usage, stdout), 1;
        const bench_arg *e = table;
        while (e->name && strcmp(e->name, a) != 0)
            e++;
        if (!e->name || (e->kind != BENCH_ARG_FLAG && i + 1 == argc))
            return bench_unknown_option(prog, a);
        if (e->kind == BENCH_ARG_FLAG)
            *(int *)e->at = (int)e->min;
        else if (e->kind == BENCH_ARG_TEXT)
            *(const char **)e->at = argv[++i];
        else if (bench_parse_long(prog, a, argv[++i], e->min, e->max, e->at) != 0)
            return -1;
    }
    return 0;
}

int bench_parse_long(const char *prog, const char *opt, const char *s, long min, long max,
                     long *out)
{
    char *end;
    errno = 0;
    const long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) {
        fprintf(stderr, "%s: %s wants a whole number in [%ld, %ld], not '%s'\n", prog, opt, min,
                max, s);
        return -1;
    }
    *out = v;
    return 0;
}

int bench_parse_list(const char *prog, const char *opt, const char *s, long min, long max,
                     long *out, int *n)
{
    char buf[256];
    if (snprintf(buf, sizeof buf, "%s", s) >= (int)sizeof buf) {
        fprintf(stderr, "%s: %s: list too long\n", prog, opt);
        return -1;
    }
    *n = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (*n == BENCH_MAX_LIST) {
            fprintf(stderr, "%s: %s: at most %d values\n", prog, opt, BENCH_MAX_LIST);
            return -1;
        }
        if (bench_parse_long(prog, opt, tok, min, max, &out[*n]) != 0)
            return -1;
        (*n)++;
    }
    if (*n == 0) {
        fprintf(stderr, "%s: %s wants at least one value\n", prog, opt);
        return -1;
    }
    return 0;
}

/* 0: run; 1: help printed; -1: usage error (message printed). */
int bench_parse_options(int argc, char **argv, void *opts)
{
    bench_options *o = opts;
    *o = (bench_options){.width = {64, 256, 1024},
                         .n_width = 3,
                         .depth = {20, 56, 110},
                         .n_depth = 3,
                         .batch = {32, 128},
                         .n_batch = 2,
                         .budget = 0.6,
                         .in_dim = 32,
                         .classes = 10,
                         .seed = 1,
                         .only = -1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *eq = strchr(a, '=');
        char name[32];
        snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
        if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
            usage(stdout);
            return 1;
        }
        if (strcmp(name, "--quick") == 0 && !eq) {
            o->width[0] = 64, o->width[1] = 256, o->n_width = 2;
            o->depth[0] = 20, o->n_depth = 1;
            o->budget = 0.3;
            continue;
        }
        static const char *const with_value[] = {"--reps",  "--tsv",   "--width",
                                                 "--depth", "--batch", "--budget",
                                                 "--seed",  "--only",  "--clock", NULL};
        int known = 0;
        for (const char *const *w = with_value; *w; w++)
            known |= strcmp(name, *w) == 0;
        if (!known) {
            return bench_unknown_option(PROG, a);
        }
        const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v) {
            fprintf(stderr, "bench_step: %s wants a value\n", name);
            return -1;
        }
        long n;
        int rc = 0;
        if (strcmp(name, "--reps") == 0)
            rc = bench_parse_long(PROG, name, v, BENCH_MIN_REPS, BENCH_MAX_REPS, &o->reps);
        else if (strcmp(name, "--tsv") == 0)
            o->tsv = v;
        else if (strcmp(name, "--only") == 0) {
            o->only = -1;
            for (int k = 0; k < BENCH_KINDS; k++)
                if (strcmp(v, bench_kind_names[k]) == 0)
                    o->only = k;
            if (o->only < 0) {
                fprintf(stderr, "bench_step: --only wants step, noprobe or floor, not '%s'\n", v);
                rc = -1;
            }
        } else if (strcmp(name, "--clock") == 0) {
            o->cpu_clock = strcmp(v, "cpu") == 0;
            if (!o->cpu_clock && strcmp(v, "wall") != 0) {
                fprintf(stderr, "bench_step: --clock wants wall or cpu, not '%s'\n", v);
                rc = -1;
            }
        } else if (strcmp(name, "--width") == 0)
            rc = bench_parse_list(PROG, name, v, 1, 1 << 16, o->width, &o->n_width);
        else if (strcmp(name, "--depth") == 0) {
            rc = bench_parse_list(PROG, name, v, 4, 100000, o->depth, &o->n_depth);
            for (int k = 0; rc == 0 && k < o->n_depth; k++)
                if (o->depth[k] % 2) {
                    fprintf(stderr, "bench_step: --depth: %ld is not of the form 2B + 2\n",
                            o->depth[k]);
                    rc = -1;
                }
        } else if (strcmp(name, "--batch") == 0)
            rc = bench_parse_list(PROG, name, v, 1, 1 << 20, o->batch, &o->n_batch);
        else if (strcmp(name, "--budget") == 0) {
            char *end;
            o->budget = strtod(v, &end);
            if (end == v || *end || !(o->budget > 0.0 && o->budget <= 3600.0)) {
                fprintf(stderr, "bench_step: --budget wants seconds in (0, 3600], not '%s'\n", v);
                rc = -1;
            }
        } else if ((rc = bench_parse_long(PROG, name, v, 0, 1L << 30, &n)) == 0)
            o->seed = (unsigned long)n;
        if (rc != 0)
            return -1;
    }
    return 0;
}
