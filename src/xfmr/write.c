/* write.c: the files of gradflow transformer. Every measured number per
 * seed, and over the seeds (mean, min, max; NaN entries, as a diverged
 * run's, left out and counted). */
#include "xfmr/gf_xfmr.h"

#include <math.h>
#include <stdio.h>

static const char *kind(int k) { return gf_xfmr_kind_names[k]; }

static int deepest(const gf_xfmr_spec *s)
{
    int m = 1;
    for (int i = 0; i < s->n_layers; i++)
        m = s->layers[i] > m ? s->layers[i] : m;
    return m;
}

/* mean, min, max of x[0], x[stride], ... (n values), NaN left out; log10
 * first when lg. Writes the three cells; returns how many were finite. */
static int put_stats(FILE *f, const double *x, int n, size_t stride, int lg)
{
    double sum = 0, lo = INFINITY, hi = -INFINITY;
    int m = 0;
    for (int i = 0; i < n; i++) {
        double v = x[(size_t)i * stride];
        v = lg ? log10(v) : v;
        if (!isfinite(v))
            continue;
        sum += v, m++;
        lo = v < lo ? v : lo, hi = v > hi ? v : hi;
    }
    gf_tsv_put(f, m ? sum / m : NAN);
    gf_tsv_put(f, m ? lo : NAN);
    gf_tsv_put(f, m ? hi : NAN);
    return m;
}

/* Seed 0's index, in the per-run arrays, of kind i at depth index d (the
 * seeds follow one another). */
static size_t cell0(const gf_xfmr_spec *s, int i, int d)
{
    return ((size_t)i * (size_t)s->n_layers + (size_t)d) * (size_t)s->seeds;
}

/* Seed 0's ||grad W|| of sublayer k (2l attention, 2l + 1 MLP) of kind i at
 * depth index d; the seeds' values stand 2 Lm apart. */
static const double *sub_grad(const gf_xfmr_result *r, int i, int d, size_t k)
{
    return r->sub_grad + cell0(&r->spec, i, d) * 2 * (size_t)deepest(&r->spec) + k;
}

/* Per kind and depth: the attention rows, then the MLP rows, then the
 * output point, so that each series is contiguous (gnuplot draws its line
 * through it). */
static void grad_rows(FILE *f, const void *ctx)
{
    const gf_xfmr_result *r = ctx;
    const gf_xfmr_spec *s = &r->spec;
    const size_t Lm = (size_t)deepest(s);
    for (int i = 0; i < s->n_kinds; i++)
        for (int d = 0; d < s->n_layers; d++) {
            const int L2 = 2 * s->layers[d];
            for (int j = 0; j <= L2; j++) {
                const int k = j == L2 ? L2 : j < s->layers[d] ? 2 * j : 2 * (j - s->layers[d]) + 1;
                fprintf(f, "%s\t%d\t%d\t%d\t%s", kind(s->kinds[i]), s->layers[d], k, k / 2,
                        k == L2 ? "out" : k % 2 ? "mlp" : "attn");
                if (k < L2)
                    put_stats(f, sub_grad(r, i, d, (size_t)k), s->seeds, 2 * Lm, 1);
                else
                    fputs("\tnan\tnan\tnan", f);
                put_stats(f, r->stream_grad + cell0(s, i, d) * (2 * Lm + 1) + (size_t)k, s->seeds,
                          2 * Lm + 1, 1);
                fputc('\n', f);
            }
        }
}

/* The last layer's MLP gradient per kind and depth over the seeds (log10). */
static void last_mean_rows(FILE *f, const void *ctx)
{
    const gf_xfmr_result *r = ctx;
    const gf_xfmr_spec *s = &r->spec;
    for (int i = 0; i < s->n_kinds; i++)
        for (int d = 0; d < s->n_layers; d++) {
            fprintf(f, "%s\t%d", kind(s->kinds[i]), s->layers[d]);
            put_stats(f, sub_grad(r, i, d, 2 * (size_t)s->layers[d] - 1), s->seeds,
                      2 * (size_t)deepest(s), 1);
            fputc('\n', f);
        }
}

