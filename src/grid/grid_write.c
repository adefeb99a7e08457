/* grid_write.c: the files of the degradation experiment (TSV, table.md)
 * and its figures' recipes filled from a result. */
#include "grid/gf_grid.h"

#include "io/gf_io.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void gf_grid_run_columns(FILE *f, const gf_grid_net *r)
{
    fprintf(f, "%s\t%s\t%d\t%ld", r->name, gf_arch_names[r->arch], r->depth, r->seed);
}

static void curve_row(FILE *f, const gf_grid_net *r, const gf_epoch_stats *e)
{
    gf_grid_run_columns(f, r);
    fprintf(f, "\t%d\t%ld", e->epoch, e->step);
    const double v[] = {e->lr, e->train_loss_running, e->train_loss, e->train_err,
                        e->test_loss, e->test_err, e->grad_norm, e->seconds, e->eval_seconds};
    for (size_t j = 0; j < sizeof v / sizeof *v; j++)
        gf_tsv_put(f, v[j]);
    fputc('\n', f);
}

static void write_curves(FILE *f, const void *ctx)
{
    const gf_grid_result *x = ctx;
    for (int i = 0; i < x->n_runs; i++) {
        const gf_grid_net *r = &x->runs[i];
        if (r->has_init)
            curve_row(f, r, &r->init);
        for (int k = 0; k < r->epochs_done; k++)
            curve_row(f, r, &r->hist[k]);
    }
}

/* Epoch e of run r (0: at initialization), or NULL when r has not reached it. */
static const gf_epoch_stats *epoch_of(const gf_grid_net *r, int e)
{
    if (e == 0)
        return r->has_init ? &r->init : NULL;
    return e <= r->epochs_done ? &r->hist[e - 1] : NULL;
}

/* Per net and epoch (0 with spec.eval_init), over the seeds that reached
 * it: mean, min and max. */
static void write_curves_mean(FILE *f, const void *ctx)
{
    const gf_grid_result *x = ctx;
    const long seeds = x->spec.seeds;
    for (int i = 0; i < x->n_runs; i += (int)seeds) {
        const gf_grid_net *r0 = &x->runs[i];
        for (int e = x->spec.eval_init ? 0 : 1; e <= x->spec.train.epochs; e++) {
            double sum[3] = {0, 0, 0}, lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
            int n = 0;
            for (long k = 0; k < seeds; k++) {
                const gf_epoch_stats *s = epoch_of(&x->runs[i + k], e);
                if (!s)
                    continue;
                const double v[2] = {s->train_err, s->test_err};
                for (int j = 0; j < 2; j++) {
                    sum[j] += v[j];
                    lo[j] = fmin(lo[j], v[j]);
                    hi[j] = fmax(hi[j], v[j]);
                }
                sum[2] += s->train_loss;
                n++;
            }
            if (n == 0)
                continue;
            fprintf(f, "%s\t%s\t%d\t%d\t%d", r0->name, gf_arch_names[r0->arch], r0->depth, e, n);
            const double v[] = {sum[0] / n, lo[0], hi[0], sum[1] / n, lo[1], hi[1], sum[2] / n};
            for (size_t j = 0; j < sizeof v / sizeof *v; j++)
                gf_tsv_put(f, v[j]);
            fputc('\n', f);
        }
    }
}

static const char *const kind_names[] = {"block", "fc1_input", "fc2_input"};

/* Rows grouped by net, seed, step and kind, so a figure's filtered lines
 * run unbroken. */
static void write_gradnorm_training(FILE *f, const void *ctx)
{
    const gf_grid_result *x = ctx;
    for (int i = 0; i < x->n_runs; i++) {
        const gf_grid_net *r = &x->runs[i];
        for (size_t a = 0; a < r->n_probes;) {
            size_t b = a;
            while (b < r->n_probes && r->probes[b].step == r->probes[a].step)
                b++;
            for (int kind = GF_PROBE_BLOCK; kind <= GF_PROBE_FC2_IN; kind++)
                for (size_t j = a; j < b; j++) {
                    const gf_train_probe *p = &r->probes[j];
                    if ((int)p->kind != kind)
                        continue;
                    const gf_probe_record rec = {.kind = p->kind, .block = p->block};
                    char name[64];
                    gf_probe_name(&rec, name, sizeof name);
                    gf_grid_run_columns(f, r);
                    fprintf(f, "\t%ld\t%d\t%s\t%s\t%d", p->step, p->epoch, name,
                            kind_names[kind], p->block);
                    gf_tsv_put(f, gf_log10_of_log2(p->log2_frob));
                    gf_tsv_put(f, gf_log10_of_log2(p->log2_rms));
                    fputc('\n', f);
                }
            a = b;
        }
    }
}

