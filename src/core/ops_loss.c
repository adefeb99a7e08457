/* ops_loss.c: softmax cross-entropy and mean squared error (both 1 x 1). */
#include "tape_internal.h"

#include <math.h>

/* aux holds the softmax probabilities (n x c). */
/* Row i of the loss: logsumexp(z_i) - z_i[label]; p_i the softmax (or NULL). */
static double xent_row(const double *zr, int label, size_t c, double *pr)
{
    double m = zr[0];
    for (size_t j = 1; j < c; j++)
        m = fmax(m, zr[j]);
    double s = 0.0;
    for (size_t j = 0; j < c; j++) {
        const double e = exp(zr[j] - m);
        s += e;
        if (pr)
            pr[j] = e;
    }
    if (pr)
        for (size_t j = 0; j < c; j++)
            pr[j] /= s;
    return m + log(s) - zr[label];
}

double gf_xent_sum(const double *z, const int *labels, size_t n, size_t c, double *p)
{
    double loss = 0.0;
    for (size_t i = 0; i < n; i++)
        loss += xent_row(z + i * c, labels[i], c, p ? p + i * c : NULL);
    return loss;
}

size_t gf_wrong_count(const double *z, const int *labels, size_t n, size_t c)
{
    size_t wrong = 0;
    for (size_t i = 0; i < n; i++) { /* the predicted class: the first largest logit */
        const double *zi = z + i * c;
        size_t best = 0;
        for (size_t j = 1; j < c; j++)
            if (zi[j] > zi[best])
                best = j;
        wrong += best != (size_t)labels[i];
    }
    return wrong;
}

gf_tensor *gf_softmax_xent(gf_tape *tape, gf_tensor *z, const int *labels)
{
    if (gf_op_begin(tape, &z, 1) != 0)
        return NULL;
    const size_t n = z->n, c = z->d;
    if (!labels)
        return gf_op_fail(tape, "softmax_xent", "no labels for %zu x %zu logits", n, c);
    for (size_t i = 0; i < n; i++)
        if (labels[i] < 0 || (size_t)labels[i] >= c)
            return gf_op_fail(tape, "softmax_xent",
                              "label %d of sample %zu is outside [0, %zu) (logits %zu x %zu)",
                              labels[i], i, c, n, c);
    gf_tensor *y = gf_op_output(tape, &z, 1, 1, 1);
    const int T = gf_pass_threads(n * c);
    double *p = gf_op_aux(tape, n * c + (T > 1 ? n : 0));
    if (!y || !p)
        return NULL;
    if (T > 1) { /* the rows in shares, their terms summed in row order as gf_xent_sum */
        double *term = p + n * c, loss = 0.0;
        GF_OMP_FOR(T)
        for (size_t i = 0; i < n; i++)
            term[i] = xent_row(z->v + i * c, labels[i], c, p + i * c);
        for (size_t i = 0; i < n; i++)
            loss += term[i];
        y->v[0] = loss / (double)n;
    } else
        y->v[0] = gf_xent_sum(z->v, labels, n, c, p) / (double)n;
    gf_node *nd = gf_op_push(tape, &gf_op_softmax_xent, y, &z, 1);
    if (!nd)
        return NULL;
    nd->aux = p;
    nd->ctx = labels;
    return y;
}

/* dz += dL (p - onehot(label)) / n */
static void softmax_xent_backward(gf_node *nd)
{
    gf_tensor *z = nd->in[0];
    double *gz = gf_grad_acc(nd, z);
    if (!gz)
        return;
    const int *labels = nd->ctx;
    const size_t n = z->n, c = z->d;
    const double k = nd->out->g[0] / (double)n;
    const int T = gf_pass_threads(n * c);
    GF_OMP_FOR(T)
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < c; j++)
            gz[i * c + j] += k * nd->aux[i * c + j];
        gz[i * c + (size_t)labels[i]] -= k;
    }
}

const gf_op gf_op_softmax_xent = {"softmax_xent", "L = mean_i (logsumexp(z_i) - z_i[label_i])",
                                  softmax_xent_backward};

gf_tensor *gf_mse(gf_tape *tape, gf_tensor *y, gf_tensor *t)
{
    gf_tensor *in[2] = {y, t};
    if (gf_op_begin(tape, in, 2) != 0)
        return NULL;
    if (y->n != t->n || y->d != t->d)
        return gf_op_fail(tape, "mse", "the prediction is %zu x %zu but the target is %zu x %zu",
                          y->n, y->d, t->n, t->d);
    gf_tensor *out = gf_op_output(tape, in, 2, 1, 1);
    if (!out)
        return NULL;
    const size_t size = gf_tensor_size(y);
    double s = 0.0;
    for (size_t i = 0; i < size; i++) {
        const double r = y->v[i] - t->v[i];
        s += r * r;
    }
    out->v[0] = s / (double)size;
    return gf_op_push(tape, &gf_op_mse, out, in, 2) ? out : NULL;
}

/* dy += dL 2 (y - t) / size;  dt -= the same */
static void mse_backward(gf_node *nd)
{
    gf_tensor *y = nd->in[0], *t = nd->in[1];
    const size_t size = gf_tensor_size(y);
    const double k = 2.0 * nd->out->g[0] / (double)size;
    double *gy = gf_grad_acc(nd, y), *gt = gf_grad_acc(nd, t);
    for (size_t i = 0; i < size; i++) {
        const double r = k * (y->v[i] - t->v[i]);
        if (gy)
            gy[i] += r;
        if (gt)
            gt[i] -= r;
    }
}

const gf_op gf_op_mse = {"mse", "L = mean over entries of (y - t)^2", mse_backward};
