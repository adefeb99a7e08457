/* grid.c: a sweep's grid, parsed from "KEY=VALUES ..." (see gf_sweep.h). */
#include "sweep/gf_sweep.h"

#include "nn/gf_nn.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const gf_sweep_key_names[] = {"arch", "depth", "width", "init", "sw2", "sb2",
                                          "act", "norm", "lr", "steps", "seed", NULL};

/* The names of a name key's values, or NULL for a numeric key. */
static const char *const *names_of(gf_sweep_key k)
{
    switch (k) {
    case GF_SWEEP_ARCH: return gf_arch_names;
    case GF_SWEEP_INIT: return gf_init_names;
    case GF_SWEEP_ACT: return gf_act_names;
    case GF_SWEEP_NORM: return gf_norm_names;
    default: return NULL;
    }
}

/* Whole-number keys and their least value. */
static int whole_min(gf_sweep_key k)
{
    return k == GF_SWEEP_DEPTH || k == GF_SWEEP_WIDTH || k == GF_SWEEP_STEPS ||
                   k == GF_SWEEP_SEED ? 1 : 0;
}

void gf_sweep_grid_release(gf_sweep_grid *g)
{
    for (int i = 0; i < g->n_axes; i++)
        free(g->axis[i].v);
    memset(g, 0, sizeof *g);
}

const gf_sweep_axis *gf_sweep_grid_axis(const gf_sweep_grid *g, gf_sweep_key key)
{
    for (int i = 0; i < g->n_axes; i++)
        if (g->axis[i].key == key)
            return &g->axis[i];
    return NULL;
}

/* One number of key k: finite, whole where k wants it, not negative for
 * variances and rates. 0 or -1 with a reason. */
static int number(gf_sweep_key k, const char *s, size_t len, double *out, char *why, size_t size)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf) {
        snprintf(why, size, "%s: '%.*s' is not a number", gf_sweep_key_names[k], (int)len, s);
        return -1;
    }
    memcpy(buf, s, len);
    buf[len] = 0;
    char *end;
    errno = 0;
    const double v = strtod(buf, &end);
    if (*end || errno || !isfinite(v)) {
        snprintf(why, size, "%s: '%s' is not a number", gf_sweep_key_names[k], buf);
        return -1;
    }
    if (whole_min(k) && (v != floor(v) || v < 1 || v > 1e9)) {
        snprintf(why, size, "%s: '%s' is not a whole number from 1", gf_sweep_key_names[k], buf);
        return -1;
    }
    if (v < 0) {
        snprintf(why, size, "%s: '%s' is negative", gf_sweep_key_names[k], buf);
        return -1;
    }
    *out = v;
    return 0;
}

static int push(gf_sweep_axis *a, double v, int *cap)
{
    if (a->n == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        double *p = realloc(a->v, (size_t)*cap * sizeof *p);
        if (!p)
            return -1;
        a->v = p;
    }
    a->v[a->n++] = v;
    return 0;
}

/* LO:HI[:STEP] into a. 0 or -1 with a reason. */
static int range(gf_sweep_axis *a, const char *s, size_t len, char *why, size_t size)
{
    const char *c1 = memchr(s, ':', len);
    const char *c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - s));
    const char *end = s + len;
    double lo, hi, step = 1.0;
    const char *k = gf_sweep_key_names[a->key];
    if (number(a->key, s, (size_t)(c1 - s), &lo, why, size) != 0 ||
        number(a->key, c1 + 1, (size_t)((c2 ? c2 : end) - c1 - 1), &hi, why, size) != 0)
        return -1;
    if (c2) {
        char buf[64];
        snprintf(buf, sizeof buf, "%.*s", (int)(end - c2 - 1), c2 + 1);
        char *e;
        step = strtod(buf, &e);
        if (!*buf || *e || !isfinite(step)) {
            snprintf(why, size, "%s: step '%s' is not a number", k, buf);
            return -1;
        }
    }
    if (step <= 0) {
        snprintf(why, size, "%s: the step of %.*s must be above zero", k, (int)len, s);
        return -1;
    }
    if (hi < lo) {
        snprintf(why, size, "%s: range %.*s ends below its start", k, (int)len, s);
        return -1;
    }
    const double count = floor((hi - lo) / step + 1e-9) + 1.0;
    if (count > GF_SWEEP_MAX_CELLS) {
        snprintf(why, size, "%s: range %.*s has more than %d values", k, (int)len, s,
                 GF_SWEEP_MAX_CELLS);
        return -1;
    }
    if (whole_min(a->key) && step != floor(step)) {
        snprintf(why, size, "%s: step %g is not a whole number", k, step);
        return -1;
    }
    int cap = 0;
    for (long i = 0; i < (long)count; i++) /* lo + i step: no sum of rounding errors */
        if (push(a, lo + (double)i * step, &cap) != 0) {
            snprintf(why, size, "out of memory");
            return -1;
        }
    return 0;
}

