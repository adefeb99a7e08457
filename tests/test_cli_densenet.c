/* test_cli_densenet.c: `gradflow densenet` run as a user would: help, bad
 * input, a tiny run writing every file and a table with measured numbers. */
#include "cli_util.h"
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tiny: the synthetic set (4 x 8 images), DenseNet-BC-10 k 4 against cnn-resnet-8 with
 * 2 filters, two seeds. */
#define TINY                                                                                 \
    "densenet", "--quick", "--data", "synthetic", "--ntrain", "128", "--ntest", "64", "--batch", \
        "32", "--seeds", "2", "--memory-depths", "10,16,22", "--memory-batch", "2",           \
        "--width-mult", "0.125"

static void test_help(void)
{
    expect_help("densenet", "Usage: gradflow densenet", "--dense", "--growth", "--memory-depths",
                "--quick", "--resnet-depth", "longer setting");
    expect_help(NULL, "densenet");
}

static void test_bad_input(void)
{
    static const char *const bad[][4] = {
        {"--depth", "21"},            /* BC: 6n + 4 */
        {"--dense", "densenet", "--depth", "12"}, /* 3n + 4 */
        {"--dense", "resnet"},        {"--growth", "0"},         {"--resnet-depth", "21"},
        {"--resnet", "densenet-bc"},  {"--memory-depths", "9,10"},  {"--memory-depths", "10,x"},
        {"--memory-depths", "10"},    /* one depth: no growth */ {"--memory-depths", "11"},
        {"--memory-batch", "1"},      {"--width-mult", "0"},
        {"--epochs", "0"},            {"stray"},                 {"--bogus"},
    };
    expect_usage_errors("densenet", ARGS("--data", "synthetic"), bad, sizeof bad / sizeof *bad);
}

static void test_tiny_run(void)
{
    char dir[GF_PATH_MAX];
    path_in(dir, sizeof dir, "densenet");
    result r;
    run_ok(&r, "tiny densenet", ARGS(TINY, "--no-plot", "--out", dir));
    CU_ASSERT(r.out && strstr(r.out, "| parameters |") && strstr(r.out, "memory per added layer"));
    result_free(&r);
    static const char *const files[] = {"nets.tsv",        "training.tsv", "memory.tsv",
                                        "reuse.tsv",       "connections.tsv", "table.md",
                                        "manifest.json",   "densenet_memory.gp",
                                        "densenet_reuse.gp", "densenet_connections.gp"};
    expect_files(dir, files, sizeof files / sizeof *files);
    CU_ASSERT(!exists_in(dir, "densenet_memory.png"));
    char *mem = read_in(dir, "memory.tsv"), *nets = read_in(dir, "nets.tsv");
    char *train = read_in(dir, "training.tsv"), *table = read_in(dir, "table.md");
    CU_ASSERT(mem && tsv_rows(mem) == 3 * 3); /* cnn-resnet-8 at 10, 16 and 22 */
    CU_ASSERT(nets && tsv_rows(nets) == 2 && strstr(nets, "densenet-bc-10-k4"));
    CU_ASSERT(train && tsv_rows(train) == 2 * 2); /* 2 nets x 2 seeds x 1 epoch */
    CU_ASSERT(table && strstr(table, "| memory growth") && strstr(table, "| feature reuse"));
    CU_ASSERT(table && !strstr(table, "-nan"));
    free(mem);
    free(nets);
    free(train);
    free(table);
}

/* degrade with DenseNets alone: --quick picks depths both kinds accept (10, 22) and a
 * whole growth rate, and the gradient reading finds each net's last block boundary. */
static void test_degrade_quick_densenet(void)
{
    char dir[GF_PATH_MAX];
    path_in(dir, sizeof dir, "degrade-densenet");
    result r;
    run_ok(&r, "degrade densenet --quick",
           ARGS("degrade", "--arch", "densenet,densenet-bc", "--quick", "--data", "synthetic",
                "--ntrain", "128", "--ntest", "64", "--epochs", "2", "--no-plot", "--out", dir));
    CU_ASSERT(r.out && strstr(r.out, "densenet-bc-22") && strstr(r.out, "densenet-10"));
    CU_ASSERT(r.out && strstr(r.out, "gradients, densenet-bc-22") && !strstr(r.out, "nan"));
    result_free(&r);
    /* beside an MLP stack --quick keeps depths both take (10, 22) and a whole growth
     * rate; beside a cnn net there is no common depth, and the commands that take only
     * residual or MLP nets say so */
    path_in(dir, sizeof dir, "degrade-densenet-plain");
    run_ok(&r, "degrade densenet,plain --quick",
           ARGS("degrade", "--arch", "densenet,plain", "--quick", "--data", "synthetic",
                "--ntrain", "128", "--ntest", "64", "--epochs", "1", "--no-plot", "-q", "--out",
                dir));
    result_free(&r);
    static const char *const mix[][4] = {{"--arch", "densenet,cnn-resnet", "--quick"}};
    expect_usage_errors("degrade", ARGS("--data", "synthetic"), mix, 1);
    static const char *const sd[][4] = {{"--arch", "densenet", "--depth", "10"}};
    expect_usage_errors("stochdepth", ARGS("--data", "synthetic"), sd, 1);
    static const char *const land[][4] = {{"--arch", "densenet", "--depth", "10"}};
    expect_usage_errors("landscape", ARGS("--data", "synthetic"), land, 1);
}

