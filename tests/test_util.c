/* test_util.c: shared helpers of the test suites (see test_util.h). */
#define _GNU_SOURCE
#include "test_util.h"

#include <dirent.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- numbers ----------------------------------------------------------- */

gsl_rng *tu_rng(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r)
        gsl_rng_set(r, seed);
    return r;
}

void tu_fill_uniform(double *x, size_t n, gsl_rng *r, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        x[i] = gsl_ran_flat(r, lo, hi);
}

void tu_fill_gauss(double *x, size_t n, gsl_rng *r, double sd)
{
    for (size_t i = 0; i < n; i++)
        x[i] = gsl_ran_gaussian(r, sd);
}

void tu_fill_away_from_zero(double *x, size_t n, gsl_rng *r, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        x[i] = gsl_ran_flat(r, lo, hi) * (gsl_rng_uniform(r) < 0.5 ? -1.0 : 1.0);
}

double tu_norm(const double *x, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += x[i] * x[i];
    return sqrt(s);
}

double tu_rel_err(const double *a, const double *b, size_t n)
{
    double d = 0.0;
    for (size_t i = 0; i < n; i++)
        d += (a[i] - b[i]) * (a[i] - b[i]);
    return sqrt(d) / fmax(1e-8, tu_norm(a, n) + tu_norm(b, n));
}

double tu_fixed(size_t i)
{
    /* A small integer hash mapped to [-1, 1]: the same numbers on every run. */
    uint32_t h = (uint32_t)i * 2654435761u + 0x9e3779b9u;
    h ^= h >> 15;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    return (double)h / 2147483647.5 - 1.0;
}

gf_tensor *tu_mse_fixed(gf_tape *tape, gf_tensor *y)
{
    if (!y)
        return NULL;
    gf_tensor *t = gf_tape_input(tape, y->n, y->d);
    if (!t)
        return NULL;
    for (size_t i = 0; i < gf_tensor_size(t); i++)
        t->v[i] = tu_fixed(i + 17);
    return gf_mse(tape, y, t);
}

/* ---- finite differences ------------------------------------------------ */

void tu_fd_init(tu_fd *c, tu_build_fn build)
{
    memset(c, 0, sizeof *c);
    c->build = build;
}

int tu_fd_leaf(tu_fd *c, const char *name, size_t n, size_t d, int on_tape)
{
    if (c->n_leaves == TU_MAX_LEAVES)
        return -1;
    tu_leaf *l = &c->leaf[c->n_leaves];
    snprintf(l->name, sizeof l->name, "%s", name);
    l->n = n;
    l->d = d;
    l->on_tape = on_tape;
    l->v = calloc(n * d, sizeof *l->v);
    l->g = calloc(n * d, sizeof *l->g);
    l->pg = calloc(n * d, sizeof *l->pg);
    if (!on_tape)
        gf_tensor_bind(&l->bound, n, d, l->v, l->pg);
    return c->n_leaves++;
}

void tu_fd_release(tu_fd *c)
{
    for (int i = 0; i < c->n_leaves; i++) {
        free(c->leaf[i].v);
        free(c->leaf[i].g);
        free(c->leaf[i].pg);
    }
    c->n_leaves = 0;
}

void tu_fd_uniform_leaf(tu_fd *c, gsl_rng *r, const char *name, size_t n, size_t d, int on_tape,
                        double lo, double hi)
{
    const int i = tu_fd_leaf(c, name, n, d, on_tape);
    if (i >= 0)
        tu_fill_uniform(c->leaf[i].v, n * d, r, lo, hi);
}

void tu_fd_linear_leaves(tu_fd *c, gsl_rng *r, size_t n, size_t in, size_t out)
{
    tu_fd_uniform_leaf(c, r, "x", n, in, 1, -1, 1);
    tu_fd_uniform_leaf(c, r, "W", out, in, 0, -1, 1);
    tu_fd_uniform_leaf(c, r, "b", 1, out, 0, -1, 1);
}

