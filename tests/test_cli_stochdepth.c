/* test_cli_stochdepth.c: `gradflow stochdepth` run as a user would: help,
 * bad input, a small run writing every file, and p_last = 1 training the
 * -sd net exactly as the whole one. */
#include "cli_util.h"
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A small run on the synthetic set: resnet of 6 layers (2 blocks), width 8. */
#define SMALL "stochdepth", "--data", "synthetic", "--ntrain", "256", "--ntest", "64", "--width", \
              "8", "--batch", "32", "--depth", "6", "--epochs", "2", "--no-plot"

static void test_help(void)
{
    expect_help("stochdepth", "--p-last", "--survival", "--probe-every", "epoch_times.tsv");
    expect_help(NULL, "stochdepth");
}

static void test_bad_input(void)
{
    static const char *const bad[][4] = {
        {"--p-last", "0"},        {"--p-last", "1.5"},       {"--p-last", "-0.2"},
        {"--p-last", "abc"},      {"--p-last", "nan"},       {"--survival", "none"},
        {"--survival", "cubic"},  {"--arch", "plain"},       {"--arch", "resnet,plain"},
        {"--depth", "7"},         {"--depth", "20,56"},      {"--p-last"},
        {"--p-last", "1e-300"}, /* p_B = 1 - (1 - 1e-300) = 0: refused before any training */
    };
    expect_train_usage_errors("stochdepth", bad, sizeof bad / sizeof *bad);
}

static void test_small_run(void)
{
    char out[GF_PATH_MAX], path[GF_PATH_MAX];
    path_in(out, sizeof out, "small");
    result r;
    run_ok(&r, "small run", ARGS(SMALL, "--out", out));
    /* the summary: the expected depth of 2 blocks with p = 0.75, 0.5 */
    CU_ASSERT(strstr(r.out, "expected depth: sum p_l = 1.25 of 2 blocks") != NULL);
    CU_ASSERT(strstr(r.out, "expected layers 2 sum p_l + 2 = 4.5 of 6") != NULL);
    CU_ASSERT(strstr(r.out, "fastest epochs: resnet-6-sd") != NULL);
    CU_ASSERT(strstr(r.out, "| resnet-6-sd | 4.5 |") != NULL);
    result_free(&r);
    static const char *const files[] = {
        "curves.tsv", "curves_mean.tsv", "stochdepth.tsv", "epoch_times.tsv",
        "gradnorm_training.tsv", "params_training.tsv", "table.md", "manifest.json",
        "stochdepth.gp", "gradnorm_training.gp", "checkpoints/resnet-6-seed1.safetensors",
        "checkpoints/resnet-6-sd-seed1.safetensors"};
    expect_files(out, files, sizeof files / sizeof *files);
    char *t = read_in(out, "stochdepth.tsv");
    CU_ASSERT(t && strstr(t, "\nresnet-6\tresnet\t6\tnone\t1\t2\t2\t6\t1\t1\t1\t"));
    CU_ASSERT(t && strstr(t, "\nresnet-6-sd\tresnet\t6\tlinear\t0.5\t2\t1.25\t4.5\t0.625\t"));
    free(t);
    t = read_in(out, "manifest.json");
    CU_ASSERT(t && strstr(t, "\"stochastic_depth\"") && strstr(t, "\"resnet-6-sd\""));
    free(t);
    /* with blocks dropped, the -sd net trains otherwise than the whole one */
    path_at(path, sizeof path, out, "curves.tsv");
    char *a = rows_without_times(path, "resnet-6"), *b = rows_without_times(path, "resnet-6-sd");
    CU_ASSERT(a && b && *a && strcmp(a, b) != 0);
    /* --resume where both nets are done: the same history comes back */
    CU_ASSERT_FATAL(run(&r, ARGS(SMALL, "--quiet", "--resume", "--out", out)) == 0);
    CU_ASSERT(r.status == 0);
    result_free(&r);
    char *c = rows_without_times(path, "resnet-6-sd");
    CU_ASSERT(b && c && strcmp(b, c) == 0);
    /* --resume with another rule is refused: the checkpoint names the difference */
    CU_ASSERT_FATAL(run(&r, ARGS(SMALL, "--quiet", "--resume", "--p-last", "0.8", "--out",
                                 out)) == 0);
    CU_ASSERT(r.status == 1 && r.err && strstr(r.err, "survival"));
    result_free(&r);
    free(a);
    free(b);
    free(c);

    /* uniform: every block with p_last */
    path_in(out, sizeof out, "uniform");
    CU_ASSERT_FATAL(run(&r, ARGS(SMALL, "--quiet", "--survival", "uniform", "--p-last", "0.25",
                                 "--out", out)) == 0);
    CU_ASSERT(r.status == 0 && r.out && !*r.out);
    result_free(&r);
    t = read_in(out, "stochdepth.tsv");
    CU_ASSERT(t && strstr(t, "\nresnet-6-sd\tresnet\t6\tuniform\t0.25\t2\t0.5\t3\t0.25\t"));
    free(t);
}

