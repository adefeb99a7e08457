/* densenet_report.c: `gradflow densenet`'s table (the syllabus' ResNet vs
 * DenseNet table with measured numbers), figures and summary. */
#include "densenet.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The memory curve of `what`: MiB at its first and last depth, and the MiB
 * each added layer cost between its first two depths and its last two
 * (equal: linear memory; growing: faster than linear). 0, or -1 with fewer
 * than two points. */
typedef struct growth {
    int d0, d1;
    double first, last, step0, step1;
} growth;

static int mem_growth(const gf_dense_result *r, const char *what, growth *g)
{
    const gf_dense_mem *p[GF_DENSE_MAX_DEPTHS];
    int n = 0;
    for (int i = 0; i < r->n_mem && n < GF_DENSE_MAX_DEPTHS; i++)
        if (strcmp(r->mem[i].what, what) == 0)
            p[n++] = &r->mem[i];
    *g = (growth){0, 0, NAN, NAN, NAN, NAN};
    if (n < 2)
        return -1;
    const double MiB = 1048576.0;
    g->d0 = p[0]->depth;
    g->d1 = p[n - 1]->depth;
    g->first = (double)p[0]->bytes / MiB;
    g->last = (double)p[n - 1]->bytes / MiB;
    g->step0 = ((double)p[1]->bytes - (double)p[0]->bytes) / MiB / (p[1]->depth - p[0]->depth);
    g->step1 = ((double)p[n - 1]->bytes - (double)p[n - 2]->bytes) / MiB /
               (p[n - 1]->depth - p[n - 2]->depth);
    return 0;
}

/* "constant" when the last step is within 10 % of the first, else "grows" / "falls". */
static const char *trend(const growth *g)
{
    return !(g->step0 > 0) ? "n/a"
           : fabs(g->step1 / g->step0 - 1.0) <= 0.1 ? "constant"
           : g->step1 > g->step0                   ? "grows"
                                                   : "falls";
}

/* Of the |w| mass into layers l >= 2 of every block (their first conv), the
 * share on features older than layer l - 1: reuse beyond the neighbour. */
static double older_share(const gf_dense_result *r)
{
    const int n = r->layers, M = n + 2;
    double older = 0.0, all = 0.0;
    for (int b = 0; b < 3; b++)
        for (int l = 2; r->reuse[b] && l <= n; l++) {
            /* mean |w| times channels: source 0 has c_b of them, the others k */
            for (int s = 0; s < l; s++) {
                const double w = r->reuse[b][l * M + s];
                all += w;
                if (s < l - 1)
                    older += w;
            }
        }
    return all > 0 ? older / all : NAN;
}

