/* cmd_shatter.c: gradflow shatter, shattered gradients (Balduzzi et al.
 * 2017): the derivative of a scalar net across a grid of scalar inputs, its
 * autocorrelation, and how fast neighbouring derivatives decorrelate with
 * depth. */
#include "commands.h"
#include "run.h"

#include "gradflow.h"
#include "plots/gf_plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char CMD[] = "shatter";

#define DEFAULT_NETS "plain-2,plain-24-bn,resnet-50,resnet-50-bn,preact-50-bn,ll-24"
#define DEFAULT_ARCHS "plain,plain-bn,resnet,resnet-bn,preact-bn,ll"
#define DEFAULT_DEPTHS "2,4,6,8,12,16,24,32,50"

typedef struct options {
    cli_common c; /* first: the shared options (c.cfg.width: --width) */
    const char *nets_text, *archs_text, *depths_text; /* read by lists() */
    gf_shatter_net nets[GF_SHATTER_MAX_NETS], archs[GF_SHATTER_MAX_NETS];
    int n_nets, n_archs;
    int depths[GF_SHATTER_MAX_DEPTHS], n_depths;
    long points, max_lag;
    double xmin, xmax;
    int no_noise;
} options;

static const cli_option table[] = {
    {CLI_STRING, "nets", 0, "LIST", "the figure's nets\n[" DEFAULT_NETS "]",
     CLI_AT(options, nets_text)},
    {CLI_STRING, "archs", 0, "LIST", "kinds in the depth sweep, or none\n[" DEFAULT_ARCHS "]",
     CLI_AT(options, archs_text)},
    {CLI_STRING, "depth", 'd', "LIST",
     "depths of the sweep (even but for ll) [" DEFAULT_DEPTHS "]", CLI_AT(options, depths_text)},
    {CLI_INT, "width", 'w', "N", "hidden features (ll: even)    [200]",
     CLI_AT(options, c.cfg.width), .min = 2, .max = 4096},
    {CLI_INT, "points", 0, "N", "grid points                   [256]", CLI_AT(options, points),
     .min = 8, .max = 1 << 16},
    {CLI_TEXT, .help = "      --xmin X, --xmax X  the grid's ends             [-2, 2]\n"},
    {CLI_REAL, "xmin", 0, "X", NULL, CLI_AT(options, xmin), .min = -1e6, .max = 1e6},
    {CLI_REAL, "xmax", 0, "X", NULL, CLI_AT(options, xmax), .min = -1e6, .max = 1e6},
    {CLI_INT, "max-lag", 0, "N", "autocorrelation lags 0..N     [64]", CLI_AT(options, max_lag),
     .min = 1, .max = 1 << 16},
    {CLI_FLAG, "no-noise", 0, NULL, "leave out the brown and white noise references",
     CLI_AT(options, no_noise)},
    CLI_SEEDS(options, "seeds per point of the sweep  [8]"),
    CLI_SEED(options, "first seed, at least 1 (the figure's nets use it) [1]"),
    CLI_OUT(options, "run folder                    [runs/shatter]"),
    CLI_TERM(options, "also draw the gradients in the terminal: dumb [none]"),
    CLI_TABLE_END(options, "write the data and .gp scripts, draw nothing"),
};

static void init(void *opts)
{
    *(options *)opts = (options){
        .c = {.cfg = {.width = 200}, .seeds = 8, .seed = 1, .out = "runs/shatter"},
        .nets_text = DEFAULT_NETS, .archs_text = DEFAULT_ARCHS, .depths_text = DEFAULT_DEPTHS,
        .points = 256, .max_lag = 64, .xmin = -2.0, .xmax = 2.0};
}

static int parse_net(const char *cmd, const char *opt, const char *item, void *out)
{
    char why[256];
    if (gf_shatter_net_parse(item, out, why, sizeof why) != 0)
        return cli_error(cmd, "%s: %s", opt, why);
    return 0;
}

