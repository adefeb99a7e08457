/* test_cli_degrade.c: `gradflow degrade` run as a user would: help, bad
 * input, missing data, a small training run, resuming, a diverging net. */
#include "cli_util.h"
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A small run on the synthetic set: 2 architectures x depths 4 and 6. */
#define SMALL "degrade", "--data", "synthetic", "--ntrain", "256", "--ntest", "64", "--width", \
              "8", "--batch", "32", "--depth", "4,6", "--no-plot", "--quiet"

static void test_help_and_version(void)
{
    expect_help("degrade", "--probe-every", "--resume");
    expect_version("degrade", "--version");
    expect_help(NULL, "degrade");
}

static void test_bad_input(void)
{
    static const char *const bad[][4] = {
        {"--depth", "20,21"}, {"--depth", "20,20"}, {"--depth", "20,"},
    };
    expect_train_usage_errors("degrade", bad, sizeof bad / sizeof *bad);
}

static void test_missing_dataset(void)
{
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "nodata");
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("degrade", "--data", "fashion", "--data-dir", "/nonexistent/fm",
                                 "--out", out)) == 0);
    CU_ASSERT(r.status == 1 && r.err_lines == 1);
    CU_ASSERT(r.err && strstr(r.err, "dataset-fashion-mnist") != NULL);
    CU_ASSERT(!tu_file_exists(out));
    result_free(&r);
}

static void test_small_run_and_resume(void)
{
    char a[GF_PATH_MAX], b[GF_PATH_MAX], path[GF_PATH_MAX];
    path_in(a, sizeof a, "runA");
    path_in(b, sizeof b, "runB");
    result r;
    run_ok(&r, "small run", ARGS(SMALL, "--epochs", "2", "--out", a));
    result_free(&r);
    static const char *const files[] = {"curves.tsv", "curves_mean.tsv", "gradnorm_training.tsv",
                                        "params_training.tsv", "table.md", "manifest.json",
                                        "degradation.gp", "gradnorm_training.gp",
                                        "checkpoints/plain-4-seed1.safetensors",
                                        "checkpoints/resnet-6-seed1.safetensors"};
    expect_files(a, files, sizeof files / sizeof *files);
    path_at(path, sizeof path, a, "curves.tsv");
    char *ca = rows_without_times(path, NULL);
    CU_ASSERT_FATAL(ca != NULL);
    CU_ASSERT_EQUAL(tsv_rows(ca), 2 * 2 * 3); /* archs x depths x (init + 2 epochs) */
    CU_ASSERT(strncmp(ca, "net\tarch\tdepth\tseed\tepoch\t", 25) == 0);
    /* every net opens with its error at initialization: epoch 0, step 0, near chance */
    CU_ASSERT(strstr(ca, "\nplain-4\tplain\t4\t1\t0\t0\t") != NULL);
    CU_ASSERT(strstr(ca, "\nresnet-6\tresnet\t6\t1\t0\t0\t") != NULL);
    char *mean = read_in(a, "curves_mean.tsv");
    CU_ASSERT(mean && strstr(mean, "\nplain-4\tplain\t4\t0\t1\t") != NULL);
    free(mean);

    /* the same command again: the same numbers */
    CU_ASSERT_FATAL(run(&r, ARGS(SMALL, "--epochs", "2", "--out", b)) == 0);
    CU_ASSERT(r.status == 0);
    result_free(&r);
    path_at(path, sizeof path, b, "curves.tsv");
    char *cb = rows_without_times(path, NULL);
    CU_ASSERT(cb && strcmp(ca, cb) == 0);
    free(cb);

    /* --resume where every net is done: nothing trains, the history comes back */
    CU_ASSERT_FATAL(run(&r, ARGS(SMALL, "--epochs", "2", "--out", b, "--resume")) == 0);
    CU_ASSERT(r.status == 0);
    result_free(&r);
    cb = rows_without_times(path, NULL);
    CU_ASSERT(cb && strcmp(ca, cb) == 0);
    free(cb);

    /* --resume with other settings is refused, naming the difference */
    CU_ASSERT_FATAL(run(&r, ARGS(SMALL, "--epochs", "3", "--out", b, "--resume")) == 0);
    CU_ASSERT(r.status == 1 && r.err && strstr(r.err, "epochs is 2 in the file, 3 here"));
    result_free(&r);
    free(ca);
}

/* With several seeds the table gives mean ± sd and the figure draws the
 * min-max bands; with one seed neither. */
static void test_seed_spread(void)
{
    char one[GF_PATH_MAX], two[GF_PATH_MAX];
    path_in(one, sizeof one, "seeds1");
    path_in(two, sizeof two, "seeds2");
    result r;
    run_ok(&r, "one seed", ARGS(SMALL, "--epochs", "1", "--arch", "resnet", "--out", one));
    result_free(&r);
    run_ok(&r, "two seeds", ARGS(SMALL, "--epochs", "1", "--arch", "resnet", "--seeds", "2",
                                 "--out", two));
    result_free(&r);
    char *gp1 = read_in(one, "degradation.gp"), *gp2 = read_in(two, "degradation.gp");
    char *t1 = read_in(one, "table.md"), *t2 = read_in(two, "table.md");
    CU_ASSERT(gp1 && !strstr(gp1, "filledcurves"));
    CU_ASSERT(gp2 && strstr(gp2, "filledcurves") && strstr(gp2, "mean of 2 seeds, band: min-max"));
    CU_ASSERT(t1 && !strstr(t1, "±"));
    CU_ASSERT(t2 && strstr(t2, "±") && strstr(t2, "| 1, 2 |"));
    free(gp1);
    free(gp2);
    free(t1);
    free(t2);
}

static void test_diverging_net(void)
{
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "diverge");
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS(SMALL, "--epochs", "2", "--arch", "plain", "--depth", "6",
                                 "--norm", "none", "--lr", "1e6", "--schedule", "constant",
                                 "--out", out)) == 0);
    CU_ASSERT(r.status == 1);
    CU_ASSERT(r.err && strstr(r.err, "non-finite") && strstr(r.err, "at step ") &&
              strstr(r.err, "layer "));
    CU_ASSERT(exists_in(out, "curves.tsv")); /* what was measured is kept */
    CU_ASSERT(exists_in(out, "manifest.json"));
    result_free(&r);
}

CU_TestInfo cli_degrade_tests[] = {
    {"degrade --help, --version", test_help_and_version},
    {"degrade bad input: status 2, one line, nothing created", test_bad_input},
    {"degrade without Fashion-MNIST names the package", test_missing_dataset},
    {"a small run writes every file; same seed, same numbers; resume", test_small_run_and_resume},
    {"a diverging net: status 1, step and layer named, data kept", test_diverging_net},
    {"several seeds: mean ± sd in the table, min-max bands in the figure", test_seed_spread},
    CU_TEST_INFO_NULL,
};
