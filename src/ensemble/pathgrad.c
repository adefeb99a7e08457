/* pathgrad.c: the gradient at x_0 split by path length, exactly (one
 * cotangent per length) and by Veit et al.'s sampling of single paths. */
#include "ensemble/gf_ensemble.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The linearized network: the values x_0..x_B of one evaluation-mode
 * forward pass, the derivative D_l of the map after each block's sum
 * (gf_model_post_derivative) and dL/dx_B. */
typedef struct linearized {
    gf_model *m;
    int training;                /* m's mode before, restored by linearized_release */
    gf_tape *fwd, *vjp;          /* the forward pass; the skip and branch VJPs */
    size_t n, d;                 /* batch; the width of x_0 */
    size_t *w, *off, dmax;       /* width of x_l (l = 0..B); D_l at mask + off[l]; widest */
    int B;
    gf_tensor **x;               /* [B + 1] on fwd */
    double *mask;                /* D_l as numbers (n x w[l + 1] each) */
    double *grad_B, *grad_0;     /* dL/dx_B, dL/dx_0 (ordinary backward) */
    double loss;
} linearized;

static void linearized_release(linearized *L)
{
    gf_params_requires_grad(gf_model_params(L->m), 1);
    gf_model_set_training(L->m, L->training);
    gf_tape_free(L->fwd);
    gf_tape_free(L->vjp);
    free(L->x);
    free(L->w);
    free(L->mask);
    free(L->grad_B);
    free(L->grad_0);
}

/* The forward pass x_0..x_B and the loss, then backward; 0, or -1 with the
 * tape's message. */
static int forward_backward(linearized *L, const double *x, const int *labels, char *why,
                            size_t size)
{
    const size_t in_dim = gf_model_in_dim(L->m);
    gf_tensor *in = gf_tape_input(L->fwd, L->n, in_dim);
    if (!in) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    memcpy(in->v, x, L->n * in_dim * sizeof *x);
    in->flags |= GF_REQUIRES_GRAD;
    L->x[0] = gf_model_stem(L->m, L->fwd, in);
    for (int l = 0; l < L->B && L->x[l]; l++)
        L->x[l + 1] = gf_model_block(L->m, L->fwd, l, L->x[l]);
    gf_tensor *z = L->x[L->B] ? gf_model_head(L->m, L->fwd, L->x[L->B]) : NULL;
    gf_tensor *loss = z ? gf_softmax_xent(L->fwd, z, labels) : NULL;
    if (!loss || gf_tape_backward(L->fwd, loss) != 0) {
        snprintf(why, size, "the forward or backward pass failed: %s", gf_tape_error(L->fwd));
        return -1;
    }
    L->loss = loss->v[0];
    return 0;
}

static int linearize(linearized *L, gf_model *m, const double *x, const int *labels, size_t n,
                     char *why, size_t size)
{
    memset(L, 0, sizeof *L);
    L->m = m;
    L->training = gf_model_training(m);
    L->n = n;
    L->B = gf_model_blocks(m);
    if (!gf_model_residual(m)) {
        snprintf(why, size, "paths need a residual stack (resnet or preact)");
        return -1;
    }
    gf_model_set_training(m, 0);
    gf_params_requires_grad(gf_model_params(m), 0); /* only input gradients: no weight-gradient work */
    L->fwd = gf_tape_alloc(0);
    L->vjp = gf_tape_alloc(0);
    L->x = calloc((size_t)L->B + 1, sizeof *L->x);
    if (!L->fwd || !L->vjp || !L->x) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    if (forward_backward(L, x, labels, why, size) != 0)
        return -1;
    L->d = L->x[0]->d;
    L->w = malloc(2 * ((size_t)L->B + 1) * sizeof *L->w);
    if (!L->w) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    L->off = L->w + L->B + 1;
    L->off[0] = 0;
    for (int l = 0; l <= L->B; l++) { /* widths change at a cnn's downsampling blocks */
        L->w[l] = L->x[l]->d;
        L->dmax = L->w[l] > L->dmax ? L->w[l] : L->dmax;
        if (l < L->B)
            L->off[l + 1] = L->off[l] + n * L->x[l + 1]->d;
    }
    L->mask = malloc((L->off[L->B] + 1) * sizeof *L->mask);
    L->grad_B = malloc(n * L->w[L->B] * sizeof *L->grad_B);
    L->grad_0 = malloc(n * L->d * sizeof *L->grad_0);
    if (!L->mask || !L->grad_B || !L->grad_0) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    for (int l = 0; l < L->B; l++)
        gf_model_post_derivative(m, l, L->x[l + 1]->v, L->mask + L->off[l], n * L->w[l + 1]);
    gf_tensor_grad_export(L->x[L->B], L->grad_B);
    gf_tensor_grad_export(L->x[0], L->grad_0);
    return 0;
}

