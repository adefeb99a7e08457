/* test_cli_jacobian.c: `gradflow jacobian` run as a user would: help, bad
 * input, a small run writing every file, exact identities, the wide path
 * (width > 512) where only the largest singular value exists. */
#include "cli_util.h"
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Depth 6 (B = 2 blocks), width 8, two seeds. */
#define SMALL "jacobian", "--depth", "6", "--width", "8", "--seeds", "2"

static void test_help_and_version(void)
{
    expect_help("jacobian", "--spectra", "--bn-warmup", "n/a");
    expect_version("jacobian", "--version");
    expect_help(NULL, "jacobian");
}

static void test_bad_input(void)
{
    static const char *const bad[][4] = {
        {"--depth", "21"},          {"--depth", "2"},            {"--depth"},
        {"--width", "0"},           {"--width", "abc"},          {"--arch", "foo"},
        {"--arch", "plain,"},       {"--seeds", "0"},            {"--seed", "0"},
        {"--init", "foo"},          {"--norm", "foo"},           {"--act", "foo"},
        {"--spectra", "28"},        {"--spectra", "1,1"},        {"--spectra", ""},
        {"--spectra", "-1"},        {"--spectra", "0,"},         {"--spectra", "x"},
        {"--bn-warmup", "5"},       {"--norm", "batch", "--bn-warmup", "-1"},
        {"--samples", "1"},         {"--input-dim", "0"},        {"--term", "png"},
        {"--term", "dumb", "--no-plot"},                         {"--width", "60000"},
        {"--out", ""},              {"stray"},                   {"--bogus"},
        {"--quiet=x"},
    };
    expect_usage_errors("jacobian", NULL, bad, sizeof bad / sizeof *bad);
    /* a known flag given a value is named as such, not as an unknown option */
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("jacobian", "--quiet=x")) == 0);
    CU_ASSERT(r.status == 2 && r.err && strstr(r.err, "--quiet takes no value"));
    result_free(&r);
}

/* The tab-separated field k (0-based) of the first data row whose first
 * fields start with prefix; into buf. 0 or -1. */
static int field(const char *text, const char *prefix, int k, char *buf, size_t size)
{
    const char *line = strchr(text, '\n');
    for (; line && *++line; line = strchr(line, '\n')) {
        if (strncmp(line, prefix, strlen(prefix)) != 0)
            continue;
        const char *p = line;
        for (int i = 0; i < k && p; i++)
            if ((p = strpbrk(p, "\t\n")) && *p++ == '\n')
                return -1;
        if (!p)
            return -1;
        const size_t n = strcspn(p, "\t\n");
        snprintf(buf, size, "%.*s", (int)n, p);
        return 0;
    }
    return -1;
}

