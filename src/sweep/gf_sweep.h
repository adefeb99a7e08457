/* gf_sweep.h: sweeps, a measurement over a grid of settings, serial or
 * spread over MPI ranks, with the same bytes either way (`gradflow sweep`,
 * `gradflow hanin`).
 *
 * A grid is a list of keys with their values ("depth=10:100:10 sw2=0.5:4:0.25
 * seed=1:8"): the cells are every combination, the first key slowest, and a
 * cell's index in that order is its place in sweep.tsv. A cell's randomness
 * comes from its own seed (the key "seed"), never from the rank that ran it
 * or the order, so any number of ranks gives the same rows.
 *
 * Three layers:
 *   grid     parse, count, the settings of cell i (grid.c)
 *   cell     one measurement at one cell: the gradient at initialization or a
 *            short training run, as one TSV row (cell.c); a failure (diverged,
 *            out of memory, a bad combination) is a row with its reason
 *   exec     run cells 0..n-1 through a callback, in order or over MPI ranks
 *            (rank 0 hands out cells one at a time and gathers the rows; with
 *            several ranks it also computes on a thread of its own), keeping
 *            every finished row in an append-only state file (a line each,
 *            fdatasync'd every GF_SWEEP_SYNC_SECONDS) so a killed sweep
 *            resumes with only its missing cells
 *            (exec.c; sweep_mpi.c, built only with MPI)
 *
 * Worked example
 *   gf_sweep_grid g;
 *   gf_sweep_grid_parse(&g, "depth=10:30:10 seed=1:2", why, sizeof why);
 *   gf_sweep_spec s = gf_sweep_spec_default(&g);       // gradient at init
 *   gf_sweep_exec x = {.cells = g.cells, .run = gf_sweep_cell_fn_of, .ctx = &s};
 *   gf_sweep_rows rows;
 *   gf_sweep_exec_run(&x, &rows, why, sizeof why);      // rows.row[i]: cell i
 */
#ifndef GF_SWEEP_H
#define GF_SWEEP_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- grids (grid.c) ---------------------------------------------------------- */

typedef enum {
    GF_SWEEP_ARCH, GF_SWEEP_DEPTH, GF_SWEEP_WIDTH, GF_SWEEP_INIT, GF_SWEEP_SW2, GF_SWEEP_SB2,
    GF_SWEEP_ACT, GF_SWEEP_NORM, GF_SWEEP_LR, GF_SWEEP_STEPS, GF_SWEEP_SEED, GF_SWEEP_KEYS
} gf_sweep_key;

/* "arch", "depth", "width", "init", "sw2", "sb2", "act", "norm", "lr", "steps",
 * "seed", NULL */
extern const char *const gf_sweep_key_names[];

/* The most cells a grid may have (a usage error past it: a typo such as
 * seed=1:100000000 should not start a sweep of years). */
enum { GF_SWEEP_MAX_CELLS = 1000000 };

typedef struct gf_sweep_axis {
    gf_sweep_key key;
    int n;
    double *v;              /* n values; for a name key (arch, init, act, norm) the index */
} gf_sweep_axis;

typedef struct gf_sweep_grid {
    gf_sweep_axis axis[GF_SWEEP_KEYS];
    int n_axes;
    long cells;             /* the product of the axes' counts */
} gf_sweep_grid;

/* Parse "KEY=VALUES ..." (spaces or newlines between items; '#' starts a
 * comment to the end of the line). VALUES: a number, LO:HI:STEP (LO, LO +
 * STEP, ... up to HI within 1e-9 of STEP), LO:HI (step 1), or a comma list;
 * names (arch, init, act, norm) only as comma lists. Depth and width are
 * whole numbers, seed and steps whole numbers >= 1. g is zeroed first. 0, or
 * -1 with a one-line reason (empty, unknown or repeated key, a bad value or
 * range, a step of zero, more than GF_SWEEP_MAX_CELLS cells); g is released. */
int gf_sweep_grid_parse(gf_sweep_grid *g, const char *text, char *why, size_t size);
/* The same from a file of such lines. */
int gf_sweep_grid_parse_file(gf_sweep_grid *g, const char *path, char *why, size_t size);
void gf_sweep_grid_release(gf_sweep_grid *g);
/* The axis of key, or NULL. */
const gf_sweep_axis *gf_sweep_grid_axis(const gf_sweep_grid *g, gf_sweep_key key);
/* The grid as canonical text, one "key=v1,v2,..." per axis (%.17g). */
int gf_sweep_grid_text(const gf_sweep_grid *g, char *buf, size_t size);
/* Value j of axis a as it appears in sweep.tsv ("tanh", "0.75", "30"). */
void gf_sweep_value_text(const gf_sweep_axis *a, int j, char *buf, size_t size);

/* ---- one cell (cell.c) -------------------------------------------------------- */

typedef enum { GF_SWEEP_GRADNORM, GF_SWEEP_TRAIN, GF_SWEEP_NONE, GF_SWEEP_MEASURES }
    gf_sweep_measure;
extern const char *const gf_sweep_measure_names[]; /* "gradnorm", "train", "none", NULL */