static int write_table(FILE *f, const void *ctx)
{
    const densenet_outcome *o = ctx;
    const gf_dense_result *r = &o->res;
    const int S = r->spec.seeds;
    double err[2], esd[2], t[2], tsd[2];
    for (int i = 0; i < 2; i++) {
        gf_dense_mean_sd(r->net[i].test_err, S, &err[i], &esd[i]);
        gf_dense_mean_sd(r->net[i].epoch_cpu, S, &t[i], &tsd[i]);
    }
    growth g[3];
    static const char *const what[3] = {"resnet", "densenet-naive", "densenet-shared"};
    for (int i = 0; i < 3; i++)
        mem_growth(r, what[i], &g[i]);
    const gf_dense_net *R = &r->net[0], *D = &r->net[1];
    fprintf(f, "| | %s | %s |\n|---|---|---|\n", R->name, D->name);
    char why[256];
    gf_family_config fd, fr;
    gf_densenet_plan p = {0};
    size_t filters = 0;
    if (gf_arch_config(&r->spec.dense, &fd, why, sizeof why) == 0)
        gf_densenet_plan_of(&fd.densenet, &p);
    if (gf_arch_config(&r->spec.resnet, &fr, why, sizeof why) == 0)
        filters = gf_arch_is_mlp(r->spec.resnet.arch) ? fr.mlp.width : fr.cnn.filters;
    const gf_arch ra = r->spec.resnet.arch; /* the compared net: residual or plain, cnn or MLP */
    char conn[160];
    if (gf_arch_is_mlp(ra))
        snprintf(conn, sizeof conn, "%s: Linear layers of width %zu",
                 gf_arch_residual(ra) ? "addition x + F(x), a skip every 2 layers" : "none (plain)",
                 filters);
    else
        snprintf(conn, sizeof conn, "%s: %zu, %zu, %zu channels in the 3 stages",
                 gf_arch_residual(ra) ? "addition x + F(x), a skip every 2 convs" : "none (plain)",
                 filters, 2 * filters, 4 * filters);
    fprintf(f, "| connection | %s | concatenation: %d layer%s per block add%s k = %d channels "
               "each: %zu -> %zu, %zu -> %zu, %zu -> %zu |\n",
            conn, p.layers, p.layers == 1 ? "" : "s",
            p.layers == 1 ? "s" : "", fd.densenet.growth, p.in[0], p.out[0],
            p.in[1], p.out[1], p.in[2], p.out[2]);
    fprintf(f, "| parameters | %zu | %zu |\n", R->cost.params, D->cost.params);
    fprintf(f, "| FLOPs per image, forward / backward | %.1f M / %.1f M | %.1f M / %.1f M |\n",
            R->cost.fwd_flops / 1e6, R->cost.bwd_flops / 1e6, D->cost.fwd_flops / 1e6,
            D->cost.bwd_flops / 1e6);
    fprintf(f, "| test error after %d epochs (%s, %d seed%s) | %.2f ± %.2f %% | %.2f ± %.2f %% |\n",
            r->spec.train.epochs, o->data_name, S, S > 1 ? "s" : "", 100 * err[0], 100 * esd[0],
            100 * err[1], 100 * esd[1]);
    fprintf(f, "| parameter efficiency | %.2f %% test error with %.1f K parameters | %.2f %% "
               "with %.1f K |\n",
            100 * err[0], (double)R->cost.params / 1e3, 100 * err[1],
            (double)D->cost.params / 1e3);
    const double share = older_share(r);
    fprintf(f, "| feature reuse: share of the first conv's mean abs weight on features older "
               "than the previous layer | indirect: a block sees only the sum x_l | ");
    if (isfinite(share))
        fprintf(f, "%.0f %% |\n", 100 * share);
    else
        fprintf(f, "n/a (one layer per block) |\n");
    const double MiB = 1048576.0;
    fprintf(f, "| tape memory of a step (batch %zu): arena, + the conv scratch beside it | "
               "%.1f MiB + %.1f MiB | %.1f MiB + %.1f MiB (shared storage) |\n",
            r->spec.train.batch, (double)R->cost.tape_bytes / MiB,
            (double)R->cost.scratch_bytes / MiB, (double)D->cost.tape_bytes / MiB,
            (double)D->cost.scratch_bytes / MiB);
    fprintf(f, "| memory growth with depth (batch %zu, the arena): MiB at depth %d -> %d; MiB "
               "per added layer, first -> last step | %.1f -> %.1f; %.3f -> %.3f (%s) | naive %.1f -> %.1f; "
               "%.3f -> %.3f (%s); shared %.1f -> %.1f; %.3f -> %.3f (%s) |\n",
            r->spec.mem_batch, g[1].d0, g[1].d1, g[0].first, g[0].last, g[0].step0, g[0].step1,
            trend(&g[0]), g[1].first, g[1].last, g[1].step0, g[1].step1, trend(&g[1]),
            g[2].first, g[2].last, g[2].step0, g[2].step1, trend(&g[2]));
    fprintf(f, "| processor time per epoch (%ld images) | %.1f ± %.1f s | %.1f ± %.1f s |\n",
            (long)r->spec.train_set->n, t[0], tsd[0], t[1], tsd[1]);
    return ferror(f) ? -1 : 0;
}

int densenet_write_table(const densenet_outcome *o, const char *dir, char *why, size_t size)
{
    return gf_write_in(dir, "table.md", write_table, o, why, size);
}

int densenet_figures(cli_run *r, const densenet_outcome *o)
{
    static gf_dense_figs f; /* large; one run at a time */
    gf_dense_figs_make(&o->res, o->data_name, &f);
    int rc = cli_run_figure(r, "densenet_memory", gf_fig_dense_memory_body, &f.memory);
    if (rc == 0)
        rc = cli_run_figure(r, "densenet_reuse", gf_fig_dense_map_body, &f.reuse);
    if (rc == 0)
        rc = cli_run_figure(r, "densenet_connections", gf_fig_dense_map_body, &f.conn);
    if (rc == 0 && r->c->term_dumb)
        rc = cli_run_terminal(r, gf_fig_dense_memory_body, &f.memory, 100, 30);
    return rc;
}

void densenet_summary(const cli_run *r, const densenet_options *opt, const densenet_outcome *o)
{
    (void)opt;
    printf("densenet: %s against %s on %s (%ld training, %ld test images), %d epochs, %d "
           "seeds\n\n",
           o->res.net[1].name, o->res.net[0].name, o->data_name, (long)o->res.spec.train_set->n,
           (long)o->res.spec.test_set->n, o->res.spec.train.epochs, o->res.spec.seeds);
    write_table(stdout, o);
    growth gn, gs;
    if (mem_growth(&o->res, "densenet-naive", &gn) == 0 &&
        mem_growth(&o->res, "densenet-shared", &gs) == 0)
        printf("\n  memory per added layer (depth %d -> %d): naive %.3f -> %.3f MiB (%s), shared "
               "%.3f -> %.3f MiB (%s)\n",
               gn.d0, gn.d1, gn.step0, gn.step1, trend(&gn), gs.step0, gs.step1, trend(&gs));
    printf("  wall time %.1f s\n  wrote %s/{nets,training,memory,reuse,connections}.tsv, "
           "table.md, manifest.json%s\n",
           o->res.wall_seconds, r->dir,
           cli_run_drawn(r) ? ", densenet_{memory,reuse,connections}.png/.svg/.gp"
                            : ", densenet_{memory,reuse,connections}.gp (nothing drawn)");
}
