/* probe.c: gradient norms at probes, the skip / branch split, renormalization. */
#include "probe/gf_probe.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Renormalize when the Frobenius norm leaves [2^-RENORM, 2^RENORM]. */
enum { RENORM = 16 };

/* A probe: one record to fill. The probes on one tensor form a list; the
 * newest is the head, and its observer (t->obs) runs the whole list. */
typedef struct gf_probe {
    gf_observer obs;           /* {observe_probes, this probe} */
    gf_recorder *recorder;
    size_t index;
    const gf_tensor *skip_src;
    struct gf_probe *next;
} gf_probe;

static void observe_probes(void *first, gf_tensor *t);

void gf_recorder_init(gf_recorder *r) { *r = (gf_recorder){0}; }

void gf_recorder_release(gf_recorder *r)
{
    free(r->rec);
    gf_arena_free(r->probes);
    *r = (gf_recorder){0};
}

void gf_recorder_clear(gf_recorder *r)
{
    r->n = 0;
    if (r->probes)
        gf_arena_reset(r->probes);
}

long gf_probe_attach(gf_recorder *r, gf_tensor *t, gf_probe_kind kind, int block,
                     const gf_tensor *skip_src)
{
    if (!t)
        return -1;
    if (t->obs && t->obs->fn != observe_probes)
        return -1; /* another observer: one hook per tensor */
    if (gf_grow(&r->rec, &r->cap, r->n, sizeof *r->rec, 64) != 0)
        return -1;
    if (!r->probes && !(r->probes = gf_arena_alloc(64 << 10)))
        return -1;
    gf_probe *p = gf_arena_get(r->probes, sizeof *p);
    if (!p)
        return -1;
    *p = (gf_probe){.obs = {observe_probes, p}, .recorder = r, .index = r->n,
                    .skip_src = skip_src, .next = t->obs ? t->obs->ctx : NULL};
    t->obs = &p->obs;
    r->rec[r->n] = (gf_probe_record){.kind = kind, .block = block, .tensor = t, .n = t->n,
                                     .d = t->d, .log2_frob = -INFINITY,
                                     .log2_sample_mean = -INFINITY, .log2_rms = -INFINITY,
                                     .cos_skip_branch = NAN};
    return (long)r->n++;
}

/* log2 of a sum of squares: -inf for 0, NaN stays NaN (a non-finite gradient). */
static double log2_or_inf(double x) { return x > 0.0 ? log2(x) : x == 0.0 ? -INFINITY : NAN; }

/* Sums keep LANES partial sums, which the compiler packs into one vector
 * register (no single running sum to wait on); the split's sums are reduced
 * once per tensor, not per row. measure() has AVX2 / AVX-512 clones. */
enum { LANES = 16 };

/* A tree sum: four dependent additions instead of fifteen. */
static inline double lanes_total(const double *acc)
{
    double t[LANES / 2];
    for (int k = 0; k < LANES / 2; k++)
        t[k] = acc[k] + acc[k + LANES / 2];
    for (int w = LANES / 4; w >= 1; w /= 2)
        for (int k = 0; k < w; k++)
            t[k] += t[k + w];
    return t[0];
}

/* One pass over g (and the skip term s, already at g's scale by s_factor):
 * per-sample norms, ||g||^2, and for the split with a = s, r = g - s:
 * ||a||^2, ||r||^2, a.r. */
