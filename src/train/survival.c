/* survival.c: stochastic depth's rules (Huang et al. 2016): the probability
 * that each of B blocks runs in a training step. */
#include "train/gf_train.h"

const char *const gf_survival_names[] = {"none", "linear", "uniform", NULL};

void gf_survival_fill(gf_survival_kind kind, double p_last, int blocks, double *p)
{
    if (kind == GF_SURVIVAL_LINEAR)
        gf_survival_linear(p, blocks, p_last);
    else
        gf_survival_uniform(p, blocks, kind == GF_SURVIVAL_UNIFORM ? p_last : 1.0);
}

void gf_survival_linear(double *p, int blocks, double p_last)
{
    for (int l = 0; l < blocks; l++) /* p_l = 1 - (l + 1) / B (1 - p_B), blocks counted from 1 */
        p[l] = 1.0 - (double)(l + 1) / (double)blocks * (1.0 - p_last);
}

void gf_survival_uniform(double *p, int blocks, double p_last)
{
    for (int l = 0; l < blocks; l++)
        p[l] = p_last;
}