static void test_small_run(void)
{
    char a[GF_PATH_MAX], b[GF_PATH_MAX];
    path_in(a, sizeof a, "runA");
    path_in(b, sizeof b, "runB");
    result r;
    run_ok(&r, "small run", ARGS(SMALL, "--spectra", "2,0", "--out", a));
    CU_ASSERT(r.out && strstr(r.out, "end to end") && strstr(r.out, "block Jacobians"));
    const int drawn = r.out && strstr(r.out, "nothing drawn") == NULL;
    result_free(&r);
    static const char *const files[] = {"jacobian.tsv", "jacobian_mean.tsv", "spectra.tsv",
                                        "manifest.json", "jacobian_depth.gp",
                                        "jacobian_density.gp", "block_spectra.gp"};
    expect_files(a, files, sizeof files / sizeof *files);
    static const char *const pngs[] = {"jacobian_depth.png", "jacobian_density.png",
                                       "block_spectra.png"};
    for (size_t i = 0; drawn && i < sizeof pngs / sizeof *pngs; i++)
        CU_ASSERT(is_png_in(a, pngs[i]));
    CU_ASSERT_EQUAL(tu_count_matching(a, ".tmp-"), 0);
    char *ta = read_in(a, "jacobian.tsv");
    CU_ASSERT_FATAL(ta != NULL);
    CU_ASSERT(strncmp(ta, "arch\tseed\tl\tkind\tsv_max\tsv_min\tfrobenius\tcondition\t"
                          "log10_sv_max\tlog10_sv_min\tlog10_frobenius\tlog10_condition\t",
                      90) == 0);
    CU_ASSERT_EQUAL(tsv_rows(ta), 3 * 2 * 5); /* archs x seeds x (B + 1 end + B block) */
    char v[64];
    /* dx_B/dx_B is the identity: every singular value 1 */
    CU_ASSERT(field(ta, "preact\t1\t2\tend\t", 4, v, sizeof v) == 0 && strcmp(v, "1") == 0);
    CU_ASSERT(field(ta, "preact\t1\t2\tend\t", 12, v, sizeof v) == 0 && strcmp(v, "8") == 0);
    char *sp = read_in(a, "spectra.tsv");
    /* l = 0: end and block; l = 2 = B: end only; 8 values each */
    CU_ASSERT(sp && tsv_rows(sp) == 3 * 2 * 3 * 8);
    free(sp);

    /* the same command again: the same bytes */
    CU_ASSERT_FATAL(run(&r, ARGS(SMALL, "--spectra", "0,2", "--out", b, "--no-plot",
                                 "--quiet")) == 0);
    CU_ASSERT(r.status == 0 && r.out && r.out[0] == '\0');
    result_free(&r);
    CU_ASSERT(same_text_in(a, b, "jacobian.tsv"));
    CU_ASSERT(!exists_in(b, "jacobian_depth.png"));
    free(ta);
}

/* preact with zeroed branches: every Jacobian is the identity, so every
 * singular value, the condition number and the rank are exact. */
static void test_identity_stack(void)
{
    char out[GF_PATH_MAX], v[64];
    path_in(out, sizeof out, "identity");
    result r;
    /* and without gnuplot: a warning, the scripts, no picture, status 0 */
    run_env_ok(&r, "identity", ARGS("GRADFLOW_GNUPLOT=/nonexistent/gnuplot"),
               ARGS(SMALL, "--arch", "preact", "--zero-init-residual", "--norm", "batch",
                    "--bn-warmup", "3", "--out", out));
    CU_ASSERT(r.out && strstr(r.out, "8/8") && strstr(r.out, "nothing drawn"));
    CU_ASSERT(r.err_lines == 1 && strstr(r.err, "gnuplot") && strstr(r.err, "jacobian_depth.gp"));
    result_free(&r);
    CU_ASSERT(exists_in(out, "block_spectra.gp"));
    CU_ASSERT(!exists_in(out, "jacobian_depth.png"));
    char *t = read_in(out, "jacobian.tsv");
    CU_ASSERT_FATAL(t != NULL);
    static const char *const rows[] = {"preact\t1\t0\tend\t", "preact\t2\t1\tblock\t"};
    for (int i = 0; i < 2; i++) {
        CU_ASSERT(field(t, rows[i], 4, v, sizeof v) == 0 && strcmp(v, "1") == 0); /* sv_max */
        CU_ASSERT(field(t, rows[i], 5, v, sizeof v) == 0 && strcmp(v, "1") == 0); /* sv_min */
        CU_ASSERT(field(t, rows[i], 7, v, sizeof v) == 0 && strcmp(v, "1") == 0); /* cond */
        CU_ASSERT(field(t, rows[i], 12, v, sizeof v) == 0 && strcmp(v, "8") == 0); /* rank */
    }
    free(t);
}

/* Width above 512: the power iteration's largest singular value; the
 * smallest, the rank and the condition number are n/a (nan), and no spectra
 * or spectral figures are written, nor kept from an earlier run. */
