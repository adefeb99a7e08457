/* safetensors.c: the safetensors format: an 8-byte little-endian header
 * length N, N bytes of JSON {"name": {"dtype", "shape", "data_offsets"}, ...,
 * "__metadata__": {...}}, then the raw little-endian data. */
#include "core/gf_core.h"
#include "io/gf_io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void gf_st_init(gf_st_file *st) { memset(st, 0, sizeof *st); }

void gf_st_release(gf_st_file *st)
{
    free(st->entry);
    json_decref(st->metadata);
    free(st->image);
    memset(st, 0, sizeof *st);
}

static size_t dtype_bytes(gf_st_dtype d) { return d == GF_ST_F32 ? 4 : 8; }

static size_t entry_bytes(const gf_st_entry *e)
{
    size_t n = dtype_bytes(e->dtype);
    for (int i = 0; i < e->rank; i++)
        n *= (size_t)e->shape[i];
    return n;
}

int gf_st_add(gf_st_file *st, const char *name, gf_st_dtype dtype, int rank, const int64_t *shape,
              const void *data)
{
    if (rank < 0 || rank > 4 || strlen(name) >= sizeof st->entry->name)
        return -1; /* duplicate names are refused by gf_st_write */
    if (gf_grow(&st->entry, &st->cap, st->n, sizeof *st->entry, 64) != 0)
        return -1;
    gf_st_entry *e = &st->entry[st->n++];
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", name);
    e->dtype = dtype;
    e->rank = rank;
    for (int i = 0; i < rank; i++)
        e->shape[i] = shape[i];
    e->data = data;
    return 0;
}

int gf_st_add_meta(gf_st_file *st, const char *key, const char *value)
{
    if (!st->metadata && !(st->metadata = json_object()))
        return -1;
    return json_object_set_new(st->metadata, key, json_string(value));
}

double gf_st_numbers(const gf_st_file *st)
{
    double n = 0;
    for (size_t i = 0; i < st->n; i++) {
        double count = 1;
        for (int k = 0; k < st->entry[i].rank; k++)
            count *= (double)st->entry[i].shape[k];
        n += count;
    }
    return n;
}

const gf_st_entry *gf_st_find(const gf_st_file *st, const char *name)
{
    for (size_t i = 0; i < st->n; i++)
        if (strcmp(st->entry[i].name, name) == 0)
            return &st->entry[i];
    return NULL;
}

int gf_st_meta_check(const gf_st_file *st, const char *key, const char *want, char *why,
                     size_t size)
{
    const char *have = json_string_value(json_object_get(st->metadata, key));
    if (!have)
        snprintf(why, size, "the file does not record %s", key);
    else if (strcmp(have, want) != 0)
        snprintf(why, size, "%s is %s in the file, %s here", key, have, want);
    return have && strcmp(have, want) == 0 ? 0 : -1;
}

