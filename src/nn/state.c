/* state.c: a stack's state and configuration in safetensors files, and layer names. */
#include "nn/gf_nn.h"

#include <math.h>
#include <stdio.h>
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
    const gf_params *p = &s->params;
    for (size_t i = 0; i < p->n_slots; i++) {
        const gf_slot *sl = &p->slot[i];
        const int64_t shape[2] = {(int64_t)sl->rows, (int64_t)sl->cols};
        int rc;
        if (sl->kind == GF_SLOT_COUNT_I64) { /* num_batches_tracked: an int64 scalar */
            counts[i] = (int64_t)llround(sl->t.v[0]);
            rc = gf_st_add(st, sl->name, GF_ST_I64, 0, shape, &counts[i]);
        } else if (sl->vector) {
            rc = gf_st_add(st, sl->name, GF_ST_F64, 1, shape + 1, sl->t.v);
        } else {
            rc = gf_st_add(st, sl->name, GF_ST_F64, 2, shape, sl->t.v);
        }
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* The configuration as (key, value) text pairs, in a fixed order. */
enum { N_META = 11 };
static void config_pairs(const gf_stack_config *c, const char *key[N_META],
                         char value[N_META][32])
{
    static const char *const keys[N_META] = {"arch", "depth", "width", "input_dim", "classes",
                                              "init", "norm", "act", "zero_init_residual",
                                              "bn_momentum", "eps"};
    for (int i = 0; i < N_META; i++)
        key[i] = keys[i];
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
    for (int i = 0; i < N_META; i++) {
        const char *have = json_string_value(json_object_get(st->metadata, key[i]));
        if (!have) {
            snprintf(why, size, "the file does not record the network's %s", key[i]);
            return -1;
        }
        if (strcmp(have, value[i]) != 0) {
            snprintf(why, size, "%s is %s in the file, %s here", key[i], have, value[i]);
            return -1;
        }
    }
    return 0;
}

int gf_stack_state_load(gf_stack *s, const gf_st_file *st, char *why, size_t size)
{
    gf_params *p = &s->params;
    for (size_t i = 0; i < p->n_slots; i++) {
        gf_slot *sl = &p->slot[i];
        const gf_st_entry *e = gf_st_find(st, sl->name);
        const int want_rank = sl->kind == GF_SLOT_COUNT_I64 ? 0 : sl->vector ? 1 : 2;
        const int64_t want[2] = {(int64_t)sl->rows, (int64_t)sl->cols};
        const int64_t *shape = want_rank == 1 ? want + 1 : want;
        int ok = e && e->rank == want_rank &&
                 e->dtype == (sl->kind == GF_SLOT_COUNT_I64 ? GF_ST_I64 : GF_ST_F64);
        for (int k = 0; ok && k < want_rank; k++)
            ok = e->shape[k] == shape[k];
        if (!ok) {
            snprintf(why, size, "%s: %s", sl->name,
                     e ? "wrong type or shape in the file" : "missing from the file");
            return -1;
        }
        if (sl->kind == GF_SLOT_COUNT_I64) {
            int64_t count;
            memcpy(&count, e->data, sizeof count);
            sl->t.v[0] = (double)count;
        } else {
            memcpy(sl->t.v, e->data, sl->rows * sl->cols * sizeof(double));
        }
    }
    return 0;
}
