/* gf_cnn.h: the configuration of the model family "cnn" (cnn*.c; its
 * descriptor gf_model_cnn is in gf_model.h), and what only it computes. */
#ifndef GF_CNN_H
#define GF_CNN_H

#include "nn/gf_nn.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* He et al.'s CIFAR nets of depth 6n + 2: a 3x3 conv stem (16 filters; plain
 * and resnet add BN + ReLU), three stages of n blocks of two 3x3 convs (16,
 * 32, 64 filters; stride 2 in the first block of stages 2 and 3, whose skip
 * is option A: x[::2, ::2] with zero channels half on each side), global
 * average pooling and a Linear head. Blocks (unit):
 *   plain   x -> relu(bn2(conv2(relu(bn1(conv1 x)))))
 *   resnet  x -> relu(bn2(conv2(relu(bn1(conv1 x)))) + S x)     (He et al. 2015)
 *   preact  x -> conv2(relu(bn2(conv1(relu(bn1 x))))) + S x     (He et al. 2016)
 * with S the identity or option A; preact adds a final BN + ReLU ("bn")
 * before the pooling. Images are NHWC rows (gf_core.h). */
typedef struct gf_cnn_config {
    gf_arch unit;                 /* GF_ARCH_PLAIN, GF_ARCH_RESNET or GF_ARCH_PREACT */
    int depth;                    /* 6n + 2: 20, 32, 44, 56, 110 */
    size_t filters;               /* stage 1's (16 x width_mult), even; stages 2, 3: 2x, 4x */
    size_t height, width, channels, classes;
    int zero_branch;              /* resnet: bn2's gamma 0 in every block; preact: conv2 0 */
    double bn_momentum, eps;
} gf_cnn_config;

/* The registry's arch of a cnn config (GF_ARCH_CNN_PLAIN + unit). */
static inline gf_arch gf_cnn_arch(const gf_cnn_config *c)
{
    return (gf_arch)(GF_ARCH_CNN_PLAIN + c->unit);
}
/* 0 if c is a valid config; else -1 and a one-line reason. */
int gf_cnn_config_check(const gf_cnn_config *c, char *why, size_t size);
/* Multiply-adds per sample of the convs of every block (block[3n]) and of
 * the stem conv and the head (*fixed). */
void gf_cnn_macs(const gf_cnn_config *c, double *block, double *fixed);
/* The numbers per sample the convs output (the stem's and both of every
 * block's): the scale of a pass's activations on the tape. */
double gf_cnn_conv_outputs(const gf_cnn_config *c);

/* The image a row of d features is taken for by the convolutional families:
 * the most nearly square h x w = d with h <= w (784: 28 x 28). */
void gf_image_dims(size_t d, size_t *h, size_t *w);

#ifdef __cplusplus
}
#endif
#endif
