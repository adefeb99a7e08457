/* response.c: the responses of a trained conv net's 3x3 layers, read from
 * the tape's batch-norm nodes, and the size of each residual branch. */
#include "response/gf_response.h"

#include "core/gf_conv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Running sums of one pass: per layer sum and sum of squares of the response
 * values and their count; per unit the sum of the per-image ratios. */
typedef struct sums {
    double *s1, *s2, *count, *ratio;
} sums;

/* 1 when node i is a batch norm (eval mode) whose input is a conv's output. */
static int is_response(const gf_tape *tape, size_t i)
{
    if (gf_tape_op(tape, i) != &gf_op_batchnorm_eval)
        return 0;
    const gf_tensor *in = gf_tape_node_input(tape, i, 0);
    for (size_t j = i; j-- > 0;)
        if (gf_tape_output(tape, j) == in)
            return gf_tape_op(tape, j) == &gf_op_conv2d;
    return 0;
}

/* The responses among nodes [from, to) into layer *k, *k + 1, ...; the last
 * one's tensor in *last. The number found. */
static int add_responses(const gf_tape *tape, size_t from, size_t to, sums *s, int *k,
                         int max, const gf_tensor **last)
{
    int found = 0;
    for (size_t i = from; i < to; i++) {
        if (!is_response(tape, i))
            continue;
        const gf_tensor *y = gf_tape_output(tape, i);
        if (*k < max) {
            const size_t m = gf_tensor_size(y);
            for (size_t j = 0; j < m; j++) {
                s->s1[*k] += y->v[j];
                s->s2[*k] += y->v[j] * y->v[j];
            }
            s->count[*k] += (double)m;
        }
        (*k)++, found++;
        *last = y;
    }
    return found;
}

/* sum over the rows i of ||f_i|| / ||x_i||. */
static double ratio_sum(const gf_tensor *f, const gf_tensor *x)
{
    double r = 0.0;
    for (size_t i = 0; i < f->n; i++) {
        double a = 0.0, b = 0.0;
        for (size_t j = 0; j < f->d; j++)
            a += f->v[i * f->d + j] * f->v[i * f->d + j];
        for (size_t j = 0; j < x->d; j++)
            b += x->v[i * x->d + j] * x->v[i * x->d + j];
        r += sqrt(a) / sqrt(b);
    }
    return r;
}

/* One chunk of rows [r0, r0 + n) through the net on tape, into s. 0 or -1. */
static int pass(gf_model *m, gf_tape *tape, const gf_dataset *data, size_t r0, size_t n,
                int residual, sums *s, int layers, char *why, size_t size)
{
    gf_tape_reset(tape);
    gf_tensor *x = gf_tape_input(tape, n, data->dim);
    if (x)
        memcpy(x->v, data->x + r0 * data->dim, n * data->dim * sizeof(double));
    int k = 0;
    const gf_tensor *last = NULL;
    gf_tensor *h = x ? gf_model_stem(m, tape, x) : NULL;
    if (h && add_responses(tape, 0, gf_tape_nodes(tape), s, &k, layers, &last) != 1) {
        snprintf(why, size, "the stem has no single batch norm after its conv");
        return -1;
    }
    for (int l = 0; h && l < gf_model_blocks(m); l++) {
        const size_t from = gf_tape_nodes(tape);
        gf_tensor *in = h;
        h = gf_model_block(m, tape, l, in);
        if (h && add_responses(tape, from, gf_tape_nodes(tape), s, &k, layers, &last) != 2) {
            snprintf(why, size, "block %d has no batch norm after each of its two convs "
                     "(a pre-activation unit has none after its second)", l);
            return -1;
        }
        if (h && residual) /* the unit's second response is its branch F */
            s->ratio[l] += ratio_sum(last, in);
    }
    if (!h) {
        snprintf(why, size, "%s", gf_tape_error(tape));
        return -1;
    }
    return 0;
}

static int alloc_net(gf_response_net *r, int blocks)
{
    r->blocks = blocks;
    r->layers = 1 + 2 * blocks;
    r->sd = calloc((size_t)r->layers, sizeof *r->sd);
    r->ratio = calloc((size_t)blocks + 1, sizeof *r->ratio);
    r->down = calloc((size_t)blocks + 1, 1);
    return r->sd && r->ratio && r->down ? 0 : -1;
}

/* The net's arch, depth and downsampling units (a cnn's config). 0 or -1. */
static int describe(gf_model *m, gf_response_net *out, char *why, size_t size)
{
    if (strcmp(gf_model_family(m), "cnn") != 0) {
        snprintf(why, size, "responses: a %s net is not a conv net of the family cnn",
                 gf_model_family(m));
        return -1;
    }
    const gf_cnn_config *c = gf_model_config(m);
    if (c->unit == GF_ARCH_PREACT) {
        snprintf(why, size, "responses: cnn-preact has no batch norm after a unit's second "
                 "conv (give cnn-plain or cnn-resnet)");
        return -1;
    }
    out->arch = gf_cnn_arch(c);
    out->depth = c->depth;
    gf_model_name(m, out->name, sizeof out->name);
    const int blocks = gf_model_blocks(m), n = blocks / 3;
    if (alloc_net(out, blocks) != 0) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    for (int l = 0; l < blocks; l++)
        out->down[l] = n > 0 && l % n == 0 && l > 0;
    return 0;
}

int gf_response_measure(gf_model *m, const gf_dataset *data, size_t chunk,
                        gf_response_net *out, char *why, size_t size)
{
    if (describe(m, out, why, size) != 0)
        return -1;
    const int L = out->layers, residual = gf_model_residual(m);
    double *buf = calloc((size_t)(3 * L + out->blocks + 1), sizeof *buf);
    gf_tape *tape = gf_tape_alloc(0);
    int rc = buf && tape ? 0 : -1;
    if (rc != 0)
        snprintf(why, size, "out of memory");
    sums s = {buf, buf + L, buf + 2 * L, buf + 3 * L};
    gf_model_set_training(m, 0);
    for (size_t r0 = 0; rc == 0 && r0 < data->n; r0 += chunk) {
        const size_t n = data->n - r0 < chunk ? data->n - r0 : chunk;
        rc = pass(m, tape, data, r0, n, residual, &s, L, why, size);
    }
    for (int k = 0; rc == 0 && k < L; k++) { /* sd = sqrt(E y^2 - (E y)^2) */
        const double mean = s.s1[k] / s.count[k];
        out->sd[k] = sqrt(fmax(s.s2[k] / s.count[k] - mean * mean, 0.0));
    }
    for (int l = 0; rc == 0 && l < out->blocks; l++)
        out->ratio[l] = residual ? s.ratio[l] / (double)data->n : NAN;
    out->samples = data->n;
    gf_tape_free(tape);
    free(buf);
    return rc;
}

void gf_response_net_release(gf_response_net *r)
{
    free(r->sd);
    free(r->ratio);
    free(r->down);
    r->sd = r->ratio = NULL;
    r->down = NULL;
}
