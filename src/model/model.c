/* model.c: the model interface's calls, the family table, export and load. */
#include "model/gf_model.h"
#include "core/gf_conv.h"
#include "data/gf_data.h"
#include "xfmr/gf_xfmr.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const gf_model_type *const gf_model_types[] = {&gf_model_mlp, &gf_model_cnn, &gf_model_densenet,
                                                &gf_model_transformer, NULL};

/* The family files name when they name none: checkpoints written before the
 * model interface hold MLP stacks. */
static const char *const DEFAULT_FAMILY = "mlp";

const gf_model_type *gf_model_type_find(const char *name)
{
    for (int i = 0; name && gf_model_types[i]; i++)
        if (strcmp(gf_model_types[i]->name, name) == 0)
            return gf_model_types[i];
    return NULL;
}

/* Wrap a built network; frees it on failure. */
static gf_model *wrap(const gf_model_type *T, void *net, char *why, size_t size)
{
    if (!net)
        return NULL;
    gf_model *m = calloc(1, sizeof *m);
    const size_t slots = T->params(net)->n_slots;
    int64_t *counts = m ? calloc(slots ? slots : 1, sizeof *counts) : NULL;
    if (!counts) {
        free(m);
        T->free(net);
        snprintf(why, size, "out of memory for the model");
        return NULL;
    }
    *m = (gf_model){.type = T, .net = net, .training = 1, .counts = counts};
    return m;
}

gf_model *gf_model_alloc(const gf_model_type *T, const void *config, char *why, size_t size)
{
    return wrap(T, T->build(config, why, size), why, size);
}

gf_model *gf_model_alloc_seeded(const gf_model_type *T, const void *config, unsigned long seed,
                                char *why, size_t size)
{
    gf_model *m = gf_model_alloc(T, config, why, size);
    gsl_rng *rng = m ? gf_rng_alloc(seed) : NULL;
    if (m && (!rng || gf_model_init(m, rng) != 0)) {
        snprintf(why, size, "cannot initialize the net");
        gf_model_free(m);
        m = NULL;
    }
    gsl_rng_free(rng);
    return m;
}

void gf_model_free(gf_model *m)
{
    if (!m)
        return;
    m->type->free(m->net);
    free(m->counts);
    free(m);
}

int gf_model_init(gf_model *m, gsl_rng *rng) { return m->type->init(m->net, rng); }
void gf_model_name(const gf_model *m, char *buf, size_t size)
{
    m->type->name_of(m->net, buf, size);
}
int gf_model_blocks(const gf_model *m) { return m->type->blocks(m->net); }
gf_params *gf_model_params(gf_model *m) { return m->type->params(m->net); }
int gf_model_has_batchnorm(const gf_model *m) { return m->type->has_batchnorm(m->net); }
size_t gf_model_in_dim(const gf_model *m) { return m->type->in_dim(m->net); }
size_t gf_model_classes(const gf_model *m) { return m->type->classes(m->net); }
const void *gf_model_config(const gf_model *m) { return m->type->config(m->net); }
int gf_model_residual(const gf_model *m) { return m->type->residual(m->net); }

void gf_model_post_derivative(const gf_model *m, int l, const double *y, double *dst,
                              size_t count)
{
    m->type->post_derivative(m->net, l, y, dst, count);
}

void gf_model_post_identity(const void *net, int l, const double *y, double *dst, size_t count)
{
    (void)net, (void)l, (void)y;
    for (size_t i = 0; i < count; i++)
        dst[i] = 1.0;
}

int gf_model_layer(const gf_model *m, int k, gf_linear_slots *slots, char *name, size_t size)
{
    return m->type->layer(m->net, k, slots, name, size);
}

int gf_model_set_bn_momentum(gf_model *m, double momentum)
{
    if (!gf_model_has_batchnorm(m))
        return -1;
    m->type->set_bn_momentum(m->net, momentum);
    return 0;
}

