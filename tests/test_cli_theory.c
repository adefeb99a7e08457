/* test_cli_theory.c: `gradflow theory` run as a user would: help, bad input,
 * a small grid writing every file (same numbers twice), relu, the figure. */
#include "cli_util.h"
#include "test_util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A small grid: quick, and every file. */
#define SMALL "theory", "--grid", "9,7", "--depth", "20,40", "--quiet"

static void test_help_and_version(void)
{
    expect_help("theory", "Usage: gradflow theory", "--sw2", "--sb2", "--grid", "--depth",
                "--point");
    expect_version("theory", "-V");
    expect_help(NULL, "theory");
}

static void test_bad_input(void)
{
    static const char *const bad[][4] = {
        {"--act", "linear"},  {"--act", "foo"},      {"--sw2", "1"},        {"--sw2", "2,1"},
        {"--sw2", "0,1"},     {"--sw2", "a,b"},      {"--sw2", "1,30"},     {"--sw2", "1,2,3"},
        {"--sb2", "-1,1"},    {"--sb2", "0,6"},      {"--sb2", "0.2,0.2"},  {"--grid", "1"},
        {"--grid", "2,3,4"},  {"--grid", "0"},       {"--grid", "5,x"},     {"--grid", "2000"},
        {"--depth", "0"},     {"--depth", "56,56"},  {"--depth", "56,"},    {"--point", "1"},
        {"--point", "1:x"},   {"--point", "0:0"},    {"--point", "1:-1"},   {"--width", "0"},
        {"stray"},            {"--bogus"},           {"--arch", "plain"},   {"--seed", "3"},
        {"--term", "foo"},    {"--term", "dumb", "--no-plot"},              {"--out", ""},
        {"--depth"},          {"-a", "plain"},       {"--sw2", "nan,1"},
    };
    expect_usage_errors("theory", ARGS("--grid", "3"), bad, sizeof bad / sizeof *bad);
}

static void test_small_run(void)
{
    char a[GF_PATH_MAX], b[GF_PATH_MAX], path[GF_PATH_MAX];
    path_in(a, sizeof a, "runA");
    path_in(b, sizeof b, "runB");
    result r;
    run_ok(&r, "small run", ARGS(SMALL, "--no-plot", "--point", "1.76:0.05,3:0.2", "--out", a));
    CU_ASSERT(r.out && r.out[0] == '\0'); /* --quiet */
    result_free(&r);
    static const char *const files[] = {"phase.tsv", "critical.tsv", "band.tsv",
                                        "theory_points.tsv", "manifest.json", "phase.gp"};
    expect_files(a, files, sizeof files / sizeof *files);
    CU_ASSERT(!exists_in(a, "phase.png")); /* --no-plot */
    CU_ASSERT_EQUAL(tu_count_matching(a, ".tmp-"), 0);

    char *pa = read_in(a, "phase.tsv");
    CU_ASSERT_FATAL(pa != NULL);
    CU_ASSERT_EQUAL(tsv_rows(pa), 9 * 7);
    CU_ASSERT(strncmp(pa, "sigma_w2\tsigma_b2\tstatus\tphase\tq_star\tchi_1\t", 44) == 0);
    char *crit = read_in(a, "critical.tsv");
    CU_ASSERT(crit && tsv_rows(crit) == 7 && strstr(crit, "\n0\t1\n")); /* sigma_w^2 = 1 at 0 */
    free(crit);
    char *pts = read_in(a, "theory_points.tsv");
    CU_ASSERT(pts && tsv_rows(pts) == 5 && strstr(pts, "\nlecun\t1\t0\tzero\tcritical\t") &&
              strstr(pts, "\nhe\t2\t0\tfixed\tchaotic\t") && strstr(pts, "\npoint 2\t3\t0.2\t"));
    free(pts);
    char *band = read_in(a, "band.tsv");
    CU_ASSERT(band && strncmp(band, "depth\tedge\tsigma_b2\tsigma_w2\t", 29) == 0 &&
              strstr(band, "\n20\tleft\t") && strstr(band, "\n40\tright\t"));
    free(band);
    path_at(path, sizeof path, a, "manifest.json");
    json_error_t err;
    json_t *m = json_load_file(path, 0, &err);
    CU_ASSERT_FATAL(json_is_object(m));
    json_t *settings = json_object_get(m, "settings");
    CU_ASSERT(strcmp(json_string_value(json_object_get(settings, "act")), "tanh") == 0);
    CU_ASSERT(json_integer_value(json_object_get(settings, "grid_sigma_w2")) == 9);
    CU_ASSERT(json_array_size(json_object_get(settings, "points")) == 5);
    json_decref(m);

    /* the same command again: the same numbers */
    CU_ASSERT_FATAL(run(&r, ARGS(SMALL, "--no-plot", "--point", "1.76:0.05,3:0.2", "--out",
                                 b)) == 0);
    CU_ASSERT(r.status == 0);
    result_free(&r);
    CU_ASSERT(same_text_in(a, b, "phase.tsv"));
    free(pa);
}

