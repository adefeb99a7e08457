/* gf_landscape.h: the optimization view of residual connections (syllabus
 * section 3): the loss along a line and over a plane of weight space (Li et
 * al. 2018, "Visualizing the Loss Landscape of Neural Nets"; Goodfellow et
 * al. 2015), the training trajectory in its principal directions, the
 * curvature of the loss (the top Hessian eigenvalue and the trace; Cohen et
 * al. 2021), and deep stacks asked to learn the identity.
 *
 * Everything reaches the network through the model interface (gf_model), so
 * any family plugs in. A point of weight space is a whole state vector: the
 * model's gf_params value buffer (p->size doubles, its slot layout: weights,
 * biases, norm scales and shifts, running statistics, counters). Losses are
 * the mean softmax cross-entropy over a data set in evaluation mode (batch
 * norm with its running statistics), as gf_evaluate computes them, so a
 * point's loss is deterministic and equals what the trainer recorded for the
 * same weights and data.
 *
 * Worked example (the surface around trained weights)
 *   double *c = gf_land_state(m), *d1 = ..., *d2 = ...;   // p->size each
 *   gf_land_direction(m, rng, d1); gf_land_direction(m, rng, d2);
 *   gf_land_eval ev = {.m = m, .tape = tape, .data = &subset, .batch = 250};
 *   gf_land_surface(&ev, c, d1, d2, coords, 41, coords, 41, loss, err, why, size);
 */
#ifndef GF_LANDSCAPE_H
#define GF_LANDSCAPE_H

#include "data/gf_data.h"
#include "model/gf_model.h"

#include <gsl/gsl_rng.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- state vectors -------------------------------------------------------- */

/* A copy of m's state (p->size doubles, malloc'd); NULL out of memory. */
double *gf_land_state(gf_model *m);
/* Write a state vector into m. */
void gf_land_set_state(gf_model *m, const double *theta);
/* mask[i] = 1 where entry i belongs to a trainable slot (GF_SLOT_PARAM), 0
 * for running statistics and counters. */
void gf_land_trainable_mask(gf_model *m, unsigned char *mask);
/* ||a - b|| over the trainable entries (b NULL: ||a||). */
double gf_land_distance(gf_model *m, const double *a, const double *b);

/* A filter-normalized random direction (Li et al. 2018, sec. 4): d ~ N(0, 1)
 * in the weight of every weighted layer (gf_model_layer), then each row of
 * it (one output unit: an MLP's filter; a convolution's filter when its
 * weight is stored out x (in k k)) rescaled to the norm of the same row of
 * the weight, ||d_r|| = ||W_r||; 0 everywhere else: biases, batch-norm scales
 * and shifts and running statistics are left out (the paper's "biasbn"
 * setting: those entries stay at the trained values). dir: p->size doubles.
 * 0, or -1 when the model has no weighted layer. */
int gf_land_direction(gf_model *m, gsl_rng *rng, double *dir);

/* ---- losses over a data set ------------------------------------------------ */

typedef struct gf_land_eval {
    gf_model *m;
    gf_tape *tape;
    const gf_dataset *data;     /* the points' data: a fixed subset */
    size_t batch;               /* rows per forward pass (memory and cache only) */
    int threads;                /* path and surface: points evaluated in parallel by this
                                   many threads (copies of the model); 0 or 1: one */
    void (*progress)(void *ctx, int done, int total); /* after every point; may be NULL */
    void *progress_ctx;
} gf_land_eval;

/* Loss and error (fraction wrong) of m with state theta over ev->data; m's
 * state is restored afterwards. 0, or -1 with a reason. */
int gf_land_loss(const gf_land_eval *ev, const double *theta, double *loss, double *err,
                 char *why, size_t size);

