/* tsv.c: numbers for TSV files, exact beyond the range of a double. */
#include "io/gf_io.h"

#include <math.h>
#include <stdio.h>

void gf_format_pow2(char *buf, size_t size, double log2x)
{
    if (isnan(log2x)) {
        snprintf(buf, size, "nan");
        return;
    }
    if (isinf(log2x)) {
        snprintf(buf, size, log2x < 0 ? "0" : "inf");
        return;
    }
    /* 2^a = m 10^e with e = floor(a log10 2), m in [1, 10). */
    const double l10 = log2x * M_LN2 / M_LN10;
    double e = floor(l10), m = pow(10.0, l10 - e);
    if (m >= 9.9999995) { /* would print as 10.000000 */
        m /= 10.0;
        e += 1.0;
    }
    snprintf(buf, size, "%.6fe%+03.0f", m, e);
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