/* Per seed: the last layer's MLP and attention gradients and the loss at init. */
static void last_rows(FILE *f, const void *ctx)
{
    const gf_xfmr_result *r = ctx;
    const gf_xfmr_spec *s = &r->spec;
    const size_t Lm = (size_t)deepest(s);
    for (int i = 0; i < s->n_kinds; i++)
        for (int d = 0; d < s->n_layers; d++) {
            const size_t L2 = 2 * (size_t)s->layers[d];
            const double *mlp = sub_grad(r, i, d, L2 - 1), *attn = sub_grad(r, i, d, L2 - 2);
            for (size_t k = 0; k < (size_t)s->seeds; k++) {
                fprintf(f, "%s\t%d\t%lu", kind(s->kinds[i]), s->layers[d], s->seed0 + k);
                gf_tsv_put(f, mlp[k * 2 * Lm]);
                gf_tsv_put(f, attn[k * 2 * Lm]);
                gf_tsv_put(f, r->init_loss[cell0(s, i, d) + k]);
                fputc('\n', f);
            }
        }
}

/* The theory's exponent of ||grad W|| in L (Xiong et al. 2020): Post-LN 0,
 * Pre-LN -1/2; none stated for the others. */
static double theory(int k)
{
    return k == GF_XFMR_PRELN ? -0.5 : k == GF_XFMR_POSTLN ? 0.0 : NAN;
}

static void slope_rows(FILE *f, const void *ctx)
{
    const gf_xfmr_result *r = ctx;
    const gf_xfmr_spec *s = &r->spec;
    double v[1024];
    for (int i = 0; i < s->n_kinds; i++) {
        int n = 0;
        double sum = 0, sq = 0;
        for (int k = 0; k < s->seeds && k < 1024; k++) {
            v[k] = gf_xfmr_slope(r, i, k);
            if (isfinite(v[k]))
                sum += v[k], sq += v[k] * v[k], n++;
        }
        fprintf(f, "%s\t%d", kind(s->kinds[i]), n);
        const double mean = n ? sum / n : NAN;
        put_stats(f, v, s->seeds < 1024 ? s->seeds : 1024, 1, 0);
        gf_tsv_put(f, n > 1 ? sqrt(fmax(0.0, (sq - n * mean * mean) / (n - 1))) : NAN);
        gf_tsv_put(f, theory(s->kinds[i]));
        fputc('\n', f);
    }
}

static void training_rows(FILE *f, const void *ctx)
{
    const gf_xfmr_result *r = ctx;
    const gf_xfmr_spec *s = &r->spec;
    const size_t S = (size_t)s->seeds, N = (size_t)s->steps;
    for (int i = 0; i < s->n_train_kinds; i++)
        for (int w = 0; w < 2; w++)
            for (size_t t = 0; t < N; t++) {
                fprintf(f, "%s\t%s\t%zu", kind(s->train_kinds[i]), w ? "warmup" : "none", t);
                const int m = put_stats(f, r->curve + ((size_t)i * 2 + (size_t)w) * S * N + t,
                                        s->seeds, N, 0);
                fprintf(f, "\t%d\n", m);
            }
}

static void runs_rows(FILE *f, const void *ctx)
{
    const gf_xfmr_result *r = ctx;
    const gf_xfmr_spec *s = &r->spec;
    const size_t S = (size_t)s->seeds, N = (size_t)s->steps;
    for (int i = 0; i < s->n_train_kinds; i++)
        for (int w = 0; w < 2; w++)
            for (size_t k = 0; k < S; k++) {
                const size_t run = ((size_t)i * 2 + (size_t)w) * S + k;
                const double *c = r->curve + run * N;
                double tail = 0; /* the mean training loss of the last tenth */
                const size_t n = N / 10 > 0 ? N / 10 : 1;
                for (size_t t = N - n; t < N; t++)
                    tail += c[t] / (double)n;
                fprintf(f, "%s\t%s\t%lu\t%ld", kind(s->train_kinds[i]), w ? "warmup" : "none",
                        s->seed0 + k, r->diverged[run]);
                gf_tsv_put(f, c[0]);
                gf_tsv_put(f, tail);
                gf_tsv_put(f, r->held[run]);
                fputc('\n', f);
            }
}

