/* optim.c: SGD (momentum, Nesterov), Adam and AdamW, operation for
 * operation as torch.optim defines them, and clipping by the global norm of
 * the gradients. Each optimizer is one contiguous loop over a slot; the
 * gradient buffer is only read (a weight-decayed gradient lives in a local). */
#include "train/gf_train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const gf_optim_names[] = {"sgd", "adam", "adamw", NULL};

gf_optim_config gf_optim_config_default(gf_optim_kind kind)
{
    gf_optim_config c = {.kind = kind};
    if (kind == GF_OPTIM_SGD) {
        c.momentum = 0.9;
        c.weight_decay = 1e-4;
    } else {
        c.beta1 = 0.9;
        c.beta2 = 0.999;
        c.eps = 1e-8;
        c.weight_decay = kind == GF_OPTIM_ADAMW ? 1e-2 : 0.0;
    }
    return c;
}

/* x in [0, 1) (NaN is not) */
static int unit_interval(double x) { return x >= 0.0 && x < 1.0; }

/* Only the fields the kind uses are checked (an SGD config leaves eps at 0). */
static int config_ok(const gf_optim_config *c)
{
    if ((unsigned)c->kind >= GF_OPTIM_COUNT || !(c->weight_decay >= 0.0) ||
        !isfinite(c->weight_decay))
        return 0;
    if (c->kind == GF_OPTIM_SGD)
        return unit_interval(c->momentum) && (!c->nesterov || c->momentum > 0.0);
    return unit_interval(c->beta1) && unit_interval(c->beta2) && c->eps > 0.0 &&
           isfinite(c->eps);
}

/* n doubles, zeroed, 64-byte aligned (free with free) */
static double *zeroed(size_t n)
{
    const size_t bytes = (n ? n : 1) * sizeof(double);
    double *x = gf_big_alloc(bytes);
    if (x)
        memset(x, 0, bytes);
    return x;
}

int gf_optim_init(gf_optim *o, const gf_optim_config *c, const gf_params *p)
{
    memset(o, 0, sizeof *o);
    if (!config_ok(c))
        return -1;
    const size_t slots = p->n_slots ? p->n_slots : 1;
    o->cfg = *c;
    o->size = p->size;
    o->n_slots = p->n_slots;
    o->m = zeroed(p->size);
    o->v = c->kind == GF_OPTIM_SGD ? NULL : zeroed(p->size);
    o->started = calloc(slots, sizeof *o->started);
    o->slot_steps = calloc(slots, sizeof *o->slot_steps);
    if (!o->m || (c->kind != GF_OPTIM_SGD && !o->v) || !o->started || !o->slot_steps) {
        gf_optim_release(o);
        return -1;
    }
    return 0;
}

void gf_optim_release(gf_optim *o)
{
    free(o->m);
    free(o->v);
    free(o->started);
    free(o->slot_steps);
    memset(o, 0, sizeof *o);
}

/* A trainable slot that backward pass `pass` reached. */
static int reached(const gf_slot *s, uint64_t pass)
{
    return s->kind == GF_SLOT_PARAM && pass != 0 && s->t.pass == pass;
}

/* d = g + wd p;  m = mu m + d (m = d on the first step);  p -= lr (nesterov ? d + mu m : m) */
static void sgd_update(const gf_optim_config *c, double lr, int first, double *restrict p,
                       const double *restrict g, double *restrict m, size_t n)
{
    const double wd = c->weight_decay, mu = c->momentum;
    const int nesterov = c->nesterov;
    for (size_t i = 0; i < n; i++) {
        const double d = g[i] + wd * p[i];
        m[i] = first ? d : mu * m[i] + d;
        p[i] -= lr * (nesterov ? d + mu * m[i] : m[i]);
    }
}

/* Step t of a slot (t >= 1). adamw first decays p *= 1 - lr wd and adds no
 * decay to the gradient; adam adds it (d = g + wd p). Then
 *   m = b1 m + (1 - b1) d;  v = b2 v + (1 - b2) d^2
 *   p -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)   (PyTorch's order) */
