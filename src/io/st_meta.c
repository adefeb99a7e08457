/* st_meta.c: a configuration struct as safetensors metadata, from a table of
 * fields (gf_meta_field), so each model family declares its keys once. */
#include "io/gf_io.h"

#include <stdio.h>

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
