/* cmd_shatter.c: gradflow shatter, shattered gradients (Balduzzi et al.
 * 2017): the derivative of a scalar net across a grid of scalar inputs, its
 * autocorrelation, and how fast neighbouring derivatives decorrelate with
 * depth. */
#include "cli.h"
#include "commands.h"
#include "experiment.h"
#include "options.h"

#include "gradflow.h"
#include "plots/gf_plot.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char CMD[] = "shatter";

#define DEFAULT_NETS "plain-2,plain-24-bn,resnet-50,resnet-50-bn,preact-50-bn,ll-24"
#define DEFAULT_ARCHS "plain,plain-bn,resnet,resnet-bn,preact-bn,ll"
#define DEFAULT_DEPTHS "2,4,6,8,12,16,24,32,50"

static void help(void)
{
    printf(
        "Usage: gradflow shatter [OPTIONS]\n\n"
        "Balduzzi et al. (2017): the gradient of a deep plain net with respect to its input\n"
        "looks like white noise ('shattered'), a residual net's like brown noise. Nets with one\n"
        "input and one output are evaluated on a grid of points; at every point the derivative\n"
        "d output / d x is computed by backward (one vector-Jacobian product for the grid).\n"
        "The figure's nets are drawn and their autocorrelation along the grid computed; the\n"
        "depth sweep measures the lag-1 autocorrelation (neighbouring points) over seeds\n"
        "against depth, with Balduzzi's 2^-L (plain) and 1/sqrt(L) (resnet) for comparison.\n"
        "Writes into the run folder: shatter.tsv, autocorr.tsv, depth.tsv, depth_seeds.tsv,\n"
        "manifest.json, shatter.png/.svg/.gp, autocorr.png/.svg/.gp and\n"
        "shatter_depth.png/.svg/.gp.\n\n"
        "Nets (KIND-DEPTH[-bn], DEPTH in weight layers):\n"
        "  plain-D, resnet-D,    gradflow's stacks (resnet: original, relu after the sum;\n"
        "  preact-D              preact: identity skip path), D = 2B + 2; D = 2 is one\n"
        "                        hidden layer\n"
        "  ...-bn                batch norm after every Linear\n"
        "  ll-D                  'looks linear': CReLU and mirrored weights [W0, -W0]\n\n"
        "Options:\n"
        "      --nets LIST       the figure's nets\n"
        "                        [" DEFAULT_NETS "]\n"
        "      --archs LIST      kinds in the depth sweep, or none\n"
        "                        [" DEFAULT_ARCHS "]\n"
        "  -d, --depth LIST      depths of the sweep (even but for ll) [" DEFAULT_DEPTHS "]\n"
        "  -w, --width N         hidden features (ll: even)    [200]\n"
        "      --points N        grid points                   [256]\n"
        "      --xmin X, --xmax X  the grid's ends             [-2, 2]\n"
        "      --max-lag N       autocorrelation lags 0..N     [64]\n"
        "      --no-noise        leave out the brown and white noise references\n"
        "  -s, --seeds N         seeds per point of the sweep  [8]\n"
        "      --seed N          first seed, at least 1 (the figure's nets use it) [1]\n"
        "  -o, --out DIR         run folder                    [runs/shatter]\n"
        "      --term TERM       also draw the gradients in the terminal: dumb [none]\n"
        "      --no-plot         write the data and .gp scripts, draw nothing\n"
        "  -q, --quiet           no summary on stdout\n"
        "  -h, --help            this help\n"
        "  -V, --version         the version\n\n"
        "Initialization: He weights with PyTorch's default biases U(+-1/sqrt(fan_in)) (with\n"
        "zero biases a ReLU net of a scalar input is linear on each side of 0: nothing can\n"
        "shatter); ll: orthogonal W0, no biases, so the net is exactly linear at\n"
        "initialization. Batch norm: one training-mode pass over the grid with momentum 1\n"
        "sets the running statistics to the grid's own; the derivative is then taken in\n"
        "evaluation mode, each point's own derivative of a fixed function (not the diagonal of\n"
        "a batch Jacobian, where the statistics would couple the points).\n"
        "The lag-1 autocorrelation of a gradient that is constant to rounding is taken as 1.\n"
        "The defaults take about 25 s of CPU time.\n"
        "A progress line is shown on a terminal.\n"
        "Exit status: 0 success (also when gnuplot is missing), 1 runtime failure, 2 usage\n"
        "error.\n");
}

