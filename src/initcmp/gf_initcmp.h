/* gf_initcmp.h: initialization schemes of residual stacks side by side
 * (`gradflow init-compare`): for every scheme and architecture, the
 * gradient norm ||dL/dx_l|| at every block boundary at initialization
 * (gf_gradnorm_run over init seeds) and the first epochs of training
 * (gf_grid_train over training seeds), with the training read over all
 * seeds: mean, spread and which seeds diverged.
 *
 * A scheme is an initialization with a normalization: the schemes under
 * test share the base configuration's norm (none by default); a reference
 * scheme (He init with batch norm) can be added to compare them with what
 * Fixup and SkipInit claim to match.
 */
#ifndef GF_INITCMP_H
#define GF_INITCMP_H

#include "data/gf_data.h"
#include "grid/gf_grid.h"
#include "nn/gf_nn.h"
#include "train/gf_train.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_initcmp_scheme {
    gf_init init;
    gf_norm norm;
    int reference;                /* 1: drawn for reference, not ranked */
    char name[24];                /* the TSVs' scheme column: "he", "he+bn" */
} gf_initcmp_scheme;

/* The scheme of init with norm; reference adds "+bn" (or "+ln") to the name. */
gf_initcmp_scheme gf_initcmp_scheme_make(gf_init init, gf_norm norm, int reference);

typedef struct gf_initcmp_spec {
    gf_stack_config base;         /* width, act, zero_branch; init and norm per scheme */
    const gf_arch *archs;
    int n_archs;
    int depth;
    const gf_initcmp_scheme *schemes;
    int n_schemes;
    int init_seeds;               /* seeds of the gradient at initialization */
    int seeds;                    /* training seeds; seed k = seed0 + k, as gf_grid_train */
    long seed0;
    gf_train_config train;        /* its batch is also the gradient's batch */
    const gf_dataset *train_set, *test_set;
    const char *data_name;
    void (*progress)(void *ctx, int done, int total); /* after each scheme; may be NULL */
    void *ctx;
} gf_initcmp_spec;

/* Mean, sample standard deviation (0 for one value), min and max of the
 * values that exist; n of them (0: all NaN). */
typedef struct gf_initcmp_stat {
    double mean, sd, min, max;
    int n;
} gf_initcmp_stat;

/* One (scheme, arch). */
typedef struct gf_initcmp_cell {
    double *gmean, *gmin, *gmax;  /* [blocks + 1]: log10 ||dL/dx_l|| over the init seeds */
    int seeds, diverged;          /* training seeds, and how many stopped (not finite) */
    long diverged_step;           /* the earliest step a seed stopped at (1-based); -1 none */
    gf_initcmp_stat *loss, *err, *test; /* [epochs]: over the seeds that finished epoch e */
    gf_initcmp_stat final_loss;   /* last epoch, seeds that finished every epoch */
    gf_initcmp_stat final_err, final_test;
} gf_initcmp_cell;

typedef struct gf_initcmp_result {
    gf_initcmp_spec spec;
    int blocks, epochs;
    gf_initcmp_cell *cell;        /* [s * n_archs + a] */
    gf_grid_result *train;        /* [s]: every seed's run */
    int any_diverged;
} gf_initcmp_result;

/* Measure every scheme. 0 (also when nets diverged: that is a result), or
 * -1 with a reason. */
int gf_initcmp_run(const gf_initcmp_spec *spec, gf_initcmp_result *res, char *why, size_t size);
void gf_initcmp_release(gf_initcmp_result *res);

static inline const gf_initcmp_cell *gf_initcmp_at(const gf_initcmp_result *r, int s, int a)
{
    return &r->cell[s * r->spec.n_archs + a];
}

/* The step a diverged run stopped at, read from its reason ("... at step N
 * ..."), or -1. */
long gf_initcmp_diverged_step(const gf_grid_net *run);

/* init_gradnorm.tsv (scheme, arch, block, log10_mean, log10_min,
 * log10_max), init_curves.tsv (scheme, arch, epoch, seeds, then mean, sd,
 * min and max over the seeds of train_loss, train_err and test_err) and
 * init_runs.tsv (scheme, arch, seed, epoch, train_loss, train_err,
 * test_err: every seed) in dir. 0, or -1 with a reason. */
int gf_initcmp_write(const gf_initcmp_result *res, const char *dir, char *why, size_t size);

#ifdef __cplusplus
}
#endif
#endif
