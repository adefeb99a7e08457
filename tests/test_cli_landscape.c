/* test_cli_landscape.c: `gradflow landscape` and `gradflow identity` run as a
 * user would: help, bad input, a quick run that trains its nets, and the nets
 * of a degrade run loaded with --load, whose path ends are the losses that
 * run recorded, to the last digit. */
#include "cli_util.h"
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_landscape_help(void)
{
    expect_help("landscape", "--load", "--grid", "filter-normalized", "Hutchinson",
                "2 / lr", "[41]");
    expect_version("landscape", "--version");
}

static void test_landscape_bad_input(void)
{
    static const char *const bad[][4] = {
        {"--grid", "8"},      {"--grid", "1"},         {"--seeds", "2"},   {"--span", "0"},
        {"--images", "0"},    {"--hess-images", "0"},  {"--threads", "0"}, {"--hutchinson", "1"},
        {"--power-iters", "0"}, {"--snapshots", "0"},  {"--depth", "5"},   {"--depth", "4,4"},
        {"--load", ""},       {"--load", "/nonexistent", "--width", "8"},
        {"--load", "/nonexistent", "--quick"},        {"--arch", "foo"},  {"--lr", "0"},
        {"stray"},            {"--bogus"},             {"--grid"},
    };
    expect_usage_errors("landscape", ARGS("--data", "synthetic"), bad, sizeof bad / sizeof *bad);
}

/* A quick run: every file; the path's a = 1 is the surface's centre. */
static void test_landscape_quick(void)
{
    char dir[GF_PATH_MAX], path[GF_PATH_MAX], summ[GF_PATH_MAX];
    path_in(dir, sizeof dir, "landscape-quick");
    result r;
    run_ok(&r, "quick run", ARGS("landscape", "--quick", "--data", "synthetic", "--no-plot",
                                 "--quiet", "--out", dir));
    result_free(&r);
    static const char *const files[] = {
        "path.tsv", "surface_summary.tsv", "trajectory.tsv", "sharpness.tsv", "summary.txt",
        "manifest.json", "surface-plain-4.tsv", "surface-resnet-6.tsv", "landscape_contour.gp",
        "landscape_3d.gp", "landscape_path.gp", "landscape_trajectory.gp",
        "landscape_sharpness.gp"};
    expect_files(dir, files, sizeof files / sizeof *files);
    path_at(path, sizeof path, dir, "path.tsv");
    path_at(summ, sizeof summ, dir, "surface_summary.tsv");
    const char *nets[] = {"plain-4", "resnet-4", "plain-6", "resnet-6"};
    for (int i = 0; i < 4; i++) {
        char *end = tsv_field(path, nets[i], 3, "1", 4);
        char *centre = tsv_field(summ, nets[i], 0, nets[i], 3);
        CU_ASSERT(end && centre && strcmp(end, centre) == 0);
        free(end);
        free(centre);
    }
    /* initialization and 2 epochs of curvature per net; 2 snapshots per epoch + the start */
    path_at(path, sizeof path, dir, "sharpness.tsv");
    char *lr = tsv_field(path, "resnet-6", 3, "2", 6);
    CU_ASSERT(lr != NULL);
    free(lr);
}

/* The nets of a degrade run: the path's ends are the losses it recorded at
 * epoch 0 (initialization) and at its last epoch, to the last digit. */
