/* bench_train.c: what `gradflow degrade`'s default experiment costs, net by net.
 *
 * The four default nets (plain and resnet, depths 20 and 56; width 64, batch
 * norm, He init, relu, 784 inputs, 10 classes) are trained as the command
 * trains them: a gf_trainer with batch 128, SGD (momentum 0.9, weight decay
 * 1e-4), the step schedule of 10 epochs, gradient norms probed once per
 * epoch, and an evaluation of the 10,000 training and 10,000 test images
 * after every epoch. Fashion-MNIST is used when installed, else a synthetic
 * set of the same shape. After one warm-up epoch, each net is timed for
 * --epochs epochs:
 *
 *   step      the time between consecutive on_step callbacks: gather the
 *             batch, forward, loss, backward, gradient norm, SGD update;
 *             the median over every step of the timed epochs;
 *   floor     the cblas_dgemm calls of that step alone (gemm_floor.c), timed
 *             --floor-reps times after every timed epoch (interleaved);
 *   epoch     the trainer's own clock: training seconds and evaluation
 *             seconds of each epoch (medians), and evaluation per 1000 images;
 *   allocs    calls to the allocator during the epochs (alloc_count.c
 *             interposes malloc and its kin in this executable): per step,
 *             and outside the steps (the evaluation).
 *
 * The projected time of the experiment is the sum over nets of 10 x
 * (training + evaluation seconds of an epoch). With --degrade PATH the real
 * command (PATH degrade -q --out DIR) runs --runs times and its manifest's
 * wall_time_s and per-net seconds, and its CPU time (user and system, from
 * wait4), are compared with the projection. OpenBLAS runs on the threads
 * gradflow's commands choose for width 64 (gf_blas_threads_for_width: one,
 * unless OPENBLAS_NUM_THREADS says otherwise); OPENBLAS_NUM_THREADS and
 * OPENBLAS_CORETYPE are passed on to the command unchanged.
 */
#define _GNU_SOURCE /* dladdr */
#include "bench.h"
#include "train/gf_train.h"

#include <dlfcn.h>
#include <getopt.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

enum { EXIT_RUNTIME = 1 };
static const char PROG[] = "bench_train";

/* The default experiment of gradflow degrade (analysis/cmd_degrade.c). */
enum { NTRAIN = 10000, NTEST = 10000, EPOCHS = 10, BATCH = 128, WIDTH = 64, NETS = 4 };
static const gf_arch ARCH[NETS] = {GF_ARCH_PLAIN, GF_ARCH_PLAIN, GF_ARCH_RESNET, GF_ARCH_RESNET};
static const int DEPTH[NETS] = {20, 56, 20, 56};

typedef struct options {
    long epochs, floor_reps, runs;
    const char *data, *data_dir, *degrade;
} options;

typedef struct net_result {
    char name[24];
    long steps;               /* per epoch */
    double step, floor;       /* medians, seconds */
    double train, eval;       /* medians of the epochs' training and evaluation seconds */
    double allocs_step;       /* allocator calls per step in the timed epochs */
    double allocs_outside;    /* per timed epoch, outside the steps (evaluation) */
    size_t allocs_warmup;     /* during the warm-up epoch, steps and evaluation */
    long first_alloc_step;    /* first timed step that allocated (1-based), or 0 */
    char alloc_site[192];     /* who made that step's last allocation: "library: symbol" */
    double user, sys, others; /* in the timed epochs: CPU seconds of this process, the
                               * share of the CPUs other processes used */
} net_result;

