/* sweep_mpi.c: a sweep over MPI ranks (built only with MPI; see gf_sweep.h).
 *
 * Rank 0 hands out cells one at a time, in cell order, to whichever rank
 * asks, and gathers the rows: cells differ in cost by orders of magnitude,
 * so a static split would leave ranks idle. Rank 0's main thread only talks
 * MPI (MPI_THREAD_FUNNELED) and keeps the state file; a thread of its own
 * computes cells from the same queue, so N ranks on N cores keep N cores
 * busy. The main thread polls with MPI_Iprobe and sleeps 100 us between
 * polls, instead of spinning in a blocking receive beside the computing
 * thread.
 *
 * Messages: a worker sends [cell, seconds, fatal][row text] (cell -1: ready
 * for the first one), rank 0 answers with the next cell or -1 (stop). A
 * worker whose cell fails fatally sends fatal 1 and the reason as the text;
 * rank 0 then stops handing out cells and fails with it. */
#include "sweep/sweep_internal.h"

#include "io/gf_io.h"

#include <mpi.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { TAG_ROW = 1, TAG_CELL = 2 };

typedef struct msg_head {
    long cell;
    double seconds;
    int fatal;
} msg_head;

const char *gf_sweep_mpi_version(void)
{
    static char v[MPI_MAX_LIBRARY_VERSION_STRING];
    int len = 0;
    if (!*v && MPI_Get_library_version(v, &len) == MPI_SUCCESS) {
        char *comma = strchr(v, ','); /* "Open MPI v4.1.4, package: ..." */
        if (comma)
            *comma = 0;
    }
    return v;
}

/* Rank 0's shared queue: the next cell to hand out, the rows, the first error. */
typedef struct coord {
    sweep_run *s;
    pthread_mutex_t lock;
    long next;
    int failed;
    char why[512];
} coord;

/* The next missing cell, or -1 (none, or a failure stops the sweep). Locked. */
static long take(coord *c)
{
    pthread_mutex_lock(&c->lock);
    while (c->next < c->s->rows->n && c->s->done[c->next])
        c->next++;
    const long cell = c->failed || c->next >= c->s->rows->n ? -1 : c->next++;
    pthread_mutex_unlock(&c->lock);
    return cell;
}

static void give(coord *c, long cell, const char *row, double sec, int rank, int fatal)
{
    pthread_mutex_lock(&c->lock);
    if (fatal && !c->failed) {
        c->failed = 1;
        snprintf(c->why, sizeof c->why, "rank %d: %.400s", rank, row);
    } else if (!fatal && !c->failed &&
               sweep_record(c->s, cell, row, sec, rank, c->why, sizeof c->why) != 0) {
        c->failed = 1;
    }
    pthread_mutex_unlock(&c->lock);
}

/* Rank 0's computing thread. */
static void *local_worker(void *arg)
{
    coord *c = arg;
    char *row = malloc(ROW_MAX(c->s->x)), why[512];
    for (long cell; row && (cell = take(c)) >= 0;) {
        const double t = gf_now();
        const int fatal = c->s->x->run(c->s->x->ctx, cell, row, ROW_MAX(c->s->x), why,
                                       sizeof why) != 0;
        give(c, cell, fatal ? why : row, gf_now() - t, 0, fatal);
    }
    if (!row)
        give(c, -1, "out of memory", 0.0, 0, 1);
    free(row);
    return NULL;
}

/* Rank 0: answer every request until each worker was told to stop. */
static void coordinate(coord *c, int ranks)
{
    int active = ranks - 1, count;
    char *buf = NULL;
    int cap = 0;
    const struct timespec pause = {0, 100000};
    while (active > 0) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_ROW, MPI_COMM_WORLD, &flag, &st);
        if (!flag) {
            pthread_mutex_lock(&c->lock);
            sweep_progress(c->s, 0);
            pthread_mutex_unlock(&c->lock);
            nanosleep(&pause, NULL);
            continue;
        }
        MPI_Get_count(&st, MPI_BYTE, &count);
        if (count + 1 > cap) {
            cap = count + 1;
            buf = realloc(buf, (size_t)cap);
        }
        MPI_Recv(buf, count, MPI_BYTE, st.MPI_SOURCE, TAG_ROW, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        buf[count] = 0;
        msg_head h;
        memcpy(&h, buf, sizeof h);
        if (h.cell >= 0 || h.fatal)
            give(c, h.cell, buf + sizeof h, h.seconds, st.MPI_SOURCE, h.fatal);
        const long next = take(c);
        MPI_Send(&next, 1, MPI_LONG, st.MPI_SOURCE, TAG_CELL, MPI_COMM_WORLD);
        active -= next < 0;
    }
    free(buf);
}

/* A rank other than 0: ask, compute, send the row, until told to stop. */
static void work(const gf_sweep_exec *x)
{
    char *buf = malloc(sizeof(msg_head) + ROW_MAX(x)), why[512];
    msg_head h = {.cell = -1};
    size_t len = sizeof h;
    for (;;) {
        memcpy(buf, &h, sizeof h);
        MPI_Send(buf, (int)len, MPI_BYTE, 0, TAG_ROW, MPI_COMM_WORLD);
        long cell;
        MPI_Recv(&cell, 1, MPI_LONG, 0, TAG_CELL, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (cell < 0)
            break;
        const double t = gf_now();
        char *row = buf + sizeof h;
        h = (msg_head){.cell = cell};
        if (x->run(x->ctx, cell, row, ROW_MAX(x), why, sizeof why) != 0) {
            h.fatal = 1;
            snprintf(row, ROW_MAX(x), "%s", why);
        }
        h.seconds = gf_now() - t;
        len = sizeof h + strlen(row);
    }
    free(buf);
}

int sweep_mpi_run(sweep_run *s, char *why, size_t size)
{
    int provided, rank, ranks, inited;
    MPI_Initialized(&inited);
    if (!inited && MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        snprintf(why, size, "MPI_Init_thread failed");
        return -1;
    }
    s->t0 = gf_now(); /* the sweep's time starts once MPI is up */
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    s->rows->ranks = ranks;
    int rc = 0;
    if (rank != 0) {
        s->rows->worker = 1;
        work(s->x);
    } else {
        coord c = {.s = s, .lock = PTHREAD_MUTEX_INITIALIZER};
        if (sweep_open_state(s, c.why, sizeof c.why) != 0)
            c.failed = 1; /* the workers are told to stop at once */
        sweep_progress(s, 1);
        pthread_t th;
        const int threaded = !c.failed && pthread_create(&th, NULL, local_worker, &c) == 0;
        coordinate(&c, ranks);
        if (threaded)
            pthread_join(th, NULL);
        else if (!c.failed) /* no thread: rank 0 computes what is left itself */
            local_worker(&c);
        sweep_progress(s, 1);
        if (c.failed) {
            snprintf(why, size, "%s", c.why);
            rc = -1;
        }
    }
    if (!inited)
        MPI_Finalize();
    return rc;
}
