/* cnn_state.c: the configuration of a "cnn" net as safetensors metadata,
 * its check against a file, and a net built from a file's metadata. */
#include "model/cnn_internal.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What cnn_init does, recorded for a reader. */
static const char *const INIT[] = {"kaiming_normal_fan_out"};
static const char *const UNIT_NAMES[] = {"cnn-plain", "cnn-resnet", "cnn-preact", NULL};

enum { N_META = 11 };
#define AT(f) offsetof(gf_cnn_config, f)
static const gf_meta_field FIELDS[N_META] = {
    {"arch", GF_META_NAME, AT(unit), UNIT_NAMES, 0},
    {"depth", GF_META_INT, AT(depth), NULL, 0},
    {"filters", GF_META_SIZE, AT(filters), NULL, 0},
    {"height", GF_META_SIZE, AT(height), NULL, 0},
    {"width", GF_META_SIZE, AT(width), NULL, 0},
    {"channels", GF_META_SIZE, AT(channels), NULL, 0},
    {"classes", GF_META_SIZE, AT(classes), NULL, 0},
    {"zero_init_residual", GF_META_INT, AT(zero_branch), NULL, 0},
    {"bn_momentum", GF_META_DOUBLE, AT(bn_momentum), NULL, 0},
    {"eps", GF_META_DOUBLE, AT(eps), NULL, 0},
    {"init", GF_META_TEXT, 0, INIT, 0},
};
#undef AT

int gf_cnn_config_meta(const void *net, gf_st_file *st)
{
    return gf_st_add_config(st, FIELDS, N_META, &((const cnn_net *)net)->cfg);
}

int gf_cnn_config_match(const void *net, const gf_st_file *st, char *why, size_t size)
{
    return gf_st_config_check(st, FIELDS, N_META, &((const cnn_net *)net)->cfg, why, size);
}

void *gf_cnn_build_from_meta(const gf_st_file *st, char *why, size_t size)
{
    gf_cnn_config c = {0};
    if (gf_st_config_read(st, FIELDS, N_META, &c, why, size) != 0)
        return NULL;
    if (gf_cnn_config_check(&c, why, size) != 0)
        return NULL;
    /* stage 3's 3x3 convs alone (2n - 1 of 4f x 4f): a damaged file must not ask for
     * terabytes */
    const double f4 = 4.0 * (double)c.filters, need = 9.0 * f4 * f4 * ((c.depth - 2) / 3 - 1);
    if (need > gf_st_numbers(st)) {
        snprintf(why, size, "its metadata (depth %d, %zu filters) describes at least %.4g "
                 "weights, but the file holds %.0f numbers", c.depth, c.filters, need,
                 gf_st_numbers(st));
        return NULL;
    }
    cnn_net *k = gf_model_cnn.build(&c, why, size);
    if (k && gf_cnn_config_match(k, st, why, size) != 0) {
        gf_model_cnn.free(k);
        return NULL;
    }
    return k;
}