static void write_params_training(FILE *f, const void *ctx)
{
    const gf_grid_result *x = ctx;
    for (int i = 0; i < x->n_runs; i++) {
        const gf_grid_net *r = &x->runs[i];
        for (size_t j = 0; j < r->n_pnorms; j++) {
            const gf_train_param_norm *p = &r->pnorms[j];
            fprintf(f, "%s\t%ld\t%ld\t%s", r->name, r->seed, p->step, r->slot_names[p->slot]);
            gf_tsv_put(f, gf_log10_of_log2(p->log2_grad));
            gf_tsv_put(f, gf_log10_of_log2(p->log2_value));
            fputc('\n', f);
        }
    }
}

/* "8.12" or "8.12 ± 0.31" (percent), "n/a" when no seed finished or there
 * is nothing to measure (no test set: --ntest 0). */
static void percent(char *buf, size_t size, double mean, double sd, int n, int seeds)
{
    if (n == 0 || isnan(mean))
        snprintf(buf, size, "n/a");
    else if (seeds > 1)
        snprintf(buf, size, "%.2f ± %.2f", 100 * mean, 100 * sd);
    else
        snprintf(buf, size, "%.2f", 100 * mean);
}

int gf_grid_write_table(FILE *f, const gf_grid_result *x)
{
    const gf_grid_spec *o = &x->spec;
    fprintf(f, "# %s: final errors after %d epochs\n\n",
            o->survival != GF_SURVIVAL_NONE ? "Stochastic depth" : "Degradation", o->train.epochs);
    char net[192];
    gf_arch_training_text(net, sizeof net, &o->base, o->archs, o->n_archs);
    fprintf(f, "%s, %zu training / %zu test images; %s; %s, lr %g, batch %zu.\n\n", o->data_name,
            o->train_set->n, o->test_set ? o->test_set->n : 0, net,
            gf_optim_names[o->train.optim.kind], o->train.sched.lr, o->train.batch);
    fprintf(f, "| net | layers | training error (%%) | test error (%%) | seeds |\n"
               "|---|---:|---:|---:|---|\n");
    for (int i = 0; i < x->n_runs; i += o->seeds) { /* a net's seeds run one after another */
        const gf_grid_net *r = &x->runs[i];
        double tm, ts, em, es;
        int n;
        gf_grid_final_net(x, r->name, &tm, &ts, &em, &es, &n);
        char tr[40], te[40], seeds[160] = "";
        percent(tr, sizeof tr, tm, ts, n, o->seeds);
        percent(te, sizeof te, em, es, n, o->seeds);
        for (int k = 0; k < o->seeds && strlen(seeds) < 120; k++)
            snprintf(seeds + strlen(seeds), sizeof seeds - strlen(seeds), "%s%ld",
                     k ? ", " : "", o->seed0 + k);
        if (n < o->seeds)
            snprintf(seeds + strlen(seeds), sizeof seeds - strlen(seeds), " (%d finished)", n);
        fprintf(f, "| %s | %d | %s | %s | %s |\n", r->name, r->depth, tr, te, seeds);
    }
    if (o->seeds > 1)
        fputs("\nMean ± sample standard deviation over the seeds.\n", f);
    return ferror(f) ? -1 : 0;
}

static void write_table(FILE *f, const void *ctx)
{
    (void)gf_grid_write_table(f, ctx); /* its error is the stream's */
}

int gf_grid_write(const gf_grid_result *x, const char *dir, char *why, size_t size)
{
    static const gf_named_file files[] = {
        {"curves.tsv",
         "net\tarch\tdepth\tseed\tepoch\tstep\tlr\ttrain_loss_running\ttrain_loss\ttrain_err\t"
         "test_loss\ttest_err\tgrad_norm\tseconds\teval_seconds",
         write_curves},
        {"curves_mean.tsv",
         "net\tarch\tdepth\tepoch\tseeds\ttrain_err_mean\ttrain_err_min\ttrain_err_max\t"
         "test_err_mean\ttest_err_min\ttest_err_max\ttrain_loss_mean",
         write_curves_mean},
        {"gradnorm_training.tsv",
         "net\tarch\tdepth\tseed\tstep\tepoch\tprobe\tkind\tblock\tlog10_frob\tlog10_rms",
         write_gradnorm_training},
        {"params_training.tsv", "net\tseed\tstep\tparam\tlog10_grad\tlog10_value",
         write_params_training},
        {"table.md", NULL, write_table},
    };
    return gf_write_all_in(dir, files, sizeof files / sizeof *files, x, why, size);
}