static void test_wide(void)
{
    char out[GF_PATH_MAX], v[64];
    path_in(out, sizeof out, "wide");
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS(SMALL, "--width", "8", "--seeds", "1", "--no-plot", "--out",
                                 out, "--quiet")) == 0); /* a narrow run first: its spectra */
    CU_ASSERT_FATAL(r.status == 0);
    result_free(&r);
    run_ok(&r, "wide", ARGS("jacobian", "--depth", "4", "--width", "520", "--seeds", "1", "--arch",
                            "plain,resnet", "--no-plot", "--out", out));
    CU_ASSERT(r.out && strstr(r.out, "n/a") && strstr(r.out, "power iteration"));
    result_free(&r);
    static const char *const gone[] = {"spectra.tsv", "jacobian_density.gp", "block_spectra.gp"};
    expect_no_files(out, gone, sizeof gone / sizeof *gone);
    CU_ASSERT(exists_in(out, "jacobian_depth.gp"));
    char *t = read_in(out, "jacobian.tsv");
    CU_ASSERT_FATAL(t != NULL);
    CU_ASSERT_EQUAL(tsv_rows(t), 2 * 3);
    char smax[64], frob[64];
    CU_ASSERT(field(t, "resnet\t1\t0\tblock\t", 4, smax, sizeof smax) == 0);
    CU_ASSERT(field(t, "resnet\t1\t0\tblock\t", 6, frob, sizeof frob) == 0);
    CU_ASSERT(atof(smax) > 0.5 && atof(smax) <= atof(frob)); /* sigma_max <= ||J||_F */
    /* sv_min, condition, their log10, rank, sv_min_nonzero, condition_range */
    static const int na[] = {5, 7, 9, 11, 12, 13, 14};
    for (size_t i = 0; i < sizeof na / sizeof *na; i++)
        CU_ASSERT(field(t, "resnet\t1\t0\tblock\t", na[i], v, sizeof v) == 0 &&
                  strcmp(v, "nan") == 0);
    CU_ASSERT(field(t, "plain\t1\t1\tend\t", 4, v, sizeof v) == 0 &&
              fabs(atof(v) - 1.0) < 1e-12); /* the identity */
    free(t);
}

/* The rank bound beside the numerical rank, and the init's part in the
 * residual readings: at He init preact's dx_B/dx_0 is ill-conditioned. */
static void test_rank_bound_and_he_init(void)
{
    char out[GF_PATH_MAX], v[64], b[64];
    path_in(out, sizeof out, "he");
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("jacobian", "--arch", "plain,preact", "--depth", "56", "--width",
                                 "64", "--seeds", "1", "--init", "he", "--no-plot", "--out",
                                 out)) == 0);
    CU_ASSERT(r.status == 0 && r.out && strstr(r.out, "bound") && strstr(r.out, "init he:") &&
              strstr(r.out, "lost to double precision"));
    result_free(&r);
    char *t = read_in(out, "jacobian.tsv");
    CU_ASSERT_FATAL(t != NULL);
    /* plain: the ReLUs bound the exact rank below the width; the numerical rank is lower */
    CU_ASSERT(field(t, "plain\t1\t0\tend\t", 12, v, sizeof v) == 0 &&
              field(t, "plain\t1\t0\tend\t", 19, b, sizeof b) == 0);
    CU_ASSERT(atoi(b) < 64 && atoi(v) <= atoi(b) && atoi(v) > 0);
    /* preact at He init: spread over more than 10 decades */
    CU_ASSERT(field(t, "preact\t1\t0\tend\t", 14, v, sizeof v) == 0 && atof(v) > 1e10);
    free(t);
    CU_ASSERT_FATAL(run(&r, ARGS("jacobian", "--arch", "preact", "--depth", "56", "--width", "64",
                                 "--seeds", "1", "--no-plot", "--out", out)) == 0);
    CU_ASSERT(r.status == 0 && r.out && strstr(r.out, "init torch:"));
    result_free(&r);
    t = read_in(out, "jacobian.tsv");
    CU_ASSERT(t && field(t, "preact\t1\t0\tend\t", 14, v, sizeof v) == 0 && atof(v) < 1e3);
    free(t);
}

CU_TestInfo cli_jacobian_tests[] = {
    {"jacobian --help, --version", test_help_and_version},
    {"jacobian bad input: status 2, one line, nothing created", test_bad_input},
    {"a small run writes every file; same seed, same bytes", test_small_run},
    {"zeroed preact branches: every singular value is 1", test_identity_stack},
    {"width > 512: power iteration, the smallest singular value n/a", test_wide},
    {"the rank bound; He init: preact ill-conditioned, torch init: not", test_rank_bound_and_he_init},
    CU_TEST_INFO_NULL,
};
