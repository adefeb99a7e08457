/* exp.c: exp over an array, in vector lanes and with the same bits on every
 * CPU. The loop calls nothing, so each CPU's clone of it (GF_VECTOR_CLONES)
 * runs 2, 4 or 8 lanes at a time where a call to libm's exp runs one; and no
 * multiply-add is contracted into an FMA, so every clone rounds the same
 * operations. Within about one ulp of exp (the test measures it against
 * expl). The attention's softmax and GELU's gradient use it: glibc's exp was
 * 6 % of a transformer step. */
#include "gf_core.h"

#include <stdint.h>
#include <string.h>

static inline uint64_t bits_of(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static inline double double_of(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* exp x = 2^n e^r with n = round(x / ln 2) and r = x - n ln 2, |r| <= ln 2 / 2:
 *  - n by the shifter: x / ln 2 + 1.5 2^52 rounds to an integer, held in the
 *    low bits of the sum;
 *  - r with ln 2 in two parts (Cody and Waite; fdlibm's constants): n ln2_hi
 *    is exact, ln2_hi having 21 trailing zero bits;
 *  - e^r by its Taylor polynomial of degree 13 (the rest is below 4e-18
 *    relative at |r| = ln 2 / 2);
 *  - 2^n as two factors 2^h 2^(n - h), h = floor(n / 2), each a normal
 *    number, so that the product underflows and overflows where exp does.
 * x is first clamped to [-746, 710], where exp is already 0 or inf; a NaN
 * fails both comparisons and stays NaN through the arithmetic. */
GF_VECTOR_CLONES GF_NO_CONTRACT void gf_exp_array(const double *x, double *y, size_t n)
{
    const double inv_ln2 = 1.44269504088896338700e+00, shifter = 0x1.8p52;
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    const uint64_t shifter_bits = bits_of(shifter);
    for (size_t i = 0; i < n; i++) {
        double v = x[i] < -746.0 ? -746.0 : x[i];
        v = v > 710.0 ? 710.0 : v;
        const double k = v * inv_ln2 + shifter, nd = k - shifter;
        const double r = (v - nd * ln2_hi) - nd * ln2_lo;
        double q = 1.0 / 6227020800.0; /* q = (e^r - 1 - r) / r^2 = sum r^j / (j + 2)! */
        q = q * r + 1.0 / 479001600.0;
        q = q * r + 1.0 / 39916800.0;
        q = q * r + 1.0 / 3628800.0;
        q = q * r + 1.0 / 362880.0;
        q = q * r + 1.0 / 40320.0;
        q = q * r + 1.0 / 5040.0;
        q = q * r + 1.0 / 720.0;
        q = q * r + 1.0 / 120.0;
        q = q * r + 1.0 / 24.0;
        q = q * r + 1.0 / 6.0;
        q = q * r + 0.5;
        const double p = 1.0 + (r + (r * r) * q); /* the 1 added last: one rounding of it */
        const uint64_t u = bits_of(k) - shifter_bits + 2048; /* n + 2048, in [972, 3073] */
        const uint64_t h = u >> 1;                            /* floor(n / 2) + 1024 */
        y[i] = p * double_of((h - 1) << 52) * double_of((u - h - 1) << 52);
    }
}
