/* test_cli_lesion.c: `gradflow lesion` run as a user would: help, bad input,
 * a small run that trains its nets, the same nets loaded again with --from,
 * missing and mismatched run folders. */
#include "cli_util.h"
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tiny nets on the synthetic set: depth 8 (B = 3 blocks), width 8. */
#define SMALL "lesion", "--data", "synthetic", "--ntrain", "256", "--ntest", "64", "--width", \
              "8", "--depth", "8", "--epochs", "2", "--draws", "3", "--no-plot", "--quiet"

static char run_dir[GF_PATH_MAX]; /* the small run, trained once for the suite's later tests */

static void test_help_and_version(void)
{
    expect_help("lesion", "--from", "--draws", "--ntest", "running statistics",
                "plain-56 stays near chance)  [20]", "critical block costs far more) [50]");
    expect_version("lesion", "--version");
}

static void test_bad_input(void)
{
    static const char *const bad[][4] = {
        {"--depth", "21"},       {"--depth", "2"},         {"--depth", "8,20"},
        {"--draws", "0"},        {"--draws", "x"},         {"--ntest", "0"},
        {"--swaps", "-1"},       {"--draw-seed", "0"},     {"--seeds", "2"},
        {"--seed", "0"},         {"--from", ""},
        {"--from", "/nonexistent", "--width", "8"},
        {"--from", "/nonexistent", "--epochs", "3"},       {"--arch", "foo"},
        {"--arch", "plain,plain"}, {"--data", "foo"},      {"--epochs", "0"},
        {"--ntrain", "1"},       {"--ntrain", "100"},      {"--depth", "4", "--swaps", "1"},
        {"--term", "png"},       {"--data-dir", ""},       {"stray"},
        {"--bogus"},             {"--draws"},
        {"--data", "fashion", "--ntrain", "70000"},        {"--data", "fashion", "--ntest", "20000"},
        {"--draws", " 3"},
    };
    expect_usage_errors("lesion", ARGS("--data", "synthetic"), bad, sizeof bad / sizeof *bad);
}

static int count_rows(const char *path, const char *net)
{
    char *text = tu_read_file(path, NULL);
    int n = 0;
    const size_t len = strlen(net);
    for (char *line = text ? strchr(text, '\n') : NULL; line && line[1];
         line = strchr(line + 1, '\n'))
        n += strncmp(line + 1, net, len) == 0 && line[1 + len] == '\t';
    free(text);
    return n;
}

static void test_small_run(void)
{
    path_in(run_dir, sizeof run_dir, "small");
    result r;
    run_ok(&r, "small run", ARGS(SMALL, "--out", run_dir));
    result_free(&r);
    static const char *const files[] = {
        "lesion_single.tsv", "lesion_delete.tsv", "lesion_delete_mean.tsv", "lesion_swap.tsv",
        "lesion_swap_mean.tsv", "summary.txt", "manifest.json", "lesion_single.gp",
        "lesion_delete.gp", "lesion_swap.gp", "curves.tsv", "table.md",
        "checkpoints/plain-8-seed1.safetensors", "checkpoints/resnet-8-seed1.safetensors"};
    expect_files(run_dir, files, sizeof files / sizeof *files);
    char path[GF_PATH_MAX];
    /* one row per block and net for the single deletions; k = 0..B for the others */
    path_at(path, sizeof path, run_dir, "lesion_single.tsv");
    CU_ASSERT_EQUAL(count_rows(path, "plain-8"), 3);
    CU_ASSERT_EQUAL(count_rows(path, "resnet-8"), 3);
    path_at(path, sizeof path, run_dir, "lesion_delete_mean.tsv");
    CU_ASSERT_EQUAL(count_rows(path, "resnet-8"), 4);
    path_at(path, sizeof path, run_dir, "lesion_delete.tsv");
    CU_ASSERT_EQUAL(count_rows(path, "plain-8"), 1 + 3 + 3 + 1); /* k = 0 and B once */
    path_at(path, sizeof path, run_dir, "lesion_swap.tsv");
    CU_ASSERT_EQUAL(count_rows(path, "plain-8"), 1 + 3 * 3);
    /* the k-curves carry the quartiles; the figures name Veit et al.'s panels */
    char *mean = read_in(run_dir, "lesion_delete_mean.tsv");
    CU_ASSERT(mean && strstr(mean, "\tloss_mean\terr_q25\terr_median\terr_q75\n"));
    free(mean);
    char *del = read_in(run_dir, "lesion_delete.gp"), *swap = read_in(run_dir, "lesion_swap.gp");
    CU_ASSERT(del && strstr(del, "Fig. 5(a)") && strstr(del, "median") && !strstr(del, "Fig. 4"));
    CU_ASSERT(swap && strstr(swap, "Fig. 5(b)"));
    free(del);
    free(swap);
}

