/* gf_model.h: one interface to every network family, so that a measurement
 * (gradient norms, Jacobians, path gradients, lesions, training, loss
 * landscapes) reaches any network the same way.
 *
 * As GSL's gsl_rng_type, a family is a descriptor of functions
 * (gf_model_type), and a model is the descriptor plus the family's own
 * network (gf_model). The MLP stacks (plain, resnet, preact) are the family
 * "mlp" (gf_model_mlp, over gf_stack); He et al.'s convolutional CIFAR nets
 * are the family "cnn" (gf_model_cnn, cnn*.c); DenseNet and a transformer
 * are to be further families, with no change to the measurements. The arch
 * registry (gf_arch_types, arch.c) maps every name --arch takes to its
 * family and builds the family's config from the shared options
 * (gf_arch_model_alloc).
 *
 * Every family has the same outline: a stem, B blocks, a head. A block maps
 * x_l to x_{l+1} (the block boundaries x_0 .. x_B are where probes go) and,
 * for residual families, has a branch F_l beside its skip. A forward pass
 * can follow a block plan (gf_block_plan, gf_nn.h: delete, reorder or scale
 * blocks). Parameters are a gf_params with state_dict names; a model exports
 * to and loads from safetensors (its state plus its configuration as
 * metadata, with the family's name under the key "family"; files without
 * one hold an "mlp"; a bare state_dict as PyTorch saves one, without
 * gradflow's metadata, loads through gf_model_open into the model its
 * caller describes, by tensor names and shapes alone). What the measurements need beyond that is general too:
 * the input and output widths, whether blocks are residual (skip + branch,
 * then an elementwise post map with its derivative), and the weighted
 * layers in forward order (their slots and names).
 *
 * Worked example
 *   gf_stack_config c = gf_stack_config_default();
 *   gf_model *m = gf_model_alloc(&gf_model_mlp, &c, why, sizeof why);
 *   gf_model_init(m, rng);
 *   gf_model_set_training(m, 0);                   // batch norm: eval mode
 *   gf_tensor *z = gf_model_forward(m, tape, x, &rec, NULL);
 *   gf_tape_backward(tape, gf_softmax_xent(tape, z, labels));
 *   gf_model_save(m, "net.safetensors", why, sizeof why);
 *   gf_model_free(m);
 *
 * Errors: functions returning int give 0 or -1 with a one-line reason in
 * why where they take one; pieces of the forward pass return NULL with the
 * tape's status and message set (gf_tape_error).
 */
#ifndef GF_MODEL_H
#define GF_MODEL_H

#include "core/gf_core.h"
#include "data/gf_data.h"
#include "io/gf_io.h"
#include "model/gf_cnn.h"
#include "model/gf_densenet.h"
#include "nn/gf_nn.h"
#include "probe/gf_probe.h"

#include <gsl/gsl_rng.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A family's functions; net is the family's own network (for "mlp" a
 * gf_stack). training selects batch statistics for batch norm. */
