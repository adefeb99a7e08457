/* residual.c: mean-field gradient gains of residual blocks (Yang & Schoenholz
 * 2017), and the per-block predictions for every stack (see gf_theory.h). */
#include "theory/gf_theory.h"

#include "theory/act.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- preact: x stays Gaussian ------------------------------------------------ */

int gf_theory_preact_recursion(gf_act act, double sw2, double sb2, double p0, int blocks,
                               double *p, double *log10_gain)
{
    double var = p0;
    if (p)
        p[0] = var;
    for (int l = 0; l < blocks; l++) {
        const double q1 = sw2 * gf_theory_gauss_expect(act, var, 0) + sb2;
        const double chi_in = sw2 * gf_theory_gauss_expect(act, var, 1);  /* W1 after phi(x) */
        const double chi_mid = sw2 * gf_theory_gauss_expect(act, q1, 1);  /* W2 after phi(h1) */
        /* E||dL/dx_l||^2 = (1 + chi_mid chi_in) E||dL/dx_{l+1}||^2 */
        log10_gain[l] = 0.5 * log10(1.0 + chi_mid * chi_in);
        var += sw2 * gf_theory_gauss_expect(act, q1, 0) + sb2;
        if (p)
            p[l + 1] = var;
        if (!isfinite(var) || isnan(log10_gain[l]))
            return -1;
    }
    return 0;
}

/* ---- resnet: the coordinate's forward chain and its gradient energy ------------ *
 *
 * Forward, per coordinate: u_{l+1} = phi(u_l) + xi_l, xi_l ~ N(0, s_l) independent
 * of u_l (the branch's output at infinite width): a Markov chain, whose law is
 * kept at the nodes of a lattice k h (0 is a node: relu's kink) spanning +-K
 * standard deviations.
 *
 * Backward: g_l = (I + J_F)^T D_{l+1} g_{l+1}, D = diag(phi'(u_{l+1})). The branch
 * term mixes coordinates (W1^T), so it adds the same energy chi_F E[D^2 g^2] to
 * every coordinate; the skip term keeps each coordinate's own phi'(u) factors,
 * and those are correlated from block to block (relu: a coordinate that is
 * positive stays positive, x >= 0 being carried on). With gam_l(u) = E[g_l,i^2 |
 * u_l,i = u] (gam_B = 1):
 *     gam_l(u) = E[phi'(u')^2 gam_{l+1}(u') | u] + chi_F E[phi'(u_{l+1})^2 gam_{l+1}(u_{l+1})],
 * u' = phi(u) + xi_l, and E||g_l||^2 / E||g_{l+1}||^2 = E[gam_l(u_l)] / E[gam_{l+1}(u_{l+1})].
 * Treating each block's phi' as independent of the last (gam constant, the
 * usual gradient-independence shortcut) gives E[phi'(u_{l+1})^2] (1 + chi_F).
 * Both sums over the lattice are trapezoid rules against a Gaussian kernel,
 * accurate while the lattice step is below the kernel's width. */

enum { NMIN = 400, NMAX = 800, NCAP = 1 << 16 };
static const double K = 10.0;

typedef struct level {
    double h;          /* lattice step; node i is (k0 + i) h */
    long k0;
    int n;
    double *f, *gam;   /* the density of u, the gradient energy */
    double s, chi_f;   /* the branch noise to the next level, the branch's gain */
} level;

static double lv_node(const level *L, int i) { return (double)(L->k0 + i) * L->h; }
static double gauss(double x, double s) { return exp(-0.5 * x * x / s) / sqrt(2.0 * M_PI * s); }

/* E[phi(u)^p] under the level's law, p = 0, 1, 2. */
static double lv_moment(const level *L, gf_act act, int p)
{
    double m = 0.0;
    for (int i = 0; i < L->n; i++) {
        const double y = gf_act_phi(act, lv_node(L, i));
        m += L->f[i] * (p == 0 ? 1.0 : p == 1 ? y : y * y);
    }
    return m * L->h;
}

/* phi'(v)^2 as a trapezoid weight: relu's indicator is cut at a node (half there). */
static double mask(gf_act act, double v)
{
    if (act == GF_ACT_RELU)
        return v > 0.0 ? 1.0 : v == 0.0 ? 0.5 : 0.0;
    const double d = gf_act_dphi(act, v);
    return d * d;
}

