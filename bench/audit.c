/* audit.c: are there subnormal numbers in a step?
 *
 * Arithmetic on subnormal doubles takes a slow path on x86 (a microcode
 * assist per operation), which can make a deep stack several times slower.
 * After the benchmarked step, every tensor on the tape (gf_tape_output),
 * every parameter and every gradient buffer is scanned for FP_SUBNORMAL
 * entries: the very values the timed step computed.
 */
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t count(const double *x, size_t n, double *smallest)
{
    size_t c = 0;
    double m = *smallest;
    for (size_t i = 0; i < n; i++) {
        c += fpclassify(x[i]) == FP_SUBNORMAL;
        if (x[i] != 0.0)
            m = fmin(m, fabs(x[i]));
    }
    *smallest = m;
    return c;
}

void bench_audit_tape(const gf_stack *s, const gf_tape *tape, bench_audit *out)
{
    *out = (bench_audit){.smallest = INFINITY};
    for (size_t i = 0; i < gf_tape_nodes(tape); i++) {
        const gf_tensor *t = gf_tape_output(tape, i);
        out->subnormal_values += count(t->v, gf_tensor_size(t), &out->smallest);
        if (gf_tensor_has_grad(t) && t->g)
            out->subnormal_grads += count(t->g, gf_tensor_size(t), &out->smallest);
    }
    out->subnormal_values += count(s->params.value, s->params.size, &out->smallest);
    out->subnormal_grads += count(s->params.grad, s->params.size, &out->smallest);
}
