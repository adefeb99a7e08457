/* test_model.c: the model interface against the direct gf_stack path: the
 * same gradients and probe records to the bit, the same block plans, an
 * export / load round trip, files written before the interface (no family),
 * the weighted layers, and a measurement's failure carrying the tape's message. */
#include "test_util.h"

#include "model/gf_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { BATCH = 6 };

/* One forward and backward pass through the interface, with the same input,
 * labels and weights as tu_run_stack (same seed, same draws). */
typedef struct model_run {
    gf_model *m;
    gf_tape *tape;
    gf_recorder rec;
    gsl_rng *rng;
    double *xv;
    int labels[BATCH];
} model_run;

static int model_run_plan(model_run *r, const gf_stack_config *c, unsigned long seed,
                          int training, const gf_block_plan *plan)
{
    char why[256];
    memset(r, 0, sizeof *r);
    gf_recorder_init(&r->rec);
    r->m = gf_model_alloc(&gf_model_mlp, c, why, sizeof why);
    r->tape = gf_tape_alloc(TU_CHUNK);
    r->rng = tu_rng(seed);
    r->xv = malloc(BATCH * c->in_dim * sizeof *r->xv);
    if (!r->m || !r->tape || !r->rng || !r->xv || gf_model_init(r->m, r->rng) != 0)
        return -1;
    tu_fill_gauss(r->xv, BATCH * c->in_dim, r->rng, 1.0);
    for (size_t i = 0; i < BATCH; i++)
        r->labels[i] = (int)gsl_rng_uniform_int(r->rng, c->classes);
    gf_tensor *x = gf_tape_input(r->tape, BATCH, c->in_dim);
    if (!x)
        return -1;
    memcpy(x->v, r->xv, gf_tensor_size(x) * sizeof *x->v);
    gf_model_set_training(r->m, training);
    gf_tensor *z = gf_model_forward(r->m, r->tape, x, &r->rec, plan);
    gf_tensor *loss = gf_softmax_xent(r->tape, z, r->labels);
    return loss && gf_tape_backward(r->tape, loss) == 0 ? 0 : -1;
}

static void model_run_release(model_run *r)
{
    gf_tape_free(r->tape);
    gf_model_free(r->m);
    gf_recorder_release(&r->rec);
    gsl_rng_free(r->rng);
    free(r->xv);
}

/* Bitwise equality of two doubles (NaN equals NaN). */
static int same(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static int same_records(const gf_recorder *a, const gf_recorder *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        const gf_probe_record *p = &a->rec[i], *q = &b->rec[i];
        if (p->kind != q->kind || p->block != q->block || p->observed != q->observed ||
            p->has_split != q->has_split || !same(p->log2_frob, q->log2_frob) ||
            !same(p->log2_sample_mean, q->log2_sample_mean) || !same(p->log2_rms, q->log2_rms) ||
            (p->has_split && (!same(p->log2_skip, q->log2_skip) ||
                              !same(p->log2_branch, q->log2_branch) ||
                              !same(p->cos_skip_branch, q->cos_skip_branch))))
            return 0;
    }
    return 1;
}

/* Same values; with grads, the same gradients of the trainable slots (the
 * others have no gradient memory in use). */
static int same_params(const gf_params *a, const gf_params *b, int grads)
{
    if (a->size != b->size || a->n_slots != b->n_slots ||
        memcmp(a->value, b->value, a->size * sizeof(double)) != 0)
        return 0;
    for (size_t i = 0; grads && i < a->n_slots; i++) {
        const gf_slot *p = &a->slot[i], *q = &b->slot[i];
        if (p->kind != GF_SLOT_PARAM)
            continue;
        if (gf_tensor_has_grad(&p->t) != gf_tensor_has_grad(&q->t) ||
            (gf_tensor_has_grad(&p->t) &&
             memcmp(p->t.g, q->t.g, p->rows * p->cols * sizeof(double)) != 0))
            return 0;
    }
    return 1;
}

