/* gf_recipes.h: the figures' recipes. Each fills the structs of gf_figs.h
 * from an experiment's result (titles, ranges, which nets go where); the
 * pointers inside point into the recipe's own struct. */
#ifndef GF_RECIPES_H
#define GF_RECIPES_H

#include "plots/gf_figs.h"
#include "dense/gf_dense.h"
#include "ensemble/gf_ensemble.h"
#include "grid/gf_grid.h"
#include "hanin/gf_hanin.h"
#include "lesion/gf_lesion.h"
#include "response/gf_response.h"
#include "shatter/gf_shatter.h"
#include "stochdepth/gf_stochdepth.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the degradation figures (fig_degrade.c) ---- */

/* The figures' recipes filled from a result: the error curves (plain nets
 * left, residual right, -sd nets after the whole ones) and the per-depth
 * gradient norm at up to GF_DEGRADE_FIG_STEPS probed steps of the deepest
 * nets (whole and -sd), first seed. Pointers inside point into f. */
enum { GF_DEGRADE_MAX_NETS = 2 * GF_ARCH_COUNT * GF_GRID_MAX_DEPTHS, GF_DEGRADE_FIG_STEPS = 6 };
typedef struct gf_degrade_figs {
    gf_fig_curves curves;
    gf_fig_training_norms norms;
    char title[256], subtitle[512], norms_title[256]; /* the subtitle holds the net text (192), seeds and init notes */
    char names[GF_DEGRADE_MAX_NETS][GF_NET_NAME_MAX];
    const char *left[GF_DEGRADE_MAX_NETS];
    const char *right[GF_DEGRADE_MAX_NETS];
    int left_rank[GF_DEGRADE_MAX_NETS];
    int right_rank[GF_DEGRADE_MAX_NETS];
    char norm_names[2 * GF_ARCH_COUNT][GF_NET_NAME_MAX];
    const char *norm_nets[2 * GF_ARCH_COUNT];
    long steps[GF_DEGRADE_FIG_STEPS];
    int step_epochs[GF_DEGRADE_FIG_STEPS];
} gf_degrade_figs;
void gf_degrade_figs_make(const gf_grid_result *res, gf_degrade_figs *f);

/* ---- the densenet figures (fig_densenet.c) ---- */

/* The memory curve, the reuse maps and the connection maps of a result
 * (pointers inside point into f). */
typedef struct gf_dense_figs {
    gf_fig_dense_memory memory;
    gf_fig_dense_map reuse, conn;
    char title[3][160], subtitle[3][256], last[3][24], label_text[3][64];
    const char *nets[3], *labels[3];
} gf_dense_figs;
void gf_dense_figs_make(const gf_dense_result *res, const char *data_name, gf_dense_figs *f);

/* ---- the stochastic-depth figure (fig_stochdepth.c) ---- */

/* The figure's recipe: the degrade figures' curves (a colour per net in run
 * order), and per pair of pairs[0..n) its -sd net, the whole net's fastest
 * epoch (wall, processor) and the work fractions the rule expects; title is
 * the figure's title. Pointers inside point into f. */
typedef struct gf_stochdepth_figs {
    gf_degrade_figs base;
    gf_fig_stochdepth fig;
    char title[256];
    const char *stochastic[GF_ARCH_COUNT];
    int sd_rank[GF_ARCH_COUNT];
    double wall[GF_ARCH_COUNT], cpu[GF_ARCH_COUNT], fb[GF_ARCH_COUNT], fm[GF_ARCH_COUNT];
} gf_stochdepth_figs;
void gf_stochdepth_figs_make(const gf_grid_result *res, const gf_stochdepth_pair *pairs, int n,
                             const char *title, gf_stochdepth_figs *f);

/* ---- the lesion figures (fig_lesion.c) ---- */

/* The three figures' recipes filled from n results (pointers point into f):
 * single deletions, deletions by count, swaps. */
typedef struct gf_lesion_figs {
    gf_fig_lesion single, del, swap;
    char title[3][160], subtitle[256];
    const char *nets[GF_ARCH_COUNT], *archs[GF_ARCH_COUNT];
    double base[GF_ARCH_COUNT];
} gf_lesion_figs;
void gf_lesion_figs_make(const gf_lesion_result *res, int n, const char *data_name,
                         gf_lesion_figs *f);

/* ---- the layer-response figures (fig_responses.c) ---- */

/* Both figures' recipe from a result whose nets come in the order to draw
 * (seeds of a net together); pointers point into f. */
enum { GF_RESPONSES_MAX_NETS = 16 };
typedef struct gf_responses_figs {
    gf_fig_responses fig;
    char title[160], ratio_title[160], subtitle[256];
    const char *nets[GF_RESPONSES_MAX_NETS];
    int residual[GF_RESPONSES_MAX_NETS], depth_rank[GF_RESPONSES_MAX_NETS];
} gf_responses_figs;
void gf_responses_figs_make(const gf_response_result *res, const char *data_name,
                            gf_responses_figs *f);

/* ---- the path-gradient figures (fig_paths.c) ---- */

/* The figures' recipes filled from curves (pointers into f); the sampling
 * figure's panels say at how many lengths the sample resolves g_k. */
enum { GF_PATHGRAD_MAX_STATES = 4 };
typedef struct gf_pathgrad_figs {
    gf_fig_pathgrad fig;
    char title[256], subtitle[256];
    char labels[GF_PATHGRAD_MAX_STATES][96], sampling[GF_PATHGRAD_MAX_STATES][160];
    const char *state_names[GF_PATHGRAD_MAX_STATES], *label_ptrs[GF_PATHGRAD_MAX_STATES];
    const char *sampling_ptrs[GF_PATHGRAD_MAX_STATES];
} gf_pathgrad_figs;
void gf_pathgrad_figs_make(const gf_pathgrad_curve *c, int n_states, const char *net,
                           gf_pathgrad_figs *f);

/* ---- the fluctuation figure (fig_hanin.c) ---- */

typedef struct gf_hanin_figs {
    gf_fig_hanin fig;
    gf_fig_hanin_qq qq;
    char title[256], subtitle[256], qq_title[256], qq_subtitle[512];
    size_t widths[GF_HANIN_MAX];
    double pred_slope[GF_HANIN_MAX], pred_intercept[GF_HANIN_MAX], pred_xmax[GF_HANIN_MAX];
    char qq_labels[GF_HANIN_MAX][96];
    const char *qq_label_ptrs[GF_HANIN_MAX];
} gf_hanin_figs;
/* The figures' recipes (the predicted lines for L = logit 0 only). */
void gf_hanin_figs_make(const gf_hanin_result *res, gf_hanin_figs *f);

/* ---- the shattered-gradient figures (fig_shatter.c) ---- */

typedef struct gf_shatter_figs {
    gf_fig_shatter grad, acf;
    gf_fig_shatter_depth depth;
    gf_fig_shatter_far far;
    char title[256], acf_title[256], depth_title[256], far_title[256];
    char labels[GF_SHATTER_MAX_NETS][64], arch_names[GF_SHATTER_MAX_NETS][32];
    const char *names[GF_SHATTER_MAX_NETS], *label_ptrs[GF_SHATTER_MAX_NETS];
    const char *archs[GF_SHATTER_MAX_NETS];
    double lag1[GF_SHATTER_MAX_NETS];
} gf_shatter_figs;
void gf_shatter_figs_make(const gf_shatter_result *res, gf_shatter_figs *f);

#ifdef __cplusplus
}
#endif
#endif