typedef struct options {
    cli_common c;
    gf_shatter_net nets[GF_SHATTER_MAX_NETS], archs[GF_SHATTER_MAX_NETS];
    int n_nets, n_archs;
    int depths[GF_SHATTER_MAX_DEPTHS], n_depths;
    long points, max_lag;
    double xmin, xmax;
    int noise;
} options;

static int parse_net(const char *cmd, const char *opt, const char *item, void *out)
{
    char why[256];
    if (gf_shatter_net_parse(item, out, why, sizeof why) != 0)
        return cli_fail(-1, cmd, "%s: %s", opt, why);
    return 0;
}

static int parse_arch(const char *cmd, const char *opt, const char *item, void *out)
{
    char why[256];
    if (gf_shatter_arch_parse(item, out, why, sizeof why) != 0)
        return cli_fail(-1, cmd, "%s: %s", opt, why);
    return 0;
}

static int parse_depth(const char *cmd, const char *opt, const char *item, void *out)
{
    long v;
    if (cli_int(cmd, opt, item, 2, 10000, &v) != 0)
        return -1;
    *(int *)out = (int)v;
    return 0;
}

static int same(const gf_shatter_net *a, const gf_shatter_net *b)
{
    return a->kind == b->kind && a->depth == b->depth && a->batchnorm == b->batchnorm;
}

static int lists(options *o, const char *nets, const char *archs, const char *depths)
{
    if ((o->n_nets = cli_list(CMD, "--nets", nets, GF_SHATTER_MAX_NETS - 2, parse_net,
                                 o->nets, sizeof *o->nets)) < 0)
        return -1;
    if (strcmp(archs, "none") == 0)
        o->n_archs = 0;
    else if ((o->n_archs = cli_list(CMD, "--archs", archs, GF_SHATTER_MAX_NETS, parse_arch,
                                       o->archs, sizeof *o->archs)) < 0)
        return -1;
    if ((o->n_depths = cli_list(CMD, "--depth", depths, GF_SHATTER_MAX_DEPTHS, parse_depth,
                                   o->depths, sizeof *o->depths)) < 0)
        return -1;
    for (int i = 0; i < o->n_nets; i++)
        for (int j = 0; j < i; j++)
            if (same(&o->nets[i], &o->nets[j]))
                return cli_fail(-1, CMD, "--nets: entry %d is listed twice", i + 1);
    for (int i = 0; i < o->n_archs; i++)
        for (int j = 0; j < i; j++)
            if (same(&o->archs[i], &o->archs[j]))
                return cli_fail(-1, CMD, "--archs: entry %d is listed twice", i + 1);
    for (int i = 0; i < o->n_depths; i++) {
        for (int j = 0; j < i; j++)
            if (o->depths[i] == o->depths[j])
                return cli_fail(-1, CMD, "--depth: %d is listed twice", o->depths[i]);
        for (int a = 0; a < o->n_archs; a++)
            if (o->archs[a].kind != GF_SHATTER_LL && o->depths[i] % 2)
                return cli_fail(-1, CMD, "--depth: %d is odd; plain, resnet and preact "
                                   "depths are 2B + 2 weight layers (2, 4, 6, ...)",
                                   o->depths[i]);
    }
    return 0;
}

