/* test_xfmr.c: the transformer family: identities at initialization (a
 * Pre-LN layer with zeroed sub-layers, ReZero at a = 0), every kind's
 * gradient against central differences, export and load, the byte-level
 * text (round trip, UTF-8 checks, refusals) and the copy task. */
#include "test_util.h"

#include "core/gf_conv.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static gf_xfmr *tiny(gf_xfmr_kind kind, int layers, unsigned long seed)
{
    gf_xfmr_config c = gf_xfmr_config_default();
    c.kind = kind, c.layers = layers, c.width = 8, c.heads = 2, c.context = 6, c.vocab = 11;
    char why[256];
    gf_xfmr *m = gf_xfmr_alloc(&c, why, sizeof why);
    gsl_rng *r = tu_rng(seed);
    if (m)
        gf_xfmr_init(m, r);
    gsl_rng_free(r);
    return m;
}

static void random_ids(int *ids, size_t n, size_t vocab, unsigned long seed)
{
    gsl_rng *r = tu_rng(seed);
    for (size_t i = 0; i < n; i++)
        ids[i] = (int)gsl_rng_uniform_int(r, vocab);
    gsl_rng_free(r);
}

/* A Pre-LN layer whose two output projections are zero is the identity,
 * bit for bit (x + 0 = x); a ReZero model at a = 0 (its start) likewise. */
static void test_identities(void)
{
    for (int kind = 0; kind < 2; kind++) {
        gf_xfmr *m = tiny(kind ? GF_XFMR_REZERO : GF_XFMR_PRELN, 3, 5);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        if (!kind)
            for (int l = 0; l < 3; l++) {
                const int s[4] = {m->layer[l].attn_proj.weight, m->layer[l].attn_proj.bias,
                                  m->layer[l].mlp_proj.weight, m->layer[l].mlp_proj.bias};
                for (int k = 0; k < 4; k++) {
                    const gf_slot *sl = &m->params.slot[s[k]];
                    memset(sl->t.v, 0, sl->rows * sl->cols * sizeof(double));
                }
            }
        gf_tape *tape = gf_tape_alloc(TU_CHUNK);
        int ids[12];
        random_ids(ids, 12, 11, 3);
        gf_tensor *stream[7], *write[6];
        gf_xfmr_trace tr = {stream, write};
        CU_ASSERT_PTR_NOT_NULL_FATAL(gf_xfmr_forward(m, tape, ids, 2, 6, &tr));
        for (int k = 1; k < 7; k++)
            CU_ASSERT(memcmp(stream[k]->v, stream[0]->v, 12 * 8 * sizeof(double)) == 0);
        /* and not vacuously: the sub-layers compute something before the zeroing */
        CU_ASSERT(kind || tu_norm(write[0]->v, 12 * 8) == 0.0);
        gf_tape_free(tape);
        gf_xfmr_free(m);
    }
    /* A Pre-LN layer with its weights is not the identity. */
    gf_xfmr *m = tiny(GF_XFMR_PRELN, 1, 5);
    gf_tape *tape = gf_tape_alloc(TU_CHUNK);
    int ids[6];
    random_ids(ids, 6, 11, 4);
    gf_tensor *stream[3], *write[2];
    gf_xfmr_trace tr = {stream, write};
    gf_xfmr_forward(m, tape, ids, 1, 6, &tr);
    CU_ASSERT(memcmp(stream[1]->v, stream[0]->v, 6 * 8 * sizeof(double)) != 0);
    gf_tape_free(tape);
    gf_xfmr_free(m);
}

static double loss_of(gf_xfmr *m, gf_tape *tape, const int *ids, const int *next)
{
    gf_tape_reset(tape);
    return gf_softmax_xent(tape, gf_xfmr_forward(m, tape, ids, 2, 5, NULL), next)->v[0];
}

/* d loss / d theta against central differences, on a sample of entries of
 * every slot, for every kind (rezero with a != 0, so the gradient reaches
 * the sub-layers). */
