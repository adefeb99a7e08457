/* landscape_nets.c: where `gradflow landscape` gets each net (a degrade
 * run's checkpoint, or trained here with snapshots of its parameters) and
 * what it measures of it: the line from initialization, the plane around the
 * trained weights, the trajectory and the curvature. */
#include "cli.h"
#include "landscape.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char CMD[] = "landscape";

enum { EVAL_BATCH = 256 }; /* the trainer's: the path's end is its recorded loss */

/* Parameter snapshots every `every` steps (the trajectory). */
typedef struct snaps {
    gf_model *m;
    double *v;
    long *step;
    int n, cap;
    long every, steps;
} snaps;

static void snap(snaps *s)
{
    const gf_params *p = gf_model_params(s->m);
    if (s->n < s->cap) {
        memcpy(s->v + (size_t)s->n * p->size, p->value, p->size * sizeof *s->v);
        s->step[s->n++] = s->steps;
    }
}

static void on_step(void *ctx, int epoch, long step, long per_epoch, double loss)
{
    (void)epoch;
    (void)loss;
    snaps *s = ctx;
    s->steps++;
    if (step % s->every == 0 || step == per_epoch)
        snap(s);
}

/* The curvature of the loss over hess at m's state. 0, or -1 with why. */
static int sharpness(const landscape_options *o, gf_model *m, const gf_dataset *hess,
                     land_sharp *s, char *why, size_t size)
{
    const size_t P = gf_model_params(m)->size;
    gf_tape *tape = gf_tape_alloc(0);
    double *theta = gf_land_state(m), *vec = malloc(P * sizeof *vec);
    unsigned char *mask = malloc(P);
    gsl_rng *rng = gf_rng_alloc(gf_seed_stream((unsigned long)o->c.seed, 4242));
    const gf_land_eval ev = {.m = m, .tape = tape, .data = hess, .batch = EVAL_BATCH};
    gf_land_hessian h = {0};
    int rc = -1;
    if (!tape || !theta || !vec || !mask || !rng || gf_land_hessian_init(&h, &ev, theta) != 0)
        snprintf(why, size, "out of memory");
    else {
        gf_land_trainable_mask(m, mask);
        rc = gf_land_top_eig(gf_land_hvp, &h, P, mask, rng, (int)o->power_iters, 1e-3, &s->lambda,
                             vec, &s->iters);
        if (rc == 0) {
            s->lambda_err = gf_land_hvp_error(&h, vec);
            rc = gf_land_trace(gf_land_hvp, &h, P, mask, rng, (int)o->hutchinson, &s->trace,
                               &s->trace_se);
        }
        if (rc != 0)
            snprintf(why, size, "%s", h.why);
    }
    gf_land_hessian_release(&h);
    gsl_rng_free(rng);
    free(mask);
    free(vec);
    free(theta);
    gf_tape_free(tape);
    return rc;
}

/* Train n's net from its initialization (m), keeping snapshots and the
 * curvature after every epoch. 0, or -1 with why. */
