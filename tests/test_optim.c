/* test_optim.c: optimizers, gradient clipping and learning-rate schedules
 * against steps worked out by hand (numbers checked once against
 * torch.optim 1.13: SGD, Adam, AdamW and clip_grad_norm_). */
#include "test_util.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* |actual - expected| <= rel |expected| */
#define ASSERT_REL(actual, expected, rel)                                                       \
    CU_ASSERT_DOUBLE_EQUAL((actual), (expected), (rel) * fabs(expected))

enum { PASS = 7 }; /* the backward pass the tests call current */

/* Three slots: a buffer (running mean) whose area of the gradient buffer
 * holds 1e3 that nothing may read, a 2 x 2 weight and a 3-vector bias. */
typedef struct fixture {
    gf_params p;
    int buf, w, b;
} fixture;

static const double RM[3] = {7.0, 8.0, 9.0};
static const double W0[4] = {1.0, -2.0, 0.5, 4.0}, GW[4] = {0.5, -0.25, 1.0, -3.0};
static const double B0[3] = {0.25, -0.5, 2.0}, GB[3] = {0.125, 2.0, -1.0};

static double *val(fixture *f, int k) { return f->p.value + f->p.slot[k].offset; }
static double *grad(fixture *f, int k) { return f->p.grad + f->p.slot[k].offset; }

/* Reached by pass PASS: the weight, and the buffer (its kind alone must keep
 * it out); the bias is stale (its gradient is from pass PASS - 1). */
static void fixture_init(fixture *f)
{
    gf_params_init(&f->p);
    f->buf = gf_params_add(&f->p, "bn.running_mean", GF_SLOT_BUFFER, 1, 3, 1);
    f->w = gf_params_add(&f->p, "fc.weight", GF_SLOT_PARAM, 2, 2, 0);
    f->b = gf_params_add(&f->p, "fc.bias", GF_SLOT_PARAM, 1, 3, 1);
    CU_ASSERT_FATAL(f->b == 2 && gf_params_finalize(&f->p) == 0);
    memcpy(val(f, f->buf), RM, sizeof RM);
    for (int i = 0; i < 3; i++)
        grad(f, f->buf)[i] = 1e3;
    memcpy(val(f, f->w), W0, sizeof W0);
    memcpy(grad(f, f->w), GW, sizeof GW);
    memcpy(val(f, f->b), B0, sizeof B0);
    memcpy(grad(f, f->b), GB, sizeof GB);
    f->p.slot[f->buf].t.pass = PASS;
    f->p.slot[f->w].t.pass = PASS;
    f->p.slot[f->b].t.pass = PASS - 1;
}

/* SGD's defaults with this momentum, weight decay and Nesterov switch. */
static gf_optim_config sgd_config(double momentum, double weight_decay, int nesterov)
{
    gf_optim_config c = gf_optim_config_default(GF_OPTIM_SGD);
    c.momentum = momentum;
    c.weight_decay = weight_decay;
    c.nesterov = nesterov;
    return c;
}

/* The fixture and an optimizer over it with config c (fatal if refused). */
static void optim_open(fixture *f, gf_optim *o, const gf_optim_config *c)
{
    fixture_init(f);
    CU_ASSERT_FATAL(gf_optim_init(o, c, &f->p) == 0);
}

static void optim_close(fixture *f, gf_optim *o)
{
    gf_optim_release(o);
    gf_params_release(&f->p);
}

/* Mark the buffer, the weight and (when `bias`) the bias as reached by pass. */
static void reach(fixture *f, uint64_t pass, int bias)
{
    f->p.slot[f->buf].t.pass = pass;
    f->p.slot[f->w].t.pass = pass;
    if (bias)
        f->p.slot[f->b].t.pass = pass;
}

/* The buffer's values and the bias gradient are as set; the weight gradient is gw. */
static void assert_untouched(fixture *f, const double *gw)
{
    CU_ASSERT(memcmp(val(f, f->buf), RM, sizeof RM) == 0);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(grad(f, f->buf)[i], 1e3);
    CU_ASSERT(memcmp(grad(f, f->w), gw, 4 * sizeof *gw) == 0);
    CU_ASSERT(memcmp(grad(f, f->b), GB, sizeof GB) == 0);
}

/* ---- SGD ---------------------------------------------------------------- */

/* SGD on one scalar with a constant gradient g, written out: out[k] is the
 * value after k + 1 steps. */
