/* test_cli_paths.c: `gradflow paths` and `gradflow pathgrad` run as a user
 * would: help, bad input, path counts against enumeration, a small run that
 * writes every file and reports the decomposition's error, --load. */
#include "cli_util.h"
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A small pathgrad run on the synthetic set: 4 blocks of width 8. */
#define SMALL "pathgrad", "--data", "synthetic", "--ntrain", "256", "--ntest", "64", "--depth", \
              "10", "--width", "8", "--images", "16", "--batch", "32", "--samples", "16",       \
              "--no-plot"

static void test_help_and_version(void)
{
    expect_help("paths", "--blocks", "--out");
    expect_version("paths", "--version");
    expect_help("pathgrad", "--sample-k", "--bn-warmup", "--out");
    expect_version("pathgrad", "--version");
}

static void test_paths_bad_input(void)
{
    static const char *const bad[][4] = {
        {"--blocks", "0"},  {"--blocks", "abc"}, {"--blocks", "100001"}, {"--depth", "21"},
        {"--blocks", "5", "--depth", "12"},      {"stray"},              {"--bogus"},
        {"--term", "foo"},  {"--term", "dumb", "--no-plot"},             {"--blocks"},
        {"--width", "8"},   {"--out", ""},
    };
    expect_usage_errors("paths", NULL, bad, sizeof bad / sizeof *bad);
}

/* paths.tsv of B blocks against counting every one of the 2^B paths. */
static void check_against_enumeration(int B)
{
    char out[GF_PATH_MAX], blocks[16], name[32];
    snprintf(name, sizeof name, "paths-%d", B);
    path_in(out, sizeof out, name);
    snprintf(blocks, sizeof blocks, "%d", B);
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("paths", "--blocks", blocks, "--no-plot", "--out", out)) == 0);
    CU_ASSERT(r.status == 0 && r.out && strstr(r.out, "paths"));
    result_free(&r);
    static const char *const files[] = {"paths.tsv", "manifest.json", "paths.gp"};
    expect_files(out, files, 3);
    unsigned long long count[32] = {0};
    for (unsigned long mask = 0; mask < 1ul << B; mask++) /* a path: the set of branches taken */
        count[__builtin_popcountl(mask)]++;
    char *text = read_in(out, "paths.tsv");
    CU_ASSERT_FATAL(text != NULL);
    CU_ASSERT(strncmp(text, "k\tpaths\tlog10_paths\tfraction\t", 29) == 0);
    char *line = strchr(text, '\n');
    int rows = 0;
    double total = 0.0;
    for (; line && line[1]; line = strchr(line + 1, '\n'), rows++) {
        int k;
        unsigned long long paths;
        double lc, frac;
        CU_ASSERT_FATAL(sscanf(line + 1, "%d\t%llu\t%lf\t%lf", &k, &paths, &lc, &frac) == 4);
        CU_ASSERT(k == rows && paths == count[k]);
        CU_ASSERT_DOUBLE_EQUAL(pow(10.0, lc), (double)count[k], 1e-9 * (double)count[k]);
        CU_ASSERT_DOUBLE_EQUAL(frac, (double)count[k] / (double)(1ul << B), 1e-13);
        total += frac;
    }
    CU_ASSERT_EQUAL(rows, B + 1);
    CU_ASSERT_DOUBLE_EQUAL(total, 1.0, 1e-12);
    free(text);
}

static void test_paths_match_enumeration(void)
{
    static const int blocks[] = {1, 2, 7, 16, 20};
    for (size_t i = 0; i < sizeof blocks / sizeof *blocks; i++)
        check_against_enumeration(blocks[i]);
}

