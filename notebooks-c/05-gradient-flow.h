/* 05-gradient-flow.h: what the parts of lesson 05 share (private to the lesson).
 *
 *   05-gradient-flow.c           main, the intro, the summary, the exercises;
 *   05-gradient-flow-jacobian.c  Step 1: block and end-to-end Jacobians, their
 *                                singular values and the spectra figure;
 *   05-gradient-flow-theory.c    Step 2 (mean-field chi_1 against measured
 *                                gradient norms) and Step 3 (pre- against
 *                                post-activation, fixup / rezero / scaled).
 */
#ifndef LESSON_05_GRADIENT_FLOW_H
#define LESSON_05_GRADIENT_FLOW_H

#include "lesson.h"

enum { N_ARCHS = 3, PLAIN = 0, RESNET = 1, PREACT = 2, N_SCHEMES = 4 };
static const gf_arch ARCHS[N_ARCHS] = {GF_ARCH_PLAIN, GF_ARCH_RESNET, GF_ARCH_PREACT};

typedef struct setup {
    int depth, seeds;
    size_t width, jwidth, batch;
    gf_dataset data;
} setup;

/* Step 1's singular values of one arch (one sample, seed 1, PyTorch's init). */
typedef struct jac_stats {
    double blk_lo, blk_hi;   /* mean over blocks of the smallest / largest singular value */
    double blk_rms;          /* mean over blocks of the rms singular value (||J||_F / sqrt(d)) */
    double e_max, e_min;     /* end-to-end dx_B/dx_0 */
    int rank;                /* singular values above 1e-10 sigma_max */
    size_t d;
    int blocks;
    double *sv_block, *sv_end; /* the spectra drawn: the middle block's and end to end */
} jac_stats;

/* What the steps measured, for the summary; changes are log10 ||g_0|| / ||g_B||. */
typedef struct gf_facts {
    jac_stats st[N_ARCHS];
    double chi[2];                   /* torch, he */
    double measured[2][2], predicted[2][2]; /* [init][plain, preact] */
    double scheme[N_SCHEMES][2];     /* [torch fixup rezero scaled][resnet, preact] */
} gf_facts;

/* Step 1; its spectra are freed by gfl_release. 0, or the exit status. */
int gfl_step_jacobian(lesson *ls, const setup *su, gf_facts *f);
/* Steps 2 and 3; 0, or the exit status after a message. */
int gfl_step_theory(lesson *ls, const setup *su, gf_facts *f);
int gfl_step_schemes(lesson *ls, const setup *su, gf_facts *f);
void gfl_release(gf_facts *f);

#endif
