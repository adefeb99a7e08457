/* 02-degradation.h: what the parts of lesson 02 share (private to the lesson).
 *
 *   02-degradation.c       main, the intro, Step 1 (the experiment and its table),
 *                          the summary, what to try and what comes next;
 *   02-degradation-read.c  Steps 2-5: what the measured errors, curves and
 *                          gradient norms say, and both figures.
 */
#ifndef LESSON_02_DEGRADATION_H
#define LESSON_02_DEGRADATION_H

#include "lesson.h"

#include <stdarg.h>
#include <stdio.h>

/* The two architectures and the two depths of the experiment. */
enum { N_ARCHS = 2, PLAIN = 0, RESNET = 1, SHALLOW = 0, DEEP = 1 };
static const gf_arch ARCHS[N_ARCHS] = {GF_ARCH_PLAIN, GF_ARCH_RESNET};

/* A difference in training error below this many percentage points is read
 * as "about the same" (one seed cannot tell it from seed-to-seed noise). */
static const double DG_TOL = 1.0;

typedef struct setup {
    int depths[2];               /* shallow, deep (weight layers, 2B + 2) */
    size_t ntrain, ntest, width, batch;
    int epochs;
    long seed0;
    gf_dataset train, test;
    const char *data_name;       /* "Fashion-MNIST" or "synthetic" */
    int synthetic;
} setup;

/* What the steps read from the result: final errors in percent, per
 * architecture and depth (NaN when the net did not finish). */
typedef struct reading {
    double train[N_ARCHS][2], test[N_ARCHS][2];
    int done[N_ARCHS][2];        /* seeds that finished */
    double gap[N_ARCHS];         /* training error, deep minus shallow (points); NaN if unknown */
    /* log10 ||dL/dx_0|| / ||dL/dx_B|| at the first and the last probed step (seed0) */
    double g_first[N_ARCHS][2], g_last[N_ARCHS][2];
    long step_last[N_ARCHS][2];
} reading;

/* One sentence in the running language, into buf (to be joined into a
 * paragraph with lesson_say); both formats are checked against the arguments. */
static inline const char *dg_fmt(const lesson *ls, char *buf, size_t size, const char *en,
                                 const char *ko, ...) LESSON_FMT2(4, 5, 6);
static inline const char *dg_fmt(const lesson *ls, char *buf, size_t size, const char *en,
                                 const char *ko, ...)
{
    va_list ap;
    va_start(ap, ko);
    vsnprintf(buf, size, LESSON_T(ls, en, ko), ap);
    va_end(ap);
    return buf;
}

/* A log10 ratio as "10^+1.23"; "0" when the numerator is zero, "n/a" if unknown. */
const char *dg_ratio_text(char *buf, size_t size, double v);

/* The net (arch, depth) of seed0, or NULL. */
const gf_grid_net *dg_run(const gf_grid_result *res, int arch, int depth);

/* Steps 2-5; each returns 0, or the exit status after a message. */
void dg_read(const gf_grid_result *res, const setup *su, reading *rd);
int dg_step_errors(lesson *ls, const setup *su, const reading *rd);
int dg_step_curves(lesson *ls, const setup *su, const gf_grid_result *res,
                   const gf_degrade_figs *figs, const reading *rd);
int dg_step_residual(lesson *ls, const setup *su, const gf_grid_result *res,
                     const reading *rd);
int dg_step_gradients(lesson *ls, const setup *su, const gf_grid_result *res,
                      const gf_degrade_figs *figs, const reading *rd);

#endif