/* p_last = 1: every block always runs and every branch is scaled by 1, so
 * the -sd net's curves are the whole net's, number for number. */
static void test_p_last_one_is_the_whole_net(void)
{
    char out[GF_PATH_MAX], path[GF_PATH_MAX];
    path_in(out, sizeof out, "p1");
    result r;
    run_ok(&r, "p-last 1", ARGS(SMALL, "--p-last", "1", "--arch", "resnet,preact", "--out", out));
    CU_ASSERT(strstr(r.out, "every block runs (p = 1)") != NULL);
    result_free(&r);
    path_at(path, sizeof path, out, "curves.tsv");
    static const char *const nets[][2] = {{"resnet-6", "resnet-6-sd"},
                                          {"preact-6", "preact-6-sd"}};
    for (int i = 0; i < 2; i++) {
        char *a = rows_without_times(path, nets[i][0]), *b = rows_without_times(path, nets[i][1]);
        CU_ASSERT(a && b && *a && strcmp(a, b) == 0);
        free(a);
        free(b);
    }
}

/* Several seeds: mean ± sd per net in the summary's table, the paired
 * difference seed by seed, the sd columns of stochdepth.tsv and the figure's
 * bands; one seed: none of them. */
static void test_seeds(void)
{
    char one[GF_PATH_MAX], two[GF_PATH_MAX];
    path_in(one, sizeof one, "sd-seeds1");
    path_in(two, sizeof two, "sd-seeds2");
    result r1, r2;
    run_ok(&r1, "one seed", ARGS(SMALL, "--epochs", "1", "--out", one));
    run_ok(&r2, "two seeds", ARGS(SMALL, "--epochs", "1", "--seeds", "2", "--out", two));
    CU_ASSERT(r1.out && !strstr(r1.out, "±") && strstr(r1.out, "one seed"));
    CU_ASSERT(r2.out && strstr(r2.out, "±") && strstr(r2.out, "seed by seed") &&
              strstr(r2.out, "mean ± sd over 2 seeds") && strstr(r2.out, "standard error"));
    char *tsv = read_in(two, "stochdepth.tsv"), *gp1 = read_in(one, "stochdepth.gp"),
         *gp2 = read_in(two, "stochdepth.gp");
    CU_ASSERT(tsv && strstr(tsv, "\ttrain_err_sd\ttest_err_sd\n"));
    CU_ASSERT(gp1 && !strstr(gp1, "'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? "
                                  "100 * column(7) : NaN):"));
    CU_ASSERT(gp2 && strstr(gp2, "'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? "
                                 "100 * column(7) : NaN):"));
    free(tsv);
    free(gp1);
    free(gp2);
    result_free(&r1);
    result_free(&r2);
}

/* What cannot be measured is said, not printed as nan: no test images (--ntest 0); a net
 * that diverged (n/a in the table, no time compared). */
static void test_unmeasured(void)
{
    char a[GF_PATH_MAX], b[GF_PATH_MAX];
    path_in(a, sizeof a, "sd-no-test");
    path_in(b, sizeof b, "sd-diverged");
    result r;
    run_ok(&r, "--ntest 0", ARGS("stochdepth", "--data", "synthetic", "--ntrain", "64", "--ntest",
                                 "0", "--width", "4", "--batch", "16", "--depth", "4",
                                 "--epochs", "1", "--no-plot", "--out", a));
    CU_ASSERT(r.out && !strstr(r.out, "nan") && strstr(r.out, "no test images"));
    result_free(&r);
    CU_ASSERT_FATAL(run(&r, ARGS("stochdepth", "--data", "synthetic", "--ntrain", "8", "--ntest",
                                 "4", "--width", "4", "--batch", "2", "--depth", "4", "--epochs",
                                 "2", "--lr", "1e6", "--norm", "none", "--no-plot", "--out",
                                 b)) == 0);
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT(r.out && !strstr(r.out, "| nan") && strstr(r.out, "n/a") && /* "loss nan" is */
              strstr(r.out, "not compared") && !strstr(r.out, "saving")); /* the reason */
    result_free(&r);
}

CU_TestInfo cli_stochdepth_tests[] = {
    {"what cannot be measured is said: no test images, a diverged net", test_unmeasured},
    {"stochdepth --help", test_help},
    {"stochdepth bad input: status 2, one line, nothing created", test_bad_input},
    {"a small run writes every file; expected depth; resume; uniform rule", test_small_run},
    {"--p-last 1 trains the -sd net exactly as the whole one", test_p_last_one_is_the_whole_net},
    {"several seeds: mean ± sd, the paired difference, the bands", test_seeds},
    CU_TEST_INFO_NULL,
};