static void sgd_by_hand(double p, double g, double lr, double mu, double wd, int nesterov,
                        double out[3])
{
    double d = g + wd * p, m = d; /* step 1: the momentum buffer starts at d */
    out[0] = p = p - lr * (nesterov ? d + mu * m : m);
    d = g + wd * p;
    m = mu * m + d;
    out[1] = p = p - lr * (nesterov ? d + mu * m : m);
    d = g + wd * p;
    m = mu * m + d;
    out[2] = p - lr * (nesterov ? d + mu * m : m);
}

/* Momentum 0.9, weight decay 1e-4, lr 0.1. Step 1 reaches the weight only;
 * the bias starts its state at step 2. weight[0] (p 1, g 0.5):
 *   d = 0.5 + 1e-4 * 1 = 0.5001,  m = d,  p = 1 - 0.1 * 0.5001 = 0.94999
 *   d = 0.500094999,  m = 0.9 * 0.5001 + d = 0.950184999,  p = 0.8549715001
 *   d = 0.50008549715001,  m = 1.35525199625001,  p = 0.719446300474999 */
static void test_sgd_momentum_three_steps(void)
{
    static const double w0_by_hand[3] = {0.94999, 0.8549715001, 0.719446300474999};
    const gf_optim_config c = gf_optim_config_default(GF_OPTIM_SGD);
    CU_ASSERT(c.momentum == 0.9 && c.weight_decay == 1e-4 && !c.nesterov);
    fixture f;
    gf_optim o;
    optim_open(&f, &o, &c);
    double ew[4][3], eb[3][3];
    for (int i = 0; i < 4; i++)
        sgd_by_hand(W0[i], GW[i], 0.1, 0.9, 1e-4, 0, ew[i]);
    for (int i = 0; i < 3; i++)
        sgd_by_hand(B0[i], GB[i], 0.1, 0.9, 1e-4, 0, eb[i]);
    for (int k = 0; k < 3; k++) {
        reach(&f, PASS + k, k > 0);
        gf_optim_step(&o, &f.p, 0.1, PASS + k);
        ASSERT_REL(val(&f, f.w)[0], w0_by_hand[k], 1e-15);
        for (int i = 0; i < 4; i++)
            ASSERT_REL(val(&f, f.w)[i], ew[i][k], 1e-15);
        for (int i = 0; i < 3; i++)
            ASSERT_REL(val(&f, f.b)[i], k == 0 ? B0[i] : eb[i][k - 1], 1e-15);
        if (k == 0) /* skipped, state included */
            for (int i = 0; i < 3; i++)
                CU_ASSERT_EQUAL(o.m[f.p.slot[f.b].offset + i], 0.0);
        CU_ASSERT_EQUAL(o.started[f.b], k > 0);
        assert_untouched(&f, GW);
    }
    CU_ASSERT(o.steps == 3 && o.slot_steps[f.w] == 3 && o.slot_steps[f.b] == 2);
    CU_ASSERT(o.slot_steps[f.buf] == 0 && !o.started[f.buf] && o.started[f.w]);
    optim_close(&f, &o);
}

/* Nesterov, momentum 0.9, no decay, lr 0.1; weight[0] (p 1, g 0.5):
 *   m = 0.5,   p = 1 - 0.1 (0.5 + 0.45) = 0.905
 *   m = 0.95,  p = 0.905 - 0.1 (0.5 + 0.855) = 0.7695
 *   m = 1.355, p = 0.7695 - 0.1 (0.5 + 1.2195) = 0.59755 */
static void test_sgd_nesterov(void)
{
    static const double w0_by_hand[3] = {0.905, 0.7695, 0.59755};
    const gf_optim_config c = sgd_config(0.9, 0.0, 1);
    fixture f;
    gf_optim o;
    optim_open(&f, &o, &c);
    double ew[4][3];
    for (int i = 0; i < 4; i++)
        sgd_by_hand(W0[i], GW[i], 0.1, 0.9, 0.0, 1, ew[i]);
    for (int k = 0; k < 3; k++) {
        reach(&f, PASS + k, 0);
        gf_optim_step(&o, &f.p, 0.1, PASS + k);
        ASSERT_REL(val(&f, f.w)[0], w0_by_hand[k], 1e-15);
        for (int i = 0; i < 4; i++)
            ASSERT_REL(val(&f, f.w)[i], ew[i][k], 1e-15);
    }
    CU_ASSERT(memcmp(val(&f, f.b), B0, sizeof B0) == 0);
    assert_untouched(&f, GW);
    optim_close(&f, &o);
}

