/* test_cli.c: the real `gradflow` command, run as a child process.
 *
 * The binary's path comes from GRADFLOW_EXE (set by meson's test()). Each
 * run's stdout and stderr go to files in a temporary work folder, removed
 * when the suite ends.
 */
#define _GNU_SOURCE
#include "cli_util.h"
#include "test_util.h"

#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The small run every test uses: depth 8 (3 blocks), width 16, batch 8, 2 seeds. */
static int gradnorm(result *r, const char *const *env, const char *out, const char *extra1,
                    const char *extra2)
{
    const char *args[20] = {"gradnorm", "--depth", "8", "--width", "16", "--batch", "8",
                            "--seeds", "2", "--out", out, "--quiet"};
    int n = 12;
    if (extra1)
        args[n++] = extra1;
    if (extra2)
        args[n++] = extra2;
    args[n] = NULL;
    return run_env(r, env, args);
}

/* ---- TSV helpers -------------------------------------------------------------- */

/* Split a line into fields (in place); the count. */
static int split_tabs(char *line, char **f, int max)
{
    int n = 0;
    for (char *save = NULL, *t = strtok_r(line, "\t", &save); t && n < max;
         t = strtok_r(NULL, "\t", &save))
        f[n++] = t;
    return n;
}

static int column(char *const *header, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(header[i], name) == 0)
            return i;
    return -1;
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_version_help_and_unknown_command(void)
{
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("--version")) == 0);
    CU_ASSERT_EQUAL(r.status, 0);
    char want[64];
    snprintf(want, sizeof want, "gradflow %s\n", GF_VERSION);
    CU_ASSERT(r.out && strncmp(r.out, want, strlen(want)) == 0);
    result_free(&r);

    CU_ASSERT_FATAL(run(&r, ARGS("gradnorm", "--help")) == 0);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT(r.out && strstr(r.out, "Usage: gradflow gradnorm") && strstr(r.out, "--depth"));
    CU_ASSERT(r.err && r.err[0] == '\0');
    result_free(&r);

    CU_ASSERT_FATAL(run(&r, ARGS("--help")) == 0);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT(r.out && strstr(r.out, "gradnorm"));
    result_free(&r);

    CU_ASSERT_FATAL(run(&r, ARGS("nosuchcommand")) == 0);
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_EQUAL(r.err_lines, 1);
    CU_ASSERT(r.err && strstr(r.err, "nosuchcommand"));
    result_free(&r);

    CU_ASSERT_FATAL(run(&r, (const char *const[]){NULL}) == 0);
    CU_ASSERT_EQUAL(r.status, 2);
    result_free(&r);

    /* gradflow help COMMAND and --help COMMAND are COMMAND --help; an option before the
     * command is named */
    static const char *const spellings[] = {"help", "--help"};
    for (int i = 0; i < 2; i++) {
        result h;
        CU_ASSERT_FATAL(run(&r, ARGS(spellings[i], "lesion")) == 0 &&
                        run(&h, ARGS("lesion", "--help")) == 0);
        CU_ASSERT(r.status == 0 && r.out && h.out && strcmp(r.out, h.out) == 0);
        result_free(&r);
        result_free(&h);
    }
    CU_ASSERT_FATAL(run(&r, ARGS("help", "nosuchcommand")) == 0);
    CU_ASSERT(r.status == 2 && r.err_lines == 1);
    result_free(&r);
    CU_ASSERT_FATAL(run(&r, ARGS("--version", "--bogus")) == 0);
    CU_ASSERT(r.status == 2 && r.err_lines == 1);
    result_free(&r);
    CU_ASSERT_FATAL(run(&r, ARGS("--bogus")) == 0);
    CU_ASSERT(r.status == 2 && r.err_lines == 1 && strstr(r.err, "unknown option '--bogus'"));
    result_free(&r);
}

