/* tsv.c: numbers for TSV files, exact beyond the range of a double. */
#include "io/gf_io.h"

#include <math.h>
#include <stdio.h>

void gf_format_pow10(char *buf, size_t size, double log10x, int digits)
{
    if (isnan(log10x)) {
        snprintf(buf, size, "nan");
        return;
    }
    if (isinf(log10x)) {
        snprintf(buf, size, log10x < 0 ? "0" : "inf");
        return;
    }
    /* 10^a = m 10^e with e = floor(a), m in [1, 10); m rounding up to 10 moves a decade. */
    double e = floor(log10x), m = pow(10.0, log10x - e);
    if (m >= 10.0 - 0.5 * pow(10.0, -digits)) {
        m /= 10.0;
        e += 1.0;
    }
    snprintf(buf, size, "%.*fe%+03.0f", digits, m, e);
}

void gf_format_pow2(char *buf, size_t size, double log2x)
{
    gf_format_pow10(buf, size, log2x * M_LN2 / M_LN10, 6);
}

void gf_format_double(char *buf, size_t size, double x)
{
    if (isnan(x))
        snprintf(buf, size, "nan");
    else if (isinf(x))
        snprintf(buf, size, x < 0 ? "-inf" : "inf");
    else
        snprintf(buf, size, "%.17g", x);
}

void gf_tsv_put(FILE *f, double x)
{
    char b[40];
    gf_format_double(b, sizeof b, x);
    fputc('\t', f);
    fputs(b, f);
}

void gf_tsv_puts(FILE *f, const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        gf_tsv_put(f, x[i]);
}
