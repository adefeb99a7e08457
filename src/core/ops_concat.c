/* ops_concat.c: concatenation along the features (or image channels), and the table of all ops. */
#include "tape_internal.h"

#include "gf_conv.h"

#include <string.h>

/* Every x_i seen as (n pixels) x c_i: y's rows are the rows of the views side by side. */
gf_tensor *gf_concat_channels(gf_tape *tape, gf_tensor *const *xs, int k, size_t pixels)
{
    if (k < 1)
        return tape ? gf_op_fail(tape, "concat", "%d inputs, at least one is needed", k) : NULL;
    if (gf_op_begin(tape, xs, k) != 0)
        return NULL;
    if (pixels == 0)
        return gf_op_fail(tape, "concat", "0 pixels per image");
    const size_t n = xs[0]->n;
    size_t d = 0;
    for (int i = 0; i < k; i++) {
        if (xs[i]->n != n)
            return gf_op_fail(tape, "concat", "input %d has %zu rows but input 0 has %zu", i,
                              xs[i]->n, n);
        if (xs[i]->d % pixels != 0)
            return gf_op_fail(tape, "concat", "input %d is %zu x %zu: not %zu pixels of whole "
                              "channels", i, xs[i]->n, xs[i]->d, pixels);
        d += xs[i]->d;
    }
    gf_tensor *y = gf_op_output(tape, xs, k, n, d);
    if (!y)
        return NULL;
    const size_t rows = n * pixels, c = d / pixels;
    for (size_t r = 0; r < rows; r++) {
        double *dst = y->v + r * c;
        for (int i = 0; i < k; i++) {
            const size_t ci = xs[i]->d / pixels;
            memcpy(dst, xs[i]->v + r * ci, ci * sizeof *dst);
            dst += ci;
        }
    }
    gf_node *nd = gf_op_push(tape, &gf_op_concat, y, xs, k);
    if (!nd)
        return NULL;
    nd->s = (double)pixels;
    return y;
}

gf_tensor *gf_concat(gf_tape *tape, gf_tensor *const *xs, int k)
{
    return gf_concat_channels(tape, xs, k, 1);
}

/* Each input's gradient is its slice of columns of dy's (n pixels) x c view. */
static void concat_backward(gf_node *nd)
{
    const gf_tensor *y = nd->out;
    const size_t pixels = (size_t)nd->s, rows = y->n * pixels, c = y->d / pixels;
    size_t off = 0;
    for (int i = 0; i < nd->nin; i++) {
        gf_tensor *x = nd->in[i];
        const size_t ci = x->d / pixels;
        double beta;
        double *gx = gf_grad_begin(nd, x, &beta);
        if (gx)
            for (size_t r = 0; r < rows; r++) {
                const double *src = y->g + r * c + off;
                GF_GRAD_LOOP(beta, gx + r * ci, j, ci, src[j]);
            }
        off += ci;
    }
}

const gf_op gf_op_concat = {"concat",
                            "y = [x_0, x_1, ...] along the columns (per pixel for images)",
                            concat_backward};

const gf_op *const gf_ops[] = {
    &gf_op_linear,         &gf_op_matmul,         &gf_op_add,       &gf_op_scale,
    &gf_op_relu,           &gf_op_tanh,           &gf_op_identity,  &gf_op_batchnorm_train,
    &gf_op_batchnorm_eval, &gf_op_layernorm,      &gf_op_softmax_xent, &gf_op_mse,
    &gf_op_concat,         &gf_op_add_relu,       &gf_op_mul_scalar,
    &gf_op_conv2d,         &gf_op_avgpool2d,      &gf_op_global_avgpool, &gf_op_shortcut_a,
    &gf_op_dense_bnrelu_train, &gf_op_dense_bnrelu_eval, &gf_op_dense_restore,
    &gf_op_embedding,      &gf_op_add_position,   &gf_op_gelu,      &gf_op_attention, NULL,
};