static void test_tsv_header_and_rows(void)
{
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "header");
    result r;
    CU_ASSERT_FATAL(gradnorm(&r, NULL, out, "--no-plot", NULL) == 0);
    if (r.status != 0)
        show("gradnorm", &r);
    CU_ASSERT_FATAL(r.status == 0);
    result_free(&r);
    char *text = read_in(out, "gradnorm.tsv");
    CU_ASSERT_FATAL(text != NULL);
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    CU_ASSERT_FATAL(line != NULL);
    char *h[64];
    const int nh = split_tabs(line, h, 64);
    CU_ASSERT_FATAL(nh >= 4);
    CU_ASSERT_STRING_EQUAL(h[0], "arch");
    CU_ASSERT_STRING_EQUAL(h[1], "seed");
    CU_ASSERT_STRING_EQUAL(h[2], "block");
    CU_ASSERT_STRING_EQUAL(h[3], "grad_norm");
    const int c_log = column(h, nh, "log10_grad_norm");
    CU_ASSERT(c_log >= 0);
    CU_ASSERT(column(h, nh, "skip_norm") >= 0 && column(h, nh, "branch_norm") >= 0 &&
              column(h, nh, "cos_skip_branch") >= 0);
    /* 3 archs x 2 seeds x (B + 1 = 4) boundaries, every row complete. */
    int rows = 0, bad = 0;
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        char *f[64];
        const int n = split_tabs(line, f, 64);
        rows++;
        if (n != nh) {
            bad++;
            continue;
        }
        const int block = atoi(f[2]), seed = atoi(f[1]);
        bad += strcmp(f[0], "plain") != 0 && strcmp(f[0], "resnet") != 0 &&
               strcmp(f[0], "preact") != 0;
        bad += block < 0 || block > 3 || seed < 1 || seed > 2;
        const double g = strtod(f[3], NULL);
        bad += !(g > 0.0) || fabs(log10(g) - strtod(f[c_log], NULL)) > 1e-6;
    }
    CU_ASSERT_EQUAL(rows, 24);
    CU_ASSERT_EQUAL(bad, 0);
    free(text);
    /* The other files of the run. */
    static const char *const files[] = {"gradnorm_mean.tsv", "probes.tsv", "params.tsv",
                                        "split_mean.tsv", "manifest.json"};
    expect_files(out, files, sizeof files / sizeof *files);
    CU_ASSERT_EQUAL(tu_count_matching(out, ".tmp-"), 0);
}

