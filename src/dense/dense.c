/* dense.c: ResNet against DenseNet: costs, the memory curve, training over
 * seeds, and the trained DenseNet's reuse map and connection norms. */
#include "dense/gf_dense.h"

#include "io/gf_io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gf_dense_mean_sd(const double *x, int n, double *mean, double *sd)
{
    double s = 0.0, ss = 0.0;
    for (int i = 0; i < n; i++)
        s += x[i];
    *mean = n > 0 ? s / n : NAN;
    for (int i = 0; i < n; i++)
        ss += (x[i] - *mean) * (x[i] - *mean);
    *sd = n > 1 ? sqrt(ss / (n - 1)) : 0.0;
}

typedef struct counter {
    const gf_dense_spec *sp;
    int done, total;
} counter;

static void tick(counter *c)
{
    c->done++;
    if (c->sp->progress)
        c->sp->progress(c->sp->progress_ctx, c->done, c->total);
}

/* One point: the tape's bytes of a step at the memory batch. */
static int mem_point(const gf_dense_spec *sp, const gf_model_type *T, const void *fc,
                     const char *what, int depth, gf_dense_mem *out, char *why, size_t size)
{
    gf_model *m = gf_model_alloc_seeded(T, fc, (unsigned long)sp->seed0, why, size);
    gf_model_cost cost;
    const int rc = m ? gf_model_cost_of(m, sp->mem_batch, 1, &cost, why, size) : -1;
    if (rc == 0)
        *out = (gf_dense_mem){.what = what, .depth = depth, .params = cost.params,
                              .bytes = cost.tape_bytes, .scratch = cost.scratch_bytes};
    gf_model_free(m);
    return rc;
}

/* At each DenseNet depth: the ResNet of the largest depth 6n + 2 not above
 * it, and the DenseNet stored naively and shared. */
static int memory_curve(const gf_dense_spec *sp, gf_dense_result *res, counter *k, char *why,
                        size_t size)
{
    res->mem = calloc((size_t)(3 * sp->n_mem), sizeof *res->mem);
    if (!res->mem) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    for (int i = 0; i < sp->n_mem; i++) {
        gf_stack_config r = sp->resnet, d = sp->dense;
        r.depth = (sp->mem_depths[i] - 2) / 6 * 6 + 2;
        d.depth = sp->mem_depths[i];
        gf_family_config fr, fd;
        if (gf_arch_config(&d, &fd, why, size) != 0 ||
            (r.depth >= 8 && (gf_arch_config(&r, &fr, why, size) != 0 ||
                              mem_point(sp, gf_arch_types[r.arch].family, &fr, "resnet",
                                        r.depth, &res->mem[res->n_mem++], why, size) != 0)))
            return -1;
        for (int j = 0; j < 2; j++) {
            fd.densenet.memory = j ? GF_DENSE_SHARED : GF_DENSE_NAIVE;
            if (mem_point(sp, &gf_model_densenet, &fd, j ? "densenet-shared" : "densenet-naive",
                          d.depth, &res->mem[res->n_mem++], why, size) != 0)
                return -1;
        }
        tick(k);
    }
    return 0;
}

/* The trained DenseNet's reuse maps, and its connection norms on the first
 * training batch (training mode, shared storage). */
static int after_training(const gf_dense_spec *sp, gf_dense_result *res, gf_model *m, char *why,
                          size_t size)
{
    const int M = res->layers + 2;
    for (int b = 0; b < 3; b++) {
        res->reuse[b] = malloc((size_t)(M * M) * sizeof(double));
        res->conn[b] = malloc((size_t)(M * M) * sizeof(double));
        if (!res->reuse[b] || !res->conn[b]) {
            snprintf(why, size, "out of memory");
            return -1;
        }
        for (int i = 0; i < M * M; i++)
            res->conn[b][i] = NAN;
        gf_densenet_reuse_map(gf_model_net(m), b, res->reuse[b]);
    }
    const size_t n = sp->train.batch < sp->train_set->n ? sp->train.batch : sp->train_set->n;
    const size_t in = gf_model_in_dim(m);
    gf_tape *tape = gf_tape_alloc(0);
    gf_tensor *x = tape ? gf_tape_input(tape, n, in) : NULL;
    int rc = -1;
    if (x) {
        memcpy(x->v, sp->train_set->x, n * in * sizeof *x->v);
        gf_densenet_set_sink(gf_model_net(m), res->conn);
        gf_model_set_training(m, 1);
        gf_tensor *z = gf_model_forward(m, tape, x, NULL, NULL);
        rc = gf_tape_backward(tape, gf_softmax_xent(tape, z, sp->train_set->y)) == 0 ? 0 : -1;
        gf_densenet_set_sink(gf_model_net(m), NULL);
    }
    if (rc != 0)
        snprintf(why, size, "the connection pass failed: %s",
                 tape ? gf_tape_error(tape) : "out of memory");
    gf_tape_free(tape);
    return rc;
}