/* Nodes of a law of mean mu and deviation sd at step h. */
static int lv_place(level *L, double h, double mu, double sd)
{
    L->h = h;
    L->k0 = (long)floor((mu - K * sd) / h);
    const long k1 = (long)ceil((mu + K * sd) / h);
    if (k1 - L->k0 + 1 > NCAP)
        return -1;
    L->n = (int)(k1 - L->k0 + 1);
    L->f = calloc((size_t)L->n, sizeof *L->f);
    L->gam = calloc((size_t)L->n, sizeof *L->gam);
    return L->f && L->gam ? 0 : -1;
}

/* The same law at step h (linear interpolation; a coarser step keeps every
 * other node exactly). */
static int lv_restep(level *L, double h)
{
    level R = *L;
    const double lo = lv_node(L, 0), hi = lv_node(L, L->n - 1);
    if (lv_place(&R, h, 0.5 * (lo + hi), 0.5 * (hi - lo) / K) != 0)
        return -1;
    for (int i = 0; i < R.n; i++) {
        const double x = (lv_node(&R, i) - lo) / L->h;
        const long k = (long)floor(x);
        const double t = x - (double)k;
        const double fa = k >= 0 && k < L->n ? L->f[k] : 0.0;
        const double fb = k + 1 >= 0 && k + 1 < L->n ? L->f[k + 1] : 0.0;
        R.f[i] = t == 0.0 ? fa : (1.0 - t) * fa + t * fb;
    }
    free(L->f);
    free(L->gam);
    *L = R;
    return 0;
}

/* out[j] += w N(x_j - y; s) over the nodes x_j of L within 9 deviations of y. */
static void spread(const level *L, double y, double w, double s, double *out)
{
    const double r = 9.0 * sqrt(s);
    const long j0 = (long)ceil((y - r) / L->h) - L->k0, j1 = (long)floor((y + r) / L->h) - L->k0;
    for (long j = j0 < 0 ? 0 : j0; j <= j1 && j < L->n; j++)
        out[j] += w * gauss(lv_node(L, (int)j) - y, s);
}

/* sum_j b_j N(x_j - y; s) over the nodes of L within 9 deviations of y. */
static double gather(const level *L, double y, const double *b, double s)
{
    const double r = 9.0 * sqrt(s);
    const long j0 = (long)ceil((y - r) / L->h) - L->k0, j1 = (long)floor((y + r) / L->h) - L->k0;
    double acc = 0.0;
    for (long j = j0 < 0 ? 0 : j0; j <= j1 && j < L->n; j++)
        acc += b[j] * gauss(lv_node(L, (int)j) - y, s);
    return acc;
}

/* Whether relu / linear moves lattice nodes onto lattice nodes of b (same step). */
static int on_lattice(gf_act act, const level *a, const level *b)
{
    return act != GF_ACT_TANH && a->h == b->h;
}

/* The kernel N(d h; s) for |d| <= R, at t[R + d]. */
static double *kernel_table(double h, double s, long *R)
{
    *R = (long)ceil(9.0 * sqrt(s) / h);
    double *t = malloc((size_t)(2 * *R + 1) * sizeof *t);
    for (long d = -*R; t && d <= *R; d++)
        t[*R + d] = gauss((double)d * h, s);
    return t;
}

/* b->f: the density of phi(u) + N(0, s) for u of law a. */
static int push(gf_act act, const level *a, level *b, double s)
{
    double flat = 0.0; /* relu: the mass of u <= 0, landing on 0 */
    long R = 0;
    double *t = on_lattice(act, a, b) ? kernel_table(a->h, s, &R) : NULL;
    if (on_lattice(act, a, b) && !t)
        return -1;
    for (int i = 0; i < a->n; i++) {
        const double u = lv_node(a, i), w = a->h * a->f[i];
        if (act == GF_ACT_RELU && u <= 0.0) {
            flat += w;
        } else if (t) {
            const long base = a->k0 + i - b->k0;
            for (long d = -R; d <= R; d++)
                if (base + d >= 0 && base + d < b->n)
                    b->f[base + d] += w * t[R + d];
        } else if (w != 0.0) {
            spread(b, gf_act_phi(act, u), w, s, b->f);
        }
    }
    free(t);
    if (flat > 0.0)
        spread(b, 0.0, flat, s, b->f);
    double total = 0.0; /* renormalize: the tails beyond K deviations are dropped */
    for (int j = 0; j < b->n; j++)
        total += b->f[j];
    total *= b->h;
    for (int j = 0; j < b->n; j++)
        b->f[j] /= total;
    return total > 0.0 ? 0 : -1;
}