static int same_file(const char *a, const char *b)
{
    size_t na = 0, nb = 0;
    char *x = tu_read_file(a, &na), *y = tu_read_file(b, &nb);
    const int same = x && y && na == nb && na > 0 && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

/* Same flags, same bytes; another seed, other bytes. */
static void test_same_seed_same_bytes(void)
{
    char o1[GF_PATH_MAX], o2[GF_PATH_MAX], o3[GF_PATH_MAX], a[GF_PATH_MAX], b[GF_PATH_MAX];
    path_in(o1, sizeof o1, "same1");
    path_in(o2, sizeof o2, "same2");
    path_in(o3, sizeof o3, "other-seed");
    result r;
    CU_ASSERT_FATAL(gradnorm(&r, NULL, o1, "--no-plot", NULL) == 0 && r.status == 0);
    result_free(&r);
    CU_ASSERT_FATAL(gradnorm(&r, NULL, o2, "--no-plot", NULL) == 0 && r.status == 0);
    result_free(&r);
    static const char *const files[] = {"gradnorm.tsv", "params.tsv", "probes.tsv",
                                        "gradnorm_mean.tsv", "split_mean.tsv"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        path_at(a, sizeof a, o1, files[i]);
        path_at(b, sizeof b, o2, files[i]);
        if (!same_file(a, b))
            fprintf(stderr, "\n  %s differs between identical runs\n", files[i]);
        CU_ASSERT(same_file(a, b));
    }
    CU_ASSERT_FATAL(gradnorm(&r, NULL, o3, "--no-plot", "--seed=5") == 0 && r.status == 0);
    result_free(&r);
    path_at(a, sizeof a, o1, "gradnorm.tsv");
    path_at(b, sizeof b, o3, "gradnorm.tsv");
    CU_ASSERT(!same_file(a, b));
}

/* Usage errors: status 2, one line on stderr, nothing created. */
static void test_bad_input(void)
{
    static const char *const bad[][3] = {
        {"--arch", "foo", NULL},  {"--arch", "plain,foo", NULL}, {"--arch", "plain,plain", NULL},
        {"--arch", "", NULL},     {"--init", "foo", NULL},       {"--norm", "foo", NULL},
        {"--act", "foo", NULL},   {"--depth", "57", NULL},       {"--depth", "3", NULL},
        {"--depth", "abc", NULL}, {"--depth", "0", NULL},        {"--depth", "-20", NULL},
        {"--depth", "", NULL},    {"--depth", "20x", NULL},      {"--width", "0", NULL},
        {"--width", "-5", NULL},  {"--width", "1e3", NULL},      {"--batch", "1.5", NULL},
        {"--batch", "0", NULL},   {"--batch", "1", NULL},        {"--seeds", "0", NULL},
        {"--seeds", "two", NULL}, {"--bogus", NULL, NULL},       {"-Z", NULL, NULL},
        {"--term", "png", NULL},  {"stray", NULL, NULL},         {"--depth", NULL, NULL},
        {"--batch", "100", "--samples=50"},                      {"--out", "", NULL},
        {"--seed", "0", NULL},    {"--arch", "plain,,resnet", NULL}, {"--arch", "plain,", NULL},
        {"--term", "dumb", NULL}, /* with --no-plot: contradictory */
        {"--out", "a\nb", NULL}, {"--width", "65536", "--depth=100000"}, /* terabytes */
        {"--seed", " 5", NULL},   {"--seed", "\n7", NULL},        {"--depth", " 20", NULL},
        {"--arch", "pl\nain", NULL},                             /* one line, escaped */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char out[GF_PATH_MAX], name[32];
        snprintf(name, sizeof name, "bad%zu", i);
        path_in(out, sizeof out, name);
        const int before = tu_count_entries(work);
        const char *args[12] = {"gradnorm", "--out", out, "--no-plot", "--seeds", "1"};
        int n = 6;
        for (int k = 0; k < 3 && bad[i][k]; k++)
            args[n++] = bad[i][k];
        args[n] = NULL;
        result r;
        CU_ASSERT_FATAL(run(&r, args) == 0);
        const int ok = r.status == 2 && r.err_lines == 1 && r.err[strlen(r.err) - 1] == '\n' &&
                       !tu_file_exists(out) && tu_count_entries(work) == before &&
                       strncmp(r.err, "gradflow", 8) == 0;
        if (!ok) {
            fprintf(stderr, "\n  gradnorm %s %s %s: ", bad[i][0], bad[i][1] ? bad[i][1] : "",
                    bad[i][2] ? bad[i][2] : "");
            show("", &r);
        }
        CU_ASSERT(ok);
        result_free(&r);
    }
}

/* An output folder under a regular file: status 1, one line, nothing made. */
static void test_unwritable_output(void)
{
    char file[GF_PATH_MAX], out[GF_PATH_MAX];
    path_in(file, sizeof file, "a-file");
    FILE *f = fopen(file, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs("not a folder\n", f);
    fclose(f);
    path_at(out, sizeof out, file, "sub");
    const int before = tu_count_entries(work);
    result r;
    CU_ASSERT_FATAL(gradnorm(&r, NULL, out, "--no-plot", NULL) == 0);
    if (r.status != 1 || r.err_lines != 1)
        show("unwritable", &r);
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_EQUAL(r.err_lines, 1);
    CU_ASSERT(r.err && strstr(r.err, "a-file/sub"));
    CU_ASSERT_EQUAL(tu_count_entries(work), before);
    struct stat st;
    CU_ASSERT(stat(file, &st) == 0 && S_ISREG(st.st_mode));
    result_free(&r);

    /* A read-only folder (unless root, who may write anywhere). */
    if (geteuid() != 0) {
        char ro[GF_PATH_MAX];
        path_in(ro, sizeof ro, "read-only");
        CU_ASSERT_FATAL(mkdir(ro, 0555) == 0);
        CU_ASSERT_FATAL(gradnorm(&r, NULL, ro, "--no-plot", NULL) == 0);
        CU_ASSERT_EQUAL(r.status, 1);
        CU_ASSERT_EQUAL(r.err_lines, 1);
        CU_ASSERT_EQUAL(tu_count_entries(ro), 0);
        result_free(&r);
        chmod(ro, 0755);
    }
}

/* No gnuplot: exit 0 with a warning; data, manifest and .gp written, no PNG. */
static void test_missing_gnuplot(void)
{
    char out[GF_PATH_MAX], path[GF_PATH_MAX];
    path_in(out, sizeof out, "no-gnuplot");
    result r;
    CU_ASSERT_FATAL(gradnorm(&r, ARGS("GRADFLOW_GNUPLOT=/nonexistent/gnuplot"), out, NULL,
                             NULL) == 0);
    if (r.status != 0)
        show("no gnuplot", &r);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT(r.err && strstr(r.err, "gnuplot") && strstr(r.err, "warning"));
    CU_ASSERT(r.err_lines >= 1 && r.err_lines <= 2);
    static const char *const present[] = {"gradnorm.gp", "gradnorm.tsv", "manifest.json"};
    static const char *const absent[] = {"gradnorm.png", "gradnorm.svg"};
    expect_files(out, present, 3);
    expect_no_files(out, absent, 2);
    CU_ASSERT_EQUAL(tu_count_matching(out, ".tmp-"), 0);
    /* The manifest records the settings and seeds. */
    path_at(path, sizeof path, out, "manifest.json");
    json_error_t err;
    json_t *m = json_load_file(path, 0, &err);
    CU_ASSERT_FATAL(json_is_object(m));
    json_t *settings = json_object_get(m, "settings");
    CU_ASSERT(json_integer_value(json_object_get(settings, "depth")) == 8);
    CU_ASSERT(json_integer_value(json_object_get(settings, "width")) == 16);
    json_t *seeds = json_object_get(m, "seeds");
    CU_ASSERT(json_array_size(seeds) == 2 && json_integer_value(json_array_get(seeds, 0)) == 1);
    CU_ASSERT(json_is_object(json_object_get(m, "blas")));
    json_decref(m);
    result_free(&r);
}

static void test_with_gnuplot(void)
{
    if (skip_without_gnuplot())
        return;
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "with-gnuplot");
    result r;
    CU_ASSERT_FATAL(gradnorm(&r, NULL, out, NULL, NULL) == 0);
    if (r.status != 0)
        show("with gnuplot", &r);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT(r.err && !strstr(r.err, "gradflow gradnorm:")); /* no warning or error of ours */
    static const char *const pngs[] = {"gradnorm.png", "split.png"};
    for (size_t i = 0; i < 2; i++)
        CU_ASSERT(is_png_in(out, pngs[i]));
    char *svg = read_in(out, "gradnorm.svg");
    CU_ASSERT(svg && strstr(svg, "<svg"));
    free(svg);
    CU_ASSERT_EQUAL(tu_count_matching(out, ".tmp-"), 0);
    result_free(&r);
}

/* A forward pass that overflows is a runtime error naming the block, not a
 * zero gradient; the run leaves no folder behind. */
static void test_overflow_is_an_error(void)
{
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "overflow");
    const char *args[] = {"gradnorm", "--arch", "preact", "--init", "he", "--depth", "7000",
                          "--width", "64", "--batch", "4", "--samples", "16", "--seeds", "1",
                          "--out", out, "--no-plot", NULL};
    result r;
    CU_ASSERT_FATAL(run(&r, args) == 0);
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_EQUAL(r.err_lines, 1);
    CU_ASSERT(r.err && strstr(r.err, "overflowed") && strstr(r.err, "x_"));
    CU_ASSERT(!tu_file_exists(out));
    result_free(&r);
}

