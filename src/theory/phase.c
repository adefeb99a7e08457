/* phase.c: the mean-field phase diagram over a grid of (sigma_w^2,
 * sigma_b^2): the grid, the critical line, the trainable bands, chosen
 * points, and their TSV files. */
#include "theory/gf_theory.h"

#include "io/gf_io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static double grid_value(const double *r, long n, long i)
{
    return n == 1 ? r[0] : r[0] + (r[1] - r[0]) * (double)i / (double)(n - 1);
}

/* sb2 of row k of the critical line and the bands: quadratic in k, denser at LO. */
static double curve_sb2(const gf_phase_spec *s, long k)
{
    const double t = s->nb == 1 ? 0.0 : (double)k / (double)(s->nb - 1);
    return s->sb2[0] + (s->sb2[1] - s->sb2[0]) * t * t;
}

void gf_phase_release(gf_phase *p)
{
    free(p->grid);
    free(p->crit_sb2);
    free(p->crit);
    free(p->band);
    p->grid = NULL;
    p->crit_sb2 = p->crit = NULL;
    p->band = NULL;
}

static int add_point(gf_phase *p, const char *label, double sw2, double sb2, char *why,
                     size_t size)
{
    gf_phase_point *pt = &p->pts[p->n_pts++];
    snprintf(pt->label, sizeof pt->label, "%s", label);
    if (gf_meanfield_point(p->spec.act, sw2, sb2, &pt->mf) != 0) {
        snprintf(why, size, "the mean field failed at sigma_w^2 = %g, sigma_b^2 = %g", sw2, sb2);
        return -1;
    }
    return 0;
}

/* Row j: the grid at the j-th sb2, the critical line and the bands at curve_sb2(j). */
static int compute_row(gf_phase *p, long j, char *why, size_t size)
{
    const gf_phase_spec *s = &p->spec;
    const double sb2 = grid_value(s->sb2, s->nb, j);
    for (long i = 0; i < s->nw; i++) {
        const double sw2 = grid_value(s->sw2, s->nw, i);
        if (gf_meanfield_point(s->act, sw2, sb2, &p->grid[j * s->nw + i]) != 0) {
            snprintf(why, size, "the mean field failed at sigma_w^2 = %g, sigma_b^2 = %g", sw2,
                     sb2);
            return -1;
        }
    }
    const double cb = p->crit_sb2[j] = curve_sb2(s, j);
    if (gf_meanfield_critical_sw2(s->act, cb, &p->crit[j]) != 0) {
        snprintf(why, size, "no critical line found at sigma_b^2 = %g", cb);
        return -1;
    }
    for (int d = 0; d < s->n_depths; d++) {
        gf_phase_band *b = &p->band[d * s->nb + j];
        b->sb2 = cb;
        if (gf_meanfield_band(s->act, cb, s->depths[d], s->sw2[0], s->sw2[1], &b->left,
                              &b->right, &b->clip_left, &b->clip_right) != 0) {
            snprintf(why, size, "the trainable band failed at sigma_b^2 = %g", cb);
            return -1;
        }
    }
    return 0;
}

int gf_phase_compute(const gf_phase_spec *spec, gf_phase *p, char *why, size_t size)
{
    const gf_phase_spec *s = spec;
    *p = (gf_phase){.spec = *spec};
    if (s->n_depths > GF_PHASE_MAX_DEPTHS || s->n_user > GF_PHASE_MAX_POINTS - 3) {
        snprintf(why, size, "too many depths or points");
        return -1;
    }
    p->grid = malloc((size_t)(s->nw * s->nb) * sizeof *p->grid);
    p->crit = malloc((size_t)s->nb * sizeof *p->crit);
    p->crit_sb2 = malloc((size_t)s->nb * sizeof *p->crit_sb2);
    p->band = malloc((size_t)(s->n_depths * s->nb) * sizeof *p->band);
    if (!p->grid || !p->crit || !p->crit_sb2 || !p->band) {
        snprintf(why, size, "out of memory for a %ld x %ld grid", s->nw, s->nb);
        return -1;
    }
    for (long j = 0; j < s->nb; j++) {
        if (compute_row(p, j, why, size) != 0)
            return -1;
        if (s->progress)
            s->progress(s->progress_ctx, (int)j + 1, (int)s->nb);
    }
    /* the inits of gradflow at the width (square layers), then the user's points */
    const size_t w = s->width;
    static const gf_init inits[] = {GF_INIT_TORCH, GF_INIT_HE, GF_INIT_LECUN};
    for (size_t k = 0; k < sizeof inits / sizeof *inits; k++)
        if (add_point(p, gf_init_names[inits[k]], (double)w * gf_init_weight_var(inits[k], w, w),
                      gf_init_bias_var(inits[k], w), why, size) != 0)
            return -1;
    for (int k = 0; k < s->n_user; k++) {
        char label[32];
        snprintf(label, sizeof label, "point %d", k + 1);
        if (add_point(p, label, s->user[k][0], s->user[k][1], why, size) != 0)
            return -1;
    }
    return 0;
}

