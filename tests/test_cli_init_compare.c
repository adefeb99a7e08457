/* test_cli_init_compare.c: `gradflow init-compare` run as a user would:
 * help, bad input, a tiny run writing every file, several seeds (every
 * number over all of them) and diverging nets (a result: exit status 0). */
#include "cli_util.h"
#include "test_util.h"

#include "plots/gf_plot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_help(void)
{
    expect_help("init-compare", "--init", "--init-seeds", "init_gradnorm.tsv", "--epochs",
                "--no-bn-reference", "init_runs.tsv", "also when nets diverged");
    expect_help(NULL, "init-compare");
}

static void test_bad_input(void)
{
    static const char *const bad[][4] = {
        {"--arch", "plain"},          {"--arch", "plain", "--init", "fixup"},
        {"--init", "rezero,bogus"},   {"--init", ""},          {"--depth", "7"},
        {"--width", "0"},             {"--init-seeds", "0"},
        {"--metric", "accuracy"},     {"--norm", "group"},     {"--term", "dumb"},
        {"--init"},                   {"--no-bn-reference", "x"},
    };
    expect_train_usage_errors("init-compare", bad, sizeof bad / sizeof *bad);
}

static void test_tiny_run(void)
{
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "tiny");
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("init-compare", "--data", "synthetic", "--ntrain", "256",
                                 "--ntest", "64", "--batch", "32", "--depth", "6", "--width",
                                 "8", "--epochs", "1", "--init-seeds", "2", "--out", out)) == 0);
    if (r.status != 0)
        show("tiny run", &r);
    CU_ASSERT(r.status == 0 && strstr(r.out, "decades") && strstr(r.out, "lowest training loss"));
    CU_ASSERT(strstr(r.out, "one seed: no spread measured") != NULL);
    CU_ASSERT(strstr(r.out, "he+bn") && strstr(r.out, "(reference)"));
    result_free(&r);
    static const char *const files[] = {"init_gradnorm.tsv", "init_curves.tsv", "init_runs.tsv",
                                        "manifest.json", "init_compare.gp"};
    expect_files(out, files, sizeof files / sizeof *files);
    static const char *const figures[] = {"init_compare.png", "init_compare.svg"};
    if (gf_plot_available())
        expect_files(out, figures, 2);
    /* 5 schemes and the reference x 2 archs x 3 block boundaries, and one epoch each */
    char *g = read_in(out, "init_gradnorm.tsv"), *c = read_in(out, "init_curves.tsv");
    CU_ASSERT_FATAL(g && c);
    CU_ASSERT(tsv_rows(g) == 6 * 2 * 3);
    CU_ASSERT(tsv_rows(c) == 6 * 2);
    CU_ASSERT(strncmp(g, "scheme\tarch\tblock\tlog10_mean", 28) == 0);
    CU_ASSERT(strstr(g, "fixup\tresnet\t0\t-inf") != NULL); /* the zero head */
    CU_ASSERT(strstr(c, "rezero\tpreact\t1\t1\t") != NULL);  /* epoch 1 over 1 seed */
    CU_ASSERT(strstr(c, "he+bn\tresnet\t1\t1\t") != NULL);
    free(g);
    free(c);
}

/* Every number over all seeds: the curves' seeds column, the spread in the
 * table, every seed's rows in init_runs.tsv, the ranking tested. */
static void test_seeds(void)
{
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "seeds");
    result r;
    run_ok(&r, "--seeds 3", ARGS("init-compare", "--data", "synthetic", "--ntrain", "256",
                                 "--ntest", "64", "--batch", "32", "--depth", "6", "--width", "8",
                                 "--epochs", "2", "--init-seeds", "1", "--seeds", "3", "--init",
                                 "rezero,scaled", "--arch", "preact", "--no-bn-reference",
                                 "--no-plot", "--out", out));
    CU_ASSERT(strstr(r.out, "training over 3 seeds") && strstr(r.out, " +- "));
    CU_ASSERT(strstr(r.out, "2 standard errors") && strstr(r.out, "by 3 seeds"));
    CU_ASSERT(strstr(r.out, "he+bn") == NULL);
    result_free(&r);
    char *c = read_in(out, "init_curves.tsv"), *u = read_in(out, "init_runs.tsv");
    CU_ASSERT_FATAL(c && u);
    CU_ASSERT(tsv_rows(c) == 2 * 2 && tsv_rows(u) == 3 * 2 * 2);
    CU_ASSERT(strstr(c, "scaled\tpreact\t2\t3\t") != NULL);
    CU_ASSERT(strstr(u, "rezero\tpreact\t3\t2\t") != NULL); /* seed 3, epoch 2 */
    free(c);
    free(u);
}

/* Nets that diverge are a result: status 0, the step in the summary, the
 * manifest and the figure's legend. */
static void test_divergence_is_a_result(void)
{
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "diverged");
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("init-compare", "--data", "synthetic", "--ntrain", "256",
                                 "--ntest", "64", "--batch", "32", "--depth", "6", "--width", "8",
                                 "--epochs", "1", "--init-seeds", "1", "--seeds", "2", "--init",
                                 "he,rezero", "--no-bn-reference", "--lr", "50", "--out",
                                 out)) == 0);
    if (r.status != 0)
        show("diverging run", &r);
    CU_ASSERT(r.status == 0);
    CU_ASSERT(r.out && strstr(r.out, "rezero/resnet diverged at step 5 (every seed)"));
    CU_ASSERT(r.out && strstr(r.out, "an expected result, not a failure"));
    result_free(&r);
    char *m = read_in(out, "manifest.json"), *gp = read_in(out, "init_compare.gp");
    CU_ASSERT_FATAL(m && gp);
    CU_ASSERT(strstr(m, "\"diverged_first_step\": 5") != NULL);
    CU_ASSERT(strstr(gp, "rezero, resnet: diverged at step 5") != NULL);
    free(m);
    free(gp);
    /* the last update of the last epoch blows up: no step sees it, the evaluation of the
     * training set does (4 steps of batch 2 at lr 1e6: the nets were reported as trained,
     * with a loss of nan) */
    path_in(out, sizeof out, "diverged-last");
    run_ok(&r, "diverging at the last update",
           ARGS("init-compare", "--data", "synthetic", "--depth", "4", "--width", "4", "--batch",
                "2", "--ntrain", "8", "--ntest", "4", "--epochs", "1", "--init-seeds", "1",
                "--init", "fixup", "--no-bn-reference", "--lr", "1e6", "--no-plot", "--out",
                out));
    CU_ASSERT(r.out && strstr(r.out, "fixup/resnet diverged at step 5"));
    result_free(&r);
}

CU_TestInfo cli_init_compare_tests[] = {
    {"init-compare --help", test_help},
    {"init-compare bad input: status 2, one line, nothing created", test_bad_input},
    {"a tiny run writes every file", test_tiny_run},
    {"--seeds 3: every number over all seeds", test_seeds},
    {"diverging nets are a result: status 0, the step reported", test_divergence_is_a_result},
    CU_TEST_INFO_NULL,
};
