/* bench.h: what the parts of bench_step and bench_train share (not installed). */
#ifndef GF_BENCH_H
#define GF_BENCH_H

#include "blas/gf_blas.h"
#include "blas/gf_cblas.h"
#include "core/gf_core.h"
#include "data/gf_data.h"
#include "nn/gf_nn.h"
#include "probe/gf_probe.h"

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>

/* ---- clocks, medians, contention (util.c) ------------------------------- */

/* First in a benchmark's main: the BLAS (gf_blas_setup, which may re-execute
 * with the fast kernel), then GSL's error handler off (statuses are checked).
 * 0, or 1 after a message "PROG: why" on stderr. */
int bench_setup(const char *prog, char **argv);
/* The start of a benchmark's main with options: bench_setup, then
 * parse(argc, argv, opts), which returns 0 to run, 1 after printing the help,
 * -1 after a usage message. BENCH_GO to go on, or main's exit status: 1
 * (setup failed), 0 (help), 2 (usage error). */
enum { BENCH_GO = -1 };
typedef int (*bench_parser)(int argc, char **argv, void *opts);
int bench_start(const char *prog, int argc, char **argv, bench_parser parse, void *opts);

double bench_now(void);                   /* CLOCK_MONOTONIC, seconds */
double bench_thread_cpu(void);            /* CLOCK_THREAD_CPUTIME_ID, seconds */
double bench_process_cpu(void);           /* CLOCK_PROCESS_CPUTIME_ID: every thread's CPU time */
double bench_median(double *x, size_t n); /* sorts x; NaN when n is 0 */
double bench_median_of(const double *x, size_t n); /* x kept in order; NaN out of memory */

/* The paired ratios scale * a_i / b_i of two kinds timed side by side: their
 * median, quartiles and the standard error of the median (1.253 * 1.4826 *
 * MAD / sqrt(n), the normal approximation). Pairing is what makes the ratio
 * robust on a shared machine: a burst of load hits both members of a pair.
 * All NaN when n < 1 or out of memory. */
typedef struct bench_paired {
    double median, q1, q3, se;
} bench_paired;
bench_paired bench_paired_ratio(const double *a, const double *b, long n, double scale);
double bench_tv_seconds(struct timeval tv);

/* CPU seconds spent by every process (from /proc/stat) and by this one:
 * their difference tells whether other work competed for the cores. */
typedef struct bench_cpu {
    double all, self;
} bench_cpu;

bench_cpu bench_cpu_now(void);
/* Share of the machine's CPU time used by other processes between a and b. */
double bench_others_share(bench_cpu a, bench_cpu b, double wall);
/* Watch the machine for half a second; warn on stderr (as prog) when other
 * processes use more than 10% of it. Returns their share. */
double bench_idle_check(const char *prog);

/* ---- PyTorch in paired rounds (torch_peer.c, torch_peer.py) ------------- */

/* gradflow and PyTorch take turns, round after round, so that the machine's
 * changing speed (10 to 30 % within an hour on a shared 2-core machine)
 * reaches both sides of each ratio; the ratio reported is the median of the
 * rounds' ratios. Between turns, bench_settle() waits BENCH_SETTLE_MS for the
 * side that just ran to stop spinning (OpenBLAS's and OpenMP's idle threads
 * spin for up to about a tenth of a second before they sleep). */
enum { BENCH_SETTLE_MS = 250 };

typedef struct bench_torch {
    int pid; /* the python3 process, or -1 */
    FILE *in, *out;
    char version[64];
    int threads;
} bench_torch;

int bench_torch_available(void); /* 1 when /usr/bin/python3 imports torch */
/* Starts /usr/bin/python3 argv[1] argv[2...] (argv[0] "python3", NULL-ended,
 * with --serve among them) and waits for it to build its models. 0, or -1
 * after a message "PROG: why" on stderr. */
int bench_torch_open(bench_torch *t, const char *prog, char *const argv[]);
/* n steps of the dtype's model ("float64", "float32"), each one's ms into ms. 0 or -1. */
int bench_torch_steps(bench_torch *t, const char *dtype, int n, double *ms);
void bench_torch_close(bench_torch *t);
void bench_settle(void);

/* ---- counting allocator calls (alloc_count.c, bench_train only) -------- */

/* Calls to malloc, calloc, realloc, aligned_alloc, memalign and
 * posix_memalign so far, from every thread and library of the process. */
size_t bench_alloc_calls(void);
/* The code address the latest of those calls returns to. */
void *bench_alloc_last_caller(void);

/* ---- the real `gradflow degrade` (degrade_run.c) ------------------------ */

enum { BENCH_MAX_RUNS = 100, BENCH_MAX_NETS = 8 };

typedef struct bench_degrade {
    int runs;
    double wall;                /* the manifest's wall_time_s */
    double user, sys, nivcsw;   /* CPU seconds and involuntary context switches (wait4) */
    double others;              /* share of the CPUs other processes used meanwhile */
    double net[BENCH_MAX_NETS]; /* each named net's seconds in the manifest (NaN: absent) */
} bench_degrade;

/* Run `exe degrade -q --out DIR` (DIR: a new folder under /tmp, kept and
 * reused by every run) `runs` times, with this environment; medians into
 * out. names are the manifest's net names ("plain-20"). 0, or -1 after a
 * message on stderr naming prog. */
int bench_degrade_run(const char *prog, const char *exe, int runs, const char *const *names,
                      int n, bench_degrade *out);

/* ---- the GEMM floor (gemm_floor.c) ------------------------------------- */

