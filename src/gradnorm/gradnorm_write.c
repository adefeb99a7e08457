/* gradnorm_write.c: the TSV files of the gradient-norm experiment. */
#include "gradnorm/gf_gradnorm.h"
#include "model/gf_model.h"

#include "io/gf_io.h"

#include <math.h>
#include <string.h>

/* log10 of 2^l2 as text ("-inf" for a zero norm, "nan" when not measured). */
static void put_log10(FILE *f, double l2)
{
    gf_tsv_put(f, gf_log10_of_log2(l2));
}

static void put_pow2(FILE *f, double l2)
{
    char b[40];
    gf_format_pow2(b, sizeof b, l2);
    fprintf(f, "\t%s", b);
}

static const char *arch_name(const gf_gradnorm_result *res, int a)
{
    return gf_arch_names[res->spec.archs[a]];
}

/* The columns that name a net: arch, seed (architecture a, the k-th seed). */
static void net_columns(FILE *f, const gf_gradnorm_result *res, int a, int k)
{
    fprintf(f, "%s\t%lu", arch_name(res, a), res->spec.seed0 + (unsigned long)k);
}

/* The split columns of a record: norms, cosine, ratio; "nan" without a split. */
static void put_split(FILE *f, const gf_probe_record *r)
{
    if (!r->has_split) {
        fputs("\tnan\tnan\tnan\tnan\tnan\tnan", f);
        return;
    }
    put_pow2(f, r->log2_skip);
    put_pow2(f, r->log2_branch);
    put_log10(f, r->log2_skip);
    put_log10(f, r->log2_branch);
    gf_tsv_put(f, r->cos_skip_branch);
    put_log10(f, r->log2_branch - r->log2_skip);
}

#define SPLIT_COLS                                                                               \
    "skip_norm\tbranch_norm\tlog10_skip_norm\tlog10_branch_norm\tcos_skip_branch\t"              \
    "log10_branch_over_skip"

/* A norm 2^l2 and its log10: two columns. */
static void put_norm(FILE *f, double l2)
{
    put_pow2(f, l2);
    put_log10(f, l2);
}

/* A record's norms: grad_norm, log10_grad_norm, sample_mean_norm, rms. */
static void put_record_norms(FILE *f, const gf_probe_record *r)
{
    put_norm(f, r->log2_frob);
    put_pow2(f, r->log2_sample_mean);
    put_pow2(f, r->log2_rms);
}

static void write_gradnorm(FILE *f, const void *ctx)
{
    const gf_gradnorm_result *res = ctx;
    for (size_t i = 0; i < res->n_probes; i++) {
        const gf_gradnorm_probe *p = &res->probe[i];
        if (p->rec.kind != GF_PROBE_BLOCK)
            continue;
        net_columns(f, res, p->arch, p->seed);
        fprintf(f, "\t%d", p->rec.block);
        put_record_norms(f, &p->rec);
        put_split(f, &p->rec);
        fputc('\n', f);
    }
}

static void write_probes(FILE *f, const void *ctx)
{
    const gf_gradnorm_result *res = ctx;
    for (size_t i = 0; i < res->n_probes; i++) {
        const gf_gradnorm_probe *p = &res->probe[i];
        char name[96];
        gf_probe_name(&p->rec, name, sizeof name);
        net_columns(f, res, p->arch, p->seed);
        fprintf(f, "\t%s\t%d\t%zu\t%zu", name, p->rec.block, p->rec.n, p->rec.d);
        put_record_norms(f, &p->rec);
        fputc('\n', f);
    }
}

static void write_params(FILE *f, const void *ctx)
{
    const gf_gradnorm_result *res = ctx;
    for (size_t i = 0; i < res->n_params; i++) {
        const gf_gradnorm_param *p = &res->param[i];
        net_columns(f, res, p->arch, p->seed);
        fprintf(f, "\t%s\t%zu", p->name, p->numel);
        put_norm(f, p->log2_grad);
        put_norm(f, p->log2_value);
        put_pow2(f, p->log2_grad - p->log2_value);
        fputc('\n', f);
    }
}