/* Without momentum or decay, p -= lr g each step: weight[0] = 1 - 0.05 - 0.05. */
static void test_sgd_plain(void)
{
    const gf_optim_config c = sgd_config(0.0, 0.0, 0);
    fixture f;
    gf_optim o;
    optim_open(&f, &o, &c);
    gf_optim_step(&o, &f.p, 0.1, PASS);
    gf_optim_step(&o, &f.p, 0.1, PASS);
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(val(&f, f.w)[i], (W0[i] - 0.1 * GW[i]) - 0.1 * GW[i]);
    ASSERT_REL(val(&f, f.w)[0], 0.9, 1e-15);
    assert_untouched(&f, GW);
    optim_close(&f, &o);
}

/* ---- Adam, AdamW --------------------------------------------------------- */

/* Two steps of Adam (AdamW when c says so) on one scalar with gradients g[0]
 * then g[1], in the header's words:
 *   adamw: p -= lr wd p;  adam: d = g + wd p
 *   m = b1 m + (1 - b1) d;  v = b2 v + (1 - b2) d^2
 *   p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps) */
static void adam_by_hand(double p, const double g[2], double lr, const gf_optim_config *c,
                         double out[2])
{
    const double b1 = c->beta1, b2 = c->beta2, wd = c->weight_decay;
    const int adamw = c->kind == GF_OPTIM_ADAMW;
    if (adamw)
        p -= lr * wd * p;
    double d = adamw ? g[0] : g[0] + wd * p;
    double m = (1 - b1) * d, v = (1 - b2) * d * d;
    out[0] = p -= lr * (m / (1 - b1)) / (sqrt(v / (1 - b2)) + c->eps);
    if (adamw)
        p -= lr * wd * p;
    d = adamw ? g[1] : g[1] + wd * p;
    m = b1 * m + (1 - b1) * d;
    v = b2 * v + (1 - b2) * d * d;
    out[1] = p - lr * (m / (1 - b1 * b1)) / (sqrt(v / (1 - b2 * b2)) + c->eps);
}

/* Defaults (betas 0.9, 0.999, eps 1e-8, no decay), lr 1e-3, gradients GW then
 * GW2. A constant gradient g gives m / (1 - b1^t) = g and v / (1 - b2^t) =
 * g^2, so weight[0] (g 0.5 twice) moves by 1e-3 * 0.5 / (0.5 + 1e-8) per step.
 * The bias, first reached at step 2, takes its own first step (t = 1). */
static void test_adam_two_steps(void)
{
    static const double GW2[4] = {0.5, 0.75, -2.0, -3.0};
    const gf_optim_config c = gf_optim_config_default(GF_OPTIM_ADAM);
    CU_ASSERT(c.beta1 == 0.9 && c.beta2 == 0.999 && c.eps == 1e-8 && c.weight_decay == 0.0);
    fixture f;
    gf_optim o;
    optim_open(&f, &o, &c);
    const double lr = 1e-3, move = 1e-3 * 0.5 / (0.5 + 1e-8);
    gf_optim_step(&o, &f.p, lr, PASS);
    ASSERT_REL(val(&f, f.w)[0], 1.0 - move, 1e-15);
    CU_ASSERT(memcmp(val(&f, f.b), B0, sizeof B0) == 0);
    memcpy(grad(&f, f.w), GW2, sizeof GW2);
    reach(&f, PASS + 1, 1);
    gf_optim_step(&o, &f.p, lr, PASS + 1);
    ASSERT_REL(val(&f, f.w)[0], 1.0 - 2.0 * move, 1e-15);
    for (int i = 0; i < 4; i++) {
        double e[2];
        adam_by_hand(W0[i], (const double[]){GW[i], GW2[i]}, lr, &c, e);
        ASSERT_REL(val(&f, f.w)[i], e[1], 1e-15);
    }
    for (int i = 0; i < 3; i++) /* t = 1: p - lr g / (|g| + eps) */
        ASSERT_REL(val(&f, f.b)[i], B0[i] - lr * GB[i] / (fabs(GB[i]) + 1e-8), 1e-15);
    CU_ASSERT(o.steps == 2 && o.slot_steps[f.w] == 2 && o.slot_steps[f.b] == 1);
    assert_untouched(&f, GW2);
    optim_close(&f, &o);
}

