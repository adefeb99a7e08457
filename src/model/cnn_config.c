/* cnn_config.c: the config of He et al.'s CIFAR nets, from the shared
 * network options (the arch registry's builder) and checked. */
#include "model/gf_model.h"

#include <math.h>
#include <stdio.h>

_Static_assert(sizeof(gf_cnn_config) <= sizeof(gf_family_config), "room for the cnn config");

int gf_cnn_config_check(const gf_cnn_config *c, char *why, size_t size)
{
    const char *msg = NULL;
    if (c->unit != GF_ARCH_PLAIN && c->unit != GF_ARCH_RESNET && c->unit != GF_ARCH_PREACT)
        msg = "unknown block kind";
    else if (c->depth < 8 || (c->depth - 2) % 6 != 0 || c->depth > 6 * 1000 + 2)
        msg = "depth must be 6n+2 (20, 32, 44, 56, 110, ...)";
    else if (c->filters < 2 || c->filters % 2 != 0 || c->filters > 4096)
        msg = "the stem's filters (16 x --width-mult) must be even, 2 to 4096";
    else if (c->height < 1 || c->width < 1 || c->channels < 1 || c->classes < 2)
        msg = "the image must have a pixel and a channel, and there must be 2 classes or more";
    else if (c->height * c->width * c->channels > 1u << 20 || c->classes > 1u << 16)
        msg = "sizes are too large";
    else if (!(c->bn_momentum >= 0.0 && c->bn_momentum <= 1.0) || !(c->eps > 0.0))
        msg = "batch norm needs momentum in [0, 1] and eps > 0";
    if (msg && why)
        snprintf(why, size, "%s", msg);
    return msg ? -1 : 0;
}

void gf_cnn_macs(const gf_cnn_config *c, double *block, double *fixed)
{
    const int n = (c->depth - 2) / 6;
    double h = (double)c->height, w = (double)c->width, cin = (double)c->filters;
    *fixed = 9.0 * (double)c->channels * cin * h * w + 4.0 * (double)c->filters * c->classes;
    for (int s = 0; s < 3; s++) {
        const double cs = (double)(c->filters << s);
        if (s > 0) { /* stride 2, padding 1: ceil(h / 2) */
            h = ceil(h / 2.0);
            w = ceil(w / 2.0);
        }
        for (int i = 0; i < n; i++) {
            block[s * n + i] = 9.0 * (cin + cs) * cs * h * w; /* conv1: cin -> cs, conv2 */
            cin = cs;
        }
    }
}

double gf_cnn_conv_outputs(const gf_cnn_config *c)
{
    const int n = (c->depth - 2) / 6;
    double h = (double)c->height, w = (double)c->width, sum = (double)c->filters * h * w;
    for (int s = 0; s < 3; s++) {
        if (s > 0) {
            h = ceil(h / 2.0);
            w = ceil(w / 2.0);
        }
        sum += 2.0 * n * (double)(c->filters << s) * h * w;
    }
    return sum;
}

/* The most nearly square h x w = d with h <= w: Fashion-MNIST's 784 is
 * 28 x 28, the synthetic set's 32 features 4 x 8, a prime 1 x d. */
void gf_image_dims(size_t d, size_t *h, size_t *w)
{
    size_t best = 1;
    for (size_t k = 1; k * k <= d; k++)
        if (d % k == 0)
            best = k;
    *h = best;
    *w = d / best;
}

int gf_cnn_config_from(const gf_stack_config *c, gf_family_config *out, char *why, size_t size)
{
    const double mult = c->width_mult > 0.0 ? c->width_mult : 1.0;
    const double filters = 16.0 * mult;
    gf_cnn_config *k = &out->cnn;
    *k = (gf_cnn_config){.unit = gf_arch_unit(c->arch), .depth = c->depth, .channels = 1,
                         .classes = c->classes, .zero_branch = c->zero_branch,
                         .bn_momentum = c->bn_momentum, .eps = c->eps};
    gf_image_dims(c->in_dim, &k->height, &k->width);
    if (filters != floor(filters) || filters < 2.0 || filters > 4096.0 ||
        (long)filters % 2 != 0) {
        snprintf(why, size, "--width-mult %g gives %g filters: 16 x it must be an even count "
                 "(0.125, 0.25, 0.5, 1, ...; option A pads channels evenly)", mult, filters);
        return -1;
    }
    k->filters = (size_t)filters;
    return gf_cnn_config_check(k, why, size);
}