typedef struct bench_gemm_layer {
    int in, out;
    const double *w; /* out x in: the stack's weight */
    double *dw;      /* out x in: the stack's weight gradient */
    double beta_y;   /* 1 when the engine broadcasts a bias into y first */
    double beta_dx;  /* 1 when dX already holds a gradient; < 0: no dX */
} bench_gemm_layer;

typedef struct bench_floor {
    int n, layers;
    bench_gemm_layer *layer;
    double **act;    /* layers + 1 buffers; act[k] is the input of layer k */
    double *grad[2]; /* dY of layer k is grad[k % 2], its dX goes to the other */
    double *memory;
    double flops; /* 2 n in out per GEMM */
} bench_floor;

/* The cblas_dgemm calls of one training step of s at this batch size, on
 * buffers filled from rng. 0 or -1 (out of memory). */
int bench_floor_build(bench_floor *f, gf_stack *s, size_t batch, gsl_rng *rng);
void bench_floor_run(const bench_floor *f);
/* Entries of the buffers that are subnormal, infinite or NaN (should be 0). */
size_t bench_floor_abnormal(const bench_floor *f);
void bench_floor_release(bench_floor *f);
/* GFLOP/s of C = A B at n x n: median of repeated runs, about 0.5 s. */
double bench_square_dgemm_rate(int n, long *reps);

/* ---- the subnormal audit (audit.c) ------------------------------------- */

typedef struct bench_audit {
    size_t subnormal_values; /* activations, parameters */
    size_t subnormal_grads;  /* gradient buffers as stored, parameter gradients */
    double smallest;         /* smallest nonzero magnitude seen */
} bench_audit;

/* Count subnormal numbers in every tensor of the step just run on tape (its
 * values and gradients) and in s's parameters and gradients. */
void bench_audit_tape(const gf_stack *s, const gf_tape *tape, bench_audit *out);

/* ---- the run (bench_step.c, options.c, report.c) ----------------------- */

enum { BENCH_STEP, BENCH_NOPROBE, BENCH_FLOOR, BENCH_KINDS };
extern const char *const bench_kind_names[]; /* "step", "noprobe", "floor", NULL */

enum { BENCH_MAX_LIST = 16, BENCH_MIN_REPS = 5, BENCH_MAX_REPS = 1000000 };

/* A row is marked busy when other processes used more than this share of
 * the CPUs while it was timed. */
#define BENCH_BUSY 0.05

typedef struct bench_options {
    long width[BENCH_MAX_LIST], depth[BENCH_MAX_LIST], batch[BENCH_MAX_LIST];
    int n_width, n_depth, n_batch;
    long reps;     /* 0: chosen per configuration from the budget */
    double budget; /* seconds of timed work per configuration */
    long in_dim, classes;
    unsigned long seed;
    const char *tsv;
    int only;      /* a BENCH_ kind to time alone (for profilers), or -1 */
    int cpu_clock; /* 1: time by this thread's CPU time (--clock cpu), 0: wall time */
} bench_options;

typedef struct bench_result {
    long width, depth, batch;
    long reps;
    double step, plain, floor; /* medians, seconds (NaN: not timed) */
    double ratio_se;           /* standard error of step / floor */
    double pct, pct_q1, pct_q3; /* probe cost, %: median and quartiles of the paired
                                   step / no-probe ratios, minus 100 */
    double pct_se;             /* the standard error of that median */
    double passes;             /* median seconds of a step's probe passes run alone */
    double flops;              /* of the GEMMs of one step */
    bench_audit audit;
    size_t timed_mallocs;  /* arena chunks obtained while timing (should be 0) */
    size_t floor_abnormal; /* subnormal / inf / NaN entries in the floor's buffers */
    double others;         /* share of the CPUs other processes used while timing */
} bench_result;

/* 0: run; 1: help printed; -1: usage error (message printed). */
int bench_parse_options(int argc, char **argv, void *opts); /* opts: a bench_options */
/* A whole number in [min, max], or a comma-separated list of at most
 * BENCH_MAX_LIST of them; 0, or -1 after a message naming prog and opt. */
int bench_parse_long(const char *prog, const char *opt, const char *s, long min, long max,
                     long *out);
int bench_parse_list(const char *prog, const char *opt, const char *s, long min, long max,
                     long *out, int *n);
/* "PROG: unknown option or missing value: 'ARG' (--help lists the options)"
 * on stderr; -1, a parser's usage error. */
int bench_unknown_option(const char *prog, const char *arg);

/* A benchmark's option in a table for bench_parse_args: "--name N", a whole
 * number in [min, max] into a long; "--name TEXT" into a const char *; or
 * "--name" alone, which stores min into an int. */
typedef enum { BENCH_ARG_LONG, BENCH_ARG_TEXT, BENCH_ARG_FLAG } bench_arg_kind;
typedef struct bench_arg {
    const char *name; /* "--depth"; NULL ends the table */
    bench_arg_kind kind;
    void *at;
    long min, max;
} bench_arg;
/* argv by the table; --help or -h prints usage. 0 to run, 1 after the help,
 * -1 after a one-line usage message naming prog. */
int bench_parse_args(const char *prog, int argc, char **argv, const bench_arg *table,
                     const char *usage);

/* Milliseconds to about 3 significant digits; "-" for NaN. */
const char *bench_fmt_ms(char *buf, size_t size, double seconds);

/* The report on stdout: dgemm is the square DGEMM rate (NaN: not measured),
 * wall the run time, others the share of the CPUs other processes used. */
void bench_print_markdown(const bench_result *res, int n, double dgemm, long dgemm_reps,
                          const bench_options *o, double wall, double others);
/* The same numbers as TSV, written atomically; 0 or -1 (errno set). */
int bench_write_tsv(const char *path, const bench_result *res, int n, double dgemm);

#endif