/* a->gam from b->gam through the transition of variance s (see above). */
static int pull(gf_act act, level *a, const level *b, double s, double chi_f)
{
    double *w = malloc((size_t)b->n * sizeof *w), g_bar = 0.0;
    if (!w)
        return -1;
    for (int j = 0; j < b->n; j++) {
        w[j] = b->h * mask(act, lv_node(b, j)) * b->gam[j];
        g_bar += w[j] * b->f[j];
    }
    long R = 0;
    double *t = on_lattice(act, a, b) ? kernel_table(a->h, s, &R) : NULL;
    const double c = chi_f * g_bar, at0 = gather(b, 0.0, w, s) + c;
    for (int i = 0; i < a->n; i++) {
        const double u = lv_node(a, i);
        if (act == GF_ACT_RELU && u <= 0.0) {
            a->gam[i] = at0;
        } else if (t) {
            const long base = a->k0 + i - b->k0;
            double acc = 0.0;
            for (long d = -R; d <= R; d++)
                if (base + d >= 0 && base + d < b->n)
                    acc += w[base + d] * t[R + d];
            a->gam[i] = acc + c;
        } else {
            a->gam[i] = gather(b, gf_act_phi(act, u), w, s) + c;
        }
    }
    const int ok = !on_lattice(act, a, b) || t;
    free(t);
    free(w);
    return ok ? 0 : -1;
}

/* The step for the next level: between sd / 40 and sd / 20 (NMIN..NMAX nodes),
 * and below the kernel's deviation / 1.5 so the trapezoid sums stay exact. */
static double next_step(double h, double sd, double s)
{
    while (2.0 * K * sd / h > NMAX)
        h *= 2.0;
    while (2.0 * K * sd / h < NMIN || h > sqrt(s) / 1.5)
        h *= 0.5;
    return h;
}

int gf_theory_resnet_recursion(gf_act act, double sw2, double sb2, double q0, int blocks,
                               double *m2, double *log10_gain, double *log10_gain_indep)
{
    level *L = calloc((size_t)blocks + 1, sizeof *L);
    int rc = L && q0 > 0.0 && blocks >= 0 ? 0 : -1;
    /* u_0 ~ N(0, q0): the stem's pre-activation */
    if (rc == 0 && (rc = lv_place(&L[0], sqrt(q0) * 2.0 * K / NMAX, 0.0, sqrt(q0))) == 0)
        for (int i = 0; i < L[0].n; i++)
            L[0].f[i] = gauss(lv_node(&L[0], i), q0);
    for (int l = 0; rc == 0 && l < blocks; l++) {
        const double x1 = lv_moment(&L[l], act, 1), x2 = lv_moment(&L[l], act, 2);
        if (m2)
            m2[l] = x2;
        const double q1 = sw2 * x2 + sb2;                                /* h1 = W1 x + b1 */
        const double s = sw2 * gf_theory_gauss_expect(act, q1, 0) + sb2;  /* Var F */
        L[l].s = s;
        L[l].chi_f = sw2 * sw2 * gf_theory_gauss_expect(act, q1, 1);
        const double sd = sqrt(fmax(x2 - x1 * x1, 0.0) + s);
        if (!(s > 0.0) || !isfinite(sd) || isnan(L[l].chi_f)) {
            rc = -1;
            break;
        }
        const double h = next_step(L[l].h, sd, s);
        if (h != L[l].h && lv_restep(&L[l], h) != 0)
            rc = -1;
        else
            rc = lv_place(&L[l + 1], h, x1, sd) == 0 ? push(act, &L[l], &L[l + 1], s) : -1;
    }
    if (rc == 0 && m2)
        m2[blocks] = lv_moment(&L[blocks], act, 2);
    if (rc == 0 && blocks > 0) {
        for (int j = 0; j < L[blocks].n; j++)
            L[blocks].gam[j] = 1.0; /* E[gam_B] = 1; each gam_l is rescaled to mean 1 */
        for (int l = blocks - 1; rc == 0 && l >= 0; l--) {
            double p = 0.0; /* E[phi'(u_{l+1})^2] */
            for (int j = 0; j < L[l + 1].n; j++)
                p += L[l + 1].h * L[l + 1].f[j] * mask(act, lv_node(&L[l + 1], j));
            if (log10_gain_indep)
                log10_gain_indep[l] = 0.5 * log10(p * (1.0 + L[l].chi_f));
            if ((rc = pull(act, &L[l], &L[l + 1], L[l].s, L[l].chi_f)) != 0)
                break;
            double e = 0.0;
            for (int i = 0; i < L[l].n; i++)
                e += L[l].h * L[l].f[i] * L[l].gam[i];
            log10_gain[l] = 0.5 * log10(e);
            for (int i = 0; i < L[l].n; i++)
                L[l].gam[i] /= e;
            if (!isfinite(log10_gain[l]))
                rc = -1;
        }
    }
    for (int l = 0; L && l <= blocks; l++) {
        free(L[l].f);
        free(L[l].gam);
    }
    free(L);
    return rc;
}

