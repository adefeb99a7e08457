/* probe.c: gradient norms at probes, the skip / branch split, renormalization. */
#include "probe/gf_probe.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Renormalize when the Frobenius norm leaves [2^-RENORM, 2^RENORM]. */
enum { RENORM = 16 };

void gf_recorder_init(gf_recorder *r) { *r = (gf_recorder){0}; }

void gf_recorder_release(gf_recorder *r)
{
    free(r->rec);
    *r = (gf_recorder){0};
}

void gf_recorder_clear(gf_recorder *r) { r->n = 0; }

long gf_probe_attach(gf_recorder *r, gf_tape *tape, gf_tensor *t, gf_probe_kind kind, int block,
                     const gf_tensor *skip_src)
{
    if (!t)
        return -1;
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 64;
        gf_probe_record *rec = realloc(r->rec, cap * sizeof *rec);
        if (!rec)
            return -1;
        r->rec = rec;
        r->cap = cap;
    }
    gf_probe *p = gf_arena_get(gf_tape_arena(tape), sizeof *p);
    if (!p)
        return -1;
    *p = (gf_probe){.recorder = r, .index = r->n, .skip_src = skip_src, .next = t->probe};
    t->probe = p;
    r->rec[r->n] = (gf_probe_record){.kind = kind, .block = block, .tensor = t, .n = t->n,
                                     .d = t->d, .log2_frob = -INFINITY,
                                     .log2_sample_mean = -INFINITY, .log2_rms = -INFINITY,
                                     .cos_skip_branch = NAN};
    return (long)r->n++;
}

static double log2_or_inf(double x) { return x > 0.0 ? log2(x) : -INFINITY; }

/* Sums of squares and products with four partial sums in two-lane vectors:
 * the dependency chain of a single running sum no longer limits the loop. */
typedef double v2d __attribute__((vector_size(16)));
static inline v2d load2(const double *p)
{
    v2d v;
    memcpy(&v, p, sizeof v);
    return v;
}

static double sum_sq(const double *x, size_t d)
{
    v2d a = {0.0, 0.0}, b = a;
    size_t j = 0;
    for (; j + 4 <= d; j += 4) {
        const v2d x0 = load2(x + j), x1 = load2(x + j + 2);
        a += x0 * x0;
        b += x1 * x1;
    }
    const v2d t = a + b;
    double s = t[0] + t[1];
    for (; j < d; j++)
        s += x[j] * x[j];
    return s;
}

/* ss += |f s|^2, bb += |g - f s|^2, sb += (f s).(g - f s) */
static void split_sums(const double *g, const double *sk, double f, size_t d, double *ss,
                       double *bb, double *sb)
{
    const v2d fv = {f, f};
    v2d s0 = {0.0, 0.0}, s1 = s0, b0 = s0, b1 = s0, c0 = s0, c1 = s0;
    size_t j = 0;
    for (; j + 4 <= d; j += 4) {
        const v2d a0 = fv * load2(sk + j), a1 = fv * load2(sk + j + 2);
        const v2d r0 = load2(g + j) - a0, r1 = load2(g + j + 2) - a1;
        s0 += a0 * a0;
        s1 += a1 * a1;
        b0 += r0 * r0;
        b1 += r1 * r1;
        c0 += a0 * r0;
        c1 += a1 * r1;
    }
    const v2d s = s0 + s1, b = b0 + b1, c = c0 + c1;
    double ts = s[0] + s[1], tb = b[0] + b[1], tc = c[0] + c[1];
    for (; j < d; j++) {
        const double a = f * sk[j], r = g[j] - a;
        ts += a * a;
        tb += r * r;
        tc += a * r;
    }
    *ss += ts;
    *bb += tb;
    *sb += tc;
}

/* One pass over g (and the skip term s, already at g's scale): per-sample
 * norms, ||g||^2, and for the split ||s||^2, ||g - s||^2, s.(g - s). */
static void measure(gf_probe_record *rec, const double *g, const double *s, double s_factor,
                    int gexp)
{
    const size_t n = rec->n, d = rec->d;
    double total = 0.0, sample_sum = 0.0, ss = 0.0, bb = 0.0, sb = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double row = sum_sq(g + i * d, d);
        total += row;
        sample_sum += sqrt(row);
        if (s)
            split_sums(g + i * d, s + i * d, s_factor, d, &ss, &bb, &sb);
    }
    rec->log2_frob = 0.5 * log2_or_inf(total) + gexp;
    rec->log2_sample_mean = log2_or_inf(sample_sum / (double)n) + gexp;
    rec->log2_rms = rec->log2_frob - 0.5 * log2((double)(n * d));
    rec->has_split = s != NULL;
    if (s) {
        rec->log2_skip = 0.5 * log2_or_inf(ss) + gexp;
        rec->log2_branch = 0.5 * log2_or_inf(bb) + gexp;
        rec->cos_skip_branch = ss > 0.0 && bb > 0.0 ? sb / sqrt(ss * bb) : NAN;
    }
    rec->observed = 1;
}

void gf_probe_observe(struct gf_probe *first, gf_tensor *t)
{
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
