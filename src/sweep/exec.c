/* exec.c: running a sweep's cells in order, or over MPI ranks
 * (sweep_mpi.c), with an append-only state file for --resume (see gf_sweep.h).
 *
 * The state file (a TSV): a header "cell\tseconds\trank\tgradflow sweep state 1
 * FINGERPRINT", then one line per finished cell "CELL\tSECONDS\tRANK\tROW" in
 * the order they finished, each appended with one write() before the cell
 * counts as done, so a killed process loses no finished row; fdatasync runs
 * when GF_SWEEP_SYNC_SECONDS have passed since the last one (and at the end),
 * so a power cut loses at most that much work, and at a thousand ranks rank 0
 * does not spend a disk flush on every row. Either way the file holds whole
 * lines and at most one partial last line, which a resume cuts off;
 * sweep.tsv is written (atomically) only at the end. */
#include "sweep/sweep_internal.h"

#include "blas/gf_blas.h"
#include "io/gf_io.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void gf_sweep_rows_release(gf_sweep_rows *rows)
{
    for (long i = 0; rows->row && i < rows->n; i++)
        free(rows->row[i]);
    free(rows->row);
    free(rows->seconds);
    free(rows->rank);
    memset(rows, 0, sizeof *rows);
}

int sweep_record(sweep_run *s, long cell, const char *row, double seconds, int rank, char *why,
                 size_t size)
{
    gf_sweep_rows *r = s->rows;
    if (cell < 0 || cell >= r->n || s->done[cell])
        return 0; /* a duplicate: the first row stays */
    if (!(r->row[cell] = strdup(row))) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    r->seconds[cell] = seconds;
    r->rank[cell] = rank;
    s->done[cell] = 1;
    s->n_done++;
    if (s->fd >= 0) {
        const size_t len = strlen(row) + 64;
        char *line = malloc(len);
        const int n = line ? snprintf(line, len, "%ld\t%.6f\t%d\t%s\n", cell, seconds, rank, row)
                           : -1;
        const double now = gf_now();
        int ok = n > 0 && write(s->fd, line, (size_t)n) == n;
        if (ok && now - s->last_sync >= GF_SWEEP_SYNC_SECONDS) {
            ok = fdatasync(s->fd) == 0;
            s->last_sync = now;
        }
        free(line);
        if (!ok) {
            snprintf(why, size, "cannot append to %s: %s", s->x->state, strerror(errno));
            return -1;
        }
    }
    if (s->x->stop_after > 0 && ++s->new_rows >= s->x->stop_after)
        raise(SIGKILL); /* tests: a kill right after a row was made durable */
    return 0;
}

void sweep_progress(sweep_run *s, int force)
{
    const double now = gf_now();
    if (!s->x->progress || (!force && now - s->last_progress < 0.25))
        return;
    s->last_progress = now;
    const long fresh = s->n_done - s->rows->resumed, total = s->rows->n;
    const double rate = now > s->t0 ? (double)fresh / (now - s->t0) : 0.0;
    s->x->progress(s->x->progress_ctx, s->n_done, total, rate,
                   rate > 0 ? (double)(total - s->n_done) / rate : NAN);
}

/* The tab-separated fields of row. */
static int fields_of(const char *row)
{
    int n = 1;
    for (; *row; row++)
        n += *row == '\t';
    return n;
}

/* The rows of a state file with this fingerprint: read them back, cut a
 * partial last line and everything after a damaged one off. An empty file,
 * or one whose header line is cut, is no state (the kill came before the
 * first row). 0, or -1 with a reason. */
static int read_state(sweep_run *s, const char *head, char *why, size_t size)
{
    FILE *f = fopen(s->x->state, "r");
    if (!f)
        return errno == ENOENT ? 0 : (snprintf(why, size, "cannot read %s: %s", s->x->state,
                                               strerror(errno)), -1);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long good = 0; /* bytes of whole lines */
    int rc = 0;
    if ((n = getline(&line, &cap, f)) <= 0 || line[n - 1] != '\n') {
        free(line);
        fclose(f);
        return 0; /* opened fresh (truncated) by sweep_open_state */
    }
    if (strcmp(line, head) != 0) {
        snprintf(why, size, "%s is the state of another sweep (its grid or settings differ); "
                 "run without --resume to start over", s->x->state);
        rc = -1;
    } else {
        good = n;
    }
    while (rc == 0 && (n = getline(&line, &cap, f)) > 0 && line[n - 1] == '\n') {
        line[n - 1] = 0;
        char *p = line, *e;
        const long cell = strtol(p, &e, 10);
        const double sec = *e == '\t' ? strtod(e + 1, &e) : NAN;
        const long rank = *e == '\t' ? strtol(e + 1, &e, 10) : -2;
        if (*e != '\t' || rank < -1 || cell < 0 || cell >= s->rows->n || !isfinite(sec) ||
            (s->x->fields > 0 && fields_of(e + 1) != s->x->fields))
            break; /* damaged: what follows is run again */
        if (!s->done[cell]) {
            if (sweep_record(s, cell, e + 1, sec, (int)rank, why, size) != 0)
                rc = -1;
            s->rows->resumed++;
        }
        good += n;
    }
    free(line);
    fclose(f);
    if (rc == 0 && truncate(s->x->state, good) != 0) {
        snprintf(why, size, "cannot repair %s: %s", s->x->state, strerror(errno));
        rc = -1;
    }
    return rc;
}