/* The quartiles of a row: linear interpolation between order statistics. */
static void test_quartiles(void)
{
    double err[2 * 5] = {0.5, 0, 0, 0, 0, 0.4, 0.1, 0.3, 0.9, 0.2};
    int n[2] = {1, 5};
    const gf_lesion_set s = {.kmax = 1, .draws = 5, .blocks = 4, .n = n, .err = err};
    double q[3];
    gf_lesion_row_quartiles(&s, 0, q);
    CU_ASSERT(q[0] == 0.5 && q[1] == 0.5 && q[2] == 0.5);
    gf_lesion_row_quartiles(&s, 1, q); /* sorted 0.1 0.2 0.3 0.4 0.9 */
    CU_ASSERT_DOUBLE_EQUAL(q[0], 0.2, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(q[1], 0.3, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(q[2], 0.4, 1e-15);
}

/* Deleting no block (an empty plan, k = 0) gives the unlesioned error, which
 * is the test error the training recorded at its end (same images). */
static void test_zero_deletions(void)
{
    char single[GF_PATH_MAX], mean[GF_PATH_MAX], curves[GF_PATH_MAX];
    path_at(single, sizeof single, run_dir, "lesion_single.tsv");
    path_at(mean, sizeof mean, run_dir, "lesion_delete_mean.tsv");
    path_at(curves, sizeof curves, run_dir, "curves.tsv");
    static const char *const nets[] = {"plain-8", "resnet-8"};
    for (int i = 0; i < 2; i++) {
        char *base = tsv_field(single, nets[i], 3, "0", 7);   /* base_err */
        char *k0 = tsv_field(mean, nets[i], 3, "0", 5);       /* err_mean at k = 0 */
        char *trained = tsv_field(curves, nets[i], 4, "2", 11); /* test_err after epoch 2 */
        CU_ASSERT(base && k0 && trained);
        CU_ASSERT(base && k0 && strcmp(base, k0) == 0);
        CU_ASSERT(base && trained && strcmp(base, trained) == 0);
        free(base);
        free(k0);
        free(trained);
    }
}

/* --from the small run: the same nets, the same numbers; nothing trained. */
static void test_from_run(void)
{
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "again");
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("lesion", "--from", run_dir, "--depth", "8", "--draws", "3",
                                 "--no-plot", "--out", out)) == 0);
    if (r.status != 0)
        show("--from", &r);
    CU_ASSERT(r.status == 0 && strstr(r.out, "loaded from"));
    result_free(&r);
    static const char *const files[] = {"lesion_single.tsv", "lesion_delete.tsv",
                                        "lesion_swap_mean.tsv"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        CU_ASSERT(same_text_in(run_dir, out, files[i]));
    CU_ASSERT(!exists_in(out, "checkpoints"));
}

