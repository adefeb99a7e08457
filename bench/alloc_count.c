/* alloc_count.c: counts every call to the allocator (linked into bench_train
 * only).
 *
 * The executable defines malloc, calloc, realloc, free and the aligned
 * variants; the dynamic linker resolves every library's calls (gradflow,
 * GSL, OpenBLAS, jansson, zlib and libc's own internal ones) to these, ahead
 * of libc's. Each counts the call and hands it to glibc's allocator through
 * its __libc_ entry points, so memory is managed exactly as without the
 * counter, and any pointer may be freed by either side. The count is atomic:
 * OpenBLAS's threads allocate through here too. The return address of the
 * latest call is kept, so a report can name the function that allocated.
 */
#include "bench.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);
void *__libc_memalign(size_t align, size_t size);
void __libc_free(void *p);

static size_t calls;
static void *last_caller;

/* Inlined into each entry point, so the return address is its caller's. */
#define count()                                                                                \
    (__atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED),                                          \
     __atomic_store_n(&last_caller, __builtin_return_address(0), __ATOMIC_RELAXED))

size_t bench_alloc_calls(void) { return __atomic_load_n(&calls, __ATOMIC_RELAXED); }
void *bench_alloc_last_caller(void) { return __atomic_load_n(&last_caller, __ATOMIC_RELAXED); }

void *malloc(size_t size)
{
    count();
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    count();
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    count();
    return __libc_realloc(p, size);
}

void free(void *p) { __libc_free(p); }

void *memalign(size_t align, size_t size)
{
    count();
    return __libc_memalign(align, size);
}

void *aligned_alloc(size_t align, size_t size)
{
    count();
    return __libc_memalign(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
    if (align == 0 || align % sizeof(void *) != 0 || (align & (align - 1)) != 0)
        return EINVAL;
    count();
    void *p = __libc_memalign(align, size);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}