static void sweep_rows(FILE *f, const void *ctx)
{
    const gf_xfmr_result *r = ctx;
    const gf_xfmr_spec *s = &r->spec;
    const size_t S = (size_t)s->seeds;
    for (int i = 0; i < s->n_train_kinds; i++)
        for (int j = 0; j < s->n_sweep; j++) {
            const size_t cell = ((size_t)i * (size_t)s->n_sweep + (size_t)j) * S;
            int failed = 0;
            for (size_t k = 0; k < S; k++)
                failed += !(r->sweep_loss[cell + k] < r->unigram);
            fprintf(f, "%s\t%.17g", kind(s->train_kinds[i]), s->sweep[j]);
            put_stats(f, r->sweep_loss + cell, s->seeds, 1, 0);
            fprintf(f, "\t%d\t%d", failed, s->seeds);
            gf_tsv_put(f, r->unigram);
            fputc('\n', f);
        }
}

static void stream_rows(FILE *f, const void *ctx)
{
    const gf_xfmr_result *r = ctx;
    const gf_xfmr_spec *s = &r->spec;
    const size_t S = (size_t)s->seeds, L2 = 2 * (size_t)s->train_layers, W = 3 * L2;
    for (int i = 0; i < s->n_train_kinds; i++)
        for (int w = 0; w < 2; w++)
            for (size_t k = 0; k <= L2; k++) {
                const double *x = r->stream + ((size_t)i * 2 + (size_t)w) * S * W;
                fprintf(f, "%s\t%s\t%zu", kind(s->train_kinds[i]), w ? "trained" : "init", k);
                put_stats(f, x + k, s->seeds, W, 0);
                if (k < L2)
                    put_stats(f, x + L2 + 1 + k, s->seeds, W, 0);
                else
                    fputs("\tnan\tnan\tnan", f);
                if (k + 1 < L2)
                    put_stats(f, x + 2 * L2 + 1 + k, s->seeds, W, 0);
                else
                    fputs("\tnan\tnan\tnan", f);
                fputc('\n', f);
            }
}

static void lens_rows(FILE *f, const void *ctx)
{
    const gf_xfmr_result *r = ctx;
    const gf_xfmr_spec *s = &r->spec;
    const size_t S = (size_t)s->seeds, L1 = (size_t)s->train_layers + 1;
    for (int i = 0; i < s->n_train_kinds; i++)
        for (size_t l = 0; l < L1; l++) {
            const double *x = r->lens + (size_t)i * S * 2 * L1;
            fprintf(f, "%s\t%zu", kind(s->train_kinds[i]), l);
            put_stats(f, x + l, s->seeds, 2 * L1, 0);
            put_stats(f, x + L1 + l, s->seeds, 2 * L1, 0);
            fputc('\n', f);
        }
}

int gf_xfmr_write(const gf_xfmr_result *res, const char *dir, char *why, size_t size)
{
    static const gf_named_file files[] = {
        {"grad_init.tsv",
         "kind\tlayers\tsublayer\tlayer\tpart\tgrad_w_log10_mean\tgrad_w_log10_min\t"
         "grad_w_log10_max\tgrad_x_log10_mean\tgrad_x_log10_min\tgrad_x_log10_max",
         grad_rows},
        {"last_layer.tsv", "kind\tlayers\tseed\tgrad_mlp\tgrad_attn\tloss", last_rows},
        {"last_layer_mean.tsv", "kind\tlayers\tlog10_mean\tlog10_min\tlog10_max",
         last_mean_rows},
        {"slope.tsv",
         "kind\tseeds\tslope_mean\tslope_min\tslope_max\tslope_sd\ttheory",
         slope_rows},
        {"training.tsv", "kind\twarmup\tstep\tloss_mean\tloss_min\tloss_max\tfinite",
         training_rows},
        {"training_runs.tsv",
         "kind\twarmup\tseed\tdiverged_at\tloss_first\tloss_last_tenth\theld_out", runs_rows},
        {"sweep.tsv",
         "kind\tlr\tloss_mean\tloss_min\tloss_max\tfailed\tseeds\tunigram", sweep_rows},
        {"stream.tsv",
         "kind\twhen\tpoint\tnorm_mean\tnorm_min\tnorm_max\tratio_mean\tratio_min\tratio_max\t"
         "cos_mean\tcos_min\tcos_max",
         stream_rows},
        {"lens.tsv",
         "kind\tlayer\tloss_mean\tloss_min\tloss_max\tagree_mean\tagree_min\tagree_max",
         lens_rows},
    };
    return gf_write_all_in(dir, files, sizeof files / sizeof *files, res, why, size);
}