int sweep_open_state(sweep_run *s, char *why, size_t size)
{
    s->fd = -1;
    if (!s->x->state)
        return 0;
    char head[512];
    snprintf(head, sizeof head, "cell\tseconds\trank\tgradflow sweep state 1 %s\n",
             s->x->fingerprint ? s->x->fingerprint : "");
    if (s->x->resume && read_state(s, head, why, size) != 0) /* fd -1: not appended again */
        return -1;
    const int fresh = !s->x->resume || s->n_done == 0;
    s->fd = open(s->x->state, O_WRONLY | O_CREAT | O_APPEND | (fresh ? O_TRUNC : 0), 0644);
    if (s->fd < 0 || (fresh && (write(s->fd, head, strlen(head)) != (ssize_t)strlen(head) ||
                                fdatasync(s->fd) != 0))) {
        snprintf(why, size, "cannot write %s: %s", s->x->state, strerror(errno));
        return -1;
    }
    return 0;
}

/* Every missing cell in order, here. */
static int run_serial(sweep_run *s, char *why, size_t size)
{
    char *row = malloc(ROW_MAX(s->x));
    int rc = row ? 0 : -1;
    if (!row)
        snprintf(why, size, "out of memory");
    sweep_progress(s, 1);
    for (long c = 0; rc == 0 && c < s->rows->n; c++) {
        if (s->done[c])
            continue;
        const double t = gf_now();
        rc = s->x->run(s->x->ctx, c, row, ROW_MAX(s->x), why, size);
        if (rc == 0)
            rc = sweep_record(s, c, row, gf_now() - t, 0, why, size);
        sweep_progress(s, 0);
    }
    free(row);
    return rc;
}

/* Ranks a launcher (mpirun, srun) started: 0 without one, -1 when it does not say. */
static long launcher_ranks(void)
{
    static const char *const size[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", NULL};
    static const char *const rank[] = {"PMIX_RANK", "PMI_RANK", NULL};
    for (int i = 0; size[i]; i++)
        if (getenv(size[i]))
            return atol(getenv(size[i]));
    for (int i = 0; rank[i]; i++)
        if (getenv(rank[i]))
            return -1;
    return 0;
}

#ifdef GF_HAVE_MPI
int gf_sweep_mpi_launched(void) { return launcher_ranks() != 0; }
#else
int gf_sweep_mpi_launched(void) { return 0; }
const char *gf_sweep_mpi_version(void) { return "none"; }
#endif

int gf_sweep_exec_run(const gf_sweep_exec *x, gf_sweep_rows *rows, char *why, size_t size)
{
    memset(rows, 0, sizeof *rows);
    rows->n = x->cells;
    rows->ranks = 1;
    rows->row = calloc((size_t)x->cells, sizeof *rows->row);
    rows->seconds = calloc((size_t)x->cells, sizeof *rows->seconds);
    rows->rank = calloc((size_t)x->cells, sizeof *rows->rank);
    sweep_run s = {.x = x, .rows = rows, .done = calloc((size_t)x->cells, 1), .fd = -1,
                   .t0 = gf_now()};
    int rc = 0;
    if (!rows->row || !rows->seconds || !rows->rank || !s.done) {
        snprintf(why, size, "out of memory");
        rc = -1;
    }
    if (rc == 0 && x->blas_threads > 0)
        gf_blas_set_threads(x->blas_threads);
#ifdef GF_HAVE_MPI
    if (rc == 0 && x->mpi && gf_sweep_mpi_launched())
        rc = sweep_mpi_run(&s, why, size);
    else
#else
    if (rc == 0 && x->mpi && (launcher_ranks() > 1 || launcher_ranks() < 0)) {
        snprintf(why, size, "started by mpirun or srun, but gradflow was built without MPI: "
                 "every rank would run the whole sweep into one folder (rebuild with "
                 "libopenmpi-dev installed, meson -Dmpi=enabled)");
        rc = -1;
    } else
#endif
        if (rc == 0 && (rc = sweep_open_state(&s, why, size)) == 0)
            rc = run_serial(&s, why, size);
    if (s.fd >= 0 && (fdatasync(s.fd) != 0 || close(s.fd) != 0) && rc == 0) {
        snprintf(why, size, "cannot write %s: %s", x->state, strerror(errno));
        rc = -1;
    }
    free(s.done);
    rows->wall = gf_now() - s.t0;
    if (rc != 0 || rows->worker) {
        const int worker = rows->worker;
        gf_sweep_rows_release(rows);
        rows->worker = worker;
    }
    return rc;
}

typedef struct tsv_ctx {
    const char *header;
    const gf_sweep_rows *rows;
} tsv_ctx;

static int write_rows(FILE *f, const void *ctx)
{
    const tsv_ctx *t = ctx;
    fprintf(f, "%s\n", t->header);
    for (long i = 0; i < t->rows->n; i++)
        fprintf(f, "%s\n", t->rows->row[i] ? t->rows->row[i] : "");
    return ferror(f) ? -1 : 0;
}

int gf_sweep_write_tsv(const char *path, const char *header, const gf_sweep_rows *rows,
                       char *why, size_t size)
{
    const tsv_ctx t = {header, rows};
    return gf_write_file(path, write_rows, &t, why, size);
}

