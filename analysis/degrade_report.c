/* degrade_report.c: what `gradflow degrade` writes and says: the TSV files,
 * table.md, the figures and the summary. */
#include "cli.h"
#include "degrade.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char CMD[] = "degrade";

/* ---- numbers ---------------------------------------------------------------- */

void degrade_final(const degrade_experiment *x, gf_arch arch, int depth, double *train_mean,
                   double *train_sd, double *test_mean, double *test_sd, int *n)
{
    double s[2] = {0, 0}, ss[2] = {0, 0};
    int k = 0;
    for (int i = 0; i < x->n_runs; i++) {
        const degrade_run *r = &x->runs[i];
        if (r->arch != arch || r->depth != depth || r->failed ||
            r->epochs_done < x->o.train.epochs)
            continue;
        const gf_epoch_stats *e = &r->hist[r->epochs_done - 1];
        const double v[2] = {e->train_err, e->test_err};
        for (int j = 0; j < 2; j++) {
            s[j] += v[j];
            ss[j] += v[j] * v[j];
        }
        k++;
    }
    double mean[2], sd[2];
    for (int j = 0; j < 2; j++) {
        mean[j] = k ? s[j] / k : NAN;
        sd[j] = k > 1 ? sqrt(fmax(0.0, (ss[j] - k * mean[j] * mean[j]) / (k - 1))) : 0.0;
    }
    *train_mean = mean[0];
    *train_sd = sd[0];
    *test_mean = mean[1];
    *test_sd = sd[1];
    *n = k;
}

/* ---- files ------------------------------------------------------------------ */

static void num(FILE *f, double v)
{
    char b[40];
    gf_format_double(b, sizeof b, v);
    fputs(b, f);
}

static int write_curves(FILE *f, const void *ctx)
{
    const degrade_experiment *x = ctx;
    fputs("net\tarch\tdepth\tseed\tepoch\tstep\tlr\ttrain_loss_running\ttrain_loss\ttrain_err\t"
          "test_loss\ttest_err\tgrad_norm\tseconds\teval_seconds\n",
          f);
    for (int i = 0; i < x->n_runs; i++) {
        const degrade_run *r = &x->runs[i];
        for (int k = 0; k < r->epochs_done; k++) {
            const gf_epoch_stats *e = &r->hist[k];
            fprintf(f, "%s\t%s\t%d\t%ld\t%d\t%ld", r->name, gf_arch_names[r->arch], r->depth,
                    r->seed, e->epoch, e->step);
            const double v[] = {e->lr, e->train_loss_running, e->train_loss, e->train_err,
                                e->test_loss, e->test_err, e->grad_norm, e->seconds,
                                e->eval_seconds};
            for (size_t j = 0; j < sizeof v / sizeof *v; j++) {
                fputc('\t', f);
                num(f, v[j]);
            }
            fputc('\n', f);
        }
    }
    return ferror(f) ? -1 : 0;
}

/* Per net and epoch, over the seeds that reached it: mean, min and max. */
static int write_curves_mean(FILE *f, const void *ctx)
{
    const degrade_experiment *x = ctx;
    const long seeds = x->o.c.seeds;
    fputs("net\tarch\tdepth\tepoch\tseeds\ttrain_err_mean\ttrain_err_min\ttrain_err_max\t"
          "test_err_mean\ttest_err_min\ttest_err_max\ttrain_loss_mean\n",
          f);
    for (int i = 0; i < x->n_runs; i += (int)seeds) {
        const degrade_run *r0 = &x->runs[i];
        for (int e = 0; e < x->o.train.epochs; e++) {
            double sum[3] = {0, 0, 0}, lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
            int n = 0;
            for (long k = 0; k < seeds; k++) {
                const degrade_run *r = &x->runs[i + k];
                if (e >= r->epochs_done)
                    continue;
                const double v[2] = {r->hist[e].train_err, r->hist[e].test_err};
                for (int j = 0; j < 2; j++) {
                    sum[j] += v[j];
                    lo[j] = fmin(lo[j], v[j]);
                    hi[j] = fmax(hi[j], v[j]);
                }
                sum[2] += r->hist[e].train_loss;
                n++;
            }
            if (n == 0)
                continue;
            fprintf(f, "%s\t%s\t%d\t%d\t%d", r0->name, gf_arch_names[r0->arch], r0->depth, e + 1,
                    n);
            const double v[] = {sum[0] / n, lo[0], hi[0], sum[1] / n, lo[1], hi[1], sum[2] / n};
            for (size_t j = 0; j < sizeof v / sizeof *v; j++) {
                fputc('\t', f);
                num(f, v[j]);
            }
            fputc('\n', f);
        }
    }
    return ferror(f) ? -1 : 0;
}