GF_VECTOR_CLONES static void measure(gf_probe_record *rec, const double *g, const double *s,
                                     double s_factor, int gexp)
{
    const size_t n = rec->n, d = rec->d, dv = d / LANES * LANES;
    double total = 0.0, sample_sum = 0.0;
    double as[LANES] = {0}, ab[LANES] = {0}, ac[LANES] = {0};
    for (size_t i = 0; i < n; i++) {
        const double *gr = g + i * d;
        double acc[LANES] = {0};
        for (size_t j = 0; j < dv; j += LANES)
            for (int k = 0; k < LANES; k++)
                acc[k] += gr[j + k] * gr[j + k];
        for (size_t j = dv; j < d; j++)
            acc[0] += gr[j] * gr[j];
        const double row = lanes_total(acc);
        total += row;
        sample_sum += sqrt(row);
        if (!s)
            continue;
        const double *sr = s + i * d;
        for (size_t j = 0; j < dv; j += LANES)
            for (int k = 0; k < LANES; k++) {
                const double a = s_factor * sr[j + k], r = gr[j + k] - a;
                as[k] += a * a;
                ab[k] += r * r;
                ac[k] += a * r;
            }
        for (size_t j = dv; j < d; j++) {
            const double a = s_factor * sr[j], r = gr[j] - a;
            as[0] += a * a;
            ab[0] += r * r;
            ac[0] += a * r;
        }
    }
    rec->log2_frob = 0.5 * log2_or_inf(total) + gexp;
    rec->log2_sample_mean = log2_or_inf(sample_sum / (double)n) + gexp;
    rec->log2_rms = rec->log2_frob - 0.5 * log2((double)(n * d));
    rec->has_split = s != NULL;
    if (s) {
        const double ss = lanes_total(as), bb = lanes_total(ab), sb = lanes_total(ac);
        rec->log2_skip = 0.5 * log2_or_inf(ss) + gexp;
        rec->log2_branch = 0.5 * log2_or_inf(bb) + gexp;
        rec->cos_skip_branch = ss > 0.0 && bb > 0.0 ? sb / sqrt(ss * bb) : NAN;
    }
    rec->observed = 1;
}

/* The observer: measure t's gradient for every probe on it. */
static void observe_probes(void *head, gf_tensor *t)
{
    gf_probe *const first = head;
    /* Probes with a live skip source first (their pass also yields the plain
     * norms); the others on the same tensor then copy them: one pass over g
     * however many probes share it. */
    const gf_probe_record *base = NULL;
    for (gf_probe *p = first; p; p = p->next) {
        const gf_tensor *src = p->skip_src;
        if (src && src->pass == t->pass) {
            gf_probe_record *rec = &p->recorder->rec[p->index];
            measure(rec, t->g, src->g, ldexp(1.0, src->gexp - t->gexp), t->gexp);
            if (!base)
                base = rec;
        }
    }
    for (gf_probe *p = first; p; p = p->next) {
        const gf_tensor *src = p->skip_src;
        if (src && src->pass == t->pass)
            continue;
        gf_probe_record *rec = &p->recorder->rec[p->index];
        if (base) { /* a second probe on the same tensor: same norms */
            rec->log2_frob = base->log2_frob;
            rec->log2_sample_mean = base->log2_sample_mean;
            rec->log2_rms = base->log2_rms;
            rec->observed = 1;
        } else {
            measure(rec, t->g, NULL, 0.0, t->gexp);
            base = rec;
        }
    }
    /* Keep the gradient near norm 1: an exact power-of-two rescale. */
    const double lf = base ? base->log2_frob - t->gexp : 0.0;
    if (isfinite(lf) && fabs(lf) > RENORM) {
        const int k = (int)lround(lf);
        gf_scale_pow2(t->g, gf_tensor_size(t), -k);
        t->gexp += k;
    }
}

const gf_probe_record *gf_recorder_find(const gf_recorder *r, gf_probe_kind kind, int block)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->rec[i].kind == kind && r->rec[i].block == block)
            return &r->rec[i];
    return NULL;
}

void gf_probe_name(const gf_probe_record *rec, char *buf, size_t size)
{
    switch (rec->kind) {
    case GF_PROBE_BLOCK:
        snprintf(buf, size, "x.%d", rec->block);
        break;
    case GF_PROBE_FC1_IN:
        snprintf(buf, size, "blocks.%d.fc1.input", rec->block);
        break;
    case GF_PROBE_FC2_IN:
        snprintf(buf, size, "blocks.%d.fc2.input", rec->block);
        break;
    }
}