static void test_landscape_load(void)
{
    char deg[GF_PATH_MAX], dir[GF_PATH_MAX], curves[GF_PATH_MAX], path[GF_PATH_MAX];
    path_in(deg, sizeof deg, "landscape-degrade");
    path_in(dir, sizeof dir, "landscape-load");
    result r;
    run_ok(&r, "degrade", ARGS("degrade", "--data", "synthetic", "--ntrain", "256", "--ntest",
                               "64", "--width", "8", "--depth", "4", "--epochs", "2",
                               "--no-plot", "--quiet", "--out", deg));
    result_free(&r);
    run_ok(&r, "landscape --load", ARGS("landscape", "--load", deg, "--depth", "4", "--grid", "5",
                                        "--hess-images", "32", "--power-iters", "3",
                                        "--hutchinson", "2", "--no-plot", "--quiet", "--out",
                                        dir));
    result_free(&r);
    path_at(curves, sizeof curves, deg, "curves.tsv");
    path_at(path, sizeof path, dir, "path.tsv");
    const char *nets[] = {"plain-4", "resnet-4"};
    for (int i = 0; i < 2; i++) {
        char *init = tsv_field(curves, nets[i], 4, "0", 8), *last = tsv_field(curves, nets[i], 4,
                                                                            "2", 8);
        char *a0 = tsv_field(path, nets[i], 3, "0", 4), *a1 = tsv_field(path, nets[i], 3, "1", 4);
        CU_ASSERT(init && a0 && strcmp(init, a0) == 0);
        CU_ASSERT(last && a1 && strcmp(last, a1) == 0);
        CU_ASSERT(a0 && a1 && strcmp(a0, a1) != 0);
        free(init);
        free(last);
        free(a0);
        free(a1);
    }
    /* a depth the run does not have: status 1, the file named */
    char miss[GF_PATH_MAX];
    path_in(miss, sizeof miss, "landscape-miss");
    CU_ASSERT_FATAL(run(&r, ARGS("landscape", "--load", deg, "--depth", "6", "--grid", "3",
                                 "--out", miss)) == 0);
    CU_ASSERT(r.status == 1 && r.err && strstr(r.err, "plain-6-seed1.safetensors"));
    result_free(&r);
}

static void test_identity_help_and_bad_input(void)
{
    expect_help("identity", "--blocks", "--target", "teacher", "sqrt(2) relu(Q x)", "-zero",
                "[2,8,27]");
    expect_version("identity", "-V");
    static const char *const bad[][4] = {
        {"--blocks", "0"},  {"--blocks", "x"},     {"--target", "foo"}, {"--steps", "0"},
        {"--lr", "0"},      {"--batch", "4096"},   {"--seeds", "0"},    {"--width", "0"},
        {"--init", "fixup"}, {"--record-every", "0"}, {"stray"},        {"--bogus"},
        {"--blocks", "1,1"}, {"--width", "1"},     {"--width", "65536"}, /* 550 GB */
    };
    expect_usage_errors("identity", NULL, bad, sizeof bad / sizeof *bad);
}

/* A quick run: every run's row; a residual stack whose branches start at 0 is
 * the identity: loss 0 at step 0, and its weights do not move. */
static void test_identity_quick(void)
{
    char dir[GF_PATH_MAX], path[GF_PATH_MAX];
    path_in(dir, sizeof dir, "identity-quick");
    result r;
    run_ok(&r, "identity --quick", ARGS("identity", "--quick", "--no-plot", "--out", dir));
    CU_ASSERT(r.out && strstr(r.out, "resnet-zero"));
    result_free(&r);
    static const char *const files[] = {"identity.tsv", "identity_curves.tsv", "summary.txt",
                                        "manifest.json", "identity.gp"};
    expect_files(dir, files, sizeof files / sizeof *files);
    path_at(path, sizeof path, dir, "identity.tsv");
    char *l0 = tsv_field(path, "resnet-zero", 2, "identity", 4);
    char *steps = tsv_field(path, "resnet-zero", 2, "identity", 6);
    char *plain = tsv_field(path, "plain", 2, "identity", 4);
    CU_ASSERT(l0 && strcmp(l0, "0") == 0);
    CU_ASSERT(steps && strcmp(steps, "0") == 0);
    CU_ASSERT(plain && strcmp(plain, "0") != 0);
    free(l0);
    free(steps);
    free(plain);
}

CU_TestInfo cli_landscape_tests[] = {
    {"identity --help, --version, bad input", test_identity_help_and_bad_input},
    {"identity --quick: resnet-zero starts at the identity", test_identity_quick},
    {"landscape --help, --version", test_landscape_help},
    {"landscape bad input: status 2, one line, nothing created", test_landscape_bad_input},
    {"landscape --quick: every file; path end = surface centre", test_landscape_quick},
    {"landscape --load: the path ends at the degrade run's recorded losses", test_landscape_load},
    CU_TEST_INFO_NULL,
};