typedef struct gf_model_type {
    const char *name; /* the family: "mlp" */
    /* 1 when its ops run on an OpenMP team with one BLAS thread per product
     * (the convolution's groups of images; the transformer's row shares and
     * heads): gf_model's calls give its tape gf_conv_threads() threads
     * (gf_tape_set_threads); 0: one thread, products on the BLAS's threads. */
    int team;
    /* Build from a family config (for "mlp" a const gf_stack_config *), or
     * from the metadata a save wrote; NULL with a reason. */
    void *(*build)(const void *config, char *why, size_t size);
    void *(*build_from_meta)(const gf_st_file *st, char *why, size_t size);
    void (*free)(void *net);
    int (*init)(void *net, gsl_rng *rng); /* fresh weights: same seed, same bytes */
    void (*name_of)(const void *net, char *buf, size_t size); /* "resnet-56" */
    int (*blocks)(const void *net);
    gf_params *(*params)(void *net);
    int (*has_batchnorm)(const void *net);
    void (*set_bn_momentum)(void *net, double momentum);
    double (*bn_momentum)(const void *net);
    size_t (*in_dim)(const void *net);  /* input features per example */
    size_t (*classes)(const void *net); /* logits per example */
    const void *(*config)(const void *net); /* the family config it was built from */
    /* 1 when every block is x_{l+1} = post(x_l + F_l(x_l)): a skip beside a
     * branch; post's elementwise derivative from its output y (all ones
     * where post is the identity). */
    int (*residual)(const void *net);
    void (*post_derivative)(const void *net, int l, const double *y, double *dst, size_t count);
    /* The k-th weighted layer in forward order (made by the k-th gf_op_linear
     * or gf_op_conv2d node of a pass): its weight and bias slots and its name
     * (may be NULL); -1 when there are k layers or fewer. */
    int (*layer)(const void *net, int k, gf_linear_slots *slots, char *name, size_t size);
    /* The whole pass: probes (rec may be NULL) at the block boundaries and
     * where the family puts them inside blocks; plan may be NULL. */
    gf_tensor *(*forward)(void *net, gf_tape *tape, gf_tensor *x, int training,
                          gf_recorder *rec, const gf_block_plan *plan);
    /* The pieces, without probes: x_0 = stem(x), x_{l+1} = block l (x_l),
     * the branch F_l of block l (NULL for a family without skips), logits =
     * head(x_B). */
    gf_tensor *(*stem)(void *net, gf_tape *tape, gf_tensor *x, int training);
    gf_tensor *(*block)(void *net, gf_tape *tape, int l, gf_tensor *x, int training);
    gf_tensor *(*branch)(void *net, gf_tape *tape, int l, gf_tensor *x, int training);
    gf_tensor *(*head)(void *net, gf_tape *tape, gf_tensor *x_B, int training);
    /* The skip S_l x of block l (NULL: the identity in every block). */
    gf_tensor *(*skip)(void *net, gf_tape *tape, int l, gf_tensor *x);
    /* safetensors: the configuration as metadata, its check against a file,
     * the state (counts: one int64 per params slot, outliving st). */
    int (*config_meta)(const void *net, gf_st_file *st);
    int (*config_match)(const void *net, const gf_st_file *st, char *why, size_t size);
    int (*state_add)(const void *net, gf_st_file *st, int64_t *counts);
    int (*state_load)(void *net, const gf_st_file *st, char *why, size_t size);
} gf_model_type;

/* A network of some family. */
typedef struct gf_model {
    const gf_model_type *type;
    void *net;           /* the family's network */
    int training;        /* batch norm mode: 1 train (batch statistics), 0 eval */
    int64_t *counts;     /* room for the exported int64 counters */
} gf_model;

extern const gf_model_type gf_model_mlp;  /* plain / resnet / preact stacks */
extern const gf_model_type gf_model_densenet; /* DenseNet, DenseNet-BC (gf_densenet.h) */
extern const gf_model_type *const gf_model_types[]; /* every family, NULL-terminated */

/* The family called name, or NULL. */
const gf_model_type *gf_model_type_find(const char *name);

/* The convolutional family "cnn" (cnn*.c; its config in gf_cnn.h). */
extern const gf_model_type gf_model_cnn;

/* ---- architectures: the registry --arch reads (arch.c) ---------------------- */

/* Room for any family's config (a family adds its own member). */
typedef union gf_family_config {
    gf_stack_config mlp;
    gf_cnn_config cnn;
    gf_densenet_config densenet;
    unsigned char bytes[512];
    double align_;
} gf_family_config;

/* One row per gf_arch: a name, its family, and how the family's config
 * comes from the shared options. */
typedef struct gf_arch_type {
    const char *name;             /* as --arch takes it: "resnet", "cnn-resnet" */
    const gf_model_type *family;
    gf_arch unit;                 /* its block: GF_ARCH_PLAIN (no skip), GF_ARCH_RESNET
                                     (post-activation), GF_ARCH_PREACT */
    /* The family config from c (c->arch is this row's); 0, or -1 with a reason. */
    int (*config)(const gf_stack_config *c, gf_family_config *out, char *why, size_t size);
} gf_arch_type;

extern const gf_arch_type gf_arch_types[GF_ARCH_COUNT];

