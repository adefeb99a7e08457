/* test_cli_sweep.c: `gradflow sweep` as a user runs it: help, bad grids,
 * failing cells, gradnorm's numbers, resume after a kill, and the same
 * sweep.tsv serially and under mpirun -n 1, 2, 4 (skipped with a note where
 * Open MPI is absent). */
#define _GNU_SOURCE
#include "cli_util.h"
#include "test_util.h"

#include "gradflow.h"

#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A small grid, 24 cells of tiny nets. */
#define GRID "depth=6,10 width=8,16 sw2=1,2 seed=1:3"
#define SMALL "sweep", "--grid", GRID, "--batch", "16", "--samples", "256", "-q", "--no-plot"

static void test_help(void)
{
    expect_help("sweep", "Usage: gradflow sweep", "--grid", "--grid-file", "--measure",
                "--resume", "--cells", "--threads", "mpirun", "srun");
    expect_help(NULL, "sweep");
}

/* The values a grid holds: LO + i STEP (no sum of rounding errors), the end
 * within 1e-9 of a step, lists in order, names as indices; cells in order. */
static void test_grid_values(void)
{
    gf_sweep_grid g;
    char why[256];
    CU_ASSERT_FATAL(gf_sweep_grid_parse(&g, "sw2=0.5:4:0.25 # comment\n sb2=0.1:0.3:0.1 "
                                            "act=tanh,relu seed=3:4", why, sizeof why) == 0);
    CU_ASSERT_EQUAL(g.n_axes, 4);
    CU_ASSERT_EQUAL(g.axis[0].n, 15);
    CU_ASSERT_EQUAL(g.axis[0].v[14], 4.0);
    CU_ASSERT_EQUAL(g.axis[1].n, 3); /* 0.1 + 2 * 0.1 is 0.30000000000000004 */
    CU_ASSERT_EQUAL(g.axis[2].v[0], GF_ACT_TANH);
    CU_ASSERT_EQUAL(g.axis[3].v[1], 4.0);
    CU_ASSERT_EQUAL(g.cells, 15 * 3 * 2 * 2);
    gf_sweep_spec s = gf_sweep_spec_default(&g);
    const gf_sweep_point p = gf_sweep_point_of(&s, 7); /* (0, 1, 1, 1): the last key fastest */
    CU_ASSERT_EQUAL(p.sw2, 0.5);
    CU_ASSERT(fabs(p.sb2 - 0.2) < 1e-15);
    CU_ASSERT_EQUAL(p.act, GF_ACT_RELU);
    CU_ASSERT_EQUAL(p.seed, 4);
    CU_ASSERT_EQUAL(p.depth, 20); /* a default */
    char buf[64];
    gf_sweep_value_text(&g.axis[1], 2, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "0.3");
    gf_sweep_grid_release(&g);
    CU_ASSERT(gf_sweep_grid_parse(&g, "sb2=0.3", why, sizeof why) == 0);
    s = gf_sweep_spec_default(&g);
    CU_ASSERT_EQUAL(gf_sweep_point_of(&s, 0).sw2, 1.0); /* sb2 alone: sw2 1 */
    gf_sweep_grid_release(&g);
}

static void test_bad_grids(void)
{
    static const char *const bad[][4] = {
        {"--grid", ""},                     {"--grid", "   # only a comment"},
        {"--grid", "foo=1"},                {"--grid", "depth=10:5"},
        {"--grid", "sw2=1:2:0"},            {"--grid", "sw2=1:2:-1"},
        {"--grid", "depth=10 depth=20"},    {"--grid", "seed=1:100000 depth=4:400:2"},
        {"--grid", "depth=x"},              {"--grid", "act=tanh:relu"},
        {"--grid", "act=foo"},              {"--grid", "init=he sw2=1"},
        {"--grid", "seed=0"},               {"--grid", "sw2=-1"},
        {"--grid", "depth"},                {"--grid", "depth="},
        {"--grid", "depth=1.5"},            {"--grid", "depth=4,4"},
        {"--grid", "seed=1:9:0.5"},         {"--grid", "lr=1:2:x"},
        {"--measure", "foo"},               {"--batch", "1"},
        {"--batch", "512", "--samples", "256"}, {"--grid-file", "/nonexistent/grid"},
        {"stray"},                          {"--bogus"},
    };
    expect_usage_errors("sweep", ARGS("--grid", "depth=6"), bad, sizeof bad / sizeof *bad);
    static const char *const none[][4] = {{"--out", "x"}, {"--grid-file", "/nonexistent/g"}};
    expect_usage_errors("sweep", NULL, none, sizeof none / sizeof *none);
}

