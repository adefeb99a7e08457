/* ops_conv.c: 2-D convolution as im2col + GEMM, in chunks of output pixels.
 *
 * Rows of the GEMM are output pixels r = (i, oy, ox) of the whole batch, so
 * the product lands in y directly (NHWC: y is M x c_out with M = n ho wo).
 * The im2col row of pixel r lists the input values under the kernel in
 * (ky, kx, c) order: in NHWC the taps kx of one kernel row are adjacent
 * pixels, so each kernel row is ONE contiguous copy of (valid kx) * c
 * doubles. The weight, stored in PyTorch's (c, ky, kx) order, is permuted to
 * match (c_out x K, K = c_in kh kw: cheap beside the GEMM). Backward
 * recomputes the im2col per chunk (storing it would cost M K doubles per
 * layer): dW += dY^T cols, dcols = dY W, then col2im adds dcols into dX.
 * Chunks live in the tape's scratch buffer, reused by every call. A 1x1,
 * stride-1, unpadded conv skips im2col and col2im (its cols are x's rows) but
 * keeps the chunks: 34 against 25 GFLOP/s forward, 37 against 24 backward
 * (bench_conv b1x1, one thread) than one GEMM over the whole batch.
 */
#include "tape_internal.h"

#include "blas/gf_cblas.h"
#include "gf_conv.h"