/* ---- options ---------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: bench_train [--epochs N] [--floor-reps N] [--data NAME] [--data-dir DIR]\n"
            "                   [--degrade PATH [--runs N]]\n"
            "\n"
            "Times the training steps, the GEMM floor of a step, the evaluation and the\n"
            "allocations of the four nets of `gradflow degrade`'s default experiment, and\n"
            "projects the experiment's wall time; prints Markdown tables.\n"
            "\n"
            "  --epochs N       epochs timed per net, after one warm-up epoch (default 3)\n"
            "  --floor-reps N   GEMM floor runs after each timed epoch (default 78)\n"
            "  --data NAME      auto, fashion or synthetic (784 features; default auto:\n"
            "                   Fashion-MNIST when installed)\n"
            "  --data-dir DIR   where Fashion-MNIST is (default " GF_FASHION_DIR ")\n"
            "  --degrade PATH   also run `PATH degrade -q --out DIR` and compare its\n"
            "                   manifest's wall_time_s with the projection\n"
            "  --runs N         runs of the command (default 3; medians are reported)\n"
            "  --help           this text\n"
            "\n"
            "OpenBLAS runs on the threads gradflow chooses for width 64 (one); OPENBLAS_CORETYPE\n"
            "and OPENBLAS_NUM_THREADS are respected and passed on.\n");
}

/* 0: run; 1: help printed; -1: usage error (message printed). */
static int parse(int argc, char **argv, void *opts)
{
    options *o = opts;
    static const struct option longopts[] = {
        {"epochs", required_argument, 0, 'e'},  {"floor-reps", required_argument, 0, 'f'},
        {"data", required_argument, 0, 'D'},    {"data-dir", required_argument, 0, 'd'},
        {"degrade", required_argument, 0, 'g'}, {"runs", required_argument, 0, 'r'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    *o = (options){.epochs = 3, .floor_reps = 78, .runs = 3, .data = "auto",
                   .data_dir = GF_FASHION_DIR};
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "h", longopts, NULL)) != -1;) {
        int rc = 0;
        switch (c) {
        case 'e':
            rc = bench_parse_long(PROG, "--epochs", optarg, 1, EPOCHS - 1, &o->epochs);
            break;
        case 'f':
            rc = bench_parse_long(PROG, "--floor-reps", optarg, 1, 100000, &o->floor_reps);
            break;
        case 'r':
            rc = bench_parse_long(PROG, "--runs", optarg, 1, BENCH_MAX_RUNS, &o->runs);
            break;
        case 'D':
            o->data = optarg;
            if (strcmp(optarg, "auto") && strcmp(optarg, "fashion") &&
                strcmp(optarg, "synthetic")) {
                fprintf(stderr, "%s: --data wants auto, fashion or synthetic, not '%s'\n", PROG,
                        optarg);
                rc = -1;
            }
            break;
        case 'd':
            o->data_dir = optarg;
            break;
        case 'g':
            o->degrade = optarg;
            break;
        case 'h':
            usage(stdout);
            return 1;
        default:
            rc = bench_unknown_option(PROG, argv[optind - 1]);
        }
        if (rc != 0)
            return -1;
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", PROG, argv[optind]);
        return -1;
    }
    if (o->degrade && access(o->degrade, X_OK) != 0) {
        fprintf(stderr, "%s: --degrade: cannot run '%s'\n", PROG, o->degrade);
        return -1;
    }
    return 0;
}

/* ---- data ------------------------------------------------------------------- */

static int load_data(const options *o, gf_dataset *train, gf_dataset *test, const char **name)
{
    char why[512];
    if (strcmp(o->data, "synthetic") != 0 &&
        (strcmp(o->data, "fashion") == 0 || gf_fashion_available(o->data_dir))) {
        *name = "Fashion-MNIST";
        if (gf_fashion_load(train, test, o->data_dir, NTRAIN, NTEST, why, sizeof why) == 0)
            return 0;
        fprintf(stderr, "%s: %s\n", PROG, why);
        return -1;
    }
    gf_dataset all = {0};
    *name = "synthetic (784 features)";
    int rc = gf_synthetic_make(&all, NTRAIN + NTEST, 784, 10, 1.5, 1);
    if (rc == 0 && (gf_dataset_slice(train, &all, 0, NTRAIN) != 0 ||
                    gf_dataset_slice(test, &all, NTRAIN, NTEST) != 0))
        rc = -1;
    gf_dataset_release(&all);
    if (rc)
        fprintf(stderr, "%s: out of memory making the synthetic set\n", PROG);
    return rc;
}

/* ---- one net ---------------------------------------------------------------- */

/* Filled by the trainer's on_step callback, which must not allocate: the
 * clock and the allocation count at the end of each step of the epoch
 * (index 0: just before the epoch), and once armed, the caller of the last
 * allocation of the first step that allocated. */
typedef struct step_log {
    double *t;
    size_t *allocs;
    int armed;
    void *caller;
} step_log;

static void on_step(void *ctx, int epoch, long step, long steps, double loss)
{
    (void)epoch, (void)steps, (void)loss;
    step_log *log = ctx;
    log->t[step] = bench_now();
    log->allocs[step] = bench_alloc_calls();
    if (log->armed && !log->caller && log->allocs[step] != log->allocs[step - 1])
        log->caller = bench_alloc_last_caller();
}

