/* trainer_internal.h: the trainer's state, shared by trainer.c, checkpoint.c
 * and nonfinite.c (not installed). */
#ifndef GF_TRAINER_INTERNAL_H
#define GF_TRAINER_INTERNAL_H

#include "train/gf_train.h"

struct gf_trainer {
    gf_model *net;
    const gf_dataset *train, *test;
    gf_train_config cfg;
    gf_optim opt;
    gf_tape *tape;
    gf_recorder rec;
    gsl_rng *rng;
    size_t *order;           /* the epoch's batch order: indices into train */
    int *labels;             /* the step's labels (read by backward) */
    double *saved_buffers;   /* running statistics before the step, laid out as params */
    unsigned char *drop;     /* stochastic depth: the blocks dropped in this step */
    gf_block_plan train_plan, eval_plan;
    long steps_per_epoch;
    long step;               /* optimizer steps taken */
    int epoch;               /* epochs done */
    double lr;               /* rate of the last step */
    gf_epoch_stats *history; /* [epochs] */
    gf_train_probe *probes;  /* reserved for every probed step: no allocation in training */
    size_t n_probes, cap_probes;
    gf_train_param_norm *pnorms;
    size_t n_pnorms, cap_pnorms;
    gf_step_fn on_step;
    void *step_ctx;
};

/* A one-line account of a non-finite step: the step, and where the values
 * (forward, after_backward 0) or the gradients (after_backward 1) first
 * stopped being finite, read off the tape of that step. */
void gf_trainer_explain_nonfinite(const gf_trainer *t, int after_backward, double loss,
                                  char *why, size_t size);

#endif