static void test_gradients(void)
{
    for (int kind = 0; kind < GF_XFMR_COUNT; kind++) {
        gf_xfmr *m = tiny((gf_xfmr_kind)kind, 2, 10u + (unsigned long)kind);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        gf_params *p = &m->params;
        for (size_t s = 0; s < p->n_slots; s++)
            if (strstr(p->slot[s].name, "alpha"))
                p->slot[s].t.v[0] = 0.7;
        gf_tape *tape = gf_tape_alloc(TU_CHUNK);
        int ids[10], next[10];
        random_ids(ids, 10, 11, 20);
        random_ids(next, 10, 11, 21);
        gf_tensor *loss = gf_softmax_xent(tape, gf_xfmr_forward(m, tape, ids, 2, 5, NULL), next);
        CU_ASSERT_PTR_NOT_NULL_FATAL(loss);
        CU_ASSERT_EQUAL_FATAL(gf_tape_backward(tape, loss), 0);
        double *g = malloc(p->size * sizeof *g), diff = 0.0, norm = 0.0;
        memcpy(g, p->grad, p->size * sizeof *g);
        for (size_t s = 0, k = 0; s < p->n_slots; s++) /* slots may be padded apart */
            for (size_t j = 0; j < p->slot[s].rows * p->slot[s].cols; j++, k++) {
                if (k % 5)
                    continue;
                const size_t i = p->slot[s].offset + j;
                const double v = p->value[i], h = 1e-5;
                p->value[i] = v + h;
                const double up = loss_of(m, tape, ids, next);
                p->value[i] = v - h;
                const double dn = loss_of(m, tape, ids, next);
                p->value[i] = v;
                const double num = (up - dn) / (2 * h);
                diff += (num - g[i]) * (num - g[i]);
                norm += num * num;
            }
        const double worst = sqrt(diff / norm); /* ||analytic - numeric|| / ||numeric|| */
        if (!(worst < 1e-7))
            fprintf(stderr, "\n  %s: relative error %.3g\n", gf_xfmr_kind_names[kind],
                    worst);
        CU_ASSERT(worst < 1e-7);
        free(g);
        gf_tape_free(tape);
        gf_xfmr_free(m);
    }
}

/* Through the model interface: x holds ids as doubles; save and load give
 * the same logits bit for bit; a wrong configuration is named. */
