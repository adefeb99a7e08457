/* test_cli_failures.c: what the reliability review of issue 10 found, run as
 * a user meets it: a full disk (a file-size limit, SIGXFSZ ignored) while
 * figures, data and checkpoints are written, stdout on /dev/full, the temporary
 * files of a killed run, an unreadable checkpoint on --resume, and gradflow
 * without a command. */
#include "cli_util.h"
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A small degrade run on the synthetic set (under a second). */
#define SMALL_DEGRADE                                                                        \
    "degrade", "--data", "synthetic", "--ntrain", "256", "--ntest", "64", "--width", "4",    \
        "--batch", "32", "--depth", "4", "--epochs", "1", "--no-plot", "--quiet"

/* One line on stderr holding every needle (NULL-terminated), status want. */
static void expect_one_line(const result *r, int want, const char *const *needles)
{
    int ok = r->status == want && r->err_lines == 1;
    for (const char *const *n = needles; ok && *n; n++)
        ok = strstr(r->err, *n) != NULL;
    if (!ok)
        show("expected one line", r);
    CU_ASSERT(ok);
}

static void touch(const char *dir, const char *name)
{
    char path[GF_PATH_MAX];
    path_at(path, sizeof path, dir, name);
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs("half-written\n", f);
    fclose(f);
}

/* gnuplot exits 0 when its write fails: the cut-short PNG is refused, with
 * the reason, and neither it nor a picture of an earlier run stays. */
static void test_figure_on_a_full_disk(void)
{
    if (skip_without_gnuplot())
        return;
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "full-figure");
    result r;
    run_ok(&r, "paths", ARGS("paths", "-B", "4", "--quiet", "--out", out));
    result_free(&r);
    CU_ASSERT(is_png_in(out, "paths.png"));
    const run_limits lim = {.fsize = 6144}; /* the PNG is about 60 KB */
    CU_ASSERT_FATAL(run_limited(&r, &lim, ARGS("paths", "-B", "4", "--quiet", "--out", out)) == 0);
    expect_one_line(&r, 1, ARGS("paths.png", "cut short", "IEND"));
    result_free(&r);
    expect_no_files(out, ARGS("paths.png", "paths.svg"), 2);
    CU_ASSERT_EQUAL(tu_count_matching(out, ".tmp-"), 0);
}

/* A stand-in for gnuplot that exits 0 after writing a whole PNG (signature,
 * IEND) and an SVG without its end, as a full disk cuts it; or, with
 * nothing, writing nothing at all. */
static void fake_gnuplot(const char *path, int write_files)
{
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs("#!/bin/sh\n", f);
    if (write_files)
        fputs("while IFS= read -r line; do\n"
              "  case \"$line\" in\n"
              "    \"cd \"*) eval \"$line\" ;;\n"
              "    \"set output '\"*) out=${line#set output \\'}; out=${out%\\'}\n"
              "      case \"$out\" in\n"
              "        *.png.tmp-*) printf '\\211PNG\\r\\n\\032\\n\\0\\0\\0\\0IEND\\256B`\\202' > \"$out\" ;;\n"
              "        *) printf '<svg>' > \"$out\" ;;\n"
              "      esac ;;\n"
              "  esac\n"
              "done\n", f);
    else
        fputs("cat > /dev/null\n", f); /* reads the script, draws nothing */
    fputs("exit 0\n", f);
    fclose(f);
    CU_ASSERT_FATAL(chmod(path, 0755) == 0);
}