/* Decay 1e-2, lr 1e-3, constant gradients, two steps. Adam adds wd p to the
 * gradient; AdamW shrinks p by 1 - lr wd = 1 - 1e-5 and then moves it as
 * plain Adam would: weight[0] = (1 (1 - 1e-5) - u)(1 - 1e-5) - u, u = 1e-3 * 0.5 / (0.5 + 1e-8).
 * The gradient buffer keeps the raw gradient. */
static void test_adam_and_adamw_weight_decay(void)
{
    const gf_optim_kind kinds[2] = {GF_OPTIM_ADAM, GF_OPTIM_ADAMW};
    double w3[2];
    for (int k = 0; k < 2; k++) {
        gf_optim_config c = gf_optim_config_default(kinds[k]);
        CU_ASSERT_EQUAL(c.weight_decay, kinds[k] == GF_OPTIM_ADAMW ? 1e-2 : 0.0);
        c.weight_decay = 1e-2;
        fixture f;
        gf_optim o;
        optim_open(&f, &o, &c);
        gf_optim_step(&o, &f.p, 1e-3, PASS);
        gf_optim_step(&o, &f.p, 1e-3, PASS);
        for (int i = 0; i < 4; i++) {
            double e[2];
            adam_by_hand(W0[i], (const double[]){GW[i], GW[i]}, 1e-3, &c, e);
            ASSERT_REL(val(&f, f.w)[i], e[1], 1e-15);
        }
        if (kinds[k] == GF_OPTIM_ADAMW) {
            const double u = 1e-3 * 0.5 / (0.5 + 1e-8);
            ASSERT_REL(val(&f, f.w)[0], (1.0 * (1 - 1e-5) - u) * (1 - 1e-5) - u, 1e-15);
        }
        w3[k] = val(&f, f.w)[3];
        assert_untouched(&f, GW);
        optim_close(&f, &o);
    }
    CU_ASSERT(w3[0] != w3[1]); /* coupled and decoupled decay differ */
}

/* ---- configuration -------------------------------------------------------- */

static void test_optim_config_rejected(void)
{
    fixture f;
    fixture_init(&f);
    gf_optim o;
    gf_optim_config c[10];
    for (int i = 0; i < 10; i++)
        c[i] = gf_optim_config_default(i < 4 ? GF_OPTIM_SGD : GF_OPTIM_ADAM);
    c[0].momentum = 1.0;
    c[1].momentum = -0.1;
    c[2].momentum = 0.0;
    c[2].nesterov = 1; /* nesterov needs momentum */
    c[3].weight_decay = -1e-4;
    c[4].beta1 = 1.0;
    c[5].beta2 = NAN;
    c[6].eps = 0.0;
    c[7].weight_decay = INFINITY;
    c[8].beta2 = -0.5;
    c[9].kind = GF_OPTIM_COUNT;
    for (int i = 0; i < 10; i++) {
        CU_ASSERT_EQUAL(gf_optim_init(&o, &c[i], &f.p), -1);
        CU_ASSERT(o.m == NULL && o.v == NULL);
        gf_optim_release(&o);
    }
    for (int k = 0; k < GF_OPTIM_COUNT; k++) {
        const gf_optim_config d = gf_optim_config_default((gf_optim_kind)k);
        CU_ASSERT_FATAL(gf_optim_init(&o, &d, &f.p) == 0);
        CU_ASSERT(o.size == f.p.size && o.n_slots == 3 && o.steps == 0);
        CU_ASSERT((o.v != NULL) == (k != GF_OPTIM_SGD));
        gf_optim_release(&o);
    }
    CU_ASSERT_EQUAL(gf_name_lookup(gf_optim_names, "adamw"), GF_OPTIM_ADAMW);
    CU_ASSERT_EQUAL(gf_name_lookup(gf_optim_names, "rmsprop"), -1);
    gf_params_release(&f.p);
}

/* ---- global norm and clipping ---------------------------------------------- */

static void set_weight_grad(fixture *f, double a, double b)
{
    const double g[4] = {a, 0.0, 0.0, b};
    memcpy(grad(f, f->w), g, sizeof g);
}

