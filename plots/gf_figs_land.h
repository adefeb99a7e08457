/* gf_figs_land.h: the figures of `gradflow landscape` (fig_landscape.c).
 *
 *   contour     per net, log10 of the loss over the plane (surface-NET.tsv:
 *               x, y, loss, err, one scan of y per x, '#' header), filled and
 *               with contour lines, every panel on the same colour scale;
 *   3d          the same surfaces in 3-D (pm3d), the same z and colour range;
 *   path        loss (log scale) and error along theta(a) from path.tsv (net,
 *               arch, depth, alpha, loss, err), a = 0 the initialization, 1 the
 *               trained weights;
 *   trajectory  per net, the snapshots on the first two principal directions
 *               (trajectory.tsv: net, arch, depth, step, pc1, pc2);
 *   sharpness   the top Hessian eigenvalue against the step (sharpness.tsv:
 *               net, arch, depth, epoch, step, lr, lambda_max, ...), log scale,
 *               with 2 / lr and (2 + 2 momentum) / lr. */
#ifndef GF_FIGS_LAND_H
#define GF_FIGS_LAND_H

#include "plots/gf_gnuplot.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_fig_land {
    const char *title, *subtitle;
    const char *const *nets, *const *archs; /* per net: "resnet-56", "resnet" */
    const int *depths;
    int n_nets;
    double zlo, zhi;           /* log10 loss: the colour and z range of every panel */
    const double *share;       /* per net: the two directions' shares of variance */
    const int *has_traj;       /* per net: 1 when it has a trajectory */
    double momentum;           /* 0: no (2 + 2 momentum) / lr line */
    double path_top;           /* the path's loss axis ends here (0: automatic) */
} gf_fig_land;

int gf_fig_land_contour_body(FILE *out, gf_term term, const void *ctx);
int gf_fig_land_3d_body(FILE *out, gf_term term, const void *ctx);
int gf_fig_land_path_body(FILE *out, gf_term term, const void *ctx);
int gf_fig_land_trajectory_body(FILE *out, gf_term term, const void *ctx);
int gf_fig_land_sharpness_body(FILE *out, gf_term term, const void *ctx);

/* `gradflow identity`: per target a panel of the relative loss (log scale)
 * against the step, the mean over seeds with its min-max band, from
 * identity_curves.tsv (net, blocks, target, step, loss_mean, loss_min,
 * loss_max); one colour per net, one dash per depth. */
typedef struct gf_fig_identity {
    const char *title, *subtitle;
    const char *const *nets, *const *colors;
    int n_nets;
    const int *blocks;
    int n_blocks;
    const char *const *targets;
    int n_targets;
    double threshold;
} gf_fig_identity;
int gf_fig_identity_body(FILE *out, gf_term term, const void *ctx);

#ifdef __cplusplus
}
#endif
#endif
