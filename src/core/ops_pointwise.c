/* ops_pointwise.c: add, scale, relu, tanh, identity, and add + relu fused. */
#include "tape_internal.h"

#include <math.h>
#include <string.h>

/* Forward kernels of the unary ops: y[i] = f(x[i]) for i < size (s: scale's factor). */
typedef void unary_kernel(const double *x, double *y, size_t size, double s);

GF_VECTOR_CLONES static void relu_forward(const double *x, double *y, size_t size, double s)
{
    (void)s;
    const int T = gf_pass_threads(size);
    GF_OMP_FOR(T)
    for (size_t i = 0; i < size; i++)
        y[i] = gf_relu_value(x[i]);
}

static void tanh_forward(const double *x, double *y, size_t size, double s)
{
    (void)s;
    for (size_t i = 0; i < size; i++)
        y[i] = tanh(x[i]);
}

GF_VECTOR_CLONES static void scale_forward(const double *x, double *y, size_t size, double s)
{
    const int T = gf_pass_threads(size);
    GF_OMP_FOR(T)
    for (size_t i = 0; i < size; i++)
        y[i] = s * x[i];
}

static void copy_forward(const double *x, double *y, size_t size, double s)
{
    (void)s;
    memcpy(y, x, size * sizeof *y);
}

static gf_tensor *unary(gf_tape *tape, const gf_op *op, unary_kernel *forward, gf_tensor *x,
                        double s)
{
    if (gf_op_begin(tape, &x, 1) != 0)
        return NULL;
    gf_tensor *y = gf_op_output(tape, &x, 1, x->n, x->d);
    if (!y)
        return NULL;
    forward(x->v, y->v, gf_tensor_size(x), s);
    gf_node *nd = gf_op_push(tape, op, y, &x, 1);
    if (!nd)
        return NULL;
    nd->s = s;
    return y;
}

gf_tensor *gf_relu(gf_tape *t, gf_tensor *x) { return unary(t, &gf_op_relu, relu_forward, x, 0.0); }
gf_tensor *gf_tanh(gf_tape *t, gf_tensor *x) { return unary(t, &gf_op_tanh, tanh_forward, x, 0.0); }
gf_tensor *gf_scale(gf_tape *t, gf_tensor *x, double s)
{
    return unary(t, &gf_op_scale, scale_forward, x, s);
}
gf_tensor *gf_identity(gf_tape *t, gf_tensor *x)
{
    return unary(t, &gf_op_identity, copy_forward, x, 1.0);
}

/* Both operands loaded unconditionally: the compiler then emits a
 * compare-and-mask (vectorized) instead of a branch that mispredicts on
 * half of the entries. */
static inline double relu_pass(double y, double g) { return y > 0.0 ? g : 0.0; }

/* The backward of a unary op, dx += expr, with expr at entry i of y (the
 * output), gy (its gradient) and s (the node's factor): one body for the
 * three, each with its math inlined in the loop. */
#define UNARY_BACKWARD(name, expr)                                                             \
    static void name(gf_node *nd)                                                              \
    {                                                                                          \
        double beta;                                                                           \
        double *gx = gf_grad_begin(nd, nd->in[0], &beta);                                      \
        if (!gx)                                                                               \
            return;                                                                            \
        const double s = nd->s, *y = nd->out->v, *gy = nd->out->g;                             \
        const size_t size = gf_tensor_size(nd->out);                                           \
        (void)s;                                                                               \
        (void)y;                                                                               \
        GF_GRAD_LOOP(beta, gx, i, size, expr);                                                 \
    }

/* dx += dy * [y > 0]  (the output carries the mask) */
GF_VECTOR_CLONES UNARY_BACKWARD(relu_backward, relu_pass(y[i], gy[i]))
/* dx += dy * (1 - y^2) */
UNARY_BACKWARD(tanh_backward, gy[i] * (1.0 - y[i] * y[i]))
/* dx += s dy (identity: s = 1) */
UNARY_BACKWARD(scale_backward, s * gy[i])

const gf_op gf_op_relu = {"relu", "y = max(x, 0)", relu_backward};
const gf_op gf_op_tanh = {"tanh", "y = tanh(x)", tanh_backward};
const gf_op gf_op_scale = {"scale", "y = s x", scale_backward};
const gf_op gf_op_identity = {"identity", "y = x", scale_backward};

/* Forward kernels of the element-wise binary ops: y[i] = f(a[i], b[i]). */
typedef void binary_kernel(const double *a, const double *b, double *y, size_t n);

/* a, b: n x d -> y = f(a, b), entry by entry */
static gf_tensor *binary(gf_tape *tape, const gf_op *op, binary_kernel *forward, gf_tensor *a,
                         gf_tensor *b)
{
    gf_tensor *in[2] = {a, b};
    if (gf_op_begin(tape, in, 2) != 0)
        return NULL;
    if (a->n != b->n || a->d != b->d)
        return gf_op_fail(tape, op->name, "a is %zu x %zu but b is %zu x %zu", a->n, a->d, b->n,
                          b->d);
    gf_tensor *y = gf_op_output(tape, in, 2, a->n, a->d);
    if (!y)
        return NULL;
    forward(a->v, b->v, y->v, gf_tensor_size(a));
    return gf_op_push(tape, op, y, in, 2) ? y : NULL;
}