void tu_fd_bn_leaves(tu_fd *c, gsl_rng *r, size_t n, size_t d, size_t feat, int eval)
{
    const int x = tu_fd_leaf(c, "x", n, d, 1);
    for (size_t p = 0; p < n * d; p++) {
        const double j = (double)(p % feat);
        c->leaf[x].v[p] = j - 0.5 * (double)(feat - 1) + (0.5 + 0.3 * j) * gsl_ran_flat(r, -1, 1);
    }
    tu_fd_uniform_leaf(c, r, "gamma", 1, feat, 0, 0.5, 1.5);
    tu_fd_uniform_leaf(c, r, "beta", 1, feat, 0, -0.5, 0.5);
    for (size_t j = 0; j < feat; j++) {
        c->aux[j] = eval ? gsl_ran_flat(r, -1, 1) : 0.0;
        c->aux[16 + j] = eval ? gsl_ran_flat(r, 0.5, 2.0) : 1.0;
    }
}

gf_bn_state tu_fd_bn_state(gf_tape *t, tu_fd *c)
{
    return (gf_bn_state){.gamma = tu_fd_get(t, c, 1), .beta = tu_fd_get(t, c, 2),
                         .running_mean = c->aux, .running_var = c->aux + 16,
                         .batches_tracked = c->aux + 32, .momentum = 0.1, .eps = 1e-5};
}

void tu_fd_case_open(tu_fd_case *k, unsigned long seed, tu_build_fn build)
{
    k->r = tu_rng(seed);
    k->tape = gf_tape_alloc(TU_CHUNK);
    tu_fd_init(&k->c, build);
}

void tu_fd_case_close(tu_fd_case *k)
{
    gf_tape_free(k->tape);
    tu_fd_release(&k->c);
    gsl_rng_free(k->r);
}

gf_tensor *tu_fd_get(gf_tape *tape, tu_fd *c, int i)
{
    tu_leaf *l = &c->leaf[i];
    if (!l->on_tape)
        return l->cur = &l->bound;
    gf_tensor *t = gf_tape_input(tape, l->n, l->d);
    if (t) {
        memcpy(t->v, l->v, l->n * l->d * sizeof *t->v);
        t->flags |= GF_REQUIRES_GRAD;
    }
    return l->cur = t;
}

static double scalar_of(const tu_fd *c, const gf_tensor *out)
{
    if (!c->seed)
        return out->v[0];
    double s = 0.0;
    for (size_t i = 0; i < gf_tensor_size(out); i++)
        s += c->seed[i] * out->v[i];
    return s;
}

/* Reset the tape and build: the output, or NULL when the build failed or a
 * loss (no seed) is not 1 x 1. */
static gf_tensor *fresh_build(gf_tape *tape, tu_fd *c)
{
    gf_tape_reset(tape);
    for (int i = 0; i < c->n_leaves; i++)
        c->leaf[i].cur = NULL;
    gf_tensor *out = c->build(tape, c);
    if (!out || gf_tape_status(tape) != 0 || (!c->seed && gf_tensor_size(out) != 1))
        return NULL;
    return out;
}

double tu_fd_value(gf_tape *tape, tu_fd *c)
{
    const gf_tensor *out = fresh_build(tape, c);
    return out ? scalar_of(c, out) : NAN;
}

int tu_fd_analytic(gf_tape *tape, tu_fd *c)
{
    gf_tensor *out = fresh_build(tape, c);
    if (!out)
        return -1;
    const int rc = c->seed ? gf_tape_backward_from(tape, out, c->seed) : gf_tape_backward(tape, out);
    if (rc != 0)
        return -1;
    for (int i = 0; i < c->n_leaves; i++) {
        tu_leaf *l = &c->leaf[i];
        if (l->cur)
            gf_tensor_grad_export(l->cur, l->g);
        else
            memset(l->g, 0, l->n * l->d * sizeof *l->g);
    }
    return 0;
}

void tu_fd_numeric(gf_tape *tape, tu_fd *c, int i, double h, double *out)
{
    tu_leaf *l = &c->leaf[i];
    for (size_t j = 0; j < l->n * l->d; j++) {
        const double v0 = l->v[j];
        l->v[j] = v0 + h;
        const double up = tu_fd_value(tape, c);
        l->v[j] = v0 - h;
        const double down = tu_fd_value(tape, c);
        l->v[j] = v0;
        out[j] = (up - down) / (2.0 * h);
    }
}

