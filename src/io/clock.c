/* clock.c: the library's one clock: monotonic wall time and processor time. */
#define _POSIX_C_SOURCE 200809L
#include "io/gf_io.h"

#include <time.h>

static double clock_seconds(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

double gf_now(void) { return clock_seconds(CLOCK_MONOTONIC); }

double gf_cpu_now(void) { return clock_seconds(CLOCK_PROCESS_CPUTIME_ID); }
