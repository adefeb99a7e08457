/* test_cli_hanin_shatter.c: `gradflow hanin` and `gradflow shatter` run as a
 * user would: help, bad input, small runs that write every file, the same
 * numbers for the same seed, the looks-linear net's constant gradient, and
 * the figures when gnuplot is there. */
#include "cli_util.h"
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HANIN_SMALL "hanin", "--depth", "4,6,8", "--width", "8,16", "--seeds", "5", "--no-plot", \
                    "--quiet"
#define SHATTER_SMALL "shatter", "--nets", "plain-2,plain-6-bn,resnet-6,ll-4", "--archs",        \
                      "plain-bn,resnet-bn,ll", "--depth", "2,4,6", "--seeds", "2", "--points",   \
                      "32", "--max-lag", "8", "--width", "16", "--quiet"

static void test_help_and_version(void)
{
    expect_help("hanin", "--loss", "--out");
    expect_version("hanin", "--version");
    expect_help("shatter", "--max-lag", "batch norm, not depth alone");
    expect_version("shatter", "--version");
    expect_help(NULL, "hanin", "shatter");
}

static void test_bad_input(void)
{
    static const char *const hanin[][4] = {
        {"--depth", "5"},      {"--depth", "10,10"},   {"--depth", "10,"},  {"--width", "0"},
        {"--width", "8,8"},    {"--width", "x"},       {"--seeds", "2"},    {"--seeds", "0"},
        {"--seed", "0"},       {"--batch", "0"},       {"--loss", "mse"},   {"--arch", "plain"},
        {"--batch", "100", "--samples", "50"},         {"--term", "png"},   {"stray"},
        {"--depth"},           {"--bogus"},            {"--out", ""},
        {"--depth", "100000", "--width", "65536"},     {"--term", "dumb", "--no-plot"},
        {"--samples", "4194304", "--input-dim", "65536"}, /* the set: 2 TiB */
    };
    expect_usage_errors("hanin", NULL, hanin, sizeof hanin / sizeof *hanin);
    static const char *const shatter[][4] = {
        {"--nets", "plain-3"},          {"--nets", "ll-24-bn"},        {"--nets", "foo-4"},
        {"--nets", "plain-4,plain-4"},  {"--nets", ""},                {"--archs", "plain-24"},
        {"--archs", "ll,ll"},           {"--depth", "2,3"},            {"--depth", "1"},
        {"--depth", "4,4"},             {"--width", "1"},              {"--width", "15"},
        {"--points", "4"},              {"--max-lag", "300"},          {"--xmin", "2"},
        {"--xmin", "nan"},              {"--seeds", "0"},              {"--seed", "0"},
        {"--init", "he"},               {"stray"},                     {"--nets"},
        {"--bogus"},                    {"--depth", "5000", "--points", "65536"},
        {"--seeds", "1"}, /* no standard error for the verdicts */
    };
    expect_usage_errors("shatter", NULL, shatter, sizeof shatter / sizeof *shatter);
}

static void test_hanin_small_run(void)
{
    char a[GF_PATH_MAX], b[GF_PATH_MAX];
    path_in(a, sizeof a, "haninA");
    path_in(b, sizeof b, "haninB");
    result r;
    run_ok(&r, "hanin small run", ARGS(HANIN_SMALL, "--out", a));
    CU_ASSERT(!r.out || !*r.out); /* --quiet */
    result_free(&r);
    static const char *const files[] = {"hanin.tsv", "hanin_seeds.tsv", "hanin_qq.tsv",
                                        "manifest.json", "hanin.gp", "hanin_qq.gp"};
    expect_files(a, files, sizeof files / sizeof *files);
    char *ta = read_in(a, "hanin.tsv"), *sa = read_in(a, "hanin_seeds.tsv");
    CU_ASSERT_FATAL(ta && sa);
    CU_ASSERT(strncmp(ta, "depth\twidth\tsum_inv_width\tseeds\tdead\tdead_fraction\tmean\t"
                          "variance\tsd\t", 65) == 0);
    CU_ASSERT_EQUAL(tsv_rows(ta), 6);
    CU_ASSERT_EQUAL(tsv_rows(sa), 30);
    CU_ASSERT(strstr(ta, "\n4\t8\t0.25\t5\t") != NULL); /* beta = (4 - 2) / 8 */
    /* the same command again: the same bytes */
    CU_ASSERT_FATAL(run(&r, ARGS(HANIN_SMALL, "--out", b)) == 0);
    CU_ASSERT(r.status == 0);
    result_free(&r);
    char *tb = read_in(b, "hanin.tsv");
    CU_ASSERT(tb && strcmp(ta, tb) == 0);
    free(tb);
    /* the summary names the fit; the cross-entropy gives other numbers */
    CU_ASSERT_FATAL(run(&r, ARGS("hanin", "--depth", "4,6,8", "--width", "8,16", "--seeds", "5",
                                 "--no-plot", "--loss", "xent", "--out", b)) == 0);
    CU_ASSERT(r.status == 0 && r.out &&
              strstr(r.out, "weighted least squares through the origin over 6 cells") &&
              strstr(r.out, "R^2 = "));
    result_free(&r);
    tb = read_in(b, "hanin.tsv");
    CU_ASSERT(tb && strcmp(ta, tb) != 0 && tsv_rows(tb) == 6);
    free(tb);
    free(ta);
    free(sa);
}

