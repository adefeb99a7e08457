/* st_meta.c: a configuration struct as safetensors metadata, from a table of
 * fields (gf_meta_field), so each model family declares its keys once. */
#include "io/gf_io.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { META_WHOLE_MAX = 1 << 20 };

void gf_meta_text(const gf_meta_field *f, const void *config, char *buf, size_t size)
{
    const char *at = (const char *)config + f->offset;
    switch (f->kind) {
    case GF_META_INT: snprintf(buf, size, "%d", *(const int *)at); break;
    case GF_META_SIZE: snprintf(buf, size, "%zu", *(const size_t *)at); break;
    case GF_META_DOUBLE: snprintf(buf, size, "%.17g", *(const double *)at); break;
    case GF_META_NAME: snprintf(buf, size, "%s", f->names[*(const int *)at]); break;
    case GF_META_TEXT: snprintf(buf, size, "%s", f->names[0]); break;
    }
}

int gf_st_add_config(gf_st_file *st, const gf_meta_field *f, int n, const void *config)
{
    char text[64];
    for (int i = 0; i < n; i++) {
        gf_meta_text(&f[i], config, text, sizeof text);
        if (gf_st_add_meta(st, f[i].key, text) != 0)
            return -1;
    }
    return 0;
}

int gf_st_config_check(const gf_st_file *st, const gf_meta_field *f, int n, const void *config,
                       char *why, size_t size)
{
    char text[64];
    for (int i = 0; i < n; i++) {
        gf_meta_text(&f[i], config, text, sizeof text);
        if (!f[i].advisory && gf_st_meta_check(st, f[i].key, text, why, size) != 0)
            return -1;
    }
    return 0;
}

/* The text as field f's value in config: whole numbers of at most 2^20 in
 * magnitude (sizes not negative), finite doubles, names of f->names. 0 or -1. */
static int parse_field(const gf_meta_field *f, const char *s, void *config)
{
    char *at = (char *)config + f->offset, *end = NULL;
    if (f->kind == GF_META_NAME) {
        for (int i = 0; f->names[i]; i++)
            if (strcmp(f->names[i], s) == 0)
                return *(int *)at = i, 0;
        return -1;
    }
    if (f->kind == GF_META_DOUBLE) {
        const double v = strtod(s, &end);
        return end == s || *end || !isfinite(v) ? -1 : (*(double *)at = v, 0);
    }
    const long v = strtol(s, &end, 10);
    if (end == s || *end || v < (f->kind == GF_META_SIZE ? 0 : -META_WHOLE_MAX) ||
        v > META_WHOLE_MAX)
        return -1;
    if (f->kind == GF_META_SIZE)
        *(size_t *)at = (size_t)v;
    else
        *(int *)at = (int)v;
    return 0;
}

int gf_st_config_read(const gf_st_file *st, const gf_meta_field *f, int n, void *config,
                      char *why, size_t size)
{
    for (int i = 0; i < n; i++) {
        if (f[i].kind == GF_META_TEXT)
            continue;
        const char *s = json_string_value(json_object_get(st->metadata, f[i].key));
        if (!s && f[i].advisory)
            continue;
        if (!s) {
            snprintf(why, size, "the file does not record the network's %s", f[i].key);
            return -1;
        }
        if (parse_field(&f[i], s, config) != 0) {
            snprintf(why, size, "the network's configuration in the file is damaged (%s '%.40s')",
                     f[i].key, s);
            return -1;
        }
    }
    return 0;
}