/* The straight line theta(a) = (1 - a) theta0 + a theta1 (every entry but the
 * counters, which stay theta1's; running statistics move along the line too,
 * with a clamped to [0, 1] so that no variance turns negative) at the n
 * values alpha[i]: a = 0 and a = 1 are theta0 and theta1 to the bit.
 * loss[i], err[i]. 0, or -1 with a reason. */
int gf_land_path(const gf_land_eval *ev, const double *theta0, const double *theta1,
                 const double *alpha, int n, double *loss, double *err, char *why,
                 size_t size);

/* The plane theta(a, b) = c + a d1 + b d2 at a = x[i], b = y[j]: loss[j nx + i]
 * and err[j nx + i] (err may be NULL); (0, 0) is c's loss to the bit. One
 * forward pass over ev->data per point, no allocation per point. For an MLP
 * stack the stem's output is S(c) + a S(d1) + b S(d2) (S(t) = t_b + x t_W^T,
 * made once per plane), so points off the centre equal gf_land_loss of their
 * state up to rounding (1e-12 relative: tested). 0, or -1. */
int gf_land_surface(const gf_land_eval *ev, const double *c, const double *d1,
                    const double *d2, const double *x, int nx, const double *y, int ny,
                    double *loss, double *err, char *why, size_t size);

/* The share of the plane's interior grid points (loss[j G + i], G x G) whose
 * 2-D curvature from second differences is clearly non-convex: lambda_min < 0
 * and |lambda_min / lambda_max| > 0.1 (Li et al. 2018, Fig. 6, map the ratio). */
double gf_land_nonconvex_share(const double *loss, int G);

/* Write a G x G plane (loss[j G + i], err likewise, at x = coords[i], y =
 * coords[j]) as gnuplot's grid: a '#' header "x y loss err", one scan of y per
 * x, a blank line between scans. Atomically; 0, or -1 with a reason. */
int gf_land_surface_write(const char *path, const double *coords, int G, const double *loss,
                          const double *err, char *why, size_t size);

/* ---- curvature -------------------------------------------------------------- */

/* The gradient of the mean loss over ev->data at theta (evaluation mode):
 * grad[i] for trainable entries, 0 for the others. m's state is restored.
 * 0, or -1 with a reason. */
int gf_land_gradient(const gf_land_eval *ev, const double *theta, double *grad, char *why,
                     size_t size);

/* A symmetric linear map v -> A v on n entries (a Hessian). 0 or -1. */
typedef int (*gf_land_matvec)(void *ctx, const double *v, double *out);

/* The Hessian of the loss at theta as a matvec by central differences of
 * exact (reverse-mode, float64) gradients:
 *   H v ~ (g(theta + h v) - g(theta - h v)) / (2 h),  h = step / ||v||,
 * whose error is O(h^2) (third derivatives) plus O(eps ||g|| / h) of
 * rounding; a ReLU kink between theta +- h v adds a jump, which h small makes
 * rare. gf_land_hvp_error estimates it by repeating at 2h. */
typedef struct gf_land_hessian {
    const gf_land_eval *ev;
    const double *theta;
    double step;                /* 1e-5 by default (GF_LAND_HVP_STEP) */
    double *work;               /* 3 p->size doubles, owned */
    size_t n;                   /* p->size */
    char why[256];              /* the first failure */
} gf_land_hessian;

#define GF_LAND_HVP_STEP 1e-5

int gf_land_hessian_init(gf_land_hessian *h, const gf_land_eval *ev, const double *theta);
void gf_land_hessian_release(gf_land_hessian *h);
int gf_land_hvp(void *h, const double *v, double *out); /* a gf_land_matvec */
/* |v.H v (step h) - v.H v (step 2h)| / 3: Richardson's estimate of the
 * finite-difference error of the Rayleigh quotient at v. */
double gf_land_hvp_error(gf_land_hessian *h, const double *v);

/* Power iteration: the eigenvalue of largest magnitude of A (n entries, only
 * where mask is 1, mask NULL: all) and its unit eigenvector vec (may be
 * NULL), from a Gaussian start drawn with rng, until the Rayleigh quotient
 * changes by less than tol (relative) or after max_iter products. *iters the
 * products used. 0, or -1 when a product fails. */