static int parse(int argc, char **argv, options *o)
{
    enum { O_NETS = CLI_OPT_OWN, O_ARCHS, O_POINTS, O_XMIN, O_XMAX, O_LAG, O_NONOISE };
    static const struct option longopts[] = {
        {"nets", required_argument, 0, O_NETS},   {"archs", required_argument, 0, O_ARCHS},
        {"depth", required_argument, 0, 'd'},     {"width", required_argument, 0, 'w'},
        {"points", required_argument, 0, O_POINTS}, {"xmin", required_argument, 0, O_XMIN},
        {"xmax", required_argument, 0, O_XMAX},   {"max-lag", required_argument, 0, O_LAG},
        {"no-noise", no_argument, 0, O_NONOISE},
        {"seeds", required_argument, 0, 's'},     {"seed", required_argument, 0, CLI_OPT_SEED},
        {"out", required_argument, 0, 'o'},       {"term", required_argument, 0, CLI_OPT_TERM},
        {"no-plot", no_argument, 0, CLI_OPT_NOPLOT}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},            {"version", no_argument, 0, 'V'},
        {0, 0, 0, 0},
    };
    *o = (options){.c = {.seeds = 8, .seed = 1, .out = "runs/shatter"}, .points = 256,
                   .max_lag = 64, .xmin = -2.0, .xmax = 2.0, .noise = 1};
    o->c.cfg.width = 200;
    const char *nets = DEFAULT_NETS, *archs = DEFAULT_ARCHS, *depths = DEFAULT_DEPTHS;
    long v;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":d:w:s:o:qhV", longopts, NULL)) != -1) {
        switch (c) {
        case O_NETS:
            nets = optarg;
            continue;
        case O_ARCHS:
            archs = optarg;
            continue;
        case 'd':
            depths = optarg;
            continue;
        case 'w':
            if (cli_int(CMD, "--width", optarg, 2, 4096, &v) != 0)
                return -1;
            o->c.cfg.width = (size_t)v;
            continue;
        case O_POINTS:
            if (cli_int(CMD, "--points", optarg, 8, 1 << 16, &o->points) != 0)
                return -1;
            continue;
        case O_XMIN:
        case O_XMAX:
            if (cli_real(CMD, c == O_XMIN ? "--xmin" : "--xmax", optarg, -1e6, 1e6,
                            c == O_XMIN ? &o->xmin : &o->xmax) != 0)
                return -1;
            continue;
        case O_LAG:
            if (cli_int(CMD, "--max-lag", optarg, 1, 1 << 16, &o->max_lag) != 0)
                return -1;
            continue;
        case O_NONOISE:
            o->noise = 0;
            continue;
        default:
            break;
        }
        const int r = cli_common_option(CMD, c, optarg, argv, &o->c, help);
        if (r < 0 || r == 2)
            return r < 0 ? -1 : 1;
    }
    if (cli_common_finish(CMD, argc, argv, &o->c) != 0 || lists(o, nets, archs, depths) != 0)
        return -1;
    if (!(o->xmax > o->xmin))
        return cli_fail(-1, CMD, "--xmax %g is not above --xmin %g", o->xmax, o->xmin);
    if (o->max_lag >= o->points)
        return cli_fail(-1, CMD, "--max-lag %ld must be below --points %ld", o->max_lag,
                           o->points);
    int ll = 0;
    for (int i = 0; i < o->n_nets; i++)
        ll |= o->nets[i].kind == GF_SHATTER_LL;
    for (int a = 0; a < o->n_archs; a++)
        ll |= o->archs[a].kind == GF_SHATTER_LL;
    if (ll && o->c.cfg.width % 2)
        return cli_fail(-1, CMD, "--width %zu: ll nets need an even width (CReLU doubles "
                           "width / 2 features)", o->c.cfg.width);
    /* memory: one tape of the deepest net over the grid, ~12 tensors a layer */
    int dmax = 2;
    for (int i = 0; i < o->n_nets; i++)
        dmax = o->nets[i].depth > dmax ? o->nets[i].depth : dmax;
    for (int i = 0; o->n_archs && i < o->n_depths; i++)
        dmax = o->depths[i] > dmax ? o->depths[i] : dmax;
    const double w = (double)o->c.cfg.width;
    const double need = 8.0 * (double)dmax * (12.0 * (double)o->points * w + 2.0 * w * w);
    const double have = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    if (have > 0 && need > 0.5 * have)
        return cli_fail(-1, CMD, "the deepest net needs about %.1f GiB; the machine has %.1f "
                           "GiB (reduce the depths, --width or --points)",
                           need / 1073741824.0, have / 1073741824.0);
    return 0;
}

