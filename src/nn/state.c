/* state.c: a stack's state and configuration in safetensors files (the
 * configuration as text metadata, and back; what a checkpoint records of its
 * training), and layer names. Loading a saved network is gf_model_open's. */
#include "nn/gf_nn.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gf_stack_linear_name(const gf_stack *s, int k, char *buf, size_t size)
{
    if (k <= 0)
        snprintf(buf, size, "stem");
    else if (k > 2 * s->blocks)
        snprintf(buf, size, "head");
    else
        snprintf(buf, size, "blocks.%d.fc%d", (k - 1) / 2, (k - 1) % 2 + 1);
}

int gf_stack_state_add(const gf_stack *s, gf_st_file *st, int64_t *counts)
{
    return gf_params_state_add(&s->params, st, counts);
}

int gf_params_state_add(const gf_params *p, gf_st_file *st, int64_t *counts)
{
    for (size_t i = 0; i < p->n_slots; i++) {
        const gf_slot *sl = &p->slot[i];
        int64_t shape[4];
        const int rank = gf_slot_shape(sl, shape);
        int rc;
        if (sl->kind == GF_SLOT_COUNT_I64) { /* num_batches_tracked: an int64 scalar */
            counts[i] = (int64_t)llround(sl->t.v[0]);
            rc = gf_st_add(st, sl->name, GF_ST_I64, 0, shape, &counts[i]);
        } else {
            rc = gf_st_add(st, sl->name, GF_ST_F64, rank, shape, sl->t.v);
        }
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* The configuration as (key, value) text pairs, in a fixed order. */
enum { N_META = 11 };
static const char *const META_KEYS[N_META] = {"arch", "depth", "width", "input_dim", "classes",
                                              "init", "norm", "act", "zero_init_residual",
                                              "bn_momentum", "eps"};
static void config_pairs(const gf_stack_config *c, const char *key[N_META],
                         char value[N_META][32])
{
    for (int i = 0; i < N_META; i++)
        key[i] = META_KEYS[i];
    snprintf(value[0], 32, "%s", gf_arch_names[c->arch]);
    snprintf(value[1], 32, "%d", c->depth);
    snprintf(value[2], 32, "%zu", c->width);
    snprintf(value[3], 32, "%zu", c->in_dim);
    snprintf(value[4], 32, "%zu", c->classes);
    snprintf(value[5], 32, "%s", gf_init_names[c->init]);
    snprintf(value[6], 32, "%s", gf_norm_names[c->norm]);
    snprintf(value[7], 32, "%s", gf_act_names[c->act]);
    snprintf(value[8], 32, "%d", c->zero_branch);
    snprintf(value[9], 32, "%.17g", c->bn_momentum);
    snprintf(value[10], 32, "%.17g", c->eps);
}

int gf_stack_config_meta(const gf_stack_config *c, gf_st_file *st)
{
    const char *key[N_META];
    char value[N_META][32];
    config_pairs(c, key, value);
    for (int i = 0; i < N_META; i++)
        if (gf_st_add_meta(st, key[i], value[i]) != 0)
            return -1;
    return 0;
}

int gf_stack_config_match(const gf_stack_config *c, const gf_st_file *st, char *why, size_t size)
{
    const char *key[N_META];
    char value[N_META][32];
    config_pairs(c, key, value);
    for (int i = 0; i < N_META; i++)
        if (gf_st_meta_check(st, key[i], value[i], why, size) != 0)
            return -1;
    return 0;
}

int gf_stack_state_load(gf_stack *s, const gf_st_file *st, char *why, size_t size)
{
    return gf_params_state_load(&s->params, st, why, size);
}

/* Copy a tensor's n values into dst as doubles (F32 widened exactly). */
static void copy_values(double *dst, const gf_st_entry *e, size_t n)
{
    if (e->dtype == GF_ST_F64) {
        memcpy(dst, e->data, n * sizeof *dst);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        float f;
        memcpy(&f, (const unsigned char *)e->data + i * sizeof f, sizeof f);
        dst[i] = f;
    }
}

int gf_params_state_load(gf_params *p, const gf_st_file *st, char *why, size_t size)
{
    for (size_t i = 0; i < p->n_slots; i++) {
        gf_slot *sl = &p->slot[i];
        const gf_st_entry *e = gf_st_find(st, sl->name);
        int64_t shape[4];
        const int want_rank = gf_slot_shape(sl, shape);
        const int counter = sl->kind == GF_SLOT_COUNT_I64;
        int ok = e && e->rank == want_rank &&
                 (counter ? e->dtype == GF_ST_I64 : e->dtype == GF_ST_F64 || e->dtype == GF_ST_F32);
        for (int k = 0; ok && k < want_rank; k++)
            ok = e->shape[k] == shape[k];
        if (!ok) {
            snprintf(why, size, "%s: %s", sl->name,
                     e ? "wrong type or shape in the file" : "missing from the file");
            return -1;
        }
        if (counter) {
            int64_t count;
            memcpy(&count, e->data, sizeof count);
            sl->t.v[0] = (double)count;
        } else {
            copy_values(sl->t.v, e, sl->rows * sl->cols);
        }
    }
    return 0;
}

/* ---- reading the metadata ------------------------------------------------------------ */

static const char *meta(const gf_st_file *st, const char *key)
{
    return json_string_value(json_object_get(st->metadata, key));
}

/* Refuse a configuration whose weights alone (stem, 2 per block, head) could
 * not be in the file: checked before the network is allocated, so a damaged
 * width or depth cannot ask for terabytes. */
static int fits_file(const gf_stack_config *c, const gf_st_file *st, char *why, size_t size)
{
    const double w = (double)c->width, blocks = gf_stack_blocks(c);
    const double need = w * (double)c->in_dim + 2 * blocks * w * w + (double)c->classes * w;
    const double have = gf_st_numbers(st);
    if (need <= have)
        return 0;
    snprintf(why, size,
             "its metadata (depth %d, width %zu, input_dim %zu, classes %zu) describes at least "
             "%.4g weights, but the file holds %.0f numbers",
             c->depth, c->width, c->in_dim, c->classes, need, have);
    return -1;
}

int gf_stack_config_from_meta(const gf_st_file *st, gf_stack_config *c, char *why, size_t size)
{
    const char *v[N_META];
    for (int i = 0; i < N_META; i++)
        if (!(v[i] = meta(st, META_KEYS[i]))) {
            snprintf(why, size, "the file does not record the network's %s", META_KEYS[i]);
            return -1;
        }
    const int arch = gf_name_lookup(gf_mlp_arch_names, v[0]);
    const int init = gf_name_lookup(gf_init_names, v[5]);
    const int norm = gf_name_lookup(gf_norm_names, v[6]), act = gf_name_lookup(gf_act_names, v[7]);
    char *end[6];
    const long depth = strtol(v[1], &end[0], 10); /* range-checked before it becomes an int */
    *c = (gf_stack_config){.arch = (gf_arch)arch,
                           .depth = depth >= 0 && depth <= INT_MAX ? (int)depth : -1,
                           .width = strtoul(v[2], &end[1], 10),
                           .in_dim = strtoul(v[3], &end[2], 10),
                           .classes = strtoul(v[4], &end[3], 10), .norm = (gf_norm)norm,
                           .act = (gf_act)act, .init = (gf_init)init,
                           .zero_branch = strcmp(v[8], "1") == 0,
                           .bn_momentum = strtod(v[9], &end[4]), .eps = strtod(v[10], &end[5])};
    int ok = arch >= 0 && init >= 0 && norm >= 0 && act >= 0;
    for (int i = 0; i < 6; i++)
        ok = ok && !*end[i];
    if (!ok || gf_stack_config_check(c, why, size) != 0) {
        if (!ok)
            snprintf(why, size, "the network's configuration in the file is damaged");
        return -1;
    }
    if (fits_file(c, st, why, size) != 0)
        return -1;
    return gf_stack_config_match(c, st, why, size); /* every key reads back as written */
}

/* A whole number the metadata records under key, or -1. */
static long meta_count(const gf_st_file *st, const char *key)
{
    const char *v = meta(st, key);
    char *end;
    const long n = v && *v ? strtol(v, &end, 10) : -1;
    return v && *v && !*end && n >= 0 ? n : -1;
}

gf_checkpoint_info gf_checkpoint_info_read(const gf_st_file *st)
{
    return (gf_checkpoint_info){.seed = meta_count(st, "seed"),
                                .epochs_done = meta_count(st, "epochs_done")};
}