static const char *const kind_names[] = {"block", "fc1_input", "fc2_input"};

/* Rows grouped by net, seed, step and kind, so a figure's filtered lines
 * run unbroken. */
static int write_gradnorm_training(FILE *f, const void *ctx)
{
    const degrade_experiment *x = ctx;
    fputs("net\tarch\tdepth\tseed\tstep\tepoch\tprobe\tkind\tblock\tlog10_frob\tlog10_rms\n", f);
    for (int i = 0; i < x->n_runs; i++) {
        const degrade_run *r = &x->runs[i];
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
                    fprintf(f, "%s\t%s\t%d\t%ld\t%ld\t%d\t%s\t%s\t%d\t", r->name,
                            gf_arch_names[r->arch], r->depth, r->seed, p->step, p->epoch, name,
                            kind_names[kind], p->block);
                    num(f, gf_log10_of_log2(p->log2_frob));
                    fputc('\t', f);
                    num(f, gf_log10_of_log2(p->log2_rms));
                    fputc('\n', f);
                }
            a = b;
        }
    }
    return ferror(f) ? -1 : 0;
}

static int write_params_training(FILE *f, const void *ctx)
{
    const degrade_experiment *x = ctx;
    fputs("net\tseed\tstep\tparam\tlog10_grad\tlog10_value\n", f);
    for (int i = 0; i < x->n_runs; i++) {
        const degrade_run *r = &x->runs[i];
        for (size_t j = 0; j < r->n_pnorms; j++) {
            const gf_train_param_norm *p = &r->pnorms[j];
            fprintf(f, "%s\t%ld\t%ld\t%s\t", r->name, r->seed, p->step,
                    r->slot_names[p->slot]);
            num(f, gf_log10_of_log2(p->log2_grad));
            fputc('\t', f);
            num(f, gf_log10_of_log2(p->log2_value));
            fputc('\n', f);
        }
    }
    return ferror(f) ? -1 : 0;
}

/* "8.12" or "8.12 ± 0.31" (percent), "n/a" when no seed finished. */
static void percent(char *buf, size_t size, double mean, double sd, int n, int seeds)
{
    if (n == 0)
        snprintf(buf, size, "n/a");
    else if (seeds > 1)
        snprintf(buf, size, "%.2f ± %.2f", 100 * mean, 100 * sd);
    else
        snprintf(buf, size, "%.2f", 100 * mean);
}

static int write_table(FILE *f, const void *ctx)
{
    const degrade_experiment *x = ctx;
    const degrade_options *o = &x->o;
    fprintf(f, "# Degradation: final errors after %d epochs\n\n", o->train.epochs);
    fprintf(f, "%s, %zu training / %zu test images; width %zu, norm %s, init %s; %s, lr %g, "
               "batch %zu.\n\n",
            x->data_name, x->ntrain, x->ntest, o->c.cfg.width, gf_norm_names[o->c.cfg.norm],
            gf_init_names[o->c.cfg.init], gf_optim_names[o->train.optim.kind], o->train.sched.lr,
            o->train.batch);
    fprintf(f, "| net | layers | training error (%%) | test error (%%) | seeds |\n"
               "|---|---:|---:|---:|---|\n");
    for (int a = 0; a < o->c.n_archs; a++)
        for (int d = 0; d < o->n_depths; d++) {
            double tm, ts, em, es;
            int n;
            degrade_final(x, (gf_arch)o->c.archs[a], o->depths[d], &tm, &ts, &em, &es, &n);
            char tr[40], te[40], seeds[160] = "";
            percent(tr, sizeof tr, tm, ts, n, (int)o->c.seeds);
            percent(te, sizeof te, em, es, n, (int)o->c.seeds);
            for (long k = 0; k < o->c.seeds && strlen(seeds) < 120; k++)
                snprintf(seeds + strlen(seeds), sizeof seeds - strlen(seeds), "%s%ld",
                         k ? ", " : "", o->c.seed + k);
            if (n < o->c.seeds)
                snprintf(seeds + strlen(seeds), sizeof seeds - strlen(seeds),
                         " (%d finished)", n);
            fprintf(f, "| %s-%d | %d | %s | %s | %s |\n", gf_arch_names[o->c.archs[a]],
                    o->depths[d], o->depths[d], tr, te, seeds);
        }
    if (o->c.seeds > 1)
        fputs("\nMean ± sample standard deviation over the seeds.\n", f);
    return ferror(f) ? -1 : 0;
}