/* A comma list of numbers or names into a. */
static int list(gf_sweep_axis *a, const char *s, size_t len, char *why, size_t size)
{
    const char *const *names = names_of(a->key), *end = s + len;
    int cap = 0;
    for (const char *p = s; p <= end;) {
        const char *q = memchr(p, ',', (size_t)(end - p));
        q = q ? q : end;
        double v;
        if (names) {
            char buf[32];
            snprintf(buf, sizeof buf, "%.*s", (int)(q - p), p);
            const int i = gf_name_lookup(names, buf);
            if (i < 0 || (size_t)(q - p) >= sizeof buf) {
                snprintf(why, size, "%s: unknown name '%.*s'", gf_sweep_key_names[a->key],
                         (int)(q - p), p);
                return -1;
            }
            v = i;
        } else if (number(a->key, p, (size_t)(q - p), &v, why, size) != 0) {
            return -1;
        }
        for (int j = 0; j < a->n; j++)
            if (a->v[j] == v) {
                snprintf(why, size, "%s: value '%.*s' is listed twice",
                         gf_sweep_key_names[a->key], (int)(q - p), p);
                return -1;
            }
        if (push(a, v, &cap) != 0) {
            snprintf(why, size, "out of memory");
            return -1;
        }
        p = q + 1;
    }
    return 0;
}

/* One KEY=VALUES item. */
static int item(gf_sweep_grid *g, const char *s, size_t len, char *why, size_t size)
{
    const char *eq = memchr(s, '=', len);
    if (!eq) {
        snprintf(why, size, "'%.*s' is not KEY=VALUES", (int)len, s);
        return -1;
    }
    int k = -1;
    for (int i = 0; i < GF_SWEEP_KEYS; i++)
        if (strlen(gf_sweep_key_names[i]) == (size_t)(eq - s) &&
            strncmp(gf_sweep_key_names[i], s, (size_t)(eq - s)) == 0)
            k = i;
    if (k < 0) {
        snprintf(why, size, "unknown key '%.*s' (keys: arch depth width init sw2 sb2 act norm "
                 "lr steps seed)", (int)(eq - s), s);
        return -1;
    }
    if (gf_sweep_grid_axis(g, (gf_sweep_key)k)) {
        snprintf(why, size, "key '%s' given twice", gf_sweep_key_names[k]);
        return -1;
    }
    gf_sweep_axis *a = &g->axis[g->n_axes++];
    a->key = (gf_sweep_key)k;
    const char *v = eq + 1;
    const size_t vlen = len - (size_t)(v - s);
    if (vlen == 0) {
        snprintf(why, size, "%s: no values", gf_sweep_key_names[k]);
        return -1;
    }
    if (memchr(v, ':', vlen) && names_of(a->key)) {
        snprintf(why, size, "%s: names come as a comma list, not a range", gf_sweep_key_names[k]);
        return -1;
    }
    return memchr(v, ':', vlen) ? range(a, v, vlen, why, size) : list(a, v, vlen, why, size);
}

int gf_sweep_grid_parse(gf_sweep_grid *g, const char *text, char *why, size_t size)
{
    memset(g, 0, sizeof *g);
    const char *p = text;
    while (*p) {
        if (*p == '#') {
            while (*p && *p != '\n')
                p++;
            continue;
        }
        if (isspace((unsigned char)*p)) {
            p++;
            continue;
        }
        const char *q = p;
        while (*q && !isspace((unsigned char)*q) && *q != '#')
            q++;
        if (g->n_axes == GF_SWEEP_KEYS) {
            snprintf(why, size, "more items than keys: '%.*s'", (int)(q - p), p);
            goto fail;
        }
        if (item(g, p, (size_t)(q - p), why, size) != 0)
            goto fail;
        p = q;
    }
    if (g->n_axes == 0) {
        snprintf(why, size, "the grid is empty: give KEY=VALUES, e.g. depth=10:50:10 seed=1:4");
        goto fail;
    }
    double cells = 1.0;
    for (int i = 0; i < g->n_axes; i++)
        cells *= g->axis[i].n;
    if (cells > GF_SWEEP_MAX_CELLS) {
        snprintf(why, size, "the grid has %.0f cells, more than the %d allowed", cells,
                 GF_SWEEP_MAX_CELLS);
        goto fail;
    }
    g->cells = (long)cells;
    return 0;
fail:
    gf_sweep_grid_release(g);
    return -1;
}

int gf_sweep_grid_parse_file(gf_sweep_grid *g, const char *path, char *why, size_t size)
{
    memset(g, 0, sizeof *g);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, size, "cannot read grid file '%s': %s", path, strerror(errno));
        return -1;
    }
    char text[65536];
    const size_t n = fread(text, 1, sizeof text - 1, f);
    const int big = !feof(f);
    fclose(f);
    text[n] = 0;
    if (big || memchr(text, 0, n)) {
        snprintf(why, size, "grid file '%s' is not a small text file", path);
        return -1;
    }
    return gf_sweep_grid_parse(g, text, why, size);
}

void gf_sweep_value_text(const gf_sweep_axis *a, int j, char *buf, size_t size)
{
    const char *const *names = names_of(a->key);
    if (names)
        snprintf(buf, size, "%s", names[(int)a->v[j]]);
    else
        snprintf(buf, size, "%.10g", a->v[j]);
}

int gf_sweep_grid_text(const gf_sweep_grid *g, char *buf, size_t size)
{
    size_t at = 0;
    for (int i = 0; i < g->n_axes; i++) {
        const gf_sweep_axis *a = &g->axis[i];
        at += (size_t)snprintf(buf + at, at < size ? size - at : 0, "%s%s=", i ? " " : "",
                               gf_sweep_key_names[a->key]);
        for (int j = 0; j < a->n; j++) {
            char v[40];
            if (names_of(a->key))
                gf_sweep_value_text(a, j, v, sizeof v);
            else
                snprintf(v, sizeof v, "%.17g", a->v[j]);
            at += (size_t)snprintf(buf + at, at < size ? size - at : 0, "%s%s", j ? "," : "", v);
        }
    }
    return at < size ? 0 : -1;
}
