/* ops_attention.c: the core of multi-head (causal) self-attention, between
 * the QKV projection and the output projection (both gf_linear).
 *
 * qkv is (B*T) x 3d, each row [q | k | v] of one token (tokens are rows, see
 * gf_core.h); head h reads columns h*dh .. h*dh + dh - 1 of each third
 * (dh = d / heads, PyTorch's and GPT-2's split). Per sequence b and head h,
 * with the T x dh views Q, K, V (leading dimension 3d, no copy):
 *   S = Q K^T / sqrt(dh),  P = softmax_row(S + M),  O = P V
 * with M_ts = -inf for s > t when causal. O lands in columns h*dh.. of the
 * (B*T) x d output. Every product is one cblas_dgemm per (b, h), the pairs
 * shared among the tape's threads (gf_tape_set_threads), one BLAS thread
 * each: a pair is computed alone, so the bits do not depend on the threads.
 * The probabilities P (B*heads*T*T) and a T x T scratch per thread are arena
 * memory, so a step allocates nothing once the arena has grown. */
#include "tape_internal.h"

#include "blas/gf_cblas.h"
#include <math.h>

typedef struct attn_geom {
    int T, heads, causal;
    int team;              /* threads over the (b, h) pairs; one T x T scratch each */
} attn_geom;

/* Row-wise softmax of the T x T block S in place; causal: entries s > t are 0.
 * The maximum by comparison, not fmax (a call here): a NaN in the row makes
 * the row NaN either way. */
static void masked_softmax(double *S, int T, int causal)
{
    for (int t = 0; t < T; t++) {
        double *row = S + (size_t)t * T;
        const int n = causal ? t + 1 : T;
        double m = row[0];
        for (int s = 1; s < n; s++)
            m = row[s] > m ? row[s] : m;
        for (int s = 0; s < n; s++)
            row[s] -= m;
        gf_exp_array(row, row, (size_t)n);
        double sum = 0.0;
        for (int s = 0; s < n; s++)
            sum += row[s];
        const double inv = 1.0 / sum;
        for (int s = 0; s < n; s++)
            row[s] *= inv;
        for (int s = n; s < T; s++)
            row[s] = 0.0;
    }
}

gf_tensor *gf_attention(gf_tape *tape, gf_tensor *qkv, size_t T, int heads, int causal)
{
    if (gf_op_begin(tape, &qkv, 1) != 0)
        return NULL;
    const size_t n = qkv->n, d = qkv->d / 3;
    if (T == 0 || heads <= 0 || qkv->d % 3 != 0 || n % T != 0 || d % (size_t)heads != 0)
        return gf_op_fail(tape, "attention",
                          "qkv is %zu x %zu with T = %zu and %d heads (need 3d columns, "
                          "T | rows, heads | d)",
                          n, qkv->d, T, heads);
    const size_t B = n / T, dh = d / (size_t)heads, TT = T * T;
    const int pairs = (int)(B * (size_t)heads);
    const int team = gf_pass_threads_over(n * 3 * d, (size_t)pairs);
    gf_tensor *y = gf_op_output(tape, &qkv, 1, n, d);
    double *P = gf_op_aux(tape, (size_t)pairs * TT + (size_t)team * TT); /* + backward's scratches */
    attn_geom *g = (attn_geom *)gf_op_aux(tape, 2);
    if (!y || !P || !g)
        return NULL;
    *g = (attn_geom){.T = (int)T, .heads = heads, .causal = causal != 0, .team = team};
    const int iT = (int)T, idh = (int)dh, ld = (int)(3 * d);
    const double scale = 1.0 / sqrt((double)dh);
    const int before = team > 1 ? gf_blas_threads_swap(1) : 0;
    GF_OMP_FOR(team)
    for (int p = 0; p < pairs; p++) {
        const size_t b = (size_t)p / (size_t)heads, h = (size_t)p % (size_t)heads;
        const double *Q = qkv->v + b * T * 3 * d + h * dh, *K = Q + d, *V = Q + 2 * d;
        double *S = P + (size_t)p * TT;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, iT, iT, idh, scale, Q, ld, K, ld,
                    0.0, S, iT);
        masked_softmax(S, iT, g->causal);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, iT, idh, iT, 1.0, S, iT, V, ld,
                    0.0, y->v + b * T * d + h * dh, (int)d);
    }
    if (team > 1)
        gf_blas_threads_swap(before);
    gf_node *nd = gf_op_push(tape, &gf_op_attention, y, &qkv, 1);
    if (!nd)
        return NULL;
    nd->aux = P;
    nd->ctx = g;
    return y;
}

/* With G = dO: dV = P^T G;  dP = G V^T;  dS = P o (dP - rowsum(dP o P)) / sqrt(dh);
 * dQ = dS K;  dK = dS^T Q. Each (b, h) writes its own columns of dqkv. */
static void attention_backward(gf_node *nd)
{
    gf_tensor *qkv = nd->in[0], *y = nd->out;
    const attn_geom *g = nd->ctx;
    double beta;
    double *gqkv = gf_grad_begin(nd, qkv, &beta);
    if (!gqkv)
        return;
    const size_t n = qkv->n, d = qkv->d / 3, T = (size_t)g->T, B = n / T;
    const size_t heads = (size_t)g->heads, dh = d / heads, TT = T * T;
    const int iT = (int)T, idh = (int)dh, ld = (int)(3 * d), ldo = (int)d;
    const double scale = 1.0 / sqrt((double)dh);
    const int pairs = (int)(B * heads), team = g->team;
    const int before = team > 1 ? gf_blas_threads_swap(1) : 0;
    GF_OMP_FOR(team)
    for (int p = 0; p < pairs; p++) {
        const size_t b = (size_t)p / heads, h = (size_t)p % heads;
        double *dS = nd->aux + (B * heads + (size_t)gf_thread_id()) * TT;
        {
            const size_t off = b * T * 3 * d + h * dh;
            const double *Q = qkv->v + off, *K = Q + d, *V = Q + 2 * d;
            const double *P = nd->aux + (b * heads + h) * TT, *G = y->g + b * T * d + h * dh;
            double *gQ = gqkv + off, *gK = gQ + d, *gV = gQ + 2 * d;
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, iT, idh, iT, 1.0, P, iT, G, ldo,
                        beta, gV, ld);
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, iT, iT, idh, 1.0, G, ldo, V, ld,
                        0.0, dS, iT);
            for (size_t t = 0; t < T; t++) {
                double *row = dS + t * T;
                const double *prow = P + t * T;
                double dot = 0.0;
                for (size_t s = 0; s < T; s++)
                    dot += row[s] * prow[s];
                for (size_t s = 0; s < T; s++)
                    row[s] = prow[s] * (row[s] - dot) * scale;
            }
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, iT, idh, iT, 1.0, dS, iT, K,
                        ld, beta, gQ, ld);
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, iT, idh, iT, 1.0, dS, iT, Q, ld,
                        beta, gK, ld);
        }
    }
    if (team > 1)
        gf_blas_threads_swap(before);
}

const gf_op gf_op_attention = {"attention",
                               "O = softmax(Q K^T / sqrt(dh) + causal mask) V, per head",
                               attention_backward};
