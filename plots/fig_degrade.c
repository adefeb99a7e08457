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
        if (r->arch == GF_ARCH_PLAIN) {
            f->left_rank[nl] = rank;
            f->left[nl++] = f->names[n];
        } else {
            f->right_rank[nr] = rank;
            f->right[nr++] = f->names[n];
        }
    }
    for (int i = 0; i < x->n_runs; i++)
        for (int e = -1; e < x->runs[i].epochs_done; e++) { /* -1: at initialization */
            const gf_epoch_stats *s = e < 0 ? &x->runs[i].init : &x->runs[i].hist[e];
            if (e < 0 && !x->runs[i].has_init)
                continue;
            ymax = fmax(ymax, fmax(s->train_err, isnan(s->test_err) ? 0.0 : s->test_err));
        }
    ymax = fmin(100.0, ceil(100.0 * ymax * YMAX_HEADROOM / YMAX_ROUND) * YMAX_ROUND);
    snprintf(f->title, sizeof f->title, "Degradation on %s: training error (solid) and test "
             "error (dashed)", o->data_name);
    snprintf(f->subtitle, sizeof f->subtitle, "%zu training images, width %zu, norm %s, init "
             "%s, %s lr %g, batch %zu%s", o->train_set->n, o->base.width,
             gf_norm_names[o->base.norm], gf_init_names[o->base.init],
             gf_optim_names[o->train.optim.kind], o->train.sched.lr, o->train.batch,
             o->seeds > 1 ? "; lines: mean over the seeds, bands: min to max" : "");
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