int gf_land_top_eig(gf_land_matvec A, void *ctx, size_t n, const unsigned char *mask,
                    gsl_rng *rng, int max_iter, double tol, double *lambda, double *vec,
                    int *iters);

/* Hutchinson's estimator of tr(A) = E[z^T A z], z Rademacher (+-1 where mask
 * is 1): the mean of k samples and its standard error sd / sqrt(k). 0 or -1. */
int gf_land_trace(gf_land_matvec A, void *ctx, size_t n, const unsigned char *mask,
                  gsl_rng *rng, int k, double *mean, double *se);

/* ---- trajectory --------------------------------------------------------------- */

/* The principal directions of a trajectory (Li et al. 2018, Fig. 9): with
 * the T snapshots' trainable entries as columns of A = [theta_t - theta_end]
 * (uncentered, so the end is the origin), the SVD A = U S V^T (GSL); the
 * coordinates of snapshot t on the first two directions, coord[2t + k] =
 * S_k V_tk, and the share of sum ||theta_t - theta_end||^2 each explains,
 * share[k] = S_k^2 / sum S^2. snaps: T rows of p->size. 0, or -1 with a
 * reason (fewer than two snapshots, out of memory). */
int gf_land_pca(gf_model *m, const double *snaps, int T, const double *theta_end,
                double *coord, double share[2], char *why, size_t size);

/* ---- learning the identity ------------------------------------------------------ */

/* The blocks of a model (its stem and head left out: x_0 is the input, the
 * output is x_B, both `width` features) trained by Adam on the mean squared
 * error to a target map of the inputs: the identity (y = x) or a fixed random
 * one-layer ReLU teacher y = sqrt(2) relu(Q x), Q a random orthogonal
 * matrix (the same mean square as x, nonnegative as a block's output, far
 * from x). Inputs are |N(0, 1)| per feature: nonnegative, so that the
 * identity passes through a ReLU and every stack can represent both maps. */
typedef enum { GF_TARGET_IDENTITY, GF_TARGET_TEACHER, GF_TARGET_COUNT } gf_land_target;
extern const char *const gf_land_target_names[]; /* "identity", "teacher", NULL */

typedef struct gf_identity_spec {
    gf_land_target target;
    size_t samples;             /* training inputs (also the loss's data) */
    size_t batch;
    long steps;                 /* Adam steps */
    double lr;
    double threshold;           /* relative loss MSE / E[y^2] that counts as learnt */
    long record_every;          /* the relative loss over all samples every N steps */
    unsigned long seed;         /* weights, data, teacher and batch order */
} gf_identity_spec;

typedef struct gf_identity_result {
    double loss0, loss_final;   /* relative loss at the start and at the end */
    long steps_to;              /* first recorded step at or below the threshold; -1 never */
    double moved;               /* ||theta_T - theta_0|| / ||theta_0|| (trainable) */
    double *curve;              /* relative loss at steps 0, N, 2N, ... (n_curve) */
    int n_curve;
} gf_identity_result;

/* Train m's blocks (initialized by the caller) as the spec says. 0, or -1
 * with a reason (a stem width other than the blocks', a non-finite loss). */
int gf_identity_run(gf_model *m, const gf_identity_spec *s, gf_identity_result *r, char *why,
                    size_t size);
void gf_identity_release(gf_identity_result *r);

/* Rows "net, blocks, target, step, mean, min, max" of the relative loss of k
 * runs of one stack and target (curves recorded every record_every steps),
 * over the runs, at every recorded step (the rows of identity_curves.tsv). */
void gf_identity_curve_rows(FILE *f, const char *net, int blocks, const char *target,
                            const gf_identity_result *const *runs, int k, long record_every);

#ifdef __cplusplus
}
#endif
#endif