static int parse_arch(const char *cmd, const char *opt, const char *item, void *out)
{
    char why[256];
    if (gf_shatter_arch_parse(item, out, why, sizeof why) != 0)
        return cli_error(cmd, "%s: %s", opt, why);
    return 0;
}

static int parse_depth(const char *cmd, const char *opt, const char *item, void *out)
{
    long v;
    if (cli_int(cmd, opt, item, 2, 10000, &v) != 0)
        return CLI_EXIT_USAGE;
    *(int *)out = (int)v;
    return 0;
}

static int same(const gf_shatter_net *a, const gf_shatter_net *b)
{
    return a->kind == b->kind && a->depth == b->depth && a->batchnorm == b->batchnorm;
}

/* The three lists, read once every option is known. 0, or CLI_EXIT_USAGE after a message. */
static int lists(options *o)
{
    const char *nets = o->nets_text, *archs = o->archs_text, *depths = o->depths_text;
    if ((o->n_nets = cli_list(CMD, "--nets", nets, GF_SHATTER_MAX_NETS - 2, parse_net,
                                 o->nets, sizeof *o->nets)) < 0)
        return CLI_EXIT_USAGE;
    if (strcmp(archs, "none") == 0)
        o->n_archs = 0;
    else if ((o->n_archs = cli_list(CMD, "--archs", archs, GF_SHATTER_MAX_NETS, parse_arch,
                                       o->archs, sizeof *o->archs)) < 0)
        return CLI_EXIT_USAGE;
    if ((o->n_depths = cli_list(CMD, "--depth", depths, GF_SHATTER_MAX_DEPTHS, parse_depth,
                                   o->depths, sizeof *o->depths)) < 0)
        return CLI_EXIT_USAGE;
    for (int i = 0; i < o->n_nets; i++)
        for (int j = 0; j < i; j++)
            if (same(&o->nets[i], &o->nets[j]))
                return cli_fail(CLI_EXIT_USAGE, CMD, "--nets: entry %d is listed twice", i + 1);
    for (int i = 0; i < o->n_archs; i++)
        for (int j = 0; j < i; j++)
            if (same(&o->archs[i], &o->archs[j]))
                return cli_fail(CLI_EXIT_USAGE, CMD, "--archs: entry %d is listed twice", i + 1);
    for (int i = 0; i < o->n_depths; i++) {
        for (int j = 0; j < i; j++)
            if (o->depths[i] == o->depths[j])
                return cli_fail(CLI_EXIT_USAGE, CMD, "--depth: %d is listed twice", o->depths[i]);
        for (int a = 0; a < o->n_archs; a++)
            if (o->archs[a].kind != GF_SHATTER_LL && o->depths[i] % 2)
                return cli_fail(CLI_EXIT_USAGE, CMD, "--depth: %d is odd; plain, resnet and preact "
                                   "depths are 2B + 2 weight layers (2, 4, 6, ...)",
                                   o->depths[i]);
    }
    return 0;
}

/* One tape of the deepest net over the grid, ~12 tensors a layer. */
static double bytes_needed(const options *o)
{
    int dmax = 2;
    for (int i = 0; i < o->n_nets; i++)
        dmax = o->nets[i].depth > dmax ? o->nets[i].depth : dmax;
    for (int i = 0; o->n_archs && i < o->n_depths; i++)
        dmax = o->depths[i] > dmax ? o->depths[i] : dmax;
    const double w = (double)o->c.cfg.width;
    return 8.0 * (double)dmax * (12.0 * (double)o->points * w + 2.0 * w * w);
}