const char *gf_phase_name(gf_act act, double chi_1)
{
    return fabs(chi_1 - 1.0) <= 1e-9 ? "critical"
           : chi_1 < 1.0             ? "ordered"
           : act == GF_ACT_TANH      ? "chaotic"
                                     : "exploding";
}

void gf_phase_band_counts(const gf_phase *p, int d, int *left, int *right)
{
    *left = *right = 0;
    for (long j = 0; j < p->spec.nb; j++) {
        const gf_phase_band *b = &p->band[d * p->spec.nb + j];
        *left += !isnan(b->left);
        *right += !isnan(b->right);
    }
}

/* ---- files ------------------------------------------------------------------------- */

#define MF_COLS                                                                                  \
    "status\tphase\tq_star\tchi_1\tq_slope\tc_star\tchi_c\txi_q\txi_c\txi_grad\t"                \
    "trainable_depth\tlog10_grad_per_layer"

/* status ... log10 of the gradient norm's change per layer (backward) */
static void put_mf(FILE *f, const gf_meanfield *m)
{
    fprintf(f, "\t%s\t%s", gf_mf_status_names[m->status], gf_phase_name(m->act, m->chi_1));
    const double v[] = {m->q_star, m->chi_1, m->q_slope, m->c_star, m->chi_c,
                        m->xi_q,   m->xi_c,  m->xi_grad, 6.0 * m->xi_c, 0.5 * log10(m->chi_1)};
    gf_tsv_puts(f, v, sizeof v / sizeof *v);
}

static void write_phase(FILE *f, const void *ctx)
{
    const gf_phase *p = ctx;
    for (long k = 0; k < p->spec.nw * p->spec.nb; k++) {
        const gf_meanfield *m = &p->grid[k];
        fprintf(f, "%.10g\t%.10g", m->sw2, m->sb2);
        put_mf(f, m);
        gf_tsv_put(f, log10(m->xi_c));
        fputc('\n', f);
    }
}

static void write_critical(FILE *f, const void *ctx)
{
    const gf_phase *p = ctx;
    for (long j = 0; j < p->spec.nb; j++) {
        fprintf(f, "%.10g", p->crit_sb2[j]);
        gf_tsv_put(f, p->crit[j]);
        fputc('\n', f);
    }
}

/* One row of band.tsv: an edge of the band at depth. */
static void put_edge(FILE *f, double depth, const char *edge, double sb2, double sw2, int clip)
{
    fprintf(f, "%g\t%s\t%.10g", depth, edge, sb2);
    gf_tsv_put(f, sw2);
    fprintf(f, "\t%d", clip);
    gf_tsv_put(f, depth / 6.0);
    fputc('\n', f);
}

static void write_band(FILE *f, const void *ctx)
{
    const gf_phase *p = ctx;
    const long nb = p->spec.nb;
    for (int d = 0; d < p->spec.n_depths; d++) {
        const double depth = p->spec.depths[d];
        for (long j = 0; j < nb; j++) {
            const gf_phase_band *b = &p->band[d * nb + j];
            if (!isnan(b->left))
                put_edge(f, depth, "left", b->sb2, b->left, b->clip_left);
        }
        for (long j = nb - 1; j >= 0; j--) {
            const gf_phase_band *b = &p->band[d * nb + j];
            if (!isnan(b->right))
                put_edge(f, depth, "right", b->sb2, b->right, b->clip_right);
        }
    }
}

static void write_points(FILE *f, const void *ctx)
{
    const gf_phase *p = ctx;
    for (int k = 0; k < p->n_pts; k++) {
        fprintf(f, "%s\t%.10g\t%.10g", p->pts[k].label, p->pts[k].mf.sw2, p->pts[k].mf.sb2);
        put_mf(f, &p->pts[k].mf);
        fputc('\n', f);
    }
}

int gf_phase_write(const gf_phase *p, const char *dir, char *why, size_t size)
{
    static const gf_named_file files[] = {
        {"phase.tsv", "sigma_w2\tsigma_b2\t" MF_COLS "\tlog10_xi_c", write_phase},
        {"critical.tsv", "sigma_b2\tsigma_w2", write_critical},
        {"band.tsv", "depth\tedge\tsigma_b2\tsigma_w2\tclipped\txi_c", write_band},
        {"theory_points.tsv", "label\tsigma_w2\tsigma_b2\t" MF_COLS, write_points},
    };
    return gf_write_all_in(dir, files, sizeof files / sizeof *files, p, why, size);
}
