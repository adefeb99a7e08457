/* gradnorm.c: running the gradient-norm experiment (see gf_gradnorm.h). */
#include "gradnorm/gf_gradnorm.h"

#include "io/gf_io.h"
#include "model/gf_model.h"
#include "gf_version.h"
#include "theory/gf_theory.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gf_gradnorm_release(gf_gradnorm_result *res)
{
    free(res->probe);
    free(res->param);
    free(res->loss);
    free(res->theory);
    free(res->theory_why);
    memset(res, 0, sizeof *res);
}

/* The safetensors path for one architecture: the given path when one ran,
 * else with "-ARCH" before the extension. */
static void save_path(char *buf, size_t size, const char *path, const char *arch, int several)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (!several)
        snprintf(buf, size, "%s", path);
    else if (dot && (!slash || dot > slash))
        snprintf(buf, size, "%.*s-%s%s", (int)(dot - path), path, arch, dot);
    else
        snprintf(buf, size, "%s-%s", path, arch);
}

/* The model as gf_model_export writes it (family, configuration, state:
 * parameters and batch-norm buffers), so gf_model_open reads the network
 * back; the parameters' gradients as "grad.<name>", the input, the labels
 * and every recorded gradient, under state_dict names, at true scale. */
static int save_run(const char *path, gf_model *m, const gf_tensor *x, const int *labels,
                    const gf_recorder *rec, const gf_tensor *loss, unsigned long seed, int bn_eval,
                    char *why, size_t size)
{
    gf_st_file st;
    gf_st_init(&st);
    const gf_params *p = gf_model_params(m);
    size_t extra = x->n + p->size;
    for (size_t i = 0; i < rec->n; i++)
        extra += rec->rec[i].n * rec->rec[i].d;
    double *buf = malloc(extra * sizeof *buf), *cursor = buf;
    char text[64];
    snprintf(text, sizeof text, "%.17g", loss->v[0]);
    int ok = buf && gf_st_add_meta(&st, "loss", text) == 0 && gf_model_export(m, &st) == 0;
    char name[128];
    for (size_t i = 0; ok && i < p->n_slots; i++) {
        const gf_slot *sl = &p->slot[i];
        if (sl->kind != GF_SLOT_PARAM)
            continue;
        int64_t shape[4];
        const int rank = gf_slot_shape(sl, shape);
        gf_tensor_grad_export(&sl->t, cursor);
        snprintf(name, sizeof name, "grad.%s", sl->name);
        ok = gf_st_add(&st, name, GF_ST_F64, rank, shape, cursor) == 0;
        cursor += sl->rows * sl->cols;
    }
    const int64_t xshape[2] = {(int64_t)x->n, (int64_t)x->d};
    ok = ok && gf_st_add(&st, "input", GF_ST_F64, 2, xshape, x->v) == 0;
    if (ok) {
        int64_t *lab = (int64_t *)cursor;
        for (size_t i = 0; i < x->n; i++)
            lab[i] = labels[i];
        cursor += x->n;
        ok = gf_st_add(&st, "labels", GF_ST_I64, 1, xshape, lab) == 0;
    }
    const gf_tensor *block_input = NULL; /* x.l of the block being saved */
    for (size_t i = 0; ok && i < rec->n; i++) {
        const gf_probe_record *r = &rec->rec[i];
        if (r->kind == GF_PROBE_BLOCK)
            block_input = r->tensor;
        else if (r->tensor == block_input)
            continue; /* fc1's input is x.l itself in plain and resnet: saved once */
        char pname[96];
        gf_probe_name(r, pname, sizeof pname);
        snprintf(name, sizeof name, "grad.%s", pname);
        gf_tensor_grad_export(r->tensor, cursor);
        const int64_t shape[2] = {(int64_t)r->n, (int64_t)r->d};
        ok = gf_st_add(&st, name, GF_ST_F64, 2, shape, cursor) == 0;
        cursor += r->n * r->d;
    }
    ok = ok && gf_st_add_meta(&st, "batchnorm", bn_eval ? "eval" : "train") == 0 &&
         gf_st_add_meta(&st, "format", "gradflow gradnorm export") == 0 &&
         gf_st_add_meta(&st, "gradflow_version", GF_VERSION) == 0;
    snprintf(text, sizeof text, "%lu", seed);
    ok = ok && gf_st_add_meta(&st, "seed", text) == 0;
    const int rc = gf_st_save(&st, ok, "", path, why, size); /* st points into buf */
    free(buf);
    return rc;
}

