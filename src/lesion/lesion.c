/* lesion.c: trained nets with blocks deleted or reordered (Veit et al. 2016),
 * evaluated on a test set (see gf_lesion.h). */
#include "lesion/gf_lesion.h"

#include "io/gf_io.h"
#include "train/gf_train.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gf_lesion_draw_deletion(gsl_rng *rng, int blocks, int k, unsigned char *drop)
{
    int left = k; /* selection sampling: take position i with probability left / (blocks - i) */
    for (int i = 0; i < blocks; i++) {
        drop[i] = left > 0 && gsl_rng_uniform(rng) * (blocks - i) < left;
        left -= drop[i];
    }
}

void gf_lesion_draw_swaps(gsl_rng *rng, int blocks, int k, int *order)
{
    for (int i = 0; i < blocks; i++)
        order[i] = i;
    for (int s = 0; s < k && blocks >= 2; s++) { /* a pair i != j, uniform over all pairs */
        const int i = (int)gsl_rng_uniform_int(rng, (unsigned long)blocks);
        int j = (int)gsl_rng_uniform_int(rng, (unsigned long)blocks - 1);
        j += j >= i;
        const int t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

double gf_kendall_tau(const int *order, int n)
{
    if (n < 2)
        return 1.0;
    long inv = 0; /* pairs i < j out of order */
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            inv += order[i] > order[j];
    return 1.0 - 4.0 * (double)inv / ((double)n * (double)(n - 1));
}

/* The set's arrays carved from one zeroed block, the widest type first so each
 * stays aligned: err, loss, tau (double), n, order (int), drop (byte). */
static int set_alloc(gf_lesion_set *s, int kmax, int draws, int blocks)
{
    const size_t rows = (size_t)kmax + 1, cells = rows * (size_t)draws;
    const size_t slots = cells * (size_t)(blocks + 1);
    *s = (gf_lesion_set){.kmax = kmax, .draws = draws, .blocks = blocks};
    double *d = calloc(1, 3 * cells * sizeof *d + (rows + slots) * sizeof(int) + slots);
    if (!d)
        return -1;
    s->err = d;
    s->loss = d + cells;
    s->tau = d + 2 * cells;
    s->n = (int *)(d + 3 * cells);
    s->order = s->n + rows;
    s->drop = (unsigned char *)(s->order + slots);
    return 0;
}

static void set_release(gf_lesion_set *s)
{
    free(s->err); /* the block set_alloc carved */
    memset(s, 0, sizeof *s);
}

void gf_lesion_release(gf_lesion_result *res)
{
    free(res->single_err);
    free(res->single_loss);
    set_release(&res->del);
    set_release(&res->swap);
    memset(res, 0, sizeof *res);
}

/* What a run shares between its evaluations. */
typedef struct lesion_ctx {
    gf_model *net;
    gf_tape *tape;
    const gf_lesion_spec *spec;
    int done, total;
} lesion_ctx;

static int evaluate(lesion_ctx *c, const gf_block_plan *plan, double *err, double *loss)
{
    const int rc = gf_evaluate(c->net, c->tape, c->spec->test, c->spec->eval_batch, plan, loss,
                               err);
    c->done++;
    if (c->spec->progress)
        c->spec->progress(c->spec->progress_ctx, c->done, c->total);
    return rc;
}

/* Draws evaluated in row k: one when the lesion is the same for every draw
 * (nothing changed; every block deleted). */
static int row_draws(int k, int blocks, int draws, int swaps)
{
    return k == 0 || (!swaps && k == blocks) ? 1 : draws;
}

static int set_evaluations(int kmax, int blocks, int draws, int swaps)
{
    int n = 0;
    for (int k = 0; k <= kmax; k++)
        n += row_draws(k, blocks, draws, swaps);
    return n;
}

/* Rows 0..kmax of one kind of lesion: deletions (swaps = 0) or swaps. */
static int run_set(lesion_ctx *c, gf_lesion_set *s, int swaps)
{
    const int B = s->blocks;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng)
        return -1;
    int rc = 0;
    for (int k = 0; k <= s->kmax && rc == 0; k++) {
        gsl_rng_set(rng, gf_seed_stream(c->spec->seed, 2ul * (unsigned long)k + (unsigned long)swaps));
        s->n[k] = row_draws(k, B, s->draws, swaps);
        for (int j = 0; j < s->n[k] && rc == 0; j++) {
            const size_t cell = (size_t)k * (size_t)s->draws + (size_t)j;
            unsigned char *drop = s->drop + cell * (size_t)B;
            int *order = s->order + cell * (size_t)B;
            for (int i = 0; i < B; i++)
                order[i] = i;
            if (swaps)
                gf_lesion_draw_swaps(rng, B, k, order);
            else
                gf_lesion_draw_deletion(rng, B, k, drop);
            s->tau[cell] = gf_kendall_tau(order, B);
            const gf_block_plan plan = {.order = order, .drop = drop};
            rc = evaluate(c, &plan, &s->err[cell], &s->loss[cell]);
        }
    }
    gsl_rng_free(rng);
    return rc;
}

/* What the result records of net: its name and blocks; for a family of the
 * arch registry (the columns arch and depth of the tables) its arch and depth. */
static void describe(gf_model *net, gf_lesion_result *res)
{
    res->blocks = gf_model_blocks(net);
    gf_model_name(net, res->name, sizeof res->name);
    gf_stack_config c;
    if (gf_arch_options_of(net, &c) == 0)
        res->arch = c.arch, res->depth = c.depth;
}

int gf_lesion_run(gf_model *net, const gf_lesion_spec *spec, gf_lesion_result *res, char *why,
                  size_t size)
{
    memset(res, 0, sizeof *res);
    res->spec = *spec;
    describe(net, res);
    const int B = res->blocks;
    const char *bad = NULL;
    if (!spec->test || spec->test->n == 0 || spec->test->dim != gf_model_in_dim(net) ||
        spec->test->classes > gf_model_classes(net))
        bad = "the test set is empty or does not fit the network";
    else if (spec->draws < 1 || spec->max_delete < 0 || spec->max_delete > B ||
             spec->max_swaps < 0 || (B < 2 && spec->max_swaps > 0) || spec->seed < 1 ||
             spec->eval_batch < 1)
        bad = "draws, deletions, swaps, seed or batch out of range";
    if (bad) {
        snprintf(why, size, "%s: %s", res->name, bad);
        return -1;
    }
    lesion_ctx c = {.net = net, .tape = gf_tape_alloc(0), .spec = spec,
                    .total = 1 + B + set_evaluations(spec->max_delete, B, spec->draws, 0) +
                             set_evaluations(spec->max_swaps, B, spec->draws, 1)};
    res->single_err = calloc((size_t)B + 1, sizeof *res->single_err);
    res->single_loss = calloc((size_t)B + 1, sizeof *res->single_loss);
    unsigned char *drop = calloc((size_t)B + 1, 1);
    int rc = -1;
    if (!c.tape || !res->single_err || !res->single_loss || !drop ||
        set_alloc(&res->del, spec->max_delete, spec->draws, B) != 0 ||
        set_alloc(&res->swap, spec->max_swaps, spec->draws, B) != 0) {
        snprintf(why, size, "%s: out of memory", res->name);
        goto out;
    }
    double t = gf_now();
    if (evaluate(&c, NULL, &res->base_err, &res->base_loss) != 0)
        goto fail;
    for (int b = 0; b < B; b++) { /* delete each block alone: drop[b], the rest in order */
        drop[b] = 1;
        const gf_block_plan plan = {.drop = drop};
        if (evaluate(&c, &plan, &res->single_err[b], &res->single_loss[b]) != 0)
            goto fail;
        drop[b] = 0;
    }
    res->seconds[0] = gf_now() - t;
    t = gf_now();
    if (run_set(&c, &res->del, 0) != 0)
        goto fail;
    res->seconds[1] = gf_now() - t;
    t = gf_now();
    if (run_set(&c, &res->swap, 1) != 0)
        goto fail;
    res->seconds[2] = gf_now() - t;
    rc = 0;
    goto out;
fail:
    snprintf(why, size, "%s: evaluation failed (out of memory?)", res->name);
out:
    free(drop);
    gf_tape_free(c.tape);
    return rc;
}

void gf_lesion_row_stats(const gf_lesion_set *s, int k, double *mean, double *sd, double *min,
                         double *max, double *tau)
{
    const int n = s->n[k];
    const size_t row = (size_t)k * (size_t)s->draws;
    const double *e = s->err + row, *t = s->tau + row;
    double sum = 0.0, sum_t = 0.0, lo = INFINITY, hi = -INFINITY;
    for (int j = 0; j < n; j++) {
        sum += e[j];
        sum_t += t[j];
        lo = fmin(lo, e[j]);
        hi = fmax(hi, e[j]);
    }
    const double m = sum / n;
    double ss = 0.0; /* sample variance: sum (e - mean)^2 / (n - 1) */
    for (int j = 0; j < n; j++)
        ss += (e[j] - m) * (e[j] - m);
    *mean = m;
    *sd = n > 1 ? sqrt(ss / (n - 1)) : 0.0;
    *min = lo;
    *max = hi;
    *tau = sum_t / n;
}

void gf_lesion_row_quartiles(const gf_lesion_set *s, int k, double q[3])
{
    const int n = s->n[k];
    double *v = malloc((size_t)(n > 0 ? n : 1) * sizeof *v);
    q[0] = q[1] = q[2] = NAN;
    if (!v || n == 0) {
        free(v);
        return;
    }
    memcpy(v, s->err + (size_t)k * (size_t)s->draws, (size_t)n * sizeof *v);
    gsl_sort(v, 1, (size_t)n);
    for (int i = 0; i < 3; i++)
        q[i] = gsl_stats_quantile_from_sorted_data(v, 1, (size_t)n, 0.25 * (i + 1));
    free(v);
}
