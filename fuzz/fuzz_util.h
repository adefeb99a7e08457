/* fuzz_util.h: the fuzz targets' input as a file (the readers take a path).
 * One temporary file per process, rewritten for every input. */
#ifndef GF_FUZZ_UTIL_H
#define GF_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The path of a file that holds data[0 .. size) (slot: 0 or 1, two files at
 * once). Aborts when the temporary folder cannot be written. */
static inline const char *fuzz_file(int slot, const uint8_t *data, size_t size)
{
    static char path[2][256];
    static int fd[2] = {-1, -1};
    if (fd[slot] < 0) {
        const char *dir = getenv("TMPDIR");
        snprintf(path[slot], sizeof path[slot], "%s/gradflow-fuzz-XXXXXX", dir ? dir : "/tmp");
        if ((fd[slot] = mkstemp(path[slot])) < 0)
            abort();
        unlink(path[slot]); /* reached through /proc/self/fd: nothing is left behind */
        snprintf(path[slot], sizeof path[slot], "/proc/self/fd/%d", fd[slot]);
    }
    if (ftruncate(fd[slot], 0) != 0 || (size && pwrite(fd[slot], data, size, 0) != (ssize_t)size))
        abort();
    return path[slot];
}

#endif