/* 10,000 blocks: counts beyond any double, in log space. */
static void test_paths_many_blocks(void)
{
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "paths-10000");
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("paths", "--depth", "20002", "--no-plot", "--out", out)) == 0);
    CU_ASSERT(r.status == 0 && r.out && strstr(r.out, "10000 residual blocks"));
    result_free(&r);
    char *text = read_in(out, "paths.tsv");
    CU_ASSERT_FATAL(text != NULL);
    char *mid = strstr(text, "\n5000\t");
    char count[64];
    double lc;
    CU_ASSERT_FATAL(mid && sscanf(mid + 1, "5000\t%63s\t%lf", count, &lc) == 2);
    CU_ASSERT_DOUBLE_EQUAL(lc, 3008.0 + log10(1.59), 0.01); /* C(10000, 5000) ~ 1.59e3008 */
    CU_ASSERT(strstr(count, "e+3008") != NULL);
    free(text);
}

static void test_pathgrad_bad_input(void)
{
    static const char *const bad[][4] = {
        {"--arch", "plain"},      {"--arch", "resnet,preact"},     {"--depth", "21"},
        {"--images", "0"},        {"--samples", "1"},              {"--sample-k", "1,1"},
        {"--sample-k", "x"},      {"--depth", "10", "--sample-k", "5"},
        {"--load", "x.safetensors", "--seed", "2"},                {"--load", ""},
        {"--load", "x.safetensors", "--lr", "0.1"},
        {"--epochs", "-1"},       {"--images", "100", "--ntest", "50"},
        {"--optimizer", "foo"},   {"--lr", "nan"},                 {"--bogus"},
        {"stray"},                {"--norm", "foo"},               {"--seeds", "2"},
        {"--warmup", "100000"},   {"--data", "fashion", "--ntrain", "70000"},
        {"--seed", " 5"},
        {"--bn-warmup", "-1"},    {"--norm", "none", "--bn-warmup", "5"},
        {"--ntrain", "8"}, /* fewer than a warm-up batch: it read past the set */
    };
    expect_usage_errors("pathgrad", ARGS("--data", "synthetic"), bad, sizeof bad / sizeof *bad);
}

static void test_pathgrad_missing_checkpoint(void)
{
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "noload");
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("pathgrad", "--load", "/nonexistent/net.safetensors", "--out",
                                 out)) == 0);
    CU_ASSERT(r.status == 1 && r.err_lines == 1 && strstr(r.err, "--load"));
    CU_ASSERT(!tu_file_exists(out));
    result_free(&r);
    CU_ASSERT_FATAL(run(&r, ARGS("pathgrad", "--data", "fashion", "--data-dir", "/nonexistent/fm",
                                 "--out", out)) == 0);
    CU_ASSERT(r.status == 1 && r.err_lines == 1 && strstr(r.err, "dataset-fashion-mnist"));
    CU_ASSERT(!tu_file_exists(out));
    result_free(&r);
}

/* The relative error of sum_k g_k against dL/dx_0, per state, from the summary. */
static int sum_errors(const char *out, double *e)
{
    const char *row = out ? strstr(out, "||sum_k g_k - dL/dx_0|| / ||dL/dx_0||") : NULL;
    return row ? sscanf(row + 38, "%lf %lf", &e[0], &e[1]) : 0;
}