/* The DenseNets in the measurements of one net at a time: jacobian matrix-free with
 * each net's own boundary widths (DenseNet-BC's x_0, 2k = 24 channels of the 4 x 8
 * synthetic image, is wider than a cnn's 16: it overflowed a buffer sized for those),
 * an odd depth 3n + 4 (13) accepted, --spectra bounded by the net's own blocks, and
 * two nets whose block counts differ at one depth (DenseNet-10: 6 blocks,
 * DenseNet-BC-10: 3, plain-10: 4) refused by every command that lines them up. */
static void test_measurements(void)
{
    char dir[GF_PATH_MAX];
    path_in(dir, sizeof dir, "jacobian-densenet");
    result r;
    run_ok(&r, "jacobian densenet-bc",
           ARGS("jacobian", "--arch", "densenet-bc", "--depth", "10", "--seeds", "1",
                "--no-plot", "-q", "--out", dir));
    result_free(&r);
    char *m = read_in(dir, "manifest.json");
    CU_ASSERT(m && strstr(m, "\"densenet-bc\": [\n      768,"));
    free(m);
    path_in(dir, sizeof dir, "jacobian-densenet-13");
    run_ok(&r, "jacobian densenet depth 13",
           ARGS("jacobian", "--arch", "densenet", "--depth", "13", "--seeds", "1", "--no-plot",
                "-q", "--out", dir));
    result_free(&r);
    static const char *const spectra[][4] = {{"--arch", "densenet", "--spectra", "7"},
                                             {"--arch", "densenet-bc", "--spectra", "4"}};
    expect_usage_errors("jacobian", ARGS("--depth", "10"), spectra, 2); /* B = 6, 3 */
    static const char *const mixes[][4] = {{"--arch", "densenet,densenet-bc"},
                                           {"--arch", "densenet,plain"}};
    expect_usage_errors("jacobian", ARGS("--depth", "10"), mixes, 2);
    expect_usage_errors("gradnorm", ARGS("--depth", "10"), mixes, 2);
    expect_usage_errors("lesion", ARGS("--depth", "10", "--data", "synthetic"), mixes, 2);
    /* lesion of a DenseNet at an odd depth: its rows name it, and --from its own folder
     * rebuilds it (the manifest keeps --width-mult) */
    char from[GF_PATH_MAX];
    path_in(dir, sizeof dir, "lesion-densenet-7");
    path_in(from, sizeof from, "lesion-densenet-7-from");
    run_ok(&r, "lesion densenet-7",
           ARGS("lesion", "--arch", "densenet", "--depth", "7", "--width-mult", "0.25", "--data",
                "synthetic", "--ntrain", "256", "--ntest", "32", "--epochs", "1", "--draws", "2",
                "--no-plot", "-q", "--out", dir));
    result_free(&r);
    char *t = read_in(dir, "lesion_single.tsv");
    CU_ASSERT(t && strstr(t, "\tdensenet\t7\t"));
    free(t);
    run_ok(&r, "lesion --from", ARGS("lesion", "--from", dir, "--arch", "densenet", "--depth",
                                     "7", "--draws", "2", "--no-plot", "-q", "--out", from));
    result_free(&r);
}

CU_TestInfo cli_densenet_tests[] = {
    {"help", test_help},
    {"bad input: one usage line, nothing written", test_bad_input},
    {"a tiny run writes every file", test_tiny_run},
    {"degrade --quick with DenseNets (alone, beside an MLP, not beside a cnn): valid depths, "
     "no nan in the reading",
     test_degrade_quick_densenet},
    {"jacobian and gradnorm with DenseNets: each net's widths, odd depths, block counts",
     test_measurements},
    CU_TEST_INFO_NULL,
};
