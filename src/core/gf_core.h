/* gf_core.h: the reverse-mode autodiff engine of gradflow.
 *
 * Overview
 *   Values are row-major matrices of doubles, n rows (the batch) by d columns
 *   (the features). An op constructor checks shapes, takes its output from the
 *   tape's arena, computes the forward pass at once and appends a node to the
 *   tape. Creation order is a topological order, so gf_tape_backward walks the
 *   nodes in reverse. Backward kernels add into input gradients (writing
 *   directly on a gradient's first use in a pass, which is the same), so a
 *   tensor used twice (a skip connection) sums its gradients by construction.
 *   gf_tape_reset rewinds the arena: after the first step no memory is
 *   allocated.
 *
 *   Gradients carry a scale exponent: the true gradient of t is
 *   t->g[i] * 2^t->gexp. An observer on a tensor (a probe, see gf_probe.h)
 *   sees its final gradient during backward and may renormalize it by a power
 *   of two, so a 1000-layer stack can lose hundreds of decades without
 *   underflowing. The gradients of leaves (parameters, inputs: tensors no op
 *   made) are brought back to true scale at the end of gf_tape_backward, so an
 *   optimizer reads them as they are; they may then underflow, as in any float
 *   framework, and gf_tensor_grad_export still reports their exact norm.
 *
 * Worked example
 *   gf_tape *tape = gf_tape_alloc(0);
 *   gf_tensor *x = gf_tape_input(tape, 32, 10);          // fill x->v
 *   gf_tensor *h = gf_relu(tape, gf_linear(tape, x, W, b));
 *   gf_tensor *loss = gf_softmax_xent(tape, h, labels);
 *   gf_tape_backward(tape, loss);                         // W->g, b->g filled
 *   gf_tape_reset(tape);                                  // next step
 *
 * Errors (the convention of the whole core): functions that can fail return
 * a GSL status code (GSL_SUCCESS, GSL_EBADLEN for a shape error, GSL_EINVAL,
 * GSL_ENOMEM); op constructors return NULL instead and propagate a NULL input.
 * The failing object keeps the FIRST error, status and message, until it is
 * reset: gf_tape_status() and gf_tape_error(), e.g. "linear: x is 32 x 64 but
 * W is 128 x 128 (out x in)". The core never calls the GSL error handler and
 * never exits; a caller prints gf_tape_error() where it reports the failure.
 * An op on a tape that already failed does nothing and returns NULL, so a
 * whole forward pass can be written without checks and tested once at the end.
 */
#ifndef GF_CORE_H
#define GF_CORE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- arena ------------------------------------------------------------ */

/* A bump allocator over a list of chunks; reset keeps the chunks. */
typedef struct gf_arena gf_arena;

gf_arena *gf_arena_alloc(size_t chunk_bytes);
void gf_arena_free(gf_arena *a);
void *gf_arena_get(gf_arena *a, size_t bytes); /* 64-byte aligned, NULL if out of memory */
void gf_arena_reset(gf_arena *a);
size_t gf_arena_bytes_reserved(const gf_arena *a); /* bytes obtained from malloc so far */
size_t gf_arena_mallocs(const gf_arena *a);        /* number of chunk allocations so far */

/* Room for one more item in a growing array: when n == *cap, realloc *items
 * (items is the address of the array's pointer, T **) to twice *cap items of
 * elem bytes, or to `first` items when it is empty. 0, or -1 out of memory
 * (the array then unchanged). */
int gf_grow(void *items, size_t *cap, size_t n, size_t elem, size_t first);

/* Memory for large buffers (arena chunks, parameters): 64-byte aligned, and
 * backed by huge pages where the kernel allows it (far fewer page faults on
 * the hundreds of megabytes a 1000-layer stack touches). Free with free(). */
void *gf_big_alloc(size_t bytes);

/* ---- tensors ---------------------------------------------------------- */

struct gf_tensor;

/* An observer of a tensor's final gradient: the backward driver calls
 * fn(ctx, t) once t's gradient is complete, just before the node that made t
 * runs backward. fn reads t->g (in units of 2^t->gexp) and may rescale it
 * exactly, moving the factor into t->gexp (the true gradient must not
 * change). The instrumentation (probe/) implements it; the core knows only
 * this hook. */
typedef struct gf_observer {
    void (*fn)(void *ctx, struct gf_tensor *t);
    void *ctx;
} gf_observer;

enum {
    GF_REQUIRES_GRAD = 1u << 0, /* backward must produce a gradient for it */
    GF_OP_OUTPUT = 1u << 1,     /* made by an op on a tape (not a leaf) */
    GF_GRAD_FOLDED = 1u << 2,   /* a leaf whose 2^gexp was folded into g; glog2 is exact */
};

