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

/* ---- passes over large tensors on several threads ---------------------------
 * An element-wise pass over n entries (a convolutional net's activations and
 * their gradients) runs on the tape's threads (gf_tape_set_threads; every op
 * and every node's backward sets gf_pass_team from its tape) when n is at
 * least GF_PASS_MIN, each thread on one contiguous share: the same shares in
 * every op (OpenMP's static schedule), so a core walks the images its
 * convolution groups wrote. Every entry is computed alone, so the bits do not
 * depend on the number of threads. Below GF_PASS_MIN (an MLP's batch) one
 * thread: a parallel region costs more than the pass. */
#define GF_PASS_MIN ((size_t)1 << 15)
extern _Thread_local int gf_pass_team;
static inline int gf_pass_threads(size_t n) { return n < GF_PASS_MIN ? 1 : gf_pass_team; }
/* The same for a pass shared out in `parts` whole pieces (channels, columns,
 * heads): never more threads than pieces. */
static inline int gf_pass_threads_over(size_t n, size_t parts)
{
    const int t = gf_pass_threads(n);
    return (size_t)t < parts ? t : (int)parts;
}

/* BLAS threads for the duration of a parallel region (n: the number to
 * set); returns the number before. */
int gf_blas_threads_swap(int n);

/* C = alpha op(A) op(B) + beta C (row-major; ta, tb: transpose A, B) with the
 * m rows of C in `team` contiguous shares on OpenMP threads, one BLAS thread
 * each; a product under GF_TEAM_FLOPS, or team 1, is one call. */
void gf_gemm_team(int team, int ta, int tb, size_t m, size_t n, size_t k, double alpha,
                  const double *A, size_t lda, const double *B, size_t ldb, double beta,
                  double *C, size_t ldc);
#define GF_TEAM_FLOPS 3e7

/* acc[j] += the sum of a[i lda + j] over the rows i in order, j < cols (first:
 * acc is overwritten, starting from row 0); in vector lanes across the
 * columns, each column's sum in its order. */
void gf_column_sums(const double *a, size_t rows, size_t cols, size_t lda, double *acc,
                    int first);

/* The calling thread's number in its OpenMP team (0 outside one). */
int gf_thread_id(void);

#define GF_PRAGMA(x) _Pragma(#x)
#ifdef _OPENMP
/* the next for loop on T threads (T > 1), in static shares */
#define GF_OMP_FOR(T) GF_PRAGMA(omp parallel for schedule(static) num_threads(T) if ((T) > 1))
#else /* T is still read (no unused-variable warning); the loop runs as it is */
#define GF_OMP_FOR(T) for (int gf_once_ = ((void)(T), 1); gf_once_; gf_once_ = 0)
#endif

/* for i in [0, n): g[i] = expr on a fresh gradient, g[i] += expr otherwise
 * (on gf_pass_threads(n) threads). Saves zero-filling a buffer only to add
 * into it. */
#define GF_GRAD_LOOP(beta, g, i, n, expr)                                                       \
    do {                                                                                        \
        const size_t gf_n_ = (n);                                                               \
        const int gf_t_ = gf_pass_threads(gf_n_);                                               \
        if ((beta) == 0.0) {                                                                    \
            GF_OMP_FOR(gf_t_)                                                                   \
            for (size_t i = 0; i < gf_n_; i++)                                                  \
                (g)[i] = (expr);                                                                \
        } else {                                                                                \
            GF_OMP_FOR(gf_t_)                                                                   \
            for (size_t i = 0; i < gf_n_; i++)                                                  \
                (g)[i] += (expr);                                                               \
        }                                                                                       \
    } while (0)


#endif