static int check(void *opts)
{
    options *o = opts;
    if (lists(o) != 0)
        return CLI_EXIT_USAGE;
    if (o->c.seeds < 2) /* the verdicts compare means with their standard errors */
        return cli_fail(CLI_EXIT_USAGE, CMD, "--seeds: a standard error needs at least 2");
    if (!(o->xmax > o->xmin))
        return cli_fail(CLI_EXIT_USAGE, CMD, "--xmax %g is not above --xmin %g", o->xmax,
                        o->xmin);
    if (o->max_lag >= o->points)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--max-lag %ld must be below --points %ld",
                        o->max_lag, o->points);
    int ll = 0;
    for (int i = 0; i < o->n_nets; i++)
        ll |= o->nets[i].kind == GF_SHATTER_LL;
    for (int a = 0; a < o->n_archs; a++)
        ll |= o->archs[a].kind == GF_SHATTER_LL;
    if (ll && o->c.cfg.width % 2)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--width %zu: ll nets need an even width (CReLU "
                        "doubles width / 2 features)", o->c.cfg.width);
    const double need = bytes_needed(o), have = cli_memory_bytes();
    if (have > 0 && need > 0.5 * have)
        return cli_fail(CLI_EXIT_USAGE, CMD, "the deepest net needs about %.1f GiB; the machine "
                        "has %.1f GiB (reduce the depths, --width or --points)",
                        need / 1073741824.0, have / 1073741824.0);
    return 0;
}

CLI_RESULT(gf_shatter_result, gf_shatter_release, gf_shatter_write)

/* The figure's nets and the depth sweep, with a progress line. */
static int measure(const void *opts, void *res, cli_measure *m)
{
    const options *o = opts;
    const gf_shatter_spec spec = {
        .points = (size_t)o->points, .lo = o->xmin, .hi = o->xmax, .width = o->c.cfg.width,
        .nets = o->nets, .n_nets = o->n_nets, .noise = !o->no_noise, .archs = o->archs,
        .n_archs = o->n_archs, .depths = o->depths, .n_depths = o->n_depths,
        .seeds = (int)o->c.seeds, .seed0 = (unsigned long)o->c.seed, .max_lag = (int)o->max_lag,
        .progress = cli_progress_update, .progress_ctx = &m->progress};
    return gf_shatter_run(&spec, res, m->why, sizeof m->why);
}

/* ---- manifest, figures, summary ---------------------------------------------------- */

static void describe(json_t *m, const void *opts, const void *result)
{
    const options *o = opts;
    const gf_shatter_result *res = result;
    json_t *nets = json_array(), *archs = json_array(), *depths = json_array(),
           *lag1 = json_object(), *decay = json_object();
    char name[32];
    for (int i = 0; i < res->n_series; i++) {
        json_array_append_new(nets, json_string(res->series[i].name));
        json_object_set_new(lag1, res->series[i].name, cli_json_number(res->series[i].acf[1]));
    }
    for (int a = 0; a < o->n_archs; a++) {
        gf_shatter_arch_name(&o->archs[a], name, sizeof name);
        json_array_append_new(archs, json_string(name));
        const gf_shatter_decay *d = &res->decay[a];
        json_object_set_new(decay, name, json_pack(
            "{s:i, s:o, s:o, s:o, s:o, s:o, s:o}", "points", d->points, "factor_per_layer",
            cli_json_number(d->per_layer), "factor_per_layer_se",
            cli_json_number(d->per_layer_se), "power", cli_json_number(d->power), "power_se",
            cli_json_number(d->power_se), "r2_exponential", cli_json_number(d->r2_exp),
            "r2_power", cli_json_number(d->r2_power)));
        const gf_shatter_point *deep = &res->point[(a + 1) * o->n_depths - 1];
        json_object_set_new(json_object_get(decay, name), "far_correlation_deepest",
                            json_pack("{s:i, s:o, s:o}", "depth", deep->depth, "mean",
                                      cli_json_number(deep->far_mean), "se",
                                      cli_json_number(deep->far_se)));
    }
    for (int d = 0; o->n_archs && d < o->n_depths; d++)
        json_array_append_new(depths, json_integer(o->depths[d]));
    json_object_set_new(m, "settings", json_pack(
        "{s:o, s:o, s:o, s:I, s:I, s:f, s:f, s:I, s:b, s:s, s:s, s:s, s:s}", "nets", nets,
        "sweep_archs", archs, "sweep_depths", depths, "width", (json_int_t)o->c.cfg.width,
        "points", (json_int_t)o->points, "xmin", o->xmin, "xmax", o->xmax, "max_lag",
        (json_int_t)o->max_lag, "noise_references", !o->no_noise, "init",
        "He weights N(0, 2/fan_in), PyTorch default biases U(+-1/sqrt(fan_in)); ll: orthogonal "
        "W0 mirrored as [W0, -W0], no biases", "output", "column 0 of a 2-class head (ll: a "
        "single output)", "batchnorm", "running statistics from one training-mode pass over "
        "the grid with momentum 1 (unbiased variance), then evaluation mode: per-point "
        "derivatives", "correlation", "sample autocorrelation along the grid at lag 1, mean "
        "over seeds; 1 for a gradient constant to rounding; far_correlation: sum g(x_i) "
        "g(x_i + h) / sqrt(sum g(x_i)^2 sum g(x_i + h)^2) over the grid, h = half the grid, "
        "not centred, mean over seeds"));
    json_t *seeds = json_array();
    for (long k = 0; o->n_archs && k < o->c.seeds; k++)
        json_array_append_new(seeds, json_integer(o->c.seed + k));
    json_object_set_new(m, "seeds", seeds);
    json_object_set_new(m, "seed_use", json_string(
        "the figure's nets use seed; sweep point k uses seed + k for every arch and depth; seed "
        "k initializes the weights (mt19937, creation order, then the biases); the noise "
        "references come from mt19937 seeded with seed * 1000003 + 17"));
    json_object_set_new(m, "lag1_autocorrelation", lag1);
    json_object_set_new(m, "depth_decay", decay);
}

