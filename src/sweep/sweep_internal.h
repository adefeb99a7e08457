/* sweep_internal.h: what exec.c shares with sweep_mpi.c (not installed). */
#ifndef GF_SWEEP_INTERNAL_H
#define GF_SWEEP_INTERNAL_H

#include "sweep/gf_sweep.h"

/* The row buffer's size for exec x. */
#define ROW_MAX(x) ((x)->row_max ? (x)->row_max : (size_t)GF_SWEEP_ROW_MAX)

/* The run's state: the rows so far and the append-only state file. */
typedef struct sweep_run {
    const gf_sweep_exec *x;
    gf_sweep_rows *rows;
    unsigned char *done;      /* [cells]: 1 once the row is held */
    long n_done, new_rows;
    int fd;                   /* the state file, or -1 */
    double t0;
    double last_progress;
    double last_sync;         /* gf_now() of the state file's last fdatasync */
} sweep_run;

/* Keep cell's row (a copy) and append it to the state file, fsync'd. 0, or
 * -1 with a reason. Not thread-safe: the caller serializes. */
int sweep_record(sweep_run *s, long cell, const char *row, double seconds, int rank, char *why,
                 size_t size);
/* Open the state file (rank 0): with --resume read its rows back and cut a
 * partial last line off, else start it afresh. 0, or -1 with a reason. */
int sweep_open_state(sweep_run *s, char *why, size_t size);
/* Rank 0's progress line (at most 4 times a second unless force). */
void sweep_progress(sweep_run *s, int force);

#ifdef GF_HAVE_MPI
/* Run the missing cells over the MPI ranks (MPI_Init here, MPI_Finalize at
 * the end); rows.worker is set on ranks other than 0. 0, or -1 with a reason. */
int sweep_mpi_run(sweep_run *s, char *why, size_t size);
#endif

#endif
