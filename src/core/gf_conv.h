/* gf_conv.h: image ops of the core (convolution, batch norm over channels,
 * pooling, channel concatenation, the option-A shortcut). Part of the core
 * module; gf_core.h is its base (tensors, tape, gf_op) and gradflow.h
 * includes both.
 *
 * Image layout (NHWC, channels last). A batch of n images of h x w pixels
 * with c channels is a gf_tensor of n rows by h*w*c columns, one image per
 * row; within a row the pixels follow in row-major (y, x) order and each
 * pixel's c channels are adjacent:
 *     x->v[i * (h*w*c) + (y * w + x) * c + ch]   (image i, pixel (y, x), channel ch)
 * PyTorch's NCHW tensor t of shape (n, c, h, w) holds the same value at
 * t[i, ch, y, x] (t.permute(0, 2, 3, 1).reshape(n, -1) gives our rows).
 * Fashion-MNIST's 28 x 28 x 1 rows are already in this layout. Seen as a
 * (n*h*w) x c matrix, a batch is one row per pixel: batch norm over channels
 * and channel concatenation are the 2-D ops on that view.
 *
 * Shapes travel in gf_image_shape; an op checks x->d == h*w*c and otherwise
 * fails with a message naming the shapes (NULL, the error on the tape).
 *
 * Example: one pre-activation unit's first half, 16 channels at 28 x 28
 *   gf_image_shape s = {28, 28, 16};
 *   gf_conv_geom g3 = {.kh = 3, .kw = 3, .stride = 1, .pad = 1};
 *   gf_tensor *h = gf_relu(tape, gf_batchnorm2d(tape, x, s, &bn, 1));
 *   gf_tensor *y = gf_conv2d(tape, h, s, W, NULL, g3);  // W: 16 x (16*3*3)
 *   gf_image_shape so = gf_conv_out_shape(s, g3, 16);   // {28, 28, 16}
 */
#ifndef GF_CONV_H
#define GF_CONV_H

#include "gf_core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_image_shape {
    size_t h, w, c; /* height, width, channels */
} gf_image_shape;

/* A kernel of kh x kw taps, the same stride and zero padding on both axes. */
typedef struct gf_conv_geom {
    size_t kh, kw, stride, pad;
} gf_conv_geom;

static inline size_t gf_image_size(gf_image_shape s) { return s.h * s.w * s.c; }

/* The output shape of a convolution with c_out filters:
 * ho = (h + 2 pad - kh) / stride + 1, wo likewise (floor, as PyTorch).
 * {0, 0, c_out} when the padded input is smaller than the kernel or the
 * stride is 0. */
gf_image_shape gf_conv_out_shape(gf_image_shape in, gf_conv_geom g, size_t c_out);

/* 2-D convolution (cross-correlation, as PyTorch's Conv2d):
 *   y[i, oy, ox, o] = b[o] + sum_{c, ky, kx} W[o, (c, ky, kx)] x[i, oy s-p+ky, ox s-p+kx, c]
 * with zero padding. x: n x (h w c_in) in shape `in`; W: c_out x (c_in kh kw),
 * each row in PyTorch's (in, kh, kw) order, so the (out, in, kh, kw) weight of
 * a Conv2d is a copy; b: 1 x c_out or NULL. y: n x (ho wo c_out), shape
 * gf_conv_out_shape(in, g, c_out). Runs as im2col + GEMM in chunks of output
 * pixels (a 1x1, stride-1, unpadded conv skips im2col: its GEMMs read x); the
 * same bits for any number of threads (see ops_conv.c). */
gf_tensor *gf_conv2d(gf_tape *, gf_tensor *x, gf_image_shape in, gf_tensor *w, gf_tensor *b,
                     gf_conv_geom g);

/* Batch norm over channels (PyTorch's BatchNorm2d): the statistics of
 * channel ch are over the n*h*w pixels of the batch; gamma, beta and the
 * running statistics have c entries. Same state and rules as gf_batchnorm
 * (which is this op with h = w = 1); the op descriptors are the same too. */
gf_tensor *gf_batchnorm2d(gf_tape *, gf_tensor *x, gf_image_shape in, const gf_bn_state *bn,
                          int training);

/* Average pooling, k x k windows at stride s, no padding:
 *   y[i, oy, ox, c] = mean_{ky, kx < k} x[i, oy s + ky, ox s + kx, c],
 * ho = (h - k) / s + 1. Output shape gf_pool_out_shape(in, k, s). */
gf_image_shape gf_pool_out_shape(gf_image_shape in, size_t k, size_t s);
gf_tensor *gf_avgpool2d(gf_tape *, gf_tensor *x, gf_image_shape in, size_t k, size_t s);

/* Global average pooling: y[i, c] = mean over the h*w pixels of x[i, ., ., c]; n x c. */
gf_tensor *gf_global_avgpool(gf_tape *, gf_tensor *x, gf_image_shape in);

/* Channel concatenation: every x_j is n x (pixels c_j) with the same n and
 * pixel count (h*w); per pixel, y holds [x_0's c_0 channels, x_1's, ...]:
 * n x (pixels sum c_j). gf_concat is the case pixels = 1; same descriptor. */
gf_tensor *gf_concat_channels(gf_tape *, gf_tensor *const *xs, int k, size_t pixels);

/* The option-A shortcut of He et al. (parameter-free): x subsampled by the
 * stride (PyTorch's x[:, :, ::s, ::s]; ho = ceil(h / s)) with c_out - c_in
 * zero channels added, pad = (c_out - c_in) / 2 BEFORE the input's channels
 * and the rest after them: y[., ., ., pad + c] = x[., s oy, s ox, c]. This is
 * F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, pad, pad)) of the common PyTorch
 * CIFAR ResNet. Requires c_out >= c_in. Output shape gf_shortcut_out_shape. */
gf_image_shape gf_shortcut_out_shape(gf_image_shape in, size_t c_out, size_t stride);
gf_tensor *gf_shortcut_a(gf_tape *, gf_tensor *x, gf_image_shape in, size_t c_out,
                         size_t stride);

/* The threads a convolution runs its groups of images on: 1 without OpenMP
 * (meson -Dopenmp), else the number gf_conv_set_threads set, or when it set
 * none min(omp_get_max_threads, the BLAS's threads), for convs of 3e7 FLOPs
 * or more (smaller ones run on one thread). gf_conv_set_threads(n): exactly
 * n threads from now on, whatever the size (n <= 0: automatic again; no
 * effect without OpenMP). The bits of every result do not depend on it. */
int gf_conv_threads(void);
void gf_conv_set_threads(int n);

extern const gf_op gf_op_conv2d, gf_op_avgpool2d, gf_op_global_avgpool, gf_op_shortcut_a;

#ifdef __cplusplus
}
#endif
#endif
