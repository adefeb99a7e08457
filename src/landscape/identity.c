/* identity.c: a model's blocks asked to be the identity, or a map far from
 * it (syllabus section 3: with y = F(x) + x the identity is F = 0). */
#include "gf_landscape.h"

#include "train/gf_train.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const gf_land_target_names[] = {"identity", "teacher", NULL};

typedef struct id_data {
    double *x, *y;       /* samples x D each */
    double y_ms;         /* mean of y^2 */
} id_data;

/* Inputs |N(0, 1)|; targets x or sqrt(2) relu(Q x), Q orthogonal. */
static int make_data(id_data *d, size_t n, size_t D, gf_land_target target, gsl_rng *rng)
{
    d->x = malloc(n * D * sizeof *d->x);
    d->y = malloc(n * D * sizeof *d->y);
    double *q = malloc(D * D * sizeof *q);
    if (!d->x || !d->y || !q || gf_init_linear(GF_INIT_ORTHOGONAL, q, NULL, D, D, rng) != 0) {
        free(q);
        return -1;
    }
    for (size_t i = 0; i < n * D; i++)
        d->x[i] = fabs(gsl_ran_gaussian_ziggurat(rng, 1.0));
    double ms = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t r = 0; r < D; r++) {
            double v = d->x[i * D + r];
            if (target == GF_TARGET_TEACHER) {
                v = 0.0;
                for (size_t c = 0; c < D; c++)
                    v += q[r * D + c] * d->x[i * D + c];
                v = v > 0.0 ? sqrt(2.0) * v : 0.0;
            }
            d->y[i * D + r] = v;
            ms += v * v;
        }
    d->y_ms = ms / (double)(n * D);
    free(q);
    return 0;
}

/* The blocks' mean squared error on rows idx (NULL: the first n) over y_ms. */
static gf_tensor *blocks_loss(gf_model *m, gf_tape *tape, const id_data *d, const size_t *idx,
                              size_t n, size_t D)
{
    gf_tape_reset(tape);
    gf_tensor *x = gf_tape_input(tape, n, D), *y = gf_tape_input(tape, n, D);
    if (!x || !y)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const size_t r = idx ? idx[i] : i;
        memcpy(x->v + i * D, d->x + r * D, D * sizeof *x->v);
        memcpy(y->v + i * D, d->y + r * D, D * sizeof *y->v);
    }
    gf_tensor *h = x;
    for (int l = 0; l < gf_model_blocks(m); l++)
        h = gf_model_block(m, tape, l, h);
    return gf_scale(tape, gf_mse(tape, h, y), 1.0 / d->y_ms);
}

/* The steps; 0, or -1 with a reason. */
static int train(gf_model *m, const gf_identity_spec *s, const id_data *d, gf_tape *tape,
                 gsl_rng *rng, gf_identity_result *r, char *why, size_t size)
{
    const size_t D = gf_model_in_dim(m);
    gf_optim opt;
    gf_optim_config oc = gf_optim_config_default(GF_OPTIM_ADAM);
    size_t *idx = malloc(s->batch * sizeof *idx);
    if (!idx || gf_optim_init(&opt, &oc, gf_model_params(m)) != 0) {
        free(idx);
        snprintf(why, size, "out of memory");
        return -1;
    }
    int rc = 0;
    for (long t = 0; t <= s->steps && rc == 0; t++) {
        if (t % s->record_every == 0 || t == s->steps) { /* the loss over every sample */
            gf_model_set_training(m, 0);
            gf_tensor *l = blocks_loss(m, tape, d, NULL, s->samples, D);
            if (!l || !isfinite(l->v[0])) {
                snprintf(why, size, "step %ld: %s", t, l ? "the loss is not finite"
                                                         : gf_tape_error(tape));
                rc = -1;
                break;
            }
            if (t % s->record_every == 0)
                r->curve[r->n_curve++] = l->v[0];
            if (r->steps_to < 0 && l->v[0] <= s->threshold)
                r->steps_to = t;
            r->loss_final = l->v[0];
        }
        if (t == s->steps)
            break;
        for (size_t i = 0; i < s->batch; i++)
            idx[i] = gsl_rng_uniform_int(rng, s->samples);
        gf_model_set_training(m, 1);
        gf_tensor *l = blocks_loss(m, tape, d, idx, s->batch, D);
        if (!l || gf_tape_backward(tape, l) != 0) {
            snprintf(why, size, "step %ld: %s", t, gf_tape_error(tape));
            rc = -1;
        } else
            gf_optim_step(&opt, gf_model_params(m), s->lr, gf_tape_pass(tape));
    }
    gf_optim_release(&opt);
    free(idx);
    return rc;
}

int gf_identity_run(gf_model *m, const gf_identity_spec *s, gf_identity_result *r, char *why,
                    size_t size)
{
    memset(r, 0, sizeof *r);
    r->steps_to = -1;
    const size_t D = gf_model_in_dim(m);
    id_data d = {0};
    gsl_rng *rng = gf_rng_alloc(gf_seed_stream(s->seed, 77));
    gf_tape *tape = gf_tape_alloc(0);
    double *theta0 = gf_land_state(m);
    r->curve = malloc(((size_t)(s->steps / s->record_every) + 2) * sizeof *r->curve);
    int rc = -1;
    if (!rng || !tape || !theta0 || !r->curve || make_data(&d, s->samples, D, s->target, rng))
        snprintf(why, size, "out of memory");
    else if ((rc = train(m, s, &d, tape, rng, r, why, size)) == 0) {
        r->loss0 = r->curve[0];
        const gf_params *p = gf_model_params(m);
        r->moved = gf_land_distance(m, p->value, theta0) / gf_land_distance(m, theta0, NULL);
    }
    free(d.x);
    free(d.y);
    free(theta0);
    gf_tape_free(tape);
    gsl_rng_free(rng);
    if (rc != 0) /* a failed run holds nothing to release */
        gf_identity_release(r);
    return rc;
}

void gf_identity_release(gf_identity_result *r)
{
    free(r->curve);
    r->curve = NULL;
}

void gf_identity_curve_rows(FILE *f, const char *net, int blocks, const char *target,
                            const gf_identity_result *const *runs, int k, long record_every)
{
    for (int s = 0; k > 0 && s < runs[0]->n_curve; s++) {
        double sum = 0.0, lo = INFINITY, hi = -INFINITY;
        for (int j = 0; j < k; j++) {
            const double v = runs[j]->curve[s];
            sum += v;
            lo = fmin(lo, v);
            hi = fmax(hi, v);
        }
        fprintf(f, "%s\t%d\t%s\t%ld", net, blocks, target, s * record_every);
        gf_tsv_put(f, sum / k);
        gf_tsv_put(f, lo);
        gf_tsv_put(f, hi);
        fputc('\n', f);
    }
}
