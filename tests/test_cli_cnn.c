/* test_cli_cnn.c: the convolutional archs through the commands, at tiny
 * sizes: gradnorm, degrade (and --quick's settings), lesion; the usage
 * errors (a depth that is not 6n+2, an odd filter count, the commands that
 * refuse them). */
#include "cli_util.h"
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TINY "--depth", "8", "--width-mult", "0.125"

static void test_usage_errors(void)
{
    static const char *const bad[][4] = {
        {"--arch", "cnn-resnet", "--depth", "22"},
        {"--arch", "cnn-plain", "--width-mult", "0.1"},
        {"--arch", "cnn-preact", "--depth", "10"},
    };
    expect_usage_errors("gradnorm", NULL, bad, sizeof bad / sizeof *bad);
    static const char *const dbad[][4] = {{"--arch", "cnn-resnet", "--depth", "20,22"}};
    expect_usage_errors("degrade", (const char *const[]){"--data", "synthetic", NULL}, dbad, 1);
    static const char *const refused[][4] = {{"--arch", "cnn-resnet"}};
    expect_usage_errors("jacobian", NULL, refused, 1);
    expect_usage_errors("pathgrad", NULL, refused, 1);
    static const char *const swaps[][4] = {{"--arch", "cnn-resnet", "--swaps", "2"}};
    expect_usage_errors("lesion", (const char *const[]){"--data", "synthetic", NULL}, swaps, 1);
    result r; /* the message says 6n+2 */
    CU_ASSERT_FATAL(run(&r, ARGS("gradnorm", "--arch", "cnn-resnet", "--depth", "22")) == 0);
    CU_ASSERT(r.status == 2 && r.err && strstr(r.err, "6n+2") != NULL);
    result_free(&r);
}

static void test_gradnorm(void)
{
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "cnn-gradnorm");
    result r;
    run_ok(&r, "gradnorm cnn", ARGS("gradnorm", "--arch", "cnn-plain,cnn-resnet,cnn-preact", TINY,
                                    "--input-dim", "64", "--seeds", "2", "--batch", "8",
                                    "--samples", "64", "--no-plot", "--out", out));
    CU_ASSERT(r.out && strstr(r.out, "cnn-preact") != NULL);
    result_free(&r);
    char *probes = read_in(out, "probes.tsv");
    CU_ASSERT_FATAL(probes != NULL);
    /* x_0 .. x_3 and both conv inputs of 3 blocks (conv1's of plain and resnet is x_l) */
    CU_ASSERT(strstr(probes, "cnn-resnet\t") && strstr(probes, "blocks.2.fc2.input"));
    free(probes);
}

static void test_degrade_and_quick(void)
{
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "cnn-degrade");
    result r;
    run_ok_only("degrade cnn", ARGS("degrade", "--arch", "cnn-plain,cnn-resnet", "--depth",
                                    "8,14", "--width-mult", "0.125", "--data", "synthetic",
                                    "--ntrain", "128", "--ntest", "64", "--batch", "32",
                                    "--epochs", "1", "--no-plot", "--quiet", "--out", out));
    static const char *const files[] = {"checkpoints/cnn-plain-8-seed1.safetensors",
                                        "checkpoints/cnn-resnet-14-seed1.safetensors",
                                        "curves.tsv", "table.md"};
    expect_files(out, files, sizeof files / sizeof *files);
    char *m = read_in(out, "manifest.json");
    CU_ASSERT(m && strstr(m, "\"cnn-resnet\"") && strstr(m, "\"width_mult\": 0.125"));
    free(m);
    char from[GF_PATH_MAX]; /* lesion reads the run's nets back (their --width-mult too) */
    path_in(from, sizeof from, "cnn-lesion-from");
    run_ok_only("lesion --from", ARGS("lesion", "--from", out, "--arch", "cnn-plain,cnn-resnet",
                                      "--depth", "14", "--draws", "2", "--no-plot", "--quiet",
                                      "--out", from));
    char ckpt[GF_PATH_MAX]; /* pathgrad refuses a cnn checkpoint as it refuses the arch */
    path_at(ckpt, sizeof ckpt, out, "checkpoints/cnn-resnet-14-seed1.safetensors");
    path_in(from, sizeof from, "cnn-pathgrad");
    CU_ASSERT_FATAL(run(&r, ARGS("pathgrad", "--load", ckpt, "--out", from)) == 0);
    CU_ASSERT(r.status == 2 && r.err_lines == 1 && strstr(r.err, "not an MLP stack"));
    result_free(&r);
    /* --quick with a cnn: 1,000 / 500 images, 3 epochs, depths 8,20, width 0.125; given
     * options keep their values (here the epochs and the data) */
    path_in(out, sizeof out, "cnn-quick");
    run_ok_only("degrade --quick", ARGS("degrade", "--arch", "cnn-resnet", "--quick",
                                        "--epochs", "1", "--data", "synthetic", "--no-plot",
                                        "--quiet", "--out", out));
    m = read_in(out, "manifest.json");
    CU_ASSERT_FATAL(m != NULL);
    CU_ASSERT(strstr(m, "\"ntrain\": 1000") && strstr(m, "\"ntest\": 500") &&
              strstr(m, "\"epochs\": 1") && strstr(m, "cnn-resnet-20"));
    free(m);
}

static void test_lesion(void)
{
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "cnn-lesion");
    run_ok_only("lesion cnn", ARGS("lesion", "--arch", "cnn-plain,cnn-resnet", "--depth", "14",
                                   "--width-mult", "0.125", "--data", "synthetic", "--ntrain",
                                   "128", "--ntest", "64", "--epochs", "1", "--draws", "2",
                                   "--no-plot", "--quiet", "--out", out));
    CU_ASSERT(file_has(out, "lesion_single.tsv", "cnn-resnet-14", "cnn-resnet\t14"));
}

static void test_stochdepth(void)
{
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "cnn-sd");
    run_ok_only("stochdepth cnn", ARGS("stochdepth", "--arch", "cnn-resnet,cnn-preact", "--depth",
                                       "14", "--width-mult", "0.125", "--data", "synthetic",
                                       "--ntrain", "128", "--ntest", "64", "--epochs", "1",
                                       "--no-plot", "--quiet", "--out", out));
    CU_ASSERT(file_has(out, "stochdepth.tsv", "cnn-resnet-14-sd", "cnn-preact-14-sd"));
    static const char *const bad[][4] = {{"--arch", "cnn-plain"}};
    expect_usage_errors("stochdepth", (const char *const[]){"--data", "synthetic", NULL}, bad, 1);
}

CU_TestInfo cli_cnn_tests[] = {
    {"stochdepth with cnn-resnet, cnn-preact (cnn-plain refused)", test_stochdepth},
    {"cnn archs: usage errors (6n+2, filters, refusing commands), status 2", test_usage_errors},
    {"gradnorm with every cnn arch", test_gradnorm},
    {"degrade with cnn archs; --quick's settings", test_degrade_and_quick},
    {"lesion with cnn archs (deletions; swaps refused)", test_lesion},
    CU_TEST_INFO_NULL,
};
