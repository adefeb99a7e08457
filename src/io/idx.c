/* idx.c: LeCun's IDX files (MNIST, Fashion-MNIST), read through zlib, which
 * inflates a gzip file and passes a plain one through unchanged. */
#include "io/gf_io.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* The most data a file may hold: 2 GiB (Fashion-MNIST's largest holds 47 MB). */
#define IDX_MAX_BYTES ((uint64_t)1 << 31)
enum { IDX_UBYTE = 0x08, IDX_CHUNK = 1 << 20 };

void gf_idx_release(gf_idx *idx)
{
    free(idx->data);
    memset(idx, 0, sizeof *idx);
}

/* why = "path: " + the formatted reason; idx released. Always -1. */
__attribute__((format(printf, 5, 6))) static int fail(gf_idx *idx, char *why, size_t size,
                                                      const char *path, const char *fmt, ...)
{
    gf_idx_release(idx);
    va_list ap;
    va_start(ap, fmt);
    gf_why_vappend(why, size, snprintf(why, size, "%s: ", path), fmt, ap);
    va_end(ap);
    return -1;
}

/* zlib's reason for a failed read, without the "path: " it puts in front;
 * a damaged or cut stream is called one. */
static int zlib_fail(gf_idx *idx, gzFile gz, const char *path, char *why, size_t size)
{
    int status;
    const char *msg = gzerror(gz, &status);
    const size_t n = strlen(path);
    if (strncmp(msg, path, n) == 0 && strncmp(msg + n, ": ", 2) == 0)
        msg += n + 2;
    const int damaged = status == Z_DATA_ERROR || status == Z_BUF_ERROR;
    return fail(idx, why, size, path, "%s%s", damaged ? "corrupt gzip stream: " : "", msg);
}

/* Read up to n bytes (in chunks: gzread counts in int); the number read, or
 * -1 when zlib reports an error, even after a short read. */
static long long read_bytes(gzFile gz, unsigned char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        const unsigned want = (unsigned)(n - got < IDX_CHUNK ? n - got : IDX_CHUNK);
        const int r = gzread(gz, buf + got, want);
        if (r < 0)
            return -1;
        got += (size_t)r;
        if ((unsigned)r < want)
            break;
    }
    int status;
    gzerror(gz, &status);
    return status == Z_OK ? (long long)got : -1;
}

/* The bytes left after the data: read to the end, so that a gzip stream's
 * checksum is verified too. */
static long long count_rest(gzFile gz)
{
    unsigned char buf[4096];
    long long rest = 0, r;
    while ((r = read_bytes(gz, buf, sizeof buf)) > 0)
        rest += r;
    return r < 0 ? -1 : rest;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Check the header (4 bytes, then 4 per dimension) and fill rank, dims, count. */
static int parse_header(gf_idx *idx, gzFile gz, const char *path, char *why, size_t size)
{
    unsigned char h[4 + 4 * 4];
    long long got = read_bytes(gz, h, 4);
    if (got < 0)
        return zlib_fail(idx, gz, path, why, size);
    if (got < 4)
        return fail(idx, why, size, path, "truncated header: %lld bytes, an IDX file has 4 or more",
                    got);
    if (h[0] != 0 || h[1] != 0)
        return fail(idx, why, size, path,
                    "not an IDX file (its first two bytes are 0x%02X 0x%02X, not zero)", h[0],
                    h[1]);
    if (h[2] != IDX_UBYTE)
        return fail(idx, why, size, path,
                    "unsupported data type 0x%02X (only unsigned bytes, 0x08, are read)", h[2]);
    const int rank = h[3];
    if (rank < 1 || rank > 4)
        return fail(idx, why, size, path, "rank %d is not supported (1 to 4 dimensions)", rank);
    const size_t dim_bytes = 4 * (size_t)rank;
    if ((got = read_bytes(gz, h + 4, dim_bytes)) < 0)
        return zlib_fail(idx, gz, path, why, size);
    if (got < (long long)dim_bytes)
        return fail(idx, why, size, path,
                    "truncated header: rank %d needs %zu bytes of sizes, found %lld", rank,
                    dim_bytes, got);
    uint64_t count = 1;
    for (int i = 0; i < rank; i++) {
        const uint32_t d = be32(h + 4 + 4 * i);
        if (d == 0)
            return fail(idx, why, size, path, "size %d of %d is 0 (no data)", i + 1, rank);
        if (count > IDX_MAX_BYTES / d) /* count * d would pass the limit (or overflow) */
            return fail(idx, why, size, path, "its sizes ask for more than %llu bytes of data",
                        (unsigned long long)IDX_MAX_BYTES);
        count *= d;
        idx->dims[i] = d;
    }
    idx->rank = rank;
    idx->count = (size_t)count;
    return 0;
}

/* The data as it arrives, into a buffer that doubles up to idx->count: a file
 * whose header claims more than it holds costs at most twice what it holds.
 * The bytes read, -1 on a zlib error, -2 out of memory. */
static long long read_data(gf_idx *idx, gzFile gz)
{
    size_t cap = 0, got = 0;
    while (got < idx->count) {
        const size_t grow = cap ? 2 * cap : IDX_CHUNK;
        const size_t want = grow < idx->count ? grow : idx->count;
        unsigned char *p = realloc(idx->data, want);
        if (!p)
            return -2;
        idx->data = p;
        cap = want;
        const long long r = read_bytes(gz, idx->data + got, cap - got);
        if (r < 0)
            return -1;
        got += (size_t)r;
        if (got < cap)
            break; /* the end of the file */
    }
    return (long long)got;
}

/* Header and data, then nothing more; gz stays open for the caller to close. */
static int read_idx(gf_idx *idx, gzFile gz, const char *path, char *why, size_t size)
{
    if (parse_header(idx, gz, path, why, size) != 0)
        return -1;
    const long long got = read_data(idx, gz);
    if (got == -2)
        return fail(idx, why, size, path, "%s", strerror(ENOMEM));
    const long long rest = got == (long long)idx->count ? count_rest(gz) : 0;
    if (got < 0 || rest < 0)
        return zlib_fail(idx, gz, path, why, size);
    if (got < (long long)idx->count)
        return fail(idx, why, size, path,
                    "truncated: the header expects %zu bytes of data, found %lld", idx->count,
                    got);
    if (rest > 0)
        return fail(idx, why, size, path,
                    "has trailing bytes after its %zu bytes of data (%lld more)", idx->count,
                    rest);
    return 0;
}

int gf_idx_read(gf_idx *idx, const char *path, char *why, size_t size)
{
    memset(idx, 0, sizeof *idx);
    errno = 0;
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return fail(idx, why, size, path, "%s", strerror(errno ? errno : ENOMEM));
    int rc = read_idx(idx, gz, path, why, size);
    if (gzclose(gz) != Z_OK && rc == 0)
        rc = fail(idx, why, size, path, "error on closing the file");
    return rc;
}