/* Train net i with seed s; keep its history and, for the DenseNet's first
 * seed, the reuse map and one batch's connection norms. */
static int train_one(const gf_dense_spec *sp, gf_dense_result *res, int i, int s, counter *k,
                     char *why, size_t size)
{
    const gf_stack_config *c = i ? &sp->dense : &sp->resnet;
    gf_dense_net *net = &res->net[i];
    const long seed = sp->seed0 + s;
    gf_family_config fc;
    gf_model *m = gf_arch_config(c, &fc, why, size) == 0
                      ? gf_model_alloc_seeded(gf_arch_types[c->arch].family, &fc,
                                              (unsigned long)seed, why, size)
                      : NULL;
    gf_train_config tc = sp->train;
    tc.seed = (unsigned long)seed;
    gf_trainer *t = m ? gf_trainer_alloc(m, sp->train_set, sp->test_set, &tc, why, size) : NULL;
    int rc = t ? 0 : -1;
    const int E = sp->train.epochs;
    double wall = 0.0, cpu = 0.0;
    for (int e = 0; rc == 0 && e < E; e++) {
        gf_epoch_stats *st = &net->hist[s * E + e];
        rc = gf_trainer_epoch(t, st, why, size);
        wall += st->seconds;
        cpu += st->cpu_seconds;
        tick(k);
    }
    if (rc == 0) {
        net->test_err[s] = net->hist[s * E + E - 1].test_err;
        net->train_err[s] = net->hist[s * E + E - 1].train_err;
        net->epoch_wall[s] = wall / E;
        net->epoch_cpu[s] = cpu / E;
        if (i == 1 && s == 0)
            rc = after_training(sp, res, m, why, size);
    }
    gf_trainer_free(t);
    gf_model_free(m);
    return rc;
}

static int alloc_net(gf_dense_net *net, int seeds, int epochs)
{
    net->hist = calloc((size_t)(seeds * epochs), sizeof *net->hist);
    net->test_err = calloc((size_t)seeds, sizeof(double));
    net->train_err = calloc((size_t)seeds, sizeof(double));
    net->epoch_wall = calloc((size_t)seeds, sizeof(double));
    net->epoch_cpu = calloc((size_t)seeds, sizeof(double));
    return net->hist && net->test_err && net->train_err && net->epoch_wall && net->epoch_cpu
               ? 0
               : -1;
}

int gf_dense_run(const gf_dense_spec *sp, gf_dense_result *res, char *why, size_t size)
{
    memset(res, 0, sizeof *res);
    res->spec = *sp;
    const double t0 = gf_now();
    counter k = {sp, 0, sp->n_mem + 2 * sp->seeds * sp->train.epochs};
    gf_family_config fd;
    if (gf_arch_config(&sp->dense, &fd, why, size) != 0)
        return -1;
    res->layers = (fd.densenet.depth - 4) / (fd.densenet.bc ? 6 : 3);
    int rc = 0;
    for (int i = 0; i < 2 && rc == 0; i++) {
        const gf_stack_config *c = i ? &sp->dense : &sp->resnet;
        gf_family_config fc;
        gf_model *m = gf_arch_config(c, &fc, why, size) == 0
                          ? gf_model_alloc_seeded(gf_arch_types[c->arch].family, &fc,
                                                  (unsigned long)sp->seed0, why, size)
                          : NULL;
        rc = m && alloc_net(&res->net[i], sp->seeds, sp->train.epochs) == 0 &&
                     gf_model_cost_of(m, sp->train.batch, 1, &res->net[i].cost, why, size) == 0
                 ? 0
                 : -1;
        if (m)
            gf_model_name(m, res->net[i].name, sizeof res->net[i].name);
        gf_model_free(m);
    }
    if (rc == 0)
        rc = memory_curve(sp, res, &k, why, size);
    for (int s = 0; rc == 0 && s < sp->seeds; s++)
        for (int i = 0; rc == 0 && i < 2; i++)
            rc = train_one(sp, res, i, s, &k, why, size);
    res->wall_seconds = gf_now() - t0;
    if (rc != 0)
        gf_dense_release(res);
    return rc;
}

void gf_dense_release(gf_dense_result *res)
{
    for (int i = 0; i < 2; i++) {
        gf_dense_net *n = &res->net[i];
        free(n->hist);
        free(n->test_err);
        free(n->train_err);
        free(n->epoch_wall);
        free(n->epoch_cpu);
    }
    for (int b = 0; b < 3; b++) {
        free(res->reuse[b]);
        free(res->conn[b]);
    }
    free(res->mem);
    memset(res, 0, sizeof *res);
}