#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* Chunk sizes, measured with bench/bench_conv (OpenBLAS 0.3.21, AVX-512
 * kernel, one thread, the CIFAR-ResNet shapes at batch 128): the forward GEMM
 * ran fastest with at most about 1024 outputs per call (rows x c_out: 64 rows
 * at 16 filters, 32 at 32; 38 against 26 GFLOP/s for s1 at 128 rows, the
 * library's small-matrix path, no packing), and 16 rows were as good as any
 * at 64 filters; the backward's two GEMMs were flat from 64 to 192 rows. A
 * chunk never exceeds CONV_MAX_BYTES of im2col (it stays in L2). */
enum {
    CONV_FWD_OUTPUTS = 1024,
    CONV_BWD_ROWS = 96,
    CONV_MIN_ROWS = 16,
    CONV_MAX_BYTES = 512 << 10,
};

typedef struct conv_ctx {
    gf_image_shape in, out;
    gf_conv_geom g;
} conv_ctx;

gf_image_shape gf_conv_out_shape(gf_image_shape in, gf_conv_geom g, size_t c_out)
{
    gf_image_shape o = {0, 0, c_out};
    if (g.stride == 0 || in.h + 2 * g.pad < g.kh || in.w + 2 * g.pad < g.kw)
        return o;
    o.h = (in.h + 2 * g.pad - g.kh) / g.stride + 1;
    o.w = (in.w + 2 * g.pad - g.kw) / g.stride + 1;
    return o;
}

static int is_pointwise(const conv_ctx *k)
{
    return k->g.kh == 1 && k->g.kw == 1 && k->g.stride == 1 && k->g.pad == 0;
}

/* The valid taps [*k0, *k1) of a kernel axis at output position o: those
 * whose input index o s - p + k falls in [0, len). */
static void tap_range(size_t o, size_t s, size_t p, size_t k, size_t len, size_t *k0, size_t *k1)
{
    const long start = (long)(o * s) - (long)p;
    const long lo = start < 0 ? -start : 0;
    long hi = (long)len - start;
    if (hi > (long)k)
        hi = (long)k;
    *k0 = (size_t)lo;
    *k1 = hi > lo ? (size_t)hi : (size_t)lo;
}

/* Keeps gcc from turning the copy loop below back into a memcpy call. */
#if defined(__GNUC__) && !defined(__clang__)
#define GF_NO_MEMCPY __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define GF_NO_MEMCPY
#endif

/* The im2col rows of output pixels [r0, r1), one contiguous span per kernel
 * row; one walk serves both directions. mode 0 (im2col): cols <- x, zeros
 * where the kernel lies over the padding; mode 1 (col2im): x += cols (that
 * add loop is why the function is cloned per vector width: s1's backward
 * went from 35 to 30 ms). */
GF_VECTOR_CLONES GF_NO_MEMCPY static void im2col_walk(const conv_ctx *k, double *x, double *cols, size_t r0,
                                         size_t r1, int mode)
{
    const size_t c = k->in.c, kw = k->g.kw, kh = k->g.kh, K = c * kh * kw;
    const size_t hw = k->out.h * k->out.w, img = k->in.h * k->in.w * c;
    for (size_t r = r0; r < r1; r++) {
        const size_t i = r / hw, oy = (r % hw) / k->out.w, ox = r % k->out.w;
        size_t y0, y1, x0, x1;
        tap_range(oy, k->g.stride, k->g.pad, kh, k->in.h, &y0, &y1);
        tap_range(ox, k->g.stride, k->g.pad, kw, k->in.w, &x0, &x1);
        double *row = cols + (r - r0) * K;
        if (mode == 0 && (y0 > 0 || y1 < kh || x0 > 0 || x1 < kw))
            memset(row, 0, K * sizeof *row); /* a border pixel: padding taps are 0 */
        const size_t span = (x1 - x0) * c;
        for (size_t ky = y0; ky < y1; ky++) {
            const size_t iy = oy * k->g.stride + ky - k->g.pad;
            const size_t ix = ox * k->g.stride + x0 - k->g.pad;
            double *xs = x + i * img + (iy * k->in.w + ix) * c;
            double *cs = row + (ky * kw + x0) * c;
            if (mode == 0) /* an inline copy: spans are 48-192 doubles, a call costs more */
                for (size_t j = 0; j < span; j++)
                    cs[j] = xs[j];
            else
                for (size_t j = 0; j < span; j++)
                    xs[j] += cs[j];
        }
    }
}

/* wp[o, (ky, kx, c)] = w[o, (c, ky, kx)] (dir 0), or w[...] (+)= wp[...] back (dir 1,
 * with beta 0: write, 1: add). */
static void permute_weight(const conv_ctx *k, size_t c_out, double *w, double *wp, int dir,
                           double beta)
{
    const size_t c = k->in.c, taps = k->g.kh * k->g.kw, K = c * taps;
    for (size_t o = 0; o < c_out; o++)
        for (size_t ch = 0; ch < c; ch++)
            for (size_t t = 0; t < taps; t++) {
                double *a = w + o * K + ch * taps + t, *b = wp + o * K + t * c + ch;
                if (dir == 0)
                    *b = *a;
                else
                    *a = beta == 0.0 ? *b : *a + *b;
            }
}

/* Output pixels per chunk: want, within [CONV_MIN_ROWS, M] and at most
 * CONV_MAX_BYTES of im2col rows. */
static size_t chunk_rows(size_t want, size_t K, size_t M)
{
    const size_t cap = CONV_MAX_BYTES / (K * sizeof(double));
    size_t rows = want < cap ? want : cap;
    if (rows < CONV_MIN_ROWS)
        rows = CONV_MIN_ROWS;
    return rows < M ? rows : M;
}

static gf_tensor *conv_check(gf_tape *tape, gf_tensor *x, gf_image_shape in, gf_tensor *w,
                             gf_tensor *b, gf_conv_geom g, gf_image_shape *out)
{
    if (x->d != gf_image_size(in))
        return gf_op_fail(tape, "conv2d", "x is %zu x %zu but the image is %zu x %zu x %zu "
                          "(h w c = %zu)", x->n, x->d, in.h, in.w, in.c, gf_image_size(in));
    if (w->d != in.c * g.kh * g.kw || w->n == 0)
        return gf_op_fail(tape, "conv2d", "W is %zu x %zu but c_in kh kw = %zu x %zu x %zu",
                          w->n, w->d, in.c, g.kh, g.kw);
    if (b && (b->n != 1 || b->d != w->n))
        return gf_op_fail(tape, "conv2d", "b is %zu x %zu but W has %zu filters (b is 1 x out)",
                          b->n, b->d, w->n);
    *out = gf_conv_out_shape(in, g, w->n);
    if (out->h == 0 || out->w == 0)
        return gf_op_fail(tape, "conv2d", "a %zu x %zu kernel (stride %zu, pad %zu) does not "
                          "fit a %zu x %zu image", g.kh, g.kw, g.stride, g.pad, in.h, in.w);
    return x;
}

/* ---- the batch in groups of whole images --------------------------------- */

/* The im2col + GEMM loops run over CONV_GROUPS groups of whole images (fewer
 * for a smaller batch), in parallel when OpenMP is built in (meson's openmp
 * option, auto: on with gcc) and the BLAS may use more than one thread (as
 * many threads as it may; its own GEMMs then run single-threaded). On 2 cores
 * a resnet-20 step's work stays the same and the calling thread's share
 * drops from 772 to 450 ms (bench/bench_cnn_step --threads-compare, on a
 * loaded machine, OMP_WAIT_POLICY=passive); OpenBLAS's own threads on the
 * chunks' GEMMs saved nothing and cost CPU time, so those GEMMs always run on
 * one BLAS thread (threaded or not, the BLAS splits rows and columns, never
 * the sums). The groups, not the threads, fix the order of
 * every sum: a group's partial dW adds its chunks in order and the partials
 * add in group order, so the bits do not depend on the number of threads.
 * Groups of whole images never share an input pixel, so col2im needs no
 * locks. */
enum { CONV_GROUPS = 8 };

static int conv_threads_set; /* gf_conv_set_threads: 0 automatic */

void gf_conv_set_threads(int n) { conv_threads_set = n > 0 ? n : 0; }

int gf_conv_threads(void)
{
#ifdef _OPENMP
    if (conv_threads_set > 0)
        return conv_threads_set;
    int t = omp_get_max_threads();
#ifdef GF_HAVE_OPENBLAS
    const int b = openblas_get_num_threads();
    t = b < t ? b : t;
#endif
    return t > 1 ? t : 1;
#else
    return 1;
#endif
}

/* Below this many FLOPs (2 M K c_out) a call runs on one thread unless
 * gf_conv_set_threads asked for more: a parallel region costs microseconds on
 * an idle machine but up to a time slice when the other core is busy
 * (bench_cnn_step --threads-compare at batch 4 on a loaded machine: 12 times
 * slower). A CIFAR-ResNet conv at batch 128 is 0.2-0.5 GFLOP. */
#define CONV_PARALLEL_FLOPS 3e7

static int call_threads(size_t M, size_t K, size_t c_out)
{
    const int t = gf_conv_threads();
    return conv_threads_set > 0 || 2.0 * (double)M * (double)K * (double)c_out >= CONV_PARALLEL_FLOPS
               ? t
               : 1;
}

int gf_blas_threads_swap(int n)
{
#ifdef GF_HAVE_OPENBLAS
    const int before = openblas_get_num_threads();
    if (n != before)
        openblas_set_num_threads(n);
    return before;
#else
    return n;
#endif
}

/* Output rows [*r0, *r1) of group g of groups, over n images of hw pixels. */
static void group_rows(size_t g, size_t groups, size_t n, size_t hw, size_t *r0, size_t *r1)
{
    *r0 = n * g / groups * hw;
    *r1 = n * (g + 1) / groups * hw;
}

int gf_thread_id(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* y[r0:r1] (+)= im2col(x) Wp^T, chunk by chunk in cols (mc x K). */
static void forward_rows(const conv_ctx *k, const double *x, const double *wp, double *cols,
                         double *y, size_t c_out, size_t mc, size_t r0, size_t r1, double beta)
{
    const size_t K = k->in.c * k->g.kh * k->g.kw;
    const int pointwise = is_pointwise(k);
    for (size_t a = r0; a < r1; a += mc) {
        const size_t b = a + mc < r1 ? a + mc : r1;
        if (!pointwise) /* a 1x1 conv's im2col is x itself */
            im2col_walk(k, (double *)x, cols, a, b, 0);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(b - a), (int)c_out, (int)K,
                    1.0, pointwise ? x + a * K : cols, (int)K, wp, (int)K, beta, y + a * c_out,
                    (int)c_out);
    }
}

static int general_forward(gf_tape *tape, const conv_ctx *k, const gf_tensor *x,
                           const gf_tensor *w, gf_tensor *y, double beta)
{
    const size_t c_out = w->n, K = w->d, hw = k->out.h * k->out.w, M = x->n * hw;
    const size_t mc = chunk_rows(CONV_FWD_OUTPUTS / c_out, K, M);
    const size_t groups = x->n < CONV_GROUPS ? x->n : CONV_GROUPS;
    const int threads = call_threads(M, K, c_out);
    double *wp = gf_tape_scratch(tape, c_out * K + (size_t)threads * mc * K);
    if (!wp)
        return -1;
    permute_weight(k, c_out, w->v, wp, 0, 0.0);
    const int before = gf_blas_threads_swap(1); /* the chunks' GEMMs: one BLAS thread each */
    GF_OMP_FOR(threads)
    for (size_t g = 0; g < groups; g++) {
        size_t r0, r1;
        group_rows(g, groups, x->n, hw, &r0, &r1);
        double *cols = wp + c_out * K + (size_t)gf_thread_id() * mc * K;
        forward_rows(k, x->v, wp, cols, y->v, c_out, mc, r0, r1, beta);
    }
    gf_blas_threads_swap(before);
    return 0;
}

gf_tensor *gf_conv2d(gf_tape *tape, gf_tensor *x, gf_image_shape in, gf_tensor *w, gf_tensor *b,
                     gf_conv_geom g)
{
    gf_tensor *ins[3] = {x, w, b};
    const int nin = b ? 3 : 2;
    gf_image_shape out;
    if (gf_op_begin(tape, ins, nin) != 0 || !conv_check(tape, x, in, w, b, g, &out))
        return NULL;
    const size_t c_out = w->n, M = x->n * out.h * out.w;
    gf_tensor *y = gf_op_output(tape, ins, nin, x->n, gf_image_size(out));
    conv_ctx *k = (conv_ctx *)gf_op_aux(tape, (sizeof *k + sizeof(double) - 1) / sizeof(double));
    if (!y || !k)
        return NULL;
    *k = (conv_ctx){.in = in, .out = out, .g = g};
    if (b)
        for (size_t r = 0; r < M; r++)
            memcpy(y->v + r * c_out, b->v, c_out * sizeof(double));
    const double beta = b ? 1.0 : 0.0;
    if (general_forward(tape, k, x, w, y, beta) != 0)
        return NULL;
    gf_node *nd = gf_op_push(tape, &gf_op_conv2d, y, ins, nin);
    if (!nd)
        return NULL;
    nd->ctx = k;
    return y;
}

/* Rows [r0, r1) chunk by chunk: cols = im2col(x), dwp (+)= dY^T cols (written
 * by the first chunk); dcols = dY Wp, gx += col2im(dcols). A 1x1 conv's cols
 * are x's rows and its dcols are gx's rows (beta_x: 0 writes, 1 adds). */
static void backward_rows(const conv_ctx *k, const double *x, const double *gy, const double *wp,
                          double *cols, double *dwp, double *gx, double beta_x, size_t c_out,
                          size_t mc, size_t r0, size_t r1)
{
    const int K = (int)(k->in.c * k->g.kh * k->g.kw), co = (int)c_out, pw = is_pointwise(k);
    for (size_t a = r0; a < r1; a += mc) {
        const size_t b = a + mc < r1 ? a + mc : r1;
        const int rows = (int)(b - a);
        if (dwp) {
            if (!pw)
                im2col_walk(k, (double *)x, cols, a, b, 0);
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, co, K, rows, 1.0,
                        gy + a * c_out, co, pw ? x + a * (size_t)K : cols, K,
                        a == r0 ? 0.0 : 1.0, dwp, K);
        }
        if (gx) {
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, K, co, 1.0,
                        gy + a * c_out, co, wp, K, pw ? beta_x : 0.0,
                        pw ? gx + a * (size_t)K : cols, K);
            if (!pw)
                im2col_walk(k, gx, cols, a, b, 1);
        }
    }
}