/* The status column (after n_keys grid columns) of every row, joined by ','. */
static char *statuses(const char *tsv, int n_keys)
{
    char *out = calloc(1, strlen(tsv) + 1), *copy = strdup(tsv), *save = NULL;
    int first = 1;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (first) {
            first = 0;
            continue;
        }
        char *f = line;
        for (int k = 0; k < n_keys && f; k++)
            f = (f = strchr(f, '\t')) ? f + 1 : NULL;
        if (f)
            strncat(out, f, strcspn(f, "\t")), strcat(out, ",");
    }
    free(copy);
    return out;
}

static void test_failing_cells(void)
{
    char a[GF_PATH_MAX], b[GF_PATH_MAX];
    path_in(a, sizeof a, "fail-gradnorm");
    path_in(b, sizeof b, "fail-train");
    result r;
    run_ok(&r, "a bad combination", ARGS("sweep", "--grid", "depth=6,7 width=8 seed=1",
                                         "--batch", "16", "--samples", "256", "--cells",
                                         "--out", a));
    CU_ASSERT(r.out && strstr(r.out, "1 ok 1 invalid") && strstr(r.out, "2B + 2"));
    result_free(&r);
    char *t = read_in(a, "sweep.tsv");
    char *st = t ? statuses(t, 3) : NULL;
    CU_ASSERT(st && strcmp(st, "ok,invalid,") == 0);
    char *blocks = read_in(a, "cells/cell-000000/gradnorm.tsv"); /* --cells: x_0 .. x_B */
    CU_ASSERT(blocks && tsv_rows(blocks) == 3);
    free(blocks);
    CU_ASSERT(!exists_in(a, "cells/cell-000001")); /* an invalid cell measured nothing */
    free(st);
    free(t);
    run_ok(&r, "a diverging run", ARGS("sweep", "-m", "train", "--grid",
                                       "depth=6 width=8 steps=20 lr=0.01,1e12 seed=1",
                                       "--batch", "16", "--out", b));
    CU_ASSERT(r.out && strstr(r.out, "1 ok 1 diverged"));
    result_free(&r);
    t = read_in(b, "sweep.tsv");
    st = t ? statuses(t, 5) : NULL;
    CU_ASSERT(st && strcmp(st, "ok,diverged,") == 0);
    CU_ASSERT(t && strstr(t, "more than 10 times the first"));
    free(st);
    free(t);
    /* every cell invalid: no net, so no accuracy (not chance's) and no boundary */
    char c[GF_PATH_MAX];
    path_in(c, sizeof c, "all-invalid");
    run_ok(&r, "every cell invalid", ARGS("sweep", "-m", "train", "--grid",
                                          "depth=5,7 width=2 sw2=1,2 steps=2", "--batch", "2",
                                          "--samples", "16", "--no-plot", "--out", c));
    CU_ASSERT(r.out && strstr(r.out, "no cell trained above chance") &&
              !strstr(r.out, "train at every depth"));
    result_free(&r);
    t = read_in(c, "sweep_trainable.tsv");
    CU_ASSERT(t && tsv_rows(t) == 0);
    free(t);
}

/* The gradient at initialization is gradflow gradnorm's, number for number. */
static void test_gradnorm_numbers(void)
{
    char a[GF_PATH_MAX], b[GF_PATH_MAX];
    path_in(a, sizeof a, "gn-sweep");
    path_in(b, sizeof b, "gn-gradnorm");
    run_ok_only("sweep", ARGS("sweep", "--grid", "depth=6 width=8 seed=2", "--batch", "16",
                              "--samples", "256", "-q", "--out", a));
    run_ok_only("gradnorm", ARGS("gradnorm", "--arch", "plain", "--depth", "6", "--width", "8",
                                 "--init", "he", "--seeds", "1", "--seed", "2", "--batch", "16",
                                 "--samples", "256", "-q", "--no-plot", "--out", b));
    char *s = read_in(a, "sweep.tsv"), *g = read_in(b, "gradnorm.tsv");
    CU_ASSERT_FATAL(s && g);
    /* sweep: depth width seed status loss log10_grad_x0 ...; gradnorm: plain 2 0 norm log10 */
    const char *row = strchr(s, '\n') + 1, *blk = strstr(g, "\nplain\t2\t0\t");
    CU_ASSERT_FATAL(blk != NULL);
    double x0 = NAN, ref = NAN;
    sscanf(row, "%*s %*s %*s %*s %*s %lf", &x0);
    sscanf(blk + 1, "%*s %*s %*s %*s %lf", &ref);
    CU_ASSERT(fabs(x0 - ref) < 1e-9);
    free(s);
    free(g);
}