/* "library: symbol" for a code address, as far as dladdr knows. */
static void describe_site(void *addr, char *buf, size_t size)
{
    Dl_info info;
    if (!dladdr(addr, &info) || !info.dli_fname) {
        snprintf(buf, size, "%p", addr);
        return;
    }
    const char *lib = strrchr(info.dli_fname, '/');
    const size_t off = (size_t)((char *)addr - (char *)info.dli_fbase);
    if (info.dli_sname)
        snprintf(buf, size, "%s: %s (+0x%zx)", lib ? lib + 1 : info.dli_fname, info.dli_sname, off);
    else
        snprintf(buf, size, "%s (+0x%zx, in no exported function)", lib ? lib + 1 : info.dli_fname,
                 off);
}

static gf_train_config train_config(void)
{
    gf_train_config tc = {.batch = BATCH, .epochs = EPOCHS, .seed = 1,
                          .optim = gf_optim_config_default(GF_OPTIM_SGD),
                          .sched = {.kind = GF_SCHED_STEP, .lr = 0.1, .gamma = 0.1,
                                    .milestones = {0.5, 0.75}, .n_milestones = 2},
                          .probe_every = NTRAIN / BATCH}; /* degrade: once per epoch */
    return tc;
}

static int run_net(int k, const gf_dataset *train, const gf_dataset *test, const options *o,
                   net_result *r)
{
    gf_stack_config cfg = gf_stack_config_default();
    cfg.arch = ARCH[k];
    cfg.depth = DEPTH[k];
    cfg.width = WIDTH;
    cfg.norm = GF_NORM_BATCH;
    cfg.init = GF_INIT_HE;
    cfg.in_dim = train->dim;
    cfg.classes = 10;
    *r = (net_result){.steps = NTRAIN / BATCH};
    snprintf(r->name, sizeof r->name, "%s-%d", gf_arch_names[cfg.arch], cfg.depth);

    const gf_train_config tc = train_config();
    const size_t steps = (size_t)r->steps, timed = (size_t)o->epochs * steps;
    char why[512] = "out of memory";
    gf_model *m = gf_model_alloc(&gf_model_mlp, &cfg, why, sizeof why);
    gf_stack *s = m ? gf_model_net(m) : NULL;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    step_log log = {.t = malloc((steps + 1) * sizeof *log.t),
                    .allocs = malloc((steps + 1) * sizeof *log.allocs)};
    double *step_t = malloc(timed * sizeof *step_t);
    double *floor_t = malloc((size_t)(o->epochs * o->floor_reps) * sizeof *floor_t);
    double *train_t = malloc((size_t)o->epochs * sizeof *train_t);
    double *eval_t = malloc((size_t)o->epochs * sizeof *eval_t);
    gf_trainer *t = NULL;
    bench_floor floor = {0};
    int rc = -1;
    if (!s || !rng || !log.t || !log.allocs || !step_t || !floor_t || !train_t || !eval_t)
        goto done;
    gsl_rng_set(rng, 1);
    if (gf_stack_init_weights(s, rng) != 0 ||
        !(t = gf_trainer_alloc(m, train, test, &tc, why, sizeof why)) ||
        bench_floor_build(&floor, s, BATCH, rng) != 0)
        goto done;
    gf_trainer_on_step(t, on_step, &log);
    bench_floor_run(&floor);

    double wall = 0.0, cpu_all = 0.0, cpu_self = 0.0;
    size_t allocs_steps = 0, allocs_outside = 0;
    for (long e = 0; e <= o->epochs; e++) { /* epoch 0 warms up */
        gf_epoch_stats st;
        struct rusage ru0, ru1;
        getrusage(RUSAGE_SELF, &ru0);
        const bench_cpu cpu0 = bench_cpu_now();
        log.t[0] = bench_now();
        log.allocs[0] = bench_alloc_calls();
        if (gf_trainer_epoch(t, &st, why, sizeof why) != 0)
            goto done;
        const size_t after = bench_alloc_calls();
        const double t1 = bench_now();
        const bench_cpu cpu1 = bench_cpu_now();
        getrusage(RUSAGE_SELF, &ru1);
        if (e == 0) {
            r->allocs_warmup = after - log.allocs[0];
            log.armed = 1;
            continue;
        }
        for (size_t i = 1; i <= steps; i++) {
            step_t[(size_t)(e - 1) * steps + i - 1] = log.t[i] - log.t[i - 1];
            if (!r->first_alloc_step && log.allocs[i] != log.allocs[i - 1])
                r->first_alloc_step = (long)((size_t)(e - 1) * steps + i);
        }
        r->user += bench_tv_seconds(ru1.ru_utime) - bench_tv_seconds(ru0.ru_utime);
        r->sys += bench_tv_seconds(ru1.ru_stime) - bench_tv_seconds(ru0.ru_stime);
        wall += t1 - log.t[0];
        cpu_all += cpu1.all - cpu0.all;
        cpu_self += cpu1.self - cpu0.self;
        allocs_steps += log.allocs[steps] - log.allocs[0];
        allocs_outside += after - log.allocs[steps];
        train_t[e - 1] = st.seconds;
        eval_t[e - 1] = st.eval_seconds;
        for (long i = 0; i < o->floor_reps; i++) {
            const double f0 = bench_now();
            bench_floor_run(&floor);
            floor_t[(e - 1) * o->floor_reps + i] = bench_now() - f0;
        }
    }
    r->others = bench_others_share((bench_cpu){0, 0}, (bench_cpu){cpu_all, cpu_self}, wall);
    r->step = bench_median(step_t, timed);
    r->floor = bench_median(floor_t, (size_t)(o->epochs * o->floor_reps));
    r->train = bench_median(train_t, (size_t)o->epochs);
    r->eval = bench_median(eval_t, (size_t)o->epochs);
    r->allocs_step = (double)allocs_steps / (double)timed;
    r->allocs_outside = (double)allocs_outside / (double)o->epochs;
    if (log.caller)
        describe_site(log.caller, r->alloc_site, sizeof r->alloc_site);
    rc = 0;
done:
    if (rc)
        fprintf(stderr, "%s: %s: %s\n", PROG, r->name, why);
    bench_floor_release(&floor);
    gf_trainer_free(t);
    gf_model_free(m);
    gsl_rng_free(rng);
    free(log.t);
    free(log.allocs);
    free(step_t);
    free(floor_t);
    free(train_t);
    free(eval_t);
    return rc;
}

