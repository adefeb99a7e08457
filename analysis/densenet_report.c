/* densenet_report.c: `gradflow densenet`'s table (the syllabus' ResNet vs
 * DenseNet table with measured numbers), figures and summary. */
#include "densenet.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The log-log slope of the memory curve of `what` between its first and last
 * depth (2: quadratic, 1: linear), and its first and last MiB. */
static double mem_slope(const gf_dense_result *r, const char *what, double *first, double *last,
                        int *d0, int *d1)
{
    const gf_dense_mem *a = NULL, *b = NULL;
    for (int i = 0; i < r->n_mem; i++)
        if (strcmp(r->mem[i].what, what) == 0) {
            if (!a)
                a = &r->mem[i];
            b = &r->mem[i];
        }
    *first = a ? (double)a->bytes / 1048576.0 : NAN;
    *last = b ? (double)b->bytes / 1048576.0 : NAN;
    *d0 = a ? a->depth : 0;
    *d1 = b ? b->depth : 0;
    return a && b && b->depth > a->depth
               ? log((double)b->bytes / (double)a->bytes) / log((double)b->depth / a->depth)
               : NAN;
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
    double m0[3], m1[3], sl[3];
    int d0[3], d1[3];
    static const char *const what[3] = {"resnet", "densenet-naive", "densenet-shared"};
    for (int i = 0; i < 3; i++)
        sl[i] = mem_slope(r, what[i], &m0[i], &m1[i], &d0[i], &d1[i]);
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
    fprintf(f, "| connection | addition x + F(x), a skip every 2 convs: %zu, %zu, %zu channels "
               "in the 3 stages | concatenation: %d layers per block add k = %d channels each: "
               "%zu -> %zu, %zu -> %zu, %zu -> %zu |\n",
            filters, 2 * filters, 4 * filters, p.layers, fd.densenet.growth, p.in[0], p.out[0],
            p.in[1], p.out[1], p.in[2], p.out[2]);
    fprintf(f, "| parameters | %zu | %zu |\n", R->cost.params, D->cost.params);
    fprintf(f, "| FLOPs per image, forward / backward | %.1f M / %.1f M | %.1f M / %.1f M |\n",
            R->cost.fwd_flops / 1e6, R->cost.bwd_flops / 1e6, D->cost.fwd_flops / 1e6,
            D->cost.bwd_flops / 1e6);
    fprintf(f, "| test error after %d epochs (%s, %d seed%s) | %.2f ± %.2f %% | %.2f ± %.2f %% |\n",
            r->spec.train.epochs, o->data_name, S, S > 1 ? "s" : "", 100 * err[0], 100 * esd[0],
            100 * err[1], 100 * esd[1]);
    fprintf(f, "| parameter efficiency: test error x parameters / 10^6 | %.3f | %.3f |\n",
            100 * err[0] * (double)R->cost.params / 1e6,
            100 * err[1] * (double)D->cost.params / 1e6);
    fprintf(f, "| feature reuse: share of the first conv's mean abs weight on features older "
               "than the previous layer | indirect: a block sees only the sum x_l | %.0f %% |\n",
            100 * older_share(r));
    fprintf(f, "| tape memory of a step (batch %zu) | %.1f MiB | %.1f MiB (shared storage) |\n",
            r->spec.train.batch, (double)R->cost.tape_bytes / 1048576.0,
            (double)D->cost.tape_bytes / 1048576.0);
    fprintf(f, "| memory growth, depth %d -> %d (batch %zu), log-log slope | %.1f -> %.1f MiB, "
               "%.2f | naive %.1f -> %.1f MiB, %.2f; shared %.1f -> %.1f MiB, %.2f |\n",
            d0[1], d1[1], r->spec.mem_batch, m0[0], m1[0], sl[0], m0[1], m1[1], sl[1], m0[2],
            m1[2], sl[2]);
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
    double a, b;
    int d0, d1;
    const double sn = mem_slope(&o->res, "densenet-naive", &a, &b, &d0, &d1);
    const double ss = mem_slope(&o->res, "densenet-shared", &a, &b, &d0, &d1);
    printf("\n  memory: naive storage grows as depth^%.2f, shared as depth^%.2f (2: quadratic, "
           "1: linear)\n", sn, ss);
    printf("  wall time %.1f s\n  wrote %s/{nets,training,memory,reuse,connections}.tsv, "
           "table.md, manifest.json%s\n",
           o->res.wall_seconds, r->dir,
           cli_run_drawn(r) ? ", densenet_{memory,reuse,connections}.png/.svg/.gp"
                            : ", densenet_{memory,reuse,connections}.gp (nothing drawn)");
}
