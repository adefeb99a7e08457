/* test_train.c: the training loop: learning, determinism, resuming from a
 * checkpoint bit for bit, stopping on a non-finite loss, refusing a
 * checkpoint of another configuration. */
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct fixture {
    gf_dataset train, test;
    gf_model *net;
    gf_trainer *t;
} fixture;

static gf_stack_config small_net(gf_arch arch)
{
    gf_stack_config c = tu_config(arch, 8, 16, 8, 4);
    c.norm = GF_NORM_BATCH;
    c.init = GF_INIT_HE;
    return c;
}

static gf_train_config small_training(gf_optim_kind kind, int epochs)
{
    gf_train_config c = {.batch = 32, .epochs = epochs, .optim = gf_optim_config_default(kind),
                         .sched = {.kind = GF_SCHED_STEP, .lr = kind == GF_OPTIM_SGD ? 0.05 : 3e-3,
                                   .gamma = 0.1, .milestones = {0.5}, .n_milestones = 1},
                         .seed = 7, .probe_every = 5, .eval_batch = 50};
    return c;
}

/* A fixture: data (the same every time), a net initialized from seed 3, a trainer. */
static int setup(fixture *f, gf_arch arch, const gf_train_config *tc)
{
    memset(f, 0, sizeof *f);
    gf_dataset all;
    if (gf_synthetic_make(&all, 400, 8, 4, 1.0, 11) != 0)
        return -1;
    const int rc = gf_dataset_slice(&f->train, &all, 0, 320) | gf_dataset_slice(&f->test, &all, 320, 80);
    gf_dataset_release(&all);
    const gf_stack_config c = small_net(arch);
    char why[256];
    f->net = gf_model_alloc(&gf_model_mlp, &c, why, sizeof why);
    gsl_rng *rng = tu_rng(3);
    if (rc != 0 || !f->net || gf_model_init(f->net, rng) != 0 ||
        !(f->t = gf_trainer_alloc(f->net, &f->train, &f->test, tc, why, sizeof why))) {
        gsl_rng_free(rng);
        return -1;
    }
    gsl_rng_free(rng);
    return 0;
}

static void teardown(fixture *f)
{
    gf_trainer_free(f->t);
    gf_model_free(f->net);
    gf_dataset_release(&f->train);
    gf_dataset_release(&f->test);
}

static int train_epochs(fixture *f, int n)
{
    char why[512];
    for (int e = 0; e < n; e++)
        if (gf_trainer_epoch(f->t, NULL, why, sizeof why) != 0) {
            fprintf(stderr, "\n  training stopped: %s\n", why);
            return -1;
        }
    return 0;
}

static int same_values(gf_model *a, gf_model *b)
{
    const gf_params *p = gf_model_params(a), *q = gf_model_params(b);
    return p->size == q->size && memcmp(p->value, q->value, p->size * sizeof(double)) == 0;
}

/* The statistics that do not depend on the clock. */
static int same_history(const gf_trainer *a, const gf_trainer *b, int epochs)
{
    const gf_epoch_stats *x = gf_trainer_history(a), *y = gf_trainer_history(b);
    for (int e = 0; e < epochs; e++) {
        const double u[] = {x[e].epoch, (double)x[e].step, x[e].lr, x[e].train_loss_running,
                            x[e].train_loss, x[e].train_err, x[e].test_loss, x[e].test_err,
                            x[e].grad_norm};
        const double v[] = {y[e].epoch, (double)y[e].step, y[e].lr, y[e].train_loss_running,
                            y[e].train_loss, y[e].train_err, y[e].test_loss, y[e].test_err,
                            y[e].grad_norm};
        if (memcmp(u, v, sizeof u) != 0)
            return 0;
    }
    return 1;
}

