/* cmd_sweep.c: gradflow sweep, a measurement over a grid of settings, serial
 * or over MPI ranks (src/sweep), with --resume after a kill. */
#include "commands.h"
#include "run.h"
#include "sweep_report.h"

#include "gradflow.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char CMD[] = "sweep";

typedef struct options {
    cli_common c; /* first: the shared options */
    const char *grid, *grid_file;
    int measure;
    long batch, samples, threads, stop_after;
    double threshold, momentum;
    int cells, resume;
} options;

static const cli_option table[] = {
    {CLI_STRING, "grid", 'g', "SPEC", "the grid: KEY=VALUES ..., keys arch depth width init\n"
     "sw2 sb2 act norm lr steps seed; VALUES a number,\n"
     "LO:HI:STEP, LO:HI or a comma list (names: a list)",
     CLI_AT(options, grid)},
    {CLI_STRING, "grid-file", 0, "FILE", "the grid from a file (KEY=VALUES a line, # comments)",
     CLI_AT(options, grid_file), .set = cli_set_path},
    {CLI_CHOICE, "measure", 'm', "NAME", "gradnorm: the gradient at initialization; train:\n"
     "a short training run; none: nothing (the engine's\n"
     "own cost, for bench/)                      [gradnorm]",
     CLI_AT(options, measure), .names = gf_sweep_measure_names},
    {CLI_INT, "batch", 'b', "N", "samples per batch                          [64]",
     CLI_AT(options, batch), .min = 2, .max = 1 << 16},
    {CLI_INT, "samples", 0, "N", "gradnorm: size of the synthetic set        [4096]",
     CLI_AT(options, samples), .min = 2, .max = 1 << 24},
    {CLI_REAL, "threshold", 0, "LOSS", "train: count the steps until the mean of the last\n"
     "10 mini-batch losses is at most LOSS       [1.0]",
     CLI_AT(options, threshold), .min = 0, .max = 1e6},
    {CLI_REAL, "momentum", 0, "MU", "train: SGD momentum (no weight decay)       [0.9]",
     CLI_AT(options, momentum), .min = 0, .max = 0.999},
    {CLI_FLAG, "cells", 0, NULL, "also a folder per cell: cells/cell-NNNNNN/ with the\n"
     "gradient per block or the loss per step", CLI_AT(options, cells)},
    {CLI_FLAG, "resume", 0, NULL, "keep the rows of an interrupted sweep into --out\n"
     "(same grid and settings) and run only the missing cells", CLI_AT(options, resume)},
    {CLI_INT, "threads", 0, "N", "BLAS threads per rank                      [1]",
     CLI_AT(options, threads), .min = 1, .max = 1024},
    /* tests only (not in --help): SIGKILL itself once N rows are in state.tsv */
    {CLI_INT, "stop-after", 0, "N", NULL, CLI_AT(options, stop_after), .min = 1,
     .max = GF_SWEEP_MAX_CELLS},
    CLI_OUT(options, "run folder                                 [runs/sweep]"),
    CLI_TERM(options, "also draw in the terminal: dumb             [none]"),
    CLI_TABLE_END(options, "write the data and .gp script, draw nothing"),
};

static void init(void *opts)
{
    *(options *)opts = (options){.c = {.out = "runs/sweep", .seed = 1, .seeds = 1},
                                 .batch = 64, .samples = 4096, .threshold = 1.0,
                                 .momentum = 0.9, .threads = 1};
}

static int parse_grid(const options *o, gf_sweep_grid *g, char *why, size_t size)
{
    if (o->grid_file)
        return gf_sweep_grid_parse_file(g, o->grid_file, why, size);
    return gf_sweep_grid_parse(g, o->grid ? o->grid : "", why, size);
}

static int check(void *opts)
{
    const options *o = opts;
    char why[512];
    if (!o->grid == !o->grid_file)
        return cli_fail(CLI_EXIT_USAGE, CMD, "give the grid with --grid or --grid-file (one)");
    gf_sweep_grid g;
    if (parse_grid(o, &g, why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_USAGE, CMD, "%s %s", o->grid_file ? "--grid-file:" : "--grid:",
                        why);
    const int gauss = gf_sweep_grid_axis(&g, GF_SWEEP_SW2) || gf_sweep_grid_axis(&g, GF_SWEEP_SB2);
    const int has_init = gf_sweep_grid_axis(&g, GF_SWEEP_INIT) != NULL;
    gf_sweep_grid_release(&g);
    if (gauss && has_init)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--grid: init and sw2/sb2 both set the weights: "
                        "give one");
    if (o->measure == GF_SWEEP_GRADNORM && o->batch > o->samples)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--batch %ld is larger than --samples %ld",
                        o->batch, o->samples);
    return 0;
}

