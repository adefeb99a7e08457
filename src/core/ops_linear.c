/* ops_linear.c: linear (x W^T + b) and the plain matrix product, through CBLAS. */
#include "tape_internal.h"

#include "blas/gf_cblas.h"
#include <string.h>

/* Rows [r0, r1) and columns [c0, c1) of C: one BLAS call. */
static void gemm_share(int ta, int tb, size_t r0, size_t r1, size_t c0, size_t c1, size_t k,
                       double alpha, const double *A, size_t lda, const double *B, size_t ldb,
                       double beta, double *C, size_t ldc)
{
    if (r1 <= r0 || c1 <= c0)
        return;
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                (int)(r1 - r0), (int)(c1 - c0), (int)k, alpha, ta ? A + r0 : A + r0 * lda,
                (int)lda, tb ? B + c0 * ldb : B + c0, (int)ldb, beta, C + r0 * ldc + c0,
                (int)ldc);
}

/* Share t of T of len, in whole 8-entry tiles (the last takes the rest). */
static size_t share_start(size_t len, int t, int T)
{
    return t == T ? len : len / 8 * (size_t)t / (size_t)T * 8;
}

void gf_gemm_team(int team, int ta, int tb, size_t m, size_t n, size_t k, double alpha,
                  const double *A, size_t lda, const double *B, size_t ldb, double beta,
                  double *C, size_t ldc)
{
    if (team <= 1 || 2.0 * (double)m * (double)n * (double)k < GF_TEAM_FLOPS ||
        (m < 16 && n < 16)) {
        gemm_share(ta, tb, 0, m, 0, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    /* Each thread packs the operand it shares whole: split C's longer side,
     * so that the shared operand is the smaller (rows: B, k x n; columns: A). */
    const int rows = m >= n;
    const int before = gf_blas_threads_swap(1);
    GF_OMP_FOR(team)
    for (int t = 0; t < team; t++) {
        if (rows)
            gemm_share(ta, tb, share_start(m, t, team), share_start(m, t + 1, team), 0, n, k,
                       alpha, A, lda, B, ldb, beta, C, ldc);
        else
            gemm_share(ta, tb, 0, m, share_start(n, t, team), share_start(n, t + 1, team), k,
                       alpha, A, lda, B, ldb, beta, C, ldc);
    }
    gf_blas_threads_swap(before);
}

GF_VECTOR_CLONES void gf_column_sums(const double *restrict a, size_t rows, size_t cols,
                                     size_t lda, double *restrict acc, int first)
{
    for (size_t i = 0; i < rows; i++) {
        const double *row = a + i * lda;
        if (i == 0 && first)
            for (size_t j = 0; j < cols; j++)
                acc[j] = row[j];
        else
            for (size_t j = 0; j < cols; j++)
                acc[j] += row[j];
    }
}

/* y = x W^T + b on `team` threads (b broadcast into y first). */
static void linear_team(int team, const double *x, size_t n, size_t in, const double *w,
                        size_t out, const double *b, double *y)
{
    double beta = 0.0;
    if (b) { /* y <- broadcast b, then y += x W^T */
        const int T = team > 1 ? gf_pass_threads(n * out) : 1; /* gf_linear_rows: one */
        GF_OMP_FOR(T)
        for (size_t i = 0; i < n; i++)
            memcpy(y + i * out, b, out * sizeof *y);
        beta = 1.0;
    }
    gf_gemm_team(team, 0, 1, n, out, in, 1.0, x, in, w, in, beta, y, out);
}

void gf_linear_rows(const double *x, size_t n, size_t in, const double *w, size_t out,
                    const double *b, double *y)
{
    linear_team(1, x, n, in, w, out, b, y);
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
    linear_team(gf_pass_team, x->v, n, k, w->v, out, b ? b->v : NULL, y->v);
    return gf_op_push(tape, &gf_op_linear, y, in, nin) ? y : NULL;
}

/* dx += dy W;  dW += dy^T x;  db += sum over rows of dy */
static void linear_backward(gf_node *nd)
{
    gf_tensor *x = nd->in[0], *w = nd->in[1], *y = nd->out;
    const int n = (int)x->n, out = (int)w->n, k = (int)x->d;
    double beta;
    const int team = gf_pass_team;
    double *gx = gf_grad_begin(nd, x, &beta);
    if (gx) /* rows of dX in shares */
        gf_gemm_team(team, 0, 0, (size_t)n, (size_t)k, (size_t)out, 1.0, y->g, (size_t)out,
                     w->v, (size_t)k, beta, gx, (size_t)k);
    double *gw = gf_grad_begin(nd, w, &beta);
    if (gw) /* rows of dW (output features) in shares, each summing over every example */
        gf_gemm_team(team, 1, 0, (size_t)out, (size_t)k, (size_t)n, 1.0, y->g, (size_t)out,
                     x->v, (size_t)k, beta, gw, (size_t)k);
    double *gb = nd->nin == 3 ? gf_grad_begin(nd, nd->in[2], &beta) : NULL;
    if (gb) { /* db = sum of the rows of dy, in row order; whole columns in shares */
        const int T = gf_pass_threads_over((size_t)n * (size_t)out, (size_t)out);
        GF_OMP_FOR(T)
        for (int t = 0; t < T; t++) {
            const int j0 = out * t / T, j1 = out * (t + 1) / T;
            gf_column_sums(y->g + j0, (size_t)n, (size_t)(j1 - j0), (size_t)out, gb + j0,
                           beta == 0.0);
        }
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
