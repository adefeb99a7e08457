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

/* Sums keep LANES = 16 partial sums in two vectors of eight (lo: lanes 0-7,
 * hi: 8-15), so no sum waits on a single running total; a row's lanes are
 * then reduced by a tree in vector registers, and the split's sums once per
 * tensor. Every sum adds the same terms in the same order in every clone and
 * variant. measure() has AVX2 / AVX-512 clones. */
enum { LANES = 16 };
typedef double v8d __attribute__((vector_size(64)));
/* Eight doubles read where they lie (aligned to 8 bytes only). */
typedef double v8d_at __attribute__((vector_size(64), aligned(8), may_alias));
#define LOAD8(p) (*(const v8d_at *)(p))
typedef double v4d __attribute__((vector_size(32)));
typedef double v2d __attribute__((vector_size(16)));

typedef struct lanes {
    v8d lo, hi;
} lanes;

/* The tree: t[k] = lane k + lane k+8, then t[k] += t[k+4], t[k+2], t[k+1]. */
static inline double lanes_total(const lanes *a)
{
    const v8d t8 = a->lo + a->hi;
    const v4d t4 = __builtin_shufflevector(t8, t8, 0, 1, 2, 3) +
                   __builtin_shufflevector(t8, t8, 4, 5, 6, 7);
    const v2d t2 = __builtin_shufflevector(t4, t4, 0, 1) + __builtin_shufflevector(t4, t4, 2, 3);
    return t2[0] + t2[1];
}

/* The skip / branch sums of the split: a = s_factor s, r = g - a. */
typedef struct split_sums {
    lanes as, ab, ac; /* ||a||^2, ||r||^2, a.r */
} split_sums;

/* One row: its sum of squares, and (split) its skip / branch terms added to
 * *sp. split and scale are constants at every call, so each variant compiles
 * to its own loop: one pass over the row for all four sums, and no multiply
 * when the skip term is at g's scale (s_factor == 1: s_factor * s == s). */
static inline double row_sums(const double *gr, const double *sr, double s_factor, size_t d,
                              int split, int scale, split_sums *sp)
{
    const size_t dv = d / LANES * LANES;
    lanes acc = {{0}, {0}};
    for (size_t j = 0; j < dv; j += LANES) {
        const v8d glo = LOAD8(gr + j), ghi = LOAD8(gr + j + LANES / 2);
        acc.lo += glo * glo;
        acc.hi += ghi * ghi;
        if (split) {
            const v8d slo = LOAD8(sr + j), shi = LOAD8(sr + j + LANES / 2);
            const v8d alo = scale ? s_factor * slo : slo, ahi = scale ? s_factor * shi : shi;
            const v8d rlo = glo - alo, rhi = ghi - ahi;
            sp->as.lo += alo * alo;
            sp->as.hi += ahi * ahi;
            sp->ab.lo += rlo * rlo;
            sp->ab.hi += rhi * rhi;
            sp->ac.lo += alo * rlo;
            sp->ac.hi += ahi * rhi;
        }
    }
    for (size_t j = dv; j < d; j++)
        acc.lo[0] += gr[j] * gr[j];
    if (split)
        for (size_t j = dv; j < d; j++) {
            const double a = scale ? s_factor * sr[j] : sr[j], r = gr[j] - a;
            sp->as.lo[0] += a * a;
            sp->ab.lo[0] += r * r;
            sp->ac.lo[0] += a * r;
        }
    return lanes_total(&acc);
}

/* The rows of g: ||g||^2 and the sum of the per-sample norms. */
#define ROWS(split, scaled)                                                                    \
    for (size_t i = 0; i < n; i++) {                                                           \
        const double row =                                                                     \
            row_sums(g + i * d, split ? s + i * d : NULL, s_factor, d, split, scaled, &sp);    \
        total += row;                                                                          \
        sample_sum += sqrt(row);                                                               \
    }

/* One pass over g (and the skip term s, already at g's scale by s_factor):
 * per-sample norms, ||g||^2, and for the split with a = s, r = g - s:
 * ||a||^2, ||r||^2, a.r. */
GF_VECTOR_CLONES static void measure(gf_probe_record *rec, const double *g, const double *s,
                                     double s_factor, int gexp)
{
    const size_t n = rec->n, d = rec->d;
    double total = 0.0, sample_sum = 0.0;
    split_sums sp = {{{0}, {0}}, {{0}, {0}}, {{0}, {0}}};
    if (!s)
        ROWS(0, 0)
    else if (s_factor == 1.0)
        ROWS(1, 0)
    else
        ROWS(1, 1)
    rec->log2_frob = 0.5 * log2_or_inf(total) + gexp;
    rec->log2_sample_mean = log2_or_inf(sample_sum / (double)n) + gexp;
    rec->log2_rms = rec->log2_frob - 0.5 * log2((double)(n * d));
    rec->has_split = s != NULL;
    if (s) {
        const double ss = lanes_total(&sp.as), bb = lanes_total(&sp.ab), sb = lanes_total(&sp.ac);
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