static void test_from_missing(void)
{
    char out[GF_PATH_MAX], from[GF_PATH_MAX];
    path_in(out, sizeof out, "frommissing");
    path_in(from, sizeof from, "no-such-run");
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("lesion", "--from", from, "--out", out)) == 0);
    CU_ASSERT(r.status == 1 && r.err_lines == 1 && strstr(r.err, "no-such-run: no such folder"));
    CU_ASSERT(!tu_file_exists(out));
    result_free(&r);
    /* a depth the run did not train: the missing checkpoint is named */
    CU_ASSERT_FATAL(run(&r, ARGS("lesion", "--from", run_dir, "--depth", "6", "--out", out)) == 0);
    CU_ASSERT(r.status == 1 && r.err_lines == 1 && strstr(r.err, "plain-6-seed1.safetensors"));
    CU_ASSERT(!tu_file_exists(out));
    result_free(&r);
    /* more test images than the run kept */
    CU_ASSERT_FATAL(run(&r, ARGS("lesion", "--from", run_dir, "--depth", "8", "--ntest", "65",
                                 "--out", out)) == 0);
    CU_ASSERT(r.status == 2 && r.err_lines == 1 && !tu_file_exists(out));
    result_free(&r);
}

/* --from a run whose nets diverged: they are analysed as they stopped, with a warning
 * that names the reason. */
static void test_from_diverged(void)
{
    char dv[GF_PATH_MAX], out[GF_PATH_MAX];
    path_in(dv, sizeof dv, "diverged-run");
    path_in(out, sizeof out, "from-diverged");
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("degrade", "--data", "synthetic", "--ntrain", "8", "--ntest",
                                 "4", "--width", "4", "--batch", "2", "--depth", "4", "--epochs",
                                 "2", "--lr", "1e6", "--norm", "none", "--no-plot", "-q", "--out",
                                 dv)) == 0);
    CU_ASSERT_EQUAL(r.status, 1); /* the nets stopped */
    result_free(&r);
    run_ok(&r, "lesion --from a diverged run", ARGS("lesion", "--from", dv, "--depth", "4",
                                                    "--draws", "2", "--ntest", "4", "--no-plot",
                                                    "-q", "--out", out));
    CU_ASSERT(r.err && strstr(r.err, "stopped training early (non-finite loss"));
    result_free(&r);
}

/* A manifest that does not describe its checkpoints: the file and the
 * difference are named. */
static void test_from_mismatch(void)
{
    char dir[GF_PATH_MAX], path[2 * GF_PATH_MAX + 16], out[GF_PATH_MAX];
    path_in(dir, sizeof dir, "mismatch");
    path_in(out, sizeof out, "mismatch-out");
    snprintf(path, sizeof path, "cp -r '%s' '%s'", run_dir, dir);
    CU_ASSERT_FATAL(system(path) == 0);
    path_at(path, sizeof path, dir, "manifest.json");
    char *text = tu_read_file(path, NULL);
    char *w = text ? strstr(text, "\"width\": 8,") : NULL;
    CU_ASSERT_FATAL(w != NULL);
    w[9] = '9'; /* "width": 8 -> 9 */
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    fclose(f);
    free(text);
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("lesion", "--from", dir, "--depth", "8", "--out", out)) == 0);
    CU_ASSERT(r.status == 1 && r.err_lines == 1 && strstr(r.err, "plain-8-seed1.safetensors") &&
              strstr(r.err, "width is 8 in the file, 9 here"));
    CU_ASSERT(!tu_file_exists(out));
    result_free(&r);
}

