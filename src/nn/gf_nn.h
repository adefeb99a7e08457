/* gf_nn.h: parameters, initialization, the three stacks of gradflow, their
 * state in safetensors files (configuration and checkpoint metadata read
 * back; loading a saved network is gf_model_open's, model/gf_model.h).
 *
 * Parameters live in one contiguous value buffer and one gradient buffer,
 * carved into named slots in PyTorch state_dict style (Linear weights are
 * out x in), so an export loads straight into an equivalent nn.Module.
 *
 * A stack has depth = 2B + 2 weight layers, as counted by He et al.: a stem
 * Linear (in -> width), B blocks of two width x width Linear layers, and a
 * head Linear (width -> classes). With N the normalization and act the
 * activation, block l maps x_l to x_{l+1}:
 *   plain   x -> act(N2(fc2(act(N1(fc1 x)))))
 *   resnet  x -> act(N2(fc2(act(N1(fc1 x)))) + x)        (He et al. 2015)
 *   preact  x -> x + fc2(act(N2(fc1(act(N1 x)))))        (He et al. 2016)
 * x_0 is act(N(stem x)) for plain and resnet, stem x for preact; the head
 * reads x_B (preact: act(N(x_B)), the final normalization of He et al. 2016).
 * A Linear followed by batch norm has no bias (the norm's beta replaces it).
 */
#ifndef GF_NN_H
#define GF_NN_H

#include "core/gf_core.h"
#include "io/gf_io.h"
#include "probe/gf_probe.h"

#include <gsl/gsl_rng.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- names ------------------------------------------------------------ */

/* Room for a net's name: "plain-56", "resnet-110-sd", with its terminator. */
#define GF_NET_NAME_MAX 24

/* Every architecture --arch names, one registry row each (gf_arch_types,
 * model/gf_model.h): the MLP stacks first (family "mlp"; a gf_stack_config's
 * arch is one of them), then the other families' nets. */
typedef enum {
    GF_ARCH_PLAIN, GF_ARCH_RESNET, GF_ARCH_PREACT,             /* MLP stacks */
    GF_ARCH_CNN_PLAIN, GF_ARCH_CNN_RESNET, GF_ARCH_CNN_PREACT, /* He et al.'s CIFAR nets */
    GF_ARCH_DENSENET, GF_ARCH_DENSENET_BC,                     /* Huang et al. 2017 */
    GF_ARCH_COUNT
} gf_arch;
#define GF_ARCH_MLP_COUNT ((int)GF_ARCH_PREACT + 1) /* the MLP stacks come first */
typedef enum { GF_NORM_NONE, GF_NORM_BATCH, GF_NORM_LAYER, GF_NORM_COUNT } gf_norm;
typedef enum { GF_ACT_RELU, GF_ACT_TANH, GF_ACT_LINEAR, GF_ACT_COUNT } gf_act;
typedef enum {
    GF_INIT_TORCH,      /* W, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)): nn.Linear's default */
    GF_INIT_HE,         /* W ~ N(0, 2/fan_in), b = 0 */
    GF_INIT_XAVIER,     /* W ~ U(-a, a), a = sqrt(6/(fan_in + fan_out)), b = 0 */
    GF_INIT_LECUN,      /* W ~ N(0, 1/fan_in), b = 0 */
    GF_INIT_ORTHOGONAL, /* W = Q of the QR of a Gaussian matrix (signs fixed by R), b = 0 */
    /* Schemes for residual branches (resnet, preact); every Linear starts as he: */
    GF_INIT_FIXUP,      /* Fixup (Zhang et al. 2019): the branch's last layer and the head zero,
                           its first layer times B^(-1/2) (m = 2 layers: B^(-1/(2m-2))), and a
                           learnable scalar multiplier on the branch (1); the Linear layers'
                           own biases stand in for Fixup's scalar biases */
    GF_INIT_REZERO,     /* ReZero / SkipInit (Bachlechner et al. 2020, De and Smith 2020):
                           x + alpha F(x), a learnable scalar alpha per branch, from 0 */
    GF_INIT_SCALED,     /* every branch times the constant 1/sqrt(B) */
    GF_INIT_COUNT
} gf_init;