/* A stride-1 conv that keeps the image's size (kh = kw = 2 pad + 1, not 1x1)
 * has dX = the convolution of dY, with the same geometry, by the kernel
 * flipped in both axes and its channels swapped: forward-shaped GEMMs that
 * write dX's rows (inner size c_out kh kw), in place of dcols = dY Wp (inner
 * size c_out, kh kw c_in columns wide) and col2im's read-modify-write. Its
 * GEMMs are c_in columns wide, so a conv of few input channels keeps col2im:
 * the stem (1 channel) took 7.1 ms flipped against 5.2 (bench_conv). */
enum { CONV_FLIP_MIN_CHANNELS = 16 };

static int flips(const conv_ctx *k)
{
    return k->g.stride == 1 && k->g.kh == k->g.kw && k->g.kh == 2 * k->g.pad + 1 &&
           !is_pointwise(k) && k->in.c >= CONV_FLIP_MIN_CHANNELS;
}

/* wt[c, (ky, kx, o)] = w[o, c, kh-1-ky, kw-1-kx]: the flipped kernel in the im2col order. */
static void flip_weight(const conv_ctx *k, size_t c_out, const double *w, double *wt)
{
    const size_t c = k->in.c, kh = k->g.kh, kw = k->g.kw, taps = kh * kw;
    for (size_t ch = 0; ch < c; ch++)
        for (size_t t = 0; t < taps; t++)
            for (size_t o = 0; o < c_out; o++)
                wt[(ch * taps + t) * c_out + o] = w[(o * c + ch) * taps + taps - 1 - t];
}

