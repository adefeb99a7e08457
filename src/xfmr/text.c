/* text.c: byte-level text for language modelling: the files, the split,
 * batches of windows, and the synthetic copy task. */
#include "xfmr/gf_xfmr.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char LICENSES[] = "/usr/share/common-licenses";

int gf_text_is_utf8(const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n;) {
        const unsigned c = b[i];
        size_t k; /* continuation bytes */
        unsigned min;
        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            k = 1, min = 0x80;
        else if (c >= 0xe0 && c <= 0xef)
            k = 2, min = 0x800;
        else if (c >= 0xf0 && c <= 0xf4)
            k = 3, min = 0x10000;
        else
            return 0;
        unsigned cp = c & (0x3fu >> k);
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n || (b[i + j] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (b[i + j] & 0x3fu);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* Append the file at path to t->bytes (capacity *cap); 0 or -1 with why. */
static int append_file(gf_text *t, size_t *cap, const char *path, char *why, size_t size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, size, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    const size_t start = t->n;
    for (;;) {
        if (t->n + 65536 > *cap) {
            const size_t c = *cap ? 2 * *cap + 65536 : 1 << 20;
            unsigned char *b = realloc(t->bytes, c);
            if (!b) {
                fclose(f);
                snprintf(why, size, "out of memory reading %s", path);
                return -1;
            }
            t->bytes = b, *cap = c;
        }
        const size_t got = fread(t->bytes + t->n, 1, 65536, f);
        t->n += got;
        if (got < 65536)
            break;
    }
    const int bad = ferror(f), e = errno; /* a folder opens; reading it fails: EISDIR */
    fclose(f);
    if (bad) {
        snprintf(why, size, "cannot read %s: %s", path, strerror(e));
        return -1;
    }
    if (t->n == start) {
        snprintf(why, size, "%s is empty", path);
        return -1;
    }
    if (!gf_text_is_utf8(t->bytes + start, t->n - start)) {
        snprintf(why, size, "%s is not UTF-8 text (NUL bytes or invalid UTF-8)", path);
        return -1;
    }
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of the licenses folder, sorted by name (links skipped). */
static int append_licenses(gf_text *t, size_t *cap, char *why, size_t size)
{
    DIR *dir = opendir(LICENSES);
    if (!dir) {
        snprintf(why, size, "cannot read %s: %s", LICENSES, strerror(errno));
        return -1;
    }
    char *names[256];
    int n = 0, rc = 0;
    struct dirent *e;
    while ((e = readdir(dir)) && n < 256) {
        char path[512];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", LICENSES, e->d_name);
        if (e->d_name[0] != '.' && lstat(path, &sb) == 0 && S_ISREG(sb.st_mode))
            names[n++] = strdup(e->d_name);
    }
    closedir(dir);
    qsort(names, (size_t)n, sizeof *names, cmp_names);
    for (int i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", LICENSES, names[i]);
        if (rc == 0 && names[i])
            rc = append_file(t, cap, path, why, size);
        free(names[i]);
    }
    if (rc == 0 && n == 0) {
        snprintf(why, size, "%s holds no files", LICENSES);
        rc = -1;
    }
    return rc;
}

int gf_text_load(gf_text *t, const char *path, size_t context, char *why, size_t size)
{
    memset(t, 0, sizeof *t);
    size_t cap = 0;
    snprintf(t->source, sizeof t->source, "%s", path ? path : LICENSES);
    const int rc = path ? append_file(t, &cap, path, why, size)
                        : append_licenses(t, &cap, why, size);
    if (rc != 0) {
        gf_text_release(t);
        return -1;
    }
    t->split = t->n - t->n / 10;
    if (t->n - t->split < 10 * (context + 1)) {
        snprintf(why, size,
                 "%s: %zu bytes are too few for context %zu (the held-out tenth needs %zu)",
                 t->source, t->n, context, 10 * (context + 1));
        gf_text_release(t);
        return -1;
    }
    return 0;
}

void gf_text_release(gf_text *t)
{
    free(t->bytes);
    t->bytes = NULL;
    t->n = t->split = 0;
}

void gf_text_batch(const gf_text *t, int held, gsl_rng *rng, size_t B, size_t T, int *ids,
                   int *next)
{
    const size_t lo = held ? t->split : 0, hi = held ? t->n : t->split;
    const size_t room = hi - lo - T; /* starts in [lo, lo + room) */
    for (size_t b = 0; b < B; b++) {
        const size_t s = lo + (rng ? gsl_rng_uniform_int(rng, room) : b * room / B);
        for (size_t j = 0; j < T; j++) {
            ids[b * T + j] = t->bytes[s + j];
            next[b * T + j] = t->bytes[s + j + 1];
        }
    }
}

void gf_copy_batch(gsl_rng *rng, size_t B, size_t k, size_t vocab, int *ids, int *next)
{
    const size_t T = 2 * k + 1;
    for (size_t b = 0; b < B; b++) {
        int *s = ids + b * T, *y = next + b * T;
        for (size_t j = 0; j < k; j++)
            s[j] = s[k + 1 + j] = 2 + (int)gsl_rng_uniform_int(rng, vocab - 2);
        s[k] = 1;
        for (size_t j = 0; j + 1 < T; j++)
            y[j] = s[j + 1];
        y[T - 1] = 1;
    }
}