/* The table's arch heads (after the caller's "depth" head) and one row per depth of
   mean +- standard error: the neighbour correlation, or with far the half-grid one. */
static void print_depth_table(const gf_shatter_result *res, const options *o, int far)
{
    char name[32];
    for (int a = 0; a < o->n_archs; a++) {
        gf_shatter_arch_name(&o->archs[a], name, sizeof name);
        printf(" %14s", name);
    }
    putchar('\n');
    for (int d = 0; d < o->n_depths; d++) {
        printf("  %5d", o->depths[d]);
        for (int a = 0; a < o->n_archs; a++) {
            const gf_shatter_point *p = &res->point[a * o->n_depths + d];
            printf("  %6.3f+-%-5.3f", far ? p->far_mean : p->mean, far ? p->far_se : p->se);
        }
        putchar('\n');
    }
}

static void summary_decay(const gf_shatter_result *res, const options *o)
{
    const int S = (int)o->c.seeds;
    const double floor = 2.0 / sqrt((double)o->points * S);
    char name[32];
    printf("\n  lag-1 autocorrelation against depth (mean of %d seeds +- standard error; white "
           "noise reaches +-%.3f by chance):\n  %5s", S, floor, "depth");
    print_depth_table(res, o, 0);
    for (int a = 0; a < o->n_archs; a++) {
        gf_shatter_arch_name(&o->archs[a], name, sizeof name);
        const gf_shatter_decay *d = &res->decay[a];
        const gf_shatter_point *row = &res->point[a * o->n_depths];
        int constant = 1, noise_from = -1;
        for (int i = 0; i < o->n_depths; i++) {
            constant &= row[i].constant == row[i].seeds;
            if (fabs(row[i].mean) > floor)
                noise_from = -1;
            else if (noise_from < 0)
                noise_from = i;
        }
        if (constant) {
            printf("  %s: the gradient is constant across the grid at every depth: correlation "
                   "1, no decay\n", name);
            continue;
        }
        if (d->points < 3)
            printf("  %s: %d depth%s with a mean above twice its standard error: too few to fit "
                   "a decay", name, d->points, d->points == 1 ? "" : "s");
        else
            printf("  %s: over its %d resolved depths, a factor %.3f +- %.3f per layer (2^-L: "
                   "0.5; R^2 %.2f),\n    or depth^(%.2f +- %.2f) (1/sqrt(L): -0.5; R^2 %.2f)",
                   name, d->points, d->per_layer, d->per_layer_se, d->r2_exp, d->power,
                   d->power_se, d->r2_power);
        const double last = row[o->n_depths - 1].mean;
        const int deepest = o->depths[o->n_depths - 1];
        if (noise_from >= 0)
            printf(";\n    shattered: like white noise from depth %d on\n", o->depths[noise_from]);
        else if (last > 0)
            printf(";\n    still correlated at depth %d (%.3f), beyond white noise's reach\n",
                   deepest, last);
        else
            printf(";\n    anticorrelated at depth %d (%.3f), beyond white noise's reach: "
                   "neighbours alternate in sign\n", deepest, last);
    }
}