double tu_fd_check(gf_tape *tape, tu_fd *c, double h, double tol, const char *label)
{
    if (tu_fd_analytic(tape, c) != 0) {
        fprintf(stderr, "\n  %s: build or backward failed (tape status %d)\n", label,
                gf_tape_status(tape));
        return INFINITY;
    }
    double worst = 0.0;
    for (int i = 0; i < c->n_leaves; i++) {
        tu_leaf *l = &c->leaf[i];
        const size_t size = l->n * l->d;
        double *num = malloc(size * sizeof *num);
        if (!num)
            return INFINITY;
        tu_fd_numeric(tape, c, i, h, num);
        double err = tu_rel_err(l->g, num, size);
        if (isnan(err))
            err = INFINITY;
        if (err > tol || tu_norm(num, size) == 0.0)
            fprintf(stderr, "\n  %s: leaf %s: relative error %.3g (|analytic| %.6g, |numeric| %.6g)\n",
                    label, l->name, err, tu_norm(l->g, size), tu_norm(num, size));
        if (tu_norm(num, size) == 0.0) /* a leaf the loss does not see checks nothing */
            err = INFINITY;
        worst = fmax(worst, err);
        free(num);
    }
    return worst;
}

/* ---- stacks ------------------------------------------------------------ */

gf_stack_config tu_config(gf_arch arch, int depth, size_t width, size_t in_dim, size_t classes)
{
    gf_stack_config c = gf_stack_config_default();
    c.arch = arch;
    c.depth = depth;
    c.width = width;
    c.in_dim = in_dim;
    c.classes = classes;
    return c;
}

gf_stack_config tu_small_config(gf_arch arch, int depth, size_t width)
{
    return tu_config(arch, depth, width, 12, 5);
}

int tu_run_step(tu_run *r, int training)
{
    gf_tape_reset(r->tape);
    gf_tensor *x = gf_tape_input(r->tape, r->batch, r->s->cfg.in_dim);
    if (!x)
        return -1;
    memcpy(x->v, r->xv, gf_tensor_size(x) * sizeof *x->v);
    r->x = x;
    r->logits = gf_stack_forward(r->s, r->tape, x, training, &r->rec);
    r->loss = gf_softmax_xent(r->tape, r->logits, r->labels);
    if (!r->loss)
        return -1;
    return gf_tape_backward(r->tape, r->loss) == 0 ? 0 : -1;
}

int tu_run_stack(tu_run *r, const gf_stack_config *c, unsigned long seed, size_t batch,
                 int training)
{
    return tu_run_stack_chunk(r, c, seed, batch, training, TU_CHUNK);
}

int tu_run_stack_chunk(tu_run *r, const gf_stack_config *c, unsigned long seed, size_t batch,
                       int training, size_t chunk_bytes)
{
    memset(r, 0, sizeof *r);
    gf_recorder_init(&r->rec);
    r->s = gf_stack_alloc(c);
    r->tape = gf_tape_alloc(chunk_bytes);
    r->rng = tu_rng(seed);
    r->labels = malloc(batch * sizeof *r->labels);
    r->xv = malloc(batch * c->in_dim * sizeof *r->xv);
    r->batch = batch;
    if (!r->s || !r->tape || !r->rng || !r->labels || !r->xv || gf_stack_init_weights(r->s, r->rng) != 0)
        return -1;
    tu_fill_gauss(r->xv, batch * c->in_dim, r->rng, 1.0);
    for (size_t i = 0; i < batch; i++)
        r->labels[i] = (int)gsl_rng_uniform_int(r->rng, c->classes);
    return tu_run_step(r, training);
}

void tu_run_release(tu_run *r)
{
    gf_tape_free(r->tape); /* before the stack: the tape remembers its parameters */
    gf_stack_free(r->s);
    gf_recorder_release(&r->rec);
    gsl_rng_free(r->rng);
    free(r->labels);
    free(r->xv);
    memset(r, 0, sizeof *r);
}

/* ---- files ------------------------------------------------------------- */

int tu_make_temp_dir(char *buf, size_t size, const char *tag)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    if (snprintf(buf, size, "%s/gradflow-test-%s-XXXXXX", base, tag) >= (int)size)
        return -1;
    return mkdtemp(buf) ? 0 : -1;
}

void tu_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                char sub[4096];
                if (snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) < (int)sizeof sub)
                    tu_remove_tree(sub);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? 2 * cap : 8192;
            char *b = realloc(buf, cap);
            if (!b) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        const size_t got = fread(buf + n, 1, 4096, f);
        n += got;
        if (got < 4096)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

int tu_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int tu_count_entries(const char *dir) { return tu_count_matching(dir, ""); }

int tu_count_matching(const char *dir, const char *needle)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            strstr(e->d_name, needle))
            n++;
    closedir(d);
    return n;
}