/* One block (depth 4) draws both figures; a later plain-only run into the same
 * folder removes the split files it no longer writes. */
static void test_one_block_and_stale_files(void)
{
    char out[GF_PATH_MAX];
    path_in(out, sizeof out, "one-block");
    const char *args[] = {"gradnorm", "--depth", "4", "--width", "8", "--batch", "4",
                          "--seeds", "1", "--out", out, "--quiet", NULL, NULL, NULL};
    result r;
    CU_ASSERT_FATAL(run(&r, args) == 0);
    if (r.status != 0)
        show("depth 4", &r);
    CU_ASSERT_EQUAL(r.status, 0);
    result_free(&r);
    CU_ASSERT(exists_in(out, "split_mean.tsv"));
    if (gnuplot_in_path())
        CU_ASSERT(exists_in(out, "split.png"));
    args[12] = "--arch";
    args[13] = "plain";
    CU_ASSERT_FATAL(run(&r, args) == 0);
    CU_ASSERT_EQUAL(r.status, 0);
    result_free(&r);
    static const char *const gone[] = {"split_mean.tsv", "split.gp", "split.png", "split.svg"};
    expect_no_files(out, gone, 4); /* none left behind */
}

/* The log10_grad_norm of (arch, seed, block) in a gradnorm.tsv. */
static double tsv_log10(const char *file, const char *arch, int seed, int block)
{
    char *text = tu_read_file(file, NULL);
    if (!text)
        return NAN;
    char *save = NULL, *line = strtok_r(text, "\n", &save), *h[64];
    const int nh = line ? split_tabs(line, h, 64) : 0;
    const int c = column(h, nh, "log10_grad_norm");
    double v = NAN;
    while (c >= 0 && (line = strtok_r(NULL, "\n", &save)) != NULL) {
        char *f[64];
        if (split_tabs(line, f, 64) == nh && strcmp(f[0], arch) == 0 && atoi(f[1]) == seed &&
            atoi(f[2]) == block)
            v = strtod(f[c], NULL);
    }
    free(text);
    return v;
}