/* out[r] = P^T seed[r] for R stacked cotangents (each n x w[l + 1]; out
 * n x w[l]), P the branch F_l (skip 0) or the skip S_l (skip 1), at x_l: the
 * piece runs once on R copies of x_l (evaluation mode: each row's
 * activation pattern is its own, so the copies linearize alike). An
 * identity skip (no node) copies the seeds. */
static int piece_vjp(linearized *L, int l, int skip, const double *seed, size_t R, double *out)
{
    const size_t nd = L->n * L->w[l];
    gf_tape_reset(L->vjp);
    gf_tensor *X = gf_tape_input(L->vjp, R * L->n, L->w[l]);
    if (!X)
        return -1;
    X->flags |= GF_REQUIRES_GRAD;
    for (size_t r = 0; r < R; r++)
        memcpy(X->v + r * nd, L->x[l]->v, nd * sizeof *X->v);
    gf_tensor *Y = skip ? gf_model_skip(L->m, L->vjp, l, X) : gf_model_branch(L->m, L->vjp, l, X);
    if (Y == X) {
        memcpy(out, seed, R * nd * sizeof *out);
        return 0;
    }
    if (!Y || gf_tape_backward_from(L->vjp, Y, seed) != 0)
        return -1;
    gf_tensor_grad_export(X, out);
    return 0;
}

/* One block backward for R cotangents g (each n x w[l + 1], at x_{l+1}):
 * g *= D_l, then out[r] = S_l^T g[r] (skip) or J_{F_l}^T g[r] (branch[r]:
 * the paths that take the branch here); 0 or -1. */
static int block_back(linearized *L, int l, double *g, size_t R, const unsigned char *branch,
                      double *seed, double *res, double *out)
{
    const size_t nd1 = L->n * L->w[l + 1], nd0 = L->n * L->w[l];
    const double *D = L->mask + L->off[l];
    size_t nb = 0, ns = 0;
    for (size_t r = 0; r < R; r++)
        for (size_t i = 0; i < nd1; i++)
            g[r * nd1 + i] *= D[i];
    for (int pass = 0; pass < 2; pass++) { /* 0: the skip, 1: the branch */
        size_t j = 0;
        for (size_t r = 0; r < R; r++)
            if ((branch && branch[r]) == pass)
                memcpy(seed + j++ * nd1, g + r * nd1, nd1 * sizeof *seed);
        *(pass ? &nb : &ns) = j;
        if (j && piece_vjp(L, l, !pass, seed, j, pass ? res : out) != 0)
            return -1;
    }
    if (!branch)
        return 0;
    for (size_t r = R, s = ns, b = nb; r-- > 0;) /* spread back to the rows, from the end */
        memmove(out + r * nd0, branch[r] ? res + --b * nd0 : out + --s * nd0, nd0 * sizeof *out);
    return 0;
}

int gf_pathgrad_exact(gf_model *m, const double *x, const int *labels, size_t n,
                      gf_pathgrad *out, char *why, size_t size)
{
    memset(out, 0, sizeof *out);
    linearized L;
    int rc = linearize(&L, m, x, labels, n, why, size);
    const size_t K = (size_t)L.B + 1, nw = n * L.dmax;
    double *buf = rc == 0 ? malloc(4 * K * nw * sizeof *buf) : NULL;
    out->g = rc == 0 ? calloc(K * n * L.d, sizeof *out->g) : NULL;
    out->full = rc == 0 ? malloc(n * L.d * sizeof *out->full) : NULL;
    if (rc == 0 && (!buf || !out->g || !out->full)) {
        snprintf(why, size, "out of memory");
        rc = -1;
    }
    double *g = buf, *skip = buf + K * nw, *seed = buf + 2 * K * nw, *vjp = buf + 3 * K * nw;
    if (rc == 0) {
        out->blocks = L.B;
        out->n = n;
        out->d = L.d;
        out->loss = L.loss;
        memcpy(out->full, L.grad_0, n * L.d * sizeof *out->full);
        memcpy(g, L.grad_B, n * L.w[L.B] * sizeof *g); /* at x_B every path has length 0 */
    }
    /* lesson:path-split begin */
    for (int l = L.B - 1; rc == 0 && l >= 0; l--) {
        const size_t live = (size_t)(L.B - l), nd = n * L.w[l]; /* lengths 0 .. B-1-l so far */
        /* the skip keeps the length (S_l^T g_k, I for equal widths); the branch adds one */
        if (block_back(&L, l, g, live, NULL, seed, NULL, skip) != 0 ||
            piece_vjp(&L, l, 0, g, live, vjp) != 0) {
            snprintf(why, size, "the vector-Jacobian product of block %d failed", l);
            rc = -1;
            break;
        }
        memcpy(g, skip, live * nd * sizeof *g);
        memset(g + live * nd, 0, nd * sizeof *g);
        for (size_t k = live; k-- > 0;)
            for (size_t i = 0; i < nd; i++)
                g[(k + 1) * nd + i] += vjp[k * nd + i];
    }
    /* lesson:path-split end */
    if (rc == 0)
        memcpy(out->g, g, K * n * L.d * sizeof *out->g);
    free(buf);
    linearized_release(&L);
    if (rc != 0)
        gf_pathgrad_release(out);
    return rc;
}