/* gnuplot says success but the SVG has no end, or nothing was drawn: refused. */
static void test_figure_cut_short_by_gnuplot(void)
{
    char out[GF_PATH_MAX], fake[GF_PATH_MAX], env[GF_PATH_MAX + 32];
    path_in(out, sizeof out, "fake-figure");
    path_in(fake, sizeof fake, "fake-gnuplot");
    snprintf(env, sizeof env, "GRADFLOW_GNUPLOT=%s", fake);
    result r;
    fake_gnuplot(fake, 1);
    CU_ASSERT_FATAL(run_env(&r, ARGS(env), ARGS("paths", "-B", "4", "--quiet", "--out", out)) == 0);
    expect_one_line(&r, 1, ARGS("paths.svg is cut short at 5 bytes", "</svg>"));
    result_free(&r);
    expect_no_files(out, ARGS("paths.png", "paths.svg"), 2);
    fake_gnuplot(fake, 0);
    CU_ASSERT_FATAL(run_env(&r, ARGS(env), ARGS("paths", "-B", "4", "--quiet", "--out", out)) == 0);
    expect_one_line(&r, 1, ARGS("paths.png is empty"));
    result_free(&r);
    CU_ASSERT_EQUAL(tu_count_matching(out, ".tmp-"), 0);
}

/* A data file and a checkpoint on a full disk: the file and the disk's reason. */
static void test_data_on_a_full_disk(void)
{
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "full-theory");
    result r;
    const run_limits tiny = {.fsize = 1024};
    CU_ASSERT_FATAL(run_limited(&r, &tiny, ARGS("theory", "-g", "5,5", "--quiet", "--no-plot",
                                                "--out", out)) == 0);
    expect_one_line(&r, 1, ARGS("phase.tsv: File too large"));
    result_free(&r);

    path_in(out, sizeof out, "full-degrade");
    const run_limits small = {.fsize = 3072}; /* the TSVs fit, a checkpoint does not */
    CU_ASSERT_FATAL(run_limited(&r, &small, ARGS(SMALL_DEGRADE, "--out", out)) == 0);
    expect_one_line(&r, 1, ARGS(".safetensors: File too large"));
    result_free(&r);
    char checkpoints[GF_PATH_MAX];
    path_at(checkpoints, sizeof checkpoints, out, "checkpoints");
    CU_ASSERT_EQUAL(tu_count_matching(checkpoints, ".tmp-"), 0);
}

/* What a command prints goes nowhere on /dev/full: status 1, one line. */
static void test_stdout_full(void)
{
    const run_limits full = {.stdout_path = "/dev/full"};
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "stdout-full");
    const char *const *cases[] = {
        ARGS("--help"), ARGS("--version"), ARGS("paths", "--help"), ARGS("paths", "--version"),
        ARGS("paths", "-B", "4", "--no-plot", "--out", out),
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        result r;
        CU_ASSERT_FATAL(run_limited(&r, &full, cases[i]) == 0);
        expect_one_line(&r, 1, ARGS("standard output"));
        result_free(&r);
    }
}

/* kill -9 leaves .NAME.tmp-XXXXXX files: the next run in the folder removes
 * them, and only them. */
static void test_stale_temporary_files(void)
{
    char out[GF_PATH_MAX], checkpoints[GF_PATH_MAX];
    path_in(out, sizeof out, "stale");
    path_at(checkpoints, sizeof checkpoints, out, "checkpoints");
    CU_ASSERT_FATAL(mkdir(out, 0755) == 0 && mkdir(checkpoints, 0755) == 0);
    touch(out, ".curves.tsv.tmp-Ab3xYz");
    touch(out, ".degradation.png.tmp-000abc");
    touch(checkpoints, ".plain-4-seed1.safetensors.tmp-QQ12ww");
    static const char *const keep[] = {".notes.tmp-12", "curves.tsv.tmp-Ab3xYz", ".tmp-abcdef",
                                       ".a.tmp-abc!ef"};
    for (size_t i = 0; i < 4; i++)
        touch(out, keep[i]);
    result r;
    run_ok(&r, "degrade", ARGS(SMALL_DEGRADE, "--out", out));
    result_free(&r);
    expect_no_files(out, ARGS(".curves.tsv.tmp-Ab3xYz", ".degradation.png.tmp-000abc",
                              "checkpoints/.plain-4-seed1.safetensors.tmp-QQ12ww"), 3);
    expect_files(out, keep, 4);
}

/* --resume: a checkpoint that cannot be read is named; a folder without
 * checkpoints is said, and the nets train from the start. */