/* ---- kill and resume ------------------------------------------------------------- */

static void test_resume(void)
{
    char ref[GF_PATH_MAX], k[GF_PATH_MAX];
    path_in(ref, sizeof ref, "serial");
    path_in(k, sizeof k, "killed");
    result r;
    run_ok_only("serial", ARGS(SMALL, "--out", ref));
    CU_ASSERT(run(&r, ARGS(SMALL, "--stop-after", "5", "--out", k)) == 0);
    CU_ASSERT_EQUAL(r.status, 128 + 9); /* SIGKILL right after row 5 was fsync'd */
    result_free(&r);
    CU_ASSERT(!exists_in(k, "sweep.tsv"));
    char *state = read_in(k, "state.tsv");
    CU_ASSERT(state && tsv_rows(state) == 5);
    free(state);
    char path[GF_PATH_MAX]; /* a kill in the middle of a write: a partial last line */
    path_at(path, sizeof path, k, "state.tsv");
    FILE *f = fopen(path, "a");
    CU_ASSERT_FATAL(f != NULL);
    fputs("17\t0.01\t0\t10\t16\t2\t2\tok\t2.3", f);
    fclose(f);
    run_ok_only("resume", ARGS(SMALL, "--resume", "--out", k));
    CU_ASSERT(same_text_in(ref, k, "sweep.tsv"));
    state = read_in(k, "state.tsv");
    CU_ASSERT(state && tsv_rows(state) == 24);
    free(state);
    CU_ASSERT(run(&r, ARGS("sweep", "--grid", "depth=6 seed=1:2", "--resume", "-q", "--out",
                           k)) == 0);
    CU_ASSERT_EQUAL(r.status, 1); /* the rows of another grid are refused */
    CU_ASSERT(r.err && strstr(r.err, "another sweep"));
    result_free(&r);
    /* a whole line that is not a whole row (fields missing): it and what follows run
     * again; an empty state file is no state */
    char *head = read_in(k, "state.tsv");
    CU_ASSERT_FATAL(head != NULL);
    *(strchr(head, '\n') + 1) = '\0';
    f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fprintf(f, "%s0\t0.01\t0\t4\n", head);
    fclose(f);
    free(head);
    run_ok_only("resume after a short row", ARGS(SMALL, "--resume", "--out", k));
    CU_ASSERT(same_text_in(ref, k, "sweep.tsv"));
    f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fclose(f);
    run_ok_only("resume from an empty state", ARGS(SMALL, "--resume", "--out", k));
    CU_ASSERT(same_text_in(ref, k, "sweep.tsv"));
}

/* ---- MPI ---------------------------------------------------------------------------- */

static int mpirun_found(void)
{
#ifndef GF_HAVE_MPI
    fprintf(stderr, "\n  note: gradflow was built without MPI; the MPI tests are skipped\n");
    return 0;
#else
    if (system("command -v mpirun > /dev/null 2>&1") == 0)
        return 1;
    fprintf(stderr, "\n  note: mpirun is not in PATH; the MPI tests are skipped\n");
    return 0;
#endif
}

/* `mpirun -n N gradflow ARGS...` (args NULL-terminated; stdout to /dev/null, stderr
 * into err_path, or /dev/null when NULL): its exit status (128 + signal). */
