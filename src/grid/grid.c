/* grid.c: the training harness: train every (architecture, depth, seed)
 * with the same settings (models of the family "mlp", built through the
 * model interface) and keep what each trainer recorded. */
#include "grid/gf_grid.h"
#include "model/gf_model.h"

#include "io/gf_io.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Copy what the trainer recorded into r (the trainer is freed after its net). */
static int copy_out(gf_grid_net *r, const gf_trainer *t, const gf_params *params)
{
    r->epochs_done = gf_trainer_epochs_done(t);
    memcpy(r->hist, gf_trainer_history(t), (size_t)r->epochs_done * sizeof *r->hist);
    size_t np, nn;
    const gf_train_probe *p = gf_trainer_probes(t, &np);
    const gf_train_param_norm *q = gf_trainer_param_norms(t, &nn);
    gf_train_probe *pc = realloc(r->probes, (np ? np : 1) * sizeof *pc);
    if (pc)
        r->probes = pc;
    gf_train_param_norm *qc = realloc(r->pnorms, (nn ? nn : 1) * sizeof *qc);
    if (qc)
        r->pnorms = qc;
    if (!r->slot_names)
        r->slot_names = malloc(params->n_slots * sizeof *r->slot_names);
    if (!pc || !qc || !r->slot_names)
        return -1;
    memcpy(r->probes, p, np * sizeof *pc);
    memcpy(r->pnorms, q, nn * sizeof *qc);
    r->n_probes = np;
    r->n_pnorms = nn;
    for (size_t i = 0; i < params->n_slots; i++)
        memcpy(r->slot_names[i], params->slot[i].name, sizeof r->slot_names[i]);
    return 0;
}

/* The net at initialization, evaluated as the trainer evaluates after an
 * epoch (an -sd net with its branches scaled by their survival): r->init. */
static int eval_init(gf_grid_net *r, gf_model *m, const gf_grid_spec *sp,
                     const double *survival)
{
    const gf_block_plan scaled = {.branch_scale = survival};
    const gf_block_plan *plan = survival ? &scaled : NULL;
    const size_t batch = sp->train.eval_batch ? sp->train.eval_batch : 256;
    gf_tape *tape = gf_tape_alloc(0);
    gf_epoch_stats *e = &r->init;
    memset(e, 0, sizeof *e);
    e->lr = e->train_loss_running = e->grad_norm = e->test_loss = e->test_err = NAN;
    const double t0 = gf_now();
    int rc = tape ? 0 : -1;
    if (rc == 0)
        rc = gf_evaluate(m, tape, sp->train_set, batch, plan, &e->train_loss, &e->train_err);
    if (rc == 0 && sp->test_set)
        rc = gf_evaluate(m, tape, sp->test_set, batch, plan, &e->test_loss, &e->test_err);
    e->eval_seconds = gf_now() - t0;
    r->has_init = rc == 0;
    gf_tape_free(tape);
    return rc;
}

/* Train one net and seed; -1 only for failures that end the experiment (a
 * diverging net is recorded in r). */
static int train_one(gf_grid_result *res, gf_grid_net *r, char *why, size_t size)
{
    const gf_grid_spec *sp = &res->spec;
    char path[GF_PATH_MAX] = "";
    gf_stack_config cfg = sp->base;
    cfg.arch = r->arch;
    cfg.depth = r->depth;
    cfg.in_dim = sp->train_set->dim;
    cfg.classes = sp->train_set->classes;
    char reason[GF_PATH_MAX + 256]; /* the checkpoint's path and why it was refused */
    gf_model *m = gf_arch_model_alloc(&cfg, reason, sizeof reason);
    gsl_rng *rng = gf_rng_alloc((unsigned long)r->seed);
    gf_train_config tc = sp->train;
    tc.seed = (unsigned long)r->seed;
    const int blocks = m ? gf_model_blocks(m) : 0;
    double *survival = r->stochastic_depth ? malloc((size_t)blocks * sizeof *survival) : NULL;
    if (survival)
        gf_survival_fill(sp->survival, sp->p_last, blocks, survival);
    tc.survival = survival;
    gf_trainer *t = NULL;
    int rc = -1;
    if (!m || !rng || (r->stochastic_depth && !survival)) {
        snprintf(why, size, "%s: %s", r->name, m ? "out of memory" : reason);
        goto out;
    }
    if (gf_model_init(m, rng) != 0) {
        snprintf(why, size, "%s: initialization failed", r->name);
        goto out;
    }
    if (sp->eval_init && eval_init(r, m, sp, survival) != 0) {
        snprintf(why, size, "%s: evaluation at initialization failed (out of memory?)", r->name);
        goto out;
    }
    if (!(t = gf_trainer_alloc(m, sp->train_set, sp->test_set, &tc, why, size)))
        goto out;
    r->steps_per_epoch = gf_trainer_steps_per_epoch(t);
    if (sp->out && sp->checkpoints)
        snprintf(path, sizeof path, "%s/checkpoints/%s-seed%ld.safetensors", sp->out, r->name,
                 r->seed);
    if (*path && sp->resume && access(path, F_OK) == 0) {
        if (gf_trainer_load(t, path, reason, sizeof reason) != 0) {
            snprintf(why, size, "cannot resume: %s", reason); /* the reason names the file */
            goto out;
        }
        r->resumed_from = gf_trainer_epochs_done(t);
    }
    if (sp->on_run)
        sp->on_run(sp->ctx, r, (int)(r - res->runs), res->n_runs);
    gf_trainer_on_step(t, sp->on_step, sp->ctx);
    if (copy_out(r, t, gf_model_params(m)) != 0) {
        snprintf(why, size, "out of memory");
        goto out;
    }
    while (gf_trainer_epochs_done(t) < tc.epochs) {
        if (gf_trainer_epoch(t, NULL, r->why, sizeof r->why) != 0) {
            r->failed = res->any_failed = 1;
            break;
        }
        if (copy_out(r, t, gf_model_params(m)) != 0) {
            snprintf(why, size, "out of memory");
            goto out;
        }
        if ((*path && gf_trainer_save(t, path, why, size) != 0) ||
            (sp->out && gf_grid_write(res, sp->out, why, size) != 0))
            goto out;
    }
    rc = copy_out(r, t, gf_model_params(m));
    if (rc != 0)
        snprintf(why, size, "out of memory");
out:
    gf_trainer_free(t);
    free(survival);
    gsl_rng_free(rng);
    gf_model_free(m);
    return rc;
}

