/* gf_stochdepth.h: stochastic depth against the whole net (`gradflow
 * stochdepth`, lesson 04), read from a training grid run with a survival rule. */
#ifndef GF_STOCHDEPTH_H
#define GF_STOCHDEPTH_H

#include "grid/gf_grid.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- stochastic depth (`gradflow stochdepth`) ------------------------------ *
 *
 * A degrade experiment with spec.survival set trains each residual net whole
 * and with stochastic depth. A pair compares the two: what the rule leads
 * one to expect, and what was measured.
 */
typedef struct gf_stochdepth_pair {
    char whole[GF_NET_NAME_MAX], stochastic[GF_NET_NAME_MAX]; /* net names: "resnet-56", "resnet-56-sd" */
    gf_arch arch;
    int depth, blocks;
    double expected_blocks;           /* E[blocks run in a step] = sum_l p_l */
    double expected_layers;           /* E[weight layers run] = 2 sum_l p_l + 2 */
    double block_fraction;            /* sum_l p_l / B */
    double mac_fraction;              /* expected share of the whole net's Linear multiply-adds:
                                         (in w + w c + 2 w^2 sum p_l) / (in w + w c + 2 w^2 B) */
    double fixed_share;               /* the stem and head's share of the whole net's:
                                         (in w + w c) / (in w + w c + 2 w^2 B) */
    /* [0] whole, [1] -sd; times of the training steps of an epoch over every
     * epoch of every seed: median and fastest (each epoch does the same work,
     * so the fastest is the one other programs disturbed least) */
    double seconds[2], seconds_min[2], cpu_seconds[2], cpu_seconds_min[2];
    double spread[2];                 /* of the wall seconds: interquartile range / median */
    double eval_seconds[2];           /* evaluation after an epoch: median */
    double train_err[2], test_err[2]; /* final, mean over the seeds that finished */
    double train_err_sd[2], test_err_sd[2]; /* their sample standard deviation (0: one seed) */
    int finished[2];                  /* seeds that finished */
    /* -sd minus whole, seed by seed (the same seed: weights and batch order),
     * over the seeds both finished: mean and sample standard deviation */
    double diff_train, diff_train_sd, diff_test, diff_test_sd;
    int paired;                       /* seeds in the difference */
} gf_stochdepth_pair;

/* The pairs of a result (one per residual architecture and depth), at most
 * max. Their count. */
int gf_stochdepth_pairs(const gf_grid_result *res, gf_stochdepth_pair *out, int max);

/* Write stochdepth.tsv (a row per net: the rule, the expected depth and
 * work, final errors (mean over the seeds), times per epoch and their ratio
 * to the whole net, the errors' standard deviation over the seeds)
 * and epoch_times.tsv (a row per net, seed and epoch: wall and processor
 * seconds of the training steps, seconds of the evaluation) into dir. 0,
 * or -1 with a reason. */
int gf_stochdepth_write(const gf_grid_result *res, const char *dir, char *why, size_t size);

#ifdef __cplusplus
}
#endif
#endif
