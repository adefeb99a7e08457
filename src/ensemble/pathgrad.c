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
    gf_tape *fwd, *vjp;          /* the forward pass; the branch VJPs */
    size_t n, d;
    int B;
    gf_tensor **x;               /* [B + 1] on fwd */
    double *mask;                /* B x n x d: D_l as numbers */
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
    const size_t nd = n * L->d;
    L->mask = malloc(((size_t)L->B * nd + 1) * sizeof *L->mask);
    L->grad_B = malloc(nd * sizeof *L->grad_B);
    L->grad_0 = malloc(nd * sizeof *L->grad_0);
    if (!L->mask || !L->grad_B || !L->grad_0) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    for (int l = 0; l < L->B; l++)
        gf_model_post_derivative(m, l, L->x[l + 1]->v, L->mask + (size_t)l * nd, nd);
    gf_tensor_grad_export(L->x[L->B], L->grad_B);
    gf_tensor_grad_export(L->x[0], L->grad_0);
    return 0;
}

/* out[r] = J_{F_l}^T seed[r] for R stacked cotangents (each n x d), at x_l:
 * the branch runs once on R copies of x_l (evaluation mode: each row's
 * activation pattern is its own, so the copies linearize alike). */
static int branch_vjp(linearized *L, int l, const double *seed, size_t R, double *out)
{
    const size_t nd = L->n * L->d;
    gf_tape_reset(L->vjp);
    gf_tensor *X = gf_tape_input(L->vjp, R * L->n, L->d);
    if (!X)
        return -1;
    X->flags |= GF_REQUIRES_GRAD;
    for (size_t r = 0; r < R; r++)
        memcpy(X->v + r * nd, L->x[l]->v, nd * sizeof *X->v);
    gf_tensor *F = gf_model_branch(L->m, L->vjp, l, X);
    if (!F || gf_tape_backward_from(L->vjp, F, seed) != 0)
        return -1;
    gf_tensor_grad_export(X, out);
    return 0;
}

int gf_pathgrad_exact(gf_model *m, const double *x, const int *labels, size_t n,
                      gf_pathgrad *out, char *why, size_t size)
{
    memset(out, 0, sizeof *out);
    linearized L;
    int rc = linearize(&L, m, x, labels, n, why, size);
    const size_t nd = n * L.d, K = (size_t)L.B + 1;
    double *vjp = rc == 0 ? malloc(K * nd * sizeof *vjp) : NULL;
    out->g = rc == 0 ? calloc(K * nd, sizeof *out->g) : NULL;
    out->full = rc == 0 ? malloc(nd * sizeof *out->full) : NULL;
    if (rc == 0 && (!vjp || !out->g || !out->full)) {
        snprintf(why, size, "out of memory");
        rc = -1;
    }
    if (rc == 0) {
        out->blocks = L.B;
        out->n = n;
        out->d = L.d;
        out->loss = L.loss;
        memcpy(out->full, L.grad_0, nd * sizeof *out->full);
        memcpy(out->g, L.grad_B, nd * sizeof *out->g); /* at x_B every path has length 0 */
    }
    /* lesson:path-split begin */
    for (int l = L.B - 1; rc == 0 && l >= 0; l--) {
        const size_t live = (size_t)(L.B - l); /* lengths 0 .. B-1-l are nonzero so far */
        const double *D = L.mask + (size_t)l * nd;
        for (size_t k = 0; k < live; k++)
            for (size_t i = 0; i < nd; i++)
                out->g[k * nd + i] *= D[i];
        if (branch_vjp(&L, l, out->g, live, vjp) != 0) {
            snprintf(why, size, "the vector-Jacobian product of block %d failed", l);
            rc = -1;
            break;
        }
        for (size_t k = live; k-- > 0;) /* the branch raises the length by one */
            for (size_t i = 0; i < nd; i++)
                out->g[(k + 1) * nd + i] += vjp[k * nd + i];
    }
    /* lesson:path-split end */
    free(vjp);
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
    const size_t nd = n * L.d, S = (size_t)samples, B = (size_t)blocks;
    double *V = rc == 0 ? malloc(S * nd * sizeof *V) : NULL;       /* one path per sample */
    double *seed = rc == 0 ? malloc(S * nd * sizeof *seed) : NULL;
    double *res = rc == 0 ? malloc(S * nd * sizeof *res) : NULL;
    unsigned char *take = rc == 0 ? calloc(S * B + 1, 1) : NULL;   /* sample r takes branch l */
    int *pick = rc == 0 ? malloc((B + 1) * sizeof *pick) : NULL;
    int *chosen = rc == 0 ? malloc(((size_t)k + 1) * sizeof *chosen) : NULL;
    if (rc == 0 && (!V || !seed || !res || !take || !pick || !chosen)) {
        snprintf(why, size, "out of memory");
        rc = -1;
    }
    for (size_t r = 0; rc == 0 && r < S; r++) { /* k distinct branches, uniformly */
        for (size_t l = 0; l < B; l++)
            pick[l] = (int)l;
        if (k > 0)
            gsl_ran_choose(rng, chosen, (size_t)k, pick, B, sizeof *pick);
        for (int j = 0; j < k; j++)
            take[r * B + (size_t)chosen[j]] = 1;
        memcpy(V + r * nd, L.grad_B, nd * sizeof *V);
    }
    for (int l = blocks - 1; rc == 0 && l >= 0; l--) {
        const double *D = L.mask + (size_t)l * nd;
        size_t R = 0;
        for (size_t r = 0; r < S; r++) {
            for (size_t i = 0; i < nd; i++)
                V[r * nd + i] *= D[i];
            if (take[r * B + (size_t)l])
                memcpy(seed + R++ * nd, V + r * nd, nd * sizeof *seed);
        }
        if (R == 0)
            continue;
        if (branch_vjp(&L, l, seed, R, res) != 0) {
            snprintf(why, size, "the vector-Jacobian product of block %d failed", l);
            rc = -1;
            break;
        }
        for (size_t r = 0, j = 0; r < S; r++) /* the sampled path takes the branch here */
            if (take[r * B + (size_t)l])
                memcpy(V + r * nd, res + j++ * nd, nd * sizeof *V);
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
    free(pick);
    free(chosen);
    linearized_release(&L);
    return rc;
}
