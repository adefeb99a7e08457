/* ops_concat.c: concatenation along the features, and the table of all ops. */
#include "tape_internal.h"

#include <string.h>

gf_tensor *gf_concat(gf_tape *tape, gf_tensor *const *xs, int k)
{
    if (k < 1)
        return tape ? gf_op_fail(tape, "concat", "%d inputs, at least one is needed", k) : NULL;
    if (gf_op_begin(tape, xs, k) != 0)
        return NULL;
    const size_t n = xs[0]->n;
    size_t d = 0;
    for (int i = 0; i < k; i++) {
        if (xs[i]->n != n)
            return gf_op_fail(tape, "concat", "input %d has %zu rows but input 0 has %zu", i,
                              xs[i]->n, n);
        d += xs[i]->d;
    }
    gf_tensor *y = gf_op_output(tape, xs, k, n, d);
    if (!y)
        return NULL;
    for (size_t r = 0; r < n; r++) {
        double *dst = y->v + r * d;
        for (int i = 0; i < k; i++) {
            memcpy(dst, xs[i]->v + r * xs[i]->d, xs[i]->d * sizeof *dst);
            dst += xs[i]->d;
        }
    }
    return gf_op_push(tape, &gf_op_concat, y, xs, k) ? y : NULL;
}

/* Each input's gradient is its slice of columns of dy. */
static void concat_backward(gf_node *nd)
{
    const gf_tensor *y = nd->out;
    size_t off = 0;
    for (int i = 0; i < nd->nin; i++) {
        gf_tensor *x = nd->in[i];
        double *gx = gf_grad_acc(nd, x);
        if (gx)
            for (size_t r = 0; r < x->n; r++) {
                const double *src = y->g + r * y->d + off;
                double *dst = gx + r * x->d;
                for (size_t j = 0; j < x->d; j++)
                    dst[j] += src[j];
            }
        off += x->d;
    }
}

const gf_op gf_op_concat = {"concat", "y = [x_0, x_1, ...] along the columns", concat_backward};

const gf_op *const gf_ops[] = {
    &gf_op_linear,         &gf_op_matmul,         &gf_op_add,       &gf_op_scale,
    &gf_op_relu,           &gf_op_tanh,           &gf_op_identity,  &gf_op_batchnorm_train,
    &gf_op_batchnorm_eval, &gf_op_layernorm,      &gf_op_softmax_xent, &gf_op_mse,
    &gf_op_concat,         &gf_op_add_relu,       &gf_op_mul_scalar,
    &gf_op_embedding,      &gf_op_add_position,   &gf_op_gelu,      &gf_op_attention, NULL,
};