/* The line on a terminal: cells done, per second, time left. */
static void progress(void *ctx, long done, long total, double per_second, double left)
{
    const cli_progress *p = ctx;
    if (!p->enabled)
        return;
    fprintf(stderr, "\rsweep: %ld/%ld cells  %.2f cells/s  ", done, total, per_second);
    if (isfinite(left))
        fprintf(stderr, "~%.0fs left   ", left);
    fflush(stderr);
}

/* What the rows are of: the grid and every setting that changes a row
 * (FNV-1a over their text), so --resume refuses another sweep's rows. */
static void fingerprint(const options *o, const gf_sweep_grid *g, char *out, size_t size)
{
    const size_t cap = 1 << 20;
    char *text = malloc(cap);
    unsigned long long h = 1469598103934665603ULL;
    if (text && gf_sweep_grid_text(g, text, cap) == 0) {
        size_t at = strlen(text);
        snprintf(text + at, cap - at, " measure=%s batch=%ld samples=%ld threshold=%.17g "
                 "momentum=%.17g cells=%d", gf_sweep_measure_names[o->measure], o->batch,
                 o->samples, o->threshold, o->momentum, o->cells);
        for (const char *c = text; *c; c++)
            h = (h ^ (unsigned char)*c) * 1099511628211ULL;
    }
    free(text);
    snprintf(out, size, "gradflow-%s %016llx", GF_VERSION, h);
}

static void describe(json_t *m, const options *o, const gf_sweep_spec *s, const gf_sweep_rows *rw,
                     const sweep_report *rep)
{
    char *text = malloc(1 << 20);
    if (text && gf_sweep_grid_text(s->grid, text, 1 << 20) != 0)
        *text = 0;
    json_object_set_new(m, "settings", json_pack(
        "{s:s, s:s, s:I, s:I, s:f, s:f, s:I, s:I, s:s, s:s}", "grid", text ? text : "",
        "measure", gf_sweep_measure_names[o->measure], "batch", (json_int_t)o->batch,
        "samples", (json_int_t)o->samples, "threshold", o->threshold, "momentum", o->momentum,
        "input_dim", (json_int_t)s->in_dim, "classes", (json_int_t)s->classes, "data",
        GF_SYNTH_TEXT, "defaults", "arch plain, depth 20, width 64, init he, act relu, norm "
        "none, lr 0.01, steps 200, seed 1; with sw2 or sb2: W ~ N(0, sw2/fan_in), b ~ N(0, sb2) "
        "in every Linear (sw2 1, sb2 0 when only the other is given)"));
    free(text);
    json_object_set_new(m, "seed_use", json_string(
        "each cell's seed (the key seed) initializes its weights, then draws its batch "
        "(gradnorm) or orders its batches (train); never the rank or the order"));
    json_object_set_new(m, "execution", json_pack(
        "{s:I, s:I, s:i, s:s, s:I, s:f}", "cells", (json_int_t)rw->n, "resumed_rows",
        (json_int_t)rw->resumed, "ranks", rw->ranks, "mpi", gf_sweep_mpi_version(),
        "blas_threads_per_rank", (json_int_t)o->threads, "seconds", rw->wall));
    json_object_set_new(m, "analysis", sweep_describe(rep));
}

typedef struct timing_ctx { const gf_sweep_rows *rows; } timing_ctx;

static void timing_rows(FILE *f, const void *ctx)
{
    const gf_sweep_rows *rw = ((const timing_ctx *)ctx)->rows;
    for (long i = 0; i < rw->n; i++) {
        fprintf(f, "%ld", i);
        gf_tsv_put(f, rw->seconds[i]);
        fprintf(f, "\t%d\n", rw->rank[i]);
    }
}

