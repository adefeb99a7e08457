/* why.c: one-line reasons ("head: what went wrong") written into a caller's buffer. */
#include "io/gf_io.h"

#include <stdio.h>

int gf_why_vappend(char *why, size_t size, int head, const char *fmt, va_list ap)
{
    if (head >= 0 && (size_t)head < size)
        vsnprintf(why + head, size - (size_t)head, fmt, ap);
    return -1;
}
