/* 01-highway.h: what the parts of lesson 01 share (private to the lesson).
 *
 *   01-highway.c        main, the intro, Step 2 (plain vs residual), the summary;
 *   01-highway-sweep.c  the sweep over depths, its table and both figures;
 *   01-highway-steps.c  Step 1 (one block), Step 3 (zero branches), Step 4 (He init).
 */
#ifndef LESSON_01_HIGHWAY_H
#define LESSON_01_HIGHWAY_H

#include "lesson.h"

enum { N_ARCHS = 3, MAX_DEPTHS = 4, PLAIN = 0, RESNET = 1, PREACT = 2 };
static const gf_arch ARCHS[N_ARCHS] = {GF_ARCH_PLAIN, GF_ARCH_RESNET, GF_ARCH_PREACT};

typedef struct setup {
    int depths[MAX_DEPTHS], n_depths;
    size_t width, batch, block_width, block_batch;
    int seeds;
    gf_dataset data;
} setup;

/* One initialization scheme over all depths. */
typedef struct sweep {
    gf_init init;
    gf_gradnorm_result res[MAX_DEPTHS];
    /* the course's convention: log10 ||g_0|| / ||g_B||, mean over seeds;
     * negative when the gradient shrinks toward the input */
    double change[MAX_DEPTHS][N_ARCHS];
    double theory[MAX_DEPTHS];         /* the same, predicted for plain */
} sweep;

/* Steps 2 and 4: one initialization over all depths; its data go to DIR/<init>-depth<d>/. */
int hw_run_sweep(lesson *ls, const setup *su, gf_init init, sweep *sw);
void hw_sweep_release(sweep *sw, int n);
/* log10 ||g_0|| / ||g_B|| per depth and architecture, as a table. */
void hw_sweep_table(lesson *ls, const setup *su, const sweep *sw);
/* The per-block gradient norm at the deepest depth (the library's recipe). */
int hw_block_figure(lesson *ls, const setup *su, const sweep *sw, int terminal);
/* decades.tsv and the ratio ||dL/dx_0|| / ||dL/dx_B|| against depth (the lesson's recipe). */
int hw_depth_figure(lesson *ls, const setup *su, const sweep *sw, int n_sweeps);

/* The steps; each returns 0, or the exit status after a message. */
int hw_step_block(lesson *ls, const setup *su, int *bitwise);
int hw_step_zero(lesson *ls, const setup *su, int *bitwise);
/* Step 4's opening: He init's gain and the question. */
void hw_tell_he(lesson *ls, const setup *su);
int hw_step_he(lesson *ls, const setup *su, const sweep *torch, const sweep *he);

#endif
