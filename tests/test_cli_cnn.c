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
    static const char *const jbad[][4] = {{"--arch", "cnn-resnet,resnet"}, /* separate runs */
                                          {"--arch", "cnn-resnet", "--depth", "22"},
                                          {"--arch", "cnn-resnet,cnn-plain", "--load", "x"}};
    expect_usage_errors("jacobian", NULL, jbad, 3);
    static const char *const pbad[][4] = {{"--arch", "cnn-plain"}, /* a single path */
                                          {"--arch", "cnn-resnet", "--depth", "22"},
                                          {"--arch", "cnn-preact", "--width-mult", "0.1"}};
    expect_usage_errors("pathgrad", NULL, pbad, 3);
    static const char *const lbad[][4] = {{"--load", "x.safetensors"}, /* two archs */
                                          {"--load", "x", "--from", "y"}};
    expect_usage_errors("lesion", (const char *const[]){"--arch", "resnet", "--data",
                                                       "synthetic", NULL}, lbad + 1, 1);
    expect_usage_errors("lesion", (const char *const[]){"--data", "synthetic", NULL}, lbad, 1);
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
    char ckpt[GF_PATH_MAX]; /* pathgrad splits a cnn-resnet's gradient by path (option A: S^T) */
    path_at(ckpt, sizeof ckpt, out, "checkpoints/cnn-resnet-14-seed1.safetensors");
    path_in(from, sizeof from, "cnn-pathgrad");
    run_ok(&r, "pathgrad --load cnn", ARGS("pathgrad", "--load", ckpt, "--data", "synthetic",
                                           "--ntest", "64", "--images", "8", "--samples", "4",
                                           "--bn-warmup", "2", "--no-plot", "--out", from));
    CU_ASSERT(strstr(r.out, "cnn-resnet-14") && strstr(r.out, "sum_k g_k - dL/dx_0"));
    result_free(&r);
    path_in(from, sizeof from, "cnn-pathgrad-plain"); /* a plain net has one path */
    path_at(ckpt, sizeof ckpt, out, "checkpoints/cnn-plain-8-seed1.safetensors");
    CU_ASSERT_FATAL(run(&r, ARGS("pathgrad", "--load", ckpt, "--data", "synthetic", "--out",
                                 from)) == 0);
    CU_ASSERT(r.status == 2 && r.err_lines == 1 && strstr(r.err, "not a residual"));
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

/* A net exported by gradnorm --save (for cnn and MLP; he and batch norm,
 * lesion's defaults: the file must match every network option) loads into
 * jacobian and lesion:
 * matrix-free for the cnn (its boundary widths in the manifest); a file of
 * another depth is a one-line runtime error, as in gradnorm --load. */
static void test_jacobian_load(void)
{
    static const char *const nets[][7] = {
        {"cnn-resnet", "--depth", "8", "--width-mult", "0.125", "--depth", "14"},
        {"resnet", "--depth", "8", "--width", "16", "--depth", "10"},
    };
    for (size_t i = 0; i < 2; i++) {
        char gn[GF_PATH_MAX], file[GF_PATH_MAX], out[GF_PATH_MAX];
        const char *const *n = nets[i];
        path_in(gn, sizeof gn, i ? "jl-gn-mlp" : "jl-gn-cnn");
        path_in(file, sizeof file, i ? "jl-mlp.safetensors" : "jl-cnn.safetensors");
        result r;
        run_ok(&r, "gradnorm --save", ARGS("gradnorm", "--arch", n[0], n[1], n[2], n[3], n[4],
                                           "--init", "he", "--norm", "batch", "--seeds", "1", "--save", file, "--no-plot",
                                           "--quiet", "--out", gn));
        result_free(&r);
        path_in(out, sizeof out, i ? "jl-mlp" : "jl-cnn");
        run_ok(&r, "jacobian --load", ARGS("jacobian", "--arch", n[0], n[1], n[2], n[3], n[4],
                                           "--init", "he", "--norm", "batch", "--load", file, "--seeds", "2", "--no-plot",
                                           "--out", out));
        CU_ASSERT(strstr(r.out, file) != NULL);
        CU_ASSERT(i == 1 || strstr(r.out, "no Jacobian is formed"));
        result_free(&r);
        char *m = read_in(out, "manifest.json");
        CU_ASSERT(m && strstr(m, "\"loaded_from\"") &&
                  (i == 1 ? !strstr(m, "boundary_widths") : strstr(m, "\"boundary_widths\"") &&
                   strstr(m, "matrix-free") != NULL));
        free(m);
        char *t = read_in(out, "jacobian.tsv");
        CU_ASSERT(t && tsv_rows(t) == 2 * (2 * 3 + 1));
        free(t);
        path_in(out, sizeof out, i ? "ll-mlp" : "ll-cnn"); /* lesion --load: the same file */
        run_ok(&r, "lesion --load", ARGS("lesion", "--arch", n[0], n[1], n[2], n[3], n[4],
                                         "--load", file, "--data", "synthetic", "--ntrain",
                                         "128", "--ntest", "64", "--draws", "2", "--no-plot",
                                         "--out", out));
        CU_ASSERT(strstr(r.out, "loaded from") && strstr(r.out, file));
        result_free(&r);
        m = read_in(out, "manifest.json");
        CU_ASSERT(m && strstr(m, "\"loaded_from\""));
        free(m);
        path_in(out, sizeof out, "ll-mismatch");
        CU_ASSERT_FATAL(run(&r, ARGS("lesion", "--arch", n[0], n[5], n[6], n[3], n[4], "--load",
                                     file, "--data", "synthetic", "--ntrain", "128", "--ntest",
                                     "64", "--no-plot", "--out", out)) == 0);
        CU_ASSERT(r.status == 1 && r.err_lines == 1 && strstr(r.err, "depth"));
        result_free(&r);
        path_in(out, sizeof out, "jl-mismatch");
        CU_ASSERT_FATAL(run(&r, ARGS("jacobian", "--arch", n[0], n[5], n[6], n[3], n[4],
                                     "--load", file, "--seeds", "1", "--no-plot", "--out",
                                     out)) == 0);
        CU_ASSERT(r.status == 1 && r.err_lines == 1 && strstr(r.err, "depth"));
        if (r.status != 1 || r.err_lines != 1)
            show("jacobian --load mismatch", &r);
        result_free(&r);
    }
}

CU_TestInfo cli_cnn_tests[] = {
    {"jacobian and lesion --load: a cnn (matrix-free) and an MLP from gradnorm --save; "
     "a file of another depth is a runtime error",
     test_jacobian_load},
    {"stochdepth with cnn-resnet, cnn-preact (cnn-plain refused)", test_stochdepth},
    {"cnn archs: usage errors (6n+2, filters, refusing commands), status 2", test_usage_errors},
    {"gradnorm with every cnn arch", test_gradnorm},
    {"degrade with cnn archs; --quick's settings", test_degrade_and_quick},
    {"lesion with cnn archs (deletions; swaps refused)", test_lesion},
    CU_TEST_INFO_NULL,
};
