/* densenet_state.c: the family's configuration as safetensors metadata, its
 * state under torchvision's names (convolution weights as (out, in, kh, kw)
 * tensors), and the feature-reuse map read off the weights. */
#include "densenet_internal.h"

#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N_META = 10, MEMORY = 3 };
#define AT(f) offsetof(gf_densenet_config, f)
static const gf_meta_field FIELDS[N_META] = {
    {"depth", GF_META_INT, AT(depth), NULL, 0},
    {"growth_rate", GF_META_INT, AT(growth), NULL, 0},
    {"bottleneck", GF_META_INT, AT(bc), NULL, 0},
    /* the memory layout changes no value: a file may have another */
    {"memory", GF_META_NAME, AT(memory), gf_dense_memory_names, 1},
    {"height", GF_META_SIZE, AT(height), NULL, 0},
    {"width", GF_META_SIZE, AT(width), NULL, 0},
    {"in_channels", GF_META_SIZE, AT(in_channels), NULL, 0},
    {"classes", GF_META_SIZE, AT(classes), NULL, 0},
    {"bn_momentum", GF_META_DOUBLE, AT(bn_momentum), NULL, 0},
    {"eps", GF_META_DOUBLE, AT(eps), NULL, 0},
};
#undef AT

int dn_config_meta(const void *net, gf_st_file *st)
{
    return gf_st_add_config(st, FIELDS, N_META, &((const densenet *)net)->cfg);
}

int dn_config_match(const void *net, const gf_st_file *st, char *why, size_t size)
{
    return gf_st_config_check(st, FIELDS, N_META, &((const densenet *)net)->cfg, why, size);
}

int dn_config_from_meta(const gf_st_file *st, gf_densenet_config *c, char *why, size_t size)
{
    *c = gf_densenet_config_default(); /* a file without "memory" gets the shared layout */
    if (gf_st_config_read(st, FIELDS, N_META, c, why, size) != 0)
        return -1;
    c->bc = c->bc != 0;
    return gf_densenet_config_check(c, why, size);
}

int dn_state_add(const void *net, gf_st_file *st, int64_t *counts)
{
    return gf_params_state_add(&((const densenet *)net)->params, st, counts);
}

int dn_state_load(void *net, const gf_st_file *st, char *why, size_t size)
{
    return gf_params_state_load(&((densenet *)net)->params, st, why, size);
}

/* ---- feature reuse ------------------------------------------------------------------ */

/* Mean |w| over the input channels [c0, c1) of a weight out x (in kk). */
static double mean_abs(const gf_slot *w, size_t c0, size_t c1, size_t kk)
{
    double s = 0.0;
    for (size_t o = 0; o < w->rows; o++)
        for (size_t j = c0 * kk; j < c1 * kk; j++)
            s += fabs(w->t.v[o * w->cols + j]);
    return s / (double)(w->rows * (c1 - c0) * kk);
}

int gf_densenet_reuse_map(const void *net, int block, double *map)
{
    const densenet *d = net;
    if (block < 0 || block > 2)
        return -1;
    const int n = d->plan.layers, m = n + 2;
    const size_t k = (size_t)d->cfg.growth, c0 = d->plan.in[block];
    for (int i = 0; i < m * m; i++)
        map[i] = NAN;
    for (int l = 1; l <= n + 1; l++) {
        int ws, kk = 1;
        if (l <= n) {
            const dn_conv cv = d->layer[block * n + l - 1].conv1;
            ws = cv.weight;
            kk = cv.k * cv.k;
        } else {
            ws = block < 2 ? d->trans_conv[block].weight : d->classifier.weight;
        }
        const gf_slot *w = &d->params.slot[ws];
        for (int s = 0; s < l; s++) { /* source s owns [c0 + (s-1)k, c0 + s k), s = 0: [0, c0) */
            const size_t lo = s == 0 ? 0 : c0 + (size_t)(s - 1) * k, hi = c0 + (size_t)s * k;
            map[l * m + s] = mean_abs(w, lo, hi, (size_t)kk);
        }
    }
    return 0;
}