/* Arch a's block kind, and whether it has skips (unit resnet or preact). */
static inline gf_arch gf_arch_unit(gf_arch a) { return gf_arch_types[a].unit; }
static inline int gf_arch_residual(gf_arch a) { return gf_arch_types[a].unit != GF_ARCH_PLAIN; }
/* 1 for the MLP stacks (family "mlp"). */
static inline int gf_arch_is_mlp(gf_arch a) { return (int)a < GF_ARCH_MLP_COUNT; }

/* The family config of the net the options c describe (c->arch any arch);
 * 0, or -1 with a reason fit for a usage error. */
int gf_arch_config(const gf_stack_config *c, gf_family_config *out, char *why, size_t size);
/* That net, freshly allocated (gf_model_init gives it weights); NULL with a reason. */
gf_model *gf_arch_model_alloc(const gf_stack_config *c, char *why, size_t size);
/* The block count every one of archs (n) has with c's other options, from
 * their family configs, nothing allocated (a DenseNet's is not (depth - 2) /
 * 2); -1 with a reason when one is not a valid net or two differ (their
 * tables would not line up). */
int gf_arch_blocks(const gf_stack_config *c, const gf_arch *archs, int n, char *why, size_t size);
/* The shared options that describe m (the inverse of gf_arch_config); -1
 * for a family the registry's options do not describe. */
int gf_arch_options_of(const gf_model *m, gf_stack_config *c);
/* The network options of a heading: "width W, init I, norm N, act A" of the
 * MLP stacks in archs (n of them), then (or only) "cnn: F/2F/4F filters, He
 * init (fan_out), batch norm, relu" for the cnn nets, whose init and norm
 * are their own. */
void gf_arch_network_text(char *buf, size_t size, const gf_stack_config *c, const gf_arch *archs,
                          int n);
/* The same for the headings of trained runs (degrade, stochdepth, lesion):
 * "width W, norm N, init I" when archs are all MLP stacks, as those always
 * read, else gf_arch_network_text. */
void gf_arch_training_text(char *buf, size_t size, const gf_stack_config *c, const gf_arch *archs,
                           int n);
/* gf_model_open of a file that must hold that net. */
gf_model *gf_arch_model_open(const char *path, const gf_stack_config *c,
                             gf_checkpoint_info *info, char *why, size_t size);

/* ---- life -------------------------------------------------------------- */

/* A model of family T from its config; NULL with a reason. Training mode. */
gf_model *gf_model_alloc(const gf_model_type *T, const void *config, char *why, size_t size);
/* gf_model_alloc, then gf_model_init from a generator seeded with seed: a
 * fresh net with weights; NULL with a reason. */
gf_model *gf_model_alloc_seeded(const gf_model_type *T, const void *config, unsigned long seed,
                                char *why, size_t size);
void gf_model_free(gf_model *m);
int gf_model_init(gf_model *m, gsl_rng *rng);

/* ---- what it is -------------------------------------------------------- */

static inline const char *gf_model_family(const gf_model *m) { return m->type->name; }
void gf_model_name(const gf_model *m, char *buf, size_t size); /* "resnet-56" */
int gf_model_blocks(const gf_model *m);
gf_params *gf_model_params(gf_model *m);
size_t gf_model_in_dim(const gf_model *m);
size_t gf_model_classes(const gf_model *m);
/* The family config it was built from (for "mlp" a const gf_stack_config *). */
const void *gf_model_config(const gf_model *m);
/* Weighted layers (Linear and conv): the k-th in forward order, its slots and
 * name; 0, or -1 past the last (for "mlp": stem, blocks.0.fc1, blocks.0.fc2,
 * ..., head; for "cnn": conv1, layer1.0.conv1, ..., fc). */
int gf_model_layer(const gf_model *m, int k, gf_linear_slots *slots, char *name, size_t size);
/* The family's network (for "mlp" the gf_stack): for code not yet moved to
 * this interface. */
static inline void *gf_model_net(gf_model *m) { return m->net; }

/* ---- residual blocks ----------------------------------------------------- */

/* 1 when every block is x_{l+1} = post(S_l x_l + F_l(x_l)) (a skip
 * gf_model_skip beside the branch gf_model_branch; S_l the identity where
 * widths agree): what stochastic depth and paths need. */
