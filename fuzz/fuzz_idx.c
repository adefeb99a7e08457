/* fuzz_idx.c: libFuzzer target for the IDX reader (gf_idx_read). Every input
 * is read as it is (plain, or gzip when it is one) and after gzip
 * compression, so both of zlib's paths see every mutation. */
#include "fuzz_util.h"
#include "gradflow.h"

#include <zlib.h>

static void read_one(const char *path)
{
    gf_idx idx;
    char why[512];
    if (gf_idx_read(&idx, path, why, sizeof why) == 0) {
        unsigned sum = 0; /* touch every byte: the sanitizers check the size */
        for (size_t i = 0; i < idx.count; i++)
            sum += idx.data[i];
        if (idx.rank < 1 || idx.rank > 4 || (sum == 1 && idx.count == 0))
            abort();
        gf_idx_release(&idx);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_one(fuzz_file(0, data, size));
    uLong bound = compressBound((uLong)size) + 32;
    unsigned char *gz = malloc(bound);
    z_stream z = {0};
    if (gz && deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK) {
        z.next_in = (Bytef *)(uintptr_t)data;
        z.avail_in = (uInt)size;
        z.next_out = gz;
        z.avail_out = (uInt)bound;
        if (deflate(&z, Z_FINISH) == Z_STREAM_END)
            read_one(fuzz_file(1, gz, z.total_out));
        deflateEnd(&z);
    }
    free(gz);
    return 0;
}