static int train(const landscape_options *o, gf_model *m, const gf_dataset *train_set,
                 const gf_dataset *hess, land_net *n, snaps *s, char *why, size_t size)
{
    gf_train_config tc = o->t.train;
    tc.seed = (unsigned long)n->seed;
    tc.eval_batch = EVAL_BATCH;
    tc.probe_every = 0;
    gf_trainer *t = gf_trainer_alloc(m, train_set, NULL, &tc, why, size);
    if (!t)
        return -1;
    const long per = gf_trainer_steps_per_epoch(t);
    s->m = m;
    s->every = per / o->snapshots > 0 ? per / o->snapshots : 1;
    s->cap = (int)(tc.epochs * (per / s->every + 1) + 1);
    s->v = malloc((size_t)s->cap * gf_model_params(m)->size * sizeof *s->v);
    s->step = malloc((size_t)s->cap * sizeof *s->step);
    int rc = s->v && s->step ? 0 : -1;
    if (rc != 0)
        snprintf(why, size, "out of memory: %d snapshots of the parameters", s->cap);
    if (rc == 0) {
        snap(s);
        gf_trainer_on_step(t, on_step, s);
    }
    for (int e = 0; rc == 0 && e < tc.epochs; e++) {
        gf_epoch_stats st;
        const double t0 = gf_now();
        if ((rc = gf_trainer_epoch(t, &st, why, size)) != 0)
            break;
        n->train_seconds += gf_now() - t0;
        land_sharp *sh = &n->sharp[n->n_sharp++];
        *sh = (land_sharp){.epoch = e + 1, .step = st.step, .lr = st.lr};
        const double t1 = gf_now();
        rc = sharpness(o, m, hess, sh, why, size);
        n->sharp_seconds += gf_now() - t1;
    }
    n->epochs = gf_trainer_epochs_done(t);
    gf_trainer_free(t);
    return rc;
}

/* The net of (arch, depth): trained here (theta0 its initialization), or
 * loaded with the initialization its seed gives. NULL after a message. */
static gf_model *get_net(const landscape_options *o, const gf_dataset *train_set,
                         const gf_dataset *hess, land_net *n, snaps *s, double **theta0)
{
    char why[GF_PATH_MAX + 512], path[GF_PATH_MAX];
    gf_model *m = NULL, *init = NULL;
    gsl_rng *rng = NULL;
    if (o->load) {
        snprintf(path, sizeof path, "%s/checkpoints/%s-seed%ld.safetensors", o->load, n->name,
                 n->seed);
        gf_checkpoint_info info;
        if (!(m = gf_model_open(path, NULL, NULL, &info, why, sizeof why))) {
            cli_error(CMD, "--load: %s", why);
            return NULL;
        }
        n->epochs = (int)info.epochs_done;
        init = gf_model_alloc(m->type, gf_model_config(m), why, sizeof why);
    } else {
        gf_stack_config c = o->c.cfg;
        c.arch = n->arch;
        c.depth = n->depth;
        c.in_dim = train_set->dim;
        c.classes = train_set->classes;
        init = m = gf_model_alloc(&gf_model_mlp, &c, why, sizeof why);
    }
    if (!init || !(rng = gf_rng_alloc((unsigned long)n->seed)) || gf_model_init(init, rng) != 0 ||
        !(*theta0 = gf_land_state(init))) {
        cli_error(CMD, "%s: %s", n->name, init ? "out of memory" : why);
        goto fail;
    }
    gsl_rng_free(rng);
    rng = NULL;
    land_sharp *sh = &n->sharp[n->n_sharp++]; /* at initialization */
    *sh = (land_sharp){.lr = NAN};
    if (sharpness(o, init, hess, sh, why, sizeof why) != 0) {
        cli_error(CMD, "%s: %s", n->name, why);
        goto fail;
    }
    if (o->load) {
        gf_model_free(init);
        init = NULL;
        land_sharp *end = &n->sharp[n->n_sharp++];
        *end = (land_sharp){.epoch = n->epochs, .step = -1, .lr = NAN};
        if (sharpness(o, m, hess, end, why, sizeof why) == 0)
            return m;
    } else if (train(o, m, train_set, hess, n, s, why, sizeof why) == 0)
        return m;
    cli_error(CMD, "%s: %s", n->name, why);
fail:
    gsl_rng_free(rng);
    if (init != m)
        gf_model_free(init);
    gf_model_free(m);
    return NULL;
}

static void progress(void *ctx, int done, int total)
{
    cli_progress_update(ctx, done, total);
}

