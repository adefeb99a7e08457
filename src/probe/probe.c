/* probe.c: gradient norms at probes, the skip / branch split, renormalization. */
#include "probe/gf_probe.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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

/* One pass over g (and the skip term s, already at g's scale): per-sample
 * norms, ||g||^2, and for the split ||s||^2, ||g - s||^2, s.(g - s). */
static void measure(gf_probe_record *rec, const double *g, const double *s, double s_factor,
                    int gexp)
{
    const size_t n = rec->n, d = rec->d;
    double total = 0.0, sample_sum = 0.0, ss = 0.0, bb = 0.0, sb = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double *gr = g + i * d;
        double row = 0.0;
        for (size_t j = 0; j < d; j++)
            row += gr[j] * gr[j];
        total += row;
        sample_sum += sqrt(row);
        if (s) {
            const double *sr = s + i * d;
            for (size_t j = 0; j < d; j++) {
                const double sk = s_factor * sr[j], br = gr[j] - sk;
                ss += sk * sk;
                bb += br * br;
                sb += sk * br;
            }
        }
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
    const gf_probe_record *base = NULL;
    for (gf_probe *p = first; p; p = p->next) {
        gf_probe_record *rec = &p->recorder->rec[p->index];
        const gf_tensor *src = p->skip_src;
        if (src && src->pass == t->pass) {
            measure(rec, t->g, src->g, ldexp(1.0, src->gexp - t->gexp), t->gexp);
        } else if (base) { /* a second probe on the same tensor: same norms */
            rec->log2_frob = base->log2_frob;
            rec->log2_sample_mean = base->log2_sample_mean;
            rec->log2_rms = base->log2_rms;
            rec->observed = 1;
        } else {
            measure(rec, t->g, NULL, 0.0, t->gexp);
        }
        if (!base)
            base = rec;
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
