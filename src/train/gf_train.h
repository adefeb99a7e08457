/* gf_train.h: optimizers, learning-rate schedules, the training loop and
 * its checkpoints, and stochastic depth's survival rules (survival.c). The
 * trainer reaches its network through the model interface (gf_model), so
 * it trains a model of any family.
 *
 * Optimizers follow PyTorch's definitions step for step, so a run can be
 * checked against torch.optim (weight decay is added to the gradient, as
 * torch.optim.SGD and Adam do; AdamW decays the weights instead):
 *   sgd    g += wd p;  m = mu m + g (m = g on the first step);
 *          p -= lr (nesterov ? g + mu m : m)
 *   adam   g += wd p;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
 *          p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 *   adamw  p -= lr wd p, then adam without the decay term.
 * Only trainable slots (GF_SLOT_PARAM) that the last backward pass reached
 * are updated; a slot without a gradient in that pass is left alone, state
 * included (PyTorch skips a parameter whose .grad is None).
 *
 * Worked example
 *   gf_optim opt;
 *   gf_optim_config oc = gf_optim_config_default(GF_OPTIM_SGD);   // momentum 0.9
 *   gf_optim_init(&opt, &oc, gf_model_params(net));
 *   ... gf_tape_backward(tape, loss);
 *   gf_optim_step(&opt, gf_model_params(net), gf_schedule_lr(&sched, step), gf_tape_pass(tape));
 */
#ifndef GF_TRAIN_H
#define GF_TRAIN_H

#include "data/gf_data.h"
#include "model/gf_model.h"
#include "nn/gf_nn.h"
#include "probe/gf_probe.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- optimizers -------------------------------------------------------- */

typedef enum { GF_OPTIM_SGD, GF_OPTIM_ADAM, GF_OPTIM_ADAMW, GF_OPTIM_COUNT } gf_optim_kind;
extern const char *const gf_optim_names[]; /* "sgd", "adam", "adamw", NULL */

typedef struct gf_optim_config {
    gf_optim_kind kind;
    double weight_decay;
    double momentum;  /* sgd */
    int nesterov;     /* sgd */
    double beta1, beta2, eps; /* adam, adamw */
} gf_optim_config;

/* sgd: momentum 0.9, weight decay 1e-4 (He et al. 2016); adam: betas 0.9,
 * 0.999, eps 1e-8, no decay; adamw: the same with decay 1e-2 (PyTorch's). */
gf_optim_config gf_optim_config_default(gf_optim_kind kind);

typedef struct gf_optim {
    gf_optim_config cfg;
    double *m, *v;      /* first and second moments, laid out as the parameter buffer */
    size_t size;
    long steps;         /* gf_optim_step calls so far */
    unsigned char *started; /* per slot: 1 once its state holds a value */
    long *slot_steps;   /* per slot: updates it took, t of Adam's bias correction (as
                         * PyTorch's state["step"]: a skipped slot does not count) */
    size_t n_slots;
} gf_optim;

/* 0, or -1 (out of memory, or a config out of range). */
int gf_optim_init(gf_optim *o, const gf_optim_config *c, const gf_params *p);
void gf_optim_release(gf_optim *o);

/* One update with learning rate lr, reading the gradients of backward pass
 * `pass` (gf_tape_pass). */
void gf_optim_step(gf_optim *o, gf_params *p, double lr, uint64_t pass);

/* The L2 norm of all gradients of pass `pass`, over trainable slots (NaN or
 * inf when one is not finite). */
double gf_grad_global_norm(const gf_params *p, uint64_t pass);

/* torch.nn.utils.clip_grad_norm_: when the global norm exceeds max_norm,
 * scale every gradient by max_norm / (norm + 1e-6). Returns the norm before
 * clipping. */
double gf_grad_clip(gf_params *p, double max_norm, uint64_t pass);

/* ---- schedules --------------------------------------------------------- */

typedef enum { GF_SCHED_CONSTANT, GF_SCHED_STEP, GF_SCHED_COSINE, GF_SCHED_COUNT } gf_sched_kind;
extern const char *const gf_sched_names[]; /* "constant", "step", "cosine", NULL */

enum { GF_SCHED_MAX_MILESTONES = 8 };

typedef struct gf_schedule {
    gf_sched_kind kind;
    double lr;                   /* the base rate */
    long total_steps;            /* length of training */
    long warmup_steps;           /* linear warm-up: lr (s + 1) / warmup for s < warmup */
    double gamma;                /* step: factor at each milestone (0.1) */
    double milestones[GF_SCHED_MAX_MILESTONES]; /* step: fractions of total_steps, increasing */
    int n_milestones;
    double min_lr;               /* cosine: the rate it ends at (0) */
} gf_schedule;

/* The rate at step s (0-based):
 *   constant  lr
 *   step      lr gamma^k, k = number of milestones m with s >= round(m total)
 *   cosine    min + (lr - min) (1 + cos(pi (s - w) / (total - w))) / 2 after warm-up w
 * and, during warm-up (s < w), the scheduled rate times (s + 1) / w. */
double gf_schedule_lr(const gf_schedule *s, long step);

/* 0 if the schedule is consistent; else -1 and a one-line reason. */
int gf_schedule_check(const gf_schedule *s, char *why, size_t size);

/* ---- training ---------------------------------------------------------- */