/* The line, the plane and the trajectory of a net. 0, or -1 after a message. */
static int measure_net(const landscape_options *o, land_result *res, land_net *n, gf_model *m,
                       const double *theta0, const gf_dataset *images, const snaps *s)
{
    char why[512], label[96];
    const int G = res->grid;
    const size_t P = gf_model_params(m)->size;
    gf_tape *tape = gf_tape_alloc(0);
    double *theta1 = gf_land_state(m), *d1 = malloc(P * sizeof *d1), *d2 = malloc(P * sizeof *d2);
    gsl_rng *rng = gf_rng_alloc(gf_seed_stream((unsigned long)n->seed, 1301));
    cli_progress bar;
    snprintf(label, sizeof label, "landscape: %s path and surface", n->name);
    cli_progress_begin(&bar, label);
    gf_land_eval ev = {.m = m, .tape = tape, .data = images, .batch = EVAL_BATCH,
                       .threads = (int)o->threads, .progress = progress, .progress_ctx = &bar};
    int rc = tape && theta1 && d1 && d2 && rng ? 0 : -1;
    if (rc != 0)
        snprintf(why, sizeof why, "out of memory");
    double t0 = gf_now();
    if (rc == 0)
        rc = gf_land_path(&ev, theta0, theta1, res->alpha, res->n_path, n->path_loss,
                          n->path_err, why, sizeof why);
    n->path_seconds = gf_now() - t0;
    const int at0 = 5, at1 = 25; /* alpha = (i - 5) / 20 */
    n->init_loss = n->path_loss[at0];
    n->init_err = n->path_err[at0];
    n->trained_loss = n->path_loss[at1];
    n->trained_err = n->path_err[at1];
    t0 = gf_now();
    if (rc == 0 && (gf_land_direction(m, rng, d1) != 0 || gf_land_direction(m, rng, d2) != 0)) {
        snprintf(why, sizeof why, "the model has no weighted layer");
        rc = -1;
    }
    if (rc == 0)
        rc = gf_land_surface(&ev, theta1, d1, d2, res->coords, G, res->coords, G, n->surf_loss,
                             n->surf_err, why, sizeof why);
    n->surface_seconds = gf_now() - t0;
    cli_progress_end(&bar);
    if (rc == 0) {
        n->surf_min = INFINITY;
        n->surf_max = -INFINITY;
        for (int i = 0; i < G * G; i++) {
            n->surf_min = fmin(n->surf_min, n->surf_loss[i]);
            n->surf_max = fmax(n->surf_max, n->surf_loss[i]);
        }
        n->nonconvex = gf_land_nonconvex_share(n->surf_loss, G);
    }
    if (rc == 0 && s->n >= 2) {
        n->traj = malloc(2 * (size_t)s->n * sizeof *n->traj);
        n->traj_step = malloc((size_t)s->n * sizeof *n->traj_step);
        rc = n->traj && n->traj_step ? gf_land_pca(m, s->v, s->n, theta1, n->traj, n->share, why,
                                                   sizeof why)
                                     : -1;
        if (rc == 0) {
            memcpy(n->traj_step, s->step, (size_t)s->n * sizeof *s->step);
            n->n_traj = s->n;
        }
    }
    if (rc != 0)
        cli_error(CMD, "%s: %s", n->name, why);
    gsl_rng_free(rng);
    free(d1);
    free(d2);
    free(theta1);
    gf_tape_free(tape);
    return rc;
}

/* Room for a net's arrays. 0, or -1. */
static int net_alloc(land_net *n, const land_result *res, int max_sharp)
{
    const size_t G2 = (size_t)res->grid * (size_t)res->grid;
    n->path_loss = calloc((size_t)res->n_path, sizeof *n->path_loss);
    n->path_err = calloc((size_t)res->n_path, sizeof *n->path_err);
    n->surf_loss = calloc(G2, sizeof *n->surf_loss);
    n->surf_err = calloc(G2, sizeof *n->surf_err);
    n->sharp = calloc((size_t)max_sharp, sizeof *n->sharp);
    return n->path_loss && n->path_err && n->surf_loss && n->surf_err && n->sharp ? 0 : -1;
}

