/* run.c: the experiment of gradflow transformer: gradients at
 * initialization per kind, depth and seed; then per trained kind and seed,
 * training with and without warm-up at the same learning rate, a sweep of
 * learning rates without warm-up, the stream before and after training
 * (the warm-up run), and the logit lens after it. */
#include "xfmr/gf_xfmr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double gf_text_unigram_entropy(const gf_text *t)
{
    double count[256] = {0}, h = 0.0;
    for (size_t i = 0; i < t->split; i++)
        count[t->bytes[i]] += 1.0;
    for (int b = 0; b < 256; b++)
        if (count[b] > 0) {
            const double p = count[b] / (double)t->split;
            h -= p * log(p);
        }
    return h;
}

void gf_xfmr_result_release(gf_xfmr_result *r)
{
    free(r->sub_grad), free(r->stream_grad), free(r->init_loss), free(r->curve);
    free(r->diverged), free(r->held), free(r->sweep_loss), free(r->sweep_div);
    free(r->stream), free(r->lens);
    memset(r, 0, sizeof *r);
}

static int deepest(const gf_xfmr_spec *s)
{
    int m = 1;
    for (int i = 0; i < s->n_layers; i++)
        m = s->layers[i] > m ? s->layers[i] : m;
    return m;
}

static int alloc_result(gf_xfmr_result *r)
{
    const gf_xfmr_spec *s = &r->spec;
    const size_t K = (size_t)s->n_kinds, D = (size_t)s->n_layers, S = (size_t)s->seeds;
    const size_t Lm = (size_t)deepest(s), Lt = (size_t)s->train_layers;
    const size_t TK = (size_t)s->n_train_kinds, R = (size_t)s->n_sweep;
    r->sub_grad = calloc(K * D * S * 2 * Lm + 1, sizeof(double));
    r->stream_grad = calloc(K * D * S * (2 * Lm + 1), sizeof(double));
    r->init_loss = calloc(K * D * S + 1, sizeof(double));
    r->curve = calloc(TK * 2 * S * (size_t)s->steps + 1, sizeof(double));
    r->diverged = calloc(TK * 2 * S + 1, sizeof(long));
    r->held = calloc(TK * 2 * S + 1, sizeof(double));
    r->sweep_loss = calloc(TK * R * S + 1, sizeof(double));
    r->sweep_div = calloc(TK * R * S + 1, sizeof(long));
    r->stream = calloc(TK * 2 * S * 6 * Lt + 1, sizeof(double));
    r->lens = calloc(TK * S * 2 * (Lt + 1) + 1, sizeof(double));
    return r->sub_grad && r->stream_grad && r->init_loss && r->curve && r->diverged && r->held &&
                   r->sweep_loss && r->sweep_div && r->stream && r->lens
               ? 0
               : -1;
}

/* A fresh model of kind, layers and width, its weights from seed. */
static gf_xfmr *fresh(const gf_xfmr_spec *s, int kind, int layers, size_t width,
                      unsigned long seed, char *why, size_t size)
{
    gf_xfmr_config c = gf_xfmr_config_default();
    c.kind = (gf_xfmr_kind)kind, c.layers = layers, c.width = width, c.heads = s->heads;
    c.context = s->context;
    gf_xfmr *m = gf_xfmr_alloc(&c, why, size);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (m && rng) {
        gsl_rng_set(rng, seed);
        gf_xfmr_init(m, rng);
    }
    gsl_rng_free(rng);
    return m;
}

/* Training windows of seed k: the same for every kind and depth. */
static void batch_of(const gf_xfmr_spec *s, unsigned long seed, size_t B, int *ids)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed + 1000003u);
    gf_text_batch(s->text, 0, rng, B, s->context, ids, ids + B * s->context);
    gsl_rng_free(rng);
}

