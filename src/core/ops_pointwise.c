/* ops_pointwise.c: add, scale, relu, tanh, identity, and add + relu fused. */
#include "tape_internal.h"

#include <math.h>
#include <string.h>

GF_VECTOR_CLONES static void unary_forward(const gf_op *op, const double *xv, double *yv,
                                           size_t size, double s)
{
    if (op == &gf_op_relu)
        for (size_t i = 0; i < size; i++)
            yv[i] = !(xv[i] <= 0.0) ? xv[i] : 0.0; /* NaN passes: overflow stays visible */
    else if (op == &gf_op_tanh)
        for (size_t i = 0; i < size; i++)
            yv[i] = tanh(xv[i]);
    else if (op == &gf_op_scale)
        for (size_t i = 0; i < size; i++)
            yv[i] = s * xv[i];
    else
        memcpy(yv, xv, size * sizeof *yv);
}

static gf_tensor *unary(gf_tape *tape, const gf_op *op, gf_tensor *x, double s)
{
    if (gf_op_begin(tape, &x, 1) != 0)
        return NULL;
    gf_tensor *y = gf_op_output(tape, &x, 1, x->n, x->d);
    if (!y)
        return NULL;
    unary_forward(op, x->v, y->v, gf_tensor_size(x), s);
    gf_node *nd = gf_op_push(tape, op, y, &x, 1);
    if (!nd)
        return NULL;
    nd->s = s;
    return y;
}

gf_tensor *gf_relu(gf_tape *t, gf_tensor *x) { return unary(t, &gf_op_relu, x, 0.0); }
gf_tensor *gf_tanh(gf_tape *t, gf_tensor *x) { return unary(t, &gf_op_tanh, x, 0.0); }
gf_tensor *gf_scale(gf_tape *t, gf_tensor *x, double s) { return unary(t, &gf_op_scale, x, s); }
gf_tensor *gf_identity(gf_tape *t, gf_tensor *x) { return unary(t, &gf_op_identity, x, 1.0); }

/* Both operands loaded unconditionally: the compiler then emits a
 * compare-and-mask (vectorized) instead of a branch that mispredicts on
 * half of the entries. */
static inline double relu_pass(double y, double g) { return y > 0.0 ? g : 0.0; }

/* dx += dy * [y > 0]  (the output carries the mask) */
GF_VECTOR_CLONES static void relu_backward(gf_node *nd)
{
    double beta;
    double *gx = gf_grad_begin(nd, nd->in[0], &beta);
    if (!gx)
        return;
    const double *y = nd->out->v, *gy = nd->out->g;
    const size_t size = gf_tensor_size(nd->out);
    GF_GRAD_LOOP(beta, gx, i, size, relu_pass(y[i], gy[i]));
}

/* dx += dy * (1 - y^2) */
static void tanh_backward(gf_node *nd)
{
    double beta;
    double *gx = gf_grad_begin(nd, nd->in[0], &beta);
    if (!gx)
        return;
    const double *y = nd->out->v, *gy = nd->out->g;
    const size_t size = gf_tensor_size(nd->out);
    GF_GRAD_LOOP(beta, gx, i, size, gy[i] * (1.0 - y[i] * y[i]));
}

/* dx += s dy (identity: s = 1) */
static void scale_backward(gf_node *nd)
{
    double beta;
    double *gx = gf_grad_begin(nd, nd->in[0], &beta);
    if (!gx)
        return;
    const double s = nd->s, *gy = nd->out->g;
    const size_t size = gf_tensor_size(nd->out);
    GF_GRAD_LOOP(beta, gx, i, size, s * gy[i]);
}

const gf_op gf_op_relu = {"relu", "y = max(x, 0)", relu_backward};
const gf_op gf_op_tanh = {"tanh", "y = tanh(x)", tanh_backward};
const gf_op gf_op_scale = {"scale", "y = s x", scale_backward};
const gf_op gf_op_identity = {"identity", "y = x", scale_backward};

GF_VECTOR_CLONES static void add_forward(const double *a, const double *b, double *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = a[i] + b[i];
}

/* a, b: n x d -> y = a + b */
gf_tensor *gf_add(gf_tape *tape, gf_tensor *a, gf_tensor *b)
{
    gf_tensor *in[2] = {a, b};
    if (gf_op_begin(tape, in, 2) != 0)
        return NULL;
    if (a->n != b->n || a->d != b->d)
        return gf_op_fail(tape, "add", "a and b have the same shape");
    gf_tensor *y = gf_op_output(tape, in, 2, a->n, a->d);
    if (!y)
        return NULL;
    add_forward(a->v, b->v, y->v, gf_tensor_size(a));
    return gf_op_push(tape, &gf_op_add, y, in, 2) ? y : NULL;
}

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

GF_VECTOR_CLONES static void add_relu_forward(const double *a, const double *b, double *y,
                                              size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const double z = a[i] + b[i];
        y[i] = !(z <= 0.0) ? z : 0.0;
    }
}

/* a, b: n x d -> y = relu(a + b), the end of a post-activation residual block */
gf_tensor *gf_add_relu(gf_tape *tape, gf_tensor *a, gf_tensor *b)
{
    gf_tensor *in[2] = {a, b};
    if (gf_op_begin(tape, in, 2) != 0)
        return NULL;
    if (a->n != b->n || a->d != b->d)
        return gf_op_fail(tape, "add_relu", "a and b have the same shape");
    gf_tensor *y = gf_op_output(tape, in, 2, a->n, a->d);
    if (!y)
        return NULL;
    add_relu_forward(a->v, b->v, y->v, gf_tensor_size(a));
    return gf_op_push(tape, &gf_op_add_relu, y, in, 2) ? y : NULL;
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
        return gf_op_fail(tape, "mul_scalar", "the scalar is 1 x 1");
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