static void test_model_interface(void)
{
    char dir[256], path[300], why[512];
    CU_ASSERT_EQUAL_FATAL(tu_make_temp_dir(dir, sizeof dir, "xfmr"), 0);
    snprintf(path, sizeof path, "%s/m.safetensors", dir);
    gf_xfmr_config c = gf_xfmr_config_default();
    c.kind = GF_XFMR_DEEPNORM, c.layers = 2, c.width = 8, c.heads = 2, c.context = 6;
    gf_model *m = gf_model_alloc(&gf_model_transformer, &c, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    gsl_rng *r = tu_rng(2);
    gf_model_init(m, r);
    CU_ASSERT_EQUAL(gf_model_save(m, path, why, sizeof why), 0);
    gf_model *back = gf_model_load(path, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    char name[32];
    gf_model_name(back, name, sizeof name);
    CU_ASSERT_STRING_EQUAL(name, "deepnorm-2");
    gf_tape *tape = gf_tape_alloc(TU_CHUNK);
    gf_tensor *x = gf_tape_input(tape, 2, 4);
    for (int i = 0; i < 8; i++)
        x->v[i] = (i * 37) % 256;
    gf_recorder rec;
    gf_recorder_init(&rec);
    gf_tensor *a = gf_model_forward(m, tape, x, &rec, NULL);
    gf_tensor *b = gf_model_forward(back, tape, x, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT(a->n == 8 && a->d == 256);
    CU_ASSERT(memcmp(a->v, b->v, 8 * 256 * sizeof(double)) == 0);
    CU_ASSERT(rec.n == 3 && gf_recorder_find(&rec, GF_PROBE_BLOCK, 2) != NULL);
    gf_recorder_release(&rec);
    c.layers = 3;
    gf_model *other = gf_model_open(path, &gf_model_transformer, &c, NULL, why, sizeof why);
    CU_ASSERT_PTR_NULL(other);
    CU_ASSERT(strstr(why, "layers is 2 in the file, 3 here") != NULL);
    int k = 0;
    gf_linear_slots sl;
    while (gf_model_layer(m, k, &sl, name, sizeof name) == 0)
        k++;
    CU_ASSERT_EQUAL(k, 9);
    CU_ASSERT_STRING_EQUAL(name, "lm_head");
    CU_ASSERT(fabs(gf_xfmr_alpha(&c) - pow(6.0, 0.25)) < 1e-15);
    CU_ASSERT(fabs(gf_xfmr_beta(&c) - pow(24.0, -0.25)) < 1e-15);
    gf_tape_free(tape);
    gf_model_free(m), gf_model_free(back);
    gsl_rng_free(r);
    tu_remove_tree(dir);
}

static int write_file(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fwrite(b, 1, n, f);
    return fclose(f);
}

/* Every byte of a UTF-8 text comes back from the tokens; bad input refused. */
static void test_text(void)
{
    char dir[256], path[300], why[512];
    CU_ASSERT_EQUAL_FATAL(tu_make_temp_dir(dir, sizeof dir, "text"), 0);
    snprintf(path, sizeof path, "%s/t.txt", dir);
    enum { N = 3000 };
    unsigned char buf[N];
    static const char piece[] = "Grüße, κόσμε! 잔차 연결 🙂\n\ttabs ~";
    for (size_t i = 0; i < N; i++)
        buf[i] = (unsigned char)piece[i % (sizeof piece - 1)];
    const size_t n = N - N % (sizeof piece - 1);
    CU_ASSERT_EQUAL_FATAL(write_file(path, buf, n), 0);
    gf_text t;
    CU_ASSERT_EQUAL_FATAL(gf_text_load(&t, path, 8, why, sizeof why), 0);
    CU_ASSERT(t.n == n && t.split == n - n / 10 && memcmp(t.bytes, buf, n) == 0);
    int ids[8 * 20], next[8 * 20];
    gf_text_batch(&t, 0, NULL, 20, 8, ids, next);
    size_t start = 0; /* the evenly spaced windows: start b * room / B */
    for (size_t b = 0; b < 20; b++) {
        start = b * (t.split - 8) / 20;
        for (size_t j = 0; j < 8; j++) {
            CU_ASSERT_EQUAL(ids[b * 8 + j], buf[start + j]);
            CU_ASSERT_EQUAL(next[b * 8 + j], buf[start + j + 1]);
        }
    }
    gf_text_release(&t);
    /* refusals: too short for the context, empty, NUL, bad UTF-8, missing */
    CU_ASSERT_EQUAL(gf_text_load(&t, path, 60, why, sizeof why), -1);
    CU_ASSERT(strstr(why, "too few for context 60") != NULL);
    static const struct { const char *b; size_t n; const char *says; } bad[] = {
        {"", 0, "is empty"}, {"ab\0cd", 5, "not UTF-8"}, {"ab\xc3(", 4, "not UTF-8"},
        {"\xed\xa0\x80", 3, "not UTF-8"}, {"\xc0\xaf", 2, "not UTF-8"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CU_ASSERT_EQUAL_FATAL(write_file(path, bad[i].b, bad[i].n), 0);
        CU_ASSERT_EQUAL(gf_text_load(&t, path, 1, why, sizeof why), -1);
        CU_ASSERT(strstr(why, bad[i].says) != NULL);
    }
    snprintf(path, sizeof path, "%s/missing", dir);
    CU_ASSERT_EQUAL(gf_text_load(&t, path, 1, why, sizeof why), -1);
    CU_ASSERT(strstr(why, "cannot read") != NULL);
    CU_ASSERT(gf_text_is_utf8((const unsigned char *)"\xf0\x9f\x99\x82", 4));
    CU_ASSERT(!gf_text_is_utf8((const unsigned char *)"\xf0\x9f\x99", 3));
    tu_remove_tree(dir);
    /* the licenses, when the machine has them: a few hundred KB */
    if (gf_text_load(&t, NULL, 128, why, sizeof why) == 0) {
        CU_ASSERT(t.n > 100000);
        gf_text_release(&t);
    }
}

/* The copy task: the second half repeats the first after the separator. */
static void test_copy_task(void)
{
    gsl_rng *r = tu_rng(1);
    int ids[3 * 9], next[3 * 9];
    gf_copy_batch(r, 3, 4, 10, ids, next);
    for (int b = 0; b < 3; b++) {
        CU_ASSERT_EQUAL(ids[b * 9 + 4], 1);
        for (int j = 0; j < 4; j++) {
            CU_ASSERT(ids[b * 9 + j] >= 2 && ids[b * 9 + j] < 10);
            CU_ASSERT_EQUAL(ids[b * 9 + 5 + j], ids[b * 9 + j]);
            CU_ASSERT_EQUAL(next[b * 9 + 4 + j], ids[b * 9 + j]);
        }
    }
    gsl_rng_free(r);
}

/* 0 when `python3 SCRIPT FILE` exits 0; -1 otherwise. */
static int torch_check(const char *script, const char *files)
{
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s > /dev/null 2>&1", script, files);
    return system(cmd) == 0 ? 0 : -1;
}

/* Every kind exported after one step; PyTorch (when /usr/bin/python3 has it
 * and meson says where tools/torch_check.py is) loads each with strict=True
 * and agrees on every gradient to 1e-10; a gradient altered in the file is
 * caught. */
static void test_torch_agrees(void)
{
    char dir[256], path[300], why[512];
    CU_ASSERT_EQUAL_FATAL(tu_make_temp_dir(dir, sizeof dir, "xtorch"), 0);
    const char *script = getenv("GRADFLOW_TORCH_CHECK");
    const int torch = script && system("/usr/bin/python3 -c 'import torch' 2>/dev/null") == 0;
    if (!torch)
        fprintf(stderr, "\n  (no PyTorch: the exports are written, not checked) ");
    for (int kind = 0; kind < GF_XFMR_COUNT; kind++) {
        gf_xfmr_config c = gf_xfmr_config_default();
        c.kind = (gf_xfmr_kind)kind, c.layers = 3, c.width = 16, c.heads = 4, c.context = 8;
        gf_model *m = gf_model_alloc(&gf_model_transformer, &c, why, sizeof why);
        gsl_rng *r = tu_rng(70u + (unsigned long)kind);
        gf_model_init(m, r);
        gf_params *p = gf_model_params(m);
        for (size_t s = 0; s < p->n_slots; s++) /* rezero: away from a = 0 */
            if (strstr(p->slot[s].name, "alpha"))
                p->slot[s].t.v[0] = 0.3 + 0.1 * (double)s / (double)p->n_slots;
        int ids[3 * 7], next[3 * 7];
        random_ids(ids, 21, 256, 80u + (unsigned long)kind);
        random_ids(next, 21, 256, 90u + (unsigned long)kind);
        snprintf(path, sizeof path, "%s/%s.safetensors", dir, gf_xfmr_kind_names[kind]);
        CU_ASSERT_EQUAL(gf_xfmr_export_step(m, ids, next, 3, 7, path, why, sizeof why), 0);
        gf_model_free(m);
        gsl_rng_free(r);
    }
    if (torch) { /* one python for the four files, one for an altered one */
        char files[1200];
        snprintf(files, sizeof files, "%s/preln.safetensors %s/postln.safetensors "
                 "%s/deepnorm.safetensors %s/rezero.safetensors", dir, dir, dir, dir);
        CU_ASSERT_EQUAL(torch_check(script, files), 0);
        size_t len;
        char *b = tu_read_file(path, &len); /* the last gradient, before ids and labels */
        b[len - 2 * 21 * 8 - 2] ^= 0x40;
        FILE *f = fopen(path, "wb");
        fwrite(b, 1, len, f);
        fclose(f);
        free(b);
        CU_ASSERT_EQUAL(torch_check(script, path), -1);
    }
    tu_remove_tree(dir);
}

/* One training step's loss and every gradient (out: 1 + p->size doubles). */
static void step_bits(gf_xfmr *m, const int *ids, const int *next, size_t B, size_t T, double *out)
{
    gf_tape *tape = gf_tape_alloc(0);
    gf_tensor *loss = gf_softmax_xent(tape, gf_xfmr_forward(m, tape, ids, B, T, NULL), next);
    CU_ASSERT_FATAL(loss != NULL && gf_tape_backward(tape, loss) == 0);
    out[0] = loss->v[0];
    memcpy(out + 1, m->params.grad, m->params.size * sizeof *out);
    gf_tape_free(tape);
}

/* Large enough that every threaded piece runs on a team (products in row or
 * column shares, heads, layer norm, GELU, the loss): the same loss and
 * gradients to the bit on 1, 2 and 3 threads. */
static void test_bits_do_not_depend_on_threads(void)
{
    gf_xfmr_config c = gf_xfmr_config_default();
    c.layers = 2, c.width = 128, c.heads = 4, c.context = 64, c.vocab = 64;
    char why[256];
    gf_xfmr *m = gf_xfmr_alloc(&c, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    gsl_rng *r = tu_rng(5);
    gf_xfmr_init(m, r);
    gsl_rng_free(r);
    enum { B = 8, T = 64 };
    int ids[B * T], next[B * T];
    random_ids(ids, B * T, 64, 30);
    random_ids(next, B * T, 64, 31);
    const size_t size = 1 + m->params.size;
    double *a = malloc(size * sizeof *a), *b = malloc(size * sizeof *b);
    CU_ASSERT_FATAL(a && b);
    gf_conv_set_threads(1);
    step_bits(m, ids, next, B, T, a);
    for (int threads = 2; threads <= 3; threads++) {
        gf_conv_set_threads(threads);
        step_bits(m, ids, next, B, T, b);
        CU_ASSERT(memcmp(a, b, size * sizeof *a) == 0);
        if (memcmp(a, b, size * sizeof *a) != 0)
            fprintf(stderr, "\n  %d threads: loss %.17g against %.17g\n", threads, b[0], a[0]);
    }
    gf_conv_set_threads(0);
    free(a);
    free(b);
    gf_xfmr_free(m);
}

CU_TestInfo xfmr_tests[] = {
    {"Pre-LN with zeroed sub-layers and ReZero at a = 0 are the identity", test_identities},
    {"every kind's gradient matches central differences", test_gradients},
    {"model interface: ids in, logits out, save and load", test_model_interface},
    {"text: bytes round-trip; empty, binary, short, missing refused", test_text},
    {"the copy task", test_copy_task},
    {"one step's bits do not depend on the threads", test_bits_do_not_depend_on_threads},
    {"PyTorch loads every kind strict and agrees on the gradients to 1e-10", test_torch_agrees},
    CU_TEST_INFO_NULL,
};
