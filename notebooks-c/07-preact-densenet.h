/* 07-preact-densenet.h: what the parts of lesson 07 share (not installed).
 *
 *   07-preact-densenet.c        main and teach, the intro, the summary, the exercises
 *   07-preact-densenet-unit.c   Part A: post- against pre-activation units (cnn-resnet,
 *                               cnn-preact): the post-sum ReLU, the split, depth
 *   07-preact-densenet-dense.c  Part B: DenseNet's concatenation: the gradient through
 *                               every connection, parameters, memory naive vs shared
 */
#ifndef LESSON07_H
#define LESSON07_H

#include "lesson.h"

/* The lesson's name, in one place (the number changes when lessons are renumbered). */
#define PD_SLUG "07-preact-densenet"

enum { PD_MAX_DEPTHS = 3, PD_MAX_MEM = 8, PD_ARCHS = 2 };

typedef struct pd_setup {
    int depths[PD_MAX_DEPTHS], n_depths; /* cnn depths 6n + 2 */
    int seeds;
    size_t batch;
    double width_mult;                   /* filters 16 x it in stage 1 */
    gf_dataset data;                     /* side x side images, one channel */
    size_t side;
    int dense_depth, growth;             /* the DenseNet of Part B (3n + 4, and 6n + 4 for
                                            the DenseNet-BC of the parameter count) */
    int mem_depths[PD_MAX_MEM], n_mem;   /* DenseNet depths of the memory curve */
    size_t mem_batch;
} pd_setup;

/* Part A's numbers: archs {cnn-resnet, cnn-preact}. */
typedef struct pd_unit_facts {
    gf_gradnorm_result res[PD_MAX_DEPTHS];
    double change[PD_MAX_DEPTHS][PD_ARCHS]; /* log10 ||dL/dx_0|| / ||dL/dx_B||, seed mean */
    double kept[PD_ARCHS];       /* deepest: mean over identity blocks and seeds of
                                    ||skip term of x_l|| / ||dL/dx_{l+1}|| */
    double kept_min[PD_ARCHS];   /* its smallest block value */
    double branch[PD_ARCHS];     /* mean log10 ||branch term|| / ||skip term|| */
    double zero_frac;            /* deepest cnn-resnet: entries of relu'(x_l + F) that are 0 */
    double zero_min, zero_max;   /* over blocks */
    int blocks_measured;         /* identity blocks in those means (per seed) */
} pd_unit_facts;

/* Part B's numbers. */
typedef struct pd_dense_facts {
    char dense_name[GF_NET_NAME_MAX], resnet_name[GF_NET_NAME_MAX];
    int layers;                  /* n per dense block */
    double *conn[3];             /* (n + 2)^2 log2 connection norms, at init */
    double conn_first, conn_last; /* block 1, transition row: log10 from x_0, from y_n */
    double conn_lo, conn_hi;     /* block 1: range over every connection (log10) */
    double near_mean, far_mean;  /* block 1, layers l >= 3: mean log10 from y_{l-1}, from x_0 */
    double row_spread;           /* block 1, l >= 2: mean over l of the range within row l */
    size_t in_ch[3];             /* channels of each dense block's input x_0 */
    double input_gap;            /* block 2: mean over l of log10 slice(x_0) - mean of the others */
    double col_fall;             /* block 1: log10 from x_0 through layer 1 minus through n */
    char bc_name[GF_NET_NAME_MAX];
    size_t dense_params, resnet_params, bc_params; /* at the DenseNet's depth */
    gf_dense_mem mem[3 * PD_MAX_MEM]; /* per depth: resnet, naive, shared */
    size_t mem_batch;
    int n_mem;
    double naive_ratio, shared_ratio; /* memory at the last depth / at the first */
    double naive_step0, naive_step1, shared_step0, shared_step1; /* MiB per layer, first and last
                                                                    intervals */
} pd_dense_facts;

/* Part A (07-preact-densenet-unit.c): 0, or the status after a message. */
int pd_part_unit(lesson *ls, const pd_setup *su, pd_unit_facts *f);
void pd_unit_release(pd_unit_facts *f, int n);
/* Part B (07-preact-densenet-dense.c). */
int pd_part_dense(lesson *ls, const pd_setup *su, pd_dense_facts *f);
void pd_dense_release(pd_dense_facts *f);

#endif
