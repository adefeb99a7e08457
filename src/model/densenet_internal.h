/* densenet_internal.h: what the family's files share (not installed). */
#ifndef DENSENET_INTERNAL_H
#define DENSENET_INTERNAL_H

#include "model/gf_densenet.h"
#include "model/gf_model.h"

/* A convolution's slots and its kernel side (1 or 3). */
typedef struct dn_conv { int weight, k; } dn_conv;

typedef struct dn_layer {
    gf_norm_slots norm1, norm2; /* norm2: BC only (weight -1 otherwise) */
    dn_conv conv1, conv2;       /* conv2: BC only */
    int block, index;           /* dense block 0..2, layer 1..n in it */
} dn_layer;

typedef struct densenet {
    gf_densenet_config cfg;
    gf_densenet_plan plan;
    gf_params params;
    dn_conv conv0;
    dn_layer *layer;            /* 3n */
    gf_norm_slots trans_norm[2], norm5;
    dn_conv trans_conv[2];
    gf_linear_slots classifier;
    double *sink[3];            /* connection norms (gf_densenet_set_sink), or NULL */
} densenet;

/* The slot's tensor; a norm's batch-norm state with the config's momentum. */
gf_tensor *dn_slot(densenet *d, int slot);
gf_bn_state dn_bn(densenet *d, gf_norm_slots n);

/* forward (densenet_forward.c) */
gf_tensor *dn_forward(void *net, gf_tape *tape, gf_tensor *x, int training, gf_recorder *rec,
                      const gf_block_plan *plan);
gf_tensor *dn_stem(void *net, gf_tape *tape, gf_tensor *x, int training);
gf_tensor *dn_block(void *net, gf_tape *tape, int l, gf_tensor *x, int training);
gf_tensor *dn_branch(void *net, gf_tape *tape, int l, gf_tensor *x, int training);
gf_tensor *dn_head(void *net, gf_tape *tape, gf_tensor *x_B, int training);

/* state (densenet_state.c) */
int dn_config_meta(const void *net, gf_st_file *st);
int dn_config_match(const void *net, const gf_st_file *st, char *why, size_t size);
int dn_config_from_meta(const gf_st_file *st, gf_densenet_config *c, char *why, size_t size);
int dn_state_add(const void *net, gf_st_file *st, int64_t *counts);
int dn_state_load(void *net, const gf_st_file *st, char *why, size_t size);

#endif
