/* cnn_state.c: the configuration of a "cnn" net as safetensors metadata,
 * its check against a file, and a net built from a file's metadata. */
#include "model/cnn_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N_META = 11 };
static const char *const KEYS[N_META] = {"arch", "depth", "filters", "height", "width",
                                         "channels", "classes", "zero_init_residual",
                                         "bn_momentum", "eps", "init"};
/* What cnn_init does, recorded for a reader. */
static const char INIT[] = "kaiming_normal_fan_out";
static const char *const UNIT_NAMES[] = {"cnn-plain", "cnn-resnet", "cnn-preact"};

static void pairs(const gf_cnn_config *c, char value[N_META][32])
{
    snprintf(value[0], 32, "%s", UNIT_NAMES[c->unit]);
    snprintf(value[1], 32, "%d", c->depth);
    snprintf(value[2], 32, "%zu", c->filters);
    snprintf(value[3], 32, "%zu", c->height);
    snprintf(value[4], 32, "%zu", c->width);
    snprintf(value[5], 32, "%zu", c->channels);
    snprintf(value[6], 32, "%zu", c->classes);
    snprintf(value[7], 32, "%d", c->zero_branch);
    snprintf(value[8], 32, "%.17g", c->bn_momentum);
    snprintf(value[9], 32, "%.17g", c->eps);
    snprintf(value[10], 32, "%s", INIT);
}

int gf_cnn_config_meta(const void *net, gf_st_file *st)
{
    char value[N_META][32];
    pairs(&((const cnn_net *)net)->cfg, value);
    for (int i = 0; i < N_META; i++)
        if (gf_st_add_meta(st, KEYS[i], value[i]) != 0)
            return -1;
    return 0;
}

int gf_cnn_config_match(const void *net, const gf_st_file *st, char *why, size_t size)
{
    char value[N_META][32];
    pairs(&((const cnn_net *)net)->cfg, value);
    for (int i = 0; i < N_META; i++)
        if (gf_st_meta_check(st, KEYS[i], value[i], why, size) != 0)
            return -1;
    return 0;
}

/* A whole number in [lo, hi] from text, or -1. */
static long whole(const char *v, long lo, long hi)
{
    char *end;
    const long n = v && *v ? strtol(v, &end, 10) : -1;
    return v && *v && !*end && n >= lo && n <= hi ? n : -1;
}

void *gf_cnn_build_from_meta(const gf_st_file *st, char *why, size_t size)
{
    const char *v[N_META];
    for (int i = 0; i < N_META; i++)
        if (!(v[i] = json_string_value(json_object_get(st->metadata, KEYS[i])))) {
            snprintf(why, size, "the file does not record the network's %s", KEYS[i]);
            return NULL;
        }
    int unit = -1;
    for (int u = 0; u < 3; u++)
        if (strcmp(v[0], UNIT_NAMES[u]) == 0)
            unit = u;
    long n[7];
    int ok = unit >= 0;
    for (int i = 1; i <= 7; i++)
        ok = ok && (n[i - 1] = whole(v[i], 0, 1 << 20)) >= 0;
    char *end[2];
    gf_cnn_config c = {.bn_momentum = strtod(v[8], &end[0]), .eps = strtod(v[9], &end[1])};
    if (!ok || *end[0] || *end[1]) {
        snprintf(why, size, "the network's configuration in the file is damaged");
        return NULL;
    }
    c.unit = (gf_arch)unit;
    c.depth = (int)n[0];
    c.filters = (size_t)n[1];
    c.height = (size_t)n[2];
    c.width = (size_t)n[3];
    c.channels = (size_t)n[4];
    c.classes = (size_t)n[5];
    c.zero_branch = (int)n[6];
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