extern const char *const gf_arch_names[];  /* every gf_arch's name: "plain", ..., NULL */
extern const char *const gf_mlp_arch_names[]; /* the MLP stacks': "plain", "resnet", "preact" */
extern const char *const gf_norm_names[];  /* "none", "batch", "layer", NULL */
extern const char *const gf_act_names[];   /* "relu", "tanh", "linear", NULL */
extern const char *const gf_init_names[];  /* "torch", "he", "xavier", "lecun", "orthogonal",
                                              "fixup", "rezero", "scaled" */

/* Index of s in a NULL-terminated name list, or -1. */
int gf_name_lookup(const char *const *names, const char *s);

/* Fill W (out x in) and b (out entries, may be NULL) by the scheme; 0 or -1. */
int gf_init_linear(gf_init scheme, double *w, double *b, size_t out, size_t in, gsl_rng *rng);

/* Variance of one weight entry and of one bias entry under the scheme. */
double gf_init_weight_var(gf_init scheme, size_t fan_in, size_t fan_out);
double gf_init_bias_var(gf_init scheme, size_t fan_in);

/* ---- parameters ------------------------------------------------------- */

typedef enum {
    GF_SLOT_PARAM = 0,  /* trainable: weights, biases, norm scales and shifts */
    GF_SLOT_BUFFER,     /* running statistics: no gradient */
    GF_SLOT_COUNT_I64,  /* a counter, exported as int64 (num_batches_tracked) */
} gf_slot_kind;

typedef struct gf_slot {
    char name[64];
    gf_slot_kind kind;
    size_t offset, rows, cols;   /* into the buffers; a vector is 1 x cols */
    int vector;                  /* exported with shape [cols] (biases, norms) */
    size_t kh, kw;               /* a conv weight (rows = out, cols = in kh kw): exported
                                    as (out, in, kh, kw); 0 otherwise */
    gf_tensor t;                 /* bound to the buffers */
} gf_slot;

/* A slot's shape as exported (PyTorch's): its rank (0 for a counter) and
 * sizes. */
int gf_slot_shape(const gf_slot *s, int64_t shape[4]);

typedef struct gf_params {
    double *value, *grad;        /* size doubles each, 64-byte aligned */
    size_t size;
    gf_slot *slot;
    size_t n_slots, cap_slots;
    int finalized;
} gf_params;

void gf_params_init(gf_params *p);
void gf_params_release(gf_params *p);
/* Declare a slot (before gf_params_finalize); returns its index or -1. */
int gf_params_add(gf_params *p, const char *name, gf_slot_kind kind, size_t rows, size_t cols,
                  int vector);
/* A conv weight slot: out x (in kh kw), exported as (out, in, kh, kw). */
int gf_params_add_conv(gf_params *p, const char *name, size_t out, size_t in, size_t kh,
                       size_t kw);
int gf_params_finalize(gf_params *p); /* allocate the buffers (values zeroed), bind the slots */
int gf_params_find(const gf_params *p, const char *name);
/* Turn the gradients of every trainable slot on or off: off, a backward
 * pass computes only the gradients of inputs (vector-Jacobian products
 * without the weight gradients' work). */
void gf_params_requires_grad(gf_params *p, int on);
/* log2 of the Frobenius norms of a slot's gradient (true scale) and value. */
double gf_params_grad_log2(const gf_params *p, int slot);
double gf_params_value_log2(const gf_params *p, int slot);

/* ---- stacks ----------------------------------------------------------- */

/* The network options every measurement takes. An MLP stack is built from
 * it as is; another family's config is made from it by its gf_arch_types
 * row (model/gf_model.h), which reads what it needs (depth, in_dim,
 * classes, width_mult, zero_branch, bn_momentum, eps). */
typedef struct gf_stack_config {
    gf_arch arch;
    int depth;            /* 2B + 2 */
    size_t width, in_dim, classes;
    double width_mult;    /* conv families: their filter counts times this (0: 1); MLPs: unused */
    gf_norm norm;
    gf_act act;
    gf_init init;
    int zero_branch;      /* zero the last layer of each residual branch */
    double bn_momentum;   /* 0.1 as PyTorch */
    double eps;           /* 1e-5 as PyTorch */
} gf_stack_config;

