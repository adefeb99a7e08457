/* gf_densenet.h: the model family "densenet" (Huang et al. 2017), DenseNet
 * and DenseNet-BC for small images (28 x 28 x 1 by default), and what only
 * this family measures: its channel plan, the gradient through every
 * concatenated connection, and the feature-reuse map.
 *
 * Network (the paper's CIFAR nets): a 3x3 convolution (stem: 16 channels for
 * DenseNet, 2k for DenseNet-BC, as the paper), three dense blocks of n layers
 * at 28x28, 14x14 and 7x7, each block followed by BN-ReLU, then a transition
 * between blocks (BN-ReLU-1x1 conv-2x2 average pool), and after the last
 * block BN-ReLU, global average pooling and a linear head. Layer l of a block
 * sees the concatenation [x_0, y_1, ..., y_{l-1}] of the block's input and
 * every earlier layer's output (k channels each, k the growth rate):
 *   DenseNet     y_l = conv3x3(relu(BN([...])))                n = (L - 4)/3
 *   DenseNet-BC  y_l = conv3x3(relu(BN(conv1x1(relu(BN([...]))))))  with 4k
 *                bottleneck channels, transitions halve the channels   n = (L - 4)/6
 * Images are NHWC rows (gf_core.h). state_dict names are torchvision's:
 * features.conv0, features.denseblockB.denselayerL.norm1/conv1/norm2/conv2,
 * features.transitionB.norm/conv, features.norm5, classifier.
 *
 * Blocks of the model interface: every dense layer (3n of them). x_l is the
 * block state, the concatenation of every feature map of the current dense
 * block; block l maps it to [x_l, y_l], and the last layer of the first two
 * dense blocks also applies the transition. Probes: x_l (GF_PROBE_BLOCK) and
 * the input of each layer's convolutions (GF_PROBE_FC1_IN, FC2_IN for BC).
 *
 * Memory. "naive" stores, for every layer, the concatenation and its BN and
 * ReLU outputs (quadratic in the layers of a block); "shared" reads the
 * concatenation where the feature maps lie (gf_dense_bnrelu) and keeps the
 * BN-ReLU output in one scratch per pass, recomputed in backward: linear.
 * Both give the same values and gradients. A pass with a recorder or a block
 * plan runs the naive way (probes need every x_l as a tensor). In a plan, a
 * dropped layer adds zero channels and a scaled one its output times the
 * scale (the channel counts must stay); a reordered layer meets channels it
 * was not built for, and the ops' shape checks stop the pass. */
#ifndef GF_DENSENET_H
#define GF_DENSENET_H

#include "core/gf_core.h"
#include "nn/gf_nn.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { GF_DENSE_NAIVE, GF_DENSE_SHARED, GF_DENSE_MEMORY_COUNT } gf_dense_memory;
extern const char *const gf_dense_memory_names[]; /* "naive", "shared", NULL */

typedef struct gf_densenet_config {
    int depth;              /* L: 3n + 4 (DenseNet) or 6n + 4 (BC) */
    int growth;             /* k */
    int bc;                 /* 1: DenseNet-BC */
    gf_dense_memory memory;
    size_t height, width, in_channels, classes; /* 28, 28, 1, 10 */
    double bn_momentum, eps;                    /* 0.1, 1e-5 */
} gf_densenet_config;

/* DenseNet-BC, depth 22 (n = 3), k = 12, shared memory, 28x28x1 -> 10. */
gf_densenet_config gf_densenet_config_default(void);

/* 0 when valid; else -1 and one line, e.g. "depth 21 is not 6n + 4 with n >=
 * 1 (DenseNet-BC: 10, 16, 22, ...)". */
int gf_densenet_config_check(const gf_densenet_config *c, char *why, size_t size);

/* Channels and sizes, from the configuration alone. */
typedef struct gf_densenet_plan {
    int layers;             /* n per block */
    size_t stem;            /* channels of conv0 */
    size_t in[3], out[3];   /* channels entering and leaving dense block b */
    size_t hw[3];           /* pixels of block b */
    size_t h[3], w[3];      /* its height and width (each pool halves them, floor) */
    size_t bottleneck;      /* 4k (BC), 0 otherwise */
} gf_densenet_plan;
void gf_densenet_plan_of(const gf_densenet_config *c, gf_densenet_plan *p);

/* Values per example of the layers' outputs a naive pass stores (each
 * layer's input concatenation, its bottleneck and its new channels; each
 * transition's), the analogue of gf_cnn_conv_outputs for memory checks. */
double gf_densenet_outputs(const gf_densenet_config *c);

/* "densenet-40-k12", "densenet-bc-100-k12". */
void gf_densenet_name(const gf_densenet_config *c, char *buf, size_t size);

/* ---- measurements of this family ------------------------------------------- */

/* Connection norms: with a sink set, every shared-memory backward pass writes
 * log2 ||dL/dy_j through layer l|| (the slice of the gradient layer l sends to
 * its input that belongs to y_j; j = 0 the block's input) at
 * sink[b][l * (n + 2) + j] for dense block b, l = 1..n, j < l, and the
 * transition (or norm5) as l = n + 1. NULL: none. The sink must outlive the
 * passes; each block's array has (n + 2)^2 doubles. */
void gf_densenet_set_sink(void *net, double *sink[3]);

/* Huang et al.'s Fig. 5: the mean |w| of the weights from source s's
 * channels (s = 0 the block's input, s = j layer j's output) to layer l's
 * first convolution (l = 1..n; l = n + 1: the transition's convolution,
 * or for the last block the classifier), at map[l * (n + 2) + s]; NaN where
 * s >= l. map has (n + 2)^2 doubles. 0 or -1. */
int gf_densenet_reuse_map(const void *net, int block, double *map);

#ifdef __cplusplus
}
#endif
#endif
