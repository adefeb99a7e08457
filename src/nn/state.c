/* state.c: a stack's state and configuration in safetensors files (the
 * configuration as text metadata, and back; what a checkpoint records of its
 * training), and layer names. Loading a saved network is gf_model_open's. */
#include "nn/gf_nn.h"

#include <stddef.h>
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

/* The configuration as metadata, in a fixed order. */
enum { N_META = 11 };
#define AT(f) offsetof(gf_stack_config, f)
static const gf_meta_field FIELDS[N_META] = {
    {"arch", GF_META_NAME, AT(arch), gf_mlp_arch_names, 0},
    {"depth", GF_META_INT, AT(depth), NULL, 0},
    {"width", GF_META_SIZE, AT(width), NULL, 0},
    {"input_dim", GF_META_SIZE, AT(in_dim), NULL, 0},
    {"classes", GF_META_SIZE, AT(classes), NULL, 0},
    {"init", GF_META_NAME, AT(init), gf_init_names, 0},
    {"norm", GF_META_NAME, AT(norm), gf_norm_names, 0},
    {"act", GF_META_NAME, AT(act), gf_act_names, 0},
    {"zero_init_residual", GF_META_INT, AT(zero_branch), NULL, 0},
    {"bn_momentum", GF_META_DOUBLE, AT(bn_momentum), NULL, 0},
    {"eps", GF_META_DOUBLE, AT(eps), NULL, 0},
};
#undef AT

int gf_stack_config_meta(const gf_stack_config *c, gf_st_file *st)
{
    return gf_st_add_config(st, FIELDS, N_META, c);
}

int gf_stack_config_match(const gf_stack_config *c, const gf_st_file *st, char *why, size_t size)
{
    return gf_st_config_check(st, FIELDS, N_META, c, why, size);
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
    *c = (gf_stack_config){0};
    if (gf_st_config_read(st, FIELDS, N_META, c, why, size) != 0 ||
        gf_stack_config_check(c, why, size) != 0 || fits_file(c, st, why, size) != 0)
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