/* The defaults: resnet, depth 56, width 128, 32 -> 10, no norm, relu, torch. */
gf_stack_config gf_stack_config_default(void);

/* 0 if the configuration is valid; else -1 and a one-line reason. */
int gf_stack_config_check(const gf_stack_config *c, char *why, size_t size);

static inline int gf_stack_blocks(const gf_stack_config *c) { return (c->depth - 2) / 2; }

typedef struct gf_linear_slots { int weight, bias; } gf_linear_slots;   /* bias -1: none */
typedef struct gf_norm_slots {
    int weight, bias, running_mean, running_var, tracked;               /* -1: no norm */
} gf_norm_slots;

/* Batch norm's slots under base ("layer1.0.bn1"): base.weight, .bias,
 * .running_mean, .running_var, .num_batches_tracked, of width entries. */
gf_norm_slots gf_params_add_batchnorm(gf_params *p, const char *base, size_t width);
/* gamma 1, beta 0, running mean 0 and variance 1, no batches tracked. */
void gf_norm_slots_reset(gf_params *p, gf_norm_slots n);
/* The op's view of batch-norm slots n (gf_core.h). */
gf_bn_state gf_norm_bn_state(gf_params *p, gf_norm_slots n, double momentum, double eps);

/* Every slot of p into st under its name (counters as int64 scalars through
 * counts[], one per slot, which must outlive st); 0 or -1. */
int gf_params_state_add(const gf_params *p, gf_st_file *st, int64_t *counts);
/* Every slot of p from st: names and shapes must match (F32 tensors are
 * widened); 0, or -1 naming the first missing or mismatched tensor. */
int gf_params_state_load(gf_params *p, const gf_st_file *st, char *why, size_t size);

typedef struct gf_block_slots {
    gf_linear_slots fc1, fc2;
    gf_norm_slots n1, n2;
    int alpha;            /* fixup, rezero: the branch's learnable scalar ("scale" / "alpha"); -1 */
} gf_block_slots;

typedef struct gf_stack {
    gf_stack_config cfg;
    int blocks;
    gf_params params;
    gf_linear_slots stem, head;
    gf_norm_slots stem_norm;  /* plain, resnet */
    gf_norm_slots final_norm; /* preact */
    gf_block_slots *block;
} gf_stack;

gf_stack *gf_stack_alloc(const gf_stack_config *c); /* NULL if invalid or out of memory */
void gf_stack_free(gf_stack *s);

/* Initialize every slot from rng (same seed, same bytes). */
int gf_stack_init_weights(gf_stack *s, gsl_rng *rng);

/* Logits (n x classes) for x (n x in_dim). training selects batch statistics
 * for batch norm. With a recorder, probes go on x_0 .. x_B (with the skip
 * source for residual stacks) and on the input of every Linear in the blocks;
 * the recorder is cleared first. */
gf_tensor *gf_stack_forward(gf_stack *s, gf_tape *tape, gf_tensor *x, int training,
                            gf_recorder *rec);

/* How the blocks run in one forward pass: for lesions (a block deleted),
 * reordering, and stochastic depth (dropped in training, the branch scaled
 * by its survival probability in evaluation). Any field may be NULL. */
typedef struct gf_block_plan {
    const int *order;             /* the block that runs at position i (a permutation) */
    const unsigned char *drop;    /* 1: position i is the identity: no node, no work */
    const double *branch_scale;   /* the branch's output times this (residual stacks) */
} gf_block_plan;

/* gf_stack_forward with a plan (NULL: every block, in order). A dropped
 * position keeps its block-boundary probe (without a skip / branch split). */
gf_tensor *gf_stack_forward_plan(gf_stack *s, gf_tape *tape, gf_tensor *x, int training,
                                 gf_recorder *rec, const gf_block_plan *plan);

/* The evaluation-mode forward pass without a tape (infer.c): the rows go
 * through every layer in three reused buffers (which stay in cache), nothing
 * is kept for a backward pass, and the arithmetic is the tape's op for op, so
 * the logits equal gf_stack_forward's (training 0) on the same rows to the
 * bit. For evaluations run many times (a loss surface: one forward pass per
 * point). Stacks with layer norm are not covered. */