/* Over seeds, per block: geometric mean, min, max, and the theory line
 * anchored at the measured mean of the last block. */
static void write_mean(FILE *f, const void *ctx)
{
    const gf_gradnorm_result *res = ctx;
    const int B = res->blocks;
    for (int a = 0; a < res->spec.n_archs; a++) {
        double anchor, lo, hi;
        gf_gradnorm_block_stats(res, a, B, &anchor, &lo, &hi);
        /* the prediction, where there is one, starts from the measured x_B */
        double theory = isnan(res->theory[a * B]) ? NAN : anchor;
        for (int l = B; l >= 0; l--) {
            double mean, min, max;
            gf_gradnorm_block_stats(res, a, l, &mean, &min, &max);
            if (l < B)
                theory += res->theory[a * B + l];
            fprintf(f, "%s\t%d\t%d", arch_name(res, a), l, res->spec.seeds);
            gf_tsv_put(f, mean);
            gf_tsv_put(f, min);
            gf_tsv_put(f, max);
            gf_tsv_put(f, theory);
            fputc('\n', f);
        }
    }
}

static void write_split(FILE *f, const void *ctx)
{
    const gf_gradnorm_result *res = ctx;
    for (int a = 0; a < res->spec.n_archs; a++) {
        if (!gf_arch_residual(res->spec.archs[a]))
            continue;
        for (int l = 0; l < res->blocks; l++) {
            double ls = 0, lb = 0, cs = 0, cmin = INFINITY, cmax = -INFINITY;
            int n = 0, nc = 0;
            for (int k = 0; k < res->spec.seeds; k++) {
                const gf_probe_record *r = gf_gradnorm_block(res, a, k, l);
                if (!r || !r->has_split)
                    continue;
                ls += gf_log10_of_log2(r->log2_skip);
                lb += gf_log10_of_log2(r->log2_branch);
                n++;
                if (!isnan(r->cos_skip_branch)) {
                    cs += r->cos_skip_branch;
                    cmin = fmin(cmin, r->cos_skip_branch);
                    cmax = fmax(cmax, r->cos_skip_branch);
                    nc++;
                }
            }
            fprintf(f, "%s\t%d", arch_name(res, a), l);
            gf_tsv_put(f, n ? ls / n : NAN);
            gf_tsv_put(f, n ? lb / n : NAN);
            gf_tsv_put(f, nc ? cs / nc : NAN);
            gf_tsv_put(f, nc ? cmin : NAN);
            gf_tsv_put(f, nc ? cmax : NAN);
            fputc('\n', f);
        }
    }
}

int gf_gradnorm_write(const gf_gradnorm_result *res, const char *dir, char *why, size_t size)
{
    int residual = 0;
    for (int a = 0; a < res->spec.n_archs; a++)
        residual |= gf_arch_residual(res->spec.archs[a]);
    static const gf_named_file files[] = {
        {"gradnorm.tsv",
         "arch\tseed\tblock\tgrad_norm\tlog10_grad_norm\tsample_mean_norm\trms\t" SPLIT_COLS,
         write_gradnorm},
        {"gradnorm_mean.tsv", "arch\tblock\tseeds\tlog10_mean\tlog10_min\tlog10_max\tlog10_theory",
         write_mean},
        {"probes.tsv",
         "arch\tseed\tprobe\tblock\trows\tcols\tgrad_norm\tlog10_grad_norm\tsample_mean_norm\t"
         "rms",
         write_probes},
        {"params.tsv",
         "arch\tseed\tparam\tnumel\tgrad_norm\tlog10_grad_norm\tvalue_norm\tlog10_value_norm\t"
         "grad_over_value",
         write_params},
        {"split_mean.tsv", /* only when a net has skip connections */
         "arch\tblock\tlog10_skip\tlog10_branch\tcos_mean\tcos_min\tcos_max", write_split}};
    const size_t n = sizeof files / sizeof *files - (residual ? 0 : 1);
    return gf_write_all_in(dir, files, n, res, why, size);
}
