/* cmd_paths.c: gradflow paths, the path-length distribution of a residual
 * network (Veit et al. 2016): B blocks open 2^B paths, C(B, k) of them
 * through exactly k branches. */
#include "commands.h"
#include "run.h"

#include "gradflow.h"
#include "plots/gf_plot.h"

#include <math.h>
#include <stdio.h>

static const char CMD[] = "paths";

#define MAX_BLOCKS 100000
#define STR_(x) #x
#define STR(x) STR_(x)

typedef struct options {
    cli_common c; /* first: the shared options (out, drawing, quiet) */
    int blocks, given;
} options;

/* --blocks and --depth set the same count: one of them, once. */
static int set_blocks(const cli_arg *a, void *opts)
{
    options *o = opts;
    long v;
    int depth;
    if (o->given++)
        return cli_fail(CLI_EXIT_USAGE, CMD, "give --blocks or --depth once");
    if (a->entry->letter == 'B') {
        if (cli_int(CMD, a->opt, a->value, 1, MAX_BLOCKS, &v) != 0)
            return CLI_EXIT_USAGE;
        o->blocks = (int)v;
        return 0;
    }
    if (cli_depth(CMD, a->opt, a->value, &depth) != 0)
        return CLI_EXIT_USAGE;
    if ((depth - 2) / 2 > MAX_BLOCKS)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--depth: at most %d blocks", MAX_BLOCKS);
    o->blocks = (depth - 2) / 2;
    return 0;
}

static const cli_option table[] = {
    {CLI_CALL, "blocks", 'B', "N", "residual blocks                          [54]",
     .set = set_blocks},
    {CLI_CALL, "depth", 'd', "N", "or give the weight layers, 2B + 2 (110 is 54 blocks)",
     .set = set_blocks},
    CLI_OUT(options, "run folder                               [runs/paths]"),
    CLI_TERM(options, "also draw in the terminal: dumb          [none]"),
    CLI_TABLE_END(options, "write the data and .gp script, draw nothing"),
};

static void init(void *opts)
{
    *(options *)opts = (options){.c = {.out = "runs/paths"}, .blocks = 54};
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

static int run(cli_run *r, void *opts)
{
    const options *o = opts;
    const int B = o->blocks;
    char why[512], title[160];
    if (gf_paths_write(B, r->dir, why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
    snprintf(title, sizeof title, "Paths of a residual network with %d blocks: 2^%d paths, "
                                  "length k ~ Binomial(%d, 1/2)", B, B, B);
    gf_fig_paths f = {.title = title, .blocks = B, .log10_max = gf_log10_binomial(B, B / 2)};
    gf_paths_central(B, 0.95, &f.k_lo, &f.k_hi);
    json_object_set_new(r->manifest, "settings",
                        json_pack("{s:i, s:s}", "blocks", B, "paths",
                                  "2^blocks; C(blocks, k) through k branches"));
    json_object_set_new(r->manifest, "central_95", json_pack("[i, i]", f.k_lo, f.k_hi));
    int status = cli_run_manifest(r);
    if (status == 0)
        status = cli_run_figure(r, "paths", gf_fig_paths_body, &f);
    if (status == 0)
        status = cli_run_terminal(r, gf_fig_paths_body, &f, 120, 32);
    if (status == 0 && !o->c.quiet)
        summary(B, &f, r->dir, cli_run_drawn(r));
    return status;
}

const cli_command cli_paths = {
    .name = CMD,
    .summary = "path-length distribution of B residual blocks (binomial, exact)",
    .about =
        "Counts the paths of a residual network by length. Unrolled, B blocks\n"
        "x_{l+1} = x_l + F_l(x_l) open 2^B paths from input to output; at each block a path\n"
        "takes the skip or the branch, so C(B, k) paths go through exactly k branches and the\n"
        "length is Binomial(B, 1/2). Counts are computed in log space (any B up to "
        STR(MAX_BLOCKS) ");\n"
        "paths.tsv holds them exactly up to 66 blocks. Writes into the run folder:\n"
        "paths.tsv, manifest.json, paths.png/.svg/.gp.\n\n",
    .epilog = "Exit status: 0 success (also when gnuplot is missing), 1 runtime failure\n"
              "(unwritable folder), 2 usage error.\n",
    .table = table, .size = sizeof(options), .init = init, .run = run,
};
