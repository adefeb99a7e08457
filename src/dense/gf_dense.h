/* gf_dense.h: ResNet against DenseNet (`gradflow densenet`, the syllabus'
 * section 7): what each costs (parameters, FLOPs, tape memory, time per
 * epoch), what each reaches after the same short training (test error over
 * seeds), how the tape's memory grows with depth (DenseNet stored naively,
 * DenseNet with shared storage, ResNet), and after training the DenseNet's
 * feature-reuse map (Huang et al. 2017, Fig. 5) and the gradient through each
 * of its concatenated connections.
 *
 * Both nets come from the arch registry (gf_arch_model_alloc) and train
 * through gf_trainer with the same settings and seeds.
 */
#ifndef GF_DENSE_H
#define GF_DENSE_H

#include "data/gf_data.h"
#include "model/gf_model.h"
#include "train/gf_train.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { GF_DENSE_MAX_DEPTHS = 12 };

/* One training step of m on a random batch (seed): trainable values; FLOPs
 * per example from the tape's shapes, 2 per multiply-add of every conv and
 * Linear (forward 2 |y| fan_in; backward that for dx where needed and for dW;
 * norms, ReLU, pooling left out); the bytes the tape's arena took (64 KiB
 * chunks: activations, saved values, gradients) and, beside them, the
 * convolution's scratch (im2col chunks and per-group weight-gradient
 * partials: it scales with the largest layer, not with the depth). m is left
 * as it was. 0, or -1 with a reason. */
typedef struct gf_model_cost {
    size_t params;
    double fwd_flops, bwd_flops;
    size_t tape_bytes, scratch_bytes;
} gf_model_cost;
int gf_model_cost_of(gf_model *m, size_t batch, unsigned long seed, gf_model_cost *out,
                     char *why, size_t size);

typedef struct gf_dense_spec {
    gf_stack_config resnet, dense; /* arch: a cnn ResNet and densenet / densenet-bc */
    const int *mem_depths;         /* DenseNet depths of the memory curve; the ResNet's
                                      at each: the largest 6n + 2 not above it */
    int n_mem;
    size_t mem_batch;              /* the memory curve's batch */
    int seeds;
    long seed0;
    gf_train_config train;
    const gf_dataset *train_set, *test_set;
    void (*progress)(void *ctx, int done, int total);
    void *progress_ctx;
} gf_dense_spec;

/* One of the two nets compared. */
typedef struct gf_dense_net {
    char name[GF_NET_NAME_MAX];
    gf_model_cost cost;            /* at the training batch */
    gf_epoch_stats *hist;          /* [seed * epochs + e] */
    double *test_err, *train_err;  /* [seed]: after the last epoch */
    double *epoch_wall, *epoch_cpu; /* [seed]: mean seconds per epoch of training steps */
} gf_dense_net;

/* One point of the memory curve. */
typedef struct gf_dense_mem {
    const char *what;              /* "resnet", "densenet-naive", "densenet-shared" */
    int depth;
    size_t params;
    size_t bytes;                  /* the tape's arena for one step at mem_batch */
    size_t scratch;                /* the convolution's scratch beside it */
} gf_dense_mem;

typedef struct gf_dense_result {
    gf_dense_spec spec;
    gf_dense_net net[2];           /* 0: the ResNet, 1: the DenseNet */
    gf_dense_mem *mem;
    int n_mem;
    int layers;                    /* n: layers per dense block of the trained DenseNet */
    double *reuse[3];              /* (n + 2)^2 each: gf_densenet_reuse_map after training, seed 1 */
    double *conn[3];               /* (n + 2)^2 each: log2 connection norms, one training batch */
    double wall_seconds;
} gf_dense_result;

/* Measure and train. 0, or -1 with a reason. */
int gf_dense_run(const gf_dense_spec *spec, gf_dense_result *res, char *why, size_t size);
void gf_dense_release(gf_dense_result *res);

/* Mean and sample standard deviation of x[0..n) (sd 0 for one). */
void gf_dense_mean_sd(const double *x, int n, double *mean, double *sd);

/* nets.tsv, training.tsv, memory.tsv, reuse.tsv, connections.tsv into dir. */
int gf_dense_write(const gf_dense_result *res, const char *dir, char *why, size_t size);

#ifdef __cplusplus
}
#endif
#endif