double gf_model_bn_momentum(const gf_model *m)
{
    return gf_model_has_batchnorm(m) ? m->type->bn_momentum(m->net) : NAN;
}

/* The tape, its threads set for m's family (gf_model_type.team). */
static gf_tape *for_family(const gf_model *m, gf_tape *tape)
{
    if (tape)
        gf_tape_set_threads(tape, m->type->team ? gf_conv_threads() : 1);
    return tape;
}

gf_tensor *gf_model_forward(gf_model *m, gf_tape *tape, gf_tensor *x, gf_recorder *rec,
                            const gf_block_plan *plan)
{
    return m->type->forward(m->net, for_family(m, tape), x, m->training, rec, plan);
}

gf_tensor *gf_model_stem(gf_model *m, gf_tape *tape, gf_tensor *x)
{
    return m->type->stem(m->net, for_family(m, tape), x, m->training);
}

gf_tensor *gf_model_block(gf_model *m, gf_tape *tape, int l, gf_tensor *x)
{
    return m->type->block(m->net, for_family(m, tape), l, x, m->training);
}

gf_tensor *gf_model_branch(gf_model *m, gf_tape *tape, int l, gf_tensor *x)
{
    return m->type->branch(m->net, for_family(m, tape), l, x, m->training);
}

gf_tensor *gf_model_skip(gf_model *m, gf_tape *tape, int l, gf_tensor *x)
{
    return m->type->skip ? m->type->skip(m->net, for_family(m, tape), l, x) : x;
}

gf_tensor *gf_model_head(gf_model *m, gf_tape *tape, gf_tensor *x_B)
{
    return m->type->head(m->net, for_family(m, tape), x_B, m->training);
}

/* ---- export and load ------------------------------------------------------ */

static const char *file_family(const gf_st_file *st)
{
    const char *f = json_string_value(json_object_get(st->metadata, "family"));
    return f ? f : DEFAULT_FAMILY;
}

int gf_model_export(gf_model *m, gf_st_file *st)
{
    if (gf_st_add_meta(st, "family", m->type->name) != 0 ||
        m->type->config_meta(m->net, st) != 0)
        return -1;
    return m->type->state_add(m->net, st, m->counts);
}

int gf_model_match(const gf_model *m, const gf_st_file *st, char *why, size_t size)
{
    const char *family = file_family(st);
    if (strcmp(family, m->type->name) != 0) {
        snprintf(why, size, "the file holds a %s model, not %s", family, m->type->name);
        return -1;
    }
    return m->type->config_match(m->net, st, why, size);
}

int gf_model_load_state(gf_model *m, const gf_st_file *st, char *why, size_t size)
{
    return m->type->state_load(m->net, st, why, size);
}

gf_model *gf_model_from_file(const gf_st_file *st, char *why, size_t size)
{
    const gf_model_type *T = gf_model_type_find(file_family(st));
    if (!T) {
        snprintf(why, size, "unknown model family '%s'", file_family(st));
        return NULL;
    }
    gf_model *m = wrap(T, T->build_from_meta(st, why, size), why, size);
    if (m && gf_model_load_state(m, st, why, size) != 0) {
        gf_model_free(m);
        return NULL;
    }
    return m;
}

int gf_model_save(gf_model *m, const char *path, char *why, size_t size)
{
    gf_st_file st;
    gf_st_init(&st);
    int rc = gf_model_export(m, &st);
    if (rc != 0)
        snprintf(why, size, "out of memory while exporting the model");
    else if ((rc = gf_st_write(&st, path)) != 0)
        snprintf(why, size, "cannot write %s: %s", path, strerror(errno));
    gf_st_release(&st);
    return rc;
}

gf_model *gf_model_load(const char *path, char *why, size_t size)
{
    return gf_model_open(path, NULL, NULL, NULL, why, size);
}

/* 1 when st is a bare state_dict (as PyTorch saves one: tensors, no
 * gradflow metadata, neither "family" nor "arch"). */