static int at_init(gf_xfmr_result *r, gf_tape *tape, int *ids, int *done, int total, char *why,
                   size_t size)
{
    const gf_xfmr_spec *s = &r->spec;
    const size_t Lm = (size_t)deepest(s), BT = s->batch * s->context;
    for (int i = 0; i < s->n_kinds; i++)
        for (int d = 0; d < s->n_layers; d++)
            for (int k = 0; k < s->seeds; k++) {
                const size_t cell = ((size_t)i * (size_t)s->n_layers + (size_t)d) *
                                        (size_t)s->seeds + (size_t)k;
                const unsigned long seed = s->seed0 + (unsigned long)k;
                gf_xfmr *m = fresh(s, s->kinds[i], s->layers[d], s->width, seed, why, size);
                if (!m)
                    return -1;
                batch_of(s, seed, s->batch, ids);
                const int rc = gf_xfmr_grads(m, tape, ids, ids + BT, s->batch, s->context,
                                             &r->init_loss[cell], r->sub_grad + cell * 2 * Lm,
                                             r->stream_grad + cell * (2 * Lm + 1), why, size);
                gf_xfmr_free(m);
                if (rc != 0)
                    return -1;
                if (s->progress)
                    s->progress(s->ctx, ++*done, total);
            }
    return 0;
}

/* Held-out windows of the evaluations (loss, stream, lens): evenly spaced,
 * at least this many. */
enum { EVAL_WINDOWS = 16 };

static size_t eval_windows(const gf_xfmr_spec *s)
{
    return s->batch > EVAL_WINDOWS ? s->batch : EVAL_WINDOWS;
}

/* The stream statistics of m into dst (6 Lt numbers), on the held-out windows. */
static int stream_of(const gf_xfmr_spec *s, gf_xfmr *m, gf_tape *tape, int *ids, double *dst,
                     char *why, size_t size)
{
    const size_t L2 = 2 * (size_t)s->train_layers, B = eval_windows(s);
    gf_text_batch(s->text, 1, NULL, B, s->context, ids, ids + B * s->context);
    return gf_xfmr_stream(m, tape, ids, B, s->context, dst, dst + L2 + 1, dst + 2 * L2 + 1, why,
                          size);
}

/* One training run of kind index i, seed k, warm-up w (0/1) or sweep lr r;
 * fills what it measures. */
static int train_one(gf_xfmr_result *r, gf_tape *tape, int *ids, int i, int k, int w, int lr_i,
                     char *why, size_t size)
{
    const gf_xfmr_spec *s = &r->spec;
    const size_t S = (size_t)s->seeds, Lt = (size_t)s->train_layers;
    const unsigned long seed = s->seed0 + (unsigned long)k;
    gf_xfmr *m = fresh(s, s->train_kinds[i], s->train_layers, s->train_width, seed, why, size);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!m || !rng) {
        gf_xfmr_free(m);
        gsl_rng_free(rng);
        return -1;
    }
    gsl_rng_set(rng, seed + 7919u);
    const int sweep = lr_i >= 0;
    const size_t run = ((size_t)i * 2 + (size_t)w) * S + (size_t)k;
    const size_t cell = ((size_t)i * (size_t)s->n_sweep + (size_t)(sweep ? lr_i : 0)) * S +
                        (size_t)k;
    const gf_xfmr_train_spec ts = {.steps = sweep ? s->sweep_steps : s->steps,
                                   .warmup = w ? s->warmup : 0, .B = s->train_batch,
                                   .T = s->context, .lr = sweep ? s->sweep[lr_i] : s->lr};
    double *curve = sweep ? malloc((size_t)ts.steps * sizeof *curve)
                          : r->curve + run * (size_t)s->steps;
    int rc = curve ? 0 : -1;
    if (rc == 0 && !sweep && w)
        rc = stream_of(s, m, tape, ids, r->stream + ((size_t)i * 2 * S + (size_t)k) * 6 * Lt,
                       why, size);
    const long div = rc == 0 ? gf_xfmr_train(m, s->text, &ts, rng, curve, why, size) : -2;
    rc = div == -2 ? -1 : 0;
    if (rc == 0 && sweep) {
        const long tail = ts.steps / 10 > 0 ? ts.steps / 10 : 1;
        double sum = 0.0;
        for (long t = ts.steps - tail; t < ts.steps; t++)
            sum += curve[t];
        r->sweep_loss[cell] = div >= 0 ? NAN : sum / (double)tail;
        r->sweep_div[cell] = div;
    } else if (rc == 0) {
        r->diverged[run] = div;
        r->held[run] = div >= 0 ? NAN : gf_xfmr_eval(m, tape, s->text, eval_windows(s), s->context);
    }
    if (rc == 0 && !sweep && w && div < 0) {
        double *st = r->stream + (((size_t)i * 2 + 1) * S + (size_t)k) * 6 * Lt;
        double *lens = r->lens + ((size_t)i * S + (size_t)k) * 2 * (Lt + 1);
        const size_t B = eval_windows(s);
        rc = stream_of(s, m, tape, ids, st, why, size) == 0 && /* ids: those windows */
                     gf_xfmr_logit_lens(m, tape, ids, ids + B * s->context, B, s->context, lens,
                                        lens + Lt + 1, why, size) == 0
                 ? 0
                 : -1;
    }
    if (sweep)
        free(curve);
    gf_xfmr_free(m);
    gsl_rng_free(rng);
    return rc;
}

