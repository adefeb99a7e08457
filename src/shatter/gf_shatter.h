/* gf_shatter.h: shattered gradients (`gradflow shatter`; Balduzzi et al. 2017). */
#ifndef GF_SHATTER_H
#define GF_SHATTER_H

#include "core/gf_core.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- shattered gradients (`gradflow shatter`; shatter.c, shatter_run.c) ---- *
 *
 * Balduzzi et al. (2017): a net with a scalar input and a scalar output, the
 * derivative d output / d input at every point of a grid, and how alike the
 * derivatives at neighbouring points are. Nets (width = hidden features):
 *   plain-D, resnet-D,  gradflow stacks of D = 2B + 2 weight layers, one
 *   preact-D            input, output column 0 of a two-column head; D = 2 is
 *                       the stem and the head (one hidden layer). He weights
 *                       with PyTorch's default biases U(+-1/sqrt(fan_in)): with
 *                       zero biases a ReLU net of a scalar input is linear on
 *                       each side of 0 and nothing can shatter.
 *   ...-bn              batch norm after every Linear (no bias there). The
 *                       running statistics are set by one training-mode pass
 *                       over the grid with momentum 1 (the grid's own
 *                       statistics, unbiased variance); the derivative is then
 *                       taken in evaluation mode: each point's own derivative
 *                       of a fixed function, not a batch Jacobian's diagonal.
 *   ll-D                "looks linear": D weight layers, the first x -> h
 *                       (h = width / 2), then D - 1 times CReLU and mirrored
 *                       weights [W0, -W0], W0 orthogonal, no biases: the net
 *                       is exactly linear at initialization.
 * Seed k initializes the weights of every net (mt19937, in creation order).
 */
typedef enum {
    GF_SHATTER_PLAIN, GF_SHATTER_RESNET, GF_SHATTER_PREACT, GF_SHATTER_LL, GF_SHATTER_KINDS
} gf_shatter_kind;
extern const char *const gf_shatter_kind_names[]; /* "plain", "resnet", "preact", "ll", NULL */

typedef struct gf_shatter_net {
    gf_shatter_kind kind;
    int depth;                        /* weight layers (0 for a kind without a depth) */
    int batchnorm;                    /* plain, resnet, preact */
} gf_shatter_net;

/* "plain-24-bn", "resnet-50", "preact-50-bn", "ll-24" (and without the
 * depth: "plain-bn", "ll") into net. 0, or -1 with a one-line reason. */
int gf_shatter_net_parse(const char *s, gf_shatter_net *net, char *why, size_t size);
int gf_shatter_arch_parse(const char *s, gf_shatter_net *net, char *why, size_t size);
void gf_shatter_net_name(const gf_shatter_net *net, char *buf, size_t size);  /* "plain-24-bn" */
void gf_shatter_arch_name(const gf_shatter_net *net, char *buf, size_t size); /* "plain-bn" */

/* A net built and initialized from seed, batch norm statistics taken from
 * the grid (n points). It runs on tape (kept by the caller, reset at every
 * use; NULL: the model makes its own). NULL with a reason. */
typedef struct gf_shatter_model gf_shatter_model;
gf_shatter_model *gf_shatter_model_alloc(const gf_shatter_net *net, size_t width,
                                       unsigned long seed, const double *grid, size_t n,
                                       gf_tape *tape, char *why, size_t size);
/* Initialize the same net again from another seed (as _alloc would). 0 or -1. */
int gf_shatter_model_reseed(gf_shatter_model *m, unsigned long seed, const double *grid,
                            size_t n);
/* The output f(x_i) and d f / d x at x_i for n points, in evaluation mode
 * (either pointer may be NULL). 0 or -1. */
int gf_shatter_model_eval(gf_shatter_model *m, const double *x, size_t n, double *f,
                          double *grad);
void gf_shatter_model_free(gf_shatter_model *m);

/* n points evenly from lo to hi. */
void gf_shatter_grid(double *x, size_t n, double lo, double hi);

/* The sample autocorrelation of g at lags 0..max_lag: sum_i (g_i - m)
 * (g_{i+k} - m) / sum_i (g_i - m)^2 (NaN for k >= n). Returns 1 when g is
 * constant to rounding (spread below 1e-9 of its largest value): every lag
 * is then 1, a constant being perfectly correlated with itself. */