static void test_pathgrad_small_run_and_load(void)
{
    char a[GF_PATH_MAX], b[GF_PATH_MAX], ckpt[GF_PATH_MAX];
    path_in(a, sizeof a, "pg-run");
    path_in(b, sizeof b, "pg-load");
    result r;
    run_ok(&r, "small run", ARGS(SMALL, "--epochs", "2", "--out", a));
    double e[2] = {1, 1};
    CU_ASSERT(sum_errors(r.out, e) == 2 && e[0] < 1e-12 && e[1] < 1e-12);
    /* the sampling test, and the same test against 0, which shows whether it can fail */
    CU_ASSERT(strstr(r.out, "Test (it can fail)") != NULL);
    CU_ASSERT(strstr(r.out, "against the wrong answer 0") != NULL);
    CU_ASSERT(strstr(r.out, "plain average over 20") != NULL); /* the init state's warm-up */
    CU_ASSERT(strstr(r.out, "the length carrying the most gradient") != NULL);
    result_free(&r);
    static const char *const files[] = {
        "pathgrad.tsv", "manifest.json", "pathgrad.gp", "pathgrad_sampling.gp",
        "training/curves.tsv", "training/table.md",
        "training/checkpoints/resnet-10-seed1.safetensors"};
    expect_files(a, files, sizeof files / sizeof *files);
    char *ta = read_in(a, "pathgrad.tsv");
    CU_ASSERT_FATAL(ta != NULL);
    CU_ASSERT_EQUAL(tsv_rows(ta), 2 * 5); /* init and trained, k = 0..4 */
    CU_ASSERT(strstr(ta, "\ninit\t0\t") && strstr(ta, "\ntrained\t4\t"));

    /* the run's own checkpoint, loaded: the same net, batch and samples, the same bytes */
    path_at(ckpt, sizeof ckpt, a, "training/checkpoints/resnet-10-seed1.safetensors");
    CU_ASSERT_FATAL(run(&r, ARGS("pathgrad", "--data", "synthetic", "--ntrain", "256", "--ntest",
                                 "64", "--images", "16", "--samples", "16", "--no-plot", "--load",
                                 ckpt, "--out", b)) == 0);
    if (r.status != 0)
        show("--load", &r);
    CU_ASSERT(r.status == 0);
    result_free(&r);
    CU_ASSERT(same_text_in(a, b, "pathgrad.tsv"));
    CU_ASSERT(!exists_in(b, "training")); /* nothing trained */
    free(ta);
    /* network options given: the file must hold that net (as gradnorm --load), else a
     * one-line runtime error */
    path_in(b, sizeof b, "pg-load-match");
    CU_ASSERT_FATAL(run(&r, ARGS("pathgrad", "--data", "synthetic", "--ntrain", "256", "--ntest",
                                 "64", "--images", "16", "--samples", "16", "--no-plot", "--load",
                                 ckpt, "--arch", "resnet", "--depth", "12", "--width", "8",
                                 "--out", b)) == 0);
    CU_ASSERT(r.status == 1 && r.err_lines == 1 && strstr(r.err, "depth is 10 in the file"));
    result_free(&r);
    path_in(b, sizeof b, "pg-load-matched"); /* the options that describe it: the same bytes */
    run_ok(&r, "--load, matched", ARGS("pathgrad", "--data", "synthetic", "--ntrain", "256",
                                       "--ntest", "64", "--images", "16", "--samples", "16",
                                       "--no-plot", "--load", ckpt, "--arch", "resnet", "--depth",
                                       "10", "--width", "8", "--out", b));
    result_free(&r);
    CU_ASSERT(same_text_in(a, b, "pathgrad.tsv"));
}

static void test_pathgrad_init_only(void)
{
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "pg-init");
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS(SMALL, "--epochs", "0", "--arch", "preact", "--sample-k", "none",
                                 "--out", out, "--quiet")) == 0);
    CU_ASSERT(r.status == 0 && r.out && !*r.out);
    result_free(&r);
    char *t = read_in(out, "pathgrad.tsv");
    CU_ASSERT_FATAL(t != NULL);
    CU_ASSERT(strstr(t, "\ninit\t4\t") && !strstr(t, "trained"));
    free(t);
    CU_ASSERT(!exists_in(out, "pathgrad_sampling.gp")); /* nothing sampled, no sampling figure */
}

/* --bn-warmup 0 keeps the initial statistics and says so; an odd number of
 * blocks prints whole lengths ("k = 1 and 2", never "k = 1.5"). */