/* Load or train one net and measure it. 0, or -1 after a message. */
static int one_net(const landscape_options *o, land_result *res, land_net *n,
                   const gf_dataset *train_set, const gf_dataset *images, const gf_dataset *hess)
{
    if (net_alloc(n, res, (int)o->t.train.epochs + 2) != 0)
        return cli_error(CMD, "out of memory");
    snaps s = {0};
    double *theta0 = NULL;
    gf_model *m = get_net(o, train_set, hess, n, &s, &theta0);
    const int rc = m ? measure_net(o, res, n, m, theta0, images, &s) : -1;
    free(s.v);
    free(s.step);
    free(theta0);
    gf_model_free(m);
    return rc;
}

/* The shared axes: alpha = (i - 5) / 20, i = 0..35 (so 0 and 1 exactly), and
 * the surface's coordinates span (2i / (G - 1) - 1) (0 exactly at the middle). */
static int axes(const landscape_options *o, land_result *res)
{
    res->n_path = 36;
    res->grid = (int)o->grid;
    res->alpha = malloc((size_t)res->n_path * sizeof *res->alpha);
    res->coords = malloc((size_t)res->grid * sizeof *res->coords);
    if (!res->alpha || !res->coords)
        return -1;
    for (int i = 0; i < res->n_path; i++)
        res->alpha[i] = (i - 5) / 20.0;
    for (int i = 0; i < res->grid; i++)
        res->coords[i] = o->span * (2.0 * i / (res->grid - 1) - 1.0);
    return 0;
}

int landscape_measure(const landscape_options *o, land_result *res)
{
    gf_dataset train = {0}, test = {0}, images = {0}, hess = {0};
    /* the test set is not used, but the synthetic set's split depends on its size */
    if (cli_train_data(CMD, &o->t, o->c.quiet, &train, &test, &res->data_name) != 0)
        return -1;
    res->ntrain = (long)train.n;
    res->images = o->images < res->ntrain ? o->images : res->ntrain;
    res->hess_images = o->hess_images < res->ntrain ? o->hess_images : res->ntrain;
    res->momentum = o->t.train.optim.kind == GF_OPTIM_SGD ? o->t.train.optim.momentum : 0.0;
    int rc = 0;
    if (gf_dataset_slice(&images, &train, 0, (size_t)o->images < train.n ? (size_t)o->images
                                                                          : train.n) != 0 ||
        gf_dataset_slice(&hess, &train, 0, (size_t)o->hess_images < train.n
                                               ? (size_t)o->hess_images : train.n) != 0 ||
        axes(o, res) != 0 ||
        !(res->nets = calloc((size_t)(o->c.n_archs * o->n_depths), sizeof *res->nets)))
        rc = cli_error(CMD, "out of memory");
    for (int d = 0; rc == 0 && d < o->n_depths; d++)
        for (int a = 0; rc == 0 && a < o->c.n_archs; a++) {
            land_net *n = &res->nets[res->n_nets++];
            n->arch = (gf_arch)o->c.archs[a];
            n->depth = o->depths[d];
            n->seed = o->c.seed;
            snprintf(n->name, sizeof n->name, "%s-%d", gf_arch_names[n->arch], n->depth);
            rc = one_net(o, res, n, &train, &images, &hess);
        }
    gf_dataset_release(&train);
    gf_dataset_release(&test);
    gf_dataset_release(&images);
    gf_dataset_release(&hess);
    return rc;
}

void landscape_release(land_result *res)
{
    for (int i = 0; i < res->n_nets; i++) {
        land_net *n = &res->nets[i];
        free(n->path_loss);
        free(n->path_err);
        free(n->surf_loss);
        free(n->surf_err);
        free(n->traj);
        free(n->traj_step);
        free(n->sharp);
    }
    free(res->nets);
    free(res->alpha);
    free(res->coords);
}