int gf_shatter_autocorr(const double *g, size_t n, int max_lag, double *acf);

/* The correlation of the gradient at inputs h grid steps apart, pooled over
 * the grid's pairs and not centred: sum_i g_i g_{i+h} / sqrt(sum_i g_i^2
 * sum_i g_{i+h}^2), i = 0..n-h-1. Averaged over initializations it estimates
 * E[g(x) g(x')] / E[g^2], the normalized covariance of Balduzzi et al.'s
 * theorems (over weight draws the gradient has mean 0: the head's sign is
 * symmetric). 1 for a constant gradient; NaN when h >= n or g is 0. */
double gf_shatter_far_corr(const double *g, size_t n, size_t h);

enum { GF_SHATTER_MAX_NETS = 16, GF_SHATTER_MAX_DEPTHS = 32 };

typedef struct gf_shatter_spec {
    size_t points;                    /* the grid: 256 points */
    double lo, hi;                    /* in [-2, 2] */
    size_t width;                     /* 200 */
    const gf_shatter_net *nets;       /* the figure's nets, seed seed0 */
    int n_nets;
    int noise;                        /* add brown and white noise as references */
    const gf_shatter_net *archs;      /* the depth sweep (depth ignored) */
    int n_archs;
    const int *depths;
    int n_depths;
    int seeds;                        /* per sweep point: seed0 .. seed0 + seeds - 1 */
    unsigned long seed0;              /* >= 1 */
    int max_lag;                      /* autocorrelation lags 0..max_lag (< points) */
    void (*progress)(void *ctx, int done, int total);
    void *progress_ctx;
} gf_shatter_spec;

typedef struct gf_shatter_series {
    char name[32];                    /* the net's name, "brown-noise", "white-noise" */
    int is_net;
    gf_shatter_net net;               /* when is_net */
    double *grad, *out;               /* [points]; out NaN for noise */
    double *acf;                      /* [max_lag + 1] */
    int constant;                     /* constant to rounding: acf 1 */
    double grad_mean, grad_sd;
} gf_shatter_series;

typedef struct gf_shatter_point {     /* one arch and depth of the sweep */
    int arch, depth, seeds;
    int constant;                     /* seeds whose gradient was constant */
    double mean, sd, se, min, max;    /* of the lag-1 autocorrelation over seeds */
    double far_mean, far_se;          /* of gf_shatter_far_corr at h = points / 2 (inputs
                                         (hi - lo) / 2 apart) over seeds */
} gf_shatter_point;

typedef struct gf_shatter_decay {     /* fits of ln(mean) over the resolved points */
    int points;                       /* means above twice their standard error */
    double per_layer, per_layer_se;   /* exp(slope) of ln(mean) against depth: 2^-L gives 0.5 */
    double power, power_se;           /* slope against ln depth: 1/sqrt(L) gives -0.5 */
    double r2_exp, r2_power;          /* how well each line fits */
} gf_shatter_decay;

typedef struct gf_shatter_result {
    gf_shatter_spec spec;
    double *grid;
    gf_shatter_series *series;        /* the nets, then the noises */
    int n_series;
    double *corr;                     /* [(a * n_depths + d) * seeds + k] */
    double *far;                      /* the same for gf_shatter_far_corr */
    gf_shatter_point *point;          /* [a * n_depths + d] */
    gf_shatter_decay *decay;          /* [a] */
    double wall_seconds;
} gf_shatter_result;

int gf_shatter_run(const gf_shatter_spec *spec, gf_shatter_result *res, char *why, size_t size);
void gf_shatter_release(gf_shatter_result *res);
/* shatter.tsv (net, x, gradient, output), autocorr.tsv (net, lag,
 * correlation, constant) and, with a sweep, depth.tsv (arch, depth, seeds,
 * correlation, sd, se, min, max, constant, far_correlation, far_se) and
 * depth_seeds.tsv (arch, depth, seed, correlation, far_correlation). 0, or
 * -1 with a reason. */
int gf_shatter_write(const gf_shatter_result *res, const char *dir, char *why, size_t size);

#ifdef __cplusplus
}
#endif
#endif