/* The summary: the critical line of tanh at sigma_b^2 = 0, and relu's. */
static void test_summary_and_relu(void)
{
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "summary");
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("theory", "--grid", "5", "--no-plot", "--out", out)) == 0);
    CU_ASSERT(r.status == 0 && r.out &&
              strstr(r.out, "sigma_w^2 = 1.0000 at sigma_b^2 = 0;") &&
              strstr(r.out, "trainable band") && strstr(r.out, "lecun"));
    result_free(&r);
    CU_ASSERT_FATAL(run(&r, ARGS("theory", "--act", "relu", "--grid", "5", "--no-plot", "--out",
                                 out)) == 0);
    CU_ASSERT(r.status == 0 && r.out && strstr(r.out, "sigma_w^2 / 2") &&
              strstr(r.out, "sigma_w^2 = 2.0000 at sigma_b^2 = 0;"));
    /* He init for relu: chi_1 = 1 exactly, every q a fixed point */
    CU_ASSERT(r.out && strstr(r.out, "he                 2         0         -         1 critical"));
    /* no band edge past sigma_w^2 = 2 (no xi_c there), no chaotic phase; torch's
     * sigma_w^2 = 1/3 is outside the default range and said to be; the sigma_b^2 = 0 note */
    CU_ASSERT(r.out && strstr(r.out, "depth 56: sigma_w^2 from 1.797 to the critical line 2.000 (*)") &&
              strstr(r.out, "no right edge is computed") && !strstr(r.out, "chaotic  ") &&
              strstr(r.out, "torch         0.3333") && strstr(r.out, "(off the plot)") &&
              strstr(r.out, "xi_c is degenerate"));
    result_free(&r);
    char *band = read_in(out, "band.tsv"), *pts = read_in(out, "theory_points.tsv");
    CU_ASSERT(band && strstr(band, "\tleft\t") && !strstr(band, "\tright\t"));
    CU_ASSERT(pts && !strstr(pts, "chaotic"));
    free(band);
    free(pts);
    CU_ASSERT_FATAL(run(&r, ARGS("theory", "--act", "relu", "--grid", "5", "--sw2", "2.5,4",
                                 "--point", "3:0.1", "--no-plot", "--out", out)) == 0);
    CU_ASSERT(r.status == 0 && r.out && strstr(r.out, "point 1            3       0.1         -"
                                                      "       1.5 exploding"));
    result_free(&r);
}

static void test_figure(void)
{
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "figure");
    result r;
    /* no gnuplot: a warning, the data and the .gp */
    CU_ASSERT_FATAL(run_env(&r, ARGS("GRADFLOW_GNUPLOT=/nonexistent/gnuplot"),
                            ARGS(SMALL, "--out", out)) == 0);
    CU_ASSERT(r.status == 0 && r.err && strstr(r.err, "gnuplot") && strstr(r.err, "warning"));
    CU_ASSERT(exists_in(out, "phase.gp"));
    CU_ASSERT(!exists_in(out, "phase.png"));
    result_free(&r);
    if (skip_without_gnuplot())
        return;
    for (int relu = 0; relu < 2; relu++) {
        CU_ASSERT_FATAL(run(&r, relu ? ARGS(SMALL, "--act", "relu", "--out", out)
                                     : ARGS(SMALL, "--out", out)) == 0);
        if (r.status != 0)
            show("theory figure", &r);
        CU_ASSERT(r.status == 0 && r.err && !strstr(r.err, "gradflow theory:"));
        CU_ASSERT(is_png_in(out, "phase.png"));
        char *svg = read_in(out, "phase.svg");
        CU_ASSERT(svg && strstr(svg, "<svg"));
        free(svg);
        CU_ASSERT_EQUAL(tu_count_matching(out, ".tmp-"), 0);
        result_free(&r);
    }
}

CU_TestInfo cli_theory_tests[] = {
    {"theory --help, --version", test_help_and_version},
    {"theory bad input: status 2, one line, nothing created", test_bad_input},
    {"a small grid writes every file; same numbers twice", test_small_run},
    {"the summary: tanh's critical line at sigma_b^2 = 0, relu's", test_summary_and_relu},
    {"the phase figure: PNG and SVG, or the .gp without gnuplot", test_figure},
    CU_TEST_INFO_NULL,
};