GF_VECTOR_CLONES static void add_forward(const double *a, const double *b, double *y, size_t n)
{
    const int T = gf_pass_threads(n);
    GF_OMP_FOR(T)
    for (size_t i = 0; i < n; i++)
        y[i] = a[i] + b[i];
}

gf_tensor *gf_add(gf_tape *tape, gf_tensor *a, gf_tensor *b)
{
    return binary(tape, &gf_op_add, add_forward, a, b);
}

/* lesson:add-backward begin */
/* da += dy; db += dy (a tensor added to itself gets 2 dy) */
GF_VECTOR_CLONES static void add_backward(gf_node *nd)
{
    const size_t size = gf_tensor_size(nd->out);
    const double *gy = nd->out->g;
    for (int k = 0; k < 2; k++) {
        double beta;
        double *g = gf_grad_begin(nd, nd->in[k], &beta);
        if (g)
            GF_GRAD_LOOP(beta, g, i, size, gy[i]);
    }
}

const gf_op gf_op_add = {"add", "y = a + b", add_backward};
/* lesson:add-backward end */

GF_VECTOR_CLONES static void add_relu_forward(const double *a, const double *b, double *y,
                                              size_t n)
{
    const int T = gf_pass_threads(n);
    GF_OMP_FOR(T)
    for (size_t i = 0; i < n; i++)
        y[i] = gf_relu_value(a[i] + b[i]);
}

/* y = relu(a + b), the end of a post-activation residual block */
gf_tensor *gf_add_relu(gf_tape *tape, gf_tensor *a, gf_tensor *b)
{
    return binary(tape, &gf_op_add_relu, add_relu_forward, a, b);
}

/* da += dy [y > 0];  db += the same */
GF_VECTOR_CLONES static void add_relu_backward(gf_node *nd)
{
    const size_t size = gf_tensor_size(nd->out);
    const double *y = nd->out->v, *gy = nd->out->g;
    double beta_a, beta_b;
    double *ga = gf_grad_begin(nd, nd->in[0], &beta_a);
    double *gb = nd->in[1] != nd->in[0] ? gf_grad_begin(nd, nd->in[1], &beta_b) : NULL;
    if (ga && gb && beta_a == 0.0 && beta_b == 0.0) { /* the usual case: one pass, two writes */
        const int T = gf_pass_threads(size);
        GF_OMP_FOR(T)
        for (size_t i = 0; i < size; i++)
            ga[i] = gb[i] = relu_pass(y[i], gy[i]);
        return;
    }
    if (ga)
        GF_GRAD_LOOP(beta_a, ga, i, size, relu_pass(y[i], gy[i]));
    if (gb)
        GF_GRAD_LOOP(beta_b, gb, i, size, relu_pass(y[i], gy[i]));
    if (nd->in[1] == nd->in[0] && ga) /* relu(a + a): a gets the mask twice */
        GF_GRAD_LOOP(1.0, ga, i, size, relu_pass(y[i], gy[i]));
}

const gf_op gf_op_add_relu = {"add_relu", "y = max(a + b, 0)", add_relu_backward};

/* x: n x d, a: 1 x 1 (a learnable scalar) -> y = a x */
gf_tensor *gf_mul_scalar(gf_tape *tape, gf_tensor *x, gf_tensor *a)
{
    gf_tensor *in[2] = {x, a};
    if (gf_op_begin(tape, in, 2) != 0)
        return NULL;
    if (a->n != 1 || a->d != 1)
        return gf_op_fail(tape, "mul_scalar", "the scalar is %zu x %zu, not 1 x 1", a->n, a->d);
    gf_tensor *y = gf_op_output(tape, in, 2, x->n, x->d);
    if (!y)
        return NULL;
    const size_t size = gf_tensor_size(x);
    const double s = a->v[0];
    for (size_t i = 0; i < size; i++)
        y->v[i] = s * x->v[i];
    return gf_op_push(tape, &gf_op_mul_scalar, y, in, 2) ? y : NULL;
}

/* dx += a dy;  da += sum(dy x) */
static void mul_scalar_backward(gf_node *nd)
{
    gf_tensor *x = nd->in[0], *a = nd->in[1];
    const size_t size = gf_tensor_size(x);
    const double *gy = nd->out->g, s = a->v[0];
    double beta;
    double *gx = x != a ? gf_grad_begin(nd, x, &beta) : NULL;
    if (gx)
        GF_GRAD_LOOP(beta, gx, i, size, s * gy[i]);
    double *ga = gf_grad_acc(nd, a);
    if (ga) {
        double acc = 0.0;
        for (size_t i = 0; i < size; i++)
            acc += gy[i] * x->v[i];
        ga[0] += acc;
    }
}

const gf_op gf_op_mul_scalar = {"mul_scalar", "y = a x, a a learnable 1 x 1 scalar",
                                mul_scalar_backward};