static void test_pathgrad_warmup_and_whole_lengths(void)
{
    char a[GF_PATH_MAX], b[GF_PATH_MAX];
    path_in(a, sizeof a, "pg-warm");
    path_in(b, sizeof b, "pg-cold");
    result r;
    run_ok(&r, "odd blocks", ARGS(SMALL, "--epochs", "0", "--depth", "8", "--out", a));
    CU_ASSERT(strstr(r.out, "most at k = 1 and 2") != NULL && strstr(r.out, ".5)") == NULL);
    CU_ASSERT(strstr(r.out, "from k < 2") != NULL && strstr(r.out, "k < 1.5") == NULL);
    result_free(&r);
    run_ok(&r, "--bn-warmup 0", ARGS(SMALL, "--epochs", "0", "--depth", "8", "--bn-warmup", "0",
                                     "--out", b));
    CU_ASSERT(strstr(r.out, "0 and 1 at initialization (--bn-warmup 0)") != NULL);
    result_free(&r);
    CU_ASSERT(!same_text_in(a, b, "pathgrad.tsv")); /* the statistics change the init state */
    char *m = read_in(a, "manifest.json");
    CU_ASSERT(m && strstr(m, "plain average of 20 training-mode passes"));
    free(m);
}

/* A whole PNG, unless gnuplot is missing (then the warning says so). */
static void check_png(const char *dir, const char *name, const result *r)
{
    if (r->err && strstr(r->err, "gnuplot is not installed")) {
        CU_ASSERT(!exists_in(dir, name));
    } else {
        CU_ASSERT(is_png_in(dir, name));
    }
}

/* The figures drawn; without gnuplot, a warning and the scripts, status 0. */
static void test_figures(void)
{
    char out[GF_PATH_MAX], none[GF_PATH_MAX];
    path_in(out, sizeof out, "figures");
    path_in(none, sizeof none, "no-gnuplot");
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("paths", "--blocks", "12", "--quiet", "--out", out)) == 0);
    CU_ASSERT(r.status == 0);
    check_png(out, "paths.png", &r);
    result_free(&r);
    CU_ASSERT_FATAL(run(&r, ARGS("pathgrad", "--data", "synthetic", "--ntrain", "256", "--ntest",
                                 "64", "--depth", "10", "--width", "8", "--images", "16", "--batch",
                                 "32", "--samples", "8", "--epochs", "1", "--quiet", "--out",
                                 out)) == 0);
    CU_ASSERT(r.status == 0);
    check_png(out, "pathgrad.png", &r);
    check_png(out, "pathgrad_sampling.png", &r);
    result_free(&r);
    CU_ASSERT_FATAL(run_env(&r, ARGS("GRADFLOW_GNUPLOT=/nonexistent/gnuplot"),
                            ARGS("paths", "--quiet", "--out", none)) == 0);
    CU_ASSERT(r.status == 0 && r.err && strstr(r.err, "warning") && strstr(r.err, "gnuplot"));
    CU_ASSERT(exists_in(none, "paths.gp"));
    CU_ASSERT(!exists_in(none, "paths.png"));
    result_free(&r);
}

CU_TestInfo cli_paths_tests[] = {
    {"paths and pathgrad --help, --version", test_help_and_version},
    {"paths bad input: status 2, one line, nothing created", test_paths_bad_input},
    {"paths: counts per length equal enumeration of all 2^B paths", test_paths_match_enumeration},
    {"paths: 10,000 blocks in log space", test_paths_many_blocks},
    {"pathgrad bad input: status 2, one line, nothing created", test_pathgrad_bad_input},
    {"pathgrad without its checkpoint or data: status 1, nothing created",
     test_pathgrad_missing_checkpoint},
    {"pathgrad --bn-warmup 0, and whole path lengths for odd B",
     test_pathgrad_warmup_and_whole_lengths},
    {"pathgrad small run: every file, sum_k g_k = dL/dx_0, --load reproduces it",
     test_pathgrad_small_run_and_load},
    {"pathgrad --epochs 0: initialization only", test_pathgrad_init_only},
    {"the figures are drawn; without gnuplot a warning and the scripts", test_figures},
    CU_TEST_INFO_NULL,
};