/* ---- manifest, figures, summary ---------------------------------------------------- */

/* A number, or null where there is none (NaN). */
static json_t *num(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

static void describe(json_t *m, const options *o, const gf_shatter_result *res)
{
    json_t *nets = json_array(), *archs = json_array(), *depths = json_array(),
           *lag1 = json_object(), *decay = json_object();
    char name[32];
    for (int i = 0; i < res->n_series; i++) {
        json_array_append_new(nets, json_string(res->series[i].name));
        json_object_set_new(lag1, res->series[i].name, num(res->series[i].acf[1]));
    }
    for (int a = 0; a < o->n_archs; a++) {
        gf_shatter_arch_name(&o->archs[a], name, sizeof name);
        json_array_append_new(archs, json_string(name));
        const gf_shatter_decay *d = &res->decay[a];
        json_object_set_new(decay, name, json_pack(
            "{s:i, s:o, s:o, s:o, s:o, s:o, s:o}", "points", d->points, "factor_per_layer",
            num(d->per_layer), "factor_per_layer_se", num(d->per_layer_se), "power",
            num(d->power), "power_se", num(d->power_se), "r2_exponential", num(d->r2_exp),
            "r2_power", num(d->r2_power)));
    }
    for (int d = 0; o->n_archs && d < o->n_depths; d++)
        json_array_append_new(depths, json_integer(o->depths[d]));
    json_object_set_new(m, "settings", json_pack(
        "{s:o, s:o, s:o, s:I, s:I, s:f, s:f, s:I, s:b, s:s, s:s, s:s, s:s}", "nets", nets,
        "sweep_archs", archs, "sweep_depths", depths, "width", (json_int_t)o->c.cfg.width,
        "points", (json_int_t)o->points, "xmin", o->xmin, "xmax", o->xmax, "max_lag",
        (json_int_t)o->max_lag, "noise_references", o->noise, "init",
        "He weights N(0, 2/fan_in), PyTorch default biases U(+-1/sqrt(fan_in)); ll: orthogonal "
        "W0 mirrored as [W0, -W0], no biases", "output", "column 0 of a 2-class head (ll: a "
        "single output)", "batchnorm", "running statistics from one training-mode pass over "
        "the grid with momentum 1 (unbiased variance), then evaluation mode: per-point "
        "derivatives", "correlation", "sample autocorrelation along the grid at lag 1, mean "
        "over seeds; 1 for a gradient constant to rounding"));
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

static int figures(const gf_shatter_result *res, const options *o, int *drawn)
{
    static gf_shatter_figs f;
    gf_shatter_figs_make(res, &f);
    int warned = 0;
    if (cli_experiment_figure(CMD, &o->c, "shatter", gf_fig_shatter_body, &f.grad, &warned) != 0 ||
        cli_experiment_figure(CMD, &o->c, "autocorr", gf_fig_autocorr_body, &f.acf, &warned) != 0 ||
        (o->n_archs > 0 && cli_experiment_figure(CMD, &o->c, "shatter_depth",
                                                gf_fig_shatter_depth_body, &f.depth,
                                                &warned) != 0))
        return -1;
    *drawn = !o->c.no_plot && !warned;
    if (o->c.term_dumb && *drawn) {
        char why[512];
        if (gf_plot_terminal(o->c.out, gf_fig_shatter_body, &f.grad, 140, 40, why, sizeof why) < 0)
            return cli_fail(-1, CMD, "%s", why);
    }
    return 0;
}

static void summary_decay(const gf_shatter_result *res, const options *o)
{
    const int S = (int)o->c.seeds;
    const double floor = 2.0 / sqrt((double)o->points * S);
    char name[32];
    printf("\n  lag-1 autocorrelation against depth (mean of %d seeds +- standard error; white "
           "noise reaches +-%.3f by chance):\n  %5s", S, floor, "depth");
    for (int a = 0; a < o->n_archs; a++) {
        gf_shatter_arch_name(&o->archs[a], name, sizeof name);
        printf(" %14s", name);
    }
    putchar('\n');
    for (int d = 0; d < o->n_depths; d++) {
        printf("  %5d", o->depths[d]);
        for (int a = 0; a < o->n_archs; a++) {
            const gf_shatter_point *p = &res->point[a * o->n_depths + d];
            printf("  %6.3f+-%-5.3f", p->mean, p->se);
        }
        putchar('\n');
    }
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

static void summary(const gf_shatter_result *res, const options *o, int drawn)
{
    printf("gradflow shatter: %ld points in [%g, %g], width %zu, seed %ld\n\n"
           "  %-14s %12s %12s %10s\n", o->points, o->xmin, o->xmax, o->c.cfg.width, o->c.seed,
           "net", "mean grad", "sd grad", "lag-1 r");
    for (int i = 0; i < res->n_series; i++) {
        const gf_shatter_series *s = &res->series[i];
        printf("  %-14s %12.4g %12.4g %10.4f%s\n", s->name, s->grad_mean, s->grad_sd, s->acf[1],
               s->constant ? "  (constant to rounding: taken as 1)" : "");
    }
    if (o->n_archs > 0)
        summary_decay(res, o);
    printf("  wall time %.1f s\n  wrote %s/shatter.tsv, autocorr.tsv%s, manifest.json, %s\n",
           res->wall_seconds, o->c.out, o->n_archs ? ", depth.tsv, depth_seeds.tsv" : "",
           drawn ? (o->n_archs ? "shatter, autocorr, shatter_depth .png/.svg/.gp"
                               : "shatter, autocorr .png/.svg/.gp")
                 : "the .gp scripts (nothing drawn)");
}

int cmd_shatter(int argc, char **argv)
{
    options o;
    const int p = parse(argc, argv, &o);
    if (p != 0)
        return p > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    char why[512];
    json_t *m = gf_manifest_new(CMD, argc, argv);
    const int existed = access(o.c.out, F_OK) == 0;
    if (gf_make_dirs(o.c.out) != 0) {
        json_decref(m);
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "cannot use output folder '%s': %s", o.c.out,
                           strerror(errno));
    }
    cli_progress prog;
    cli_progress_begin(&prog, "shatter: nets");
    const gf_shatter_spec spec = {
        .points = (size_t)o.points, .lo = o.xmin, .hi = o.xmax, .width = o.c.cfg.width,
        .nets = o.nets, .n_nets = o.n_nets, .noise = o.noise, .archs = o.archs,
        .n_archs = o.n_archs, .depths = o.depths, .n_depths = o.n_depths,
        .seeds = (int)o.c.seeds, .seed0 = (unsigned long)o.c.seed, .max_lag = (int)o.max_lag,
        .progress = cli_progress_update, .progress_ctx = &prog};
    gf_shatter_result res;
    const int rc = gf_shatter_run(&spec, &res, why, sizeof why);
    cli_progress_end(&prog);
    int status = CLI_EXIT_OK;
    if (rc != 0) {
        status = cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
        json_decref(m);
        if (!existed)
            rmdir(o.c.out);
        return status;
    }
    char path[4200];
    int drawn = 0;
    snprintf(path, sizeof path, "%s/manifest.json", o.c.out);
    if (gf_shatter_write(&res, o.c.out, why, sizeof why) != 0) {
        status = cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
    } else {
        describe(m, &o, &res);
        if (gf_manifest_write(m, path, res.wall_seconds) != 0)
            status = cli_fail(CLI_EXIT_RUNTIME, CMD, "cannot write %s: %s", path,
                                 strerror(errno));
        else if (figures(&res, &o, &drawn) != 0)
            status = CLI_EXIT_RUNTIME;
        else if (!o.c.quiet)
            summary(&res, &o, drawn);
    }
    gf_shatter_release(&res);
    json_decref(m);
    return status;
}
