/* cmd_paths.c: gradflow paths, the path-length distribution of a residual
 * network (Veit et al. 2016): B blocks open 2^B paths, C(B, k) of them
 * through exactly k branches. */
#include "cli.h"
#include "commands.h"
#include "options.h"

#include "gradflow.h"
#include "plots/gf_plot.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char CMD[] = "paths";

enum { MAX_BLOCKS = 100000 };

static void help(void)
{
    printf(
        "Usage: gradflow paths [OPTIONS]\n\n"
        "Counts the paths of a residual network by length. Unrolled, B blocks\n"
        "x_{l+1} = x_l + F_l(x_l) open 2^B paths from input to output; at each block a path\n"
        "takes the skip or the branch, so C(B, k) paths go through exactly k branches and the\n"
        "length is Binomial(B, 1/2). Counts are computed in log space (any B up to %d);\n"
        "paths.tsv holds them exactly up to 66 blocks. Writes into the run folder:\n"
        "paths.tsv, manifest.json, paths.png/.svg/.gp.\n\n"
        "Options:\n"
        "  -B, --blocks N        residual blocks                          [54]\n"
        "  -d, --depth N         or give the weight layers, 2B + 2 (110 is 54 blocks)\n"
        "  -o, --out DIR         run folder                               [runs/paths]\n"
        "      --term TERM       also draw in the terminal: dumb          [none]\n"
        "      --no-plot         write the data and .gp script, draw nothing\n"
        "  -q, --quiet           no summary on stdout\n"
        "  -h, --help            this help\n"
        "  -V, --version         the version\n\n"
        "Exit status: 0 success (also when gnuplot is missing), 1 runtime failure\n"
        "(unwritable folder), 2 usage error.\n",
        MAX_BLOCKS);
}

static int parse(int argc, char **argv, gf_common_opts *o, int *blocks)
{
    static const struct option longopts[] = {
        {"blocks", required_argument, 0, 'B'},   {"depth", required_argument, 0, 'd'},
        {"out", required_argument, 0, 'o'},      {"term", required_argument, 0, GF_OPT_TERM},
        {"no-plot", no_argument, 0, GF_OPT_NOPLOT}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},           {"version", no_argument, 0, 'V'},
        {0, 0, 0, 0},
    };
    *o = (gf_common_opts){.out = "runs/paths"};
    *blocks = 54;
    int given = 0, c;
    long v;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":B:d:o:qhV", longopts, NULL)) != -1) {
        const int r = gf_common_option(CMD, c, optarg, argv, o, help);
        if (r != 0) {
            if (r < 0 || r == 2)
                return r < 0 ? -1 : 1;
            continue;
        }
        if (given++) {
            gf_cli_fail(GF_EXIT_USAGE, CMD, "give --blocks or --depth once");
            return -1;
        }
        if (c == 'B') {
            if (gf_cli_int(CMD, "--blocks", optarg, 1, MAX_BLOCKS, &v) != 0)
                return -1;
            *blocks = (int)v;
        } else { /* 'd' */
            int depth;
            if (gf_cli_depth(CMD, "--depth", optarg, &depth) != 0)
                return -1;
            if ((depth - 2) / 2 > MAX_BLOCKS) {
                gf_cli_fail(GF_EXIT_USAGE, CMD, "--depth: at most %d blocks", MAX_BLOCKS);
                return -1;
            }
            *blocks = (depth - 2) / 2;
        }
    }
    return gf_common_finish(CMD, argc, argv, o) != 0 ? -1 : 0;
}

/* "1.80e+16": 2^B or C(B, k) from its log10, valid beyond a double. */
static const char *pow10_text(char *buf, size_t size, double log10x)
{
    gf_format_pow10(buf, size, log10x, 2);
    return buf;
}