/* How often a net of arch is trained: whole, and with stochastic depth when
 * the spec asks for it and the net has branches to drop. */
static int variants(const gf_grid_spec *spec, gf_arch arch)
{
    return spec->survival != GF_SURVIVAL_NONE && gf_arch_residual(arch) ? 2 : 1;
}

int gf_grid_train(const gf_grid_spec *spec, gf_grid_result *res, char *why,
                       size_t size)
{
    memset(res, 0, sizeof *res);
    res->spec = *spec;
    const double t0 = gf_now();
    for (int a = 0; a < spec->n_archs; a++)
        res->n_runs += spec->n_depths * spec->seeds * variants(spec, spec->archs[a]);
    res->runs = calloc((size_t)(res->n_runs > 0 ? res->n_runs : 1), sizeof *res->runs);
    if (!res->runs) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    if (spec->out && spec->checkpoints) {
        char dir[GF_PATH_MAX];
        snprintf(dir, sizeof dir, "%s/checkpoints", spec->out);
        if (gf_make_dirs(dir) != 0) {
            snprintf(why, size, "cannot use folder '%s': %s", dir, strerror(errno));
            return -1;
        }
    }
    int i = 0;
    for (int a = 0; a < spec->n_archs; a++)
        for (int d = 0; d < spec->n_depths; d++)
            for (int sd = 0; sd < variants(spec, spec->archs[a]); sd++)
                for (int k = 0; k < spec->seeds; k++, i++) {
                    gf_grid_net *r = &res->runs[i];
                    r->arch = spec->archs[a];
                    r->depth = spec->depths[d];
                    r->seed = spec->seed0 + k;
                    r->stochastic_depth = sd;
                    snprintf(r->name, sizeof r->name, "%s-%d%s", gf_arch_names[r->arch],
                             r->depth, sd ? "-sd" : "");
                    if (!(r->hist = calloc((size_t)spec->train.epochs, sizeof *r->hist))) {
                        snprintf(why, size, "out of memory");
                        return -1;
                    }
                }
    for (i = 0; i < res->n_runs; i++)
        if (train_one(res, &res->runs[i], why, size) != 0)
            return -1;
    res->wall_seconds = gf_now() - t0;
    return 0;
}

void gf_grid_release(gf_grid_result *res)
{
    for (int i = 0; res->runs && i < res->n_runs; i++) {
        free(res->runs[i].hist);
        free(res->runs[i].probes);
        free(res->runs[i].pnorms);
        free(res->runs[i].slot_names);
    }
    free(res->runs);
    memset(res, 0, sizeof *res);
}

void gf_grid_final(const gf_grid_result *res, gf_arch arch, int depth, double *train_mean,
                      double *train_sd, double *test_mean, double *test_sd, int *n)
{
    char net[GF_NET_NAME_MAX];
    snprintf(net, sizeof net, "%s-%d", gf_arch_names[arch], depth);
    gf_grid_final_net(res, net, train_mean, train_sd, test_mean, test_sd, n);
}

void gf_grid_final_net(const gf_grid_result *res, const char *net, double *train_mean,
                          double *train_sd, double *test_mean, double *test_sd, int *n)
{
    double s[2] = {0, 0}, ss[2] = {0, 0};
    int k = 0;
    for (int i = 0; i < res->n_runs; i++) {
        const gf_grid_net *r = &res->runs[i];
        if (strcmp(r->name, net) != 0 || r->failed || r->epochs_done < res->spec.train.epochs)
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
    for (int j = 0; j < 2; j++) { /* sample variance: (sum v^2 - k mean^2) / (k - 1) */
        mean[j] = k ? s[j] / k : NAN;
        sd[j] = k > 1 ? sqrt(fmax(0.0, (ss[j] - k * mean[j] * mean[j]) / (k - 1))) : 0.0;
    }
    *train_mean = mean[0];
    *train_sd = sd[0];
    *test_mean = mean[1];
    *test_sd = sd[1];
    *n = k;
}

int gf_grid_gradient_ends(const gf_grid_net *r, double *first, double *last)
{
    int B = 0; /* the last block boundary probed: (depth - 2) / 2 for the stacks, not for DenseNet */
    long s0 = -1, s1 = -1;
    for (size_t j = 0; j < r->n_probes; j++) {
        s0 = s0 < 0 ? r->probes[j].step : s0;
        s1 = r->probes[j].step;
        if (r->probes[j].kind == GF_PROBE_BLOCK && r->probes[j].block > B)
            B = r->probes[j].block;
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

int gf_grid_deepest(const gf_grid_result *res)
{
    int best = -1;
    for (int d = 0; d < res->spec.n_depths; d++)
        best = res->spec.depths[d] > best ? res->spec.depths[d] : best;
    return best;
}
