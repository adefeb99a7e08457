/* landscape_report.c: what `gradflow landscape` writes: the data files, the
 * manifest, the figures and the summary. */
#include "cli.h"
#include "landscape.h"

#include "plots/gf_figs_land.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char CMD[] = "landscape";

static void net_columns(FILE *f, const land_net *n)
{
    fprintf(f, "%s\t%s\t%d", n->name, gf_arch_names[n->arch], n->depth);
}

static void path_rows(FILE *f, const void *ctx)
{
    const land_result *r = ctx;
    for (int k = 0; k < r->n_nets; k++)
        for (int i = 0; i < r->n_path; i++) {
            net_columns(f, &r->nets[k]);
            gf_tsv_put(f, r->alpha[i]);
            gf_tsv_put(f, r->nets[k].path_loss[i]);
            gf_tsv_put(f, r->nets[k].path_err[i]);
            fputc('\n', f);
        }
}

static void surface_summary_rows(FILE *f, const void *ctx)
{
    const land_result *r = ctx;
    for (int k = 0; k < r->n_nets; k++) {
        const land_net *n = &r->nets[k];
        const int mid = (r->grid / 2) * r->grid + r->grid / 2;
        net_columns(f, n);
        const double v[] = {n->surf_loss[mid], n->surf_err[mid], n->surf_min, n->surf_max,
                            n->nonconvex, n->surface_seconds};
        gf_tsv_puts(f, v, sizeof v / sizeof *v);
        fputc('\n', f);
    }
}

static void trajectory_rows(FILE *f, const void *ctx)
{
    const land_result *r = ctx;
    for (int k = 0; k < r->n_nets; k++)
        for (int t = 0; t < r->nets[k].n_traj; t++) {
            net_columns(f, &r->nets[k]);
            fprintf(f, "\t%ld", r->nets[k].traj_step[t]);
            gf_tsv_put(f, r->nets[k].traj[2 * t]);
            gf_tsv_put(f, r->nets[k].traj[2 * t + 1]);
            fputc('\n', f);
        }
}

static void sharpness_rows(FILE *f, const void *ctx)
{
    const land_result *r = ctx;
    for (int k = 0; k < r->n_nets; k++)
        for (int i = 0; i < r->nets[k].n_sharp; i++) {
            const land_sharp *s = &r->nets[k].sharp[i];
            net_columns(f, &r->nets[k]);
            fprintf(f, "\t%d", s->epoch);
            gf_tsv_put(f, s->step < 0 ? NAN : (double)s->step);
            gf_tsv_put(f, s->lr);
            gf_tsv_put(f, s->lambda);
            gf_tsv_put(f, s->lambda_err);
            fprintf(f, "\t%d", s->iters);
            gf_tsv_put(f, s->trace);
            gf_tsv_put(f, s->trace_se);
            gf_tsv_put(f, 2.0 / s->lr);
            fputc('\n', f);
        }
}

int landscape_write(const land_result *res, const char *dir, char *why, size_t size)
{
    static const gf_named_file files[] = {
        {"path.tsv", "net\tarch\tdepth\talpha\tloss\terr", path_rows},
        {"surface_summary.tsv",
         "net\tarch\tdepth\tcentre_loss\tcentre_err\tmin_loss\tmax_loss\tnonconvex_share\t"
         "surface_seconds",
         surface_summary_rows},
        {"trajectory.tsv", "net\tarch\tdepth\tstep\tpc1\tpc2", trajectory_rows},
        {"sharpness.tsv",
         "net\tarch\tdepth\tepoch\tstep\tlr\tlambda_max\tlambda_err\tpower_iters\ttrace\t"
         "trace_se\ttwo_over_lr",
         sharpness_rows},
    };
    if (gf_write_all_in(dir, files, sizeof files / sizeof *files, res, why, size) != 0)
        return -1;
    for (int k = 0; k < res->n_nets; k++) {
        char name[GF_NET_NAME_MAX + 16], path[GF_PATH_MAX];
        snprintf(name, sizeof name, "surface-%s.tsv", res->nets[k].name);
        if (gf_path_join(path, sizeof path, dir, name) != 0) {
            snprintf(why, size, "%s/%s: the path is too long", dir, name);
            return -1;
        }
        if (gf_land_surface_write(path, res->coords, res->grid, res->nets[k].surf_loss,
                                  res->nets[k].surf_err, why, size) != 0)
            return -1;
    }
    return 0;
}

