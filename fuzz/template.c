/* template.c: the reference run's trainer (template.h). */
#include "template.h"

#include <stdio.h>
#include <string.h>

int fuzz_template_make(fuzz_template *tp, gf_arch arch, char *why, size_t size)
{
    memset(tp, 0, sizeof *tp);
    const gf_stack_config c = {.arch = arch, .depth = 4, .width = 2, .in_dim = 32,
                               .classes = 10, .norm = GF_NORM_BATCH, .act = GF_ACT_RELU,
                               .init = GF_INIT_HE, .bn_momentum = 0.1, .eps = 1e-5};
    const gf_train_config tc = {
        .batch = 128, .epochs = 1, .optim = gf_optim_config_default(GF_OPTIM_SGD),
        .sched = {.kind = GF_SCHED_STEP, .lr = 0.1, .gamma = 0.1, .milestones = {0.5, 0.75},
                  .n_milestones = 2},
        .seed = 1, .probe_every = 3, .eval_batch = 500};
    if (gf_synthetic_make(&tp->train, 500, 32, 10, 1.5, 1) != 0) {
        snprintf(why, size, "cannot make the data set");
        return -1;
    }
    tp->net = gf_model_alloc(&gf_model_mlp, &c, why, size);
    if (tp->net)
        tp->t = gf_trainer_alloc(tp->net, &tp->train, NULL, &tc, why, size);
    if (!tp->t) {
        fuzz_template_free(tp);
        return -1;
    }
    return 0;
}

void fuzz_template_free(fuzz_template *tp)
{
    gf_trainer_free(tp->t);
    gf_model_free(tp->net);
    gf_dataset_release(&tp->train);
    memset(tp, 0, sizeof *tp);
}