/* The groups' backward (in parallel, see CONV_GROUPS), then dW from their
 * partial sums in group order. */
static void general_backward(gf_node *nd, const conv_ctx *k, size_t M)
{
    gf_tensor *x = nd->in[0], *w = nd->in[1], *y = nd->out;
    const size_t c_out = w->n, c_in = k->in.c, K = w->d, mc = chunk_rows(CONV_BWD_ROWS, K, M);
    const size_t groups = x->n < CONV_GROUPS ? x->n : CONV_GROUPS, hw = M / x->n;
    const size_t Kt = c_out * k->g.kh * k->g.kw; /* the flipped conv's im2col width */
    const size_t mt = chunk_rows(CONV_FWD_OUTPUTS / c_in, Kt, M); /* and its chunks */
    const int threads = call_threads(M, K, c_out), flip = flips(k);
    const conv_ctx kt = {.in = k->out, .out = k->in, .g = k->g}; /* dY -> dX */
    double beta_w, beta_x; /* 0: gx is fresh, written by a GEMM or zeroed per group */
    double *gx = gf_grad_begin(nd, x, &beta_x), *gw = gf_grad_begin(nd, w, &beta_w);
    if (!gx && !gw)
        return;
    const size_t per_thread = flip && mt * Kt > mc * K ? mt * Kt : mc * K; /* a thread's columns */
    double *wp = gf_tape_scratch(nd->tape, (1 + groups) * c_out * K + (size_t)threads * per_thread);
    if (!wp)
        return;
    double *dwp = wp + c_out * K, *cols = dwp + groups * c_out * K;
    if (!flip) /* the kernel for dcols; flipped, it is the flipped conv's (c_in x Kt) */
        permute_weight(k, c_out, w->v, wp, 0, 0.0);
    else if (gx)
        flip_weight(k, c_out, w->v, wp);
    const int before = gf_blas_threads_swap(1); /* the chunks' GEMMs: one BLAS thread each */
    GF_OMP_FOR(threads)
    for (size_t g = 0; g < groups; g++) {
        size_t r0, r1;
        group_rows(g, groups, x->n, hw, &r0, &r1);
        double *tc = cols + (size_t)gf_thread_id() * per_thread;
        if (gx && beta_x == 0.0 && !flip && !is_pointwise(k)) /* col2im adds: from 0 */
            memset(gx + r0 / hw * x->d, 0, (r1 - r0) / hw * x->d * sizeof *gx);
        backward_rows(k, x->v, y->g, wp, tc, gw ? dwp + g * c_out * K : NULL, flip ? NULL : gx,
                      beta_x, c_out, mc, r0, r1);
        if (flip && gx)
            forward_rows(&kt, y->g, wp, tc, gx, c_in, mt, r0, r1, beta_x);
    }
    gf_blas_threads_swap(before);
    if (!gw)
        return;
    for (size_t g = 1; g < groups; g++) /* the partials in group order */
        for (size_t i = 0; i < c_out * K; i++)
            dwp[i] += dwp[g * c_out * K + i];
    permute_weight(k, c_out, gw, dwp, 1, beta_w);
}

/* db += the column sums of dY (M x c_out); then the kernel's gradients. */
static void conv2d_backward(gf_node *nd)
{
    const conv_ctx *k = nd->ctx;
    const gf_tensor *y = nd->out;
    const size_t c_out = nd->in[1]->n, M = y->n * k->out.h * k->out.w;
    double beta;
    double *gb = nd->nin == 3 ? gf_grad_begin(nd, nd->in[2], &beta) : NULL;
    if (gb)
        gf_column_sums(y->g, M, c_out, c_out, gb, beta == 0.0);
    general_backward(nd, k, M);
}

const gf_op gf_op_conv2d = {"conv2d",
                            "y[i,oy,ox,o] = b[o] + sum W[o,c,ky,kx] x[i,oy s-p+ky,ox s-p+kx,c]",
                            conv2d_backward};