int degrade_write_data(const degrade_experiment *x)
{
    static const struct {
        const char *name;
        gf_write_fn fn;
    } files[] = {
        {"curves.tsv", write_curves},
        {"curves_mean.tsv", write_curves_mean},
        {"gradnorm_training.tsv", write_gradnorm_training},
        {"params_training.tsv", write_params_training},
        {"table.md", write_table},
    };
    char path[4200], why[512];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        if (gf_path_join(path, sizeof path, x->o.c.out, files[i].name) != 0 ||
            gf_write_file(path, files[i].fn, x, why, sizeof why) != 0)
            return gf_cli_fail(-1, CMD, "%s", why);
    }
    return 0;
}

/* ---- figures ------------------------------------------------------------- */

/* The deepest trained net of arch, or -1. */
static int deepest(const degrade_options *o, gf_arch arch)
{
    int best = -1;
    for (int a = 0; a < o->c.n_archs; a++)
        if (o->c.archs[a] == (int)arch)
            for (int d = 0; d < o->n_depths; d++)
                if (o->depths[d] > best)
                    best = o->depths[d];
    return best;
}

/* The rank of depth among the requested depths (smallest first): its colour. */
static int depth_rank(const degrade_options *o, int depth)
{
    int r = 0;
    for (int d = 0; d < o->n_depths; d++)
        r += o->depths[d] < depth;
    return r;
}

static int figure(const degrade_experiment *x, const char *name, gf_plot_body body,
                  const void *fig, int *warned)
{
    char why[512];
    const int draw = !x->o.c.no_plot;
    const int rc = draw ? gf_plot_figure(x->o.c.out, name, body, fig, why, sizeof why)
                        : gf_plot_script(x->o.c.out, name, body, fig, why, sizeof why);
    if (rc == 1 && !*warned) {
        gf_cli_warn(CMD, "%s", why);
        *warned = 1;
    }
    return rc < 0 ? gf_cli_fail(-1, CMD, "%s", why) : 0;
}