/* Dead nets (an exactly zero gradient: a ReLU layer all off) are counted and
 * left out, not fatal: the reviews' reproductions. Width 2, depth 10: nearly
 * every net is dead (1 - (3/4)^9 = 0.92). */
static void test_hanin_dead_nets(void)
{
    char a[GF_PATH_MAX];
    path_in(a, sizeof a, "haninDead");
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("hanin", "--depth", "10", "--width", "8", "--seeds", "3",
                                 "--no-plot", "--out", a)) == 0);
    CU_ASSERT(r.status == 0 && r.out && strstr(r.out, "dead nets: 1 of 3") &&
              strstr(r.out, "no line fitted"));
    result_free(&r);
    char *t = read_in(a, "hanin.tsv"), *sd = read_in(a, "hanin_seeds.tsv"),
         *m = read_in(a, "manifest.json");
    CU_ASSERT(t && strstr(t, "\n10\t8\t1\t3\t1\t0.33333333333333331\t"));
    CU_ASSERT(sd && strstr(sd, "\t-inf\n"));
    CU_ASSERT(m && strstr(m, "\"dead_fraction\"") && strstr(m, "\"dead_nets\""));
    free(t);
    free(sd);
    free(m);
    CU_ASSERT_FATAL(run(&r, ARGS("hanin", "-w", "2", "--no-plot", "--out", a)) == 0);
    CU_ASSERT(r.status == 0 && r.out && strstr(r.out, "dead nets: "));
    result_free(&r);
    t = read_in(a, "hanin.tsv");
    CU_ASSERT(t && tsv_rows(t) == 6 && strstr(t, "\n100\t2\t49\t100\t100\t1\tnan\t"));
    free(t);
}

/* The column `col` (1-based) of the rows whose first field is `key`. */
static int column_values(const char *text, const char *key, int col, double *out, int max)
{
    int n = 0;
    const size_t klen = strlen(key);
    for (const char *line = strchr(text, '\n'); line && line[1] && n < max;
         line = strchr(line + 1, '\n')) {
        const char *p = line + 1;
        if (strncmp(p, key, klen) != 0 || p[klen] != '\t')
            continue;
        for (int c = 1; c < col && p; c++)
            p = strchr(p, '\t') ? strchr(p, '\t') + 1 : NULL;
        if (p)
            out[n++] = strtod(p, NULL);
    }
    return n;
}

