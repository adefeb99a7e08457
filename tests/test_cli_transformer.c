/* test_cli_transformer.c: `gradflow transformer` run as a user would: help,
 * bad input (a bad text or option is a usage error: one line, exit 2,
 * nothing written), and a quick run writing every file. */
#include "cli_util.h"
#include "test_util.h"

#include "plots/gf_plot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_help(void)
{
    expect_help("transformer", "--kind", "--layers", "--warmup", "--sweep", "--text",
                "slope.tsv", "lens.tsv", "logit lens", "--quick");
    expect_help(NULL, "transformer");
}

static void write_text(const char *name, const char *bytes, size_t n, char *path, size_t size)
{
    path_in(path, size, name);
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fwrite(bytes, 1, n, f);
    fclose(f);
}

static void test_bad_input(void)
{
    char empty[GF_PATH_MAX], nul[GF_PATH_MAX], utf[GF_PATH_MAX], shrt[GF_PATH_MAX],
        missing[GF_PATH_MAX];
    write_text("empty.txt", "", 0, empty, sizeof empty);
    write_text("nul.txt", "text\0with a NUL byte", 20, nul, sizeof nul);
    write_text("latin1.txt", "caf\xe9 au lait", 12, utf, sizeof utf);
    write_text("short.txt", "a short text", 12, shrt, sizeof shrt);
    path_in(missing, sizeof missing, "no-such-file.txt");
    const char *const bad[][4] = {
        {"--text", empty},        {"--text", nul},          {"--text", utf},
        {"--text", shrt},         {"--text", missing},      {"--text", ""},
        {"--kind", "midln"},      {"--layers", "6"},        {"--layers", "0,6"},
        {"--heads", "3"},         {"--width", "1"},         {"--warmup", "300"},
        {"--lr", "0"},            {"--sweep", "1e-3,x"},    {"--context", "100000"},
        {"--term", "dumb"},       {"--seeds", "0"},         {"stray"},
        {"--seeds", "1"},         {"--layers", "2,4,2"},    {"--text", work}, /* a folder */
        {"--width", "4096", "--context", "2048"}, /* about 800 GiB */
    };
    expect_usage_errors("transformer", NULL, bad, sizeof bad / sizeof *bad);
    /* the one line names the problem */
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("transformer", "--text", nul, "--out", missing)) == 0);
    CU_ASSERT(r.status == 2 && strstr(r.err, "not UTF-8 text") != NULL);
    result_free(&r);
    CU_ASSERT_FATAL(run(&r, ARGS("transformer", "--text", shrt, "--out", missing)) == 0);
    CU_ASSERT(r.status == 2 && strstr(r.err, "too few for context 64") != NULL);
    result_free(&r);
    /* an unusable run folder after the text was loaded: status 1, and the text freed
     * (the sanitized suite's leak check) */
    CU_ASSERT_FATAL(run(&r, ARGS("transformer", "--quick", "--out", "/proc/no-such-dir")) == 0);
    CU_ASSERT(r.status == 1 && r.err_lines == 1);
    result_free(&r);
}

/* --quick on a small UTF-8 text: every file, the summary's parts. */
static void test_quick_run(void)
{
    char text[GF_PATH_MAX], out[GF_PATH_MAX];
    static const char line[] = "The residual stream is the bus every layer reads and writes; "
                               "잔차 스트림.\n";
    char buf[4096];
    size_t n = 0;
    while (n + sizeof line < sizeof buf) {
        memcpy(buf + n, line, sizeof line - 1);
        n += sizeof line - 1;
    }
    write_text("corpus.txt", buf, n, text, sizeof text);
    path_in(out, sizeof out, "quick");
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("transformer", "--quick", "--text", text, "--out", out)) == 0);
    if (r.status != 0)
        show("quick run", &r);
    CU_ASSERT_FATAL(r.status == 0);
    CU_ASSERT(strstr(r.out, "slope") && strstr(r.out, "theory"));
    CU_ASSERT(strstr(r.out, "Learning-rate sweep") && strstr(r.out, "logit lens"));
    CU_ASSERT(strstr(r.out, "rezero") && strstr(r.out, "a = 0 at init"));
    result_free(&r);
    static const char *const files[] = {"grad_init.tsv", "last_layer.tsv", "last_layer_mean.tsv",
                                        "slope.tsv", "training.tsv", "training_runs.tsv",
                                        "sweep.tsv", "stream.tsv", "lens.tsv", "manifest.json",
                                        "xfmr_grad.gp", "xfmr_slope.gp", "xfmr_training.gp",
                                        "xfmr_stream.gp", "xfmr_lens.gp"};
    expect_files(out, files, sizeof files / sizeof *files);
    static const char *const figures[] = {"xfmr_grad.png", "xfmr_slope.png", "xfmr_training.png",
                                          "xfmr_stream.png", "xfmr_lens.png"};
    if (gf_plot_available())
        expect_files(out, figures, sizeof figures / sizeof *figures);
    /* 4 kinds x (2 + 4 layers) x (2L + 1 rows); 2 kinds x 2 x 12 steps; 2 x 2 x 5 points */
    char *g = read_in(out, "grad_init.tsv"), *t = read_in(out, "training.tsv"),
         *s = read_in(out, "stream.tsv"), *l = read_in(out, "lens.tsv");
    CU_ASSERT_FATAL(g && t && s && l);
    CU_ASSERT(tsv_rows(g) == 4 * (5 + 9));
    CU_ASSERT(tsv_rows(t) == 2 * 2 * 12);
    CU_ASSERT(tsv_rows(s) == 2 * 2 * 5);
    CU_ASSERT(tsv_rows(l) == 2 * 3);
    CU_ASSERT(strstr(l, "preln\t2\t") != NULL);
    free(g), free(t), free(s), free(l);
}

CU_TestInfo cli_transformer_tests[] = {
    {"--help lists the options and files", test_help},
    {"bad text and options are usage errors", test_bad_input},
    {"--quick writes every file and the summary", test_quick_run},
    CU_TEST_INFO_NULL,
};