static void adam_update(const gf_optim_config *c, double lr, long t, double *restrict p,
                        const double *restrict g, double *restrict m, double *restrict v,
                        size_t n)
{
    const int decoupled = c->kind == GF_OPTIM_ADAMW;
    const double keep = decoupled ? 1.0 - lr * c->weight_decay : 1.0;
    const double wd = decoupled ? 0.0 : c->weight_decay;
    const double b1 = c->beta1, b2 = c->beta2, eps = c->eps;
    const double step = lr / (1.0 - pow(b1, (double)t));
    const double bc2_sqrt = sqrt(1.0 - pow(b2, (double)t));
    for (size_t i = 0; i < n; i++) {
        const double q = p[i] * keep;
        const double d = g[i] + wd * q;
        m[i] = b1 * m[i] + (1.0 - b1) * d;
        v[i] = b2 * v[i] + (1.0 - b2) * d * d;
        p[i] = q - step * m[i] / (sqrt(v[i]) / bc2_sqrt + eps);
    }
}

void gf_optim_step(gf_optim *o, gf_params *p, double lr, uint64_t pass)
{
    if (p->size != o->size || p->n_slots != o->n_slots)
        return; /* not the parameters it was made for */
    o->steps++;
    for (size_t k = 0; k < p->n_slots; k++) {
        const gf_slot *s = &p->slot[k];
        if (!reached(s, pass))
            continue;
        const size_t at = s->offset, n = s->rows * s->cols;
        const long t = ++o->slot_steps[k];
        if (o->cfg.kind == GF_OPTIM_SGD)
            sgd_update(&o->cfg, lr, !o->started[k], p->value + at, p->grad + at, o->m + at, n);
        else
            adam_update(&o->cfg, lr, t, p->value + at, p->grad + at, o->m + at, o->v + at, n);
        o->started[k] = 1;
    }
}

/* ---- the global norm ---------------------------------------------------- */

/* Over the reached gradients: the sum of (scale g)^2, and max |g| into *max_abs. */
static double sum_squares(const gf_params *p, uint64_t pass, double scale, double *max_abs)
{
    double ss = 0.0, a = 0.0;
    for (size_t k = 0; k < p->n_slots; k++) {
        const gf_slot *s = &p->slot[k];
        if (!reached(s, pass))
            continue;
        const double *g = p->grad + s->offset;
        for (size_t i = 0; i < s->rows * s->cols; i++) {
            ss += (scale * g[i]) * (scale * g[i]);
            a = fabs(g[i]) > a ? fabs(g[i]) : a;
        }
    }
    *max_abs = a;
    return ss;
}

/* One plain pass when the sum of squares is finite and far from underflow;
 * else a second one with the entries scaled by 2^-e, 2^e ~ max |g| (exact). */
double gf_grad_global_norm(const gf_params *p, uint64_t pass)
{
    double a;
    const double ss = sum_squares(p, pass, 1.0, &a);
    if (isnan(ss) || (isfinite(ss) && ss >= 0x1p-900))
        return sqrt(ss);
    /* a has no NaN here */
    if (a == 0.0 || isinf(a))
        return a;
    int e = ilogb(a);
    e = e < -1000 ? -1000 : e > 1000 ? 1000 : e; /* 2^e and 2^-e both normal */
    return ldexp(sqrt(sum_squares(p, pass, ldexp(1.0, -e), &a)), e);
}

double gf_grad_clip(gf_params *p, double max_norm, uint64_t pass)
{
    const double norm = gf_grad_global_norm(p, pass);
    if (!isfinite(norm) || !(norm > max_norm))
        return norm;
    const double coef = max_norm / (norm + 1e-6);
    for (size_t k = 0; k < p->n_slots; k++) {
        const gf_slot *s = &p->slot[k];
        if (!reached(s, pass))
            continue;
        double *g = p->grad + s->offset;
        for (size_t i = 0; i < s->rows * s->cols; i++)
            g[i] *= coef;
    }
    return norm;
}