typedef struct gf_tensor {
    size_t n, d;            /* rows (batch) x columns (features) */
    double *v;              /* values, n*d, row-major */
    double *g;              /* gradient in units of 2^gexp, valid when pass != 0 */
    int gexp;               /* scale exponent of g */
    double glog2;           /* exact log2 ||g|| of a folded leaf (GF_GRAD_FOLDED) */
    unsigned flags;
    uint64_t pass;          /* the backward pass that last wrote g; 0: never */
    const gf_observer *obs; /* sees the final gradient during backward, or NULL */
} gf_tensor;

static inline size_t gf_tensor_size(const gf_tensor *t) { return t->n * t->d; }

/* 1 when a backward pass has reached t. A tensor keeps the gradient of the
 * last pass that reached it (as PyTorch's .grad): passes are numbered across
 * all tapes, so a tape never needs to touch tensors it does not own. */
static inline int gf_tensor_has_grad(const gf_tensor *t) { return t->pass != 0; }

/* A parameter: values and gradient point into caller-owned memory (for
 * example gf_params' contiguous buffers). The gradient is overwritten, not
 * added to, by the first backward contribution of each pass. */
void gf_tensor_bind(gf_tensor *t, size_t n, size_t d, double *v, double *g);

/* ---- tape ------------------------------------------------------------- */

typedef struct gf_tape gf_tape;
typedef struct gf_node gf_node;

gf_tape *gf_tape_alloc(size_t chunk_bytes); /* 0: a default chunk size */
void gf_tape_free(gf_tape *tape);
void gf_tape_reset(gf_tape *tape);

/* Threads for this tape's ops (default 1): element-wise passes over large
 * tensors, Linear products in row or column shares (one BLAS thread each),
 * attention's heads; the bits do not depend on it. The families whose
 * products all run that way (conv nets, inside the convolution's groups; the
 * transformer: gf_model_type.team) set the BLAS's thread count. Where the
 * BLAS's own threads run the products (an MLP) it stays 1: OpenBLAS's threads
 * spin after each call and an OpenMP team beside them fights them (a
 * transformer step: 840 ms with products on OpenBLAS's threads and passes on
 * one, 1,150 ms with the passes on a team beside them). */
void gf_tape_set_threads(gf_tape *tape, int n);
int gf_tape_status(const gf_tape *tape);     /* GSL_SUCCESS or the first error */
/* The first error's message ("" while the status is GSL_SUCCESS), naming the
 * op and the shapes; cleared by gf_tape_reset. Valid until the next reset. */
const char *gf_tape_error(const gf_tape *tape);
size_t gf_tape_nodes(const gf_tape *tape);
/* The tensor node i made (0 <= i < gf_tape_nodes), in creation order: lets a
 * tool inspect every value and gradient of a step (until the tape is reset). */
gf_tensor *gf_tape_output(const gf_tape *tape, size_t i);
/* The op of node i (NULL outside the range). */
const struct gf_op *gf_tape_op(const gf_tape *tape, size_t i);
/* The inputs of node i: their count (0 outside the range) and input j (NULL
 * outside): lets a tool count a pass's work from its shapes. */
int gf_tape_node_inputs(const gf_tape *tape, size_t i);
gf_tensor *gf_tape_node_input(const gf_tape *tape, size_t i, int j);
gf_arena *gf_tape_arena(gf_tape *tape);
/* Bytes of the tape's scratch buffer (im2col chunks of the convolution),
 * kept across resets: tape memory beside gf_arena_bytes_reserved. */
size_t gf_tape_scratch_bytes(const gf_tape *tape);
/* The number of the tape's last backward pass (0 before the first): a
 * tensor holds a gradient of that pass when its ->pass equals it. */
uint64_t gf_tape_pass(const gf_tape *tape);

/* A tensor from the arena with uninitialized values; not differentiated
 * unless GF_REQUIRES_GRAD is set by the caller. */
gf_tensor *gf_tape_input(gf_tape *tape, size_t n, size_t d);

/* Seed dL/dloss = 1 for a 1x1 loss and run every node's backward in reverse.
 * Parameter gradients end at true scale (2^gexp folded in). */
int gf_tape_backward(gf_tape *tape, gf_tensor *loss);

/* Same with a caller-given cotangent for a tensor of any shape (a
 * vector-Jacobian product); seed has out->n * out->d entries. */
int gf_tape_backward_from(gf_tape *tape, gf_tensor *out, const double *seed);

/* The gradient of t at true scale, written into dst (n*d doubles); entries
 * below the double range become 0. Returns log2 of its Frobenius norm
 * (-INFINITY for a zero gradient), exact even where dst underflows. */
double gf_tensor_grad_export(const gf_tensor *t, double *dst);

/* x[i] *= 2^k: exact, but for results that fall below the normal range. */
void gf_scale_pow2(double *x, size_t n, int k);