int degrade_figures(const degrade_experiment *x, int *drawn)
{
    const degrade_options *o = &x->o;
    enum { MAXN = GF_ARCH_COUNT * DEGRADE_MAX_DEPTHS };
    char names[MAXN][24];
    const char *left[MAXN], *right[MAXN];
    int lrank[MAXN], rrank[MAXN], nl = 0, nr = 0, n = 0;
    double ymax = 0.0;
    for (int a = 0; a < o->c.n_archs; a++)
        for (int d = 0; d < o->n_depths; d++, n++) {
            snprintf(names[n], sizeof names[n], "%s-%d", gf_arch_names[o->c.archs[a]],
                     o->depths[d]);
            if (o->c.archs[a] == GF_ARCH_PLAIN) {
                lrank[nl] = depth_rank(o, o->depths[d]);
                left[nl++] = names[n];
            } else {
                rrank[nr] = depth_rank(o, o->depths[d]);
                right[nr++] = names[n];
            }
        }
    for (int i = 0; i < x->n_runs; i++)
        for (int e = 0; e < x->runs[i].epochs_done; e++) {
            const gf_epoch_stats *s = &x->runs[i].hist[e];
            ymax = fmax(ymax, fmax(s->train_err, isnan(s->test_err) ? 0.0 : s->test_err));
        }
    ymax = fmin(100.0, ceil(100.0 * ymax * 1.08 / 5.0) * 5.0);
    char title[256], subtitle[256];
    snprintf(title, sizeof title, "Degradation on %s: training error (solid) and test error "
             "(dashed)", x->data_name);
    snprintf(subtitle, sizeof subtitle, "%zu training images, width %zu, norm %s, init %s, %s "
             "lr %g, batch %zu%s", x->ntrain, o->c.cfg.width, gf_norm_names[o->c.cfg.norm],
             gf_init_names[o->c.cfg.init], gf_optim_names[o->train.optim.kind],
             o->train.sched.lr, o->train.batch, o->c.seeds > 1 ? "; mean over seeds" : "");
    const gf_fig_curves curves = {.title = title, .subtitle = subtitle, .left = left,
                                  .right = right, .left_depth_rank = lrank,
                                  .right_depth_rank = rrank, .n_left = nl, .n_right = nr,
                                  .left_title = "plain nets", .right_title = "residual nets",
                                  .epochs = o->train.epochs, .ymax = ymax > 0 ? ymax : 100};

    /* gradient norms: the deepest net of each architecture, first seed */
    const char *nets[GF_ARCH_COUNT];
    char net_names[GF_ARCH_COUNT][24];
    int nn = 0, bmax = 0;
    double lo = INFINITY, hi = -INFINITY;
    const degrade_run *ref = NULL;
    for (int a = 0; a < o->c.n_archs; a++) {
        const int depth = deepest(o, (gf_arch)o->c.archs[a]);
        snprintf(net_names[nn], sizeof net_names[nn], "%s-%d", gf_arch_names[o->c.archs[a]],
                 depth);
        nets[nn] = net_names[nn];
        nn++;
        for (int i = 0; i < x->n_runs; i++) {
            const degrade_run *r = &x->runs[i];
            if (r->arch != (gf_arch)o->c.archs[a] || r->depth != depth || r->seed != o->c.seed)
                continue;
            if (!ref || r->n_probes > ref->n_probes)
                ref = r;
            bmax = bmax > (r->depth - 2) / 2 ? bmax : (r->depth - 2) / 2;
            for (size_t j = 0; j < r->n_probes; j++)
                if (r->probes[j].kind == GF_PROBE_BLOCK && isfinite(r->probes[j].log2_frob)) {
                    lo = fmin(lo, gf_log10_of_log2(r->probes[j].log2_frob));
                    hi = fmax(hi, gf_log10_of_log2(r->probes[j].log2_frob));
                }
        }
    }
    /* up to 6 probed steps, evenly spread from the first to the last */
    long all[4096], steps[6];
    int epochs[6], na = 0, ns = 0;
    for (size_t j = 0; ref && j < ref->n_probes && na < 4096; j++)
        if (na == 0 || all[na - 1] != ref->probes[j].step)
            all[na++] = ref->probes[j].step;
    for (int k = 0; k < 6 && na > 0; k++) {
        const long s = all[na > 1 ? (int)lround((double)k * (na - 1) / 5.0) : 0];
        if (ns == 0 || steps[ns - 1] != s) {
            steps[ns] = s;
            epochs[ns++] = (int)(s / (ref->steps_per_epoch ? ref->steps_per_epoch : 1)) + 1;
        }
    }
    char ntitle[256];
    snprintf(ntitle, sizeof ntitle, "Gradient norm per depth during training (%s, seed %ld): "
             "early steps light, late steps dark", x->data_name, o->c.seed);
    const gf_fig_training_norms norms = {.title = ntitle, .nets = nets, .n_nets = nn,
                                         .seed = o->c.seed, .steps = steps,
                                         .step_epochs = epochs, .n_steps = ns,
                                         .blocks_max = bmax, .ymin = lo, .ymax = hi};
    int warned = 0;
    if (figure(x, "degradation", gf_fig_curves_body, &curves, &warned) != 0 ||
        (ns > 0 && figure(x, "gradnorm_training", gf_fig_training_norms_body, &norms,
                          &warned) != 0))
        return -1;
    *drawn = !o->c.no_plot && !warned;
    if (o->c.term_dumb && *drawn) {
        char why[512];
        if (gf_plot_terminal(o->c.out, gf_fig_curves_body, &curves, 120, 36, why, sizeof why) < 0)
            return gf_cli_fail(-1, CMD, "%s", why);
    }
    return 0;
}

/* ---- summary ------------------------------------------------------------- */

/* log10 of ||dL/dx_0|| / ||dL/dx_B|| of run r at its first and last probed step. */
static int gradient_ends(const degrade_run *r, double *first, double *last)
{
    const int B = (r->depth - 2) / 2;
    long s0 = -1, s1 = -1;
    for (size_t j = 0; j < r->n_probes; j++) {
        s0 = s0 < 0 ? r->probes[j].step : s0;
        s1 = r->probes[j].step;
    }
    double v[2][2] = {{NAN, NAN}, {NAN, NAN}};
    for (size_t j = 0; j < r->n_probes; j++) {
        const gf_train_probe *p = &r->probes[j];
        const int which = p->step == s0 ? 0 : p->step == s1 ? 1 : -1;
        if (which >= 0 && p->kind == GF_PROBE_BLOCK && (p->block == 0 || p->block == B))
            v[which][p->block == 0 ? 0 : 1] = gf_log10_of_log2(p->log2_frob);
    }
    *first = v[0][0] - v[0][1];
    *last = v[1][0] - v[1][1];
    return s0 >= 0 && s1 > s0 ? 0 : -1;
}