/* sweep.tsv (sorted by the grid, the same bytes for any ranks), timing.tsv. */
static int save(const cli_run *r, const gf_sweep_spec *s, const gf_sweep_rows *rw)
{
    char head[2048], path[GF_PATH_MAX], why[512];
    const timing_ctx tc = {rw};
    const gf_named_file timing = {"timing.tsv", "cell\tseconds\trank", timing_rows};
    if (gf_sweep_columns(s, head, sizeof head) != 0 ||
        gf_path_join(path, sizeof path, r->dir, "sweep.tsv") != 0 ||
        gf_sweep_write_tsv(path, head, rw, why, sizeof why) != 0 ||
        gf_write_all_in(r->dir, &timing, 1, &tc, why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
    return 0;
}

static int run(cli_run *r, void *opts)
{
    const options *o = opts;
    char why[512], fp[64], state[GF_PATH_MAX], cells[GF_PATH_MAX];
    gf_sweep_grid g;
    if (parse_grid(o, &g, why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
    gf_sweep_spec s = gf_sweep_spec_default(&g);
    s.measure = (gf_sweep_measure)o->measure;
    s.batch = o->batch;
    s.samples = o->samples;
    s.threshold = o->threshold;
    s.momentum = o->momentum;
    gf_path_join(state, sizeof state, r->dir, "state.tsv");
    gf_path_join(cells, sizeof cells, r->dir, "cells");
    s.cells_dir = o->cells ? cells : NULL;
    fingerprint(o, &g, fp, sizeof fp);
    char columns[4096];
    int fields = 0; /* a row has the header's fields */
    if (gf_sweep_columns(&s, columns, sizeof columns) == 0)
        for (const char *p = columns; *p; p++)
            fields += *p == '\t';
    cli_progress bar;
    cli_progress_begin(&bar, "sweep");
    const gf_sweep_exec x = {.cells = g.cells, .run = gf_sweep_cell_fn_of, .ctx = &s,
                             .state = state, .fingerprint = fp, .resume = o->resume, .mpi = 1,
                             .blas_threads = (int)o->threads, .stop_after = o->stop_after,
                             .fields = fields ? fields + 1 : 0,
                             .progress = progress, .progress_ctx = &bar};
    gf_sweep_rows rw;
    cli_mute(0); /* from here each rank's errors are its own */
    int status = gf_sweep_exec_run(&x, &rw, why, sizeof why) == 0 ? 0 : CLI_EXIT_RUNTIME;
    cli_progress_end(&bar);
    if (status != 0)
        cli_fail(status, CMD, "%s", why);
    if (status == 0 && !rw.worker) {
        sweep_report rep = {.spec = &s, .rows = &rw};
        status = save(r, &s, &rw);
        if (status == 0 && sweep_analyse(&rep, r->dir, why, sizeof why) != 0)
            status = cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
        if (status == 0) {
            describe(r->manifest, o, &s, &rw, &rep);
            status = cli_run_manifest(r);
        }
        if (status == 0)
            status = sweep_figures(r, &rep);
        if (status == 0 && !o->c.quiet)
            sweep_summary(r, &rep);
    }
    gf_sweep_rows_release(&rw);
    gf_sweep_grid_release(&g);
    return status;
}

const cli_command cli_sweep = {
    .name = CMD,
    .summary = "a measurement over a grid of settings, serial or on MPI ranks",
    .about =
        "Runs a measurement in every cell of a grid of settings: the gradient at\n"
        "initialization (gradnorm's numbers: loss, log10 ||dL/dx_0||, log10 ||dL/dx_B||, their\n"
        "difference in decades and per weight layer) or a short training run (SGD at the\n"
        "cell's lr for `steps` steps of --batch samples, one pass over batch x steps synthetic\n"
        "samples: first and final training loss, final training error and accuracy, steps to\n"
        "--threshold; diverged when the loss or a gradient stops being finite or the final\n"
        "loss is over 10 times the first). Every cell is one net from its own seed (the\n"
        "key seed), so a sweep under `mpirun -n N gradflow sweep ...` or `srun gradflow\n"
        "sweep ...` writes the same sweep.tsv as a serial one: rank 0 hands out cells one\n"
        "at a time and gathers the rows.\n"
        "A cell that fails (diverges, overflows, runs out of memory, a bad combination such\n"
        "as an odd depth) is a row with its status and reason; the others go on. Every row\n"
        "is appended to state.tsv as it comes (flushed to disk within 0.1 s): after a kill,\n"
        "--resume runs only the missing cells and writes the same bytes.\n\n"
        "Keys: arch, depth (2B + 2), width, init, act, norm (names: comma lists); sw2, sb2\n"
        "(W ~ N(0, sw2/fan_in), b ~ N(0, sb2) in every Linear, instead of init); lr, steps\n"
        "(train); seed. A key not in the grid takes its default: plain, depth 20, width 64,\n"
        "he, relu, no norm, lr 0.01, 200 steps, seed 1. A grid has at most 1000000 cells.\n"
        "Figures, when the grid has their axes (the other keys fixed, seeds averaged):\n"
        "gradnorm over sw2 x sb2: the measured phase diagram (decades x_B -> x_0) with the\n"
        "mean-field critical line; train over sw2 x depth: the accuracy with 6 xi_c.\n"
        "Writes into the run folder: sweep.tsv (a row per cell, in grid order: the first\n"
        "key slowest), timing.tsv, state.tsv, manifest.json, the figure's tables and\n"
        "sweep_phase.png or sweep_train.png (.svg/.gp), cells/ with --cells.\n\n",
    .epilog =
        "Example: gradflow sweep --grid 'act=tanh depth=30 sw2=0.5:4:0.25 sb2=0:0.5:0.05\n"
        "         seed=1:4'\n"
        "MPI: gradflow built with Open MPI (meson -Dmpi=auto) uses every rank when started\n"
        "by mpirun or srun; one BLAS thread per rank unless --threads says otherwise.\n"
        "A progress line (cells done, per second, time left) is shown on a terminal.\n"
        "Exit status: 0 success (also when cells failed: see their rows), 1 runtime\n"
        "failure, 2 usage error.\n",
    .table = table, .size = sizeof(options), .init = init, .check = check, .run = run,
    .mpi = 1,
};