void landscape_describe(json_t *m, const landscape_options *o, const land_result *res)
{
    const gf_stack_config *c = &o->c.cfg;
    json_t *depths = json_array(), *archs = json_array(), *nets = json_array();
    for (int i = 0; i < o->n_depths; i++)
        json_array_append_new(depths, json_integer(o->depths[i]));
    for (int a = 0; a < o->c.n_archs; a++)
        json_array_append_new(archs, json_string(gf_arch_names[o->c.archs[a]]));
    json_object_set_new(m, "settings", json_pack(
        "{s:o, s:o, s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:s?, s:I, s:f, s:I, s:I, s:I, s:I, "
        "s:I, s:I, s:s}",
        "arch", archs, "depth", depths, "width", (json_int_t)c->width, "init",
        gf_init_names[c->init], "norm", gf_norm_names[c->norm], "act", gf_act_names[c->act],
        "data", res->data_name, "ntrain", (json_int_t)res->ntrain, "epochs",
        (json_int_t)o->t.train.epochs, "load", o->load, "grid", (json_int_t)o->grid, "span",
        o->span, "images", (json_int_t)o->images, "hess_images", (json_int_t)o->hess_images,
        "power_iters", (json_int_t)o->power_iters, "hutchinson", (json_int_t)o->hutchinson,
        "snapshots_per_epoch", (json_int_t)o->snapshots, "seed", (json_int_t)o->c.seed,
        "evaluation", "batch norm with running statistics; directions zero on biases and "
                      "norm parameters; Hessian-vector products by central differences of "
                      "gradients, step 1e-5"));
    for (int k = 0; k < res->n_nets; k++) {
        const land_net *n = &res->nets[k];
        json_array_append_new(nets, json_pack(
            "{s:s, s:I, s:i, s:o, s:o, s:o, s:o, s:o, s:f, s:f, s:f, s:f}", "net", n->name,
            "seed", (json_int_t)n->seed, "epochs", n->epochs, "trained_loss",
            cli_json_number(n->trained_loss), "init_loss", cli_json_number(n->init_loss),
            "nonconvex_share", cli_json_number(n->nonconvex), "pca_share_1",
            cli_json_number(n->share[0]), "pca_share_2", cli_json_number(n->share[1]),
            "train_seconds", n->train_seconds, "path_seconds", n->path_seconds,
            "surface_seconds", n->surface_seconds, "sharpness_seconds", n->sharp_seconds));
    }
    json_object_set_new(m, "nets", nets);
}

/* The figures' shared description; arrays of n_nets entries in the caller's. */
typedef struct fig_arrays {
    const char *nets[64], *archs[64];
    int depths[64], has_traj[64];
    double share[128];
} fig_arrays;