/* y[i] = exp x[i] (y may be x), in vector lanes, within about one ulp, the
 * same bits on every CPU (exp.c). */
void gf_exp_array(const double *x, double *y, size_t n);

/* Hot element-wise loops get AVX2 and AVX-512 versions beside the baseline
 * one, picked at load time by the CPU (GCC's function multiversioning).
 * Public so that modules above the core (probe/) can use it too. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(GF_NO_CLONES)
#define GF_VECTOR_CLONES __attribute__((target_clones("default", "avx2", "avx512f")))
#else
#define GF_VECTOR_CLONES
#endif

/* With GF_VECTOR_CLONES on arithmetic that must keep its bits: no a b + c
 * contracted into one FMA rounding on the clones whose target has FMA, so
 * every clone rounds the same operations as the baseline build. */
#if defined(__GNUC__) && !defined(__clang__)
#define GF_NO_CONTRACT __attribute__((optimize("fp-contract=off")))
#else
#define GF_NO_CONTRACT
#endif

/* ---- ops -------------------------------------------------------------- */

/* Every op, with the math of its forward pass (x: n x d input). */
/* y = x W^T + b; W is out x in, b is 1 x out or NULL */
gf_tensor *gf_linear(gf_tape *, gf_tensor *x, gf_tensor *w, gf_tensor *b);
gf_tensor *gf_matmul(gf_tape *, gf_tensor *a, gf_tensor *b);   /* y = A B */
gf_tensor *gf_add(gf_tape *, gf_tensor *a, gf_tensor *b);      /* y = a + b */
gf_tensor *gf_scale(gf_tape *, gf_tensor *x, double s);        /* y = s x */
gf_tensor *gf_mul_scalar(gf_tape *, gf_tensor *x, gf_tensor *a); /* y = a x, a a 1 x 1 tensor */
gf_tensor *gf_relu(gf_tape *, gf_tensor *x);                   /* y = max(x, 0); relu'(0) = 0 */
gf_tensor *gf_tanh(gf_tape *, gf_tensor *x);                   /* y = tanh x */
gf_tensor *gf_identity(gf_tape *, gf_tensor *x);               /* y = x */
gf_tensor *gf_add_relu(gf_tape *, gf_tensor *a, gf_tensor *b); /* y = max(a + b, 0), fused */

/* Batch norm over the rows. training: y = gamma (x - mean_B) / sqrt(var_B + eps) + beta,
 * with the biased batch variance, and running <- (1 - momentum) running + momentum stat
 * (unbiased variance, as PyTorch); *batches_tracked += 1. eval: the running statistics. */
typedef struct gf_bn_state {
    gf_tensor *gamma, *beta;     /* 1 x d */
    double *running_mean;        /* d */
    double *running_var;         /* d */
    double *batches_tracked;     /* 1 (a count kept as a double) */
    double momentum, eps;
} gf_bn_state;
gf_tensor *gf_batchnorm(gf_tape *, gf_tensor *x, const gf_bn_state *bn, int training);

/* Layer norm over the columns: y = gamma (x - mean_row) / sqrt(var_row + eps) + beta. */
gf_tensor *gf_layernorm(gf_tape *, gf_tensor *x, gf_tensor *gamma, gf_tensor *beta, double eps);

/* L = mean_i [ logsumexp(z_i) - z_{i, label_i} ]; 1 x 1. labels has n entries in [0, d). */
gf_tensor *gf_softmax_xent(gf_tape *, gf_tensor *logits, const int *labels);

/* L = mean over all n*d entries of (y - t)^2; 1 x 1. */
gf_tensor *gf_mse(gf_tape *, gf_tensor *y, gf_tensor *target);

/* y = [x_0, x_1, ..., x_{k-1}] along the columns; all have n rows. */
gf_tensor *gf_concat(gf_tape *, gf_tensor *const *xs, int k);

/* ---- the forward arithmetic without a tape ---------------------------------
 * What the ops above compute in their forward passes, for an evaluation that
 * keeps no tape (nn's gf_stack_infer): the same operations in the same order,
 * so the same bits. The ops themselves run these. */

/* relu; NaN passes, so an overflow stays visible */
static inline double gf_relu_value(double x) { return !(x <= 0.0) ? x : 0.0; }

/* Batch norm in evaluation mode, one entry: gamma (x - mean) invstd + beta. */
static inline double gf_bn_value(double x, double gamma, double mean, double invstd, double beta)
{
    return gamma * (x - mean) * invstd + beta;
}
static inline double gf_bn_invstd(double var, double eps) { return 1.0 / sqrt(var + eps); }

/* y (n x out) = x W^T + b as gf_linear: b broadcast into y, then the product
 * added to it by one CBLAS call (b NULL: y overwritten). */
void gf_linear_rows(const double *x, size_t n, size_t in, const double *w, size_t out,
                    const double *b, double *y);