typedef struct gf_train_config {
    size_t batch;             /* 128; the last incomplete batch of an epoch is dropped */
    int epochs;
    gf_optim_config optim;
    gf_schedule sched;        /* total_steps is set by the trainer */
    double clip;              /* max global gradient norm; 0: no clipping */
    unsigned long seed;       /* the batch order of epoch e comes from (seed, e) */
    long probe_every;         /* record probes at steps 0, N, 2N, ... and the last; 0: never */
    size_t eval_batch;        /* batch for evaluation (memory only; results do not depend on it) */
    const double *survival;   /* stochastic depth (Huang et al. 2016): block l runs in a
                                 training step with probability survival[l] (drawn per step
                                 from the epoch's generator) and its branch is scaled by
                                 survival[l] in evaluation; NULL: every block always runs.
                                 The caller's array must outlive the trainer. */
} gf_train_config;

/* Survival probabilities of B blocks: linear decay p_l = 1 - (l + 1)/B (1 - p_last)
 * (Huang et al.: the last block has p_last), or uniform p_l = p_last. */
void gf_survival_linear(double *p, int blocks, double p_last);
void gf_survival_uniform(double *p, int blocks, double p_last);

/* Stochastic depth (Huang et al. 2016) as a rule over a net's B blocks:
 * none, linear decay p_l = 1 - (l/B)(1 - p_last) (gf_survival_linear) or
 * uniform p_l = p_last (gf_survival_uniform). */
typedef enum { GF_SURVIVAL_NONE, GF_SURVIVAL_LINEAR, GF_SURVIVAL_UNIFORM,
               GF_SURVIVAL_COUNT } gf_survival_kind;
extern const char *const gf_survival_names[]; /* "none", "linear", "uniform", NULL */

/* The survival probabilities p[0..blocks-1] of a rule (NONE: all 1). */
void gf_survival_fill(gf_survival_kind kind, double p_last, int blocks, double *p);

/* What one epoch measured. Errors are fractions in [0, 1]. */
typedef struct gf_epoch_stats {
    int epoch;                /* 1-based: after this many epochs */
    long step;                /* optimizer steps so far */
    double lr;                /* rate of the last step */
    double train_loss_running;/* mean loss of the epoch's mini-batches (training mode) */
    double train_loss, train_err; /* over the training set, evaluation mode */
    double test_loss, test_err;   /* over the test set, evaluation mode */
    double grad_norm;         /* mean global gradient norm over the epoch's steps */
    double seconds;           /* wall time of the epoch's training steps */
    double cpu_seconds;       /* processor time of the process in those steps (less
                                 sensitive than wall time to other programs' load) */
    double eval_seconds;      /* wall time of its evaluation */
} gf_epoch_stats;

/* What the trainer records at each probed step: the gradient norm at every
 * probe of the stack (block boundaries and Linear inputs, on that step's
 * training batch, before the update) and every trainable slot's norms. */
typedef struct gf_train_probe {
    long step;                /* 0-based optimizer step */
    int epoch;                /* 1-based epoch the step belongs to */
    gf_probe_kind kind;
    int block;
    double log2_frob, log2_rms;
} gf_train_probe;

typedef struct gf_train_param_norm {
    long step;
    int slot;                 /* index into the stack's gf_params */
    double log2_grad, log2_value;
} gf_train_param_norm;

/* Called after every step: epoch (1-based), step within the epoch, steps per
 * epoch, that step's loss. */
typedef void (*gf_step_fn)(void *ctx, int epoch, long step_in_epoch, long steps_per_epoch,
                           double loss);

typedef struct gf_trainer gf_trainer;

/* A trainer for net, a model of any family (initialized by the caller; it
 * must outlive the trainer), on train, evaluated on test (which may be
 * NULL). Allocates everything the steps need. NULL with a reason in why. */
gf_trainer *gf_trainer_alloc(gf_model *net, const gf_dataset *train, const gf_dataset *test,
                             const gf_train_config *c, char *why, size_t size);
void gf_trainer_free(gf_trainer *t);
void gf_trainer_on_step(gf_trainer *t, gf_step_fn fn, void *ctx);

long gf_trainer_steps_per_epoch(const gf_trainer *t);
int gf_trainer_epochs_done(const gf_trainer *t);
/* The statistics of every epoch done, and the probe records so far (all
 * restored by gf_trainer_load too). */
const gf_epoch_stats *gf_trainer_history(const gf_trainer *t);
const gf_train_probe *gf_trainer_probes(const gf_trainer *t, size_t *n);
const gf_train_param_norm *gf_trainer_param_norms(const gf_trainer *t, size_t *n);

/* Train one epoch and evaluate. 0; or -1 with a one-line reason: a
 * non-finite loss or gradient names the step and the first layer (in
 * backward order) whose gradient became non-finite, and the parameters are
 * left as they were before that step. */
int gf_trainer_epoch(gf_trainer *t, gf_epoch_stats *out, char *why, size_t size);

/* Mean loss and error of net on ds in evaluation mode (with plan, e.g. a
 * deleted block or scaled branches; NULL: the whole net); net's training
 * mode is left as it was. 0 or -1. */
int gf_evaluate(gf_model *net, gf_tape *tape, const gf_dataset *ds, size_t batch,
                const gf_block_plan *plan, double *loss, double *err);

/* Checkpoints (safetensors): the parameters under their state_dict names,
 * the optimizer state under "optim.m.NAME" / "optim.v.NAME", and metadata:
 * epochs done, steps, the optimizer's step count and the configuration of
 * net (gf_model_export: its family and configuration) and training
 * (gradflow.*) and the history of the epochs done, so a resumed run
 * continues bit for bit; gf_model_open loads the net alone. */
int gf_trainer_save(const gf_trainer *t, const char *path, char *why, size_t size);
/* Load into a trainer built with the same configuration; a checkpoint of
 * another configuration is refused with the first difference named. The
 * reason in why starts with "PATH: ". */
int gf_trainer_load(gf_trainer *t, const char *path, char *why, size_t size);

#ifdef __cplusplus
}
#endif
#endif
