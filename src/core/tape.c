/* tape.c: the eager tape, the backward driver and gradient bookkeeping. */
#include "tape_internal.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gf_tape {
    gf_arena *arena;
    gf_node *nodes;
    size_t n_nodes, cap_nodes;
    uint64_t pass;             /* number of the current (or last) backward pass */
    int status;                /* the first error since the last reset */
    char error[256];           /* its message, "" while status is GSL_SUCCESS */
    double *scratch;           /* gf_tape_scratch's buffer (gf_big_alloc), kept across resets */
    size_t scratch_cap;        /* its size in doubles */
    int threads;               /* gf_tape_set_threads: the passes' threads (1) */
};

_Thread_local int gf_pass_team = 1;

void gf_tape_set_threads(gf_tape *tape, int n) { tape->threads = n > 1 ? n : 1; }

/* Record an error on the tape unless one is there already (the first error
 * is the one that explains the rest); returns the tape's status. */
static int tape_fail_v(gf_tape *t, int status, const char *fmt, va_list ap)
{
    if (t->status == GSL_SUCCESS) {
        t->status = status;
        vsnprintf(t->error, sizeof t->error, fmt, ap);
    }
    return t->status;
}

static int tape_fail(gf_tape *t, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int tape_fail(gf_tape *t, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const int rc = tape_fail_v(t, status, fmt, ap);
    va_end(ap);
    return rc;
}

gf_tape *gf_tape_alloc(size_t chunk_bytes)
{
    gf_tape *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->arena = gf_arena_alloc(chunk_bytes);
    t->threads = 1;
    if (!t->arena) {
        free(t);
        return NULL;
    }
    return t;
}

void gf_tape_free(gf_tape *t)
{
    if (!t)
        return;
    gf_arena_free(t->arena);
    free(t->nodes);
    free(t->scratch);
    free(t);
}

void gf_tape_reset(gf_tape *t)
{
    gf_arena_reset(t->arena);
    t->n_nodes = 0;
    t->status = GSL_SUCCESS;
    t->error[0] = '\0';
}

int gf_tape_status(const gf_tape *t) { return t->status; }
const char *gf_tape_error(const gf_tape *t) { return t->error; }
size_t gf_tape_nodes(const gf_tape *t) { return t->n_nodes; }
gf_tensor *gf_tape_output(const gf_tape *t, size_t i)
{
    return i < t->n_nodes ? t->nodes[i].out : NULL;
}
gf_arena *gf_tape_arena(gf_tape *t) { return t->arena; }
size_t gf_tape_scratch_bytes(const gf_tape *t) { return t->scratch_cap * sizeof(double); }
uint64_t gf_tape_pass(const gf_tape *t) { return t->pass; }
const gf_op *gf_tape_op(const gf_tape *t, size_t i)
{
    return i < t->n_nodes ? t->nodes[i].op : NULL;
}

int gf_tape_node_inputs(const gf_tape *t, size_t i)
{
    return i < t->n_nodes ? t->nodes[i].nin : 0;
}
gf_tensor *gf_tape_node_input(const gf_tape *t, size_t i, int j)
{
    return i < t->n_nodes && j >= 0 && j < t->nodes[i].nin ? t->nodes[i].in[j] : NULL;
}

void gf_tensor_bind(gf_tensor *t, size_t n, size_t d, double *v, double *g)
{
    memset(t, 0, sizeof *t);
    t->n = n;
    t->d = d;
    t->v = v;
    t->g = g;
    if (g)
        t->flags = GF_REQUIRES_GRAD;
}

static gf_tensor *new_tensor(gf_tape *tape, size_t n, size_t d)
{
    gf_tensor *t = gf_arena_get(tape->arena, sizeof *t);
    const size_t count = n * d;
    double *v = gf_arena_get(tape->arena, (count > 0 ? count : 1) * sizeof(double));
    if (!t || !v) {
        tape_fail(tape, GSL_ENOMEM, "out of memory for a %zu x %zu tensor", n, d);
        return NULL;
    }
    memset(t, 0, sizeof *t);
    t->n = n;
    t->d = d;
    t->v = v;
    return t;
}

gf_tensor *gf_tape_input(gf_tape *tape, size_t n, size_t d) { return new_tensor(tape, n, d); }

/* ---- op plumbing ---------------------------------------------------- */

int gf_op_begin(gf_tape *tape, gf_tensor *const *in, int nin)
{
    if (!tape || tape->status != GSL_SUCCESS)
        return -1;
    gf_pass_team = tape->threads;
    for (int i = 0; i < nin; i++)
        if (!in[i]) {
            tape_fail(tape, GSL_EINVAL, "an op was given a NULL input tensor");
            return -1;
        }
    return 0;
}

gf_tensor *gf_op_fail(gf_tape *tape, const char *op, const char *fmt, ...)
{
    if (tape->status != GSL_SUCCESS)
        return NULL;
    char why[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    tape_fail(tape, GSL_EBADLEN, "%s: %s", op, why);
    return NULL;
}

gf_tensor *gf_op_output(gf_tape *tape, gf_tensor *const *in, int nin, size_t n, size_t d)
{
    gf_tensor *t = new_tensor(tape, n, d);
    if (!t)
        return NULL;
    t->flags = GF_OP_OUTPUT;
    for (int i = 0; i < nin; i++)
        if (in[i]->flags & GF_REQUIRES_GRAD)
            t->flags |= GF_REQUIRES_GRAD;
    return t;
}

gf_node *gf_op_push(gf_tape *tape, const gf_op *op, gf_tensor *out, gf_tensor *const *in, int nin)
{
    if (gf_grow(&tape->nodes, &tape->cap_nodes, tape->n_nodes, sizeof *tape->nodes, 256) != 0) {
        tape_fail(tape, GSL_ENOMEM, "%s: out of memory for the node list", op->name);
        return NULL;
    }
    gf_tensor **ins = gf_arena_get(tape->arena, (size_t)nin * sizeof *ins);
    if (!ins) {
        tape_fail(tape, GSL_ENOMEM, "%s: out of memory", op->name);
        return NULL;
    }
    memcpy(ins, in, (size_t)nin * sizeof *ins);
    gf_node *node = &tape->nodes[tape->n_nodes++];
    *node = (gf_node){.op = op, .tape = tape, .out = out, .in = ins, .nin = nin};
    return node;
}

double *gf_op_aux(gf_tape *tape, size_t count)
{
    double *p = gf_arena_get(tape->arena, (count ? count : 1) * sizeof(double));
    if (!p)
        tape_fail(tape, GSL_ENOMEM, "out of memory for %zu saved values", count);
    return p;
}

double *gf_tape_scratch(gf_tape *tape, size_t count)
{
    if (count <= tape->scratch_cap)
        return tape->scratch;
    free(tape->scratch); /* the contents need not survive */
    tape->scratch_cap = 0;
    if (!(tape->scratch = gf_big_alloc(count * sizeof(double)))) {
        tape_fail(tape, GSL_ENOMEM, "out of memory for %zu doubles of scratch", count);
        return NULL;
    }
    tape->scratch_cap = count;
    return tape->scratch;
}

/* ---- gradients ------------------------------------------------------ */

void gf_scale_pow2(double *x, size_t n, int k)
{
    if (k == 0)
        return;
    if (k >= -1000 && k <= 1000) { /* 2^k is a normal double: multiplying is exact or rounds once */
        const double f = ldexp(1.0, k);
        for (size_t i = 0; i < n; i++)
            x[i] *= f;
    } else {
        for (size_t i = 0; i < n; i++)
            x[i] = ldexp(x[i], k);
    }
}

/* Passes are numbered across all tapes, so a stale gradient from another
 * tape's pass is never mistaken for this one's. */
static uint64_t next_pass(void)
{
    static uint64_t counter;
    return __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
}

/* Make t's gradient live for this pass; the buffer comes from the arena for
 * tape tensors and is the caller's memory for bound tensors. */
static double *grad_claim(gf_node *node, gf_tensor *t, int *fresh)
{
    *fresh = 0;
    if (!(t->flags & GF_REQUIRES_GRAD))
        return NULL;
    if (t->pass == node->tape->pass)
        return t->g;
    gf_tape *tape = node->tape;
    if (!t->g && !(t->g = gf_arena_get(tape->arena, gf_tensor_size(t) * sizeof(double)))) {
        tape_fail(tape, GSL_ENOMEM, "backward: out of memory for a %zu x %zu gradient", t->n,
                  t->d);
        return NULL;
    }
    t->pass = tape->pass;
    t->gexp = node->out->gexp;
    t->flags &= ~(unsigned)GF_GRAD_FOLDED;
    *fresh = 1;
    return t->g;
}

double *gf_grad_acc(gf_node *node, gf_tensor *t)
{
    int fresh;
    double *g = grad_claim(node, t, &fresh);
    if (g && fresh) {
        const size_t n = gf_tensor_size(t);
        const int T = gf_pass_threads(n);
        GF_OMP_FOR(T)
        for (int k = 0; k < T; k++) /* thread k's share, as the passes' static schedule */
            memset(g + n * (size_t)k / (size_t)T, 0,
                   (n * (size_t)(k + 1) / (size_t)T - n * (size_t)k / (size_t)T) * sizeof *g);
    }
    return g;
}

double *gf_grad_begin(gf_node *node, gf_tensor *t, double *beta)
{
    int fresh;
    double *g = grad_claim(node, t, &fresh);
    *beta = fresh ? 0.0 : 1.0;
    return g;
}

/* Bring the node's output gradient and its live input gradients to one
 * exponent (the largest), so a kernel can add them as plain doubles. */
static void align_exponents(gf_node *node)
{
    gf_tensor *out = node->out;
    int e = out->gexp;
    const uint64_t pass = node->tape->pass;
    for (int i = 0; i < node->nin; i++) {
        const gf_tensor *t = node->in[i];
        if (t->pass == pass && t->gexp > e)
            e = t->gexp;
    }
    if (e != out->gexp) {
        gf_scale_pow2(out->g, gf_tensor_size(out), out->gexp - e);
        out->gexp = e;
    }
    for (int i = 0; i < node->nin; i++) {
        gf_tensor *t = node->in[i];
        if (t->pass == pass && t->gexp != e) {
            gf_scale_pow2(t->g, gf_tensor_size(t), t->gexp - e);
            t->gexp = e;
        }
    }
}

/* log2 ||x|| without overflow or underflow of the sum of squares; NaN when
 * an entry is not finite. */
static double log2_norm(const double *x, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            return NAN;
        m = fmax(m, fabs(x[i]));
    }
    if (m == 0.0)
        return -INFINITY;
    double ss = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double r = x[i] / m;
        ss += r * r;
    }
    return log2(m) + 0.5 * log2(ss);
}

