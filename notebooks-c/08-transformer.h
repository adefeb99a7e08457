/* 08-transformer.h: what the parts of lesson 08 share (08-transformer.c
 * calls the parts; the parts never call it). */
#ifndef LESSON_08_TRANSFORMER_H
#define LESSON_08_TRANSFORMER_H

#include "lesson.h"

/* Mean over the seeds of x[k * stride], NaN left out. */
double xf_seed_mean(const double *x, int seeds, size_t stride);
/* The fitted slope of log ||grad|| against log L of kind i, mean over seeds. */
double xf_slope_mean(const gf_xfmr_result *r, int i);
/* Mean training loss of the last tenth of the steps: kind i, warm-up w (1 with). */
double xf_tail_loss(const gf_xfmr_result *r, int i, int w);
/* Steps 2-4 (08-transformer-steps.c); 0 or the status after a message. */
int xf_step_gradients(lesson *ls, const gf_xfmr_result *r);
int xf_step_training(lesson *ls, const gf_xfmr_result *r);
int xf_step_stream(lesson *ls, const gf_xfmr_result *r);

#endif
