/* ops_embed.c: the token embedding (a row gather), the learned positional
 * embedding (a periodic row add) and GELU: the element-wise pieces of a
 * transformer. Tokens are rows: B sequences of T tokens at width d are a
 * (B*T) x d tensor, token t of sequence b in row b*T + t. */
#include "tape_internal.h"

#include <math.h>
#include <string.h>

/* ids: n entries in [0, V); E: V x d -> y: n x d, y_r = E[ids_r] */
gf_tensor *gf_embedding(gf_tape *tape, const int *ids, size_t n, gf_tensor *table)
{
    if (gf_op_begin(tape, &table, 1) != 0)
        return NULL;
    const size_t V = table->n, d = table->d;
    if (!ids || n == 0)
        return gf_op_fail(tape, "embedding", "no ids for a %zu x %zu table", V, d);
    for (size_t r = 0; r < n; r++)
        if (ids[r] < 0 || (size_t)ids[r] >= V)
            return gf_op_fail(tape, "embedding",
                              "id %d of row %zu is outside [0, %zu) (table %zu x %zu)", ids[r],
                              r, V, V, d);
    gf_tensor *y = gf_op_output(tape, &table, 1, n, d);
    if (!y)
        return NULL;
    for (size_t r = 0; r < n; r++)
        memcpy(y->v + r * d, table->v + (size_t)ids[r] * d, d * sizeof(double));
    gf_node *nd = gf_op_push(tape, &gf_op_embedding, y, &table, 1);
    if (!nd)
        return NULL;
    nd->ctx = ids;
    return y;
}

/* dE[ids_r] += dy_r (a scatter-add: a token seen twice sums its rows) */
static void embedding_backward(gf_node *nd)
{
    gf_tensor *E = nd->in[0], *y = nd->out;
    double *gE = gf_grad_acc(nd, E);
    if (!gE)
        return;
    const int *ids = nd->ctx;
    const size_t d = E->d;
    for (size_t r = 0; r < y->n; r++) {
        double *dst = gE + (size_t)ids[r] * d;
        const double *src = y->g + r * d;
        for (size_t j = 0; j < d; j++)
            dst[j] += src[j];
    }
}

const gf_op gf_op_embedding = {"embedding", "y_r = E[id_r]", embedding_backward};

/* x: (B*T) x d, P: ctx x d with ctx >= T -> y_{bT+t} = x_{bT+t} + P_t */
gf_tensor *gf_add_position(gf_tape *tape, gf_tensor *x, gf_tensor *pos, size_t T)
{
    gf_tensor *in[2] = {x, pos};
    if (gf_op_begin(tape, in, 2) != 0)
        return NULL;
    if (T == 0 || x->n % T != 0 || pos->d != x->d || pos->n < T)
        return gf_op_fail(tape, "add_position",
                          "x is %zu x %zu and P is %zu x %zu, T = %zu (need T | rows, "
                          "P with >= T rows of the same width)",
                          x->n, x->d, pos->n, pos->d, T);
    const size_t d = x->d;
    gf_tensor *y = gf_op_output(tape, in, 2, x->n, d);
    if (!y)
        return NULL;
    const int team = gf_pass_threads(x->n * d);
    GF_OMP_FOR(team)
    for (size_t r = 0; r < x->n; r++) {
        const double *p = pos->v + (r % T) * d, *xr = x->v + r * d;
        double *yr = y->v + r * d;
        for (size_t j = 0; j < d; j++)
            yr[j] = xr[j] + p[j];
    }
    gf_node *nd = gf_op_push(tape, &gf_op_add_position, y, in, 2);
    if (!nd)
        return NULL;
    nd->s = (double)T;
    return y;
}

/* dx += dy;  dP_t += sum over sequences b of dy_{bT+t} */
static void add_position_backward(gf_node *nd)
{
    gf_tensor *x = nd->in[0], *pos = nd->in[1], *y = nd->out;
    const size_t n = y->n, d = y->d, T = (size_t)nd->s;
    double beta;
    double *gx = gf_grad_begin(nd, x, &beta);
    if (gx)
        GF_GRAD_LOOP(beta, gx, i, n * d, y->g[i]);
    double *gp = gf_grad_acc(nd, pos);
    if (gp)
        for (size_t r = 0; r < n; r++)
            for (size_t j = 0; j < d; j++)
                gp[(r % T) * d + j] += y->g[r * d + j];
}

const gf_op gf_op_add_position = {"add_position", "y_{bT+t} = x_{bT+t} + P_t",
                                  add_position_backward};

/* y = x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)): the exact GELU, nn.GELU()'s default.
 * aux keeps Phi(x): backward needs no second erf. */
gf_tensor *gf_gelu(gf_tape *tape, gf_tensor *x)
{
    if (gf_op_begin(tape, &x, 1) != 0)
        return NULL;
    gf_tensor *y = gf_op_output(tape, &x, 1, x->n, x->d);
    const size_t size = gf_tensor_size(x);
    double *Phi = gf_op_aux(tape, size);
    if (!y || !Phi)
        return NULL;
    const int T = gf_pass_threads(size);
    GF_OMP_FOR(T)
    for (size_t i = 0; i < size; i++) {
        Phi[i] = 0.5 * (1.0 + erf(x->v[i] * M_SQRT1_2));
        y->v[i] = x->v[i] * Phi[i];
    }
    gf_node *nd = gf_op_push(tape, &gf_op_gelu, y, &x, 1);
    if (!nd)
        return NULL;
    nd->aux = Phi;
    return y;
}

/* dx += dy (Phi(x) + x phi(x)), phi(x) = exp(-x^2 / 2) / sqrt(2 pi); the
 * exponentials a block at a time through gf_exp_array. */
enum { GELU_BLOCK = 512 };

static void gelu_backward(gf_node *nd)
{
    gf_tensor *x = nd->in[0], *y = nd->out;
    double beta;
    double *gx = gf_grad_begin(nd, x, &beta);
    if (!gx)
        return;
    const double c = 0.5 * M_2_SQRTPI * M_SQRT1_2; /* 1 / sqrt(2 pi) */
    const double *xv = x->v, *Phi = nd->aux, *gy = y->g;
    const size_t size = gf_tensor_size(x), blocks = (size + GELU_BLOCK - 1) / GELU_BLOCK;
    const int T = gf_pass_threads(size);
    GF_OMP_FOR(T)
    for (size_t b = 0; b < blocks; b++) {
        const size_t i0 = b * GELU_BLOCK, n = size - i0 < GELU_BLOCK ? size - i0 : GELU_BLOCK;
        double e[GELU_BLOCK];
        for (size_t j = 0; j < n; j++)
            e[j] = -0.5 * xv[i0 + j] * xv[i0 + j];
        gf_exp_array(e, e, n);
        for (size_t j = 0, i = i0; j < n; j++, i++) {
            const double d = gy[i] * (Phi[i] + xv[i] * c * e[j]);
            gx[i] = beta == 0.0 ? d : gx[i] + d;
        }
    }
}

const gf_op gf_op_gelu = {"gelu", "y = x Phi(x) = 0.5 x (1 + erf(x / sqrt 2))", gelu_backward};