/* The library's draws: k distinct deletions, swaps that permute, Kendall's tau. */
static void test_draws(void)
{
    gsl_rng *rng = tu_rng(7);
    unsigned char drop[10];
    int order[10], seen[10];
    for (int k = 0; k <= 10; k++)
        for (int rep = 0; rep < 20; rep++) {
            gf_lesion_draw_deletion(rng, 10, k, drop);
            int n = 0;
            for (int i = 0; i < 10; i++)
                n += drop[i];
            CU_ASSERT_EQUAL(n, k);
            gf_lesion_draw_swaps(rng, 10, k, order);
            memset(seen, 0, sizeof seen);
            for (int i = 0; i < 10; i++)
                seen[order[i]]++;
            for (int i = 0; i < 10; i++)
                CU_ASSERT_EQUAL(seen[i], 1);
            if (k == 0)
                CU_ASSERT_DOUBLE_EQUAL(gf_kendall_tau(order, 10), 1.0, 0.0);
        }
    const int reversed[4] = {3, 2, 1, 0}, one_swap[4] = {1, 0, 2, 3};
    CU_ASSERT_DOUBLE_EQUAL(gf_kendall_tau(reversed, 4), -1.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(gf_kendall_tau(one_swap, 4), 2.0 / 3.0, 1e-15); /* 1 - 4 / 12 */
    gsl_rng_free(rng);
}

/* A resnet whose branches are zero computes x_{l+1} = relu(0 + x_l) = x_l:
 * every lesion, deletion or reordering, leaves its error and loss exactly. */
static void test_zero_branches_ignore_lesions(void)
{
    gf_stack_config c = gf_stack_config_default();
    c.arch = GF_ARCH_RESNET;
    c.depth = 10;
    c.width = 8;
    c.init = GF_INIT_HE;
    c.zero_branch = 1;
    gf_dataset ds;
    CU_ASSERT_FATAL(gf_synthetic_make(&ds, 40, c.in_dim, c.classes, 1.5, 3) == 0);
    gf_model *s = gf_model_alloc(&gf_model_mlp, &c, NULL, 0);
    gsl_rng *rng = tu_rng(5);
    CU_ASSERT_FATAL(s && gf_model_init(s, rng) == 0);
    const gf_lesion_spec spec = {.test = &ds, .draws = 3, .max_delete = gf_model_blocks(s),
                                 .max_swaps = gf_model_blocks(s), .seed = 1, .eval_batch = 16};
    gf_lesion_result res;
    char why[256];
    CU_ASSERT_FATAL(gf_lesion_run(s, &spec, &res, why, sizeof why) == 0);
    for (int b = 0; b < res.blocks; b++)
        CU_ASSERT(res.single_err[b] == res.base_err && res.single_loss[b] == res.base_loss);
    const gf_lesion_set *sets[2] = {&res.del, &res.swap};
    for (int i = 0; i < 2; i++)
        for (int k = 0; k <= sets[i]->kmax; k++)
            for (int j = 0; j < sets[i]->n[k]; j++) {
                const size_t cell = (size_t)k * (size_t)sets[i]->draws + (size_t)j;
                CU_ASSERT(sets[i]->err[cell] == res.base_err);
                CU_ASSERT(sets[i]->loss[cell] == res.base_loss);
            }
    gf_lesion_release(&res);
    gsl_rng_free(rng);
    gf_model_free(s);
    gf_dataset_release(&ds);
}

CU_TestInfo cli_lesion_tests[] = {
    {"--from a run whose nets diverged: a warning names the reason", test_from_diverged},
    {"lesion draws: k deletions, permutations, Kendall's tau", test_draws},
    {"lesion quartiles of a row", test_quartiles},
    {"zero residual branches: every lesion leaves error and loss exactly",
     test_zero_branches_ignore_lesions},
    {"lesion --help, --version", test_help_and_version},
    {"lesion bad input: status 2, one line, nothing created", test_bad_input},
    {"a small run trains, lesions and writes every file; B rows per net", test_small_run},
    {"no block deleted reproduces the unlesioned and the trained error", test_zero_deletions},
    {"--from the small run: the same numbers, nothing trained", test_from_run},
    {"--from a missing folder, depth or test image: status 1 (2), nothing created",
     test_from_missing},
    {"--from a run whose manifest and checkpoint differ: file and difference named",
     test_from_mismatch},
    CU_TEST_INFO_NULL,
};