int landscape_figures(cli_run *r, const land_result *res)
{
    fig_arrays a;
    const int n = res->n_nets < 64 ? res->n_nets : 64;
    double lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < n; k++) {
        const land_net *net = &res->nets[k];
        a.nets[k] = net->name;
        a.archs[k] = gf_arch_names[net->arch];
        a.depths[k] = net->depth;
        a.has_traj[k] = net->n_traj > 0;
        a.share[2 * k] = net->share[0];
        a.share[2 * k + 1] = net->share[1];
        lo = fmin(lo, log10(net->surf_min));
        hi = fmax(hi, log10(net->surf_max));
    }
    gf_fig_land f = {.nets = a.nets, .archs = a.archs, .depths = a.depths, .n_nets = n,
                     .zlo = floor(lo * 2.0) / 2.0, .zhi = ceil(hi * 2.0) / 2.0,
                     .share = a.share, .has_traj = a.has_traj, .momentum = res->momentum};
    /* Each figure's subtitle says what its numbers are over. */
    char plane[200], line[200], traj[200], curv[200];
    snprintf(plane, sizeof plane, "%s: losses over %ld of the %ld training images; "
             "filter-normalized directions; batch norm in evaluation mode", res->data_name,
             res->images, res->ntrain);
    snprintf(line, sizeof line, "%s: losses over %ld of the %ld training images; batch norm in "
             "evaluation mode", res->data_name, res->images, res->ntrain);
    snprintf(traj, sizeof traj, "%s: the parameter snapshots of training, on the principal "
             "directions of theta_t - theta_T", res->data_name);
    snprintf(curv, sizeof curv, "%s: training loss over the first %ld images; power "
             "iteration on Hv products", res->data_name, res->hess_images);
    for (int k = 0; k < n; k++) /* the path's axis: 10 x its highest loss between the ends */
        for (int i = 0; i < res->n_path; i++)
            if (res->alpha[i] >= 0.0 && res->alpha[i] <= 1.0)
                f.path_top = fmax(f.path_top, 10.0 * res->nets[k].path_loss[i]);
    const struct {
        const char *name, *title, *subtitle;
        gf_plot_body body;
    } figs[] = {
        {"landscape_contour",
         "Loss surface around the trained weights (log10 loss, one colour scale)", plane,
         gf_fig_land_contour_body},
        {"landscape_3d", "Loss surface around the trained weights, 3-D (log10 loss)", plane,
         gf_fig_land_3d_body},
        {"landscape_path", "Loss along the line from initialization to the trained weights",
         line, gf_fig_land_path_body},
        {"landscape_trajectory", "Training trajectory on its first two principal directions",
         traj, gf_fig_land_trajectory_body},
        {"landscape_sharpness",
         "Sharpness: the Hessian eigenvalue of largest magnitude along training", curv,
         gf_fig_land_sharpness_body},
    };
    int st = CLI_EXIT_OK;
    for (size_t i = 0; st == CLI_EXIT_OK && i < sizeof figs / sizeof *figs; i++) {
        f.title = figs[i].title;
        f.subtitle = figs[i].subtitle;
        st = cli_run_figure(r, figs[i].name, figs[i].body, &f);
    }
    f.subtitle = line;
    if (st == CLI_EXIT_OK && r->c->term_dumb)
        st = cli_run_terminal(r, gf_fig_land_path_body, &f, 100, 30);
    return st;
}

/* The largest rise of the loss between neighbours on the path from a = 0 to
 * a = 1 (0 for a monotone descent). */
static double largest_rise(const land_result *r, const land_net *n)
{
    double rise = 0.0;
    for (int i = 1; i < r->n_path; i++)
        if (r->alpha[i - 1] >= 0.0 && r->alpha[i] <= 1.0)
            rise = fmax(rise, n->path_loss[i] - n->path_loss[i - 1]);
    return rise;
}

typedef struct summary_ctx {
    const landscape_options *o;
    const land_result *r;
} summary_ctx;