/* The correlation of the gradients at inputs half the grid apart, over seeds. */
static void summary_far(const gf_shatter_result *res, const options *o)
{
    const int S = (int)o->c.seeds, h = (int)(o->points / 2);
    const double floor = 2.0 / sqrt((double)(o->points - h) * S);
    char name[32];
    printf("\n  correlation of the gradients at inputs %g apart, g(x) g(x + %g) over the grid's "
           "pairs and the seeds\n  (Balduzzi's quantity; not centred: over initializations the "
           "gradient has mean 0; mean of %d seeds\n  +- standard error; white noise reaches "
           "+-%.3f by chance):\n  %5s",
           (o->xmax - o->xmin) / 2, (o->xmax - o->xmin) / 2, S, floor, "depth");
    print_depth_table(res, o, 1);
    printf("  at depth %d:", o->depths[o->n_depths - 1]);
    for (int a = 0; a < o->n_archs; a++) {
        const gf_shatter_point *p = &res->point[a * o->n_depths + o->n_depths - 1];
        gf_shatter_arch_name(&o->archs[a], name, sizeof name);
        printf("%s%s %s %s", a ? ";" : "", a && a % 3 == 0 ? "\n   " : "", name,
               fabs(p->far_mean) <= fmax(floor, 2.0 * p->far_se) ? "uncorrelated (shattered)"
                                                                  : "still correlated");
    }
    printf("\n  (Balduzzi's 2^-L for plain nets assumes the ReLU patterns at the two inputs are "
           "independent; where\n   a net stays correlated that assumption fails, and no 2^-L "
           "is drawn)\n");
}

static void summary(const cli_run *r, const void *opts, const void *result)
{
    const options *o = opts;
    const gf_shatter_result *res = result;
    printf("gradflow shatter: %ld points in [%g, %g], width %zu, seed %ld\n\n"
           "  %-14s %12s %12s %10s\n", o->points, o->xmin, o->xmax, o->c.cfg.width, o->c.seed,
           "net", "mean grad", "sd grad", "lag-1 r");
    for (int i = 0; i < res->n_series; i++) {
        const gf_shatter_series *s = &res->series[i];
        printf("  %-14s %12.4g %12.4g %10.4f%s\n", s->name, s->grad_mean, s->grad_sd, s->acf[1],
               s->constant ? "  (constant to rounding: taken as 1)" : "");
    }
    if (o->n_archs > 0) {
        summary_decay(res, o);
        summary_far(res, o);
    }
    printf("  wall time %.1f s\n  wrote %s/shatter.tsv, autocorr.tsv%s, manifest.json, %s\n",
           res->wall_seconds, r->dir, o->n_archs ? ", depth.tsv, depth_seeds.tsv" : "",
           cli_run_drawn(r) ? (o->n_archs ? "shatter, autocorr, shatter_depth, shatter_far "
                                            ".png/.svg/.gp"
                               : "shatter, autocorr .png/.svg/.gp")
                 : "the .gp scripts (nothing drawn)");
}