static void test_resume_names_the_checkpoint(void)
{
    char out[GF_PATH_MAX], bad[GF_PATH_MAX];
    path_in(out, sizeof out, "resume");
    result r;
    run_env_ok(&r, "degrade --resume, new folder", NULL,
               ARGS(SMALL_DEGRADE, "--out", out, "--resume"));
    expect_one_line(&r, 0, ARGS("warning: --resume: no checkpoints in", "from the start"));
    result_free(&r);
    path_at(bad, sizeof bad, out, "checkpoints/resnet-4-seed1.safetensors");
    FILE *f = fopen(bad, "w");
    CU_ASSERT_FATAL(f != NULL);
    fclose(f);
    CU_ASSERT_FATAL(run(&r, ARGS(SMALL_DEGRADE, "--out", out, "--resume")) == 0);
    expect_one_line(&r, 1, ARGS("cannot resume: ", "checkpoints/resnet-4-seed1.safetensors: "));
    result_free(&r);
}

/* gradflow alone: one line; a list over 511 characters: said so. */
static void test_short_messages(void)
{
    result r;
    CU_ASSERT_FATAL(run(&r, (const char *const[]){NULL}) == 0);
    expect_one_line(&r, 2, ARGS("gradflow: ", "--help"));
    result_free(&r);
    char list[700] = "plain";
    while (strlen(list) < 600)
        strcat(list, ",plain");
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "long-list");
    CU_ASSERT_FATAL(run(&r, ARGS("gradnorm", "--arch", list, "--out", out)) == 0);
    expect_one_line(&r, 2, ARGS("--arch: the list is", "at most 511"));
    CU_ASSERT(!tu_file_exists(out));
    result_free(&r);
}

/* A run folder that cannot be made (a name too long for the file system) under
 * parents that did not exist: the parents the run made go again. */
static void test_no_parents_left(void)
{
    char top[GF_PATH_MAX], out[GF_PATH_MAX + 400], name[301];
    path_in(top, sizeof top, "made-1");
    memset(name, 'x', 300);
    name[300] = '\0';
    snprintf(out, sizeof out, "%s/made-2/%s", top, name);
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("paths", "--no-plot", "--out", out)) == 0);
    CU_ASSERT(r.status == 1 && r.err_lines == 1);
    CU_ASSERT(!tu_file_exists(top));
    result_free(&r);
}

/* A run into a folder that holds another command's run: said, once. */
static void test_another_commands_folder(void)
{
    char dir[GF_PATH_MAX];
    path_in(dir, sizeof dir, "mixed");
    result r;
    run_ok_only("theory", ARGS("theory", "--no-plot", "-q", "--out", dir));
    run_ok(&r, "paths into theory's folder", ARGS("paths", "--no-plot", "-q", "--out", dir));
    CU_ASSERT(r.err_lines == 1 && strstr(r.err, "holds a run of gradflow theory"));
    result_free(&r);
    run_ok(&r, "paths again", ARGS("paths", "--no-plot", "-q", "--out", dir));
    CU_ASSERT_EQUAL(r.err_lines, 0);
    result_free(&r);
}

CU_TestInfo cli_failures_tests[] = {
    {"a run into another command's folder is said", test_another_commands_folder},
    {"a run folder that cannot be made leaves no parent folders", test_no_parents_left},
    {"a figure cut short by a full disk: status 1, no picture", test_figure_on_a_full_disk},
    {"gnuplot's success with a cut or no drawing: status 1", test_figure_cut_short_by_gnuplot},
    {"data and checkpoints on a full disk: the file and the reason", test_data_on_a_full_disk},
    {"stdout on /dev/full: status 1, one line", test_stdout_full},
    {"stale temporary files of a killed run are removed", test_stale_temporary_files},
    {"--resume names an unreadable checkpoint, warns of none", test_resume_names_the_checkpoint},
    {"no command, a too long list: one accurate line", test_short_messages},
    CU_TEST_INFO_NULL,
};