/* weight gradient (3, 0, 0, 4): norm 5; the stale bias and the buffer's 1e3
 * do not count. Clipping to 1 scales by 1 / (5 + 1e-6); to 10, nothing. */
static void test_clip_global_norm(void)
{
    fixture f;
    fixture_init(&f);
    set_weight_grad(&f, 3.0, 4.0);
    CU_ASSERT_EQUAL(gf_grad_global_norm(&f.p, PASS), 5.0);
    CU_ASSERT_EQUAL(gf_grad_clip(&f.p, 10.0, PASS), 5.0);
    CU_ASSERT(grad(&f, f.w)[0] == 3.0 && grad(&f, f.w)[3] == 4.0);
    CU_ASSERT_EQUAL(gf_grad_clip(&f.p, 1.0, PASS), 5.0);
    const double coef = 1.0 / (5.0 + 1e-6);
    CU_ASSERT_EQUAL(grad(&f, f.w)[0], 3.0 * coef);
    CU_ASSERT_EQUAL(grad(&f, f.w)[1], 0.0);
    CU_ASSERT_EQUAL(grad(&f, f.w)[3], 4.0 * coef);
    ASSERT_REL(grad(&f, f.w)[0], 0.6, 1e-6);
    CU_ASSERT(memcmp(grad(&f, f.b), GB, sizeof GB) == 0); /* stale: not clipped */
    CU_ASSERT_EQUAL(grad(&f, f.buf)[0], 1e3);
    /* with the bias reached: sqrt(25 + 0.125^2 + 2^2 + 1^2) */
    set_weight_grad(&f, 3.0, 4.0);
    f.p.slot[f.b].t.pass = PASS;
    ASSERT_REL(gf_grad_global_norm(&f.p, PASS), sqrt(30.015625), 1e-15);
    CU_ASSERT_EQUAL(gf_grad_global_norm(&f.p, PASS + 1), 0.0); /* nothing reached */
    CU_ASSERT_EQUAL(gf_grad_global_norm(&f.p, 0), 0.0);
    gf_params_release(&f.p);
}

/* No overflow or underflow in the sum of squares; a non-finite norm is
 * returned and nothing is scaled. */
static void test_clip_extreme_and_nonfinite(void)
{
    fixture f;
    fixture_init(&f);
    set_weight_grad(&f, 1e200, 1e200);
    ASSERT_REL(gf_grad_global_norm(&f.p, PASS), 1e200 * M_SQRT2, 1e-15);
    set_weight_grad(&f, 3e-200, 4e-200);
    ASSERT_REL(gf_grad_global_norm(&f.p, PASS), 5e-200, 1e-15);
    set_weight_grad(&f, 3e-320, 4e-320); /* subnormal */
    ASSERT_REL(gf_grad_global_norm(&f.p, PASS), 5e-320, 1e-3);
    set_weight_grad(&f, 0.5 * DBL_MAX, 0.5 * DBL_MAX); /* squares overflow, the norm does not */
    ASSERT_REL(gf_grad_clip(&f.p, 1e300, PASS), 0.5 * DBL_MAX * M_SQRT2, 1e-15);
    ASSERT_REL(grad(&f, f.w)[0], 1e300 * M_SQRT1_2, 1e-15);
    set_weight_grad(&f, DBL_MAX, DBL_MAX); /* the norm itself overflows: left alone */
    CU_ASSERT_EQUAL(gf_grad_clip(&f.p, 1.0, PASS), INFINITY);
    CU_ASSERT_EQUAL(grad(&f, f.w)[0], DBL_MAX);
    set_weight_grad(&f, 0.0, 0.0);
    CU_ASSERT_EQUAL(gf_grad_clip(&f.p, 1.0, PASS), 0.0);
    set_weight_grad(&f, NAN, 1.0);
    CU_ASSERT(isnan(gf_grad_clip(&f.p, 1.0, PASS)));
    CU_ASSERT_EQUAL(grad(&f, f.w)[3], 1.0);
    set_weight_grad(&f, -INFINITY, 1.0);
    CU_ASSERT_EQUAL(gf_grad_clip(&f.p, 1.0, PASS), INFINITY);
    CU_ASSERT_EQUAL(grad(&f, f.w)[3], 1.0);
    gf_params_release(&f.p);
}

/* ---- schedules ------------------------------------------------------------- */