static int bare_state_dict(const gf_st_file *st)
{
    return !json_object_get(st->metadata, "family") && !json_object_get(st->metadata, "arch");
}

/* A bare state_dict holds m's tensors and nothing else (PyTorch's
 * strict=True); 0, or -1 naming the first stranger. */
static int only_known_tensors(gf_model *m, const gf_st_file *st, char *why, size_t size)
{
    for (size_t i = 0; i < st->n; i++)
        if (gf_params_find(gf_model_params(m), st->entry[i].name) < 0) {
            snprintf(why, size, "%s: not a tensor of this network (a state_dict must hold "
                     "exactly its tensors)", st->entry[i].name);
            return -1;
        }
    return 0;
}

/* A model of family T and configuration config holding st's state; a bare
 * state_dict is matched by its tensors' names and shapes alone. */
static gf_model *expected_from_file(const gf_model_type *T, const void *config,
                                    const gf_st_file *st, char *why, size_t size)
{
    gf_model *m = gf_model_alloc(T, config, why, size);
    const int bare = bare_state_dict(st);
    if (m && ((bare ? only_known_tensors(m, st, why, size) : gf_model_match(m, st, why, size)) != 0 ||
              gf_model_load_state(m, st, why, size) != 0)) {
        gf_model_free(m);
        return NULL;
    }
    return m;
}

gf_model *gf_model_open(const char *path, const gf_model_type *T, const void *config,
                        gf_checkpoint_info *info, char *why, size_t size)
{
    gf_st_file st;
    char reason[384];
    if (info)
        *info = (gf_checkpoint_info){.seed = -1, .epochs_done = -1};
    if (gf_st_read(&st, path, reason, sizeof reason) != 0) {
        snprintf(why, size, "%s: %s", path, reason);
        return NULL;
    }
    gf_model *m = T ? expected_from_file(T, config, &st, reason, sizeof reason)
                    : gf_model_from_file(&st, reason, sizeof reason);
    if (!m)
        snprintf(why, size, "%s: %s", path, reason);
    else if (info)
        *info = gf_checkpoint_info_read(&st);
    gf_st_release(&st);
    return m;
}

int gf_model_bn_warmup(gf_model *m, const gf_dataset *data, gsl_rng *rng, int passes,
                       size_t batch, char *why, size_t size)
{
    if (!gf_model_has_batchnorm(m) || passes <= 0)
        return 0;
    const size_t in = gf_model_in_dim(m);
    gf_tape *tape = gf_tape_alloc(0);
    double *x = malloc(batch * in * sizeof *x);
    int *y = malloc(batch * sizeof *y), rc = tape && x && y ? 0 : -1;
    const double momentum = gf_model_bn_momentum(m);
    gf_model_set_training(m, 1);
    if (rc == 0 && batch > data->n) { /* a batch of distinct samples: not more than the set */
        snprintf(why, size, "a batch-norm warm-up batch of %zu is more than the %zu samples",
                 batch, data->n);
        free(x);
        free(y);
        gf_tape_free(tape);
        return -1;
    }
    for (int t = 0; rc == 0 && t < passes; t++) {
        if (gf_dataset_sample(data, rng, batch, x, y) != 0) {
            rc = -1;
            break;
        }
        gf_tape_reset(tape);
        gf_tensor *xt = gf_tape_input(tape, batch, in);
        if (!xt) {
            rc = -1;
            break;
        }
        memcpy(xt->v, x, batch * in * sizeof *x);
        gf_model_set_bn_momentum(m, 1.0 / (t + 1.0));
        if (!gf_model_forward(m, tape, xt, NULL, NULL))
            rc = -1;
    }
    gf_model_set_bn_momentum(m, momentum);
    gf_model_set_training(m, 0);
    if (rc != 0)
        snprintf(why, size, "batch-norm warm-up failed (out of memory?)");
    free(x);
    free(y);
    gf_tape_free(tape);
    return rc;
}