int gf_model_residual(const gf_model *m);
/* D_l = post'(x_l + F_l) of block l as numbers, from the block's output y
 * (count values); 1 where post is the identity. Residual models only. */
void gf_model_post_derivative(const gf_model *m, int l, const double *y, double *dst,
                              size_t count);
/* A family's post_derivative where post is the identity: every D_l is 1. */
void gf_model_post_identity(const void *net, int l, const double *y, double *dst, size_t count);

/* ---- batch norm -------------------------------------------------------- */

int gf_model_has_batchnorm(const gf_model *m);
/* Train (1) or eval (0) mode for every pass and piece that follows. */
static inline void gf_model_set_training(gf_model *m, int training) { m->training = training; }
static inline int gf_model_training(const gf_model *m) { return m->training; }
/* The running statistics' momentum (a warm-up can set 1/(t+1) for a plain
 * average); -1 for a family without batch norm. */
int gf_model_set_bn_momentum(gf_model *m, double momentum);
double gf_model_bn_momentum(const gf_model *m); /* NaN without batch norm */
/* Batch norm's running statistics from `passes` training-mode forward
 * passes of `batch` samples drawn from data with rng: momentum 1/(t+1) at
 * pass t makes them the plain average of the passes' statistics (PyTorch's
 * momentum=None). The weights do not change; m is left in evaluation mode.
 * Nothing happens without batch norm or passes. 0, or -1 with a reason. */
int gf_model_bn_warmup(gf_model *m, const gf_dataset *data, gsl_rng *rng, int passes,
                       size_t batch, char *why, size_t size);

/* ---- forward ------------------------------------------------------------ */

/* Logits for x. With a recorder, probes go on the block boundaries x_0 ..
 * x_B (residual families: with the skip source) and inside the blocks; the
 * recorder is cleared first. plan NULL: every block, in order. */
gf_tensor *gf_model_forward(gf_model *m, gf_tape *tape, gf_tensor *x, gf_recorder *rec,
                            const gf_block_plan *plan);
/* The pieces, without probes. */
gf_tensor *gf_model_stem(gf_model *m, gf_tape *tape, gf_tensor *x);
gf_tensor *gf_model_block(gf_model *m, gf_tape *tape, int l, gf_tensor *x);
gf_tensor *gf_model_branch(gf_model *m, gf_tape *tape, int l, gf_tensor *x);
gf_tensor *gf_model_head(gf_model *m, gf_tape *tape, gf_tensor *x_B);
/* The skip S_l x of residual block l: x itself (no node) where S_l = I, else
 * a linear map of norm <= 1 (a cnn's option A: x[::2, ::2], zero channels). */
gf_tensor *gf_model_skip(gf_model *m, gf_tape *tape, int l, gf_tensor *x);

/* ---- export and load ---------------------------------------------------- */

/* Add the family, the configuration (metadata) and the state (tensors) to
 * st; the model must outlive st. 0 or -1. */
int gf_model_export(gf_model *m, gf_st_file *st);
/* 0 when st holds a model of m's family and configuration; else -1 and the
 * first difference. Files without a "family" key are "mlp". */
int gf_model_match(const gf_model *m, const gf_st_file *st, char *why, size_t size);
/* Copy the state from st (names and shapes must match); 0 or -1. */
int gf_model_load_state(gf_model *m, const gf_st_file *st, char *why, size_t size);
/* A new model built from st's metadata, its state loaded; NULL with a reason. */
gf_model *gf_model_from_file(const gf_st_file *st, char *why, size_t size);

/* The same through a path (written atomically). */
int gf_model_save(gf_model *m, const char *path, char *why, size_t size);
gf_model *gf_model_load(const char *path, char *why, size_t size);
/* The one loader of a saved model (a training checkpoint, gradnorm's
 * export): T NULL, the family and configuration the file records; else the
 * file must hold a model of family T and configuration *config ("width is
 * 32 in the file, 64 here"). info (may be NULL): the seed and epochs the
 * file records, -1 where it does not. NULL with a reason naming the file. */
gf_model *gf_model_open(const char *path, const gf_model_type *T, const void *config,
                        gf_checkpoint_info *info, char *why, size_t size);

#ifdef __cplusplus
}
#endif
#endif
