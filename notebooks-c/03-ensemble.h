/* 03-ensemble.h: what the parts of lesson 03 share (private to the lesson).
 *
 *   03-ensemble.c         main, the intro, Step 1 (paths), the summary, the exercises;
 *   03-ensemble-paths.c   Step 2 (the gradient by path length at initialization) and
 *                         Step 4 (the same after training, side by side, and the figures);
 *   03-ensemble-lesion.c  Step 3 (train a plain and a residual net, delete blocks; the
 *                         trained residual net is measured for Step 4 before its
 *                         checkpoint is removed).
 */
#ifndef LESSON_03_ENSEMBLE_H
#define LESSON_03_ENSEMBLE_H

#include "lesson.h"

enum { N_NETS = 2, PLAIN = 0, RESNET = 1, INIT = 0, TRAINED = 1 };

typedef struct setup {
    int depth, blocks, epochs, samples, images, draws;
    size_t ntrain, ntest, width;
    long seed;
    gf_dataset train, test;
    const char *data_name;
} setup;

/* What the steps measured, for the summary. */
typedef struct en_facts {
    gf_pathgrad_reading rd[2];          /* at initialization, after training */
    double mean[N_NETS], worst[N_NETS]; /* one block deleted: mean and worst rise (points) */
    double half[N_NETS];                /* error with kh random blocks deleted (fraction) */
    double base[N_NETS];                /* error of the whole net (fraction) */
    double chance, train_s;             /* the error of guessing (%), training seconds */
    int at[N_NETS], kh;                 /* the worst block; half the blocks */
} en_facts;

/* Step 2: the exact split at initialization into c; 0, or the exit status. */
int en_step_pathgrad(lesson *ls, const setup *su, const gf_stack_config *cfg,
                     gf_pathgrad_curve *c, en_facts *f);
/* The same split of a trained net into c (Step 3 calls it before the
 * checkpoint goes); 0, or the exit status after a message. */
int en_measure_trained(lesson *ls, const setup *su, gf_model *net, gf_pathgrad_curve *c);
/* Step 4: init and trained side by side, the figures; 0, or the exit status. */
int en_step_trained(lesson *ls, const setup *su, const gf_pathgrad_curve c[2], en_facts *f);
/* Step 3; curves[TRAINED] is filled from the trained residual net. */
int en_step_lesions(lesson *ls, const setup *su, const gf_stack_config *base,
                    gf_lesion_result *res, gf_pathgrad_curve *curves, en_facts *f);

#endif