/* ---- report ---------------------------------------------------------------- */

static void report(const net_result *r, const bench_degrade *d, const options *o,
                   const char *data, double dgemm, double others)
{
    const gf_blas_info *b = gf_blas_info_get();
    const double samples = NTRAIN + NTEST;
    char ms[4][32];
    printf("### Training the default `gradflow degrade` nets\n\n");
    printf("- BLAS: %s, kernel **%s** (%s), %d thread%s; square DGEMM n = 1024: %.1f "
           "GFLOP/s\n",
           b->library, b->kernel, b->selected_by, b->threads, b->threads == 1 ? "" : "s", dgemm);
    printf("- nets: width 64, batch norm, He init, relu; %s, %d training and %d test images; "
           "batch %d (%ld steps per epoch), SGD momentum 0.9, weight decay 1e-4\n",
           data, NTRAIN, NTEST, BATCH, r[0].steps);
    printf("- medians over %ld timed epochs per net after one warm-up epoch; other processes "
           "used %.0f%% of the CPUs during the run%s\n\n",
           o->epochs, 100.0 * others, others > BENCH_BUSY ? " (**times may be inflated**)" : "");
    printf("| net | step ms | GEMM floor ms | step / floor | train s / epoch | eval s / epoch "
           "| eval ms / 1000 | allocs / step | allocs / epoch outside steps | CPU s / epoch "
           "| sys %% | others %% |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int k = 0; k < NETS; k++)
        printf("| %s | %s | %s | %.2f | %.2f | %.2f | %s | %.2f | %.1f | %.2f | %.0f | %.0f |\n",
               r[k].name, bench_fmt_ms(ms[0], sizeof ms[0], r[k].step),
               bench_fmt_ms(ms[1], sizeof ms[1], r[k].floor), r[k].step / r[k].floor, r[k].train,
               r[k].eval, bench_fmt_ms(ms[2], sizeof ms[2], r[k].eval / samples * 1000.0),
               r[k].allocs_step, r[k].allocs_outside, (r[k].user + r[k].sys) / (double)o->epochs,
               100.0 * r[k].sys / (r[k].user + r[k].sys), 100.0 * r[k].others);
    printf("\nstep = the trainer's step (gather the batch, forward, loss, backward, gradient "
           "norm, SGD update), the interval between on_step callbacks; floor = its cblas_dgemm "
           "calls alone. allocs = calls to malloc, calloc, realloc, aligned_alloc, memalign and "
           "posix_memalign from any library or thread (interposed in this executable). CPU s = "
           "processor time of this process (every thread, user + system) per timed epoch, "
           "training and evaluation; sys %% = its system share; others %% = share of the CPUs "
           "other processes used meanwhile.\n");
    for (int k = 0; k < NETS; k++) {
        if (r[k].first_alloc_step)
            printf("- %s: timed step %ld was the first to allocate; its last allocation was "
                   "called from %s\n",
                   r[k].name, r[k].first_alloc_step, r[k].alloc_site);
        printf("- %s: %zu allocator calls in the warm-up epoch (first steps and evaluation)\n",
               r[k].name, r[k].allocs_warmup);
    }

    printf("\n| net | projected s (%d epochs) |%s\n", EPOCHS,
           d ? " degrade s (manifest) | degrade / projected |" : "");
    printf("|---|---:|%s\n", d ? "---:|---:|" : "");
    double total = 0.0, total_real = 0.0;
    for (int k = 0; k < NETS; k++) {
        const double p = EPOCHS * (r[k].train + r[k].eval);
        total += p;
        total_real += d ? d->net[k] : 0.0;
        printf("| %s | %.1f |", r[k].name, p);
        if (d)
            printf(" %.1f | %.2f |", d->net[k], d->net[k] / p);
        printf("\n");
    }
    printf("| all nets | %.1f |", total);
    if (d)
        printf(" %.1f | %.2f |\n| wall_time_s | %.1f | %.1f | %.2f |", total_real,
               total_real / total, total, d->wall, d->wall / total);
    printf("\n\nprojected = %d x (%ld x step + %d evaluated images) per net, from the epochs' "
           "training and evaluation seconds.\n",
           EPOCHS, r[0].steps, NTRAIN + NTEST);
    if (d)
        printf("degrade: `%s degrade -q`, medians of %d runs. Per net: training and evaluation "
               "seconds from its manifest; wall_time_s adds loading the data and the checkpoint "
               "and TSV files written after every epoch (not the figures). Its CPU time: user "
               "%.1f s, system %.1f s (%.0f%%); %.0f involuntary context switches; other "
               "processes used %.0f%% of the CPUs meanwhile.\n",
               o->degrade, d->runs, d->user, d->sys, 100.0 * d->sys / (d->user + d->sys),
               d->nivcsw, 100.0 * d->others);
}

/* ---- main ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    options o;
    const int started = bench_start(PROG, argc, argv, parse, &o);
    if (started != BENCH_GO)
        return started;
    gf_blas_threads_for_width(WIDTH); /* as the commands do */
    bench_idle_check(PROG);
    const gf_blas_info *b = gf_blas_info_get();
    fprintf(stderr, "%s: %s, kernel %s (%s), %d threads\n", PROG, b->library, b->kernel,
            b->selected_by, b->threads);
    long reps;
    const double dgemm = bench_square_dgemm_rate(1024, &reps);

    gf_dataset train = {0}, test = {0};
    const char *data = NULL;
    net_result res[NETS];
    bench_degrade d;
    int status = EXIT_RUNTIME;
    if (load_data(&o, &train, &test, &data) != 0)
        goto done;
    const bench_cpu cpu0 = bench_cpu_now();
    const double t0 = bench_now();
    for (int k = 0; k < NETS; k++) {
        if (run_net(k, &train, &test, &o, &res[k]) != 0)
            goto done;
        fprintf(stderr, "%s: %s: step %.2f ms, floor %.2f ms, %.2f + %.2f s per epoch (%.0f s)\n",
                PROG, res[k].name, 1e3 * res[k].step, 1e3 * res[k].floor, res[k].train,
                res[k].eval, bench_now() - t0);
    }
    const double others = bench_others_share(cpu0, bench_cpu_now(), bench_now() - t0);
    const char *names[NETS];
    for (int k = 0; k < NETS; k++)
        names[k] = res[k].name;
    if (o.degrade && bench_degrade_run(PROG, o.degrade, (int)o.runs, names, NETS, &d) != 0)
        goto done;
    report(res, o.degrade ? &d : NULL, &o, data, dgemm, others);
    status = 0;
done:
    gf_dataset_release(&train);
    gf_dataset_release(&test);
    return status;
}