static void summary(int B, const gf_fig_paths *f, const char *out, int drawn)
{
    char a[48], b[48];
    const double log10_all = B * log10(2.0), mode = gf_log10_binomial(B, B / 2);
    int lo99, hi99;
    gf_paths_central(B, 0.99, &lo99, &hi99);
    printf("gradflow paths: %d residual blocks open 2^%d = %s paths from input to output.\n", B,
           B, pow10_text(a, sizeof a, log10_all));
    printf("  path length k (branches taken) ~ Binomial(%d, 1/2): mean %g, standard deviation "
           "%.2f\n",
           B, B / 2.0, sqrt(B) / 2.0);
    printf("  the most common length: %d (%s paths, %.3g%% of all)\n", B / 2,
           pow10_text(b, sizeof b, mode), 100.0 * pow(10.0, mode - log10_all));
    printf("  95%% of all paths have %d..%d branches, 99%% have %d..%d\n", f->k_lo, f->k_hi, lo99,
           hi99);
    const int short_k = (int)lround(B * 17.0 / 54.0); /* Veit et al.: 5-17 of 54 blocks */
    double below = 0.0;
    for (int k = 0; k <= short_k; k++)
        below += pow(10.0, gf_log10_binomial(B, k) - log10_all);
    printf("  paths of at most %d branches (Veit et al.'s effective paths, 17 of 54, scaled): "
           "%.3g%% of all\n",
           short_k, 100.0 * below);
    printf("  wrote %s/paths.tsv, manifest.json, %s\n", out,
           drawn ? "paths.png/.svg/.gp" : "paths.gp (nothing drawn)");
}

int cmd_paths(int argc, char **argv)
{
    gf_common_opts o;
    int B;
    const int p = parse(argc, argv, &o, &B);
    if (p != 0)
        return p > 0 ? GF_EXIT_OK : GF_EXIT_USAGE;
    const double t0 = gf_cli_now();
    json_t *m = gf_manifest_new(CMD, argc, argv);
    const int existed = access(o.out, F_OK) == 0;
    char why[512], path[4096];
    if (gf_make_dirs(o.out) != 0) {
        json_decref(m);
        return gf_cli_fail(GF_EXIT_RUNTIME, CMD, "cannot use output folder '%s': %s", o.out,
                           strerror(errno));
    }
    if (gf_paths_write(B, o.out, why, sizeof why) != 0) {
        json_decref(m);
        if (!existed)
            rmdir(o.out);
        return gf_cli_fail(GF_EXIT_RUNTIME, CMD, "%s", why);
    }
    char title[160];
    snprintf(title, sizeof title, "Paths of a residual network with %d blocks: 2^%d paths, "
                                  "length k ~ Binomial(%d, 1/2)", B, B, B);
    gf_fig_paths f = {.title = title, .blocks = B, .log10_max = gf_log10_binomial(B, B / 2)};
    gf_paths_central(B, 0.95, &f.k_lo, &f.k_hi);
    json_object_set_new(m, "settings", json_pack("{s:i, s:s}", "blocks", B, "paths",
                                                 "2^blocks; C(blocks, k) through k branches"));
    json_object_set_new(m, "central_95", json_pack("[i, i]", f.k_lo, f.k_hi));
    int status = GF_EXIT_OK, drawn = 0;
    if (gf_path_join(path, sizeof path, o.out, "manifest.json") != 0 ||
        gf_manifest_write(m, path, gf_cli_now() - t0) != 0) {
        status = gf_cli_fail(GF_EXIT_RUNTIME, CMD, "cannot write %s/manifest.json: %s", o.out,
                             strerror(errno));
        goto done;
    }
    const gf_plot_body body = gf_fig_paths_body;
    const int rc = o.no_plot ? gf_plot_script(o.out, "paths", body, &f, why, sizeof why)
                             : gf_plot_figure(o.out, "paths", body, &f, why, sizeof why);
    if (rc < 0) {
        status = gf_cli_fail(GF_EXIT_RUNTIME, CMD, "%s", why);
        goto done;
    }
    if (rc == 1)
        gf_cli_warn(CMD, "%s", why);
    drawn = !o.no_plot && rc == 0;
    if (o.term_dumb && drawn &&
        gf_plot_terminal(o.out, gf_fig_paths_body, &f, 120, 32, why, sizeof why) < 0) {
        status = gf_cli_fail(GF_EXIT_RUNTIME, CMD, "%s", why);
        goto done;
    }
    if (!o.quiet)
        summary(B, &f, o.out, drawn);
done:
    json_decref(m);
    return status;
}