static void test_shatter_small_run(void)
{
    char a[GF_PATH_MAX], b[GF_PATH_MAX];
    path_in(a, sizeof a, "shatterA");
    path_in(b, sizeof b, "shatterB");
    result r;
    run_ok(&r, "shatter small run", ARGS(SHATTER_SMALL, "--no-plot", "--out", a));
    result_free(&r);
    static const char *const files[] = {"shatter.tsv", "autocorr.tsv", "depth.tsv",
                                        "depth_seeds.tsv", "manifest.json", "shatter.gp",
                                        "autocorr.gp", "shatter_depth.gp", "shatter_far.gp"};
    expect_files(a, files, sizeof files / sizeof *files);
    char *g = read_in(a, "shatter.tsv"), *ac = read_in(a, "autocorr.tsv");
    char *d = read_in(a, "depth.tsv");
    CU_ASSERT_FATAL(g && ac && d);
    CU_ASSERT(strncmp(g, "net\tx\tgradient\t", 15) == 0);
    CU_ASSERT_EQUAL(tsv_rows(g), 6 * 32); /* 4 nets and 2 noises */
    CU_ASSERT_EQUAL(tsv_rows(ac), 6 * 9);
    CU_ASSERT_EQUAL(tsv_rows(d), 3 * 3);
    /* the looks-linear net: one gradient everywhere, correlation 1 */
    double v[64];
    const int n = column_values(g, "ll-4", 3, v, 64);
    int constant = n == 32;
    for (int i = 1; i < n; i++)
        constant &= v[i] == v[0] || (v[i] - v[0]) * (v[i] - v[0]) < 1e-26 * v[0] * v[0];
    CU_ASSERT(constant && v[0] != 0);
    CU_ASSERT(column_values(ac, "ll-4", 3, v, 64) == 9 && v[1] == 1.0);
    CU_ASSERT(column_values(d, "ll", 4, v, 64) == 3 && v[0] == 1.0 && v[2] == 1.0);
    /* the correlation at distant inputs: its columns, 1 for the linear ll net */
    CU_ASSERT(strncmp(d, "arch\tdepth\tseeds\tcorrelation\tsd\tse\tmin\tmax\tconstant\t"
                         "far_correlation\tfar_se\n", 75) == 0);
    CU_ASSERT(column_values(d, "ll", 10, v, 64) == 3 && fabs(v[2] - 1.0) < 1e-12);
    /* the same command again: the same bytes */
    CU_ASSERT_FATAL(run(&r, ARGS(SHATTER_SMALL, "--no-plot", "--out", b)) == 0);
    CU_ASSERT(r.status == 0);
    result_free(&r);
    char *g2 = read_in(b, "shatter.tsv"), *d2 = read_in(b, "depth.tsv");
    CU_ASSERT(g2 && d2 && strcmp(g, g2) == 0 && strcmp(d, d2) == 0);
    free(g2);
    free(d2);
    free(g);
    free(ac);
    free(d);
    /* no sweep: no depth files, and the summary says what it measured */
    char c[GF_PATH_MAX];
    path_in(c, sizeof c, "shatterC");
    CU_ASSERT_FATAL(run(&r, ARGS("shatter", "--nets", "plain-4", "--archs", "none", "--points",
                                 "16", "--max-lag", "4", "--width", "8", "--no-plot", "--out",
                                 c)) == 0);
    CU_ASSERT(r.status == 0 && r.out && strstr(r.out, "lag-1 r") && strstr(r.out, "plain-4"));
    result_free(&r);
    CU_ASSERT(!exists_in(c, "depth.tsv"));
}

static void test_figures(void)
{
    if (skip_without_gnuplot())
        return;
    char a[GF_PATH_MAX], b[GF_PATH_MAX];
    path_in(a, sizeof a, "haninFig");
    path_in(b, sizeof b, "shatterFig");
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("hanin", "--depth", "4,6,8", "--width", "8,16", "--seeds", "4",
                                 "--quiet", "--out", a)) == 0);
    CU_ASSERT(r.status == 0 && r.err && !strstr(r.err, "gradflow hanin:"));
    result_free(&r);
    CU_ASSERT(is_png_in(a, "hanin.png"));
    CU_ASSERT_FATAL(run(&r, ARGS(SHATTER_SMALL, "--term", "dumb", "--out", b)) == 0);
    CU_ASSERT(r.status == 0 && r.err && !strstr(r.err, "gradflow shatter:"));
    CU_ASSERT(r.out && strlen(r.out) > 1000); /* the panels in the terminal */
    result_free(&r);
    CU_ASSERT(is_png_in(b, "shatter.png") && is_png_in(b, "autocorr.png") &&
              is_png_in(b, "shatter_depth.png"));
    CU_ASSERT_EQUAL(tu_count_matching(b, ".tmp-"), 0);
}

CU_TestInfo cli_hanin_shatter_tests[] = {
    {"hanin, shatter --help, --version", test_help_and_version},
    {"bad input: status 2, one line, nothing created", test_bad_input},
    {"hanin: a small run writes every file; same seed, same bytes", test_hanin_small_run},
    {"shatter: a small run; looks-linear constant; same seed, same bytes",
     test_shatter_small_run},
    {"hanin and shatter figures through gnuplot", test_figures},
    {"hanin: dead nets are counted and left out, not fatal", test_hanin_dead_nets},
    CU_TEST_INFO_NULL,
};