static const char *dtype_name(gf_st_dtype d)
{
    return d == GF_ST_I64 ? "I64" : d == GF_ST_F32 ? "F32" : "F64";
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* 1 when two entries share a name (sorting: n log n, not n^2). */
static int has_duplicates(const gf_st_file *st)
{
    const char **names = malloc((st->n ? st->n : 1) * sizeof *names);
    if (!names)
        return 1;
    for (size_t i = 0; i < st->n; i++)
        names[i] = st->entry[i].name;
    qsort(names, st->n, sizeof *names, by_name);
    int dup = 0;
    for (size_t i = 1; i < st->n && !dup; i++)
        dup = strcmp(names[i - 1], names[i]) == 0;
    free(names);
    return dup;
}

int gf_st_write(const gf_st_file *st, const char *path)
{
    if (has_duplicates(st)) {
        errno = EINVAL;
        return -1;
    }
    json_t *h = json_object();
    size_t off = 0;
    for (size_t i = 0; i < st->n; i++) {
        const gf_st_entry *e = &st->entry[i];
        json_t *shape = json_array();
        for (int k = 0; k < e->rank; k++)
            json_array_append_new(shape, json_integer(e->shape[k]));
        const size_t bytes = entry_bytes(e);
        json_object_set_new(h, e->name,
                            json_pack("{s:s, s:o, s:[I, I]}", "dtype", dtype_name(e->dtype),
                                      "shape", shape, "data_offsets", (json_int_t)off,
                                      (json_int_t)(off + bytes)));
        off += bytes;
    }
    if (st->metadata)
        json_object_set(h, "__metadata__", st->metadata);
    char *text = json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(h);
    if (!text) {
        errno = ENOMEM;
        return -1;
    }
    size_t hlen = strlen(text);
    const size_t padded = (hlen + 7) / 8 * 8;
    unsigned char len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (unsigned char)((uint64_t)padded >> (8 * i));
    gf_atomic a;
    FILE *f = gf_atomic_open(&a, path);
    const int open_errno = errno; /* why it could not open: kept for the caller */
    int ok = f != NULL;
    if (ok)
        errno = 0;
    ok = ok && fwrite(len8, 1, 8, f) == 8 && fwrite(text, 1, hlen, f) == hlen;
    for (; ok && hlen < padded; hlen++)
        ok = fputc(' ', f) != EOF;
    for (size_t i = 0; ok && i < st->n; i++) {
        const size_t bytes = entry_bytes(&st->entry[i]);
        ok = fwrite(st->entry[i].data, 1, bytes, f) == bytes; /* x86-64 is little-endian */
    }
    free(text);
    if (!f) {
        errno = open_errno;
        return -1;
    }
    if (!ok) {
        const int e = gf_stream_errno(f); /* the disk's reason (ENOSPC, EFBIG), not EIO */
        gf_atomic_abort(&a);
        errno = e;
        return -1;
    }
    return gf_atomic_commit(&a);
}

int gf_st_save(gf_st_file *st, int assembled, const char *what, const char *path, char *why,
               size_t size)
{
    int rc = -1;
    if (!assembled)
        snprintf(why, size, "cannot assemble %s%s (out of memory?)", what, path);
    else if (gf_st_write(st, path) != 0)
        snprintf(why, size, "cannot write %s: %s", path, strerror(errno));
    else
        rc = 0;
    gf_st_release(st);
    return rc;
}

/* The bytes a tensor of this shape needs, or SIZE_MAX when that overflows. */
static size_t shape_bytes(gf_st_dtype d, int rank, const int64_t *shape)
{
    size_t n = dtype_bytes(d);
    for (int i = 0; i < rank; i++)
        if (__builtin_mul_overflow(n, (size_t)shape[i], &n))
            return SIZE_MAX;
    return n;
}

static int by_address(const void *a, const void *b)
{
    const gf_st_entry *x = a, *y = b;
    const uintptr_t p = (uintptr_t)x->data, q = (uintptr_t)y->data;
    return p < q ? -1 : p > q;
}

/* 1 when two tensors' bytes overlap (the writer lays them end to end; an
 * empty tensor takes no bytes). */
static int overlapping(const gf_st_file *st)
{
    gf_st_entry *sorted = malloc((st->n ? st->n : 1) * sizeof *sorted);
    if (!sorted)
        return 1;
    memcpy(sorted, st->entry, st->n * sizeof *sorted);
    qsort(sorted, st->n, sizeof *sorted, by_address);
    const unsigned char *end = NULL; /* of the bytes taken so far */
    int overlap = 0;
    for (size_t i = 0; i < st->n && !overlap; i++) {
        const unsigned char *p = sorted[i].data;
        const size_t bytes = entry_bytes(&sorted[i]);
        if (bytes == 0)
            continue;
        overlap = end && p < end;
        end = p + bytes;
    }
    free(sorted);
    return overlap;
}

static int fail(char *why, size_t size, const char *msg)
{
    snprintf(why, size, "%s", msg);
    return -1;
}

int gf_st_read(gf_st_file *st, const char *path, char *why, size_t size)
{
    gf_st_init(st);
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(why, size, strerror(errno));
    struct stat sb; /* a folder opens, and its "size" from ftell is LONG_MAX */
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return fail(why, size, "not a regular file");
    }
    long len = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        len = ftell(f);
    if (len < 8 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return fail(why, size, "too short for a safetensors file");
    }
    st->image = malloc((size_t)len);
    const int got = st->image && fread(st->image, 1, (size_t)len, f) == (size_t)len;
    fclose(f);
    if (!got)
        return gf_st_release(st), fail(why, size, "cannot read the file");
    uint64_t hlen = 0;
    for (int i = 0; i < 8; i++)
        hlen |= (uint64_t)st->image[i] << (8 * i);
    if (hlen > (uint64_t)len - 8)
        return gf_st_release(st), fail(why, size, "header length beyond the end of the file");
    json_error_t jerr;
    json_t *h = json_loadb((const char *)st->image + 8, (size_t)hlen, 0, &jerr);
    if (!json_is_object(h)) {
        json_decref(h);
        return gf_st_release(st), fail(why, size, "header is not a JSON object");
    }
    const size_t data_len = (size_t)len - 8 - (size_t)hlen;
    const unsigned char *data = st->image + 8 + hlen;
    const char *key;
    json_t *val;
    int bad = 0, cut = 0; /* cut: a tensor's data lies past the end of the file */
    json_object_foreach(h, key, val)
    {
        if (strcmp(key, "__metadata__") == 0) {
            st->metadata = json_incref(val);
            continue;
        }
        const char *dtype = NULL;
        json_t *shape = NULL;
        json_int_t b = -1, e = -1;
        if (json_unpack(val, "{s:s, s:o, s:[I, I]}", "dtype", &dtype, "shape", &shape,
                        "data_offsets", &b, &e) != 0 ||
            !json_is_array(shape) || json_array_size(shape) > 4) {
            bad = 1;
            break;
        }
        int64_t dims[4];
        for (size_t k = 0; k < json_array_size(shape) && !bad; k++) {
            json_t *d = json_array_get(shape, k);
            dims[k] = json_integer_value(d);
            bad = !json_is_integer(d) || dims[k] < 0;
        }
        if (bad)
            break;
        const gf_st_dtype dt = strcmp(dtype, "I64") == 0   ? GF_ST_I64
                               : strcmp(dtype, "F32") == 0 ? GF_ST_F32
                                                           : GF_ST_F64;
        cut = b >= 0 && e >= b && (size_t)e > data_len;
        if ((strcmp(dtype, "F64") != 0 && dt == GF_ST_F64) || b < 0 || e < b || cut ||
            gf_st_add(st, key, dt, (int)json_array_size(shape), dims, data + b) != 0 ||
            shape_bytes(dt, st->entry[st->n - 1].rank, st->entry[st->n - 1].shape) !=
                (size_t)(e - b)) {
            bad = 1;
            break;
        }
    }
    json_decref(h);
    if (bad)
        return gf_st_release(st), fail(why, size, cut ? "a tensor's data runs past the end of "
                                                        "the file (a cut copy?)"
                                                      : "malformed tensor entry in the header");
    if (overlapping(st))
        return gf_st_release(st), fail(why, size, "two tensors share bytes of the file");
    return 0;
}