static void net_lines(FILE *f, const land_result *r)
{
    fprintf(f, "  %-12s %9s %7s %9s %10s %9s %9s %9s %11s %11s %9s %11s\n", "net", "loss",
            "error", "loss a=0", "rise 0..1", "surf min", "surf max", "nonconvex",
            "PCA 1+2 %", "lmax init", "lmax end", "lmax*lr/2");
    for (int k = 0; k < r->n_nets; k++) {
        const land_net *n = &r->nets[k];
        const land_sharp *s0 = &n->sharp[0], *s1 = &n->sharp[n->n_sharp - 1];
        char pca[32] = "-", edge[32] = "-"; /* a loaded net has no trajectory, no lr */
        if (n->n_traj > 0)
            snprintf(pca, sizeof pca, "%.1f+%.1f", 100 * n->share[0], 100 * n->share[1]);
        if (!isnan(s1->lr))
            snprintf(edge, sizeof edge, "%.3g", s1->lambda * s1->lr / 2.0);
        fprintf(f, "  %-12s %9.4f %6.2f%% %9.3g %10.3g %9.4f %9.3g %8.1f%% %11s %11.4g %9.4g "
                   "%11s\n", n->name, n->trained_loss, 100 * n->trained_err, n->init_loss,
                largest_rise(r, n), n->surf_min, n->surf_max, 100 * n->nonconvex, pca, s0->lambda,
                s1->lambda, edge);
    }
}

static int summary(FILE *f, const void *ctx)
{
    const summary_ctx *c = ctx;
    const land_result *r = c->r;
    const gf_stack_config *cfg = &c->o->c.cfg;
    fprintf(f, "landscape: %s, %ld training images (path and surface over the first %ld, "
               "curvature over the first %ld); %s\n", r->data_name, r->ntrain,
            c->o->images < r->ntrain ? c->o->images : r->ntrain,
            c->o->hess_images < r->ntrain ? c->o->hess_images : r->ntrain,
            c->o->load ? "nets loaded from --load" : "trained here");
    if (!c->o->load)
        fprintf(f, "  width %zu, %s init, %s norm, %s; %s, %d epochs; seed %ld\n", cfg->width,
                gf_init_names[cfg->init], gf_norm_names[cfg->norm], gf_act_names[cfg->act],
                gf_optim_names[c->o->t.train.optim.kind], c->o->t.train.epochs, c->o->c.seed);
    net_lines(f, r);
    fputs("  loss, error: the trained net (a = 1 of the path); rise 0..1: the largest increase "
          "of the loss\n  between neighbouring points of the line from initialization (0 when "
          "it falls monotonically);\n  surf min/max over the plane; nonconvex: share of the "
          "plane's points whose 2-D curvature has\n  lambda_min < 0 and |lambda_min/lambda_max| "
          "> 0.1; PCA: variance shares of the trajectory's first two\n  directions; lmax: the "
          "Hessian's eigenvalue of largest magnitude at initialization and at the end; lmax*lr/2 above 1 is\n  past "
          "the edge of stability of plain gradient descent (2 / lr).\n", f);
    for (int k = 0; k < r->n_nets; k++) {
        const land_net *n = &r->nets[k];
        const land_sharp *s1 = &n->sharp[n->n_sharp - 1];
        fprintf(f, "  %s: lmax end %.4g (finite-difference error estimate %.2g), trace %.4g "
                   "± %.2g; took %.1f s training, %.1f s path, %.1f s surface, %.1f s curvature\n",
                n->name, s1->lambda, s1->lambda_err, s1->trace, s1->trace_se, n->train_seconds,
                n->path_seconds, n->surface_seconds, n->sharp_seconds);
    }
    return ferror(f) ? -1 : 0;
}

int landscape_summary(const cli_run *run, const landscape_options *o, const land_result *res)
{
    const summary_ctx c = {o, res};
    char why[512];
    if (gf_write_in(run->dir, "summary.txt", summary, &c, why, sizeof why) != 0)
        return cli_error(CMD, "%s", why);
    if (o->c.quiet)
        return 0;
    summary(stdout, &c);
    printf("  wrote %s/{path,surface_summary,trajectory,sharpness,surface-NET}.tsv, summary.txt,"
           "\n    manifest.json, landscape_{contour,3d,path,trajectory,sharpness}%s\n", run->dir,
           cli_run_drawn(run) ? ".png/.svg/.gp" : ".gp (nothing drawn)");
    return 0;
}