/* The settings of one cell: the grid's values, the defaults elsewhere. */
typedef struct gf_sweep_point {
    int arch, depth, init, act, norm;   /* gf_arch, gf_init, gf_act, gf_norm */
    long width, steps, seed;
    double sw2, sb2;                    /* NaN: the init scheme's weights; else Gaussian
                                           W ~ N(0, sw2 / fan_in), b ~ N(0, sb2) in every
                                           Linear (the missing one: sw2 1, sb2 0) */
    double lr;
} gf_sweep_point;

typedef struct gf_sweep_spec {
    const gf_sweep_grid *grid;
    gf_sweep_measure measure;
    gf_sweep_point defaults;  /* for keys the grid does not name */
    long batch;               /* samples per batch (both measurements) */
    long samples;             /* gradnorm: the synthetic set's size */
    long in_dim, classes;     /* the synthetic set's features and classes */
    double threshold;         /* train: the loss whose reaching is counted in steps */
    double momentum;          /* train: SGD momentum */
    const char *cells_dir;    /* a folder per cell under it (cell-NNNNNN), or NULL */
} gf_sweep_spec;

/* gradnorm over the grid; defaults plain, depth 20, width 64, he, relu, no
 * norm, lr 0.01, 200 steps, seed 1; batch 64, 4096 samples, threshold 1.0,
 * momentum 0.9. */
gf_sweep_spec gf_sweep_spec_default(const gf_sweep_grid *g);
/* Cell i's settings. */
gf_sweep_point gf_sweep_point_of(const gf_sweep_spec *s, long cell);
/* The header line of sweep.tsv (no newline): the grid's keys, then the
 * measurement's columns (status first, reason last). */
int gf_sweep_columns(const gf_sweep_spec *s, char *buf, size_t size);
/* Measure cell i and write its row (no newline) into row. Measurement
 * failures are rows (status "diverged", "failed" or "invalid", the reason in
 * the last column); 0, or -1 with a reason only when the sweep cannot go on
 * (the cell's folder cannot be written). Thread-safe: shares nothing. */
int gf_sweep_cell(const gf_sweep_spec *s, long cell, char *row, size_t size, char *why,
                  size_t why_size);
/* gf_sweep_cell as an exec callback (ctx a const gf_sweep_spec *). */
int gf_sweep_cell_fn_of(void *ctx, long cell, char *row, size_t size, char *why,
                        size_t why_size);

/* ---- running the cells (exec.c) ---------------------------------------------- */

enum { GF_SWEEP_ROW_MAX = 4096 };
/* The state file's rows reach the disk (fdatasync) at least this often; a
 * killed process loses none (each is written before its cell counts). */
#define GF_SWEEP_SYNC_SECONDS 0.1

typedef int (*gf_sweep_cell_fn)(void *ctx, long cell, char *row, size_t size, char *why,
                                size_t why_size);

typedef struct gf_sweep_exec {
    long cells;
    gf_sweep_cell_fn run;
    void *ctx;
    const char *state;        /* the append-only state file, or NULL (no resume) */
    const char *fingerprint;  /* its first line: what the rows are of (one line) */
    int resume;               /* keep the rows of a state file with this fingerprint */
    int mpi;                  /* 1: under an MPI launcher, spread the cells over the ranks */
    int blas_threads;         /* BLAS threads per rank while the cells run; 0: leave alone */
    long stop_after;          /* tests: SIGKILL itself after this many new rows; 0: never */
    size_t row_max;           /* the longest row in bytes; 0: GF_SWEEP_ROW_MAX */
    int fields;               /* tab-separated fields of every row; 0: not checked (a
                                 state file's row with another count is damaged) */
    /* rank 0, after every row and at most 4 times a second otherwise */
    void (*progress)(void *ctx, long done, long total, double per_second, double left);
    void *progress_ctx;
} gf_sweep_exec;

typedef struct gf_sweep_rows {
    long n;
    char **row;               /* [n]: cell i's row (no newline) */
    double *seconds;          /* [n]: its wall time (as the state file says, for rows read back) */
    int *rank;                /* [n]: the rank that ran it */
    long resumed;             /* rows read from the state file */
    int ranks;                /* MPI ranks (1 serial) */
    int worker;               /* 1 on ranks other than 0: they hold no rows; do nothing more */
    double wall;              /* seconds */
} gf_sweep_rows;

/* Run every cell not yet in the state file. On rank 0 (and serially) rows
 * holds every cell's row; on other ranks rows.worker is 1 and nothing else.
 * 0, or -1 with a reason (a cell's fatal error, a state file of another
 * grid, a write that failed). */
int gf_sweep_exec_run(const gf_sweep_exec *x, gf_sweep_rows *rows, char *why, size_t size);
void gf_sweep_rows_release(gf_sweep_rows *rows);
/* 1 when this process was started by an MPI launcher (mpirun, srun: their
 * environment says so) and gradflow was built with MPI. Built without MPI,
 * a sweep started by a launcher with more than one rank fails (each rank
 * would run the whole sweep into the same folder). */
int gf_sweep_mpi_launched(void);
/* "Open MPI v4.1.4" or "none" (built without MPI). */
const char *gf_sweep_mpi_version(void);

/* Write header + rows in cell order to path atomically. 0, or -1 with a reason. */
int gf_sweep_write_tsv(const char *path, const char *header, const gf_sweep_rows *rows,
                       char *why, size_t size);

#ifdef __cplusplus
}
#endif
#endif
