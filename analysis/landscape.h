/* landscape.h: `gradflow landscape`: its options, what it measures of each
 * net (landscape_nets.c) and what it shows (landscape_report.c). The
 * measurements are the library's (gf_land_*, landscape/gf_landscape.h). */
#ifndef CLI_LANDSCAPE_H
#define CLI_LANDSCAPE_H

#include "experiment.h"
#include "run.h"

#include "gradflow.h"

typedef struct landscape_options {
    cli_common c;               /* archs, width, init, norm, act, the seed, out, drawing */
    int depths[GF_GRID_MAX_DEPTHS], n_depths;
    cli_train_opts t;           /* the data and degrade's training */
    const char *load;           /* a degrade run folder; NULL: train here */
    long grid;                  /* points per side of the surface (odd) */
    double span;                /* the surface covers [-span, span]^2 */
    long images;                /* the path's and surface's images: the first N trained on */
    long hess_images;           /* the curvature's images: the first N trained on */
    long power_iters, hutchinson;
    long snapshots;             /* parameter snapshots per epoch (trajectory) */
    long threads;               /* grid points evaluated in parallel */
    int quick;
    const char *train_option;   /* the first option that shapes training (refused with --load) */
} landscape_options;

/* The curvature at one point of training. */
typedef struct land_sharp {
    int epoch;
    long step;
    double lr;                  /* the rate of the epoch's steps (NaN at epoch 0: the first) */
    double lambda, lambda_err;  /* top eigenvalue, its finite-difference error estimate */
    int iters;
    double trace, trace_se;
} land_sharp;

/* One net's measurements. */
typedef struct land_net {
    char name[GF_NET_NAME_MAX];
    gf_arch arch;
    int depth;
    long seed;
    int epochs;                 /* trained (here or in the loaded run) */
    double trained_loss, trained_err, init_loss, init_err; /* over the path's images */
    double *path_loss, *path_err;            /* [n_path] at alpha (shared) */
    double *surf_loss, *surf_err;            /* [grid * grid], row b, column a */
    double surf_min, surf_max, nonconvex;    /* the share of clearly non-convex points */
    double *traj;                            /* [2 n_traj]: the trajectory's coordinates */
    long *traj_step;
    int n_traj;
    double share[2];
    land_sharp *sharp;
    int n_sharp;
    double train_seconds, path_seconds, surface_seconds, sharp_seconds;
} land_net;

typedef struct land_result {
    land_net *nets;
    int n_nets;
    double *alpha, *coords;     /* the path's alphas [n_path], the surface's axis [grid] */
    int n_path, grid;
    const char *data_name;
    long ntrain, images;        /* the training set; the path's and surface's images */
    long hess_images;           /* the curvature's images */
    double momentum;            /* sgd's, for the (2 + 2 beta) / lr line; 0 otherwise */
} land_result;

/* ---- landscape_nets.c ---- */

/* Every net: loaded or trained, then measured. 0, or -1 after a one-line error. */
int landscape_measure(const landscape_options *o, land_result *res);
void landscape_release(land_result *res);

/* ---- landscape_report.c ---- */

int landscape_write(const land_result *res, const char *dir, char *why, size_t size);
void landscape_describe(json_t *m, const landscape_options *o, const land_result *res);
int landscape_figures(cli_run *r, const land_result *res);
/* Into summary.txt and, unless quiet, on stdout. 0, or -1 after a message. */
int landscape_summary(const cli_run *r, const landscape_options *o, const land_result *res);

#endif