static int figures(cli_run *r, const void *opts, void *res)
{
    const options *o = opts;
    gf_shatter_figs *f = malloc(sizeof *f); /* large: off the stack */
    if (!f)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "out of memory");
    gf_shatter_figs_make(res, f);
    int status = cli_run_figure(r, "shatter", gf_fig_shatter_body, &f->grad);
    if (status == 0)
        status = cli_run_figure(r, "autocorr", gf_fig_autocorr_body, &f->acf);
    if (status == 0 && o->n_archs > 0)
        status = cli_run_figure(r, "shatter_depth", gf_fig_shatter_depth_body, &f->depth);
    if (status == 0 && o->n_archs > 0)
        status = cli_run_figure(r, "shatter_far", gf_fig_shatter_far_body, &f->far);
    if (status == 0)
        status = cli_run_terminal(r, gf_fig_shatter_body, &f->grad, 140, 40);
    free(f);
    return status;
}

const cli_command cli_shatter = {
    .name = CMD,
    .summary = "gradient across a grid of scalar inputs: shattered gradients (Balduzzi)",
    .about =
        "Balduzzi et al. (2017): the gradient of a deep net with respect to its input can\n"
        "look like white noise ('shattered') rather than brown noise. Nets with one input and\n"
        "one output are evaluated on a grid of points; at every point the derivative d output /\n"
        "d x is computed by backward (one vector-Jacobian product for the grid). The figure's\n"
        "nets are drawn and their autocorrelation along the grid computed; the depth sweep\n"
        "measures over seeds, against depth, the lag-1 autocorrelation (neighbouring points)\n"
        "and the correlation of the gradients at inputs half the grid apart (Balduzzi's\n"
        "quantity). At the defaults batch norm, not depth alone, shatters: plain without batch\n"
        "norm keeps a lag-1 correlation near 0.8 at depth 50, plain-bn is white noise from\n"
        "depth 16, and post-activation resnet-bn falls near 0.1 at 50 (preact-bn near 0.2).\n"
        "1/sqrt(L) (Balduzzi: resnets) is drawn for comparison; 2^-L (plain) is not: it assumes\n"
        "independent ReLU patterns at the two inputs, which neighbours do not have.\n"
        "Writes into the run folder: shatter.tsv, autocorr.tsv, depth.tsv, depth_seeds.tsv,\n"
        "manifest.json, shatter.png/.svg/.gp, autocorr.png/.svg/.gp,\n"
        "shatter_depth.png/.svg/.gp and shatter_far.png/.svg/.gp.\n\n"
        "Nets (KIND-DEPTH[-bn], DEPTH in weight layers):\n"
        "  plain-D, resnet-D,    gradflow's stacks (resnet: original, relu after the sum;\n"
        "  preact-D              preact: identity skip path), D = 2B + 2; D = 2 is one\n"
        "                        hidden layer\n"
        "  ...-bn                batch norm after every Linear\n"
        "  ll-D                  'looks linear': CReLU and mirrored weights [W0, -W0]\n\n",
    .epilog =
        "Initialization: He weights with PyTorch's default biases U(+-1/sqrt(fan_in)) (with\n"
        "zero biases a ReLU net of a scalar input is linear on each side of 0: nothing can\n"
        "shatter); ll: orthogonal W0, no biases, so the net is exactly linear at\n"
        "initialization. Batch norm: one training-mode pass over the grid with momentum 1\n"
        "sets the running statistics to the grid's own; the derivative is then taken in\n"
        "evaluation mode, each point's own derivative of a fixed function (not the diagonal of\n"
        "a batch Jacobian, where the statistics would couple the points).\n"
        "The lag-1 autocorrelation of a gradient that is constant to rounding is taken as 1.\n"
        "The defaults take about 25 s of CPU time.\n"
        CLI_EPILOG_PROGRESS,
    .table = table, .size = sizeof(options), .init = init, .check = check,
    CLI_STEPS(gf_shatter_result, "shatter: nets", 0),
};
