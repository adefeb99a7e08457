/* tape_internal.h: what op kernels share with the tape (not installed). */
#ifndef GF_TAPE_INTERNAL_H
#define GF_TAPE_INTERNAL_H

#include "gf_core.h"

struct gf_node {
    const gf_op *op;
    gf_tape *tape;
    gf_tensor *out;
    gf_tensor **in;        /* nin inputs */
    int nin;
    double *aux;           /* op-specific saved values (arena) */
    double s;              /* op-specific scalar (scale factor, eps) */
    const void *ctx;       /* op-specific constant context (labels, bn state) */
};

/* Begin an op: check inputs are non-NULL and the tape healthy; returns 0 to
 * go on, or -1 (the caller returns NULL). */
int gf_op_begin(gf_tape *tape, gf_tensor *const *in, int nin);

/* Record a shape error on the tape (GSL_EBADLEN, unless an error is there
 * already) with the message "op: <fmt ...>", which should name the shapes;
 * returns NULL. */
gf_tensor *gf_op_fail(gf_tape *tape, const char *op, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A new output tensor of the given shape from the arena, values uninitialized.
 * It requires a gradient when any input does. */
gf_tensor *gf_op_output(gf_tape *tape, gf_tensor *const *in, int nin, size_t n, size_t d);

/* Append the node; returns it (NULL on out of memory, recorded on the tape). */
gf_node *gf_op_push(gf_tape *tape, const gf_op *op, gf_tensor *out, gf_tensor *const *in,
                    int nin);

/* Arena memory for op-specific saved values. */
double *gf_op_aux(gf_tape *tape, size_t count);

/* Scratch memory owned by the tape, for one kernel at a time (im2col
 * buffers): at least count doubles, 64-byte aligned, contents undefined. It
 * grows when asked for more and is kept across resets, so after the first
 * step no call allocates. Any call may move it: re-fetch rather than keep the
 * pointer across ops. NULL on out of memory (recorded on the tape). */
double *gf_tape_scratch(gf_tape *tape, size_t count);

/* In backward: the gradient buffer of input t, ready to accumulate into with
 * +=; zero-filled on its first use in this pass. NULL when t needs no gradient. */
double *gf_grad_acc(gf_node *node, gf_tensor *t);

/* In backward, for kernels that can overwrite: the buffer, with *beta = 0 on
 * its first use in this pass (contents undefined: write, do not add) and 1
 * afterwards (add). GEMM takes beta as is; loops use GF_GRAD_LOOP. */
double *gf_grad_begin(gf_node *node, gf_tensor *t, double *beta);

/* for i in [0, n): g[i] = expr on a fresh gradient, g[i] += expr otherwise.
 * Saves zero-filling a buffer only to add into it. */
#define GF_GRAD_LOOP(beta, g, i, n, expr)                                                       \
    do {                                                                                        \
        if ((beta) == 0.0)                                                                      \
            for (size_t i = 0; i < (n); i++)                                                    \
                (g)[i] = (expr);                                                                \
        else                                                                                    \
            for (size_t i = 0; i < (n); i++)                                                    \
                (g)[i] += (expr);                                                               \
    } while (0)


#endif