/* The first block boundary whose activations are not all finite, or -1. */
static int first_nonfinite_block(const gf_recorder *rec)
{
    for (size_t i = 0; i < rec->n; i++) {
        const gf_probe_record *r = &rec->rec[i];
        if (r->kind != GF_PROBE_BLOCK)
            continue;
        for (size_t k = 0; k < r->n * r->d; k++)
            if (!isfinite(r->tensor->v[k]))
                return r->block;
    }
    return -1;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 256;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* One seed of model m (architecture a): initialize, forward, loss,
 * backward; append probes and params. */
static int run_one(const gf_gradnorm_spec *sp, gf_gradnorm_result *res, gf_model *m, int a, int k,
                   gf_tape *tape, gf_recorder *rec, size_t *cap_probe, size_t *cap_param,
                   double *x_buf, int *labels, char *why, size_t size)
{
    const size_t in_dim = gf_model_in_dim(m);
    gf_params *params = gf_model_params(m);
    char name[GF_NET_NAME_MAX];
    gf_model_name(m, name, sizeof name);
    const unsigned long seed = sp->seed0 + (unsigned long)k;
    gsl_rng *rng = gf_rng_alloc(seed);
    int rc = -1;
    if (!rng) {
        snprintf(why, size, "out of memory");
        goto done;
    }
    if (!sp->load && gf_model_init(m, rng) != 0) {
        snprintf(why, size, "initialization failed");
        goto done;
    }
    gf_dataset_sample(sp->data, rng, sp->batch, x_buf, labels);
    gf_tape_reset(tape);
    gf_tensor *x = gf_tape_input(tape, sp->batch, in_dim);
    if (x)
        memcpy(x->v, x_buf, sp->batch * in_dim * sizeof *x_buf);
    gf_model_set_training(m, !sp->bn_eval);
    gf_tensor *logits = x ? gf_model_forward(m, tape, x, rec, NULL) : NULL;
    gf_tensor *loss = gf_softmax_xent(tape, logits, labels);
    if (loss && !isfinite(loss->v[0])) {
        snprintf(why, size, "%s, seed %lu: the forward pass overflowed (x_%d is not finite); "
                 "try a smaller depth, a normalization or another init",
                 name, seed, first_nonfinite_block(rec));
        goto done;
    }
    if (!loss || gf_tape_backward(tape, loss) != 0) {
        snprintf(why, size, "forward or backward failed for %s: %s", name,
                 gf_tape_error(tape));
        goto done;
    }
    res->loss[a * sp->seeds + k] = loss->v[0];
    if (grow((void **)&res->probe, cap_probe, res->n_probes + rec->n, sizeof *res->probe) != 0 ||
        grow((void **)&res->param, cap_param, res->n_params + params->n_slots,
             sizeof *res->param) != 0) {
        snprintf(why, size, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < rec->n; i++) {
        gf_gradnorm_probe *p = &res->probe[res->n_probes++];
        p->arch = a;
        p->seed = k;
        p->rec = rec->rec[i];
        p->rec.tensor = NULL;
        if (!p->rec.observed) /* backward never reached it: no norm, not a zero one */
            p->rec.log2_frob = p->rec.log2_sample_mean = p->rec.log2_rms = NAN;
    }
    for (size_t i = 0; i < params->n_slots; i++) {
        const gf_slot *sl = &params->slot[i];
        gf_gradnorm_param *p = &res->param[res->n_params++];
        p->arch = a;
        p->seed = k;
        p->slot = (int)i;
        snprintf(p->name, sizeof p->name, "%s", sl->name);
        p->numel = sl->rows * sl->cols;
        p->log2_grad = sl->kind == GF_SLOT_PARAM ? gf_params_grad_log2(params, (int)i) : NAN;
        p->log2_value = gf_params_value_log2(params, (int)i);
    }
    rc = 0;
    if (sp->save && k == 0) {
        char path[GF_PATH_MAX];
        save_path(path, sizeof path, sp->save, gf_arch_names[sp->archs[a]], sp->n_archs > 1);
        rc = save_run(path, m, x, labels, rec, loss, seed, sp->bn_eval, why, size);
    }
done:
    gsl_rng_free(rng);
    return rc;
}

int gf_gradnorm_run(const gf_gradnorm_spec *sp, gf_gradnorm_result *res, char *why, size_t size)
{
    memset(res, 0, sizeof *res);
    res->spec = *sp;
    if ((res->blocks = gf_arch_blocks(&sp->base, sp->archs, sp->n_archs, why, size)) < 0)
        return -1;
    if (!sp->data || sp->data->dim != sp->base.in_dim || sp->data->classes != sp->base.classes ||
        sp->batch > sp->data->n || sp->n_archs < 1 || sp->seeds < 1) {
        snprintf(why, size, "inconsistent experiment specification");
        return -1;
    }
    const int total = sp->n_archs * sp->seeds;
    res->loss = calloc((size_t)total, sizeof *res->loss);
    res->theory = malloc((size_t)(sp->n_archs * res->blocks) * sizeof *res->theory);
    res->theory_why = calloc((size_t)sp->n_archs, sizeof *res->theory_why);
    double *x_buf = malloc(sp->batch * sp->base.in_dim * sizeof *x_buf);
    int *labels = malloc(sp->batch * sizeof *labels);
    gf_tape *tape = gf_tape_alloc(0);
    gf_recorder rec;
    gf_recorder_init(&rec);
    int rc = 0;
    if (!res->loss || !res->theory || !res->theory_why || !x_buf || !labels || !tape) {
        snprintf(why, size, "out of memory");
        rc = -1;
    }
    for (int a = 0; rc == 0 && a < sp->n_archs; a++) {
        gf_stack_config c = sp->base;
        c.arch = sp->archs[a];
        double *t = res->theory + a * res->blocks;
        char *why_not = res->theory_why[a];
        if (gf_theory_block_gains(&c, t, why_not, sizeof res->theory_why[a]) != 0)
            for (int l = 0; l < res->blocks; l++)
                t[l] = NAN;
    }
    size_t cap_probe = 0, cap_param = 0;
    for (int a = 0; rc == 0 && a < sp->n_archs; a++) {
        gf_stack_config c = sp->base;
        c.arch = sp->archs[a];
        /* one per architecture, initialized per seed */
        gf_model *m = sp->load ? gf_arch_model_open(sp->load, &c, NULL, why, size)
                               : gf_arch_model_alloc(&c, why, size);
        if (!m)
            rc = -1;
        for (int k = 0; rc == 0 && k < sp->seeds; k++) {
            rc = run_one(sp, res, m, a, k, tape, &rec, &cap_probe, &cap_param, x_buf, labels,
                         why, size);
            if (sp->progress)
                sp->progress(sp->progress_ctx, a * sp->seeds + k + 1, total);
        }
        gf_model_free(m);
    }
    gf_recorder_release(&rec);
    gf_tape_free(tape);
    free(x_buf);
    free(labels);
    if (rc != 0)
        gf_gradnorm_release(res);
    return rc;
}

const gf_probe_record *gf_gradnorm_block(const gf_gradnorm_result *res, int arch, int seed,
                                         int block)
{
    /* Records come in a fixed order per run: x.l, fc1 input, fc2 input for
     * each block, then x.B. Look there first. */
    const size_t per_run = 3 * (size_t)res->blocks + 1;
    const size_t guess = (size_t)(arch * res->spec.seeds + seed) * per_run + 3 * (size_t)block;
    if (guess < res->n_probes) {
        const gf_gradnorm_probe *p = &res->probe[guess];
        if (p->arch == arch && p->seed == seed && p->rec.kind == GF_PROBE_BLOCK &&
            p->rec.block == block)
            return &p->rec;
    }
    for (size_t i = 0; i < res->n_probes; i++) {
        const gf_gradnorm_probe *p = &res->probe[i];
        if (p->arch == arch && p->seed == seed && p->rec.kind == GF_PROBE_BLOCK &&
            p->rec.block == block)
            return &p->rec;
    }
    return NULL;
}

void gf_gradnorm_block_stats(const gf_gradnorm_result *res, int arch, int block, double *mean,
                             double *min, double *max)
{
    double s = 0.0, lo = INFINITY, hi = -INFINITY;
    int n = 0;
    for (int k = 0; k < res->spec.seeds; k++) {
        const gf_probe_record *r = gf_gradnorm_block(res, arch, k, block);
        if (!r)
            continue;
        const double v = gf_log10_of_log2(r->log2_frob);
        s += v;
        lo = fmin(lo, v);
        hi = fmax(hi, v);
        n++;
    }
    *mean = n ? s / n : NAN;
    *min = n ? lo : NAN;
    *max = n ? hi : NAN;
}
