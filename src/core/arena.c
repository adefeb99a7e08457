/* arena.c: bump allocation over reusable chunks. */
#include "core/gf_core.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum { GF_ALIGN = 64 };

typedef struct chunk {
    struct chunk *next;
    size_t size, used;
    unsigned char *base; /* GF_ALIGN-aligned */
} chunk;

struct gf_arena {
    chunk *head;    /* first chunk; chunks are kept in allocation order */
    chunk *cur;     /* chunk being filled */
    size_t chunk_bytes;
    size_t reserved;
    size_t mallocs;
};

gf_arena *gf_arena_alloc(size_t chunk_bytes)
{
    gf_arena *a = calloc(1, sizeof *a);
    if (a)
        a->chunk_bytes = chunk_bytes ? chunk_bytes : (size_t)64 << 20;
    return a;
}

void gf_arena_free(gf_arena *a)
{
    if (!a)
        return;
    for (chunk *c = a->head; c;) {
        chunk *next = c->next;
        free(c->base);
        free(c);
        c = next;
    }
    free(a);
}

void *gf_big_alloc(size_t bytes)
{
    enum { HUGE_PAGE = 2 << 20 };
    void *p = NULL;
    if (bytes < HUGE_PAGE)
        return aligned_alloc(GF_ALIGN, (bytes + GF_ALIGN - 1) / GF_ALIGN * GF_ALIGN);
    bytes = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    if (posix_memalign(&p, HUGE_PAGE, bytes) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE); /* a hint: failure changes nothing */
#endif
    return p;
}

static chunk *chunk_new(gf_arena *a, size_t need)
{
    size_t size = need > a->chunk_bytes ? need : a->chunk_bytes;
    chunk *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->base = gf_big_alloc(size);
    if (!c->base) {
        free(c);
        return NULL;
    }
    c->size = size;
    a->reserved += size;
    a->mallocs++;
    return c;
}

void *gf_arena_get(gf_arena *a, size_t bytes)
{
    bytes = (bytes + GF_ALIGN - 1) / GF_ALIGN * GF_ALIGN;
    if (bytes == 0)
        bytes = GF_ALIGN;
    if (!a->cur) {
        if (!a->head && !(a->head = chunk_new(a, bytes)))
            return NULL;
        a->cur = a->head;
    }
    /* Move on through kept chunks (after a reset) until one fits. */
    while (a->cur->size - a->cur->used < bytes) {
        if (!a->cur->next) {
            chunk *c = chunk_new(a, bytes);
            if (!c)
                return NULL;
            a->cur->next = c;
        }
        a->cur = a->cur->next;
    }
    void *p = a->cur->base + a->cur->used;
    a->cur->used += bytes;
    return p;
}

void gf_arena_reset(gf_arena *a)
{
    for (chunk *c = a->head; c; c = c->next)
        c->used = 0;
    a->cur = a->head;
}

int gf_grow(void *items, size_t *cap, size_t n, size_t elem, size_t first)
{
    if (n < *cap)
        return 0;
    const size_t want = *cap ? 2 * *cap : first;
    void *old, *grown;
    memcpy(&old, items, sizeof old); /* items is a T **: read it as a pointer */
    if (!(grown = realloc(old, want * elem)))
        return -1;
    memcpy(items, &grown, sizeof grown);
    *cap = want;
    return 0;
}

size_t gf_arena_bytes_reserved(const gf_arena *a) { return a->reserved; }
size_t gf_arena_mallocs(const gf_arena *a) { return a->mallocs; }