/* Building and running through the interface is the direct path, bit for bit. */
static void test_model_matches_the_stack(void)
{
    static const gf_arch archs[] = {GF_ARCH_PLAIN, GF_ARCH_RESNET, GF_ARCH_PREACT};
    for (int a = 0; a < 3; a++)
        for (int norm = 0; norm < GF_NORM_COUNT; norm++) {
            gf_stack_config c = tu_small_config(archs[a], 10, 12);
            c.norm = (gf_norm)norm;
            tu_run direct;
            model_run via;
            CU_ASSERT_FATAL(tu_run_stack(&direct, &c, 7 + (unsigned long)a, BATCH, 1) == 0);
            CU_ASSERT_FATAL(model_run_plan(&via, &c, 7 + (unsigned long)a, 1, NULL) == 0);
            CU_ASSERT_EQUAL(gf_model_blocks(via.m), direct.s->blocks);
            CU_ASSERT(same_params(&direct.s->params, gf_model_params(via.m), 1));
            CU_ASSERT(same_records(&direct.rec, &via.rec));
            CU_ASSERT_EQUAL(gf_model_has_batchnorm(via.m), norm == GF_NORM_BATCH);
            tu_run_release(&direct);
            model_run_release(&via);
        }
}

/* A plan (reorder, delete, scale) through the interface equals the direct one. */
static void test_model_block_plan(void)
{
    gf_stack_config c = tu_small_config(GF_ARCH_RESNET, 12, 10);
    const int order[5] = {4, 2, 3, 0, 1};
    const unsigned char drop[5] = {0, 1, 0, 0, 1};
    const double scale[5] = {1.0, 1.0, 0.5, 0.25, 1.0};
    const gf_block_plan plan = {.order = order, .drop = drop, .branch_scale = scale};
    model_run via;
    CU_ASSERT_FATAL(model_run_plan(&via, &c, 31, 0, &plan) == 0);

    gf_stack *s = gf_stack_alloc(&c);
    gsl_rng *rng = tu_rng(31);
    gf_tape *tape = gf_tape_alloc(TU_CHUNK);
    gf_recorder rec;
    gf_recorder_init(&rec);
    CU_ASSERT_FATAL(s && rng && tape && gf_stack_init_weights(s, rng) == 0);
    double *xv = malloc(BATCH * c.in_dim * sizeof *xv);
    tu_fill_gauss(xv, BATCH * c.in_dim, rng, 1.0);
    gf_tensor *x = gf_tape_input(tape, BATCH, c.in_dim);
    memcpy(x->v, xv, BATCH * c.in_dim * sizeof *xv);
    gf_tensor *z = gf_stack_forward_plan(s, tape, x, 0, &rec, &plan);
    gf_tensor *loss = gf_softmax_xent(tape, z, via.labels);
    CU_ASSERT_FATAL(loss && gf_tape_backward(tape, loss) == 0);
    CU_ASSERT(same_params(&s->params, gf_model_params(via.m), 1));
    CU_ASSERT(same_records(&rec, &via.rec));

    /* The pieces: stem, blocks, head give the plan-free logits. */
    gf_tape_reset(tape);
    x = gf_tape_input(tape, BATCH, c.in_dim);
    memcpy(x->v, xv, BATCH * c.in_dim * sizeof *xv);
    gf_tensor *whole = gf_stack_forward(s, tape, x, 0, NULL);
    gf_tensor *x0 = gf_model_stem(via.m, tape, x), *h = x0;
    for (int l = 0; l < gf_model_blocks(via.m); l++)
        h = gf_model_block(via.m, tape, l, h);
    h = gf_model_head(via.m, tape, h);
    CU_ASSERT_FATAL(whole && h);
    CU_ASSERT(memcmp(whole->v, h->v, gf_tensor_size(h) * sizeof *h->v) == 0);
    CU_ASSERT_PTR_NOT_NULL(gf_model_branch(via.m, tape, 0, x0));

    gf_tape_free(tape);
    gf_stack_free(s);
    gf_recorder_release(&rec);
    gsl_rng_free(rng);
    free(xv);
    model_run_release(&via);
}