/* Leaves reached by this pass get their gradient at true scale; those that
 * carried an exponent keep their exact norm in glog2. */
static void fold_leaf_exponents(gf_tape *tape)
{
    for (size_t i = 0; i < tape->n_nodes; i++) {
        const gf_node *node = &tape->nodes[i];
        for (int k = 0; k < node->nin; k++) {
            gf_tensor *t = node->in[k];
            if ((t->flags & GF_OP_OUTPUT) || t->pass != tape->pass || t->gexp == 0)
                continue;
            t->glog2 = log2_norm(t->g, gf_tensor_size(t)) + t->gexp;
            gf_scale_pow2(t->g, gf_tensor_size(t), t->gexp);
            t->gexp = 0;
            t->flags |= GF_GRAD_FOLDED;
        }
    }
}

int gf_tape_backward_from(gf_tape *tape, gf_tensor *out, const double *seed)
{
    if (tape->status != GSL_SUCCESS)
        return tape->status;
    if (!out || !(out->flags & GF_REQUIRES_GRAD))
        return tape_fail(tape, GSL_EINVAL,
                         "backward: the output does not depend on anything differentiable");
    tape->pass = next_pass();
    size_t last = tape->n_nodes;
    while (last > 0 && tape->nodes[last - 1].out != out)
        last--;
    if (last == 0)
        return tape_fail(tape, GSL_EINVAL, "backward: the output was not made on this tape");

    const size_t size = gf_tensor_size(out);
    if (!out->g && !(out->g = gf_arena_get(tape->arena, size * sizeof(double))))
        return tape_fail(tape, GSL_ENOMEM, "backward: out of memory");
    memcpy(out->g, seed, size * sizeof(double));
    out->pass = tape->pass;
    out->gexp = 0;

    for (size_t i = last; i-- > 0;) {
        gf_node *node = &tape->nodes[i];
        gf_tensor *o = node->out;
        if (o->pass != tape->pass)
            continue; /* no path from the loss through this node */
        if (o->obs)
            o->obs->fn(o->obs->ctx, o);
        align_exponents(node);
        gf_pass_team = tape->threads;
        node->op->backward(node);
        if (tape->status != GSL_SUCCESS)
            return tape->status;
    }
    fold_leaf_exponents(tape);
    return GSL_SUCCESS;
}

int gf_tape_backward(gf_tape *tape, gf_tensor *loss)
{
    if (loss && gf_tensor_size(loss) != 1)
        return tape_fail(tape, GSL_EBADLEN, "backward: the loss is %zu x %zu, not 1 x 1",
                         loss->n, loss->d);
    const double one = 1.0;
    return gf_tape_backward_from(tape, loss, &one);
}

double gf_tensor_grad_export(const gf_tensor *t, double *dst)
{
    const size_t size = gf_tensor_size(t);
    if (!gf_tensor_has_grad(t)) {
        if (dst)
            memset(dst, 0, size * sizeof *dst);
        return -INFINITY;
    }
    if (dst) {
        memcpy(dst, t->g, size * sizeof *dst);
        gf_scale_pow2(dst, size, t->gexp);
    }
    return t->flags & GF_GRAD_FOLDED ? t->glog2 : log2_norm(t->g, size) + t->gexp;
}