static void test_loss_decreases(void)
{
    fixture f;
    const gf_train_config tc = small_training(GF_OPTIM_SGD, 6);
    CU_ASSERT_FATAL(setup(&f, GF_ARCH_RESNET, &tc) == 0);
    double loss0, err0;
    gf_tape *tape = gf_tape_alloc(TU_CHUNK);
    CU_ASSERT_FATAL(gf_evaluate(f.net, tape, &f.train, 64, NULL, &loss0, &err0) == 0);
    CU_ASSERT(fabs(loss0 - log(4.0)) < 1.5); /* near chance at initialization */
    CU_ASSERT_FATAL(train_epochs(&f, 6) == 0);
    const gf_epoch_stats *h = gf_trainer_history(f.t);
    CU_ASSERT(h[5].train_loss < 0.5 * loss0);
    CU_ASSERT(h[5].train_err < 0.5 * err0);
    CU_ASSERT(h[5].train_loss < h[0].train_loss);
    CU_ASSERT(h[5].step == 6 * gf_trainer_steps_per_epoch(f.t));
    CU_ASSERT_EQUAL(gf_trainer_steps_per_epoch(f.t), 320 / 32);
    /* the evaluation of the trainer agrees with a fresh one */
    double loss, err;
    CU_ASSERT_FATAL(gf_evaluate(f.net, tape, &f.train, 64, NULL, &loss, &err) == 0);
    CU_ASSERT_DOUBLE_EQUAL(loss, h[5].train_loss, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(err, h[5].train_err, 1e-15);
    gf_tape_free(tape);
    teardown(&f);
}

static void test_same_seed_same_bytes(void)
{
    const gf_train_config tc = small_training(GF_OPTIM_SGD, 2);
    fixture a, b;
    CU_ASSERT_FATAL(setup(&a, GF_ARCH_PLAIN, &tc) == 0);
    CU_ASSERT_FATAL(setup(&b, GF_ARCH_PLAIN, &tc) == 0);
    CU_ASSERT_FATAL(train_epochs(&a, 2) == 0 && train_epochs(&b, 2) == 0);
    CU_ASSERT(same_values(a.net, b.net));
    CU_ASSERT(same_history(a.t, b.t, 2));
    teardown(&b);
    /* another seed draws other batches: other weights */
    gf_train_config other = tc;
    other.seed = 8;
    CU_ASSERT_FATAL(setup(&b, GF_ARCH_PLAIN, &other) == 0);
    CU_ASSERT_FATAL(train_epochs(&b, 2) == 0);
    CU_ASSERT(!same_values(a.net, b.net));
    teardown(&a);
    teardown(&b);
}

/* Train 4 epochs straight, and 2 + save + a new process's worth of state
 * (a new net and trainer) + load + 2: the same bytes. */
static void resume_case(gf_optim_kind kind)
{
    const gf_train_config tc = small_training(kind, 4);
    char dir[] = "/tmp/gradflow-train-XXXXXX", path[64], why[512];
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/ck.safetensors", dir);
    fixture whole, first, second;
    CU_ASSERT_FATAL(setup(&whole, GF_ARCH_RESNET, &tc) == 0);
    CU_ASSERT_FATAL(train_epochs(&whole, 4) == 0);

    CU_ASSERT_FATAL(setup(&first, GF_ARCH_RESNET, &tc) == 0);
    CU_ASSERT_FATAL(train_epochs(&first, 2) == 0);
    CU_ASSERT_FATAL(gf_trainer_save(first.t, path, why, sizeof why) == 0);
    teardown(&first);

    CU_ASSERT_FATAL(setup(&second, GF_ARCH_RESNET, &tc) == 0); /* freshly initialized */
    CU_ASSERT(!same_values(whole.net, second.net));
    CU_ASSERT_FATAL(gf_trainer_load(second.t, path, why, sizeof why) == 0);
    CU_ASSERT_EQUAL(gf_trainer_epochs_done(second.t), 2);
    CU_ASSERT_FATAL(train_epochs(&second, 2) == 0);
    CU_ASSERT(same_values(whole.net, second.net));
    CU_ASSERT(same_history(whole.t, second.t, 4));
    size_t na, nb;
    const gf_train_probe *pa = gf_trainer_probes(whole.t, &na), *pb = gf_trainer_probes(second.t, &nb);
    CU_ASSERT(na == nb && na > 0);
    int same = na == nb;
    for (size_t i = 0; same && i < na; i++) /* field by field: the struct has padding */
        same = pa[i].step == pb[i].step && pa[i].epoch == pb[i].epoch &&
               pa[i].kind == pb[i].kind && pa[i].block == pb[i].block &&
               memcmp(&pa[i].log2_frob, &pb[i].log2_frob, sizeof(double)) == 0 &&
               memcmp(&pa[i].log2_rms, &pb[i].log2_rms, sizeof(double)) == 0;
    CU_ASSERT(same);
    teardown(&whole);
    teardown(&second);
    unlink(path);
    rmdir(dir);
}

static void test_resume_sgd(void) { resume_case(GF_OPTIM_SGD); }
static void test_resume_adam(void) { resume_case(GF_OPTIM_ADAM); }

static void test_checkpoint_of_other_net_refused(void)
{
    const gf_train_config tc = small_training(GF_OPTIM_SGD, 2);
    char dir[] = "/tmp/gradflow-train-XXXXXX", path[64], why[512];
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/ck.safetensors", dir);
    fixture a, b;
    CU_ASSERT_FATAL(setup(&a, GF_ARCH_RESNET, &tc) == 0);
    CU_ASSERT_FATAL(train_epochs(&a, 1) == 0);
    CU_ASSERT_FATAL(gf_trainer_save(a.t, path, why, sizeof why) == 0);
    CU_ASSERT_FATAL(setup(&b, GF_ARCH_PLAIN, &tc) == 0);
    CU_ASSERT(gf_trainer_load(b.t, path, why, sizeof why) == -1);
    CU_ASSERT(strstr(why, "arch is resnet in the file, plain here") != NULL);
    teardown(&b);
    gf_train_config other = tc;
    other.sched.lr = 0.5;
    CU_ASSERT_FATAL(setup(&b, GF_ARCH_RESNET, &other) == 0);
    CU_ASSERT(gf_trainer_load(b.t, path, why, sizeof why) == -1);
    CU_ASSERT(strstr(why, "lr is") != NULL);
    teardown(&b);
    /* a file that is not a checkpoint */
    FILE *f = fopen(path, "wb");
    CU_ASSERT_FATAL(f != NULL);
    fputs("not safetensors", f);
    fclose(f);
    CU_ASSERT_FATAL(setup(&b, GF_ARCH_RESNET, &tc) == 0);
    CU_ASSERT(gf_trainer_load(b.t, path, why, sizeof why) == -1);
    teardown(&a);
    teardown(&b);
    unlink(path);
    rmdir(dir);
}

/* A learning rate far too large: the step that overflows is named, with a
 * layer, and the weights stay finite (the failed step is not applied). */
static void test_nonfinite_loss_stops(void)
{
    gf_train_config tc = small_training(GF_OPTIM_SGD, 3);
    tc.sched.kind = GF_SCHED_CONSTANT;
    tc.sched.lr = 1e150;
    fixture f;
    CU_ASSERT_FATAL(setup(&f, GF_ARCH_PLAIN, &tc) == 0);
    char why[512] = "";
    int rc = 0;
    for (int e = 0; e < 3 && rc == 0; e++)
        rc = gf_trainer_epoch(f.t, NULL, why, sizeof why);
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT(strstr(why, "non-finite") != NULL);
    CU_ASSERT(strstr(why, "at step ") != NULL);
    CU_ASSERT(strstr(why, "layer ") != NULL);
    printf("\n  (message: %s)\n", why);
    const gf_params *p = gf_model_params(f.net);
    int finite = 1;
    for (size_t i = 0; i < p->n_slots; i++)
        for (size_t k = 0; k < p->slot[i].rows * p->slot[i].cols; k++)
            finite &= isfinite(p->slot[i].t.v[k]) != 0;
    CU_ASSERT(finite);
    teardown(&f);
}

static void test_layer_names(void)
{
    const gf_stack_config c = small_net(GF_ARCH_RESNET); /* 3 blocks */
    gf_stack *s = gf_stack_alloc(&c);
    CU_ASSERT_FATAL(s != NULL);
    char name[32];
    gf_stack_linear_name(s, 0, name, sizeof name);
    CU_ASSERT_STRING_EQUAL(name, "stem");
    gf_stack_linear_name(s, 1, name, sizeof name);
    CU_ASSERT_STRING_EQUAL(name, "blocks.0.fc1");
    gf_stack_linear_name(s, 6, name, sizeof name);
    CU_ASSERT_STRING_EQUAL(name, "blocks.2.fc2");
    gf_stack_linear_name(s, 7, name, sizeof name);
    CU_ASSERT_STRING_EQUAL(name, "head");
    gf_stack_free(s);
}

CU_TestInfo train_tests[] = {
    {"a short run on the synthetic set lowers the loss", test_loss_decreases},
    {"the same seed gives the same bytes", test_same_seed_same_bytes},
    {"resume (sgd) equals an uninterrupted run", test_resume_sgd},
    {"resume (adam) equals an uninterrupted run", test_resume_adam},
    {"a checkpoint of another configuration is refused", test_checkpoint_of_other_net_refused},
    {"a non-finite loss stops training and names the layer", test_nonfinite_loss_stops},
    {"layer names in forward order", test_layer_names},
    CU_TEST_INFO_NULL,
};
