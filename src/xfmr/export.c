/* export.c: one step of a transformer saved for PyTorch: the model (family,
 * configuration, state), the token ids and next tokens, the loss and every
 * parameter's gradient as "grad.<name>" (tools/torch_check.py). */
#include "xfmr/gf_xfmr.h"

#include <stdio.h>
#include <stdlib.h>

int gf_xfmr_export_step(gf_model *m, const int *ids, const int *next, size_t B, size_t T,
                        const char *path, char *why, size_t size)
{
    gf_xfmr *net = gf_model_net(m);
    gf_params *p = &net->params;
    gf_tape *tape = gf_tape_alloc(0);
    gf_tensor *loss = tape ? gf_softmax_xent(tape, gf_xfmr_forward(net, tape, ids, B, T, NULL),
                                             next)
                           : NULL;
    if (!loss || gf_tape_backward(tape, loss) != 0) {
        snprintf(why, size, "the step failed: %s", tape ? gf_tape_error(tape) : "out of memory");
        gf_tape_free(tape);
        return -1;
    }
    gf_st_file st;
    gf_st_init(&st);
    double *grad = malloc(p->size * sizeof *grad);
    int64_t *tok = malloc(2 * B * T * sizeof *tok);
    char text[64];
    snprintf(text, sizeof text, "%.17g", loss->v[0]);
    int ok = grad && tok && gf_st_add_meta(&st, "loss", text) == 0 &&
             gf_st_add_meta(&st, "format", "gradflow transformer export") == 0 &&
             gf_model_export(m, &st) == 0;
    for (size_t i = 0, at = 0; ok && i < p->n_slots; i++) {
        const gf_slot *sl = &p->slot[i];
        const int64_t shape[2] = {(int64_t)sl->rows, (int64_t)sl->cols};
        char name[128];
        gf_tensor_grad_export(&sl->t, grad + at);
        snprintf(name, sizeof name, "grad.%s", sl->name);
        ok = gf_st_add(&st, name, GF_ST_F64, sl->vector ? 1 : 2, sl->vector ? shape + 1 : shape,
                       grad + at) == 0;
        at += sl->rows * sl->cols;
    }
    for (size_t i = 0; ok && i < B * T; i++)
        tok[i] = ids[i], tok[B * T + i] = next[i];
    const int64_t shape[2] = {(int64_t)B, (int64_t)T};
    ok = ok && gf_st_add(&st, "input", GF_ST_I64, 2, shape, tok) == 0 &&
         gf_st_add(&st, "labels", GF_ST_I64, 2, shape, tok + B * T) == 0;
    const int rc = gf_st_save(&st, ok, "the export ", path, why, size);
    free(grad);
    free(tok);
    gf_tape_free(tape);
    return rc;
}
