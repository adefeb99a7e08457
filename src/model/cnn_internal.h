/* cnn_internal.h: the network of the family "cnn" (cnn*.c only). */
#ifndef GF_CNN_INTERNAL_H
#define GF_CNN_INTERNAL_H

#include "core/gf_conv.h"
#include "model/gf_model.h"

typedef struct cnn_block {
    int conv1, conv2;             /* weight slots (3x3, no bias) */
    gf_norm_slots bn1, bn2;
    gf_image_shape in, out;       /* x_l and x_{l+1} */
    size_t stride;                /* 2 at the first block of stages 2 and 3: option-A skip */
} cnn_block;

typedef struct cnn_net {
    gf_cnn_config cfg;
    int blocks;                   /* 3n */
    gf_params params;
    gf_image_shape image, stem;   /* the input, x_0 */
    int conv1;                    /* the stem's weight */
    gf_norm_slots bn1;            /* after the stem (plain, resnet) */
    gf_norm_slots bn;             /* before the pooling (preact) */
    gf_linear_slots fc;
    cnn_block *block;
} cnn_net;

/* cnn_forward.c: the pieces and the whole pass (gf_model_type's). */
gf_tensor *gf_cnn_stem(void *net, gf_tape *tape, gf_tensor *x, int training);
gf_tensor *gf_cnn_branch(void *net, gf_tape *tape, int l, gf_tensor *x, int training);
gf_tensor *gf_cnn_skip(void *net, gf_tape *tape, int l, gf_tensor *x);
gf_tensor *gf_cnn_block(void *net, gf_tape *tape, int l, gf_tensor *x, int training);
gf_tensor *gf_cnn_head(void *net, gf_tape *tape, gf_tensor *x_B, int training);
gf_tensor *gf_cnn_forward(void *net, gf_tape *tape, gf_tensor *x, int training,
                          gf_recorder *rec, const gf_block_plan *plan);

/* cnn_state.c: the configuration as metadata, and back. */
int gf_cnn_config_meta(const void *net, gf_st_file *st);
int gf_cnn_config_match(const void *net, const gf_st_file *st, char *why, size_t size);
void *gf_cnn_build_from_meta(const gf_st_file *st, char *why, size_t size);

#endif