static void check_shape(const gf_st_file *st, const char *name, gf_st_dtype dt, int rank,
                        int64_t d0, int64_t d1)
{
    const gf_st_entry *e = gf_st_find(st, name);
    if (!e)
        fprintf(stderr, "\n  %s is missing from the export\n", name);
    CU_ASSERT_FATAL(e != NULL);
    CU_ASSERT(e->dtype == dt && e->rank == rank);
    if (rank > 0)
        CU_ASSERT(e->shape[0] == d0);
    if (rank > 1)
        CU_ASSERT(e->shape[1] == d1);
}

static void test_save_safetensors(void)
{
    char out[GF_PATH_MAX], save[GF_PATH_MAX], file[GF_PATH_MAX], tsv[GF_PATH_MAX], name[64];
    path_in(out, sizeof out, "save");
    path_at(save, sizeof save, out, "run.safetensors");
    result r;
    CU_ASSERT_FATAL(gradnorm(&r, NULL, out, "--no-plot", "--save") == 0);
    CU_ASSERT_EQUAL(r.status, 2); /* --save without its value */
    result_free(&r);
    CU_ASSERT_FATAL(mkdir(out, 0755) == 0);
    const char *args[] = {"gradnorm", "--depth", "8", "--width", "16", "--batch", "8", "--seeds",
                          "2", "--out", out, "--quiet", "--no-plot", "--save", save, NULL};
    CU_ASSERT_FATAL(run(&r, args) == 0);
    if (r.status != 0)
        show("--save", &r);
    CU_ASSERT_FATAL(r.status == 0);
    result_free(&r);
    path_at(tsv, sizeof tsv, out, "gradnorm.tsv");
    static const char *const archs[] = {"plain", "resnet", "preact"};
    for (int a = 0; a < 3; a++) {
        snprintf(name, sizeof name, "run-%s.safetensors", archs[a]);
        path_at(file, sizeof file, out, name);
        gf_st_file st;
        char why[256] = "";
        const int rc = gf_st_read(&st, file, why, sizeof why);
        if (rc != 0)
            fprintf(stderr, "\n  %s: %s\n", file, why);
        CU_ASSERT_FATAL(rc == 0);
        check_shape(&st, "stem.weight", GF_ST_F64, 2, 16, 32);
        check_shape(&st, "grad.stem.weight", GF_ST_F64, 2, 16, 32);
        check_shape(&st, "head.bias", GF_ST_F64, 1, 10, 0);
        check_shape(&st, "blocks.2.fc2.weight", GF_ST_F64, 2, 16, 16);
        check_shape(&st, "input", GF_ST_F64, 2, 8, 32);
        check_shape(&st, "labels", GF_ST_I64, 1, 8, 0);
        check_shape(&st, "grad.x.0", GF_ST_F64, 2, 8, 16);
        check_shape(&st, "grad.x.3", GF_ST_F64, 2, 8, 16);
        const int64_t *labels = gf_st_find(&st, "labels")->data;
        int bad_label = 0;
        for (int i = 0; i < 8; i++)
            bad_label += labels[i] < 0 || labels[i] >= 10;
        CU_ASSERT_EQUAL(bad_label, 0);
        /* ||grad.x.0|| is the TSV's norm of dL/dx_0 for seed 1. */
        double g[8 * 16];
        memcpy(g, gf_st_find(&st, "grad.x.0")->data, sizeof g);
        const double want = pow(10.0, tsv_log10(tsv, archs[a], 1, 0));
        const double got = tu_norm(g, 8 * 16);
        if (!(fabs(got / want - 1.0) <= 1e-12))
            fprintf(stderr, "\n  %s: ||grad.x.0|| = %.17g, gradnorm.tsv says %.17g\n", archs[a],
                    got, want);
        CU_ASSERT(fabs(got / want - 1.0) <= 1e-12);
        gf_st_release(&st);
    }
    CU_ASSERT_EQUAL(tu_count_matching(out, ".tmp-"), 0);

    /* One architecture: the path as given. */
    char one[GF_PATH_MAX];
    path_at(one, sizeof one, out, "one.safetensors");
    const char *args1[] = {"gradnorm", "--arch", "preact", "--depth", "8", "--width", "16",
                           "--batch", "8", "--seeds", "1", "--out", out, "--quiet", "--no-plot",
                           "--norm", "batch", "--save", one, NULL};
    CU_ASSERT_FATAL(run(&r, args1) == 0);
    CU_ASSERT_EQUAL(r.status, 0);
    result_free(&r);
    gf_st_file st;
    char why[256];
    CU_ASSERT_FATAL(gf_st_read(&st, one, why, sizeof why) == 0);
    check_shape(&st, "blocks.0.bn1.running_mean", GF_ST_F64, 1, 16, 0);
    check_shape(&st, "blocks.0.bn1.num_batches_tracked", GF_ST_I64, 0, 0, 0);
    CU_ASSERT(*(const int64_t *)gf_st_find(&st, "blocks.0.bn1.num_batches_tracked")->data == 1);
    CU_ASSERT_PTR_NULL(gf_st_find(&st, "blocks.0.fc1.bias"));
    gf_st_release(&st);
}

CU_TestInfo cli_tests[] = {
    {"--version, --help, unknown command", test_version_help_and_unknown_command},
    {"gradnorm.tsv header and rows", test_tsv_header_and_rows},
    {"same seed gives identical gradnorm.tsv and params.tsv", test_same_seed_same_bytes},
    {"bad input: status 2, one line, nothing created", test_bad_input},
    {"unwritable output folder: status 1, one line", test_unwritable_output},
    {"missing gnuplot: status 0, warning, .gp and data written", test_missing_gnuplot},
    {"with gnuplot: PNG and SVG drawn", test_with_gnuplot},
    {"--save writes readable safetensors", test_save_safetensors},
    {"an overflowing forward pass is an error", test_overflow_is_an_error},
    {"one block draws; stale split files are removed", test_one_block_and_stale_files},
    CU_TEST_INFO_NULL,
};
