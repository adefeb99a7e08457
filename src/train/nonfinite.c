/* nonfinite.c: naming where a diverging step first produced inf or NaN. */
#include "core/gf_conv.h"
#include "train/trainer_internal.h"

#include <math.h>
#include <stdio.h>

static int all_finite(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return 0;
    return 1;
}

/* A weighted layer's node: a Linear or a convolution (gf_model_layer's order). */
static int weighted(const gf_tape *tape, size_t i)
{
    const gf_op *op = gf_tape_op(tape, i);
    return op == &gf_op_linear || op == &gf_op_conv2d;
}

/* The layer of node i: the weighted layer it is, or the last one before it
 * (its norm and activation belong to it). k counts weighted nodes up to i. */
static void layer_name(const gf_trainer *t, long k, char *buf, size_t size)
{
    gf_linear_slots slots;
    int j = (int)(k < 0 ? 0 : k);
    while (gf_model_layer(t->net, j, &slots, buf, size) != 0 && j > 0)
        j--; /* past the last: the last */
}

/* Forward order: the first node whose output holds a non-finite value. */
static int first_bad_value(const gf_trainer *t, char *buf, size_t size)
{
    long k = -1;
    for (size_t i = 0; i < gf_tape_nodes(t->tape); i++) {
        k += weighted(t->tape, i);
        const gf_tensor *y = gf_tape_output(t->tape, i);
        if (!all_finite(y->v, gf_tensor_size(y))) {
            layer_name(t, k, buf, size);
            return 1;
        }
    }
    return 0;
}

/* Backward order: the first node (from the loss down) whose output gradient
 * in this pass holds a non-finite value. */
static int first_bad_gradient(const gf_trainer *t, char *buf, size_t size)
{
    const size_t n = gf_tape_nodes(t->tape);
    const uint64_t pass = gf_tape_pass(t->tape);
    long k = -1;
    for (size_t i = 0; i < n; i++)
        k += weighted(t->tape, i);
    for (size_t i = n; i-- > 0;) {
        const gf_tensor *y = gf_tape_output(t->tape, i);
        if (y->pass == pass && y->g && !all_finite(y->g, gf_tensor_size(y))) {
            layer_name(t, k, buf, size);
            return 1;
        }
        k -= weighted(t->tape, i);
    }
    /* the gradients of the nodes were finite: a parameter's overflowed at scale 2^gexp */
    const gf_params *p = gf_model_params(t->net);
    for (size_t s = p->n_slots; s-- > 0;) {
        const gf_slot *sl = &p->slot[s];
        if (sl->kind == GF_SLOT_PARAM && sl->t.pass == pass &&
            !all_finite(sl->t.g, sl->rows * sl->cols)) {
            snprintf(buf, size, "%s", sl->name);
            return 1;
        }
    }
    return 0;
}

void gf_trainer_explain_nonfinite(const gf_trainer *t, int after_backward, double loss,
                                  char *why, size_t size)
{
    char where[64] = "", lossbuf[40];
    snprintf(lossbuf, sizeof lossbuf, "%.6g", isnan(loss) ? fabs(loss) : loss); /* not "-nan" */
    const long b = t->step - (long)t->epoch * t->steps_per_epoch;
    int n = snprintf(why, size, "non-finite %s at step %ld (epoch %d, batch %ld, lr %g): ",
                     after_backward ? "gradient" : "loss", t->step + 1, t->epoch + 1, b + 1,
                     gf_schedule_lr(&t->cfg.sched, t->step));
    if (n < 0 || (size_t)n >= size)
        return;
    if (!after_backward) {
        if (first_bad_value(t, where, sizeof where))
            snprintf(why + n, size - (size_t)n, "loss %s; the forward pass first became "
                     "non-finite in layer %s", lossbuf, where);
        else
            snprintf(why + n, size - (size_t)n, "loss %s with finite logits", lossbuf);
    } else if (first_bad_gradient(t, where, sizeof where)) {
        snprintf(why + n, size - (size_t)n, "loss %s; the gradient first became non-finite "
                 "(backward order) in layer %s", lossbuf, where);
    } else {
        snprintf(why + n, size - (size_t)n, "loss %s; the global gradient norm overflowed", lossbuf);
    }
}
