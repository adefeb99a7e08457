/* test_cli_init_compare.c: `gradflow init-compare` run as a user would:
 * help, bad input, and a tiny run writing every file. */
#include "cli_util.h"
#include "test_util.h"

#include "plots/gf_plot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_help(void)
{
    expect_help("init-compare", "--init", "--init-seeds", "init_gradnorm.tsv", "--epochs");
    expect_help(NULL, "init-compare");
}

static void test_bad_input(void)
{
    static const char *const bad[][4] = {
        {"--arch", "plain"},          {"--arch", "plain", "--init", "fixup"},
        {"--init", "rezero,bogus"},   {"--init", ""},          {"--depth", "7"},
        {"--width", "0"},             {"--init-seeds", "0"},
        {"--metric", "accuracy"},     {"--norm", "group"},     {"--term", "dumb"},
        {"--init"},
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
    CU_ASSERT(r.status == 0 && strstr(r.out, "decades") && strstr(r.out, "fastest"));
    result_free(&r);
    static const char *const files[] = {"init_gradnorm.tsv", "init_curves.tsv",
                                        "manifest.json", "init_compare.gp"};
    expect_files(out, files, sizeof files / sizeof *files);
    static const char *const figures[] = {"init_compare.png", "init_compare.svg"};
    if (gf_plot_available())
        expect_files(out, figures, 2);
    /* 5 schemes x 2 archs x 3 block boundaries, and one epoch each */
    char *g = read_in(out, "init_gradnorm.tsv"), *c = read_in(out, "init_curves.tsv");
    CU_ASSERT_FATAL(g && c);
    CU_ASSERT(tsv_rows(g) == 5 * 2 * 3);
    CU_ASSERT(tsv_rows(c) == 5 * 2);
    CU_ASSERT(strncmp(g, "scheme\tarch\tblock\tlog10_mean", 28) == 0);
    CU_ASSERT(strstr(g, "fixup\tresnet\t0\t-inf") != NULL); /* the zero head */
    CU_ASSERT(strstr(c, "rezero\tpreact\t1\t") != NULL);
    free(g);
    free(c);
}

CU_TestInfo cli_init_compare_tests[] = {
    {"init-compare --help", test_help},
    {"init-compare bad input: status 2, one line, nothing created", test_bad_input},
    {"a tiny run writes every file", test_tiny_run},
    CU_TEST_INFO_NULL,
};
