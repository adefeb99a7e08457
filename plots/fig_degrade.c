/* fig_degrade.c: the recipe of the degradation figures (`gradflow degrade`,
 * `gradflow stochdepth`, lessons 02 and 04) filled from a training grid's
 * result: the error curves (plain nets left, residual right, -sd nets after
 * the whole ones) and the per-depth gradient norm at a few probed steps of
 * the deepest nets. */
#include "plots/gf_plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The error axis ends at the largest error plus 8%, rounded up to whole
 * steps of 5 percentage points. */
static const double YMAX_HEADROOM = 1.08, YMAX_ROUND = 5.0;

/* The rank of depth among the requested depths (smallest first): its colour. */
static int depth_rank(const gf_grid_spec *o, int depth)
{
    int r = 0;
    for (int d = 0; d < o->n_depths; d++)
        r += o->depths[d] < depth;
    return r;
}

/* The largest error of run r over its epochs from `from` (0: with the one at
 * initialization, when r has it), in percent. */
static double largest_error(const gf_grid_net *r, int from)
{
    double m = 0.0;
    for (int e = from; e <= r->epochs_done; e++) {
        const gf_epoch_stats *s = e == 0 ? &r->init : &r->hist[e - 1];
        if (e == 0 && !r->has_init)
            continue;
        m = fmax(m, 100.0 * fmax(s->train_err, isnan(s->test_err) ? 0.0 : s->test_err));
    }
    return m;
}

/* The top of the error axis, percent: the largest error plus headroom,
 * rounded up. The errors at initialization (about chance) count unless the
 * trained epochs stay below half of them: then they are left above the axis
 * and *init_max (else 0) says how high they are. */
static double error_axis(const gf_grid_result *x, double *init_max)
{
    double trained = 0.0, all = 0.0;
    for (int i = 0; i < x->n_runs; i++) {
        trained = fmax(trained, largest_error(&x->runs[i], 1));
        all = fmax(all, largest_error(&x->runs[i], 0));
    }
    const double top = trained > 0.0 && all > 2.0 * trained ? trained : all;
    *init_max = top < all ? all : 0.0;
    return fmin(100.0, ceil(top * YMAX_HEADROOM / YMAX_ROUND) * YMAX_ROUND);
}

void gf_degrade_figs_make(const gf_grid_result *x, gf_degrade_figs *f)
{
    const gf_grid_spec *o = &x->spec;
    memset(f, 0, sizeof *f);
    int nl = 0, nr = 0, n = 0;
    double ymax = 0.0;
    for (int i = 0; i < x->n_runs && n < GF_DEGRADE_MAX_NETS; i += o->seeds, n++) {
        const gf_grid_net *r = &x->runs[i]; /* the first seed of each net */
        const int rank = depth_rank(o, r->depth) + (r->stochastic_depth ? o->n_depths : 0);
        snprintf(f->names[n], sizeof f->names[n], "%s", r->name);
        if (!gf_arch_residual(r->arch)) { /* plain (MLP or cnn) and DenseNets: no skips */
            f->left_rank[nl] = rank;
            f->left[nl++] = f->names[n];
        } else {
            f->right_rank[nr] = rank;
            f->right[nr++] = f->names[n];
        }
    }
    double init_max;
    ymax = error_axis(x, &init_max);
    char off[64] = "", seeds[64] = "";
    if (o->seeds > 1)
        snprintf(seeds, sizeof seeds, "; mean of %d seeds, band: min-max", o->seeds);
    if (init_max > ymax) /* the error at initialization would squash the trained curves */
        snprintf(off, sizeof off, "; epoch 0 (init, %.0f%%) off the top", init_max);
    snprintf(f->title, sizeof f->title, "Degradation on %s: training error (solid) and test "
             "error (dashed)", o->data_name);
    char net[192];
    gf_arch_training_text(net, sizeof net, &o->base, o->archs, o->n_archs);
    snprintf(f->subtitle, sizeof f->subtitle, "%zu training images, %s, %s lr %g, batch %zu%s%s",
             o->train_set->n, net, gf_optim_names[o->train.optim.kind], o->train.sched.lr,
             o->train.batch, seeds, off);
    f->curves = (gf_fig_curves){.title = f->title, .subtitle = f->subtitle, .left = f->left,
                                .right = f->right, .left_depth_rank = f->left_rank,
                                .right_depth_rank = f->right_rank, .n_left = nl, .n_right = nr,
                                .left_title = "plain nets", .right_title = "residual nets",
                                .epochs = o->train.epochs, .ymax = ymax > 0 ? ymax : 100,
                                .bands = o->seeds > 1};

    /* gradient norms: the deepest net of each architecture (whole, then -sd), first seed */
    const int depth = gf_grid_deepest(x);
    const gf_stack_config deepest = {.depth = depth};
    int nn = 0;
    double lo = INFINITY, hi = -INFINITY;
    const gf_grid_net *ref = NULL;
    for (int i = 0; i < x->n_runs && nn < 2 * GF_ARCH_COUNT; i++) {
        const gf_grid_net *r = &x->runs[i];
        if (r->depth != depth || r->seed != o->seed0)
            continue;
        snprintf(f->norm_names[nn], sizeof f->norm_names[nn], "%s", r->name);
        f->norm_nets[nn] = f->norm_names[nn];
        nn++;
        if (!ref || r->n_probes > ref->n_probes)
            ref = r;
        for (size_t j = 0; j < r->n_probes; j++)
            if (r->probes[j].kind == GF_PROBE_BLOCK && isfinite(r->probes[j].log2_frob)) {
                lo = fmin(lo, gf_log10_of_log2(r->probes[j].log2_frob));
                hi = fmax(hi, gf_log10_of_log2(r->probes[j].log2_frob));
            }
    }
    /* up to GF_DEGRADE_FIG_STEPS probed steps, evenly spread from the first to the last */
    long first = -1, last = -1;
    int distinct = 0;
    for (size_t j = 0; ref && j < ref->n_probes; j++)
        if (j == 0 || ref->probes[j].step != ref->probes[j - 1].step) {
            first = first < 0 ? ref->probes[j].step : first;
            last = ref->probes[j].step;
            distinct++;
        }
    int ns = 0;
    for (int k = 0; k < GF_DEGRADE_FIG_STEPS && distinct > 0; k++) {
        /* the probed step nearest to an even split of [first, last] */
        const double want = first + (double)(last - first) * k / (GF_DEGRADE_FIG_STEPS - 1);
        long best = first;
        for (size_t j = 0; j < ref->n_probes; j++)
            if (fabs((double)ref->probes[j].step - want) < fabs((double)best - want))
                best = ref->probes[j].step;
        if (ns == 0 || f->steps[ns - 1] != best) {
            f->steps[ns] = best;
            f->step_epochs[ns++] = (int)(best / (ref->steps_per_epoch ? ref->steps_per_epoch : 1)) + 1;
        }
    }
    snprintf(f->norms_title, sizeof f->norms_title, "Gradient norm per depth during training "
             "(%s, seed %ld): early steps light, late steps dark", o->data_name, o->seed0);
    f->norms = (gf_fig_training_norms){.title = f->norms_title, .nets = f->norm_nets,
                                       .n_nets = nn, .seed = o->seed0, .steps = f->steps,
                                       .step_epochs = f->step_epochs, .n_steps = ns,
                                       .blocks_max = gf_stack_blocks(&deepest), .ymin = lo, .ymax = hi};
}