int gf_xfmr_run(const gf_xfmr_spec *spec, gf_xfmr_result *r, char *why, size_t size)
{
    memset(r, 0, sizeof *r);
    r->spec = *spec;
    const gf_xfmr_spec *s = &r->spec;
    size_t B = s->batch > s->train_batch ? s->batch : s->train_batch;
    B = B > eval_windows(s) ? B : eval_windows(s);
    const size_t BT = B * s->context;
    gf_tape *tape = gf_tape_alloc(0);
    int *ids = malloc(2 * BT * sizeof *ids);
    if (!tape || !ids || alloc_result(r) != 0) {
        snprintf(why, size, "out of memory for the transformer experiment");
        gf_tape_free(tape);
        free(ids);
        gf_xfmr_result_release(r);
        return -1;
    }
    for (size_t j = 0; j < (size_t)s->n_train_kinds * 2 * (size_t)s->seeds * 6 *
                               (size_t)s->train_layers; j++)
        r->stream[j] = NAN;
    for (size_t j = 0; j < (size_t)s->n_train_kinds * (size_t)s->seeds * 2 *
                               (size_t)(s->train_layers + 1); j++)
        r->lens[j] = NAN;
    r->unigram = gf_text_unigram_entropy(s->text);
    int done = 0;
    const int total = s->n_kinds * s->n_layers * s->seeds +
                      s->n_train_kinds * s->seeds * (2 + s->n_sweep);
    int rc = at_init(r, tape, ids, &done, total, why, size);
    for (int i = 0; rc == 0 && i < s->n_train_kinds; i++)
        for (int k = 0; rc == 0 && k < s->seeds; k++)
            for (int j = -2; rc == 0 && j < s->n_sweep; j++) { /* -2, -1: the two curves */
                rc = train_one(r, tape, ids, i, k, j == -1, j < 0 ? -1 : j, why, size);
                if (rc == 0 && s->progress)
                    s->progress(s->ctx, ++done, total);
            }
    gf_tape_free(tape);
    free(ids);
    if (rc != 0)
        gf_xfmr_result_release(r);
    return rc;
}

double gf_xfmr_slope(const gf_xfmr_result *r, int i, int k)
{
    const gf_xfmr_spec *s = &r->spec;
    const size_t Lm = (size_t)deepest(s);
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    const int n = s->n_layers;
    for (int d = 0; d < n; d++) {
        const size_t cell = ((size_t)i * (size_t)n + (size_t)d) * (size_t)s->seeds + (size_t)k;
        const double g = r->sub_grad[cell * 2 * Lm + 2 * (size_t)s->layers[d] - 1];
        if (!(g > 0))
            return NAN;
        const double x = log((double)s->layers[d]), y = log(g);
        sx += x, sy += y, sxx += x * x, sxy += x * y;
    }
    return n < 2 ? NAN : (n * sxy - sx * sy) / (n * sxx - sx * sx);
}