/* The two depths compared per architecture: the shallowest and the deepest. */
static void compare(const degrade_experiment *x, gf_arch arch)
{
    const degrade_options *o = &x->o;
    int lo = 1 << 30, hi = -1;
    for (int d = 0; d < o->n_depths; d++) {
        lo = o->depths[d] < lo ? o->depths[d] : lo;
        hi = o->depths[d] > hi ? o->depths[d] : hi;
    }
    const char *name = gf_arch_names[arch];
    if (hi == lo) {
        printf("  %s: one depth only; give two with --depth to compare.\n", name);
        return;
    }
    double t[2], ts[2], e[2], es[2];
    int n[2];
    degrade_final(x, arch, lo, &t[0], &ts[0], &e[0], &es[0], &n[0]);
    degrade_final(x, arch, hi, &t[1], &ts[1], &e[1], &es[1], &n[1]);
    if (n[0] == 0 || n[1] == 0) {
        printf("  %s: not compared: a net did not finish training.\n", name);
        return;
    }
    const double gap = 100.0 * (t[1] - t[0]);
    const double spread = 100.0 * sqrt(ts[0] * ts[0] + ts[1] * ts[1]);
    const int several = n[0] > 1 && n[1] > 1;
    printf("  %s: training error %d layers %.2f%%, %d layers %.2f%%: ", name, hi, 100 * t[1], lo,
           100 * t[0]);
    if (gap > 0)
        printf("the deeper net trains worse by %.2f points%s", gap,
               arch == GF_ARCH_PLAIN ? " (degradation)" : " (the gap remains)");
    else
        printf("the deeper net trains better by %.2f points%s", -gap,
               arch == GF_ARCH_PLAIN ? " (no degradation here)" : " (no gap)");
    if (several)
        printf("; %s the seed spread (%.2f points)", fabs(gap) > 2.0 * spread ? "beyond twice" :
               "within twice", spread);
    printf(".\n    test error %.2f%% vs %.2f%%.\n", 100 * e[1], 100 * e[0]);
}

void degrade_summary(const degrade_experiment *x, int drawn)
{
    const degrade_options *o = &x->o;
    printf("gradflow degrade: %s, %zu training / %zu test images, width %zu, norm %s, init %s, "
           "%s lr %g (%s), %d epochs, batch %zu, %ld seed%s\n",
           x->data_name, x->ntrain, x->ntest, o->c.cfg.width, gf_norm_names[o->c.cfg.norm],
           gf_init_names[o->c.cfg.init], gf_optim_names[o->train.optim.kind], o->train.sched.lr,
           gf_sched_names[o->train.sched.kind], o->train.epochs, o->train.batch, o->c.seeds,
           o->c.seeds > 1 ? "s" : "");
    putchar('\n');
    write_table(stdout, x);
    putchar('\n');
    for (int i = 0; i < x->n_runs; i++)
        if (x->runs[i].failed)
            printf("  %s seed %ld stopped after %d epochs: %s\n", x->runs[i].name,
                   x->runs[i].seed, x->runs[i].epochs_done, x->runs[i].why);
    for (int a = 0; a < o->c.n_archs; a++)
        compare(x, (gf_arch)o->c.archs[a]);
    for (int a = 0; a < o->c.n_archs; a++) {
        const gf_arch arch = (gf_arch)o->c.archs[a];
        const int depth = deepest(o, arch);
        for (int i = 0; i < x->n_runs; i++) {
            const degrade_run *r = &x->runs[i];
            double f, l;
            if (r->arch != arch || r->depth != depth || r->seed != o->c.seed ||
                gradient_ends(r, &f, &l) != 0)
                continue;
            printf("  gradients, %s seed %ld: ||dL/dx_0|| / ||dL/dx_B|| = 10^%+.2f at step 0, "
                   "10^%+.2f at the last probe\n",
                   r->name, r->seed, f, l);
        }
    }
    printf("  wall time %.1f s\n  wrote %s/{curves,curves_mean,gradnorm_training,params_training}.tsv, table.md, "
           "manifest.json, %s, checkpoints/\n",
           x->wall_seconds, o->c.out, drawn ? "degradation.png/.svg/.gp, gradnorm_training.png/.svg/.gp"
                           : "degradation.gp, gradnorm_training.gp (nothing drawn)");
}
