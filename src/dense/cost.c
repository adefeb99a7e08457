/* cost.c: what a training step of a model costs: parameters, FLOPs counted
 * from the shapes on the tape, and the tape's memory. */
#include "dense/gf_dense.h"

#include "core/gf_conv.h"

#include <gsl/gsl_randist.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2 |y| fan_in per convolution or Linear node, forward and per gradient made. */
static void count_flops(const gf_tape *tape, double *fwd, double *bwd)
{
    *fwd = *bwd = 0.0;
    for (size_t i = 0; i < gf_tape_nodes(tape); i++) {
        const gf_op *op = gf_tape_op(tape, i);
        if (op != &gf_op_linear && op != &gf_op_conv2d)
            continue;
        const gf_tensor *y = gf_tape_output(tape, i), *x = gf_tape_node_input(tape, i, 0),
                        *w = gf_tape_node_input(tape, i, 1);
        const double f = 2.0 * (double)gf_tensor_size(y) * (double)w->d;
        *fwd += f;
        *bwd += (x->flags & GF_REQUIRES_GRAD ? f : 0.0) + (w->flags & GF_REQUIRES_GRAD ? f : 0.0);
    }
}

static size_t trainable(gf_params *p)
{
    size_t n = 0;
    for (size_t s = 0; s < p->n_slots; s++)
        if (p->slot[s].kind == GF_SLOT_PARAM)
            n += p->slot[s].rows * p->slot[s].cols;
    return n;
}

int gf_model_cost_of(gf_model *m, size_t batch, unsigned long seed, gf_model_cost *out,
                     char *why, size_t size)
{
    gf_params *p = gf_model_params(m);
    const size_t in = gf_model_in_dim(m), classes = gf_model_classes(m);
    double *saved = malloc(p->size * sizeof *saved);
    int *labels = malloc(batch * sizeof *labels);
    gf_tape *tape = gf_tape_alloc((size_t)64 << 10);
    gsl_rng *rng = gf_rng_alloc(seed);
    int rc = -1;
    if (!saved || !labels || !tape || !rng) {
        snprintf(why, size, "out of memory");
        goto out;
    }
    memcpy(saved, p->value, p->size * sizeof *saved);
    const int training = gf_model_training(m);
    gf_model_set_training(m, 1);
    gf_tensor *x = gf_tape_input(tape, batch, in);
    if (x) {
        for (size_t i = 0; i < batch * in; i++)
            x->v[i] = gsl_ran_gaussian(rng, 1.0);
        for (size_t i = 0; i < batch; i++)
            labels[i] = (int)gsl_rng_uniform_int(rng, (unsigned long)classes);
    }
    gf_tensor *loss = gf_softmax_xent(tape, gf_model_forward(m, tape, x, NULL, NULL), labels);
    rc = loss && gf_tape_backward(tape, loss) == 0 ? 0 : -1;
    gf_model_set_training(m, training);
    memcpy(p->value, saved, p->size * sizeof *saved);
    if (rc != 0) {
        snprintf(why, size, "a training step failed: %s", gf_tape_error(tape));
        goto out;
    }
    *out = (gf_model_cost){.params = trainable(p),
                           .tape_bytes = gf_arena_bytes_reserved(gf_tape_arena(tape)),
                           .scratch_bytes = gf_tape_scratch_bytes(tape)};
    count_flops(tape, &out->fwd_flops, &out->bwd_flops);
    out->fwd_flops /= (double)batch;
    out->bwd_flops /= (double)batch;
out:
    gsl_rng_free(rng);
    gf_tape_free(tape);
    free(labels);
    free(saved);
    return rc;
}