static gf_schedule schedule(gf_sched_kind kind, double lr, long total, long warmup)
{
    gf_schedule s = {.kind = kind, .lr = lr, .total_steps = total, .warmup_steps = warmup,
                     .gamma = 0.1};
    return s;
}

static void test_schedule_constant_and_step(void)
{
    gf_schedule c = schedule(GF_SCHED_CONSTANT, 0.1, 100, 0);
    CU_ASSERT(gf_schedule_lr(&c, 0) == 0.1 && gf_schedule_lr(&c, 99) == 0.1);
    /* milestones 0.5 and 0.75 of 100 steps: steps 50 and 75 */
    gf_schedule s = schedule(GF_SCHED_STEP, 0.1, 100, 0);
    s.milestones[0] = 0.5;
    s.milestones[1] = 0.75;
    s.n_milestones = 2;
    CU_ASSERT_EQUAL(gf_schedule_check(&s, NULL, 0), 0);
    CU_ASSERT_EQUAL(gf_schedule_lr(&s, 0), 0.1);
    CU_ASSERT_EQUAL(gf_schedule_lr(&s, 49), 0.1);
    CU_ASSERT_EQUAL(gf_schedule_lr(&s, 50), 0.1 * 0.1);
    CU_ASSERT_EQUAL(gf_schedule_lr(&s, 74), 0.1 * 0.1);
    CU_ASSERT_EQUAL(gf_schedule_lr(&s, 75), 0.1 * 0.1 * 0.1);
    CU_ASSERT_EQUAL(gf_schedule_lr(&s, 99), 0.1 * 0.1 * 0.1);
    /* a milestone that rounds: 0.333 of 10 steps is step round(3.33) = 3 */
    s.total_steps = 10;
    s.milestones[0] = 0.333;
    s.n_milestones = 1;
    CU_ASSERT(gf_schedule_lr(&s, 2) == 0.1 && gf_schedule_lr(&s, 3) == 0.1 * 0.1);
}

/* lr 0.1 down to 0 over 100 steps: 0.1 at 0, 0.05 at 50, 0 at 100; at 99,
 * 0.1 (1 - cos(pi / 100)) / 2 = 0.1 sin^2(pi / 200) (the cancellation in
 * 1 + cos leaves ~1e-13 of relative accuracy). */
static void test_schedule_cosine(void)
{
    gf_schedule s = schedule(GF_SCHED_COSINE, 0.1, 100, 0);
    CU_ASSERT_EQUAL(gf_schedule_check(&s, NULL, 0), 0);
    CU_ASSERT_EQUAL(gf_schedule_lr(&s, 0), 0.1);
    ASSERT_REL(gf_schedule_lr(&s, 50), 0.05, 1e-15);
    ASSERT_REL(gf_schedule_lr(&s, 25), 0.1 * (1 + M_SQRT1_2) / 2, 1e-15);
    ASSERT_REL(gf_schedule_lr(&s, 99), 0.1 * pow(sin(M_PI / 200), 2), 1e-12);
    CU_ASSERT_EQUAL(gf_schedule_lr(&s, 100), 0.0);
    CU_ASSERT_EQUAL(gf_schedule_lr(&s, 1000), 0.0); /* past the end: stays at min */
    s.min_lr = 0.01;
    ASSERT_REL(gf_schedule_lr(&s, 0), 0.1, 1e-15);
    ASSERT_REL(gf_schedule_lr(&s, 50), 0.055, 1e-15);
    CU_ASSERT_EQUAL(gf_schedule_lr(&s, 100), 0.01);
}