static int mpirun_gradflow(int n, const char *const *args, const char *err_path)
{
    char ranks[16];
    snprintf(ranks, sizeof ranks, "%d", n);
    const char *argv[32] = {"mpirun", "--allow-run-as-root", "--oversubscribe", "-n", ranks,
                            cli_exe()};
    for (int i = 0; args[i] && i < 25; i++)
        argv[6 + i] = args[i];
    const pid_t pid = fork();
    if (pid == 0) {
        /* Open MPI leaks by design (MPI_Init's components stay allocated): under
         * AddressSanitizer leak checking is off for the MPI runs only; the serial
         * runs above check the same sweep code for leaks. */
        const char *asan = getenv("ASAN_OPTIONS");
        char opts[1024];
        snprintf(opts, sizeof opts, "%s%sdetect_leaks=0", asan ? asan : "", asan ? ":" : "");
        setenv("ASAN_OPTIONS", opts, 1);
        const int null = open("/dev/null", O_WRONLY);
        const int err = err_path ? open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : null;
        dup2(null, 1);
        dup2(err, 2);
        execvp("mpirun", (char *const *)argv);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* `mpirun -n N gradflow SMALL --out out [extra]`. */
static int mpirun_sweep(int n, const char *out, const char *extra)
{
    return mpirun_gradflow(n, ARGS(SMALL, "--out", out, extra), NULL);
}

static void test_mpi_same_bytes(void)
{
    if (!mpirun_found())
        return;
    char ref[GF_PATH_MAX], m[GF_PATH_MAX], name[16];
    path_in(ref, sizeof ref, "serial-mpi");
    run_ok_only("serial", ARGS(SMALL, "--out", ref));
    for (int n = 1; n <= 4; n *= 2) {
        snprintf(name, sizeof name, "mpi-%d", n);
        path_in(m, sizeof m, name);
        CU_ASSERT_EQUAL(mpirun_sweep(n, m, NULL), 0);
        CU_ASSERT(same_text_in(ref, m, "sweep.tsv"));
        char *man = read_in(m, "manifest.json");
        char want[32];
        snprintf(want, sizeof want, "\"ranks\": %d", n);
        CU_ASSERT(man && strstr(man, want));
        free(man);
    }
    path_in(m, sizeof m, "mpi-killed"); /* rank 0 killed: mpirun reports it; rows on disk */
    CU_ASSERT_NOT_EQUAL(mpirun_sweep(2, m, "--stop-after=7"), 0);
    char *state = read_in(m, "state.tsv");
    CU_ASSERT(state && tsv_rows(state) == 7);
    free(state);
    CU_ASSERT_EQUAL(mpirun_sweep(2, m, "--resume"), 0);
    CU_ASSERT(same_text_in(ref, m, "sweep.tsv"));
}

/* A usage error under mpirun -n 2 is said once (by rank 0), not by every rank. */
static void test_mpi_error_said_once(void)
{
    if (!mpirun_found())
        return;
    char out[GF_PATH_MAX], err[GF_PATH_MAX];
    path_in(out, sizeof out, "mpi-bad");
    path_in(err, sizeof err, "mpi-bad.stderr");
    CU_ASSERT_NOT_EQUAL(mpirun_gradflow(2, ARGS("sweep", "--grid", "depth=4,", "--out", out),
                                        err), 0);
    char *text = tu_read_file(err, NULL);
    int said = 0;
    for (const char *p = text; p && (p = strstr(p, "gradflow sweep: --grid")); p++)
        said++;
    CU_ASSERT_EQUAL(said, 1);
    free(text);
}

/* Built without MPI, a sweep under mpirun -n 2 refuses (each rank would run it all). */
static void test_without_mpi(void)
{
#ifndef GF_HAVE_MPI
    if (system("command -v mpirun > /dev/null 2>&1") != 0)
        return;
    char m[GF_PATH_MAX];
    path_in(m, sizeof m, "no-mpi");
    CU_ASSERT_NOT_EQUAL(mpirun_sweep(2, m, NULL), 0);
    CU_ASSERT(!exists_in(m, "sweep.tsv"));
#endif
}

CU_TestInfo cli_sweep_tests[] = {
    {"help", test_help},
    {"grid values", test_grid_values},
    {"bad grids are usage errors", test_bad_grids},
    {"failing cells are rows", test_failing_cells},
    {"gradnorm's numbers", test_gradnorm_numbers},
    {"resume after a kill: same bytes", test_resume},
    {"serial and mpirun -n 1, 2, 4: same bytes", test_mpi_same_bytes},
    {"mpirun -n 2: a usage error is said once", test_mpi_error_said_once},
    {"built without MPI, mpirun -n 2 refuses", test_without_mpi},
    CU_TEST_INFO_NULL,
};