typedef struct gf_stack_infer gf_stack_infer;
int gf_stack_infer_supported(const gf_stack_config *c);
/* A workspace for s and calls of at most `rows` rows (it reads s's state at
 * every call, prepared as below); NULL when s is not covered, rows is 0, or
 * out of memory. */
gf_stack_infer *gf_stack_infer_alloc(const gf_stack *s, size_t rows);
void gf_stack_infer_free(gf_stack_infer *w);
/* Reads what is derived from the running variances (1 / sqrt(var + eps)):
 * call after every change of s's state. */
void gf_stack_infer_prepare(gf_stack_infer *w);
/* logits (n x classes) of the n rows of x (n x in_dim), 0 < n <= rows (else
 * -1). stem: NULL, or the stem's Linear output for these rows (n x width,
 * b + x W^T) computed by the caller, in place of computing it from x (x is
 * then not read). */
int gf_stack_infer_rows(gf_stack_infer *w, const double *x, const double *stem, size_t n,
                        double *logits);

/* The pieces of the forward pass: x_0 = stem(x); the branch F_b of block b
 * (resnet: N2(fc2(act(N1(fc1 x)))), preact: fc2(act(N2(fc1(act(N1 x))))),
 * plain: the block before its last activation; times the scheme's scalar:
 * fixup's multiplier, rezero's alpha or 1/sqrt(B)); the whole block b,
 * x_{b+1} from x_b; the head's logits from x_B. */
gf_tensor *gf_stack_stem(gf_stack *s, gf_tape *tape, gf_tensor *x, int training);
gf_tensor *gf_stack_branch(gf_stack *s, gf_tape *tape, int b, gf_tensor *x, int training);
gf_tensor *gf_stack_block(gf_stack *s, gf_tape *tape, int b, gf_tensor *x, int training);
gf_tensor *gf_stack_head(gf_stack *s, gf_tape *tape, gf_tensor *x_B, int training);

/* Name of the k-th Linear layer in forward order (the order gf_stack_forward
 * makes them): "stem", "blocks.3.fc1", ..., "head". */
void gf_stack_linear_name(const gf_stack *s, int k, char *buf, size_t size);

/* ---- state (safetensors) ------------------------------------------------ */

/* Add every slot's values to st under its state_dict name (counters as
 * int64 scalars, converted into counts[], one entry per slot, which must
 * outlive st). 0 or -1. */
int gf_stack_state_add(const gf_stack *s, gf_st_file *st, int64_t *counts);
/* Add the configuration as metadata: arch, depth, width, input_dim,
 * classes, init, norm, act, zero_init_residual, bn_momentum, eps. 0 or -1. */
int gf_stack_config_meta(const gf_stack_config *c, gf_st_file *st);
/* 0 when st's metadata describes configuration c; else -1 and the first
 * difference ("depth is 20 in the file, 56 here"). */
int gf_stack_config_match(const gf_stack_config *c, const gf_st_file *st, char *why,
                          size_t size);
/* Copy every slot's values from st (names and shapes must match). 0, or -1
 * with the first missing or mismatched tensor named. */
int gf_stack_state_load(gf_stack *s, const gf_st_file *st, char *why, size_t size);

/* What a saved network records of how it came to be (-1 where it does not). */
typedef struct gf_checkpoint_info {
    long seed;                        /* the training seed: the initial weights' seed */
    long epochs_done;                 /* a training checkpoint's epochs */
} gf_checkpoint_info;

/* The seed and epochs a saved network's metadata records (-1 where not). */
gf_checkpoint_info gf_checkpoint_info_read(const gf_st_file *st);
/* The configuration st's metadata describes (gf_stack_config_meta's keys
 * read back); 0, or -1 naming the first missing or damaged key. A saved
 * network loads through gf_model_open (model/gf_model.h). */
int gf_stack_config_from_meta(const gf_st_file *st, gf_stack_config *c, char *why, size_t size);

#ifdef __cplusplus
}
#endif
#endif
