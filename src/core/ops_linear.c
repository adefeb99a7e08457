/* ops_linear.c: linear (x W^T + b) and the plain matrix product, through CBLAS. */
#include "tape_internal.h"

#include "blas/gf_cblas.h"
#include <string.h>

void gf_linear_rows(const double *x, size_t n, size_t in, const double *w, size_t out,
                    const double *b, double *y)
{
    double beta = 0.0;
    if (b) { /* y <- broadcast b, then y += x W^T */
        for (size_t i = 0; i < n; i++)
            memcpy(y + i * out, b, out * sizeof *y);
        beta = 1.0;
    }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)out, (int)in, 1.0, x,
                (int)in, w, (int)in, beta, y, (int)out);
}

/* x: n x in, W: out x in, b: 1 x out (or NULL) -> y: n x out */
gf_tensor *gf_linear(gf_tape *tape, gf_tensor *x, gf_tensor *w, gf_tensor *b)
{
    gf_tensor *in[3] = {x, w, b};
    const int nin = b ? 3 : 2;
    if (gf_op_begin(tape, in, nin) != 0)
        return NULL;
    if (x->d != w->d)
        return gf_op_fail(tape, "linear", "x is %zu x %zu but W is %zu x %zu (out x in)", x->n,
                          x->d, w->n, w->d);
    if (b && (b->n != 1 || b->d != w->n))
        return gf_op_fail(tape, "linear", "b is %zu x %zu but W is %zu x %zu (b is 1 x out)",
                          b->n, b->d, w->n, w->d);
    const size_t n = x->n, out = w->n, k = x->d;
    gf_tensor *y = gf_op_output(tape, in, nin, n, out);
    if (!y)
        return NULL;
    gf_linear_rows(x->v, n, k, w->v, out, b ? b->v : NULL, y->v);
    return gf_op_push(tape, &gf_op_linear, y, in, nin) ? y : NULL;
}

/* dx += dy W;  dW += dy^T x;  db += sum over rows of dy */
static void linear_backward(gf_node *nd)
{
    gf_tensor *x = nd->in[0], *w = nd->in[1], *y = nd->out;
    const int n = (int)x->n, out = (int)w->n, k = (int)x->d;
    double beta;
    double *gx = gf_grad_begin(nd, x, &beta);
    if (gx)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, k, out, 1.0, y->g, out, w->v,
                    k, beta, gx, k);
    double *gw = gf_grad_begin(nd, w, &beta);
    if (gw)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, out, k, n, 1.0, y->g, out, x->v, k,
                    beta, gw, k);
    double *gb = nd->nin == 3 ? gf_grad_begin(nd, nd->in[2], &beta) : NULL;
    if (gb) /* db = sum of the rows of dy */
        for (int i = 0; i < n; i++) {
            const double *row = y->g + (size_t)i * out;
            GF_GRAD_LOOP(beta, gb, j, (size_t)out, row[j]);
            beta = 1.0;
        }
}

const gf_op gf_op_linear = {"linear", "y = x W^T + b", linear_backward};

/* a: n x k, b: k x m -> y: n x m */
gf_tensor *gf_matmul(gf_tape *tape, gf_tensor *a, gf_tensor *b)
{
    gf_tensor *in[2] = {a, b};
    if (gf_op_begin(tape, in, 2) != 0)
        return NULL;
    if (a->d != b->n)
        return gf_op_fail(tape, "matmul", "A is %zu x %zu but B is %zu x %zu", a->n, a->d, b->n,
                          b->d);
    gf_tensor *y = gf_op_output(tape, in, 2, a->n, b->d);
    if (!y)
        return NULL;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)a->n, (int)b->d, (int)a->d, 1.0,
                a->v, (int)a->d, b->v, (int)b->d, 0.0, y->v, (int)b->d);
    return gf_op_push(tape, &gf_op_matmul, y, in, 2) ? y : NULL;
}

/* dA += dY B^T;  dB += A^T dY */
static void matmul_backward(gf_node *nd)
{
    gf_tensor *a = nd->in[0], *b = nd->in[1], *y = nd->out;
    const int n = (int)a->n, k = (int)a->d, m = (int)b->d;
    double beta;
    double *ga = gf_grad_begin(nd, a, &beta);
    if (ga)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, k, m, 1.0, y->g, m, b->v, m, beta,
                    ga, k);
    double *gb = gf_grad_begin(nd, b, &beta);
    if (gb)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, m, n, 1.0, a->v, k, y->g, m, beta,
                    gb, m);
}

const gf_op gf_op_matmul = {"matmul", "y = A B", matmul_backward};
