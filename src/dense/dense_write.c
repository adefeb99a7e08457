/* dense_write.c: the files of `gradflow densenet`. */
#include "dense/gf_dense.h"

#include "io/gf_io.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void nets_rows(FILE *f, const void *ctx)
{
    const gf_dense_result *r = ctx;
    const int S = r->spec.seeds;
    for (int i = 0; i < 2; i++) {
        const gf_dense_net *n = &r->net[i];
        const gf_stack_config *c = i ? &r->spec.dense : &r->spec.resnet;
        double m[4], sd[4];
        gf_dense_mean_sd(n->test_err, S, &m[0], &sd[0]);
        gf_dense_mean_sd(n->train_err, S, &m[1], &sd[1]);
        gf_dense_mean_sd(n->epoch_wall, S, &m[2], &sd[2]);
        gf_dense_mean_sd(n->epoch_cpu, S, &m[3], &sd[3]);
        fprintf(f, "%s\t%s\t%d\t%zu", n->name, gf_arch_names[c->arch], c->depth, n->cost.params);
        gf_tsv_put(f, n->cost.fwd_flops);
        gf_tsv_put(f, n->cost.bwd_flops);
        fprintf(f, "\t%zu\t%zu\t%zu", r->spec.train.batch, n->cost.tape_bytes,
                n->cost.scratch_bytes);
        for (int k = 0; k < 4; k++) {
            gf_tsv_put(f, m[k]);
            gf_tsv_put(f, sd[k]);
        }
        fprintf(f, "\t%d\n", S);
    }
}

static void training_rows(FILE *f, const void *ctx)
{
    const gf_dense_result *r = ctx;
    const int E = r->spec.train.epochs;
    for (int i = 0; i < 2; i++)
        for (int s = 0; s < r->spec.seeds; s++)
            for (int e = 0; e < E; e++) {
                const gf_epoch_stats *st = &r->net[i].hist[s * E + e];
                fprintf(f, "%s\t%ld\t%d", r->net[i].name, r->spec.seed0 + s, st->epoch);
                const double v[] = {st->train_loss, st->train_err, st->test_loss,
                                    st->test_err,       st->seconds,   st->cpu_seconds};
                gf_tsv_puts(f, v, sizeof v / sizeof *v);
                fputc('\n', f);
            }
}

/* Grouped by net (a figure's line runs through consecutive rows). */
static void memory_rows(FILE *f, const void *ctx)
{
    static const char *const order[3] = {"resnet", "densenet-naive", "densenet-shared"};
    const gf_dense_result *r = ctx;
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < r->n_mem; i++) {
            const gf_dense_mem *m = &r->mem[i];
            if (strcmp(m->what, order[k]) != 0)
                continue;
            fprintf(f, "%s\t%d\t%zu\t%zu\t%zu", m->what, m->depth, m->params, r->spec.mem_batch,
                    m->bytes);
            gf_tsv_put(f, (double)m->bytes / 1048576.0);
            fprintf(f, "\t%zu", m->scratch);
            fputc('\n', f);
        }
}

    /* Per block: each target l >= 1 and source s < l, the mean |w| and that
     * over the block's largest (the heat map's scale). */
static void reuse_rows(FILE *f, const void *ctx)
{
    const gf_dense_result *r = ctx;
    const int M = r->layers + 2;
    for (int b = 0; b < 3 && r->reuse[b]; b++) {
        double top = 0.0;
        for (int i = 0; i < M * M; i++)
            if (isfinite(r->reuse[b][i]))
                top = fmax(top, r->reuse[b][i]);
        for (int l = 1; l < M; l++)
            for (int s = 0; s < l; s++) {
                fprintf(f, "%d\t%d\t%d", b + 1, l, s);
                gf_tsv_put(f, r->reuse[b][l * M + s]);
                gf_tsv_put(f, top > 0 ? r->reuse[b][l * M + s] / top : NAN);
                fputc('\n', f);
            }
    }
}

static void connection_rows(FILE *f, const void *ctx)
{
    const gf_dense_result *r = ctx;
    const int M = r->layers + 2;
    for (int b = 0; b < 3 && r->conn[b]; b++)
        for (int l = 1; l < M; l++)
            for (int s = 0; s < l; s++) {
                fprintf(f, "%d\t%d\t%d", b + 1, l, s);
                gf_tsv_put(f, r->conn[b][l * M + s] * 0.30102999566398119521);
                fputc('\n', f);
            }
}

int gf_dense_write(const gf_dense_result *res, const char *dir, char *why, size_t size)
{
    static const gf_named_file files[] = {
        {"nets.tsv",
         "net\tarch\tdepth\tparams\tfwd_flops\tbwd_flops\tbatch\ttape_bytes\tconv_scratch_bytes\t"
         "test_err_mean\t"
         "test_err_sd\ttrain_err_mean\ttrain_err_sd\tepoch_seconds_mean\tepoch_seconds_sd\t"
         "epoch_cpu_seconds_mean\tepoch_cpu_seconds_sd\tseeds",
         nets_rows},
        {"training.tsv",
         "net\tseed\tepoch\ttrain_loss\ttrain_err\ttest_loss\ttest_err\tseconds\tcpu_seconds",
         training_rows},
        {"memory.tsv", "net\tdepth\tparams\tbatch\ttape_bytes\ttape_mib\tconv_scratch_bytes",
         memory_rows},
        {"reuse.tsv", "block\ttarget\tsource\tmean_abs_weight\tof_block_max", reuse_rows},
        {"connections.tsv", "block\tlayer\tsource\tlog10_grad_norm", connection_rows},
    };
    return gf_write_all_in(dir, files, sizeof files / sizeof *files, res, why, size);
}