/* sum_i [ logsumexp(z_i) - z_{i, label_i} ] over n rows of c logits (gf_softmax_xent's
 * loss times n); p (n x c) receives the softmax, or NULL. Labels are not checked. */
double gf_xent_sum(const double *z, const int *labels, size_t n, size_t c, double *p);

/* Rows whose first largest logit is not the label. */
size_t gf_wrong_count(const double *z, const int *labels, size_t n, size_t c);

/* ---- dense blocks (DenseNet) --------------------------------------------- */

/* Images are NHWC rows: x is n x (hw * c), a pixel's c channels adjacent.
 * The input of a DenseNet layer is relu(BN([x_0, ..., x_{k-1}])) over the
 * channels of the concatenation of every earlier output of its block. The
 * op reads the x_i where they lie: the concatenation is never stored. Its
 * output (n x hw*C, C = sum of the c_i) goes to fresh tape memory, or, with
 * a scratch, into that block-wide buffer (values and gradient), shared by
 * every layer and overwritten by the next: the consumer of the output must
 * then be followed by gf_dense_restore, which recomputes it in backward. A
 * block's memory is so linear in its layers (Pleiss et al. 2017), not
 * quadratic. norms (k entries, may be NULL): backward writes log2 of the
 * norm of the gradient this op sends to each x_i (its slice of dL/d[x_0 ..]),
 * -inf where none. bn's gamma and beta are 1 x C; statistics as gf_batchnorm. */
enum { GF_DENSE_MAX_INPUTS = 1024 };
typedef struct gf_dense_scratch {
    double *v, *g;  /* cap doubles each, tape memory */
    size_t cap;
} gf_dense_scratch;
/* A scratch of count values (and gradients) from the tape's arena; NULL on error. */
gf_dense_scratch *gf_dense_scratch_get(gf_tape *, size_t count);
gf_tensor *gf_dense_bnrelu(gf_tape *, gf_tensor *const *xs, int k, size_t hw,
                           const gf_bn_state *bn, int training, gf_dense_scratch *scratch,
                           double *norms);
/* y = x (the same values, no copy), for x the output of the op that consumed
 * h (a gf_dense_bnrelu output in a scratch): backward first rewrites h into
 * the scratch, so that op's backward reads h's values, then dx += dy. */
gf_tensor *gf_dense_restore(gf_tape *, gf_tensor *x, gf_tensor *h);

/* ---- sequence ops (the transformer) ------------------------------------ *
 * Tokens are rows: a batch of B sequences of T tokens at width d is a
 * (B*T) x d tensor, token t of sequence b in row b*T + t. LayerNorm per
 * position is gf_layernorm (over the columns); the loss at every position is
 * gf_softmax_xent over the (B*T) x V logits. */
/* y_r = E[ids_r]; E (wte) is V x d, ids has n entries in [0, V) (kept until reset) */
gf_tensor *gf_embedding(gf_tape *, const int *ids, size_t n, gf_tensor *table);
/* y_{bT+t} = x_{bT+t} + P_t; P (wpe) is ctx x d with ctx >= T */
gf_tensor *gf_add_position(gf_tape *, gf_tensor *x, gf_tensor *pos, size_t T);
/* y = x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)): exact GELU, as nn.GELU() */
gf_tensor *gf_gelu(gf_tape *, gf_tensor *x);
/* qkv (B*T) x 3d = [Q | K | V]; per sequence and head (dh = d / heads columns):
 * O = softmax(Q K^T / sqrt(dh) + M) V, M_ts = -inf for s > t when causal;
 * y is (B*T) x d with the heads side by side (before the output projection). */
gf_tensor *gf_attention(gf_tape *, gf_tensor *qkv, size_t T, int heads, int causal);

/* ---- op descriptors ---------------------------------------------------- */

typedef struct gf_op {
    const char *name;
    const char *math;                    /* one line */
    void (*backward)(gf_node *node);     /* accumulate into the inputs' gradients */
} gf_op;

extern const gf_op gf_op_linear, gf_op_matmul, gf_op_add, gf_op_scale, gf_op_mul_scalar, gf_op_relu,
    gf_op_tanh, gf_op_identity, gf_op_add_relu, gf_op_batchnorm_train, gf_op_batchnorm_eval,
    gf_op_layernorm, gf_op_softmax_xent, gf_op_mse, gf_op_concat, gf_op_dense_bnrelu_train,
    gf_op_dense_bnrelu_eval, gf_op_dense_restore;
/* the sequence ops */
extern const gf_op gf_op_embedding, gf_op_add_position, gf_op_gelu, gf_op_attention;

/* Every op, NULL-terminated, so tests can loop over all of them. */
extern const gf_op *const gf_ops[];

#ifdef __cplusplus
}
#endif
#endif