void gf_pathgrad_release(gf_pathgrad *p)
{
    free(p->g);
    free(p->full);
    memset(p, 0, sizeof *p);
}

static double norm2(const double *v, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += v[i] * v[i];
    return sqrt(s);
}

int gf_pathgrad_sample(gf_model *m, const double *x, const int *labels, size_t n, int k,
                       int samples, gsl_rng *rng, gf_path_sample *out, double *mean, char *why,
                       size_t size)
{
    memset(out, 0, sizeof *out);
    const int blocks = gf_model_blocks(m);
    if (k < 0 || k > blocks || samples < 2) {
        snprintf(why, size, "a path length in [0, %d] and at least 2 samples", blocks);
        return -1;
    }
    linearized L;
    int rc = linearize(&L, m, x, labels, n, why, size);
    const size_t nd = n * L.d, nw = n * L.dmax, S = (size_t)samples, B = (size_t)blocks;
    double *V = rc == 0 ? malloc(S * nw * sizeof *V) : NULL;       /* one path per sample */
    double *seed = rc == 0 ? malloc(S * nw * sizeof *seed) : NULL;
    double *res = rc == 0 ? malloc(2 * S * nw * sizeof *res) : NULL; /* branch, then skip */
    unsigned char *take = rc == 0 ? calloc(S * B + 1, 1) : NULL;   /* sample r takes branch l */
    unsigned char *now = rc == 0 ? malloc(S + 1) : NULL;
    int *pick = rc == 0 ? malloc((B + 1) * sizeof *pick) : NULL;
    int *chosen = rc == 0 ? malloc(((size_t)k + 1) * sizeof *chosen) : NULL;
    if (rc == 0 && (!V || !seed || !res || !take || !now || !pick || !chosen)) {
        snprintf(why, size, "out of memory");
        rc = -1;
    }
    const size_t nB = rc == 0 ? n * L.w[B] : 0;
    for (size_t r = 0; rc == 0 && r < S; r++) { /* k distinct branches, uniformly */
        for (size_t l = 0; l < B; l++)
            pick[l] = (int)l;
        if (k > 0)
            gsl_ran_choose(rng, chosen, (size_t)k, pick, B, sizeof *pick);
        for (int j = 0; j < k; j++)
            take[r * B + (size_t)chosen[j]] = 1;
        memcpy(V + r * nB, L.grad_B, nB * sizeof *V);
    }
    for (int l = blocks - 1; rc == 0 && l >= 0; l--) {
        for (size_t r = 0; r < S; r++)
            now[r] = take[r * B + (size_t)l];
        double *out = res + S * nw;
        if (block_back(&L, l, V, S, now, seed, res, out) != 0) {
            snprintf(why, size, "the vector-Jacobian product of block %d failed", l);
            rc = -1;
            break;
        }
        memcpy(V, out, S * n * L.w[l] * sizeof *V);
    }
    if (rc == 0) {
        const double count = pow(10.0, gf_log10_binomial(blocks, k));
        double spread = 0.0, sum_norm = 0.0, norm_spread = 0.0;
        memset(mean, 0, nd * sizeof *mean);
        for (size_t r = 0; r < S; r++) {
            sum_norm += norm2(V + r * nd, nd);
            for (size_t i = 0; i < nd; i++)
                mean[i] += V[r * nd + i] / (double)S;
        }
        for (size_t r = 0; r < S; r++) { /* squared distances to the means */
            const double dv = norm2(V + r * nd, nd) - sum_norm / (double)S;
            norm_spread += dv * dv;
            for (size_t i = 0; i < nd; i++)
                spread += (V[r * nd + i] - mean[i]) * (V[r * nd + i] - mean[i]);
        }
        const double SS1 = (double)S * (double)(S - 1); /* standard error^2 = spread / (S (S-1)) */
        *out = (gf_path_sample){
            .k = k, .samples = samples, .norm_estimate = count * norm2(mean, nd),
            /* the norm of the standard error of the mean vector, times C(B, k) */
            .norm_stderr = count * sqrt(spread / SS1),
            .mean_path_norm = sum_norm / (double)S,
            .mean_path_norm_se = sqrt(norm_spread / SS1)};
    }
    free(V);
    free(seed);
    free(res);
    free(take);
    free(now);
    free(pick);
    free(chosen);
    linearized_release(&L);
    return rc;
}