/* Export then load: the same family, configuration and state; a mismatch is named. */
static void test_model_export_load(void)
{
    char dir[512], path[600], why[256];
    CU_ASSERT_FATAL(tu_make_temp_dir(dir, sizeof dir, "model") == 0);
    snprintf(path, sizeof path, "%s/net.safetensors", dir);
    gf_stack_config c = tu_small_config(GF_ARCH_PREACT, 8, 9);
    c.norm = GF_NORM_BATCH;
    model_run r;
    CU_ASSERT_FATAL(model_run_plan(&r, &c, 5, 1, NULL) == 0); /* moves the running stats */
    CU_ASSERT_FATAL(gf_model_save(r.m, path, why, sizeof why) == 0);
    gf_model *back = gf_model_load(path, why, sizeof why);
    CU_ASSERT_FATAL(back != NULL);
    CU_ASSERT_STRING_EQUAL(gf_model_family(back), "mlp");
    char a[GF_NET_NAME_MAX], b[GF_NET_NAME_MAX];
    gf_model_name(r.m, a, sizeof a);
    gf_model_name(back, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(a, "preact-8");
    CU_ASSERT_STRING_EQUAL(a, b);
    CU_ASSERT(same_params(gf_model_params(r.m), gf_model_params(back), 0));
    CU_ASSERT(gf_model_bn_momentum(back) == c.bn_momentum);

    gf_st_file st;
    CU_ASSERT_FATAL(gf_st_read(&st, path, why, sizeof why) == 0);
    CU_ASSERT_EQUAL(gf_model_match(back, &st, why, sizeof why), 0);
    gf_stack_config other = c;
    other.depth = 10;
    gf_model *deeper = gf_model_alloc(&gf_model_mlp, &other, why, sizeof why);
    CU_ASSERT_FATAL(deeper != NULL);
    CU_ASSERT_EQUAL(gf_model_match(deeper, &st, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "depth is 8 in the file, 10 here");
    gf_st_release(&st);

    other.depth = 3; /* an invalid configuration is refused with its reason */
    CU_ASSERT_PTR_NULL(gf_model_alloc(&gf_model_mlp, &other, why, sizeof why));
    CU_ASSERT(strstr(why, "depth") != NULL);
    CU_ASSERT_PTR_EQUAL(gf_model_type_find("mlp"), &gf_model_mlp);
    CU_ASSERT_PTR_NULL(gf_model_type_find("vit"));

    gf_model_free(deeper);
    gf_model_free(back);
    model_run_release(&r);
    tu_remove_tree(dir);
}

/* A file written before the model interface (no "family" key) holds an mlp:
 * it loads by its metadata and against an expected configuration. */
static void test_model_file_without_family(void)
{
    char dir[512], path[600], why[256];
    CU_ASSERT_FATAL(tu_make_temp_dir(dir, sizeof dir, "model-old") == 0);
    snprintf(path, sizeof path, "%s/old.safetensors", dir);
    const gf_stack_config c = tu_small_config(GF_ARCH_RESNET, 6, 7);
    gf_stack *s = gf_stack_alloc(&c);
    gsl_rng *rng = tu_rng(2);
    CU_ASSERT_FATAL(s && gf_stack_init_weights(s, rng) == 0);
    gsl_rng_free(rng);
    int64_t counts[64];
    CU_ASSERT_FATAL(s->params.n_slots <= 64);
    gf_st_file st;
    gf_st_init(&st);
    CU_ASSERT_FATAL(gf_stack_state_add(s, &st, counts) == 0 && gf_stack_config_meta(&c, &st) == 0 &&
                    gf_st_add_meta(&st, "seed", "5") == 0 && gf_st_write(&st, path) == 0);
    gf_st_release(&st);
    gf_checkpoint_info info;
    gf_model *m = gf_model_open(path, NULL, NULL, &info, why, sizeof why);
    CU_ASSERT_FATAL(m != NULL);
    CU_ASSERT_STRING_EQUAL(gf_model_family(m), "mlp");
    CU_ASSERT(info.seed == 5 && info.epochs_done == -1);
    CU_ASSERT(same_params(&s->params, gf_model_params(m), 0));
    gf_model_free(m);
    m = gf_model_open(path, &gf_model_mlp, &c, NULL, why, sizeof why);
    CU_ASSERT(m != NULL);
    gf_model_free(m);
    gf_stack_config wider = c;
    wider.width = 9;
    CU_ASSERT(gf_model_open(path, &gf_model_mlp, &wider, NULL, why, sizeof why) == NULL);
    CU_ASSERT(strstr(why, "width is 7 in the file, 9 here") != NULL);
    gf_stack_free(s);
    remove(path);
    rmdir(dir);
}

/* The weighted layers in forward order, with their slots and names. */
static void test_model_layers(void)
{
    const gf_stack_config c = tu_small_config(GF_ARCH_PLAIN, 6, 5); /* 2 blocks */
    char why[256], name[32];
    gf_model *m = gf_model_alloc(&gf_model_mlp, &c, why, sizeof why);
    CU_ASSERT_FATAL(m != NULL);
    const gf_stack *s = gf_model_net(m);
    gf_linear_slots ls;
    CU_ASSERT(gf_model_layer(m, 0, &ls, name, sizeof name) == 0 && ls.weight == s->stem.weight);
    CU_ASSERT_STRING_EQUAL(name, "stem");
    CU_ASSERT(gf_model_layer(m, 4, &ls, name, sizeof name) == 0 &&
              ls.weight == s->block[1].fc2.weight);
    CU_ASSERT_STRING_EQUAL(name, "blocks.1.fc2");
    CU_ASSERT(gf_model_layer(m, 5, &ls, name, sizeof name) == 0 && ls.weight == s->head.weight);
    CU_ASSERT(gf_model_layer(m, 6, &ls, NULL, 0) == -1);
    CU_ASSERT(!gf_model_residual(m));
    gf_model_free(m);
}

/* A measurement whose pass fails reports the tape's message (the shapes). */
static void test_failure_names_the_tape_error(void)
{
    const gf_stack_config c = tu_small_config(GF_ARCH_RESNET, 6, 6);
    char why[512] = "";
    gf_model *m = gf_model_alloc(&gf_model_mlp, &c, why, sizeof why);
    CU_ASSERT_FATAL(m != NULL);
    double x[2 * 64] = {0};
    CU_ASSERT_FATAL(c.in_dim <= 64);
    const int labels[2] = {0, (int)c.classes + 3}; /* out of range */
    gf_pathgrad pg;
    CU_ASSERT(gf_pathgrad_exact(m, x, labels, 2, &pg, why, sizeof why) == -1);
    CU_ASSERT(strstr(why, "softmax_xent") != NULL);
    CU_ASSERT(gf_model_training(m) == 1); /* the mode is restored */
    gf_model_free(m);
}

/* gf_arch_blocks counts from the configs what the built nets report, in every
 * family (a DenseNet's dense layers: 3n), and refuses two nets that differ. */
static void test_arch_blocks(void)
{
    static const struct {
        gf_arch arch;
        int depth;
    } nets[] = {{GF_ARCH_PLAIN, 4},          {GF_ARCH_RESNET, 56},      {GF_ARCH_PREACT, 110},
                {GF_ARCH_CNN_PLAIN, 8},      {GF_ARCH_CNN_RESNET, 20},  {GF_ARCH_CNN_PREACT, 56},
                {GF_ARCH_DENSENET, 7},       {GF_ARCH_DENSENET, 13},    {GF_ARCH_DENSENET, 40},
                {GF_ARCH_DENSENET_BC, 10},   {GF_ARCH_DENSENET_BC, 22}};
    char why[256];
    for (size_t i = 0; i < sizeof nets / sizeof *nets; i++) {
        gf_stack_config c = gf_stack_config_default();
        c.arch = nets[i].arch, c.depth = nets[i].depth, c.width = 8, c.width_mult = 0.25;
        gf_model *m = gf_arch_model_alloc(&c, why, sizeof why);
        CU_ASSERT_FATAL(m != NULL);
        CU_ASSERT_EQUAL(gf_arch_blocks(&c, &nets[i].arch, 1, why, sizeof why), gf_model_blocks(m));
        gf_model_free(m);
    }
    gf_stack_config c = gf_stack_config_default();
    c.depth = 10, c.width_mult = 0.25;
    const gf_arch mix[] = {GF_ARCH_DENSENET, GF_ARCH_DENSENET_BC}, same[] = {GF_ARCH_PLAIN,
                                                                            GF_ARCH_RESNET};
    CU_ASSERT(gf_arch_blocks(&c, mix, 2, why, sizeof why) == -1 &&
              strstr(why, "densenet has 6 blocks at depth 10, densenet-bc 3"));
    CU_ASSERT_EQUAL(gf_arch_blocks(&c, same, 2, why, sizeof why), 4);
    c.width = 1u << 16, c.depth = 100000; /* counted, not built: 50 GB of weights */
    CU_ASSERT_EQUAL(gf_arch_blocks(&c, same, 2, why, sizeof why), 49999);
}

CU_TestInfo model_tests[] = {
    {"gf_arch_blocks: the built nets' block counts from the configs, mixes refused",
     test_arch_blocks},
    {"forward and backward through the interface equal gf_stack's bit for bit",
     test_model_matches_the_stack},
    {"a block plan and the pieces through the interface equal the direct path",
     test_model_block_plan},
    {"export then load gives the same model; a mismatch is named", test_model_export_load},
    {"a file without a family key loads as mlp, by its metadata or as expected",
     test_model_file_without_family},
    {"weighted layers in forward order: slots and names", test_model_layers},
    {"a failed pass in a measurement reports the tape's message",
     test_failure_names_the_tape_error},
    CU_TEST_INFO_NULL,
};