/* Warm-up w = 4: rate (s + 1) / 4 of the scheduled one for s < 4. */
static void test_schedule_warmup(void)
{
    gf_schedule c = schedule(GF_SCHED_CONSTANT, 0.5, 10, 4);
    CU_ASSERT_EQUAL(gf_schedule_check(&c, NULL, 0), 0);
    CU_ASSERT_EQUAL(gf_schedule_lr(&c, 0), 0.125);
    CU_ASSERT_EQUAL(gf_schedule_lr(&c, 1), 0.25);
    CU_ASSERT_EQUAL(gf_schedule_lr(&c, 2), 0.375);
    CU_ASSERT_EQUAL(gf_schedule_lr(&c, 3), 0.5);
    CU_ASSERT_EQUAL(gf_schedule_lr(&c, 4), 0.5);
    /* cosine after 10 warm-up steps over the remaining 100 */
    gf_schedule s = schedule(GF_SCHED_COSINE, 0.1, 110, 10);
    CU_ASSERT_EQUAL(gf_schedule_lr(&s, 0), 0.1 * 1 / 10);
    CU_ASSERT_EQUAL(gf_schedule_lr(&s, 5), 0.1 * 6 / 10);
    CU_ASSERT_EQUAL(gf_schedule_lr(&s, 9), 0.1 * 10 / 10);
    CU_ASSERT_EQUAL(gf_schedule_lr(&s, 10), 0.1);
    ASSERT_REL(gf_schedule_lr(&s, 60), 0.05, 1e-15);
    CU_ASSERT_EQUAL(gf_schedule_lr(&s, 110), 0.0);
    /* all warm-up */
    s.warmup_steps = 110;
    CU_ASSERT_EQUAL(gf_schedule_check(&s, NULL, 0), 0);
    CU_ASSERT_EQUAL(gf_schedule_lr(&s, 109), 0.1 * 110 / 110);
}

static void test_schedule_check_rejects(void)
{
    gf_schedule bad[16];
    int n = 0;
    for (int i = 0; i < 16; i++) {
        bad[i] = schedule(GF_SCHED_STEP, 0.1, 100, 0);
        bad[i].milestones[0] = 0.5;
        bad[i].milestones[1] = 0.75;
        bad[i].n_milestones = 2;
    }
    CU_ASSERT_EQUAL(gf_schedule_check(&bad[0], NULL, 0), 0);
    bad[n++].kind = GF_SCHED_COUNT;
    bad[n++].lr = 0.0;
    bad[n++].lr = NAN;
    bad[n++].lr = INFINITY;
    bad[n++].total_steps = 0;
    bad[n++].warmup_steps = -1;
    bad[n++].warmup_steps = 101;
    bad[n++].n_milestones = 0;
    bad[n++].n_milestones = GF_SCHED_MAX_MILESTONES + 1;
    bad[n++].milestones[0] = 0.0;
    bad[n++].milestones[1] = 1.0;
    bad[n++].milestones[1] = 0.5; /* not strictly increasing */
    bad[n++].gamma = 0.0;
    bad[n++].gamma = 1.5;
    bad[n].kind = GF_SCHED_COSINE;
    bad[n++].min_lr = -0.01;
    bad[n].kind = GF_SCHED_COSINE;
    bad[n++].min_lr = 0.2; /* above lr */
    for (int i = 0; i < n; i++) {
        char why[128] = "";
        CU_ASSERT_EQUAL(gf_schedule_check(&bad[i], why, sizeof why), -1);
        CU_ASSERT(why[0] != '\0' && strchr(why, '\n') == NULL);
    }
    gf_schedule ok = bad[0];
    ok.kind = GF_SCHED_STEP;
    ok.gamma = 1.0; /* allowed: no decay */
    CU_ASSERT_EQUAL(gf_schedule_check(&ok, NULL, 0), 0);
    ok.kind = GF_SCHED_COSINE;
    ok.min_lr = ok.lr;
    CU_ASSERT_EQUAL(gf_schedule_check(&ok, NULL, 0), 0);
    CU_ASSERT_EQUAL(gf_name_lookup(gf_sched_names, "cosine"), GF_SCHED_COSINE);
}

CU_TestInfo optim_tests[] = {
    {"sgd: momentum 0.9, decay 1e-4, three steps; stale slot skipped",
     test_sgd_momentum_three_steps},
    {"sgd: nesterov", test_sgd_nesterov},
    {"sgd: no momentum, no decay", test_sgd_plain},
    {"adam: two steps, bias correction per slot", test_adam_two_steps},
    {"adam and adamw: coupled and decoupled decay", test_adam_and_adamw_weight_decay},
    {"gf_optim_init rejects configs out of range", test_optim_config_rejected},
    {"global norm and clipping to 1", test_clip_global_norm},
    {"global norm: no overflow, underflow; non-finite left alone",
     test_clip_extreme_and_nonfinite},
    {"schedules: constant, step milestones", test_schedule_constant_and_step},
    {"schedules: cosine start, middle, end", test_schedule_cosine},
    {"schedules: linear warm-up", test_schedule_warmup},
    {"gf_schedule_check rejections", test_schedule_check_rejects},
    CU_TEST_INFO_NULL,
};