/* ---- every stack ---------------------------------------------------------------- */

int gf_theory_block_gains(const gf_stack_config *c, double *log10_gain, char *why, size_t size)
{
    if ((unsigned)c->arch >= GF_ARCH_MLP_COUNT) {
        snprintf(why, size, "no prediction for convolutional nets (the theory is of MLP stacks)");
        return -1;
    }
    if (c->arch == GF_ARCH_PLAIN)
        return gf_theory_plain_block_gains(c, log10_gain, why, size);
    if (c->norm != GF_NORM_NONE) {
        snprintf(why, size, "%s",
                 c->norm == GF_NORM_BATCH
                     ? "no prediction with batch norm (batch statistics couple the samples)"
                     : "no prediction with layer norm (the recursion here has no norm layer)");
        return -1;
    }
    if (c->zero_branch && c->arch == GF_ARCH_RESNET && c->act == GF_ACT_TANH) {
        snprintf(why, size, "no prediction with zeroed branches and tanh (x_{l+1} = tanh(x_l), a "
                            "chain without noise, is not carried)");
        return -1;
    }
    const size_t w = c->width;
    const double sw2 = (double)w * gf_init_weight_var(c->init, w, w);
    const double sb2 = gf_init_bias_var(c->init, w);
    /* the stem's pre-activation variance for standardized inputs */
    const double q0 = (double)c->in_dim * gf_init_weight_var(c->init, c->in_dim, w) +
                      gf_init_bias_var(c->init, c->in_dim);
    const int B = gf_stack_blocks(c);
    int rc;
    if (c->zero_branch) {
        /* F = 0: preact's block is the identity, and so is resnet's relu(x) = x on
         * x >= 0, except that the coordinates where x_0 = relu(stem) is 0 pass no
         * gradient, the same ones at every block: half of dL/dx_B's energy is lost
         * once, at the block next to the head (P(u_0 > 0) = 1/2) */
        for (int l = 0; l < B; l++)
            log10_gain[l] = 0.0;
        if (c->arch == GF_ARCH_RESNET && c->act == GF_ACT_RELU && B > 0)
            log10_gain[B - 1] = 0.5 * log10(0.5);
        rc = 0;
    } else if (c->arch == GF_ARCH_PREACT) { /* x_0 = stem x ~ N(0, q0) */
        rc = gf_theory_preact_recursion(c->act, sw2, sb2, q0, B, NULL, log10_gain);
    } else {
        rc = gf_theory_resnet_recursion(c->act, sw2, sb2, q0, B, NULL, log10_gain, NULL);
    }
    if (rc != 0)
        snprintf(why, size, "no prediction: the mean-field variance overflows or a quadrature "
                            "failed");
    return rc;
}
